"""Scores: hand-computed rows for every rule and boundary, and a property test against a
plain per-row reference implementation written from the spec text (instrument.md, "Scores")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.instrument.codebook import load_codebook
from analysis.stats.scoring import add_scores, score_items, score_responses

COMMON_ITEM_COLUMNS = load_codebook(2).item_columns
SCORE_COLUMNS = load_codebook(1).score_columns

KOMP = [c for c in COMMON_ITEM_COLUMNS if c.startswith("komp_") and c != "komp_digitalt"]
HOLD = [c for c in COMMON_ITEM_COLUMNS if c.startswith("hold_")]
NIVA = [c for c in COMMON_ITEM_COLUMNS if c.startswith("niva_")]
FORUT = [c for c in COMMON_ITEM_COLUMNS if c.startswith("forut_")]
FORMER = [c for c in COMMON_ITEM_COLUMNS if c.startswith("former_")]
ITEMS = KOMP + ["komp_digitalt"] + HOLD + NIVA + FORUT + FORMER


def frame(rows: list[dict]) -> pd.DataFrame:
    """Processed-data-like frame: Int8 items, NA where a row does not set a value."""
    df = pd.DataFrame([{c: r.get(c, pd.NA) for c in ITEMS} for r in rows])
    return df.astype("Int8")


def one(**kw) -> pd.Series:
    return score_responses(frame([kw])).iloc[0]


def isna(v) -> bool:
    return v is pd.NA or (isinstance(v, float) and math.isnan(v))


# ---------------------------------------------------------------------------- items


def test_score_items_follow_the_spec():
    assert score_items("kompetanse") == tuple(KOMP)
    assert len(KOMP) == 7
    assert "komp_digitalt" not in score_items("kompetanse", version=2)
    assert score_items("holdning") == tuple(HOLD)
    assert score_items("niva_maks") == score_items("niva") == tuple(NIVA)
    assert score_items("forutsetninger") == tuple(FORUT)
    assert score_items("bredde") == tuple(c for c in FORMER if c != "former_ingen")
    assert len(score_items("bredde")) == 7
    with pytest.raises(ValueError, match="unknown score"):
        score_items("nope")


# ---------------------------------------------------------------------------- kompetanse


def test_kompetanse_exactly_4_of_7_substantive_is_enough():
    # answers 2, 3, 4, 5 and three 9s: m = 14/4 = 3.5 -> (3.5 - 1)/4*100 = 62.5
    r = one(**dict(zip(KOMP, [2, 3, 4, 5, 9, 9, 9], strict=True)))
    assert r["kompetanse"] == pytest.approx(62.5)


def test_kompetanse_3_of_7_is_missing():
    r = one(**dict(zip(KOMP, [5, 5, 5, 9, 9, 9], strict=False)))  # the 7th is blank
    assert isna(r["kompetanse"])


def test_kompetanse_blanks_and_9s_count_alike_as_non_substantive():
    # 4 substantive (1, 1, 1, 2), one 9, two blank: m = 5/4 = 1.25 -> 6.25
    r = one(**dict(zip(KOMP, [1, 1, 9, 1, 2], strict=False)))
    assert r["kompetanse"] == pytest.approx(6.25)


def test_kompetanse_ignores_komp_digitalt():
    base = dict(zip(KOMP, [3] * 7, strict=True))
    a = one(**base)["kompetanse"]
    b = one(**base, komp_digitalt=5)["kompetanse"]
    assert a == b == pytest.approx(50.0)
    # digitalt alone cannot lift 3 substantive answers to the minimum of 4
    r = one(**dict(zip(KOMP[:3], [5, 5, 5], strict=True)), komp_digitalt=5)
    assert isna(r["kompetanse"])


def test_kompetanse_extremes():
    assert one(**dict.fromkeys(KOMP, 1))["kompetanse"] == 0.0
    assert one(**dict.fromkeys(KOMP, 5))["kompetanse"] == 100.0


# ---------------------------------------------------------------------------- holdning


def test_holdning_reverses_tidsbruk():
    # endrer 5, informerer 5, verdi 5, tidsbruk 1 -> reversed 5: m = 5 -> 100
    r = one(hold_endrer=5, hold_informerer=5, hold_verdi=5, hold_tidsbruk=1)
    assert r["holdning"] == pytest.approx(100.0)
    # tidsbruk 5 -> reversed 1: m = (5+5+5+1)/4 = 4 -> 75
    r = one(hold_endrer=5, hold_informerer=5, hold_verdi=5, hold_tidsbruk=5)
    assert r["holdning"] == pytest.approx(75.0)


def test_holdning_3_of_4_boundary():
    # 3 substantive: 4, 2, tidsbruk 2 -> 4: m = 10/3 -> (10/3 - 1)/4*100 = 58.333...
    r = one(hold_endrer=4, hold_informerer=2, hold_verdi=9, hold_tidsbruk=2)
    assert r["holdning"] == pytest.approx((10 / 3 - 1) / 4 * 100)
    r = one(hold_endrer=4, hold_informerer=9, hold_verdi=9, hold_tidsbruk=2)
    assert isna(r["holdning"])


def test_holdning_9_in_tidsbruk_is_not_reversed_into_a_value():
    # a reversed 9 would be -3; it must simply be excluded: m = (2 + 3 + 4)/3 = 3 -> 50
    r = one(hold_endrer=2, hold_informerer=3, hold_verdi=4, hold_tidsbruk=9)
    assert r["holdning"] == pytest.approx(50.0)


# ---------------------------------------------------------------------------- niva


def test_niva_mean_rung_and_max():
    # rungs 0, 1, 5 applicable, two 9 -> mean 2, max 5
    r = one(**dict(zip(NIVA, [0, 1, 5, 9, 9], strict=True)))
    assert r["niva"] == pytest.approx(2.0)
    assert r["niva_maks"] == 5


def test_niva_needs_3_of_5_but_niva_maks_does_not():
    r = one(**dict(zip(NIVA, [4, 2, 9, 9], strict=False)))
    assert isna(r["niva"])
    assert r["niva_maks"] == 4


def test_niva_maks_missing_when_nothing_applicable_and_zero_is_a_rung():
    assert isna(one(**dict.fromkeys(NIVA, 9))["niva_maks"])
    r = one(**dict.fromkeys(NIVA, 0))
    assert r["niva"] == 0.0 and r["niva_maks"] == 0


# ---------------------------------------------------------------------------- forutsetninger


def test_forutsetninger_counts_ja():
    r = one(**dict(zip(FORUT, [1, 2, 1, 9, 1], strict=True)))
    assert r["forutsetninger"] == 3


def test_forutsetninger_missing_with_3_vet_ikke_or_blank():
    # two 9s: still scored (Ja count 1)
    assert one(**dict(zip(FORUT, [1, 2, 2, 9, 9], strict=True)))["forutsetninger"] == 1
    # three 9s -> NA
    assert isna(one(**dict(zip(FORUT, [1, 1, 9, 9, 9], strict=True)))["forutsetninger"])
    # two 9s and one blank -> NA
    assert isna(one(**dict(zip(FORUT, [1, 1, 9, 9], strict=False)))["forutsetninger"])
    # all Nei -> 0, not NA
    assert one(**dict.fromkeys(FORUT, 2))["forutsetninger"] == 0


# ---------------------------------------------------------------------------- bredde


def test_bredde_counts_forms_without_ingen():
    row = dict.fromkeys(FORMER, 0)
    row.update(former_beboermote=1, former_tilskudd=1, former_ingen=1)
    assert one(**row)["bredde"] == 2
    assert one(**dict.fromkeys(FORMER, 1))["bredde"] == 7
    assert one(**dict.fromkeys(FORMER, 0))["bredde"] == 0


def test_bredde_missing_only_when_unanswered():
    assert isna(one()["bredde"])
    only_ingen = dict.fromkeys(FORMER, pd.NA)
    only_ingen["former_ingen"] = 1
    assert one(**only_ingen)["bredde"] == 0


# ---------------------------------------------------------------------------- contract


def test_output_shape_dtypes_and_index():
    df = frame([{}, dict.fromkeys(KOMP, 3)])
    df.index = pd.Index([10, 20], name="rid")
    out = score_responses(df)
    assert list(out.columns) == list(SCORE_COLUMNS)
    assert out.index.equals(df.index)
    assert [str(t) for t in out.dtypes] == ["Float64"] * 3 + ["Int64"] * 3


def test_out_of_range_code_raises_naming_the_column():
    df = frame([dict.fromkeys(KOMP, 3)])
    df.loc[0, "komp_mote"] = 7
    with pytest.raises(ValueError, match="komp_mote"):
        score_responses(df)


def test_missing_column_raises():
    with pytest.raises(ValueError, match="missing"):
        score_responses(frame([{}]).drop(columns=["hold_verdi"]))


def test_add_scores_replaces_existing_scores():
    df = frame([dict.fromkeys(KOMP, 5)])
    once = add_scores(df)
    twice = add_scores(once)
    assert list(twice.columns) == list(once.columns)
    assert twice["kompetanse"].iloc[0] == 100.0


def test_version_2_gives_the_same_scores():
    rng = np.random.default_rng(3)
    df = random_frame(rng, 200)
    pd.testing.assert_frame_equal(score_responses(df, version=1), score_responses(df, version=2))


# ---------------------------------------------------------------------------- reference


def reference_scores(row: dict) -> dict:
    """One row, straight from the spec text, with plain Python."""

    def val(c):
        v = row.get(c)
        return (
            None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else int(v)
        )

    out = {}
    subst = [val(c) for c in KOMP if val(c) not in (None, 9)]
    out["kompetanse"] = (sum(subst) / len(subst) - 1) / 4 * 100 if len(subst) >= 4 else None
    hold = []
    for c in HOLD:
        v = val(c)
        if v in (None, 9):
            continue
        hold.append(6 - v if c == "hold_tidsbruk" else v)
    out["holdning"] = (sum(hold) / len(hold) - 1) / 4 * 100 if len(hold) >= 3 else None
    rungs = [val(c) for c in NIVA if val(c) not in (None, 9)]
    out["niva"] = sum(rungs) / len(rungs) if len(rungs) >= 3 else None
    out["niva_maks"] = max(rungs) if rungs else None
    forut = [val(c) for c in FORUT]
    bad = sum(v in (None, 9) for v in forut)
    out["forutsetninger"] = None if bad >= 3 else sum(v == 1 for v in forut)
    former = [val(c) for c in FORMER]
    if all(v is None for v in former):
        out["bredde"] = None
    else:
        out["bredde"] = sum(val(c) == 1 for c in FORMER if c != "former_ingen")
    return out


def random_frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    cols = {}
    for c in KOMP + ["komp_digitalt"] + HOLD:
        cols[c] = rng.choice([1, 2, 3, 4, 5, 9, -1], size=n)
    for c in NIVA:
        cols[c] = rng.choice([0, 1, 2, 3, 4, 5, 9, -1], size=n)
    for c in FORUT:
        cols[c] = rng.choice([1, 2, 9, -1], size=n)
    answered = rng.random(n) < 0.8
    for c in FORMER:
        cols[c] = np.where(answered, rng.integers(0, 2, n), -1)
    df = pd.DataFrame(cols).astype("Int8")
    return df.mask(df == -1)


row_values = {
    **{c: st.sampled_from([None, 1, 2, 3, 4, 5, 9]) for c in KOMP + ["komp_digitalt"] + HOLD},
    **{c: st.sampled_from([None, 0, 1, 2, 3, 4, 5, 9]) for c in NIVA},
    **{c: st.sampled_from([None, 1, 2, 9]) for c in FORUT},
}


@st.composite
def rows(draw):
    r = {c: draw(s) for c, s in row_values.items()}
    if draw(st.booleans()):
        r.update({c: draw(st.sampled_from([0, 1])) for c in FORMER})
    return r


@settings(max_examples=60, deadline=None)
@given(st.lists(rows(), min_size=1, max_size=25))
def test_vectorised_equals_reference(data):
    df = frame([{k: (pd.NA if v is None else v) for k, v in r.items()} for r in data])
    got = score_responses(df)
    for i, r in enumerate(data):
        want = reference_scores(r)
        for c in SCORE_COLUMNS:
            g = got[c].iloc[i]
            if want[c] is None:
                assert isna(g), (c, r)
            else:
                assert not isna(g), (c, r)
                assert float(g) == pytest.approx(want[c], abs=1e-12), (c, r)


def test_random_block_equals_reference():
    rng = np.random.default_rng(20221115)
    df = random_frame(rng, 2000)
    got = score_responses(df)
    for i in range(len(df)):
        want = reference_scores(df.iloc[i].to_dict())
        for c in SCORE_COLUMNS:
            g = got[c].iloc[i]
            assert (isna(g) and want[c] is None) or float(g) == pytest.approx(want[c], abs=1e-12)
