"""The sections of the findings report, one call per notebook cell.

``notebooks/06_findings.ipynb`` builds a :class:`ReportContext` with :func:`load_context` and
calls one section function per cell (:func:`title`, :func:`key_findings`, :func:`scores`,
:func:`barriers`, :func:`themes`, :func:`change`, :func:`about`, :func:`provenance`,
:func:`appendix`). Each
displays its output through :mod:`analysis.render.display` in the report's language: all prose comes
from :mod:`analysis.render.i18n`, every number from the data.

Statistics: means and shares with cluster-robust 95 % intervals from
:mod:`analysis.stats.estimates` (the wave's design from its manifest), disclosure control from
:mod:`analysis.stats.disclosure` (``public``: cells from ``min_cell`` or fewer respondents and cells
derivable from them are shown as ``:``; the numbers behind the prose come from the disclosed
tables, so a suppressed group is never quoted), reliability from :mod:`analysis.stats.reliability`.

Headings are ``<h2>``/``<h3>`` with fixed ids (the template's table of contents links to them);
the page's single ``<h1>`` comes from :func:`title`.
"""

from __future__ import annotations

import html as _html
import json
import platform
import re
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.instrument.codebook import SIZE_CLASSES, Codebook, codebook_for
from analysis.instrument.labels import score_range, variable_label
from analysis.io.manifest import Manifest
from analysis.lang import check_lang, number_word
from analysis.paths import project_root, raw_dir
from analysis.render.display import (
    decimal_ticks,
    format_number,
    show_figure,
    show_html,
    show_table,
)
from analysis.render.i18n import category_label, group_label, group_var_label, t
from analysis.stats.disclosure import SUPPRESSED, apply_disclosure

#: Grouping variables of the score tables, in order.
GROUP_VARS: tuple[str, ...] = ("utleierkategori", "storrelse", "fylke")


def score_decimals(score: str, cb: Codebook) -> int:
    """Decimals of a score in tables (prose uses one fewer): 1 on a 0-100 scale, else 2."""
    return 1 if cb.scores[cb._score_id(score)].method == "mean_rescaled" else 2


def score_limits(score: str, cb: Codebook) -> tuple[float, float]:
    """The axis limits of a score, from its rule."""
    lo, hi = score_range(score, codebook=cb).split("–")
    return float(lo), float(hi)


def score_description(score: str, cb: Codebook, lang: str) -> str:
    """What a score is, in one sentence, with its counts taken from the instrument."""
    from analysis.lang import catalogue

    s = cb.scores[score]
    q = cb.question(s.question)
    lo, hi = score_range(score, codebook=cb).split("–")
    values = {
        "n": number_word(len(cb.score_items(score)), lang),
        "max": hi,
        "min": lo,
        "question": q.text(lang),
        "answer": q.scale[s.code](lang) if s.code is not None and q.scale else "",
    }
    key = f"score_desc_{score}"
    if key not in catalogue(lang)["texts"]:
        key = f"score_desc_{s.method}"
    return t(key, lang, **values)


#: Packages whose versions the provenance section lists.
PACKAGES = (
    "analysis",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "svy",
    "matplotlib",
    "pyarrow",
    "pyreadstat",
    "papermill",
    "nbconvert",
)
#: Colours of the figures (dark blue on white: contrast 9:1).
INK = "#1b1b1b"
ACCENT = "#1f4e79"
Z95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975)


# ---------------------------------------------------------------------------------------------
# context
# ---------------------------------------------------------------------------------------------


@dataclass
class WaveData:
    """One ingested wave: scored responses, manifest, quality report and frame."""

    wave: str
    df: pd.DataFrame
    manifest: Manifest
    quality: dict
    frame: pd.DataFrame | None
    version: int
    synthetic: bool = False

    @property
    def design(self) -> str:
        return self.manifest.design or "convenience"


@dataclass
class ReportContext:
    """Everything the sections need; build it with :func:`load_context`."""

    wave: str
    lang: str
    disclosure: str
    min_cell: int
    root: Path
    cur: WaveData
    prev: WaveData | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def compare_with(self) -> str | None:
        return self.prev.wave if self.prev is not None else None


def _load_wave(wave: str, root: Path) -> WaveData:
    from analysis.clean.ingest import load_manifest, load_processed, load_quality, load_wave_frame
    from analysis.stats.scoring import add_scores

    df = load_processed(wave, root=root)
    quality = load_quality(wave, root=root)
    manifest = load_manifest(wave, root=root)
    version = int(manifest.instrument_version)
    frame = load_wave_frame(wave, root=root)
    synthetic = False
    truth = raw_dir(wave, root) / "ground_truth.json"
    if truth.is_file():
        try:
            synthetic = bool(json.loads(truth.read_text(encoding="utf-8")).get("synthetic", False))
        except (json.JSONDecodeError, UnicodeDecodeError):
            synthetic = False
    return WaveData(
        wave=wave,
        df=add_scores(df, version=version),
        manifest=manifest,
        quality=quality,
        frame=frame,
        version=version,
        synthetic=synthetic,
    )


def load_context(
    wave: str,
    *,
    compare_with: str | None = None,
    lang: str = "nb",
    disclosure: str = "public",
    min_cell: int = 5,
    data_root: str | Path | None = None,
) -> ReportContext:
    """Load a wave (and the wave to compare with) for the report sections.

    Parameters
    ----------
    wave : str
        An ingested wave.
    compare_with : str, optional
        An earlier ingested wave; None: the change section says there is none.
    lang : {"nb", "en"}
    disclosure : {"public", "internal"}
    min_cell : int
        Cells from ``min_cell`` or fewer respondents are suppressed in public output.
    data_root : str or Path, optional
        Project root (relative paths are taken from the working directory); default
        :func:`analysis.paths.project_root`.
    """
    check_lang(lang)
    if disclosure not in ("public", "internal"):
        raise ValueError(f"disclosure must be 'public' or 'internal', not {disclosure!r}")
    root = Path(data_root).resolve() if data_root is not None else project_root()
    cur = _load_wave(wave, root)
    prev = _load_wave(compare_with, root) if compare_with else None
    return ReportContext(
        wave=wave,
        lang=lang,
        disclosure=disclosure,
        min_cell=int(min_cell),
        root=root,
        cur=cur,
        prev=prev,
    )


# ---------------------------------------------------------------------------------------------
# statistics (cached per context)
# ---------------------------------------------------------------------------------------------


#: Value columns of estimate tables (blanked in suppressed rows); labels are kept.
ESTIMATE_VALUES = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "deff",
    "n_clusters",
    "n_dont_know",
    "share_dont_know",
    "count",
)


def _disclose(ctx: ReportContext, table: pd.DataFrame) -> pd.DataFrame:
    values = [c for c in ESTIMATE_VALUES if c in table.columns]
    return apply_disclosure(
        table,
        level=ctx.disclosure,
        min_n=ctx.min_cell,
        lang=ctx.lang,
        group_cols=["variable"],
        value_cols=values,
    )


def score_table(
    ctx: ReportContext, *, wave: WaveData | None = None, by: tuple[str, ...] = GROUP_VARS
) -> pd.DataFrame:
    """Disclosed :func:`analysis.stats.estimates.group_means` of the five scores by ``by``."""
    from analysis.stats.estimates import group_means

    wd = wave or ctx.cur
    key = ("scores", wd.wave, by)
    if key not in ctx._cache:
        by_present = [b for b in by if b in wd.df.columns]
        raw = group_means(
            wd.df,
            list(codebook_for(wd.df).scores),
            by_present,
            design=wd.design,
            frame=wd.frame,
            lang=ctx.lang,
        )
        ctx._cache[key] = _disclose(ctx, raw)
    return ctx._cache[key]


def share_table(
    ctx: ReportContext,
    items: list[str],
    *,
    success=(1,),
    by: str | None = "utleierkategori",
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Disclosed :func:`analysis.stats.estimates.group_proportions` of single or matrix items."""
    from analysis.stats.estimates import group_proportions

    df = ctx.cur.df if data is None else data
    raw = group_proportions(
        df,
        items,
        by,
        success=tuple(success),
        design=ctx.cur.design,
        frame=ctx.cur.frame,
        lang=ctx.lang,
    )
    return _disclose(ctx, raw)


def checkbox_table(
    ctx: ReportContext, question: str, *, by: str | None = "utleierkategori"
) -> pd.DataFrame:
    """Disclosed :func:`analysis.stats.themes.checkbox_shares` of a checkbox question (cached)."""
    from analysis.stats.themes import checkbox_shares

    key = ("checkbox", question, by)
    if key not in ctx._cache:
        raw = checkbox_shares(
            ctx.cur.df, question, by=by, lang=ctx.lang, design=ctx.cur.design, frame=ctx.cur.frame
        )
        ctx._cache[key] = _disclose(ctx, raw)
    return ctx._cache[key]


def _participation_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``niva_paavirker``: 1 when the highest rung in use is 3 (influence) or higher."""
    out = df.copy()
    m = pd.to_numeric(out["niva_maks"], errors="coerce")
    out["niva_paavirker"] = pd.array(
        np.where(m.isna(), pd.NA, (m >= 3).astype("Int8")), dtype="Int8"
    )
    return out


# ---------------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------------


def _esc(text) -> str:
    return _html.escape(str(text), quote=True)


def _ok(v) -> bool:
    return (
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float | np.floating) and np.isnan(v))
    )


def fmt_num(ctx: ReportContext, x, decimals: int = 0) -> str:
    return format_number(float(x), lang=ctx.lang, decimals=decimals)


def fmt_ci(ctx: ReportContext, lo, hi, decimals: int = 0, *, with_label: bool = True) -> str:
    """``95 % KI 43 til 53`` (nb) / ``95% CI 43 to 53`` (en): one way for every interval."""
    if not (_ok(lo) and _ok(hi)):
        return t("unknown", ctx.lang)
    low, high = fmt_num(ctx, lo, decimals), fmt_num(ctx, hi, decimals)
    return t("ci" if with_label else "range", ctx.lang, low=low, high=high)


