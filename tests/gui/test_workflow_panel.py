"""The Procedure tab: walk one case from intake to besluit through its buttons and dialogs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from bibob_desk.domain.phases import Phase
from bibob_desk.gui import errors
from bibob_desk.gui.workflow_panel import (
    ConclusionDialog,
    DecisionDialog,
    StepDialog,
    WorkflowPanel,
)
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Case, Document


def open_case(context: AppContext) -> str:
    ref = (
        CaseService(context)
        .open_case(
            {
                "title": "Café De Hoek",
                "area": "exploitatie_horeca",
                "application_date": "2026-09-01",
            },
            [PartyInput(name="De Hoek B.V.", kvk_number="12345678")],
        )
        .reference
    )
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        case.outcome = "mandatory"
    return ref


def test_walk_from_intake_to_besluit(
    qtbot: QtBot, sqlite_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = open_case(sqlite_context)
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    seen: list[str] = []

    def fill(dialog: QDialog) -> bool:
        seen.append(type(dialog).__name__)
        if isinstance(dialog, ConclusionDialog):
            dialog.select("ernstig_gevaar", ("a", "b"), "weigeren")
        elif isinstance(dialog, DecisionDialog):
            assert dialog.decision_combo.currentData() == "weigeren"  # the intended decision
            dialog.reason_edit.setPlainText("Ernstig gevaar op de a- en b-grond.")
        else:
            assert isinstance(dialog, StepDialog)
        return True

    panel.run_dialog = fill
    changed: list[str] = []
    panel.case_changed.connect(changed.append)
    panel.set_case(ref)
    assert panel.phase_label.text() == "Fase: Intake"
    assert not panel.decision_button.isEnabled()
    assert not panel.report_button.isEnabled()

    def consult(dialog: QDialog) -> bool:
        assert isinstance(dialog, StepDialog)
        dialog.note_edit.setPlainText("Geen registratie")
        return True

    panel.run_dialog = consult
    qtbot.mouseClick(panel.consult_button, Qt.MouseButton.LeftButton)
    assert "Geen registratie" in panel.register_label.text()
    panel.run_dialog = fill

    def click(target: Phase) -> None:
        button = panel.step_buttons[target]
        assert button.isEnabled(), button.toolTip()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    click(Phase.TOEPASBAARHEID)
    click(Phase.VRAGENFORMULIER)
    kinds = [panel.deadline_model.row(i).kind for i in range(panel.deadline_model.rowCount())]
    assert "vragenformulier" in kinds
    click(Phase.EIGEN_ONDERZOEK)
    click(Phase.LBB_ADVIES)
    assert panel.lbb_questions_button.isEnabled() and not panel.lbb_answers_button.isEnabled()
    qtbot.mouseClick(panel.lbb_questions_button, Qt.MouseButton.LeftButton)
    assert panel.lbb_answers_button.isEnabled() and not panel.lbb_questions_button.isEnabled()
    qtbot.mouseClick(panel.lbb_answers_button, Qt.MouseButton.LeftButton)
    assert panel.lbb_questions_button.isEnabled()
    assert panel.step_buttons[Phase.CONCLUSIE].text() == "Advies ontvangen"
    click(Phase.CONCLUSIE)
    assert panel.phase_label.text() == "Fase: Conclusie"
    # before a conclusion, zienswijze and besluit are refused with the domain's reason
    refused = panel.step_buttons[Phase.ZIENSWIJZE]
    assert not refused.isEnabled() and "conclusie" in refused.toolTip()
    qtbot.mouseClick(panel.conclusion_button, Qt.MouseButton.LeftButton)
    assert "Ernstig gevaar" in panel.conclusion_label.text()
    besluit = panel.step_buttons[Phase.BESLUIT]
    assert not besluit.isEnabled() and "zienswijze" in besluit.toolTip()
    click(Phase.ZIENSWIJZE)
    assert any(
        panel.deadline_model.row(i).kind == "zienswijze"
        for i in range(panel.deadline_model.rowCount())
    )
    click(Phase.BESLUIT)
    assert panel.decision_button.isEnabled()
    qtbot.mouseClick(panel.decision_button, Qt.MouseButton.LeftButton)
    assert "Besluit: weigeren" in panel.conclusion_label.text()
    assert not panel.decision_button.isEnabled() and panel.reopen_button.isVisibleTo(panel)
    kinds = [panel.deadline_model.row(i).kind for i in range(panel.deadline_model.rowCount())]
    assert kinds == ["register_melding"]  # ernstig gevaar: report it; not sent yet
    assert "Nog te melden" in panel.register_label.text()
    assert panel.report_button.isEnabled()
    qtbot.mouseClick(panel.report_button, Qt.MouseButton.LeftButton)
    assert "Gemeld op" in panel.register_label.text()
    assert not panel.report_button.isEnabled()
    assert panel.phase_label.text() == "Fase: Besluit"
    assert seen.count("StepDialog") == 10
    assert seen[-2] == "DecisionDialog"
    assert len(changed) == 13
    # Sent: only with an approved, final besluit letter; then the bezwaar term runs.
    shown: list[str] = []
    monkeypatch.setattr(errors, "show_error", lambda _p, exc, _t=None: shown.append(str(exc)))
    qtbot.mouseClick(panel.sent_button, Qt.MouseButton.LeftButton)
    assert shown and "goedgekeurde besluitbrief" in shown[0]
    with sqlite_context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        session.add(
            Document(
                case_id=case.id,
                doc_type="besluit",
                title="Besluit",
                status="definitief",
                author="tester",
                approved_by="lead2",
                finalised_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    qtbot.mouseClick(panel.sent_button, Qt.MouseButton.LeftButton)
    kinds = [panel.deadline_model.row(i).kind for i in range(panel.deadline_model.rowCount())]
    assert "bezwaar" in kinds and not panel.sent_button.isEnabled()
    panel.grab().save("/tmp/workflow_panel.png")

    with sqlite_context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        assert case.phase == "besluit" and case.decision == "weigeren"
        assert case.nearest_deadline_kind == "bezwaar"
        assert case.register_reported_on is not None


def test_cancelled_dialog_changes_nothing(qtbot: QtBot, sqlite_context: AppContext) -> None:
    ref = open_case(sqlite_context)
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    panel.run_dialog = lambda dialog: False
    panel.set_case(ref)
    qtbot.mouseClick(panel.step_buttons[Phase.TOEPASBAARHEID], Qt.MouseButton.LeftButton)
    assert panel.phase_label.text() == "Fase: Intake"


def test_refused_save_shows_the_domain_reason(
    qtbot: QtBot, sqlite_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = open_case(sqlite_context)
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    shown: list[str] = []
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(
        errors, "show_error", lambda parent, exc, title=None: shown.append(str(exc))
    )

    def fill(dialog: QDialog) -> bool:
        if isinstance(dialog, ConclusionDialog):
            dialog.select("geen_gevaar", (), "weigeren")
        return True

    panel.run_dialog = fill
    panel.set_case(ref)
    for target in (Phase.TOEPASBAARHEID, Phase.EIGEN_ONDERZOEK, Phase.CONCLUSIE):
        qtbot.mouseClick(panel.step_buttons[target], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.conclusion_button, Qt.MouseButton.LeftButton)
    assert shown and "geen gevaar" in shown[0]
    assert panel.conclusion_label.text() == "Nog geen conclusie vastgelegd."


def test_no_case(qtbot: QtBot, sqlite_context: AppContext) -> None:
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    panel.set_case(None)
    assert not panel.isEnabled()
    assert panel.step_buttons == {}
