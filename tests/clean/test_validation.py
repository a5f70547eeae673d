"""Validation rules (analysis.clean.validation), each against an independent computation."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.validation import (
    coded_columns,
    duplicate_of,
    flags,
    item_schema,
    out_of_range,
    processed_schema,
    repair_kommunenummer,
)
from analysis.instrument.codebook import load_codebook


def test_coded_columns_follow_the_codebook():
    cb = load_codebook(1)
    codes = coded_columns(cb)
    assert codes["niva_tildeling"] == (0, 1, 2, 3, 4, 5, 9)
    assert codes["komp_mote"] == (1, 2, 3, 4, 5, 9)
    assert codes["former_ingen"] == (0, 1)
    assert codes["behov_viktigst"] == tuple(range(1, 9))
    assert "eksempel" not in codes and "kommunenummer" not in codes
    assert set(coded_columns(load_codebook(2))["utleiertype"]) == {1, 2, 4, 5}
    assert "komp_mote" in item_schema(cb, ["komp_mote", "eksempel"]).columns


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([np.nan, -1, 0, 1, 2, 3, 5, 7, 9, 2.5]),
            st.sampled_from([np.nan, 0, 1, 2, 9]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_out_of_range_matches_a_direct_check(cells):
    cb = load_codebook(1)
    df = pd.DataFrame(cells, columns=["niva_vedlikehold", "former_ingen"], dtype=float)
    got = out_of_range(df, cb)
    want = set()
    for col, valid in (("niva_vedlikehold", {0, 1, 2, 3, 4, 5, 9}), ("former_ingen", {0, 1})):
        for i, v in df[col].items():
            if not np.isnan(v) and v not in valid:
                want.add((col, i))
    assert set(zip(got["column"], got["index"], strict=True)) == want


@pytest.mark.parametrize(
    "raw, expected, kind",
    [
        ("301", "0301", "leading zero restored"),
        ("0301 Oslo", "0301", "name removed"),
        ("301 Oslo", "0301", None),
        ("1103", "1103", None),
        (" 4601 ", "4601", None),
        ("301.0", "0301", "leading zero restored"),
        ("Oslo", None, "not a municipality number"),
        ("12", None, "not a municipality number"),
        ("12345", None, "not a municipality number"),
        ("", None, None),
        (None, None, None),
        (np.nan, None, None),
    ],
)
def test_repair_kommunenummer(raw, expected, kind):
    out, counts = repair_kommunenummer(pd.Series([raw], dtype=object))
    assert out.iloc[0] == expected
    if kind:
        assert counts[kind] == 1
    if raw in ("", None) or (isinstance(raw, float)):
        assert not counts


def test_repair_counts_both_kinds():
    out, counts = repair_kommunenummer(pd.Series(["301 Oslo", "5001", "301"]))
    assert out.tolist() == ["0301", "5001", "0301"]
    assert counts == Counter({"leading zero restored": 2, "name removed": 1})


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([np.nan, 1.0, 2.0]), st.sampled_from([None, "a", "b"])),
        max_size=25,
    )
)
def test_duplicate_of_matches_a_quadratic_scan(rows):
    items = pd.DataFrame(rows, columns=["komp_mote", "kommentar"]).astype(
        {"komp_mote": float, "kommentar": object}
    )
    ids = pd.Series([f"s{i}" for i in range(len(rows))])
    got = duplicate_of(items, ids).tolist()

    def same(a, b):
        return all(
            (x is None and y is None)
            or (isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y))
            or x == y
            for x, y in zip(a, b, strict=True)
        )

    want = []
    for i, r in enumerate(rows):
        first = next((j for j in range(i) if same(rows[j], r)), None)
        want.append(None if first is None else f"s{first}")
    assert got == want
    # every hash colliding: the value-by-value comparison alone must give the same answer
    real = pd.util.hash_pandas_object
    try:
        pd.util.hash_pandas_object = lambda obj, index=False: pd.Series(
            np.zeros(len(obj), dtype=np.uint64)
        )
        assert duplicate_of(items, ids).tolist() == want
    finally:
        pd.util.hash_pandas_object = real


def test_flags():
    cb = load_codebook(1)
    df = pd.DataFrame(
        {c: [0.0] * 4 for c in cb.question("former").columns + cb.question("barrierer").columns}
    )
    df.loc[0, ["former_ingen", "former_beboermote"]] = 1  # conflict
    df.loc[1, "former_ingen"] = 1  # ingen alone: fine
    df.loc[2, ["barrierer_tid", "barrierer_sprak", "barrierer_annet", "barrierer_metoder"]] = (
        1  # 4 > 3
    )
    df.loc[3, ["barrierer_tid", "barrierer_sprak", "barrierer_annet"]] = 1  # 3: fine
    f = flags(df, cb)
    assert f["flag_ingen_conflict"].tolist() == [True, False, False, False]
    assert f["flag_barrierer_over_max"].tolist() == [False, False, True, False]


def test_processed_schema_rejects_a_bad_frame():
    import pandera.pandas as pa

    schema = processed_schema(load_codebook(1))
    assert list(schema.columns)[:5] == [
        "response_id",
        "wave",
        "instrument_version",
        "source_row",
        "submission_id",
    ]
    with pytest.raises(pa.errors.SchemaError):
        schema.validate(pd.DataFrame({"response_id": ["a"]}))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["301", "0301", "0301 Oslo", " 4601 ", "Oslo", "12", "301.0", "", None]),
        max_size=40,
    )
)
def test_repair_kommunenummer_on_distinct_values_equals_cell_by_cell(cells):
    # repaired once per distinct value and spread back: same values and counts as one cell at a time
    from analysis.clean.validation import _repair_each

    out, counts = repair_kommunenummer(pd.Series(cells, dtype=object))
    want_counts: Counter = Counter()
    for got, cell in zip(out.tolist(), cells, strict=True):
        one, c = repair_kommunenummer(pd.Series([cell], dtype=object))
        assert got == one.iloc[0]
        want_counts += c
    assert counts == want_counts
    slow, masks = _repair_each(pd.Series(cells, dtype=object))
    assert out.tolist() == slow.tolist()
    assert counts == Counter({k: int(m.sum()) for k, m in masks.items() if m.sum()})


@pytest.mark.parametrize(
    "values",
    [
        ["a", None, "b"],
        ["a", np.nan],
        [None, None],
        [],
        ["a", 3],
        [1.5, "x"],
        ["a", pd.NA, pd.NaT],
        [b"a", "b"],
    ],
)
@pytest.mark.parametrize("dtype", [object, "string"])
def test_fast_str_type_decides_as_pandera_str(values, dtype):
    # the schema's str type (vectorised fast path) accepts and rejects exactly what pandera's
    # built-in str does, and names the same failing values
    import pandera.pandas as pa

    from analysis.clean.validation import STR

    try:
        df = pd.DataFrame({"a": pd.Series(values, dtype=dtype)})
    except (TypeError, ValueError):
        pytest.skip("not representable in this dtype")

    def outcome(t):
        try:
            pa.DataFrameSchema({"a": pa.Column(t, nullable=True)}).validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            return sorted(map(repr, exc.failure_cases["failure_case"]))
        return "valid"

    assert outcome(STR) == outcome(str)
