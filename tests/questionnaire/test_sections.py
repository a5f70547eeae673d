"""The findings report's story, computed from the demo waves (issue 14: content).

The sections' numbers are checked against computations written out here with pandas (means,
counts, shares), and the selection rules (which difference is named) against the adjusted
comparisons of :func:`analysis.stats.models.group_differences`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.questionnaire import sections as rs
from analysis.render.display import format_number


@pytest.fixture(scope="module")
def ctx23(demo_root):
    return rs.load_context("demo-2023", compare_with="demo-2022", data_root=demo_root)


@pytest.fixture(scope="module")
def ctx22(demo_root):
    return rs.load_context("demo-2022", data_root=demo_root)


@pytest.mark.parametrize("which", ["ctx23", "ctx22"])
def test_key_findings_name_the_size_gap_with_the_data_s_own_means(which, request):
    ctx = request.getfixturevalue(which)
    df = ctx.cur.df
    sentence = next(s for s in rs.key_findings_list(ctx) if s.startswith("Etter kommunestørrelse:"))
    assert "under 5 000 innbyggere" in sentence and "20 000 innbyggere og flere" in sentence
    assert "skårer lavere på kompetanse" in sentence
    # the two means quoted are the plain means of the competence score in the two size classes
    means = df.groupby("storrelse", observed=True)["kompetanse"].mean()
    small, large = (
        format_number(means[k], lang="nb", decimals=0) for k in ("under 5 000", "20 000+")
    )
    assert re.search(rf"{small} \(95\u00a0% KI [^)]*\) mot {large} \(", sentence), sentence
    # and that gap holds after adjustment, and is the largest holding competence gap by size
    gaps = rs.group_gaps(ctx)
    size = gaps[(gaps["group_var"] == "storrelse") & (gaps["variable"] == "kompetanse")]
    pair = size[(size["a"] == "under 5 000") & (size["b"] == "20 000+")]
    assert bool(pair["holds"].iloc[0])
    held = size[size["holds"]]
    assert held["diff"].abs().idxmax() == pair.index[0]


def test_a_grouping_without_a_holding_difference_says_so(ctx23):
    gaps = rs.group_gaps(ctx23)
    sentences = rs.key_findings_list(ctx23)
    for var, lead in (("utleierkategori", "Etter utleierkategori:"), ("fylke", "Etter fylke:")):
        s = next(x for x in sentences if x.startswith(lead))
        holds = bool(gaps.loc[gaps["group_var"] == var, "holds"].any())
        assert ("ingen forskjell" in s) == (not holds), s


def test_group_gaps_adjust_within_each_grouping(ctx23):
    gaps = rs.group_gaps(ctx23)
    sizes = gaps.attrs["family_sizes"]
    n_scores = len(rs.codebook_for(ctx23.cur.df).scores)
    n_counties = ctx23.cur.df["fylke"].dropna().nunique()
    assert sizes["utleierkategori"] == n_scores * 3
    assert sizes["storrelse"] == n_scores * 3
    assert sizes["fylke"] == n_scores * n_counties * (n_counties - 1) // 2


def test_weakest_competences_are_the_lowest_shares_answering_4_or_5(ctx23):
    df = ctx23.cur.df
    cb = rs.codebook_for(df)
    rows = cb.role_columns("competence")
    share = {}
    for c in rows:
        x = pd.to_numeric(df[c], errors="coerce")
        x = x[x.isin([1, 2, 3, 4, 5])]  # "vet ikke" (9) is not in the denominator
        share[c] = float(x.isin([4, 5]).mean())
    order = sorted(share, key=share.get)
    s = rs._competence_items_finding(ctx23)
    for c, pos in ((order[0], "til å "), (order[1], "og til å "), (order[-1], "om å ")):
        label = cb.label(c, "nb")
        pct = format_number(100 * share[c], lang="nb", decimals=0)
        assert f"{pos}{label} ({pct}\u00a0%" in s, (label, s)


def test_participation_by_area_names_the_highest_and_lowest_area(ctx23):
    df = ctx23.cur.df
    cb = rs.codebook_for(df)
    share = {}
    for c in cb.role_columns("participation_level"):
        x = pd.to_numeric(df[c], errors="coerce")
        x = x[x.isin([0, 1, 2, 3, 4, 5])]  # "ikke aktuelt / vet ikke" left out
        share[c] = float((x >= 3).mean())
    best, worst = max(share, key=share.get), min(share, key=share.get)
    s = rs._area_finding(ctx23)
    assert cb.label(best, "nb").lower() in s and cb.label(worst, "nb").lower() in s
    assert s.index(cb.label(best, "nb").lower()) < s.index(cb.label(worst, "nb").lower())


def test_response_rates_from_the_manifest(ctx22, ctx23):
    r = rs.response_rates(ctx22).set_index("category")
    invited = ctx22.cur.manifest.survey["invited"]
    counts = ctx22.cur.df["utleierkategori"].astype("string").value_counts()
    for cat in ("kommunal", "ideell", "kommersiell"):
        assert r.loc[cat, "responses"] == counts[cat]
        if cat in invited:
            assert r.loc[cat, "rate"] == pytest.approx(counts[cat] / invited[cat])
        else:  # not recorded: unknown, never guessed
            assert pd.isna(r.loc[cat, "invited"]) and pd.isna(r.loc[cat, "rate"])
    assert pd.isna(r.loc["total", "rate"])  # unknown while one category's count is
    t = rs.response_rates(ctx23).set_index("category")
    assert t.loc["total", "rate"] == pytest.approx(
        len(ctx23.cur.df) / sum(ctx23.cur.manifest.survey["invited"].values())
    )


@pytest.mark.parametrize("by", ["fylke", "storrelse"])
def test_coverage_counts_add_up(ctx23, by):
    cov = rs.coverage_table(ctx23, by)
    df, frame = ctx23.cur.df, ctx23.cur.frame
    total = cov.iloc[-1]
    assert total["frame"] == len(frame) and total["responses"] == len(df)
    municipal = df[df["utleierkategori"] == "kommunal"]
    assert total["munis"] == municipal["kommunenummer"].nunique()
    body = cov.iloc[:-1]
    assert body["responses"].sum() == len(df)  # every response in a group or "unknown"
    known = body[body["group"].notna()]
    assert known["frame"].sum() == len(frame)
    for r in known.itertuples():
        assert (
            r.munis
            == municipal.loc[municipal[by].astype("string") == r.group, "kommunenummer"].nunique()
        )


def test_item_nonresponse_per_question(ctx23):
    df = ctx23.cur.df
    cb = rs.codebook_for(df)
    nr = rs.item_nonresponse(ctx23).set_index("question")
    assert set(nr.index) == {
        q for q in cb.questions if any(c in df.columns for c in cb.question(q).columns)
    }
    q = cb.question(cb.question_for("competence"))
    cols = list(q.columns)
    blank = sum(all(pd.isna(df.at[i, c]) for c in cols) for i in df.index) / len(df)
    given = [v for c in cols for v in df[c] if not pd.isna(v)]
    dk = sum(int(v) == 9 for v in given) / len(given)
    assert nr.loc[q.id, "unanswered"] == pytest.approx(blank)
    assert nr.loc[q.id, "dont_know"] == pytest.approx(dk)
    assert np.isnan(nr.loc[cb.question_for("themes"), "dont_know"])  # checkboxes have no "vet ikke"


def test_a_scale_with_alpha_under_0_6_is_flagged(ctx23):
    rel = rs.reliability_table(ctx23)
    assert (rel["low"] == (rel["alpha"] < 0.6)).all()
    low = rel.loc[rel["low"], "score"].tolist()
    assert low == ["forutsetninger"]  # the demo's prerequisites hang together little (alpha ~0.2)
    assert rs.low_alpha(ctx23, "forutsetninger") == pytest.approx(
        float(rel.loc[rel["low"], "alpha"].iloc[0])
    )
    assert rs.low_alpha(ctx23, "kompetanse") is None


def test_fieldwork_period_is_written_as_a_reader_writes_it(ctx23):
    assert rs._period(ctx23, "2023-09-15", "2023-10-31") == "fra 15. september til 31. oktober 2023"
    assert (
        rs._period(ctx23, "2023-12-15", "2024-01-31") == "fra 15. desember 2023 til 31. januar 2024"
    )
    assert rs._period(ctx23, None, "2024-01-31") is None  # the sentence then says it is not stated
