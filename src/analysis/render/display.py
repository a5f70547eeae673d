"""Accessible display of figures, tables and narrative in notebooks and the findings report.

Notebooks never print raw DataFrames or call ``plt.show()``: every figure and table goes through
:func:`show_figure` and :func:`show_table`, which emit self-contained, accessible HTML (WCAG 2.1
AA): a ``<figure>`` with the figure as inline SVG (text as text), meaningful alt text and a
caption, the numbers behind the figure as a table inside ``<details>``; tables with a
``<caption>`` in a box of their own that scrolls sideways when the table is wider than the page,
header cells that are never empty, numbers formatted for the language and suppressed cells marked.

The HTML builders (:func:`figure_html`, :func:`table_html`) are pure functions returning strings;
the ``show_*`` functions display them with IPython.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"Kategori": ["kommunal", "ideell"], "n": [120, 4], "Snitt": [61.25, ":"]})
>>> html = table_html(t, caption="Kompetanse", lang="nb")
>>> "<caption>Kompetanse</caption>" in html, 'title="Prikket' in html
(True, True)
>>> format_number(1234.5, lang="nb", decimals=1)
'1\\xa0234,5'
>>> format_number(1234.5, lang="en", decimals=1)
'1,234.5'
"""

from __future__ import annotations

import base64
import html as _html
import io
import math
import numbers
import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from analysis.lang import by_lang, check_lang

Lang = Literal["nb", "en"]

#: Symbol of a suppressed cell (Statistics Norway's ":" "not published for confidentiality").
#: Kept identical to ``analysis.stats.disclosure.SUPPRESSED``.
try:  # pragma: no cover - depends on whether disclosure.py has landed
    from analysis.stats.disclosure import SUPPRESSED  # type: ignore[attr-defined]
except Exception:  # noqa: BLE001
    SUPPRESSED = ":"

#: Resolution of embedded figures (fixed, so builds are byte-identical).
FIGURE_DPI = 110

_NBSP = "\u00a0"
#: Preformatted numbers and intervals ("43,1–49,9", "−1,6 til 5,5"): right-aligned, not wrapped.
_NUMLIKE = re.compile(r"^[\d.,\u00a0\u2212\-–]+(?: (?:til|to) [\d.,\u00a0\u2212\-–]+)?$")
_MINUS = "\u2212"
#: A hexadecimal digest (SHA-256 and the like), and a word too long for a phone's table column.
_CHECKSUM = re.compile(r"^[0-9a-fA-F]{32,}$")
_LONG_WORD = re.compile(r"[^\s\u00a0]{30,}")

_TEXT = by_lang("display")

#: Alt texts that say nothing; :func:`figure_html` refuses them.
PLACEHOLDER_ALTS = frozenset(
    {
        "",
        "image",
        "figure",
        "figur",
        "bilde",
        "plot",
        "chart",
        "graph",
        "no description has been provided for this image",
        "todo",
    }
)


def _esc(text: object) -> str:
    return _html.escape(str(text), quote=True)


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------


def format_number(value: object, *, lang: Lang = "nb", decimals: int | None = None) -> str:
    """Format a number for the report language.

    Norwegian (``nb``): decimal comma, no-break space between thousands, minus sign U+2212;
    English: decimal point and comma thousands. Integers get no decimals unless asked for.

    Parameters
    ----------
    value : number
        The number (``numpy`` scalars are fine).
    lang : {"nb", "en"}
    decimals : int, optional
        Digits after the decimal mark; default 0 for integers and 1 for other numbers.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(-0.456, lang="nb", decimals=2)
    '\\u22120,46'
    >>> format_number(12000, lang="nb")
    '12\\xa0000'
    >>> format_number(3, lang="en", decimals=1)
    '3.0'
    """
    check_lang(lang)
    if isinstance(value, bool | np.bool_):
        raise TypeError("booleans are not numbers here")
    if decimals is None:
        decimals = 0 if isinstance(value, numbers.Integral) else 1
    x = float(value)
    if not math.isfinite(x):
        return "∞" if x > 0 else ("−∞" if x < 0 else "NaN")
    text = f"{x:,.{decimals}f}"
    if text.startswith("-") and float(text.lstrip("-").replace(",", "")) == 0:
        text = text[1:]  # no "-0,0"
    if lang == "nb":
        text = text.replace(",", _NBSP).replace(".", ",").replace("-", _MINUS)
    return text


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:
        return False


