"""Alembic environment: migrations run on the connection Bibob Desk hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bibob_desk.storage.models import Base

target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = context.config.attributes["engine"]
    with engine.begin() as new_connection:
        run_migrations(new_connection)
