"""The report's texts follow docs/report-style.md where a machine can check it."""

from __future__ import annotations

import re

import pytest

from analysis.lang import catalogue

NB = catalogue("nb")


def _texts(cat: dict) -> list[tuple[str, str]]:
    out = []

    def walk(prefix, node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(node, str):
            out.append((prefix, node))

    walk("", cat)
    return out


NB_TEXTS = _texts(NB)


def _prose(text: str) -> str:
    """The text without quoted questionnaire wording («…») and placeholders."""
    return re.sub(r"\{[^}]*\}", "", re.sub(r"«[^»]*»", "", text))


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"\bskjult", "a suppressed figure is «prikket»"),
        (r"klyngebootstrap|\braket\b|Generert", "jargon or a translated word"),
        (r"\b(beboere|beboerne|leieboere|leieboerne)\b", "tenants are «leietakere» in prose"),
        (r"er ikke sikker", "say «kan skyldes tilfeldig variasjon»"),
        (r"\{low\}–\{high\}|\{klo\}–\{khi\}", "intervals are written «43 til 53»"),
        (r"(?<=[\d}]) %", "a per cent sign follows a non-breaking space"),
        (r"(?i)instrumentversjon", "the reader's word is «skjemaversjon»"),
    ],
)
def test_no_banned_wording(pattern, why):
    bad = [k for k, v in NB_TEXTS if re.search(pattern, _prose(v) if "beboer" in pattern else v)]
    assert not bad, f"{why}: {bad}"


def test_at_most_one_colon_per_sentence():
    bad = []
    for k, v in NB_TEXTS:
        for sentence in re.split(r"(?<=[.!?])\s+", _prose(v)):
            if sentence.count(":") > 1:
                bad.append(k)
    assert not bad, bad


def test_number_forms_have_their_base_text():
    texts = NB["texts"]
    for k in texts:
        if k.endswith(("_zero", "_one")):
            assert k.rsplit("_", 1)[0] in texts, k
