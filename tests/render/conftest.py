"""Fixtures shared by the browser tests of tests/render/.

``browser``: one headless Chromium for the whole session (the system's ``/usr/bin/chromium``
through Playwright; never downloaded). It lives here, not in a test module, so that every module
uses the same instance: Playwright's sync API cannot run two instances in one thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()
