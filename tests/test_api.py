"""The public API: every exported name resolves, is documented, and the layers stay layered."""

from __future__ import annotations

import ast
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
