"""Segments for qualitative coding: the paragraphs of meeting notes and every free-text answer.

``ingest WAVE`` writes ``data/processed/WAVE/segments.parquet`` and ``notes.json`` (through
:func:`write_segments`, inside the same atomic step as the survey's outputs):

- each paragraph of each registered notes file (:mod:`analysis.clean.notes`: redacted at the
  door, participant lists removed, headings left out) is one segment, id ``<file stem>:pNNN``;
- each non-empty answer to a free-text question (the instrument's ``free_text`` questions) of a
  kept response is one segment, id ``<response_id>:<item>``. The responses are already redacted
  by ingest; the text passes :func:`analysis.clean.privacy.redact` once more (idempotent).

Columns (:data:`SEGMENT_COLUMNS`): ``segment_id, wave, source`` (``meeting`` or ``free_text``),
``document`` (notes file name), ``paragraph`` (its number), ``response_id``, ``item``,
``group`` (the respondent's category, the instrument's ``category_variable``), ``text`` (redacted), ``n_participants`` (of the
meeting, when its notes list them). ``notes.json`` accounts for every paragraph read: kept as a
segment, a heading, or a participant line removed.

Examples
--------
>>> import pandas as pd
>>> from analysis.instrument.codebook import load_codebook
>>> first, second = load_codebook(1).free_text_columns                 # the two free-text questions
>>> responses = pd.DataFrame({"response_id": ["w-1", "w-2"], "utleierkategori": ["ideell", "kommunal"],
...                           "instrument_version": [1, 1],
...                           first: ["Faste beboermøter.", None], second: [None, "  "]})
>>> s = free_text_segments(responses, wave="w")
>>> s[["source", "group", "text"]]
      source   group                text
0  free_text  ideell  Faste beboermøter.
>>> s["segment_id"].tolist() == [f"w-1:{first}"]
True
"""

from __future__ import annotations

import json
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.clean.notes import Notes, read_notes, registered_notes
from analysis.clean.privacy import KINDS, redact_series

SEGMENT_COLUMNS = (
    "segment_id",
    "wave",
    "source",
    "document",
    "paragraph",
    "response_id",
    "item",
    "group",
    "text",
    "n_participants",
)
SEGMENTS_FILE = "segments.parquet"
NOTES_REPORT = "notes.json"


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in SEGMENT_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(SEGMENT_COLUMNS)].copy()
    for c in ("segment_id", "wave", "source", "document", "response_id", "item", "group", "text"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    out["paragraph"] = pd.array(out["paragraph"], dtype="Int64")
    out["n_participants"] = pd.array(out["n_participants"], dtype="Int64")
    return out.reset_index(drop=True)


def free_text_items(version: int) -> tuple[str, ...]:
    """The free-text questions of an instrument version (from the codebook)."""
    from analysis.instrument.codebook import load_codebook

    return tuple(load_codebook(version).free_text_columns)


def notes_segments(notes: Notes, *, wave: str) -> pd.DataFrame:
    """One segment per (non-heading) paragraph of a notes file read by :func:`read_notes`."""
    stem = Path(notes.file).stem
    rows = [
        {
            "segment_id": f"{stem}:p{p.number:03d}",
            "wave": wave,
            "source": "meeting",
            "document": notes.file,
            "paragraph": p.number,
            "response_id": None,
            "item": None,
            "group": None,
            "text": p.text,
            "n_participants": notes.n_participants,
        }
        for p in notes.paragraphs
        if p.kind == "paragraph"
    ]
    return _typed(pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))) if rows else _empty()


def _nonblank_text(col: pd.Series) -> pd.Series:
    """True where a cell is a string with something besides whitespace (one C-level pass)."""
    arr = col.to_numpy(dtype=object)
    is_str = np.fromiter(map(isinstance, arr, repeat(str)), dtype=bool, count=len(arr))
    filled = np.zeros(len(arr), dtype=bool)
    strs = arr[is_str]
    filled[is_str] = np.fromiter(map(bool, map(str.strip, strs)), dtype=bool, count=len(strs))
    return pd.Series(filled, index=col.index)


def _as_str_or_none(values: pd.Series) -> pd.Series:
    """Each value as ``str``, a missing one as None."""
    arr = values.astype(object).where(values.notna(), None).to_numpy(dtype=object)
    if all(t is str or t is type(None) for t in set(map(type, arr))):
        return pd.Series(arr, index=values.index, dtype=object)  # already so
    return pd.Series([None if g is None else str(g) for g in arr], index=values.index, dtype=object)


