"""The case view: tabs to edit a case's fields, its parties, timeline and documents.

Feature panels registered in ``gui.extensions.CASE_PANELS`` are appended as extra tabs; each is
imported and built when its tab is first selected (the letters panel pulls in ReportLab and
pikepdf, which an officer who only reads a case should not wait for at start).
Every check is the service's: this widget only collects text and shows the answer.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import BibobError, ConflictError, ValidationError
from bibob_desk.domain.money import format_money
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.gui import errors, extensions
from bibob_desk.gui.detail_models import (
    DocumentTableModel,
    PartyTableModel,
    TimelineTableModel,
    local_time,
)
from bibob_desk.gui.forms import child, load_form
from bibob_desk.gui.party_dialog import PartyDialog
from bibob_desk.gui.relations_panel import RelationsPanel
from bibob_desk.gui.reliability import run_with_busy_dialog
from bibob_desk.gui.styling import app_icon, fit_columns, mark_invalid, scroll_area
from bibob_desk.services.cases import CaseService, CaseView
from bibob_desk.services.context import AppContext

DATE_FORMAT = "%d-%m-%Y"

# Form widget per field name of validate_case_fields (the service's names).
_FIELD_WIDGETS = {
    "title": (QLineEdit, "titleEdit"),
    "area": (QComboBox, "areaCombo"),
    "organisation": (QLineEdit, "organisationEdit"),
    "officer": (QComboBox, "officerCombo"),
    "phase": (QComboBox, "phaseCombo"),
    "application_date": (QLineEdit, "applicationDateEdit"),
    "bouwsom": (QLineEdit, "bouwsomEdit"),
    "street": (QLineEdit, "streetEdit"),
    "house_number": (QLineEdit, "houseNumberEdit"),
    "postcode": (QLineEdit, "postcodeEdit"),
    "city": (QLineEdit, "cityEdit"),
}


def load_panel_class(target: str) -> Callable[[AppContext, QWidget], QWidget]:
    """Import "package.module:Class" (an extension entry); it is built as Class(context, parent)."""
    module_name, _, class_name = target.partition(":")
    panel_class: Callable[[AppContext, QWidget], QWidget] = getattr(
        importlib.import_module(module_name), class_name
    )
    return panel_class


def _table(parent: QWidget, model: QAbstractTableModel, stretch: list[int]) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    fit_columns(view, stretch)  # never wider than the case view
    return view


class CaseFieldsTab(QWidget):
    """Tab "Gegevens": every editable field of the case, saved all at once or not at all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorBanner")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.form = load_form("case_fields.ui")
        self.widgets: dict[str, QWidget] = {
            name: child(self.form, kind, object_name)
            for name, (kind, object_name) in _FIELD_WIDGETS.items()
        }
        self.title_edit = child(self.form, QLineEdit, "titleEdit")
        self.area_combo = child(self.form, QComboBox, "areaCombo")
        self.phase_combo = child(self.form, QComboBox, "phaseCombo")
        # Behandelaar: chosen from the active medewerkers (no typo can hand a case to nobody).
        self.officer_combo = child(self.form, QComboBox, "officerCombo")
        self.officers: list[str] = []
        self.bouwsom_edit = child(self.form, QLineEdit, "bouwsomEdit")
        self.date_edit = child(self.form, QLineEdit, "applicationDateEdit")
        self.postcode_edit = child(self.form, QLineEdit, "postcodeEdit")
        for code, label in AREAS.items():
            self.area_combo.addItem(label, code)
        for phase in Phase:
            self.phase_combo.addItem(PHASE_LABELS[phase], phase.value)
        # Shown, not edited: the Procedure tab moves a case through the checked workflow.
        self.phase_combo.setEnabled(False)
        self.phase_combo.setToolTip("De fase wijzigt u via het tabblad Procedure.")
        self._as_filled: dict[str, object] = self.raw_fields()

        scroll = QScrollArea(self)
        scroll.setObjectName("fieldsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        self.save_button = QPushButton("Opslaan", self)
        self.save_button.setObjectName("primaryButton")
        self.save_button.setToolTip("Wijzigingen opslaan (Ctrl+S)")
        self.revert_button = QPushButton("Wijzigingen ongedaan maken", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

    def fill(self, case: CaseView) -> None:
        values: dict[str, str] = {
            "title": case.title,
            "organisation": case.organisation,
            "application_date": case.application_date.strftime(DATE_FORMAT),
            "bouwsom": format_money(case.bouwsom) if case.bouwsom is not None else "",
            "street": case.street,
            "house_number": case.house_number,
            "postcode": case.postcode or "",
            "city": case.city,
        }
        for name, text in values.items():
            widget = self.widgets[name]
            assert isinstance(widget, QLineEdit)
            widget.setText(text)
            widget.setCursorPosition(0)
        self.officer_combo.clear()
        for name in self.officers:
            self.officer_combo.addItem(name, name)
        if not case.officer:
            self.officer_combo.insertItem(0, "(nog niet toegewezen)", "")
        self._select(self.officer_combo, case.officer, case.officer)
        # Someone who assigns no cases (an administrator) sees the behandelaar, cannot change it.
        self.officer_combo.setEnabled(bool(self.officers))
        self._select(self.area_combo, case.area, case.area_label)
        self._select(self.phase_combo, case.phase, case.phase_label)
        self.clear_errors()
        self._as_filled = self.raw_fields()

    def is_modified(self) -> bool:
        return self.raw_fields() != self._as_filled

    @staticmethod
    def _select(combo: QComboBox, code: str, label: str) -> None:
        index = combo.findData(code)
        if index < 0:  # a code this version does not know: show it rather than change it
            combo.addItem(label, code)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def raw_fields(self) -> dict[str, object]:
        """What the officer typed, by the service's field names (checked there, not here)."""
        raw: dict[str, object] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                raw[name] = widget.currentData()
            elif isinstance(widget, QLineEdit):
                raw[name] = widget.text()
        return raw

    def show_errors(self, exc: BibobError) -> None:
        wrong = errors.error_fields(exc)
        for name, widget in self.widgets.items():
            mark_invalid(widget, name in wrong)
        lines = errors.error_lines(exc)
        heading = "Niet opgeslagen. Verbeter " + (
            "dit veld:" if len(lines) == 1 else f"deze {len(lines)} punten:"
        )
        self.error_label.setText(heading + "\n" + "\n".join(f"• {line}" for line in lines))
        self.error_label.show()
        first = next((self.widgets[n] for n in _FIELD_WIDGETS if n in wrong), None)
        if first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        for widget in self.widgets.values():
            mark_invalid(widget, False)
        self.error_label.hide()
        self.error_label.clear()


class CaseDetail(QWidget):
    """Shows one case; ``case_changed(reference)`` after anything about it was saved."""

    case_changed = Signal(str)
    status_message = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = CaseService(context)
        self.case: CaseView | None = None

        self.header = QLabel(self)
        self.header.setObjectName("caseHeader")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header.setWordWrap(True)
        self.sub_header = QLabel(self)
        self.sub_header.setObjectName("caseSubHeader")
        self.sub_header.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(False)

        self.fields_tab = CaseFieldsTab(self)
        self.fields_tab.save_button.clicked.connect(self.save)
        self.fields_tab.revert_button.clicked.connect(self.revert)
        self.tabs.addTab(self.fields_tab, "Gegevens")
        self.tabs.addTab(self._build_parties_tab(), "Betrokkenen")
        self.tabs.addTab(self._build_timeline_tab(), "Tijdlijn")
        self.tabs.addTab(self._build_documents_tab(), "Documenten")
        # Tab index -> (extension entry, its empty scroll area) until first shown, then the panel.
        self._panel_slots: dict[int, tuple[str, QScrollArea]] = {}
        self._built_panels: dict[int, QWidget] = {}
        self._add_extension_panels()
        self.tabs.currentChanged.connect(self._build_panel)

        case_page = QWidget(self)
        case_layout = QVBoxLayout(case_page)
        case_layout.setContentsMargins(0, 0, 0, 0)
        case_layout.addWidget(self.header)
        case_layout.addWidget(self.sub_header)
        case_layout.addWidget(self.tabs, 1)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_empty_page())
        self.stack.addWidget(case_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_empty_page(self) -> QWidget:
        page = QWidget(self)
        picture = QLabel(page)
        picture.setPixmap(app_icon().pixmap(96, 96))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint = QLabel(
            "Kies links een zaak om die te bekijken of te wijzigen,\n"
            "of maak een nieuwe zaak aan met Ctrl+N.",
            page,
        )
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(picture)
        layout.addWidget(self.empty_hint)
        layout.addStretch(1)
        return page

    # --- tabs ----------------------------------------------------------------------------------

    def _build_parties_tab(self) -> QWidget:
        tab = QWidget(self)
        self.party_model = PartyTableModel()
        self.party_view = _table(tab, self.party_model, stretch=[0, 5])
        self.add_party_button = QPushButton("Betrokkene toevoegen…", tab)
        self.edit_party_button = QPushButton("Wijzigen…", tab)
        self.remove_party_button = QPushButton("Verwijderen", tab)
        self.add_party_button.clicked.connect(self.add_party)
        self.edit_party_button.clicked.connect(self.edit_party)
        self.party_view.doubleClicked.connect(self.edit_party)
        self.remove_party_button.clicked.connect(self.remove_party)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_party_button)
        buttons.addWidget(self.edit_party_button)
        buttons.addWidget(self.add_party_button)
        # Relations between the parties, "Bekend uit" and the network view (issue 18).
        self.relations_panel = RelationsPanel(self.context, tab)
        self.relations_panel.case_changed.connect(self._panel_changed_case)
        self.relations_panel.open_case.connect(self._open_other_case)
        self.relations_panel.open_party.connect(self.select_party)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.party_view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.relations_panel, 1)
        return tab

    def _build_timeline_tab(self) -> QWidget:
        tab = QWidget(self)
        self.timeline_model = TimelineTableModel()
        self.timeline_view = _table(tab, self.timeline_model, stretch=[3])
        self.timeline_view.setWordWrap(True)
        self.note_edit = QLineEdit(tab)
        self.note_edit.setPlaceholderText("Notitie bij deze zaak…")
        self.note_edit.returnPressed.connect(self.add_note)
        self.add_note_button = QPushButton("Notitie toevoegen", tab)
        self.add_note_button.clicked.connect(self.add_note)
        row = QHBoxLayout()
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.add_note_button)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.timeline_view, 1)
        layout.addLayout(row)
        return tab

    def _build_documents_tab(self) -> QWidget:
        tab = QWidget(self)
        self.document_model = DocumentTableModel()
        self.document_view = _table(tab, self.document_model, stretch=[0, 3])
        layout = QVBoxLayout(tab)
        layout.addWidget(self.document_view)
        return tab

    def _add_extension_panels(self) -> None:
        for label, target in extensions.CASE_PANELS:
            area = scroll_area(self)
            index = self.tabs.addTab(area, label)
            self._panel_slots[index] = (target, area)

    def _build_panel(self, index: int) -> None:
        """Build the feature panel of tab ``index`` on its first showing; it gets the shown case."""
        slot = self._panel_slots.pop(index, None)
        if slot is None:
            return
        target, area = slot
        try:
            panel = load_panel_class(target)(self.context, area)
        except Exception as exc:  # a broken feature must not take the case view down
            sys.stderr.write(f"bibob-desk: paneel {target} niet geladen: {exc!r}\n")
            broken = QLabel(f"Dit onderdeel kon niet worden geladen ({exc}).", area)
            broken.setWordWrap(True)
            area.setWidget(broken)
            return
        signal: Any = getattr(panel, "case_changed", None)
        if signal is not None:
            signal.connect(self._panel_changed_case)
        self._built_panels[index] = panel
        area.setWidget(panel)
        set_case = getattr(panel, "set_case", None)
        if set_case is not None and self.case is not None:
            set_case(self.case.reference)

    @property
    def panels(self) -> list[QWidget]:
        """Every feature panel that loaded, in tab order; builds those not shown yet."""
        for index in list(self._panel_slots):
            self._build_panel(index)
        return [self._built_panels[i] for i in sorted(self._built_panels)]

    # --- showing a case ------------------------------------------------------------------------

    @property
    def reference(self) -> str | None:
        return self.case.reference if self.case else None

    def set_case(self, reference: str | None) -> None:
        """Show a case (None: show the hint). Feature panels follow."""
        if reference is None:
            self.case = None
            self.stack.setCurrentIndex(0)
        else:
            try:
                self._show(self.service.get(reference))
            except BibobError as exc:
                self.case = None
                self.stack.setCurrentIndex(0)
                errors.show_error(self, exc)
                reference = None
        self._panels_show(reference)

    def reload(self) -> None:
        """Re-read the shown case (after a panel or another window changed it)."""
        if self.case is not None:
            self.set_case(self.case.reference)

    def _show(self, case: CaseView) -> None:
        self.case = case
        self.header.setText(f"{case.reference}  ·  {case.title}")
        applicant = case.applicant
        parts = [case.phase_label, case.area_label]
        if applicant:
            parts.append(f"aanvrager {applicant.name}")
        parts.append(f"laatst gewijzigd {local_time(case.updated_at)}")
        self.sub_header.setText("  ·  ".join(parts))
        self.fields_tab.officers = self.service.assignable_officers()
        self.fields_tab.fill(case)
        self.party_model.set_rows(case.parties)
        self.relations_panel.set_case(case.reference, case.parties)
        self.timeline_model.set_rows(
            sorted(case.timeline, key=lambda t: (t.occurred_at, t.id), reverse=True)
        )
        self.document_model.set_rows(case.documents)
        self.stack.setCurrentIndex(1)

    def _after_change(self, case: CaseView, message: str) -> None:
        self._show(case)
        # Feature panels derive things from the fields (applicability, deadlines): re-read.
        self._panels_show(case.reference)
        self.status_message.emit(message)
        self.case_changed.emit(case.reference)

    def _panels_show(self, reference: str | None) -> None:
        # Only the panels built so far; a later one reads the case when its tab is first shown.
        for panel in self._built_panels.values():
            set_case = getattr(panel, "set_case", None)
            if set_case is not None:
                set_case(reference)

    def _panel_changed_case(self, reference: str) -> None:
        if self.case is not None and reference == self.case.reference:
            self._show(self.service.get(reference))
        self.case_changed.emit(reference)

    # --- editing -------------------------------------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        return self.case is not None and self.fields_tab.is_modified()

    def save(self) -> bool:
        """Save the "Gegevens" tab; True when saved (or nothing to save)."""
        if self.case is None:
            return False
        reference, fields, version = (
            self.case.reference,
            self.fields_tab.raw_fields(),
            self.case.version,
        )
        new_officer = str(fields.get("officer") or "")
        handover = new_officer != self.case.officer
        if handover and not errors.ask(
            self,
            "Zaak overdragen",
            f"Zaak {reference} overdragen aan {new_officer}?\n\nAls medewerker ziet u de zaak "
            "daarna niet meer (tenzij zij met u is gedeeld).",
            "Overdragen",
        ):
            return False
        try:
            # A locked database: "Opnieuw proberen" until it works; the form keeps the input.
            result = run_with_busy_dialog(
                self, lambda: self.service.update_case(reference, fields, version)
            )
        except ValidationError as exc:
            self.tabs.setCurrentWidget(self.fields_tab)
            self.fields_tab.show_errors(exc)
            self.status_message.emit("Niet opgeslagen: controleer de gemarkeerde velden.")
            return False
        except ConflictError as exc:
            if errors.ask(
                self,
                "Zaak intussen gewijzigd",
                f"{exc}\n\nWilt u de zaak opnieuw laden? Uw wijzigingen gaan dan verloren.",
                "Opnieuw laden",
                "Niet laden",
            ):
                self.reload()
            return False
        except BibobError as exc:
            errors.show_error(self, exc)
            return False
        if result is None:  # the officer gave up waiting for the lock; nothing was saved
            self.status_message.emit("Niet opgeslagen: de database is bezet.")
            return False
        if handover and not self.service.can_see(reference):
            self.set_case(None)
            self.status_message.emit(f"Zaak {reference} is overgedragen aan {new_officer}.")
            self.case_changed.emit(reference)
            return True
        self._after_change(result, f"Zaak {result.reference} opgeslagen.")
        return True

    def revert(self) -> None:
        if self.case is not None:
            self.fields_tab.fill(self.case)

    def add_party(self) -> None:
        if self.case is None:
            return
        dialog = PartyDialog(self)
        if not self.exec_dialog(dialog):
            return
        try:
            case = self.service.add_party(self.case.reference, dialog.party_input())
        except BibobError as exc:
            errors.show_error(self, exc)
            if isinstance(exc, ConflictError):  # saved by someone else meanwhile: show theirs
                self.reload()
            return
        self._after_change(case, f"Betrokkene {dialog.party_input().name.strip()} toegevoegd.")

    def edit_party(self) -> None:
        """Wijzigen…: the selected party, with the same validation, need-to-know and audit as
        adding (services/parties.py)."""
        from bibob_desk.services.parties import PartyService

        if self.case is None:
            return
        party = self.party_model.row_at(self.party_view.currentIndex().row())
        if party is None:
            errors.show_error(self, "Kies eerst de betrokkene die u wilt wijzigen.")
            return
        dialog = PartyDialog(self, party)
        if not self.exec_dialog(dialog):
            return
        try:
            case = PartyService(self.context).update_party(
                self.case.reference, party.party_id, dialog.party_input()
            )
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self._after_change(case, f"Betrokkene {dialog.party_input().name.strip()} gewijzigd.")

    def select_party(self, party_id: int) -> None:
        for row in range(self.party_model.rowCount()):
            party = self.party_model.row_at(row)
            if party is not None and party.party_id == party_id:
                self.tabs.setCurrentIndex(1)
                self.party_view.selectRow(row)
                return

    def _open_other_case(self, reference: str) -> None:
        opener = getattr(self.window(), "open_case", None)
        if callable(opener):
            opener(reference)
        else:
            self.set_case(reference)

    def exec_dialog(self, dialog: PartyDialog) -> bool:
        """Run a dialog modally (tests replace this to drive the dialog themselves)."""
        return bool(dialog.exec())

    def remove_party(self) -> None:
        if self.case is None:
            return
        party = self.party_model.row_at(self.party_view.currentIndex().row())
        if party is None:
            errors.show_error(self, "Kies eerst de betrokkene die u wilt verwijderen.")
            return
        if not errors.ask(
            self,
            "Betrokkene verwijderen",
            f"{party.name} ({party.role_label.lower()}) uit zaak {self.case.reference} "
            "verwijderen? De betrokkene blijft bestaan in andere zaken.",
            "Verwijderen",
        ):
            return
        try:
            case = self.service.remove_party(self.case.reference, party.link_id)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self._after_change(case, f"Betrokkene {party.name} verwijderd.")

    def add_note(self) -> None:
        if self.case is None:
            return
        try:
            case = self.service.add_note(self.case.reference, self.note_edit.text())
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.note_edit.clear()
        self._after_change(case, "Notitie toegevoegd.")
