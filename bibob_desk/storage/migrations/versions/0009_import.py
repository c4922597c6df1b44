"""imported_cases: where a case from the old Excel register came from (file, sheet, row, old number)

Revision ID: 0009_import
Revises: 0005_identity

The import key (the old number, else file + sheet + row) is unique, so importing the same
register twice adds nothing; the row's cells are kept as text so a re-import can tell which
cells changed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bibob_desk.storage import pg_security

revision: str = "0009_import"
down_revision: str | None = "0005_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imported_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("import_key", sa.String(length=400), nullable=False),
        sa.Column("old_reference", sa.String(length=100), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_sheet", sa.String(length=100), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("source_values", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_imported_cases_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_cases")),
        sa.UniqueConstraint("case_id", name=op.f("uq_imported_cases_case_id")),
        sa.UniqueConstraint("import_key", name=op.f("uq_imported_cases_import_key")),
    )
    op.create_index(
        op.f("ix_imported_cases_old_reference"), "imported_cases", ["old_reference"], unique=False
    )
    # The row's cells hold the register's names and addresses: case data, need-to-know.
    pg_security.protect_case_table(op.get_bind(), "imported_cases")


def downgrade() -> None:
    op.drop_index(op.f("ix_imported_cases_old_reference"), table_name="imported_cases")
    op.drop_table("imported_cases")
