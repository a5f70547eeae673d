"""The command line: useful --help everywhere, user errors as one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.cli import build_parser, main

SUBCOMMANDS = ("demo", "ingest", "run", "report", "all", "lab")


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: python -m analysis " + name in out
    # a description beyond the usage line
    assert len(out.splitlines()) > 3


def test_unknown_subcommand_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_user_error_is_one_line_and_exit_2(project_tmp, capsys):
    status = main(["run", "no such wave!"])
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "wave" in err[0]


def test_module_entry_point_runs():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("analysis ")


def test_parser_knows_the_ingest_options():
    args = build_parser().parse_args(
        ["ingest", "--wave", "2024", "--source", "x.csv", "--format", "spss", "--instrument", "2"]
    )
    assert (args.wave, args.format, args.instrument) == ("2024", "spss", "2")  # or a YAML path
