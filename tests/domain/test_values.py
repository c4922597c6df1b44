import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.values import (
    CaseReference,
    Rsin,
    format_date_nl,
    parse_date,
    parse_kvk_number,
    parse_postcode,
    passes_elfproef,
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


# --- RSIN (elfproef) -----------------------------------------------------------------------

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _elfproef(digits: str) -> bool:
    return sum(w * int(d) for w, d in zip(_WEIGHTS, digits, strict=True)) % 11 == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("002564440", "002564440"),  # Gemeente Amsterdam
        ("0025.64.440", "002564440"),
        (" 999990019 ", "999990019"),
        ("111 222 333", "111222333"),
    ],
)
def test_valid_rsins_are_normalised(text: str, expected: str) -> None:
    assert str(Rsin.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("123456789", "elfproef"),
        ("002564441", "elfproef"),
        ("000000000", "elfproef"),
        ("12345678", "negen cijfers"),  # a KvK number in the wrong field
        ("1234567890", "negen cijfers"),
        ("00256444O", "negen cijfers"),
        ("", "negen cijfers"),
        ("٠٠٢٥٦٤٤٤٠", "negen cijfers"),  # Arabic-Indic digits: isdigit() but not an RSIN
    ],
)
def test_wrong_rsins_are_refused_in_dutch(text: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        Rsin.parse(text)
    assert caught.value.field == "rsin"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_rsin_is_accepted_exactly_when_the_elfproef_holds(digits: str) -> None:
    valid = _elfproef(digits) and digits != "000000000"
    assert passes_elfproef(digits) == valid
    if valid:
        assert str(Rsin.parse(digits)) == digits
    else:
        with pytest.raises(ValidationError):
            Rsin.parse(digits)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.data())
def test_elfproef_catches_every_single_digit_typo(digits: str, data: st.DataObject) -> None:
    if not passes_elfproef(digits):
        return
    position = data.draw(st.integers(0, 8))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != digits[position]]))
    typo = digits[:position] + replacement + digits[position + 1 :]
    assert not passes_elfproef(typo)


@given(st.text())
def test_rsin_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(ValidationError):
        parsed = Rsin.parse(text)
        assert len(str(parsed)) == 9 and passes_elfproef(str(parsed))
