"""Microsoft Forms Excel exports.

Leading columns ``ID, Start time, Completion time, Email, Name`` (Norwegian tenant: ``ID,
Starttidspunkt, Fullføringstidspunkt, E-postadresse, Navn``), then one column per question titled
with the question TEXT (a matrix row: ``<question text> [<row text>]``, see
``Codebook.source_column(col, "forms")``), answers as label text, multi-select answers joined by
``;`` (often with a trailing ``;``). An empty checkbox cell means the question was not answered:
all its options are NA.

``Email`` and ``Name`` are personal data: their cells are skipped while the sheet is read, so they
never enter a DataFrame, a log or an output; only the column names are reported as dropped.
Headers and answers are matched after Unicode NFC normalisation, whitespace collapsing and
case folding.

Examples
--------
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> m = forms_headers(cb)
>>> kind, column = m[norm("Hvor enig eller uenig er du i disse påstandene? [Medvirkning gir bedre bomiljø]")]
>>> kind, cb.label(column, lang="en")
('matrix', 'Participation gives a better housing environment')
>>> m[norm("Hvilke former for medvirkning bruker dere?")][0]
'checkbox'
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.instrument.codebook import Codebook, load_codebook
from analysis.io.loaders.base import (
    LoadedExport,
    Notes,
    assemble,
    choose_version,
    merge_repeated,
    norm,
    warn_unknown,
)

PERSONAL_HEADERS = ("email", "name", "e-postadresse", "e-post", "e-mail", "navn")
SYSTEM_HEADERS = (
    "id",
    "start time",
    "completion time",
    "last modified time",
    "starttidspunkt",
    "fullføringstidspunkt",
    "sist endret",
    "tidspunkt for siste endring",
)
UNKNOWN_ANSWER = "unknown answer text"


def open_workbook(path: Path):
    """Open an ``.xlsx`` read-only; an unreadable workbook is an :class:`InputFileError`."""
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputFileError(path, f"not a readable Excel workbook ({exc})") from None
    except Exception as exc:  # openpyxl raises a variety of errors on damaged files
        raise InputFileError(
            path, f"not a readable Excel workbook ({type(exc).__name__})"
        ) from None


def sheet_rows(ws, keep=None, *, path="<workbook>") -> list[tuple]:
    """Rows of a worksheet as tuples, trailing empty rows dropped; ``keep`` selects column positions.

    A read-only workbook parses its XML lazily, so damage shows up here: an :class:`InputFileError`.
    """
    rows = []
    try:
        for r in ws.iter_rows(values_only=True):
            if keep is not None:
                r = tuple(r[i] if i < len(r) else None for i in keep)
            rows.append(r)
    except Exception as exc:  # zipfile, XML and openpyxl errors on a damaged sheet
        raise InputFileError(
            path, f"damaged worksheet {ws.title!r} ({type(exc).__name__})"
        ) from None
    while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    return rows


def forms_headers(cb: Codebook) -> dict[str, tuple[str, str]]:
    """Normalised Forms header -> (kind, target): ``single``/``text``/``matrix`` -> canonical
    column, ``checkbox`` -> question id."""
    out: dict[str, tuple[str, str]] = {}
    for q in cb.questions.values():
        if q.type == "checkbox":
            out[norm(q.text("nb"))] = ("checkbox", q.id)
        else:
            for c in q.columns:
                out[norm(cb.source_column(c, "forms"))] = (q.type, c)
    return out


def _forms_expected(cb: Codebook, source: str) -> dict[str, str]:
    return {h: t for h, (_, t) in forms_headers(cb).items()}


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        if np.isnan(v):
            return None
        if v.is_integer():
            v = int(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    s = str(v)
    return s if s.strip() else None


def read_forms(path: str | Path, *, version: int | None = None) -> LoadedExport:
    """Read a Microsoft Forms ``.xlsx`` export into canonical columns (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    wb = open_workbook(path)
    try:
        ws = wb.worksheets[0]
        try:
            header_row = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
        except Exception as exc:  # a damaged sheet (parsed lazily)
            raise InputFileError(path, f"damaged worksheet ({type(exc).__name__})") from None
        if not header_row or all(h is None for h in header_row):
            raise InputFileError(path, "the workbook's first sheet is empty")
        header = ["" if h is None else str(h) for h in header_row]
        personal = [i for i, h in enumerate(header) if norm(h) in PERSONAL_HEADERS]
        keep = [i for i in range(len(header)) if i not in personal]
        rows = sheet_rows(
            ws, keep=keep, path=path
        )  # personal columns are never taken from the sheet
    finally:
        wb.close()
    dropped = [header[i] for i in personal]
    kept_header = [header[i] for i in keep]
    body = rows[1:]
    if not body:
        raise InputFileError(path, "the file has a header but no data rows")
    n = len(body)
    by_pos = [[_cell_text(r[j]) for r in body] for j in range(len(kept_header))]
    cells: dict[str, list] = {}
    for h, values in zip(kept_header, by_pos, strict=True):
        if h:
            cells.setdefault(h, values)  # the first of a repeated header (system columns)
    notes = Notes()
    system = {h for h in kept_header if norm(h) in SYSTEM_HEADERS}
    items = [h for h in kept_header if h and h not in system]
    version, how = choose_version(items, "forms", version, path, expected=_forms_expected)
    cb = load_codebook(version)
    mapping = forms_headers(cb)
    copies: dict[tuple[str, str], list] = {}
    unknown = []
    for j, h in enumerate(kept_header):
        if not h or h in system:
            continue
        kind, target = mapping.get(norm(h), (None, None))
        if kind is None:
            unknown.append(h)
        else:  # file column numbers count the personal columns too (never read)
            pos = keep[j] + 1
            copies.setdefault((kind, target), []).append(
                (pos, h, pd.Series(by_pos[j], dtype=object))
            )
    columns: dict[str, pd.Series] = {}
    for (kind, target), values in merge_repeated(copies, path=path, notes=notes).items():
        answers = [None if v is None else str(v) for v in values]
        if kind == "checkbox":
            columns.update(_checkbox(answers, cb.question(target), notes))
        elif kind == "text":
            columns[target] = pd.Series(answers, dtype=object)
        else:
            columns[target] = _single(answers, target, cb, notes)
    warn_unknown(unknown, notes)
    data = assemble(columns, cb, path=path, notes=notes, n=n, unknown=unknown)
    id_col = next((h for h in kept_header if norm(h) == "id"), None)
    if id_col is None:
        notes.warnings.append("no ID column: rows are named by position")
        sub = pd.Series([None] * n, dtype=object)
    else:
        sub = pd.Series(cells[id_col], dtype=object)
    return LoadedExport(
        data=data,
        submission_id=sub,
        format="forms",
        encoding="xlsx",
        version=version,
        version_how=how,
        warnings=notes.warnings,
        set_missing=notes.as_dict(),
        dropped_columns=dropped,
        source_files=[path],
    )


def _single(cells: list, column: str, cb: Codebook, notes: Notes) -> pd.Series:
    labels = {norm(text): code for code, text in cb.value_labels(column).items()}
    out = np.full(len(cells), np.nan)
    bad = 0
    for i, v in enumerate(cells):
        if v is None:
            continue
        key = norm(v)
        if key in labels:
            out[i] = labels[key]
        else:
            try:
                out[i] = float(key)  # a bare code is accepted; ingest checks its range
            except ValueError:
                bad += 1
    notes.missing(UNKNOWN_ANSWER, column, bad)
    return pd.Series(out)


def _checkbox(cells: list, q, notes: Notes) -> dict[str, pd.Series]:
    options = {norm(o.text("nb")): f"{q.id}_{o.id}" for o in q.options}
    out = {c: np.full(len(cells), np.nan) for c in options.values()}
    bad = 0
    for i, v in enumerate(cells):
        if v is None:
            continue  # an empty cell: the question was not answered
        chosen = {norm(p) for p in v.split(";")} - {""}
        for arr in out.values():
            arr[i] = 0.0
        for p in chosen:
            if p in options:
                out[options[p]][i] = 1.0
            else:
                bad += 1
    notes.missing(UNKNOWN_ANSWER, q.id, bad)
    return {c: pd.Series(v) for c, v in out.items()}
