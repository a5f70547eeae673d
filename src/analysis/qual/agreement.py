"""Agreement between two coders: percent agreement, Cohen's kappa, Krippendorff's alpha (nominal).

Each code is a binary decision per segment (applies: 1, does not: 0). For two coders and the
segments both coded, the 2x2 table of a code has counts ``n11`` (both 1), ``n10`` (first only),
``n01`` (second only) and ``n00``; with ``n`` segments:

- percent agreement ``p_o = (n11 + n00) / n``;
- Cohen's kappa ``(p_o - p_e) / (1 - p_e)`` with ``p_e = p_a p_b + (1 - p_a)(1 - p_b)``, ``p_a``
  and ``p_b`` each coder's share of 1s (Cohen 1960);
- Krippendorff's alpha for nominal data, two coders, no missing values:
  ``1 - (2n - 1) (n10 + n01) / (n_0 n_1)``, where ``n_1 = 2 n11 + n10 + n01`` and
  ``n_0 = 2 n00 + n10 + n01`` are the pairable values of each category (Krippendorff 2011,
  "Computing Krippendorff's alpha-reliability", coincidence matrix with ``m_u = 2``).

Kappa and alpha are undefined (NaN) when a code shows no variation at all (every decision the
same), as in the reference implementations. The **overall** row pools the decisions of every code
(each segment x code a unit): its table is the sum of the codes' tables.

Intervals: a bootstrap over **segments** (all codes of a segment move together, so the overall
interval respects that decisions on one segment are related): ``n_boot`` replicates with
multinomial segment weights from ``numpy.random.default_rng(seed)``, each statistic recomputed from
the weighted tables, percentile interval (replicates where it is undefined are left out).

Checked against statsmodels' ``cohens_kappa``, scikit-learn's ``cohen_kappa_score`` and the
``krippendorff`` package (tests/qual/test_agreement.py).

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"x": [1, 1, 0, 0, 1, 0], "y": [0, 0, 0, 1, 0, 0]})
>>> b = pd.DataFrame({"x": [1, 0, 0, 0, 1, 0], "y": [0, 0, 0, 1, 0, 0]})
>>> agreement(a, b, n_boot=200)[["code", "n", "percent", "kappa", "alpha"]].round(3)
      code   n  percent  kappa  alpha
0        x   6    0.833  0.667  0.686
1        y   6    1.000  1.000  1.000
2  overall  12    0.917  0.800  0.807
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

DEFAULT_SEED = 20221115
AGREEMENT_COLUMNS = (
    "code",
    "n",
    "n11",
    "n10",
    "n01",
    "n00",
    "percent",
    "percent_low",
    "percent_high",
    "kappa",
    "kappa_low",
    "kappa_high",
    "alpha",
    "alpha_low",
    "alpha_high",
    "n_boot",
)


def _stats(n11, n10, n01, n00):
    """Percent agreement, kappa and alpha from (arrays of) 2x2 counts."""
    n11, n10, n01, n00 = (np.asarray(x, dtype="float64") for x in (n11, n10, n01, n00))
    n = n11 + n10 + n01 + n00
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (n11 + n00) / n
        pa = (n11 + n10) / n
        pb = (n11 + n01) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1 - pe))
        n1 = 2 * n11 + n10 + n01
        n0 = 2 * n00 + n10 + n01
        denom = n0 * n1
        alpha = np.where(denom == 0, np.nan, 1 - (2 * n - 1) * (n10 + n01) / denom)
    return po, kappa, alpha


def _as_matrix(df: pd.DataFrame, codes: Sequence[str]) -> np.ndarray:
    m = df[list(codes)].apply(pd.to_numeric, errors="raise").fillna(0).to_numpy(dtype="float64")
    bad = ~np.isin(m, (0.0, 1.0))
    if bad.any():
        raise ValueError("coding values must be 0, 1 or missing (missing counts as 0)")
    return m.astype(np.int8)


def agreement(
    coder_a: pd.DataFrame,
    coder_b: pd.DataFrame,
    *,
    codes: Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    alpha_level: float = 0.05,
) -> pd.DataFrame:
    """Agreement of two coders per code and overall, with bootstrap intervals.

    Parameters
    ----------
    coder_a, coder_b : DataFrame
        One row per segment (the same rows in the same order, e.g. both indexed by segment id
        and aligned), one 0/1 column per code; missing counts as 0 (a blank cell in a sheet).
    codes : list of str, optional
        The codes to compare (default: the columns of ``coder_a``).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same intervals.
    alpha_level : float
        The intervals are the ``alpha_level/2`` and ``1 - alpha_level/2`` percentiles.

    Returns
    -------
    DataFrame
        :data:`AGREEMENT_COLUMNS`, one row per code and a last row ``overall``; ``n`` is the
        number of decisions (segments; segments x codes for ``overall``).
    """
    codes = list(codes if codes is not None else coder_a.columns)
    if len(coder_a) != len(coder_b):
        raise ValueError("the two coders must have the same segments (align them first)")
    if not len(coder_a):
        raise ValueError("no segment was coded by both coders")
    A, B = _as_matrix(coder_a, codes), _as_matrix(coder_b, codes)
    # per segment and code: indicators of the four cells
    cells = np.stack(
        [(A == 1) & (B == 1), (A == 1) & (B == 0), (A == 0) & (B == 1), (A == 0) & (B == 0)]
    )
    cells = cells.astype("float64")  # (4, segments, codes)
    tables = cells.sum(axis=1)  # (4, codes)
    pooled = tables.sum(axis=1)  # (4,)
    po, ka, al = _stats(*tables)
    po_all, ka_all, al_all = _stats(*pooled)
    rows = []
    names = codes + ["overall"]
    point = {
        "percent": np.append(po, po_all),
        "kappa": np.append(ka, ka_all),
        "alpha": np.append(al, al_all),
    }
    ci = {k: (np.full(len(names), np.nan), np.full(len(names), np.nan)) for k in point}
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        S = len(A)
        W = rng.multinomial(S, np.full(S, 1.0 / S), size=n_boot).astype("float64")  # (boot, S)
        C = cells.shape[2]
        flat = cells.transpose(1, 0, 2).reshape(S, 4 * C)  # (S, 4 * codes)
        tb = (W @ flat).reshape(n_boot, 4, C).transpose(1, 0, 2)  # (4, boot, codes)
        tb = np.concatenate([tb, tb.sum(axis=2, keepdims=True)], axis=2)  # + overall
        reps = dict(zip(("percent", "kappa", "alpha"), _stats(*tb), strict=True))
        q = [100 * alpha_level / 2, 100 * (1 - alpha_level / 2)]
        for k, r in reps.items():
            with np.errstate(all="ignore"):
                lo, hi = [], []
                for j in range(r.shape[1]):
                    col = r[:, j][np.isfinite(r[:, j])]
                    if len(col) and np.isfinite(point[k][j]):
                        a, b = np.percentile(col, q)
                    else:
                        a = b = np.nan
                    lo.append(a)
                    hi.append(b)
            ci[k] = (np.array(lo), np.array(hi))
    all_tables = np.column_stack([tables, pooled])
    for j, name in enumerate(names):
        rows.append(
            {
                "code": name,
                "n": int(all_tables[:, j].sum()),
                "n11": int(all_tables[0, j]),
                "n10": int(all_tables[1, j]),
                "n01": int(all_tables[2, j]),
                "n00": int(all_tables[3, j]),
                **{
                    col: v
                    for k in ("percent", "kappa", "alpha")
                    for col, v in (
                        (k, point[k][j]),
                        (f"{k}_low", ci[k][0][j]),
                        (f"{k}_high", ci[k][1][j]),
                    )
                },
                "n_boot": int(n_boot),
            }
        )
    out = pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))
    out.attrs = {"seed": seed, "n_boot": int(n_boot), "alpha_level": alpha_level}
    return out
