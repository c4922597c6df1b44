"""The "Gebruikers" page: who may use Bibob Desk and with which roles (administrators only).

The rule (only a beheerder manages users) is checked by UserService; for anyone else the page
shows the service's Dutch refusal instead of the form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bibob_desk.domain.errors import BibobError, PermissionDenied
from bibob_desk.domain.roles import ROLE_LABELS, Role
from bibob_desk.gui import errors
from bibob_desk.gui.rows_model import RowsTableModel
from bibob_desk.services.context import AppContext
from bibob_desk.services.users import UserService, UserView

Index = QModelIndex | QPersistentModelIndex


class UserTableModel(RowsTableModel):
    HEADERS = ("Gebruikersnaam", "Naam", "Rollen", "Actief")

    def __init__(self, service: UserService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service

    def reload(self) -> None:
        """Raises PermissionDenied for users who may not see the list."""
        try:
            self.set_rows(self.service.list())
        except BibobError:
            self.set_rows([])
            raise

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        user: UserView = self.row_at(index.row())
        return (
            user.username,
            user.full_name,
            user.roles_label,
            "ja" if user.active else "nee (uitgeschakeld)",
        )[index.column()]


class UsersPage(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = UserService(context)
        self.model = UserTableModel(self.service, self)
        layout = QVBoxLayout(self)
        self.refusal = QLabel(self)
        self.refusal.setWordWrap(True)
        layout.addWidget(self.refusal)
        self.content = QWidget(self)
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        self.table = QTableView(self.content)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        inner.addWidget(self.table)

        toggle_row = QHBoxLayout()
        self.toggle_button = QPushButton("In- of uitschakelen", self.content)
        self.toggle_button.clicked.connect(self.toggle_selected)
        toggle_row.addWidget(self.toggle_button)
        toggle_row.addSpacing(24)
        # The roles of the chosen user (on PostgreSQL also their group roles).
        toggle_row.addWidget(QLabel("Rollen van de gekozen gebruiker:", self.content))
        self.selected_role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(ROLE_LABELS[role], self.content)
            box.setEnabled(False)
            self.selected_role_boxes[role] = box
            toggle_row.addWidget(box)
        self.set_roles_button = QPushButton("Rollen opslaan", self.content)
        self.set_roles_button.setEnabled(False)
        self.set_roles_button.clicked.connect(self.set_roles_of_selected)
        toggle_row.addWidget(self.set_roles_button)
        toggle_row.addStretch(1)
        inner.addLayout(toggle_row)
        self.table.selectionModel().selectionChanged.connect(self._user_selected)

        form = QFormLayout()
        self.username_edit = QLineEdit(self.content)
        self.username_edit.setPlaceholderText("aanmeldnaam van de werkplek, bijv. j.devries")
        self.full_name_edit = QLineEdit(self.content)
        form.addRow("Gebruikersnaam", self.username_edit)
        form.addRow("Volledige naam", self.full_name_edit)
        roles_row = QHBoxLayout()
        self.role_boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(ROLE_LABELS[role], self.content)
            self.role_boxes[role] = box
            roles_row.addWidget(box)
        self.role_boxes[Role.MEDEWERKER].setChecked(True)
        form.addRow("Rollen", roles_row)
        self.add_button = QPushButton("Gebruiker toevoegen", self.content)
        self.add_button.clicked.connect(self.add_user)
        form.addRow("", self.add_button)
        inner.addLayout(form)
        layout.addWidget(self.content)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.model.reload()
        except PermissionDenied as exc:
            self.refusal.setText(str(exc))
            self.refusal.show()
            self.content.hide()
            return
        self.refusal.hide()
        self.content.show()

    def add_user(self) -> None:
        roles = [role.value for role, box in self.role_boxes.items() if box.isChecked()]
        try:
            user = self.service.add(self.username_edit.text(), roles, self.full_name_edit.text())
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.username_edit.clear()
        self.full_name_edit.clear()
        self.refresh()
        errors.show_info(self, "Gebruiker toegevoegd", f"{user.username}: {user.roles_label}.")

    def _selected(self) -> UserView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _user_selected(self, *_: Any) -> None:
        user = self._selected()
        for role, box in self.selected_role_boxes.items():
            box.setEnabled(user is not None)
            box.setChecked(user is not None and role in user.roles)
        self.set_roles_button.setEnabled(user is not None)

    def set_roles_of_selected(self) -> None:
        user = self._selected()
        if user is None:
            errors.show_error(self, "Kies eerst een gebruiker in de lijst.")
            return
        roles = [role.value for role, box in self.selected_role_boxes.items() if box.isChecked()]
        try:
            changed = self.service.set_roles(user.username, roles)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.refresh()
        errors.show_info(self, "Rollen gewijzigd", f"{changed.username}: {changed.roles_label}.")

    def toggle_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            errors.show_error(self, "Kies eerst een gebruiker in de lijst.")
            return
        user: UserView = self.model.row_at(rows[0].row())
        try:
            self.service.set_active(user.username, not user.active)
        except BibobError as exc:
            errors.show_error(self, exc)
            return
        self.refresh()
