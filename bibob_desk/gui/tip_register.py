"""The "Tipregister" page: incoming and outgoing article 26 tips, with an add/edit dialog.

Only a medewerker Bibob or teamleider sees tip contents; for anyone else the page shows the
service's Dutch refusal instead of the table. Every page of rows read is audited by the service.
A medewerker sees the tips of their own cases; a team lead also gets the list *Te koppelen*:
matches on cases the registering officer may not see, which the team lead links.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, PermissionDenied
from bibob_desk.domain.roles import Role
from bibob_desk.domain.tips import COUNTERPART_KIND_LABELS, DIRECTION_LABELS
from bibob_desk.domain.values import format_date_nl
from bibob_desk.gui import errors
from bibob_desk.gui.form_guard import GuardedDialog
from bibob_desk.gui.paged_model import PagedTableModel
from bibob_desk.gui.rows_model import RowsTableModel
from bibob_desk.services.access import current_roles
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import PendingLink, TipInput, TipService, TipView

Index = QModelIndex | QPersistentModelIndex
DATE_FORMAT = "%d-%m-%Y"  # dd-mm-jjjj in every form
BATCH = 200


class TipTableModel(PagedTableModel):
    """Tips from the service in batches of ``BATCH`` (fetched when the view scrolls)."""

    HEADERS = ("Datum", "Richting", "Organisatie", "Onderwerp", "KvK", "Zaak", "Opvolging")

    def __init__(self, service: TipService, parent: QWidget | None = None) -> None:
        super().__init__(BATCH, parent)
        self.service = service
        self.direction: str | None = None

    def reload(self, direction: str | None = None) -> None:
        """Raises PermissionDenied for users who may not see tips."""
        self.direction = direction
        try:
            total = self.service.count(direction)
            rows = self.fetch_page(0) if total else []
        except BibobError:
            self.replace_rows(0, [])
            raise
        self.replace_rows(total, rows)

    def fetch_page(self, offset: int) -> list[TipView]:
        return self.service.list(self.direction, offset=offset, limit=BATCH)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        tip = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_date_nl(tip.received_on),
                tip.direction_label,
                tip.counterpart,
                tip.subject_name,
                tip.subject_kvk or "",
                tip.case_reference or "",
                tip.follow_up,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [tip.summary, tip.confidentiality_note]
            return "\n".join(p for p in parts if p) or None
        return None

    def tip(self, row: int) -> TipView:
        return self._rows[row]


class PendingLinkModel(RowsTableModel):
    """The team leads' list: a tip and a case it matches that nobody linked yet."""

    HEADERS = ("Tip", "Datum", "Onderwerp", "Zaak", "Betrokkene", "Behandelaar", "Vastgelegd door")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        link: PendingLink = self.row_at(index.row())
        return (
            f"nr. {link.tip_id}",
            format_date_nl(link.received_on),
            link.tip_subject,
            link.case_reference,
            link.party_name,
            link.case_officer,
            link.tip_registered_by,
        )[index.column()]


