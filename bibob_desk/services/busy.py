"""A locked database is a message and a retry, never a crash.

SQLite waits ``busy_timeout`` (storage/database.py) for another writer; when that runs out, or a
PostgreSQL lock wait / serialization failure occurs, the driver error becomes a
``DatabaseBusyError`` with a Dutch message that the CLI prints and the GUI shows with
"Opnieuw proberen".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from bibob_desk.domain.errors import BibobError

T = TypeVar("T")

BUSY_MESSAGE = (
    "De database is bezet: iemand anders slaat op dit moment gegevens op. Er is niets "
    "verloren gegaan; probeer het zo opnieuw."
)


class DatabaseBusyError(BibobError):
    """The database stayed locked by another user or program for too long."""

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        super().__init__(message)


def is_busy_error(exc: BaseException) -> bool:
    """Lock time-outs (SQLite), lock waits and serialization failures (PostgreSQL)."""
    if not isinstance(exc, DBAPIError):
        return False
    text = str(exc.orig).lower()
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    return isinstance(exc, OperationalError) and ("locked" in text or "busy" in text)


def run_with_retry(
    action: Callable[[], T],
    attempts: int = 3,
    pause_seconds: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run a write transaction; retry when the database is busy, then raise DatabaseBusyError.

    ``action`` must be a whole unit of work (it opens and commits its own session), so a retry
    never repeats half a change.
    """
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except DBAPIError as exc:
            if not is_busy_error(exc):
                raise
            if attempt == attempts:
                raise DatabaseBusyError() from exc
            sleep(pause_seconds * attempt)
    raise AssertionError("unreachable")
