"""Faults around ``report``: bad waves, reversed comparisons, internal names, machine paths,
incremental builds, SIGTERM.

Waves are copied from the session's ``demo_root``; builds that start kernels are marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.cli import main
from analysis.render import report

REPORT_PARAMS = """wave = "demo-2023"  # str: the wave
compare_with = None  # str | None: an earlier wave
lang = "nb"  # str: language
disclosure = "public"  # str: disclosure
min_cell = 5  # int: smallest cell
data_root = None  # str | None: project root
"""


def _copy(demo_root: Path, dest: Path) -> Path:
    shutil.copytree(demo_root / "data", dest / "data")
    return dest


def _copy_wave(root: Path, wave: str, new: str, *, raw: bool = True) -> None:
    for kind in ("raw", "processed") if raw else ("processed",):
        shutil.copytree(root / "data" / kind / wave, root / "data" / kind / new)
    if raw:
        path = root / "data" / "raw" / new / "manifest.json"
        m = json.loads(path.read_text())
        m["wave"] = new
        path.write_text(json.dumps(m))


def _toy_findings(root: Path, *code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(REPORT_PARAMS)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell] + [nbformat.v4.new_code_cell(c) for c in code]
    (root / "notebooks").mkdir(exist_ok=True)
    nbformat.write(nb, root / "notebooks" / "06_findings.ipynb")


def _one_line_error(capsys, fragment: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert fragment in err, err
    return err


# ---------------------------------------------------------------------------------------------
# item 14: one clear line, exit 2, before any kernel starts
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def root14(demo_root, tmp_path, monkeypatch):
    root = _copy(demo_root, tmp_path)
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    import papermill

    def no_kernel(*a, **k):
        raise AssertionError("a kernel was started although the request is refused")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    return root


def test_report_on_a_wave_without_kept_rows(root14, capsys):
    _copy_wave(root14, "demo-2023", "empty")
    path = root14 / "data" / "processed" / "empty" / "responses.parquet"
    pd.read_parquet(path).iloc[:0].to_parquet(path)
    assert main(["report", "empty"]) == 2
    _one_line_error(capsys, "has no kept responses")


def test_compare_with_a_wave_lacking_what_is_needed(root14, capsys):
    _copy_wave(root14, "demo-2022", "bare", raw=False)  # processed data but no manifest
    assert main(["report", "demo-2023", "--compare-with", "bare"]) == 2
    _one_line_error(capsys, "comparison wave 'bare' has no manifest")
    _copy_wave(root14, "demo-2022", "noquality")
    (root14 / "data" / "processed" / "noquality" / "quality.json").unlink()
    assert main(["report", "demo-2023", "--compare-with", "noquality"]) == 2
    _one_line_error(capsys, "quality.json")
    _copy_wave(root14, "demo-2022", "broken")
    (root14 / "data" / "processed" / "broken" / "responses.parquet").write_bytes(b"not parquet")
    assert main(["report", "demo-2023", "--compare-with", "broken"]) == 2
    _one_line_error(capsys, "cannot be read")


def test_comparison_with_a_later_wave_is_refused(root14, capsys):
    assert main(["report", "demo-2022", "--compare-with", "demo-2023"]) == 2
    err = _one_line_error(capsys, "is later than 'demo-2022'")
    assert "2023-09-15" in err and "2022" in err


@pytest.mark.slow
def test_failing_findings_notebook_is_one_line(root14, capsys, monkeypatch):
    monkeypatch.undo()  # real kernels here
    monkeypatch.setenv("ANALYSIS_ROOT", str(root14))
    _toy_findings(root14, "x = 1", "raise RuntimeError('planned failure')")
    assert main(["report", "demo-2023"]) == 2
    err = _one_line_error(capsys, "RuntimeError: planned failure")
    assert "reports/demo-2023/notebooks/06_findings.nb.ipynb" in err
    assert (root14 / "reports" / "demo-2023" / "notebooks" / "06_findings.nb.ipynb").is_file()
    assert not (root14 / "reports" / "demo-2023" / "findings.html").exists()


# ---------------------------------------------------------------------------------------------
# items 15, 17, 18 on real builds
# ---------------------------------------------------------------------------------------------


def test_internal_report_names_are_never_the_public_ones():
    names = {
        (lang, d): report.report_path("w", lang, root=Path("/p"), disclosure=d).name
        for lang in ("nb", "en")
        for d in ("public", "internal")
    }
    assert names == {
        ("nb", "public"): "findings.html",
        ("en", "public"): "findings.en.html",
        ("nb", "internal"): "findings.internal.html",
        ("en", "internal"): "findings.internal.en.html",
    }


@pytest.fixture(scope="module")
def built_root(demo_root, tmp_path_factory):
    """A root with the public and the internal nb report of demo-2023 (compared with 2022)."""
    root = _copy(demo_root, tmp_path_factory.mktemp("faults_built"))
    old = os.environ.get("ANALYSIS_ROOT")
    os.environ["ANALYSIS_ROOT"] = str(root)
    try:
        assert main(["report", "demo-2023", "--compare-with", "demo-2022"]) == 0
        public = (root / "reports" / "demo-2023" / "findings.html").read_bytes()
        assert (
            main(["report", "demo-2023", "--compare-with", "demo-2022", "--disclosure", "internal"])
            == 0
        )
    finally:
        if old is None:
            os.environ.pop("ANALYSIS_ROOT", None)
        else:
            os.environ["ANALYSIS_ROOT"] = old
    return root, public


@pytest.mark.slow
def test_internal_report_does_not_overwrite_the_public_one(built_root):
    root, public = built_root
    folder = root / "reports" / "demo-2023"
    assert (folder / "findings.html").read_bytes() == public
    assert "INTERN RAPPORT" not in public.decode("utf-8")
    assert "INTERN RAPPORT" in (folder / "findings.internal.html").read_text(encoding="utf-8")
    nbs = folder / "notebooks"
    assert (nbs / "06_findings.nb.ipynb").is_file() and (
        nbs / "06_findings.internal.nb.ipynb"
    ).is_file()
    public_nb = json.loads((nbs / "06_findings.nb.ipynb").read_text())
    injected = [
        c for c in public_nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    ]
    assert 'disclosure = "public"' in "".join(injected[0]["source"])


@pytest.mark.slow
def test_no_machine_path_in_any_output(built_root):
    root, _ = built_root
    forbidden = {
        str(root),
        os.path.realpath(root),
        os.path.expanduser("~"),
        tempfile.gettempdir(),
        "/tmp/",
    }
    files = [
        p for p in (root / "reports").rglob("*") if p.is_file() and not p.name.endswith(".lock")
    ]
    assert any(p.suffix == ".ipynb" for p in files) and any(p.suffix == ".html" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for f in forbidden:
            assert f not in text, f"{f} in {path.relative_to(root)}"


@pytest.mark.slow
def test_unchanged_report_is_not_rebuilt(built_root, monkeypatch, capsys):
    root, public = built_root
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    import papermill

    def no_kernel(*a, **k):
        raise AssertionError("rebuilt although nothing changed")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    path = root / "reports" / "demo-2023" / "findings.html"
    mtime = path.stat().st_mtime_ns
    assert main(["report", "demo-2023", "--compare-with", "demo-2022"]) == 0
    assert capsys.readouterr().out.startswith("up to date:")
    assert path.stat().st_mtime_ns == mtime and path.read_bytes() == public
    # a changed input builds again (here: refused by the stand-in kernel, so it did try)
    with pytest.raises(report.ReportBuildError, match="rebuilt"):
        report.build_report("demo-2023", compare_with="demo-2022", root=root, min_cell=6)


def test_report_fingerprint_follows_every_input(demo_root, tmp_path):
    root = _copy(demo_root, tmp_path)
    source = tmp_path / "06.ipynb"
    source.write_text("{}")
    kw = dict(
        lang="nb",
        disclosure="public",
        compare_with="demo-2022",
        min_cell=5,
        root=root,
        source=source,
    )
    base = report.report_fingerprint("demo-2023", **kw)
    assert report.report_fingerprint("demo-2023", **kw) == base
    for change in (
        dict(lang="en"),
        dict(disclosure="internal"),
        dict(compare_with=None),
        dict(min_cell=6),
    ):
        assert report.report_fingerprint("demo-2023", **{**kw, **change}) != base, change
    source.write_text('{"cells": []}')
    assert report.report_fingerprint("demo-2023", **kw) != base
    source.write_text("{}")
    q = root / "data" / "processed" / "demo-2022" / "quality.json"  # the compare wave's data
    q.write_text(q.read_text() + " ")
    assert report.report_fingerprint("demo-2023", **kw) != base
    q.write_text(q.read_text()[:-1])
    m = root / "data" / "raw" / "demo-2023" / "manifest.json"
    m.write_text(m.read_text() + " ")
    assert report.report_fingerprint("demo-2023", **kw) != base


# ---------------------------------------------------------------------------------------------
# item 8 (report part): SIGTERM leaves no zero-byte or temporary notebook
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigterm_during_report_cleans_up(demo_root, tmp_path):
    root = _copy(demo_root, tmp_path)
    _toy_findings(
        root,
        "import pathlib, time\npathlib.Path(data_root, 'started').touch()\ntime.sleep(120)",
    )
    nbs = root / "reports" / "demo-2023" / "notebooks"
    nbs.mkdir(parents=True)
    earlier = nbs / "06_findings.nb.ipynb"
    earlier.write_text('{"earlier": "output"}')
    env = {
        "ANALYSIS_ROOT": str(root),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ},
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "report", "demo-2023"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        t0 = time.monotonic()
        while not (root / "started").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() - t0 < 120
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode in (130, 143) and err.strip() == "interrupted", err
    left = sorted(p.name for p in nbs.iterdir())
    assert left == ["06_findings.nb.ipynb"], left  # no .06_findings.*.ipynb temporary file
    assert earlier.read_text() == '{"earlier": "output"}'  # the earlier output intact
    assert not any(
        p.stat().st_size == 0
        for p in (root / "reports").rglob("*")
        if p.is_file() and not p.name.endswith(".lock")
    )
    assert not (root / "reports" / "demo-2023" / "findings.html").exists()


# ---------------------------------------------------------------------------------------------
# item 12 for report: one build of the same report file at a time
# ---------------------------------------------------------------------------------------------


def test_second_build_of_the_same_report_is_refused(root14, capsys):
    import fcntl

    lock = root14 / "reports" / "demo-2023" / ".report.findings.html.lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert main(["report", "demo-2023", "--compare-with", "demo-2022"]) == 2
    _one_line_error(capsys, "another 'report' of wave 'demo-2023' is in progress")
