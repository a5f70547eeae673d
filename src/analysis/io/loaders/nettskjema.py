"""Nettskjema (University of Oslo) CSV reports.

Two layouts are read:

- the current report: ``;``-separated, every field quoted, system columns starting with ``$``
  (``$submission_id`` first, ``$created`` ISO 8601 with offset or empty for anonymous forms,
  ``$answer_time_ms`` last);
- the old web download: a tab-separated ``.txt`` with Norwegian system headers ``NR``,
  ``Opprettet`` (``dd.mm.yyyy HH:MM``) and ``Svartid``.

With the codebook activated the item headers are external ids: ``q`` for a single choice or text,
``q.r`` for a matrix row or checkbox option. A header splits on its FIRST dot only
(:func:`split_header`), so ``grid.row_a`` is question ``grid``, row ``row_a``.

Examples
--------
>>> split_header("grid.row_a")
('grid', 'row_a')
>>> split_header("q.a.b")
('q', 'a.b')
>>> v2 = load_codebook(2)                     # a renamed option: new header, canonical column kept
>>> renamed = next(c for c in v2.item_columns if v2.source_column(c, "nettskjema") != c.replace("_", ".", 1))
>>> canonical_column(v2.source_column(renamed, "nettskjema"), v2) == renamed
True
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.instrument.codebook import Codebook, load_codebook
from analysis.io.loaders.base import (
    LoadedExport,
    Notes,
    assemble,
    choose_version,
    header_names,
    merge_repeated,
    norm,
    note_nul,
    to_text,
    warn_unknown,
)
from analysis.io.loaders.encoding import (
    first_line,
    read_table,
    read_text_counted,
    sniff_delimiter,
)

OLD_SYSTEM = ("nr", "opprettet", "svartid")


def split_header(header: str) -> tuple[str, str | None]:
    """Split a Nettskjema header on its first dot: ``(question, row_or_option)``."""
    q, dot, rest = header.strip().partition(".")
    return q, (rest if dot else None)


def canonical_column(header: str, cb: Codebook) -> str | None:
    """The canonical column of a Nettskjema header, or None if the codebook lacks it."""
    q, part = split_header(header)
    q = q.lower()
    if q not in cb.questions:
        return None
    question = cb.questions[q]
    if part is None:
        return q if not question.parts else None
    col = f"{q}_{cb.canonical_part_id(q, part.lower())}"
    return (
        col
        if col in question.columns and part.lower() == cb.native_part_id(q, col[len(q) + 1 :])
        else None
    )


def is_old_layout(header_line: str) -> bool:
    fields = [norm(f.strip('"')) for f in header_line.split("\t")]
    return len(fields) > 1 and fields[0] == "nr" and "opprettet" in fields


def looks_like_nettskjema(header_line: str) -> bool:
    """True for a header with Nettskjema's system columns (current or old layout)."""
    return "$submission_id" in header_line or is_old_layout(header_line)


def _created(df: pd.DataFrame, old: bool) -> pd.Series | None:
    if old:
        col = next((c for c in df.columns if norm(c) == "opprettet"), None)
        if col is None:
            return None
        return pd.to_datetime(
            df[col].astype(str).str.strip(), format="%d.%m.%Y %H:%M", errors="coerce"
        )
    if "$created" not in df:
        return None
    s = df["$created"].astype(str).str.strip()
    if (s == "").all():
        return None
    return pd.to_datetime(s.where(s != ""), errors="coerce", utc=True, format="ISO8601")


def read_nettskjema(path: str | Path, *, version: int | None = None) -> LoadedExport:
    """Read a Nettskjema CSV report (either layout) into canonical columns.

    Parameters
    ----------
    path : str or Path
        The export as delivered.
    version : int, optional
        Instrument version; inferred from the headers when None.
    """
    path = Path(path)
    text, encoding, nul = read_text_counted(path)
    header = first_line(text)
    old = is_old_layout(header)
    delimiter = "\t" if old else sniff_delimiter(header, ";\t,")
    df, _, _ = read_table(path, text=text, delimiter=delimiter)
    notes = Notes()
    note_nul(nul, notes)
    headers = header_names(df)
    system = {h for h in headers if h.startswith("$") or (old and norm(h) in OLD_SYSTEM)}
    items = [h for h in headers if h not in system]
    version, how = choose_version(items, "nettskjema", version, path)
    cb = load_codebook(version)
    copies: dict[str, list] = {}
    unknown = []
    for pos, (key, h) in enumerate(zip(df.columns, headers, strict=True), start=1):
        if h in system:
            continue
        col = canonical_column(h, cb)
        if col is None:
            unknown.append(h)
        else:
            copies.setdefault(col, []).append((pos, h, df[key]))
    columns = merge_repeated(copies, path=path, notes=notes)
    warn_unknown(unknown, notes)
    data = assemble(columns, cb, path=path, notes=notes, n=len(df), unknown=unknown)
    id_col = next((h for h in headers if norm(h) == ("nr" if old else "$submission_id")), None)
    if id_col is None:
        sub = pd.Series([None] * len(df), dtype=object)
    else:
        sub = (
            to_text(df[id_col]).map(lambda v: v if v is None else v.strip()).reset_index(drop=True)
        )
    if id_col is None:
        notes.warnings.append(
            "no submission id column ($submission_id / NR): rows are named by position"
        )
    return LoadedExport(
        data=data,
        submission_id=sub,
        format="nettskjema",
        encoding=encoding,
        version=version,
        version_how=how,
        warnings=notes.warnings,
        set_missing=notes.as_dict(),
        source_files=[path],
        created=_created(df, old),
        nul_bytes_removed=nul,
    )
