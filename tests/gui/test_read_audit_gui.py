"""Every GUI page that shows personal data leaves its read in the audit log (issue 11).

The pages go through the same services as the command line; these tests check that the path a
user clicks through writes the entry: one per list request (filter and count), one per case
shown, a refusal as "geweigerd".
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from bibob_desk.gui.main_window import MainWindow
from bibob_desk.gui.overview import AnnualFiguresDialog, OverviewPage
from bibob_desk.gui.retention_page import RetentionPage
from bibob_desk.gui.tip_register import TipRegisterPage
from bibob_desk.services import audit
from bibob_desk.services.audit import AuditView, list_entries
from bibob_desk.services.cases import CaseView
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipInput, TipService
from tests.conftest import make_user


def _entries(context: AppContext, action: str) -> list[AuditView]:
    return [e for e in list_entries(context) if e.action == action]


def test_case_list_search_and_case_shown(
    qtbot: Any, window: MainWindow, sqlite_context: AppContext, three_cases: list[CaseView]
) -> None:
    window.case_list.search_edit.setText("De Zwaan")
    window.apply_filter()
    searches = [
        e
        for e in _entries(sqlite_context, audit.LIST_VIEW)
        if e.detail.get("filter", {}).get("search") == "De Zwaan"
    ]
    assert len(searches) == 1 and searches[0].detail["lijst"] == "zaken"
    assert searches[0].detail["aantal"] == 1
    table = window.case_list.table
    rect = table.visualRect(window.case_model.index(0, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    views = _entries(sqlite_context, audit.VIEW)
    assert views and views[-1].case_reference == three_cases[0].reference


def test_overview_page(qtbot: QtBot, sqlite_context: AppContext) -> None:
    page = OverviewPage(sqlite_context)
    qtbot.addWidget(page)
    page.show()
    overviews = [
        e for e in _entries(sqlite_context, audit.LIST_VIEW) if e.detail["lijst"] == "overzicht"
    ]
    assert overviews and overviews[-1].user == "tester"
    assert overviews[-1].detail["filter"] == {"open_only": True}


def test_tip_register_page(qtbot: QtBot, sqlite_context: AppContext) -> None:
    TipService(sqlite_context).add(
        TipInput(
            direction="inkomend",
            received_on="2026-03-01",
            counterpart="OM",
            subject_name="De Hoek B.V.",
            subject_kvk="12345678",
        )
    )
    before = len(_entries(sqlite_context, audit.TIP_ACCESS))
    page = TipRegisterPage(sqlite_context)
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 1
    assert len(_entries(sqlite_context, audit.TIP_ACCESS)) > before


def test_retention_page_and_its_refusal(qtbot: QtBot, sqlite_context: AppContext) -> None:
    page = RetentionPage(sqlite_context)
    qtbot.addWidget(page)
    assert _entries(sqlite_context, audit.RETENTION_VIEW)[-1].detail["zaken"] == 0
    make_user(sqlite_context.db, "y.officer", "medewerker")
    refused = RetentionPage(AppContext(sqlite_context.db, "y.officer"))
    qtbot.addWidget(refused)
    last = _entries(sqlite_context, audit.REFUSED)[-1]
    assert (last.user, last.detail["handeling"]) == ("y.officer", audit.RETENTION_VIEW)


def test_annual_figures_dialog(qtbot: QtBot, sqlite_context: AppContext) -> None:
    dialog = AnnualFiguresDialog(sqlite_context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.computed, timeout=20_000):
        dialog.start()
    assert _entries(sqlite_context, audit.REPORT_VIEW)
