"""Benchmark: the scripted demo pipeline against the same notebooks run one by one with the CLIs.

Three timings, each in a fresh temporary project root (``ANALYSIS_ROOT``), as subprocesses:

1. **pipeline** — ``python -m analysis all``: demo waves, ingest of both, notebooks 01–05 of
   both waves (in-process papermill, one kernel per core, in parallel) and the findings
   reports (nb and en of both waves, when ``analysis.render.report`` exists; otherwise only
   ``python -m analysis demo``/``ingest``/``run`` and the output says so).
2. **naive** — the same demo and ingest commands, then every notebook one after the other
   with the command-line tools: ``papermill IN OUT -p wave … -p data_root ROOT`` followed by
   ``jupyter nbconvert --to html OUT``, for 01–05 of both waves and 06_findings for each
   report (wave x language).
3. **no-change rerun** — in the pipeline's root, ``python -m analysis run demo-2022`` and
   ``python -m analysis run demo-2023 --compare-with demo-2022`` again (nothing changed, so
   nothing executes), interpreter start included.
4. **no-change all** — ``python -m analysis all`` again in the pipeline's root (what a second
   ``make report`` runs): demo, ingest, notebooks and the four reports are all up to date, so
   nothing is written or executed; the script checks that the output says so.

Targets: pipeline <= 0.4 x naive; no-change rerun <= 0.05 x naive; no-change all < 2 s.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py`` (``--keep`` keeps the temporary roots,
``--skip-naive`` leaves out the slow naive timing).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WAVES = (("demo-2022", None), ("demo-2023", "demo-2022"))
NOTEBOOKS = (
    "01_data_quality",
    "02_competence_by_category",
    "03_competence_by_municipality",
    "04_seminar_themes",
    "05_wave_comparison",
)


def _run(cmd: list[str], env: dict, cwd: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-2000:] + r.stderr[-4000:])
        raise SystemExit(f"failed ({r.returncode}): {' '.join(map(str, cmd))}")
    return dt


def _env(root: Path) -> dict:
    env = dict(os.environ)
    env["ANALYSIS_ROOT"] = str(root)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _has_report() -> bool:
    return (
        importlib.util.find_spec("analysis.render.report") is not None
        and (REPO / "notebooks" / "06_findings.ipynb").is_file()
    )


def _declared(notebook: Path) -> set[str]:
    from analysis.pipeline.runner import read_notebook_spec

    return set(read_notebook_spec(notebook).parameters)


def pipeline(root: Path, with_report: bool) -> float:
    env = _env(root)
    py = [sys.executable, "-m", "analysis"]
    if with_report:
        return _run([*py, "all"], env, REPO)
    t = _run([*py, "demo"], env, REPO)
    for wave, _ in WAVES:
        t += _run([*py, "ingest", wave], env, REPO)
    for wave, cmp in WAVES:
        t += _run([*py, "run", wave] + (["--compare-with", cmp] if cmp else []), env, REPO)
    return t


def naive(root: Path, with_report: bool) -> float:
    env = _env(root)
    py = [sys.executable, "-m", "analysis"]
    t = _run([*py, "demo"], env, REPO)
    for wave, _ in WAVES:
        t += _run([*py, "ingest", wave], env, REPO)
    out = root / "naive"
    out.mkdir()
    jobs = []
    for wave, cmp in WAVES:
        for name in NOTEBOOKS:
            jobs.append((name, wave, {"wave": wave, "compare_with": cmp}))
        if with_report:
            for lang in ("nb", "en"):
                jobs.append(
                    (
                        "06_findings",
                        wave,
                        {"wave": wave, "compare_with": cmp, "lang": lang, "disclosure": "public"},
                    )
                )
    for name, wave, params in jobs:
        src = REPO / "notebooks" / f"{name}.ipynb"
        declared = _declared(src) if name != "06_findings" else None
        dst = out / f"{wave}-{name}-{params.get('lang', 'nb')}.ipynb"
        cmd = [str(BIN / "papermill"), str(src), str(dst), "--cwd", str(out), "-k", "python3"]
        for k, v in {**params, "data_root": str(root)}.items():
            if declared is not None and k not in declared:
                continue
            cmd += ["-p", k, "None" if v is None else str(v)]
        t += _run(cmd, env, REPO)
        t += _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(dst)], env, REPO)
    return t


def rerun(root: Path) -> tuple[float, bool, str]:
    """Time ``run`` of both waves; also say whether every notebook was up to date."""
    env = _env(root)
    total, fresh, said = 0.0, True, []
    for wave, cmp in WAVES:
        cmd = [sys.executable, "-m", "analysis", "run", wave] + (
            ["--compare-with", cmp] if cmp else []
        )
        t0 = time.perf_counter()
        r = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
        total += time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(r.stderr[-2000:])
        fresh &= "all 5 notebooks up to date" in r.stderr
        said.append(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "")
    return total, fresh, "; ".join(said)


def rerun_all(root: Path) -> tuple[float, bool, str]:
    """Time ``python -m analysis all`` with nothing changed; say whether nothing was rebuilt."""
    env = _env(root)
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "analysis", "all"], env=env, cwd=REPO, capture_output=True, text=True
    )
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(r.stderr[-2000:])
    said = r.stdout + r.stderr
    fresh = (
        said.count("up to date:") == 4
        and "wrote" not in said
        and said.count("all 5 notebooks up to date") == 2
    )
    return dt, fresh, f"{said.count('up to date:')} reports up to date"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary project roots")
    ap.add_argument("--skip-naive", action="store_true", help="leave out the naive timing")
    args = ap.parse_args(argv)
    with_report = _has_report()
    base = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        a, b = base / "pipeline", base / "naive"
        a.mkdir()
        b.mkdir()
        print(
            f"cores: {os.cpu_count()}; reports included: {'yes' if with_report else 'NO (analysis.render.report missing)'}"
        )
        t_pipe = pipeline(a, with_report)
        print(f"pipeline (python -m analysis all):        {t_pipe:7.1f} s")
        t_naive = None if args.skip_naive else naive(b, with_report)
        if t_naive is not None:
            print(f"naive (papermill + nbconvert CLIs):       {t_naive:7.1f} s")
        t_re, fresh, said = rerun(a)
        if not fresh:  # the package's sources changed since the pipeline ran (a shared checkout)
            print(
                f"  first rerun executed notebooks (package sources changed meanwhile): {t_re:.1f} s"
            )
            t_re, fresh, said = rerun(a)
        print(f"no-change rerun (run x2, incl. startup):  {t_re:7.2f} s   [{said}]")
        if with_report:
            t_all, fresh_all, said_all = rerun_all(a)
            if not fresh_all:  # sources changed meanwhile (a shared checkout): once more
                print(f"  first no-change all rebuilt something: {t_all:.1f} s")
                t_all, fresh_all, said_all = rerun_all(a)
            print(
                f"no-change all (incl. startup):            {t_all:7.2f} s   [{said_all}; "
                f"{'nothing rebuilt' if fresh_all else 'SOMETHING WAS REBUILT'}] (target < 2 s)"
            )
        if t_naive is not None:
            print(f"ratio pipeline/naive: {t_pipe / t_naive:.2f} (target <= 0.40)")
            print(f"ratio rerun/naive:    {t_re / t_naive:.3f} (target <= 0.05)")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
