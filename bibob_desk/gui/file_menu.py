"""The menu entries around the case work: back-up and restore, printing, users and roles, and
the manual (Help → Handleiding).

Everything here calls the existing services (services/backup.py, the letters and overview
services, access rules); the main window only adds the actions (``install``).
``choose_save_path`` / ``choose_open_path`` / ``printing.choose_printer`` are the only places that
ask the user for a file or printer, so tests can answer for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.roles import Role
from bibob_desk.gui import errors, printing
from bibob_desk.paths import resource_path
from bibob_desk.services.access import require_role
from bibob_desk.storage.database import sqlite_path

if TYPE_CHECKING:
    from bibob_desk.gui.main_window import MainWindow

MANUAL = "manual/handleiding.md"
BACKUP_FILTER = "Bibob Desk-back-up (*.sqlite *.db *.json);;Alle bestanden (*)"


def choose_save_path(parent: QWidget, title: str, suggested: Path, file_filter: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), file_filter)
    return Path(name) if name else None


def choose_open_path(parent: QWidget, title: str, folder: Path, file_filter: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, str(folder), file_filter)
    return Path(name) if name else None


# --- back-up and restore ----------------------------------------------------------------------


def _backup_folder(window: MainWindow) -> Path:
    from bibob_desk.services.backup import backup_schedule, default_backup_folder

    try:
        return backup_schedule(window.context).folder
    except BibobError:
        return default_backup_folder(window.context.db.url)


def make_backup(window: MainWindow) -> Path | None:
    """Bestand → Back-up maken…: a consistent copy of the whole database (team lead, beheerder)."""
    from bibob_desk.services.backup import make_backup as backup_service

    suffix = ".sqlite" if sqlite_path(window.context.db.url) is not None else ".json"
    suggested = _backup_folder(window) / f"bibob-desk-{datetime.now():%Y%m%d-%H%M}{suffix}"
    try:
        require_role(window.context, Role.BEHEERDER, Role.TEAMLEIDER)
    except BibobError as exc:
        errors.show_error(window, exc)
        return None
    path = choose_save_path(window, "Back-up maken", suggested, BACKUP_FILTER)
    if path is None:
        return None
    try:
        info = backup_service(window.context, path)
    except BibobError as exc:
        errors.show_error(window, exc)
        return None
    errors.show_info(
        window, "Back-up gemaakt", f"Back-up gemaakt: {info.path} ({info.cases} zaken)."
    )
    return info.path


def restore_backup(window: MainWindow) -> bool:
    """Bestand → Back-up terugzetten…: replace the database (beheerder), after a safety copy."""
    from bibob_desk.services.backup import inspect_backup
    from bibob_desk.services.backup import restore_backup as restore_service

    try:
        require_role(window.context, Role.BEHEERDER)
    except BibobError as exc:
        errors.show_error(window, exc)
        return False
    if not window.may_leave_case():
        return False
    path = choose_open_path(window, "Back-up terugzetten", _backup_folder(window), BACKUP_FILTER)
    if path is None:
        return False
    try:
        info = inspect_backup(path)  # a bad file is refused before anything changes
    except BibobError as exc:
        errors.show_error(window, f"{exc} Er is niets gewijzigd.", "Back-up terugzetten")
        return False
    if not errors.ask(
        window,
        "Back-up terugzetten",
        f"De database vervangen door de back-up {info.path.name} ({info.cases} zaken)?\n\n"
        "Alles wat na die back-up is vastgelegd, gaat verloren. De huidige database wordt eerst "
        "bewaard als veiligheidskopie in de back-upmap.",
        "Terugzetten",
    ):
        return False
    window.detail.set_case(None)
    window.context.db.dispose()  # no open connection to the file that is replaced
    try:
        result = restore_service(window.context.db.url, path, window.context.user)
    except BibobError as exc:
        errors.show_error(window, f"{exc} Er is niets gewijzigd.", "Back-up terugzetten")
        return False
    window.refresh()
    kept = (
        f"\nVeiligheidskopie van de vorige database: {result.safety_copy}"
        if result.safety_copy
        else ""
    )
    errors.show_info(
        window,
        "Back-up teruggezet",
        f"Back-up {result.restored_from.name} teruggezet ({result.cases} zaken).{kept}",
    )
    return True


# --- printing ---------------------------------------------------------------------------------


def print_letter(window: MainWindow) -> bool:
    """The letter chosen on the Brieven tab, as its preview shows it."""
    from bibob_desk.gui.letters_panel import LettersPanel

    panel = next((p for p in window.detail.panels if isinstance(p, LettersPanel)), None)
    doc = panel.current if panel is not None and window.detail.case is not None else None
    if panel is None or doc is None:
        errors.show_error(window, "Kies eerst een brief op het tabblad Brieven van een zaak.")
        return False
    return panel.print_letter()


def print_case(window: MainWindow) -> bool:
    """A summary of the open case: fields, parties, documents, timeline."""
    case = window.detail.case
    if case is None:
        errors.show_error(window, "Open eerst een zaak op het tabblad Zaken.")
        return False
    printer = printing.choose_printer(window, f"Zaak {case.reference} afdrukken")
    if printer is None:
        return False
    printing.print_html(printer, printing.case_summary_html(case))
    return True


def print_overview(window: MainWindow) -> bool:
    """The overview list with the filters and order of the Overzicht page."""
    from bibob_desk.services.overview import OverviewFilter, OverviewService

    page = window.page_widgets.get("Overzicht")
    model = getattr(page, "model", None)
    overview_filter = model.overview_filter if model is not None else OverviewFilter(open_only=True)
    order = model.order if model is not None else ("nearest_deadline", False)
    try:
        html = printing.overview_html(OverviewService(window.context), overview_filter, order)
    except BibobError as exc:
        errors.show_error(window, exc)
        return False
    printer = printing.choose_printer(window, "Overzichtslijst afdrukken", landscape=True)
    if printer is None:
        return False
    printing.print_html(printer, html, points=7.5)
    return True


# --- help ------------------------------------------------------------------------------------


class ManualDialog(QDialog):
    """Help → Handleiding: the Dutch manual from resources/, inside the application."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Handleiding Bibob Desk")
        self.resize(820, 640)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        self.browser.setMarkdown(resource_path(MANUAL).read_text(encoding="utf-8"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Sluiten")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def show_manual(window: MainWindow) -> ManualDialog:
    dialog = window.findChild(ManualDialog)
    if dialog is None:
        dialog = ManualDialog(window)
    dialog.show()  # not modal: read while working
    dialog.raise_()
    return dialog


# --- the menus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuActions:
    backup: QAction
    restore: QAction
    print_letter: QAction
    print_case: QAction
    print_overview: QAction
    manual: QAction
    users: QAction


def install(window: MainWindow, file_menu: QMenu, help_menu: QMenu) -> MenuActions:
    """Add the entries to the main window's menus (before Afsluiten, and at the top of Help)."""

    def action(text: str, shortcut: str | None, slot: Callable[[MainWindow], object]) -> QAction:
        act = QAction(text, window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda: slot(window))
        return act

    actions = MenuActions(
        backup=action("&Back-up maken…", None, make_backup),
        restore=action("Back-up &terugzetten…", None, restore_backup),
        print_letter=action("&Brief…", None, print_letter),
        print_case=action("&Zaakoverzicht…", "Ctrl+P", print_case),
        print_overview=action("&Overzichtslijst…", None, print_overview),
        manual=action("&Handleiding", "F1", show_manual),
        users=action("&Gebruikers en rollen…", None, lambda w: w.show_page("Gebruikers")),
    )
    quit_action = window.quit_action
    print_menu = QMenu("Af&drukken", file_menu)
    for act in (actions.print_letter, actions.print_case, actions.print_overview):
        print_menu.addAction(act)
    file_menu.insertSeparator(quit_action)
    file_menu.insertMenu(quit_action, print_menu)
    file_menu.insertSeparator(quit_action)
    file_menu.insertAction(quit_action, actions.backup)
    file_menu.insertAction(quit_action, actions.restore)
    file_menu.insertSeparator(quit_action)
    admin_menu = QMenu("Be&heer", window)
    admin_menu.addAction(actions.users)
    window.menuBar().insertMenu(help_menu.menuAction(), admin_menu)
    existing = help_menu.actions()
    if existing:
        help_menu.insertAction(existing[0], actions.manual)
        help_menu.insertSeparator(existing[0])
    else:
        help_menu.addAction(actions.manual)
    return actions
