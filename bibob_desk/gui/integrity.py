"""Damage found early: a background ``PRAGMA quick_check`` after start, and one Dutch dialog.

The check reads every page of the SQLite file (about 0.3 s per 100 MB) on a pool thread, so the
window stays responsive. When it finds damage, or any query anywhere raises "malformed", the
window stops showing figures (the central widget is hidden behind a message) and one dialog
says the database is damaged and offers the newest good back-up (gui/reliability.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow
from sqlalchemy.exc import DBAPIError

from bibob_desk.domain.errors import BibobError
from bibob_desk.gui import errors
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import (
    CorruptDatabaseError,
    classify_sqlite_message,
    corrupt_message,
    quick_check,
    sqlite_path,
)

FIRST_CHECK_DELAY_MS = 1500


class _CheckSignals(QObject):
    done = Signal(object)  # the problem text, or None when the file is sound


class DamageWatch(QObject):
    """Runs the background check and shows the damage dialog at most once."""

    def __init__(
        self, context: AppContext, window: QMainWindow, delay_ms: int = FIRST_CHECK_DELAY_MS
    ):
        super().__init__(window)
        self.window = window
        self.path: Path | None = sqlite_path(context.db.url)
        self.damaged = False
        self.checked = False
        self._signals = _CheckSignals(self)
        self._signals.done.connect(self._report)
        if self.path is not None:
            QTimer.singleShot(delay_ms, self.start)

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._work)

    def run(self) -> None:
        """The same check on the calling thread (tests)."""
        self._report(self._check())

    def _check(self) -> str | None:
        assert self.path is not None
        try:
            return quick_check(self.path)
        except BibobError:  # locked or full: not damage; the next action will say so
            return None

    def _work(self) -> None:
        self._signals.done.emit(self._check())

    def _report(self, problem: str | None) -> None:
        self.checked = True
        if problem is not None:
            self.report_damage()

    def report_damage(self) -> None:
        """Hide the figures and show the one damage dialog."""
        if self.damaged or self.path is None:
            return
        self.damaged = True
        notice = QLabel(
            f"{corrupt_message(self.path)}\n\nDe gegevens worden niet getoond: ze kunnen onjuist "
            "zijn. Sluit Bibob Desk en zet de nieuwste goede back-up terug.",
            self.window,
        )
        notice.setObjectName("damageNotice")
        notice.setWordWrap(True)
        notice.setMargin(24)
        old = self.window.takeCentralWidget()
        if old is not None:
            old.hide()
            old.setParent(self.window)  # kept alive (open workers may still signal it)
        self.window.setCentralWidget(notice)
        from bibob_desk.gui.reliability import choose_backup

        exc = CorruptDatabaseError(corrupt_message(self.path), self.path)
        backup = choose_backup(self.window, exc)
        if backup is None:
            return
        from bibob_desk.services.backup import restore_backup
        from bibob_desk.services.context import workstation_user

        url = f"sqlite:///{self.path}"
        try:
            result = restore_backup(url, backup, workstation_user())
        except BibobError as error:
            errors.show_error(self.window, error, "Terugzetten mislukt")
            return
        kept = f"\nVeiligheidskopie: {result.safety_copy}" if result.safety_copy else ""
        errors.show_info(
            self.window,
            "Back-up teruggezet",
            f"{result.restored_from} is teruggezet.{kept}\nStart Bibob Desk opnieuw.",
        )
        self.window.close()


def is_damage_error(exc: BaseException) -> bool:
    if isinstance(exc, CorruptDatabaseError):
        return True
    if isinstance(exc, DBAPIError):
        return classify_sqlite_message(str(exc.orig)) == "corrupt"
    return classify_sqlite_message(str(exc)) == "corrupt" and "sqlite" in type(exc).__module__


def install_damage_watch(window: QMainWindow, context: AppContext) -> DamageWatch:
    """Start the background check and route "malformed" errors from any slot to the dialog."""
    watch = DamageWatch(context, window)
    previous: Callable[..., Any] = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, trace: Any) -> None:
        if is_damage_error(exc):
            watch.report_damage()
            return
        previous(kind, exc, trace)

    sys.excepthook = hook
    return watch
