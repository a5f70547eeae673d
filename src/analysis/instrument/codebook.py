"""The questionnaire as data: instrument versions as typed objects.

An instrument version is a YAML file: either **full** (questions, scales, categories, scores) or
written as **changes** to a base version (``base: N`` and a ``changes`` block; the vocabulary is
in :mod:`analysis.instrument.schema` and ``docs/new-instrument-version.md``). The packaged versions
live in ``analysis/questionnaire/instruments/``; any other file is given by path. Every file is
checked against the schema first; a fault is an :class:`InstrumentError`: one line naming the
file, the key and what was expected.

Canonical columns
-----------------
A matrix or checkbox question ``q`` with row or option ``r`` gives the column ``q_r``. A row or
option keeps the id it had when it first appeared, whatever later versions call it: a rename
changes only the export header (:meth:`Codebook.source_column`), so waves line up. A question a
version drops is **not asked** in a wave of that version: it has no column at all
(:attr:`Codebook.not_asked`). A question whose codes were merged keeps each wave's own coding;
:mod:`analysis.instrument.compare` harmonises two versions for a comparison.

Examples
--------
>>> cb = load_codebook(1)
>>> competence = cb.question(cb.question_for("competence"))
>>> len(competence.rows), competence.codes
(7, (1, 2, 3, 4, 5, 9))
>>> column = competence.columns[0]
>>> cb.label(column, lang="en"), cb.value_labels(column)[9]
('plan participation processes', 'Vet ikke')
>>> cb.source_column(column, "nettskjema") == column.replace("_", ".", 1)
True
>>> v2 = load_codebook(2)
>>> [c.kind for c in v2.changes][:2]                   # version 2 as changes to version 1
['add_row', 'rename_option']
>>> score = cb.score_for("competence")                 # the new row is left out of the score
>>> v2.score_items(score) == cb.score_items(score)
True
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from analysis.errors import UserError
from analysis.lang import Lang, check_lang

Source = Literal["canonical", "nettskjema", "spss", "surveyxact", "forms"]
QuestionType = Literal["single", "text", "checkbox", "matrix"]

#: Code 9: "Vet ikke / ikke aktuelt", the default non-substantive answer (kept as its own state).
DONT_KNOW = 9

#: Municipality size classes (inhabitants) in their fixed order (a property of the frame).
SIZE_CLASSES: tuple[str, ...] = ("under 5 000", "5 000–19 999", "20 000+")

#: Columns of the processed responses table before the items, in order. See
#: ``docs/processed-data.md``.
META_COLUMNS: tuple[str, ...] = (
    "response_id",  # str: "<wave>-<n>" with n the 1-based position of the row in the source file
    "wave",  # str
    "instrument_version",  # int8
    "source_row",  # int: 1-based data row in the source file (header excluded)
    "submission_id",  # str or NA: the export's own id ($submission_id, ID, ...)
)
#: Columns after the items: the landlord category (named by the instrument's ``categories``)
#: and what the municipality frame adds.
FRAME_COLUMNS: tuple[str, ...] = (
    "kommune",  # str or NA, from the frame
    "fylkesnummer",  # str or NA
    "fylke",  # str or NA
    "storrelse",  # ordered category of SIZE_CLASSES, or NA
    "population",  # Int64 or NA
)


class InstrumentError(UserError):
    """An instrument file that cannot be used: one line naming the file and the key."""

    def __init__(self, path: str | Path, key: str | None, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        where = f"{path}" + (f": key {key}" if key else "")
        super().__init__(f"{where}: {problem}")


#: Kept for callers of the old name: a broken instrument is an InstrumentError.
CodebookError = InstrumentError


@dataclass(frozen=True)
class Text:
    """A text in Norwegian bokmål (the published wording) and English."""

    nb: str
    en: str

    def __call__(self, lang: Lang = "nb") -> str:
        return self.nb if check_lang(lang) == "nb" else self.en


@dataclass(frozen=True)
class Option:
    """A checkbox option or a matrix row.

    ``id`` is the canonical id (the one the row had when it first appeared); ``native`` is what
    this version's exports call it (differs after a rename).
    """

    id: str
    text: Text
    reverse: bool = False
    native: str | None = None

    @property
    def export_id(self) -> str:
        return self.native or self.id


@dataclass(frozen=True)
class Question:
    """One question of the instrument.

    ``single`` and ``matrix`` questions carry a ``scale`` (code -> label); ``matrix`` questions
    have ``rows`` (one column each, coded on the scale); ``checkbox`` questions have ``options``
    (one 0/1 column each); ``text`` questions are one free or short text column.
    """

    id: str
    type: QuestionType
    section: str
    text: Text
    scale: dict[int, Text] | None = None
    options: tuple[Option, ...] = ()
    rows: tuple[Option, ...] = ()
    required: bool = False
    max_choices: int | None = None
    exclusive_option: str | None = None
    free_text: bool = False
    role: str | None = None
    non_substantive: tuple[int, ...] = (DONT_KNOW,)

    @property
    def parts(self) -> tuple[Option, ...]:
        """Rows of a matrix or options of a checkbox; empty for single and text questions."""
        return self.rows if self.type == "matrix" else self.options

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical column names, in questionnaire order."""
        if self.type in ("matrix", "checkbox"):
            return tuple(f"{self.id}_{p.id}" for p in self.parts)
        return (self.id,)

    @property
    def codes(self) -> tuple[int, ...]:
        """Valid codes: the scale's codes, or (0, 1) for checkbox options."""
        if self.type == "checkbox":
            return (0, 1)
        return tuple(sorted(self.scale)) if self.scale else ()

    @property
    def substantive_codes(self) -> tuple[int, ...]:
        """Valid codes other than the non-substantive ones (9, "vet ikke")."""
        if self.type == "checkbox":
            return (0, 1)
        return tuple(c for c in self.codes if c not in self.non_substantive)

    @property
    def dont_know_codes(self) -> tuple[int, ...]:
        """The non-substantive codes this question's scale actually has."""
        return tuple(c for c in self.codes if c in self.non_substantive and self.type != "checkbox")

    def part(self, part_id: str) -> Option:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(f"question {self.id!r} has no row or option {part_id!r}")


