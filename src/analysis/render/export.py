"""Export tables and figures: Excel and CSV from notebooks, and the report's spreadsheet and figures.

In a notebook, :func:`export_table` writes any table object (a :class:`~analysis.render.plots.
TableResult`, a table from :func:`analysis.frequencies` / :func:`analysis.crosstab`, or a plain
DataFrame) to ``.xlsx`` or ``.csv`` in one call; ``TableResult.export(path)`` does the same.

For the findings report, :func:`~analysis.render.display.show_table` and
:func:`~analysis.render.display.show_figure` attach what they displayed to the output's metadata
(key :data:`META_KEY`): a table's cells as the report rounds them (suppressed cells as ``":"``),
its caption and note; a figure's SVG, caption and alt text. :func:`export_report_assets` collects
them from the executed findings notebook (nothing is computed twice, so the spreadsheet has the
very numbers and the same disclosure as the HTML), writes ``<report>.xlsx`` (one sheet per
table, caption in the first row) and ``figures/<report>-NN.svg`` / ``.png``, and adds links to
them under each table and figure of the page. Files are written atomically.

Examples
--------
>>> import pandas as pd, tempfile, pathlib, openpyxl
>>> t = pd.DataFrame({"Gruppe": ["Alle", "Ideell"], "n": [40, ":"], "Andel (%)": [52.25, ":"]})
>>> t.attrs["caption"] = "Andel med budsjett"
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = export_table(t, folder / "budsjett.xlsx", decimals=1)
>>> ws = openpyxl.load_workbook(path).active
>>> [c.value for c in ws[1]][:1], [c.value for c in ws[3]]
(['Andel med budsjett'], ['Alle', 40, 52.2])
>>> export_table(t, folder / "budsjett.csv").read_text(encoding="utf-8-sig").splitlines()[1]
'Alle,40,52.25'
"""

from __future__ import annotations

import base64
import html as _html
import math
import numbers
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

#: Key of the metadata that show_table / show_figure attach to their outputs.
META_KEY = "analysis/export"
SUPPRESSED = ":"
_IMG_RE = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")

_TEXT = {
    "nb": {
        "figure_links": "Last ned figur {i}: {svg} eller {png}",
        "svg": "figur {i} som SVG",
        "png": "figur {i} som PNG",
        "table_link": "Tabell {i} i regneark (Excel, ark {sheet})",
        "note": "Merknad",
    },
    "en": {
        "figure_links": "Download figure {i}: {svg} or {png}",
        "svg": "figure {i} as SVG",
        "png": "figure {i} as PNG",
        "table_link": "Table {i} as a spreadsheet (Excel, sheet {sheet})",
        "note": "Note",
    },
}


# ---------------------------------------------------------------------------------------------
# cells as the report shows them
# ---------------------------------------------------------------------------------------------


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def export_value(v, decimals: int | None = None):
    """A cell for a spreadsheet: numbers rounded as the report shows them, ``":"`` kept.

    Integers stay integers; other numbers are rounded to ``decimals`` (default 1, as
    :func:`analysis.render.display.table_html`); missing values become None.

    Examples
    --------
    >>> export_value(3.14159), export_value(7), export_value(":"), export_value(float("nan"))
    (3.1, 7, ':', None)
    """
    if _missing(v):
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Number):
        x = float(v)
        if not math.isfinite(x):
            return None
        return round(x, 1 if decimals is None else int(decimals))
    return str(v)


def table_records(frame: pd.DataFrame, *, decimals: int | Mapping[str, int] | None = None) -> dict:
    """``{"columns": [...], "rows": [[...], ...]}`` of a display table, rounded as shown.

    Examples
    --------
    >>> import pandas as pd
    >>> table_records(pd.DataFrame({"a": ["x"], "b": [1.26]}), decimals={"b": 2})
    {'columns': ['a', 'b'], 'rows': [['x', 1.26]]}
    """
    cols = [str(c) if not isinstance(c, tuple) else " – ".join(map(str, c)) for c in frame.columns]
    decs = []
    for c in frame.columns:
        d = decimals.get(c) if isinstance(decimals, Mapping) else decimals
        if d is None and pd.api.types.is_integer_dtype(frame[c].dtype):
            d = 0
        decs.append(d)
    rows = [
        [export_value(v, decs[j]) for j, v in enumerate(r)]
        for r in frame.itertuples(index=False, name=None)
    ]
    return {"columns": cols, "rows": rows}


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def _atomic(path: Path, write) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def sheet_name(i: int, caption: str, used: set[str]) -> str:
    """A unique Excel sheet name (31 characters at most) for table ``i``.

    Examples
    --------
    >>> sheet_name(3, "Kompetanse etter utleierkategori: andel [%]", set())
    'T03 Kompetanse etter utleierkat'
    """
    base = _SHEET_BAD.sub(" ", f"T{i:02d} {caption}")
    base = " ".join(base.split())[:31].rstrip()
    name, k = base, 2
    while name.lower() in used:
        suffix = f" ({k})"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name.lower())
    return name


