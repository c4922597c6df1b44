"""When a closed Bibob file may be destroyed.

The archival period comes from the organisation's selection list (Selectielijst gemeenten en
intergemeentelijke organen, or the province's / water board's own list). We could not verify a
specific Selectielijst category for Bibob screenings, so the period is the setting
``retention.years_after_closing`` (default 5) that the archivist confirms.
The period runs from the day the case was closed; a file is due on the same calendar day N years
later (29 February -> 28 February).
"""

from __future__ import annotations

from datetime import date, timedelta

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.phases import Phase

CLOSED_PHASES = frozenset({Phase.GESLOTEN, Phase.INGETROKKEN})
MAX_RETENTION_YEARS = 120  # anything longer is a typing error, not a policy


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def destruction_due_on(closed_on: date, years: int) -> date:
    """The first day the file may be destroyed."""
    return add_years(closed_on, years)


def is_due(closed_on: date, years: int, today: date) -> bool:
    return today >= destruction_due_on(closed_on, years)


def closing_date_bound(years: int, today: date) -> date:
    """No case closed after this date can be due today (a cheap filter before ``is_due``)."""
    return add_years(today, -years) + timedelta(days=1)


def parse_retention_years(value: object) -> int:
    """The setting's value: a whole number of years, 0..120 (0 = may be destroyed at once)."""
    if isinstance(value, bool) or not isinstance(value, int):
        # isascii: str.isdigit also accepts '²' and other digits int() refuses.
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise ValidationError(
                f"Instelling retention.years_after_closing moet een geheel aantal jaren zijn, "
                f"niet '{value}'.",
                "retention.years_after_closing",
            )
    if not 0 <= value <= MAX_RETENTION_YEARS:
        raise ValidationError(
            f"Instelling retention.years_after_closing moet tussen 0 en {MAX_RETENTION_YEARS} "
            f"jaar liggen, niet {value}.",
            "retention.years_after_closing",
        )
    return value
