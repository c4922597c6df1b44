"""The "Vernietiging" page: closed files past the retention period, destroyed by a team lead.

The rules (who may, which cases are due, what is removed) live in services/retention.py.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.areas import area_label
from bibob_desk.domain.errors import BibobError, PermissionDenied
from bibob_desk.domain.retention import retention_rule
from bibob_desk.domain.values import format_date_nl
from bibob_desk.gui import errors
from bibob_desk.gui.rows_model import RowsTableModel
from bibob_desk.services.context import AppContext
from bibob_desk.services.retention import (
    RetentionCandidate,
    destroy_cases,
    due_for_destruction,
    retention_years,
)

Index = QModelIndex | QPersistentModelIndex


class RetentionTableModel(RowsTableModel):
    HEADERS = ("Zaak", "Titel", "Gebied", "Gesloten op", "Te vernietigen vanaf")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        c: RetentionCandidate = self.row_at(index.row())
        return (
            c.reference,
            c.title,
            area_label(c.area),
            format_date_nl(c.closed_on),
            format_date_nl(c.due_on),
        )[index.column()]


class RetentionPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.model = RetentionTableModel(self)
        layout = QVBoxLayout(self)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.destroy_button = QPushButton("Geselecteerde zaken vernietigen…", self)
        self.destroy_button.clicked.connect(self.destroy_selected)
        row.addStretch(1)
        row.addWidget(self.destroy_button)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = due_for_destruction(self.context)
            years = retention_years(self.context)
        except PermissionDenied as exc:
            self.model.set_rows([])
            self.info.setText(str(exc))
            self.table.hide()
            self.destroy_button.hide()
            return
        except BibobError as exc:
            self.model.set_rows([])
            self.info.setText(str(exc))
            return
        self.table.show()
        self.destroy_button.show()
        self.model.set_rows(rows)
        self.info.setText(
            f"Gesloten en ingetrokken zaken waarvan de bewaartermijn ({years} jaar na sluiting) "
            f"is verstreken: {len(rows)}. Vernietigen verwijdert de persoonsgegevens; alleen een "
            "anonieme telling voor de jaarcijfers blijft bewaard. Regel: "
            f"{retention_rule(years)}."
        )

    def selected_references(self) -> list[str]:
        return [
            self.model.row_at(i.row()).reference for i in self.table.selectionModel().selectedRows()
        ]

    def destroy_selected(self) -> None:
        refs = self.selected_references()
        if not refs:
            errors.show_error(self, "Kies eerst de zaken die u wilt vernietigen.")
            return
        question = (
            f"{len(refs)} zaak/zaken definitief vernietigen ({', '.join(refs[:5])}"
            f"{', …' if len(refs) > 5 else ''})? Dit kan niet ongedaan worden gemaakt."
        )
        if not errors.ask(self, "Zaken vernietigen", question, "Vernietigen"):
            return
        try:
            report = destroy_cases(self.context, refs)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.refresh()
        errors.show_info(
            self,
            "Vernietigd",
            f"{len(report.references)} zaken vernietigd; de vernietiging is gelogd.",
        )
