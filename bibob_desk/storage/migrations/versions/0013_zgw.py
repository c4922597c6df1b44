"""cases.zaak_url and document_exports.target: the direct upload to the zaaksysteem (ZGW)

Revision ID: 0013_zgw
Revises: 0011_relations

``cases.zaak_url`` is the URL of the case's ZAAK in the organisation's Zaken API (empty: none);
an uploaded letter is linked to it with a ZAAKINFORMATIEOBJECT. ``document_exports.target`` says
where a letter went: ``map`` (the export folder; ``path`` is the PDF's path) or ``zgw`` (the
Documenten API; ``path`` is the URL the API returned). Both tables keep their row-level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_zgw"
down_revision: str | None = "0011_relations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, no batch mode: recreating "cases" on SQLite would break the search
    # index triggers that refer to it (SQLite has DROP COLUMN since 3.35).
    op.add_column(
        "cases", sa.Column("zaak_url", sa.String(length=200), nullable=False, server_default="")
    )
    op.add_column(
        "document_exports",
        sa.Column("target", sa.String(length=10), nullable=False, server_default="map"),
    )


def downgrade() -> None:
    op.drop_column("document_exports", "target")
    op.drop_column("cases", "zaak_url")
