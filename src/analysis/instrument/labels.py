"""Display labels of variables and values: one helper for every table, figure and model.

A label comes from the instrument (question, row and score texts, value labels, landlord
categories) or, for the variables the municipality frame adds, from the text catalogue.

Examples
--------
>>> from analysis.instrument.codebook import load_codebook
>>> cb = load_codebook(1)
>>> variable_label(cb.score_for("competence"), "en", codebook=cb)
'Competence'
>>> variable_label("storrelse", "nb", codebook=cb)
'Kommunestørrelse'
>>> value_label(cb.category_variable, "ideell", "en", codebook=cb)
'Non-profit'
"""

from __future__ import annotations

from analysis.instrument.codebook import Codebook, available_versions, load_codebook
from analysis.lang import catalogue, check_lang

#: A size class not known for a response (no frame match), as models code it.
UNKNOWN = "ukjent"


def _cb(codebook: Codebook | None) -> Codebook:
    return codebook if codebook is not None else load_codebook(available_versions()[0])


def variable_label(var: str, lang: str = "nb", *, codebook: Codebook | None = None) -> str:
    """The label of a variable: a score, an item column, a question, or a frame variable."""
    cb = _cb(codebook)
    check_lang(lang)
    frame_vars = catalogue(lang)["model_vars"]
    if var in frame_vars:
        return frame_vars[var]
    if var == cb.category_variable:
        return frame_vars.get("utleierkategori", var)
    for s in cb.scores.values():
        if var == s.id:
            return s.label(lang)
        if var == s.also_max:
            return catalogue(lang)["texts"]["max_of"].format(label=s.label(lang).lower())
    try:
        return cb.label(var, lang)
    except KeyError:
        return var


def value_label(
    var: str, value, lang: str = "nb", *, codebook: Codebook | None = None, plural: bool = False
) -> str:
    """The label of one value of a variable (a category, a size class, a coded answer)."""
    cb = _cb(codebook)
    check_lang(lang)
    cat = catalogue(lang)
    if var == "total":
        return cat["texts"]["all"]
    if var == cb.category_variable:
        level = cat["categories"].get(str(value))
        if level is not None:
            return level["plural" if plural else "singular"]
        return cb.categories[value].text(lang) if value in cb.categories else str(value)
    if var == "storrelse":
        if value == UNKNOWN:
            return cat["unknown_size"]
        return cat["size_classes"].get(str(value), str(value))
    if cb.has_column(var):
        try:
            return cb.value_labels(var, lang).get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def score_range(score: str, *, codebook: Codebook | None = None) -> str:
    """The range a score takes, from its rule: ``0–100``, ``0–5``, ``0–7``.

    Examples
    --------
    >>> cb = load_codebook(1)
    >>> [score_range(s, codebook=cb) for s in cb.score_columns]
    ['0–100', '0–100', '0–5', '0–5', '0–5', '0–7']
    """
    cb = _cb(codebook)
    s = cb.scores[cb._score_id(score)]
    if s.method == "mean_rescaled":
        return "0–100"
    if s.method == "mean":
        return f"{s.scale_min}–{s.scale_max}"
    return f"0–{len(cb.score_items(s.id))}"
