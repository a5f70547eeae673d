"""The per-question appendix of the findings report, generated from the instrument.

For every question of a wave's codebook (and every matrix row and checkbox option) the appendix
shows the wording, a labelled frequency table with n (the answers in that column) and the share
of non-substantive answers ("vet ikke"), and a compact horizontal bar chart. A question added to
the instrument appears without code; a question the wave's codebook does not have is absent. The
module knows no item id: everything comes from the codebook and the processed data.

Disclosure (``"public"``): each column is a count table (one cell per code, the number answering
as its total) passed through :func:`analysis.stats.disclosure.apply_disclosure` with
``min_n=min_cell``: a count of ``min_cell`` or fewer (zero included) is shown as ``:``, and so is
any count that could be derived from the shown cells and the total (secondary suppression). A
suppressed count's percentage and bar are hidden too; an n of ``min_cell`` or fewer hides the
whole column. Free-text questions are listed with their wording and the number who answered
(itself suppressed when small), never their content.

Examples
--------
>>> import pandas as pd
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> item = cb.role_columns("prerequisites")[0]          # a yes / no / don't know row
>>> df = pd.DataFrame({item: pd.array([1] * 20 + [2] * 12 + [9] * 3 + [None] * 2, dtype="Int8")})
>>> f = frequencies(df, cb, columns=[item])
>>> f[["code", "label", "count", "share", "n", "suppressed"]]
   code     label  count     share   n  suppressed
0     1        Ja     20  0.571429  35       False
1     2       Nei   <NA>       NaN  35        True
2     9  Vet ikke   <NA>       NaN  35        True
>>> frequencies(df, cb, columns=[item], disclosure="internal")["count"].tolist()
[20, 12, 3]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.instrument.codebook import Codebook, Question
from analysis.lang import check_lang
from analysis.render.display import (
    SUPPRESSED,
    format_number,
    show_figure,
    show_html,
    show_table,
)
from analysis.render.i18n import t
from analysis.stats.disclosure import apply_disclosure, disclosure_note

#: Colours of the report's figures (as in the findings sections: dark blue on white, 9:1).
INK = "#1b1b1b"
ACCENT = "#1f4e79"
#: Non-substantive answers ("vet ikke") in grey, apart from the substantive colours.
DONT_KNOW_COLOUR = "#8c8c8c"
#: Segments hidden by disclosure control in a stacked bar.
HIDDEN_COLOUR = "#e4e4e4"

_TOTAL = "\x00total"

FREQUENCY_COLUMNS = (
    "question",
    "column",
    "part",
    "type",
    "code",
    "label",
    "non_substantive",
    "count",
    "share",
    "n",
    "suppressed",
    "n_suppressed",
)


def _check(disclosure: str, lang: str) -> None:
    check_lang(lang)
    if disclosure not in ("public", "internal"):
        raise ValueError(f"disclosure must be 'public' or 'internal', not {disclosure!r}")


def coded_columns(codebook: Codebook) -> list[tuple[Question, str]]:
    """``(question, column)`` of every coded (non-text) column, in questionnaire order."""
    return [(q, c) for q in codebook.questions.values() if q.type != "text" for c in q.columns]


def _dont_know_codes(codebook: Codebook, q: Question) -> tuple[int, ...]:
    """The question's non-substantive codes ("vet ikke"); none for checkbox options."""
    if q.type == "checkbox":
        return ()
    if hasattr(q, "dont_know_codes"):
        return tuple(q.dont_know_codes)
    return tuple(c for c in q.codes if c in codebook.non_substantive_codes)


def _values(data: pd.DataFrame, column: str, valid: Sequence[int]) -> pd.Series:
    """The column as nullable integers (all-NA when the data lack it); refuses invalid codes."""
    if column not in data.columns:
        return pd.Series(pd.NA, index=data.index, dtype="Int64")
    s = pd.to_numeric(data[column], errors="coerce").astype("Float64")
    bad = s.notna() & ~s.isin([float(v) for v in valid])
    if bad.any():
        first = s[bad].iloc[0]
        raise ValueError(
            f"column {column}: value {first} is not a code of the instrument "
            f"({', '.join(map(str, valid))})"
        )
    return s.astype("Int64")


