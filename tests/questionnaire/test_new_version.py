"""A version 3 written only as YAML goes through ingest -> run -> report without touching Python.

Version 3 (``tests/fixtures/instrument_v3.yaml``) is version 2 plus a competence row, without the
respondent's role, with a new single-choice question (9 "vet ikke") and a renamed seminar theme.
The export is a Nettskjema CSV in version 3's own layout, made from the demo's 2023 answers.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.clean.ingest import load_processed, load_quality
from analysis.cli import main
from analysis.instrument.codebook import load_codebook
from conftest import REPO

V3 = REPO / "tests" / "fixtures" / "instrument_v3.yaml"


def _write_nettskjema(ans: pd.DataFrame, cb, path):
    """A Nettskjema CSV (``;``, all quoted) in the instrument's own export layout."""
    text = set(cb.text_columns)

    def cell(c, v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        return str(v) if c in text else str(int(v))

    rows = [["$submission_id", *(cb.source_column(c, "nettskjema") for c in ans.columns)]]
    for i, r in enumerate(ans.itertuples(index=False)):
        rows.append([str(70000000 + i), *(cell(c, v) for c, v in zip(ans.columns, r, strict=True))])
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def v3_project(demo_root, tmp_path_factory):
    """A project root with demo-2023 copied in and a version 3 export registered as 'v3-2024'."""
    root = tmp_path_factory.mktemp("v3_root")
    for part in ("raw", "processed"):
        shutil.copytree(demo_root / "data" / part / "demo-2023", root / "data" / part / "demo-2023")
    prev = load_processed("demo-2023", root=demo_root)
    cb3 = load_codebook(V3)
    rng = np.random.default_rng(3)
    ans = prev[[c for c in prev.columns if c in set(cb3.item_columns)]].astype(object).copy()
    ans = ans.where(ans.notna(), None)
    n = len(ans)
    ans["komp_barn_unge"] = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, 9.0], n)
    ans["digital_plattform"] = rng.choice([1.0, 2.0, 9.0], n, p=[0.5, 0.4, 0.1])
    ans = ans[list(cb3.item_columns)]
    src = _write_nettskjema(ans, cb3, root / "export_v3.csv")
    frame = demo_root / "data" / "raw" / "demo-2023" / "frame.csv"
    return root, src, frame, prev, ans


def test_the_export_uses_version_3_headers(v3_project):
    _, src, *_ = v3_project
    head = src.read_text(encoding="utf-8").splitlines()[0]
    assert "behov.dialog" in head and "behov.kommunikasjon" not in head
    assert "komp.barn_unge" in head and "digital_plattform" in head and '"rolle"' not in head


@pytest.mark.slow
def test_ingest_run_report_with_a_yaml_only_version(v3_project, monkeypatch, capsys):
    root, src, frame, prev, ans = v3_project
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    args = ["ingest", "--wave", "v3-2024", "--source", str(src), "--instrument", str(V3)]
    assert main([*args, "--frame", str(frame)]) == 0

    # processed data: the new row and question are there, the dropped question has no column
    df = load_processed("v3-2024", root=root)
    assert {"komp_barn_unge", "digital_plattform"} <= set(df.columns)
    assert "rolle" not in df.columns
    assert set(df["instrument_version"]) == {3}
    assert load_quality("v3-2024", root=root)["not_asked"] == ["rolle"]
    # the renamed theme keeps its answers (read from the export's behov.dialog)
    kept = ans.iloc[df["source_row"].to_numpy() - 1]
    got = pd.to_numeric(df["behov_kommunikasjon"]).to_numpy(dtype=float, na_value=np.nan)
    want = pd.to_numeric(kept["behov_kommunikasjon"]).to_numpy(dtype=float, na_value=np.nan)
    np.testing.assert_array_equal(got, want)
    assert np.nanmean(got) > 0.1
    # the wave keeps its own copy of the instrument chain, checksummed in the manifest
    manifest = json.loads((root / "data/raw/v3-2024/manifest.json").read_text("utf-8"))
    assert manifest["instrument"]["version"] == 3 and len(manifest["instrument"]["files"]) == 3

    assert main(["run", "v3-2024", "--compare-with", "demo-2023"]) == 0
    assert main(["report", "v3-2024", "--compare-with", "demo-2023"]) == 0
    html = (root / "reports" / "v3-2024" / "findings.html").read_text(encoding="utf-8")
    # the comparison names what is not comparable, from the change chain
    assert "Har dere en digital plattform for dialog med leietakerne?" in html
    assert "ble bare spurt i v3-2024 (skjemaversjon 3)" in html
    assert "Hva er din rolle?" in html and "ble bare spurt i demo-2023" in html
    assert "involvere barn og unge" in html
    assert "«dialog»" in html  # the renamed theme is compared, with its new name said
    # kompetanse is compared on the seven rows both versions share, not on version 3's eight
    assert "regnet av de 7 spørsmålene begge skjemaversjonene har" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "file not found"),
        ("version: 5\nbase: 2\nchanges:\n  drop_questions: [rolle\n", "malformed YAML at line"),
        ("version: 5\nbase: 9\nchanges: {drop_questions: [rolle]}\n", "key base: unknown base"),
        (
            "version: 5\nbase: 2\nchanges: {drop_rows: {komp: [nope]}}\n",
            "key changes.drop_rows.komp.0: question 'komp' has no row or option 'nope'",
        ),
    ],
)
def test_a_bad_instrument_is_one_line_and_registers_nothing(
    v3_project, tmp_path, monkeypatch, capsys, text, expected
):
    _, src, frame, *_ = v3_project
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    path = tmp_path / "bad.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    code = main(["ingest", "--wave", "w", "--source", str(src), "--instrument", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert str(path) in err[0] and expected in err[0]
    assert not (tmp_path / "data" / "raw" / "w").exists()