@dataclass(frozen=True)
class Score:
    """A score: items from one question combined by the rule named in ``method``.

    ``mean_rescaled``: mean of the substantive answers (reverse-keyed rows as lo+hi-x), rescaled
    to 0-100 over ``scale_min``..``scale_max``; NA with fewer than ``min_valid`` substantive
    answers. ``mean``: the same without rescaling (``also_max`` adds the highest answer).
    ``count_code``: how many items are ``code``; NA when more than ``max_invalid`` are
    non-substantive or blank. ``count_checked``: how many options are chosen; NA when the
    question is unanswered. Items: the question's rows/options, or ``items``, less ``exclude``.
    """

    id: str
    question: str
    method: Literal["mean_rescaled", "mean", "count_code", "count_checked"]
    label: Text
    scale_min: int | None = None
    scale_max: int | None = None
    min_valid: int | None = None
    max_invalid: int | None = None
    code: int | None = None
    exclude: tuple[str, ...] = ()
    items: tuple[str, ...] | None = None
    also_max: str | None = None


@dataclass(frozen=True)
class Category:
    """A level of the landlord category and the codes of its source question it covers."""

    id: str
    codes: tuple[int, ...]
    text: Text


@dataclass(frozen=True)
class Change:
    """One change of a version against its base, as a researcher would read it."""

    version: int
    kind: str
    question: str | None = None
    part: str | None = None
    detail: str = ""


