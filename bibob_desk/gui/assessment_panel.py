"""The "Toepasbaarheid" tab of a case: the current outcome with its reasons, the policy used,
the risk categories of the case, the history of assessments and "Opnieuw toetsen"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.applicability import Outcome
from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.values import format_date_nl
from bibob_desk.gui import errors
from bibob_desk.gui.intake_wizard import OUTCOME_COLOURS
from bibob_desk.gui.styling import fit_columns
from bibob_desk.services.assessment import AssessmentService, AssessmentView
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService

INPUT_LABELS = {
    "area": "toepassingsgebied",
    "application_date": "aanvraagdatum",
    "bouwsom": "bouwsom",
    "postcode": "postcode",
    "risk_tags": "risicocategorieën",
    "tip": "tip",
}
_ROOT = QModelIndex()  # the invisible root: a shared default argument
HISTORY_COLUMNS = ("Getoetst op", "Door", "Uitkomst", "Regel", "Beleid")


class AssessmentHistoryModel(QAbstractTableModel):
    """The assessments of one case, newest first (asked from the service per case)."""

    def __init__(self, service: AssessmentService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[AssessmentView] = []

    def load(self, reference: str | None) -> None:
        self.beginResetModel()
        self.rows = self.service.history(reference) if reference else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HISTORY_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HISTORY_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                row.assessed_at.strftime("%d-%m-%Y %H:%M"),
                row.assessed_by,
                row.outcome_label,
                row.rule_label,
                f"{row.policy_name}, versie {row.policy_version}",
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(row.reasons)
        return None


class AssessmentPanel(QWidget):
    case_changed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = AssessmentService(context)
        self.policies = PolicyService(context)
        self.reference: str | None = None

        self.outcome_label = QLabel(self)
        self.outcome_label.setObjectName("assessmentOutcome")
        self.outcome_label.setTextFormat(Qt.TextFormat.RichText)
        self.outcome_label.setWordWrap(True)
        self.policy_label = QLabel(self)
        self.policy_label.setWordWrap(True)
        self.reasons_label = QLabel(self)
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reassess_button = QPushButton("Opnieuw toetsen", self)
        self.copy_button = QPushButton("Motivering kopiëren", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reassess_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)

        tags_box = QGroupBox("Risicocategorieën van deze zaak", self)
        self.risk_list = QListWidget(tags_box)
        self.risk_list.setMaximumHeight(120)
        self.save_tags_button = QPushButton("Opslaan en opnieuw toetsen", tags_box)
        tags_layout = QVBoxLayout(tags_box)
        tags_layout.addWidget(self.risk_list)
        tags_layout.addWidget(self.save_tags_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.history_model = AssessmentHistoryModel(self.service, self)
        self.history_view = QTableView(self)
        self.history_view.setModel(self.history_model)
        self.history_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.verticalHeader().hide()
        self.history_view.setWordWrap(False)
        fit_columns(self.history_view, stretch=[3, 4])
        self.history_reasons = QLabel(self)
        self.history_reasons.setWordWrap(True)
        self.history_reasons.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(self.outcome_label)
        top_layout.addWidget(self.policy_label)
        top_layout.addWidget(self.reasons_label)
        top_layout.addLayout(buttons)
        top_layout.addWidget(tags_box)
        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.addWidget(QLabel("<b>Eerdere toetsen</b> (worden nooit overschreven)", self))
        bottom_layout.addWidget(self.history_view, 1)
        bottom_layout.addWidget(self.history_reasons)
        top_scroll = QScrollArea(self)
        top_scroll.setWidgetResizable(True)
        top_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        top_scroll.setWidget(top)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top_scroll)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        splitter.setSizes([520, 220])

        self.reassess_button.clicked.connect(self.reassess)
        self.copy_button.clicked.connect(self.copy_reasons)
        self.save_tags_button.clicked.connect(self.save_tags)
        self.history_view.selectionModel().currentRowChanged.connect(self._history_selected)
        self.set_case(None)

    def set_case(self, reference: str | None) -> None:
        self.reference = reference
        enabled = reference is not None
        for widget in (self.reassess_button, self.copy_button, self.save_tags_button):
            widget.setEnabled(enabled)
        self.history_reasons.setText("")
        if reference is None:
            self.outcome_label.setText("<i>Geen zaak gekozen.</i>")
            self.policy_label.setText("")
            self.reasons_label.setText("")
            self.risk_list.clear()
            self.history_model.load(None)
            return
        current = self.service.current(reference)
        if current is None:
            self.outcome_label.setText(
                "<i>Nog niet getoetst.</i> Kies 'Opnieuw toetsen' om de toepasbaarheid te bepalen."
            )
            self.policy_label.setText("")
            self.reasons_label.setText("")
        else:
            colour = OUTCOME_COLOURS.get(Outcome(current.outcome), "#000")
            self.outcome_label.setText(
                f"<b style='color:{colour}; font-size:14pt'>{current.outcome_label}</b>"
                f"<br><span style='color:#555'>Regel: {current.rule_label} "
                f"({current.rule})</span>"
            )
            self.policy_label.setText(
                f"Beleid: {current.policy_name}, versie {current.policy_version}, geldend vanaf "
                f"{format_date_nl(current.policy_effective_from)}. Getoetst op "
                f"{current.assessed_at.strftime('%d-%m-%Y %H:%M')} door {current.assessed_by}."
            )
            self.reasons_label.setText("\n".join(f"• {r}" for r in current.reasons))
        self._fill_tags(reference)
        self.history_model.load(reference)

    def _fill_tags(self, reference: str) -> None:
        inputs = self.service.inputs(reference)
        self.risk_list.clear()
        try:
            tags = list(self.policies.in_force(inputs.application_date).risk_tags)
        except BibobError:
            tags = []
        known = {t.code for t in tags}
        entries = [(t.code, t.label or t.code) for t in tags]
        # Tags on the case that this policy does not know stay visible (and can be removed).
        entries += [
            (code, f"{code} (geen risicocategorie in dit beleid)")
            for code in inputs.risk_tags
            if code not in known
        ]
        for code, label in entries:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if code in inputs.risk_tags else Qt.CheckState.Unchecked
            )
            self.risk_list.addItem(item)

    def checked_tags(self) -> list[str]:
        return [
            str(self.risk_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.risk_list.count())
            if self.risk_list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_tag_checked(self, code: str, checked: bool = True) -> None:
        for row in range(self.risk_list.count()):
            item = self.risk_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def reassess(self) -> None:
        if self.reference is None:
            return
        try:
            self.service.reassess(self.reference)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.set_case(self.reference)
        self.case_changed.emit(self.reference)

    def save_tags(self) -> None:
        if self.reference is None:
            return
        try:
            self.service.set_risk_tags(self.reference, self.checked_tags())
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.set_case(self.reference)
        self.case_changed.emit(self.reference)

    def copy_reasons(self) -> None:
        current = self.service.current(self.reference) if self.reference else None
        if current is None:
            return
        text = (
            f"Toepasbaarheid Wet Bibob: {current.outcome_label} (regel {current.rule}).\n"
            f"Beleid: {current.policy_name}, versie {current.policy_version}.\n"
            + "\n".join(f"- {r}" for r in current.reasons)
        )
        QGuiApplication.clipboard().setText(text)

    def _history_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.history_reasons.setText("")
            return
        row = self.history_model.rows[current.row()]
        inputs = row.inputs
        given = "; ".join(
            f"{INPUT_LABELS.get(k, k)}: {', '.join(v) if isinstance(v, list) else v}"
            for k, v in inputs.items()
            if v not in (None, [], False, "")
        )
        self.history_reasons.setText(
            f"Invoer: {given}\n" + "\n".join(f"• {r}" for r in row.reasons)
        )
