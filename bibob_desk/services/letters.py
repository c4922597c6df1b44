"""Letters of a case: draft, edit, preview, approve (four-eyes), make final and export.

A letter is a row in ``documents``. While it is a concept (``status = "concept"``) the officer may
edit its body; the letterhead, addressee, reference block, mandatory texts and signature are
rendered from the case and the settings each time. Making it final renders it once more as PDF/A-2b
and stores the bytes with their SHA-256 on the row; from then on it is read-only and every preview,
``letter --out`` and export uses exactly those bytes.

Four-eyes (issue 6): a besluit and an intern advies need a team lead's approval, by someone other
than the author, before they are made final or exported. Editing an approved concept withdraws the
approval, because the approved text changed.

Demo data and imports may insert an approved concept (``status="concept"``, ``approved_by`` and
``approved_at`` set, ``approved_by`` != ``author``, ``body_text`` empty or filled): ``export`` then
finalises and exports that document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bibob_desk.documents.export import (
    ExportedFiles,
    base_name,
    export_files,
    prepare_folder,
)
from bibob_desk.documents.letters import (
    LetterComposer,
    LetterContent,
    addressee_block,
    compose_letter,
    signature_block,
)
from bibob_desk.documents.logo import letter_logo
from bibob_desk.documents.mdto import MdtoRecord, bestand_xml, informatieobject_xml
from bibob_desk.documents.pdfa import make_pdfa
from bibob_desk.documents.templates import LetterTemplate, fill, load_template
from bibob_desk.documents.zgw import BIBOB_KEY, LetterInfo, informatieobjecttype_for
from bibob_desk.documents.zgw import sidecar as zgw_sidecar
from bibob_desk.domain.areas import area_label
from bibob_desk.domain.deadlines import compute_deadline
from bibob_desk.domain.decisions import voorschriften_from_json
from bibob_desk.domain.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.letters import (
    CONFIDENTIALITY_LEVELS,
    DEFAULT_CONFIDENTIALITY,
    LETTER_LABELS,
    LETTERS_NEEDING_APPROVAL,
    LetterFacts,
    LetterType,
    check_letter_fits,
    conclusion_kind,
    conclusion_label,
    decision_kind,
    decision_label,
    letter_availability,
    letter_date,
    parse_confidentiality,
    parse_letter_type,
)
from bibob_desk.domain.money import format_money, money_to_json
from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.domain.roles import Role
from bibob_desk.domain.settings_schema import missing_for_letters, missing_message
from bibob_desk.domain.values import CaseReference, Rsin, format_date_nl
from bibob_desk.services import audit
from bibob_desk.services.access import (
    case_not_available,
    may_see_case,
    not_available,
    require_case_access,
    require_role,
    viewer_in_session,
)
from bibob_desk.services.audit_anchor import METADATA_KEY, current_anchor
from bibob_desk.services.audit_anchor import to_json as anchor_to_json
from bibob_desk.services.cases import format_address
from bibob_desk.services.context import AppContext
from bibob_desk.services.decisions import active_decision
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.models import (
    Case,
    CaseParty,
    Document,
    DocumentExport,
    Suspension,
    User,
    utcnow,
)

STATUS_CONCEPT = "concept"
STATUS_FINAL = "definitief"

# Audit actions of this module (export and approval use the shared codes in services.audit).
DRAFT_CREATED = "brief_maken"
DRAFT_EDITED = "brief_wijzigen"
FINALISED = "definitief_maken"
LETTER_PRINTED = "brief_afdrukken"

_GROUND_TEXTS = {
    "a": "de a-grond (artikel 3, eerste lid, onder a, Wet Bibob: het gevaar dat de beschikking "
    "mede zal worden gebruikt om uit strafbare feiten verkregen voordelen te benutten)",
    "b": "de b-grond (artikel 3, eerste lid, onder b, Wet Bibob: het gevaar dat de beschikking "
    "mede zal worden gebruikt om strafbare feiten te plegen)",
    "c": "de c-grond (artikel 3, zesde lid, Wet Bibob: een strafbaar feit dat is gepleegd om de "
    "beschikking te verkrijgen)",
}


@dataclass(frozen=True)
class LetterOption:
    letter_type: LetterType
    label: str
    reason: str | None  # why it does not fit, None when it does

    @property
    def available(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class LetterDocumentView:
    id: int
    case_reference: str
    doc_type: str
    title: str
    status: str
    confidentiality: str
    author: str
    created_at: datetime
    finalised_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    body_text: str
    sha256: str | None
    size_bytes: int | None
    filename: str
    version: int
    addressee_party_id: int | None = None
    editors: tuple[str, ...] = ()
    # False when what the approver saw has changed since (text, addressee, decision, ...).
    approval_current: bool = True

    @property
    def type_label(self) -> str:
        try:
            return LETTER_LABELS[LetterType(self.doc_type)]
        except ValueError:
            return self.doc_type

    @property
    def is_final(self) -> bool:
        return self.status == STATUS_FINAL

    @property
    def needs_approval(self) -> bool:
        return self.doc_type in {t.value for t in LETTERS_NEEDING_APPROVAL}

    @property
    def is_approved(self) -> bool:
        return self.approved_by is not None and self.approval_current

    @property
    def status_label(self) -> str:
        if self.is_final:
            return "Definitief"
        if self.needs_approval:
            if self.approved_by is not None and not self.approval_current:
                return "Concept, goedkeuring vervallen (gewijzigd na goedkeuring)"
            return "Concept, goedgekeurd" if self.is_approved else "Concept, wacht op goedkeuring"
        return "Concept"


@dataclass(frozen=True)
class ExportResult:
    document: LetterDocumentView
    pdf_path: Path
    sidecar_path: Path
    extra_paths: tuple[Path, ...]
    sha256: str
    size_bytes: int


def _view(doc: Document, reference: str, *, approval_current: bool = True) -> LetterDocumentView:
    return LetterDocumentView(
        id=doc.id,
        case_reference=reference,
        doc_type=doc.doc_type,
        title=doc.title,
        status=doc.status,
        confidentiality=doc.confidentiality,
        author=doc.author,
        created_at=doc.created_at,
        finalised_at=doc.finalised_at,
        approved_by=doc.approved_by,
        approved_at=doc.approved_at,
        body_text=doc.body_text,
        sha256=doc.sha256,
        size_bytes=doc.size_bytes,
        filename=doc.filename,
        version=doc.version,
        addressee_party_id=doc.addressee_party_id,
        editors=_editors(doc),
        approval_current=approval_current,
    )


def _editors(doc: Document) -> tuple[str, ...]:
    return tuple(name for name in (doc.editors or "").split(",") if name)


@dataclass(frozen=True)
class AddresseeView:
    """Who a letter goes to, shown before it is made final."""

    party_id: int | None
    name: str
    lines: tuple[str, ...]
    missing: tuple[str, ...]  # parts of the postal address that are empty

    @property
    def complete(self) -> bool:
        return self.party_id is not None and not self.missing

    def text(self) -> str:
        return "\n".join(self.lines) if self.lines else "(geen geadresseerde)"


@dataclass(frozen=True)
class ApprovalPreview:
    """What a team lead sees before approving: the PDF, the addressee and the fingerprint."""

    document: LetterDocumentView
    pdf: bytes
    addressee: AddresseeView | None
    fingerprint: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def grounds_text(grounds: str) -> str:
    codes = [g.strip().lower() for g in grounds.replace(";", ",").split(",") if g.strip()]
    parts = [_GROUND_TEXTS.get(code, f"de {code}-grond") for code in codes]
    if not parts:
        return "de gronden die in het dossier zijn vastgelegd"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " en " + parts[-1]


def decision_sentence(
    decision: str | None, conclusion: str | None, area_text: str, *, addressed: bool = True
) -> str:
    """What the organisation decides (or, before a decision, intends), as an infinitive clause.

    ``addressed``: written to the applicant ("uw aanvraag"), else about it ("de aanvraag").
    """
    your = "uw" if addressed else "de"
    kind = decision_kind(decision)
    if kind is None:
        danger = conclusion_kind(conclusion)
        if danger == "ernstig_gevaar":
            kind = "weigeren"
        elif danger == "mindere_mate":
            kind = "verlenen_met_voorschriften"
        elif danger == "geen_gevaar":
            kind = "verlenen"
    return {
        "verlenen": f"de aangevraagde {area_text} te verlenen",
        "verlenen_met_voorschriften": f"de aangevraagde {area_text} te verlenen en daaraan "
        "voorschriften te verbinden die het vastgestelde gevaar wegnemen of beperken "
        "(artikel 3, zevende lid, Wet Bibob)",
        "weigeren": f"{your} aanvraag voor een {area_text} te weigeren (artikel 3, eerste lid, "
        "Wet Bibob)",
        "intrekken": f"de {area_text} in te trekken (artikel 3, eerste lid, Wet Bibob)",
    }.get(kind or "", f"een besluit te nemen op {your} aanvraag")


class LetterService:
    """Use cases around letters; every method opens its own transaction."""

    def __init__(self, context: AppContext, composer: LetterComposer | None = None) -> None:
        self.context = context
        self.composer = composer

    # --- reading -------------------------------------------------------------------------

    def options(self, reference: str) -> list[LetterOption]:
        """Every letter type with the reason it does not fit this case (None = it fits)."""
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            facts = self._facts(session, case)
        return [
            LetterOption(letter_type, LETTER_LABELS[letter_type], reason)
            for letter_type, reason in letter_availability(facts).items()
        ]

    def documents(self, reference: str) -> list[LetterDocumentView]:
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            return [
                self._checked_view(session, case, doc) for doc in self._letter_rows(session, case)
            ]

    def get(self, document_id: int) -> LetterDocumentView:
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            return self._checked_view(session, case, doc)

    def _checked_view(self, session: Session, case: Case, doc: Document) -> LetterDocumentView:
        """The view with its approval checked against the current fingerprint."""
        changed = (
            doc.status != STATUS_FINAL
            and doc.approved_fingerprint is not None
            and doc.approved_fingerprint != self._fingerprint(session, case, doc)
        )
        return _view(doc, case.reference, approval_current=not changed)

    def third_parties(self, reference: str) -> list[str]:
        """Names of the non-applicant parties (possible addressees of a kennisgeving)."""
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            return [link.party.name for link in _third_party_links(case)]

    def addressee_choices(self, reference: str) -> list[tuple[int, str]]:
        """(party id, "name, address (role)") of every possible addressee of a kennisgeving:
        the choice is by id, so two parties with similar or equal names are never confused."""
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            return [(link.party_id, _party_label(link)) for link in _third_party_links(case)]

    def addressee(self, document_id: int) -> AddresseeView | None:
        """Who the letter goes to and their postal address (None for the intern advies)."""
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            return self._addressee_view(case, doc)

    def approval_preview(self, document_id: int) -> ApprovalPreview:
        """The letter as the approver will approve it: PDF, addressee and the fingerprint that
        ``approve`` must be given back (a change in between voids the approval)."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            self._check_may_approve(doc)
            on = letter_date(LetterType(doc.doc_type), case.decision_date, date.today())
            pdf = self._render(session, case, doc, draft=True, on=on)
            return ApprovalPreview(
                document=_view(doc, case.reference),
                pdf=pdf,
                addressee=self._addressee_view(case, doc),
                fingerprint=self._fingerprint(session, case, doc),
            )

    def can_approve(self) -> bool:
        try:
            require_role(self.context, Role.TEAMLEIDER)
        except PermissionDenied:
            return False
        return True

    # --- drafting ------------------------------------------------------------------------

    def create_draft(
        self, reference: str, letter_type: str | LetterType, party: str | None = None
    ) -> LetterDocumentView:
        """A new concept letter with the template body filled from the case.

        An existing concept of the same type (and addressee) is returned instead of a twin.
        """
        kind = parse_letter_type(str(letter_type))
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            check_letter_fits(kind, self._facts(session, case))
            addressee = self._addressee_link(case, kind, party)
            addressee_id = addressee.party_id if addressee is not None else None
            template = load_template(kind)
            settings = SettingsService(self.context).all()
            on = letter_date(kind, case.decision_date, date.today())
            values = self._values(session, case, kind, addressee, on, settings)
            title = fill(template.titel, values)[:200]
            for existing in self._letter_rows(session, case):
                same_addressee = kind == LetterType.INTERN_ADVIES or (
                    _party_id_of(self._addressee_for_document(case, existing)) == addressee_id
                )
                if (
                    existing.doc_type == kind.value
                    and existing.status == STATUS_CONCEPT
                    and same_addressee
                ):
                    return _view(existing, case.reference)
            confidentiality = _confidentiality(settings)
            doc = Document(
                case=case,
                doc_type=kind.value,
                title=title,
                status=STATUS_CONCEPT,
                confidentiality=confidentiality,
                author=self.context.user,
                body_text=fill(template.body, values),
                addressee_party_id=addressee_id if kind != LetterType.INTERN_ADVIES else None,
            )
            session.add(doc)
            audit.record_case_event(
                session,
                case,
                self.context.user,
                DRAFT_CREATED,
                f"Conceptbrief gemaakt: {title}.",
                {"document": doc.id, "type": kind.value, "geadresseerde": addressee_id},
                timeline_kind="document",
            )
            return _view(doc, case.reference)

    def update_body(
        self, document_id: int, body: str, expected_version: int | None = None
    ) -> LetterDocumentView:
        """Save the edited body of a concept; a final letter is read-only."""
        if not body.strip():
            raise ValidationError("De tekst van de brief mag niet leeg zijn.", "body")
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            _require_concept(doc)
            if expected_version is not None and doc.version != expected_version:
                raise ConflictError(
                    f"De brief '{doc.title}' is intussen door iemand anders gewijzigd. Open hem "
                    "opnieuw; uw wijziging is niet opgeslagen."
                )
            if doc.body_text == body:
                return _view(doc, case.reference)
            doc.body_text = body
            withdrawn = doc.approved_by is not None
            # The approval covered the old text; a changed text needs a fresh look.
            doc.approved_by = None
            doc.approved_at = None
            doc.approved_fingerprint = None
            # Whoever changed the text may not approve it (four-eyes).
            if self.context.user not in _editors(doc):
                doc.editors = ",".join((*_editors(doc), self.context.user))[:1000]
            session.flush()
            audit.record(
                session,
                self.context.user,
                DRAFT_EDITED,
                case.reference,
                {"document": doc.id, "goedkeuring_vervallen": withdrawn},
            )
            return _view(doc, case.reference)

    def preview(self, document_id: int) -> bytes:
        """The PDF as it is now: the stored bytes of a final letter, a rendering of a concept."""
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            if doc.status == STATUS_FINAL:
                return self._final_bytes(session, case, doc)
            on = letter_date(LetterType(doc.doc_type), case.decision_date, date.today())
            return self._render(session, case, doc, draft=True, on=on)

    # --- four-eyes and final ---------------------------------------------------------------

    def approve(self, document_id: int, fingerprint: str) -> LetterDocumentView:
        """A team lead approves a concept besluit or intern advies: never one they wrote or
        changed, and only the content they saw (``fingerprint`` from ``approval_preview``)."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            _require_concept(doc)
            if doc.doc_type not in {t.value for t in LETTERS_NEEDING_APPROVAL}:
                raise ValidationError(
                    "Alleen een besluit en een intern advies worden goedgekeurd door een "
                    "teamleider; deze brief kan zonder goedkeuring definitief worden."
                )
            self._check_may_approve(doc)
            current = self._fingerprint(session, case, doc)
            if fingerprint != current:
                raise ConflictError(
                    f"De brief '{doc.title}' is gewijzigd sinds u het voorbeeld bekeek (of u "
                    "heeft het voorbeeld niet bekeken). Bekijk het voorbeeld opnieuw en keur "
                    "dan goed; er is niets goedgekeurd."
                )
            doc.approved_by = self.context.user
            doc.approved_at = utcnow()
            doc.approved_fingerprint = current
            audit.record_case_event(
                session,
                case,
                self.context.user,
                audit.APPROVAL,
                f"Brief goedgekeurd: {doc.title}.",
                {"document": doc.id, "type": doc.doc_type, "auteur": doc.author},
                timeline_kind="document",
            )
            return _view(doc, case.reference)

    def _check_may_approve(self, doc: Document) -> None:
        """Four-eyes: neither the author nor anyone who changed the text approves it."""
        if doc.author == self.context.user:
            raise PermissionDenied(
                "U kunt een brief die u zelf heeft opgesteld niet goedkeuren: een andere "
                "teamleider moet meekijken (vier-ogenprincipe)."
            )
        if self.context.user in _editors(doc):
            raise PermissionDenied(
                "U heeft de tekst van deze brief gewijzigd en kunt hem daarom niet goedkeuren: "
                "een andere teamleider moet meekijken (vier-ogenprincipe)."
            )

    def latest_concept(self, reference: str, letter_type: str) -> LetterDocumentView:
        """The newest concept of this type on the case (``bibob-desk approve`` shows it)."""
        kind = parse_letter_type(letter_type)
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            concepts = [
                d
                for d in self._letter_rows(session, case)
                if d.doc_type == kind.value and d.status == STATUS_CONCEPT
            ]
            if not concepts:
                raise NotFoundError(
                    f"Zaak {case.reference} heeft geen conceptbrief van het type {kind.value} om "
                    "goed te keuren."
                )
            return _view(concepts[-1], case.reference)

    def finalise(self, document_id: int) -> LetterDocumentView:
        """Render the final PDF/A once, store it with its checksum; the letter becomes read-only."""
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            self._finalise(session, case, doc)
            return _view(doc, case.reference)

    def _finalise(self, session: Session, case: Case, doc: Document) -> None:
        _require_concept(doc)
        _require_organisation(
            SettingsService(self.context).all(), "De brief kan niet definitief worden gemaakt"
        )
        if doc.doc_type in {t.value for t in LETTERS_NEEDING_APPROVAL} and not doc.approved_by:
            raise ValidationError(
                f"De brief '{doc.title}' moet eerst door een teamleider worden goedgekeurd "
                "(vier-ogenprincipe) voordat hij definitief wordt of wordt geëxporteerd."
            )
        if doc.approved_fingerprint is not None and doc.approved_fingerprint != (
            self._fingerprint(session, case, doc)
        ):
            # Anything the approver saw (text, addressee, decision, voorschriften) changed.
            raise ValidationError(
                f"De goedkeuring van '{doc.title}' is vervallen: de brief of de gegevens "
                "erin (geadresseerde, besluit, voorschriften) zijn na de goedkeuring gewijzigd. "
                "Laat hem opnieuw goedkeuren (vier-ogenprincipe)."
            )
        kind = LetterType(doc.doc_type)
        check_letter_fits(kind, self._facts(session, case))
        addressee_view = self._addressee_view(case, doc)
        if addressee_view is not None and not addressee_view.complete:
            missing = ", ".join(addressee_view.missing) or "de geadresseerde"
            raise ValidationError(
                f"De brief '{doc.title}' kan niet definitief worden: van "
                f"{addressee_view.name or 'de geadresseerde'} ontbreekt {missing}. Vul het "
                "postadres aan bij de betrokkene.",
                "addressee",
            )
        if kind == LetterType.BESLUIT and case.decision == "verlenen_met_voorschriften":
            record = active_decision(session, case)
            if record is None or not voorschriften_from_json(record.voorschriften):
                raise ValidationError(
                    "Een besluit 'verlenen met voorschriften' kan pas definitief worden als het "
                    "besluit met zijn voorschriften is vastgelegd (tabblad Procedure, Besluit "
                    "vastleggen).",
                    "voorschriften",
                )
        # Imported or demo concepts may come without text: use the template's.
        settings = SettingsService(self.context).all()
        addressee = self._addressee_for_document(case, doc)
        now = utcnow()
        on = letter_date(kind, case.decision_date, now.date())
        if not doc.body_text.strip():
            values = self._values(session, case, kind, addressee, on, settings)
            doc.body_text = fill(load_template(kind).body, values)
        pdf = self._render(session, case, doc, draft=False, on=on, created=now)
        doc.content = pdf
        doc.sha256 = hashlib.sha256(pdf).hexdigest()
        doc.size_bytes = len(pdf)
        doc.status = STATUS_FINAL
        doc.finalised_at = now
        doc.filename = f"{base_name(case.reference, doc.doc_type)}.pdf"
        audit.record_case_event(
            session,
            case,
            self.context.user,
            FINALISED,
            f"Brief definitief gemaakt: {doc.title}.",
            {"document": doc.id, "type": doc.doc_type, "sha256": doc.sha256},
            timeline_kind="document",
        )

    def _final_bytes(self, session: Session, case: Case, doc: Document) -> bytes:
        """The stored PDF of a final letter. Demo data and imports may insert a final letter
        without its bytes: it is rendered once, on first use, dated as when it was made final,
        and stored with its checksum; from then on those bytes are the letter."""
        if doc.content is not None:
            return bytes(doc.content)
        made = doc.finalised_at or utcnow()
        kind = LetterType(doc.doc_type)
        if not doc.body_text.strip():
            settings = SettingsService(self.context).all()
            addressee = self._addressee_for_document(case, doc)
            on = letter_date(kind, case.decision_date, made.date())
            values = self._values(session, case, kind, addressee, on, settings)
            doc.body_text = fill(load_template(kind).body, values)
        on = letter_date(kind, case.decision_date, made.date())
        pdf = self._render(session, case, doc, draft=False, on=on, created=made)
        doc.content = pdf
        doc.sha256 = hashlib.sha256(pdf).hexdigest()
        doc.size_bytes = len(pdf)
        doc.finalised_at = made
        doc.filename = doc.filename or f"{base_name(case.reference, doc.doc_type)}.pdf"
        audit.record(
            session,
            self.context.user,
            FINALISED,
            case.reference,
            {"document": doc.id, "sha256": doc.sha256, "eerste_gebruik": True},
        )
        return pdf

    # --- export ----------------------------------------------------------------------------

    def export_document(
        self, document_id: int, folder: str | Path | None = None, *, mdto: bool | None = None
    ) -> ExportResult:
        """Export a letter (made final first when it is a concept) with its sidecar."""
        settings = SettingsService(self.context).all()
        # The letterhead and the sidecar's bronorganisatie (RSIN) must be the real organisation.
        _require_organisation(settings, "De brief kan niet worden geëxporteerd")
        target = prepare_folder(folder if folder else settings.get("export", {}).get("folder"))
        with_mdto = bool(settings.get("export", {}).get("mdto")) if mdto is None else mdto
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            # The sidecar needs the catalogue's informatieobjecttype: refuse before writing.
            informatieobjecttype_for(
                settings, LetterType(doc.doc_type), "De brief kan niet worden geëxporteerd"
            )
            if doc.status != STATUS_FINAL:
                # Committed before any file is published: after a crash during the export the
                # letter is final and a re-export finds its files (the same bytes), no -2 copy.
                self._finalise(session, case, doc)
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            pdf = self._final_bytes(session, case, doc)
            assert doc.sha256 is not None
            sha = doc.sha256
            # ZGW's auteur is a person: the author's name, not their login.
            author_name = self._full_name(session, doc.author)
            stem = base_name(case.reference, doc.doc_type)
            recorded = {
                Path(path).resolve()
                for (path,) in session.execute(
                    select(DocumentExport.path).where(DocumentExport.document_id == doc.id)
                )
            }
            files: ExportedFiles = export_files(
                target,
                stem,
                pdf,
                lambda name: self._anchored(
                    self._sidecar(case, doc, name, settings, with_mdto, author_name), session
                ),
                (lambda name: self._mdto_files(case, doc, name, settings))
                if with_mdto
                else (lambda _name: ()),
                # Published by an export that crashed before its commit: completed, not doubled.
                unrecorded=lambda pdf_path: pdf_path.resolve() not in recorded,
            )
            doc.filename = files.pdf.name
            session.add(
                DocumentExport(
                    document_id=doc.id, user=self.context.user, path=str(files.pdf), sha256=sha
                )
            )
            audit.record_case_event(
                session,
                case,
                self.context.user,
                audit.EXPORT,
                f"Brief geëxporteerd naar het documentsysteem: {files.pdf}.",
                {
                    "document": doc.id,
                    "type": doc.doc_type,
                    "pad": str(files.pdf),
                    "sidecar": str(files.sidecar),
                    "sha256": sha,
                },
                timeline_kind="document",
            )
            return ExportResult(
                document=_view(doc, case.reference),
                pdf_path=files.pdf,
                sidecar_path=files.sidecar,
                extra_paths=files.extra,
                sha256=sha,
                size_bytes=len(pdf),
            )

    def export_letter(
        self,
        reference: str,
        letter_type: str,
        folder: str | Path | None = None,
        *,
        party: str | None = None,
        mdto: bool | None = None,
    ) -> ExportResult:
        """``bibob-desk export``: the newest final letter of this type, else the newest concept
        (approved where four-eyes applies), else a new one from the template."""
        document_id = self.document_for_export(reference, letter_type, party=party)
        return self.export_document(document_id, folder, mdto=mdto)

    def document_for_export(
        self, reference: str, letter_type: str, *, party: str | None = None
    ) -> int:
        """The letter an export of this type takes (see ``export_letter``); a new concept from
        the template when there is none yet and no approval is needed."""
        kind = parse_letter_type(letter_type)
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            chosen = self._pick_document(session, case, kind, party)
            if chosen is None or chosen.status != STATUS_FINAL:
                check_letter_fits(kind, self._facts(session, case))
            document_id = chosen.id if chosen is not None else None
            if document_id is None and kind in LETTERS_NEEDING_APPROVAL:
                raise ValidationError(
                    f"Zaak {case.reference} heeft nog geen conceptbrief van het type "
                    f"{kind.value} die een teamleider heeft goedgekeurd; maak een concept en "
                    "laat het goedkeuren (vier-ogenprincipe)."
                )
        if document_id is None:
            document_id = self.create_draft(reference, kind, party).id
        return document_id

    def render_letter(
        self, reference: str, letter_type: str, *, party: str | None = None
    ) -> tuple[bytes, LetterDocumentView | None]:
        """``bibob-desk letter``: the stored final PDF, else the current concept rendered, else a
        fresh concept from the template (not stored). Marked CONCEPT unless final."""
        kind = parse_letter_type(letter_type)
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            # Printing shows the officer's newest concept, approved or not.
            chosen = self._pick_document(session, case, kind, party, approved_only=False)
            if chosen is not None and chosen.status == STATUS_FINAL:
                pdf = self._final_bytes(session, case, chosen)
            else:
                check_letter_fits(kind, self._facts(session, case))
                if chosen is None:
                    settings = SettingsService(self.context).all()
                    addressee = self._addressee_link(case, kind, party)
                    template = load_template(kind)
                    on = letter_date(kind, case.decision_date, date.today())
                    values = self._values(session, case, kind, addressee, on, settings)
                    chosen = Document(
                        doc_type=kind.value,
                        title=fill(template.titel, values)[:200],
                        status=STATUS_CONCEPT,
                        confidentiality=_confidentiality(settings),
                        author=self.context.user,
                        body_text=fill(template.body, values),
                    )
                    pdf = self._render(session, case, chosen, draft=True, on=on)
                    chosen = None
                else:
                    on = letter_date(kind, case.decision_date, date.today())
                    pdf = self._render(session, case, chosen, draft=True, on=on)
            audit.record(
                session,
                self.context.user,
                LETTER_PRINTED,
                case.reference,
                {"type": kind.value, "document": chosen.id if chosen is not None else None},
            )
            return pdf, (_view(chosen, case.reference) if chosen is not None else None)

    # --- internals -------------------------------------------------------------------------

    def _load_case(self, session: Session, reference: str) -> Case:
        ref = str(CaseReference.parse(reference))
        case = session.execute(
            select(Case)
            .where(Case.reference == ref, Case.destroyed_at.is_(None))
            .options(selectinload(Case.parties).selectinload(CaseParty.party))
        ).scalar_one_or_none()
        if case is None:
            raise case_not_available(ref)
        require_case_access(session, viewer_in_session(session, self.context.user), case)
        return case

    def _load_document(self, session: Session, document_id: int) -> tuple[Document, Case]:
        doc = session.get(Document, document_id)
        viewer = viewer_in_session(session, self.context.user)
        if doc is None or not may_see_case(session, viewer, doc.case):
            # Not "Zaak BIB-…": that would name the case of a letter the user may not see.
            raise not_available(f"Brief {document_id}")
        case = self._load_case(session, doc.case.reference)
        return doc, case

    def _letter_rows(self, session: Session, case: Case) -> list[Document]:
        codes = [t.value for t in LetterType]
        return list(
            session.execute(
                select(Document)
                .where(Document.case_id == case.id, Document.doc_type.in_(codes))
                .order_by(Document.id)
            ).scalars()
        )

    def _pick_document(
        self,
        session: Session,
        case: Case,
        kind: LetterType,
        party: str | None,
        *,
        approved_only: bool = True,
    ) -> Document | None:
        rows = [d for d in self._letter_rows(session, case) if d.doc_type == kind.value]
        if kind == LetterType.KENNISGEVING_DERDEN:
            link = self._addressee_link(case, kind, party)
            wanted = link.party_id if link is not None else None
            rows = [
                d for d in rows if _party_id_of(self._addressee_for_document(case, d)) == wanted
            ]
        finals = [d for d in rows if d.status == STATUS_FINAL]
        if finals:
            return finals[-1]
        concepts = [d for d in rows if d.status == STATUS_CONCEPT]
        if approved_only and kind in LETTERS_NEEDING_APPROVAL:
            approved = [d for d in concepts if d.approved_by]
            if approved:
                return approved[-1]
            return None
        return concepts[-1] if concepts else None

    def _facts(self, session: Session, case: Case) -> LetterFacts:
        has_lbb = (
            session.execute(
                select(Suspension.id)
                .where(Suspension.case_id == case.id, Suspension.reason == "lbb_advies")
                .limit(1)
            ).first()
            is not None
        )
        return LetterFacts(
            phase=case.phase,
            outcome=case.outcome,
            conclusion=case.conclusion,
            decision=case.decision,
            has_lbb_request=has_lbb,
            has_applicant=_applicant_link(case) is not None,
            third_party_count=len(_third_party_links(case)),
        )

    def _addressee_link(
        self, case: Case, kind: LetterType, party: str | int | None
    ) -> CaseParty | None:
        """The addressee: the applicant, or for a kennisgeving the third party chosen by id or
        by exact name. An unknown or ambiguous choice is refused with the list to choose from:
        a letter to the wrong person breaches art. 28 Wet Bibob."""
        if kind == LetterType.KENNISGEVING_DERDEN:
            links = _third_party_links(case)
            choices = "; ".join(f"{link.party_id}: {_party_label(link)}" for link in links)
            if party is None or str(party).strip() == "":
                if len(links) == 1:
                    return links[0]
                if not links:
                    return None
                raise ValidationError(
                    f"Zaak {case.reference} heeft meer dan één derde; kies de geadresseerde "
                    f"(--party met nummer of naam): {choices}.",
                    "party",
                )
            wanted = str(party).strip()
            if wanted.isdigit():
                found = [link for link in links if link.party_id == int(wanted)]
            else:
                normal = " ".join(wanted.split()).casefold()
                found = [
                    link for link in links if " ".join(link.party.name.split()).casefold() == normal
                ]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValidationError(
                    f"Meer dan één betrokkene in zaak {case.reference} heet '{wanted}'. Kies met "
                    f"het nummer (--party NUMMER): "
                    + "; ".join(f"{link.party_id}: {_party_label(link)}" for link in found)
                    + ".",
                    "party",
                )
            raise ValidationError(
                f"'{wanted}' is geen betrokkene (anders dan de aanvrager) in zaak "
                f"{case.reference}. Kies uit: {choices or '(geen)'}.",
                "party",
            )
        if party is not None and str(party).strip():
            raise ValidationError(
                "Een andere geadresseerde (--party) kan alleen bij een kennisgeving aan derden.",
                "party",
            )
        return _applicant_link(case)

    def _addressee_for_document(self, case: Case, doc: Document) -> CaseParty | None:
        kind = LetterType(doc.doc_type)
        if kind == LetterType.INTERN_ADVIES:
            return None
        if doc.addressee_party_id is not None:
            # By id only; a party no longer in the case gives no addressee (final refused).
            wanted = [cp for cp in case.parties if cp.party_id == doc.addressee_party_id]
            if kind == LetterType.KENNISGEVING_DERDEN:
                third = {cp.party_id for cp in _third_party_links(case)}
                wanted = [cp for cp in wanted if cp.party_id in third]
            return wanted[0] if wanted else None
        if kind == LetterType.KENNISGEVING_DERDEN:
            # A letter from before migration 0007: only an exact, unique title match counts.
            template = load_template(kind)
            matches = [
                link
                for link in _third_party_links(case)
                if doc.title
                == fill(
                    template.titel,
                    {"geadresseerde": link.party.name, "zaaknummer": case.reference},
                )[:200]
            ]
            return matches[0] if len(matches) == 1 else None
        return _applicant_link(case)

    def _addressee_view(self, case: Case, doc: Document) -> AddresseeView | None:
        if LetterType(doc.doc_type) == LetterType.INTERN_ADVIES:
            return None
        link = self._addressee_for_document(case, doc)
        if link is None:
            return AddresseeView(None, "", (), ("een geadresseerde",))
        party = link.party
        missing = tuple(
            label
            for label, value in (
                ("straat", party.street),
                ("huisnummer", party.house_number),
                ("postcode", party.postcode),
                ("woonplaats", party.city),
            )
            if not (value or "").strip()
        )
        lines = addressee_block(
            party.name,
            party.street,
            party.house_number,
            party.postcode,
            party.city,
            attention="t.a.v. de directie" if party.kind == PartyKind.LEGAL_ENTITY.value else "",
        )
        return AddresseeView(party.id, party.name, tuple(lines), missing)

    def _fingerprint(self, session: Session, case: Case, doc: Document) -> str:
        """SHA-256 of everything the approver approves: text, addressee and address, the
        decision with its motivation and voorschriften, the conclusion."""
        link = self._addressee_for_document(case, doc)
        party = link.party if link is not None else None
        record = active_decision(session, case)
        payload = {
            "type": doc.doc_type,
            "body": doc.body_text,
            "confidentiality": doc.confidentiality,
            "addressee": None
            if party is None
            else [
                party.id,
                party.name,
                party.street,
                party.house_number,
                party.postcode,
                party.city,
            ],
            "conclusion": [case.conclusion, case.conclusion_grounds],
            "decision": [
                case.decision,
                case.decision_date.isoformat() if case.decision_date else None,
            ],
            "record": None
            if record is None
            else [record.id, record.decision, record.motivation, record.voorschriften],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _full_name(self, session: Session, username: str) -> str:
        if not username:
            return ""
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        return (user.full_name or username) if user is not None else username

    def _values(
        self,
        session: Session,
        case: Case,
        kind: LetterType,
        addressee: CaseParty | None,
        on: date,
        settings: Mapping[str, Any],
    ) -> dict[str, str]:
        terms_settings = settings.get("terms", {})
        terms = {
            key: terms_settings[key]
            for key in ("vragenformulier_weeks", "zienswijze_weeks")
            if isinstance(terms_settings.get(key), int)
        }
        answer = compute_deadline("vragenformulier", on, terms=terms)
        zienswijze = compute_deadline("zienswijze", on, terms=terms)
        suspension = session.execute(
            select(Suspension)
            .where(Suspension.case_id == case.id, Suspension.reason == "lbb_advies")
            .order_by(Suspension.start_date.desc())
            .limit(1)
        ).scalar_one_or_none()
        asked_on = suspension.start_date if suspension is not None else on
        lbb_due = compute_deadline("lbb_advice", asked_on)
        lbb_max = compute_deadline("lbb_advice", asked_on, extended=True)
        sent_on = case.decision_sent_date or on
        bezwaar = compute_deadline("bezwaar", sent_on)
        area_text = _lower_first(area_label(case.area))
        applicant = _applicant_link(case)
        bezwaar_settings = settings.get("bezwaar", {})
        period = terms_settings.get("decision_period_weeks", {})
        period_weeks = (
            period.get(case.area, terms_settings.get("decision_period_weeks_default", 8))
            if isinstance(period, dict)
            else period
        )
        return {
            "zaaknummer": case.reference,
            "organisatie": str(settings.get("organisation", {}).get("name", "")),
            "bestuursorgaan": organ_for_area(settings, case.area),
            "toepassingsgebied": area_text,
            "aanvraagdatum": format_date_nl(case.application_date),
            "locatie": format_address(case.street, case.house_number, case.postcode, case.city)
            or "(geen locatie opgegeven)",
            "bouwsom": format_money(case.bouwsom) if case.bouwsom is not None else "niet opgegeven",
            "bouwsom_zin": (
                f"De opgegeven bouwsom bedraagt {format_money(case.bouwsom)} (exclusief btw)."
                if case.bouwsom is not None
                else ""
            ),
            "aanvrager": applicant.party.name if applicant is not None else "de aanvrager",
            "geadresseerde": addressee.party.name if addressee is not None else "",
            "datum": format_date_nl(on),
            "antwoordtermijn_weken": str(terms.get("vragenformulier_weeks", 4)),
            "antwoorddatum": format_date_nl(answer.due),
            "zienswijzetermijn_weken": str(terms.get("zienswijze_weeks", 2)),
            "zienswijzedatum": format_date_nl(zienswijze.due),
            "adviesaanvraagdatum": format_date_nl(asked_on),
            "lbb_adviesdatum": format_date_nl(lbb_due.due),
            "opschorting_einddatum": format_date_nl(lbb_max.due),
            "conclusie": conclusion_label(case.conclusion),
            "gronden": grounds_text(case.conclusion_grounds or ""),
            "besluit": decision_label(case.decision),
            "besluit_zin": decision_sentence(case.decision, case.conclusion, area_text),
            "voorgesteld_besluit": decision_sentence(
                case.decision, case.conclusion, area_text, addressed=False
            ),
            # Awb 6:4: the objection goes to the organ that decided, unless a body is set.
            "bezwaar_orgaan": str(
                bezwaar_settings.get("body") or organ_for_area(settings, case.area)
            ),
            "bezwaar_adres": ", ".join(
                bezwaar_settings.get("address_lines")
                or settings.get("organisation", {}).get("address_lines", [])
            ),
            "verzenddatum": format_date_nl(sent_on),
            "bezwaartermijn_einddatum": format_date_nl(bezwaar.due),
            "beslistermijn_weken": str(period_weeks),
            **_decision_parts(session, case),
        }

    def _content(
        self,
        session: Session,
        case: Case,
        doc: Document,
        *,
        draft: bool,
        on: date,
        settings: Mapping[str, Any],
    ) -> LetterContent:
        kind = LetterType(doc.doc_type)
        template: LetterTemplate = load_template(kind)
        addressee = self._addressee_for_document(case, doc)
        values = self._values(session, case, kind, addressee, on, settings)
        organisation = settings.get("organisation", {})
        signature = settings.get("signature", {})
        author_name = self._full_name(session, doc.author)
        signer = str(signature.get("signatory_name") or author_name)
        if kind == LetterType.INTERN_ADVIES:
            organ = _capitalise(organ_for_area(settings, case.area))
            addressee_lines: tuple[str, ...] = (organ, "Intern")
            salutation = "Geachte burgemeester,"
            closing = ""
            sign_lines = signature_block(
                ["Team Bibob,", author_name, str(signature.get("signatory_function", ""))]
            )
        else:
            if addressee is not None:
                party = addressee.party
                addressee_lines = addressee_block(
                    party.name,
                    party.street,
                    party.house_number,
                    party.postcode,
                    party.city,
                    attention="t.a.v. de directie"
                    if party.kind == PartyKind.LEGAL_ENTITY.value
                    else "",
                )
            else:
                addressee_lines = ("De aanvrager",)
            salutation = "Geachte heer/mevrouw,"
            closing = "Met vriendelijke groet,"
            # Awb 10:10: a decision taken under mandate says on whose behalf.
            sign_lines = signature_block(
                [
                    f"{mandate_line_for_area(settings, case.area)},",
                    signer,
                    str(signature.get("signatory_function", "")),
                ]
            )
        marking = template.markering
        if not marking and _level(doc.confidentiality) >= _level("vertrouwelijk"):
            marking = doc.confidentiality.upper().replace("_", " ")
        contact = (
            str(organisation.get("visiting_address", "")),
            f"T {organisation['phone']}" if organisation.get("phone") else "",
            str(organisation.get("email", "")),
            str(organisation.get("website", "")),
        )
        logo = letter_logo(organisation.get("logo"))
        return LetterContent(
            letter_type=kind,
            title=doc.title,
            organisation_name=str(organisation.get("name", "")),
            organisation_address_lines=tuple(organisation.get("address_lines", [])),
            organisation_contact_lines=tuple(line for line in contact if line),
            addressee_lines=addressee_lines,
            date_text=format_date_nl(on),
            reference=case.reference,
            subject=fill(template.onderwerp, values),
            salutation=salutation,
            body=doc.body_text,
            fixed_text=fill(template.verplichte_tekst, values),
            legal_basis=fill(template.wettelijke_grondslag, values),
            handled_by=self._full_name(session, case.officer),
            attachments=fill(template.bijlagen, values),
            closing=closing,
            signature_lines=sign_lines,
            marking=marking,
            author=author_name,
            logo=logo,
            draft=draft,
        )

    def _render(
        self,
        session: Session,
        case: Case,
        doc: Document,
        *,
        draft: bool,
        on: date,
        created: datetime | None = None,
    ) -> bytes:
        settings = SettingsService(self.context).all()
        content = self._content(session, case, doc, draft=draft, on=on, settings=settings)
        raw = self.composer.compose(content) if self.composer else compose_letter(content)
        return make_pdfa(
            raw,
            title=content.title,
            author=content.author or doc.author,
            created=created or utcnow(),
            subject=content.subject,
        )

    def letter_info(
        self,
        case: Case,
        doc: Document,
        file_name: str,
        settings: Mapping[str, Any],
        author_name: str = "",
    ) -> LetterInfo:
        assert doc.finalised_at is not None and doc.sha256 is not None
        kind = LetterType(doc.doc_type)
        rsin = str(Rsin.parse(str(settings.get("organisation", {}).get("rsin", ""))))
        return LetterInfo(
            identificatie=_identification(case.reference, doc),
            bronorganisatie=rsin,
            creatiedatum=doc.finalised_at.date(),
            titel=doc.title,
            vertrouwelijkheidaanduiding=doc.confidentiality,
            auteur=author_name or doc.author,
            bestandsnaam=file_name,
            bestandsomvang=doc.size_bytes or 0,
            sha256=doc.sha256,
            informatieobjecttype=informatieobjecttype_for(
                settings, kind, "De brief kan niet worden geëxporteerd"
            ),
            beschrijving=load_template(kind).wettelijke_grondslag,
        )

    @staticmethod
    def _anchored(sidecar: dict[str, Any], session: Session) -> dict[str, Any]:
        """The audit log's head in the sidecar (under ``bibob``, beside the case), kept by the
        document system where the database's users cannot change it (audit_anchor.py)."""
        bibob = dict(sidecar.get(BIBOB_KEY) or {})
        bibob[METADATA_KEY] = anchor_to_json(current_anchor(session))
        return {**sidecar, BIBOB_KEY: bibob}

    def _sidecar(
        self,
        case: Case,
        doc: Document,
        file_name: str,
        settings: Mapping[str, Any],
        with_mdto: bool,
        author_name: str = "",
    ) -> dict[str, Any]:
        """ZGW fields at the top level (valid for ``POST /enkelvoudiginformatieobjecten``), the
        Bibob-specific ones under ``bibob``."""
        kind = LetterType(doc.doc_type)
        bibob: dict[str, Any] = {
            "brieftype": kind.value,
            "brieftype_omschrijving": LETTER_LABELS[kind],
            "zaak": {
                "identificatie": case.reference,
                "omschrijving": case.title,
                "url": case.zaak_url or None,
                "toepassingsgebied": case.area,
                "toepassingsgebied_omschrijving": area_label(case.area),
                "startdatum": case.application_date.isoformat(),
                "fase": case.phase,
                "conclusie": case.conclusion,
                "besluit": case.decision,
                "bouwsom": money_to_json(case.bouwsom),
            },
        }
        if doc.approved_by:
            bibob["goedkeuring"] = {
                "door": doc.approved_by,
                "op": doc.approved_at.isoformat(timespec="seconds") if doc.approved_at else None,
            }
        if with_mdto:
            bibob["mdto"] = {
                "informatieobject": f"{file_name.removesuffix('.pdf')}.mdto.xml",
                "bestand": f"{file_name}.mdto.xml",
                "taal": "nl",
                "bestandsformaat": {"label": "PDF/A-2b", "code": "fmt/477"},
            }
        info = self.letter_info(case, doc, file_name, settings, author_name)
        return zgw_sidecar(info, bibob)

    def _mdto_files(
        self, case: Case, doc: Document, file_name: str, settings: Mapping[str, Any]
    ) -> list[tuple[str, bytes]]:
        assert doc.finalised_at is not None and doc.sha256 is not None
        record = MdtoRecord(
            document_id=_identification(case.reference, doc),
            title=doc.title,
            file_name=file_name,
            size_bytes=doc.size_bytes or 0,
            sha256=doc.sha256,
            checksum_moment=doc.finalised_at,
            created=doc.finalised_at.date(),
            case_reference=case.reference,
            organisation=str(settings.get("organisation", {}).get("name", "")),
            retention_years=int(settings.get("retention", {}).get("years_after_closing", 5)),
            confidentiality_note=f"{doc.confidentiality}; geheimhouding artikel 28 Wet Bibob",
        )
        return [
            (f"{file_name.removesuffix('.pdf')}.mdto.xml", informatieobject_xml(record)),
            (f"{file_name}.mdto.xml", bestand_xml(record)),
        ]


