"""Figures and the tables beside them, ready for the notebooks: one call per cell.

Every plot function returns a :class:`PlotResult` ``(fig, alt, data, caption, lang)``: a
matplotlib Figure (created without pyplot, so nothing is shown by accident), an alt text in the
chosen language *built from the data* (what the figure shows, with its key numbers), the tidy
DataFrame of the numbers plotted, and a default caption. ``result.show()`` hands all of it to
:func:`analysis.render.display.show_figure`. Table helpers return a :class:`TableResult` whose
``show()`` calls :func:`analysis.render.display.show_table`; tables of estimates pass through
:func:`analysis.stats.disclosure.apply_disclosure` (``disclosure``/``min_cell``) inside the helper,
and suppressed cells are shown as ``":"``.

Colours are colour-blind safe: Okabe–Ito for categories, the ColorBrewer ``PuOr`` diverging
palette for Likert scales, grey for "vet ikke" (always drawn apart from the diverging stack).
Labels come from the codebook in the chosen language (``"nb"`` or ``"en"``).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"variable": "kompetanse", "group_var": ["total", "utleierkategori", "utleierkategori"],
...                   "group": ["Alle", "kommunal", "ideell"], "n": [50, 40, 10],
...                   "estimate": [55.0, 57.5, 45.0], "ci_low": [50.0, 52.0, 35.0],
...                   "ci_high": [60.0, 63.0, 55.0]})
>>> r = plot_group_means(t, lang="en")
>>> r.alt
'Dot plot of Competence (0–100) by landlord category with 95% confidence intervals: Municipal 57.5, Non-profit 45.0; all 55.0.'
>>> r.data[["Group", "Responses", "Estimate"]].values.tolist()
[['All', 50, 55.0], ['Municipal', 40, 57.5], ['Non-profit', 10, 45.0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.instrument.codebook import (
    DONT_KNOW,
    SIZE_CLASSES,
    Codebook,
    codebook_for,
    known_codebooks,
)
from analysis.instrument.labels import score_range, value_label, variable_label
from analysis.lang import by_lang, check_lang, interval, table

#: Okabe & Ito (2008) colour-blind-safe qualitative palette (black omitted).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
#: ColorBrewer PuOr (5 classes), orange = negative, purple = positive; colour-blind safe.
DIVERGING_5 = ("#e66101", "#fdb863", "#dddddd", "#b2abd2", "#5e3c99")
#: Colour of "vet ikke" (never part of the diverging stack).
DONT_KNOW_COLOUR = "#8c8c8c"
FIG_WIDTH = 7.5

_SIZE_EN = {"under 5 000": "under 5,000", "5 000–19 999": "5,000–19,999", "20 000+": "20,000+"}
_GROUP_VARS = table("group_vars")
_HEAD = by_lang("table_heads")
_T = by_lang("plot_words")


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


class PlotResult(NamedTuple):
    """A figure with its alt text, the numbers plotted, a default caption and its language."""

    fig: Figure
    alt: str
    data: pd.DataFrame
    caption: str = ""
    lang: str = "nb"

    def show(self, caption: str | None = None) -> None:
        """Display through :func:`analysis.render.display.show_figure` (closes the figure)."""
        from analysis.render.display import show_figure

        show_figure(
            self.fig, alt=self.alt, caption=caption or self.caption, data=self.data, lang=self.lang
        )


class TableResult(NamedTuple):
    """A display-ready table (suppressed cells as ``":"``), caption, note and language."""

    table: pd.DataFrame
    caption: str
    note: str | None = None
    lang: str = "nb"
    decimals: int | Mapping[str, int] | None = None

    def show(self, caption: str | None = None) -> None:
        """Display through :func:`analysis.render.display.show_table`."""
        from analysis.render.display import show_table

        show_table(
            self.table,
            caption=caption or self.caption,
            lang=self.lang,
            note=self.note,
            decimals=self.decimals,
        )

    def export(self, path) -> Path:
        """Write the table to ``path``: ``.xlsx`` (caption in the first row, note below) or
        ``.csv``, with the values rounded and suppressed cells marked as shown
        (:func:`analysis.render.export.export_table`).

        Examples
        --------
        >>> import pandas as pd, tempfile, pathlib
        >>> r = TableResult(pd.DataFrame({"Gruppe": ["Alle"], "n": [12]}), caption="Svar")
        >>> r.export(pathlib.Path(tempfile.mkdtemp()) / "svar.xlsx").name
        'svar.xlsx'
        """
        from analysis.render.export import export_table

        return export_table(self, path)


class TextResult(NamedTuple):
    """Narrative or a note in place of a table (e.g. withheld single municipalities)."""

    text: str
    lang: str = "nb"

    def show(self) -> None:
        from analysis.render.display import show_markdown

        show_markdown(self.text)


# ---------------------------------------------------------------------------------------------
# labels and formatting
# ---------------------------------------------------------------------------------------------


def item_label(column: str, lang: str = "nb", *, codebook: Codebook | None = None) -> str:
    """Codebook label of an item column (the given codebook, else the first version that has it).

    Examples
    --------
    >>> from analysis.instrument.codebook import load_codebook
    >>> item_label(load_codebook(1).role_columns("competence")[2], "en")
    'chair tenant meetings'
    """
    for cb in (codebook,) if codebook is not None else known_codebooks():
        try:
            return cb.label(column, lang)
        except KeyError:
            continue
    return column


def score_label(
    score: str, lang: str = "nb", *, with_range: bool = True, codebook: Codebook | None = None
) -> str:
    """Label of a score, with its scale: ``Kompetanse (0–100)``.

    Examples
    --------
    >>> score_label("forutsetninger", "nb")
    'Forutsetninger (0–5)'
    """
    cb = codebook or known_codebooks()[0]
    if score not in cb.score_columns:
        return score
    text = variable_label(score, lang, codebook=cb)
    return f"{text} ({score_range(score, codebook=cb)})" if with_range else text


def group_label(group_var: str, group: object, lang: str = "nb") -> str:
    """Label of a group value (landlord categories and size classes translated).

    Examples
    --------
    >>> group_label("utleierkategori", "kommersiell", "en"), group_label("storrelse", "20 000+", "en")
    ('Commercial', '20,000+')
    """
    g = str(group)
    if group_var == "total":
        return "Alle" if lang == "nb" else "All"
    if group_var == "storrelse":
        return _SIZE_EN.get(g, g) if lang == "en" else g
    return value_label(group_var, g, lang)


def _top_two(df: pd.DataFrame, question: str, lang: str) -> str:
    """The two highest answers of a scale as prose: "i stor grad eller i svært stor grad"."""
    q = codebook_for(df).question(question)
    top = [q.scale[c](lang).lower() for c in q.substantive_codes[-2:]]
    return (" eller " if lang == "nb" else " or ").join(top)


def _is_score(column: str) -> bool:
    return any(column in cb.score_columns for cb in known_codebooks())


def group_var_label(group_var: str, lang: str = "nb") -> str:
    return _GROUP_VARS.get(group_var, {}).get(lang, group_var)


def _num(x: float, lang: str, decimals: int = 1) -> str:
    from analysis.render.display import format_number

    return format_number(float(x), lang=lang, decimals=decimals)


def _pct(x: float, lang: str, decimals: int = 0) -> str:
    if x is None or pd.isna(x):
        return "–"
    s = _num(100 * x, lang, decimals)
    return f"{s}\u00a0%" if lang == "nb" else f"{s}%"


def _join(items: Sequence[str], lang: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    word = " og " if lang == "nb" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def _new_figure(height: float, width: float = FIG_WIDTH, ncols: int = 1, width_ratios=None):
    import seaborn as sns

    with sns.axes_style("whitegrid"):
        fig = Figure(figsize=(width, max(height, 1.6)), layout="constrained")
        axes = fig.subplots(1, ncols, width_ratios=width_ratios, sharey=ncols > 1)
    return fig, axes


def _wrap(text: object, width: int) -> str:
    import textwrap

    return textwrap.fill(str(text), width=width, max_lines=2, placeholder=" …")


def _numeric(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


# ---------------------------------------------------------------------------------------------
# disclosure glue
# ---------------------------------------------------------------------------------------------


def disclose(
    table: pd.DataFrame,
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
    **kwargs,
) -> pd.DataFrame:
    """:func:`analysis.stats.disclosure.apply_disclosure` with the notebooks' parameter names.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group_var": ["total", "g", "g"], "group": ["Alle", "a", "b"],
    ...                   "n": [12, 2, 10], "estimate": [1.0, 2.0, 3.0]})
    >>> disclose(t, disclosure="public")["suppressed"].tolist()
    [False, True, True]
    """
    from analysis.stats.disclosure import apply_disclosure

    return apply_disclosure(table, level=disclosure, min_n=min_cell, lang=lang, **kwargs)


def _suppressed_as_symbol(table: pd.DataFrame) -> pd.DataFrame:
    """Suppressed rows' value cells as ``":"`` (other cells untouched); drops the marker columns."""
    from analysis.stats.disclosure import SUPPRESSED

    out = table.copy()
    if "suppressed" not in out.columns:
        return out
    rows = out["suppressed"].fillna(False).to_numpy(bool)
    keep_ids = {
        "variable",
        "group_var",
        "group",
        "suppressed",
        "suppression",
        "label",
        "item",
        "scale",
    }
    for c in out.columns:
        if c in keep_ids or not rows.any():
            continue
        col = out[c].astype(object)
        col[rows] = SUPPRESSED
        out[c] = col
    return out.drop(columns=[c for c in ("suppressed", "suppression") if c in out.columns])


