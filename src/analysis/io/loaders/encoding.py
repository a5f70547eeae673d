"""Read text exports without assuming their encoding or delimiter.

Exports arrive as UTF-8, UTF-8 with BOM, Windows-1252 (re-saved in Excel) or UTF-16 (SurveyXact's
default, with BOM). :func:`decode_bytes` detects, in this order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32);
2. UTF-16 without a BOM (every other byte NUL in the first kilobyte);
3. binary content (NUL bytes in more than 1 % of the whole file, or many control characters):
   an :class:`InputFileError`;
4. strict UTF-8;
5. Windows-1252 (strict: its five undefined bytes fail), then charset-normalizer's best guess;
   nothing fits: an :class:`InputFileError`.

A few stray NUL characters (a damaged export: a NUL inside a field made the CSV parser cut the rest
of that cell) are removed wherever they are in the file, in every encoding, and counted
(:func:`decode_counted`, ``LoadedExport.nul_bytes_removed``, ``quality.json``).

Examples
--------
>>> decode_bytes("Vet ikke;Bomiljø".encode("cp1252"))
('Vet ikke;Bomiljø', 'cp1252')
>>> decode_bytes("\\ufeffNR\\tOpprettet".encode("utf-8"))
('NR\\tOpprettet', 'utf-8-sig')
>>> decode_bytes("a;b".encode("utf-16"))[1]
'utf-16'
>>> sniff_delimiter('"a";"b,c";"d"')
';'
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd

from analysis.errors import InputFileError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class _Undecodable(Exception):
    pass


def _looks_utf16_without_bom(raw: bytes) -> str | None:
    head = raw[:1024]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_bytes(raw: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode an export's bytes; returns ``(text, encoding)`` (stray NULs removed).

    Raises
    ------
    InputFileError
        Empty, binary or undecodable content.
    """
    text, encoding, _ = decode_counted(raw, path)
    return text, encoding


def decode_counted(raw: bytes, path: str | Path = "<bytes>") -> tuple[str, str, int]:
    """Like :func:`decode_bytes`, also returning the number of NUL characters removed.

    Examples
    --------
    >>> decode_counted(b'"1";"Bra\\x00 tiltak"')
    ('"1";"Bra tiltak"', 'utf-8', 1)
    """
    nul_bytes = 0
    text, encoding = _decode(raw, path)
    if isinstance(text, bytes):  # an 8-bit text with NUL bytes: removed before decoding, so a
        nul_bytes = raw.count(b"\x00")  # NUL inside a multi-byte UTF-8 letter breaks nothing
        text, encoding = _decode(text, path)
    nul = text.count("\x00")  # UTF-16/32: NUL characters
    return (text.replace("\x00", "") if nul else text), encoding, nul + nul_bytes


def _decode(raw: bytes, path: str | Path) -> tuple[str | bytes, str]:
    """``(text, encoding)``; ``(bytes without NULs, "")`` for an 8-bit text that had NUL bytes."""
    if not raw:
        raise InputFileError(path, "the file is empty")
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(name), name
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    path,
                    f"starts with a {name} byte-order mark but is not valid "
                    f"{name} (byte {exc.start})",
                ) from None
    guess16 = _looks_utf16_without_bom(raw)
    if guess16:
        try:
            return raw.decode(guess16), guess16
        except UnicodeDecodeError:
            pass
    # NUL bytes are judged over the whole file, so one stray NUL is treated the same wherever it
    # is; other control characters over the first 64 KiB
    head = raw[:65536]
    if raw.count(b"\x00") > 0.01 * len(raw) + 2 or (
        sum(head.count(c) for c in _CONTROL if c != 0) > 0.01 * len(head) + 2
    ):
        raise InputFileError(
            path, "binary content: not a text export (is it a .sav, .xlsx or a damaged file?)"
        )
    if b"\x00" in raw:
        stripped = raw.replace(b"\x00", b"")
        if not stripped:
            raise InputFileError(path, "the file is empty")
        return stripped, ""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw).best()
    except Exception:  # pragma: no cover - charset-normalizer is a dependency of requests
        best = None
    if best is not None and best.encoding:
        try:
            return raw.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise InputFileError(path, "cannot decode the text: not UTF-8, UTF-16 or Windows-1252")


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode a text export; returns ``(text, encoding)`` (stray NULs removed)."""
    text, enc, _ = read_text_counted(path)
    return text, enc


def read_text_counted(path: str | Path) -> tuple[str, str, int]:
    """Read and decode a text export: ``(text, encoding, NUL characters removed)``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot read the file ({exc.strerror or exc})") from None
    text, enc, nul = decode_counted(raw, path)
    if not text.strip():
        raise InputFileError(path, "the file is empty")
    return text, enc, nul


