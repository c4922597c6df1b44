"""Direct upload of a letter to the organisation's zaaksysteem (ZGW APIs), the second export target.

``bibob-desk export --case REF --type TYPE --zgw`` and *Naar zaaksysteem* in the Brieven tab:
1. the letter is picked (and made final) as for the folder export;
2. ``POST /enkelvoudiginformatieobjecten`` in the Documenten API (setting ``zgw.documenten_api``)
   with the sidecar's ZGW fields and the PDF as base64 ``inhoud``;
3. when the case has a zaak URL (``Case.zaak_url``): ``POST /zaakinformatieobjecten`` in the
   Zaken API (setting ``zgw.zaken_api``);
4. only after the API confirmed (201 with a ``url``): a ``document_exports`` row (target
   ``zgw``, path = the URL), a timeline entry and an audit record with the URL.

Authentication: JWT (HS256) with the client id (setting ``zgw.client_id``) and a secret from
the environment variable ``BIBOB_DESK_ZGW_SECRET`` or the OS keyring (service
``bibob-desk-zgw``, user = the client id); never from the database, never logged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bibob_desk.documents.zgw import informatieobject, informatieobjecttype_for
from bibob_desk.documents.zgw_client import ZgwClient, ZgwCredentials, ZgwError
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import LetterType
from bibob_desk.domain.settings_schema import SPECS, validate
from bibob_desk.domain.values import CaseReference
from bibob_desk.services import audit
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import STATUS_FINAL, LetterService, _require_organisation
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.models import DocumentExport

SECRET_ENV = "BIBOB_DESK_ZGW_SECRET"
KEYRING_SERVICE = "bibob-desk-zgw"
TARGET = "zgw"
ZAAK_LINKED = "zaak_koppelen"
ZAAK_URL_SET = "zaak_url_wijzigen"


@dataclass(frozen=True)
class ZgwUploadResult:
    document_id: int
    reference: str
    url: str  # the ENKELVOUDIGINFORMATIEOBJECT in the Documenten API
    created: bool  # False: it was already there (an earlier upload of this letter)
    zaakinformatieobject: str | None  # the link to the zaak, when the case has one
    sha256: str
    size_bytes: int


def zgw_secret(client_id: str) -> str:
    """The client's secret: environment first, then the OS keyring; "" when neither has it."""
    secret = os.environ.get(SECRET_ENV, "")
    if secret:
        return secret
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, client_id) or ""
        except KeyringError:
            return ""
    except ImportError:  # pragma: no cover - keyring is a dependency
        return ""


ClientFactory = Callable[[ZgwCredentials, str, str], ZgwClient]


def _default_client(credentials: ZgwCredentials, user: str, name: str) -> ZgwClient:
    return ZgwClient(credentials, user_id=user, user_representation=name)


