"""Raking weights for the municipal stratum.

The unit of the municipal frame is the **municipality**: a census or probability wave invites
(or draws) municipalities, and one municipality may answer through several units (bydeler,
etater, foretak). Weights are therefore built in two steps:

1. every responding municipality (a distinct ``kommunenummer`` among the rows with
   ``utleierkategori == "kommunal"`` whose number is in the frame) is raked, starting from
   N / n, to the frame's **counts of municipalities** per county (``fylke``) and per size class
   (``storrelse``), using ``samplics.weighting.SampleWeight.rake`` (iterative proportional
   fitting);
2. the municipality's weight is shared equally among its responding units, so the units of
   one municipality together carry that municipality's weight (a municipality is not counted
   more because it answered through more units).

Bounds: municipality weights are kept within ``bounds`` times their mean (N / n).
samplics' ``rake`` only checks bounds, it does not enforce them, and a trim-and-rerake loop
around it converges only asymptotically (or stalls) in practice; so the unbounded samplics
solution is taken when it is inside the bounds, and otherwise bounded raking continues from it
(:func:`_bounded_ipf`: each margin step caps the weights and solves for the common factor of
each category so that its total is met exactly). If the bounds and the margins cannot both be
met (a county with one responding municipality out of 30, say) the unbounded raked weights are
returned (margins met, bounds not) with ``attrs["bounded"] = False`` and a warning.

Empty cells: a frame category with no responding municipality cannot be raked to; it is
collapsed into a neighbour (for an ordered margin such as ``storrelse`` the next smaller class,
else the next larger; for an unordered margin such as ``fylke`` the non-empty category with
the fewest municipalities in the frame) and listed in ``attrs["collapsed"]``.

Missing-data rule: municipal rows whose ``kommunenummer`` is NA or not in the frame, and all
non-municipal rows, get NA weights (``attrs["unmatched"]`` counts the municipal ones).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"kommunenummer": ["01", "02", "03", "04"], "fylke": ["A", "A", "B", "B"],
...                       "storrelse": ["s", "l", "s", "l"]})
>>> df = pd.DataFrame({"kommunenummer": ["01", "01", "03", None],
...                    "utleierkategori": ["kommunal"] * 3 + ["ideell"]})
>>> rake_weights(df, frame, margins=("fylke",), bounds=(0.1, 10)).tolist()
[1.0, 1.0, 2.0, nan]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.codebook import SIZE_CLASSES


def _sample_weight():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # samplics announces its archiving
        from samplics.weighting import SampleWeight
    return SampleWeight()


def size_class(population: pd.Series) -> pd.Series:
    """Size class (``SIZE_CLASSES``) of municipalities from their population.

    Examples
    --------
    >>> size_class(pd.Series([4999, 5000, 19999, 20000])).astype(str).tolist()
    ['under 5 000', '5 000–19 999', '5 000–19 999', '20 000+']
    """
    pop = pd.to_numeric(population, errors="coerce")
    codes = np.select([pop < 5000, pop < 20000, pop >= 20000], [0, 1, 2], default=-1)
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(SIZE_CLASSES), ordered=True),
                     index=population.index)


def _municipal_mask(df: pd.DataFrame) -> np.ndarray:
    if "utleierkategori" not in df.columns:
        raise ValueError("the data need the column 'utleierkategori' to find municipal rows")
    return (df["utleierkategori"].astype("string") == "kommunal").fillna(False).to_numpy(bool)


def _collapse(frame_cat: pd.Series, sample_cats: set, ordered_levels: list | None) -> tuple[pd.Series, list[dict]]:
    """Map empty frame categories onto a non-empty neighbour."""
    counts = frame_cat.value_counts()
    levels = ordered_levels if ordered_levels is not None else list(counts.index)
    mapping: dict = {}
    notes: list[dict] = []
    nonempty = [c for c in levels if c in sample_cats]
    if not nonempty:
        raise ValueError("no responding municipality can be placed in the frame's margins")
    for cat in levels:
        if cat in sample_cats or cat not in counts.index:
            continue
        if ordered_levels is not None:
            i = levels.index(cat)
            lower = [c for c in levels[:i] if c in sample_cats]
            upper = [c for c in levels[i + 1:] if c in sample_cats]
            target = lower[-1] if lower else upper[0]
        else:
            target = min(nonempty, key=lambda c: (counts.get(c, 0), str(c)))
        mapping[cat] = target
        notes.append({"category": cat, "into": target, "frame_count": int(counts[cat])})
    return frame_cat.map(lambda v: mapping.get(v, v)), notes


def _bounded_ipf(w: np.ndarray, sample_margins: dict, controls: dict, lo: float, hi: float, *,
                 tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Raking with weights capped to [lo, hi] (each step solves sum clip(w f) = control for f).

    Cycles over the margins; within a category the common factor f is found by bisection on
    the monotone function f -> sum(clip(w * f, lo, hi)), so capped units stay at their bound
    while the others absorb the rest (and may leave the bound again in later steps).
    """
    w = np.clip(w, lo, hi)
    groups = [(sample_margins[m] == k, float(v)) for m in controls for k, v in controls[m].items()]
    for it in range(1, max_iter + 1):
        for mask, target in groups:
            x = w[mask]
            if not (lo * len(x) <= target <= hi * len(x)):
                return w, it  # infeasible category: cannot be met within the bounds
            a, b = 0.0, 1.0
            while np.clip(x * b, lo, hi).sum() < target:
                b *= 2.0
            for _ in range(100):
                f = 0.5 * (a + b)
                if np.clip(x * f, lo, hi).sum() < target:
                    a = f
                else:
                    b = f
            w[mask] = np.clip(x * 0.5 * (a + b), lo, hi)
        err = max(abs(w[mask].sum() - target) / target for mask, target in groups)
        if err <= tol:
            return w, it
    return w, max_iter


