"""Regression models and group comparisons of scores and items.

Every function takes a tidy DataFrame of processed responses (``docs/processed-data.md``) first,
keyword options after, and returns a tidy DataFrame with stable column names.

Clusters
--------
Municipal units of one municipality are not independent answers. As in
:mod:`analysis.stats.estimates`, the cluster of a row is its ``kommunenummer`` when the row is a
municipal unit (``utleierkategori == "kommunal"``); rows with NA ``kommunenummer`` and rows of
non-profit or commercial landlords (whose ``kommunenummer`` only names their main area) are
singleton clusters. ``cluster=None`` makes every row its own cluster. See :func:`cluster_ids`.

Size class in models
--------------------
``storrelse`` is NA when ``kommunenummer`` is missing or not in the frame (mostly non-municipal
landlords that named no area). Dropping those rows would silently drop a sixth of the
non-profit and commercial landlords, so models enter a missing size class as its own level
:data:`UNKNOWN_SIZE` ("ukjent"). The reference level is the smallest size class present.

Missing-data rule
-----------------
Complete cases per model: a row is used when the outcome and every predictor are present
(after the "ukjent" rule for ``storrelse``). Code 9 ("vet ikke") is never a value: ordinal
models drop it. The number of rows used is reported (``n``) and the number dropped is in
``attrs["n_dropped"]``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 6], "g": list("aaabbb"),
...                    "kommunenummer": ["1", "1", "2", "3", "3", "4"],
...                    "utleierkategori": "kommunal"})
>>> mean_difference(df, "y", by="g", a="b", b="a")[["n_a", "n_b", "diff", "n_clusters"]]
   n_a  n_b  diff  n_clusters
0    3    3   3.0           4
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.instrument.codebook import DONT_KNOW, SIZE_CLASSES, codebook_for
from analysis.instrument.labels import value_label, variable_label
from analysis.lang import check_lang


def default_predictors(df: pd.DataFrame) -> tuple[str, ...]:
    """Default predictors of :func:`score_regression` and :func:`ordinal_regression`: the
    landlord category, the municipality size class and the prerequisites score (by its role)."""
    cb = codebook_for(df)
    return (cb.category_variable, "storrelse", cb.score_for("prerequisites"))


#: The level a missing ``storrelse`` gets in models.
UNKNOWN_SIZE = "ukjent"

REGRESSION_COLUMNS = (
    "term",
    "label",
    "estimate",
    "se",
    "t",
    "p",
    "ci_low",
    "ci_high",
    "n",
    "n_clusters",
    "r2",
)
ORDINAL_COLUMNS = (
    "term",
    "label",
    "kind",
    "estimate",
    "se",
    "z",
    "p",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "n",
    "n_clusters",
)
PAIRWISE_COLUMNS = (
    "variable",
    "between",
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "diff",
    "se",
    "t",
    "df",
    "diff_ci_low",
    "diff_ci_high",
    "p_unc",
    "p_adj",
    "hedges_g",
    "g_ci_low",
    "g_ci_high",
)
DIFFERENCE_COLUMNS = (
    "variable",
    "group_var",
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "diff",
    "se",
    "t",
    "df",
    "p",
    "ci_low",
    "ci_high",
    "n_clusters",
)

_INTERCEPT = {"nb": "Konstantledd", "en": "Intercept"}
_VERSUS = {"nb": "mot", "en": "vs"}
_PADJUST = {
    "holm": "holm",
    "bonferroni": "bonferroni",
    "fdr_bh": "fdr_bh",
    "sidak": "sidak",
    "none": None,
}


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def cluster_ids(df: pd.DataFrame, cluster: str | None = "kommunenummer") -> np.ndarray:
    """Cluster id per row under the project's clustering rule.

    Parameters
    ----------
    df : DataFrame
        Responses; ``utleierkategori`` (if present) decides which rows may share a cluster.
    cluster : str or None
        Cluster column. None: every row its own cluster.

    Returns
    -------
    ndarray of int64
        Ids in ``[0, n_clusters)``. Municipal rows share the id of their ``cluster`` value;
        rows with a missing value, and non-municipal rows, get ids of their own.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"kommunenummer": ["0301", "0301", None, "0301"],
    ...                    "utleierkategori": ["kommunal", "kommunal", "kommunal", "ideell"]})
    >>> cluster_ids(df).tolist()
    [0, 0, 1, 2]
    """
    from analysis.stats.estimates import _clusters  # the one definition of the clustering rule

    _, dense = np.unique(_clusters(df, cluster), return_inverse=True)
    return dense.astype(np.int64)


def ensure_scores(df: pd.DataFrame, needed: Sequence[str]) -> pd.DataFrame:
    """``df`` with the score columns in ``needed`` added when missing (via :mod:`analysis.stats.scoring`).

    Columns already present are used as they are; nothing is recomputed.

    Examples
    --------
    >>> import pandas as pd
    >>> ensure_scores(pd.DataFrame({"kompetanse": [50.0]}), ["kompetanse"]).columns.tolist()
    ['kompetanse']
    """
    from analysis.stats.scoring import score_responses

    cb = codebook_for(df)
    missing = [c for c in needed if c in cb.score_columns and c not in df.columns]
    if not missing:
        return df
    scores = score_responses(df, codebook=cb)
    return pd.concat([df, scores[missing]], axis=1)


def _numeric(s: pd.Series, name: str) -> np.ndarray:
    try:
        return pd.to_numeric(s).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"column {name!r} is not numeric") from None


def _is_categorical(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(s)
        or pd.api.types.is_string_dtype(s)
        or pd.api.types.is_bool_dtype(s)
    )


def _level_label(var: str, level: str, lang: str, cb) -> str:
    if var == "storrelse" and level != UNKNOWN_SIZE:
        return str(level)
    return value_label(var, level, lang, codebook=cb)


def _var_label(var: str, lang: str, cb) -> str:
    return variable_label(var, lang, codebook=cb)


class _Design:
    """Design matrix (without intercept) of the predictors, with term names and labels."""

    def __init__(
        self,
        df: pd.DataFrame,
        predictors: Sequence[str],
        reference: Mapping[str, str] | None,
        lang: str,
    ):
        reference = dict(reference or {})
        unknown = set(reference) - set(predictors)
        if unknown:
            raise ValueError(f"reference given for {sorted(unknown)}, which are not predictors")
        self.codebook = codebook_for(df)
        self.columns: dict[str, np.ndarray] = {}
        self.labels: dict[str, str] = {}
        self.references: dict[str, str] = {}
        valid = np.ones(len(df), dtype=bool)
        for p in predictors:
            if p not in df.columns:
                raise ValueError(f"predictor {p!r} not in the data")
            s = df[p]
            if p == "storrelse" or _is_categorical(s):
                lev = s.astype("string").astype(object)
                lev = lev.where(s.notna(), None)
                if p == "storrelse":
                    lev = lev.where(lev.notna(), UNKNOWN_SIZE)
                present = set(lev.dropna().unique())
                if isinstance(s.dtype, pd.CategoricalDtype):
                    order = [str(c) for c in s.cat.categories if str(c) in present]
                elif p == "storrelse":
                    order = [c for c in SIZE_CLASSES if c in present]
                else:
                    order = sorted(present)
                if p == "storrelse":
                    order = [c for c in order if c != UNKNOWN_SIZE]
                    order += sorted(present - set(order) - {UNKNOWN_SIZE})
                    if UNKNOWN_SIZE in present:
                        order.append(UNKNOWN_SIZE)
                if p in reference:
                    ref = str(reference[p])
                    if ref not in present:
                        raise ValueError(
                            f"reference level {ref!r} of {p!r} is not in the data (levels: {order})"
                        )
                elif p == "utleierkategori" and "kommunal" in present:
                    ref = "kommunal"
                else:
                    ref = order[0] if order else None
                self.references[p] = ref
                valid &= lev.notna().to_numpy(bool)
                arr = lev.to_numpy(dtype=object)
                for level in order:
                    if level == ref:
                        continue
                    term = f"{p}[T.{level}]"
                    self.columns[term] = (arr == level).astype("float64")
                    self.labels[term] = (
                        f"{_var_label(p, lang, self.codebook)}: {_level_label(p, level, lang, self.codebook)} "
                        f"({_VERSUS[lang]} {_level_label(p, ref, lang, self.codebook)})"
                    )
            else:
                x = _numeric(s, p)
                valid &= ~np.isnan(x)
                self.columns[p] = x
                self.labels[p] = _var_label(p, lang, self.codebook)
        self.valid = valid

    def matrix(self, rows: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({k: v[rows] for k, v in self.columns.items()})


def _check_clusters(g: np.ndarray) -> int:
    n_cl = len(np.unique(g))
    if n_cl < 2:
        raise ValueError("cluster-robust standard errors need at least two clusters")
    return n_cl


# --------------------------------------------------------------------------------------------
# regression of a score
# --------------------------------------------------------------------------------------------


def score_regression(
    df: pd.DataFrame,
    score: str,
    *,
    predictors: Sequence[str] | None = None,
    cluster: str | None = "kommunenummer",
    reference: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """OLS of a score on landlord category, size class and resources, cluster-robust.

    Parameters
    ----------
    df : DataFrame
        Processed responses. Score columns missing from ``df`` are computed with
        :func:`analysis.stats.scoring.score_responses`.
    score : str
        Outcome column (e.g. ``"kompetanse"``).
    predictors : sequence of str, optional
        Default :func:`default_predictors`. Categorical columns (category/string/object/bool
        dtype) enter as treatment dummies,
        numeric ones linearly. ``storrelse`` always enters as categorical with NA as the level
        ``"ukjent"`` (see the module docstring).
    cluster : str or None
        Cluster column (rule of :func:`cluster_ids`); None: heteroskedasticity-robust only
        (every row its own cluster).
    reference : mapping, optional
        Reference level per categorical predictor. Defaults: ``kommunal`` for
        ``utleierkategori``, the smallest size class present for ``storrelse``, the first
        level (category order, else sorted) otherwise.
    alpha : float
        1 - confidence level.
    lang : {"nb", "en"}
        Language of ``label``.

    Returns
    -------
    DataFrame
        ``term, label, estimate, se, t, p, ci_low, ci_high, n, n_clusters, r2``; one row per
        coefficient, the intercept first (term ``"Intercept"``), dummies named
        ``"<var>[T.<level>]"``. Standard errors are statsmodels' CRV1 cluster-robust
        (``cov_type="cluster"``, small-sample correction G/(G-1)·(N-1)/(N-K)); p-values and
        intervals use t with G - 1 degrees of freedom (``use_t=True``). ``attrs``: ``r2``,
        ``r2_adj``, ``n``, ``n_clusters``, ``n_dropped``, ``references``, ``score``.

    Notes
    -----
    Assumes a linear model with additive effects; the errors may be correlated within a
    municipality and heteroskedastic. Missing-data rule: complete cases (outcome and every
    predictor present, ``storrelse`` NA counted as "ukjent").

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"utleierkategori": np.repeat(["kommunal", "ideell"], 20),
    ...                    "forutsetninger": np.tile(np.arange(5), 8),
    ...                    "kommunenummer": None})
    >>> df["kompetanse"] = 40 + 5 * df["forutsetninger"] + rng.normal(0, 1, 40)
    >>> r = score_regression(df, "kompetanse", predictors=("utleierkategori", "forutsetninger"))
    >>> r["term"].tolist()
    ['Intercept', 'utleierkategori[T.ideell]', 'forutsetninger']
    >>> round(float(r.loc[2, "estimate"]))
    5
    """
    import statsmodels.api as sm

    check_lang(lang)
    predictors = default_predictors(df) if predictors is None else tuple(predictors)
    df = ensure_scores(df, [score, *predictors])
    if score not in df.columns:
        raise ValueError(f"score {score!r} not in the data")
    y = _numeric(df[score], score)
    design = _Design(df, predictors, reference, lang)
    rows = design.valid & ~np.isnan(y)
    n = int(rows.sum())
    X = design.matrix(rows)
    X.insert(0, "Intercept", 1.0)
    if n <= X.shape[1]:
        raise ValueError(f"{n} complete rows are too few for {X.shape[1]} coefficients")
    g = cluster_ids(df, cluster)[rows]
    n_cl = _check_clusters(g)
    res = sm.OLS(y[rows], X).fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)
    ci = res.conf_int(alpha=alpha)
    labels = {"Intercept": _INTERCEPT[lang], **design.labels}
    out = pd.DataFrame(
        {
            "term": list(X.columns),
            "label": [labels[c] for c in X.columns],
            "estimate": res.params.to_numpy(),
            "se": res.bse.to_numpy(),
            "t": res.tvalues.to_numpy(),
            "p": res.pvalues.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
            "n": n,
            "n_clusters": n_cl,
            "r2": float(res.rsquared),
        }
    )
    out.attrs = {
        "score": score,
        "r2": float(res.rsquared),
        "r2_adj": float(res.rsquared_adj),
        "n": n,
        "n_clusters": n_cl,
        "n_dropped": int(len(df) - n),
        "references": dict(design.references),
    }
    return out[list(REGRESSION_COLUMNS)]


# --------------------------------------------------------------------------------------------
# ordinal regression of one Likert item
# --------------------------------------------------------------------------------------------

#: Largest absolute gradient of the log-likelihood (in the reported coefficients and
#: cut-points, as R ``ordinal::clm``'s ``maxGradient``) accepted as converged.
ORDINAL_GRADIENT_TOL = 1e-6


def _cumlogit_derivatives(X: np.ndarray, y: np.ndarray, beta: np.ndarray, cuts: np.ndarray):
    """Analytic score and Hessian of the cumulative logit log-likelihood in (beta, cuts).

    Model: P(Y <= j | x) = logistic(c_j - x'beta) for observed category index ``y`` in
    ``0..m`` (m = len(cuts)). With u = c_y - x'beta and l = c_{y-1} - x'beta (c_{-1} = -inf,
    c_m = +inf), P = F(u) - F(l) and, writing a = f(u), b = f(l) (f = F(1 - F) the logistic
    density, f' = f(1 - 2F)),

        dlog P/du = a / P,    dlog P/dl = -b / P,
        d2/du2 = f'(u)/P - a^2/P^2,   d2/dl2 = -f'(l)/P - b^2/P^2,   d2/du dl = a b / P^2,

    chained with du/dbeta = dl/dbeta = -x, du/dc_y = 1, dl/dc_{y-1} = 1.

    Returns
    -------
    score_obs : ndarray (n, k + m)
        Per-observation score (coefficients first, then cut-points).
    hessian : ndarray (k + m, k + m)
        Hessian of the summed log-likelihood.
    loglike : float
    """
    from scipy.special import expit

    n, k = X.shape
    m = len(cuts)
    cpad = np.concatenate([[-np.inf], cuts, [np.inf]])
    eta = X @ beta
    u = cpad[y + 1] - eta
    low = cpad[y] - eta
    Fu, Fl = expit(u), expit(low)
    a, b = Fu * (1 - Fu), Fl * (1 - Fl)
    da, db = a * (1 - 2 * Fu), b * (1 - 2 * Fl)
    P = Fu - Fl
    lu, ll = a / P, -b / P
    luu = da / P - lu**2
    lll = -db / P - ll**2
    lul = a * b / P**2
    # derivative of u and l in (beta, padded cuts): the padding columns (infinite cuts) are
    # dropped at the end; their weights a, b and derivatives are 0
    rows = np.arange(n)
    DU = np.zeros((n, k + m + 2))
    DL = np.zeros((n, k + m + 2))
    DU[:, :k] = -X
    DL[:, :k] = -X
    DU[rows, k + y + 1] = 1.0
    DL[rows, k + y] = 1.0
    keep = np.r_[0:k, k + 1 : k + m + 1]
    DU, DL = DU[:, keep], DL[:, keep]
    score_obs = lu[:, None] * DU + ll[:, None] * DL
    cross = DU.T @ (lul[:, None] * DL)
    hessian = DU.T @ (luu[:, None] * DU) + DL.T @ (lll[:, None] * DL) + cross + cross.T
    return score_obs, hessian, float(np.log(P).sum())


def _cuts_from_increments(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels' threshold parameters (c_1, log increments) -> cut-points and dc/dth."""
    inc = np.concatenate([th[:1], np.exp(th[1:])])
    m = len(th)
    J = np.tril(np.ones((m, m))) * np.concatenate([[1.0], np.exp(th[1:])])[None, :]
    return np.cumsum(inc), J


_ORDERED_LOGIT_CLASS = None


def _ordered_logit(endog: pd.Series, X: pd.DataFrame):
    """statsmodels ``OrderedModel(distr="logit")`` with the analytic score and Hessian.

    OrderedModel differentiates numerically (forward differences), which lets BFGS stop with a
    gradient of about 1e-3; with the analytic derivatives Newton's method reaches the optimum
    to machine precision, and statsmodels' cluster-robust sandwich uses the exact scores.
    """
    global _ORDERED_LOGIT_CLASS
    if _ORDERED_LOGIT_CLASS is None:
        from statsmodels.miscmodels.ordinal_model import OrderedModel

        class OrderedLogit(OrderedModel):
            def _derivs(self, params):
                params = np.asarray(params, dtype="float64")
                k = self.k_vars
                cuts, J = _cuts_from_increments(params[k:])
                so, H, _ = _cumlogit_derivatives(
                    np.asarray(self.exog, dtype="float64"),
                    np.asarray(self.endog, dtype=np.int64),
                    params[:k],
                    cuts,
                )
                return so, H, J, k

            def score_obs(self, params):
                so, _, J, k = self._derivs(params)
                return np.column_stack([so[:, :k], so[:, k:] @ J])

            def score(self, params):
                return self.score_obs(params).sum(axis=0)

            def hessian(self, params):
                so, H, J, k = self._derivs(params)
                p = H.shape[0]
                T = np.eye(p)
                T[k:, k:] = J
                Ht = T.T @ H @ T
                # second derivatives of the cut-points: d2 c_r / d th_i^2 = exp(th_i), i <= r
                g = so[:, k:].sum(axis=0)
                th = np.asarray(params, dtype="float64")[k:]
                tail = np.cumsum(g[::-1])[::-1]  # sum_{r >= i} dlogL/dc_r
                Ht[k + 1 :, k + 1 :] += np.diag(np.exp(th[1:]) * tail[1:])
                return Ht

        _ORDERED_LOGIT_CLASS = OrderedLogit
    return _ORDERED_LOGIT_CLASS(endog, X, distr="logit")


def ordinal_regression(
    df: pd.DataFrame,
    item: str,
    *,
    predictors: Sequence[str] | None = None,
    cluster: str | None = "kommunenummer",
    reference: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """Proportional-odds (ordinal logistic) regression of one Likert item.

    Parameters
    ----------
    df : DataFrame
        Processed responses (score predictors are computed when missing).
    item : str
        An item coded 1-5 (a row of a 1-5 matrix question). Code 9 ("vet ikke") and NA are dropped;
        any other code is an error.
    predictors, cluster, reference, alpha, lang
        As in :func:`score_regression`.

    Returns
    -------
    DataFrame
        ``term, label, kind, estimate, se, z, p, ci_low, ci_high, odds_ratio, or_ci_low,
        or_ci_high, n, n_clusters``. ``kind`` is ``"coefficient"`` (log odds of answering
        higher; ``odds_ratio = exp(estimate)``) or ``"threshold"`` (term ``"1|2"`` etc.: the
        cut-point on the latent logit scale between two adjacent observed codes; its standard
        error by the delta method from statsmodels' increment parametrisation; odds-ratio
        columns NA). Standard errors are cluster-robust (``cov_type="cluster"``, CRV1 with
        statsmodels' factor G/(G-1)·(N-1)/(N-K)); tests and intervals are normal (z).
        ``attrs``: ``n``, ``n_clusters``, ``n_dropped``, ``levels``, ``references``,
        ``converged`` (largest absolute gradient of the log-likelihood in the reported
        coefficients and cut-points at most :data:`ORDINAL_GRADIENT_TOL`), ``max_gradient``,
        ``identified`` (observed information positive definite, condition number below
        1e10), ``hessian_condition``, ``loglike``, ``se_model`` (model-based SEs, inverse
        observed information, per term; R ``clm``'s ``vcov``).

    Warns
    -----
    RuntimeWarning
        When the optimum is not reached or the model is not identified (e.g. complete
        separation); the estimates must not be reported then.

    Notes
    -----
    statsmodels ``OrderedModel(distr="logit")``: P(y <= j) = logistic(c_j - x'b), so a positive
    coefficient shifts answers upwards. The model is given its analytic score and Hessian; BFGS
    brings it near the optimum and Newton's method finishes (the gradient is then about 1e-13,
    as R's ``ordinal::clm``; tests compare with ``clm`` in ``tests/stats/reference/``).
    Assumes proportional odds. Only codes observed in the data are categories. Missing-data
    rule: complete cases; 9 and NA of the item dropped.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=200)
    >>> lat = 1.0 * x + rng.logistic(size=200)
    >>> df = pd.DataFrame({"q_a": 1 + (lat[:, None] > [-1.5, -0.5, 0.5, 1.5]).sum(1),
    ...                    "x": x, "kommunenummer": None})
    >>> r = ordinal_regression(df, "q_a", predictors=("x",))
    >>> r["kind"].tolist()
    ['coefficient', 'threshold', 'threshold', 'threshold', 'threshold']
    >>> bool(0.6 < r.loc[0, "estimate"] < 1.4)
    True
    """
    check_lang(lang)
    if item not in df.columns:
        raise ValueError(f"item {item!r} not in the data")
    predictors = default_predictors(df) if predictors is None else tuple(predictors)
    df = ensure_scores(df, list(predictors))
    y = _numeric(df[item], item)
    ok = ~np.isnan(y) & (y != DONT_KNOW)
    bad = ok & ~np.isin(y, [1, 2, 3, 4, 5])
    if bad.any():
        raise ValueError(f"column {item}: codes other than 1-5 and 9 ({sorted(set(y[bad]))})")
    design = _Design(df, predictors, reference, lang)
    rows = ok & design.valid
    n = int(rows.sum())
    X = design.matrix(rows)
    if X.shape[1] == 0:
        raise ValueError("ordinal_regression needs at least one predictor")
    levels = sorted(int(v) for v in np.unique(y[rows]))
    if len(levels) < 2:
        raise ValueError(f"{item}: fewer than two answer categories among the complete rows")
    endog = pd.Series(pd.Categorical(y[rows].astype(int), categories=levels, ordered=True))
    g = cluster_ids(df, cluster)[rows]
    n_cl = _check_clusters(g)
    model = _ordered_logit(endog, X)
    k = X.shape[1]
    with warnings.catch_warnings():
        # BFGS only brings Newton's method near the optimum; convergence is judged below
        warnings.simplefilter("ignore")
        try:
            start = model.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-8).params
            res = model.fit(
                start_params=np.asarray(start),
                method="newton",
                disp=False,
                maxiter=100,
                tol=1e-12,
                cov_type="cluster",
                cov_kwds={"groups": g},
            )
        except np.linalg.LinAlgError:
            raise ValueError(
                f"ordinal_regression({item!r}): the information matrix is singular: the "
                f"predictors ({', '.join(X.columns)}) are collinear or one of them is constant"
            ) from None
    params = res.params.to_numpy()
    cov = np.asarray(res.cov_params())
    z = stats.norm.ppf(1 - alpha / 2)
    # thresholds: c_1 = th_1, c_j = c_{j-1} + exp(th_j); delta method with the Jacobian dc/dth
    cuts, Jc = _cuts_from_increments(params[k:])
    J = np.zeros((len(cuts), len(params)))
    J[:, k:] = Jc
    cut_se = np.sqrt(np.maximum(np.diag(J @ cov @ J.T), 0.0))
    est = np.concatenate([params[:k], cuts])
    se = np.concatenate([np.sqrt(np.diag(cov))[:k], cut_se])
    # convergence in the reported parametrisation (coefficients, cut-points), as R's clm
    score_obs, hess, loglike = _cumlogit_derivatives(
        X.to_numpy(dtype="float64"), endog.cat.codes.to_numpy(np.int64), params[:k], cuts
    )
    max_gradient = float(np.max(np.abs(score_obs.sum(axis=0))))
    eig = np.linalg.eigvalsh(hess) if np.isfinite(hess).all() else np.full(len(est), np.nan)
    # the observed information must be positive definite and not near-singular (complete
    # separation drives the log-likelihood to 0 and every eigenvalue towards 0)
    condition = float(eig.min() / eig.max()) if eig.max() < 0 else np.inf
    identified = bool(eig.max() < -1e-8 * n and condition < 1e10)
    converged = bool(np.isfinite(est).all() and max_gradient <= ORDINAL_GRADIENT_TOL)
    se_model = (
        np.sqrt(np.diag(np.linalg.inv(-hess)))
        if converged and identified
        else np.full(len(est), np.nan)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        zval = est / se
    pval = 2 * stats.norm.sf(np.abs(zval))
    lo, hi = est - z * se, est + z * se
    coef = np.arange(len(est)) < k

    def odds(v):
        with np.errstate(over="ignore"):
            return np.exp(v)

    terms = list(X.columns) + [f"{a}|{b}" for a, b in zip(levels[:-1], levels[1:], strict=True)]
    thr_label = {"nb": "Terskel", "en": "Threshold"}[lang]
    labels = [design.labels[t] for t in X.columns] + [f"{thr_label} {t}" for t in terms[k:]]
    out = pd.DataFrame(
        {
            "term": terms,
            "label": labels,
            "kind": np.where(coef, "coefficient", "threshold"),
            "estimate": est,
            "se": se,
            "z": zval,
            "p": pval,
            "ci_low": lo,
            "ci_high": hi,
            "odds_ratio": np.where(coef, odds(est), np.nan),
            "or_ci_low": np.where(coef, odds(lo), np.nan),
            "or_ci_high": np.where(coef, odds(hi), np.nan),
            "n": n,
            "n_clusters": n_cl,
        }
    )
    if not converged:
        warnings.warn(
            f"ordinal_regression({item!r}): the optimiser did not converge (largest gradient "
            f"{max_gradient:.2g}, tolerance {ORDINAL_GRADIENT_TOL:g}); do not report these "
            "estimates",
            RuntimeWarning,
            stacklevel=2,
        )
    elif not identified:
        warnings.warn(
            f"ordinal_regression({item!r}): the information matrix is (nearly) singular "
            f"(condition number {condition:.2g}): a predictor separates the answers or is "
            "redundant; do not report these estimates",
            RuntimeWarning,
            stacklevel=2,
        )
    out.attrs = {
        "item": item,
        "n": n,
        "n_clusters": n_cl,
        "n_dropped": int(len(df) - n),
        "levels": levels,
        "references": dict(design.references),
        "converged": converged,
        "identified": identified,
        "max_gradient": max_gradient,
        "hessian_condition": condition,
        "loglike": loglike,
        "se_model": dict(zip(terms, se_model.tolist(), strict=True)),
    }
    return out[list(ORDINAL_COLUMNS)]


# --------------------------------------------------------------------------------------------
# pairwise comparisons
# --------------------------------------------------------------------------------------------


def _levels(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna().unique())
        return [c for c in s.cat.categories if c in present]
    return sorted(s.dropna().unique())


def hedges_g(x, y, *, alpha: float = 0.05) -> tuple[float, float, float]:
    """Hedges' g of ``x`` minus ``y`` with its approximate interval.

    g = d · (1 - 3 / (4 (n_x + n_y) - 9)) with Cohen's d on the pooled standard deviation;
    se = sqrt((n_x + n_y) / (n_x n_y) + g² / (2 (n_x + n_y))) (Hedges and Olkin 1985);
    interval g ± t(1 - alpha/2, n_x + n_y - 2) · se (the convention of pingouin's
    ``compute_esci`` and R's ``effsize::cohen.d(noncentral=FALSE)``). NaN when a group has
    fewer than two values.

    Examples
    --------
    >>> tuple(round(v, 4) for v in hedges_g([1, 2, 3, 4], [3, 4, 5, 6]))
    (-1.3471, -3.2636, 0.5693)
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return np.nan, np.nan, np.nan
    pooled = np.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (x.mean() - y.mean()) / pooled
    g = d * (1 - 3 / (4 * (nx + ny) - 9))
    se = np.sqrt((nx + ny) / (nx * ny) + g**2 / (2 * (nx + ny)))
    crit = stats.t.ppf(1 - alpha / 2, nx + ny - 2)
    return float(g), float(g - crit * se), float(g + crit * se)


def pairwise_comparisons(
    df: pd.DataFrame,
    score: str,
    *,
    between: str = "utleierkategori",
    padjust: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Welch t-tests of a score between every pair of groups, with adjusted p-values and Hedges' g.

    Parameters
    ----------
    df : DataFrame
        Responses (score columns are computed when missing).
    score : str
        Numeric outcome.
    between : str
        Grouping column; pairs follow its category order (sorted for non-categoricals), a
        before b.
    padjust : {"holm", "bonferroni", "fdr_bh", "sidak", "none"}
        Multiple-comparison correction over all pairs (statsmodels ``multipletests``).
    alpha : float
        1 - confidence level of the difference's interval.

    Returns
    -------
    DataFrame
        ``variable, between, a, b, n_a, n_b, mean_a, mean_b, diff (a - b), se, t, df (Welch),
        diff_ci_low, diff_ci_high, p_unc, p_adj, hedges_g, g_ci_low, g_ci_high``; ``attrs
        ["padjust"]`` names the correction (``p_adj`` equals ``p_unc`` for ``"none"``).

    Notes
    -----
    Respondents are treated as independent (as pingouin and scipy do): the tests ignore the
    clustering of municipal units, so for municipal groups they are somewhat liberal; use
    :func:`mean_difference` for a cluster-robust difference. Hedges' g uses the pooled
    standard deviation with the small-sample correction (see :func:`hedges_g`).
    Missing-data rule: rows with NA score or NA group are dropped; a pair with a group of fewer
    than two values gets NA statistics (and no part in the correction).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1.0, 2, 3, 4, 3, 4, 5, 6, 6, 7, 8, 9], "grp": list("aaaabbbbcccc")})
    >>> r = pairwise_comparisons(df, "s", between="grp")
    >>> r[["a", "b", "diff", "p_adj"]].round(4)
      a  b  diff   p_adj
    0  a  b  -2.0  0.0710
    1  a  c  -5.0  0.0046
    2  b  c  -3.0  0.0334
    """
    from statsmodels.stats.multitest import multipletests

    if padjust not in _PADJUST:
        raise ValueError(f"padjust must be one of {', '.join(_PADJUST)}, not {padjust!r}")
    df = ensure_scores(df, [score])
    for c in (score, between):
        if c not in df.columns:
            raise ValueError(f"column {c!r} not in the data")
    y = _numeric(df[score], score)
    grp = df[between]
    keep = ~np.isnan(y) & grp.notna().to_numpy(bool)
    values = {lev: y[keep & (grp == lev).fillna(False).to_numpy(bool)] for lev in _levels(grp)}
    rows = []
    tq = None
    for a, b in combinations(values, 2):
        xa, xb = values[a], values[b]
        na, nb = len(xa), len(xb)
        row = {
            "variable": score,
            "between": between,
            "a": str(a),
            "b": str(b),
            "n_a": na,
            "n_b": nb,
            "mean_a": xa.mean() if na else np.nan,
            "mean_b": xb.mean() if nb else np.nan,
        }
        if na >= 2 and nb >= 2:
            va, vb = xa.var(ddof=1) / na, xb.var(ddof=1) / nb
            se = np.sqrt(va + vb)
            with np.errstate(invalid="ignore", divide="ignore"):
                dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
                t = (row["mean_a"] - row["mean_b"]) / se
            p = 2 * stats.t.sf(abs(t), dof) if np.isfinite(t) else np.nan
            tq = stats.t.ppf(1 - alpha / 2, dof) if np.isfinite(dof) else np.nan
            g, glo, ghi = hedges_g(xa, xb)
        else:
            se = dof = t = p = tq = g = glo = ghi = np.nan
        d = row["mean_a"] - row["mean_b"]
        row.update(
            {
                "diff": d,
                "se": se,
                "t": t,
                "df": dof,
                "diff_ci_low": d - tq * se,
                "diff_ci_high": d + tq * se,
                "p_unc": p,
                "hedges_g": g,
                "g_ci_low": glo,
                "g_ci_high": ghi,
            }
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in PAIRWISE_COLUMNS if c != "p_adj"])
    out["p_adj"] = out["p_unc"]
    method = _PADJUST[padjust]
    ok = out["p_unc"].notna().to_numpy()
    if method is not None and ok.any():
        adj = out["p_adj"].to_numpy(dtype="float64", copy=True)
        adj[ok] = multipletests(out.loc[ok, "p_unc"].to_numpy(dtype="float64"), method=method)[1]
        out["p_adj"] = adj
    for c in ("n_a", "n_b"):
        out[c] = out[c].astype("int64")
    out = out[list(PAIRWISE_COLUMNS)]
    out.attrs = {"padjust": padjust}
    return out


# --------------------------------------------------------------------------------------------
# cluster-robust difference of two group means
# --------------------------------------------------------------------------------------------


def linearised_difference(
    y: np.ndarray,
    in_a: np.ndarray,
    in_b: np.ndarray,
    clusters: np.ndarray,
    alpha: float = 0.05,
    weights: np.ndarray | None = None,
) -> dict:
    """Difference of two (sub)group means with a cluster-robust (linearised) standard error.

    Row influence z_i = [a_i w_i (y_i - m_a) / W_a] - [b_i w_i (y_i - m_b) / W_b] with the
    (weighted) group means m and weight totals W (w = 1 without ``weights``: W = n); cluster
    totals Z_c; V = C / (C - 1) · sum_c (Z_c - mean Z)² over the C clusters holding rows of either
    group. Groups may share clusters (the covariance is then included). The interval uses t with
    C - 1 df. Rows where ``y`` is NaN are ignored. With weights this is the sandwich variance of
    a weighted least-squares group contrast (strata and finite-population corrections are not
    used, which errs on the conservative side).

    Examples
    --------
    >>> import numpy as np
    >>> r = linearised_difference(np.array([1.0, 2, 3, 5]), np.array([1, 1, 0, 0], bool),
    ...                           np.array([0, 0, 1, 1], bool), np.arange(4))
    >>> float(r["diff"]), round(r["se"], 4)    # z = (-.25, .25, .5, -.5): sqrt(4/3 * 0.625)
    (-2.5, 0.9129)
    """
    y = np.asarray(y, dtype="float64")
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype="float64")
    ok = ~np.isnan(y) & ~np.isnan(w)
    a = np.asarray(in_a, bool) & ok
    b = np.asarray(in_b, bool) & ok
    na, nb = int(a.sum()), int(b.sum())
    wa, wb = w[a].sum(), w[b].sum()
    ma = np.float64(np.dot(w[a], y[a]) / wa) if na else np.nan  # numpy floats: se 0 -> t inf
    mb = np.float64(np.dot(w[b], y[b]) / wb) if nb else np.nan
    out = {
        "n_a": na,
        "n_b": nb,
        "mean_a": ma,
        "mean_b": mb,
        "diff": ma - mb,
        "se": np.nan,
        "t": np.nan,
        "df": np.nan,
        "p": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "n_clusters": 0,
    }
    used = a | b
    if na == 0 or nb == 0:
        return out
    z = np.zeros(len(y))
    z[a] += w[a] * (y[a] - ma) / wa
    z[b] -= w[b] * (y[b] - mb) / wb
    cl = np.asarray(clusters)[used]
    _, inv = np.unique(cl, return_inverse=True)
    Z = np.bincount(inv, weights=z[used])
    C = len(Z)
    out["n_clusters"] = C
    if C < 2:
        return out
    var = C / (C - 1) * np.sum((Z - Z.mean()) ** 2)
    se = float(np.sqrt(var))
    dof = C - 1
    tq = stats.t.ppf(1 - alpha / 2, dof)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = out["diff"] / se
    out.update(
        {
            "se": se,
            "t": t,
            "df": dof,
            "p": 2 * stats.t.sf(abs(t), dof) if np.isfinite(t) else np.nan,
            "ci_low": out["diff"] - tq * se,
            "ci_high": out["diff"] + tq * se,
        }
    )
    return out


def mean_difference(
    df: pd.DataFrame,
    value: str,
    *,
    by: str,
    a,
    b,
    cluster: str | None = "kommunenummer",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Difference of means ``a - b`` of a numeric variable between two groups, cluster-robust.

    Parameters
    ----------
    df : DataFrame
        Responses (score columns are computed when missing). Filter it first to restrict the
        comparison to a subset (e.g. municipal units only).
    value : str
        Numeric variable.
    by : str
        Grouping column.
    a, b
        The two levels of ``by`` (compared as strings).
    cluster : str or None
        Cluster column (rule of :func:`cluster_ids`).
    alpha : float
        1 - confidence level.

    Returns
    -------
    DataFrame
        One row: ``variable, group_var, a, b, n_a, n_b, mean_a, mean_b, diff, se, t, df, p,
        ci_low, ci_high, n_clusters``; the standard error from :func:`linearised_difference`
        (clusters shared by both groups are handled), t with n_clusters - 1 df.

    Notes
    -----
    Missing-data rule: rows with NA ``value`` or NA ``by`` are dropped. The standard error
    equals statsmodels' CRV1 standard error of the group dummy in OLS ``value ~ C(by)`` on the
    rows of the two groups, times sqrt((N - 2) / (N - 1)) (statsmodels' extra small-sample factor).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 5], "g": ["x", "x", "y", "y"], "kommunenummer": None})
    >>> mean_difference(df, "y", by="g", a="y", b="x")[["diff", "n_clusters"]]
       diff  n_clusters
    0   2.5           4
    """
    df = ensure_scores(df, [value])
    for c in (value, by):
        if c not in df.columns:
            raise ValueError(f"column {c!r} not in the data")
    y = _numeric(df[value], value)
    g = df[by].astype("string")
    in_a = (g == str(a)).fillna(False).to_numpy(bool)
    in_b = (g == str(b)).fillna(False).to_numpy(bool)
    r = linearised_difference(y, in_a, in_b, cluster_ids(df, cluster), alpha=alpha)
    out = pd.DataFrame([{"variable": value, "group_var": by, "a": str(a), "b": str(b), **r}])
    return out[list(DIFFERENCE_COLUMNS)]


# --------------------------------------------------------------------------------------------
# every pairwise group difference of several outcomes, adjusted for multiple comparisons
# --------------------------------------------------------------------------------------------

#: Columns of :func:`group_differences`.
GROUP_DIFFERENCE_COLUMNS = (*DIFFERENCE_COLUMNS, "p_adj", "holds")


def group_differences(
    df: pd.DataFrame,
    values: Sequence[str],
    by: Sequence[str],
    *,
    cluster: str | None = "kommunenummer",
    weights: str | np.ndarray | None = None,
    padjust: str = "holm",
    family: str = "all",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every pairwise difference of group means, cluster-robust, adjusted for the search.

    For each outcome in ``values``, each grouping column in ``by`` and each pair of its levels
    (``a`` before ``b`` in the column's order), the difference ``mean_a - mean_b`` with the
    linearised cluster-robust standard error of :func:`linearised_difference`. The p-values are
    adjusted over a family: ``family="all"`` takes every row (every outcome, grouping and pair)
    as one family, so a difference that ``holds`` survives the search over every comparison of
    the table; ``family="group_var"`` adjusts each grouping column's rows (all its outcomes and
    pairs) separately, for a question asked per grouping ("which landlord categories differ?").

    Parameters
    ----------
    df : DataFrame
        Responses (score columns are computed when missing).
    values : list of str
        Numeric outcomes (e.g. the scores).
    by : list of str
        Grouping columns (e.g. ``utleierkategori``, ``storrelse``, ``fylke``).
    cluster : str or None
        Cluster column (rule of :func:`cluster_ids`).
    weights : str or array, optional
        A weight column or array (design weights); default unweighted.
    padjust : {"holm", "bonferroni", "fdr_bh", "sidak", "none"}
        Correction over each family (statsmodels ``multipletests``).
    family : {"all", "group_var"}
        What is adjusted together (see above).
    alpha : float
        Level of the intervals and of ``holds`` (``p_adj < alpha``).

    Returns
    -------
    DataFrame
        ``variable, group_var, a, b, n_a, n_b, mean_a, mean_b, diff, se, t, df, p, ci_low,
        ci_high, n_clusters, p_adj, holds``; ``attrs``: ``padjust``, ``family`` and
        ``family_sizes`` (tests adjusted together: ``{"all": m}`` or ``{group_var: m, ...}``). The intervals are unadjusted; ``holds`` uses
        ``p_adj``. A pair whose standard error cannot be computed has NA statistics and no part
        in the family.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"s": [1.0, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15],
    ...                    "g": ["x"] * 6 + ["y"] * 6, "h": ["p", "q"] * 6, "kommunenummer": None})
    >>> r = group_differences(df, ["s"], ["g", "h"])
    >>> r[["group_var", "a", "b", "diff", "holds"]]
      group_var  a  b  diff  holds
    0         g  x  y  -9.0   True
    1         h  p  q  -1.0  False
    >>> r.attrs["family_sizes"]
    {'all': 2}
    >>> group_differences(df, ["s"], ["g", "h"], family="group_var").attrs["family_sizes"]
    {'g': 1, 'h': 1}
    """
    from statsmodels.stats.multitest import multipletests

    if padjust not in _PADJUST:
        raise ValueError(f"padjust must be one of {', '.join(_PADJUST)}, not {padjust!r}")
    if family not in ("all", "group_var"):
        raise ValueError(f"family must be 'all' or 'group_var', not {family!r}")
    values, by = list(values), list(by)
    df = ensure_scores(df, values)
    missing = [c for c in (*values, *by) if c not in df.columns]
    if missing:
        raise ValueError(f"column(s) {', '.join(map(repr, missing))} not in the data")
    w = None
    if weights is not None:
        w = _numeric(df[weights], weights) if isinstance(weights, str) else np.asarray(weights)
    clusters = cluster_ids(df, cluster)
    rows = []
    for var in by:
        g = df[var]
        levels = [str(v) for v in _levels(g)]
        gs = g.astype("string")
        masks = {lev: (gs == lev).fillna(False).to_numpy(bool) for lev in levels}
        for value in values:
            y = _numeric(df[value], value)
            for a, b in combinations(levels, 2):
                r = linearised_difference(y, masks[a], masks[b], clusters, alpha=alpha, weights=w)
                rows.append({"variable": value, "group_var": var, "a": a, "b": b, **r})
    out = pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))
    out["p_adj"] = out["p"].astype("float64")
    method = _PADJUST[padjust]
    keys = out["group_var"] if family == "group_var" else pd.Series("all", index=out.index)
    sizes = {}
    adj = out["p_adj"].to_numpy(copy=True)
    for k in dict.fromkeys(keys):
        rows = (keys == k).to_numpy() & out["p"].notna().to_numpy()
        sizes[str(k)] = int(rows.sum())
        if method is not None and rows.any():
            adj[rows] = multipletests(out.loc[rows, "p"].to_numpy(dtype="float64"), method=method)[
                1
            ]
    out["p_adj"] = adj
    out["holds"] = (out["p_adj"] < alpha).fillna(False).astype(bool)
    out.attrs = {"padjust": padjust, "family": family, "family_sizes": sizes}
    return out
