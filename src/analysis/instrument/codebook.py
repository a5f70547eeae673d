"""The survey instrument as typed objects.

The instrument (``shared/spec/instrument.md``) is stored as package data in
``analysis/data/instrument_v1.yaml`` and ``instrument_v2.yaml`` (version 2 is written as its
three changes to version 1). :func:`load_codebook` turns either into a :class:`Codebook`.

Canonical columns
-----------------
Item ids are the canonical column names. A matrix or checkbox question ``q`` with row or option
``r`` gives the canonical column ``q_r``. Processed data of *every* wave uses the canonical ids of
version 1 plus ``komp_digitalt`` (see :data:`COMMON_ITEM_COLUMNS`): version 2's renamed option
``behov_organisering`` is stored as ``behov_beboerrad`` (same meaning), and ``komp_digitalt`` is
empty for version 1 waves. ``utleiertype`` keeps the wave's own coding (version 2 merges codes 2 and
3); :meth:`Codebook.harmonise_utleiertype` maps version 1 codes onto version 2's for comparisons,
while ``utleierkategori`` means the same in both versions.

Examples
--------
>>> cb = load_codebook(1)
>>> cb.question("komp").columns[:2]
('komp_planlegge', 'komp_na_alle')
>>> cb.label("hold_tidsbruk", lang="en")
'Participation takes more time than it gives back'
>>> cb.value_labels("forut_strategi")
{1: 'Ja', 2: 'Nei', 9: 'Vet ikke'}
>>> cb.source_column("komp_na_alle", "nettskjema")
'komp.na_alle'
>>> load_codebook(2).harmonise_utleiertype([1, 2, 3, 4, 5])
[1, 2, 2, 4, 5]
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml

Lang = Literal["nb", "en"]
Source = Literal["canonical", "nettskjema", "spss", "surveyxact", "forms"]
QuestionType = Literal["single", "text", "checkbox", "matrix"]

#: Instrument versions the package knows.
VERSIONS: tuple[int, ...] = (1, 2)

#: Code 9: "Vet ikke / ikke aktuelt", a non-substantive answer kept as its own state.
DONT_KNOW = 9

#: Landlord categories in their fixed reporting order.
CATEGORIES: tuple[str, ...] = ("kommunal", "ideell", "kommersiell")

#: Municipality size classes (inhabitants) in their fixed order.
SIZE_CLASSES: tuple[str, ...] = ("under 5 000", "5 000–19 999", "20 000+")


class CodebookError(ValueError):
    """The packaged instrument files are inconsistent (a bug, never a user error)."""


@dataclass(frozen=True)
class Text:
    """A text in Norwegian bokmål (the published wording) and English."""

    nb: str
    en: str

    def __call__(self, lang: Lang = "nb") -> str:
        if lang not in ("nb", "en"):
            raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")
        return self.nb if lang == "nb" else self.en


@dataclass(frozen=True)
class Option:
    """A checkbox option or a matrix row."""

    id: str
    text: Text
    reverse: bool = False


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
        """Valid codes other than the non-substantive 9."""
        return tuple(c for c in self.codes if c != DONT_KNOW)

    def part(self, part_id: str) -> Option:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(f"question {self.id!r} has no row or option {part_id!r}")


@dataclass(frozen=True)
class Score:
    """A score definition (see the 'Scores' table of the instrument page)."""

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
    also_max: str | None = None


@dataclass(frozen=True)
class Category:
    """A level of ``utleierkategori`` and the ``utleiertype`` codes it covers (version 1)."""

    id: str
    codes: tuple[int, ...]
    text: Text


@dataclass
class Codebook:
    """One version of the instrument.

    Use :func:`load_codebook` rather than constructing this directly.
    """

    version: int
    title: Text
    questions: dict[str, Question]
    scores: dict[str, Score]
    categories: dict[str, Category]
    non_substantive_codes: tuple[int, ...] = (DONT_KNOW,)
    utleiertype_from_v1: dict[int, int] = field(default_factory=dict)
    renamed_options: dict[str, dict[str, str]] = field(default_factory=dict)
    comparable_exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)

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

    def locate(self, column: str) -> tuple[Question, Option | None]:
        """The question (and row/option) behind a canonical column name.

        Question ids may themselves contain underscores (``behov_viktigst``), so the longest
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

    def label(self, column: str, lang: Lang = "nb") -> str:
        """Label of a column: the row/option text, or the question text."""
        q, part = self.locate(column)
        return part.text(lang) if part is not None else q.text(lang)

    def value_labels(self, column: str, lang: Lang = "nb") -> dict[int, str]:
        """Code -> label for a single or matrix column; {0: 'Nei'/'No', 1: option text} for a checkbox."""
        q, part = self.locate(column)
        if q.type == "checkbox":
            assert part is not None
            return {0: "Ikke valgt" if lang == "nb" else "Not chosen", 1: part.text(lang)}
        if q.scale is None:
            return {}
        return {code: t(lang) for code, t in sorted(q.scale.items())}

    def category_of(self, utleiertype: int) -> str | None:
        """``utleierkategori`` for an ``utleiertype`` code of this version (None if unknown)."""
        for cat in self.categories.values():
            if utleiertype in cat.codes:
                return cat.id
        return None

    # -- export naming ----------------------------------------------------------------------
    def source_column(self, column: str, source: Source) -> str:
        """The header a source uses for a canonical column.

        Nettskjema writes ``q.r``; SPSS and SurveyXact write ``q_r``; Microsoft Forms writes
        the question text, ``<question text> [<row text>]`` for matrix rows, and one column per
        checkbox question (answers joined by ``;``).
        """
        q, part = self.locate(column)
        native = self.native_part_id(q.id, part.id) if part is not None else None
        if source in ("canonical",):
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
        """The row/option id as this version's exports spell it (``beboerrad`` -> ``organisering`` in v2)."""
        return self.renamed_options.get(question_id, {}).get(part_id, part_id)

    def canonical_part_id(self, question_id: str, native_id: str) -> str:
        """Inverse of :meth:`native_part_id`."""
        for canon, native in self.renamed_options.get(question_id, {}).items():
            if native == native_id:
                return canon
        return native_id

    # -- harmonisation --------------------------------------------------------------------
    def harmonise_utleiertype(self, codes: Iterable[int | None]) -> list[int | None]:
        """Map version 1 ``utleiertype`` codes onto version 2's (2 and 3 merge into 2).

        Only meaningful on the version 2 codebook; unknown codes and None pass through as None.
        """
        mapping = self.utleiertype_from_v1 or {c: c for c in range(1, 6)}
        return [mapping.get(c) if c is not None else None for c in codes]

    def comparable_columns(self, question_id: str) -> tuple[str, ...]:
        """Columns of a question that every version shares (what cross-wave scores may use)."""
        q = self.question(question_id)
        excluded = set(COMPARABLE_EXCLUDE.get(question_id, ()))
        return (
            tuple(f"{q.id}_{p.id}" for p in q.parts if p.id not in excluded) if q.parts else (q.id,)
        )


