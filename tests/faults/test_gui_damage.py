"""Fault class (GUI): the background quick_check finds damage; one dialog, no figures shown."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from bibob_desk.gui import integrity, reliability
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.conftest import make_user
from tests.faults.damage import damage_cases_page
from tests.faults.old_database import make_old_database
from tests.gui.shell_fixtures import Messages


@pytest.fixture
def damaged_window(
    qtbot: Any,
    tmp_path: Path,
    messages: Messages,
    shell_only: None,
) -> tuple[MainWindow, Path]:
    path = tmp_path / "bibob.sqlite"
    make_old_database(path, 2000)
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider,beheerder")
    db.dispose()
    damage_cases_page(path)
    db = open_database(f"sqlite:///{path}")
    window = MainWindow(AppContext(db, "tester"))
    qtbot.addWidget(window)
    window.show()
    yield window, path
    messages.answer = False
    db.dispose()


def test_background_check_hides_the_figures_and_asks_once(
    qtbot: Any, damaged_window: tuple[MainWindow, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    window, path = damaged_window
    asked: list[Path] = []
    monkeypatch.setattr(reliability, "choose_backup", lambda parent, exc: asked.append(exc.path))
    watch = integrity.DamageWatch(window.context, window, delay_ms=0)
    qtbot.waitUntil(lambda: watch.checked, timeout=10_000)  # ran on a pool thread
    assert watch.damaged
    notice = window.centralWidget()
    assert isinstance(notice, QLabel) and "beschadigd" in notice.text()
    assert asked == [path]
    watch.report_damage()  # a second report (e.g. a "malformed" error in a slot): no dialog
    assert asked == [path]


def test_malformed_error_in_a_slot_leads_to_the_same_dialog(
    qtbot: Any, damaged_window: tuple[MainWindow, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    window, path = damaged_window
    asked: list[Path] = []
    monkeypatch.setattr(reliability, "choose_backup", lambda parent, exc: asked.append(exc.path))
    previous = sys.excepthook
    try:
        watch = integrity.install_damage_watch(window, window.context)
        import sqlite3

        from sqlalchemy.exc import DatabaseError

        error = DatabaseError(
            "SELECT", {}, sqlite3.DatabaseError("database disk image is malformed")
        )
        sys.excepthook(type(error), error, None)
        assert watch.damaged and asked == [path]
    finally:
        sys.excepthook = previous


def test_sound_database_is_left_alone(qtbot: Any, tmp_path: Path, messages: Messages) -> None:
    path = tmp_path / "goed.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider,beheerder")
    window = MainWindow(AppContext(db, "tester"))
    qtbot.addWidget(window)
    central = window.centralWidget()
    watch = integrity.DamageWatch(window.context, window, delay_ms=60_000)
    watch.run()
    assert watch.checked and not watch.damaged and window.centralWidget() is central
    messages.answer = False
    db.dispose()


def _accept_dialog(monkeypatch: pytest.MonkeyPatch, chosen: Path) -> None:
    def exec_(self: reliability.RestoreDialog) -> int:
        self.chosen = chosen
        return int(reliability.QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(reliability.RestoreDialog, "exec", exec_)


def test_restoring_from_the_gui_needs_the_typed_name_and_a_known_user(
    qtbot: Any,
    damaged_window: tuple[MainWindow, Path],
    monkeypatch: pytest.MonkeyPatch,
    messages: Messages,
    tmp_path: Path,
) -> None:
    from bibob_desk.storage.database import CorruptDatabaseError

    window, path = damaged_window
    chosen = tmp_path / "gekozen.sqlite"
    _accept_dialog(monkeypatch, chosen)
    exc = CorruptDatabaseError("kapot", path)
    typed: list[str] = []

    def get_text(*args: Any) -> tuple[str, bool]:
        return typed.pop(0), True

    monkeypatch.setattr(reliability.QInputDialog, "getText", get_text)
    monkeypatch.setattr(reliability, "workstation_user", lambda: "tester")
    typed.append("verkeerd.sqlite")
    assert reliability.choose_backup(window, exc) is None
    typed.append(path.name)
    assert reliability.choose_backup(window, exc) == chosen
    monkeypatch.setattr(reliability, "workstation_user", lambda: "niet.bestaand")
    typed.append(path.name)
    assert reliability.choose_backup(window, exc) is None
    assert any("niet.bestaand" in text for text in messages.shown)
