"""Reliability: against pingouin on random data, against exact hand computations, and the
missing-data / reverse-keying / KR-20 rules."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pingouin
import pytest

from analysis.instrument.codebook import load_codebook
from analysis.stats.reliability import item_statistics, reliability, scale_reliability


def exact_alpha(rows: list[list[int]]) -> Fraction:
    """Cronbach's alpha in exact rational arithmetic: k/(k-1) * (1 - sum var_i / var_total)."""

    def var(xs):
        m = Fraction(sum(xs), len(xs))
        return sum((Fraction(x) - m) ** 2 for x in xs) / (len(xs) - 1)

    k = len(rows[0])
    items = [[r[j] for r in rows] for j in range(k)]
    totals = [sum(r) for r in rows]
    return Fraction(k, k - 1) * (1 - sum(var(i) for i in items) / var(totals))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_pingouin_on_random_data(seed):
    rng = np.random.default_rng(seed)
    n, k = 120, 5
    latent = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + latent + rng.normal(scale=1.0, size=(n, k))), 1, 5)
    df = pd.DataFrame(x, columns=[f"i{j}" for j in range(k)])
    got = reliability(df, list(df.columns)).iloc[0]
    # reference: pingouin.cronbach_alpha(data=df, ci=.95) -> (alpha, array([lo, hi]))
    # pingouin computes Feldt's interval but rounds it to 3 decimals, hence the 5e-4 tolerance
    alpha, ci = pingouin.cronbach_alpha(data=df, ci=0.95)
    assert got["alpha"] == pytest.approx(alpha, abs=1e-10)
    assert got["ci_low"] == pytest.approx(ci[0], abs=5e-4 + 1e-12)
    assert got["ci_high"] == pytest.approx(ci[1], abs=5e-4 + 1e-12)
    assert got["n"] == n and got["k"] == k
    # mean inter-item correlation: the mean of the off-diagonal of pandas' correlation matrix
    r = df.corr().to_numpy()
    assert got["mean_inter_item_r"] == pytest.approx(r[~np.eye(k, dtype=bool)].mean(), abs=1e-12)


def test_matches_pingouin_listwise_with_nine_as_missing():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(80, 4)).astype(float)
    x[rng.random(x.shape) < 0.1] = 9
    df = pd.DataFrame(x, columns=list("abcd"))
    got = reliability(df, list("abcd")).iloc[0]
    ref_data = df.replace(9, np.nan)
    alpha, _ = pingouin.cronbach_alpha(data=ref_data, nan_policy="listwise")
    assert got["alpha"] == pytest.approx(alpha, abs=1e-10)
    assert got["n"] == int(ref_data.notna().all(axis=1).sum())


def test_hand_computed_alpha():
    # a = b = 1..5, c = 2,2,3,4,4: var a = var b = 5/2, var c = 1, var(sum) = 17
    # alpha = 3/2 * (1 - 6/17) = 33/34
    rows = [[1, 1, 2], [2, 2, 2], [3, 3, 3], [4, 4, 4], [5, 5, 4]]
    assert exact_alpha(rows) == Fraction(33, 34)
    df = pd.DataFrame(rows, columns=list("abc"))
    assert reliability(df, list("abc")).loc[0, "alpha"] == pytest.approx(33 / 34, abs=1e-14)


def test_feldt_interval_by_formula():
    # Feldt (1965): lo = 1 - (1 - a) F_{.975}(n-1, (n-1)(k-1)), hi = 1 - (1 - a) F_{.025}(...)
    # with n = 5, k = 3, a = 33/34: F quantiles from scipy.stats.f.ppf(q, 4, 8)
    from scipy import stats

    rows = [[1, 1, 2], [2, 2, 2], [3, 3, 3], [4, 4, 4], [5, 5, 4]]
    r = reliability(pd.DataFrame(rows, columns=list("abc")), list("abc"), alpha_level=0.1).iloc[0]
    a = 33 / 34
    assert r["ci_low"] == pytest.approx(1 - (1 - a) * stats.f.ppf(0.95, 4, 8), abs=1e-12)
    assert r["ci_high"] == pytest.approx(1 - (1 - a) * stats.f.ppf(0.05, 4, 8), abs=1e-12)
    assert r["ci_low"] < a < r["ci_high"]


