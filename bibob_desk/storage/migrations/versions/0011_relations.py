"""party_relations: relations between parties (art. 3 lid 4 Wet Bibob), and "Bekend uit"

Revision ID: 0011_relations
Revises: 0009_import

A relation belongs to the case it was recorded in (row-level security by case_id on
PostgreSQL). Indexes on both ends, and on the dates of birth of parties and tip subjects, let
"Bekend uit" follow KvK numbers, name plus date of birth and relations by index
(bench/known_from.py). On PostgreSQL four SECURITY DEFINER lookups answer across need-to-know
with ids and a visible flag only (storage/pg_network.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bibob_desk.storage import pg_network, pg_security

revision: str = "0011_relations"
down_revision: str | None = "0009_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "party_relations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_party_id", sa.Integer(), nullable=False),
        sa.Column("to_party_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=30), nullable=False),
        sa.Column("share_band", sa.String(length=10), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_party_relations_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_party_id"],
            ["parties.id"],
            name=op.f("fk_party_relations_from_party_id_parties"),
        ),
        sa.ForeignKeyConstraint(
            ["to_party_id"],
            ["parties.id"],
            name=op.f("fk_party_relations_to_party_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_relations")),
    )
    for column in ("case_id", "from_party_id", "to_party_id"):
        op.create_index(
            op.f(f"ix_party_relations_{column}"), "party_relations", [column], unique=False
        )
    op.create_index(op.f("ix_parties_birth_date"), "parties", ["birth_date"], unique=False)
    op.create_index(
        op.f("ix_tips_subject_birth_date"), "tips", ["subject_birth_date"], unique=False
    )
    # Who is related to whom, with notes from the investigation: case data, need-to-know.
    pg_security.protect_case_table(op.get_bind(), "party_relations")
    pg_network.install(op.get_bind())


def downgrade() -> None:
    pg_network.uninstall(op.get_bind())
    op.drop_index(op.f("ix_tips_subject_birth_date"), table_name="tips")
    op.drop_index(op.f("ix_parties_birth_date"), table_name="parties")
    for column in ("case_id", "from_party_id", "to_party_id"):
        op.drop_index(op.f(f"ix_party_relations_{column}"), table_name="party_relations")
    op.drop_table("party_relations")
