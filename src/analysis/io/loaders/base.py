"""What every loader returns, and the helpers they share.

A loader turns one export into a :class:`LoadedExport`: the answers under the canonical column
names of the wave's instrument version (a renamed row already under the id it first had), coded
items as float64 with NaN for blank, text items as Python strings or None. Validation, repairs and redaction happen later, in :mod:`analysis.clean.ingest`; the loader only
reports what it could not read (``set_missing``), what it ignored (``warnings``) and which personal
columns it dropped unread (``dropped_columns``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.instrument.codebook import Codebook, known_codebooks, load_codebook

#: Reason recorded for a cell that is not a number in a coded column.
NOT_A_CODE = "not a code"


@dataclass
class LoadedExport:
    """One export read into canonical columns (see the module docstring)."""

    data: pd.DataFrame
    submission_id: pd.Series
    format: str
    encoding: str | None
    version: int
    version_how: str = "given"
    warnings: list[str] = field(default_factory=list)
    set_missing: dict[str, dict[str, int]] = field(default_factory=dict)
    dropped_columns: list[str] = field(default_factory=list)
    source_files: list[Path] = field(default_factory=list)
    created: pd.Series | None = None
    #: NUL characters removed from the text files read (a damaged export; see .encoding)
    nul_bytes_removed: int = 0

    @property
    def version_inferred(self) -> bool:
        return self.version_how != "given"


class Notes:
    """Warnings and per-column counts of values set missing, collected while reading."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.set_missing: dict[str, Counter] = defaultdict(Counter)

    def missing(self, reason: str, column: str, count: int) -> None:
        if count:
            self.set_missing[reason][column] += int(count)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {r: dict(c) for r, c in self.set_missing.items() if c}


def norm(text) -> str:
    """Normalise a header or answer text for matching: NFC, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def expected_headers(cb: Codebook, source: str) -> dict[str, str]:
    """Normalised source header -> canonical column, for sources with one column per item."""
    return {norm(cb.source_column(c, source)): c for c in cb.item_columns}


def choose_version(
    headers: Iterable[str], source: str, version: int | None, path, expected=expected_headers
) -> tuple[int, str]:
    """The instrument version of an export from its headers: ``(version, how)``.

    Candidates are every version known (packaged, or loaded from a file in this process). A
    header that belongs to some versions but not to another rules that other one out; a given
    version that the headers contradict is an error (answers would be lost). When several
    versions fit, the one matching most headers wins, the lowest on a tie, and ``how`` says
    that it was assumed.
    """
    present = {norm(h) for h in headers}
    cbs = {cb.version: cb for cb in known_codebooks()}
    if version is not None and int(version) not in cbs:
        cbs[int(version)] = load_codebook(int(version))
    exp = {v: set(expected(cb, source)) for v, cb in cbs.items()}
    everything = set().union(*exp.values())
    telling = {h for h in everything if h in present and any(h not in e for e in exp.values())}
    conflicts = {v: sorted(h for h in telling if h not in e) for v, e in exp.items()}
    owners = {h: sorted(v for v, e in exp.items() if h in e) for h in telling}

    def belongs(hs: list[str]) -> str:
        return "; ".join(f"{h} (version {', '.join(map(str, owners[h]))})" for h in hs[:4])

    if version is not None:
        version = int(version)
        if conflicts[version]:
            hs = conflicts[version]
            vs = sorted({v for h in hs for v in owners[h]})
            raise InputFileError(
                path,
                f"column(s) {', '.join(hs[:4])} belong to instrument version "
                f"{', '.join(map(str, vs))}, not to version {version}, which was given "
                "(--instrument)",
            )
        return version, "given"
    fitting = [v for v in sorted(cbs) if not conflicts[v]]
    if not fitting:
        raise InputFileError(
            path,
            f"no known instrument version has all of these columns: {belongs(sorted(telling))}; "
            "give the instrument with --instrument (a version or a YAML file)",
        )
    best = max(fitting, key=lambda v: (len(present & exp[v]), -v))
    ties = [v for v in fitting if len(present & exp[v]) == len(present & exp[best])]
    told = sorted(h for h in telling if h in exp[best])
    if len(ties) == 1 and told:
        return best, f"inferred from the column(s) {', '.join(told[:4])}"
    others = [str(v) for v in ties if v != best] or [str(v) for v in sorted(cbs) if v != best]
    hint = (
        f"pass --instrument {others[0]} if the wave used version {others[0]}"
        if len(others) == 1
        else f"pass --instrument with the version the wave used ({', '.join(others)})"
    )
    return best, f"assumed: the columns do not tell version {best} from {', '.join(others)}; {hint}"


def _numeric_strings(s: pd.Series, column: str, notes: Notes) -> pd.Series:
    """Object strings -> float; blank -> NaN; counts cells that are not numbers."""
    s = s.astype(object).where(s.notna(), "")
    num = pd.to_numeric(s, errors="coerce").astype("float64")
    odd = num.isna().to_numpy() & (s != "").to_numpy()
    if odd.any():  # rare: surrounding spaces, decimal comma, or text
        fixed = s[odd].astype(str).str.strip().str.replace(",", ".", regex=False)
        retry = pd.to_numeric(fixed, errors="coerce")
        num[odd] = retry.to_numpy()
        notes.missing(NOT_A_CODE, column, int((retry.isna() & (fixed != "")).sum()))
    return num


def to_codes(values: pd.Series, column: str, notes: Notes) -> pd.Series:
    """Strings (or numbers) -> float codes; blank -> NaN; anything else -> NaN, counted as not a code.

    Categorical input (what :func:`read_table` gives) is converted per category, not per cell.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = pd.Series(values.cat.categories.astype(object))
        counter = Notes()
        num = _numeric_strings(cats, column, counter).to_numpy()
        codes = values.cat.codes.to_numpy()
        out = np.where(codes >= 0, num[np.maximum(codes, 0)], np.nan)
        if counter.set_missing:
            bad_cats = np.flatnonzero(
                np.isnan(num) & (cats.astype(str).str.strip() != "").to_numpy()
            )
            notes.missing(NOT_A_CODE, column, int(np.isin(codes, bad_cats).sum()))
        return pd.Series(out, index=values.index, dtype="float64")
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    return _numeric_strings(values, column, notes)


