"""Small synthetic exports of ONE canonical set of answers, in every format and encoding.

Nothing binary is committed: the tests call these writers into ``tmp_path``. The canonical answers
(:func:`canonical_answers`) are ~20 deterministic respondents on the canonical columns of one
instrument version, with blanks, "vet ikke" (9), ``niva`` 0, Norwegian letters, delimiters and a
line break in free text, planted personal data (:data:`PLANTED`), a ``kommunenummer`` that lost
its leading zero and an exact duplicate (:data:`DUPLICATE_ROW` repeats :data:`DUPLICATE_OF`).

Writers (each returns the path to pass as ``--source``):
``write_nettskjema`` (current ``;`` layout or the old tab ``.txt``), ``write_surveyxact_csv`` (three
files in any delimiter/encoding), ``write_surveyxact_xlsx``, ``write_spss`` and ``write_forms``.
Headers come from ``Codebook.source_column`` so the fixtures follow the codebook.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.instrument.codebook import load_codebook

N_ROWS = 20
#: 1-based source rows: row DUPLICATE_ROW repeats every answer of DUPLICATE_OF.
DUPLICATE_OF, DUPLICATE_ROW = 5, 18
#: 1-based row whose checkbox questions are all unanswered (SurveyXact: status Frafalt, 0s written).
GATED_ROW = 12
#: Personal data planted in free text and in Microsoft Forms' Email/Name columns.
PLANTED = {
    "email": "kari.nordmann@example.com",
    "phone": "+47 912 34 567",
    "fnr": "15108695088",  # valid checksum (tests/test_privacy.py derives it independently)
    "forms_email": "ola.hemmelig@example.org",
    "forms_name": "Ola Hemmeligsen",
}
TEXTS = [
    "Beboermøte på Ærøy – åpent for alle",
    'Vi bruker "dugnad"; det, og kaffe, virker',
    f"Kontakt {PLANTED['email']} for mer",
    f"Ring {PLANTED['phone']} om dere vil vite mer",
    f"En leietaker (fnr {PLANTED['fnr']}) klaget",
    "Linje 1\nLinje 2 med øl",
]
SYSTEM_IDS = [str(7000 + 3 * i) for i in range(N_ROWS)]


def _sid(i: int) -> str:
    """The export's own id of row ``i`` (0-based): SYSTEM_IDS, continued for longer data."""
    return str(7000 + 3 * i)


def canonical_answers(version: int = 1, seed: int = 11) -> pd.DataFrame:
    """The canonical answers: ``cb.item_columns`` of ``version``; codes float, text str/None."""
    cb = load_codebook(version)
    rng = np.random.default_rng([seed, version])
    out: dict[str, object] = {}
    types = list(cb.question("utleiertype").codes)
    out["utleiertype"] = rng.choice(types, N_ROWS).astype(float)
    for q in cb.questions.values():
        if q.id == "utleiertype":
            continue
        if q.type == "text":
            continue
        if q.type == "checkbox":
            block = rng.integers(0, 2, (N_ROWS, len(q.options))).astype(float)
            none = block.sum(axis=1) == 0  # Forms cannot say "answered, nothing chosen": choose one
            block[none, rng.integers(0, len(q.options), int(none.sum()))] = 1.0
            block[rng.random(N_ROWS) < 0.1] = np.nan  # question not answered
            if q.exclusive_option:
                k = [o.id for o in q.options].index(q.exclusive_option)
                others = np.delete(np.arange(len(q.options)), k)
                block[:, k] = np.where(
                    np.isnan(block[:, k]),
                    np.nan,
                    (np.nansum(block[:, others], axis=1) == 0).astype(float),
                )
            if q.max_choices:
                over = np.nansum(block, axis=1) > q.max_choices
                block[over] = np.where(np.isnan(block[over]), np.nan, 0.0)
                block[over, : q.max_choices] = 1.0
            for j, c in enumerate(q.columns):
                out[c] = block[:, j]
        else:
            codes = np.array(q.codes, dtype=float)
            for c in q.columns:
                x = rng.choice(codes, N_ROWS)
                x[rng.random(N_ROWS) < 0.1] = np.nan
                out[c] = x
    df = pd.DataFrame(out)
    df.insert(
        1, "kommunenummer", [["0301", "1103", None, "1103", "0301"][i % 5] for i in range(N_ROWS)]
    )
    df.loc[2, "kommunenummer"] = "301"  # leading zero lost (row 3)
    df["eksempel"] = None
    df["kommentar"] = None
    for i, t in enumerate(TEXTS):
        df.at[2 * i + 1, "eksempel" if i % 2 else "kommentar"] = t
    df.loc[0, [c for c in df if c.startswith("niva_")]] = 0.0  # niva 0 is a valid answer
    checkbox = [c for q in cb.questions.values() if q.type == "checkbox" for c in q.columns]
    df.loc[GATED_ROW - 1, checkbox] = np.nan
    df = df[list(cb.item_columns)]
    df.at[DUPLICATE_OF - 1, "eksempel"] = f"Se {PLANTED['email']}"  # redacted in quarantine too
    df.iloc[DUPLICATE_ROW - 1] = df.iloc[DUPLICATE_OF - 1]
    return df


