"""Euro amounts as exact decimals: parsing what officers type and formatting the Dutch way."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bibob_desk.domain.errors import ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # fits NUMERIC(14, 2)

_DUTCH_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")  # 750.000 / 750.000,00
_DUTCH_PLAIN = re.compile(r"^\d+(,\d{1,2})?$")  # 750000 / 750000,5
_ENGLISH_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d{1,2})?$")  # 750,000.00
_DOT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$")  # 750000.00 (as in JSON and CSV)


def parse_money(text: str | int | Decimal) -> Decimal:
    """Parse an amount in euros as typed in the Netherlands.

    Accepts "€ 750.000,00", "750.000", "750000", "750000,50", "750000.50" and "750,000.00".
    Refuses empty text, letters, negative amounts and more than two decimals, with a Dutch message.
    """
    if isinstance(text, bool):
        raise ValidationError("Ongeldig bedrag.", "bouwsom")
    if isinstance(text, int):
        text = str(text)
    if isinstance(text, Decimal):
        return _checked(text, str(text))
    raw = text
    cleaned = (
        text.strip()
        .replace("€", "")
        .replace("EUR", "")
        .replace("eur", "")
        .replace("\u00a0", "")
        .replace(" ", "")
    )
    if cleaned.endswith(",-") or cleaned.endswith(".-"):
        cleaned = cleaned[:-2]
    if not cleaned:
        raise ValidationError("Vul een bedrag in, bijvoorbeeld € 750.000,00.", "bouwsom")
    if cleaned.startswith("-"):
        raise ValidationError(f"Een bedrag kan niet negatief zijn: '{raw.strip()}'.", "bouwsom")
    if _DUTCH_GROUPED.match(cleaned) or _DUTCH_PLAIN.match(cleaned):
        normal = cleaned.replace(".", "").replace(",", ".")
    elif _ENGLISH_GROUPED.match(cleaned):
        normal = cleaned.replace(",", "")
    elif _DOT_DECIMAL.match(cleaned):
        normal = cleaned
    else:
        raise ValidationError(
            f"'{raw.strip()}' is geen geldig bedrag. Schrijf het als € 750.000,00 of 750000.",
            "bouwsom",
        )
    try:
        value = Decimal(normal)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above exclude this
        raise ValidationError(f"'{raw.strip()}' is geen geldig bedrag.", "bouwsom") from exc
    return _checked(value, raw)


def _checked(value: Decimal, raw: str) -> Decimal:
    if not value.is_finite():
        raise ValidationError(f"'{raw}' is geen geldig bedrag.", "bouwsom")
    if value < 0:
        raise ValidationError(f"Een bedrag kan niet negatief zijn: '{raw}'.", "bouwsom")
    # Size first: quantize() raises InvalidOperation beyond 28 digits (found by hypothesis).
    if value > MAX_AMOUNT:
        raise ValidationError(f"Het bedrag '{raw}' is te groot.", "bouwsom")
    if value != value.quantize(CENT):
        raise ValidationError(f"Een bedrag heeft hoogstens twee decimalen: '{raw}'.", "bouwsom")
    return value.quantize(CENT)


def format_money(value: Decimal) -> str:
    """Format as "€ 750.000,00" (Dutch grouping and decimal comma)."""
    quantized = value.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    whole, _, cents = f"{abs(quantized):.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}€ {'.'.join(groups)},{cents}"


def money_to_json(value: Decimal | None) -> str | None:
    """The contract form for JSON: "800000.00" (string, dot, two decimals)."""
    return None if value is None else f"{value.quantize(CENT):.2f}"