# ---------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------


def load_scored(wave: str, *, root=None) -> pd.DataFrame:
    """Processed responses of a wave with the scores added (:func:`analysis.stats.scoring.add_scores`).

    ``root`` is the project root holding ``data/`` (a relative path is taken from the working
    folder; None: :func:`analysis.paths.project_root`).
    """
    from analysis.clean.ingest import load_processed
    from analysis.stats.scoring import add_scores

    df = load_processed(wave, root=root)
    versions = pd.to_numeric(df.get("instrument_version"), errors="coerce").dropna().unique()
    version = int(versions[0]) if len(versions) == 1 else None
    return add_scores(df, version=version)


# ---------------------------------------------------------------------------------------------
# 01 data quality
# ---------------------------------------------------------------------------------------------


def quality_overview(quality: Mapping, *, lang: str = "nb") -> TableResult:
    """What came in: source format, encoding, instrument version, rows read, kept and quarantined.

    Examples
    --------
    >>> q = {"format": "nettskjema", "encoding": "utf-8", "instrument_version": 1,
    ...      "rows_read": 10, "rows_kept": 9, "rows_quarantined": 1, "source_file": "x.csv"}
    >>> quality_overview(q, lang="en").table.iloc[3].tolist()
    ['Rows read', 10]
    """
    check_lang(lang)
    names = {
        "nb": [
            "Fil",
            "Format",
            "Tegnkoding",
            "Rader lest",
            "Rader beholdt",
            "Rader i karantene",
            "Skjemaversjon",
        ],
        "en": [
            "File",
            "Format",
            "Encoding",
            "Rows read",
            "Rows kept",
            "Rows quarantined",
            "Instrument version",
        ],
    }[lang]
    keys = [
        "source_file",
        "format",
        "encoding",
        "rows_read",
        "rows_kept",
        "rows_quarantined",
        "instrument_version",
    ]
    from pathlib import PurePath

    values = [quality.get(k) for k in keys]
    if values[0] is not None:
        values[0] = PurePath(str(values[0])).name  # never a machine path
    table = pd.DataFrame(
        {
            ("Egenskap" if lang == "nb" else "Property"): names,
            ("Verdi" if lang == "nb" else "Value"): pd.Series(values, dtype=object),
        }
    )
    cap = "Hva som kom inn" if lang == "nb" else "What came in"
    note = None
    if all(isinstance(quality.get(k), int) for k in keys[3:6]):
        ok = quality["rows_read"] == quality["rows_kept"] + quality["rows_quarantined"]
        note = (
            "Lest = beholdt + karantene: " if lang == "nb" else "Read = kept + quarantined: "
        ) + (
            ("stemmer" if lang == "nb" else "holds")
            if ok
            else ("STEMMER IKKE" if lang == "nb" else "DOES NOT HOLD")
        )
    return TableResult(table, cap, note, lang)


def quality_quarantine(quality: Mapping, *, lang: str = "nb") -> TableResult:
    """Rows quarantined, by reason (reasons with zero rows left out)."""
    check_lang(lang)
    by = quality.get("quarantined_by_reason") or {}
    rows = [(str(k), int(v)) for k, v in by.items() if v]
    head = ("Årsak", "Rader") if lang == "nb" else ("Reason", "Rows")
    table = (
        pd.DataFrame(rows, columns=list(head))
        if rows
        else pd.DataFrame({head[0]: ["(ingen)" if lang == "nb" else "(none)"], head[1]: [0]})
    )
    cap = "Rader satt i karantene, etter årsak" if lang == "nb" else "Rows quarantined, by reason"
    return TableResult(table, cap, None, lang)


def quality_changes(quality: Mapping, *, lang: str = "nb") -> TableResult:
    """Values set missing, repairs made and rows flagged, with counts."""
    check_lang(lang)
    kinds = {
        "nb": ("Satt som mangler", "Reparert", "Flagget"),
        "en": ("Set missing", "Repaired", "Flagged"),
    }[lang]
    rows = []
    for d in quality.get("set_missing") or []:
        rows.append(
            (kinds[0], str(d.get("column", "")), str(d.get("reason", "")), int(d.get("count", 0)))
        )
    for d in quality.get("repairs") or []:
        rows.append(
            (kinds[1], str(d.get("column", "")), str(d.get("kind", "")), int(d.get("count", 0)))
        )
    for k, v in (quality.get("flags") or {}).items():
        if v:
            rows.append((kinds[2], str(k), "", int(v)))
    for w in quality.get("warnings") or []:
        rows.append(("Advarsel" if lang == "nb" else "Warning", "", str(w), 1))
    head = (
        ["Endring", "Kolonne", "Årsak", "Antall"]
        if lang == "nb"
        else ["Change", "Column", "Reason", "Count"]
    )
    if not rows:
        rows = [("(ingen)" if lang == "nb" else "(none)", "", "", 0)]
    table = pd.DataFrame(rows, columns=head)
    cap = (
        "Verdier satt som mangler, reparasjoner og flagg"
        if lang == "nb"
        else "Values set missing, repairs and flags"
    )
    return TableResult(table, cap, None, lang)


def quality_personal_data(quality: Mapping, *, lang: str = "nb") -> TableResult:
    """Personal data removed, by kind: counts only (never the values)."""
    check_lang(lang)
    pdr = dict(quality.get("personal_data_removed") or {})
    labels = {
        "nb": {
            "email": "E-postadresser",
            "phone": "Telefonnumre",
            "national_id": "Fødselsnumre",
            "d_number": "D-numre",
            "bank_account": "Kontonumre",
            "columns_dropped": "Kolonner fjernet ved innlesing",
        },
        "en": {
            "email": "E-mail addresses",
            "phone": "Phone numbers",
            "national_id": "National id numbers",
            "d_number": "D numbers",
            "bank_account": "Bank account numbers",
            "columns_dropped": "Columns dropped at the door",
        },
    }[lang]
    rows = []
    for key, value in pdr.items():
        count = len(value) if isinstance(value, list | tuple) else int(value or 0)
        rows.append((labels.get(key, key), count))
    head = ["Type", "Antall"] if lang == "nb" else ["Kind", "Count"]
    table = pd.DataFrame(rows or [("(ingen)" if lang == "nb" else "(none)", 0)], columns=head)
    cap = (
        "Personopplysninger fjernet (bare antall)"
        if lang == "nb"
        else "Personal data removed (counts only)"
    )
    note = (
        "Fritekst vises aldri i offentlige resultater."
        if lang == "nb"
        else "Free text never appears in public results."
    )
    return TableResult(table, cap, note, lang)


def _wave_items(df: pd.DataFrame) -> list[str]:
    """Item columns the wave's instrument asked (and the data hold), free text left out."""
    cb = codebook_for(df)
    text = set(cb.free_text_columns)
    return [c for c in cb.item_columns if c in df.columns and c not in text]


def missingness(df: pd.DataFrame, *, lang: str = "nb") -> pd.DataFrame:
    """Per item: answered, not answered (NA) and "vet ikke" (9), counts and shares of all rows.

    Items the wave's instrument did not ask have no column and are never counted as missing;
    free text is left out. For checkbox options, an unanswered question is NA in every option.

    Returns
    -------
    DataFrame
        ``question, item, label, n, n_missing, share_missing, n_dont_know, share_dont_know``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> row = load_codebook(1).role_columns("competence")[2]
    >>> df = pd.DataFrame({"instrument_version": [1, 1, 1, 1], row: [1, 9, None, 5]})
    >>> missingness(df)[["label", "n_missing", "share_missing", "n_dont_know"]]
                 label  n_missing  share_missing  n_dont_know
    0  lede beboermøter          1           0.25            1
    """
    check_lang(lang)
    cb = codebook_for(df)
    rows = []
    n = len(df)
    for c in _wave_items(df):
        x = _numeric(df[c])
        q, _ = cb.locate(c)
        miss = int(np.isnan(x).sum())
        dk = int(np.isin(x, q.dont_know_codes).sum())
        rows.append(
            {
                "question": q.id,
                "item": c,
                "label": item_label(c, lang, codebook=cb),
                "n": n,
                "n_missing": miss,
                "share_missing": miss / n if n else np.nan,
                "n_dont_know": dk,
                "share_dont_know": dk / n if n else np.nan,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "question",
            "item",
            "label",
            "n",
            "n_missing",
            "share_missing",
            "n_dont_know",
            "share_dont_know",
        ],
    )