def _cell(value: object, *, lang: Lang, decimals: int | None) -> tuple[str, str]:
    """(inner HTML, extra attributes) of one table cell."""
    t = _TEXT[lang]
    if isinstance(value, str) and value.strip() == SUPPRESSED:
        return _esc(SUPPRESSED), f' class="suppressed" title="{_esc(t["suppressed"])}"'
    if _is_missing(value):
        return ".", f' class="missing" title="{_esc(t["missing"])}"'
    if isinstance(value, bool | np.bool_):
        return _esc(t["true"] if value else t["false"]), ""
    if isinstance(value, numbers.Integral):  # counts never get decimals
        return format_number(value, lang=lang, decimals=0), ' class="num"'
    if isinstance(value, numbers.Number):
        return format_number(value, lang=lang, decimals=decimals), ' class="num"'
    if isinstance(value, str) and _NUMLIKE.match(value):  # e.g. a preformatted interval "43,1–49,9"
        return _esc(value), ' class="num"'
    if isinstance(value, str) and _CHECKSUM.match(value.strip()):
        return _esc(value), ' class="checksum"'  # a hash: may break anywhere, monospace
    if isinstance(value, str) and _LONG_WORD.search(value):
        return _esc(value), ' class="long-word"'  # a path or name: may break anywhere
    return _esc(value), ""


# ---------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------


def _header_text(col: object) -> str:
    if isinstance(col, tuple):
        parts = [str(c) for c in col if not _is_missing(c) and str(c).strip()]
        text = " – ".join(parts)
    else:
        text = "" if _is_missing(col) else str(col)
    return text.strip()


def _prepare(df: pd.DataFrame, index: bool | None) -> tuple[pd.DataFrame, int]:
    """Turn a meaningful index into leading columns; return (frame, number of row-header columns)."""
    idx = df.index
    trivial = isinstance(idx, pd.RangeIndex) or (
        idx.nlevels == 1 and idx.name is None and pd.api.types.is_integer_dtype(idx.dtype)
    )
    if index is None:
        index = not trivial
    if not index:
        return df.reset_index(drop=True), 0
    names = list(idx.names)
    if any(n is None or not str(n).strip() for n in names):
        raise ValueError(
            "show_table: the DataFrame's index has no name, so its column would have an empty "
            "header; name it (df.rename_axis('...')) or pass a frame with a default index"
        )
    return df.reset_index(), idx.nlevels


