"""The notebook pipeline: parameter checking, incremental runs, failures, the CLI path.

Toy notebooks (written here with nbformat) stand in for the analysis notebooks, so these tests
need neither the demo data nor the statistics. Tests that start Jupyter kernels are marked slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.errors import UserError
from analysis.pipeline import runner as pipeline
from analysis.pipeline.runner import (
    convert_value,
    execute_wave,
    parse_parameters_cell,
    plan_wave,
    run_wave,
)

REPO = Path(__file__).resolve().parents[2]

PARAMS_A = """wave = "demo-2023"          # str: the wave to analyse
data_root = None            # str | None: project root holding data/
lang = "nb"                 # str: "nb" or "en"
min_cell = 5                # int: public tables suppress cells of min_cell or fewer
"""
PARAMS_B = """wave = "demo-2023"          # str: the wave to analyse
compare_with = None         # str | None: an earlier wave
data_root = None            # str | None: project root holding data/
alpha = 0.05                # float: 1 - confidence level
weighted = False            # bool: use weights
"""


def _notebook(path: Path, params: str, *code: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# toy"), cell] + [
        nbformat.v4.new_code_cell(c) for c in code
    ]
    nbformat.write(nb, path)
    return path


def _project(tmp_path: Path, *, broken: bool = False) -> tuple[Path, Path]:
    """A project root with two ingested (placeholder) waves and a folder of toy notebooks."""
    root = tmp_path / "root"
    for wave in ("w1", "w2"):
        d = root / "data" / "processed" / wave
        d.mkdir(parents=True)
        (d / "responses.parquet").write_bytes(f"placeholder {wave}".encode())
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(
        nbs / "01_a.ipynb",
        PARAMS_A,
        "import os\nprint('A', wave, lang, min_cell, os.path.isdir(os.path.join(data_root, 'data')))",
    )
    _notebook(nbs / "02_b.ipynb", PARAMS_B, "print('B', wave, compare_with, alpha, weighted)")
    _notebook(nbs / "06_findings.ipynb", PARAMS_A, "raise RuntimeError('06 must not run')")
    if broken:
        _notebook(
            nbs / "03_broken.ipynb", PARAMS_A, "x = 1", "raise ValueError('planned failure')\ny = 2"
        )
    return root, nbs


# ---------------------------------------------------------------------------------------------
# parsing and conversion (fast)
# ---------------------------------------------------------------------------------------------


def test_parse_parameters_cell_reads_names_defaults_and_types():
    p = parse_parameters_cell(PARAMS_B, notebook="02_b")
    assert list(p) == ["wave", "compare_with", "data_root", "alpha", "weighted"]
    assert p["compare_with"].types == ("str", "None") and p["compare_with"].default is None
    assert p["alpha"].types == ("float",) and p["alpha"].default == 0.05
    assert p["weighted"].help == "use weights"


@pytest.mark.parametrize(
    "source, fragment",
    [
        ("x = 1\n", "must state its type"),
        ("x = 1  # integer: no such type\n", "unknown type"),
        ("x = foo()  # int: call\n", "literal default"),
        ("x = 'a'  # int: wrong default\n", "is not int"),
        ("print(1)\n", "may only assign"),
    ],
)
def test_parse_parameters_cell_rejects_malformed_cells(source, fragment):
    with pytest.raises(UserError, match=fragment):
        parse_parameters_cell(source, notebook="nb")


@pytest.mark.parametrize(
    "value, types, expected",
    [
        ("7", ("int",), 7),
        ("-3", ("int", "None"), -3),
        ("None", ("int", "None"), None),
        ("0.1", ("float",), 0.1),
        ("2", ("float",), 2.0),
        ("0,5", ("float",), 0.5),
        ("true", ("bool",), True),
        ("No", ("bool",), False),
        ("public", ("str",), "public"),
        ("None", ("str", "None"), None),
        ("7", ("str",), "7"),
        (3, ("float",), 3.0),
    ],
)
def test_convert_value_to_declared_type(value, types, expected):
    out = convert_value(value, types, name="p", notebook="nb")
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    "value, types",
    [
        ("abc", ("int",)),
        ("1.5", ("int",)),
        ("maybe", ("bool",)),
        ("x", ("float", "None")),
        ("", ("int",)),
    ],
)
def test_convert_value_rejects_wrong_types(value, types):
    with pytest.raises(UserError, match=r"parameter 'p' of notebook nb must be"):
        convert_value(value, types, name="p", notebook="nb")


def test_plan_checks_parameters_before_anything_runs(tmp_path):
    root, nbs = _project(tmp_path)
    with pytest.raises(UserError, match="unknown parameter 'nope'"):
        plan_wave("w2", params={"nope": "1"}, root=root, notebooks_dir=nbs)
    with pytest.raises(UserError, match=r"'min_cell' of notebook 01_a must be int, not 'five'"):
        plan_wave("w2", params={"min_cell": "five"}, root=root, notebooks_dir=nbs)
    with pytest.raises(UserError, match=r"'alpha' of notebook 02_b must be float"):
        plan_wave("w2", params={"alpha": "x"}, root=root, notebooks_dir=nbs)
    with pytest.raises(UserError, match="set by the pipeline"):
        plan_wave("w2", params={"wave": "w1"}, root=root, notebooks_dir=nbs)
    with pytest.raises(UserError, match="not ingested"):
        plan_wave("w3", root=root, notebooks_dir=nbs)
    with pytest.raises(UserError, match="not ingested"):
        plan_wave("w2", compare_with="w9", root=root, notebooks_dir=nbs)
    assert not (root / "reports").exists()


def test_plan_converts_and_distributes_parameters(tmp_path):
    root, nbs = _project(tmp_path)
    out_dir, jobs = plan_wave(
        "w2",
        compare_with="w1",
        params={"min_cell": "3", "alpha": "0.1"},
        root=root,
        notebooks_dir=nbs,
    )
    assert out_dir == root.resolve() / "reports" / "w2" / "notebooks"
    by = {j.spec.name: j.params for j in jobs}
    assert list(by) == ["01_a", "02_b"]  # 06_findings is not the pipeline's
    assert by["01_a"] == {"wave": "w2", "data_root": "../../..", "min_cell": 3}
    assert by["02_b"] == {"wave": "w2", "compare_with": "w1", "data_root": "../../..", "alpha": 0.1}


def test_fingerprint_follows_inputs(tmp_path):
    root, nbs = _project(tmp_path)

    def fps(**kw):
        return {
            j.spec.name: j.fingerprint
            for j in plan_wave("w2", root=root, notebooks_dir=nbs, **kw)[1]
        }

    base = fps()
    assert fps() == base
    assert fps(params={"min_cell": "3"})["01_a"] != base["01_a"]
    assert fps(params={"min_cell": "3"})["02_b"] == base["02_b"]  # 02 does not take min_cell
    with_cmp = fps(compare_with="w1")
    assert with_cmp["01_a"] == base["01_a"] and with_cmp["02_b"] != base["02_b"]
    (root / "data" / "processed" / "w2" / "quality.json").write_text("{}")
    assert fps()["01_a"] != base["01_a"]
    before = fps(compare_with="w1")["02_b"]
    (root / "data" / "processed" / "w1" / "responses.parquet").write_bytes(b"changed")
    assert fps(compare_with="w1")["02_b"] != before


# ---------------------------------------------------------------------------------------------
# incremental bookkeeping with a stand-in executor (fast)
# ---------------------------------------------------------------------------------------------


def test_incremental_runs_with_counting_executor(tmp_path, monkeypatch):
    root, nbs = _project(tmp_path)
    calls = []

    def fake_execute(job, out_dir, summary, lock, fingerprints):
        with lock:  # jobs run in threads
            calls.append(job.spec.name)
            (out_dir / job.spec.path.name).write_text("{}")
            fingerprints[job.spec.name] = job.fingerprint
            pipeline._write_fingerprints(out_dir, fingerprints)
            summary.executed.append(job.spec.name)

    monkeypatch.setattr(pipeline, "_execute", fake_execute)
    kw = dict(root=root, notebooks_dir=nbs, progress=False)
    assert execute_wave("w2", **kw).executed == ["01_a", "02_b"]
    again = execute_wave("w2", **kw)
    assert again.executed == [] and again.skipped == ["01_a", "02_b"]
    assert execute_wave("w2", params={"lang": "en"}, **kw).executed == ["01_a"]
    assert execute_wave("w2", force=True, **kw).executed == ["01_a", "02_b"]
    (root / "reports" / "w2" / "notebooks" / "02_b.ipynb").unlink()
    assert execute_wave("w2", **kw).executed == ["02_b"]
    nb = nbs / "01_a.ipynb"
    nb.write_text(nb.read_text().replace("print('A'", "print('AA'"))
    assert execute_wave("w2", **kw).executed == ["01_a"]
    assert sorted(calls) == sorted(["01_a", "02_b", "01_a", "01_a", "02_b", "02_b", "01_a"])
    stored = json.loads((root / "reports" / "w2" / "notebooks" / ".fingerprints.json").read_text())
    assert set(stored) == {"01_a", "02_b"}


def test_no_change_rerun_imports_nothing_heavy(tmp_path, monkeypatch):
    """The up-to-date path must not import pandas, papermill, nbformat or matplotlib."""
    root, nbs = _project(tmp_path)
    out = root / "reports" / "w2" / "notebooks"
    out.mkdir(parents=True)
    _, jobs = plan_wave("w2", root=root, notebooks_dir=nbs)
    for j in jobs:
        (out / j.spec.path.name).write_text("{}")
    pipeline._write_fingerprints(out, {j.spec.name: j.fingerprint for j in jobs})
    code = (
        "import sys, time; t=time.perf_counter(); from analysis.cli import main; "
        "rc = main(['run', 'w2']); "
        "heavy = [m for m in ('pandas', 'papermill', 'nbformat', 'matplotlib', 'numpy') if m in sys.modules]; "
        "print(rc, heavy)"
    )
    env = {"ANALYSIS_ROOT": str(root), "PATH": "/usr/bin:/bin"}
    # notebooks_dir defaults to ROOT/notebooks: point it at the toy notebooks
    (root / "notebooks").symlink_to(nbs, target_is_directory=True)
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    elapsed = time.perf_counter() - t0
    assert r.stdout.strip() == "0 []", r.stderr
    assert "up to date" in r.stderr
    assert elapsed < 2.0  # generous: typically ~0.1 s including interpreter start


# ---------------------------------------------------------------------------------------------
# real execution with papermill (slow: starts kernels)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_real_run_incremental_and_relative_paths(tmp_path):
    root, nbs = _project(tmp_path)
    s = execute_wave(
        "w2",
        compare_with="w1",
        params={"min_cell": "3", "weighted": "yes"},
        root=root,
        notebooks_dir=nbs,
        progress=False,
    )
    assert s.status == 0 and s.executed == ["01_a", "02_b"], s.messages
    out = root / "reports" / "w2" / "notebooks"
    a = nbformat.read(out / "01_a.ipynb", as_version=4)
    text = "".join(
        o.get("text", "") for c in a.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "A w2 nb 3 True" in text  # data_root resolved relative to the output folder
    b = (out / "02_b.ipynb").read_text()
    assert "B w2 w1 0.05 True" in b
    for f in out.glob("*.ipynb"):
        assert str(tmp_path) not in f.read_text(), f"absolute path in {f.name}"
    assert not (out / "06_findings.ipynb").exists() and not (out / ".tmp").exists()
    again = execute_wave(
        "w2",
        compare_with="w1",
        params={"min_cell": "3", "weighted": "yes"},
        root=root,
        notebooks_dir=nbs,
        progress=False,
    )
    assert again.executed == [] and again.skipped == ["01_a", "02_b"]
    changed = execute_wave(
        "w2",
        compare_with="w1",
        params={"min_cell": "4", "weighted": "yes"},
        root=root,
        notebooks_dir=nbs,
        progress=False,
    )
    assert changed.executed == ["01_a"]


@pytest.mark.slow
def test_failure_keeps_previous_outputs_and_names_the_cell(tmp_path, capsys):
    root, nbs = _project(tmp_path)
    assert run_wave("w2", root=root, notebooks_dir=nbs, jobs=2) == 0
    out = root / "reports" / "w2" / "notebooks"
    before = {p.name: p.read_bytes() for p in out.glob("*.ipynb")}
    fps_before = (out / ".fingerprints.json").read_text()
    _notebook(
        nbs / "03_broken.ipynb", PARAMS_A, "x = 1", "raise ValueError('planned failure')\ny = 2"
    )
    # and break 01 too, so that an earlier good output exists for a failing notebook
    _notebook(nbs / "01_a.ipynb", PARAMS_A, "raise KeyError('gone')")
    capsys.readouterr()
    status = run_wave("w2", root=root, notebooks_dir=nbs, jobs=2)
    err = capsys.readouterr().err
    assert status == 1
    assert "notebook 03_broken failed in cell 3 (\"raise ValueError('planned failure')\")" in err
    assert "ValueError: planned failure" in err
    assert "notebook 01_a failed in cell 2" in err and "KeyError" in err
    assert {p.name: p.read_bytes() for p in out.glob("*.ipynb")} == before  # untouched
    assert (out / "failed" / "03_broken.ipynb").is_file() and (
        out / "failed" / "01_a.ipynb"
    ).is_file()
    failed = nbformat.read(out / "failed" / "03_broken.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in failed.cells for o in c.get("outputs", []))
    assert json.loads((out / ".fingerprints.json").read_text()) == json.loads(fps_before)


@pytest.mark.slow
def test_cli_run_reports_user_errors_with_exit_2(tmp_path):
    root, nbs = _project(tmp_path)
    (root / "notebooks").symlink_to(nbs, target_is_directory=True)
    env = {"ANALYSIS_ROOT": str(root), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "w2", "-p", "min_cell=many"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "error: parameter 'min_cell' of notebook 01_a must be int, not 'many'"
    )
    r = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "w2", "-p", "colour=red"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 2 and "unknown parameter 'colour'" in r.stderr