def fmt_pct(ctx: ReportContext, p, decimals: int = 0) -> str:
    return t("percent", ctx.lang, x=fmt_num(ctx, 100 * float(p), decimals))


def _heading(level: int, hid: str, text: str) -> str:
    return f'<h{level} id="{_esc(hid)}">{_esc(text)}</h{level}>'


def _para(text: str, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f"<p{c}>{_esc(text)}</p>"


def _score_label(score: str, lang: str) -> str:
    return variable_label(score, lang)


def _item_label(column: str, lang: str) -> str:
    from analysis.render.plots import item_label

    return item_label(column, lang)


def _display_rows(
    table: pd.DataFrame, ctx: ReportContext, *, decimals: int, percent: bool = False
) -> pd.DataFrame:
    """Group table -> display table: Breakdown | Group | n | Mean/Share | 95 % CI (suppressed as ':')."""
    scale = 100.0 if percent else 1.0
    rows = []
    for r in table.itertuples(index=False):
        sup = bool(getattr(r, "suppressed", False))
        est = r.estimate
        rows.append(
            {
                t("col_group_var", ctx.lang): group_var_label(r.group_var, ctx.lang),
                t("col_group", ctx.lang): group_label(r.group_var, r.group, ctx.lang),
                "n": SUPPRESSED if sup else (int(r.n) if _ok(r.n) else None),
                t("col_share" if percent else "col_mean", ctx.lang): SUPPRESSED
                if sup
                else (round(float(est) * scale, decimals) if _ok(est) else None),
                t("ci_column", ctx.lang): SUPPRESSED
                if sup
                else (
                    fmt_ci(ctx, r.ci_low * scale, r.ci_high * scale, decimals, with_label=False)
                    if _ok(r.ci_low) and _ok(r.ci_high)
                    else None
                ),
            }
        )
    return pd.DataFrame(rows)


def _note(table: pd.DataFrame) -> str | None:
    return table.attrs.get("note")


# ---------------------------------------------------------------------------------------------
# figures (matplotlib Figure objects, never pyplot: nothing is shown by accident)
# ---------------------------------------------------------------------------------------------


def _rc():
    import matplotlib

    return matplotlib.rc_context(
        {
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "svg.hashsalt": "analysis",
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
        }
    )


def dot_figure(
    labels: list[str],
    est,
    lo,
    hi,
    *,
    xlabel: str,
    xlim: tuple[float, float],
    separators: list[int] | None = None,
    lang: str = "nb",
):
    """Horizontal dot plot with interval whiskers (top row first)."""
    from matplotlib.figure import Figure

    with _rc():
        n = len(labels)
        fig = Figure(figsize=(7.0, 0.42 * n + 1.0))
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        est, lo, hi = (np.asarray(v, dtype=float) for v in (est, lo, hi))
        has = ~np.isnan(lo) & ~np.isnan(hi)
        ax.hlines(y[has], lo[has], hi[has], color=ACCENT, linewidth=2)
        ax.plot(est, y, "o", color=ACCENT, markersize=6)
        for s in separators or []:
            ax.axhline(n - s - 0.5, color="#8a8a8a", linewidth=0.8)
        ax.set_yticks(y, labels)
        ax.set_xlim(*xlim)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlabel(xlabel)
        decimal_ticks(ax, lang)
        ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
    return fig


def bar_figure(labels: list[str], share, lo, hi, *, xlabel: str, lang: str = "nb"):
    """Horizontal bars of shares (0–1, shown in %) with interval whiskers, top row first."""
    from matplotlib.figure import Figure

    with _rc():
        n = len(labels)
        fig = Figure(figsize=(7.0, 0.42 * n + 1.0))
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        share, lo, hi = (100 * np.asarray(v, dtype=float) for v in (share, lo, hi))
        ax.barh(y, share, color=ACCENT, height=0.6)
        has = ~np.isnan(lo) & ~np.isnan(hi)
        ax.errorbar(
            share[has],
            y[has],
            xerr=[share[has] - lo[has], hi[has] - share[has]],
            fmt="none",
            ecolor=INK,
            elinewidth=1.2,
            capsize=3,
        )
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 100)
        ax.set_xlabel(xlabel)
        decimal_ticks(ax, lang)
        ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
    return fig


def change_figure(labels: list[str], diff, lo, hi, *, units: list[str], lang: str = "nb"):
    """One small panel per measure: the change since the earlier wave with its interval, on the
    measure's own scale, and a line at zero (no change)."""
    from matplotlib.figure import Figure

    with _rc():
        n = len(labels)
        fig = Figure(figsize=(7.0, 0.95 * n + 0.4))
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        for ax, lab, d, a, b, unit in zip(axes, labels, diff, lo, hi, units, strict=True):
            span = max(abs(float(a)), abs(float(b)), abs(float(d))) * 1.25 or 1.0
            ax.axvline(0, color="#8a8a8a", linewidth=1)
            ax.hlines([0], [a], [b], color=ACCENT, linewidth=2)
            ax.plot([d], [0], "o", color=ACCENT, markersize=6)
            ax.set_xlim(-span, span)
            ax.set_yticks([0], [lab])
            ax.set_xlabel(unit, fontsize=8, labelpad=1)
            ax.tick_params(axis="x", labelsize=8)
            decimal_ticks(ax, lang)
            ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
            ax.set_axisbelow(True)
            for side in ("top", "right", "left"):
                ax.spines[side].set_visible(False)
        fig.tight_layout(h_pad=0.6)
    return fig


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------


def title(ctx: ReportContext) -> None:
    """The page's one ``<h1>`` and the lead paragraph."""
    lang = ctx.lang
    parts = [
        f'<h1 id="top">{_esc(t("report_title", lang, wave=ctx.wave))}</h1>',
        _para(t("lead", lang, n=fmt_num(ctx, len(ctx.cur.df))), "lead"),
    ]
    if ctx.cur.synthetic:
        parts.append(_para(t("synthetic_note", lang), "meta"))
    show_html("".join(parts))


def _category_scores(ctx: ReportContext, table: pd.DataFrame, score: str) -> pd.DataFrame:
    rows = table[(table["variable"] == score) & (table["group_var"] == "utleierkategori")]
    return rows[~rows["suppressed"] & rows["estimate"].notna()]


def _total_row(table: pd.DataFrame, variable: str):
    rows = table[(table["variable"] == variable) & (table["group_var"] == "total")]
    if rows.empty or bool(rows["suppressed"].iloc[0]) or not _ok(rows["estimate"].iloc[0]):
        return None
    return rows.iloc[0]


def group_gaps(ctx: ReportContext) -> pd.DataFrame:
    """:func:`analysis.stats.models.group_differences` of every score between every pair of
    groups of :data:`GROUP_VARS`, Holm-adjusted within each grouping (cached).

    Design weights are used when the wave's design has them. In public output a pair is dropped
    when either group is suppressed in the score table, so a hidden group is never quoted.
    """
    from analysis.stats.models import group_differences

    key = ("gaps",)
    if key in ctx._cache:
        return ctx._cache[key]
    df = ctx.cur.df
    cb = codebook_for(df)
    by = [g for g in GROUP_VARS if g in df.columns]
    weights = None
    if ctx.cur.design != "convenience" and ctx.cur.frame is not None:
        from analysis.stats.estimates import estimate_design

        weights = estimate_design(df, design=ctx.cur.design, frame=ctx.cur.frame)[
            "design_weight"
        ].to_numpy(dtype="float64")
    gaps = group_differences(df, list(cb.scores), by, weights=weights, family="group_var")
    table = score_table(ctx)
    hidden = set(
        map(tuple, table.loc[table["suppressed"], ["variable", "group_var", "group"]].to_numpy())
    )
    keep = [
        (r.variable, r.group_var, r.a) not in hidden
        and (r.variable, r.group_var, r.b) not in hidden
        for r in gaps.itertuples()
    ]
    out = gaps[keep].reset_index(drop=True)
    out.attrs = gaps.attrs
    ctx._cache[key] = out
    return out


def _join(items: list[str], lang: str) -> str:
    """«a, b og c» / "a, b and c"."""
    word = " og " if lang == "nb" else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def _who(ctx: ReportContext, group_var: str, group: str) -> str:
    """The respondents of a group as the subject of a sentence («kommersielle utleiere»)."""
    lang = ctx.lang
    if group_var == "utleierkategori":
        return category_label(group, lang, plural=True).lower()
    label = group_label(group_var, group, lang)
    if group_var == "storrelse":
        label = label[:1].lower() + label[1:]
    return t(f"kf_who_{group_var}", lang, label=label)


def _level(ctx: ReportContext, score: str, group_var: str, group: str):
    """The score-table row of one group (design-based mean and interval)."""
    table = score_table(ctx)
    r = table[
        (table["variable"] == score) & (table["group_var"] == group_var) & (table["group"] == group)
    ]
    return None if r.empty else r.iloc[0]