def table_html(
    df: pd.DataFrame,
    *,
    caption: str,
    lang: Lang = "nb",
    note: str | None = None,
    decimals: int | Mapping[str, int] | None = None,
    index: bool | None = None,
    row_headers: int | None = None,
) -> str:
    """An accessible HTML table of ``df``.

    Parameters
    ----------
    df : DataFrame
        The table as it should be read: column names become ``<th scope="col">`` headers (never
        empty). A named index becomes leading row-header columns; a default (integer) index is
        dropped. Cells equal to :data:`SUPPRESSED` (``":"``) are shown with that symbol and a
        ``title`` explaining it; missing values as ``"."`` with a ``title``.
    caption : str
        The table's ``<caption>`` (required, non-empty).
    lang : {"nb", "en"}
        Number formatting and the texts of titles.
    note : str, optional
        Shown below the table (e.g. the suppression rule).
    decimals : int or mapping column -> int, optional
        Digits after the decimal mark for non-integer cells (default 1); integers (counts) never
        get decimals.
    index : bool, optional
        Force the index in (True) or out (False); default: in when it is not a default integer index.
    row_headers : int, optional
        How many leading columns are row headers (``<th scope="row">``); default: the index levels
        shown, or the first column when it holds text.

    Returns
    -------
    str
        ``<div class="report-table">…</div>``

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"mean": [48.0, 61.5]}, index=pd.Index(["kommersiell", "kommunal"], name="Kategori"))
    >>> h = table_html(df, caption="Kompetanse etter kategori", lang="en")
    >>> '<th scope="col">Kategori</th>' in h, '<th scope="row">kommersiell</th>' in h, "61.5" in h
    (True, True, True)
    """
    check_lang(lang)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"show_table needs a DataFrame, not {type(df).__name__}")
    if not caption or not str(caption).strip():
        raise ValueError("show_table: a table needs a non-empty caption")
    frame, n_index = _prepare(df, index)
    headers = [_header_text(c) for c in frame.columns]
    empty = [i for i, h in enumerate(headers) if not h]
    if empty:
        raise ValueError(
            f"show_table: column(s) at position {empty} have an empty name; every header cell needs text"
        )
    if row_headers is None:
        if n_index:
            row_headers = n_index
        elif frame.shape[1] and (
            pd.api.types.is_object_dtype(frame.dtypes.iloc[0])
            or pd.api.types.is_string_dtype(frame.dtypes.iloc[0])
            or isinstance(frame.dtypes.iloc[0], pd.CategoricalDtype)
        ):
            row_headers = 1
        else:
            row_headers = 0
    col_decimals: list[int | None] = []
    for c in frame.columns:
        if isinstance(decimals, Mapping):
            d = decimals.get(c)
        else:
            d = decimals
        if d is None and pd.api.types.is_integer_dtype(frame[c].dtype):
            d = 0
        col_decimals.append(d)

    # the table scrolls sideways in its own box when wider than the page (a phone): the box is a
    # named region reachable by keyboard, so it can be scrolled without a mouse
    out = [
        '<div class="report-table">',
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{_esc(caption)}">',
        "<table>",
        f"<caption>{_esc(caption)}</caption>",
        "<thead><tr>",
    ]
    out += [f'<th scope="col">{_esc(h)}</th>' for h in headers]
    out.append("</tr></thead><tbody>")
    for row in frame.itertuples(index=False, name=None):
        out.append("<tr>")
        for j, value in enumerate(row):
            dec = col_decimals[j]
            if (
                dec is None
                and isinstance(value, numbers.Integral)
                and not isinstance(value, bool | np.bool_)
            ):
                dec = 0
            inner, attrs = _cell(value, lang=lang, decimals=dec)
            if j < row_headers:
                out.append(f'<th scope="row"{attrs}>{inner}</th>')
            else:
                out.append(f"<td{attrs}>{inner}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if note:
        out.append(f'<p class="table-note">{_esc(note)}</p>')
    out.append("</div>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------


def decimal_ticks(ax, lang: Lang = "nb") -> None:
    """x tick labels in the language's number style: ``−0,3`` (bokmål) / ``−0.3``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> decimal_ticks(ax, "nb")
    >>> ax.xaxis.get_major_formatter()(-0.25, 0)
    '−0,25'
    """
    from matplotlib.ticker import FuncFormatter

    check_lang(lang)

    def fmt(v, _pos):
        text = f"{v:g}".replace("-", _MINUS)
        return text.replace(".", ",") if lang == "nb" else text

    ax.xaxis.set_major_formatter(FuncFormatter(fmt))


def tight_box(fig):
    """The figure's tight bounding box (in inches, with matplotlib's ``savefig.pad_inches``).

    ``bbox_inches="tight"`` draws a figure twice on every save: once to measure, once to write.
    A figure saved several times (inline SVG, the SVG and PNG files) is measured once with this
    box and passed as ``tight=`` to :func:`figure_png`, :func:`figure_svg` and
    :func:`figure_svg_inline`, so each save draws once."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    box = fig.get_tightbbox(canvas.get_renderer())
    return box.padded(matplotlib.rcParams["savefig.pad_inches"])


def _bbox(tight) -> object:
    """``bbox_inches`` for a ``tight`` argument: True = measure, False = as is, a box = that box."""
    if isinstance(tight, bool):
        return "tight" if tight else None
    return tight


def figure_png(fig, *, dpi: int = FIGURE_DPI, tight=True) -> bytes:
    """PNG bytes of a matplotlib figure, deterministic (no 'Software' metadata, fixed dpi).

    ``tight=False`` keeps the figure's own size (one draw instead of two); a box from
    :func:`tight_box` crops to it without measuring again."""
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=dpi,
        metadata={"Software": None},
        bbox_inches=_bbox(tight),
        facecolor="white",
    )
    return buf.getvalue()


def figure_svg(fig, *, tight=True) -> str:
    """SVG text of a matplotlib figure, deterministic (no date, fixed ids), text kept as paths.

    The standalone file offered for download (it looks the same everywhere, fonts or not); the
    page itself shows :func:`figure_svg_inline`."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "analysis", "svg.fonttype": "path"}):
        fig.savefig(
            buf, format="svg", metadata={"Date": None}, bbox_inches=_bbox(tight), facecolor="white"
        )
    return buf.getvalue()


#: Font of the text of inline figures: the report's own font first (matplotlib measured the text
#: with it), then narrower common fonts, so text set in a fallback font never outgrows its place.
SVG_FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Arial, Helvetica, sans-serif"
_SVG_ATTR = re.compile(r'(\s[\w:-]+)="([^"]*)"')
_SVG_REF = re.compile(r'(?:url\(#|href="#)([^)"]+)')
_SVG_FONT = re.compile(r"font-family:[^;\"]*;?\s*")
_LONG_DECIMAL = re.compile(r"(\d\.\d\d)\d+")


def figure_svg_inline(fig, *, alt: str, tight=True, dpi: int = FIGURE_DPI) -> str:
    """The figure as an ``<svg>`` element for an HTML page: text as text, an accessible name.

    Text stays text (``svg.fonttype: none``): sharp at any zoom, found by the browser's search,
    read by screen readers only through the alt text (``role="img"`` with a ``<title>`` named by
    ``aria-labelledby``). The text's font is set once on the root (:data:`SVG_FONT_FAMILY`, the
    report's font with a sans-serif fallback when it is not installed). The element is sized in
    CSS pixels as the PNG was (``dpi`` pixels per inch, so :func:`display_scale` holds) and scales
    down with the page (``viewBox``; CSS ``max-width: 100%``).

    Deterministic and page-safe: ids are prefixed with a hash of the figure (several figures on
    one page never share an id) and ids nothing refers to are dropped, with the metadata; numbers
    in attributes are cut to 1/100 of a point (finer than any screen or printer shows).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1)); ax = fig.add_subplot(); _ = ax.bar(["a", "b"], [1, 2])
    >>> s = figure_svg_inline(fig, alt="Two bars: a 1, b 2")
    >>> s.startswith('<svg role="img" aria-labelledby="f'), "<title id=" in s, ">b</text>" in s
    (True, True, True)
    """
    import hashlib

    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "analysis", "svg.fonttype": "none"}):
        fig.savefig(
            buf,
            format="svg",
            metadata={"Date": None},
            bbox_inches=_bbox(tight),
            facecolor="white",
        )
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # matplotlib's "*{stroke-linejoin: round; stroke-linecap: butt}" would style the whole page
    # inline: the root's attributes below do the same for the figure only
    svg = re.sub(r"<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>\s*", "", svg)
    svg = re.sub(r' transform="rotate\(-?0 [\d.]+ [\d.]+\)"', "", svg)
    prefix = "f" + hashlib.sha256((svg + alt).encode("utf-8")).hexdigest()[:8]
    refs = set(_SVG_REF.findall(svg))
    fonts = set(re.findall(r"font-family:([^;\"]*)", svg))

    def attr(m: re.Match) -> str:
        name, value = m.group(1), m.group(2)
        if name.strip() == "id":
            return f' id="{prefix}-{value}"' if value in refs else ""
        if name.strip() == "style" and len(fonts) == 1:
            value = _SVG_FONT.sub("", value).strip().rstrip(";")
            if not value:
                return ""
        value = _LONG_DECIMAL.sub(r"\1", value)
        value = re.sub(r"\s*\n\s*", " ", value).strip()
        value = value.replace("url(#", f"url(#{prefix}-")
        if name.strip() == "xlink:href" and value.startswith("#"):
            value = f"#{prefix}-{value[1:]}"
        return f'{name}="{value}"'

    # attributes of tags only (a label's text is never touched; matplotlib escapes its < and >)
    svg = re.sub(r"<[^>]+>", lambda tag: _SVG_ATTR.sub(attr, tag.group(0)), svg)
    svg = re.sub(r">\s+<", "><", svg).strip()
    head_end = svg.index(">")
    head = svg[:head_end]
    width = float(re.search(r' width="([\d.]+)pt"', head).group(1))
    height = float(re.search(r' height="([\d.]+)pt"', head).group(1))
    viewbox = re.search(r' viewBox="([^"]+)"', head).group(1)
    scale = dpi / 72
    root = (
        f'<svg role="img" aria-labelledby="{prefix}-title" class="figure-svg" '
        f'width="{width * scale:.0f}" height="{height * scale:.0f}" viewBox="{viewbox}" '
        'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'stroke-linejoin="round" stroke-linecap="butt"'
    )
    if len(fonts) == 1:
        root += f' font-family="{SVG_FONT_FAMILY}"'
    title = f'<title id="{prefix}-title">{_esc(alt)}</title>'
    return f"{root}>{title}{svg[head_end + 1 :]}"


