"""PostgreSQL: the audit log is appended by the server; an officer's ``psql`` cannot touch it.

Real login roles (unique names, dropped afterwards) connect with plain SQL. The officer reads a
tip (a ``tip_inzien`` entry in their own name) and then tries every way to make that entry go
away or to write one for someone else.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bibob_desk.services.audit import entry_hash, verify_log
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipService
from bibob_desk.storage.database import Database
from tests.storage.test_pg_security import Roles


@pytest.fixture
def officer_read_a_tip(
    db: Database, roles: Roles, team: dict[str, str], files: dict[str, int]
) -> str:
    """Officer A, connected as their own role, opens the tip of their case."""
    a = roles.open(team["a"])
    context = AppContext(a, team["a"])
    tip = TipService(context).list()[0]
    TipService(context).get(tip.id)
    return team["a"]


TAMPERINGS = [
    "DELETE FROM audit_log WHERE action = 'tip_inzien' AND \"user\" = session_user",
    "UPDATE audit_log SET detail = '{}' WHERE \"user\" = session_user",
    "UPDATE audit_head SET entry_count = entry_count - 1",
    "TRUNCATE audit_log",
    "TRUNCATE audit_head",
    'INSERT INTO audit_log (at, "user", action, detail, prev_hash, hash) '
    "VALUES (now(), session_user, 'x', '{}', '', '')",
    "ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY",
    "DROP TABLE audit_log",
]


@pytest.mark.parametrize("sql", TAMPERINGS)
def test_officer_cannot_change_or_remove_entries(
    db: Database, roles: Roles, officer_read_a_tip: str, sql: str
) -> None:
    engine = roles.engine(officer_read_a_tip)
    with engine.connect() as conn:
        own = conn.execute(
            text("SELECT count(*) FROM audit_log WHERE action = 'tip_inzien'")
        ).scalar_one()
    assert own >= 1  # the list and the tip itself
    with engine.connect() as conn, pytest.raises(DBAPIError, match=r"permission denied|owner"):
        conn.execute(text(sql))
    with db.engine.connect() as conn:  # as the superuser: the entry is still there
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM audit_log WHERE action = 'tip_inzien' AND \"user\" = :u"
                ),
                {"u": officer_read_a_tip},
            ).scalar_one()
            == own
        )
    assert verify_log(AppContext(db, "dba")).ok


def test_the_server_takes_user_time_and_hash(
    db: Database, roles: Roles, officer_read_a_tip: str
) -> None:
    engine = roles.engine(officer_read_a_tip)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="namens"):
        conn.execute(text("SELECT bibob_audit_append('h.teamleider', 'bekijken', NULL, '{}')"))
    before = datetime.utcnow() - timedelta(seconds=5)
    with engine.connect() as conn:
        new_id = conn.execute(
            text("SELECT bibob_audit_append(NULL, 'bekijken', NULL, '{\"ü\": \"\\n\"}')")
        ).scalar_one()
    with db.engine.connect() as conn:
        row = conn.execute(
            text(
                'SELECT at, "user", action, case_reference, detail, prev_hash, hash '
                "FROM audit_log WHERE id = :i"
            ),
            {"i": new_id},
        ).one()
    assert row.user == officer_read_a_tip
    assert before <= row.at <= datetime.utcnow() + timedelta(seconds=5)
    # The server's hash is the one services/audit.py checks.
    assert row.hash == entry_hash(
        row.prev_hash, row.at, row.user, row.action, row.case_reference, row.detail
    )
    assert verify_log(AppContext(db, "dba")).ok