def _code(v) -> str:
    return "" if pd.isna(v) else str(int(v))


def _cells(df: pd.DataFrame, cb) -> dict[str, list[str]]:
    out = {}
    for c in cb.item_columns:
        q, _ = cb.locate(c)
        out[c] = (
            [("" if v is None else str(v)) for v in df[c]]
            if q.type == "text"
            else [_code(v) for v in df[c]]
        )
    return out


def _write_delimited(
    rows: list[list[str]], path: Path, *, delimiter: str, encoding: str, quoting=csv.QUOTE_MINIMAL
) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_nettskjema(
    df: pd.DataFrame, path: Path, *, version: int = 1, encoding: str = "utf-8", old: bool = False
) -> Path:
    """Nettskjema report: ``;``-separated, all quoted (``old``: tab ``.txt`` with NR/Opprettet/Svartid)."""
    cb = load_codebook(version)
    cells = _cells(df, cb)
    heads = [cb.source_column(c, "nettskjema") for c in cb.item_columns]
    if old:
        header = ["NR", "Opprettet", "Svartid", *heads]
        rows = [
            [
                _sid(i),
                f"{(i % 27) + 1:02d}.10.2022 {8 + i % 10:02d}:{(7 * i) % 60:02d}",
                f"{3 + i % 7}:{(11 * i) % 60:02d}",
                *[cells[c][i] for c in cb.item_columns],
            ]
            for i in range(len(df))
        ]
        return _write_delimited([header, *rows], path, delimiter="\t", encoding=encoding)
    header = ["$submission_id", *heads, "$created", "$answer_time_ms"]
    rows = [
        [_sid(i), *[cells[c][i] for c in cb.item_columns], "", str(300000 + 997 * i)]
        for i in range(len(df))
    ]
    return _write_delimited(
        [header, *rows], path, delimiter=";", encoding=encoding, quoting=csv.QUOTE_ALL
    )


def _status(i: int) -> list[str]:
    """stato_1..5 dummies: GATED_ROW is Frafalt (5), every 4th Noen svar (3), else Gjennomført (4)."""
    s = 5 if i + 1 == GATED_ROW else (3 if i % 4 == 3 else 4)
    return ["1" if k == s else "0" for k in range(1, 6)]