#: Smallest text size a reader sees, in CSS points, at the report's display size.
MIN_DISPLAY_PT = 9.0
#: Width of the report's text column in CSS pixels (``main`` max-width 60rem minus padding).
REPORT_WIDTH_PX = 920
#: Longest tick or legend label (characters) before it is wrapped onto more lines.
WRAP_AT = 40


def _texts(fig):
    from matplotlib.text import Text

    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]


def min_font_size(fig) -> float:
    """Smallest font size (pt, figure units) of the visible text of a figure.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); ax = fig.add_subplot(); _ = ax.set_title("t", fontsize=7)
    >>> min_font_size(fig)
    7.0
    """
    sizes = [float(t.get_fontsize()) for t in _texts(fig)]
    return min(sizes) if sizes else float("nan")


def display_scale(fig, *, dpi: int = FIGURE_DPI) -> float:
    """CSS points per figure point when the figure is shown in the report.

    The figure (``dpi`` CSS pixels per inch, tight box: the size of the inline SVG and of the
    PNG) is shown at that size, shrunk to the :data:`REPORT_WIDTH_PX` column when wider; one CSS
    point is 4/3 px.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    width_px = (bbox.width + 0.2) * dpi  # savefig's pad_inches=0.1 on each side
    return dpi / 96 * min(1.0, REPORT_WIDTH_PX / width_px)


def make_readable(fig, *, min_pt: float = MIN_DISPLAY_PT, wrap: int = WRAP_AT) -> None:
    """Raise every text of ``fig`` to at least ``min_pt`` CSS points at display size, and wrap
    long tick and legend labels (in place; constrained or tight layouts re-flow).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(4, 2)); ax = fig.add_subplot()
    >>> _ = ax.set_yticks([0], ["a very long label that certainly needs more than one line"], fontsize=6)
    >>> make_readable(fig)
    >>> min_font_size(fig) * display_scale(fig) >= 9, "\\n" in ax.get_yticklabels()[0].get_text()
    (True, True)
    """
    import textwrap

    for ax in fig.axes:
        for axis, get, set_ in (
            ("y", ax.get_yticklabels, ax.set_yticks),
            ("x", ax.get_xticklabels, ax.set_xticks),
        ):
            labels = [t.get_text() for t in get()]
            if any(len(lab) > wrap and "\n" not in lab for lab in labels):
                ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
                size = get()[0].get_fontsize() if get() else None
                set_(ticks, [textwrap.fill(lab, wrap) for lab in labels], fontsize=size)
        leg = ax.get_legend()
        if leg is not None:
            for t in leg.get_texts():
                if len(t.get_text()) > wrap and "\n" not in t.get_text():
                    t.set_text(textwrap.fill(t.get_text(), wrap))
    for _ in range(3):
        scale = display_scale(fig)
        need = min_pt / scale
        small = [t for t in _texts(fig) if t.get_fontsize() < need - 1e-9]
        if not small:
            return
        for t in small:
            t.set_fontsize(round(need + 0.05, 1))
    return


def all_suppressed(data: pd.DataFrame | None) -> bool:
    """Whether the numbers behind a figure are all suppressed (or there are none).

    Value columns are those holding a number or :data:`SUPPRESSED`; the figure is empty when
    none of their cells holds a number.

    Examples
    --------
    >>> import pandas as pd
    >>> all_suppressed(pd.DataFrame({"Gruppe": ["a", "b"], "n": [":", ":"], "Andel": [":", None]}))
    True
    >>> all_suppressed(pd.DataFrame({"Gruppe": ["a", "b"], "n": [":", 12]}))
    False
    """
    if data is None:
        return False
    if data.empty:
        return True
    any_number = False
    for c in data.columns:
        for v in data[c].tolist():
            if isinstance(v, numbers.Number) and not isinstance(v, bool | np.bool_):
                if not _is_missing(v):
                    any_number = True
    return not any_number


def suppressed_figure_html(caption: str, *, lang: Lang = "nb") -> str:
    """What stands in place of a figure whose numbers are all suppressed: a sentence saying why."""
    text = (
        "Figuren vises ikke: alle tallene i den bygger på for få svar og er prikket "
        "(se «Personvern og prikking»)."
        if lang == "nb"
        else "The figure is not shown: every number in it rests on too few responses and is "
        "suppressed to protect respondents (see the note on suppression)."
    )
    return (
        '<div class="report-figure figure-suppressed" role="note">'
        f"<p><strong>{_esc(caption)}</strong></p><p>{_esc(text)}</p></div>"
    )


def check_alt(alt: str) -> str:
    """Return ``alt`` stripped, or raise ValueError if it is empty or a placeholder.

    Examples
    --------
    >>> check_alt("  Stolpediagram: kommunal 61, ideell 55, kommersiell 48. ")
    'Stolpediagram: kommunal 61, ideell 55, kommersiell 48.'
    >>> check_alt("Figure")
    Traceback (most recent call last):
    ...
    ValueError: alt text 'Figure' is a placeholder: describe what the figure shows, with its key numbers
    """
    text = (alt or "").strip()
    if text.lower().rstrip(".") in PLACEHOLDER_ALTS:
        raise ValueError(
            f"alt text {alt!r} is a placeholder: describe what the figure shows, with its key numbers"
        )
    return text


def figure_html(
    fig,
    *,
    alt: str,
    caption: str,
    data: pd.DataFrame | None = None,
    lang: Lang = "nb",
    decimals: int | Mapping[str, int] | None = None,
    details: bool = True,
    prepared: bool = False,
    image: Literal["png", "svg"] = "png",
) -> str:
    """An accessible ``<figure>``: the image with ``alt``, ``<figcaption>``, numbers in ``<details>``.

    ``image="png"`` embeds a PNG (``<img alt>``, base64; for widgets), ``image="svg"`` the figure
    as inline SVG with its text as text and the alt text as its accessible name
    (:func:`figure_svg_inline`; the findings report, through :func:`show_figure`).

    Does not close the figure (:func:`show_figure` does). Before drawing, :func:`make_readable`
    raises small text and wraps long labels. A figure whose ``data`` are all suppressed becomes
    a sentence saying why (:func:`suppressed_figure_html`). ``details=False`` leaves the numbers
    table out (``data`` is then used only for that check); ``prepared=True`` says the figure has
    a fixed layout with readable text already (one draw: no readability pass, no tight box).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> fig, ax = plt.subplots(figsize=(2, 1)); _ = ax.bar(["a", "b"], [1, 2])
    >>> h = figure_html(fig, alt="Two bars: a 1, b 2", caption="Demo", lang="en",
    ...                 data=pd.DataFrame({"group": ["a", "b"], "value": [1, 2]}))
    >>> plt.close(fig)
    >>> h.startswith('<figure class="report-figure"><img src="data:image/png;base64,')
    True
    >>> "<summary>Numbers behind the figure</summary>" in h
    True
    >>> fig, ax = plt.subplots(figsize=(2, 1)); _ = ax.bar(["a", "b"], [1, 2])
    >>> h = figure_html(fig, alt="Two bars: a 1, b 2", caption="Demo", lang="en", image="svg")
    >>> plt.close(fig)
    >>> h.startswith('<figure class="report-figure"><svg role="img"'), "<title" in h
    (True, True)
    """
    check_lang(lang)
    alt_text = check_alt(alt)
    if not caption or not str(caption).strip():
        raise ValueError("show_figure: a figure needs a non-empty caption")
    if all_suppressed(data):
        return suppressed_figure_html(caption, lang=lang)
    if not prepared:
        make_readable(fig)
    # measured once: show_figure saves the same figure again as SVG and PNG files
    box = tight_box(fig) if not prepared else False
    fig._analysis_tight_box = box
    if image == "svg":
        picture = figure_svg_inline(fig, alt=alt_text, tight=box)
    elif image == "png":
        png = base64.b64encode(figure_png(fig, tight=box)).decode("ascii")
        picture = f'<img src="data:image/png;base64,{png}" alt="{_esc(alt_text)}">'
    else:
        raise ValueError(f"image must be 'png' or 'svg', not {image!r}")
    parts = [
        '<figure class="report-figure">',
        picture,
        f"<figcaption>{_esc(caption)}</figcaption>",
    ]
    if data is not None and details:
        summary = _TEXT[lang]["numbers"]
        parts.append(f"<details><summary>{_esc(summary)}</summary>")
        parts.append(
            table_html(data, caption=f"{summary}: {caption}", lang=lang, decimals=decimals)
        )
        parts.append("</details>")
    parts.append("</figure>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# notebook display
# ---------------------------------------------------------------------------------------------


def _display_html(html: str, export: Mapping | None = None) -> None:
    """Display HTML; ``export`` goes into the output's metadata under
    :data:`analysis.render.export.META_KEY` for the report's spreadsheet and figure files."""
    from IPython.display import HTML, display

    if export is None:
        display(HTML(html))
    else:
        from analysis.render.export import META_KEY

        display(HTML(html), metadata={META_KEY: dict(export)})


