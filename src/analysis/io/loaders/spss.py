"""SPSS ``.sav`` files (SurveyXact, Questback, Nettskjema via SPSS).

Variable names are the export ids in the ``q_r`` spelling of the wave's version (a renamed row or
option has its new name here, mapped back to its canonical id). The file is read with ``pyreadstat.read_sav(..., user_missing=True)`` so
that declared user-missing codes stay visible: each value inside a variable's declared missing
values or ranges (Questback: 0, -66, -77, -99; the demo: -99 "Ikke besvart") becomes NA and is
counted as ``user-missing (not seen/not answered)``. A code is user-missing only if the file
declares it for that variable: a code 0 that the instrument defines (say "Ingen medvirkning" on a
participation-level scale) is a valid answer unless declared.

Non-substantive answers stay answers: many SPSS files declare 9 "vet ikke" user-missing, but the
instrument knows 9 as an answer (the codebook's ``non_substantive_codes``). A declared code that
is one of those and a valid code of the question keeps its value (it is reported as "vet ikke",
never averaged); only the other declared codes become NA. The kept values are counted in a
warning, so the quality report says the file's declaration was overridden.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.instrument.codebook import load_codebook
from analysis.io.loaders.base import (
    LoadedExport,
    Notes,
    assemble,
    choose_version,
    expected_headers,
    find_column,
    norm,
    to_text,
    warn_unknown,
)

USER_MISSING = "user-missing (not seen/not answered)"
ID_CANDIDATES = (
    "ID",
    "respid",
    "respondent",
    "respondentid",
    "respondent_id",
    "responseid",
    "response_id",
    "submission_id",
    "serial",
    "lopenr",
)


def _user_missing_mask(values: pd.Series, ranges: list[dict]) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    mask = np.zeros(len(x), dtype=bool)
    for r in ranges:
        lo, hi = r.get("lo"), r.get("hi")
        try:
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            continue  # string user-missing values: text columns are not coded
        mask |= (x >= lo) & (x <= hi)
    return mask


def _read_sav(path: str):
    """``(df, missing_ranges, file_encoding)`` or ``("error", message)``."""
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(path, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError / PyreadstatError
        return "error", str(exc).strip() or type(exc).__name__
    return df, dict(meta.missing_ranges or {}), getattr(meta, "file_encoding", None)


def _child(conn, func, path: str) -> None:  # pragma: no cover - runs in the forked reader
    conn.send(func(path))
    conn.close()


def run_isolated(func, path: Path):
    """``func(str(path))`` in a forked child process, its (picklable) result returned.

    ReadStat (under pyreadstat) can crash the whole interpreter with a segmentation fault on a
    damaged ``.sav`` (seen when fuzzing the fixtures), which no ``except`` can catch; in a child
    the crash becomes an :class:`InputFileError`. Where ``fork`` is unavailable the file is read
    in-process.
    """
    import multiprocessing as mp

    if not ISOLATE or "fork" not in mp.get_all_start_methods():
        return func(str(path))
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, func, str(path)), daemon=True)
    proc.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        result = None
    finally:
        receiver.close()
        proc.join()
    if result is None:
        raise InputFileError(
            path,
            f"the SPSS reader crashed on this file (exit status {proc.exitcode}): "
            "a damaged .sav file?",
        )
    return result


def read_sav_isolated(path: Path):
    """:func:`_read_sav` in a forked child (:func:`run_isolated`)."""
    return run_isolated(_read_sav, path)


#: Read ``.sav`` files in a forked child (see :func:`read_sav_isolated`).
ISOLATE = True


def read_spss(path: str | Path, *, version: int | None = None) -> LoadedExport:
    """Read an SPSS ``.sav`` export into canonical columns (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    if path.stat().st_size == 0:
        raise InputFileError(path, "the file is empty")
    result = read_sav_isolated(path)
    if isinstance(result[0], str):
        raise InputFileError(path, f"not a readable SPSS .sav file ({result[1]})")
    df, ranges, file_encoding = result
    if df.empty:
        raise InputFileError(path, "the file has variables but no cases (no responses)")
    notes = Notes()
    headers = [str(c) for c in df.columns]
    id_col = find_column(headers, ID_CANDIDATES)
    items = [h for h in headers if h != id_col]
    version, how = choose_version(items, "spss", version, path)
    cb = load_codebook(version)
    expected = expected_headers(cb, "spss")
    columns: dict[str, pd.Series] = {}
    unknown = []
    kept: dict[int, dict[str, int]] = {}  # declared non-substantive code -> column -> count
    for h in items:
        col = expected.get(norm(h))
        if col is None or col in columns:
            unknown.append(h)
            continue
        values = df[h]
        q, _ = cb.locate(col)
        if q.type != "text" and h in ranges:
            mask = _user_missing_mask(values, ranges[h])
            answers = [c for c in cb.non_substantive_codes if c in q.codes]
            if answers and mask.any():
                x = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
                for code in answers:
                    is_code = mask & (x == code)
                    if is_code.any():
                        kept.setdefault(code, {})[col] = int(is_code.sum())
                        mask &= ~is_code
            if mask.any():
                values = pd.to_numeric(values, errors="coerce").astype("float64").mask(mask)
                notes.missing(USER_MISSING, col, int(mask.sum()))
        elif q.type == "text":
            values = to_text(values)
        columns[col] = values
    for code, counts in kept.items():
        label = cb.value_labels(next(iter(counts))).get(code, str(code))
        notes.warnings.append(
            f"code {code} ({label!s}) is declared user-missing in the file but is an answer of "
            f"the instrument: kept as {code} in {len(counts)} column(s), "
            f"{sum(counts.values())} value(s) ({', '.join(sorted(counts))})"
        )
    warn_unknown(unknown, notes)
    data = assemble(columns, cb, path=path, notes=notes, n=len(df), unknown=unknown)
    if id_col is None:
        notes.warnings.append("no respondent id variable: rows are named by position")
        sub = pd.Series([None] * len(df), dtype=object)
    else:
        sub = to_text(df[id_col]).reset_index(drop=True)
    return LoadedExport(
        data=data,
        submission_id=sub,
        format="spss",
        encoding=file_encoding,
        version=version,
        version_how=how,
        warnings=notes.warnings,
        set_missing=notes.as_dict(),
        source_files=[path],
    )
