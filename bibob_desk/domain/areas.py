"""Application areas (toepassingsgebieden) a Bibob case can be about.

The codes are the project's stable identifiers; the labels are what an officer reads. Whether an
area is mandatory or optional is policy (see ``policy``), not part of this table.
"""

from __future__ import annotations

from bibob_desk.domain.errors import ValidationError

AREAS: dict[str, str] = {
    "alcohol": "Alcoholwetvergunning",
    "exploitatie_horeca": "Exploitatievergunning openbare inrichting (horeca)",
    "coffeeshop": "Exploitatievergunning coffeeshop",
    "seksinrichting": "Exploitatievergunning prostitutie / escort / seksinrichting",
    "omgevingsvergunning_bouw": "Omgevingsvergunning bouwactiviteit",
    "omgevingsvergunning_milieu": "Omgevingsvergunning milieubelastende activiteit",
    "aanwezigheidsvergunning": "Aanwezigheidsvergunning (speelautomaten)",
    "speelautomatenhal": "Vergunning speelautomatenhal",
    "kansspelen": "Vergunning kansspelen",
    "evenement": "Evenementenvergunning (ook vechtsportevenementen)",
    "subsidie": "Subsidie",
    "vastgoed": "Vastgoedtransactie",
    "overheidsopdracht": "Overheidsopdracht (aanbesteding)",
    "huisvestingsvergunning": "Vergunning Huisvestingswet",
    "verhuurvergunning": "Verhuurvergunning (Wet goed verhuurderschap)",
}

# Areas where the bouwsom decides applicability, so a case in them must carry one.
AREAS_WITH_BOUWSOM = frozenset({"omgevingsvergunning_bouw"})


def area_label(code: str) -> str:
    return AREAS.get(code, code)


def parse_area(code: str) -> str:
    normal = code.strip().lower()
    if normal not in AREAS:
        known = ", ".join(sorted(AREAS))
        raise ValidationError(
            f"Onbekend toepassingsgebied '{code.strip()}'. Kies uit: {known}.", "area"
        )
    return normal
