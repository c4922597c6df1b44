"""Damaging one page in the middle of the ``cases`` table of an SQLite file."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def damage_cases_page(path: Path) -> int:
    """Overwrite a leaf page of the cases table in the middle of it; returns its number."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'cases' AND pagetype = 'leaf' "
                "ORDER BY pageno"
            )
        ]
    page = pages[len(pages) // 2]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xa5" * size)
    return page
