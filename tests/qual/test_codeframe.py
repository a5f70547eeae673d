"""The coding frame: derived from the questionnaire, validated against its schema, one-line errors."""

from __future__ import annotations

import pytest

from analysis.errors import InputFileError
from analysis.instrument.codebook import load_codebook
from analysis.qual.codeframe import frame_for_wave, load_coding_frame
from analysis.qual.suggest import keyword_matches, suggest

GOOD_CODE = """
  - id: {id}
    origin: inductive
    label: {{nb: Ny kode, en: New code}}
    definition: {{nb: Noe nytt, en: Something new}}
"""


def test_packaged_frame_is_derived_from_the_behov_options_and_barriers():
    frame = load_coding_frame()
    cb = load_codebook(1)
    for question in ("behov", "barrierer"):
        for opt in cb.question(question).options:
            col = f"{question}_{opt.id}"
            code = frame.code_for_column(col)
            if opt.id == "annet":
                assert code is None
                continue
            assert code is not None, col
            c = frame.code(code)
            assert c.origin == "deductive" and c.keywords
            assert (c.label("nb"), c.label("en")) == (opt.text.nb, opt.text.en), col
    assert len(frame.columns("behov_")) == len(cb.question("behov").options)


def test_wave_frame_extends_the_default(tmp_path):
    raw = tmp_path / "data" / "raw" / "w"
    raw.mkdir(parents=True)
    (raw / "coding_frame.yaml").write_text(
        "id: w\nversion: 2\nextends: default\ncodes:" + GOOD_CODE.format(id="ny_kode"),
        encoding="utf-8",
    )
    frame = frame_for_wave("w", root=tmp_path)
    assert frame.ids[-1] == "ny_kode" and frame.ids[0] == "tema_metoder"
    assert frame_for_wave("other", root=tmp_path).ids == load_coding_frame().ids


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("id: x\nversion: 1\ncodes: [", "not valid YAML (line"),
        ("id: x\ncodes: []", "key (top level): must contain ['version'] properties"),
        ("id: x\nversion: 1\ncodes:" + GOOD_CODE.format(id="Bad-Id"), "key codes.0.id"),
        (
            "id: x\nversion: 1\ncodes:" + GOOD_CODE.format(id="a") + "    colour: red\n",
            "key codes.0: must not contain {'colour'} properties",
        ),
        (
            "id: x\nversion: 1\ncodes:" + GOOD_CODE.format(id="a") + GOOD_CODE.format(id="a"),
            "key codes.1.id: code 'a' is defined twice",
        ),
        (
            "id: x\nversion: 1\ncodes:" + GOOD_CODE.format(id="quote"),
            "key codes.0.id: 'quote' is reserved",
        ),
        (
            "id: x\nversion: 1\ncodes:" + GOOD_CODE.format(id="a") + "    column: behov_nope\n",
            "key codes.0.column: 'behov_nope' is not a column of the instrument",
        ),
        ("id: x\nversion: 1\ncodes: []", "key codes: the frame has no codes"),
    ],
)
def test_malformed_frames_are_one_line_errors(tmp_path, body, fragment):
    p = tmp_path / "frame.yaml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(InputFileError) as e:
        load_coding_frame(p)
    msg = str(e.value)
    assert fragment in msg and msg.startswith(str(p)) and "\n" not in msg


@pytest.mark.parametrize(
    "text, keyword, hit",
    [
        ("Konflikthåndtering i bomiljøet", "konflikt", True),
        ("vi har KONFLIKTER", "konflikt", True),
        ("Tidligere gikk det bra", "=tid", False),
        ("Vi mangler tid.", "=tid", True),
        ("Leietakere som sjelden deltar", "sjelden deltar", True),
        ("deltar sjelden", "sjelden deltar", False),
        ("uten konflikt", "bråk", False),
    ],
)
def test_keyword_rule(text, keyword, hit):
    assert keyword_matches(text, keyword) is hit


def test_suggester_is_deterministic_and_respects_min_hits():
    frame = load_coding_frame()
    text = "Beboerrådet fikk budsjett til dugnad og sommerfest."
    first = suggest(text, frame)
    assert first == suggest(text, frame)
    assert first == ("tema_beboerrad", "tema_bomiljotiltak", "hinder_ressurser")
    assert suggest(text, frame, min_hits=2) == ("tema_bomiljotiltak",)
    assert suggest("", frame) == ()
