"""What the current user may do and see: the access rules, in one place (not in the GUI).

Who the user *is* is decided by ``services/identity.py`` at the entry points. A user holds one
or more roles (stored comma separated in ``users.role``). The first person to open an empty
SQLite database becomes its user with every role, so that a one-person setup works without
configuration; on PostgreSQL the schema owner becomes the first *beheerder*, who adds the team.
From then on unknown or deactivated logins are refused.

Need-to-know (Wet Bibob art. 28, AVG art. 10): a teamleider sees every case; anyone else the
cases they handle and the cases shared with them (``visibility_condition``). Tips follow their
case (``tip_visibility_condition``). A case or tip that does not exist and one the user may not
see get the same answer (``not_available``), so no answer tells whether someone else's case
exists. On PostgreSQL the server enforces the same rules (storage/pg_security.py); a later
table holding case data reuses ``visibility_condition`` here and ``protect_case_table`` there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.roles import ROLE_LABELS, ROLES_SEEING_ALL_CASES, Role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Case, CaseShare, Tip, User

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


def _bootstrap_roles(session: Session) -> frozenset[Role]:
    """SQLite: every role. PostgreSQL: only the schema owner may bootstrap, as beheerder (it
    reads everything at database level anyway; officers get their own roles)."""
    if session.get_bind().dialect.name != "postgresql":
        return frozenset(BOOTSTRAP_ROLES)
    from bibob_desk.storage.pg_security import owns_schema

    if not owns_schema(session.connection()):
        raise PermissionDenied(
            "Deze database heeft nog geen gebruikers. De eigenaar van de database (de DBA) "
            "voegt eerst een beheerder toe; zie README, 'De server inrichten'."
        )
    return frozenset({Role.BEHEERDER})


def authenticate(context: AppContext) -> Viewer:
    """Check the login at start (CLI and GUI); an empty users table registers this user.

    Returns the viewer; raises PermissionDenied (Dutch) for unknown or deactivated users.
    """
    from bibob_desk.services import audit
    from bibob_desk.services.policies import ensure_seeded

    with context.db.session() as session:
        if session.execute(select(func.count()).select_from(User)).scalar_one() > 0:
            return viewer_in_session(session, context.user)
        roles = _bootstrap_roles(session)
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
                    "rollen": format_stored_roles(roles),
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
                    role=format_stored_roles(roles),
                    active=True,
                )
            )
            # The shipped policy is copied in now, by a role that may write it (on PostgreSQL
            # officers may not add policy versions).
            ensure_seeded(session)
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


def visibility_condition(viewer: Viewer, case: Any = Case) -> Any:
    """SQL condition on ``Case`` (or an alias of it): the cases this viewer may see.

    Team leads see all cases; anyone else the cases they handle (``Case.officer``) and the
    cases shared with them (``case_shares``). Used by CaseService and the overview queries.
    """
    if viewer.sees_all_cases:
        return true()
    if not viewer.username:
        return false()
    shared = exists().where(CaseShare.case_id == case.id, CaseShare.username == viewer.username)
    return or_(case.officer == viewer.username, shared)


def case_visibility(context: AppContext) -> Any:
    """``visibility_condition`` for the logged-in user (one extra query for the roles)."""
    return visibility_condition(current_viewer(context))


def tip_visibility_condition(viewer: Viewer) -> Any:
    """SQL condition on ``Tip``: team leads see every tip; a medewerker the tips linked to a
    case they may see, and the tips they registered themselves while those are unlinked.
    The same rule as the ``tips`` policies on PostgreSQL (storage/pg_security.py)."""
    if viewer.sees_all_cases:
        return true()
    if not viewer.username:
        return false()
    linked = aliased(Case)  # the query around may join Case itself
    visible_case = exists().where(linked.id == Tip.case_id, visibility_condition(viewer, linked))
    own_unlinked = and_(Tip.case_id.is_(None), Tip.created_by == viewer.username)
    return or_(visible_case, own_unlinked)


def not_available(what: str) -> NotFoundError:
    """One answer for "does not exist" and "not yours": no reply tells another officer's case
    (or tip) apart from one that was never registered."""
    return NotFoundError(f"{what} bestaat niet of u heeft er geen toegang toe.")


def case_not_available(reference: str) -> NotFoundError:
    return not_available(f"Zaak {reference}")


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
    """Refuse a case the viewer may not see, with the same answer as for a missing case."""
    if not may_see_case(session, viewer, case):
        raise case_not_available(case.reference)


def visible_case_by_reference(session: Session, viewer: Viewer, reference: str) -> Case:
    """The (not destroyed) case with this reference, if the viewer may see it; otherwise the
    one answer for missing and hidden cases."""
    case = session.execute(
        select(Case).where(Case.reference == reference, Case.destroyed_at.is_(None))
    ).scalar_one_or_none()
    if case is None or not may_see_case(session, viewer, case):
        raise case_not_available(reference)
    return case


# --- the behandelaar -------------------------------------------------------------------------


def active_officers(session: Session) -> list[str]:
    """Who can be behandelaar: active users with the medewerker role (from the users table)."""
    users = session.execute(
        select(User.username, User.role).where(User.active.is_(True)).order_by(User.username)
    ).all()
    return [name for name, roles in users if Role.MEDEWERKER in parse_stored_roles(roles)]


def may_assign(viewer: Viewer) -> bool:
    """Medewerkers hand their own cases over; team leads assign any case."""
    return viewer.has(Role.MEDEWERKER, Role.TEAMLEIDER)


def check_officer(session: Session, name: str) -> str:
    """A behandelaar must be an active user with the medewerker role (no typo saves)."""
    wanted = name.strip()
    if wanted in active_officers(session):
        return wanted
    raise ValidationError(
        f"'{wanted[:60]}' is geen actieve medewerker Bibob en kan geen behandelaar zijn. Kies "
        "een behandelaar uit de lijst.",
        "officer",
    )
