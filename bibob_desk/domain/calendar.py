"""Which days are not working days for legal terms: the Algemene termijnenwet (Atw) calendar.

Atw art. 1 lid 1: a term set by law that ends on a Saturday, Sunday or "algemeen erkende
feestdag" runs on to the next day that is none of these.
Atw art. 3 lid 1 names the holidays: Nieuwjaarsdag, tweede Paas- en Pinksterdag, both
Kerstdagen, Hemelvaartsdag, the day the King's birthday is celebrated, and 5 mei.
Atw art. 3 lid 2 adds Goede Vrijdag. Atw art. 3 lid 3 lets the government designate further
days by decree (published in the Staatscourant, in practice once every three years); those are
data, kept in resources/calendar/aangewezen-dagen.json, never guessed.

Easter comes from ``dateutil.easter`` (Western/Gregorian), so the statutory holidays are known
for every year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from dateutil.easter import easter

from bibob_desk.domain.errors import ValidationError

DESIGNATED_DAYS_FILE = "calendar/aangewezen-dagen.json"

# Koningsdag (27 April) replaced Koninginnedag (30 April) from 2014 on; both move one day back
# when they fall on a Sunday (Atw art. 3 lid 1: "de dag waarop de verjaardag van de Koning wordt
# gevierd").
_KINGS_DAY_FROM_YEAR = 2014


@dataclass(frozen=True)
class DesignatedDay:
    """A day the government made equal to a holiday for the Atw (art. 3 lid 3)."""

    day: date
    reason: str
    decree: str


def statutory_holidays(year: int) -> dict[date, str]:
    """The holidays of Atw art. 3 lid 1 and 2 in ``year``, with their Dutch names."""
    easter_sunday = easter(year)
    days: dict[date, str] = {}

    def add(day: date, name: str) -> None:
        # Hemelvaartsdag can fall on 5 mei (2016): both names, one day.
        days[day] = f"{days[day]} en {name}" if day in days else name

    add(date(year, 1, 1), "Nieuwjaarsdag")
    add(easter_sunday - timedelta(days=2), "Goede Vrijdag")  # art. 3 lid 2
    add(easter_sunday + timedelta(days=1), "tweede Paasdag")
    if year >= _KINGS_DAY_FROM_YEAR:
        kings_day = date(year, 4, 27)
        label = "Koningsdag"
    else:
        kings_day = date(year, 4, 30)
        label = "Koninginnedag"
    if kings_day.weekday() == 6:  # Sunday: celebrated the day before
        kings_day -= timedelta(days=1)
    add(kings_day, label)
    add(date(year, 5, 5), "Bevrijdingsdag (5 mei)")
    add(easter_sunday + timedelta(days=39), "Hemelvaartsdag")
    add(easter_sunday + timedelta(days=50), "tweede Pinksterdag")
    add(date(year, 12, 25), "eerste Kerstdag")
    add(date(year, 12, 26), "tweede Kerstdag")
    return days


def _default_designated_path() -> Path:
    from bibob_desk.paths import resource_path

    return resource_path(DESIGNATED_DAYS_FILE)


def parse_designated_days(document: Any, source: str = "") -> dict[date, DesignatedDay]:
    """Check the decree list; a malformed file is refused with a Dutch message naming the spot."""
    where = f" ({source})" if source else ""

    def bad(detail: str) -> ValidationError:
        return ValidationError(
            f"Het bestand met aangewezen feestdagen{where} is ongeldig: {detail}"
        )

    if not isinstance(document, dict):
        raise bad("verwacht een JSON-object met 'format_version' en 'decrees'.")
    if document.get("format_version") != 1:
        raise bad("onbekende of ontbrekende 'format_version' (verwacht 1).")
    decrees = document.get("decrees")
    if not isinstance(decrees, list):
        raise bad("'decrees' moet een lijst van besluiten zijn.")
    result: dict[date, DesignatedDay] = {}
    for number, decree in enumerate(decrees, start=1):
        if not isinstance(decree, dict):
            raise bad(f"besluit {number} is geen JSON-object.")
        title = decree.get("title")
        if not isinstance(title, str) or not title.strip():
            raise bad(f"besluit {number} heeft geen titel ('title').")
        days = decree.get("days")
        if not isinstance(days, list) or not days:
            raise bad(f"besluit {number} heeft geen dagen ('days').")
        for entry in days:
            if not isinstance(entry, dict) or not isinstance(entry.get("date"), str):
                raise bad(f"besluit {number} bevat een dag zonder 'date'.")
            try:
                day = date.fromisoformat(entry["date"])
            except ValueError:
                raise bad(
                    f"'{entry['date']}' in besluit {number} is geen datum (schrijf JJJJ-MM-DD)."
                ) from None
            reason = entry.get("reason", "")
            if not isinstance(reason, str):
                raise bad(f"de reden bij {entry['date']} moet tekst zijn.")
            if day in result:
                raise bad(f"{entry['date']} staat er twee keer in.")
            result[day] = DesignatedDay(day, reason.strip(), title.strip())
    return result


def load_designated_days(path: Path | None = None) -> dict[date, DesignatedDay]:
    """Read and validate the decree list (the shipped one unless ``path`` names another)."""
    file = path or _default_designated_path()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            f"Het bestand met aangewezen feestdagen ({file}) kan niet worden gelezen: "
            f"{exc.strerror or exc}."
        ) from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"Het bestand met aangewezen feestdagen ({file}) is geen geldige JSON "
            f"(regel {exc.lineno}, kolom {exc.colno})."
        ) from exc
    return parse_designated_days(document, str(file))


@lru_cache(maxsize=1)
def designated_days() -> dict[date, DesignatedDay]:
    """The shipped decree list, read once."""
    return load_designated_days()


@lru_cache(maxsize=256)
def _statutory_cached(year: int) -> dict[date, str]:
    return statutory_holidays(year)


def holiday_name(d: date) -> str | None:
    """The Dutch name of the holiday (statutory or designated) on ``d``, or None."""
    name = _statutory_cached(d.year).get(d)
    if name is not None:
        return name
    designated = designated_days().get(d)
    if designated is not None:
        reason = f" ({designated.reason})" if designated.reason else ""
        return f"met een feestdag gelijkgestelde dag{reason}"
    return None


def is_non_working_day(d: date) -> bool:
    """Saturday, Sunday or a holiday in the sense of the Atw."""
    return d.weekday() >= 5 or holiday_name(d) is not None


def next_working_day(d: date) -> date:
    """``d`` itself when it is a working day, otherwise the next one (Atw art. 1 lid 1)."""
    while is_non_working_day(d):
        d += timedelta(days=1)
    return d


def non_working_reason(d: date) -> str | None:
    """Why ``d`` is not a working day, in Dutch ("eerste Kerstdag", "een zaterdag"), or None."""
    name = holiday_name(d)
    if name is not None:
        return name
    if d.weekday() == 5:
        return "een zaterdag"
    if d.weekday() == 6:
        return "een zondag"
    return None
