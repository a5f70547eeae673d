"""Stamps for the steps of ``python -m analysis all`` before the notebooks: skip what is fresh.

``all`` writes the demo waves and ingests them before running notebooks and building reports.
Both steps are deterministic (the same seed and package source give byte-identical files), so
with nothing changed they are skipped, the way ``run`` skips notebooks. A stamp records a
step's input fingerprint and a content hash of each output folder; a step is fresh only when
its inputs are the same AND its outputs are still exactly what it wrote (a file edited or deleted
since makes it run again). Stamps live in ``data/.stamps/``; the no-change path imports
nothing heavy.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> out = root / "data" / "raw" / "w"; out.mkdir(parents=True)
>>> stamp = Stamp(root, "demo")
>>> stamp.fresh({"seed": 1}, [out])
False
>>> stamp.record({"seed": 1}, [out])
>>> stamp.fresh({"seed": 1}, [out]), stamp.fresh({"seed": 2}, [out])
(True, False)
>>> _ = (out / "x.csv").write_text("edited")
>>> stamp.fresh({"seed": 1}, [out])
False
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path


def tree_hash(folder: Path) -> str | None:
    """Content hash of every file under ``folder`` (None when it does not exist)."""
    if not folder.is_dir():
        return None
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class Stamp:
    """The record of one step's last successful run: ``data/.stamps/NAME.json``."""

    def __init__(self, root: Path, name: str):
        self.root = Path(root)
        self.path = self.root / "data" / ".stamps" / f"{name}.json"

    def _doc(self, inputs: Mapping[str, object], outputs: Sequence[Path]) -> dict:
        return {
            "inputs": hashlib.sha256(
                json.dumps(inputs, sort_keys=True, default=str).encode()
            ).hexdigest(),
            "outputs": {
                Path(o).relative_to(self.root).as_posix(): tree_hash(Path(o)) for o in outputs
            },
        }

    def fresh(self, inputs: Mapping[str, object], outputs: Sequence[Path]) -> bool:
        """True when the step ran with these inputs and its outputs are unchanged since."""
        try:
            old = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        now = self._doc(inputs, outputs)
        return old == now and all(v is not None for v in now["outputs"].values())

    def record(self, inputs: Mapping[str, object], outputs: Sequence[Path]) -> None:
        """Record a successful run (atomically: a temporary file, then a rename)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._doc(inputs, outputs), indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def forget(self) -> None:
        """Remove the record (the step must run next time)."""
        self.path.unlink(missing_ok=True)
