"""Benchmark: the qualitative strand at a large real-life scale.

A wave with ``--segments`` segments (default 5,000: far more than an input meeting plus the free
text of a few thousand respondents) and the packaged coding frame (15 codes):

- the keyword suggester over every segment (:func:`analysis.qual.suggest.suggest_all`);
- writing one coding sheet and reading it back with every check (:mod:`analysis.qual.sheets`);
- agreement of two coders with 2,000 bootstrap replicates (:func:`analysis.qual.agreement.agreement`).

No target is set by the issue; the figures show that none of these steps is a bottleneck.

Run: ``.venv/bin/python benchmarks/bench_qual.py [--segments N]``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.qual.agreement import agreement
from analysis.qual.codeframe import load_coding_frame
from analysis.qual.sheets import read_sheet, write_sheet
from analysis.qual.suggest import suggest_all

SENTENCES = (
    "Vi har faste beboermøter to ganger i året der leietakerne setter dagsorden.",
    "Et beboerråd har fått et eget budsjett til aktiviteter og dugnad.",
    "Vi trenger mer tid og ressurser til dette arbeidet.",
    "Konflikter mellom naboer tar mye tid, og vi bruker tolk på møtene.",
    "Leietakerne får en oppsummering av hva innspillene førte til.",
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, default=5000)
    n = ap.parse_args().segments
    frame = load_coding_frame()
    rng = np.random.default_rng(1)
    texts = [" ".join(rng.choice(SENTENCES, size=3)) for _ in range(n)]
    seg = pd.DataFrame(
        {"segment_id": [f"w-{i}:eksempel" for i in range(n)], "source": "free_text", "text": texts}
    )
    t = time.perf_counter()
    suggest_all(texts, frame)
    t_suggest = time.perf_counter() - t
    truth = rng.random((n, len(frame.ids))) < 0.2
    coding = pd.DataFrame(truth.astype(int), index=seg["segment_id"], columns=list(frame.ids))
    coding["quote"] = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.xlsx"
        t = time.perf_counter()
        write_sheet(seg, frame, path, coding=coding)
        t_write = time.perf_counter() - t
        t = time.perf_counter()
        back = read_sheet(path, frame, seg["segment_id"])
        t_read = time.perf_counter() - t
        size = path.stat().st_size
    assert (back[list(frame.ids)].to_numpy() == truth).all()
    b = truth ^ (rng.random(truth.shape) < 0.05)
    A = pd.DataFrame(truth.astype(int), columns=list(frame.ids))
    B = pd.DataFrame(b.astype(int), columns=list(frame.ids))
    t = time.perf_counter()
    agreement(A, B, n_boot=2000)
    t_agree = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"segments: {n:,}, codes: {len(frame.ids)}")
    print(f"suggester:              {t_suggest:6.2f} s")
    print(f"write coding sheet:     {t_write:6.2f} s ({size / 1024:.0f} KiB)")
    print(f"read + check sheet:     {t_read:6.2f} s")
    print(f"agreement, 2000 boot:   {t_agree:6.2f} s")
    print(f"peak resident memory:   {peak:6.0f} MiB")


if __name__ == "__main__":
    main()