def rake_weights(df: pd.DataFrame, frame: pd.DataFrame, *, margins: Sequence[str] = ("fylke", "storrelse"),
                 bounds: tuple[float, float] | None = (0.3, 3.0), max_iter: int = 2000,
                 tol: float = 1e-8) -> pd.Series:
    """Raked weights for the municipal respondents.

    Parameters
    ----------
    df : DataFrame
        Responses with ``utleierkategori`` and ``kommunenummer``.
    frame : DataFrame
        The municipality frame (``analysis.frame.load_frame``): ``kommunenummer`` and the
        margin columns (``storrelse`` is derived from ``population`` if absent).
    margins : sequence of str
        Frame columns whose counts of municipalities the weights must reproduce.
    bounds : (float, float) or None
        Lower and upper limit of a municipality's weight as a multiple of the mean weight
        N / n; None for unbounded raking.
    max_iter : int
        Rounds (over all margins) of the bounded raking.
    tol : float
        Convergence tolerance of the rake (relative change and distance to the controls).

    Returns
    -------
    Series
        Float weights on ``df.index`` named ``weight``; NA for non-municipal rows and
        municipal rows without a known municipality. The units of a municipality share its
        weight; the weights of all units sum to the number of municipalities in the frame
        (after collapsing, every frame municipality is represented). ``attrs``: ``converged``,
        ``bounded``, ``iterations``, ``collapsed``, ``unmatched``, ``n_municipalities``,
        ``frame_size``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"kommunenummer": list("abcdefghijklm"),
    ...                       "r": list("AAAAABBBBBBBB"), "c": list("1122211122222")})
    >>> df = pd.DataFrame({"kommunenummer": list("acdfgi"), "utleierkategori": "kommunal"})
    >>> rake_weights(df, frame, margins=("r", "c"), bounds=None).round(6).tolist()
    [1.0, 2.0, 2.0, 2.0, 2.0, 4.0]
    """
    margins = list(margins)
    frame = frame.copy()
    if "storrelse" in margins and "storrelse" not in frame.columns:
        if "population" not in frame.columns:
            raise ValueError("the frame needs 'storrelse' or 'population'")
        frame["storrelse"] = size_class(frame["population"])
    missing = [c for c in ["kommunenummer", *margins] if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks column(s) {', '.join(missing)}")
    if frame["kommunenummer"].duplicated().any():
        raise ValueError("the frame lists a kommunenummer more than once")
    if "kommunenummer" not in df.columns:
        raise ValueError("the data need the column 'kommunenummer'")
    for m in margins:
        if frame[m].isna().any():
            raise ValueError(f"the frame has municipalities without {m!r}")

    municipal = _municipal_mask(df)
    knr = df["kommunenummer"].astype("string")
    in_frame = knr.isin(frame["kommunenummer"].astype("string")).fillna(False).to_numpy(bool)
    use = municipal & in_frame
    out = pd.Series(np.nan, index=df.index, name="weight", dtype="float64")
    attrs = {"unmatched": int((municipal & ~in_frame).sum()), "collapsed": [], "converged": False,
             "bounded": bounds is None, "iterations": 0, "frame_size": len(frame),
             "n_municipalities": 0}
    if not use.any():
        out.attrs.update(attrs)
        return out

    munis = pd.Index(pd.unique(knr[use]))
    fr = frame.assign(kommunenummer=frame["kommunenummer"].astype("string")).set_index("kommunenummer")
    controls: dict[str, dict] = {}
    sample_margins: dict[str, np.ndarray] = {}
    for m in margins:
        col = fr[m]
        ordered = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered else None
        col = col.astype(object) if ordered is None else col.astype(object)
        sample_cats = set(col.loc[munis])
        col, notes = _collapse(col, sample_cats, ordered)
        for note in notes:
            note["margin"] = m
        attrs["collapsed"].extend(notes)
        controls[m] = {str(k): float(v) for k, v in col.value_counts().items()}
        sample_margins[m] = col.loc[munis].astype(str).to_numpy()

    N, n = float(len(fr)), len(munis)
    w = np.full(n, N / n)
    sw = _sample_weight()
    lo, hi = (bounds[0] * N / n, bounds[1] * N / n) if bounds is not None else (0.0, np.inf)
    # unbounded raking with samplics; if that breaks the bounds, bounded IPF from there
    w = sw.rake(samp_weight=w, margins=sample_margins, control=controls, tol=tol, ctrl_tol=tol,
                max_iter=1000)
    attrs["iterations"] = 1
    inside = (w >= lo * (1 - 1e-6)).all() and (w <= hi * (1 + 1e-6)).all()
    if bounds is None or inside:
        attrs["bounded"] = True
    else:
        wb, rounds = _bounded_ipf(w, sample_margins, controls, lo, hi, tol=tol, max_iter=max_iter)
        attrs["iterations"] += rounds
        ok_b = all(np.allclose([wb[sample_margins[m] == k].sum() for k in controls[m]],
                               list(controls[m].values()), rtol=1e-6) for m in margins)
        if ok_b:
            w = wb
            attrs["bounded"] = True
    ok = all(
        np.allclose([w[sample_margins[m] == k].sum() for k in controls[m]], list(controls[m].values()),
                    rtol=1e-6)
        for m in margins
    )
    attrs["converged"] = bool(ok)
    attrs["n_municipalities"] = n
    if not attrs["bounded"]:
        warnings.warn(f"raking weights could not be kept within {bounds} x mean after {max_iter} rounds: "
                      f"range {w.min() / (N / n):.2f}-{w.max() / (N / n):.2f} x mean", stacklevel=2)
    muni_w = pd.Series(w, index=munis)
    units = knr[use]
    k = units.map(units.value_counts())
    out[use] = (units.map(muni_w) / k).to_numpy(dtype="float64")
    out.attrs.update(attrs)
    return out


def weighting_summary(weights: pd.Series | np.ndarray) -> pd.DataFrame:
    """Summary of a weight vector (NA weights ignored).

    Returns one row: ``n, sum, min, max, mean, deff_kish, n_eff`` with Kish's design effect
    due to weighting ``n * sum(w^2) / sum(w)^2`` and effective sample size ``n / deff``.

    Examples
    --------
    >>> weighting_summary(pd.Series([1.0, 1.0, 2.0, 4.0, None]))
       n  sum  min  max  mean  deff_kish  n_eff
    0  4  8.0  1.0  4.0   2.0      1.375  2.909091
    """
    w = pd.Series(weights, dtype="float64").dropna().to_numpy()
    n = len(w)
    s = float(w.sum())
    deff = float(n * (w**2).sum() / s**2) if n and s else np.nan
    row = {"n": n, "sum": s, "min": float(w.min()) if n else np.nan, "max": float(w.max()) if n else np.nan,
           "mean": s / n if n else np.nan, "deff_kish": deff, "n_eff": n / deff if n and deff else np.nan}
    return pd.DataFrame([row])
