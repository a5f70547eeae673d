"""The report languages, checked in one place.

Examples
--------
>>> check_lang("en")
'en'
>>> check_lang("de")
Traceback (most recent call last):
...
ValueError: language must be 'nb' or 'en', not 'de'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml

Lang = Literal["nb", "en"]

#: Languages every text of the package exists in: Norwegian bokmål (the published wording) first.
LANGS: tuple[str, ...] = ("nb", "en")


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else ``ValueError`` naming the allowed values."""
    if lang not in LANGS:
        raise ValueError(f"language must be 'nb' or 'en', not {lang!r}")
    return lang


# ------------------------------------------------------------------------------------------
# The text catalogue: one YAML file per language (analysis/questionnaire/texts/<lang>.yaml)
# ------------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "nb": (
        "null",
        "ett",
        "to",
        "tre",
        "fire",
        "fem",
        "seks",
        "sju",
        "åtte",
        "ni",
        "ti",
        "elleve",
        "tolv",
    ),
    "en": (
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ),
}


@cache
def catalogue(lang: str) -> dict:
    """Every text of the package in ``lang``, as the catalogue file holds it (sections of keys).

    Examples
    --------
    >>> catalogue("nb")["texts"]["all"]
    'Alle'
    """
    check_lang(lang)
    path = resources.files("analysis.questionnaire").joinpath("texts", f"{lang}.yaml")
    with path.open("r", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def table(section: str) -> dict[str, dict[str, object]]:
    """A catalogue section as ``{key: {lang: text}}`` (both languages side by side)."""
    keys = catalogue(LANGS[0])[section]
    return {k: {lang: catalogue(lang)[section][k] for lang in LANGS} for k in keys}


def by_lang(section: str) -> dict[str, object]:
    """A catalogue section as ``{lang: value}`` (a table of keys, or a single text)."""
    return {lang: catalogue(lang)[section] for lang in LANGS}


def t(key: str, lang: str = "nb", **values) -> str:
    """The report text ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``.

    Raises KeyError for an unknown key or a missing placeholder value.

    Examples
    --------
    >>> t("ci", "en", low="43", high="53")
    '95% CI 43 to 53'
    """
    try:
        template = catalogue(check_lang(lang))["texts"][key]
    except KeyError:
        raise KeyError(f"no report text {key!r}") from None
    return template.format(**values)


def interval(low, high, lang: str = "nb") -> str:
    """An interval written the one way the report writes every interval: ``43 til 53``.

    Examples
    --------
    >>> interval("−2,0", "5,2"), interval(1, 3, "en")
    ('−2,0 til 5,2', '1 to 3')
    """
    return t("range", lang, low=low, high=high)


def t_count(key: str, count: int, lang: str = "nb", **values) -> str:
    """The text ``key`` for ``count`` things, in the number form the sentence needs.

    ``key_zero`` is used for 0 and ``key_one`` for 1 when the catalogue has them (so a report
    says «Ingen enkeltsvar hadde ugyldige verdier», never «0 enkeltsvar …»), else ``key``; the
    count fills ``{n}`` (pass ``n=`` in ``values`` to format it yourself, e.g. ``1 234``).

    Examples
    --------
    >>> t_count("quality_invalid", 0), t_count("quality_invalid", 3, n="3")[:31]
    ('Ingen enkeltsvar hadde ugyldige verdier.', '3 enkeltsvar hadde ugyldige ver')
    """
    texts = catalogue(check_lang(lang))["texts"]
    form = {0: f"{key}_zero", 1: f"{key}_one"}.get(int(count))
    values.setdefault("n", count)
    return t(form if form in texts else key, lang, **values)


def number_word(n: int, lang: str = "nb") -> str:
    """A count as prose: the word up to twelve, digits above (``sju``, ``seven``, ``14``).

    Examples
    --------
    >>> number_word(7), number_word(7, "en"), number_word(14)
    ('sju', 'seven', '14')
    """
    words = _NUMBER_WORDS[check_lang(lang)]
    return words[n] if 0 <= n < len(words) else str(n)


_MONTHS = {
    "nb": (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def format_date(when, lang: str = "nb") -> str:
    """A date as prose: ``1. desember 2026`` in bokmål, ``1 December 2026`` in English.

    ``when`` is a :class:`datetime.date`, a :class:`datetime.datetime` or an ISO string
    (``2023-09-15``, ``2026-12-01T20:47:00+00:00``); only the calendar day is shown.

    Examples
    --------
    >>> format_date("2023-09-15"), format_date("2023-10-31", "en")
    ('15. september 2023', '31 October 2023')
    """
    import datetime as _dt

    if isinstance(when, str):
        when = _dt.datetime.fromisoformat(when.strip())
    month = _MONTHS[check_lang(lang)][when.month - 1]
    if lang == "nb":
        return f"{when.day}. {month} {when.year}"
    return f"{when.day} {month} {when.year}"