def free_text_segments(
    responses: pd.DataFrame, *, wave: str, items: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """One segment per non-empty free-text answer of the (already redacted) responses."""
    if items is None:
        versions = pd.unique(responses["instrument_version"].dropna()) if len(responses) else [1]
        items = tuple(dict.fromkeys(i for v in versions for i in free_text_items(int(v))))
    from analysis.instrument.codebook import codebook_for

    group_col = codebook_for(responses).category_variable
    parts = []
    groups = (
        responses[group_col].astype(object)
        if group_col in responses
        else pd.Series([None] * len(responses), index=responses.index, dtype=object)
    )
    for item in items:
        if item not in responses:
            continue
        col = responses[item]
        is_text = _nonblank_text(col)
        if not is_text.any():
            continue
        text, _ = redact_series(col[is_text].astype(str).str.strip())
        rid = responses.loc[is_text, "response_id"].astype(str)
        grp = groups[is_text]
        parts.append(
            pd.DataFrame(
                {
                    "segment_id": rid + ":" + item,
                    "wave": wave,
                    "source": "free_text",
                    "document": None,
                    "paragraph": None,
                    "response_id": rid,
                    "item": item,
                    "group": _as_str_or_none(grp),
                    "text": text,
                    "n_participants": None,
                }
            )
        )
    if not parts:
        return _empty()
    return _typed(pd.concat(parts, ignore_index=True))


def build_segments(
    wave: str, responses: pd.DataFrame, *, root: Path | None = None
) -> tuple[pd.DataFrame, dict]:
    """All segments of a wave (notes first, in registration order, then free text) and the account."""
    from analysis import paths
    from analysis.io.manifest import Manifest

    raw = paths.raw_dir(wave, root)
    manifest = Manifest.read(raw)
    parts = []
    report: dict = {"wave": wave, "notes": [], "free_text": {}}
    removed_total = {"participant_line": 0, **dict.fromkeys(KINDS, 0)}
    for rel in registered_notes(manifest):
        notes = read_notes(raw / rel)
        seg = notes_segments(notes, wave=wave)
        parts.append(seg)
        n_head = sum(p.kind == "heading" for p in notes.paragraphs)
        report["notes"].append(
            {
                "file": rel,
                "sha256": manifest.extra_sha256.get(rel),
                "paragraphs_kept": len(notes.paragraphs),
                "segments": len(seg),
                "headings": n_head,
                "n_participants": notes.n_participants,
                "personal_data_removed": notes.removed,
            }
        )
        for k, v in notes.removed.items():
            removed_total[k] += v
    ft = free_text_segments(responses, wave=wave)
    parts.append(ft)
    report["free_text"] = {
        "segments": len(ft),
        "respondents": int(ft["response_id"].nunique()),
        "by_item": {str(k): int(v) for k, v in ft["item"].value_counts().sort_index().items()},
    }
    report["personal_data_removed_from_notes"] = removed_total
    segments = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else _empty()
    )
    segments = _typed(segments)
    if segments["segment_id"].duplicated().any():  # pragma: no cover - ids are unique by design
        dup = segments.loc[segments["segment_id"].duplicated(), "segment_id"].iloc[0]
        raise AssertionError(f"duplicate segment id {dup}")
    report["segments"] = len(segments)
    return segments, report


def write_segments(
    folder: Path, wave: str, responses: pd.DataFrame, *, root: Path | None = None
) -> None:
    """Write ``segments.parquet`` and ``notes.json`` into ``folder`` (ingest's temporary folder)."""
    segments, report = build_segments(wave, responses, root=root)
    segments.to_parquet(Path(folder) / SEGMENTS_FILE, index=False)
    (Path(folder) / NOTES_REPORT).write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def load_segments(wave: str, *, root: str | Path | None = None) -> pd.DataFrame:
    """The segments of an ingested wave."""
    from analysis import paths
    from analysis.errors import UserError

    path = paths.processed_dir(wave, Path(root) if root else None) / SEGMENTS_FILE
    if not path.is_file():
        raise UserError(
            f"{path} not found: ingest the wave first ('python -m analysis ingest {wave}')"
        )
    return _typed(pd.read_parquet(path))
