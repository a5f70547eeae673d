"""Interactive tables of the findings report in headless Chromium: sort by a column header
(keyboard operable, aria-sort announced), search rows, with zero external requests and zero
axe-core violations after both. Uses the session fixtures of test_report / test_report_browser."""

from __future__ import annotations

import pytest
from test_report import built, report_roots  # noqa: F401
from test_report_browser import _format_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Tables of the page itself (not the "numbers behind the figure" inside <details>).
BOXES = ".report-table:not(details .report-table)"
TABLES = BOXES + " > .table-scroll > table"  # a table sits in its own scrolling box


def _column(page, table, col):
    js = (
        "([sel, t, c]) => Array.from(document.querySelectorAll(sel)[t].tBodies[0].rows)"
        ".filter(r => !r.hidden).map(r => r.cells[c].textContent)"
    )
    return page.evaluate(js, [TABLES, table, col])


def _num(text):
    t = text.replace("\u00a0", "").replace("\u2212", "-").replace(",", ".")
    return None if t in (":", ".", "") else float(t)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_sort_and_search_a_report_table(browser, built, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    path = built(lang=lang)
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    # the first score table: Breakdown | Group | n | Mean | CI, with a search box
    t = 0
    headers = page.locator(TABLES).nth(t).locator("thead th button")
    assert headers.count() >= 4
    n_col = [headers.nth(i).inner_text() for i in range(headers.count())].index("n")
    before = _column(page, t, n_col)
    # keyboard: focus the n header button and press Enter -> ascending; Space -> descending
    headers.nth(n_col).focus()
    page.keyboard.press("Enter")
    th = page.locator(TABLES).nth(t).locator("thead th").nth(n_col)
    assert th.get_attribute("aria-sort") == "ascending"
    asc = [_num(x) for x in _column(page, t, n_col)]
    shown = [x for x in asc if x is not None]
    assert shown == sorted(shown) and asc[: len(shown)] == shown  # suppressed (':') last
    assert sorted(_column(page, t, n_col)) == sorted(before)  # same rows, reordered
    page.keyboard.press("Space")
    assert th.get_attribute("aria-sort") == "descending"
    desc = [x for x in (_num(x) for x in _column(page, t, n_col)) if x is not None]
    assert desc == sorted(desc, reverse=True)
    other = page.locator(TABLES).nth(t).locator("thead th").nth(0)
    assert other.get_attribute("aria-sort") is None
    # search: type a group name, only matching rows stay, the count is announced
    box = page.locator(BOXES).nth(t).locator("input[type=search]")
    label = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
    assert label in ("Søk i tabellen", "Search the table")
    group = _column(page, t, 1)[-1]
    box.fill(group)
    rows = page.evaluate(
        "([sel, t]) => Array.from(document.querySelectorAll(sel)[t].tBodies[0].rows)"
        ".filter(r => !r.hidden).map(r => r.textContent.toLowerCase())",
        [TABLES, t],
    )
    assert rows and all(group.lower() in r for r in rows)  # every row left matches
    assert len(rows) < len(before)
    status = page.locator(BOXES).nth(t).locator("[role=status]").inner_text()
    assert str(len(rows)) in status and str(len(before)) in status
    box.fill("")
    assert len(_column(page, t, 1)) == len(before)
    box.fill(group)
    external = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not external, external
    violations = Axe().run(page).response["violations"]
    assert not violations, "axe-core violations:\n" + _format_violations(violations)
    page.close()
