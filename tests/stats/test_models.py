"""Tests of analysis.stats.models against direct statsmodels, scipy and pingouin calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

from analysis.instrument.codebook import SIZE_CLASSES, load_codebook
from analysis.stats.models import (
    cluster_ids,
    hedges_g,
    mean_difference,
    ordinal_regression,
    pairwise_comparisons,
    score_regression,
)

CATEGORIES = tuple(load_codebook(1).categories)


def make_data(n_muni: int = 60, n_other: int = 80, seed: int = 1) -> pd.DataFrame:
    """Processed-like responses: clustered municipal units plus non-municipal landlords.

    kompetanse = 50 + cat + size + 4 * forutsetninger + u_municipality + noise.
    """
    rng = np.random.default_rng(seed)
    sizes = rng.choice(3, n_muni, p=[0.3, 0.4, 0.3])
    units = 1 + rng.poisson(1.0, n_muni)
    muni = np.repeat(np.arange(n_muni), units)
    n_m = len(muni)
    kommnr = np.array([f"{1000 + m}" for m in muni], dtype=object)
    size = sizes[muni].astype(float)
    cat = np.zeros(n_m, dtype=int)
    # non-municipal landlords: 70 % name a municipality (its size class), else NA
    o_muni = rng.integers(0, n_muni, n_other)
    o_has = rng.random(n_other) < 0.7
    o_kommnr = np.where(o_has, np.array([f"{1000 + m}" for m in o_muni], dtype=object), None)
    o_size = np.where(o_has, sizes[o_muni], np.nan)
    o_cat = rng.choice([1, 2], n_other)
    cat = np.concatenate([cat, o_cat])
    kommnr = np.concatenate([kommnr, o_kommnr])
    size = np.concatenate([size, o_size])
    n = len(cat)
    forut = rng.integers(0, 6, n).astype(float)
    u = rng.normal(0, 5, n_muni)
    u_row = np.concatenate([u[muni], np.zeros(n_other)])
    cat_eff = np.array([0.0, 3.0, -8.0])[cat]
    size_eff = np.where(
        np.isnan(size), 0.0, np.array([-4.0, 0.0, 4.0])[np.nan_to_num(size).astype(int)]
    )
    komp = 50 + cat_eff + size_eff + 4 * forut + u_row + rng.normal(0, 10, n)
    komp[rng.random(n) < 0.05] = np.nan
    forut[rng.random(n) < 0.05] = np.nan
    lat = 0.08 * (komp - 60) + rng.logistic(size=n)
    item = (1 + (lat[:, None] > np.array([-2.0, -0.7, 0.6, 2.0])).sum(axis=1)).astype(float)
    item[rng.random(n) < 0.06] = 9
    item[rng.random(n) < 0.04] = np.nan
    size_cat = pd.Categorical.from_codes(
        np.where(np.isnan(size), -1, size).astype(int), categories=list(SIZE_CLASSES), ordered=True
    )
    return pd.DataFrame(
        {
            "kommunenummer": pd.array(kommnr, dtype="string"),
            "utleierkategori": pd.Categorical.from_codes(cat, categories=list(CATEGORIES)),
            "storrelse": size_cat,
            "forutsetninger": pd.array(forut, dtype="Float64"),
            "kompetanse": pd.array(komp, dtype="Float64"),
            "komp_mote": pd.array(np.where(np.isnan(item), np.nan, item), dtype="Float64").astype(
                "Int8"
            ),
        }
    )


def independent_groups(df: pd.DataFrame) -> np.ndarray:
    """Cluster ids written out independently of cluster_ids: municipal rows by kommunenummer,
    everyone else (and NA kommunenummer) alone."""
    out = []
    for i, (k, c) in enumerate(zip(df["kommunenummer"], df["utleierkategori"], strict=True)):
        out.append(f"k{k}" if c == "kommunal" and not pd.isna(k) else f"row{i}")
    return pd.factorize(np.array(out))[0]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return make_data()


def test_cluster_ids_rule(data):
    ours = cluster_ids(data)
    ref = independent_groups(data)
    # same partition of the rows
    assert len(np.unique(ours)) == len(np.unique(ref))
    assert pd.crosstab(ours, ref).astype(bool).sum(axis=1).eq(1).all()
    assert cluster_ids(data, None).tolist() == list(range(len(data)))
    with pytest.raises(ValueError, match="cluster column"):
        cluster_ids(data, "nope")


# ---------------------------------------------------------------------------------------------
# score_regression
# ---------------------------------------------------------------------------------------------


def test_score_regression_matches_statsmodels_formula(data):
    res = score_regression(data, "kompetanse").set_index("term")
    d = data.copy()
    d["size_f"] = d["storrelse"].astype(object).where(d["storrelse"].notna(), "ukjent")
    d["kat"] = d["utleierkategori"].astype(str)
    d["komp"] = d["kompetanse"].astype(float)
    d["forut"] = d["forutsetninger"].astype(float)
    d["groups"] = independent_groups(data)
    d = d.dropna(subset=["komp", "forut"])
    # reference: smf.ols(...).fit(cov_type="cluster", cov_kwds={"groups": d["groups"]}, use_t=True)
    ref = smf.ols(
        "komp ~ C(kat, Treatment('kommunal')) + C(size_f, Treatment('under 5 000')) + forut", data=d
    ).fit(cov_type="cluster", cov_kwds={"groups": d["groups"]}, use_t=True)
    names = {"Intercept": "Intercept", "forutsetninger": "forut"}
    for lev in ("ideell", "kommersiell"):
        names[f"utleierkategori[T.{lev}]"] = f"C(kat, Treatment('kommunal'))[T.{lev}]"
    for lev in ("5 000–19 999", "20 000+", "ukjent"):
        names[f"storrelse[T.{lev}]"] = f"C(size_f, Treatment('under 5 000'))[T.{lev}]"
    assert set(res.index) == set(names)
    ci = ref.conf_int()
    for ours, theirs in names.items():
        r = res.loc[ours]
        assert r["estimate"] == pytest.approx(ref.params[theirs], rel=1e-10, abs=1e-10)
        assert r["se"] == pytest.approx(ref.bse[theirs], rel=1e-10)
        assert r["t"] == pytest.approx(ref.tvalues[theirs], rel=1e-10)
        assert r["p"] == pytest.approx(ref.pvalues[theirs], rel=1e-8, abs=1e-14)
        assert r["ci_low"] == pytest.approx(ci.loc[theirs, 0], rel=1e-10)
        assert r["ci_high"] == pytest.approx(ci.loc[theirs, 1], rel=1e-10)
    assert (res["n"] == int(ref.nobs)).all()
    assert (res["n_clusters"] == d["groups"].nunique()).all()
    assert res["r2"].iloc[0] == pytest.approx(ref.rsquared)


def test_score_regression_keeps_rows_without_size(data):
    res = score_regression(data, "kompetanse")
    complete = data["kompetanse"].notna() & data["forutsetninger"].notna()
    assert res["n"].iloc[0] == complete.sum()
    no_size = complete & data["storrelse"].isna()
    assert no_size.sum() > 0  # the ukjent level is in use
    assert "storrelse[T.ukjent]" in set(res["term"])
    assert res.attrs["n_dropped"] == len(data) - complete.sum()
    assert res.attrs["references"] == {"utleierkategori": "kommunal", "storrelse": "under 5 000"}


def test_score_regression_recovers_known_coefficients():
    # large sample from make_data's model: slope 4, kommersiell -8, ideell +3; size effects
    # (-4, 0, +4) and 0 for unknown, so against "under 5 000": +4, +8 and +4
    df = make_data(n_muni=400, n_other=600, seed=7)
    res = score_regression(df, "kompetanse").set_index("term")
    for term, truth in (
        ("forutsetninger", 4.0),
        ("utleierkategori[T.kommersiell]", -8.0),
        ("utleierkategori[T.ideell]", 3.0),
        ("storrelse[T.20 000+]", 8.0),
        ("storrelse[T.5 000–19 999]", 4.0),
        ("storrelse[T.ukjent]", 4.0),
    ):
        assert res.loc[term, "ci_low"] < truth < res.loc[term, "ci_high"], term


def test_score_regression_reference_and_labels(data):
    d = data[data["storrelse"] != "under 5 000"].copy()  # drops NA storrelse too
    d = pd.concat([d, data[data["storrelse"].isna()]])
    res = score_regression(d, "kompetanse", lang="en")
    assert res.attrs["references"]["storrelse"] == "5 000–19 999"
    assert "Landlord category: Commercial (vs Municipal)" in set(res["label"])
    res2 = score_regression(data, "kompetanse", reference={"utleierkategori": "ideell"})
    assert "utleierkategori[T.kommunal]" in set(res2["term"])
    assert list(res2.columns) == [
        "term",
        "label",
        "estimate",
        "se",
        "t",
        "p",
        "ci_low",
        "ci_high",
        "n",
        "n_clusters",
        "r2",
    ]
    with pytest.raises(ValueError, match="not in the data"):
        score_regression(data, "kompetanse", reference={"utleierkategori": "privat"})
    with pytest.raises(ValueError, match="predictor 'fylke'"):
        score_regression(data, "kompetanse", predictors=("fylke",))


# ---------------------------------------------------------------------------------------------
# ordinal_regression
# ---------------------------------------------------------------------------------------------


def test_ordinal_regression_matches_ordered_model(data):
    res = ordinal_regression(data, "komp_mote", predictors=("utleierkategori", "forutsetninger"))
    d = data.copy()
    d["y"] = d["komp_mote"].astype(float)
    d["forut"] = d["forutsetninger"].astype(float)
    d["groups"] = independent_groups(data)
    d = d[d["y"].isin([1, 2, 3, 4, 5]) & d["forut"].notna()]
    X = pd.DataFrame(
        {
            "ideell": (d["utleierkategori"] == "ideell").astype(float).to_numpy(),
            "kommersiell": (d["utleierkategori"] == "kommersiell").astype(float).to_numpy(),
            "forut": d["forut"].to_numpy(),
        }
    )
    endog = pd.Series(pd.Categorical(d["y"].astype(int).to_numpy(), ordered=True))
    # reference: plain OrderedModel (numerical derivatives) fitted by Newton's method, which
    # reaches the optimum to about 1e-9 here (its default BFGS stops about 1e-4 short)
    model = OrderedModel(endog, X, distr="logit")
    ref = model.fit(
        method="newton",
        disp=False,
        maxiter=200,
        cov_type="cluster",
        cov_kwds={"groups": d["groups"].to_numpy()},
    )
    coef = res[res["kind"] == "coefficient"].reset_index(drop=True)
    assert coef["term"].tolist() == [
        "utleierkategori[T.ideell]",
        "utleierkategori[T.kommersiell]",
        "forutsetninger",
    ]
    np.testing.assert_allclose(coef["estimate"], ref.params.iloc[:3], rtol=1e-7)
    np.testing.assert_allclose(coef["se"], ref.bse.iloc[:3], rtol=1e-5)
    np.testing.assert_allclose(coef["odds_ratio"], np.exp(ref.params.iloc[:3]), rtol=1e-7)
    thr = res[res["kind"] == "threshold"].reset_index(drop=True)
    assert thr["term"].tolist() == ["1|2", "2|3", "3|4", "4|5"]
    cuts = model.transform_threshold_params(ref.params.to_numpy())[1:-1]
    np.testing.assert_allclose(thr["estimate"], cuts, rtol=1e-7)
    assert thr["odds_ratio"].isna().all()
    # delta-method SE of the cut-points against a finite-difference Jacobian of the transform
    p0 = ref.params.to_numpy()
    eps = 1e-6
    J = np.column_stack(
        [
            (
                model.transform_threshold_params(p0 + eps * e)[1:-1]
                - model.transform_threshold_params(p0 - eps * e)[1:-1]
            )
            / (2 * eps)
            for e in np.eye(len(p0))
        ]
    )
    se_fd = np.sqrt(np.diag(J @ np.asarray(ref.cov_params()) @ J.T))
    np.testing.assert_allclose(thr["se"], se_fd, rtol=1e-4)
    assert (res["n"] == len(d)).all()


def test_ordinal_regression_rejects_bad_codes(data):
    d = data.copy()
    d.loc[0, "komp_mote"] = 7
    with pytest.raises(ValueError, match="codes other than 1-5"):
        ordinal_regression(d, "komp_mote")


def test_ordinal_regression_positive_effect_direction():
    # P(y <= j) = F(c_j - b x): larger x, higher answers -> positive coefficient, OR > 1
    df = make_data(n_muni=200, n_other=200, seed=3)
    res = ordinal_regression(df, "komp_mote", predictors=("forutsetninger",))
    assert res.loc[0, "estimate"] > 0 and res.loc[0, "or_ci_low"] > 1


# ---------------------------------------------------------------------------------------------
# pairwise comparisons
# ---------------------------------------------------------------------------------------------


def test_pairwise_matches_pingouin_and_scipy(data):
    import pingouin as pg

    res = pairwise_comparisons(data, "kompetanse")
    assert list(zip(res["a"], res["b"], strict=True)) == [
        ("kommunal", "ideell"),
        ("kommunal", "kommersiell"),
        ("ideell", "kommersiell"),
    ]
    d = pd.DataFrame(
        {"y": data["kompetanse"].astype(float), "g": data["utleierkategori"].astype(str)}
    ).dropna()
    # reference: pg.pairwise_tests(data=d, dv="y", between="g", padjust="holm", effsize="hedges",
    #                              correction=True)
    ref = pg.pairwise_tests(
        data=d, dv="y", between="g", padjust="holm", effsize="hedges", correction=True
    )
    for _, r in res.iterrows():
        m = ref[(ref["A"] == r["a"]) & (ref["B"] == r["b"])]
        sign = 1
        if m.empty:
            m = ref[(ref["A"] == r["b"]) & (ref["B"] == r["a"])]
            sign = -1
        m = m.iloc[0]
        assert r["p_unc"] == pytest.approx(m["p_unc"], rel=1e-8)
        assert r["p_adj"] == pytest.approx(m["p_corr"], rel=1e-8)
        assert r["t"] == pytest.approx(sign * m["T"], rel=1e-8)
        assert r["df"] == pytest.approx(m["dof"], rel=1e-8)
        assert r["hedges_g"] == pytest.approx(sign * m["hedges"], rel=1e-8)
        xa = d.loc[d["g"] == r["a"], "y"].to_numpy()
        xb = d.loc[d["g"] == r["b"], "y"].to_numpy()
        # reference: scipy.stats.ttest_ind(xa, xb, equal_var=False)
        tt = stats.ttest_ind(xa, xb, equal_var=False)
        assert r["p_unc"] == pytest.approx(tt.pvalue, rel=1e-10)
        ci = tt.confidence_interval()
        assert (r["diff_ci_low"], r["diff_ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-10)
        # reference: pg.compute_esci(stat=g, nx=n_a, ny=n_b, eftype="hedges", decimals=12)
        esci = pg.compute_esci(
            stat=r["hedges_g"], nx=len(xa), ny=len(xb), eftype="hedges", decimals=12
        )
        assert (r["g_ci_low"], r["g_ci_high"]) == pytest.approx(tuple(esci), abs=1e-10)


def test_pairwise_holm_by_hand():
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "y": np.concatenate([rng.normal(m, 1, 15) for m in (0, 0.4, 1.0, 1.1)]),
            "g": np.repeat(list("pqrs"), 15),
        }
    )
    res = pairwise_comparisons(df, "y", between="g")
    # Holm by hand: sort p ascending, multiply by (m - rank), running max, cap at 1
    p = res["p_unc"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    adj = np.empty(m)
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * p[i]))
        adj[i] = running
    np.testing.assert_allclose(res["p_adj"], adj, rtol=1e-12)
    none = pairwise_comparisons(df, "y", between="g", padjust="none")
    np.testing.assert_allclose(none["p_adj"], none["p_unc"])
    with pytest.raises(ValueError, match="padjust"):
        pairwise_comparisons(df, "y", between="g", padjust="tukey")


def test_pairwise_small_group_is_na():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "g": ["a", "a", "a", "b", "c"]})
    res = pairwise_comparisons(df, "y", between="g")
    assert res["p_unc"].isna().all() and res["hedges_g"].isna().all()
    assert res["n_b"].tolist() == [1, 1, 1]


def test_hedges_g_small_sample_correction():
    x, y = [1.0, 2, 3, 4], [3.0, 4, 5, 6]
    d = (2.5 - 4.5) / np.sqrt(5 / 3)  # Cohen's d, pooled sd^2 = (3*5/3 + 3*5/3) / 6 = 5/3
    assert hedges_g(x, y)[0] == pytest.approx(d * (1 - 3 / (4 * 8 - 9)))


# ---------------------------------------------------------------------------------------------
# mean_difference
# ---------------------------------------------------------------------------------------------


def test_mean_difference_matches_statsmodels_cluster_dummy(data):
    res = mean_difference(
        data, "kompetanse", by="utleierkategori", a="kommersiell", b="kommunal"
    ).iloc[0]
    d = data.assign(g=independent_groups(data))
    d = d[d["utleierkategori"].isin(["kommersiell", "kommunal"]) & d["kompetanse"].notna()]
    y = d["kompetanse"].astype(float).to_numpy()
    X = sm.add_constant((d["utleierkategori"] == "kommersiell").astype(float).to_numpy())
    # reference: sm.OLS(y, [1, is_a]).fit(cov_type="cluster", cov_kwds={"groups": groups})
    ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": d["g"].to_numpy()})
    N = len(y)
    assert res["diff"] == pytest.approx(ref.params[1], rel=1e-10)
    # statsmodels CRV1 carries the extra factor (N - 1) / (N - K), K = 2
    assert res["se"] == pytest.approx(ref.bse[1] * np.sqrt((N - 2) / (N - 1)), rel=1e-10)
    assert res["n_clusters"] == d["g"].nunique()
    assert res["n_a"] + res["n_b"] == N


def test_mean_difference_shared_clusters():
    # two groups inside the same clusters: perfectly shared cluster effects cancel in the difference
    rng = np.random.default_rng(11)
    k = np.repeat(np.arange(30), 4)
    u = rng.normal(0, 10, 30)[k]
    g = np.tile(["a", "a", "b", "b"], 30)
    y = u + np.where(g == "a", 1.0, 0.0) + rng.normal(0, 1, 120)
    df = pd.DataFrame(
        {"y": y, "g": g, "kommunenummer": k.astype(str), "utleierkategori": "kommunal"}
    )
    res = mean_difference(df, "y", by="g", a="a", b="b").iloc[0]
    naive = mean_difference(df, "y", by="g", a="a", b="b", cluster=None).iloc[0]
    assert res["se"] < naive["se"] / 3  # the covariance between the groups is used
    assert res["ci_low"] < 1.0 < res["ci_high"]
    assert res["df"] == 29


def test_mean_difference_no_clusters_formula():
    a = np.array([1.0, 4, 2, 8, 5])
    b = np.array([3.0, 3, 6, 9])
    df = pd.DataFrame({"y": np.concatenate([a, b]), "g": ["a"] * 5 + ["b"] * 4})
    r = mean_difference(df, "y", by="g", a="a", b="b", cluster=None).iloc[0]
    n = 9
    v = n / (n - 1) * (a.var(ddof=0) / 5 + b.var(ddof=0) / 4)
    assert r["se"] == pytest.approx(np.sqrt(v), rel=1e-12)
    assert r["diff"] == pytest.approx(a.mean() - b.mean())


def test_weighted_linearised_difference_matches_statsmodels_wls_cluster(data):
    from analysis.stats.models import linearised_difference

    d = data.assign(g=independent_groups(data))
    d = d[d["utleierkategori"].isin(["kommersiell", "kommunal"]) & d["kompetanse"].notna()]
    rng = np.random.default_rng(3)
    w = rng.uniform(0.5, 3.0, len(d))
    y = d["kompetanse"].astype(float).to_numpy()
    is_a = (d["utleierkategori"] == "kommersiell").to_numpy()
    r = linearised_difference(y, is_a, ~is_a, d["g"].to_numpy(), weights=w)
    # reference: weighted least squares of y on [1, is_a], cluster-robust (CRV1)
    X = sm.add_constant(is_a.astype(float))
    ref = sm.WLS(y, X, weights=w).fit(cov_type="cluster", cov_kwds={"groups": d["g"].to_numpy()})
    N = len(y)
    assert r["diff"] == pytest.approx(ref.params[1], rel=1e-10)
    assert r["se"] == pytest.approx(ref.bse[1] * np.sqrt((N - 2) / (N - 1)), rel=1e-10)


def _holm(p):
    """Holm's step-down adjustment, written out (independent of statsmodels)."""
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def test_group_differences_pairs_match_mean_difference_and_holm_over_the_family(data):
    from analysis.stats.models import group_differences

    scores = ["kompetanse", "forutsetninger"]
    by = ["utleierkategori", "storrelse"]
    r = group_differences(data, scores, by)
    # every pair of every grouping, for every score: 3 category pairs + 3 size pairs, x 2 scores
    assert len(r) == 2 * (3 + 3) and r.attrs["family_sizes"] == {"all": 12}
    for row in r.itertuples():
        one = mean_difference(data, row.variable, by=row.group_var, a=row.a, b=row.b).iloc[0]
        assert row.diff == pytest.approx(one["diff"], rel=1e-12)
        assert row.se == pytest.approx(one["se"], rel=1e-12)
        assert row.p == pytest.approx(one["p"], rel=1e-12)
    assert np.allclose(r["p_adj"], _holm(r["p"]), rtol=1e-12)
    assert (r["holds"] == (r["p_adj"] < 0.05)).all()
    # adjusting over the family never makes a difference hold that fails unadjusted
    assert not (r["holds"] & (r["p"] >= 0.05)).any()
    # one family per grouping column: Holm within each
    g = group_differences(data, scores, by, family="group_var")
    assert g.attrs["family_sizes"] == {"utleierkategori": 6, "storrelse": 6}
    for var in by:
        part = g[g["group_var"] == var]
        assert np.allclose(part["p_adj"], _holm(part["p"]), rtol=1e-12)
    assert (g["p_adj"] <= r["p_adj"] + 1e-15).all()  # smaller families adjust less


def test_group_differences_none_keeps_raw_p_and_refuses_unknown_method(data):
    from analysis.stats.models import group_differences

    r = group_differences(data, ["kompetanse"], ["utleierkategori"], padjust="none")
    assert np.allclose(r["p_adj"], r["p"])
    with pytest.raises(ValueError, match="padjust"):
        group_differences(data, ["kompetanse"], ["utleierkategori"], padjust="tukey")
    with pytest.raises(ValueError, match="not in the data"):
        group_differences(data, ["nope"], ["utleierkategori"])
