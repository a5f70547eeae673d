"""The report's qualitative section: the input meeting and the free text beside the survey.

One call from the findings notebook, after the seminar-theme section::

    from analysis.questionnaire.qual_section import qual_section
    qual_section(ctx)

:func:`triangulation_table` returns the tidy table behind it: each seminar theme's survey share and
rank interval (the order and intervals of :func:`analysis.questionnaire.sections.theme_priority`,
disclosed) beside how often the meeting notes (paragraphs) and the free-text answers
(respondents) raise the theme's code in the **final** (reconciled) coding, and whether both
strands support it (:func:`analysis.qual.results.triangulate`: the survey when the rank interval
reaches the top three, the qualitative strand when the meeting raised it at least once or at
least three free-text respondents did). Free-text counts pass disclosure control (no group of
``min_cell`` or fewer). Quotes appear only when the final sheet approves them, after redaction,
never from a group of ``min_cell`` or fewer (:func:`analysis.qual.results.approved_quotes`); a
public report quotes the meeting notes only, never a free-text answer (``instrument.md``: free-text
answers never appear in a public output), an internal report may show approved free-text quotes.
When a wave has no meeting notes and no final coding, the section says so and shows no table.
"""

from __future__ import annotations

import pandas as pd

from analysis.qual.results import approved_quotes, code_frequencies, triangulate
from analysis.questionnaire.sections import (
    SUPPRESSED,
    ReportContext,
    _esc,
    _heading,
    _ok,
    _para,
    fmt_ci,
    theme_priority,
)
from analysis.render.display import show_html, show_table

#: Report texts of this section (nb: the report's language; en: the option).
TEXTS = {
    "h_qual": {
        "nb": "Innspillsmøtet og fritekstsvarene",
        "en": "The input meeting and the free-text answers",
    },
    "qual_intro": {
        "nb": "Kartleggingen hadde også et innspillsmøte, og mange svarte med egne ord. Referatet fra "
        "møtet og fritekstsvarene er kodet med de samme temaene som spørreskjemaet, av to kodere "
        "og deretter samordnet. Tabellen viser hvor ofte hvert seminartema ble tatt opp, ved "
        "siden av hvor mange som ønsket temaet i spørreskjemaet.",
        "en": "The mapping also held an input meeting, and many respondents answered in their own "
        "words. The meeting notes and the free-text answers were coded with the questionnaire's "
        "themes by two coders and then reconciled. The table shows how often each seminar theme "
        "was raised, beside the share wanting it in the questionnaire.",
    },
    "qual_none": {
        "nb": "For denne runden finnes ikke noe kodet materiale fra innspillsmøtet eller fritekstsvarene.",
        "en": "There is no coded material from the input meeting or the free-text answers for this wave.",
    },
    "qual_caption": {
        "nb": "Seminartemaer i spørreskjemaet, innspillsmøtet og fritekstsvarene",
        "en": "Seminar themes in the questionnaire, the input meeting and the free-text answers",
    },
    "col_theme": {"nb": "Tema", "en": "Theme"},
    "col_survey": {"nb": "Ønsker temaet (%)", "en": "Want the theme (%)"},
    "col_rank": {"nb": "Rangering (95 % KI)", "en": "Rank (95% CI)"},
    "col_meeting": {"nb": "Møtet (avsnitt)", "en": "Meeting (paragraphs)"},
    "col_free": {"nb": "Fritekst (respondenter)", "en": "Free text (respondents)"},
    "col_both": {"nb": "Støttes av begge", "en": "Supported by both"},
    "yes": {"nb": "ja", "en": "yes"},
    "no": {"nb": "nei", "en": "no"},
    "qual_note": {
        "nb": "Spørreskjemaet støtter et tema når rangeringsintervallet når opp blant de {k} "
        "øverste. Innspillsmøtet og fritekstsvarene støtter det når møtet tok det opp i minst "
        "{m} avsnitt eller minst {f} respondenter skrev om det. Fritekst: antall respondenter "
        "av {n} som skrev fritekst. Møtet: antall avsnitt av {p}.",
        "en": "The questionnaire supports a theme when its rank interval reaches the top {k}. "
        "The meeting and the free text support it when the meeting raised it in at least {m} "
        "paragraph(s) or at least {f} respondents wrote about it. Free text: respondents out of "
        "{n} who wrote free text. Meeting: paragraphs out of {p}.",
    },
    "qual_both": {
        "nb": "Begge kildene støtter: {themes}.",
        "en": "Supported by both strands: {themes}.",
    },
    "qual_both_none": {
        "nb": "Ingen temaer støttes tydelig av begge kildene.",
        "en": "No theme is clearly supported by both strands.",
    },
    "qual_agreement": {
        "nb": "Samsvar mellom de to koderne før samordning, over alle koder: {pct} % like "
        "vurderinger, Cohens kappa {kappa} (95 % KI {klo} til {khi}), Krippendorffs alfa {alpha} "
        "({segments} tekstbiter).",
        "en": "Agreement of the two coders before reconciliation, over all codes: {pct}% equal "
        "decisions, Cohen's kappa {kappa} (95% CI {klo} to {khi}), Krippendorff's alpha {alpha} "
        "({segments} segments).",
    },
    "by_cat_caption": {
        "nb": "Temaer og hindringer i fritekstsvarene, antall respondenter etter utleierkategori",
        "en": "Themes and obstacles in the free-text answers, respondents by landlord category",
    },
    "col_code": {"nb": "Kode", "en": "Code"},
    "col_all": {"nb": "Alle", "en": "All"},
    "qual_quotes": {
        "nb": "Sitater godkjent for publisering",
        "en": "Quotes approved for publication",
    },
    "source_meeting": {"nb": "innspillsmøtet", "en": "the input meeting"},
    "source_free_text": {"nb": "fritekstsvar", "en": "a free-text answer"},
}


