"""The article 26 tip register: add, edit and list tips, and match incoming tips to cases.

Tip contents are Bibob-confidential (Wet Bibob art. 28): only a medewerker Bibob or a
teamleider may see or write them, and every read of tip contents is audited ("tip_inzien").
Need-to-know: a teamleider sees every tip; a medewerker the tips linked to a case they may see
and the tips they registered themselves while unlinked (``access.tip_visibility_condition``).

An incoming tip whose subject matches a party of a case (same KvK number, or same name and
date of birth) flags the case, links the tip to it and asks the applicability assessment to
look again; a tip is a reason to investigate, never by itself a ground to refuse. That happens
at once only when the acting user may see both the tip and the case. Every other match (a tip
on another officer's case, a party added to one's own case that matches a tip one may not see)
is left to the team leads: ``TipService.pending_links`` finds them, ``link`` makes the link
(logged). The officer's answer is the same whether or not anything matched.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.roles import Role
from bibob_desk.domain.tips import (
    COUNTERPART_KIND_LABELS,
    DIRECTION_LABELS,
    CounterpartKind,
    TipDirection,
    guess_counterpart_kind,
    parse_counterpart_kind,
    parse_direction,
    subject_matches,
)
from bibob_desk.domain.values import CaseReference, format_date_nl, parse_date, parse_kvk_number
from bibob_desk.services import audit
from bibob_desk.services.access import (
    Viewer,
    may_see_case,
    not_available,
    require_role,
    tip_visibility_condition,
    viewer_in_session,
    visibility_condition,
    visible_case_by_reference,
)
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Case, CaseParty, Party, TimelineEntry, Tip, utcnow

AUDIT_TIP_ADDED = "tip_toevoegen"
AUDIT_TIP_CHANGED = "tip_wijzigen"
TIP_ENTRY_KIND = "tip"
MAX_TEXT = 4000


@dataclass(frozen=True)
class TipInput:
    """A tip as typed (strings); checked by ``validate_tip``."""

    direction: str
    received_on: str | date
    counterpart: str
    subject_name: str
    counterpart_kind: str = ""
    subject_kvk: str = ""
    subject_birth_date: str | date = ""
    summary: str = ""
    confidentiality_note: str = ""
    case_reference: str = ""
    follow_up: str = ""


@dataclass(frozen=True)
class ValidTip:
    direction: TipDirection
    received_on: date
    counterpart: str
    counterpart_kind: CounterpartKind
    subject_name: str
    subject_kvk: str | None
    subject_birth_date: date | None
    summary: str
    confidentiality_note: str
    case_reference: str | None
    follow_up: str


@dataclass(frozen=True)
class TipView:
    id: int
    received_on: date
    direction: str
    counterpart: str
    counterpart_kind: str
    subject_name: str
    subject_kvk: str | None
    subject_birth_date: date | None
    summary: str
    confidentiality_note: str
    case_reference: str | None
    follow_up: str
    created_by: str
    created_at: datetime

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS[TipDirection(self.direction)]

    @property
    def counterpart_kind_label(self) -> str:
        try:
            return COUNTERPART_KIND_LABELS[CounterpartKind(self.counterpart_kind)]
        except ValueError:
            return self.counterpart_kind

    def to_input(self) -> TipInput:
        return TipInput(
            direction=self.direction,
            received_on=self.received_on,
            counterpart=self.counterpart,
            counterpart_kind=self.counterpart_kind,
            subject_name=self.subject_name,
            subject_kvk=self.subject_kvk or "",
            subject_birth_date=self.subject_birth_date or "",
            summary=self.summary,
            confidentiality_note=self.confidentiality_note,
            case_reference=self.case_reference or "",
            follow_up=self.follow_up,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.received_on.isoformat(),
            "direction": self.direction,
            "counterpart": self.counterpart,
            "counterpart_kind": self.counterpart_kind,
            "subject": self.subject_name,
            "kvk": self.subject_kvk,
            "birth_date": self.subject_birth_date.isoformat() if self.subject_birth_date else None,
            "summary": self.summary,
            "confidentiality_note": self.confidentiality_note,
            "case": self.case_reference,
            "follow_up": self.follow_up,
            "created_by": self.created_by,
        }


def _as_date(value: str | date, field: str) -> date:
    return value if isinstance(value, date) else parse_date(value, field)


def validate_tip(data: TipInput, today: date | None = None) -> ValidTip:
    """Check every field and report all errors at once (Dutch)."""
    errors: list[ValidationError] = []
    today = today or date.today()
    direction = TipDirection.INKOMEND
    received = today
    kind = CounterpartKind.BESTUURSORGAAN
    kvk: str | None = None
    birth: date | None = None
    reference: str | None = None
    try:
        direction = parse_direction(data.direction)
    except ValidationError as exc:
        errors.append(exc)
    if isinstance(data.received_on, str) and not data.received_on.strip():
        errors.append(ValidationError("Vul de datum van de tip in.", "received_on"))
    else:
        try:
            received = _as_date(data.received_on, "received_on")
            if received > today:
                errors.append(
                    ValidationError("De datum van de tip kan niet in de toekomst liggen.", "date")
                )
        except ValidationError as exc:
            errors.append(exc)
    counterpart = " ".join(data.counterpart.split())
    if not counterpart:
        errors.append(
            ValidationError("Vul in van of aan welke organisatie de tip is.", "counterpart")
        )
    if data.counterpart_kind.strip():
        try:
            kind = parse_counterpart_kind(data.counterpart_kind)
        except ValidationError as exc:
            errors.append(exc)
    else:
        kind = guess_counterpart_kind(counterpart)
    subject = " ".join(data.subject_name.split())
    if not subject:
        errors.append(
            ValidationError("Vul in over welke persoon of onderneming de tip gaat.", "subject")
        )
    if data.subject_kvk.strip():
        try:
            kvk = parse_kvk_number(data.subject_kvk)
        except ValidationError as exc:
            errors.append(exc)
    if isinstance(data.subject_birth_date, date) or data.subject_birth_date.strip():
        try:
            birth = _as_date(data.subject_birth_date, "birth_date")
            if birth > today:
                errors.append(
                    ValidationError("Een geboortedatum kan niet in de toekomst liggen.", "birth")
                )
        except ValidationError as exc:
            errors.append(exc)
    if data.case_reference.strip():
        try:
            reference = str(CaseReference.parse(data.case_reference))
        except ValidationError as exc:
            errors.append(exc)
    for name, text in (
        ("summary", data.summary),
        ("confidentiality_note", data.confidentiality_note),
        ("follow_up", data.follow_up),
    ):
        if len(text) > MAX_TEXT:
            errors.append(ValidationError(f"De tekst is langer dan {MAX_TEXT} tekens.", name))
    if errors:
        raise ValidationErrors(errors)
    return ValidTip(
        direction=direction,
        received_on=received,
        counterpart=counterpart,
        counterpart_kind=kind,
        subject_name=subject,
        subject_kvk=kvk,
        subject_birth_date=birth,
        summary=data.summary.strip(),
        confidentiality_note=data.confidentiality_note.strip(),
        case_reference=reference,
        follow_up=data.follow_up.strip(),
    )


def to_tip_view(tip: Tip, reference: str | None) -> TipView:
    return TipView(
        id=tip.id,
        received_on=tip.received_on,
        direction=tip.direction,
        counterpart=tip.counterpart,
        counterpart_kind=tip.counterpart_kind,
        subject_name=tip.subject_name,
        subject_kvk=tip.subject_kvk,
        subject_birth_date=tip.subject_birth_date,
        summary=tip.summary,
        confidentiality_note=tip.confidentiality_note,
        case_reference=reference,
        follow_up=tip.follow_up,
        created_by=tip.created_by,
        created_at=tip.created_at,
    )


# --- matching -------------------------------------------------------------------------------


def _reassess(session: Session, case: Case, user: str) -> None:
    """Let the applicability assessment take the tip into account, if that module exists."""
    try:
        from bibob_desk.services import assessment  # written in parallel; optional
    except ImportError:
        return
    reassess = getattr(assessment, "reassess", None)
    if reassess is not None:
        reassess(session, case, user)


def _already_noted(session: Session, case: Case, tip: Tip) -> bool:
    marker = f"(tip nr. {tip.id})"
    return (
        session.execute(
            select(TimelineEntry.id).where(
                TimelineEntry.case_id == case.id,
                TimelineEntry.kind == TIP_ENTRY_KIND,
                TimelineEntry.text.contains(marker),
            )
        ).first()
        is not None
    )


def _flag(session: Session, case: Case, tip: Tip, user: str, party_name: str) -> bool:
    """Flag and link; returns False when this tip was already noted on this case."""
    if tip.case_id is None:
        tip.case_id = case.id
    if _already_noted(session, case, tip):
        return False
    case.tip_flag = True
    # The timeline is visible to everyone with access to the case: no tip contents here.
    session.add(
        TimelineEntry(
            case_id=case.id,
            user=user,
            kind=TIP_ENTRY_KIND,
            text=(
                f"Een inkomende tip komt overeen met betrokkene {party_name} (tip nr. {tip.id}). "
                "Zie het tipregister; een tip is aanleiding voor onderzoek, geen "
                "weigeringsgrond."
            ),
        )
    )
    audit.record(
        session, user, "tip_koppelen", case.reference, {"tip": tip.id, "betrokkene": party_name}
    )
    return True


def _parties_of(session: Session, case: Case) -> list[Party]:
    return list(
        session.execute(
            select(Party)
            .join(CaseParty, CaseParty.party_id == Party.id)
            .where(CaseParty.case_id == case.id)
        ).scalars()
    )


def _acting_viewer(session: Session, user: str) -> Viewer:
    return viewer_in_session(session, user)


def match_case_to_tips(session: Session, case: Case, user: str) -> list[int]:
    """After a case is opened or its parties change: flag it for the matching incoming tips
    this user may see; matches with other tips wait for a team lead (``pending_links``)."""
    viewer = _acting_viewer(session, user)
    if not may_see_case(session, viewer, case):
        return []
    parties = _parties_of(session, case)
    kvks = {p.kvk_number for p in parties if p.kvk_number}
    births = {p.birth_date for p in parties if p.birth_date}
    if not kvks and not births:
        return []
    conditions = []
    if kvks:
        conditions.append(Tip.subject_kvk.in_(kvks))
    if births:
        conditions.append(Tip.subject_birth_date.in_(births))
    candidates = session.execute(
        select(Tip)
        .where(
            Tip.direction == TipDirection.INKOMEND.value,
            or_(*conditions),
            tip_visibility_condition(viewer),
        )
        .order_by(Tip.id)
    ).scalars()
    matched: list[int] = []
    changed = False
    for tip in candidates:
        party = next(
            (
                p
                for p in parties
                if subject_matches(
                    tip.subject_name,
                    tip.subject_kvk,
                    tip.subject_birth_date,
                    p.name,
                    p.kvk_number,
                    p.birth_date,
                )
            ),
            None,
        )
        if party is None:
            continue
        matched.append(tip.id)
        changed = _flag(session, case, tip, user, party.name) or changed
    if changed:
        session.flush()
        _reassess(session, case, user)
    return matched


def match_tip_to_cases(session: Session, tip: Tip, user: str) -> list[str]:
    """After an incoming tip is added or edited: flag every case with a matching party that
    this user may see. Matches on other cases are left for a team lead (``pending_links``):
    nothing here tells the user they exist."""
    if tip.direction != TipDirection.INKOMEND.value:
        return []
    viewer = _acting_viewer(session, user)
    conditions = []
    if tip.subject_kvk:
        conditions.append(Party.kvk_number == tip.subject_kvk)
    if tip.subject_birth_date:
        conditions.append(Party.birth_date == tip.subject_birth_date)
    if not conditions:
        return []
    rows = session.execute(
        select(Case, Party)
        .join(CaseParty, CaseParty.case_id == Case.id)
        .join(Party, Party.id == CaseParty.party_id)
        .where(Case.destroyed_at.is_(None), or_(*conditions), visibility_condition(viewer))
        .order_by(Case.id)
    ).all()
    references: list[str] = []
    for case, party in rows:
        if case.reference in references:
            continue
        if not subject_matches(
            tip.subject_name,
            tip.subject_kvk,
            tip.subject_birth_date,
            party.name,
            party.kvk_number,
            party.birth_date,
        ):
            continue
        references.append(case.reference)
        if _flag(session, case, tip, user, party.name):
            session.flush()
            _reassess(session, case, user)
    return references


@dataclass(frozen=True)
class PendingLink:
    """A match between an incoming tip and a case that nobody linked yet: for team leads."""

    tip_id: int
    tip_subject: str
    received_on: date
    tip_registered_by: str
    case_reference: str
    case_officer: str
    party_name: str

    def to_json(self) -> dict[str, Any]:
        return {
            "tip": self.tip_id,
            "subject": self.tip_subject,
            "date": self.received_on.isoformat(),
            "registered_by": self.tip_registered_by,
            "case": self.case_reference,
            "officer": self.case_officer,
            "party": self.party_name,
        }


_NOTED = re.compile(r"\(tip nr\. (\d+)\)")


def pending_links(session: Session) -> list[PendingLink]:
    """Every (incoming tip, case) pair whose subject matches a party of the case and that was
    not flagged on the case yet. Reads every tip and case: call it for team leads only."""
    rows: list[Any] = []
    for condition in (
        Party.kvk_number == Tip.subject_kvk,
        Party.birth_date == Tip.subject_birth_date,
    ):
        rows += session.execute(
            select(Tip, Case.id, Case.reference, Case.officer, Party)
            .join(Party, condition)
            .join(CaseParty, CaseParty.party_id == Party.id)
            .join(Case, Case.id == CaseParty.case_id)
            .where(Tip.direction == TipDirection.INKOMEND.value, Case.destroyed_at.is_(None))
        ).all()
    candidates: dict[tuple[int, int], PendingLink] = {}
    for tip, case_id, reference, officer, party in rows:
        if tip.case_id == case_id or (tip.id, case_id) in candidates:
            continue
        if not subject_matches(
            tip.subject_name,
            tip.subject_kvk,
            tip.subject_birth_date,
            party.name,
            party.kvk_number,
            party.birth_date,
        ):
            continue
        candidates[(tip.id, case_id)] = PendingLink(
            tip.id,
            tip.subject_name,
            tip.received_on,
            tip.created_by,
            reference,
            officer,
            party.name,
        )
    if not candidates:
        return []
    noted: set[tuple[int, int]] = set()
    case_ids = sorted({case_id for _, case_id in candidates})
    for start in range(0, len(case_ids), 500):
        entries = session.execute(
            select(TimelineEntry.case_id, TimelineEntry.text).where(
                TimelineEntry.kind == TIP_ENTRY_KIND,
                TimelineEntry.case_id.in_(case_ids[start : start + 500]),
            )
        ).all()
        for case_id, entry_text in entries:
            noted.update((int(number), case_id) for number in _NOTED.findall(entry_text))
    pending = [link for key, link in candidates.items() if key not in noted]
    return sorted(pending, key=lambda p: (p.received_on, p.tip_id, p.case_reference))


# --- the service ----------------------------------------------------------------------------


class TipService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def _require(self) -> None:
        require_role(self.context, Role.MEDEWERKER, Role.TEAMLEIDER)

    def _viewer(self, session: Session) -> Viewer:
        return viewer_in_session(session, self.context.user)

    def add(self, data: TipInput) -> TipView:
        """Register a tip. The answer shows the tip as registered: the same whether or not it
        matched a case (matches the user may not see go to the team leads' list)."""
        self._require()
        valid = validate_tip(data)
        with self.context.db.session() as session:
            case = self._case(session, valid.case_reference)
            tip = Tip(created_by=self.context.user, created_at=utcnow())
            self._apply(tip, valid, case)
            session.add(tip)
            session.flush()
            audit.record(
                session,
                self.context.user,
                AUDIT_TIP_ADDED,
                case.reference if case else None,
                {"tip": tip.id, "richting": tip.direction},
            )
            answer = to_tip_view(tip, case.reference if case else None)
            self._after_write(session, tip, case)
            return answer

    def edit(self, tip_id: int, data: TipInput) -> TipView:
        self._require()
        valid = validate_tip(data)
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            tip = self._visible_tip(session, viewer, tip_id)
            case = self._case(session, valid.case_reference)
            self._apply(tip, valid, case)
            session.flush()
            if not self._sees(session, viewer, tip.id):
                # An officer unlinking someone else's tip would lose it (and so would the file).
                raise ValidationError(
                    "Na deze wijziging zou u de tip niet meer kunnen zien; laat een teamleider de "
                    "koppeling met de zaak wijzigen. Er is niets opgeslagen.",
                    "case_reference",
                )
            audit.record(
                session,
                self.context.user,
                AUDIT_TIP_CHANGED,
                case.reference if case else None,
                {"tip": tip.id},
            )
            answer = to_tip_view(tip, case.reference if case else None)
            self._after_write(session, tip, case)
            return answer

    def get(self, tip_id: int) -> TipView:
        self._require()
        with self.context.db.session() as session:
            tip = self._visible_tip(session, self._viewer(session), tip_id)
            reference = self._reference(session, tip)
            audit.record(
                session, self.context.user, audit.TIP_ACCESS, reference, {"tips": [tip_id]}
            )
            return to_tip_view(tip, reference)

    def list(
        self, direction: str | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[TipView]:
        """The tips this user may see, newest first; reading them is audited with the ids."""
        self._require()
        with self.context.db.session() as session:
            query = (
                select(Tip, Case.reference)
                .outerjoin(Case, Case.id == Tip.case_id)
                .where(tip_visibility_condition(self._viewer(session)))
                .order_by(Tip.received_on.desc(), Tip.id.desc())
            )
            if direction:
                query = query.where(Tip.direction == parse_direction(direction).value)
            if offset:
                query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            views = [to_tip_view(tip, ref) for tip, ref in session.execute(query).all()]
            if views:
                audit.record(
                    session,
                    self.context.user,
                    audit.TIP_ACCESS,
                    None,
                    {"tips": [v.id for v in views]},
                )
            return views

    def count(self, direction: str | None = None) -> int:
        """How many tips this user may see (no contents: not audited as a read)."""
        self._require()
        with self.context.db.session() as session:
            query = (
                select(func.count())
                .select_from(Tip)
                .where(tip_visibility_condition(self._viewer(session)))
            )
            if direction:
                query = query.where(Tip.direction == parse_direction(direction).value)
            return session.execute(query).scalar_one()

    # --- the team leads' list of tips to link ---------------------------------------------------

    def pending_links(self) -> builtins.list[PendingLink]:
        """Matches nobody linked yet, for team leads ("te koppelen"); reading them is audited."""
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            pending = pending_links(session)
            if pending:
                audit.record(
                    session,
                    self.context.user,
                    audit.TIP_ACCESS,
                    None,
                    {"te_koppelen": sorted({p.tip_id for p in pending})},
                )
            return pending

    def count_pending_links(self) -> int:
        require_role(self.context, Role.TEAMLEIDER)
        with self.context.db.session() as session:
            return len(pending_links(session))

    def link(self, tip_id: int, reference: str) -> TipView:
        """A team lead links a tip to a case: the case is flagged (timeline in the team lead's
        name, without the tip's contents), the tip gets the case when it had none, logged."""
        require_role(self.context, Role.TEAMLEIDER)
        ref = str(CaseReference.parse(reference))
        with self.context.db.session() as session:
            viewer = self._viewer(session)
            tip = self._visible_tip(session, viewer, tip_id)
            case = visible_case_by_reference(session, viewer, ref)
            party = next(
                (
                    p.name
                    for p in _parties_of(session, case)
                    if subject_matches(
                        tip.subject_name,
                        tip.subject_kvk,
                        tip.subject_birth_date,
                        p.name,
                        p.kvk_number,
                        p.birth_date,
                    )
                ),
                tip.subject_name,
            )
            if _flag(session, case, tip, self.context.user, party):
                session.flush()
                _reassess(session, case, self.context.user)
            session.flush()
            return to_tip_view(tip, self._reference(session, tip))

    # --- internals ----------------------------------------------------------------------------

    def _sees(self, session: Session, viewer: Viewer, tip_id: int) -> bool:
        found = session.execute(
            select(Tip.id).where(Tip.id == tip_id, tip_visibility_condition(viewer))
        ).first()
        return found is not None

    def _visible_tip(self, session: Session, viewer: Viewer, tip_id: int) -> Tip:
        tip = session.get(Tip, tip_id)
        if tip is None or not self._sees(session, viewer, tip_id):
            raise not_available(f"Tip {tip_id}")
        return tip

    def _case(self, session: Session, reference: str | None) -> Case | None:
        """The case named on the tip: one the user may see (the same answer for a case that
        does not exist and one that is not theirs)."""
        if reference is None:
            return None
        return visible_case_by_reference(session, self._viewer(session), reference)

    @staticmethod
    def _apply(tip: Tip, valid: ValidTip, case: Case | None) -> None:
        tip.received_on = valid.received_on
        tip.direction = valid.direction.value
        tip.counterpart = valid.counterpart
        tip.counterpart_kind = valid.counterpart_kind.value
        tip.subject_name = valid.subject_name
        tip.subject_kvk = valid.subject_kvk
        tip.subject_birth_date = valid.subject_birth_date
        tip.summary = valid.summary
        tip.confidentiality_note = valid.confidentiality_note
        tip.follow_up = valid.follow_up
        tip.case_id = case.id if case else None

    def _after_write(self, session: Session, tip: Tip, case: Case | None) -> None:
        session.flush()
        if (
            case is not None
            and tip.direction == TipDirection.INKOMEND.value
            and _flag(session, case, tip, self.context.user, tip.subject_name)
        ):
            session.flush()
            _reassess(session, case, self.context.user)
        match_tip_to_cases(session, tip, self.context.user)
        session.flush()

    @staticmethod
    def _reference(session: Session, tip: Tip) -> str | None:
        if tip.case_id is None:
            return None
        case = session.get(Case, tip.case_id)
        return case.reference if case else None


def describe_tip_short(tip: TipView) -> str:
    """One line for lists: date, direction, counterpart and subject."""
    return (
        f"{format_date_nl(tip.received_on)}  {tip.direction_label.lower()}  {tip.counterpart}: "
        f"{tip.subject_name}"
    )
