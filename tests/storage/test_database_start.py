"""Opening an up-to-date database is cheap: no Alembic import, the head read from the files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bibob_desk.storage.database import (
    DatabaseError,
    head_revision,
    migration_head_from_files,
    open_database,
)


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert migration_head_from_files() == head_revision()


def test_an_up_to_date_sqlite_file_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "bibob.sqlite"
    open_database(str(path)).dispose()  # created and migrated: this one needs Alembic
    code = (
        "import sys\n"
        "from bibob_desk.storage.database import open_database\n"
        f"database = open_database({str(path)!r})\n"
        "database.dispose()\n"
        "print('alembic' in sys.modules, database.backup_made)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "None"]


def test_an_unknown_revision_still_goes_through_alembic(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "bibob.sqlite"
    open_database(str(path)).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'onbekend'")
    # An unknown revision is not taken for the head: the careful path refuses it.
    with pytest.raises(DatabaseError, match="nieuwere versie"):
        open_database(str(path))
