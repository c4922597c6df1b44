"""The "Beleid" page: versions listed and shown, a new version added by an administrator."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from bibob_desk.gui import extensions
from bibob_desk.gui.policy_admin import PolicyAdminPage, PolicyEditDialog
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService
from tests.conftest import make_user


def make_page(qtbot: Any, context: AppContext, user: str, role: str) -> PolicyAdminPage:
    make_user(context.db, user, role)
    page = PolicyAdminPage(AppContext(db=context.db, user=user))
    qtbot.addWidget(page)
    return page


def test_versions_are_listed_and_shown(qtbot: Any, sqlite_context: AppContext) -> None:
    page = make_page(qtbot, sqlite_context, "lezer", "medewerker")
    assert page.model.rowCount() == 1
    assert "Drempel bouwsom (excl. btw): meer dan € 750.000,00" in page.detail.toPlainText()
    assert "beheerder" in page.role_label.text()
    assert ("Beleid", "bibob_desk.gui.policy_admin:PolicyAdminPage") in extensions.PAGES


def fill_new_version(qtbot: Any, dialog: PolicyEditDialog) -> None:
    qtbot.keyClicks(dialog.version_edit, "2027.1")
    qtbot.keyClicks(dialog.date_edit, "2027-01-01")
    dialog.threshold_edit.setText("500.000,00")
    dialog.comparison_combo.setCurrentIndex(dialog.comparison_combo.findData("of_meer"))
    combo = dialog.area_combos["verhuurvergunning"]
    combo.setCurrentIndex(combo.findData("kan"))
    dialog.risk_areas_edit.setPlainText("7811-7815; Centrum Emmen; 100000")


def test_administrator_adds_a_version(qtbot: Any, sqlite_context: AppContext) -> None:
    page = make_page(qtbot, sqlite_context, "beheer", "beheerder")
    assert page.role_label.text() == ""

    def run(dialog: PolicyEditDialog) -> bool:
        fill_new_version(qtbot, dialog)
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
        )
        return dialog.result() == PolicyEditDialog.DialogCode.Accepted

    page.exec_dialog = run  # type: ignore[method-assign]
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 2
    versions = PolicyService(sqlite_context).list()
    new = versions[-1].policy
    assert new.version == "2027.1" and str(new.threshold) == "500000.00"
    assert new.comparison.value == "of_meer"
    assert "verhuurvergunning" in new.optional_areas
    assert new.risk_areas[0].contains("7815 ZZ") and new.risk_areas[0].label == "Centrum Emmen"
    assert versions[0].policy.threshold == 750000  # the old version is untouched
    assert "versie 2027.1" in page.detail.toPlainText()


def test_invalid_or_unauthorised_versions_are_refused(
    qtbot: Any, sqlite_context: AppContext
) -> None:
    page = make_page(qtbot, sqlite_context, "beheer", "beheerder")
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    fill_new_version(qtbot, dialog)
    dialog.risk_areas_edit.setPlainText("78-11")
    dialog.accept()
    assert dialog.added is None
    assert "Risicogebied 1, postcodes" in dialog.error_label.text()
    assert "risk_areas" not in dialog.error_label.text()

    officer = make_page(qtbot, sqlite_context, "officier", "medewerker")
    dialog = officer.make_dialog()
    qtbot.addWidget(dialog)
    fill_new_version(qtbot, dialog)
    dialog.accept()
    assert dialog.added is None and "beheerder" in dialog.error_label.text()
    assert len(PolicyService(sqlite_context).list()) == 1


def test_the_editor_warns_about_letters_at_a_range_end_and_refuses_a_taken_date(
    qtbot: Any, sqlite_context: AppContext
) -> None:
    page = make_page(qtbot, sqlite_context, "beheer", "beheerder")
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    fill_new_version(qtbot, dialog)
    dialog.risk_areas_edit.setPlainText("9401 AB-9403 ZZ; Centrum Assen")
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.added is None and "genegeerd" in dialog.error_label.text()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # saved on the second click
    assert dialog.added is not None and dialog.added.version == "2027.1"
    # A second version on the same effective date is refused, naming the first.
    second = page.make_dialog()
    qtbot.addWidget(second)
    fill_new_version(qtbot, second)
    second.version_edit.setText("2027.2")
    second.risk_areas_edit.setPlainText("")
    qtbot.mouseClick(
        second.buttons.button(second.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert second.added is None and "'2027.1'" in second.error_label.text()
