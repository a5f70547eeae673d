"""Raking weights: a hand-solved two-margin example, the real 2022 register, bounds, empty
cells, sharing among units, and the weighting summary."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.stats.weighting import rake_weights, size_class, weighting_summary


def two_by_two():
    """Frame of 13 municipalities: r = A (5) / B (8), c = 1 (5) / 2 (8).

    Cells A1 = 2, A2 = 3, B1 = 3, B2 = 5. The sample has A1: 1, A2: 2, B1: 2, B2: 1
    municipalities. Raking converges to cell weights a_r * b_c; with a = (1, 2), b = (1, 2):
    A1 = 1, A2 = 2, B1 = 2, B2 = 4, and the margins check by hand:
    A: 1*1 + 2*2 = 5, B: 2*2 + 1*4 = 8, 1: 1*1 + 2*2 = 5, 2: 2*2 + 1*4 = 8.
    (IPF's limit is the unique solution of that product form.)
    """
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"k{i:02d}" for i in range(13)],
            "r": list("AAAAABBBBBBBB"),
            "c": list("1122211122222"),
        }
    )
    picks = ["k00", "k02", "k03", "k05", "k06", "k08"]  # A1, A2, A2, B1, B1, B2
    return frame, picks


def test_two_margin_example_by_hand():
    frame, picks = two_by_two()
    df = pd.DataFrame({"kommunenummer": picks, "utleierkategori": "kommunal"})
    w = rake_weights(df, frame, margins=("r", "c"), bounds=None)
    assert w.to_numpy() == pytest.approx([1, 2, 2, 2, 2, 4], abs=1e-6)
    assert w.attrs["converged"] and w.attrs["n_municipalities"] == 6 and w.attrs["frame_size"] == 13
    # the same within bounds (0.3, 3) x mean 13/6: 1 and 4 are 0.46 and 1.85 x mean
    wb = rake_weights(df, frame, margins=("r", "c"))
    assert wb.to_numpy() == pytest.approx([1, 2, 2, 2, 2, 4], abs=1e-6)
    assert wb.attrs["bounded"]


def test_units_share_their_municipality_weight_and_others_get_na():
    frame, picks = two_by_two()
    df = pd.DataFrame(
        {
            "kommunenummer": picks + ["k08", "k08", None, "k99", "k00"],
            "utleierkategori": ["kommunal"] * 6
            + ["kommunal", "kommunal", "kommunal", "kommunal", "ideell"],
        }
    )
    w = rake_weights(df, frame, margins=("r", "c"), bounds=None)
    # k08 answered through three units: its weight 4 is split in three
    assert w.iloc[[5, 6, 7]].to_numpy() == pytest.approx([4 / 3] * 3, abs=1e-6)
    assert w.iloc[:5].to_numpy() == pytest.approx([1, 2, 2, 2, 2], abs=1e-6)
    # unknown / missing municipality, and the ideell landlord in k00: NA
    assert w.iloc[8:].isna().all()
    assert w.attrs["unmatched"] == 2
    assert w.sum() == pytest.approx(13)


def test_bounds_are_enforced_with_margins_kept():
    rng = np.random.default_rng(2)
    n_frame = 200
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"{i:04d}" for i in range(n_frame)],
            "fylke": rng.choice(list("ABCDE"), n_frame),
            "population": rng.lognormal(9, 1.2, n_frame).round(),
        }
    )
    # unequal response: large municipalities answer far more often
    p = np.where(frame["population"] >= 20000, 0.8, np.where(frame["population"] >= 5000, 0.5, 0.3))
    sample = frame[rng.random(n_frame) < p]
    df = pd.DataFrame({"kommunenummer": sample["kommunenummer"], "utleierkategori": "kommunal"})
    free = rake_weights(df, frame, bounds=None)
    mean = n_frame / len(sample)
    assert free.min() / mean < 0.45  # the unbounded solution breaks the lower bound below
    bounded = rake_weights(df, frame, bounds=(0.5, 2.0))
    assert bounded.attrs["bounded"] and bounded.attrs["converged"]
    ratio = bounded / mean
    assert ratio.min() >= 0.5 - 1e-6 and ratio.max() <= 2.0 + 1e-6
    check_margins(df.assign(w=bounded), frame.assign(storrelse=size_class(frame["population"])))


def check_margins(df_w: pd.DataFrame, frame: pd.DataFrame, margins=("fylke", "storrelse")):
    merged = df_w.merge(frame, on="kommunenummer", how="left")
    for m in margins:
        got = merged.groupby(m, observed=True)["w"].sum()
        want = frame.groupby(m, observed=True).size()
        want = want[want > 0]
        pd.testing.assert_series_equal(
            got.sort_index(), want.astype(float).sort_index(), check_names=False, rtol=1e-6
        )


def test_infeasible_bounds_warn_and_keep_margins():
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"{i:02d}" for i in range(31)],
            "fylke": ["A"] * 30 + ["B"],
            "storrelse": "s",
        }
    )
    df = pd.DataFrame({"kommunenummer": ["00", "30", "30"], "utleierkategori": "kommunal"})
    with pytest.warns(UserWarning, match="could not be kept"):
        w = rake_weights(df, frame, margins=("fylke",), bounds=(0.3, 3.0))
    assert not w.attrs["bounded"]
    assert w.iloc[0] == pytest.approx(30) and w.iloc[1:].to_numpy() == pytest.approx([0.5, 0.5])


def test_empty_cells_are_collapsed_and_reported():
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"{i:02d}" for i in range(9)],
            "fylke": list("AAABBBCCC"),
            "storrelse": pd.Categorical(
                ["under 5 000", "5 000–19 999", "20 000+"] * 3,
                categories=["under 5 000", "5 000–19 999", "20 000+"],
                ordered=True,
            ),
        }
    )
    # nobody from county C, nobody of the middle size class
    df = pd.DataFrame({"kommunenummer": ["00", "02", "03", "05"], "utleierkategori": "kommunal"})
    w = rake_weights(df, frame, bounds=None)
    collapsed = {(c["margin"], c["category"]): c["into"] for c in w.attrs["collapsed"]}
    # C goes to the non-empty county with fewest municipalities (A and B tie at 3: A by name);
    # the middle class goes to the next smaller class
    assert collapsed == {("fylke", "C"): "A", ("storrelse", "5 000–19 999"): "under 5 000"}
    assert w.sum() == pytest.approx(9)
    # fylke: A (with C) = 6 over 00, 02; B = 3 over 03, 05. size: small (with middle) = 6 over
    # 00, 03; large = 3 over 02, 05. Product form a_r * b_c: a = (6, 3) / .., solved by hand:
    # w00 + w02 = 6, w03 + w05 = 3, w00 + w03 = 6, w02 + w05 = 3 and w00 w05 = w02 w03
    # -> w00 = 4, w02 = 2, w03 = 2, w05 = 1
    assert w.to_numpy() == pytest.approx([4, 2, 2, 1], abs=1e-6)


def test_real_register_margins_are_reproduced(reference_frame_path):
    from analysis.io.frame import load_frame

    frame = load_frame(reference_frame_path)
    assert len(frame) == 356
    # the project's size class agrees with weighting.size_class
    assert (size_class(frame["population"]).astype(str) == frame["storrelse"].astype(str)).all()
    rng = np.random.default_rng(2022)
    pop = frame["population"].to_numpy(dtype=float)
    p = np.clip(0.15 + 0.5 * (np.log(pop) - np.log(pop).min()) / np.ptp(np.log(pop)), 0, 0.9)
    take = rng.random(len(frame)) < p
    sample = frame.loc[take, "kommunenummer"].tolist()
    units = rng.integers(1, 4, len(sample))
    df = pd.DataFrame({"kommunenummer": np.repeat(sample, units), "utleierkategori": "kommunal"})
    df = pd.concat(
        [df, pd.DataFrame({"kommunenummer": [None, "0301"], "utleierkategori": "ideell"})],
        ignore_index=True,
    )
    for bounds in (None, (0.3, 3.0)):
        w = rake_weights(df, frame, bounds=bounds)
        assert w.attrs["converged"] and w.attrs["collapsed"] == []
        assert w.sum() == pytest.approx(356)
        check_margins(df.assign(w=w).dropna(subset=["w"]), frame)
    assert w.attrs["bounded"]


def test_weighting_summary_by_hand():
    s = weighting_summary(pd.Series([2.0, 2.0, 2.0, 2.0]))
    assert s.loc[0, "deff_kish"] == pytest.approx(1.0) and s.loc[0, "n_eff"] == pytest.approx(4)
    # w = 1, 3: n sum w^2 / (sum w)^2 = 2 * 10 / 16 = 1.25, n_eff = 1.6
    s = weighting_summary(np.array([1.0, 3.0]))
    assert list(s.columns) == ["n", "sum", "min", "max", "mean", "deff_kish", "n_eff"]
    assert s.loc[0, "deff_kish"] == pytest.approx(1.25) and s.loc[0, "n_eff"] == pytest.approx(1.6)


def test_frame_problems_are_reported():
    frame, picks = two_by_two()
    df = pd.DataFrame({"kommunenummer": picks, "utleierkategori": "kommunal"})
    with pytest.raises(ValueError, match="lacks"):
        rake_weights(df, frame, margins=("r", "zz"))
    with pytest.raises(ValueError, match="more than once"):
        rake_weights(df, pd.concat([frame, frame.iloc[:1]]), margins=("r",))
    with pytest.raises(ValueError, match="utleierkategori"):
        rake_weights(df.drop(columns="utleierkategori"), frame, margins=("r",))
    none = rake_weights(df.assign(utleierkategori="ideell"), frame, margins=("r",))
    assert none.isna().all()


def unequal_response_sample(seed=2, n_frame=200):
    """The sample of test_bounds_are_enforced_with_margins_kept: large municipalities answer
    far more often, so the unbounded raked weights of small ones fall below 0.45 x mean."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"{i:04d}" for i in range(n_frame)],
            "fylke": rng.choice(list("ABCDE"), n_frame),
            "population": rng.lognormal(9, 1.2, n_frame).round(),
        }
    )
    p = np.where(frame["population"] >= 20000, 0.8, np.where(frame["population"] >= 5000, 0.5, 0.3))
    sample = frame[rng.random(n_frame) < p]
    frame = frame.assign(storrelse=size_class(frame["population"]))
    return frame, pd.DataFrame(
        {"kommunenummer": sample["kommunenummer"], "utleierkategori": "kommunal"}
    )


