"""Recognise an export's format from its content (not its name).

- ``$FL2``/``$FL3`` magic: SPSS ``.sav``;
- a ZIP (``.xlsx``) workbook with sheets Dataset, Structure and Labels: SurveyXact; a first sheet
  whose header starts with ``ID`` and ``Start time``/``Starttidspunkt``: Microsoft Forms;
- text with ``$submission_id`` in the header, or a tab-separated header starting ``NR`` with
  ``Opprettet``: Nettskjema;
- text with status columns ``stato_1..5``, or with structure and labels files beside it:
  SurveyXact.

Anything else is an :class:`InputFileError` ("unknown format").
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputFileError
from analysis.io.loaders.base import norm
from analysis.io.loaders.encoding import first_line, read_text, sniff_delimiter
from analysis.io.loaders.nettskjema import looks_like_nettskjema

SPSS_MAGIC = (b"$FL2", b"$FL3")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def detect_format(path: str | Path) -> tuple[str, str | None]:
    """``(format, encoding)`` of an export; encoding is None for SPSS and ``"xlsx"`` for workbooks."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise InputFileError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if not head:
        raise InputFileError(path, "the file is empty")
    if head[:4] in SPSS_MAGIC:
        return "spss", None
    if head.startswith(OLE_MAGIC):
        raise InputFileError(
            path, "an old binary Excel (.xls) file: save it as .xlsx and register again"
        )
    if head.startswith(ZIP_MAGIC):
        return _detect_workbook(path), "xlsx"
    text, encoding = read_text(path)
    header = first_line(text)
    if looks_like_nettskjema(header):
        return "nettskjema", encoding
    fields = [norm(f.strip().strip('"')) for f in header.split(sniff_delimiter(header))]
    if any(f.startswith("stato_") or f == "stato" for f in fields):
        return "surveyxact", encoding
    from analysis.io.loaders.surveyxact import companion_files

    try:
        companion_files(path)
        return "surveyxact", encoding
    except InputFileError:
        pass
    raise InputFileError(
        path,
        "unknown format: not a Nettskjema report ($submission_id or NR/Opprettet "
        "header), SurveyXact dataset, SPSS .sav or Microsoft Forms workbook; "
        "name it with --format",
    )


def _detect_workbook(path: Path) -> str:
    from analysis.io.loaders.forms import SYSTEM_HEADERS, open_workbook

    wb = open_workbook(path)
    try:
        names = {n.strip().lower() for n in wb.sheetnames}
        if {"dataset", "structure", "labels"} <= names:
            return "surveyxact"
        ws = wb.worksheets[0]
        try:
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None) or ()
        except Exception as exc:  # a damaged sheet (parsed lazily)
            raise InputFileError(path, f"damaged worksheet ({type(exc).__name__})") from None
    finally:
        wb.close()
    fields = [norm(h) for h in header if h is not None]
    if fields and fields[0] == "id" and any(f in SYSTEM_HEADERS for f in fields[1:3]):
        return "forms"
    raise InputFileError(
        path,
        "unknown workbook layout: neither a SurveyXact workbook (sheets Dataset, "
        "Structure, Labels) nor a Microsoft Forms export (ID, Start time, …)",
    )