def _per_area(settings: Mapping[str, Any], table: str, default_key: str, area: str) -> str:
    signature = settings.get("signature", {})
    per_area = signature.get(table) or {}
    value = per_area.get(area) if isinstance(per_area, dict) else None
    return str(value or signature.get(default_key) or "")


def organ_for_area(settings: Mapping[str, Any], area: str) -> str:
    """The competent bestuursorgaan for a case of ``area`` (setting per area, else the default)."""
    return _per_area(settings, "organ_per_area", "organ", area)


def mandate_line_for_area(settings: Mapping[str, Any], area: str) -> str:
    """The Awb 10:10 mandate line for ``area`` ("namens het college ..."), else the default."""
    return _per_area(settings, "mandate_line_per_area", "mandate_line", area) or (
        "namens de burgemeester"
    )


def _require_organisation(settings: Mapping[str, Any], what: str) -> None:
    missing = missing_for_letters(settings)
    if missing:
        raise ValidationError(missing_message(missing, what), missing[0].key)


def _identification(reference: str, doc: Document) -> str:
    # ZGW limits identificatie to 40 characters.
    return f"{reference}-{doc.doc_type}-{doc.id}"[:40]


def _require_concept(doc: Document) -> None:
    if doc.status == STATUS_FINAL:
        raise ValidationError(
            f"De brief '{doc.title}' is definitief en kan niet meer worden gewijzigd. Maak zo "
            "nodig een nieuwe conceptbrief."
        )