def test_svy_enforces_the_bounds_its_plain_rake_only_checks():
    import polars as pl
    import svy
    from svy.errors import WeightingError

    frame, df = unequal_response_sample()
    n, N = len(df), len(frame)
    mean = N / n
    sub = frame.set_index("kommunenummer").loc[df["kommunenummer"]]
    controls = {
        m: {str(k): float(v) for k, v in frame[m].value_counts().items() if v}
        for m in ("fylke", "storrelse")
    }
    sample = svy.Sample(
        pl.DataFrame(
            {
                "fylke": sub["fylke"].astype(str).tolist(),
                "storrelse": sub["storrelse"].astype(str).tolist(),
                "w": [mean] * n,
            }
        ),
        svy.Design(wgt="w"),
    )
    # svy's plain rake only checks its bounds on g = w / w0 = w / mean: it refuses here
    with pytest.raises(WeightingError) as err:
        sample.weighting.rake(controls=controls, bounds=(0.5, 2.0), tol=1e-8, max_iter=2000)
    assert err.value.code == "BOUNDS_EXCEEDED"
    free = rake_weights(df, frame, bounds=None)
    assert (free / mean).min() < 0.5
    w = rake_weights(df, frame, bounds=(0.5, 2.0))
    assert w.attrs["bounded"] and w.attrs["converged"]
    assert w.attrs["iterations"] > 2  # the unbounded rake, then svy's trim-rake cycles
    ratio = (w / mean).to_numpy()
    assert ratio.min() >= 0.5 * (1 - 1e-8) and ratio.max() <= 2.0 * (1 + 1e-8)
    assert ratio.min() == pytest.approx(0.5, rel=1e-6)  # the lower bound is active
    merged = df.assign(w=w).merge(frame, on="kommunenummer")
    for m in ("fylke", "storrelse"):
        got = merged.groupby(m, observed=True)["w"].sum()
        want = frame.groupby(m, observed=True).size().astype(float)
        assert np.abs(got / want.loc[got.index] - 1).max() < 1e-6


