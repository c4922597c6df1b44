"""Assess a case's applicability with the policy in force on its application date, keep the history.

Each assessment is stored with the inputs it used (assessments table) and the latest outcome is
copied to Case.outcome so lists can filter on it. When an input changes (area, bouwsom, postcode,
application date, risk tags, the tip flag) the case is assessed again; older assessments stay.

Other services call ``reassess(session, case, user)`` inside their own transaction after they
changed one of those inputs (the tip register sets Case.tip_flag, the case form edits the fields).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.applicability import (
    OUTCOME_LABELS,
    RULE_LABELS,
    Assessment,
    AssessmentInputs,
    Outcome,
    Rule,
    assess,
    missing_bouwsom_error,
    needs_bouwsom,
    parse_risk_tags,
)
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import Policy, policy_in_force
from bibob_desk.domain.values import CaseReference
from bibob_desk.services.access import viewer_in_session, visible_case_by_reference
from bibob_desk.services.audit import record
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import policy_in_force_in
from bibob_desk.storage.models import Assessment as AssessmentRow
from bibob_desk.storage.models import Case, TimelineEntry

# The case fields the outcome depends on (besides risk tags and the tip flag).
ASSESSMENT_FIELDS = frozenset({"area", "bouwsom", "postcode", "application_date"})


@dataclass(frozen=True)
class AssessmentView:
    id: int
    assessed_at: datetime
    assessed_by: str
    outcome: str
    rule: str
    reasons: tuple[str, ...]
    inputs: dict[str, Any]
    policy_name: str
    policy_version: str
    policy_effective_from: date

    @property
    def outcome_label(self) -> str:
        try:
            return OUTCOME_LABELS[Outcome(self.outcome)]
        except ValueError:
            return self.outcome

    @property
    def rule_label(self) -> str:
        try:
            return RULE_LABELS[Rule(self.rule)]
        except ValueError:
            return self.rule

    def to_json(self) -> dict[str, Any]:
        return {
            "assessed_at": self.assessed_at.isoformat(timespec="seconds"),
            "assessed_by": self.assessed_by,
            "outcome": self.outcome,
            "rule": self.rule,
            "reasons": list(self.reasons),
            "inputs": self.inputs,
            "policy": {
                "name": self.policy_name,
                "version": self.policy_version,
                "effective_from": self.policy_effective_from.isoformat(),
            },
        }


def _view(row: AssessmentRow) -> AssessmentView:
    return AssessmentView(
        id=row.id,
        assessed_at=row.assessed_at,
        assessed_by=row.assessed_by,
        outcome=row.outcome,
        rule=row.rule,
        reasons=tuple(json.loads(row.reasons)),
        inputs=json.loads(row.inputs),
        policy_name=row.policy_name,
        policy_version=row.policy_version,
        policy_effective_from=row.policy_effective_from,
    )


def case_risk_tags(case: Case) -> tuple[str, ...]:
    return parse_risk_tags(case.risk_tags or "")


def case_inputs(case: Case) -> AssessmentInputs:
    """The assessment inputs as they stand on the case."""
    return AssessmentInputs(
        area=case.area,
        application_date=case.application_date,
        bouwsom=Decimal(case.bouwsom).quantize(Decimal("0.01"))
        if case.bouwsom is not None
        else None,
        postcode=case.postcode or None,
        risk_tags=case_risk_tags(case),
        tip=bool(case.tip_flag),
    )


def latest_row(session: Session, case_id: int) -> AssessmentRow | None:
    return session.execute(
        select(AssessmentRow)
        .where(AssessmentRow.case_id == case_id)
        .order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def assess_case(
    session: Session, case: Case, policies: Sequence[Policy] | None = None
) -> Assessment:
    """Assess without storing (strict: refuses when no policy is in force or the bouwsom lacks).

    ``policies`` lets a caller that assesses many cases (the register import) read the stored
    versions once instead of once per case.
    """
    inputs = case_inputs(case)
    policy = (
        policy_in_force(policies, inputs.application_date)
        if policies is not None
        else policy_in_force_in(session, inputs.application_date)
    )
    if inputs.bouwsom is None and needs_bouwsom(policy, inputs.area):
        raise missing_bouwsom_error(inputs.area)
    return assess(policy, inputs)


def assessment_values(result: Assessment, user: str) -> dict[str, Any]:
    """The columns of a stored assessment (also written in bulk by the register import)."""
    return {
        "assessed_by": user,
        "outcome": result.outcome.value,
        "rule": result.rule.value,
        "reasons": json.dumps(list(result.reasons), ensure_ascii=False),
        "inputs": json.dumps(result.inputs.to_json(), sort_keys=True),
        "policy_name": result.policy.name,
        "policy_version": result.policy.version,
        "policy_effective_from": result.policy.effective_from,
    }


def assessment_note(result: Assessment) -> str:
    """The timeline entry that goes with a stored assessment."""
    return (
        f"Toepasbaarheid getoetst: {result.outcome_label} (regel {result.rule.value}; "
        f"beleid {result.policy.name}, versie {result.policy.version})."
    )


def reassess(
    session: Session,
    case: Case,
    user: str,
    *,
    force: bool = False,
    strict: bool = False,
    policies: Sequence[Policy] | None = None,
) -> AssessmentView | None:
    """Assess ``case`` again inside the caller's session when its inputs or policy changed.

    Returns the new assessment, or None when nothing changed (and ``force`` is off) or when the
    case cannot be assessed (no policy in force on its application date, or a missing bouwsom):
    then Case.outcome is cleared, because an earlier outcome no longer fits the inputs. With
    ``strict`` that situation raises the Dutch ValidationError instead.
    """
    # No autoflush while reading: the caller's edits and the new outcome then reach the database
    # in one UPDATE, so the case's version moves on once per save.
    with session.no_autoflush:
        try:
            result = assess_case(session, case, policies)
        except ValidationError:
            if strict:
                raise
            case.outcome = None
            return None
        last = latest_row(session, case.id) if case.id is not None else None
    inputs_json = json.dumps(result.inputs.to_json(), sort_keys=True)
    if (
        not force
        and last is not None
        and json.dumps(json.loads(last.inputs), sort_keys=True) == inputs_json
        and (last.policy_name, last.policy_version) == (result.policy.name, result.policy.version)
    ):
        if case.outcome != last.outcome:
            case.outcome = last.outcome
        return None
    case.outcome = result.outcome.value
    session.flush()  # a case registered in this session gets its id
    row = AssessmentRow(case_id=case.id, **assessment_values(result, user))
    session.add(row)
    session.add(
        TimelineEntry(case_id=case.id, user=user, kind="gebeurtenis", text=assessment_note(result))
    )
    session.flush()
    # No audit entry here: the change that caused this re-assessment is logged by its own
    # service, and the assessment row itself records who, when and with what inputs.
    return _view(row)


def reassess_after_change(
    session: Session, case: Case, user: str, raw_fields: Mapping[str, object] | None = None
) -> AssessmentView | None:
    """The hook for CaseService.open_case/update_case: take risk tags from the form data (only
    the intake wizard and the assessment panel send them), then re-assess if anything changed."""
    if raw_fields is not None and "risk_tags" in raw_fields:
        raw = raw_fields["risk_tags"]
        tags = parse_risk_tags(raw if isinstance(raw, str) or raw is None else _strings(raw))
        case.risk_tags = ",".join(tags)
    return reassess(session, case, user)


def _strings(values: object) -> list[str]:
    if isinstance(values, Iterable):
        return [str(v) for v in values]
    return [str(values)]


class AssessmentService:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    def _case(self, session: Session, reference: str) -> Case:
        """The case, if this user may see it (its assessments hold its inputs)."""
        ref = str(CaseReference.parse(reference))
        return visible_case_by_reference(
            session, viewer_in_session(session, self.context.user), ref
        )

    def history(self, reference: str) -> list[AssessmentView]:
        """Every assessment of the case, newest first."""
        with self.context.db.session() as session:
            case = self._case(session, reference)
            rows = session.execute(
                select(AssessmentRow)
                .where(AssessmentRow.case_id == case.id)
                .order_by(AssessmentRow.assessed_at.desc(), AssessmentRow.id.desc())
            ).scalars()
            return [_view(row) for row in rows]

    def current(self, reference: str) -> AssessmentView | None:
        with self.context.db.session() as session:
            case = self._case(session, reference)
            row = latest_row(session, case.id)
            return _view(row) if row is not None else None

    def inputs(self, reference: str) -> AssessmentInputs:
        with self.context.db.session() as session:
            return case_inputs(self._case(session, reference))

    def reassess(self, reference: str) -> AssessmentView:
        from bibob_desk.services.decisions import require_not_decided

        """ "Opnieuw toetsen": always records a new assessment, or says in Dutch why it cannot."""
        with self.context.db.session() as session:
            case = self._case(session, reference)
            # A decided case is never re-assessed (services/decisions.py).
            require_not_decided(case, "De toetsing en de gegevens van deze zaak")
            view = reassess(session, case, self.context.user, force=True, strict=True)
            assert view is not None  # force and strict: either a new row or an exception
            record(
                session,
                self.context.user,
                "toetsen",
                case.reference,
                {"outcome": view.outcome, "rule": view.rule, "policy_version": view.policy_version},
            )
            return view

    def set_risk_tags(self, reference: str, tags: Iterable[str] | str) -> AssessmentView | None:
        """Change the case's risk tags and re-assess; None when nothing changed."""
        from bibob_desk.services.decisions import require_not_decided

        with self.context.db.session() as session:
            case = self._case(session, reference)
            normal = ",".join(parse_risk_tags(tags))
            if normal == (case.risk_tags or ""):
                return None
            require_not_decided(case, "De risicocategorieën van deze zaak")
            old = case.risk_tags or "(geen)"
            case.risk_tags = normal
            session.add(
                TimelineEntry(
                    case_id=case.id,
                    user=self.context.user,
                    kind="wijziging",
                    text=f"Risicocategorieën gewijzigd: {old} → {normal or '(geen)'}.",
                )
            )
            record(
                session,
                self.context.user,
                "wijzigen",
                case.reference,
                {"risk_tags": [old, normal]},
            )
            return reassess(session, case, self.context.user)
