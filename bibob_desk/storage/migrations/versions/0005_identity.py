"""who the user is and what each may see: database facts, PostgreSQL roles and row-level security

Revision ID: 0005_identity
Revises: 0004_overview_indexes

``database_info`` holds facts about the database itself (the training mark set by
``bibob-desk demo``, the PostgreSQL group-role prefix); no settings command writes it. On
PostgreSQL this revision creates the group roles when missing (the owner needs CREATEROLE for
that), grants each group what it needs, and switches on row-level security for every table that
holds case data; see ``bibob_desk/storage/pg_security.py``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from bibob_desk.storage import pg_security

revision: str = "0005_identity"
down_revision: str | None = "0004_overview_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "database_info",
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_database_info")),
    )
    bind = op.get_bind()
    if pg_security.is_postgresql(bind):
        prefix = context.config.attributes.get("pg_role_prefix") or pg_security.wanted_prefix()
        pg_security.install(bind, pg_security.check_prefix(prefix))


def downgrade() -> None:
    pg_security.uninstall(op.get_bind())
    op.drop_table("database_info")
