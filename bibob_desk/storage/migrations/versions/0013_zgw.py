"""cases.zaak_url and document_exports.target: the direct upload to the zaaksysteem (ZGW)

Revision ID: 0013_zgw
Revises: 0009_import

``cases.zaak_url`` is the URL of the case's ZAAK in the organisation's Zaken API (empty: none);
an uploaded letter is linked to it with a ZAAKINFORMATIEOBJECT. ``document_exports.target`` says
where a letter went: ``map`` (the export folder; ``path`` is the PDF's path) or ``zgw`` (the
Documenten API; ``path`` is the URL the API returned). Both tables keep their row-level security.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_zgw"
down_revision: str | None = "0009_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("zaak_url", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("document_exports") as batch:
        batch.add_column(
            sa.Column("target", sa.String(length=10), nullable=False, server_default="map")
        )


def downgrade() -> None:
    with op.batch_alter_table("document_exports") as batch:
        batch.drop_column("target")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("zaak_url")
