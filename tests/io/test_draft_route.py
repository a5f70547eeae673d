"""Done-when of issue 10: a wave of a questionnaire the project does not know yet goes
export -> ``codebook draft --base 2`` -> ``ingest --instrument DRAFT`` -> ``run`` -> ``report``
with exit 0 at every step, and the new question's wording is in the report's per-question
appendix.

The wave is version-3-shaped (``tests/fixtures/instrument_v3.yaml``: version 2 plus a competence
row and a new question, the respondent's role dropped, a seminar theme renamed), written as a
SurveyXact workbook and as the SurveyXact SPSS file of the same wave, from the demo's 2023
answers. The draft is used exactly as written.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import fixtures_exports as fx
from analysis.clean.ingest import load_processed, load_quality
from analysis.cli import main
from analysis.instrument import codebook as codebook_module
from analysis.instrument.codebook import load_codebook
from conftest import REPO

V3 = REPO / "tests" / "fixtures" / "instrument_v3.yaml"
NEW_TEXT = "Har dere en digital plattform for dialog med leietakerne?"


def _answers(demo_root):
    prev = load_processed("demo-2023", root=demo_root)
    cb3 = load_codebook(V3)
    rng = np.random.default_rng(10)
    ans = prev[[c for c in prev.columns if c in set(cb3.item_columns)]].astype(object).copy()
    ans = ans.where(ans.notna(), None)
    n = len(ans)
    ans["komp_barn_unge"] = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, 9.0], n)
    ans["digital_plattform"] = rng.choice([1.0, 2.0, 9.0], n, p=[0.5, 0.4, 0.1])
    for c in cb3.coded_columns:
        ans[c] = ans[c].astype(float)
    return ans[list(cb3.item_columns)].reset_index(drop=True)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["surveyxact-xlsx", "spss"])
def test_export_draft_ingest_run_report(demo_root, tmp_path, monkeypatch, capsys, kind):
    root = tmp_path / "root"
    for part in ("raw", "processed"):
        shutil.copytree(demo_root / "data" / part / "demo-2023", root / "data" / part / "demo-2023")
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    ans = _answers(demo_root)
    if kind == "spss":
        src = fx.write_spss(ans, tmp_path / "wave.sav", version=3, variable_labels=True)
    else:
        src = fx.write_surveyxact_xlsx(ans, tmp_path / "wave.xlsx", version=3)
    # the project forgets version 3: the draft must come from the export alone
    codebook_module._BY_VERSION.pop(3, None)
    draft = tmp_path / "instrument_draft.yaml"
    args = ["codebook", "draft", "--source", str(src), "--base", "2", "--out", str(draft)]
    assert main(args) == 0
    assert "new: 1 (digital_plattform)" in capsys.readouterr().out
    frame = demo_root / "data" / "raw" / "demo-2023" / "frame.csv"
    args = ["ingest", "--wave", "new-2024", "--source", str(src), "--instrument", str(draft)]
    assert main([*args, "--frame", str(frame)]) == 0
    q = load_quality("new-2024", root=root)
    assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"] == len(ans)
    df = load_processed("new-2024", root=root)
    assert {"komp_barn_unge", "digital_plattform"} <= set(df.columns) and "rolle" not in df
    assert main(["run", "new-2024", "--compare-with", "demo-2023"]) == 0
    assert main(["report", "new-2024", "--compare-with", "demo-2023"]) == 0
    html = (root / "reports" / "new-2024" / "findings.html").read_text(encoding="utf-8")
    # the per-question appendix (analysis.render.appendix) has the new question, with its wording
    appendix = html.split('id="appendix"', 1)[1]
    assert 'id="appendix-q-digital_plattform"' in appendix
    entry = appendix.split('id="appendix-q-digital_plattform"', 1)[1][:2000]
    assert NEW_TEXT in entry
    assert "involvere barn og unge" in appendix and 'id="appendix-q-rolle"' not in appendix
