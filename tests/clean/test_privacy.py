"""Redaction of personal data in free text."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean.privacy import KINDS, MARKERS, contains_personal_data, redact, redact_series


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
    assert redact(text) == (text, dict.fromkeys(KINDS, 0))


def test_several_in_one_text_and_series():
    s = pd.Series([f"{FNR} og a@b.no og 91234567", None, 3.0, "ingenting"])
    out, counts = redact_series(s)
    assert counts == {"national_id": 1, "d_number": 0, "email": 1, "phone": 1, "bank_account": 0}
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


# -- issue 11, item 6: forms that slipped through ----------------------------------------------


def _kontonr(first10: str) -> str:
    """Norwegian bank account number from its first ten digits: the mod-11 check digit with the
    weights 5,4,3,2,7,6,5,4,3,2 (the published rule), written independently of python-stdnum."""
    w = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    r = 11 - sum(int(d) * k for d, k in zip(first10, w, strict=True)) % 11
    if r == 10:
        raise ValueError("no valid account number with these ten digits")
    return first10 + ("0" if r == 11 else str(r))


ACCOUNT = _kontonr("1234567890")  # 12345678903
FNR_1980 = _valid_number("150380", "123")  # born 15.03.1980


def test_reference_account_is_what_we_think():
    from stdnum.no import kontonr

    assert ACCOUNT == "12345678903" and kontonr.is_valid(ACCOUNT)


@pytest.mark.parametrize(
    "text, kind, gone",
    [
        ("skriv til navn [at] firma.no i morgen", "email", ["navn", "firma.no"]),
        ("skriv til navn(at)firma.no i morgen", "email", ["navn", "firma.no"]),
        ("skriv til navn (AT) firma.no i morgen", "email", ["navn", "firma.no"]),
        ("skriv til navn @ firma.no i morgen", "email", ["navn", "firma.no"]),
        ("skriv til navn[at]firma[dot]no", "email", ["navn", "firma"]),
        ("post: bjørn.ødegård@kommune.no takk", "email", ["bjørn", "ødegård", "kommune.no"]),
        ("post: åse@bø.kommune.no", "email", ["åse", "bø.kommune"]),
        (f"fnr {FNR_1980[:2]} {FNR_1980[2:4]} {FNR_1980[4:6]} {FNR_1980[6:]}", "national_id", []),
        (f"fnr {FNR_1980[:2]}.{FNR_1980[2:4]}.{FNR_1980[4:6]} {FNR_1980[6:]}", "national_id", []),
        ("ring 4791234567 i dag", "phone", ["91234567", "4791234567"]),
        ("ring +4791234567 i dag", "phone", ["91234567"]),
        ("ring 004791234567 i dag", "phone", ["91234567"]),
        (f"konto {ACCOUNT[:4]}.{ACCOUNT[4:6]}.{ACCOUNT[6:]} takk", "bank_account", []),
        (f"konto {ACCOUNT[:4]} {ACCOUNT[4:6]} {ACCOUNT[6:]} takk", "bank_account", []),
        (f"konto {ACCOUNT} takk", "bank_account", []),
        ("IBAN NO93 8601 1117 947", "bank_account", ["8601", "1117"]),
    ],
)
def test_slipped_forms_are_redacted_whole(text, kind, gone):
    out, counts = redact(text)
    assert MARKERS[kind] in out, out
    assert counts[kind] == 1 and sum(counts.values()) == 1, counts
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 8:
        assert not any(ch.isdigit() for ch in out), out  # no fragment of the number is left
    for fragment in gone:
        assert fragment not in out, out
    assert not contains_personal_data(out)


def test_bank_account_kind_is_counted_in_series():
    s = pd.Series([f"konto {ACCOUNT}", "ingen", None])
    out, counts = redact_series(s)
    assert counts["bank_account"] == 1 and ACCOUNT not in out[0]


@pytest.mark.parametrize(
    "text",
    [
        "Vi har 1 234 567 kr i budsjett og 12 500 kr i tilskudd",
        "Møtet var 15.03.2023 kl. 12.30, 40 deltok",
        "Org.nr. 987 654 321 og 912345678",  # organisation numbers: 9 digits
        "Postnummer 0301 Oslo, gnr. 12 bnr. 345",
        "Budsjett 2023-2024: 1500000 kroner",
        "Sak 2023/12345 og 2024/00017",
        "Vi er @ kontoret hver dag",  # an @ that is not an address
        "47 prosent svarte, 91 prosent av dem ja",
        "Saksnummer 12345678901 er ikke et fødselsnummer",  # neither fnr nor account (mod 11)
        "Vi ser at beboere er fornøyde (at) det går bra",
    ],
)
def test_ordinary_numbers_and_words_are_left_alone(text):
    out, counts = redact(text)
    assert out == text and sum(counts.values()) == 0, (out, counts)


@settings(max_examples=200, deadline=None)
@given(
    ten=st.text("0123456789", min_size=10, max_size=10),
    sep=st.sampled_from(["", " ", "."]),
    prefix=st.text(max_size=20),
    suffix=st.text(max_size=20),
)
def test_any_valid_account_never_survives(ten, sep, prefix, suffix):
    try:
        acc = _kontonr(ten)
    except ValueError:
        return
    written = f"{acc[:4]}{sep}{acc[4:6]}{sep}{acc[6:]}"
    out, _ = redact(f"{prefix} {written} {suffix}")
    assert written not in out and acc not in out.replace(" ", "").replace(".", "")


@settings(max_examples=200, deadline=None)
@given(
    local=st.text(
        st.characters(categories=("Ll", "Lu", "Nd"), max_codepoint=0x17F), min_size=1, max_size=12
    ),
    at=st.sampled_from(["@", " @ ", " [at] ", "(at)", " (at) "]),
)
def test_any_address_with_norwegian_letters_goes_whole(local, at):
    text = f"Skriv til {local}{at}eksempel.no takk"
    out, counts = redact(text)
    assert counts["email"] == 1, (text, out)
    assert out == f"Skriv til {MARKERS['email']} takk", (text, out)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 10**7),
    year=st.integers(1900, 2100),
    word=st.sampled_from(["kr", "boliger", "beboere", "prosent", "leiligheter"]),
)
def test_ordinary_amounts_and_years_are_never_redacted(n, year, word):
    grouped = f"{n:,}".replace(",", " ")
    text = f"I {year} hadde vi {grouped} {word} og {n} {word}, {year}-{year + 1}."
    out, counts = redact(text)
    assert out == text and sum(counts.values()) == 0, (text, out)


@settings(max_examples=200, deadline=None)
@given(
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    year=st.integers(0, 99),
    individual=st.integers(0, 499),
    style=st.sampled_from(["{d}{m}{y}{n}", "{d}{m}{y} {n}", "{d} {m} {y} {n}", "{d}.{m}.{y} {n}"]),
)
def test_any_valid_fodselsnummer_in_any_common_writing_never_survives(
    day, month, year, individual, style
):
    nine = f"{day:02d}{month:02d}{year:02d}{individual:03d}"
    try:
        number = nine + _control_digits(nine)
    except ValueError:
        return
    written = style.format(d=number[:2], m=number[2:4], y=number[4:6], n=number[6:])
    out, counts = redact(f"Leietaker {written} klaget")
    assert out == f"Leietaker {MARKERS['national_id']} klaget", (written, out)
    assert counts["national_id"] == 1


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                None,
                float("nan"),
                "",
                "nei",
                "Ring 912 34 567",
                "ola@example.no",
                "Konto 1234.56.78903 og 912 34 567",
                "Saksnummer 12345678901",
                3,
            ]
        )
        | st.text(alphabet="0123456789 @.ab", max_size=14),
        max_size=40,
    )
)
def test_redact_series_equals_redact_cell_by_cell(cells):
    # repeated values are redacted once per distinct value; the result must be the cell-by-cell one
    s = pd.Series(cells, dtype=object)
    out, counts = redact_series(s)
    want_counts = dict.fromkeys(KINDS, 0)
    for got, cell in zip(out.tolist(), cells, strict=True):
        if isinstance(cell, str):
            text, c = redact(cell)
            assert got == text
            for k, v in c.items():
                want_counts[k] += v
        elif cell is None:
            assert got is None
        elif isinstance(cell, float):
            assert got != got  # NaN stays NaN
        else:
            assert got == cell
    assert counts == want_counts
