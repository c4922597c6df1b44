"""The main window: the case list with its filters, the case view, pages, menus, status bar."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bibob_desk import __version__
from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.domain.roles import Role
from bibob_desk.gui import errors, extensions
from bibob_desk.gui.case_detail import CaseDetail, load_panel_class
from bibob_desk.gui.case_table_model import COLUMNS, REFERENCE_ROLE, CaseTableModel
from bibob_desk.gui.filter_combos import chosen, filter_combo, refill
from bibob_desk.gui.styling import app_icon, fit_columns, scroll_area
from bibob_desk.services.access import current_roles
from bibob_desk.services.cases import CaseFilter, CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.identity import TRAINING_LABEL, is_training

if TYPE_CHECKING:  # the dialogs are imported when first opened, not at start
    from bibob_desk.gui.import_wizard import ImportWizard
    from bibob_desk.gui.intake_wizard import IntakeWizard
    from bibob_desk.gui.new_case_dialog import NewCaseDialog

WINDOW_TITLE = "Bibob Desk"
SEARCH_DELAY_MS = 200  # wait until the officer stops typing before querying
CASES_PAGE_LABEL = "Zaken"
OVERVIEW_PAGE_LABEL = "Overzicht"

_COLUMN_WIDTHS = {
    "Zaaknummer": 110,
    "Titel": 230,
    "Aanvrager": 170,
    "Toepassingsgebied": 210,
    "Fase": 110,
    "Behandelaar": 110,
    "Aanvraagdatum": 125,
    "Bouwsom": 120,
    "Postcode": 80,
}
_TITLE_COLUMN = next(n for n, c in enumerate(COLUMNS) if c.title == "Titel")


def describe_database(url: str) -> str:
    """Where the data lives, for the status bar: a path or host/database, never a password."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else url
        return f"SQLite: {path or 'geheugen'}"
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return f"PostgreSQL: {user}{host}{parts.path}"


class CaseListView(QWidget):
    """Filter bar and the case table (left half of the "Zaken" page)."""

    def __init__(self, model: CaseTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        bar = QWidget(self)
        bar.setObjectName("filterBar")
        self.search_edit = QLineEdit(bar)
        self.search_edit.setPlaceholderText("Zoeken: zaaknummer, naam, KvK, adres")
        self.search_edit.setToolTip(
            "Zoek op zaaknummer, naam van een betrokkene, KvK-nummer of adres (Ctrl+F)"
        )
        self.search_edit.setMinimumWidth(160)
        self.search_edit.setClearButtonEnabled(True)
        self.phase_combo = filter_combo(
            bar, "Alle fasen", {p.value: PHASE_LABELS[p] for p in Phase}
        )
        self.area_combo = filter_combo(bar, "Alle toepassingsgebieden", AREAS)
        self.area_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.area_combo.setMinimumContentsLength(12)
        self.officer_combo = filter_combo(bar, "Alle behandelaars", {})
        self.officer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.officer_combo.setMinimumContentsLength(17)  # "Alle behandelaars"
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(6, 6, 6, 6)
        bar_layout.addWidget(self.search_edit, 2)
        bar_layout.addWidget(self.phase_combo)
        bar_layout.addWidget(self.area_combo, 1)
        bar_layout.addWidget(self.officer_combo)

        self.table = QTableView(self)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Every column in view at 1366 px: the title takes what the others leave.
        fit_columns(
            self.table,
            stretch=[_TITLE_COLUMN],
            widths={
                number: _COLUMN_WIDTHS.get(column.title, 120)
                for number, column in enumerate(COLUMNS)
                if number != _TITLE_COLUMN
            },
        )
        # sortingEnabled makes a header click call model.sort(), which re-queries the database.
        self.table.setSortingEnabled(True)
        # Newest cases first: that is what an officer works on.
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.table, 1)

    def set_officers(self, officers: list[str]) -> None:
        refill(self.officer_combo, {officer: officer for officer in officers})

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            phases=chosen(self.phase_combo),
            areas=chosen(self.area_combo),
            officers=chosen(self.officer_combo),
            search=self.search_edit.text().strip(),
        )


