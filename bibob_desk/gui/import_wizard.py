"""Bestand -> Register importeren…: the old Excel register in six steps.

1. the file and the sheet; 2. the first rows, with the header row found; 3. the columns mapped to
fields (the detected mapping filled in), the register's labels mapped to codes and its officers
to users, savable as a mapping file and reusable; 4. the dry run with a line per row; 5. the
import on a worker thread with a progress bar; 6. the result, savable as XLSX or CSV.

All rules live in the services and the domain (services/register_import.py); this module only
shows what they say and collects the user's choices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from bibob_desk.documents.spreadsheet import SheetData
from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import BibobError, ValidationError
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.domain.register_import import (
    FIELD_LABELS,
    Field,
    ImportMapping,
    Layout,
    detect_layout,
    mapping_from_layout,
    parse_mapping,
    with_fields,
)
from bibob_desk.domain.register_values import (
    REGISTER_OUTCOMES,
    LabelKind,
    LabelTables,
    cell_text,
)
from bibob_desk.domain.workflow import CONCLUSION_LABELS, DECISION_LABELS
from bibob_desk.gui import errors
from bibob_desk.services.context import AppContext
from bibob_desk.services.register_import import (
    ImportOptions,
    ImportReport,
    RegisterImportService,
    RowStatus,
    column_values,
    label_choice,
)
from bibob_desk.storage.files import OutputFileError

PREVIEW_ROWS = 15
UNKNOWN = ""  # the combo entry "— kies —"
LABEL_COLUMNS: dict[LabelKind, Field] = {
    LabelKind.AREA: Field.AREA,
    LabelKind.PHASE: Field.PHASE,
    LabelKind.CONCLUSION: Field.CONCLUSION,
    LabelKind.DECISION: Field.DECISION,
    LabelKind.OUTCOME: Field.OUTCOME,
}
CODE_LABELS: dict[LabelKind, dict[str, str]] = {
    LabelKind.AREA: dict(AREAS),
    LabelKind.PHASE: {p.value: PHASE_LABELS[p] for p in Phase},
    LabelKind.CONCLUSION: {c.value: label for c, label in CONCLUSION_LABELS.items()},
    LabelKind.DECISION: {
        **{d.value: label for d, label in DECISION_LABELS.items()},
        "terugtrekking": "Terugtrekking (aanvraag ingetrokken door de aanvrager)",
    },
    LabelKind.OUTCOME: dict(REGISTER_OUTCOMES),
}
KIND_TITLES = {
    LabelKind.AREA: "Toepassingsgebied",
    LabelKind.PHASE: "Fase",
    LabelKind.CONCLUSION: "Conclusie",
    LabelKind.DECISION: "Besluit",
    LabelKind.OUTCOME: "Uitkomst toets",
}
STATUS_COLOURS = {
    RowStatus.PROBLEM: "#fde7e7",
    RowStatus.NOT_IMPORTED: "#fde7e7",
    RowStatus.UPDATED: "#e8f0fe",
    RowStatus.ALREADY_IMPORTED: "#f1f1f1",
}


class _WorkerSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class ImportWorker(QRunnable):
    """Runs a dry run or an import on a pool thread; talks to the window only through signals."""

    def __init__(self, job: Callable[[Callable[[int, int], None]], ImportReport]) -> None:
        super().__init__()
        self.job = job
        self.signals = _WorkerSignals()

    def run(self) -> None:
        try:
            report = self.job(lambda done, total: self.signals.progress.emit(done, total))
        except BibobError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # shown to the user; the thread must never die silently
            self.signals.failed.emit(f"Het importeren is mislukt: {exc}")
        else:
            self.signals.finished.emit(report)


def _table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setDefaultSectionSize(24)
    table.verticalHeader().hide()
    return table


def report_model(report: ImportReport, parent: QObject) -> QStandardItemModel:
    """A line per problem or warning, and one per row that has none (the saved report too)."""
    model = QStandardItemModel(parent)
    model.setHorizontalHeaderLabels(
        ["Rij", "Status", "Oud kenmerk", "Zaaknummer", "Kolom", "Melding"]
    )
    for result in report.rows:
        status = report.status_label(result.status)
        colour = STATUS_COLOURS.get(result.status)
        lines = [("", p.column or "", p.message) for p in result.plan.problems]
        lines += [("waarschuwing: ", w.column or "", w.message) for w in result.plan.warnings]
        if not lines:
            changes = "; ".join(result.changes)
            lines = [("", "", changes or result.plan.title)]
        for prefix, column, message in lines:
            items = [
                QStandardItem(str(result.row)),
                QStandardItem(status),
                QStandardItem(result.plan.old_reference),
                QStandardItem(result.reference or ""),
                QStandardItem(column),
                QStandardItem(prefix + message),
            ]
            items[-1].setToolTip(prefix + message)
            if colour:
                for item in items:
                    item.setBackground(QBrush(QColor(colour)))
            model.appendRow(items)
    return model


def _report_view(parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(22)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _show_report(view: QTableView, report: ImportReport) -> None:
    view.setModel(report_model(report, view))
    for column, width in enumerate((50, 130, 100, 110, 150)):
        view.setColumnWidth(column, width)


# --- pages -----------------------------------------------------------------------------------


class FilePage(QWizardPage):
    """Step 1: the file, the sheet and (optionally) a saved mapping file."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Register kiezen")
        self.setSubTitle(
            "Kies het Excel-register (.xlsx) of een CSV-bestand, en het blad met de zaken."
        )
        self.path_edit = QLineEdit(self)
        self.path_edit.setPlaceholderText("Pad naar het register")
        self.browse_button = QPushButton("Bladeren…", self)
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setEnabled(False)
        self.mapping_button = QPushButton("Koppelbestand laden…", self)
        self.mapping_label = QLabel("Geen koppelbestand: de kolommen worden herkend.", self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(QLabel("Blad:", self))
        sheet_row.addWidget(self.sheet_combo, 1)
        mapping_row = QHBoxLayout()
        mapping_row.addWidget(self.mapping_button)
        mapping_row.addWidget(self.mapping_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(sheet_row)
        layout.addLayout(mapping_row)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.browse_button.clicked.connect(self._browse)
        self.path_edit.editingFinished.connect(lambda: self.load_file(self.path_edit.text()))
        self.sheet_combo.activated.connect(
            lambda _i: self.load_sheet(self.sheet_combo.currentText())
        )
        self.mapping_button.clicked.connect(self._browse_mapping)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Register kiezen", "", "Registers (*.xlsx *.xlsm *.csv);;Alle bestanden (*)"
        )
        if path:
            self.load_file(path)

    def _browse_mapping(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Koppelbestand laden", "", "Koppelbestand (*.json)"
        )
        if path:
            self.load_mapping(path)

    def load_file(self, path: str, sheet: str | None = None) -> bool:
        """Read the file (and the sheet); True when it can be imported further."""
        self.path_edit.setText(path)
        if not path.strip():
            return False
        wizard = self.owner
        try:
            wizard.read(Path(path.strip()), sheet)
        except BibobError as exc:
            wizard.sheet_layout = None
            self.error_label.setText(str(exc))
            self.completeChanged.emit()
            return False
        finally:
            self._fill_sheets()
        self.error_label.setText("")
        self.completeChanged.emit()
        return True

    def load_sheet(self, sheet: str) -> bool:
        return self.load_file(self.path_edit.text(), sheet)

    def load_mapping(self, path: str) -> bool:
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8-sig"))
            mapping = parse_mapping(document)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.error_label.setText(f"Kan het koppelbestand niet lezen: {exc}.")
            return False
        except ValidationError as exc:
            self.error_label.setText(str(exc))
            return False
        self.owner.mapping = mapping
        self.mapping_label.setText(f"Koppelbestand: {Path(path).name}")
        if self.path_edit.text().strip():
            return self.load_file(self.path_edit.text(), mapping.sheet)
        return True

    def _fill_sheets(self) -> None:
        data = self.owner.data
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        if data is not None and data.sheets:
            self.sheet_combo.addItems(list(data.sheets))
            self.sheet_combo.setCurrentText(data.sheet)
        self.sheet_combo.setEnabled(bool(data is not None and data.sheets))
        self.sheet_combo.blockSignals(False)

    def isComplete(self) -> bool:
        return self.owner.sheet_layout is not None


class PreviewPage(QWizardPage):
    """Step 2: the first rows as the sheet holds them, with the header row marked."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Eerste rijen")
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.table = _table(self)
        self.table.verticalHeader().show()  # the sheet's own row numbers
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:
        data, layout = self.owner.data, self.owner.sheet_layout
        if data is None or layout is None:
            return
        last = min(len(data.rows), layout.data_start - 1 + PREVIEW_ROWS)
        width = data.width
        self.table.clear()
        self.table.setRowCount(last)
        self.table.setColumnCount(width)
        from bibob_desk.domain.register_import import column_letter

        self.table.setHorizontalHeaderLabels([column_letter(i) for i in range(width)])
        self.table.setVerticalHeaderLabels([str(n) for n in range(1, last + 1)])
        bold = QFont()
        bold.setBold(True)
        # The header row shows the names as read (a merged cell above it filled in).
        headers = {c.index: c.header for c in layout.columns}
        for r in range(last):
            values = data.rows[r]
            for c in range(width):
                text = cell_text(values[c]) if c < len(values) else ""
                if r + 1 == layout.header_row:
                    text = headers.get(c, text)
                item = QTableWidgetItem(text)
                if r + 1 == layout.header_row:
                    item.setFont(bold)
                    item.setBackground(QBrush(QColor("#e8f0fe")))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        where = f", blad {data.sheet}" if data.sheet else ""
        rows = len(data.rows) - layout.data_start + 1
        self.info_label.setText(
            f"{data.file_name}{where}: kopregel in rij {layout.header_row}, zaken vanaf rij "
            f"{layout.data_start} ({rows} rijen, lege rijen meegeteld)."
        )


class MappingPage(QWizardPage):
    """Step 3: columns to fields, labels to codes, officers to users; save or load it."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Kolommen koppelen")
        self.setSubTitle(
            "De herkende koppeling staat al ingevuld. Pas aan wat niet klopt; een kolom zonder "
            "veld wordt als notitie bij de zaak bewaard."
        )
        self.tabs = QTabWidget(self)
        self.columns_table = _table(self)
        self.columns_table.setColumnCount(4)
        self.columns_table.setHorizontalHeaderLabels(["Kolom", "Kop", "Veld", "Voorbeeld"])
        self.values_table = _table(self)
        self.values_table.setColumnCount(3)
        self.values_table.setHorizontalHeaderLabels(["Soort", "Waarde in het register", "Code"])
        self.officers_table = _table(self)
        self.officers_table.setColumnCount(2)
        self.officers_table.setHorizontalHeaderLabels(["Behandelaar in het register", "Gebruiker"])
        for table in (self.columns_table, self.values_table, self.officers_table):
            table.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.columns_table, "Kolommen")
        self.tabs.addTab(self.values_table, "Waarden")
        self.tabs.addTab(self.officers_table, "Behandelaars")
        self.notice_label = QLabel(self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("color: #8a5a00")
        self.save_button = QPushButton("Koppeling opslaan…", self)
        self.load_button = QPushButton("Koppeling laden…", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.load_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice_label)
        layout.addLayout(buttons)
        self.field_combos: dict[int, QComboBox] = {}
        self.value_combos: dict[tuple[LabelKind, str], QComboBox] = {}
        self.officer_combos: dict[str, QComboBox] = {}
        self.found_officers: dict[str, str | None] = {}  # as resolved without the mapping file
        self.save_button.clicked.connect(lambda: self.save_mapping())
        self.load_button.clicked.connect(self._load)

    def initializePage(self) -> None:
        self.refill()

    def refill(self) -> None:
        data, layout = self.owner.data, self.owner.sheet_layout
        if data is None or layout is None:
            return
        self._fill_columns(data, layout)
        self._fill_values(data, layout)
        self._fill_officers(data, layout)
        self._update_notice()

    def _fill_columns(self, data: SheetData, layout: Layout) -> None:
        self.field_combos.clear()
        table = self.columns_table
        table.setRowCount(len(layout.columns))
        samples = {c.index: "" for c in layout.columns}
        for values in data.rows[layout.data_start - 1 : layout.data_start + 50]:
            for column in layout.columns:
                if not samples[column.index] and column.index < len(values):
                    samples[column.index] = cell_text(values[column.index])
        for row, column in enumerate(layout.columns):
            table.setItem(row, 0, QTableWidgetItem(column.letter))
            table.setItem(row, 1, QTableWidgetItem(column.header or "(geen kop)"))
            combo = QComboBox(table)
            for target in Field:
                combo.addItem(FIELD_LABELS[target], target.value)
            combo.setCurrentIndex(combo.findData(column.field.value))
            combo.currentIndexChanged.connect(self._fields_changed)
            table.setCellWidget(row, 2, combo)
            table.setItem(row, 3, QTableWidgetItem(samples[column.index][:60]))
            self.field_combos[column.index] = combo
        table.resizeColumnsToContents()
        table.setColumnWidth(2, max(table.columnWidth(2), 260))

    def _fill_values(self, data: SheetData, layout: Layout) -> None:
        self.value_combos.clear()
        tables = LabelTables(self.owner.mapping.values)
        entries: list[tuple[LabelKind, str, str | None]] = []
        for kind, target in LABEL_COLUMNS.items():
            for text in column_values(data, layout, target):
                entries.append((kind, text, label_choice(tables, kind, text)))
        # Unknown labels first: those are the ones to look at.
        entries.sort(key=lambda e: (e[2] is not None, list(LabelKind).index(e[0])))
        table = self.values_table
        table.setRowCount(len(entries))
        for row, (kind, text, code) in enumerate(entries):
            table.setItem(row, 0, QTableWidgetItem(KIND_TITLES[kind]))
            table.setItem(row, 1, QTableWidgetItem(text))
            combo = QComboBox(table)
            combo.addItem("— kies een code —", UNKNOWN)
            for value, label in CODE_LABELS[kind].items():
                combo.addItem(f"{label} ({value})", value)
            combo.setCurrentIndex(max(combo.findData(code or UNKNOWN), 0))
            combo.currentIndexChanged.connect(self._update_notice)
            table.setCellWidget(row, 2, combo)
            self.value_combos[(kind, text)] = combo
        table.resizeColumnsToContents()
        table.setColumnWidth(2, max(table.columnWidth(2), 320))

    def _fill_officers(self, data: SheetData, layout: Layout) -> None:
        self.officer_combos.clear()
        names = column_values(data, layout, Field.OFFICER)
        service = self.owner.service
        try:
            users = service.eligible_officers()
            resolved = service.officer_choices(names, self.owner.mapping)
            self.found_officers = service.officer_choices(names)
        except BibobError as exc:
            self.notice_label.setText(str(exc))
            users, resolved = [], {}
        table = self.officers_table
        table.setRowCount(len(names))
        for row, name in enumerate(names):
            table.setItem(row, 0, QTableWidgetItem(name))
            combo = QComboBox(table)
            combo.addItem("— geen gebruiker —", UNKNOWN)
            for username, full_name in users:
                combo.addItem(f"{full_name} ({username})", username)
            combo.setCurrentIndex(max(combo.findData(resolved.get(name) or UNKNOWN), 0))
            combo.currentIndexChanged.connect(self._update_notice)
            table.setCellWidget(row, 1, combo)
            self.officer_combos[name] = combo
        table.resizeColumnsToContents()

    def _fields_changed(self) -> None:
        self.owner.sheet_layout = self.chosen_layout()
        data, layout = self.owner.data, self.owner.sheet_layout
        if data is not None and layout is not None:
            self._fill_values(data, layout)
            self._fill_officers(data, layout)
        self._update_notice()

    def chosen_layout(self) -> Layout | None:
        layout = self.owner.sheet_layout
        if layout is None:
            return None
        chosen = {
            index: Field(str(combo.currentData())) for index, combo in self.field_combos.items()
        }
        return with_fields(layout, chosen)

    def chosen_mapping(self) -> ImportMapping:
        """The mapping as shown: columns, corrected labels and officers."""
        base = self.owner.mapping
        values = {kind: dict(table) for kind, table in base.values.items()}
        defaults = LabelTables()
        for (kind, text), combo in self.value_combos.items():
            code = str(combo.currentData() or "")
            if code and code != label_choice(defaults, kind, text):
                values.setdefault(kind.value, {})[text] = code
        officers = dict(base.officers)
        for name, combo in self.officer_combos.items():
            username = str(combo.currentData() or "")
            if username and username != self.found_officers.get(name):
                officers[name] = username
        layout = self.chosen_layout()
        data = self.owner.data
        mapping = ImportMapping(
            columns=dict(base.columns),
            values=values,
            officers=officers,
            old_reference_prefix=base.old_reference_prefix,
            sheet=base.sheet,
            header_row=base.header_row,
        )
        if layout is None:
            return mapping
        return mapping_from_layout(layout, mapping, data.sheet or None if data else None)

    def _update_notice(self) -> None:
        layout = self.chosen_layout()
        lines = list(layout.notices) if layout else []
        if layout is not None and layout.missing_required:
            names = " en ".join(FIELD_LABELS[f].lower() for f in layout.missing_required)
            lines.insert(0, f"Koppel een kolom aan: {names}.")
        open_values = sum(1 for c in self.value_combos.values() if not c.currentData())
        open_officers = sum(1 for c in self.officer_combos.values() if not c.currentData())
        if open_values:
            lines.append(f"{open_values} waarde(n) zonder code: die rijen worden een probleem.")
        if open_officers:
            lines.append(
                f"{open_officers} behandelaar(s) zonder gebruiker: die rijen worden een probleem."
            )
        self.notice_label.setText("\n".join(lines))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        layout = self.chosen_layout()
        return layout is not None and not layout.missing_required

    def validatePage(self) -> bool:
        self.owner.mapping = self.chosen_mapping()
        self.owner.sheet_layout = self.chosen_layout()
        return self.isComplete()

    def save_mapping(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Koppeling opslaan", "koppeling-register.json", "Koppelbestand (*.json)"
            )
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() != ".json":
            target = target.with_name(target.name + ".json")
        document = self.chosen_mapping().to_json()
        try:
            target.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            errors.show_error(self, f"Kan {target} niet opslaan: {exc.strerror or exc}.")
            return None
        self.notice_label.setText(f"Koppeling opgeslagen: {target}")
        return target

    def _load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Koppeling laden", "", "Koppelbestand (*.json)")
        if path:
            self.load_mapping(path)

    def load_mapping(self, path: str) -> bool:
        file_page = self.owner.file_page
        if not file_page.load_mapping(path):
            self.notice_label.setText(file_page.error_label.text())
            return False
        self.refill()
        return True


class CheckPage(QWizardPage):
    """Step 4: the dry run, a line per row; options for the import."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Proefimport")
        self.setSubTitle(
            "Er wordt nog niets opgeslagen. Elke rij met een probleem staat hieronder."
        )
        self.update_box = QCheckBox(
            "Gewijzigde cellen van eerder geïmporteerde rijen overnemen", self
        )
        self.all_or_nothing_box = QCheckBox(
            "Alles of niets: niets importeren zolang één rij een probleem heeft", self
        )
        self.recheck_button = QPushButton("Opnieuw controleren", self)
        self.progress = QProgressBar(self)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.view = _report_view(self)
        options = QHBoxLayout()
        options.addWidget(self.update_box)
        options.addWidget(self.all_or_nothing_box)
        options.addStretch(1)
        options.addWidget(self.recheck_button)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.view, 1)
        self.recheck_button.clicked.connect(self.start)
        self.update_box.toggled.connect(lambda _on: self.start())
        self._worker: ImportWorker | None = None
        self._again = False  # an option changed while a check ran: check once more after it

    def options(self, *, dry_run: bool) -> ImportOptions:
        return ImportOptions(
            dry_run=dry_run,
            update=self.update_box.isChecked(),
            all_or_nothing=self.all_or_nothing_box.isChecked(),
        )

    def initializePage(self) -> None:
        self.start()

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        wizard = self.owner
        data, layout = wizard.data, wizard.sheet_layout
        if self._worker is not None:
            self._again = True
            return
        if data is None or layout is None:
            return
        wizard.check_report = None
        options, mapping, service = self.options(dry_run=True), wizard.mapping, wizard.service
        worker = ImportWorker(lambda _progress: service.check(data, layout, mapping, options))
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self._worker = worker
        self.progress.setRange(0, 0)
        self.summary_label.setText("De rijen worden gecontroleerd…")
        self.completeChanged.emit()
        QThreadPool.globalInstance().start(worker)

    def _finished(self, report: ImportReport) -> None:
        self._worker = None
        if self._again:
            self._again = False
            self.start()
            return
        self.owner.check_report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        text = "Proefimport: " + report.summary()
        if report.layout.notices:
            text += "\n" + "\n".join(report.layout.notices)
        self.summary_label.setText(text)
        _show_report(self.view, report)
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self._worker = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.summary_label.setText(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self._worker is None and self.owner.check_report is not None


class ImportPage(QWizardPage):
    """Step 5: the import on a worker thread, with a progress bar."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Importeren")
        self.info_label = QLabel(self)
        self.info_label.setWordWrap(True)
        self.import_button = QPushButton("Importeren", self)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v van %m rijen")
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addWidget(self.import_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self.import_button.clicked.connect(self.start)
        self._worker: ImportWorker | None = None

    def initializePage(self) -> None:
        report = self.owner.check_report
        if report is None:
            return
        counts = report.counts
        text = (
            f"{counts['imported']} rijen worden als nieuwe zaak geïmporteerd"
            + (f", {counts['updated']} bijgewerkt" if report.options.update else "")
            + f"; {counts['already_imported']} zijn al geïmporteerd"
            + f" en {counts['problems']} hebben een probleem."
        )
        if self.owner.check_page.all_or_nothing_box.isChecked() and counts["problems"]:
            text += " Alles of niets staat aan: er wordt niets geïmporteerd."
        self.info_label.setText(text)
        self.import_button.setEnabled(self.owner.import_result is None)

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        wizard = self.owner
        data, layout = wizard.data, wizard.sheet_layout
        if data is None or layout is None or self._worker is not None or wizard.import_result:
            return
        options = wizard.check_page.options(dry_run=False)
        mapping, service = wizard.mapping, wizard.service
        worker = ImportWorker(
            lambda progress: service.run(data, layout, mapping, options, progress)
        )
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._finished)
        worker.signals.failed.connect(self._failed)
        self._worker = worker
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.status_label.setText("Bezig met importeren…")
        wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)
        QThreadPool.globalInstance().start(worker)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, report: ImportReport) -> None:
        self._worker = None
        self.owner.import_result = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.status_label.setText(
            ("Niets geïmporteerd (alles of niets): " if not report.committed else "Klaar: ")
            + report.summary()
        )
        self.completeChanged.emit()

    def _failed(self, message: str) -> None:
        self._worker = None
        self.import_button.setEnabled(True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status_label.setText(message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.owner.import_result is not None


class ResultPage(QWizardPage):
    """Step 6: the result per row, savable as XLSX or CSV."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.owner = wizard
        self.setTitle("Resultaat")
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.view = _report_view(self)
        self.xlsx_button = QPushButton("Opslaan als XLSX…", self)
        self.csv_button = QPushButton("Opslaan als CSV…", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.xlsx_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.xlsx_button.clicked.connect(lambda: self.save_report("xlsx"))
        self.csv_button.clicked.connect(lambda: self.save_report("csv"))

    def initializePage(self) -> None:
        report = self.owner.import_result
        if report is None:
            return
        self.summary_label.setText(report.summary())
        _show_report(self.view, report)

    def save_report(self, kind: str, path: str | None = None) -> Path | None:
        report = self.owner.import_result
        if report is None:
            return None
        if path is None:
            stem = Path(report.source.file_name).stem
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Importverslag opslaan",
                f"importverslag-{stem}.{kind}",
                f"{kind.upper()} (*.{kind})",
            )
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        try:
            report.save(target)
        except OutputFileError as exc:  # a full disk or read-only folder: nothing left
            errors.show_error(self, exc)
            return None
        except OSError as exc:
            errors.show_error(self, f"Kan {target} niet opslaan: {exc.strerror or exc}.")
            return None
        self.summary_label.setText(f"{report.summary()}\nVerslag opgeslagen: {target}")
        return target


class ImportWizard(QWizard):
    """Bestand -> Register importeren…"""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.service = RegisterImportService(context, today=today)
        self.data: SheetData | None = None
        self.sheet_layout: Layout | None = None
        self.mapping = ImportMapping()
        self.check_report: ImportReport | None = None
        self.import_result: ImportReport | None = None
        self.setWindowTitle("Register importeren")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(980, 640)
        self.file_page = FilePage(self)
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.check_page = CheckPage(self)
        self.import_page = ImportPage(self)
        self.result_page = ResultPage(self)
        for page in (
            self.file_page,
            self.preview_page,
            self.mapping_page,
            self.check_page,
            self.import_page,
            self.result_page,
        ):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "Volgende >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Vorige")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Sluiten")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Annuleren")

    def read(self, path: Path, sheet: str | None) -> None:
        """Read the sheet and detect its columns with the current mapping file."""
        from bibob_desk.documents.spreadsheet import read_sheet

        self.data = self.sheet_layout = None
        self.check_report = self.import_result = None
        data = read_sheet(path, sheet if sheet is not None else self.mapping.sheet)
        self.data = data  # kept when no header is found, so another sheet can be chosen
        self.sheet_layout = detect_layout(data.rows, data.merged, self.mapping)

    @property
    def busy(self) -> bool:
        return self.check_page.busy or self.import_page.busy

    def reject(self) -> None:
        if self.import_page.busy:
            return  # an import runs: its batches finish; closing now would hide the outcome
        super().reject()
