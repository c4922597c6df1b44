"""Shared fixtures: databases on SQLite and (when BIBOB_DESK_TEST_PG is set) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never try to open a real screen in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No BIBOB_DESK_USER here: the command line takes the OS login (or, on a training database,
# --user); service tests pass their user in AppContext.
os.environ.pop("BIBOB_DESK_USER", None)

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database, open_database

PG_ENV = "BIBOB_DESK_TEST_PG"


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A migrated template database, cloned for every PostgreSQL test (fast and isolated)."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    suffix = uuid.uuid4().hex[:8]
    name = f"bibob_tmpl_{suffix}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    # Group roles are cluster-wide and other test runs share the server: a prefix of our own,
    # dropped at the end (storage/pg_security.py).
    prefix = f"bt{suffix}"
    db = open_database(
        admin_url.set(database=name).render_as_string(hide_password=False),
        pg_role_prefix=prefix,
    )
    db.dispose()
    yield name
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        for role in ("medewerker", "teamleider", "beheerder"):
            conn.execute(text(f'DROP ROLE IF EXISTS "{prefix}_{role}"'))
    engine.dispose()


def _fresh_pg_url(template: str) -> tuple[str, str]:
    admin = _pg_admin_url()
    assert admin is not None
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    name = f"bibob_t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg(name: str) -> None:
    admin = _pg_admin_url()
    assert admin is not None
    engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(autouse=True)
def _cluster_roles_left_alone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL roles are cluster-wide and other test runs share the server: an ordinary test
    that adds or changes users must not create, grant or lock login roles ('k.visser' would
    outlive it, or clash with a parallel run). Tests that use the ``roles`` fixture
    (tests/storage/test_pg_security.py) exercise them with unique names and drop them."""
    if "roles" in request.fixturenames:
        return
    from bibob_desk.storage import pg_security

    monkeypatch.setattr(pg_security, "provide_login", lambda *args, **kwargs: False)
    monkeypatch.setattr(pg_security, "set_group_roles", lambda *args, **kwargs: None)
    monkeypatch.setattr(pg_security, "set_login", lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def _user_data_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user data folder (PostgreSQL back-ups and audit anchors by default) lies in the
    test's own tmp_path, never in the home folder of whoever runs the tests."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "gebruikersmap"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend (PostgreSQL only with BIBOB_DESK_TEST_PG)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bibob.sqlite'}"
        return
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip(f"{PG_ENV} is niet gezet: PostgreSQL-tests overgeslagen")
    url, name = _fresh_pg_url(template)
    yield url
    _drop_pg(name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


def make_user(db: Database, username: str, role: str = "teamleider", full_name: str = "") -> None:
    """Register a user (access rules refuse unknown users)."""
    from bibob_desk.storage.models import User

    with db.session() as session:
        session.add(User(username=username, role=role, full_name=full_name or username))


def grant_role(context: AppContext, role: str = "beheerder") -> AppContext:
    """Give the context's user one more role (e.g. beheerder, to change settings)."""
    from sqlalchemy import select

    from bibob_desk.storage.models import User

    with context.db.session() as session:
        user = session.execute(select(User).where(User.username == context.user)).scalar_one()
        if role not in user.role.split(","):
            user.role = f"{user.role},{role}"
    return context


# 'tester' leads the team (sees every case) and handles cases too (can be behandelaar).
TESTER_ROLES = "teamleider,medewerker"


@pytest.fixture
def context(db: Database) -> AppContext:
    """Logged in as 'tester', a team lead (sees every case), unless a test says otherwise."""
    make_user(db, "tester", TESTER_ROLES, "Test Gebruiker")
    return AppContext(db=db, user="tester")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """SQLite only: for tests (GUI, documents) where the backend does not matter."""
    database = open_database(f"sqlite:///{tmp_path / 'bibob.sqlite'}")
    yield database
    database.dispose()


@pytest.fixture
def sqlite_context(sqlite_db: Database) -> AppContext:
    make_user(sqlite_db, "tester", TESTER_ROLES, "Test Gebruiker")
    return AppContext(db=sqlite_db, user="tester")


def make_training(db: Database) -> None:
    """Mark a test database as an oefendatabase: only there does the command line accept
    --user and BIBOB_DESK_USER (services/identity.py). ``bibob-desk demo`` does the same."""
    from bibob_desk.services.identity import mark_training

    with db.session() as session:
        mark_training(session)


def make_training_file(path: Path | str) -> None:
    database = open_database(f"sqlite:///{path}")
    make_training(database)
    database.dispose()


def login_name() -> str:
    """Who the command line is on SQLite without an override: the OS login."""
    from bibob_desk.services.identity import os_login

    return os_login()
