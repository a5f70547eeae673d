"""A deterministic keyword suggester: proposes codes for a segment; a researcher decides.

Rule (the whole of it)
----------------------
1. The text is normalised: Unicode NFKC, lower case, and split into words (runs of letters and
   digits, ``\\w+``; so ``beboermøte`` and ``beboermøter`` are one word each).
2. A code's keyword is one or more words. A keyword word matches a text word that **starts with**
   it (``konflikt`` matches ``konflikter`` and ``konflikthåndtering``); a keyword written
   ``=tid`` matches the word ``tid`` only. A keyword of several words matches them as consecutive
   words of the text (each word by the same prefix rule).
3. A code is suggested when at least ``min_hits`` of its keywords match (default 1). Suggestions
   keep the frame's code order.

(Implemented as one compiled regular expression per code: a keyword word ``w`` is
``(?<!\\w)w\\w*``, an exact one ``(?<!\\w)w(?!\\w)``, words of one keyword joined by ``\\W+``.)

There is no randomness, no model and no state: the same text and frame always give the same
suggestions. Suggestions are shown in the coding sheet's ``suggested`` column only; they are never
counted as coding.

Examples
--------
>>> from analysis.qual.codeframe import load_coding_frame
>>> frame = load_coding_frame()
>>> suggest("Vi trenger mer tid og ressurser til dette arbeidet.", frame)
('hinder_tid', 'hinder_ressurser')
>>> suggest("Tidligere hadde vi ingen konflikter.", frame)
('tema_konflikt', 'hinder_konflikter')
>>> keyword_matches("Beboerrådet fikk budsjett", "beboerråd")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from analysis.qual.codeframe import CodingFrame

_WORD_RE = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The normalised words of a text (NFKC, lower case, ``\\w+`` runs)."""
    return _WORD_RE.findall(_normalise(text))


@lru_cache(maxsize=4096)
def _pattern(keyword: str) -> str:
    """The regular expression of one keyword on normalised text (see the module's rule)."""
    exact = keyword.startswith("=")
    parts = words(keyword[1:] if exact else keyword)
    if not parts:
        return r"(?!x)x"  # matches nothing
    tail = r"(?!\w)" if exact else r"\w*"
    return r"(?<!\w)" + r"\W+".join(re.escape(p) + tail for p in parts)


@lru_cache(maxsize=4096)
def _compiled(keywords: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{_pattern(k)})" for k in keywords) or r"(?!x)x")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def keyword_matches(text: str, keyword: str) -> bool:
    """True when ``keyword`` matches ``text`` under the module's rule."""
    return _compiled((keyword,)).search(_normalise(text)) is not None


def suggest(text: str, frame: CodingFrame, *, min_hits: int = 1) -> tuple[str, ...]:
    """Codes of ``frame`` suggested for ``text`` (frame order).

    Parameters
    ----------
    text : str
        A (redacted) segment.
    frame : CodingFrame
    min_hits : int
        Keywords that must match for a code to be suggested.
    """
    norm = _normalise(text)
    out = []
    for c in frame.codes:
        if not c.keywords:
            continue
        if min_hits <= 1:
            hit = _compiled(c.keywords).search(norm) is not None
        else:
            hit = sum(_compiled((k,)).search(norm) is not None for k in c.keywords) >= min_hits
        if hit:
            out.append(c.id)
    return tuple(out)


def suggest_all(texts: Iterable[str], frame: CodingFrame, *, min_hits: int = 1) -> list[str]:
    """:func:`suggest` for many texts, each as a comma-separated string ("" when none)."""
    return [",".join(suggest(t, frame, min_hits=min_hits)) for t in texts]