def frequencies(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    columns: Sequence[str] | None = None,
    disclosure: str = "public",
    min_cell: int = 5,
    lang: str = "nb",
) -> pd.DataFrame:
    """Labelled frequency tables of coded columns, disclosure-controlled, in tidy form.

    Parameters
    ----------
    data : DataFrame
        Processed responses of one wave (canonical columns).
    codebook : Codebook
        The wave's instrument version: which columns exist, their codes and labels.
    columns : list of str, optional
        Canonical columns (default: every single, matrix and checkbox column of the codebook).
    disclosure : {"public", "internal"}
        ``public`` suppresses counts of ``min_cell`` or fewer and counts derivable from the
        shown ones (:func:`analysis.stats.disclosure.apply_disclosure`).
    min_cell : int
    lang : {"nb", "en"}
        Language of the labels.

    Returns
    -------
    DataFrame
        One row per column and valid code: ``question``, ``column``, ``part`` (row/option id or
        None), ``type``, ``code``, ``label``, ``non_substantive`` (bool), ``count`` (Int64, NA
        when suppressed), ``share`` (of ``n``; NaN when suppressed), ``n`` (answers in the
        column; NA when suppressed), ``suppressed`` and ``n_suppressed`` (bool). Checkbox
        columns have the codes 0 (not chosen) and 1 (chosen). ``attrs["note"]`` is the
        disclosure note.
    """
    _check(disclosure, lang)
    wanted = None if columns is None else list(columns)
    pairs = coded_columns(codebook)
    if wanted is not None:
        known = {c for _, c in pairs}
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise KeyError(
                f"not coded columns of instrument version {codebook.version}: {', '.join(unknown)}"
            )
        order = {c: i for i, c in enumerate(wanted)}
        pairs = sorted((p for p in pairs if p[1] in order), key=lambda p: order[p[1]])
    rows = []
    for q, col in pairs:
        codes = list(q.codes)
        nonsub = _dont_know_codes(codebook, q)
        labels = codebook.value_labels(col, lang)
        values = _values(data, col, codes)
        counts = values.value_counts()
        n = int(values.notna().sum())
        cnt = [int(counts.get(c, 0)) for c in codes]
        if disclosure == "public" and min([*cnt, n]) <= min_cell:
            table = pd.DataFrame({"n": [*cnt, n]}, index=[*map(str, codes), _TOTAL])
            pub = apply_disclosure(
                table, n_col=None, level=disclosure, min_n=min_cell, total_row=_TOTAL, lang=lang
            )
            mask = pub.attrs["suppressed"]["n"].to_numpy(bool)
        else:  # no cell at or below min_cell: nothing to suppress (apply_disclosure agrees)
            mask = np.zeros(len(codes) + 1, dtype=bool)
        n_sup = bool(mask[-1])
        part = None
        if q.parts:
            _, p = codebook.locate(col)
            part = p.id if p is not None else None
        for i, code in enumerate(codes):
            sup = bool(mask[i])
            rows.append(
                {
                    "question": q.id,
                    "column": col,
                    "part": part,
                    "type": q.type,
                    "code": code,
                    "label": labels.get(code, str(code)),
                    "non_substantive": code in nonsub,
                    "count": pd.NA if sup else cnt[i],
                    "share": np.nan if sup or n == 0 else cnt[i] / n,
                    "n": pd.NA if n_sup else n,
                    "suppressed": sup,
                    "n_suppressed": n_sup,
                }
            )
    out = pd.DataFrame(rows, columns=list(FREQUENCY_COLUMNS))
    out["code"] = out["code"].astype("int64")
    out["count"] = out["count"].astype("Int64")
    out["n"] = out["n"].astype("Int64")
    out["share"] = out["share"].astype("float64")
    out["non_substantive"] = out["non_substantive"].astype(bool)
    out["suppressed"] = out["suppressed"].astype(bool)
    out["n_suppressed"] = out["n_suppressed"].astype(bool)
    out.attrs = {
        "note": disclosure_note(min_cell, lang, level=disclosure),
        "disclosure": disclosure,
        "min_cell": min_cell,
    }
    return out


