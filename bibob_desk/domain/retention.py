"""When a closed Bibob file may be destroyed, and under which rule.

The default rule is the Selectielijst gemeenten en intergemeentelijke organen 2020 (vastgesteld
onder artikel 5 Archiefwet 1995; the organ destroys what the list marks for destruction, art. 3
Archiefwet 1995), procestype 4 "Evaluatie uitvoeren", resultaat 1 "Uitgevoerd", specific result
12 "Bibob-onderzoek" (category 4.1.12): waardering *vernietigen*, procestermijn *nihil*,
bewaartermijn *5 jaar* (P5Y). Verified against VNG-Realisatie/VNG-referentielijsten,
src/fixtures/selectielijst_2020_resultaten.json (resultaat uuid
dff0013e-853c-4295-90c2-8c28adb70133) and src/fixtures/procestypen.json (procestype 4).
Provinces and water boards have their own lists: the period is the setting
``retention.years_after_closing`` (default 5); when it differs from 5 the rule says so.

"Procestermijn nihil" means the period runs from the day the case was closed; a file is due on
the same calendar day N years later (29 February -> 28 February).
"""

from __future__ import annotations

from datetime import date, timedelta

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.phases import Phase

CLOSED_PHASES = frozenset({Phase.GESLOTEN, Phase.INGETROKKEN})
SELECTIELIJST_YEARS = 5
SELECTIELIJST_RULE = (
    "Selectielijst gemeenten en intergemeentelijke organen 2020, categorie 4.1.12 (procestype 4 "
    "Evaluatie uitvoeren, resultaat Uitgevoerd: Bibob-onderzoek): vernietigen, bewaartermijn 5 "
    "jaar na sluiting"
)


def retention_rule(years: int) -> str:
    """The rule a destruction is done under, in words for the audit log and the officer."""
    if years == SELECTIELIJST_YEARS:
        return SELECTIELIJST_RULE
    return (
        f"eigen bewaartermijn van {years} jaar na sluiting (instelling "
        f"retention.years_after_closing), afwijkend van de {SELECTIELIJST_RULE}"
    )


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
