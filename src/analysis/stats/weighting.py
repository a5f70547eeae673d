"""Raking weights for the municipal stratum.

The unit of the municipal frame is the **municipality**: a census or probability wave invites
(or draws) municipalities, and one municipality may answer through several units (bydeler,
etater, foretak). Weights are therefore built in two steps:

1. every responding municipality (a distinct ``kommunenummer`` among the rows with
   ``utleierkategori == "kommunal"`` whose number is in the frame) is raked, starting from
   w0 = N / n, to the frame's **counts of municipalities** per county (``fylke``) and per size
   class (``storrelse``), by iterative proportional fitting in ``svy``
   (``svy.Sample.weighting.rake``; svy is the maintained successor of the archived samplics);
2. the municipality's weight is shared equally among its responding units, so the units of
   one municipality together carry that municipality's weight (a municipality is not counted
   more because it answered through more units).

Bounds: municipality weights are kept within ``bounds`` = (lo, hi) times their mean. svy
bounds the adjustment factor g = new / old weight, and the mapping is exact here: every
municipality starts from the same w0 = N / n, and raked weights sum to N over n
municipalities, so their mean is w0 and **g = w / w0 = w / mean**. Hence

* ``rake(bounds=(lo, hi))`` -- svy's bounds on g, which svy *checks* (it raises
  ``BOUNDS_EXCEEDED``) but does not enforce -- accepts the unbounded raked weights exactly when
  they are inside our bounds, and they are taken as they are;
* otherwise svy *enforces* the bounds with ``rake(trimming=TrimConfig(lower=lo * w0,
  upper=hi * w0))``: the same g bounds as absolute weights (TrimConfig takes weights, and
  each pass of the trim-rake cycle starts from the trimmed weights, not from w0, so
  ``bounds=`` cannot be used there). svy alternates trimming (with redistribution) and raking
  until the margins hold within ``tol`` and the weights are within the bounds up to a
  relative slack ``tol``; ``min_cell_size=1`` because svy otherwise skips trimming for fewer
  than 10 units.

If the bounds and the margins cannot both be met (a county with one responding municipality
out of 30, say, which a quick per-control screen catches before svy runs; or margins out of
reach only jointly, where svy's cycle ends without meeting both) the unbounded svy-raked
weights are returned (margins met, bounds not) with ``attrs["bounded"] = False`` and a
warning. There is no hand-written raking: on simulated
frames svy's trim-rake cycle met the bounds in every case a linear program showed feasible
(tests/test_weighting.py checks this against ``scipy.optimize.linprog``).

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

import contextlib
import io
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.instrument.codebook import SIZE_CLASSES

_W0 = "__w0"  # svy column of the starting weight N / n
_WGT = "__w_raked"  # svy column of the raked weight


def size_class(population: pd.Series) -> pd.Series:
    """Size class (``SIZE_CLASSES``) of municipalities from their population.

    Examples
    --------
    >>> size_class(pd.Series([4999, 5000, 19999, 20000])).astype(str).tolist()
    ['under 5 000', '5 000–19 999', '5 000–19 999', '20 000+']
    """
    pop = pd.to_numeric(population, errors="coerce")
    codes = np.select([pop < 5000, pop < 20000, pop >= 20000], [0, 1, 2], default=-1)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=list(SIZE_CLASSES), ordered=True),
        index=population.index,
    )


def _municipal_mask(df: pd.DataFrame) -> np.ndarray:
    if "utleierkategori" not in df.columns:
        raise ValueError("the data need the column 'utleierkategori' to find municipal rows")
    return (df["utleierkategori"].astype("string") == "kommunal").fillna(False).to_numpy(bool)


def _collapse(
    frame_cat: pd.Series, sample_cats: set, ordered_levels: list | None
) -> tuple[pd.Series, list[dict]]:
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
            upper = [c for c in levels[i + 1 :] if c in sample_cats]
            target = lower[-1] if lower else upper[0]
        else:
            target = min(nonempty, key=lambda c: (counts.get(c, 0), str(c)))
        mapping[cat] = target
        notes.append({"category": cat, "into": target, "frame_count": int(counts[cat])})
    return frame_cat.map(lambda v: mapping.get(v, v)), notes


def _svy_sample(sample_margins: dict[str, np.ndarray], w0: float):
    """An svy Sample of the responding municipalities, all with design weight w0."""
    import polars as pl
    import svy

    data = pl.DataFrame({m: v.tolist() for m, v in sample_margins.items()})
    data = data.with_columns(pl.lit(w0, dtype=pl.Float64).alias(_W0))
    return svy.Sample(data, svy.Design(wgt=_W0))


def _svy_rake(
    sample,
    controls: dict,
    *,
    tol: float,
    max_iter: int,
    g_bounds: tuple[float, float] | None = None,
    weight_bounds: tuple[float, float] | None = None,
) -> tuple[np.ndarray | None, int]:
    """Rake with svy; return (weights, raking passes).

    ``g_bounds`` are svy's bounds on g = new / old weight, checked by svy: weights outside
    them give (None, 1). ``weight_bounds`` are absolute weight limits, enforced by svy's
    trim-rake cycle; the number of cycles is read from svy's ``display_iter`` report.
    Non-convergence is left to the caller, who checks margins and bounds on the result.
    """
    from svy import TrimConfig
    from svy.errors import WeightingError

    kwargs: dict = {
        "controls": controls,
        "tol": tol,
        "max_iter": max_iter,
        "on_nonconvergence": "ignore",
        "update_design_wgts": False,
        "wgt_name": _WGT,
    }
    if weight_bounds is None:
        try:
            out = sample.weighting.rake(bounds=g_bounds, **kwargs)
        except WeightingError as e:
            if g_bounds is not None and e.code == "BOUNDS_EXCEEDED":
                return None, 1
            raise
        return out.data[_WGT].to_numpy().astype("float64"), 1
    trim = TrimConfig(
        lower=weight_bounds[0],
        upper=weight_bounds[1],
        redistribute=True,
        min_cell_size=1,
        max_iter=max_iter,
    )
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        out = sample.weighting.rake(trimming=trim, display_iter=True, **kwargs)
    cycles = sum(line.startswith("Cycle") for line in report.getvalue().splitlines())
    return out.data[_WGT].to_numpy().astype("float64"), cycles


def _cells_reachable(sample_margins: dict, controls: dict, lo: float, hi: float) -> bool:
    """Necessary condition for bounded raking: every control lies in [lo n_k, hi n_k].

    Only a quick screen (svy's trim-rake cycle would spend ``max_iter`` cycles to find the
    same); margins can still be jointly out of reach, which svy's cycle then reports.
    """
    for m, ctrl in controls.items():
        for cat, total in ctrl.items():
            k = int((sample_margins[m] == cat).sum())
            if not lo * k * (1 - 1e-12) <= total <= hi * k * (1 + 1e-12):
                return False
    return True


def _margins_met(w: np.ndarray, sample_margins: dict, controls: dict) -> bool:
    return all(
        np.allclose(
            [w[sample_margins[m] == k].sum() for k in controls[m]],
            list(controls[m].values()),
            rtol=1e-6,
        )
        for m in controls
    )


def rake_weights(
    df: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    margins: Sequence[str] = ("fylke", "storrelse"),
    bounds: tuple[float, float] | None = (0.3, 3.0),
    max_iter: int = 2000,
    tol: float = 1e-8,
) -> pd.Series:
    """Raked weights for the municipal respondents.

    Parameters
    ----------
    df : DataFrame
        Responses with ``utleierkategori`` and ``kommunenummer``.
    frame : DataFrame
        The municipality frame (``analysis.io.frame.load_frame``): ``kommunenummer`` and the
        margin columns (``storrelse`` is derived from ``population`` if absent).
    margins : sequence of str
        Frame columns whose counts of municipalities the weights must reproduce.
    bounds : (float, float) or None
        Lower and upper limit of a municipality's weight as a multiple of the mean weight
        N / n; None for unbounded raking.
    max_iter : int
        Cap on svy's IPF sweeps per raking pass and on its trim-rake cycles (bounded raking).
    tol : float
        svy's convergence tolerance: the largest relative distance of a margin total to its
        control, and the relative slack allowed on the bounds. ``attrs["converged"]`` checks
        the margins independently at a relative tolerance of 1e-6.

    Returns
    -------
    Series
        Float weights on ``df.index`` named ``weight``; NA for non-municipal rows and
        municipal rows without a known municipality. The units of a municipality share its
        weight; the weights of all units sum to the number of municipalities in the frame
        (after collapsing, every frame municipality is represented). ``attrs``: ``converged``,
        ``bounded``, ``iterations`` (svy raking passes: 1 for the unbounded rake, plus the
        trim-rake cycles when the bounds had to be enforced), ``collapsed``, ``unmatched``,
        ``n_municipalities``, ``frame_size``.

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
    attrs = {
        "unmatched": int((municipal & ~in_frame).sum()),
        "collapsed": [],
        "converged": False,
        "bounded": bounds is None,
        "iterations": 0,
        "frame_size": len(frame),
        "n_municipalities": 0,
    }
    if not use.any():
        out.attrs.update(attrs)
        return out

    munis = pd.Index(pd.unique(knr[use]))
    fr = frame.assign(kommunenummer=frame["kommunenummer"].astype("string")).set_index(
        "kommunenummer"
    )
    controls: dict[str, dict] = {}
    sample_margins: dict[str, np.ndarray] = {}
    for m in margins:
        col = fr[m]
        ordered = (
            list(col.cat.categories)
            if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered
            else None
        )
        col = col.astype(object)
        sample_cats = set(col.loc[munis])
        col, notes = _collapse(col, sample_cats, ordered)
        for note in notes:
            note["margin"] = m
        attrs["collapsed"].extend(notes)
        controls[m] = {str(k): float(v) for k, v in col.value_counts().items()}
        sample_margins[m] = col.loc[munis].astype(str).to_numpy()

    N, n = float(len(fr)), len(munis)
    w0 = N / n
    sample = _svy_sample(sample_margins, w0)
    if bounds is None:
        w, attrs["iterations"] = _svy_rake(sample, controls, tol=tol, max_iter=max_iter)
        attrs["bounded"] = True
    else:
        lo, hi = float(bounds[0]), float(bounds[1])
        # g = w / w0 = w / mean (see the module docstring): svy's g bounds are ours
        w, attrs["iterations"] = _svy_rake(
            sample, controls, tol=tol, max_iter=max_iter, g_bounds=(lo, hi)
        )
        if w is None or not _margins_met(w, sample_margins, controls):
            wb, inside = None, False
            if _cells_reachable(sample_margins, controls, lo * w0, hi * w0):
                wb, cycles = _svy_rake(
                    sample, controls, tol=tol, max_iter=max_iter, weight_bounds=(lo * w0, hi * w0)
                )
                attrs["iterations"] += cycles
                slack = max(tol, 1e-9)
                inside = (wb >= lo * w0 * (1 - slack)).all() and (wb <= hi * w0 * (1 + slack)).all()
            if inside and _margins_met(wb, sample_margins, controls):
                w = wb
                attrs["bounded"] = True
            else:  # the bounds cannot be met: keep the margins, unbounded
                w, passes = _svy_rake(sample, controls, tol=tol, max_iter=max_iter)
                attrs["iterations"] += passes
        else:
            attrs["bounded"] = True
    attrs["converged"] = _margins_met(w, sample_margins, controls)
    attrs["n_municipalities"] = n
    if not attrs["bounded"]:
        warnings.warn(
            f"raking weights could not be kept within {bounds} x mean (svy trim-rake cycle, "
            f"max_iter={max_iter}); unbounded raking kept: "
            f"range {w.min() / (N / n):.2f}-{w.max() / (N / n):.2f} x mean",
            stacklevel=2,
        )
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
    row = {
        "n": n,
        "sum": s,
        "min": float(w.min()) if n else np.nan,
        "max": float(w.max()) if n else np.nan,
        "mean": s / n if n else np.nan,
        "deff_kish": deff,
        "n_eff": n / deff if n and deff else np.nan,
    }
    return pd.DataFrame([row])
