"""Where feature panels plug into the main window, so each feature keeps its own module.

A *case panel* is a tab in the case view. Its class takes ``(context, parent)``, has
``set_case(reference: str | None)`` and a ``case_changed = Signal(str)`` it emits after it changed
the case (the main window then reloads the case list and the other panels).

A *page* is a top-level view next to the case list (overview, tip register, policy admin). Its
class takes ``(context, parent)`` and may have ``open_case = Signal(str)`` to jump to a case, and
``refresh()`` which the main window calls when the page is shown again. A page is imported and
built when it is first shown (and then reads its data itself; no ``refresh()`` that time).

Entries are "module:Class" strings, imported only when the window is built.
"""

from __future__ import annotations

CASE_PANELS: list[tuple[str, str]] = [
    # (tab label, "module:Class")
    ("Procedure", "bibob_desk.gui.workflow_panel:WorkflowPanel"),
    ("Toepasbaarheid", "bibob_desk.gui.assessment_panel:AssessmentPanel"),
    ("Brieven", "bibob_desk.gui.letters_panel:LettersPanel"),
]

PAGES: list[tuple[str, str]] = [
    # (page label, "module:Class")
    # First: the team lead's landing page.
    ("Overzicht", "bibob_desk.gui.overview:OverviewPage"),
    ("Beleid", "bibob_desk.gui.policy_admin:PolicyAdminPage"),
    ("Tipregister", "bibob_desk.gui.tip_register:TipRegisterPage"),
    ("Vernietiging", "bibob_desk.gui.retention_page:RetentionPage"),
    ("Gebruikers", "bibob_desk.gui.users_page:UsersPage"),
    ("Instellingen", "bibob_desk.gui.settings_page:SettingsPage"),
]
