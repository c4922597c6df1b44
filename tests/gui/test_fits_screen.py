"""Every page and every case tab fits a 1366 x 768 laptop screen (and the default 1400 x 850):
no horizontal scroll bar, no tab behind arrows, no button or label squeezed below what its text
needs, no child sticking out of its parent. A PNG of each is written to the test's folder (look
at them with BIBOB_DESK_SCREENSHOTS=folder to keep them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

from bibob_desk.gui.letters_panel import LettersPanel
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.gui.styling import apply_style
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from tests.conftest import grant_role

SIZES = [(1366, 768), (1400, 850)]


def _inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parentWidget()
    return False


def _scroll_content(widget: QWidget) -> bool:
    """The page inside a scroll area may be taller than the viewport (it scrolls vertically)."""
    parent = widget.parentWidget()
    grand = parent.parentWidget() if parent is not None else None
    return isinstance(grand, QAbstractScrollArea) and parent is grand.viewport()


def cut_off(root: QWidget) -> list[str]:
    """Everything in ``root`` that is visibly cut off or scrolls sideways."""
    problems: list[str] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or isinstance(widget, QScrollBar):
            continue
        name = f"{type(widget).__name__}({widget.objectName() or _text(widget)!r})"
        if isinstance(widget, QAbstractScrollArea) and widget.horizontalScrollBar().isVisible():
            problems.append(f"{name}: horizontale schuifbalk")
        if _inside(widget, (QAbstractItemView,)):
            continue  # cell editors and headers belong to their view
        if isinstance(widget, QTabBar):
            needed = sum(widget.tabSizeHint(i).width() for i in range(widget.count()))
            if needed > widget.width() + 1:
                problems.append(f"{name}: tabbladen {needed} px breed in {widget.width()} px")
            continue
        parent = widget.parentWidget()
        if parent is None:
            continue
        if widget.geometry().right() > parent.width() + 1 and not _scroll_content(widget):
            problems.append(
                f"{name}: steekt buiten {type(parent).__name__} "
                f"({widget.geometry().right()} > {parent.width()})"
            )
        if _squeezed(widget):
            problems.append(
                f"{name}: {widget.width()} px breed, de tekst vraagt "
                f"{widget.minimumSizeHint().width()} px"
            )
    return problems


def _text(widget: QWidget) -> str:
    text = getattr(widget, "text", None)
    if callable(text) and not isinstance(widget, QLineEdit):
        return str(text())[:40]
    return ""


def _squeezed(widget: QWidget) -> bool:
    """A button, label or choice narrower than its text: the text is cut off."""
    if isinstance(widget, QLabel) and (widget.wordWrap() or not widget.text()):
        return False
    if not isinstance(widget, QAbstractButton | QLabel | QComboBox):
        return False
    return widget.width() + 1 < widget.minimumSizeHint().width()


@pytest.fixture
def styled() -> Iterator[None]:
    """The application's own style sheet, as the officer sees it (and undone afterwards)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, sheet = app.style().name(), app.styleSheet()
    apply_style(app)
    yield
    app.setStyleSheet(sheet)
    app.setStyle(style)


@pytest.fixture
def demo_window(qtbot: Any, sqlite_context: AppContext, messages: Any, styled: None) -> MainWindow:
    generate_demo_cases(sqlite_context, 40, 4)
    grant_role(sqlite_context, "beheerder")  # every page as its owner sees it
    main = MainWindow(sqlite_context)
    qtbot.addWidget(main)
    return main


def _letters_panel(window: MainWindow) -> LettersPanel:
    return next(p for p in window.detail.panels if isinstance(p, LettersPanel))


def _settle() -> None:
    for _ in range(5):  # layout, table pages, then the overview's side panel fills in
        QApplication.processEvents()