def _gap_finding(ctx: ReportContext, group_var: str) -> str | None:
    """The largest difference by ``group_var`` that holds after adjustment, in plain words.

    The competence score comes first (the survey's subject): its largest holding difference is
    named when there is one, else the largest holding difference of any score relative to its
    scale. Other scores where the same two groups differ the same way are named after it.
    """
    lang = ctx.lang
    cb = codebook_for(ctx.cur.df)
    gaps = group_gaps(ctx)
    gaps = gaps[(gaps["group_var"] == group_var) & gaps["diff"].notna()]
    if gaps.empty:
        return None
    gv_name = t(f"gv_{group_var}", lang).lower()
    held = gaps[gaps["holds"]]
    if held.empty:
        return t("kf_gap_none", lang, group_var=gv_name)
    primary = cb.score_for("competence") if cb.role("competence") else None
    rel = held.assign(
        rel=[
            abs(d) / np.subtract(*score_limits(v, cb)[::-1])
            for v, d in zip(held["variable"], held["diff"], strict=True)
        ]
    )
    pick = rel[rel["variable"] == primary] if primary in set(rel["variable"]) else rel
    best = pick.loc[pick["rel"].idxmax()]
    score, a, b = best["variable"], best["a"], best["b"]
    low_g, high_g = (a, b) if best["diff"] < 0 else (b, a)
    low, high = _level(ctx, score, group_var, low_g), _level(ctx, score, group_var, high_g)
    if low is None or high is None:
        return None
    dec = score_decimals(score, cb) - 1
    lo_lim, hi_lim = score_limits(score, cb)
    same = held[
        (held["variable"] != score)
        & (held["a"] == a)
        & (held["b"] == b)
        & (np.sign(held["diff"]) == np.sign(best["diff"]))
    ]
    also = ""
    if len(same):
        names = [_score_label(v, lang).lower() for v in same["variable"]]
        also = " " + t("kf_gap_also", lang, scores=_join(names, lang))
    return t(
        "kf_gap",
        lang,
        group_var=gv_name,
        low_group=_who(ctx, group_var, low_g),
        high_group=_who(ctx, group_var, high_g),
        score=_score_label(score, lang).lower(),
        low=fmt_num(ctx, low["estimate"], dec),
        low_ci=fmt_ci(ctx, low["ci_low"], low["ci_high"], dec),
        high=fmt_num(ctx, high["estimate"], dec),
        high_ci=fmt_ci(ctx, high["ci_low"], high["ci_high"], dec),
        min=fmt_num(ctx, lo_lim),
        max=fmt_num(ctx, hi_lim),
        also=also,
    )


def _high_codes(q) -> tuple[int, ...]:
    """The two highest substantive codes of a scale question (e.g. 4 and 5 of 1-5)."""
    return tuple(q.substantive_codes[-2:])


def _competence_items_finding(ctx: ReportContext) -> str | None:
    """Which competences are weakest and strongest, item by item (share answering the two
    highest answers)."""
    cb = codebook_for(ctx.cur.df)
    if cb.role("competence") is None:
        return None
    q = cb.question(cb.question_for("competence"))
    items = [c for c in q.columns if c in ctx.cur.df.columns]
    tab = share_table(ctx, items, success=_high_codes(q), by=None)
    tab = tab[(tab["group_var"] == "total") & ~tab["suppressed"] & tab["estimate"].notna()]
    if len(tab) < 3:
        return None
    tab = tab.sort_values("estimate", kind="stable")
    w1, w2, top = tab.iloc[0], tab.iloc[1], tab.iloc[-1]

    def ci(r):
        return fmt_ci(ctx, 100 * r["ci_low"], 100 * r["ci_high"])

    return t(
        "kf_competence_items",
        ctx.lang,
        item1=_item_label(w1["variable"], ctx.lang),
        share1=fmt_pct(ctx, w1["estimate"]),
        ci1=ci(w1),
        item2=_item_label(w2["variable"], ctx.lang),
        share2=fmt_pct(ctx, w2["estimate"]),
        ci2=ci(w2),
        best=_item_label(top["variable"], ctx.lang),
        best_share=fmt_pct(ctx, top["estimate"]),
        best_ci=ci(top),
    )


#: The rung of the participation ladder from which tenants influence the decision.
INFLUENCE_RUNG = 3


def area_participation(ctx: ReportContext) -> pd.DataFrame:
    """Per area of the participation-level question: the share at rung 3 or higher
    (influence or more), "ikke aktuelt" left out; disclosed total rows, highest first."""
    cb = codebook_for(ctx.cur.df)
    q = cb.question(cb.question_for("participation_level"))
    items = [c for c in q.columns if c in ctx.cur.df.columns]
    success = tuple(c for c in q.substantive_codes if c >= INFLUENCE_RUNG)
    tab = share_table(ctx, items, success=success, by=None)
    tab = tab[tab["group_var"] == "total"].copy()
    tab["_s"] = tab["estimate"].astype(float).fillna(-1)
    return tab.sort_values(["suppressed", "_s"], ascending=[True, False]).drop(columns="_s")


def _area_finding(ctx: ReportContext) -> str | None:
    """Where tenants most and least often influence decisions."""
    cb = codebook_for(ctx.cur.df)
    if cb.role("participation_level") is None:
        return None
    tab = area_participation(ctx)
    tab = tab[~tab["suppressed"] & tab["estimate"].notna()]
    if len(tab) < 2:
        return None
    hi, lo = tab.iloc[0], tab.iloc[-1]

    def label(r):
        text = _item_label(r["variable"], ctx.lang)
        return text[:1].lower() + text[1:]

    return t(
        "kf_areas",
        ctx.lang,
        best=label(hi),
        best_share=fmt_pct(ctx, hi["estimate"]),
        best_ci=fmt_ci(ctx, 100 * hi["ci_low"], 100 * hi["ci_high"]),
        worst=label(lo),
        worst_share=fmt_pct(ctx, lo["estimate"]),
        worst_ci=fmt_ci(ctx, 100 * lo["ci_low"], 100 * lo["ci_high"]),
    )


def _participation_finding(ctx: ReportContext) -> str | None:
    tab = share_table(ctx, ["niva_paavirker"], by=None, data=_participation_frame(ctx.cur.df))
    r = _total_row(tab, "niva_paavirker")
    if r is None:
        return None
    return t(
        "kf_participation",
        ctx.lang,
        share=fmt_pct(ctx, r["estimate"]),
        ci=fmt_ci(ctx, 100 * r["ci_low"], 100 * r["ci_high"]),
    )


def _resources_finding(ctx: ReportContext) -> str | None:
    total = _total_row(score_table(ctx), "forutsetninger")
    cb = codebook_for(ctx.cur.df)
    items = list(cb.question(cb.question_for("prerequisites")).columns)
    shares = share_table(ctx, items, by=None)
    shares = shares[
        (shares["group_var"] == "total") & ~shares["suppressed"] & shares["estimate"].notna()
    ]
    if total is None or shares.empty:
        return None
    least = shares.loc[shares["estimate"].idxmin()]
    return t(
        "kf_resources",
        ctx.lang,
        mean=fmt_num(ctx, total["estimate"], 1),
        ci=fmt_ci(ctx, total["ci_low"], total["ci_high"], 1),
        item=_item_label(least["variable"], ctx.lang),
        share=fmt_pct(ctx, least["estimate"]),
        item_ci=fmt_ci(ctx, 100 * least["ci_low"], 100 * least["ci_high"]),
    )


def barrier_shares(ctx: ReportContext) -> pd.DataFrame:
    """Disclosed shares naming each barrier, total and by category."""
    cb = codebook_for(ctx.cur.df)
    return checkbox_table(ctx, cb.question_for("barriers"))


def theme_priority(ctx: ReportContext) -> pd.DataFrame:
    """Seminar themes in priority order.

    The order is :func:`analysis.stats.themes.theme_ranking` (share wanting the theme, with
    cluster-bootstrap intervals of the rank; seed fixed), ties broken by the share naming the
    theme the most important (:func:`analysis.stats.themes.most_important`), then questionnaire order.
    Shares and their intervals shown are the design-based ones of
    :func:`analysis.stats.themes.theme_shares`, disclosed. Columns ``rank, variable, theme, n, share,
    ci_low, ci_high, suppressed, rank_low, rank_high, n_important, important,
    important_ci_low, important_ci_high, important_suppressed``.
    """
    from analysis.stats.themes import most_important, theme_ranking

    key = ("themes",)
    if key in ctx._cache:
        return ctx._cache[key]
    cb = codebook_for(ctx.cur.df)
    themes = cb.question_for("themes")
    cols = list(cb.question(themes).columns)
    wants = checkbox_table(ctx, themes, by=None)
    wants = wants[wants["group_var"] == "total"].set_index("variable")
    imp = _disclose(
        ctx, most_important(ctx.cur.df, lang=ctx.lang, design=ctx.cur.design, frame=ctx.cur.frame)
    )
    imp = imp[imp["group_var"] == "total"].set_index("theme")
    ranking = theme_ranking(ctx.cur.df, lang=ctx.lang).set_index("variable")
    rows = []
    for k, col in enumerate(cols, start=1):
        w, i, r = wants.loc[col], imp.loc[col], ranking.loc[col]
        rows.append(
            {
                "variable": col,
                "theme": cb.label(col, ctx.lang),
                "order": k,
                "boot_rank": float(r["rank"]),
                "rank_low": float(r["rank_low"]),
                "rank_high": float(r["rank_high"]),
                "n": w["n"],
                "share": w["estimate"],
                "ci_low": w["ci_low"],
                "ci_high": w["ci_high"],
                "suppressed": bool(w["suppressed"]),
                "n_important": i["n"],
                "important": i["estimate"],
                "important_ci_low": i["ci_low"],
                "important_ci_high": i["ci_high"],
                "important_suppressed": bool(i["suppressed"]),
            }
        )
    out = pd.DataFrame(rows)
    out["_i"] = out["important"].astype(float).fillna(-1)
    out = out.sort_values(
        ["suppressed", "boot_rank", "_i", "order"], ascending=[True, True, False, True]
    )
    out = out.drop(columns=["_i"]).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    ctx._cache[key] = out
    return out


def _barrier_finding(ctx: ReportContext) -> str | None:
    tab = barrier_shares(ctx)
    tot = tab[(tab["group_var"] == "total") & ~tab["suppressed"] & tab["estimate"].notna()]
    if tot.empty:
        return None
    top = tot.loc[tot["estimate"].idxmax()]
    return t(
        "kf_barrier",
        ctx.lang,
        item=_item_label(top["variable"], ctx.lang),
        share=fmt_pct(ctx, top["estimate"]),
        ci=fmt_ci(ctx, 100 * top["ci_low"], 100 * top["ci_high"]),
    )


