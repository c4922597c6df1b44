"""The "Instellingen" page: the organisation's settings, built from the schema (beheerder only).

Every row comes from ``domain/settings_schema.py`` (label, type, help, example), so a setting
added there appears here without code. The page collects the changed values and hands them to
SettingsService in one call: the service checks the role, validates all of them with the same
rules as ``bibob-desk settings set``, and writes all or nothing. Every refused field is named at
once and marked red; what was typed stays.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, PermissionDenied, ValidationError
from bibob_desk.domain.settings_schema import (
    OTHER_GROUP,
    SettingSpec,
    SettingType,
    describe_image,
    image_bytes,
)
from bibob_desk.gui import errors
from bibob_desk.gui.styling import mark_invalid
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingEntry, SettingsErrors, SettingsService

REQUIRED_MARK = " *"


class SettingEditor(QWidget):
    """One setting's input widget; ``value()`` gives what the schema validates."""

    changed = Signal()

    def __init__(self, spec: SettingSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"setting:{spec.key}")
        self.setToolTip(spec.help)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field: QWidget = self._build(layout)

    # The editors of each type ------------------------------------------------------------------

    def _build(self, layout: QHBoxLayout) -> QWidget:
        spec = self.spec
        kind = spec.type
        if kind == SettingType.INTEGER:
            spin = QSpinBox(self)
            spin.setRange(
                spec.minimum if spec.minimum is not None else 0,
                spec.maximum if spec.maximum is not None else 1_000_000,
            )
            spin.valueChanged.connect(self.changed)
            layout.addWidget(spin)
            layout.addStretch(1)
            return spin
        if kind == SettingType.BOOLEAN:
            box = QCheckBox("ja", self)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            return box
        if kind == SettingType.CHOICE:
            combo = QComboBox(self)
            for code, label in spec.choices:
                combo.addItem(label, code)
            combo.currentIndexChanged.connect(self.changed)
            layout.addWidget(combo)
            layout.addStretch(1)
            return combo
        if kind == SettingType.LINES:
            lines = QPlainTextEdit(self)
            lines.setTabChangesFocus(True)
            lines.setPlaceholderText("één regel per regel van het adres")
            lines.setFixedHeight(lines.fontMetrics().lineSpacing() * 3 + 14)
            lines.textChanged.connect(self.changed)
            layout.addWidget(lines)
            return lines
        if kind == SettingType.TABLE:
            return self._build_table(layout)
        if kind == SettingType.IMAGE:
            return self._build_image(layout)
        edit = QLineEdit(self)
        if spec.example:
            edit.setPlaceholderText(f"bijv. {spec.example}")
        edit.textChanged.connect(self.changed)
        layout.addWidget(edit)
        if kind == SettingType.FOLDER:
            choose = QPushButton("Kiezen…", self)
            choose.clicked.connect(self._choose_folder)
            layout.addWidget(choose)
        return edit

    def _build_table(self, layout: QHBoxLayout) -> QTableWidget:
        items = self.spec.item_keys
        table = QTableWidget(len(items), 1, self)
        table.setWordWrap(False)  # one line per area, however long the organ's name
        table.setHorizontalHeaderLabels(
            [
                "weken (leeg: de standaard hierboven)"
                if self.spec.item_type == SettingType.INTEGER
                else "leeg: de standaard hierboven"
            ]
        )
        table.setVerticalHeaderLabels([label for _code, label in items])
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumHeight(table.verticalHeader().defaultSectionSize() * 5)
        table.setMaximumHeight(table.verticalHeader().defaultSectionSize() * 8)
        for row in range(len(items)):
            table.setItem(row, 0, QTableWidgetItem(""))
        table.itemChanged.connect(lambda _item: self.changed.emit())
        layout.addWidget(table)
        return table

    def _build_image(self, layout: QHBoxLayout) -> QLabel:
        self._image: dict[str, Any] | None = None
        preview = QLabel(self)
        preview.setMinimumSize(48, 48)
        preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_text = QLabel(self)
        self.image_text.setWordWrap(True)
        choose = QPushButton("Kiezen…", self)
        choose.clicked.connect(self._choose_image)
        remove = QPushButton("Verwijderen", self)
        remove.clicked.connect(lambda: self._set_image(None, emit=True))
        layout.addWidget(preview)
        layout.addWidget(self.image_text, 1)
        layout.addWidget(choose)
        layout.addWidget(remove)
        return preview

    # Reading and writing values ----------------------------------------------------------------

    def set_value(self, value: Any) -> None:
        field = self.field
        self.blockSignals(True)
        try:
            if isinstance(field, QSpinBox):
                field.setValue(int(value) if isinstance(value, int) else field.minimum())
            elif isinstance(field, QCheckBox):
                field.setChecked(bool(value))
            elif isinstance(field, QComboBox):
                index = field.findData(value)
                field.setCurrentIndex(max(index, 0))
            elif isinstance(field, QPlainTextEdit):
                field.setPlainText("\n".join(str(v) for v in value or []))
            elif isinstance(field, QTableWidget):
                table = value if isinstance(value, dict) else {}
                for row, (code, _label) in enumerate(self.spec.item_keys):
                    shown = table.get(code)
                    field.setItem(row, 0, QTableWidgetItem("" if shown is None else str(shown)))
            elif self.spec.type == SettingType.IMAGE:
                self._set_image(value if isinstance(value, dict) else None, emit=False)
            elif isinstance(field, QLineEdit):
                field.setText("" if value is None else str(value))
        finally:
            self.blockSignals(False)

    def value(self) -> Any:
        field = self.field
        if isinstance(field, QSpinBox):
            return field.value()
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QComboBox):
            return field.currentData()
        if isinstance(field, QPlainTextEdit):
            return [line.strip() for line in field.toPlainText().splitlines() if line.strip()]
        if isinstance(field, QTableWidget):
            table: dict[str, Any] = {}
            for row, (code, _label) in enumerate(self.spec.item_keys):
                cell = field.item(row, 0)
                text = cell.text().strip() if cell is not None else ""
                if not text:
                    continue
                is_number = self.spec.item_type == SettingType.INTEGER
                # A number that is not one goes to the service as typed: it names the error.
                table[code] = int(text) if is_number and text.isascii() and text.isdigit() else text
            return table
        if self.spec.type == SettingType.IMAGE:
            return self._image
        assert isinstance(field, QLineEdit)
        return field.text()

    # Choosing files ----------------------------------------------------------------------------

    def _choose_folder(self) -> None:
        assert isinstance(self.field, QLineEdit)
        folder = QFileDialog.getExistingDirectory(self, self.spec.label, self.field.text())
        if folder:
            self.field.setText(folder)

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Logo kiezen", "", "Afbeeldingen (*.png *.svg);;PNG (*.png);;SVG (*.svg)"
        )
        if path:
            self.load_image_file(path)

    def load_image_file(self, path: str) -> bool:
        """Check the file at once (same checks as the service) and show it; False if refused."""
        from bibob_desk.documents.logo import read_logo

        try:
            value = read_logo(path)
        except ValidationError as exc:
            errors.show_error(self, exc)
            return False
        self._set_image(value, emit=True)
        return True

    def _set_image(self, value: dict[str, Any] | None, *, emit: bool) -> None:
        self._image = value
        preview = self.field
        assert isinstance(preview, QLabel)
        data = image_bytes(value)
        pixmap = QPixmap()
        if data is not None and pixmap.loadFromData(QByteArray(data)):
            preview.setPixmap(
                pixmap.scaled(
                    48,
                    48,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            preview.setPixmap(QPixmap())
        self.image_text.setText(describe_image(value) if value else "geen logo")
        if emit:
            self.changed.emit()

    def mark(self, invalid: bool) -> None:
        mark_invalid(self.field, invalid)


class SettingsPage(QWidget):
    """PAGES entry "Instellingen"."""

    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = SettingsService(context)
        self.editors: dict[str, SettingEditor] = {}
        self.loaded: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        self.refusal = QLabel(self)
        self.refusal.setWordWrap(True)
        layout.addWidget(self.refusal)
        self.content = QWidget(self)
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "De gegevens van uw organisatie: ze staan in het briefhoofd, de ondertekening en de "
            "exportgegevens van iedere brief. Velden met * zijn nodig voordat een brief "
            "definitief kan worden.",
            self.content,
        )
        intro.setWordWrap(True)
        inner.addWidget(intro)
        self.error_label = QLabel(self.content)
        self.error_label.setObjectName("formErrors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        inner.addWidget(self.error_label)
        self._build_groups(inner)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.undo_button = QPushButton("Wijzigingen ongedaan maken", self.content)
        self.undo_button.clicked.connect(self.reload)
        self.save_button = QPushButton("Opslaan", self.content)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        inner.addLayout(buttons)
        inner.addStretch(1)
        layout.addWidget(self.content)
        self.refresh()

    def _build_groups(self, layout: QVBoxLayout) -> None:
        entries = self.service.entries()
        groups: dict[str, QFormLayout] = {}
        for entry in entries:
            spec = entry.spec
            group = spec.group if not spec.inferred else OTHER_GROUP
            form = groups.get(group)
            if form is None:
                box = QGroupBox(group, self.content)
                form = QFormLayout(box)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                groups[group] = form
                layout.addWidget(box)
            editor = SettingEditor(spec, self.content)
            editor.changed.connect(self._update_buttons)
            label = spec.label + (REQUIRED_MARK if spec.required_for_letters else "")
            form.addRow(label, editor)
            self.editors[spec.key] = editor

    # --- state ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Called when the page is shown again: re-read, unless there are unsaved edits."""
        if not self.service.may_edit():
            self.refusal.setText(
                str(PermissionDenied("Alleen een beheerder mag de instellingen wijzigen."))
            )
            self.refusal.show()
            self.content.hide()
            return
        self.refusal.hide()
        self.content.show()
        if not self.changes():
            self.reload()

    def reload(self) -> None:
        entries: list[SettingEntry] = self.service.entries()
        self.loaded = {}
        for entry in entries:
            editor = self.editors.get(entry.key)
            if editor is None:
                continue
            editor.set_value(entry.value)
            editor.mark(False)
            # What the editor shows (e.g. a spin box clamps) counts as "unchanged".
            self.loaded[entry.key] = editor.value()
        self.error_label.hide()
        self._update_buttons()

    def changes(self) -> dict[str, Any]:
        return {
            key: editor.value()
            for key, editor in self.editors.items()
            if key in self.loaded and editor.value() != self.loaded[key]
        }

    def _update_buttons(self) -> None:
        dirty = bool(self.changes())
        self.save_button.setEnabled(dirty)
        self.undo_button.setEnabled(dirty)

    def save(self) -> bool:
        changes = self.changes()
        if not changes:
            return True
        for editor in self.editors.values():
            editor.mark(False)
        try:
            self.service.update(changes)
        except SettingsErrors as exc:
            self._show_errors(exc.errors)
            return False
        except ValidationError as exc:
            self._show_errors([exc])
            return False
        except BibobError as exc:
            errors.show_error(self, exc)
            return False
        self.reload()
        self.error_label.setText("")
        self.saved.emit()
        return True

    def _show_errors(self, problems: list[ValidationError]) -> None:
        for problem in problems:
            editor = self.editors.get(problem.field or "")
            if editor is not None:
                editor.mark(True)
        self.error_label.setText("\n".join(f"• {p}" for p in problems))
        self.error_label.show()
        # Saving happens at the bottom; the list of problems is at the top: bring it in view.
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(self.error_label)
