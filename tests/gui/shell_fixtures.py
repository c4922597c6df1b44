"""Fixtures for the GUI shell tests: a main window on a small SQLite database, and a recorder
for message boxes so no test ever blocks on a modal dialog."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bibob_desk.domain.errors import BibobError
from bibob_desk.gui import errors, extensions
from bibob_desk.gui.main_window import MainWindow
from bibob_desk.services.cases import CaseService, CaseView, PartyInput
from bibob_desk.services.context import AppContext


@dataclass
class Messages:
    """What the GUI would have shown in message boxes; ``answer`` is the reply to questions."""

    shown: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    answer: bool = True


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> Messages:
    recorded = Messages()

    def show_error(parent: Any, exc: BibobError | str, title: str | None = None) -> None:
        recorded.shown.append(str(exc))

    def ask(parent: Any, title: str, text: str, yes: str, no: str = "Annuleren") -> bool:
        recorded.questions.append(text)
        return recorded.answer

    def ask_save(parent: Any, title: str, text: str) -> str:
        recorded.questions.append(text)
        return errors.SAVE if recorded.answer else errors.DISCARD

    monkeypatch.setattr(errors, "show_error", show_error)
    monkeypatch.setattr(errors, "ask", ask)
    monkeypatch.setattr(errors, "ask_save", ask_save)
    return recorded


def make_case(
    context: AppContext,
    title: str = "Exploitatievergunning café De Zwaan",
    area: str = "exploitatie_horeca",
    *,
    bouwsom: str = "",
    applicant: str = "De Zwaan Horeca B.V.",
    kvk: str = "12345678",
    phase: str = "intake",
    officer: str = "tester",
    application_date: str = "2026-03-02",
) -> CaseView:
    return CaseService(context).open_case(
        {
            "title": title,
            "area": area,
            "organisation": "Gemeente Assen",
            "officer": officer,
            "application_date": application_date,
            "bouwsom": bouwsom,
            "street": "Markt",
            "house_number": "1",
            "postcode": "9401 AB",
            "city": "Assen",
            "phase": phase,
        },
        [PartyInput(name=applicant, kvk_number=kvk)],
    )


@pytest.fixture
def three_cases(sqlite_context: AppContext) -> list[CaseView]:
    from tests.conftest import make_user

    make_user(sqlite_context.db, "j.jansen", "medewerker", "J. Jansen")  # a colleague
    return [
        make_case(sqlite_context),
        make_case(
            sqlite_context,
            "Nieuwbouw bedrijfspand Kanaalweg",
            "omgevingsvergunning_bouw",
            bouwsom="800000",
            applicant="Kanaal Bouw N.V.",
            kvk="87654321",
            phase="eigen_onderzoek",
            officer="j.jansen",
        ),
        make_case(
            sqlite_context,
            "Speelautomatenhal Centrum",
            "speelautomatenhal",
            applicant="Centrum Gaming V.O.F.",
            kvk="11223344",
            phase="vragenformulier",
        ),
    ]


@pytest.fixture
def shell_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bare shell: feature pages and panels are tested by their own helpers' tests (and all
    together by the screenshot test); leaving them out keeps these tests fast and focused."""
    monkeypatch.setattr(extensions, "CASE_PANELS", [])
    monkeypatch.setattr(extensions, "PAGES", [])


@pytest.fixture
def window(
    qtbot: Any,
    sqlite_context: AppContext,
    three_cases: list[CaseView],
    messages: Messages,
    shell_only: None,
) -> Iterator[MainWindow]:
    main = MainWindow(sqlite_context)
    qtbot.addWidget(main)
    main.show()
    yield main
    messages.answer = False  # closing at teardown: do not save what a test left unsaved
