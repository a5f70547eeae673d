"""Export the exact inputs of the design-based group estimates on the demo waves.

Run once from the repository root, after ``python -m analysis demo`` and
``python -m analysis ingest demo-2022`` / ``demo-2023``::

    .venv/bin/python tests/stats/reference/export_domain_inputs.py
    Rscript tests/stats/reference/domain_estimates.R

Writes ``tests/stats/reference/domain_inputs.csv``: one row per response and design
(``census``, ``probability``; the demo waves are registered as convenience waves, so the
design is applied here as a census or probability wave would be), with the values the
estimator sees (scores ``kompetanse`` and ``holdning``, item codes ``komp_mote`` and
``komp_konflikt`` with 9 = "vet ikke"), the grouping variables and the design variables of
:func:`analysis.stats.estimates.estimate_design` (raking weight, stratum, FPC) and the PSU of the
clustering rule (:func:`analysis.stats.models.cluster_ids`). ``domain_estimates.R`` computes the
reference estimates from this file with R's ``survey`` package; the tests read both files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.clean.ingest import load_processed, load_wave_frame
from analysis.stats.estimates import estimate_design
from analysis.stats.models import cluster_ids
from analysis.stats.scoring import add_scores

HERE = Path(__file__).resolve().parent
WAVES = {"demo-2022": 1, "demo-2023": 2}
DESIGNS = ("census", "probability")
VALUES = ("kompetanse", "holdning", "komp_mote", "komp_konflikt")
GROUPS = ("fylke", "storrelse", "utleierkategori")


def design_inputs(df: pd.DataFrame, frame: pd.DataFrame, design: str) -> pd.DataFrame:
    """The values, groups and design variables of one wave under one design."""
    d = estimate_design(df, design=design, frame=frame)
    out = pd.DataFrame(
        {
            "row": range(len(df)),
            **{v: df[v].astype("Float64") for v in VALUES},
            **{g: df[g].astype("string") for g in GROUPS},
            "weight": d["design_weight"].to_numpy(),
            "stratum": d["design_stratum"].to_numpy(),
            "psu": cluster_ids(df),
            "fpc": d["design_fpc"].to_numpy(),
        }
    )
    # R's survey needs an FPC for every row: Inf (sampling fraction 0) where there is none
    out["fpc"] = out["fpc"].fillna(float("inf"))
    return out


def main() -> None:
    parts = []
    for wave, version in WAVES.items():
        df = add_scores(load_processed(wave), version=version)
        frame = load_wave_frame(wave)
        for design in DESIGNS:
            parts.append(design_inputs(df, frame, design).assign(wave=wave, design=design))
    out = pd.concat(parts, ignore_index=True)
    out = out[["wave", "design", *[c for c in out.columns if c not in ("wave", "design")]]]
    out.to_csv(HERE / "domain_inputs.csv", index=False, float_format="%.17g")
    print(f"wrote {HERE / 'domain_inputs.csv'} ({len(out)} rows)")


if __name__ == "__main__":
    main()