def text_answers(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    disclosure: str = "public",
    min_cell: int = 5,
) -> pd.DataFrame:
    """How many answered each text question (never what they wrote), disclosure-controlled.

    Returns
    -------
    DataFrame
        ``question``, ``free_text`` (bool), ``n`` (non-blank answers; NA when suppressed),
        ``suppressed``.
    """
    _check(disclosure, "nb")
    rows = []
    for q in codebook.questions.values():
        if q.type != "text":
            continue
        if q.id in data.columns:
            s = data[q.id].astype("string").str.strip()
            n = int((s.notna() & (s != "")).sum())
        else:
            n = 0
        sup = disclosure == "public" and n <= min_cell
        rows.append(
            {
                "question": q.id,
                "free_text": q.free_text,
                "n": pd.NA if sup else n,
                "suppressed": sup,
            }
        )
    out = pd.DataFrame(rows, columns=["question", "free_text", "n", "suppressed"])
    out["n"] = out["n"].astype("Int64")
    return out


def dont_know_share(freq: pd.DataFrame) -> float | None:
    """Share of non-substantive answers in one column's frequency rows.

    NaN when a non-substantive count is suppressed; None when the column has no
    non-substantive code.
    """
    ns = freq[freq["non_substantive"]]
    if ns.empty:
        return None
    if ns["suppressed"].any() or ns["share"].isna().any():
        return float("nan")
    return float(ns["share"].sum())


# ---------------------------------------------------------------------------------------------
# display tables
# ---------------------------------------------------------------------------------------------


def _pct(x, sup: bool) -> object:
    """A share in % for display: ``:`` when suppressed, None (shown ".") when there is none."""
    if sup:
        return SUPPRESSED
    return None if x is None or pd.isna(x) else round(100 * float(x), 1)


def _count(x, sup: bool) -> object:
    return SUPPRESSED if sup or x is pd.NA or pd.isna(x) else int(x)


def single_table(freq: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """Display table of one single-choice column: answer | code | n | % and a total row."""
    rows = [
        {
            t("appendix_col_answer", lang): r.label,
            t("appendix_col_code", lang): str(r.code),
            "n": _count(r.count, r.suppressed),
            "%": _pct(r.share, r.suppressed),
        }
        for r in freq.itertuples()
    ]
    n = freq["n"].iloc[0] if len(freq) else 0
    n_sup = bool(freq["n_suppressed"].iloc[0]) if len(freq) else False
    rows.append(
        {
            t("appendix_col_answer", lang): t("appendix_total", lang),
            t("appendix_col_code", lang): "",
            "n": _count(n, n_sup),
            "%": SUPPRESSED if n_sup else (100.0 if n else None),
        }
    )
    return pd.DataFrame(rows, dtype=object)


def matrix_table(freq: pd.DataFrame, codebook: Codebook, lang: str = "nb") -> pd.DataFrame:
    """Display table of a matrix question: one row per row of the question, % per code, n."""
    codes = list(dict.fromkeys(freq["code"]))
    labels = freq.drop_duplicates("code").set_index("code")
    heads = {}
    for c in codes:
        heads[c] = f"{labels.loc[c, 'label']} (%)"
    if len(set(heads.values())) < len(heads):
        heads = {c: f"{c}: {h}" for c, h in heads.items()}
    rows = []
    for col, g in freq.groupby("column", sort=False):
        row = {t("appendix_col_row", lang): codebook.label(col, lang)}
        for r in g.itertuples():
            row[heads[r.code]] = _pct(r.share, r.suppressed)
        row["n"] = _count(g["n"].iloc[0], bool(g["n_suppressed"].iloc[0]))
        rows.append(row)
    return pd.DataFrame(rows, dtype=object)


def checkbox_table(freq: pd.DataFrame, codebook: Codebook, lang: str = "nb") -> pd.DataFrame:
    """Display table of a checkbox question: per option the number and share choosing it, n."""
    rows = []
    for col, g in freq.groupby("column", sort=False):
        chosen = g[g["code"] == 1].iloc[0]
        rows.append(
            {
                t("appendix_col_option", lang): codebook.label(col, lang),
                t("appendix_col_chosen", lang): _count(chosen["count"], chosen["suppressed"]),
                t("appendix_col_chosen_pct", lang): _pct(chosen["share"], chosen["suppressed"]),
                "n": _count(chosen["n"], bool(chosen["n_suppressed"])),
            }
        )
    return pd.DataFrame(rows, dtype=object)


# ---------------------------------------------------------------------------------------------
# figures (matplotlib Figure objects, never pyplot)
# ---------------------------------------------------------------------------------------------


def _rc():
    import matplotlib

    return matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
        }
    )


