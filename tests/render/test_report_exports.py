"""The report's spreadsheet and figure files (reports/<wave>/findings.xlsx, figures/).

Built reports come from the session fixtures of ``test_report.py``. The spreadsheet is checked
against the HTML page it accompanies: one sheet per table, captions in order, the same numbers
as shown, suppressed cells where the page has them, and no respondent count of ``min_cell`` or
fewer in a public sheet.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import nbformat
import openpyxl
import pytest
from test_report import Page, built, report_roots  # noqa: F401  (session fixtures)

pytestmark = pytest.mark.slow

MIN_CELL = 5


def _without_details(html: str) -> str:
    return re.sub(r"<details>.*?</details>", "", html, flags=re.S)


def _as_number(text: str, lang: str):
    t = text.replace("\u00a0", "").replace("\u2212", "-")
    t = t.replace(",", ".") if lang == "nb" else t.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return None


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_spreadsheet_mirrors_the_page(built, lang):  # noqa: F811
    path = built(lang=lang)
    html = path.read_text(encoding="utf-8")
    xlsx = path.with_suffix(".xlsx")
    assert xlsx.is_file()
    page = Page(_without_details(html))
    wb = openpyxl.load_workbook(xlsx)
    assert len(wb.sheetnames) == len(page.tables) > 5
    assert html.count(f'<a href="{xlsx.name}">') == len(page.tables)
    for ws, tab in zip(wb.worksheets, page.tables, strict=True):
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == tab["caption"]
        assert [str(h) for h in rows[1] if h is not None] == tab["header"]
        body = rows[2 : 2 + len(tab["rows"])]
        for xrow, hrow in zip(body, tab["rows"], strict=True):
            for value, cell in zip(xrow, hrow, strict=False):
                text = cell["text"]
                if text == ":":
                    assert value == ":", (tab["caption"], hrow)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    shown = _as_number(text.rstrip("%").strip(), lang)
                    assert shown is not None and abs(shown - value) < 1e-9, (
                        tab["caption"],
                        text,
                        value,
                    )


@pytest.mark.parametrize("min_cell", [5, 10])
def test_public_spreadsheet_reveals_no_small_count(built, min_cell):  # noqa: F811
    path = built(min_cell=min_cell)
    wb = openpyxl.load_workbook(path.with_suffix(".xlsx"))
    checked = 0
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) if h is not None else "" for h in rows[1]]
        cols = [i for i, h in enumerate(header) if h == "n" or h.startswith("n (")]
        for r in rows[2:]:
            cells = [r[i] for i in cols if i < len(r)]
            if r and r[0] == "n":
                cells += list(r[1:])
            for v in cells:
                if v is None or v == ":":
                    continue
                checked += 1
                assert isinstance(v, int) and v > min_cell, (ws.title, r)
    assert checked > 20


def test_every_figure_written_as_svg_and_png_and_linked(built):  # noqa: F811
    """The page shows each figure as inline SVG; the files offer it as standalone SVG and PNG
    (the PNG carried in the executed notebook's export metadata, never in the page)."""
    path = built()
    html = path.read_text(encoding="utf-8")
    inline = re.findall(r'<figure class="report-figure[^"]*"><svg [^>]*\brole="img"', html)
    assert inline and "data:image/png" not in html
    executed = nbformat.read(path.parent / "notebooks" / "06_findings.nb.ipynb", as_version=4)
    pngs = [
        out["metadata"]["analysis/export"]["png"]
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if out.get("metadata", {}).get("analysis/export", {}).get("kind") == "figure"
    ]
    assert len(pngs) == len(inline)
    for i, b64 in enumerate(pngs, start=1):
        base = path.parent / "figures" / f"findings-{i:02d}"
        assert base.with_suffix(".png").read_bytes() == base64.b64decode(b64)
        root = ET.parse(base.with_suffix(".svg")).getroot()
        assert root.tag.endswith("svg")
        assert f'href="figures/findings-{i:02d}.svg"' in html
        assert f'href="figures/findings-{i:02d}.png"' in html
    assert not (path.parent / "figures" / f"findings-{len(pngs) + 1:02d}.png").exists()


def test_figure_text_is_at_least_9_pt_at_display_size(built):  # noqa: F811
    path = built()
    executed = path.parent / "notebooks" / "06_findings.nb.ipynb"
    nb = nbformat.read(executed, as_version=4)
    sizes = [
        out["metadata"]["analysis/export"]["min_display_pt"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("metadata", {}).get("analysis/export", {}).get("kind") == "figure"
    ]
    assert sizes and min(sizes) >= 9.0, sizes
