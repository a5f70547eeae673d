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


# ---------------------------------------------------------------------------------------------
# counties across a county reform (kept apart from the item comparability above)
# ---------------------------------------------------------------------------------------------

#: Columns of a county correspondence file (CSV, one row per old -> new link; codes as text).
CORRESPONDENCE_COLUMNS = ("old_fylkesnummer", "new_fylkesnummer")

_COUNTY_NOTES = {
    "mapped": {
        "nb": "Fylkesinndelingen er endret: {old} ({wave_a}) tilsvarer {new} ({wave_b}).",
        "en": "County borders changed: {old} ({wave_a}) corresponds to {new} ({wave_b}).",
    },
    "unmatched": {
        "nb": "Fylket finnes ikke med samme nummer og navn i begge rundene og er ikke koblet "
        "i en korrespondansefil (ikke sammenlignbart).",
        "en": "The county is not in both waves with the same number and name and no "
        "correspondence file links it (not comparable).",
    },
}


def read_county_correspondence(path) -> pd.DataFrame:
    """Read a county correspondence file: CSV ``old_fylkesnummer,new_fylkesnummer``.

    One row per link from a county of the earlier wave's frame to one of the later wave's (a
    split is several rows with the same old code, a merger several with the same new code).
    Other columns (e.g. the names) are allowed and ignored; ``;``-separated files are read too.

    Raises
    ------
    InputFileError
        A missing column or a code that is not two digits (naming the row and column).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "fylker.csv"
    >>> _ = p.write_text("old_fylkesnummer,new_fylkesnummer\\n30,31\\n30,32\\n")
    >>> read_county_correspondence(p).values.tolist()
    [['30', '31'], ['30', '32']]
    """
    from pathlib import Path

    from analysis.errors import InputFileError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(path, "county correspondence file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot be read as UTF-8 text ({exc})") from None
    import csv
    import io

    first = text.splitlines()[0] if text.strip() else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    if not rows:
        raise InputFileError(path, "empty file: expected columns old_fylkesnummer,new_fylkesnummer")
    header = [h.strip() for h in rows[0]]
    for col in CORRESPONDENCE_COLUMNS:
        if col not in header:
            raise InputFileError(path, f"required column {col!r} is missing")
    idx = [header.index(c) for c in CORRESPONDENCE_COLUMNS]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = []
        for col, i in zip(CORRESPONDENCE_COLUMNS, idx, strict=True):
            code = row[i].strip() if i < len(row) else ""
            if len(code) == 1 and code.isdigit():
                code = "0" + code
            if not (len(code) == 2 and code.isdigit()):
                raise InputFileError(
                    path, f"county code {code!r} is not 2 digits", row=number, column=col
                )
            values.append(code)
        out.append(values)
    return pd.DataFrame(out, columns=list(CORRESPONDENCE_COLUMNS), dtype=object)


def _county_set(counties: pd.DataFrame) -> dict[str, str]:
    """``{fylkesnummer: fylke}`` of a frame or of processed data (rows without a county left out)."""
    c = counties[["fylkesnummer", "fylke"]].dropna().astype(str).drop_duplicates()
    return dict(zip(c["fylkesnummer"], c["fylke"], strict=True))


