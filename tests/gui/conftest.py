"""Fixtures for GUI tests (the shell's are in shell_fixtures.py)."""

from tests.gui.shell_fixtures import messages, three_cases, window  # noqa: F401
