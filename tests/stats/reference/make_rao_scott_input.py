"""Write ``rao_scott_input.csv``: the cases R's svychisq is run on (see ``rao_scott.R``).

Run once from the repository root: ``.venv/bin/python tests/stats/reference/make_rao_scott_input.py``
then ``cd tests/stats/reference && Rscript rao_scott.R``. The cases are two-way tables of the demo
waves (complete cases, "vet ikke" left out, as :func:`analysis.stats.tables.rao_scott` does by
default) with the cluster of every row by the project's rule (:mod:`analysis.stats.estimates`),
plus one synthetic weighted case with few, unequal clusters.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.clean.ingest import ingest_wave, load_processed
from analysis.questionnaire.demo import write_demo
from analysis.stats.estimates import _clusters
from analysis.stats.tables import variable

HERE = Path(__file__).resolve().parent
CASES = [
    ("demo-2022", "komp_mote", "utleierkategori"),
    ("demo-2022", "forut_budsjett", "utleierkategori"),
    ("demo-2022", "antall_boliger", "utleierkategori"),
    ("demo-2022", "komp_planlegge", "storrelse"),
    ("demo-2023", "komp_mote", "utleierkategori"),
    ("demo-2023", "forut_strategi", "antall_boliger"),
    ("demo-2023", "hold_verdi", "utleiertype"),
]


def _rows(df: pd.DataFrame, row: str, col: str) -> pd.DataFrame:
    vr, vc = variable(df, row), variable(df, col)
    pr = vr.values(df).to_numpy(dtype="float64", na_value=np.nan)
    pc = vc.values(df).to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(pr) & ~np.isnan(pc)
    ok &= np.isin(pr, np.flatnonzero(vr.substantive)) & np.isin(pc, np.flatnonzero(vc.substantive))
    d = df[ok]
    psu = _clusters(d, "kommunenummer")
    return pd.DataFrame(
        {
            "psu": [f"c{p}" for p in psu],
            "w": 1.0,
            "row": pr[ok].astype(int),
            "col": pc[ok].astype(int),
        }
    )


def main() -> None:
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_demo(root=root)
        waves = {}
        for wave in sorted({c[0] for c in CASES}):
            ingest_wave(wave, root=root)
            waves[wave] = load_processed(wave, root=root)
        for wave, row, col in CASES:
            part = _rows(waves[wave], row, col)
            part.insert(0, "case", f"{wave}:{row}x{col}")
            parts.append(part)
    # a weighted case: 12 clusters of unequal size, unequal weights, a 3 x 3 table
    rng = np.random.default_rng(20261201)
    n = 150
    psu = rng.integers(0, 12, n)
    effect = rng.normal(0, 0.8, 12)[psu]
    row = np.clip(np.round(1 + effect + rng.normal(0, 0.8, n)), 0, 2).astype(int)
    col = rng.integers(0, 3, n)
    col = np.where(rng.random(n) < 0.3, row, col)
    parts.append(
        pd.DataFrame(
            {
                "case": "synthetic:weighted",
                "psu": [f"p{p}" for p in psu],
                "w": np.round(rng.uniform(0.5, 2.5, n), 3),
                "row": row,
                "col": col,
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out.to_csv(HERE / "rao_scott_input.csv", index=False)
    print(out.groupby("case").size())


if __name__ == "__main__":
    main()
