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
from bibob_desk.domain.areas import area_label
from bibob_desk.domain.deadlines import compute_deadline
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
from bibob_desk.domain.values import CaseReference, format_date_nl
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
        return self.approved_by is not None

    @property
    def status_label(self) -> str:
        if self.is_final:
            return "Definitief"
        if self.needs_approval:
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


def _view(doc: Document, reference: str) -> LetterDocumentView:
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
    )


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
            return [_view(doc, case.reference) for doc in self._letter_rows(session, case)]

    def get(self, document_id: int) -> LetterDocumentView:
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            return _view(doc, case.reference)

    def third_parties(self, reference: str) -> list[str]:
        """Names of the non-applicant parties (possible addressees of a kennisgeving)."""
        with self.context.db.session() as session:
            case = self._load_case(session, reference)
            return [link.party.name for link in _third_party_links(case)]

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
            template = load_template(kind)
            settings = SettingsService(self.context).all()
            on = letter_date(kind, case.decision_date, date.today())
            values = self._values(session, case, kind, addressee, on, settings)
            title = fill(template.titel, values)[:200]
            for existing in self._letter_rows(session, case):
                if (
                    existing.doc_type == kind.value
                    and existing.status == STATUS_CONCEPT
                    and existing.title == title
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
            )
            session.add(doc)
            audit.record_case_event(
                session,
                case,
                self.context.user,
                DRAFT_CREATED,
                f"Conceptbrief gemaakt: {title}.",
                {"document": doc.id, "type": kind.value},
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
            if doc.status == STATUS_FINAL and doc.content is not None:
                return bytes(doc.content)
            on = letter_date(LetterType(doc.doc_type), case.decision_date, date.today())
            return self._render(session, case, doc, draft=True, on=on)

    # --- four-eyes and final ---------------------------------------------------------------

    def approve(self, document_id: int) -> LetterDocumentView:
        """A team lead approves a concept besluit or intern advies (never their own)."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            doc, case = self._load_document(session, document_id)
            _require_concept(doc)
            if doc.doc_type not in {t.value for t in LETTERS_NEEDING_APPROVAL}:
                raise ValidationError(
                    "Alleen een besluit en een intern advies worden goedgekeurd door een "
                    "teamleider; deze brief kan zonder goedkeuring definitief worden."
                )
            if doc.author == self.context.user:
                raise PermissionDenied(
                    "U kunt een brief die u zelf heeft opgesteld niet goedkeuren: een andere "
                    "teamleider moet meekijken (vier-ogenprincipe)."
                )
            doc.approved_by = self.context.user
            doc.approved_at = utcnow()
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

    def approve_latest(self, reference: str, letter_type: str) -> LetterDocumentView:
        """Approve the newest concept of this type on the case (``bibob-desk approve``)."""
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
            document_id = concepts[-1].id
        return self.approve(document_id)

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
        kind = LetterType(doc.doc_type)
        check_letter_fits(kind, self._facts(session, case))
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
            if doc.status != STATUS_FINAL:
                self._finalise(session, case, doc)
            assert doc.content is not None and doc.sha256 is not None
            pdf = bytes(doc.content)
            sha = doc.sha256
            stem = base_name(case.reference, doc.doc_type)
            files: ExportedFiles = export_files(
                target,
                stem,
                pdf,
                lambda name: {
                    **self._sidecar(case, doc, name, settings, with_mdto),
                    # The audit log's head, kept by the document system where the database's
                    # users cannot change it (services/audit_anchor.py).
                    METADATA_KEY: anchor_to_json(current_anchor(session)),
                },
                (lambda name: self._mdto_files(case, doc, name, settings))
                if with_mdto
                else (lambda _name: ()),
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
        return self.export_document(document_id, folder, mdto=mdto)

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
            if chosen is not None and chosen.status == STATUS_FINAL and chosen.content:
                pdf = bytes(chosen.content)
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
        if party and kind == LetterType.KENNISGEVING_DERDEN:
            link = self._addressee_link(case, kind, party)
            rows = [d for d in rows if link is not None and link.party.name in d.title]
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

    def _addressee_link(self, case: Case, kind: LetterType, party: str | None) -> CaseParty | None:
        if kind == LetterType.KENNISGEVING_DERDEN:
            links = _third_party_links(case)
            if party:
                wanted = party.strip().lower()
                for link in links:
                    if link.party.name.lower() == wanted:
                        return link
                names = ", ".join(link.party.name for link in links) or "(geen)"
                raise ValidationError(
                    f"'{party.strip()}' is geen betrokkene (anders dan de aanvrager) in zaak "
                    f"{case.reference}. Kies uit: {names}.",
                    "party",
                )
            return links[0] if links else None
        if party:
            raise ValidationError(
                "Een andere geadresseerde (--party) kan alleen bij een kennisgeving aan derden.",
                "party",
            )
        return _applicant_link(case)

    def _addressee_for_document(self, case: Case, doc: Document) -> CaseParty | None:
        kind = LetterType(doc.doc_type)
        if kind == LetterType.KENNISGEVING_DERDEN:
            for link in _third_party_links(case):
                if link.party.name in doc.title:
                    return link
            links = _third_party_links(case)
            return links[0] if links else None
        return _applicant_link(case)

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

    def _sidecar(
        self,
        case: Case,
        doc: Document,
        file_name: str,
        settings: Mapping[str, Any],
        with_mdto: bool,
    ) -> dict[str, Any]:
        assert doc.finalised_at is not None and doc.sha256 is not None
        kind = LetterType(doc.doc_type)
        template = load_template(kind)
        organisation = settings.get("organisation", {})
        created = doc.finalised_at.date().isoformat()
        data: dict[str, Any] = {
            "identificatie": _identification(case.reference, doc),
            "bronorganisatie": str(organisation.get("rsin", "")),
            "creatiedatum": created,
            "titel": doc.title,
            "vertrouwelijkheidaanduiding": doc.confidentiality,
            "auteur": doc.author,
            "taal": "dut",
            "formaat": "application/pdf",
            "bestandsnaam": file_name,
            "bestandsomvang": doc.size_bytes,
            "integriteit": {"algoritme": "sha_256", "waarde": doc.sha256, "datum": created},
            "status": "definitief",
            "beschrijving": template.wettelijke_grondslag,
            "informatieobjecttype_omschrijving": LETTER_LABELS[kind],
            "sidecar_version": "1",
            "zaak": {
                "identificatie": case.reference,
                "omschrijving": case.title,
                "toepassingsgebied": case.area,
                "toepassingsgebied_omschrijving": area_label(case.area),
                "startdatum": case.application_date.isoformat(),
                "fase": case.phase,
                "conclusie": case.conclusion,
                "besluit": case.decision,
                "bouwsom": money_to_json(case.bouwsom),
                "vertrouwelijkheidaanduiding": doc.confidentiality,
            },
        }
        if doc.approved_by:
            data["goedkeuring"] = {
                "door": doc.approved_by,
                "op": doc.approved_at.isoformat(timespec="seconds") if doc.approved_at else None,
            }
        if with_mdto:
            data["mdto"] = {
                "informatieobject": f"{file_name.removesuffix('.pdf')}.mdto.xml",
                "bestand": f"{file_name}.mdto.xml",
                "taal": "nl",
                "bestandsformaat": {"label": "PDF/A-2b", "code": "fmt/477"},
            }
        return data

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