def _t(key: str, lang: str, **values) -> str:
    return TEXTS[key][lang].format(**values)


def _num(ctx: ReportContext, x, decimals: int = 2) -> str:
    from analysis.render.display import format_number

    return format_number(float(x), lang=ctx.lang, decimals=decimals)


def qual_data(ctx: ReportContext) -> dict | None:
    """Segments, frame and codings of the report's wave (None when there is nothing coded)."""
    key = ("qual",)
    if key in ctx._cache:
        return ctx._cache[key]
    from analysis.clean.segments import SEGMENTS_FILE, load_segments
    from analysis.paths import processed_dir
    from analysis.qual.codeframe import frame_for_wave
    from analysis.qual.sheets import FINAL_CODER, load_codings, registered_coders

    out = None
    if (processed_dir(ctx.wave, ctx.root) / SEGMENTS_FILE).is_file():
        coders = registered_coders(ctx.wave, root=ctx.root)
        if FINAL_CODER in coders:
            out = {
                "segments": load_segments(ctx.wave, root=ctx.root),
                "frame": frame_for_wave(ctx.wave, root=ctx.root),
                "codings": load_codings(ctx.wave, root=ctx.root),
                "coders": coders,
            }
    ctx._cache[key] = out
    return out


def triangulation_table(ctx: ReportContext) -> pd.DataFrame | None:
    """Survey share and rank interval of each seminar theme beside the meeting and the free text.

    Returns the tidy :func:`analysis.qual.results.triangulate` table in the report's theme order
    (None when the wave has no final coding); ``attrs["frequencies"]`` holds the disclosed code
    frequencies it used.
    """
    data = qual_data(ctx)
    if data is None:
        return None
    from analysis.qual.sheets import FINAL_CODER

    pr = theme_priority(ctx)
    ranking = pd.DataFrame(
        {
            "variable": pr["variable"],
            "label": pr["theme"],
            "n": pr["n"],
            "share": pr["share"],
            "share_ci_low": pr["ci_low"],
            "share_ci_high": pr["ci_high"],
            "rank": pr["rank"],
            "rank_low": pr["rank_low"],
            "rank_high": pr["rank_high"],
        }
    )
    from analysis.instrument.codebook import codebook_for

    freq = code_frequencies(
        data["segments"],
        data["codings"][FINAL_CODER],
        data["frame"],
        group_var=codebook_for(ctx.cur.df).category_variable,
        level=ctx.disclosure,
        min_n=ctx.min_cell,
        lang=ctx.lang,
    )
    out = triangulate(ranking, freq, data["frame"])
    # the survey share is shown only where the theme table shows it (disclosed)
    out.loc[pr["suppressed"].to_numpy(), ["survey_share", "survey_ci_low", "survey_ci_high"]] = None
    out.attrs["frequencies"] = freq
    return out


def free_text_by_category(ctx: ReportContext, table: pd.DataFrame) -> pd.DataFrame:
    """Wide display table: respondents raising each code, total and by landlord category.

    Built from the disclosed frequencies (``table.attrs["frequencies"]``); a suppressed cell
    shows ``:`` and its column header no ``n``.
    """
    from analysis.instrument.codebook import codebook_for
    from analysis.render.i18n import category_label

    cb = codebook_for(ctx.cur.df)

    freq = table.attrs["frequencies"]
    ft = freq[freq["source"] == "free_text"]
    groups = [("total", "total", _t("col_all", ctx.lang))] + [
        (cb.category_variable, c, category_label(c, ctx.lang)) for c in cb.categories
    ]
    cols = {}
    for gv, g, label in groups:
        sub = ft[(ft["group_var"] == gv) & (ft["group"] == g)].set_index("code")
        if sub.empty:
            continue
        n = sub["n"].iloc[0]
        head = f"{label} (n = {int(n)})" if _ok(n) else label
        cols[head] = [
            SUPPRESSED if bool(sub.loc[c, "suppressed"]) else int(sub.loc[c, "count"])
            for c in sub.index
        ]
        codes = list(sub.index)
    frame = qual_data(ctx)["frame"]
    out = pd.DataFrame({_t("col_code", ctx.lang): [frame.code(c).label(ctx.lang) for c in codes]})
    for head, values in cols.items():
        out[head] = values
    return out.astype(object)


