"""The ingest command under faults (issue 11): full disk, read-only folders, files deleted after
registration, SIGTERM, corrections of frame and design, frames saved from Excel, a folder as source.

Tests run as root, so ``chmod`` does not stop a write: a read-only folder and a full disk are
simulated by monkeypatching the operating-system calls to fail the way the kernel does.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import fixtures_exports as fx
from analysis.clean.ingest import load_processed, load_quality, load_wave_frame
from analysis.cli import main
from analysis.io.manifest import Manifest, sha256_file

REPO = Path(__file__).resolve().parents[2]
FRAME_CSV = (
    "kommunenummer,kommune,fylkesnummer,fylke,population_2022\n"
    "0301,Hovedby,03,Oslo,700000\n1103,Testvik,11,Rogaland,4000\n"
)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


@pytest.fixture
def export(tmp_path):
    (tmp_path / "inbox").mkdir(exist_ok=True)
    return fx.write_nettskjema(fx.canonical_answers(1), tmp_path / "inbox" / "export.csv")


@pytest.fixture
def frame_csv(tmp_path):
    p = tmp_path / "inbox" / "frame.csv"
    p.parent.mkdir(exist_ok=True)
    p.write_text(FRAME_CSV, encoding="utf-8")
    return p


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _full_disk(monkeypatch, under: Path, *, only: str = ""):
    """Every file opened for writing below ``under`` (whose name contains ``only``) is created
    empty and then the write fails with ENOSPC, as on a full disk."""
    real_open = builtins.open

    def fake_open(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax+") and isinstance(file, str | os.PathLike):
            p = Path(os.fspath(file)).resolve()
            if p.is_relative_to(under.resolve()) and only in p.name:
                real_open(file, mode, *args, **kwargs).close()  # created (or truncated) ...
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ... nothing written
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)


# -- item 7: full disk, read-only folder, files deleted after registration -----------------------


@pytest.mark.parametrize("only", ["manifest", ""], ids=["at the manifest", "at the export copy"])
def test_full_disk_during_registration_leaves_nothing_and_can_be_retried(
    project_tmp, export, monkeypatch, capsys, only
):
    raw = project_tmp / "data" / "raw"
    raw.mkdir(parents=True)
    with monkeypatch.context() as m:
        _full_disk(m, raw, only=only)
        assert main(["ingest", "--wave", "w", "--source", str(export)]) == 2
    line = _one_error_line(capsys)
    assert "No space left" in line and str(raw) in line and "free" in line, line
    assert not (raw / "w" / "manifest.json").exists()  # never a partial manifest
    assert not (raw / "w").exists() and not list(raw.glob(".*"))  # no half registration
    # once there is space, registering again simply works
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    assert Manifest.read(raw / "w").sha256 == sha256_file(export)


def test_manifest_write_is_atomic(tmp_path, monkeypatch):
    m = Manifest(
        wave="w", source_file="e.csv", format="nettskjema", instrument_version=1, sha256="0" * 64
    )
    m.write(tmp_path)
    before = (tmp_path / "manifest.json").read_bytes()
    m.design = "census"
    with monkeypatch.context() as mp:
        _full_disk(mp, tmp_path)
        with pytest.raises(OSError):
            m.write(tmp_path)
    assert (tmp_path / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def _incomplete_registration(project_tmp, export) -> Path:
    """What a full disk left behind before the fix: the export copied, manifest.json empty."""
    raw = project_tmp / "data" / "raw" / "w"
    raw.mkdir(parents=True)
    (raw / export.name).write_bytes(export.read_bytes())
    os.chmod(raw / export.name, 0o444)
    (raw / "manifest.json").write_bytes(b"")
    return raw


def test_force_registers_again_a_wave_whose_registration_never_completed(
    project_tmp, export, frame_csv, capsys
):
    raw = _incomplete_registration(project_tmp, export)
    assert main(["ingest", "w"]) == 2
    line = _one_error_line(capsys)
    assert "manifest.json" in line and "--force" in line, line
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 2
    line = _one_error_line(capsys)
    assert "incomplete" in line and "--force" in line, line
    args = ["ingest", "--wave", "w", "--source", str(export), "--frame", str(frame_csv), "--force"]
    assert main(args) == 0
    m = Manifest.read(raw)
    assert m.sha256 == sha256_file(raw / export.name) and m.frame_file == "frame.csv"
    assert load_quality("w")["rows_read"] == fx.N_ROWS
    assert not list(raw.parent.glob(".*"))


def test_force_never_replaces_a_complete_registration(project_tmp, export, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    before = _snapshot(raw)
    other = fx.write_nettskjema(fx.canonical_answers(1, seed=3), export.parent / "other.csv")
    assert main(["ingest", "--wave", "w", "--source", str(other), "--force"]) == 2
    assert "already registered" in _one_error_line(capsys)
    assert _snapshot(raw) == before


def _read_only(monkeypatch, under: Path):
    """mkdir below ``under`` fails as on a read-only file system (root ignores chmod)."""
    real_mkdir = os.mkdir

    def fake_mkdir(path, *args, **kwargs):
        p = Path(os.fspath(path)).resolve()
        if p.is_relative_to(under.resolve()):
            if p.exists():
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path))
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", fake_mkdir)


def test_read_only_raw_folder_is_one_line(project_tmp, export, monkeypatch, capsys):
    (project_tmp / "data").mkdir()
    with monkeypatch.context() as m:
        _read_only(m, project_tmp / "data")
        assert main(["ingest", "--wave", "w", "--source", str(export)]) == 2
    line = _one_error_line(capsys)
    assert "Read-only file system" in line and str(project_tmp / "data") in line, line
    assert "writable" in line


def test_read_only_processed_folder_is_one_line(project_tmp, export, monkeypatch, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    processed = project_tmp / "data" / "processed"
    before = _snapshot(processed / "w")
    with monkeypatch.context() as m:
        _read_only(m, processed)
        assert main(["ingest", "w"]) == 2
    line = _one_error_line(capsys)
    assert "Read-only file system" in line and str(processed) in line and "writable" in line
    assert _snapshot(processed / "w") == before


def test_full_disk_while_writing_outputs_keeps_previous_outputs(
    project_tmp, export, monkeypatch, capsys
):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    processed = project_tmp / "data" / "processed"
    before = _snapshot(processed / "w")

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    assert main(["ingest", "w"]) == 2
    line = _one_error_line(capsys)
    assert "No space left" in line and str(processed) in line and "free" in line, line
    assert _snapshot(processed / "w") == before
    assert sorted(p.name for p in processed.iterdir()) == ["w"]


@pytest.mark.parametrize("which", ["export", "frame"])
def test_file_deleted_after_registration_is_one_line(project_tmp, export, frame_csv, capsys, which):
    assert main(["ingest", "--wave", "w", "--source", str(export), "--frame", str(frame_csv)]) == 0
    capsys.readouterr()
    raw = project_tmp / "data" / "raw" / "w"
    gone = raw / (export.name if which == "export" else frame_csv.name)
    gone.unlink()
    assert main(["ingest", "w"]) == 2
    line = _one_error_line(capsys)
    assert str(gone) in line and "missing" in line and "--force" in line, line
    # the way out the message names works
    args = ["ingest", "--wave", "w", "--source", str(export), "--frame", str(frame_csv), "--force"]
    assert main(args) == 0
    assert gone.is_file()


# -- item 8: SIGTERM cleans up like Ctrl-C -------------------------------------------------------


def test_sigterm_during_ingest_leaves_no_temporary_folder(project_tmp, tmp_path, capsys):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from bench_ingest import write_export
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = project_tmp
    src = tmp_path / "big.csv"
    write_export(src, 5_000)
    assert main(["ingest", "--wave", "big", "--source", str(src)]) == 0
    env = {**os.environ, "ANALYSIS_ROOT": str(root)}
    cmd = [sys.executable, "-m", "analysis", "ingest"]
    processed = root / "data" / "processed"
    raw = root / "data" / "raw"
    before = _snapshot(processed / "big")
    raw_before = _snapshot(raw / "big")
    for _attempt in range(5):
        proc = subprocess.Popen(
            [*cmd, "big"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        # wait until the outputs are being written into the temporary folder, then terminate
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.name.startswith(".big-") for p in processed.iterdir()):
                break
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            err = proc.communicate(timeout=60)[1]
            break
        proc.communicate()
    else:
        pytest.fail("never caught the ingest while it was writing")
    assert proc.returncode == 143, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert sorted(p.name for p in processed.iterdir()) == ["big"]  # no .big-* left
    assert _snapshot(processed / "big") == before  # the earlier outputs are intact
    assert _snapshot(raw / "big") == raw_before


# -- item 9: correct the frame or the design of a registered wave --------------------------------


def test_frame_and_design_can_be_corrected_after_registration(
    project_tmp, export, frame_csv, capsys
):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    assert load_processed("w")["fylke"].isna().all()
    assert main(["ingest", "w", "--frame", str(frame_csv), "--design", "census"]) == 0
    out = capsys.readouterr().out
    assert "frame" in out and "census" in out
    m = Manifest.read(raw)
    assert (m.frame_file, m.design) == ("frame.csv", "census")
    assert m.frame_sha256 == sha256_file(raw / "frame.csv") == sha256_file(frame_csv)
    assert m.sha256 == sha256_file(export)  # the export is untouched
    assert [c["field"] for c in m.corrections] == ["frame_file", "design"]
    assert load_quality("w")["design"] == "census"
    assert list(load_wave_frame("w")["kommunenummer"]) == ["0301", "1103"]
    assert load_processed("w").loc[lambda d: d["kommunenummer"] == "0301", "fylke"].eq("Oslo").all()
    # a re-ingest keeps the correction
    assert main(["ingest", "w"]) == 0
    assert load_quality("w")["design"] == "census"
    # only the design
    assert main(["ingest", "w", "--design", "probability"]) == 0
    assert (
        Manifest.read(raw).design == "probability" and Manifest.read(raw).frame_file == "frame.csv"
    )


def test_corrected_frame_never_overwrites_the_export(project_tmp, export, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    same_name = export.parent / "sub" / export.name
    same_name.parent.mkdir()
    same_name.write_text(FRAME_CSV, encoding="utf-8")
    assert main(["ingest", "w", "--frame", str(same_name)]) == 0
    m = Manifest.read(raw)
    assert m.frame_file != m.source_file
    assert sha256_file(raw / m.source_file) == m.sha256 == sha256_file(export)
    assert sha256_file(raw / m.frame_file) == m.frame_sha256 == sha256_file(same_name)


def test_bad_corrected_frame_changes_nothing(project_tmp, export, frame_csv, tmp_path, capsys):
    assert main(["ingest", "--wave", "w", "--source", str(export), "--frame", str(frame_csv)]) == 0
    raw = project_tmp / "data" / "raw" / "w"
    before = _snapshot(raw)
    bad = tmp_path / "bad_frame.csv"
    bad.write_text(FRAME_CSV.replace("0301,", "301,"), encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", "w", "--frame", str(bad), "--design", "census"]) == 2
    assert "bad_frame.csv" in _one_error_line(capsys)
    assert _snapshot(raw) == before
    assert main(["ingest", "w", "--instrument", "2"]) == 2
    assert "--instrument" in _one_error_line(capsys)


# -- item 10: a folder as --source -------------------------------------------------------------


def test_source_or_frame_that_is_a_folder_says_so(project_tmp, export, tmp_path, capsys):
    assert main(["ingest", "--wave", "x", "--source", str(export.parent)]) == 2
    line = _one_error_line(capsys)
    assert "is a folder" in line and "not found" not in line and "--source" in line, line
    assert main(["ingest", "--wave", "x", "--source", str(export), "--frame", str(tmp_path)]) == 2
    line = _one_error_line(capsys)
    assert "is a folder" in line and "--frame" in line, line
    assert not (project_tmp / "data" / "raw" / "x").exists()


def test_frame_saved_from_norwegian_excel_registers(project_tmp, export, tmp_path, capsys):
    frame = tmp_path / "kommuner.csv"
    text = FRAME_CSV.replace(",", ";").replace("Testvik", "Bærum").replace("\n", "\r\n")
    frame.write_bytes(text.encode("cp1252"))
    assert main(["ingest", "--wave", "x", "--source", str(export), "--frame", str(frame)]) == 0
    assert list(load_wave_frame("x")["kommune"]) == ["Hovedby", "Bærum"]
    assert (
        json.loads((project_tmp / "data" / "raw" / "x" / "manifest.json").read_text())["frame_file"]
        == "kommuner.csv"
    )


# -- item 6 end to end: the forms that slipped through never reach a processed file ------------


def test_slipped_personal_data_never_reaches_processed_files(project_tmp, tmp_path):
    df = fx.canonical_answers(1)
    secrets = {
        "navn [at] firma.no": "e-post",
        "bjørn.ødegård@kommune.no": "e-post",
        "15 03 80 12379": "fødselsnummer",
        "4791234567": "telefon",
        "1234.56.78903": "kontonummer",
    }
    texts = [f"Se {s} for mer" for s in secrets]
    for i, text in enumerate(texts):
        df.at[i, "kommentar"] = text
    df.at[fx.DUPLICATE_ROW - 1, "eksempel"] = "Konto 1234 56 78903"  # a quarantined row
    src = fx.write_nettskjema(df, tmp_path / "e.csv")
    assert main(["ingest", "--wave", "p", "--source", str(src)]) == 0
    folder = project_tmp / "data" / "processed" / "p"
    blobs = {p.name: p.read_bytes() for p in folder.iterdir()}
    for name, blob in blobs.items():
        for secret in [*secrets, "1234 56 78903", "ødegård", "91234567", "12379"]:
            assert secret.encode("utf-8") not in blob, (name, secret)
    removed = load_quality("p")["personal_data_removed"]
    assert removed["bank_account"] == 2 and removed["national_id"] >= 1
    kommentar = load_processed("p")["kommentar"].dropna().tolist()
    for kind in set(secrets.values()):
        assert any(f"[fjernet: {kind}]" in t for t in kommentar), kind


@pytest.mark.parametrize(
    "change",
    [
        {"extra_sha256": []},
        {"instrument": "2"},
        {"source_file": None},
        {"corrections": {}},
        {"instrument_version": "2"},
    ],
)
def test_damaged_manifest_fields_are_one_line(project_tmp, export, capsys, change):
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 0
    path = project_tmp / "data" / "raw" / "w" / "manifest.json"
    data = {**json.loads(path.read_text(encoding="utf-8")), **change}
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", "w"]) == 2
    line = _one_error_line(capsys)
    assert "manifest.json" in line and next(iter(change)) in line, line
    assert main(["ingest", "--wave", "w", "--source", str(export), "--force"]) == 0


def test_a_registration_made_meanwhile_is_never_replaced(project_tmp, export, monkeypatch, capsys):
    """Two registrations of one wave at once: the one that finishes second is refused."""
    import analysis.clean.ingest as ingest

    real = ingest._fill_registration
    other = fx.write_nettskjema(fx.canonical_answers(1, seed=5), export.parent / "other.csv")

    def meanwhile(*args, **kwargs):
        manifest = real(*args, **kwargs)
        monkeypatch.setattr(ingest, "_fill_registration", real)
        assert main(["ingest", "--wave", "w", "--source", str(other)]) == 0  # the other command
        return manifest

    monkeypatch.setattr(ingest, "_fill_registration", meanwhile)
    assert main(["ingest", "--wave", "w", "--source", str(export)]) == 2
    assert "another command meanwhile" in _one_error_line(capsys)
    raw = project_tmp / "data" / "raw" / "w"
    assert Manifest.read(raw).sha256 == sha256_file(other)
    assert not list(raw.parent.glob(".*"))
