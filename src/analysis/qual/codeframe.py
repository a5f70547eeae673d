"""The coding frame as data: codes with labels, definitions, rules, examples and keywords.

A coding frame is a YAML file validated against :data:`SCHEMA` (JSON Schema, checked with
``fastjsonschema``: compiled, and fast to import); an error names the file, the key and what was expected, in one line
(:class:`~analysis.errors.InputFileError`, exit 2 on the command line)::

    id: leiebo                 # a name for the frame
    version: 1
    extends: default           # optional: start from the packaged frame and add codes
    codes:
      - id: tema_metoder       # lower-case snake_case, unique; the column name in coding sheets
        origin: deductive      # deductive (from the questionnaire) or inductive (added)
        column: q_option       # optional: the questionnaire column (checkbox option) it stands for
        label: {nb: ..., en: ...}
        definition: {nb: ..., en: ...}
        include: {nb: ..., en: ...}   # optional: when to use the code
        exclude: {nb: ..., en: ...}   # optional: when not to
        examples: [...]               # optional: typical wordings
        keywords: [...]               # optional: for the suggester (analysis.qual.suggest)

The machinery knows no item: ``column`` is checked against the processed-data columns of the
known instrument versions (:func:`analysis.instrument.codebook.columns_for`). The questionnaire's frame
(``analysis/questionnaire/coding_frame.yaml``, the default) is derived deductively from the seminar
themes and the barriers. A wave uses
``data/raw/WAVE/coding_frame.yaml`` when it exists (researchers add inductive codes there, with
``extends: default`` to keep the deductive ones), otherwise the packaged frame.

Examples
--------
>>> frame = load_coding_frame()
>>> frame.ids[:2]
('tema_metoder', 'tema_inkludering')
>>> frame.code("tema_konflikt").label("en")
'Conflict management'
>>> from analysis.instrument.codebook import load_codebook
>>> frame.code_for_column(load_codebook(1).role_columns("themes")[2])   # the tenancy-law theme
'tema_husleierett'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from analysis.errors import InputFileError

#: File name of a wave's own coding frame in ``data/raw/WAVE/``.
WAVE_FRAME_NAME = "coding_frame.yaml"

_TEXT = {
    "type": "object",
    "properties": {
        "nb": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
    "required": ["nb", "en"],
    "additionalProperties": False,
}

#: JSON Schema of a coding frame file.
SCHEMA: dict = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "extends": {"enum": ["default"]},
        "description": {"type": "string"},
        "codes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"},
                    "origin": {"enum": ["deductive", "inductive"]},
                    "column": {"type": ["string", "null"]},
                    "label": _TEXT,
                    "definition": _TEXT,
                    "include": _TEXT,
                    "exclude": _TEXT,
                    "examples": {"type": "array", "items": {"type": "string"}},
                    "keywords": {
                        "type": "array",
                        "items": {"type": "string", "pattern": r"^=?[^\s=](.*\S)?$"},
                    },
                },
                "required": ["id", "origin", "label", "definition"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["id", "version", "codes"],
    "additionalProperties": False,
}

#: Column names of a coding sheet that are not codes (so no code may use them).
RESERVED_IDS = ("segment_id", "source", "text", "suggested", "quote", "comment")


@dataclass(frozen=True)
class LangText:
    """A text in Norwegian bokmål and English."""

    nb: str
    en: str

    def __call__(self, lang: str = "nb") -> str:
        if lang not in ("nb", "en"):
            raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")
        return self.nb if lang == "nb" else self.en


@dataclass(frozen=True)
class Code:
    """One code of the frame."""

    id: str
    origin: str
    label: LangText
    definition: LangText
    column: str | None = None
    include: LangText | None = None
    exclude: LangText | None = None
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingFrame:
    """An ordered set of codes (order = column order in coding sheets and tables)."""

    id: str
    version: int
    codes: tuple[Code, ...]
    source: str = ""
    _by_id: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {c.id: c for c in self.codes})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes)

    def code(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]
        except KeyError:
            raise KeyError(f"no code {code_id!r} in coding frame {self.id!r}") from None

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def code_for_column(self, column: str) -> str | None:
        """The code standing for a questionnaire column, or None."""
        return next((c.id for c in self.codes if c.column == column), None)

    def columns(self, prefix: str = "") -> dict[str, str]:
        """Questionnaire column -> code id, for codes whose column starts with ``prefix``."""
        return {c.column: c.id for c in self.codes if c.column and c.column.startswith(prefix)}


@lru_cache(maxsize=1)
def _validator():
    import fastjsonschema

    return fastjsonschema.compile(SCHEMA)


def _text(d: dict | None) -> LangText | None:
    return None if d is None else LangText(nb=d["nb"], en=d["en"])


def _read(path: Path | None) -> tuple[dict, str]:
    import fastjsonschema

    if path is None:
        ref = resources.files("analysis.questionnaire").joinpath("coding_frame.yaml")
        name, text = "analysis/questionnaire/coding_frame.yaml", ref.read_text(encoding="utf-8")
    else:
        path = Path(path)
        name = str(path)
        if not path.is_file():
            raise InputFileError(path, "coding frame not found")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputFileError(path, "coding frame is not UTF-8 text") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputFileError(name, f"not valid YAML{where}") from None
    try:
        _validator()(raw)
    except fastjsonschema.JsonSchemaValueException as e:
        parts = [p for p in e.path[1:]]
        where = ".".join(parts) if parts else "(top level)"
        message = (
            e.message.replace(e.name, "", 1).strip() if e.message.startswith(e.name) else e.message
        )
        raise InputFileError(name, f"key {where}: {message}") from None
    return raw, name


def _check(raw: dict, name: str, codes: list[Code]) -> None:
    from analysis.instrument.codebook import columns_for, known_codebooks

    known = {c for cb in known_codebooks() for c in columns_for(cb)}
    seen: set[str] = set()
    for i, c in enumerate(codes):
        where = f"key codes.{i}"
        if c.id in seen:
            raise InputFileError(name, f"{where}.id: code {c.id!r} is defined twice")
        if c.id in RESERVED_IDS:
            raise InputFileError(name, f"{where}.id: {c.id!r} is reserved for a sheet column")
        if c.column is not None and c.column not in known:
            raise InputFileError(
                name, f"{where}.column: {c.column!r} is not a column of the instrument"
            )
        seen.add(c.id)
    cols = [c.column for c in codes if c.column]
    dup = sorted({x for x in cols if cols.count(x) > 1})
    if dup:
        raise InputFileError(name, f"key codes: column {dup[0]!r} has more than one code")


def load_coding_frame(path: str | Path | None = None) -> CodingFrame:
    """Read and validate a coding frame (default: the packaged one).

    Parameters
    ----------
    path : str or Path, optional
        A coding frame YAML file; ``extends: default`` prepends the packaged frame's codes.

    Returns
    -------
    CodingFrame

    Raises
    ------
    InputFileError
        One line naming the file, the key and what was expected.
    """
    raw, name = _read(Path(path) if path is not None else None)
    codes = [
        Code(
            id=c["id"],
            origin=c["origin"],
            label=_text(c["label"]),
            definition=_text(c["definition"]),
            column=c.get("column"),
            include=_text(c.get("include")),
            exclude=_text(c.get("exclude")),
            examples=tuple(c.get("examples", ())),
            keywords=tuple(c.get("keywords", ())),
        )
        for c in raw["codes"]
    ]
    if raw.get("extends") == "default":
        codes = list(load_coding_frame().codes) + codes
    if not codes:
        raise InputFileError(name, "key codes: the frame has no codes")
    _check(raw, name, codes)
    return CodingFrame(id=raw["id"], version=int(raw["version"]), codes=tuple(codes), source=name)


def frame_for_wave(wave: str, *, root: Path | None = None) -> CodingFrame:
    """The coding frame of a wave: ``data/raw/WAVE/coding_frame.yaml`` or the packaged one."""
    from analysis import paths

    own = paths.raw_dir(wave, root) / WAVE_FRAME_NAME
    return load_coding_frame(own if own.is_file() else None)
