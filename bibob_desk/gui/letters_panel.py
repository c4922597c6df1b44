"""The "Brieven" tab of a case: draft, edit, preview, approve, make final and export letters.

Which letter fits the case, who may approve and what may be edited is decided by
``LetterService`` and the domain rule table; this widget only shows it (types that do not fit
are disabled with the reason as tooltip and under the selector). The preview renders the PDF
pages with pypdfium2, because the PyPI PySide6 wheels ship no QtPdf.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, ConflictError
from bibob_desk.domain.letters import LetterType
from bibob_desk.gui import errors
from bibob_desk.gui.styling import fit_columns
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterDocumentView, LetterOption, LetterService
from bibob_desk.services.settings import SettingsService

Index = QModelIndex | QPersistentModelIndex
PREVIEW_SCALE = 1.1  # pixels per PDF point: an A4 page about 650 pixels wide


def render_pdf_pages(pdf: bytes, scale: float = PREVIEW_SCALE) -> list[QImage]:
    """Rasterise every page of a PDF into a QImage (RGB, white background)."""
    import pypdfium2 as pdfium

    images: list[QImage] = []
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=scale)
            pil = bitmap.to_pil().convert("RGB")
            data = pil.tobytes("raw", "RGB")
            image = QImage(
                data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888
            ).copy()  # copy: the QImage must not point into the Python bytes
            images.append(image)
            page.close()
    finally:
        document.close()
    return images


class LetterDocumentsModel(QAbstractTableModel):
    """The letters of one case, as the service lists them."""

    HEADERS = ("Brief", "Titel", "Status", "Opgesteld door", "Goedgekeurd door")

    def __init__(self, service: LetterService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.rows: list[LetterDocumentView] = []

    def load(self, reference: str | None) -> None:
        self.beginResetModel()
        self.rows = self.service.documents(reference) if reference else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        return (
            row.type_label,
            row.title,
            row.status_label,
            row.author,
            row.approved_by or "",
        )[index.column()]

    def row_of(self, document_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == document_id), -1)


class _UploadSignals(QObject):
    finished = Signal(object)
    failed = Signal(str)


class _UploadWorker(QRunnable):
    """Runs the upload on a pool thread; talks to the panel only through signals."""

    def __init__(self, job: Callable[[], object]) -> None:
        super().__init__()
        self.job = job
        self.signals = _UploadSignals()

    def run(self) -> None:
        try:
            result = self.job()
        except BibobError as exc:  # ZgwError too: refused or unreachable
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # shown to the user; the thread must never die silently
            self.signals.failed.emit(f"Naar het zaaksysteem sturen is mislukt: {exc}")
        else:
            self.signals.finished.emit(result)


class LettersPanel(QWidget):
    """The Brieven tab; ``case_changed(reference)`` after a letter was created or changed."""

    case_changed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = LetterService(context)
        self.reference: str | None = None
        self.options: list[LetterOption] = []
        self.current: LetterDocumentView | None = None
        self.may_approve = False
        # Replaceable in tests: choose an export folder when none is set.
        self.choose_folder: Callable[[], str | None] = self._ask_folder
        # Replaceable in tests: ask the zaak URL before an upload (None = cancelled).
        self.ask_zaak_url: Callable[[str], str | None] = self._ask_zaak_url
        self._upload_worker: _UploadWorker | None = None

        layout = QVBoxLayout(self)

        new_box = QGroupBox("Nieuwe brief")
        new_layout = QHBoxLayout(new_box)
        self.type_combo = QComboBox()
        self.type_combo.setObjectName("letterType")
        self.type_model = QStandardItemModel(self.type_combo)
        self.type_combo.setModel(self.type_model)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.party_combo = QComboBox()
        self.party_combo.setObjectName("letterParty")
        self.party_combo.setToolTip("Geadresseerde van de kennisgeving")
        self.create_button = QPushButton("Concept maken")
        self.create_button.clicked.connect(self.create_draft)
        new_layout.addWidget(QLabel("Soort:"))
        new_layout.addWidget(self.type_combo, 2)
        new_layout.addWidget(self.party_combo, 1)
        new_layout.addWidget(self.create_button)
        layout.addWidget(new_box)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("letterReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setStyleSheet("color: #8a5a00;")
        layout.addWidget(self.reason_label)

        # The letter and its preview as two tabs: side by side they do not fit the case pane.
        views = QTabWidget()
        self.views = views
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        self.model = LetterDocumentsModel(self.service, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        fit_columns(self.table, stretch=[0, 1])  # never wider than its pane
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        left_layout.addWidget(self.table, 1)

        left_layout.addWidget(QLabel("Tekst van de brief (bewerkbaar zolang het een concept is):"))
        self.body_edit = QPlainTextEdit()
        self.body_edit.setObjectName("letterBody")
        self.body_edit.textChanged.connect(self._update_buttons)
        left_layout.addWidget(self.body_edit, 2)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Tekst opslaan")
        self.save_button.clicked.connect(self.save_body)
        self.approve_button = QPushButton("Goedkeuren")
        self.approve_button.setToolTip("Teamleider, niet de opsteller (vier-ogenprincipe)")
        self.approve_button.clicked.connect(self.approve)
        self.final_button = QPushButton("Definitief maken")
        self.final_button.clicked.connect(self.finalise)
        self.export_button = QPushButton("Exporteren")
        self.export_button.clicked.connect(self.export)
        self.upload_button = QPushButton("Naar zaaksysteem")
        self.upload_button.setToolTip(
            "Rechtstreeks naar de Documenten API van het zaaksysteem (instellingen zgw.*), "
            "gekoppeld aan de zaak"
        )
        self.upload_button.clicked.connect(self.upload)
        for button in (self.save_button, self.approve_button, self.final_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.print_button = QPushButton("Afdrukken…")
        self.print_button.setToolTip("De brief afdrukken zoals in het voorbeeld")
        self.print_button.clicked.connect(self.print_letter)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.upload_button)
        left_layout.addLayout(buttons)
        self.state_label = QLabel()
        self.state_label.setObjectName("letterState")
        self.state_label.setWordWrap(True)
        left_layout.addWidget(self.state_label)
        views.addTab(left, "Brief")

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        preview_bar = QHBoxLayout()
        preview_bar.addWidget(QLabel("Voorbeeld"))
        preview_bar.addStretch(1)
        self.preview_button = QPushButton("Voorbeeld vernieuwen")
        self.preview_button.clicked.connect(self.refresh_preview)
        preview_bar.addWidget(self.preview_button)
        right_layout.addLayout(preview_bar)
        self.preview_area = QScrollArea()
        self.preview_area.setWidgetResizable(True)
        self.preview_host = QWidget()
        self.preview_layout = QVBoxLayout(self.preview_host)
        self.preview_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.preview_area.setWidget(self.preview_host)
        self.preview_area.setStyleSheet("QScrollArea { background: #8a8f96; }")
        right_layout.addWidget(self.preview_area, 1)
        views.addTab(right, "Voorbeeld")
        layout.addWidget(views, 1)
        self.preview_pages: list[QLabel] = []
        self._update_buttons()

    # --- loading -----------------------------------------------------------------------------

    def set_case(self, reference: str | None) -> None:
        self.reference = reference
        self.current = None
        self._clear_preview()
        self.body_edit.blockSignals(True)
        self.body_edit.setPlainText("")
        self.body_edit.blockSignals(False)
        if reference is None:
            self.options = []
            self.type_model.clear()
            self.model.load(None)
            self._update_buttons()
            return
        try:
            self.may_approve = self.service.can_approve()
            self.options = self.service.options(reference)
            parties = self.service.addressee_choices(reference)
            self.model.load(reference)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.type_model.clear()
        for option in self.options:
            item = QStandardItem(option.label)
            item.setData(option.letter_type.value, Qt.ItemDataRole.UserRole)
            if not option.available:
                item.setEnabled(False)
                item.setToolTip(option.reason or "")
            self.type_model.appendRow(item)
        first_available = next((i for i, o in enumerate(self.options) if o.available), 0)
        self.type_combo.setCurrentIndex(first_available)
        self.party_combo.clear()
        # By party id: two third parties with (nearly) the same name stay apart.
        for party_id, label in parties:
            self.party_combo.addItem(label, party_id)
        self._type_changed()
        if self.model.rows:
            self.select_document(self.model.rows[-1].id)
        self._update_buttons()

    def select_document(self, document_id: int) -> None:
        row = self.model.row_of(document_id)
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or current.row() >= len(self.model.rows):
            self.current = None
        else:
            self.current = self.model.rows[current.row()]
        self.body_edit.blockSignals(True)
        self.body_edit.setPlainText(self.current.body_text if self.current else "")
        self.body_edit.blockSignals(False)
        self.body_edit.setReadOnly(self.current is None or self.current.is_final)
        self._update_buttons()
        self.refresh_preview()

    def _selected_option(self) -> LetterOption | None:
        index = self.type_combo.currentIndex()
        return self.options[index] if 0 <= index < len(self.options) else None

    def _type_changed(self, *_args: object) -> None:
        option = self._selected_option()
        self.party_combo.setVisible(
            option is not None and option.letter_type == LetterType.KENNISGEVING_DERDEN
        )
        unavailable = [o for o in self.options if not o.available]
        lines = [f"{o.label}: {o.reason}" for o in unavailable]
        self.reason_label.setText(
            "Niet beschikbaar voor deze zaak:\n" + "\n".join(lines) if lines else ""
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        option = self._selected_option()
        self.create_button.setEnabled(
            self.reference is not None and bool(option and option.available)
        )
        doc = self.current
        concept = doc is not None and not doc.is_final
        changed = concept and doc is not None and self.body_edit.toPlainText() != doc.body_text
        self.save_button.setEnabled(bool(changed))
        self.approve_button.setEnabled(
            bool(
                concept
                and doc is not None
                and doc.needs_approval
                and not doc.is_approved
                and self.may_approve
                and doc.author != self.context.user
                and self.context.user not in doc.editors
            )
        )
        ready = concept and doc is not None and (not doc.needs_approval or doc.is_approved)
        self.final_button.setEnabled(bool(ready and not changed))
        self.export_button.setEnabled(
            bool(doc is not None and (doc.is_final or ready) and not changed)
        )
        self.upload_button.setEnabled(
            self.export_button.isEnabled() and self._upload_worker is None
        )
        self.preview_button.setEnabled(doc is not None)
        self.print_button.setEnabled(doc is not None)
        if doc is None:
            self.state_label.setText("")
        elif doc.is_final:
            self.state_label.setText(
                f"Definitief op {doc.finalised_at:%d-%m-%Y %H:%M}; alleen-lezen. "
                f"SHA-256 {doc.sha256[:16] if doc.sha256 else ''}…"
            )
        elif doc.needs_approval and not doc.is_approved:
            self.state_label.setText(
                "Deze brief moet door een teamleider (niet de opsteller) worden goedgekeurd "
                "voordat hij definitief wordt."
            )
        else:
            self.state_label.setText(doc.status_label)

    # --- actions -------------------------------------------------------------------------------

    def _run(self, action: Callable[[], LetterDocumentView]) -> LetterDocumentView | None:
        try:
            result = action()
        except BibobError as exc:
            errors.show_error(self, exc)
            if isinstance(exc, ConflictError) and self.reference is not None:
                self.model.load(self.reference)  # the letter as the other officer saved it
            return None
        assert self.reference is not None
        self.model.load(self.reference)
        self.select_document(result.id)
        self.case_changed.emit(self.reference)
        return result

    def create_draft(self) -> None:
        option = self._selected_option()
        if self.reference is None or option is None:
            return
        reference = self.reference
        chosen = self.party_combo.currentData()
        party = (
            str(chosen)
            if option.letter_type == LetterType.KENNISGEVING_DERDEN and chosen is not None
            else None
        )
        self._run(lambda: self.service.create_draft(reference, option.letter_type, party))

    def save_body(self) -> None:
        doc = self.current
        if doc is None:
            return
        text = self.body_edit.toPlainText()
        self._run(lambda: self.service.update_body(doc.id, text, doc.version))

    def approve(self) -> None:
        """Four-eyes: the letter is shown first; only what was shown is approved."""
        from bibob_desk.gui import approval_dialog

        doc = self.current
        if doc is None or self.reference is None:
            return
        result = approval_dialog.approve_with_preview(self, self.service, doc.id)
        if result is None:
            return
        self.model.load(self.reference)
        self.select_document(result.id)
        self.case_changed.emit(self.reference)

    def finalise(self) -> None:
        doc = self.current
        if doc is None:
            return
        try:
            addressee = self.service.addressee(doc.id)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        to = ""
        if addressee is not None:
            # The addressee and their address are shown before a letter is made final.
            to = "\n\nGeadresseerde:\n" + addressee.text()
            if not addressee.complete:
                to += "\n(onvolledig postadres: " + ", ".join(addressee.missing) + ")"
        if not errors.ask(
            self,
            "Definitief maken",
            f"'{doc.title}' definitief maken? Daarna kan de tekst niet meer worden gewijzigd." + to,
            "Definitief maken",
        ):
            return
        self._run(lambda: self.service.finalise(doc.id))

    def export(self) -> None:
        doc = self.current
        if doc is None:
            return
        folder = SettingsService(self.context).all().get("export", {}).get("folder") or ""
        if not folder:
            chosen = self.choose_folder()
            if not chosen:
                return
            folder = chosen
        try:
            result = self.service.export_document(doc.id, folder)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        except OSError as exc:
            errors.show_error(self, f"De export is mislukt: {exc.strerror or exc}.")
            return
        assert self.reference is not None
        self.model.load(self.reference)
        self.select_document(result.document.id)
        self.case_changed.emit(self.reference)
        errors.show_info(
            self,
            "Geëxporteerd",
            f"De brief staat in de exportmap:\n{result.pdf_path}\n{result.sidecar_path}",
        )

    def upload(self) -> None:
        """The second export target: straight into the zaaksysteem (Documenten API).

        The network part runs on a pool thread, so the window stays usable while the
        zaaksysteem answers (or times out and is retried)."""
        from bibob_desk.services.zgw import ZgwExportService

        doc = self.current
        if doc is None or self.reference is None or self._upload_worker is not None:
            return
        reference, document_id = self.reference, doc.id
        service = ZgwExportService(self.context)
        try:
            zaak = self.ask_zaak_url(service.zaak_url(reference))
            if zaak is None:
                return
            service.set_zaak_url(reference, zaak)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        worker = _UploadWorker(lambda: service.upload_document(document_id))
        worker.signals.finished.connect(lambda result: self._uploaded(reference, result))
        worker.signals.failed.connect(lambda message: self._upload_failed(reference, message))
        self._upload_worker = worker
        self.upload_button.setEnabled(False)
        self.state_label.setText("De brief gaat naar het zaaksysteem…")
        QThreadPool.globalInstance().start(worker)

    @property
    def uploading(self) -> bool:
        return self._upload_worker is not None

    def _upload_done(self, reference: str) -> None:
        self._upload_worker = None
        if self.reference == reference:
            self.model.load(reference)
            if self.current is not None:
                self.select_document(self.current.id)
            self._update_buttons()
        self.case_changed.emit(reference)

    def _uploaded(self, reference: str, result: object) -> None:
        self._upload_done(reference)
        url = getattr(result, "url", "")
        link = getattr(result, "zaakinformatieobject", None)
        linked = (
            f"\nGekoppeld aan de zaak:\n{link}"
            if link
            else "\nDe Bibob-zaak heeft geen zaak-URL; het document is niet aan een zaak gekoppeld."
        )
        again = (
            "" if getattr(result, "created", True) else " (stond er al; niet opnieuw aangemaakt)"
        )
        errors.show_info(
            self, "Naar zaaksysteem", f"De brief staat in het zaaksysteem{again}:\n{url}{linked}"
        )

    def _upload_failed(self, reference: str, message: str) -> None:
        self._upload_done(reference)
        errors.show_error(self, message)

    def _ask_zaak_url(self, current: str) -> str | None:
        text, ok = QInputDialog.getText(
            self,
            "Naar zaaksysteem",
            "URL van de zaak in de Zaken API (leeg: niet aan een zaak koppelen):",
            text=current,
        )
        return text.strip() if ok else None

    def _ask_folder(self) -> str | None:
        chosen = QFileDialog.getExistingDirectory(self, "Exportmap kiezen", str(Path.home()))
        return chosen or None

    def print_letter(self) -> bool:
        """The chosen letter on paper, as the preview shows it (Qt's print dialog)."""
        from bibob_desk.gui import printing

        doc = self.current
        if doc is None:
            return False
        try:
            pdf = self.service.preview(doc.id)
        except BibobError as exc:
            errors.show_error(self, exc)
            return False
        printer = printing.choose_printer(self, f"Brief afdrukken: {doc.title}")
        if printer is None:
            return False
        printing.print_pdf(printer, pdf)
        return True

    # --- preview -------------------------------------------------------------------------------

    def _clear_preview(self) -> None:
        for label in self.preview_pages:
            self.preview_layout.removeWidget(label)
            label.hide()  # gone at once, not only when the event loop deletes it
            label.deleteLater()
        self.preview_pages = []

    def refresh_preview(self) -> None:
        self._clear_preview()
        doc = self.current
        if doc is None:
            return
        try:
            pdf = self.service.preview(doc.id)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        # Never wider than the pane: a page is scaled down to fit rather than scrolled sideways.
        room = max(200, self.preview_area.viewport().width() - 24)
        for image in render_pdf_pages(pdf):
            if image.width() > room:
                image = image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("background: white; margin: 6px;")
            self.preview_layout.addWidget(label)
            self.preview_pages.append(label)