def plot_missingness(df: pd.DataFrame, *, lang: str = "nb", top: int | None = None) -> PlotResult:
    """Horizontal stacked bars: share not answered and share "vet ikke" per item.

    Parameters
    ----------
    df : DataFrame
        Processed responses of one wave.
    lang : {"nb", "en"}
    top : int, optional
        Show only the ``top`` items with the most non-substantive answers (default: all).
    """
    check_lang(lang)
    t = _T[lang]
    m = missingness(df, lang=lang)
    m["share_nonsubstantive"] = m["share_missing"] + m["share_dont_know"]
    m = m.sort_values(["share_nonsubstantive", "item"], ascending=[False, True], kind="mergesort")
    if top is not None:
        m = m.head(top)
    m = m.reset_index(drop=True)
    fig, ax = _new_figure(0.6 + 0.17 * len(m))
    y = np.arange(len(m))
    ax.barh(y, 100 * m["share_missing"], color=OKABE_ITO[4], label=t["missing"])
    ax.barh(
        y,
        100 * m["share_dont_know"],
        left=100 * m["share_missing"],
        color=DONT_KNOW_COLOUR,
        label=t["dont_know"],
    )
    ax.set_yticks(y, [_wrap(f"{r.question}: {r.label}", 60) for r in m.itertuples()], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"{t['share']} (%)")
    ax.legend(loc="lower right", fontsize=8)
    worst = m.head(3)
    if lang == "nb":
        alt = (
            f"Liggende stolpediagram over andelen som ikke svarte og som svarte «vet ikke» på hvert av "
            f"{len(m)} spørsmål ({int(m['n'].iloc[0]) if len(m) else 0} svar). Flest uten svar eller «vet ikke»: "
            + _join(
                [
                    f"{r.item} {_pct(r.share_missing, lang)} ubesvart og {_pct(r.share_dont_know, lang)} vet ikke"
                    for r in worst.itertuples()
                ],
                lang,
            )
            + f". Median andel ubesvart: {_pct(m['share_missing'].median(), lang)}."
        )
        cap = "Ubesvart og «vet ikke» per spørsmål"
    else:
        alt = (
            f'Horizontal bar chart of the share not answered and the share answering "don\'t know" for '
            f"each of {len(m)} items ({int(m['n'].iloc[0]) if len(m) else 0} responses). Most affected: "
            + _join(
                [
                    f"{r.item} {_pct(r.share_missing, lang)} not answered and {_pct(r.share_dont_know, lang)} "
                    "don't know"
                    for r in worst.itertuples()
                ],
                lang,
            )
            + f". Median share not answered: {_pct(m['share_missing'].median(), lang)}."
        )
        cap = 'Not answered and "don\'t know" per item'
    data = m.drop(columns=["share_nonsubstantive"])
    return PlotResult(fig, alt, data, cap, lang)


def missingness_by_question(df: pd.DataFrame, *, lang: str = "nb") -> TableResult:
    """Table: per question, the number of items and the mean and largest shares missing / "vet ikke"."""
    m = missingness(df, lang=lang)
    g = (
        m.groupby("question", sort=False)
        .agg(
            items=("item", "size"),
            mean_missing=("share_missing", "mean"),
            max_missing=("share_missing", "max"),
            mean_dont_know=("share_dont_know", "mean"),
        )
        .reset_index()
    )
    cols = (
        ["Spørsmål", "Ledd", "Snitt ubesvart (%)", "Høyest ubesvart (%)", "Snitt vet ikke (%)"]
        if lang == "nb"
        else [
            "Question",
            "Items",
            "Mean not answered (%)",
            "Max not answered (%)",
            "Mean don't know (%)",
        ]
    )
    for c in ("mean_missing", "max_missing", "mean_dont_know"):
        g[c] = 100 * g[c]
    g.columns = cols
    cap = "Manglende svar per spørsmål" if lang == "nb" else "Missing answers per question"
    return TableResult(g, cap, None, lang, decimals=1)


# ---------------------------------------------------------------------------------------------
# group estimates
# ---------------------------------------------------------------------------------------------


def plot_group_means(
    table: pd.DataFrame, *, variable: str | None = None, lang: str = "nb", xlabel: str | None = None
) -> PlotResult:
    """Dot plot with confidence intervals of a :func:`~analysis.stats.estimates.group_means` table.

    The total row (``group_var == "total"``) is drawn as a dashed reference line; suppressed
    rows (after :func:`disclose`) are not drawn and are labelled ``":"``.

    Parameters
    ----------
    table : DataFrame
        ``group_var, group, n, estimate, ci_low, ci_high`` (optionally ``variable``,
        ``suppressed``), for one variable (or choose it with ``variable``).
    variable : str, optional
        Which ``variable`` to draw when the table holds several.
    lang : {"nb", "en"}
    xlabel : str, optional
        Axis label (default: the score's label).
    """
    check_lang(lang)
    t = table.copy()
    if "variable" in t.columns:
        variable = variable or str(t["variable"].iloc[0])
        t = t[t["variable"] == variable]
    label = xlabel or (score_label(variable, lang) if variable else _HEAD[lang]["estimate"])
    sup = (
        t["suppressed"].fillna(False).to_numpy(bool)
        if "suppressed" in t.columns
        else np.zeros(len(t), bool)
    )
    total = t[(t["group_var"] == "total") & ~sup]
    groups = t[t["group_var"] != "total"].reset_index(drop=True)
    gsup = sup[(t["group_var"] != "total").to_numpy()]
    names = [
        group_label(gv, g, lang) + (" (:)" if s else "")
        for gv, g, s in zip(groups["group_var"], groups["group"], gsup, strict=True)
    ]
    fig, ax = _new_figure(0.9 + 0.32 * max(len(groups), 1), width=6.5)
    y = np.arange(len(groups))
    est = _numeric(groups["estimate"])
    lo, hi = _numeric(groups["ci_low"]), _numeric(groups["ci_high"])
    colours = [OKABE_ITO[4]] * len(groups)  # groups are on the axis: one strong colour
    ok = ~gsup & ~np.isnan(est)
    for i in np.flatnonzero(ok):
        if not (np.isnan(lo[i]) or np.isnan(hi[i])):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colours[i], lw=2.2, solid_capstyle="butt")
        ax.plot(est[i], y[i], "o", color=colours[i], ms=7, mec="black", mew=0.6)
    if len(total):
        tv = float(_numeric(total["estimate"])[0])
        ax.axvline(tv, color="black", ls="--", lw=1)
        ax.annotate(
            _T[lang]["all"],
            (tv, -0.5),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=8,
            va="bottom",
        )
    ax.set_yticks(y, names)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlabel(label)
    gv = group_var_label(str(groups["group_var"].iloc[0]), lang) if len(groups) else ""
    shown = [f"{names[i]} {_num(est[i], lang)}" for i in np.flatnonzero(ok)]
    n_sup = int(gsup.sum())
    if lang == "nb":
        alt = (
            f"Punktdiagram av {label} etter {gv} med 95 % konfidensintervall: {', '.join(shown) or 'ingen grupper vist'}"
            + (f"; alle {_num(float(_numeric(total['estimate'])[0]), lang)}" if len(total) else "")
            + (f"; {n_sup} grupper prikket" if n_sup else "")
            + "."
        )
        cap = f"{score_label(variable, lang, with_range=False) if variable else label} etter {gv}"
    else:
        alt = (
            f"Dot plot of {label} by {gv} with 95% confidence intervals: {', '.join(shown) or 'no groups shown'}"
            + (f"; all {_num(float(_numeric(total['estimate'])[0]), lang)}" if len(total) else "")
            + (f"; {n_sup} groups suppressed" if n_sup else "")
            + "."
        )
        cap = f"{score_label(variable, lang, with_range=False) if variable else label} by {gv}"
    data = _labelled_estimates(t, lang)
    return PlotResult(fig, alt, data, cap, lang)


