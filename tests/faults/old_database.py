"""An SQLite database at an old schema revision with many cases, made fast with plain SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bibob_desk.storage.upgrade import _run_upgrade, transactional_engine

OLD_REVISION = "0002_security"


def make_old_database(path: Path, cases: int, revision: str = OLD_REVISION) -> None:
    engine = transactional_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            _run_upgrade(connection, revision)
    finally:
        engine.dispose()
    connection = sqlite3.connect(path)
    try:
        rows = [
            (
                f"BB-2026-{n:05d}",
                f"Zaak {n} exploitatie",
                "exploitatie_horeca",
                "Gemeente Testdorp",
                "behandelaar",
                "intake",
                "2026-03-01",
                "Dorpsstraat",
                str(n),
                "Testdorp",
                "",
                0,
                "",
                "",
                "2026-03-01 10:00:00",
                "2026-03-01 10:00:00",
                1,
            )
            for n in range(1, cases + 1)
        ]
        connection.executemany(
            "INSERT INTO cases (reference, title, area, organisation, officer, phase, "
            "application_date, street, house_number, city, risk_tags, tip_flag, "
            "conclusion_grounds, register_result, created_at, updated_at, version) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        connection.commit()
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def case_count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM cases").fetchone()[0])
    finally:
        connection.close()