def _theme_finding(ctx: ReportContext) -> str | None:
    pr = theme_priority(ctx)
    shown = pr[~pr["suppressed"] & pr["share"].notna()]
    if shown.empty:
        return None
    top = shown.iloc[0]
    imp = pr[~pr["important_suppressed"] & pr["important"].notna()]
    important = ""
    if not imp.empty:
        best = imp.loc[imp["important"].astype(float).idxmax()]
        important = t(
            "kf_theme_important",
            ctx.lang,
            item=best["theme"],
            share=fmt_pct(ctx, best["important"]),
            ci=fmt_ci(ctx, 100 * best["important_ci_low"], 100 * best["important_ci_high"]),
        )
    return t(
        "kf_theme",
        ctx.lang,
        item=top["theme"],
        share=fmt_pct(ctx, top["share"]),
        ci=fmt_ci(ctx, 100 * top["ci_low"], 100 * top["ci_high"]),
        top_important=important,
    ).strip()


def score_change(ctx: ReportContext) -> pd.DataFrame | None:
    """:func:`analysis.stats.compare.compare_waves` (compare wave -> this wave) of the scores by
    landlord category and of the item shares, with disclosure applied.

    A row is ``suppressed`` when its cell is suppressed in either wave's disclosed table (scores)
    or rests on ``min_cell`` or fewer answers in either wave (item shares, total rows only);
    suppressed rows have NA numbers. None when there is no compare wave.
    """
    from analysis.stats.compare import compare_waves

    if ctx.prev is None:
        return None
    key = ("change",)
    if key in ctx._cache:
        return ctx._cache[key]
    by = ("utleierkategori",)
    res = compare_waves(
        ctx.prev.df,
        ctx.cur.df,
        scores=list(
            dict.fromkeys([*codebook_for(ctx.prev.df).scores, *codebook_for(ctx.cur.df).scores])
        ),
        items=[],
        by="utleierkategori",
        lang=ctx.lang,
        wave_a=ctx.prev.wave,
        wave_b=ctx.wave,
    )
    items = compare_waves(
        ctx.prev.df,
        ctx.cur.df,
        scores=[],
        items=None,
        by=None,
        lang=ctx.lang,
        wave_a=ctx.prev.wave,
        wave_b=ctx.wave,
    )
    sup_cur = score_table(ctx, by=by).set_index(["variable", "group_var", "group"])["suppressed"]
    sup_prev = score_table(ctx, wave=ctx.prev, by=by).set_index(["variable", "group_var", "group"])[
        "suppressed"
    ]
    public = ctx.disclosure == "public"

    def score_sup(r) -> bool:
        k = (r.variable, r.group_var, r.group)
        return bool(sup_cur.get(k, True)) or bool(sup_prev.get(k, True))

    def small(n) -> bool:
        return public and (not _ok(n) or int(n) <= ctx.min_cell)

    res["suppressed"] = [public and score_sup(r) for r in res.itertuples()]
    items["suppressed"] = [
        (small(r.n_a) and r.comparable) or small(r.n_b) for r in items.itertuples()
    ]
    out = pd.concat([res, items], ignore_index=True)
    values = [
        "n_a",
        "estimate_a",
        "se_a",
        "n_b",
        "estimate_b",
        "se_b",
        "diff",
        "se",
        "df",
        "ci_low",
        "ci_high",
        "p",
    ]
    mask = out["suppressed"].to_numpy(bool)
    for c in values:
        col = out[c]
        if pd.api.types.is_integer_dtype(col.dtype):
            col = col.astype("Int64")
        out[c] = col.mask(mask)
    ctx._cache[key] = out
    return out


def _change_finding(ctx: ReportContext) -> str | None:
    ch = score_change(ctx)
    if ch is None:
        return None
    r = ch[
        (ch["kind"] == "score") & (ch["variable"] == "kompetanse") & (ch["group_var"] == "total")
    ]
    if r.empty or not _ok(r["diff"].iloc[0]) or not bool(r["comparable"].iloc[0]):
        return None
    r = r.iloc[0]
    if _ok(r["ci_low"]) and r["ci_low"] > 0:
        key = "kf_change_up"
    elif _ok(r["ci_high"]) and r["ci_high"] < 0:
        key = "kf_change_down"
    else:
        key = "kf_change_none"
    # the intervals of each wave's level come from the (design-based) score tables
    lv_prev = _total_row(score_table(ctx, wave=ctx.prev), "kompetanse")
    lv_cur = _total_row(score_table(ctx), "kompetanse")
    if lv_prev is None or lv_cur is None:
        return None
    return t(
        key,
        ctx.lang,
        prev=ctx.prev.wave,
        before=fmt_num(ctx, r["estimate_a"]),
        before_ci=fmt_ci(ctx, lv_prev["ci_low"], lv_prev["ci_high"]),
        after=fmt_num(ctx, r["estimate_b"]),
        after_ci=fmt_ci(ctx, lv_cur["ci_low"], lv_cur["ci_high"]),
        diff=fmt_num(ctx, r["diff"], 1),
        diff_ci=fmt_ci(ctx, r["ci_low"], r["ci_high"], 1),
    )


def key_findings_list(ctx: ReportContext) -> list[str]:
    """The key-finding sentences, each with its number and uncertainty."""
    out = []
    for group_var in GROUP_VARS:
        s = _gap_finding(ctx, group_var)
        if s:
            out.append(s)
    for f in (
        _competence_items_finding,
        _participation_finding,
        _area_finding,
        _resources_finding,
        _barrier_finding,
        _theme_finding,
        _change_finding,
    ):
        s = f(ctx)
        if s:
            out.append(s)
    return out


def key_findings(ctx: ReportContext) -> None:
    """Key findings first, in plain language, each with its number and interval."""

    lang = ctx.lang
    items = "".join(f"<li>{_esc(s)}</li>" for s in key_findings_list(ctx))
    parts = [
        _heading(2, "key-findings", t("h_key_findings", lang)),
        _para(t("key_intro", lang)),
        f'<ul class="key-findings">{items}</ul>',
    ]
    if ctx.cur.design == "convenience":
        parts.append(_para(t("kf_caveat", lang)))
    show_html("".join(parts))


def scores(ctx: ReportContext) -> None:
    """Each score by landlord category, municipality size and county: figure and table."""
    lang = ctx.lang
    show_html(_heading(2, "scores", t("h_scores", lang)) + _para(t("scores_intro", lang)))
    table = score_table(ctx)
    cb = codebook_for(ctx.cur.df)
    for score in cb.scores:
        label = _score_label(score, lang)
        dec = score_decimals(score, cb)
        scale = t("scale_range", lang, range=score_range(score, codebook=cb))
        low = low_alpha(ctx, score)
        flag = (
            _para(t("alpha_low_score", lang, alpha=fmt_num(ctx, low, 2)), "note")
            if low is not None
            else ""
        )
        show_html(
            _heading(3, f"score-{score}", label) + _para(score_description(score, cb, lang)) + flag
        )
        part = table[table["variable"] == score]
        fig_rows = part[part["group_var"].isin(["total", "utleierkategori", "storrelse"])]
        shown = fig_rows[~fig_rows["suppressed"] & fig_rows["estimate"].notna()]
        hidden = fig_rows[fig_rows["suppressed"]]
        labels = [
            group_label(g, v, lang) for g, v in zip(shown["group_var"], shown["group"], strict=True)
        ]
        seps = [
            i
            for i in range(1, len(shown))
            if shown["group_var"].iloc[i] != shown["group_var"].iloc[i - 1]
        ]
        if len(shown):
            fig = dot_figure(
                labels,
                shown["estimate"],
                shown["ci_low"],
                shown["ci_high"],
                xlabel=f"{label} ({scale})",
                xlim=score_limits(score, cb),
                separators=seps,
                lang=lang,
            )
            values = "; ".join(
                f"{lab}: {fmt_num(ctx, e, dec - 1)} ({fmt_ci(ctx, lo, hi, dec - 1, with_label=False)})"
                for lab, e, lo, hi in zip(
                    labels, shown["estimate"], shown["ci_low"], shown["ci_high"], strict=True
                )
            )
            hid = ""
            if len(hidden):
                hid = t(
                    "alt_hidden",
                    lang,
                    groups=", ".join(
                        group_label(g, v, lang)
                        for g, v in zip(hidden["group_var"], hidden["group"], strict=True)
                    ),
                )
            alt = t(
                "alt_dot", lang, what=label.lower(), scale=scale, values=values + ".", hidden=hid
            )
            data = _display_rows(fig_rows, ctx, decimals=dec)
            show_figure(
                fig,
                alt=alt,
                caption=t("score_caption_fig", lang, score=label),
                data=data,
                lang=lang,
                decimals=dec,
            )
        show_table(
            _display_rows(part, ctx, decimals=dec),
            caption=t("score_caption_table", lang, score=label, scale=scale),
            lang=lang,
            note=_note(table),
            decimals=dec,
            row_headers=2,
        )
        if cb.role("participation_level") and score == cb.score_for("participation_level"):
            _area_figure(ctx)


def _area_figure(ctx: ReportContext) -> None:
    """Share of landlords whose tenants influence decisions (rung 3 or higher) in each area."""
    tab = area_participation(ctx)
    _share_figure(
        ctx,
        tab[~tab["suppressed"] & tab["estimate"].notna()],
        first_col="col_area",
        what="areas_what",
        caption="areas_caption_fig",
    )


def _share_figure(
    ctx: ReportContext, shown: pd.DataFrame, *, first_col: str, what: str, caption: str
) -> None:
    """Horizontal bars of the shown (unsuppressed) total shares of items, in their order, with
    intervals, an alt text listing every bar and the numbers behind the figure."""
    lang = ctx.lang
    if shown.empty:
        return
    labels = [_item_label(v, lang) for v in shown["variable"]]
    values = "; ".join(
        f"{lab} {fmt_pct(ctx, e)} ({fmt_ci(ctx, 100 * lo, 100 * hi, with_label=False)})"
        for lab, e, lo, hi in zip(
            labels, shown["estimate"], shown["ci_low"], shown["ci_high"], strict=True
        )
    )
    data = pd.DataFrame(
        {
            t(first_col, lang): labels,
            "n": shown["n"].astype(int).tolist(),
            t("col_share", lang): (100 * shown["estimate"].astype(float)).round(1).tolist(),
            t("ci_column", lang): [
                fmt_ci(ctx, 100 * lo, 100 * hi, 1, with_label=False)
                for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
            ],
        }
    )
    fig = bar_figure(
        labels,
        shown["estimate"],
        shown["ci_low"],
        shown["ci_high"],
        xlabel=t("col_share", lang),
        lang=lang,
    )
    show_figure(
        fig,
        alt=t("alt_bar", lang, what=t(what, lang), values=values),
        caption=t(caption, lang),
        data=data,
        lang=lang,
        decimals=1,
    )


