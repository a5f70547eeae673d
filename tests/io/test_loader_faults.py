"""Loaders under damaged input: a header that occurs twice, NUL bytes inside fields (issue 11)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fixtures_exports as fx
from analysis.clean.ingest import load_processed, load_quality
from analysis.cli import main
from analysis.errors import InputFileError
from analysis.instrument.codebook import load_codebook
from analysis.io.loaders import read_export
from analysis.io.loaders.base import Notes, merge_repeated

CB = load_codebook(1)
COL = "komp_mote"


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


# -- a header that occurs twice -----------------------------------------------------------------


def _dup_delimited(
    path, out, header, *, delimiter, encoding, first=None, quoting=csv.QUOTE_MINIMAL
):
    """Insert a second column named ``header`` before the first one; ``first``: its cells."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding)), delimiter=delimiter))
    j = rows[0].index(header)
    for i, r in enumerate(rows):
        r.insert(j, header if i == 0 else ("" if first is None else first[i - 1]))
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(rows)
    out.write_bytes(buf.getvalue().encode(encoding))
    return out, [r[j + 1] for r in rows[1:]]


def _dup_sheet(path, out, header, sheet=0, first=None):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[sheet]
    heads = [c.value for c in ws[1]]
    j = heads.index(header) + 1  # 1-based
    original = [ws.cell(row=i, column=j).value for i in range(2, ws.max_row + 1)]
    ws.insert_cols(j)
    ws.cell(row=1, column=j).value = header
    for i in range(2, ws.max_row + 1):
        ws.cell(row=i, column=j).value = None if first is None else first[i - 2]
    wb.save(out)
    return out, original


def _make(kind, folder, *, first=None, original=None):
    """Write the canonical export of ``kind``, then the same with ``komp_mote`` twice."""
    df = fx.canonical_answers(1)
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "nettskjema":
        src = fx.write_nettskjema(df, folder / "ns.csv")
        header = CB.source_column(COL, "nettskjema")
        dup = lambda f: _dup_delimited(  # noqa: E731
            src,
            folder / "ns-dup.csv",
            header,
            delimiter=";",
            encoding="utf-8",
            first=f,
            quoting=csv.QUOTE_ALL,
        )
    elif kind == "surveyxact-csv":
        src = fx.write_surveyxact_csv(df, folder / "sx", stem="w")
        header = CB.source_column(COL, "surveyxact")
        for role in ("structure", "labels"):
            (folder / "sx" / f"w-dup_{role}.csv").write_bytes(
                (folder / "sx" / f"w_{role}.csv").read_bytes()
            )
        dup = lambda f: _dup_delimited(  # noqa: E731
            src,
            folder / "sx" / "w-dup_dataset.csv",
            header,
            delimiter=";",
            encoding="utf-8",
            first=f,
        )
    elif kind == "surveyxact-xlsx":
        src = fx.write_surveyxact_xlsx(df, folder / "sx.xlsx")
        header = CB.source_column(COL, "surveyxact")
        dup = lambda f: _dup_sheet(src, folder / "sx-dup.xlsx", header, first=f)  # noqa: E731
    else:
        src = fx.write_forms(df, folder / "forms.xlsx")
        header = CB.source_column(COL, "forms")
        dup = lambda f: _dup_sheet(src, folder / "forms-dup.xlsx", header, first=f)  # noqa: E731
    return src, header, dup


KINDS = ["nettskjema", "surveyxact-csv", "surveyxact-xlsx", "forms"]


@pytest.mark.parametrize("kind", KINDS)
def test_empty_first_copy_of_a_header_loses_no_answers(tmp_path, kind):
    src, header, dup = _make(kind, tmp_path)
    path, original = dup(None)
    want = read_export(src)
    got = read_export(path)
    assert got.data[COL].notna().sum() > 10
    pd.testing.assert_frame_equal(got.data, want.data)
    said = [w for w in got.warnings if header in w and "2 times" in w]
    assert said, got.warnings  # the rule applied is stated


@pytest.mark.parametrize("kind", KINDS)
def test_copies_that_complement_each_other_are_merged(tmp_path, kind):
    src, header, dup = _make(kind, tmp_path)
    _, original = dup(None)
    # the first copy holds rows 1-5, the second copy (the original column) all rows
    path, _ = dup(
        [
            v if i < 5 else None if kind.endswith(("xlsx", "forms")) else ""
            for i, v in enumerate(original)
        ]
    )
    pd.testing.assert_frame_equal(read_export(path).data, read_export(src).data)


@pytest.mark.parametrize("kind", KINDS)
def test_conflicting_copies_are_refused_naming_file_row_and_column(tmp_path, kind):
    src, header, dup = _make(kind, tmp_path)
    _, original = dup(None)
    first = list(original)
    row = next(i for i, v in enumerate(first) if v not in (None, "") and i >= 2)
    if kind == "forms":
        labels = list(CB.value_labels(COL).values())
        first[row] = next(lab for lab in labels if lab != first[row])
    elif kind == "surveyxact-xlsx":
        first[row] = 1 if first[row] != 1 else 2
    else:
        first[row] = "1" if first[row] != "1" else "2"
    path, _ = dup(first)
    with pytest.raises(InputFileError) as info:
        read_export(path)
    msg = str(info.value)
    assert path.name in msg and header in msg and f"row {row + 1}" in msg, msg
    assert "2 times" in msg


