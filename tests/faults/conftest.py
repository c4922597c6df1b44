"""The GUI shell fixtures (message recorder, bare shell) for the GUI fault tests."""

from tests.gui.shell_fixtures import messages, shell_only  # noqa: F401
