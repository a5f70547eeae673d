"""SurveyXact exports: a dataset plus ``structure`` and ``labels``.

Two deliveries are read:

- one workbook (``.xlsx``) with the sheets ``Dataset``, ``Structure`` and ``Labels``;
- three delimited text files (tab, ``;`` or ``,``; UTF-16, Windows-1252 or UTF-8, each detected
  on its own). ``--source`` names the dataset; the other two are found beside it by name
  (:func:`companion_files`): for a dataset ``NAME.csv`` or ``NAME_dataset.csv`` the structure file
  is ``NAME_structure.csv`` (or ``NAME-structure.csv``, or plain ``structure.csv``) and the labels
  file ``NAME_labels.csv`` (likewise); names match case-insensitively, extensions ``.csv`` or ``.txt``.

The dataset's variable names are ``q_r`` in the wave version's spelling (renames included). Multiple choice is one
0/1 dummy per option, and SurveyXact writes the 0 also for respondents who never answered, so the
dummies are gated on the status dummies ``stato_1..5`` (Ny, Distribuert, Noen svar, Gjennomført,
Frafalt; or one ``stato`` column coded 1–5): only respondents with status Noen svar or Gjennomført
keep their checkbox answers, the others get NA (counted).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("wave_dataset.csv", "wave_structure.csv", "wave_labels.csv"):
...     _ = (d / name).write_text("x")
>>> [p.name for p in companion_files(d / "wave_dataset.csv")]
['wave_structure.csv', 'wave_labels.csv']
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.instrument.codebook import load_codebook
from analysis.io.loaders.base import (
    LoadedExport,
    Notes,
    assemble,
    choose_version,
    expected_headers,
    find_column,
    header_names,
    merge_repeated,
    norm,
    note_nul,
    unique_names,
    warn_unknown,
)
from analysis.io.loaders.encoding import NUL_ATTR, read_table

GATED = "checkbox not answered (SurveyXact status not Noen svar/Gjennomført)"
ID_CANDIDATES = ("respondentid", "respondent_id", "respondent", "id", "responseid")
STATUS_RE = re.compile(r"^stato_([1-5])$", re.IGNORECASE)
SHEETS = ("dataset", "structure", "labels")
STRUCTURE_COLUMNS = ("questionname", "variablename")


def _base_name(stem: str) -> str:
    return re.sub(r"[_\-\s]*dataset$", "", stem, flags=re.IGNORECASE)


def companion_files(dataset: str | Path) -> tuple[Path, Path]:
    """The structure and labels files beside a SurveyXact dataset file (see the module docstring)."""
    dataset = Path(dataset)
    folder = dataset.parent
    base = _base_name(dataset.stem)
    by_lower = (
        {p.name.lower(): p for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    )
    found = []
    for role in ("structure", "labels"):
        names = [f"{base}_{role}", f"{base}-{role}", f"{base} {role}", role] if base else [role]
        hit = None
        for name in names:
            for ext in (dataset.suffix.lower(), ".csv", ".txt"):
                if (name + ext).lower() in by_lower:
                    hit = by_lower[(name + ext).lower()]
                    break
            if hit:
                break
        if hit is None:
            tried = ", ".join(f"{n}{dataset.suffix}" for n in names)
            raise InputFileError(
                dataset, f"SurveyXact {role} file not found beside the dataset (looked for {tried})"
            )
        found.append(hit)
    return found[0], found[1]


def _read_workbook(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from analysis.io.loaders.forms import open_workbook, sheet_rows

    wb = open_workbook(path)
    try:
        names = {n.strip().lower(): n for n in wb.sheetnames}
        missing = [s.capitalize() for s in SHEETS if s not in names]
        if missing:
            raise InputFileError(
                path, f"not a SurveyXact workbook: sheet(s) {', '.join(missing)} missing"
            )
        tables = []
        for s in SHEETS:
            rows = sheet_rows(wb[names[s]], path=path)
            if s == "labels":
                tables.append(pd.DataFrame(rows, dtype=object))
            else:
                if not rows:
                    raise InputFileError(path, f"sheet {names[s]} is empty")
                header = ["" if h is None else str(h) for h in rows[0]]
                table = pd.DataFrame(rows[1:], columns=unique_names(header), dtype=object)
                table.attrs["header"] = header  # as written (base.header_names)
                tables.append(table)
    finally:
        wb.close()
    if tables[0].empty:
        raise InputFileError(path, "the Dataset sheet has a header but no data rows")
    return tables[0], tables[1], tables[2]


def _answered(df: pd.DataFrame, headers: list[str]) -> tuple[np.ndarray | None, list[str]]:
    dummies = {int(STATUS_RE.match(h).group(1)): h for h in headers if STATUS_RE.match(h)}
    used = list(dummies.values())
    if dummies:

        def flag(k):
            if k not in dummies:
                return np.zeros(len(df), dtype=bool)
            return (
                pd.to_numeric(df[dummies[k]].astype(object), errors="coerce").fillna(0).to_numpy()
                == 1
            )

        return flag(3) | flag(4), used
    single = find_column(headers, ("stato", "status"))
    if single is not None:
        codes = pd.to_numeric(df[single].astype(object), errors="coerce")
        return codes.isin([3, 4]).to_numpy(), [single]
    return None, used


def read_surveyxact(path: str | Path, *, version: int | None = None) -> LoadedExport:
    """Read a SurveyXact export (workbook, or dataset file with its two companions)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    encoding = None
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        df, structure, labels = _read_workbook(path)
        files = [path]
        encoding, nul = "xlsx", 0
    else:
        structure_path, labels_path = companion_files(path)
        df, encoding, _ = read_table(path)
        structure, _, _ = read_table(structure_path)
        labels, _, _ = read_table(labels_path, header=False)
        nul = sum(t.attrs.get(NUL_ATTR, 0) for t in (df, structure, labels))
        structure, labels = structure.astype(object), labels.astype(object)
        files = [path, structure_path, labels_path]
        # structure/labels problems are reported against their own files
        path_of = {"structure": structure_path, "labels": labels_path}
    notes = Notes()
    note_nul(nul, notes, "the dataset, structure and labels files")
    s_cols = {norm(c): c for c in structure.columns}
    missing = [c for c in STRUCTURE_COLUMNS if c not in s_cols]
    if missing:
        where = path if encoding == "xlsx" else path_of["structure"]
        raise InputFileError(
            where,
            f"structure lacks column(s) {', '.join(missing)} "
            "(expected questionName, variableName, questionType, …)",
        )
    if labels.shape[1] < 3:
        where = path if encoding == "xlsx" else path_of["labels"]
        raise InputFileError(
            where, "labels must have three columns: variableName, value, valueLabel"
        )

    headers = header_names(df)
    id_col = find_column(headers, ID_CANDIDATES)
    answered, status_cols = _answered(df, headers)
    skip = {id_col, *status_cols}
    items = [h for h in headers if h not in skip]
    version, how = choose_version(items, "surveyxact", version, path)
    cb = load_codebook(version)
    expected = expected_headers(cb, "surveyxact")
    copies: dict[str, list] = {}
    unknown = []
    for pos, (key, h) in enumerate(zip(df.columns, headers, strict=True), start=1):
        if h in skip:
            continue
        col = expected.get(norm(h))
        if col is None:
            unknown.append(h)
        else:
            copies.setdefault(col, []).append((pos, h, df[key].reset_index(drop=True)))
    columns = merge_repeated(copies, path=path, notes=notes)
    warn_unknown(unknown, notes)
    described = {norm(v) for v in structure[s_cols["variablename"]].dropna().astype(str)}
    undescribed = [h for h in items if norm(h) not in described and expected.get(norm(h))]
    if undescribed:
        notes.warnings.append(
            f"{len(undescribed)} dataset variable(s) not described in the structure: "
            + ", ".join(undescribed[:8])
        )
    _check_labels(labels, expected, cb, notes)
    data = assemble(columns, cb, path=path, notes=notes, n=len(df), unknown=unknown)
    checkbox_cols = [c for q in cb.questions.values() if q.type == "checkbox" for c in q.columns]
    if answered is None:
        notes.warnings.append(
            "no status columns (stato_1..5): checkbox answers could not be gated on "
            "whether the respondent answered"
        )
    else:
        gate = ~answered
        for c in checkbox_cols:
            hit = gate & data[c].notna().to_numpy()
            if hit.any():
                notes.missing(GATED, c, int(hit.sum()))
                data.loc[hit, c] = np.nan
    if id_col is None:
        notes.warnings.append("no respondent id column: rows are named by position")
        sub = pd.Series([None] * len(df), dtype=object)
    else:
        raw = df[id_col].astype(object).where(df[id_col].notna(), None).reset_index(drop=True)
        sub = raw.map(
            lambda v: (
                None
                if v is None or str(v).strip() == ""
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
            )
        )
    return LoadedExport(
        data=data,
        submission_id=sub,
        format="surveyxact",
        encoding=encoding,
        version=version,
        version_how=how,
        warnings=notes.warnings,
        set_missing=notes.as_dict(),
        source_files=files,
        nul_bytes_removed=int(nul),
    )


def _check_labels(labels: pd.DataFrame, expected: dict[str, str], cb, notes: Notes) -> None:
    """Warn when the labels file declares codes the codebook does not know for a coded item."""
    lab = labels.iloc[:, :3].copy()
    lab.columns = ["var", "value", "label"]
    lab["col"] = lab["var"].map(lambda v: expected.get(norm(v)) if v is not None else None)
    lab = lab[lab["col"].notna()]
    lab["code"] = pd.to_numeric(lab["value"], errors="coerce")
    odd = []
    for col, grp in lab.groupby("col"):
        q, _ = cb.locate(col)
        if q.type == "text":
            continue
        extra = sorted(set(grp["code"].dropna()) - set(q.codes))
        extra = [int(x) if float(x).is_integer() else x for x in extra if x >= 0]
        if extra:
            odd.append(f"{col} {extra}")
    if odd:
        notes.warnings.append(
            "labels declare codes the codebook does not have (set missing if used): "
            + "; ".join(odd[:6])
        )
