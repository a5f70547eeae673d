"""Group estimates with cluster-robust (Taylor linearisation) standard errors.

Design
------
Municipal units of one municipality are not independent answers: respondents with the same
``kommunenummer`` in the same group form one **cluster** (primary sampling unit). Rows with
NA ``kommunenummer`` and rows of non-municipal landlords (``utleierkategori`` other than
``kommunal``) are singleton clusters. ``cluster=None`` makes every row its own cluster.

Variance of a (weighted) mean in a group g, by linearisation: with weights w, group weight
total W and mean m, each row contributes ``z = w (y - m) / W``; the cluster totals Z_c are
summed per stratum h (one stratum unless ``strata``/``fpc``/``design`` say otherwise)::

    V = sum_h (1 - f_h) * n_h / (n_h - 1) * sum_{c in h} (Z_c - mean_h Z)^2

and f_h is the stratum's PSU sampling fraction (0 without ``fpc``). Which PSUs c and how many
(n_h) enter the sum depends on the design:

- **Design-based (domain) estimation** (a ``census`` or ``probability`` design, or explicit
  ``strata`` or ``fpc``): every PSU of stratum h in the *full* data counts, with Z_c = 0 for a
  PSU that has no row of the group, and n_h is the number of PSUs of stratum h in the full data.
  A group is a domain (subpopulation) of the one stratified sample, so the variance includes how
  the group's share of each stratum varies. This is R survey's ``svyby(~y, ~g, design,
  svymean)`` on the full design (``svydesign(ids=~kommunenummer, strata=, fpc=, weights=)``);
  ``tests/stats/reference/domain_estimates.R`` computes the reference values the tests compare
  with. Rows with NA in the variable are outside every domain of that variable but their PSUs
  stay in the design.
- **Convenience** (no design, or ``design="convenience"``, without ``strata``/``fpc``): each
  group is treated as a sample of its own clusters: n_h is the number of clusters of the group
  in stratum h and Z is centred over them.

A stratum with a single PSU (in the full design, or in the group) is centred at 0 with
factor 1, like R survey's ``lonely.psu="adjust"``. The confidence interval uses
t quantiles with ``n_clusters - n_strata`` degrees of freedom (``n_clusters - 1`` when
unstratified). ``deff`` is V over the variance of the same estimate under simple random
sampling, ``s_w^2 / n``.

Design rules (the wave's manifest states ``design``): finite population correction and raking
weights apply ONLY to the municipal stratum (``utleierkategori == "kommunal"``) of a census or
probability wave; see :func:`estimate_design`. Convenience waves get unweighted estimates
and the caveat :func:`design_caveat`.

Missing-data rule: estimates are complete-case **per variable** (rows where the variable is
NA are dropped for that variable only); for item proportions, code 9 ("vet ikke") is reported
as its own share and never enters the estimate's denominator. Rows with NA in a grouping
variable are left out of that grouping's groups but count in the total row ("Alle",
``group_var="total"``).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"score": [10.0, 20, 30, 40, 50, 60],
...                    "fylke": ["A", "A", "A", "B", "B", "B"],
...                    "kommunenummer": ["1", "1", "2", "3", "4", "5"],
...                    "utleierkategori": "kommunal"})
>>> group_means(df, "score", "fylke")[["group_var", "group", "n", "estimate", "n_clusters"]]
  group_var group  n  estimate  n_clusters
0     total  Alle  6      35.0           5
1     fylke     A  3      20.0           2
2     fylke     B  3      50.0           3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.instrument.codebook import DONT_KNOW
from analysis.lang import check_lang, table

MEANS_COLUMNS = (
    "variable",
    "group_var",
    "group",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_clusters",
    "deff",
)
PROPORTIONS_COLUMNS = (
    "variable",
    "group_var",
    "group",
    "n",
    "n_dont_know",
    "share_dont_know",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "n_clusters",
)
TOTAL_GROUP_VAR = "total"
TOTAL_LABEL = {"nb": "Alle", "en": "All"}
DESIGNS = ("convenience", "census", "probability")


# --------------------------------------------------------------------------------------------
# design
# --------------------------------------------------------------------------------------------

_CAVEATS = table("design_caveats")


def design_caveat(design: str, lang: str = "nb") -> str:
    """The sentence the report prints about a wave's sampling design.

    Examples
    --------
    >>> design_caveat("convenience", "en")[:40]
    'The answers come from a convenience samp'
    """
    if design not in _CAVEATS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {design!r}")
    check_lang(lang)
    return _CAVEATS[design][lang]


def estimate_design(
    df: pd.DataFrame,
    *,
    design: str,
    frame: pd.DataFrame | None = None,
    bounds: tuple[float, float] | None = (0.3, 3.0),
) -> pd.DataFrame:
    """Per-row design variables for a wave: weight, FPC and stratum.

    Parameters
    ----------
    df : DataFrame
        Responses with ``utleierkategori`` and ``kommunenummer``.
    design : {"convenience", "census", "probability"}
        The wave manifest's ``design``.
    frame : DataFrame, optional
        The municipality frame (needed for weights and FPC of census/probability waves).
    bounds : (float, float) or None
        Weight bounds passed to :func:`analysis.stats.weighting.rake_weights`.

    Returns
    -------
    DataFrame
        On ``df.index``: ``design_weight`` (float), ``design_fpc`` (population count of
        PSUs in the row's stratum, NaN = no FPC), ``design_stratum`` (str). ``attrs``:
        ``design``, ``notes`` (list of str).

        - convenience: weight 1, no FPC, one stratum.
        - census / probability: two strata, ``kommunal`` and ``annen``. With a frame, municipal
          rows get raking weights rescaled to mean 1 over the municipal rows (the municipal
          stratum keeps its sample share in totals; weighting corrects its composition) and
          ``design_fpc`` = number of municipalities in the frame; municipal rows without a
          known municipality get weight 1. Non-municipal rows: weight 1, no FPC. Without a
          frame: no weights and no FPC (noted).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"utleierkategori": ["kommunal", "ideell"], "kommunenummer": ["0301", None]})
    >>> estimate_design(df, design="convenience")
       design_weight  design_fpc design_stratum
    0            1.0         NaN           alle
    1            1.0         NaN           alle
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, not {design!r}")
    out = pd.DataFrame(
        {"design_weight": 1.0, "design_fpc": np.nan, "design_stratum": "alle"}, index=df.index
    )
    notes: list[str] = []
    if design != "convenience":
        from analysis.stats.weighting import _municipal_mask, rake_weights

        municipal = _municipal_mask(df)
        out["design_stratum"] = np.where(municipal, "kommunal", "annen")
        if frame is None:
            notes.append(
                "no municipality frame: municipal answers are neither weighted nor FPC-corrected"
            )
        else:
            w = rake_weights(df, frame, bounds=bounds)
            mw = w[municipal]
            known = mw.notna()
            if known.any():
                mw = mw / mw[known].mean()
            out.loc[municipal, "design_weight"] = mw.fillna(1.0).to_numpy()
            out.loc[municipal, "design_fpc"] = float(len(frame))
            if w.attrs.get("unmatched"):
                notes.append(
                    f"{w.attrs['unmatched']} municipal answer(s) without a known municipality "
                    "got weight 1"
                )
            for c in w.attrs.get("collapsed", []):
                notes.append(
                    f"{c['margin']} {c['category']!s} had no respondents: merged into {c['into']!s}"
                )
            if not w.attrs.get("bounded", True):
                notes.append("weights exceed their bounds (margins kept)")
    out.attrs = {"design": design, "notes": notes}
    return out