def _text_cell(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v)
    return s if s.strip() else None


def _text_cells(values) -> list:
    """:func:`_text_cell` of each value; for plain strings (what a text export gives) without a
    Python call per value."""
    arr = np.asarray(values, dtype=object)
    if set(map(type, arr)) <= {str}:
        return [v if k else None for v, k in zip(arr, map(str.strip, arr), strict=True)]
    return [_text_cell(v) for v in arr]


def to_text(values: pd.Series) -> pd.Series:
    """Cells -> str or None (blank and whitespace-only become None; 301.0 becomes '301')."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = np.array([*_text_cells(values.cat.categories), None], dtype=object)
        return pd.Series(cats[values.cat.codes.to_numpy()], index=values.index, dtype=object)
    return values.map(_text_cell).astype(object)


def assemble(
    columns: dict[str, pd.Series],
    cb: Codebook,
    *,
    path,
    notes: Notes,
    n: int,
    present_headers: Iterable[str] = (),
    unknown: Iterable[str] = (),
) -> pd.DataFrame:
    """Canonical frame from ``canonical -> raw Series``: codes to float, text to str/None.

    An export that matches too few of the instrument's columns is refused
    (:func:`check_coverage`); missing required columns raise; other missing items are warned
    about and left blank.
    """
    check_coverage(columns, cb, path=path, unknown=unknown)
    for req in cb.required_columns:
        if req not in columns:
            raise InputFileError(path, f"required column '{req}' is missing")
    missing = [c for c in cb.item_columns if c not in columns]
    if missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        notes.warnings.append(
            f"{len(missing)} item column(s) not in the export, left empty: {shown}"
        )
    text_columns = set(cb.text_columns)
    # the coded items filled into one float block (no gathering of 60 columns afterwards),
    # the text items inserted at their places
    coded = [c for c in cb.item_columns if c not in text_columns]
    block = np.full((len(coded), n), np.nan)
    for i, c in enumerate(coded):
        if c in columns:
            block[i] = to_codes(columns[c], c, notes).to_numpy(dtype="float64")
    out = pd.DataFrame(block.T, columns=coded, index=pd.RangeIndex(n), copy=False)
    for pos, c in enumerate(cb.item_columns):
        if c in text_columns:
            values = (
                to_text(columns[c]).to_numpy(dtype=object)
                if c in columns
                else np.full(n, None, dtype=object)
            )
            out.insert(pos, c, values)
    return out


def check_coverage(columns, cb: Codebook, *, path, unknown: Iterable[str] = ()) -> None:
    """Refuse an export that matches under half of the instrument's columns, or none beyond
    the required ones: it is another questionnaire (or another version), and reading it would
    leave every unmatched answer blank. The message points to ``codebook draft``.
    """
    total = len(cb.item_columns)
    matched = [c for c in cb.item_columns if c in columns]
    beyond = [c for c in matched if c not in set(cb.required_columns)]
    if 2 * len(matched) >= total and beyond:
        return
    unknown = list(unknown)
    shown = ", ".join(f"'{h}'" for h in unknown[:4]) + (" …" if len(unknown) > 4 else "")
    raise InputFileError(
        path,
        f"only {len(matched)} of the {total} columns of instrument version {cb.version} are in "
        "the export"
        + (f" ({len(unknown)} header(s) unmatched: {shown})" if unknown else "")
        + "; if it is another questionnaire or version, draft its instrument with 'python -m "
        f"analysis codebook draft --source {path} --out FILE.yaml' and register with "
        "--instrument FILE.yaml; nothing was registered",
    )


def warn_unknown(headers: Iterable[str], notes: Notes) -> None:
    unknown = list(headers)
    if unknown:
        shown = ", ".join(f"'{h}'" for h in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        notes.warnings.append(f"{len(unknown)} unknown column(s) ignored: {shown}")


def note_nul(count: int, notes: Notes, what: str = "the export") -> None:
    """Warn that NUL characters were removed from a text file (see :mod:`.encoding`)."""
    if count:
        notes.warnings.append(
            f"{count} NUL character(s) removed from {what} (a damaged export?); the text "
            "around them was kept"
        )


def header_names(df: pd.DataFrame) -> list[str]:
    """The header of a table as written in the file, one name per column of ``df``.

    pandas renames a repeated header (``a``, ``a`` become ``a``, ``a.1``); :func:`read_table`
    keeps the names as written in ``df.attrs``. The first occurrence of a name is also its column
    key in ``df``; use ``df.columns[i]`` to reach the i-th column.
    """
    raw = df.attrs.get("header")
    if raw is not None and len(raw) == df.shape[1]:
        return [str(h) for h in raw]
    return [str(c) for c in df.columns]


def unique_names(header: list[str]) -> list[str]:
    """Column keys for a header that may repeat names: the first occurrence keeps its name,
    later ones get ``.1``, ``.2``, … (as pandas does), never colliding with another name.

    >>> unique_names(["a", "b", "a", "a.1"])
    ['a', 'b', 'a.2', 'a.1']
    """
    taken = set(header)
    seen: set[str] = set()
    out = []
    for h in header:
        if h not in seen:
            seen.add(h)
            out.append(h)
            continue
        k = 1
        while f"{h}.{k}" in taken:
            k += 1
        taken.add(f"{h}.{k}")
        out.append(f"{h}.{k}")
    return out


def _cell_key(v) -> str | None:
    """A cell as text for comparing copies of a column: blank -> None, 3.0 -> '3'."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


