"""Instrument versions written as changes: the vocabulary, the base chain, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.instrument.codebook import InstrumentError, load_codebook
from analysis.instrument.compare import item_comparability, score_comparability
from conftest import REPO

V3 = REPO / "tests" / "fixtures" / "instrument_v3.yaml"


def write(tmp_path: Path, text: str, name: str = "v.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_version_3_from_changes():
    v2, v3 = load_codebook(2), load_codebook(V3)
    assert (v3.version, v3.base, v3.lineage) == (3, 2, (1, 2, 3))
    assert "rolle" not in v3.questions and v3.not_asked == ("rolle",)
    assert v3.question("komp").columns[-1] == "komp_barn_unge"
    assert v3.question("digital_plattform").codes == (1, 2, 9)
    assert v3.question("digital_plattform").substantive_codes == (1, 2)
    # the new question stands where the file put it (after niva)
    qs = list(v3.questions)
    assert qs.index("digital_plattform") == qs.index("niva") + 1
    # renamed: processed data keep the first id; the export calls it by the new one
    assert "behov_kommunikasjon" in v3.item_columns
    assert v3.source_column("behov_kommunikasjon", "nettskjema") == "behov.dialog"
    assert v3.source_column("behov_beboerrad", "spss") == "behov_organisering"  # v2's rename kept
    # the score takes the new row in version 3 (8 items), never v2's excluded digitalt
    assert len(v3.score_items("kompetanse")) == 8
    assert "komp_digitalt" not in v3.score_items("kompetanse")
    # what version 3 shares with 2: the new row and question are new, rolle dropped
    st = item_comparability(v2, v3).set_index("column")["status"]
    assert st["komp_barn_unge"] == "new" and st["digital_plattform"] == "new"
    assert st["rolle"] == "dropped" and st["behov_kommunikasjon"] == "renamed"
    sc = score_comparability(v2, v3).set_index("score")
    assert sc.loc["kompetanse", "n_items"] == 7
    assert sc.loc["kompetanse", "only_b"] == ("komp_barn_unge",)
    # version 1 against version 3 (not a base of each other's direct chain step)
    st13 = item_comparability(load_codebook(1), v3).set_index("column")["status"]
    assert st13["utleiertype"] == "recoded" and st13["komp_digitalt"] == "new"


def test_every_change_kind(tmp_path):
    p = write(
        tmp_path,
        """
version: 7
base: 1
title: {nb: Ny tittel, en: New title}
changes:
  scales:
    ja_nei: {1: {nb: Ja, en: "Yes"}, 2: {nb: Nei, en: "No"}}
  add_questions:
    - {id: ny, type: single, scale: ja_nei, text: {nb: 'Ny?', en: 'New?'}}
  drop_rows: {niva: [tildeling]}
  add_options: {format: [{id: podkast, nb: Podkast, en: Podcast}]}
  drop_options: {format: [elaering]}
  rename_rows: {hold: {verdi: bomiljo}}
  recode:
    antall_boliger:
      map: {1: 1, 2: 1, 3: 3, 4: 3, 9: 9}
      scale: {1: {nb: under 200, en: under 200}, 3: {nb: 200 eller flere, en: 200 or more}, 9: {nb: vet ikke, en: "don't know"}}
  texts:
    behov_viktigst: {nb: 'Hvilket tema er aller viktigst?', en: 'Which theme matters most?'}
    komp_mote: {nb: lede møter med beboerne, en: chair meetings with tenants}
  scores:
    niva: {min_valid: 2}
    hold_kort: {question: hold, method: mean_rescaled, scale_min: 1, scale_max: 5, min_valid: 2, items: [endrer, verdi], label: {nb: Kort, en: Short}}
  drop_scores: [bredde]
