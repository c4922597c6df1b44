"""faults: the PostgreSQL search rows kept by triggers are upserted, not deleted and re-inserted

Revision ID: 0006_faults
Revises: 0013_zgw

Two transactions refreshing the same case's search row (e.g. a party added while the case is
saved) both deleted it and both inserted it: the second failed with a UniqueViolation on
``case_search_pkey``. The refresh now inserts ``ON CONFLICT (case_id) DO UPDATE``; only rows
of destroyed or deleted cases are deleted. SQLite is unchanged: its triggers run under the one
write lock. No new tables.
"""

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_faults"
down_revision: str | None = "0013_zgw"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIGNATURE = "bibob_case_search_refresh(integer[])"


def _pg_doc() -> str:
    search = importlib.import_module("bibob_desk.storage.migrations.versions.0003_case_search")
    return str(search.PG_DOC)


def _replace(body: str) -> None:
    """CREATE OR REPLACE resets SECURITY DEFINER and SET search_path: keep what was there."""
    bind = op.get_bind()
    secdef, config = bind.execute(
        sa.text(
            f"SELECT prosecdef, proconfig FROM pg_proc WHERE oid = '{_SIGNATURE}'::regprocedure"
        )
    ).one()
    op.execute(
        "CREATE OR REPLACE FUNCTION bibob_case_search_refresh(ids INTEGER[]) RETURNS void AS $$ "
        f"{body} $$ LANGUAGE sql"
    )
    if secdef:
        op.execute(f"ALTER FUNCTION {_SIGNATURE} SECURITY DEFINER")
    for setting in config or []:
        name, _, value = setting.partition("=")
        op.execute(f"ALTER FUNCTION {_SIGNATURE} SET {name} = {value}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace(
        "DELETE FROM case_search s WHERE s.case_id = ANY(ids) AND NOT EXISTS ("
        "SELECT 1 FROM cases c WHERE c.id = s.case_id AND c.destroyed_at IS NULL); "
        f"INSERT INTO case_search (case_id, doc) SELECT c.id, {_pg_doc()} FROM cases c "
        "WHERE c.id = ANY(ids) AND c.destroyed_at IS NULL "
        "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc;"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace(
        "DELETE FROM case_search WHERE case_id = ANY(ids); "
        f"INSERT INTO case_search (case_id, doc) SELECT c.id, {_pg_doc()} FROM cases c "
        "WHERE c.id = ANY(ids) AND c.destroyed_at IS NULL;"
    )