def _applicant_link(case: Case) -> CaseParty | None:
    return next((cp for cp in case.parties if cp.role == PartyRole.AANVRAGER.value), None)


def _third_party_links(case: Case) -> list[CaseParty]:
    applicant_ids = {cp.party_id for cp in case.parties if cp.role == PartyRole.AANVRAGER.value}
    seen: set[int] = set()
    links: list[CaseParty] = []
    for cp in case.parties:
        is_third = cp.role != PartyRole.AANVRAGER.value and cp.party_id not in applicant_ids
        if is_third and cp.party_id not in seen:
            seen.add(cp.party_id)
            links.append(cp)
    return links


def _level(confidentiality: str) -> int:
    try:
        return CONFIDENTIALITY_LEVELS.index(confidentiality)
    except ValueError:
        return CONFIDENTIALITY_LEVELS.index(DEFAULT_CONFIDENTIALITY)


def _confidentiality(settings: Mapping[str, Any]) -> str:
    value = settings.get("export", {}).get("confidentiality") or DEFAULT_CONFIDENTIALITY
    return parse_confidentiality(str(value))


def _party_id_of(link: CaseParty | None) -> int | None:
    return link.party_id if link is not None else None


def _party_label(link: CaseParty) -> str:
    party = link.party
    address = format_address(party.street, party.house_number, party.postcode, party.city)
    role = link.role
    return f"{party.name}, {address or 'geen adres'} ({role})"


