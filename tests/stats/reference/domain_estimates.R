# Reference domain estimates with R's survey package (Lumley), computed once and committed.
#
#   Rscript tests/stats/reference/domain_estimates.R      (from the repository root)
#
# Input:  domain_inputs.csv (export_domain_inputs.py: the demo waves under the census and the
#         probability design, with the weights, strata, PSUs and FPC the project's estimator uses).
# Output: domain_estimates.csv: for every wave x design x variable x grouping (total, fylke,
#         storrelse, utleierkategori) x group, the estimate and its standard error from
#         svyby(..., svymean) on the FULL stratified design (every PSU of every stratum stays in
#         the variance; domain estimation), with FPC and weights. Scores are means; the items
#         komp_mote and komp_konflikt are shares of codes 4-5 among the substantive answers 1-5
#         (9 = "vet ikke" and blanks are NA and leave the estimate's domain).
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "fail")  # every stratum of the full design has many PSUs

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else "tests/stats/reference"

inp <- read.csv(file.path(here, "domain_inputs.csv"), stringsAsFactors = FALSE,
                na.strings = "", encoding = "UTF-8")
inp$fpc <- as.numeric(inp$fpc)  # "inf": no finite population correction (non-municipal stratum)
share45 <- function(x) ifelse(is.na(x) | x == 9, NA_real_, as.numeric(x %in% c(4, 5)))
inp$komp_mote_45 <- share45(inp$komp_mote)
inp$komp_konflikt_45 <- share45(inp$komp_konflikt)

variables <- c(kompetanse = "kompetanse", holdning = "holdning",
               komp_mote = "komp_mote_45", komp_konflikt = "komp_konflikt_45")
groupings <- c("total", "fylke", "storrelse", "utleierkategori")

rows <- list()
for (wave in unique(inp$wave)) for (design in unique(inp$design)) {
  d <- inp[inp$wave == wave & inp$design == design, ]
  d$total <- "Alle"
  des <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~fpc, weights = ~weight, data = d)
  for (v in names(variables)) for (g in groupings) {
    f <- as.formula(paste0("~", variables[[v]]))
    r <- svyby(f, as.formula(paste0("~", g)), des, svymean, na.rm = TRUE, keep.var = TRUE)
    rows[[length(rows) + 1]] <- data.frame(
      wave = wave, design = design, variable = v, group_var = g,
      group = as.character(r[[g]]), estimate = coef(r), se = SE(r),
      stringsAsFactors = FALSE)
  }
}
out <- do.call(rbind, rows)
out_file <- file.path(here, "domain_estimates.csv")
write.csv(format(out, digits = 17), out_file, row.names = FALSE, quote = TRUE)
cat(sprintf("wrote %s (%d rows; R %s, survey %s)\n", out_file, nrow(out),
            getRversion(), packageVersion("survey")))
