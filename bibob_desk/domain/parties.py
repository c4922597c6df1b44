"""People and companies involved in a case (betrokkenen) and their roles.

The roles follow the relations of art. 3 lid 4 Wet Bibob: those who lead the applicant
(bestuurder), have control over it (aandeelhouder), provide its capital (financier) or are in a
business relationship with it (zakelijk betrokkene).
"""

from __future__ import annotations

from enum import StrEnum

from bibob_desk.domain.errors import ValidationError


class PartyKind(StrEnum):
    NATURAL_PERSON = "natuurlijk_persoon"
    LEGAL_ENTITY = "rechtspersoon"


PARTY_KIND_LABELS = {
    PartyKind.NATURAL_PERSON: "Natuurlijk persoon",
    PartyKind.LEGAL_ENTITY: "Rechtspersoon",
}


class PartyRole(StrEnum):
    AANVRAGER = "aanvrager"
    BESTUURDER = "bestuurder"
    AANDEELHOUDER = "aandeelhouder"
    FINANCIER = "financier"
    ZAKELIJK_BETROKKENE = "zakelijk_betrokkene"
    OVERIG = "overig"


PARTY_ROLE_LABELS = {
    PartyRole.AANVRAGER: "Aanvrager",
    PartyRole.BESTUURDER: "Bestuurder",
    PartyRole.AANDEELHOUDER: "Aandeelhouder",
    PartyRole.FINANCIER: "Financier",
    PartyRole.ZAKELIJK_BETROKKENE: "Zakelijk betrokkene",
    PartyRole.OVERIG: "Overig",
}


def parse_party_role(text: str) -> PartyRole:
    normal = text.strip().lower().replace(" ", "_")
    for role in PartyRole:
        if normal in (role.value, PARTY_ROLE_LABELS[role].lower().replace(" ", "_")):
            return role
    known = ", ".join(r.value for r in PartyRole)
    raise ValidationError(f"Onbekende rol '{text.strip()}'. Kies uit: {known}.", "role")


def parse_party_kind(text: str) -> PartyKind:
    normal = text.strip().lower().replace(" ", "_")
    for kind in PartyKind:
        if normal == kind.value:
            return kind
    raise ValidationError(
        f"Onbekende soort betrokkene '{text.strip()}'. Kies natuurlijk_persoon of rechtspersoon.",
        "kind",
    )
