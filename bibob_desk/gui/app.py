"""Starting the GUI: the QApplication, the database, the main window."""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.services.access import authenticate
from bibob_desk.services.context import AppContext
from bibob_desk.services.identity import resolve_user
from bibob_desk.storage.database import CorruptDatabaseError, Database, DatabaseError, open_database

APP_NAME = "Bibob Desk"
DUTCH = QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands)


# Source texts that Qt 6 changed (an accelerator was added) after qtbase_nl was last translated,
# so they stay English in Qt's own file dialog; checked by tests/gui/test_dutch.py.
QT_SUPPLEMENT: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "&Zoeken in:",
    ("QFileDialog", "Files of &type:"): "Bestands&typen:",
}


class DutchSupplement(QTranslator):
    """The few Qt texts that qtbase_nl lacks (installed last, so asked first)."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return QT_SUPPLEMENT.get((context, source))  # type: ignore[return-value]

    def isEmpty(self) -> bool:
        return False


def install_dutch(app: QCoreApplication) -> bool:
    """Dutch everywhere Qt writes text itself: buttons, file dialogs, context menus, dates.

    Loads ``qtbase_nl`` from PySide6's own translations folder and makes nl_NL the default
    locale (so QDateEdit, number formatting and QFileDialog follow it). True when loaded.
    """
    QLocale.setDefault(DUTCH)
    for existing in app.findChildren(QTranslator, "bibob_desk_qtbase"):
        if not existing.isEmpty():
            return True
    translator = QTranslator(app)  # the application keeps it alive
    translator.setObjectName("bibob_desk_qtbase")
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = translator.load(DUTCH, "qtbase", "_", folder)
    if loaded:
        app.installTranslator(translator)
    app.installTranslator(DutchSupplement(app))
    return loaded


def create_application(offscreen: bool = False) -> QApplication:
    """The one QApplication, created on first use (tests and the screenshot command reuse it)."""
    if offscreen and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        install_dutch(existing)
        return existing
    app = QApplication([APP_NAME])
    install_dutch(app)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName("Bibob Desk")
    from bibob_desk.gui.styling import app_icon, apply_style

    app.setWindowIcon(app_icon())
    apply_style(app)
    return app


def handle_startup_database_error(parent: QWidget | None, exc: DatabaseError) -> str | None:
    """Tell the officer why the database cannot be opened.

    Returns the URL of another database to try (e.g. a restored backup) or None to stop.
    The backup helper extends this: for a ``CorruptDatabaseError`` it can offer to restore
    the newest backup beside ``exc.path`` and return that file's URL.
    """
    text = str(exc)
    if isinstance(exc, CorruptDatabaseError):
        # Damaged or not a database: explain and offer to restore a back-up (gui/reliability.py).
        from bibob_desk.gui.reliability import offer_restore

        return offer_restore(parent, exc)
    QMessageBox.critical(parent, f"{APP_NAME}: database niet te openen", text)
    return None


def open_startup_database(url: str | None) -> Database | None:
    """Open the database, asking ``handle_startup_database_error`` what to do on failure."""
    tried: set[str | None] = set()
    while url not in tried:
        tried.add(url)
        try:
            return open_database(url)
        except DatabaseError as exc:
            url = handle_startup_database_error(None, exc)
            if url is None:
                return None
    return None


def run_gui(args: argparse.Namespace) -> int:
    """``bibob-desk`` without a command. Exit code 1 when the database cannot be used."""
    from bibob_desk.gui.platform_check import guard_fatal_messages, platform_problem

    problem = platform_problem()
    if problem is not None:
        sys.stderr.write(f"bibob-desk: {problem}\n")
        return 1
    with guard_fatal_messages():
        app = create_application()
    db = open_startup_database(getattr(args, "db", None))
    if db is None:
        return 1
    from bibob_desk.gui.main_window import MainWindow

    try:
        # The OS login or PostgreSQL's session_user; an override only on a training database.
        context = AppContext(db=db, user=resolve_user(db, getattr(args, "user", None)))
        # Unknown or deactivated users stop here; the first user of an empty database is added.
        authenticate(context)
    except PermissionDenied as exc:
        QMessageBox.critical(None, f"{APP_NAME}: geen toegang", str(exc))
        db.dispose()
        return 1
    try:
        window = MainWindow(context)
        window.show()
        from bibob_desk.gui.reliability import install_auto_backup, install_error_hook

        install_auto_backup(window, context)  # at start and hourly (backup.interval_hours)
        from bibob_desk.gui.setup_dialog import offer_setup_later

        offer_setup_later(window, context)  # no organisation yet: the set-up dialog
        install_error_hook()  # a locked database in an unwrapped slot: message, not a crash
        from bibob_desk.gui.integrity import install_damage_watch

        install_damage_watch(window, context)  # background quick_check; "malformed" anywhere
        return int(app.exec())
    finally:
        db.dispose()
