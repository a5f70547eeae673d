# Reference values for analysis.stats.tables.rao_scott: R survey's svychisq (Rao-Scott).
#
# Input: rao_scott_input.csv (written by make_rao_scott_input.py from the demo waves and one
# weighted synthetic case): case, psu (cluster id by the project's clustering rule: municipal
# units by kommunenummer, everyone else a cluster of their own), w (weight), row, col
# (category codes, complete cases, "vet ikke" left out).
# Output: rao_scott_r.csv, one row per case and statistic.
# Run once (R is not a project dependency):  Rscript rao_scott.R   (in this folder)
suppressPackageStartupMessages(library(survey))
d <- read.csv("rao_scott_input.csv", colClasses = c(case = "character", psu = "character"))
out <- list()
for (cs in unique(d$case)) {
  x <- d[d$case == cs, ]
  x$row <- factor(x$row)
  x$col <- factor(x$col)
  des <- svydesign(ids = ~psu, weights = ~w, data = x)
  for (st in c("F", "Chisq")) {
    r <- svychisq(~row + col, des, statistic = st)
    out[[length(out) + 1]] <- data.frame(
      case = cs, statistic = st,
      value = unname(r$statistic),
      df = unname(r$parameter[1]),
      ddf = if (st == "F") unname(r$parameter[2]) else NA,
      p_value = r$p.value,
      n = nrow(x), n_clusters = length(unique(x$psu))
    )
  }
}
res <- do.call(rbind, out)
write.csv(res, "rao_scott_r.csv", row.names = FALSE)
cat(R.version.string, "; survey", as.character(packageVersion("survey")), "\n")
print(res)
