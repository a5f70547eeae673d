"""The qualitative strand in the report and in the internal notebook: triangulation table,
disclosure, quotes, and no planted personal data in a notebook output or a report."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import nbformat
import pytest

from analysis.pipeline.runner import find_notebooks
from analysis.questionnaire.qual_section import triangulation_table
from analysis.questionnaire.sections import load_context

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
INTERNAL = NOTEBOOKS / "07_free_text_internal.ipynb"
WAVES = ("demo-2022", "demo-2023")


def _secrets(root: Path, wave: str) -> list[str]:
    raw = root / "data" / "raw" / wave
    qual = json.loads((raw / "qual_ground_truth.json").read_text(encoding="utf-8"))
    survey = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))
    p = qual["planted_personal_data"]
    out = [*p["names"], p["email"], p["phone"]]
    planted = survey.get("planted_problems")
    items = planted.values() if isinstance(planted, dict) else planted or []
    for entry in items:
        if isinstance(entry, dict):
            for key in ("value",):
                if isinstance(entry.get(key), str) and len(entry[key]) > 5:
                    out.append(entry[key])
    return out


# ---------------------------------------------------------------------------------------------
# the internal notebook (fast checks on the source)
# ---------------------------------------------------------------------------------------------


def test_internal_notebook_is_marked_thin_clean_and_never_run_by_the_pipeline():
    nb = nbformat.read(INTERNAL, as_version=4)
    assert nb.metadata["analysis"]["internal"] is True
    assert INTERNAL.name not in [s.path.name for s in find_notebooks(NOTEBOOKS)]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "wave = " in tagged[0].source
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None
        assert not re.search(r"^\s*(def|class|for|while)\s", cell.source, re.M)
    # no public notebook is marked internal, and the report notebook is not
    for path in NOTEBOOKS.glob("0[1-6]_*.ipynb"):
        assert not nbformat.read(path, as_version=4).metadata.get("analysis", {}).get("internal")


# ---------------------------------------------------------------------------------------------
# the triangulation table (no notebook execution)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", WAVES)
def test_triangulation_table(demo_root, wave):
    ctx = load_context(wave, lang="nb", disclosure="public", min_cell=5, data_root=demo_root)
    t = triangulation_table(ctx)
    truth = json.loads(
        (demo_root / "data" / "raw" / wave / "qual_ground_truth.json").read_text(encoding="utf-8")
    )
    assert len(t) == 8 and t["code"].str.startswith("tema_").all()
    for r in t.itertuples():
        f = truth["frequencies"][r.code]
        assert r.meeting_count == f["meeting_paragraphs"]
        assert r.free_text_count == f["free_text_respondents"]
        assert r.survey_supports == (r.rank_low <= 3)
        assert r.qual_supports == (r.meeting_count >= 1 or r.free_text_count >= 3)
        assert r.both_support == (r.survey_supports and r.qual_supports)
    freq = t.attrs["frequencies"]
    assert (freq.loc[~freq["suppressed"], "n"] > 5).all()


def test_no_coding_means_no_table(demo_root, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(demo_root / "data", root / "data")
    m = root / "data" / "raw" / "demo-2022" / "manifest.json"
    data = json.loads(m.read_text(encoding="utf-8"))
    data["extra_files"] = {k: v for k, v in data["extra_files"].items() if k != "coding:final"}
    m.write_text(json.dumps(data), encoding="utf-8")
    ctx = load_context("demo-2022", data_root=root)
    assert triangulation_table(ctx) is None


# ---------------------------------------------------------------------------------------------
# executed: the internal notebook and a report (slow)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_internal_notebook_runs_and_shows_only_redacted_text(demo_root, tmp_path):
    import papermill

    root = tmp_path / "root"
    shutil.copytree(demo_root / "data", root / "data")
    out = tmp_path / "07.ipynb"
    papermill.execute_notebook(
        str(INTERNAL),
        str(out),
        parameters={"wave": "demo-2022", "data_root": str(root), "contains": "fjernet"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    text = out.read_text(encoding="utf-8")
    # the answers that held personal data are listed, redacted
    assert "[fjernet: e-post]" in text and "[fjernet: telefon]" in text
    assert "[fjernet: fødselsnummer]" in text
    assert "tema_metoder" in text  # the code overview
    for secret in _secrets(root, "demo-2022"):
        assert secret not in text, secret


@pytest.mark.slow
@pytest.mark.parametrize(
    "wave, lang, disclosure",
    [("demo-2023", "nb", "public"), ("demo-2022", "en", "public"), ("demo-2022", "nb", "internal")],
)
def test_report_has_the_triangulation_and_no_personal_data(
    demo_root, tmp_path, wave, lang, disclosure
):
    from analysis.clean.segments import load_segments
    from analysis.render.report import build_report

    root = tmp_path / "root"
    shutil.copytree(demo_root / "data", root / "data")
    path = build_report(wave, lang=lang, root=root, disclosure=disclosure)
    html = unescape(path.read_text(encoding="utf-8"))
    heading = (
        "Innspillsmøtet og fritekstsvarene"
        if lang == "nb"
        else "The input meeting and the free-text answers"
    )
    assert 'id="qual"' in html and heading in html
    assert ("Støttes av begge" if lang == "nb" else "Supported by both") in html
    assert "Cohen" in html and "Krippendorff" in html
    quotes = json.loads(
        (root / "data" / "raw" / wave / "qual_ground_truth.json").read_text(encoding="utf-8")
    )["quotes"]
    seg = load_segments(wave, root=root).set_index("segment_id")
    meeting = [q for q in quotes if seg.loc[q, "source"] == "meeting"]
    free = [q for q in quotes if seg.loc[q, "source"] == "free_text"]
    assert meeting and free
    shown = meeting if disclosure == "public" else quotes
    assert html.count("<blockquote>") == len(shown)
    for q in free:  # free text never in a public report
        assert (seg.loc[q, "text"] in html) == (disclosure == "internal")
    for secret in _secrets(root, wave):
        assert secret not in html, secret
