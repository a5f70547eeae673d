"""Results of the qualitative strand: code frequencies, triangulation with the survey, quotes.

Units
-----
- **Meeting notes**: the unit is the paragraph (segment). A meeting is one conversation, not a
  set of respondents, so its counts say how often the meeting raised a code.
- **Free text**: the unit is the **respondent**: a respondent raises a code when any of their
  free-text segments carries it (a respondent who wrote two answers counts once). ``n`` is the
  number of respondents with at least one coded free-text segment in the group; ``segments``
  counts the answers (segments) with the code as well.

Disclosure
----------
Tables are group tables (``group_var``/``group``/``n``) passed through
:func:`analysis.stats.disclosure.apply_disclosure`: at the ``public`` level no group of
``min_n`` or fewer respondents is shown, with secondary suppression so that it cannot be derived
from the total. A quote (:func:`approved_quotes`) is shown only when the final sheet approves it
(``quote`` = 1), after redaction, and never from a group of ``min_n`` or fewer: for free text
the respondent's group (e.g. landlord category) in the wave must have more than ``min_n``
respondents; for the meeting the notes must list more than ``min_n`` participants (unknown counts
as too few).

Examples
--------
>>> import pandas as pd
>>> from analysis.qual.codeframe import load_coding_frame
>>> frame = load_coding_frame()
>>> seg = pd.DataFrame({"segment_id": ["m:p001", "w-1:eksempel", "w-1:kommentar", "w-2:eksempel"],
...                     "source": ["meeting", "free_text", "free_text", "free_text"],
...                     "response_id": [None, "w-1", "w-1", "w-2"],
...                     "group": [None, "ideell", "ideell", "kommunal"]})
>>> final = pd.DataFrame(0, index=seg["segment_id"], columns=list(frame.ids))
>>> final.loc[["m:p001", "w-1:eksempel", "w-1:kommentar"], "tema_konflikt"] = 1
>>> f = code_frequencies(seg, final, frame, level="internal")
>>> print(f[(f.code == "tema_konflikt")][["source", "group", "n", "count", "share"]].to_string(index=False))
   source    group  n  count  share
  meeting    total  1      1    1.0
free_text    total  2      1    0.5
free_text   ideell  1      1    1.0
free_text kommunal  1      0    0.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.clean.privacy import redact
from analysis.qual.codeframe import CodingFrame
from analysis.stats.disclosure import DEFAULT_MIN_N, apply_disclosure

FREQUENCY_COLUMNS = (
    "source",
    "code",
    "label",
    "group_var",
    "group",
    "n",
    "count",
    "share",
    "segments",
)
TRIANGULATION_COLUMNS = (
    "variable",
    "code",
    "label",
    "survey_n",
    "survey_share",
    "survey_ci_low",
    "survey_ci_high",
    "rank",
    "rank_low",
    "rank_high",
    "meeting_n",
    "meeting_count",
    "meeting_share",
    "free_text_n",
    "free_text_count",
    "free_text_share",
    "survey_supports",
    "qual_supports",
    "both_support",
)
SOURCES = ("meeting", "free_text")


def _coded(segments: pd.DataFrame, coding: pd.DataFrame, frame: CodingFrame) -> pd.DataFrame:
    """Segments coded in ``coding`` with their 0/1 codes (blank = 0)."""
    codes = [c for c in frame.ids if c in coding.columns]
    cod = coding[codes].fillna(0).astype("int64")
    seg = segments.set_index("segment_id")
    ids = [s for s in cod.index if s in seg.index]
    out = seg.loc[ids, ["source", "response_id", "group"]].join(cod.loc[ids])
    return out.reset_index()


def code_frequencies(
    segments: pd.DataFrame,
    coding: pd.DataFrame,
    frame: CodingFrame,
    *,
    group_var: str = "group",
    groups=None,
    level: str = "public",
    min_n: int = DEFAULT_MIN_N,
    lang: str = "nb",
) -> pd.DataFrame:
    """How often each code is raised: meeting paragraphs; free-text respondents, total and by group.

    Parameters
    ----------
    segments : DataFrame
        :func:`analysis.clean.segments.load_segments` (``segment_id, source, response_id, group``).
    coding : DataFrame
        The final coding (:func:`analysis.qual.sheets.read_sheet`): index segment id, 0/1 per code.
        Only coded segments count.
    frame : CodingFrame
    group_var : str
        Name of the grouping held in ``segments["group"]`` (the respondent's category, e.g. the
        instrument's ``category_variable``); it fills the ``group_var`` column.
    groups : list, optional
        Group order (default: sorted groups present).
    level : {"public", "internal"}
        Disclosure level (:func:`analysis.stats.disclosure.apply_disclosure`).
    min_n : int
    lang : {"nb", "en"}
        Language of the labels and the note.

    Returns
    -------
    DataFrame
        :data:`FREQUENCY_COLUMNS` plus ``suppressed`` and ``suppression``; ``attrs["note"]``.
    """
    coded = _coded(segments, coding, frame)
    rows = []
    for code in frame.codes:
        label = code.label(lang)
        meet = coded[coded["source"] == "meeting"]
        if len(meet):
            k = int(meet[code.id].sum()) if code.id in meet else 0
            rows.append(("meeting", code.id, label, "total", "total", len(meet), k, k))
        ft = coded[coded["source"] == "free_text"]
        if len(ft):
            per = ft.groupby("response_id", sort=True).agg(
                group=("group", "first"), hit=(code.id, "max"), segs=(code.id, "sum")
            )
            rows.append(
                (
                    "free_text",
                    code.id,
                    label,
                    "total",
                    "total",
                    len(per),
                    int(per["hit"].sum()),
                    int(per["segs"].sum()),
                )
            )
            order = groups if groups is not None else sorted(per["group"].dropna().unique())
            for g in order:
                sub = per[per["group"] == g]
                rows.append(
                    (
                        "free_text",
                        code.id,
                        label,
                        group_var,
                        g,
                        len(sub),
                        int(sub["hit"].sum()),
                        int(sub["segs"].sum()),
                    )
                )
    cols = [c for c in FREQUENCY_COLUMNS if c != "share"]
    table = pd.DataFrame(rows, columns=cols)
    table["n"] = table["n"].astype("int64")
    table["count"] = table["count"].astype("int64")
    table["segments"] = table["segments"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(
            table["n"] > 0, table["count"] / table["n"].where(table["n"] > 0), np.nan
        )
    order = {s: i for i, s in enumerate(SOURCES)}
    table = table.sort_values("source", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )[list(FREQUENCY_COLUMNS)]
    return apply_disclosure(
        table,
        level=level,
        min_n=min_n,
        n_col="n",
        value_cols=["count", "share", "segments"],
        group_cols=["source", "code"],
        lang=lang,
    )


def triangulate(
    ranking: pd.DataFrame,
    frequencies: pd.DataFrame,
    frame: CodingFrame,
    *,
    top_k: int = 3,
    min_meeting: int = 1,
    min_free_text: int = 3,
) -> pd.DataFrame:
    """Each survey option beside how often the meeting and the free text raise its code.

    Parameters
    ----------
    ranking : DataFrame
        One row per survey option in the layout of :func:`analysis.stats.themes.theme_ranking`
        (``variable, label, n, share, share_ci_low, share_ci_high, rank, rank_low, rank_high``).
    frequencies : DataFrame
        :func:`code_frequencies` (disclosed or not; suppressed counts count as unknown).
    frame : CodingFrame
        Codes are matched to options by their ``column``.
    top_k : int
        The survey supports an option whose rank interval reaches the top ``top_k``
        (``rank_low <= top_k``): it is plausibly among the ``top_k`` most chosen.
    min_meeting, min_free_text : int
        The qualitative strand supports an option raised in at least ``min_meeting`` meeting
        paragraphs or by at least ``min_free_text`` free-text respondents.

    Returns
    -------
    DataFrame
        :data:`TRIANGULATION_COLUMNS`, in the ranking's order.
    """
    tot = frequencies[frequencies["group_var"] == "total"].set_index(["source", "code"])

    def get(source, code, col):
        key = (source, code)
        if code is None or key not in tot.index:
            return np.nan
        v = tot.loc[key, col]
        return np.nan if pd.isna(v) else float(v)

    rows = []
    for r in ranking.itertuples(index=False):
        code = frame.code_for_column(r.variable)
        m_count, f_count = get("meeting", code, "count"), get("free_text", code, "count")
        survey = bool(r.rank_low <= top_k) if pd.notna(r.rank_low) else False
        qual = bool(
            (np.isfinite(m_count) and m_count >= min_meeting)
            or (np.isfinite(f_count) and f_count >= min_free_text)
        )
        rows.append(
            {
                "variable": r.variable,
                "code": code,
                "label": r.label,
                "survey_n": r.n,
                "survey_share": r.share,
                "survey_ci_low": r.share_ci_low,
                "survey_ci_high": r.share_ci_high,
                "rank": r.rank,
                "rank_low": r.rank_low,
                "rank_high": r.rank_high,
                "meeting_n": get("meeting", code, "n"),
                "meeting_count": m_count,
                "meeting_share": get("meeting", code, "share"),
                "free_text_n": get("free_text", code, "n"),
                "free_text_count": f_count,
                "free_text_share": get("free_text", code, "share"),
                "survey_supports": survey,
                "qual_supports": qual,
                "both_support": survey and qual,
            }
        )
    out = pd.DataFrame(rows, columns=list(TRIANGULATION_COLUMNS))
    out.attrs = {"top_k": top_k, "min_meeting": min_meeting, "min_free_text": min_free_text}
    return out


def approved_quotes(
    segments: pd.DataFrame,
    final: pd.DataFrame,
    frame: CodingFrame,
    *,
    group_sizes: dict | None = None,
    min_n: int = DEFAULT_MIN_N,
    lang: str = "nb",
) -> pd.DataFrame:
    """Quotes a report may show: approved in the final sheet, redacted, never from a small group.

    Parameters
    ----------
    segments : DataFrame
    final : DataFrame
        The reconciled coding with its ``quote`` column.
    frame : CodingFrame
    group_sizes : dict, optional
        Respondents per group in the wave (free-text quotes need their group to be larger than
        ``min_n``; without sizes no free-text quote is shown).
    min_n : int
    lang : {"nb", "en"}

    Returns
    -------
    DataFrame
        ``segment_id, source, group, text, codes`` (code labels joined by ``; ``).
    """
    if "quote" not in final.columns:
        return pd.DataFrame(columns=["segment_id", "source", "group", "text", "codes"])
    ok = final.index[final["quote"].fillna(0).astype(int) == 1]
    seg = segments.set_index("segment_id")
    rows = []
    for sid in ok:
        if sid not in seg.index:
            continue
        s = seg.loc[sid]
        if s["source"] == "meeting":
            npart = s.get("n_participants")
            if pd.isna(npart) or int(npart) <= min_n:
                continue
        else:
            size = (group_sizes or {}).get(s["group"])
            if size is None or int(size) <= min_n:
                continue
        codes = [
            frame.code(c).label(lang)
            for c in frame.ids
            if c in final.columns and final.loc[sid, c] == 1
        ]
        rows.append(
            {
                "segment_id": sid,
                "source": s["source"],
                "group": s["group"],
                "text": redact(str(s["text"]))[0],
                "codes": "; ".join(codes),
            }
        )
    return pd.DataFrame(rows, columns=["segment_id", "source", "group", "text", "codes"])
