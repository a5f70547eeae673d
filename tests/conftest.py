"""Shared fixtures.

- ``project_tmp``: an empty project root (``ANALYSIS_ROOT``) for one test.
- ``reference_frame_path``: the real 2022 municipality register in ``../shared/reference/``
  (test data only; the project never ships it).
- ``browser``: one headless Chromium for the session (system ``/usr/bin/chromium`` through
  Playwright, never downloaded), shared by every browser test module: Playwright's sync API
  cannot run two instances in one thread.
- ``demo_root``: a session-wide project root holding both demo waves written by
  ``analysis.questionnaire.demo.write_demo`` and ingested by ``analysis.clean.ingest.ingest_wave``; read-only for tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# the browser tests start the system's Chromium as report --pdf does
from analysis.render.report import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO_WAVES = ("demo-2022", "demo-2023")


@pytest.fixture(autouse=True)
def _instrument_registry():
    """Instrument versions a test loads from files are forgotten after it (no leaks between tests)."""
    from analysis.instrument import codebook

    saved = dict(codebook._BY_VERSION), dict(codebook._BY_FILE)
    yield
    codebook._BY_VERSION.clear()
    codebook._BY_VERSION.update(saved[0])
    codebook._BY_FILE.clear()
    codebook._BY_FILE.update(saved[1])


@pytest.fixture
def project_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ANALYSIS_ROOT", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def reference_frame_path() -> Path:
    path = SHARED / "reference" / "municipalities_2022.csv"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have shared/ beside the clone")
        pytest.skip(f"{path} not found (shared/ must sit beside the repository)")
    return path


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory) -> Path:
    from analysis.clean.ingest import ingest_wave
    from analysis.questionnaire.demo import write_demo

    root = tmp_path_factory.mktemp("demo_root")
    old = os.environ.get("ANALYSIS_ROOT")
    os.environ["ANALYSIS_ROOT"] = str(root)
    try:
        write_demo(root=root)
        for wave in DEMO_WAVES:
            ingest_wave(wave, root=root)
    finally:
        if old is None:
            os.environ.pop("ANALYSIS_ROOT", None)
        else:
            os.environ["ANALYSIS_ROOT"] = old
    return root




@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: CI must install chromium (apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} not found (install it with: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
