"""The "Toepasbaarheid" tab: current outcome, history, risk categories, "Opnieuw toetsen"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from bibob_desk.gui import extensions
from bibob_desk.gui.assessment_panel import AssessmentPanel
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.assessment import AssessmentService
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext

BOUW = {
    "title": "Nieuwbouw loods",
    "area": "omgevingsvergunning_bouw",
    "application_date": "2026-10-01",
    "bouwsom": "400000",
    "postcode": "7811AB",
}


def make_panel(qtbot: Any, context: AppContext) -> tuple[AssessmentPanel, str]:
    case = CaseService(context).open_case(BOUW)
    panel = AssessmentPanel(context)
    qtbot.addWidget(panel)
    panel.set_case(case.reference)
    return panel, case.reference


def test_panel_shows_outcome_reasons_and_history(qtbot: Any, sqlite_context: AppContext) -> None:
    panel, reference = make_panel(qtbot, sqlite_context)
    assert "Bibob-toets mogelijk" in panel.outcome_label.text()
    assert "versie 2024.1" in panel.policy_label.text()
    assert "€ 400.000,00" in panel.reasons_label.text()
    assert panel.history_model.rowCount() == 1
    # Tick a risk category and save: a new assessment on top of the history.
    emitted: list[str] = []
    panel.case_changed.connect(emitted.append)
    panel.set_tag_checked("vakantiepark")
    qtbot.mouseClick(panel.save_tags_button, Qt.MouseButton.LeftButton)
    assert emitted == [reference]
    assert "Bibob-toets verplicht" in panel.outcome_label.text()
    assert panel.history_model.rowCount() == 2
    assert panel.checked_tags() == ["vakantiepark"]
    assert CaseService(sqlite_context).get(reference).outcome == "mandatory"
    # "Opnieuw toetsen" records one more, the old ones stay.
    qtbot.mouseClick(panel.reassess_button, Qt.MouseButton.LeftButton)
    assert panel.history_model.rowCount() == 3
    panel.history_view.selectRow(2)
    assert "Bibob-toets mogelijk" in panel.history_model.data(
        panel.history_model.index(2, 2), Qt.ItemDataRole.DisplayRole
    )
    assert "risicogebied" in panel.history_reasons.text()
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert "Toepasbaarheid Wet Bibob: Bibob-toets verplicht" in QGuiApplication.clipboard().text()


def test_panel_explains_when_no_policy_applies(
    qtbot: Any, sqlite_context: AppContext, monkeypatch: Any
) -> None:
    from bibob_desk.gui import errors

    shown: list[str] = []
    monkeypatch.setattr(
        errors, "show_error", lambda parent, exc, title=None: shown.append(str(exc))
    )
    case = CaseService(sqlite_context).open_case({**BOUW, "application_date": "2023-03-01"})
    panel = AssessmentPanel(sqlite_context)
    qtbot.addWidget(panel)
    panel.set_case(case.reference)
    assert "Nog niet getoetst" in panel.outcome_label.text()
    qtbot.mouseClick(panel.reassess_button, Qt.MouseButton.LeftButton)
    assert shown and "geen Bibob-beleid van kracht" in shown[0]
    assert AssessmentService(sqlite_context).history(case.reference) == []


def test_registered_as_case_tab(
    qtbot: Any, sqlite_context: AppContext, three_cases: Any, messages: Any, monkeypatch: Any
) -> None:
    entry = ("Toepasbaarheid", "bibob_desk.gui.assessment_panel:AssessmentPanel")
    assert entry in extensions.CASE_PANELS
    monkeypatch.setattr(extensions, "CASE_PANELS", [entry])  # only this panel: fast
    monkeypatch.setattr(extensions, "PAGES", [])
    window = MainWindow(sqlite_context)
    qtbot.addWidget(window)
    window.show()
    panels = [p for p in window.detail.panels if isinstance(p, AssessmentPanel)]
    assert len(panels) == 1
    window.select_case(three_cases[0].reference)
    assert panels[0].reference == three_cases[0].reference
    assert "Bibob-toets verplicht" in panels[0].outcome_label.text()
