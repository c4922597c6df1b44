"""Tips about a betrokkene: the article 26 register.

Wet Bibob art. 26: the officier van justitie may point a bestuursorgaan to the possibility of
asking the LBB for advice. Since 1 August 2020 the LBB itself may tip bestuursorganen, and since
1 October 2022 (second tranche, Kamerstuk 35764) bestuursorganen may tip one another. The exact
article of the inter-bestuursorgaan tip was not verifiable in the sources at hand; the register
records the counterpart kind, not an article number. A tip is a reason to investigate, never by
itself a ground to refuse.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from bibob_desk.domain.errors import ValidationError


class TipDirection(StrEnum):
    INKOMEND = "inkomend"
    UITGAAND = "uitgaand"


DIRECTION_LABELS = {TipDirection.INKOMEND: "Inkomend", TipDirection.UITGAAND: "Uitgaand"}


class CounterpartKind(StrEnum):
    OPENBAAR_MINISTERIE = "openbaar_ministerie"
    LBB = "lbb"
    BESTUURSORGAAN = "bestuursorgaan"


COUNTERPART_KIND_LABELS = {
    CounterpartKind.OPENBAAR_MINISTERIE: "Openbaar Ministerie",
    CounterpartKind.LBB: "Landelijk Bureau Bibob",
    CounterpartKind.BESTUURSORGAAN: "Ander bestuursorgaan",
}

_KIND_ALIASES = {
    "om": CounterpartKind.OPENBAAR_MINISTERIE,
    "officier_van_justitie": CounterpartKind.OPENBAAR_MINISTERIE,
    "landelijk_bureau_bibob": CounterpartKind.LBB,
    "gemeente": CounterpartKind.BESTUURSORGAAN,
    "provincie": CounterpartKind.BESTUURSORGAAN,
    "waterschap": CounterpartKind.BESTUURSORGAAN,
    "ander_bestuursorgaan": CounterpartKind.BESTUURSORGAAN,
}


def parse_direction(text: str) -> TipDirection:
    normal = text.strip().lower()
    for value in TipDirection:
        if normal == value.value:
            return value
    raise ValidationError(
        f"Onbekende richting '{text.strip()}'. Kies inkomend of uitgaand.", "direction"
    )


def parse_counterpart_kind(text: str) -> CounterpartKind:
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    for value in CounterpartKind:
        if normal in (value.value, COUNTERPART_KIND_LABELS[value].lower().replace(" ", "_")):
            return value
    if normal in _KIND_ALIASES:
        return _KIND_ALIASES[normal]
    known = ", ".join(k.value for k in CounterpartKind)
    raise ValidationError(
        f"Onbekende soort organisatie '{text.strip()}'. Kies uit: {known}.", "counterpart_kind"
    )


def guess_counterpart_kind(counterpart: str) -> CounterpartKind:
    """A sensible default from the organisation's name ("Openbaar Ministerie", "LBB", ...)."""
    name = counterpart.strip().lower()
    if "openbaar ministerie" in name or name in ("om", "ovj") or "officier" in name:
        return CounterpartKind.OPENBAAR_MINISTERIE
    if name == "lbb" or "bureau bibob" in name or "justis" in name:
        return CounterpartKind.LBB
    return CounterpartKind.BESTUURSORGAAN


def normalise_name(name: str) -> str:
    """Names match case-insensitively, ignoring surrounding and doubled spaces."""
    return " ".join(name.split()).casefold()


def subject_matches(
    tip_name: str,
    tip_kvk: str | None,
    tip_birth: date | None,
    party_name: str,
    party_kvk: str | None,
    party_birth: date | None,
) -> bool:
    """Same KvK number, or the same name and the same date of birth."""
    if tip_kvk and party_kvk and tip_kvk == party_kvk:
        return True
    return (
        tip_birth is not None
        and party_birth is not None
        and tip_birth == party_birth
        and normalise_name(tip_name) == normalise_name(party_name)
    )
