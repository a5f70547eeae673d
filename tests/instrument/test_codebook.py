"""The packaged codebook against the instrument page itself.

The expected ids, texts, codes and labels are parsed at test time from the published-wording
tables of ``shared/spec/instrument.md`` (an independent source: the YAML was typed by hand), and
the score and version-2 rules are checked against the page's wording, quoted beside each assertion.
"""

from __future__ import annotations

import os
import re

import pytest

from analysis.instrument.codebook import (
    DONT_KNOW,
    Codebook,
    load_codebook,
)
from analysis.instrument.compare import item_comparability, recode_between, shared_score_items
from conftest import SHARED

CATEGORIES = ("kommunal", "ideell", "kommersiell")

SPEC = SHARED / "spec" / "instrument.md"


@pytest.fixture(scope="module")
def spec_text() -> str:
    if not SPEC.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{SPEC} is missing")
        pytest.skip(f"{SPEC} not found")
    return SPEC.read_text(encoding="utf-8")


def _table(spec: str, header: str) -> list[list[str]]:
    """Rows of the markdown table whose header line starts with ``header``."""
    lines = spec.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().strip("`") for c in line.strip().strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def v1() -> Codebook:
    return load_codebook(1)


@pytest.fixture(scope="module")
def v2() -> Codebook:
    return load_codebook(2)


def test_question_ids_and_texts_match_published_wording(spec_text, v1):
    rows = _table(spec_text, "| id | question text |")
    expected = {qid: text for qid, text in rows}
    assert list(expected) == list(v1.questions), "question ids or their order differ from the spec"
    for qid, text in expected.items():
        assert v1.question(qid).text.nb == text, qid


def test_rows_and_options_match_published_wording(spec_text, v1):
    rows = _table(spec_text, "| question | row/option id | text |")
    by_q: dict[str, list[tuple[str, str]]] = {}
    for qid, part_id, text in rows:
        by_q.setdefault(qid, []).append((part_id, text))
    for qid, parts in by_q.items():
        q = v1.question(qid)
        assert [(p.id, p.text.nb) for p in q.parts] == parts, qid
    with_parts = {q.id for q in v1.questions.values() if q.parts}
    assert with_parts == set(by_q)


def test_codes_and_labels_match(spec_text, v1):
    rows = _table(spec_text, "| item | code | label |")
    by_item: dict[str, dict[int, str]] = {}
    for item, code, label in rows:
        by_item.setdefault(item, {})[int(code)] = label
    for item, labels in by_item.items():
        q = v1.question(item)
        assert {c: t.nb for c, t in q.scale.items()} == labels, item


def test_behov_viktigst_uses_behov_texts_in_order(v1):
    # "`behov_viktigst` uses the `behov` option texts as its labels, codes 1–8 in the `behov` order."
    labels = v1.value_labels("behov_viktigst")
    assert list(labels) == list(range(1, 9))
    assert list(labels.values()) == [o.text.nb for o in v1.question("behov").options]


def test_question_types_match_the_section_tables(spec_text, v1):
    types = {}
    for header in (
        "| id | type | codes |",
        "| id | type | options / rows |",
        "| id | type | options |",
    ):
        for row in _table(spec_text, header):
            ids = re.findall(r"[a-z_]+", row[0])
            kind = row[1].split(",")[0].split(":")[0].strip()
            for qid in ids:
                types[qid] = kind
    expected = {
        "single": "single",
        "text": "text",
        "checkbox": "checkbox",
        "matrix": "matrix",
        "free text": "text",
    }
    for qid, kind in types.items():
        assert v1.question(qid).type == expected[kind], qid
    # komp, hold, forut are described in prose as matrices
    for qid in ("komp", "hold", "forut"):
        assert v1.question(qid).type == "matrix"


def test_structural_rules(v1):
    # "`utleiertype` | single, required"
    assert v1.question("utleiertype").required
    assert [q.id for q in v1.questions.values() if q.required] == ["utleiertype"]
    # "`barrierer` | checkbox, at most 3"
    assert v1.question("barrierer").max_choices == 3
    # "`ingen` together with another form is a data-quality flag"
    assert v1.question("former").exclusive_option == "ingen"
    # "`tidsbruk` ... — reverse-keyed"; no other item is
    reversed_ = [(q.id, p.id) for q in v1.questions.values() for p in q.parts if p.reverse]
    assert reversed_ == [("hold", "tidsbruk")]
    # "may hold names, e-mail addresses, phone or national id numbers"
    assert {q.id for q in v1.questions.values() if q.free_text} == {"eksempel", "kommentar"}
    # "Code 9 is "Vet ikke / ikke aktuelt" wherever it appears"
    assert v1.non_substantive_codes == (DONT_KNOW,) == (9,)
    for q in v1.questions.values():
        if q.scale and DONT_KNOW in q.scale:
            assert DONT_KNOW not in q.substantive_codes


