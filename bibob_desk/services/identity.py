"""Who the user is. Decided here, at the entry points (command line, GUI), never by a service:
the services take the user they are given in ``AppContext``.

- SQLite (one workstation): the operating-system login.
- PostgreSQL (a team): the server's ``session_user``. Each person connects with their own role
  (password through ``.pgpass``, a service file or ``PGPASSWORD``, or GSSAPI/Kerberos); the role
  name is the Bibob Desk user name, and Bibob Desk stores no password.
- ``--user`` and ``BIBOB_DESK_USER`` name another user only on a training database
  (*oefendatabase*), which ``bibob-desk demo`` marks in the database itself (``database_info``);
  elsewhere they are refused. On PostgreSQL the server still applies the rights of the role
  that is connected, whatever name the override gives.
"""

from __future__ import annotations

import getpass
import os

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import Case, DatabaseInfo

USER_ENV_VAR = "BIBOB_DESK_USER"
TRAINING_KEY = "oefendatabase"
TRAINING_LABEL = "Oefendatabase"


def os_login() -> str:
    """The workstation login (never an environment override)."""
    try:
        return getpass.getuser()
    except OSError:  # no login name (some containers)
        return "onbekend"


def is_postgresql(db: Database) -> bool:
    return db.engine.dialect.name == "postgresql"


def database_login(db: Database) -> str:
    """The user as the database knows them: PostgreSQL's session_user, else the OS login."""
    if not is_postgresql(db):
        return os_login()
    with db.engine.connect() as connection:
        return str(connection.execute(text("SELECT session_user")).scalar_one())


def is_training_in(session: Session) -> bool:
    return session.get(DatabaseInfo, TRAINING_KEY) is not None


def is_training(db: Database) -> bool:
    with db.session() as session:
        return is_training_in(session)


def mark_training(session: Session) -> None:
    """Called by ``bibob-desk demo`` only: from now on this database holds practice data."""
    if not is_training_in(session):
        session.add(DatabaseInfo(key=TRAINING_KEY, value="demo"))


def require_demo_allowed(session: Session) -> None:
    """``demo`` fills an empty database or a training database, never one with real cases."""
    if is_training_in(session):
        return
    if session.execute(select(func.count()).select_from(Case)).scalar_one():
        raise ValidationError(
            "Deze database bevat echte zaken; demogegevens komen alleen in een lege database of "
            "een oefendatabase. Kies met --db een ander bestand.",
            "demo",
        )


def resolve_user(db: Database, option: str | None = None) -> str:
    """The Bibob Desk user for this start; ``option`` is ``--user`` (it beats the environment).

    Raises PermissionDenied (exit 1) for an override outside a training database.
    """
    login = database_login(db)
    env = os.environ.get(USER_ENV_VAR, "").strip()
    requested, source = (option.strip(), "--user") if option and option.strip() else (env, "")
    if not source and requested:
        source = USER_ENV_VAR
    if not requested or requested == login:
        return login
    if is_training(db):
        return requested
    who = (
        "de databaserol waarmee u bent verbonden"
        if is_postgresql(db)
        else "de aanmeldnaam van deze werkplek"
    )
    _log_refused_claim(db, login, requested, source)
    raise PermissionDenied(
        f"{source} mag alleen op een oefendatabase (gemaakt met 'bibob-desk demo'). Hier bent u "
        f"'{login}': {who}."
    )


def _log_refused_claim(db: Database, login: str, requested: str, source: str) -> None:
    """A refused attempt to work as someone else is itself an audit entry (as the real login)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bibob_desk.services import audit

    try:
        with db.session() as session:
            audit.record(
                session,
                login,
                audit.REFUSED,
                None,
                {"handeling": "werken_als", "gevraagd": requested[:100], "via": source},
            )
    except SQLAlchemyError:
        pass  # the refusal itself must still reach the user