def show_figure(
    fig,
    *,
    alt: str,
    caption: str,
    data: pd.DataFrame | None = None,
    lang: Lang = "nb",
    decimals: int | Mapping[str, int] | None = None,
) -> None:
    """Display a matplotlib figure as an accessible HTML ``<figure>`` and close it.

    The figure is inline SVG (text as text, the alt text as its accessible name; see
    :func:`figure_svg_inline`). The output's export metadata carries the figure as a standalone
    SVG and a PNG, the files the report offers for download (:mod:`analysis.render.export`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        What the figure shows, with the key numbers (a placeholder raises ValueError).
    caption : str
        The visible caption.
    data : DataFrame, optional
        The numbers plotted; shown as a table under "Tall bak figuren" / "Numbers behind the figure".
    lang : {"nb", "en"}
    decimals : int or mapping, optional
        Passed on to the numbers table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> show_figure(fig, alt="An empty set of axes", caption="Nothing", lang="en")  # doctest: +ELLIPSIS
    <IPython.core.display.HTML object>
    >>> plt.fignum_exists(fig.number)
    False
    """
    import matplotlib.pyplot as plt

    try:
        html = figure_html(
            fig, alt=alt, caption=caption, data=data, lang=lang, decimals=decimals, image="svg"
        )
        export = None
        if html.startswith('<figure class="report-figure"><svg'):
            export = {
                "kind": "figure",
                "caption": str(caption),
                "alt": check_alt(alt),
                "svg": figure_svg(fig, tight=getattr(fig, "_analysis_tight_box", True)),
                "png": base64.b64encode(
                    figure_png(fig, tight=getattr(fig, "_analysis_tight_box", True))
                ).decode("ascii"),
                "min_display_pt": round(min_font_size(fig) * display_scale(fig), 2),
            }
    finally:
        plt.close(fig)
    _display_html(html, export)


