"""notebooks/00_explore.ipynb in a real JupyterLab, driven by headless Chromium.

Starts JupyterLab (headless, a free port, a random token, the project's kernel) on a copy of the
demo data, opens the notebook, runs all cells, and checks that the interface appears and that
changing a dropdown changes the table, the chart and n. Marked ``lab`` (and ``browser``,
``slow``): ``make test-fast`` skips it, ``make test`` (CI) runs it. Chromium is the system's
(/usr/bin/chromium); nothing is downloaded.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(demo_root, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab_root")
    shutil.copytree(demo_root / "data", root / "data")
    (root / "notebooks").mkdir()
    shutil.copy(REPO / "notebooks" / "00_explore.ipynb", root / "notebooks")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, ANALYSIS_ROOT=str(root), JUPYTER_CONFIG_DIR=str(root / ".jupyter"))
    log = open(root / "lab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.port_retries=0",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:]
                    )
                time.sleep(0.5)
        yield url, token, root
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _caption(page) -> str:
    return page.locator(".widget-html-content caption").first.inner_text()


def test_explore_notebook_runs_and_reacts_in_jupyterlab(browser, lab):
    url, token, root = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/notebooks/00_explore.ipynb?token={token}")
    page.wait_for_function(
        "window.jupyterapp && document.querySelector('.jp-Notebook')", timeout=90_000
    )
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-KernelStatus", timeout=60_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=90_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".widget-html-content caption", timeout=120_000)
    first = _caption(page)
    assert "n = 301" in first, first
    n_before = page.locator(".widget-html-content").first.inner_text()
    img_before = page.locator(".widget-html-content img").first.get_attribute("src")
    by = page.locator(".widget-dropdown", has=page.locator("label", has_text="Inndeling"))
    by.locator("select").select_option(label="Utleierkategori")
    page.wait_for_function(
        "(old) => { const c = document.querySelector('.widget-html-content caption');"
        " return c && c.textContent !== old; }",
        arg=first,
        timeout=60_000,
    )
    assert "etter utleierkategori" in _caption(page)
    assert page.locator(".widget-html-content img").first.get_attribute("src") != img_before
    cat = page.locator(".widget-dropdown", has=page.locator("label", has_text="Utleierkategori"))
    cat.locator("select").select_option(label="Kommersiell")
    page.wait_for_function(
        "() => document.querySelector('.widget-html-content caption')"
        ".textContent.includes('Kommersiell')",
        timeout=60_000,
    )
    assert page.locator(".widget-html-content").first.inner_text() != n_before
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0
    page.close()
