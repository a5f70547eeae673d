"""The findings report in headless Chromium: zero network requests, zero axe-core violations.

The ``browser`` fixture (one Chromium per session) is in ``tests/conftest.py``.

Uses Chromium from the system (``/usr/bin/chromium``; CI installs it from Debian packages) through
Playwright; never downloads a browser. Skipped only when Chromium is absent outside CI. The
reports come from the session fixtures of ``test_report.py`` (each built once). Full-page
screenshots of both languages are saved under ``<pytest basetemp>/screenshots/`` for a person
to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_report import built, report_roots  # noqa: F401  (session fixtures shared with the build tests)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _format_violations(violations) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').strip()[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_offline_and_axe_clean(browser, built, lang, tmp_path_factory):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    path = built(lang=lang)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    external = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not external, f"external requests: {external}"
    assert not failed, f"failed requests: {failed}"
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("h1").count() == 1
    # every figure is drawn (inline SVG) and named by a non-placeholder alt text
    figures = page.evaluate(
        "Array.from(document.querySelectorAll('figure svg[role=img]')).map(s => "
        "[s.getBBox().width, document.getElementById(s.getAttribute('aria-labelledby')).textContent])"
    )
    assert figures and all(w > 0 and len(alt) > 30 for w, alt in figures), figures
    # the table of contents links land on headings
    targets = page.evaluate(
        "Array.from(document.querySelectorAll('nav a')).map(a => a.hash.slice(1))"
    )
    assert targets and all(page.locator(f"#{t_}").count() == 1 for t_ in targets)

    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, "axe-core violations:\n" + _format_violations(violations)

    shots = Path(tmp_path_factory.getbasetemp()) / "screenshots"
    shots.mkdir(exist_ok=True)
    shot = shots / f"findings.{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    report_shots = path.parent / "screenshots"
    report_shots.mkdir(exist_ok=True)
    shutil.copy(shot, report_shots / shot.name)
    print(f"screenshot: {shot}")
    context.close()


def test_print_media_hides_screen_only_parts(browser, built):  # noqa: F811
    """Printing leaves out what only works on a screen, and the numbers behind each figure (the
    table beside the figure has them; test_report_form_browser.py checks that)."""
    path = built(lang="nb")
    page = browser.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    n = page.evaluate("document.querySelectorAll('.numbers-beside details').length")
    assert n > 0
    page.emulate_media(media="print")
    display = (
        "(s) => Array.from(document.querySelectorAll(s)).map(e => getComputedStyle(e).display)"
    )
    for selector in (".skip-link", ".numbers-beside details", ".downloads", ".table-tools"):
        shown = page.evaluate(display, selector)
        assert shown and set(shown) == {"none"}, (selector, shown)
    page.close()