""",
    )
    v1, cb = load_codebook(1), load_codebook(p)
    assert cb.title.en == "New title" and cb.questions["ny"].codes == (1, 2)
    assert "niva_tildeling" not in cb.item_columns and "niva_tildeling" in cb.not_asked
    assert cb.question("format").columns[-1] == "format_podkast"
    assert "format_elaering" not in cb.item_columns
    assert cb.source_column("hold_verdi", "nettskjema") == "hold.bomiljo"
    assert cb.question("antall_boliger").codes == (1, 3, 9)
    assert cb.recode_from["antall_boliger"][1] == {1: 1, 2: 1, 3: 3, 4: 3, 9: 9}
    assert cb.label("komp_mote") == "lede møter med beboerne"
    assert cb.question("behov_viktigst").text.en == "Which theme matters most?"
    assert cb.scores["niva"].min_valid == 2 and "bredde" not in cb.scores
    assert cb.score_items("hold_kort") == ("hold_endrer", "hold_verdi")
    st = item_comparability(v1, cb).set_index("column")["status"]
    assert st["komp_mote"] == "text_changed" and st["antall_boliger"] == "recoded"
    assert st["hold_verdi"] == "renamed" and st["format_podkast"] == "new"
    assert {c.kind for c in cb.changes} >= {
        "add_question",
        "drop_row",
        "add_option",
        "drop_option",
        "rename_row",
        "recode",
        "text",
        "change_score",
        "add_score",
        "drop_score",
    }


def test_a_full_standalone_file_works(tmp_path):
    src = (REPO / "src/analysis/questionnaire/instruments/instrument_v1.yaml").read_text("utf-8")
    p = write(tmp_path, src.replace("version: 1", "version: 11", 1))
    cb = load_codebook(p)
    assert cb.version == 11 and cb.base is None
    assert cb.item_columns == load_codebook(1).item_columns


def test_a_base_given_as_a_path(tmp_path):
    write(tmp_path, V3.read_text("utf-8"), "v3.yaml")
    p = write(tmp_path, "version: 4\nbase: v3.yaml\nchanges:\n  drop_questions: [format]\n")
    cb = load_codebook(p)
    assert cb.lineage == (1, 2, 3, 4) and "rolle" in cb.not_asked
    assert set(load_codebook(1).question("format").columns) <= set(cb.not_asked)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 5\nbase: 2\nchanges: {drop_questions: [nope]}\n",
            "key changes.drop_questions.0: unknown question 'nope'",
        ),
        (
            "version: 5\nbase: 2\nchanges: {add_rows: {komp: [{id: mote, nb: x, en: x}]}}\n",
            "key changes.add_rows.komp.0.id: 'komp' already has 'mote'",
        ),
        (
            "version: 5\nbase: 2\nchanges: {rename_options: {behov: {nope: x}}}\n",
            "key changes.rename_options.behov.nope: question 'behov' has no row or option 'nope'",
        ),
        (
            "version: 5\nbase: 42\nchanges: {drop_questions: [rolle]}\n",
            "key base: unknown base version 42",
        ),
        (
            "version: 5\nbase: 2\nchanges: {drop_question: [rolle]}\n",
            "key changes.drop_question: unknown key 'drop_question'",
        ),
        (
            "version: 5\nbase: 2\nchanges: {add_rows: {komp: [{id: Bad Id, nb: x, en: x}]}}\n",
            "key changes.add_rows.komp.0.id: 'Bad Id' is not a valid id",
        ),
        (
            "version: 5\nbase: 2\nchanges: {recode: {utleiertype: {map: {1: 1}, scale: {1: {nb: a, en: a}}}}}\n",
            "key changes.recode.utleiertype.map: old code(s) [2, 4, 5] of 'utleiertype' are not mapped",
        ),
        (
            "version: 5\nbase: 2\nchanges: {drop_questions: [utleiertype]}\n",
            "defines the landlord category and cannot be dropped",
        ),
        ("version: two\nbase: 2\nchanges: {}\n", "key version: expected integer"),
        (
            "version: 2\nbase: 1\nchanges: {drop_questions: [rolle]}\n",
            "key version: version 2 is a packaged instrument version",
        ),
        (
            "version: 5\nbase: 2\nchanges: {add_questions: [{id: x, type: single, text: {nb: x, en: x}}]}\n",
            "key changes.add_questions.0.scale: a single question needs a scale",
        ),
        (
            "version: 5\nbase: 2\nchanges: {scores: {ny: {question: komp}}}\n",
            "key changes.scores.ny: a new score needs method, label",
        ),
        (
            "version: 5\nbase: 2\nchanges: {drop_rows: {komp: [planlegge, na_alle, mote, tilbakemelding, evaluere, regelverk, konflikt, digitalt]}}\n",
            "key changes.drop_rows.komp: drops every row of 'komp'",
        ),
        ("version: 5\nbase: 2\nchanges:\n  drop_questions: [rolle\n", "malformed YAML at line"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_errors_are_one_line_naming_file_and_key(tmp_path, text, expected):
    p = write(tmp_path, text)
    with pytest.raises(InstrumentError) as err:
        load_codebook(p)
    msg = str(err.value)
    assert msg.startswith(str(p)) and "\n" not in msg
    assert expected in msg


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InstrumentError, match="nope.yaml: file not found"):
        load_codebook(tmp_path / "nope.yaml")
    with pytest.raises(InstrumentError, match="is a folder"):
        load_codebook(tmp_path)


def test_a_changed_file_is_read_again(tmp_path):
    p = write(tmp_path, "version: 8\nbase: 2\nchanges: {drop_questions: [rolle]}\n")
    assert "rolle" not in load_codebook(p).questions
    write(tmp_path, "version: 8\nbase: 2\nchanges: {drop_questions: [format]}\n")
    cb = load_codebook(p)
    assert "rolle" in cb.questions and "format" not in cb.questions
