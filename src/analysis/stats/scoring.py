"""Scores from the codebook's rules: every score the instrument declares, by its ``method``.

Which items a score uses, how many valid answers it needs, which rows are reverse-keyed and how
it is rescaled are all declared in the instrument YAML (:class:`analysis.instrument.codebook.Score`);
this module only implements the four methods, vectorised over the rows (numpy on the item block;
a million rows take well under a second):

========================  =================================================================
``mean_rescaled``         mean of the substantive answers (reverse-keyed rows as lo + hi - x),
                          rescaled (m - lo) / (hi - lo) * 100; NA with fewer than
                          ``min_valid`` substantive answers.
``mean``                  the same on the answer scale, not rescaled; ``also_max`` adds the
                          highest substantive answer (NA only when there is none).
``count_code``            how many items are ``code``; NA when more than ``max_invalid``
                          items are non-substantive or blank.
``count_checked``         how many options are chosen (``exclude`` left out); NA when the
                          whole question is unanswered. A stray NA among answered options
                          counts as not chosen.
========================  =================================================================

Missing-data rule: the non-substantive codes (9, "vet ikke / ikke aktuelt") and NA are never
averaged and never counted as a chosen code. A code outside the question's valid codes is a
contract violation of the processed data and raises ``ValueError`` naming the column.

Examples
--------
>>> import pandas as pd
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> row = {c: 1 for s in cb.scores for c in cb.score_items(s)}
>>> scores = score_responses(pd.DataFrame([row]), codebook=cb)
>>> scores.columns.tolist() == list(cb.score_columns)
True
>>> scores.iloc[0].tolist()    # every item at code 1 (one attitude row is reverse-keyed)
[0.0, 25.0, 1.0, 1.0, 5.0, 7.0]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.instrument.codebook import Codebook, codebook_for, default_codebook, load_codebook


def _codebook(df: pd.DataFrame | None, version: int | None, codebook: Codebook | None) -> Codebook:
    if codebook is not None:
        return codebook
    if version is not None:
        return load_codebook(version)
    if df is not None:
        return codebook_for(df)
    return default_codebook()


def score_items(
    score_id: str, *, version: int | None = None, codebook: Codebook | None = None
) -> tuple[str, ...]:
    """The item columns a score uses, in questionnaire order (see the instrument's ``scores``).

    Parameters
    ----------
    score_id : str
        A score of the instrument, or an ``also_max`` companion (which uses its score's items).
    version : int, optional
        Instrument version whose codebook to read (default: the first packaged version).
    codebook : Codebook, optional
        The codebook itself (wins over ``version``).

    Examples
    --------
    >>> from analysis.instrument.codebook import load_codebook
    >>> competence = load_codebook(2).score_for("competence")
    >>> len(score_items(competence, version=2))      # the row version 2 added stays out
    7
    """
    return _codebook(None, version, codebook).score_items(score_id)


def score_columns(
    *, version: int | None = None, codebook: Codebook | None = None
) -> tuple[str, ...]:
    """The score columns :func:`score_responses` returns, in order.

    Examples
    --------
    >>> from analysis.instrument.codebook import load_codebook
    >>> score_columns(version=1)[0] == load_codebook(1).score_for("competence")
    True
    """
    return _codebook(None, version, codebook).score_columns


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
    x: np.ndarray, lo: float, hi: float, reverse: np.ndarray, min_valid: int, rescale: bool, nonsub
) -> np.ndarray:
    subst = ~np.isnan(x) & ~np.isin(x, nonsub)
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


def score_responses(
    df: pd.DataFrame,
    *,
    version: int | None = None,
    codebook: Codebook | None = None,
    items: Mapping[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """Compute every score the instrument declares, for every response.

    Parameters
    ----------
    df : DataFrame
        Processed responses (one row per response) holding the items of every score, coded as
        in ``docs/processed-data.md`` (nullable integers, 9 = vet ikke, NA = not answered).
    version : int, optional
        Instrument version whose codebook defines the scores; by default the data's own
        ``instrument_version`` (the first packaged version when the data do not say).
    codebook : Codebook, optional
        The codebook itself (wins over ``version``).
    items : mapping, optional
        Score id -> the items to use instead of the version's own (a comparison across
        versions passes the items both versions share). ``min_valid`` and ``max_invalid`` scale
        with the share of items kept, rounded up.

    Returns
    -------
    DataFrame
        Same index as ``df``; one column per score (``Float64`` for means, ``Int64`` for counts
        and maxima), in the order of :func:`score_columns`; NA where a rule says so.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> competence = cb.score_for("competence")
    >>> items = cb.score_items(competence)     # needs 4 substantive answers of 7
    >>> df = pd.DataFrame({c: [9, 9] for c in items})
    >>> df[list(items[:3])] = 5                # both rows: 3 substantive answers
    >>> df.loc[1, items[3]] = 1                # row 1: a 4th substantive answer
    >>> for s in cb.scores:
    ...     if s != competence:
    ...         df[list(cb.score_items(s))] = pd.NA
    >>> out = score_responses(df, codebook=cb)
    >>> out[competence].tolist(), bool(out.drop(columns=competence).isna().all().all())
    ([<NA>, 75.0], True)
    """
    cb = _codebook(df, version, codebook)
    idx = df.index
    out: dict[str, pd.Series] = {}
    for s in cb.scores.values():
        q = cb.question(s.question)
        own = cb.score_items(s.id)
        cols = tuple(items[s.id]) if items is not None and s.id in items else own
        nonsub = np.asarray(q.non_substantive, dtype="float64")
        if s.method in ("mean_rescaled", "mean"):
            x = _block(df, cols, q.codes)
            reverse = np.array([q.part(c[len(q.id) + 1 :]).reverse for c in cols], dtype=bool)
            min_valid = _scaled(s.min_valid or 1, len(cols), len(own))
            out[s.id] = _float(
                _mean_score(
                    x,
                    s.scale_min,
                    s.scale_max,
                    reverse,
                    min_valid,
                    s.method == "mean_rescaled",
                    nonsub,
                ),
                idx,
            )
            if s.also_max:
                applicable = ~np.isnan(x) & ~np.isin(x, nonsub)
                top = np.where(applicable, x, -np.inf).max(axis=1)
                out[s.also_max] = _int(np.where(np.isfinite(top), top, 0), ~np.isfinite(top), idx)
        elif s.method == "count_code":
            x = _block(df, cols, q.codes)
            invalid = (np.isnan(x) | np.isin(x, nonsub)).sum(axis=1)
            max_invalid = s.max_invalid if s.max_invalid is not None else len(cols)
            if len(cols) != len(own):
                max_invalid = int(np.floor(max_invalid * len(cols) / len(own)))
            out[s.id] = _int((x == s.code).sum(axis=1), invalid > max_invalid, idx)
        elif s.method == "count_checked":
            all_cols = tuple(dict.fromkeys((*cols, *(c for c in q.columns if c in df.columns))))
            x_all = _block(df, all_cols, (0, 1))
            chosen = x_all[:, [all_cols.index(c) for c in cols]]
            unanswered = np.isnan(x_all).all(axis=1)
            out[s.id] = _int((chosen == 1).sum(axis=1), unanswered, idx)
        else:  # pragma: no cover - the schema admits no other method
            raise ValueError(f"score {s.id}: unknown method {s.method!r}")
    return pd.DataFrame({c: out[c] for c in cb.score_columns}, index=idx)


def _scaled(k: int, n_used: int, n_own: int) -> int:
    """A minimum number of valid answers, scaled when a comparison uses fewer items."""
    if n_used == n_own or n_own == 0:
        return k
    return max(1, int(np.ceil(k * n_used / n_own)))


def add_scores(
    df: pd.DataFrame, *, version: int | None = None, codebook: Codebook | None = None
) -> pd.DataFrame:
    """``df`` with the score columns of :func:`score_responses` joined on the right.

    Existing score columns are replaced (recomputed), never duplicated.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instrument.codebook import load_codebook
    >>> cb = load_codebook(1)
    >>> df = pd.DataFrame({c: [1] for c in cb.coded_columns})
    >>> list(add_scores(df, codebook=cb).columns[-6:]) == list(cb.score_columns)
    True
    """
    cb = _codebook(df, version, codebook)
    scores = score_responses(df, codebook=cb)
    base = df.drop(columns=[c for c in cb.score_columns if c in df.columns])
    return pd.concat([base, scores], axis=1)
