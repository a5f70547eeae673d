"""The report's frame (issue 14, "Form"), without a browser: the title block, inline SVG figures,
scrolling table boxes, and the PDF command's names, errors and atomic writing.

The browser checks (390 px phone layout, print layout, the PDF itself) are in
``test_report_form_browser.py``.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib.figure import Figure
from test_report import Page, _html_out, _notebook, assert_accessible_structure

from analysis.errors import UserError
from analysis.render import display, report

matplotlib.use("Agg")

#: 2026-12-01 00:00 UTC
DEC_1_2026 = "1796083200"


# -----------------------------------------------------------------------------------------------
# title block
# -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "produced", "publishers", "wave"),
    [
        (
            "nb",
            "Laget 1. desember 2026",
            "Leieboerforeningen og VID vitenskapelige høgskole",
            "Undersøkelsesrunde: demo-2023",
        ),
        ("en", "Produced 1 December 2026", "VID Specialized University", "Survey wave: demo-2023"),
    ],
)
def test_title_block_publishers_wave_and_a_written_date(
    monkeypatch, lang, produced, publishers, wave
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEC_1_2026)
    nb = _notebook(
        [_html_out('<h1 id="top">Tittel</h1><p class="lead">Innledning</p>')],
        [
            _html_out(
                '<h2 id="a">Del A</h2>' + display.table_html(pd.DataFrame({"n": [3]}), caption="C")
            )
        ],
    )
    prepared, _ = report.prepare_for_html(nb)
    html = report.render_html(prepared, lang=lang, title="Tittel", wave="demo-2023")
    assert_accessible_structure(html, lang)
    block = re.search(r'<div class="title-block">(.*?)</div>', html, re.S).group(1)
    assert publishers in block and "Leieboerforeningen" in block and wave in block
    generated = report.GENERATED_RE.findall(html)
    assert len(generated) == 1 and produced in generated[0]
    assert '<time datetime="2026-12-01">' in generated[0]
    # the block sits under the title, before the table of contents
    assert html.index("<h1") < html.index('class="title-block"') < html.index("<nav")


def test_generated_at_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DEC_1_2026)
    assert report._generated_at().isoformat() == "2026-12-01T00:00:00+00:00"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert report._generated_at().year >= 2026


def test_print_style_has_page_numbers_in_the_report_language():
    nb = _notebook([_html_out('<h1 id="top">T</h1>')], [_html_out('<h2 id="a">A</h2>')])
    prepared, _ = report.prepare_for_html(nb)
    nb_html = report.render_html(prepared, lang="nb", title="T")
    en_html = report.render_html(prepared, lang="en", title="T")
    assert 'content: "Side " counter(page) " av " counter(pages);' in nb_html
    assert 'content: "Page " counter(page) " of " counter(pages);' in en_html
    assert "size: A4" in nb_html and "display: table-header-group" in nb_html


# -----------------------------------------------------------------------------------------------
# figures: inline SVG
# -----------------------------------------------------------------------------------------------


def _bars(labels=("kommunal", "ideell")):
    fig = Figure(figsize=(4, 2.5))
    ax = fig.add_subplot()
    ax.bar(list(labels), [61, 55])
    ax.set_title("Kompetanse & <skala>")
    return fig


def test_inline_svg_keeps_text_as_text_and_is_named_by_the_alt_text():
    alt = "Stolper: kommunal 61, ideell 55 (skala 0–100) & mer"
    svg = display.figure_svg_inline(_bars(), alt=alt)
    root = ET.fromstring(svg)  # well-formed XML, so also well-formed inline HTML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    title = root.find(f"{ns}title")
    assert (
        title is not None and title.text == alt and root.get("aria-labelledby") == title.get("id")
    )
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "kommunal" in texts and "ideell" in texts and "Kompetanse & <skala>" in texts
    # the font falls back to any sans-serif offline; text is not drawn as glyph paths
    assert root.get("font-family").endswith("sans-serif")
    assert "DejaVuSans-" not in svg and "<style" not in svg  # no page-wide style rules
    # sized as the PNG was (FIGURE_DPI px per inch), scaling down by its viewBox
    box = [float(v) for v in root.get("viewBox").split()]
    assert abs(float(root.get("width")) - box[2] * display.FIGURE_DPI / 72) < 1


def test_inline_svg_deterministic_and_ids_unique_across_figures():
    a = display.figure_svg_inline(_bars(), alt="Stolper: kommunal 61, ideell 55")
    b = display.figure_svg_inline(_bars(), alt="Stolper: kommunal 61, ideell 55")
    c = display.figure_svg_inline(_bars(("privat", "ideell")), alt="Stolper: privat 61, ideell 55")
    assert a == b
    ids_a = re.findall(r'\bid="([^"]+)"', a)
    ids_c = re.findall(r'\bid="([^"]+)"', c)
    assert ids_a and not set(ids_a) & set(ids_c)
    for svg, ids in ((a, ids_a), (c, ids_c)):  # every reference lands on an id of its own figure
        refs = re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)
        assert refs and set(refs) <= set(ids)


def test_show_figure_puts_svg_in_the_page_and_png_in_the_export(monkeypatch):
    shown = []
    monkeypatch.setattr(
        display, "_display_html", lambda html, export=None: shown.append((html, export))
    )
    data = pd.DataFrame({"Gruppe": ["kommunal", "ideell"], "Snitt": [61.0, 55.0]})
    display.show_figure(
        _bars(), alt="Stolper: kommunal 61, ideell 55", caption="Kompetanse", data=data
    )
    ((html, export),) = shown
    assert html.startswith('<figure class="report-figure"><svg role="img"')
    assert "<img" not in html and "data:image/png" not in html
    assert export["kind"] == "figure" and export["svg"].lstrip().startswith("<?xml")
    import base64

    assert base64.b64decode(export["png"]).startswith(b"\x89PNG")


def test_inline_svg_is_smaller_than_the_png_it_replaces():
    import base64

    fig = _bars()
    display.make_readable(fig)
    svg = display.figure_svg_inline(fig, alt="Stolper: kommunal 61, ideell 55")
    png64 = base64.b64encode(display.figure_png(fig))
    assert len(svg.encode()) < len(png64)


# -----------------------------------------------------------------------------------------------
# tables: their own scrolling box
# -----------------------------------------------------------------------------------------------


def test_table_scrolls_in_a_named_focusable_region():
    df = pd.DataFrame({"Fil": ["frame.csv"], "SHA-256": ["ab" * 32], "Sti": ["a/" * 20]})
    html = display.table_html(df, caption="Sjekksummer", lang="nb")
    page = Page(html)
    assert page.tables[0]["caption"] == "Sjekksummer"
    box = re.search(r'<div class="table-scroll"([^>]*)>', html).group(1)
    assert 'role="region"' in box and 'tabindex="0"' in box and 'aria-label="Sjekksummer"' in box
    assert html.index('class="table-scroll"') < html.index("<table>")
    assert html.index("</table></div>") < html.rindex("</div>")
    # a checksum and a long path may break anywhere (nothing cut at a margin or a phone's edge)
    assert '<td class="checksum">' + "ab" * 32 in html
    assert '<td class="long-word">' + "a/" * 20 in html


# -----------------------------------------------------------------------------------------------
# PDF: names, errors, atomic writing (the printing itself: test_report_form_browser.py)
# -----------------------------------------------------------------------------------------------


def test_pdf_named_after_its_report_internal_never_public(tmp_path):
    for disclosure in ("public", "internal"):
        for lang in ("nb", "en"):
            html = report.report_path("w", lang, root=tmp_path, disclosure=disclosure)
            pdf = report.pdf_path(html)
            assert pdf.parent == html.parent and pdf.suffix == ".pdf"
            assert ("internal" in pdf.name) == (disclosure == "internal")
    names = {
        report.pdf_path(report.report_path("w", lang, root=tmp_path, disclosure=d)).name
        for lang in ("nb", "en")
        for d in ("public", "internal")
    }
    assert names == {
        "findings.pdf",
        "findings.en.pdf",
        "findings.internal.pdf",
        "findings.internal.en.pdf",
    }


def test_pdf_without_chromium_is_one_line(tmp_path):
    html = tmp_path / "findings.html"
    html.write_text("<html></html>")
    with pytest.raises(UserError, match=r"^\S*nowhere/chromium: report --pdf needs Chromium"):
        report.print_pdf(html, chromium=tmp_path / "nowhere" / "chromium")


def test_pdf_without_playwright_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    html = tmp_path / "findings.html"
    html.write_text("<html></html>")
    with pytest.raises(UserError, match=r"needs Playwright: pip install 'analysis\[pdf\]'") as e:
        report.print_pdf(html)
    assert "\n" not in str(e.value)


def _report_dir(tmp_path: Path) -> Path:
    html = report.report_path("w", "nb", root=tmp_path)
    html.parent.mkdir(parents=True)
    html.write_text("<html><body>x</body></html>", encoding="utf-8")
    return html


def test_build_pdf_atomic_and_only_when_the_report_changed(tmp_path, monkeypatch):
    html = _report_dir(tmp_path)
    calls = []
    monkeypatch.setattr(report, "print_pdf", lambda p: calls.append(p) or b"%PDF-1.7 new")
    out, written = report.build_pdf(html, wave="w", root=tmp_path)
    assert written and out == html.with_name("findings.pdf") and out.read_bytes() == b"%PDF-1.7 new"
    assert (out.stat().st_mode & 0o777) == 0o644
    out2, written2 = report.build_pdf(html, wave="w", root=tmp_path)
    assert out2 == out and not written2 and len(calls) == 1  # up to date: not printed again
    assert report.build_pdf(html, wave="w", root=tmp_path, force=True)[1] and len(calls) == 2

    def interrupted(p):
        raise KeyboardInterrupt

    html.write_text("<html><body>changed</body></html>", encoding="utf-8")
    monkeypatch.setattr(report, "print_pdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        report.build_pdf(html, wave="w", root=tmp_path, force=True)
    assert out.read_bytes() == b"%PDF-1.7 new"  # the earlier PDF is intact
    assert not [p for p in html.parent.iterdir() if p.name.endswith(".tmp")]


def test_build_pdf_refuses_a_second_print_at_the_same_time(tmp_path, monkeypatch):
    from analysis.pipeline.faults import wave_lock

    html = _report_dir(tmp_path)
    monkeypatch.setattr(report, "print_pdf", lambda p: b"%PDF")
    with wave_lock("w", "report.findings.pdf", root=tmp_path):
        with pytest.raises(UserError):
            report.build_pdf(html, wave="w", root=tmp_path)
    assert not html.with_name("findings.pdf").exists()


def test_cli_report_has_a_pdf_flag():
    from analysis.cli import build_parser

    args = build_parser().parse_args(["report", "demo-2023", "--pdf", "--lang", "en"])
    assert args.pdf is True and args.lang == "en"
    assert build_parser().parse_args(["report", "demo-2023"]).pdf is False