class TipDialog(GuardedDialog):
    """Add or edit one tip. Validation is the service's; errors are shown and the dialog stays."""

    def __init__(self, tip: TipView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tip wijzigen" if tip else "Tip toevoegen")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.direction_combo = QComboBox()
        for direction, label in DIRECTION_LABELS.items():
            self.direction_combo.addItem(label, direction.value)
        self.date_edit = QLineEdit(date.today().strftime(DATE_FORMAT))
        self.date_edit.setPlaceholderText("dd-mm-jjjj")
        self.counterpart_edit = QLineEdit()
        self.counterpart_edit.setPlaceholderText("Openbaar Ministerie, LBB of bestuursorgaan")
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("Afleiden uit de naam", "")
        for kind, label in COUNTERPART_KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        self.subject_edit = QLineEdit()
        self.kvk_edit = QLineEdit()
        self.birth_edit = QLineEdit()
        self.birth_edit.setPlaceholderText("dd-mm-jjjj, alleen bij een persoon")
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setFixedHeight(70)
        self.confidentiality_edit = QPlainTextEdit()
        self.confidentiality_edit.setFixedHeight(50)
        self.case_edit = QLineEdit()
        self.case_edit.setPlaceholderText("BIB-2026-0001")
        self.follow_up_edit = QPlainTextEdit()
        self.follow_up_edit.setFixedHeight(50)
        form.addRow("Richting", self.direction_combo)
        form.addRow("Datum", self.date_edit)
        form.addRow("Organisatie", self.counterpart_edit)
        form.addRow("Soort organisatie", self.kind_combo)
        form.addRow("Onderwerp (persoon of onderneming)", self.subject_edit)
        form.addRow("KvK-nummer", self.kvk_edit)
        form.addRow("Geboortedatum", self.birth_edit)
        form.addRow("Samenvatting", self.summary_edit)
        form.addRow("Geheimhouding", self.confidentiality_edit)
        form.addRow("Gekoppelde zaak", self.case_edit)
        form.addRow("Opvolging", self.follow_up_edit)
        layout.addLayout(form)
        warning = QLabel(
            "Tipgegevens zijn vertrouwelijk (art. 28 Wet Bibob). Een tip is aanleiding voor "
            "onderzoek, nooit op zichzelf een weigeringsgrond."
        )
        warning.setWordWrap(True)
        layout.addWidget(warning)
        buttons = QDialogButtonBox()
        buttons.addButton("Opslaan", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if tip is not None:
            self._fill(tip)
        self.guard()  # Escape with typed input asks first

    def _fill(self, tip: TipView) -> None:
        self.direction_combo.setCurrentIndex(self.direction_combo.findData(tip.direction))
        self.date_edit.setText(tip.received_on.strftime(DATE_FORMAT))
        self.counterpart_edit.setText(tip.counterpart)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(tip.counterpart_kind)))
        self.subject_edit.setText(tip.subject_name)
        self.kvk_edit.setText(tip.subject_kvk or "")
        self.birth_edit.setText(
            tip.subject_birth_date.strftime(DATE_FORMAT) if tip.subject_birth_date else ""
        )
        self.summary_edit.setPlainText(tip.summary)
        self.confidentiality_edit.setPlainText(tip.confidentiality_note)
        self.case_edit.setText(tip.case_reference or "")
        self.follow_up_edit.setPlainText(tip.follow_up)

    def tip_input(self) -> TipInput:
        return TipInput(
            direction=str(self.direction_combo.currentData()),
            received_on=self.date_edit.text(),
            counterpart=self.counterpart_edit.text(),
            counterpart_kind=str(self.kind_combo.currentData() or ""),
            subject_name=self.subject_edit.text(),
            subject_kvk=self.kvk_edit.text(),
            subject_birth_date=self.birth_edit.text(),
            summary=self.summary_edit.toPlainText(),
            confidentiality_note=self.confidentiality_edit.toPlainText(),
            case_reference=self.case_edit.text(),
            follow_up=self.follow_up_edit.toPlainText(),
        )


def _exec_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