#: Warning for a header that occurs more than once (see :func:`merge_repeated`).
REPEATED_HEADER = (
    "column '{header}' occurs {k} times (file columns {cols}); no row has two different "
    "answers in them, so the copies were merged ({filled} rows with an answer)"
)


def merge_repeated(
    copies: dict[str, list[tuple[int, str, pd.Series]]], *, path, notes: Notes
) -> dict[str, pd.Series]:
    """One Series per target from every column of the file that maps to it.

    ``copies`` maps a target (a canonical column, or a checkbox question for Microsoft Forms) to
    its columns in the file: ``(1-based file column, header as written, values)``. One column is
    returned as it is. When a header occurs more than once (an export edited by hand, a form with
    a question pasted twice), the rule is: the copies are merged cell by cell, each row taking
    the answer that is there, and a warning says so; if any row has two different answers, no
    answer is chosen silently: an :class:`InputFileError` names the file, the first such row and
    the column.
    """
    out = {}
    for target, cols in copies.items():
        if len(cols) == 1:
            out[target] = cols[0][2]
            continue
        header = cols[0][1]
        where = ", ".join(str(c[0]) for c in cols)
        keys = [c[2].astype(object).map(_cell_key).to_numpy() for c in cols]
        values = [c[2].astype(object).to_numpy() for c in cols]
        merged = np.full(len(keys[0]), None, dtype=object)
        chosen = np.full(len(keys[0]), None, dtype=object)
        clash = np.zeros(len(keys[0]), dtype=bool)
        other = np.full(len(keys[0]), None, dtype=object)
        for key, vals in zip(keys, values, strict=True):
            present = np.array([k is not None for k in key], dtype=bool)
            have = np.array([c is not None for c in chosen], dtype=bool)
            new_clash = present & have & (chosen != key) & ~clash
            other[new_clash] = key[new_clash]
            clash |= new_clash
            take = present & ~have
            chosen[take] = key[take]
            merged[take] = vals[take]
        if clash.any():
            i = int(np.flatnonzero(clash)[0])
            raise InputFileError(
                path,
                f"column '{header}' occurs {len(cols)} times (file columns {where}) with "
                f"different answers ({chosen[i]!r} and {other[i]!r}): remove the wrong copy "
                "from the export and register it again",
                row=i + 1,
                column=header,
            )
        notes.warnings.append(
            REPEATED_HEADER.format(
                header=header,
                k=len(cols),
                cols=where,
                filled=int(sum(c is not None for c in chosen)),
            )
        )
        out[target] = pd.Series(merged, dtype=object)
    return out


def find_column(headers: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The first header matching one of ``candidates`` (normalised), or None."""
    by_norm = {}
    for h in headers:
        by_norm.setdefault(norm(h), h)
    for c in candidates:
        if norm(c) in by_norm:
            return by_norm[norm(c)]
    return None
