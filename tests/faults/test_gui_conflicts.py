"""Fault class (GUI): a lost race in a panel shows the Dutch conflict message and reloads."""

from __future__ import annotations

from typing import Any

import pytest

from bibob_desk.domain.errors import ConflictError
from bibob_desk.gui.workflow_panel import WorkflowPanel
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from tests.gui.shell_fixtures import Messages


def test_workflow_conflict_is_shown_and_the_case_reloaded(
    qtbot: Any, sqlite_context: AppContext, messages: Messages, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CaseService(sqlite_context).open_case(
        {"title": "Race", "area": "exploitatie_horeca", "application_date": "2026-06-01"}
    )
    panel = WorkflowPanel(sqlite_context)
    qtbot.addWidget(panel)
    panel.set_case(case.reference)
    reloaded: list[str | None] = []
    original = panel.set_case
    monkeypatch.setattr(panel, "set_case", lambda ref: (reloaded.append(ref), original(ref)))

    def lost_race() -> Any:
        raise ConflictError(
            f"Zaak {case.reference} is intussen door iemand anders gewijzigd. Uw wijzigingen "
            "zijn niet opgeslagen."
        )

    panel._save(lost_race)
    assert any("intussen door iemand anders gewijzigd" in text for text in messages.shown)
    assert reloaded == [case.reference]
