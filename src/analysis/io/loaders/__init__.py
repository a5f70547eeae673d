"""Loaders: every export format onto the canonical columns of the codebook.

:func:`read_export` is the one entry point: it detects the format (or takes the one named),
reads the file with the matching loader and returns a :class:`LoadedExport`. Formats:
``nettskjema`` (:mod:`.nettskjema`), ``surveyxact`` (:mod:`.surveyxact`), ``spss`` (:mod:`.spss`),
``forms`` (:mod:`.forms`). Text encodings are detected (:mod:`.encoding`), never assumed.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> heads = [cb.source_column(c, "nettskjema") for c in cb.item_columns]
>>> category, row = cb.category_source, cb.question(cb.question_for("competence")).columns[0]
>>> answers = {category: "4", cb.source_column(row, "nettskjema"): "9"}
>>> _ = p.write_text(";".join(f'"{h}"' for h in ["$submission_id", *heads, "$answer_time_ms"]) + "\\n"
...                  + ";".join(f'"{v}"' for v in ["17", *(answers.get(h, "") for h in heads), "1200"])
...                  + "\\n", encoding="utf-8")
>>> ex = read_export(p)
>>> ex.format, ex.encoding, ex.version, ex.data.loc[0, [category, row]].astype(int).tolist()
('nettskjema', 'utf-8', 1, [4, 9])
"""

from __future__ import annotations

from pathlib import Path

from analysis.errors import InputFileError, UserError
from analysis.io.loaders.base import LoadedExport
from analysis.io.loaders.detect import detect_format
from analysis.io.loaders.forms import read_forms
from analysis.io.loaders.nettskjema import read_nettskjema
from analysis.io.loaders.spss import read_spss
from analysis.io.loaders.surveyxact import companion_files, read_surveyxact

READERS = {
    "nettskjema": read_nettskjema,
    "surveyxact": read_surveyxact,
    "spss": read_spss,
    "forms": read_forms,
}


__all__ = ["LoadedExport", "READERS", "companion_files", "detect_format", "read_export"]


def read_export(path: str | Path, *, fmt: str = "auto", version: int | None = None) -> LoadedExport:
    """Read one export.

    Parameters
    ----------
    path : str or Path
        The export (for SurveyXact as three files: the dataset file).
    fmt : {"auto", "nettskjema", "surveyxact", "spss", "forms"}
        ``"auto"`` recognises the format from the content (:func:`detect_format`).
    version : int, optional
        Instrument version; inferred from the columns when None (``LoadedExport.version_how``
        says how it was chosen).

    Raises
    ------
    InputFileError
        Anything wrong with the file: empty, header only, binary, undecodable, unknown format,
        a required column missing, a damaged row (named).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not an export file")
    if fmt == "auto":
        fmt, _ = detect_format(path)
    if fmt not in READERS:
        raise UserError(f"unknown format {fmt!r}: use one of auto, {', '.join(READERS)}")
    try:
        return READERS[fmt](path, version=version)
    except (InputFileError, UserError):
        raise
    except (UnicodeError, ValueError, KeyError, IndexError, TypeError, OverflowError) as exc:
        # a damaged file the specific checks did not anticipate: still one clear line, never a traceback
        raise InputFileError(
            path, f"cannot read as a {fmt} export ({type(exc).__name__}: {exc})"
        ) from None
