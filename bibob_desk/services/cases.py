"""Use cases around the case file: open, read, edit, list and search cases and their parties."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, false, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from bibob_desk.domain.areas import area_label
from bibob_desk.domain.case import CaseFields, ValidationErrors, validate_case_fields
from bibob_desk.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from bibob_desk.domain.money import money_to_json
from bibob_desk.domain.parties import (
    PARTY_ROLE_LABELS,
    PartyKind,
    PartyRole,
    parse_party_kind,
    parse_party_role,
)
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.domain.values import CaseReference, parse_date, parse_kvk_number, parse_postcode
from bibob_desk.services import audit
from bibob_desk.services.access import (
    Viewer,
    active_officers,
    case_not_available,
    check_officer,
    may_assign,
    may_see_case,
    require_case_access,
    viewer_in_session,
    visibility_condition,
)
from bibob_desk.services.assessment import ASSESSMENT_FIELDS, reassess_after_change
from bibob_desk.services.context import AppContext
from bibob_desk.services.decisions import require_not_decided
from bibob_desk.services.identity import is_postgresql
from bibob_desk.storage.conflicts import retry_lost_races
from bibob_desk.storage.models import (
    Case,
    CaseParty,
    Party,
    TimelineEntry,
    utcnow,
)

CASE_FIELD_LABELS = {
    "title": "titel",
    "area": "toepassingsgebied",
    "organisation": "organisatie",
    "officer": "behandelaar",
    "application_date": "aanvraagdatum",
    "bouwsom": "bouwsom",
    "street": "straat",
    "house_number": "huisnummer",
    "postcode": "postcode",
    "city": "plaats",
    "phase": "fase",
}


@dataclass(frozen=True)
class PartyView:
    link_id: int
    party_id: int
    kind: str
    name: str
    role: str
    kvk_number: str | None
    birth_date: date | None
    street: str
    house_number: str
    postcode: str | None
    city: str

    @property
    def role_label(self) -> str:
        return PARTY_ROLE_LABELS.get(PartyRole(self.role), self.role)

    @property
    def address(self) -> str:
        return format_address(self.street, self.house_number, self.postcode, self.city)


@dataclass(frozen=True)
class TimelineView:
    id: int
    occurred_at: datetime
    user: str
    kind: str
    text: str


@dataclass(frozen=True)
class DocumentView:
    id: int
    doc_type: str
    title: str
    filename: str
    status: str
    created_at: datetime
    author: str


@dataclass(frozen=True)
class CaseView:
    id: int
    reference: str
    title: str
    area: str
    organisation: str
    officer: str
    phase: str
    application_date: date
    bouwsom: Decimal | None
    street: str
    house_number: str
    postcode: str | None
    city: str
    outcome: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    parties: tuple[PartyView, ...] = ()
    timeline: tuple[TimelineView, ...] = ()
    documents: tuple[DocumentView, ...] = ()

    @property
    def area_label(self) -> str:
        return area_label(self.area)

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(Phase(self.phase), self.phase)

    @property
    def address(self) -> str:
        return format_address(self.street, self.house_number, self.postcode, self.city)

    @property
    def applicant(self) -> PartyView | None:
        return next((p for p in self.parties if p.role == PartyRole.AANVRAGER), None)

    def editable_fields(self) -> dict[str, Any]:
        """The values as ``validate_case_fields`` takes them (for forms and conflict checks)."""
        return {
            "title": self.title,
            "area": self.area,
            "organisation": self.organisation,
            "officer": self.officer,
            "application_date": self.application_date,
            "bouwsom": self.bouwsom,
            "street": self.street,
            "house_number": self.house_number,
            "postcode": self.postcode,
            "city": self.city,
            "phase": self.phase,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "title": self.title,
            "area": self.area,
            "area_label": self.area_label,
            "phase": self.phase,
            "organisation": self.organisation,
            "officer": self.officer,
            "application_date": self.application_date.isoformat(),
            "bouwsom": money_to_json(self.bouwsom),
            "street": self.street,
            "house_number": self.house_number,
            "postcode": self.postcode,
            "city": self.city,
            "outcome": self.outcome,
            "version": self.version,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
            "parties": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "role": p.role,
                    "kvk_number": p.kvk_number,
                    "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                    "street": p.street,
                    "house_number": p.house_number,
                    "postcode": p.postcode,
                    "city": p.city,
                }
                for p in self.parties
            ],
            "timeline": [
                {
                    "occurred_at": t.occurred_at.isoformat(timespec="seconds"),
                    "user": t.user,
                    "kind": t.kind,
                    "text": t.text,
                }
                for t in self.timeline
            ],
            "documents": [
                {"type": d.doc_type, "title": d.title, "status": d.status, "filename": d.filename}
                for d in self.documents
            ],
        }


def format_address(street: str, house_number: str, postcode: str | None, city: str) -> str:
    first = " ".join(part for part in (street, house_number) if part)
    second = "  ".join(part for part in (postcode or "", city) if part)
    return ", ".join(part for part in (first, second) if part)


@dataclass(frozen=True)
class LinkableParty:
    """A party of another visible case that looks like the same person or company."""

    party_id: int
    name: str
    kvk_number: str | None
    case_reference: str


@dataclass(frozen=True)
class PartyInput:
    """A party as typed: validated by ``validate_party_input``."""

    name: str
    role: str = PartyRole.AANVRAGER.value
    kind: str = PartyKind.LEGAL_ENTITY.value
    kvk_number: str = ""
    birth_date: str = ""
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    city: str = ""


@dataclass(frozen=True)
class ValidParty:
    name: str
    role: PartyRole
    kind: PartyKind
    kvk_number: str | None
    birth_date: date | None
    street: str
    house_number: str
    postcode: str | None
    city: str


def validate_party_input(data: PartyInput) -> ValidParty:
    errors: list[ValidationError] = []
    # A NUL byte is never meant (PostgreSQL text refuses it): dropped from every field.
    data = replace(
        data,
        **{
            name: value.replace("\x00", "")
            for name, value in vars(data).items()
            if isinstance(value, str)
        },
    )
    name = data.name.strip()
    if not name:
        errors.append(ValidationError("Vul de naam van de betrokkene in.", "name"))
    role = PartyRole.OVERIG
    kind = PartyKind.LEGAL_ENTITY
    kvk: str | None = None
    birth: date | None = None
    postcode: str | None = None
    try:
        role = parse_party_role(data.role)
    except ValidationError as exc:
        errors.append(exc)
    try:
        kind = parse_party_kind(data.kind)
    except ValidationError as exc:
        errors.append(exc)
    if data.kvk_number.strip():
        try:
            kvk = parse_kvk_number(data.kvk_number)
        except ValidationError as exc:
            errors.append(exc)
    if data.birth_date.strip():
        try:
            birth = parse_date(data.birth_date, "birth_date")
            if birth > date.today():
                errors.append(
                    ValidationError(
                        "Een geboortedatum kan niet in de toekomst liggen.", "birth_date"
                    )
                )
        except ValidationError as exc:
            errors.append(exc)
    if data.postcode.strip():
        try:
            postcode = parse_postcode(data.postcode)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationErrors(errors)
    return ValidParty(
        name=name,
        role=role,
        kind=kind,
        kvk_number=kvk,
        birth_date=birth,
        street=data.street.strip(),
        house_number=data.house_number.strip(),
        postcode=postcode,
        city=data.city.strip(),
    )


@dataclass
class CaseFilter:
    """What the case list shows: all fields are optional and combine with AND."""

    phases: Sequence[str] = ()
    areas: Sequence[str] = ()
    officers: Sequence[str] = ()
    outcomes: Sequence[str] = ()
    search: str = ""
    visible_case_ids: frozenset[int] | None = None  # set by access rules; None = no limit
    extra: dict[str, Any] = field(default_factory=dict)


SORTABLE_COLUMNS = {
    "reference": Case.reference,
    "title": Case.title,
    "area": Case.area,
    "phase": Case.phase,
    "officer": Case.officer,
    "application_date": Case.application_date,
    "bouwsom": Case.bouwsom,
    "postcode": Case.postcode,
    "outcome": Case.outcome,
    "nearest_deadline": Case.nearest_deadline,
    "updated_at": Case.updated_at,
}


# Every key CaseService.list(order_by=...) understands.
SORT_KEYS = frozenset(SORTABLE_COLUMNS) | {"applicant"}


def applicant_name_column(case: Any = Case) -> Any:
    """The (first) applicant's name as a correlated subquery: evaluated only for rows fetched.
    ``case``: the cases table or an alias of it."""
    return (
        select(Party.name)
        .join(CaseParty, CaseParty.party_id == Party.id)
        .where(CaseParty.case_id == case.id, CaseParty.role == PartyRole.AANVRAGER.value)
        .order_by(CaseParty.id)
        .limit(1)
        .scalar_subquery()
    )


def next_reference(session: Session, year: int) -> str:
    """Hand out the next BIB-YYYY-NNNN; the counter row is locked so two officers never clash."""
    from bibob_desk.storage.conflicts import allocate_sequence

    # One atomic upsert: parallel registrations never read the same number (storage/conflicts).
    return str(CaseReference(year, allocate_sequence(session, year)))


def _apply_fields(case: Case, fields: CaseFields) -> None:
    case.title = fields.title
    case.area = fields.area
    case.organisation = fields.organisation
    case.officer = fields.officer
    case.application_date = fields.application_date
    case.bouwsom = fields.bouwsom
    case.street = fields.street
    case.house_number = fields.house_number
    case.postcode = fields.postcode
    case.city = fields.city
    case.phase = fields.phase.value


def _field_changes(case: Case, fields: CaseFields) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    new_values = {
        "title": fields.title,
        "area": fields.area,
        "organisation": fields.organisation,
        "officer": fields.officer,
        "application_date": fields.application_date,
        "bouwsom": fields.bouwsom,
        "street": fields.street,
        "house_number": fields.house_number,
        "postcode": fields.postcode,
        "city": fields.city,
        "phase": fields.phase.value,
    }
    for name, new in new_values.items():
        old = getattr(case, name)
        if old != new:
            changes[name] = (old, new)
    return changes


def describe_value(value: Any) -> str:
    if value is None or value == "":
        return "(leeg)"
    if isinstance(value, Decimal):
        from bibob_desk.domain.money import format_money

        return format_money(value)
    if isinstance(value, date):
        from bibob_desk.domain.values import format_date_nl

        return format_date_nl(value)
    return str(value)


def describe_changes(changes: Mapping[str, tuple[Any, Any]]) -> str:
    return "; ".join(
        f"{CASE_FIELD_LABELS.get(name, name)}: {describe_value(old)} → {describe_value(new)}"
        for name, (old, new) in changes.items()
    )


class CaseService:
    """Open, read, edit and search case files."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    # --- reading -------------------------------------------------------------------------

    def get(self, reference: str) -> CaseView:
        """One case with everything in it; refused when not visible, logged as a view.

        On PostgreSQL the user, the case, its parties, timeline and documents come in one
        statement (``services/case_json.py``) and the audit entry in a second one, appended by
        the server and committed on its own (autocommit): two network round trips instead of
        twelve. A refusal is logged too."""
        ref = str(CaseReference.parse(reference))
        db = self.context.db
        try:
            if is_postgresql(db):
                from bibob_desk.services.case_json import load_case_view

                with db.read_session() as session:
                    view = load_case_view(session, self.context.user, ref)
                    with audit.session_for_read_entry(db, session) as log:
                        audit.record(log, self.context.user, audit.VIEW, view.reference)
                    return view
            with db.session() as session:
                view = to_view(self._load_visible(session, ref))
                audit.record(session, self.context.user, audit.VIEW, view.reference)
                return view
        except (NotFoundError, PermissionDenied) as exc:
            audit.record_refusal(self.context, audit.VIEW, str(exc), ref)
            raise

    def get_by_id(self, case_id: int) -> CaseView:
        try:
            with self.context.db.session() as session:
                case = session.get(Case, case_id)
                if case is None or case.destroyed_at is not None:
                    raise case_not_available(f"nr. {case_id}")
                require_case_access(session, self._viewer(session), case)
                audit.record(session, self.context.user, audit.VIEW, case.reference)
                return to_view(case)
        except (NotFoundError, PermissionDenied) as exc:
            audit.record_refusal(self.context, audit.VIEW, str(exc))
            raise

    def can_see(self, reference: str) -> bool:
        """Whether this user may open the case (not logged as a view: nothing is shown)."""
        ref = str(CaseReference.parse(reference))
        with self.context.db.session() as session:
            case = session.execute(
                select(Case).where(Case.reference == ref, Case.destroyed_at.is_(None))
            ).scalar_one_or_none()
            return case is not None and may_see_case(session, self._viewer(session), case)

    def _viewer(self, session: Session) -> Viewer:
        return viewer_in_session(session, self.context.user)

    def _load_visible(self, session: Session, reference: str) -> Case:
        """``_load`` plus the access rule (services/access.py): a case the user may not see
        gets the same answer as one that does not exist."""
        case = self._load(session, reference)
        require_case_access(session, self._viewer(session), case)
        return case

    def _load(self, session: Session, reference: str) -> Case:
        case = session.execute(
            select(Case)
            .where(Case.reference == reference)
            .options(
                selectinload(Case.parties).selectinload(CaseParty.party),
                selectinload(Case.timeline),
                selectinload(Case.documents),
            )
        ).scalar_one_or_none()
        if case is None or case.destroyed_at is not None:
            raise case_not_available(reference)
        return case

    def list(
        self,
        case_filter: CaseFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order_by: str = "reference",
        descending: bool = False,
    ) -> builtins.list[CaseView]:
        with self.context.db.session() as session:
            query = filtered_case_query(case_filter or CaseFilter())
            query = query.where(visibility_condition(self._viewer(session)))
            column = (
                applicant_name_column()
                if order_by == "applicant"
                else SORTABLE_COLUMNS.get(order_by, Case.reference)
            )
            # Empty values last in both directions, the same on SQLite and PostgreSQL.
            ordered = column.desc() if descending else column.asc()
            query = query.order_by(ordered.nulls_last(), Case.id)
            if offset:
                query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            cases = session.execute(
                query.options(selectinload(Case.parties).selectinload(CaseParty.party))
            ).scalars()
            views = [to_view(c, with_timeline=False) for c in cases]
            if not offset:
                # One entry per request (the first page; scrolling on is the same request).
                audit.record_list_view(
                    session, self.context.user, "zaken", len(views), case_filter, limiet=limit
                )
            return views

    def count(self, case_filter: CaseFilter | None = None) -> int:
        with self.context.db.session() as session:
            query = filtered_case_query(case_filter or CaseFilter())
            query = query.where(visibility_condition(self._viewer(session)))
            return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()

    def officers(self) -> builtins.list[str]:
        """Names for the behandelaar filter: the active medewerkers (users table) and the
        officers of the cases this user may see; nothing for someone who assigns no cases."""
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            if not may_assign(viewer):
                return []
            names = set(active_officers(session))
            names.update(
                session.execute(
                    select(Case.officer)
                    .where(Case.officer != "", visibility_condition(viewer))
                    .distinct()
                ).scalars()
            )
            return sorted(names)

    def assignable_officers(self) -> builtins.list[str]:
        """Who may be chosen as behandelaar: active users with the medewerker role."""
        with self.context.db.session() as session:
            if not may_assign(self._viewer(session)):
                return []
            return active_officers(session)

    # --- writing -------------------------------------------------------------------------

    def open_case(
        self, raw_fields: Mapping[str, object], parties: Sequence[PartyInput] = ()
    ) -> CaseView:
        """Register a new case (intake). Everything is validated before anything is written.

        A registration that lost a race for the write lock (SQLite's stale snapshot) or hit a
        deadlock or serialization failure (PostgreSQL) is retried as a whole."""
        fields = validate_case_fields(raw_fields)
        valid_parties = [validate_party_input(p) for p in parties]
        return retry_lost_races(
            lambda: self._open_case_once(fields, valid_parties, raw_fields), busy_attempts=5
        )

    def _open_case_once(
        self,
        fields: CaseFields,
        valid_parties: Sequence[ValidParty],
        raw_fields: Mapping[str, object],
    ) -> CaseView:
        with self.context.db.session() as session:
            # The counter first: on SQLite this write takes the write lock (waiting for it with
            # busy_timeout) before anything is read, so no stale snapshot can refuse it later.
            reference = next_reference(session, fields.application_date.year)
            officer = self._officer_for_new_case(session, fields.officer)
            case = Case(reference=reference)
            _apply_fields(case, fields)
            case.officer = officer
            session.add(case)
            session.flush()
            for party in valid_parties:
                _link_party(session, case, party)
            session.add(
                TimelineEntry(
                    case=case,
                    user=self.context.user,
                    kind="gebeurtenis",
                    text=f"Zaak {reference} geregistreerd.",
                )
            )
            audit.record(session, self.context.user, audit.CASE_OPENED, reference)
            _after_change(session, case, self.context.user, parties_changed=True)
            reassess_after_change(session, case, self.context.user, raw_fields)
            session.flush()
            session.refresh(case)
            return to_view(self._load(session, reference))

    def _officer_for_new_case(self, session: Session, chosen: str) -> str:
        """The behandelaar of a new case: a checked name. A medewerker registers on their own
        name (then hands the case over if needed); a team lead assigns anyone."""
        viewer = self._viewer(session)
        if not chosen:
            return viewer.username if viewer.username in active_officers(session) else ""
        officer = check_officer(session, chosen)
        if officer != viewer.username and not viewer.sees_all_cases:
            raise ValidationError(
                "U registreert een nieuwe zaak op uw eigen naam; draag haar daarna over aan een "
                "collega (Behandelaar wijzigen).",
                "officer",
            )
        return officer

    def update_case(
        self, reference: str, raw_fields: Mapping[str, object], expected_version: int
    ) -> CaseView:
        """Save edited fields; refused when someone else saved the case since it was read.

        A changed behandelaar is a handover (the GUI asks for confirmation first): the new one
        must be an active medewerker, and it is written last, after everything else the user
        may still do in the case."""
        fields = validate_case_fields(raw_fields)
        with self.context.db.session() as session:
            case = self._load_visible(session, reference)
            if case.version != expected_version:
                raise ConflictError(_conflict_message(case))
            changes = _field_changes(case, fields)
            handover = changes.pop("officer", None)
            if handover is not None:
                self._check_handover(session, handover[1])
            if "phase" in changes:
                # Phases move only through the workflow, which checks each step (and logs it).
                raise ValidationError(
                    "De fase wijzigt u via het tabblad Procedure; daar controleert Bibob Desk "
                    "of de stap is toegestaan. Er is niets opgeslagen.",
                    "phase",
                )
            if not changes and handover is None:
                return to_view(case)
            if changes:
                # A decided case keeps the facts its besluit was taken on (handing it over to
                # another behandelaar is no change of facts).
                require_not_decided(case)
            old_officer = case.officer
            _apply_fields(case, fields)
            case.officer = old_officer  # a handover is written last (_hand_over)
            if changes:
                if ASSESSMENT_FIELDS & changes.keys():
                    reassess_after_change(session, case, self.context.user, raw_fields)
                session.add(
                    TimelineEntry(
                        case=case,
                        user=self.context.user,
                        kind="wijziging",
                        text="Gewijzigd: " + describe_changes(changes),
                    )
                )
                audit.record(
                    session,
                    self.context.user,
                    audit.CHANGE,
                    case.reference,
                    {
                        "wijzigingen": [
                            {"veld": name, "oud": old, "nieuw": new}
                            for name, (old, new) in changes.items()
                        ]
                    },
                )
            try:
                session.flush()
            except StaleDataError as exc:
                session.rollback()
                with self.context.db.session() as fresh:
                    raise ConflictError(_conflict_message(self._load(fresh, reference))) from exc
            _after_change(session, case, self.context.user, parties_changed=False)
            view = to_view(self._load(session, reference))
            if handover is not None:
                return self._hand_over(session, case, handover[1], view)
            return view

    def assign(self, reference: str, officer: str) -> CaseView:
        """Hand a case to another behandelaar (``bibob-desk cases assign``; the caller asked
        for confirmation). Returns the case as it was just before the handover."""
        ref = str(CaseReference.parse(reference))
        with self.context.db.session() as session:
            case = self._load_visible(session, ref)
            wanted = officer.strip()
            if wanted == case.officer:
                return to_view(case)
            self._check_handover(session, wanted)
            return self._hand_over(session, case, wanted, to_view(case))

    def _check_handover(self, session: Session, officer: str) -> None:
        viewer = self._viewer(session)
        if not may_assign(viewer):
            raise PermissionDenied("Alleen een medewerker Bibob of teamleider wijst zaken toe.")
        check_officer(session, officer)

    def _hand_over(self, session: Session, case: Case, officer: str, view: CaseView) -> CaseView:
        """Timeline and audit first (the user may still write in the case), the officer last:
        after that a medewerker no longer sees the case, here and on PostgreSQL."""
        old = case.officer
        audit.record_case_event(
            session,
            case,
            self.context.user,
            audit.CHANGE,
            f"Behandelaar gewijzigd: {describe_value(old)} → {officer}.",
            {"wijzigingen": [{"veld": "officer", "oud": old, "nieuw": officer}]},
            timeline_kind="wijziging",
        )
        session.flush()
        version = case.version + 1
        viewer = self._viewer(session)
        still_visible = viewer.sees_all_cases or may_see_case(
            session, viewer, _with_officer(case, officer)
        )
        if session.get_bind().dialect.name == "postgresql":
            # The server checks the new row against what the officer may read: the handover
            # is one function there (storage/pg_security.py, bibob_hand_over).
            from bibob_desk.storage.pg_security import hand_over

            hand_over(session.connection(), case.id, officer)
            session.expire(case)
        else:
            case.officer = officer
            session.flush()
        if still_visible:  # a team lead (or the new behandelaar) still sees it
            session.expire(case, ["timeline"])  # the event was added by case_id
            return to_view(self._load(session, case.reference))
        return replace(view, officer=officer, version=version)

    def add_party(self, reference: str, party: PartyInput) -> CaseView:
        valid = validate_party_input(party)
        with self.context.db.session() as session:
            case = self._load_visible(session, reference)
            require_not_decided(case, "De betrokkenen van deze zaak")
            link = _link_party(session, case, valid)
            audit.record(
                session,
                self.context.user,
                audit.PARTY_ADDED,
                case.reference,
                {"naam": valid.name, "rol": valid.role.value},
            )
            session.add(
                TimelineEntry(
                    case=case,
                    user=self.context.user,
                    kind="wijziging",
                    text=f"Betrokkene toegevoegd: {valid.name} ({PARTY_ROLE_LABELS[valid.role]}).",
                )
            )
            _touch(case)
            session.flush()
            _after_change(session, case, self.context.user, parties_changed=True)
            del link
            return to_view(self._load(session, reference))

    def linkable_parties(self, reference: str) -> builtins.list[LinkableParty]:
        """Parties of *other* cases this user may see that share a KvK number, or a name and
        date of birth, with a party of this case: candidates for ``link_party``."""
        ref = str(CaseReference.parse(reference))
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            case = self._load_visible(session, ref)
            own = [cp.party for cp in case.parties]
            kvks = {p.kvk_number for p in own if p.kvk_number}
            births = {p.birth_date for p in own if p.birth_date}
            if not kvks and not births:
                return []
            rows = session.execute(
                select(Party, Case.reference)
                .join(CaseParty, CaseParty.party_id == Party.id)
                .join(Case, Case.id == CaseParty.case_id)
                .where(
                    Case.id != case.id,
                    Case.destroyed_at.is_(None),
                    visibility_condition(viewer),
                    (Party.kvk_number.in_(kvks) if kvks else false())
                    | (Party.birth_date.in_(births) if births else false()),
                )
                .order_by(Case.reference, Party.id)
            ).all()
            own_ids = {p.id for p in own}
            found: dict[int, LinkableParty] = {}
            for party, other in rows:
                same = any(
                    (party.kvk_number and party.kvk_number == p.kvk_number)
                    or (
                        party.birth_date
                        and party.birth_date == p.birth_date
                        and party.name.casefold() == p.name.casefold()
                    )
                    for p in own
                )
                if same and party.id not in own_ids and party.id not in found:
                    found[party.id] = LinkableParty(party.id, party.name, party.kvk_number, other)
            return list(found.values())

    def link_party(self, reference: str, party_id: int, role: str) -> CaseView:
        """Link a party already known in another case (the same legal person), deliberately.

        Allowed only for someone who may see this case and a case the party is in; what
        another case holds is never copied into this one otherwise."""
        ref = str(CaseReference.parse(reference))
        party_role = parse_party_role(role)
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            case = self._load_visible(session, ref)
            require_not_decided(case, "De betrokkenen van deze zaak")
            party = session.get(Party, party_id)
            seen_in = (
                session.execute(
                    select(Case.reference)
                    .join(CaseParty, CaseParty.case_id == Case.id)
                    .where(CaseParty.party_id == party_id, visibility_condition(viewer))
                    .limit(1)
                ).scalar_one_or_none()
                if party is not None
                else None
            )
            if party is None or seen_in is None:
                raise NotFoundError("Deze betrokkene bestaat niet of u heeft er geen toegang toe.")
            _add_link(session, case, party, party_role, party.name)
            record_text = (
                f"Betrokkene gekoppeld: {party.name} ({PARTY_ROLE_LABELS[party_role]}), dezelfde "
                f"als in zaak {seen_in}."
            )
            audit.record(
                session,
                self.context.user,
                audit.PARTY_ADDED,
                case.reference,
                {"naam": party.name, "rol": party_role.value, "gekoppeld_uit": seen_in},
            )
            session.add(
                TimelineEntry(case=case, user=self.context.user, kind="wijziging", text=record_text)
            )
            _touch(case)
            session.flush()
            _after_change(session, case, self.context.user, parties_changed=True)
            return to_view(self._load(session, ref))

    def remove_party(self, reference: str, link_id: int) -> CaseView:
        with self.context.db.session() as session:
            case = self._load_visible(session, reference)
            require_not_decided(case, "De betrokkenen van deze zaak")
            link = next((cp for cp in case.parties if cp.id == link_id), None)
            if link is None:
                raise NotFoundError("Deze betrokkene hoort niet (meer) bij de zaak.")
            audit.record(
                session,
                self.context.user,
                audit.PARTY_REMOVED,
                case.reference,
                {"naam": link.party.name, "rol": link.role},
            )
            case.parties.remove(link)
            if not any(cp.party_id == link.party_id for cp in case.parties):
                # Relations recorded in this case with this party lose their meaning (issue 18).
                from bibob_desk.storage.models import PartyRelation

                session.execute(
                    delete(PartyRelation).where(
                        PartyRelation.case_id == case.id,
                        (PartyRelation.from_party_id == link.party_id)
                        | (PartyRelation.to_party_id == link.party_id),
                    )
                )
            session.add(
                TimelineEntry(
                    case=case,
                    user=self.context.user,
                    kind="wijziging",
                    text=f"Betrokkene verwijderd: {link.party.name} ({link.role}).",
                )
            )
            _touch(case)
            session.flush()
            _after_change(session, case, self.context.user, parties_changed=True)
            return to_view(self._load(session, reference))

    def add_note(self, reference: str, text: str, occurred_at: datetime | None = None) -> CaseView:
        if not text.strip():
            raise ValidationError("Een notitie mag niet leeg zijn.", "text")
        with self.context.db.session() as session:
            case = self._load_visible(session, reference)
            audit.record(session, self.context.user, audit.NOTE_ADDED, case.reference)
            session.add(
                TimelineEntry(
                    case=case,
                    user=self.context.user,
                    kind="notitie",
                    text=text.strip(),
                    occurred_at=occurred_at or utcnow(),
                )
            )
            session.flush()
            return to_view(self._load(session, reference))