class TipRegisterPage(QWidget):
    """A page next to the case list; ``open_case(reference)`` on a double-click."""

    open_case = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = TipService(context)
        self.run_dialog: Callable[[QDialog], bool] = _exec_dialog

        layout = QVBoxLayout(self)
        title = QLabel("Tipregister (artikel 26 Wet Bibob)")
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(title)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Richting:"))
        self.direction_filter = QComboBox()
        self.direction_filter.addItem("Alle tips", None)
        for direction, label in DIRECTION_LABELS.items():
            self.direction_filter.addItem(label, direction.value)
        self.direction_filter.currentIndexChanged.connect(lambda _=0: self.refresh())
        bar.addWidget(self.direction_filter)
        bar.addStretch(1)
        self.count_label = QLabel()
        bar.addWidget(self.count_label)
        self.add_button = QPushButton("Tip toevoegen…")
        self.add_button.clicked.connect(self.add_tip)
        self.edit_button = QPushButton("Wijzigen…")
        self.edit_button.clicked.connect(self.edit_tip)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        layout.addLayout(bar)

        self.refusal_label = QLabel()
        self.refusal_label.setWordWrap(True)
        self.refusal_label.hide()
        layout.addWidget(self.refusal_label)

        self.model = TipTableModel(self.service, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._double_clicked)
        layout.addWidget(self.table, 1)

        # Team leads only: matches the registering officer could not be shown.
        self.pending_box = QWidget(self)
        pending_layout = QVBoxLayout(self.pending_box)
        pending_layout.setContentsMargins(0, 6, 0, 0)
        pending_bar = QHBoxLayout()
        self.pending_label = QLabel("Te koppelen")
        self.pending_label.setStyleSheet("font-weight: 600;")
        pending_bar.addWidget(self.pending_label)
        pending_bar.addStretch(1)
        self.link_button = QPushButton("Koppelen")
        self.link_button.setToolTip(
            "De tip aan deze zaak koppelen: de zaak krijgt de tipmarkering en een regel in de "
            "tijdlijn (zonder de inhoud van de tip); vastgelegd in het logboek."
        )
        self.link_button.clicked.connect(self.link_selected)
        pending_bar.addWidget(self.link_button)
        pending_layout.addLayout(pending_bar)
        self.pending_model = PendingLinkModel(self)
        self.pending_table = QTableView()
        self.pending_table.setModel(self.pending_model)
        self.pending_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.pending_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.pending_table.verticalHeader().hide()
        self.pending_table.horizontalHeader().setStretchLastSection(True)
        self.pending_table.setMaximumHeight(180)
        pending_layout.addWidget(self.pending_table)
        layout.addWidget(self.pending_box)
        try:
            self.leads = Role.TEAMLEIDER in current_roles(context)
        except BibobError:
            self.leads = False
        self.pending_box.setVisible(self.leads)
        self._loaded = False

    def showEvent(self, event: Any) -> None:
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        self._loaded = True
        try:
            self.model.reload(self.direction_filter.currentData())
        except PermissionDenied as exc:
            self._refuse(str(exc))
            return
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.refusal_label.hide()
        for widget in (self.table, self.add_button, self.edit_button, self.direction_filter):
            widget.setEnabled(True)
        self.table.show()
        total = self.model._total
        self.count_label.setText("1 tip" if total == 1 else f"{total} tips")
        self.table.resizeColumnsToContents()
        if self.leads:
            self._refresh_pending()

    def _refresh_pending(self) -> None:
        try:
            pending = self.service.pending_links()
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.pending_model.set_rows(pending)
        self.pending_label.setText(f"Te koppelen ({len(pending)})")
        self.link_button.setEnabled(bool(pending))
        self.pending_table.resizeColumnsToContents()

    def link_selected(self) -> None:
        rows = self.pending_table.selectionModel().selectedRows()
        if not rows:
            errors.show_error(self, "Kies eerst een regel in de lijst Te koppelen.", "Koppelen")
            return
        link: PendingLink = self.pending_model.row_at(rows[0].row())
        if not errors.ask(
            self,
            "Tip koppelen",
            f"Tip nr. {link.tip_id} ({link.tip_subject}) koppelen aan zaak "
            f"{link.case_reference}? De behandelaar ({link.case_officer or '-'}) ziet de tip "
            "daarna bij de zaak.",
            "Koppelen",
        ):
            return
        try:
            self.service.link(link.tip_id, link.case_reference)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.refresh()

    def _refuse(self, message: str) -> None:
        self.refusal_label.setText(f"Het tipregister is niet beschikbaar: {message}")
        self.refusal_label.show()
        self.table.hide()
        for widget in (self.add_button, self.edit_button, self.direction_filter):
            widget.setEnabled(False)
        self.count_label.setText("")
        self.pending_box.hide()

    def selected_tip(self) -> TipView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.tip(rows[0].row()) if rows else None

    def add_tip(self) -> None:
        self._edit(None)

    def edit_tip(self) -> None:
        tip = self.selected_tip()
        if tip is None:
            errors.show_error(self, "Kies eerst een tip in de lijst.", "Tip wijzigen")
            return
        self._edit(tip)

    def _edit(self, tip: TipView | None) -> None:
        dialog = TipDialog(tip, self)
        while self.run_dialog(dialog):
            try:
                if tip is None:
                    self.service.add(dialog.tip_input())
                else:
                    self.service.edit(tip.id, dialog.tip_input())
            except BibobError as exc:
                errors.show_error(self, exc)
                continue  # keep what was typed; let the user correct it
            self.refresh()
            return

    def _double_clicked(self, index: QModelIndex) -> None:
        tip = self.model.tip(index.row())
        if tip.case_reference:
            self.open_case.emit(tip.case_reference)
        else:
            self.table.selectRow(index.row())
            self.edit_tip()
