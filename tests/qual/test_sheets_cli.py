"""Coding round trip through the command line on a small wave: notes add, ingest, sheets, import,
agreement; malformed sheets give one-line errors, exit 2, and change nothing."""

from __future__ import annotations

import hashlib
import shutil

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.clean.segments import load_segments
from analysis.cli import main
from analysis.qual.codeframe import load_coding_frame
from analysis.qual.sheets import load_codings, read_sheet

EMAIL = "kari.nordmann@example.com"
PHONE = "912 34 567"
NOTE_EMAIL = "arbeidsgruppe@demostad.example.no"
NOTE_PHONE = "+47 976 54 321"
NAMES = ("Per Hansen", "Lise Berg", "Amir Khan", "Siri Dahl", "Jon Moe", "Eva Lund")


def _export() -> str:
    """A Nettskjema export with every column of version 1 (ingest refuses a partial one)."""
    from analysis.instrument.codebook import load_codebook

    cb = load_codebook(1)
    given = [
        {"utleiertype": "4", "komp_mote": "3", "eksempel": "Vi har faste beboermøter."},
        {
            "utleiertype": "1",
            "komp_mote": "3",
            "eksempel": f"Skriv til {EMAIL} om beboerrådet",
            "kommentar": "Vi trenger mer tid.",
        },
        {"utleiertype": "5", "komp_mote": "2", "kommentar": f"Ring {PHONE}"},
        {"komp_mote": "2", "eksempel": "Quarantined answer"},
    ]
    head = ["$submission_id", *(cb.source_column(c, "nettskjema") for c in cb.item_columns)]
    rows = [head] + [
        [str(i + 1), *(r.get(c, "") for c in cb.item_columns)] for i, r in enumerate(given)
    ]
    return "".join(";".join(f'"{v}"' for v in row) + "\n" for row in rows)


EXPORT = _export()


def _tree(root):
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def wave(project_tmp, capsys):
    src = project_tmp / "export.csv"
    src.write_text(EXPORT, encoding="utf-8")
    assert main(["ingest", "--wave", "w", "--source", str(src)]) == 0
    d = docx.Document()
    d.add_heading("Innspillsmøte", level=1)
    d.add_paragraph("Deltakere: " + ", ".join(NAMES))
    d.add_paragraph("Mange ønsket et kurs i konflikthåndtering.")
    d.add_paragraph(f"Arbeidsgruppen når dere på {NOTE_EMAIL} eller {NOTE_PHONE}.")
    d.save(project_tmp / "referat.docx")
    assert main(["notes", "add", "w", str(project_tmp / "referat.docx")]) == 0
    assert main(["ingest", "w"]) == 0
    capsys.readouterr()
    return project_tmp


def test_segments_are_redacted_and_complete(wave):
    seg = load_segments("w")
    assert seg["segment_id"].tolist() == [
        "referat:p002",
        "referat:p003",
        "w-1:eksempel",
        "w-2:eksempel",
        "w-2:kommentar",
        "w-3:kommentar",
    ]
    assert seg.loc[0, "n_participants"] == len(NAMES)
    processed = wave / "data" / "processed" / "w"
    blob = b"".join(p.read_bytes() for p in processed.iterdir())
    for secret in (EMAIL, PHONE, NOTE_EMAIL, NOTE_PHONE, *NAMES, "Deltakere"):
        assert secret.encode() not in blob, secret
    import json

    report = json.loads((processed / "notes.json").read_text(encoding="utf-8"))
    note = report["notes"][0]
    assert note["paragraphs_kept"] == note["segments"] + note["headings"]
    assert note["personal_data_removed"]["participant_line"] == 1
    assert report["free_text"] == {
        "segments": 4,
        "respondents": 3,
        "by_item": {"eksempel": 2, "kommentar": 2},
    }


