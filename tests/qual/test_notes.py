"""Meeting notes at the door: reading .docx/.md/.txt, participant lists, redaction, registration."""

from __future__ import annotations

import json
import stat

import docx
import pytest

from analysis.clean.notes import add_notes, read_notes
from analysis.errors import InputFileError, UserError
from analysis.io.manifest import Manifest, sha256_file

EMAIL = "lise.berg@demostad.example.no"
PHONE = "976 54 321"
NAMES = ("Per Hansen", "Lise Berg", "Amir Khan")


def _docx(path, blocks):
    d = docx.Document()
    for kind, text in blocks:
        if kind == "heading":
            d.add_heading(text, level=1)
        elif kind == "list":
            d.add_paragraph(text, style="List Bullet")
        elif kind == "table":
            t = d.add_table(rows=1, cols=2)
            t.cell(0, 0).text, t.cell(0, 1).text = text
        else:
            d.add_paragraph(text)
    d.save(path)
    return path


def test_docx_paragraphs_headings_tables_and_participants(tmp_path):
    p = _docx(
        tmp_path / "møte.docx",
        [
            ("heading", "Innspillsmøte"),
            ("p", f"Deltakere: {', '.join(NAMES[:2])} og {NAMES[2]}"),
            ("p", "Flere ønsket kurs i husleierett."),
            ("table", ("Tema", f"Ring {PHONE} for påmelding")),
            ("p", f"Skriv til {EMAIL}."),
        ],
    )
    notes = read_notes(p)
    kinds = [(x.kind, x.text) for x in notes.paragraphs]
    assert kinds == [
        ("heading", "Innspillsmøte"),
        ("paragraph", "Flere ønsket kurs i husleierett."),
        ("paragraph", "Tema"),
        ("paragraph", "Ring [fjernet: telefon] for påmelding"),
        ("paragraph", "Skriv til [fjernet: e-post]."),
    ]
    assert notes.n_participants == 3
    assert notes.removed["participant_line"] == 1
    assert notes.removed["phone"] == 1 and notes.removed["email"] == 1
    text = json.dumps(notes.as_dict(), ensure_ascii=False)
    for secret in (*NAMES, EMAIL, PHONE):
        assert secret not in text


@pytest.mark.parametrize(
    "line",
    [
        "Deltakere: A B, C D",
        "deltagere - A B, C D",
        "Til stede: A B; C D",
        "Tilstede: A B og C D",
        "Participants: A B and C D",
        "**Deltakere:** A B, C D",
        "Present – A B, C D",
        "Deltakere: A B (Bygg og eiendom), C D (Drift; vedlikehold)",
    ],
)
def test_participant_line_variants_never_pass(tmp_path, line):
    p = tmp_path / "n.md"
    p.write_text(f"{line}\n\nSaken gjaldt beboerråd.\n", encoding="utf-8")
    notes = read_notes(p)
    assert [x.text for x in notes.paragraphs] == ["Saken gjaldt beboerråd."]
    assert notes.n_participants == 2


def test_bare_label_drops_the_list_that_follows(tmp_path):
    p = _docx(
        tmp_path / "n.docx",
        [
            ("p", "Deltakere:"),
            ("list", NAMES[0]),
            ("list", NAMES[1]),
            ("p", NAMES[2]),
            ("p", "Møtet startet med en runde om hva som fungerer godt i dag."),
            ("p", "Referent: Ola Nordmann"),
            ("p", "Forfall: Kari Nordmann"),
        ],
    )
    notes = read_notes(p)
    assert [x.text for x in notes.paragraphs] == [
        "Møtet startet med en runde om hva som fungerer godt i dag."
    ]
    assert notes.n_participants == 3  # the minute-taker and absentees are not counted
    assert notes.removed["participant_line"] == 6


def test_markdown_lists_are_paragraphs_and_blocks_are_joined(tmp_path):
    p = tmp_path / "n.md"
    p.write_text(
        "# Referat\n\nFørste linje\nfortsetter her.\n\n- punkt en\n- punkt to\n", encoding="utf-8"
    )
    notes = read_notes(p)
    assert [(x.kind, x.text) for x in notes.paragraphs] == [
        ("heading", "Referat"),
        ("paragraph", "Første linje fortsetter her."),
        ("paragraph", "punkt en"),
        ("paragraph", "punkt to"),
    ]
    assert notes.n_participants is None


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("n.pdf", b"%PDF", "notes must be .docx, .md, .txt"),
        ("n.docx", b"not a zip", "not a readable .docx"),
        ("n.txt", b"\xff\xfe\xfa bad", "not UTF-8"),
    ],
)
def test_unreadable_notes_are_one_line_errors(tmp_path, name, content, fragment):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=fragment) as e:
        read_notes(p)
    assert "\n" not in str(e.value) and str(p) in str(e.value)


def _registered_wave(root, wave="w"):
    raw = root / "data" / "raw" / wave
    raw.mkdir(parents=True)
    (raw / "export.csv").write_text("x", encoding="utf-8")
    Manifest(
        wave=wave,
        source_file="export.csv",
        format="nettskjema",
        instrument_version=1,
        sha256=sha256_file(raw / "export.csv"),
    ).write(raw)
    return raw


def test_add_notes_copies_read_only_with_checksum(tmp_path):
    raw = _registered_wave(tmp_path)
    src = tmp_path / "referat.md"
    src.write_text("Deltakere: A, B\n\nTekst.\n", encoding="utf-8")
    dest = add_notes("w", src, root=tmp_path)
    assert dest == raw / "notes" / "referat.md"
    assert not dest.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    m = Manifest.read(raw)
    assert m.extra_files["notes:referat.md"] == "notes/referat.md"
    assert m.extra_sha256["notes/referat.md"] == sha256_file(src)
    m.verify(raw)  # the manifest check covers the notes
    with pytest.raises(UserError, match="already registered"):
        add_notes("w", src, root=tmp_path)


def test_add_notes_refuses_bad_input_and_changes_nothing(tmp_path):
    raw = _registered_wave(tmp_path)
    before = (raw / "manifest.json").read_bytes()
    bad = tmp_path / "n.docx"
    bad.write_bytes(b"nope")
    with pytest.raises(InputFileError):
        add_notes("w", bad, root=tmp_path)
    with pytest.raises(UserError, match="not registered"):
        add_notes("other", tmp_path / "n.docx", root=tmp_path)
    assert (raw / "manifest.json").read_bytes() == before
    assert not (raw / "notes").exists() or not any((raw / "notes").iterdir())