def _wide_shares(
    ctx: ReportContext, tab: pd.DataFrame, order: list[str], first_col: str
) -> pd.DataFrame:
    """Rows = items in ``order``, columns = All (+ CI) and each category; last row n."""
    lang = ctx.lang
    cats = codebook_for(ctx.cur.df).categories
    groups = [("total", t("all", lang))] + [("utleierkategori", c) for c in cats]
    rows = []
    for var in order:
        sub = tab[tab["variable"] == var]
        row = {first_col: _item_label(var, lang)}
        for gv, g in groups:
            r = sub[(sub["group_var"] == gv) & (sub["group"] == g)]
            name = t("all", lang) if gv == "total" else category_label(g, lang)
            if r.empty:
                row[name] = None
            elif bool(r["suppressed"].iloc[0]):
                row[name] = SUPPRESSED
            else:
                row[name] = (
                    round(100 * float(r["estimate"].iloc[0]), 1)
                    if _ok(r["estimate"].iloc[0])
                    else None
                )
            if gv == "total":
                row[t("ci_column", lang)] = (
                    SUPPRESSED
                    if not r.empty and bool(r["suppressed"].iloc[0])
                    else fmt_ci(
                        ctx,
                        100 * r["ci_low"].iloc[0],
                        100 * r["ci_high"].iloc[0],
                        1,
                        with_label=False,
                    )
                    if not r.empty and _ok(r["ci_low"].iloc[0])
                    else None
                )
        rows.append(row)
    nrow = {first_col: "n"}
    sub = tab[tab["variable"] == order[0]] if order else tab.iloc[0:0]
    for gv, g in groups:
        r = sub[(sub["group_var"] == gv) & (sub["group"] == g)]
        name = t("all", lang) if gv == "total" else category_label(g, lang)
        nrow[name] = (
            None
            if r.empty
            else SUPPRESSED
            if bool(r["suppressed"].iloc[0])
            else int(r["n"].iloc[0])
        )
        if gv == "total":
            nrow[t("ci_column", lang)] = ""
    rows.append(nrow)
    return pd.DataFrame(rows, dtype=object)


def barriers(ctx: ReportContext) -> None:
    """Barriers to participation: share naming each, total (figure) and by category (table)."""
    lang = ctx.lang
    show_html(_heading(2, "barriers", t("h_barriers", lang)) + _para(t("barriers_intro", lang)))
    tab = barrier_shares(ctx)
    tot = tab[tab["group_var"] == "total"].copy()
    tot["_s"] = tot["estimate"].astype(float).fillna(-1)
    tot = tot.sort_values(["suppressed", "_s"], ascending=[True, False], kind="stable")
    order = tot["variable"].tolist()
    _share_figure(
        ctx,
        tot[~tot["suppressed"] & tot["estimate"].notna()],
        first_col="col_barrier",
        what="barriers_what",
        caption="barriers_caption_fig",
    )
    show_table(
        _wide_shares(ctx, tab, order, t("col_barrier", lang)),
        caption=t("barriers_caption_table", lang),
        lang=lang,
        note=_note(tab),
        decimals=1,
    )


def themes(ctx: ReportContext) -> None:
    """Seminar themes in PRIORITY order, by category, and preferred formats."""
    lang = ctx.lang
    show_html(_heading(2, "themes", t("h_themes", lang)) + _para(t("themes_intro", lang)))
    pr = theme_priority(ctx)
    shown = pr[~pr["suppressed"] & pr["share"].notna()]
    if len(shown):
        values = "; ".join(
            f"{r.rank}. {r.theme} {fmt_pct(ctx, r.share)} "
            f"({fmt_ci(ctx, 100 * r.ci_low, 100 * r.ci_high, with_label=False)})"
            for r in shown.itertuples()
        )
        fig = bar_figure(
            [f"{r.rank}. {r.theme}" for r in shown.itertuples()],
            shown["share"],
            shown["ci_low"],
            shown["ci_high"],
            xlabel=t("col_wants", lang),
            lang=lang,
        )
        show_figure(
            fig,
            alt=t("alt_bar", lang, what=t("themes_what", lang), values=values),
            caption=t("themes_caption_fig", lang),
            lang=lang,
        )
    table = pd.DataFrame(
        {
            t("col_rank", lang): pr["rank"].astype(int),
            t("col_theme", lang): pr["theme"],
            "n": [
                SUPPRESSED if s else int(n) for s, n in zip(pr["suppressed"], pr["n"], strict=True)
            ],
            t("col_wants", lang): [
                SUPPRESSED if s else round(100 * float(v), 1)
                for s, v in zip(pr["suppressed"], pr["share"], strict=True)
            ],
            t("ci_column", lang): [
                SUPPRESSED if s else fmt_ci(ctx, 100 * lo, 100 * hi, 1, with_label=False)
                for s, lo, hi in zip(pr["suppressed"], pr["ci_low"], pr["ci_high"], strict=True)
            ],
            t("col_rank_interval", lang): [
                SUPPRESSED if s else fmt_ci(ctx, lo, hi, 0, with_label=False)
                for s, lo, hi in zip(pr["suppressed"], pr["rank_low"], pr["rank_high"], strict=True)
            ],
            t("col_most_important", lang): [
                SUPPRESSED if s else round(100 * float(v), 1)
                for s, v in zip(pr["important_suppressed"], pr["important"], strict=True)
            ],
        },
        dtype=object,
    )
    show_table(
        table,
        caption=t("themes_caption_table", lang),
        lang=lang,
        note=" ".join(
            x
            for x in (t("themes_table_note", lang), _note(checkbox_table(ctx, "behov", by=None)))
            if x
        ),
        decimals=1,
        row_headers=2,
    )
    by_cat = checkbox_table(ctx, "behov")
    show_table(
        _wide_shares(ctx, by_cat, pr["variable"].tolist(), t("col_theme", lang)),
        caption=t("themes_by_cat_caption", lang),
        lang=lang,
        note=_note(by_cat),
        decimals=1,
    )
    ftab = checkbox_table(ctx, "format", by=None)
    ftab = ftab[ftab["group_var"] == "total"].copy()
    ftab["_s"] = ftab["estimate"].astype(float).fillna(-1)
    ftab = ftab.sort_values(["suppressed", "_s"], ascending=[True, False], kind="stable")
    show_table(
        pd.DataFrame(
            {
                t("col_format", lang): [_item_label(v, lang) for v in ftab["variable"]],
                "n": [
                    SUPPRESSED if s else int(n)
                    for s, n in zip(ftab["suppressed"], ftab["n"], strict=True)
                ],
                t("col_share", lang): [
                    SUPPRESSED if s else round(100 * float(v), 1)
                    for s, v in zip(ftab["suppressed"], ftab["estimate"], strict=True)
                ],
                t("ci_column", lang): [
                    SUPPRESSED if s else fmt_ci(ctx, 100 * lo, 100 * hi, 1, with_label=False)
                    for s, lo, hi in zip(
                        ftab["suppressed"], ftab["ci_low"], ftab["ci_high"], strict=True
                    )
                ],
            },
            dtype=object,
        ),
        caption=t("formats_caption", lang),
        lang=lang,
        note=_note(ftab),
        decimals=1,
    )


def not_comparable(ctx: ReportContext) -> list[str]:
    """What is not (directly) comparable between the compare wave and this wave."""
    lang = ctx.lang
    if ctx.prev is None:
        return []
    from analysis.instrument.compare import item_comparability, score_comparability
    from analysis.stats.compare import _merged

    ca, cb = codebook_for(ctx.prev.df), codebook_for(ctx.cur.df)
    out = []
    if ca is not cb and (ca.version != cb.version or ca.sha256 != cb.sha256):
        items = item_comparability(ca, cb)
        done: set[str] = set()
        for r in items.itertuples():
            if r.status == "same":
                continue
            # a whole question asked in one wave only, or recoded, is named once, not row by row
            whole = r.status in ("new", "dropped") and (
                r.question not in (cb if r.status == "dropped" else ca).questions
            )
            key = r.question if whole or r.status == "recoded" else r.column
            if key in done:
                continue
            done.add(key)
            book = cb if r.status in ("new", "recoded", "renamed", "text_changed") else ca
            label = book.question(r.question).text(lang) if whole else _item_label(r.column, lang)
            if r.status in ("new", "dropped"):
                wave, version = (
                    (ctx.wave, cb.version) if r.status == "new" else (ctx.prev.wave, ca.version)
                )
                out.append(t("nc_not_asked", lang, item=label, wave=wave, version=version))
            elif r.status == "renamed":
                _, part = cb.locate(r.column)
                out.append(
                    t("nc_renamed", lang, item=label, name=part.export_id, version=cb.version)
                )
            elif r.status == "recoded":
                mapping = cb.recode_from.get(r.question, {}).get(ca.version, {})
                out.append(
                    t(
                        "nc_recoded",
                        lang,
                        item=cb.question(r.question).text(lang),
                        version=cb.version,
                        codes=_merged(mapping),
                    )
                )
            elif r.status == "text_changed":
                out.append(t("nc_text_changed", lang, item=label))
            elif r.status == "scale_changed":
                out.append(t("nc_scale_changed", lang, item=label))
        for r in score_comparability(ca, cb).itertuples():
            name = _score_label(r.score, lang)
            if not r.comparable and r.score in ca.score_columns and r.score in cb.score_columns:
                out.append(t("nc_score_differs", lang, score=name))
            elif r.comparable and (r.only_a or r.only_b):
                left = ", ".join(f"«{_item_label(c, lang)}»" for c in (*r.only_a, *r.only_b))
                out.append(t("nc_score_shared", lang, score=name, n=r.n_items, left_out=left))
    if ctx.prev.design != ctx.cur.design:
        out.append(
            t(
                "nc_design",
                lang,
                prev_design=t(f"design_{ctx.prev.design}", lang),
                design=t(f"design_{ctx.cur.design}", lang),
            )
        )
    return out