# --------------------------------------------------------------------------------------------
# machinery
# --------------------------------------------------------------------------------------------


def _column(df: pd.DataFrame, spec, name: str) -> np.ndarray | None:
    """A per-row array from a column name, an aligned Series/array, or None."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in df.columns:
            raise ValueError(f"{name}: column {spec!r} not in the data")
        s = df[spec]
    elif isinstance(spec, pd.Series):
        s = spec.reindex(df.index)
    else:
        s = pd.Series(np.asarray(spec), index=df.index)
        if len(s) != len(df):
            raise ValueError(f"{name}: {len(s)} values for {len(df)} rows")
    return s


def _clusters(df: pd.DataFrame, cluster: str | None) -> np.ndarray:
    """Cluster id per row (int64 in [0, n))."""
    n = len(df)
    if cluster is None:
        return np.arange(n, dtype=np.int64)
    if cluster not in df.columns:
        raise ValueError(f"cluster column {cluster!r} not in the data")
    codes, uniques = pd.factorize(df[cluster])
    codes = codes.astype(np.int64)
    if "utleierkategori" in df.columns:
        non_municipal = (
            (df["utleierkategori"].astype("string") != "kommunal").fillna(True).to_numpy(bool)
        )
        codes[non_municipal] = -1
    single = codes < 0
    codes[single] = len(uniques) + np.arange(int(single.sum()))
    return codes


class _Design:
    """Row-level design arrays shared by every variable and grouping of one call."""

    def __init__(self, df, cluster, weights, fpc, strata, design, frame):
        n = len(df)
        # design-based (domain) estimation for census/probability designs and for explicit
        # strata or FPC; convenience waves and plain cluster-robust calls keep group clusters
        self.domain = design in ("census", "probability") or strata is not None or fpc is not None
        if design is not None:
            d = estimate_design(df, design=design, frame=frame)
            if weights is None:
                weights = d["design_weight"]
            if fpc is None and strata is None:
                fpc, strata = d["design_fpc"], d["design_stratum"]
        w = _column(df, weights, "weights")
        if w is None:
            self.w = np.ones(n)
            self.weighted = False
        else:
            self.w = pd.to_numeric(w, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            bad = ~np.isfinite(self.w) | (self.w < 0)
            if bad.any():
                raise ValueError(
                    f"weights: {int(bad.sum())} row(s) with a missing or negative weight"
                )
            self.weighted = True
        # strata
        st = _column(df, strata, "strata")
        fpc_arr = None
        if isinstance(fpc, Mapping):
            if st is None:
                st = _column(df, "utleierkategori", "strata")
            fpc_arr = st.astype(object).map(lambda v: fpc.get(v, np.nan)).to_numpy(dtype="float64")
        elif fpc is not None:
            fpc_arr = pd.to_numeric(_column(df, fpc, "fpc"), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
            if st is None:  # strata from the FPC itself: equal N = one stratum, NaN = no FPC
                st = pd.Series(np.where(np.isnan(fpc_arr), -1.0, fpc_arr), index=df.index)
        if st is None:
            self.st = np.zeros(n, dtype=np.int64)
            self.n_strata = 1
        else:
            codes, uniq = pd.factorize(st.astype(object).where(st.notna(), "__NA__"))
            self.st = codes.astype(np.int64)
            self.n_strata = max(len(uniq), 1)
        self.cl = _clusters(df, cluster)
        self.n_cl = int(self.cl.max()) + 1 if n else 0
        # PSUs of the full design per stratum (a cluster in two strata is a PSU in each);
        # needed for domain estimation and the FPC only
        self.n_psu = np.zeros(self.n_strata)
        if n and (self.domain or fpc_arr is not None):
            psu = np.unique(self.st * max(self.n_cl, 1) + self.cl)
            self.n_psu = np.bincount(psu // max(self.n_cl, 1), minlength=self.n_strata)
            self.n_psu = self.n_psu.astype(float)
        # sampling fraction per stratum: PSUs sampled in the stratum over the population count
        self.f = np.zeros(self.n_strata)
        if fpc_arr is not None:
            for h in range(self.n_strata):
                rows = self.st == h
                Ns = fpc_arr[rows]
                Ns = Ns[~np.isnan(Ns)]
                if len(Ns) == 0:
                    continue
                if not np.allclose(Ns, Ns[0]):
                    raise ValueError("fpc: rows of one stratum give different population counts")
                n_psu = self.n_psu[h]
                if n_psu > Ns[0] + 1e-9:
                    raise ValueError(
                        f"fpc: {n_psu} sampled PSUs exceed the population count {Ns[0]:g}"
                    )
                self.f[h] = n_psu / Ns[0]


class _Grouping:
    """Group codes of one grouping variable plus the (group, stratum, cluster) PSU key."""

    def __init__(self, df: pd.DataFrame, by: str | None, design: _Design, lang: str):
        n = len(df)
        if by is None:
            self.name = TOTAL_GROUP_VAR
            self.g = np.zeros(n, dtype=np.int64)
            self.labels = [TOTAL_LABEL[lang]]
        else:
            if by not in df.columns:
                raise ValueError(f"grouping column {by!r} not in the data")
            s = df[by]
            self.name = by
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes = s.cat.codes.to_numpy().astype(np.int64)
                cats = list(s.cat.categories)
                present = np.unique(codes[codes >= 0])
                remap = np.full(len(cats) + 1, -1, dtype=np.int64)
                remap[present] = np.arange(len(present))
                self.g = np.where(codes >= 0, remap[codes], -1)
                self.labels = [str(cats[i]) for i in present]
            else:
                codes, uniq = pd.factorize(s, sort=True)
                self.g = codes.astype(np.int64)
                self.labels = [str(u) for u in uniq]
        self.G = len(self.labels)
        ok = self.g >= 0
        S, C = design.n_strata, max(design.n_cl, 1)
        combined = np.where(ok, (self.g * S + design.st) * C + design.cl, -1)
        key, uniq = pd.factorize(combined)
        # factorize turns nothing into -1 here (no NaN); drop the -1 "group"
        uniq = np.asarray(uniq)
        self.key = key.astype(np.int64)
        self.K = len(uniq)
        gs = np.where(uniq >= 0, uniq // C, -1)
        self.key_g = np.where(gs >= 0, gs // S, -1)
        self.key_gs = gs  # group * S + stratum
        self.key_st = np.where(gs >= 0, gs % S, 0)
        self.S = S


class _Values:
    """Per-variable row arrays shared by every grouping: validity, w, w*y and w*y^2 (0 where invalid)."""

    def __init__(self, y: np.ndarray, valid: np.ndarray, design: _Design):
        self.vf = valid.astype("float64")
        yv = np.where(valid, y, 0.0)
        self.wv = self.vf if not design.weighted else np.where(valid, design.w, 0.0)
        self.wy = self.wv * yv
        self.wy2 = self.wy * yv


def _key_sum(grp: _Grouping, weights: np.ndarray) -> np.ndarray:
    return np.bincount(grp.key, weights=weights, minlength=grp.K)


def _linearised(vals: _Values, grp: _Grouping, design: _Design):
    """Weighted means, their Taylor variance, cluster counts and SRS variance per group.

    Everything is aggregated to PSU keys (group x stratum x cluster) in four passes over the
    rows; the linearised cluster totals are Z_c = (S_c - m_g W_c) / W_g.
    """
    G, S = grp.G, grp.S
    cnt_k = _key_sum(grp, vals.vf)
    W_k = cnt_k if vals.wv is vals.vf else _key_sum(grp, vals.wv)
    S_k = _key_sum(grp, vals.wy)
    Q_k = _key_sum(grp, vals.wy2)
    kg = grp.key_g
    inside = kg >= 0
    kgi = kg[inside]

    def to_groups(a):
        return np.bincount(kgi, weights=a[inside], minlength=G)

    n = np.rint(to_groups(cnt_k)).astype(np.int64)
    W = to_groups(W_k)
    Sg = to_groups(S_k)
    Qg = to_groups(Q_k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = Sg / W
        # SRS variance of the (weighted) mean: s_w^2 / n with s_w^2 = n/(n-1) sum w (y-m)^2 / W
        ss_w = np.maximum(Qg - mean * Sg, 0.0) / W
        v_srs = ss_w / (n - 1)
        m_k = np.where(inside, mean[np.maximum(kg, 0)], 0.0)
        W_gk = np.where(inside, W[np.maximum(kg, 0)], 1.0)
        Z = (S_k - m_k * W_k) / W_gk
    has = cnt_k > 0
    gs = grp.key_gs
    okk = has & (gs >= 0)
    GS = G * S
    n_h = np.bincount(gs[okk], minlength=GS).astype(float)
    sZ = np.bincount(gs[okk], weights=Z[okk], minlength=GS)
    sZ2 = np.bincount(gs[okk], weights=Z[okk] ** 2, minlength=GS)
    # PSUs a stratum's Z are centred over: the group's own PSUs (convenience), or every PSU of
    # the stratum in the full design, with Z = 0 outside the group (domain estimation)
    n_c = np.tile(design.n_psu, G) if design.domain else n_h
    with np.errstate(invalid="ignore", divide="ignore"):
        ss = np.where(n_c > 1, sZ2 - sZ**2 / np.where(n_c > 0, n_c, 1), sZ2)
        fac = np.where(n_c > 1, n_c / (n_c - 1), 1.0)
    f = np.tile(design.f, G)
    contrib = np.where(n_h > 0, (1 - f) * fac * np.maximum(ss, 0.0), 0.0)
    var = contrib.reshape(G, S).sum(axis=1)
    n_clusters = n_h.reshape(G, S).sum(axis=1).astype(np.int64)
    n_str = (n_h.reshape(G, S) > 0).sum(axis=1)
    return n, mean, var, n_clusters, n_str, v_srs, W


def _as_list(x) -> list:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        raise ValueError(f"variable {col!r} not in the data")
    try:
        return pd.to_numeric(df[col]).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ValueError(f"variable {col!r} is not numeric") from None


def _groupings(df, by, design, lang):
    return [_Grouping(df, None, design, lang)] + [
        _Grouping(df, b, design, lang) for b in _as_list(by)
    ]


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------


def group_means(
    df: pd.DataFrame,
    value: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    *,
    cluster: str | None = "kommunenummer",
    weights=None,
    fpc=None,
    strata=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """Means of numeric variables, overall and by groups, with cluster-robust intervals.

    Parameters
    ----------
    df : DataFrame
        Responses, one row each.
    value : str or list of str
        Numeric columns (scores); NA rows are dropped per variable.
    by : str or list of str, optional
        Grouping variables, each reported separately after the total row.
    cluster : str or None
        Cluster column (see the module docstring); None for independent rows.
    weights : str or array-like, optional
        Column name or per-row weights (no NA, non-negative).
    fpc : str, array-like or mapping, optional
        Population count of PSUs in the row's stratum (per-row column/array; NaN = no FPC), or
        a mapping ``{stratum value: count}`` keyed on ``strata`` (default
        ``utleierkategori``). The sampling fraction of a stratum is its number of distinct
        clusters in the data over that count.
    strata : str or array-like, optional
        Stratum per row. Default: none, or derived from ``fpc``. Giving ``strata`` or ``fpc``
        makes the groups domains of the full design (see the module docstring).
    design : {"convenience", "census", "probability"}, optional
        Take weights, FPC and strata from :func:`estimate_design` (explicit ``weights``,
        ``fpc`` and ``strata`` win). Groups of a census or probability design are estimated
        as domains (every PSU of every stratum in the variance, as R survey's ``svyby``).
    frame : DataFrame, optional
        Municipality frame for ``design``.
    alpha : float
        1 - confidence level.
    lang : {"nb", "en"}
        Language of the total row's label ("Alle" / "All").

    Returns
    -------
    DataFrame
        ``variable, group_var, group, n, estimate, se, ci_low, ci_high, n_clusters, deff``:
        per variable the total row (``group_var="total"``) then every observed group of every
        grouping in order (category order for categoricals, sorted otherwise; ``group`` is a
        string). ``se`` and the interval are NA with fewer than two clusters.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4], "kommunenummer": [None] * 4})
    >>> r = group_means(df, "x")
    >>> float(r.loc[0, "estimate"]), round(float(r.loc[0, "se"]), 6)   # std / sqrt(n)
    (2.5, 0.645497)
    """
    dz = _Design(df, cluster, weights, fpc, strata, design, frame)
    groupings = _groupings(df, by, dz, lang)
    parts = []
    for var in _as_list(value):
        y = _numeric(df, var)
        vals = _Values(y, ~np.isnan(y), dz)
        for grp in groupings:
            n, mean, var_, ncl, nstr, v_srs, _ = _linearised(vals, grp, dz)
            keep = n > 0
            dfree = ncl - nstr
            with np.errstate(invalid="ignore", divide="ignore"):
                se = np.where(ncl >= 2, np.sqrt(var_), np.nan)
                tq = stats.t.ppf(1 - alpha / 2, np.where(dfree >= 1, dfree, np.nan))
                deff = np.where((v_srs > 0) & (ncl >= 2), var_ / v_srs, np.nan)
            parts.append(
                pd.DataFrame(
                    {
                        "variable": var,
                        "group_var": grp.name,
                        "group": np.array(grp.labels, dtype=object),
                        "n": n,
                        "estimate": mean,
                        "se": se,
                        "ci_low": mean - tq * se,
                        "ci_high": mean + tq * se,
                        "n_clusters": ncl,
                        "deff": deff,
                    }
                )[keep]
            )
    out = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(MEANS_COLUMNS))
    )
    out["n"] = out["n"].astype("int64")
    out["n_clusters"] = out["n_clusters"].astype("int64")
    return out[list(MEANS_COLUMNS)]


def _check_success(col: str, success: tuple, df: pd.DataFrame) -> None:
    from analysis.instrument.codebook import codebook_for

    try:
        q, _ = codebook_for(df).locate(col)
    except (KeyError, ValueError):
        return
    codes = q.substantive_codes
    if codes and not set(success) & set(codes):
        raise ValueError(
            f"success codes {tuple(success)} are not answers of {col} (codes {codes}); "
            "for checkbox options use success=(1,)"
        )


def wilson_interval(p, n, *, alpha: float = 0.05):
    """Wilson score interval for a proportion ``p`` with (effective) sample size ``n``.

    Examples
    --------
    >>> lo, hi = wilson_interval(0.5, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.2366, 0.7634)
    """
    p = np.asarray(p, dtype="float64")
    n = np.asarray(n, dtype="float64")
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def group_proportions(
    df: pd.DataFrame,
    items: str | Sequence[str],
    by: str | Sequence[str] | None = None,
    *,
    success: Sequence[int] = (4, 5),
    cluster: str | None = "kommunenummer",
    weights=None,
    fpc=None,
    strata=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """Shares of substantive answers in ``success``, overall and by groups.

    Parameters
    ----------
    df : DataFrame
    items : str or list of str
        Item columns (codes as in the processed data).
    by : str or list of str, optional
        Grouping variables (see :func:`group_means`).
    success : sequence of int
        Codes counted as success: (4, 5) = "stor/svært stor grad" or "delvis/helt enig";
        (1,) for checkbox options and Ja. Checked against the codebook's codes of the item.
    cluster, weights, fpc, strata, design, frame, alpha, lang
        As in :func:`group_means`.

    Returns
    -------
    DataFrame
        ``variable, group_var, group, n, n_dont_know, share_dont_know, estimate, se, ci_low,
        ci_high, deff, n_clusters``. ``n`` counts substantive answers (the estimate's
        denominator), ``n_dont_know`` the 9s; ``share_dont_know`` is the (weighted) share of 9
        among all non-blank answers. The interval is Wilson's with n replaced by the
        effective n = n / deff (deff floored at 1), further multiplied by (z / t_df)^2 with
        df = n_clusters - n_strata (Korn and Graubard 1998); NA with fewer than two clusters.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q_a": [5, 4, 2, 9, None, 1], "kommunenummer": None})
    >>> group_proportions(df, "q_a")[["n", "n_dont_know", "share_dont_know", "estimate"]]
       n  n_dont_know  share_dont_know  estimate
    0  4            1              0.2       0.5
    """
    success = tuple(success)
    dz = _Design(df, cluster, weights, fpc, strata, design, frame)
    groupings = _groupings(df, by, dz, lang)
    z = stats.norm.ppf(1 - alpha / 2)
    parts = []
    for item in _as_list(items):
        _check_success(item, success, df)
        x = _numeric(df, item)
        answered = ~np.isnan(x)
        dk = answered & (x == DONT_KNOW)
        subst = answered & ~dk
        y = np.isin(x, success).astype("float64")
        vals = _Values(y, subst, dz)
        dkf = dk.astype("float64")
        wdk = dkf if not dz.weighted else np.where(dk, dz.w, 0.0)
        for grp in groupings:
            n, p, var_, ncl, nstr, _, w_sub = _linearised(vals, grp, dz)
            kg = grp.key_g
            inside = kg >= 0
            n_dk = np.rint(
                np.bincount(kg[inside], weights=_key_sum(grp, dkf)[inside], minlength=grp.G)
            ).astype(np.int64)
            w_dk = (
                n_dk.astype(float)
                if wdk is dkf
                else np.bincount(kg[inside], weights=_key_sum(grp, wdk)[inside], minlength=grp.G)
            )
            n_all = n + n_dk
            w_all = w_sub + w_dk
            dfree = ncl - nstr
            with np.errstate(invalid="ignore", divide="ignore"):
                share_dk = w_dk / w_all
                # SRS variance of a proportion uses p(1-p)/n (not s^2/n), so deff of p is on
                # the usual binomial scale; deff = 1 when p is 0 or 1 (no variance either way)
                v_bin = p * (1 - p) / n
                deff = np.where(v_bin > 0, var_ / v_bin, 1.0)
                deff = np.where(ncl >= 2, np.maximum(deff, 1.0), np.nan)
                tq = stats.t.ppf(1 - alpha / 2, np.where(dfree >= 1, dfree, np.nan))
                n_eff = n / deff * (z / tq) ** 2
                lo, hi = wilson_interval(p, n_eff, alpha=alpha)
                se = np.where(ncl >= 2, np.sqrt(var_), np.nan)
            parts.append(
                pd.DataFrame(
                    {
                        "variable": item,
                        "group_var": grp.name,
                        "group": np.array(grp.labels, dtype=object),
                        "n": n,
                        "n_dont_know": n_dk,
                        "share_dont_know": share_dk,
                        "estimate": p,
                        "se": se,
                        "ci_low": lo,
                        "ci_high": hi,
                        "deff": deff,
                        "n_clusters": ncl,
                    }
                )[n_all > 0]
            )
    out = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=list(PROPORTIONS_COLUMNS))
    )
    for c in ("n", "n_dont_know", "n_clusters"):
        out[c] = out[c].astype("int64")
    return out[list(PROPORTIONS_COLUMNS)]
