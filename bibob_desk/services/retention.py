"""Destroying closed files after the retention period, keeping only anonymous counts.

A team lead lists the closed cases (phase gesloten or ingetrokken) whose retention period
(setting ``retention.years_after_closing``) has passed and destroys them. Destruction removes the
personal data: party links, parties that appear in no other case, timeline texts, documents and
their export records, assessments, suspensions and shares; tips stay in the tip register but lose
their link to the case. The case row keeps only its reference (never reused), area, phase and
outcome, and is marked ``destroyed_at``. One anonymous row per case goes to
``anonymous_case_counts`` for the annual figures, and the destruction is logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.retention import (
    CLOSED_PHASES,
    closing_date_bound,
    destruction_due_on,
    is_due,
    parse_retention_years,
    retention_rule,
)
from bibob_desk.domain.roles import Role
from bibob_desk.domain.values import CaseReference, format_date_nl
from bibob_desk.services import audit
from bibob_desk.services.access import require_role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import (
    AnonymousCaseCount,
    Assessment,
    Case,
    CaseParty,
    CaseShare,
    Document,
    DocumentExport,
    ImportedCase,
    Party,
    PartyRelation,
    Suspension,
    TimelineEntry,
    Tip,
    utcnow,
)

DESTROYED_TITLE = "(vernietigd)"


@dataclass(frozen=True)
class RetentionCandidate:
    reference: str
    title: str
    area: str
    phase: str
    officer: str
    closed_on: date
    due_on: date

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "title": self.title,
            "area": self.area,
            "phase": self.phase,
            "officer": self.officer,
            "closed_on": self.closed_on.isoformat(),
            "due_on": self.due_on.isoformat(),
        }


@dataclass(frozen=True)
class DestructionReport:
    references: tuple[str, ...]
    parties_removed: int
    documents_removed: int
    timeline_removed: int


def retention_years(context: AppContext) -> int:
    from bibob_desk.services.settings import SettingsService

    return parse_retention_years(SettingsService(context).get("retention.years_after_closing"))


def _closing_date(case: Case) -> date:
    """``closed_on``; for older data without it, the last change (never earlier than closing)."""
    if case.closed_on is not None:
        return case.closed_on
    return case.updated_at.date()


def _due_query(years: int, today: date) -> Any:
    bound = closing_date_bound(years, today)
    return (
        select(Case)
        .where(
            Case.destroyed_at.is_(None),
            Case.phase.in_([p.value for p in CLOSED_PHASES]),
            or_(
                Case.closed_on < bound,
                and_(Case.closed_on.is_(None), Case.updated_at < datetime.combine(bound, time())),
            ),
        )
        .order_by(Case.reference)
    )


def due_for_destruction(context: AppContext, today: date | None = None) -> list[RetentionCandidate]:
    """Closed cases past the retention period (team leads only: they see every case)."""
    try:
        require_role(context, Role.TEAMLEIDER)
    except PermissionDenied as exc:
        audit.record_refusal(context, audit.RETENTION_VIEW, str(exc))
        raise
    years = retention_years(context)
    day = today or date.today()
    with context.db.session() as session:
        found: list[RetentionCandidate] = []
        for case in session.execute(_due_query(years, day)).scalars():
            closed = _closing_date(case)
            if is_due(closed, years, day):
                found.append(
                    RetentionCandidate(
                        case.reference,
                        case.title,
                        case.area,
                        case.phase,
                        case.officer,
                        closed,
                        destruction_due_on(closed, years),
                    )
                )
        detail: dict[str, Any] = {"zaken": len(found), "bewaartermijn_jaren": years}
        if today is not None:
            detail["peildatum_opgegeven"] = day.isoformat()  # an override such as --today
        audit.record(session, context.user, audit.RETENTION_VIEW, None, detail)
        return found


def destroy_cases(context: AppContext, references: Iterable[str]) -> DestructionReport:
    """Destroy the given cases in one transaction; refused as a whole if any is not yet due.

    Always against the real date: a "what if" date exists for the list only, never for
    destruction (a backdated destruction would destroy files the Archiefwet requires kept)."""
    require_role(context, Role.TEAMLEIDER)
    refs = [str(CaseReference.parse(r)) for r in references]
    if not refs:
        raise ValidationError("Kies ten minste één zaak om te vernietigen.", "references")
    years = retention_years(context)
    rule = retention_rule(years)
    day = date.today()
    totals = [0, 0, 0]
    with context.db.session() as session:
        cases = []
        for ref in dict.fromkeys(refs):
            case = session.execute(select(Case).where(Case.reference == ref)).scalar_one_or_none()
            if case is None:
                raise NotFoundError(f"Zaak {ref} bestaat niet.")
            if case.destroyed_at is not None:
                raise ValidationError(f"Zaak {ref} is al vernietigd.", "references")
            if case.phase not in CLOSED_PHASES:
                raise ValidationError(
                    f"Zaak {ref} is niet gesloten of ingetrokken en mag niet worden vernietigd.",
                    "references",
                )
            closed = _closing_date(case)
            if not is_due(closed, years, day):
                raise ValidationError(
                    f"Zaak {ref} mag nog niet worden vernietigd: de bewaartermijn van {years} jaar "
                    f"loopt tot {format_date_nl(destruction_due_on(closed, years))}.",
                    "references",
                )
            cases.append(case)
        for case in cases:
            counts = _destroy(session, case)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            audit.record(
                session,
                context.user,
                audit.DESTRUCTION,
                case.reference,
                {
                    "regel": rule,
                    "bewaartermijn_jaren": years,
                    "gesloten_op": _closing_date(case).isoformat(),
                    "vernietigbaar_vanaf": destruction_due_on(
                        _closing_date(case), years
                    ).isoformat(),
                    "peildatum": day.isoformat(),
                    "betrokkenen": counts[0],
                    "documenten": counts[1],
                    "tijdlijnregels": counts[2],
                },
            )
    return DestructionReport(tuple(c.reference for c in cases), *totals)


def _destroy(session: Session, case: Case) -> tuple[int, int, int]:
    lbb = session.execute(
        select(exists().where(Suspension.case_id == case.id, Suspension.reason == "lbb_advies"))
    ).scalar_one()
    closed = _closing_date(case)
    session.add(
        AnonymousCaseCount(
            year=case.application_date.year,
            area=case.area,
            outcome=case.outcome,
            conclusion=case.conclusion,
            # A withdrawn application is a result of the screening of its own (annual figures).
            decision="ingetrokken" if case.phase == "ingetrokken" else case.decision,
            lbb_requested=bool(lbb or case.phase == "lbb_advies"),
            lead_time_days=max((closed - case.application_date).days, 0),
        )
    )
    party_ids = set(
        session.execute(select(CaseParty.party_id).where(CaseParty.case_id == case.id)).scalars()
    )
    # Relations recorded in the case (issue 18) go first: they point at its parties.
    session.execute(delete(PartyRelation).where(PartyRelation.case_id == case.id))
    session.execute(delete(CaseParty).where(CaseParty.case_id == case.id))
    orphans = [
        pid
        for pid in party_ids
        if not session.execute(select(exists().where(CaseParty.party_id == pid))).scalar_one()
    ]
    if orphans:
        session.execute(delete(Party).where(Party.id.in_(orphans)))
    doc_ids = select(Document.id).where(Document.case_id == case.id)
    session.execute(delete(DocumentExport).where(DocumentExport.document_id.in_(doc_ids)))
    documents = session.execute(
        select(func.count()).select_from(Document).where(Document.case_id == case.id)
    ).scalar_one()
    session.execute(delete(Document).where(Document.case_id == case.id))
    timeline = session.execute(
        select(func.count()).select_from(TimelineEntry).where(TimelineEntry.case_id == case.id)
    ).scalar_one()
    session.execute(delete(TimelineEntry).where(TimelineEntry.case_id == case.id))
    for table in (Assessment, Suspension, CaseShare):
        session.execute(delete(table).where(table.case_id == case.id))
    session.execute(update(Tip).where(Tip.case_id == case.id).values(case_id=None))
    # The register row's cells (names, addresses) go too; its key stays, so importing the old
    # register again does not bring the destroyed case back.
    session.execute(
        update(ImportedCase).where(ImportedCase.case_id == case.id).values(source_values="{}")
    )
    session.expire(case)
    case.title = DESTROYED_TITLE
    case.organisation = ""
    case.bouwsom = None
    case.street = ""
    case.house_number = ""
    case.postcode = None
    case.city = ""
    case.risk_tags = ""
    case.register_result = ""
    case.tip_flag = False
    case.destroyed_at = utcnow()
    session.flush()
    return len(orphans), documents, timeline
