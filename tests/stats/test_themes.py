"""Tests of analysis.stats.themes: checkbox shares, most important theme, rankings, low competence."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.instrument.codebook import load_codebook
from analysis.stats.estimates import group_proportions
from analysis.stats.themes import (
    checkbox_block,
    checkbox_shares,
    low_competence_needs,
    most_important,
    theme_ranking,
    theme_shares,
)

CATEGORIES = tuple(load_codebook(1).categories)

BEHOV = list(load_codebook(1).question("behov").columns)
FORMAT = list(load_codebook(1).question("format").columns)


def make_data(n_muni: int = 80, n_other: int = 60, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = 1 + rng.poisson(1.2, n_muni)
    muni = np.repeat(np.arange(n_muni), units)
    n_m = len(muni)
    n = n_m + n_other
    kommnr = np.concatenate(
        [[f"{2000 + m}" for m in muni], np.where(rng.random(n_other) < 0.8, "2001", None)]
    ).astype(object)
    cat = np.concatenate([np.zeros(n_m, int), rng.choice([1, 2], n_other)])
    komp = np.clip(rng.normal(55, 18, n), 0, 100)
    u = np.concatenate([rng.normal(0, 0.5, n_muni)[muni], np.zeros(n_other)])
    base = np.linspace(0.2, -1.5, 8)
    lin = (
        base[None, :]
        - 0.03 * (komp[:, None] - 55) * np.array([1, 1, 0, 0, 0, 0, 0, 0])
        + u[:, None]
    )
    want = (rng.random((n, 8)) < 1 / (1 + np.exp(-lin))).astype(float)
    unanswered = rng.random(n) < 0.08
    want[unanswered] = np.nan
    stray = (~unanswered) & (rng.random(n) < 0.03)
    want[stray, 3] = np.nan  # a stray NA in an answered question
    chosen_any = np.nan_to_num(want).sum(axis=1) > 0
    first = np.argmax(np.nan_to_num(want), axis=1) + 1.0
    viktigst = np.where(chosen_any, first, np.nan)
    komp[rng.random(n) < 0.05] = np.nan
    df = pd.DataFrame(want, columns=BEHOV).astype("Int8")
    fmt = (rng.random((n, 5)) < [0.6, 0.5, 0.4, 0.3, 0.2]).astype(float)
    fmt[rng.random(n) < 0.1] = np.nan
    for j, c in enumerate(FORMAT):
        df[c] = pd.array(fmt[:, j], dtype="Float64").astype("Int8")
    df["behov_viktigst"] = pd.array(viktigst, dtype="Float64").astype("Int8")
    df["kommunenummer"] = pd.array(kommnr, dtype="string")
    df["utleierkategori"] = pd.Categorical.from_codes(cat, categories=list(CATEGORIES))
    df["kompetanse"] = pd.array(komp, dtype="Float64")
    return df


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_data()


def test_checkbox_block_rule(data):
    block, answered = checkbox_block(data, "behov")
    raw = data[BEHOV]
    assert answered.tolist() == raw.notna().any(axis=1).tolist()
    assert block[~answered].isna().all().all()
    assert not block[answered].isna().any().any()
    stray = answered & raw.isna().any(axis=1).to_numpy()
    assert stray.sum() > 0 and (block.loc[stray, "behov_husleierett"] == 0).all()


def test_theme_shares_by_hand(data):
    res = theme_shares(data, by="utleierkategori")
    answered = data[BEHOV].notna().any(axis=1)
    tot = res[res["group_var"] == "total"].set_index("variable")
    for c in BEHOV:
        chosen = (data.loc[answered, c] == 1).sum()  # NA among answered = not chosen
        assert tot.loc[c, "n"] == answered.sum()
        assert tot.loc[c, "estimate"] == pytest.approx(chosen / answered.sum(), rel=1e-12)
    grp = res[(res["group_var"] == "utleierkategori") & (res["variable"] == "behov_metoder")]
    assert grp["group"].tolist() == list(CATEGORIES)
    for _, r in grp.iterrows():
        rows = answered & (data["utleierkategori"] == r["group"])
        assert r["estimate"] == pytest.approx((data.loc[rows, "behov_metoder"] == 1).mean())
    assert list(res.columns) == [
        "question",
        "variable",
        "option",
        "label",
        "group_var",
        "group",
        "n",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "deff",
        "n_clusters",
    ]
    assert (
        res.loc[res["variable"] == "behov_beboerrad", "label"].iloc[0]
        == "Beboerråd og organisering"
    )


def test_theme_shares_uses_group_proportions_clustering(data):
    res = theme_shares(data)
    # an independently cleaned copy through C1's estimator gives the same intervals
    d = data.copy()
    answered = d[BEHOV].notna().any(axis=1)
    for c in BEHOV:
        d[c] = d[c].astype("Float64").where(~answered, d[c].astype("Float64").fillna(0))
    ref = group_proportions(d, BEHOV, success=(1,))
    np.testing.assert_allclose(res["ci_low"], ref["ci_low"], rtol=1e-12)
    np.testing.assert_allclose(res["se"], ref["se"], rtol=1e-12)
    assert (res["n_clusters"] < res["n"]).all()  # municipal units are clustered


def test_checkbox_shares_other_questions_and_errors(data):
    res = checkbox_shares(data, "format", lang="en")
    assert res["label"].tolist()[:2] == ["Seminar", "Course"]
    with pytest.raises(ValueError, match="not a checkbox"):
        checkbox_shares(data, "komp")
    bad = data.copy()
    bad.loc[0, "format_kurs"] = 2
    with pytest.raises(ValueError, match="format_kurs"):
        checkbox_shares(bad, "format")
    with pytest.raises(ValueError, match="missing"):
        checkbox_shares(data, "barrierer")


def test_most_important(data):
    res = most_important(data, by="utleierkategori")
    tot = res[res["group_var"] == "total"]
    assert tot["code"].tolist() == list(range(1, 9))
    assert tot["theme"].tolist() == BEHOV
    assert tot["estimate"].sum() == pytest.approx(1.0)
    v = data["behov_viktigst"].dropna().astype(int)
    assert tot["count"].tolist() == [int((v == k).sum()) for k in range(1, 9)]
    assert (tot["n"] == len(v)).all()
    for g, sub in res[res["group_var"] == "utleierkategori"].groupby("group"):
        assert sub["estimate"].sum() == pytest.approx(1.0)
        vg = data.loc[data["utleierkategori"] == g, "behov_viktigst"].dropna()
        assert sub["count"].sum() == len(vg)
    bad = data.copy()
    bad.loc[0, "behov_viktigst"] = 9
    with pytest.raises(ValueError, match="outside 1-8"):
        most_important(bad)


# ---------------------------------------------------------------------------------------------
# theme_ranking
# ---------------------------------------------------------------------------------------------


def naive_bootstrap(df: pd.DataFrame, n_boot: int, seed: int) -> np.ndarray:
    """Loop reference: resample clusters by index, stack their rows, recompute shares."""
    block, answered = checkbox_block(df, "behov")
    d = df.loc[answered]
    Y = block.to_numpy()[answered]
    key = np.where(
        d["utleierkategori"].astype(str) == "kommunal",
        "k" + d["kommunenummer"].astype(str),
        "r" + np.arange(len(d)).astype(str),
    )
    groups = [np.flatnonzero(key == k) for k in pd.unique(key)]
    rng = np.random.default_rng(seed)
    out = np.empty((n_boot, Y.shape[1]))
    for b in range(n_boot):
        pick = rng.integers(0, len(groups), len(groups))
        rows = np.concatenate([groups[i] for i in pick])
        out[b] = Y[rows].mean(axis=0)
    return out


def test_theme_ranking_agrees_with_loop_bootstrap(data):
    res = theme_ranking(data, n_boot=2000, seed=1).set_index("variable")
    ref = naive_bootstrap(data, 2000, seed=99)
    lo, hi = np.percentile(ref, [2.5, 97.5], axis=0)
    for j, c in enumerate(BEHOV):
        assert res.loc[c, "share_ci_low"] == pytest.approx(lo[j], abs=0.012)
        assert res.loc[c, "share_ci_high"] == pytest.approx(hi[j], abs=0.012)
    ranks = stats.rankdata(-ref, axis=1)
    np.testing.assert_allclose(res.loc[BEHOV, "median_rank"], np.median(ranks, axis=0), atol=0.5)
    # bootstrap SE close to the linearised cluster-robust SE of C1's estimator
    se_lin = theme_shares(data).set_index("variable")["se"]
    np.testing.assert_allclose(ref.std(axis=0, ddof=1), se_lin.loc[BEHOV], rtol=0.15)


def test_theme_ranking_known_order_and_ties():
    rng = np.random.default_rng(4)
    p = np.array([0.9, 0.7, 0.5, 0.3, 0.1, 0.4, 0.4, 0.05])
    df = pd.DataFrame((rng.random((2000, 8)) < p).astype(int), columns=BEHOV)
    res = theme_ranking(df, n_boot=500, cluster=None)
    assert res["variable"].tolist()[:3] == [
        "behov_metoder",
        "behov_inkludering",
        "behov_husleierett",
    ]
    top = res.iloc[0]
    assert (top["rank"], top["rank_low"], top["rank_high"], top["p_first"]) == (1, 1, 1, 1.0)
    tied = res.set_index("variable").loc[["behov_kommunikasjon", "behov_evaluering"]]
    assert (tied["rank_high"] - tied["rank_low"] >= 1).all()  # two equal shares swap ranks
    assert res["rank"].sum() == pytest.approx(36)


def test_theme_ranking_seeded_and_fast(data):
    big = pd.concat([data] * 3, ignore_index=True).iloc[:300]
    big = big.assign(
        kommunenummer=big["kommunenummer"] + pd.Series(np.arange(300) // 200, dtype="string")
    )
    t0 = time.perf_counter()
    a = theme_ranking(big, n_boot=2000, seed=5)
    elapsed = time.perf_counter() - t0
    b = theme_ranking(big, n_boot=2000, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert elapsed < 1.0, elapsed
    c = theme_ranking(big, n_boot=2000, seed=6)
    assert not np.allclose(a["share_ci_low"], c["share_ci_low"])


# ---------------------------------------------------------------------------------------------
# low_competence_needs
# ---------------------------------------------------------------------------------------------


def test_low_competence_default_cut_and_groups(data):
    res = low_competence_needs(data)
    k = data["kompetanse"].astype(float).to_numpy()
    cut = np.nanquantile(k, 1 / 3)
    assert res.attrs["cut"] == pytest.approx(cut)
    answered = data[BEHOV].notna().any(axis=1).to_numpy()
    low = answered & (k <= cut)
    rest = answered & (k > cut)
    assert (res["n_low"] == low.sum()).all() and (res["n_rest"] == rest.sum()).all()
    # the simulated needs for metoder and inkludering rise as competence falls
    top = res.set_index("option")
    assert top.loc["metoder", "ci_low"] > 0 and top.loc["inkludering", "ci_low"] > 0
    assert top.loc["evaluering", "ci_low"] < 0 < top.loc["evaluering", "ci_high"]


def test_low_competence_se_matches_statsmodels_cluster(data):
    res = low_competence_needs(data, threshold=45).set_index("variable")
    block, answered = checkbox_block(data, "behov")
    k = data["kompetanse"].astype(float)
    use = answered & k.notna().to_numpy()
    d = block[use].assign(
        low=(k[use] <= 45).astype(float),
        kat=data.loc[use, "utleierkategori"].astype(str),
        kn=data.loc[use, "kommunenummer"],
    )
    groups = pd.factorize(
        np.where(
            d["kat"] == "kommunal", "k" + d["kn"].astype(str), "r" + np.arange(len(d)).astype(str)
        )
    )[0]
    N = len(d)
    for c in ("behov_metoder", "behov_konflikt"):
        # reference: sm.OLS(y, [1, low]).fit(cov_type="cluster", cov_kwds={"groups": groups})
        ref = sm.OLS(d[c].to_numpy(), sm.add_constant(d["low"].to_numpy())).fit(
            cov_type="cluster", cov_kwds={"groups": groups}
        )
        assert res.loc[c, "diff"] == pytest.approx(ref.params[1], rel=1e-10)
        assert res.loc[c, "se"] == pytest.approx(ref.bse[1] * np.sqrt((N - 2) / (N - 1)), rel=1e-10)
    with pytest.raises(ValueError, match="quantile"):
        low_competence_needs(data, quantile=1.5)
