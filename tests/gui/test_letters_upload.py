"""*Naar zaaksysteem* in the Brieven tab: the same upload as ``export --zgw``, against the
ZGW test server (tests/zgw_server.py)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import store_as_system
from bibob_desk.services.zgw import SECRET_ENV, ZgwExportService
from tests.gui.shell_fixtures import Messages
from tests.gui.test_letters_panel import choose_type, info, make_panel  # noqa: F401
from tests.services.letter_helpers import make_letter_case

pytest.importorskip("openapi_core", reason="openapi-core (test dependency) runs the ZGW server")
from tests.zgw_server import CLIENT_ID, SECRET, zgw_server

ZAAK = "https://zaken.drentsmond.example/zaken/api/v1/zaken/2c4e6a80-0000-4000-8000-000000000003"


def test_upload_button_sends_the_letter_and_links_the_zaak(
    qtbot: QtBot,
    sqlite_context: AppContext,
    messages: Messages,
    info: list[str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference = make_letter_case(sqlite_context)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    with zgw_server() as server:
        store_as_system(
            sqlite_context,
            {
                "zgw.documenten_api": server.documenten_api,
                "zgw.zaken_api": server.zaken_api,
                "zgw.client_id": CLIENT_ID,
            },
            "test",
        )
        panel = make_panel(qtbot, sqlite_context, reference)
        choose_type(panel, "vragenformulier")
        qtbot.mouseClick(panel.create_button, Qt.MouseButton.LeftButton)
        assert panel.upload_button.isEnabled()
        asked: list[str] = []
        panel.ask_zaak_url = lambda current: asked.append(current) or ZAAK
        qtbot.mouseClick(panel.upload_button, Qt.MouseButton.LeftButton)
        # The network runs on a pool thread: the button waits, the window does not.
        assert panel.uploading and not panel.upload_button.isEnabled()
        qtbot.waitUntil(lambda: not panel.uploading, timeout=30_000)
        assert panel.upload_button.isEnabled()
        assert messages.shown == [] and server.problems == []
        assert asked == [""]
        (document,) = server.documents.values()
        assert info and document["url"] in info[-1] and server.links[0]["url"] in info[-1]
        assert panel.current is not None and panel.current.is_final
        assert ZgwExportService(sqlite_context).zaak_url(reference) == ZAAK
        # Cancelling the question sends nothing.
        panel.ask_zaak_url = lambda current: None
        qtbot.mouseClick(panel.upload_button, Qt.MouseButton.LeftButton)
        assert len([s for s in server.seen if s.method == "POST"]) == 2
        # A refusal is shown as one Dutch message.
        panel.ask_zaak_url = lambda current: current
        server.fail("GET", "/enkelvoudiginformatieobjecten", "401")
        qtbot.mouseClick(panel.upload_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.uploading, timeout=30_000)
        assert messages.shown and "weigert de toegang" in messages.shown[-1]
