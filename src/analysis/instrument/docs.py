"""The codebook as a readable Markdown document.

:func:`codebook_markdown` turns any :class:`~analysis.instrument.codebook.Codebook` (a packaged
version or a file given by path) into Markdown: title and version (and the base version with the
changes from it, when the version is written as changes), then every question by section with its
wording, canonical column names and export headers, codes and labels, the non-substantive codes,
the rules, and at the end the scores in plain words. Headings and explanations are in Norwegian
(``lang="nb"``) or English (``lang="en"``; the published Norwegian wording is shown beside the
English translation).

``python -m analysis codebook show VERSION|PATH [--lang nb|en]`` prints it;
``python -m analysis codebook docs`` (:func:`write_docs`) regenerates ``docs/instrument/vN.md``
for every packaged version (a test keeps them in step).

The module knows no item id: everything comes from the codebook.

Examples
--------
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> md = codebook_markdown(cb, lang="en")
>>> md.splitlines()[0]
'# Codebook: Survey of competence in tenant participation (version 1)'
>>> column = cb.question(cb.question_for("competence")).columns[0]    # a matrix row
>>> f"| `{column}` | `{cb.source_column(column, 'nettskjema')}` | `{column}` |" in md
True
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from analysis.errors import UserError
from analysis.instrument import codebook as _cbmod
from analysis.instrument.codebook import Codebook, Question, Score
from analysis.lang import check_lang

#: Generated codebooks of the packaged versions, relative to the project root.
DOCS_DIR = Path("docs") / "instrument"
#: Language of the committed ``docs/instrument/vN.md`` (the repository's documentation language;
#: the published Norwegian wording is shown beside the English).
DOCS_LANG = "en"
#: Command that regenerates the committed codebooks.
DOCS_COMMAND = "python -m analysis codebook docs"

_H: dict[str, dict[str, str]] = {
    "nb": {
        "codebook": "Kodebok",
        "version": "versjon",
        "generated": "Generert fra instrumentfilen med «{cmd}»; ikke rediger for hånd.",
        "standalone": "Versjon {version} er en fullstendig instrumentfil (ingen basisversjon).",
        "based_on": "Versjon {version} er skrevet som endringer til versjon {base}.",
        "changes": "Endringer fra versjon {base}",
        "no_changes": "Ingen endringer registrert.",
        "earlier_changes": "Endringer i versjon {version} (arvet)",
        "source": "Fil: `{source}`.",
        "contents": "Innhold",
        "questions_count": "{n} spørsmål, {k} svarkolonner.",
        "nonsub_all": "Ikke-substansielle koder (holdes utenfor gjennomsnitt og andeler): {codes}.",
        "section": "Del: {name}",
        "type": "Type",
        "column": "Kolonne",
        "columns": "Kolonner",
        "nettskjema": "Nettskjema",
        "spss": "SPSS / SurveyXact",
        "row": "Rad",
        "option": "Alternativ",
        "notes": "Merknad",
        "code": "Kode",
        "label": "Etikett",
        "codes": "Koder",
        "rules": "Regler",
        "role": "Rolle i analysen",
        "no_rules": "ingen",
        "nonsub": "ikke-substansiell",
        "nonsub_line": "Ikke-substansielle koder: {codes}: egen svarkategori, aldri med i gjennomsnitt.",
        "published": "Publisert ordlyd (nb)",
        "scores": "Mål (skårer)",
        "no_scores": "Versjonen definerer ingen mål.",
        "method": "Metode",
        "items": "Ledd",
        "valid": "Gyldige svar",
        "reverse": "Reversering",
        "scale": "Skala",
        "categories": "Avledet variabel `{variable}`",
        "categories_any": "Avledede kategorier",
        "category": "Kategori",
    },
    "en": {
        "codebook": "Codebook",
        "version": "version",
        "generated": "Generated from the instrument file with `{cmd}`; do not edit by hand.",
        "standalone": "Version {version} is a full instrument file (no base version).",
        "based_on": "Version {version} is written as changes to version {base}.",
        "changes": "Changes from version {base}",
        "no_changes": "No changes recorded.",
        "earlier_changes": "Changes in version {version} (inherited)",
        "source": "File: `{source}`.",
        "contents": "Contents",
        "questions_count": "{n} questions, {k} answer columns.",
        "nonsub_all": "Non-substantive codes (kept out of means and shares): {codes}.",
        "section": "Section: {name}",
        "type": "Type",
        "column": "Column",
        "columns": "Columns",
        "nettskjema": "Nettskjema",
        "spss": "SPSS / SurveyXact",
        "row": "Row",
        "option": "Option",
        "notes": "Notes",
        "code": "Code",
        "label": "Label",
        "codes": "Codes",
        "rules": "Rules",
        "role": "Role in the analysis",
        "no_rules": "none",
        "nonsub": "non-substantive",
        "nonsub_line": "Non-substantive codes: {codes}: an answer of its own, never averaged.",
        "published": "Published wording (nb)",
        "scores": "Scores",
        "no_scores": "The version defines no scores.",
        "method": "Method",
        "items": "Items",
        "valid": "Valid answers",
        "reverse": "Reverse keying",
        "scale": "Scale",
        "categories": "Derived variable `{variable}`",
        "categories_any": "Derived categories",
        "category": "Category",
    },
}

_TYPES = {
    "nb": {
        "single": "enkeltvalg: én kolonne med en kode fra skalaen",
        "text": "tekst: én kolonne med fritt svar",
        "checkbox": "flervalg (avkrysning): én kolonne per alternativ, 1 = valgt, 0 = ikke valgt; "
        "blank i alle alternativer = ikke besvart",
        "matrix": "matrise: én kolonne per rad, hver kodet på skalaen",
    },
    "en": {
        "single": "single choice: one column holding a code of the scale",
        "text": "text: one column of free answer",
        "checkbox": "multiple choice (checkboxes): one column per option, 1 = chosen, "
        "0 = not chosen; blank in every option = not answered",
        "matrix": "matrix: one column per row, each coded on the scale",
    },
}

_ROLES = {
    "municipality_code": {
        "nb": "kobles til kommuneregisteret: kommune, fylke, størrelse",
        "en": "linked to the municipality register: municipality, county, size",
    },
}


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _code(x: object) -> str:
    return f"`{x}`"


def _quote(text: str, lang: str) -> str:
    return f"«{text}»" if lang == "nb" else f"“{text}”"


# ---------------------------------------------------------------------------------------------
# questions
# ---------------------------------------------------------------------------------------------


def _rules(cb: Codebook, q: Question, lang: str) -> list[str]:
    nb = lang == "nb"
    out = []
    if q.required:
        out.append("obligatorisk" if nb else "required")
    if q.max_choices is not None:
        out.append(f"høyst {q.max_choices} valg" if nb else f"at most {q.max_choices} choices")
    if q.exclusive_option is not None:
        col = f"{q.id}_{q.exclusive_option}"
        out.append(
            f"{_code(col)} utelukker de andre alternativene (sammen med et annet gir et "
            "kvalitetsflagg)"
            if nb
            else f"{_code(col)} excludes the other options (together with another it is flagged)"
        )
    rev = [f"{q.id}_{p.id}" for p in q.parts if p.reverse]
    if rev:
        cols = ", ".join(_code(c) for c in rev)
        out.append(f"reversert: {cols}" if nb else f"reverse-keyed: {cols}")
    if q.free_text:
        out.append(
            "fritekst: kan inneholde personopplysninger; fødselsnumre, e-post og telefonnumre "
            "fjernes ved innlesing, og svarene publiseres aldri"
            if nb
            else "free text: may hold personal data; national identity numbers, e-mail "
            "addresses and phone numbers are removed at ingest, and the answers are never "
            "published"
        )
    return out


def _nonsub_codes(cb: Codebook, q: Question) -> list[int]:
    if q.type == "checkbox":
        return []
    if hasattr(q, "dont_know_codes"):
        return list(q.dont_know_codes)
    return [c for c in q.codes if c in cb.non_substantive_codes]


def _question_md(cb: Codebook, q: Question, lang: str) -> list[str]:
    h = _H[lang]
    lines = [f"### {_code(q.id)}: {q.text(lang)}", ""]
    if lang == "en" and q.text.nb != q.text.en:
        lines += [f"*{h['published']}:* {q.text.nb}", ""]
    lines.append(f"- {h['type']}: {_TYPES[lang].get(q.type, q.type)}")
    if not q.parts:
        lines.append(
            f"- {h['column']}: {_code(q.id)} ({h['nettskjema']} "
            f"{_code(cb.source_column(q.id, 'nettskjema'))}, {h['spss']} "
            f"{_code(cb.source_column(q.id, 'spss'))})"
        )
    rules = _rules(cb, q, lang)
    lines.append(f"- {h['rules']}: {'; '.join(rules) if rules else h['no_rules']}")
    if q.role is not None:
        explained = _ROLES.get(q.role, {}).get(lang)
        lines.append(f"- {h['role']}: {_code(q.role)}" + (f" ({explained})" if explained else ""))
    nonsub = _nonsub_codes(cb, q)
    if nonsub:
        labels = ", ".join(f"{c} {_quote(q.scale[c](lang), lang)}" for c in nonsub)
        lines.append(f"- {h['nonsub_line'].format(codes=labels)}")
    lines.append("")
    if q.parts:
        part = h["row"] if q.type == "matrix" else h["option"]
        head = [h["column"], h["nettskjema"], h["spss"], part]
        if lang == "en":
            head.append(h["published"])
        head.append(h["notes"])
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "---|" * len(head))
        for p in q.parts:
            col = f"{q.id}_{p.id}"
            notes = []
            native = cb.native_part_id(q.id, p.id)
            if native != p.id:
                notes.append(
                    f"eksporteres som {_code(native)}; behandlede data beholder {_code(p.id)}"
                    if lang == "nb"
                    else f"exported as {_code(native)}; processed data keep {_code(p.id)}"
                )
            if p.reverse:
                notes.append("reversert" if lang == "nb" else "reverse-keyed")
            if q.exclusive_option == p.id:
                notes.append("utelukkende" if lang == "nb" else "exclusive")
            cells = [
                _code(col),
                _code(cb.source_column(col, "nettskjema")),
                _code(cb.source_column(col, "spss")),
                _cell(p.text(lang)),
            ]
            if lang == "en":
                cells.append(_cell(p.text.nb))
            cells.append("; ".join(notes))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if q.scale:
        head = [h["code"], h["label"]] + (["nb"] if lang == "en" else [])
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|---:|---|" + ("---|" if lang == "en" else ""))
        for code, text in sorted(q.scale.items()):
            label = _cell(text(lang))
            if code in nonsub:
                label += f" *({h['nonsub']})*"
            cells = [str(code), label] + ([_cell(text.nb)] if lang == "en" else [])
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


# ---------------------------------------------------------------------------------------------
# scores
# ---------------------------------------------------------------------------------------------


def _fmt_range(lo, hi) -> str:
    return f"{lo}–{hi}"


def score_items_of(cb: Codebook, score: Score) -> tuple[list[str], list[str]]:
    """``(items, left_out)``: the columns a score uses and those of its question it leaves out.

    Left out are the score's ``exclude`` rows/options and, where the codebook declares them,
    rows kept out because not every version has them (``comparable_exclude``).
    """
    q = cb.question(score.question)
    if not q.parts:
        return [q.id], []
    if hasattr(cb, "score_items"):
        items = list(cb.score_items(score.id))
        return items, [c for c in q.columns if c not in items]
    excluded = set(score.exclude) | set(
        (getattr(cb, "comparable_exclude", None) or {}).get(q.id, ())
    )
    items = [f"{q.id}_{p.id}" for p in q.parts if p.id not in excluded]
    left = [f"{q.id}_{p.id}" for p in q.parts if p.id in excluded]
    return items, left


def _score_md(cb: Codebook, s: Score, lang: str) -> list[str]:
    h = _H[lang]
    nb = lang == "nb"
    q = cb.question(s.question)
    items, left = score_items_of(cb, s)
    k = len(items)
    nonsub = _nonsub_codes(cb, q) if q.scale else []
    ns_text = ", ".join(f"{c} {_quote(q.scale[c](lang), lang)}" for c in nonsub) if nonsub else ""
    lines = [f"### {_code(s.id)}: {s.label(lang)}", ""]
    lo, hi = s.scale_min, s.scale_max
    if s.method == "mean_rescaled":
        method = (
            f"gjennomsnitt av de substansielle svarene (koder {_fmt_range(lo, hi)}), regnet om "
            f"til 0–100 som (m − {lo}) / ({hi} − {lo}) × 100"
            if nb
            else f"mean of the substantive answers (codes {_fmt_range(lo, hi)}), rescaled to "
            f"0–100 as (m − {lo}) / ({hi} − {lo}) × 100"
        )
        scale = "0–100"
    elif s.method == "mean":
        method = (
            f"gjennomsnitt av de substansielle svarene på skalaen {_fmt_range(lo, hi)} "
            "(ikke regnet om)"
            if nb
            else f"mean of the substantive answers on the scale {_fmt_range(lo, hi)} (not rescaled)"
        )
        scale = _fmt_range(lo, hi)
    elif s.method == "count_code":
        label = q.scale[s.code](lang) if q.scale and s.code in q.scale else str(s.code)
        method = (
            f"antall ledd besvart med kode {s.code} {_quote(label, lang)}"
            if nb
            else f"number of items answered with code {s.code} {_quote(label, lang)}"
        )
        scale = f"0–{k}"
    elif s.method == "count_checked":
        method = "antall alternativer valgt" if nb else "number of options chosen"
        scale = f"0–{k}"
    else:
        method = f"`{s.method}`"
        scale = _fmt_range(lo, hi) if lo is not None else "?"
    lines.append(f"- {h['method']}: {method}.")
    lines.append(f"- {h['scale']}: {scale}.")
    item_text = ", ".join(_code(c) for c in items) + f" ({k})"
    if left:
        item_text += ("; utelatt: " if nb else "; left out: ") + ", ".join(_code(c) for c in left)
    lines.append(f"- {h['items']}: {item_text}.")
    if s.min_valid is not None:
        valid = (
            f"mangler med mindre minst {s.min_valid} av {k} ledd har et substansielt svar"
            if nb
            else f"missing unless at least {s.min_valid} of the {k} items have a substantive answer"
        )
    elif s.max_invalid is not None:
        valid = (
            f"mangler når flere enn {s.max_invalid} av {k} ledd er blanke eller ikke-substansielle"
            if nb
            else f"missing when more than {s.max_invalid} of the {k} items are blank or "
            "non-substantive"
        )
    elif s.method == "count_checked":
        valid = (
            "mangler når hele spørsmålet er ubesvart; et blankt alternativ i et besvart spørsmål "
            "teller som ikke valgt"
            if nb
            else "missing when the whole question is unanswered; a blank option in an answered "
            "question counts as not chosen"
        )
    else:
        valid = ""
    if ns_text and s.max_invalid is None and s.method in ("mean_rescaled", "mean", "count_code"):
        valid += (
            f" ({ns_text} og blanke teller aldri med)"
            if nb
            else f" ({ns_text} and blanks never count)"
        )
    if valid:
        lines.append(f"- {h['valid']}: {valid.strip()}.")
    rev = [f"{q.id}_{p.id}" for p in q.parts if p.reverse and f"{q.id}_{p.id}" in items]
    if rev and lo is not None and hi is not None:
        cols = ", ".join(_code(c) for c in rev)
        lines.append(
            f"- {h['reverse']}: {cols} snus først: ({lo} + {hi}) − x."
            if nb
            else f"- {h['reverse']}: {cols} reversed first: ({lo} + {hi}) − x."
        )
    if s.also_max:
        lines.append(
            f"- Også {_code(s.also_max)}: det høyeste substansielle svaret blant leddene "
            "(mangler bare når ingen ledd har et)."
            if nb
            else f"- Also {_code(s.also_max)}: the highest substantive answer among the items "
            "(missing only when no item has one)."
        )
    lines.append("")
    return lines


# ---------------------------------------------------------------------------------------------
# the document
# ---------------------------------------------------------------------------------------------


def _field(rec, name: str):
    return rec.get(name) if isinstance(rec, dict) else getattr(rec, name, None)


#: How each kind of change record reads: (nb, en), with {target} and {detail} filled in.
_CHANGE_TEXT = {
    "add_question": ("nytt spørsmål {target}", "new question {target}"),
    "drop_question": (
        "spørsmålet {target} er tatt ut (ikke spurt)",
        "question {target} dropped (not asked)",
    ),
    "add_row": ("ny rad {target}", "new row {target}"),
    "drop_row": ("raden {target} er tatt ut", "row {target} dropped"),
    "add_option": ("nytt alternativ {target}", "new option {target}"),
    "drop_option": ("alternativet {target} er tatt ut", "option {target} dropped"),
    "rename_row": (
        "raden {target} heter {detail} i eksporten (samme betydning; behandlede data beholder id-en)",
        "row {target} is exported as {detail} (same meaning; processed data keep the id)",
    ),
    "rename_option": (
        "alternativet {target} heter {detail} i eksporten (samme betydning; behandlede data "
        "beholder id-en)",
        "option {target} is exported as {detail} (same meaning; processed data keep the id)",
    ),
    "recode": (
        "{target} er omkodet (gammel kode → ny kode): {detail}",
        "{target} recoded (old code → new code): {detail}",
    ),
    "text": ("ny ordlyd for {target}", "new wording of {target}"),
    "scale": ("skalaen {detail} er endret", "scale {detail} changed"),
    "add_score": ("nytt mål {detail} (fra {target})", "new score {detail} (from {target})"),
    "change_score": ("målet {detail} er endret", "score {detail} changed"),
    "drop_score": ("målet {detail} er tatt ut", "score {detail} dropped"),
}


def _mapping(detail: str) -> str:
    """``"{1: 1, 3: 2}"`` -> ``"1 → 1, 3 → 2"`` (anything else unchanged)."""
    import ast

    try:
        mapping = ast.literal_eval(detail)
    except (ValueError, SyntaxError):
        return detail
    if not isinstance(mapping, dict):
        return detail
    return ", ".join(f"{k} → {v}" for k, v in mapping.items())


def _change_md(rec, lang: str) -> str:
    """One change record (a :class:`~analysis.instrument.codebook.Change` or a dict) as a list item."""
    kind = str(_field(rec, "kind") or "")
    question, part = _field(rec, "question"), _field(rec, "part")
    detail = _field(rec, "detail") or ""
    target = ""
    if question:
        target = _code(f"{question}_{part}" if part else question)
    template = _CHANGE_TEXT.get(kind)
    if template is not None and (target or "{target}" not in template[0]):
        text = template[0 if lang == "nb" else 1]
        code_detail = _code(detail) if kind != "recode" and detail else _mapping(detail)
        return "- " + text.format(target=target, detail=code_detail)
    out = f"- {kind.replace('_', ' ')}"
    if target:
        out += f": {target}"
    if detail:
        out += f": {detail}"
    return out


def _section_name(cb: Codebook, section: str, lang: str) -> str:
    names = getattr(cb, "sections", None)
    if isinstance(names, dict) and section in names:
        value = names[section]
        return value(lang) if callable(value) else str(value)
    return section


def codebook_markdown(codebook: Codebook, *, lang: str = "nb") -> str:
    """A readable codebook of one instrument version, as Markdown.

    Parameters
    ----------
    codebook : Codebook
        A loaded instrument version (:func:`analysis.instrument.codebook.load_codebook`).
    lang : {"nb", "en"}
        Language of the headings, explanations and wording. English shows the published
        Norwegian wording beside the translation.

    Returns
    -------
    str
        Markdown: title and version (base version and changes when present), every question by
        section (wording, type, columns with their Nettskjema ``q.r`` and SPSS/SurveyXact ``q_r``
        headers, codes with labels, non-substantive codes, rules), derived categories and the
        scores in plain words. Ends with a newline.

    Examples
    --------
    >>> from analysis.instrument.codebook import load_codebook
    >>> v1, v2 = load_codebook(1), load_codebook(2)
    >>> md = codebook_markdown(v2, lang="nb")
    >>> md.splitlines()[0]
    '# Kodebok: Kartlegging av kompetanse innen leieboermedvirkning (versjon 2)'
    >>> new_row = (set(v2.item_columns) - set(v1.item_columns)).pop()   # the row version 2 added
    >>> f"`{new_row}`" in md and "Vet ikke *(ikke-substansiell)*" in md
    True
    """
    lang = check_lang(lang)
    cb = codebook
    h = _H[lang]
    out = [f"# {h['codebook']}: {cb.title(lang)} ({h['version']} {cb.version})", ""]
    if lang == "en" and cb.title.nb != cb.title.en:
        out += [f"*{h['published']}:* {cb.title.nb}", ""]
    base = getattr(cb, "base", None)
    changes = getattr(cb, "changes", None) or []
    if base is not None:
        out += [h["based_on"].format(version=cb.version, base=base), ""]
    elif hasattr(cb, "base"):
        out += [h["standalone"].format(version=cb.version), ""]
    ncols = sum(len(q.columns) for q in cb.questions.values())
    out += [h["questions_count"].format(n=len(cb.questions), k=ncols), ""]
    if cb.non_substantive_codes:
        out += [h["nonsub_all"].format(codes=", ".join(map(str, cb.non_substantive_codes))), ""]
    if base is not None:
        by_version: dict = {}
        for rec in changes:
            by_version.setdefault(_field(rec, "version") or cb.version, []).append(rec)
        own = by_version.pop(cb.version, [])
        out += [f"## {h['changes'].format(base=base)}", ""]
        out += ([_change_md(rec, lang) for rec in own] or [h["no_changes"]]) + [""]
        for version in sorted(by_version, reverse=True):
            out += [f"### {h['earlier_changes'].format(version=version)}", ""]
            out += [_change_md(rec, lang) for rec in by_version[version]] + [""]
    sections: dict[str, list[Question]] = {}
    for q in cb.questions.values():
        sections.setdefault(q.section, []).append(q)
    for section, questions in sections.items():
        out += [f"## {h['section'].format(name=_section_name(cb, section, lang))}", ""]
        for q in questions:
            out += _question_md(cb, q, lang)
    categories = getattr(cb, "categories", None) or {}
    if categories:
        variable = getattr(cb, "category_variable", None)
        title = h["categories"].format(variable=variable) if variable else h["categories_any"]
        out += [f"## {title}", ""]
        out += [f"| {h['category']} | {h['label']} | {h['codes']} |", "|---|---|---|"]
        for c in categories.values():
            out.append(
                f"| {_code(c.id)} | {_cell(c.text(lang))} | {', '.join(map(str, c.codes))} |"
            )
        out.append("")
    out += [f"## {h['scores']}", ""]
    if not cb.scores:
        out += [h["no_scores"], ""]
    for s in cb.scores.values():
        out += _score_md(cb, s, lang)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# versions and paths
# ---------------------------------------------------------------------------------------------


def packaged_versions() -> tuple[int, ...]:
    """Versions shipped as package data (``instrument_vN.yaml``), ascending.

    Examples
    --------
    >>> packaged_versions()[:2]
    (1, 2)
    """
    registry = getattr(_cbmod, "available_versions", None)
    if registry is not None:
        return tuple(registry())
    folder = resources.files("analysis.questionnaire").joinpath("instruments")
    found = []
    for entry in folder.iterdir():
        m = re.fullmatch(r"instrument_v(\d+)\.ya?ml", entry.name)
        if m:
            found.append(int(m.group(1)))
    return tuple(sorted(found))


def _accepts_path() -> bool:
    """Whether :func:`load_codebook` takes a path (not only a packaged version number)."""
    fn = getattr(_cbmod.load_codebook, "__wrapped__", _cbmod.load_codebook)
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # pragma: no cover
        return True
    if not params:  # pragma: no cover
        return False
    ann = params[0].annotation
    return str(ann) not in ("int", "<class 'int'>")


def resolve_codebook(instrument: str | int | Path) -> Codebook:
    """The codebook named by a version number or a path to an instrument YAML file.

    Raises :class:`~analysis.errors.UserError` (one line, exit 2 on the command line) for an
    unknown version, a missing file or a file the loader refuses.

    Examples
    --------
    >>> resolve_codebook("2").version
    2
    """
    text = str(instrument).strip()
    if isinstance(instrument, int) or re.fullmatch(r"\d+", text):
        try:
            return _cbmod.load_codebook(int(text))
        except UserError:
            raise
        except (ValueError, KeyError, FileNotFoundError) as exc:
            raise UserError(f"instrument {text}: {exc}") from None
    path = Path(text).expanduser()
    if not path.is_file():
        raise UserError(
            f"{text}: no such instrument file (give a version number or a path to a YAML file)"
        )
    if not _accepts_path():
        raise UserError(
            f"{text}: this version of the package loads only packaged instrument versions "
            f"{packaged_versions()}, not a file"
        )
    try:
        return _cbmod.load_codebook(path)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any loader failure is one line naming the file
        msg = " ".join(str(exc).split())
        raise UserError(f"{text}: {msg}" if text not in msg else msg) from None


def source_root() -> Path:
    """The source checkout this package runs from (where ``docs/instrument/`` lives).

    Raises :class:`~analysis.errors.UserError` when the package is installed, not checked out.
    """
    root = Path(__file__).resolve().parents[3]
    if not ((root / "pyproject.toml").is_file() and (root / "src" / "analysis").is_dir()):
        raise UserError(
            f"{root}: not a source checkout; the codebook docs are written into a clone of the "
            "project"
        )
    return root


def docs_files(root: str | Path, *, versions: Sequence[int] | None = None) -> dict[Path, str]:
    """``{path: markdown}`` of the committed codebooks under ``root/docs/instrument/``."""
    root = Path(root)
    return {
        root / DOCS_DIR / f"v{v}.md": codebook_markdown(_cbmod.load_codebook(v), lang=DOCS_LANG)
        for v in (packaged_versions() if versions is None else versions)
    }


def write_docs(root: str | Path, *, check: bool = False) -> list[Path]:
    """Write (or with ``check``, compare) ``docs/instrument/vN.md`` for every packaged version.

    Returns the files written, or with ``check`` the files that are missing or differ.
    Files are replaced atomically (written beside, then renamed).
    """
    changed = []
    for path, text in docs_files(root).items():
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old == text:
            continue
        changed.append(path)
        if check:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return changed
