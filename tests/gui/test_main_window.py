"""The main window: list, filters, search, sorting, paging, menus, pages, restart."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QWidget

from bibob_desk.gui import extensions
from bibob_desk.gui.case_table_model import COLUMNS, PAGE_SIZE
from bibob_desk.gui.main_window import MainWindow, describe_database
from bibob_desk.gui.new_case_dialog import NewCaseDialog
from bibob_desk.services.cases import CaseService, CaseView
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.storage.database import open_database
from tests.conftest import make_user
from tests.gui.shell_fixtures import Messages


def shown_references(window: MainWindow) -> list[str]:
    model = window.case_model
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_window_basics(window: MainWindow) -> None:
    assert window.windowTitle() == "Bibob Desk"
    assert not window.windowIcon().isNull()
    assert [COLUMNS[i].title for i in range(len(COLUMNS))] == [
        "Zaaknummer",
        "Titel",
        "Aanvrager",
        "Toepassingsgebied",
        "Fase",
        "Behandelaar",
        "Aanvraagdatum",
        "Bouwsom",
        "Postcode",
    ]
    assert window.count_label.text() == "3 zaken"
    assert window.user_label.text() == "Gebruiker: tester"
    assert window.database_label.text().startswith("SQLite: ")
    shortcuts = {
        a.text().replace("&", ""): a.shortcut().toString()
        for a in (
            window.new_case_action,
            window.save_action,
            window.quit_action,
            window.refresh_action,
            window.search_action,
        )
    }
    assert shortcuts == {
        "Nieuwe zaak…": "Ctrl+N",
        "Opslaan": "Ctrl+S",
        "Afsluiten": "Ctrl+Q",
        "Vernieuwen": "F5",
        "Zoeken": "Ctrl+F",
    }
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["Bestand", "Beeld", "Beheer", "Help"]


def test_row_shows_formatted_values(window: MainWindow, three_cases: list[CaseView]) -> None:
    row = window.case_model.row_of(three_cases[1].reference)
    assert row is not None
    values = [window.case_model.index(row, c).data() for c in range(len(COLUMNS))]
    assert values == [
        three_cases[1].reference,
        "Nieuwbouw bedrijfspand Kanaalweg",
        "Kanaal Bouw N.V.",
        "Omgevingsvergunning bouwactiviteit",
        "Eigen onderzoek",
        "j.jansen",
        "02-03-2026",
        "€ 800.000,00",
        "9401 AB",
    ]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:////data/bibob.sqlite", "SQLite: /data/bibob.sqlite"),
        (
            "postgresql+psycopg://bibob:geheim@db.gemeente.nl:5433/bibob",
            "PostgreSQL: bibob@db.gemeente.nl:5433/bibob",
        ),
        ("postgresql+psycopg://db/bibob", "PostgreSQL: db/bibob"),
    ],
)
def test_status_bar_never_shows_a_password(url: str, shown: str) -> None:
    assert describe_database(url) == shown
    assert "geheim" not in describe_database(url)


def test_selecting_a_row_shows_the_case(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    table = window.case_list.table
    row = window.case_model.row_of(three_cases[2].reference)
    assert row is not None
    rect = table.visualRect(window.case_model.index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.reference == three_cases[2].reference
    assert window.detail.fields_tab.title_edit.text() == "Speelautomatenhal Centrum"
    assert window.selected_reference() == three_cases[2].reference


def test_filter_by_phase(window: MainWindow, three_cases: list[CaseView]) -> None:
    combo = window.case_list.phase_combo
    combo.setCurrentIndex(combo.findData("eigen_onderzoek"))
    assert shown_references(window) == [three_cases[1].reference]
    assert window.count_label.text() == "1 zaak"
    combo.setCurrentIndex(0)
    assert len(shown_references(window)) == 3


def test_filter_by_area_and_officer(window: MainWindow, three_cases: list[CaseView]) -> None:
    area = window.case_list.area_combo
    area.setCurrentIndex(area.findData("speelautomatenhal"))
    assert shown_references(window) == [three_cases[2].reference]
    area.setCurrentIndex(0)
    officer = window.case_list.officer_combo
    assert officer.findData("j.jansen") > 0
    officer.setCurrentIndex(officer.findData("j.jansen"))
    assert shown_references(window) == [three_cases[1].reference]


def test_search_by_kvk_number_after_typing_pause(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    search = window.case_list.search_edit
    with qtbot.waitSignal(window.case_model.modelReset, timeout=5000):
        qtbot.keyClicks(search, "87654321")
        # Debounced: typing alone does not query once per key.
        assert window.search_timer.isActive()
    assert shown_references(window) == [three_cases[1].reference]


@pytest.mark.parametrize(
    ("text", "index"),
    [("De Zwaan", 0), ("kanaal bouw", 1), ("Centrum Gaming", 2), ("1122 3344", 2)],
)
def test_search_by_party_name_and_kvk(
    window: MainWindow, three_cases: list[CaseView], text: str, index: int
) -> None:
    window.case_list.search_edit.setText(text)
    window.apply_filter()
    assert shown_references(window) == [three_cases[index].reference]


def test_search_by_reference_and_address(window: MainWindow, three_cases: list[CaseView]) -> None:
    window.case_list.search_edit.setText(three_cases[2].reference.lower())
    window.apply_filter()
    assert shown_references(window) == [three_cases[2].reference]
    window.case_list.search_edit.setText("Markt")
    window.apply_filter()
    assert len(shown_references(window)) == 3
    window.case_list.search_edit.setText("geen-treffer-xyz")
    window.apply_filter()
    assert shown_references(window) == []
    assert window.count_label.text() == "0 zaken"


def test_sort_by_clicking_a_header(
    qtbot: Any, window: MainWindow, three_cases: list[CaseView]
) -> None:
    header = window.case_list.table.horizontalHeader()
    title_column = 1
    pos = QPoint(header.sectionViewportPosition(title_column) + 20, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    titles = [window.case_model.index(r, 1).data() for r in range(3)]
    first_order = window.case_model.order
    assert first_order[0] == "title"
    assert titles == sorted(titles) or titles == sorted(titles, reverse=True)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    reversed_titles = [window.case_model.index(r, 1).data() for r in range(3)]
    assert reversed_titles == list(reversed(titles))
    assert window.case_model.order == ("title", not first_order[1])


def test_sort_by_bouwsom_puts_the_largest_first_when_descending(
    window: MainWindow, three_cases: list[CaseView]
) -> None:
    window.case_model.sort(7, Qt.SortOrder.DescendingOrder)
    assert window.case_model.order == ("bouwsom", True)
    amounts = [window.case_model.case_at(r).bouwsom for r in range(3)]  # type: ignore[union-attr]
    assert Decimal("800000") in amounts


@pytest.mark.slow
def test_fetch_more_loads_pages_not_everything(
    qtbot: Any, sqlite_context: AppContext, shell_only: None
) -> None:
    generate_demo_cases(sqlite_context, 1000, 7)
    main = MainWindow(sqlite_context)
    qtbot.addWidget(main)
    model = main.case_model
    assert model.total == 1000
    assert model.rowCount() == PAGE_SIZE
    assert main.count_label.text() == "1.000 zaken"
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    references = shown_references(main)
    assert len(set(references)) == len(references)  # pages do not overlap
    # Scrolling to the bottom makes the view ask for the next page.
    main.show()
    main.case_list.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > 2 * PAGE_SIZE, timeout=5000)
    assert model.rowCount() % PAGE_SIZE == 0
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 1000
    assert not model.canFetchMore()


def test_edit_survives_a_restart(
    qtbot: Any, tmp_path: Path, messages: Messages, shell_only: None
) -> None:
    url = f"sqlite:///{tmp_path / 'restart.sqlite'}"
    db = open_database(url)
    make_user(db, "tester", "teamleider,medewerker")
    context = AppContext(db=db, user="tester")
    from tests.gui.shell_fixtures import make_case

    case = make_case(context, "Nieuwbouw Stationsplein", "omgevingsvergunning_bouw", bouwsom="1")
    first = MainWindow(context)
    qtbot.addWidget(first)
    first.select_case(case.reference)
    fields = first.detail.fields_tab
    fields.bouwsom_edit.setText("€ 750.000,00")
    fields.postcode_edit.setText("9402bc")
    qtbot.mouseClick(fields.save_button, Qt.MouseButton.LeftButton)
    assert first.close()
    db.dispose()

    reopened = open_database(url)
    context2 = AppContext(db=reopened, user="tester")
    stored = CaseService(context2).get(case.reference)
    assert stored.bouwsom == Decimal("750000.00")
    assert stored.postcode == "9402 BC"
    second = MainWindow(context2)
    qtbot.addWidget(second)
    second.select_case(case.reference)
    assert second.detail.fields_tab.bouwsom_edit.text() == "€ 750.000,00"
    assert second.detail.fields_tab.postcode_edit.text() == "9402 BC"
    row = second.case_model.row_of(case.reference)
    assert row is not None
    assert second.case_model.index(row, 7).data() == "€ 750.000,00"
    second.close()
    reopened.dispose()


def test_unsaved_edit_asks_before_switching_case(
    window: MainWindow, three_cases: list[CaseView], messages: Messages
) -> None:
    window.select_case(three_cases[0].reference)
    window.detail.fields_tab.title_edit.setText("Nog niet opgeslagen titel")
    messages.answer = True  # "Opslaan"
    window.select_case(three_cases[1].reference)
    assert messages.questions and "nog niet opgeslagen" in messages.questions[0]
    assert window.detail.reference == three_cases[1].reference
    stored = CaseService(window.context).get(three_cases[0].reference)
    assert stored.title == "Nog niet opgeslagen titel"


def test_new_case_dialog_creates_and_selects_the_case(
    qtbot: Any, window: MainWindow, monkeypatch: Any
) -> None:
    def fill(dialog: NewCaseDialog) -> bool:
        qtbot.keyClicks(dialog.title_edit, "Evenement Bevrijdingsfestival")
        dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("evenement"))
        dialog.date_edit.setText("15-04-2026")
        qtbot.keyClicks(dialog.applicant_edit, "Festival Drenthe Stichting")
        qtbot.keyClicks(dialog.kvk_edit, "55667788")
        dialog.accept()
        return dialog.result() == NewCaseDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "exec_dialog", fill)
    window.new_case_action.trigger()
    assert window.count_label.text() == "4 zaken"
    reference = window.detail.reference
    assert reference is not None and reference.startswith("BIB-2026-")
    stored = CaseService(window.context).get(reference)
    assert stored.title == "Evenement Bevrijdingsfestival"
    assert stored.applicant is not None and stored.applicant.kvk_number == "55667788"
    assert window.selected_reference() == reference


def test_new_case_dialog_names_every_wrong_field(qtbot: Any, sqlite_context: AppContext) -> None:
    dialog = NewCaseDialog(CaseService(sqlite_context))
    qtbot.addWidget(dialog)
    dialog.area_combo.setCurrentIndex(dialog.area_combo.findData("omgevingsvergunning_bouw"))
    dialog.date_edit.setText("30-02-2026")
    qtbot.keyClicks(dialog.applicant_edit, "Bouw B.V.")
    qtbot.keyClicks(dialog.kvk_edit, "12AB")
    dialog.accept()
    assert dialog.created is None
    text = dialog.error_label.text()
    for part in ("titel", "bestaat niet als datum", "bouwsom", "KvK-nummer"):
        assert part in text
    assert CaseService(sqlite_context).count() == 0


class FakePanel(QWidget):
    """A feature tab as another helper would register it."""

    case_changed = Signal(str)
    shown: ClassVar[list[str | None]] = []

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def set_case(self, reference: str | None) -> None:
        FakePanel.shown.append(reference)


class FakePage(QWidget):
    open_case = Signal(str)
    refreshed = 0

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def refresh(self) -> None:
        FakePage.refreshed += 1


def test_extension_panels_and_pages_plug_in(
    qtbot: Any,
    sqlite_context: AppContext,
    three_cases: list[CaseView],
    messages: Messages,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(
        extensions, "CASE_PANELS", [("Proef", "tests.gui.test_main_window:FakePanel")]
    )
    monkeypatch.setattr(
        extensions,
        "PAGES",
        [
            ("Overzicht", "tests.gui.test_main_window:FakePage"),
            ("Kapot", "tests.gui.bestaat_niet:Niets"),
        ],
    )
    FakePanel.shown = []
    FakePage.refreshed = 0
    main = MainWindow(sqlite_context)
    qtbot.addWidget(main)
    tabs = [main.detail.tabs.tabText(i) for i in range(main.detail.tabs.count())]
    assert tabs == ["Gegevens", "Betrokkenen", "Tijdlijn", "Documenten", "Proef"]
    pages = [main.pages.tabText(i) for i in range(main.pages.count())]
    assert pages == ["Zaken", "Overzicht", "Kapot"]  # a broken page shows a message instead

    main.select_case(three_cases[0].reference)
    assert FakePanel.shown == []  # a panel is built when its tab is first shown
    main.detail.tabs.setCurrentIndex(tabs.index("Proef"))
    assert FakePanel.shown == [three_cases[0].reference]  # and then reads the shown case
    # Saving the Gegevens tab makes the panels re-read the case.
    before = len(FakePanel.shown)
    main.detail.fields_tab.title_edit.setText("Nieuwe titel voor de panelen")
    assert main.detail.save()
    assert FakePanel.shown[before:] == [three_cases[0].reference]

    assert main.show_page("Overzicht")
    assert FakePage.refreshed == 0  # built on its first showing: it read its data itself
    assert main.show_page("Zaken") and main.show_page("Overzicht")
    assert FakePage.refreshed == 1
    page = main.page_widgets["Overzicht"]
    assert isinstance(page, FakePage)
    page.open_case.emit(three_cases[2].reference)
    assert main.pages.currentIndex() == 0
    assert main.detail.reference == three_cases[2].reference

    # A panel that changed the case makes the list and the detail re-read it.
    CaseService(sqlite_context).add_note(three_cases[2].reference, "Via paneel.")
    panel = main.detail.panels[0]
    assert isinstance(panel, FakePanel)
    panel.case_changed.emit(three_cases[2].reference)
    assert main.detail.timeline_model.index(0, 3).data() == "Via paneel."


def test_select_case_outside_the_loaded_rows_narrows_the_list(
    window: MainWindow, three_cases: list[CaseView]
) -> None:
    window.case_list.phase_combo.setCurrentIndex(
        window.case_list.phase_combo.findData("vragenformulier")
    )
    window.select_case(three_cases[0].reference)
    assert window.case_list.phase_combo.currentIndex() == 0
    assert shown_references(window) == [three_cases[0].reference]
    assert window.selected_reference() == three_cases[0].reference


def test_refresh_rereads_but_asks_about_unsaved_edits(
    window: MainWindow, three_cases: list[CaseView], messages: Messages
) -> None:
    window.select_case(three_cases[0].reference)
    CaseService(window.context).add_note(three_cases[0].reference, "Door een collega.")
    window.refresh_action.trigger()
    assert messages.questions == []  # nothing unsaved: no question
    assert window.detail.timeline_model.index(0, 3).data() == "Door een collega."

    window.detail.fields_tab.title_edit.setText("Half af")
    messages.answer = False  # "Niet opslaan"
    window.refresh_action.trigger()
    assert len(messages.questions) == 1
    assert window.detail.fields_tab.title_edit.text() == three_cases[0].title
    assert CaseService(window.context).get(three_cases[0].reference).title == three_cases[0].title
