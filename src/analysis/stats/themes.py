"""Seminar themes, formats and barriers: checkbox shares, the most important theme, rankings.

The survey chooses the themes of a seminar series (the question with role ``themes``), the
preferred formats (``formats``) and names barriers (``barriers``); all are checkbox questions
(0/1 per option). Which question plays which role is declared in the instrument.

Missing-data rule
-----------------
A respondent **answered** a checkbox question when at least one of its options is not NA
(``docs/processed-data.md``: all options are NA when the question was not answered). Shares are
among respondents who answered. A stray NA in one option of an answered question counts as "not
chosen" (the rule of a ``count_checked`` score). Shares of the most important theme (role
``most_important_theme``) are among respondents with a theme code (blank when none was chosen).

Uncertainty
-----------
Shares and their intervals come from :func:`analysis.stats.estimates.group_proportions`
(``success=(1,)``): cluster-robust linearised variance with municipal units clustered by
``kommunenummer`` (rule of :func:`analysis.stats.models.cluster_ids`) and a Wilson interval on the
effective sample size. Rankings use a cluster bootstrap; differences between low-competence
respondents and the rest use :func:`analysis.stats.models.linearised_difference`.

Examples
--------
>>> import pandas as pd
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> formats = cb.question_for("formats")
>>> rows = [[1, 0, 0, 0, 1], [0, 0, 1, 0, 0], [1, 1, None, 0, 0], [None] * 5]
>>> df = pd.DataFrame(rows, columns=cb.question(formats).columns).assign(kommunenummer=None)
>>> checkbox_shares(df, formats, lang="en")[["option", "label", "n", "estimate"]].round(3)
     option     label  n  estimate
0   seminar   Seminar  3     0.667
1      kurs    Course  3     0.333
2  nettverk   Network  3     0.333
3  veileder     Guide  3     0.000
4  elaering  E-learning  3     0.333
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.instrument.codebook import codebook_for
from analysis.lang import check_lang
from analysis.stats.models import cluster_ids, ensure_scores, linearised_difference

SHARE_COLUMNS = (
    "question",
    "variable",
    "option",
    "label",
    "group_var",
    "group",
    "n",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "n_clusters",
)
IMPORTANT_COLUMNS = (
    "code",
    "variable",
    "theme",
    "label",
    "group_var",
    "group",
    "n",
    "count",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "n_clusters",
)
RANKING_COLUMNS = (
    "rank",
    "variable",
    "option",
    "label",
    "n",
    "share",
    "share_ci_low",
    "share_ci_high",
    "median_rank",
    "rank_low",
    "rank_high",
    "p_first",
    "n_clusters",
    "n_boot",
)
LOW_COMPETENCE_COLUMNS = (
    "variable",
    "option",
    "label",
    "n_low",
    "share_low",
    "n_rest",
    "share_rest",
    "diff",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "n_clusters",
    "rank_low",
)

#: Default seed of :func:`theme_ranking` (the project's demo seed).
DEFAULT_SEED = 20221115


def checkbox_block(df: pd.DataFrame, question: str) -> tuple[pd.DataFrame, np.ndarray]:
    """The 0/1 option block of a checkbox question under the missing-data rule.

    Returns
    -------
    (DataFrame, ndarray of bool)
        The options as float (NaN for every option of a respondent who did not answer; a stray
        NA of an answered question becomes 0) and the mask of respondents who answered.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> formats = cb.question_for("formats")
    >>> df = pd.DataFrame([[1, None, 0, 0, 0], [None] * 5], columns=cb.question(formats).columns)
    >>> block, answered = checkbox_block(df, formats)
    >>> block.iloc[0].tolist(), answered.tolist()
    ([1.0, 0.0, 0.0, 0.0, 0.0], [True, False])
    """
    q = codebook_for(df).question(question)
    if q.type != "checkbox":
        raise ValueError(f"{question!r} is not a checkbox question")
    cols = list(q.columns)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"options of {question!r} missing from the data: {', '.join(missing)}")
    x = np.column_stack(
        [pd.to_numeric(df[c]).to_numpy(dtype="float64", na_value=np.nan) for c in cols]
    )
    bad = ~np.isnan(x) & ~np.isin(x, (0.0, 1.0))
    if bad.any():
        j = int(np.flatnonzero(bad.any(axis=0))[0])
        raise ValueError(f"column {cols[j]}: checkbox values must be 0, 1 or NA")
    answered = (~np.isnan(x)).any(axis=1)
    x = np.where(answered[:, None], np.nan_to_num(x, nan=0.0), np.nan)
    return pd.DataFrame(x, columns=cols, index=df.index), answered


def checkbox_shares(
    df: pd.DataFrame,
    question: str,
    *,
    by: str | Sequence[str] | None = None,
    lang: str = "nb",
    cluster: str | None = "kommunenummer",
    weights=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share choosing each option of a checkbox question, overall and by groups.

    Parameters
    ----------
    df : DataFrame
        Processed responses.
    question : str
        The id of a checkbox question of the data's instrument.
    by : str or list of str, optional
        Grouping variables (e.g. ``"utleierkategori"``); the total row always comes first.
    lang : {"nb", "en"}
        Language of ``label`` and of the total row's group name.
    cluster, weights, design, frame, alpha
        Passed to :func:`analysis.stats.estimates.group_proportions`.

    Returns
    -------
    DataFrame
        ``question, variable, option, label, group_var, group, n, estimate, se, ci_low, ci_high,
        deff, n_clusters``: per option the total row then the groups. ``n`` counts respondents
        who answered the question (see the module's missing-data rule). ``attrs["n_answered"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> barriers = cb.question_for("barriers")
    >>> rows = [[1, 1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]]
    >>> df = pd.DataFrame(rows, columns=cb.question(barriers).columns)
    >>> r = checkbox_shares(df, barriers, cluster=None)
    >>> r.loc[r["option"] == "ressurser", ["label", "n", "estimate"]]
                    label  n  estimate
    1  Mangel på ressurser  2       1.0
    """
    from analysis.stats.estimates import group_proportions

    check_lang(lang)
    block, answered = checkbox_block(df, question)
    others = [c for c in df.columns if c not in block.columns]
    d = pd.concat([df[others], block], axis=1)
    res = group_proportions(
        d,
        list(block.columns),
        by,
        success=(1,),
        cluster=cluster,
        weights=weights,
        design=design,
        frame=frame,
        alpha=alpha,
        lang=lang,
    )
    cb = codebook_for(df)
    prefix = len(question) + 1
    res.insert(0, "question", question)
    res.insert(2, "option", [v[prefix:] for v in res["variable"]])
    res.insert(3, "label", [cb.label(v, lang) for v in res["variable"]])
    out = res[list(SHARE_COLUMNS)].reset_index(drop=True)
    out.attrs = {"question": question, "n_answered": int(answered.sum())}
    return out