def _wrap(text: str, width: int = 48) -> str:
    import textwrap

    return textwrap.fill(str(text), width=width, max_lines=2, placeholder=" …")


def _style(ax, xlabel: str) -> None:
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def bar_chart(labels: Sequence[str], shares, *, grey: Sequence[bool], xlabel: str, lang: str):
    """Compact horizontal bars of shares (0–1, drawn in %), top row first.

    A NaN share (suppressed) gets no bar but the symbol ``:``; ``grey`` marks non-substantive
    answers.
    """
    from matplotlib.figure import Figure

    with _rc():
        n = len(labels)
        fig = Figure(figsize=(7.0, 0.26 * n + 0.75))
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        pct = 100 * np.asarray(shares, dtype=float)
        colours = [DONT_KNOW_COLOUR if g else ACCENT for g in grey]
        shown = ~np.isnan(pct)
        ax.barh(y[shown], pct[shown], color=np.asarray(colours)[shown], height=0.62)
        for yi, v in zip(y, pct, strict=True):
            text = SUPPRESSED if np.isnan(v) else format_number(v, lang=lang, decimals=0)
            ax.text((0 if np.isnan(v) else v) + 1, yi, text, va="center", fontsize=8)
        ax.set_yticks(y, [_wrap(lab) for lab in labels])
        ax.set_ylim(-0.6, n - 0.4)
        _style(ax, xlabel)
    return fig


def stacked_chart(
    labels: Sequence[str],
    shares: np.ndarray,
    *,
    codes: Sequence[str],
    grey: Sequence[bool],
    xlabel: str,
    hidden_label: str,
):
    """Compact 100 % stacked horizontal bars, one per row (``shares`` rows x codes, 0–1).

    Substantive codes are coloured low to high on ColorBrewer's PuOr scale (the report's Likert
    palette), non-substantive ones grey. Suppressed (NaN) segments are drawn together as one
    light grey block at the end of the bar, so no single hidden share can be read off.
    """
    from matplotlib import colormaps
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shares = np.asarray(shares, dtype=float) * 100
    subst = [i for i, g in enumerate(grey) if not g]
    cmap = colormaps["PuOr"]
    colours = {}
    for k, i in enumerate(subst):
        pos = 0.5 if len(subst) == 1 else k / (len(subst) - 1)
        rgba = cmap(0.1 + 0.8 * pos)
        # the scale's near-white middle would vanish on white: the report's light grey instead
        colours[i] = "#dddddd" if sum(rgba[:3]) / 3 > 0.9 else rgba
    for i, g in enumerate(grey):
        if g:
            colours[i] = DONT_KNOW_COLOUR
    with _rc():
        n = len(labels)
        fig = Figure(figsize=(7.0, 0.3 * n + 1.25))
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        drawn = np.nan_to_num(shares, nan=0.0)
        left = np.zeros(n)
        for i in range(len(codes)):
            ax.barh(y, drawn[:, i], left=left, color=colours[i], height=0.62, edgecolor="white")
            left = left + drawn[:, i]
        rest = np.where(np.isnan(shares).any(axis=1), 100.0 - left, 0.0)
        any_hidden = bool((rest > 0.05).any())
        if any_hidden:
            ax.barh(
                y,
                rest,
                left=left,
                color=HIDDEN_COLOUR,
                height=0.62,
                hatch="///",
                edgecolor="#b0b0b0",
            )
        ax.set_yticks(y, [_wrap(lab, 44) for lab in labels])
        ax.set_ylim(-0.6, n - 0.4)
        _style(ax, xlabel)
        handles = [Patch(color=colours[i], label=_wrap(codes[i], 24)) for i in range(len(codes))]
        if any_hidden:
            handles.append(
                Patch(facecolor=HIDDEN_COLOUR, hatch="///", edgecolor="#b0b0b0", label=hidden_label)
            )
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 - 0.45 / max(n, 1)),
            ncol=min(4, len(handles)),
            fontsize=7,
            frameon=False,
        )
    return fig


