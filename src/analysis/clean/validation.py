"""Validation rules for a loaded export, driven by the codebook.

The schemas are pandera schemas built from the codebook (:func:`item_schema` for the answers as
read, :func:`processed_schema` for what ingest writes), not checks scattered about. The rules
(docs/processed-data.md, issue "Ingest every export"):

- missing or unknown answer to the category question (``categories.from``): quarantined;
- an out-of-range code in an item: that value is set missing and counted;
- an exclusive option ticked with another, more options than ``max_choices``: flagged (kept);
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
from pandera.engines import pandas_engine

from analysis.instrument.codebook import SIZE_CLASSES, Codebook


class _Str(pandas_engine.NpString):
    """pandera's ``str`` data type (every value a Python ``str`` or missing), checked with one
    vectorised pass (:func:`pandas.api.types.infer_dtype`) before falling back to pandera's
    own value-by-value check, which then decides and names the failing values. Same rule,
    without a Python call per cell for a column that passes."""

    def check(self, pandera_dtype, data_container=None):
        if (
            data_container is not None
            and isinstance(data_container, pd.Series)
            and pd.api.types.infer_dtype(data_container, skipna=True) in ("string", "empty")
        ):
            return pd.Series(True, index=data_container.index)
        return super().check(pandera_dtype, data_container)


STR = _Str()

#: The frame flag (not an instrument rule).
FLAG_KOMMUNE_UNKNOWN = "flag_kommune_unknown"


def quarantine_missing(cb: Codebook) -> str:
    """Quarantine reason for a response without the required category question."""
    return f"{cb.category_source} missing"


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
        {
            c: pa.Column(float, pa.Check.isin(list(codes[c])), nullable=True, coerce=True)
            for c in columns
            if c in codes
        },
        strict=False,
    )


def _valid_code_mask(values: np.ndarray, codes) -> np.ndarray:
    """True where a float value is blank (NaN) or one of ``codes`` (as pandera's ``isin`` on the
    float-coerced, nullable column decides)."""
    return np.isnan(values) | np.isin(values, np.asarray(codes, dtype="float64"))


def out_of_range(df: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """Cells of ``df`` whose value is not a valid code of their item (``column, index, value``).

    Uses :func:`item_schema` with lazy validation, so every failing cell is reported at once.
    """
    codes = coded_columns(cb)
    # A vectorised screen finds the columns with a bad cell; pandera then validates only those
    # (a float column the screen passes has every value blank or a valid code, which is exactly
    # what the schema checks). Columns that are not float are always left to pandera (coercion).
    suspect = [
        c
        for c in df.columns
        if c in codes
        and not (
            isinstance(df[c].dtype, np.dtype)
            and df[c].dtype.kind == "f"
            and _valid_code_mask(df[c].to_numpy(dtype="float64"), codes[c]).all()
        )
    ]
    schema = item_schema(cb, suspect)
    try:
        schema.validate(df[suspect], lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna() & fc["column"].notna()]
        return pd.DataFrame(
            {
                "column": fc["column"].astype(str),
                "index": fc["index"].astype(int),
                "value": fc["failure_case"],
            }
        ).reset_index(drop=True)
    return pd.DataFrame(
        {
            "column": pd.Series(dtype=str),
            "index": pd.Series(dtype=int),
            "value": pd.Series(dtype=object),
        }
    )


_KNR_RE = r"^\s*(?P<digits>\d{1,4})(?:\.0+)?(?P<name>\s+\D.*)?\s*$"


def repair_kommunenummer(values: pd.Series) -> tuple[pd.Series, Counter]:
    """Repair municipality numbers: restore a lost leading zero, drop a trailing name.

    Returns the repaired Series (4-digit strings or None) and counts of repairs by kind:
    ``"leading zero restored"``, ``"name removed"``, ``"not a municipality number"`` (set missing).
    Vectorised: one regular expression over the distinct values.
    """
    if len(values) and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # strings and blanks (what the loaders give): the rule runs once per distinct value and
        # its outcome and counts are spread back by occurrence
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        out_u, masks = _repair_each(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
        seen = codes >= 0
        weight = np.bincount(codes[seen], minlength=len(uniques))
        out = np.full(len(values), None, dtype=object)
        out[seen] = out_u[codes[seen]]
        totals = {kind: int(weight[m].sum()) for kind, m in masks.items()}
    else:
        out, masks = _repair_each(values)
        totals = {kind: int(m.sum()) for kind, m in masks.items()}
    counts: Counter = Counter({kind: k for kind, k in totals.items() if k})
    return pd.Series(out, index=values.index, dtype=object), counts


def _repair_each(values: pd.Series) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`repair_kommunenummer` cell by cell: the repaired values and, per kind of repair,
    which cells had it."""
    text = values.astype(object).where(values.notna(), None)
    text = text.map(lambda v: v if v is None else str(v).strip()).astype(object)
    present = text.notna() & (text != "")
    parts = text.where(present).astype("string").str.extract(_KNR_RE, flags=re.DOTALL)
    digits = parts["digits"]
    ok = digits.notna() & (digits.str.len() >= 3)
    masks = {
        "not a municipality number": (present & ~ok).to_numpy(dtype=bool),
        "leading zero restored": (ok & (digits.str.len() == 3)).to_numpy(dtype=bool),
        "name removed": (ok & parts["name"].notna()).to_numpy(dtype=bool),
    }
    out = digits.where(ok).str.zfill(4).astype(object)
    out = out.where(ok.to_numpy(), None)
    return out.to_numpy(dtype=object), masks


