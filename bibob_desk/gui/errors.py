"""Showing errors and asking questions, in Dutch, in one place.

Widgets call these functions through the module (``errors.show_error(...)``) so tests can replace
them and never block on a modal dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import (
    BibobError,
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)

APP_TITLE = "Bibob Desk"


def error_title(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "Controleer de invoer"
    if isinstance(exc, ConflictError):
        return "Zaak intussen gewijzigd"
    if isinstance(exc, NotFoundError):
        return "Niet gevonden"
    if isinstance(exc, PermissionDenied):
        return "Geen toegang"
    return APP_TITLE


def error_lines(exc: BibobError) -> list[str]:
    """One sentence per problem: every wrong field, not only the first."""
    if isinstance(exc, ValidationErrors):
        return [str(e) for e in exc.errors]
    return [str(exc)]


def error_fields(exc: BibobError) -> set[str]:
    """The input fields an error is about (to mark them in the form)."""
    if isinstance(exc, ValidationErrors):
        return {e.field for e in exc.errors if e.field}
    if isinstance(exc, ValidationError) and exc.field:
        return {exc.field}
    return set()


def show_error(parent: QWidget | None, exc: BibobError | str, title: str | None = None) -> None:
    """A modal Dutch message for an error the user must read."""
    if isinstance(exc, str):
        text, heading = exc, title or APP_TITLE
    else:
        lines = error_lines(exc)
        text = lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
        heading = title or error_title(exc)
    QMessageBox.warning(parent, heading, text)


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str = "Annuleren") -> bool:
    """A yes/no question with Dutch button texts; True when the user chose ``yes``."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button)
    box.exec()
    return box.clickedButton() is yes_button


SAVE, DISCARD, CANCEL = "opslaan", "niet_opslaan", "annuleren"


def save_question(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """The box of ``ask_save``: Escape (and the close button) is "Annuleren", never a discard."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    save = box.addButton("Opslaan", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Niet opslaan", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton("Annuleren", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    return box


def save_answer(box: QMessageBox) -> str:
    clicked = box.clickedButton()
    if clicked is None or box.buttonRole(clicked) == QMessageBox.ButtonRole.RejectRole:
        return CANCEL
    if box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole:
        return SAVE
    return DISCARD


def ask_save(parent: QWidget | None, title: str, text: str) -> str:
    """Unsaved changes: ``SAVE``, ``DISCARD`` or ``CANCEL`` (stay where you are)."""
    box = save_question(parent, title, text)
    box.exec()
    return save_answer(box)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)