# ---------------------------------------------------------------------------------------------
# the appendix
# ---------------------------------------------------------------------------------------------


def _esc(text: object) -> str:
    import html

    return html.escape(str(text), quote=True)


def _pct_text(x: float, lang: str) -> str:
    return t("percent", lang, x=format_number(100 * x, lang=lang, decimals=0))


def _values_text(labels, shares, lang: str) -> str:
    parts = []
    for lab, s in zip(labels, shares, strict=True):
        parts.append(f"{lab} {SUPPRESSED if pd.isna(s) else _pct_text(s, lang)}")
    return "; ".join(parts)


def _section_title(codebook: Codebook, section: str, lang: str) -> str:
    names = getattr(codebook, "sections", None)
    if isinstance(names, dict) and section in names:
        v = names[section]
        return v(lang) if callable(v) else str(v)
    key = f"appendix_section_{section}"
    try:
        return t(key, lang)
    except KeyError:
        return section


def _summary(q: Question, freq: pd.DataFrame, lang: str) -> str:
    """One line under the question: type, n and the "vet ikke" share (no internal ids)."""
    kind = t(f"appendix_type_{q.type}", lang)
    parts = [kind[:1].upper() + kind[1:]]
    if q.type == "single" and len(freq):
        n_sup = bool(freq["n_suppressed"].iloc[0])
        n = SUPPRESSED if n_sup else format_number(int(freq["n"].iloc[0]), lang=lang)
        parts.append(t("appendix_n", lang, n=n))
        dk = dont_know_share(freq)
        if dk is not None:
            parts.append(
                t(
                    "appendix_dont_know",
                    lang,
                    share=SUPPRESSED if np.isnan(dk) else _pct_text(dk, lang),
                )
            )
    return " · ".join(parts)


def _show_single(q, freq, codebook, ctx) -> None:
    lang = ctx["lang"]
    labels = list(freq["label"])
    shares = freq["share"].to_numpy(dtype=float)
    qtext = q.text(lang)
    if not np.isnan(shares).all():
        fig = bar_chart(
            labels,
            shares,
            grey=list(freq["non_substantive"]),
            xlabel=t("appendix_share_axis", lang),
            lang=lang,
        )
        show_figure(
            fig,
            alt=t(
                "appendix_alt_bar", lang, question=qtext, values=_values_text(labels, shares, lang)
            ),
            caption=t("appendix_caption_fig", lang, question=qtext),
            lang=lang,
        )
    show_table(
        single_table(freq, lang),
        caption=t("appendix_caption_table", lang, question=qtext),
        lang=lang,
        decimals=1,
        row_headers=1,
    )


def _show_checkbox(q, freq, codebook, ctx) -> None:
    lang = ctx["lang"]
    chosen = freq[freq["code"] == 1]
    labels = [codebook.label(c, lang) for c in chosen["column"]]
    shares = chosen["share"].to_numpy(dtype=float)
    qtext = q.text(lang)
    if not np.isnan(shares).all():
        fig = bar_chart(
            labels,
            shares,
            grey=[False] * len(labels),
            xlabel=t("appendix_chosen_axis", lang),
            lang=lang,
        )
        show_figure(
            fig,
            alt=t(
                "appendix_alt_checkbox",
                lang,
                question=qtext,
                values=_values_text(labels, shares, lang),
            ),
            caption=t("appendix_caption_fig", lang, question=qtext),
            lang=lang,
        )
    show_table(
        checkbox_table(freq, codebook, lang),
        caption=t("appendix_caption_table", lang, question=qtext),
        lang=lang,
        decimals=1,
        row_headers=1,
    )


