"""Export in the standards the document system speaks: ZGW sidecar, MDTO, direct upload (issue 15).

The sidecars and upload requests are validated against the official ZGW OpenAPI files, the MDTO
records against the official XSD (``../shared/reference/``); the upload goes to a real HTTP
server on 127.0.0.1 that validates every request with openapi-core (tests/zgw_server.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bibob_desk.documents.zgw_client import ZgwClient, ZgwCredentials, ZgwError
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import LetterType
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from bibob_desk.services.settings import store_as_system
from bibob_desk.services.zgw import SECRET_ENV, ZgwExportService
from bibob_desk.storage.models import AuditEntry, Case, DocumentExport, TimelineEntry
from tests.conftest import make_user
from tests.reference_standards import DOCUMENTEN_API, mdto_errors, schema_errors
from tests.services.letter_helpers import make_letter_case

pytest.importorskip("openapi_core", reason="openapi-core (test dependency) runs the ZGW server")
from tests.zgw_server import CLIENT_ID, SECRET, ZgwTestServer, zgw_server

CREATE_SCHEMA = "EnkelvoudigInformatieObjectCreateLockRequest"
ZAAK = "https://zaken.drentsmond.example/zaken/api/v1/zaken/6f1d2b4e-0000-4000-8000-000000000001"


def _as(context: AppContext, user: str) -> AppContext:
    return AppContext(db=context.db, user=user)


def _approved_case(context: AppContext) -> str:
    """A case where every letter type fits, with approved besluit and intern advies."""
    make_user(context.db, "author", "medewerker", "B. Opsteller")
    reference = make_letter_case(context, officer="author")
    for kind in ("besluit", "intern_advies"):
        draft = LetterService(_as(context, "author")).create_draft(reference, kind)
        lead = LetterService(context)
        lead.approve(draft.id, lead.approval_preview(draft.id).fingerprint)
    return reference


# --- sidecar and MDTO against the official schemas ------------------------------------------


def test_every_letter_types_sidecar_and_mdto_validate(context: AppContext, tmp_path: Path) -> None:
    reference = _approved_case(context)
    service = LetterService(context)
    for kind in LetterType:
        result = service.export_letter(reference, kind.value, tmp_path, mdto=True)
        sidecar = json.loads(result.sidecar_path.read_text(encoding="utf-8"))
        assert schema_errors(DOCUMENTEN_API, CREATE_SCHEMA, sidecar) == [], kind
        assert sidecar["bronorganisatie"] == "999990019"
        assert sidecar["informatieobjecttype"].endswith(f"/informatieobjecttypen/{kind.value}")
        assert sidecar["taal"] == "dut" and sidecar["status"] == "definitief"
        # The author's name, not the login.
        approved = kind.value in ("besluit", "intern_advies")
        assert sidecar["auteur"] == ("B. Opsteller" if approved else "Test Gebruiker")
        # Bibob's own fields under one key; no non-ZGW key beside the ZGW fields.
        assert "zaak" not in sidecar and "informatieobjecttype_omschrijving" not in sidecar
        assert sidecar["bibob"]["zaak"]["identificatie"] == reference
        assert sidecar["bibob"]["brieftype"] == kind.value
        # With the PDF inline it is a complete POST body.
        body = {k: v for k, v in sidecar.items() if k != "bibob"}
        body["inhoud"] = base64.b64encode(result.pdf_path.read_bytes()).decode()
        assert schema_errors(DOCUMENTEN_API, CREATE_SCHEMA, body) == []
        assert len(result.extra_paths) == 2
        for path in result.extra_paths:
            assert mdto_errors(path.read_bytes()) == [], path.name


def test_schema_check_is_real(context: AppContext, tmp_path: Path) -> None:
    """The validation catches what issue 15 found: no informatieobjecttype, empty RSIN."""
    reference = make_letter_case(context)
    result = LetterService(context).export_letter(reference, "opschorting", tmp_path)
    sidecar = json.loads(result.sidecar_path.read_text(encoding="utf-8"))
    broken = dict(sidecar, bronorganisatie="")
    del broken["informatieobjecttype"]
    errors = " ".join(schema_errors(DOCUMENTEN_API, CREATE_SCHEMA, broken))
    assert "informatieobjecttype" in errors and "bronorganisatie" in errors


def test_export_is_refused_without_the_informatieobjecttype(
    context: AppContext, tmp_path: Path
) -> None:
    reference = make_letter_case(context)
    store_as_system(context, {"zgw.informatieobjecttypen": {}}, "test")
    with pytest.raises(ValidationError, match=r"zgw\.informatieobjecttypen\.opschorting"):
        LetterService(context).export_letter(reference, "opschorting", tmp_path / "dms")
    assert not (tmp_path / "dms").exists() or list((tmp_path / "dms").iterdir()) == []


def test_setting_refuses_a_catalogue_value_that_is_no_url(context: AppContext) -> None:
    from bibob_desk.services.settings import SettingsService

    (problem,) = SettingsService(context).check({"zgw.informatieobjecttypen.besluit": "besluit"})
    assert "geen URL" in str(problem) and "zgw.informatieobjecttypen.besluit" in str(problem)
    ok = "https://zaken.example/catalogi/api/v1/informatieobjecttypen/1"
    assert SettingsService(context).check({"zgw.informatieobjecttypen.besluit": ok}) == []


# --- direct upload -----------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[ZgwTestServer]:
    with zgw_server(timeout_delay=1.0) as running:
        yield running


def _configure(context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch) -> None:
    store_as_system(
        context,
        {
            "zgw.documenten_api": server.documenten_api,
            "zgw.zaken_api": server.zaken_api,
            "zgw.client_id": CLIENT_ID,
        },
        "test",
    )
    monkeypatch.setenv(SECRET_ENV, SECRET)


def _service(context: AppContext, parts_above: int = 5_000_000) -> ZgwExportService:
    def client(credentials: ZgwCredentials, user: str, name: str) -> ZgwClient:
        return ZgwClient(
            credentials,
            user_id=user,
            user_representation=name,
            timeout=0.4,
            pause=lambda _s: None,
            parts_above=parts_above,
        )

    return ZgwExportService(context, client_factory=client)


def _uploads(context: AppContext) -> list[DocumentExport]:
    with context.db.session() as session:
        rows = session.execute(select(DocumentExport).where(DocumentExport.target == "zgw"))
        return list(rows.scalars())


def test_upload_creates_the_document_and_links_it_to_the_zaak(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    result = _service(context).upload_letter(reference, "opschorting", zaak_url=ZAAK)
    assert server.problems == []
    assert result.created and result.url.startswith(server.documenten_api)
    (stored,) = server.documents.values()
    assert stored["url"] == result.url and stored["bronorganisatie"] == "999990019"
    assert stored["sha256_received"] == result.sha256  # the PDF arrived intact
    (post,) = server.posts("/enkelvoudiginformatieobjecten")
    assert post.claims is not None and post.claims["client_id"] == CLIENT_ID
    assert post.claims["iss"] == CLIENT_ID and post.claims["user_id"] == "tester"
    assert "bibob" not in post.body
    (link,) = server.links
    assert link["zaak"] == ZAAK and link["informatieobject"] == result.url
    assert result.zaakinformatieobject == link["url"]
    (row,) = _uploads(context)
    assert row.path == result.url and row.sha256 == result.sha256
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        assert case.zaak_url == ZAAK
        texts = [t for (t,) in session.execute(select(TimelineEntry.text))]
        details = [
            d
            for (a, d) in session.execute(select(AuditEntry.action, AuditEntry.detail))
            if a == "exporteren"
        ]
    assert any(result.url in t for t in texts)
    assert any(result.url in json.dumps(d) for d in details)


def test_upload_without_a_zaak_only_creates_the_document(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    result = _service(context).upload_letter(reference, "vragenformulier")
    assert result.zaakinformatieobject is None and server.links == []
    assert len(server.documents) == 1 and server.problems == []


def test_a_second_upload_of_the_same_letter_creates_no_second_document(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    first = _service(context).upload_letter(reference, "opschorting")
    again = _service(context).upload_letter(reference, "opschorting")
    assert again.url == first.url and not again.created
    assert len(server.documents) == 1 and len(server.posts("/enkelvoudiginformatieobjecten")) == 1
    assert len(_uploads(context)) == 1


def test_timeout_after_the_server_created_it_is_retried_without_a_double(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    server.fail("POST", "/enkelvoudiginformatieobjecten", "timeout")
    result = _service(context).upload_letter(reference, "opschorting")
    assert len(server.documents) == 1  # created once, found by the retry
    assert result.created  # by the first POST, whose answer was lost
    assert result.url == next(iter(server.documents.values()))["url"]
    assert len(_uploads(context)) == 1 and server.problems == []


def test_dropped_connection_and_500_are_retried(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    server.fail("POST", "/enkelvoudiginformatieobjecten", "drop")
    server.fail("POST", "/enkelvoudiginformatieobjecten", "500")
    result = _service(context).upload_letter(reference, "opschorting")
    assert len(server.documents) == 1 and result.created
    assert len(_uploads(context)) == 1


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("400", "informatieobjecttype: Ongeldig"),
        ("401", "weigert de toegang"),
        ("500", "niet gelukt na 3 pogingen"),
        ("timeout", "niet gelukt na 3 pogingen"),
    ],
)
def test_failures_mark_nothing_as_exported(
    context: AppContext,
    server: ZgwTestServer,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    message: str,
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    repeat = 3 if mode in ("500", "timeout") else 1
    if mode == "timeout":
        # The answer never comes and nothing is created: lookups time out as well.
        for _ in range(repeat):
            server.fail("GET", "/enkelvoudiginformatieobjecten", "timeout")
    else:
        for _ in range(repeat):
            server.fail("POST", "/enkelvoudiginformatieobjecten", mode)
    with pytest.raises(ZgwError, match=message) as caught:
        _service(context).upload_letter(reference, "opschorting")
    assert "niets als geëxporteerd" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert _uploads(context) == []
    assert server.documents == {}
    assert server.problems == []


def test_a_failed_link_keeps_the_document_and_a_retry_only_links(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    server.fail("POST", "/zaakinformatieobjecten", "400")
    with pytest.raises(ZgwError, match="koppelen aan de zaak"):
        _service(context).upload_letter(reference, "opschorting", zaak_url=ZAAK)
    assert len(server.documents) == 1 and server.links == []
    assert len(_uploads(context)) == 1  # the document itself was confirmed
    _service(context).upload_letter(reference, "opschorting")
    assert len(server.documents) == 1 and len(server.links) == 1
    assert len(_uploads(context)) == 1 and server.problems == []


def test_upload_needs_settings_and_a_secret_outside_the_database(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    with pytest.raises(ValidationError, match=r"zgw\.documenten_api"):
        _service(context).upload_letter(reference, "opschorting")
    _configure(context, server, monkeypatch)
    monkeypatch.delenv(SECRET_ENV)
    import keyring
    from keyring.backend import KeyringBackend

    class Empty(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise NotImplementedError

        def delete_password(self, service: str, username: str) -> None:
            raise NotImplementedError

    class Filled(Empty):
        def get_password(self, service: str, username: str) -> str | None:
            return SECRET if (service, username) == ("bibob-desk-zgw", CLIENT_ID) else None

    previous = keyring.get_keyring()
    try:
        keyring.set_keyring(Empty())
        with pytest.raises(ValidationError, match="geheim"):
            _service(context).upload_letter(reference, "opschorting")
        assert server.seen == []
        keyring.set_keyring(Filled())
        result = _service(context).upload_letter(reference, "opschorting")
        assert result.created
    finally:
        keyring.set_keyring(previous)


def test_sha_of_the_upload_matches_the_final_letter(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    result = _service(context).upload_letter(reference, "opschorting")
    pdf, _view = LetterService(context).render_letter(reference, "opschorting")
    assert hashlib.sha256(pdf).hexdigest() == result.sha256


def test_a_large_file_goes_in_bestandsdelen_and_is_unlocked(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    server.fail("PUT", "/bestandsdelen/", "500")  # one part fails once: retried
    result = _service(context, parts_above=10_000).upload_letter(reference, "opschorting")
    assert server.problems == []
    (document,) = server.documents.values()
    assert len(document["bestandsdelen"]) >= 2 and not document["locked"]
    assert document["sha256_received"] == result.sha256
    (post,) = server.posts("/enkelvoudiginformatieobjecten")
    assert "inhoud" not in post.body and post.body["bestandsomvang"] == result.size_bytes
    assert len(_uploads(context)) == 1


def test_an_interrupted_upload_in_parts_is_finished_by_the_next_attempt(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    for _ in range(3):
        server.fail("PUT", "/bestandsdelen/", "500")
    with pytest.raises(ZgwError, match="bestandsdeel"):
        _service(context, parts_above=10_000).upload_letter(reference, "opschorting")
    (document,) = server.documents.values()
    assert document["locked"] and _uploads(context) == []  # not marked exported
    result = _service(context, parts_above=10_000).upload_letter(reference, "opschorting")
    assert len(server.documents) == 1 and not document["locked"]
    assert document["sha256_received"] == result.sha256
    assert len(_uploads(context)) == 1 and server.problems == []


def test_a_lookup_that_failed_once_does_not_claim_a_creation(
    context: AppContext, server: ZgwTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_letter_case(context)
    _configure(context, server, monkeypatch)
    first = _service(context).upload_letter(reference, "opschorting")
    server.fail("GET", "/enkelvoudiginformatieobjecten", "500")
    again = _service(context).upload_letter(reference, "opschorting")
    assert again.url == first.url and not again.created and len(server.documents) == 1
