"""Loaders: every format and encoding gives the same canonical answers; detection; format rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fixtures_exports as fx
from analysis.clean.ingest import process_export
from analysis.errors import InputFileError
from analysis.instrument.codebook import load_codebook
from analysis.io.loaders import detect_format, read_export
from analysis.io.loaders.encoding import decode_bytes, sniff_delimiter
from analysis.io.loaders.forms import UNKNOWN_ANSWER
from analysis.io.loaders.nettskjema import canonical_column, split_header
from analysis.io.loaders.spss import USER_MISSING
from analysis.io.loaders.surveyxact import GATED, companion_files

FORMAT_OF = {
    "nettskjema": "nettskjema",
    "surveyxact": "surveyxact",
    "spss": "spss",
    "forms": "forms",
}
ENCODING_OF = {
    "nettskjema-utf8": "utf-8",
    "nettskjema-bom": "utf-8-sig",
    "nettskjema-cp1252": "cp1252",
    "nettskjema-old-txt": "cp1252",
    "surveyxact-tab-utf16": "utf-16",
    "surveyxact-semicolon-cp1252": "cp1252",
    "surveyxact-comma-utf8": "utf-8",
    "surveyxact-comma-utf16": "utf-16",
    "surveyxact-semicolon-bom": "utf-8-sig",
}


@pytest.fixture(scope="module", params=[1, 2], ids=["v1", "v2"])
def exports(request, tmp_path_factory):
    version = request.param
    folder = tmp_path_factory.mktemp(f"exports_v{version}")
    return version, fx.canonical_answers(version), fx.write_all(folder, version=version)


def _expected_items(canon: pd.DataFrame, version: int) -> pd.DataFrame:
    """What processed data must hold, computed from the canonical answers directly."""
    exp = canon.drop(index=fx.DUPLICATE_ROW - 1).copy()
    exp["kommunenummer"] = exp["kommunenummer"].replace({"301": "0301"})
    for c in ("eksempel", "kommentar"):
        exp[c] = exp[c].map(
            lambda t: (
                t
                if t is None
                else t.replace(fx.PLANTED["email"], "[fjernet: e-post]")
                .replace(fx.PLANTED["phone"], "[fjernet: telefon]")
                .replace(fx.PLANTED["fnr"], "[fjernet: fødselsnummer]")
            )
        )
    return exp[list(load_codebook(version).item_columns)].reset_index(drop=True)


def test_every_format_and_encoding_gives_the_canonical_answers(exports):
    version, canon, paths = exports
    expected = _expected_items(canon, version)
    COMMON_ITEM_COLUMNS = load_codebook(version).item_columns
    processed = {}
    for name, path in paths.items():
        loaded = read_export(path, version=version)
        assert loaded.format == FORMAT_OF[name.split("-")[0]], name
        responses, quarantine, q = process_export(loaded, wave="w", frame=None)
        assert q["rows_read"] == fx.N_ROWS and q["rows_kept"] == fx.N_ROWS - 1, name
        assert quarantine["reason"].tolist() == [
            f"duplicate of submission {fx.SYSTEM_IDS[fx.DUPLICATE_OF - 1]}"
        ], name
        got = (
            responses[list(COMMON_ITEM_COLUMNS)]
            .astype(object)
            .where(responses[list(COMMON_ITEM_COLUMNS)].notna(), None)
        )
        want = expected.astype(object).where(expected.notna(), None)
        for c in COMMON_ITEM_COLUMNS:
            g = [None if v is None else (v if isinstance(v, str) else int(v)) for v in got[c]]
            w = [None if v is None else (v if isinstance(v, str) else int(v)) for v in want[c]]
            assert g == w, f"{name}: column {c}"
        processed[name] = responses[list(COMMON_ITEM_COLUMNS)]
    ref = processed.pop("nettskjema-utf8")
    for name, items in processed.items():
        pd.testing.assert_frame_equal(items, ref, obj=name)


def test_format_and_encoding_are_detected(exports):
    _, _, paths = exports
    for name, path in paths.items():
        fmt, enc = detect_format(path)
        assert fmt == FORMAT_OF[name.split("-")[0]], name
        if name in ENCODING_OF:
            assert enc == ENCODING_OF[name], name
    assert read_export(paths["spss"]).encoding == "UTF-8"


def test_version_is_inferred_and_said(exports):
    version, _, paths = exports
    for name in ("nettskjema-utf8", "spss", "surveyxact-xlsx", "forms-xlsx"):
        loaded = read_export(paths[name])
        assert loaded.version == version, name
        assert loaded.version_how.startswith(
            "inferred" if (version == 2 or name != "forms-xlsx") else "assumed"
        )
    if version == 1:  # Forms v1 has no telling header: version 1 assumed, with a note
        assert "pass --instrument 2" in read_export(paths["forms-xlsx"]).version_how


def test_contradicting_instrument_version_is_an_error(exports):
    version, _, paths = exports
    with pytest.raises(
        InputFileError, match="instrument version|version 1 was given|version 2 was given"
    ):
        read_export(paths["nettskjema-utf8"], version=3 - version)


def test_version_2_harmonised(tmp_path):
    canon = fx.canonical_answers(2)
    loaded = read_export(fx.write_spss(canon, tmp_path / "v2.sav", version=2))
    assert loaded.version == 2
    assert "behov_organisering" not in loaded.data and "behov_beboerrad" in loaded.data
    assert loaded.data["komp_digitalt"].notna().any()
    assert set(loaded.data["utleiertype"].dropna()) <= {1, 2, 4, 5}


# -- Nettskjema ---------------------------------------------------------------------------------


def test_nettskjema_headers_split_on_first_dot_only():
    cb = load_codebook(1)
    assert split_header("komp.na_alle") == ("komp", "na_alle")
    assert split_header("a.b.c") == ("a", "b.c")
    assert canonical_column("komp.na_alle", cb) == "komp_na_alle"
    assert canonical_column("komp.na.alle", cb) is None  # an rsplit would make it komp.na / alle
    assert canonical_column("behov_viktigst", cb) == "behov_viktigst"
    assert canonical_column("behov.organisering", cb) is None  # version 2's name
    assert canonical_column("behov.organisering", load_codebook(2)) == "behov_beboerrad"


def test_old_nettskjema_layout_reads_norwegian_system_columns(exports):
    _, _, paths = exports
    loaded = read_export(paths["nettskjema-old-txt"])
    assert loaded.submission_id.tolist() == fx.SYSTEM_IDS
    assert loaded.created.iloc[0] == pd.Timestamp("2022-10-01 08:00")
    assert loaded.created.notna().all()
    assert "Beboermøte på Ærøy – åpent for alle" in loaded.data["kommentar"].tolist()


def test_unknown_columns_warned_and_ignored(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(
        '"$submission_id";"utleiertype";"foo";"komp.bar"\n"1";"1";"x";"3"\n', encoding="utf-8"
    )
    loaded = read_export(p)
    assert any("'foo'" in w and "'komp.bar'" in w for w in loaded.warnings)
    assert "foo" not in loaded.data


def test_text_in_a_coded_column_is_set_missing_and_counted(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text(
        '"$submission_id";"utleiertype";"komp.mote"\n"1";"1";"mye"\n"2";"2";" 4 "\n',
        encoding="utf-8",
    )
    loaded = read_export(p)
    assert loaded.data["komp_mote"].tolist()[1] == 4
    assert np.isnan(loaded.data["komp_mote"].iloc[0])
    assert loaded.set_missing == {"not a code": {"komp_mote": 1}}


# -- SurveyXact ---------------------------------------------------------------------------------


def test_surveyxact_checkboxes_gated_on_status(exports):
    version, _, paths = exports
    loaded = read_export(paths["surveyxact-semicolon-cp1252"])
    cb = load_codebook(version)
    boxes = [c for q in cb.questions.values() if q.type == "checkbox" for c in q.columns]
    assert loaded.data.loc[fx.GATED_ROW - 1, boxes].isna().all()
    assert loaded.data.loc[fx.GATED_ROW - 1, "utleiertype"] > 0  # only checkboxes are gated
    assert loaded.set_missing[GATED] == dict.fromkeys(boxes, 1)
    # a raw read without gating would have kept the 0s: the fixture really wrote them
    raw = pd.read_csv(paths["surveyxact-semicolon-cp1252"], sep=";", encoding="cp1252", dtype=str)
    assert (
        raw.loc[
            fx.GATED_ROW - 1, [load_codebook(version).source_column(c, "surveyxact") for c in boxes]
        ]
        == "0"
    ).all()


def test_surveyxact_companion_convention(tmp_path):
    for name in ("Bolig 2024.csv", "Bolig 2024_structure.csv", "bolig 2024_LABELS.csv"):
        (tmp_path / name).write_text("x")
    s, lab = companion_files(tmp_path / "Bolig 2024.csv")
    assert (s.name, lab.name) == ("Bolig 2024_structure.csv", "bolig 2024_LABELS.csv")
    (tmp_path / "only.csv").write_text("x")
    (tmp_path / "Bolig 2024_labels.csv").unlink(missing_ok=True)
    with pytest.raises(InputFileError, match="structure file not found"):
        companion_files(tmp_path / "other_dataset.csv")


def test_surveyxact_missing_labels_file_is_an_error(exports, tmp_path):
    version, canon, _ = exports
    ds = fx.write_surveyxact_csv(canon, tmp_path / "sx", version=version)
    (tmp_path / "sx" / "wave_labels.csv").unlink()
    with pytest.raises(InputFileError, match="labels file not found"):
        read_export(ds, fmt="surveyxact")


# -- SPSS ---------------------------------------------------------------------------------------


def test_spss_user_missing_apart_from_dont_know(tmp_path):
    canon = fx.canonical_answers(1)
    p = fx.write_spss(canon, tmp_path / "a.sav", missing_rows=(7, 9))
    loaded = read_export(p)
    blanks = (
        canon.iloc[[6, 8]].drop(columns=["kommunenummer", "eksempel", "kommentar"]).isna().sum()
    )
    expected = {c: int(n) for c, n in blanks.items() if n}
    assert loaded.set_missing[USER_MISSING] == expected
    coded = [c for c in canon if c not in ("kommunenummer", "eksempel", "kommentar")]
    assert (loaded.data[coded] == 9).sum().sum() == (canon[coded] == 9).sum().sum() > 0
    assert (loaded.data[coded] < 0).sum().sum() == 0


def test_spss_niva_zero_is_valid_unless_declared(tmp_path):
    canon = fx.canonical_answers(1)
    niva = [c for c in canon if c.startswith("niva_")]
    assert (canon.loc[0, niva] == 0).all()
    plain = read_export(fx.write_spss(canon, tmp_path / "a.sav"))
    assert (plain.data.loc[0, niva] == 0).all()
    declared = read_export(
        fx.write_spss(canon, tmp_path / "b.sav", user_missing=None, declare={c: [0] for c in niva})
    )
    assert declared.data.loc[0, niva].isna().all()
    zeros = int((canon[niva] == 0).sum().sum())
    assert sum(declared.set_missing[USER_MISSING].values()) == zeros


# -- Microsoft Forms ----------------------------------------------------------------------------


def test_forms_personal_columns_dropped_unread(exports):
    _, _, paths = exports
    for name in ("forms-xlsx", "forms-xlsx-nb"):
        loaded = read_export(paths[name])
        dump = loaded.data.to_csv() + loaded.submission_id.to_csv() + repr(loaded.warnings)
        assert fx.PLANTED["forms_email"] not in dump and fx.PLANTED["forms_name"] not in dump
        assert len(loaded.dropped_columns) == 2


def test_forms_empty_checkbox_is_unanswered_and_unknown_text_counted(tmp_path):
    import openpyxl

    cb = load_codebook(1)
    q = cb.question("format")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            cb.source_column("utleiertype", "forms"),
            q.text("nb"),
            cb.source_column("rolle", "forms"),
        ]
    )
    ws.append([1, None, None, "a@b.no", "A", "Ideell utleier", "Kurs;Nettverk;", "Leder"])
    ws.append([2, None, None, "c@d.no", "C", "Bydel", None, "Sjef"])
    ws.append([3, None, None, None, None, "kommersiell utleier ", "Seminar;Podkast", None])
    wb.save(tmp_path / "f.xlsx")
    loaded = read_export(tmp_path / "f.xlsx")
    d = loaded.data
    assert d["utleiertype"].tolist() == [4, 2, 5]
    assert d.loc[0, list(q.columns)].tolist() == [0, 1, 1, 0, 0]
    assert d.loc[1, list(q.columns)].isna().all()
    assert d.loc[2, list(q.columns)].tolist() == [1, 0, 0, 0, 0]
    assert loaded.set_missing[UNKNOWN_ANSWER] == {"format": 1, "rolle": 1}
    assert np.isnan(d.loc[1, "rolle"])


# -- encodings and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "enc", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_decode_detects_encodings(enc):
    text = "NR\tOpprettet\tkommentar\n1\t01.10.2022 08:00\tBomiljø på Ærøy – «bra»\n"
    raw = text.encode(enc)
    got, name = decode_bytes(raw)
    assert got == text
    assert name == {"utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(enc, enc)


def test_decode_rejects_binary():
    with pytest.raises(InputFileError, match="binary"):
        decode_bytes(bytes(range(256)) * 4)


def test_sniff_delimiter_ignores_quoted():
    assert sniff_delimiter('"a,b,c";"d"') == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a,b") == ","


def test_spss_reader_crash_becomes_an_input_error(tmp_path, monkeypatch):
    """ReadStat segfaults on some damaged .sav files (found by fuzzing); the forked reader turns
    that into one clear error instead of killing the process."""
    import os
    import signal

    from analysis.io.loaders import spss

    p = fx.write_spss(fx.canonical_answers(1), tmp_path / "a.sav")
    monkeypatch.setattr(spss, "_read_sav", lambda path: os.kill(os.getpid(), signal.SIGSEGV))
    with pytest.raises(InputFileError, match="SPSS reader crashed"):
        read_export(p)
