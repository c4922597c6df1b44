"""Access rules in the services layer: who sees which case, bootstrap, refusals."""

from __future__ import annotations

import pytest

from bibob_desk.domain.errors import NotFoundError, PermissionDenied
from bibob_desk.domain.roles import Role
from bibob_desk.services.access import (
    authenticate,
    current_role,
    current_roles,
    parse_stored_roles,
    require_role,
)
from bibob_desk.services.cases import CaseFilter, CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import CaseShare, User
from tests.conftest import make_user

BASE = {
    "title": "Horecavergunning Café De Brink",
    "area": "omgevingsvergunning_bouw",
    "application_date": "2026-10-01",
    "bouwsom": "900000",
}


def as_user(db: Database, name: str) -> AppContext:
    return AppContext(db=db, user=name)


@pytest.fixture
def team(db: Database) -> dict[str, AppContext]:
    make_user(db, "lead", "teamleider")
    make_user(db, "officer.a", "medewerker")
    make_user(db, "officer.b", "medewerker")
    make_user(db, "admin", "beheerder")
    return {n: as_user(db, n) for n in ("lead", "officer.a", "officer.b", "admin")}


def open_cases(team: dict[str, AppContext]) -> tuple[str, str]:
    lead = CaseService(team["lead"])
    a = lead.open_case({**BASE, "officer": "officer.a"}).reference
    b = lead.open_case({**BASE, "officer": "officer.b"}).reference
    return a, b


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("medewerker", {Role.MEDEWERKER}),
        ("teamleider,beheerder", {Role.TEAMLEIDER, Role.BEHEERDER}),
        (" Beheerder , medewerker ", {Role.BEHEERDER, Role.MEDEWERKER}),
        ("onzin,teamleider", {Role.TEAMLEIDER}),
        ("", set()),
    ],
)
def test_stored_roles_are_parsed_without_widening_rights(stored: str, expected: set[Role]) -> None:
    assert parse_stored_roles(stored) == expected


def test_officer_sees_only_own_cases_team_lead_sees_all(team: dict[str, AppContext]) -> None:
    a, b = open_cases(team)
    officer_a = CaseService(team["officer.a"])
    assert [c.reference for c in officer_a.list()] == [a]
    assert officer_a.count() == 1
    assert officer_a.get(a).reference == a
    with pytest.raises(NotFoundError, match=f"{b} bestaat niet of u heeft er geen toegang toe"):
        officer_a.get(b)
    lead = CaseService(team["lead"])
    assert {c.reference for c in lead.list()} == {a, b}
    assert lead.count(CaseFilter()) == 2


def test_shared_case_becomes_visible_to_the_other_officer(
    team: dict[str, AppContext], db: Database
) -> None:
    a, b = open_cases(team)
    officer_a = CaseService(team["officer.a"])
    case_b = CaseService(team["lead"]).get(b)
    with db.session() as session:
        session.add(CaseShare(case_id=case_b.id, username="officer.a"))
    assert {c.reference for c in officer_a.list()} == {a, b}
    assert officer_a.get(b).reference == b
    assert officer_a.get_by_id(case_b.id).reference == b


def test_officer_cannot_change_a_case_that_is_not_theirs(team: dict[str, AppContext]) -> None:
    _, b = open_cases(team)
    case_b = CaseService(team["lead"]).get(b)
    officer_a = CaseService(team["officer.a"])
    fields = {**case_b.editable_fields(), "title": "Overgenomen"}
    with pytest.raises(NotFoundError):
        officer_a.update_case(b, fields, case_b.version)
    with pytest.raises(NotFoundError):
        officer_a.add_note(b, "stiekem")
    with pytest.raises(NotFoundError):
        officer_a.get_by_id(case_b.id)
    assert CaseService(team["lead"]).get(b).title == BASE["title"]


def test_administrator_alone_sees_no_case_contents(team: dict[str, AppContext]) -> None:
    open_cases(team)
    admin = CaseService(team["admin"])
    assert admin.list() == []
    assert admin.count() == 0


def test_unknown_and_deactivated_users_are_refused(
    team: dict[str, AppContext], db: Database
) -> None:
    open_cases(team)
    with pytest.raises(PermissionDenied, match="niet bekend"):
        CaseService(as_user(db, "stranger")).list()
    with db.session() as session:
        user = session.query(User).filter_by(username="officer.b").one()
        user.active = False
    with pytest.raises(PermissionDenied, match="uitgeschakeld"):
        authenticate(team["officer.b"])
    with pytest.raises(PermissionDenied):
        CaseService(team["officer.b"]).list()


def test_first_user_of_an_empty_database_gets_every_role(db: Database) -> None:
    first = as_user(db, "eenling")
    viewer = authenticate(first)
    if db.engine.dialect.name == "postgresql":
        # The schema owner starts as beheerder only: officers get roles of their own.
        assert viewer.roles == {Role.BEHEERDER}
    else:
        assert viewer.roles == {Role.MEDEWERKER, Role.TEAMLEIDER, Role.BEHEERDER}
        assert current_role(first) == Role.TEAMLEIDER
    # the second login is not bootstrapped
    with pytest.raises(PermissionDenied):
        authenticate(as_user(db, "tweede"))
    assert authenticate(first).username == "eenling"
    from bibob_desk.services.audit import list_entries

    entries = list_entries(first)
    assert [e.action for e in entries] == ["gebruiker_toevoegen"]
    assert entries[0].detail["gebruiker"] == "eenling"


def test_multi_role_users_pass_require_role_for_each_role(db: Database) -> None:
    make_user(db, "duo", "teamleider,beheerder")
    duo = as_user(db, "duo")
    assert current_roles(duo) == {Role.TEAMLEIDER, Role.BEHEERDER}
    assert require_role(duo, Role.BEHEERDER) == Role.BEHEERDER
    assert require_role(duo, Role.MEDEWERKER, Role.TEAMLEIDER) == Role.TEAMLEIDER
    make_user(db, "solo", "beheerder")
    with pytest.raises(PermissionDenied, match="medewerker bibob of teamleider"):
        require_role(as_user(db, "solo"), Role.MEDEWERKER, Role.TEAMLEIDER)


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ("medewerker", True),
        ("teamleider", True),
        ("beheerder", False),
        ("beheerder,medewerker", True),
    ],
)
def test_tip_contents_only_for_officers_and_team_leads(
    db: Database, roles: str, allowed: bool
) -> None:
    from bibob_desk.services.tips import TipService

    make_user(db, "u", roles)
    service = TipService(as_user(db, "u"))
    if allowed:
        assert service.count() == 0
        assert service.list() == []
    else:
        with pytest.raises(PermissionDenied):
            service.count()
        with pytest.raises(PermissionDenied):
            service.list()
