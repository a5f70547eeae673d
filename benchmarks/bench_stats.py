"""Benchmark: scores plus every group estimate for 10k, 100k and 1,000,000 simulated respondents.

Per size, in a fresh subprocess (so peak memory is that size's alone): build a processed-data
frame (items as Int8, ``kommunenummer``/``fylke`` as string, ``utleierkategori`` and
``storrelse`` as categoricals; not timed), then time

- :func:`analysis.stats.scoring.add_scores`,
- :func:`analysis.stats.estimates.group_means` of the five scores and
- :func:`analysis.stats.estimates.group_proportions` of the seven ``komp`` items,

each by ``utleierkategori``, ``utleiertype``, ``storrelse`` and ``fylke`` (cluster-robust on
``kommunenummer``). Peak memory is the subprocess's ``ru_maxrss`` (whole process, data
included); the resident size after building the data is printed beside it.

Targets: 1,000,000 respondents in under 5 s and under 4 GiB, cost growing linearly.

Run: ``.venv/bin/python benchmarks/bench_stats.py`` (``--sizes 10000 100000`` to choose).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SIZES = (10_000, 100_000, 1_000_000)
BY = ["utleierkategori", "utleiertype", "storrelse", "fylke"]


def simulate(n: int, seed: int = 1):
    import numpy as np
    import pandas as pd

    from analysis.instrument.codebook import SIZE_CLASSES, load_codebook

    rng = np.random.default_rng(seed)
    cols = {}
    for c in load_codebook(1).item_columns:
        if c.startswith(("komp_", "hold_")):
            cols[c] = rng.choice(np.array([1, 2, 3, 4, 5, 9, -1], dtype=np.int8), n)
        elif c.startswith("niva_"):
            cols[c] = rng.choice(np.array([0, 1, 2, 3, 4, 5, 9, -1], dtype=np.int8), n)
        elif c.startswith("forut_"):
            cols[c] = rng.choice(np.array([1, 2, 9, -1], dtype=np.int8), n)
        elif c.startswith("former_"):
            cols[c] = rng.integers(0, 2, n, dtype=np.int8)
    df = pd.DataFrame({c: pd.arrays.IntegerArray(v, v < 0) for c, v in cols.items()})
    n_muni = 356
    muni = rng.integers(0, n_muni, n)
    fylke_of = rng.integers(0, 11, n_muni)
    size_of = rng.integers(0, 3, n_muni)
    typ = rng.choice(np.array([1, 2, 3, 4, 5], dtype=np.int8), n, p=[0.4, 0.15, 0.15, 0.15, 0.15])
    df["utleiertype"] = pd.array(typ, dtype="Int8")
    df["utleierkategori"] = pd.Categorical.from_codes(
        np.select([typ <= 3, typ == 4], [0, 1], 2), categories=["kommunal", "ideell", "kommersiell"]
    )
    knr = np.array([f"{1000 + i:04d}" for i in range(n_muni)], dtype=object)[muni]
    knr[rng.random(n) < 0.05] = None
    df["kommunenummer"] = pd.array(knr, dtype="string")
    df["fylke"] = pd.array(
        np.array([f"Fylke {i}" for i in range(11)], dtype=object)[fylke_of[muni]], dtype="string"
    )
    df["storrelse"] = pd.Categorical.from_codes(
        size_of[muni], categories=list(SIZE_CLASSES), ordered=True
    )
    return df


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def run_one(n: int) -> dict:
    import warnings

    warnings.simplefilter("ignore", FutureWarning)
    from analysis.instrument.codebook import load_codebook
    from analysis.stats.estimates import group_means, group_proportions
    from analysis.stats.scoring import add_scores, score_items

    scores = list(load_codebook(1).scores)

    df = simulate(n)
    base = rss_mib()
    t0 = time.perf_counter()
    scored = add_scores(df)
    t1 = time.perf_counter()
    means = group_means(scored, scores, BY)
    t2 = time.perf_counter()
    props = group_proportions(scored, list(score_items("kompetanse")), BY)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {
        "n": n,
        "scores_s": t1 - t0,
        "means_s": t2 - t1,
        "proportions_s": t3 - t2,
        "total_s": t3 - t0,
        "rss_after_data_mib": base,
        "peak_rss_mib": peak,
        "rows_out": len(means) + len(props),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    results = []
    for n in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(
        f"{'respondents':>12} {'scores s':>9} {'means s':>8} {'props s':>8} {'total s':>8} "
        f"{'s/1M rows':>9} {'RSS data MiB':>12} {'peak MiB':>9}"
    )
    for r in results:
        print(
            f"{r['n']:>12,} {r['scores_s']:>9.3f} {r['means_s']:>8.3f} {r['proportions_s']:>8.3f} "
            f"{r['total_s']:>8.3f} {r['total_s'] / r['n'] * 1e6:>9.3f} {r['rss_after_data_mib']:>12.0f} "
            f"{r['peak_rss_mib']:>9.0f}"
        )
    for a, b in zip(results, results[1:], strict=False):
        print(
            f"time ratio {b['n']:,} / {a['n']:,} rows: {b['total_s'] / a['total_s']:.1f} "
            f"(size ratio {b['n'] / a['n']:.0f})"
        )
    big = [r for r in results if r["n"] >= 1_000_000]
    ok = all(r["total_s"] < 5 and r["peak_rss_mib"] < 4096 for r in big)
    print("targets (1,000,000 in < 5 s and < 4 GiB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
