"""Plots and their tables: numbers plotted equal an independent computation, alt text comes from
the data, "vet ikke" stays out of the diverging stack, disclosure reaches figures and tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from analysis.instrument.codebook import SIZE_CLASSES, load_codebook
from analysis.render import display, plots
from analysis.stats.scoring import add_scores

COMMON_ITEM_COLUMNS = load_codebook(2).item_columns


def fake_processed(n: int = 300, seed: int = 1, version: int = 1) -> pd.DataFrame:
    """A processed-looking wave (docs/processed-data.md) with random valid codes and some blanks."""
    rng = np.random.default_rng(seed)
    cb1, cb2 = load_codebook(1), load_codebook(2)
    cols = {}
    for c in COMMON_ITEM_COLUMNS:
        q, _ = cb2.locate(c) if c == "komp_digitalt" else cb1.locate(c)
        if q.free_text:
            cols[c] = pd.array([pd.NA] * n, dtype="string")
            continue
        if q.id == "kommunenummer":
            continue
        v = (
            rng.integers(0, 2, n) if q.type == "checkbox" else rng.choice(list(q.codes), n)
        ).astype(float)
        v[rng.random(n) < 0.03] = np.nan
        cols[c] = pd.array(np.where(np.isnan(v), None, v), dtype="Int8")
    df = pd.DataFrame(cols)
    df.insert(0, "instrument_version", pd.array([version] * n, dtype="Int8"))
    df["utleiertype"] = pd.array(
        rng.choice([1, 2, 3, 4, 5], n, p=[0.3, 0.2, 0.1, 0.25, 0.15]), dtype="Int8"
    )
    ut = df["utleiertype"].to_numpy(int)
    cat = np.where(ut <= 3, "kommunal", np.where(ut == 4, "ideell", "kommersiell"))
    df["utleierkategori"] = pd.Categorical(cat, categories=["kommunal", "ideell", "kommersiell"])
    knr = rng.choice([f"{i:04d}" for i in range(301, 341)], n)
    df["kommunenummer"] = pd.array(knr, dtype="string")
    df["kommune"] = pd.array([f"Kommune{k}" for k in knr], dtype="string")
    df["fylke"] = pd.array(
        rng.choice(["Vestland", "Viken", "Nordland", "Troms"], n, p=[0.4, 0.4, 0.17, 0.03]),
        dtype="string",
    )
    df["storrelse"] = pd.Categorical(
        rng.choice(SIZE_CLASSES, n), categories=SIZE_CLASSES, ordered=True
    )
    if version == 1:
        df["komp_digitalt"] = pd.array([pd.NA] * n, dtype="Int8")
    return df


@pytest.fixture(scope="module")
def scored():
    return add_scores(fake_processed())


def _html_ok(r: plots.PlotResult) -> str:
    html = display.figure_html(r.fig, alt=r.alt, caption=r.caption, data=r.data, lang=r.lang)
    assert "<figcaption>" in html and 'alt="' in html
    return html


# ---------------------------------------------------------------------------------------------
# data quality
# ---------------------------------------------------------------------------------------------


def test_missingness_counts_by_hand():
    df = pd.DataFrame(
        {
            "instrument_version": [1, 1, 1, 1],
            "komp_mote": pd.array([1, 9, None, 5], dtype="Int8"),
            "former_ingen": pd.array([0, None, None, 1], dtype="Int8"),
            "komp_digitalt": pd.array([None] * 4, dtype="Int8"),
            "eksempel": pd.array(["x", None, None, None], dtype="string"),
        }
    )
    m = plots.missingness(df).set_index("item")
    assert list(m.index) == [
        "former_ingen",
        "komp_mote",
    ]  # questionnaire order; no v1 komp_digitalt, no free text
    assert m.loc["komp_mote", ["n_missing", "n_dont_know"]].tolist() == [1, 1]
    assert m.loc["former_ingen", ["n_missing", "n_dont_know"]].tolist() == [2, 0]  # 0/1 has no 9
    assert m.loc["former_ingen", "share_missing"] == 0.5
    df["instrument_version"] = 2
    assert "komp_digitalt" in set(plots.missingness(df)["item"])


def test_plot_missingness_alt_names_the_worst_items(scored):
    m = plots.missingness(scored)
    worst = (m["share_missing"] + m["share_dont_know"]).idxmax()
    for lang in ("nb", "en"):
        r = plots.plot_missingness(scored, lang=lang)
        assert m.loc[worst, "item"] in r.alt
        assert f"{len(m)}" in r.alt
        assert len(r.data) == len(m)
        bars = r.fig.axes[0].patches
        assert len(bars) == 2 * len(m)
        _html_ok(r)


def test_quality_tables_show_counts_only():
    q = {
        "wave": "w",
        "source_file": "/home/someone/secret/export.csv",
        "format": "nettskjema",
        "encoding": "utf-8-sig",
        "instrument_version": 1,
        "rows_read": 10,
        "rows_kept": 8,
        "rows_quarantined": 2,
        "quarantined_by_reason": {
            "duplicate": 1,
            "utleiertype missing": 1,
            "utleiertype 7 unknown": 0,
        },
        "set_missing": [{"column": "komp_mote", "reason": "out of range", "count": 1}],
        "repairs": [{"column": "kommunenummer", "kind": "leading zero restored", "count": 3}],
        "flags": {"flag_ingen_conflict": 2, "flag_barrierer_over_max": 0},
        "personal_data_removed": {
            "email": 1,
            "phone": 2,
            "national_id": 1,
            "d_number": 0,
            "columns_dropped": ["Email", "Name"],
        },
    }
    ov = plots.quality_overview(q, lang="nb").table
    assert ov.iloc[0, 1] == "export.csv"  # no machine path
    assert ov.iloc[3:6, 1].tolist() == [10, 8, 2]
    assert "stemmer" in plots.quality_overview(q).note
    qt = plots.quality_quarantine(q, lang="en").table
    assert qt.values.tolist() == [["duplicate", 1], ["utleiertype missing", 1]]
    ch = plots.quality_changes(q, lang="en").table
    assert ch["Count"].tolist() == [1, 3, 2] and ch["Column"].tolist()[-1] == "flag_ingen_conflict"
    pdr = plots.quality_personal_data(q, lang="en").table
    assert pdr["Count"].tolist() == [1, 2, 1, 0, 2]
    for r in (
        plots.quality_overview(q),
        plots.quality_quarantine(q),
        plots.quality_changes(q),
        plots.quality_personal_data(q),
    ):
        display.table_html(r.table, caption=r.caption, note=r.note)


# ---------------------------------------------------------------------------------------------
# Likert
# ---------------------------------------------------------------------------------------------


def test_likert_distribution_matches_value_counts(scored):
    dist = plots.likert_distribution(scored, "komp")
    for item in ("komp_mote", "komp_regelverk"):
        x = scored[item].dropna().astype(int)
        subst = x[x != 9]
        got = dist[dist["item"] == item].set_index("code")
        for code in range(1, 6):
            assert got.loc[code, "n"] == (subst == code).sum()
            assert got.loc[code, "share"] == pytest.approx((subst == code).mean())
        assert got.loc[9, "share"] == pytest.approx(
            (x == 9).mean()
        )  # of all answers, not of substantive


def test_likert_keeps_dont_know_out_of_the_diverging_stack(scored):
    r = plots.plot_likert(scored, "hold", lang="nb")
    ax, ax9 = r.fig.axes[:2]
    dist = plots.likert_distribution(scored, "hold")
    k = dist["item"].nunique()
    assert len(ax.patches) == 5 * k and len(ax9.patches) == k
    # each diverging row sums to 100 % of substantive answers; its neutral bar is centred on 0
    rows = {}
    for p in ax.patches:
        rows.setdefault(round(p.get_y(), 6), []).append(p)
    for bars in rows.values():
        assert sum(b.get_width() for b in bars) == pytest.approx(100)
        neutral = bars[2]
        assert neutral.get_x() + neutral.get_width() / 2 == pytest.approx(0)
        assert matplotlib.colors.to_hex(neutral.get_facecolor()) == plots.DIVERGING_5[2]
    dk = sorted(b.get_width() for b in ax9.patches)
    assert dk == pytest.approx(sorted(100 * dist.loc[dist["code"] == 9, "share"]))
    assert {matplotlib.colors.to_hex(b.get_facecolor()) for b in ax9.patches} == {
        plots.DONT_KNOW_COLOUR
    }
    assert "«Vet ikke» vises for seg" in r.alt
    _html_ok(r)


def test_likert_alt_reports_top_share_from_data(scored):
    dist = plots.likert_distribution(scored, "komp", lang="en")
    top = dist[dist["code"].isin([4, 5])].groupby("label")["share"].sum()
    r = plots.plot_likert(scored, "komp", lang="en")
    best = top.idxmax()
    assert f'"{best}" ({round(100 * top.max()):.0f}%)' in r.alt


# ---------------------------------------------------------------------------------------------
# group estimates, disclosure
# ---------------------------------------------------------------------------------------------


def test_score_by_plots_the_group_means(scored):
    r = plots.score_by(scored, "kompetanse", "utleierkategori", lang="en")
    expect = scored.groupby("utleierkategori", observed=True)["kompetanse"].mean()  # independent
    got = r.data.set_index("Group")["Estimate"]
    for cat, label in (
        ("kommunal", "Municipal"),
        ("ideell", "Non-profit"),
        ("kommersiell", "Commercial"),
    ):
        assert got[label] == pytest.approx(expect[cat])
        assert f"{label} {expect[cat]:.1f}" in r.alt
    assert f"all {scored['kompetanse'].mean():.1f}" in r.alt
    dots = [ln for ln in r.fig.axes[0].lines if ln.get_marker() == "o"]
    assert sorted(float(ln.get_xdata()[0]) for ln in dots) == pytest.approx(sorted(expect))
    _html_ok(r)


def test_score_by_public_suppresses_small_groups(scored):
    muni = scored[scored["utleierkategori"] == "kommunal"]
    sizes = muni.dropna(subset=["kompetanse"]).groupby("fylke").size()
    assert (sizes <= 5).any()  # the fixture has a small county
    r = plots.score_by(
        scored, "kompetanse", "fylke", category="kommunal", disclosure="public", lang="nb"
    )
    shown = r.data[r.data["Estimat"] != ":"]
    hidden = r.data[r.data["Estimat"] == ":"]
    assert set(sizes[sizes <= 5].index) <= set(hidden["Gruppe"])
    dots = [ln for ln in r.fig.axes[0].lines if ln.get_marker() == "o"]
    assert len(dots) == len(shown) - 1  # the total row is the dashed line, not a dot
    assert "prikket" in r.alt and "(kommunale utleiere, n = " in r.caption
    for g in hidden["Gruppe"]:
        assert f"{g} (:)" in [t.get_text() for t in r.fig.axes[0].get_yticklabels()]
    internal = plots.score_by(
        scored, "kompetanse", "fylke", category="kommunal", disclosure="internal"
    )
    assert (internal.data["Estimat"] != ":").all()


def test_estimate_table_marks_suppressed_cells_and_notes_rule(scored):
    r = plots.scores_table(scored, "fylke", disclosure="public", min_cell=20, lang="nb")
    assert ":" in set(r.table["Estimat"].astype(str))
    assert "20 eller færre" in r.note
    html = display.table_html(r.table, caption=r.caption, lang="nb", note=r.note)
    assert 'class="suppressed"' in html
    assert "Alle" in set(r.table["Gruppe"])


def test_municipality_table_only_internal(scored):
    pub = plots.municipality_table(scored, disclosure="public", lang="nb")
    assert isinstance(pub, plots.TextResult) and "enkeltkommuner" in pub.text
    internal = plots.municipality_table(scored, disclosure="internal", lang="nb")
    assert isinstance(internal, plots.TableResult)
    assert set(internal.table["Gruppe"]) - {"Alle"} <= set(scored["kommune"])


def test_niva_profile_excludes_not_applicable(scored):
    r = plots.plot_participation_profile(scored, lang="en")
    x = scored["niva_vedlikehold"].astype("Float64")
    sub = x[(scored["utleierkategori"] == "ideell") & x.notna() & (x != 9)]
    got = r.data[(r.data["Group"] == "Non-profit") & (r.data["Measure"] == "Maintenance")]
    assert float(got["Estimate"].iloc[0]) == pytest.approx(float(sub.mean()))
    assert int(got["Responses"].iloc[0]) == len(sub)
    assert f"Maintenance {float(sub.mean()):.1f}" in r.alt
    _html_ok(r)


def test_reliability_table_labels_scales(scored):
    r = plots.reliability_table(scored, lang="en")
    assert r.table.iloc[:, 0].tolist()[0] == "Competence"  # no internal variable names
    assert len(r.table) == 4


# ---------------------------------------------------------------------------------------------
# shares and change
# ---------------------------------------------------------------------------------------------


def test_plot_shares_sorted_with_alt_in_order():
    t = pd.DataFrame(
        {
            "variable": ["behov_metoder", "behov_husleierett", "behov_konflikt"],
            "estimate": [0.3, 0.61, 0.45],
            "ci_low": [0.25, 0.55, 0.4],
            "ci_high": [0.36, 0.67, 0.5],
            "n": [200, 200, 200],
        }
    )
    r = plots.plot_shares(t, lang="nb", title="ønskede temaer")
    labels = [tk.get_text() for tk in r.fig.axes[0].get_yticklabels()]
    assert labels == ["Husleierett", "Konflikthåndtering", "Metoder for medvirkning"]
    assert r.alt.index("Husleierett 61\u00a0%") < r.alt.index("Konflikthåndtering 45\u00a0%")
    widths = sorted(p.get_width() for p in r.fig.axes[0].patches)
    assert widths == pytest.approx([30, 45, 61])
    _html_ok(r)


def test_plot_change_marks_non_comparable():
    t = pd.DataFrame(
        {
            "label": ["Kompetanse", "Digital kompetanse", "Holdning"],
            "difference": [4.2, 1.0, -2.0],
            "ci_low": [1.0, -1.0, -5.5],
            "ci_high": [7.4, 3.0, 1.5],
            "comparable": [True, False, True],
        }
    )
    r = plots.plot_change(t, lang="nb")
    dots = [ln for ln in r.fig.axes[0].lines if ln.get_marker() == "o"]
    assert len(dots) == 2
    assert "Ikke sammenlignbart: Digital kompetanse" in r.alt and "−2,0 (−5,5 til 1,5)" in r.alt
    assert "Digital kompetanse (ikke sammenlignbar)" in [
        x.get_text() for x in r.fig.axes[0].get_yticklabels()
    ]


def test_figures_are_deterministic_png(scored):
    a = display.figure_png(plots.plot_likert(scored, "komp").fig)
    b = display.figure_png(plots.plot_likert(scored, "komp").fig)
    assert a == b


def test_languages_switch_labels(scored):
    nb = plots.score_by(scored, "holdning", "storrelse", lang="nb")
    en = plots.score_by(scored, "holdning", "storrelse", lang="en")
    assert "20 000+" in nb.alt and "20,000+" in en.alt
    assert "," in nb.alt.split(":")[1] and "Dot plot" in en.alt and "Punktdiagram" in nb.alt
    with pytest.raises(ValueError, match="language"):
        plots.plot_missingness(scored, lang="de")


def test_model_tables_reformat_models_output_and_suppress_small_levels():
    from analysis.stats.models import pairwise_comparisons, score_regression

    df = add_scores(fake_processed(300, 3))
    r = score_regression(df, "kompetanse", lang="en")
    t = plots.regression_table(df, "kompetanse", lang="en").table
    assert t["Coefficient"].tolist() == pytest.approx(r["estimate"].tolist())
    small = df.copy()
    small.loc[
        small.index[(small["utleierkategori"] == "kommersiell").to_numpy()][4:], "utleierkategori"
    ] = "ideell"
    pub = plots.regression_table(small, "kompetanse", disclosure="public", lang="en").table
    row = pub[pub["Term"].str.contains("Commercial")].iloc[0]
    assert row["Coefficient"] == ":" and row["p"] == ":"
    pw = pairwise_comparisons(df, "kompetanse")
    t = plots.pairwise_table(df, "kompetanse", lang="en").table
    assert t["Difference a − b"].tolist() == pytest.approx(pw["diff"].tolist())
    pub = plots.pairwise_table(small, "kompetanse", disclosure="public", lang="en").table
    assert (
        pub.loc[(pub["Group a"] == "Commercial") | (pub["Group b"] == "Commercial"), "n a"] == ":"
    ).all()


def test_low_competence_needs_from_themes(scored):
    from analysis.stats.themes import low_competence_needs

    r = plots.plot_low_competence_needs(scored, lang="en")
    ref = low_competence_needs(scored, lang="en")
    cut = float(np.nanquantile(scored["kompetanse"].astype(float), 1 / 3))
    low = scored[scored["kompetanse"].astype(float) <= cut]
    # independent of themes.py, answered-question rule: among those who ticked anything or
    # left explicit 0s in "behov" (not all options blank), a blank option counts as not chosen
    block = low[[c for c in low.columns if c.startswith("behov_") and c != "behov_viktigst"]]
    answered = block.notna().any(axis=1)
    expect = (low.loc[answered, "behov_metoder"] == 1).sum() / answered.sum()
    got = r.data[
        (r.data["Group"] == "low competence") & (r.data["Question"] == "Methods for participation")
    ]
    assert float(got["Estimate (%)"].iloc[0]) == pytest.approx(100 * expect)
    assert float(ref.loc[ref["option"] == "metoder", "share_low"].iloc[0]) == pytest.approx(expect)
    assert f"{cut:.1f} or lower" in r.alt and "percentage points" in r.alt


def test_theme_ranking_table_matches_themes(scored):
    from analysis.stats.themes import theme_ranking

    ref = theme_ranking(scored, lang="en")
    t = plots.theme_ranking_table(scored, lang="en").table
    assert t["Theme"].tolist() == ref["label"].tolist()
    assert t["Share (%)"].tolist() == pytest.approx((100 * ref["share"]).tolist())
