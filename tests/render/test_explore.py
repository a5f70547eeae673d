"""The exploration interface (analysis.render.explore) and notebooks/00_explore.ipynb."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.render.explore import Explorer, filter_options, group_options, question_options

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "00_explore.ipynb"


def test_notebook_is_thin_clean_and_parameterised():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("wave", "lang", "disclosure", "min_cell", "data_root"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.M), name
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
        assert not re.search(r"^\s*(def|class|for|while)\s", cell.source, re.M)
        assert len(cell.source.strip().splitlines()) <= 5
    assert "explore(" in code[-1].source


@pytest.fixture(scope="module")
def explorer(demo_root):
    return Explorer("demo-2023", root=demo_root)


def test_choices_come_from_the_waves_own_instrument(explorer, demo_root):
    v2 = [v for _, v in question_options(explorer.data())]
    assert "komp_digitalt" in v2 and v2[0].startswith("score:")
    v1 = [v for _, v in question_options(explorer.data("demo-2022"))]
    assert "komp_digitalt" not in v1
    assert not any(v in ("eksempel", "kommentar", "kommunenummer") for v in v1)
    groups = dict((v, lab) for lab, v in group_options(explorer.data()))
    assert groups["utleiertype"] == "Utleiertype" and groups["antall_boliger"] == "Antall boliger"
    assert explorer.waves == ["demo-2022", "demo-2023"]


def test_render_changes_with_the_choice(explorer):
    explorer.state.update(question="komp_mote", by=None, category=None)
    a = explorer.render()
    assert "<table>" in a["table"] and "<img" in a["chart"] and "301" in a["n"]
    explorer.state.update(by="utleierkategori")
    b = explorer.render()
    assert b["table"] != a["table"] and "Kommersiell" in b["table"]
    explorer.state.update(by=None, category="kommersiell")
    c = explorer.render()
    n = int((explorer.data()["utleierkategori"] == "kommersiell").sum())
    assert f"{n} svar" in c["n"] and f"n = {n}" in c["table"]
    explorer.state.update(question="score:kompetanse", by="antall_boliger", category=None)
    d = explorer.render()
    assert "vet ikke" in d["table"] and "<img" in d["chart"]


def test_fully_suppressed_choice_shows_a_sentence(explorer):
    counts = explorer.data()["fylke"].value_counts()
    small = counts[counts <= 12].index[0]
    explorer.state.update(question="komp_mote", by="utleierkategori", county=small, category=None)
    out = explorer.render()
    explorer.state.update(county=None)
    assert "<img" not in out["chart"] and "Figuren vises ikke" in out["chart"]


def test_single_municipality_only_internal_and_above_min_cell(demo_root):
    public = Explorer("demo-2023", root=demo_root)
    box = public.build()
    assert "municipality" not in public.widgets and box.children
    internal = Explorer("demo-2023", root=demo_root, disclosure="internal")
    internal.build()
    options = internal.widgets["municipality"].options
    counts = internal.data()["kommune"].value_counts()
    assert len(options) > 1
    for label, value in options[1:]:
        assert counts[value] > 5, (label, counts[value])
    assert len(options) - 1 == int((counts > 5).sum())
    assert filter_options(internal.data(), "kommune", min_cell=5) == list(options)


def test_widget_change_updates_table_chart_and_n(demo_root, tmp_path):
    ex = Explorer("demo-2023", root=demo_root)
    ex.build()
    before = (ex.widgets["table"].value, ex.widgets["chart"].value, ex.widgets["n"].value)
    ex.widgets["category"].value = "ideell"
    after = (ex.widgets["table"].value, ex.widgets["chart"].value, ex.widgets["n"].value)
    assert all(a != b for a, b in zip(before, after, strict=True))
    ex.widgets["wave"].value = "demo-2022"
    assert ex.state["wave"] == "demo-2022" and "komp_digitalt" not in [
        v for _, v in ex.widgets["question"].options
    ]
    path = ex.export(tmp_path / "t.xlsx")
    import openpyxl

    assert openpyxl.load_workbook(path).active["A1"].value.endswith(").")
