"""Recorded decisions (``case_decisions``): read-only decided cases, reopening, the record.

A case is *decided* once its besluit is recorded (``Case.decision_date`` set). From then on its
facts (area, bouwsom, location, dates, parties, risk tags) are read-only and it is never
re-assessed: the besluit was taken on those facts (see ``domain.decisions``). A team lead may
reopen it with a reason; the reopening is logged and shown on the timeline, and marks the
decision row (who, when, why) without rewriting it or any earlier assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.decisions import Voorschrift, voorschriften_from_json
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.values import format_date_nl
from bibob_desk.storage.models import Case, CaseDecision, Document

AUDIT_REOPEN = "zaak_heropenen"


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    decision: str
    decided_on: date
    motivation: str
    voorschriften: tuple[Voorschrift, ...]
    recorded_by: str
    recorded_at: datetime
    reopened_at: datetime | None
    reopened_by: str | None
    reopen_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "decided_on": self.decided_on.isoformat(),
            "motivation": self.motivation,
            "voorschriften": [v.to_json() for v in self.voorschriften],
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(timespec="seconds"),
            "reopened_at": (
                self.reopened_at.isoformat(timespec="seconds") if self.reopened_at else None
            ),
            "reopened_by": self.reopened_by,
            "reopen_reason": self.reopen_reason,
        }


def to_record(row: CaseDecision) -> DecisionRecord:
    return DecisionRecord(
        id=row.id,
        decision=row.decision,
        decided_on=row.decided_on,
        motivation=row.motivation,
        voorschriften=voorschriften_from_json(row.voorschriften),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        reopened_at=row.reopened_at,
        reopened_by=row.reopened_by,
        reopen_reason=row.reopen_reason,
    )


def is_decided(case: Case) -> bool:
    return case.decision_date is not None


def active_decision(session: Session, case: Case) -> CaseDecision | None:
    """The recorded decision in force (the newest row not marked as reopened)."""
    return session.execute(
        select(CaseDecision)
        .where(CaseDecision.case_id == case.id, CaseDecision.reopened_at.is_(None))
        .order_by(CaseDecision.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def decision_history(session: Session, case: Case) -> list[DecisionRecord]:
    rows = session.execute(
        select(CaseDecision).where(CaseDecision.case_id == case.id).order_by(CaseDecision.id)
    ).scalars()
    return [to_record(row) for row in rows]


def require_not_decided(case: Case, what: str = "De gegevens van deze zaak") -> None:
    """Refuse a change to a decided case, naming the way out (reopening by a team lead)."""
    if is_decided(case):
        assert case.decision_date is not None
        raise ValidationError(
            f"{what} kunnen niet meer worden gewijzigd: op {format_date_nl(case.decision_date)} "
            f"is besloten, op de gegevens zoals ze toen waren. Een teamleider kan de zaak "
            f"heropenen met een reden (bibob-desk cases reopen {case.reference} --reason ...).",
            "decision",
        )


def withdraw_concept_approvals(session: Session, case: Case) -> int:
    """The conclusion or decision changed: approvals of concept besluit and intern advies
    letters covered the old one, so they lapse (four-eyes) and the letters are back in the
    team leads' approval queue. Returns how many lapsed."""
    rows = session.execute(
        select(Document).where(
            Document.case_id == case.id,
            Document.doc_type.in_(("besluit", "intern_advies")),
            Document.status == "concept",
            Document.approved_by.is_not(None),
        )
    ).scalars()
    count = 0
    for doc in rows:
        doc.approved_by = None
        doc.approved_at = None
        doc.approved_fingerprint = None
        count += 1
    return count
