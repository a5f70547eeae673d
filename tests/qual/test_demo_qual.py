"""The demo's qualitative strand end to end: ground truth recovered through ingest, sheets and
results; agreement as planted; no planted personal data past the door."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.clean.segments import load_segments
from analysis.qual.cli import agreement_table
from analysis.qual.codeframe import frame_for_wave
from analysis.qual.results import approved_quotes, code_frequencies
from analysis.qual.sheets import load_codings
from analysis.qual.suggest import suggest

WAVES = ("demo-2022", "demo-2023")


def _truth(root, wave):
    path = root / "data" / "raw" / wave / "qual_ground_truth.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("wave", WAVES)
def test_segments_match_the_truth(demo_root, wave):
    truth = _truth(demo_root, wave)
    seg = load_segments(wave, root=demo_root)
    assert (seg["source"] == "meeting").sum() == truth["segments"]["meeting"]
    assert (seg["source"] == "free_text").sum() == truth["segments"]["free_text"]
    assert (
        seg.loc[seg["source"] == "meeting", "n_participants"]
        .eq(truth["meeting_participants"])
        .all()
    )


@pytest.mark.parametrize("wave", WAVES)
def test_code_frequencies_recover_the_truth(demo_root, wave):
    truth = _truth(demo_root, wave)
    seg = load_segments(wave, root=demo_root)
    frame = frame_for_wave(wave, root=demo_root)
    final = load_codings(wave, coders=["final"], root=demo_root)["final"]
    f = code_frequencies(seg, final, frame, level="internal").set_index(["source", "code", "group"])
    for code, t in truth["frequencies"].items():
        assert f.loc[("meeting", code, "total"), "count"] == t["meeting_paragraphs"], code
        assert f.loc[("free_text", code, "total"), "count"] == t["free_text_respondents"], code
        assert f.loc[("free_text", code, "total"), "segments"] == t["free_text_segments"], code
        for g, k in t["free_text_by_category"].items():
            assert f.loc[("free_text", code, g), "count"] == k, (code, g)
    n_by = truth["segments"]["free_text_respondents_by_category"]
    for g, n in n_by.items():
        assert f.loc[("free_text", "tema_metoder", g), "n"] == n
    # public: groups of min_n or fewer never shown
    pub = code_frequencies(seg, final, frame, level="public", min_n=5)
    shown = pub[~pub["suppressed"]]
    assert (shown["n"] > 5).all()


@pytest.mark.parametrize("wave", WAVES)
def test_agreement_as_planted_and_against_statsmodels(demo_root, wave):
    truth = _truth(demo_root, wave)
    t = agreement_table(wave, n_boot=200, root=demo_root).set_index("code")
    assert t.attrs["coders"] == ("koder_a", "koder_b")
    for code, tab in truth["agreement_tables"].items():
        assert t.loc[code, ["n11", "n10", "n01", "n00"]].tolist() == [
            tab["n11"],
            tab["n10"],
            tab["n01"],
            tab["n00"],
        ], code
        table = np.array([[tab["n11"], tab["n10"]], [tab["n01"], tab["n00"]]])
        if tab["n11"] + tab["n10"] + tab["n01"] and tab["n00"] + tab["n10"] + tab["n01"]:
            assert t.loc[code, "kappa"] == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)
    # coders flip 2 % and 3.5 % of decisions: high but imperfect agreement overall
    assert 0.9 < t.loc["overall", "percent"] < 1.0
    assert (
        t.loc["overall", "kappa_low"] < t.loc["overall", "kappa"] < t.loc["overall", "kappa_high"]
    )


@pytest.mark.parametrize("wave", WAVES)
def test_no_planted_personal_data_from_notes_reaches_processed_data(demo_root, wave):
    planted = _truth(demo_root, wave)["planted_personal_data"]
    secrets = [*planted["names"], planted["email"], planted["phone"]]
    processed = demo_root / "data" / "processed" / wave
    for path in processed.iterdir():
        blob = path.read_bytes()
        for s in secrets:
            assert s.encode("utf-8") not in blob, (path.name, s)
    seg = load_segments(wave, root=demo_root)
    text = "\n".join(seg["text"])
    assert "[fjernet: e-post]" in text and "[fjernet: telefon]" in text
    # the free-text plants of the survey demo are redacted too
    survey = json.loads((demo_root / "data" / "raw" / wave / "ground_truth.json").read_text())
    plants = [
        e["value"]
        for e in survey["planted_problems"]
        if e["kind"] in ("email", "phone", "national_id")
    ]
    assert len(plants) == 3
    for v in plants:
        assert v not in text
        for path in processed.iterdir():
            assert v.encode() not in path.read_bytes(), (path.name, v)


@pytest.mark.parametrize("wave", WAVES)
def test_quotes_only_approved_redacted_and_from_large_groups(demo_root, wave):
    truth = _truth(demo_root, wave)
    seg = load_segments(wave, root=demo_root)
    frame = frame_for_wave(wave, root=demo_root)
    final = load_codings(wave, coders=["final"], root=demo_root)["final"]
    sizes = truth["segments"]["free_text_respondents_by_category"]
    big = {g: 100 for g in sizes}
    q = approved_quotes(seg, final, frame, group_sizes=big, min_n=5)
    assert set(q["segment_id"]) == set(truth["quotes"])
    assert approved_quotes(seg, final, frame, group_sizes={}, min_n=5)["source"].eq("meeting").all()
    # a meeting of min_n or fewer participants is never quoted
    assert (
        approved_quotes(seg, final, frame, group_sizes=big, min_n=10)["source"].ne("meeting").all()
    )


def test_suggester_against_the_demo_truth(demo_root):
    """Recall and precision of the keyword suggester against the demo's true codes."""
    tp = fp = fn = 0
    for wave in WAVES:
        seg = load_segments(wave, root=demo_root).set_index("segment_id")
        frame = frame_for_wave(wave, root=demo_root)
        final = load_codings(wave, coders=["final"], root=demo_root)["final"]
        for sid, text in seg["text"].items():
            s = set(suggest(text, frame))
            t = {c for c in frame.ids if final.loc[sid, c] == 1}
            tp, fp, fn = tp + len(s & t), fp + len(s - t), fn + len(t - s)
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    print(f"suggester on the demo: recall {recall:.2f}, precision {precision:.2f}")
    assert recall > 0.8 and precision > 0.6


def test_demo_survey_bytes_do_not_depend_on_the_qualitative_strand(tmp_path, monkeypatch):
    import hashlib

    import analysis.questionnaire.qual_demo as qd
    from analysis.questionnaire.demo import write_demo

    with_qual = write_demo(seed=11, root=tmp_path / "a")
    monkeypatch.setattr(qd, "write_qual_demo", lambda *a, **k: [])
    without = write_demo(seed=11, root=tmp_path / "b")
    digest = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in with_qual
        if p.name not in ("manifest.json",)
        and p.parent.name.startswith("demo-")
        and not p.name.startswith("qual_")
    }
    other = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in without if p.name in digest
    }
    assert digest and digest == other
    assert isinstance(pd.DataFrame(), pd.DataFrame)