# ------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------


def _text(d: dict) -> Text:
    return Text(nb=str(d["nb"]), en=str(d["en"]))


def _read_yaml(version: int) -> dict:
    name = f"instrument_v{version}.yaml"
    with (
        resources.files("analysis.questionnaire")
        .joinpath("instruments", name)
        .open("r", encoding="utf-8") as fh
    ):
        return yaml.safe_load(fh)


def _apply_v2_changes(raw: dict, delta: dict) -> dict:
    out = copy.deepcopy(raw)
    out["version"] = delta["version"]
    changes = delta["changes"]
    qs = {q["id"]: q for q in out["questions"]}
    for qid, rows in changes.get("add_rows", {}).items():
        qs[qid]["rows"].extend(rows)
    for var, spec in changes.get("recode", {}).items():
        out["scales"][var] = spec["scale"]
        out.setdefault("_recode", {})[var] = {int(k): int(v) for k, v in spec["map"].items()}
    out["_renamed"] = changes.get("rename_options", {})
    out["_comparable_exclude"] = delta.get("comparable_scores_exclude_rows", {})
    return out


def _build(raw: dict) -> Codebook:
    scales: dict[str, dict[int, Text]] = {}
    for name, spec in raw["scales"].items():
        if isinstance(spec, dict) and "scale_from_options" in spec:
            continue
        scales[name] = {int(code): _text(t) for code, t in spec.items()}
    questions: dict[str, Question] = {}
    for q in raw["questions"]:
        parts = tuple(
            Option(id=p["id"], text=_text(p), reverse=bool(p.get("reverse", False)))
            for p in q.get("options", q.get("rows", []))
        )
        questions[q["id"]] = Question(
            id=q["id"],
            type=q["type"],
            section=q["section"],
            text=_text(q["text"]),
            scale=None,
            options=parts if q["type"] == "checkbox" else (),
            rows=parts if q["type"] == "matrix" else (),
            required=bool(q.get("required", False)),
            max_choices=q.get("max_choices"),
            exclusive_option=q.get("exclusive_option"),
            free_text=bool(q.get("free_text", False)),
            role=q.get("role"),
        )
    # attach scales (after all questions exist, so scale_from_options can see its source)
    for q in raw["questions"]:
        name = q.get("scale")
        if name is None:
            continue
        spec = raw["scales"][name]
        if isinstance(spec, dict) and "scale_from_options" in spec:
            src = questions[spec["scale_from_options"]]
            scale = {i + 1: o.text for i, o in enumerate(src.options)}
        else:
            scale = scales[name]
        questions[q["id"]] = _replace(questions[q["id"]], scale=scale)
    scores = {
        sid: Score(
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
            also_max=s.get("also_max"),
        )
        for sid, s in raw["scores"].items()
    }
    recode = raw.get("_recode", {}).get("utleiertype", {})
    categories = {}
    for cid, c in raw["categories"]["levels"].items():
        codes = tuple(int(x) for x in c["codes"])
        if recode:
            codes = tuple(sorted({recode[x] for x in codes}))
        categories[cid] = Category(id=cid, codes=codes, text=_text(c))
    cb = Codebook(
        version=int(raw["version"]),
        title=_text(raw["title"]),
        questions=questions,
        scores=scores,
        categories=categories,
        non_substantive_codes=tuple(raw.get("non_substantive_codes", [DONT_KNOW])),
        utleiertype_from_v1=recode,
        renamed_options={k: dict(v) for k, v in raw.get("_renamed", {}).items()},
        comparable_exclude={k: tuple(v) for k, v in raw.get("_comparable_exclude", {}).items()},
    )
    _check(cb)
    return cb


