"""Forms that keep what was typed: validate before closing, every error at once, Return does
what the field suggests, Escape asks before throwing input away (gui/form_guard.py)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWizard

from bibob_desk.domain.phases import Phase
from bibob_desk.gui import errors, form_guard
from bibob_desk.gui.intake_wizard import IntakeWizard
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.gui.styling import is_marked_invalid
from bibob_desk.gui.workflow_panel import ConclusionDialog, StepDialog, WorkflowPanel
from bibob_desk.services.cases import CaseView
from bibob_desk.services.context import AppContext
from tests.gui.shell_fixtures import Messages
from tests.gui.test_workflow_panel import open_case


class Questions:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked = 0

    def __call__(self, parent: Any) -> bool:
        self.asked += 1
        return self.answer


@pytest.fixture
def keep_input(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """The officer answers "Terug naar het formulier" when asked to throw input away."""
    questions = Questions(False)
    monkeypatch.setattr(form_guard, "confirm_discard", questions)
    return questions


def _vastleggen(qtbot: Any, dialog: QDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = next(
        b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole
    )
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_conclusion_dialog_checks_before_closing_and_lists_every_error(
    qtbot: Any, sqlite_context: AppContext
) -> None:
    ref = open_case(sqlite_context)
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    panel.run_dialog = lambda dialog: True  # the steps up to the conclusion phase
    panel.set_case(ref)
    for target in (Phase.TOEPASBAARHEID, Phase.EIGEN_ONDERZOEK, Phase.CONCLUSIE):
        qtbot.mouseClick(panel.step_buttons[target], Qt.MouseButton.LeftButton)
    seen: list[str] = []

    def officer(dialog: QDialog) -> bool:
        assert isinstance(dialog, ConclusionDialog)
        dialog.show()
        # 'Geen gevaar' with a ground and a refusal: two mistakes at once.
        dialog.select("geen_gevaar", ("a",), "weigeren")
        qtbot.keyClicks(dialog.reason_edit, "Zorgvuldig overwogen")
        _vastleggen(qtbot, dialog)
        assert dialog.isVisible(), "closed before the input was checked"
        assert dialog.result() != QDialog.DialogCode.Accepted
        seen.append(dialog.error_label.text())
        assert is_marked_invalid(dialog.fields["grounds"])
        assert is_marked_invalid(dialog.fields["decision"])
        assert dialog.reason_edit.toPlainText() == "Zorgvuldig overwogen"  # kept
        dialog.ground_boxes["a"].setChecked(False)
        dialog.decision_combo.setCurrentIndex(dialog.decision_combo.findData("verlenen"))
        _vastleggen(qtbot, dialog)
        assert not dialog.isVisible()
        return dialog.result() == QDialog.DialogCode.Accepted

    panel.run_dialog = officer
    qtbot.mouseClick(panel.conclusion_button, Qt.MouseButton.LeftButton)
    assert seen and "deze 2 punten" in seen[0]
    assert "geen gronden" in seen[0] and "het besluit is verlenen" in seen[0]
    assert "Geen gevaar" in panel.conclusion_label.text()


def test_escape_on_a_changed_dialog_asks_first(
    qtbot: Any, sqlite_context: AppContext, keep_input: Questions
) -> None:
    from datetime import date

    dialog = StepDialog("Zaak sluiten", "", "Datum", date(2026, 12, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: closes without a question
    assert not dialog.isVisible() and keep_input.asked == 0
    dialog = StepDialog("Zaak sluiten", "", "Datum", date(2026, 12, 2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.note_edit, "Belangrijke notitie")
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    assert keep_input.asked == 1
    assert dialog.isVisible() and dialog.note == "Belangrijke notitie"
    keep_input.answer = True  # now the officer does want to throw it away
    qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _wizard(qtbot: Any, context: AppContext) -> IntakeWizard:
    wizard = IntakeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def test_return_in_the_party_row_adds_the_party(qtbot: Any, sqlite_context: AppContext) -> None:
    wizard = _wizard(qtbot, sqlite_context)
    qtbot.keyClicks(wizard.title_edit, "Nieuwbouw loods")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.party_page
    qtbot.keyClicks(wizard.party_name_edit, "Holding Noord B.V.")
    qtbot.keyClicks(wizard.party_kvk_edit, "87654321")
    qtbot.keyClick(wizard.party_kvk_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.party_page  # not the next page
    assert wizard.party_list.count() == 1
    assert "Holding Noord B.V." in wizard.party_list.item(0).text()
    assert wizard.party_kvk_edit.text() == ""
    qtbot.keyClicks(wizard.party_name_edit, "J. de Vries")
    qtbot.keyClick(wizard.party_name_edit, Qt.Key.Key_Enter)
    assert wizard.party_list.count() == 2 and wizard.currentPage() is wizard.party_page


def test_escape_on_the_wizard_asks_before_dropping_the_input(
    qtbot: Any, sqlite_context: AppContext, keep_input: Questions
) -> None:
    wizard = _wizard(qtbot, sqlite_context)
    qtbot.keyClicks(wizard.title_edit, "Nieuwbouw loods")
    qtbot.keyClick(wizard.title_edit, Qt.Key.Key_Escape)
    assert keep_input.asked == 1
    assert wizard.isVisible() and wizard.title_edit.text() == "Nieuwbouw loods"
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert keep_input.asked == 2 and wizard.isVisible()


def test_escape_on_the_save_question_keeps_the_change(qtbot: Any) -> None:
    box = errors.save_question(None, "Wijzigingen opslaan?", "Nu opslaan?")
    qtbot.addWidget(box)
    box.show()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert errors.save_answer(box) == errors.CANCEL
    box = errors.save_question(None, "Wijzigingen opslaan?", "Nu opslaan?")
    qtbot.addWidget(box)
    box.show()
    discard = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    assert discard.text() == "Niet opslaan"
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    assert errors.save_answer(box) == errors.DISCARD


def test_cancel_on_the_save_question_stays_on_the_case(
    window: MainWindow,
    three_cases: list[CaseView],
    messages: Messages,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window.select_case(three_cases[0].reference)
    window.detail.fields_tab.title_edit.setText("Nieuwe titel")
    monkeypatch.setattr(errors, "ask_save", lambda *args: errors.CANCEL)
    window.select_case(three_cases[1].reference)
    assert window.detail.reference == three_cases[0].reference
    assert window.detail.fields_tab.title_edit.text() == "Nieuwe titel"
    window.refresh()
    assert window.detail.fields_tab.title_edit.text() == "Nieuwe titel"
    monkeypatch.setattr(errors, "ask_save", lambda *args: errors.DISCARD)


def test_escape_on_the_tip_dialog_asks_first(qtbot: Any, keep_input: Questions) -> None:
    from bibob_desk.gui.tip_register import TipDialog

    dialog = TipDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.subject_edit, "De Hoek B.V.")
    qtbot.keyClick(dialog.subject_edit, Qt.Key.Key_Escape)
    assert keep_input.asked == 1 and dialog.isVisible()
    assert dialog.subject_edit.text() == "De Hoek B.V."
