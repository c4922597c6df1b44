"""Value types with their Dutch formats: postcode, KvK number, RSIN, case reference, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bibob_desk.domain.errors import ValidationError

# PostNL never issues the letter combinations SA, SD and SS, and no postcode starts with 0.
_POSTCODE = re.compile(r"^([1-9]\d{3})\s?([A-Za-z]{2})$")
_UNUSED_POSTCODE_LETTERS = {"SA", "SD", "SS"}


def parse_postcode(text: str) -> str:
    """Normalise a Dutch postcode to "1234 AB"; refuse anything else."""
    match = _POSTCODE.match(text.strip())
    if not match:
        raise ValidationError(
            f"'{text.strip()}' is geen geldige postcode. Een postcode is vier cijfers en twee "
            "letters, bijvoorbeeld 9401 AB.",
            "postcode",
        )
    digits, letters = match.group(1), match.group(2).upper()
    if letters in _UNUSED_POSTCODE_LETTERS:
        raise ValidationError(
            f"'{text.strip()}' is geen geldige postcode: de lettercombinatie {letters} "
            "wordt niet gebruikt.",
            "postcode",
        )
    return f"{digits} {letters}"


def parse_kvk_number(text: str) -> str:
    """A KvK number is exactly eight digits (spaces and dots as typed are ignored).

    The Kamer van Koophandel no longer applies a check digit to new numbers, so only the
    format is checked.
    """
    cleaned = re.sub(r"[\s.]", "", text)
    if not re.fullmatch(r"\d{8}", cleaned):
        raise ValidationError(
            f"'{text.strip()}' is geen geldig KvK-nummer. Een KvK-nummer bestaat uit acht cijfers.",
            "kvk_number",
        )
    return cleaned


# The elfproef (11-test) of the BSN, which the RSIN shares: the nine digits weighted 9, 8, ..., 2
# and the last one -1 must add up to a multiple of 11 (Logisch Ontwerp BSN; the RSIN is issued
# from the same number range by the Handelsregister, Handelsregisterwet 2007 art. 12). The ZGW
# APIs check ``bronorganisatie`` the same way.
_ELFPROEF_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def passes_elfproef(digits: str) -> bool:
    """True for nine ASCII digits whose weighted sum is a multiple of 11 (not all zeros)."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit() or set(digits) == {"0"}:
        return False
    return sum(w * int(d) for w, d in zip(_ELFPROEF_WEIGHTS, digits, strict=True)) % 11 == 0


@dataclass(frozen=True)
class Rsin:
    """Rechtspersonen en Samenwerkingsverbanden Informatienummer: nine digits, elfproef.

    It identifies the organisation itself (``bronorganisatie`` in the ZGW APIs). Spaces and dots
    as typed ("0025.64.440") are ignored. Eight digits are refused rather than given a leading
    zero: that is what a KvK number looks like, typed into the wrong field.
    """

    digits: str

    def __str__(self) -> str:
        return self.digits

    @classmethod
    def parse(cls, text: str) -> Rsin:
        cleaned = re.sub(r"[\s.]", "", text)
        if not (len(cleaned) == 9 and cleaned.isascii() and cleaned.isdigit()):
            raise ValidationError(
                f"'{text.strip()}' is geen geldig RSIN. Een RSIN bestaat uit negen cijfers "
                "(met voorloopnullen), bijvoorbeeld 002564440; een KvK-nummer heeft er acht.",
                "rsin",
            )
        if not passes_elfproef(cleaned):
            raise ValidationError(
                f"'{text.strip()}' is geen geldig RSIN: het nummer voldoet niet aan de elfproef. "
                "Controleer het nummer in het Handelsregister.",
                "rsin",
            )
        return cls(cleaned)


_REFERENCE = re.compile(r"^BIB-(\d{4})-(\d{4,})$")


@dataclass(frozen=True, order=True)
class CaseReference:
    """The case reference BIB-YYYY-NNNN: sequential per year and never reused."""

    year: int
    sequence: int

    def __str__(self) -> str:
        return f"BIB-{self.year:04d}-{self.sequence:04d}"

    @classmethod
    def parse(cls, text: str) -> CaseReference:
        match = _REFERENCE.match(text.strip().upper())
        if not match:
            raise ValidationError(
                f"'{text.strip()}' is geen geldig zaaknummer. Een zaaknummer ziet eruit als "
                "BIB-2026-0001.",
                "reference",
            )
        return cls(int(match.group(1)), int(match.group(2)))


MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def format_date_nl(value: date) -> str:
    """ "22 november 2026", as Dutch letters write a date."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"


def format_date_long_nl(value: date) -> str:
    """ "zondag 22 november 2026"."""
    return f"{WEEKDAYS_NL[value.weekday()]} {format_date_nl(value)}"


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def parse_date(text: str, field: str = "datum") -> date:
    """Parse "2026-11-22" or "22-11-2026"; an impossible date (31-02-2026) is refused."""
    stripped = text.strip()
    iso = _ISO_DATE.match(stripped)
    dutch = _DUTCH_DATE.match(stripped)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dutch:
        day, month, year = (int(g) for g in dutch.groups())
    else:
        raise ValidationError(
            f"'{stripped}' is geen geldige datum. Schrijf een datum als 2026-11-22 of 22-11-2026.",
            field,
        )
    if year < 1900:
        raise ValidationError(f"'{stripped}' is geen geldige datum: het jaar is te vroeg.", field)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationError(f"'{stripped}' bestaat niet als datum.", field) from exc
