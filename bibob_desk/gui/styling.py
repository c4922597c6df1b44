"""The application's look: style sheet, icon and the 'invalid field' marking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHeaderView,
    QScrollArea,
    QTableView,
    QWidget,
)

from bibob_desk.paths import resource_path

INVALID_PROPERTY = "invalid"


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons/bibob-desk.png")))


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    sheet = resource_path("styles/bibob-desk.qss")
    if sheet.exists():
        app.setStyleSheet(sheet.read_text(encoding="utf-8"))


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Flag a field as wrong; the style sheet draws it with a red border."""
    widget.setProperty(INVALID_PROPERTY, invalid)
    # A dynamic property only restyles after the style is re-applied to the widget.
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def is_marked_invalid(widget: QWidget) -> bool:
    return bool(widget.property(INVALID_PROPERTY))


def scrollable(widget: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """Wrap a feature page or panel so its minimum size never forces the whole window wider
    (or taller) than the screen; it scrolls instead."""
    area = scroll_area(parent)
    area.setWidget(widget)
    return area


def scroll_area(parent: QWidget | None = None) -> QScrollArea:
    """The empty scroll area of ``scrollable``: a lazily built page or panel goes in later."""
    area = QScrollArea(parent)
    area.setObjectName("featureScroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    return area


def fit_columns(
    view: QTableView, stretch: Iterable[int], widths: Mapping[int, int] | None = None
) -> None:
    """Make a table's columns share its width, so it never scrolls sideways.

    The ``stretch`` columns (long texts: titles, names, addresses) divide what is left; the
    columns in ``widths`` keep that width (large paged tables, where measuring every cell would
    cost time); the others are as wide as their contents. The tooltip shows a cut-off text.
    """
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(40)
    model = view.model()
    count = model.columnCount() if model is not None else 0
    wide = set(stretch)
    for column in range(count):
        if column in wide:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        elif widths and column in widths:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            view.setColumnWidth(column, widths[column])
        else:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
