"""The Brieven tab driven through its widgets: draft, edit, preview, approve, final, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from pytestqt.qtbot import QtBot

from bibob_desk.gui import errors
from bibob_desk.gui.letters_panel import LettersPanel
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from tests.conftest import make_user
from tests.gui.shell_fixtures import Messages
from tests.services.letter_helpers import make_letter_case


@pytest.fixture
def info(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_info", lambda _p, _t, text: shown.append(text))
    return shown


def make_panel(qtbot: QtBot, context: AppContext, reference: str) -> LettersPanel:
    panel = LettersPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1300, 900)
    panel.set_case(reference)
    return panel


def choose_type(panel: LettersPanel, code: str) -> None:
    model = panel.type_combo.model()
    assert isinstance(model, QStandardItemModel)
    for row in range(model.rowCount()):
        if model.item(row).data(Qt.ItemDataRole.UserRole) == code:
            panel.type_combo.setCurrentIndex(row)
            return
    raise AssertionError(code)


def test_unfitting_types_are_disabled_with_their_reason(
    qtbot: QtBot, sqlite_context: AppContext, messages: Messages
) -> None:
    reference = make_letter_case(
        sqlite_context, phase="eigen_onderzoek", conclusion=None, decision=None, lbb_on=None
    )
    panel = make_panel(qtbot, sqlite_context, reference)
    model = panel.type_combo.model()
    assert isinstance(model, QStandardItemModel)
    enabled = {
        model.item(r).data(Qt.ItemDataRole.UserRole): model.item(r).isEnabled()
        for r in range(model.rowCount())
    }
    assert enabled["vragenformulier"] and enabled["kennisgeving_derden"]
    assert not enabled["besluit"] and not enabled["opschorting"]
    assert "conclusie" in panel.reason_label.text()
    choose_type(panel, "besluit")
    assert not panel.create_button.isEnabled()


def test_draft_edit_preview_final_and_export(
    qtbot: QtBot,
    sqlite_context: AppContext,
    messages: Messages,
    info: list[str],
    tmp_path: Path,
) -> None:
    reference = make_letter_case(sqlite_context)
    panel = make_panel(qtbot, sqlite_context, reference)
    choose_type(panel, "vragenformulier")
    qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
    assert panel.model.rowCount() == 1
    assert panel.current is not None and not panel.current.is_final
    assert len(panel.preview_pages) >= 1  # the preview shows rendered pages
    pixmap = panel.preview_pages[0].pixmap()
    assert pixmap.width() > 500 and pixmap.height() > pixmap.width()

    assert not panel.save_button.isEnabled()
    panel.body_edit.appendPlainText("\nMet dank voor uw medewerking.")
    assert panel.save_button.isEnabled() and not panel.final_button.isEnabled()
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert "Met dank voor uw medewerking." in panel.current.body_text

    qtbot.mouseClick(panel.final_button, Qt.MouseButton.LeftButton)
    assert messages.questions  # asked before making it final
    assert panel.current.is_final
    assert panel.body_edit.isReadOnly()
    assert not panel.final_button.isEnabled()

    folder = tmp_path / "dms"
    panel.choose_folder = lambda: str(folder)
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    sidecar = folder / f"{reference}_vragenformulier.pdf.metadata.json"
    assert sidecar.exists() and info and str(sidecar) in info[-1]
    assert json.loads(sidecar.read_text(encoding="utf-8"))["titel"] == panel.current.title
    assert messages.shown == []
    panel.grab().save(str(tmp_path / "brieven.png"))


def test_approve_button_follows_four_eyes(
    qtbot: QtBot, sqlite_context: AppContext, messages: Messages, approval_dialogs: list[Any]
) -> None:
    make_user(sqlite_context.db, "lead2", "teamleider")
    reference = make_letter_case(sqlite_context)
    LetterService(sqlite_context).create_draft(reference, "besluit")  # author: tester
    own = make_panel(qtbot, sqlite_context, reference)
    assert own.current is not None and own.current.doc_type == "besluit"
    assert not own.approve_button.isEnabled()  # the author may not approve
    assert not own.final_button.isEnabled()
    assert "goedgekeurd" in own.state_label.text()

    other = make_panel(qtbot, AppContext(db=sqlite_context.db, user="lead2"), reference)
    assert other.approve_button.isEnabled()
    qtbot.mouseClick(other.approve_button, Qt.MouseButton.LeftButton)
    # Approving showed the letter first (every page) and approved what was shown.
    assert len(approval_dialogs) == 1 and approval_dialogs[0].page_labels
    assert "Opgesteld door: tester" in approval_dialogs[0].facts_label.text()
    assert other.current is not None and other.current.approved_by == "lead2"
    assert other.final_button.isEnabled()


def test_approval_shows_the_preview_and_refuses_the_team_lead_who_edited(
    qtbot: QtBot, sqlite_context: AppContext, messages: Messages, approval_dialogs: list[Any]
) -> None:
    from bibob_desk.gui import approval_dialog

    make_user(sqlite_context.db, "officer", "medewerker")
    make_user(sqlite_context.db, "lead2", "teamleider")
    make_user(sqlite_context.db, "lead3", "teamleider")
    reference = make_letter_case(sqlite_context, officer="officer")
    officer = LetterService(AppContext(db=sqlite_context.db, user="officer"))
    draft = officer.create_draft(reference, "besluit")
    # lead2 edits the officer's besluit: lead2 may no longer approve it.
    lead2 = AppContext(db=sqlite_context.db, user="lead2")
    LetterService(lead2).update_body(draft.id, draft.body_text + "\n\nZin van de teamleider.")
    panel = make_panel(qtbot, lead2, reference)
    assert panel.current is not None and "lead2" in panel.current.editors
    assert not panel.approve_button.isEnabled()
    # Even when called directly, the service refuses (before any dialog).
    panel.approve()
    assert approval_dialogs == [] and "gewijzigd" in messages.shown[-1]
    # Cancelling the preview approves nothing.
    lead3 = make_panel(qtbot, AppContext(db=sqlite_context.db, user="lead3"), reference)
    assert lead3.approve_button.isEnabled()
    approval_dialog.run_dialog = lambda dialog: approval_dialogs.append(dialog) or False
    qtbot.mouseClick(lead3.approve_button, Qt.MouseButton.LeftButton)
    assert len(approval_dialogs) == 1
    assert "Gewijzigd door: lead2" in approval_dialogs[0].facts_label.text()
    assert LetterService(lead2).get(draft.id).approved_by is None

    # A change between preview and confirmation voids the approval.
    def edit_then_accept(dialog: Any) -> bool:
        LetterService(lead2).update_body(draft.id, draft.body_text + "\n\nNog een zin.")
        return True

    approval_dialog.run_dialog = edit_then_accept
    qtbot.mouseClick(lead3.approve_button, Qt.MouseButton.LeftButton)
    assert "gewijzigd sinds u het voorbeeld" in messages.shown[-1]
    assert LetterService(lead2).get(draft.id).approved_by is None
