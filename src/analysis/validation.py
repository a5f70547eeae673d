"""Validation rules for a loaded export, driven by the codebook.

The schemas are pandera schemas built from the codebook (:func:`item_schema` for the answers as
read, :func:`processed_schema` for what ingest writes), not checks scattered about. The rules
(docs/processed-data.md, issue "Ingest every export"):

- missing or unknown ``utleiertype``: the row is quarantined;
- an out-of-range code in an item: that value is set missing and counted;
- ``ingen`` ticked with another form, more than three barriers: flagged (kept);
- an exact duplicate of an earlier submission (every item answer equal; ids, times and dropped
  personal columns ignored): quarantined as "duplicate of submission N";
- ``kommunenummer``: "301" and "0301 Oslo" are repaired to "0301" (counted); codes missing from the
  frame are flagged and kept without municipality attributes.

Examples
--------
>>> repair_kommunenummer(pd.Series(["301", "0301 Oslo", "1103", "Oslo", None, "301.0"]))[0].tolist()
['0301', '0301', '1103', None, None, '0301']
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.codebook import COMMON_ITEM_COLUMNS, Codebook

QUARANTINE_UTLEIERTYPE_MISSING = "utleiertype missing"


def coded_columns(cb: Codebook) -> dict[str, tuple[int, ...]]:
    """Canonical coded columns of a codebook version and their valid codes."""
    out: dict[str, tuple[int, ...]] = {}
    for q in cb.questions.values():
        if q.type in ("single", "matrix", "checkbox"):
            for col in q.columns:
                out[col] = q.codes
    return out


def item_schema(cb: Codebook, columns) -> pa.DataFrameSchema:
    """pandera schema of the coded answers as read: every value a valid code of its item, or blank."""
    codes = coded_columns(cb)
    return pa.DataFrameSchema(
        {c: pa.Column(float, pa.Check.isin(list(codes[c])), nullable=True, coerce=True)
         for c in columns if c in codes},
        strict=False,
    )


def out_of_range(df: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Cells of ``df`` whose value is not a valid code of their item (``column, index, value``).

    Uses :func:`item_schema` with lazy validation, so every failing cell is reported at once.
    """
    schema = item_schema(cb, df.columns)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna() & fc["column"].notna()]
        return pd.DataFrame({"column": fc["column"].astype(str), "index": fc["index"].astype(int),
                             "value": fc["failure_case"]}).reset_index(drop=True)
    return pd.DataFrame({"column": pd.Series(dtype=str), "index": pd.Series(dtype=int),
                         "value": pd.Series(dtype=object)})


_KNR_RE = re.compile(r"^\s*(\d{1,4})(?:\.0+)?(?:\s+\D.*)?\s*$")


def repair_kommunenummer(values: pd.Series) -> tuple[pd.Series, Counter]:
    """Repair municipality numbers: restore a lost leading zero, drop a trailing name.

    Returns the repaired Series (4-digit strings or None) and counts of repairs by kind:
    ``"leading zero restored"``, ``"name removed"``, ``"not a municipality number"`` (set missing).
    """
    out = pd.Series([None] * len(values), index=values.index, dtype=object)
    counts: Counter = Counter()
    for idx, raw in values.items():
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            continue
        text = str(raw).strip()
        if not text:
            continue
        m = _KNR_RE.match(text)
        if not m:
            counts["not a municipality number"] += 1
            continue
        digits = m.group(1)
        if len(digits) < 3:
            counts["not a municipality number"] += 1
            continue
        if len(digits) == 3:
            counts["leading zero restored"] += 1
            digits = digits.zfill(4)
        if re.search(r"\s+\D", text):
            counts["name removed"] += 1
        out.at[idx] = digits
    return out, counts


def duplicate_of(items: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """For each row that exactly repeats an earlier row's answers: the earlier row's id, else None.

    Blank equals blank. Only the item columns passed in are compared.
    """
    key = items.astype(object).where(items.notna(), "\x00NA")
    key = pd.util.hash_pandas_object(key.astype(str), index=False)
    first = ~key.duplicated(keep="first")
    first_id = pd.Series(ids.where(first).values, index=key.values)
    first_id = first_id[first.values]
    out = pd.Series([None] * len(items), index=items.index, dtype=object)
    dup = key.duplicated(keep="first")
    out[dup.values] = first_id.loc[key[dup].values].values
    return out


def flags(items: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Data-quality flags: ``ingen`` with another form, more than ``max_choices`` barriers."""
    out = pd.DataFrame(index=items.index)
    former = cb.question("former")
    other = [c for c in former.columns if c != f"former_{former.exclusive_option}"]
    ingen_col = f"former_{former.exclusive_option}"
    if ingen_col in items:
        present = [c for c in other if c in items]
        out["flag_ingen_conflict"] = (items[ingen_col] == 1) & (items[present].eq(1).any(axis=1))
    else:
        out["flag_ingen_conflict"] = False
    barr = cb.question("barrierer")
    present = [c for c in barr.columns if c in items]
    out["flag_barrierer_over_max"] = items[present].eq(1).sum(axis=1) > (barr.max_choices or 99)
    return out


def processed_schema() -> pa.DataFrameSchema:
    """pandera schema of ``responses.parquet`` (docs/processed-data.md)."""
    from analysis.codebook import CATEGORIES, SIZE_CLASSES, load_codebook

    cols: dict[str, pa.Column] = {
        "response_id": pa.Column(str, unique=True),
        "wave": pa.Column(str),
        "instrument_version": pa.Column("Int8", pa.Check.isin([1, 2])),
        "source_row": pa.Column("Int64", pa.Check.ge(1), unique=True),
        "submission_id": pa.Column(str, nullable=True),
    }
    codes = {**coded_columns(load_codebook(1)), **coded_columns(load_codebook(2))}
    v1_types = set(load_codebook(1).question("utleiertype").codes)
    for c in COMMON_ITEM_COLUMNS:
        if c in codes:
            allowed = sorted(v1_types) if c == "utleiertype" else list(codes[c])
            cols[c] = pa.Column("Int8", pa.Check.isin(allowed), nullable=c != "utleiertype")
        elif c == "kommunenummer":
            cols[c] = pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), nullable=True)
        else:
            cols[c] = pa.Column(str, nullable=True)
    cols["utleierkategori"] = pa.Column(pd.CategoricalDtype(list(CATEGORIES)))
    for c in ("kommune", "fylkesnummer", "fylke"):
        cols[c] = pa.Column(str, nullable=True)
    cols["storrelse"] = pa.Column(pd.CategoricalDtype(list(SIZE_CLASSES), ordered=True), nullable=True)
    cols["population"] = pa.Column("Int64", pa.Check.gt(0), nullable=True)
    for f in ("flag_ingen_conflict", "flag_barrierer_over_max", "flag_kommune_unknown"):
        cols[f] = pa.Column(bool)
    return pa.DataFrameSchema(cols, strict=True, ordered=True)