def _surveyxact_tables(df: pd.DataFrame, version: int):
    cb = load_codebook(version)
    cells = _cells(df, cb)
    checkbox = {c for q in cb.questions.values() if q.type == "checkbox" for c in q.columns}
    heads = [cb.source_column(c, "surveyxact") for c in cb.item_columns]
    data = [["respondent", *[f"stato_{k}" for k in range(1, 6)], *heads]]
    for i in range(len(df)):
        vals = [cells[c][i] for c in cb.item_columns]
        if i + 1 == GATED_ROW:  # SurveyXact writes 0 for options of a question never answered
            vals = ["0" if c in checkbox else v for c, v in zip(cb.item_columns, vals, strict=True)]
        data.append([_sid(i), *_status(i), *vals])
    structure = [
        [
            "questionName",
            "variableName",
            "questionType",
            "subType",
            "questionText",
            "choiceValue",
            "choiceText",
        ]
    ]
    labels = []
    for c in cb.item_columns:
        q, part = cb.locate(c)
        name = cb.source_column(c, "surveyxact")
        qtype = {"checkbox": "multiple", "matrix": "matrix", "single": "single", "text": "text"}[
            q.type
        ]
        structure.append(
            [q.id, name, qtype, "", q.text("nb"), "", "" if part is None else part.text("nb")]
        )
        if q.type != "text":
            labels += [[name, str(k), v] for k, v in cb.value_labels(c).items()]
    return data, structure, labels


def write_surveyxact_csv(
    df: pd.DataFrame,
    folder: Path,
    *,
    version: int = 1,
    delimiter: str = ";",
    encoding: str = "utf-8",
    stem: str = "wave",
) -> Path:
    """Three files ``<stem>_dataset/_structure/_labels.csv``; returns the dataset path."""
    folder.mkdir(parents=True, exist_ok=True)
    data, structure, labels = _surveyxact_tables(df, version)
    _write_delimited(
        structure, folder / f"{stem}_structure.csv", delimiter=delimiter, encoding=encoding
    )
    _write_delimited(labels, folder / f"{stem}_labels.csv", delimiter=delimiter, encoding=encoding)
    return _write_delimited(
        data, folder / f"{stem}_dataset.csv", delimiter=delimiter, encoding=encoding
    )


