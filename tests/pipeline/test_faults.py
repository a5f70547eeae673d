"""Faults around ``run``: Ctrl-C and SIGTERM, two runs of one wave, bad parameter values.

Toy notebooks stand in for the analysis notebooks (as in ``test_pipeline.py``). Tests that start
kernels are marked slow.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main
from analysis.pipeline import runner

PARAMS = """wave = "demo-2023"          # str: the wave to analyse
data_root = None            # str | None: project root holding data/
lang = "nb"                 # str: "nb" or "en"
disclosure = "internal"     # str: "internal" or "public"
min_cell = 5                # int: public tables suppress cells of min_cell or fewer
alpha = 0.05                # float: 1 - confidence level
"""


def _notebook(path: Path, *code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(PARAMS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, path)
    return path


def _sleeper(name: str, seconds: float) -> str:
    """Cell code: leave a marker in data_root that the notebook started, then sleep."""
    return (
        "import pathlib, time\n"
        f"pathlib.Path(data_root, 'started-{name}').touch()\n"
        f"time.sleep({seconds})"
    )


def _project(tmp_path: Path, sleeps: dict[str, float]) -> Path:
    root = tmp_path / "root"
    d = root / "data" / "processed" / "w2"
    d.mkdir(parents=True)
    (d / "responses.parquet").write_bytes(b"placeholder")
    nbs = root / "notebooks"
    nbs.mkdir()
    for name, seconds in sleeps.items():
        _notebook(nbs / f"{name}.ipynb", _sleeper(name, seconds))
    return root


def _env(root: Path) -> dict:
    return {
        "ANALYSIS_ROOT": str(root),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ},
    }


def _wait_for(predicate, timeout: float, proc=None) -> None:
    t0 = time.monotonic()
    while not predicate():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended early: {proc.communicate()}")
        if time.monotonic() - t0 > timeout:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# item 11 (and 8 for run): Ctrl-C / SIGTERM stop at once, start nothing new, keep what finished
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_run_promptly_and_keeps_finished_outputs(tmp_path, sig):
    root = _project(
        tmp_path, {"01_fast": 0, "02_slow": 120, "03_slow": 120, "04_never": 0, "05_never": 0}
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "w2", "--jobs", "2"],
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out = root / "reports" / "w2" / "notebooks"
    try:
        _wait_for(
            lambda: (
                (root / "started-02_slow").exists()
                and (root / "started-03_slow").exists()
                and (out / "01_fast.ipynb").exists()
            ),
            120,
            proc,
        )
        time.sleep(0.5)  # the kernels are inside their cells now
        t0 = time.monotonic()
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("run did not stop within 30 s of the signal (notebooks sleep 120 s)")
        elapsed = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (130, 143), err
    # one line (after the progress bar, which ends with a newline when closed)
    assert err.strip().splitlines()[-1] == "interrupted", err
    assert "Traceback" not in err and "rror" not in err and "died" not in err, err
    print(f"stopped {elapsed:.2f} s after the signal")
    assert elapsed < 10, f"stopping took {elapsed:.1f} s"  # target ~1-2 s; generous here
    assert not (root / "started-04_never").exists()  # no new notebook was started
    assert not (root / "started-05_never").exists()
    assert sorted(p.name for p in out.glob("*.ipynb")) == ["01_fast.ipynb"]  # finished kept
    assert set(json.loads((out / ".fingerprints.json").read_text())) == {"01_fast"}
    assert not (out / ".tmp").exists() and not (out / "failed").exists()
    # and a rerun would execute exactly what did not finish
    _, jobs = runner.plan_wave("w2", root=root)
    assert [j.spec.name for j in jobs if j.up_to_date] == ["01_fast"]


# ---------------------------------------------------------------------------------------------
# item 12: one run per wave at a time
# ---------------------------------------------------------------------------------------------


def _fake_execute(calls):
    def fake(job, out_dir, summary, lock, fingerprints, *args, **kwargs):
        with lock:
            calls.append(job.spec.name)
            (out_dir / job.spec.path.name).write_text("{}")
            fingerprints[job.spec.name] = job.fingerprint
            runner._write_fingerprints(out_dir, fingerprints)
            summary.executed.append(job.spec.name)

    return fake


def test_second_run_of_a_wave_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, {"01_a": 0, "02_b": 0})
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    calls: list[str] = []
    monkeypatch.setattr(runner, "_execute", _fake_execute(calls))
    lock_path = root / "reports" / "w2" / ".run.lock"
    lock_path.parent.mkdir(parents=True)
    with open(lock_path, "w") as held:  # another process's run, as far as flock can tell
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["run", "w2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another 'run' of wave 'w2' is in progress" in err, err
    assert calls == []
    assert main(["run", "w2"]) == 0 and calls == ["01_a", "02_b"]  # lock released: runs


@pytest.mark.slow
def test_two_concurrent_runs_second_refused(tmp_path):
    root = _project(tmp_path, {"01_slow": 6})
    env = _env(root)
    first = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "w2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: (root / "started-01_slow").exists(), 120, first)
        second = subprocess.run(
            [sys.executable, "-m", "analysis", "run", "w2", "-p", "lang=en"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        _, err1 = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2
    assert second.stderr.count("\n") == 1 and "in progress" in second.stderr, second.stderr
    assert first.returncode == 0, err1


# ---------------------------------------------------------------------------------------------
# item 13: allowed values, checked before anything runs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["-p", "lang=de"], "'lang' must be one of nb, en, not 'de'"),
        (["-p", "disclosure=open"], "'disclosure' must be one of public, internal"),
        (["-p", "min_cell=-3"], "'min_cell' must be at least 1, not -3"),
        (["-p", "min_cell=0"], "'min_cell' must be at least 1, not 0"),
        (["-p", "alpha=1.5"], "'alpha' must be between 0 and 1"),
        (["-p", "alpha=nan"], "'alpha' must be between 0 and 1"),
        (["--jobs", "0"], "--jobs must be 1 or more, not 0"),
        (["--jobs", "-2"], "--jobs must be 1 or more, not -2"),
    ],
)
def test_parameter_values_checked_before_anything_runs(
    tmp_path, monkeypatch, capsys, args, fragment
):
    root = _project(tmp_path, {"01_a": 0, "02_b": 0})
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    calls: list[str] = []
    monkeypatch.setattr(runner, "_execute", _fake_execute(calls))
    assert main(["run", "w2", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err, err
    assert calls == [] and not (root / "reports" / "w2" / "notebooks").exists()


def test_allowed_values_accept_the_valid_ones(tmp_path, monkeypatch):
    root = _project(tmp_path, {"01_a": 0})
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    calls: list[str] = []
    monkeypatch.setattr(runner, "_execute", _fake_execute(calls))
    args = ["-p", "lang=en", "-p", "disclosure=public", "-p", "min_cell=1", "-p", "alpha=0.1"]
    assert main(["run", "w2", *args, "--jobs", "1"]) == 0 and calls == ["01_a"]


# ---------------------------------------------------------------------------------------------
# item 17: no absolute path of the machine in an executed notebook
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_executed_notebooks_carry_no_machine_path(tmp_path):
    import tempfile

    root = _project(tmp_path, {})
    _notebook(
        root / "notebooks" / "01_paths.ipynb",
        "import os, tempfile, warnings\n"
        "print(os.path.abspath(data_root), os.getcwd())\n"
        "print(os.path.expanduser('~'), tempfile.gettempdir())\n"
        "warnings.warn('file ' + os.path.abspath(os.path.join(data_root, 'data')))",
        "os.path.abspath(data_root)",
    )
    s = runner.execute_wave("w2", root=root, progress=False)
    assert s.executed == ["01_paths"], s.messages
    text = (root / "reports" / "w2" / "notebooks" / "01_paths.ipynb").read_text()
    assert "UserWarning" in text and "file ./data" in text  # the output is there, path scrubbed
    for path in {str(root), os.path.realpath(root), os.path.expanduser("~"), tempfile.gettempdir()}:
        assert path not in text, path


# ---------------------------------------------------------------------------------------------
# item 14 for run: a comparison wave with later fieldwork is refused (notebook 05 compares)
# ---------------------------------------------------------------------------------------------


def test_run_refuses_a_comparison_wave_with_later_fieldwork(tmp_path, monkeypatch, capsys):
    root = _project(tmp_path, {"01_a": 0})
    d = root / "data" / "processed" / "w1"
    d.mkdir(parents=True)
    (d / "responses.parquet").write_bytes(b"placeholder")
    for wave, start in (("w1", "2024-09-01"), ("w2", "2023-09-01")):
        raw = root / "data" / "raw" / wave
        raw.mkdir(parents=True)
        (raw / "manifest.json").write_text(json.dumps({"wave": wave, "fieldwork_start": start}))
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    calls: list[str] = []
    monkeypatch.setattr(runner, "_execute", _fake_execute(calls))
    assert main(["run", "w2", "--compare-with", "w1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'w1' (fieldwork 2024-09-01) is later than 'w2'" in err, err
    assert calls == []
    assert main(["run", "w1", "--compare-with", "w2"]) == 0 and calls == ["01_a"]


# ---------------------------------------------------------------------------------------------
# item 18: 'all' skips writing and ingesting the demo waves when nothing changed
# ---------------------------------------------------------------------------------------------


def test_all_skips_fresh_demo_and_ingest_steps(tmp_path, monkeypatch):
    from analysis import cli
    from analysis.clean import ingest
    from analysis.questionnaire import demo

    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    log: list[str] = []

    def fake_demo(seed, force, root=None):
        log.append("demo")
        for w in cli.DEMO_WAVES:
            d = tmp_path / "data" / "raw" / w
            d.mkdir(parents=True, exist_ok=True)
            (d / "export.csv").write_text(f"{w} {seed}")

    def fake_ingest(wave, **kw):
        log.append(f"ingest {wave}")
        d = tmp_path / "data" / "processed" / wave
        d.mkdir(parents=True, exist_ok=True)
        raw = (tmp_path / "data" / "raw" / wave / "export.csv").read_text()
        (d / "responses.parquet").write_text(raw)

    monkeypatch.setattr(demo, "write_demo", fake_demo)
    monkeypatch.setattr(ingest, "ingest_command", fake_ingest)
    cli._demo_and_ingest(1)
    assert log == ["demo", "ingest demo-2022", "ingest demo-2023"]
    cli._demo_and_ingest(1)  # nothing changed: nothing runs
    assert log == ["demo", "ingest demo-2022", "ingest demo-2023"]
    cli._demo_and_ingest(2)  # another seed: everything again
    assert log[3:] == ["demo", "ingest demo-2022", "ingest demo-2023"]
    (tmp_path / "data" / "processed" / "demo-2023" / "responses.parquet").write_text("edited")
    cli._demo_and_ingest(2)  # an output edited since: that step runs again
    assert log[6:] == ["ingest demo-2023"]
    (tmp_path / "data" / "raw" / "demo-2022" / "export.csv").write_text("edited")
    cli._demo_and_ingest(2)  # a demo output edited: the demo is written again; the export is
    assert log[7:] == ["demo"]  # then the one ingested before, so ingest stays fresh