def _labelled_estimates(t: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Estimates table with readable group labels, suppressed cells as ':'."""
    out = t.copy()
    out["group"] = [
        group_label(gv, g, lang) for gv, g in zip(out["group_var"], out["group"], strict=True)
    ]
    out["group_var"] = [group_var_label(gv, lang) for gv in out["group_var"]]
    if "variable" in out.columns:
        out["variable"] = [
            score_label(v, lang, with_range=False) if _is_score(v) else item_label(v, lang)
            for v in out["variable"]
        ]
    keep = [
        c
        for c in (
            "variable",
            "group_var",
            "group",
            "n",
            "estimate",
            "ci_low",
            "ci_high",
            "n_dont_know",
            "share_dont_know",
            "n_clusters",
            "suppressed",
            "suppression",
        )
        if c in out.columns
    ]
    out = _suppressed_as_symbol(out[keep].reset_index(drop=True))
    return out.rename(columns=_HEAD[lang])


def _subset(df: pd.DataFrame, category: str | None) -> pd.DataFrame:
    """Rows of one landlord category, named by id or label in either language, any case
    (``"kommersiell"``, ``"Kommersiell"``, ``"Commercial"``); an unknown name lists the valid ones."""
    if category is None:
        return df
    from analysis.stats.tables import apply_filters

    cb = codebook_for(df)
    sub, _ = apply_filters(df, {cb.category_variable: category}, codebook=cb)
    return sub


def score_by(
    df: pd.DataFrame,
    score: str,
    by: str,
    *,
    category: str | None = None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
    cluster: str | None = "kommunenummer",
) -> PlotResult:
    """Estimate a score's mean by a grouping, apply disclosure control, and plot it.

    Municipal units are clustered by municipality (``kommunenummer``): see
    :mod:`analysis.stats.estimates`.

    Parameters
    ----------
    df : DataFrame
        Scored responses (:func:`analysis.stats.scoring.add_scores`).
    score : str
        A score column, e.g. ``"kompetanse"``.
    by : str
        Grouping column: ``utleierkategori``, ``storrelse``, ``fylke``, …
    category : str, optional
        Restrict to one landlord category (``"kommunal"`` for municipal units).
    disclosure : {"internal", "public"}
    min_cell : int
        Public output suppresses groups of ``min_cell`` or fewer respondents.
    lang : {"nb", "en"}
    cluster : str or None
        Cluster column for the standard errors.
    """
    from analysis.stats.estimates import group_means

    d = _subset(df, category)
    table = group_means(d, score, by, cluster=cluster, lang=lang)
    table = disclose(table, disclosure=disclosure, min_cell=min_cell, lang=lang)
    res = plot_group_means(table, lang=lang)
    if category is not None:  # say which subgroup, and how many answered in it
        var = codebook_for(df).category_variable
        ids = d[var].dropna().astype("string").unique()
        from analysis.render.i18n import category_label

        cat = category_label(str(ids[0]) if len(ids) else category, lang, plural=True)
        extra = f" ({cat.lower()}, n = {len(d)})"
        res = res._replace(caption=res.caption + extra, alt=res.alt.rstrip(".") + extra + ".")
    return res


def estimate_table(
    table: pd.DataFrame,
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
    caption: str | None = None,
    percent: bool = False,
) -> TableResult:
    """A :func:`~analysis.stats.estimates.group_means` / ``group_proportions`` table for display.

    Applies disclosure control, labels variables and groups in the language, shows suppressed
    cells as ``":"`` and puts the disclosure note below. ``percent=True`` shows proportions
    (estimate, interval, share "vet ikke") in per cent.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"variable": "kompetanse", "group_var": ["total", "fylke", "fylke"],
    ...                   "group": ["Alle", "A", "B"], "n": [30, 3, 27], "estimate": [50.0, 40.0, 51.1],
    ...                   "ci_low": [45.0, 30.0, 46.0], "ci_high": [55.0, 50.0, 56.0]})
    >>> r = estimate_table(t, disclosure="public", lang="en")
    >>> r.table["Estimate"].tolist()
    [50.0, ':', ':']
    """
    check_lang(lang)
    t = table.copy()
    if percent:
        for c in ("estimate", "ci_low", "ci_high", "share_dont_know"):
            if c in t.columns:
                t[c] = 100 * _numeric(t[c])
    t = disclose(t, disclosure=disclosure, min_cell=min_cell, lang=lang)
    note = t.attrs.get("note")
    out = _labelled_estimates(t, lang)
    if percent:
        out = out.rename(
            columns={
                _HEAD[lang]["estimate"]: _HEAD[lang]["estimate"] + " (%)",
                _HEAD[lang]["share_dont_know"]: _HEAD[lang]["share_dont_know"] + " (%)",
            }
        )
    if caption is None:
        vars_ = (
            list(dict.fromkeys(out[_HEAD[lang]["variable"]]))
            if _HEAD[lang]["variable"] in out.columns
            else []
        )
        caption = ", ".join(vars_[:3]) + ("…" if len(vars_) > 3 else "") or _HEAD[lang]["estimate"]
    return TableResult(out, caption, note, lang, decimals=1)


def scores_table(
    df: pd.DataFrame,
    by: str = "utleierkategori",
    *,
    scores: Sequence[str] | None = None,
    category: str | None = None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> TableResult:
    """Mean of every score by a grouping (cluster-robust intervals), disclosure applied."""
    from analysis.stats.estimates import group_means

    scores = list(scores or codebook_for(df).scores)
    d = _subset(df, category)
    t = group_means(d, scores, by, lang=lang)
    cap = (
        f"Skårer etter {group_var_label(by, 'nb')} (gjennomsnitt med 95 % KI)"
        if lang == "nb"
        else f"Scores by {group_var_label(by, 'en')} (means with 95% CI)"
    )
    return estimate_table(t, disclosure=disclosure, min_cell=min_cell, lang=lang, caption=cap)


def reliability_table(
    df: pd.DataFrame, *, disclosure: str = "internal", min_cell: int = 5, lang: str = "nb"
) -> TableResult:
    """Cronbach's alpha (Feldt interval) of each scale, labelled; disclosure on ``n``."""
    from analysis.stats.reliability import scale_reliability

    r = scale_reliability(df)
    r = disclose(r, disclosure=disclosure, min_cell=min_cell, lang=lang)
    note = r.attrs.get("note")
    from analysis.stats.reliability import scales

    cb = codebook_for(df)
    names = scales(cb)
    r["scale"] = [
        score_label(names[s], lang, with_range=False, codebook=cb) if s in names else s
        for s in r["scale"]
    ]
    r = _suppressed_as_symbol(r).rename(columns=_HEAD[lang])
    cap = (
        "Reliabilitet: Cronbachs alfa med 95 % KI (Feldt)"
        if lang == "nb"
        else "Reliability: Cronbach's alpha with 95% CI (Feldt)"
    )
    return TableResult(r, cap, note, lang, decimals=2)


# ---------------------------------------------------------------------------------------------
# Likert and participation level
# ---------------------------------------------------------------------------------------------


def likert_distribution(df: pd.DataFrame, question: str, *, lang: str = "nb") -> pd.DataFrame:
    """Tidy answer distribution of a 1–5 matrix question, "vet ikke" apart.

    Shares of codes 1–5 are of the substantive answers; the share "vet ikke" is of all answers
    (substantive + 9). Blank answers are left out of both.

    Returns
    -------
    DataFrame
        ``item, label, code, answer, n, share, base`` with ``base`` "substantive" for codes
        1–5 and "answered" for 9.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> attitude = cb.question_for("attitude")                  # a 1–5 agreement matrix
    >>> df = pd.DataFrame({cb.role_columns("attitude")[2]: [1, 5, 5, 9, None]})
    >>> likert_distribution(df, attitude)[["code", "n", "share"]].to_string(index=False)
    ' code  n    share\\n    1  1 0.333333\\n    2  0 0.000000\\n    3  0 0.000000\\n    4  0 0.000000\\n    5  2 0.666667\\n    9  1 0.250000'
    """
    check_lang(lang)
    cb = codebook_for(df)
    q = cb.question(question)
    if q.type != "matrix" or q.substantive_codes != (1, 2, 3, 4, 5):
        raise ValueError(f"{question!r} is not a 1–5 matrix question")
    rows = []
    for col in q.columns:
        if col not in df.columns:
            continue
        x = _numeric(df[col])
        subst = np.isin(x, q.substantive_codes)
        answered = subst | (x == DONT_KNOW)
        n_sub, n_ans = int(subst.sum()), int(answered.sum())
        labels = cb.value_labels(col, lang)
        for code in (*q.substantive_codes, DONT_KNOW):
            k = int((x == code).sum())
            base = n_ans if code == DONT_KNOW else n_sub
            rows.append(
                {
                    "item": col,
                    "label": item_label(col, lang),
                    "code": code,
                    "answer": labels.get(code, str(code)),
                    "n": k,
                    "share": k / base if base else np.nan,
                    "base": "answered" if code == DONT_KNOW else "substantive",
                }
            )
    return pd.DataFrame(rows, columns=["item", "label", "code", "answer", "n", "share", "base"])


