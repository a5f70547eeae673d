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
from collections.abc import Iterable, Mapping
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
    "survey": dict,
}

#: Keys of the manifest's ``survey`` object (facts about the fieldwork that the data does not
#: hold, for the report's methods section); every key is optional.
SURVEY_TEXT_KEYS = ("recruitment", "mode", "tool")
SURVEY_KEYS = ("invited", *SURVEY_TEXT_KEYS)


def survey_problem(survey: object, categories: Iterable[str] | None = None) -> str | None:
    """What is wrong with a manifest's ``survey`` object, naming the key; None when it is valid.

    ``invited`` maps landlord category ids to the number invited (a whole number >= 0);
    ``recruitment``, ``mode`` and ``tool`` are free text. With ``categories`` (the instrument's
    landlord categories) every category id of ``invited`` must be one of them.

    Examples
    --------
    >>> survey_problem({"invited": {"kommunal": 356}, "tool": "Nettskjema"}) is None
    True
    >>> survey_problem({"invited": {"kommunal": -1}})
    "'survey.invited.kommunal' is -1, not a whole number >= 0"
    >>> survey_problem({"invited": {"privat": 3}}, categories=["kommunal", "ideell"])
    "'survey.invited.privat' is not a landlord category of the instrument (kommunal, ideell)"
    >>> survey_problem({"mode": 3})
    "'survey.mode' is a int, not a text"
    """
    if not isinstance(survey, dict):
        return f"'survey' is a {type(survey).__name__}, not a JSON object"
    unknown = sorted(set(survey) - set(SURVEY_KEYS))
    if unknown:
        return (
            f"'survey' has unknown keys {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(SURVEY_KEYS)})"
        )
    for key in SURVEY_TEXT_KEYS:
        if key in survey and not isinstance(survey[key], str):
            return f"'survey.{key}' is a {type(survey[key]).__name__}, not a text"
    invited = survey.get("invited", {})
    if not isinstance(invited, dict):
        return f"'survey.invited' is a {type(invited).__name__}, not a JSON object"
    known = list(categories) if categories is not None else None
    for cat, n in invited.items():
        if known is not None and cat not in known:
            return (
                f"'survey.invited.{cat}' is not a landlord category of the instrument "
                f"({', '.join(known)})"
            )
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            return f"'survey.invited.{cat}' is {json.dumps(n)}, not a whole number >= 0"
    return None


def fieldwork_problem(start: object, end: object) -> str | None:
    """What is wrong with fieldwork dates (ISO ``YYYY-MM-DD``, start <= end, either may be
    None); None when they are valid.

    Examples
    --------
    >>> fieldwork_problem("2023-09-15", "2023-10-31") is None
    True
    >>> fieldwork_problem("2023-10-31", "2023-09-15")
    "'fieldwork_start' 2023-10-31 is after 'fieldwork_end' 2023-09-15"
    >>> fieldwork_problem("15.09.2023", None)
    "'fieldwork_start' is '15.09.2023', not an ISO date (YYYY-MM-DD)"
    """
    from datetime import date

    parsed = {}
    for key, value in (("fieldwork_start", start), ("fieldwork_end", end)):
        if value is None:
            continue
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            parsed[key] = date.fromisoformat(value)
        except ValueError:
            return f"{key!r} is {value!r}, not an ISO date (YYYY-MM-DD)"
    if len(parsed) == 2 and parsed["fieldwork_start"] > parsed["fieldwork_end"]:
        return f"'fieldwork_start' {start} is after 'fieldwork_end' {end}"
    return None


def parse_invited(items: Iterable[str]) -> dict[str, int]:
    """The ``--invited CATEGORY=N`` options as ``{category: N}`` (a later one for the same
    category wins); a malformed one is a :class:`~analysis.errors.UserError` (one line, exit 2).
    Whether CATEGORY is one of the instrument's is checked by :func:`check_survey_options`.

    Examples
    --------
    >>> parse_invited(["kommunal=356", "ideell = 120"])
    {'kommunal': 356, 'ideell': 120}
    >>> parse_invited(["kommunal=-3"])
    Traceback (most recent call last):
    ...
    analysis.errors.UserError: --invited 'kommunal=-3': N must be a whole number >= 0, not '-3'
    """
    from analysis.errors import UserError

    out: dict[str, int] = {}
    for item in items:
        cat, sep, n = str(item).partition("=")
        cat, n = cat.strip(), n.strip()
        if not sep or not cat:
            raise UserError(f"--invited {item!r}: write CATEGORY=N, e.g. --invited kommunal=356")
        if not (n.isascii() and n.isdigit()):
            raise UserError(f"--invited {item!r}: N must be a whole number >= 0, not {n!r}")
        out[cat] = int(n)
    return out


