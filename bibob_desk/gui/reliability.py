"""GUI side of reliability: restore offer at start, "database bezet" retry, scheduled back-ups.

The decisions are made in services/backup.py and services/busy.py; this module only asks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from bibob_desk.domain.errors import BibobError
from bibob_desk.gui import errors
from bibob_desk.services.audit_anchor import anchor_if_due
from bibob_desk.services.backup import (
    automatic_backups,
    backup_if_due,
    restore_backup,
    users_of_damaged_database,
)
from bibob_desk.services.busy import BUSY_MESSAGE, DatabaseBusyError, is_busy_error
from bibob_desk.services.context import AppContext, workstation_user
from bibob_desk.storage.database import CorruptDatabaseError

T = TypeVar("T")

# Scheduled back-ups: checked at start and then hourly; ``backup.interval_hours`` decides.
CHECK_INTERVAL_MS = 60 * 60 * 1000
FIRST_CHECK_DELAY_MS = 3000


# --- "database bezet" ---------------------------------------------------------------------


def ask_retry(parent: QWidget | None, message: str) -> bool:
    return errors.ask(parent, "Database bezet", message, "Opnieuw proberen", "Annuleren")


def run_with_busy_dialog(parent: QWidget | None, action: Callable[[], T]) -> T | None:
    """Run a service call; when the database is locked, offer "Opnieuw proberen" until it works.

    Returns None when the user cancels. Nothing is half-saved: every service call is one
    transaction, rolled back when the lock wait times out.
    """
    while True:
        try:
            return action()
        except DatabaseBusyError as exc:
            message = str(exc)
        except DBAPIError as exc:
            if not is_busy_error(exc):
                raise
            message = BUSY_MESSAGE
        if not ask_retry(parent, message):
            return None


def install_error_hook() -> Callable[..., None]:
    """Safety net for service calls a widget did not wrap: a Dutch message, never a crash.

    PySide6 hands exceptions escaping a slot to ``sys.excepthook``; a locked database or any
    ``BibobError`` becomes a message box there, everything else goes to the previous hook.
    """
    import sys

    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, trace: Any) -> None:
        if isinstance(exc, DatabaseBusyError) or (
            isinstance(exc, DBAPIError) and is_busy_error(exc)
        ):
            errors.show_error(None, BUSY_MESSAGE, "Database bezet")
            return
        if isinstance(exc, BibobError):
            errors.show_error(None, exc)
            return
        previous(kind, exc, trace)

    sys.excepthook = hook
    return hook


# --- damaged database at start ------------------------------------------------------------


def backup_candidates(database: Path) -> list[Path]:
    """Back-ups a damaged database can be restored from, newest first."""
    folder = database.parent / "backups"
    found = [path for _, path in automatic_backups(folder)]
    patterns = (f"{database.stem}.voor-*{database.suffix}",)
    for pattern in patterns:
        found.extend(database.parent.glob(pattern))
        if folder.is_dir():
            found.extend(folder.glob(pattern))
    unique = {p.resolve(): p for p in found if p.is_file()}
    return sorted(unique.values(), key=lambda p: p.stat().st_mtime, reverse=True)


class RestoreDialog(QDialog):
    """Explains that the database is damaged and offers to restore a back-up."""

    def __init__(self, exc: CorruptDatabaseError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bibob Desk: database beschadigd")
        self.chosen: Path | None = None
        self.candidates = backup_candidates(exc.path)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"{exc}\n\nDatabase: {exc.path}\n\nU kunt een back-up terugzetten. Van de huidige "
            "(beschadigde) database wordt eerst een veiligheidskopie gemaakt."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(self)
        self.newest_button: QPushButton | None = None
        if self.candidates:
            newest = self.candidates[0]
            stamp = datetime.fromtimestamp(newest.stat().st_mtime).strftime("%d-%m-%Y %H:%M")
            self.newest_button = buttons.addButton(
                f"Nieuwste back-up terugzetten ({stamp})", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.newest_button.clicked.connect(lambda: self._choose(newest))
        self.other_button = buttons.addButton(
            "Ander back-upbestand kiezen…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.other_button.clicked.connect(self._choose_file)
        self.quit_button = buttons.addButton("Afsluiten", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._folder = exc.path.parent

    def _choose(self, path: Path) -> None:
        self.chosen = path
        self.accept()

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Back-up kiezen",
            str(self._folder),
            "Bibob Desk-back-ups (*.sqlite *.json);;Alle bestanden (*)",
        )
        if name:
            self._choose(Path(name))


def choose_backup(parent: QWidget | None, exc: CorruptDatabaseError) -> Path | None:
    """The back-up to restore, chosen and confirmed by typing the database's file name.

    A damaged database cannot check roles: the workstation login must at least be one of the
    users the damaged file still names (when it can be read), and the name must be typed.
    """
    dialog = RestoreDialog(exc, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    user = workstation_user()
    known = users_of_damaged_database(f"sqlite:///{exc.path}")
    if known is not None and user not in known:
        errors.show_error(
            parent,
            f"Gebruiker '{user}' is geen actieve gebruiker van deze database en mag hem niet "
            "terugzetten. Er is niets gewijzigd.",
            "Terugzetten niet toegestaan",
        )
        return None
    typed, ok = QInputDialog.getText(
        parent,
        "Terugzetten bevestigen",
        f"De beschadigde database wordt vervangen (er wordt eerst een veiligheidskopie "
        f"gemaakt).\nTyp ter bevestiging de naam van het databasebestand: {exc.path.name}",
    )
    if not ok or typed.strip() not in (exc.path.name, exc.path.stem):
        return None
    return dialog.chosen


def offer_restore(parent: QWidget | None, exc: CorruptDatabaseError) -> str | None:
    """For ``handle_startup_database_error``: restore a chosen back-up; the URL to open next."""
    backup = choose_backup(parent, exc)
    if backup is None:
        return None
    url = f"sqlite:///{exc.path}"
    try:
        result = restore_backup(url, backup, workstation_user())
    except BibobError as error:
        errors.show_error(parent, error, "Terugzetten mislukt")
        return None
    kept = f"\nVeiligheidskopie: {result.safety_copy}" if result.safety_copy else ""
    errors.show_info(parent, "Back-up teruggezet", f"{result.restored_from} is teruggezet.{kept}")
    return url


# --- scheduled back-ups -------------------------------------------------------------------


class _BackupSignals(QObject):
    done = Signal(object, object)  # the back-up made (Path or None), the error text (or None)


class AutoBackup(QObject):
    """Runs ``backup_if_due`` shortly after start and every hour, on a worker thread.

    A back-up of a large database takes a second or more; it must never freeze the window.
    Problems go to the status bar, never a crash.
    """

    def __init__(self, context: AppContext, window: QMainWindow) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self.last_result: Path | None = None
        self.last_error: str | None = None
        self._running = False
        self._signals = _BackupSignals(self)
        self._signals.done.connect(self._report)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.start)
        self.timer.start()
        # Not at once: the first paint and the landing page's queries go first.
        QTimer.singleShot(FIRST_CHECK_DELAY_MS, self.start)

    def start(self) -> None:
        """Check (and make) a back-up on a worker thread; the result arrives via a signal."""
        if self._running:
            return
        self._running = True
        QThreadPool.globalInstance().start(self._work)

    def run(self) -> None:
        """The same check, on the calling thread."""
        self._report(*self._attempt())

    def _work(self) -> None:
        self._signals.done.emit(*self._attempt())

    def _attempt(self) -> tuple[Path | None, str | None]:
        try:
            made = backup_if_due(self.context)
        except (BibobError, OSError, DBAPIError) as exc:
            return None, f"Automatische back-up mislukt: {exc}"
        try:
            # The daily audit anchor (services/audit_anchor.py), also when back-ups are off.
            anchor_if_due(self.context)
        except (BibobError, OSError, DBAPIError) as exc:
            return made, f"Dagelijks auditanker niet geschreven: {exc}"
        return made, None

    def _report(self, made: Path | None, error: str | None) -> None:
        self._running = False
        self.last_error = error
        if error is not None:
            self.window.statusBar().showMessage(error, 15000)
            return
        if made is not None:
            self.last_result = made
            self.window.statusBar().showMessage(f"Automatische back-up gemaakt: {made.name}", 8000)


def install_auto_backup(window: QMainWindow, context: AppContext) -> AutoBackup:
    return AutoBackup(context, window)
