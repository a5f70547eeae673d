"""export_table (notebook tables to Excel/CSV), the report-asset collector, readable figures and
the sentence that replaces a fully suppressed figure."""

from __future__ import annotations

import base64
import csv

import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.render import display
from analysis.render.export import META_KEY, export_report_assets, export_table
from analysis.render.plots import TableResult


def _result():
    t = pd.DataFrame(
        {
            "Gruppe": ["Alle", "Ideell", "Kommunal"],
            "n": [40, ":", 31],
            "Andel (%)": [52.25, ":", 61.04],
        }
    )
    return TableResult(t, caption="Andel med budsjett", note="«:» = skjult", decimals=1)


def test_table_result_exports_to_excel_and_csv_in_one_call(tmp_path):
    r = _result()
    x = r.export(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(x).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Andel med budsjett"
    assert rows[1] == ("Gruppe", "n", "Andel (%)")
    assert rows[2] == ("Alle", 40, 52.2) and rows[3] == ("Ideell", ":", ":")
    assert rows[-1][0] == "«:» = skjult"
    c = r.export(tmp_path / "t.csv")
    with open(c, encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["Gruppe", "n", "Andel (%)"] and got[2] == ["Ideell", ":", ":"]
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        export_table(r, tmp_path / "t.ods")


def test_frequencies_table_exports_with_its_caption(tmp_path):
    from analysis.stats.tables import frequencies

    df = pd.DataFrame(
        {
            "instrument_version": 1,
            "kommunenummer": None,
            "forut_strategi": [1] * 12 + [2] * 9 + [9] * 2,
        }
    )
    f = frequencies(df, "forut_strategi")
    ws = openpyxl.load_workbook(export_table(f, tmp_path / "f.xlsx")).active
    assert ws["A1"].value == f.attrs["caption"]
    assert [c.value for c in ws[2]][:3] == ["variable", "group_var", "group"]


def _exported_nb():
    import matplotlib

    matplotlib.use("Agg")
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().bar(["a", "b"], [1, 2])
    # as show_figure does: inline SVG in the page, the PNG only in the export metadata
    fig_html = display.figure_html(
        fig, alt="Two bars: a 1, b 2", caption="Bars", lang="en", image="svg"
    )
    tab = _result()
    tab_html = display.table_html(tab.table, caption=tab.caption, note=tab.note, decimals=1)
    from analysis.render.export import table_records

    meta_t = {
        "kind": "table",
        "caption": tab.caption,
        "note": tab.note,
        **table_records(tab.table, decimals=1),
    }
    png = display.figure_png(fig)
    meta_f = {
        "kind": "figure",
        "caption": "Bars",
        "svg": display.figure_svg(fig),
        "png": base64.b64encode(png).decode("ascii"),
    }
    cell = new_code_cell(
        outputs=[
            new_output("display_data", data={"text/html": fig_html}, metadata={META_KEY: meta_f}),
            new_output("display_data", data={"text/html": tab_html}, metadata={META_KEY: meta_t}),
            new_output("display_data", data={"text/html": "<p>text</p>"}),
        ]
    )
    return new_notebook(cells=[cell])


def test_report_assets_written_atomically_and_linked(tmp_path):
    nb = _exported_nb()
    res = export_report_assets(nb, tmp_path / "findings.en.html", lang="en")
    assert res["xlsx"] == tmp_path / "findings.en.xlsx" and res["tables"] == 1
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "findings.en-01.png",
        "findings.en-01.svg",
    ]
    outs = nb.cells[0]["outputs"]
    assert 'href="figures/findings.en-01.svg"' in outs[0]["data"]["text/html"]
    assert 'href="findings.en.xlsx"' in outs[1]["data"]["text/html"]
    # the spreadsheet link follows the table's note, outside the table's scrolling box
    tab_html = outs[1]["data"]["text/html"]
    assert tab_html.index("</table></div>") < tab_html.index('class="table-note"')
    assert tab_html.index('class="table-note"') < tab_html.index('href="findings.en.xlsx"')
    png = (tmp_path / "figures" / "findings.en-01.png").read_bytes()
    assert png.startswith(b"\x89PNG") and "<img" not in outs[0]["data"]["text/html"]
    assert outs[2]["data"]["text/html"] == "<p>text</p>"
    assert not list(tmp_path.glob(".*.tmp")) and not list((tmp_path / "figures").glob(".*"))
    # a later build with fewer figures leaves no stale file; other reports' files are kept
    (tmp_path / "figures" / "findings.en-02.png").write_bytes(b"old")
    (tmp_path / "figures" / "findings-01.png").write_bytes(b"nb")
    export_report_assets(_exported_nb(), tmp_path / "findings.en.html", lang="en")
    names = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert names == ["findings-01.png", "findings.en-01.png", "findings.en-01.svg"]


def test_small_text_raised_and_long_labels_wrapped():
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    long = "nå leietakere som sjelden deltar, for eksempel på grunn av språk eller helse"
    ax.barh([0, 1], [3, 4])
    ax.set_yticks([0, 1], [long, "kort"], fontsize=7)
    ax.legend(["x"], fontsize=6)
    display.make_readable(fig)
    assert display.min_font_size(fig) * display.display_scale(fig) >= 9.0
    assert "\n" in ax.get_yticklabels()[0].get_text()
    assert ax.get_yticklabels()[1].get_text() == "kort"


def test_wide_figure_gets_larger_text():
    fig = Figure(figsize=(14, 3))
    fig.add_subplot().plot([0, 1], [0, 1])
    display.make_readable(fig)
    scale = display.display_scale(fig)
    assert scale < 96 / 110 * 1.0 + 1e-9 and display.min_font_size(fig) * scale >= 9.0


def test_fully_suppressed_figure_replaced_by_a_sentence():
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().bar(["a", "b"], [0, 0])
    data = pd.DataFrame({"Gruppe": ["a", "b"], "n": [":", ":"], "Andel": [":", ":"]})
    html = display.figure_html(fig, alt="Bars of a and b", caption="Andel", data=data, lang="nb")
    assert "<img" not in html and "Figuren vises ikke" in html and "Andel" in html
    partly = data.assign(n=[":", 12])
    assert "<img" in display.figure_html(fig, alt="Bars of a and b", caption="Andel", data=partly)


def test_score_by_accepts_the_category_label():
    from analysis.render.plots import score_by
    from analysis.stats.tables import FilterError

    df = pd.DataFrame(
        {
            "instrument_version": 1,
            "kommunenummer": None,
            "utleierkategori": ["kommersiell"] * 8 + ["ideell"] * 8,
            "storrelse": "20 000+",
            "kompetanse": range(16),
        }
    )
    a = score_by(df, "kompetanse", "storrelse", category="Kommersiell")
    b = score_by(df, "kompetanse", "storrelse", category="kommersiell")
    assert a.data.equals(b.data) and int(a.data["Antall svar"].iloc[0]) == 8
    assert a.caption.endswith("(kommersielle utleiere, n = 8)"), a.caption  # plural agreement
    with pytest.raises(FilterError, match="valid values"):
        score_by(df, "kompetanse", "storrelse", category="privat")
