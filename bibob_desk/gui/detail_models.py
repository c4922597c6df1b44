"""Small table models for the parts of one case: parties, timeline and documents.

They show the rows of the ``CaseView`` the detail view just read from the service.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from bibob_desk.domain.letters import document_status_label, document_type_label
from bibob_desk.domain.parties import PARTY_KIND_LABELS, PartyKind
from bibob_desk.services.cases import DocumentView, PartyView, TimelineView

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel, Generic[T]):
    """Read-only rows with one text function per column."""

    columns: Sequence[tuple[str, Callable[[Any], str]]] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index.row()) if index.isValid() else None
        if item is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self.columns[index.column()][1](item)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None


def local_time(moment: datetime) -> str:
    """Stored timestamps are naive UTC; officers read their own clock."""
    return moment.replace(tzinfo=UTC).astimezone().strftime("%d-%m-%Y %H:%M")


def _kind_label(kind: str) -> str:
    try:
        return PARTY_KIND_LABELS[PartyKind(kind)]
    except ValueError:
        return kind


class PartyTableModel(RowsModel[PartyView]):
    columns = (
        ("Naam", lambda p: p.name),
        ("Rol", lambda p: p.role_label),
        ("Soort", lambda p: _kind_label(p.kind)),
        ("KvK-nummer", lambda p: p.kvk_number or ""),
        ("Geboortedatum", lambda p: p.birth_date.strftime("%d-%m-%Y") if p.birth_date else ""),
        ("Adres", lambda p: p.address),
    )


class TimelineTableModel(RowsModel[TimelineView]):
    columns = (
        ("Wanneer", lambda t: local_time(t.occurred_at)),
        ("Wie", lambda t: t.user),
        ("Soort", lambda t: t.kind.capitalize()),
        ("Wat", lambda t: t.text),
    )


class DocumentTableModel(RowsModel[DocumentView]):
    columns = (
        ("Titel", lambda d: d.title),
        ("Soort", lambda d: document_type_label(d.doc_type)),
        ("Status", lambda d: document_status_label(d.status)),
        ("Bestand", lambda d: d.filename),
        ("Auteur", lambda d: d.author),
        ("Aangemaakt", lambda d: local_time(d.created_at)),
    )
