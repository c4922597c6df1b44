"""users may hold several roles; the audit log's chain head

Revision ID: 0002_security
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_security"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # "teamleider,beheerder,medewerker" does not fit in 20 characters.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "role", existing_type=sa.String(length=20), type_=sa.String(length=100)
        )
    # The last entry's id and hash, updated in the same transaction as every append, so that
    # deleting the newest audit rows is detected too (a chain alone cannot show that).
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar_one()
    last = bind.execute(sa.text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")).first()
    bind.execute(
        sa.text(
            "INSERT INTO audit_head (id, entry_count, last_id, last_hash) "
            "VALUES (1, :count, :last_id, :last_hash)"
        ),
        {
            "count": count,
            "last_id": last[0] if last else 0,
            "last_hash": last[1] if last else "0" * 64,
        },
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column(
            "role", existing_type=sa.String(length=100), type_=sa.String(length=20)
        )
