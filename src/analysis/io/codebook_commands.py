"""The ``codebook draft`` and ``codebook diff`` actions of ``python -m analysis``.

Kept apart from :mod:`analysis.cli` so that the ``codebook`` command can gain actions without
the command-line module growing: :func:`add_draft` and :func:`add_diff` add their parsers to
the ``codebook`` subparsers, and set ``codebook_func`` to the function that runs them.
"""

from __future__ import annotations

from pathlib import Path

from analysis.instrument.codebook import Codebook, load_codebook


def add_draft(actions) -> None:
    p = actions.add_parser(
        "draft",
        help="draft an instrument file from an export's own metadata",
        description="Write an instrument YAML file from what an export says about itself "
        "(SurveyXact structure and labels, SPSS variable and value labels, Nettskjema "
        "headers, Microsoft Forms headers and answers). With --base the draft is written as "
        "changes to that version. Lines to check are marked '# CHECK:'. The file is accepted "
        "by 'ingest --instrument FILE.yaml' as it is.",
    )
    p.add_argument("--source", type=Path, required=True, help="the export as delivered")
    from analysis.io.manifest import add_format_argument

    add_format_argument(p)
    p.add_argument(
        "--base",
        metavar="VERSION|FILE",
        help="write the draft as changes to this instrument version (a number or a YAML file)",
    )
    p.add_argument("--out", type=Path, required=True, help="the instrument file to write (.yaml)")
    p.set_defaults(codebook_func=run_draft)


def add_diff(actions) -> None:
    p = actions.add_parser(
        "diff",
        help="what changed between two instrument versions",
        description="Print the columns added, dropped, renamed, recoded and with changed "
        "wording between instrument versions A and B, and which scores stay comparable.",
    )
    p.add_argument("a", metavar="A", help="a version number or an instrument YAML file")
    p.add_argument("b", metavar="B", help="a version number or an instrument YAML file")
    p.set_defaults(codebook_func=run_diff)


def run_draft(args) -> int:
    from analysis.io.draft import draft_codebook

    result = draft_codebook(args.source, out=args.out, fmt=args.format, base=args.base)
    print(result.summary())
    return 0


def run_diff(args) -> int:
    a, b = load_codebook(args.a), load_codebook(args.b)
    print(diff_text(a, b))
    return 0


#: Headings of :func:`diff_text`, in order: status -> heading.
HEADINGS = {
    "new": "added",
    "dropped": "dropped",
    "renamed": "renamed (same meaning, new export id)",
    "recoded": "recoded (codes mapped)",
    "text_changed": "text changed",
    "scale_changed": "scale changed (no recorded mapping: not comparable)",
}


def diff_text(a: Codebook, b: Codebook) -> str:
    """What changed from version ``a`` to version ``b``, as lines for the terminal.

    Examples
    --------
    >>> print(diff_text(load_codebook(1), load_codebook(2)))  # doctest: +ELLIPSIS
    instrument version 1 -> version 2
      added (1): ...
      dropped: none
      renamed (same meaning, new export id) (1): ... (... -> ...)
      recoded (codes mapped) (1): ... (version 1 code -> version 2 code: {1: 1, 2: 2, 3: 2, 4: 4, 5: 5})
      unchanged: 61 column(s)
    scores:
      ...: comparable on 7 item(s)
    ...
    """
    from analysis.instrument.compare import item_comparability, recode_between, score_comparability

    items = item_comparability(a, b)
    lines = [f"instrument version {a.version} -> version {b.version}"]
    for status, heading in HEADINGS.items():
        rows = items[items["status"] == status]
        if rows.empty:
            if status in ("new", "dropped"):
                lines.append(f"  {heading}: none")
            continue
        shown = []
        for r in rows.itertuples(index=False):
            detail = r.detail
            if status == "recoded":
                side, mapping = recode_between(a, b, r.question)
                src, dst = (a, b) if side == "a" else (b, a)
                detail = f"version {src.version} code -> version {dst.version} code: {mapping}"
            shown.append(f"{r.column} ({detail})" if detail else str(r.column))
        lines.append(f"  {heading} ({len(rows)}): {', '.join(shown)}")
    same = int((items["status"] == "same").sum())
    lines.append(f"  unchanged: {same} column(s)")
    lines.append("scores:")
    for r in score_comparability(a, b).itertuples(index=False):
        if not r.comparable:
            where = [v for v, cb in ((a.version, a), (b.version, b)) if r.score in cb.score_columns]
            lines.append(
                f"  {r.score}: not comparable"
                + (f" (only in version {where[0]})" if len(where) == 1 else "")
            )
            continue
        extra = []
        if r.only_a:
            extra.append(f"only in version {a.version}: {', '.join(r.only_a)}")
        if r.only_b:
            extra.append(f"only in version {b.version}: {', '.join(r.only_b)}")
        lines.append(
            f"  {r.score}: comparable on {r.n_items} item(s)"
            + ("; " + "; ".join(extra) if extra else "")
        )
    return "\n".join(lines)