def test_canonical_column_naming(v1):
    # "A matrix or checkbox question `q` with row/option `r` gives the canonical column `q_r`.
    #  Nettskjema exports it as `q.r`; SPSS and SurveyXact as `q_r`."
    assert v1.question("komp").columns[1] == "komp_na_alle"
    assert v1.source_column("komp_na_alle", "nettskjema") == "komp.na_alle"
    assert v1.source_column("komp_na_alle", "spss") == "komp_na_alle"
    assert v1.source_column("komp_na_alle", "surveyxact") == "komp_na_alle"
    assert v1.source_column("utleiertype", "nettskjema") == "utleiertype"
    # Forms: "one column per row titled `<question text> [<row text>]`"
    assert v1.source_column("niva_tildeling", "forms") == (
        "Hva er det høyeste nivået av medvirkning dere bruker på disse områdene? [Tildeling av bolig]"
    )
    assert v1.source_column("former_ingen", "forms") == "Hvilke former for medvirkning bruker dere?"
    # question ids with underscores are located by the longest prefix
    q, part = v1.locate("behov_viktigst")
    assert q.id == "behov_viktigst" and part is None
    q, part = v1.locate("malgrupper_rus_psykisk")
    assert (q.id, part.id) == ("malgrupper", "rus_psykisk")
    with pytest.raises(KeyError):
        v1.locate("komp_nonexistent")


def test_scores(v1):
    s = v1.scores
    assert list(s) == ["kompetanse", "holdning", "niva", "forutsetninger", "bredde"]
    # "mean of substantive answers, rescaled (m−1)/4·100; missing unless at least 4 of 7"
    assert (
        s["kompetanse"].method,
        s["kompetanse"].min_valid,
        s["kompetanse"].scale_min,
        s["kompetanse"].scale_max,
    ) == ("mean_rescaled", 4, 1, 5)
    assert len(v1.question("komp").rows) == 7
    # "`hold_*`, `tidsbruk` reversed (6−x) | as above; at least 3 of 4"
    assert (s["holdning"].method, s["holdning"].min_valid) == ("mean_rescaled", 3)
    # "mean rung over applicable rows, on the 0–5 scale; at least 3 of 5; also `niva_maks`"
    assert (s["niva"].method, s["niva"].min_valid, s["niva"].also_max) == ("mean", 3, "niva_maks")
    # "count of Ja (0–5); missing when 3 or more are "vet ikke" or blank"
    assert (
        s["forutsetninger"].method,
        s["forutsetninger"].code,
        s["forutsetninger"].max_invalid,
    ) == ("count_code", 1, 2)
    # "count of forms chosen, `ingen` excluded (0–7)"
    assert (s["bredde"].method, s["bredde"].exclude) == ("count_checked", ("ingen",))
    assert len(v1.question("former").options) - 1 == 7


def test_categories(v1, v2):
    # "`utleierkategori` = kommunal (1, 2, 3), ideell (4), kommersiell (5)"
    assert tuple(v1.categories) == CATEGORIES
    assert {c: v1.categories[c].codes for c in CATEGORIES} == {
        "kommunal": (1, 2, 3),
        "ideell": (4,),
        "kommersiell": (5,),
    }
    assert [v1.category_of(c) for c in (1, 2, 3, 4, 5, 6)] == [
        "kommunal",
        "kommunal",
        "kommunal",
        "ideell",
        "kommersiell",
        None,
    ]
    assert {c: v2.categories[c].codes for c in CATEGORIES} == {
        "kommunal": (1, 2),
        "ideell": (4,),
        "kommersiell": (5,),
    }


def test_version_2_changes_and_mapping(v1, v2):
    # "`komp` gains the row `digitalt` (bruke digitale kanaler i medvirkning)"
    assert [r.id for r in v2.question("komp").rows] == [r.id for r in v1.question("komp").rows] + [
        "digitalt"
    ]
    assert v2.question("komp").part("digitalt").text.nb == "bruke digitale kanaler i medvirkning"
    # "... which therefore stays out of any score compared across waves"
    assert "komp_digitalt" not in v2.score_items("kompetanse")
    assert shared_score_items(v1, v2, "kompetanse") == v1.question("komp").columns
    assert item_comparability(v1, v2).set_index("column").loc["komp_digitalt", "status"] == "new"
    # "`utleiertype` codes 2 and 3 are merged into 2 "Bydel eller kommunalt foretak"
    #  (version 1's 2 and 3 map to it)"
    assert sorted(v2.question("utleiertype").scale) == [1, 2, 4, 5]
    assert v2.question("utleiertype").scale[2].nb == "Bydel eller kommunalt foretak"
    assert recode_between(v1, v2, "utleiertype") == ("a", {1: 1, 2: 2, 3: 2, 4: 4, 5: 5})
    # "the `behov` option `beboerrad` is renamed `organisering` (same meaning)"
    assert v2.source_column("behov_beboerrad", "spss") == "behov_organisering"
    assert v2.source_column("behov_beboerrad", "nettskjema") == "behov.organisering"
    assert v2.canonical_part_id("behov", "organisering") == "beboerrad"
    assert v1.source_column("behov_beboerrad", "spss") == "behov_beboerrad"
    # "The follow-up questionnaire keeps every id above with three changes"
    v1_cols = set(v1.item_columns)
    assert set(v2.item_columns) - v1_cols == {"komp_digitalt"}
    assert v1_cols - set(v2.item_columns) == set()
    for qid, q1 in v1.questions.items():
        q2 = v2.question(qid)
        if qid != "utleiertype":
            assert q1.scale == q2.scale, qid


def test_every_text_has_english(v1, v2):
    for cb in (v1, v2):
        for q in cb.questions.values():
            assert q.text.en and q.text.en != q.text.nb
            for p in q.parts:
                assert p.text.en
            for t in (q.scale or {}).values():
                assert t.en


def test_bad_version():
    with pytest.raises(ValueError, match="unknown instrument version 99"):
        load_codebook(99)
    with pytest.raises(ValueError, match="version number or a path"):
        load_codebook(None)
