"""A case ready for every letter type, shared by the letter tests (service, command, GUI)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bibob_desk.domain.letters import LetterType
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import store_as_system
from bibob_desk.storage.models import Case, Suspension

BASE = {
    "title": "Nieuwbouw bedrijfshal Brink",
    "area": "omgevingsvergunning_bouw",
    "organisation": "Gemeente Drentsmond",
    "officer": "tester",
    "application_date": "2026-09-01",
    "bouwsom": "800000",
    "street": "Industrieweg",
    "house_number": "7",
    "postcode": "9401 AB",
    "city": "Assen",
}


CATALOGUE = "https://zaken.drentsmond.example/catalogi/api/v1"

# The organisation a final letter needs (name, postal address, RSIN), with one organ for all areas.
TEST_ORGANISATION: dict[str, Any] = {
    "organisation.name": "Gemeente Drentsmond",
    "organisation.rsin": "999990019",
    "organisation.address_lines": ["Postbus 1000", "9400 AA  Drentsmond"],
    "organisation.visiting_address": "Stadhuisplein 1, Drentsmond",
    "organisation.phone": "14 0592",
    "organisation.email": "bibob@drentsmond.example",
    "signature.organ": "de burgemeester van Drentsmond",
    "signature.signatory_function": "coördinator Bibob",
    # The catalogue's informatieobjecttype per letter type: the sidecar's informatieobjecttype.
    "zgw.informatieobjecttypen": {
        kind.value: f"{CATALOGUE}/informatieobjecttypen/{kind.value}" for kind in LetterType
    },
}


def set_organisation(context: AppContext, **overrides: Any) -> None:
    """Fill in the organisation settings (as the system, audited) so letters can become final."""
    values = dict(TEST_ORGANISATION)
    values.update({key.replace("__", "."): value for key, value in overrides.items()})
    store_as_system(context, values, "test")


def make_letter_case(
    context: AppContext,
    *,
    third_party: bool = True,
    lbb_on: date | None = date(2026, 10, 1),
    **fields: Any,
) -> str:
    """A case at phase besluit with conclusion ernstig gevaar (a, b) and decision weigeren.

    The organisation settings are filled in too (``set_organisation``): without them no letter
    can become final.
    """
    set_organisation(context)
    parties = [
        PartyInput(
            name="Brink Vastgoed B.V.",
            role="aanvrager",
            kvk_number="12345678",
            street="Hoofdstraat",
            house_number="12",
            postcode="9401 CD",
            city="Assen",
        )
    ]
    if third_party:
        parties.append(
            PartyInput(
                name="J. de Financier",
                role="financier",
                kind="natuurlijk_persoon",
                street="Kerkplein",
                house_number="3",
                postcode="9402 EF",
                city="Emmen",
            )
        )
    reference = CaseService(context).open_case(BASE, parties).reference
    values: dict[str, Any] = {
        "phase": "besluit",
        "outcome": "mandatory",
        "conclusion": "ernstig_gevaar",
        "conclusion_grounds": "a,b",
        "decision": "weigeren",
    }
    values.update(fields)
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        for key, value in values.items():
            setattr(case, key, value)
        if lbb_on is not None:
            session.add(Suspension(case_id=case.id, reason="lbb_advies", start_date=lbb_on))
    return reference


BOUWSOM = Decimal("800000.00")