def test_hold_reverses_tidsbruk_and_drops_nine_listwise():
    df = pd.DataFrame(
        {
            "hold_endrer": [5, 4, 2, 9],
            "hold_informerer": [5, 4, 1, 3],
            "hold_verdi": [4, 5, 2, 3],
            "hold_tidsbruk": [1, 2, 4, 3],
        }
    )
    # complete rows 0-2, tidsbruk reversed 6 - x = 5, 4, 2:
    # rows [5,5,4,5], [4,4,5,4], [2,1,2,2]; exact alpha = 30/31
    assert exact_alpha([[5, 5, 4, 5], [4, 4, 5, 4], [2, 1, 2, 2]]) == Fraction(30, 31)
    r = reliability(df, "hold").iloc[0]
    assert r["scale"] == "hold" and r["n"] == 3 and r["k"] == 4
    assert r["alpha"] == pytest.approx(30 / 31, abs=1e-14)
    # the same columns given as a list are reversed too (codebook knows tidsbruk)
    assert reliability(df, list(df.columns)).loc[0, "alpha"] == pytest.approx(30 / 31, abs=1e-14)


def test_forut_is_kr20_on_ja_nei():
    # Ja = 1 -> 1, Nei = 2 -> 0. Binary rows [1,1,1], [1,1,0], [1,0,0], [0,0,0], [1,1,1]:
    # p = .8, .6, .4; sample variances 5/4 p q = .2, .3, .3 (sum .8); totals 3,2,1,0,3 var 1.7
    # KR-20 = 3/2 * (1 - .8/1.7) = 27/34
    binary = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 1]]
    assert exact_alpha(binary) == Fraction(27, 34)
    cols = ["forut_strategi", "forut_stilling", "forut_budsjett"]
    df = pd.DataFrame([[1 if v else 2 for v in r] for r in binary] + [[1, 9, 1]], columns=cols)
    r = reliability(df, cols).iloc[0]
    assert r["n"] == 5
    assert r["alpha"] == pytest.approx(27 / 34, abs=1e-14)


def test_item_statistics_against_direct_computation():
    rng = np.random.default_rng(11)
    latent = rng.normal(size=(60, 1))
    df = pd.DataFrame(
        np.clip(np.round(3 + latent + rng.normal(size=(60, 4))), 1, 5), columns=list("wxyz")
    )
    stats_ = item_statistics(df, list("wxyz"))
    assert list(stats_.columns) == ["item", "n", "mean", "item_rest_r", "alpha_if_deleted"]
    for _, row in stats_.iterrows():
        rest = df.drop(columns=row["item"])
        assert row["item_rest_r"] == pytest.approx(
            df[row["item"]].corr(rest.sum(axis=1)), abs=1e-12
        )
        # alpha without the item: pingouin.cronbach_alpha(data=rest)[0]
        assert row["alpha_if_deleted"] == pytest.approx(
            pingouin.cronbach_alpha(data=rest)[0], abs=1e-10
        )
        assert row["mean"] == pytest.approx(df[row["item"]].mean())


def test_scale_reliability_uses_comparable_komp_rows():
    rng = np.random.default_rng(5)
    cols = [
        c
        for c in load_codebook(2).item_columns
        if c.startswith(("komp_", "hold_", "niva_", "forut_"))
    ]
    df = pd.DataFrame({c: rng.integers(1, 3, 40) for c in cols})
    out = scale_reliability(df)
    assert list(out["scale"]) == ["komp", "hold", "niva", "forut"]
    assert list(out["k"]) == [7, 4, 5, 5]  # komp_digitalt never counted
    assert list(out.columns) == [
        "scale",
        "n",
        "k",
        "alpha",
        "ci_low",
        "ci_high",
        "mean_inter_item_r",
    ]


def test_degenerate_inputs():
    df = pd.DataFrame({"a": [1, 9], "b": [2, 3]})
    r = reliability(df, ["a", "b"]).iloc[0]
    assert r["n"] == 1 and np.isnan(r["alpha"])
    with pytest.raises(ValueError, match="at least two"):
        reliability(df, ["a"])
    with pytest.raises(ValueError, match="missing"):
        reliability(df, ["a", "zz"])
