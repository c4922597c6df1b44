"""Windowed loading shared by the long lists (cases, overview, tips): rows come from the
database a page at a time as the view scrolls (``canFetchMore``/``fetchMore``), never all at once.

A subclass says how to read one page (``fetch_page``) and may react to appended rows
(``rows_appended``); the count is kept so the view knows when to stop asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex

from bibob_desk.gui.rows_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex


class PagedTableModel(RowsTableModel):
    def __init__(self, page_size: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._total = 0
        self._loaded = False

    @property
    def total(self) -> int:
        """All rows matching the filter (not only those fetched so far)."""
        return self._total

    @property
    def loaded(self) -> bool:
        """Whether the rows were read at least once."""
        return self._loaded

    def fetch_page(self, offset: int) -> Sequence[Any]:
        """Read ``page_size`` rows from ``offset`` with the current filter and order."""
        raise NotImplementedError

    def rows_appended(self, count: int) -> None:
        """Called after ``count`` rows were added at the end (e.g. to grow a cache)."""

    def replace_rows(self, total: int, rows: Sequence[Any]) -> None:
        """Show a new first window (after a filter, sort or outside change)."""
        self.beginResetModel()
        self._total = total
        self._rows = list(rows)
        self._loaded = True
        self.rows_appended(len(self._rows))
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        page = self.fetch_page(len(self._rows))
        if not page:
            # Rows left the filter since the count (closed or destroyed meanwhile): stop asking.
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.rows_appended(len(page))
        self.endInsertRows()
