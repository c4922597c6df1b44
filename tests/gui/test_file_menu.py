"""Bestand → Back-up maken / terugzetten, Afdrukken (to a PDF file through QPrinter),
Beheer → Gebruikers en rollen and Help → Handleiding, driven through the menu actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication

from bibob_desk.gui import errors, file_menu, printing
from bibob_desk.gui.file_menu import ManualDialog
from bibob_desk.gui.letters_panel import LettersPanel
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.backup import inspect_backup
from bibob_desk.services.cases import CaseService, CaseView
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from tests.conftest import grant_role
from tests.gui.shell_fixtures import Messages, make_case


@pytest.fixture
def infos(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_info", lambda parent, title, text: shown.append(text))
    return shown


@pytest.fixture
def pdf_printer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The print dialog answered with "Afdrukken naar PDF" into the test's folder."""
    out = tmp_path / "afdruk.pdf"

    def choose(parent: Any, title: str, landscape: bool = False) -> QPrinter:
        printer = printing.new_printer(landscape)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    monkeypatch.setattr(printing, "choose_printer", choose)
    return out


def pdf_text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def menu_texts(window: MainWindow) -> list[str]:
    texts: list[str] = []
    for top in window.menuBar().actions():
        texts.append(top.text())
        menu = top.menu()
        for act in menu.actions() if menu is not None else []:
            texts.append(act.text())
            if act.menu() is not None:
                texts.extend(a.text() for a in act.menu().actions())
    return texts


def test_the_menus_offer_backup_restore_print_users_and_the_manual(window: MainWindow) -> None:
    texts = menu_texts(window)
    for expected in (
        "&Back-up maken…",
        "Back-up &terugzetten…",
        "Af&drukken",
        "&Brief…",
        "&Zaakoverzicht…",
        "&Overzichtslijst…",
        "Be&heer",
        "&Gebruikers en rollen…",
        "&Handleiding",
    ):
        assert expected in texts
    assert texts.index("Back-up &terugzetten…") < texts.index("&Afsluiten")


def test_backup_then_restore_from_the_file_menu(
    window: MainWindow,
    three_cases: list[CaseView],
    sqlite_context: AppContext,
    messages: Messages,
    infos: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    target = tmp_path / "backups" / "handmatig.sqlite"
    monkeypatch.setattr(file_menu, "choose_save_path", lambda *args: target)
    window.menu_actions.backup.trigger()
    assert inspect_backup(target).cases == 3
    assert infos and "3 zaken" in infos[-1]

    make_case(sqlite_context, "Na de back-up")  # lost by the restore, on purpose
    window.refresh()
    assert window.case_model.total == 4
    monkeypatch.setattr(file_menu, "choose_open_path", lambda *args: target)
    window.menu_actions.restore.trigger()  # a team lead may not replace the database
    assert messages.shown and "beheerder" in messages.shown[-1].lower()
    assert window.case_model.total == 4

    grant_role(sqlite_context, "beheerder")
    messages.answer = True  # "Terugzetten"
    window.menu_actions.restore.trigger()
    assert any("Back-up terugzetten" in q or "vervangen" in q for q in messages.questions)
    assert window.case_model.total == 3
    assert CaseService(sqlite_context).count() == 3
    assert "teruggezet (3 zaken)" in infos[-1] and "Veiligheidskopie" in infos[-1]


def test_print_a_case_summary_to_pdf(
    window: MainWindow, three_cases: list[CaseView], pdf_printer: Path
) -> None:
    window.select_case(three_cases[1].reference)
    window.menu_actions.print_case.trigger()
    text = pdf_text(pdf_printer)
    assert three_cases[1].reference in text
    flat = " ".join(text.split())
    assert "Kanaal Bouw N.V." in flat, flat[:800]
    assert "Betrokkenen" in flat and "Tijdlijn" in flat


def test_print_without_a_case_says_what_to_do(
    window: MainWindow, messages: Messages, pdf_printer: Path
) -> None:
    window.detail.set_case(None)
    window.menu_actions.print_case.trigger()
    assert messages.shown and "Open eerst een zaak" in messages.shown[-1]
    assert not pdf_printer.exists()


@pytest.fixture
def full_window(qtbot: Any, sqlite_context: AppContext, messages: Messages) -> MainWindow:
    """With every page and case tab (letters, overview), on demo cases."""
    generate_demo_cases(sqlite_context, 20, 4)
    main = MainWindow(sqlite_context)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    return main


def test_print_a_letter_and_the_overview_list(
    qtbot: Any, full_window: MainWindow, pdf_printer: Path
) -> None:
    window = full_window
    window.show_page("Zaken")
    letters = None
    for row in range(window.case_model.rowCount()):
        case = window.case_model.case_at(row)
        assert case is not None
        window.select_case(case.reference)
        letters = next(p for p in window.detail.panels if isinstance(p, LettersPanel))
        if letters.model.rows:
            break
    assert letters is not None and letters.model.rows, "a demo case with a letter"
    letters.table.selectRow(0)
    assert letters.current is not None
    window.menu_actions.print_letter.trigger()
    # The letter is printed as its preview shows it: every page, not blank.
    expected = pdfium.PdfDocument(letters.service.preview(letters.current.id))
    printed = pdfium.PdfDocument(str(pdf_printer))
    try:
        assert len(printed) == len(expected) >= 1
        image = printed[0].render(scale=0.5).to_pil().convert("L")
        assert image.getextrema()[0] < 100  # there is dark ink (text) on the page
    finally:
        printed.close()
        expected.close()
    pdf_printer.unlink()
    assert letters.print_button.isEnabled()
    qtbot.mouseClick(letters.print_button, Qt.MouseButton.LeftButton)  # the same from the tab
    assert pdf_printer.exists()

    pdf_printer.unlink()
    window.show_page("Overzicht")
    QApplication.processEvents()
    window.menu_actions.print_overview.trigger()
    text = " ".join(pdf_text(pdf_printer).split())
    assert "Overzicht Bibob-zaken" in text and "Eerstvolgende termijn" in text
    page = window.page_widgets["Overzicht"]
    first = page.model.row_at(0)  # type: ignore[attr-defined]
    assert first is not None and first.reference in text


def test_users_entry_opens_the_users_page(window: MainWindow) -> None:
    assert window.show_page("Zaken")
    window.menu_actions.users.trigger()  # the shell without pages: nothing breaks
    assert window.pages.currentIndex() == 0


def test_the_manual_opens_inside_the_app(window: MainWindow) -> None:
    window.menu_actions.manual.trigger()
    dialog = window.findChild(ManualDialog)
    assert dialog is not None and dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert text.startswith("Handleiding Bibob Desk")
    for topic in ("Een nieuwe zaak", "Afdrukken", "Back-up en herstellen", "Gebruikers en rollen"):
        assert topic in text
    window.menu_actions.manual.trigger()  # a second time: the same window, not another
    assert len(window.findChildren(ManualDialog)) == 1
    dialog.close()