def test_duplicate_header_through_the_command(project_tmp, tmp_path, capsys):
    src, header, dup = _make("nettskjema", tmp_path)
    _, original = dup(None)
    ok, _ = dup(None)
    assert main(["ingest", "--wave", "d", "--source", str(ok)]) == 0
    out = capsys.readouterr().out
    assert "2 times" in out
    want = read_export(src).data[COL].dropna()
    assert load_processed("d")[COL].notna().sum() == len(want) - 1  # one duplicate row
    bad = list(original)
    bad[3] = "1" if bad[3] != "1" else "2"
    path, _ = dup(bad)
    assert main(["ingest", "--wave", "e", "--source", str(path)]) == 2
    line = _one_error_line(capsys)
    assert path.name in line and header in line and "row 4" in line


# -- NUL bytes inside a field -------------------------------------------------------------------

MARK = "NULHERE"


def _with_nul(tmp_path, *, far: bool, kind: str = "nettskjema"):
    df = fx.canonical_answers(1)
    if far:  # the NUL lies far beyond the first 64 KiB
        df["eksempel"] = [f"{i} " + "lang tekst " * 400 for i in range(len(df))]
    row = len(df) - 1 if far else 0
    df.at[row, "kommentar"] = f"Før {MARK}og etter"
    if kind == "nettskjema":
        path = fx.write_nettskjema(df, tmp_path / "ns.csv")
        enc = "utf-8"
    else:
        path = fx.write_surveyxact_csv(df, tmp_path / "sx", delimiter="\t", encoding="utf-16")
        enc = "utf-16-le"
    blob = path.read_bytes()
    assert blob.count(MARK.encode(enc)) == 1
    path.write_bytes(blob.replace(MARK.encode(enc), "\x00".encode(enc)))
    if far:
        assert blob.find(MARK.encode(enc)) > 65536
    return path, row


@pytest.mark.parametrize("far", [False, True], ids=["near the start", "far in the file"])
@pytest.mark.parametrize("kind", ["nettskjema", "surveyxact-utf16"])
def test_nul_inside_a_field_is_removed_and_counted_wherever_it_is(tmp_path, far, kind):
    path, row = _with_nul(tmp_path, far=far, kind=kind)
    loaded = read_export(path)
    assert loaded.data.at[row, "kommentar"] == "Før og etter"  # nothing after the NUL is lost
    assert loaded.nul_bytes_removed == 1
    assert any("NUL" in w for w in loaded.warnings)


def test_nul_count_reaches_the_quality_report(project_tmp, tmp_path):
    path, _ = _with_nul(tmp_path, far=False)
    assert main(["ingest", "--wave", "n", "--source", str(path)]) == 0
    q = load_quality("n")
    assert q["nul_bytes_removed"] == 1
    assert any("NUL" in w for w in q["warnings"])
    clean = fx.write_nettskjema(fx.canonical_answers(1), tmp_path / "clean.csv")
    assert main(["ingest", "--wave", "c", "--source", str(clean)]) == 0
    assert load_quality("c")["nul_bytes_removed"] == 0


def test_mostly_nul_is_still_binary(tmp_path):
    p = tmp_path / "zeros.csv"
    p.write_bytes(b'"$submission_id";"utleiertype"\n' + bytes(5000))
    with pytest.raises(InputFileError, match="binary"):
        read_export(p)


@pytest.fixture(scope="module")
def cp1252_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nul")
    path = fx.write_nettskjema(fx.canonical_answers(1), folder / "ns.csv", encoding="cp1252")
    utf8 = fx.write_nettskjema(fx.canonical_answers(1), folder / "ns8.csv", encoding="utf-8")
    return {
        "cp1252": (path.read_bytes(), read_export(path).data),
        "utf-8": (utf8.read_bytes(), read_export(utf8).data),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_nul_anywhere_changes_nothing_but_the_count(tmp_path, cp1252_export, data):
    """Wherever a NUL byte lands (inside a quoted field, between fields, inside a two-byte UTF-8
    letter such as 'ø'), the export reads exactly as without it, and it is counted."""
    enc = data.draw(st.sampled_from(sorted(cp1252_export)))
    blob, want = cp1252_export[enc]
    positions = data.draw(st.lists(st.integers(0, len(blob)), min_size=1, max_size=3))
    damaged = bytearray(blob)
    for pos in sorted(positions, reverse=True):
        damaged[pos:pos] = b"\x00"
    p = tmp_path / f"nul-{enc}.csv"
    p.write_bytes(bytes(damaged))
    got = read_export(p)
    pd.testing.assert_frame_equal(got.data, want)
    assert got.nul_bytes_removed == len(positions) and got.encoding == enc


codes = st.one_of(st.none(), st.sampled_from(["1", "2", "3", "9"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(codes, codes, codes), min_size=1, max_size=30))
def test_merge_rule_of_repeated_headers(rows):
    """Against the rule computed row by row: each row takes the one answer its copies hold;
    two different answers in a row are refused, naming the first such row."""
    cols = list(zip(*rows, strict=True))
    copies = {COL: [(i + 2, "komp.mote", pd.Series(c, dtype=object)) for i, c in enumerate(cols)]}
    conflict = next(
        (i + 1 for i, r in enumerate(rows) if len({v for v in r if v is not None}) > 1), None
    )
    notes = Notes()
    if conflict is not None:
        with pytest.raises(InputFileError) as info:
            merge_repeated(copies, path="x.csv", notes=notes)
        assert info.value.row == conflict and info.value.column == "komp.mote"
        return
    merged = merge_repeated(copies, path="x.csv", notes=notes)[COL]
    assert merged.tolist() == [next((v for v in r if v is not None), None) for r in rows]
    assert len(notes.warnings) == 1 and "3 times" in notes.warnings[0]