def _after_change(session: Session, case: Case, user: str, *, parties_changed: bool) -> None:
    """Workflow hooks: match article 26 tips to the parties, recompute the nearest deadline."""
    from bibob_desk.services.tips import match_case_to_tips
    from bibob_desk.services.workflow import refresh_deadlines

    session.flush()
    if parties_changed:
        match_case_to_tips(session, case, user)
    refresh_deadlines(session, case, date.today())
    session.flush()


def _with_officer(case: Case, officer: str) -> Case:
    """A detached stand-in of the case as it will be after a handover (for the access rule)."""
    return Case(id=case.id, reference=case.reference, officer=officer)


def _touch(case: Case) -> None:
    """Mark the case changed so its version moves on (a party edit is an edit of the case)."""
    case.updated_at = utcnow()


def _conflict_message(case: Case) -> str:
    last = max(case.timeline, key=lambda t: t.occurred_at, default=None)
    what = f" Laatste wijziging door {last.user}: {last.text}" if last else ""
    return (
        f"Zaak {case.reference} is intussen door iemand anders gewijzigd (versie {case.version})."
        f"{what} Uw wijzigingen zijn niet opgeslagen; open de zaak opnieuw en voer ze nogmaals in."
    )


def _link_party(session: Session, case: Case, valid: ValidParty) -> CaseParty:
    """A new party row with exactly what the officer typed.

    An existing party with the same KvK number is never reused silently: it may belong to a
    case this officer may not see (its name and address would leak into this case), and it
    would replace what the officer typed. Linking the same legal person across cases is the
    deliberate ``CaseService.link_party`` by someone who may see both cases."""
    party = Party(
        kind=valid.kind.value,
        name=valid.name,
        kvk_number=valid.kvk_number,
        birth_date=valid.birth_date,
        street=valid.street,
        house_number=valid.house_number,
        postcode=valid.postcode,
        city=valid.city,
    )
    session.add(party)
    session.flush()
    return _add_link(session, case, party, valid.role, valid.name)


