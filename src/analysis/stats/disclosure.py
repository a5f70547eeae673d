"""Disclosure control for published tables.

A ``disclosure`` setting is either ``"internal"`` (nothing suppressed; the table carries a
"not for publication" note) or ``"public"``:

1. **No single municipality.** Rows whose ``group_var`` is ``kommune`` or ``kommunenummer``
   are removed from public output (listed in ``attrs["removed"]`` and mentioned in the note);
   a wide table indexed or columned by municipality raises ``ValueError``.
2. **Primary suppression.** Every cell based on ``min_n`` or fewer respondents (n <= 5 by
   default, n = 0 and NA included) is suppressed.
3. **Secondary suppression.** No suppressed value may be derivable from the shown cells and
   totals. The table's additive structure is written as linear constraints (a group table:
   in each block ``variable x group_var`` the groups add up to the total row, both for n and
   for n x mean; a count table: every row and column adds up to its total). A suppressed cell
   is *derivable* when its unit vector lies in the row space of the constraints restricted
   to the suppressed cells (checked exactly via the null space). While some suppressed cell is
   derivable, the shown cell with the smallest n that shares a constraint with it is
   suppressed as well (for a group table with one suppressed group and a shown total, this is
   the next-smallest group; if a block has no other group, the total). Groups whose rows do
   not add up to the total (NA groups) are treated as if they did (conservative).
   The attacker modelled is linear: bounds such as non-negativity are not used.

Suppressed cells are not dropped: they hold NA, the boolean column ``suppressed`` (group
tables) or ``attrs["suppressed"]`` (a boolean frame for count tables) marks them, and
renderers show :data:`SUPPRESSED` (``":"`` as Statistics Norway does) with
:func:`disclosure_note`; :func:`show_suppressed` does that for plain display.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"variable": "kompetanse", "group_var": ["total", "fylke", "fylke", "fylke"],
...                   "group": ["Alle", "A", "B", "C"], "n": [30, 3, 12, 15],
...                   "estimate": [50.0, 40.0, 50.0, 52.0]})
>>> pub = apply_disclosure(t)
>>> pub[["group", "n", "estimate", "suppressed", "suppression"]]
  group     n  estimate  suppressed suppression
0  Alle    30      50.0       False
1     A  <NA>       NaN        True     primary
2     B  <NA>       NaN        True   secondary
3     C    15      52.0       False
>>> show_suppressed(pub)["estimate"].tolist()
['50.0', ':', ':', '52.0']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from analysis.lang import check_lang

#: Symbol shown in place of a suppressed value (Statistics Norway's convention).
SUPPRESSED = ":"
LEVELS = ("internal", "public")
#: Grouping variables that would show a single municipality.
MUNICIPALITY_VARS = ("kommune", "kommunenummer")
DEFAULT_MIN_N = 5


def disclosure_note(min_n: int = DEFAULT_MIN_N, lang: str = "nb", *, level: str = "public") -> str:
    """The note printed under a table.

    Examples
    --------
    >>> disclosure_note(5, "en")[:60]
    '":" = suppressed: the figure rests on 5 or fewer responses, '
    """
    check_lang(lang)
    if level not in LEVELS:
        raise ValueError(f"disclosure level must be one of {LEVELS}, not {level!r}")
    if level == "internal":
        return (
            "Intern tabell, ikke for publisering: små grupper er ikke prikket."
            if lang == "nb"
            else "Internal table, not for publication: small groups are not suppressed."
        )
    if lang == "nb":
        return (
            f"«{SUPPRESSED}» = prikket: tallet bygger på {min_n} eller færre svar, eller kunne "
            "regnes ut fra andre tall i tabellen. Tall for enkeltkommuner vises ikke."
        )
    return (
        f'"{SUPPRESSED}" = suppressed: the figure rests on {min_n} or fewer responses, or could '
        "otherwise be derived from other figures in the table. Figures for single municipalities "
        "are not shown."
    )


# --------------------------------------------------------------------------------------------
# the linear attacker and the secondary-suppression loop (shared by both table kinds)
# --------------------------------------------------------------------------------------------


def derivable_cells(
    n_cells: int, constraints: Sequence[tuple[Sequence[int], int]], suppressed: np.ndarray
) -> np.ndarray:
    """Which suppressed cells a linear attacker can compute from shown cells and totals.

    Parameters
    ----------
    n_cells : int
        Number of cells.
    constraints : sequence of (parts, total)
        ``sum(cells[parts]) == cells[total]`` for each constraint.
    suppressed : bool array of length n_cells

    Returns
    -------
    bool array: True for suppressed cells whose value is determined.

    Examples
    --------
    >>> derivable_cells(3, [([0, 1], 2)], np.array([True, False, False]))
    array([ True, False, False])
    >>> derivable_cells(3, [([0, 1], 2)], np.array([True, True, False]))
    array([False, False, False])
    """
    suppressed = np.asarray(suppressed, dtype=bool)
    out = np.zeros(n_cells, dtype=bool)
    unknown = np.flatnonzero(suppressed)
    if len(unknown) == 0:
        return out
    col = {c: j for j, c in enumerate(unknown)}
    rows = []
    for parts, total in constraints:
        r = np.zeros(len(unknown))
        for p in parts:
            if p in col:
                r[col[p]] += 1.0
        if total in col:
            r[col[total]] -= 1.0
        if r.any():
            rows.append(r)
    if not rows:
        return out
    A = np.array(rows)
    ns = null_space(A)  # columns span {x : A x = 0}
    determined = np.all(np.abs(ns) < 1e-9, axis=1) if ns.size else np.ones(len(unknown), bool)
    out[unknown[determined]] = True
    return out


def _secondary(sizes: np.ndarray, constraints, primary: np.ndarray) -> np.ndarray:
    """Add suppressions until no suppressed cell is derivable. Returns the full mask."""
    mask = primary.copy()
    n = len(sizes)
    members: list[list[int]] = [[] for _ in range(n)]
    for k, (parts, total) in enumerate(constraints):
        for c in [*parts, total]:
            members[c].append(k)
    totals = {total for _, total in constraints}
    for _ in range(n + 1):
        bad = derivable_cells(n, constraints, mask)
        if not bad.any():
            return mask
        candidates = set()
        for u in np.flatnonzero(bad):
            for k in members[u]:
                parts, total = constraints[k]
                candidates.update(c for c in [*parts, total] if not mask[c])
        if not candidates:  # every neighbour already hidden: hide all constrained cells
            involved = sorted({c for parts, total in constraints for c in [*parts, total]})
            if mask[involved].all():
                return mask  # what is still determined is a structural zero of the layout
            mask[involved] = True
            continue
        # prefer non-total cells, then the smallest size
        best = min(
            candidates, key=lambda c: (c in totals, sizes[c] if np.isfinite(sizes[c]) else -1, c)
        )
        mask[best] = True
    raise AssertionError("secondary suppression did not converge")


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def apply_disclosure(
    table: pd.DataFrame,
    *,
    level: str = "public",
    min_n: int = DEFAULT_MIN_N,
    n_col: str | None = "n",
    value_cols: Sequence[str] | None = None,
    group_cols: Sequence[str] | None = None,
    total_row=None,
    total_col=None,
    lang: str = "nb",
) -> pd.DataFrame:
    """Suppress small and derivable cells of a table for publication.

    Parameters
    ----------
    table : DataFrame
        Either a **group table** in the tidy layout of
        :func:`analysis.stats.estimates.group_means` / ``group_proportions`` (``n_col`` given; rows
        are cells; columns ``group_var`` and ``group``), or a **count table** (``n_col=None``):
        a wide table of counts, rows x columns, optionally with a total row and column.
    level : {"public", "internal"}
    min_n : int
        Cells based on ``min_n`` or fewer respondents are suppressed.
    n_col : str or None
        Column with the number of respondents behind each row (group tables).
    value_cols : list of str, optional
        Group tables: columns to blank in suppressed rows (default: every column except the
        identifiers ``group_cols``, ``group_var``, ``group`` and the ``n_col``, which is blanked
        too). Count tables: the count columns (default: all columns).
    group_cols : list of str, optional
        Group tables: columns identifying one table whose blocks share a total (default:
        ``["variable"]`` if present).
    total_row : optional
        Group tables: the ``group_var`` value of total rows (default ``"total"``). Count tables:
        the index label of the total row (None = no total row).
    total_col : optional
        Count tables: the label of the total column (None = no total column).
    lang : {"nb", "en"}
        Language of the note.

    Returns
    -------
    DataFrame
        Group tables: a copy with NA in suppressed rows' ``n`` and value columns and the columns
        ``suppressed`` (bool) and ``suppression`` ("", "primary", "secondary"); rows of single
        municipalities removed. Count tables: a copy (nullable dtype) with NA in suppressed cells
        and ``attrs["suppressed"]``, a boolean frame of the same shape. Both carry
        ``attrs["note"]`` and ``attrs["disclosure"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"ja": [3, 10, 13], "nei": [8, 9, 17], "Total": [11, 19, 30]},
    ...                  index=["kommunal", "ideell", "Total"])
    >>> apply_disclosure(t, n_col=None, total_row="Total", total_col="Total")
                ja   nei  Total
    kommunal  <NA>  <NA>     11
    ideell    <NA>  <NA>     19
    Total       13    17     30
    """
    if level not in LEVELS:
        raise ValueError(f"disclosure level must be one of {LEVELS}, not {level!r}")
    if n_col is None:
        return _count_table(
            table,
            level=level,
            min_n=min_n,
            value_cols=value_cols,
            total_row=total_row,
            total_col=total_col,
            lang=lang,
        )
    return _group_table(
        table,
        level=level,
        min_n=min_n,
        n_col=n_col,
        value_cols=value_cols,
        group_cols=group_cols,
        total_row="total" if total_row is None else total_row,
        lang=lang,
    )


def _group_table(table, *, level, min_n, n_col, value_cols, group_cols, total_row, lang):
    if n_col not in table.columns:
        raise ValueError(f"the table has no column {n_col!r}")
    out = table.copy()
    removed = 0
    if level == "public" and "group_var" in out.columns:
        muni = out["group_var"].isin(MUNICIPALITY_VARS).to_numpy()
        removed = int(muni.sum())
        out = out[~muni]
    out = out.reset_index(drop=True)
    note = disclosure_note(min_n, lang, level=level)
    if removed:
        note += (
            " Rader for enkeltkommuner er fjernet."
            if lang == "nb"
            else " Rows for single municipalities were removed."
        )
    n = len(out)
    ids = (
        list(group_cols)
        if group_cols is not None
        else [c for c in ("variable",) if c in out.columns]
    )
    if value_cols is None:
        skip = set(ids) | {"group_var", "group", n_col, "suppressed", "suppression"}
        value_cols = [c for c in out.columns if c not in skip]
    sizes = pd.to_numeric(out[n_col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    primary = np.zeros(n, dtype=bool)
    mask = np.zeros(n, dtype=bool)
    if level == "public" and n:
        primary = ~(sizes > min_n)  # NA counts as small
        constraints = []
        gv = (
            out["group_var"].to_numpy(dtype=object)
            if "group_var" in out.columns
            else np.full(n, None)
        )
        keys = out[ids].astype(str).agg("\x1f".join, axis=1).to_numpy() if ids else np.full(n, "")
        for key in pd.unique(keys):
            rows = np.flatnonzero(keys == key)
            tot = [r for r in rows if gv[r] == total_row]
            if len(tot) != 1:
                continue  # no (unique) total: nothing to derive from
            for block in pd.unique(gv[rows]):
                if block == total_row:
                    continue
                parts = [int(r) for r in rows if gv[r] == block]
                constraints.append((parts, int(tot[0])))
        mask = _secondary(sizes, constraints, primary)
    out["suppressed"] = mask
    out["suppression"] = np.where(primary, "primary", np.where(mask, "secondary", ""))
    if mask.any():
        for c in [n_col, *value_cols]:
            s = out[c]
            if pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                s = s.astype("Int64" if pd.api.types.is_integer_dtype(s.dtype) else "boolean")
            out[c] = s.mask(mask)
    out.attrs = {"note": note, "disclosure": level, "min_n": min_n, "removed": removed}
    return out


def _count_table(table, *, level, min_n, value_cols, total_row, total_col, lang):
    for axis_name in (table.index.name, table.columns.name):
        if level == "public" and axis_name in MUNICIPALITY_VARS:
            raise ValueError(
                "a public table must not show single municipalities "
                f"(the table is laid out by {axis_name!r})"
            )
    cols = list(value_cols) if value_cols is not None else list(table.columns)
    values = (
        table[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    )
    R, C = values.shape
    index = list(table.index)
    mask = np.zeros((R, C), dtype=bool)
    if level == "public" and values.size:
        primary = ~(values > min_n)
        tr = index.index(total_row) if total_row is not None and total_row in index else None
        tc = cols.index(total_col) if total_col is not None and total_col in cols else None
        if total_row is not None and tr is None:
            raise ValueError(f"total row {total_row!r} not in the table's index")
        if total_col is not None and tc is None:
            raise ValueError(f"total column {total_col!r} not among the count columns")
        cell = np.arange(R * C).reshape(R, C)
        constraints = []
        if tc is not None:
            for i in range(R):
                constraints.append(
                    ([int(cell[i, j]) for j in range(C) if j != tc], int(cell[i, tc]))
                )
        if tr is not None:
            for j in range(C):
                constraints.append(
                    ([int(cell[i, j]) for i in range(R) if i != tr], int(cell[tr, j]))
                )
        mask = _secondary(values.ravel(), constraints, primary.ravel()).reshape(R, C)
    out = table.copy()
    for j, c in enumerate(cols):
        s = out[c]
        if pd.api.types.is_integer_dtype(s.dtype):
            s = s.astype("Int64")
        out[c] = s.mask(pd.Series(mask[:, j], index=out.index))
    out.attrs = {
        "note": disclosure_note(min_n, lang, level=level),
        "disclosure": level,
        "min_n": min_n,
        "suppressed": pd.DataFrame(mask, index=table.index, columns=cols),
    }
    return out


def show_suppressed(table: pd.DataFrame, *, decimals: int | None = None) -> pd.DataFrame:
    """A display copy: suppressed cells as :data:`SUPPRESSED`, other cells as text.

    Works on both outputs of :func:`apply_disclosure` (the ``suppressed`` column of group
    tables or ``attrs["suppressed"]`` of count tables). Unsuppressed NA shows as "".

    Examples
    --------
    >>> import pandas as pd
    >>> t = apply_disclosure(pd.DataFrame({"group_var": ["total", "g", "g"], "group": ["Alle", "a", "b"],
    ...                                    "n": [12, 2, 10], "estimate": [1.0, 2.0, 3.0]}))
    >>> show_suppressed(t, decimals=2)["estimate"].tolist()
    ['1.00', ':', ':']
    """
    out = table.copy()

    def fmt(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return ""
        if decimals is not None and isinstance(v, float | np.floating):
            return f"{v:.{decimals}f}"
        return str(v)

    if "suppressed" in table.columns:
        rows = table["suppressed"].to_numpy(bool)
        skip = {"variable", "group_var", "group", "suppressed", "suppression"}
        for c in table.columns:
            if c in skip:
                continue
            out[c] = [
                SUPPRESSED if r else fmt(v) for v, r in zip(table[c].tolist(), rows, strict=True)
            ]
        return out.drop(columns=["suppressed", "suppression"])
    m = table.attrs.get("suppressed")
    for c in table.columns:
        flags = (
            m[c].to_numpy(bool) if m is not None and c in m.columns else np.zeros(len(table), bool)
        )
        out[c] = [
            SUPPRESSED if r else fmt(v) for v, r in zip(table[c].tolist(), flags, strict=True)
        ]
    return out
