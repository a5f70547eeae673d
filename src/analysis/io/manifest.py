"""The manifest that travels with every raw wave: ``data/raw/<wave>/manifest.json``.

It records where the export came from and how to read it, so that ``python -m analysis ingest
WAVE`` can re-ingest from it and the report can state its provenance.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "export.csv").write_text("x")
>>> m = Manifest(wave="2024", source_file="export.csv", format="nettskjema", instrument_version=1,
...              sha256=sha256_file(d / "export.csv"), source="Nettskjema", received="2024-11-01")
>>> m.write(d)
PosixPath('.../manifest.json')
>>> Manifest.read(d).sha256[:12]
'2d711642b726'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal

from analysis.errors import InputFileError
from analysis.io.files import atomic_write_text

Design = Literal["convenience", "census", "probability"]
FORMATS = ("nettskjema", "surveyxact", "spss", "forms")
DESIGNS = ("convenience", "census", "probability")
MANIFEST_NAME = "manifest.json"


def add_format_argument(parser) -> None:
    """The ``--format`` option of every command that reads an export (choices: :data:`FORMATS`).

    Lives here, beside the list of formats, so building the command line stays free of pandas.
    """
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS],
        help="export format (default: detect from the file)",
    )


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, as lower-case hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


#: JSON types of the manifest's fields (a hand-edited or damaged manifest is one clear line).
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "wave": str,
    "source_file": str,
    "format": str,
    "sha256": str,
    "source": str,
    "received": str,
    "design": str,
    "frame_file": (str, type(None)),
    "frame_sha256": (str, type(None)),
    "fieldwork_start": (str, type(None)),
    "fieldwork_end": (str, type(None)),
    "extra_files": dict,
    "extra_sha256": dict,
    "notes": str,
    "corrections": list,
    "instrument": dict,
}


def _type_name(kind) -> str:
    names = {str: "text", dict: "JSON object", list: "JSON list", type(None): "null"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


@dataclass
class Manifest:
    """What a raw wave is and how to read it.

    Paths (``source_file``, ``frame_file``) are relative to the wave's raw folder. For SurveyXact
    exports delivered as three CSV files, ``source_file`` names the dataset and ``extra_files``
    the structure and labels files.
    """

    wave: str
    source_file: str
    format: str
    instrument_version: int
    sha256: str
    source: str = ""  # free description: service, who exported it
    received: str = ""  # ISO date the export was received/registered
    design: str = "convenience"  # convenience | census | probability (of the municipal frame)
    frame_file: str | None = None
    frame_sha256: str | None = None
    fieldwork_start: str | None = None
    fieldwork_end: str | None = None
    extra_files: dict[str, str] = field(default_factory=dict)  # role -> file name
    extra_sha256: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    notes: str = ""
    # corrections after registration (``ingest WAVE --frame F --design D``), oldest first:
    # {"date": ISO date, "field": "frame_file" | "design", "old": ..., "new": ...}
    corrections: list[dict] = field(default_factory=list)
    # the instrument files the wave was registered with, copied into instrument/ (root of the
    # base chain first): {"version": 3, "files": {"instrument/x.yaml": sha256, ...}}
    instrument: dict = field(default_factory=dict)

    @property
    def instrument_file(self) -> str | None:
        """The wave's own instrument file (relative to the raw folder), if it was copied in."""
        files = list(self.instrument.get("files", {}))
        return files[-1] if files else None

    def write(self, folder: str | Path) -> Path:
        """Write ``manifest.json`` into ``folder`` all or nothing (never a partial manifest)."""
        return atomic_write_text(
            Path(folder) / MANIFEST_NAME,
            json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n",
        )

    @classmethod
    def read(cls, folder: str | Path) -> Manifest:
        path = Path(folder) / MANIFEST_NAME
        again = (
            "the registration did not complete: register the wave again with "
            f"'python -m analysis ingest --wave {Path(folder).name} --source FILE --force'"
        )
        if not path.is_file():
            if Path(folder).is_dir() and any(Path(folder).iterdir()):
                raise InputFileError(path, f"no manifest: {again}")
            raise InputFileError(
                path,
                "no manifest: register the wave first with "
                "'python -m analysis ingest --wave WAVE --source FILE'",
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputFileError(
                path, f"cannot read the manifest ({exc.strerror or exc})"
            ) from None
        if not text.strip():
            raise InputFileError(path, f"the manifest is empty: {again}")
        try:
            data = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputFileError(path, f"manifest is not valid JSON ({exc}): {again}") from None
        if not isinstance(data, dict):
            raise InputFileError(path, f"manifest is not a JSON object: {again}")
        known = {f.name for f in fields(cls)}
        missing = [
            n
            for n in ("wave", "source_file", "format", "instrument_version", "sha256")
            if n not in data
        ]
        if missing:
            raise InputFileError(path, f"manifest lacks {', '.join(missing)}")
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputFileError(path, f"manifest has unknown keys {', '.join(unknown)}")
        for name, kind in _FIELD_TYPES.items():
            if name in data and not isinstance(data[name], kind):
                raise InputFileError(
                    path,
                    f"manifest field {name!r} is a {type(data[name]).__name__}, not a "
                    f"{_type_name(kind)}: {again}",
                )
        m = cls(**data)
        if m.format not in FORMATS:
            raise InputFileError(path, f"format {m.format!r} is not one of {', '.join(FORMATS)}")
        if m.design not in DESIGNS:
            raise InputFileError(path, f"design {m.design!r} is not one of {', '.join(DESIGNS)}")
        if not isinstance(m.instrument_version, int) or m.instrument_version < 1:
            raise InputFileError(
                path, f"instrument_version {m.instrument_version!r} is not a version number"
            )
        return m

    def verify(self, folder: str | Path) -> None:
        """Raise if the raw file's checksum no longer matches (raw data must not change)."""
        folder = Path(folder)
        for name in (self.source_file, *self.extra_sha256, *self.instrument.get("files", {})):
            if not (folder / name).is_file():
                raise InputFileError(
                    folder / name,
                    "the registered export file is missing (deleted after registration?): put "
                    "the original back (its SHA-256 is in manifest.json) or register the wave "
                    f"again with 'python -m analysis ingest --wave {self.wave} --source FILE "
                    "--force'",
                )
        actual = sha256_file(folder / self.source_file)
        if actual != self.sha256:
            raise InputFileError(
                folder / self.source_file,
                "checksum differs from the manifest: the raw export was changed; put the "
                "original back or register the wave again with --force",
            )
        for name, digest in {**self.extra_sha256, **self.instrument.get("files", {})}.items():
            if sha256_file(folder / name) != digest:
                raise InputFileError(folder / name, "checksum differs from the manifest")
