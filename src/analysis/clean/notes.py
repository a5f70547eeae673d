"""Meeting notes as input: read ``.docx``/``.md``/``.txt``, redact at the door, register per wave.

Reading
-------
:func:`read_notes` returns the paragraphs of a notes file, already redacted:

- ``.docx`` (as researchers write them, read with python-docx): body paragraphs and the paragraphs
  of table cells, in document order; headings (styles ``Heading …``/``Title``) are kept apart
  (``kind="heading"``) and never become segments.
- ``.md``/``.txt`` (UTF-8): blocks separated by blank lines; a block's lines are joined with
  spaces, except list items (``-``, ``*``, ``•``, ``1.``), each of which is its own paragraph;
  Markdown headings (``#``) are headings.

Privacy at the door
-------------------
1. **Participant lists never pass.** A paragraph that starts with a participant label
   (:data:`PARTICIPANT_LABELS`, e.g. ``Deltakere:``, ``Til stede:``, ``Participants:``,
   ``Referent:``) is dropped. When the label stands alone (``Deltakere:`` and nothing after it),
   the list that follows is dropped too: following paragraphs are dropped while they are list
   items or short lines (at most :data:`SHORT_LINE_WORDS` words, no full stop at the end). The
   number of names is kept (``n_participants``: the entries separated by ``,``, ``;``, ``og``,
   ``and`` or one per line), never the names.
2. **Everything else** passes through :func:`analysis.clean.privacy.redact` (the rules of the
   survey's free text: national identity and D-numbers, e-mail addresses, phone numbers).

Names elsewhere in the text cannot be found reliably; that is why a quote reaches a report only
when a researcher approved it (see :mod:`analysis.qual.results`).

Registration
------------
:func:`add_notes` (``python -m analysis notes add WAVE FILE``) reads the file once (an unreadable
file is refused before anything is copied), copies it read-only into ``data/raw/WAVE/notes/`` and
records it in the wave's manifest: role ``notes:<file name>`` in ``extra_files`` and its SHA-256
in ``extra_sha256`` (key ``notes/<file name>``), so ``ingest WAVE`` verifies it like the export.

Examples
--------
>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.md"
>>> _ = p.write_text("# Innspillsmøte\\n\\nDeltakere: Ola, Kari og Per\\n\\n"
...                  "Flere ønsket kurs i husleierett. Kontakt: ola@example.no\\n", encoding="utf-8")
>>> notes = read_notes(p)
>>> [par.text for par in notes.paragraphs if par.kind == "paragraph"]
['Flere ønsket kurs i husleierett. Kontakt: [fjernet: e-post]']
>>> notes.n_participants, notes.removed["participant_line"], notes.removed["email"]
(3, 1, 1)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis.clean.privacy import KINDS, redact
from analysis.errors import InputFileError, UserError

#: File types accepted as notes.
SUFFIXES = (".docx", ".md", ".txt")
#: Labels that start a participant list (case-insensitive, followed by ``:`` or a dash).
PARTICIPANT_LABELS = (
    "deltakere",
    "deltagere",
    "møtedeltakere",
    "til stede",
    "tilstede",
    "fraværende",
    "forfall",
    "referent",
    "møteleder",
    "ordstyrer",
    "participants",
    "attendees",
    "present",
    "absent",
    "apologies",
    "minutes",
    "chair",
)
#: Labels whose names are counted as participants (absentees, minute-takers and chairs are not,
#: so that the count never overstates the group behind a quote).
_COUNTED = (
    "deltakere",
    "deltagere",
    "møtedeltakere",
    "til stede",
    "tilstede",
    "participants",
    "attendees",
    "present",
)
#: A line following a bare participant label with at most this many words is taken as a name.
SHORT_LINE_WORDS = 8
#: Sub-folder of ``data/raw/WAVE/`` holding the registered notes.
NOTES_DIR = "notes"
ROLE_PREFIX = "notes:"

_LABEL_RE = re.compile(
    r"^\s*(?:[*_]{1,2})?(" + "|".join(re.escape(x) for x in PARTICIPANT_LABELS) + r")"
    r"(?:[*_]{1,2})?\s*(?::|–|—|-)\s*(?:[*_]{1,2})?",
    re.IGNORECASE,
)
_LIST_RE = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_SPLIT_RE = re.compile(r"\s*(?:[,;\n]|\bog\b|\band\b|&)\s*", re.IGNORECASE)


@dataclass
class Paragraph:
    """One paragraph of notes: position (1-based, among kept paragraphs), kind and redacted text."""

    number: int
    kind: str  # "paragraph" | "heading"
    text: str


@dataclass
class Notes:
    """A notes file as read at the door (redacted)."""

    file: str
    paragraphs: list[Paragraph]
    n_participants: int | None
    removed: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# raw reading (before the door)
# ---------------------------------------------------------------------------------------------


def _docx_blocks(path: Path) -> list[tuple[str, str, bool]]:
    """(kind, text, is_list) of a .docx in document order (tables' cells included)."""
    import zipfile

    try:
        import docx
        from docx.table import Table
    except ImportError as exc:  # pragma: no cover - a broken environment
        raise UserError(f"reading .docx needs python-docx ({exc})") from None
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputFileError(path, f"not a readable .docx file ({type(exc).__name__})") from None
    except Exception as exc:  # python-docx raises its own types for damaged packages
        raise InputFileError(path, f"not a readable .docx file ({type(exc).__name__})") from None

    out: list[tuple[str, str, bool]] = []

    def para(p) -> None:
        style = (p.style.name if p.style is not None else "") or ""
        kind = (
            "heading"
            if style.startswith(("Heading", "Title", "Overskrift", "Tittel"))
            else "paragraph"
        )
        is_list = (
            "List" in style
            or "liste" in style.lower()
            or p._p.pPr is not None
            and p._p.pPr.numPr is not None
        )
        out.append((kind, p.text, bool(is_list)))

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        para(p)
        else:
            para(block)
    return out


def _text_blocks(path: Path) -> list[tuple[str, str, bool]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not UTF-8 text (byte {exc.start})") from None
    out: list[tuple[str, str, bool]] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        current: list[str] = []
        for ln in (x.strip() for x in block.split("\n")):
            if not ln:
                continue
            if ln.startswith("#") or _LIST_RE.match(ln):
                if current:
                    out.append(("paragraph", " ".join(current), False))
                    current = []
                if ln.startswith("#"):
                    out.append(("heading", ln.lstrip("#").strip(), False))
                else:
                    out.append(("paragraph", _LIST_RE.sub("", ln), True))
            else:
                current.append(ln)
        if current:
            out.append(("paragraph", " ".join(current), False))
        out.append(("blank", "", False))
    return out


def _count_names(text: str) -> int:
    # affiliations in brackets ("Per (Bygg og eiendom)") are not names: dropped before counting
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    return len([p for p in _SPLIT_RE.split(text) if p.strip(" .()")])


def _is_name_line(text: str, is_list: bool) -> bool:
    s = text.strip()
    if not s:
        return False
    if is_list:
        return True
    return len(s.split()) <= SHORT_LINE_WORDS and not s.endswith((".", "!", "?", ":"))


def read_notes(path: str | Path) -> Notes:
    """Read a notes file and redact it at the door (see the module docstring).

    Parameters
    ----------
    path : str or Path
        A ``.docx``, ``.md`` or ``.txt`` file.

    Returns
    -------
    Notes
        Redacted paragraphs (participant lists removed), the number of participants when a list
        was found, and the counts of what was removed (``participant_line`` and
        :data:`analysis.clean.privacy.KINDS`).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputFileError(
            path, f"notes must be {', '.join(SUFFIXES)}, not {suffix or 'no suffix'}"
        )
    blocks = _docx_blocks(path) if suffix == ".docx" else _text_blocks(path)
    removed = {"participant_line": 0, **dict.fromkeys(KINDS, 0)}
    n_participants: int | None = None
    paragraphs: list[Paragraph] = []
    in_list = False  # inside a list that follows a bare participant label
    list_counts = False  # and that list names people present (not absentees)
    for kind, text, is_list in blocks:
        if kind == "blank":
            in_list = False
            continue
        m = _LABEL_RE.match(text)
        if in_list and not m:
            if _is_name_line(text, is_list) and kind != "heading":
                removed["participant_line"] += 1
                if list_counts:
                    n_participants = (n_participants or 0) + max(1, _count_names(text))
                continue
            in_list = False
        if m:
            removed["participant_line"] += 1
            rest = text[m.end() :].strip()
            label = m.group(1).lower()
            counts_people = label in _COUNTED
            if rest:
                in_list = False
                if counts_people:
                    n_participants = (n_participants or 0) + _count_names(rest)
            else:
                in_list, list_counts = True, counts_people
            continue
        if not text.strip():
            continue
        clean, counts = redact(text.strip())
        for k, v in counts.items():
            removed[k] += v
        paragraphs.append(Paragraph(number=len(paragraphs) + 1, kind=kind, text=clean))
    return Notes(
        file=path.name, paragraphs=paragraphs, n_participants=n_participants, removed=removed
    )


# ---------------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def manifest_lock(folder: Path):
    """Hold an exclusive lock on a wave's manifest while it is read, changed and written.

    Two registrations at the same time (``notes add``, ``coding import``) then never lose each
    other's entries: the second waits for the first.
    """
    import fcntl

    path = Path(folder) / ".manifest.lock"
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_manifest_atomic(manifest, folder: Path) -> Path:
    """Write a :class:`~analysis.io.manifest.Manifest` via a temporary file (never half-written)."""
    from analysis.io.manifest import MANIFEST_NAME

    target = Path(folder) / MANIFEST_NAME
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(manifest), indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def copy_read_only(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` read-only, via a temporary file (replacing ``dest`` atomically)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}-", dir=dest.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def registered_notes(manifest) -> list[str]:
    """Relative paths (``notes/<name>``) of the notes a manifest lists, in registration order."""
    return [v for k, v in manifest.extra_files.items() if k.startswith(ROLE_PREFIX)]


def add_notes(wave: str, source: str | Path, *, root: Path | None = None) -> Path:
    """Register a notes file for a wave (``python -m analysis notes add WAVE FILE``).

    Returns the registered copy. The wave must be registered; a file of the same name already
    registered is refused (raw data never changes).
    """
    from analysis import paths

    source = Path(source)
    raw = paths.raw_dir(wave, root)
    if not (raw / "manifest.json").is_file():
        raise UserError(
            f"wave {wave!r} is not registered (no {raw / 'manifest.json'}); register its export "
            f"first with 'python -m analysis ingest --wave {wave} --source FILE'"
        )
    read_notes(source)  # refuse an unreadable file before anything is copied
    with manifest_lock(raw):
        return _add_locked(raw, wave, source)


def _add_locked(raw: Path, wave: str, source: Path) -> Path:
    from analysis.io.manifest import Manifest, sha256_file

    manifest = Manifest.read(raw)
    rel = f"{NOTES_DIR}/{source.name}"
    if ROLE_PREFIX + source.name in manifest.extra_files or (raw / rel).exists():
        raise UserError(
            f"{rel} is already registered for wave {wave!r}: raw data never changes; "
            "give the new version another file name"
        )
    dest = raw / rel
    copy_read_only(source, dest)
    try:
        manifest.extra_files[ROLE_PREFIX + source.name] = rel
        manifest.extra_sha256[rel] = sha256_file(dest)
        write_manifest_atomic(manifest, raw)
    except BaseException:
        os.chmod(dest, stat.S_IWUSR | stat.S_IRUSR)
        dest.unlink(missing_ok=True)
        raise
    return dest