def plot_likert(
    df: pd.DataFrame,
    question: str,
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> PlotResult:
    """Diverging stacked bars of a 1–5 matrix question, with "vet ikke" in a panel of its own.

    Codes 1–2 extend left of zero, 4–5 right, the middle category (3) is centred on zero; the
    shares are of substantive answers. "Vet ikke" (code 9) is shown as its share of all answers
    in a separate right-hand panel, never in the stack. Items are sorted by the share answering
    4 or 5. In public output an item answered by ``min_cell`` or fewer is not drawn.
    """
    check_lang(lang)
    t = _T[lang]
    dist = likert_distribution(df, question, lang=lang)
    wide = dist.pivot(index="item", columns="code", values="share")
    nsub = dist[dist["base"] == "substantive"].groupby("item", sort=False)["n"].sum()
    items = list(dict.fromkeys(dist["item"]))
    hidden = [i for i in items if disclosure == "public" and nsub.get(i, 0) <= min_cell]
    items = [i for i in items if i not in hidden]
    top = {i: wide.loc[i, 4] + wide.loc[i, 5] for i in items}
    items.sort(key=lambda i: (-(top[i] if not np.isnan(top[i]) else -1), i))
    labels = dist.drop_duplicates("item").set_index("item")["label"]
    answers = dist.drop_duplicates("code").set_index("code")["answer"]
    fig, (ax, ax9) = _new_figure(
        1.3 + 0.42 * len(items), width=FIG_WIDTH + 1.5, ncols=2, width_ratios=[5, 1]
    )
    y = np.arange(len(items))
    w = {
        c: np.array([wide.loc[i, c] for i in items], dtype=float) * 100 for c in (1, 2, 3, 4, 5, 9)
    }
    left = -(w[1] + w[2] + w[3] / 2)
    for code, colour in zip((1, 2, 3, 4, 5), DIVERGING_5, strict=True):
        ax.barh(
            y,
            w[code],
            left=left,
            color=colour,
            edgecolor="white",
            lw=0.5,
            label=answers.get(code, str(code)),
        )
        left = left + w[code]
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [_wrap(labels[i], 45) for i in items], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
    ax.set_xlabel(f"{t['share']} (%)")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 - 0.4 / max(len(items), 1)),
        ncol=5,
        fontsize=7,
        frameon=False,
    )
    ax9.barh(y, w[9], color=DONT_KNOW_COLOUR)
    ax9.set_xlim(0, max(20.0, float(np.nanmax(w[9])) * 1.2 if len(items) else 20.0))
    ax9.set_title(t["dont_know"] + " (%)", fontsize=8)
    qtext = codebook_for(df).question(question).text(lang)
    sums = [(i, top[i], wide.loc[i, 9]) for i in items]
    hi_, lo_ = (sums[0], sums[-1]) if sums else (None, None)
    dk = [s[2] for s in sums if not np.isnan(s[2])]
    if lang == "nb":
        pos = _top_two(df, question, lang)
        alt = (
            f"Divergerende stolpediagram for {len(items)} ledd i «{qtext}»: andelen {pos} er høyest for "
            f"«{labels[hi_[0]]}» ({_pct(hi_[1], lang)}) og lavest for «{labels[lo_[0]]}» ({_pct(lo_[1], lang)}). "
            f"«Vet ikke» vises for seg: {_pct(min(dk), lang)} til {_pct(max(dk), lang)} av svarene."
            if sums
            else f"Ingen ledd i «{qtext}» kan vises."
        )
        cap = f"Svarfordeling: {qtext}"
    else:
        pos = _top_two(df, question, lang)
        alt = (
            f'Diverging stacked bar chart of {len(items)} items of "{qtext}": the share {pos} is highest for '
            f'"{labels[hi_[0]]}" ({_pct(hi_[1], lang)}) and lowest for "{labels[lo_[0]]}" ({_pct(lo_[1], lang)}). '
            f'"Don\'t know" is shown apart: {_pct(min(dk), lang)} to {_pct(max(dk), lang)} of answers.'
            if sums
            else f'No items of "{qtext}" can be shown.'
        )
        cap = f"Answers: {qtext}"
    if hidden:
        alt += (
            f" {len(hidden)} ledd er prikket."
            if lang == "nb"
            else f" {len(hidden)} items suppressed."
        )
    data = dist[dist["item"].isin(items)].copy()
    data["share"] = 100 * data["share"]
    data = data.drop(columns=["base"]).rename(
        columns={
            "item": "item",
            "label": t["item"],
            "code": "kode" if lang == "nb" else "code",
            "answer": "Svar" if lang == "nb" else "Answer",
            "n": _HEAD[lang]["n"],
            "share": f"{t['share']} (%)",
        }
    )
    return PlotResult(fig, alt, data.reset_index(drop=True), cap, lang)


