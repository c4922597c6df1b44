"""All-or-nothing schema upgrades of an SQLite database.

Python's sqlite3 module (before 3.12) only opens a transaction before INSERT/UPDATE/DELETE, so
the ``CREATE``/``DROP`` statements of a migration used to be committed one by one: a process
killed during an upgrade left new tables (``case_search_fts``) beside the old
``alembic_version``, and every later start failed with "table … already exists".

Here the driver's own transaction handling is switched off and the whole upgrade, every
migration and the ``alembic_version`` update, runs inside one ``BEGIN IMMEDIATE`` … ``COMMIT``.
SQLite's DDL, FTS5 virtual tables included, is transactional: a kill at any moment leaves the
database at its old revision, and the next start simply upgrades again.

A database left half-upgraded by an older Bibob Desk is repaired in the same transaction: the
schema the stored revision should have is built in memory, and tables, views, triggers, indexes
and columns the database has beyond it (left by the interrupted upgrade) are dropped before
the migrations run again. Nothing of the old revision's data is touched.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bibob_desk.storage.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    _set_sqlite_pragmas,
    alembic_config,
)

_ALREADY = ("already exists", "duplicate column")


def transactional_engine(url: str) -> Engine:
    """An engine whose transactions are real SQLite transactions, DDL included."""
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, record: object) -> None:
        _set_sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT by the driver

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # IMMEDIATE: take the write lock first, so no other writer slips in mid-upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _run_upgrade(connection: Connection, target: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)


def upgrade_sqlite(url: str, current: str | None) -> None:
    """Upgrade to head in one transaction; repair a half-upgraded database first if needed."""
    engine = transactional_engine(url)
    try:
        try:
            with engine.begin() as connection:
                _run_upgrade(connection)
            return
        except DBAPIError as exc:
            if current is None or not any(word in str(exc.orig) for word in _ALREADY):
                raise
        with engine.begin() as connection:
            repair_half_upgrade(connection, current)
            _run_upgrade(connection)
    finally:
        engine.dispose()


def _schema(connection: Connection) -> dict[tuple[str, str], str]:
    rows = connection.execute(
        text("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    ).all()
    return {(row[0], row[1]): row[2] for row in rows}


def _columns(connection: Connection, table: str) -> list[str]:
    quoted = table.replace('"', '""')
    return [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{quoted}")')]


def expected_schema(revision: str) -> tuple[dict[tuple[str, str], str], dict[str, list[str]]]:
    """Objects and table columns a database at ``revision`` has (built in memory)."""
    engine = transactional_engine("sqlite://")
    try:
        with engine.begin() as connection:
            _run_upgrade(connection, revision)
            objects = _schema(connection)
            columns = {
                name: _columns(connection, name) for (kind, name) in objects if kind == "table"
            }
    finally:
        engine.dispose()
    return objects, columns


def repair_half_upgrade(connection: Connection, revision: str) -> list[str]:
    """Drop what an interrupted upgrade from ``revision`` left; returns what was dropped."""
    objects, columns = expected_schema(revision)
    dropped: list[str] = []
    order = {"trigger": 0, "view": 1, "index": 2, "table": 3}
    present = _schema(connection)
    extra = sorted(
        (key for key in present if key not in objects), key=lambda key: order.get(key[0], 9)
    )
    for kind, name in extra:
        if (kind, name) not in _schema(connection):
            continue  # went with its virtual table or its table
        quoted = name.replace('"', '""')
        connection.exec_driver_sql(f'DROP {kind.upper()} IF EXISTS "{quoted}"')
        dropped.append(f"{kind} {name}")
    for table, wanted in columns.items():
        if ("table", table) not in _schema(connection):
            continue
        quoted = table.replace('"', '""')
        for column in _columns(connection, table):
            if column not in wanted:
                connection.exec_driver_sql(
                    f'ALTER TABLE "{quoted}" DROP COLUMN "{column.replace(chr(34), chr(34) * 2)}"'
                )
                dropped.append(f"column {table}.{column}")
    return dropped
