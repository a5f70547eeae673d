"""The readable codebook: complete for every packaged version, in step with docs/instrument/."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from analysis.instrument import docs
from analysis.instrument.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
VERSIONS = docs.packaged_versions()


@pytest.fixture
def isolated_registry(monkeypatch):
    """Instruments loaded from a path register process-wide under their version: keep this
    test's registrations from leaking into later tests."""
    from analysis.instrument import codebook as cbmod

    for name in ("_BY_VERSION", "_BY_FILE"):
        if hasattr(cbmod, name):
            monkeypatch.setattr(cbmod, name, dict(getattr(cbmod, name)))


def test_packaged_versions_are_discovered():
    files = sorted((REPO / "src/analysis/questionnaire/instruments").glob("instrument_v*.yaml"))
    assert VERSIONS == tuple(sorted(int(f.stem.split("_v")[1]) for f in files))
    assert {1, 2} <= set(VERSIONS)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("version", VERSIONS)
def test_every_question_row_option_code_and_score_appears(version, lang):
    cb = load_codebook(version)
    md = docs.codebook_markdown(cb, lang=lang)
    assert md.startswith("# ") and md.endswith("\n") and not md.endswith("\n\n")
    assert cb.title(lang) in md and f" {version})" in md.splitlines()[0]
    for q in cb.questions.values():
        assert f"### `{q.id}`: {q.text(lang)}" in md, q.id
        if lang == "en":
            assert q.text.nb in md, q.id  # the published wording is shown beside the English
        for col in q.columns:
            assert f"`{col}`" in md, col
            if q.parts:  # the export headers of every row and option
                assert f"`{cb.source_column(col, 'nettskjema')}`" in md, col
                assert f"`{cb.source_column(col, 'spss')}`" in md, col
        for p in q.parts:
            assert p.text(lang).replace("|", "\\|") in md, (q.id, p.id)
        for code, text in (q.scale or {}).items():
            assert f"| {code} | {text(lang)}" in md, (q.id, code)
    for s in cb.scores.values():
        assert f"### `{s.id}`: {s.label(lang)}" in md


def test_rules_and_non_substantive_codes_are_spelled_out():
    cb = load_codebook(1)
    md = docs.codebook_markdown(cb, lang="en")
    nonsub = [q for q in cb.questions.values() if q.type != "checkbox" and 9 in q.codes]
    assert nonsub and md.count("*(non-substantive)*") == len(nonsub)
    required = [q for q in cb.questions.values() if q.required]
    assert required and md.count("- Rules: required") == len(required)
    for q in cb.questions.values():
        if q.max_choices:
            assert f"at most {q.max_choices} choices" in md
        if q.exclusive_option:
            assert f"`{q.id}_{q.exclusive_option}` excludes the other options" in md
        for p in q.parts:
            if p.reverse:
                assert f"reverse-keyed: `{q.id}_{p.id}`" in md
    free = [q for q in cb.questions.values() if q.free_text]
    assert free and md.count("free text: may hold personal data") == len(free)
    nb = docs.codebook_markdown(cb, lang="nb")
    assert nb.count("fritekst: kan inneholde personopplysninger") == len(free)
    assert "## Mål (skårer)" in nb and "## Scores" in md


def test_scores_in_plain_words_follow_the_codebook():
    cb = load_codebook(1)
    md = docs.codebook_markdown(cb, lang="en")
    for s in cb.scores.values():
        items, left = docs.score_items_of(cb, s)
        block = md.split("\n## Scores\n")[1].split(f"### `{s.id}`")[1].split("\n### ")[0]
        assert f"({len(items)})" in block
        for c in items:
            assert f"`{c}`" in block
        for c in left:
            assert f"left out: `{c}`" in block or f"`{c}`" in block.split("left out:")[1]
        if s.min_valid is not None:
            assert f"at least {s.min_valid} of the {len(items)} items" in block
        if s.max_invalid is not None:
            assert f"more than {s.max_invalid} of the {len(items)} items" in block
        if s.method == "mean_rescaled":
            assert f"(m − {s.scale_min}) / ({s.scale_max} − {s.scale_min}) × 100" in block


