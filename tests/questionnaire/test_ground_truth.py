"""The project's estimators recover the planted truth of the demo waves.

``analysis.questionnaire.demo.write_demo`` records in ``data/raw/<wave>/ground_truth.json`` the true values
(Monte Carlo over the demo's design and model) of estimands on the score scales. The
``demo_root`` fixture writes and ingests both demo waves; each estimand is estimated here with
the project's public functions from the processed data and compared with its 95 % confidence
interval.

About 20 intervals per wave cannot all be expected to cover their truth: with correct 95 %
intervals the number of misses is roughly Binomial(K, 0.05). The test therefore asserts

1. every true value lies inside the estimated **99.9 %** interval (a gross error of any
   estimator fails), and
2. the number of 95 % intervals missing their truth is at most the 99.9 % quantile of
   Binomial(K, 0.05) (a systematic under-coverage fails);

and reports every 95 % miss as a warning. Calibration was checked outside the suite: over 40
demo seeds (1 520 intervals) coverage was 97 % for means, 94-96 % for group differences, 97.5 %
for the regression slope, 94 % for theme shares and 95-100 % for the wave changes.

Every estimand kind in the file must be handled: an unknown kind fails the test rather than
being skipped. The Monte Carlo error of the true values (``mc_se``, about 0.03 on the 0-100
scale) is two orders of magnitude below the interval widths and is not added to them.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from scipy import stats

from analysis.paths import raw_dir
from analysis.stats.compare import compare_waves
from analysis.stats.estimates import group_means
from analysis.stats.models import mean_difference, score_regression
from analysis.stats.scoring import add_scores
from analysis.stats.themes import checkbox_shares

WAVES = ("demo-2022", "demo-2023")


def load_truth(wave: str, root) -> list[dict]:
    data = json.loads((raw_dir(wave, root) / "ground_truth.json").read_text(encoding="utf-8"))
    return data["estimands"]


@pytest.fixture(scope="module")
def processed(demo_root) -> dict[str, pd.DataFrame]:
    from analysis.clean.ingest import load_processed

    out = {}
    for wave in WAVES:
        df = load_processed(wave, root=demo_root)
        version = int(df["instrument_version"].iloc[0])
        out[wave] = add_scores(df, version=version)
    return out


def _subset(df: pd.DataFrame, subset: dict | None) -> pd.DataFrame:
    for col, value in (subset or {}).items():
        df = df[(df[col].astype("string") == str(value)).fillna(False)]
    return df


def estimate(
    est: dict, wave: str, data: dict[str, pd.DataFrame], alpha: float = 0.05
) -> tuple[float, float, float, int]:
    """(estimate, ci_low, ci_high, n) of one ground-truth estimand with the project's functions."""
    kind = est["kind"]
    df = _subset(data[wave], est.get("subset"))
    if kind == "mean":
        gv = est.get("group_var", "total")
        by = None if gv in (None, "total") else gv
        r = group_means(df, est["score"], by, alpha=alpha)
        row = (
            r[r["group_var"] == "total"]
            if by is None
            else r[(r["group_var"] == gv) & (r["group"] == str(est["group"]))]
        )
        row = row.iloc[0]
        return row["estimate"], row["ci_low"], row["ci_high"], int(row["n"])
    if kind == "mean_difference":
        r = mean_difference(
            df, est["score"], by=est["group_var"], a=est["a"], b=est["b"], alpha=alpha
        ).iloc[0]
        return r["diff"], r["ci_low"], r["ci_high"], int(r["n_a"] + r["n_b"])
    if kind == "regression_coefficient":
        r = score_regression(df, est["score"], alpha=alpha).set_index("term").loc[est["term"]]
        return r["estimate"], r["ci_low"], r["ci_high"], int(r["n"])
    if kind == "proportion":
        item = est["item"]
        question = item.rsplit("_", 1)[0] if item.startswith("behov_") else item.split("_", 1)[0]
        assert list(est.get("success", [1])) == [1], est
        r = checkbox_shares(df, question, alpha=alpha)
        gv = est.get("group_var", "total")
        r = r[
            (r["variable"] == item) & (r["group_var"] == ("total" if gv in (None, "total") else gv))
        ]
        if gv not in (None, "total"):
            r = r[r["group"] == str(est["group"])]
        row = r.iloc[0]
        return row["estimate"], row["ci_low"], row["ci_high"], int(row["n"])
    if kind == "wave_difference":
        # value = a - b with a the newer wave: compare_waves(b, a) gives a - b
        newer, older = est["a"], est["b"]
        gv = est.get("group_var", "total")
        by = None if gv in (None, "total") else gv
        r = compare_waves(
            data[older], data[newer], scores=[est["score"]], items=[], by=by, alpha=alpha
        )
        r = r[r["group_var"] == gv] if by else r[r["group_var"] == "total"]
        if by:
            r = r[r["group"] == str(est["group"])]
        row = r.iloc[0]
        assert row["comparable"], row
        return row["diff"], row["ci_low"], row["ci_high"], int(row["n_a"] + row["n_b"])
    raise AssertionError(f"estimand kind {kind!r} is not handled by this test: add it")


@pytest.mark.parametrize("wave", WAVES)
def test_truth_inside_confidence_intervals(wave, demo_root, processed):
    entries = load_truth(wave, demo_root)
    assert entries, "ground_truth.json lists no estimands"
    misses, gross = [], []
    for e in entries:
        est, lo, hi, n = estimate(e["estimand"], wave, processed)
        line = f"{wave} {e['id']}: truth {e['value']:.3f}, estimate {est:.3f}, 95 % CI [{lo:.3f}, {hi:.3f}], n={n}"
        if not lo <= e["value"] <= hi:
            misses.append(line)
            _, lo3, hi3, _ = estimate(e["estimand"], wave, processed, alpha=0.001)
            if not lo3 <= e["value"] <= hi3:
                gross.append(f"{line}; 99.9 % CI [{lo3:.3f}, {hi3:.3f}]")
    assert not gross, "true values outside even the 99.9 % CI:\n" + "\n".join(gross)
    allowed = int(stats.binom.ppf(0.999, len(entries), 0.05))
    for m in misses:
        warnings.warn(f"ground truth outside the 95 % CI (sampling): {m}", stacklevel=1)
    assert len(misses) <= allowed, (
        f"{len(misses)} of {len(entries)} true values outside the 95 % CI "
        f"(at most {allowed} expected):\n" + "\n".join(misses)
    )


def test_every_estimand_kind_is_covered(demo_root):
    kinds = {e["estimand"]["kind"] for w in WAVES for e in load_truth(w, demo_root)}
    assert kinds <= {
        "mean",
        "mean_difference",
        "regression_coefficient",
        "proportion",
        "wave_difference",
    }
    assert "wave_difference" in kinds and "regression_coefficient" in kinds
