"""Privacy at the door: redact personal data from free-text answers before anything is written.

The survey is anonymous, but free-text answers (``eksempel``, ``kommentar``) may hold personal
data. Every text cell kept in processed data or quarantine passes through :func:`redact_series`:

- Norwegian national identity numbers (fødselsnummer) and D-numbers: 11 digits, optionally written
  ``DDMMYY NNNNN``, replaced only when the two mod-11 control digits and the birth date are valid
  (``stdnum.no.fodselsnummer``), so ordinary 11-digit numbers are left alone;
- e-mail addresses;
- phone numbers: ``+47``/``0047`` followed by 8 digits, and plain 8-digit numbers written as
  ``91234567``, ``912 34 567`` or ``91 23 45 67`` (Norwegian numbers start with 2–9).

Each match is replaced by a marker saying what was removed, e.g. ``[fjernet: e-post]``. Names cannot
be found reliably in free text, which is why free text never appears in a public output.

Examples
--------
>>> redact("Ring 912 34 567 eller skriv til ola@example.no")
('Ring [fjernet: telefon] eller skriv til [fjernet: e-post]', {'national_id': 0, 'd_number': 0, 'email': 1, 'phone': 1})
>>> redact("Saksnummer 12345678901 er ikke et fødselsnummer")[1]["national_id"]
0
"""

from __future__ import annotations

import re

import pandas as pd
from stdnum.no import fodselsnummer

KINDS = ("national_id", "d_number", "email", "phone")
MARKERS = {
    "national_id": "[fjernet: fødselsnummer]",
    "d_number": "[fjernet: d-nummer]",
    "email": "[fjernet: e-post]",
    "phone": "[fjernet: telefon]",
}

_ID_RE = re.compile(r"(?<![\d+])(\d{6})[ .-]?(\d{5})(?!\d)")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?47[\s.\-]?)?"
    r"(?:[2-9]\d{2}[\s.\-]?\d{2}[\s.\-]?\d{3}"  # 912 34 567 / 91234567
    r"|[2-9]\d[\s.\-]?\d{2}[\s.\-]?\d{2}[\s.\-]?\d{2})"  # 91 23 45 67
    r"(?!\d)"
)
# cheap pre-filter: a cell can only hold personal data of these kinds if it has '@' or 8+ digits
_CANDIDATE_RE = re.compile(r"@|(?:\d[\s.\-]?){8}")


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
        kind = _id_kind(m.group(1) + m.group(2))
        if kind is None:
            return m.group(0)
        counts[kind] += 1
        return MARKERS[kind]

    def _sub(kind: str):
        def repl(m: re.Match) -> str:
            counts[kind] += 1
            return MARKERS[kind]

        return repl

    text = _ID_RE.sub(_id, text)
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
    is_text = values.map(lambda v: isinstance(v, str))
    candidates = values[is_text].astype(str)
    candidates = candidates[candidates.str.contains(_CANDIDATE_RE, regex=True)]
    if candidates.empty:
        return values, counts
    out = values.copy()
    for idx, text in candidates.items():
        new, c = redact(text)
        out.at[idx] = new
        for k, v in c.items():
            counts[k] += v
    return out, counts


def contains_personal_data(text: str) -> bool:
    """True when :func:`redact` would change ``text`` (used by tests and output checks)."""
    return redact(text)[0] != text
