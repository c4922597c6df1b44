"""The simple "Nieuwe zaak" dialog: the minimum to register a case.

The applicability helper replaces it with a full intake wizard by repointing
``MainWindow.new_case``; this dialog stays usable on its own.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import BibobError, ValidationError
from bibob_desk.domain.parties import PartyRole
from bibob_desk.gui import errors
from bibob_desk.gui.forms import child, load_form
from bibob_desk.gui.styling import mark_invalid
from bibob_desk.services.cases import CaseService, CaseView, PartyInput, validate_party_input

# Party input errors carry the party's field names; in this dialog they belong to the applicant.
_PARTY_FIELD_TO_WIDGET = {"name": "applicant", "kvk_number": "kvk"}


class NewCaseDialog(QDialog):
    def __init__(self, service: CaseService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.created: CaseView | None = None
        self.setWindowTitle("Nieuwe zaak")
        self.setMinimumWidth(520)
        self.form = load_form("new_case_form.ui", self)
        self.title_edit = child(self.form, QLineEdit, "titleEdit")
        self.area_combo = child(self.form, QComboBox, "areaCombo")
        self.date_edit = child(self.form, QLineEdit, "applicationDateEdit")
        self.bouwsom_edit = child(self.form, QLineEdit, "bouwsomEdit")
        self.applicant_edit = child(self.form, QLineEdit, "applicantEdit")
        self.kvk_edit = child(self.form, QLineEdit, "kvkEdit")
        self.fields: dict[str, QWidget] = {
            "title": self.title_edit,
            "area": self.area_combo,
            "application_date": self.date_edit,
            "bouwsom": self.bouwsom_edit,
            "applicant": self.applicant_edit,
            "kvk": self.kvk_edit,
        }
        for code, label in AREAS.items():
            self.area_combo.addItem(label, code)
        self.date_edit.setText(date.today().strftime("%d-%m-%Y"))

        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorBanner")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Zaak aanmaken")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)

    def raw_fields(self) -> dict[str, object]:
        return {
            "title": self.title_edit.text(),
            "area": self.area_combo.currentData(),
            "application_date": self.date_edit.text(),
            "bouwsom": self.bouwsom_edit.text(),
        }

    def parties(self) -> list[PartyInput]:
        name = self.applicant_edit.text().strip()
        if not name and not self.kvk_edit.text().strip():
            return []
        return [
            PartyInput(name=name, role=PartyRole.AANVRAGER.value, kvk_number=self.kvk_edit.text())
        ]

    def show_errors(self, exc: BibobError) -> None:
        wrong = {_PARTY_FIELD_TO_WIDGET.get(f, f) for f in errors.error_fields(exc)}
        for name, widget in self.fields.items():
            mark_invalid(widget, name in wrong)
        self.error_label.setText("\n".join(f"• {line}" for line in errors.error_lines(exc)))
        self.error_label.show()

    def _party_errors(self) -> list[ValidationError]:
        found: list[ValidationError] = []
        for party in self.parties():
            try:
                validate_party_input(party)
            except ValidationErrors as exc:
                found.extend(exc.errors)
            except ValidationError as exc:
                found.append(exc)
        return found

    def accept(self) -> None:
        try:
            self.created = self._service.open_case(self.raw_fields(), self.parties())
        except ValidationError as exc:
            # The service stops at the case fields; report the applicant's mistakes too, so the
            # officer sees every wrong field at once.
            combined = list(exc.errors) if isinstance(exc, ValidationErrors) else [exc]
            seen = {str(e) for e in combined}
            combined += [e for e in self._party_errors() if str(e) not in seen]
            self.show_errors(ValidationErrors(combined))
            return
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        super().accept()
