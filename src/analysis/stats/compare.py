"""Comparing waves: harmonised coding and differences (later minus earlier) with intervals.

Instrument version 2 changed three things (``shared/spec/instrument.md``, "Version 2"):

- ``komp`` gained the row ``digitalt``: it exists only in version 2 and never enters a score
  compared across waves (``kompetanse`` uses the seven rows both versions share);
- ``utleiertype`` codes 2 (bydel) and 3 (kommunalt foretak) merged into 2: :func:`harmonise`
  maps version 1 codes onto version 2's; ``utleierkategori`` means the same in both;
- the ``behov`` option ``beboerrad`` was renamed ``organisering`` (same meaning): processed data
  already store it as ``behov_beboerrad``.

The answers are anonymous, so two waves are independent samples even when the same landlords
answered: the standard error of a difference is ``sqrt(se_a² + se_b²)`` with each wave's own
cluster-robust standard error (:mod:`analysis.stats.estimates`). The interval uses t with
Welch-Satterthwaite degrees of freedom, each wave contributing ``n_clusters - 1``; without
clustering this is exactly Welch's interval.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"kompetanse": [40.0, 50, 60], "instrument_version": 1, "kommunenummer": None})
>>> b = pd.DataFrame({"kompetanse": [55.0, 65, 75], "instrument_version": 2, "kommunenummer": None})
>>> r = compare_waves(a, b, scores=["kompetanse"], items=[])
>>> r[["variable", "estimate_a", "estimate_b", "diff", "comparable"]]
     variable  estimate_a  estimate_b  diff  comparable
0  kompetanse        50.0        65.0  15.0        True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.instrument.codebook import load_codebook
from analysis.stats.models import ensure_scores

#: Scores compared by default (all comparable: they use only rows both versions share).
DEFAULT_SCORES: tuple[str, ...] = ("kompetanse", "holdning", "niva", "forutsetninger", "bredde")

#: Items compared by default: share 4-5 per competence row (``komp_digitalt`` is listed so the
#: table says it is not comparable) and the share wanting each seminar theme.
DEFAULT_ITEMS: tuple[str, ...] = (
    load_codebook(2).question("komp").columns + load_codebook(1).question("behov").columns
)

COMPARE_COLUMNS = (
    "kind",
    "variable",
    "label",
    "group_var",
    "group",
    "wave_a",
    "wave_b",
    "n_a",
    "estimate_a",
    "se_a",
    "n_b",
    "estimate_b",
    "se_b",
    "diff",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p",
    "comparable",
    "note",
)

_NOTES = {
    "digitalt": {
        "nb": "Finnes bare i versjon 2 av skjemaet (ikke sammenlignbart med versjon 1).",
        "en": "Only in version 2 of the questionnaire (not comparable with version 1).",
    },
    "organisering": {
        "nb": "Heter «organisering» i versjon 2 (samme innhold).",
        "en": "Called 'organisering' in version 2 (same meaning).",
    },
    "kompetanse": {
        "nb": "Beregnet av de sju kompetansespørsmålene begge versjoner har.",
        "en": "Computed from the seven competence rows both versions share.",
    },
    "utleiertype": {
        "nb": "Versjon 1-kodene 2 (bydel) og 3 (kommunalt foretak) er slått sammen.",
        "en": "Version 1 codes 2 (city district) and 3 (municipal enterprise) are merged.",
    },
    "storrelse": {
        "nb": "Kommunestørrelse etter hver rundes kommuneregister.",
        "en": "Municipality size from each wave's municipality register.",
    },
    "only_a": {
        "nb": "Gruppen finnes bare i den første runden.",
        "en": "The group is only in the first wave.",
    },
    "only_b": {
        "nb": "Gruppen finnes bare i den siste runden.",
        "en": "The group is only in the last wave.",
    },
}


def _check_lang(lang: str) -> None:
    if lang not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")


def wave_version(df: pd.DataFrame, version: int | None = None) -> int:
    """The instrument version of a processed wave (its ``instrument_version`` column).

    Examples
    --------
    >>> import pandas as pd
    >>> wave_version(pd.DataFrame({"instrument_version": [2, 2]}))
    2
    """
    if "instrument_version" in df.columns:
        v = pd.unique(df["instrument_version"].dropna())
        if len(v) > 1:
            raise ValueError(
                f"the data mix instrument versions {sorted(int(x) for x in v)}: "
                "compare waves one by one"
            )
        if len(v) == 1:
            if version is not None and int(v[0]) != int(version):
                raise ValueError(
                    f"version={version} contradicts the data's instrument_version {int(v[0])}"
                )
            return int(v[0])
    if version is None:
        raise ValueError("the data have no instrument_version column: pass version=")
    return int(version)


def harmonise(
    df: pd.DataFrame,
    *,
    to_version: int = 2,
    version: int | None = None,
    drop_noncomparable: bool = True,
) -> pd.DataFrame:
    """A copy of a processed wave coded for comparison with version ``to_version``.

    Parameters
    ----------
    df : DataFrame
        One processed wave (``docs/processed-data.md``).
    to_version : int
        Only 2 is possible: version 2 codes cannot be split back into version 1's.
    version : int, optional
        The wave's instrument version when ``df`` has no ``instrument_version`` column.
    drop_noncomparable : bool
        Set ``komp_digitalt`` (version 2 only) to NA so nothing compares it across waves.

    Returns
    -------
    DataFrame
        Same rows and columns; ``utleiertype`` of a version 1 wave mapped 1, 2, 3, 4, 5 ->
        1, 2, 2, 4, 5 (``load_codebook(2).harmonise_utleiertype``); ``behov_beboerrad`` is
        already common. ``attrs["harmonised_to"]`` = 2 and ``attrs["changes"]`` lists what
        changed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"utleiertype": pd.array([1, 2, 3, 5], dtype="Int8"), "instrument_version": 1})
    >>> harmonise(df)["utleiertype"].tolist()
    [1, 2, 2, 5]
    """
    if to_version != 2:
        raise ValueError(
            "waves can only be harmonised to version 2 (its codes 2 merge version 1's 2 and 3)"
        )
    v = wave_version(df, version)
    out = df.copy()
    changes: list[str] = []
    if v == 1 and "utleiertype" in out.columns:
        codes = [None if pd.isna(c) else int(c) for c in out["utleiertype"]]
        mapped = load_codebook(2).harmonise_utleiertype(codes)
        unknown = [c for c, m in zip(codes, mapped, strict=True) if c is not None and m is None]
        if unknown:
            raise ValueError(f"utleiertype codes {sorted(set(unknown))} are not codes of version 1")
        out["utleiertype"] = pd.array(
            mapped,
            dtype=df["utleiertype"].dtype
            if pd.api.types.is_integer_dtype(df["utleiertype"])
            else "Int8",
        )
        changes.append("utleiertype: version 1 codes 2 and 3 -> 2")
    if drop_noncomparable and "komp_digitalt" in out.columns:
        out["komp_digitalt"] = pd.array(
            [pd.NA] * len(out),
            dtype=df["komp_digitalt"].dtype
            if pd.api.types.is_integer_dtype(df["komp_digitalt"])
            else "Int8",
        )
        changes.append("komp_digitalt set to NA (version 2 only)")
    out.attrs = {**df.attrs, "harmonised_to": 2, "instrument_version": v, "changes": changes}
    return out


def _success_for(col: str) -> tuple[int, ...]:
    cb = load_codebook(2)
    q, _ = cb.locate(col)
    if q.type == "checkbox" or q.id == "forut":
        return (1,)
    if q.id in ("komp", "hold", "niva"):
        return (4, 5)
    raise ValueError(f"no default success codes for {col!r}: pass success={{'{col}': (...)}}")


def _label(col: str, lang: str) -> str:
    cb = load_codebook(2)
    if col in cb.scores:
        return cb.scores[col].label(lang)
    if col == "niva_maks":
        return cb.scores["niva"].label(lang) + " (maks)"
    if col == "behov_beboerrad":
        return load_codebook(1).label(col, lang)
    try:
        return cb.label(col, lang)
    except KeyError:
        return col


def _wave_name(df: pd.DataFrame, given: str | None, default: str) -> str:
    if given is not None:
        return given
    if "wave" in df.columns:
        w = pd.unique(df["wave"].dropna())
        if len(w) == 1:
            return str(w[0])
    return default


def _prepare_items(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    """Apply the checkbox answered-question rule (stray NA -> 0) to checkbox items."""
    from analysis.stats.themes import checkbox_block

    cb = load_codebook(1)
    questions = set()
    for c in items:
        try:
            q, _ = cb.locate(c)
        except KeyError:
            continue
        if q.type == "checkbox":
            questions.add(q.id)
    if not questions:
        return df
    out = df.copy()
    for qid in questions:
        block, _ = checkbox_block(df, qid)
        for c in block.columns:
            out[c] = block[c]
    return out


def _difference(a: pd.DataFrame, b: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Outer-merge two estimate tables on (variable, group_var, group) and difference them."""
    keys = ["variable", "group_var", "group"]
    cols = keys + ["n", "estimate", "se", "n_clusters"]
    m = pd.merge(a[cols], b[cols], on=keys, how="outer", suffixes=("_a", "_b"), sort=False)
    # keep the estimators' row order (variable, total first, groups in category order): rows of
    # wave a first, then groups only wave b has
    order: dict = {}
    for k in pd.concat([a[keys], b[keys]]).itertuples(index=False, name=None):
        order.setdefault(k, len(order))
    m = m.iloc[
        np.argsort([order[k] for k in m[keys].itertuples(index=False, name=None)], kind="stable")
    ]
    m = m.reset_index(drop=True)
    se_a = m["se_a"].to_numpy(dtype="float64", na_value=np.nan)
    se_b = m["se_b"].to_numpy(dtype="float64", na_value=np.nan)
    ea = m["estimate_a"].to_numpy(dtype="float64", na_value=np.nan)
    eb = m["estimate_b"].to_numpy(dtype="float64", na_value=np.nan)
    da = m["n_clusters_a"].to_numpy(dtype="float64", na_value=np.nan) - 1
    db = m["n_clusters_b"].to_numpy(dtype="float64", na_value=np.nan) - 1
    va, vb = se_a**2, se_b**2
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / da + vb**2 / db)
        # both variances 0 (e.g. a share of 0 % in both waves): no information, no interval
        dof = np.where((va + vb) > 0, dof, np.nan)
        diff = eb - ea
        tq = stats.t.ppf(1 - alpha / 2, dof)
        t = diff / se
        p = 2 * stats.t.sf(np.abs(t), dof)
    m["estimate_a"], m["estimate_b"], m["se_a"], m["se_b"] = ea, eb, se_a, se_b
    m["diff"] = diff
    m["se"] = se
    m["df"] = dof
    m["ci_low"] = diff - tq * se
    m["ci_high"] = diff + tq * se
    m["p"] = p
    for c in ("n_a", "n_b"):
        m[c] = m[c].astype("Int64")
    return m


