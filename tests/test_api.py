"""The public API: every exported name resolves, is documented, and the layers stay layered."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import analysis

SRC = Path(analysis.__file__).resolve().parent

#: Lower layers never import higher ones (cli and the package root sit on top). The pipeline
#: runs notebooks and knows no output format; render builds the report with it.
LAYERS = ["instrument", "io", "clean", "stats", "qual", "pipeline", "render", "questionnaire"]


@pytest.mark.parametrize("name", analysis.__all__[1:])
def test_public_name_resolves_and_is_documented(name):
    obj = getattr(analysis, name)
    assert obj.__doc__ and obj.__doc__.strip(), f"analysis.{name} has no docstring"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        analysis.nope  # noqa: B018


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis."):
            out.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analysis.")}
    return out


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_never_import_higher_layers(layer):
    higher = set(LAYERS[LAYERS.index(layer) + 1 :]) | {"cli"}
    for path in (SRC / layer).rglob("*.py"):
        bad = _imports(path) & higher
        assert not bad, f"{path.relative_to(SRC)} imports the higher layer(s) {sorted(bad)}"


#: Generic subpackages: they read what they need from the wave's codebook (ids, roles, rules).
GENERIC = ["instrument", "io", "clean", "stats", "pipeline", "render", "qual"]
#: String literals that equal an item id by accident: "format" is also the export format key.
HOMONYMS = {"format"}


def _item_ids() -> set[str]:
    from analysis.instrument.codebook import available_versions, load_codebook

    ids: set[str] = set()
    for v in available_versions():
        cb = load_codebook(v)
        ids |= set(cb.questions) | set(cb.item_columns) | set(cb.score_columns)
    # the municipality number is the frame's join key, part of the processed-data contract
    return ids - {"kommunenummer"} - HOMONYMS


@pytest.mark.parametrize("layer", GENERIC)
def test_generic_code_names_no_item_of_the_questionnaire(layer):
    ids = _item_ids()
    found = []
    for path in (SRC / layer).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and ast.get_docstring(node) is not None
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and node.value in ids
            ):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value!r}")
    assert not found, "item ids in generic code (use the codebook or a role): " + ", ".join(found)


#: Ids that are also ordinary English or Norwegian words ("hold", "for eksempel", "former"):
#: checked in docstrings only as the prefix of a column (``hold_…``), never as a word.
WORDS = {"format", "former", "hold", "eksempel", "kommentar", "rolle"}


@pytest.mark.parametrize("layer", GENERIC)
def test_generic_docs_and_comments_name_no_item_of_the_questionnaire(layer):
    """Docstrings and comments illustrate with roles or neutral names, not the built-in ids.

    Every column id (``komp_mote``), every question id as a word (``komp``, ``komp.mote``) and
    every question id as a column prefix (``komp_…``) is looked for in the whole source text.
    """
    from analysis.instrument.codebook import available_versions, load_codebook

    questions: set[str] = set()
    columns: set[str] = set()
    for v in available_versions():
        cb = load_codebook(v)
        questions |= set(cb.questions)
        columns |= set(cb.item_columns)
    keep = {"kommunenummer"}
    words = sorted((columns | questions) - keep - WORDS, key=len, reverse=True)
    prefixes = sorted(questions - keep - {"format"}, key=len, reverse=True)
    pattern = re.compile(
        rf"(?<![\w.])(?:(?:{'|'.join(map(re.escape, words))})(?!\w)"
        rf"|(?:{'|'.join(map(re.escape, prefixes))})_(?=[a-z]))"
    )
    found = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in pattern.finditer(line):
                found.append(f"{path.relative_to(SRC)}:{lineno} {m.group(0)!r}")
    assert not found, "item ids in generic docs or comments: " + ", ".join(found)


def test_format_date_writes_norwegian_and_english_calendar_dates():
    import datetime as dt

    from analysis.lang import format_date

    assert format_date(dt.date(2026, 12, 1)) == "1. desember 2026"
    assert format_date(dt.datetime(2023, 5, 17, 23, 59), "en") == "17 May 2023"
    assert format_date("2026-12-01T20:47:00+00:00") == "1. desember 2026"
    with pytest.raises(ValueError):
        format_date("2023-01-01", "de")
