"""The case list as a Qt table model over database queries.

Rows are fetched a page at a time (``canFetchMore``/``fetchMore``) so 100,000 cases open as fast
as 100; sorting and filtering re-query the database instead of sorting rows in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from bibob_desk.domain.errors import NotFoundError
from bibob_desk.domain.money import format_money
from bibob_desk.gui.paged_model import PagedTableModel
from bibob_desk.services.cases import SORT_KEYS, CaseFilter, CaseService, CaseView

PAGE_SIZE = 200
REFERENCE_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str  # the CaseService.list(order_by=...) key
    value: Callable[[CaseView], str]
    align_right: bool = False


def _applicant(case: CaseView) -> str:
    applicant = case.applicant
    return applicant.name if applicant else ""


COLUMNS: tuple[Column, ...] = (
    Column("Zaaknummer", "reference", lambda c: c.reference),
    Column("Titel", "title", lambda c: c.title),
    Column("Aanvrager", "applicant", _applicant),
    Column("Toepassingsgebied", "area", lambda c: c.area_label),
    Column("Fase", "phase", lambda c: c.phase_label),
    Column("Behandelaar", "officer", lambda c: c.officer),
    Column("Aanvraagdatum", "application_date", lambda c: c.application_date.strftime("%d-%m-%Y")),
    Column(
        "Bouwsom",
        "bouwsom",
        lambda c: format_money(c.bouwsom) if c.bouwsom is not None else "",
        align_right=True,
    ),
    Column("Postcode", "postcode", lambda c: c.postcode or ""),
)


def column_is_sortable(column: int) -> bool:
    """Only columns the service can ORDER BY; the others keep the current order."""
    return 0 <= column < len(COLUMNS) and COLUMNS[column].sort_key in SORT_KEYS


class CaseTableModel(PagedTableModel):
    """Cases matching ``case_filter``, loaded in pages of ``page_size`` rows."""

    total_changed = Signal(int)

    def __init__(self, service: CaseService, page_size: int = PAGE_SIZE) -> None:
        super().__init__(page_size)
        self._service = service
        self._filter = CaseFilter()
        self._order_by = "reference"
        self._descending = True  # newest cases first

    # --- what is shown ---------------------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    @property
    def order(self) -> tuple[str, bool]:
        return self._order_by, self._descending

    def set_filter(self, case_filter: CaseFilter) -> None:
        self._filter = case_filter
        self.reload()

    def reload(self) -> None:
        """Count again and fetch the first page (after a filter, sort or outside change)."""
        total = self._service.count(self._filter)
        self.replace_rows(total, self.fetch_page(0))
        self.total_changed.emit(self._total)

    def fetch_page(self, offset: int) -> list[CaseView]:
        return self._service.list(
            self._filter,
            offset=offset,
            limit=self._page_size,
            order_by=self._order_by,
            descending=self._descending,
        )

    def case_at(self, row: int) -> CaseView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, reference: str) -> int | None:
        """The row of a case among the rows fetched so far."""
        return next((i for i, c in enumerate(self._rows) if c.reference == reference), None)

    def refresh_case(self, reference: str) -> None:
        """Re-read one case after an edit, without losing the rows already fetched."""
        row = self.row_of(reference)
        if row is None:
            return
        try:
            self._rows[row] = self._service.get(reference)
        except NotFoundError:  # handed to a colleague: no longer this user's to see
            self.reload()
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # --- windowed loading --------------------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        case = self.case_at(index.row()) if index.isValid() else None
        if case is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.value(case)
        if role == REFERENCE_ROLE:
            return case.reference
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole and not column_is_sortable(section):
            return "Op deze kolom kan (nog) niet worden gesorteerd."
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not column_is_sortable(column):
            return
        self._order_by = COLUMNS[column].sort_key
        self._descending = order == Qt.SortOrder.DescendingOrder
        # Before the first reload (the view setting its sort indicator while being built) only
        # the order is taken: querying then would count all cases once more for nothing.
        if self._loaded:
            self.reload()
