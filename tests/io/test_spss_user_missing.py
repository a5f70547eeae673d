"""SPSS files that declare 9 "vet ikke" user-missing keep every "vet ikke" (issue 11, item 3).

Many SPSS users declare 9 as user-missing. The instrument knows 9 as an answer
(``non_substantive_codes``): such a declared code stays 9; only the other declared codes
(here 99 "not answered") become missing, and they are counted.
"""

from __future__ import annotations

import numpy as np
import pyreadstat

import fixtures_exports as fx
from analysis.clean.ingest import process_export
from analysis.instrument.codebook import load_codebook
from analysis.io.loaders import read_export
from analysis.io.loaders.spss import USER_MISSING

TEXT = ("kommunenummer", "eksempel", "kommentar")


def write_declaring_nine(tmp_path, version: int = 1):
    canon = fx.canonical_answers(version)
    cb = load_codebook(version)
    coded = [c for c in cb.item_columns if cb.locate(c)[0].type != "text"]
    declare = {cb.source_column(c, "spss"): [9, 99] for c in coded}
    path = fx.write_spss(
        canon,
        tmp_path / "nine.sav",
        version=version,
        user_missing=99,
        missing_rows=(7, 9),
        declare=declare,
    )
    return canon, path


def test_declared_nine_stays_vet_ikke_and_99_is_missing(tmp_path):
    canon, path = write_declaring_nine(tmp_path)
    # the file really declares 9 and 99 for the items, and holds both codes
    _, meta = pyreadstat.read_sav(str(path), user_missing=True, metadataonly=True)
    assert {r["lo"] for r in meta.missing_ranges["komp_mote"]} == {9.0, 99.0}
    raw, _ = pyreadstat.read_sav(str(path), user_missing=True)
    assert (raw.drop(columns=["ID"]).apply(lambda s: (s == 99).sum())).sum() > 0

    loaded = read_export(path)
    coded = [c for c in canon if c not in TEXT]
    n_nine = int((canon[coded] == 9).sum().sum())
    assert n_nine > 0
    # every "vet ikke" survives, in the same cells
    assert (loaded.data[coded] == 9).sum().sum() == n_nine
    np.testing.assert_array_equal(
        (loaded.data[coded] == 9).to_numpy(), (canon[coded] == 9).fillna(False).to_numpy()
    )
    # the 99s (blank cells of rows 7 and 9) are missing and counted per column
    blanks = canon.iloc[[6, 8]].drop(columns=list(TEXT)).isna().sum()
    expected = {c: int(n) for c, n in blanks.items() if n}
    assert loaded.set_missing[USER_MISSING] == expected
    assert (loaded.data[coded] == 99).sum().sum() == 0
    # the overridden declaration is reported, with its count
    kept = [w for w in loaded.warnings if "declared user-missing" in w]
    assert len(kept) == 1 and f"{n_nine} value(s)" in kept[0]


def test_declared_nine_counts_reach_quality(tmp_path):
    canon, path = write_declaring_nine(tmp_path)
    loaded = read_export(path)
    responses, quarantine, quality = process_export(loaded, wave="t", frame=None)
    assert len(responses) + len(quarantine) == len(canon)
    kept_rows = responses["source_row"].astype(int).to_numpy() - 1
    n_nine = int((canon["komp_mote"].iloc[kept_rows] == 9).sum())
    assert n_nine > 0 and (responses["komp_mote"] == 9).sum() == n_nine
    user_missing = [s for s in quality["set_missing"] if s["reason"] == USER_MISSING]
    assert sum(s["count"] for s in user_missing) == int(
        canon.iloc[[6, 8]].drop(columns=list(TEXT)).isna().sum().sum()
    )
    assert any("declared user-missing" in w for w in quality["warnings"])


def test_declared_nine_is_missing_where_it_is_no_answer(tmp_path):
    # a checkbox option (codes 0/1, no "vet ikke") with 9 declared: 9 is no answer there
    canon = fx.canonical_answers(1)
    col = "malgrupper_eldre"
    assert 9 not in load_codebook(1).locate(col)[0].codes
    canon[col] = canon[col].astype("float64")
    canon.loc[2, col] = 9
    p = fx.write_spss(canon, tmp_path / "n.sav", user_missing=None, declare={col: [9]})
    loaded = read_export(p)
    assert np.isnan(loaded.data.loc[2, col])
    assert loaded.set_missing[USER_MISSING] == {col: 1}
