"""Prose of the findings report in Norwegian bokmål (``nb``, the default) and English (``en``).

Every sentence of the report comes from :data:`TEXTS` through :func:`t`, with the numbers filled
in by the report sections (``analysis.questionnaire.sections``); labels of items come from the codebook.
Both languages must define every key with the same placeholders (a test checks this).

Examples
--------
>>> t("ci", "nb", low="43", high="53")
'95\u00a0% KI 43 til 53'
>>> t("ci", "en", low="43", high="53")
'95% CI 43 to 53'
>>> category_label("kommersiell", "en", plural=True)
'Commercial landlords'
>>> size_label("20 000+", "nb")
'20 000 innbyggere og flere'
"""

from __future__ import annotations

import string

from analysis.lang import check_lang, t, table

TEXTS: dict[str, dict[str, str]] = table("texts")

_CATEGORY = {
    k: {lang: (v[lang]["singular"], v[lang]["plural"]) for lang in v}
    for k, v in table("categories").items()
}

_SIZE = table("size_classes")


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in a text.

    Examples
    --------
    >>> sorted(placeholders("{a} og {b}"))
    ['a', 'b']
    """
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def category_label(category: str, lang: str = "nb", *, plural: bool = False) -> str:
    """Display label of a landlord category (``kommunal``, ``ideell``, ``kommersiell``)."""
    check_lang(lang)
    labels = _CATEGORY.get(str(category))
    if labels is None:
        return str(category)
    return labels[lang][1 if plural else 0]


def size_label(size_class: str, lang: str = "nb") -> str:
    """Display label of a municipality size class of :data:`analysis.instrument.codebook.SIZE_CLASSES`."""
    check_lang(lang)
    return _SIZE.get(str(size_class), {}).get(lang, str(size_class))


def group_label(group_var: str, group: str, lang: str = "nb") -> str:
    """Display label of a group of :func:`analysis.stats.estimates.group_means` output."""
    if group_var == "utleierkategori":
        return category_label(group, lang)
    if group_var == "storrelse":
        return size_label(group, lang)
    if group_var == "total":
        return t("all", lang)
    return str(group)


def group_var_label(group_var: str, lang: str = "nb") -> str:
    """Display label of a grouping variable (``total``, ``utleierkategori``, ``storrelse``, ``fylke``)."""
    key = f"gv_{group_var}"
    return t(key, lang) if key in TEXTS else str(group_var)
