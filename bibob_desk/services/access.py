"""Who the current user is and what they may do (checked here, not in the GUI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.domain.roles import ROLE_LABELS, Role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import User


def find_user(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def current_role(context: AppContext) -> Role:
    """The role of the logged-in user; unknown or inactive users are refused."""
    with context.db.session() as session:
        user = find_user(session, context.user)
        if user is None or not user.active:
            raise PermissionDenied(
                f"Gebruiker '{context.user}' is niet bekend in Bibob Desk. Vraag de beheerder "
                "om u toe te voegen."
            )
        return Role(user.role)


def require_role(context: AppContext, *allowed: Role) -> Role:
    role = current_role(context)
    if role not in allowed:
        names = " of ".join(ROLE_LABELS[r].lower() for r in allowed)
        raise PermissionDenied(f"Alleen een {names} mag dit doen.")
    return role
