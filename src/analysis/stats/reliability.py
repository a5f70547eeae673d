"""Internal consistency of the multi-item scales: Cronbach's alpha with Feldt's interval.

Assumptions and missing-data rule
---------------------------------
- Code 9 ("vet ikke / ikke aktuelt") and NA are missing. Deletion is **listwise over the
  scale's items**: a response enters only if it answered every item of the scale
  substantively; ``n`` reports how many did.
- Reverse-keyed items (the codebook marks them ``reverse``) are reversed first, as
  ``(min + max) - x`` on the question's substantive codes (6 - x for 1-5 scales).
- The scales are the instrument's scores over matrix questions, on the score's own items. A
  ``count_code`` score (a count of Ja) is binary: its items are recoded ``code`` = 1, any other
  substantive answer = 0, and alpha on 0/1 items is KR-20 (Kuder-Richardson 20), the same
  formula with the same sample-variance convention.
- alpha = k / (k - 1) * (1 - sum of item variances / variance of the sum) with sample
  variances (ddof = 1); Feldt's (1965) interval:
  ``1 - (1 - alpha) * F_{1-a/2}(n-1, (n-1)(k-1))`` to ``1 - (1 - alpha) * F_{a/2}(...)``.
  The interval assumes (approximately) normal, essentially tau-equivalent items; with Likert
  items it is approximate.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [2, 2, 3, 4, 4]})
>>> reliability(df, ["a", "b", "c"], scale="demo")[["scale", "n", "k", "alpha"]].round(4)
  scale  n  k   alpha
0  demo  5  3  0.9706
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.instrument.codebook import (
    DONT_KNOW,
    Codebook,
    default_codebook,
    load_codebook,
)

RELIABILITY_COLUMNS = ("scale", "n", "k", "alpha", "ci_low", "ci_high", "mean_inter_item_r")
ITEM_COLUMNS = ("item", "n", "mean", "item_rest_r", "alpha_if_deleted")


def scales(codebook: Codebook) -> dict[str, str]:
    """The multi-item scales of an instrument: question id -> the score built on it.

    Every score over a matrix question counts (``count_checked`` scores over checkboxes are
    counts of choices, not scales).

    Examples
    --------
    >>> cb = load_codebook(1)
    >>> s = scales(cb)                          # question -> score
    >>> [cb.question(q).role for q in s]
    ['competence', 'attitude', 'participation_level', 'prerequisites']
    >>> s[cb.question_for("competence")] == cb.score_for("competence")
    True
    """
    out: dict[str, str] = {}
    for s in codebook.scores.values():
        if s.method != "count_checked" and s.question not in out:
            out[s.question] = s.id
    return out


def _resolve(
    items: str | Sequence[str], version: int | None = 1, codebook: Codebook | None = None
) -> tuple[list[str], list[bool], str | None, dict]:
    """Columns, reverse flags, a default scale name and a recode map for binary questions."""
    cb = codebook or (default_codebook() if version is None else load_codebook(version))
    binary: dict[str, int] = {}
    if isinstance(items, str):
        q = cb.question(items)
        score = scales(cb).get(q.id)
        cols = list(cb.score_items(score)) if score else list(q.columns)
        name = q.id
        if score and cb.scores[score].method == "count_code":
            binary[q.id] = int(cb.scores[score].code)
    else:
        cols = list(items)
        name = None
        for sid in scales(cb).values():
            if cb.scores[sid].method == "count_code":
                binary[cb.scores[sid].question] = int(cb.scores[sid].code)
    reverse: list[bool] = []
    bounds: dict[str, tuple[float, float]] = {}
    recode: dict[str, dict[int, float]] = {}
    for c in cols:
        try:
            q, part = cb.locate(c)
        except KeyError:
            reverse.append(False)
            continue
        reverse.append(bool(part is not None and part.reverse))
        subst = q.substantive_codes
        if subst:
            bounds[c] = (min(subst), max(subst))
        if q.id in binary:
            recode[c] = {k: float(k == binary[q.id]) for k in subst}
    return cols, reverse, name, {"bounds": bounds, "recode": recode}


def _matrix(df: pd.DataFrame, cols: list[str], reverse: list[bool], info: dict) -> np.ndarray:
    """Listwise-complete substantive matrix (rows x items), reversed and recoded."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"items missing from the data: {', '.join(missing)}")
    if len(cols) < 2:
        raise ValueError("a scale needs at least two items")
    x = np.column_stack([df[c].to_numpy(dtype="float64", na_value=np.nan) for c in cols])
    x[x == DONT_KNOW] = np.nan
    for j, c in enumerate(cols):
        rec = info["recode"].get(c)
        if rec:
            col = x[:, j]
            new = np.full_like(col, np.nan)
            for code, val in rec.items():
                new[col == code] = val
            x[:, j] = new
        if reverse[j]:
            lo, hi = info["bounds"].get(c, (np.nanmin(x[:, j]), np.nanmax(x[:, j])))
            x[:, j] = (lo + hi) - x[:, j]
    return x[~np.isnan(x).any(axis=1)]


def _alpha(x: np.ndarray) -> float:
    n, k = x.shape
    if n < 2:
        return np.nan
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return np.nan
    return k / (k - 1) * (1.0 - item_var / total_var)


def _feldt(alpha: float, n: int, k: int, alpha_level: float) -> tuple[float, float]:
    if not np.isfinite(alpha) or n < 2:
        return np.nan, np.nan
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.isf(alpha_level / 2, df1, df2)
    hi = 1 - (1 - alpha) * stats.f.isf(1 - alpha_level / 2, df1, df2)
    return float(lo), float(hi)


