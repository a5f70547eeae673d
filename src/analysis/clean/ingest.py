"""Ingest a wave: export as delivered -> clean, validated, redacted data plus an honest account.

``python -m analysis ingest --wave WAVE --source FILE [--format ...] [--instrument ...] [--frame ...]``
registers a wave: the export (and the frame) are copied read-only into ``data/raw/WAVE/`` with a
manifest, then the wave is ingested. ``python -m analysis ingest WAVE`` re-ingests from the
manifest after checking the checksums; ``ingest WAVE --frame F --design D`` corrects a registered
wave's frame or design first (recorded in the manifest), and the survey facts of the report's
methods section (``--invited CATEGORY=N``, ``--recruitment``, ``--mode``, ``--tool``,
``--fieldwork START END``) are set likewise, at registration or later; ``--force`` registers again a wave whose
registration is incomplete or damaged. A registration is built in a temporary folder and moved
into place complete, and file-system faults are one line naming the path (:mod:`analysis.io.files`).

Outputs in ``data/processed/WAVE/`` (docs/processed-data.md): ``responses.parquet``,
``quarantine.parquet``, ``quality.json`` and ``frame.parquet``. They are written to a temporary
folder and moved into place only when everything succeeded, so a failed ingest leaves the previous
outputs untouched. Every row read is either kept or quarantined with its reason: rows read = kept +
quarantined, always.

Examples
--------
>>> import contextlib, io, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> heads = [cb.source_column(c, "nettskjema") for c in cb.item_columns]
>>> category = cb.category_source                                 # the landlord-type question
>>> row = cb.question(cb.question_for("competence")).columns[0]   # a matrix row
>>> text = cb.free_text_columns[-1]                               # a free-text question
>>> answer = {category: "4", cb.source_column(row, "nettskjema"): "9", text: "Ring 912 34 567"}
>>> rows = [answer, {cb.source_column(row, "nettskjema"): "3"}, answer]
>>> line = lambda cells: ";".join(f'"{c}"' for c in cells) + "\\n"
>>> src = root / "export.csv"
>>> _ = src.write_text(line(["$submission_id", *heads]) + "".join(
...     line([str(i), *(r.get(h, "") for h in heads)]) for i, r in enumerate(rows, 1)), encoding="utf-8")
>>> with contextlib.redirect_stdout(io.StringIO()):
...     status = ingest_command("w", register=True, source=src, root=root)
>>> status
0
>>> df = load_processed("w", root=root)
>>> df[["response_id", category, "utleierkategori", row, text]].to_numpy().tolist()
[['w-1', 4, 'ideell', 9, 'Ring [fjernet: telefon]']]
>>> q = load_quarantine("w", root=root)
>>> q["source_row"].tolist(), q["reason"].str.replace(category, "<category>").tolist()
([2, 3], ['<category> missing', 'duplicate of submission 1'])
>>> q = load_quality("w", root=root)
>>> q["rows_read"], q["rows_kept"], q["rows_quarantined"], q["personal_data_removed"]["phone"]
(3, 1, 2, 2)
"""

from __future__ import annotations

import contextlib
import json
import operator
import sys
from collections import Counter
from datetime import date
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths
from analysis.clean.privacy import KINDS, redact_series
from analysis.clean.validation import (
    coded_columns,
    duplicate_of,
    flag_columns,
    flags,
    out_of_range,
    processed_schema,
    quarantine_missing,
    repair_kommunenummer,
)
from analysis.errors import InputFileError, UserError
from analysis.instrument.codebook import (
    FRAME_COLUMNS,
    SIZE_CLASSES,
    Codebook,
    codebook_for,
    load_codebook,
)
from analysis.io.files import (
    copy_read_only,
    fs_error,
    move_new_dir,
    remove_tree,
    replace_dir,
    temp_path,
)
from analysis.io.manifest import (
    DESIGNS,
    Manifest,
    check_survey_options,
    sha256_file,
    survey_changes,
    survey_from_options,
)


def _log(msg: str) -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------------------------------
# Registration
# ------------------------------------------------------------------------------------------


def _copy_read_only(src: Path, dest_dir: Path) -> Path:
    return copy_read_only(src, dest_dir / src.name)


