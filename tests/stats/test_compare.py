"""Tests of analysis.stats.compare: harmonisation and wave differences against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.instrument.codebook import load_codebook
from analysis.stats.compare import compare_waves, default_items, harmonise

CATEGORIES = tuple(load_codebook(1).categories)

DEFAULT_ITEMS = default_items(load_codebook(1), load_codebook(2))

KOMP7 = list(load_codebook(1).question("komp").columns)
BEHOV = list(load_codebook(1).question("behov").columns)


def make_wave(version: int, n_muni: int, n_other: int, shift: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = 1 + rng.poisson(1.0, n_muni)
    muni = np.repeat(np.arange(n_muni), units)
    n = len(muni) + n_other
    cat = np.concatenate([np.zeros(len(muni), int), rng.choice([1, 2], n_other)])
    utype = np.where(cat == 0, rng.choice([1, 2, 3], n), np.where(cat == 1, 4, 5))
    if version == 2:
        utype = np.where(utype == 3, 2, utype)
    kommnr = np.concatenate([[f"{3000 + m}" for m in muni], [None] * n_other])
    u = np.concatenate([rng.normal(0, 6, n_muni)[muni], np.zeros(n_other)])
    df = pd.DataFrame(
        {
            "wave": f"w{version}-{seed}",
            "instrument_version": pd.array([version] * n, dtype="Int8"),
            "utleiertype": pd.array(utype, dtype="Int8"),
            "utleierkategori": pd.Categorical.from_codes(cat, categories=list(CATEGORIES)),
            "kommunenummer": pd.array(kommnr, dtype="string"),
            "kompetanse": pd.array(
                np.clip(55 + shift + u + rng.normal(0, 15, n), 0, 100), dtype="Float64"
            ),
        }
    )
    lat = rng.normal(shift / 15, 1, n)
    for c in KOMP7 + ["komp_digitalt"] * (version == 2):
        x = (
            1 + (lat[:, None] + rng.normal(0, 1, n)[:, None] > [-1.5, -0.5, 0.5, 1.5]).sum(axis=1)
        ).astype(float)
        x[rng.random(n) < 0.04] = 9
        df[c] = pd.array(x, dtype="Float64").astype("Int8")
    want = (rng.random((n, 8)) < np.linspace(0.6, 0.2, 8)).astype(float)
    want[rng.random(n) < 0.1] = np.nan
    stray = rng.random(n) < 0.03
    want[stray & ~np.isnan(want[:, 0]), 2] = np.nan
    for j, c in enumerate(BEHOV):
        df[c] = pd.array(want[:, j], dtype="Float64").astype("Int8")
    return df


@pytest.fixture(scope="module")
def waves():
    return make_wave(1, 70, 50, 0.0, seed=10), make_wave(2, 70, 50, 4.0, seed=11)


# ---------------------------------------------------------------------------------------------
# harmonise
# ---------------------------------------------------------------------------------------------


def test_harmonise_v1(waves):
    a, _ = waves
    h = harmonise(a)
    expect = a["utleiertype"].replace({3: 2})
    assert h["utleiertype"].tolist() == expect.tolist()
    assert "komp_digitalt" not in h.columns  # not asked in version 1: no column at all
    assert h["utleierkategori"].equals(a["utleierkategori"])
    assert h.attrs["harmonised_to"] == 2 and h.attrs["instrument_version"] == 1
    assert (a["utleiertype"] == 3).any()  # the input is left as it was


def test_harmonise_v2_and_errors(waves):
    _, b = waves
    h = harmonise(b)
    assert h["utleiertype"].equals(b["utleiertype"]) and h["komp_digitalt"].equals(
        b["komp_digitalt"]
    )
    with pytest.raises(ValueError, match="cannot be mapped onto version 1"):
        harmonise(b, to=1)
    with pytest.raises(ValueError, match="mix instrument versions"):
        harmonise(pd.concat(waves))
    with pytest.raises(ValueError, match="pass version="):
        harmonise(b.drop(columns="instrument_version"))
    assert harmonise(b.drop(columns="instrument_version"), version=2)["utleiertype"].equals(
        b["utleiertype"]
    )
    bad = waves[0].copy()
    bad.loc[0, "utleiertype"] = 7
    with pytest.raises(ValueError, match="not codes of version 1"):
        harmonise(bad)


# ---------------------------------------------------------------------------------------------
# compare_waves
# ---------------------------------------------------------------------------------------------


def test_score_difference_equals_welch_without_clusters(waves):
    a, b = waves
    r = compare_waves(a, b, scores=["kompetanse"], items=[], cluster=None).iloc[0]
    ya = a["kompetanse"].astype(float).dropna().to_numpy()
    yb = b["kompetanse"].astype(float).dropna().to_numpy()
    # reference: scipy.stats.ttest_ind(yb, ya, equal_var=False).confidence_interval()
    tt = stats.ttest_ind(yb, ya, equal_var=False)
    ci = tt.confidence_interval(0.95)
    assert r["diff"] == pytest.approx(yb.mean() - ya.mean(), rel=1e-12)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert r["p"] == pytest.approx(tt.pvalue, rel=1e-9)
    assert r["df"] == pytest.approx(tt.df, rel=1e-10)
    assert (r["wave_a"], r["wave_b"]) == ("w1-10", "w2-11")


def cluster_se_of_mean(df: pd.DataFrame, col: str) -> tuple[float, int]:
    """Independent cluster-robust SE of a mean: intercept-only OLS with CRV1 (K = 1, so the
    small-sample factor is G/(G-1) exactly as in the linearised estimator)."""
    d = df[df[col].notna()]
    groups = pd.factorize(
        np.where(
            d["utleierkategori"].astype(str) == "kommunal",
            "k" + d["kommunenummer"].astype(str),
            "r" + np.arange(len(d)).astype(str),
        )
    )[0]
    y = d[col].astype(float).to_numpy()
    # reference: sm.OLS(y, ones).fit(cov_type="cluster", cov_kwds={"groups": groups})
    res = sm.OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    return float(res.bse[0]), int(groups.max() + 1)


def test_score_difference_with_clusters_by_hand(waves):
    a, b = waves
    r = compare_waves(a, b, scores=["kompetanse"], items=[], by="utleierkategori").set_index(
        "group"
    )
    se_a, g_a = cluster_se_of_mean(a, "kompetanse")
    se_b, g_b = cluster_se_of_mean(b, "kompetanse")
    tot = r.loc["Alle"]
    se = np.hypot(se_a, se_b)
    dof = (se_a**2 + se_b**2) ** 2 / (se_a**4 / (g_a - 1) + se_b**4 / (g_b - 1))
    d = b["kompetanse"].astype(float).mean() - a["kompetanse"].astype(float).mean()
    tq = stats.t.ppf(0.975, dof)
    assert tot["se"] == pytest.approx(se, rel=1e-10)
    assert tot["df"] == pytest.approx(dof, rel=1e-10)
    assert (tot["ci_low"], tot["ci_high"]) == pytest.approx((d - tq * se, d + tq * se), rel=1e-10)
    assert list(r.index) == ["Alle", *CATEGORIES]
    assert r["comparable"].all()
    assert tot["note"] == ""  # both versions build kompetanse from the same seven rows


def test_share_differences_and_comparability(waves):
    a, b = waves
    r = compare_waves(a, b, scores=[], cluster=None).set_index("variable")
    assert set(DEFAULT_ITEMS) == set(r.index)
    # komp share 4-5 among substantive answers; se = sqrt(p(1-p)/(n-1)) per wave without clusters
    x_a = a["komp_mote"].astype(float)
    x_a = x_a[x_a.notna() & (x_a != 9)]
    x_b = b["komp_mote"].astype(float)
    x_b = x_b[x_b.notna() & (x_b != 9)]
    pa, pb = (x_a >= 4).mean(), (x_b >= 4).mean()
    se = np.hypot(np.sqrt(pa * (1 - pa) / (len(x_a) - 1)), np.sqrt(pb * (1 - pb) / (len(x_b) - 1)))
    row = r.loc["komp_mote"]
    assert (row["n_a"], row["n_b"]) == (len(x_a), len(x_b))
    assert row["diff"] == pytest.approx(pb - pa, rel=1e-12)
    assert row["se"] == pytest.approx(se, rel=1e-10)
    # checkbox shares among respondents who answered; a stray NA counts as not chosen
    ans = a[BEHOV].notna().any(axis=1)
    assert r.loc["behov_husleierett", "n_a"] == ans.sum()
    assert r.loc["behov_husleierett", "estimate_a"] == pytest.approx(
        (a.loc[ans, "behov_husleierett"] == 1).fillna(False).mean()
    )
    # not comparable: komp_digitalt exists only in version 2
    dig = r.loc["komp_digitalt"]
    assert not dig["comparable"] and pd.isna(dig["diff"]) and pd.isna(dig["n_a"]) and dig["n_b"] > 0
    assert "Ikke spurt i w1-10 (skjemaversjon 1)" in dig["note"]
    assert r.drop(index="komp_digitalt")["comparable"].all()
    assert "organisering" in r.loc["behov_beboerrad", "note"]


def test_two_version_2_waves_compare_digitalt(waves):
    _, b = waves
    b2 = make_wave(2, 60, 40, 0.0, seed=12)
    r = compare_waves(b2, b, scores=[], items=["komp_digitalt", "behov_beboerrad"]).set_index(
        "variable"
    )
    assert r["comparable"].all() and (r["note"] == "").all()


def test_group_in_one_wave_only_and_utleiertype(waves):
    a, b = waves
    b_no_com = b[b["utleierkategori"] != "kommersiell"]
    r = compare_waves(a, b_no_com, scores=["kompetanse"], items=[], by="utleierkategori", lang="en")
    com = r[r["group"] == "kommersiell"].iloc[0]
    assert not com["comparable"] and pd.isna(com["diff"]) and "first wave" in com["note"]
    assert r["group"].tolist() == ["All", *CATEGORIES]
    a_no_id = a[a["utleierkategori"] != "ideell"]
    r_b = compare_waves(a_no_id, b, scores=["kompetanse"], items=[], by="utleierkategori")
    assert r_b["group"].tolist() == [
        "Alle",
        "kommunal",
        "kommersiell",
        "ideell",
    ]  # b-only group last
    assert not r_b.iloc[-1]["comparable"] and "siste runden" in r_b.iloc[-1]["note"]
    r2 = compare_waves(a, b, scores=["kompetanse"], items=[], by="utleiertype")
    groups = r2.loc[r2["group_var"] == "utleiertype", "group"].tolist()
    assert groups == ["1", "2", "4", "5"]  # version 1's code 3 merged into 2
    assert r2.loc[r2["group_var"] == "utleiertype", "note"].str.contains("slått sammen").all()
    # the merged group 2 in wave a counts the old codes 2 and 3
    n2 = r2.loc[(r2["group_var"] == "utleiertype") & (r2["group"] == "2"), "n_a"].iloc[0]
    assert n2 == (a["utleiertype"].isin([2, 3]) & a["kompetanse"].notna()).sum()


def test_scores_computed_when_missing():
    from analysis.stats.scoring import score_items

    SCORE_COLUMNS = load_codebook(1).score_columns

    rng = np.random.default_rng(3)
    frames = []
    items = dict.fromkeys(c for s in SCORE_COLUMNS for c in score_items(s))
    for v in (1, 2):
        cols = {c: rng.choice([1, 2], 40) for c in items}  # valid codes for every score item
        cols.update({c: rng.choice([1, 2, 3, 4, 5], 40) for c in score_items("kompetanse")})
        cols.update({c: rng.choice([0, 1], 40) for c in score_items("bredde")})
        cols["former_ingen"] = np.zeros(40, int)
        d = pd.DataFrame(cols).astype("Int8")
        if v == 2:
            d["komp_digitalt"] = pd.array([5] * 40, dtype="Int8")
        d["instrument_version"] = v
        d["kommunenummer"] = None
        frames.append(d)
    r = compare_waves(frames[0], frames[1], scores=["kompetanse"], items=[]).iloc[0]
    k = [
        ((f[list(score_items("kompetanse"))].astype(float).mean(axis=1) - 1) / 4 * 100).mean()
        for f in frames
    ]
    assert r["estimate_a"] == pytest.approx(k[0]) and r["estimate_b"] == pytest.approx(k[1])
