"""Fixtures for GUI tests (the shell's are in shell_fixtures.py)."""

import pytest
from PySide6.QtWidgets import QDialog

from tests.gui.shell_fixtures import (  # noqa: F401
    messages,
    shell_only,
    three_cases,
    window,
)


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """A form left with typed input is closed at teardown: answer "Weggooien" instead of
    blocking on the question (tests of the question itself replace this again)."""
    from bibob_desk.gui import form_guard

    monkeypatch.setattr(form_guard, "confirm_discard", lambda parent: True)


@pytest.fixture(autouse=True)
def approval_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[QDialog]:
    """Approving shows the letter in a modal dialog: tests see it here and accept it (a test
    may replace the answer by patching ``approval_dialog.run_dialog`` itself)."""
    from bibob_desk.gui import approval_dialog

    shown: list[QDialog] = []

    def accept(dialog: QDialog) -> bool:
        shown.append(dialog)
        return True

    monkeypatch.setattr(approval_dialog, "run_dialog", accept)
    return shown
