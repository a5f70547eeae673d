"""Comparing waves: harmonised coding and differences (later minus earlier) with intervals.

What two waves share is derived from their instruments (:mod:`analysis.instrument.compare`),
for ANY two versions: columns are matched by their canonical id (a renamed option keeps its id
and is compared, with a note); a question recoded between the versions is compared after the
earlier codes are mapped onto the later coding (:func:`harmonise`); a column only one version
asks is **not asked** in the other wave and never compared; a score is compared on the items
both versions use for it (e.g. a competence row added later stays out).

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

from analysis.instrument.codebook import Codebook, codebook_for, load_codebook
from analysis.instrument.compare import item_comparability, recode_between, shared_score_items
from analysis.instrument.labels import variable_label
from analysis.lang import check_lang, table
from analysis.stats.models import ensure_scores

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

_NOTES = table("compare_notes")


def default_items(ca: Codebook, cb: Codebook) -> list[str]:
    """Items compared by default: the rows of the competence question and the options of the
    themes question, of either version (a row only one version asks is listed, not compared)."""
    out: list[str] = []
    for role in ("competence", "themes"):
        for c in (ca, cb):
            try:
                out.extend(c.question(c.question_for(role)).columns)
            except KeyError:
                continue
    return list(dict.fromkeys(out))


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
    to: int | Codebook | None = None,
    version: int | None = None,
) -> pd.DataFrame:
    """A copy of a processed wave with its codes mapped onto the coding of version ``to``.

    Parameters
    ----------
    df : DataFrame
        One processed wave (``docs/processed-data.md``).
    to : int or Codebook, optional
        The version to compare with (default: the newest packaged version). Every question
        that version recoded since the wave's version is mapped (codes cannot be split back, so
        ``to`` must be the later version for those questions).
    version : int, optional
        The wave's instrument version when ``df`` has no ``instrument_version`` column.

    Returns
    -------
    DataFrame
        Same rows and columns, recoded questions mapped; ``attrs["harmonised_to"]`` and
        ``attrs["changes"]`` say what changed.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> df = pd.DataFrame({cb.category_source: pd.array([1, 2, 3, 5], dtype="Int8"),
    ...                    "instrument_version": 1})
    >>> harmonise(df, to=2)[cb.category_source].tolist()
    [1, 2, 2, 5]
    """
    from analysis.instrument.codebook import available_versions

    v = wave_version(df, version)
    ca = load_codebook(v)
    target = to if isinstance(to, Codebook) else load_codebook(to or available_versions()[-1])
    out = df.copy()
    changes: list[str] = []
    for qid in ca.questions:
        if qid not in target.questions or ca.questions[qid].type not in ("single", "matrix"):
            continue
        rec = recode_between(ca, target, qid)
        if rec is None:
            continue
        side, mapping = rec
        if side != "a":
            raise ValueError(
                f"{qid}: version {v} codes cannot be mapped onto version {target.version}'s "
                f"(codes were merged): harmonise the earlier wave to the later one"
            )
        for col in ca.questions[qid].columns:
            if col not in out.columns:
                continue
            codes = [None if pd.isna(c) else int(c) for c in out[col]]
            mapped = [None if c is None else mapping.get(c) for c in codes]
            unknown = sorted(
                {c for c, m in zip(codes, mapped, strict=True) if c is not None and m is None}
            )
            if unknown:
                raise ValueError(f"{col} codes {unknown} are not codes of version {v}")
            out[col] = pd.array(
                mapped,
                dtype=df[col].dtype if pd.api.types.is_integer_dtype(df[col]) else "Int8",
            )
        merged = {k: m for k, m in mapping.items() if list(mapping.values()).count(m) > 1}
        changes.append(f"{qid}: version {v} codes mapped onto version {target.version}'s {merged}")
    out.attrs = {
        **df.attrs,
        "harmonised_to": target.version,
        "instrument_version": v,
        "changes": changes,
    }
    return out


def _success_for(col: str, cb: Codebook) -> tuple[int, ...]:
    """Default success codes of an item: 1 for a checkbox option, a count score's code, else
    the top two substantive codes of a scale with at least four."""
    q, _ = cb.locate(col)
    if q.type == "checkbox":
        return (1,)
    for s in cb.scores.values():
        if s.question == q.id and s.method == "count_code":
            return (int(s.code),)
    subst = q.substantive_codes
    if len(subst) >= 4:
        return tuple(subst[-2:])
    raise ValueError(f"no default success codes for {col!r}: pass success={{'{col}': (...)}}")


def _label(col: str, lang: str, ca: Codebook, cb: Codebook) -> str:
    return variable_label(
        col, lang, codebook=cb if cb.has_column(col) or col in cb.score_columns else ca
    )


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

    cb = codebook_for(df)
    questions = set()
    for c in items:
        try:
            q, _ = cb.locate(c)
        except KeyError:
            continue
        if q.type == "checkbox" and all(c in df.columns for c in q.columns):
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
    scores: Sequence[str] | None = None,
    items: Sequence[str] | None = None,
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
    scores : sequence of str, optional
        Scores compared as means (default: every score of either version). A score is
        computed in each wave from the items both versions use for it.
    items : sequence of str, optional
        Item columns compared as shares of ``success`` codes among substantive answers
        (default :func:`default_items`): the top two codes of a scale of four or more, a count
        score's code, 1 for checkbox options (among respondents who answered the question).
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
        interval NA) when one wave's version did not ask the item ("not asked"), the score is
        built differently, or the group has answers in only one wave. ``note`` also states the
        comparable caveats (a renamed option, a score from the shared items, merged codes,
        size classes from each wave's register).

    Notes
    -----
    Assumes independent samples (anonymous answers). Missing-data rules are those of
    :func:`analysis.stats.estimates.group_means` / ``group_proportions`` (complete cases per
    variable; code 9 never in a denominator) and of :mod:`analysis.stats.themes` for checkbox items.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> v1, v2 = load_codebook(1), load_codebook(2)
    >>> shared = v1.role_columns("competence")[0]                         # asked in both versions
    >>> new = (set(v2.role_columns("competence")) - set(v1.role_columns("competence"))).pop()
    >>> a = pd.DataFrame({shared: [4, 2, 5, 3], "instrument_version": 1, "kommunenummer": None})
    >>> b = pd.DataFrame({shared: [4, 5, 5, 1], new: [2, 4, 5, 9],
    ...                   "instrument_version": 2, "kommunenummer": None})
    >>> r = compare_waves(a, b, scores=[], items=[shared, new], lang="en")
    >>> r[["estimate_a", "estimate_b", "diff", "comparable"]]        # share answering 4 or 5
       estimate_a  estimate_b  diff  comparable
    0         0.5    0.750000  0.25        True
    1         NaN    0.666667   NaN       False
    """
    check_lang(lang)
    va, vb = wave_version(df_a), wave_version(df_b)
    ca, cbb = codebook_for(df_a), codebook_for(df_b)
    name_a, name_b = _wave_name(df_a, wave_a, "a"), _wave_name(df_b, wave_b, "b")
    by_list = [by] if isinstance(by, str) else list(by or [])
    if scores is None:
        scores = [s for s in dict.fromkeys((*ca.score_columns, *cbb.score_columns))]
    scores = list(scores)
    items = default_items(ca, cbb) if items is None else list(items)
    success = dict(success or {})
    status = item_comparability(ca, cbb).set_index("column")
    shared = {s: shared_score_items(ca, cbb, s) for s in scores}

    # the earlier wave's codes onto the later coding (or the reverse when only that is recorded)
    da, db = df_a, df_b
    recoded: dict[str, dict[int, int]] = {}
    for qid in set(ca.questions) & set(cbb.questions):
        if ca.questions[qid].type not in ("single", "matrix"):
            continue
        try:
            rec = recode_between(ca, cbb, qid)
        except ValueError:
            continue
        if rec is None:
            continue
        if rec[0] == "a":
            da = harmonise(da, to=cbb)
        else:
            db = harmonise(db, to=ca)
        recoded[qid] = rec[1]

    prepared = []
    for df, c in ((da, ca), (db, cbb)):
        d = df
        own = [s for s in scores if s in c.score_columns]
        # a score whose items differ between the versions is recomputed on the shared items
        keep = {
            s: shared[s]
            for s in own
            if shared[s] is not None and tuple(shared[s]) != tuple(c.score_items(s))
        }
        d = ensure_scores(d, [s for s in own if s not in keep])
        if keep:
            from analysis.stats.scoring import score_responses

            sc = score_responses(d, codebook=c, items=keep)[list(keep)]
            d = pd.concat([d.drop(columns=[x for x in sc.columns if x in d.columns]), sc], axis=1)
        d = _prepare_items(d, items)
        prepared.append(d)
    da, db = prepared
    empty = pd.DataFrame(
        columns=["variable", "group_var", "group", "n", "estimate", "se", "n_clusters"]
    )
    parts = []
    if scores:
        from analysis.stats.estimates import group_means

        for s in scores:
            one = []
            for d in (da, db):
                if s in d.columns:
                    one.append(
                        group_means(
                            d, [s], by_list or None, cluster=cluster, alpha=alpha, lang=lang
                        )
                    )
                else:
                    one.append(empty)
            m = _difference(one[0], one[1], alpha)
            m.insert(0, "kind", "score")
            parts.append(m)
    if items:
        from analysis.stats.estimates import group_proportions

        for item in items:
            c = cbb if cbb.has_column(item) else ca
            codes = tuple(success.get(item, _success_for(item, c)))
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
                    one.append(empty)
            m = _difference(one[0], one[1], alpha)
            m.insert(0, "kind", "share")
            parts.append(m)
    if not parts:
        return pd.DataFrame(columns=list(COMPARE_COLUMNS))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    notes_of = _Notes(ca, cbb, name_a, name_b, status, shared, recoded, lang)
    comparable, notes = [], []
    for _, r in out.iterrows():
        ok, note = notes_of(r)
        comparable.append(ok)
        notes.append(" ".join(note))
    out["comparable"] = comparable
    out["note"] = notes
    nc = ~out["comparable"].to_numpy(bool)
    out.loc[nc, ["diff", "se", "df", "ci_low", "ci_high", "p"]] = np.nan
    out["label"] = [_label(v, lang, ca, cbb) for v in out["variable"]]
    out["wave_a"], out["wave_b"] = name_a, name_b
    out = out[list(COMPARE_COLUMNS)]
    out.attrs = {"wave_a": name_a, "wave_b": name_b, "version_a": va, "version_b": vb}
    return out