def theme_shares(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    lang: str = "nb",
    cluster: str | None = "kommunenummer",
    weights=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share wanting each seminar theme: :func:`checkbox_shares` of the ``themes`` question.

    A theme renamed in a later version keeps the id it first had, so the waves line up.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> cols = cb.question(cb.question_for("themes")).columns
    >>> df = pd.DataFrame([[1, 0, 0, 0, 0, 0, 0, 1], [1, 1, 0, 0, 0, 0, 0, 0], [None] * 8], columns=cols)
    >>> theme_shares(df, cluster=None)[["option", "n", "estimate"]].head(2)
            option  n  estimate
    0      metoder  2       1.0
    1  inkludering  2       0.5
    """
    return checkbox_shares(
        df,
        codebook_for(df).question_for("themes"),
        by=by,
        lang=lang,
        cluster=cluster,
        weights=weights,
        design=design,
        frame=frame,
        alpha=alpha,
    )


def most_important(
    df: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    lang: str = "nb",
    cluster: str | None = "kommunenummer",
    weights=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Distribution of the most important theme (role ``most_important_theme``: codes 1..k in
    the order of the ``themes`` options).

    Parameters
    ----------
    df : DataFrame
        Processed responses.
    by, lang, cluster, weights, design, frame, alpha
        As in :func:`checkbox_shares`.

    Returns
    -------
    DataFrame
        ``code, variable, theme, label, group_var, group, n, count, estimate, se, ci_low,
        ci_high, deff, n_clusters``: per code the total row then the groups; ``theme`` is the
        matching theme column, ``n`` the respondents with a theme code in the group,
        ``count`` how many of them chose this code (unweighted).

    Notes
    -----
    Missing-data rule: NA (no theme chosen, or the question not reached) is left out of the
    denominator; codes outside 1-8 raise ``ValueError``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> df = pd.DataFrame({cb.question_for("most_important_theme"): [1, 1, 3, None]})
    >>> most_important(df, cluster=None)[["code", "n", "count", "estimate"]].head(3).round(3)
       code  n  count  estimate
    0     1  3      2     0.667
    1     2  3      0     0.000
    2     3  3      1     0.333
    """
    from analysis.stats.estimates import group_proportions

    check_lang(lang)
    cb = codebook_for(df)
    col = cb.question_for("most_important_theme")
    if col not in df.columns:
        raise ValueError(f"column {col!r} not in the data")
    x = pd.to_numeric(df[col]).to_numpy(dtype="float64", na_value=np.nan)
    themes = cb.question(cb.question_for("themes")).columns
    codes = np.arange(1, len(themes) + 1)
    bad = ~np.isnan(x) & ~np.isin(x, codes)
    if bad.any():
        raise ValueError(f"column {col}: codes outside 1-{len(themes)} ({sorted(set(x[bad]))})")
    parts = []
    for k, theme in zip(codes, themes, strict=True):
        r = group_proportions(
            df,
            col,
            by,
            success=(int(k),),
            cluster=cluster,
            weights=weights,
            design=design,
            frame=frame,
            alpha=alpha,
            lang=lang,
        )
        counts = []
        for gv, g in zip(r["group_var"], r["group"], strict=True):
            mask = np.ones(len(df), bool)
            if gv != "total":
                mask = (df[gv].astype("string") == g).fillna(False).to_numpy(bool)
            counts.append(int(((x == k) & mask).sum()))
        r.insert(0, "code", int(k))
        r.insert(2, "theme", theme)
        r.insert(3, "label", cb.label(theme, lang))
        r["count"] = counts
        parts.append(r)
    out = pd.concat(parts, ignore_index=True)
    return out[list(IMPORTANT_COLUMNS)]


def theme_ranking(
    df: pd.DataFrame,
    *,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    cluster: str | None = "kommunenummer",
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """Seminar themes ranked by share, with cluster-bootstrap intervals of the ranks.

    Parameters
    ----------
    df : DataFrame
        Processed responses.
    n_boot : int
        Bootstrap replicates.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same table.
    cluster : str or None
        Resampling unit: clusters of :func:`analysis.stats.models.cluster_ids` (municipalities for
        municipal units, single respondents otherwise) are drawn with replacement.
    alpha : float
        The intervals are the alpha/2 and 1 - alpha/2 percentiles of the replicates.
    lang : {"nb", "en"}

    Returns
    -------
    DataFrame
        Sorted by ``rank`` (1 = most wanted; ties share the average rank): ``rank, variable,
        option, label, n, share, share_ci_low, share_ci_high, median_rank, rank_low, rank_high,
        p_first, n_clusters, n_boot``; ``p_first`` is the share of replicates in which the
        theme ranks first (alone or tied).

    Notes
    -----
    Unweighted; the bootstrap treats the clusters as an unstratified simple random sample.
    Each replicate draws cluster multiplicities from Multinomial(C, 1/C) and recomputes every
    share as (sum of cluster counts) / (sum of cluster sizes) in one matrix product, so 2000
    replicates of a few hundred rows take milliseconds. Missing-data rule: respondents who
    did not answer the themes question are left out.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> cols = cb.question(cb.question_for("themes")).columns
    >>> rng = np.random.default_rng(0)
    >>> p = np.linspace(0.8, 0.1, 8)
    >>> df = pd.DataFrame((rng.random((300, 8)) < p).astype(int), columns=cols)
    >>> r = theme_ranking(df, n_boot=200, cluster=None)
    >>> r["option"].iloc[0], int(r["rank_high"].iloc[0])
    ('metoder', 1)
    """
    check_lang(lang)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    cb = codebook_for(df)
    themes = cb.question_for("themes")
    block, answered = checkbox_block(df, themes)
    Y = block.to_numpy()[answered]
    cols = list(block.columns)
    if len(Y) == 0:
        raise ValueError(f"no respondent answered the {themes} question")
    cl = cluster_ids(df.loc[answered], cluster)
    C = int(cl.max()) + 1
    m = np.bincount(cl, minlength=C).astype("float64")
    S = np.column_stack([np.bincount(cl, weights=Y[:, j], minlength=C) for j in range(Y.shape[1])])
    share = S.sum(axis=0) / m.sum()
    rank = stats.rankdata(-share, method="average")
    rng = np.random.default_rng(seed)
    W = rng.multinomial(C, np.full(C, 1.0 / C), size=n_boot).astype("float64")
    shares_b = (W @ S) / (W @ m)[:, None]
    ranks_b = stats.rankdata(-shares_b, axis=1, method="average")
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    s_lo, s_hi = np.percentile(shares_b, q, axis=0)
    r_lo, r_hi = np.percentile(ranks_b, q, axis=0)
    out = pd.DataFrame(
        {
            "rank": rank,
            "variable": cols,
            "option": [c[len(themes) + 1 :] for c in cols],
            "label": [cb.label(c, lang) for c in cols],
            "n": int(len(Y)),
            "share": share,
            "share_ci_low": s_lo,
            "share_ci_high": s_hi,
            "median_rank": np.median(ranks_b, axis=0),
            "rank_low": r_lo,
            "rank_high": r_hi,
            "p_first": (ranks_b <= 1.0).mean(axis=0),
            "n_clusters": C,
            "n_boot": int(n_boot),
        }
    )
    out = out.sort_values(["rank", "variable"], kind="stable").reset_index(drop=True)
    out.attrs = {"seed": seed, "n_boot": int(n_boot), "alpha": alpha}
    return out[list(RANKING_COLUMNS)]


def low_competence_needs(
    df: pd.DataFrame,
    *,
    threshold: float | None = None,
    quantile: float = 1 / 3,
    cluster: str | None = "kommunenummer",
    alpha: float = 0.05,
    lang: str = "nb",
) -> pd.DataFrame:
    """Themes wanted by respondents with low competence compared with the rest.

    Parameters
    ----------
    df : DataFrame
        Processed responses; the competence score (role ``competence``) is computed when
        missing.
    threshold : float, optional
        Low competence means a competence score ``<= threshold`` (0-100 scale).
    quantile : float
        Used when ``threshold`` is None: the cut is the ``quantile`` of the score among the
        respondents with a score (``numpy.nanquantile``, linear interpolation), i.e. by default
        the lowest tertile, the same cut as :func:`analysis.render.plots.plot_low_competence_needs`.
    cluster : str or None
        Cluster column for the standard errors (rule of :func:`analysis.stats.models.cluster_ids`).
    alpha : float
        1 - confidence level.
    lang : {"nb", "en"}

    Returns
    -------
    DataFrame
        One row per theme in questionnaire order: ``variable, option, label, n_low, share_low,
        n_rest, share_rest, diff (low - rest), se, ci_low, ci_high, p, n_clusters, rank_low``
        (``rank_low``: rank of the theme among the low-competence group, 1 = most wanted).
        ``attrs["cut"]`` is the competence cut used.

    Notes
    -----
    The two groups share municipalities, so the standard error of the difference is the
    linearised cluster-robust one of :func:`analysis.stats.models.linearised_difference` (t with
    n_clusters - 1 df). Missing-data rule: respondents without a competence score or who
    did not answer the themes question are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> cols = cb.question(cb.question_for("themes")).columns
    >>> df = pd.DataFrame([[1, 0, 0, 0, 0, 0, 0, 0]] * 3 + [[0, 0, 0, 0, 0, 0, 0, 1]] * 3, columns=cols)
    >>> df[cb.score_for("competence")] = [10.0, 20, 25, 70, 80, 90]
    >>> r = low_competence_needs(df, threshold=50, cluster=None)
    >>> r.loc[[0, 7], ["option", "n_low", "share_low", "share_rest", "diff"]]
              option  n_low  share_low  share_rest  diff
    0        metoder      3        1.0         0.0   1.0
    7  bomiljotiltak      3        0.0         1.0  -1.0
    """
    check_lang(lang)
    cb = codebook_for(df)
    score, themes = cb.score_for("competence"), cb.question_for("themes")
    df = ensure_scores(df, [score])
    block, answered = checkbox_block(df, themes)
    k = pd.to_numeric(df[score]).to_numpy(dtype="float64", na_value=np.nan)
    use = answered & ~np.isnan(k)
    if not use.any():
        raise ValueError(f"no respondent with both a {score} score and an answer to {themes}")
    if threshold is None:
        if not 0 < quantile < 1:
            raise ValueError("quantile must be strictly between 0 and 1")
        cut = float(np.nanquantile(k, quantile))
    else:
        cut = float(threshold)
    low = use & (k <= cut)
    rest = use & (k > cut)
    clusters = cluster_ids(df, cluster)
    rows = []
    for c in block.columns:
        y = np.where(use, block[c].to_numpy(), np.nan)
        r = linearised_difference(y, low, rest, clusters, alpha=alpha)
        rows.append(
            {
                "variable": c,
                "option": c[len(themes) + 1 :],
                "label": cb.label(c, lang),
                "n_low": r["n_a"],
                "share_low": r["mean_a"],
                "n_rest": r["n_b"],
                "share_rest": r["mean_b"],
                "diff": r["diff"],
                "se": r["se"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "p": r["p"],
                "n_clusters": r["n_clusters"],
            }
        )
    out = pd.DataFrame(rows)
    out["rank_low"] = stats.rankdata(-out["share_low"].fillna(-1.0).to_numpy(), method="average")
    out.attrs = {
        "cut": cut,
        "threshold": threshold,
        "quantile": None if threshold is not None else quantile,
    }
    return out[list(LOW_COMPETENCE_COLUMNS)]
