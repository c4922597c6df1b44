"""audit log appended by the server on PostgreSQL; no client may change or remove an entry

Revision ID: 0010_audit
Revises: 0012_pg_speed

On PostgreSQL entries are appended only through ``bibob_audit_append`` (SECURITY DEFINER,
storage/pg_audit.py), which takes the user from session_user, the time from the server clock
and computes the chain hash itself. The groups lose INSERT/UPDATE on the log and its head.
Every database also gets its own id (``database_info.audit_database_id``), written into its
audit anchors, so anchors of two databases in one folder are told apart.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bibob_desk.storage import pg_audit

revision: str = "0010_audit"
down_revision: str | None = "0012_pg_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    exists = bind.execute(
        sa.text("SELECT 1 FROM database_info WHERE key = 'audit_database_id'")
    ).first()
    if exists is None:
        bind.execute(
            sa.text("INSERT INTO database_info (key, value) VALUES ('audit_database_id', :v)"),
            {"v": uuid.uuid4().hex},
        )
    # Cases registered before this version may lack their registration entry (demo data and
    # raw test fixtures wrote none): the history check starts after the last of them, so an
    # older database and its back-ups stay verifiable and restorable. Later cases are checked.
    legacy = bind.execute(
        sa.text(
            "SELECT max(c.id) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit_log a "
            "WHERE a.case_reference = c.reference AND a.action IN ('registreren', 'importeren'))"
        )
    ).scalar()
    bind.execute(sa.text("DELETE FROM database_info WHERE key = 'audit_history_from_case'"))
    bind.execute(
        sa.text("INSERT INTO database_info (key, value) VALUES ('audit_history_from_case', :v)"),
        {"v": str(legacy or 0)},
    )
    pg_audit.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    pg_audit.uninstall(bind)
    bind.execute(sa.text("DELETE FROM database_info WHERE key = 'audit_database_id'"))
    bind.execute(sa.text("DELETE FROM database_info WHERE key = 'audit_history_from_case'"))
