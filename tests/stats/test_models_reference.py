"""Ordinal logit against R's ``ordinal::clm`` and the convergence of its optimiser.

``tests/stats/reference/ordinal_inputs.csv`` holds the items, default predictors and clusters of
the demo waves (``export_ordinal_inputs.py``); ``ordinal_clm.csv`` holds R's ``clm`` fits of them
with model-based and cluster-robust standard errors (``ordinal_clm.R``, run once). R is not
needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import models
from analysis.stats.models import ordinal_regression

REF = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return pd.read_csv(
        REF / "ordinal_inputs.csv",
        dtype={"wave": "string", "utleierkategori": "string", "storrelse": "string"},
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def clm() -> pd.DataFrame:
    return pd.read_csv(REF / "ordinal_clm.csv", encoding="utf-8")


FITS = [(w, i) for w in ("demo-2022", "demo-2023") for i in ("komp_mote", "komp_konflikt")]


@pytest.mark.parametrize(("wave", "item"), FITS)
def test_ordinal_regression_equals_r_clm(inputs, clm, wave, item):
    df = inputs[inputs["wave"] == wave].reset_index(drop=True)
    ref = clm[(clm["wave"] == wave) & (clm["item"] == item)].set_index("term")
    res = ordinal_regression(df, item, cluster="cluster")
    out = res.set_index("term")
    assert sorted(out.index) == sorted(ref.index)
    ref = ref.loc[out.index]
    assert (out["kind"] == ref["kind"]).all()
    assert (out["n"] == ref["n"]).all() and (out["n_clusters"] == ref["n_clusters"]).all()
    # coefficients and cut-points: both optimisers are at the optimum (clm: gradient < 1e-10)
    np.testing.assert_allclose(out["estimate"], ref["estimate"], rtol=1e-8, atol=1e-10)
    assert res.attrs["converged"] and res.attrs["identified"]
    # model-based SEs (inverse observed information) and the cluster-robust sandwich
    se_model = pd.Series(res.attrs["se_model"]).loc[out.index]
    np.testing.assert_allclose(se_model, ref["se"], rtol=1e-8)
    np.testing.assert_allclose(out["se"], ref["se_cluster"], rtol=1e-7)
    assert res.attrs["loglike"] == pytest.approx(ref["loglik"].iloc[0], rel=1e-12)
    # the gradient at the optimum (R's clm reaches about 1e-11 here)
    assert res.attrs["max_gradient"] < 1e-8


def test_gradient_at_the_optimum_is_zero_on_simulated_data():
    """Many predictors and a rare category: the returned optimum has gradient below 1e-6,
    checked with a finite-difference gradient of statsmodels' own log-likelihood."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(11)
    n = 600
    X = rng.normal(size=(n, 4)) * [1.0, 3.0, 0.3, 10.0]
    lat = X @ [0.8, -0.2, 1.5, 0.05] + rng.logistic(size=n)
    y = 1 + (lat[:, None] > [-4.0, -0.5, 0.5, 1.5]).sum(axis=1)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(komp_mote=y, kommunenummer=None)
    res = ordinal_regression(df, "komp_mote", predictors=("a", "b", "c", "d"))
    assert res.attrs["converged"]
    assert res.attrs["max_gradient"] < 1e-6
    # independent check: central differences of OrderedModel.loglike in (coefficients, cuts)
    endog = pd.Series(pd.Categorical(y, ordered=True))
    model = OrderedModel(endog, df[["a", "b", "c", "d"]], distr="logit")
    est = res["estimate"].to_numpy()

    def loglike(theta):
        cuts = theta[4:]
        params = np.concatenate([theta[:4], [cuts[0]], np.log(np.diff(cuts))])
        return model.loglike(params)

    h = 1e-5
    grad = np.array([(loglike(est + h * e) - loglike(est - h * e)) / (2 * h) for e in np.eye(8)])
    assert np.max(np.abs(grad)) < 1e-5  # finite-difference error about h^2 * n


def test_not_converged_or_not_identified_warns(monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=120)
    lat = x + rng.logistic(size=120)
    df = pd.DataFrame(
        {"komp_mote": 1 + (lat[:, None] > [-1.0, 0.0, 1.0]).sum(axis=1), "x": x}
    ).assign(kommunenummer=None)
    # a tolerance no optimiser meets: the result is flagged and a warning given
    monkeypatch.setattr(models, "ORDINAL_GRADIENT_TOL", 1e-300)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        res = ordinal_regression(df, "komp_mote", predictors=("x",))
    assert not res.attrs["converged"]
    monkeypatch.undo()
    # complete separation: no finite maximum likelihood estimate exists
    sep = df.assign(komp_mote=np.digitize(x, [-0.5, 0.0, 0.5]) + 1)
    with pytest.warns(RuntimeWarning, match="singular"):
        res = ordinal_regression(sep, "komp_mote", predictors=("x",))
    assert not res.attrs["identified"]


def test_collinear_predictors_are_an_error():
    rng = np.random.default_rng(0)
    x = rng.normal(size=100)
    lat = x + rng.logistic(size=100)
    df = pd.DataFrame({"komp_mote": 1 + (lat[:, None] > [-1, 0, 1]).sum(axis=1), "x": x})
    df = df.assign(x2=2 * x, kommunenummer=None)
    with pytest.raises(ValueError, match="collinear"):
        ordinal_regression(df, "komp_mote", predictors=("x", "x2"))
