"""Tests of the findings report: texts, HTML post-processing, and full builds of the demo waves.

Builds (marked slow) share session fixtures: the demo waves are copied from ``demo_root`` into
two fresh project roots; each report is built once and reused by the checks here and in
``test_report_browser.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.errors import UserError
from analysis.questionnaire.sections import git_commit, reason_label
from analysis.render import report
from analysis.render.i18n import TEXTS, placeholders, t

MB = 1024 * 1024
PLACEHOLDER_ALT = "No description has been provided for this image"


# -----------------------------------------------------------------------------------------------
# an HTML inspector shared with the browser tests
# -----------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Headings, tables (caption, header cells, rows), images, figures (inline ``<svg role="img">``:
    the text of their ``<title>``), ids and links of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.headings: list[tuple[int, str]] = []
        self.images: list[dict] = []
        self.figures: list[str] = []
        self.svg_texts: list[str] = []
        self._svg: str | None = None
        self.ids: list[str] = []
        self.links: list[str] = []
        self.tables: list[dict] = []
        self.landmarks: list[str] = []
        self._text: list[str] | None = None
        self._heading_level = 0
        self._cell: dict | None = None
        self._row: list | None = None
        self._table_stack: list[dict] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("main", "nav"):
            self.landmarks.append(tag)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if tag == "svg" and a.get("role") == "img":
            self._svg = "svg"
            self.figures.append("")
            assert a.get("aria-labelledby", "").endswith("-title"), a
        if self._svg and tag in ("title", "text"):
            self._svg = tag
            if tag == "text":
                self.svg_texts.append("")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading_level = int(tag[1])
            self._text = []
        if tag == "table":
            self._table_stack.append({"caption": None, "header": [], "rows": [], "th": []})
        if tag == "caption":
            self._text = []
        if tag == "tr" and self._table_stack:
            self._row = []
        if tag in ("th", "td") and self._table_stack:
            self._cell = {"tag": tag, "attrs": a, "text": ""}

    def handle_endtag(self, tag):
        if self._svg and tag in ("title", "text"):
            self._svg = "svg"
        if tag == "svg":
            self._svg = None
        if re.fullmatch(r"h[1-6]", tag) and self._text is not None:
            self.headings.append((self._heading_level, "".join(self._text).strip()))
            self._text = None
        if tag == "caption" and self._text is not None and self._table_stack:
            self._table_stack[-1]["caption"] = "".join(self._text).strip()
            self._text = None
        if tag in ("th", "td") and self._cell is not None:
            cell = self._cell
            cell["text"] = cell["text"].strip()
            if cell["tag"] == "th":
                self._table_stack[-1]["th"].append(cell["text"])
            if self._row is not None:
                self._row.append(cell)
            self._cell = None
        if tag == "tr" and self._row is not None and self._table_stack:
            tab = self._table_stack[-1]
            if not tab["header"] and all(c["attrs"].get("scope") == "col" for c in self._row):
                tab["header"] = [c["text"] for c in self._row]
            else:
                tab["rows"].append(self._row)
            self._row = None
        if tag == "table" and self._table_stack:
            self.tables.append(self._table_stack.pop())

    def handle_data(self, data):
        if self._svg == "title":
            self.figures[-1] += data
        elif self._svg == "text":
            self.svg_texts[-1] += data
        if self._text is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell["text"] += data


def n_values(page: Page):
    """(table caption, value text) of every cell in an n column (header 'n' or 'n (…)') or n row."""
    for tab in page.tables:
        cols = [i for i, h in enumerate(tab["header"]) if h == "n" or h.startswith("n (")]
        for row in tab["rows"]:
            for i in cols:
                if i < len(row):
                    yield tab["caption"], row[i]["text"]
            if row and row[0]["text"] == "n":
                for c in row[1:]:
                    yield tab["caption"], c["text"]


def assert_accessible_structure(html: str, lang: str) -> Page:
    page = Page(html)
    assert page.html_lang == lang
    levels = [lvl for lvl, _ in page.headings]
    assert levels.count(1) == 1 and levels[0] == 1, page.headings[:3]
    for prev, cur in zip(levels, levels[1:], strict=False):
        assert cur <= prev + 1, f"heading level jumps from h{prev} to h{cur}"
    assert all(text for _, text in page.headings)
    assert "main" in page.landmarks and "nav" in page.landmarks
    assert page.tables, "no tables"
    for tab in page.tables:
        assert tab["caption"], "a table without caption"
        assert tab["th"] and all(h for h in tab["th"]), f"empty header cell in {tab['caption']!r}"
    # figures are inline SVG (text as text) named by their alt text, not images
    assert not page.images, page.images[:1]
    for alt in page.figures:
        assert len(alt.strip()) > 30 and alt.strip() != PLACEHOLDER_ALT, alt
    assert PLACEHOLDER_ALT not in html
    ids = page.ids
    assert len(ids) == len(set(ids)), "duplicate element ids"
    for href in page.links:  # every in-page link resolves; others are the report's own files
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:  # spreadsheet and figure files beside the report (test_report_exports checks them)
            assert re.fullmatch(r"(figures/)?[\w.-]+\.(xlsx|svg|png)", href), href
    # nothing fetched from anywhere: no external src/href, no CDN, no @import
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "require.js" not in html and "MathJax" not in html and "@import" not in html
    return page


# -----------------------------------------------------------------------------------------------
# texts
# -----------------------------------------------------------------------------------------------


def test_every_text_in_both_languages_with_the_same_placeholders():
    for key, texts in TEXTS.items():
        assert set(texts) == {"nb", "en"}, key
        assert texts["nb"].strip() and texts["en"].strip(), key
        assert placeholders(texts["nb"]) == placeholders(texts["en"]), key


def test_text_lookup_errors():
    with pytest.raises(KeyError):
        t("no such key")
    with pytest.raises(ValueError, match="language"):
        t("toc", "de")


def test_reason_labels():
    assert reason_label("duplicate", "nb").startswith("Duplikat")
    assert reason_label("utleiertype 7 unknown", "nb") == "Ukjent utleiertype (kode 7)"


def test_git_commit_outside_a_checkout_is_unknown(tmp_path):
    assert git_commit(tmp_path) == (None, False)


def test_git_commit_inside_this_checkout():
    commit, _ = git_commit()
    if commit is None:
        pytest.skip("not running from a git checkout")
    assert re.fullmatch(r"[0-9a-f]{40}", commit)


# -----------------------------------------------------------------------------------------------
# notebook -> HTML (no kernel)
# -----------------------------------------------------------------------------------------------


def _notebook(*outputs_per_cell, title_tag=True):
    cells = [
        new_markdown_cell("notes for notebook readers", metadata={"tags": ["remove_cell"]}),
        new_code_cell("wave = 'x'", metadata={"tags": ["parameters"]}),
    ]
    for i, outs in enumerate(outputs_per_cell):
        meta = {"tags": ["report-title"]} if i == 0 and title_tag else {}
        cell = new_code_cell(f"call_{i}()", metadata=meta)
        cell.outputs = outs
        cells.append(cell)
    return new_notebook(cells=cells)


def _html_out(html):
    return new_output(
        "display_data", data={"text/html": html, "text/plain": "<IPython.core.display.HTML object>"}
    )


def test_prepare_drops_streams_and_normalises_ids():
    nb = _notebook(
        [
            _html_out('<h1 id="top">T</h1>'),
            new_output("stream", name="stderr", text="FutureWarning: something\n"),
        ]
    )
    nb.metadata["papermill"] = {"input_path": "/tmp/abc/x.ipynb"}
    out, streams = report.prepare_for_html(nb)
    assert streams == ["FutureWarning: something\n"]
    assert [c["id"] for c in out.cells] == ["cell-0", "cell-1", "cell-2"]
    assert out.cells[2].outputs[0]["data"] == {"text/html": '<h1 id="top">T</h1>'}
    assert "papermill" not in out.metadata


@pytest.mark.parametrize(
    "bad",
    [
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
        new_output("execute_result", data={"text/plain": "   a  b\n0  1  2"}, execution_count=3),
    ],
)
def test_prepare_refuses_raw_images_and_plain_text(bad):
    with pytest.raises(report.ReportBuildError, match="cell 2"):
        report.prepare_for_html(_notebook([bad]))


def test_collect_headings_and_toc():
    nb = _notebook(
        [_html_out('<h1 id="top">T</h1>')],
        [_html_out('<h2 id="a">A &amp; B</h2><p>x</p><h3 id="a1">A <em>1</em></h3>')],
        [_html_out('<h2 id="b">B</h2>')],
    )
    heads = report.collect_headings(nb)
    assert heads == [(2, "a", "A & B"), (3, "a1", "A 1"), (2, "b", "B")]
    assert report.toc_html(heads).count("<li>") == 3


def test_render_html_offline_accessible_skeleton():
    nb = _notebook(
        [_html_out('<h1 id="top">Tittel</h1><p class="lead">Innledning</p>')],
        [
            _html_out(
                '<h2 id="a">Del A</h2><div class="report-table"><table><caption>C</caption>'
                '<thead><tr><th scope="col">x</th></tr></thead><tbody><tr><td>1</td></tr>'
                "</tbody></table></div>"
            )
        ],
    )
    prepared, _ = report.prepare_for_html(nb)
    html = report.render_html(prepared, lang="nb", title="Tittel")
    page = assert_accessible_structure(html, "nb")
    assert page.headings == [(1, "Tittel"), (2, "Innhold"), (2, "Del A")]
    assert len(report.GENERATED_RE.findall(html)) == 1
    assert "notes for notebook readers" not in html  # remove_cell
    assert "call_0()" not in html and "wave = " not in html  # no code
    assert "jp-InputPrompt" not in html and "In&nbsp;[" not in html


def test_render_html_internal_banner_and_english():
    nb = _notebook([_html_out('<h1 id="top">Title</h1>')], [_html_out('<h2 id="a">Part</h2>')])
    prepared, _ = report.prepare_for_html(nb)
    html = report.render_html(prepared, lang="en", title="Title", internal=True)
    assert 'lang="en"' in html and "INTERNAL REPORT" in html and ">Contents<" in html


def test_duplicate_heading_ids_refused():
    nb = _notebook(
        [_html_out('<h1 id="top">T</h1>')], [_html_out('<h2 id="a">A</h2><h2 id="a">B</h2>')]
    )
    prepared, _ = report.prepare_for_html(nb)
    with pytest.raises(report.ReportBuildError, match="duplicate heading ids"):
        report.render_html(prepared, lang="nb", title="T")


def test_findings_notebook_is_committed_clean():
    nb = nbformat.read(report.findings_notebook(), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in ("wave", "compare_with", "lang", "disclosure", "min_cell", "data_root"):
        assert re.search(rf"^{name} = .+  # ", params[0].source, re.M), name
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert "def " not in cell.source
    assert sum("report-title" in c.metadata.get("tags", []) for c in nb.cells) == 1


def test_build_report_user_errors(project_tmp):
    with pytest.raises(UserError, match="not ingested"):
        report.build_report("demo-2023", root=project_tmp)
    with pytest.raises(UserError, match="'lang' must be one of nb, en"):
        report.build_report("demo-2023", lang="de", root=project_tmp)
    with pytest.raises(UserError, match="disclosure"):
        report.build_report("demo-2023", disclosure="open", root=project_tmp)


def test_cli_report_unknown_wave_exits_2(project_tmp, capsys):
    from analysis.cli import main

    assert main(["report", "nowave"]) == 2
    assert "not ingested" in capsys.readouterr().err


# -----------------------------------------------------------------------------------------------
# full builds of the demo waves (slow)
# -----------------------------------------------------------------------------------------------


def _copy_root(demo_root: Path, dest: Path) -> Path:
    shutil.copytree(demo_root / "data", dest / "data")
    return dest


@pytest.fixture(scope="session")
def report_roots(demo_root, tmp_path_factory):
    a = _copy_root(demo_root, tmp_path_factory.mktemp("report_a"))
    b = _copy_root(demo_root, tmp_path_factory.mktemp("report_b"))
    return a, b


@pytest.fixture(scope="session")
def built(report_roots):
    """Lazily built reports, keyed (root index, wave, lang, compare_with, min_cell) -> Path."""
    cache: dict = {}

    def get(
        wave="demo-2023",
        lang="nb",
        compare_with="demo-2022",
        min_cell=5,
        root=0,
        disclosure="public",
    ):
        key = (root, wave, lang, compare_with, min_cell, disclosure)
        if key not in cache:
            cache[key] = report.build_report(
                wave,
                lang=lang,
                compare_with=compare_with,
                min_cell=min_cell,
                disclosure=disclosure,
                root=report_roots[root],
            )
        return cache[key]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_build_demo_report(built, report_roots, lang):
    path = built(lang=lang)
    root = report_roots[0]
    assert path == root / "reports" / "demo-2023" / (
        "findings.html" if lang == "nb" else "findings.en.html"
    )
    assert (root / "reports" / "demo-2023" / "notebooks" / f"06_findings.{lang}.ipynb").is_file()
    assert path.stat().st_size < 3 * MB
    html = path.read_text(encoding="utf-8")
    page = assert_accessible_structure(html, lang)
    assert len(page.figures) >= 6
    assert len(page.svg_texts) > 10 * len(page.figures)  # labels are text, not paths
    assert str(root) not in html and "/tmp/" not in html  # no absolute paths
    assert not list(path.parent.glob(".findings*.tmp"))
    first = t("h_key_findings", lang)
    assert [h for _, h in page.headings].index(first) == 2  # h1, contents, then key findings first
    for key in ("h_themes", "h_change", "h_about", "h_provenance", "h_about_reliability"):
        assert any(h == t(key, lang) for _, h in page.headings), key
    assert t("change_none", lang, wave="demo-2023") not in html
    assert "95\u00a0% KI" in html if lang == "nb" else "95% CI" in html


@pytest.mark.slow
def test_report_without_compare_wave(built):
    html = built(wave="demo-2022", compare_with=None).read_text(encoding="utf-8")
    assert t("change_none", "nb", wave="demo-2022") in html
    assert_accessible_structure(html, "nb")


@pytest.mark.slow
def test_two_builds_identical_except_timestamp(built):
    a = built(root=0).read_bytes()
    b = built(root=1).read_bytes()
    strip = lambda s: report.GENERATED_RE.sub("", s.decode("utf-8"))  # noqa: E731
    assert len(report.GENERATED_RE.findall(a.decode())) == 1
    sa, sb = strip(a), strip(b)
    commit = re.compile(r"\b[0-9a-f]{40}\b(?= \(| ?\.|\))")
    ca, cb = commit.findall(sa), commit.findall(sb)
    if ca != cb:
        # someone committed to this checkout between the two builds (helpers work concurrently):
        # only then may the recorded commits differ, and HEAD must indeed have moved
        assert git_commit()[0] != ca[0]
        sa, sb = commit.sub("COMMIT", sa), commit.sub("COMMIT", sb)
    assert sa == sb


def _frame_names(root: Path) -> set[str]:
    names = set()
    for f in (root / "data" / "raw").glob("demo-*/frame.csv"):
        names |= set(pd.read_csv(f, dtype=str)["kommune"].dropna())
    return names


def _free_texts(root: Path) -> set[str]:
    from analysis.clean.ingest import load_processed

    out = set()
    for wave in ("demo-2022", "demo-2023"):
        df = load_processed(wave, root=root)
        for col in ("eksempel", "kommentar"):
            out |= {s for s in df[col].dropna().astype(str) if len(s.strip()) >= 12}
    return out


@pytest.mark.slow
@pytest.mark.parametrize("min_cell", [5, 45])
def test_public_disclosure_on_the_rendered_page(built, report_roots, min_cell):
    """No shown cell rests on min_cell or fewer answers, no municipality, no free text.

    min_cell = 45 forces suppression (the demo has 40 commercial and 60 non-profit landlords).
    """
    html = built(min_cell=min_cell, root=1).read_text(encoding="utf-8")
    page = Page(html)
    seen = 0
    for caption, text in n_values(page):
        if text in (":", "", "."):
            continue
        n = int(text.replace("\u00a0", "").replace(",", ""))
        assert n > min_cell, f"{caption}: n = {n} shown"
        seen += 1
    assert seen > 20
    if min_cell == 45:
        assert any(c["text"] == ":" for tab in page.tables for row in tab["rows"] for c in row)
        assert "Kommersielle utleiere oppgir" not in html  # a suppressed group is never quoted
    names = _frame_names(report_roots[1])
    assert names
    cells = {c["text"] for tab in page.tables for row in tab["rows"] for c in row}
    assert not names & cells, sorted(names & cells)[:5]
    texts = _free_texts(report_roots[1])
    assert texts, "the demo data should hold free text"
    for s in texts:
        assert s not in html
    assert "[fjernet:" not in html


@pytest.mark.slow
def test_internal_report_is_marked(built):
    html = built(disclosure="internal", root=1).read_text(encoding="utf-8")
    assert "INTERN RAPPORT" in html
    assert_accessible_structure(html, "nb")


@pytest.mark.slow
def test_executed_notebook_kept_without_absolute_paths(built, report_roots):
    built(lang="nb")
    nb_path = report_roots[0] / "reports" / "demo-2023" / "notebooks" / "06_findings.nb.ipynb"
    text = nb_path.read_text(encoding="utf-8")
    nb = json.loads(text)
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert str(report_roots[0]) not in json.dumps([c.get("source") for c in nb["cells"]])


# -----------------------------------------------------------------------------------------------
# issue 14: what a housing officer reads and a methodologist signs
# -----------------------------------------------------------------------------------------------


def _text(html: str) -> str:
    """The visible text of a page (tags dropped, entities decoded, whitespace collapsed)."""
    from html import unescape

    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.mark.slow
@pytest.mark.parametrize("wave", ["demo-2023", "demo-2022"])
def test_report_language_reads_as_norwegian(built, wave):
    text = _text(
        built(wave=wave, compare_with="demo-2022" if wave == "demo-2023" else None).read_text(
            encoding="utf-8"
        )
    )
    for bad in (
        "skjult",
        "Generert",
        "klyngebootstrap",
        "(komp)",
        "kommunal utleiere",
        "kommersiell utleiere",
        " 0 enkeltsvar",
        "er ikke sikker",
        "Eksporten (",
        "instrumentversjon",
    ):
        assert bad.lower() not in text.lower(), bad
    # one interval form: never "KI 43–53"
    assert not re.search(r"KI −?\d[\d\u00a0,]*–", text)
    assert "«:» = prikket" in text


@pytest.mark.slow
def test_methods_section_lists_every_item(built):
    html = built().read_text(encoding="utf-8")
    page = Page(html)
    text = _text(html)
    for hid in (
        "about-design",
        "about-responses",
        "about-fieldwork",
        "about-questions",
        "about-differences",
        "about-nonresponse",
        "about-quality",
        "about-weighting",
        "about-reliability",
        "about-disclosure",
    ):
        assert hid in page.ids, hid
    assert 'href="#appendix"' in html  # question wording: the per-question appendix
    assert "Datainnsamlingen pågikk fra 15. september til 31. oktober 2023." in text
    assert "Datafilen (SPSS) ble mottatt 15. november 2023." in text
    assert "Svarprosent" in text and "Kommuner og svar etter fylke" in text
    assert "Kommuner og svar etter kommunestørrelse" in text
    assert "Verktøy: SurveyXact." in text and "Rekruttering:" in text
    assert "Holm-justering" in text and "Ubesvart og «vet ikke» per spørsmål" in text
    assert "tolkes ikke som en skala" in text  # forutsetninger: alpha under 0.6
    # demo-2022 records no count of commercial landlords invited: its rate is "ukjent"
    old = _text(built(wave="demo-2022", compare_with=None).read_text(encoding="utf-8"))
    assert re.search(r"Kommersiell ukjent \d+ ukjent", old)
