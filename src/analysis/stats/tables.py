"""Frequency tables and cross-tabulations of any question, for any subgroup.

:func:`frequencies` gives the labelled answer distribution of one column: a single-choice
question, a matrix row or a checkbox option, optionally by a grouping (another question or a
derived variable such as ``utleierkategori``, ``storrelse`` or ``fylke``). :func:`crosstab` is
the same table of one question by another, with a design-aware test of independence,
:func:`rao_scott`. :func:`apply_filters` selects a subgroup by value label or code.

Rules
-----
- **The wave's own instrument.** Labels come from the codebook of the data's
  ``instrument_version`` column (or ``codebook=``); nothing assumes version 1.
- **"Vet ikke" apart.** Shares of substantive answers are of the substantive answers; the share of
  a non-substantive code (9, "vet ikke / ikke aktuelt") is of all answers. Blank answers are in
  neither. ``substantive`` says which base a row uses.
- **Intervals** are those of :func:`analysis.stats.estimates.group_proportions`: cluster-robust
  (municipal units clustered by ``kommunenummer``), Wilson with the effective sample size.
- **Disclosure** (``disclosure="public"``): the counts form a table (answers x groups) with a
  substantive subtotal, a total row and an "all" column; cells of ``min_cell`` or fewer
  respondents and every cell a linear attacker could derive from the shown ones are suppressed
  (:mod:`analysis.stats.disclosure`), with their shares and intervals. A share is shown only
  when its base (substantive subtotal or total) is shown, so no count can be recovered as
  share x base. Grouping by, or filtering to, a single municipality needs
  ``disclosure="internal"``.
- **Test of independence**: Pearson's X^2 with the Rao–Scott correction for the design, as R
  survey's ``svychisq`` (``statistic="F"``: second-order, F with ``d0`` and ``d0 * nu``
  degrees of freedom; ``statistic="Chisq"``: first-order, X^2 divided by the mean generalised
  design effect). Checked against R's values in ``tests/stats/reference/``.

Examples
--------
>>> import pandas as pd
>>> from analysis.instrument.codebook import load_codebook
>>> item = load_codebook(1).role_columns("prerequisites")[0]       # a yes / no / don't know row
>>> df = pd.DataFrame({"instrument_version": 1, "kommunenummer": None,
...                    "utleierkategori": ["kommunal"] * 8 + ["ideell"] * 8,
...                    item: [1, 1, 1, 2, 2, 9, 1, 1, 2, 2, 2, 1, 9, 9, 2, 1]})
>>> f = frequencies(df, item, disclosure="internal")
>>> f[["label", "substantive", "n", "share"]]
      label  substantive  n     share
0        Ja         True  7  0.538462
1       Nei         True  6  0.461538
2  Vet ikke        False  3  0.187500
>>> f.attrs["caption"]
'«medvirkning er omtalt i boligsosial plan/strategi»: svarfordeling, alle svar (n = 16).'
>>> frequencies(df, item, filters={"utleierkategori": "Ideell"},
...             disclosure="internal").attrs["n"]
8
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import UserError
from analysis.instrument.codebook import SIZE_CLASSES, Codebook, load_codebook
from analysis.instrument.codebook import codebook_for as _wave_codebook

DEFAULT_MIN_CELL = 5
#: Derived variables (not questions) that can group or filter, with readable names.
DERIVED_NAMES = {
    "utleierkategori": {"nb": "utleierkategori", "en": "landlord category"},
    "storrelse": {"nb": "kommunestørrelse", "en": "municipality size"},
    "fylke": {"nb": "fylke", "en": "county"},
    "kommune": {"nb": "kommune", "en": "municipality"},
    "kommunenummer": {"nb": "kommunenummer", "en": "municipality number"},
    "wave": {"nb": "runde", "en": "wave"},
}
_SIZE_EN = {"under 5 000": "under 5,000", "5 000–19 999": "5,000–19,999", "20 000+": "20,000+"}
MUNICIPALITY_VARS = ("kommune", "kommunenummer")
FREQUENCY_COLUMNS = (
    "variable",
    "group_var",
    "group",
    "code",
    "label",
    "substantive",
    "n",
    "share",
    "ci_low",
    "ci_high",
    "n_substantive",
    "n_answered",
    "suppressed",
)
_T = {
    "nb": {
        "all": "Alle",
        "answers": "svarfordeling",
        "by": "etter",
        "everyone": "alle svar",
        "subset": "utvalg",
        "and": "og",
        "not_chosen": "Ikke valgt",
    },
    "en": {
        "all": "All",
        "answers": "answers",
        "by": "by",
        "everyone": "all responses",
        "subset": "subset",
        "and": "and",
        "not_chosen": "Not chosen",
    },
}


class FilterError(UserError, ValueError):
    """A filter names a column or a value the data do not have (the message lists valid values)."""


def _check_lang(lang: str) -> str:
    if lang not in ("nb", "en"):
        raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")
    return lang


# ---------------------------------------------------------------------------------------------
# the wave's codebook
# ---------------------------------------------------------------------------------------------


def codebook_for(df: pd.DataFrame, codebook: Codebook | int | None = None) -> Codebook:
    """The codebook of the data's instrument version (``codebook=``, a Codebook or a version
    number, overrides); see :func:`analysis.instrument.codebook.codebook_for`.

    Examples
    --------
    >>> import pandas as pd
    >>> codebook_for(pd.DataFrame({"instrument_version": [2, 2]})).version
    2
    """
    if codebook is not None and not isinstance(codebook, Codebook):
        return load_codebook(int(codebook))
    return _wave_codebook(df, codebook)


def _maybe_codebook(df: pd.DataFrame, codebook) -> Codebook | None:
    """:func:`codebook_for`, or None when the data name no version (text categories only)."""
    try:
        return codebook_for(df, codebook)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# variables: codes, labels and order
# ---------------------------------------------------------------------------------------------


@dataclass
class Variable:
    """A column with its levels in order: ``codes`` (as stored), ``labels``, ``substantive``."""

    name: str
    label: str
    codes: list
    labels: list[str]
    substantive: list[bool]
    numeric: bool
    #: The full wording (a whole question's text; else the same as ``label``).
    text: str = ""

    def values(self, df: pd.DataFrame) -> pd.Series:
        """The column as a Series of level positions (0..k-1, NA for blank or unknown)."""
        s = df[self.name]
        if self.numeric:
            x = pd.to_numeric(s, errors="coerce")
            pos = {float(c): i for i, c in enumerate(self.codes)}
            return x.map(pos).astype("Int64")
        pos = {str(c): i for i, c in enumerate(self.codes)}
        return s.astype("string").map(pos).astype("Int64")


def _is_question_column(cb: Codebook, name: str) -> bool:
    try:
        cb.locate(name)
    except KeyError:
        return False
    return True


def variable(
    df: pd.DataFrame, name: str, *, codebook: Codebook | int | None = None, lang: str = "nb"
) -> Variable:
    """The levels of a question column or a derived grouping variable, labelled.

    Question columns (single choice, matrix row, checkbox option) take codes and labels from
    the wave's codebook (code 9 labelled and marked non-substantive); ``utleierkategori`` and
    ``storrelse`` keep their fixed order; other text columns (``fylke``) are sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> dwellings = load_codebook(1).question_for("dwellings")     # a single-choice question
    >>> v = variable(pd.DataFrame({"instrument_version": [1], dwellings: [9]}), dwellings, lang="en")
    >>> list(zip(v.codes, v.labels, v.substantive))[-2:]
    [(4, '1000 or more', True), (9, "don't know", False)]
    """
    _check_lang(lang)
    if name not in df.columns:
        raise FilterError(f"column {name!r} is not in the data")
    try:
        cb = codebook_for(df, codebook)
    except ValueError:
        s = df[name]
        if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
            raise  # coded answers need the wave's codebook
        cb = None  # text categories need none (their labels are the values)
    if cb is not None and _is_question_column(cb, name):
        q, part = cb.locate(name)
        if q.type == "text":
            raise ValueError(f"{name!r} is a free-text question: it has no answer categories")
        labels = cb.value_labels(name, lang)
        if q.type == "checkbox":
            labels = {0: _T[lang]["not_chosen"], 1: labels[1]}
        codes = list(labels)
        nonsub = set(cb.non_substantive_codes)
        label = part.text(lang) if part is not None else _question_name(cb, q, lang)
        text = part.text(lang) if part is not None else q.text(lang)
        return Variable(
            name,
            label,
            codes,
            [labels[c] for c in codes],
            [c not in nonsub for c in codes],
            True,
            text,
        )
    s = df[name]
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        raise ValueError(
            f"{name!r} is a numeric variable (a score?), not a question with answer categories; "
            "use group_means for scores"
        )
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = [str(c) for c in s.cat.categories]
    elif cb is not None and name == cb.category_variable:
        codes = list(cb.categories)
    elif name == "storrelse":
        codes = list(SIZE_CLASSES)
    else:
        codes = sorted(str(v) for v in s.dropna().unique())
    labels = [_derived_label(name, c, cb, lang) for c in codes]
    label = _derived_name(name, cb, lang)
    return Variable(name, label, codes, labels, [True] * len(codes), False)


def _question_name(cb: Codebook, q, lang: str) -> str:
    """A short name for a whole question: the codebook's ``short`` text when it has one, else
    (nb) the id in words ("antall boliger") or (en) the question text."""
    short = getattr(q, "short", None)
    if short is not None:
        return short(lang) if callable(short) else str(short)
    return q.id.replace("_", " ") if lang == "nb" else q.text(lang)


def _derived_label(name: str, value: str, cb: Codebook | None, lang: str) -> str:
    if cb is None:
        return value.capitalize() if name in ("utleierkategori",) else value
    from analysis.instrument.labels import value_label

    if name == cb.category_variable or name == "storrelse":
        return value_label(name, value, lang, codebook=cb)
    return value


def _derived_name(name: str, cb: Codebook | None, lang: str) -> str:
    """Readable name of a derived variable, lower case for use inside a sentence."""
    if cb is not None:
        from analysis.instrument.labels import variable_label

        text = variable_label(name, lang, codebook=cb)
        if text != name:
            return text[:1].lower() + text[1:] if text[1:2].islower() else text
    return DERIVED_NAMES.get(name, {}).get(lang, name)


# ---------------------------------------------------------------------------------------------
# filters
# ---------------------------------------------------------------------------------------------


def _norm(x: object) -> str:
    return " ".join(str(x).strip().casefold().split())


def _match_level(var: Variable, wanted: object, other_labels: Sequence[str]) -> int:
    key = _norm(wanted)
    for i, c in enumerate(var.codes):
        names = {_norm(c), _norm(var.labels[i]), _norm(other_labels[i])}
        if var.numeric:
            names.add(_norm(int(c)))
        if key in names:
            return i
    if var.name in DERIVED_NAMES and not var.numeric:  # "Kommersiell utleier" names the category
        for i, lab in enumerate(var.labels):
            if key.startswith(_norm(lab)) or key.startswith(_norm(var.codes[i])):
                return i
    valid = ", ".join(
        f"{c} ({lab})" if _norm(c) != _norm(lab) else str(lab)
        for c, lab in zip(var.codes, var.labels, strict=True)
    )
    raise FilterError(f"filter {var.name}: {wanted!r} is not a value; valid values: {valid}")


def apply_filters(
    df: pd.DataFrame,
    filters: Mapping[str, object] | None = None,
    *,
    codebook: Codebook | int | None = None,
    disclosure: str = "public",
    min_cell: int = DEFAULT_MIN_CELL,
    lang: str = "nb",
) -> tuple[pd.DataFrame, str]:
    """Rows of ``df`` matching every filter, and a readable description of the subset.

    Parameters
    ----------
    df : DataFrame
    filters : mapping column -> value or list of values, optional
        Values are matched case-insensitively against the codes and the value labels (both
        languages): ``{"utleierkategori": "Kommersiell"}``, ``{question: [3, "1000 eller
        flere"]}``, ``{"fylke": "Agder"}``. ``None`` values are ignored.
    codebook : Codebook or int, optional
        Default: the data's instrument version.
    disclosure : {"public", "internal"}
        A filter on a single municipality (``kommune``/``kommunenummer``) needs ``internal``,
        and a subset larger than ``min_cell``.
    min_cell : int
    lang : {"nb", "en"}

    Returns
    -------
    (DataFrame, str)
        The subset (same columns) and its description ("" without filters).

    Raises
    ------
    FilterError
        An unknown column or value (the message lists the valid values), or a municipality
        filter that disclosure forbids.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"instrument_version": 1,
    ...                    "utleierkategori": ["kommunal", "kommersiell", "ideell"]})
    >>> sub, desc = apply_filters(df, {"utleierkategori": "KOMMERSIELL"})
    >>> len(sub), desc
    (1, 'utleierkategori: Kommersiell')
    >>> apply_filters(df, {"utleierkategori": "privat"})
    Traceback (most recent call last):
    ...
    analysis.stats.tables.FilterError: filter utleierkategori: 'privat' is not a value; valid values: Kommunal, Ideell, Kommersiell
    """
    _check_lang(lang)
    if not filters:
        return df, ""
    other = "en" if lang == "nb" else "nb"
    keep = np.ones(len(df), dtype=bool)
    parts = []
    for col, wanted in filters.items():
        if wanted is None or (isinstance(wanted, list | tuple | set) and not wanted):
            continue
        if col not in df.columns:
            raise FilterError(f"filter {col!r}: no such column in the data")
        var = variable(df, col, codebook=codebook, lang=lang)
        var_o = variable(df, col, codebook=codebook, lang=other)
        values = list(wanted) if isinstance(wanted, list | tuple | set) else [wanted]
        idx = [_match_level(var, w, var_o.labels) for w in values]
        pos = var.values(df).to_numpy(dtype="float64", na_value=np.nan)
        keep &= np.isin(pos, idx)
        if col in MUNICIPALITY_VARS:
            if disclosure != "internal":
                raise FilterError(
                    f"filter {col}: a single municipality is shown only with disclosure='internal'"
                )
        labels = [var.labels[i] for i in idx]
        parts.append(f"{var.label}: {(' ' + _T[lang]['and'] + ' ').join(labels)}")
    out = df[keep]
    if any(c in MUNICIPALITY_VARS for c in filters if filters[c] is not None):
        if len(out) <= min_cell:
            raise FilterError(
                f"the municipality subset has {len(out)} response(s); at least {min_cell + 1} "
                "are needed even for internal tables"
            )
    return out, "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# frequency tables
# ---------------------------------------------------------------------------------------------


def _grouping(df: pd.DataFrame, by: str | None, cb: Codebook, lang: str):
    """(group_var, labels, position per row) for the total or a grouping variable."""
    if by is None:
        return "total", [_T[lang]["all"]], np.zeros(len(df), dtype=np.int64), "total"
    if by == "total":
        raise ValueError("'total' is not a grouping column")
    var = variable(df, by, codebook=cb, lang=lang)
    pos = var.values(df).to_numpy(dtype="float64", na_value=np.nan)
    g = np.where(np.isnan(pos), -1, pos).astype(np.int64)
    return by, var.labels, g, var.label


def frequencies(
    df: pd.DataFrame,
    question: str,
    *,
    by: str | None = None,
    filters: Mapping[str, object] | None = None,
    codebook: Codebook | int | None = None,
    disclosure: str = "public",
    min_cell: int = DEFAULT_MIN_CELL,
    lang: str = "nb",
    cluster: str | None = "kommunenummer",
    weights=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Labelled answer distribution of one question, overall or by a grouping.

    Parameters
    ----------
    df : DataFrame
        Processed responses of one wave (``instrument_version`` tells the codebook).
    question : str
        A column: single-choice question, matrix row or checkbox option of the wave's
        codebook (``cb.role_columns(role)``), or a derived category (``utleierkategori``).
    by : str, optional
        A grouping column (a question or ``utleierkategori``, ``storrelse``, ``fylke``); groups
        appear in codebook order with their labels. Rows with a blank grouping are left out of
        the groups (they count in "Alle" when ``by`` is None).
    filters : mapping, optional
        Subgroup, see :func:`apply_filters` (``{"utleierkategori": "Kommersiell"}``).
    codebook : Codebook or int, optional
        Default: the data's ``instrument_version``.
    disclosure : {"public", "internal"}
        Public output suppresses small and derivable cells (see the module docstring).
    min_cell : int
        Cells of ``min_cell`` or fewer respondents are suppressed in public output.
    lang : {"nb", "en"}
        Labels and captions.
    cluster, weights, design, frame, alpha
        Passed to :func:`analysis.stats.estimates.group_proportions` for the intervals.

    Returns
    -------
    DataFrame
        One row per group and answer: ``variable, group_var, group, code, label, substantive,
        n, share, ci_low, ci_high, n_substantive, n_answered, suppressed``. ``n`` is the count
        of respondents; ``share`` is of ``n_substantive`` for substantive answers and of
        ``n_answered`` for "vet ikke". Suppressed cells hold NA. ``attrs``: ``caption``,
        ``note``, ``n`` (respondents in the subset), ``subset`` (filter description),
        ``question_label``, ``group_label``, ``disclosure``, ``min_cell``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(2)
    >>> row, landlord = cb.role_columns("competence")[2], cb.category_source
    >>> df = pd.DataFrame({"instrument_version": 2, "kommunenummer": None,
    ...     "utleierkategori": "kommunal", landlord: [1] * 10 + [2] * 10,
    ...     row: [4, 5, 4, 3, 9, 4, 5, 2, 4, 4, 1, 2, 3, 3, 2, 9, 9, 4, 2, 3]})
    >>> t = frequencies(df, row, by=landlord, disclosure="internal", lang="en")
    >>> t.loc[t["code"] == 4, ["group", "n", "share"]].round(3)
                                       group  n  share
    3             Municipality (agency/unit)  5  0.556
    9  City district or municipal enterprise  1  0.125
    >>> t.attrs["caption"]
    '"chair tenant meetings": answers by "What type of landlord are you answering for?", all responses (n = 20).'
    >>> pub = frequencies(df, row, by=landlord)        # public: small cells hidden
    >>> bool(pub["suppressed"].any() and pub.loc[pub["suppressed"], "n"].isna().all())
    True
    """
    from analysis.stats.estimates import group_proportions

    _check_lang(lang)
    if disclosure not in ("public", "internal"):
        raise ValueError(f"disclosure must be 'public' or 'internal', not {disclosure!r}")
    cb = _maybe_codebook(df, codebook)
    if by in MUNICIPALITY_VARS and disclosure == "public":
        raise ValueError(
            f"grouping by {by!r} shows single municipalities: only with disclosure='internal'"
        )
    sub, subset = apply_filters(
        df, filters, codebook=cb, disclosure=disclosure, min_cell=min_cell, lang=lang
    )
    var = variable(sub, question, codebook=cb, lang=lang)
    group_var, glabels, g, gname = _grouping(sub, by, cb, lang)
    x = var.values(sub).to_numpy(dtype="float64", na_value=np.nan)
    K, G = len(var.codes), len(glabels)
    subst = np.array(var.substantive, dtype=bool)
    valid = ~np.isnan(x) & (g >= 0)
    xi = np.where(valid, x, 0).astype(np.int64)
    counts = np.zeros((K, G), dtype=np.int64)
    np.add.at(counts, (xi[valid], g[valid]), 1)
    if by is not None:  # groups nobody in the subset belongs to are left out
        present = counts.sum(axis=0) > 0
        keep_g = np.flatnonzero(present)
        remap = np.full(G + 1, -1, dtype=np.int64)
        remap[keep_g] = np.arange(len(keep_g))
        g = np.where(g >= 0, remap[np.where(g >= 0, g, G)], -1)
        glabels = [glabels[j] for j in keep_g]
        counts = counts[:, keep_g]
        G = len(glabels)
    n_sub = counts[subst].sum(axis=0)
    n_ans = counts.sum(axis=0)

    # intervals: one indicator per answer over its base, through group_proportions
    tmp = pd.DataFrame(index=sub.index)
    for c in ("kommunenummer", "utleierkategori", "instrument_version"):
        if c in sub.columns:  # the clustering rule's columns; the version spares a codebook search
            tmp[c] = sub[c]
    tmp["__group__"] = pd.Categorical.from_codes(
        np.where(g >= 0, g, -1), categories=range(G), ordered=True
    )
    items = []
    for k in range(K):
        base = ~np.isnan(x) & (np.isin(x, np.flatnonzero(subst)) if subst[k] else True)
        col = f"__answer_{k}__"
        tmp[col] = np.where(base, (x == k).astype("float64"), np.nan)
        items.append(col)
    est = group_proportions(
        tmp,
        items,
        None if by is None else "__group__",
        success=(1,),
        cluster=cluster if (cluster is None or cluster in tmp.columns) else None,
        weights=weights,
        design=design,
        frame=frame,
        alpha=alpha,
        lang=lang,
    )
    gv = "total" if by is None else "__group__"
    est = est[est["group_var"] == gv]
    keyed = {
        (int(r.variable[len("__answer_") : -2]), 0 if by is None else int(r.group)): r
        for r in est.itertuples()
    }

    count_mask, sub_mask, tot_mask = _disclose_counts(
        counts, subst, disclosure=disclosure, min_cell=min_cell
    )
    rows = []
    for j in range(G):
        for k in range(K):
            r = keyed.get((k, j))
            hidden = bool(count_mask[k, j])
            base_hidden = bool(sub_mask[j] if subst[k] else tot_mask[j])
            share = np.nan if r is None else float(r.estimate)
            lo = np.nan if r is None else float(r.ci_low)
            hi = np.nan if r is None else float(r.ci_high)
            if hidden or base_hidden:
                share = lo = hi = np.nan
            rows.append(
                {
                    "variable": question,
                    "group_var": group_var,
                    "group": glabels[j],
                    "code": var.codes[k],
                    "label": var.labels[k],
                    "substantive": bool(subst[k]),
                    "n": pd.NA if hidden else int(counts[k, j]),
                    "share": share,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n_substantive": pd.NA if sub_mask[j] else int(n_sub[j]),
                    "n_answered": pd.NA if tot_mask[j] else int(n_ans[j]),
                    "suppressed": hidden,
                }
            )
    out = pd.DataFrame(rows, columns=list(FREQUENCY_COLUMNS))
    for c in ("n", "n_substantive", "n_answered"):
        out[c] = out[c].astype("Int64")
    n_total = len(sub)
    out.attrs = {
        "caption": _caption(var.text or var.label, gname if by else None, subset, n_total, lang),
        "note": _note(disclosure, min_cell, lang, any_dk=bool((~subst).any())),
        "n": n_total,
        "subset": subset,
        "question_label": var.text or var.label,
        "group_label": gname if by else None,
        "disclosure": disclosure,
        "min_cell": min_cell,
        "instrument_version": None if cb is None else cb.version,
    }
    return out


