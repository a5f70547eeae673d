"""Explore any question or score for any subgroup, interactively in JupyterLab.

:func:`explore` shows a small ipywidgets interface: the wave, a question (any single-choice
question, matrix row or checkbox option of the wave's own instrument) or a score, a grouping,
and filters for landlord category, municipality size and county (a single municipality only
with ``disclosure="internal"``, and only municipalities with more than ``min_cell`` answers).
Every change redraws the table, the chart and the number of answers. The statistics are those
of :func:`analysis.stats.tables.frequencies` and :func:`analysis.stats.estimates.group_means`,
with the same disclosure control as the report; the table and chart are the accessible HTML of
:mod:`analysis.render.display`.

The logic lives here so that ``notebooks/00_explore.ipynb`` stays one call;
:meth:`Explorer.render` (what one update computes) is what ``benchmarks/bench_explore.py`` times.

Examples
--------
>>> from analysis.render.explore import Explorer
>>> html = Explorer("demo-2023").render()   # doctest: +SKIP
>>> sorted(html)                            # doctest: +SKIP
['chart', 'n', 'table']
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.lang import interval
from analysis.render.display import (
    FIGURE_DPI,
    SUPPRESSED,
    figure_html,
    format_number,
    table_html,
)
from analysis.render.plots import PlotResult, TableResult

SCORE = "score:"
#: Derived grouping variables from the municipality frame; the landlord category variable is
#: the codebook's ``category_variable``.
FRAME_GROUPS = ("storrelse", "fylke")
#: The filters of the interface: (widget name, column; None = the category variable).
FILTERS = (("category", None), ("size", "storrelse"), ("county", "fylke"))


def _col(df: pd.DataFrame, column: str | None) -> str:
    from analysis.stats.tables import codebook_for

    return codebook_for(df).category_variable if column is None else column


MUNICIPALITY = "kommune"

_T = {
    "nb": {
        "wave": "Runde",
        "question": "Spørsmål",
        "by": "Inndeling",
        "none": "(ingen)",
        "all": "(alle)",
        "category": "Utleierkategori",
        "size": "Kommunestørrelse",
        "county": "Fylke",
        "municipality": "Kommune",
        "score": "Skår",
        "group": "Gruppe",
        "answer": "Svar",
        "share": "Andel (%)",
        "ci": "95\u00a0% KI",
        "mean": "Gjennomsnitt",
        "n_text": "{n} svar i utvalget",
        "empty": "Ingen svar i dette utvalget.",
        "dk": "«Vet ikke» vises i tabellen, ikke i figuren.",
        "subset": "utvalg",
        "everyone": "alle svar",
    },
    "en": {
        "wave": "Wave",
        "question": "Question",
        "by": "Breakdown",
        "none": "(none)",
        "all": "(all)",
        "category": "Landlord category",
        "size": "Municipality size",
        "county": "County",
        "municipality": "Municipality",
        "score": "Score",
        "group": "Group",
        "answer": "Answer",
        "share": "Share (%)",
        "ci": "95% CI",
        "mean": "Mean",
        "n_text": "{n} responses in the subset",
        "empty": "No responses in this subset.",
        "dk": '"Don\'t know" is shown in the table, not in the chart.',
        "subset": "subset",
        "everyone": "all responses",
    },
}


# ---------------------------------------------------------------------------------------------
# what can be chosen
# ---------------------------------------------------------------------------------------------


def question_options(df: pd.DataFrame, *, lang: str = "nb") -> list[tuple[str, str]]:
    """(label, value) of every score and answerable column of the data's instrument version.

    Scores come first (value ``"score:<id>"``), then every single-choice question, matrix row
    and checkbox option present in the data, in questionnaire order.
    """
    from analysis.stats.tables import codebook_for

    cb = codebook_for(df)
    T = _T[lang]
    out = [
        (f"{T['score']}: {s.label(lang)}", SCORE + sid)
        for sid, s in cb.scores.items()
        if sid in df.columns
    ]
    for q in cb.questions.values():
        if q.type == "text" or q.free_text or (q.type == "single" and not q.scale):
            continue
        text = q.text(lang)
        for col in q.columns:
            if col not in df.columns or df[col].isna().all():
                continue
            if col == q.id:
                label = text
            else:
                part = cb.locate(col)[1].text(lang)
                label = (
                    f"{text.rstrip('… ')} … {part}" if text.endswith("…") else f"{text} – {part}"
                )
            out.append((label, col))
    return out


def group_options(df: pd.DataFrame, *, lang: str = "nb") -> list[tuple[str, str | None]]:
    """(label, column) of the groupings: none, the derived categories and single-choice questions."""
    from analysis.stats.tables import codebook_for, variable

    cb = codebook_for(df)
    out: list[tuple[str, str | None]] = [(_T[lang]["none"], None)]
    for col in (cb.category_variable, *FRAME_GROUPS):
        if col in df.columns and df[col].notna().any():
            out.append((variable(df, col, codebook=cb, lang=lang).label.capitalize(), col))
    for q in cb.questions.values():
        if q.type == "single" and q.scale and q.id in df.columns:
            out.append(
                (variable(df, q.id, codebook=cb, lang=lang).label.strip('"').capitalize(), q.id)
            )
    return out


def filter_options(
    df: pd.DataFrame, column: str, *, lang: str = "nb", min_cell: int | None = None
) -> list[tuple[str, str | None]]:
    """(label, value) of a filter: "(all)" and every level present (more than ``min_cell``
    answers when given)."""
    from analysis.stats.tables import variable

    out: list[tuple[str, str | None]] = [(_T[lang]["all"], None)]
    if column not in df.columns:
        return out
    var = variable(df, column, lang=lang)
    counts = var.values(df).value_counts()
    for i, (code, label) in enumerate(zip(var.codes, var.labels, strict=True)):
        k = int(counts.get(i, 0))
        if k and (min_cell is None or k > min_cell):
            out.append((label, str(code)))
    return out


# ---------------------------------------------------------------------------------------------
# tables and charts of one choice
# ---------------------------------------------------------------------------------------------


def _interval(lo, hi, lang: str) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return ""
    return interval(
        format_number(100 * lo, lang=lang, decimals=1),
        format_number(100 * hi, lang=lang, decimals=1),
        lang,
    )


def frequency_display(freq: pd.DataFrame, *, lang: str = "nb") -> TableResult:
    """A :func:`~analysis.stats.tables.frequencies` table as the report shows it (``":"`` marks
    suppressed cells), with its caption and note.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> from analysis.stats.tables import frequencies
    >>> item = load_codebook(1).role_columns("prerequisites")[0]      # a yes / no / don't know row
    >>> df = pd.DataFrame({"instrument_version": 1, "kommunenummer": None,
    ...                    item: [1] * 12 + [2] * 9 + [9] * 2})
    >>> frequency_display(frequencies(df, item)).table
           Svar   n Andel (%)        95 % KI
    0        Ja  12      57.1  34,9 til 76,8
    1       Nei   9      42.9  23,2 til 65,1
    2  Vet ikke   :         :              :
    """
    T = _T[lang]
    grouped = bool((freq["group_var"] != "total").any())
    rows = []
    for r in freq.itertuples(index=False):
        sup = bool(r.suppressed)
        row = {}
        if grouped:
            row[T["group"]] = r.group
        row[T["answer"]] = r.label
        row["n"] = SUPPRESSED if sup else int(r.n)
        hidden_share = pd.isna(r.share)
        row[T["share"]] = SUPPRESSED if hidden_share else round(100 * float(r.share), 1)
        row[T["ci"]] = SUPPRESSED if hidden_share else _interval(r.ci_low, r.ci_high, lang)
        rows.append(row)
    table = pd.DataFrame(rows)
    return TableResult(
        table, caption=freq.attrs["caption"], note=freq.attrs.get("note"), lang=lang, decimals=1
    )


def plot_frequencies(freq: pd.DataFrame, *, lang: str = "nb") -> PlotResult:
    """Horizontal bars of the substantive answers' shares (one bar per group), with intervals.

    Suppressed shares are not drawn (their place says ``":"``); "vet ikke" stays in the table.
    The figure has a fixed layout (no layout engine) and text of 10 pt (11 CSS pt at the
    report's display size), so it is drawn once: fast enough for an interactive update.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from analysis.render.plots import OKABE_ITO

    T = _T[lang]
    sub = freq[freq["substantive"]]
    answers = list(dict.fromkeys(sub["label"]))
    groups = list(dict.fromkeys(sub["group"]))
    G = max(len(groups), 1)
    labels = [textwrap.fill(str(a), 26) for a in answers]
    rows = sum(max(1, lab.count("\n") + 1) for lab in labels)
    width = 7.5
    height = (
        0.8 + max(0.28 * len(answers) * G, 0.22 * rows) + (0.35 * ((G + 2) // 3) if G > 1 else 0)
    )
    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)
    longest = max((max(len(x) for x in lab.split("\n")) for lab in labels), default=10)
    left = min(0.45, (0.3 + 0.085 * longest) / width)
    bottom_in = 0.55 + (0.35 * ((G + 2) // 3) if G > 1 else 0)
    ax = fig.add_axes((left, bottom_in / height, 0.96 - left, 1 - (bottom_in + 0.15) / height))
    bar = 0.8 / G
    y = np.arange(len(answers))
    alt_parts = []
    for j, g in enumerate(groups):
        d = sub[sub["group"] == g].set_index("label").reindex(answers)
        share = 100 * d["share"].to_numpy(dtype=float)
        lo = 100 * d["ci_low"].to_numpy(dtype=float)
        hi = 100 * d["ci_high"].to_numpy(dtype=float)
        pos = y + (j - (G - 1) / 2) * bar
        ok = ~np.isnan(share)
        colour = OKABE_ITO[j % len(OKABE_ITO)]
        ax.barh(
            pos[ok], share[ok], height=bar * 0.9, color=colour, label=textwrap.shorten(str(g), 36)
        )
        has = ok & ~np.isnan(lo) & ~np.isnan(hi)
        ax.errorbar(
            share[has],
            pos[has],
            xerr=[share[has] - lo[has], hi[has] - share[has]],
            fmt="none",
            ecolor="#333333",
            elinewidth=1,
            capsize=2,
        )
        for p in pos[~ok]:
            ax.text(1, p, SUPPRESSED, va="center", fontsize=10)
        shown = [
            f"{a} {format_number(v, lang=lang, decimals=0)}\u00a0%"
            for a, v, k in zip(answers, share, ok, strict=True)
            if k
        ]
        if shown:
            alt_parts.append((f"{g}: " if len(groups) > 1 else "") + ", ".join(shown))
    ax.set_yticks(y, labels, fontsize=10)
    ax.tick_params(axis="x", labelsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(T["share"], fontsize=10)
    ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if len(groups) > 1:
        fig.legend(
            loc="lower center",
            ncol=min(3, G),
            frameon=False,
            fontsize=10,
            bbox_to_anchor=(0.5, 0.0),
        )
    qlabel = freq.attrs.get("question_label", "")
    if lang == "nb":
        alt = f"Stolpediagram over svarene på «{qlabel}» i prosent. " + "; ".join(alt_parts) + "."
    else:
        alt = f'Bar chart of the answers to "{qlabel}" in per cent. ' + "; ".join(alt_parts) + "."
    data = frequency_display(freq, lang=lang).table
    caption = freq.attrs["caption"] + " " + T["dk"]
    return PlotResult(fig, alt, data, caption, lang)


def plot_means(table: pd.DataFrame, *, label: str, lang: str = "nb") -> PlotResult:
    """Dot plot with 95 % intervals of a disclosed :func:`~analysis.stats.estimates.group_means`
    table of one score (total first); suppressed groups say ``":"``. Fixed layout, 10 pt text,
    one draw (see :func:`plot_frequencies`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from analysis.render.plots import OKABE_ITO

    T = _T[lang]
    sup = table["suppressed"].fillna(False).to_numpy(bool) if "suppressed" in table else None
    if sup is None:
        sup = np.zeros(len(table), bool)
    groups = [textwrap.fill(str(g), 30) for g in table["group"]]
    est = pd.to_numeric(table["estimate"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(table["ci_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(table["ci_high"], errors="coerce").to_numpy(dtype=float)
    width, height = 7.5, 0.9 + 0.32 * len(groups)
    fig = Figure(figsize=(width, height), dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)
    longest = max((max(len(x) for x in g.split("\n")) for g in groups), default=10)
    left = min(0.45, (0.3 + 0.085 * longest) / width)
    ax = fig.add_axes((left, 0.6 / height, 0.96 - left, 1 - 0.75 / height))
    y = np.arange(len(groups))
    ok = ~sup & ~np.isnan(est)
    has = ok & ~np.isnan(lo) & ~np.isnan(hi)
    ax.hlines(y[has], lo[has], hi[has], color=OKABE_ITO[4], linewidth=2)
    ax.plot(est[ok], y[ok], "o", color=OKABE_ITO[4])
    shown = est[ok]
    lo_lim = np.nanmin(np.r_[lo[has], shown]) if ok.any() else 0.0
    hi_lim = np.nanmax(np.r_[hi[has], shown]) if ok.any() else 1.0
    pad = 0.1 * (hi_lim - lo_lim or 1.0)
    ax.set_xlim(lo_lim - pad, hi_lim + pad)
    for p in y[~ok]:
        ax.text(lo_lim - pad / 2, p, SUPPRESSED, va="center", fontsize=10)
    ax.set_yticks(y, groups, fontsize=10)
    ax.tick_params(axis="x", labelsize=10)
    ax.invert_yaxis()
    ax.set_xlabel(f"{label} ({T['mean'].lower()}, {T['ci']})", fontsize=10)
    ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    parts = [
        f"{g} {format_number(e, lang=lang, decimals=1)}"
        for g, e, k in zip(table["group"], est, ok, strict=True)
        if k
    ]
    if lang == "nb":
        alt = f"Punktdiagram med 95 % konfidensintervall for {label}: " + ", ".join(parts) + "."
    else:
        alt = f"Dot plot with 95% confidence intervals of {label}: " + ", ".join(parts) + "."
    data = pd.DataFrame(
        {
            T["group"]: list(table["group"]),
            "n": [SUPPRESSED if s else int(n) for s, n in zip(sup, table["n"], strict=True)],
            T["mean"]: [
                SUPPRESSED if not k else round(float(e), 1) for e, k in zip(est, ok, strict=True)
            ],
            T["ci"]: [
                SUPPRESSED
                if not k
                else (
                    interval(
                        format_number(a, lang=lang, decimals=1),
                        format_number(b, lang=lang, decimals=1),
                        lang,
                    )
                    if not (np.isnan(a) or np.isnan(b))
                    else ""
                )
                for a, b, k in zip(lo, hi, ok, strict=True)
            ],
        }
    )
    return PlotResult(fig, alt, data, label, lang)


# ---------------------------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------------------------


class Explorer:
    """The state and widgets of the exploration interface (see :func:`explore`).

    Parameters
    ----------
    wave : str
        The wave shown first.
    waves : list of str, optional
        Waves to choose from (default: every ingested wave under ``root``).
    root : str or Path, optional
        Project root holding ``data/`` (default: the project root).
    lang : {"nb", "en"}
    disclosure : {"public", "internal"}
    min_cell : int
    """

    def __init__(
        self,
        wave: str,
        *,
        waves: list[str] | None = None,
        root: str | Path | None = None,
        lang: str = "nb",
        disclosure: str = "public",
        min_cell: int = 5,
    ):
        from analysis.paths import processed_dir

        self.root = Path(root) if root is not None else None
        self.lang, self.disclosure, self.min_cell = lang, disclosure, int(min_cell)
        if waves is None:
            base = processed_dir(wave, self.root).parent
            waves = sorted(p.name for p in base.iterdir() if (p / "responses.parquet").is_file())
        self.waves = list(waves) or [wave]
        self._data: dict[str, pd.DataFrame] = {}
        self.state: dict[str, object] = {
            "wave": wave,
            "question": None,
            "by": None,
            "category": None,
            "size": None,
            "county": None,
            "municipality": None,
        }
        self.widgets: dict[str, object] = {}
        self.last: dict[str, object] = {}
        self.state["question"] = question_options(self.data(wave), lang=lang)[0][1]

    # -- data ---------------------------------------------------------------------------------
    def data(self, wave: str | None = None) -> pd.DataFrame:
        """Scored responses of a wave (loaded once)."""
        from analysis.render.plots import load_scored

        wave = wave or str(self.state["wave"])
        if wave not in self._data:
            self._data[wave] = load_scored(wave, root=self.root)
        return self._data[wave]

    def filters(self) -> dict[str, object]:
        df = self.data()
        out = {
            _col(df, col): self.state[name]
            for name, col in FILTERS
            if self.state.get(name) is not None
        }
        if self.state.get("municipality") is not None:
            out[MUNICIPALITY] = self.state["municipality"]
        return out

    # -- one update ---------------------------------------------------------------------------
    def compute(self) -> tuple[TableResult, PlotResult | None, int]:
        """The table, the chart and n of the current choice."""
        from analysis.stats.tables import apply_filters, frequencies, variable

        df = self.data()
        q, by = str(self.state["question"]), self.state["by"]
        kw = {"disclosure": self.disclosure, "min_cell": self.min_cell, "lang": self.lang}
        if not q.startswith(SCORE):
            freq = frequencies(df, q, by=by, filters=self.filters(), **kw)
            return (
                frequency_display(freq, lang=self.lang),
                plot_frequencies(freq, lang=self.lang),
                int(freq.attrs["n"]),
            )
        from analysis.render.plots import disclose, score_label
        from analysis.stats.estimates import group_means

        score = q[len(SCORE) :]
        sub, subset = apply_filters(df, self.filters(), **kw)
        group_col = None
        if by is not None:
            var = variable(sub, by, lang=self.lang)
            group_col = var.label.strip('"')
            pos = var.values(sub).to_numpy(dtype="float64", na_value=np.nan)
            codes = np.where(np.isnan(pos), -1, pos).astype(int)
            sub = sub.assign(**{group_col: pd.Categorical.from_codes(codes, categories=var.labels)})
        table = group_means(sub, score, group_col, lang=self.lang)
        table = disclose(table, disclosure=self.disclosure, min_cell=self.min_cell, lang=self.lang)
        label = score_label(score, self.lang)
        T = _T[self.lang]
        by_text = f" {'etter' if self.lang == 'nb' else 'by'} {group_col}" if group_col else ""
        who = f"{T['subset']} {subset}" if subset else T["everyone"]
        caption = f"{label}{by_text}, {who} (n = {len(sub)})."
        res = plot_means(table, label=label, lang=self.lang)
        tab = TableResult(res.data, caption=caption, note=table.attrs.get("note"), lang=self.lang)
        return tab, res._replace(caption=caption), len(sub)

    def render(self) -> dict[str, str]:
        """HTML of the table, the chart and the n line for the current choice (one update)."""
        import matplotlib.pyplot as plt

        T = _T[self.lang]
        try:
            tab, plot, n = self.compute()
        except ValueError as exc:
            return {"table": f"<p>{_esc(str(exc))}</p>", "chart": "", "n": ""}
        if n == 0:
            if plot is not None:
                plt.close(plot.fig)
            return {
                "table": f"<p>{_esc(T['empty'])}</p>",
                "chart": "",
                "n": T["n_text"].format(n=0),
            }
        out = {
            "table": table_html(
                tab.table, caption=tab.caption, note=tab.note, lang=self.lang, decimals=tab.decimals
            ),
            "chart": figure_html(
                plot.fig,
                alt=plot.alt,
                caption=plot.caption,
                lang=self.lang,
                data=plot.data,
                details=False,
                prepared=True,
            )
            if plot is not None
            else "",
            "n": T["n_text"].format(n=format_number(n, lang=self.lang)),
        }
        if plot is not None:
            plot.fig.clear()
        self.last = {"table": tab, "plot": plot, "n": n}
        return out

    def export(self, path: str | Path) -> Path:
        """Write the table now shown to ``.xlsx`` or ``.csv`` (see
        :func:`analysis.render.export.export_table`): caption with the subgroup and n, values
        rounded and suppressed cells marked as shown."""
        if not self.last:
            self.render()
        return self.last["table"].export(path)

    # -- widgets ------------------------------------------------------------------------------
    def build(self):
        """The ipywidgets interface (a VBox); changes redraw table, chart and n."""
        import ipywidgets as w

        T = _T[self.lang]
        df = self.data()
        layout = w.Layout(width="32em")
        wd = self.widgets
        wd["wave"] = w.Dropdown(options=self.waves, value=self.state["wave"], description=T["wave"])
        wd["question"] = w.Dropdown(
            options=question_options(df, lang=self.lang),
            value=self.state["question"],
            description=T["question"],
            layout=w.Layout(width="48em"),
        )
        wd["by"] = w.Dropdown(
            options=group_options(df, lang=self.lang),
            value=None,
            description=T["by"],
            layout=layout,
        )
        for name, col in FILTERS:
            wd[name] = w.Dropdown(
                options=filter_options(df, _col(df, col), lang=self.lang),
                value=None,
                description=T[name],
                layout=layout,
            )
        controls = [wd["category"], wd["size"], wd["county"]]
        if self.disclosure == "internal":
            wd["municipality"] = w.Dropdown(
                options=filter_options(df, MUNICIPALITY, lang=self.lang, min_cell=self.min_cell),
                value=None,
                description=T["municipality"],
                layout=layout,
            )
            controls.append(wd["municipality"])
        for d in wd.values():
            d.style.description_width = "10em"
        wd["n"] = w.HTML()
        wd["table"] = w.HTML()
        wd["chart"] = w.HTML()
        for name in ("wave", "question", "by", *(n for n, _ in FILTERS), "municipality"):
            if name in wd:
                wd[name].observe(self._changed(name), names="value")
        self.update()
        return w.VBox(
            [wd["wave"], wd["question"], wd["by"], *controls, wd["n"], wd["table"], wd["chart"]]
        )

    def _changed(self, name: str):
        def handler(change):
            self.state[name] = change["new"]
            if name == "wave":
                self._refresh_options()
            self.update()

        return handler

    def _refresh_options(self) -> None:
        df = self.data()
        wd = self.widgets
        opts = question_options(df, lang=self.lang)
        values = [v for _, v in opts]
        keep = self.state["question"] if self.state["question"] in values else values[0]
        with wd["question"].hold_trait_notifications():
            wd["question"].options = opts
            wd["question"].value = keep
        self.state["question"] = keep
        for name, col in (*FILTERS, ("municipality", MUNICIPALITY)):
            if name not in wd:
                continue
            mc = self.min_cell if name == "municipality" else None
            o = filter_options(df, _col(df, col), lang=self.lang, min_cell=mc)
            wd[name].options = o
            if self.state[name] not in [v for _, v in o]:
                wd[name].value = None
                self.state[name] = None

    def update(self) -> None:
        """Recompute and redraw (called on every change)."""
        html = self.render()
        for key in ("n", "table", "chart"):
            if key in self.widgets:
                self.widgets[key].value = html[key]


def _esc(text: str) -> str:
    import html

    return html.escape(text)


def explore(
    wave: str,
    *,
    root: str | Path | None = None,
    lang: str = "nb",
    disclosure: str = "public",
    min_cell: int = 5,
    waves: list[str] | None = None,
) -> Explorer:
    """Show the exploration interface for ``wave`` in a notebook and return its :class:`Explorer`.

    Parameters
    ----------
    wave : str
        The wave shown first (the dropdown offers every ingested wave).
    root : str or Path, optional
        Project root holding ``data/`` (None: the project root).
    lang : {"nb", "en"}
    disclosure : {"public", "internal"}
        ``public`` suppresses small cells and offers no single municipality; ``internal`` offers
        municipalities with more than ``min_cell`` answers.
    min_cell : int
    waves : list of str, optional

    Returns
    -------
    Explorer
    """
    from IPython.display import display

    ex = Explorer(wave, waves=waves, root=root, lang=lang, disclosure=disclosure, min_cell=min_cell)
    display(ex.build())
    return ex
