"""The manifest's ``survey`` facts and fieldwork dates (issue 14): strict reading, one line each."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.errors import InputFileError, UserError
from analysis.io.manifest import (
    MANIFEST_NAME,
    Manifest,
    check_survey_options,
    parse_invited,
    survey_from_options,
)

CATEGORIES = ("kommunal", "ideell", "kommersiell")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "export.csv").write_text("x", encoding="utf-8")
    Manifest(
        wave="2024",
        source_file="export.csv",
        format="nettskjema",
        instrument_version=1,
        sha256="0" * 64,
    ).write(tmp_path)
    return tmp_path


def _edit(folder, **change) -> None:
    path = folder / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_survey_round_trips(folder):
    survey = {
        "invited": {"kommunal": 356, "ideell": 0},
        "recruitment": "Invitasjon på e-post til alle kommuner",
        "mode": "nettskjema, selvutfylling",
        "tool": "Nettskjema (UiO)",
    }
    _edit(folder, survey=survey, fieldwork_start="2024-09-01", fieldwork_end="2024-09-01")
    m = Manifest.read(folder)
    assert m.survey == survey
    assert (m.fieldwork_start, m.fieldwork_end) == ("2024-09-01", "2024-09-01")
    m.write(folder)
    assert json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["survey"] == survey


def test_only_some_survey_keys(folder):
    _edit(folder, survey={"tool": "SurveyXact"})
    assert Manifest.read(folder).survey == {"tool": "SurveyXact"}


def test_old_manifest_without_survey_reads_as_empty(folder):
    path = folder / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["survey"]
    path.write_text(json.dumps(data), encoding="utf-8")
    m = Manifest.read(folder)
    assert m.survey == {}
    assert m.fieldwork_start is None and m.fieldwork_end is None


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"survey": []}, "survey"),
        ({"survey": {"invitert": {}}}, "invitert"),
        ({"survey": {"invited": [356]}}, "survey.invited"),
        ({"survey": {"invited": {"kommunal": -1}}}, "survey.invited.kommunal"),
        ({"survey": {"invited": {"kommunal": 35.5}}}, "survey.invited.kommunal"),
        ({"survey": {"invited": {"kommunal": "356"}}}, "survey.invited.kommunal"),
        ({"survey": {"invited": {"ideell": True}}}, "survey.invited.ideell"),
        ({"survey": {"invited": {"ideell": None}}}, "survey.invited.ideell"),
        ({"survey": {"recruitment": ["e-post"]}}, "survey.recruitment"),
        ({"survey": {"mode": 3}}, "survey.mode"),
        ({"survey": {"tool": None}}, "survey.tool"),
        ({"fieldwork_start": "15.09.2024"}, "fieldwork_start"),
        ({"fieldwork_end": "2024-02-30"}, "fieldwork_end"),
        ({"fieldwork_start": "2024-10-01", "fieldwork_end": "2024-09-01"}, "fieldwork_start"),
    ],
)
def test_bad_survey_is_one_line_naming_the_key(folder, change, key):
    _edit(folder, **change)
    with pytest.raises(InputFileError) as exc:
        Manifest.read(folder)
    line = str(exc.value)
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert MANIFEST_NAME in line and key in line, line


def test_bad_survey_through_the_cli_exits_2(project_tmp, capsys):
    raw = project_tmp / "data" / "raw" / "w"
    raw.mkdir(parents=True)
    (raw / "export.csv").write_text("x", encoding="utf-8")
    Manifest(
        wave="w",
        source_file="export.csv",
        format="nettskjema",
        instrument_version=1,
        sha256="0" * 64,
        survey={"invited": {"kommunal": 3}},
    ).write(raw)
    _edit(raw, survey={"invited": {"kommunal": -3}})
    assert main(["ingest", "w"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "manifest.json" in err and "survey.invited.kommunal" in err


def test_parse_invited():
    assert parse_invited(["kommunal=356", "ideell=0", "kommunal=357"]) == {
        "kommunal": 357,
        "ideell": 0,
    }
    for bad in ("kommunal", "=3", "kommunal=-1", "kommunal=3.5", "kommunal=", "kommunal=tre"):
        with pytest.raises(UserError, match="--invited"):
            parse_invited([bad])


def test_survey_from_options():
    assert survey_from_options(None, None, None, None) == {}
    assert survey_from_options(["ideell=5"], "E-post", "nett", "Nettskjema") == {
        "invited": {"ideell": 5},
        "recruitment": "E-post",
        "mode": "nett",
        "tool": "Nettskjema",
    }
    with pytest.raises(UserError, match="--tool"):
        survey_from_options(tool="  ")


def test_check_survey_options():
    check_survey_options({"invited": {"kommunal": 3}}, ("2024-01-01", "2024-02-01"), CATEGORIES)
    with pytest.raises(UserError, match="'privat' is not a landlord category"):
        check_survey_options({"invited": {"privat": 3}}, None, CATEGORIES)
    with pytest.raises(UserError, match="--fieldwork"):
        check_survey_options({}, ("2024-02-01", "2024-01-01"), CATEGORIES)
    with pytest.raises(UserError, match="--fieldwork"):
        check_survey_options({}, ("2024-1-1", "2024-02-01"), CATEGORIES)
