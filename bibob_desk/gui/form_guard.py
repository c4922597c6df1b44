"""Forms that keep what was typed.

- ``form_state`` reads every input of a form, so a dialog knows whether anything was typed.
- ``GuardedDialog``: Escape, Annuleren or the window's close button on a form with changes asks
  first; with ``submit`` set, "OK" hands the input to the service *before* the dialog closes, and
  a refusal is shown in the dialog (every problem at once, the wrong fields marked) while
  everything typed stays.
- ``on_return``: Return in a field does what the field suggests (in a party row: add the party),
  instead of pressing the dialog's default button.

The checks themselves are the services': these helpers only keep the form open and show them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError
from bibob_desk.gui import errors
from bibob_desk.gui.styling import mark_invalid

DISCARD_TITLE = "Ingevulde gegevens weggooien?"
DISCARD_TEXT = (
    "U heeft in dit formulier gegevens ingevuld of gewijzigd die nog niet zijn vastgelegd. "
    "Het formulier sluiten en deze gegevens weggooien?"
)


def form_state(root: QWidget) -> tuple[Any, ...]:
    """Everything the user can type or choose in ``root``, to compare with an earlier state."""
    values: list[Any] = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit):
            if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):
                continue  # the spin box or editable combo reports it
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            values.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            values.append((widget.currentIndex(), widget.currentText()))
        elif isinstance(widget, QDateTimeEdit):
            values.append(widget.dateTime().toString(Qt.DateFormat.ISODate))
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
        elif isinstance(widget, QListWidget):
            values.append(
                tuple(
                    (widget.item(i).text(), widget.item(i).checkState().value)
                    for i in range(widget.count())
                )
            )
    return tuple(values)


def confirm_discard(parent: QWidget) -> bool:
    """True when the user chose to throw away what was typed."""
    return errors.ask(parent, DISCARD_TITLE, DISCARD_TEXT, "Weggooien", "Terug naar het formulier")


class _ReturnFilter(QObject):
    def __init__(self, parent: QObject, action: Callable[[], None]) -> None:
        super().__init__(parent)
        self.action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.action()
            return True  # the dialog's default button does not see it
        return False


def on_return(action: Callable[[], None], *fields: QWidget) -> None:
    """Return or Enter in any of ``fields`` runs ``action`` (and nothing else)."""
    for field in fields:
        field.installEventFilter(_ReturnFilter(field, action))


class GuardedDialog(QDialog):
    """A dialog that validates before it closes and asks before it throws input away.

    Call ``guard()`` at the end of ``__init__`` (it remembers the form as filled in and adds the
    error banner at the top). ``submit`` (optional) is called by "OK": its return value is kept
    in ``outcome``; a ``BibobError`` keeps the dialog open with every problem listed.
    ``fields`` maps the service's field names to the widgets to mark.
    """

    submit: Callable[[], Any] | None = None
    fields: Mapping[str, QWidget] = {}

    def guard(self) -> None:
        self.outcome: Any = None
        if not isinstance(getattr(self, "error_label", None), QLabel):  # else: the dialog's own
            self.error_label = QLabel(self)
            self.error_label.setObjectName("errorBanner")
            self.error_label.setWordWrap(True)
            self.error_label.hide()
            layout = self.layout()
            if isinstance(layout, QVBoxLayout):
                layout.insertWidget(0, self.error_label)
        self._as_opened = form_state(self)

    def is_modified(self) -> bool:
        return form_state(self) != getattr(self, "_as_opened", None)

    def accept(self) -> None:
        if self.submit is not None:
            try:
                self.outcome = self.submit()
            except BibobError as exc:
                self.show_errors(exc)
                return
        super().accept()

    def reject(self) -> None:
        if self.is_modified() and not confirm_discard(self):
            return
        super().reject()

    def show_errors(self, exc: BibobError) -> None:
        lines = errors.error_lines(exc)
        wrong = errors.error_fields(exc)
        for name, widget in self.fields.items():
            mark_invalid(widget, name in wrong)
        heading = "Niet vastgelegd. Verbeter " + (
            "dit punt:" if len(lines) == 1 else f"deze {len(lines)} punten:"
        )
        self.error_label.setText(heading + "\n" + "\n".join(f"• {line}" for line in lines))
        self.error_label.show()
