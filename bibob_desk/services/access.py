"""Who the current user is and what they may do (checked here, not in the GUI).

A user holds one or more roles (stored comma separated in ``users.role``). The first person to
open an empty database becomes its user with every role, so that a one-person setup works
without configuration; from then on unknown or deactivated logins are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.domain.roles import ROLE_LABELS, ROLES_SEEING_ALL_CASES, Role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Case, CaseShare, User

# The bootstrap user can do everything a one-person Bibob desk needs.
BOOTSTRAP_ROLES = (Role.TEAMLEIDER, Role.BEHEERDER, Role.MEDEWERKER)
# Order used to pick "the" role of a multi-role user (the widest first).
_ROLE_ORDER = (Role.TEAMLEIDER, Role.BEHEERDER, Role.MEDEWERKER)


def parse_stored_roles(text: str) -> frozenset[Role]:
    """``"teamleider,beheerder"`` -> the roles; unknown codes are ignored (never widen rights)."""
    roles = set()
    for part in text.split(","):
        try:
            roles.add(Role(part.strip().lower()))
        except ValueError:
            continue
    return frozenset(roles)


def format_stored_roles(roles: frozenset[Role] | set[Role] | tuple[Role, ...]) -> str:
    return ",".join(r.value for r in _ROLE_ORDER if r in roles)


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the access rules see them."""

    username: str
    roles: frozenset[Role]

    @property
    def sees_all_cases(self) -> bool:
        return bool(self.roles & ROLES_SEEING_ALL_CASES)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def _refusal(username: str) -> PermissionDenied:
    return PermissionDenied(
        f"Gebruiker '{username}' is niet bekend in Bibob Desk. Vraag de beheerder om u toe te "
        "voegen."
    )


def viewer_in_session(session: Session, username: str) -> Viewer:
    user = find_user(session, username)
    if user is None:
        raise _refusal(username)
    if not user.active:
        raise PermissionDenied(
            f"Gebruiker '{username}' is uitgeschakeld in Bibob Desk. Vraag de beheerder om u "
            "weer toegang te geven."
        )
    return Viewer(username, parse_stored_roles(user.role))


def current_viewer(context: AppContext) -> Viewer:
    with context.db.session() as session:
        return viewer_in_session(session, context.user)


def authenticate(context: AppContext) -> Viewer:
    """Check the login at start (CLI and GUI); an empty users table registers this user.

    Returns the viewer; raises PermissionDenied (Dutch) for unknown or deactivated users.
    """
    from bibob_desk.services import audit

    with context.db.session() as session:
        if session.execute(select(func.count()).select_from(User)).scalar_one() > 0:
            return viewer_in_session(session, context.user)
    try:
        with context.db.session() as session:
            # Re-checked inside the writing transaction: two first starts must not both win.
            audit.record(
                session,
                context.user,
                audit.USER_ADDED,
                None,
                {
                    "gebruiker": context.user,
                    "rollen": format_stored_roles(frozenset(BOOTSTRAP_ROLES)),
                    "reden": "eerste gebruiker van een lege database",
                },
            )
            if session.execute(select(func.count()).select_from(User)).scalar_one() > 0:
                session.rollback()
                return viewer_in_session(session, context.user)
            session.add(
                User(
                    username=context.user,
                    full_name=context.user,
                    role=format_stored_roles(frozenset(BOOTSTRAP_ROLES)),
                    active=True,
                )
            )
    except IntegrityError:
        pass  # another process registered the same login at the same moment
    return current_viewer(context)


def current_roles(context: AppContext) -> frozenset[Role]:
    """All roles of the logged-in user; unknown or inactive users are refused."""
    return current_viewer(context).roles


def current_role(context: AppContext) -> Role:
    """The widest role of the logged-in user (use ``current_roles`` to see them all)."""
    roles = current_roles(context)
    for role in _ROLE_ORDER:
        if role in roles:
            return role
    raise PermissionDenied(f"Gebruiker '{context.user}' heeft geen rol in Bibob Desk.")


def require_role(context: AppContext, *allowed: Role) -> Role:
    """Refuse unless the user holds one of ``allowed``; returns the first matching role."""
    roles = current_roles(context)
    for role in allowed:
        if role in roles:
            return role
    names = " of ".join(ROLE_LABELS[r].lower() for r in allowed)
    raise PermissionDenied(f"Alleen een {names} mag dit doen.")


def visibility_condition(viewer: Viewer) -> Any:
    """SQL condition on ``Case``: the cases this viewer may see.

    Team leads see all cases; anyone else the cases they handle (``Case.officer``) and the
    cases shared with them (``case_shares``). Used by CaseService and the overview queries.
    """
    if viewer.sees_all_cases:
        return true()
    if not viewer.username:
        return false()
    shared = exists().where(CaseShare.case_id == Case.id, CaseShare.username == viewer.username)
    return or_(Case.officer == viewer.username, shared)


def case_visibility(context: AppContext) -> Any:
    """``visibility_condition`` for the logged-in user (one extra query for the roles)."""
    return visibility_condition(current_viewer(context))


def may_see_case(session: Session, viewer: Viewer, case: Case) -> bool:
    if viewer.sees_all_cases or case.officer == viewer.username:
        return True
    return (
        session.execute(
            select(CaseShare.id).where(
                CaseShare.case_id == case.id, CaseShare.username == viewer.username
            )
        ).first()
        is not None
    )


def require_case_access(session: Session, viewer: Viewer, case: Case) -> None:
    if not may_see_case(session, viewer, case):
        raise PermissionDenied(
            f"U heeft geen toegang tot zaak {case.reference}: deze is niet aan u toegewezen of "
            "met u gedeeld."
        )
