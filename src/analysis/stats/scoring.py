"""Scores of the instrument (``shared/spec/instrument.md``, section "Scores").

Every score is computed from the item block of a processed wave (``docs/processed-data.md``),
driven by the codebook's ``scores`` definitions, vectorised over the rows (numpy on the item
block; a million rows take well under a second).

Scores and their rules
----------------------
========================  =================================================================
``kompetanse``            mean of the substantive ``komp_*`` answers (codes 1-5) over the 7
                          rows of version 1, rescaled (m - 1) / 4 * 100; NA unless at least 4
                          of 7 are substantive. ``komp_digitalt`` (version 2 only) NEVER
                          enters the score, so waves stay comparable.
``holdning``              as above over ``hold_*`` with ``hold_tidsbruk`` reversed (6 - x)
                          first; NA unless at least 3 of 4 are substantive.
``niva``                  mean rung (0-5) over the applicable ``niva_*`` rows; NA unless at
                          least 3 of 5 are applicable.
``niva_maks``             the highest rung among the applicable rows; NA only when no row is
                          applicable (it does not need 3 of 5: one applicable row shows a
                          rung that is in use).
``forutsetninger``        count of Ja (code 1) over the 5 ``forut_*`` rows (0-5); NA when 3
                          or more rows are "vet ikke" (9) or blank.
``bredde``                count of ``former_*`` options chosen, ``ingen`` excluded (0-7); NA
                          when the whole question is unanswered (every option NA). A stray NA
                          among answered options counts as not chosen.
========================  =================================================================

Missing-data rule: code 9 ("vet ikke / ikke aktuelt") and NA are non-substantive everywhere;
they are never averaged and never counted as a "Ja" or a chosen form. A code outside the
question's valid codes is a contract violation of the processed data and raises ``ValueError``
naming the column.

Examples
--------
>>> import pandas as pd
>>> row = {c: 4 for c in score_items("kompetanse")}
>>> row.update({c: 3 for c in score_items("holdning")}) or None
>>> row.update({c: 2 for c in score_items("niva")}) or None
>>> row.update({c: 1 for c in score_items("forutsetninger")}) or None
>>> row.update({c: 1 for c in score_items("bredde")}) or None
>>> row["former_ingen"] = 0
>>> score_responses(pd.DataFrame([row]))
   kompetanse  holdning  niva  niva_maks  forutsetninger  bredde
0        75.0      50.0   2.0          2               5       7
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.instrument.codebook import DONT_KNOW, load_codebook

#: Score columns in their fixed order (``niva_maks`` follows ``niva``).
SCORE_COLUMNS: tuple[str, ...] = (
    "kompetanse",
    "holdning",
    "niva",
    "niva_maks",
    "forutsetninger",
    "bredde",
)

#: The five scores proper (``niva_maks`` is a companion of ``niva``).
SCORES: tuple[str, ...] = ("kompetanse", "holdning", "niva", "forutsetninger", "bredde")


def score_items(score_id: str, *, version: int = 1) -> tuple[str, ...]:
    """The item columns a score uses, in questionnaire order.

    Only rows that every instrument version shares are used (``komp_digitalt`` is never part of
    ``kompetanse``); ``bredde`` leaves out ``former_ingen``.

    Parameters
    ----------
    score_id : str
        One of :data:`SCORE_COLUMNS` (``niva_maks`` uses the ``niva`` rows).
    version : int
        Instrument version whose codebook to read (the result is the same for 1 and 2).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> score_items("holdning")
    ('hold_endrer', 'hold_informerer', 'hold_verdi', 'hold_tidsbruk')
    >>> len(score_items("kompetanse", version=2))
    7
    >>> score_items("bredde")[-1]
    'former_digitale_kanaler'
    """
    cb = load_codebook(version)
    sid = "niva" if score_id == "niva_maks" else score_id
    if sid not in cb.scores:
        raise ValueError(f"unknown score {score_id!r}; known: {', '.join(SCORE_COLUMNS)}")
    score = cb.scores[sid]
    q = cb.question(score.question)
    cols = cb.comparable_columns(q.id)
    excluded = {f"{q.id}_{p}" for p in score.exclude}
    return tuple(c for c in cols if c not in excluded)


def _block(df: pd.DataFrame, cols: tuple[str, ...], valid: tuple[int, ...]) -> np.ndarray:
    """The item block as float64 with NaN for NA; checks every code is valid."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"score items missing from the data: {', '.join(missing)}")
    out = np.empty((len(df), len(cols)), dtype="float64", order="F")
    valid_arr = np.asarray(valid, dtype="float64")
    for j, c in enumerate(cols):
        s = df[c]
        try:
            x = s.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            raise ValueError(f"column {c}: non-numeric values") from None
        bad = ~np.isnan(x) & ~np.isin(x, valid_arr)
        if bad.any():
            first = s.index[np.flatnonzero(bad)[0]]
            raise ValueError(
                f"column {c}: {int(bad.sum())} value(s) outside the valid codes "
                f"{list(valid)} (first at index {first!r}: {x[bad][0]:g})"
            )
        out[:, j] = x
    return out


def _float(values: np.ndarray, index: pd.Index) -> pd.Series:
    mask = np.isnan(values)
    arr = pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask)
    return pd.Series(arr, index=index)