def _xlsx(sheets: dict[str, list[list]], path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def write_surveyxact_xlsx(df: pd.DataFrame, path: Path, *, version: int = 1) -> Path:
    """One workbook with sheets Dataset, Structure, Labels (numbers stored as numbers)."""
    data, structure, labels = _surveyxact_tables(df, version)
    text = {"respondent", "kommunenummer", "eksempel", "kommentar"}
    kinds = [h in text for h in data[0]]
    data = [data[0]] + [
        [
            (v or None) if is_text else (int(v) if v else None)
            for v, is_text in zip(r, kinds, strict=True)
        ]
        for r in data[1:]
    ]
    return _xlsx({"Dataset": data, "Structure": structure, "Labels": labels}, path)


def write_spss(
    df: pd.DataFrame,
    path: Path,
    *,
    version: int = 1,
    user_missing: int | None = -99,
    missing_rows: tuple[int, ...] = (),
    declare: dict[str, list] | None = None,
    variable_labels: bool = False,
) -> Path:
    """SPSS ``.sav``; rows in ``missing_rows`` (1-based) get ``user_missing`` wherever they are blank.

    ``variable_labels``: label every variable as SurveyXact's SPSS export does (the question
    text; ``"<question text> - <row or option text>"`` for matrix rows and checkbox options),
    and label ``user_missing`` "Ikke besvart".
    """
    import pyreadstat

    cb = load_codebook(version)
    table, vlabels, missing = {"ID": [float(_sid(i)) for i in range(len(df))]}, {}, {}
    names = {"ID": "Respondent"}
    for c in cb.item_columns:
        q, part = cb.locate(c)
        name = cb.source_column(c, "spss")
        names[name] = q.text("nb") + ("" if part is None else f" - {part.text('nb')}")
        if q.type == "text":
            table[name] = ["" if v is None else v for v in df[c]]
            continue
        x = df[c].to_numpy(dtype=float).copy()
        if user_missing is not None:
            for r in missing_rows:
                if np.isnan(x[r - 1]):
                    x[r - 1] = user_missing
            missing[name] = [user_missing]
        table[name] = x
        vlabels[name] = {float(k): v for k, v in cb.value_labels(c).items()}
        if variable_labels and user_missing is not None:
            vlabels[name][float(user_missing)] = "Ikke besvart"
    if declare:
        missing.update(declare)
    pyreadstat.write_sav(
        pd.DataFrame(table),
        str(path),
        variable_value_labels=vlabels,
        missing_ranges=missing,
        column_labels=[names[n] for n in table] if variable_labels else None,
    )
    return path


def write_forms(df: pd.DataFrame, path: Path, *, version: int = 1, norwegian: bool = False) -> Path:
    """Microsoft Forms workbook: ID, times, Email, Name, then question-text columns and label answers."""
    cb = load_codebook(version)
    lead = (
        ["ID", "Starttidspunkt", "Fullføringstidspunkt", "E-postadresse", "Navn"]
        if norwegian
        else ["ID", "Start time", "Completion time", "Email", "Name"]
    )
    header, getters = list(lead), []
    for q in cb.questions.values():
        if q.type == "checkbox":
            header.append(q.text("nb"))

            def get(i, q=q):
                vals = [df.at[i, f"{q.id}_{o.id}"] for o in q.options]
                if all(pd.isna(v) for v in vals):
                    return None
                chosen = [o.text("nb") for o, v in zip(q.options, vals, strict=True) if v == 1]
                return ";".join(chosen) + (";" if i % 2 == 0 and chosen else "")

            getters.append(get)
            continue
        for c in q.columns:
            header.append(cb.source_column(c, "forms"))
            if q.type == "text":
                getters.append(lambda i, c=c: df.at[i, c])
            else:
                labels = cb.value_labels(c)
                getters.append(
                    lambda i, c=c, labels=labels: (
                        None if pd.isna(df.at[i, c]) else labels[int(df.at[i, c])]
                    )
                )
    rows = [header]
    for i in range(len(df)):
        rows.append(
            [
                int(_sid(i)),
                f"10/{i + 1}/22 9:00:00",
                f"10/{i + 1}/22 9:12:00",
                PLANTED["forms_email"],
                PLANTED["forms_name"],
                *[g(i) for g in getters],
            ]
        )
    return _xlsx({"Form1": rows}, path)


def write_all(folder: Path, *, version: int = 1) -> dict[str, Path]:
    """Every layout of the canonical answers into ``folder``; name -> source path."""
    df = canonical_answers(version)
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "nettskjema-utf8": write_nettskjema(df, folder / "ns.csv", version=version),
        "nettskjema-bom": write_nettskjema(
            df, folder / "ns_bom.csv", version=version, encoding="utf-8-sig"
        ),
        "nettskjema-cp1252": write_nettskjema(
            df, folder / "ns_1252.csv", version=version, encoding="cp1252"
        ),
        "nettskjema-old-txt": write_nettskjema(
            df, folder / "ns_old.txt", version=version, old=True, encoding="cp1252"
        ),
        "surveyxact-xlsx": write_surveyxact_xlsx(df, folder / "sx.xlsx", version=version),
        "spss": write_spss(df, folder / "export.sav", version=version, missing_rows=(7,)),
        "forms-xlsx": write_forms(df, folder / "forms.xlsx", version=version),
        "forms-xlsx-nb": write_forms(df, folder / "forms_nb.xlsx", version=version, norwegian=True),
    }
    for delim, enc, tag in (
        ("\t", "utf-16", "tab-utf16"),
        (";", "cp1252", "semicolon-cp1252"),
        (",", "utf-8", "comma-utf8"),
        (",", "utf-16", "comma-utf16"),
        (";", "utf-8-sig", "semicolon-bom"),
    ):
        out[f"surveyxact-{tag}"] = write_surveyxact_csv(
            df, folder / f"sx_{tag}", version=version, delimiter=delim, encoding=enc
        )
    return out