class _Notes:
    """Comparability and notes of one output row, from the two instruments."""

    def __init__(self, ca, cb, name_a, name_b, status, shared, recoded, lang):
        self.ca, self.cb, self.status, self.shared, self.recoded = ca, cb, status, shared, recoded
        self.name_a, self.name_b, self.lang = name_a, name_b, lang

    def text(self, key: str, **values) -> str:
        return _NOTES[key][self.lang].format(**values)

    def __call__(self, r) -> tuple[bool, list[str]]:
        ca, cb, var = self.ca, self.cb, r["variable"]
        ok, note = True, []
        if var in self.shared or r["kind"] == "score":
            items = self.shared.get(var)
            if items is None:
                ok = False
                if var not in ca.score_columns:
                    note.append(self.text("not_asked", wave=self.name_a, version=ca.version))
                elif var not in cb.score_columns:
                    note.append(self.text("not_asked", wave=self.name_b, version=cb.version))
                else:
                    note.append(self.text("score_differs"))
            elif ca.version != cb.version and (
                set(items) != set(ca.score_items(var))
                or set(items) != set(cb.score_items(var))
                or ca.score_items(var) != cb.score_items(var)
            ):
                note.append(self.text("score_shared", n=len(items)))
        else:
            st = self.status["status"].get(var)
            if st == "new":
                ok = False
                note.append(self.text("not_asked", wave=self.name_a, version=ca.version))
            elif st == "dropped":
                ok = False
                note.append(self.text("not_asked", wave=self.name_b, version=cb.version))
            elif st == "renamed":
                _, part = cb.locate(var)
                note.append(self.text("renamed", name=part.export_id, version=cb.version))
            elif st == "text_changed":
                note.append(self.text("text_changed"))
            elif st == "scale_changed":
                ok = False
                note.append(self.text("scale_changed"))
        if ok and (pd.isna(r["n_a"]) or pd.isna(r["n_b"])):
            ok = False
            note.append(self.text("only_b" if pd.isna(r["n_a"]) else "only_a"))
        gv = r["group_var"]
        if gv in self.recoded:
            merged = _merged(self.recoded[gv])
            if merged:
                note.append(self.text("recoded", codes=merged))
        if gv == "storrelse":
            note.append(self.text("storrelse"))
        return ok, note


def _merged(mapping: Mapping[int, int]) -> str:
    """'2 og 3 -> 2'-style description of the codes a recode merges (empty when none)."""
    groups: dict[int, list[int]] = {}
    for old, new in mapping.items():
        groups.setdefault(new, []).append(old)
    parts = [
        f"{', '.join(map(str, sorted(olds)))} → {new}"
        for new, olds in groups.items()
        if len(olds) > 1
    ]
    return "; ".join(parts)


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
    check_lang(lang)
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
