"""The Tipregister page: add and edit through the dialog, filter, refusal for a beheerder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from bibob_desk.gui import errors
from bibob_desk.gui.tip_register import TipDialog, TipRegisterPage
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipInput, TipService
from tests.conftest import make_user


def test_add_edit_and_filter(
    qtbot: QtBot, sqlite_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = TipRegisterPage(sqlite_context)
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 0
    shown: list[str] = []
    monkeypatch.setattr(
        errors, "show_error", lambda parent, exc, title=None: shown.append(str(exc))
    )
    answers = iter([True, True, False])

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, TipDialog)
        dialog.date_edit.setText("2026-10-01")
        dialog.counterpart_edit.setText("Openbaar Ministerie")
        dialog.subject_edit.setText("De Hoek B.V.")
        # first attempt with a bad KvK number, second attempt corrected
        dialog.kvk_edit.setText("123" if not shown else "12345678")
        dialog.summary_edit.setPlainText("Signalen over witwassen.")
        return next(answers)

    page.run_dialog = fill
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert shown and "KvK" in shown[0]
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 3)) == "De Hoek B.V."
    assert page.model.data(page.model.index(0, 1)) == "Inkomend"

    page.table.selectRow(0)

    def edit(dialog: QDialog) -> bool:
        assert isinstance(dialog, TipDialog)
        assert dialog.kvk_edit.text() == "12345678"  # the stored tip is shown
        dialog.follow_up_edit.setPlainText("Eigen onderzoek gestart")
        return True

    page.run_dialog = edit
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    page.table.selectRow(0)
    dialog = TipDialog(page.selected_tip())
    qtbot.addWidget(dialog)
    assert dialog.date_edit.text() == "01-10-2026"  # dd-mm-jjjj, as every form
    assert page.model.data(page.model.index(0, 6)) == "Eigen onderzoek gestart"

    TipService(sqlite_context).add(
        TipInput("uitgaand", "2026-10-03", "Gemeente Assen", "Iemand Anders")
    )
    page.refresh()
    assert page.model.rowCount() == 2
    page.direction_filter.setCurrentIndex(page.direction_filter.findData("uitgaand"))
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 1)) == "Uitgaand"
    page.resize(1000, 400)
    page.grab().save("/tmp/tip_register.png")


def test_beheerder_sees_a_refusal(qtbot: QtBot, sqlite_context: AppContext) -> None:
    TipService(sqlite_context).add(TipInput("inkomend", "2026-10-01", "OM", "Geheim B.V."))
    make_user(sqlite_context.db, "bea", "beheerder")
    page = TipRegisterPage(AppContext(sqlite_context.db, "bea"))
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 0
    assert not page.refusal_label.isHidden()
    assert "medewerker" in page.refusal_label.text()
    assert not page.add_button.isEnabled()


def test_double_click_opens_linked_case(qtbot: QtBot, sqlite_context: AppContext) -> None:
    from bibob_desk.services.cases import CaseService

    ref = (
        CaseService(sqlite_context)
        .open_case({"title": "X", "area": "alcohol", "application_date": "2026-10-05"})
        .reference
    )
    TipService(sqlite_context).add(
        TipInput("inkomend", "2026-10-01", "OM", "Geheim B.V.", case_reference=ref)
    )
    page = TipRegisterPage(sqlite_context)
    qtbot.addWidget(page)
    page.refresh()
    opened: list[str] = []
    page.open_case.connect(opened.append)
    page._double_clicked(page.model.index(0, 0))
    assert opened == [ref]


def test_paging_fetches_more(qtbot: QtBot, sqlite_context: AppContext) -> None:
    service = TipService(sqlite_context)
    from bibob_desk.gui import tip_register

    for number in range(5):
        service.add(TipInput("uitgaand", "2026-10-01", "Gemeente Assen", f"Onderwerp {number}"))
    page = TipRegisterPage(sqlite_context)
    qtbot.addWidget(page)
    old = tip_register.BATCH
    tip_register.BATCH = 2
    try:
        page.refresh()
        assert page.model.rowCount() == 2
        assert page.model.canFetchMore()
        page.model.fetchMore()
        page.model.fetchMore()
        assert page.model.rowCount() == 5
        assert not page.model.canFetchMore()
    finally:
        tip_register.BATCH = old


def test_team_lead_links_a_match_the_officer_could_not_see(
    qtbot: QtBot, sqlite_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bibob_desk.services.cases import CaseService, PartyInput

    db = sqlite_context.db
    make_user(db, "a.dekker", "medewerker")
    make_user(db, "b.jansen", "medewerker")
    reference = (
        CaseService(AppContext(db, "a.dekker"))
        .open_case(
            {"title": "Café De Hoek", "area": "alcohol", "application_date": "2026-03-02"},
            [PartyInput(name="De Hoek B.V.", kvk_number="31652085")],
        )
        .reference
    )
    tip = TipService(AppContext(db, "b.jansen")).add(
        TipInput(
            direction="inkomend",
            received_on="2026-03-01",
            counterpart="Openbaar Ministerie",
            subject_name="De Hoek B.V.",
            subject_kvk="31652085",
        )
    )
    officer_page = TipRegisterPage(AppContext(db, "b.jansen"))
    qtbot.addWidget(officer_page)
    officer_page.refresh()
    assert officer_page.pending_box.isHidden()
    assert officer_page.model.rowCount() == 1  # their own tip, no case shown
    assert officer_page.model.index(0, 5).data() in ("", None)

    monkeypatch.setattr(errors, "ask", lambda *args, **kwargs: True)
    page = TipRegisterPage(sqlite_context)  # 'tester' leads the team
    qtbot.addWidget(page)
    page.show()
    assert not page.pending_box.isHidden()
    assert page.pending_label.text() == "Te koppelen (1)"
    assert page.pending_model.index(0, 3).data() == reference
    page.pending_table.selectRow(0)
    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    assert page.pending_label.text() == "Te koppelen (0)"
    assert TipService(sqlite_context).get(tip.id).case_reference == reference