def county_units(
    counties_a: pd.DataFrame,
    counties_b: pd.DataFrame,
    correspondence: pd.DataFrame | None = None,
    *,
    wave_a: str = "a",
    wave_b: str = "b",
    lang: str = "nb",
) -> pd.DataFrame:
    """Which counties of two waves can be compared, and as what unit.

    A county is compared where both waves classify it the same (same ``fylkesnummer`` and the
    same name ``fylke``), or where a correspondence (:func:`read_county_correspondence`) links
    the earlier wave's county to the later wave's. Linked counties form one comparison unit
    (all counties connected by links, so a split county is compared with the sum of its parts
    and merged counties with the merger). Every other county is **not comparable**.

    Parameters
    ----------
    counties_a, counties_b : DataFrame
        The frames (or processed data) of the earlier and the later wave, with ``fylkesnummer``
        and ``fylke``.
    correspondence : DataFrame, optional
        ``old_fylkesnummer`` (earlier wave) -> ``new_fylkesnummer`` (later wave). Links naming a
        county absent from a frame are ignored.
    wave_a, wave_b : str
        Wave names used in the notes.
    lang : {"nb", "en"}

    Returns
    -------
    DataFrame
        One row per county of either wave: ``wave`` (``wave_a``/``wave_b``), ``fylkesnummer``,
        ``fylke``, ``unit`` (the comparison unit's name, or a name of its own that never
        matches the other wave when not comparable), ``comparable``, ``note``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"fylkesnummer": ["11", "30"], "fylke": ["Rogaland", "Viken"]})
    >>> b = pd.DataFrame({"fylkesnummer": ["11", "31", "32"],
    ...                   "fylke": ["Rogaland", "Østfold", "Akershus"]})
    >>> county_units(a, b, lang="en")[["wave", "fylke", "unit", "comparable"]]
      wave     fylke            unit  comparable
    0    a  Rogaland        Rogaland        True
    1    a     Viken       Viken [a]       False
    2    b  Rogaland        Rogaland        True
    3    b   Østfold     Østfold [b]       False
    4    b  Akershus    Akershus [b]       False
    >>> links = pd.DataFrame({"old_fylkesnummer": ["30", "30"], "new_fylkesnummer": ["31", "32"]})
    >>> county_units(a, b, links, lang="en")["unit"].tolist()
    ['Rogaland', 'Viken', 'Rogaland', 'Viken', 'Viken']
    """
    _check_lang(lang)
    ca, cb = _county_set(counties_a), _county_set(counties_b)
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x, y):
        parent[find(x)] = find(y)

    nodes = [("a", k) for k in ca] + [("b", k) for k in cb]
    for n in nodes:
        find(n)
    for code, name in ca.items():
        if cb.get(code) == name:
            union(("a", code), ("b", code))
    if correspondence is not None:
        for old, new in correspondence[list(CORRESPONDENCE_COLUMNS)].itertuples(index=False):
            if str(old) in ca and str(new) in cb:
                union(("a", str(old)), ("b", str(new)))
    members: dict = {}
    for n in nodes:
        members.setdefault(find(n), []).append(n)
    rows = []
    for side, wave, counties in (("a", wave_a, ca), ("b", wave_b, cb)):
        for code, name in counties.items():
            group = members[find((side, code))]
            olds = [ca[c] for s, c in group if s == "a"]
            news = [cb[c] for s, c in group if s == "b"]
            if olds and news:
                identical = len(olds) == len(news) == 1 and olds == news
                unit = news[0] if len(news) == 1 else olds[0] if len(olds) == 1 else None
                if unit is None:
                    unit = " + ".join(sorted(news))
                note = (
                    ""
                    if identical
                    else _COUNTY_NOTES["mapped"][lang].format(
                        old=" + ".join(olds), new=" + ".join(news), wave_a=wave_a, wave_b=wave_b
                    )
                )
                rows.append((wave, code, name, unit, True, note))
            else:
                rows.append(
                    (wave, code, name, f"{name} [{wave}]", False, _COUNTY_NOTES["unmatched"][lang])
                )
    return pd.DataFrame(
        rows, columns=["wave", "fylkesnummer", "fylke", "unit", "comparable", "note"]
    )


def compare_counties(
    df_a: pd.DataFrame,
    df_b: pd.DataFrame,
    *,
    frame_a: pd.DataFrame | None = None,
    frame_b: pd.DataFrame | None = None,
    correspondence: pd.DataFrame | None = None,
    lang: str = "nb",
    wave_a: str | None = None,
    wave_b: str | None = None,
    **options,
) -> pd.DataFrame:
    """:func:`compare_waves` by county, comparing only counties classified alike in both waves.

    Counties are matched by :func:`county_units` (same number and name, or linked by a
    correspondence); a county without a match is reported with ``comparable`` False, no
    difference and a note saying why, and never merged with a county of the other wave.

    Parameters
    ----------
    df_a, df_b : DataFrame
        The earlier and the later processed wave (with ``fylkesnummer`` and ``fylke``).
    frame_a, frame_b : DataFrame, optional
        The waves' municipality frames (default: the counties seen in the data).
    correspondence : DataFrame, optional
        See :func:`read_county_correspondence`.
    **options
        Passed to :func:`compare_waves` (``scores``, ``items``, ``cluster``, ``alpha`` …).

    Returns
    -------
    DataFrame
        As :func:`compare_waves` with ``group_var`` ``"fylke"`` and ``group`` the comparison
        unit (a split county under its earlier name, e.g. ``Viken``).
    """
    name_a, name_b = _wave_name(df_a, wave_a, "a"), _wave_name(df_b, wave_b, "b")
    units = county_units(
        frame_a if frame_a is not None else df_a,
        frame_b if frame_b is not None else df_b,
        correspondence,
        wave_a=name_a,
        wave_b=name_b,
        lang=lang,
    )
    prepared = []
    for df, name in ((df_a, name_a), (df_b, name_b)):
        u = units[units["wave"] == name].set_index("fylkesnummer")["unit"]
        d = df.copy()
        d["fylke"] = d["fylkesnummer"].astype("string").map(u).astype(object)
        prepared.append(d)
    out = compare_waves(
        prepared[0], prepared[1], by="fylke", lang=lang, wave_a=name_a, wave_b=name_b, **options
    )
    notes = dict(zip(units["unit"], units["note"], strict=True))
    not_comparable = set(units.loc[~units["comparable"], "unit"])
    is_county = out["group_var"] == "fylke"
    bad = is_county & out["group"].isin(not_comparable)
    out.loc[bad, "comparable"] = False
    out.loc[bad, ["diff", "se", "df", "ci_low", "ci_high", "p"]] = np.nan
    extra = [notes.get(g, "") if c else "" for g, c in zip(out["group"], is_county, strict=True)]
    out["note"] = [
        " ".join(x for x in (n, e) if x) if e not in (n or "") else n
        for n, e in zip(out["note"], extra, strict=True)
    ]
    out.attrs["county_units"] = units
    return out