def register_wave(
    wave: str,
    source: Path,
    *,
    fmt: str = "auto",
    instrument: int | str | Path | None = None,
    frame: Path | None = None,
    design: str | None = None,
    root: Path | None = None,
    force: bool = False,
    survey: dict | None = None,
    fieldwork: tuple[str, str] | None = None,
) -> Manifest:
    """Copy an export (and its frame) read-only into ``data/raw/WAVE/`` and write the manifest.

    The export is read once first (format and encoding detected, instrument version chosen), so
    that an unreadable file is refused before anything is registered. The wave's folder is built
    under a temporary name and moved into place complete, so a full disk or an interruption
    leaves no half registration. ``force`` registers again a wave whose registration is
    incomplete or damaged (no or empty manifest, a registered file missing or changed); a
    complete registration is never replaced. ``survey`` (the manifest's ``survey`` object:
    ``invited`` per landlord category, ``recruitment``, ``mode``, ``tool``) and ``fieldwork``
    (``(start, end)``, ISO dates) are checked against the wave's instrument and recorded.
    """
    return _register(
        wave,
        source,
        fmt=fmt,
        instrument=instrument,
        frame=frame,
        design=design,
        root=root,
        force=force,
        survey=survey,
        fieldwork=fieldwork,
    )[0]


def _check_input_file(path: Path, option: str) -> None:
    if path.is_dir():
        what = (
            "the export file itself (for SurveyXact three-file exports the dataset file; "
            "structure and labels are found beside it)"
            if option == "--source"
            else "the frame CSV file itself"
        )
        raise InputFileError(path, f"is a folder, not a file: pass {what} as {option}")
    if not path.is_file():
        raise InputFileError(path, "file not found")


def _registration_problem(raw: Path) -> str | None:
    """Why the registration in ``raw`` is incomplete or damaged; None when it is complete."""
    try:
        manifest = Manifest.read(raw)
        manifest.verify(raw)
    except InputFileError as exc:
        return f"{Path(exc.path).name}: {exc.problem.split(':')[0]}"
    if manifest.frame_file:
        fpath = raw / manifest.frame_file
        if not fpath.is_file():
            return f"{manifest.frame_file}: the registered frame is missing"
        if manifest.frame_sha256 and sha256_file(fpath) != manifest.frame_sha256:
            return f"{manifest.frame_file}: checksum differs from the manifest"
    return None


def _check_registrable(wave: str, raw: Path, force: bool) -> bool:
    """Refuse a registration over another; True when an incomplete one is to be replaced."""
    if not raw.exists() or (raw.is_dir() and not any(raw.iterdir())):
        return False
    problem = _registration_problem(raw)
    if problem is None:
        raise UserError(
            f"wave {wave!r} is already registered in {raw}; re-ingest it with "
            f"'python -m analysis ingest {wave}', correct its frame or design with "
            f"'python -m analysis ingest {wave} --frame FILE --design DESIGN', "
            "or choose another wave name"
        )
    if not force:
        raise UserError(
            f"wave {wave!r} has an incomplete or damaged registration in {raw} ({problem}): "
            "register it again by adding --force (the folder is replaced)"
        )
    return True


def _register(
    wave, source, *, fmt, instrument, frame, design, root, force=False, survey=None, fieldwork=None
):
    from analysis.io.frame import load_frame
    from analysis.io.loaders import read_export

    source = Path(source)
    _check_input_file(source, "--source")
    raw = paths.raw_dir(wave, root)
    replacing = _check_registrable(wave, raw, force)
    if design is not None and design not in DESIGNS:
        raise UserError(f"design must be one of {', '.join(DESIGNS)}")
    cb = load_codebook(instrument) if instrument is not None else None
    loaded = read_export(source, fmt=fmt, version=cb.version if cb is not None else None)
    cb = load_codebook(loaded.version)
    check_survey_options(survey, fieldwork, cb.categories)
    if fmt == "auto":
        enc = f", encoding: {loaded.encoding}" if loaded.encoding else ""
        _log(f"detected format: {loaded.format}{enc}")
    if instrument is None:
        _log(f"instrument version: {loaded.version} ({loaded.version_how}; --instrument overrides)")
    if frame is not None:
        _check_input_file(Path(frame), "--frame")
        load_frame(frame)  # validate before anything is copied
    else:
        _log(
            "warning: no --frame given: municipality attributes (county, size class) will be empty"
        )
    tmp = temp_path(raw.parent, f".{wave}-register-")
    try:
        raw.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        manifest = _fill_registration(
            tmp, wave, source, loaded, frame, design, cb, survey=survey, fieldwork=fieldwork
        )
        if replacing:  # an incomplete registration, with --force
            replace_dir(tmp, raw)
        elif not move_new_dir(tmp, raw):
            raise UserError(
                f"wave {wave!r} was registered in {raw} by another command meanwhile; "
                f"re-ingest it with 'python -m analysis ingest {wave}'"
            )
    except OSError as exc:
        remove_tree(tmp)
        raise fs_error(
            raw.parent, exc, f"register wave {wave!r} (nothing was registered)", own_path=False
        ) from None
    except BaseException:
        remove_tree(tmp)
        raise
    _log(f"registered {wave}: {raw}")
    # the export as read equals the registered copy byte for byte (same checksum), so ingest may
    # use it instead of reading the copy again
    same = sha256_file(source) == manifest.sha256 and all(
        sha256_file(f) == manifest.extra_sha256.get(Path(f).name) for f in loaded.source_files[1:]
    )
    return manifest, (loaded if same else None)


