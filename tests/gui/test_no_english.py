"""No English word in any page, case tab, menu or context menu of the window (with Qt's Dutch
translations loaded as at start)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QWidget,
)

from bibob_desk.gui.app import install_dutch
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from tests.conftest import grant_role

ENGLISH = re.compile(
    r"\b(Close|Cancel|OK|Apply|Save|Open|Yes|No|Undo|Redo|Cut|Copy|Paste|Select All|Delete|"
    r"Browse|Settings|Back(?!-up)|Next|Finish|File|Edit|View|Print|Search|Loading|Error|Warning)\b"
)


def texts_of(root: QWidget) -> list[str]:
    found: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton | QLabel):
            found.append(widget.text())
        if isinstance(widget, QGroupBox):
            found.append(widget.title())
        if isinstance(widget, QLineEdit):
            found.append(widget.placeholderText())
        if isinstance(widget, QTabWidget):
            found.extend(widget.tabText(i) for i in range(widget.count()))
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            found.extend(
                str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                for c in range(model.columnCount())
            )
    return found


def menu_texts(window: MainWindow) -> list[str]:
    found: list[str] = []
    pending = [a for a in window.menuBar().actions()]
    while pending:
        act = pending.pop()
        found.append(act.text().replace("&", ""))
        if act.menu() is not None:
            pending.extend(act.menu().actions())
    return found


def test_no_english_anywhere(qtbot: Any, sqlite_context: AppContext, messages: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    install_dutch(app)
    generate_demo_cases(sqlite_context, 15, 4)
    grant_role(sqlite_context, "beheerder")
    window = MainWindow(sqlite_context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    seen: dict[str, list[str]] = {"menu": menu_texts(window)}
    for index in range(window.pages.count()):
        window.pages.setCurrentIndex(index)
        QApplication.processEvents()
        if index == 0:
            first = window.case_model.case_at(0)
            assert first is not None
            window.select_case(first.reference)
            for tab in range(window.detail.tabs.count()):
                window.detail.tabs.setCurrentIndex(tab)
                QApplication.processEvents()
                seen[window.detail.tabs.tabText(tab)] = texts_of(window)
        else:
            seen[window.pages.tabText(index)] = texts_of(window)
    menu = window.case_list.search_edit.createStandardContextMenu()
    seen["contextmenu"] = [a.text().replace("&", "").split("\t")[0] for a in menu.actions()]
    assert "Plakken" in seen["contextmenu"]
    english = {
        where: sorted({t for t in texts if ENGLISH.search(t.replace("&", ""))})
        for where, texts in seen.items()
    }
    assert not any(english.values()), english


def test_documents_tab_shows_labels_not_codes() -> None:
    from datetime import datetime

    from bibob_desk.gui.detail_models import DocumentTableModel
    from bibob_desk.services.cases import DocumentView

    model = DocumentTableModel()
    model.set_rows(
        [
            DocumentView(
                1, "voornemen_weigering", "Voornemen", "a.pdf", "concept", datetime.now(), "x"
            ),
            DocumentView(2, "besluit", "Besluit", "b.pdf", "definitief", datetime.now(), "x"),
        ]
    )
    cells = [model.data(model.index(r, c)) for r in range(2) for c in (1, 2)]
    assert cells == [
        "Voornemen en uitnodiging zienswijze",
        "Concept",
        "Besluit",
        "Definitief",
    ]
