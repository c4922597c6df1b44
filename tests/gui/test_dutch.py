"""Qt's own texts in Dutch, and one Dutch line when Qt cannot open a window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
)
from pytestqt.qtbot import QtBot

from bibob_desk.gui.app import QT_SUPPLEMENT, create_application, install_dutch
from bibob_desk.gui.platform_check import (
    XCB_LIBRARIES,
    chosen_platform,
    fatal_message,
    install_hint,
    platform_problem,
)


@pytest.fixture
def dutch_app(qapp: QApplication) -> QApplication:
    assert install_dutch(qapp), "qtbase_nl niet gevonden in de vertalingen van PySide6"
    return qapp


def test_standard_buttons_and_context_menus_are_dutch(dutch_app: QApplication) -> None:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Save
    )
    assert sorted(b.text() for b in buttons.buttons()) == ["Annuleren", "Opslaan", "Sluiten"]
    box = QMessageBox()
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert sorted(b.text() for b in box.buttons()) == ["&Ja", "&Nee"]
    edit = QLineEdit()
    menu = edit.createStandardContextMenu()
    texts = [a.text().split("\t")[0] for a in menu.actions() if a.text()]
    assert texts == [
        "&Ongedaan maken",
        "Opnie&uw",
        "Kni&ppen",
        "&Kopiëren",
        "P&lakken",
        "Verwijderen",
        "Alles selecteren",
    ]


def test_qt_file_dialog_is_dutch(qtbot: QtBot, dutch_app: QApplication, tmp_path: Path) -> None:
    dialog = QFileDialog(None, "Opslaan", str(tmp_path), "PDF (*.pdf)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = {label.text() for label in dialog.findChildren(QLabel) if label.text()}
    assert {"&Zoeken in:", "Bestands&naam:", "Bestands&typen:"} <= labels
    assert {b.text() for b in dialog.findChildren(QPushButton)} >= {"Op&slaan", "Annuleren"}
    english = ("Look in", "File name", "Files of type", "Cancel", "Save")
    assert not [t for t in labels if any(word in t.replace("&", "") for word in english)]


def test_the_supplement_only_answers_for_its_own_texts(dutch_app: QApplication) -> None:
    from PySide6.QtCore import QCoreApplication

    for (context, source), dutch in QT_SUPPLEMENT.items():
        assert QCoreApplication.translate(context, source) == dutch
    # Everything else falls through to qtbase_nl or stays as written (not an empty string).
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "Bestands&naam:"
    assert QCoreApplication.translate("BibobDesk", "Zaken %1").replace("%1", "3") == "Zaken 3"


def test_locale_is_dutch_for_dates(dutch_app: QApplication) -> None:
    create_application(offscreen=True)
    assert QLocale().name() == "nl_NL"
    assert QLocale().toString(QDate(2026, 11, 22), "d MMMM yyyy") == "22 november 2026"


# --- the platform check -------------------------------------------------------------------


def fake_loader(missing: set[str]):  # type: ignore[no-untyped-def]
    def load(name: str) -> object:
        if name.endswith("libqxcb.so"):
            first = next((lib for lib in XCB_LIBRARIES if lib in missing), None)
            if first:
                raise OSError(f"{first}: cannot open shared object file: No such file or directory")
            return object()
        if name in missing:
            raise OSError(f"{name}: cannot open shared object file")
        return object()

    return load


def test_missing_xcb_libraries_are_named_with_their_debian_packages(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    problem = platform_problem(
        {"DISPLAY": ":0"},
        system="linux",
        loader=fake_loader({"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}),
        plugin=plugin,
    )
    assert problem is not None and "\n" not in problem
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in problem


@pytest.mark.parametrize(
    ("env", "system", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", None),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", None),
        ({"DISPLAY": ":0"}, "win32", None),
        ({}, "darwin", None),
        ({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "linux", None),
        ({}, "linux", "geen beeldscherm"),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", "DISPLAY is leeg"),
    ],
)
def test_platform_check_only_speaks_up_when_xcb_cannot_work(
    tmp_path: Path, env: dict[str, str], system: str, expected: str | None
) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    problem = platform_problem(env, system=system, loader=fake_loader(set()), plugin=plugin)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_chosen_platform_follows_qt() -> None:
    assert chosen_platform({"QT_QPA_PLATFORM": "xcb:dpi=96;wayland"}) == "xcb"
    assert chosen_platform({"QT_QPA_PLATFORM": " Wayland "}) == "wayland"
    assert chosen_platform({}) == "xcb"


def test_fatal_messages_become_one_dutch_sentence() -> None:
    text = fatal_message(["qt.qpa.xcb: could not connect to display :99"], {"DISPLAY": ":99"})
    assert "verbinding" in text and "':99'" in text and "\n" not in text
    generic = fatal_message(["This application failed to start because no Qt platform plugin"])
    assert generic.startswith("Bibob Desk kan geen venster openen")
    assert install_hint(["libxcb-cursor.so.0"]) == "sudo apt install libxcb-cursor0"


@pytest.mark.parametrize(
    "env",
    [
        {"QT_QPA_PLATFORM": "geenplatform"},  # Qt's fatal message, caught by the guard
        {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":87"},  # missing libraries, or no X server there
    ],
)
def test_the_command_line_prints_one_dutch_line_instead_of_qts_abort(
    tmp_path: Path, env: dict[str, str]
) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    clean.update(env)
    clean["BIBOB_DESK_DB"] = str(tmp_path / "bibob.sqlite")
    result = subprocess.run(
        [sys.executable, "-m", "bibob_desk"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("bibob-desk: ")
    assert "Aborted" not in result.stderr and "This application" not in result.stderr