def _fill_registration(
    folder: Path, wave, source: Path, loaded, frame, design, cb, *, survey=None, fieldwork=None
) -> Manifest:
    """Copy the export's files (the frame, the instrument) into ``folder``; write its manifest."""
    copied = [_copy_read_only(Path(f), folder) for f in loaded.source_files]
    main_file = copied[0]
    roles = ("structure", "labels") if loaded.format == "surveyxact" else ()
    extra = {
        (roles[i] if i < len(roles) else f"file{i + 1}"): p.name for i, p in enumerate(copied[1:])
    }
    frame_name = frame_sha = None
    if frame is not None:
        fcopy = _copy_read_only(Path(frame), folder)
        frame_name, frame_sha = fcopy.name, sha256_file(fcopy)
    instrument_files = copy_instrument(cb, folder)
    manifest = Manifest(
        wave=wave,
        source_file=main_file.name,
        format=loaded.format,
        instrument_version=int(loaded.version),
        sha256=sha256_file(main_file),
        source=f"{loaded.format} export {source.name}",
        received=date.today().isoformat(),
        design=design or "convenience",
        frame_file=frame_name,
        frame_sha256=frame_sha,
        extra_files=extra,
        extra_sha256={p.name: sha256_file(p) for p in copied[1:]},
        instrument={"version": cb.version, "files": instrument_files},
    )
    survey_changes(
        manifest,
        invited=(survey or {}).get("invited"),
        texts={k: v for k, v in (survey or {}).items() if k != "invited"},
        fieldwork=fieldwork,
    )
    manifest.write(folder)
    return manifest


def correct_registration(
    wave: str,
    *,
    frame: Path | None = None,
    design: str | None = None,
    root: Path | None = None,
    survey: dict | None = None,
    fieldwork: tuple[str, str] | None = None,
) -> Manifest:
    """Give a registered wave another frame and/or design, recorded in its manifest.

    The new frame is validated, then copied read-only beside the export (under another name if
    its own would replace a different file there, such as the export or the earlier frame, which
    stays for the record); ``frame_file``, ``frame_sha256`` and ``design`` are updated and each
    change is appended to the manifest's ``corrections``. Nothing changes when anything fails.
    ``survey`` (counts invited per landlord category merged into the manifest's, texts replaced)
    and ``fieldwork`` (``(start, end)``) are corrected likewise, one correction per changed key
    (``survey.invited.kommunal``, ``survey.mode``, ``fieldwork_start``, ...).
    """
    from analysis.io.frame import load_frame
    from analysis.io.manifest import MANIFEST_NAME

    raw = paths.raw_dir(wave, root)
    if not raw.is_dir():
        raise UserError(
            f"wave {wave!r} is not registered (no folder {raw}); register it with "
            f"'python -m analysis ingest --wave {wave} --source FILE'"
        )
    manifest = Manifest.read(raw)
    if design is not None and design not in DESIGNS:
        raise UserError(f"design must be one of {', '.join(DESIGNS)}")
    if survey or fieldwork is not None:
        check_survey_options(survey, fieldwork, wave_codebook(wave, root=root).categories)
    today = date.today().isoformat()
    changes, copied = [], None
    try:
        if frame is not None:
            frame = Path(frame)
            _check_input_file(frame, "--frame")
            load_frame(frame)
            sha = sha256_file(frame)
            if sha != manifest.frame_sha256:
                taken = {MANIFEST_NAME, manifest.source_file, *manifest.extra_sha256}
                name = frame.name
                if name in taken or ((raw / name).exists() and sha256_file(raw / name) != sha):
                    name = f"{frame.stem}-{sha[:12]}{frame.suffix}"
                if not (raw / name).exists():
                    copied = copy_read_only(frame, raw / name)
                changes.append(
                    {"date": today, "field": "frame_file", "old": manifest.frame_file, "new": name}
                )
                manifest.frame_file, manifest.frame_sha256 = name, sha
        if design is not None and design != manifest.design:
            changes.append(
                {"date": today, "field": "design", "old": manifest.design, "new": design}
            )
            manifest.design = design
        changes += [
            {"date": today, "field": name, "old": old, "new": new}
            for name, old, new in survey_changes(
                manifest,
                invited=(survey or {}).get("invited"),
                texts={k: v for k, v in (survey or {}).items() if k != "invited"},
                fieldwork=fieldwork,
            )
        ]
        if changes:
            manifest.corrections = [*manifest.corrections, *changes]
            manifest.write(raw)
    except OSError as exc:
        if copied is not None:
            with contextlib.suppress(OSError):
                copied.unlink()
        raise fs_error(raw, exc, f"correct the registration of {wave!r}") from None
    except BaseException:
        if copied is not None:
            with contextlib.suppress(OSError):
                copied.unlink()
        raise
    for c in changes:
        _log(f"corrected {wave}: {c['field'].replace('_file', '')} {c['old']} -> {c['new']}")
    if not changes:
        _log(f"{wave}: registration unchanged")
    return manifest


