"""Benchmark: one update of the exploration interface (notebooks/00_explore.ipynb).

Writes and ingests the demo waves into a temporary project root (not timed), builds an
:class:`analysis.render.explore.Explorer` on ``demo-2023`` (public disclosure), then times
:meth:`Explorer.render`, exactly what a widget change runs (statistics, disclosure control,
table HTML, chart drawn and embedded as PNG), for a cycle of typical choices: questions with and
without a grouping, a checkbox option by county, a score by a question, subsets by landlord
category, size class and county. Each choice is rendered once to warm up, then ``--repeat``
times; the median and the worst wall time and CPU time (``time.process_time``) are printed, with
the machine's load average (on a shared machine wall time grows with the load, CPU time much
less).

Target: one update under 300 ms on a demo wave.

Run: ``.venv/bin/python benchmarks/bench_explore.py`` (``--repeat 5``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

CHOICES = [
    {"question": "komp_mote"},
    {"question": "komp_mote", "by": "utleierkategori"},
    {"question": "forut_budsjett", "by": "storrelse", "category": "kommunal"},
    {"question": "antall_boliger", "by": "utleierkategori"},
    {"question": "behov_metoder", "by": "fylke"},
    {"question": "score:kompetanse", "by": "utleierkategori"},
    {"question": "score:kompetanse", "by": "antall_boliger", "size": "20 000+"},
    {"question": "hold_verdi", "county": None, "category": "ideell"},
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from analysis.clean.ingest import ingest_wave
    from analysis.questionnaire.demo import write_demo
    from analysis.render.explore import Explorer

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_demo(root=root)
        ingest_wave("demo-2023", root=root)
        ex = Explorer("demo-2023", root=root, disclosure="public")
        base = dict(ex.state)
        walls, cpus = [], []
        for choice in CHOICES:
            ex.state.update(base)
            ex.state.update(choice)
            ex.render()  # warm up (first draw of a kind loads fonts and caches)
            w, c = [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                ex.render()
                w.append(time.perf_counter() - t0)
                c.append(time.process_time() - c0)
            walls += w
            cpus += c
            label = ", ".join(f"{k}={v}" for k, v in choice.items() if v is not None)
            print(
                f"{label:<62} wall {1000 * statistics.median(w):6.0f} ms   cpu {1000 * statistics.median(c):6.0f} ms"
            )
    load = os.getloadavg()[0]
    print(
        f"\none update (n={len(walls)}): wall median {1000 * statistics.median(walls):.0f} ms, "
        f"worst {1000 * max(walls):.0f} ms; CPU median {1000 * statistics.median(cpus):.0f} ms, "
        f"worst {1000 * max(cpus):.0f} ms; load average {load:.1f} on {os.cpu_count()} cores"
    )
    print("target: under 300 ms per update")


if __name__ == "__main__":
    main()
