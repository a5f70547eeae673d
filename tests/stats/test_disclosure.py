"""Disclosure control: property tests with an independent linear attacker, and the rules for
single municipalities, internal output, notes and display."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.stats.disclosure import (
    SUPPRESSED,
    apply_disclosure,
    derivable_cells,
    disclosure_note,
    show_suppressed,
)

# ------------------------------------------------------------------------- the attacker


def attack(n_cells: int, constraints, hidden: np.ndarray, values: np.ndarray) -> dict[int, float]:
    """Solve every hidden cell that the shown cells and the totals determine.

    Independent of the module: a hidden cell u is determined iff adding the unit row e_u to
    the constraint matrix (restricted to hidden cells) does not raise its rank. The value is
    then recovered by least squares from the shown values. Returns {cell: recovered value}.
    """
    unknown = np.flatnonzero(hidden)
    if len(unknown) == 0:
        return {}
    pos = {c: j for j, c in enumerate(unknown)}
    A, b = [], []
    for parts, total in constraints:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for c, sign in [(p, 1.0) for p in parts] + [(total, -1.0)]:
            if c in pos:
                row[pos[c]] += sign
            else:
                rhs -= sign * values[c]
        A.append(row)
        b.append(rhs)
    A, b = np.array(A), np.array(b)
    if not A.any():
        return {}
    rank = np.linalg.matrix_rank(A)
    sol = np.linalg.lstsq(A, b, rcond=None)[0]
    found = {}
    for c, j in pos.items():
        e = np.zeros(len(unknown))
        e[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([A, e])) == rank:
            found[c] = float(sol[j])
    return found


def group_constraints(table: pd.DataFrame):
    """Blocks of a tidy group table: per variable and group_var, groups add up to the total."""
    cons = []
    for _, t in table.groupby("variable", sort=False):
        total = t.index[t["group_var"] == "total"]
        for gv, b in t.groupby("group_var", sort=False):
            if gv != "total":
                cons.append((list(b.index), int(total[0])))
    return cons


def test_attacker_recovers_a_lone_hidden_group():
    # only primary suppression (group A hidden) lets the attacker recompute n and n * mean
    values_n = np.array([30.0, 3, 12, 15])
    found = attack(4, [([1, 2, 3], 0)], np.array([False, True, False, False]), values_n)
    assert found == {1: pytest.approx(3.0)}
    sums = values_n * np.array([50.0, 40, 50, 52])  # total 30 x 50 = 3*40 + 12*50 + 15*52
    assert attack(4, [([1, 2, 3], 0)], np.array([False, True, False, False]), sums)[
        1
    ] == pytest.approx(120)
    # two hidden groups: nothing is determined
    assert attack(4, [([1, 2, 3], 0)], np.array([False, True, True, False]), values_n) == {}


# ------------------------------------------------------------------------- group tables


@st.composite
def group_tables(draw):
    rows = []
    for v in range(draw(st.integers(1, 2))):
        blocks = {
            f"g{b}": draw(st.lists(st.integers(0, 25), min_size=1, max_size=6))
            for b in range(draw(st.integers(1, 3)))
        }
        total_n = sum(next(iter(blocks.values())))
        means_all = []
        for gv, ns in blocks.items():
            # every block partitions the same respondents: rescale its last group to the total
            ns = list(ns)
            ns[-1] = max(total_n - sum(ns[:-1]), 0) if len(ns) > 1 else total_n
            blocks[gv] = ns
        total_n = sum(next(iter(blocks.values())))
        for gv, ns in blocks.items():
            ms = [draw(st.floats(0, 100)) for _ in ns]
            means_all.append((gv, ns, ms))
        # the total mean is taken from the first block (consistency across blocks is not needed
        # for the linear attack, which uses each block separately)
        gv0, ns0, ms0 = means_all[0]
        tot_mean = (
            sum(n * m for n, m in zip(ns0, ms0, strict=True)) / total_n if total_n else np.nan
        )
        rows.append(
            {
                "variable": f"v{v}",
                "group_var": "total",
                "group": "Alle",
                "n": total_n,
                "estimate": tot_mean,
            }
        )
        for gv, ns, ms in means_all:
            for i, (n, m) in enumerate(zip(ns, ms, strict=True)):
                rows.append(
                    {
                        "variable": f"v{v}",
                        "group_var": gv,
                        "group": f"{gv}-{i}",
                        "n": n,
                        "estimate": m,
                    }
                )
    return pd.DataFrame(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(group_tables(), st.sampled_from([3, 5]))
def test_group_tables_public_suppression_is_safe(table, min_n):
    out = apply_disclosure(table, min_n=min_n)
    assert len(out) == len(table)
    shown = ~out["suppressed"].to_numpy()
    # (1) no shown cell rests on min_n or fewer respondents
    assert (table.loc[shown, "n"] > min_n).all()
    # suppressed values are really gone
    assert out.loc[~shown, ["n", "estimate"]].isna().all().all()
    # (2) nothing suppressed can be recomputed: neither n nor n * mean
    cons = group_constraints(table)
    hidden = ~shown
    assert attack(len(table), cons, hidden, table["n"].to_numpy(float)) == {}
    sums = (table["n"] * table["estimate"].fillna(0)).to_numpy(float)
    assert attack(len(table), cons, hidden, sums) == {}


def test_group_table_rule_next_smallest_group_and_total_fallback():
    t = pd.DataFrame(
        {
            "variable": "x",
            "group_var": ["total", "a", "a", "a", "b"],
            "group": ["Alle", "a1", "a2", "a3", "b1"],
            "n": [40, 2, 20, 18, 40],
            "estimate": [1.0, 2, 3, 4, 5],
        }
    )
    out = apply_disclosure(t)
    # a1 primary, a3 (18 < 20) secondary; block b has one shown group equal to the total
    assert out["suppression"].tolist() == ["", "primary", "", "secondary", ""]
    t2 = pd.DataFrame(
        {
            "variable": "x",
            "group_var": ["total", "a"],
            "group": ["Alle", "a1"],
            "n": [4, 4],
            "estimate": [1.0, 1.0],
        }
    )
    assert apply_disclosure(t2)["suppressed"].all()
    # a single suppressed group whose block has no other group: the total goes too
    t3 = pd.DataFrame(
        {
            "variable": "x",
            "group_var": ["total", "a", "b", "b"],
            "group": ["Alle", "a1", "b1", "b2"],
            "n": [40, 40, 3, 37],
            "estimate": [1.0, 1.0, 2.0, 3.0],
        }
    )
    out3 = apply_disclosure(t3)
    hidden = out3["suppressed"].to_numpy()
    assert attack(4, group_constraints(t3), hidden, t3["n"].to_numpy(float)) == {}


def test_estimates_output_goes_through(tmp_path):
    from analysis.stats.estimates import group_means, group_proportions

    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "kompetanse": rng.uniform(0, 100, 60),
            "komp_mote": rng.choice([1, 4, 5, 9], 60),
            "fylke": rng.choice(["A", "B", "C", "D"], 60, p=[0.6, 0.3, 0.07, 0.03]),
            "kommune": rng.choice(["K1", "K2"], 60),
            "kommunenummer": None,
        }
    )
    for table in (
        group_means(df, "kompetanse", ["fylke", "kommune"]),
        group_proportions(df, "komp_mote", ["fylke", "kommune"]),
    ):
        out = apply_disclosure(table)
        assert "kommune" not in set(out["group_var"])  # never a single municipality
        assert out.attrs["removed"] == 2 and "enkeltkommuner" in out.attrs["note"]
        kept = table[table["group_var"] != "kommune"].reset_index(drop=True)
        hidden = out["suppressed"].to_numpy()
        assert (kept.loc[~hidden, "n"] > 5).all()
        assert attack(len(kept), group_constraints(kept), hidden, kept["n"].to_numpy(float)) == {}
        value_cols = [c for c in table.columns if c not in ("variable", "group_var", "group")]
        assert out.loc[hidden, value_cols].isna().all().all()


def test_internal_level_suppresses_nothing():
    t = pd.DataFrame(
        {
            "variable": "x",
            "group_var": ["total", "kommune", "kommune"],
            "group": ["Alle", "K1", "K2"],
            "n": [3, 1, 2],
            "estimate": [1.0, 2, 3],
        }
    )
    out = apply_disclosure(t, level="internal")
    assert not out["suppressed"].any() and len(out) == 3
    assert out["n"].tolist() == [3, 1, 2]
    assert out.attrs["note"] == disclosure_note(5, level="internal")
    with pytest.raises(ValueError):
        apply_disclosure(t, level="secret")


# ------------------------------------------------------------------------- count tables


def count_constraints(R: int, C: int):
    cell = np.arange(R * C).reshape(R, C)
    cons = [([int(cell[i, j]) for j in range(C - 1)], int(cell[i, C - 1])) for i in range(R)]
    cons += [([int(cell[i, j]) for i in range(R - 1)], int(cell[R - 1, j])) for j in range(C)]
    return cons


@st.composite
def count_tables(draw):
    r = draw(st.integers(1, 5))
    c = draw(st.integers(1, 5))
    counts = np.array(
        draw(st.lists(st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r))
    )
    full = np.zeros((r + 1, c + 1), dtype=int)
    full[:r, :c] = counts
    full[:r, c] = counts.sum(axis=1)
    full[r, :] = full[:r, :].sum(axis=0)
    return pd.DataFrame(
        full,
        index=[f"r{i}" for i in range(r)] + ["Total"],
        columns=[f"c{j}" for j in range(c)] + ["Total"],
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables(), st.sampled_from([2, 5]))
def test_count_tables_public_suppression_is_safe(table, min_n):
    out = apply_disclosure(table, n_col=None, total_row="Total", total_col="Total", min_n=min_n)
    mask = out.attrs["suppressed"].to_numpy()
    values = table.to_numpy(float)
    # (1) every shown count is above min_n
    assert (values[~mask] > min_n).all()
    assert out.isna().to_numpy()[mask].all() and not out.isna().to_numpy()[~mask].any()
    # (2) the attacker can recompute nothing
    R, C = table.shape
    assert attack(R * C, count_constraints(R, C), mask.ravel(), values.ravel()) == {}


def test_count_table_secondary_example():
    t = pd.DataFrame(
        {"ja": [3, 10, 13], "nei": [8, 9, 17], "Total": [11, 19, 30]},
        index=["kommunal", "ideell", "Total"],
    )
    out = apply_disclosure(t, n_col=None, total_row="Total", total_col="Total")
    assert out.attrs["suppressed"].to_numpy().tolist() == [
        [True, True, False],
        [True, True, False],
        [False, False, False],
    ]
    shown = show_suppressed(out)
    assert shown.loc["kommunal", "ja"] == SUPPRESSED and shown.loc["Total", "Total"] == "30"


def test_count_table_by_municipality_is_refused():
    t = pd.DataFrame({"ja": [10, 12]}, index=pd.Index(["0301", "1103"], name="kommunenummer"))
    with pytest.raises(ValueError, match="single municipalities"):
        apply_disclosure(t, n_col=None)
    assert not apply_disclosure(t, n_col=None, level="internal").attrs["suppressed"].any().any()


def test_derivable_cells_agrees_with_attacker_on_a_dumbbell():
    # two suppressed 2x2 rectangles joined by a bridge cell: degree >= 2 everywhere, yet the
    # bridge is determined (row/column sums over each rectangle). A 5x5 table with totals.
    R, C = 5, 5
    hidden = np.zeros((R, C), bool)
    for i, j in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        hidden[i, j] = True
    values = np.arange(R * C, dtype=float).reshape(R, C)
    got = derivable_cells(R * C, count_constraints(R, C), hidden.ravel())
    want = attack(R * C, count_constraints(R, C), hidden.ravel(), values.ravel())
    assert set(np.flatnonzero(got)) == set(want)
    assert set(want) == {1 * C + 2}


def test_notes():
    assert "5 eller færre" in disclosure_note(5, "nb")
    assert "3 or fewer" in disclosure_note(3, "en")
    assert SUPPRESSED in disclosure_note(5, "en")
    with pytest.raises(ValueError):
        disclosure_note(5, "de")
