"""Tip register on SQLite and PostgreSQL: access, audit, validation and matching to cases."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipInput, TipService, validate_tip
from bibob_desk.storage.models import AuditEntry, Case, TimelineEntry, Tip
from tests.conftest import make_user


def tip(**changes: str) -> TipInput:
    base = {
        "direction": "inkomend",
        "received_on": "2026-10-01",
        "counterpart": "Openbaar Ministerie Noord-Nederland",
        "subject_name": "De Hoek B.V.",
        "subject_kvk": "12345678",
        "summary": "Signalen over witwassen via horeca.",
        "confidentiality_note": "Art. 28 Wet Bibob: niet delen.",
    }
    base.update(changes)
    return TipInput(**base)  # type: ignore[arg-type]


def open_case(context: AppContext, *parties: PartyInput) -> str:
    return (
        CaseService(context)
        .open_case(
            {
                "title": "Café De Hoek",
                "area": "exploitatie_horeca",
                "application_date": "2026-10-05",
            },
            list(parties),
        )
        .reference
    )


def case_row(context: AppContext, reference: str) -> tuple[bool, list[str]]:
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        texts = [
            t.text
            for t in session.execute(
                select(TimelineEntry).where(
                    TimelineEntry.case_id == case.id, TimelineEntry.kind == "tip"
                )
            ).scalars()
        ]
        return case.tip_flag, texts


def test_add_and_list_with_audit(context: AppContext) -> None:
    service = TipService(context)
    added = service.add(tip())
    assert added.counterpart_kind == "openbaar_ministerie"  # guessed from the name
    assert added.subject_kvk == "12345678"
    listed = service.list()
    assert [t.id for t in listed] == [added.id]
    assert listed[0].to_json()["subject"] == "De Hoek B.V."
    with context.db.session() as session:
        actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
    assert "tip_toevoegen" in actions
    assert "tip_inzien" in actions


def test_filter_by_direction(context: AppContext) -> None:
    service = TipService(context)
    service.add(tip())
    service.add(tip(direction="uitgaand", counterpart="Gemeente Assen", subject_kvk=""))
    assert [t.direction for t in service.list("uitgaand")] == ["uitgaand"]
    assert service.count("inkomend") == 1
    assert service.list("uitgaand")[0].counterpart_kind == "bestuursorgaan"


def test_validation_reports_every_error(context: AppContext) -> None:
    with pytest.raises(ValidationError) as info:
        TipService(context).add(
            tip(direction="zijwaarts", subject_kvk="1234", received_on="2026-13-01")
        )
    message = str(info.value)
    assert "richting" in message and "KvK" in message and "datum" in message


def test_beheerder_is_refused(context: AppContext) -> None:
    make_user(context.db, "bea", "beheerder")
    service = TipService(AppContext(context.db, "bea"))
    with pytest.raises(PermissionDenied, match="medewerker"):
        service.list()
    with pytest.raises(PermissionDenied):
        service.add(tip())


def test_medewerker_reads_own_tips_not_those_of_others(context: AppContext) -> None:
    make_user(context.db, "mo", "medewerker")
    TipService(context).add(tip())  # the team lead's own, unlinked
    mo = TipService(AppContext(context.db, "mo"))
    assert mo.list() == [] and mo.count() == 0
    own = mo.add(tip(subject_name="Ander B.V.", subject_kvk="87654321"))
    assert [t.id for t in mo.list()] == [own.id]
    assert len(TipService(context).list()) == 2


def test_new_case_matches_existing_tip_by_kvk(context: AppContext) -> None:
    added = TipService(context).add(tip())
    ref = open_case(context, PartyInput(name="Hoek Horeca", kvk_number="12345678"))
    flagged, texts = case_row(context, ref)
    assert flagged
    assert len(texts) == 1 and f"tip nr. {added.id}" in texts[0]
    assert "witwassen" not in texts[0]  # no tip contents on the timeline
    assert TipService(context).get(added.id).case_reference == ref


def test_name_and_birth_date_match(context: AppContext) -> None:
    TipService(context).add(
        tip(subject_name="  jan  JANSEN ", subject_kvk="", subject_birth_date="1970-05-04")
    )
    other = open_case(
        context,
        PartyInput(name="Jan Jansen", kind="natuurlijk_persoon", birth_date="1971-05-04"),
    )
    assert case_row(context, other)[0] is False  # same name, other birth date
    ref = open_case(
        context,
        PartyInput(name="Jan Jansen", kind="natuurlijk_persoon", birth_date="1970-05-04"),
    )
    assert case_row(context, ref)[0] is True


def test_party_added_later_matches(context: AppContext) -> None:
    TipService(context).add(tip())
    ref = open_case(context, PartyInput(name="Iemand Anders B.V.", kvk_number="87654321"))
    assert case_row(context, ref)[0] is False
    CaseService(context).add_party(
        ref, PartyInput(name="De Hoek B.V.", role="aandeelhouder", kvk_number="12345678")
    )
    flagged, texts = case_row(context, ref)
    assert flagged and len(texts) == 1
    # editing the case again does not repeat the timeline entry
    CaseService(context).add_party(
        ref, PartyInput(name="Financier X", role="financier", kvk_number="11112222")
    )
    assert len(case_row(context, ref)[1]) == 1


def test_new_tip_matches_existing_cases(context: AppContext) -> None:
    first = open_case(context, PartyInput(name="De Hoek B.V.", kvk_number="12345678"))
    second = open_case(context, PartyInput(name="De Hoek B.V.", kvk_number="12345678"))
    added = TipService(context).add(tip())
    assert case_row(context, first)[0] and case_row(context, second)[0]
    with context.db.session() as session:
        stored = session.get(Tip, added.id)
        assert stored is not None
        linked = session.get(Case, stored.case_id)
        assert linked is not None and linked.reference == first  # linked to the first only


def test_outgoing_tip_does_not_flag(context: AppContext) -> None:
    ref = open_case(context, PartyInput(name="De Hoek B.V.", kvk_number="12345678"))
    TipService(context).add(tip(direction="uitgaand", counterpart="Gemeente Assen"))
    assert case_row(context, ref)[0] is False


def test_edit_and_explicit_case_link(context: AppContext) -> None:
    ref = open_case(context, PartyInput(name="Iets B.V.", kvk_number="99998888"))
    service = TipService(context)
    added = service.add(tip(subject_kvk="", subject_name="Onbekend"))
    edited = service.edit(
        added.id,
        tip(subject_kvk="", subject_name="Onbekend", case_reference=ref, follow_up="LBB gevraagd"),
    )
    assert edited.case_reference == ref and edited.follow_up == "LBB gevraagd"
    assert case_row(context, ref)[0] is True
    with pytest.raises(NotFoundError):
        service.edit(added.id, tip(case_reference="BIB-2026-9999"))
    with pytest.raises(NotFoundError):
        service.get(424242)


def test_future_date_refused(context: AppContext) -> None:
    later = date.today().replace(year=date.today().year + 1).isoformat()
    with pytest.raises(ValidationError, match="toekomst"):
        TipService(context).add(tip(received_on=later))


text = st.text(max_size=30)


@given(text, text, text, text, text, text, text)
def test_validate_tip_only_ever_raises_dutch_validation_errors(
    direction: str, received: str, counterpart: str, subject: str, kvk: str, birth: str, ref: str
) -> None:
    data = TipInput(
        direction=direction,
        received_on=received,
        counterpart=counterpart,
        subject_name=subject,
        subject_kvk=kvk,
        subject_birth_date=birth,
        case_reference=ref,
    )
    try:
        valid = validate_tip(data, today=date(2026, 11, 25))
    except ValidationError as exc:
        assert str(exc)
        return
    assert valid.subject_name and valid.counterpart
    assert valid.subject_kvk is None or len(valid.subject_kvk) == 8
