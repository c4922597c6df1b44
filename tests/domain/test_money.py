from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import format_money, money_to_json, parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€ 750.000,00", "750000.00"),
        ("€750.000,01", "750000.01"),
        ("750.000", "750000.00"),
        ("750000", "750000.00"),
        ("750000,5", "750000.50"),
        ("750000.50", "750000.50"),
        ("750,000.00", "750000.00"),
        ("1.250.000,-", "1250000.00"),
        ("  EUR 12 ", "12.00"),
        ("0", "0.00"),
        ("€\u00a0800.000,00", "800000.00"),
    ],
)
def test_parses_amounts_as_typed_in_the_netherlands(text: str, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["abc", "", "   ", "-5", "€ -750.000", "750.000,001", "7.50.000", "12,3,4", "1e5", "NaN", "€"],
)
def test_refuses_what_is_not_an_amount_with_a_dutch_message(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_money(text)
    assert "bedrag" in str(info.value).lower()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("750000"), "€ 750.000,00"),
        (Decimal("800000.5"), "€ 800.000,50"),
        (Decimal("0.01"), "€ 0,01"),
        (Decimal("999"), "€ 999,00"),
        (Decimal("1234567.89"), "€ 1.234.567,89"),
    ],
)
def test_formats_the_dutch_way(value: Decimal, expected: str) -> None:
    assert format_money(value) == expected


def test_json_form_is_a_string_with_two_decimals() -> None:
    assert money_to_json(Decimal("800000")) == "800000.00"
    assert money_to_json(None) is None


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_format_then_parse_round_trips(value: Decimal) -> None:
    assert parse_money(format_money(value)) == value


@given(st.text(max_size=30))
def test_never_crashes_on_any_text(text: str) -> None:
    try:
        result = parse_money(text)
    except ValidationError:
        return
    assert result >= 0
    assert result == result.quantize(Decimal("0.01"))