def show_table(
    df: pd.DataFrame,
    *,
    caption: str,
    lang: Lang = "nb",
    note: str | None = None,
    decimals: int | Mapping[str, int] | None = None,
    index: bool | None = None,
    row_headers: int | None = None,
) -> None:
    """Display ``df`` as an accessible HTML table (see :func:`table_html` for the options).

    Examples
    --------
    >>> import pandas as pd
    >>> show_table(pd.DataFrame({"n": [3]}), caption="Antall")  # doctest: +ELLIPSIS
    <IPython.core.display.HTML object>
    """
    from analysis.render.export import table_records

    html = table_html(
        df,
        caption=caption,
        lang=lang,
        note=note,
        decimals=decimals,
        index=index,
        row_headers=row_headers,
    )
    frame, _ = _prepare(df, index)
    export = {"kind": "table", "caption": str(caption), "note": note or ""}
    export.update(table_records(frame, decimals=decimals))
    _display_html(html, export)


def show_markdown(text: str) -> None:
    """Display narrative (Markdown generated from the numbers).

    Examples
    --------
    >>> show_markdown("**48** (95 % KI 43–53)")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown, display

    display(Markdown(text))


def show_html(html: str) -> None:
    """Display an HTML fragment built by the report sections (already escaped)."""
    _display_html(html)
