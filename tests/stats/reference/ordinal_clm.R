# Reference proportional-odds fits with R's ordinal package (Christensen), computed once and
# committed.
#
#   Rscript tests/stats/reference/ordinal_clm.R      (from the repository root)
#
# Input:  ordinal_inputs.csv (export_ordinal_inputs.py: items, predictors and clusters of the
#         demo waves).
# Output: ordinal_clm.csv: for every wave x item, clm(item ~ utleierkategori + storrelse +
#         forutsetninger, link = "logit") on the complete cases (codes 1-5; "vet ikke" = 9 and
#         blanks dropped; a missing size class is the level "ukjent"; reference levels kommunal
#         and the smallest size class present). Per term: the estimate, clm's model-based SE
#         (inverse observed information), and a cluster-robust SE: the sandwich
#         bread = vcov(clm), meat = sum over clusters of the summed per-observation scores (outer
#         product), scores by numDeriv::jacobian (Richardson extrapolation) of the per-observation
#         log-likelihood, times G/(G-1) * (N-1)/(N-K) (statsmodels' CRV1 factor for likelihood
#         models). Per fit: logLik, clm's maxGradient, n, the number of clusters.
suppressPackageStartupMessages({
  library(ordinal)
  library(numDeriv)
})

args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(file_arg)) dirname(normalizePath(file_arg)) else "tests/stats/reference"
inp <- read.csv(file.path(here, "ordinal_inputs.csv"), stringsAsFactors = FALSE,
                na.strings = "", encoding = "UTF-8")

size_levels <- c("under 5 000", "5 000\u201319 999", "20 000+", "ukjent")
rows <- list()
for (wave in unique(inp$wave)) for (item in c("komp_mote", "komp_konflikt")) {
  d <- inp[inp$wave == wave, ]
  d$storrelse[is.na(d$storrelse)] <- "ukjent"
  d <- d[!is.na(d[[item]]) & d[[item]] %in% 1:5 & !is.na(d$forutsetninger) &
           !is.na(d$utleierkategori), ]
  d$y <- factor(d[[item]], ordered = TRUE)
  d$utleierkategori <- factor(d$utleierkategori, levels = c("kommunal", "ideell", "kommersiell"))
  d$storrelse <- factor(d$storrelse, levels = size_levels[size_levels %in% d$storrelse])
  fit <- clm(y ~ utleierkategori + storrelse + forutsetninger, data = d, link = "logit",
             control = clm.control(gradTol = 1e-10, relTol = 1e-12, maxIter = 200))
  stopifnot(fit$convergence$code == 0)
  theta <- coef(fit)
  m <- length(fit$alpha)
  X <- model.matrix(~ utleierkategori + storrelse + forutsetninger, data = d)[, -1, drop = FALSE]
  stopifnot(identical(colnames(X), names(fit$beta)))
  yi <- as.integer(d$y)
  ll_obs <- function(p) {
    cuts <- c(-Inf, p[1:m], Inf)
    eta <- drop(X %*% p[-(1:m)])
    log(plogis(cuts[yi + 1] - eta) - plogis(cuts[yi] - eta))
  }
  stopifnot(abs(sum(ll_obs(theta)) - as.numeric(logLik(fit))) < 1e-9)
  S <- jacobian(ll_obs, theta)
  bread <- vcov(fit)
  meat <- crossprod(rowsum(S, d$cluster))
  N <- nrow(d); K <- length(theta); G <- length(unique(d$cluster))
  V <- bread %*% meat %*% bread * G / (G - 1) * (N - 1) / (N - K)
  # the project's term names: "<var>[T.<level>]" for factor levels, "a|b" for cut-points
  term <- names(theta)
  for (v in c("utleierkategori", "storrelse")) {
    lev <- levels(d[[v]])
    for (l in lev) term[term == paste0(v, l)] <- sprintf("%s[T.%s]", v, l)
  }
  rows[[length(rows) + 1]] <- data.frame(
    wave = wave, item = item, term = term,
    kind = ifelse(seq_along(theta) <= m, "threshold", "coefficient"),
    estimate = unname(theta), se = unname(sqrt(diag(bread))),
    se_cluster = unname(sqrt(diag(V))), loglik = as.numeric(logLik(fit)),
    max_gradient = fit$maxGradient, n = N, n_clusters = G,
    stringsAsFactors = FALSE)
}
out <- do.call(rbind, rows)
out_file <- file.path(here, "ordinal_clm.csv")
write.csv(format(out, digits = 17), out_file, row.names = FALSE, quote = TRUE)
cat(sprintf("wrote %s (%d rows; R %s, ordinal %s, numDeriv %s)\n", out_file, nrow(out),
            getRversion(), packageVersion("ordinal"), packageVersion("numDeriv")))
