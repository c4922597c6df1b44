"""Managing who may use Bibob Desk (administrators only) and with which roles.

On PostgreSQL a Bibob Desk user is also a database LOGIN role of the same name: adding a user
creates that role when it is missing (the connected role must be allowed to create roles) and
grants the group roles matching the user's roles; changing roles grants and revokes them;
switching a user off revokes the login. All of it happens in the same transaction as the users
table change, so the two never drift apart (storage/pg_security.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.domain.roles import ROLE_LABELS, Role, parse_role
from bibob_desk.services import audit
from bibob_desk.services.access import (
    find_user,
    format_stored_roles,
    parse_stored_roles,
    require_role,
)
from bibob_desk.services.context import AppContext
from bibob_desk.storage import pg_security
from bibob_desk.storage.models import User

# Workstation logins: letters, digits and . _ - @ \ (DOMAIN\user); no spaces or commas.
_USERNAME = re.compile(r"^[\w.@\\-]{1,100}$")


@dataclass(frozen=True)
class UserView:
    username: str
    full_name: str
    roles: tuple[Role, ...]
    active: bool

    @property
    def roles_label(self) -> str:
        return ", ".join(ROLE_LABELS[r] for r in self.roles)

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "roles": [r.value for r in self.roles],
            "active": self.active,
        }


def parse_username(text: str) -> str:
    name = text.strip()
    if not _USERNAME.match(name):
        raise ValidationError(
            f"Ongeldige gebruikersnaam '{name[:40]}': gebruik de aanmeldnaam van de werkplek "
            "(letters, cijfers en . _ - @ \\, zonder spaties).",
            "username",
        )
    return name


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    """One or more roles, given separately or comma separated."""
    roles = {parse_role(part) for value in values for part in value.split(",") if part.strip()}
    if not roles:
        raise ValidationError("Kies ten minste één rol.", "role")
    return frozenset(roles)


def _view(user: User) -> UserView:
    stored = parse_stored_roles(user.role)
    roles = tuple(r for r in (Role.MEDEWERKER, Role.TEAMLEIDER, Role.BEHEERDER) if r in stored)
    return UserView(user.username, user.full_name, roles, user.active)


class UserService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def list(self) -> list[UserView]:
        require_role(self.context, Role.BEHEERDER)
        with self.context.db.session() as session:
            users = session.execute(select(User).order_by(User.username)).scalars()
            return [_view(u) for u in users]

    def add(self, username: str, roles: Iterable[str], full_name: str = "") -> UserView:
        require_role(self.context, Role.BEHEERDER)
        name = parse_username(username)
        role_set = parse_roles(roles)
        full = full_name.strip()[:200] or name
        with self.context.db.session() as session:
            if find_user(session, name) is not None:
                raise ValidationError(f"Gebruiker '{name}' bestaat al.", "username")
            user = User(username=name, full_name=full, role=format_stored_roles(role_set))
            session.add(user)
            detail: dict[str, Any] = {"gebruiker": name, "rollen": user.role}
            if _on_postgresql(session):
                created = pg_security.provide_login(session.connection(), name, role_set)
                detail["databaserol"] = "aangemaakt" if created else "bestond al"
            audit.record(session, self.context.user, audit.USER_ADDED, None, detail)
            session.flush()
            return _view(user)

    def set_roles(self, username: str, roles: Iterable[str]) -> UserView:
        require_role(self.context, Role.BEHEERDER)
        role_set = parse_roles(roles)
        with self.context.db.session() as session:
            user = self._get(session, username)
            old = user.role
            if Role.BEHEERDER not in role_set:
                self._keep_an_administrator(session, user)
            user.role = format_stored_roles(role_set)
            if _on_postgresql(session):
                pg_security.set_group_roles(session.connection(), user.username, role_set)
            audit.record(
                session,
                self.context.user,
                audit.USER_CHANGED,
                None,
                {"gebruiker": user.username, "rollen": [old, user.role]},
            )
            return _view(user)

    def set_active(self, username: str, active: bool) -> UserView:
        require_role(self.context, Role.BEHEERDER)
        with self.context.db.session() as session:
            user = self._get(session, username)
            if not active:
                self._keep_an_administrator(session, user)
            if user.active != active:
                user.active = active
                if _on_postgresql(session):
                    pg_security.set_login(session.connection(), user.username, active)
                audit.record(
                    session,
                    self.context.user,
                    audit.USER_CHANGED,
                    None,
                    {"gebruiker": user.username, "actief": [not active, active]},
                )
            return _view(user)

    def deactivate(self, username: str) -> UserView:
        return self.set_active(username, False)

    def _get(self, session: Any, username: str) -> User:
        user = find_user(session, username.strip())
        if user is None:
            raise NotFoundError(f"Gebruiker '{username.strip()}' bestaat niet.")
        return user

    @staticmethod
    def _keep_an_administrator(session: Any, user: User) -> None:
        """Nobody could manage users any more if the last active administrator went."""
        if not user.active or Role.BEHEERDER not in parse_stored_roles(user.role):
            return
        others = [
            u
            for u in session.execute(select(User).where(User.active.is_(True))).scalars()
            if u.id != user.id and Role.BEHEERDER in parse_stored_roles(u.role)
        ]
        if not others:
            raise ValidationError(
                f"'{user.username}' is de laatste actieve beheerder; voeg eerst een andere "
                "beheerder toe.",
                "username",
            )


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


DEMO_TEAM_LEAD = "h.teamleider"


def _demo_full_name(username: str) -> str:
    """'a.dekker' -> 'A. Dekker', so letters are signed by a name, not a login."""
    initial, _, surname = username.partition(".")
    return f"{initial.upper()}. {surname.capitalize()}" if surname else username


def ensure_demo_users(context: AppContext, officers: Iterable[str], *, logins: bool = False) -> int:
    """Register the demo officers (medewerker) and a team lead if missing; returns how many.

    Called by ``bibob-desk demo`` so the generated cases have users who may open them. On
    PostgreSQL each also gets its LOGIN role (without a password) and group role.
    """
    wanted = [(name, Role.MEDEWERKER) for name in officers] + [(DEMO_TEAM_LEAD, Role.TEAMLEIDER)]
    made = 0
    with context.db.session() as session:
        for name, role in wanted:
            if find_user(session, name) is None:
                session.add(User(username=name, full_name=_demo_full_name(name), role=role.value))
                made += 1
                if logins and _on_postgresql(session):
                    pg_security.provide_login(session.connection(), name, {role})
        if made:
            audit.record(
                session,
                context.user,
                audit.USER_ADDED,
                None,
                {"demogebruikers": made},
            )
    return made