def _fill_sheet(ws, caption: str, columns, rows, note: str | None) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append([caption])
    ws["A1"].font = Font(bold=True)
    ws.append(list(columns))
    for c in ws[2]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(list(r))
        for c in ws[ws.max_row]:
            if c.value == SUPPRESSED:
                c.alignment = Alignment(horizontal="center")
    if note:
        ws.append([])
        ws.append([note])
    for j, col in enumerate(columns, start=1):
        width = max([len(str(col))] + [len(str(r[j - 1])) for r in rows if r[j - 1] is not None])
        ws.column_dimensions[ws.cell(row=2, column=j).column_letter].width = min(
            max(8, width + 2), 60
        )


def _new_workbook():
    from datetime import UTC, datetime

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    wb.properties.creator = "analysis"
    wb.properties.created = wb.properties.modified = when.replace(tzinfo=None)
    return wb


def export_table(
    table,
    path: str | Path,
    *,
    caption: str | None = None,
    note: str | None = None,
    decimals: int | Mapping[str, int] | None = None,
) -> Path:
    """Write a table to Excel (``.xlsx``) or CSV (``.csv``) in one call.

    Parameters
    ----------
    table : TableResult, DataFrame
        A :class:`~analysis.render.plots.TableResult` (its caption, note and decimals are used),
        or a DataFrame (caption and note from ``attrs`` when present, e.g. the output of
        :func:`analysis.frequencies`). Suppressed cells stay ``":"``; NA cells of a
        disclosure-controlled frame stay empty.
    path : str or Path
        ``.xlsx``: one sheet, caption in the first row, headers in the second, the note below
        the rows. ``.csv``: headers and rows only (UTF-8 with BOM, so Excel reads ``æøå``).
    caption, note : str, optional
        Override the table's own.
    decimals : int or mapping, optional
        Rounding of non-integer numbers (default: the table's, else 1 decimal for Excel;
        CSV keeps full precision unless given).

    Returns
    -------
    Path

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = export_table(pd.DataFrame({"x": [1]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8-sig")
    'x\\n1\\n'
    """
    path = Path(path)
    frame = getattr(table, "table", table)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"export_table needs a DataFrame or a TableResult, not {type(table).__name__}"
        )
    caption = caption or getattr(table, "caption", None) or frame.attrs.get("caption") or ""
    note = note or getattr(table, "note", None) or frame.attrs.get("note")
    if decimals is None:
        decimals = getattr(table, "decimals", None)
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        if any(n is not None for n in frame.index.names):
            frame = frame.reset_index()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        out = frame
        if decimals is not None:
            rec = table_records(frame, decimals=decimals)
            out = pd.DataFrame(rec["rows"], columns=rec["columns"])
        return _atomic(
            path,
            lambda tmp: out.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n"),
        )
    if suffix != ".xlsx":
        raise ValueError(
            f"{path}: export_table writes .xlsx or .csv, not {suffix or 'no suffix'!r}"
        )
    rec = table_records(frame, decimals=decimals)
    wb = _new_workbook()
    ws = wb.create_sheet(sheet_name(1, caption or path.stem, set()))
    _fill_sheet(ws, caption, rec["columns"], rec["rows"], note)
    return _atomic(path, wb.save)


# ---------------------------------------------------------------------------------------------
# the report's assets
# ---------------------------------------------------------------------------------------------


def _html_text(out) -> str:
    text = out.get("data", {}).get("text/html", "")
    return "".join(text) if isinstance(text, list) else text


def collect_exports(nb) -> list[tuple[int, int, dict]]:
    """``(cell index, output index, metadata)`` of every exported table and figure, in order."""
    found = []
    for ci, cell in enumerate(nb.cells):
        for oi, out in enumerate(cell.get("outputs", [])):
            meta = out.get("metadata", {}).get(META_KEY)
            if meta and meta.get("kind") in ("table", "figure"):
                found.append((ci, oi, meta))
    return found