def participation_profile(
    df: pd.DataFrame,
    by: str = "utleierkategori",
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> pd.DataFrame:
    """Mean participation rung (0–5) per area and group, "ikke aktuelt" (9) left out.

    Returns the :func:`~analysis.stats.estimates.group_means` table over the rows of the
    ``participation_level`` question (9 set missing), after disclosure control.
    """
    from analysis.stats.estimates import group_means

    cb = codebook_for(df)
    q = cb.question(cb.question_for("participation_level"))
    cols = [c for c in q.columns if c in df.columns]
    d = df.copy()
    for c in cols:
        d[c] = pd.to_numeric(d[c], errors="coerce").where(lambda s: ~s.isin(q.dont_know_codes))
    t = group_means(d, cols, by, lang=lang)
    return disclose(t, disclosure=disclosure, min_cell=min_cell, lang=lang)


def plot_participation_profile(
    df: pd.DataFrame,
    by: str = "utleierkategori",
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> PlotResult:
    """Participation-level profile: mean rung (0–5) per area, one line of dots per group.

    Rungs follow Arnstein's ladder (0 none … 5 tenants decide); "ikke aktuelt" is left out.
    """
    check_lang(lang)
    t = participation_profile(df, by, disclosure=disclosure, min_cell=min_cell, lang=lang)
    sup = t["suppressed"].to_numpy(bool) if "suppressed" in t.columns else np.zeros(len(t), bool)
    g = t[(t["group_var"] != "total")].copy()
    gsup = sup[(t["group_var"] != "total").to_numpy()]
    cols = list(dict.fromkeys(t["variable"]))
    area = {c: item_label(c, lang) for c in cols}
    groups = list(dict.fromkeys(g["group"]))
    fig, ax = _new_figure(3.2, width=FIG_WIDTH)
    x = np.arange(len(cols))
    offs = np.linspace(-0.2, 0.2, max(len(groups), 1))
    lines = []
    for k, grp in enumerate(groups):
        sel = (g["group"] == grp).to_numpy() & ~gsup
        sub = g[sel].set_index("variable")
        est = np.array([float(sub.loc[c, "estimate"]) if c in sub.index else np.nan for c in cols])
        lo = np.array([float(sub.loc[c, "ci_low"]) if c in sub.index else np.nan for c in cols])
        hi = np.array([float(sub.loc[c, "ci_high"]) if c in sub.index else np.nan for c in cols])
        colour = OKABE_ITO[k % len(OKABE_ITO)]
        marker = "osD^v<>"[k % 7]
        name = group_label(by, grp, lang)
        ax.errorbar(
            x + offs[k],
            est,
            yerr=[est - lo, hi - est],
            fmt=marker,
            color=colour,
            ms=6,
            capsize=2,
            lw=1.2,
            label=name,
        )
        lines.append((name, est))
    ax.set_xticks(x, [_wrap(area[c], 16) for c in cols], fontsize=8)
    ax.set_ylim(0, 5)
    cb = codebook_for(df)
    q = cb.question(cb.question_for("participation_level"))
    rung = {c: q.scale[c] for c in q.substantive_codes}
    ax.set_yticks(list(rung), [_wrap(f"{i} {rung[i](lang)}", 22) for i in rung], fontsize=7)
    ax.legend(fontsize=8, loc="upper right")

    def fmt(est):
        return ", ".join(
            f"{area[c]} {_num(v, lang)}" for c, v in zip(cols, est, strict=True) if not np.isnan(v)
        )

    if lang == "nb":
        alt = (
            f"Punktdiagram over gjennomsnittlig medvirkningsnivå (0–5) på {len(cols)} områder etter "
            f"{group_var_label(by, lang)}: " + "; ".join(f"{n}: {fmt(e)}" for n, e in lines) + "."
        )
        cap = f"Medvirkningsnivå per område etter {group_var_label(by, lang)}"
    else:
        alt = (
            f"Dot plot of the mean participation level (0–5) in {len(cols)} areas by "
            f"{group_var_label(by, lang)}: " + "; ".join(f"{n}: {fmt(e)}" for n, e in lines) + "."
        )
        cap = f"Participation level per area by {group_var_label(by, lang)}"
    if gsup.any():
        alt = alt.rstrip(".") + (
            f"; {int(gsup.sum())} celler prikket."
            if lang == "nb"
            else f"; {int(gsup.sum())} cells suppressed."
        )
    data = _labelled_estimates(t, lang)
    return PlotResult(fig, alt, data, cap, lang)


# ---------------------------------------------------------------------------------------------
# shares (themes, formats, barriers) and change
# ---------------------------------------------------------------------------------------------


def plot_shares(
    table: pd.DataFrame,
    *,
    lang: str = "nb",
    label_col: str | None = None,
    title: str | None = None,
    by_col: str | None = None,
) -> PlotResult:
    """Horizontal bars of shares (0–1) with confidence intervals, sorted by share.

    Parameters
    ----------
    table : DataFrame
        One row per option (and group): ``estimate`` (share 0–1), optional ``ci_low``,
        ``ci_high``, ``n``, ``suppressed``; the option in ``label_col`` (default: ``label`` if
        present, else ``variable`` translated through the codebook).
    title : str, optional
        What the shares are of (used in the caption and alt text).
    by_col : str, optional
        A group column: one colour per group (Okabe–Ito), bars dodged.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> themes = load_codebook(1).role_columns("themes")
    >>> t = pd.DataFrame({"variable": [themes[0], themes[2]], "estimate": [0.61, 0.3],
    ...                   "ci_low": [0.55, 0.25], "ci_high": [0.67, 0.36], "n": [200, 200]})
    >>> plot_shares(t, lang="en", title="Themes wanted").alt
    'Bar chart of Themes wanted (shares with 95% confidence intervals): Methods for participation 61%, Tenancy law 30%.'
    """
    check_lang(lang)
    t = table.copy().reset_index(drop=True)
    if label_col is None:
        label_col = "label" if "label" in t.columns else "variable"
        if label_col == "variable":
            t["label"] = [item_label(v, lang) for v in t["variable"]]
            label_col = "label"
    sup = (
        t["suppressed"].fillna(False).to_numpy(bool)
        if "suppressed" in t.columns
        else np.zeros(len(t), bool)
    )
    t["_sup"] = sup
    est = _numeric(t["estimate"])
    t["_est"] = np.where(sup, np.nan, est)
    order = (
        t[~t["_sup"]]
        .groupby(label_col, sort=False)["_est"]
        .mean()
        .sort_values(ascending=False)
        .index.tolist()
    )
    order += [lab for lab in dict.fromkeys(t[label_col]) if lab not in order]
    groups = list(dict.fromkeys(t[by_col])) if by_col else [None]
    fig, ax = _new_figure(0.8 + 0.3 * len(order) * max(1, len(groups) * 0.6))
    height = 0.8 / len(groups)
    for k, grp in enumerate(groups):
        sub = t if grp is None else t[t[by_col] == grp]
        pos = {lab: i for i, lab in enumerate(order)}
        yy = np.array([pos[lab] for lab in sub[label_col]]) - 0.4 + height * (k + 0.5)
        e = 100 * sub["_est"].to_numpy(float)
        colour = OKABE_ITO[4] if grp is None else OKABE_ITO[k % len(OKABE_ITO)]
        ax.barh(
            yy,
            np.nan_to_num(e),
            height=height * 0.9,
            color=colour,
            label=None if grp is None else group_label(by_col, grp, lang),
        )
        if "ci_low" in sub.columns:
            lo, hi = 100 * _numeric(sub["ci_low"]), 100 * _numeric(sub["ci_high"])
            ok = ~np.isnan(e) & ~np.isnan(lo) & ~np.isnan(hi)
            ax.errorbar(
                e[ok],
                yy[ok],
                xerr=[e[ok] - lo[ok], hi[ok] - e[ok]],
                fmt="none",
                ecolor="black",
                lw=0.9,
                capsize=2,
            )
    ax.set_yticks(range(len(order)), [_wrap(o, 45) for o in order], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{_T[lang]['share']} (%)")
    if by_col:
        ax.legend(fontsize=8, loc="lower right")
    what = title or (_T[lang]["share"])
    first = t[~t["_sup"]]
    if by_col is None:
        listing = ", ".join(
            f"{lab} {_pct(float(first.loc[first[label_col] == lab, '_est'].iloc[0]), lang)}"
            for lab in order
            if lab in set(first[label_col])
        )
    else:
        listing = "; ".join(
            f"{group_label(by_col, grp, lang)}: "
            + ", ".join(
                f"{lab} {_pct(v, lang)}"
                for lab, v in zip(
                    first.loc[first[by_col] == grp, label_col],
                    first.loc[first[by_col] == grp, "_est"],
                    strict=True,
                )
            )
            for grp in groups
        )
    if lang == "nb":
        alt = f"Stolpediagram over {what} (andeler med 95 % konfidensintervall): {listing}."
    else:
        alt = f"Bar chart of {what} (shares with 95% confidence intervals): {listing}."
    if sup.any():
        alt = alt.rstrip(".") + (
            f"; {int(sup.sum())} prikket." if lang == "nb" else f"; {int(sup.sum())} suppressed."
        )
    data = t.drop(columns=["_sup", "_est"])
    for c in ("estimate", "ci_low", "ci_high", "share_dont_know"):
        if c in data.columns:
            data[c] = 100 * _numeric(data[c])
    data = _suppressed_as_symbol(data)
    data = data.rename(
        columns={
            **_HEAD[lang],
            "estimate": _HEAD[lang]["estimate"] + " (%)",
            label_col: _T[lang]["item"],
        }
    )
    return PlotResult(fig, alt, data, what, lang)


def question_shares(
    df: pd.DataFrame,
    question: str,
    *,
    by: str | None = None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> pd.DataFrame:
    """Shares choosing each option of a checkbox question (or each code of a single question).

    Checkbox options: :func:`~analysis.stats.estimates.group_proportions` with ``success=(1,)``
    (respondents who did not answer the question are left out). A single-choice question such
    (the ``most_important_theme`` role): one row per code, the share of substantive answers with that code.
    Cluster-robust intervals (municipal units by municipality); disclosure control applied.

    Returns
    -------
    DataFrame
        The estimates table with a ``label`` column (option text in ``lang``), disclosed.
    """
    from analysis.stats.estimates import group_proportions

    cb = codebook_for(df)
    q = cb.question(question)
    if q.type == "checkbox":
        items = [c for c in q.columns if c in df.columns]
        t = group_proportions(df, items, by, success=(1,), lang=lang)
        t["label"] = [item_label(v, lang) for v in t["variable"]]
    elif q.type == "single" and q.scale:
        parts = []
        for code, text in q.scale.items():
            if code == DONT_KNOW:
                continue
            part = group_proportions(df, question, by, success=(code,), lang=lang)
            part["variable"] = f"{question}={code}"
            part["label"] = text(lang)
            parts.append(part)
        t = pd.concat(parts, ignore_index=True)
    else:
        raise ValueError(f"{question!r} is neither a checkbox nor a single-choice question")
    return disclose(t, disclosure=disclosure, min_cell=min_cell, lang=lang, group_cols=["variable"])


def plot_question_shares(
    df: pd.DataFrame,
    question: str,
    *,
    by: str | None = None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> PlotResult:
    """Bar chart of :func:`question_shares` (one colour per group when ``by`` is given).

    The total row is drawn when ``by`` is None; with ``by``, one bar per group and option.
    """
    t = question_shares(df, question, by=by, disclosure=disclosure, min_cell=min_cell, lang=lang)
    t = t[t["group_var"] == (by or "total")]
    if by:
        t = t.assign(group=[group_label(by, g, lang) for g in t["group"]])
    qtext = codebook_for(df).question(question).text(lang)
    res = plot_shares(
        t,
        lang=lang,
        title=f"«{qtext}»" if lang == "nb" else f'"{qtext}"',
        by_col="group" if by else None,
    )
    if by:
        res = res._replace(
            alt=res.alt.replace(
                ": ", f" {'etter' if lang == 'nb' else 'by'} {group_var_label(by, lang)}: ", 1
            )
        )
    return res._replace(caption=qtext)


def question_shares_table(
    df: pd.DataFrame,
    question: str,
    *,
    by: str | None = None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> TableResult:
    """Table of :func:`question_shares` in per cent, suppressed cells as ``":"``."""
    t = question_shares(df, question, by=by, disclosure=disclosure, min_cell=min_cell, lang=lang)
    note = t.attrs.get("note")
    t = t.copy()
    for c in ("estimate", "ci_low", "ci_high", "share_dont_know"):
        t[c] = 100 * _numeric(t[c])
    t["variable"] = t["label"]
    t = t.drop(columns=["label"])
    out = _labelled_estimates(t, lang).rename(
        columns={_HEAD[lang]["estimate"]: _HEAD[lang]["estimate"] + " (%)"}
    )
    out = out.drop(
        columns=[
            c
            for c in (_HEAD[lang]["n_dont_know"], _HEAD[lang]["share_dont_know"])
            if c in out.columns and codebook_for(df).question(question).type == "checkbox"
        ]
    )
    qtext = codebook_for(df).question(question).text(lang)
    return TableResult(out, qtext, note, lang, decimals=1)


def plot_change(
    table: pd.DataFrame,
    *,
    lang: str = "nb",
    label_col: str = "label",
    diff_col: str = "difference",
    comparable_col: str = "comparable",
    unit: str = "",
) -> PlotResult:
    """Changes between two waves with confidence intervals; rows not comparable are marked, not drawn.

    Parameters
    ----------
    table : DataFrame
        One row per measure: ``label_col``, ``diff_col`` (later minus earlier), ``ci_low``,
        ``ci_high`` and a boolean ``comparable_col``.
    unit : str
        Unit of the change for the axis label (e.g. "poeng").

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"label": ["Kompetanse", "Digital kompetanse"], "difference": [4.2, None],
    ...                   "ci_low": [1.0, None], "ci_high": [7.4, None], "comparable": [True, False]})
    >>> plot_change(t).alt
    'Endring fra forrige runde med 95 % konfidensintervall: Kompetanse +4,2 (1,0 til 7,4). Ikke sammenlignbart: Digital kompetanse.'
    """
    check_lang(lang)
    t = table.reset_index(drop=True).copy()
    comp = (
        t[comparable_col].fillna(False).to_numpy(bool)
        if comparable_col in t.columns
        else np.ones(len(t), bool)
    )
    d, lo, hi = _numeric(t[diff_col]), _numeric(t["ci_low"]), _numeric(t["ci_high"])
    fig, ax = _new_figure(0.9 + 0.35 * len(t), width=6.5)
    y = np.arange(len(t))
    names = [
        str(lab) + ("" if c else (" (ikke sammenlignbar)" if lang == "nb" else " (not comparable)"))
        for lab, c in zip(t[label_col], comp, strict=True)
    ]
    for i in np.flatnonzero(comp & ~np.isnan(d)):
        colour = OKABE_ITO[4] if (np.isnan(lo[i]) or lo[i] > 0 or hi[i] < 0) else OKABE_ITO[7]
        if not (np.isnan(lo[i]) or np.isnan(hi[i])):
            ax.plot([lo[i], hi[i]], [y[i], y[i]], color=colour, lw=2.2)
        ax.plot(d[i], y[i], "o", color=colour, mec="black", mew=0.6, ms=7)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    label = ("Endring" if lang == "nb" else "Change") + (f" ({unit})" if unit else "")
    ax.set_xlabel(label)

    def sgn(v):
        s = _num(v, lang)
        return s if s.startswith(("−", "-")) else "+" + s

    shown = [
        f"{t[label_col].iloc[i]} {sgn(d[i])} ({_num(lo[i], lang)} {'til' if lang == 'nb' else 'to'} {_num(hi[i], lang)})"
        for i in np.flatnonzero(comp & ~np.isnan(d))
    ]
    notc = [str(t[label_col].iloc[i]) for i in np.flatnonzero(~comp)]
    if lang == "nb":
        alt = (
            "Endring fra forrige runde med 95 % konfidensintervall: "
            + ("; ".join(shown) or "ingen")
            + "."
        )
        if notc:
            alt += " Ikke sammenlignbart: " + ", ".join(notc) + "."
        cap = "Endring mellom rundene"
    else:
        alt = (
            "Change since the earlier wave with 95% confidence intervals: "
            + ("; ".join(shown) or "none")
            + "."
        )
        if notc:
            alt += " Not comparable: " + ", ".join(notc) + "."
        cap = "Change between waves"
    return PlotResult(fig, alt, t, cap, lang)


_MODEL_HEAD = by_lang("model_heads")


def _symbolise(table: pd.DataFrame, rows: np.ndarray, keep: Sequence[str]) -> pd.DataFrame:
    from analysis.stats.disclosure import SUPPRESSED

    out = table.copy()
    for c in out.columns:
        if c in keep or not rows.any():
            continue
        col = out[c].astype(object)
        col[rows] = SUPPRESSED
        out[c] = col
    return out


def regression_table(
    df: pd.DataFrame,
    score: str | None = None,
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> TableResult:
    """:func:`analysis.stats.models.score_regression` (cluster-robust OLS) as a labelled table.

    In public output, a dummy whose level has ``min_cell`` or fewer respondents in the model's
    data is suppressed (``":"``).
    """
    from analysis.stats.disclosure import disclosure_note
    from analysis.stats.models import score_regression

    check_lang(lang)
    score = score or codebook_for(df).score_for("competence")
    r = score_regression(df, score, lang=lang)
    small = np.zeros(len(r), bool)
    if disclosure == "public":
        for i, term in enumerate(r["term"]):
            if "[T." in term:
                var, level = term.split("[T.", 1)
                level = level.rstrip("]")
                if var in df.columns:
                    count = (
                        int((df[var].astype("string") == level).sum())
                        if level != "ukjent"
                        else int(df[var].isna().sum())
                    )
                    small[i] = count <= min_cell
    out = _symbolise(r[["label", "estimate", "se", "ci_low", "ci_high", "p"]], small, ["label"])
    out = out.rename(columns=_MODEL_HEAD[lang])
    n, g, r2 = r.attrs.get("n"), r.attrs.get("n_clusters"), r.attrs.get("r2")
    if lang == "nb":
        cap = f"Regresjon av {score_label(score, lang)} (klyngerobuste standardfeil)"
        note = f"n = {n}, klynger = {g}, R² = {_num(r2, lang, 2)}. Referanse: kommunal utleier, minste kommunestørrelse."
    else:
        cap = f"Regression of {score_label(score, lang)} (cluster-robust standard errors)"
        note = f"n = {n}, clusters = {g}, R² = {_num(r2, lang, 2)}. Reference: municipal landlord, smallest size class."
    note += " " + disclosure_note(min_cell, lang, level=disclosure)
    return TableResult(out, cap, note, lang, decimals={c: 3 for c in out.columns[1:]})


def pairwise_table(
    df: pd.DataFrame,
    score: str | None = None,
    *,
    between: str = "utleierkategori",
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> TableResult:
    """:func:`analysis.stats.models.pairwise_comparisons` (Welch, Holm-adjusted, Hedges' g) as a table.

    Public output suppresses a pair when either group has ``min_cell`` or fewer respondents.
    """
    from analysis.stats.disclosure import disclosure_note
    from analysis.stats.models import pairwise_comparisons

    check_lang(lang)
    score = score or codebook_for(df).score_for("competence")
    r = pairwise_comparisons(df, score, between=between)
    small = (
        ((r["n_a"] <= min_cell) | (r["n_b"] <= min_cell)).to_numpy(bool)
        if disclosure == "public"
        else (np.zeros(len(r), bool))
    )
    t = r[
        [
            "a",
            "b",
            "n_a",
            "n_b",
            "mean_a",
            "mean_b",
            "diff",
            "diff_ci_low",
            "diff_ci_high",
            "p_adj",
            "hedges_g",
        ]
    ].copy()
    t["a"] = [group_label(between, v, lang) for v in t["a"]]
    t["b"] = [group_label(between, v, lang) for v in t["b"]]
    t = _symbolise(t, small, ["a", "b"]).rename(columns=_MODEL_HEAD[lang])
    if lang == "nb":
        cap = f"Parvise sammenligninger av {score_label(score, lang)} etter {group_var_label(between, lang)}"
        note = (
            "Welch t-test, Holm-justerte p-verdier; Hedges' g er effektstørrelsen. Testene ser bort fra "
            "klyngingen av kommunale enheter og er derfor noe liberale for kommunale grupper."
        )
    else:
        cap = f"Pairwise comparisons of {score_label(score, lang)} by {group_var_label(between, lang)}"
        note = (
            "Welch t-tests, Holm-adjusted p-values; Hedges' g is the effect size. The tests ignore the "
            "clustering of municipal units and are therefore somewhat liberal for municipal groups."
        )
    note += " " + disclosure_note(min_cell, lang, level=disclosure)
    dec = {c: 2 for c in t.columns[2:]}
    return TableResult(t, cap, note, lang, decimals=dec)


def show_wave_comparison(
    wave: str,
    compare_with: str | None,
    *,
    root=None,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> None:
    """Notebook 05 in one call: change between two waves, or one line when there is no earlier wave.

    Uses :func:`analysis.stats.compare.compare_waves` (harmonised coding, scores from the items
    both versions share, items one version did not ask marked not comparable) with the totals
    and landlord categories. Shows a figure of the change in the 0–100 scores,
    a figure of the change in item shares (percentage points; rows not comparable marked), and
    the full table. Disclosure control treats the smaller wave's count as a row's ``n``.
    """
    from analysis.render.display import show_markdown
    from analysis.stats.compare import compare_waves

    check_lang(lang)
    if compare_with is None:
        show_markdown(
            "Ingen sammenligningsrunde er oppgitt (`compare_with = None`): ingen endring å vise."
            if lang == "nb"
            else "No comparison wave was given (`compare_with = None`): no change to show."
        )
        return
    earlier, later = load_scored(compare_with, root=root), load_scored(wave, root=root)
    t = compare_waves(
        earlier, later, by="utleierkategori", lang=lang, wave_a=compare_with, wave_b=wave
    )
    t["n"] = (
        pd.array(np.fmin(_numeric(t["n_a"]), _numeric(t["n_b"])), dtype="Float64")
        .round()
        .astype("Int64")
    )
    t["n"] = t["n"].fillna(0)
    t = disclose(
        t,
        disclosure=disclosure,
        min_cell=min_cell,
        lang=lang,
        group_cols=["kind", "variable"],
        value_cols=[
            "n_a",
            "estimate_a",
            "se_a",
            "n_b",
            "estimate_b",
            "se_b",
            "diff",
            "se",
            "ci_low",
            "ci_high",
            "p",
        ],
    )
    note = t.attrs.get("note")
    sup = t["suppressed"].to_numpy(bool)
    tot = t[(t["group_var"] == "total") & ~sup]
    what = f"{compare_with} → {wave}"
    cb = codebook_for(later)
    on_100 = [s for s, d in cb.scores.items() if d.method == "mean_rescaled"]
    sc = tot[(tot["kind"] == "score") & tot["variable"].isin(on_100)].copy()
    sc["label"] = [score_label(v, lang, codebook=cb) for v in sc["variable"]]
    res = plot_change(sc, lang=lang, diff_col="diff", unit="poeng" if lang == "nb" else "points")
    names = ", ".join(score_label(s, lang, with_range=False, codebook=cb).lower() for s in on_100)
    res._replace(caption=f"{res.caption} ({names}): {what}").show()
    sh = tot[tot["kind"] == "share"].copy()
    for c in ("diff", "ci_low", "ci_high"):
        sh[c] = 100 * _numeric(sh[c])
    res = plot_change(
        sh, lang=lang, diff_col="diff", unit="prosentpoeng" if lang == "nb" else "percentage points"
    )
    cap = (
        "Endring i andeler (kompetanse i stor/svært stor grad; ønskede temaer)"
        if lang == "nb"
        else "Change in shares (competence to a large/very large extent; themes wanted)"
    )
    res._replace(caption=f"{cap}: {what}").show()
    table = t.drop(columns=["n", "wave_a", "wave_b", "se_a", "se_b", "df", "kind"]).copy()
    share = (t["kind"] == "share").to_numpy()
    for c in ("estimate_a", "estimate_b", "diff", "ci_low", "ci_high"):
        v = _numeric(table[c])
        table[c] = np.where(share, 100 * v, v)
    table["variable"] = table["label"]
    table = table.drop(columns=["label"])
    table["group"] = [
        group_label(gv, g, lang) for gv, g in zip(table["group_var"], table["group"], strict=True)
    ]
    table["group_var"] = [group_var_label(gv, lang) for gv in table["group_var"]]
    table["comparable"] = [
        ("ja" if c else "nei") if lang == "nb" else ("yes" if c else "no")
        for c in table["comparable"]
    ]
    table = _suppressed_as_symbol(table)
    heads = {
        "nb": {
            "n_a": f"Antall {compare_with}",
            "n_b": f"Antall {wave}",
            "estimate_a": compare_with,
            "estimate_b": wave,
            "diff": "Endring",
            "comparable": "Sammenlignbar",
            "note": "Merknad",
        },
        "en": {
            "n_a": f"Responses {compare_with}",
            "n_b": f"Responses {wave}",
            "estimate_a": compare_with,
            "estimate_b": wave,
            "diff": "Change",
            "comparable": "Comparable",
            "note": "Note",
        },
    }[lang]
    table = table.rename(columns={**_HEAD[lang], **heads})
    cap = (
        f"Endring {what}: skårer (gjennomsnitt) og andeler (%), 95 % KI"
        if lang == "nb"
        else f"Change {what}: scores (means) and shares (%), 95% CI"
    )
    TableResult(table, cap, note, lang, decimals=1).show()


def theme_ranking_table(
    df: pd.DataFrame, *, disclosure: str = "internal", min_cell: int = 5, lang: str = "nb"
) -> TableResult:
    """:func:`analysis.stats.themes.theme_ranking` (cluster-bootstrap rank intervals) as a table."""
    from analysis.stats.disclosure import disclosure_note
    from analysis.stats.themes import theme_ranking

    check_lang(lang)
    r = theme_ranking(df, lang=lang)
    small = (
        (r["n"] <= min_cell).to_numpy(bool) if disclosure == "public" else np.zeros(len(r), bool)
    )
    t = pd.DataFrame(
        {
            "rank": r["rank"],
            "label": r["label"],
            "share": 100 * r["share"],
            "lo": 100 * r["share_ci_low"],
            "hi": 100 * r["share_ci_high"],
            "ranks": [
                interval(int(lo), int(hi), lang) if lo != hi else f"{int(lo)}"
                for lo, hi in zip(r["rank_low"], r["rank_high"], strict=True)
            ],
            "p_first": 100 * r["p_first"],
        }
    )
    t = _symbolise(t, small, ["rank", "label"])
    heads = {
        "nb": [
            "Rang",
            "Tema",
            "Andel (%)",
            "KI nedre",
            "KI øvre",
            "Mulige rangplasser (95 %)",
            "Sannsynlighet for førsteplass (%)",
        ],
        "en": [
            "Rank",
            "Theme",
            "Share (%)",
            "CI low",
            "CI high",
            "Plausible ranks (95%)",
            "Chance of first place (%)",
        ],
    }[lang]
    t.columns = heads
    n_boot = int(r["n_boot"].iloc[0]) if len(r) else 0
    if lang == "nb":
        cap = "Rangering av ønskede temaer med usikkerhet"
        note = (
            f"Rangplassene er {n_boot} bootstrap-replikater med kommunen som klynge; temaer med "
            "overlappende rangintervaller kan ikke skilles sikkert."
        )
    else:
        cap = "Ranking of the themes wanted, with uncertainty"
        note = (
            f"Ranks from {n_boot} cluster-bootstrap replicates (municipality as cluster); themes with "
            "overlapping rank intervals cannot be told apart with confidence."
        )
    return TableResult(
        t, cap, note + " " + disclosure_note(min_cell, lang, level=disclosure), lang, decimals=1
    )


def plot_low_competence_needs(
    df: pd.DataFrame, *, disclosure: str = "internal", min_cell: int = 5, lang: str = "nb"
) -> PlotResult:
    """Themes wanted by low-competence respondents (lowest third of ``kompetanse``) vs the rest.

    From :func:`analysis.stats.themes.low_competence_needs` (cluster-robust difference). Dodged bars
    of the two shares; the alt text lists the largest differences with their intervals.
    Public output hides a theme when either group has ``min_cell`` or fewer respondents.
    """
    from analysis.stats.themes import low_competence_needs

    check_lang(lang)
    r = low_competence_needs(df, lang=lang)
    low, rest = ("lav kompetanse", "øvrige") if lang == "nb" else ("low competence", "others")
    small = (
        ((r["n_low"] <= min_cell) | (r["n_rest"] <= min_cell)).to_numpy(bool)
        if disclosure == "public"
        else np.zeros(len(r), bool)
    )
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "label": r["label"],
                    "group": low,
                    "n": r["n_low"],
                    "estimate": r["share_low"],
                    "suppressed": small,
                }
            ),
            pd.DataFrame(
                {
                    "label": r["label"],
                    "group": rest,
                    "n": r["n_rest"],
                    "estimate": r["share_rest"],
                    "suppressed": small,
                }
            ),
        ],
        ignore_index=True,
    )
    res = plot_shares(
        long,
        lang=lang,
        label_col="label",
        by_col="group",
        title="ønskede temaer" if lang == "nb" else "themes wanted",
    )
    cut = float(r.attrs.get("cut", np.nan))
    top = (
        r[~small]
        .assign(absd=lambda x: x["diff"].abs())
        .sort_values("absd", ascending=False)
        .head(3)
    )

    def pp(v):
        s = _num(100 * v, lang, 0)
        return s if s.startswith(("−", "-")) else "+" + s

    diffs = "; ".join(
        f"{lab} {pp(d)} ({_num(100 * lo, lang, 0)} {'til' if lang == 'nb' else 'to'} "
        f"{_num(100 * hi, lang, 0)})"
        for lab, d, lo, hi in zip(
            top["label"], top["diff"], top["ci_low"], top["ci_high"], strict=True
        )
    )
    if lang == "nb":
        extra = (
            f" Lav kompetanse: kompetanseskår {_num(cut, lang)} eller lavere (nederste tredjedel). "
            f"Største forskjeller (prosentpoeng, 95 % KI): {diffs}."
        )
        cap = "Ønskede temaer: lav kompetanse mot øvrige"
    else:
        extra = (
            f" Low competence: competence score {_num(cut, lang)} or lower (lowest third). "
            f"Largest differences (percentage points, 95% CI): {diffs}."
        )
        cap = "Themes wanted: low competence vs others"
    return res._replace(alt=res.alt + extra, caption=cap)


def municipality_table(
    df: pd.DataFrame,
    score: str | None = None,
    *,
    disclosure: str = "internal",
    min_cell: int = 5,
    lang: str = "nb",
) -> TableResult | TextResult:
    """Internal only: a score by single municipality (municipal units). Public: a note instead.

    Examples
    --------
    >>> import pandas as pd
    >>> print(municipality_table(pd.DataFrame(), disclosure="public", lang="en").text)
    Results for single municipalities are not published (public disclosure level); see size class and county above.
    """
    check_lang(lang)
    if disclosure != "internal":
        return TextResult(
            "Resultater for enkeltkommuner publiseres ikke (offentlig nivå); se kommunestørrelse "
            "og fylke over."
            if lang == "nb"
            else "Results for single municipalities are not published (public disclosure level); "
            "see size class and county above.",
            lang,
        )
    from analysis.stats.estimates import group_means

    score = score or codebook_for(df).score_for("competence")
    d = _subset(df, "kommunal")
    t = group_means(d, score, "kommune", lang=lang)
    cap = (
        f"{score_label(score, lang)} etter kommune, kommunale enheter (internt)"
        if lang == "nb"
        else f"{score_label(score, lang)} by municipality, municipal units (internal)"
    )
    return estimate_table(t, disclosure="internal", min_cell=min_cell, lang=lang, caption=cap)


def categories_present(df: pd.DataFrame) -> list[str]:
    """Landlord categories present in ``df``, in reporting order."""
    cb = codebook_for(df)
    have = set(df[cb.category_variable].dropna().astype(str))
    return [c for c in cb.categories if c in have]


SIZE_ORDER = SIZE_CLASSES