def simulated(seed):
    rng = np.random.default_rng(seed)
    n_frame = int(rng.integers(60, 300))
    k = int(rng.integers(3, 9))
    frame = pd.DataFrame(
        {
            "kommunenummer": [f"{i:04d}" for i in range(n_frame)],
            "fylke": rng.choice([f"F{i}" for i in range(k)], n_frame),
            "population": rng.lognormal(9, 1.2, n_frame).round(),
        }
    )
    frame["storrelse"] = size_class(frame["population"])
    p = np.select([frame["population"] >= 20000, frame["population"] >= 5000], [0.8, 0.5], 0.2)
    sample = frame[rng.random(n_frame) < p]
    return frame, pd.DataFrame(
        {"kommunenummer": sample["kommunenummer"], "utleierkategori": "kommunal"}
    )


# seeds and bounds: binding and feasible, so svy's trim-rake cycle enforces them (0, 12, 38 at
# (0.5, 2); 24 at (0.6, 1.6)), not binding (24 at (0.5, 2)), a control out of reach of the bounds
# (0, 2, 12, 38 at (0.6, 1.6)), and margins out of reach only jointly, so that svy's cycle runs
# and fails (2 at (0.5, 2)); the kinds were read off attrs["iterations"] (137/36/153/50, 1, 2, 2002)
@pytest.mark.parametrize("seed", [0, 2, 12, 24, 38])
@pytest.mark.parametrize("bounds", [(0.5, 2.0), (0.6, 1.6)])
def test_bounds_met_exactly_when_a_linear_program_finds_them_feasible(seed, bounds):
    from scipy.optimize import linprog

    frame, df = simulated(seed)
    N, n = len(frame), len(df)
    lo, hi = bounds[0] * N / n, bounds[1] * N / n
    sub = frame.set_index("kommunenummer").loc[df["kommunenummer"]]
    assert all(set(frame[m]) == set(sub[m]) for m in ("fylke", "storrelse"))  # nothing to collapse
    rows, totals = [], []
    for m in ("fylke", "storrelse"):
        for cat, count in frame[m].value_counts().items():
            if count:
                rows.append((sub[m] == cat).to_numpy(float))
                totals.append(count)
    # independent feasibility oracle: is there w in [lo, hi]^n meeting every margin?
    feasible = (
        linprog(
            np.zeros(n), A_eq=np.array(rows), b_eq=totals, bounds=[(lo, hi)] * n, method="highs"
        ).status
        == 0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = rake_weights(df, frame, bounds=bounds)
    assert w.attrs["converged"] and w.attrs["bounded"] == feasible
    assert bool(caught) != feasible
    check_margins(df.assign(w=w), frame)
    if feasible:
        assert w.min() >= lo * (1 - 1e-8) and w.max() <= hi * (1 + 1e-8)
    else:
        assert w.min() < lo or w.max() > hi


def test_weighting_summary_agrees_with_svy_weight_check():
    import polars as pl
    import svy

    rng = np.random.default_rng(7)
    w = pd.Series(rng.lognormal(0, 0.8, 50))
    w.iloc[[3, 17]] = np.nan
    mine = weighting_summary(w).iloc[0]
    # svy.Sample(...).check().weights: svy's own summary (Kish deff, effective n) of a weight column
    ref = (
        svy.Sample(
            pl.DataFrame({"w": w.tolist()}).with_columns(pl.col("w").fill_nan(None)),
            svy.Design(wgt="w"),
        )
        .check()
        .weights
    )
    assert ref.n_null == 2 and mine["n"] == ref.n_positive == 48
    for ours, theirs in [
        ("sum", "sum"),
        ("min", "min"),
        ("max", "max"),
        ("mean", "mean"),
        ("deff_kish", "deff"),
        ("n_eff", "ess"),
    ]:
        assert mine[ours] == pytest.approx(getattr(ref, theirs), rel=1e-12)
