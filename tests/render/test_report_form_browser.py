"""The report on a phone, on paper and as a PDF, in headless Chromium (issue 14, "Form").

- at 390 CSS px (a phone) nothing is wider than the page outside a box that scrolls sideways
  (walking the whole DOM, with every "numbers behind the figure" box closed and then open), the
  page does not scroll sideways, tables scroll in their own box by keyboard, and axe-core finds
  no violation;
- printed (print media at the A4 text width) no table or cell is wider than its box, and the
  numbers behind a figure are left out exactly when they are all in the table printed beside it;
- ``python -m analysis report WAVE --pdf`` writes an A4 PDF whose every page says «Side i av N»,
  which holds every checksum of the provenance table in full, and no table twice (a figure's
  numbers only where the table beside it lacks them); a long table
  repeats its header row on every page and never splits a row (a synthetic report).

The PDF is read with pypdf (text and page size), not with the code that wrote it.
Uses the session fixtures ``browser`` (tests/conftest.py) and ``built`` (test_report.py).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata

import pandas as pd
import pytest
from test_report import built, report_roots  # noqa: F401  (session fixtures)
from test_report_browser import _format_violations

from analysis.render import display, report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = 390
#: A4 (210 mm) less the print style's side margins (2 × 15 mm), in CSS px (96 per inch).
A4_TEXT_PX = round(180 / 25.4 * 96)
A4_PT = (595.28, 841.89)

#: Elements that stick out of the viewport with no sideways-scrolling ancestor.
OUTSIDE = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || r.right <= vw + 0.5) continue;
    let a = el.parentElement, scrolls = false;
    for (; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') { scrolls = true; break; }
    }
    if (!scrolls) out.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right)
                           + ' ' + (el.textContent || '').trim().slice(0, 60));
  }
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, outside: out};
}"""


def _check_phone_page(page) -> dict:
    found = page.evaluate(OUTSIDE)
    assert found["viewport"] == PHONE
    assert not found["outside"], "wider than a phone, outside a scroll box:\n" + "\n".join(
        found["outside"][:20]
    )
    assert found["scrollWidth"] <= PHONE, found["scrollWidth"]
    return found


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_phone_no_sideways_page_scroll_and_axe_clean(browser, built, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    path = built(lang=lang)
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    _check_phone_page(page)
    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, "axe-core violations at 390 px:\n" + _format_violations(violations)

    # the test is not vacuous: some tables are wider than a phone and scroll in their own box,
    # and a keyboard user can scroll one (the box takes focus, the arrow key scrolls it)
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('.table-scroll'))"
        ".filter(b => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1).length"
    )
    assert wide >= 1
    box = None
    boxes = page.locator(".table-scroll")
    for i in range(boxes.count()):
        b = boxes.nth(i)
        if b.evaluate("b => b.checkVisibility() && b.scrollWidth > b.clientWidth + 1"):
            box = b
            break
    assert box is not None
    box.focus()
    assert box.evaluate("b => document.activeElement === b")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())

    # a caption is read without scrolling: it wraps to the screen, not to its wide table
    captions = page.evaluate(
        "Array.from(document.querySelectorAll('caption')).filter(c => c.checkVisibility())"
        ".map(c => c.getBoundingClientRect().right)"
    )
    assert captions and max(captions) <= PHONE, max(captions)
    # every figure scales to the phone
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('figure svg')).map(s => s.getBoundingClientRect().right)"
    )
    assert sizes and max(sizes) <= PHONE

    # the same with every "numbers behind the figure" box open
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    _check_phone_page(page)
    context.close()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_figures_are_inline_svg_with_text_and_a_name(browser, built, lang):  # noqa: F811
    path = built(lang=lang)
    page = browser.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    figures = page.locator("figure.report-figure > svg")
    n = figures.count()
    assert n >= 6 and page.evaluate("document.images.length") == 0
    for i in range(n):
        svg = figures.nth(i)
        assert svg.get_attribute("role") == "img"
        assert svg.evaluate("s => s.querySelectorAll('text').length") > 3
        assert svg.evaluate("s => s.getBBox().width") > 50  # drawn, not empty
    # the accessible names as the browser's accessibility tree computes them (Playwright's role
    # query), each a real description of the figure
    named = page.get_by_role("img", name=re.compile(r".{30,}"))
    assert named.count() == n
    # the figures' words can be found in the page's text (searchable), e.g. an axis label
    text = page.evaluate("document.querySelector('figure svg text:last-of-type').textContent")
    assert text.strip()
    page.close()