@dataclass
class Codebook:
    """One version of the instrument. Use :func:`load_codebook` to get one."""

    version: int
    title: Text
    questions: dict[str, Question]
    scores: dict[str, Score]
    categories: dict[str, Category]
    category_variable: str
    category_source: str
    non_substantive_codes: tuple[int, ...] = (DONT_KNOW,)
    base: int | None = None
    source: str | None = None
    sha256: str | None = None
    lineage: tuple[int, ...] = ()
    changes: tuple[Change, ...] = ()
    #: canonical column -> version it first appeared in
    origin: dict[str, int] = field(default_factory=dict)
    #: canonical column or question id -> version whose change set its current wording
    text_changed: dict[str, int] = field(default_factory=dict)
    #: question id -> {ancestor version -> {ancestor code -> this version's code}}
    recode_from: dict[str, dict[int, dict[int, int]]] = field(default_factory=dict)
    #: columns an ancestor version asked that this version does not -> version that dropped them
    dropped: dict[str, int] = field(default_factory=dict)
    #: files of the chain (root first): (path, sha256)
    files: tuple[tuple[str, str], ...] = ()

    # -- lookup ---------------------------------------------------------------------------
    def question(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise KeyError(
                f"instrument version {self.version} has no question {question_id!r}"
            ) from None

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Every canonical response column of this version, in questionnaire order."""
        return tuple(c for q in self.questions.values() for c in q.columns)

    @property
    def text_columns(self) -> tuple[str, ...]:
        """Columns holding text rather than codes (``text`` questions)."""
        return tuple(q.id for q in self.questions.values() if q.type == "text")

    @property
    def free_text_columns(self) -> tuple[str, ...]:
        """Free-text columns (may hold personal data; never published)."""
        return tuple(q.id for q in self.questions.values() if q.free_text)

    @property
    def coded_columns(self) -> tuple[str, ...]:
        """Columns holding codes (single, matrix, checkbox)."""
        text = set(self.text_columns)
        return tuple(c for c in self.item_columns if c not in text)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions.values() if q.required)

    def role(self, role: str) -> str | None:
        """The question id with ``role`` (e.g. ``municipality_code``), or None."""
        for q in self.questions.values():
            if q.role == role:
                return q.id
        return None

    def question_for(self, role: str) -> str:
        """The id of the question with ``role``; KeyError naming the role when there is none."""
        qid = self.role(role)
        if qid is None:
            raise KeyError(f"instrument version {self.version} has no question with role {role!r}")
        return qid

    def role_columns(self, role: str) -> tuple[str, ...]:
        """The columns of the question with ``role`` (its rows or options, or itself).

        Examples
        --------
        >>> cb = load_codebook(1)
        >>> len(cb.role_columns("competence")), cb.role_columns("dwellings") == (cb.question_for("dwellings"),)
        (7, True)
        """
        return tuple(self.question(self.question_for(role)).columns)

    def score_for(self, role: str) -> str:
        """The score built on the question with ``role`` (e.g. ``competence`` -> ``kompetanse``)."""
        qid = self.question_for(role)
        for s in self.scores.values():
            if s.question == qid:
                return s.id
        raise KeyError(f"instrument version {self.version} has no score on its {role} question")

    @property
    def not_asked(self) -> tuple[str, ...]:
        """Columns an earlier version of this instrument asked that this version does not."""
        return tuple(self.dropped)

    def locate(self, column: str) -> tuple[Question, Option | None]:
        """The question (and row/option) behind a canonical column name.

        Question ids may themselves contain underscores (a question ``q_x`` beside ``q``), so the longest
        question id that is a prefix wins.
        """
        if column in self.questions:
            return self.questions[column], None
        for qid in sorted(self.questions, key=len, reverse=True):
            q = self.questions[qid]
            if q.parts and column.startswith(qid + "_"):
                part_id = column[len(qid) + 1 :]
                for p in q.parts:
                    if p.id == part_id:
                        return q, p
        raise KeyError(f"{column!r} is not a column of instrument version {self.version}")

    def has_column(self, column: str) -> bool:
        try:
            self.locate(column)
        except KeyError:
            return False
        return True

    def label(self, column: str, lang: Lang = "nb") -> str:
        """Label of a column: the row/option text, or the question text."""
        q, part = self.locate(column)
        return part.text(lang) if part is not None else q.text(lang)

    def value_labels(self, column: str, lang: Lang = "nb") -> dict[int, str]:
        """Code -> label for a single or matrix column; {0: not chosen, 1: option} for a checkbox."""
        q, part = self.locate(column)
        if q.type == "checkbox":
            assert part is not None
            return {0: "Ikke valgt" if lang == "nb" else "Not chosen", 1: part.text(lang)}
        if q.scale is None:
            return {}
        return {code: t(lang) for code, t in sorted(q.scale.items())}

    def category_of(self, code: int) -> str | None:
        """The landlord category of a code of the category source question (None if unknown)."""
        for cat in self.categories.values():
            if code in cat.codes:
                return cat.id
        return None

    # -- scores -----------------------------------------------------------------------------
    def score_items(self, score_id: str) -> tuple[str, ...]:
        """The columns a score uses in this version, in questionnaire order."""
        sid = self._score_id(score_id)
        s = self.scores[sid]
        q = self.question(s.question)
        if s.items is not None:
            parts = [p for p in q.parts if p.id in s.items]
        else:
            parts = list(q.parts)
        return tuple(f"{q.id}_{p.id}" for p in parts if p.id not in s.exclude)

    def _score_id(self, score_id: str) -> str:
        if score_id in self.scores:
            return score_id
        for s in self.scores.values():
            if s.also_max == score_id:
                return s.id
        raise ValueError(
            f"unknown score {score_id!r} in instrument version {self.version}; "
            f"known: {', '.join(self.score_columns)}"
        )

    @property
    def score_columns(self) -> tuple[str, ...]:
        """Score columns in order, each ``also_max`` companion right after its score."""
        out: list[str] = []
        for s in self.scores.values():
            out.append(s.id)
            if s.also_max:
                out.append(s.also_max)
        return tuple(out)

    # -- export naming ----------------------------------------------------------------------
    def source_column(self, column: str, source: Source) -> str:
        """The header a source uses for a canonical column.

        Nettskjema writes ``q.r``; SPSS and SurveyXact write ``q_r``; Microsoft Forms writes
        the question text, ``<question text> [<row text>]`` for matrix rows, and one column per
        checkbox question (answers joined by ``;``). Renamed rows use this version's id.
        """
        q, part = self.locate(column)
        native = part.export_id if part is not None else None
        if source == "canonical":
            return column
        if source == "nettskjema":
            return q.id if part is None else f"{q.id}.{native}"
        if source in ("spss", "surveyxact"):
            return q.id if part is None else f"{q.id}_{native}"
        if source == "forms":
            if q.type == "matrix" and part is not None:
                return f"{q.text('nb')} [{part.text('nb')}]"
            return q.text("nb")
        raise ValueError(f"unknown source {source!r}")

    def native_part_id(self, question_id: str, part_id: str) -> str:
        """The row/option id as this version's exports spell it."""
        return self.question(question_id).part(part_id).export_id

    def canonical_part_id(self, question_id: str, native_id: str) -> str:
        """Inverse of :meth:`native_part_id` (unknown ids pass through)."""
        for p in self.question(question_id).parts:
            if p.export_id == native_id:
                return p.id
        return native_id


# ------------------------------------------------------------------------------------------
# Reading files: schema, base chain, changes
# ------------------------------------------------------------------------------------------


def packaged_dir() -> Path:
    """Folder of the packaged instrument versions."""
    return Path(str(resources.files("analysis.questionnaire").joinpath("instruments")))


def _read(path: Path) -> tuple[dict, str]:
    if not path.exists():
        raise InstrumentError(path, None, "file not found")
    if path.is_dir():
        raise InstrumentError(path, None, "is a folder, not an instrument YAML file")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        raw = _safe_load(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InstrumentError(path, None, "is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InstrumentError(path, None, f"malformed YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        raise InstrumentError(path, None, "expected a mapping with 'version' at the top")
    return raw, sha


#: Parsed instrument texts (parsing YAML is the slow part of loading a codebook, and the same
#: file is read to learn its version, as a base and as a wave's copy).
_PARSED: dict[str, object] = {}


def _safe_load(text: str):
    """``yaml.safe_load(text)``, parsed once per process per text (a fresh copy each call)."""
    if text not in _PARSED:
        _PARSED[text] = yaml.safe_load(text)
    return copy.deepcopy(_PARSED[text])


@cache
def _validator(kind: str):
    """The compiled schema check (fastjsonschema: compiled once, microseconds per file)."""
    import fastjsonschema

    from analysis.instrument.schema import CHANGE_SCHEMA, FULL_SCHEMA

    return fastjsonschema.compile(CHANGE_SCHEMA if kind == "change" else FULL_SCHEMA)


def _schema_at(kind: str, path: list[str]) -> dict:
    """The part of the schema that describes the value at ``path`` (for the allowed keys)."""
    from analysis.instrument.schema import CHANGE_SCHEMA, FULL_SCHEMA

    node: dict = CHANGE_SCHEMA if kind == "change" else FULL_SCHEMA
    for seg in path:
        if seg in node.get("properties", {}):
            node = node["properties"][seg]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        elif "items" in node:
            node = node["items"]
        else:
            return {}
    return node


def _validate(raw: dict, path: Path) -> None:
    import fastjsonschema

    kind = "change" if "base" in raw else "full"
    try:
        _validator(kind)(raw)
    except fastjsonschema.JsonSchemaValueException as err:
        where = [str(p) for p in err.path[1:]]  # drop fastjsonschema's leading "data"
        key = ".".join(where) or "(top level)"
        if err.rule == "additionalProperties" and isinstance(err.value, dict):
            allowed = list(_schema_at(kind, where).get("properties", {}))
            extra = sorted(set(err.value) - set(allowed))
            if extra:
                key = ".".join([*where, extra[0]])
            problem = f"unknown key {extra[0]!r}" if extra else "unknown key"
            if allowed:
                problem += f" (expected one of: {', '.join(allowed)})"
        elif err.rule == "required":
            problem = f"{err.message.split(' must contain ')[-1]} required"
        elif err.rule == "enum":
            problem = f"{err.value!r} is not one of {', '.join(map(repr, err.rule_definition))}"
        elif err.rule == "pattern":
            problem = f"{err.value!r} is not a valid id (lower-case letters, digits and _)"
        elif err.rule == "type":
            problem = f"expected {err.rule_definition}, not {type(err.value).__name__}"
        elif err.rule == "oneOf":
            problem = f"expected {_describe(_schema_at(kind, where))}, not {err.value!r}"
        else:
            problem = err.message.replace("data.", "", 1)
        raise InstrumentError(path, key, problem) from None


def _describe(schema: dict) -> str:
    kinds = []
    for s in schema.get("oneOf", []):
        if s.get("type") == "object":
            kinds.append("a mapping")
        elif s.get("type") in ("integer", "string"):
            kinds.append("a " + {"integer": "number", "string": "name"}[s["type"]])
    return " or ".join(dict.fromkeys(kinds)) or "another value"


def _resolve_base(base: int | str, path: Path) -> Path:
    """The file of a base version: a path relative to the file, a file beside it, or packaged."""
    if isinstance(base, str):
        p = (path.parent / base).resolve()
        if not p.is_file():
            raise InstrumentError(path, "base", f"base file {base!r} not found beside this file")
        return p
    for folder in (path.parent, packaged_dir()):
        for candidate in sorted(folder.glob("*.y*ml")):
            if candidate.resolve() == path.resolve():
                continue
            try:
                head = _safe_load(candidate.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError, OSError):
                continue
            if isinstance(head, dict) and head.get("version") == base:
                return candidate.resolve()
    known = ", ".join(str(v) for v in available_versions())
    raise InstrumentError(
        path, "base", f"unknown base version {base} (known: {known}, or a path to a file)"
    )


def _text(d: Mapping) -> Text:
    return Text(nb=str(d["nb"]), en=str(d.get("en", "")))


class _Chain:
    """A raw instrument (full file plus the changes applied so far) and its lineage."""

    def __init__(self, raw: dict, path: Path, sha: str):
        self.raw = copy.deepcopy(raw)
        self.path = path
        self.version = int(raw["version"])
        self.lineage = [self.version]
        self.changes: list[Change] = []
        self.origin: dict[str, int] = {}
        self.text_changed: dict[str, int] = {}
        self.recode_from: dict[str, dict[int, dict[int, int]]] = {}
        self.dropped: dict[str, int] = {}
        self.native: dict[str, str] = {}  # canonical column -> native part id
        self.files = [(str(path), sha)]
        for q in self.raw["questions"]:
            for c in _raw_columns(q):
                self.origin[c] = self.version

    # -- helpers ------------------------------------------------------------------------------
    def question(self, qid: str, key: str) -> dict:
        for q in self.raw["questions"]:
            if q["id"] == qid:
                return q
        raise InstrumentError(
            self.path, key, f"unknown question {qid!r} in base version {self.lineage[-2]}"
        )

    def part(self, q: dict, pid: str, key: str) -> dict:
        parts = q.get("rows") or q.get("options") or []
        for p in parts:
            if p["id"] == pid or self.native.get(f"{q['id']}_{p['id']}") == pid:
                return p
        ids = ", ".join(p["id"] for p in parts) or "none"
        raise InstrumentError(
            self.path, key, f"question {q['id']!r} has no row or option {pid!r} (it has: {ids})"
        )

    def apply(self, change_file: dict, path: Path, sha: str) -> None:
        self.path = path
        new = int(change_file["version"])
        if new in self.lineage:
            raise InstrumentError(
                path, "version", f"version {new} also appears in its own base chain"
            )
        self.lineage.append(new)
        self.files.append((str(path), sha))
        raw = self.raw
        raw["version"] = new
        if "title" in change_file:
            raw["title"] = change_file["title"]
        if "non_substantive_codes" in change_file:
            raw["non_substantive_codes"] = change_file["non_substantive_codes"]
        ch = change_file["changes"]
        log = self.changes

        for name, spec in ch.get("scales", {}).items():
            raw["scales"][name] = spec
            log.append(Change(new, "scale", detail=name))
        for i, q in enumerate(ch.get("add_questions", [])):
            key = f"changes.add_questions.{i}"
            if any(x["id"] == q["id"] for x in raw["questions"]):
                raise InstrumentError(path, f"{key}.id", f"question {q['id']!r} already exists")
            q = dict(q)
            after = q.pop("after", None)
            pos = len(raw["questions"])
            if after is not None:
                self.question(after, f"{key}.after")
                pos = next(j for j, x in enumerate(raw["questions"]) if x["id"] == after) + 1
            if q["type"] in ("single", "matrix") and "scale" not in q:
                raise InstrumentError(path, f"{key}.scale", f"a {q['type']} question needs a scale")
            if q["type"] in ("matrix",) and not q.get("rows"):
                raise InstrumentError(path, f"{key}.rows", "a matrix question needs rows")
            if q["type"] in ("checkbox",) and not q.get("options"):
                raise InstrumentError(path, f"{key}.options", "a checkbox question needs options")
            q.setdefault("section", "added")
            raw["questions"].insert(pos, q)
            for c in _raw_columns(q):
                self.origin[c] = new
                self.dropped.pop(c, None)
            log.append(Change(new, "add_question", q["id"]))
        for i, qid in enumerate(ch.get("drop_questions", [])):
            q = self.question(qid, f"changes.drop_questions.{i}")
            if qid == raw["categories"]["from"]:
                raise InstrumentError(
                    path,
                    f"changes.drop_questions.{i}",
                    f"{qid!r} defines the landlord category and cannot be dropped",
                )
            raw["questions"].remove(q)
            for c in _raw_columns(q):
                self.dropped[c] = new
            for sid in [s for s, d in raw.get("scores", {}).items() if d["question"] == qid]:
                del raw["scores"][sid]
                log.append(Change(new, "drop_score", qid, detail=sid))
            log.append(Change(new, "drop_question", qid))
        for kind, attr in (("add_rows", "rows"), ("add_options", "options")):
            for qid, parts in ch.get(kind, {}).items():
                q = self.question(qid, f"changes.{kind}.{qid}")
                want = "matrix" if attr == "rows" else "checkbox"
                if q["type"] != want:
                    raise InstrumentError(
                        path,
                        f"changes.{kind}.{qid}",
                        f"{qid!r} is a {q['type']} question, not a {want}",
                    )
                for j, p in enumerate(parts):
                    if any(x["id"] == p["id"] for x in q[attr]):
                        raise InstrumentError(
                            path, f"changes.{kind}.{qid}.{j}.id", f"{qid!r} already has {p['id']!r}"
                        )
                    q[attr].append(dict(p))
                    col = f"{qid}_{p['id']}"
                    self.origin[col] = new
                    self.dropped.pop(col, None)
                    log.append(Change(new, kind[:-1], qid, p["id"]))
        for kind, attr in (("drop_rows", "rows"), ("drop_options", "options")):
            for qid, ids in ch.get(kind, {}).items():
                q = self.question(qid, f"changes.{kind}.{qid}")
                for j, pid in enumerate(ids):
                    p = self.part(q, pid, f"changes.{kind}.{qid}.{j}")
                    q[attr].remove(p)
                    self.dropped[f"{qid}_{p['id']}"] = new
                    log.append(Change(new, kind[:-1], qid, p["id"]))
                if not q[attr]:
                    raise InstrumentError(
                        path, f"changes.{kind}.{qid}", f"drops every {attr[:-1]} of {qid!r}"
                    )
        for kind in ("rename_rows", "rename_options"):
            for qid, renames in ch.get(kind, {}).items():
                q = self.question(qid, f"changes.{kind}.{qid}")
                for old, new_id in renames.items():
                    p = self.part(q, old, f"changes.{kind}.{qid}.{old}")
                    self.native[f"{qid}_{p['id']}"] = new_id
                    log.append(Change(new, kind[:-1], qid, p["id"], detail=new_id))
        for qid, spec in ch.get("recode", {}).items():
            key = f"changes.recode.{qid}"
            q = self.question(qid, key)
            if q["type"] not in ("single", "matrix"):
                raise InstrumentError(
                    path, key, f"{qid!r} is a {q['type']} question: nothing to recode"
                )
            old_scale = _scale_codes(raw, q)
            mapping = {int(k): int(v) for k, v in spec["map"].items()}
            new_codes = {int(k) for k in spec["scale"]}
            missing = sorted(set(old_scale) - set(mapping))
            if missing:
                raise InstrumentError(
                    path, f"{key}.map", f"old code(s) {missing} of {qid!r} are not mapped"
                )
            bad = sorted(set(mapping.values()) - new_codes)
            if bad:
                raise InstrumentError(
                    path, f"{key}.map", f"maps onto code(s) {bad} that the new scale lacks"
                )
            scale_name = f"_{qid}_v{new}"
            raw["scales"][scale_name] = spec["scale"]
            q["scale"] = scale_name
            prev = self.recode_from.get(qid, {})
            composed = {
                v: {a: mapping[b] for a, b in m.items() if b in mapping} for v, m in prev.items()
            }
            composed[self.lineage[-2]] = mapping
            self.recode_from[qid] = composed
            if qid == raw["categories"]["from"]:
                for level in raw["categories"]["levels"].values():
                    level["codes"] = sorted({mapping[c] for c in level["codes"] if c in mapping})
            log.append(Change(new, "recode", qid, detail=str(mapping)))
        for target, text in ch.get("texts", {}).items():
            key = f"changes.texts.{target}"
            if any(x["id"] == target for x in raw["questions"]):
                self.question(target, key)["text"] = text
            else:
                q, p = self._locate(target, key)
                p.update(nb=text["nb"], en=text["en"])
            self.text_changed[target] = new
            log.append(Change(new, "text", target))
        for sid, spec in ch.get("scores", {}).items():
            key = f"changes.scores.{sid}"
            current = raw.setdefault("scores", {}).get(sid)
            if current is None:
                missing = [k for k in ("question", "method", "label") if k not in spec]
                if missing:
                    raise InstrumentError(path, key, f"a new score needs {', '.join(missing)}")
                raw["scores"][sid] = dict(spec)
                log.append(Change(new, "add_score", spec["question"], detail=sid))
            else:
                current.update(spec)
                log.append(Change(new, "change_score", current["question"], detail=sid))
        for i, sid in enumerate(ch.get("drop_scores", [])):
            if sid not in raw.get("scores", {}):
                raise InstrumentError(path, f"changes.drop_scores.{i}", f"unknown score {sid!r}")
            q = raw["scores"].pop(sid)["question"]
            log.append(Change(new, "drop_score", q, detail=sid))

    def _locate(self, column: str, key: str) -> tuple[dict, dict]:
        for q in sorted(self.raw["questions"], key=lambda x: len(x["id"]), reverse=True):
            if column.startswith(q["id"] + "_"):
                return q, self.part(q, column[len(q["id"]) + 1 :], key)
        raise InstrumentError(self.path, key, f"unknown question or column {column!r}")


def _raw_columns(q: dict) -> list[str]:
    parts = q.get("rows") or q.get("options") or []
    if q["type"] in ("matrix", "checkbox"):
        return [f"{q['id']}_{p['id']}" for p in parts]
    return [q["id"]]


def _scale_codes(raw: dict, q: dict) -> list[int]:
    spec = q.get("scale")
    if isinstance(spec, str):
        spec = raw["scales"].get(spec, {})
    if isinstance(spec, dict) and "scale_from_options" in spec:
        src = next(x for x in raw["questions"] if x["id"] == spec["scale_from_options"])
        return list(range(1, len(src["options"]) + 1))
    return [int(k) for k in (spec or {})]


def _load_chain(path: Path, seen: tuple[Path, ...] = ()) -> _Chain:
    path = path.resolve()
    if path in seen:
        raise InstrumentError(path, "base", "the base chain loops back to this file")
    raw, sha = _read(path)
    _validate(raw, path)
    if "base" not in raw:
        return _Chain(raw, path, sha)
    chain = _load_chain(_resolve_base(raw["base"], path), (*seen, path))
    chain.apply(raw, path, sha)
    return chain


def _build(chain: _Chain) -> Codebook:
    raw, path = chain.raw, chain.path
    nonsub = tuple(int(c) for c in raw.get("non_substantive_codes", [DONT_KNOW]))
    questions: dict[str, Question] = {}
    for q in raw["questions"]:
        parts = tuple(
            Option(
                id=p["id"],
                text=_text(p),
                reverse=bool(p.get("reverse", False)),
                native=chain.native.get(f"{q['id']}_{p['id']}"),
            )
            for p in q.get("options", q.get("rows", []))
        )
        questions[q["id"]] = Question(
            id=q["id"],
            type=q["type"],
            section=q.get("section", ""),
            text=_text(q["text"]),
            options=parts if q["type"] == "checkbox" else (),
            rows=parts if q["type"] == "matrix" else (),
            required=bool(q.get("required", False)),
            max_choices=q.get("max_choices"),
            exclusive_option=q.get("exclusive_option"),
            free_text=bool(q.get("free_text", False)),
            role=q.get("role"),
            non_substantive=nonsub,
        )
    for q in raw["questions"]:
        spec = q.get("scale")
        if spec is None:
            if q["type"] in ("single", "matrix"):
                raise InstrumentError(path, f"questions.{q['id']}.scale", "a scale is required")
            continue
        if isinstance(spec, str):
            if spec not in raw["scales"]:
                raise InstrumentError(path, f"questions.{q['id']}.scale", f"unknown scale {spec!r}")
            spec = raw["scales"][spec]
        if "scale_from_options" in spec:
            src = questions.get(spec["scale_from_options"])
            if src is None or src.type != "checkbox":
                raise InstrumentError(
                    path,
                    f"questions.{q['id']}.scale",
                    "scale_from_options must name a checkbox question",
                )
            scale = {i + 1: o.text for i, o in enumerate(src.options)}
        else:
            scale = {int(code): _text(t) for code, t in spec.items()}
        questions[q["id"]] = replace(questions[q["id"]], scale=scale)
    scores = {}
    for sid, s in raw.get("scores", {}).items():
        scores[sid] = Score(
            id=sid,
            question=s["question"],
            method=s["method"],
            label=_text(s["label"]),
            scale_min=s.get("scale_min"),
            scale_max=s.get("scale_max"),
            min_valid=s.get("min_valid"),
            max_invalid=s.get("max_invalid"),
            code=s.get("code"),
            exclude=tuple(s.get("exclude", ())),
            items=tuple(s["items"]) if s.get("items") else None,
            also_max=s.get("also_max"),
        )
    cats = raw["categories"]
    categories = {
        cid: Category(id=cid, codes=tuple(int(x) for x in c["codes"]), text=_text(c))
        for cid, c in cats["levels"].items()
    }
    cb = Codebook(
        version=chain.version if len(chain.lineage) == 1 else chain.lineage[-1],
        title=_text(raw["title"]),
        questions=questions,
        scores=scores,
        categories=categories,
        category_variable=cats["variable"],
        category_source=cats["from"],
        non_substantive_codes=nonsub,
        base=chain.lineage[-2] if len(chain.lineage) > 1 else None,
        source=str(path),
        sha256=chain.files[-1][1],
        lineage=tuple(chain.lineage),
        changes=tuple(chain.changes),
        origin=dict(chain.origin),
        text_changed=dict(chain.text_changed),
        recode_from=copy.deepcopy(chain.recode_from),
        dropped=dict(chain.dropped),
        files=tuple(chain.files),
    )
    _check(cb, path)
    return cb


def _check(cb: Codebook, path: Path) -> None:
    cols = cb.item_columns
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InstrumentError(path, "questions", f"duplicate column(s) {', '.join(dup)}")
    if cb.category_source not in cb.questions:
        raise InstrumentError(path, "categories.from", f"unknown question {cb.category_source!r}")
    for s in cb.scores.values():
        key = f"scores.{s.id}"
        if s.question not in cb.questions:
            raise InstrumentError(path, f"{key}.question", f"unknown question {s.question!r}")
        q = cb.questions[s.question]
        known = {p.id for p in q.parts}
        for pid in (*s.exclude, *(s.items or ())):
            if pid not in known:
                raise InstrumentError(path, key, f"{s.question!r} has no row or option {pid!r}")
        if s.method == "count_checked" and q.type != "checkbox":
            raise InstrumentError(path, f"{key}.method", "count_checked needs a checkbox question")
        if s.method != "count_checked" and q.type != "matrix":
            raise InstrumentError(path, f"{key}.method", f"{s.method} needs a matrix question")
        if s.method in ("mean_rescaled", "mean") and (s.scale_min is None or s.scale_max is None):
            raise InstrumentError(path, key, f"{s.method} needs scale_min and scale_max")
        if s.method == "count_code" and s.code is None:
            raise InstrumentError(path, key, "count_code needs code")
        if not cb.score_items(s.id):
            raise InstrumentError(path, key, "the score has no items left")
    for q in cb.questions.values():
        if q.exclusive_option and q.exclusive_option not in {p.id for p in q.parts}:
            raise InstrumentError(
                path, f"questions.{q.id}.exclusive_option", f"unknown option {q.exclusive_option!r}"
            )


# ------------------------------------------------------------------------------------------
# Registry
# ------------------------------------------------------------------------------------------

_LOCK = threading.Lock()
_BY_FILE: dict[tuple[str, str], Codebook] = {}
_BY_VERSION: dict[int, Codebook] = {}


def available_versions() -> tuple[int, ...]:
    """Versions packaged with the project, ascending.

    Examples
    --------
    >>> available_versions()[:2]
    (1, 2)
    """
    return tuple(sorted(_packaged_files()))


@cache
def _packaged_files() -> dict[int, Path]:
    """Packaged version -> its file (read once: package data do not change while running)."""
    out: dict[int, Path] = {}
    for p in sorted(packaged_dir().glob("*.y*ml")):
        try:
            head = _safe_load(p.read_text(encoding="utf-8"))
        except (yaml.YAMLError, OSError):  # pragma: no cover - a broken packaged file
            continue
        if isinstance(head, dict) and isinstance(head.get("version"), int):
            out[head["version"]] = p
    return out


def _packaged_file(version: int) -> Path | None:
    return _packaged_files().get(version)


def load_codebook(instrument: int | str | Path = 1) -> Codebook:
    """Load an instrument version: a version id, or the path of a YAML file.

    A version id is looked up among the instruments this process has loaded from a file or a
    wave (:func:`register_codebook`), then among the packaged versions. A path is read, checked
    against the schema, its base chain resolved (a base named by number is looked for beside
    the file, then among the packaged versions) and the result registered under its version.

    Parameters
    ----------
    instrument : int, str or Path
        ``2``, ``"2"`` or ``"path/to/instrument_v3.yaml"``.

    Returns
    -------
    Codebook

    Raises
    ------
    InstrumentError
        A missing or malformed file, a schema violation, an unknown base or item (one line
        naming the file and the key).
    ValueError
        An unknown version id.

    Examples
    --------
    >>> load_codebook("2").version, load_codebook(2).base
    (2, 1)
    """
    if isinstance(instrument, str) and instrument.strip().isdigit():
        instrument = int(instrument)
    if isinstance(instrument, bool) or not isinstance(instrument, int | str | Path):
        raise ValueError(
            f"instrument version must be a version number or a path, not {instrument!r}"
        )
    if isinstance(instrument, int):
        with _LOCK:
            if instrument in _BY_VERSION:
                return _BY_VERSION[instrument]
        path = _packaged_file(instrument)
        if path is None:
            known = ", ".join(map(str, sorted(set(available_versions()) | set(_BY_VERSION))))
            raise ValueError(
                f"unknown instrument version {instrument} (known: {known}; "
                "or give the path of a YAML file)"
            )
        return _load_path(path)
    return _load_path(Path(instrument))


def _load_path(path: Path) -> Codebook:
    path = Path(path)
    key_sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    key = (str(path.resolve()), key_sha)
    with _LOCK:
        if key in _BY_FILE and _chain_unchanged(_BY_FILE[key]):
            return _BY_FILE[key]
    cb = _build(_load_chain(path))
    packaged = _packaged_file(cb.version)
    if packaged is not None and hashlib.sha256(packaged.read_bytes()).hexdigest() != cb.sha256:
        raise InstrumentError(
            path,
            "version",
            f"version {cb.version} is a packaged instrument version: give your file a new "
            f"version number (packaged: {', '.join(map(str, available_versions()))})",
        )
    with _LOCK:
        _BY_FILE[key] = cb
    register_codebook(cb)
    return cb


def _chain_unchanged(cb: Codebook) -> bool:
    for f, sha in cb.files:
        p = Path(f)
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            return False
    return True


def register_codebook(cb: Codebook) -> Codebook:
    """Make ``cb`` the codebook of its version in this process (what version ids resolve to)."""
    with _LOCK:
        _BY_VERSION[cb.version] = cb
    return cb


def default_codebook() -> Codebook:
    """The first packaged version: what data that do not name their version are read with."""
    return load_codebook(available_versions()[0])


def known_codebooks() -> tuple[Codebook, ...]:
    """Every version this process knows: the packaged ones and those loaded from files."""
    with _LOCK:
        loaded = dict(_BY_VERSION)
    for v in available_versions():
        if v not in loaded:
            loaded[v] = load_codebook(v)
    return tuple(loaded[v] for v in sorted(loaded))


def codebook_for(data: Any, codebook: Codebook | None = None) -> Codebook:
    """The codebook of a wave's data: ``codebook`` if given, else by its ``instrument_version``.

    Data without an ``instrument_version`` column (a hand-made frame) are read with the first
    packaged version.

    Examples
    --------
    >>> import pandas as pd
    >>> codebook_for(pd.DataFrame({"instrument_version": [2, 2]})).version
    2
    """
    if codebook is not None:
        return codebook
    versions: Iterable = ()
    if hasattr(data, "columns") and "instrument_version" in data.columns:
        versions = {int(v) for v in data["instrument_version"].dropna().unique()}
    if not versions:
        return default_codebook()
    if len(versions) > 1:
        raise ValueError(
            f"the data mix instrument versions {sorted(versions)}: compare waves with "
            "analysis.compare_waves, or split them"
        )
    return load_codebook(next(iter(versions)))


def columns_for(cb: Codebook) -> tuple[str, ...]:
    """All processed-data columns of a wave of version ``cb`` (meta, items, derived), in order."""
    return META_COLUMNS + cb.item_columns + (cb.category_variable,) + FRAME_COLUMNS