def survey_from_options(
    invited: Iterable[str] | None = None,
    recruitment: str | None = None,
    mode: str | None = None,
    tool: str | None = None,
) -> dict:
    """The survey facts given on the command line as a (partial) manifest ``survey`` object.

    Examples
    --------
    >>> survey_from_options(["kommunal=356"], mode=" nettskjema, selvutfylling ")
    {'invited': {'kommunal': 356}, 'mode': 'nettskjema, selvutfylling'}
    """
    from analysis.errors import UserError

    survey: dict = {}
    if invited:
        survey["invited"] = parse_invited(invited)
    for key, text in (("recruitment", recruitment), ("mode", mode), ("tool", tool)):
        if text is not None:
            if not str(text).strip():
                raise UserError(f"--{key} is empty: give the text, or leave the option out")
            survey[key] = str(text).strip()
    return survey


def check_survey_options(
    survey: Mapping | None,
    fieldwork: tuple[str, str] | None,
    categories: Iterable[str],
) -> None:
    """Refuse survey facts or fieldwork dates given for a wave with one line (UserError).

    ``categories`` are the landlord categories of the wave's instrument
    (:attr:`analysis.instrument.codebook.Codebook.categories`).
    """
    from analysis.errors import UserError

    if fieldwork is not None:
        if len(fieldwork) != 2:
            raise UserError("--fieldwork takes two dates: START END (YYYY-MM-DD)")
        problem = fieldwork_problem(*fieldwork)
        if problem:
            raise UserError(f"--fieldwork: {problem}")
    known = list(categories)
    invited = dict(survey or {}).get("invited", {})
    for cat, n in invited.items() if isinstance(invited, dict) else ():
        if cat not in known:
            raise UserError(
                f"--invited {cat}={n}: {cat!r} is not a landlord category of the wave's "
                f"instrument ({', '.join(known)})"
            )
    problem = survey_problem(dict(survey or {}), known)
    if problem:
        raise UserError(f"survey facts: {problem}")


def survey_changes(
    manifest: Manifest,
    *,
    invited: Mapping[str, int] | None = None,
    texts: Mapping[str, str | None] | None = None,
    fieldwork: tuple[str, str] | None = None,
) -> list[tuple[str, object, object]]:
    """Apply survey facts and fieldwork dates to ``manifest`` (in place, already validated);
    the changes as ``(field, old, new)``, field named as in ``corrections``: ``fieldwork_start``,
    ``survey.invited.<category>``, ``survey.mode``, ...

    Counts given merge into ``survey.invited`` category by category; texts that are None are
    left as they are.
    """
    changes: list[tuple[str, object, object]] = []
    if fieldwork is not None:
        for key, new in zip(("fieldwork_start", "fieldwork_end"), fieldwork, strict=True):
            if getattr(manifest, key) != new:
                changes.append((key, getattr(manifest, key), new))
                setattr(manifest, key, new)
    survey = json.loads(json.dumps(manifest.survey))  # a copy: the caller may still fail
    for cat, n in (invited or {}).items():
        old = survey.get("invited", {}).get(cat)
        if old != n:
            changes.append((f"survey.invited.{cat}", old, n))
            survey.setdefault("invited", {})[cat] = n
    for key, new in (texts or {}).items():
        if new is not None and survey.get(key) != new:
            changes.append((f"survey.{key}", survey.get(key), new))
            survey[key] = new
    manifest.survey = survey
    return changes


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
    # corrections after registration (``ingest WAVE --frame F --design D --invited C=N ...``),
    # oldest first:
    # {"date": ISO date, "field": "frame_file" | "design" | "fieldwork_start" | "fieldwork_end" |
    #  "survey.invited.<category>" | "survey.recruitment" | "survey.mode" | "survey.tool",
    #  "old": ..., "new": ...}
    corrections: list[dict] = field(default_factory=list)
    # the instrument files the wave was registered with, copied into instrument/ (root of the
    # base chain first): {"version": 3, "files": {"instrument/x.yaml": sha256, ...}}
    instrument: dict = field(default_factory=dict)
    # facts about the fieldwork for the report's methods section (all keys optional):
    # {"invited": {"<landlord category id>": int >= 0, ...}, "recruitment": str, "mode": str,
    #  "tool": str}; see :func:`survey_problem`
    survey: dict = field(default_factory=dict)

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
        for problem in (
            survey_problem(data.get("survey", {})),
            fieldwork_problem(data.get("fieldwork_start"), data.get("fieldwork_end")),
        ):
            if problem:
                raise InputFileError(path, f"manifest field {problem}")
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