def change(ctx: ReportContext) -> None:
    """Change since the compare wave, or a sentence saying there is no earlier wave."""
    lang = ctx.lang
    head = _heading(2, "change", t("h_change", lang))
    ch = score_change(ctx)
    if ch is None:
        show_html(head + _para(t("change_none", lang, wave=ctx.wave)))
        return
    nc = not_comparable(ctx)
    items = "".join(f"<li>{_esc(s)}</li>" for s in nc) if nc else ""
    body = [head, _para(t("change_intro", lang, wave=ctx.wave, prev=ctx.prev.wave))]
    if items:
        body.append(f"<p>{_esc(t('change_not_comparable', lang))}</p><ul>{items}</ul>")
    else:
        body.append(_para(t("nc_same", lang)))
    show_html("".join(body))
    prev, cur = ctx.prev.wave, ctx.wave
    _change_chart(ctx, ch)

    def cell(v, sup, dec, scale=1.0):
        if sup:
            return SUPPRESSED
        return fmt_num(ctx, float(v) * scale, dec) if _ok(v) else None

    def count(v, sup):
        return SUPPRESSED if sup else (int(v) if _ok(v) else None)

    def change_cells(r, dec, scale=1.0):
        if r.suppressed:
            return SUPPRESSED, SUPPRESSED
        if not r.comparable:
            return t("not_comparable", lang), None
        ci = (
            fmt_ci(ctx, r.ci_low * scale, r.ci_high * scale, dec, with_label=False)
            if _ok(r.ci_low)
            else None
        )
        return cell(r.diff, False, dec, scale), ci

    rows = []
    for r in ch[ch["kind"] == "score"].itertuples():
        dec = score_decimals(r.variable, codebook_for(ctx.cur.df))
        diff, ci = change_cells(r, dec)
        rows.append(
            {
                t("col_measure", lang): _score_label(r.variable, lang),
                t("col_group", lang): group_label(r.group_var, r.group, lang),
                f"n ({prev})": count(r.n_a, r.suppressed),
                prev: cell(r.estimate_a, r.suppressed, dec),
                f"n ({cur})": count(r.n_b, r.suppressed),
                cur: cell(r.estimate_b, r.suppressed, dec),
                t("col_change", lang): diff,
                t("ci_column", lang): ci,
            }
        )
    show_table(
        pd.DataFrame(rows, dtype=object),
        caption=t("change_caption", lang, prev=prev, wave=cur),
        lang=lang,
        note=_note(score_table(ctx, by=("utleierkategori",))),
        row_headers=2,
    )
    rows = []
    for r in ch[ch["kind"] == "share"].itertuples():
        diff, ci = change_cells(r, 1, 100.0)
        rows.append(
            {
                t("col_item", lang): r.label,
                f"n ({prev})": count(r.n_a, r.suppressed),
                f"{prev} (%)": cell(r.estimate_a, r.suppressed, 1, 100.0),
                f"n ({cur})": count(r.n_b, r.suppressed),
                f"{cur} (%)": cell(r.estimate_b, r.suppressed, 1, 100.0),
                t("col_change_pp", lang): diff,
                t("ci_column", lang): ci,
                t("col_comment", lang): r.note or "",
            }
        )
    if rows:
        show_table(
            pd.DataFrame(rows, dtype=object),
            caption=t("change_items_caption", lang, prev=prev, wave=cur),
            lang=lang,
            note=t("change_items_note", lang, min_cell=ctx.min_cell),
            decimals=1,
            row_headers=1,
        )


def _change_chart(ctx: ReportContext, ch: pd.DataFrame) -> None:
    """The change of every comparable measure (all landlords) as a chart, with its interval."""
    lang = ctx.lang
    cb = codebook_for(ctx.cur.df)
    tot = ch[
        (ch["kind"] == "score")
        & (ch["group_var"] == "total")
        & ch["comparable"].astype(bool)
        & ~ch["suppressed"].astype(bool)
        & ch["diff"].notna()
        & ch["ci_low"].notna()
    ]
    if tot.empty:
        return
    labels = [_score_label(v, lang) for v in tot["variable"]]
    decs = [score_decimals(v, cb) - 1 for v in tot["variable"]]
    units = [t("change_unit", lang, range=score_range(v, codebook=cb)) for v in tot["variable"]]
    values = "; ".join(
        f"{lab} {'+' if float(d) > 0 else ''}{fmt_num(ctx, d, dec)} "
        f"({fmt_ci(ctx, lo, hi, dec, with_label=False)})"
        for lab, d, lo, hi, dec in zip(
            labels, tot["diff"], tot["ci_low"], tot["ci_high"], decs, strict=True
        )
    )
    data = pd.DataFrame(
        {
            t("col_measure", lang): labels,
            f"n ({ctx.prev.wave})": [int(v) for v in tot["n_a"]],
            f"n ({ctx.wave})": [int(v) for v in tot["n_b"]],
            ctx.prev.wave: [
                fmt_num(ctx, v, d + 1) for v, d in zip(tot["estimate_a"], decs, strict=True)
            ],
            ctx.wave: [
                fmt_num(ctx, v, d + 1) for v, d in zip(tot["estimate_b"], decs, strict=True)
            ],
            t("col_change", lang): [
                fmt_num(ctx, v, d + 1) for v, d in zip(tot["diff"], decs, strict=True)
            ],
            t("ci_column", lang): [
                fmt_ci(ctx, lo, hi, d + 1, with_label=False)
                for lo, hi, d in zip(tot["ci_low"], tot["ci_high"], decs, strict=True)
            ],
        },
        dtype=object,
    )
    fig = change_figure(
        labels,
        tot["diff"].astype(float).tolist(),
        tot["ci_low"].astype(float).tolist(),
        tot["ci_high"].astype(float).tolist(),
        units=units,
        lang=lang,
    )
    show_figure(
        fig,
        alt=t("alt_change", lang, prev=ctx.prev.wave, wave=ctx.wave, values=values),
        caption=t("change_caption_fig", lang, prev=ctx.prev.wave, wave=ctx.wave),
        data=data,
        lang=lang,
    )


def _survey_info(ctx: ReportContext) -> dict:
    """The manifest's survey facts (invited per category, recruitment, mode, tool), or {}."""
    return dict(ctx.cur.manifest.survey or {})


def response_rates(ctx: ReportContext) -> pd.DataFrame:
    """Responses, number invited and response rate per landlord category (rate NA if unknown).

    The number invited comes from the manifest (``survey.invited``, per category); the
    responses are the processed rows. Columns ``category, invited, responses, rate``; the last
    row is the total (its invited count known only when every category's is).
    """
    cb = codebook_for(ctx.cur.df)
    invited = _survey_info(ctx).get("invited", {}) or {}
    counts = ctx.cur.df[cb.category_variable].astype("string").value_counts()
    rows = []
    for c in cb.categories:
        n_inv = invited.get(c)
        rows.append({"category": c, "invited": n_inv, "responses": int(counts.get(c, 0))})
    known = all(r["invited"] is not None for r in rows)
    rows.append(
        {
            "category": "total",
            "invited": sum(r["invited"] for r in rows) if known and rows else None,
            "responses": int(sum(r["responses"] for r in rows)),
        }
    )
    out = pd.DataFrame(rows)
    out["invited"] = out["invited"].astype("Int64")
    inv = out["invited"].astype("Float64")
    out["rate"] = (out["responses"] / inv).where(inv > 0)
    return out


def coverage_table(ctx: ReportContext, by: str) -> pd.DataFrame | None:
    """Municipalities in the frame, municipalities with a municipal response, and responses,
    by ``by`` (``fylke`` or ``storrelse``); None without a frame. Last row: the total."""
    frame, df = ctx.cur.frame, ctx.cur.df
    if frame is None or by not in frame.columns or by not in df.columns:
        return None
    cb = codebook_for(df)
    municipal = df[cb.category_variable].astype("string") == "kommunal"
    answered = df.loc[municipal.fillna(False).to_numpy(bool)]
    groups = (
        list(SIZE_CLASSES) if by == "storrelse" else sorted(frame[by].dropna().astype(str).unique())
    )
    rows = []
    for g in groups:
        rows.append(
            {
                "group": g,
                "frame": int((frame[by].astype(str) == g).sum()),
                "munis": int(
                    answered.loc[answered[by].astype("string") == g, "kommunenummer"].nunique()
                ),
                "responses": int((df[by].astype("string") == g).sum()),
            }
        )
    unknown = int(df[by].isna().sum())
    if unknown:
        rows.append({"group": None, "frame": None, "munis": None, "responses": unknown})
    rows.append(
        {
            "group": "total",
            "frame": int(len(frame)),
            "munis": int(answered["kommunenummer"].nunique()),
            "responses": int(len(df)),
        }
    )
    return pd.DataFrame(rows)


def item_nonresponse(ctx: ReportContext) -> pd.DataFrame:
    """Per question: the share of respondents who left it blank (every row or option blank) and
    the share of the given answers that were non-substantive ("vet ikke", "ikke aktuelt").

    Columns ``question, text, n, unanswered, dont_know`` (``dont_know`` NA for questions without
    a non-substantive answer). Questions the wave's version did not ask are absent.
    """
    df = ctx.cur.df
    cb = codebook_for(df)
    n = len(df)
    rows = []
    for q in cb.questions.values():
        cols = [c for c in q.columns if c in df.columns]
        if not cols:
            continue
        blank = df[cols].isna().all(axis=1)
        dont_know = np.nan
        if q.dont_know_codes:
            vals = pd.concat([pd.to_numeric(df[c], errors="coerce") for c in cols])
            given = vals.notna().sum()
            dont_know = float(vals.isin(q.dont_know_codes).sum() / given) if given else np.nan
        rows.append(
            {
                "question": q.id,
                "text": q.text(ctx.lang),
                "n": n,
                "unanswered": float(blank.sum() / n) if n else np.nan,
                "dont_know": dont_know,
            }
        )
    return pd.DataFrame(rows, columns=["question", "text", "n", "unanswered", "dont_know"])