def export_report_assets(nb, report_html: Path, *, lang: str = "nb") -> dict:
    """Write the report's spreadsheet and figure files and link them from the outputs.

    Parameters
    ----------
    nb : NotebookNode
        The executed findings notebook (its outputs still carry :data:`META_KEY` metadata);
        modified in place: a link paragraph is appended to each exported output's HTML.
    report_html : Path
        The report's path (``reports/<wave>/findings.html``): the spreadsheet is written beside
        it with the suffix ``.xlsx`` and the figures to ``figures/<name>-NN.svg|png``, where
        ``<name>`` is the report's file name without ``.html``.
    lang : {"nb", "en"}

    Returns
    -------
    dict
        ``{"xlsx": Path or None, "figures": [Path, ...], "tables": int}``
    """
    T = _TEXT[lang]
    report_html = Path(report_html)
    stem = (
        report_html.name[: -len(".html")]
        if report_html.name.endswith(".html")
        else report_html.stem
    )
    folder = report_html.parent
    xlsx = folder / f"{stem}.xlsx"
    fig_dir = folder / "figures"
    items = collect_exports(nb)
    wb = _new_workbook()
    used: set[str] = set()
    written: list[Path] = []
    n_tables = n_figs = 0
    for ci, oi, meta in items:
        out = nb.cells[ci]["outputs"][oi]
        html = _html_text(out)
        if meta["kind"] == "table":
            n_tables += 1
            name = sheet_name(n_tables, meta.get("caption", ""), used)
            ws = wb.create_sheet(name)
            _fill_sheet(
                ws, meta.get("caption", ""), meta["columns"], meta["rows"], meta.get("note")
            )
            link = (
                f'<p class="downloads"><a href="{_html.escape(xlsx.name)}">'
                f"{_html.escape(T['table_link'].format(i=n_tables, sheet=name))}</a></p>"
            )
            html = _append_after(html, "</table></div>", link, after_note=True)
        else:
            # the PNG comes with the metadata (the page shows inline SVG); an output of an older
            # build may still hold it in the page
            m = _IMG_RE.search(html)
            png_b64 = meta.get("png") or (m.group(1) if m else None)
            if not png_b64:
                continue
            n_figs += 1
            base = f"{stem}-{n_figs:02d}"
            png = base64.b64decode(png_b64)
            svg = meta.get("svg", "")
            p_png = _atomic(fig_dir / f"{base}.png", lambda tmp, b=png: Path(tmp).write_bytes(b))
            written.append(p_png)
            links = {"png": f"figures/{base}.png"}
            if svg:
                p_svg = _atomic(
                    fig_dir / f"{base}.svg", lambda tmp, s=svg: Path(tmp).write_text(s, "utf-8")
                )
                written.append(p_svg)
                links["svg"] = f"figures/{base}.svg"
            anchors = {
                k: f'<a href="{_html.escape(v)}">{_html.escape(T[k].format(i=n_figs))}</a>'
                for k, v in links.items()
            }
            if "svg" in anchors:
                text = _html.escape(T["figure_links"].format(i=n_figs, svg="\0", png="\1"))
                text = text.replace("\0", anchors["svg"]).replace("\1", anchors["png"])
            else:
                text = anchors["png"]
            html = html.replace("</figcaption>", f'</figcaption><p class="downloads">{text}</p>', 1)
        out["data"]["text/html"] = html
    path = None
    if n_tables:
        path = _atomic(xlsx, wb.save)
    # figures of an earlier build of this report that it no longer has
    stale = re.compile(rf"{re.escape(stem)}-\d{{2,}}\.(png|svg)")
    if fig_dir.is_dir():
        for old in fig_dir.iterdir():
            if stale.fullmatch(old.name) and old not in written:
                old.unlink(missing_ok=True)
    return {"xlsx": path, "figures": written, "tables": n_tables}


def _append_after(html: str, marker: str, addition: str, *, after_note: bool) -> str:
    """Insert ``addition`` after the table (and its note, if any) in a table_html fragment."""
    i = html.rfind(marker)
    if i < 0 and marker != "</table>":
        return _append_after(html, "</table>", addition, after_note=after_note)
    if i < 0:
        return html + addition
    j = i + len(marker)
    if after_note:
        note_end = html.find("</p>", j)
        if html.startswith('<p class="table-note">', j) and note_end >= 0:
            j = note_end + len("</p>")
    return html[:j] + addition + html[j:]
