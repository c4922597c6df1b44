"""``bibob-desk export --zgw``: the letter straight into the zaaksysteem's Documenten API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import store_as_system
from bibob_desk.services.zgw import SECRET_ENV
from tests.commands.test_letter import run
from tests.services.letter_helpers import make_letter_case

pytest.importorskip("openapi_core", reason="openapi-core (test dependency) runs the ZGW server")
from tests.zgw_server import CLIENT_ID, SECRET, ZgwTestServer, zgw_server

ZAAK = "https://zaken.drentsmond.example/zaken/api/v1/zaken/0b3f1d2e-0000-4000-8000-00000000000a"


@pytest.fixture
def server() -> Iterator[ZgwTestServer]:
    with zgw_server() as running:
        yield running


def _configure(context: AppContext, server: ZgwTestServer) -> None:
    store_as_system(
        context,
        {
            "zgw.documenten_api": server.documenten_api,
            "zgw.zaken_api": server.zaken_api,
            "zgw.client_id": CLIENT_ID,
        },
        "test",
    )


def test_export_zgw_uploads_links_and_prints_json(
    sqlite_context: AppContext,
    server: ZgwTestServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = make_letter_case(sqlite_context)
    _configure(sqlite_context, server)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    args = ["export", "--case", reference, "--type", "opschorting", "--zgw", "--zaak", ZAAK]
    assert run(sqlite_context, *args, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["url"].startswith(server.documenten_api) and data["nieuw"] is True
    assert data["zaakinformatieobject"] == server.links[0]["url"]
    assert server.problems == []
    # Again: the same document, nothing new.
    assert run(sqlite_context, *args) == 0
    assert capsys.readouterr().out.split()[0] == data["url"]
    assert len(server.documents) == 1 and len(server.links) == 1


def test_export_zgw_failures_exit_1_with_one_dutch_line(
    sqlite_context: AppContext,
    server: ZgwTestServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = make_letter_case(sqlite_context)
    _configure(sqlite_context, server)
    monkeypatch.setenv(SECRET_ENV, "een-verkeerd-geheim-dat-lang-genoeg-is-voor-hs256")
    args = ["export", "--case", reference, "--type", "opschorting", "--zgw"]
    assert run(sqlite_context, *args) == 1
    err = capsys.readouterr().err
    assert "weigert de toegang" in err and err.count("\n") == 1
    assert "een-verkeerd-geheim-dat-lang-genoeg-is-voor-hs256" not in err
    monkeypatch.delenv(SECRET_ENV)
    monkeypatch.setattr("bibob_desk.services.zgw.zgw_secret", lambda _client: "")
    assert run(sqlite_context, *args) == 2
    assert "BIBOB_DESK_ZGW_SECRET" in capsys.readouterr().err
    assert run(sqlite_context, *args, "--to", "/tmp/x") == 2
    assert (
        run(sqlite_context, "export", "--case", reference, "--type", "opschorting", "--zaak", ZAAK)
        == 2
    )
    assert server.documents == {}