#: Cronbach's alpha below which a score is not interpreted as a scale.
ALPHA_FLOOR = 0.6


def reliability_table(ctx: ReportContext) -> pd.DataFrame:
    """:func:`analysis.stats.reliability.scale_reliability` with the score of each scale and a
    ``low`` flag (alpha under :data:`ALPHA_FLOOR`), cached."""
    from analysis.stats.reliability import scale_reliability, scales

    key = ("reliability",)
    if key not in ctx._cache:
        cb = codebook_for(ctx.cur.df)
        rel = scale_reliability(ctx.cur.df, codebook=cb).copy()
        rel["score"] = [scales(cb)[q] for q in rel["scale"]]
        rel["method"] = [cb.scores[s].method for s in rel["score"]]
        rel["low"] = rel["alpha"].astype(float) < ALPHA_FLOOR
        ctx._cache[key] = rel
    return ctx._cache[key]


def low_alpha(ctx: ReportContext, score: str) -> float | None:
    """The alpha of ``score`` when it is under :data:`ALPHA_FLOOR`, else None."""
    rel = reliability_table(ctx)
    r = rel[rel["score"] == score]
    if r.empty or not bool(r["low"].iloc[0]):
        return None
    return float(r["alpha"].iloc[0])


def _date(ctx: ReportContext, iso: str | None) -> str:
    from analysis.lang import format_date

    if not iso:
        return t("not_stated", ctx.lang)
    try:
        return format_date(iso, ctx.lang)
    except ValueError:
        return str(iso)


def _period(ctx: ReportContext, start: str | None, end: str | None) -> str | None:
    """«fra 15. september til 31. oktober 2023» (the year once when both dates share it);
    None when either date is not stated."""
    if not (start and end):
        return None
    s, e = _date(ctx, start), _date(ctx, end)
    if start[:4] == end[:4] and s.endswith(start[:4]):  # «15. september» … «31. oktober 2023»
        s = s.rsplit(" ", 1)[0]
    return t("fieldwork_period", ctx.lang, start=s, end=e)


def _count_cell(ctx: ReportContext, v) -> object:
    return int(v) if _ok(v) else t("unknown", ctx.lang)


def about(ctx: ReportContext) -> None:
    """'Om undersøkelsen' / 'About the survey': the whole approach, as a methodologist reads it.

    Population and frame; who answered (responses and response rate by landlord category,
    municipalities and responses by county and size class); fieldwork (dates, recruitment,
    mode, tool, data file); questions and how the measures are built; item non-response per
    question; exclusions and data quality; weighting; reliability (a scale with alpha under
    0.6 is flagged and not interpreted as a scale); disclosure control.
    """
    from analysis.lang import t_count
    from analysis.stats.estimates import design_caveat

    lang = ctx.lang
    m, q = ctx.cur.manifest, ctx.cur.quality
    cb = codebook_for(ctx.cur.df)
    frame = ctx.cur.frame
    show_html(_heading(2, "about", t("h_about", lang)))
    # population, frame and design
    population = (
        t("about_population", lang, frame_n=fmt_num(ctx, len(frame)))
        if frame is not None
        else t("about_population_noframe", lang)
    )
    show_html(
        _heading(3, "about-design", t("h_about_design", lang))
        + _para(population)
        + _para(
            t(
                "design_text",
                lang,
                wave=ctx.wave,
                design=t(f"design_{ctx.cur.design}", lang),
                version=ctx.cur.version,
                caveat=design_caveat(ctx.cur.design, lang),
            )
        )
        + _para(t("cluster_text", lang))
    )
    # who answered
    rates = response_rates(ctx)
    munis = coverage_table(ctx, "fylke")
    if munis is not None:
        tot = munis.iloc[-1]
        who = t(
            "about_who_text",
            lang,
            units=fmt_num(ctx, len(ctx.cur.df)),
            munis=fmt_num(ctx, tot["munis"]),
            frame_n=fmt_num(ctx, tot["frame"]),
            share=fmt_pct(ctx, tot["munis"] / tot["frame"]) if tot["frame"] else "",
        )
    else:
        who = t("about_who_text_noframe", lang, units=fmt_num(ctx, len(ctx.cur.df)))
    show_html(_heading(3, "about-responses", t("h_about_who", lang)) + _para(who))
    rates_shown = _rates_display(ctx, rates)
    show_table(
        rates_shown,
        caption=t("rates_caption", lang),
        lang=lang,
        note=" ".join(x for x in (t("rates_note", lang), rates_shown.attrs.get("note")) if x),
        row_headers=1,
    )
    for by in ("fylke", "storrelse"):
        cov = coverage_table(ctx, by)
        if cov is not None:
            disp, note = _coverage_display(ctx, cov, by)
            show_table(
                disp,
                caption=t("coverage_caption", lang, group=t(f"gv_{by}", lang).lower()),
                lang=lang,
                note=note,
                row_headers=1,
            )
    # fieldwork
    info = _survey_info(ctx)
    tool = info.get("tool") or (
        t(f"tool_{m.format}", lang) if f"tool_{m.format}" in _texts() else t("not_stated", lang)
    )
    fmt = t(f"format_{m.format}", lang) if f"format_{m.format}" in _texts() else m.format
    period = _period(ctx, m.fieldwork_start, m.fieldwork_end)
    show_html(
        _heading(3, "about-fieldwork", t("h_about_fieldwork", lang))
        + _para(
            t(
                "fieldwork_text" if period else "fieldwork_text_unknown",
                lang,
                period=period,
                format=fmt,
                received=_date(ctx, m.received),
            )
        )
        + _para(
            t(
                "recruitment_text", lang, text=info.get("recruitment") or t("not_stated", lang)
            ).rstrip(".")
            + "."
        )
        + _para(t("mode_text", lang, mode=info.get("mode") or t("not_stated", lang), tool=tool))
    )
    # questions and measures
    rules = []
    for score in cb.scores:
        s = cb.scores[score]
        desc = f"{_score_label(score, lang)}: {score_description(score, cb, lang)}"
        if s.min_valid:
            desc = t("score_rule_min_valid", lang, desc=desc, k=number_word(int(s.min_valid), lang))
        elif s.max_invalid is not None:
            desc = t(
                "score_rule_max_invalid", lang, desc=desc, k=number_word(int(s.max_invalid), lang)
            )
        rules.append(desc)
    show_html(
        _heading(3, "about-questions", t("h_about_questions", lang))
        + "<p>"
        + _esc(
            t(
                "questions_text",
                lang,
                version=cb.version,
                n=number_word(len(cb.questions), lang),
                appendix="\x00",
            )
        ).replace("\x00", f'<a href="#appendix">{_esc(t("appendix_link", lang))}</a>')
        + "</p>"
        + _para(t("scores_how", lang))
        + "<ul>"
        + "".join(f"<li>{_esc(r)}</li>" for r in rules)
        + "</ul>"
    )
    # how group differences are judged
    sizes = group_gaps(ctx).attrs.get("family_sizes", {})
    if sizes:
        show_html(
            _heading(3, "about-differences", t("h_about_differences", lang))
            + _para(
                t(
                    "differences_text",
                    lang,
                    n=number_word(len(cb.scores), lang),
                    families=_join(
                        [
                            t(
                                "differences_family",
                                lang,
                                group_var=t(f"gv_{g}", lang).lower(),
                                m=fmt_num(ctx, m),
                            )
                            for g, m in sizes.items()
                        ],
                        lang,
                    ),
                )
            )
        )
    # item non-response
    nr = item_nonresponse(ctx)
    show_html(
        _heading(3, "about-nonresponse", t("h_about_nonresponse", lang))
        + _para(t("nonresponse_text", lang))
    )
    show_table(
        pd.DataFrame(
            {
                t("col_question", lang): nr["text"].tolist(),
                t("col_unanswered", lang): (100 * nr["unanswered"]).round(1).tolist(),
                t("col_dont_know", lang): [
                    round(100 * v, 1) if _ok(v) else "–" for v in nr["dont_know"]
                ],
            },
            dtype=object,
        ),
        caption=t("nonresponse_caption", lang),
        lang=lang,
        decimals=1,
        row_headers=1,
    )
    # exclusions and quality
    redactions = sum(
        int(v)
        for k, v in q.get("personal_data_removed", {}).items()
        if k != "columns_dropped" and isinstance(v, int | float)
    )
    # user-missing codes of SPSS exports ("not seen / not answered") are blanks, not repairs
    set_missing = sum(
        int(e.get("count", 0))
        for e in q.get("set_missing", [])
        if not str(e.get("reason", "")).startswith("user-missing")
    )
    quarantined = int(q.get("rows_quarantined", 0))
    show_html(
        _heading(3, "about-quality", t("h_about_quality", lang))
        + _para(
            " ".join(
                [
                    t(
                        "quality_rows",
                        lang,
                        read=fmt_num(ctx, q.get("rows_read", 0)),
                        kept=fmt_num(ctx, q.get("rows_kept", len(ctx.cur.df))),
                    ),
                    t_count("quality_quarantined", quarantined, lang, n=fmt_num(ctx, quarantined)),
                    t_count("quality_invalid", set_missing, lang, n=fmt_num(ctx, set_missing)),
                    t_count("quality_redacted", redactions, lang, n=fmt_num(ctx, redactions)),
                ]
            )
        )
    )
    reasons = {k: int(v) for k, v in q.get("quarantined_by_reason", {}).items() if int(v) > 0}
    if reasons:
        show_table(
            pd.DataFrame(
                {
                    t("col_reason", lang): [reason_label(r, lang) for r in reasons],
                    t("col_count", lang): list(reasons.values()),
                }
            ),
            caption=t("quality_caption", lang),
            lang=lang,
        )
    flags = {k: int(v) for k, v in q.get("flags", {}).items() if int(v) > 0}
    flag_text = (
        [
            _para(
                t(
                    "flags_text",
                    lang,
                    flags="; ".join(
                        f"{t('flag_' + k, lang) if 'flag_' + k in _texts() else k}: {fmt_num(ctx, v)}"
                        for k, v in flags.items()
                    ),
                )
            )
        ]
        if flags
        else []
    )
    show_html("".join(flag_text) + _para(t("missing_rule", lang)))
    # weighting
    show_html(
        _heading(3, "about-weighting", t("h_about_weighting", lang)) + _para(_weighting_text(ctx))
    )
    # reliability
    rel = reliability_table(ctx)
    low = rel[rel["low"]]
    parts = [_para(t("reliability_text", lang))]
    for r in low.itertuples():
        parts.append(
            _para(
                t(
                    "alpha_low_text",
                    lang,
                    score=_score_label(r.score, lang),
                    alpha=fmt_num(ctx, r.alpha, 2),
                )
            )
        )
    show_html(_heading(3, "about-reliability", t("h_about_reliability", lang)) + "".join(parts))
    show_table(
        pd.DataFrame(
            {
                t("col_scale", lang): [_score_label(s, lang) for s in rel["score"]],
                "n": rel["n"].astype(int),
                t("col_items", lang): rel["k"].astype(int),
                t("col_alpha", lang): rel["alpha"].astype(float).round(2),
                t("ci_column", lang): [
                    fmt_ci(ctx, lo, hi, 2, with_label=False)
                    for lo, hi in zip(rel["ci_low"], rel["ci_high"], strict=True)
                ],
                t("col_comment_scale", lang): [
                    t("alpha_low", lang) if flag else "" for flag in rel["low"]
                ],
            }
        ),
        caption=t("reliability_caption", lang),
        lang=lang,
        note=t("kr20_note", lang) if (rel["method"] == "count_code").any() else None,
        decimals=2,
        row_headers=1,
    )
    # suppression rule
    key = "disclosure_text_public" if ctx.disclosure == "public" else "disclosure_text_internal"
    show_html(
        _heading(3, "about-disclosure", t("h_about_disclosure", lang))
        + _para(t(key, lang, min_cell=ctx.min_cell))
    )


