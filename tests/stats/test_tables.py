"""Frequency tables, filters, cross-tabulations and the Rao–Scott test (analysis.stats.tables).

The Rao–Scott test is checked against R survey's ``svychisq`` on the demo waves and a weighted
synthetic case (``tests/stats/reference/``: the R script, its input and its output); the
frequency tables against plain counting and :func:`analysis.stats.estimates.group_proportions`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.clean.ingest import load_processed
from analysis.stats.disclosure import derivable_cells
from analysis.stats.estimates import group_proportions
from analysis.stats.tables import (
    FilterError,
    apply_filters,
    codebook_for,
    crosstab,
    frequencies,
    rao_scott,
)

REF = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="module")
def reference():
    data = pd.read_csv(REF / "rao_scott_input.csv", dtype={"case": str, "psu": str})
    r = pd.read_csv(REF / "rao_scott_r.csv")
    return data, r


def _case_frame(data: pd.DataFrame, case: str) -> pd.DataFrame:
    d = data[data["case"] == case]
    return pd.DataFrame(
        {
            "row": "r" + d["row"].astype(str),
            "col": "c" + d["col"].astype(str),
            "psu": d["psu"].to_numpy(),
            "w": d["w"].to_numpy(),
        }
    )


def test_reference_covers_demo_waves_and_weights(reference):
    data, r = reference
    cases = set(r["case"])
    assert {c.split(":")[0] for c in cases} == {"demo-2022", "demo-2023", "synthetic"}
    assert len(r) == 2 * len(cases) == 2 * data["case"].nunique()


@pytest.mark.parametrize("statistic", ["F", "Chisq"])
def test_rao_scott_matches_r_svychisq(reference, statistic):
    data, ref = reference
    for row in ref[ref["statistic"] == statistic].itertuples():
        df = _case_frame(data, row.case)
        got = rao_scott(
            df, "row", "col", statistic=statistic, cluster="psu", weights="w"
        )
        g = got.iloc[0]
        assert g["n"] == row.n and g["n_clusters"] == row.n_clusters, row.case
        if statistic == "F":
            assert g["value"] == pytest.approx(row.value, rel=1e-8), row.case
            assert g["df"] == pytest.approx(row.df, rel=1e-8), row.case
            assert g["ddf"] == pytest.approx(row.ddf, rel=1e-8), row.case
        else:  # R reports Pearson's X^2 and the corrected p-value
            assert g["pearson"] == pytest.approx(row.value, rel=1e-8), row.case
            assert g["df"] == row.df
        assert g["p_value"] == pytest.approx(row.p_value, rel=1e-6, abs=1e-12), row.case


def test_rao_scott_without_clustering_is_pearson(reference):
    """Independent rows and equal weights: every design effect is n/(n-1), so X^2 / mean deff
    is Pearson's X^2 times (n-1)/n (scipy's chi2_contingency is the independent check)."""
    from scipy.stats import chi2_contingency

    data, _ = reference
    df = _case_frame(data, "demo-2022:forut_budsjettxutleierkategori")
    got = rao_scott(df, "row", "col", statistic="Chisq", cluster=None).iloc[0]
    chi2, p, dof, _ = chi2_contingency(pd.crosstab(df["row"], df["col"]), correction=False)
    assert got["pearson"] == pytest.approx(chi2)
    n = len(df)
    assert got["mean_deff"] == pytest.approx(n / (n - 1))
    assert got["value"] == pytest.approx(chi2 * (n - 1) / n)


# ---------------------------------------------------------------------------------------------
# frequencies on the demo waves
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def waves(demo_root):
    return {w: load_processed(w, root=demo_root) for w in ("demo-2022", "demo-2023")}


@pytest.mark.parametrize("wave", ["demo-2022", "demo-2023"])
def test_frequencies_counts_shares_and_intervals(waves, wave):
    df = waves[wave]
    f = frequencies(df, "komp_mote", disclosure="internal")
    x = pd.to_numeric(df["komp_mote"])
    assert f["n"].tolist() == [int((x == c).sum()) for c in f["code"]]
    sub = f[f["substantive"]]
    n_sub = int(x.isin([1, 2, 3, 4, 5]).sum())
    assert np.allclose(sub["share"], sub["n"] / n_sub)
    assert sub["share"].sum() == pytest.approx(1.0)
    dk = f[~f["substantive"]].iloc[0]
    assert dk["code"] == 9 and dk["share"] == pytest.approx((x == 9).sum() / x.notna().sum())
    # intervals: group_proportions' cluster-robust Wilson interval of the same share
    gp = group_proportions(df, "komp_mote", success=(4,))
    row4 = f[f["code"] == 4].iloc[0]
    assert row4["share"] == pytest.approx(gp["estimate"].iloc[0])
    assert row4["ci_low"] == pytest.approx(gp["ci_low"].iloc[0])
    assert row4["ci_high"] == pytest.approx(gp["ci_high"].iloc[0])
    assert f.attrs["instrument_version"] == int(df["instrument_version"].iloc[0])


def test_version_2_wave_uses_its_own_codebook(waves):
    """komp_digitalt exists only in version 2; utleiertype 2 means 'bydel or foretak' there."""
    df = waves["demo-2023"]
    assert codebook_for(df).version == 2
    f = frequencies(df, "komp_digitalt", disclosure="internal", lang="en")
    assert f["n"].sum() > 0
    g = frequencies(df, "komp_mote", by="utleiertype", disclosure="internal")
    assert "Bydel eller kommunalt foretak" in set(g["group"])
    with pytest.raises(KeyError):
        codebook_for(waves["demo-2022"]).locate("komp_digitalt")


def test_grouping_shows_labels_in_codebook_order(waves):
    df = waves["demo-2022"]
    f = frequencies(df, "forut_budsjett", by="antall_boliger", disclosure="internal")
    groups = list(dict.fromkeys(f["group"]))
    assert groups[0] == "under 50" and groups[-1] == "vet ikke"
    assert not any(g.isdigit() for g in groups)
    assert "antall boliger" in f.attrs["caption"]
    g = frequencies(df, "forut_budsjett", by="utleiertype", disclosure="internal", lang="en")
    assert list(dict.fromkeys(g["group"]))[-1] == "Commercial landlord"
    assert "landlord" in g.attrs["caption"].lower()


def test_checkbox_option(waves):
    df = waves["demo-2022"]
    f = frequencies(df, "behov_metoder", disclosure="internal")
    assert f["code"].tolist() == [0, 1]
    assert f["n"].sum() == int(pd.to_numeric(df["behov_metoder"]).notna().sum())


def test_filters_by_label_or_code_case_insensitive(waves):
    df = waves["demo-2023"]
    a, desc = apply_filters(df, {"utleierkategori": "Kommersiell"})
    b, _ = apply_filters(df, {"utleierkategori": "KOMMERSIELL utleier"})
    c, _ = apply_filters(df, {"utleiertype": 5})
    d, _ = apply_filters(df, {"utleiertype": "kommersiell utleier"})
    assert (
        len(a) == len(b) == len(c) == len(d) == int((df["utleierkategori"] == "kommersiell").sum())
    )
    assert "Kommersiell" in desc
    e, _ = apply_filters(df, {"antall_boliger": ["1000 eller flere", 3]})
    assert set(pd.to_numeric(e["antall_boliger"])) == {3, 4}
    with pytest.raises(FilterError, match="valid values: Kommunal, Ideell, Kommersiell"):
        apply_filters(df, {"utleierkategori": "privat"})
    with pytest.raises(FilterError, match="no such column"):
        apply_filters(df, {"landlord": "x"})
    f = frequencies(df, "komp_mote", filters={"utleierkategori": "Kommersiell"})
    assert f.attrs["n"] == len(a)
    assert f"n = {len(a)}" in f.attrs["caption"] and "Kommersiell" in f.attrs["caption"]


def test_single_municipality_only_internal_and_above_min_cell(waves):
    df = waves["demo-2023"]
    with pytest.raises(ValueError, match="internal"):
        frequencies(df, "komp_mote", by="kommune")
    counts = df["kommune"].value_counts()
    big, small = counts.index[0], counts.index[-1]
    with pytest.raises(FilterError, match="internal"):
        apply_filters(df, {"kommune": big})
    if counts.iloc[0] > 5:
        sub, _ = apply_filters(df, {"kommune": big}, disclosure="internal")
        assert len(sub) == counts.iloc[0]
    with pytest.raises(FilterError, match="at least 6"):
        apply_filters(df, {"kommune": small}, disclosure="internal")


@pytest.mark.parametrize("by", [None, "utleierkategori", "storrelse", "fylke", "antall_boliger"])
@pytest.mark.parametrize(
    "question", ["komp_mote", "forut_strategi", "antall_boliger", "behov_sprak"]
)
def test_public_tables_reveal_no_small_count(waves, by, question):
    """No shown count of 1..min_cell; no hidden count derivable from shown counts and totals,
    nor from a share times its base."""
    df = waves["demo-2022"]
    if question not in df.columns or question == by:
        return
    pub = frequencies(df, question, by=by)
    full = frequencies(df, question, by=by, disclosure="internal")
    shown = pub["n"].dropna()
    assert (shown > 5).all()
    for grp in pub["group"].unique():
        p = pub[pub["group"] == grp]
        f = full[full["group"] == grp]
        sub = p["substantive"].to_numpy()
        K = len(p)
        # cells: K answers, subtotal, total
        hidden = np.r_[
            p["n"].isna().to_numpy(),
            pd.isna(p["n_substantive"].iloc[0]),
            pd.isna(p["n_answered"].iloc[0]),
        ]
        cons = [(list(np.flatnonzero(sub)), K), ([K, *np.flatnonzero(~sub)], K + 1)]
        # a shown share with its shown count reveals its base
        for k in range(K):
            if not pd.isna(p["share"].iloc[k]):
                base_hidden = hidden[K] if sub[k] else hidden[K + 1]
                assert not base_hidden
        assert not derivable_cells(K + 2, cons, hidden)[hidden].any()
        # shown values are the true ones
        ok = ~p["n"].isna().to_numpy()
        assert (p["n"].to_numpy()[ok] == f["n"].to_numpy()[ok]).all()


def test_crosstab_has_test_and_labels(waves):
    df = waves["demo-2022"]
    x = crosstab(df, "forut_budsjett", "utleierkategori", disclosure="internal")
    test = x.attrs["test"]
    assert 0 <= test["p_value"] <= 1 and test["statistic"] == "F"
    assert "Rao–Scott" in x.attrs["note"]
    assert set(x["group"]) == {"Kommunal", "Ideell", "Kommersiell"}
    # within each column group the substantive shares add up to one
    sums = x[x["substantive"]].groupby("group")["share"].sum()
    assert np.allclose(sums, 1.0)
    chisq = crosstab(df, "forut_budsjett", "utleierkategori", statistic="Chisq")
    assert chisq.attrs["test"]["statistic"] == "Chisq"
