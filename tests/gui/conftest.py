"""Fixtures for GUI tests (the shell's are in shell_fixtures.py)."""

from tests.gui.shell_fixtures import (  # noqa: F401
    messages,
    shell_only,
    three_cases,
    window,
)
