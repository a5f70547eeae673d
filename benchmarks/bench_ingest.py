"""Benchmark: register and ingest a 100,000-response Nettskjema export.

Writes a realistic export (every column of instrument version 1, ``;``-separated and quoted,
blanks, "vet ikke", free text in about a third of the rows with occasional personal data, a few
duplicates, "301" typing errors and out-of-range codes) into a temporary project root, then runs
``ingest_command`` (register: copy read-only, checksum, manifest; ingest: read, validate, redact,
write) and prints the wall time of register + ingest and the peak resident memory of the process
that ingests (``resource.getrusage(RUSAGE_SELF).ru_maxrss``: the export is generated in a child
process so that its memory does not count; the interpreter and imports do).

Run: ``.venv/bin/python benchmarks/bench_ingest.py [--rows N]``. Target: under 5 s and 1 GiB.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from analysis.instrument.codebook import load_codebook


def write_export(path: Path, rows: int, seed: int = 1) -> None:
    cb = load_codebook(1)
    rng = np.random.default_rng(seed)
    cols = {}
    for q in cb.questions.values():
        for c in q.columns:
            if q.type == "text":
                continue
            codes = np.array([str(c) for c in q.codes])
            p = [0.75, 0.25] if q.type == "checkbox" else None
            x = rng.choice(codes, rows, p=p).astype(object)
            x[rng.random(rows) < 0.05] = ""
            cols[c] = x
    cols["utleiertype"] = rng.choice(np.array(["1", "2", "3", "4", "5"]), rows)
    cols["former_ingen"] = np.where(rng.random(rows) < 0.03, "1", "0").astype(object)
    cols["komp_mote"][rng.random(rows) < 0.001] = "7"
    knr = rng.choice(
        np.array(["0301", "1103", "4601", "5001", "301", "", "0301 Oslo"]),
        rows,
        p=[0.3, 0.2, 0.2, 0.2, 0.02, 0.07, 0.01],
    )
    sentences = np.array(
        [
            "Vi har beboermøter to ganger i året og et aktivt beboerråd.",
            "Dialog med leietakerne før rehabiliteringen av blokk C ga gode resultater.",
            "Ring vaktmester på 912 34 567 for mer informasjon.",
            "Skriv til beboer@example.no hvis dere lurer på noe.",
            "Vi prøver å nå flere gjennom digitale kanaler og tolk.",
            "",
        ]
    )
    eks = rng.choice(sentences, rows, p=[0.12, 0.1, 0.01, 0.01, 0.1, 0.66])
    kom = rng.choice(sentences, rows, p=[0.05, 0.05, 0.005, 0.005, 0.04, 0.85])
    ids = np.arange(26_000_000, 26_000_000 + rows).astype(str)
    header = (
        ["$submission_id"]
        + [cb.source_column(c, "nettskjema") for c in cb.item_columns]
        + ["$created", "$answer_time_ms"]
    )
    order = []
    for c in cb.item_columns:
        order.append(
            knr
            if c == "kommunenummer"
            else eks
            if c == "eksempel"
            else kom
            if c == "kommentar"
            else cols[c]
        )
    times = rng.integers(60_000, 2_000_000, rows).astype(str)
    matrix = np.column_stack([ids, *order, np.full(rows, ""), times]).astype(str)
    dup_at = rng.choice(rows - 1, size=max(1, rows // 10_000), replace=False) + 1
    matrix[dup_at, 1:-2] = matrix[dup_at - 1, 1:-2]  # exact duplicates of the previous submission
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    w.writerows(matrix.tolist())
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # child: only write the export
    args = ap.parse_args(argv)
    if args.write:
        write_export(args.write, args.rows)
        return 0
    import subprocess

    from analysis.clean.ingest import ingest_command

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["ANALYSIS_ROOT"] = str(root)
        src = root / "export.csv"
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--write", str(src)], check=True
        )
        t1 = time.perf_counter()
        size = src.stat().st_size
        frame = root / "frame.csv"
        frame.write_text(
            "kommunenummer,kommune,fylkesnummer,fylke,population_2022\n"
            "0301,Hovedby,03,Oslo,700000\n1103,Testvik,11,Rogaland,140000\n"
            "4601,Fiktivdal,46,Vestland,290000\n5001,Liksomby,50,Trøndelag,4200\n",
            encoding="utf-8",
        )
        with contextlib.redirect_stdout(io.StringIO()) as out:
            status = ingest_command(
                wave="bench", register=True, source=src, fmt="auto", instrument=None, frame=frame
            )
        t2 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            status = status or ingest_command(wave="bench")  # re-ingest from the manifest
        t3 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(out.getvalue().strip())
        print(
            f"rows: {args.rows:,}  export: {size / 2**20:.1f} MiB  (generated in {t1 - t0:.1f} s)"
        )
        print(
            f"register + ingest wall time: {t2 - t1:.2f} s; re-ingest from the manifest: {t3 - t2:.2f} s"
        )
        print(f"peak resident memory (ru_maxrss, whole process): {peak / 2**10:.0f} MiB")
        ok = status == 0 and max(t2 - t1, t3 - t2) < 5 and peak < 2**20
        print("target (< 5 s, < 1 GiB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
