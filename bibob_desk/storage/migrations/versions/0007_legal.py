"""Letters addressed by party id, four-eyes fingerprint and editors; case_decisions

Revision ID: 0007_legal
Revises: 0006_faults

- ``documents.addressee_party_id``: the party a letter is addressed to, chosen by id (a
  kennisgeving aan derden sent to the wrong person breaches art. 28 Wet Bibob).
- ``documents.editors``: everyone who changed the text after the draft was made (comma
  separated); none of them, nor the author, may approve it (four-eyes).
- ``documents.approved_fingerprint``: SHA-256 of what was approved (text, addressee and
  address, decision, voorschriften); a letter whose fingerprint changed is no longer approved.
- ``case_decisions``: each recorded besluit with its motivation and voorschriften; a reopening
  marks the row (who, when, why) and never rewrites it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bibob_desk.storage import pg_security

revision: str = "0007_legal"
down_revision: str | None = "0006_faults"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("addressee_party_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("editors", sa.String(length=1000), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("approved_fingerprint", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_documents_addressee_party_id_parties"),
            "parties",
            ["addressee_party_id"],
            ["id"],
        )
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("voorschriften", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by", sa.String(length=100), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_decisions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_decisions")),
    )
    op.create_index(op.f("ix_case_decisions_case_id"), "case_decisions", ["case_id"], unique=False)
    # Motivation and voorschriften are Bibob information (art. 28): need-to-know.
    pg_security.protect_case_table(op.get_bind(), "case_decisions")


def downgrade() -> None:
    op.drop_index(op.f("ix_case_decisions_case_id"), table_name="case_decisions")
    op.drop_table("case_decisions")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("fk_documents_addressee_party_id_parties"), type_="foreignkey")
        batch.drop_column("approved_fingerprint")
        batch.drop_column("editors")
        batch.drop_column("addressee_party_id")
