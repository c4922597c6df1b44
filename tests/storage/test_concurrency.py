"""Two app instances on one database: optimistic locking, lock waits, one audit chain."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from bibob_desk.domain.errors import ConflictError
from bibob_desk.services.audit import record, verify_log
from bibob_desk.services.busy import DatabaseBusyError, run_with_retry
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database, open_database
from tests.conftest import make_user

BASE = {
    "title": "Vergunning speelautomatenhal Centrum",
    "area": "speelautomatenhal",
    "application_date": "2026-08-03",
    "city": "Assen",
}


@pytest.fixture
def two_instances(db: Database) -> Iterator[tuple[AppContext, AppContext]]:
    """Two independent engines (two workstations / two clients) on the same database."""
    make_user(db, "anna", "teamleider")
    make_user(db, "bram", "teamleider")
    other = open_database(db.url)
    yield AppContext(db, "anna"), AppContext(other, "bram")
    other.dispose()


def test_second_save_is_refused_and_shows_what_changed(
    two_instances: tuple[AppContext, AppContext],
) -> None:
    anna, bram = two_instances
    created = CaseService(anna).open_case(BASE)
    seen_by_anna = CaseService(anna).get(created.reference)
    seen_by_bram = CaseService(bram).get(created.reference)
    CaseService(anna).update_case(
        created.reference, {**seen_by_anna.editable_fields(), "city": "Emmen"}, seen_by_anna.version
    )
    with pytest.raises(ConflictError) as refused:
        CaseService(bram).update_case(
            created.reference,
            {**seen_by_bram.editable_fields(), "title": "Bram zijn titel"},
            seen_by_bram.version,
        )
    message = str(refused.value)
    assert "anna" in message and "Emmen" in message and "niet opgeslagen" in message
    final = CaseService(bram).get(created.reference)
    assert final.city == "Emmen"  # Anna's save survived
    assert final.title == BASE["title"]  # Bram's was not half-applied
    # after reloading, Bram can save on top of Anna's change: no lost update
    CaseService(bram).update_case(
        created.reference, {**final.editable_fields(), "title": "Bram zijn titel"}, final.version
    )
    both = CaseService(anna).get(created.reference)
    assert (both.city, both.title) == ("Emmen", "Bram zijn titel")


def test_parallel_writers_keep_one_unbroken_audit_chain(
    two_instances: tuple[AppContext, AppContext],
) -> None:
    errors: list[BaseException] = []

    def write(context: AppContext, who: str) -> None:
        try:
            for i in range(15):
                with context.db.session() as session:
                    record(session, who, "bekijken", None, {"i": i})
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(ctx, f"{ctx.user}{n}"))
        for n in range(2)
        for ctx in two_instances
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    result = verify_log(two_instances[0])
    assert result.ok and result.entries == 60


def _short_timeout_db(path: Path) -> Database:
    """Like open_database, but giving up on a lock after 0.1 s instead of 10 s."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1})
    return Database(f"sqlite:///{path}", engine, sessionmaker(engine, expire_on_commit=False))


def test_locked_database_gives_a_dutch_message_and_a_retry_works(tmp_path: Path) -> None:
    path = tmp_path / "bezet.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    impatient = _short_timeout_db(path)
    make_user(impatient, "anna", "teamleider")
    context = AppContext(impatient, "anna")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    pauses: list[float] = []
    try:
        with pytest.raises(DatabaseBusyError, match="bezet") as busy:
            run_with_retry(
                lambda: CaseService(context).open_case(BASE), attempts=3, sleep=pauses.append
            )
        assert "probeer het zo opnieuw" in str(busy.value)
        assert len(pauses) == 2
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    made = run_with_retry(lambda: CaseService(context).open_case(BASE), sleep=pauses.append)
    assert made.reference == "BIB-2026-0001"  # the refused attempts used no number
    impatient.dispose()


def test_retry_succeeds_once_the_lock_is_released(tmp_path: Path) -> None:
    path = tmp_path / "bezet.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    impatient = _short_timeout_db(path)
    make_user(impatient, "anna", "teamleider")
    context = AppContext(impatient, "anna")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")

    def release(_: float) -> None:
        blocker.execute("ROLLBACK")

    made = run_with_retry(lambda: CaseService(context).open_case(BASE), sleep=release)
    blocker.close()
    assert made.reference == "BIB-2026-0001"
    impatient.dispose()