def compare_waves(
    df_a: pd.DataFrame,
    df_b: pd.DataFrame,
    *,
    scores: Sequence[str] = DEFAULT_SCORES,
    items: Sequence[str] = DEFAULT_ITEMS,
    by: str | Sequence[str] | None = None,
    success: Mapping[str, Sequence[int]] | None = None,
    cluster: str | None = "kommunenummer",
    alpha: float = 0.05,
    lang: str = "nb",
    wave_a: str | None = None,
    wave_b: str | None = None,
) -> pd.DataFrame:
    """Differences between two waves (``b - a``) in mean scores and item shares.

    Parameters
    ----------
    df_a, df_b : DataFrame
        Two processed waves, ``a`` the earlier. Each is harmonised (:func:`harmonise`) and
        scored with its own instrument version when score columns are missing.
    scores : sequence of str
        Score columns compared as means.
    items : sequence of str
        Item columns compared as shares of ``success`` codes among substantive answers:
        (4, 5) for ``komp_*``, ``hold_*`` and ``niva_*``, (1,) for checkbox options (among
        respondents who answered the question) and ``forut_*``.
    by : str or list of str, optional
        Grouping variables (e.g. ``"utleierkategori"``); the total row always comes first.
    success : mapping, optional
        Success codes per item, overriding the defaults.
    cluster : str or None
        Cluster column for each wave's standard errors (see :mod:`analysis.stats.estimates`).
    alpha : float
        1 - confidence level.
    lang : {"nb", "en"}
        Language of ``label``, ``note`` and the total row's group name.
    wave_a, wave_b : str, optional
        Wave names for the output (default: the ``wave`` column, else "a"/"b").

    Returns
    -------
    DataFrame
        ``kind ("score"|"share"), variable, label, group_var, group, wave_a, wave_b, n_a,
        estimate_a, se_a, n_b, estimate_b, se_b, diff (b - a), se, df, ci_low, ci_high, p,
        comparable, note``. A row is **not comparable** (``comparable`` False; ``diff`` and its
        interval NA) when the variable exists in only one wave (``komp_digitalt`` against a
        version 1 wave) or the group has answers in only one wave. ``note`` also states
        comparable caveats (the renamed theme ``organisering``, ``kompetanse`` from the
        shared rows, merged ``utleiertype`` codes, size classes from each wave's register).

    Notes
    -----
    Assumes independent samples (anonymous answers). Missing-data rules are those of
    :func:`analysis.stats.estimates.group_means` / ``group_proportions`` (complete cases per
    variable; code 9 never in a denominator) and of :mod:`analysis.stats.themes` for checkbox items.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"komp_mote": [4, 2, 5, 3], "instrument_version": 1, "kommunenummer": None})
    >>> b = pd.DataFrame({"komp_mote": [4, 5, 5, 1], "komp_digitalt": [2, 4, 5, 9],
    ...                   "instrument_version": 2, "kommunenummer": None})
    >>> a["komp_digitalt"] = pd.array([pd.NA] * 4, dtype="Int8")
    >>> r = compare_waves(a, b, scores=[], items=["komp_mote", "komp_digitalt"], lang="en")
    >>> r[["variable", "estimate_a", "estimate_b", "diff", "comparable"]]
            variable  estimate_a  estimate_b  diff  comparable
    0      komp_mote         0.5    0.750000  0.25        True
    1  komp_digitalt         NaN    0.666667   NaN       False
    """
    _check_lang(lang)
    va, vb = wave_version(df_a), wave_version(df_b)
    name_a, name_b = _wave_name(df_a, wave_a, "a"), _wave_name(df_b, wave_b, "b")
    by_list = [by] if isinstance(by, str) else list(by or [])
    scores, items = list(scores), list(items)
    success = dict(success or {})
    prepared = []
    for df in (df_a, df_b):
        d = ensure_scores(df, scores)
        d = harmonise(d, drop_noncomparable=False)
        d = _prepare_items(d, items)
        prepared.append(d)
    da, db = prepared
    parts = []
    if scores:
        from analysis.stats.estimates import group_means

        for s in scores:
            for d in (da, db):
                if s not in d.columns:
                    raise ValueError(f"score {s!r} not in the data")
        ma = group_means(da, scores, by_list or None, cluster=cluster, alpha=alpha, lang=lang)
        mb = group_means(db, scores, by_list or None, cluster=cluster, alpha=alpha, lang=lang)
        m = _difference(ma, mb, alpha)
        m.insert(0, "kind", "score")
        parts.append(m)
    if items:
        from analysis.stats.estimates import group_proportions

        for item in items:
            codes = tuple(success.get(item, _success_for(item)))
            one = []
            for d in (da, db):
                if item in d.columns and d[item].notna().any():
                    one.append(
                        group_proportions(
                            d,
                            item,
                            by_list or None,
                            success=codes,
                            cluster=cluster,
                            alpha=alpha,
                            lang=lang,
                        )
                    )
                else:
                    one.append(
                        pd.DataFrame(
                            columns=[
                                "variable",
                                "group_var",
                                "group",
                                "n",
                                "estimate",
                                "se",
                                "n_clusters",
                            ]
                        )
                    )
            m = _difference(one[0], one[1], alpha)
            m.insert(0, "kind", "share")
            parts.append(m)
    if not parts:
        return pd.DataFrame(columns=list(COMPARE_COLUMNS))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    comparable, notes = [], []
    for _, r in out.iterrows():
        ok, note = True, []
        var = r["variable"]
        if var == "komp_digitalt" and (va != 2 or vb != 2):
            ok = False
            note.append(_NOTES["digitalt"][lang])
        if pd.isna(r["n_a"]) or pd.isna(r["n_b"]):
            ok = False
            if var != "komp_digitalt" or (va == 2 and vb == 2):
                note.append(_NOTES["only_b" if pd.isna(r["n_a"]) else "only_a"][lang])
        if va != vb:
            if var == "behov_beboerrad":
                note.append(_NOTES["organisering"][lang])
            if var == "kompetanse":
                note.append(_NOTES["kompetanse"][lang])
            if r["group_var"] == "utleiertype" and 1 in (va, vb):
                note.append(_NOTES["utleiertype"][lang])
        if r["group_var"] == "storrelse":
            note.append(_NOTES["storrelse"][lang])
        comparable.append(ok)
        notes.append(" ".join(note))
    out["comparable"] = comparable
    out["note"] = notes
    nc = ~out["comparable"].to_numpy(bool)
    out.loc[nc, ["diff", "se", "df", "ci_low", "ci_high", "p"]] = np.nan
    out["label"] = [_label(v, lang) for v in out["variable"]]
    out["wave_a"], out["wave_b"] = name_a, name_b
    out = out[list(COMPARE_COLUMNS)]
    out.attrs = {"wave_a": name_a, "wave_b": name_b, "version_a": va, "version_b": vb}
    return out
