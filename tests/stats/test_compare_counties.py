"""Comparing waves by county across the 2024 county reform (issue 11, item 19).

Differences are checked against means computed directly with pandas on the respondents of each
comparison unit (an independent computation of what compare_counties must estimate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import InputFileError
from analysis.stats.compare import compare_counties, county_units, read_county_correspondence

COUNTIES_2022 = {
    "11": "Rogaland",
    "30": "Viken",
    "54": "Troms og Finnmark",
    "50": "Trøndelag",
}
COUNTIES_2024 = {
    "11": "Rogaland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "55": "Troms",
    "56": "Finnmark",
    "50": "Trøndelag - Trööndelage",
}
LINKS = "old_fylkesnummer;new_fylkesnummer;old_fylke\n30;31;Viken\n30;32;Viken\n30;33;Viken\n54;55;x\n54;56;x\n50;50;x\n"


def _wave(counties: dict[str, str], version: int, wave: str, seed: int, per: int = 12):
    rng = np.random.default_rng(seed)
    rows = []
    for i, (code, name) in enumerate(counties.items()):
        for j in range(per):
            rows.append(
                {
                    "fylkesnummer": code,
                    "fylke": name,
                    "kommunenummer": f"{code}{j % 4:02d}",
                    "kompetanse": float(rng.normal(50 + 3 * i, 10)),
                }
            )
    df = pd.DataFrame(rows)
    df["instrument_version"] = version
    df["wave"] = wave
    return df


@pytest.fixture
def waves():
    return _wave(COUNTIES_2022, 1, "2022", 1), _wave(COUNTIES_2024, 2, "2024", 2)


def _frame(counties):
    return pd.DataFrame({"fylkesnummer": list(counties), "fylke": list(counties.values())})


def _rows(res):
    r = res[(res["group_var"] == "fylke") & (res["variable"] == "kompetanse")]
    return r.set_index("group")


def test_without_correspondence_only_identical_counties_are_compared(waves):
    a, b = waves
    res = compare_counties(a, b, scores=["kompetanse"], items=[], lang="en")
    r = _rows(res)
    assert r.loc["Rogaland", "comparable"]
    want = (
        b.loc[b.fylke == "Rogaland", "kompetanse"].mean()
        - a.loc[a.fylke == "Rogaland", "kompetanse"].mean()
    )
    assert r.loc["Rogaland", "diff"] == pytest.approx(want, abs=1e-12)
    others = r.drop(index="Rogaland")
    assert not others["comparable"].any()
    assert others["diff"].isna().all() and others["ci_low"].isna().all()
    # same number, other name (Trøndelag) is not comparable either, and never merged
    assert {"Trøndelag [2022]", "Trøndelag - Trööndelage [2024]"} <= set(others.index)
    assert all("correspondence" in n for n in others["note"])
    for g, row in others.iterrows():  # each group has answers from one wave only
        assert pd.isna(row["n_a"]) or pd.isna(row["n_b"]), g


def test_correspondence_compares_split_counties_with_the_sum_of_their_parts(waves, tmp_path):
    a, b = waves
    path = tmp_path / "fylker.csv"
    path.write_text(LINKS, encoding="utf-8")
    links = read_county_correspondence(path)
    res = compare_counties(
        a,
        b,
        frame_a=_frame(COUNTIES_2022),
        frame_b=_frame(COUNTIES_2024),
        correspondence=links,
        scores=["kompetanse"],
        items=[],
        lang="nb",
    )
    r = _rows(res)
    assert set(r.index) == {"Rogaland", "Viken", "Troms og Finnmark", "Trøndelag - Trööndelage"}
    assert r["comparable"].all()
    for unit, old, new in (
        ("Viken", ["30"], ["31", "32", "33"]),
        ("Troms og Finnmark", ["54"], ["55", "56"]),
        ("Trøndelag - Trööndelage", ["50"], ["50"]),
    ):
        ea = a.loc[a.fylkesnummer.isin(old), "kompetanse"]
        eb = b.loc[b.fylkesnummer.isin(new), "kompetanse"]
        assert r.loc[unit, "estimate_a"] == pytest.approx(ea.mean(), abs=1e-12)
        assert r.loc[unit, "estimate_b"] == pytest.approx(eb.mean(), abs=1e-12)
        assert r.loc[unit, "diff"] == pytest.approx(eb.mean() - ea.mean(), abs=1e-12)
        assert int(r.loc[unit, "n_a"]) == len(ea) and int(r.loc[unit, "n_b"]) == len(eb)
    assert "Østfold" in r.loc["Viken", "note"] and "Viken" in r.loc["Viken", "note"]
    assert "Fylkesinndelingen" not in r.loc["Rogaland", "note"]  # identical: no county note
    # the total row is untouched by the county matching
    tot = res[(res["group_var"] == "total") & (res["variable"] == "kompetanse")].iloc[0]
    assert tot["diff"] == pytest.approx(b.kompetanse.mean() - a.kompetanse.mean(), abs=1e-12)


def test_merger_is_compared_under_the_new_name():
    a = pd.DataFrame(
        {"fylkesnummer": ["01", "02", "11"], "fylke": ["Østfold", "Akershus", "Rogaland"]}
    )
    b = pd.DataFrame({"fylkesnummer": ["30", "11"], "fylke": ["Viken", "Rogaland"]})
    links = pd.DataFrame({"old_fylkesnummer": ["01", "02"], "new_fylkesnummer": ["30", "30"]})
    u = county_units(a, b, links, wave_a="2019", wave_b="2020")
    assert u.set_index(["wave", "fylkesnummer"])["unit"].to_dict() == {
        ("2019", "01"): "Viken",
        ("2019", "02"): "Viken",
        ("2019", "11"): "Rogaland",
        ("2020", "30"): "Viken",
        ("2020", "11"): "Rogaland",
    }
    assert u["comparable"].all()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("old,new\n30,31\n", "required column 'old_fylkesnummer' is missing"),
        (
            "old_fylkesnummer,new_fylkesnummer\n30,31\n30,3x\n",
            "row 3, column new_fylkesnummer: county code '3x' is not 2 digits",
        ),
    ],
)
def test_correspondence_file_errors_name_row_and_column(tmp_path, text, fragment):
    path = tmp_path / "c.csv"
    path.write_text(text)
    with pytest.raises(InputFileError) as exc:
        read_county_correspondence(path)
    assert str(exc.value) == f"{path}{', ' if 'row' in fragment else ': '}{fragment}"
    with pytest.raises(InputFileError, match="not found"):
        read_county_correspondence(tmp_path / "missing.csv")
