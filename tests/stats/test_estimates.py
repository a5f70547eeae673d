"""Group estimates: simulation coverage, FPC, textbook and statsmodels agreement, proportions,
design rules and the table contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.stats.estimates import (
    MEANS_COLUMNS,
    PROPORTIONS_COLUMNS,
    design_caveat,
    estimate_design,
    group_means,
    group_proportions,
    wilson_interval,
)

# ------------------------------------------------------------------------- simulation


def simulate_waves(seed: int, n_waves: int = 500, groups=(40.0, 50.0, 65.0), clusters: int = 40):
    """Stacked simulated waves: per wave and group, `clusters` municipalities with a random
    effect (sd 8) and 1-8 units each with a unit error (sd 8): ICC 0.5. The true group mean is
    the fixed group value."""
    rng = np.random.default_rng(seed)
    n_groups = n_waves * len(groups)
    sizes = rng.integers(1, 9, size=(n_groups, clusters))
    cluster_id = np.repeat(np.arange(n_groups * clusters), sizes.ravel())
    group_id = cluster_id // clusters
    mu = np.tile(np.asarray(groups), n_waves)[group_id]
    effect = rng.normal(scale=8.0, size=n_groups * clusters)[cluster_id]
    y = mu + effect + rng.normal(scale=8.0, size=len(cluster_id))
    df = pd.DataFrame(
        {
            "y": y,
            "sim": group_id,
            "kommunenummer": cluster_id.astype(str),
            "utleierkategori": "kommunal",
        }
    )
    truth = np.tile(np.asarray(groups), n_waves)
    return df, truth


def coverage(table: pd.DataFrame, truth: np.ndarray) -> float:
    t = table[table["group_var"] == "sim"].copy()
    t["truth"] = truth[t["group"].astype(int).to_numpy()]
    return float(((t["ci_low"] <= t["truth"]) & (t["truth"] <= t["ci_high"])).mean())


def test_cluster_robust_ci_covers_95_percent_and_naive_does_not():
    df, truth = simulate_waves(20221115)
    robust = group_means(df, "y", "sim")
    assert len(robust[robust["group_var"] == "sim"]) == 1500
    cov = coverage(robust, truth)
    assert 0.93 <= cov <= 0.97, cov
    # the same data with a variance formula that ignores the clustering
    naive = group_means(df, "y", "sim", cluster=None)
    cov_naive = coverage(naive, truth)
    assert cov_naive < 0.93, cov_naive
    # and the design effect the robust formula sees is well above 1 (ICC 0.5, ~4.5 per cluster)
    assert robust.loc[robust["group_var"] == "sim", "deff"].median() > 2


def test_weighted_cluster_robust_coverage():
    # weights unrelated to y: the weighted mean is unbiased and its CI must still cover
    df, truth = simulate_waves(7, n_waves=1000)
    rng = np.random.default_rng(8)
    df["w"] = rng.uniform(0.5, 2.0, size=len(df))
    cov = coverage(group_means(df, "y", "sim", weights="w"), truth)
    assert 0.93 <= cov <= 0.97, cov


# ------------------------------------------------------------------------- textbook / statsmodels


def test_unclustered_unweighted_equals_textbook():
    rng = np.random.default_rng(1)
    y = rng.normal(50, 10, size=37)
    df = pd.DataFrame({"y": y})
    r = group_means(df, "y", cluster=None).iloc[0]
    se = y.std(ddof=1) / np.sqrt(len(y))
    t = stats.t.ppf(0.975, len(y) - 1)
    assert r["n"] == 37 and r["n_clusters"] == 37
    assert r["estimate"] == pytest.approx(y.mean(), abs=1e-12)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    assert r["ci_low"] == pytest.approx(y.mean() - t * se, rel=1e-12)
    assert r["ci_high"] == pytest.approx(y.mean() + t * se, rel=1e-12)
    assert r["deff"] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_cluster_se_equals_statsmodels(weighted):
    rng = np.random.default_rng(2)
    n_cl = 30
    sizes = rng.integers(1, 6, n_cl)
    g = np.repeat(np.arange(n_cl), sizes)
    y = rng.normal(size=n_cl)[g] + rng.normal(size=len(g))
    w = rng.uniform(0.5, 3, len(g)) if weighted else np.ones(len(g))
    df = pd.DataFrame(
        {"y": y, "kommunenummer": g.astype(str), "utleierkategori": "kommunal", "w": w}
    )
    r = group_means(df, "y", weights="w" if weighted else None).iloc[0]
    # sm.WLS(y, 1, weights=w).fit(cov_type="cluster", cov_kwds={"groups": g}) uses
    # G/(G-1) * (N-1)/(N-K) * sum_c (sum_i w_i e_i)^2 / W^2; with K = 1 (intercept only) the second
    # factor is 1, so its SE equals the linearisation SE with the n_c/(n_c-1) factor exactly.
    fit = sm.WLS(y, np.ones(len(y)), weights=w).fit(cov_type="cluster", cov_kwds={"groups": g})
    assert r["estimate"] == pytest.approx(fit.params[0], rel=1e-12)
    assert r["se"] == pytest.approx(fit.bse[0], rel=1e-10)
    assert r["n_clusters"] == n_cl
    # CI: t quantile with n_clusters - 1 df
    t = stats.t.ppf(0.975, n_cl - 1)
    assert r["ci_high"] - r["estimate"] == pytest.approx(t * fit.bse[0], rel=1e-10)


# ------------------------------------------------------------------------- FPC


def test_fpc_hand_computed():
    # 4 of N = 8 municipalities sampled (f = 1/2), one unit each, y = 1..4:
    # (1 - f) s^2 / n = 1/2 * (5/3) / 4 = 5/24
    df = pd.DataFrame(
        {"y": [1.0, 2, 3, 4], "kommunenummer": list("abcd"), "utleierkategori": "kommunal", "N": 8}
    )
    r = group_means(df, "y", fpc="N").iloc[0]
    assert r["se"] == pytest.approx(np.sqrt(5 / 24), rel=1e-12)
    # a mapping keyed on utleierkategori gives the same
    r2 = group_means(df, "y", fpc={"kommunal": 8}).iloc[0]
    assert r2["se"] == pytest.approx(np.sqrt(5 / 24), rel=1e-12)


def test_fpc_census_of_all_clusters_has_zero_variance():
    # every municipality of the population answered with all its units: nothing was sampled
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(10), rng.integers(1, 5, 10))
    df = pd.DataFrame(
        {
            "y": rng.normal(size=len(g)),
            "kommunenummer": g.astype(str),
            "utleierkategori": "kommunal",
        }
    )
    r = group_means(df, "y", fpc={"kommunal": 10}).iloc[0]
    assert r["se"] == 0.0
    assert r["ci_low"] == r["ci_high"] == r["estimate"]


def test_fpc_applies_only_to_its_stratum():
    # municipal stratum a census (variance 0); the non-municipal rows keep their SRS variance:
    # V = (W_h/W)^2 * s_h^2 / n_h for the non-municipal stratum h
    df = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 10, 20, 30, 40],
            "kommunenummer": ["a", "b", "c", None, None, None, None],
            "utleierkategori": ["kommunal"] * 3 + ["ideell"] * 4,
        }
    )
    r = group_means(df, "y", fpc={"kommunal": 3, "ideell": np.nan}).iloc[0]
    ideell = np.array([10.0, 20, 30, 40])
    want = (4 / 7) ** 2 * ideell.var(ddof=1) / 4
    assert r["se"] == pytest.approx(np.sqrt(want), rel=1e-12)
    assert r["n_clusters"] == 7


def test_fpc_more_psus_than_population_is_an_error():
    df = pd.DataFrame(
        {"y": [1.0, 2, 3], "kommunenummer": list("abc"), "utleierkategori": "kommunal"}
    )
    with pytest.raises(ValueError, match="exceed"):
        group_means(df, "y", fpc={"kommunal": 2})


# ------------------------------------------------------------------------- clusters and groups


def test_cluster_rule():
    df = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 4, 5, 6],
            "kommunenummer": ["0301", "0301", "0301", "0301", None, None],
            "utleierkategori": [
                "kommunal",
                "kommunal",
                "kommunal",
                "ideell",
                "kommunal",
                "kommersiell",
            ],
            "utleiertype": [1, 1, 2, 4, 1, 5],
        }
    )
    r = group_means(df, "y", "utleiertype")
    total = r.iloc[0]
    # one cluster 0301 (three municipal rows), the ideell row with 0301 alone, two NA rows alone
    assert total["n_clusters"] == 4
    by = r[r["group_var"] == "utleiertype"].set_index("group")
    # 0301 units of type 1 and type 2 are separate clusters (same kommunenummer, different group)
    assert by.loc["1", "n_clusters"] == 2 and by.loc["1", "n"] == 3
    assert by.loc["2", "n_clusters"] == 1 and np.isnan(by.loc["2", "se"])


def test_table_contract_and_group_order():
    df = pd.DataFrame(
        {
            "kompetanse": [10.0, 20, None, 40, 50, 60],
            "holdning": [1.0, 2, 3, 4, 5, None],
            "storrelse": pd.Categorical(
                ["20 000+", "under 5 000", "20 000+", None, "20 000+", "under 5 000"],
                categories=["under 5 000", "5 000–19 999", "20 000+"],
                ordered=True,
            ),
            "fylke": ["B", "A", "A", "B", "B", "A"],
            "kommunenummer": None,
        }
    )
    r = group_means(df, ["kompetanse", "holdning"], ["storrelse", "fylke"])
    assert tuple(r.columns) == MEANS_COLUMNS
    k = r[r["variable"] == "kompetanse"]
    assert k["group_var"].tolist() == ["total", "storrelse", "storrelse", "fylke", "fylke"]
    assert k["group"].tolist() == [
        "Alle",
        "under 5 000",
        "20 000+",
        "A",
        "B",
    ]  # category order, observed
    # complete case per variable: kompetanse n = 5, holdning n = 5; NA storrelse only in total
    assert k["n"].tolist() == [5, 2, 2, 2, 3]
    assert k.iloc[0]["estimate"] == pytest.approx(36.0)
    assert r[(r["variable"] == "holdning")].iloc[0]["n"] == 5
    en = group_means(df, "kompetanse", lang="en")
    assert en.loc[0, "group"] == "All"


def test_missing_and_bad_inputs():
    df = pd.DataFrame({"y": [1.0, 2], "kommunenummer": None})
    with pytest.raises(ValueError, match="not in the data"):
        group_means(df, "zz")
    with pytest.raises(ValueError, match="weight"):
        group_means(df, "y", weights=pd.Series([1.0, np.nan]))
    with pytest.raises(ValueError, match="not in the data"):
        group_means(df, "y", "nope")


# ------------------------------------------------------------------------- proportions


def test_proportions_keep_vet_ikke_out_of_the_denominator():
    df = pd.DataFrame({"komp_mote": [5, 4, 4, 2, 1, 9, 9, None], "kommunenummer": None})
    r = group_proportions(df, "komp_mote").iloc[0]
    assert tuple(group_proportions(df, "komp_mote").columns) == PROPORTIONS_COLUMNS
    assert r["n"] == 5 and r["n_dont_know"] == 2
    assert r["estimate"] == pytest.approx(3 / 5)
    assert r["share_dont_know"] == pytest.approx(2 / 7)


def test_proportions_wilson_with_effective_n():
    rng = np.random.default_rng(4)
    n = 200
    x = rng.choice([1, 2, 3, 4, 5], size=n)
    df = pd.DataFrame({"komp_mote": x, "kommunenummer": None})
    r = group_proportions(df, "komp_mote").iloc[0]
    p = np.isin(x, [4, 5]).mean()
    # unclustered: deff = V / (p(1-p)/n) with V = n/(n-1) * p(1-p)/n -> n/(n-1)
    assert r["deff"] == pytest.approx(n / (n - 1), rel=1e-10)
    # n_eff = n / deff * (z / t_{n-1})^2; Wilson at n_eff equals statsmodels' Wilson interval
    z, t = stats.norm.ppf(0.975), stats.t.ppf(0.975, n - 1)
    n_eff = n / r["deff"] * (z / t) ** 2
    lo, hi = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    assert r["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert r["ci_high"] == pytest.approx(hi, abs=1e-12)


def test_wilson_interval_matches_statsmodels():
    for count, nobs in [(0, 10), (3, 10), (10, 10), (37, 120)]:
        lo, hi = wilson_interval(count / nobs, nobs)
        ref = proportion_confint(count, nobs, method="wilson")
        assert (lo, hi) == pytest.approx(ref, abs=1e-12)


def test_proportions_clustered_deff_and_checkbox_success():
    # 20 municipalities, all units of a municipality answer alike: strong clustering
    g = np.repeat(np.arange(20), 5)
    chosen = (np.arange(20) % 2)[g]
    df = pd.DataFrame(
        {"former_beboermote": chosen, "kommunenummer": g.astype(str), "utleierkategori": "kommunal"}
    )
    r = group_proportions(df, "former_beboermote", success=(1,)).iloc[0]
    assert r["estimate"] == pytest.approx(0.5)
    # V = 20/19 * sum_c Z_c^2 with Z_c = 5 * (+-0.5) / 100: 20/19 * 20 * 0.025^2 = 1/76
    assert r["se"] == pytest.approx(np.sqrt(1 / 76), rel=1e-12)
    assert r["deff"] == pytest.approx((1 / 76) / (0.25 / 100), rel=1e-12)  # = 5 * 20/19
    with pytest.raises(ValueError, match="success"):
        group_proportions(df, "former_beboermote")  # default (4, 5) are no checkbox codes


def test_proportions_single_cluster_has_no_interval():
    df = pd.DataFrame(
        {"komp_mote": [4, 5, 1], "kommunenummer": "0301", "utleierkategori": "kommunal"}
    )
    r = group_proportions(df, "komp_mote").iloc[0]
    assert r["n_clusters"] == 1 and np.isnan(r["se"]) and np.isnan(r["ci_low"])


# ------------------------------------------------------------------------- design


def small_frame():
    return pd.DataFrame(
        {
            "kommunenummer": [f"{i:04d}" for i in range(1, 9)],
            "fylke": list("AAAABBBB"),
            "storrelse": ["under 5 000", "20 000+"] * 4,
        }
    )


def test_convenience_design_is_unweighted_without_fpc():
    df = pd.DataFrame(
        {
            "y": [1.0, 2, 3],
            "kommunenummer": ["0001", "0002", None],
            "utleierkategori": ["kommunal", "kommunal", "ideell"],
        }
    )
    d = estimate_design(df, design="convenience")
    assert (d["design_weight"] == 1).all() and d["design_fpc"].isna().all()
    a = group_means(df, "y", design="convenience")
    b = group_means(df, "y")
    pd.testing.assert_frame_equal(a, b)


def test_census_design_weights_and_fpc_only_for_municipal_rows():
    frame = small_frame()
    # every municipality answered once; plus two non-municipal landlords
    df = pd.DataFrame(
        {
            "y": np.arange(10, dtype=float),
            "kommunenummer": list(frame["kommunenummer"]) + [None, None],
            "utleierkategori": ["kommunal"] * 8 + ["ideell", "kommersiell"],
        }
    )
    d = estimate_design(df, design="census", frame=frame)
    assert d["design_weight"].tolist() == pytest.approx([1.0] * 10)
    assert d["design_fpc"].iloc[:8].eq(8).all() and d["design_fpc"].iloc[8:].isna().all()
    assert d["design_stratum"].tolist() == ["kommunal"] * 8 + ["annen"] * 2
    r = group_means(df, "y", "utleierkategori", design="census", frame=frame)
    kom = r[r["group"] == "kommunal"].iloc[0]
    assert kom["se"] == 0.0  # all municipalities answered: no sampling variance
    # the total keeps the non-municipal stratum's variance: (2/10)^2 * var(8, 9) / 2
    assert r.iloc[0]["se"] == pytest.approx(np.sqrt(0.2**2 * 0.5 / 2), rel=1e-12)


def test_probability_design_weights_rescaled_to_mean_one():
    frame = small_frame()
    # municipalities 0001, 0003 (fylke A), 0005 (B), all small: size class 20 000+ has nobody
    df = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 4],
            "kommunenummer": ["0001", "0003", "0005", None],
            "utleierkategori": ["kommunal", "kommunal", "kommunal", "ideell"],
        }
    )
    d = estimate_design(df, design="probability", frame=frame)
    w = d["design_weight"]
    assert w.iloc[:3].mean() == pytest.approx(1.0)
    # raked municipality weights: A -> 4/2 each, B -> 4: relative to their mean 8/3
    assert w.iloc[:3].tolist() == pytest.approx([0.75, 0.75, 1.5])
    assert w.iloc[3] == 1.0
    assert any("merged" in note for note in d.attrs["notes"])


def test_design_caveat():
    for design in ("convenience", "census", "probability"):
        assert design_caveat(design, "nb") and design_caveat(design, "en")
        assert design_caveat(design, "nb") != design_caveat(design, "en")
    assert "bekvemmelighetsutvalg" in design_caveat("convenience")
    with pytest.raises(ValueError):
        design_caveat("quota")
    with pytest.raises(ValueError):
        estimate_design(pd.DataFrame(), design="quota")
