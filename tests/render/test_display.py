"""Tests of the accessible display helpers (analysis.render.display)."""

from __future__ import annotations

import base64
import re
import struct
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.render import display  # noqa: E402
from analysis.render.display import (  # noqa: E402
    SUPPRESSED,
    figure_html,
    figure_png,
    format_number,
    show_figure,
    show_table,
    table_html,
)

NBSP = "\u00a0"


class _Tree(HTMLParser):
    """Collects tags, th texts, captions and attributes of a fragment."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.th: list[str] = []
        self.captions: list[str] = []
        self.cells: list[tuple[str, dict, str]] = []
        self._cur: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("th", "td", "caption"):
            self._cur = [tag, a, ""]
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self._cur and self._cur[0] == tag:
            t, a, text = self._cur
            if t == "th":
                self.th.append(text)
            if t == "caption":
                self.captions.append(text)
            self.cells.append((t, a, text))
            self._cur = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self._cur is not None:
            self._cur[2] += data


def parse(html: str) -> _Tree:
    t = _Tree()
    t.feed(html)
    t.close()
    return t


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234567.891, "nb", 2, f"1{NBSP}234{NBSP}567,89"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (-3.25, "nb", 1, "\u22123,2"),  # banker's rounding of Python's format: -3.25 -> -3.2
        (-3.26, "en", 1, "-3.3"),
        (np.int64(12000), "nb", None, f"12{NBSP}000"),
        (0.04, "nb", None, "0,0"),
        (-0.04, "nb", 1, "0,0"),  # no negative zero
        (999, "en", None, "999"),
        (48.0, "en", None, "48.0"),
    ],
)
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang=lang, decimals=decimals) == expected


def test_format_number_rejects_bad_language():
    with pytest.raises(ValueError, match="language"):
        format_number(1, lang="de")


# -- tables --------------------------------------------------------------------------------------


def test_table_headers_caption_and_number_format():
    df = pd.DataFrame(
        {
            "Kategori": ["kommunal", "ideell", "kommersiell"],
            "n": [1200, 40, 3],
            "Snitt": [61.234, 55.0, SUPPRESSED],
        }
    )
    tree = parse(table_html(df, caption="Kompetanse", lang="nb", note="Prikket ved n ≤ 5"))
    assert tree.captions == ["Kompetanse"]
    # header cells: the three column headers then one row header per row; none empty
    assert tree.th[:3] == ["Kategori", "n", "Snitt"]
    assert tree.th[3:] == ["kommunal", "ideell", "kommersiell"]
    assert all(t.strip() for t in tree.th)
    scopes = [a.get("scope") for tag, a in tree.tags if tag == "th"]
    assert scopes == ["col"] * 3 + ["row"] * 3
    tds = [(a, text) for tag, a, text in tree.cells if tag == "td"]
    texts = [t for _, t in tds]
    assert texts == [f"1{NBSP}200", "61,2", "40", "55,0", "3", ":"]
    suppressed = [a for a, t in tds if t == ":"]
    assert (
        suppressed
        and suppressed[0]["class"] == "suppressed"
        and "Prikket" in suppressed[0]["title"]
    )


def test_table_english_and_decimals_mapping():
    df = pd.DataFrame({"group": ["a"], "share": [0.4567], "mean": [1234.5]})
    tree = parse(table_html(df, caption="c", lang="en", decimals={"share": 3}))
    tds = [t for tag, _, t in tree.cells if tag == "td"]
    assert tds == ["0.457", "1,234.5"]


def test_default_index_dropped_and_named_index_kept():
    df = pd.DataFrame({"x": [1.5, 2.5]})
    tree = parse(table_html(df, caption="c", lang="en"))
    assert tree.th == ["x"]  # no index column, no empty top-left cell
    named = df.set_axis(pd.Index(["a", "b"], name="group"))
    tree = parse(table_html(named, caption="c", lang="en"))
    assert tree.th == ["group", "x", "a", "b"]


def test_unnamed_meaningful_index_is_refused_not_rendered_empty():
    df = pd.DataFrame({"x": [1.5]}, index=["kommunal"])
    with pytest.raises(ValueError, match="index has no name"):
        table_html(df, caption="c")


def test_empty_column_name_refused():
    with pytest.raises(ValueError, match="empty name"):
        table_html(pd.DataFrame({"": [1]}), caption="c")
    with pytest.raises(ValueError, match="caption"):
        table_html(pd.DataFrame({"a": [1]}), caption=" ")


def test_multiindex_columns_flattened_and_escaping():
    cols = pd.MultiIndex.from_tuples([("mean", "2022"), ("mean", "2023")])
    df = pd.DataFrame([[1.0, 2.0]], columns=cols).assign(label="<script>")
    html = table_html(df, caption="a & b", lang="en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    tree = parse(html)
    assert tree.th[:3] == ["mean – 2022", "mean – 2023", "label"]
    assert tree.captions == ["a & b"]


def test_integers_never_get_decimals_even_in_mixed_columns():
    df = pd.DataFrame({"g": ["a", "b", "c"], "n": [292, ":", np.int64(7)], "m": [1.25, 2.0, ":"]})
    tree = parse(table_html(df, caption="c", lang="nb", decimals=2))
    tds = [t for tag, _, t in tree.cells if tag == "td"]
    assert tds == ["292", "1,25", ":", "2,00", "7", ":"]


def test_preformatted_intervals_are_numeric_cells():
    df = pd.DataFrame({"g": ["a", "b", "c"], "ci": ["43,1–49,9", "\u22121,6 til 5,5", "Oslo 2"]})
    tree = parse(table_html(df, caption="c", lang="nb"))
    classes = [a.get("class") for tag, a, _ in tree.cells if tag == "td"]
    assert classes == ["num", "num", None]


def test_missing_and_boolean_cells():
    df = pd.DataFrame(
        {"g": ["a", "b"], "v": pd.array([1, None], dtype="Int64"), "ok": [True, False]}
    )
    tree = parse(table_html(df, caption="c", lang="nb"))
    cells = [(a, t) for tag, a, t in tree.cells if tag == "td"]
    assert [t for _, t in cells] == ["1", "ja", ".", "nei"]
    assert cells[2][0]["title"] == "Ikke tilgjengelig"


# -- figures -------------------------------------------------------------------------------------


def _bar_figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["kommunal", "ideell"], [61, 55], color="#1f4e79")
    ax.set_title("Kompetanse")
    return fig


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        out.append((ctype, png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def test_png_is_deterministic_and_carries_no_software_metadata():
    a, b = _bar_figure(), _bar_figure()
    try:
        pa, pb = figure_png(a), figure_png(b)
    finally:
        plt.close(a)
        plt.close(b)
    assert pa == pb
    texts = [data for ctype, data in _png_chunks(pa) if ctype in (b"tEXt", b"iTXt", b"zTXt")]
    assert not any(t.startswith(b"Software") for t in texts)
    # dpi fixed: the pHYs chunk holds pixels per metre = dpi / 0.0254
    phys = dict(_png_chunks(pa))[b"pHYs"]
    ppm = struct.unpack(">I", phys[:4])[0]
    assert round(ppm * 0.0254) == display.FIGURE_DPI


def test_figure_html_structure_and_numbers_table():
    fig = _bar_figure()
    data = pd.DataFrame({"Kategori": ["kommunal", "ideell"], "Snitt": [61.0, 55.0]})
    html = figure_html(
        fig,
        alt="Stolper: kommunal 61, ideell 55",
        caption="Kompetanse etter kategori",
        data=data,
        lang="nb",
    )
    plt.close(fig)
    tree = parse(html)
    imgs = [a for tag, a in tree.tags if tag == "img"]
    assert len(imgs) == 1 and imgs[0]["alt"] == "Stolper: kommunal 61, ideell 55"
    src = imgs[0]["src"]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"
    assert re.search(
        r"<figcaption>Kompetanse etter kategori</figcaption><details><summary>Tall bak figuren</summary>",
        html,
    )
    assert tree.captions == ["Tall bak figuren: Kompetanse etter kategori"]
    assert "61,0" in html


@pytest.mark.parametrize(
    "alt", ["", "  ", "Figure", "No description has been provided for this image", "bilde."]
)
def test_placeholder_alt_refused(alt):
    fig = _bar_figure()
    with pytest.raises(ValueError, match="placeholder"):
        show_figure(fig, alt=alt, caption="c")
    assert not plt.fignum_exists(fig.number)  # closed even on error


def test_show_functions_emit_html(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(display, "_display_html", lambda html, export=None: shown.append(html))
    fig = _bar_figure()
    show_figure(fig, alt="Two bars: kommunal 61, ideell 55", caption="c", lang="en")
    assert not plt.fignum_exists(fig.number)
    show_table(pd.DataFrame({"a": [1]}), caption="t", note="n")
    assert shown[0].startswith("<figure") and '<p class="table-note">n</p>' in shown[1]


def test_one_measured_box_crops_like_tight_within_a_few_pixels():
    """Saving with the box of tight_box (measured once) matches bbox_inches="tight" (measured on
    every save) to within 1 %, never smaller: nothing is cut off."""
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from analysis.render.display import figure_png, tight_box

    fig = Figure(figsize=(7, 2))
    ax = fig.add_subplot()
    ax.barh(["Alle", "Ideelle utleiere med en lang etikett"], [40, 60])
    ax.set_xlabel("Andel (%)")
    tight = Image.open(io.BytesIO(figure_png(fig))).size
    boxed = Image.open(io.BytesIO(figure_png(fig, tight=tight_box(fig)))).size
    for a, b in zip(tight, boxed, strict=True):
        assert a <= b <= a * 1.01 + 1
