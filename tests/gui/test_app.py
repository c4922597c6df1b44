"""Starting the GUI: database problems and unknown users end with a Dutch message, code 1."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from bibob_desk.gui import app as gui_app
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.storage.database import CorruptDatabaseError, DatabaseError, open_database
from tests.conftest import login_name, make_training, make_user


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def critical(parent: Any, title: str, text: str, *args: Any) -> Any:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    return shown


def args_for(db: str, user: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(db=db, user=user, command=None)


def test_damaged_database_goes_to_the_hook_and_exits_1(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "kapot.sqlite"
    broken.write_bytes(b"dit is geen database" * 100)
    seen: list[BaseException] = []

    def give_up(parent: Any, exc: Any) -> str | None:
        seen.append(exc)
        return None

    monkeypatch.setattr(gui_app, "handle_startup_database_error", give_up)
    assert gui_app.run_gui(args_for(str(broken))) == 1
    assert len(seen) == 1 and isinstance(seen[0], CorruptDatabaseError)
    assert "geen Bibob Desk-database" in str(seen[0])
    assert broken.read_bytes() == b"dit is geen database" * 100  # left untouched


def test_database_error_is_shown_in_dutch(qtbot: Any, boxes: list[tuple[str, str]]) -> None:
    exc = DatabaseError("Deze database is gemaakt met een nieuwere versie van Bibob Desk.")
    assert gui_app.handle_startup_database_error(None, exc) is None
    assert boxes == [
        (
            "Bibob Desk: database niet te openen",
            "Deze database is gemaakt met een nieuwere versie van Bibob Desk.",
        )
    ]


def test_startup_hook_may_offer_another_database(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "kapot.sqlite"
    broken.write_bytes(b"x" * 4096)
    good = f"sqlite:///{tmp_path / 'hersteld.sqlite'}"
    seen: list[BaseException] = []

    def restore(parent: Any, exc: Any) -> str | None:
        seen.append(exc)
        return good

    monkeypatch.setattr(gui_app, "handle_startup_database_error", restore)
    db = gui_app.open_startup_database(str(broken))
    assert db is not None and db.url == good
    assert isinstance(seen[0], CorruptDatabaseError)
    db.dispose()


def test_unknown_user_is_refused(qtbot: Any, tmp_path: Path, boxes: list[tuple[str, str]]) -> None:
    url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    db = open_database(url)
    make_user(db, "a.teamleider")
    make_training(db)  # only there may --user name someone else
    db.dispose()
    assert gui_app.run_gui(args_for(url, "onbekende.collega")) == 1
    assert "geen toegang" in boxes[0][0]
    assert "onbekende.collega" in boxes[0][1]


def test_user_option_is_refused_outside_a_training_database(
    qtbot: Any, tmp_path: Path, boxes: list[tuple[str, str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'team.sqlite'}"
    db = open_database(url)
    make_user(db, "a.teamleider")
    db.dispose()
    assert gui_app.run_gui(args_for(url, "a.teamleider")) == 1
    assert "geen toegang" in boxes[0][0]
    assert "oefendatabase" in boxes[0][1]


def test_run_gui_opens_the_main_window(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[MainWindow] = []
    earlier = set(map(id, QApplication.topLevelWidgets()))  # windows of other tests

    def fake_exec(self: QApplication) -> int:
        shown.extend(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, MainWindow) and w.isVisible() and id(w) not in earlier
        )
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    url = f"sqlite:///{tmp_path / 'eerste.sqlite'}"
    assert gui_app.run_gui(args_for(url)) == 0  # the OS login, first user of an empty database
    assert shown and shown[-1].windowTitle() == "Bibob Desk"
    assert shown[-1].user_label.text() == f"Gebruiker: {login_name()}"
    assert shown[-1].training_label.isHidden()
    for window in shown:
        window.close()
    # A training database says so in the title and the status bar; --user works there.
    db = open_database(url)
    make_user(db, "h.teamleider", "teamleider")
    make_training(db)
    db.dispose()
    shown.clear()
    assert gui_app.run_gui(args_for(url, "h.teamleider")) == 0
    assert shown and shown[-1].windowTitle() == "Bibob Desk — Oefendatabase"
    assert shown[-1].user_label.text() == "Gebruiker: h.teamleider"
    assert not shown[-1].training_label.isHidden()
    assert shown[-1].training_label.text() == "Oefendatabase"
    for window in shown:
        window.close()