def test_renamed_option_shows_its_export_header():
    cb = load_codebook(2)
    renamed = [
        (q.id, p.id, cb.native_part_id(q.id, p.id))
        for q in cb.questions.values()
        for p in q.parts
        if cb.native_part_id(q.id, p.id) != p.id
    ]
    assert renamed
    md = docs.codebook_markdown(cb, lang="en")
    for qid, canon, native in renamed:
        assert f"| `{qid}_{canon}` | `{qid}.{native}` | `{qid}_{native}` |" in md
        assert f"exported as `{native}`; processed data keep `{canon}`" in md


def test_base_and_changes_of_a_change_file(isolated_registry):
    """Version 3 of the test fixture (base 2): its own changes, then the inherited ones."""
    cb = load_codebook(REPO / "tests" / "fixtures" / "instrument_v3.yaml")
    assert cb.base == 2 and cb.changes
    md = docs.codebook_markdown(cb, lang="en")
    assert "Version 3 is written as changes to version 2." in md
    own = md.split("## Changes from version 2\n")[1].split("\n## ")[0].split("\n### ")[0]
    for rec in cb.changes:
        if rec.version != 3:
            continue
        target = f"{rec.question}_{rec.part}" if rec.part else rec.question
        assert f"`{target}`" in own, rec
    assert "- question `rolle` dropped (not asked)" in own
    assert "- new question `digital_plattform`" in own
    assert "is exported as `dialog`" in own
    assert "### Changes in version 2 (inherited)" in md
    assert "### `rolle`" not in md and "### `digital_plattform`" in md
    nb = docs.codebook_markdown(cb, lang="nb")
    assert "Versjon 3 er skrevet som endringer til versjon 2." in nb
    assert "- spørsmålet `rolle` er tatt ut (ikke spurt)" in nb


def test_change_records_of_any_shape():
    import copy

    cb = copy.copy(load_codebook(2))
    cb.changes = (
        {"version": 2, "kind": "add_row", "question": "q", "part": "r", "detail": ""},
        {"version": 2, "kind": "something_new", "question": "q2", "part": None, "detail": "why"},
    )
    md = docs.codebook_markdown(cb, lang="en")
    assert "- new row `q_r`" in md and "- something new: `q2`: why" in md
    cb.base = None
    md = docs.codebook_markdown(cb, lang="en")
    assert "full instrument file (no base version)" in md and "## Changes" not in md


def test_unknown_language_refused():
    with pytest.raises(ValueError, match="language"):
        docs.codebook_markdown(load_codebook(1), lang="de")


def test_generated_docs_are_in_step():
    stale = docs.write_docs(REPO, check=True)
    assert not stale, (
        f"{', '.join(str(p.relative_to(REPO)) for p in stale)} out of step with the instrument "
        f"YAML: run `{docs.DOCS_COMMAND}` and commit the result"
    )
    assert (REPO / "docs" / "instrument" / "README.md").is_file()


def test_write_docs_writes_and_checks(tmp_path):
    written = docs.write_docs(tmp_path)
    assert sorted(p.name for p in written) == [f"v{v}.md" for v in VERSIONS]
    assert docs.write_docs(tmp_path, check=True) == []
    (tmp_path / "docs/instrument/v1.md").write_text("old", encoding="utf-8")
    assert [p.name for p in docs.write_docs(tmp_path, check=True)] == ["v1.md"]
    assert (tmp_path / "docs/instrument/v1.md").read_text(encoding="utf-8") == "old"
    assert not list((tmp_path / "docs/instrument").glob(".*.tmp"))


