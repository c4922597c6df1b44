"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bibob_desk.storage.database import Database
from bibob_desk.storage.models import Base

# Search-index tables and their shadow tables are made by raw SQL in a migration, not by models.
_NOT_MODELLED_PREFIXES = ("case_search", "sqlite_")


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(_NOT_MODELLED_PREFIXES)
    return True


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": _include_name, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)
    # Index differences from expression/trigram indexes made in raw SQL are not model drift.
    relevant = [d for d in differences if not (isinstance(d, tuple) and d[0] == "remove_index")]
    assert relevant == []