def _disclose_counts(counts: np.ndarray, subst: np.ndarray, *, disclosure, min_cell):
    """Suppression masks (cells, substantive subtotal, total) of a K x G count table.

    Cells: answers x groups, a substantive subtotal row and a total row; in each group the
    substantive answers add up to the subtotal, and subtotal and non-substantive answers to the
    total. (The table shows no "all groups" column, so groups are not tied to each other.)
    """
    from analysis.stats.disclosure import _secondary

    K, G = counts.shape
    if disclosure != "public":
        z = np.zeros(G, dtype=bool)
        return np.zeros((K, G), dtype=bool), z, z
    full = counts
    C = full.shape[1]
    subtotal = full[subst].sum(axis=0)
    total = full.sum(axis=0)
    table = np.vstack([full, subtotal[None, :], total[None, :]])  # (K + 2) x C
    R = K + 2
    cell = np.arange(R * C).reshape(R, C)
    cons = []
    for j in range(C):
        cons.append(([int(cell[k, j]) for k in range(K) if subst[k]], int(cell[K, j])))
        cons.append(
            (
                [int(cell[K, j])] + [int(cell[k, j]) for k in range(K) if not subst[k]],
                int(cell[K + 1, j]),
            )
        )
    sizes = table.ravel().astype("float64")
    primary = ~(sizes > min_cell)
    # secondary suppression hides the smallest neighbouring cell, totals last; the substantive
    # subtotal is the base of most shares, so among totals the answered total goes first
    priority = sizes.copy()
    priority[cell[K].ravel()] += 1e12
    mask = _secondary(priority, cons, primary).reshape(R, C)
    return mask[:K, :G], mask[K, :G], mask[K + 1, :G]