def test_cli_show_version(capsys):
    assert main(["codebook", "show", "2", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out == docs.codebook_markdown(load_codebook(2), lang="en")


@pytest.mark.parametrize(
    "arg, match",
    [("99", "99"), ("missing/v3.yaml", "missing/v3.yaml: no such instrument file")],
)
def test_cli_show_bad_instrument_is_one_line(capsys, arg, match):
    assert main(["codebook", "show", arg]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err and "Traceback" not in err


def test_cli_show_path(capsys, tmp_path, isolated_registry):
    """A path is loaded when the loader takes paths; otherwise one line, exit 2."""
    src = REPO / "src/analysis/questionnaire/instruments/instrument_v1.yaml"
    path = tmp_path / "v1.yaml"
    path.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    status = main(["codebook", "show", str(path)])
    captured = capsys.readouterr()
    if docs._accepts_path():
        assert status == 0
        assert "`komp_na_alle`" in captured.out
    else:
        assert status == 2 and captured.err.count("\n") == 1 and str(path) in captured.err


def test_cli_docs_check(capsys):
    assert main(["codebook", "docs", "--check"]) == 0


# ---------------------------------------------------------------------------------------------
# docs/new-instrument-version.md: the worked example stays consistent with the instrument
# ---------------------------------------------------------------------------------------------

GUIDE = REPO / "docs" / "new-instrument-version.md"
VOCABULARY = {
    "add_questions",
    "drop_questions",
    "add_rows",
    "drop_rows",
    "add_options",
    "drop_options",
    "rename_rows",
    "rename_options",
    "recode",
    "texts",
    "scores",
    "drop_scores",
}


def _guide_example() -> dict:
    import re

    import yaml

    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    examples = [yaml.safe_load(b) for b in blocks if b.lstrip().startswith("# Version 3")]
    assert len(examples) == 1, "the guide should hold one worked example (version 3)"
    return examples[0]


def yaml_equal(path: Path, data: dict) -> bool:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) == data


def test_readme_links_the_guide():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a real wave")[1].split("\n## ")[0]
    assert "(docs/new-instrument-version.md)" in section


def test_worked_example_names_what_its_base_has(tmp_path, capsys, isolated_registry):
    ex = _guide_example()
    assert ex["version"] == 3 and ex["base"] == 2
    changes = ex["changes"]
    assert set(changes) <= VOCABULARY
    base = load_codebook(ex["base"])
    for qid in changes.get("drop_questions", []):
        assert qid in base.questions
    for key in ("add_rows", "drop_rows", "rename_rows"):
        for qid in changes.get(key, {}):
            assert base.question(qid).type == "matrix", (key, qid)
    for key in ("add_options", "drop_options", "rename_options"):
        for qid in changes.get(key, {}):
            assert base.question(qid).type == "checkbox", (key, qid)
    for qid, ren in changes.get("rename_options", {}).items():
        for old in ren:
            base.question(qid).part(old)
    new = changes["add_questions"]
    assert len(new) == 1 and new[0]["type"] == "single" and 9 in new[0]["scale"]
    assert new[0]["after"] in base.questions and new[0]["id"] not in base.questions
    for text in (new[0]["text"], *(t for rows in changes["add_rows"].values() for t in rows)):
        assert isinstance(text["nb"], str) and isinstance(text["en"], str)
    # once the loader takes paths, the example must load and read back as the guide says
    if docs._accepts_path():
        path = tmp_path / "v3.yaml"
        body = GUIDE.read_text(encoding="utf-8").split("```yaml\n# Version 3")[1]
        path.write_text("# Version 3" + body.split("```")[0], encoding="utf-8")
        assert yaml_equal(path, _guide_example())
        cb = docs.resolve_codebook(str(path))
        assert cb.version == 3 and "rolle" not in cb.questions
        assert "digital_plattform" in cb.questions and "komp_barn_unge" in cb.item_columns
        assert cb.source_column("behov_kommunikasjon", "nettskjema") == "behov.dialog"
        assert main(["codebook", "show", str(path), "--lang", "en"]) == 0
        out = capsys.readouterr().out
        assert "written as changes to version 2" in out and "`komp.barn_unge`" in out