def _hidden_counts(ctx: ReportContext, counts, labels: list[str]) -> tuple[np.ndarray, str | None]:
    """Which of a column of response counts (its last row the total, labelled «Alle») public
    output must suppress, small and derivable cells alike, and the table note."""
    lang = ctx.lang
    table = pd.DataFrame({"n": np.asarray(counts, dtype=int)}, index=labels)
    pub = apply_disclosure(
        table,
        n_col=None,
        level=ctx.disclosure,
        min_n=ctx.min_cell,
        total_row=t("all", lang),
        lang=lang,
    )
    mask = pub.attrs.get("suppressed")
    hidden = mask["n"].to_numpy(bool) if mask is not None else np.zeros(len(table), dtype=bool)
    return hidden, pub.attrs.get("note")


def _rates_display(ctx: ReportContext, rates: pd.DataFrame) -> pd.DataFrame:
    """Display table of :func:`response_rates`; response counts of ``min_cell`` or fewer (and
    derivable ones) are suppressed in public output, with their rates."""
    lang = ctx.lang
    names = [t("all", lang) if c == "total" else category_label(c, lang) for c in rates["category"]]
    hidden, note = _hidden_counts(ctx, rates["responses"], names)
    rows = []
    for r, name, h in zip(rates.itertuples(), names, hidden, strict=True):
        rows.append(
            {
                t("col_category", lang): name,
                t("col_invited", lang): _count_cell(ctx, r.invited),
                t("col_responses", lang): SUPPRESSED if h else int(r.responses),
                t("col_rate", lang): SUPPRESSED
                if h
                else (fmt_pct(ctx, r.rate) if _ok(r.rate) else t("unknown", lang)),
            }
        )
    out = pd.DataFrame(rows, dtype=object)
    out.attrs["note"] = note
    return out


def _coverage_display(ctx: ReportContext, cov: pd.DataFrame, by: str):
    """Display table of :func:`coverage_table`: response counts of ``min_cell`` or fewer (and
    the municipalities behind them) are suppressed in public output, with the derivable ones."""
    lang = ctx.lang
    labels = [
        t("all", lang)
        if g == "total"
        else t("coverage_unknown", lang)
        if g is None
        else group_label(by, g, lang)
        for g in cov["group"]
    ]
    hidden, note = _hidden_counts(ctx, cov["responses"], labels)
    out = pd.DataFrame(
        {
            t(f"gv_{by}", lang): labels,
            t("col_frame_munis", lang): [int(v) if _ok(v) else "" for v in cov["frame"]],
            t("col_answered_munis", lang): [
                SUPPRESSED if h else (int(v) if _ok(v) else "")
                for v, h in zip(cov["munis"], hidden, strict=True)
            ],
            t("col_responses", lang): [
                SUPPRESSED if h else int(v) for v, h in zip(cov["responses"], hidden, strict=True)
            ],
        },
        dtype=object,
    )
    return out, note


def reason_label(reason: str, lang: str = "nb") -> str:
    """Display text of a quarantine reason of ``quality.json``.

    Examples
    --------
    >>> reason_label("utleiertype 7 unknown", "en")
    'Unknown landlord type (code 7)'
    >>> reason_label("something new", "nb")
    'something new'
    """
    m = re.fullmatch(r"utleiertype (\S+) unknown", reason)
    if m:
        return t("reason_utleiertype_unknown", lang, code=m.group(1))
    key = "reason_" + reason.replace(" ", "_")
    return t(key, lang) if key in _texts() else reason


def _texts():
    from analysis.render.i18n import TEXTS

    return TEXTS


def _weighting_text(ctx: ReportContext) -> str:
    from analysis.stats.estimates import estimate_design
    from analysis.stats.weighting import weighting_summary

    lang = ctx.lang
    if ctx.cur.design == "convenience" or ctx.cur.frame is None:
        return t("weighting_none", lang)
    dv = estimate_design(ctx.cur.df, design=ctx.cur.design, frame=ctx.cur.frame)
    municipal = ctx.cur.df["utleierkategori"].astype("string") == "kommunal"
    s = weighting_summary(dv.loc[municipal.fillna(False).to_numpy(), "design_weight"]).iloc[0]
    return t(
        "weighting_raked",
        lang,
        deff=fmt_num(ctx, s["deff_kish"], 2),
        neff=fmt_num(ctx, s["n_eff"], 0),
    )


def git_commit(folder: str | Path | None = None) -> tuple[str | None, bool]:
    """``(commit, dirty)`` of the git checkout holding ``folder`` (default: this package).

    ``(None, False)`` outside a git checkout or without git; never raises.

    Examples
    --------
    >>> import tempfile
    >>> git_commit(tempfile.mkdtemp())
    (None, False)
    """
    folder = Path(folder) if folder is not None else Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None, False
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return head.stdout.strip(), bool(status.returncode == 0 and status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None, False


def package_versions() -> pd.DataFrame:
    """Versions of Python and the installed packages of :data:`PACKAGES` (``package``, ``version``).

    Examples
    --------
    >>> package_versions()["package"].iloc[:2].tolist()
    ['Python', 'analysis']
    """
    rows = [("Python", platform.python_version())]
    for name in PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:  # e.g. an optional backend not installed
            continue
    return pd.DataFrame(rows, columns=["package", "version"])


def provenance(ctx: ReportContext) -> None:
    """Input checksums, instrument version, package versions and the git commit."""
    lang = ctx.lang
    show_html(
        _heading(2, "provenance", t("h_provenance", lang))
        + _para(t("provenance_text", lang, wave=ctx.wave))
    )
    rows = []
    for wd in [ctx.cur] + ([ctx.prev] if ctx.prev is not None else []):
        m = wd.manifest
        rows.append((wd.wave, t("role_export", lang), m.source_file, m.sha256))
        if m.frame_file:
            rows.append(
                (wd.wave, t("role_frame", lang), m.frame_file, m.frame_sha256 or t("unknown", lang))
            )
        for name, digest in sorted(m.extra_sha256.items()):
            rows.append((wd.wave, t("role_extra", lang), name, digest))
    show_table(
        pd.DataFrame(
            rows, columns=[t("col_wave", lang), t("col_role", lang), t("col_file", lang), "SHA-256"]
        ),
        caption=t("files_caption", lang),
        lang=lang,
        row_headers=0,
    )
    commit, dirty = git_commit()
    commit_text = (
        (commit + (t("commit_dirty", lang) if dirty else "")) if commit else t("unknown", lang)
    )
    show_html(
        _para(
            t("instrument_line", lang, version=ctx.cur.version)
            + (f" ({ctx.prev.wave}: {ctx.prev.version})" if ctx.prev is not None else "")
        )
        + _para(t("commit_line", lang, commit=commit_text))
        + _para(
            t(
                "disclosure_line",
                lang,
                level=t(f"level_{ctx.disclosure}", lang),
                min_cell=ctx.min_cell,
            )
        )
    )
    versions = package_versions().rename(
        columns={"package": t("col_package", lang), "version": t("col_version", lang)}
    )
    show_table(versions, caption=t("versions_caption", lang), lang=lang)


def appendix(ctx: ReportContext) -> None:
    """'Vedlegg: alle spørsmål' / 'Appendix: every question': every question of the wave's
    instrument with its wording, frequency table and chart (:mod:`analysis.render.appendix`)."""
    from analysis.render.appendix import show_appendix

    show_appendix(
        ctx.cur.df,
        codebook_for(ctx.cur.df),
        lang=ctx.lang,
        disclosure=ctx.disclosure,
        min_cell=ctx.min_cell,
    )


__all__ = [
    "GROUP_VARS",
    "ReportContext",
    "WaveData",
    "about",
    "appendix",
    "barriers",
    "change",
    "git_commit",
    "key_findings",
    "key_findings_list",
    "load_context",
    "package_versions",
    "provenance",
    "score_change",
    "score_table",
    "scores",
    "share_table",
    "theme_priority",
    "themes",
    "title",
    "SIZE_CLASSES",
]