def duplicate_of(items: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """For each row that exactly repeats an earlier row's answers: the earlier row's id, else None.

    Blank equals blank. Only the item columns passed in are compared (hashed row-wise; rows whose
    hashes collide are then compared value by value, so a hash collision cannot merge two rows).
    """
    index = items.index
    n = len(items)
    out = pd.Series([None] * n, index=range(n), dtype=object)
    # each column hashed on its own (no copy of the table), the column hashes combined per row
    key = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in items.columns:
            h = pd.util.hash_pandas_object(_filled(items[c]), index=False).to_numpy()
            key = key * np.uint64(1_000_003) + h
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if not dup.any():
        out.index = index
        return out
    ids = ids.reset_index(drop=True)
    cand = np.flatnonzero(dup)
    # rows sharing a hash (few) are compared value by value
    filled = pd.DataFrame(
        {c: _filled(items[c].iloc[cand]).to_numpy() for c in items.columns}, index=cand
    )
    firsts: dict[int, list[int]] = {}
    for i in cand:
        row = filled.loc[i]
        earlier = firsts.setdefault(int(key[i]), [])
        match = next((j for j in earlier if filled.loc[j].equals(row)), None)
        if match is None:
            earlier.append(int(i))
        else:
            out.iat[i] = ids.iat[match]
    out.index = index
    return out


def _filled(col: pd.Series) -> pd.Series:
    """A column for comparing rows: text with blank as a marker that no answer can equal."""
    if col.dtype == object:
        return col.where(col.notna(), "\x00NA").astype(str)
    return col


def flag_columns(cb: Codebook) -> tuple[str, ...]:
    """The data-quality flag columns the instrument's rules give, plus the frame flag.

    A checkbox question with an exclusive option ``o`` gives ``flag_o_conflict`` (``o`` chosen
    together with another option); one with ``max_choices`` gives ``flag_<question>_over_max``.

    Examples
    --------
    >>> from analysis.instrument.codebook import load_codebook
    >>> len(flag_columns(load_codebook(1)))
    3
    """
    out = []
    for q in cb.questions.values():
        if q.type == "checkbox" and q.exclusive_option:
            out.append(f"flag_{q.exclusive_option}_conflict")
        if q.type == "checkbox" and q.max_choices:
            out.append(f"flag_{q.id}_over_max")
    return (*out, FLAG_KOMMUNE_UNKNOWN)


def flags(items: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """The instrument's rule flags (:func:`flag_columns`, without the frame flag)."""
    out = pd.DataFrame(index=items.index)
    for q in cb.questions.values():
        if q.type != "checkbox":
            continue
        present = [c for c in q.columns if c in items]
        if q.exclusive_option:
            name = f"flag_{q.exclusive_option}_conflict"
            excl = f"{q.id}_{q.exclusive_option}"
            others = [c for c in present if c != excl]
            if excl in items:
                out[name] = (items[excl] == 1) & items[others].eq(1).any(axis=1)
            else:
                out[name] = False
        if q.max_choices:
            out[f"flag_{q.id}_over_max"] = items[present].eq(1).sum(axis=1) > q.max_choices
    return out


def processed_schema(cb: Codebook) -> pa.DataFrameSchema:
    """pandera schema of ``responses.parquet`` of a wave of version ``cb`` (docs/processed-data.md).

    Every column the instrument declares, and only those: a question the version does not ask
    has no column.
    """
    key = (cb.version, cb.sha256 or "")
    if key not in _SCHEMAS:
        _SCHEMAS[key] = _build_schema(cb)
    return _SCHEMAS[key]


_SCHEMAS: dict[tuple[int, str], pa.DataFrameSchema] = {}


def _build_schema(cb: Codebook) -> pa.DataFrameSchema:
    cols: dict[str, pa.Column] = {
        "response_id": pa.Column(STR, unique=True),
        "wave": pa.Column(STR),
        "instrument_version": pa.Column("Int8", pa.Check.isin([cb.version])),
        "source_row": pa.Column("Int64", pa.Check.ge(1), unique=True),
        "submission_id": pa.Column(STR, nullable=True),
    }
    codes = coded_columns(cb)
    muni = cb.role("municipality_code")
    for c in cb.item_columns:
        if c in codes:
            cols[c] = pa.Column(
                "Int8", pa.Check.isin(list(codes[c])), nullable=c not in cb.required_columns
            )
        elif c == muni:
            cols[c] = pa.Column(STR, pa.Check.str_matches(r"^\d{4}$"), nullable=True)
        else:
            cols[c] = pa.Column(STR, nullable=True)
    cols[cb.category_variable] = pa.Column(pd.CategoricalDtype(list(cb.categories)))
    for c in ("kommune", "fylkesnummer", "fylke"):
        cols[c] = pa.Column(STR, nullable=True)
    cols["storrelse"] = pa.Column(
        pd.CategoricalDtype(list(SIZE_CLASSES), ordered=True), nullable=True
    )
    cols["population"] = pa.Column("Int64", pa.Check.gt(0), nullable=True)
    for f in flag_columns(cb):
        cols[f] = pa.Column(bool)
    return pa.DataFrameSchema(cols, strict=True, ordered=True)