def _fill(path, values, quote=()):
    wb = load_workbook(path)
    ws = wb["coding"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        sid = row[0].value
        for code in values.get(sid, ()):
            row[header.index(code)].value = 1
        if sid in quote:
            row[header.index("quote")].value = 1
    wb.save(path)


CODING_A = {
    "referat:p002": ["tema_konflikt"],
    "w-1:eksempel": ["tema_metoder"],
    "w-2:eksempel": ["tema_beboerrad"],
    "w-2:kommentar": ["hinder_tid"],
}
CODING_B = {**CODING_A, "w-1:eksempel": ["tema_metoder", "tema_beboerrad"]}


def test_round_trip_and_agreement(wave, capsys):
    out = wave / "sheets"
    assert main(["coding", "sheets", "w", "--coder", "a", "--out", str(out)]) == 0
    assert main(["coding", "sheets", "w", "--coder", "b", "--out", str(out)]) == 0
    ws = load_workbook(out / "a.xlsx")["coding"]
    header = [c.value for c in ws[1]]
    frame = load_coding_frame()
    assert header == ["segment_id", "source", "text", "suggested", *frame.ids, "quote", "comment"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["referat:p002"][3] == "tema_konflikt,hinder_konflikter"
    assert "[fjernet: e-post]" in rows["w-2:eksempel"][2]
    # never overwritten without --force
    assert main(["coding", "sheets", "w", "--coder", "a", "--out", str(out)]) == 2
    _fill(out / "a.xlsx", CODING_A)
    _fill(out / "b.xlsx", CODING_B, quote={"referat:p002"})
    assert main(["coding", "import", "w", str(out / "a.xlsx"), "--coder", "a"]) == 0
    assert main(["coding", "import", "w", str(out / "b.xlsx"), "--coder", "b"]) == 0
    capsys.readouterr()
    codings = load_codings("w")
    assert list(codings) == ["a", "b"]
    assert codings["b"].loc["referat:p002", "quote"] == 1
    assert codings["a"].loc["w-1:eksempel", "tema_beboerrad"] == 0
    assert main(["coding", "agreement", "w", "--n-boot", "100"]) == 0
    text = capsys.readouterr().out
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("tema_beboerrad"))
    # 6 segments: n11=1 (w-2), n10=0, n01=1 (w-1), n00=4
    assert line.split()[1:6] == ["6", "1", "0", "1", "4"]
    assert "overall" in text


BAD_EDITS = [
    # (cell, value, row, column letter, fragment)
    ("E1", "tema_ukjent", 1, "E", "unknown code 'tema_ukjent'"),
    ("A3", "w-99:eksempel", 3, "A", "unknown segment 'w-99:eksempel'"),
    ("E4", 2, 4, "E", "value 2 for code 'tema_metoder': use 1, 0 or blank"),
    ("F5", "ja", 5, "F", "value 'ja' for code 'tema_inkludering'"),
    ("A4", "referat:p002", 4, "A", "appears twice (first in row 2)"),
]


@pytest.mark.parametrize("cell, value, row, col, fragment", BAD_EDITS)
def test_malformed_sheet_is_one_line_and_changes_nothing(
    wave, capsys, cell, value, row, col, fragment
):
    out = wave / "sheets"
    assert main(["coding", "sheets", "w", "--coder", "a", "--out", str(out)]) == 0
    _fill(out / "a.xlsx", CODING_A)
    assert main(["coding", "import", "w", str(out / "a.xlsx"), "--coder", "a"]) == 0
    bad = out / "bad.xlsx"
    shutil.copy(out / "a.xlsx", bad)
    wb = load_workbook(bad)
    wb["coding"][cell].value = value
    wb.save(bad)
    before = _tree(wave / "data")
    capsys.readouterr()
    assert main(["coding", "import", "w", str(bad), "--coder", "a"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"error: {bad}, sheet coding, row {row}, column {col}: "), err[0]
    assert fragment in err[0]
    assert _tree(wave / "data") == before


def test_missing_sheet_or_code_column(wave, capsys):
    out = wave / "sheets"
    main(["coding", "sheets", "w", "--coder", "a", "--out", str(out)])
    wb = load_workbook(out / "a.xlsx")
    wb["coding"].delete_cols(5)
    wb.save(out / "nocol.xlsx")
    wb["coding"].title = "other"
    wb.save(out / "nosheet.xlsx")
    capsys.readouterr()
    assert main(["coding", "import", "w", str(out / "nocol.xlsx"), "--coder", "a"]) == 2
    assert "no column for code 'tema_metoder'" in capsys.readouterr().err
    assert main(["coding", "import", "w", str(out / "nosheet.xlsx"), "--coder", "a"]) == 2
    assert "no sheet named 'coding'" in capsys.readouterr().err
    (out / "junk.xlsx").write_bytes(b"junk")
    assert main(["coding", "import", "w", str(out / "junk.xlsx"), "--coder", "a"]) == 2
    assert "not a readable .xlsx" in capsys.readouterr().err
    assert main(["coding", "import", "w", str(out / "nocol.xlsx"), "--coder", "../x"]) == 2


def test_blank_sheet_reads_as_uncoded_zeroes(wave):
    out = wave / "sheets"
    main(["coding", "sheets", "w", "--coder", "a", "--out", str(out)])
    seg = load_segments("w")
    df = read_sheet(out / "a.xlsx", load_coding_frame(), seg["segment_id"])
    assert df.index.tolist() == seg["segment_id"].tolist()
    assert int(df.to_numpy().sum()) == 0
    assert isinstance(df, pd.DataFrame)


def test_agreement_needs_two_coders(wave, capsys):
    assert main(["coding", "agreement", "w"]) == 2
    assert "name two with --coders" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["notes", "add", "--help"],
        ["coding", "sheets", "--help"],
        ["coding", "import", "--help"],
        ["coding", "agreement", "--help"],
    ],
)
def test_subcommands_have_help(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage: python -m analysis " + " ".join(argv[:2]) in capsys.readouterr().out


def test_top_level_help_lists_notes_and_coding(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "notes" in out and "coding" in out


def test_notes_add_bad_file_is_exit_2(wave, capsys):
    (wave / "x.pdf").write_bytes(b"%PDF")
    assert main(["notes", "add", "w", str(wave / "x.pdf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes must be .docx, .md, .txt" in err[0]


def test_simultaneous_imports_keep_both_registrations(wave):
    from concurrent.futures import ThreadPoolExecutor

    from analysis.io.manifest import Manifest
    from analysis.qual.sheets import coding_sheets, import_sheet, registered_coders

    paths = [coding_sheets("w", c, out=wave / "sheets") for c in ("a", "b", "c", "d")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda p: import_sheet("w", p, p.stem), paths))
    assert sorted(registered_coders("w")) == ["a", "b", "c", "d"]
    raw = wave / "data" / "raw" / "w"
    Manifest.read(raw).verify(raw)
