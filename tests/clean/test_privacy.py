"""Redaction of personal data in free text."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.privacy import MARKERS, contains_personal_data, redact, redact_series


def _control_digits(nine: str) -> str:
    """Mod-11 control digits of a Norwegian birth number, written from the published rule
    (Skatteetaten), independently of python-stdnum: k1 = 11 - (Σ d·w1 mod 11), k2 likewise."""
    w1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
    w2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    d = [int(c) for c in nine]
    k1 = 11 - sum(a * b for a, b in zip(d, w1, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = 11 - sum(a * b for a, b in zip(d + [k1], w2, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    if 10 in (k1, k2):
        raise ValueError("no valid number with these nine digits")
    return f"{k1}{k2}"


def _valid_number(birth: str, individual: str) -> str:
    return birth + individual + _control_digits(birth + individual)


FNR = _valid_number("151086", "950")  # born 15.10.1986
DNR = _valid_number("551086", "950")  # D-number: day + 40


def test_reference_numbers_are_what_we_think():
    assert FNR == "15108695088"
    assert DNR[0] == "5" and len(DNR) == 11


@pytest.mark.parametrize(
    "text, kind",
    [
        (f"Mitt fødselsnummer er {FNR}.", "national_id"),
        (f"fnr {FNR[:6]} {FNR[6:]}", "national_id"),
        (f"D-nummer {DNR}", "d_number"),
        ("Kontakt ola.nordmann@kommune.no for mer", "email"),
        ("ring +47 912 34 567", "phone"),
        ("ring 0047 91234567", "phone"),
        ("tlf. 91234567", "phone"),
        ("sentralbord 22 33 44 55", "phone"),
        ("mobil 912 34 567!", "phone"),
    ],
)
def test_each_kind_is_redacted_with_a_marker(text, kind):
    out, counts = redact(text)
    assert MARKERS[kind] in out
    assert counts[kind] == 1 and sum(counts.values()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Saksnummer 12345678901 er ikke et fødselsnummer",  # 11 digits, invalid checksum
        f"{FNR[:-1]}{(int(FNR[-1]) + 1) % 10}",  # one control digit off
        "Vi har 1200 boliger i 2022 og 35 ansatte",
        "Org.nr 987654321",  # 9 digits
        "Kommunenummer 0301",
        "Beløp 12345678 kr",  # 8 digits starting with 1: not a Norwegian phone number
        "",
    ],
)
def test_ordinary_text_and_numbers_are_left_alone(text):
    assert redact(text) == (text, {"national_id": 0, "d_number": 0, "email": 0, "phone": 0})


def test_several_in_one_text_and_series():
    s = pd.Series([f"{FNR} og a@b.no og 91234567", None, 3.0, "ingenting"])
    out, counts = redact_series(s)
    assert counts == {"national_id": 1, "d_number": 0, "email": 1, "phone": 1}
    assert FNR not in out[0] and "a@b.no" not in out[0] and "91234567" not in out[0]
    assert out[1] is None and out[2] == 3.0 and out[3] == "ingenting"
    assert s[0].startswith(FNR), "the input is not modified"


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=30), suffix=st.text(max_size=30))
def test_planted_personal_data_never_survives(prefix, suffix):
    text = f"{prefix} {FNR} {suffix} post@example.org {prefix} +47 41 23 45 67 {suffix}"
    out, _ = redact(text)
    assert FNR not in out.replace(" ", "")
    assert "post@example.org" not in out
    assert "41 23 45 67" not in out
    assert not contains_personal_data(out)
