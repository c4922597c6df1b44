"""The team lead's "Overzicht" page: every case with a traffic light, filters, a side panel.

The table is a QAbstractTableModel that asks the overview service for one window of rows at a
time (``canFetchMore``/``fetchMore``); filters, search and sorting re-query the database (the
search goes through the search index). The side panel shows SQL aggregates as painted bars. The
annual figures are computed on a worker thread so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPaintEvent,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.annual_figures import FIRST_YEAR, AnnualFigures, format_value
from bibob_desk.domain.areas import AREAS, area_label
from bibob_desk.domain.errors import BibobError
from bibob_desk.domain.overview import (
    DEADLINE_STATE_LABELS,
    OUTCOME_LABELS,
    DeadlineState,
    outcome_label,
)
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.gui import errors
from bibob_desk.gui.filter_combos import chosen, filter_combo, refill
from bibob_desk.gui.paged_model import PagedTableModel
from bibob_desk.gui.styling import fit_columns
from bibob_desk.services.context import AppContext
from bibob_desk.services.overview import (
    ApprovalItem,
    OverviewFilter,
    OverviewRow,
    OverviewService,
    OverviewSummary,
)
from bibob_desk.services.report import ReportService
from bibob_desk.storage.files import OutputFileError

PAGE_SIZE = 200
SEARCH_DELAY_MS = 150
REFERENCE_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex

TRAFFIC_COLOURS: dict[DeadlineState, str] = {
    DeadlineState.OVERDUE: "#cf222e",
    DeadlineState.THIS_WEEK: "#d4a72c",
    DeadlineState.FINE: "#2da44e",
}


def _format_deadline(row: OverviewRow) -> str:
    if row.nearest_deadline is None:
        return ""
    text = row.nearest_deadline.strftime("%d-%m-%Y")
    return f"{text}  {row.deadline_kind_label}" if row.nearest_deadline_kind else text


@dataclass(frozen=True)
class Column:
    title: str
    sort_key: str  # OverviewService.rows(order_by=...)
    width: int

    def value(self, row: OverviewRow) -> str:
        if self.sort_key == "area":
            return row.area_label
        if self.sort_key == "phase":
            return row.phase_label
        if self.sort_key == "outcome":
            return row.outcome_label
        if self.sort_key == "nearest_deadline":
            return _format_deadline(row)
        return str(getattr(row, self.sort_key) or "")


COLUMNS: tuple[Column, ...] = (
    Column("Zaaknummer", "reference", 110),
    Column("Titel", "title", 260),  # stretches
    Column("Aanvrager", "applicant", 190),  # stretches
    Column("Toepassingsgebied", "area", 150),
    Column("Fase", "phase", 105),
    Column("Behandelaar", "officer", 95),
    Column("Uitkomst", "outcome", 95),
    Column("Eerstvolgende termijn", "nearest_deadline", 215),
)
DEADLINE_COLUMN = len(COLUMNS) - 1
_TITLE_COLUMN = 1
_APPLICANT_COLUMN = 2

_icon_cache: dict[DeadlineState, QIcon] = {}


def traffic_light_icon(state: DeadlineState) -> QIcon | None:
    """A painted dot: red (te laat), amber (deze week), green (op tijd); none without deadline."""
    colour = TRAFFIC_COLOURS.get(state)
    if colour is None:
        return None
    icon = _icon_cache.get(state)
    if icon is None:
        pixmap = QPixmap(14, 14)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(colour).darker(130))
        painter.setBrush(QColor(colour))
        painter.drawEllipse(1, 1, 12, 12)
        painter.end()
        icon = QIcon(pixmap)
        _icon_cache[state] = icon
    return icon


class OverviewTableModel(PagedTableModel):
    """Cases matching the filter, fetched from the database one window at a time.

    A separate model from the "Zaken" list (gui/case_table_model.py) because its rows are the
    overview's light rows (no parties loaded) with outcome and deadline columns.
    """

    total_changed = Signal(int)

    def __init__(self, service: OverviewService, page_size: int = PAGE_SIZE) -> None:
        super().__init__(page_size)
        self._service = service
        self._filter = OverviewFilter(open_only=True)
        self._order_by = "nearest_deadline"  # the most urgent cases first
        self._descending = False
        # Display texts per row, made once, when a row is first painted (painting asks for them
        # many times; a window has 200 rows, the view shows about 30, and making all texts up
        # front cost ~6 ms per search).
        self._texts: list[tuple[str, ...] | None] = []

    @property
    def overview_filter(self) -> OverviewFilter:
        return self._filter

    @property
    def order(self) -> tuple[str, bool]:
        return self._order_by, self._descending

    def set_filter(self, overview_filter: OverviewFilter) -> None:
        self._filter = overview_filter
        self.reload()

    def reload(self) -> None:
        # Query first: if the database refuses, the model keeps showing the previous rows.
        total, rows = self._service.first_window(
            self._filter,
            limit=self._page_size,
            order_by=self._order_by,
            descending=self._descending,
        )
        self._texts = []
        self.replace_rows(total, rows)
        self.total_changed.emit(self._total)

    def rows_appended(self, count: int) -> None:
        self._texts.extend([None] * count)

    def fetch_page(self, offset: int) -> list[OverviewRow]:
        return self._service.rows(
            self._filter,
            offset=offset,
            limit=self._page_size,
            order_by=self._order_by,
            descending=self._descending,
        )

    def row_at(self, row: int) -> OverviewRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    @staticmethod
    def _display(row: OverviewRow) -> tuple[str, ...]:
        return tuple(column.value(row) for column in COLUMNS)

    def _texts_of(self, number: int) -> tuple[str, ...]:
        texts = self._texts[number]
        if texts is None:
            texts = self._texts[number] = self._display(self._rows[number])
        return texts

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: cheapest checks first.
        number, column = index.row(), index.column()
        if not (0 <= number < len(self._texts) and 0 <= column < len(COLUMNS)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts_of(number)[column]
        if column == DEADLINE_COLUMN:
            if role == Qt.ItemDataRole.DecorationRole:
                return traffic_light_icon(self._rows[number].deadline_state)
            if role == Qt.ItemDataRole.ToolTipRole:
                return DEADLINE_STATE_LABELS[self._rows[number].deadline_state]
        elif role == Qt.ItemDataRole.ToolTipRole:
            return self._texts_of(number)[column]
        if role == REFERENCE_ROLE:
            return self._rows[number].reference
        if role == STATE_ROLE:
            return self._rows[number].deadline_state.value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._order_by = COLUMNS[column].sort_key
        self._descending = order == Qt.SortOrder.DescendingOrder
        # Before the first reload (the page setting its sort indicator while being built) only
        # the order is taken: two extra queries over 100,000 cases at start otherwise.
        if self._loaded:
            self.reload()


class ApprovalTableModel(QAbstractTableModel):
    """Intern advies and besluit drafts waiting for a team lead (a short, bounded query)."""

    HEADERS = ("Zaak", "Brief", "Opgesteld door", "Sinds")

    def __init__(self, service: OverviewService) -> None:
        super().__init__()
        self._service = service
        self._items: list[ApprovalItem] = []

    def reload(self) -> None:
        self.beginResetModel()
        self._items = self._service.awaiting_approval()
        self.endResetModel()

    def item_at(self, row: int) -> ApprovalItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        kind = "Intern advies" if item.doc_type == "intern_advies" else "Besluit"
        values = (
            item.case_reference,
            kind if role == Qt.ItemDataRole.DisplayRole else item.title,
            item.author,
            item.created_at.strftime("%d-%m-%Y"),
        )
        return values[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    alert: int = 0  # the part drawn red (e.g. overdue cases)
    colour: str = "#3b6ea8"


class BarChart(QWidget):
    """Horizontal bars, painted: a team lead compares lengths faster than reads numbers."""

    ROW_HEIGHT = 20
    LABEL_HEIGHT = 17  # the label on its own line above the bar: the whole width for it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: tuple[Bar, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = tuple(bars)
        self.setFixedHeight(self._height())
        self.setToolTip("\n".join(f"{b.label}: {b.value}" for b in self.bars))
        self.update()

    @staticmethod
    def value_text(bar: Bar) -> str:
        return f"{bar.value} ({bar.alert} te laat)" if bar.alert else str(bar.value)

    def _height(self) -> int:
        return max(1, len(self.bars)) * (self.ROW_HEIGHT + self.LABEL_HEIGHT) + 4

    def sizeHint(self) -> QSize:
        return QSize(260, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self._height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.bars:
            painter.setPen(QColor("#6e7781"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft, "Geen lopende zaken")
            painter.end()
            return
        width = self.width()
        label_width = 0  # bars start at the left edge, under their label
        metrics = painter.fontMetrics()
        texts = [self.value_text(b) for b in self.bars]
        number_width = max(metrics.horizontalAdvance(t) for t in texts) + 8
        bar_space = max(10, width - label_width - number_width - 4)
        largest = max((b.value for b in self.bars), default=1) or 1
        for i, bar in enumerate(self.bars):
            label_top = 2 + i * (self.ROW_HEIGHT + self.LABEL_HEIGHT)
            top = label_top + self.LABEL_HEIGHT
            painter.setPen(QColor("#24292f"))
            # Cut in the middle if at all: "Omgevingsvergunning … milieubelastende activiteit"
            # stays apart from "… bouwactiviteit".
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, width - 2)
            painter.drawText(
                QRect(0, label_top, width, self.LABEL_HEIGHT),
                Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft,
                label,
            )
            length = round(bar_space * bar.value / largest)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(bar.colour))
            painter.drawRoundedRect(label_width, top + 4, max(length, 2), self.ROW_HEIGHT - 8, 2, 2)
            if bar.alert:
                red = round(bar_space * bar.alert / largest)
                painter.setBrush(QColor(TRAFFIC_COLOURS[DeadlineState.OVERDUE]))
                painter.drawRoundedRect(
                    label_width, top + 4, max(red, 2), self.ROW_HEIGHT - 8, 2, 2
                )
            painter.setPen(QColor("#24292f"))
            painter.drawText(
                QRect(label_width + length + 4, top, number_width, self.ROW_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                texts[i],
            )
        painter.end()


class SidePanel(QScrollArea):
    approve_requested = Signal(int)
    open_requested = Signal(str)

    def __init__(self, service: OverviewService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(300)
        # Bars and texts follow the panel's width: it never scrolls sideways.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(6, 6, 6, 6)

        def group(title: str, widget: QWidget) -> QGroupBox:
            box = QGroupBox(title, inner)
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(6, 6, 6, 6)
            box_layout.addWidget(widget)
            layout.addWidget(box)
            return box

        self.open_label = QLabel(inner)
        bold = QFont(self.open_label.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.3)
        bold.setBold(True)
        self.open_label.setFont(bold)
        layout.addWidget(self.open_label)
        self.approval_placeholder = QVBoxLayout()
        layout.addLayout(self.approval_placeholder)
        self.deadline_chart = BarChart(inner)
        group("Termijnen van lopende zaken", self.deadline_chart)
        self.workload_chart = BarChart(inner)
        group("Werklast per behandelaar", self.workload_chart)
        self.area_chart = BarChart(inner)
        group("Lopende zaken per toepassingsgebied", self.area_chart)
        self.outcome_chart = BarChart(inner)
        group("Lopende zaken per uitkomst toetsing", self.outcome_chart)

        approvals = QWidget(inner)
        approvals_layout = QVBoxLayout(approvals)
        approvals_layout.setContentsMargins(0, 0, 0, 0)
        self.approval_model = ApprovalTableModel(service)
        self.approval_table = QTableView(approvals)
        self.approval_table.setModel(self.approval_model)
        self.approval_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.approval_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.approval_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.approval_table.verticalHeader().hide()
        self.approval_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.approval_table.horizontalHeader().setStretchLastSection(True)
        self.approval_table.setMinimumHeight(110)
        buttons = QHBoxLayout()
        self.approve_button = QPushButton("Goedkeuren", approvals)
        self.approve_button.setToolTip(
            "Keur het gekozen intern advies of besluit goed (vier-ogenprincipe)"
        )
        self.open_button = QPushButton("Zaak openen", approvals)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        self.nothing_to_approve = QLabel("Er wachten geen brieven op goedkeuring.", approvals)
        self.nothing_to_approve.setStyleSheet("color: #57606a;")
        approvals_layout.addWidget(self.nothing_to_approve)
        approvals_layout.addWidget(self.approval_table)
        approvals_layout.addLayout(buttons)
        self.approval_box = group("Wacht op goedkeuring teamleider", approvals)
        # Approvals are work for the team lead: shown above the charts.
        layout.removeWidget(self.approval_box)
        self.approval_placeholder.addWidget(self.approval_box)
        layout.addStretch(1)
        self.setWidget(inner)

        self.approve_button.clicked.connect(self._approve_clicked)
        self.open_button.clicked.connect(self._open_clicked)
        self.approval_table.doubleClicked.connect(lambda _index: self._open_clicked())

    def selected_approval(self) -> ApprovalItem | None:
        index = self.approval_table.currentIndex()
        if not index.isValid():
            index = self.approval_model.index(0, 0)
        return self.approval_model.item_at(index.row()) if index.isValid() else None

    def _approve_clicked(self) -> None:
        item = self.selected_approval()
        if item is not None:
            self.approve_requested.emit(item.document_id)

    def _open_clicked(self) -> None:
        item = self.selected_approval()
        if item is not None:
            self.open_requested.emit(item.case_reference)

    def show_summary(self, summary: OverviewSummary) -> None:
        self.open_label.setText(f"{summary.open_cases} lopende zaken")
        self.deadline_chart.set_bars(
            [
                Bar(DEADLINE_STATE_LABELS[state], n, colour=TRAFFIC_COLOURS.get(state, "#8c959f"))
                for state, n in summary.per_deadline_state
            ]
        )
        self.workload_chart.set_bars(
            [
                Bar(load.officer or "(geen)", load.open_cases, load.overdue)
                for load in summary.workload
            ]
        )
        self.area_chart.set_bars([Bar(area_label(a), n) for a, n in summary.per_area])
        self.outcome_chart.set_bars(
            [Bar(outcome_label(o), n, colour="#6f42c1") for o, n in summary.per_outcome]
        )
        self.approval_model.reload()
        waiting = self.approval_model.rowCount() > 0
        # An empty table says less than a sentence: show the table only when there is work.
        self.nothing_to_approve.setVisible(not waiting)
        self.approval_table.setVisible(waiting)
        self.approve_button.setEnabled(waiting)
        self.open_button.setEnabled(waiting)
        self.approval_box.setTitle(f"Wacht op goedkeuring teamleider ({summary.awaiting_approval})")


class _WorkerSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class AnnualFiguresWorker(QRunnable):
    """Computes the annual figures on a pool thread; talks to the GUI only through signals."""

    def __init__(self, context: AppContext, year: int) -> None:
        super().__init__()
        self.context = context
        self.year = year
        self.signals = _WorkerSignals()

    def run(self) -> None:
        try:
            figures = ReportService(self.context).annual_figures(
                self.year, lambda done, total, label: self.signals.progress.emit(done, total, label)
            )
        except BibobError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # shown to the user; the thread must never die silently
            self.signals.failed.emit(f"De jaarcijfers konden niet worden berekend: {exc}")
        else:
            self.signals.finished.emit(figures)


class AnnualFiguresDialog(QDialog):
    """The annual figures on screen, saved as PDF, CSV or Excel (the same as ``report``)."""

    computed = Signal(object)
    failed = Signal(str)

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.figures: AnnualFigures | None = None
        self._worker: AnnualFiguresWorker | None = None
        self.setWindowTitle("Jaarcijfers Bibob")
        self.resize(560, 620)
        this_year = (today or date.today()).year
        self.year_spin = QSpinBox(self)
        self.year_spin.setRange(FIRST_YEAR, this_year)
        self.year_spin.setValue(this_year)
        self.compute_button = QPushButton("Berekenen", self)
        self.compute_button.setDefault(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.status_label = QLabel("Kies een jaar en klik op Berekenen.", self)
        self.result_model = QStandardItemModel(self)
        self.result_model.setHorizontalHeaderLabels(["Onderdeel", "Waarde"])
        self.result_view = QTreeView(self)
        self.result_view.setModel(self.result_model)
        self.result_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        result_header = self.result_view.header()
        result_header.setStretchLastSection(False)
        result_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        result_header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.pdf_button = QPushButton("Opslaan als PDF…", self)
        self.csv_button = QPushButton("Opslaan als CSV…", self)
        self.xlsx_button = QPushButton("Opslaan als Excel…", self)
        for button in (self.pdf_button, self.csv_button, self.xlsx_button):
            button.setEnabled(False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(QLabel("Jaar:", self))
        top.addWidget(self.year_spin)
        top.addWidget(self.compute_button)
        top.addWidget(self.progress, 1)
        save = QHBoxLayout()
        save.addWidget(self.pdf_button)
        save.addWidget(self.csv_button)
        save.addWidget(self.xlsx_button)
        save.addStretch(1)
        save.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.result_view, 1)
        layout.addLayout(save)

        self.compute_button.clicked.connect(self.start)
        self.pdf_button.clicked.connect(lambda: self.save_as("pdf"))
        self.csv_button.clicked.connect(lambda: self.save_as("csv"))
        self.xlsx_button.clicked.connect(lambda: self.save_as("xlsx"))

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Start the computation on a pool thread; the dialog stays usable meanwhile."""
        if self._worker is not None:
            return
        year = self.year_spin.value()
        worker = AnnualFiguresWorker(self.context, year)
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self._worker = worker
        self.compute_button.setEnabled(False)
        self.progress.setRange(0, 0)  # busy indicator until the first step reports
        self.status_label.setText(f"Jaarcijfers {year} worden berekend…")
        QThreadPool.globalInstance().start(worker)

    def _progress(self, done: int, total: int, label: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status_label.setText(f"Bezig: {label}…" if done < total else "Bijna klaar…")

    def _finished(self, figures: AnnualFigures) -> None:
        self._worker = None
        self.figures = figures
        self.compute_button.setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status_label.setText(
            f"Jaarcijfers {figures.year}: {figures.cases_total} zaken"
            + (
                f", waarvan {figures.destroyed_cases_included} vernietigd (geanonimiseerd)."
                if figures.destroyed_cases_included
                else "."
            )
        )
        self._show(figures)
        for button in (self.pdf_button, self.csv_button, self.xlsx_button):
            button.setEnabled(True)
        self.computed.emit(figures)

    def _failed(self, message: str) -> None:
        self._worker = None
        self.compute_button.setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status_label.setText(message)
        self.failed.emit(message)

    def _show(self, figures: AnnualFigures) -> None:
        self.result_model.removeRows(0, self.result_model.rowCount())
        for title, items in figures.sections():
            parent = QStandardItem(title)
            bold = parent.font()
            bold.setBold(True)
            parent.setFont(bold)
            for _code, label, value in items:
                number = QStandardItem(format_value(value) or "–")
                number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                parent.appendRow([QStandardItem(label), number])
            self.result_model.appendRow([parent, QStandardItem("")])
        self.result_view.expandAll()

    def save_as(self, kind: str, path: str | None = None) -> Path | None:
        if self.figures is None:
            return None
        if path is None:
            suggested = f"jaarcijfers-bibob-{self.figures.year}.{kind}"
            path, _ = QFileDialog.getSaveFileName(
                self, "Jaarcijfers opslaan", suggested, f"{_FORMAT_NAMES[kind]} (*.{kind})"
            )
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        from bibob_desk.documents.annual_report import write_report
        from bibob_desk.services.settings import SettingsService

        try:
            organisation = str(SettingsService(self.context).get("organisation.name") or "")
            write_report(self.figures, target, organisation)
        except OutputFileError as exc:  # a full disk or read-only folder: nothing left
            errors.show_error(self, exc)
            return None
        except OSError as exc:
            errors.show_error(self, f"Kan {target} niet opslaan: {exc.strerror or exc}.")
            return None
        self.status_label.setText(f"Opgeslagen: {target}")
        return target


_FORMAT_NAMES = {"pdf": "PDF", "csv": "CSV voor Excel", "xlsx": "Excel-werkmap"}


class OverviewPage(QWidget):
    """PAGES entry "Overzicht": the team lead's landing page."""

    open_case = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = OverviewService(context)
        self.model = OverviewTableModel(self.service)

        bar = QWidget(self)
        bar.setObjectName("filterBar")
        self.search_edit = QLineEdit(bar)
        self.search_edit.setPlaceholderText("Zoeken: zaaknummer, naam, KvK-nummer, adres")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(220)
        self.phase_combo = filter_combo(
            bar, "Alle fasen", {p.value: PHASE_LABELS[p] for p in Phase}
        )
        self.area_combo = filter_combo(bar, "Alle toepassingsgebieden", AREAS)
        self.area_combo.setMinimumContentsLength(16)
        self.area_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.officer_combo = filter_combo(bar, "Alle behandelaars", {})
        self.outcome_combo = filter_combo(bar, "Alle uitkomsten", OUTCOME_LABELS)
        self.deadline_combo = filter_combo(
            bar, "Alle termijnen", {s.value: DEADLINE_STATE_LABELS[s] for s in DeadlineState}
        )
        for state, colour in TRAFFIC_COLOURS.items():
            index = self.deadline_combo.findData(state.value)
            icon = traffic_light_icon(state)
            if icon is not None:
                self.deadline_combo.setItemIcon(index, icon)
            del colour
        self.open_only_check = QCheckBox("Alleen lopende zaken", bar)
        self.open_only_check.setChecked(True)
        self.figures_button = QPushButton("Jaarcijfers…", bar)
        # Two rows, so the filters and the side panel fit beside each other at 1366 px.
        bar_layout = QVBoxLayout(bar)
        bar_layout.setContentsMargins(6, 6, 6, 6)
        first_row = QHBoxLayout()
        first_row.addWidget(self.search_edit, 1)
        first_row.addWidget(self.open_only_check)
        first_row.addWidget(self.figures_button)
        second_row = QHBoxLayout()
        for widget in (
            self.phase_combo,
            self.area_combo,
            self.officer_combo,
            self.outcome_combo,
            self.deadline_combo,
        ):
            second_row.addWidget(widget, 1)
        bar_layout.addLayout(first_row)
        bar_layout.addLayout(second_row)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # No alternating row colours: under the application style sheet they doubled the time
        # to paint the table after every search (measured: ~43 ms -> ~22 ms); grid lines suffice.
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        # Clipped instead of elided ("…"): eliding every cell costs a third of the paint time
        # after each search at this table size; the tooltip shows the whole text.
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        # Title and applicant share what the fixed columns leave: no sideways scrolling.
        fit_columns(
            self.table,
            stretch=[_TITLE_COLUMN, _APPLICANT_COLUMN],
            widths={n: c.width for n, c in enumerate(COLUMNS)},
        )
        self.table.setSortingEnabled(True)
        header.setSortIndicator(DEADLINE_COLUMN, Qt.SortOrder.AscendingOrder)
        self.count_label = QLabel(self)

        self.side_panel = SidePanel(self.service, self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(bar)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_panel)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1080, 300])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self._search_paused)
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.search_edit.returnPressed.connect(self.apply_filter)
        for combo in (
            self.phase_combo,
            self.area_combo,
            self.officer_combo,
            self.outcome_combo,
            self.deadline_combo,
        ):
            combo.currentIndexChanged.connect(self.apply_filter)
        self.open_only_check.toggled.connect(self.apply_filter)
        self.model.total_changed.connect(self._show_count)
        self.table.doubleClicked.connect(self._row_activated)
        self.figures_button.clicked.connect(self.show_annual_figures)
        self.side_panel.approve_requested.connect(self.approve)
        self.side_panel.open_requested.connect(self.open_case)
        self.figures_dialog: AnnualFiguresDialog | None = None

        self._set_officers(self.service.officers())
        self.model.reload()
        # The side panel's aggregates (~0.2 s on 100,000 cases) follow right after the list has
        # been shown: at start the window is painted first (see paintEvent).
        self._painted = False
        self._side_panel_waits = False
        QTimer.singleShot(0, self, self._side_panel_after_first_paint)

    def _set_officers(self, officers: list[str]) -> None:
        refill(self.officer_combo, {officer: officer for officer in officers})

    def current_filter(self) -> OverviewFilter:
        return OverviewFilter(
            phases=chosen(self.phase_combo),
            areas=chosen(self.area_combo),
            officers=chosen(self.officer_combo),
            outcomes=chosen(self.outcome_combo),
            deadline_states=tuple(DeadlineState(s) for s in chosen(self.deadline_combo)),
            search=self.search_edit.text().strip(),
            open_only=self.open_only_check.isChecked(),
        )

    def _search_paused(self) -> None:
        # One or two characters have no trigram in the search index and match almost every
        # case: wait for more text (or Return) instead of searching while the user types.
        if len(self.search_edit.text().strip()) in (1, 2):
            return
        self.apply_filter()

    def apply_filter(self) -> None:
        self.search_timer.stop()
        try:
            self.model.set_filter(self.current_filter())
        except BibobError as exc:  # e.g. the database is busy: tell, keep the window usable
            errors.show_error(self, exc)

    def _show_count(self, total: int) -> None:
        self.count_label.setText("1 zaak" if total == 1 else f"{total} zaken")

    def _side_panel_after_first_paint(self) -> None:
        if self.isVisible() and not self._painted:
            self._side_panel_waits = True  # on screen, not painted yet: paintEvent reads them
            return
        self.refresh_side_panel()  # painted already, or not on screen: nothing to wait for

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self._painted = True
        if self._side_panel_waits:
            self._side_panel_waits = False
            QTimer.singleShot(0, self, self.refresh_side_panel)

    def refresh_side_panel(self) -> None:
        try:
            summary = self.service.summary()
        except BibobError as exc:  # e.g. the database is busy: say so instead of stale figures
            self.side_panel.open_label.setText(str(exc))
            self.side_panel.open_label.setWordWrap(True)
            return
        self.side_panel.show_summary(summary)

    def refresh(self) -> None:
        """Called by the main window when the page is shown: re-read list and side panel."""
        self._set_officers(self.service.officers())
        self.model.reload()
        # The side panel's aggregates follow right after the list has been shown.
        QTimer.singleShot(0, self, self.refresh_side_panel)

    def _row_activated(self, index: QModelIndex) -> None:
        reference = self.model.data(index, REFERENCE_ROLE)
        if reference:
            self.open_case.emit(str(reference))

    def approve(self, document_id: int) -> None:
        from bibob_desk.gui import approval_dialog
        from bibob_desk.services.letters import LetterService

        # Four-eyes: the letter is shown before it is approved, as on the Brieven tab.
        if approval_dialog.approve_with_preview(self, LetterService(self.context), document_id):
            self.refresh_side_panel()

    def show_annual_figures(self) -> AnnualFiguresDialog:
        if self.figures_dialog is None:
            self.figures_dialog = AnnualFiguresDialog(self.context, self)
        self.figures_dialog.show()
        self.figures_dialog.raise_()
        return self.figures_dialog
