"""Fixtures for GUI tests (the shell's are in shell_fixtures.py)."""

import pytest

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
