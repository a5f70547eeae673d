"""Ingest: validation with quarantine, repairs, privacy, accounting, outputs and the command."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.codebook import COMMON_ITEM_COLUMNS, load_codebook
from analysis.frame import load_frame
from analysis.ingest import process_export
from analysis.validation import processed_schema

FNR = "15108695088"  # valid checksum (tests/test_privacy.py derives it independently)


@dataclass
class FakeExport:
    """Stands in for analysis.loaders.LoadedExport: the rules live in ingest, not the loaders."""

    data: pd.DataFrame
    submission_id: pd.Series
    format: str = "nettskjema"
    encoding: str | None = "utf-8"
    version: int = 1
    version_inferred: bool = False
    warnings: list = field(default_factory=list)
    set_missing: dict = field(default_factory=dict)
    dropped_columns: list = field(default_factory=list)
    source_files: list = field(default_factory=list)


def _row(**kw):
    base = dict.fromkeys(load_codebook(1).item_columns, np.nan)
    base.update({"utleiertype": 1, "kommunenummer": "1103", "komp_mote": 4, "komp_planlegge": 3,
                 "former_beboermote": 1, "former_ingen": 0, "eksempel": None, "kommentar": None})
    base.update(kw)
    return base


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    p = tmp_path_factory.mktemp("frame") / "frame.csv"
    p.write_text("kommunenummer,kommune,fylkesnummer,fylke,population_2022\n"
                 "0301,Hovedby,03,Oslo,700000\n1103,Testvik,11,Rogaland,4000\n", encoding="utf-8")
    return load_frame(p)


def _export(rows, ids=None, **kw):
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c not in ("kommunenummer", "eksempel", "kommentar"):
            df[c] = df[c].astype(float)
    ids = ids or [str(100 + i) for i in range(len(rows))]
    return FakeExport(data=df, submission_id=pd.Series(ids), **kw)


def test_rules_on_a_small_export(frame):
    rows = [
        _row(),                                         # 1 kept
        _row(utleiertype=np.nan),                       # 2 quarantined: utleiertype missing
        _row(utleiertype=7),                            # 3 quarantined: unknown type
        _row(komp_mote=7, komp_planlegge=2),            # 4 out of range -> missing
        _row(komp_planlegge=2),                         # 5 ...
        _row(komp_planlegge=2),                         # 6 duplicate of 5
        _row(kommunenummer="301", utleiertype=5),       # 7 leading zero restored
        _row(kommunenummer="0301 Oslo", utleiertype=4), # 8 name removed
        _row(kommunenummer="9999", komp_mote=1),        # 9 not in frame: flagged, kept
        _row(former_ingen=1, komp_mote=2),              # 10 ingen with another form: flagged
        _row(barrierer_tid=1, barrierer_ressurser=1, barrierer_sprak=1, barrierer_annet=1, komp_mote=3),  # 11
        _row(kommentar=f"ring 91234567, fnr {FNR}, a@b.no", komp_mote=5),  # 12 redacted
        _row(kommentar=f"mail c@d.no {FNR}", utleiertype=np.nan),  # 13 quarantined AND redacted
    ]
    responses, quarantine, q = process_export(_export(rows), wave="t", frame=frame)
    assert (q["rows_read"], q["rows_kept"], q["rows_quarantined"]) == (13, 9, 4)
    assert q["quarantined_by_reason"] == {"duplicate": 1, "utleiertype 7 unknown": 1, "utleiertype missing": 2}
    reasons = dict(zip(quarantine["source_row"], quarantine["reason"], strict=True))
    assert reasons[6] == "duplicate of submission 104"
    assert reasons[3] == "utleiertype 7 unknown"
    assert {"column": "komp_mote", "reason": "out of range", "count": 1} in q["set_missing"]
    r = responses.set_index("source_row")
    assert pd.isna(r.loc[4, "komp_mote"]) and r.loc[4, "komp_planlegge"] == 2
    assert r.loc[7, "kommunenummer"] == "0301" and r.loc[7, "kommune"] == "Hovedby"
    assert r.loc[8, "kommunenummer"] == "0301" and r.loc[8, "fylke"] == "Oslo"
    assert {"column": "kommunenummer", "kind": "leading zero restored", "count": 1} in q["repairs"]
    assert {"column": "kommunenummer", "kind": "name removed", "count": 1} in q["repairs"]
    assert r.loc[9, "flag_kommune_unknown"] and pd.isna(r.loc[9, "kommune"])
    assert r.loc[10, "flag_ingen_conflict"] and r.loc[11, "flag_barrierer_over_max"]
    assert q["flags"] == {"flag_ingen_conflict": 1, "flag_barrierer_over_max": 1, "flag_kommune_unknown": 1}
    assert r.loc[12, "kommentar"] == ("ring [fjernet: telefon], fnr [fjernet: fødselsnummer], "
                                      "[fjernet: e-post]")
    assert q["personal_data_removed"]["national_id"] == 2 and q["personal_data_removed"]["email"] == 2
    everything = responses.to_csv() + quarantine.to_csv() + json.dumps(q)
    for secret in (FNR, "a@b.no", "c@d.no", "91234567"):
        assert secret not in everything
    assert list(r.loc[1, ["utleierkategori", "storrelse"]]) == ["kommunal", "under 5 000"]
    assert list(responses.columns[5:5 + len(COMMON_ITEM_COLUMNS)]) == list(COMMON_ITEM_COLUMNS)
    processed_schema().validate(responses)


def test_version_2_coding(frame):
    rows = [_row(utleiertype=2, komp_digitalt=4), _row(utleiertype=3)]
    responses, quarantine, q = process_export(_export(rows, version=2), wave="t2", frame=frame)
    assert q["quarantined_by_reason"] == {"utleiertype 3 unknown": 1}
    assert responses["utleierkategori"].tolist() == ["kommunal"]
    assert responses["komp_digitalt"].tolist() == [4]


def test_loader_counts_are_carried_into_quality(frame):
    exp = _export([_row()], set_missing={"user-missing (not seen/not answered)": {"komp_mote": 3}},
                  warnings=["unknown column 'x' ignored"], dropped_columns=["Email", "Name"])
    _, _, q = process_export(exp, wave="t", frame=frame)
    assert {"column": "komp_mote", "reason": "user-missing (not seen/not answered)", "count": 3} in q["set_missing"]
    assert q["warnings"] == ["unknown column 'x' ignored"]
    assert q["personal_data_removed"]["columns_dropped"] == ["Email", "Name"]


def test_no_frame_leaves_municipality_empty_and_warns():
    responses, _, q = process_export(_export([_row()]), wave="t", frame=None)
    assert responses["kommune"].isna().all() and responses["storrelse"].isna().all()
    assert any("frame" in w for w in q["warnings"])


codes = st.one_of(st.just(np.nan), st.integers(-2, 12).map(float))
text = st.one_of(st.none(), st.text(max_size=20), st.just("301"), st.just(f"x {FNR}"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(codes, codes, codes, codes, text), min_size=0, max_size=25))
def test_accounting_always_adds_up(frame, rows):
    data = [_row(utleiertype=a, komp_mote=b, former_ingen=c, barrierer_tid=d, kommunenummer=t, kommentar=t)
            for a, b, c, d, t in rows]
    exp = _export(data) if data else FakeExport(data=pd.DataFrame(columns=["utleiertype"]),
                                                submission_id=pd.Series([], dtype=object))
    responses, quarantine, q = process_export(exp, wave="h", frame=frame)
    assert q["rows_read"] == len(rows) == len(responses) + len(quarantine)
    assert q["rows_kept"] == len(responses) and q["rows_quarantined"] == len(quarantine)
    assert sorted(responses["source_row"].tolist() + quarantine["source_row"].tolist()) == list(
        range(1, len(rows) + 1))
    assert FNR not in responses.to_csv() + quarantine.to_csv()
