"""The per-question appendix: complete, counted right (against pandas), disclosure-safe."""

from __future__ import annotations

import copy
import html as _html
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from analysis.instrument.codebook import load_codebook
from analysis.render import appendix as ap
from analysis.render import display
from analysis.render.i18n import t

WAVES = {"demo-2022": 1, "demo-2023": 2}


@pytest.fixture
def isolated_registry(monkeypatch):
    """Instruments loaded from a path register process-wide under their version: keep this
    test's registrations from leaking into later tests."""
    from analysis.instrument import codebook as cbmod

    for name in ("_BY_VERSION", "_BY_FILE"):
        if hasattr(cbmod, name):
            monkeypatch.setattr(cbmod, name, dict(getattr(cbmod, name)))


@pytest.fixture(scope="module")
def waves(demo_root):
    from analysis.clean.ingest import load_processed

    return {w: load_processed(w, root=demo_root) for w in WAVES}


class Tables(HTMLParser):
    """Captions, header cells and body cells of every table, headings and figure alt texts
    (an ``<img alt>`` or the ``<title>`` of an inline ``<svg role="img">``)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self.headings: list[tuple[str, str, str]] = []
        self.alts: list[str] = []
        self._cur = None
        self._row = None
        self._cell = None
        self._caption = False
        self._head = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._cur = {"caption": "", "header": [], "rows": []}
        elif tag == "caption":
            self._caption = True
        elif tag == "tr" and self._cur is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = {"text": "", "scope": a.get("scope")}
        elif tag in ("h2", "h3", "h4"):
            self._head = [tag, a.get("id", ""), ""]
        elif tag == "img":
            self.alts.append(a.get("alt", ""))
        elif tag == "svg" and a.get("role") == "img":
            self._svg = True
        elif tag == "title" and getattr(self, "_svg", False):
            self.alts.append("")
            self._svg_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._svg_title = False
        elif tag == "svg":
            self._svg = False
        if tag == "caption":
            self._caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if all(c["scope"] == "col" for c in self._row):
                self._cur["header"] = [c["text"] for c in self._row]
            else:
                self._cur["rows"].append([c["text"] for c in self._row])
            self._row = None
        elif tag == "table" and self._cur is not None:
            self.tables.append(self._cur)
            self._cur = None
        elif tag in ("h2", "h3", "h4") and self._head is not None:
            self.headings.append(tuple(self._head))
            self._head = None

    def handle_data(self, data):
        if getattr(self, "_svg_title", False):
            self.alts[-1] += data
        if self._caption:
            self._cur["caption"] += data
        if self._cell is not None:
            self._cell["text"] += data
        if self._head is not None:
            self._head[2] += data


def render(df, cb, monkeypatch, **kw) -> str:
    out: list[str] = []
    monkeypatch.setattr(display, "_display_html", lambda html, export=None: out.append(html))
    ap.show_appendix(df, cb, **kw)
    return "".join(out)


def _int(text: str) -> int:
    return int(text.replace("\u00a0", "").replace(",", ""))


# ---------------------------------------------------------------------------------------------
# frequencies
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wave", WAVES)
def test_counts_equal_pandas_value_counts(waves, wave):
    cb = load_codebook(WAVES[wave])
    df = waves[wave]
    freq = ap.frequencies(df, cb, disclosure="internal")
    coded = [c for q in cb.questions.values() if q.type != "text" for c in q.columns]
    assert list(dict.fromkeys(freq["column"])) == coded
    for col, g in freq.groupby("column", sort=False):
        vc = df[col].dropna().astype(int).value_counts()  # independent: pandas on the raw column
        assert dict(zip(g["code"], g["count"], strict=True)) == {
            c: int(vc.get(c, 0)) for c in g["code"]
        }
        assert set(vc.index) <= set(g["code"]), col  # every answer falls on a labelled code
        n = int(df[col].notna().sum())
        assert (g["n"] == n).all()
        np.testing.assert_allclose(g["share"], g["count"].astype(float) / n)
        labels = cb.value_labels(col)
        assert list(g["label"]) == [labels[c] for c in g["code"]]
        q, _ = cb.locate(col)
        assert list(g["non_substantive"]) == [
            q.type != "checkbox" and c in q.dont_know_codes for c in g["code"]
        ]


@pytest.mark.parametrize("min_cell", [5, 45])
def test_public_frequencies_never_show_a_small_or_derivable_count(waves, min_cell):
    cb = load_codebook(2)
    df = waves["demo-2023"]
    raw = ap.frequencies(df, cb, disclosure="internal")
    pub = ap.frequencies(df, cb, min_cell=min_cell)
    shown = pub[~pub["suppressed"]]
    assert (shown["count"] > min_cell).all()
    assert (pub.loc[~pub["n_suppressed"], "n"] > min_cell).all()
    # every count at or below min_cell is hidden, with its share
    small = raw["count"] <= min_cell
    assert pub.loc[small, "suppressed"].all() and pub.loc[small, "share"].isna().all()
    assert pub.loc[pub["suppressed"], "count"].isna().all()
    # not derivable: with n shown, a column never hides exactly one count
    for col, g in pub.groupby("column", sort=False):
        if not g["n_suppressed"].iloc[0]:
            assert g["suppressed"].sum() != 1, col
    # the same cells as apply_disclosure on each column's count table (codes + answered total)
    from analysis.stats.disclosure import apply_disclosure

    for col, g in raw.groupby("column", sort=False):
        table = pd.DataFrame(
            {"n": [*g["count"].astype(int), int(g["n"].iloc[0])]}, index=[*map(str, g["code"]), "T"]
        )
        mask = apply_disclosure(table, n_col=None, min_n=min_cell, total_row="T").attrs[
            "suppressed"
        ]["n"]
        p = pub[pub["column"] == col]
        assert list(p["suppressed"]) == list(mask.iloc[:-1]), col
        assert bool(p["n_suppressed"].iloc[0]) == bool(mask.iloc[-1]), col
    # shown figures are the true ones
    same = ~pub["suppressed"]
    assert (pub.loc[same, "count"] == raw.loc[same, "count"]).all()
    if min_cell == 45:
        assert pub["suppressed"].sum() > len(pub) // 4


def test_frequencies_refuse_codes_outside_the_instrument():
    cb = load_codebook(1)
    df = pd.DataFrame({"forut_strategi": pd.array([1, 2, 7], dtype="Int8")})
    with pytest.raises(ValueError, match="column forut_strategi: value 7"):
        ap.frequencies(df, cb, columns=["forut_strategi"])
    with pytest.raises(KeyError, match="eksempel"):
        ap.frequencies(df, cb, columns=["eksempel"])


def test_text_answers_count_without_content(waves):
    cb = load_codebook(2)
    df = waves["demo-2023"]
    got = ap.text_answers(df, cb, disclosure="internal").set_index("question")
    texts = [q.id for q in cb.questions.values() if q.type == "text"]
    assert list(got.index) == texts
    for qid in texts:
        s = df[qid].dropna().astype(str)
        assert got.loc[qid, "n"] == int((s.str.strip() != "").sum())
    pub = ap.text_answers(df, cb, min_cell=10**6)
    assert pub["suppressed"].all() and pub["n"].isna().all()


# ---------------------------------------------------------------------------------------------
# the rendered appendix
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("wave", WAVES)
def test_every_question_row_and_option_is_in_the_appendix(waves, monkeypatch, wave, lang):
    cb = load_codebook(WAVES[wave])
    html = render(waves[wave], cb, monkeypatch, lang=lang)
    page = Tables(html)
    text = _html.unescape(html)
    assert page.headings[0] == ("h2", "appendix", t("h_appendix", lang))
    qheads = [h for h in page.headings if h[0] == "h4"]
    assert [h[1] for h in qheads] == [f"appendix-q-{q}" for q in cb.questions]
    assert [h[2] for h in qheads] == [q.text(lang) for q in cb.questions.values()]
    for q in cb.questions.values():
        for col in q.columns if q.parts else ():
            assert cb.label(col, lang) in text, col
        for code, label in (q.scale or {}).items():
            assert label(lang) in text, (q.id, code)
    coded = [q for q in cb.questions.values() if q.type != "text"]
    assert len(page.tables) == len(coded)
    assert len(page.alts) == len(coded) and all(len(a) > 30 for a in page.alts)
    ids = [h[1] for h in page.headings]
    assert len(ids) == len(set(ids))


def test_single_choice_table_matches_value_counts(waves, monkeypatch):
    cb = load_codebook(2)
    df = waves["demo-2023"]
    page = Tables(render(df, cb, monkeypatch, lang="en", disclosure="internal"))
    singles = [q for q in cb.questions.values() if q.type == "single"]
    assert singles
    for q in singles:
        cap = t("appendix_caption_table", "en", question=q.text("en"))
        (tab,) = [tb for tb in page.tables if tb["caption"] == cap]
        vc = df[q.id].value_counts()
        n_i = tab["header"].index("n")
        got = {int(r[1]): _int(r[n_i]) for r in tab["rows"][:-1]}
        assert got == {c: int(vc.get(c, 0)) for c in q.codes}
        assert _int(tab["rows"][-1][n_i]) == int(df[q.id].notna().sum())


@pytest.mark.parametrize("min_cell", [5, 45])
def test_no_public_cell_at_or_below_min_cell(waves, monkeypatch, min_cell):
    cb = load_codebook(2)
    df = waves["demo-2023"]
    html = render(df, cb, monkeypatch, lang="nb", min_cell=min_cell)
    page = Tables(html)
    count_heads = {"n", t("appendix_col_chosen", "nb")}
    seen = hidden = 0
    for tab in page.tables:
        for i, head in enumerate(tab["header"]):
            if head not in count_heads:
                continue
            for row in tab["rows"]:
                if row[i] == ":":
                    hidden += 1
                    continue
                assert _int(row[i]) > min_cell, (tab["caption"], row)
                seen += 1
    assert seen > 50
    if min_cell == 45:
        assert hidden > 10
    # the prose never quotes a small n either
    for m in re.finditer(r"n = ([\d\u00a0]+)", _html.unescape(html)):
        assert _int(m.group(1)) > min_cell


def test_free_text_never_shown(waves, monkeypatch):
    cb = load_codebook(2)
    df = waves["demo-2023"]
    html = _html.unescape(render(df, cb, monkeypatch, lang="nb", disclosure="internal"))
    html = re.sub(r"<img [^>]*>", "", html)  # base64 images may contain any short string
    # an inline SVG's coordinates may too: of a figure keep only what it says (its text nodes)
    html = re.sub(
        r"<svg\b.*?</svg>",
        lambda m: " | ".join(re.findall(r">([^<]+)<", m.group(0))),
        html,
        flags=re.S,
    )
    free = [q.id for q in cb.questions.values() if q.type == "text"]
    answers = {s for q in free for s in df[q].dropna().astype(str) if len(s.strip()) >= 4}
    assert answers
    for s in answers:
        assert s not in html
    for q in free:
        s = df[q].dropna().astype(str)
        n = int((s.str.strip() != "").sum())
        assert (
            t(
                "appendix_free_text" if cb.question(q).free_text else "appendix_text",
                "nb",
                n=display.format_number(n, lang="nb"),
            )
            in html
        )


def test_question_not_in_the_codebook_is_absent(waves, monkeypatch):
    v1, v2 = load_codebook(1), load_codebook(2)
    df = waves["demo-2023"]
    # a row only version 2 has: absent from an appendix made with version 1's codebook
    only_v2 = sorted(set(v2.item_columns) - set(v1.item_columns))
    assert only_v2
    text = _html.unescape(render(df, v1, monkeypatch, lang="nb"))
    for col in only_v2:
        assert v2.label(col, "nb") not in text
    # a question dropped from the codebook is absent, with all its rows/options
    cb = copy.copy(v2)
    dropped = next(q for q in v2.questions.values() if q.type == "matrix")
    cb.questions = {k: q for k, q in v2.questions.items() if k != dropped.id}
    text = _html.unescape(render(df, cb, monkeypatch, lang="nb"))
    assert dropped.text("nb") not in text and f"appendix-q-{dropped.id}" not in text
    for p in dropped.parts:
        assert p.text("nb") not in text


def test_dont_know_share_and_suppression():
    cb = load_codebook(1)
    df = pd.DataFrame({"forut_strategi": pd.array([1] * 20 + [2] * 12 + [9] * 8, dtype="Int8")})
    f = ap.frequencies(df, cb, columns=["forut_strategi"])
    assert ap.dont_know_share(f) == pytest.approx(8 / 40)
    f = ap.frequencies(df, cb, columns=["forut_strategi"], min_cell=10)
    assert np.isnan(ap.dont_know_share(f))
    box = next(c for q in cb.questions.values() if q.type == "checkbox" for c in q.columns)
    g = ap.frequencies(pd.DataFrame({box: pd.array([0, 1] * 10, dtype="Int8")}), cb, columns=[box])
    assert list(g["code"]) == [0, 1] and ap.dont_know_share(g) is None


def test_version_3_written_as_yaml_appears_without_code(waves, monkeypatch, isolated_registry):
    """The change file of the issue (tests/fixtures/instrument_v3.yaml: base 2, a new komp row,
    rolle dropped, a new single-choice question with 9 "vet ikke", a renamed behov option)."""
    from conftest import REPO

    cb = load_codebook(REPO / "tests" / "fixtures" / "instrument_v3.yaml")
    v2 = load_codebook(2)
    new_q = [q for q in cb.questions if q not in v2.questions]
    dropped = [q for q in v2.questions if q not in cb.questions]
    new_cols = [c for c in cb.item_columns if c not in v2.item_columns and c not in new_q]
    assert new_q and dropped and new_cols
    df = waves["demo-2023"].drop(columns=dropped).copy()
    rng = np.random.default_rng(3)
    for col in [*new_q, *new_cols]:
        q, _ = cb.locate(col)
        codes = [*q.codes, None]
        df[col] = pd.array(rng.choice(codes, size=len(df)), dtype="Int8")
    df["instrument_version"] = pd.array([cb.version] * len(df), dtype="Int8")

    freq = ap.frequencies(df, cb, disclosure="internal")
    for col in [*new_q, *new_cols]:
        g = freq[freq["column"] == col]
        vc = df[col].value_counts()
        assert dict(zip(g["code"], g["count"], strict=True)) == {
            c: int(vc.get(c, 0)) for c in g["code"]
        }
    for qid in new_q:
        g = freq[freq["column"] == qid]
        if cb.question(qid).dont_know_codes:
            want = df[qid].isin(cb.question(qid).dont_know_codes).sum() / df[qid].notna().sum()
            assert ap.dont_know_share(g) == pytest.approx(want)

    html = _html.unescape(render(df, cb, monkeypatch, lang="nb"))
    for qid in new_q:
        assert f'id="appendix-q-{qid}"' in html and cb.question(qid).text("nb") in html
    for col in new_cols:
        assert cb.label(col, "nb") in html
    for qid in dropped:
        assert f'id="appendix-q-{qid}"' not in html and v2.question(qid).text("nb") not in html
    # a renamed option keeps its (first) column and its label
    renamed = [(q.id, p) for q in cb.questions.values() for p in q.parts if p.export_id != p.id]
    assert renamed
    for qid, p in renamed:
        assert p.text("nb") in html
        assert not freq[freq["column"] == f"{qid}_{p.id}"].empty


def test_a_new_question_and_row_appear_without_code(waves, monkeypatch):
    """A version-3-like codebook (built here, as a change file would): new single-choice
    question with 9 "vet ikke", a new matrix row, a dropped question."""
    from dataclasses import replace

    from analysis.instrument.codebook import Option, Question, Text

    v2 = load_codebook(2)
    matrix = next(q for q in v2.questions.values() if q.type == "matrix")
    dropped = next(q for q in v2.questions.values() if q.type == "single" and not q.required)
    new_row = Option(id="ny_rad", text=Text(nb="en helt ny rad", en="a brand new row"))
    new_q = Question(
        id="ny_plattform",
        type="single",
        section=matrix.section,
        text=Text(nb="Bruker dere en ny plattform?", en="Do you use a new platform?"),
        scale={1: Text("Ja", "Yes"), 2: Text("Nei", "No"), 9: Text("Vet ikke", "Don't know")},
    )
    questions = {}
    for k, q in v2.questions.items():
        if k == dropped.id:
            continue
        questions[k] = replace(q, rows=(*q.rows, new_row)) if k == matrix.id else q
        if k == matrix.id:
            questions[new_q.id] = new_q
    cb = copy.copy(v2)
    cb.questions = questions
    df = waves["demo-2023"].drop(columns=[dropped.id]).copy()
    rng = np.random.default_rng(3)
    df[new_q.id] = pd.array(
        rng.choice([1, 2, 9, None], size=len(df), p=[0.5, 0.3, 0.1, 0.1]), dtype="Int8"
    )
    row_col = f"{matrix.id}_{new_row.id}"
    df[row_col] = pd.array(rng.choice(list(matrix.codes), size=len(df)), dtype="Int8")

    freq = ap.frequencies(df, cb, disclosure="internal")
    for col in (new_q.id, row_col):
        g = freq[freq["column"] == col]
        vc = df[col].value_counts()
        assert dict(zip(g["code"], g["count"], strict=True)) == {
            c: int(vc.get(c, 0)) for c in g["code"]
        }
    g = freq[freq["column"] == new_q.id]
    assert ap.dont_know_share(g) == pytest.approx(
        (df[new_q.id] == 9).sum() / df[new_q.id].notna().sum()
    )

    html = _html.unescape(render(df, cb, monkeypatch, lang="nb"))
    assert f'id="appendix-q-{new_q.id}"' in html and new_q.text("nb") in html
    assert new_row.text("nb") in html
    assert dropped.text("nb") not in html