def _agreement_line(ctx: ReportContext, data: dict) -> str | None:
    from analysis.qual.cli import agreement_table
    from analysis.qual.sheets import FINAL_CODER

    coders = [c for c in data["coders"] if c != FINAL_CODER]
    if len(coders) != 2:
        return None
    t = agreement_table(ctx.wave, coders=coders, root=ctx.root).set_index("code")
    o = t.loc["overall"]
    if not (_ok(o["kappa"]) and _ok(o["kappa_low"])):
        return None
    return _t(
        "qual_agreement",
        ctx.lang,
        pct=_num(ctx, 100 * o["percent"], 1),
        kappa=_num(ctx, o["kappa"]),
        klo=_num(ctx, o["kappa_low"]),
        khi=_num(ctx, o["kappa_high"]),
        alpha=_num(ctx, o["alpha"]),
        segments=t.attrs["segments"],
    )


def qual_section(ctx: ReportContext) -> None:
    """Display the section: heading, triangulation table, agreement, approved quotes."""
    lang = ctx.lang
    html = _heading(3, "qual", _t("h_qual", lang))
    table = triangulation_table(ctx)
    if table is None:
        show_html(html + _para(_t("qual_none", lang)))
        return
    show_html(html + _para(_t("qual_intro", lang)))
    freq = table.attrs["frequencies"]

    def count(c, n):
        return SUPPRESSED if not _ok(c) else f"{int(c)}"

    shown = pd.DataFrame(
        {
            _t("col_theme", lang): table["label"],
            _t("col_survey", lang): [
                SUPPRESSED if not _ok(v) else round(100 * float(v), 1)
                for v in table["survey_share"]
            ],
            _t("col_rank", lang): [
                fmt_ci(ctx, lo, hi, 0, with_label=False)
                for lo, hi in zip(table["rank_low"], table["rank_high"], strict=True)
            ],
            _t("col_meeting", lang): [
                count(c, n) for c, n in zip(table["meeting_count"], table["meeting_n"], strict=True)
            ],
            _t("col_free", lang): [
                count(c, n)
                for c, n in zip(table["free_text_count"], table["free_text_n"], strict=True)
            ],
            _t("col_both", lang): [_t("yes" if b else "no", lang) for b in table["both_support"]],
        },
        dtype=object,
    )
    a = table.attrs
    n_free = table["free_text_n"].dropna()
    n_meet = table["meeting_n"].dropna()
    note = _t(
        "qual_note",
        lang,
        k=a["top_k"],
        m=a["min_meeting"],
        f=a["min_free_text"],
        n=int(n_free.iloc[0]) if len(n_free) else 0,
        p=int(n_meet.iloc[0]) if len(n_meet) else 0,
    )
    if freq.attrs.get("note"):
        note += " " + freq.attrs["note"]
    show_table(
        shown, caption=_t("qual_caption", lang), lang=lang, note=note, decimals=1, row_headers=1
    )
    by_cat = free_text_by_category(ctx, table)
    if len(by_cat.columns) > 1:
        show_table(
            by_cat,
            caption=_t("by_cat_caption", lang),
            lang=lang,
            note=freq.attrs.get("note"),
            row_headers=1,
        )
    both = table.loc[table["both_support"], "label"].tolist()
    parts = [
        _para(_t("qual_both", lang, themes=", ".join(both)) if both else _t("qual_both_none", lang))
    ]
    data = qual_data(ctx)
    line = _agreement_line(ctx, data)
    if line:
        parts.append(_para(line))
    from analysis.instrument.codebook import codebook_for
    from analysis.qual.sheets import FINAL_CODER

    category = codebook_for(ctx.cur.df).category_variable
    sizes = ctx.cur.df[category].astype(str).value_counts().to_dict()
    quotes = approved_quotes(
        data["segments"],
        data["codings"][FINAL_CODER],
        data["frame"],
        group_sizes=sizes,
        min_n=ctx.min_cell,
        lang=lang,
    )
    if ctx.disclosure == "public":
        # instrument.md: free-text answers never appear in a public output (names cannot be found
        # reliably), so an approved free-text quote is shown in internal reports only
        quotes = quotes[quotes["source"] != "free_text"]
    if len(quotes):
        items = "".join(
            f"<blockquote><p>«{_esc(q.text)}»</p><footer>{_esc(_t('source_' + q.source, lang))}"
            f"{(' · ' + _esc(q.codes)) if q.codes else ''}</footer></blockquote>"
            for q in quotes.itertuples()
        )
        parts.append(f"<h4>{_esc(_t('qual_quotes', lang))}</h4>{items}")
    show_html("".join(parts))
