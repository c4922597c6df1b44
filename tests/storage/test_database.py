"""Opening, creating and upgrading databases on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bibob_desk.storage.database import (
    CorruptDatabaseError,
    DatabaseError,
    current_revision,
    head_revision,
    open_database,
    resolve_database_url,
)


def test_new_database_is_migrated_to_head(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_reopening_is_idempotent(db_url: str) -> None:
    open_database(db_url).dispose()
    db = open_database(db_url)
    assert db.backup_made is None
    db.dispose()


def test_database_from_a_newer_version_is_refused(db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    with pytest.raises(DatabaseError, match="nieuwere versie"):
        open_database(db_url)


def test_upgrade_of_an_older_schema_makes_a_backup_first(tmp_path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from bibob_desk.storage.database import alembic_config, make_engine

    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head_revision())
    if previous is None or previous.down_revision is None:
        pytest.skip("only one schema revision exists: nothing older to upgrade from")
    path = tmp_path / "bibob.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, str(previous.down_revision))
    engine.dispose()
    reopened = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(reopened.engine) == head_revision()
        assert reopened.backup_made is not None and reopened.backup_made.exists()
        with sqlite3.connect(reopened.backup_made) as conn:
            (old,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert old == previous.down_revision
    finally:
        reopened.dispose()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"dit is geen database\n" * 100)
    before = path.read_bytes()
    with pytest.raises(CorruptDatabaseError, match="geen Bibob Desk-database"):
        open_database(str(path))
    assert path.read_bytes() == before


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bibob.sqlite"
    open_database(str(path)).dispose()
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xff" * 3900
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError):
        open_database(str(path))


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE klanten (id INTEGER)")
    with pytest.raises(DatabaseError, match="niet van Bibob Desk"):
        open_database(str(path))


@pytest.mark.parametrize(
    ("value", "message"),
    [("mysql://x/y", "niet ondersteund"), ("postgresql+psycopg://", None), ("::::", None)],
)
def test_database_urls_are_checked(value: str, message: str | None) -> None:
    if message:
        with pytest.raises(DatabaseError, match=message):
            resolve_database_url(value)
    else:
        resolve_database_url(value)  # syntactically fine; connection errors come later


def test_plain_postgresql_url_gets_the_psycopg_driver() -> None:
    assert resolve_database_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_bare_path_means_sqlite(tmp_path: Path) -> None:
    assert resolve_database_url(str(tmp_path / "x.sqlite")).startswith("sqlite:///")


def test_unreachable_postgres_gives_a_dutch_message() -> None:
    with pytest.raises(DatabaseError, match=r"verbinding|Databasefout"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
