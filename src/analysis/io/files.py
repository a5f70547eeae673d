"""Writing files so that a fault never leaves half of one, and file-system errors as one line.

A full disk, a read-only folder or an interruption (Ctrl-C, SIGTERM) must leave earlier files
intact and no half-written file behind:

- :func:`atomic_write_text` writes a temporary file beside the target, flushes it to disk
  (``fsync``) and renames it over the target (``os.replace``), so readers see the old file or the
  complete new one, never a part;
- :func:`copy_read_only` copies a file the same way and makes the copy read-only;
- :func:`replace_dir` moves a complete temporary folder into place; if that fails or is
  interrupted, the folder it replaces is put back;
- :func:`fs_error` turns an :class:`OSError` into a one-line :class:`FileSystemError` that names
  the path and says what to do.

Examples
--------
>>> import errno, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write_text(d / "a.json", "{}\\n").read_text()
'{}\\n'
>>> sorted(p.name for p in d.iterdir())  # no temporary file left
['a.json']
>>> print(fs_error(d / "x", OSError(errno.ENOSPC, "No space left on device"), "write the manifest"))
/.../x: cannot write the manifest: No space left on device; free disk space, then run the command again
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from pathlib import Path

from analysis.errors import InputFileError

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH

_REMEDY = {
    errno.ENOSPC: "free disk space, then run the command again",
    errno.EDQUOT: "free disk space (the disk quota is used up), then run the command again",
    errno.EFBIG: "free disk space or raise the file size limit, then run the command again",
    errno.EROFS: "make the folder writable (or point ANALYSIS_ROOT at a writable project "
    "folder), then run the command again",
    errno.EACCES: "make the folder writable for you (or point ANALYSIS_ROOT at a writable "
    "project folder), then run the command again",
    errno.EPERM: "make the folder writable for you (or point ANALYSIS_ROOT at a writable "
    "project folder), then run the command again",
    errno.ENOENT: "the file or folder disappeared while the command ran: put it back, then "
    "run the command again",
}


class FileSystemError(InputFileError):
    """A file-system fault (full disk, read-only folder, missing file), reported as one line."""


def fs_error(
    path: str | Path, exc: OSError, doing: str, *, own_path: bool = True
) -> FileSystemError:
    """A one-line error for ``exc``, naming the path (the error's own, if it has one).

    Parameters
    ----------
    path : str or Path
        The file or folder being worked on, used when ``exc`` names none (or ``own_path`` is
        False: for an error inside a temporary folder that is removed, name the real folder).
    exc : OSError
    doing : str
        What failed, completing "cannot ...", e.g. ``"write the processed data"``.
    """
    where = exc.filename if own_path and exc.filename not in (None, "") else path
    reason = exc.strerror or str(exc) or type(exc).__name__
    remedy = _REMEDY.get(exc.errno, "check the file system, then run the command again")
    return FileSystemError(os.fsdecode(where), f"cannot {doing}: {reason}; {remedy}")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path(folder: str | Path, prefix: str, suffix: str = "") -> Path:
    """A fresh name for a temporary file or folder in ``folder``; nothing is created.

    Choose the name first and create it inside the ``try`` whose ``except`` removes it: then an
    interruption (SIGTERM, Ctrl-C) can never fall between creating it and knowing its name, as it
    can with :func:`tempfile.mkdtemp`.
    """
    return Path(folder) / f"{prefix}{secrets.token_hex(6)}{suffix}"


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` all or nothing (temporary file, ``fsync``, ``os.replace``).

    On any error (a full disk, an interruption) ``path`` keeps its previous content, or stays
    absent, and the temporary file is removed; the error propagates.
    """
    path = Path(path)
    tmp = temp_path(path.parent, f".{path.name}.", ".tmp")
    try:
        with open(tmp, "x", encoding=encoding) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return path


def copy_read_only(src: str | Path, dest: str | Path) -> Path:
    """Copy ``src`` to ``dest`` all or nothing and make the copy read-only (mode 0444)."""
    dest = Path(dest)
    tmp = temp_path(dest.parent, f".{dest.name}.", ".tmp")
    try:
        with open(src, "rb") as fin, open(tmp, "xb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        os.chmod(tmp, READ_ONLY)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return dest


def replace_dir(tmp: str | Path, target: str | Path) -> None:
    """Move the complete folder ``tmp`` to ``target``, replacing a folder already there.

    The old folder is removed only after the new one is in place; if the move fails or is
    interrupted, the old folder is put back, so ``target`` is always the old or the new folder.
    """
    tmp, target = Path(tmp), Path(target)
    old = None
    try:
        if target.exists():
            # an empty folder of our own that the old one replaces (rename onto an empty folder)
            old = temp_path(target.parent, f".{target.name}-old-")
            old.mkdir()
            os.replace(target, old)
        os.replace(tmp, target)
    except BaseException:
        if old is not None and old.exists() and not target.exists():
            os.replace(old, target)  # put the old folder back
        elif old is not None:
            with contextlib.suppress(OSError):
                old.rmdir()  # still the empty placeholder
        raise
    _fsync_dir(target.parent)
    if old is not None:
        remove_tree(old)


def move_new_dir(tmp: str | Path, target: str | Path) -> bool:
    """Move the complete folder ``tmp`` to ``target`` unless another folder with content is
    there (one ``rename``: atomic, never replaces); True when moved."""
    tmp, target = Path(tmp), Path(target)
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        raise
    _fsync_dir(target.parent)
    return True


def remove_tree(folder: str | Path) -> None:
    """Remove a folder and everything in it, read-only files included; never raises."""
    shutil.rmtree(folder, ignore_errors=True)
