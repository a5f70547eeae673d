"""Reading the free text internally: list and filter redacted answers by subgroup and code.

For ``notebooks/07_free_text_internal.ipynb`` only: these views show free text (redacted), which
never belongs in a public output. The pipeline never runs that notebook (its name is outside
:data:`analysis.pipeline.runner.NOTEBOOK_PATTERN`) and the report never includes it.

Examples
--------
>>> import pandas as pd
>>> texts = pd.DataFrame({"segment_id": ["w-1:eksempel", "w-2:kommentar"],
...                       "item": ["eksempel", "kommentar"], "utleierkategori": ["ideell", "kommunal"],
...                       "text": ["Faste beboermøter", "Mer tid"], "codes": ["tema_metoder", "hinder_tid"]})
>>> filter_texts(texts, subgroup_var="utleierkategori", subgroup="kommunal")["text"].tolist()
['Mer tid']
>>> filter_texts(texts, code="tema_metoder")["segment_id"].tolist()
['w-1:eksempel']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Respondent attributes shown beside the text (never a single municipality).
ATTRIBUTES = ("utleierkategori", "storrelse", "fylke")


def free_text(
    wave: str, *, data_root: str | Path | None = None, coder: str = "final"
) -> pd.DataFrame:
    """The redacted free-text answers of a wave with respondent attributes and codes.

    Parameters
    ----------
    wave : str
        An ingested wave.
    data_root : str or Path, optional
        Project root (default: :func:`analysis.paths.project_root`).
    coder : str
        Whose coding to show in ``codes`` (default the reconciled ``final``; empty when that
        coder has no registered sheet).

    Returns
    -------
    DataFrame
        ``segment_id, response_id, item,`` the :data:`ATTRIBUTES`, ``text, codes, suggested``.
    """
    from analysis.clean.ingest import load_processed
    from analysis.clean.segments import load_segments
    from analysis.qual.codeframe import frame_for_wave
    from analysis.qual.sheets import load_codings, registered_coders
    from analysis.qual.suggest import suggest_all

    root = Path(data_root).resolve() if data_root is not None else None
    seg = load_segments(wave, root=root)
    seg = seg[seg["source"] == "free_text"]
    resp = load_processed(wave, root=root)
    attrs = [a for a in ATTRIBUTES if a in resp.columns]
    out = seg[["segment_id", "response_id", "item", "text"]].merge(
        resp[["response_id", *attrs]], on="response_id", how="left"
    )
    frame = frame_for_wave(wave, root=root)
    codes = pd.Series("", index=out["segment_id"])
    if coder in registered_coders(wave, root=root):
        coding = load_codings(wave, coders=[coder], root=root)[coder]
        ids = [c for c in frame.ids if c in coding.columns]
        coded = coding[ids].reindex(out["segment_id"]).fillna(0).astype(int)
        codes = coded.apply(lambda r: ",".join(c for c in ids if r[c] == 1), axis=1)
    out["codes"] = codes.to_numpy()
    out["suggested"] = suggest_all(out["text"], frame)
    for a in attrs:
        out[a] = out[a].astype(object)
    return out[["segment_id", "response_id", "item", *attrs, "text", "codes", "suggested"]]


def filter_texts(
    texts: pd.DataFrame,
    *,
    subgroup_var: str | None = None,
    subgroup: str | None = None,
    code: str | None = None,
    item: str | None = None,
    contains: str | None = None,
) -> pd.DataFrame:
    """Rows of :func:`free_text` in a subgroup, with a code, of an item or containing a word."""
    mask = pd.Series(True, index=texts.index)
    if subgroup_var is not None and subgroup is not None:
        mask &= texts[subgroup_var].astype(str) == str(subgroup)
    if code is not None:
        mask &= texts["codes"].fillna("").str.split(",").map(lambda cs: code in cs)
    if item is not None:
        mask &= texts["item"] == item
    if contains:
        mask &= texts["text"].str.contains(contains, case=False, regex=False)
    return texts[mask].reset_index(drop=True)


def code_overview(texts: pd.DataFrame, *, by: str = "utleierkategori") -> pd.DataFrame:
    """Answers per code and subgroup (internal counts, no disclosure control)."""
    long = texts.assign(code=texts["codes"].fillna("").str.split(",")).explode("code")
    long = long[long["code"] != ""]
    if long.empty:
        return pd.DataFrame()
    return pd.crosstab(long["code"], long[by].astype(str), margins=True, margins_name="total")


def show_texts(texts: pd.DataFrame, *, max_rows: int = 500) -> None:
    """Display answers in full (pandas would cut long texts at 50 characters)."""
    from IPython.display import display

    with pd.option_context("display.max_colwidth", None, "display.max_rows", max_rows):
        display(texts)
