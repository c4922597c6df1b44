"""The relations part of the Betrokkenen tab: relations between the case's parties, "Bekend
uit" (other cases, tips and danger conclusions of the last five years) and the network view.

Rules, need-to-know and logging live in ``services/relations.py``; this panel only shows and
collects. "Bekend uit" is read when the officer asks for it (every showing is logged).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.relations import (
    RELATION_LABELS,
    SHARE_BAND_LABELS,
    SOURCE_LABELS,
    RelationKind,
)
from bibob_desk.gui import errors
from bibob_desk.gui.detail_models import RowsModel
from bibob_desk.gui.form_guard import GuardedDialog
from bibob_desk.services.cases import PartyView
from bibob_desk.services.context import AppContext
from bibob_desk.services.relations import (
    HIDDEN_MATCH_TEXT,
    KnownFromParty,
    RelationInput,
    RelationService,
    RelationView,
    describe_period,
)


class RelationTableModel(RowsModel[RelationView]):
    columns = (
        ("Van", lambda r: r.from_name),
        ("Relatie", lambda r: r.relation_label.lower()),
        ("Naar", lambda r: r.to_name),
        ("Belang", lambda r: f"{r.share_band} %" if r.share_band else ""),
        ("Periode", lambda r: describe_period(r.start_date, r.end_date).lstrip(", ")),
        ("Bron", lambda r: r.source_label),
        ("Toelichting", lambda r: r.note),
    )


class RelationDialog(GuardedDialog):
    """Collects a ``RelationInput`` between two parties of the case; "Vastleggen" saves through
    the service before the dialog closes, so a refusal keeps everything typed."""

    def __init__(self, parties: Sequence[PartyView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Relatie vastleggen")
        self.setMinimumWidth(480)
        self.from_combo = QComboBox(self)
        self.to_combo = QComboBox(self)
        seen: set[int] = set()
        for party in parties:
            if party.party_id in seen:
                continue
            seen.add(party.party_id)
            self.from_combo.addItem(party.name, party.party_id)
            if party.kind == "rechtspersoon":
                self.to_combo.addItem(party.name, party.party_id)
        self.relation_combo = QComboBox(self)
        for kind in RelationKind:
            self.relation_combo.addItem(RELATION_LABELS[kind].lower(), kind.value)
        self.share_combo = QComboBox(self)
        self.share_combo.addItem("", "")
        for band, label in SHARE_BAND_LABELS.items():
            self.share_combo.addItem(label, band.value)
        self.source_combo = QComboBox(self)
        for source, label in SOURCE_LABELS.items():
            self.source_combo.addItem(label, source.value)
        self.start_edit = QLineEdit(self)
        self.start_edit.setPlaceholderText("dd-mm-jjjj")
        self.end_edit = QLineEdit(self)
        self.end_edit.setPlaceholderText("dd-mm-jjjj (leeg: loopt nog)")
        self.note_edit = QLineEdit(self)
        self.relation_combo.currentIndexChanged.connect(self._relation_changed)
        form = QFormLayout()
        form.addRow("Betrokkene", self.from_combo)
        form.addRow("is", self.relation_combo)
        form.addRow("van (onderneming)", self.to_combo)
        form.addRow("Belang", self.share_combo)
        form.addRow("Vanaf", self.start_edit)
        form.addRow("Tot en met", self.end_edit)
        form.addRow("Bron", self.source_combo)
        form.addRow("Toelichting", self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Vastleggen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._relation_changed()
        self.fields = {
            "from_party": self.from_combo,
            "to_party": self.to_combo,
            "relation": self.relation_combo,
            "share_band": self.share_combo,
            "start_date": self.start_edit,
            "end_date": self.end_edit,
            "source": self.source_combo,
        }
        self.guard()

    def _relation_changed(self) -> None:
        shareholder = self.relation_combo.currentData() == RelationKind.AANDEELHOUDER.value
        self.share_combo.setEnabled(shareholder)
        if not shareholder:
            self.share_combo.setCurrentIndex(0)

    def relation_input(self) -> RelationInput:
        return RelationInput(
            from_party=str(self.from_combo.currentData() or ""),
            to_party=str(self.to_combo.currentData() or ""),
            relation=str(self.relation_combo.currentData()),
            source=str(self.source_combo.currentData()),
            share_band=str(self.share_combo.currentData() or ""),
            start_date=self.start_edit.text(),
            end_date=self.end_edit.text(),
            note=self.note_edit.text(),
        )


class RelationsPanel(QWidget):
    """Relations of the shown case, "Bekend uit" and the network view."""

    case_changed = Signal(str)
    open_case = Signal(str)
    open_party = Signal(int)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = RelationService(context)
        self.reference: str | None = None
        self.parties: list[PartyView] = []
        self.model = RelationTableModel()
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button = QPushButton("Relatie vastleggen…", self)
        self.remove_button = QPushButton("Relatie verwijderen", self)
        self.network_button = QPushButton("Netwerk…", self)
        self.known_button = QPushButton("Bekend uit tonen", self)
        self.known_button.setToolTip(
            "Andere zaken, tips en gevaarsconclusies van de laatste 5 jaar met deze betrokkenen "
            "(op KvK-nummer, naam en geboortedatum, en via 1 of 2 relaties). Wordt gelogd."
        )
        self.add_button.clicked.connect(self.add_relation)
        self.remove_button.clicked.connect(self.remove_relation)
        self.network_button.clicked.connect(self.show_network)
        self.known_button.clicked.connect(self.show_known_from)
        self.known_tree = QTreeWidget(self)
        self.known_tree.setHeaderLabels(["Bekend uit", "Datum", "Hoe gevonden"])
        self.known_tree.hide()
        self.known_tree.itemDoubleClicked.connect(self._known_item_opened)
        buttons = QHBoxLayout()
        buttons.addWidget(self.known_button)
        buttons.addWidget(self.network_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Relaties (art. 3 lid 4 Wet Bibob)", self))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.known_tree, 1)
        self.dialog: QDialog | None = None

    def set_case(self, reference: str | None, parties: Sequence[PartyView] = ()) -> None:
        self.reference = reference
        self.parties = list(parties)
        self.known_tree.clear()
        self.known_tree.hide()
        if reference is None:
            self.model.set_rows([])
            return
        try:
            self.model.set_rows(self.service.list(reference, log=False))
        except BibobError as exc:
            self.model.set_rows([])
            errors.show_error(self, exc)
        self.table.resizeColumnsToContents()

    def exec_dialog(self, dialog: QDialog) -> bool:
        """Run a dialog modally (tests replace this to drive the dialog themselves)."""
        return bool(dialog.exec())

    def add_relation(self) -> None:
        if self.reference is None:
            return
        reference = self.reference
        dialog = RelationDialog(self.parties, self)

        def submit() -> RelationView:
            return self.service.add(reference, dialog.relation_input())

        dialog.submit = submit
        if not self.exec_dialog(dialog):
            return
        view = dialog.outcome
        if view is None:  # closed without "Vastleggen" (a test driving the dialog)
            try:
                view = submit()
            except BibobError as exc:
                errors.show_error(self, exc)
                return
        self.set_case(self.reference, self.parties)
        self.case_changed.emit(view.case_reference)

    def remove_relation(self) -> None:
        relation = self.model.row_at(self.table.currentIndex().row())
        if self.reference is None or relation is None:
            errors.show_error(self, "Kies eerst de relatie die u wilt verwijderen.")
            return
        if not errors.ask(
            self, "Relatie verwijderen", f"{relation.describe()}: verwijderen?", "Verwijderen"
        ):
            return
        try:
            self.service.remove(self.reference, relation.id)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.set_case(self.reference, self.parties)
        self.case_changed.emit(self.reference)

    def show_known_from(self) -> None:
        if self.reference is None:
            return
        try:
            found = self.service.known_from(self.reference)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.fill_known_from(found)

    def fill_known_from(self, found: Sequence[KnownFromParty]) -> None:
        self.known_tree.clear()
        for party in found:
            top = QTreeWidgetItem([f"{party.name} ({party.role})", "", ""])
            for item in party.items:
                extra = ", ".join(x for x in (item.conclusion, item.decision) if x)
                what = f"{item.kind}: {item.reference} {item.label}"
                if extra:
                    what += f" [{extra}]"
                child = QTreeWidgetItem(
                    [what, item.on.strftime("%d-%m-%Y") if item.on else "", item.how]
                )
                if item.kind != "tip":
                    child.setData(0, Qt.ItemDataRole.UserRole, item.reference)
                top.addChild(child)
            if party.hidden:
                top.addChild(QTreeWidgetItem([HIDDEN_MATCH_TEXT, "", ""]))
            if not party.items and not party.hidden:
                top.addChild(QTreeWidgetItem(["Niet bekend uit andere zaken of tips", "", ""]))
            self.known_tree.addTopLevelItem(top)
        self.known_tree.expandAll()
        self.known_tree.resizeColumnToContents(0)
        self.known_tree.show()

    def _known_item_opened(self, item: QTreeWidgetItem, column: int) -> None:
        reference = item.data(0, Qt.ItemDataRole.UserRole)
        if reference:
            self.open_case.emit(str(reference))

    def show_network(self) -> None:
        if self.reference is None:
            return
        from bibob_desk.gui.network_view import NetworkDialog

        try:
            network = self.service.network(self.reference, 2)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        dialog = NetworkDialog(network, self)
        dialog.open_case.connect(lambda reference: self._open_from_network(dialog, reference))
        dialog.open_party.connect(self.open_party)
        self.dialog = dialog
        self.exec_dialog(dialog)

    def _open_from_network(self, dialog: QDialog, reference: str) -> None:
        dialog.accept()
        self.open_case.emit(reference)
