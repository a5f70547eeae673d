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
from analysis.lang import check_lang
from analysis.paths import project_root, raw_dir
from analysis.render.display import format_number, show_figure, show_html, show_table
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
    from analysis.lang import catalogue, number_word

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
    """``95 % KI 43–53`` (nb) / ``95% CI 43–53`` (en); ``til``/``to`` when the low end is negative."""
    if not (_ok(lo) and _ok(hi)):
        return t("unknown", ctx.lang)
    signed = float(lo) < 0
    low, high = fmt_num(ctx, lo, decimals), fmt_num(ctx, hi, decimals)
    if with_label:
        return t("ci_signed" if signed else "ci", ctx.lang, low=low, high=high)
    return t("range_signed" if signed else "range", ctx.lang, low=low, high=high)


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
        ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
    return fig


def bar_figure(labels: list[str], share, lo, hi, *, xlabel: str):
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
        ax.grid(axis="x", color="#d0d0d0", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
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


def _competence_finding(ctx: ReportContext) -> str | None:
    lang = ctx.lang
    cats = _category_scores(ctx, score_table(ctx), "kompetanse")
    if len(cats) < 2:
        return None
    lo_r = cats.loc[cats["estimate"].idxmin()]
    hi_r = cats.loc[cats["estimate"].idxmax()]
    diff = float(hi_r["estimate"] - lo_r["estimate"])
    se = float(np.hypot(lo_r["se"], hi_r["se"])) if _ok(lo_r["se"]) and _ok(hi_r["se"]) else np.nan
    certain = bool(np.isfinite(se) and diff - Z95 * se > 0)
    values = {
        "low": fmt_num(ctx, lo_r["estimate"]),
        "low_ci": fmt_ci(ctx, lo_r["ci_low"], lo_r["ci_high"]),
        "high": fmt_num(ctx, hi_r["estimate"]),
        "high_ci": fmt_ci(ctx, hi_r["ci_low"], hi_r["ci_high"]),
        "low_cat": category_label(lo_r["group"], lang, plural=True),
        "low_cat_lc": category_label(lo_r["group"], lang, plural=True).lower(),
        "high_cat_lc": category_label(hi_r["group"], lang, plural=True).lower(),
    }
    return t("kf_competence_diff" if certain else "kf_competence_nodiff", lang, **values)


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
    for f in (
        _competence_finding,
        _participation_finding,
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
    from analysis.stats.estimates import design_caveat

    lang = ctx.lang
    items = "".join(f"<li>{_esc(s)}</li>" for s in key_findings_list(ctx))
    parts = [
        _heading(2, "key-findings", t("h_key_findings", lang)),
        _para(t("key_intro", lang)),
        f'<ul class="key-findings">{items}</ul>',
    ]
    if ctx.cur.design == "convenience":
        parts.append(_para(t("kf_caveat", lang, caveat=design_caveat("convenience", lang))))
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
        show_html(_heading(3, f"score-{score}", label) + _para(score_description(score, cb, lang)))
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
    shown = tot[~tot["suppressed"] & tot["estimate"].notna()]
    if len(shown):
        labels = [_item_label(v, lang) for v in shown["variable"]]
        values = "; ".join(
            f"{lab} {fmt_pct(ctx, e)} ({fmt_ci(ctx, 100 * lo, 100 * hi, with_label=False)})"
            for lab, e, lo, hi in zip(
                labels, shown["estimate"], shown["ci_low"], shown["ci_high"], strict=True
            )
        )
        fig = bar_figure(
            labels,
            shown["estimate"],
            shown["ci_low"],
            shown["ci_high"],
            xlabel=t("col_share", lang),
        )
        data = pd.DataFrame(
            {
                t("col_barrier", lang): labels,
                "n": shown["n"].astype(int).tolist(),
                t("col_share", lang): (100 * shown["estimate"].astype(float)).round(1).tolist(),
                t("ci_column", lang): [
                    fmt_ci(ctx, 100 * lo, 100 * hi, 1, with_label=False)
                    for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
                ],
            }
        )
        show_figure(
            fig,
            alt=t("alt_bar", lang, what=t("barriers_what", lang), values=values),
            caption=t("barriers_caption_fig", lang),
            data=data,
            lang=lang,
            decimals=1,
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


def _responses_table(ctx: ReportContext) -> pd.DataFrame:
    lang = ctx.lang
    cb = codebook_for(ctx.cur.df)
    cats = cb.categories
    counts = ctx.cur.df[cb.category_variable].astype("string").value_counts()
    total = t("all", lang)
    wide = pd.DataFrame(
        {"n": [int(counts.get(c, 0)) for c in cats] + [int(counts.sum())]},
        index=[category_label(c, lang) for c in cats] + [total],
    )
    pub = apply_disclosure(
        wide, n_col=None, level=ctx.disclosure, min_n=ctx.min_cell, total_row=total, lang=lang
    )
    mask = pub.attrs.get("suppressed")
    out = pd.DataFrame(
        {
            t("col_category", lang): list(wide.index),
            "n": [
                SUPPRESSED
                if mask is not None and bool(mask["n"].iloc[i])
                else int(wide["n"].iloc[i])
                for i in range(len(wide))
            ],
        }
    )
    out.attrs["note"] = pub.attrs.get("note")
    return out


def about(ctx: ReportContext) -> None:
    """'Om undersøkelsen' / 'About the survey': design, fieldwork, responses, exclusions,
    weighting, reliability and the suppression rule."""
    from analysis.stats.estimates import design_caveat
    from analysis.stats.reliability import scale_reliability

    lang = ctx.lang
    m, q = ctx.cur.manifest, ctx.cur.quality
    show_html(_heading(2, "about", t("h_about", lang)))
    show_html(
        _heading(3, "about-design", t("h_about_design", lang))
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
    show_html(
        _heading(3, "about-fieldwork", t("h_about_fieldwork", lang))
        + _para(
            t(
                "fieldwork_text",
                lang,
                start=m.fieldwork_start or t("not_stated", lang),
                end=m.fieldwork_end or t("not_stated", lang),
                format=m.format,
                received=m.received or t("not_stated", lang),
            )
        )
    )
    show_html(_heading(3, "about-responses", t("h_about_responses", lang)))
    resp = _responses_table(ctx)
    show_table(resp, caption=t("responses_caption", lang), lang=lang, note=resp.attrs.get("note"))
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
    show_html(
        _heading(3, "about-quality", t("h_about_quality", lang))
        + _para(
            t(
                "quality_text",
                lang,
                read=fmt_num(ctx, q.get("rows_read", 0)),
                kept=fmt_num(ctx, q.get("rows_kept", len(ctx.cur.df))),
                quarantined=fmt_num(ctx, q.get("rows_quarantined", 0)),
                set_missing=fmt_num(ctx, set_missing),
                redactions=fmt_num(ctx, redactions),
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
    else:
        show_html(_para(t("quality_none", lang)))
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
    rel = scale_reliability(ctx.cur.df, version=ctx.cur.version)
    show_html(
        _heading(3, "about-reliability", t("h_about_reliability", lang))
        + _para(t("reliability_text", lang))
    )
    show_table(
        pd.DataFrame(
            {
                t("col_scale", lang): [t(f"scale_{s}", lang) for s in rel["scale"]],
                "n": rel["n"].astype(int),
                t("col_items", lang): rel["k"].astype(int),
                t("col_alpha", lang): rel["alpha"].astype(float).round(2),
                t("ci_column", lang): [
                    fmt_ci(ctx, lo, hi, 2, with_label=False)
                    for lo, hi in zip(rel["ci_low"], rel["ci_high"], strict=True)
                ],
            }
        ),
        caption=t("reliability_caption", lang),
        lang=lang,
        decimals=2,
        row_headers=1,
    )
    # suppression rule
    key = "disclosure_text_public" if ctx.disclosure == "public" else "disclosure_text_internal"
    show_html(
        _heading(3, "about-disclosure", t("h_about_disclosure", lang))
        + _para(t(key, lang, min_cell=ctx.min_cell))
    )


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
