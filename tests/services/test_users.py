"""User administration: only administrators, several roles, the last administrator stays."""

from __future__ import annotations

import pytest

from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.roles import Role
from bibob_desk.services.access import authenticate
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import OFFICERS, generate_demo_cases
from bibob_desk.services.users import DEMO_TEAM_LEAD, UserService
from bibob_desk.storage.database import Database
from tests.conftest import make_user


@pytest.fixture
def admin(db: Database) -> UserService:
    make_user(db, "beheer", "beheerder")
    return UserService(AppContext(db, "beheer"))


def test_administrator_adds_user_with_several_roles(admin: UserService, db: Database) -> None:
    user = admin.add("k.visser", ["medewerker,teamleider"], "Karin Visser")
    assert user.roles == (Role.MEDEWERKER, Role.TEAMLEIDER)
    assert authenticate(AppContext(db, "k.visser")).roles == {Role.MEDEWERKER, Role.TEAMLEIDER}
    assert [u.username for u in admin.list()] == ["beheer", "k.visser"]


@pytest.mark.parametrize(
    ("username", "roles"),
    [
        ("", ["medewerker"]),
        ("met spatie", ["medewerker"]),
        ("a,b", ["medewerker"]),
        ("x" * 101, ["medewerker"]),
        ("ok.naam", []),
        ("ok.naam", ["koning"]),
        ("ok.naam", [","]),
    ],
)
def test_bad_user_input_is_refused_in_dutch(
    admin: UserService, username: str, roles: list[str]
) -> None:
    with pytest.raises(ValidationError):
        admin.add(username, roles)


def test_duplicate_user_is_refused(admin: UserService) -> None:
    admin.add("p.de.vries", ["medewerker"])
    with pytest.raises(ValidationError, match="bestaat al"):
        admin.add("p.de.vries", ["teamleider"])


def test_only_administrators_manage_users(admin: UserService, db: Database) -> None:
    make_user(db, "lead", "teamleider")
    lead = UserService(AppContext(db, "lead"))
    with pytest.raises(PermissionDenied):
        lead.add("nieuw", ["medewerker"])
    with pytest.raises(PermissionDenied):
        lead.deactivate("beheer")
    with pytest.raises(PermissionDenied):
        lead.list()


def test_deactivated_user_is_refused_and_last_administrator_kept(
    admin: UserService, db: Database
) -> None:
    admin.add("weg", ["medewerker"])
    assert admin.deactivate("weg").active is False
    with pytest.raises(PermissionDenied):
        authenticate(AppContext(db, "weg"))
    with pytest.raises(ValidationError, match="laatste actieve beheerder"):
        admin.deactivate("beheer")
    with pytest.raises(ValidationError, match="laatste actieve beheerder"):
        admin.set_roles("beheer", ["medewerker"])
    with pytest.raises(NotFoundError):
        admin.deactivate("niemand")


def test_demo_creates_its_officers_and_a_team_lead(db: Database) -> None:
    context = AppContext(db, "eerste")
    authenticate(context)
    generate_demo_cases(context, 5, seed=3)
    names = {u.username for u in UserService(context).list()}
    assert set(OFFICERS) | {DEMO_TEAM_LEAD, "eerste"} == names
