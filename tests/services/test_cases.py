"""Case files through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import ConflictError, NotFoundError, ValidationError
from bibob_desk.services.cases import CaseFilter, CaseService, PartyInput
from bibob_desk.services.context import AppContext
from tests.conftest import make_user

BASE = {
    "title": "Nieuwbouw kantoor De Brink",
    "area": "omgevingsvergunning_bouw",
    "organisation": "Gemeente Assen",
    "officer": "a.dekker",
    "application_date": "2026-11-02",
    "bouwsom": "€ 800.000,00",
    "street": "Brink",
    "house_number": "12",
    "postcode": "9401hk",
    "city": "Assen",
}


@pytest.fixture(autouse=True)
def _officer(context: AppContext) -> None:
    """BASE's behandelaar must be an active medewerker (a typo would hand the case to nobody)."""
    make_user(context.db, "a.dekker", "medewerker")


def test_open_case_stores_every_field_exactly(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(
        BASE, [PartyInput(name="Brink Vastgoed B.V.", kvk_number="12345678", role="aanvrager")]
    )
    assert case.reference == "BIB-2026-0001"
    again = service.get(case.reference)
    assert again.bouwsom == Decimal("800000.00")
    assert isinstance(again.bouwsom, Decimal)
    assert again.postcode == "9401 HK"
    assert again.application_date == date(2026, 11, 2)
    assert again.phase == "intake"
    assert [p.name for p in again.parties] == ["Brink Vastgoed B.V."]
    assert again.applicant is not None and again.applicant.kvk_number == "12345678"
    assert again.timeline and "geregistreerd" in again.timeline[0].text
    assert again.to_json()["bouwsom"] == "800000.00"


def test_references_are_sequential_per_year_and_never_reused(context: AppContext) -> None:
    service = CaseService(context)
    refs = [
        service.open_case({**BASE, "application_date": d}).reference
        for d in ("2026-01-05", "2026-03-01", "2025-12-31", "2026-06-01")
    ]
    assert refs == ["BIB-2026-0001", "BIB-2026-0002", "BIB-2025-0001", "BIB-2026-0003"]
    # Deleting a case (as destruction will) must not free its number.
    from sqlalchemy import delete

    from bibob_desk.storage.models import Case

    with context.db.session() as session:
        session.execute(delete(Case).where(Case.reference == "BIB-2026-0003"))
    assert service.open_case(BASE).reference == "BIB-2026-0004"


def test_invalid_input_saves_nothing_and_names_every_error(context: AppContext) -> None:
    service = CaseService(context)
    bad = {**BASE, "bouwsom": "abc", "postcode": "94O1 AB", "application_date": "2026-02-30"}
    with pytest.raises(ValidationErrors) as info:
        service.open_case(bad)
    fields = {e.field for e in info.value.errors}
    assert fields == {"bouwsom", "postcode", "application_date"}
    assert service.count() == 0


def test_invalid_party_saves_nothing(context: AppContext) -> None:
    service = CaseService(context)
    with pytest.raises(ValidationError, match="KvK"):
        service.open_case(BASE, [PartyInput(name="X B.V.", kvk_number="1234")])
    assert service.count() == 0


def test_negative_bouwsom_is_refused(context: AppContext) -> None:
    with pytest.raises(ValidationError, match="negatief"):
        CaseService(context).open_case({**BASE, "bouwsom": "-1"})


def test_bouwsom_is_required_for_a_building_permit(context: AppContext) -> None:
    with pytest.raises(ValidationError, match="bouwsom"):
        CaseService(context).open_case({**BASE, "bouwsom": ""})


def test_edit_is_saved_and_logged_on_the_timeline(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(BASE)
    edited = service.update_case(
        case.reference, {**case.editable_fields(), "bouwsom": "750.000,01"}, case.version
    )
    assert edited.bouwsom == Decimal("750000.01")
    assert edited.version == case.version + 1
    assert "bouwsom: € 800.000,00 → € 750.000,01" in edited.timeline[-1].text


def test_second_save_with_a_stale_version_is_refused(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(BASE)
    service.update_case(case.reference, {**case.editable_fields(), "title": "Eerste"}, case.version)
    with pytest.raises(ConflictError, match="intussen door iemand anders gewijzigd"):
        service.update_case(
            case.reference, {**case.editable_fields(), "title": "Tweede"}, case.version
        )
    assert service.get(case.reference).title == "Eerste"


def test_one_party_in_many_cases_only_by_a_deliberate_link(context: AppContext) -> None:
    service = CaseService(context)
    first = service.open_case(
        BASE, [PartyInput(name="Drenthe Horeca B.V.", kvk_number="87654321", street="Markt")]
    )
    second = service.open_case(
        {**BASE, "area": "alcohol", "bouwsom": ""},
        [PartyInput(name="Drenthe Horeca BV", kvk_number="87654321")],
    )
    # What the officer typed is kept; nothing of the first case is copied in.
    assert second.parties[0].party_id != first.parties[0].party_id
    assert (second.parties[0].name, second.parties[0].street) == ("Drenthe Horeca BV", "")
    candidates = service.linkable_parties(second.reference)
    assert [(c.party_id, c.case_reference) for c in candidates] == [
        (first.parties[0].party_id, first.reference)
    ]
    linked = service.link_party(second.reference, first.parties[0].party_id, "bestuurder")
    assert first.parties[0].party_id in {p.party_id for p in linked.parties}
    assert "dezelfde als in zaak " + first.reference in linked.timeline[-1].text


def test_parties_can_be_added_and_removed(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(BASE)
    case = service.add_party(
        case.reference,
        PartyInput(
            name="Piet de Vries",
            kind="natuurlijk_persoon",
            role="bestuurder",
            birth_date="1970-05-01",
        ),
    )
    assert [(p.name, p.role) for p in case.parties] == [("Piet de Vries", "bestuurder")]
    case = service.remove_party(case.reference, case.parties[0].link_id)
    assert case.parties == ()
    with pytest.raises(ValidationError):
        service.add_party(case.reference, PartyInput(name="X", role="koning"))


def test_search_by_reference_party_kvk_and_address(context: AppContext) -> None:
    service = CaseService(context)
    a = service.open_case(BASE, [PartyInput(name="Esker Bouw B.V.", kvk_number="11223344")])
    b = service.open_case(
        {
            **BASE,
            "area": "alcohol",
            "bouwsom": "",
            "street": "Markt",
            "postcode": "7811 AA",
            "city": "Emmen",
        },
        [PartyInput(name="Jan Bakker", kind="natuurlijk_persoon")],
    )

    def found(text: str) -> set[str]:
        return {c.reference for c in service.list(CaseFilter(search=text))}

    assert found(a.reference) == {a.reference}
    assert found("esker") == {a.reference}
    assert found("11223344") == {a.reference}
    assert found("bakker") == {b.reference}
    assert found("7811") == {b.reference}
    assert found("emmen") == {b.reference}
    assert found("niemand") == set()
    assert {c.reference for c in service.list(CaseFilter(areas=["alcohol"]))} == {b.reference}
    assert service.count(CaseFilter(phases=["intake"])) == 2


def test_unknown_case_is_not_found(context: AppContext) -> None:
    with pytest.raises(NotFoundError, match="bestaat niet of u heeft er geen toegang toe"):
        CaseService(context).get("BIB-2026-9999")


def test_behandelaar_must_be_an_active_medewerker(context: AppContext) -> None:
    """A typo ('x.onbekend') used to save and hand the case to nobody."""
    service = CaseService(context)
    with pytest.raises(ValidationError, match="geen actieve medewerker"):
        service.open_case({**BASE, "officer": "x.onbekend"})
    case = service.open_case(BASE)
    with pytest.raises(ValidationError, match="geen actieve medewerker"):
        service.update_case(
            case.reference, {**case.editable_fields(), "officer": "x.onbekend"}, case.version
        )
    make_user(context.db, "oud", "medewerker")
    with context.db.session() as session:
        from bibob_desk.storage.models import User

        session.query(User).filter_by(username="oud").one().active = False
    with pytest.raises(ValidationError, match="geen actieve medewerker"):
        service.assign(case.reference, "oud")
    assert service.get(case.reference).officer == "a.dekker"


def test_demo_data_is_deterministic_and_valid(context: AppContext) -> None:
    from bibob_desk.services.demo import generate_demo_cases

    generate_demo_cases(context, 50, seed=7)
    service = CaseService(context)
    cases = service.list()
    assert len(cases) == 50
    assert all(c.parties for c in cases)
    bouw = [c for c in cases if c.area == "omgevingsvergunning_bouw"]
    assert all(isinstance(c.bouwsom, Decimal) for c in bouw)
    # The reference counter continues after generated cases.
    year = max(c.application_date.year for c in cases)
    new = service.open_case({**BASE, "application_date": f"{year}-01-02"})
    assert new.reference not in {c.reference for c in cases}


def test_the_phase_cannot_be_edited_around_the_workflow(context: AppContext) -> None:
    service = CaseService(context)
    case = service.open_case(BASE)
    with pytest.raises(ValidationError, match="Procedure"):
        service.update_case(
            case.reference, {**case.editable_fields(), "phase": "besluit"}, case.version
        )
    assert service.get(case.reference).phase == case.phase


def test_sort_by_applicant_and_empty_amounts_last(context: AppContext) -> None:
    service = CaseService(context)
    service.open_case(BASE, [PartyInput(name="Zeeman Bouw B.V.")])
    service.open_case({**BASE, "area": "alcohol", "bouwsom": ""}, [PartyInput(name="Akker B.V.")])
    service.open_case({**BASE, "bouwsom": "900000"}, [PartyInput(name="Molen B.V.")])
    names = [c.applicant.name for c in service.list(order_by="applicant") if c.applicant]
    assert names == ["Akker B.V.", "Molen B.V.", "Zeeman Bouw B.V."]
    for descending in (False, True):
        amounts = [c.bouwsom for c in service.list(order_by="bouwsom", descending=descending)]
        assert amounts[-1] is None
