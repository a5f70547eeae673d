"""Survey facts for the methods section (issue 14): ``--invited``, ``--recruitment``, ``--mode``,
``--tool`` and ``--fieldwork`` at registration and as corrections of a registered wave."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import fixtures_exports as fx
from analysis.clean.ingest import correct_registration, register_wave
from analysis.cli import main
from analysis.errors import UserError
from analysis.io.manifest import Manifest


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def export(tmp_path):
    (tmp_path / "inbox").mkdir(exist_ok=True)
    return fx.write_nettskjema(fx.canonical_answers(1), tmp_path / "inbox" / "export.csv")


SURVEY_ARGS = [
    "--invited", "kommunal=356",
    "--invited", "ideell=120",
    "--recruitment", "Invitasjon på e-post til alle kommuner",
    "--mode", "nettskjema, selvutfylling",
    "--tool", "Nettskjema (UiO)",
    "--fieldwork", "2024-09-02", "2024-10-15",
]  # fmt: skip


def test_registration_records_the_survey_facts(project_tmp, export):
    assert main(["ingest", "--wave", "w", "--source", str(export), *SURVEY_ARGS]) == 0
    m = Manifest.read(project_tmp / "data" / "raw" / "w")
    assert m.survey == {
        "invited": {"kommunal": 356, "ideell": 120},
        "recruitment": "Invitasjon på e-post til alle kommuner",
        "mode": "nettskjema, selvutfylling",
        "tool": "Nettskjema (UiO)",
    }
    assert (m.fieldwork_start, m.fieldwork_end) == ("2024-09-02", "2024-10-15")
    assert m.corrections == []  # set at registration, not corrected
    assert (project_tmp / "data" / "processed" / "w" / "responses.parquet").is_file()


def test_registration_without_the_facts_leaves_them_empty(project_tmp, export):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    m = Manifest.read(project_tmp / "data" / "raw" / "w")
    assert m.survey == {} and m.fieldwork_start is None and m.fieldwork_end is None
    assert "survey" in json.loads(
        (project_tmp / "data" / "raw" / "w" / "manifest.json").read_text()
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--invited", "privat=10"], "privat"),
        (["--invited", "kommunal=-1"], "kommunal=-1"),
        (["--invited", "kommunal=ti"], "kommunal=ti"),
        (["--invited", "kommunal"], "CATEGORY=N"),
        (["--fieldwork", "2024-10-15", "2024-09-02"], "--fieldwork"),
        (["--fieldwork", "15.09.2024", "2024-10-15"], "--fieldwork"),
        (["--mode", ""], "--mode"),
    ],
)
def test_bad_facts_at_registration_register_nothing(project_tmp, export, capsys, args, expected):
    assert main(["ingest", "--wave", "w", "--source", str(export), *args]) == 2
    assert expected in _one_error_line(capsys)
    assert not (project_tmp / "data" / "raw" / "w").exists()
    assert not list((project_tmp / "data" / "raw").glob(".w-*"))


def test_register_wave_api(project_tmp, export):
    m = register_wave(
        "w",
        export,
        survey={"invited": {"kommersiell": 40}, "tool": "SurveyXact"},
        fieldwork=("2024-01-01", "2024-01-31"),
    )
    assert m.survey == {"invited": {"kommersiell": 40}, "tool": "SurveyXact"}
    assert Manifest.read(project_tmp / "data" / "raw" / "w") == m


def test_facts_corrected_after_registration(project_tmp, export, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    capsys.readouterr()
    assert main(["ingest", "w", *SURVEY_ARGS]) == 0
    assert "corrected w: survey.invited.kommunal None -> 356" in capsys.readouterr().out
    m = Manifest.read(raw)
    assert m.survey["invited"] == {"kommunal": 356, "ideell": 120}
    assert (m.fieldwork_start, m.fieldwork_end) == ("2024-09-02", "2024-10-15")
    today = date.today().isoformat()
    assert m.corrections == [
        {"date": today, "field": "fieldwork_start", "old": None, "new": "2024-09-02"},
        {"date": today, "field": "fieldwork_end", "old": None, "new": "2024-10-15"},
        {"date": today, "field": "survey.invited.kommunal", "old": None, "new": 356},
        {"date": today, "field": "survey.invited.ideell", "old": None, "new": 120},
        {"date": today, "field": "survey.recruitment", "old": None,
         "new": "Invitasjon på e-post til alle kommuner"},
        {"date": today, "field": "survey.mode", "old": None, "new": "nettskjema, selvutfylling"},
        {"date": today, "field": "survey.tool", "old": None, "new": "Nettskjema (UiO)"},
    ]  # fmt: skip
    # a second correction: one count changed, the other counts and texts kept
    assert main(["ingest", "w", "--invited", "kommunal=357", "--invited", "kommersiell=0"]) == 0
    m = Manifest.read(raw)
    assert m.survey["invited"] == {"kommunal": 357, "ideell": 120, "kommersiell": 0}
    assert m.survey["tool"] == "Nettskjema (UiO)"
    assert [(c["field"], c["old"], c["new"]) for c in m.corrections[7:]] == [
        ("survey.invited.kommunal", 356, 357),
        ("survey.invited.kommersiell", None, 0),
    ]
    # the same values again: nothing recorded
    before = (raw / "manifest.json").read_bytes()
    assert main(["ingest", "w", "--invited", "kommunal=357", "--tool", "Nettskjema (UiO)"]) == 0
    assert (raw / "manifest.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--invited", "kommunal=300", "--invited", "privat=10"], "privat"),
        (["--tool", "SurveyXact", "--invited", "ideell=1.5"], "ideell=1.5"),
        (["--design", "census", "--fieldwork", "2024-10-15", "2024-09-02"], "--fieldwork"),
    ],
)
def test_bad_correction_changes_nothing(project_tmp, export, capsys, args, expected):
    assert main(["ingest", "--wave", "w", "--source", str(export), *SURVEY_ARGS]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    before = _snapshot(raw)
    capsys.readouterr()
    assert main(["ingest", "w", *args]) == 2
    assert expected in _one_error_line(capsys)
    assert _snapshot(raw) == before


def test_correction_api_checks_against_the_wave_instrument(project_tmp, export):
    register_wave("w", export)
    with pytest.raises(UserError, match="kommunal, ideell, kommersiell"):
        correct_registration("w", survey={"invited": {"Kommunal": 3}})
    m = correct_registration("w", survey={"mode": "papir"}, fieldwork=("2024-03-01", "2024-03-02"))
    assert m.survey == {"mode": "papir"} and m.fieldwork_end == "2024-03-02"
    assert [c["field"] for c in m.corrections] == [
        "fieldwork_start",
        "fieldwork_end",
        "survey.mode",
    ]


def test_survey_options_are_for_registration_or_correction_only(project_tmp, export, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    capsys.readouterr()
    assert main(["ingest", "w", "--instrument", "1", "--tool", "x"]) == 2
    assert "--tool" in _one_error_line(capsys)
