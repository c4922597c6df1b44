"""GUI for users, retention, the damaged-database restore offer, busy retry and auto back-ups."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from bibob_desk.gui import errors, reliability
from bibob_desk.gui.reliability import RestoreDialog, install_auto_backup, run_with_busy_dialog
from bibob_desk.gui.retention_page import RetentionPage
from bibob_desk.gui.users_page import UsersPage
from bibob_desk.services.backup import write_backup
from bibob_desk.services.busy import DatabaseBusyError
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.database import CorruptDatabaseError, open_database
from bibob_desk.storage.models import Case
from tests.conftest import grant_role, make_user


@pytest.fixture(autouse=True)
def quiet_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_info", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(
        errors, "show_error", lambda parent, exc, title=None: shown.append(str(exc))
    )
    monkeypatch.setattr(errors, "ask", lambda *args, **kwargs: True)
    return shown


def test_administrator_adds_and_deactivates_a_user(
    qtbot: QtBot, sqlite_context: AppContext
) -> None:
    make_user(sqlite_context.db, "beheer", "beheerder")
    page = UsersPage(AppContext(sqlite_context.db, "beheer"))
    qtbot.addWidget(page)
    page.show()
    assert page.content.isVisible() and not page.refusal.isVisible()
    qtbot.keyClicks(page.username_edit, "j.devries")
    qtbot.keyClicks(page.full_name_edit, "Jan de Vries")
    page.role_boxes[next(r for r in page.role_boxes if r.value == "teamleider")].setChecked(True)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    names = [page.model.row_at(r).username for r in range(page.model.rowCount())]
    assert "j.devries" in names
    row = names.index("j.devries")
    assert page.model.index(row, 2).data() == "Medewerker Bibob, Teamleider"
    page.table.selectRow(row)
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert page.model.index(row, 3).data().startswith("nee")
    page.grab().save("/tmp/security_users_page.png")


def test_administrator_changes_the_roles_of_a_user(
    qtbot: QtBot, sqlite_context: AppContext, tmp_path: Path
) -> None:
    make_user(sqlite_context.db, "beheer", "beheerder")
    make_user(sqlite_context.db, "a.dekker", "medewerker")
    page = UsersPage(AppContext(sqlite_context.db, "beheer"))
    qtbot.addWidget(page)
    page.show()
    names = [page.model.row_at(r).username for r in range(page.model.rowCount())]
    assert not page.set_roles_button.isEnabled()
    page.table.selectRow(names.index("a.dekker"))
    boxes = {role.value: box for role, box in page.selected_role_boxes.items()}
    assert boxes["medewerker"].isChecked() and not boxes["teamleider"].isChecked()
    boxes["teamleider"].setChecked(True)
    qtbot.mouseClick(page.set_roles_button, Qt.MouseButton.LeftButton)
    row = [page.model.row_at(r).username for r in range(page.model.rowCount())].index("a.dekker")
    assert page.model.index(row, 2).data() == "Medewerker Bibob, Teamleider"
    page.grab().save(str(tmp_path / "gebruikers.png"))


def test_users_page_refuses_an_officer(qtbot: QtBot, sqlite_context: AppContext) -> None:
    make_user(sqlite_context.db, "mw", "medewerker")
    page = UsersPage(AppContext(sqlite_context.db, "mw"))
    qtbot.addWidget(page)
    page.show()
    assert page.refusal.isVisible() and "beheerder" in page.refusal.text()
    assert not page.content.isVisible()


def test_team_lead_destroys_a_due_case(qtbot: QtBot, sqlite_context: AppContext) -> None:
    service = CaseService(sqlite_context)
    ref = service.open_case(
        {"title": "Oude zaak", "area": "exploitatie_horeca", "application_date": "2015-01-05"}
    ).reference
    with sqlite_context.db.session() as session:
        session.execute(
            update(Case)
            .where(Case.reference == ref)
            .values(phase="gesloten", closed_on=date(2016, 1, 1))
        )
    page = RetentionPage(sqlite_context)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 1 and page.model.index(0, 0).data() == ref
    page.grab().save("/tmp/security_retention_page.png")
    page.table.selectRow(0)
    qtbot.mouseClick(page.destroy_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 0
    assert ref not in {c.reference for c in service.list()}


def test_busy_database_offers_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise DatabaseBusyError()
        return "opgeslagen"

    asked: list[str] = []

    def say_retry(parent: object, message: str) -> bool:
        asked.append(message)
        return True

    monkeypatch.setattr(reliability, "ask_retry", say_retry)
    assert run_with_busy_dialog(None, flaky) == "opgeslagen"
    assert len(asked) == 2 and "bezet" in asked[0]
    monkeypatch.setattr(reliability, "ask_retry", lambda parent, msg: False)
    attempts.clear()
    assert run_with_busy_dialog(None, flaky) is None


def _damaged_database(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "bibob.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider,beheerder")
    CaseService(AppContext(db, "tester")).open_case(
        {"title": "Bewaard", "area": "exploitatie_horeca", "application_date": "2026-01-05"}
    )
    backup = write_backup(db, tmp_path / "backups" / "bibob-desk-backup-20261101-090000.sqlite")
    db.dispose()
    path.write_bytes(b"kapot" * 1000)
    return path, backup


def test_restore_dialog_offers_the_newest_backup(qtbot: QtBot, tmp_path: Path) -> None:
    path, backup = _damaged_database(tmp_path)
    exc = CorruptDatabaseError("De database is beschadigd.", path)
    dialog = RestoreDialog(exc)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save("/tmp/security_restore_dialog.png")
    assert dialog.newest_button is not None
    assert "Nieuwste back-up terugzetten" in dialog.newest_button.text()
    qtbot.mouseClick(dialog.newest_button, Qt.MouseButton.LeftButton)
    assert dialog.chosen == backup


def test_offer_restore_repairs_the_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path, backup = _damaged_database(tmp_path)
    monkeypatch.setattr(reliability, "choose_backup", lambda parent, exc: backup)
    url = reliability.offer_restore(None, CorruptDatabaseError("kapot", path))
    assert url is not None
    db = open_database(url)
    try:
        assert [c.title for c in CaseService(AppContext(db, "tester")).list()] == ["Bewaard"]
    finally:
        db.dispose()


def test_offer_restore_cancelled_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path, _ = _damaged_database(tmp_path)
    monkeypatch.setattr(reliability, "choose_backup", lambda parent, exc: None)
    assert reliability.offer_restore(None, CorruptDatabaseError("kapot", path)) is None
    assert path.read_bytes().startswith(b"kapot")


def test_auto_backup_runs_at_start(
    qtbot: QtBot, sqlite_context: AppContext, tmp_path: Path
) -> None:
    SettingsService(grant_role(sqlite_context)).set("backup.folder", str(tmp_path / "auto"))
    window = QMainWindow()
    qtbot.addWidget(window)
    auto = install_auto_backup(window, sqlite_context)
    assert auto.last_result is None  # not on the GUI thread while the window starts
    qtbot.waitUntil(
        lambda: auto.last_result is not None or auto.last_error is not None, timeout=15000
    )
    assert auto.last_error is None
    assert auto.last_result is not None and auto.last_result.parent == tmp_path / "auto"
    assert "back-up" in window.statusBar().currentMessage()
    # The daily audit anchor lands beside the back-ups (audit.anchor_folder is empty).
    assert list((tmp_path / "auto").glob("bibob-desk-auditanker-*.json"))


def test_auto_backup_reports_bad_settings_in_the_status_bar(
    qtbot: QtBot, sqlite_context: AppContext
) -> None:
    from bibob_desk.storage.models import Setting

    with sqlite_context.db.session() as session:
        session.add(Setting(key="backup.keep", value="0"))
    window = QMainWindow()
    qtbot.addWidget(window)
    auto = install_auto_backup(window, sqlite_context)
    auto.run()
    assert auto.last_error is not None and "backup.keep" in auto.last_error
    assert "mislukt" in window.statusBar().currentMessage()


def test_error_hook_turns_a_busy_database_into_a_message(
    monkeypatch: pytest.MonkeyPatch, quiet_dialogs: list[str]
) -> None:
    import sys

    passed_on: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: passed_on.append(exc))
    hook = reliability.install_error_hook()
    hook(DatabaseBusyError, DatabaseBusyError(), None)
    assert quiet_dialogs and "bezet" in quiet_dialogs[-1]
    boom = RuntimeError("programmeerfout")
    hook(RuntimeError, boom, None)
    assert passed_on == [boom]