def _show_matrix(q, freq, codebook, ctx) -> None:
    lang = ctx["lang"]
    cols = list(dict.fromkeys(freq["column"]))
    codes = list(dict.fromkeys(freq["code"]))
    first = freq.drop_duplicates("code").set_index("code")
    code_labels = [str(first.loc[c, "label"]) for c in codes]
    grey = [bool(first.loc[c, "non_substantive"]) for c in codes]
    wide = freq.pivot(index="column", columns="code", values="share").loc[cols, codes]
    nsup = freq.groupby("column", sort=False)["n_suppressed"].first().loc[cols]
    shown = [c for c in cols if not nsup[c]]
    qtext = q.text(lang)
    if shown:
        labels = [codebook.label(c, lang) for c in shown]
        shares = wide.loc[shown].to_numpy(dtype=float)
        fig = stacked_chart(
            labels,
            shares,
            codes=code_labels,
            grey=grey,
            xlabel=t("appendix_share_axis", lang),
            hidden_label=t("appendix_hidden", lang),
        )
        values = "; ".join(
            f"{lab}: "
            + ", ".join(
                f"{cl} {SUPPRESSED if np.isnan(v) else _pct_text(v, lang)}"
                for cl, v in zip(code_labels, row, strict=True)
            )
            for lab, row in zip(labels, shares, strict=True)
        )
        show_figure(
            fig,
            alt=t("appendix_alt_stacked", lang, question=qtext, values=values),
            caption=t("appendix_caption_fig", lang, question=qtext),
            lang=lang,
        )
    show_table(
        matrix_table(freq, codebook, lang),
        caption=t("appendix_caption_table", lang, question=qtext),
        lang=lang,
        decimals=1,
        row_headers=1,
    )


def show_appendix(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    lang: str = "nb",
    disclosure: str = "public",
    min_cell: int = 5,
    heading_level: int = 2,
    id_prefix: str = "appendix",
) -> None:
    """Display the per-question appendix: every question of ``codebook`` in questionnaire order.

    Parameters
    ----------
    data : DataFrame
        Processed responses of the wave.
    codebook : Codebook
        The wave's instrument version (questions absent from it are not shown).
    lang : {"nb", "en"}
    disclosure : {"public", "internal"}
    min_cell : int
        Public output never shows a count of ``min_cell`` or fewer.
    heading_level : int
        Level of the appendix heading; sections get the next level, questions the one after.
    id_prefix : str
        Prefix of the heading ids (``appendix``, ``appendix-<section>``, ``appendix-q-<id>``).
    """
    _check(disclosure, lang)
    h = heading_level
    freq = frequencies(data, codebook, disclosure=disclosure, min_cell=min_cell, lang=lang)
    texts = text_answers(data, codebook, disclosure=disclosure, min_cell=min_cell).set_index(
        "question"
    )
    ctx = {"lang": lang}
    show_html(
        f'<h{h} id="{_esc(id_prefix)}">{_esc(t("h_appendix", lang))}</h{h}>'
        f"<p>{_esc(t('appendix_intro', lang))}</p>"
        f'<p class="table-note">{_esc(freq.attrs["note"])}</p>'
    )
    by_q = {k: g for k, g in freq.groupby("question", sort=False)}
    section = None
    for q in codebook.questions.values():
        if q.section != section:
            section = q.section
            show_html(
                f'<h{h + 1} id="{_esc(id_prefix)}-{_esc(section)}">'
                f"{_esc(_section_title(codebook, section, lang))}</h{h + 1}>"
            )
        head = f'<h{h + 2} id="{_esc(id_prefix)}-q-{_esc(q.id)}">{_esc(q.text(lang))}</h{h + 2}>'
        if q.type == "text":
            r = texts.loc[q.id]
            n = SUPPRESSED if bool(r["suppressed"]) else format_number(int(r["n"]), lang=lang)
            key = "appendix_free_text" if bool(r["free_text"]) else "appendix_text"
            show_html(
                head
                + f'<p class="appendix-meta">{_esc(_summary(q, freq.iloc[0:0], lang))}</p>'
                + f"<p>{_esc(t(key, lang, n=n))}</p>"
            )
            continue
        g = by_q[q.id]
        show_html(head + f'<p class="appendix-meta">{_esc(_summary(q, g, lang))}</p>')
        if q.type == "single":
            _show_single(q, g, codebook, ctx)
        elif q.type == "checkbox":
            _show_checkbox(q, g, codebook, ctx)
        else:
            _show_matrix(q, g, codebook, ctx)
