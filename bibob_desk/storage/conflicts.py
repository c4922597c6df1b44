"""Two writers at once: what the loser hears, and counters that never hand out a number twice.

* An optimistic-lock failure (``StaleDataError``: someone saved the case or letter since it
  was read) becomes a ``ConflictError`` whose Dutch message names the case and the last change
  (who, what). ``Database.session`` does this for every unit of work, so no service or window
  ever shows the raw driver error.
* ``allocate_sequence`` hands out the next number of a year's reference counter with one atomic
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on both SQLite and PostgreSQL: two
  registrations can no longer both read the same ``last_sequence`` or both create the row.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bibob_desk.storage.models import Case, Document, ReferenceCounter, TimelineEntry

T = TypeVar("T")


SQLITE_BUSY = 5
SQLITE_BUSY_SNAPSHOT = 517  # a reader's snapshot went stale before it could write
_PG_RACES = ("40001", "40P01")  # serialization failure, deadlock detected


def is_lost_race(exc: BaseException) -> bool:
    """A race that a second try of the whole unit of work wins (not a lock held for long).

    SQLite: the transaction read, another process committed, and the upgrade to a write lock
    fails at once (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not wait for). PostgreSQL:
    a deadlock or serialization failure. A plain busy time-out is not one: it goes to the
    user as "bezet".
    """
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT:
        return True
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code in _PG_RACES


def retry_lost_races(action: Callable[[], T], attempts: int = 10, busy_attempts: int = 3) -> T:
    """Run a whole unit of work again (with a short random pause) when it lost a race.

    A busy time-out (SQLite's lock waiter starved by many writers) is tried ``busy_attempts``
    times in all; then it goes to the user as "bezet".
    """
    busy = 0
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except DBAPIError as exc:
            if is_lost_race(exc):
                pass
            elif getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY:
                busy += 1
                if busy >= busy_attempts:
                    raise
            else:
                raise
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def allocate_sequence(session: Session, year: int) -> int:
    """The next sequence number of ``year``, atomically (the counter row is created if new)."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    table = ReferenceCounter.__table__
    statement = (
        module.insert(table)
        .values(year=year, last_sequence=1)
        .on_conflict_do_update(
            index_elements=[table.c.year],
            set_={"last_sequence": table.c.last_sequence + 1},
        )
        .returning(table.c.last_sequence)
    )
    value = session.execute(statement).scalar_one()
    counter = session.get(ReferenceCounter, year)  # keep the identity map in step
    if counter is not None:
        session.refresh(counter)
    return int(value)


def stale_case_ids(session: Session) -> list[int]:
    """The cases the failed unit of work had loaded, read from the identity map's keys.

    After a failed flush the objects are expired (their attributes are gone), but their
    identity keys remain: a case by its id, a letter by its id (its case looked up later).
    """
    case_ids: list[int] = []
    document_ids: list[int] = []
    for key in list(session.identity_map.keys()):
        model, identity = key[0], key[1]
        if not identity or not isinstance(identity[0], int):
            continue
        if model is Case and identity[0] not in case_ids:
            case_ids.append(identity[0])
        elif model is Document:
            document_ids.append(identity[0])
    return [-d for d in document_ids] + case_ids  # letters first: the more specific


def describe_conflict(factory: sessionmaker[Session], case_ids: list[int]) -> str:
    """The Dutch conflict message: which case, who changed it last and what."""
    with factory() as session:
        for key in case_ids:
            case_id = key
            if key < 0:  # a letter: its case
                document = session.get(Document, -key)
                if document is None:
                    continue
                case_id = document.case_id
            case = session.get(Case, case_id)
            if case is None:
                continue
            last = session.execute(
                select(TimelineEntry)
                .where(TimelineEntry.case_id == case_id)
                .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            what = f" Laatste wijziging door {last.user}: {last.text}" if last else ""
            return (
                f"Zaak {case.reference} is intussen door iemand anders gewijzigd (versie "
                f"{case.version}).{what} Uw wijzigingen zijn niet opgeslagen; open de zaak "
                "opnieuw en voer ze nogmaals in."
            )
    return (
        "Iemand anders heeft deze gegevens intussen gewijzigd. Uw wijzigingen zijn niet "
        "opgeslagen; open ze opnieuw en voer ze nogmaals in."
    )