def _decision_parts(session: Session, case: Case) -> dict[str, str]:
    """The recorded decision's voorschriften (art. 3 lid 7 Wet Bibob) and motivation (Awb
    3:46) as letter text: in full for the besluit, as a summary for the intern advies."""
    record = active_decision(session, case)
    if record is None:
        return {
            "besluit_onderdelen": "",
            "besluit_samenvatting": "Het besluit is nog niet vastgelegd; voorschriften en "
            "motivering volgen bij het besluit.",
        }
    items = voorschriften_from_json(record.voorschriften)
    parts: list[str] = []
    summary: list[str] = []
    if items:
        parts.append(
            "## Voorschriften\nAan de vergunning verbinden wij de volgende voorschriften "
            "(artikel 3, zevende lid, Wet Bibob):\n"
            + "\n".join(f"- {n}. {v.sentence()}" for n, v in enumerate(items, start=1))
        )
        summary.append(
            f"Voorschriften ({len(items)}): "
            + " ".join(f"{n}. {v.sentence()}" for n, v in enumerate(items, start=1))
        )
    if record.motivation.strip():
        parts.append("## Motivering van het besluit\n" + record.motivation.strip())
        summary.append("Motivering: " + record.motivation.strip())
    return {
        "besluit_onderdelen": "\n\n".join(parts),
        "besluit_samenvatting": " ".join(summary) or "Geen voorschriften vastgelegd.",
    }