def _add_link(session: Session, case: Case, party: Party, role: PartyRole, name: str) -> CaseParty:
    for existing in case.parties:
        if existing.party_id == party.id and existing.role == role.value:
            raise ValidationError(
                f"{name} staat al als {PARTY_ROLE_LABELS[role].lower()} in deze zaak.", "role"
            )
    link = CaseParty(case=case, party=party, role=role.value)
    session.add(link)
    return link


def filtered_case_query(case_filter: CaseFilter) -> Select[Case]:
    query = select(Case).where(Case.destroyed_at.is_(None))
    if case_filter.phases:
        query = query.where(Case.phase.in_(list(case_filter.phases)))
    if case_filter.areas:
        query = query.where(Case.area.in_(list(case_filter.areas)))
    if case_filter.officers:
        query = query.where(Case.officer.in_(list(case_filter.officers)))
    if case_filter.outcomes:
        query = query.where(Case.outcome.in_(list(case_filter.outcomes)))
    if case_filter.visible_case_ids is not None:
        query = query.where(Case.id.in_(list(case_filter.visible_case_ids)))
    text = case_filter.search.strip()
    if text:
        query = query.where(search_condition(text))
    return query


def search_condition(text: str) -> Any:
    """Reference, title, party name, KvK number or address contains the text (case-insensitive).

    Answered from the search index (storage/search.py), the same one the overview uses.
    """
    from bibob_desk.storage.search import case_search_condition

    return case_search_condition(Case.id, text)


