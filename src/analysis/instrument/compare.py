"""What two instrument versions share: comparability derived from the codebooks themselves.

Any two versions can be compared, not only a version and its base. Columns are matched by their
canonical id (a renamed row keeps its id, :mod:`analysis.instrument.codebook`); a question whose
codes were recoded is comparable when one version's lineage records the recode from the other
(its codes are mapped onto the other's coding); wording changes are comparable with a caveat.

Examples
--------
>>> from analysis.instrument.codebook import load_codebook
>>> t = item_comparability(load_codebook(1), load_codebook(2))
>>> t.loc[t["status"] != "same", "status"].tolist()     # merged codes, a renamed theme, a new row
['recoded', 'renamed', 'new']
>>> v1, v2 = load_codebook(1), load_codebook(2)
>>> len(shared_score_items(v1, v2, v1.score_for("competence")))
7
"""

from __future__ import annotations

import pandas as pd

from analysis.instrument.codebook import Codebook

#: Statuses of a column between versions a (earlier) and b (later), and whether it compares.
STATUSES: dict[str, bool] = {
    "same": True,
    "renamed": True,  # same meaning, another export id
    "text_changed": True,  # compared, with the wording change named
    "recoded": True,  # codes mapped onto one coding
    "scale_changed": False,  # codes changed with no recorded mapping
    "new": False,  # only in b: not asked in a
    "dropped": False,  # only in a: not asked in b
}

COLUMNS = ("column", "question", "status", "comparable", "export_a", "export_b", "detail")


def recode_between(a: Codebook, b: Codebook, question: str) -> tuple[str, dict[int, int]] | None:
    """How to bring ``question``'s codes of one version onto the other's coding.

    Returns ``("a", mapping)`` when a's codes map onto b's (b recoded since a), ``("b", mapping)``
    for the reverse, ``None`` when both code the question alike. Raises ``ValueError`` when the
    codes differ and no recorded recode connects them.
    """
    qa, qb = a.question(question), b.question(question)
    if qa.scale == qb.scale:
        return None
    if a.version in b.recode_from.get(question, {}):
        return "a", dict(b.recode_from[question][a.version])
    if b.version in a.recode_from.get(question, {}):
        return "b", dict(a.recode_from[question][b.version])
    raise ValueError(
        f"{question}: versions {a.version} and {b.version} code it differently and no recode "
        "between them is recorded"
    )


def item_comparability(a: Codebook, b: Codebook) -> pd.DataFrame:
    """Every column of either version with its status between ``a`` and ``b``.

    Returns
    -------
    DataFrame
        One row per canonical column (a's order, then b's new columns): ``column, question,
        status`` (see :data:`STATUSES`), ``comparable``, the export ids in each version and a
        ``detail`` (the new export id, the recode, ...).
    """
    rows = []
    cols_b = set(b.item_columns)
    for col in a.item_columns:
        qa, pa = a.locate(col)
        if col not in cols_b:
            rows.append((col, qa.id, "dropped", None))
            continue
        qb, pb = b.locate(col)
        status, detail = "same", ""
        if qa.type != qb.type:
            status, detail = "scale_changed", f"{qa.type} -> {qb.type}"
        elif qa.type in ("single", "matrix"):
            try:
                rec = recode_between(a, b, qa.id)
            except ValueError:
                status = "scale_changed"
            else:
                if rec is not None:
                    status, detail = (
                        "recoded",
                        f"version {a.version if rec[0] == 'a' else b.version} mapped {rec[1]}",
                    )
        if status == "same" and pa is not None and pa.export_id != pb.export_id:
            status, detail = "renamed", f"{pa.export_id} -> {pb.export_id}"
        if status == "same" and (a.label(col) != b.label(col) or qa.text != qb.text):
            status = "text_changed"
        rows.append((col, qa.id, status, detail))
    for col in b.item_columns:
        if not a.has_column(col):
            rows.append((col, b.locate(col)[0].id, "new", None))
    out = []
    for col, qid, status, detail in rows:
        out.append(
            {
                "column": col,
                "question": qid,
                "status": status,
                "comparable": STATUSES[status],
                "export_a": a.source_column(col, "spss") if a.has_column(col) else None,
                "export_b": b.source_column(col, "spss") if b.has_column(col) else None,
                "detail": detail or "",
            }
        )
    return pd.DataFrame(out, columns=list(COLUMNS))


def shared_score_items(a: Codebook, b: Codebook, score_id: str) -> tuple[str, ...] | None:
    """The items a score uses in BOTH versions (a's order), or None if it cannot be compared.

    A score compares when both versions define it from the same question by the same rule and
    the items they share all compare (:func:`item_comparability`).
    """
    try:
        ia, ib = a.score_items(score_id), b.score_items(score_id)
    except ValueError:
        return None
    sa, sb = a.scores[a._score_id(score_id)], b.scores[b._score_id(score_id)]
    if (sa.question, sa.method) != (sb.question, sb.method):
        return None
    shared = tuple(c for c in ia if c in set(ib))
    if not shared:
        return None
    status = item_comparability(a, b).set_index("column")["comparable"]
    if not all(bool(status.get(c, False)) for c in shared):
        return None
    return shared


def score_comparability(a: Codebook, b: Codebook) -> pd.DataFrame:
    """Every score of either version: compared on which items, and what is left out.

    Returns
    -------
    DataFrame
        ``score, comparable, n_items, items, only_a, only_b`` (item tuples).
    """
    rows = []
    for sid in dict.fromkeys((*a.score_columns, *b.score_columns)):
        shared = shared_score_items(a, b, sid)
        ia = a.score_items(sid) if sid in a.score_columns else ()
        ib = b.score_items(sid) if sid in b.score_columns else ()
        rows.append(
            {
                "score": sid,
                "comparable": shared is not None,
                "n_items": len(shared or ()),
                "items": shared or (),
                "only_a": tuple(c for c in ia if c not in set(shared or ())),
                "only_b": tuple(c for c in ib if c not in set(shared or ())),
            }
        )
    return pd.DataFrame(
        rows, columns=["score", "comparable", "n_items", "items", "only_a", "only_b"]
    )
