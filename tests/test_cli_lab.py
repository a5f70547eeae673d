"""``python -m analysis lab``: runs as root, headless and on a chosen port (issue 11, item 16)."""

from __future__ import annotations

import subprocess

import pytest

from analysis import cli


@pytest.fixture
def calls(monkeypatch, tmp_path):
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    seen: list[list[str]] = []
    monkeypatch.setattr(subprocess, "call", lambda cmd, **kw: seen.append(list(cmd)) or 0)
    return seen


@pytest.mark.parametrize("euid, root_flag", [(0, True), (1000, False)])
def test_lab_headless_port_and_root(calls, monkeypatch, tmp_path, euid, root_flag):
    monkeypatch.setattr(cli.os, "geteuid", lambda: euid)
    assert cli.main(["lab", "--no-browser", "--port", "8890"]) == 0
    cmd = calls[-1]
    assert cmd[1:4] == ["-m", "jupyter", "lab"]
    assert f"--notebook-dir={tmp_path}" in cmd
    assert "--no-browser" in cmd and "--port=8890" in cmd
    assert ("--allow-root" in cmd) is root_flag


def test_lab_defaults_open_a_browser(calls, monkeypatch):
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    assert cli.main(["lab"]) == 0
    assert not any(a.startswith(("--no-browser", "--port", "--allow-root")) for a in calls[-1])


def test_lab_bad_port_is_one_line(calls, capsys):
    assert cli.main(["lab", "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --port must be between 1 and 65535, not 70000\n"
    assert calls == []
