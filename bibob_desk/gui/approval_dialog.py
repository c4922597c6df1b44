"""Approving a letter (four-eyes): the team lead sees the letter before approving it.

The dialog shows the addressee, who wrote and who changed the text, and every page of the letter
as it will be approved. "Goedkeuren" approves exactly that content: the service is given the
fingerprint of what was shown and refuses when anything changed in between.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError
from bibob_desk.gui import errors
from bibob_desk.services.letters import ApprovalPreview, LetterDocumentView, LetterService


class ApprovalDialog(QDialog):
    """The letter as it will be approved, with Goedkeuren / Annuleren."""

    def __init__(self, preview: ApprovalPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from bibob_desk.gui.letters_panel import render_pdf_pages

        self.preview = preview
        doc = preview.document
        self.setWindowTitle(f"Goedkeuren: {doc.title}")
        self.resize(780, 860)
        layout = QVBoxLayout(self)
        facts = [f"<b>{doc.type_label}</b>: {doc.title}", f"Opgesteld door: {doc.author}"]
        if doc.editors:
            facts.append("Gewijzigd door: " + ", ".join(doc.editors))
        if preview.addressee is not None:
            facts.append("Geadresseerde: " + "; ".join(preview.addressee.lines or ("(geen)",)))
        self.facts_label = QLabel("<br>".join(facts))
        self.facts_label.setObjectName("approvalFacts")
        self.facts_label.setWordWrap(True)
        layout.addWidget(self.facts_label)
        area = QScrollArea()
        area.setWidgetResizable(True)
        host = QWidget()
        pages = QVBoxLayout(host)
        self.page_labels: list[QLabel] = []
        for image in render_pdf_pages(preview.pdf, scale=1.0):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            pages.addWidget(label)
            self.page_labels.append(label)
        area.setWidget(host)
        layout.addWidget(area, 1)
        layout.addWidget(
            QLabel(
                "Met Goedkeuren keurt u precies deze brief goed. Wijzigt de tekst, de "
                "geadresseerde of het besluit daarna, dan vervalt de goedkeuring."
            )
        )
        buttons = QDialogButtonBox()
        self.approve_button = buttons.addButton(
            "Goedkeuren", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton("Annuleren", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _exec(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


# Tests replace this to look at the dialog and answer it.
run_dialog: Callable[[QDialog], bool] = _exec


def approve_with_preview(
    parent: QWidget, service: LetterService, document_id: int
) -> LetterDocumentView | None:
    """Show the letter, ask, approve what was shown. None when cancelled or refused."""
    try:
        preview = service.approval_preview(document_id)
    except BibobError as exc:
        errors.show_error(parent, exc)
        return None
    dialog = ApprovalDialog(preview, parent)
    if not run_dialog(dialog):
        return None
    try:
        return service.approve(document_id, preview.fingerprint)
    except BibobError as exc:
        errors.show_error(parent, exc)
        return None
