"""The short set-up dialog of a first start: who is the organisation?

Shown after the main window opens when no organisation name is set (the shipped defaults name
none). A beheerder fills in the basics a final letter needs (name, postal address, RSIN) and a
few more; everything else is on the Instellingen page. Saving goes through SettingsService with
the same validation as the page and the command line: all refused fields are named at once and
the dialog stays open with what was typed. "Later" closes it; letters cannot become final until
the organisation is set.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, ValidationError
from bibob_desk.domain.settings_schema import SPECS
from bibob_desk.gui import errors
from bibob_desk.gui.styling import mark_invalid
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsErrors, SettingsService

# The text fields of the dialog, in order: (setting key, placeholder).
TEXT_FIELDS = (
    ("organisation.name", "bijv. Gemeente Assen"),
    ("organisation.rsin", "negen cijfers, bijv. 002564440"),
    ("organisation.visiting_address", "bijv. Noordersingel 33, Assen"),
    ("organisation.phone", "bijv. 14 0592"),
    ("organisation.email", "bijv. bibob@assen.nl"),
    ("signature.organ", "bijv. de burgemeester van Assen"),
)
ADDRESS_KEY = "organisation.address_lines"


class SetupDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = SettingsService(context)
        self.setWindowTitle("Bibob Desk instellen")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Welkom bij Bibob Desk. Vul eerst de gegevens van uw organisatie in: ze komen in het "
            "briefhoofd en in de exportgegevens van iedere brief. Velden met * zijn nodig voordat "
            "een brief definitief kan worden. De rest staat later onder Instellingen.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        current = self.service.all()
        organisation = current.get("organisation", {})
        for key, placeholder in TEXT_FIELDS:
            edit = QLineEdit(self)
            edit.setPlaceholderText(placeholder)
            edit.setText(str(self.service.get(key) or ""))
            self.fields[key] = edit
            if key == "organisation.name":
                form.addRow(_label(key), edit)
                self.kind_combo = QComboBox(self)
                for code, label in SPECS["organisation.kind"].choices:
                    self.kind_combo.addItem(label, code)
                self.kind_combo.setCurrentIndex(
                    max(self.kind_combo.findData(organisation.get("kind")), 0)
                )
                form.addRow(_label("organisation.kind"), self.kind_combo)
                lines = list(organisation.get("address_lines") or [])
                self.address_edit = QLineEdit(self)
                self.address_edit.setPlaceholderText("Postbus of straat en huisnummer")
                self.address_edit.setText(lines[0] if lines else "")
                self.place_edit = QLineEdit(self)
                self.place_edit.setPlaceholderText("postcode en plaats, bijv. 9400 RA  Assen")
                self.place_edit.setText(lines[1] if len(lines) > 1 else "")
                form.addRow(_label(ADDRESS_KEY), self.address_edit)
                form.addRow("", self.place_edit)
                self.fields[ADDRESS_KEY] = self.address_edit
                continue
            form.addRow(_label(key), edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton("Opslaan", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton("Later", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            key: edit.text() for key, edit in self.fields.items() if isinstance(edit, QLineEdit)
        }
        values["organisation.kind"] = self.kind_combo.currentData()
        values[ADDRESS_KEY] = [
            line for line in (self.address_edit.text(), self.place_edit.text()) if line.strip()
        ]
        return values

    def save(self) -> None:
        for widget in (*self.fields.values(), self.place_edit):
            mark_invalid(widget, False)
        values = self.values()
        problems: list[ValidationError] = []
        for key in ("organisation.name", ADDRESS_KEY, "organisation.rsin"):
            if not values[key] or (isinstance(values[key], str) and not values[key].strip()):
                spec = SPECS[key]
                problems.append(
                    ValidationError(f"Vul {spec.label.lower()} in ({spec.key}).", spec.key)
                )
        # Empty required fields and wrong values are named together, in the order of the form.
        problems += [
            p for p in self.service.check(values) if p.field not in {q.field for q in problems}
        ]
        try:
            if problems:
                raise SettingsErrors(problems)
            self.service.update(values)
        except SettingsErrors as exc:
            self._show(exc.errors)
            return
        except ValidationError as exc:
            self._show([exc])
            return
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.accept()

    def _show(self, problems: list[ValidationError]) -> None:
        for problem in problems:
            widget = self.fields.get(problem.field or "")
            if widget is not None:
                mark_invalid(widget, True)
            if problem.field == ADDRESS_KEY:
                mark_invalid(self.place_edit, True)
        self.error_label.setText("\n".join(f"• {p}" for p in problems))
        self.error_label.show()


_DIALOG_LABELS = {"organisation.name": "Naam organisatie"}


def _label(key: str) -> str:
    spec = SPECS[key]
    return _DIALOG_LABELS.get(key, spec.label) + (" *" if spec.required_for_letters else "")


def offer_setup(window: QMainWindow, context: AppContext) -> SetupDialog | None:
    """After a start without an organisation name: the dialog (beheerder) or a status message."""
    service = SettingsService(context)
    if not service.needs_setup():
        return None
    if not service.may_edit():
        window.statusBar().showMessage(
            "De organisatie is nog niet ingesteld: brieven kunnen pas definitief worden als een "
            "beheerder naam, adres en RSIN invult (Instellingen)."
        )
        return None
    dialog = SetupDialog(context, window)
    dialog.open()
    return dialog


def offer_setup_later(window: QMainWindow, context: AppContext) -> None:
    """Ask once the window is on screen (and the event loop runs), not before."""
    QTimer.singleShot(0, window, lambda: offer_setup(window, context))
