"""The JSON Schema every instrument file is checked against before it is used.

Two shapes: a **full** file (no ``base``: questions, scales, categories, scores) and a **change**
file (``base: N`` plus ``changes``). The vocabulary of changes is what questionnaires really do
between waves (see ``docs/new-instrument-version.md``). A violation becomes one line naming the
file, the key and what was expected (:func:`analysis.instrument.codebook.load_codebook`).
"""

from __future__ import annotations

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXT = {
    "type": "object",
    "required": ["nb", "en"],
    "properties": {"nb": {"type": "string", "minLength": 1}, "en": {"type": "string"}},
    "additionalProperties": False,
}
_PART = {
    "type": "object",
    "required": ["id", "nb", "en"],
    "properties": {
        "id": _ID,
        "nb": {"type": "string", "minLength": 1},
        "en": {"type": "string"},
        "reverse": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_SCALE = {
    "oneOf": [
        {
            "type": "object",
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": _TEXT,
            "minProperties": 1,
        },
        {
            "type": "object",
            "required": ["scale_from_options"],
            "properties": {"scale_from_options": _ID},
            "additionalProperties": False,
        },
    ]
}
_QUESTION = {
    "type": "object",
    "required": ["id", "type", "text"],
    "properties": {
        "id": _ID,
        "type": {"enum": ["single", "text", "checkbox", "matrix"]},
        "section": {"type": "string"},
        "text": _TEXT,
        "scale": {"oneOf": [_ID, _SCALE]},
        "options": {"type": "array", "items": _PART, "minItems": 1},
        "rows": {"type": "array", "items": _PART, "minItems": 1},
        "required": {"type": "boolean"},
        "max_choices": {"type": "integer", "minimum": 1},
        "exclusive_option": _ID,
        "free_text": {"type": "boolean"},
        "role": {"type": "string"},
        "after": _ID,
    },
    "additionalProperties": False,
}
_SCORE = {
    "type": "object",
    "properties": {
        "question": _ID,
        "method": {"enum": ["mean_rescaled", "mean", "count_code", "count_checked"]},
        "label": _TEXT,
        "scale_min": {"type": "integer"},
        "scale_max": {"type": "integer"},
        "min_valid": {"type": "integer", "minimum": 1},
        "max_invalid": {"type": "integer", "minimum": 0},
        "code": {"type": "integer"},
        "exclude": {"type": "array", "items": _ID},
        "items": {"type": "array", "items": _ID, "minItems": 1},
        "also_max": _ID,
    },
    "additionalProperties": False,
}
_PARTS_BY_QUESTION = {
    "type": "object",
    "propertyNames": {"pattern": _ID["pattern"]},
    "additionalProperties": {"type": "array", "items": _PART, "minItems": 1},
}
_IDS_BY_QUESTION = {
    "type": "object",
    "propertyNames": {"pattern": _ID["pattern"]},
    "additionalProperties": {"type": "array", "items": _ID, "minItems": 1},
}
_RENAMES = {
    "type": "object",
    "propertyNames": {"pattern": _ID["pattern"]},
    "additionalProperties": {
        "type": "object",
        "propertyNames": {"pattern": _ID["pattern"]},
        "additionalProperties": _ID,
        "minProperties": 1,
    },
}
_COMMON = {
    "version": {"type": "integer", "minimum": 1},
    "title": _TEXT,
    "non_substantive_codes": {"type": "array", "items": {"type": "integer"}},
}

FULL_SCHEMA = {
    "type": "object",
    "required": ["version", "title", "questions", "scales", "categories"],
    "properties": {
        **_COMMON,
        "scales": {"type": "object", "additionalProperties": _SCALE},
        "questions": {"type": "array", "items": _QUESTION, "minItems": 1},
        "categories": {
            "type": "object",
            "required": ["variable", "from", "levels"],
            "properties": {
                "variable": _ID,
                "from": _ID,
                "levels": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["codes", "nb", "en"],
                        "properties": {
                            "codes": {"type": "array", "items": {"type": "integer"}},
                            "nb": {"type": "string"},
                            "en": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        "scores": {
            "type": "object",
            "additionalProperties": {
                **_SCORE,
                "required": ["question", "method", "label"],
            },
        },
    },
    "additionalProperties": False,
}

CHANGE_KINDS = (
    "scales",
    "add_questions",
    "drop_questions",
    "add_rows",
    "drop_rows",
    "add_options",
    "drop_options",
    "rename_rows",
    "rename_options",
    "recode",
    "texts",
    "scores",
    "drop_scores",
)

CHANGE_SCHEMA = {
    "type": "object",
    "required": ["version", "base", "changes"],
    "properties": {
        **_COMMON,
        "base": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "minLength": 1}]},
        "changes": {
            "type": "object",
            "properties": {
                "scales": {"type": "object", "additionalProperties": _SCALE},
                "add_questions": {"type": "array", "items": _QUESTION, "minItems": 1},
                "drop_questions": {"type": "array", "items": _ID, "minItems": 1},
                "add_rows": _PARTS_BY_QUESTION,
                "drop_rows": _IDS_BY_QUESTION,
                "add_options": _PARTS_BY_QUESTION,
                "drop_options": _IDS_BY_QUESTION,
                "rename_rows": _RENAMES,
                "rename_options": _RENAMES,
                "recode": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["map", "scale"],
                        "properties": {
                            "map": {
                                "type": "object",
                                "propertyNames": {"pattern": "^-?[0-9]+$"},
                                "additionalProperties": {"type": "integer"},
                            },
                            "scale": _SCALE,
                        },
                        "additionalProperties": False,
                    },
                },
                "texts": {"type": "object", "additionalProperties": _TEXT},
                "scores": {"type": "object", "additionalProperties": _SCORE},
                "drop_scores": {"type": "array", "items": _ID, "minItems": 1},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
