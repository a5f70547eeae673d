"""``codebook draft``: an instrument file from an export's own metadata (issue 10).

The exports are written as the services write them (``tests/fixtures_exports.py``) from a known
instrument; the independent truth is that instrument. Each draft must load, be accepted by
``ingest --instrument DRAFT`` with the export it came from, account for every row, and give back
the answers the export was written from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import fixtures_exports as fx
from analysis.clean.ingest import load_processed, load_quality
from analysis.cli import main
from analysis.instrument.codebook import load_codebook
from analysis.instrument.compare import item_comparability, score_comparability
from analysis.io.draft import draft_codebook, read_metadata, slug
from conftest import REPO

V3 = REPO / "tests" / "fixtures" / "instrument_v3.yaml"


def _v1_exports(folder):
    df = fx.canonical_answers(1)
    cb = load_codebook(1)
    declare = {cb.source_column(c, "spss"): [{"lo": -99, "hi": -90}] for c in cb.coded_columns}
    return df, {
        "surveyxact-tab-utf16": fx.write_surveyxact_csv(
            df, folder / "a", delimiter="\t", encoding="utf-16"
        ),
        "surveyxact-semicolon-cp1252": fx.write_surveyxact_csv(
            df, folder / "b", delimiter=";", encoding="cp1252"
        ),
        "surveyxact-comma-utf8": fx.write_surveyxact_csv(
            df, folder / "c", delimiter=",", encoding="utf-8"
        ),
        "surveyxact-xlsx": fx.write_surveyxact_xlsx(df, folder / "sx.xlsx"),
        "spss": fx.write_spss(
            df, folder / "e.sav", missing_rows=(7,), variable_labels=True, declare=declare
        ),
        "nettskjema": fx.write_nettskjema(df, folder / "ns.csv"),
        "forms": fx.write_forms(df, folder / "forms.xlsx"),
    }


EXPORTS = (
    "surveyxact-tab-utf16",
    "surveyxact-semicolon-cp1252",
    "surveyxact-comma-utf8",
    "surveyxact-xlsx",
    "spss",
    "nettskjema",
    "forms",
)


def _ingest(project_tmp, src, draft, wave="w"):
    assert main(["ingest", "--wave", wave, "--source", str(src), "--instrument", str(draft)]) == 0
    q = load_quality(wave, root=project_tmp)
    return load_processed(wave, root=project_tmp), q


def _checks(path) -> list[str]:
    return [ln for ln in path.read_text(encoding="utf-8").splitlines() if "# CHECK:" in ln]


@pytest.mark.parametrize("kind", EXPORTS)
def test_draft_without_base_is_ingested_with_its_export(project_tmp, tmp_path, kind, capsys):
    df, paths = _v1_exports(tmp_path / "in")
    out = tmp_path / "draft.yaml"
    assert main(["codebook", "draft", "--source", str(paths[kind]), "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "to check:" in summary and str(out) in summary
    cb1, draft = load_codebook(1), load_codebook(out)
    data, q = _ingest(project_tmp, paths[kind], out)
    # every row read is kept or quarantined, and the export's rows are all read
    assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"] == fx.N_ROWS
    assert q["rows_quarantined"] == 1  # the planted exact duplicate, nothing more
    want = df.iloc[data["source_row"].to_numpy() - 1].reset_index(drop=True)
    if kind == "forms":
        # ids are made from texts and codes numbered as observed: compare the answers' labels
        by_text = {q_.text.nb: q_ for q_ in cb1.questions.values()}
        assert [by_text[dq.text.nb].type for dq in draft.questions.values()] == [
            dq.type for dq in draft.questions.values()
        ]
        for dq in draft.questions.values():
            oq = by_text[dq.text.nb]
            if dq.type == "checkbox":  # options observed: those nobody chose are missing
                opt = {o.text.nb: f"{oq.id}_{o.id}" for o in oq.options}
                for o in dq.options:
                    got = pd.to_numeric(data[f"{dq.id}_{o.id}"]).to_numpy(float, na_value=np.nan)
                    np.testing.assert_array_equal(got, want[opt[o.text.nb]].to_numpy(float))
                seen = {o.text.nb for o in dq.options}
                for text, col in opt.items():
                    if text not in seen:
                        assert not (want[col] == 1).any(), col
            elif dq.type in ("single", "matrix"):
                for dcol, ocol in zip(dq.columns, oq.columns, strict=True):
                    labels = draft.value_labels(dcol)
                    got = [None if pd.isna(v) else labels[int(v)] for v in data[dcol]]
                    exp = [
                        None if pd.isna(v) else cb1.value_labels(ocol)[int(v)] for v in want[ocol]
                    ]
                    assert got == exp, dcol
        return
    # ids come from the export: the canonical columns are version 1's, and so are the answers
    assert draft.item_columns == cb1.item_columns
    for c in cb1.coded_columns:
        np.testing.assert_array_equal(
            pd.to_numeric(data[c]).to_numpy(dtype=float, na_value=np.nan),
            want[c].to_numpy(dtype=float),
            err_msg=c,
        )
    if kind == "nettskjema":
        # no texts in a Nettskjema export: marked for the researcher
        assert draft.question("komp").text.nb.startswith("[komp")
        assert any("question text not in the export" in ln for ln in _checks(out))
        return
    # texts, scales and the question types are the instrument's
    for qid, oq in cb1.questions.items():
        dq = draft.question(qid)
        assert (dq.type, dq.text.nb) == (oq.type, oq.text.nb), qid
        assert [p.text.nb for p in dq.parts] == [p.text.nb for p in oq.parts], qid
        if oq.type in ("single", "matrix"):
            assert {c: t.nb for c, t in dq.scale.items()} == {
                c: t.nb for c, t in oq.scale.items()
            }, qid


def test_spss_missing_values(tmp_path):
    """Declared -99..-90 are 'not answered' (left out); a declared 9 'vet ikke' stays."""
    df = fx.canonical_answers(1)
    cb = load_codebook(1)
    declare = {cb.source_column(c, "spss"): [{"lo": -99, "hi": -90}, 9] for c in cb.coded_columns}
    src = fx.write_spss(
        df, tmp_path / "e.sav", missing_rows=(7,), variable_labels=True, declare=declare
    )
    meta = read_metadata(src)
    q = {x.id: x for x in meta.questions}
    assert 9 in q["komp"].scale and -99 not in q["komp"].scale
    assert q["malgrupper"].type == "checkbox" and q["komp"].type == "matrix"
    assert q["behov_viktigst"].type == "single"  # q_k with codes 1..8 is not a checkbox option
    assert meta.non_substantive == {9}
    notes = " ".join(meta.file_notes())
    assert "code -99 (Ikke besvart) means 'not seen/not answered'" in notes
    assert "code 9" in notes and "kept as a non-substantive answer" in notes


def test_surveyxact_matrix_from_shared_question_text(tmp_path):
    """A structure with one questionName per variable: the matrix is found from 'Q - row'."""
    d = tmp_path / "sx"
    d.mkdir()
    rows = [
        [
            "questionName",
            "variableName",
            "questionType",
            "subType",
            "questionText",
            "choiceValue",
            "choiceText",
        ],
        ["s1", "tillit_1", "single", "", "Hvor stor tillit har du til - politiet", "", ""],
        ["s2", "tillit_2", "single", "", "Hvor stor tillit har du til - skolen", "", ""],
        ["s3", "alder", "single", "", "Alder", "", ""],
        ["s4", "fritekst", "text", "", "Kommentar", "", ""],
    ]
    labels = [
        ["tillit_1", "1", "Lav"],
        ["tillit_1", "2", "Høy"],
        ["tillit_1", "9", "Vet ikke"],
        ["tillit_2", "1", "Lav"],
        ["tillit_2", "2", "Høy"],
        ["tillit_2", "9", "Vet ikke"],
        ["alder", "1", "Under 40"],
        ["alder", "2", "40 eller eldre"],
    ]
    data = [
        ["respondent", "stato_4", "tillit_1", "tillit_2", "alder", "fritekst"],
        ["1", "1", "1", "2", "1", "Fin, takk"],
        ["2", "1", "9", "1", "2", ""],
        ["3", "1", "2", "2", "1", "Hei"],
    ]
    for name, table in (
        ("w_structure.csv", rows),
        ("w_labels.csv", labels),
        ("w_dataset.csv", data),
    ):
        (d / name).write_text("\n".join(";".join(r) for r in table) + "\n", encoding="utf-8")
    out = tmp_path / "d.yaml"
    draft_codebook(d / "w_dataset.csv", out=out)
    cb = load_codebook(out)
    assert cb.question("tillit").type == "matrix"
    assert cb.question("tillit").text.nb == "Hvor stor tillit har du til"
    assert [p.text.nb for p in cb.question("tillit").rows] == ["politiet", "skolen"]
    assert cb.question("fritekst").free_text
    assert cb.category_source == "alder"  # drafted from the only single question, marked
    assert any("grouping of respondents" in ln for ln in _checks(out))


@pytest.mark.parametrize("kind", ["surveyxact-xlsx", "spss", "nettskjema"])
def test_draft_against_its_own_version_has_no_changes(tmp_path, kind):
    _, paths = _v1_exports(tmp_path / "in")
    out = tmp_path / "d.yaml"
    result = draft_codebook(paths[kind], out=out, base=1)
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert raw["base"] == 1 and raw["changes"] == {}
    assert (len(result.matched), result.new, result.dropped) == (16, [], [])
    t = item_comparability(load_codebook(1), load_codebook(out))
    assert set(t["status"]) == {"same"}


def _v3_exports(folder):
    folder.mkdir(parents=True, exist_ok=True)
    cb3 = load_codebook(V3)
    df = fx.canonical_answers(3)
    declare = {cb3.source_column(c, "spss"): [{"lo": -99, "hi": -99}, 9] for c in cb3.coded_columns}
    return df, {
        "surveyxact-xlsx": fx.write_surveyxact_xlsx(df, folder / "sx3.xlsx", version=3),
        "surveyxact-tab-utf16": fx.write_surveyxact_csv(
            df, folder / "t", version=3, delimiter="\t", encoding="utf-16"
        ),
        "spss": fx.write_spss(
            df,
            folder / "w3.sav",
            version=3,
            missing_rows=(7,),
            variable_labels=True,
            declare=declare,
        ),
        "nettskjema": fx.write_nettskjema(df, folder / "ns3.csv", version=3),
        "forms": fx.write_forms(df, folder / "f3.xlsx", version=3),
    }


@pytest.mark.parametrize("kind", ["surveyxact-xlsx", "surveyxact-tab-utf16", "spss", "nettskjema"])
def test_draft_with_base_2_finds_version_3s_changes(project_tmp, tmp_path, kind, capsys):
    """Version 3 (tests/fixtures/instrument_v3.yaml) is the truth the draft must find."""
    df, paths = _v3_exports(tmp_path / "in")
    cb2, cb3 = load_codebook(2), load_codebook(V3)
    out = tmp_path / "v3_draft.yaml"
    args = ["codebook", "draft", "--source", str(paths[kind]), "--base", "2", "--out", str(out)]
    assert main(args) == 0
    summary = capsys.readouterr().out
    new_id = "digital_plattform"
    assert f"new: 1 ({new_id})" in summary and "dropped: 1 (rolle)" in summary
    draft = load_codebook(out)
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    ch = raw["changes"]
    assert ch["drop_questions"] == ["rolle"]
    assert [q["id"] for q in ch["add_questions"]] == [new_id]
    assert ch["add_questions"][0]["after"] == "niva"
    assert [r["id"] for r in ch["add_rows"]["komp"]] == ["barn_unge"]
    # new row kept out of kompetanse: the score stays comparable with version 2 on 7 rows
    assert ch["scores"]["kompetanse"]["exclude"] == ["digitalt", "barn_unge"]
    scores = score_comparability(cb2, draft).set_index("score")
    assert scores["comparable"].all() and scores.loc["kompetanse", "n_items"] == 7
    # the same columns and statuses against version 2 as the hand-written version 3
    mine = item_comparability(cb2, draft).set_index("column")["status"]
    truth = item_comparability(cb2, cb3).set_index("column")["status"]
    if kind == "nettskjema":
        # no texts to tell a rename from a new option: an add and a drop, the rename suggested
        assert (ch["add_options"]["behov"][0]["id"], ch["drop_options"]) == (
            "dialog",
            {"behov": ["kommunikasjon"]},
        )
        assert any("write a rename_options instead" in ln for ln in _checks(out))
        truth = truth.drop("behov_kommunikasjon")
        truth["behov_viktigst"] = "scale_changed"  # its codes are labelled by behov's options
        assert mine.pop("behov_kommunikasjon") == "dropped" and mine.pop("behov_dialog") == "new"
    else:
        assert ch["rename_options"] == {"behov": {"kommunikasjon": "dialog"}}
        assert any("likely a rename" in ln for ln in _checks(out))
    assert mine.sort_index().to_dict() == truth.sort_index().to_dict()
    new_q = draft.question(new_id)
    if kind != "nettskjema":
        assert new_q.text.nb == cb3.question("digital_plattform").text.nb
        # the readable codebook of the draft shows the new question's wording
        assert main(["codebook", "show", str(out)]) == 0
        assert new_q.text.nb in capsys.readouterr().out
    if kind != "nettskjema":
        assert {c: t.nb for c, t in new_q.scale.items()} == {1: "Ja", 2: "Nei", 9: "Vet ikke"}
    # ingested with the export it came from: every row accounted for, answers as written
    data, q = _ingest(project_tmp, paths[kind], out)
    assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"] == fx.N_ROWS
    assert q["not_asked"] == ["rolle"] + (["behov_kommunikasjon"] if kind == "nettskjema" else [])
    want = df.iloc[data["source_row"].to_numpy() - 1].reset_index(drop=True)
    cols = ["komp_barn_unge", "utleiertype", "digital_plattform"]
    if kind != "nettskjema":
        cols.append("behov_kommunikasjon")
    for c in cols:
        np.testing.assert_array_equal(
            pd.to_numeric(data[c]).to_numpy(dtype=float, na_value=np.nan),
            want[c].to_numpy(dtype=float),
            err_msg=c,
        )


def test_forms_draft_with_base_2(project_tmp, tmp_path):
    """Forms: questions, rows and options matched by text; new ones get ids made from texts."""
    df, paths = _v3_exports(tmp_path / "in")
    out = tmp_path / "f.yaml"
    result = draft_codebook(paths["forms"], out=out, base=2)
    assert (result.new, result.dropped) == (["har_dere_en_digital"], ["rolle"])
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))["changes"]
    assert [r["id"] for r in raw["add_rows"]["komp"]] == ["involvere_barn_og_unge"]
    assert "rename_options" not in raw and "drop_options" not in raw  # unchosen options kept
    draft = load_codebook(out)
    assert draft.question("har_dere_en_digital").text.nb == (
        "Har dere en digital plattform for dialog med leietakerne?"
    )
    scores = score_comparability(load_codebook(2), draft).set_index("score")
    assert scores["comparable"].all() and scores.loc["kompetanse", "n_items"] == 7
    data, q = _ingest(project_tmp, paths["forms"], out)
    assert q["rows_read"] == q["rows_kept"] + q["rows_quarantined"] == fx.N_ROWS
    want = df.iloc[data["source_row"].to_numpy() - 1].reset_index(drop=True)
    for mine, theirs in (
        ("komp_involvere_barn_og_unge", "komp_barn_unge"),
        ("behov_kommunikasjon", "behov_kommunikasjon"),
        ("utleiertype", "utleiertype"),
    ):
        np.testing.assert_array_equal(
            pd.to_numeric(data[mine]).to_numpy(dtype=float, na_value=np.nan),
            want[theirs].to_numpy(dtype=float),
            err_msg=mine,
        )


def test_diff_prints_the_changes_and_scores(capsys):
    assert main(["codebook", "diff", "2", str(V3)]) == 0
    out = capsys.readouterr().out
    assert "added (2): digital_plattform, komp_barn_unge" in out
    assert "dropped (1): rolle" in out
    assert "behov_kommunikasjon (kommunikasjon -> dialog)" in out
    assert "kompetanse: comparable on 7 item(s); only in version 3: komp_barn_unge" in out
    assert main(["codebook", "diff", "1", "2"]) == 0
    out = capsys.readouterr().out
    assert "utleiertype (version 1 code -> version 2 code: {1: 1, 2: 2, 3: 2, 4: 4, 5: 5})" in out
    assert main(["codebook", "diff", "1", "nope.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.yaml" in err[0]


def test_draft_errors_are_one_line(tmp_path, capsys):
    assert (
        main(
            [
                "codebook",
                "draft",
                "--source",
                str(tmp_path / "x.csv"),
                "--out",
                str(tmp_path / "d.yaml"),
            ]
        )
        == 2
    )
    assert "file not found" in capsys.readouterr().err
    src = fx.write_nettskjema(fx.canonical_answers(1), tmp_path / "ns.csv")
    assert main(["codebook", "draft", "--source", str(src), "--out", str(tmp_path / "d.txt")]) == 2
    assert "FILE.yaml" in capsys.readouterr().err
    assert not (tmp_path / "d.txt").exists()


def test_slug():
    assert slug("Hvor stor tillit har du til skolen?") == "hvor_stor_tillit_har"
    assert slug("Økonomi og årsplan", max_words=2) == "okonomi_og"


def test_two_drafts_in_one_folder_get_different_versions(tmp_path):
    src = fx.write_nettskjema(fx.canonical_answers(1), tmp_path / "ns.csv")
    folder = tmp_path / "instruments"
    a = draft_codebook(src, out=folder / "a.yaml")
    b = draft_codebook(src, out=folder / "b.yaml")
    again = draft_codebook(src, out=folder / "b.yaml")  # redrafting keeps its number
    assert b.version == a.version + 1 == again.version


BAD = {
    "empty": b"",
    "binary": bytes(range(256)) * 8,
    "unknown format": b"a;b;c\n1;2;3\n",
    "header only": b'"$submission_id";"q1";"$answer_time_ms"\n',
    "damaged xlsx": b"PK\x03\x04" + bytes(100),
    "damaged sav": b"$FL2" + bytes(100),
    "old xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_exports_are_one_line_and_nothing_written(tmp_path, capsys, case):
    src = tmp_path / "bad_export.dat"
    src.write_bytes(BAD[case])
    out = tmp_path / "d.yaml"
    assert main(["codebook", "draft", "--source", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad_export.dat" in err[0], err
    assert not out.exists() and list(tmp_path.iterdir()) == [src]