def _picture(window: MainWindow, folder: Path, name: str) -> None:
    target = Path(os.environ.get("BIBOB_DESK_SCREENSHOTS") or folder)
    target.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(target / f"{name}.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_page_and_case_tab_fits(
    demo_window: MainWindow, tmp_path: Path, width: int, height: int
) -> None:
    window = demo_window
    window.resize(width, height)
    window.show()
    _settle()
    assert window.width() == width and window.height() == height, "minimum size too large"
    problems: dict[str, list[str]] = {}
    for index in range(window.pages.count()):
        label = window.pages.tabText(index)
        window.pages.setCurrentIndex(index)
        _settle()
        if index == 0:
            first = window.case_model.case_at(0)
            assert first is not None
            window.select_case(first.reference)
            tabs = window.detail.tabs
            for tab in range(tabs.count()):
                tabs.setCurrentIndex(tab)
                _settle()
                name = f"{width}x{height}-zaak-{tabs.tabText(tab)}"
                _picture(window, tmp_path, name)
                if found := cut_off(window):
                    problems[name] = found
            letters = _letters_panel(window)
            letters.table.selectRow(0)
            letters.views.setCurrentIndex(1)  # "Voorbeeld": the PDF pages
            letters.refresh_preview()
            _settle()
            assert letters.preview_pages, "the demo case has a letter to preview"
            name = f"{width}x{height}-zaak-Brieven-voorbeeld"
            _picture(window, tmp_path, name)
            if found := cut_off(window):
                problems[name] = found
        else:
            name = f"{width}x{height}-{label}"
            _picture(window, tmp_path, name)
            if found := cut_off(window):
                problems[name] = found
    tab_bar = window.pages.tabBar()
    assert sum(tab_bar.tabSizeHint(i).width() for i in range(tab_bar.count())) <= width
    assert not problems, problems


def test_the_check_sees_a_cut_off_button(qtbot: Any) -> None:
    """The checks above can fail: a button narrower than its text, and a wide child."""
    from PySide6.QtWidgets import QPushButton

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(200, 50)
    button = QPushButton("Opslaan en opnieuw toetsen", parent)
    button.setGeometry(0, 0, 60, 30)
    wide = QLabel("x", parent)
    wide.setGeometry(100, 0, 300, 30)
    parent.show()
    found = cut_off(parent)
    assert any("Opslaan en opnieuw toetsen" in p and "vraagt" in p for p in found)
    assert any("steekt buiten" in p for p in found)


def test_dialogs_fit_the_laptop_screen(
    qtbot: Any, sqlite_context: AppContext, messages: Any, styled: None, tmp_path: Path
) -> None:
    """The forms an officer opens from the window: within 1366 x 768 and nothing cut off."""
    from datetime import date

    from bibob_desk.gui.file_menu import ManualDialog
    from bibob_desk.gui.intake_wizard import IntakeWizard
    from bibob_desk.gui.party_dialog import PartyDialog
    from bibob_desk.gui.setup_dialog import SetupDialog
    from bibob_desk.gui.tip_register import TipDialog
    from bibob_desk.gui.workflow_panel import ConclusionDialog, DecisionDialog, StepDialog
    from bibob_desk.services.workflow import WorkflowService

    generate_demo_cases(sqlite_context, 5, 4)
    grant_role(sqlite_context, "beheerder")
    case = CaseService(sqlite_context).list()[0]
    view = WorkflowService(sqlite_context).get(case.reference)
    dialogs = {
        "intake": IntakeWizard(sqlite_context),
        "conclusie": ConclusionDialog(view),
        "besluit": DecisionDialog(view, date(2026, 12, 2)),
        "stap": StepDialog("Zaak sluiten", "Uitleg bij deze stap.", "Datum", date(2026, 12, 2)),
        "betrokkene": PartyDialog(),
        "tip": TipDialog(),
        "instellen": SetupDialog(sqlite_context),
        "handleiding": ManualDialog(),
    }
    problems: dict[str, list[str]] = {}
    for name, dialog in dialogs.items():
        qtbot.addWidget(dialog)
        dialog.show()
        _settle()
        size = dialog.frameGeometry().size()
        if size.width() > 1366 or size.height() > 768 - 40:  # 40: the task bar
            problems[name] = [f"{size.width()} x {size.height()} past niet op 1366 x 728"]
        elif found := cut_off(dialog):
            problems[name] = found
        target = Path(os.environ.get("BIBOB_DESK_SCREENSHOTS") or tmp_path)
        target.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(target / f"dialoog-{name}.png"))
        dialog.hide()
    assert not problems, problems
