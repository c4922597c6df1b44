"""Editing a party (betrokkene) of a case: name, kind, KvK number, birth date, address, role.

The same validation as adding (``cases.validate_party_input``), the same need-to-know (the case
must be visible) and the same audit and timeline. One more rule: a party row can be linked to
several cases (``CaseService.link_party``); editing it changes what those cases show too, so it
is refused while the party is also in a case this user may not see (a team lead may).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.parties import PARTY_ROLE_LABELS
from bibob_desk.domain.values import CaseReference
from bibob_desk.services import audit
from bibob_desk.services.access import viewer_in_session, visible_case_by_reference
from bibob_desk.services.cases import (
    CaseService,
    CaseView,
    PartyInput,
    PartyView,
    _after_change,
    _touch,
    describe_changes,
    validate_party_input,
)
from bibob_desk.services.context import AppContext
from bibob_desk.services.network_lookups import lookups_for
from bibob_desk.storage.models import Case, CaseParty, TimelineEntry

PARTY_CHANGED = "betrokkene_wijzigen"


def party_input_from_view(party: PartyView) -> PartyInput:
    """The stored party as an input, to change a few fields of it."""
    return PartyInput(
        name=party.name,
        role=party.role,
        kind=party.kind,
        kvk_number=party.kvk_number or "",
        birth_date=party.birth_date.isoformat() if party.birth_date else "",
        street=party.street,
        house_number=party.house_number,
        postcode=party.postcode or "",
        city=party.city,
    )


def with_changes(base: PartyInput, changes: dict[str, str | None]) -> PartyInput:
    """``base`` with the given fields replaced (``None`` leaves a field as it is)."""
    return replace(base, **{k: v for k, v in changes.items() if v is not None})


FIELD_LABELS = {
    "name": "naam",
    "kind": "soort",
    "kvk_number": "KvK-nummer",
    "birth_date": "geboortedatum",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
    "role": "rol",
}


class PartyService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def update_party(self, reference: str, party_id: int, data: PartyInput) -> CaseView:
        """Change a party of the case. The role is that of the party's one link to the case;
        a party with several roles in the case keeps them (change the role by removing and
        adding the link)."""
        valid = validate_party_input(data)
        ref = str(CaseReference.parse(reference))
        with self.context.db.session() as session:
            viewer = viewer_in_session(session, self.context.user)
            case = visible_case_by_reference(session, viewer, ref)
            links = [cp for cp in case.parties if cp.party_id == party_id]
            if not links:
                raise NotFoundError(f"Betrokkene {party_id} hoort niet bij zaak {ref}.")
            self._check_other_cases(session, viewer, party_id)
            party = links[0].party
            changes: dict[str, tuple[Any, Any]] = {}
            new_values = {
                "name": valid.name,
                "kind": valid.kind.value,
                "kvk_number": valid.kvk_number,
                "birth_date": valid.birth_date,
                "street": valid.street,
                "house_number": valid.house_number,
                "postcode": valid.postcode,
                "city": valid.city,
            }
            for name, value in new_values.items():
                if getattr(party, name) != value:
                    changes[name] = (getattr(party, name), value)
                    setattr(party, name, value)
            if len(links) == 1 and links[0].role != valid.role.value:
                self._check_role_free(case, party_id, valid.role.value, valid.name)
                changes["role"] = (links[0].role, valid.role.value)
                links[0].role = valid.role.value
            elif len(links) > 1 and valid.role.value not in {cp.role for cp in links}:
                raise ValidationError(
                    f"{valid.name} heeft meer rollen in deze zaak; verwijder de rol die niet "
                    "klopt en voeg de betrokkene opnieuw toe met de juiste rol.",
                    "role",
                )
            if not changes:
                return CaseService(self.context).get(ref)
            labelled = {FIELD_LABELS[k]: v for k, v in changes.items()}
            audit.record(
                session,
                self.context.user,
                PARTY_CHANGED,
                case.reference,
                {
                    "betrokkene": party_id,
                    "wijzigingen": {k: [str(a), str(b)] for k, (a, b) in labelled.items()},
                },
            )
            session.add(
                TimelineEntry(
                    case=case,
                    user=self.context.user,
                    kind="wijziging",
                    text=f"Betrokkene gewijzigd: {valid.name} "
                    f"({PARTY_ROLE_LABELS[valid.role]}): {describe_changes(labelled)}",
                )
            )
            _touch(case)
            session.flush()
            _after_change(session, case, self.context.user, parties_changed=True)
        return CaseService(self.context).get(ref)

    def _check_other_cases(self, session: Session, viewer: Any, party_id: int) -> None:
        rows = lookups_for(session, viewer).party_cases([party_id], None)
        if any(case_id is None for _, case_id in rows):
            raise PermissionDenied(
                "Deze betrokkene staat ook in een zaak die u niet mag inzien; een wijziging zou "
                "ook die zaak raken. Vraag een teamleider om de wijziging."
            )

    def _check_role_free(self, case: Case, party_id: int, role: str, name: str) -> None:
        for link in case.parties:
            if isinstance(link, CaseParty) and link.party_id == party_id and link.role == role:
                raise ValidationError(f"{name} heeft deze rol al in de zaak.", "role")
