"""Dialog to add a party (betrokkene) to a case, or change one: a person or a company with its
role."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.parties import PARTY_KIND_LABELS, PARTY_ROLE_LABELS, PartyKind, PartyRole
from bibob_desk.gui.errors import error_fields, error_lines
from bibob_desk.gui.forms import child, load_form
from bibob_desk.gui.styling import mark_invalid
from bibob_desk.services.cases import PartyInput, PartyView, validate_party_input


class PartyDialog(QDialog):
    """Collects a ``PartyInput``; the service's own validation decides what is acceptable."""

    def __init__(self, parent: QWidget | None = None, party: PartyView | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Betrokkene wijzigen" if party else "Betrokkene toevoegen")
        self.setMinimumWidth(460)
        self.form = load_form("party_form.ui", self)
        self.kind_combo = child(self.form, QComboBox, "kindCombo")
        self.name_edit = child(self.form, QLineEdit, "nameEdit")
        self.role_combo = child(self.form, QComboBox, "roleCombo")
        self.kvk_edit = child(self.form, QLineEdit, "kvkEdit")
        self.birth_date_edit = child(self.form, QLineEdit, "birthDateEdit")
        self.street_edit = child(self.form, QLineEdit, "streetEdit")
        self.house_number_edit = child(self.form, QLineEdit, "houseNumberEdit")
        self.postcode_edit = child(self.form, QLineEdit, "postcodeEdit")
        self.city_edit = child(self.form, QLineEdit, "cityEdit")
        self.fields: dict[str, QWidget] = {
            "kind": self.kind_combo,
            "name": self.name_edit,
            "role": self.role_combo,
            "kvk_number": self.kvk_edit,
            "birth_date": self.birth_date_edit,
            "postcode": self.postcode_edit,
        }
        for kind in PartyKind:
            self.kind_combo.addItem(PARTY_KIND_LABELS[kind], kind.value)
        for role in PartyRole:
            self.role_combo.addItem(PARTY_ROLE_LABELS[role], role.value)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("errorBanner")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Opslaan" if party else "Toevoegen")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        layout.addWidget(self.form)
        layout.addWidget(self.buttons)
        if party is not None:
            self.fill(party)
        self._kind_changed()
        self.name_edit.setFocus()

    def fill(self, party: PartyView) -> None:
        """Wijzigen: start from what is stored."""
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(party.kind)))
        self.role_combo.setCurrentIndex(max(0, self.role_combo.findData(party.role)))
        self.name_edit.setText(party.name)
        self.kvk_edit.setText(party.kvk_number or "")
        self.birth_date_edit.setText(
            party.birth_date.strftime("%d-%m-%Y") if party.birth_date else ""
        )
        self.street_edit.setText(party.street)
        self.house_number_edit.setText(party.house_number)
        self.postcode_edit.setText(party.postcode or "")
        self.city_edit.setText(party.city)

    def _kind_changed(self) -> None:
        # A company has a KvK number, a person a birth date; the other field is hidden, not
        # forbidden (a sole trader has both), so the service stays the only judge.
        person = self.kind_combo.currentData() == PartyKind.NATURAL_PERSON.value
        self.birth_date_edit.setEnabled(person)
        if not person:
            self.birth_date_edit.clear()

    def party_input(self) -> PartyInput:
        return PartyInput(
            name=self.name_edit.text(),
            role=str(self.role_combo.currentData()),
            kind=str(self.kind_combo.currentData()),
            kvk_number=self.kvk_edit.text(),
            birth_date=self.birth_date_edit.text(),
            street=self.street_edit.text(),
            house_number=self.house_number_edit.text(),
            postcode=self.postcode_edit.text(),
            city=self.city_edit.text(),
        )

    def show_errors(self, exc: ValidationError) -> None:
        wrong = error_fields(exc)
        for name, widget in self.fields.items():
            mark_invalid(widget, name in wrong)
        self.error_label.setText("\n".join(f"• {line}" for line in error_lines(exc)))
        self.error_label.show()

    def accept(self) -> None:
        try:
            validate_party_input(self.party_input())
        except ValidationError as exc:
            self.show_errors(exc)
            return
        super().accept()