def landing_page(context: AppContext) -> str:
    """The page the window opens on: the team lead's overview, the case list for officers."""
    try:
        roles = current_roles(context)
    except BibobError:  # unknown user: the services refuse them anyway; show the plain list
        return CASES_PAGE_LABEL
    return OVERVIEW_PAGE_LABEL if Role.TEAMLEIDER in roles else CASES_PAGE_LABEL


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = CaseService(context)
        # A training database (made by 'bibob-desk demo') says so everywhere: there --user
        # works and the data is practice data (services/identity.py).
        self.training = is_training(context.db)
        self.setWindowTitle(f"{WINDOW_TITLE} — {TRAINING_LABEL}" if self.training else WINDOW_TITLE)
        self.setWindowIcon(app_icon())
        self.resize(1400, 850)

        self.case_model = CaseTableModel(self.service)
        self.case_list = CaseListView(self.case_model, self)
        self.detail = CaseDetail(context, self)
        # The list above the case, both the full width of the window: every column of the list
        # and every tab of the case fit a 1366 x 768 laptop screen without scrolling sideways.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.case_list)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([260, 480])
        self.splitter.setChildrenCollapsible(False)
        cases_page = QWidget(self)
        cases_layout = QVBoxLayout(cases_page)
        cases_layout.setContentsMargins(6, 6, 6, 6)
        cases_layout.addWidget(self.splitter)

        self.pages = QTabWidget(self)
        self.pages.addTab(cases_page, CASES_PAGE_LABEL)
        self.page_widgets: dict[str, QWidget] = {}  # built pages (each on its first showing)
        self._page_containers: dict[str, QScrollArea] = {}
        self._page_targets: dict[str, str] = {}  # pages not built yet: label -> "module:Class"
        self._add_pages()
        self.pages.currentChanged.connect(self._page_shown)
        self.setCentralWidget(self.pages)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        self.case_list.search_edit.textChanged.connect(self.search_timer.start)
        for combo in (
            self.case_list.phase_combo,
            self.case_list.area_combo,
            self.case_list.officer_combo,
        ):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.case_list.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.case_model.total_changed.connect(self._update_count)
        self.case_model.modelReset.connect(self._reselect_after_reset)
        self.detail.case_changed.connect(self._case_changed)
        self.detail.status_message.connect(self._show_message)

        self._build_menus()
        self._build_status_bar()
        self._selecting = False
        self.case_list.set_officers(self.service.officers())
        landing = landing_page(self.context)
        if landing not in self._page_containers:  # e.g. a build without the overview page
            landing = CASES_PAGE_LABEL
        if landing == CASES_PAGE_LABEL:
            self.case_model.reload()
        # Otherwise the case list is read when "Zaken" is first shown (_page_shown): a team lead
        # starts on the overview, and counting 100,000 cases for a hidden list costs ~0.1 s.
        self.show_page(landing)

    # --- building ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        def action(text: str, shortcut: QKeySequence | str | None, slot: Any) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            return act

        # Through a lambda so a later helper can repoint ``new_case`` on the instance or class.
        self.new_case_action = action("&Nieuwe zaak…", "Ctrl+N", lambda: self.new_case())
        self.import_action = action("&Register importeren…", None, lambda: self.import_register())
        self.save_action = action("&Opslaan", "Ctrl+S", self.save_case)
        self.quit_action = action("&Afsluiten", "Ctrl+Q", self.close)
        self.refresh_action = action("&Vernieuwen", "F5", self.refresh)
        self.search_action = action("&Zoeken", "Ctrl+F", self.focus_search)
        self.about_action = action("&Over Bibob Desk", None, self.show_about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&Bestand")
        file_menu.addAction(self.new_case_action)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.save_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu_bar.addMenu("Beel&d")
        view_menu.addAction(self.refresh_action)
        view_menu.addAction(self.search_action)
        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        from bibob_desk.gui import file_menu as extra_entries

        # Back-up/terugzetten, Afdrukken, Beheer → Gebruikers en rollen, Help → Handleiding.
        self.menu_actions = extra_entries.install(self, file_menu, help_menu)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.database_label = QLabel(describe_database(self.context.db.url), self)
        self.user_label = QLabel(f"Gebruiker: {self.context.user}", self)
        self.count_label = QLabel("", self)
        self.training_label = QLabel(TRAINING_LABEL, self)
        self.training_label.setObjectName("trainingBadge")
        self.training_label.setToolTip(
            "Deze database bevat oefengegevens (bibob-desk demo); hier mag --user een andere "
            "gebruiker kiezen."
        )
        self.training_label.setVisible(self.training)
        status.addPermanentWidget(self.training_label)
        status.addPermanentWidget(self.database_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.count_label)

    def _add_pages(self) -> None:
        # Only the tabs: a page is imported and built when first shown, so the start does not
        # wait for pages the user may never open (see _build_page).
        for label, target in extensions.PAGES:
            container = scroll_area(self)
            self._page_containers[label] = container
            self._page_targets[label] = target
            self.pages.addTab(container, label)

    def _build_page(self, label: str) -> QWidget | None:
        target = self._page_targets.pop(label, None)
        if target is None:
            return self.page_widgets.get(label)
        container = self._page_containers[label]
        try:
            page = load_panel_class(target)(self.context, container)
        except Exception as exc:  # a broken feature must not take the window down
            sys.stderr.write(f"bibob-desk: pagina {target} niet geladen: {exc!r}\n")
            page = QLabel(f"Dit onderdeel kon niet worden geladen ({exc}).", container)
        else:
            signal: Any = getattr(page, "open_case", None)
            if signal is not None:
                signal.connect(self.open_case)
        self.page_widgets[label] = page
        container.setWidget(page)
        return page

    # --- pages ---------------------------------------------------------------------------------

    def show_page(self, label: str) -> bool:
        """Show the page with tab ``label`` (built now if it is its first showing)."""
        container = self._page_containers.get(label)
        if container is None:
            if label != CASES_PAGE_LABEL:
                return False
            self.pages.setCurrentIndex(0)
            return True
        self.pages.setCurrentWidget(container)
        return True

    def _page_shown(self, index: int) -> None:
        if index == 0:
            self._ensure_cases_loaded()
        if index <= 0:
            return
        container = self.pages.widget(index)
        label = next((k for k, c in self._page_containers.items() if c is container), None)
        if label is None:
            return
        if label in self._page_targets:
            # A page reads its data when built: refreshing it right away would read it twice
            # (the overview's side panel alone takes ~0.15 s on 100,000 cases).
            self._build_page(label)
            return
        page = self.page_widgets.get(label)
        refresh = getattr(page, "refresh", None)
        if refresh is not None:
            refresh()

    def _ensure_cases_loaded(self) -> None:
        if not self.case_model.loaded:
            self.case_model.reload()

    def open_case(self, reference: str) -> None:
        """Jump to a case from another page."""
        self.pages.setCurrentIndex(0)
        self.select_case(reference)

    # --- list and selection --------------------------------------------------------------------

    def apply_filter(self) -> None:
        self.search_timer.stop()
        self.case_model.set_filter(self.case_list.current_filter())

    def refresh(self) -> None:
        """F5: re-read the list, the open case and the shown page from the database."""
        if not self._may_leave_case():
            return
        self.case_list.set_officers(self.service.officers())
        self.case_model.reload()
        self.detail.reload()
        index = self.pages.currentIndex()
        if index > 0:
            self._page_shown(index)

    def focus_search(self) -> None:
        self.pages.setCurrentIndex(0)
        self.case_list.search_edit.setFocus()
        self.case_list.search_edit.selectAll()

    def select_case(self, reference: str) -> None:
        """Select a case in the list and show it; narrows the list to it when not yet loaded."""
        self._ensure_cases_loaded()
        row = self.case_model.row_of(reference)
        if row is None:
            for combo in (
                self.case_list.phase_combo,
                self.case_list.area_combo,
                self.case_list.officer_combo,
            ):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.case_list.search_edit.blockSignals(True)
            self.case_list.search_edit.setText(reference)
            self.case_list.search_edit.blockSignals(False)
            self.apply_filter()
            row = self.case_model.row_of(reference)
        if row is None:
            self.detail.set_case(reference)
            return
        self._select_row(row)

    def _select_row(self, row: int) -> None:
        index = self.case_model.index(row, 0)
        self.case_list.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.case_list.table.scrollTo(index)

    def selected_reference(self) -> str | None:
        index = self.case_list.table.currentIndex()
        if not index.isValid():
            return None
        value = self.case_model.data(index, REFERENCE_ROLE)
        return str(value) if value else None

    def _row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._selecting:
            return
        reference = self.case_model.data(current, REFERENCE_ROLE) if current.isValid() else None
        if reference == self.detail.reference:
            return
        if reference is not None and not self._may_leave_case():
            # Stay on the case with unsaved edits.
            self._selecting = True
            if previous.isValid():
                self._select_row(previous.row())
            self._selecting = False
            return
        if reference is not None:
            self.detail.set_case(str(reference))

    def may_leave_case(self) -> bool:
        """Ask about unsaved edits (e.g. before a restore); False keeps the officer there."""
        return self._may_leave_case()

    def _may_leave_case(self) -> bool:
        """Ask about unsaved edits; False keeps the officer on the current case."""
        if not self.detail.has_unsaved_changes():
            return True
        answer = errors.ask_save(
            self,
            "Wijzigingen opslaan?",
            f"De wijzigingen in zaak {self.detail.reference} zijn nog niet opgeslagen. Nu opslaan?",
        )
        if answer == errors.SAVE:
            return self.detail.save()
        return answer == errors.DISCARD  # Escape or Annuleren: stay, the edits kept

    def _reselect_after_reset(self) -> None:
        reference = self.detail.reference
        row = self.case_model.row_of(reference) if reference else None
        if row is not None:
            self._selecting = True
            self._select_row(row)
            self._selecting = False

    def _case_changed(self, reference: str) -> None:
        self.case_model.refresh_case(reference)
        self.case_list.set_officers(self.service.officers())

    def _update_count(self, total: int) -> None:
        self.count_label.setText("1 zaak" if total == 1 else f"{total:,} zaken".replace(",", "."))

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    # --- actions -------------------------------------------------------------------------------

    def new_case(self) -> None:
        """Register a new case (the intake helper may repoint this to a wizard)."""
        from bibob_desk.gui.intake_wizard import IntakeWizard

        dialog = IntakeWizard(self.context, self)  # the intake wizard (issue 3)
        if not self.exec_dialog(dialog) or dialog.created is None:
            return
        reference = dialog.created.reference
        self.case_list.set_officers(self.service.officers())
        self.case_model.reload()
        self.select_case(reference)
        self._show_message(f"Zaak {reference} aangemaakt.")

    def import_register(self) -> None:
        """Bestand -> Register importeren…: the old Excel register (gui/import_wizard.py)."""
        from bibob_desk.gui.import_wizard import ImportWizard

        wizard = ImportWizard(self.context, self)
        self.exec_dialog(wizard)
        if wizard.import_result is not None and wizard.import_result.committed:
            self.case_list.set_officers(self.service.officers())
            self.case_model.reload()
            self._show_message(wizard.import_result.summary())

    def exec_dialog(self, dialog: NewCaseDialog | IntakeWizard | ImportWizard) -> bool:
        """Run a dialog modally (tests replace this to drive the dialog themselves)."""
        return bool(dialog.exec())

    def save_case(self) -> None:
        if self.pages.currentIndex() == 0 and self.detail.case is not None:
            self.detail.save()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "Over Bibob Desk",
            f"<h3>Bibob Desk {__version__}</h3>"
            "<p>Registreren, toetsen en afhandelen van Bibob-onderzoeken "
            "(Wet bevordering integriteitsbeoordelingen door het openbaar bestuur).</p>"
            f"<p>{describe_database(self.context.db.url)}<br>Gebruiker: {self.context.user}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_leave_case():
            event.ignore()
            return
        event.accept()
