"""environment.yml (conda users), pyproject.toml and the lock files must not drift apart.

conda is not available on the development machines, so this test is what keeps the conda
environment honest: same package set as pyproject.toml, same exact versions as the lock.
"""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import REPO


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(path) -> dict[str, str]:
    pins = {}
    for line in (REPO / path).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", line)
        if m:
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def _pyproject() -> tuple[list[Requirement], list[Requirement]]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    run = [Requirement(r) for r in data["project"]["dependencies"]]
    dev = [Requirement(r) for r in data["project"]["optional-dependencies"]["dev"]]
    return run, dev


def _environment() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    pins: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if pip_dep.startswith("-e"):
                    continue
                name, version = pip_dep.split("==")
                pins[_norm(name)] = version
        else:
            if "==" in dep:
                name, version = dep.split("==")
                pins[_norm(name)] = version
    return pins


def test_environment_lists_the_same_packages_as_pyproject():
    run, dev = _pyproject()
    declared = {_norm(r.name) for r in run + dev}
    listed = set(_environment())
    assert listed - declared == set(), "in environment.yml but not in pyproject.toml"
    assert declared - listed == set(), "in pyproject.toml but not in environment.yml"


def test_environment_versions_equal_the_lock():
    lock = _lock("requirements-dev.lock")
    env = _environment()
    drift = {n: (v, lock.get(n)) for n, v in env.items() if lock.get(n) != v}
    assert drift == {}, "environment.yml version != requirements-dev.lock pin (name: (env, lock))"


def test_locks_satisfy_pyproject():
    run, dev = _pyproject()
    runtime_lock, dev_lock = _lock("requirements.lock"), _lock("requirements-dev.lock")
    for req in run:
        assert req.specifier.contains(runtime_lock[_norm(req.name)]), req
        assert runtime_lock[_norm(req.name)] == dev_lock[_norm(req.name)], req
    for req in dev:
        assert req.specifier.contains(dev_lock[_norm(req.name)]), req


def test_environment_python_matches_pyproject():
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    from packaging.specifiers import SpecifierSet

    assert SpecifierSet(data["project"]["requires-python"]).contains(py.split("=")[1] + ".0")
