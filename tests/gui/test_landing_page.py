"""Which page the main window opens on, and that pages are built only when first shown."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from bibob_desk.gui import extensions
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.context import AppContext
from tests.conftest import make_user


class CountingPage(QWidget):
    built: ClassVar[list[str]] = []

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        CountingPage.built.append(type(self).__name__)


class OverviewStandIn(CountingPage):
    pass


class PolicyStandIn(CountingPage):
    pass


@pytest.fixture
def light_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "CASE_PANELS", [])
    monkeypatch.setattr(
        extensions,
        "PAGES",
        [
            ("Overzicht", "tests.gui.test_landing_page:OverviewStandIn"),
            ("Beleid", "tests.gui.test_landing_page:PolicyStandIn"),
        ],
    )
    CountingPage.built = []


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        ("teamleider", "Overzicht"),
        ("medewerker,teamleider", "Overzicht"),  # any of the roles counts
        ("teamleider,beheerder", "Overzicht"),
        ("medewerker", "Zaken"),
        ("beheerder", "Zaken"),
        ("beheerder,medewerker", "Zaken"),
    ],
)
def test_a_team_lead_lands_on_the_overview_an_officer_on_the_cases(
    qtbot: Any, sqlite_context: AppContext, light_pages: None, roles: str, landing: str
) -> None:
    make_user(sqlite_context.db, "gebruiker", roles)
    main = MainWindow(AppContext(db=sqlite_context.db, user="gebruiker"))
    qtbot.addWidget(main)
    assert main.pages.tabText(main.pages.currentIndex()) == landing
    # The case list is read only when it is on screen.
    assert main.case_model.loaded == (landing == "Zaken")
    # Only the page on screen has been built.
    assert CountingPage.built == (["OverviewStandIn"] if landing == "Overzicht" else [])


def test_a_page_is_built_when_its_tab_is_first_clicked(
    qtbot: Any, sqlite_context: AppContext, light_pages: None
) -> None:
    main = MainWindow(sqlite_context)  # "tester" is a team lead
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert "Beleid" not in main.page_widgets
    bar = main.pages.tabBar()
    labels = [main.pages.tabText(i) for i in range(main.pages.count())]
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(labels.index("Beleid")).center()
    )
    assert isinstance(main.page_widgets["Beleid"], PolicyStandIn)
    assert CountingPage.built == ["OverviewStandIn", "PolicyStandIn"]
    # Coming back builds nothing twice.
    assert main.show_page("Overzicht") and main.show_page("Beleid")
    assert CountingPage.built == ["OverviewStandIn", "PolicyStandIn"]


def test_a_team_leads_case_list_is_read_when_zaken_is_first_shown(
    qtbot: Any, sqlite_context: AppContext, light_pages: None, three_cases: Any
) -> None:
    main = MainWindow(sqlite_context)  # "tester" is a team lead: starts on Overzicht
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    assert not main.case_model.loaded and main.case_model.rowCount() == 0
    bar = main.pages.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    assert main.case_model.loaded and main.case_model.rowCount() == 3
    assert main.count_label.text() == "3 zaken"
    # Jumping to a case from a page reads the list too.
    other = MainWindow(sqlite_context)
    qtbot.addWidget(other)
    other.open_case(three_cases[1].reference)
    assert other.detail.reference == three_cases[1].reference
