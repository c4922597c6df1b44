"""The Instellingen page and the first-start set-up dialog, driven through their widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMainWindow, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from bibob_desk.gui import extensions
from bibob_desk.gui.settings_page import SettingsPage
from bibob_desk.gui.setup_dialog import ADDRESS_KEY, SetupDialog, offer_setup
from bibob_desk.gui.styling import is_marked_invalid
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsService
from tests.conftest import grant_role
from tests.gui.shell_fixtures import Messages
from tests.services.test_settings import SVG, audit_details


def test_instellingen_is_a_page_of_the_main_window() -> None:
    assert ("Instellingen", "bibob_desk.gui.settings_page:SettingsPage") in extensions.PAGES


def test_page_refuses_anyone_but_a_beheerder(qtbot: QtBot, sqlite_context: AppContext) -> None:
    page = SettingsPage(sqlite_context)  # tester is teamleider
    qtbot.addWidget(page)
    assert page.content.isHidden()
    assert "beheerder" in page.refusal.text()


def test_beheerder_edits_and_saves_every_kind_of_field(
    qtbot: QtBot, sqlite_context: AppContext, tmp_path: Path, messages: Messages
) -> None:
    page = SettingsPage(grant_role(sqlite_context))
    qtbot.addWidget(page)
    page.show()
    assert not page.save_button.isEnabled()  # nothing changed yet
    name = page.editors["organisation.name"].field
    assert isinstance(name, QLineEdit)
    qtbot.keyClicks(name, "Gemeente Assen")
    address = page.editors["organisation.address_lines"].field
    assert isinstance(address, QPlainTextEdit)
    address.setPlainText("Postbus 30018\n9400 RA  Assen\n")
    weeks = page.editors["terms.zienswijze_weeks"].field
    assert isinstance(weeks, QSpinBox)
    weeks.setValue(3)
    page.editors["export.confidentiality"].field.setCurrentIndex(6)  # type: ignore[attr-defined]
    page.editors["export.mdto"].field.setChecked(True)  # type: ignore[attr-defined]
    table = page.editors["terms.decision_period_weeks"].field
    row = [code for code, _ in page.editors["terms.decision_period_weeks"].spec.item_keys].index(
        "alcohol"
    )
    table.item(row, 0).setText("6")  # type: ignore[attr-defined]
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG)
    assert page.editors["organisation.logo"].load_image_file(str(logo))
    assert page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.error_label.isHidden(), page.error_label.text()
    settings = SettingsService(sqlite_context)
    assert settings.get("organisation.name") == "Gemeente Assen"
    assert settings.get("organisation.address_lines") == ["Postbus 30018", "9400 RA  Assen"]
    assert settings.get("terms.zienswijze_weeks") == 3
    assert settings.get("export.confidentiality") == "geheim"
    assert settings.get("export.mdto") is True
    assert settings.get("terms.decision_period_weeks.alcohol") == 6
    assert settings.get("organisation.logo")["format"] == "svg"
    assert not page.save_button.isEnabled() and messages.shown == []
    assert len(audit_details(sqlite_context)) == 7


def test_all_wrong_fields_are_marked_and_what_was_typed_stays(
    qtbot: QtBot, sqlite_context: AppContext
) -> None:
    page = SettingsPage(grant_role(sqlite_context))
    qtbot.addWidget(page)
    fields = {
        "organisation.name": "Gemeente Assen",
        "organisation.rsin": "123456789",
        "organisation.email": "geen adres",
        "export.folder": "relatief/pad",
    }
    for key, text in fields.items():
        page.editors[key].field.setText(text)  # type: ignore[attr-defined]
    assert not page.save()
    wrong = {key for key, editor in page.editors.items() if is_marked_invalid(editor.field)}
    assert wrong == {"organisation.rsin", "organisation.email", "export.folder"}
    text = page.error_label.text()
    assert "elfproef" in text and "e-mailadres" in text and "volledig pad" in text
    for key, typed in fields.items():
        assert page.editors[key].field.text() == typed  # type: ignore[attr-defined]
    assert SettingsService(sqlite_context).get("organisation.name") == ""  # all or nothing
    page.refresh()  # showing the page again keeps unsaved edits
    assert page.editors["organisation.rsin"].field.text() == "123456789"  # type: ignore[attr-defined]
    page.editors["organisation.rsin"].field.setText("002564440")  # type: ignore[attr-defined]
    page.editors["organisation.email"].field.setText("bibob@assen.nl")  # type: ignore[attr-defined]
    page.editors["export.folder"].field.setText(str(Path.cwd()))  # type: ignore[attr-defined]
    assert page.save()
    assert page.error_label.isHidden() and not is_marked_invalid(
        page.editors["organisation.rsin"].field
    )


def test_refused_logo_file_is_not_taken(
    qtbot: QtBot, sqlite_context: AppContext, tmp_path: Path, messages: Messages
) -> None:
    page = SettingsPage(grant_role(sqlite_context))
    qtbot.addWidget(page)
    fake = tmp_path / "foto.png"
    fake.write_bytes(b"geen plaatje")
    assert not page.editors["organisation.logo"].load_image_file(str(fake))
    assert messages.shown and "organisation.logo" in messages.shown[0]
    assert not page.save_button.isEnabled()


def test_setup_dialog_names_every_missing_or_wrong_field_then_saves(
    qtbot: QtBot, sqlite_context: AppContext
) -> None:
    grant_role(sqlite_context)
    window = QMainWindow()
    qtbot.addWidget(window)
    dialog = offer_setup(window, sqlite_context)
    assert isinstance(dialog, SetupDialog) and dialog.isVisible()
    dialog.fields["organisation.rsin"].setText("123")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    text = dialog.error_label.text()
    assert "organisation.name" in text and ADDRESS_KEY in text and "negen cijfers" in text
    assert is_marked_invalid(dialog.fields["organisation.rsin"])
    dialog.fields["organisation.name"].setText("Gemeente Assen")  # type: ignore[attr-defined]
    dialog.address_edit.setText("Postbus 30018")
    dialog.place_edit.setText("9400 RA  Assen")
    dialog.fields["organisation.rsin"].setText("002564440")  # type: ignore[attr-defined]
    dialog.fields["signature.organ"].setText("de burgemeester van Assen")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.result() == SetupDialog.DialogCode.Accepted
    settings = SettingsService(sqlite_context)
    assert settings.missing_for_letters() == [] and not settings.needs_setup()
    assert settings.get("signature.organ") == "de burgemeester van Assen"
    assert offer_setup(window, sqlite_context) is None  # set up: no second time


def test_setup_later_changes_nothing_and_others_get_a_status_message(
    qtbot: QtBot, sqlite_context: AppContext
) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    assert offer_setup(window, sqlite_context) is None  # tester is no beheerder
    assert "nog niet ingesteld" in window.statusBar().currentMessage()
    grant_role(sqlite_context)
    dialog = offer_setup(window, sqlite_context)
    assert dialog is not None
    dialog.fields["organisation.name"].setText("Half ingevuld")  # type: ignore[attr-defined]
    qtbot.mouseClick(dialog.later_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert SettingsService(sqlite_context).needs_setup()


@pytest.fixture(autouse=True)
def _quiet(messages: Messages) -> None:
    """No modal message box may block these tests."""