def _int(values: np.ndarray, mask: np.ndarray, index: pd.Index) -> pd.Series:
    arr = pd.arrays.IntegerArray(np.where(mask, 0, values).astype("int64"), mask)
    return pd.Series(arr, index=index)


def _mean_score(
    x: np.ndarray, lo: float, hi: float, reverse: np.ndarray, min_valid: int, rescale: bool
) -> np.ndarray:
    subst = ~np.isnan(x) & (x != DONT_KNOW)
    vals = np.where(subst, x, 0.0)
    if reverse.any():
        vals[:, reverse] = np.where(subst[:, reverse], (lo + hi) - vals[:, reverse], 0.0)
    k = subst.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = vals.sum(axis=1) / k
    if rescale:
        m = (m - lo) / (hi - lo) * 100.0
    m[k < min_valid] = np.nan
    return m


def score_responses(df: pd.DataFrame, *, version: int | None = None) -> pd.DataFrame:
    """Compute every score for every response.

    Parameters
    ----------
    df : DataFrame
        Processed responses (one row per response) holding at least the items of
        :func:`score_items` for every score, coded as in ``docs/processed-data.md``
        (nullable integers, 9 = vet ikke, NA = not answered).
    version : int, optional
        Instrument version whose codebook defines the scores; default 1. The comparable
        definitions are identical in versions 1 and 2 (``komp_digitalt`` never enters).

    Returns
    -------
    DataFrame
        Same index as ``df``; columns ``kompetanse``, ``holdning``, ``niva`` (``Float64``),
        ``niva_maks``, ``forutsetninger``, ``bredde`` (``Int64``); NA where a rule says so
        (see the module docstring for the missing-data rules).

    Examples
    --------
    >>> import pandas as pd
    >>> komp = score_items("kompetanse")
    >>> df = pd.DataFrame({c: [9, 9] for c in komp})
    >>> df[list(komp[:3])] = 5                 # both rows: 3 substantive answers
    >>> df.loc[1, komp[3]] = 1                 # row 1: a 4th substantive answer
    >>> for c in score_items("holdning") + score_items("niva") + score_items("forutsetninger"):
    ...     df[c] = 9
    >>> for c in score_items("bredde") + ("former_ingen",):
    ...     df[c] = pd.NA
    >>> score_responses(df)
      kompetanse  holdning  niva  niva_maks  forutsetninger  bredde
    0       <NA>      <NA>  <NA>       <NA>            <NA>    <NA>
    1       75.0      <NA>  <NA>       <NA>            <NA>    <NA>
    """
    cb = load_codebook(1 if version is None else version)
    idx = df.index
    out: dict[str, pd.Series] = {}

    for sid in ("kompetanse", "holdning"):
        score = cb.scores[sid]
        cols = score_items(sid, version=cb.version)
        q = cb.question(score.question)
        x = _block(df, cols, q.codes)
        reverse = np.array([q.part(c[len(q.id) + 1 :]).reverse for c in cols])
        out[sid] = _float(
            _mean_score(
                x, score.scale_min, score.scale_max, reverse, score.min_valid, rescale=True
            ),
            idx,
        )

    score = cb.scores["niva"]
    cols = score_items("niva", version=cb.version)
    x = _block(df, cols, cb.question("niva").codes)
    out["niva"] = _float(
        _mean_score(
            x,
            score.scale_min,
            score.scale_max,
            np.zeros(len(cols), bool),
            score.min_valid,
            rescale=False,
        ),
        idx,
    )
    applicable = ~np.isnan(x) & (x != DONT_KNOW)
    top = np.where(applicable, x, -1.0).max(axis=1)
    out[score.also_max or "niva_maks"] = _int(top, top < 0, idx)

    score = cb.scores["forutsetninger"]
    cols = score_items("forutsetninger", version=cb.version)
    x = _block(df, cols, cb.question("forut").codes)
    invalid = (np.isnan(x) | (x == DONT_KNOW)).sum(axis=1)
    count = (x == score.code).sum(axis=1)
    out["forutsetninger"] = _int(count, invalid > score.max_invalid, idx)

    cols = score_items("bredde", version=cb.version)
    all_cols = cb.question("former").columns
    x_all = _block(df, all_cols, (0, 1))
    chosen = x_all[:, [all_cols.index(c) for c in cols]]
    unanswered = np.isnan(x_all).all(axis=1)
    out["bredde"] = _int((chosen == 1).sum(axis=1), unanswered, idx)

    return pd.DataFrame({c: out[c] for c in SCORE_COLUMNS}, index=idx)


def add_scores(df: pd.DataFrame, *, version: int | None = None) -> pd.DataFrame:
    """``df`` with the score columns of :func:`score_responses` joined on the right.

    Existing score columns are replaced (recomputed), never duplicated.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = [c for s in SCORE_COLUMNS for c in score_items(s)] + ["former_ingen"]
    >>> df = pd.DataFrame({c: [1] for c in dict.fromkeys(cols)})
    >>> list(add_scores(df).columns[-6:]) == list(SCORE_COLUMNS)
    True
    """
    scores = score_responses(df, version=version)
    base = df.drop(columns=[c for c in SCORE_COLUMNS if c in df.columns])
    return pd.concat([base, scores], axis=1)
