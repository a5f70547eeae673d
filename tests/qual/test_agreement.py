"""Agreement statistics against independent implementations and hand-computed cases.

References: statsmodels ``cohens_kappa`` (from the 2x2 table), scikit-learn ``cohen_kappa_score``
(from the raw decisions) and the ``krippendorff`` package (nominal alpha from the reliability
matrix). R's ``irr`` is not packaged for this Debian release (no ``r-cran-irr``), so it is not used.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from analysis.qual.agreement import agreement


def _frames(a, b, codes):
    return (
        pd.DataFrame(np.asarray(a), columns=codes),
        pd.DataFrame(np.asarray(b), columns=codes),
    )


def test_hand_computed_case():
    # code x: n11=2 n10=1 n01=0 n00=3 (n=6)
    #   p_o = 5/6; p_a = 1/2, p_b = 1/3; p_e = 1/6 + 1/3 = 1/2; kappa = (5/6 - 1/2)/(1/2) = 2/3
    #   alpha: n_1 = 2*2+1 = 5, n_0 = 2*3+1 = 7; alpha = 1 - (12-1)*1/(5*7) = 24/35
    # code y: perfect agreement with variation: kappa = alpha = 1
    # overall: n11=3 n10=1 n01=0 n00=8 (n=12): p_o = 11/12; p_a = 4/12, p_b = 3/12;
    #   p_e = 1/12 + 6/12 = 7/12; kappa = (11/12 - 7/12)/(5/12) = 4/5
    #   n_1 = 7, n_0 = 17; alpha = 1 - 23/119 = 96/119
    a, b = _frames(
        [[1, 0], [1, 0], [0, 0], [0, 1], [1, 0], [0, 0]],
        [[1, 0], [0, 0], [0, 0], [0, 1], [1, 0], [0, 0]],
        ["x", "y"],
    )
    t = agreement(a, b, n_boot=0).set_index("code")
    assert t.loc["x", ["n11", "n10", "n01", "n00"]].tolist() == [2, 1, 0, 3]
    assert t.loc["x", "percent"] == pytest.approx(5 / 6)
    assert t.loc["x", "kappa"] == pytest.approx(2 / 3)
    assert t.loc["x", "alpha"] == pytest.approx(24 / 35)
    assert t.loc["y", "kappa"] == pytest.approx(1) and t.loc["y", "alpha"] == pytest.approx(1)
    assert t.loc["overall", "n"] == 12
    assert t.loc["overall", "kappa"] == pytest.approx(4 / 5)
    assert t.loc["overall", "alpha"] == pytest.approx(96 / 119)


def test_no_variation_is_undefined_like_the_references():
    a, b = _frames([[0], [0], [0]], [[0], [0], [0]], ["x"])
    t = agreement(a, b, n_boot=50).set_index("code")
    assert t.loc["x", "percent"] == 1.0
    assert np.isnan(t.loc["x", "kappa"]) and np.isnan(t.loc["x", "alpha"])
    assert np.isnan(t.loc["x", "kappa_low"])


@pytest.mark.parametrize("seed", range(40))
def test_matches_statsmodels_sklearn_and_krippendorff(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(8, 120)), int(rng.integers(1, 6))
    prev = rng.uniform(0.05, 0.6, k)
    truth = rng.random((n, k)) < prev
    a = truth ^ (rng.random((n, k)) < rng.uniform(0, 0.3))
    b = truth ^ (rng.random((n, k)) < rng.uniform(0, 0.3))
    codes = [f"c{j}" for j in range(k)]
    A, B = _frames(a.astype(int), b.astype(int), codes)
    t = agreement(A, B, n_boot=0).set_index("code")
    for j, c in enumerate(codes):
        x, y = a[:, j].astype(int), b[:, j].astype(int)
        assert t.loc[c, "percent"] == pytest.approx(np.mean(x == y))
        if len(set(x) | set(y)) < 2:
            assert np.isnan(t.loc[c, "kappa"]) and np.isnan(t.loc[c, "alpha"])
            continue
        table = np.array(
            [
                [np.sum((x == 1) & (y == 1)), np.sum((x == 1) & (y == 0))],
                [np.sum((x == 0) & (y == 1)), np.sum((x == 0) & (y == 0))],
            ]
        )
        if np.isclose(
            (table.sum(1)[0] * table.sum(0)[0] + table.sum(1)[1] * table.sum(0)[1]) / n**2, 1
        ):
            continue
        assert t.loc[c, "kappa"] == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)
        assert t.loc[c, "kappa"] == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)
        ref = krippendorff.alpha(reliability_data=np.vstack([x, y]), level_of_measurement="nominal")
        assert t.loc[c, "alpha"] == pytest.approx(ref, abs=1e-12)
    # overall = pooled decisions (every segment x code a unit)
    x, y = a.ravel().astype(int), b.ravel().astype(int)
    if len(set(x) | set(y)) == 2:
        assert t.loc["overall", "kappa"] == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)
        ref = krippendorff.alpha(reliability_data=np.vstack([x, y]), level_of_measurement="nominal")
        assert t.loc["overall", "alpha"] == pytest.approx(ref, abs=1e-12)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    truth = rng.random((150, 4)) < 0.3
    a = truth ^ (rng.random(truth.shape) < 0.08)
    b = truth ^ (rng.random(truth.shape) < 0.08)
    A, B = _frames(a.astype(int), b.astype(int), list("wxyz"))
    t1 = agreement(A, B, n_boot=500, seed=7)
    t2 = agreement(A, B, n_boot=500, seed=7)
    t3 = agreement(A, B, n_boot=500, seed=8)
    pd.testing.assert_frame_equal(t1, t2)
    assert not t1["kappa_low"].equals(t3["kappa_low"])
    for k in ("percent", "kappa", "alpha"):
        assert (t1[f"{k}_low"] <= t1[k] + 1e-12).all() and (t1[k] <= t1[f"{k}_high"] + 1e-12).all()
    # the overall interval is narrower than a single code's (more decisions)
    w = (t1["kappa_high"] - t1["kappa_low"]).to_numpy()
    assert w[-1] < w[:-1].min()


def test_bootstrap_interval_covers_the_truth_in_simulation():
    """Coverage of the segment bootstrap for kappa: about 95 % over repeated samples."""
    rng = np.random.default_rng(2026)
    # population kappa for independent symmetric error e on both coders with prevalence p
    p, e = 0.3, 0.1
    pa = p * (1 - e) + (1 - p) * e
    po = (1 - e) ** 2 + e**2
    pe = pa**2 + (1 - pa) ** 2
    kappa = (po - pe) / (1 - pe)
    hits = 0
    reps = 200
    for r in range(reps):
        truth = rng.random((200, 1)) < p
        a = truth ^ (rng.random(truth.shape) < e)
        b = truth ^ (rng.random(truth.shape) < e)
        A, B = _frames(a.astype(int), b.astype(int), ["x"])
        t = agreement(A, B, n_boot=400, seed=r).set_index("code")
        hits += t.loc["x", "kappa_low"] <= kappa <= t.loc["x", "kappa_high"]
    assert 0.88 <= hits / reps <= 0.99


def test_bad_values_and_shapes_are_refused():
    a, b = _frames([[1], [2]], [[1], [0]], ["x"])
    with pytest.raises(ValueError, match="0, 1 or missing"):
        agreement(a, b)
    with pytest.raises(ValueError, match="same segments"):
        agreement(a.iloc[:1], b)
