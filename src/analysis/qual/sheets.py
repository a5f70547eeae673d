"""Coding sheets: an Excel workbook per coder, written from the segments and read back with checks.

Layout of sheet ``coding`` (row 1 is the header, one segment per row from row 2):

``segment_id`` | ``source`` | ``text`` (redacted) | ``suggested`` (keyword suggestions,
:mod:`analysis.qual.suggest`) | one column per code id (``1`` applies, ``0`` or blank does not) |
``quote`` (``1``: the segment may be quoted in a report; only the reconciled sheet counts) |
``comment`` (free, never read). Sheet ``codes`` lists the frame (labels, definitions, rules).

Reading back (:func:`read_sheet`) refuses, with ONE line ``FILE, sheet S, row R, column C:
reason`` (exit 2 on the command line) and without changing anything: a missing ``coding`` sheet or
``segment_id`` column, a column that is not a code of the frame (unknown code), a code of the frame
without a column, a segment id that is not one of the wave's segments (unknown segment) or appears
twice, and any value other than 0, 1 or blank. Rows that are entirely blank are skipped; segments
left out of a sheet are simply not coded by that coder (agreement uses the segments both coded).

Registered sheets live in ``data/raw/WAVE/coding/<coder>.xlsx`` (read-only, checksum in the
manifest under role ``coding:<coder>``). The reconciled, final coding is the coder
:data:`FINAL_CODER` (``final``).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

import pandas as pd

from analysis.errors import InputFileError, UserError
from analysis.qual.codeframe import CodingFrame
from analysis.qual.suggest import suggest_all

SHEET = "coding"
CODES_SHEET = "codes"
LEAD_COLUMNS = ("segment_id", "source", "text", "suggested")
TAIL_COLUMNS = ("quote", "comment")
#: The coder name of the reconciled (final) coding.
FINAL_CODER = "final"
CODING_DIR = "coding"
ROLE_PREFIX = "coding:"
_CODER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class SheetError(InputFileError):
    """A problem in a coding sheet: ``FILE, sheet S, row R, column C: reason``."""

    def __init__(self, path, problem, *, sheet=SHEET, row=None, column=None):
        self.path, self.problem, self.row, self.column, self.sheet = (
            str(path),
            problem,
            row,
            column,
            sheet,
        )
        where = f"{self.path}, sheet {sheet}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column}"
        UserError.__init__(self, f"{where}: {problem}")


def check_coder(name: str) -> str:
    """A coder name: letters, digits, ``.``, ``_``, ``-`` (it names a file)."""
    if not isinstance(name, str) or not _CODER_RE.match(name):
        raise UserError(f"invalid coder name {name!r}: use letters, digits, '.', '_' or '-'")
    return name


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def write_sheet(
    segments: pd.DataFrame,
    frame: CodingFrame,
    path: str | Path,
    *,
    coding: pd.DataFrame | None = None,
    lang: str = "nb",
) -> Path:
    """Write a coding sheet for ``segments`` (atomically: a temporary file, then renamed).

    Parameters
    ----------
    segments : DataFrame
        :func:`analysis.clean.segments.load_segments` (``segment_id``, ``source``, ``text``).
    frame : CodingFrame
    path : str or Path
        The ``.xlsx`` to write.
    coding : DataFrame, optional
        Values to fill in (index segment id, columns code ids and ``quote``), e.g. a demo coder.
    lang : {"nb", "en"}
        Language of the ``codes`` sheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header = [*LEAD_COLUMNS, *frame.ids, *TAIL_COLUMNS]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    suggested = suggest_all(segments["text"].fillna(""), frame)
    fill_cols = [*frame.ids, "quote"]
    filled = None
    if coding is not None:
        filled = coding.reindex(index=segments["segment_id"], columns=fill_cols).to_numpy()
    for i, ((sid, source, text), sug) in enumerate(
        zip(
            segments[["segment_id", "source", "text"]].itertuples(index=False),
            suggested,
            strict=True,
        )
    ):
        values = [None] * len(fill_cols)
        if filled is not None:
            values = [1 if pd.notna(v) and int(v) == 1 else None for v in filled[i]]
        ws.append([sid, source, text, sug, *values, None])
    n = ws.max_row
    first, last = len(LEAD_COLUMNS) + 1, len(LEAD_COLUMNS) + len(frame.ids) + 1
    if n > 1:
        from openpyxl.utils import get_column_letter

        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
        dv.error, dv.errorTitle = "0, 1 or blank", "Coding"
        dv.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{n}")
        ws.add_data_validation(dv)
        ws.column_dimensions["A"].width = 26
        ws.column_dimensions["C"].width = 80
        ws.column_dimensions["D"].width = 28
        for (cell,) in ws.iter_rows(min_row=2, min_col=3, max_col=3):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "E2"
    cs = wb.create_sheet(CODES_SHEET)
    cs.append(["code", "label", "definition", "include", "exclude", "examples", "keywords"])
    for c in frame.codes:
        cs.append(
            [
                c.id,
                c.label(lang),
                c.definition(lang),
                c.include(lang) if c.include else "",
                c.exclude(lang) if c.exclude else "",
                " | ".join(c.examples),
                ", ".join(c.keywords),
            ]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


def _value(v) -> int | None | str:
    """0/1 for a valid cell, None for blank, the string 'bad' otherwise."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "bad"
    if isinstance(v, int | float):
        return int(v) if v in (0, 1) else "bad"
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None
        return int(s) if s in ("0", "1") else "bad"
    return "bad"


def read_sheet(
    path: str | Path, frame: CodingFrame, segment_ids, *, display_name: str | None = None
) -> pd.DataFrame:
    """Read a filled coding sheet and check it (see the module docstring).

    Parameters
    ----------
    path : str or Path
    frame : CodingFrame
    segment_ids : iterable of str
        The wave's segment ids.
    display_name : str, optional
        The file name used in error messages (default: ``path``).

    Returns
    -------
    DataFrame
        Indexed by ``segment_id`` (sheet order), one Int8 column per code (blank read as 0) and
        ``quote``; ``attrs["rows"]`` maps segment id to the sheet row.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    name = display_name or str(path)
    if not path.is_file():
        raise InputFileError(name, "file not found")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputFileError(
            name, f"not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        if SHEET not in wb.sheetnames:
            raise InputFileError(
                name, f"no sheet named {SHEET!r} (sheets: {', '.join(wb.sheetnames)})"
            )
        ws = wb[SHEET]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise SheetError(name, "the sheet is empty", row=1)
        cols: dict[str, int] = {}
        for j, h in enumerate(header):
            if h is None or (isinstance(h, str) and not h.strip()):
                continue
            h = str(h).strip()
            letter = get_column_letter(j + 1)
            if h in cols:
                raise SheetError(name, f"column {h!r} appears twice", row=1, column=letter)
            if h not in LEAD_COLUMNS and h not in TAIL_COLUMNS and h not in frame:
                raise SheetError(
                    name,
                    f"unknown code {h!r} (not in coding frame {frame.id!r})",
                    row=1,
                    column=letter,
                )
            cols[h] = j
        if "segment_id" not in cols:
            raise SheetError(name, "no 'segment_id' column", row=1)
        missing = [c for c in frame.ids if c not in cols]
        if missing:
            raise SheetError(name, f"no column for code {missing[0]!r} of the coding frame", row=1)
        known = set(segment_ids)
        value_cols = [*frame.ids, *(["quote"] if "quote" in cols else [])]
        out_ids: list[str] = []
        out_vals: list[list[int]] = []
        where: dict[str, int] = {}
        sid_j = cols["segment_id"]
        for r, row in enumerate(rows, start=2):
            row = tuple(row) + (None,) * (len(header) - len(row))
            cells = {c: row[cols[c]] for c in value_cols}
            sid = row[sid_j]
            sid = str(sid).strip() if sid is not None else ""
            if not sid:
                if any(_value(v) not in (None,) for v in cells.values()):
                    raise SheetError(
                        name,
                        "a coded row has no segment id",
                        row=r,
                        column=get_column_letter(sid_j + 1),
                    )
                continue
            if sid not in known:
                raise SheetError(
                    name, f"unknown segment {sid!r}", row=r, column=get_column_letter(sid_j + 1)
                )
            if sid in where:
                raise SheetError(
                    name,
                    f"segment {sid!r} appears twice (first in row {where[sid]})",
                    row=r,
                    column=get_column_letter(sid_j + 1),
                )
            vals = []
            for c in value_cols:
                v = _value(cells[c])
                if v == "bad":
                    raise SheetError(
                        name,
                        f"value {cells[c]!r} for {'quote' if c == 'quote' else 'code ' + repr(c)}: use 1, 0 or blank",
                        row=r,
                        column=get_column_letter(cols[c] + 1),
                    )
                vals.append(0 if v is None else v)
            where[sid] = r
            out_ids.append(sid)
            out_vals.append(vals)
    finally:
        wb.close()
    df = pd.DataFrame(out_vals, index=pd.Index(out_ids, name="segment_id"), columns=value_cols)
    if "quote" not in df:
        df["quote"] = 0
    df = df.astype("Int8") if len(df) else df.astype("Int8")
    df.attrs["rows"] = where
    return df


# ---------------------------------------------------------------------------------------------
# commands: sheets, import, registered codings
# ---------------------------------------------------------------------------------------------


def _wave_inputs(wave: str, root: Path | None):
    from analysis.clean.segments import load_segments
    from analysis.qual.codeframe import frame_for_wave

    return load_segments(wave, root=root), frame_for_wave(wave, root=root)


def default_sheets_dir(wave: str, root: Path | None = None) -> Path:
    """``data/interim/WAVE/coding/``: where blank sheets go (never committed, never published)."""
    from analysis import paths

    return (root or paths.project_root()) / "data" / "interim" / paths.check_wave(wave) / CODING_DIR


def coding_sheets(
    wave: str,
    coder: str,
    *,
    out: str | Path | None = None,
    force: bool = False,
    lang: str = "nb",
    root: Path | None = None,
) -> Path:
    """Write ``NAME.xlsx`` for a coder (``python -m analysis coding sheets``).

    An existing sheet is never overwritten without ``force`` (it may hold a coder's work).
    """
    check_coder(coder)
    segments, frame = _wave_inputs(wave, root)
    folder = Path(out) if out is not None else default_sheets_dir(wave, root)
    path = folder / f"{coder}.xlsx"
    if path.exists() and not force:
        raise UserError(f"{path} exists (it may hold a coder's work): pass --force to overwrite it")
    return write_sheet(segments, frame, path, lang=lang)


def import_sheet(
    wave: str, sheet: str | Path, coder: str, *, root: Path | None = None
) -> pd.DataFrame:
    """Check a filled sheet and register it as ``data/raw/WAVE/coding/<coder>.xlsx``.

    Nothing is changed unless the whole sheet is valid. A coder's earlier sheet is replaced
    (atomically, manifest checksum updated). Returns the coding read.
    """
    from analysis import paths
    from analysis.clean.notes import manifest_lock

    check_coder(coder)
    sheet = Path(sheet)
    segments, frame = _wave_inputs(wave, root)
    coding = read_sheet(sheet, frame, segments["segment_id"])
    raw = paths.raw_dir(wave, root)
    with manifest_lock(raw):
        _register_locked(raw, sheet, coder)
    return coding


def _register_locked(raw: Path, sheet: Path, coder: str) -> None:
    from analysis.clean.notes import copy_read_only, write_manifest_atomic
    from analysis.io.manifest import Manifest, sha256_file

    manifest = Manifest.read(raw)
    rel = f"{CODING_DIR}/{coder}.xlsx"
    dest = raw / rel
    backup = None
    if dest.exists():
        backup = dest.with_name(f".{dest.name}.previous")
        os.replace(dest, backup)
    try:
        copy_read_only(sheet, dest)
        manifest.extra_files[ROLE_PREFIX + coder] = rel
        manifest.extra_sha256[rel] = sha256_file(dest)
        write_manifest_atomic(manifest, raw)
    except BaseException:
        if dest.exists():
            os.chmod(dest, stat.S_IRUSR | stat.S_IWUSR)
            dest.unlink()
        if backup is not None:
            os.replace(backup, dest)
        raise
    if backup is not None:
        os.chmod(backup, stat.S_IRUSR | stat.S_IWUSR)
        backup.unlink()


def registered_coders(wave: str, *, root: Path | None = None) -> list[str]:
    """Coders whose sheets are registered for a wave (manifest order)."""
    from analysis import paths
    from analysis.io.manifest import Manifest

    m = Manifest.read(paths.raw_dir(wave, root))
    return [k[len(ROLE_PREFIX) :] for k in m.extra_files if k.startswith(ROLE_PREFIX)]


def load_codings(wave: str, *, coders=None, root: Path | None = None) -> dict[str, pd.DataFrame]:
    """The registered codings of a wave, checked against its segments and frame (coder -> coding)."""
    from analysis import paths
    from analysis.io.manifest import Manifest, sha256_file

    raw = paths.raw_dir(wave, root)
    manifest = Manifest.read(raw)
    segments, frame = _wave_inputs(wave, root)
    out = {}
    for coder in coders if coders is not None else registered_coders(wave, root=root):
        rel = manifest.extra_files.get(ROLE_PREFIX + coder)
        if rel is None:
            raise UserError(f"no coding sheet registered for coder {coder!r} in wave {wave!r}")
        if sha256_file(raw / rel) != manifest.extra_sha256.get(rel):
            raise InputFileError(
                raw / rel, "checksum differs from the manifest: the sheet was changed"
            )
        out[coder] = read_sheet(raw / rel, frame, segments["segment_id"])
    return out