#: Text elements of a figure that stick out of its viewBox (cut off by the SVG's edge).
TEXT_OUTSIDE = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('figure svg[role=img]')) {
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      if (t.transform.baseVal.numberOfItems) continue;  // rotated: its box is in its own axes
      const b = t.getBBox();
      if (b.x < vb.x - 1 || b.x + b.width > vb.x + vb.width + 1)
        out.push(t.textContent + ' ' + Math.round(b.x) + '+' + Math.round(b.width) + ' in ' + vb.width);
    }
  }
  return out;
}"""


def test_figure_text_fits_in_the_report_font_and_a_fallback(browser, built):  # noqa: F811
    """Text is measured by matplotlib in DejaVu Sans; set in a narrower fallback font (Arial's
    metrics: Liberation Sans) when DejaVu is missing, it still fits inside the figure."""
    path = built(lang="nb")
    page = browser.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    assert page.evaluate(TEXT_OUTSIDE) == []
    installed = page.evaluate(
        """() => { const c = document.createElement('canvas').getContext('2d'), w = f => {
             c.font = f; return c.measureText('Kommunestørrelse 20 000').width; };
           return w("12px 'Liberation Sans', monospace") !== w('12px monospace'); }"""
    )
    if not installed:
        pytest.skip("Liberation Sans is not installed: the fallback font cannot be tried")
    page.add_style_tag(content="figure svg { font-family: 'Liberation Sans', sans-serif; }")
    assert page.evaluate(TEXT_OUTSIDE) == []
    page.close()


def test_print_layout_nothing_clipped_and_no_table_twice(browser, built):  # noqa: F811
    path = built(lang="nb")
    page = browser.new_page(viewport={"width": A4_TEXT_PX, "height": 1100})
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    clipped = page.evaluate(
        """() => {
      const out = [], vw = document.documentElement.clientWidth;
      for (const t of document.querySelectorAll('table')) {
        if (!t.checkVisibility()) continue;  // not printed
        const box = t.parentElement;
        if (t.scrollWidth > Math.max(t.clientWidth, box.clientWidth) + 1
            || t.getBoundingClientRect().right > vw + 1)
          out.push('table ' + (t.caption ? t.caption.textContent : '?').slice(0, 60));
        for (const c of t.querySelectorAll('th, td'))
          if (c.scrollWidth > c.clientWidth + 1) out.push('cell ' + c.textContent.slice(0, 40));
      }
      return out;
    }"""
    )
    assert not clipped, clipped
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_TEXT_PX
    # the numbers behind a figure are left out of print exactly when every one of them is in the
    # table printed right after the figure (so leaving them out loses nothing); else they print
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    figures = page.evaluate(
        """() => Array.from(document.querySelectorAll('figure.report-figure')).map(f => {
      const d = f.querySelector('details');
      if (!d) return null;
      const cells = t => Array.from(t.querySelectorAll('tbody th, tbody td')).map(c => c.textContent.trim());
      const next = Array.from(document.querySelectorAll('table')).find(t => !f.contains(t) &&
        (f.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING));
      const table = d.querySelector('table');
      return {beside: f.classList.contains('numbers-beside'),
              printed: getComputedStyle(d).display !== 'none' && table.checkVisibility(),
              behind: cells(table), next: next ? cells(next) : []};
    }).filter(x => x)"""
    )
    assert any(f["beside"] for f in figures)
    for f in figures:
        missing = [v for v in f["behind"] if v not in f["next"]]
        if f["beside"]:
            assert not f["printed"] and not missing, missing
        else:
            assert f["printed"], f["behind"][:4]
    page.close()


@pytest.fixture(scope="module")
def pdfs(built, report_roots):  # noqa: F811
    """Both languages' PDFs, written by the command line (``report --pdf``)."""
    out = {}
    for lang in ("nb", "en"):
        html = built(lang=lang)
        env = dict(os.environ, ANALYSIS_ROOT=str(report_roots[0]))
        done = subprocess.run(
            [sys.executable, "-m", "analysis", "report", "demo-2023", "--compare-with", "demo-2022"]
            + ["--lang", lang, "--pdf"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        pdf = report.pdf_path(html)
        assert f"wrote {pdf}" in done.stdout or f"up to date: {pdf}" in done.stdout
        out[lang] = (html, pdf)
    return out


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_pdf_a4_with_page_numbers_full_checksums_no_table_twice(pdfs, lang):
    import pypdf

    html, pdf = pdfs[lang]
    assert pdf.name == ("findings.pdf" if lang == "nb" else "findings.en.pdf")
    assert not [p for p in pdf.parent.iterdir() if p.name.endswith(".tmp")]
    reader = pypdf.PdfReader(pdf)
    pages = reader.pages
    n = len(pages)
    assert 5 <= n <= 40, n
    for p in pages:
        box = p.mediabox
        assert abs(float(box.width) - A4_PT[0]) < 1 and abs(float(box.height) - A4_PT[1]) < 1
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in pages]  # "ﬁ" -> "fi"
    word = "Side {} av {}" if lang == "nb" else "Page {} of {}"
    for i, text in enumerate(texts, start=1):
        assert word.format(i, n) in text, (i, text[-200:])
    source = html.read_text(encoding="utf-8")
    checksums = re.findall(r'<td class="checksum">([0-9a-f]{64})</td>', source)
    squeezed = re.sub(r"\s+", "", "".join(texts))
    assert checksums and all(c in squeezed for c in checksums)
    # the numbers behind a figure are printed only where the table beside it lacks them
    behind = "Tall bak figuren:" if lang == "nb" else "Numbers behind the figure:"
    kept = sum(  # figures with numbers, not marked numbers-beside
        "<details" in f
        for f in re.findall(r'<figure class="report-figure">(.*?)</figure>', source, re.S)
    )
    assert source.count("numbers-beside") >= 1
    assert squeezed.count(re.sub(r"\s+", "", behind)) == kept
    print(f"{pdf.name}: {n} pages, {pdf.stat().st_size} bytes; {html.name}: {len(source)} bytes")


def test_pdf_long_table_repeats_its_header_and_never_splits_a_row(tmp_path, browser):
    import pypdf
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    rows = pd.DataFrame(
        {
            "Rad": [f"rad{i:03d}" for i in range(160)],
            # a cell over several lines: its start and end must print on the same page
            "Tekst": [f"start{i:03d} " + "ord " * 25 + f"slutt{i:03d}" for i in range(160)],
            "Antall": list(range(160)),
        }
    )
    table = display.table_html(rows, caption="En lang tabell", lang="nb")
    html_out = new_output("display_data", data={"text/html": '<h2 id="a">Tabell</h2>' + table})
    title = new_output("display_data", data={"text/html": '<h1 id="top">Prøve</h1>'})
    nb = new_notebook(
        cells=[
            new_code_cell("", metadata={"tags": ["report-title"]}, outputs=[title]),
            new_code_cell("", outputs=[html_out]),
        ]
    )
    prepared, _ = report.prepare_for_html(nb)
    path = tmp_path / "findings.html"
    path.write_text(report.render_html(prepared, lang="nb", title="Prøve"), encoding="utf-8")
    reader = pypdf.PdfReader(io.BytesIO(report.print_pdf(path, browser=browser)))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) >= 3
    for i, text in enumerate(texts, start=1):
        assert f"Side {i} av {len(texts)}" in text
        if i > 1:  # every later page opens with the header row again
            assert "Rad" in text and "Antall" in text, text[:300]
        for m in re.finditer(r"start(\d{3})", text):  # a row starts and ends on the same page
            assert f"slutt{m.group(1)}" in text, (i, m.group(1))
    found = sorted({m for t in texts for m in re.findall(r"rad(\d{3})", t)})
    assert found == [f"{i:03d}" for i in range(160)]
