"""The "Beleid" page: the policy versions, one version in full, and adding a new version.

A new version starts as a copy of the version in force; the administrator edits the threshold,
the areas, risk areas, risk categories and the effective date. The policy service refuses anyone
who is not an administrator and validates the document; this page only collects the input.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.policy import (
    AREA_SCOPE_LABELS,
    COMPARISON_LABELS,
    AreaScope,
    Comparison,
    Policy,
    parse_policy,
    policy_to_dict,
    policy_warnings,
)
from bibob_desk.domain.roles import Role
from bibob_desk.domain.values import format_date_nl
from bibob_desk.gui import errors
from bibob_desk.gui.form_guard import GuardedDialog
from bibob_desk.gui.styling import fit_columns
from bibob_desk.services.access import current_role
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService, PolicyVersionView

_ROOT = QModelIndex()  # the invisible root: a shared default argument
VERSION_COLUMNS = ("Versie", "Naam", "Geldig vanaf", "Toegevoegd door", "Toegevoegd op")

_SCOPE_KEYS = {
    AreaScope.MANDATORY: "mandatory_areas",
    AreaScope.THRESHOLD: "threshold_areas",
    AreaScope.OPTIONAL: "optional_areas",
}


class PolicyVersionModel(QAbstractTableModel):
    def __init__(self, service: PolicyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[PolicyVersionView] = []

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.service.list()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(VERSION_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return VERSION_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        return (
            row.version,
            row.name,
            format_date_nl(row.effective_from),
            row.created_by,
            row.created_at.strftime("%d-%m-%Y %H:%M"),
        )[index.column()]


def _amount_text(value: str | None) -> str:
    return value or ""


class PolicyEditDialog(GuardedDialog):
    """Edit a copy of a policy into a new version. ``document()`` is what is sent to the service."""

    def __init__(self, base: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base = base
        self.added: PolicyVersionView | None = None
        self.service: PolicyService | None = None
        self.setWindowTitle("Nieuwe beleidsversie")
        self.setMinimumSize(720, 640)
        document = policy_to_dict(base)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorBanner")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        self.name_edit = QLineEdit(base.name, self)
        self.version_edit = QLineEdit("", self)
        self.version_edit.setPlaceholderText(f"nieuw versienummer (huidige: {base.version})")
        self.date_edit = QLineEdit("", self)
        self.date_edit.setPlaceholderText("dd-mm-jjjj")
        self.organisation_edit = QLineEdit(base.organisation, self)
        self.threshold_edit = QLineEdit(document["threshold"]["amount"], self)
        self.comparison_combo = QComboBox(self)
        for comparison in Comparison:
            self.comparison_combo.addItem(COMPARISON_LABELS[comparison], comparison.value)
        self.comparison_combo.setCurrentIndex(self.comparison_combo.findData(base.comparison.value))
        self.tip_check = QCheckBox("Een tip (art. 26 Wet Bibob) maakt de toets verplicht", self)
        self.tip_check.setChecked(base.tip_makes_mandatory)
        form.addRow("&Naam", self.name_edit)
        form.addRow("&Versie", self.version_edit)
        form.addRow("&Geldig vanaf", self.date_edit)
        form.addRow("&Organisatie", self.organisation_edit)
        threshold = QHBoxLayout()
        threshold.addWidget(self.comparison_combo)
        threshold.addWidget(self.threshold_edit)
        form.addRow("Drempel bouwsom (excl. btw)", threshold)
        form.addRow("", self.tip_check)

        areas_box = QGroupBox("Toepassingsgebieden", self)
        grid = QGridLayout(areas_box)
        self.area_combos: dict[str, QComboBox] = {}
        for row, (code, label) in enumerate(AREAS.items()):
            combo = QComboBox(areas_box)
            for scope in AreaScope:
                combo.addItem(AREA_SCOPE_LABELS[scope], scope.value)
            combo.setCurrentIndex(combo.findData(base.scope(code).value))
            grid.addWidget(QLabel(label, areas_box), row, 0)
            grid.addWidget(combo, row, 1)
            self.area_combos[code] = combo

        self.risk_areas_edit = QPlainTextEdit(self)
        self.risk_areas_edit.setPlaceholderText(
            "één per regel: postcode(reeks); naam; lagere drempel"
        )
        self.risk_areas_edit.setPlainText(
            "\n".join(
                f"{a['postcodes']}; {a['label']}; {_amount_text(a['threshold'])}".rstrip("; ")
                for a in document["risk_areas"]
            )
        )
        self.risk_tags_edit = QPlainTextEdit(self)
        self.risk_tags_edit.setPlaceholderText("één per regel: code; omschrijving; lagere drempel")
        self.risk_tags_edit.setPlainText(
            "\n".join(
                f"{t['code']}; {t['label']}; {_amount_text(t['threshold'])}".rstrip("; ")
                for t in document["risk_tags"]
            )
        )
        self.sources_edit = QPlainTextEdit(base.legal_sources, self)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(form)
        body_layout.addWidget(areas_box)
        body_layout.addWidget(QLabel("Risicogebieden (bv. 7811-7815; Centrum; 100000)", body))
        body_layout.addWidget(self.risk_areas_edit)
        body_layout.addWidget(
            QLabel("Risicocategorieën (bv. horeca; Horeca; leeg = elke bouwsom)", body)
        )
        body_layout.addWidget(self.risk_tags_edit)
        body_layout.addWidget(QLabel("Bronnen", body))
        body_layout.addWidget(self.sources_edit)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Versie toevoegen")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.guard()  # Escape with typed input asks first

    @staticmethod
    def _lines(text: str, first_key: str) -> list[dict[str, Any]]:
        """ "a; b; c" per line -> {first_key: a, "label": b, "threshold": c or None}."""
        items: list[dict[str, Any]] = []
        for line in text.splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            parts += [""] * (3 - len(parts))
            items.append({first_key: parts[0], "label": parts[1], "threshold": parts[2] or None})
        return items

    def document(self) -> dict[str, Any]:
        document = policy_to_dict(self.base)
        document.update(
            name=self.name_edit.text(),
            version=self.version_edit.text(),
            effective_from=self.date_edit.text(),
            organisation=self.organisation_edit.text(),
            tip_makes_mandatory=self.tip_check.isChecked(),
            legal_sources=self.sources_edit.toPlainText(),
            risk_areas=self._lines(self.risk_areas_edit.toPlainText(), "postcodes"),
            risk_tags=self._lines(self.risk_tags_edit.toPlainText(), "code"),
        )
        document["threshold"] = {
            **document["threshold"],
            "amount": self.threshold_edit.text(),
            "comparison": self.comparison_combo.currentData(),
        }
        for key in _SCOPE_KEYS.values():
            document[key] = []
        for code, combo in self.area_combos.items():
            scope = AreaScope(combo.currentData())
            if scope in _SCOPE_KEYS:
                document[_SCOPE_KEYS[scope]].append(code)
        return document

    def accept(self) -> None:
        if self.service is None:
            super().accept()
            return
        try:
            document = self.document()
            # Valid but probably not meant (letters at a range end): say so once, save on the
            # second click, as ``bibob-desk policy add`` warns.
            warnings = policy_warnings(parse_policy(document))
            if warnings and getattr(self, "_warned", None) != warnings:
                self._warned = warnings
                self.error_label.setText(
                    "Let op: " + " ".join(warnings) + " Klik nogmaals om toch op te slaan."
                )
                self.error_label.show()
                return
            self.added = self.service.add_version(document)
        except BibobError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        super().accept()


class PolicyAdminPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = PolicyService(context)
        self.model = PolicyVersionModel(self.service, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        fit_columns(self.table, stretch=[1])
        self.detail = QPlainTextEdit(self)
        self.detail.setReadOnly(True)
        self.new_button = QPushButton("Nieuwe versie…", self)
        self.role_label = QLabel(self)
        self.role_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(
            QLabel(
                "<b>Bibob-beleid</b>: elke versie blijft bewaard; een zaak wordt "
                "getoetst met de versie die gold op de aanvraagdatum.",
                self,
            ),
            1,
        )
        top.addWidget(self.new_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([420, 520])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.role_label)
        layout.addWidget(splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.new_button.clicked.connect(self.new_version)
        self.refresh()

    def refresh(self) -> None:
        try:
            role = current_role(self.context)
        except BibobError:
            role = None
        self.role_label.setText(
            ""
            if role is Role.BEHEERDER
            else "Alleen een beheerder kan een nieuwe versie toevoegen; u kunt de versies bekijken."
        )
        self.model.reload()
        if self.model.rows:
            self.table.selectRow(len(self.model.rows) - 1)

    def selected(self) -> PolicyVersionView | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail.setPlainText("")
            return
        view = self.model.rows[current.row()]
        lines = view.policy.summary_lines()
        lines.append(
            f"Toegevoegd door {view.created_by} op {view.created_at.strftime('%d-%m-%Y %H:%M')}."
        )
        self.detail.setPlainText("\n".join(lines))

    def make_dialog(self) -> PolicyEditDialog:
        dialog = PolicyEditDialog(self.service.current().policy, self)
        dialog.service = self.service
        return dialog

    def exec_dialog(self, dialog: PolicyEditDialog) -> bool:
        """Run modally (tests replace this to drive the dialog)."""
        return bool(dialog.exec())

    def new_version(self) -> None:
        try:
            dialog = self.make_dialog()
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        if self.exec_dialog(dialog) and dialog.added is not None:
            self.refresh()
            for row, view in enumerate(self.model.rows):
                if view.id == dialog.added.id:
                    self.table.selectRow(row)
