import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.values import (
    CaseReference,
    format_date_nl,
    parse_date,
    parse_kvk_number,
    parse_postcode,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9401AB", "9401 AB"), ("9401 ab", "9401 AB"), (" 7811 xk ", "7811 XK")],
)
def test_postcode_is_normalised(text: str, expected: str) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["0401 AB", "940 AB", "9401 A", "9401 SS", "ABCD 12", "", "94011AB"]
)
def test_malformed_postcodes_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="postcode"):
        parse_postcode(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("12345678", "12345678"), ("1234 5678", "12345678")]
)
def test_kvk_number_is_eight_digits(text: str, expected: str) -> None:
    assert parse_kvk_number(text) == expected


@pytest.mark.parametrize("text", ["1234567", "123456789", "1234567a", "", "abcdefgh"])
def test_wrong_kvk_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="KvK-nummer"):
        parse_kvk_number(text)


def test_case_reference_round_trip() -> None:
    ref = CaseReference.parse("bib-2026-0042")
    assert ref == CaseReference(2026, 42)
    assert str(ref) == "BIB-2026-0042"
    assert str(CaseReference(2026, 12345)) == "BIB-2026-12345"


@pytest.mark.parametrize("text", ["BIB-26-1", "2026-0001", "BIB-2026-01", "", "BIB-2026-000A"])
def test_bad_case_references_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="zaaknummer"):
        CaseReference.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22", date(2026, 11, 22)),
        ("22-11-2026", date(2026, 11, 22)),
        ("1-2-2024", date(2024, 2, 1)),
    ],
)
def test_dates_in_iso_and_dutch_order(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-02-30", "31-04-2026", "2026-13-01", "gisteren", "0001-01-01"]
)
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_date(text)


def test_dates_are_written_out_in_dutch() -> None:
    assert format_date_nl(date(2026, 11, 22)) == "22 november 2026"
    assert format_date_nl(date(2027, 3, 1)) == "1 maart 2027"


@given(st.text(max_size=20))
def test_parsers_never_crash(text: str) -> None:
    for parser in (parse_postcode, parse_kvk_number, parse_date, CaseReference.parse):
        with contextlib.suppress(ValidationError):
            parser(text)
