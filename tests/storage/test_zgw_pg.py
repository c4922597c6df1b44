"""PostgreSQL: the upload to the zaaksysteem works for an officer connected as their own role,
and what it records (the case's zaak URL, the export row with the document's URL) stays behind
row-level security for another officer's role."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import store_as_system
from bibob_desk.services.zgw import SECRET_ENV, ZgwExportService
from bibob_desk.storage.database import Database
from tests.conftest import TESTER_ROLES, make_user
from tests.services.letter_helpers import make_letter_case
from tests.storage.test_pg_security import Roles, roles, team  # noqa: F401

pytest.importorskip("openapi_core", reason="openapi-core (test dependency) runs the ZGW server")
from tests.zgw_server import CLIENT_ID, SECRET, zgw_server

ZAAK = "https://zaken.drentsmond.example/zaken/api/v1/zaken/7a9c1e00-0000-4000-8000-000000000004"


def test_officer_uploads_under_rls_and_another_officer_sees_nothing(
    db: Database,
    roles: Roles,  # noqa: F811
    team: dict[str, str],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user(db, "tester", TESTER_ROLES)  # the helper's case starts with this behandelaar
    lead = AppContext(db, team["lead"])
    reference = make_letter_case(lead, officer=team["a"])
    monkeypatch.setenv(SECRET_ENV, SECRET)
    with zgw_server() as server:
        store_as_system(
            lead,
            {
                "zgw.documenten_api": server.documenten_api,
                "zgw.zaken_api": server.zaken_api,
                "zgw.client_id": CLIENT_ID,
            },
            "test",
        )
        officer = AppContext(roles.open(team["a"]), team["a"])
        result = ZgwExportService(officer).upload_letter(reference, "opschorting", zaak_url=ZAAK)
        assert server.problems == [] and result.zaakinformatieobject
    with roles.engine(team["a"]).connect() as conn:
        mine = conn.execute(text("SELECT path FROM document_exports WHERE target = 'zgw'")).all()
        zaak = conn.execute(
            text("SELECT zaak_url FROM cases WHERE reference = :r"), {"r": reference}
        ).all()
    assert mine == [(result.url,)] and zaak == [(ZAAK,)]
    with roles.engine(team["b"]).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM document_exports")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar_one() == 0
