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
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text or "").lower())


@lru_cache(maxsize=4096)
def _keyword(keyword: str) -> tuple[tuple[str, bool], ...]:
    exact = keyword.startswith("=")
    parts = words(keyword[1:] if exact else keyword)
    return tuple((p, exact) for p in parts)


def _match(text_words: list[str], keyword: str) -> bool:
    parts = _keyword(keyword)
    if not parts:
        return False
    k = len(parts)
    for i in range(len(text_words) - k + 1):
        if all(
            (text_words[i + j] == w) if exact else text_words[i + j].startswith(w)
            for j, (w, exact) in enumerate(parts)
        ):
            return True
    return False


def keyword_matches(text: str, keyword: str) -> bool:
    """True when ``keyword`` matches ``text`` under the module's rule."""
    return _match(words(text), keyword)


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
    w = words(text)
    return tuple(
        c.id for c in frame.codes if sum(_match(w, k) for k in c.keywords) >= max(1, min_hits)
    )


def suggest_all(texts: Iterable[str], frame: CodingFrame, *, min_hits: int = 1) -> list[str]:
    """:func:`suggest` for many texts, each as a comma-separated string ("" when none)."""
    return [",".join(suggest(t, frame, min_hits=min_hits)) for t in texts]