def copy_instrument(cb: Codebook, raw: Path) -> dict[str, str]:
    """Copy the instrument's files (its whole base chain) read-only into ``raw/instrument/``.

    The wave then stays reproducible when a packaged or external instrument file later
    changes: its own copy is what ingest, the notebooks and the report read.
    """
    folder = raw / "instrument"
    folder.mkdir(exist_ok=True)
    out: dict[str, str] = {}
    for i, (path, sha) in enumerate(cb.files):
        src = Path(path)
        dest = copy_read_only(src, folder / f"{i + 1}-{src.name}")
        if sha256_file(dest) != sha:
            raise UserError(f"{src}: the instrument file changed while it was being registered")
        out[f"instrument/{dest.name}"] = sha
    return out


def wave_codebook(wave: str, *, root: Path | None = None) -> Codebook:
    """The codebook of a registered wave: its own copy of the instrument (or, for a wave
    registered before instruments were copied, the packaged version its manifest names)."""
    raw = paths.raw_dir(wave, root)
    manifest = Manifest.read(raw)
    if manifest.instrument_file:
        return load_codebook(raw / manifest.instrument_file)
    return load_codebook(int(manifest.instrument_version))


# ------------------------------------------------------------------------------------------
# Ingest
# ------------------------------------------------------------------------------------------


