"""Privacy at the door: redact personal data from free-text answers before anything is written.

The survey is anonymous, but free-text answers (the instrument's ``text`` questions) may hold
personal data. Every text cell kept in processed data or quarantine passes through :func:`redact_series`:

- Norwegian national identity numbers (fødselsnummer) and D-numbers: 11 digits, written
  ``DDMMYYNNNNN``, ``DDMMYY NNNNN``, ``DD MM YY NNNNN`` or ``DD.MM.YY NNNNN``, replaced only when the
  two mod-11 control digits and the birth date are valid (``stdnum.no.fodselsnummer``), so ordinary
  11-digit numbers are left alone;
- Norwegian bank account numbers: 11 digits written ``1234.56.78903``, ``1234 56 78903`` or
  ``12345678903``, replaced only when the mod-11 check digit is valid (``stdnum.no.kontonr``); and
  Norwegian IBANs (``NO93 8601 1117 947``, ``stdnum.iban``). A valid fødselsnummer is never
  counted as an account;
- e-mail addresses, also with letters such as æ, ø, å on either side of the ``@``, with spaces
  around it (``navn @ firma.no``) or written out (``navn [at] firma.no``, ``navn(at)firma.no``,
  ``firma[dot]no``): the whole address goes;
- phone numbers: ``+47``/``0047`` (or ``47`` directly before the eight digits) followed by 8 digits,
  and plain 8-digit numbers written as ``91234567``, ``912 34 567`` or ``91 23 45 67`` (Norwegian
  numbers start with 2–9; the groups use one separator, so a year range ``2023-2024`` is no number).

Each match is replaced by a marker saying what was removed, e.g. ``[fjernet: e-post]``. Names cannot
be found reliably in free text, which is why free text never appears in a public output.

Examples
--------
>>> redact("Ring 912 34 567 eller skriv til ola@example.no")
('Ring [fjernet: telefon] eller skriv til [fjernet: e-post]', {'national_id': 0, 'd_number': 0, 'email': 1, 'phone': 1, 'bank_account': 0})
>>> redact("Konto 1234.56.78903, e-post bjørn [at] firma.no")[0]
'Konto [fjernet: kontonummer], e-post [fjernet: e-post]'
>>> redact("Saksnummer 12345678901 er ikke et fødselsnummer")[1]["national_id"]
0
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from stdnum import iban
from stdnum.no import fodselsnummer, kontonr

KINDS = ("national_id", "d_number", "email", "phone", "bank_account")
MARKERS = {
    "national_id": "[fjernet: fødselsnummer]",
    "d_number": "[fjernet: d-nummer]",
    "email": "[fjernet: e-post]",
    "phone": "[fjernet: telefon]",
    "bank_account": "[fjernet: kontonummer]",
}

# DDMMYY NNNNN, DD MM YY NNNNN, DD.MM.YY NNNNN (one separator inside the date)
_ID_RE = re.compile(r"(?<![\d+])(\d{2})([ .\-]?)(\d{2})\2(\d{2})[ .\-]?(\d{5})(?!\d)")
# 1234.56.78903, 1234 56 78903, 12345678903 (one separator throughout)
_ACCOUNT_RE = re.compile(r"(?<![\d+])(\d{4})([ .\-]?)(\d{2})\2(\d{5})(?!\d)")
_IBAN_RE = re.compile(r"(?<![\w])NO\s?\d{2}(?:\s?\d{4}){2}\s?\d{3}(?!\d)", re.IGNORECASE)
# "@" with up to three spaces around it, or the "at" written out in brackets
_AT = (
    r"(?:[ \t]{0,3}@[ \t]{0,3}|[ \t]{0,3}[\[({<][ \t]*(?:at|alfa|krøllalfa)[ \t]*[\])}>][ \t]{0,3})"
)
_DOT = r"(?:\.|[ \t]{0,3}[\[({<][ \t]*(?:dot|punktum|prikk)[ \t]*[\])}>][ \t]{0,3})"
_EMAIL_RE = re.compile(
    rf"[\w%+\-](?:[\w.%+\-]*[\w%+\-])?{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[^\W\d_]{{2,}}(?![\w\-])",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?47[\s.\-]?|47(?=[2-9]\d{7}(?!\d)))?"
    r"(?:[2-9]\d{2}([\s.\-]?)\d{2}\1\d{3}"  # 912 34 567 / 91234567
    r"|[2-9]\d([\s.\-]?)\d{2}\2\d{2}\2\d{2})"  # 91 23 45 67
    r"(?!\d)"
)
# cheap pre-filter: a cell can only hold personal data of these kinds if it has an "@", an "at"
# written out in brackets, or 8+ digits
_CANDIDATE_RE = re.compile(
    r"@|(?:\d[\s.\-]?){8}|[\[({<][ \t]*(?:at|alfa|krøllalfa)[ \t]*[\])}>]", re.IGNORECASE
)


def _id_kind(digits: str) -> str | None:
    if not fodselsnummer.is_valid(digits):
        return None
    return "d_number" if int(digits[0]) >= 4 else "national_id"


def redact(text: str) -> tuple[str, dict[str, int]]:
    """Redact personal data from one text.

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, dict)
        The redacted text and the number of replacements by kind (:data:`KINDS`).
    """
    counts = dict.fromkeys(KINDS, 0)
    if not text or not _CANDIDATE_RE.search(text):
        return text, counts

    def _id(m: re.Match) -> str:
        kind = _id_kind(m.group(1) + m.group(3) + m.group(4) + m.group(5))
        if kind is None:
            return m.group(0)
        counts[kind] += 1
        return MARKERS[kind]

    def _account(m: re.Match) -> str:
        if not kontonr.is_valid(m.group(1) + m.group(3) + m.group(4)):
            return m.group(0)
        counts["bank_account"] += 1
        return MARKERS["bank_account"]

    def _iban(m: re.Match) -> str:
        if not iban.is_valid(m.group(0)):
            return m.group(0)
        counts["bank_account"] += 1
        return MARKERS["bank_account"]

    def _sub(kind: str):
        def repl(m: re.Match) -> str:
            counts[kind] += 1
            return MARKERS[kind]

        return repl

    text = _ID_RE.sub(_id, text)
    text = _IBAN_RE.sub(_iban, text)
    text = _ACCOUNT_RE.sub(_account, text)
    text = _EMAIL_RE.sub(_sub("email"), text)
    text = _PHONE_RE.sub(_sub("phone"), text)
    return text, counts


def redact_series(values: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """Redact every non-empty string of a Series; other values pass through unchanged.

    Only cells that could hold personal data (an ``@`` or eight or more digits) are examined
    with the full patterns, so long columns of ordinary text are cheap.

    Examples
    --------
    >>> s, n = redact_series(pd.Series(["ok", None, "mail: a@b.no"]))
    >>> s.tolist(), n["email"]
    (['ok', None, 'mail: [fjernet: e-post]'], 1)
    """
    counts = dict.fromkeys(KINDS, 0)
    if values.empty:
        return values, counts
    # each distinct string is examined once; its replacement and counts go to every cell
    # holding it (answers repeat: blanks, "nei", a pasted sentence)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in uniques), dtype=bool, count=len(uniques))
    cand = pd.Series(uniques[is_text], dtype=object)
    cand = cand[cand.str.contains(_CANDIDATE_RE, regex=True).to_numpy(dtype=bool)]
    if cand.empty:
        return values, counts
    at = np.flatnonzero(is_text)[cand.index.to_numpy()]  # positions in uniques
    weight = np.bincount(codes[codes >= 0], minlength=len(uniques))
    new_u = uniques.copy()
    changed = np.zeros(len(uniques), dtype=bool)
    for u, text in zip(at, cand, strict=True):
        new, c = redact(text)
        if new != text:
            new_u[u], changed[u] = new, True
        for k, v in c.items():
            counts[k] += v * int(weight[u])
    if not changed.any():
        return values, counts
    out = values.copy()
    rows = np.flatnonzero((codes >= 0) & changed[np.maximum(codes, 0)])
    out.iloc[rows] = new_u[codes[rows]]
    return out, counts


def contains_personal_data(text: str) -> bool:
    """True when :func:`redact` would change ``text`` (used by tests and output checks)."""
    return redact(text)[0] != text
