"""``python -m analysis``: one scripted entry point for every published output.

Subcommands
-----------
demo     write the two synthetic demo waves (exports + manifests) into ``data/raw/``
ingest   register and/or ingest a wave into ``data/processed/<wave>/``
run      execute the parameterised notebooks for a wave into ``reports/<wave>/notebooks/``
report   build ``reports/<wave>/findings.html`` (and ``findings.en.html``)
all      demo -> ingest -> run -> report for the demo waves (the README's main command)
lab      open JupyterLab on the project
codebook the instrument as a readable codebook (``codebook show VERSION|PATH``, ``codebook docs``);
         ``codebook draft`` drafts an instrument file from an export, ``codebook diff A B``
         compares two versions
notes    register meeting notes (notes add WAVE FILE)
coding   coding sheets, import and agreement for notes and free text

User errors exit with status 2 and one line on standard error; a failing notebook exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from analysis.errors import UserError

DEMO_WAVES = ("demo-2022", "demo-2023")


def _add_demo(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="write the synthetic demo waves into data/raw/",
        description="Write two synthetic waves (demo-2022: Nettskjema CSV, instrument 1; "
        "demo-2023: SPSS .sav, instrument 2) with manifests, a fictional municipality "
        "frame and the ground truth of their planted effects. Deterministic from --seed.",
    )
    p.add_argument("--seed", type=int, default=20221115, help="random seed (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="overwrite existing demo waves")


def _add_ingest(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="register and ingest a wave",
        description="Register a new wave from an export (--wave WAVE --source FILE), or "
        "re-ingest a registered wave from its manifest (ingest WAVE). Writes "
        "data/processed/WAVE/: responses.parquet, quarantine.parquet, quality.json.",
    )
    p.add_argument("wave_pos", nargs="?", metavar="WAVE", help="a registered wave to re-ingest")
    p.add_argument("--wave", help="name of the wave to register (e.g. 2024)")
    p.add_argument("--source", type=Path, help="the export file as delivered")
    from analysis.io.manifest import add_format_argument

    add_format_argument(p)
    p.add_argument(
        "--instrument",
        metavar="VERSION|FILE",
        help="the instrument the wave used: a packaged version number, or the path of an "
        "instrument YAML file (see docs/new-instrument-version.md); default: inferred from "
        "the export's columns",
    )
    p.add_argument(
        "--frame",
        type=Path,
        help="municipality frame CSV for the wave's year (with WAVE: replaces a registered "
        "wave's frame, recorded in its manifest)",
    )
    p.add_argument(
        "--design",
        choices=["convenience", "census", "probability"],
        help="sampling design of the municipal stratum (default: convenience; with WAVE: "
        "corrects a registered wave's design, recorded in its manifest)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --wave and --source: register again a wave whose registration is "
        "incomplete or damaged (a complete registration is never replaced)",
    )
    # survey facts for the report's methods section (manifest "survey"; with WAVE: corrections)
    p.add_argument(
        "--fieldwork",
        nargs=2,
        metavar=("START", "END"),
        help="first and last day of data collection (YYYY-MM-DD)",
    )
    p.add_argument(
        "--invited",
        action="append",
        metavar="CATEGORY=N",
        help="number invited in a landlord category of the instrument, for the response rate "
        "(repeat per category, e.g. --invited kommunal=356)",
    )
    p.add_argument("--recruitment", metavar="TEXT", help="how respondents were recruited")
    p.add_argument("--mode", metavar="TEXT", help="mode of data collection")
    p.add_argument("--tool", metavar="TEXT", help="the survey tool (e.g. 'Nettskjema (UiO)')")


def _add_run(sub) -> None:
    p = sub.add_parser(
        "run",
        help="execute the notebooks for a wave",
        description="Execute the parameterised notebooks with papermill into "
        "reports/WAVE/notebooks/, in parallel, skipping notebooks whose inputs did not change.",
    )
    p.add_argument("wave", help="an ingested wave")
    p.add_argument(
        "--compare-with", metavar="WAVE", help="an earlier ingested wave to compare with"
    )
    p.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a notebook parameter (repeatable); checked against the parameters cell",
    )
    p.add_argument(
        "--jobs", type=int, default=None, help="notebooks at once (default: one per core)"
    )
    p.add_argument("--force", action="store_true", help="execute even if nothing changed")


def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="build the findings report for a wave",
        description="Build reports/WAVE/findings.html (Norwegian) or findings.en.html "
        "(English) from the findings notebook: offline, accessible, code hidden.",
    )
    p.add_argument("wave", help="an ingested wave")
    p.add_argument(
        "--lang", choices=["nb", "en"], default="nb", help="report language (default: nb)"
    )
    p.add_argument(
        "--disclosure",
        choices=["public", "internal"],
        default="public",
        help="public suppresses small cells and single municipalities (default: public)",
    )
    p.add_argument("--compare-with", metavar="WAVE", help="an earlier wave to compare with")
    p.add_argument("--force", action="store_true", help="build even if nothing changed")
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print an A4 PDF beside the HTML (findings.pdf / findings.en.pdf) with the "
        "system's Chromium; needs the 'pdf' extra (playwright)",
    )


def _add_all(sub) -> None:
    p = sub.add_parser(
        "all",
        help="demo -> ingest -> run -> report for the demo waves",
        description="The main job: writes the demo waves, ingests them, runs every "
        "notebook and builds the findings reports in both languages.",
    )
    p.add_argument("--seed", type=int, default=20221115, help="demo seed (default: %(default)s)")


def _add_lab(sub) -> None:
    p = sub.add_parser(
        "lab",
        help="open JupyterLab on the project",
        description="Start JupyterLab in the project root; the notebooks import the package. "
        "Run as root (e.g. in a container), it passes --allow-root.",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="do not open a browser (headless server)"
    )
    p.add_argument("--port", type=int, help="port to listen on (default: JupyterLab's, 8888)")


# --- codebook: one sub-subcommand per action; add an action as _add_codebook_<name>(actions)
# (its parser sets ``codebook_func``) and list it in CODEBOOK_ACTIONS --------------------------


def _add_codebook_show(actions) -> None:
    p = actions.add_parser(
        "show",
        help="print the readable codebook (Markdown) of a version or instrument file",
        description="Print the codebook of an instrument version (a packaged version number "
        "or a path to an instrument YAML file) as Markdown: questions, columns and export "
        "headers, codes, rules and scores.",
    )
    p.add_argument("instrument", metavar="VERSION|PATH", help="e.g. 2 or path/to/v3.yaml")
    p.add_argument(
        "--lang", choices=["nb", "en"], default="nb", help="language (default: %(default)s)"
    )
    p.set_defaults(codebook_func=cmd_codebook_show)


def _add_codebook_docs(actions) -> None:
    p = actions.add_parser(
        "docs",
        help="regenerate docs/instrument/vN.md for every packaged version",
        description="Write the codebook of every packaged instrument version into "
        "docs/instrument/ (a test checks that the committed files are in step).",
    )
    p.add_argument(
        "--check", action="store_true", help="only report files that are out of date (exit 1)"
    )
    p.set_defaults(codebook_func=cmd_codebook_docs)


def _add_codebook(sub) -> None:
    p = sub.add_parser(
        "codebook",
        help="the instrument as a readable codebook; draft one from an export; compare versions",
        description="Readable codebooks of instrument versions (show, docs); an instrument "
        "file drafted from an export's own metadata (draft); what changed between two "
        "versions (diff).",
    )
    actions = p.add_subparsers(dest="codebook_action", metavar="ACTION")
    actions.required = True
    for add in CODEBOOK_ACTIONS:
        add(actions)


def cmd_codebook_show(args) -> int:
    from analysis.instrument.docs import codebook_markdown, resolve_codebook

    sys.stdout.write(codebook_markdown(resolve_codebook(args.instrument), lang=args.lang))
    return 0


def cmd_codebook_docs(args) -> int:
    from analysis.instrument.docs import DOCS_COMMAND, source_root, write_docs

    root = source_root()
    changed = write_docs(root, check=args.check)
    for path in changed:
        rel = path.relative_to(root)
        print(f"{'out of date' if args.check else 'wrote'}: {rel}")
    if args.check and changed:
        print(f"run `{DOCS_COMMAND}` to refresh them", file=sys.stderr)
        return 1
    return 0


def _add_codebook_draft(actions) -> None:
    from analysis.io.codebook_commands import add_draft

    add_draft(actions)


def _add_codebook_diff(actions) -> None:
    from analysis.io.codebook_commands import add_diff

    add_diff(actions)


CODEBOOK_ACTIONS = (_add_codebook_show, _add_codebook_docs, _add_codebook_draft, _add_codebook_diff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Leieboermedvirkning survey: ingest exports, run notebooks, publish the findings report.",
    )
    from analysis import __version__

    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (
        _add_demo,
        _add_ingest,
        _add_run,
        _add_report,
        _add_all,
        _add_lab,
        _add_codebook,
        *QUAL_PARSERS,
    ):
        add(sub)
    return parser


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"parameter {item!r} must be NAME=VALUE")
        name, value = item.split("=", 1)
        out[name.strip()] = value
    return out


def cmd_demo(args) -> int:
    from analysis.questionnaire.demo import write_demo

    for path in write_demo(seed=args.seed, force=args.force):
        print(f"wrote {path}")
    return 0


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so the cleanup of Ctrl-C runs for it too."""


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """While active, SIGTERM raises :class:`_Terminated` (a KeyboardInterrupt) in the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_ingest(args) -> int:
    from analysis.clean.ingest import ingest_command

    try:
        with _sigterm_as_interrupt():
            return ingest_command(
                wave=args.wave_pos or args.wave,
                register=args.wave is not None,
                source=args.source,
                fmt=args.format,
                instrument=args.instrument,
                frame=args.frame,
                design=args.design,
                force=args.force,
                invited=args.invited,
                recruitment=args.recruitment,
                mode=args.mode,
                tool=args.tool,
                fieldwork=args.fieldwork,
            )
    except _Terminated:
        print("terminated: nothing half-written was left", file=sys.stderr)
        return 143


def cmd_run(args) -> int:
    from analysis.pipeline.faults import terminate_as_interrupt
    from analysis.pipeline.runner import run_wave

    with terminate_as_interrupt():  # SIGTERM cleans up as Ctrl-C does
        return run_wave(
            args.wave,
            compare_with=args.compare_with,
            params=_parse_params(args.parameter),
            jobs=args.jobs,
            force=args.force,
        )


def cmd_report(args) -> int:
    from analysis.pipeline.faults import terminate_as_interrupt
    from analysis.render.report import ReportBuildError, build_report_if_changed

    with terminate_as_interrupt():  # SIGTERM cleans up as Ctrl-C does
        try:
            path, built = build_report_if_changed(
                args.wave,
                lang=args.lang,
                disclosure=args.disclosure,
                compare_with=args.compare_with,
                force=args.force,
            )
        except ReportBuildError as exc:
            raise UserError(str(exc)) from None
        print(f"wrote {path}" if built else f"up to date: {path}")
        if getattr(args, "pdf", False):
            from analysis.render.report import build_pdf

            pdf, printed = build_pdf(path, wave=args.wave, force=args.force)
            print(f"wrote {pdf}" if printed else f"up to date: {pdf}")
    return 0


def _demo_and_ingest(seed: int) -> None:
    """The demo waves written and ingested, each step skipped when fresh (pipeline.stamps)."""
    from analysis.paths import processed_dir, project_root, raw_dir
    from analysis.pipeline.runner import package_fingerprint
    from analysis.pipeline.stamps import Stamp, tree_hash

    root = project_root()
    package = package_fingerprint()
    raws = [raw_dir(w, root) for w in DEMO_WAVES]
    demo = Stamp(root, "demo")
    if not demo.fresh({"seed": seed, "package": package}, raws):
        from analysis.questionnaire.demo import write_demo

        demo.forget()
        write_demo(seed=seed, force=True)
        demo.record({"seed": seed, "package": package}, raws)
    for wave, raw in zip(DEMO_WAVES, raws, strict=True):
        stamp = Stamp(root, f"ingest-{wave}")
        inputs = {"raw": tree_hash(raw), "package": package}
        if not stamp.fresh(inputs, [processed_dir(wave, root)]):
            from analysis.clean.ingest import ingest_command

            stamp.forget()
            ingest_command(wave=wave)
            stamp.record(inputs, [processed_dir(wave, root)])


def cmd_all(args) -> int:
    from analysis.pipeline.faults import stop_futures, terminate_as_interrupt
    from analysis.pipeline.runner import run_wave
    from analysis.render.report import ReportBuildError, build_report_if_changed

    t0 = time.perf_counter()
    with terminate_as_interrupt():
        _demo_and_ingest(args.seed)
        older, newer = DEMO_WAVES
        status = run_wave(older) or run_wave(newer, compare_with=older)
        if status:
            return status
        # the four reports are independent: build them side by side, one per core (each runs
        # its own kernel; the parent thread only waits and renders)
        from concurrent.futures import ThreadPoolExecutor

        jobs = [
            (wave, lang, compare)
            for wave, compare in ((older, None), (newer, older))
            for lang in ("nb", "en")
        ]
        pool = ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1)))
        futures = []
        interrupted = False
        try:
            futures = [
                pool.submit(build_report_if_changed, wave, lang=lang, compare_with=compare)
                for wave, lang, compare in jobs
            ]
            for future in futures:
                path, built = future.result()
                print(f"wrote {path}" if built else f"up to date: {path}")
        except ReportBuildError as exc:
            raise UserError(str(exc)) from None
        except BaseException:  # Ctrl-C / SIGTERM: start no report, stop the running kernels
            interrupted = True
            pool.shutdown(wait=False, cancel_futures=True)
            stop_futures(futures)
            raise
        finally:
            pool.shutdown(wait=not interrupted)
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


def lab_command(*, root: Path, no_browser: bool = False, port: int | None = None) -> list[str]:
    """The JupyterLab command line for ``python -m analysis lab``.

    Examples
    --------
    >>> cmd = lab_command(root=Path("/p"), no_browser=True, port=8890)
    >>> cmd[4:7]
    ['--notebook-dir=/p', '--no-browser', '--port=8890']
    """
    if port is not None and not 1 <= port <= 65535:
        raise UserError(f"--port must be between 1 and 65535, not {port}")
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={root}"]
    if no_browser:
        cmd.append("--no-browser")
    if port is not None:
        cmd.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root without it
    return cmd


def cmd_lab(args) -> int:
    import subprocess

    from analysis.paths import project_root

    root = project_root()
    cmd = lab_command(root=root, no_browser=args.no_browser, port=args.port)
    return subprocess.call(cmd, cwd=root)


def _check_wave_names(args) -> None:
    from analysis.paths import check_wave

    for attr in ("wave", "wave_pos", "compare_with"):
        value = getattr(args, attr, None)
        if value is not None:
            check_wave(value)


COMMANDS = {
    "demo": cmd_demo,
    "ingest": cmd_ingest,
    "run": cmd_run,
    "report": cmd_report,
    "all": cmd_all,
    "lab": cmd_lab,
    "codebook": lambda args: args.codebook_func(args),
}

# the qualitative strand: notes add, coding sheets/import/agreement (analysis.qual.cli)
from analysis.qual import cli as _qual_cli  # noqa: E402

QUAL_PARSERS = (_qual_cli.add_notes, _qual_cli.add_coding)
COMMANDS.update({"notes": _qual_cli.cmd_notes, "coding": _qual_cli.cmd_coding})


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_wave_names(args)
        return int(COMMANDS[args.command](args) or 0)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM in run/report/all (exit 143)
        print("interrupted", file=sys.stderr)
        code = getattr(exc, "exit_code", 130)
        if argv is None and args.command in ("run", "report", "all"):
            _exit_after_interrupt(code)
        return code


def _exit_after_interrupt(code: int) -> None:
    """End the program at once after an interrupted run/report/all has cleaned up.

    Everything that matters is done by now (finished outputs kept, temporary files removed,
    kernels killed); what is left is the interpreter's teardown of the kernel clients, which
    takes a second or two. Only when running as the program (``main()`` without ``argv``),
    never when ``main`` is called from Python.
    """
    if "analysis.pipeline.faults" in sys.modules:
        sys.modules["analysis.pipeline.faults"].kill_kernels()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