class ZgwExportService:
    def __init__(self, context: AppContext, client_factory: ClientFactory | None = None) -> None:
        self.context = context
        self.letters = LetterService(context)
        self.client_factory = client_factory or _default_client

    # --- the case's zaak -----------------------------------------------------------------------

    def zaak_url(self, reference: str) -> str:
        with self.context.db.session() as session:
            return self.letters._load_case(session, reference).zaak_url or ""

    def set_zaak_url(self, reference: str, url: str) -> str:
        """Record the URL of the case's ZAAK in the Zaken API ("" removes it); audited."""
        spec = SPECS["zgw.zaken_api"]
        try:
            checked = validate(spec, url.strip()) if url.strip() else ""
        except ValidationError as exc:
            raise ValidationError(
                f"'{url}' is geen geldige zaak-URL (http:// of https://, hoogstens 200 tekens).",
                "zaak_url",
            ) from exc
        with self.context.db.session() as session:
            case = self.letters._load_case(session, reference)
            old = case.zaak_url or ""
            if old == checked:
                return checked
            case.zaak_url = checked
            audit.record_case_event(
                session,
                case,
                self.context.user,
                ZAAK_URL_SET,
                f"Zaak in het zaaksysteem vastgelegd: {checked or '(geen)'}.",
                {"oud": old, "nieuw": checked},
            )
        return checked

    # --- upload ------------------------------------------------------------------------------

    def upload_letter(
        self,
        reference: str,
        letter_type: str,
        *,
        party: str | None = None,
        zaak_url: str | None = None,
    ) -> ZgwUploadResult:
        reference = str(CaseReference.parse(reference))
        settings = SettingsService(self.context).all()
        self._require_config(settings, linking=bool(zaak_url))
        if zaak_url is not None:
            self.set_zaak_url(reference, zaak_url)
        document_id = self.letters.document_for_export(reference, letter_type, party=party)
        return self.upload_document(document_id)

    def upload_document(self, document_id: int) -> ZgwUploadResult:
        settings = SettingsService(self.context).all()
        _require_organisation(settings, "De brief kan niet worden geëxporteerd")
        client_id, secret, documenten_api = self._require_config(settings, linking=False)
        what = "De brief kan niet worden geëxporteerd"
        # 1. Final (rendered once, stored) before anything leaves the building.
        with self.context.db.session() as session:
            doc, case = self.letters._load_document(session, document_id)
            informatieobjecttype_for(settings, LetterType(doc.doc_type), what)
            if case.zaak_url:
                self._require_config(settings, linking=True)
            if doc.status != STATUS_FINAL:
                self.letters._finalise(session, case, doc)
            assert doc.content is not None and doc.sha256 is not None
            pdf = bytes(doc.content)
            file_name = doc.filename or f"{case.reference}_{doc.doc_type}.pdf"
            author_name = self.letters._full_name(session, doc.author)
            info = self.letters.letter_info(case, doc, file_name, settings, author_name)
            reference, zaak_url, sha = case.reference, case.zaak_url, doc.sha256
            titel = doc.title
            user_name = self.letters._full_name(session, self.context.user)
        # 2. The network, outside any database transaction.
        client = self.client_factory(
            ZgwCredentials(client_id, secret), self.context.user, user_name
        )
        url, created = client.create_document(documenten_api, informatieobject(info), pdf)
        # 3. Confirmed by the API: now it counts as exported.
        self._record(document_id, url, created, sha)
        link: str | None = None
        if zaak_url:
            zaken_api = str(settings.get("zgw", {}).get("zaken_api", "")).rstrip("/")
            try:
                link, _ = client.link_to_zaak(zaken_api, zaak_url, url, titel, info.beschrijving)
            except ZgwError as exc:
                raise ZgwError(
                    f"Het document staat in het zaaksysteem ({url}), maar het koppelen aan de "
                    f"zaak is niet gelukt: {exc} Probeer de export opnieuw: het document wordt "
                    "dan niet nog eens aangemaakt.",
                    exc.status,
                ) from exc
            self._record_link(document_id, url, zaak_url, link)
        return ZgwUploadResult(
            document_id=document_id,
            reference=reference,
            url=url,
            created=created,
            zaakinformatieobject=link,
            sha256=sha,
            size_bytes=len(pdf),
        )

    # --- internals ---------------------------------------------------------------------------

    def _require_config(
        self, settings: Mapping[str, Any], *, linking: bool
    ) -> tuple[str, str, str]:
        zgw = settings.get("zgw", {})
        what = "Rechtstreeks uploaden naar het zaaksysteem kan niet"
        missing = [
            key
            for key in ("documenten_api", "client_id") + (("zaken_api",) if linking else ())
            if not str(zgw.get(key, "")).strip()
        ]
        if missing:
            names = ", ".join(f"zgw.{key}" for key in missing)
            raise ValidationError(
                f"{what}: ontbreekt: {names}. Een beheerder vult dit in onder Instellingen of met "
                "'bibob-desk settings set'.",
                f"zgw.{missing[0]}",
            )
        client_id = str(zgw["client_id"]).strip()
        secret = zgw_secret(client_id)
        if not secret:
            raise ValidationError(
                f"{what}: het geheim van client '{client_id}' ontbreekt. Zet het in de "
                f"sleutelhanger van het systeem (dienst {KEYRING_SERVICE}, gebruiker "
                f"{client_id}) of in de omgevingsvariabele {SECRET_ENV}.",
                "zgw.client_id",
            )
        return client_id, secret, str(zgw["documenten_api"]).rstrip("/")

    def _record(self, document_id: int, url: str, created: bool, sha: str) -> None:
        with self.context.db.session() as session:
            doc, case = self.letters._load_document(session, document_id)
            known = session.execute(
                select(DocumentExport.id).where(
                    DocumentExport.document_id == doc.id,
                    DocumentExport.target == TARGET,
                    DocumentExport.path == url,
                )
            ).first()
            if known is not None:
                return  # recorded by the earlier upload that created it
            session.add(
                DocumentExport(
                    document_id=doc.id, user=self.context.user, path=url, sha256=sha, target=TARGET
                )
            )
            audit.record_case_event(
                session,
                case,
                self.context.user,
                audit.EXPORT,
                f"Brief naar het zaaksysteem gestuurd: {url}.",
                {
                    "document": doc.id,
                    "type": doc.doc_type,
                    "doel": TARGET,
                    "url": url,
                    "nieuw": created,
                    "sha256": sha,
                },
                timeline_kind="document",
            )

    def _record_link(self, document_id: int, url: str, zaak: str, link: str) -> None:
        with self.context.db.session() as session:
            doc, case = self.letters._load_document(session, document_id)
            audit.record_case_event(
                session,
                case,
                self.context.user,
                ZAAK_LINKED,
                f"Brief gekoppeld aan de zaak in het zaaksysteem: {link}.",
                {"document": doc.id, "informatieobject": url, "zaak": zaak, "url": link},
                timeline_kind="document",
            )