def _mean_r(x: np.ndarray) -> float:
    if x.shape[0] < 3:
        return np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.corrcoef(x, rowvar=False)
    k = r.shape[0]
    off = r[~np.eye(k, dtype=bool)]
    return float(np.mean(off)) if np.isfinite(off).all() else np.nan


def reliability(
    df: pd.DataFrame,
    items: str | Sequence[str],
    *,
    scale: str | None = None,
    alpha_level: float = 0.05,
    version: int | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Cronbach's alpha of one scale with Feldt's confidence interval.

    Parameters
    ----------
    df : DataFrame
        Responses, one row each.
    items : str or list of str
        A question id of the codebook (its score's items, reverse keys and binary recoding
        are taken from the codebook) or
        a list of columns (codebook columns are still reversed/recoded; other columns are
        used as they are).
    scale : str, optional
        Name for the output row (default: the question id, or ``"scale"``).
    alpha_level : float
        1 - confidence level of the interval.
    version : int, optional
        Codebook version to read (default: the data's ``instrument_version``, else 1).
    codebook : Codebook, optional
        The codebook itself (wins over ``version``).

    Returns
    -------
    DataFrame
        One row: ``scale, n, k, alpha, ci_low, ci_high, mean_inter_item_r``; ``n`` is the
        number of listwise complete substantive responses used. alpha is NA with fewer than
        two complete responses or a constant sum.

    Examples
    --------
    >>> import pandas as pd
    >>> cb = load_codebook(1)
    >>> attitude = cb.question_for("attitude")       # four rows, the last reverse-keyed
    >>> answers = [[5, 4, 2, 9], [5, 4, 1, 3], [4, 5, 2, 3], [1, 2, 4, 3]]
    >>> df = pd.DataFrame(dict(zip(cb.question(attitude).columns, answers)))
    >>> r = reliability(df, attitude, codebook=cb)
    >>> int(r.loc[0, "n"]), round(float(r.loc[0, "alpha"]), 4)
    (3, 0.9677)
    """
    cols, reverse, name, info = _resolve(items, version, _cb(df, version, codebook))
    x = _matrix(df, cols, reverse, info)
    n, k = x.shape
    a = _alpha(x)
    lo, hi = _feldt(a, n, k, alpha_level)
    row = {
        "scale": scale or name or "scale",
        "n": n,
        "k": k,
        "alpha": a,
        "ci_low": lo,
        "ci_high": hi,
        "mean_inter_item_r": _mean_r(x),
    }
    return pd.DataFrame([row], columns=list(RELIABILITY_COLUMNS))


def item_statistics(
    df: pd.DataFrame,
    items: str | Sequence[str],
    *,
    version: int | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Per-item statistics of a scale on its listwise complete responses.

    Parameters
    ----------
    df : DataFrame
    items : str or list of str
        As in :func:`reliability` (same reversal, recoding and listwise deletion).
    version : int, optional
    codebook : Codebook, optional

    Returns
    -------
    DataFrame
        One row per item: ``item, n, mean`` (after reversal/recoding), ``item_rest_r``
        (Pearson correlation of the item with the sum of the other items) and
        ``alpha_if_deleted``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 2, 3, 4, 5], "c": [2, 2, 3, 4, 4]})
    >>> item_statistics(df, ["a", "b", "c"]).round(3)
      item  n  mean  item_rest_r  alpha_if_deleted
    0    a  5   3.0        0.992             0.923
    1    b  5   3.0        0.992             0.923
    2    c  5   3.0        0.949             1.000
    """
    cols, reverse, _, info = _resolve(items, version, _cb(df, version, codebook))
    x = _matrix(df, cols, reverse, info)
    n, k = x.shape
    total = x.sum(axis=1)
    rows = []
    for j, c in enumerate(cols):
        rest = total - x[:, j]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(x[:, j], rest)[0, 1] if n >= 3 else np.nan
        a_del = _alpha(np.delete(x, j, axis=1)) if k > 2 else np.nan
        rows.append(
            {
                "item": c,
                "n": n,
                "mean": float(x[:, j].mean()) if n else np.nan,
                "item_rest_r": float(r),
                "alpha_if_deleted": a_del,
            }
        )
    return pd.DataFrame(rows, columns=list(ITEM_COLUMNS))


def _cb(df: pd.DataFrame, version: int | None, codebook: Codebook | None) -> Codebook:
    if codebook is not None:
        return codebook
    if (
        version is None
        and "instrument_version" in df.columns
        and df["instrument_version"].notna().any()
    ):
        from analysis.instrument.codebook import codebook_for

        return codebook_for(df)
    return load_codebook(1 if version is None else version)


def scale_reliability(
    df: pd.DataFrame,
    *,
    version: int | None = None,
    codebook: Codebook | None = None,
    alpha_level: float = 0.05,
) -> pd.DataFrame:
    """:func:`reliability` of every scale of the instrument (:func:`scales`), one row each.

    Each scale uses its score's items (so a row a score leaves out stays out here too),
    reverse-keyed rows reversed, non-substantive answers missing, and a ``count_code`` scale
    as KR-20 on ``code`` = 1 / other = 0.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> cb = load_codebook(1)
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({c: rng.integers(1, 3, 50) for c in cb.coded_columns})
    >>> scale_reliability(df, codebook=cb)["scale"].tolist() == list(scales(cb))
    True
    """
    cb = _cb(df, version, codebook)
    return pd.concat(
        [reliability(df, q, codebook=cb, alpha_level=alpha_level) for q in scales(cb)],
        ignore_index=True,
    )
