"""Subcommands of the qualitative strand (added to ``python -m analysis`` by :mod:`analysis.cli`).

notes add WAVE FILE                      register meeting notes (.docx, .md, .txt)
coding sheets WAVE --coder NAME [--out DIR] [--force]
                                         write NAME.xlsx (default folder data/interim/WAVE/coding/)
coding import WAVE SHEET.xlsx --coder NAME
                                         check a filled sheet and register it
coding agreement WAVE [--coders A B] [--n-boot N] [--seed S]
                                         agreement of two coders, per code and overall
"""

from __future__ import annotations

from pathlib import Path


def add_notes(sub) -> None:
    p = sub.add_parser(
        "notes",
        help="register meeting notes for a wave",
        description="Meeting notes (.docx, .md, .txt) are copied read-only into "
        "data/raw/WAVE/notes/ with their checksum in the manifest; 'ingest WAVE' reads them "
        "(redacted at the door, participant lists removed) into data/processed/WAVE/segments.parquet.",
    )
    s = p.add_subparsers(dest="notes_command", metavar="ACTION")
    s.required = True
    a = s.add_parser("add", help="register a notes file", description="Register a notes file.")
    a.add_argument("wave", help="a registered wave")
    a.add_argument("file", type=Path, help="the notes file (.docx, .md or .txt)")


def add_coding(sub) -> None:
    p = sub.add_parser(
        "coding",
        help="coding sheets, import and agreement for notes and free text",
        description="Qualitative coding of the wave's segments (meeting paragraphs and "
        "free-text answers) with the wave's coding frame.",
    )
    s = p.add_subparsers(dest="coding_command", metavar="ACTION")
    s.required = True
    sh = s.add_parser("sheets", help="write a coding sheet for a coder")
    sh.add_argument("wave", help="an ingested wave")
    sh.add_argument("--coder", required=True, help="coder name (names the file NAME.xlsx)")
    sh.add_argument("--out", type=Path, help="folder (default: data/interim/WAVE/coding/)")
    sh.add_argument("--force", action="store_true", help="overwrite an existing sheet")
    sh.add_argument(
        "--lang", choices=["nb", "en"], default="nb", help="language of the codes sheet"
    )
    im = s.add_parser("import", help="check a filled sheet and register it")
    im.add_argument("wave", help="an ingested wave")
    im.add_argument("sheet", type=Path, help="the filled .xlsx")
    im.add_argument("--coder", required=True, help="coder name ('final' for the reconciled sheet)")
    ag = s.add_parser("agreement", help="agreement between two coders")
    ag.add_argument("wave", help="an ingested wave with two registered coders")
    ag.add_argument("--coders", nargs=2, metavar=("A", "B"), help="the two coders to compare")
    ag.add_argument(
        "--n-boot", type=int, default=2000, help="bootstrap replicates (default: %(default)s)"
    )
    ag.add_argument(
        "--seed", type=int, default=20221115, help="bootstrap seed (default: %(default)s)"
    )


def cmd_notes(args) -> int:
    from analysis.clean.notes import add_notes as register

    dest = register(args.wave, args.file)
    print(f"registered {dest}; run 'python -m analysis ingest {args.wave}' to process it")
    return 0


def agreement_table(wave: str, *, coders=None, n_boot: int = 2000, seed: int = 20221115, root=None):
    """Agreement of two registered coders of a wave on the segments both coded."""
    from analysis.errors import UserError
    from analysis.qual.agreement import agreement
    from analysis.qual.codeframe import frame_for_wave
    from analysis.qual.sheets import FINAL_CODER, load_codings, registered_coders

    if coders is None:
        coders = [c for c in registered_coders(wave, root=root) if c != FINAL_CODER]
        if len(coders) != 2:
            raise UserError(
                f"wave {wave!r} has {len(coders)} registered coders besides '{FINAL_CODER}' "
                f"({', '.join(coders) or 'none'}): name two with --coders A B"
            )
    a_name, b_name = coders
    codings = load_codings(wave, coders=[a_name, b_name], root=root)
    frame = frame_for_wave(wave, root=root)
    a, b = codings[a_name], codings[b_name]
    both = [s for s in a.index if s in set(b.index)]
    if not both:
        raise UserError(f"coders {a_name!r} and {b_name!r} coded no segment in common")
    table = agreement(a.loc[both], b.loc[both], codes=list(frame.ids), n_boot=n_boot, seed=seed)
    table.attrs.update({"coders": (a_name, b_name), "segments": len(both)})
    return table


def cmd_coding(args) -> int:
    from analysis.qual import sheets

    if args.coding_command == "sheets":
        path = sheets.coding_sheets(
            args.wave, args.coder, out=args.out, force=args.force, lang=args.lang
        )
        print(f"wrote {path}")
    elif args.coding_command == "import":
        coding = sheets.import_sheet(args.wave, args.sheet, args.coder)
        coded = int((coding.drop(columns="quote").sum(axis=1) > 0).sum())
        print(
            f"registered coding of {args.coder!r} for {args.wave}: {len(coding)} segments "
            f"({coded} with at least one code, {int(coding['quote'].sum())} quotes approved)"
        )
    else:
        table = agreement_table(args.wave, coders=args.coders, n_boot=args.n_boot, seed=args.seed)
        a, b = table.attrs["coders"]
        print(f"{args.wave}: agreement of {a} and {b} on {table.attrs['segments']} segments")
        show = table[["code", "n", "n11", "n10", "n01", "n00"]].copy()
        for k in ("percent", "kappa", "alpha"):
            show[k] = [
                "NA" if v != v else f"{v:.3f} [{lo:.3f}, {hi:.3f}]"
                for v, lo, hi in zip(table[k], table[f"{k}_low"], table[f"{k}_high"], strict=True)
            ]
        print(show.to_string(index=False))
        print(
            f"95 % bootstrap intervals over segments ({args.n_boot} replicates, seed {args.seed})"
        )
    return 0
