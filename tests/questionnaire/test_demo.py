"""The synthetic demo waves: determinism, file formats, planted problems, frame and ground truth.

The raw files are read with pandas / pyreadstat directly (not with the project's loaders).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from stdnum.no import fodselsnummer

from analysis.errors import UserError
from analysis.instrument.codebook import SIZE_CLASSES, load_codebook
from analysis.io.frame import frame_margins, load_frame
from analysis.io.manifest import Manifest, sha256_file
from analysis.questionnaire.demo import (
    CAPITAL_CODE,
    CATEGORIES,
    DEFAULT_SEED,
    USER_MISSING,
    _answers,
    _design,
    _FrameArrays,
    _scores,
    fictional_frame,
    write_demo,
)

SYSTEM = ("$submission_id", "$created", "$answer_time_ms")
KOMP7 = ("planlegge", "na_alle", "mote", "tilbakemelding", "evaluere", "regelverk", "konflikt")


# ----------------------------------------------------------------------------------------------
# fixtures: one default-seed demo for the whole module
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    paths = write_demo(root=root)
    return root, paths


@pytest.fixture(scope="module")
def ns(demo):
    """demo-2022 as text, every cell a string ('' for blank)."""
    root, _ = demo
    path = root / "data" / "raw" / "demo-2022" / "nettskjema_export.csv"
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def sav(demo):
    root, _ = demo
    path = root / "data" / "raw" / "demo-2023" / "demo_2023.sav"
    return pyreadstat.read_sav(str(path), user_missing=True)


def _truth(root, wave):
    return json.loads(
        (root / "data" / "raw" / wave / "ground_truth.json").read_text(encoding="utf-8")
    )


def _digests(paths, root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


# ----------------------------------------------------------------------------------------------
# determinism, folders, manifest
# ----------------------------------------------------------------------------------------------


def test_same_seed_same_bytes(demo, tmp_path):
    root, paths = demo
    again = write_demo(root=tmp_path)
    assert _digests(paths, root) == _digests(again, tmp_path)
    assert (
        len(paths) == 8 + 3 + 2 * 5
    )  # survey, instrument files, then per wave notes, 3 sheets, qual truth


def test_different_seed_differs(demo, tmp_path):
    root, paths = demo
    other = write_demo(seed=DEFAULT_SEED + 1, root=tmp_path)
    a, b = _digests(paths, root), _digests(other, tmp_path)
    for name in ("nettskjema_export.csv", "demo_2023.sav", "frame.csv", "ground_truth.json"):
        differing = [k for k in a if k.endswith(name) and a[k] != b[k]]
        assert differing, name


def test_existing_folder_needs_force_and_default_root(project_tmp):
    (project_tmp / "data" / "raw" / "demo-2023").mkdir(parents=True)
    with pytest.raises(UserError, match="--force"):
        write_demo()
    assert not (project_tmp / "data" / "raw" / "demo-2022").exists()  # nothing written
    paths = write_demo(seed=5, force=True)  # root defaults to ANALYSIS_ROOT (project_tmp)
    assert all(p.is_file() and project_tmp in p.parents for p in paths)


def test_manifests(demo):
    root, _ = demo
    for wave, fmt, version, export, start in (
        ("demo-2022", "nettskjema", 1, "nettskjema_export.csv", "2022-09-15"),
        ("demo-2023", "spss", 2, "demo_2023.sav", "2023-09-15"),
    ):
        folder = root / "data" / "raw" / wave
        m = Manifest.read(folder)
        assert (m.wave, m.format, m.instrument_version, m.source_file) == (
            wave,
            fmt,
            version,
            export,
        )
        assert m.sha256 == sha256_file(folder / export)
        m.verify(folder)
        assert m.frame_file == "frame.csv" and m.frame_sha256 == sha256_file(folder / "frame.csv")
        assert m.design == "convenience"
        assert m.fieldwork_start == start and m.fieldwork_end == start[:4] + "-10-31"
        assert m.source == f"Synthetic demo (analysis.questionnaire.demo, seed {DEFAULT_SEED})"
        assert m.received.startswith(start[:4])


def test_manifest_survey_facts(demo_root):
    """Plausible survey facts: more invited than answered (response rates 30-80 %), one count
    unknown in demo-2022, the tool that made each export."""
    from analysis.clean.ingest import load_processed

    for wave, tool, unknown in (
        ("demo-2022", "Nettskjema", {"kommersiell"}),
        ("demo-2023", "SurveyXact", set()),
    ):
        m = Manifest.read(demo_root / "data" / "raw" / wave)
        assert m.survey["tool"] == tool
        assert m.survey["recruitment"] and m.survey["mode"]
        assert set(CATEGORIES) - set(m.survey["invited"]) == unknown
        answered = load_processed(wave, root=demo_root)["utleierkategori"].value_counts()
        for cat, invited in m.survey["invited"].items():
            assert 0.3 <= answered[cat] / invited <= 0.8, (wave, cat, answered[cat], invited)


# ----------------------------------------------------------------------------------------------
# the Nettskjema export (demo-2022)
# ----------------------------------------------------------------------------------------------


def test_nettskjema_layout(demo, ns):
    root, _ = demo
    raw = (root / "data" / "raw" / "demo-2022" / "nettskjema_export.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == ""
    fully_quoted = re.compile(r'^"[^"]*"(;"[^"]*")*$')
    assert all(fully_quoted.match(line) for line in lines[:-1])
    header = next(csv.reader([lines[0]], delimiter=";"))
    assert header[0] == "$submission_id"
    assert header[-2:] == ["$created", "$answer_time_ms"]
    cb = load_codebook(1)
    items = header[1:-2]
    assert len(items) == len(cb.item_columns)
    for col in items:  # q for single/text questions, q.r for matrix rows and checkbox options
        q, _, part = col.partition(".")
        assert q in cb.questions
        assert bool(part) == (cb.question(q).type in ("matrix", "checkbox"))
    assert {"komp.na_alle", "behov.beboerrad", "former.ingen", "behov_viktigst"} <= set(items)
    assert "komp.digitalt" not in items
    assert (ns["$created"] == "").all()
    assert ns["$answer_time_ms"].str.fullmatch(r"\d+").all()
    assert ns["$submission_id"].is_unique
    # kommunenummer keeps its leading zeros as text
    assert (ns["kommunenummer"] == CAPITAL_CODE).sum() >= 10


def test_nettskjema_codes_in_range(ns):
    cb = load_codebook(1)
    truth_rows = {7}  # the planted out-of-range code, checked separately
    for col in cb.item_columns:
        q, _ = cb.locate(col)
        if q.type == "text":
            continue
        values = ns[cb.source_column(col, "nettskjema")]
        allowed = {str(c) for c in q.codes} | ({""} if q.type != "checkbox" else set())
        bad = set(values) - allowed
        if col == "komp_mote":
            assert bad == {str(v) for v in truth_rows}
        else:
            assert not bad, col


def test_counts_and_category_mix_2022(ns):
    assert 280 <= len(ns) <= 330
    types = ns["utleiertype"].astype(int)
    assert set(types) == {1, 2, 3, 4, 5}
    assert (types == 4).sum() in (60, 61)  # 60 + possibly the planted duplicate
    assert (types == 5).sum() in (40, 41)
    municipal = ns[types <= 3]
    codes = municipal["kommunenummer"].replace("301", "0301")
    assert codes.ne("").all()
    assert 115 <= codes.nunique() <= 120
    # several units in the biggest municipality: its city districts (bydeler)
    capital = municipal[codes == CAPITAL_CODE]
    assert (capital["utleiertype"] == "2").sum() == 10
    assert len(capital) >= 12
    assert (
        codes.value_counts().iloc[1] >= 2
    )  # other big municipalities answer with several units too
    others = ns[types >= 4]
    assert 0.6 < (others["kommunenummer"] != "").mean() < 0.98


def test_checkbox_consistency_2022(ns):
    barr = ns.filter(like="barrierer.").astype(int)
    over = barr.sum(axis=1) > 3
    assert over.sum() == 1  # only the planted violation
    former = ns.filter(like="former.").astype(int)
    others = former.drop(columns="former.ingen").sum(axis=1)
    conflict = (former["former.ingen"] == 1) & (others > 0)
    assert conflict.sum() == 1  # only the planted violation
    assert ((former["former.ingen"] == 1) | (others > 0)).all()  # 'ingen' whenever no form
    # behov_viktigst is one of the chosen themes, blank only when none is chosen
    behov = ns.filter(like="behov.").astype(int).to_numpy()
    viktigst = ns["behov_viktigst"]
    for row, v in zip(behov, viktigst, strict=True):
        if v == "":
            assert row.sum() == 0
        else:
            assert row[int(v) - 1] == 1
    # with 'ingen', every applicable participation level is at most 'Informerer'
    niva = ns.filter(like="niva.").replace("", "-1").astype(int)
    only_ingen = (former["former.ingen"] == 1) & (others == 0)
    sub = niva[only_ingen]
    assert ((sub <= 1) | (sub == 9)).all().all()


def test_competence_items_are_a_plausible_scale(ns):
    import pingouin as pg

    komp = (
        ns[[f"komp.{r}" for r in KOMP7]]
        .replace({"": np.nan, "9": np.nan, "7": np.nan})
        .astype(float)
    )
    # pingouin.cronbach_alpha(data=komp.dropna()) (listwise deletion of "vet ikke" and blanks)
    alpha, _ = pg.cronbach_alpha(data=komp.dropna())
    assert 0.7 < alpha < 0.9
    assert 2.5 < np.nanmean(komp.to_numpy()) < 3.5


def test_dont_know_and_blank_rates(ns):
    komp = ns[[f"komp.{r}" for r in KOMP7]]
    assert 0.01 < (komp == "9").to_numpy().mean() < 0.06
    assert 0.01 < (komp == "").to_numpy().mean() < 0.07


def test_planted_problems_2022(demo, ns):
    root, _ = demo
    planted = _truth(root, "demo-2022")["planted_problems"]
    kinds = [p["kind"] for p in planted]
    assert sorted(kinds) == sorted(
        [
            "duplicate",
            "out_of_range",
            "kommunenummer_leading_zero",
            "ingen_conflict",
            "barrierer_over_max",
            "email",
            "phone",
            "national_id",
        ]
    )
    rows = [p["source_row"] for p in planted] + [planted[0]["duplicate_of"]["source_row"]]
    assert len(set(rows)) == len(rows)  # one problem per row
    items = [c for c in ns.columns if c not in SYSTEM]
    for p in planted:
        row = ns.iloc[p["source_row"] - 1]
        assert row["$submission_id"] == p["submission_id"]
        if p["kind"] == "duplicate":
            orig = ns.iloc[p["duplicate_of"]["source_row"] - 1]
            assert orig["$submission_id"] == p["duplicate_of"]["submission_id"]
            assert p["duplicate_of"]["source_row"] < p["source_row"]
            assert (row[items] == orig[items]).all()
            assert row["$submission_id"] != orig["$submission_id"]
        elif p["kind"] == "out_of_range":
            assert row["komp.mote"] == "7" and p["value"] == 7
        elif p["kind"] == "kommunenummer_leading_zero":
            assert row["kommunenummer"] == "301" and p["repaired"] == "0301"
            assert row["utleiertype"] in ("1", "2", "3")
        elif p["kind"] == "ingen_conflict":
            assert row["former.ingen"] == "1"
            assert p["other_forms"] and all(
                row[c.replace("_", ".", 1)] == "1" for c in p["other_forms"]
            )
        elif p["kind"] == "barrierer_over_max":
            assert row.filter(like="barrierer.").astype(int).sum() == 4
            assert all(row[c.replace("_", ".", 1)] == "1" for c in p["columns"])
        else:
            assert p["value"] in row[p["column"]]
    # exactly one exact duplicate pair in the file
    dup = ns.duplicated(subset=items, keep=False)
    assert dup.sum() == 2
    # exactly one 3-digit municipality code, one out-of-range code
    assert (ns["kommunenummer"].str.len() == 3).sum() == 1
    assert (ns["komp.mote"] == "7").sum() == 1
    _check_personal_data(
        planted, ns[["eksempel", "kommentar"]], phone_pattern=r"\+47 \d{3} \d{2} \d{3}"
    )


def _check_personal_data(planted, texts: pd.DataFrame, *, phone_pattern: str):
    by_kind = {p["kind"]: p for p in planted}
    email = by_kind["email"]["value"]
    assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", email)
    assert re.fullmatch(phone_pattern, by_kind["phone"]["value"])
    fnr = by_kind["national_id"]["value"]
    assert re.fullmatch(r"\d{11}", fnr)
    assert fodselsnummer.is_valid(fnr)
    # personal data only in the planted rows
    flat = texts.to_numpy().ravel().tolist()
    for kind in ("email", "phone", "national_id"):
        assert sum(by_kind[kind]["value"] in t for t in flat) == 1, kind
    clean = [
        t
        for t in flat
        if not any(by_kind[k]["value"] in t for k in ("email", "phone", "national_id"))
    ]
    assert not any(re.search(r"@|\d{3}", t) for t in clean)


# ----------------------------------------------------------------------------------------------
# the SPSS export (demo-2023)
# ----------------------------------------------------------------------------------------------


def test_sav_layout_labels_and_user_missing(sav):
    df, meta = sav
    cb = load_codebook(2)
    assert df.columns[0] == "ID"
    assert list(df.columns[1:]) == [cb.source_column(c, "spss") for c in cb.item_columns]
    assert {"komp_digitalt", "behov_organisering"} <= set(df.columns)
    assert "behov_beboerrad" not in df.columns
    # value labels: 9 'Vet ikke' is an ordinary labelled value, -99 the declared user-missing code
    labels = meta.variable_value_labels
    assert labels["komp_planlegge"][9] == "Vet ikke"
    assert labels["komp_planlegge"][USER_MISSING] == "Ikke besvart"
    assert labels["utleiertype"] == {
        1: "Kommune (etat/enhet)",
        2: "Bydel eller kommunalt foretak",
        4: "Ideell utleier",
        5: "Kommersiell utleier",
        -99: "Ikke besvart",
    }
    assert labels["behov_organisering"][1] == "Beboerråd og organisering"
    for col in df.columns[1:]:
        if col in ("kommunenummer", "eksempel", "kommentar"):
            continue
        assert meta.missing_ranges[col] == [{"lo": USER_MISSING, "hi": USER_MISSING}], col
        assert col in labels
    assert 9 not in [r["lo"] for r in meta.missing_ranges["komp_planlegge"]]
    assert meta.column_names_to_labels["komp_digitalt"].endswith(
        "[bruke digitale kanaler i medvirkning]"
    )
    # -99 is used (break-offs before the needs section) and is distinct from 9
    needs = [c for c in df.columns if c.startswith(("barrierer_", "behov_", "format_"))]
    broke = (df[needs] == USER_MISSING).all(axis=1)
    assert broke.sum() >= 3
    assert ((df[needs] == USER_MISSING).any(axis=1) == broke).all()
    assert (df.filter(like="komp_") == 9).to_numpy().sum() > 0


def test_sav_user_missing_reads_as_missing(demo):
    root, _ = demo
    df, _ = pyreadstat.read_sav(str(root / "data" / "raw" / "demo-2023" / "demo_2023.sav"))
    assert not (df.select_dtypes("number") == USER_MISSING).any().any()
    assert df["behov_metoder"].isna().sum() >= 3


def test_counts_and_category_mix_2023(sav):
    df, _ = sav
    assert 280 <= len(df) <= 330
    types = df["utleiertype"].astype(int)
    assert set(types) == {1, 2, 4, 5}  # version 2 merges 2 and 3
    assert (types == 4).sum() in (60, 61) and (types == 5).sum() in (40, 41)
    codes = df.loc[types <= 2, "kommunenummer"]
    assert codes.str.fullmatch(r"\d{4}").all()
    assert 115 <= codes.nunique() <= 120
    assert (codes == CAPITAL_CODE).sum() >= 12
    answered = df[~(df["barrierer_tid"] == USER_MISSING)]
    assert (answered.filter(like="barrierer_").sum(axis=1) <= 3).all()
    assert df["ID"].is_unique


def test_planted_problems_2023(demo, sav):
    root, _ = demo
    df, _ = sav
    planted = _truth(root, "demo-2023")["planted_problems"]
    by_kind = {p["kind"]: p for p in planted}
    assert {"duplicate", "email", "phone", "national_id", "user_missing"} <= set(by_kind)
    items = [c for c in df.columns if c != "ID"]
    for kind in ("duplicate", "email", "phone", "national_id"):
        p = by_kind[kind]
        row = df.iloc[p["source_row"] - 1]
        assert str(int(row["ID"])) == p["submission_id"]
        if kind == "duplicate":
            orig = df.iloc[p["duplicate_of"]["source_row"] - 1]
            assert row[items].equals(orig[items])
            assert row["ID"] != orig["ID"]
        else:
            assert p["value"] in row[p["column"]]
    assert df.duplicated(subset=items, keep=False).sum() == 2
    assert by_kind["user_missing"]["code"] == USER_MISSING
    assert by_kind["user_missing"]["rows"] == int((df["behov_metoder"] == USER_MISSING).sum())
    _check_personal_data(planted, df[["eksempel", "kommentar"]], phone_pattern=r"[49]\d{7}")


# ----------------------------------------------------------------------------------------------
# the fictional frame
# ----------------------------------------------------------------------------------------------


def test_fictional_frame_matches_real_margins(demo, reference_frame_path):
    root, _ = demo
    fictional = load_frame(root / "data" / "raw" / "demo-2022" / "frame.csv")
    real = load_frame(reference_frame_path)
    assert len(fictional) == 356 and fictional.attrs["year"] == 2022
    a, b = frame_margins(fictional), frame_margins(real)
    assert a["municipalities"].tolist() == b["municipalities"].tolist()
    assert a["fylkesnummer"].tolist() == b["fylkesnummer"].tolist()
    assert a["storrelse"].astype(str).tolist() == b["storrelse"].astype(str).tolist()
    # county names: the README's short Norwegian names
    real_names = (
        b.drop_duplicates("fylkesnummer").set_index("fylkesnummer")["fylke"].str.split(" - ").str[0]
    )
    fict_names = a.drop_duplicates("fylkesnummer").set_index("fylkesnummer")["fylke"]
    assert (real_names == fict_names).all()
    # the same file in both waves
    assert (root / "data" / "raw" / "demo-2023" / "frame.csv").read_bytes() == (
        root / "data" / "raw" / "demo-2022" / "frame.csv"
    ).read_bytes()


def test_fictional_names_are_not_real(demo, reference_frame_path):
    root, _ = demo
    fictional = load_frame(root / "data" / "raw" / "demo-2022" / "frame.csv")
    real = load_frame(reference_frame_path)
    real_names = {n.lower() for full in real["kommune"] for n in [full, *full.split(" - ")]}
    assert not {n.lower() for n in fictional["kommune"]} & real_names
    assert fictional["kommune"].is_unique
    pairs = set(zip(real["kommunenummer"], real["kommune"], strict=True))
    assert not pairs & set(zip(fictional["kommunenummer"], fictional["kommune"], strict=True))
    clash = set(fictional["kommunenummer"]) & set(real["kommunenummer"])
    # 0301 by design (the planted "301"); Viken has 51 municipalities but only 48 free numbers
    assert CAPITAL_CODE in clash
    assert len(clash) <= 4 and all(c == CAPITAL_CODE or c.startswith("30") for c in clash)


def test_fictional_frame_capital_and_sizes():
    f = fictional_frame(11)
    oslo = f[f["fylkesnummer"] == "03"]
    assert oslo["kommunenummer"].tolist() == [CAPITAL_CODE]
    assert oslo["storrelse"].tolist() == ["20 000+"]
    assert (f["kommunenummer"].str[:2] == f["fylkesnummer"]).all()
    for cls, lo, hi in zip(SIZE_CLASSES, (1, 5_000, 20_000), (4_999, 19_999, 10**7), strict=True):
        pop = f.loc[f["storrelse"] == cls, "population"]
        assert pop.between(lo, hi).all()
    assert not fictional_frame(11).equals(fictional_frame(12))
    pd.testing.assert_frame_equal(f, fictional_frame(11))


# ----------------------------------------------------------------------------------------------
# ground truth
# ----------------------------------------------------------------------------------------------

REQUIRED_ESTIMANDS = {
    "mean_kompetanse_kommunal",
    "mean_kompetanse_ideell",
    "mean_kompetanse_kommersiell",
    "diff_kompetanse_kommersiell_kommunal",
    "diff_kompetanse_storrelse_kommunal",
    "slope_kompetanse_forutsetninger",
}


def test_ground_truth_structure(demo):
    root, _ = demo
    for wave in ("demo-2022", "demo-2023"):
        truth = _truth(root, wave)
        assert "Monte Carlo" in truth["method"] and truth["seed"] == DEFAULT_SEED
        ids = [e["id"] for e in truth["estimands"]]
        assert len(ids) == len(set(ids))
        assert REQUIRED_ESTIMANDS <= set(ids)
        for e in truth["estimands"]:
            assert set(e) >= {"id", "description", "estimand", "value"}
            assert e["estimand"]["kind"] in (
                "mean",
                "mean_difference",
                "regression_coefficient",
                "proportion",
                "wave_difference",
            )
            assert math.isfinite(e["value"]) and 0 < e["mc_se"] < 0.2
        values = {e["id"]: e["value"] for e in truth["estimands"]}
        assert values["diff_kompetanse_kommersiell_kommunal"] < -5
        assert values["diff_kompetanse_storrelse_kommunal"] > 5
        assert values["slope_kompetanse_forutsetninger"] > 1
        assert values["mean_kompetanse_kommersiell"] - values[
            "mean_kompetanse_kommunal"
        ] == pytest.approx(values["diff_kompetanse_kommersiell_kommunal"], abs=1e-3)
    later = {e["id"]: e for e in _truth(root, "demo-2023")["estimands"]}
    earlier = {e["id"]: e for e in _truth(root, "demo-2022")["estimands"]}
    change = later["change_kompetanse_total"]
    assert change["estimand"] == {
        "kind": "wave_difference",
        "score": "kompetanse",
        "a": "demo-2023",
        "b": "demo-2022",
        "group_var": "total",
        "group": "total",
    }
    assert change["value"] == pytest.approx(
        later["mean_kompetanse_total"]["value"] - earlier["mean_kompetanse_total"]["value"],
        abs=1e-3,
    )
    assert change["value"] > 2


def _row_scores(row: dict) -> dict:
    """The scoring rules of instrument.md, written out one respondent at a time."""
    komp = [row[f"komp_{r}"] for r in KOMP7]
    komp = [x for x in komp if x in (1, 2, 3, 4, 5)]
    hold = [row[f"hold_{r}"] for r in ("endrer", "informerer", "verdi")]
    hold = [x for x in hold if x in (1, 2, 3, 4, 5)]
    if row["hold_tidsbruk"] in (1, 2, 3, 4, 5):
        hold.append(6 - row["hold_tidsbruk"])
    niva = [
        row[f"niva_{r}"]
        for r in ("vedlikehold", "uteomrader", "husordensregler", "rehabilitering", "tildeling")
    ]
    niva = [x for x in niva if x in (0, 1, 2, 3, 4, 5)]
    forut = [
        row[f"forut_{r}"] for r in ("strategi", "stilling", "budsjett", "opplaering", "samarbeid")
    ]
    bad = sum(1 for x in forut if x not in (1, 2))
    return {
        "kompetanse": (sum(komp) / len(komp) - 1) / 4 * 100 if len(komp) >= 4 else None,
        "holdning": (sum(hold) / len(hold) - 1) / 4 * 100 if len(hold) >= 3 else None,
        "niva": sum(niva) / len(niva) if len(niva) >= 3 else None,
        "forutsetninger": None if bad >= 3 else sum(1 for x in forut if x == 1),
    }


def test_truth_scoring_matches_row_by_row_rules(ns):
    numeric = {}
    for col in ns.columns:
        if col in SYSTEM or col in ("kommunenummer", "eksempel", "kommentar"):
            continue
        numeric[col.replace(".", "_", 1)] = pd.to_numeric(ns[col].replace("", np.nan)).to_numpy(
            float
        )
    vectorised = _scores(numeric)
    records = pd.DataFrame(numeric).to_dict("records")
    for i, rec in enumerate(records):
        expected = _row_scores(rec)
        for score, value in expected.items():
            got = vectorised[score][i]
            if value is None:
                assert np.isnan(got), (i, score)
            else:
                assert got == pytest.approx(value, abs=1e-9), (i, score)


def test_truth_is_what_sample_estimators_target(demo):
    """Average the plain sample estimates over independent replicate samples of the design.

    The replicate samples come from the same design and model (with other seeds); the estimates
    are computed here independently with pandas and statsmodels. Their average must agree with
    the Monte Carlo truth within a few standard errors of the average.
    """
    import statsmodels.formula.api as smf

    root, _ = demo
    truth = {e["id"]: e["value"] for e in _truth(root, "demo-2022")["estimands"]}
    change_truth = {e["id"]: e["value"] for e in _truth(root, "demo-2023")["estimands"]}
    fa = _FrameArrays(fictional_frame(DEFAULT_SEED))
    est: dict[str, list[float]] = {}
    for rep in range(120):
        rng = np.random.default_rng([424242, rep])
        frames = {}
        for year, version in ((2022, 1), (2023, 2)):
            d = _design(rng, fa)
            clusters = np.where((d["muni"] >= 0) & (d["cat"] == 0), d["muni"], -1)
            ans = _answers(rng, d, wave_year=year, version=version, clusters=clusters)
            ans.pop("_breakoff")
            df = pd.DataFrame({k: v for k, v in ans.items() if k not in ("eksempel", "kommentar")})
            df = pd.concat([df, pd.DataFrame(_scores(ans))], axis=1)  # checked row by row above
            df["kat"] = np.array(["kommunal", "ideell", "kommersiell"])[d["cat"]]
            df["storrelse"] = np.array([*SIZE_CLASSES, "ukjent"])[d["size"]]
            frames[year] = df
        df = frames[2022]
        means = df.groupby("kat")["kompetanse"].mean()
        for k in ("kommunal", "ideell", "kommersiell"):
            est.setdefault(f"mean_kompetanse_{k}", []).append(means[k])
        est.setdefault("diff_kompetanse_kommersiell_kommunal", []).append(
            means["kommersiell"] - means["kommunal"]
        )
        mun = df[df["kat"] == "kommunal"].groupby("storrelse")["kompetanse"].mean()
        est.setdefault("diff_kompetanse_storrelse_kommunal", []).append(
            mun["20 000+"] - mun["under 5 000"]
        )
        fit = smf.ols("kompetanse ~ forutsetninger + C(kat) + C(storrelse)", data=df).fit()
        est.setdefault("slope_kompetanse_forutsetninger", []).append(fit.params["forutsetninger"])
        est.setdefault("share_behov_metoder", []).append(df["behov_metoder"].mean())
        est.setdefault("change_kompetanse_total", []).append(
            frames[2023]["kompetanse"].mean() - df["kompetanse"].mean()
        )
    for key, values in est.items():
        values = np.asarray(values)
        se = values.std(ddof=1) / np.sqrt(len(values))
        target = change_truth[key] if key.startswith("change") else truth[key]
        # 4 standard errors of the replicate average, plus 0.1 for the Monte Carlo error of the
        # truth and the small-sample (ratio) bias of per-sample means
        assert abs(values.mean() - target) < 4 * se + 0.1, (key, values.mean(), target, se)