def _replace(q: Question, **kw) -> Question:
    from dataclasses import replace

    return replace(q, **kw)


def _check(cb: Codebook) -> None:
    cols = cb.item_columns
    if len(cols) != len(set(cols)):
        raise CodebookError(f"version {cb.version}: duplicate canonical columns")
    for s in cb.scores.values():
        if s.question not in cb.questions:
            raise CodebookError(f"score {s.id} refers to unknown question {s.question}")
    for q in cb.questions.values():
        if q.type in ("single", "matrix") and not q.scale:
            raise CodebookError(f"question {q.id} has no scale")


@cache
def load_codebook(version: int = 1) -> Codebook:
    """Load instrument ``version`` (1 or 2) from the package data.

    Parameters
    ----------
    version : int
        The instrument version a wave used (its manifest says which).

    Returns
    -------
    Codebook

    Examples
    --------
    >>> load_codebook(2).question("komp").columns[-1]
    'komp_digitalt'
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValueError(f"instrument version must be 1 or 2, not {version!r}") from None
    if version not in VERSIONS:
        raise ValueError(f"instrument version must be one of {VERSIONS}, not {version}")
    raw = _read_yaml(1)
    if version == 2:
        raw = _apply_v2_changes(raw, _read_yaml(2))
    return _build(raw)


def _common_columns() -> tuple[str, ...]:
    v1 = load_codebook(1)
    out: list[str] = []
    for q in v1.questions.values():
        out.extend(q.columns)
        if q.id == "komp":
            out.append("komp_digitalt")
    return tuple(out)


#: Rows that only some versions have; kept out of cross-wave scores.
COMPARABLE_EXCLUDE: dict[str, tuple[str, ...]] = {"komp": ("digitalt",)}

#: Response columns of processed data for every wave: version 1's canonical ids plus
#: ``komp_digitalt`` (empty for version 1 waves).
COMMON_ITEM_COLUMNS: tuple[str, ...] = _common_columns()

#: Columns of the processed responses table besides the items, in order. See
#: ``docs/processed-data.md``.
META_COLUMNS: tuple[str, ...] = (
    "response_id",  # str: "<wave>-<n>" with n the 1-based position of the row in the source file
    "wave",  # str
    "instrument_version",  # int8
    "source_row",  # int: 1-based data row in the source file (header excluded)
    "submission_id",  # str or NA: the export's own id ($submission_id, ID, ...)
)
DERIVED_COLUMNS: tuple[str, ...] = (
    "utleierkategori",  # category: kommunal / ideell / kommersiell
    "kommune",  # str or NA, from the frame
    "fylkesnummer",  # str or NA
    "fylke",  # str or NA
    "storrelse",  # ordered category of SIZE_CLASSES, or NA
    "population",  # Int64 or NA
)


def columns_for(versions: Sequence[int] = VERSIONS) -> tuple[str, ...]:
    """All processed-data columns (meta, items, derived) in order."""
    return META_COLUMNS + COMMON_ITEM_COLUMNS + DERIVED_COLUMNS
