"""Export the inputs of the ordinal logit reference fits (R ``ordinal::clm``).

Run once from the repository root, after ``python -m analysis demo`` and
``python -m analysis ingest demo-2022`` / ``demo-2023``::

    .venv/bin/python tests/stats/reference/export_ordinal_inputs.py
    Rscript tests/stats/reference/ordinal_clm.R

Writes ``tests/stats/reference/ordinal_inputs.csv``: one row per response of each demo wave with
the items ``komp_mote`` and ``komp_konflikt`` as coded in the processed data (9 = "vet ikke"),
the default predictors of :func:`analysis.stats.models.ordinal_regression` (``utleierkategori``,
``storrelse`` as recorded, ``forutsetninger``) and the cluster of the clustering rule
(:func:`analysis.stats.models.cluster_ids`). The R script applies the complete-case rule itself
("vet ikke" and blanks dropped, a missing size class as the level "ukjent").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.clean.ingest import load_processed
from analysis.stats.models import cluster_ids
from analysis.stats.scoring import add_scores

HERE = Path(__file__).resolve().parent
WAVES = {"demo-2022": 1, "demo-2023": 2}
ITEMS = ("komp_mote", "komp_konflikt")
PREDICTORS = ("utleierkategori", "storrelse", "forutsetninger")


def ordinal_inputs(df: pd.DataFrame) -> pd.DataFrame:
    """Items, predictors and cluster of one wave."""
    return pd.DataFrame(
        {
            "row": range(len(df)),
            **{i: df[i].astype("Int64") for i in ITEMS},
            "utleierkategori": df["utleierkategori"].astype("string"),
            "storrelse": df["storrelse"].astype("string"),
            "forutsetninger": df["forutsetninger"].astype("Float64"),
            "cluster": cluster_ids(df),
        }
    )


def main() -> None:
    parts = []
    for wave, version in WAVES.items():
        df = add_scores(load_processed(wave), version=version)
        parts.append(ordinal_inputs(df).assign(wave=wave))
    out = pd.concat(parts, ignore_index=True)
    out = out[["wave", *[c for c in out.columns if c != "wave"]]]
    out.to_csv(HERE / "ordinal_inputs.csv", index=False, float_format="%.17g")
    print(f"wrote {HERE / 'ordinal_inputs.csv'} ({len(out)} rows)")


if __name__ == "__main__":
    main()