def to_view(case: Case, *, with_timeline: bool = True) -> CaseView:
    return CaseView(
        id=case.id,
        reference=case.reference,
        title=case.title,
        area=case.area,
        organisation=case.organisation,
        officer=case.officer,
        phase=case.phase,
        application_date=case.application_date,
        bouwsom=case.bouwsom,
        street=case.street,
        house_number=case.house_number,
        postcode=case.postcode,
        city=case.city,
        outcome=case.outcome,
        created_at=case.created_at,
        updated_at=case.updated_at,
        version=case.version,
        parties=tuple(
            PartyView(
                link_id=cp.id,
                party_id=cp.party.id,
                kind=cp.party.kind,
                name=cp.party.name,
                role=cp.role,
                kvk_number=cp.party.kvk_number,
                birth_date=cp.party.birth_date,
                street=cp.party.street,
                house_number=cp.party.house_number,
                postcode=cp.party.postcode,
                city=cp.party.city,
            )
            for cp in case.parties
        ),
        timeline=tuple(
            TimelineView(t.id, t.occurred_at, t.user, t.kind, t.text) for t in case.timeline
        )
        if with_timeline
        else (),
        documents=tuple(
            DocumentView(d.id, d.doc_type, d.title, d.filename, d.status, d.created_at, d.author)
            for d in case.documents
        )
        if with_timeline
        else (),
    )