def _caption(qlabel: str, glabel: str | None, subset: str, n: int, lang: str) -> str:
    T = _T[lang]
    q = f"«{qlabel}»" if lang == "nb" else f'"{qlabel}"'
    text = f"{q}: {T['answers']}"
    if glabel:
        if glabel.endswith("?"):  # a whole question names the grouping
            glabel = f"«{glabel}»" if lang == "nb" else f'"{glabel}"'
        text += f" {T['by']} {glabel}"
    who = f"{T['subset']} {subset}" if subset else T["everyone"]
    return f"{text}, {who} (n = {n})."


def _note(disclosure: str, min_cell: int, lang: str, *, any_dk: bool) -> str:
    from analysis.stats.disclosure import disclosure_note

    base = disclosure_note(min_cell, lang, level=disclosure)
    if any_dk:
        base += (
            " Andeler av de som svarte noe annet enn «vet ikke»; andelen «vet ikke» er av alle svar."
            if lang == "nb"
            else ' Shares of those who answered something other than "don\'t know"; the share of '
            '"don\'t know" is of all answers.'
        )
    return base


# ---------------------------------------------------------------------------------------------
# cross-tabulation and the Rao–Scott test
# ---------------------------------------------------------------------------------------------


def rao_scott(
    df: pd.DataFrame,
    row: str,
    col: str,
    *,
    statistic: str = "F",
    codebook: Codebook | int | None = None,
    cluster: str | None = "kommunenummer",
    weights=None,
    strata=None,
    fpc=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    dont_know: bool = False,
) -> pd.DataFrame:
    """Rao–Scott design-adjusted Pearson chi-square test of independence (R's ``svychisq``).

    Pearson's X^2 of the (weighted) table scaled to the number of rows is divided by the
    generalised design effects of the interaction contrasts, ``Delta = (C' D^-1 C / N)^-1
    C' D^-1 V D^-1 C`` with ``V`` the linearised (cluster-robust) covariance of the cell
    proportions (:mod:`analysis.stats.estimates`'s design rules), ``D = diag(p)`` and ``C`` the
    interaction columns made orthogonal to the main effects.

    Parameters
    ----------
    df : DataFrame
    row, col : str
        Two categorical columns (questions or derived categories).
    statistic : {"F", "Chisq"}
        ``"F"``: second-order correction, ``F = X^2 / tr(Delta)`` on ``d0 = tr(Delta)^2 /
        tr(Delta^2)`` and ``d0 * nu`` degrees of freedom (nu = clusters - strata).
        ``"Chisq"``: first-order, ``X^2 / mean(diag(Delta))`` on ``(r-1)(c-1)`` degrees of freedom.
    codebook : Codebook or int, optional
    cluster, weights, strata, fpc, design, frame
        As in :func:`analysis.stats.estimates.group_means`.
    dont_know : bool
        Keep non-substantive answers (code 9) as a category (default: left out).

    Returns
    -------
    DataFrame
        One row: ``statistic, value, df, ddf, p_value, pearson, mean_deff, n, n_clusters, method``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxxyyyy") * 5, "b": list("uvuuvvvu") * 5,
    ...                    "kommunenummer": None})
    >>> r = rao_scott(df, "a", "b", cluster=None)
    >>> round(float(r["pearson"].iloc[0]), 4), round(float(r["p_value"].iloc[0]), 4)
    (10.0, 0.0034)
    """
    from analysis.stats.estimates import _Design

    if statistic not in ("F", "Chisq"):
        raise ValueError(f"statistic must be 'F' or 'Chisq', not {statistic!r}")
    cb = _maybe_codebook(df, codebook)
    vr = variable(df, row, codebook=cb)
    vc = variable(df, col, codebook=cb)
    pr = vr.values(df).to_numpy(dtype="float64", na_value=np.nan)
    pc = vc.values(df).to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(pr) & ~np.isnan(pc)
    if not dont_know:
        ok &= np.isin(pr, np.flatnonzero(vr.substantive)) & np.isin(
            pc, np.flatnonzero(vc.substantive)
        )
    data = df[ok]
    pr, pc = pr[ok].astype(np.int64), pc[ok].astype(np.int64)
    # levels present (as R's factor() of the data)
    ur, ir = np.unique(pr, return_inverse=True)
    uc, ic = np.unique(pc, return_inverse=True)
    R, C, N = len(ur), len(uc), len(data)
    method = "Pearson's X^2: Rao & Scott adjustment"
    if R < 2 or C < 2 or N < 2:
        raise ValueError(
            f"the test needs two or more answered categories of each variable ({row}: {R}, {col}: {C})"
        )
    dz = _Design(data, cluster, weights, fpc, strata, design, frame)
    w = dz.w
    Wt = w.sum()
    k = ir + R * ic  # row varies fastest, as R's interaction()
    K = R * C
    p = np.bincount(k, weights=w, minlength=K) / Wt
    tab = (p * N).reshape(C, R).T
    expected = np.outer(tab.sum(axis=1), tab.sum(axis=0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum(np.where(expected > 0, (tab - expected) ** 2 / expected, 0.0)))
    # linearised scores u_i = w_i (e_k(i) - p) / W, totalled per (stratum, cluster)
    psu, psu_idx = np.unique(dz.st * max(dz.n_cl, 1) + dz.cl, return_inverse=True)
    P = len(psu)
    Z = np.zeros((P, K))
    np.add.at(Z, (psu_idx, k), w)
    wsum = np.bincount(psu_idx, weights=w, minlength=P)
    Z = (Z - np.outer(wsum, p)) / Wt
    psu_st = psu // max(dz.n_cl, 1)
    V = np.zeros((K, K))
    for h in np.unique(psu_st):
        Zh = Z[psu_st == h]
        nh = len(Zh)
        if nh > 1:
            d = Zh - Zh.mean(axis=0)
            V += (1 - dz.f[h]) * nh / (nh - 1) * d.T @ d
        else:
            V += (1 - dz.f[h]) * Zh.T @ Zh
    # contrasts: interaction columns orthogonal to the main effects
    rows_f = np.tile(np.arange(R), C)
    cols_f = np.repeat(np.arange(C), R)
    X1 = np.column_stack(
        [np.ones(K)]
        + [(rows_f == i).astype(float) for i in range(1, R)]
        + [(cols_f == j).astype(float) for j in range(1, C)]
    )
    X12 = np.column_stack(
        [((rows_f == i) & (cols_f == j)).astype(float) for j in range(1, C) for i in range(1, R)]
    )
    Q, _ = np.linalg.qr(X1)
    Cm = X12 - Q @ (Q.T @ X12)
    idiag = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = Cm.T @ (idiag[:, None] / N * Cm)
    numr = (Cm * idiag[:, None]).T @ V @ (idiag[:, None] * Cm)
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    tr2 = float(np.trace(delta @ delta))
    df_ = (R - 1) * (C - 1)
    nu = dz.n_cl - dz.n_strata
    if statistic == "F":
        d0 = tr**2 / tr2
        value = pearson / tr
        p_value = float(stats.f.sf(value, d0, d0 * nu))
        out = {"statistic": "F", "value": value, "df": d0, "ddf": d0 * nu, "p_value": p_value}
    else:
        value = pearson / (tr / df_)
        p_value = float(stats.chi2.sf(value, df_))
        out = {"statistic": "Chisq", "value": value, "df": float(df_), "ddf": math.nan}
        out["p_value"] = p_value
    out.update(pearson=pearson, mean_deff=tr / df_, n=N, n_clusters=int(dz.n_cl), method=method)
    return pd.DataFrame([out])


def crosstab(
    df: pd.DataFrame,
    row: str,
    col: str,
    *,
    filters: Mapping[str, object] | None = None,
    codebook: Codebook | int | None = None,
    disclosure: str = "public",
    min_cell: int = DEFAULT_MIN_CELL,
    lang: str = "nb",
    statistic: str = "F",
    cluster: str | None = "kommunenummer",
    weights=None,
    design: str | None = None,
    frame: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Cross-tabulation of two questions (column shares) with the Rao–Scott test.

    The table is :func:`frequencies` of ``row`` by ``col`` (shares within each column group,
    "vet ikke" apart, intervals, disclosure control); the test (:func:`rao_scott`, on the
    substantive answers of both) is in ``attrs["test"]`` (a dict) and in the note.

    Parameters
    ----------
    df : DataFrame
    row, col : str
        The question whose answers are tabulated, and the grouping question or category.
    filters, codebook, disclosure, min_cell, lang, cluster, weights, design, frame, alpha
        As in :func:`frequencies`.
    statistic : {"F", "Chisq"}
        See :func:`rao_scott`.

    Returns
    -------
    DataFrame
        As :func:`frequencies` with ``group_var == col``; ``attrs["test"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> item = load_codebook(1).role_columns("prerequisites")[2]      # a yes / no / don't know row
    >>> df = pd.DataFrame({"instrument_version": 1, "kommunenummer": None,
    ...     "utleierkategori": ["kommunal"] * 12 + ["ideell"] * 12,
    ...     item: [1] * 9 + [2] * 3 + [1] * 3 + [2] * 8 + [9]})
    >>> x = crosstab(df, item, "utleierkategori", disclosure="internal", lang="en")
    >>> round(x.attrs["test"]["p_value"], 4)
    0.0356
    >>> x.attrs["note"].split(". ")[-1]
    'Rao–Scott test of independence: F = 5.01, df = 1.0 and 22.0, p = 0.036.'
    """
    table = frequencies(
        df,
        row,
        by=col,
        filters=filters,
        codebook=codebook,
        disclosure=disclosure,
        min_cell=min_cell,
        lang=lang,
        cluster=cluster,
        weights=weights,
        design=design,
        frame=frame,
        alpha=alpha,
    )
    sub, _ = apply_filters(
        df,
        filters,
        codebook=_maybe_codebook(df, codebook),
        disclosure=disclosure,
        min_cell=min_cell,
    )
    try:
        test = (
            rao_scott(
                sub,
                row,
                col,
                statistic=statistic,
                codebook=_maybe_codebook(df, codebook),
                cluster=cluster if (cluster is None or cluster in sub.columns) else None,
                weights=weights,
                design=design,
                frame=frame,
            )
            .iloc[0]
            .to_dict()
        )
    except ValueError as exc:
        test = {"statistic": statistic, "value": math.nan, "p_value": math.nan, "reason": str(exc)}
    table.attrs["test"] = test
    table.attrs["note"] = table.attrs["note"] + " " + independence_sentence(test, lang)
    return table


def independence_sentence(test: Mapping, lang: str = "nb") -> str:
    """One sentence reporting a :func:`rao_scott` result.

    Examples
    --------
    >>> independence_sentence({"statistic": "F", "value": 2.5, "df": 1.9, "ddf": 80.2, "p_value": 0.09}, "nb")
    'Rao–Scott-test av uavhengighet: F = 2,50, fg = 1,9 og 80,2, p = 0,090.'
    """

    def num(x, d):
        text = f"{float(x):.{d}f}"
        return text.replace(".", ",").replace("-", "\u2212") if lang == "nb" else text

    if not np.isfinite(test.get("value", np.nan)):
        return (
            "Rao–Scott-testen kan ikke regnes ut for denne tabellen."
            if lang == "nb"
            else "The Rao–Scott test cannot be computed for this table."
        )
    p = test["p_value"]
    ptxt = ("< " + num(0.001, 3)) if p < 0.001 else "= " + num(p, 3)
    if test["statistic"] == "F":
        dfs = f"{num(test['df'], 1)} {'og' if lang == 'nb' else 'and'} {num(test['ddf'], 1)}"
        stat = f"F = {num(test['value'], 2)}, {'fg' if lang == 'nb' else 'df'} = {dfs}"
    else:
        stat = (
            f"χ² = {num(test['value'], 2)}, {'fg' if lang == 'nb' else 'df'} = {num(test['df'], 0)}"
        )
    head = "Rao–Scott-test av uavhengighet" if lang == "nb" else "Rao–Scott test of independence"
    return f"{head}: {stat}, p {ptxt}."