#: ``DataFrame.attrs`` keys set by :func:`read_table`.
HEADER_ATTR, NUL_ATTR = "header", "nul_bytes_removed"


def sniff_delimiter(header: str, candidates: str = "\t;,") -> str:
    """The delimiter of a header line: the candidate occurring most often outside quotes."""
    outside = []
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    flat = "".join(outside)
    counts = {c: flat.count(c) for c in candidates}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else candidates[0]


def first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def read_table(
    path: str | Path, *, text: str | None = None, header: bool = True, delimiter: str | None = None
) -> tuple[pd.DataFrame, str | None, str]:
    """Read a delimited text export as strings: ``(table, encoding, delimiter)``.

    Every column is a pandas categorical of strings (``""`` for an empty field): survey answers
    repeat a handful of values, so this keeps 100,000 responses small in memory. A row with fewer fields than the header,
    a damaged quote or a header-only file raises :class:`InputFileError` naming the row.
    """
    encoding, nul = None, 0
    if text is None:
        text, encoding, nul = read_text_counted(path)
    delimiter = delimiter or sniff_delimiter(first_line(text))
    names = check_field_counts(text, delimiter, path, header=header)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype="category",
            keep_default_na=False,
            header=0 if header else None,
            quotechar='"',
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise InputFileError(path, "the file is empty") from None
    except (pd.errors.ParserError, ValueError) as exc:
        msg = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise InputFileError(
            path, f"cannot parse as {_name(delimiter)}-separated text ({msg})"
        ) from None
    if df.empty:
        raise InputFileError(path, "the file has a header but no data rows")
    short = df.isna().any(axis=1).to_numpy()
    if short.any():
        row = int(short.argmax()) + 1
        raise InputFileError(
            path, "the row has fewer fields than the header (truncated or damaged file?)", row=row
        )
    # pandas renames a repeated header ("a", "a" -> "a", "a.1"); the loaders need the names as
    # written to see a repeated one (base.header_names)
    if header and names is not None and len(names) == df.shape[1]:
        df.attrs[HEADER_ATTR] = list(names)
    df.attrs[NUL_ATTR] = nul
    return df, encoding, delimiter


def check_field_counts(text: str, delimiter: str, path, *, header: bool = True) -> list[str] | None:
    """Every record must have as many fields as the first; else an error naming the data row.

    pandas pads a short row with empty strings, which would turn a truncated or damaged row into
    blank answers without a word; the :mod:`csv` module sees the real field counts. Returns the
    first record (the header as written), or None for an empty text.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    first = None
    try:
        n = None
        row_no = 0
        for fields in reader:
            if not fields:
                continue  # a blank line (pandas skips it too)
            if n is None:
                n, first = len(fields), fields
                if header:
                    continue
            row_no += 1
            if len(fields) != n:
                raise InputFileError(
                    path,
                    f"the row has {len(fields)} fields, the {'header' if header else 'first row'}"
                    f" has {n} (truncated or damaged file?)",
                    row=row_no,
                )
    except csv.Error as exc:
        raise InputFileError(
            path, f"cannot parse as {_name(delimiter)}-separated text ({exc})", row=row_no + 1
        ) from None
    return first


def _name(delimiter: str) -> str:
    return {"\t": "tab", ";": "semicolon", ",": "comma"}.get(delimiter, repr(delimiter))
