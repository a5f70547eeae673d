"""Draft an instrument file from an export's own metadata.

A researcher who receives an export of a questionnaire the project does not know yet should not
have to type a codebook by hand. :func:`read_metadata` reads what the export says about itself:

- **SurveyXact**: the ``structure`` and ``labels`` tables (three files in any delimiter and
  encoding, or the workbook's sheets): questions grouped by ``questionName`` (or by a shared
  question text ``"… - row text"``), multiple choice as checkbox, open questions as text, texts,
  codes and labels;
- **SPSS**: variable labels, value labels and declared missing values (a declared code labelled
  "vet ikke"/"ikke aktuelt" becomes non-substantive and stays an answer; other declared codes are
  "not seen/not answered" and are left out of the scale), ``q_k`` groups with 0/1 labels as
  checkbox, groups sharing one set of labels as matrix;
- **Nettskjema**: ids and structure from the headers (``q.option`` 0/1 columns -> checkbox,
  ``q.row`` with codes -> matrix); texts are not in the export and are left for the researcher;
- **Microsoft Forms**: question texts from the headers, options from the observed answers
  (marked "observed, check against the form").

:func:`draft_codebook` writes the result as a full instrument file, or with ``base`` as changes
to that version: questions matched by id, then by text; new and dropped questions, rows and
options listed; likely renames flagged; scores inherited where their items still exist. Every
point a researcher must check is a ``# CHECK:`` comment in the file. The file is loaded with
:func:`analysis.instrument.codebook.load_codebook` before it is written, so what is written
loads, and ``ingest --instrument FILE`` accepts the export it came from.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "ns.csv").write_text('"$submission_id";"kjonn";"tillit.politi";"tillit.skole"\\n'
...                               '"1";"2";"4";"5"\\n"2";"1";"3";"9"\\n', encoding="utf-8")
>>> result = draft_codebook(d / "ns.csv", out=d / "draft.yaml")
>>> [(q.id, q.type) for q in result.questions]
[('kjonn', 'single'), ('tillit', 'matrix')]
>>> load_codebook(d / "draft.yaml").item_columns
('kjonn', 'tillit_politi', 'tillit_skole')
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.errors import InputFileError, UserError
from analysis.instrument.codebook import (
    Codebook,
    InstrumentError,
    available_versions,
    known_codebooks,
    load_codebook,
)

FORMATS = ("nettskjema", "surveyxact", "spss", "forms")

#: Labels the draft recognises as "vet ikke / ikke aktuelt" (a non-substantive answer).
DONT_KNOW_RE = re.compile(
    r"\b(vet ikke|vet ikkje|veit ikke|ikke aktuelt|ikkje aktuelt|usikker|don'?t know|"
    r"not applicable|n/?a)\b",
    re.IGNORECASE,
)
#: Labels of declared missing codes that are not answers ("not seen / not answered").
NOT_ANSWERED_RE = re.compile(
    r"(ikke besvart|ikkje svart|ikke svart|ubesvart|ikke sett|not answered|not seen|"
    r"no answer|missing|system)",
    re.IGNORECASE,
)
#: Answer codes are stored as int8: larger numbers (or leading zeros) are a code such as a
#: municipality number, drafted as text.
MAX_CODE = 127
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


# ------------------------------------------------------------------------------------------
# What an export says about itself
# ------------------------------------------------------------------------------------------


@dataclass
class Part:
    """A matrix row or checkbox option: ``id`` as the export spells it, ``text`` if known."""

    id: str
    text: str | None = None
    header: str = ""


@dataclass
class DraftQuestion:
    """One question as the export describes it; ``notes`` are what a researcher must check."""

    id: str
    type: str
    text: str | None = None
    parts: list[Part] = field(default_factory=list)
    scale: dict[int, str | None] | None = None
    free_text: bool = False
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    #: the base version's question this one was matched to (``--base``)
    base_id: str | None = None


@dataclass
class ExportMetadata:
    """The questions an export describes, in export order."""

    format: str
    source: Path
    questions: list[DraftQuestion]
    non_substantive: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    system: list[str] = field(default_factory=list)
    #: (code, label) -> questions where a "not seen/not answered" code was left out of the scale
    left_out: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    #: (code, label) -> questions where a declared missing "vet ikke" code was kept as an answer
    kept: dict[tuple[int, str], list[str]] = field(default_factory=dict)

    def file_notes(self) -> list[str]:
        out = list(self.notes)
        for (code, label), qs in self.left_out.items():
            out.append(
                f"code {code} ({label or 'no label'}) means 'not seen/not answered' in "
                f"{len(qs)} question(s) ({', '.join(qs[:4])}{' …' if len(qs) > 4 else ''}): "
                "left out of their scales, read as missing"
            )
        for (code, label), qs in self.kept.items():
            out.append(
                f"code {code} ({label}) is declared missing in the file but is a 'vet ikke' "
                f"answer: kept as a non-substantive answer in {len(qs)} question(s)"
            )
        return out


@dataclass
class DraftResult:
    """What :func:`draft_codebook` wrote, and the counts of its summary."""

    path: Path
    version: int
    base: int | None
    questions: list[DraftQuestion]
    matched: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    to_check: int = 0

    def summary(self) -> str:
        """A few lines for the terminal: matched, new, dropped, to check."""
        lines = [
            f"wrote {self.path} (instrument version {self.version}"
            + (f", as changes to version {self.base})" if self.base else ")")
        ]
        n_cols = sum(max(1, len(q.parts)) for q in self.questions)
        lines.append(f"  {len(self.questions)} question(s), {n_cols} column(s) in the export")
        if self.base is not None:
            lines.append(f"  matched to version {self.base}: {len(self.matched)}")
            lines.append(
                f"  new: {len(self.new)}" + (f" ({', '.join(self.new[:8])})" if self.new else "")
            )
            lines.append(
                f"  dropped: {len(self.dropped)}"
                + (f" ({', '.join(self.dropped[:8])})" if self.dropped else "")
            )
        lines.append(f"  to check: {self.to_check} (lines marked '# CHECK:' in the file)")
        return "\n".join(lines)


def _norm(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def slug(text: str, *, max_words: int = 4) -> str:
    """An id from a text: ASCII, lower case, words joined by ``_``.

    Examples
    --------
    >>> slug("Hvor mange utleieboliger har dere?")
    'hvor_mange_utleieboliger_har'
    >>> slug("Ærlig talt")
    'aerlig_talt'
    >>> slug("2 Rom")
    'q_2_rom'
    """
    s = unicodedata.normalize("NFKD", str(text).translate(_FOLD))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", s)[:max_words] or ["q"]
    out = "_".join(words)
    return out if out[0].isalpha() else f"q_{out}"


def _valid_id(name: str) -> str | None:
    low = str(name).strip().lower()
    return low if _ID_RE.match(low) else None


def _id_or_slug(name: str, q: DraftQuestion | None = None) -> str:
    got = _valid_id(name)
    if got is not None:
        return got
    s = slug(name, max_words=8)
    if q is not None:
        q.notes.append(
            f"the export's name {name!r} is not a valid id; drafted as {s!r}: rename it in the "
            "export (the loader matches headers by id)"
        )
    return s


def _split_dash(text: str) -> tuple[str, str] | None:
    for sep in (" - ", " – ", " — "):
        if sep in text:
            head, _, tail = text.rpartition(sep)
            if head.strip() and tail.strip():
                return head.strip(), tail.strip()
    return None


def _common_question_text(texts: list[str | None]) -> tuple[str | None, list[str | None]]:
    """``("Q", [row texts])`` when every text is ``"Q - row"`` with the same Q."""
    split = [_split_dash(t) if t else None for t in texts]
    if split and all(s is not None for s in split) and len({_norm(s[0]) for s in split}) == 1:
        return split[0][0], [s[1] for s in split]
    return None, [None] * len(texts)


def _is_checkbox_labels(labels: dict[int, str]) -> bool:
    return bool(labels) and set(labels) <= {0, 1}


# -- SurveyXact ----------------------------------------------------------------------------


def _surveyxact_tables(path: Path):
    from analysis.io.loaders.encoding import read_table
    from analysis.io.loaders.surveyxact import _read_workbook, companion_files

    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        df, structure, labels = _read_workbook(path)
        return df, structure, labels, path, path
    structure_path, labels_path = companion_files(path)
    df, _, _ = read_table(path)
    structure, _, _ = read_table(structure_path)
    labels, _, _ = read_table(labels_path, header=False)
    return df, structure.astype(object), labels.astype(object), structure_path, labels_path


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _labels_by_variable(labels: pd.DataFrame, where) -> dict[str, dict[int, str]]:
    if labels.shape[1] < 3:
        raise InputFileError(
            where, "labels must have three columns: variableName, value, valueLabel"
        )
    out: dict[str, dict[int, str]] = {}
    for var, value, label in labels.iloc[:, :3].itertuples(index=False):
        var, value, label = _cell(var), _cell(value), _cell(label)
        try:
            code = int(float(value.replace(",", ".")))
        except ValueError:
            continue
        if var:
            out.setdefault(_norm(var), {})[code] = label or None
    return out


def _surveyxact(path: Path) -> ExportMetadata:
    from analysis.io.loaders.surveyxact import ID_CANDIDATES, STATUS_RE

    df, structure, labels, s_where, l_where = _surveyxact_tables(path)
    cols = {_norm(c): c for c in structure.columns}
    for need in ("variablename", "questionname"):
        if need not in cols:
            raise InputFileError(
                s_where,
                f"structure lacks column {need} (expected questionName, "
                "variableName, questionType, questionText, choiceText, …)",
            )

    def col(row, name):
        return _cell(row.get(cols[name])) if name in cols else ""

    by_var = _labels_by_variable(labels, l_where)
    rows = [dict(r) for r in structure.to_dict("records")]
    entries = []
    for r in rows:
        var = col(r, "variablename")
        if not var:
            continue
        entries.append(
            {
                "var": var,
                "qname": col(r, "questionname"),
                "qtype": col(r, "questiontype").lower(),
                "qtext": col(r, "questiontext") or None,
                "ctext": col(r, "choicetext") or None,
                "labels": by_var.get(_norm(var), {}),
            }
        )
    # group: a questionName shared by several variables, else a shared "Q - row" text
    names = [e["qname"] for e in entries]
    for e in entries:
        if e["qname"] and names.count(e["qname"]) > 1:
            e["key"] = ("name", _norm(e["qname"]))
        elif e["qtext"] and _split_dash(e["qtext"]):
            e["key"] = ("text", _norm(_split_dash(e["qtext"])[0]))
        else:
            e["key"] = ("var", _norm(e["var"]))
    groups: list[list[dict]] = []
    for e in entries:
        if groups and groups[-1][0]["key"] == e["key"] and e["key"][0] != "var":
            groups[-1].append(e)
        else:
            groups.append([e])
    meta = ExportMetadata("surveyxact", path, [])
    described = {_norm(e["var"]) for e in entries}
    headers = [str(h) for h in df.columns]
    from analysis.io.loaders.base import find_column

    id_col = find_column(headers, ID_CANDIDATES)
    meta.system = [
        h for h in headers if h == id_col or STATUS_RE.match(h) or _norm(h) in ("stato", "status")
    ]
    odd = [h for h in headers if h not in meta.system and _norm(h) not in described]
    if odd:
        meta.notes.append(
            f"{len(odd)} dataset column(s) not described in the structure, left out: "
            + ", ".join(odd[:8])
        )
    data_cols = {_norm(h): h for h in headers}
    for g in groups:
        q = _surveyxact_question(g, meta)
        if q.type == "text" and _norm(g[0]["var"]) in data_cols:
            values = [_cell(v) for v in df[data_cols[_norm(g[0]["var"])]]]
            q.notes = [n for n in q.notes if not n.startswith("free text")]
            _mark_text(q, [v for v in values if v])
        meta.questions.append(q)
    return meta


def _common_prefix_id(names: list[str], hint: str) -> tuple[str, list[str]] | None:
    low = [n.lower() for n in names]
    h = hint.lower()
    if _ID_RE.match(h) and all(n.startswith(h + "_") and len(n) > len(h) + 1 for n in low):
        return h, [n[len(h) + 1 :] for n in low]
    first = low[0].split("_")
    for k in range(len(first) - 1, 0, -1):
        p = "_".join(first[:k])
        if all(n.startswith(p + "_") for n in low) and _ID_RE.match(p):
            return p, [n[len(p) + 1 :] for n in low]
    return None


def _surveyxact_question(g: list[dict], meta: ExportMetadata) -> DraftQuestion:
    e0 = g[0]
    qtype = e0["qtype"]
    all_labels = [e["labels"] for e in g]
    if len(g) == 1 and "multi" not in qtype:
        q = DraftQuestion(id="", type="single", headers=[e0["var"]])
        q.id = _id_or_slug(e0["var"], q)
        text = e0["qtext"]
        if "text" in qtype or "open" in qtype or "essay" in qtype or not e0["labels"]:
            q.type = "text"
            _mark_text(q)
        else:
            q.scale = _scale_from_labels(e0["labels"], q, meta)
        q.text = text
        return q
    checkbox = "multi" in qtype or all(_is_checkbox_labels(lab) for lab in all_labels)
    q = DraftQuestion(
        id="", type="checkbox" if checkbox else "matrix", headers=[e["var"] for e in g]
    )
    split = _common_prefix_id([e["var"] for e in g], e0["qname"])
    if split is None:
        q.id = slug(e0["qname"] or e0["var"], max_words=3)
        part_ids = [_id_or_slug(e["var"]) for e in g]
        q.notes.append(
            "the variables share no name prefix: the loader will not find these columns; "
            "rename them q_row in the export"
        )
    else:
        q.id, part_ids = split
    qtext, dash_rows = _common_question_text([e["qtext"] for e in g])
    q.text = qtext or e0["qtext"]
    if qtext is None and len({_norm(e["qtext"] or "") for e in g}) > 1:
        q.notes.append("the variables have different question texts: the first is used")
    for e, pid, dash in zip(g, part_ids, dash_rows, strict=True):
        text = e["ctext"] or dash
        if text is None and checkbox:
            text = e["labels"].get(1)
        if not _ID_RE.match(pid):
            q.notes.append(f"row/option id {pid!r} of {e['var']!r} is not a valid id")
            pid = slug(pid, max_words=6)
        q.parts.append(Part(pid, text, e["var"]))
    if not checkbox:
        merged: dict[int, str | None] = {}
        for lab in all_labels:
            for k, v in lab.items():
                merged.setdefault(k, v)
        if any(lab != all_labels[0] for lab in all_labels):
            q.notes.append("the rows do not share one set of value labels: the union is used")
        q.scale = _scale_from_labels(merged, q, meta)
    return q


def _mark_text(q: DraftQuestion, values: list[str] | None = None) -> None:
    digits = values is not None and values and all(re.fullmatch(r"\d+", v.strip()) for v in values)
    if digits:
        q.free_text = False
        q.notes.append(
            "a text question whose answers are all digits (a code such as a municipality "
            "number?); if it is the municipality number, add 'role: municipality_code'"
        )
    else:
        q.free_text = True
        q.notes.append(
            "free text: redacted and never published; set free_text: false only for a short "
            "code that can hold no personal data"
        )


def _scale_from_labels(
    labels: dict[int, str | None], q: DraftQuestion, meta: ExportMetadata, declared=()
) -> dict[int, str | None]:
    """Value labels -> scale; declared missing codes are non-substantive or left out."""
    scale: dict[int, str | None] = {}
    for code in sorted(labels):
        label = labels[code]
        is_declared = any(lo <= code <= hi for lo, hi in declared)
        if label and DONT_KNOW_RE.search(label):
            scale[code] = label
            meta.non_substantive.add(code)
            if is_declared:
                meta.kept.setdefault((code, label), []).append(q.id or "?")
        elif is_declared or code < 0 or (label and NOT_ANSWERED_RE.search(label)):
            meta.left_out.setdefault((code, label or ""), []).append(q.id or "?")
        else:
            scale[code] = label
    return scale


# -- SPSS ----------------------------------------------------------------------------------


def _sav_metadata_here(path: str):
    """The metadata of a ``.sav`` as plain data, or ``("error", message)``."""
    import pyreadstat

    try:
        _, m = pyreadstat.read_sav(path, metadataonly=True, user_missing=True)
    except Exception as exc:  # pyreadstat raises its own errors
        return "error", str(exc).strip() or type(exc).__name__
    return {
        "names": list(m.column_names),
        "labels": list(m.column_labels or []),
        "value_labels": dict(m.variable_value_labels or {}),
        "types": dict(m.readstat_variable_types or {}),
        "missing_ranges": dict(m.missing_ranges or {}),
    }


def _sav_metadata(path: Path) -> dict:
    """Read the metadata in a forked child, as the loader does (ReadStat can crash the
    interpreter on a damaged file: :func:`analysis.io.loaders.spss.run_isolated`)."""
    from analysis.io.loaders.spss import run_isolated

    result = run_isolated(_sav_metadata_here, path)
    if isinstance(result, tuple):
        raise InputFileError(path, f"not a readable SPSS .sav file ({result[1]})")
    return result


def _spss(path: Path, base: Codebook | None) -> ExportMetadata:
    from analysis.io.loaders.base import find_column
    from analysis.io.loaders.spss import ID_CANDIDATES

    m = _sav_metadata(path)
    names = list(m["names"])
    vlabels = {
        k: {int(float(c)): str(v) for c, v in d.items()} for k, d in m["value_labels"].items()
    }
    varlab = dict(zip(names, m["labels"] or [None] * len(names), strict=False))
    types = dict(m["types"])
    ranges = {}
    for k, rs in m["missing_ranges"].items():
        out = []
        for r in rs:
            try:
                out.append((float(r["lo"]), float(r["hi"])))
            except (TypeError, ValueError):
                continue
        ranges[k] = out
    id_col = find_column(names, ID_CANDIDATES)
    meta = ExportMetadata("spss", path, [], system=[id_col] if id_col else [])
    items = [n for n in names if n != id_col]
    known = (
        sorted((q.id for q in base.questions.values() if q.parts), key=len, reverse=True)
        if base
        else []
    )

    def prefix(name: str) -> tuple[str, str] | None:
        low = name.lower()
        for k in known:
            if low.startswith(k + "_"):
                return k, low[len(k) + 1 :]
        if "_" in low:
            p, _, rest = low.partition("_")
            return p, rest
        return None

    def answers(name: str) -> dict[int, str]:
        """Value labels less the declared missing and 'not answered' codes."""
        return {
            c: lab
            for c, lab in vlabels.get(name, {}).items()
            if c >= 0
            and not any(lo <= c <= hi for lo, hi in ranges.get(name, ()))
            and not NOT_ANSWERED_RE.search(lab or "")
            or (lab and DONT_KNOW_RE.search(lab))
        }

    def kind(name: str) -> str:
        if types.get(name) == "string":
            return "text"
        return "checkbox" if _is_checkbox_labels(answers(name)) else "coded"

    i = 0
    while i < len(items):
        name = items[i]
        pre = prefix(name)
        j = i + 1
        if pre is not None and kind(name) != "text":
            while j < len(items):
                other = prefix(items[j])
                if other is None or other[0] != pre[0] or kind(items[j]) != kind(name):
                    break
                if kind(name) == "coded" and vlabels.get(items[j]) != vlabels.get(name):
                    break
                j += 1
        group = items[i:j]
        if len(group) == 1 and not (pre and kind(name) == "checkbox" and pre[0] in known):
            q = DraftQuestion(id="", type="single", headers=[name], text=varlab.get(name) or None)
            q.id = _id_or_slug(name, q)
            if kind(name) == "text":
                q.type = "text"
                _mark_text(q)
            elif not vlabels.get(name):
                q.type = "text"
                q.notes.append("a numeric variable without value labels: drafted as text")
                q.free_text = False
            else:
                q.scale = _scale_from_labels(vlabels[name], q, meta, ranges.get(name, ()))
        else:
            checkbox = kind(name) == "checkbox"
            q = DraftQuestion(id=pre[0], type="checkbox" if checkbox else "matrix", headers=group)
            qtext, dash_rows = _common_question_text([varlab.get(n) for n in group])
            q.text = qtext
            if qtext is None and not checkbox:
                q.notes.append(
                    f"grouped as a matrix because {', '.join(group[:3])}{' …' if len(group) > 3 else ''} "
                    "share a name prefix and their value labels: check that they are one question"
                )
            for n, dash in zip(group, dash_rows, strict=True):
                pid = prefix(n)[1]
                text = dash or (answers(n).get(1) if checkbox else None) or varlab.get(n)
                q.parts.append(Part(pid if _ID_RE.match(pid) else slug(pid, max_words=6), text, n))
            if not checkbox:
                q.scale = _scale_from_labels(vlabels[name], q, meta, ranges.get(name, ()))
        meta.questions.append(q)
        i = j
    return meta


# -- Nettskjema ----------------------------------------------------------------------------


def _codes(values: pd.Series) -> tuple[list[int], int]:
    """Integer codes seen in a column, and how many non-blank cells were not codes."""
    s = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    s = s[s != ""]
    num = pd.to_numeric(s.str.replace(",", ".", regex=False), errors="coerce")
    ints = sorted({int(x) for x in num.dropna() if float(x).is_integer()})
    return ints, int(num.isna().sum())


OBSERVED_CODES = "codes are those seen in the data: add any code nobody chose"


def _nettskjema(path: Path) -> ExportMetadata:
    from analysis.io.loaders.encoding import first_line, read_table, read_text, sniff_delimiter
    from analysis.io.loaders.nettskjema import OLD_SYSTEM, is_old_layout, split_header

    text, _ = read_text(path)
    header = first_line(text)
    old = is_old_layout(header)
    df, _, _ = read_table(
        path, text=text, delimiter="\t" if old else sniff_delimiter(header, ";\t,")
    )
    headers = [str(h) for h in df.columns]
    meta = ExportMetadata("nettskjema", path, [])
    meta.system = [h for h in headers if h.startswith("$") or (old and _norm(h) in OLD_SYSTEM)]
    items = [h for h in headers if h not in meta.system]
    order: list[str] = []
    groups: dict[str, list[str]] = {}
    for h in items:
        qid = split_header(h)[0].lower()
        if qid not in groups:
            order.append(qid)
        groups.setdefault(qid, []).append(h)
    for qid in order:
        hs = groups[qid]
        q = DraftQuestion(id="", type="single", headers=hs)
        q.id = _id_or_slug(qid, q)
        parts = [split_header(h)[1] for h in hs]
        if any(p is None for p in parts):
            if len(hs) > 1:
                q.notes.append(f"headers {', '.join(hs)} mix a question and its rows")
            codes, bad = _codes(df[hs[0]])
            cells = [v.strip() for v in df[hs[0]].astype(object).dropna().astype(str)]
            zero = any(len(v) > 1 and v.startswith("0") for v in cells)
            if bad or not codes or zero or max(codes) > MAX_CODE or len(codes) > 30:
                q.type = "text"
                vals = [v for v in df[hs[0]].astype(str) if v.strip() and v != "nan"]
                _mark_text(q, vals)
            else:
                q.scale = dict.fromkeys(codes)
                q.notes.append(OBSERVED_CODES)
        else:
            codes = sorted({c for h in hs for c in _codes(df[h])[0]})
            q.type = "checkbox" if set(codes) <= {0, 1} else "matrix"
            for h, p in zip(hs, parts, strict=True):
                pid = p.lower()
                q.parts.append(Part(pid if _ID_RE.match(pid) else slug(pid, max_words=6), None, h))
            if q.type == "matrix":
                q.scale = dict.fromkeys(codes)
                q.notes.append(OBSERVED_CODES)
        meta.questions.append(q)
    return meta


# -- Microsoft Forms -----------------------------------------------------------------------

_MATRIX_HEADER = re.compile(r"^(.*\S)\s*\[(.+)\]\s*$", re.DOTALL)


def _forms(path: Path) -> ExportMetadata:
    from analysis.io.loaders.forms import (
        PERSONAL_HEADERS,
        SYSTEM_HEADERS,
        _cell_text,
        open_workbook,
        sheet_rows,
    )

    wb = open_workbook(path)
    try:
        ws = wb.worksheets[0]
        try:
            header_row = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
        except Exception as exc:  # a damaged sheet (parsed lazily)
            raise InputFileError(path, f"damaged worksheet ({type(exc).__name__})") from None
        if not header_row or all(h is None for h in header_row):
            raise InputFileError(path, "the workbook's first sheet is empty")
        header = ["" if h is None else str(h) for h in header_row]
        keep = [i for i, h in enumerate(header) if _norm(h) not in PERSONAL_HEADERS]
        rows = sheet_rows(ws, keep=keep, path=path)  # personal columns never read
    finally:
        wb.close()
    kept = [header[i] for i in keep]
    body = rows[1:]
    meta = ExportMetadata("forms", path, [])
    meta.system = [h for h in kept if _norm(h) in SYSTEM_HEADERS] + [
        header[i] for i in range(len(header)) if i not in keep
    ]
    cells = {h: [_cell_text(r[j]) for r in body] for j, h in enumerate(kept) if h}
    items = [h for h in kept if h and _norm(h) not in SYSTEM_HEADERS]
    groups: list[tuple[str, list[tuple[str, str | None]]]] = []
    for h in items:
        m = _MATRIX_HEADER.match(h)
        qtext, row = (m.group(1), m.group(2)) if m else (h, None)
        if (
            row is not None
            and groups
            and _norm(groups[-1][0]) == _norm(qtext)
            and groups[-1][1][0][1]
        ):
            groups[-1][1].append((h, row))
        else:
            groups.append((qtext, [(h, row)]))
    used: set[str] = set()
    for qtext, members in groups:
        qid = slug(qtext)
        while qid in used:
            qid += "_2"
        used.add(qid)
        q = DraftQuestion(id=qid, type="single", text=qtext, headers=[h for h, _ in members])
        q.notes.append("id made from the question text: choose a short one")
        values = [v for h, _ in members for v in cells[h] if v is not None]
        if members[0][1] is not None:
            q.type = "matrix"
            seen_ids: set[str] = set()
            for _, row in members:
                pid = slug(row)
                while pid in seen_ids:
                    pid += "_2"
                seen_ids.add(pid)
                q.parts.append(Part(pid, row, ""))
            q.scale = _observed_scale(values, q, meta)
        elif _looks_like_checkbox(values):
            q.type = "checkbox"
            opts = list(dict.fromkeys(p.strip() for v in values for p in v.split(";") if p.strip()))
            seen_ids = set()
            for o in opts:
                pid = slug(o)
                while pid in seen_ids:
                    pid += "_2"
                seen_ids.add(pid)
                q.parts.append(Part(pid, o, ""))
            q.notes.append(
                "options observed in the answers, check against the form (an option nobody "
                "chose is missing)"
            )
        elif values and _looks_like_text(values):
            q.type = "text"
            _mark_text(q, values)
        elif not values:
            q.type = "text"
            q.free_text = True
            q.notes.append("no answers in the export: drafted as free text")
        else:
            q.scale = _observed_scale(values, q, meta)
        meta.questions.append(q)
    return meta


def _looks_like_checkbox(values: list[str]) -> bool:
    """Forms joins chosen options with ``;`` (often with a trailing one); free text may hold a
    ``;`` too, so an option must recur across answers, or the answers end with ``;``."""
    parts = [x.strip() for v in values for x in v.split(";") if x.strip()]
    if not any(";" in v for v in values) or _looks_like_text(parts, strict=True):
        return False
    if any(v.rstrip().endswith(";") for v in values):
        return True
    counts: dict[str, int] = {}
    for v in values:
        for p in {x.strip() for x in v.split(";") if x.strip()}:
            counts[p] = counts.get(p, 0) + 1
    return any(n > 1 for n in counts.values())


def _looks_like_text(values: list[str], *, strict: bool = False) -> bool:
    """Free text rather than answer labels: long or multi-line answers, or all different."""
    if any("\n" in v or len(v) > 100 for v in values):
        return True
    if strict:
        return False
    distinct = set(values)
    if len(distinct) > 12 or all(re.fullmatch(r"\d+", v.strip()) for v in values):
        return True
    mean = sum(map(len, values)) / len(values)
    return len(values) >= 3 and len(distinct) == len(values) and mean > 15


def _observed_scale(values: list[str], q: DraftQuestion, meta: ExportMetadata) -> dict[int, str]:
    labels = list(dict.fromkeys(v.strip() for v in values))
    scale: dict[int, str] = {}
    code = 1
    for lab in labels:
        if DONT_KNOW_RE.search(lab) and 9 not in scale:
            scale[9] = lab
            meta.non_substantive.add(9)
            continue
        while code == 9 or code in scale:
            code += 1
        scale[code] = lab
    q.notes.append(
        "answer labels observed in the export, numbered in the order they first appear: "
        "check against the form and put the codes in the scale's order"
    )
    return dict(sorted(scale.items()))


# ------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------


def read_metadata(
    source: str | Path, *, fmt: str = "auto", base: Codebook | None = None
) -> ExportMetadata:
    """What an export says about its questions (see the module docstring)."""
    from analysis.io.loaders.detect import detect_format

    source = Path(source)
    if not source.is_file():
        raise InputFileError(source, "file not found")
    if fmt == "auto":
        fmt, _ = detect_format(source)
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r}: use one of auto, {', '.join(FORMATS)}")
    try:
        if fmt == "surveyxact":
            meta = _surveyxact(source)
        elif fmt == "spss":
            meta = _spss(source, base)
        elif fmt == "nettskjema":
            meta = _nettskjema(source)
        else:
            meta = _forms(source)
    except (InputFileError, UserError):
        raise
    except (UnicodeError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise InputFileError(
            source, f"cannot read as a {fmt} export ({type(exc).__name__}: {exc})"
        ) from None
    if not meta.questions:
        raise InputFileError(source, "the export describes no questions")
    seen: set[str] = set()
    for q in meta.questions:
        while q.id in seen:
            q.notes.append(f"id {q.id!r} appears twice in the export: renamed")
            q.id += "_2"
        seen.add(q.id)
        if q.type in ("single", "matrix") and not q.scale:
            q.type = "text"
            q.free_text = True
            q.notes.append("no codes found: drafted as free text")
    return meta


# ------------------------------------------------------------------------------------------
# Writing YAML with comments
# ------------------------------------------------------------------------------------------


class Flow:
    """A value written inline (``{nb: ..., en: ...}``)."""

    def __init__(self, value):
        self.value = value


class Note:
    """A value with ``# CHECK:`` comments written before it."""

    def __init__(self, value, *notes: str):
        self.value = value
        self.notes = [n for n in notes if n]