def _conv_text(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s if s.strip() else None


def _as_text(values: pd.Series) -> pd.Series:
    arr = values.to_numpy(dtype=object)
    kinds = list(map(type, arr))

    def of_type(t: type) -> np.ndarray:
        return np.fromiter(map(operator.is_, kinds, repeat(t)), dtype=bool, count=len(kinds))

    is_str, is_none, is_float = of_type(str), of_type(type(None)), of_type(float)
    if (is_str | is_none | is_float).all() and np.isnan(arr[is_float].astype(float)).all():
        # the usual cells (str, None, NaN), without a Python call per cell: the same result as
        # _conv_text (blank and whitespace-only text become None)
        out = np.full(len(arr), None, dtype=object)
        strs = arr[is_str]
        filled = np.fromiter(map(bool, map(str.strip, strs)), dtype=bool, count=len(strs))
        at = np.flatnonzero(is_str)[filled]
        out[at] = strs[filled]
        return pd.Series(out, index=values.index, dtype=object)
    return values.map(_conv_text).astype(object)


def _values_as_strings(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_float_dtype(col):
            as_int = col.where(col.isna() | (col % 1 != 0), col.round())
            out[c] = [
                None if pd.isna(v) else (str(int(v)) if float(v).is_integer() else str(v))
                for v in as_int
            ]
        else:
            out[c] = _as_text(col)
    return out.astype("string")


def process_export(
    loaded, *, wave: str, frame: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Validate, repair, redact and derive: (responses, quarantine, quality).

    ``loaded`` is an :class:`analysis.io.loaders.LoadedExport`.
    """
    cb = load_codebook(loaded.version)
    text_columns = cb.text_columns
    muni = cb.role("municipality_code")
    cat_src = cb.category_source
    data = loaded.data.reset_index(drop=True)  # a copy: the export as loaded stays as it was
    n = len(data)
    source_row = pd.Series(np.arange(1, n + 1), dtype="Int64")
    sub_id = loaded.submission_id.reset_index(drop=True)
    sub_id = _as_text(sub_id)
    for c in cb.item_columns:
        if c not in data:
            data[c] = np.nan if c not in text_columns else None
    if list(data.columns) != list(cb.item_columns):
        data = data[list(cb.item_columns)]

    set_missing: Counter = Counter()
    for reason, cols in loaded.set_missing.items():
        for col, count in cols.items():
            if count:
                set_missing[(col, reason)] += int(count)
    repairs: Counter = Counter()
    warnings = list(loaded.warnings)
    personal = dict.fromkeys(KINDS, 0)

    # 1. privacy first: every text cell, before anything else looks at it
    for c in text_columns:
        data[c] = _as_text(data[c])
        data[c], counts = redact_series(data[c])
        for k, v in counts.items():
            personal[k] += v

    # 2. the category question (the instrument's categories.from): missing or unknown -> quarantine
    reason = pd.Series([None] * n, dtype=object)
    ut = data[cat_src]
    valid_types = set(cb.question(cat_src).codes)
    reason[ut.isna()] = quarantine_missing(cb)
    unknown = ut.notna() & ~ut.isin(valid_types)
    for i in np.flatnonzero(unknown.to_numpy()):
        v = ut.iloc[i]
        reason.iloc[i] = f"{cat_src} {int(v) if float(v).is_integer() else v} unknown"

    # 3. exact duplicates of an earlier submission (items only; ids and times ignored)
    label = sub_id.where(sub_id.notna(), "row " + source_row.astype(str))
    dup = duplicate_of(data, label)  # data holds the item columns only
    is_dup = dup.notna() & reason.isna()
    reason[is_dup] = "duplicate of submission " + dup[is_dup].astype(str)

    # 4. out-of-range codes -> missing, counted (among all rows, so quarantine shows them too)
    coded = [c for c in coded_columns(cb) if c in data]
    bad = out_of_range(data[[c for c in coded if c != cat_src]], cb)
    for col, grp in bad.groupby("column"):
        data.loc[grp["index"].to_numpy(), col] = np.nan
        set_missing[(col, "out of range")] += len(grp)

    # 5. municipality number repairs
    if muni is not None:
        data[muni], kcounts = repair_kommunenummer(data[muni])
        for kind, count in kcounts.items():
            if kind == "not a municipality number":
                set_missing[(muni, kind)] += count
            else:
                repairs[(muni, kind)] += count

    # 6. split kept / quarantined
    quarantined = reason.notna().to_numpy()
    keep = data.take(np.flatnonzero(~quarantined))  # a copy

    # flags and derived columns on kept rows
    fl = flags(keep, cb)
    category_of = {code: cat.id for cat in cb.categories.values() for code in cat.codes}
    keep[cb.category_variable] = pd.Categorical(
        keep[cat_src].map(category_of), categories=list(cb.categories)
    )
    if frame is not None and muni is not None:
        fr = frame.set_index("kommunenummer")
        knr = keep[muni]
        in_frame = knr.isin(fr.index)
        fl["flag_kommune_unknown"] = knr.notna() & ~in_frame
        m = fr.reindex(knr.where(in_frame))
        for c in ("kommune", "fylkesnummer", "fylke"):
            keep[c] = m[c].astype(object).where(m[c].notna(), None).to_numpy()
        keep["storrelse"] = pd.Categorical(
            m["storrelse"].astype(object).where(m["storrelse"].notna(), None),
            categories=list(SIZE_CLASSES),
            ordered=True,
        )
        keep["population"] = pd.array(m["population"].to_numpy(), dtype="Int64")
    else:
        fl["flag_kommune_unknown"] = False
        for c in ("kommune", "fylkesnummer", "fylke"):
            keep[c] = None
        keep["storrelse"] = pd.Categorical(
            [None] * len(keep), categories=list(SIZE_CLASSES), ordered=True
        )
        keep["population"] = pd.array([pd.NA] * len(keep), dtype="Int64")
    for c in flag_columns(cb):
        keep[c] = fl[c].astype(bool).to_numpy()

    keep.insert(0, "submission_id", sub_id[~quarantined].to_numpy())
    keep.insert(0, "source_row", source_row[~quarantined].to_numpy())
    keep.insert(0, "instrument_version", int(cb.version))
    keep.insert(0, "wave", wave)
    kept_rows = source_row[~quarantined].to_numpy(dtype=np.int64).tolist()
    keep.insert(0, "response_id", [f"{wave}-{r}" for r in kept_rows])
    responses = _typed(keep, cb)

    quarantine = _values_as_strings(data.loc[quarantined])
    quarantine.insert(0, "reason", reason[quarantined].astype(str).to_numpy())
    quarantine.insert(0, "submission_id", pd.array(sub_id[quarantined].to_numpy(), dtype="string"))
    quarantine.insert(0, "source_row", source_row[quarantined].to_numpy())
    quarantine = quarantine.reset_index(drop=True)

    by_reason = Counter()
    for r in quarantine["reason"]:
        by_reason["duplicate" if r.startswith("duplicate of") else r] += 1
    quality = {
        "wave": wave,
        "format": loaded.format,
        "encoding": loaded.encoding,
        "instrument_version": int(cb.version),
        "rows_read": int(n),
        "rows_kept": int(len(responses)),
        "rows_quarantined": int(len(quarantine)),
        "quarantined_by_reason": dict(sorted(by_reason.items())),
        "set_missing": [
            {"column": c, "reason": r, "count": int(k)} for (c, r), k in sorted(set_missing.items())
        ],
        "repairs": [
            {"column": c, "kind": kind, "count": int(k)} for (c, kind), k in sorted(repairs.items())
        ],
        "flags": {c: int(responses[c].sum()) for c in flag_columns(cb)},
        "not_asked": list(cb.not_asked),
        "warnings": warnings,
        "personal_data_removed": {**personal, "columns_dropped": list(loaded.dropped_columns)},
        "nul_bytes_removed": int(getattr(loaded, "nul_bytes_removed", 0)),
    }
    created = getattr(loaded, "created", None)
    if created is not None and created.notna().any():
        quality["fieldwork"] = {
            "first": created.min().isoformat(),
            "last": created.max().isoformat(),
        }
    if frame is None:
        quality["warnings"].append("no municipality frame: county and size class are empty")
    if quality["rows_read"] != quality["rows_kept"] + quality["rows_quarantined"]:
        raise AssertionError(
            "row accounting does not add up"
        )  # pragma: no cover - a bug, never input
    return responses, quarantine, quality


def _typed(keep: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    src = keep.set_axis(pd.RangeIndex(len(keep)), axis=0, copy=False)
    cols: dict[str, object] = {}
    cols["response_id"] = src["response_id"].astype(str)
    cols["wave"] = src["wave"].astype(str)
    cols["instrument_version"] = pd.array(src["instrument_version"], dtype="Int8")
    cols["source_row"] = pd.array(src["source_row"], dtype="Int64")
    cols["submission_id"] = src["submission_id"].astype(object)
    text_columns = cb.text_columns
    for c in cb.item_columns:
        if c in text_columns:
            cols[c] = src[c].astype(object)
        else:
            cols[c] = _as_int8(src[c])
    for c in (cb.category_variable, *FRAME_COLUMNS):
        cols[c] = src[c]
    for c in flag_columns(cb):
        cols[c] = src[c].astype(bool)
    for c in ("kommune", "fylkesnummer", "fylke", "submission_id", *text_columns):
        col = pd.Series(cols[c]).astype(object)
        cols[c] = col.where(col.notna(), None)
    out = pd.DataFrame(cols, index=range(len(keep)))
    return processed_schema(cb).validate(out, inplace=True)  # out is ours: no copy needed


def _as_int8(values: pd.Series):
    """Whole-number codes (float, NaN for blank) as a nullable Int8 array.

    The same as ``pd.array(values.round(), dtype="Int8")``, built directly from the data and
    its mask when every value fits (pandas' general conversion inspects each value).
    """
    if not len(values):
        return pd.array([], dtype="Int8")
    x = values.round()
    if isinstance(x.dtype, np.dtype) and x.dtype.kind == "f":
        a = x.to_numpy()
        mask = np.isnan(a)
        filled = np.where(mask, 0.0, a)
        if np.all((filled >= -128) & (filled <= 127)):
            return pd.arrays.IntegerArray(filled.astype(np.int8), mask)
    return pd.array(x, dtype="Int8")


def _write_outputs(wave: str, root: Path | None, responses, quarantine, quality, frame) -> Path:
    target = paths.processed_dir(wave, root)
    doing = "write the processed data (the earlier outputs are unchanged)"
    tmp = temp_path(target.parent, f".{wave}-")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        responses.to_parquet(tmp / "responses.parquet", index=False)
        quarantine.to_parquet(tmp / "quarantine.parquet", index=False)
        (tmp / "quality.json").write_text(
            json.dumps(quality, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if frame is not None:
            frame.to_parquet(tmp / "frame.parquet", index=False)
        from analysis.clean.segments import write_segments  # meeting notes + free text (qual)

        write_segments(tmp, wave, responses, root=root)
        replace_dir(tmp, target)  # the earlier outputs stay if this fails or is interrupted
    except OSError as exc:
        remove_tree(tmp)
        raise fs_error(target.parent, exc, doing, own_path=False) from None
    except BaseException:
        remove_tree(tmp)
        raise
    return target


def _check_registered_frame(fpath: Path, wave: str) -> None:
    if not fpath.is_file():
        raise InputFileError(
            fpath,
            "the registered frame is missing (deleted after registration?): put it back, give "
            f"the wave a frame again with 'python -m analysis ingest {wave} --frame FILE', or "
            f"register the wave again with 'python -m analysis ingest --wave {wave} --source "
            "FILE --frame FILE --force'",
        )


def ingest_wave(wave: str, *, root: Path | None = None, quiet: bool = False, _loaded=None) -> dict:
    """Ingest a registered wave from its manifest; returns the quality report.

    Parameters
    ----------
    wave : str
        A wave registered in ``data/raw/WAVE/``.
    root : Path, optional
        Project root (default: :func:`analysis.paths.project_root`).
    quiet : bool
        Do not print the summary.
    """
    from tqdm import tqdm

    from analysis.io.frame import load_frame
    from analysis.io.loaders import read_export

    raw = paths.raw_dir(wave, root)
    if not raw.is_dir():
        raise UserError(
            f"wave {wave!r} is not registered (no folder {raw}); register it with "
            f"'python -m analysis ingest --wave {wave} --source FILE'"
        )
    manifest = Manifest.read(raw)
    # progress on stderr, shown only on a terminal (tqdm's disable=None)
    with tqdm(
        total=4, desc=f"ingest {wave}", unit="step", file=sys.stderr, disable=None, leave=False
    ) as bar:
        bar.set_postfix_str("checksums")
        manifest.verify(raw)
        frame = None
        if manifest.frame_file:
            fpath = raw / manifest.frame_file
            _check_registered_frame(fpath, wave)
            if manifest.frame_sha256 and sha256_file(fpath) != manifest.frame_sha256:
                raise InputFileError(
                    fpath,
                    "checksum differs from the manifest: the frame was changed; put it back or "
                    f"give the wave a frame again with 'python -m analysis ingest {wave} --frame "
                    "FILE'",
                )
            frame = load_frame(fpath)
        bar.update()
        bar.set_postfix_str("reading")
        if manifest.instrument_file:
            load_codebook(raw / manifest.instrument_file)  # the wave's own copy defines its version
        loaded = _loaded or read_export(
            raw / manifest.source_file,
            fmt=manifest.format,
            version=int(manifest.instrument_version),
        )
        bar.update()
        bar.set_postfix_str("validating, redacting")
        responses, quarantine, quality = process_export(loaded, wave=wave, frame=frame)
        quality = {
            "wave": wave,
            "source_file": manifest.source_file,
            "sha256": manifest.sha256,
            "design": manifest.design,
            **{k: v for k, v in quality.items() if k != "wave"},
        }
        bar.update()
        bar.set_postfix_str("writing")
        out = _write_outputs(wave, root, responses, quarantine, quality, frame)
        bar.update()
    if not quiet:
        print(summary(quality, folder=out))
    return quality


def summary(quality: dict, *, folder: Path | None = None) -> str:
    """A short readable account of an ingest."""
    q = quality
    lines = [
        f"{q['wave']}: {q['rows_read']} rows read, {q['rows_kept']} kept, "
        f"{q['rows_quarantined']} quarantined"
        + (
            f" ({', '.join(f'{k}: {v}' for k, v in q['quarantined_by_reason'].items())})"
            if q["quarantined_by_reason"]
            else ""
        )
    ]
    if q["set_missing"]:
        total = sum(s["count"] for s in q["set_missing"])
        by_reason: dict[str, list] = {}
        for s in q["set_missing"]:
            by_reason.setdefault(s["reason"], []).append(s)
        detail = "; ".join(
            f"{reason} ×{sum(s['count'] for s in items)}"
            + (f" ({items[0]['column']})" if len(items) == 1 else f" in {len(items)} columns")
            for reason, items in by_reason.items()
        )
        lines.append(f"  values set missing: {total} ({detail})")
    if q["repairs"]:
        lines.append(
            "  repairs: "
            + "; ".join(f"{r['column']} {r['kind']} ×{r['count']}" for r in q["repairs"])
        )
    flagged = {k: v for k, v in q["flags"].items() if v}
    if flagged:
        lines.append("  flagged: " + ", ".join(f"{k} ×{v}" for k, v in flagged.items()))
    pdr = q["personal_data_removed"]
    removed = {k: pdr[k] for k in KINDS if pdr.get(k)}
    if removed or pdr.get("columns_dropped"):
        parts = [f"{k} ×{v}" for k, v in removed.items()]
        if pdr.get("columns_dropped"):
            parts.append("columns dropped unread: " + ", ".join(pdr["columns_dropped"]))
        lines.append("  personal data removed: " + "; ".join(parts))
    for w in q["warnings"]:
        lines.append(f"  warning: {w}")
    if folder is not None:
        lines.append(f"  wrote {folder}")
    return "\n".join(lines)


def ingest_command(
    wave: str | None,
    *,
    register: bool = False,
    source: Path | None = None,
    fmt: str = "auto",
    instrument: int | str | Path | None = None,
    frame: Path | None = None,
    design: str | None = None,
    root: Path | None = None,
    force: bool = False,
    invited: list[str] | None = None,
    recruitment: str | None = None,
    mode: str | None = None,
    tool: str | None = None,
    fieldwork: tuple[str, str] | None = None,
) -> int:
    """The ``python -m analysis ingest`` command (see the module docstring).

    ``ingest --wave W --source S [--force]`` registers (``force``: again, over an incomplete
    registration); ``ingest W --frame F --design D`` corrects a registered wave's frame or design
    (:func:`correct_registration`); ``ingest W`` re-ingests. A file-system fault anywhere (full
    disk, read-only folder, a file removed meanwhile) is one line naming the path, never a
    traceback. ``invited`` (``["CATEGORY=N", ...]``), ``recruitment``, ``mode``, ``tool`` and
    ``fieldwork`` (``(START, END)``) are the survey facts for the report's methods section, set at
    registration or corrected for a registered wave.
    """
    if not wave:
        raise UserError(
            "name a wave: 'ingest WAVE' re-ingests a registered wave; "
            "'ingest --wave WAVE --source FILE' registers a new one"
        )
    survey = survey_from_options(invited, recruitment, mode, tool)
    fieldwork = tuple(fieldwork) if fieldwork is not None else None
    try:
        return _ingest_command(
            wave, register, source, fmt, instrument, frame, design, root, force, survey, fieldwork
        )
    except OSError as exc:  # the specific places name what failed; this is the last resort
        raise fs_error(paths.raw_dir(wave, root), exc, f"ingest wave {wave!r}") from None


def _ingest_command(
    wave, register, source, fmt, instrument, frame, design, root, force, survey=None, fieldwork=None
) -> int:
    if register or source is not None:
        if source is None:
            raise UserError("--source FILE is required to register a new wave")
        _, loaded = _register(
            wave,
            source,
            fmt=fmt,
            instrument=instrument,
            frame=frame,
            design=design,
            root=root,
            force=force,
            survey=survey,
            fieldwork=fieldwork,
        )
        ingest_wave(wave, root=root, _loaded=loaded)
        return 0
    if instrument is not None or fmt != "auto" or force:
        raise UserError(
            "--format, --instrument and --force are for registering a wave (with --wave and "
            "--source); a registered wave is re-ingested from its manifest, and only its "
            "--frame, --design, --fieldwork, --invited, --recruitment, --mode and --tool can be "
            f"corrected ('ingest {wave} --frame FILE --design D')"
        )
    if frame is not None or design is not None or survey or fieldwork is not None:
        correct_registration(
            wave, frame=frame, design=design, root=root, survey=survey, fieldwork=fieldwork
        )
    ingest_wave(wave, root=root)
    return 0


# ------------------------------------------------------------------------------------------
# Reading processed data
# ------------------------------------------------------------------------------------------


def _processed(wave: str, root, name: str) -> Path:
    path = paths.processed_dir(wave, Path(root) if root else None) / name
    if not path.is_file():
        raise UserError(
            f"{path} not found: ingest the wave first ('python -m analysis ingest {wave}')"
        )
    return path


def load_processed(wave: str, *, root: str | Path | None = None) -> pd.DataFrame:
    """The kept responses of an ingested wave, with the dtypes of docs/processed-data.md."""
    df = pd.read_parquet(_processed(wave, root, "responses.parquet"))
    cb = _registered_codebook(wave, root, df)
    df[cb.category_variable] = pd.Categorical(
        df[cb.category_variable].astype(object), categories=list(cb.categories)
    )
    df["storrelse"] = pd.Categorical(
        df["storrelse"].astype(object), categories=list(SIZE_CLASSES), ordered=True
    )
    return df


def _registered_codebook(wave: str, root, df: pd.DataFrame) -> Codebook:
    """The wave's codebook, registered for its version so that the data's own
    ``instrument_version`` resolves to it everywhere in this process."""
    raw = paths.raw_dir(wave, Path(root) if root else None)
    if (raw / "manifest.json").is_file():
        return wave_codebook(wave, root=Path(root) if root else None)
    return codebook_for(df)


def load_quality(wave: str, *, root: str | Path | None = None) -> dict:
    """The quality report (``quality.json``) of an ingested wave."""
    return json.loads(_processed(wave, root, "quality.json").read_text(encoding="utf-8"))


def load_quarantine(wave: str, *, root: str | Path | None = None) -> pd.DataFrame:
    """Rows of an ingested wave that were not kept, with their reasons (free text redacted)."""
    return pd.read_parquet(_processed(wave, root, "quarantine.parquet"))


def load_wave_frame(wave: str, *, root: str | Path | None = None) -> pd.DataFrame | None:
    """The municipality frame an ingested wave used, or None when it had none."""
    path = paths.processed_dir(wave, Path(root) if root else None) / "frame.parquet"
    if not path.is_file():
        return None
    df = pd.read_parquet(path)
    df["storrelse"] = pd.Categorical(
        df["storrelse"].astype(object), categories=list(SIZE_CLASSES), ordered=True
    )
    return df


def load_manifest(wave: str, *, root: str | Path | None = None) -> Manifest:
    """The manifest of a registered wave."""
    return Manifest.read(paths.raw_dir(wave, Path(root) if root else None))