def _inline(value) -> str:
    if isinstance(value, Flow):
        value = value.value
    out = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10**9, sort_keys=False
    ).strip()
    if out.endswith("\n..."):
        out = out[: -len("\n...")].strip()
    return out


def _comments(notes, indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}# CHECK: {' '.join(str(n).split())}" for n in notes]


def _emit(value, indent: int = 0) -> list[str]:
    """Block YAML for dicts and lists, inline for :class:`Flow` and scalars."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            notes = []
            while isinstance(v, Note):
                notes, v = notes + v.notes, v.value
            lines += _comments(notes, indent)
            key = _inline(k)
            if isinstance(v, dict | list) and v:
                lines.append(f"{pad}{key}:")
                lines += _emit(v, indent + 2)
            else:
                lines.append(f"{pad}{key}: {_inline(v)}")
        return lines
    if isinstance(value, list):
        for item in value:
            notes = []
            while isinstance(item, Note):
                notes, item = notes + item.notes, item.value
            lines += _comments(notes, indent)
            if isinstance(item, dict) and item:
                sub = _emit(item, indent + 2)
                sub[0] = f"{pad}- " + sub[0][indent + 2 :]
                lines += sub
            else:
                lines.append(f"{pad}- {_inline(item)}")
        return lines
    return [f"{pad}{_inline(value)}"]


def _text(nb: str) -> Flow:
    return Flow({"nb": nb, "en": nb})


def _placeholder(q: DraftQuestion) -> str:
    return f"[{q.id}: skriv spørsmålsteksten]"


# ------------------------------------------------------------------------------------------
# Building the instrument
# ------------------------------------------------------------------------------------------


def _question_entry(q: DraftQuestion, *, after: str | None = None, section: str | None = None):
    notes = list(q.notes)
    text = q.text
    if not text:
        text = _placeholder(q)
        notes.append("question text not in the export: write it (nb and en)")
    entry: dict = {"id": q.id, "type": q.type}
    if after:
        entry["after"] = after
    entry["section"] = section or "main"
    entry["text"] = _text(text)
    if q.scale is not None:
        missing = [c for c, lab in q.scale.items() if not lab]
        if missing:
            notes.append(f"code(s) {missing} have no label in the export: write them")
        entry["scale"] = Flow(
            {c: {"nb": lab or f"kode {c}", "en": lab or f"code {c}"} for c, lab in q.scale.items()}
        )
    if q.parts:
        key = "rows" if q.type == "matrix" else "options"
        entry[key] = [_part_entry(q, p) for p in q.parts]
    if q.type == "text":
        entry["free_text"] = q.free_text
    return Note(entry, *notes)


def _part_entry(q: DraftQuestion, p: Part):
    if p.text:
        return Flow({"id": p.id, "nb": p.text, "en": p.text})
    return Note(
        Flow({"id": p.id, "nb": f"[{p.id}]", "en": f"[{p.id}]"}),
        f"text of {q.id}.{p.id} not in the export: write it",
    )


def next_version(folder: Path | None = None, *, skip: Path | None = None) -> int:
    """One more than every instrument version this process knows, and every version of an
    instrument file in ``folder`` (where the draft goes, so two drafts there never collide)."""

    def redrafted(cb: Codebook) -> bool:
        return skip is not None and cb.source is not None and Path(cb.source) == skip.resolve()

    known = set(available_versions()) | {
        cb.version for cb in known_codebooks() if not redrafted(cb)
    }
    if folder is not None and folder.is_dir():
        for p in folder.glob("*.y*ml"):
            if skip is not None and p.resolve() == skip.resolve():
                continue  # the file being redrafted
            try:
                head = yaml.safe_load(p.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError, OSError):
                continue
            if isinstance(head, dict) and isinstance(head.get("version"), int):
                known.add(head["version"])
    return max(known, default=0) + 1


def _header(meta: ExportMetadata, version: int, base: int | None) -> list[str]:
    lines = [
        f"# Draft of instrument version {version}, made by 'python -m analysis codebook draft' from",
        f"# {meta.source.name} ({meta.format})"
        + (f" as changes to version {base}." if base else "."),
        "# Read every line marked '# CHECK:' and fix what it says; English texts are copies of",
        "# the Norwegian ones until translated. See docs/new-instrument-version.md.",
    ]
    for n in meta.file_notes():
        lines += _comments([n], 0)
    return lines


def _full_document(meta: ExportMetadata, version: int) -> tuple[list[str], int]:
    coded = [q for q in meta.questions if q.type == "single" and q.scale]
    doc: dict = {"version": version}
    title = meta.source.stem
    doc["title"] = Note(
        _text(title), "title taken from the file name: write the questionnaire's title"
    )
    nonsub = sorted(meta.non_substantive) or [9]
    doc["non_substantive_codes"] = Note(
        Flow(nonsub),
        "codes kept as their own answer ('vet ikke'), never averaged"
        + (": none recognised in the export, 9 by convention" if not meta.non_substantive else ""),
    )
    doc["scales"] = Flow({})
    doc["questions"] = [_question_entry(q) for q in meta.questions]
    if coded:
        cat = coded[0]
        levels = {}
        for code, lab in cat.scale.items():
            if code in meta.non_substantive:
                continue
            lid = slug(lab or f"kode {code}", max_words=3)
            while lid in levels:
                lid += "_2"
            levels[lid] = Flow(
                {"codes": [code], "nb": lab or f"kode {code}", "en": lab or f"code {code}"}
            )
        doc["categories"] = Note(
            {"variable": "kategori", "from": cat.id, "levels": levels},
            f"the grouping of respondents (the landlord category) is drafted from {cat.id!r}, "
            "one level per code: choose the question and merge codes into levels",
        )
    else:
        raise UserError(
            f"{meta.source}: the export has no single-choice question to group respondents by "
            "(categories.from); a draft needs one"
        )
    lines = _header(meta, version, None) + _emit(doc)
    return lines, sum(ln.lstrip().startswith("# CHECK:") for ln in lines)


# -- as changes to a base version ------------------------------------------------------------


def _scale_labels(q) -> dict[int, str]:
    return {c: t.nb for c, t in (q.scale or {}).items()}


def _changes_document(meta: ExportMetadata, base: Codebook, version: int, result: DraftResult):
    changes: dict = {}
    add_questions: list = []
    drop_questions: list = []
    parts_add: dict[str, dict] = {"add_rows": {}, "add_options": {}}
    parts_drop: dict[str, dict] = {"drop_rows": {}, "drop_options": {}}
    renames: dict[str, dict] = {"rename_rows": {}, "rename_options": {}}
    texts: dict = {}
    recode: dict = {}
    scores: dict = {}
    drop_scores: list = []
    notes_top: list[str] = []
    by_text = {_norm(q.text.nb): q for q in base.questions.values()}
    taken: set[str] = set()
    for q in meta.questions:  # by id first
        b = base.questions.get(q.id)
        if b is not None and b.type == q.type:
            q.base_id = b.id
            taken.add(b.id)
    for q in meta.questions:  # then by text
        if q.base_id is not None:
            continue
        b = base.questions.get(q.id)
        if b is not None:
            q.notes.append(
                f"version {base.version} has {q.id!r} as a {b.type} question, the "
                f"export as {q.type}: drafted as a new question {q.id}_ny"
            )
            q.id = f"{q.id}_ny"
        t = by_text.get(_norm(q.text)) if q.text else None
        if t is not None and t.type == q.type and t.id not in taken:
            if meta.format == "forms":  # Forms headers are texts: the base id is kept
                q.id = q.base_id = t.id
                taken.add(t.id)
                continue
            q.notes.append(
                f"same text as version {base.version}'s question {t.id!r}: likely the same "
                f"question under a new export id ({q.id!r}). The vocabulary has no question "
                "rename, so it is listed as new and the old one as dropped"
            )
    new_parts: dict[str, list[str]] = {}
    prev: str | None = None
    last_section: dict[str, str] = {}
    for q in meta.questions:
        if q.base_id is not None:
            result.matched.append(q.id)
            new_parts[q.id] = _compare_question(
                q, base.question(q.id), base, meta, parts_add, parts_drop, renames, texts, recode
            )
            prev = q.id
            continue
        section = (
            base.questions[prev].section
            if prev in base.questions
            else last_section.get(prev or "", "added")
        )
        q.notes.append(
            f"new: not in version {base.version}; check its section, and give it a role if "
            "the analysis should use it"
        )
        entry = _question_entry(q, after=prev, section=section)
        last_section[q.id] = section
        add_questions.append(entry)
        result.new.append(q.id)
        prev = q.id
    present = {q.base_id for q in meta.questions if q.base_id}
    for b in base.questions.values():
        if b.id not in present:
            note = ""
            if b.id == base.category_source:
                note = (
                    f"{b.id!r} defines the category ({base.category_variable}) and cannot be "
                    "dropped: ingest will say the column is missing"
                )
                notes_top.append(note)
                continue
            drop_questions.append(Note(b.id, f"not in the export: dropped ({b.text.nb})"))
            result.dropped.append(b.id)
    # scores: inherited through the chain; fix those whose items changed
    dropped_q = {x.value if isinstance(x, Note) else x for x in drop_questions}
    for s in base.scores.values():
        if s.question in dropped_q:
            result.dropped.append(f"score {s.id}")
            continue
        key = "rows" if base.question(s.question).type == "matrix" else "options"
        gone = set(parts_drop[f"drop_{key}"].get(s.question, []))
        new = new_parts.get(s.question, [])
        spec: dict = {}
        notes = []
        exclude = [x for x in s.exclude if x not in gone]
        if new and s.items is None:
            exclude += new
            notes.append(
                f"new {key} {', '.join(new)} kept out of score {s.id} so it means the same as in "
                f"version {base.version}; remove them from exclude to count them"
            )
        if list(exclude) != list(s.exclude):
            spec["exclude"] = Flow(exclude)
        if s.items is not None:
            items = [x for x in s.items if x not in gone]
            if items != list(s.items):
                if not items:
                    drop_scores.append(Note(s.id, "none of its items is left in the export"))
                    result.dropped.append(f"score {s.id}")
                    continue
                spec["items"] = Flow(items)
        left = [
            p.id
            for p in base.question(s.question).parts
            if p.id not in gone
            and p.id not in set(exclude)
            and (s.items is None or p.id in s.items)
        ]
        if not left:
            drop_scores.append(Note(s.id, "none of its items is left in the export"))
            result.dropped.append(f"score {s.id}")
            continue
        if spec:
            scores[s.id] = Note(spec, *notes)
    if add_questions:
        changes["add_questions"] = add_questions
    if drop_questions:
        changes["drop_questions"] = drop_questions
    for k, v in (*parts_add.items(), *parts_drop.items(), *renames.items()):
        if v:
            changes[k] = v
    if recode:
        changes["recode"] = recode
    if texts:
        changes["texts"] = texts
    if scores:
        changes["scores"] = scores
    if drop_scores:
        changes["drop_scores"] = drop_scores
    doc: dict = {"version": version, "base": base.version}
    extra = sorted(meta.non_substantive - set(base.non_substantive_codes))
    if extra:
        doc["non_substantive_codes"] = Note(
            Flow(sorted(set(base.non_substantive_codes) | set(extra))),
            f"code(s) {extra} are labelled 'vet ikke/ikke aktuelt' in the export",
        )
    doc["changes"] = changes if changes else Flow({})
    meta.notes += notes_top
    lines = _header(meta, version, base.version) + _emit(doc)
    return lines, sum(ln.lstrip().startswith("# CHECK:") for ln in lines)


def _compare_question(q, b, base, meta, parts_add, parts_drop, renames, texts, recode) -> list[str]:
    """Record how ``q`` (export) differs from ``b`` (base); returns the ids of new parts."""
    added: list[str] = []
    if q.text and _norm(q.text) != _norm(b.text.nb):
        texts[b.id] = Note(
            _text(q.text),
            f"wording of {b.id!r} differs from version "
            f"{base.version} ({b.text.nb!r}): a real change, or an export quirk?",
        )
    if q.type in ("matrix", "checkbox"):
        kind = "rows" if q.type == "matrix" else "options"
        base_parts = list(b.parts)
        by_native = {p.export_id: p for p in base_parts}
        if meta.format == "forms":
            by_native = {_norm(p.text.nb): p for p in base_parts}
        seen: set[str] = set()
        new_parts: list[Part] = []
        for p in q.parts:
            hit = by_native.get(_norm(p.text) if meta.format == "forms" and p.text else p.id)
            if hit is not None and hit.id not in seen:
                seen.add(hit.id)
                if p.text and _norm(p.text) != _norm(hit.text.nb) and meta.format != "forms":
                    col = f"{b.id}_{hit.id}"
                    texts[col] = Note(
                        _text(p.text),
                        f"wording of {col} differs from version {base.version} ({hit.text.nb!r})",
                    )
            else:
                new_parts.append(p)
        gone = [p for p in base_parts if p.id not in seen]
        for p in list(new_parts):
            twin = next((g for g in gone if p.text and _norm(g.text.nb) == _norm(p.text)), None)
            if twin is not None and meta.format != "forms":
                renames[f"rename_{kind}"].setdefault(b.id, {})[twin.id] = Note(
                    p.id,
                    f"{b.id}: {twin.export_id!r} -> {p.id!r} has the same text: likely a rename "
                    "(same meaning, answers line up across waves); if not, make it a drop and an add",
                )
                gone.remove(twin)
                new_parts.remove(p)
        if meta.format == "forms" and gone and q.type == "checkbox":
            meta.notes.append(
                f"{b.id}: option(s) {', '.join(p.id for p in gone)} were chosen by nobody in the "
                f"export (Forms shows only chosen options): kept from version {base.version}; "
                f"drop them (drop_options) if the form no longer has them"
            )
            gone = []
        if b.exclusive_option in {p.id for p in gone}:
            meta.notes.append(
                f"{b.id}: the exclusive option {b.exclusive_option!r} is not in the export but "
                "cannot be dropped by a change file: kept"
            )
            gone = [p for p in gone if p.id != b.exclusive_option]
        if new_parts:
            entries = [_part_entry(q, p) for p in new_parts]
            if len(new_parts) == 1 and len(gone) == 1:
                entries[0] = Note(
                    entries[0],
                    f"{b.id}: new {new_parts[0].id!r} while "
                    f"{gone[0].id!r} is gone: if they mean the same, write a "
                    f"rename_{kind} instead of the add and the drop",
                )
            parts_add[f"add_{kind}"][b.id] = entries
            added = [p.id for p in new_parts]
        if gone:
            if len(gone) == len(base_parts) and not new_parts:
                q.notes.append(f"every {kind[:-1]} of {b.id} is gone")
            parts_drop[f"drop_{kind}"][b.id] = [p.id for p in gone]
    if q.type in ("single", "matrix") and q.scale is not None and b.scale is not None:
        old = _scale_labels(b)
        have_labels = all(v for v in q.scale.values())
        if meta.format == "forms":
            by_label = {_norm(v): c for c, v in old.items()}
            unknown = [v for v in q.scale.values() if v and _norm(v) not in by_label]
            if unknown:
                meta.notes.append(
                    f"{b.id}: answer(s) {', '.join(map(repr, unknown[:4]))} are not labels of "
                    f"version {base.version}'s scale: they will be read as missing"
                )
            return added
        if not have_labels:
            extra = sorted(set(q.scale) - set(old))
            if extra:
                meta.notes.append(
                    f"{b.id}: code(s) {extra} seen in the export are not in version "
                    f"{base.version}'s scale: they will be set missing"
                )
            return added
        if set(q.scale) == set(old) and all(_norm(q.scale[c]) == _norm(old[c]) for c in old):
            return added
        by_label = {_norm(v): c for c, v in q.scale.items()}
        mapping = {}
        for c, lab in old.items():
            if _norm(lab) in by_label:
                mapping[c] = by_label[_norm(lab)]
            elif c in q.scale:
                mapping[c] = c
        if set(q.scale) == set(old) and mapping == {c: c for c in old}:
            meta.notes.append(
                f"{b.id}: value labels differ in wording from version "
                f"{base.version} (codes alike): check them"
            )
            return added
        if len(mapping) == len(old):
            recode[b.id] = Note(
                {
                    "map": Flow(mapping),
                    "scale": Flow({c: {"nb": v, "en": v} for c, v in q.scale.items()}),
                },
                f"{b.id}: codes differ from version {base.version}; this recode was inferred from "
                "the labels (old code -> new code): check it",
            )
        else:
            unmapped = sorted(set(old) - set(mapping))
            meta.notes.append(
                f"{b.id}: codes differ from version {base.version} and code(s) {unmapped} could "
                "not be mapped by label: write a recode by hand"
            )
    return added


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def draft_codebook(
    source: str | Path,
    *,
    out: str | Path,
    fmt: str = "auto",
    base: int | str | Path | None = None,
) -> DraftResult:
    """Draft an instrument file from an export and write it to ``out``.

    Parameters
    ----------
    source : str or Path
        The export as delivered (SurveyXact: the dataset file or the workbook).
    out : str or Path
        The YAML file to write (written only if it loads; never half-written).
    fmt : {"auto", "nettskjema", "surveyxact", "spss", "forms"}
    base : int, str or Path, optional
        Write the draft as changes to this instrument version.

    Returns
    -------
    DraftResult
        Its :meth:`~DraftResult.summary` is what the command prints.
    """
    out = Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise UserError(f"--out {out}: the draft is YAML: name it FILE.yaml")
    base_cb = load_codebook(base) if base is not None else None
    meta = read_metadata(source, fmt=fmt, base=base_cb)
    version = next_version(out.parent, skip=out)
    result = DraftResult(
        path=out,
        version=version,
        base=base_cb.version if base_cb else None,
        questions=meta.questions,
    )
    if base_cb is None:
        lines, checks = _full_document(meta, version)
    else:
        lines, checks = _changes_document(meta, base_cb, version, result)
    result.to_check = checks
    text = "\n".join(lines) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".yaml", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            load_codebook(tmp)
        except InstrumentError as exc:  # a fault of the draft, not of the export
            raise UserError(
                f"{source}: the drafted instrument does not load ({exc.problem}, key {exc.key}); "
                "this is a bug in 'codebook draft': please report it with the export's layout"
            ) from None
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    load_codebook(out)  # registered under its final path
    return result
