"""Use cases of the screening workflow: phase moves, conclusion, decision, suspensions, deadlines.

The rules live in ``domain.workflow`` (which move is allowed) and ``domain.deadlines`` (when a
term ends); this module loads a case, asks the domain, stores the result, writes a timeline entry
(kind "fase") and an audit record for every change, and keeps ``Case.nearest_deadline`` current
for the team-lead overview.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.domain.deadlines import (
    URGENCY_LABELS,
    Deadline,
    compute_deadline,
    deadline_label,
    register_reminder,
    urgency,
)
from bibob_desk.domain.decisions import (
    check_decision_content,
    parse_voorschriften,
    voorschriften_json,
)
from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.domain.phases import PHASE_LABELS, PHASES_BEFORE_DECISION, Phase
from bibob_desk.domain.roles import Role
from bibob_desk.domain.values import CaseReference, format_date_nl
from bibob_desk.domain.workflow import (
    CONCLUSION_LABELS,
    DECISION_LABELS,
    GROUND_LABELS,
    LBB_MAX_SUSPENSION,
    SUSPENSION_REASONS,
    Conclusion,
    Decision,
    SuspensionPeriod,
    TransitionCheck,
    WorkflowState,
    available_transitions,
    check_conclusion,
    check_final_decision,
    parse_conclusion,
    parse_decision,
    parse_grounds,
    require_transition,
    suspended_days,
)
from bibob_desk.services import audit
from bibob_desk.services.access import viewer_in_session, visible_case_by_reference
from bibob_desk.services.context import AppContext
from bibob_desk.services.decisions import (
    AUDIT_REOPEN,
    active_decision,
    is_decided,
    require_not_decided,
    withdraw_concept_approvals,
)
from bibob_desk.services.settings import settings_in_session
from bibob_desk.storage.models import (
    Case,
    CaseDecision,
    Document,
    Suspension,
    TimelineEntry,
    utcnow,
)

PHASE_ENTRY_KIND = "fase"
REGISTER_ENTRY_KIND = "register"
DANGER_CONCLUSIONS = frozenset({Conclusion.MINDERE_MATE.value, Conclusion.ERNSTIG_GEVAAR.value})
AUDIT_PHASE = "fase_wijzigen"
AUDIT_CONCLUSION = "conclusie_vastleggen"
AUDIT_DECISION = "besluit_vastleggen"
AUDIT_SENT = "besluit_verzonden"

# Phases in which the decision period of the application still runs.
_DECISION_PERIOD_RUNS = PHASES_BEFORE_DECISION


# --- views ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineView:
    kind: str
    label: str
    start: date
    due: date
    unshifted_due: date
    shifted: bool
    rule: str
    legal_basis: str
    state: str  # te_laat / deze_week / op_tijd

    @property
    def state_label(self) -> str:
        return URGENCY_LABELS[self.state]


@dataclass(frozen=True)
class SuspensionView:
    id: int
    reason: str
    reason_label: str
    start: date
    end: date | None
    max_end: date | None


@dataclass(frozen=True)
class WorkflowView:
    reference: str
    phase: str
    outcome: str | None
    conclusion: str | None
    conclusion_grounds: tuple[str, ...]
    decision: str | None  # the intended decision until decision_date is set
    decision_date: date | None
    decision_sent_date: date | None
    options: tuple[TransitionCheck, ...]
    deadlines: tuple[DeadlineView, ...]
    suspensions: tuple[SuspensionView, ...]
    original_decision_date: date
    shifted_decision_date: date
    suspended_days: int
    decision_period_weeks: int
    tip_flag: bool
    register_consulted_on: date | None = None
    register_result: str = ""
    register_reported_on: date | None = None

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[Phase(self.phase)]

    @property
    def conclusion_label(self) -> str:
        return CONCLUSION_LABELS[Conclusion(self.conclusion)] if self.conclusion else ""

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS[Decision(self.decision)] if self.decision else ""

    @property
    def lbb_pending(self) -> bool:
        return any(s.reason == "lbb_advies" and s.end is None for s in self.suspensions)

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "phase": self.phase,
            "conclusion": self.conclusion,
            "conclusion_grounds": list(self.conclusion_grounds),
            "decision": self.decision,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "decision_sent_date": (
                self.decision_sent_date.isoformat() if self.decision_sent_date else None
            ),
            "original_decision_date": self.original_decision_date.isoformat(),
            "shifted_decision_date": self.shifted_decision_date.isoformat(),
            "suspended_days": self.suspended_days,
            "deadlines": [
                {
                    "kind": d.kind,
                    "due": d.due.isoformat(),
                    "shifted": d.shifted,
                    "rule": d.rule,
                    "state": d.state,
                }
                for d in self.deadlines
            ],
        }


# --- settings and pure-ish helpers over a loaded case --------------------------------------------


def terms_in_session(session: Session) -> dict[str, Any]:
    """The ``terms`` settings (defaults + stored overrides), read inside the caller's session."""
    terms: dict[str, Any] = settings_in_session(session, "terms").get("terms", {})
    return terms


def _positive_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def decision_period_weeks(case: Case, terms: Mapping[str, Any]) -> int:
    """The case's own period, else the area's setting, else the default (8 weeks, Awb 4:13)."""
    own = _positive_int(case.decision_period_weeks)
    if own:
        return own
    per_area = terms.get("decision_period_weeks")
    if isinstance(per_area, Mapping):
        area_weeks = _positive_int(per_area.get(case.area))
        if area_weeks:
            return area_weeks
    return _positive_int(terms.get("decision_period_weeks_default")) or 8


def organisation_terms(case: Case, terms: Mapping[str, Any]) -> dict[str, int]:
    result = {"decision_period_weeks": decision_period_weeks(case, terms)}
    for key in ("zienswijze_weeks", "vragenformulier_weeks"):
        value = _positive_int(terms.get(key))
        if value:
            result[key] = value
    return result


def _suspensions(session: Session, case: Case) -> list[Suspension]:
    return list(
        session.execute(
            select(Suspension).where(Suspension.case_id == case.id).order_by(Suspension.id)
        ).scalars()
    )


def _periods(rows: list[Suspension]) -> list[SuspensionPeriod]:
    return [SuspensionPeriod(s.start_date, s.end_date, s.max_end_date) for s in rows]


def _phase_started_on(session: Session, case: Case) -> date | None:
    entry = session.execute(
        select(TimelineEntry)
        .where(TimelineEntry.case_id == case.id, TimelineEntry.kind == PHASE_ENTRY_KIND)
        .order_by(TimelineEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return entry.occurred_at.date() if entry else None


def _decision_dates(
    case: Case, terms: Mapping[str, int], rows: list[Suspension], today: date
) -> tuple[Deadline, Deadline, int]:
    days = suspended_days(_periods(rows), today)
    original = compute_deadline("beslistermijn", case.application_date, terms=terms)
    shifted = compute_deadline(
        "beslistermijn", case.application_date, terms=terms, suspended_days=days
    )
    return original, shifted, days


def running_deadlines(
    session: Session,
    case: Case,
    today: date,
    settings_terms: Mapping[str, Any] | None = None,
) -> list[Deadline]:
    """Every term that runs for the case now, earliest first.

    ``settings_terms`` lets a caller that handles many cases read the settings once.
    """
    if settings_terms is None:
        settings_terms = terms_in_session(session)
    terms = organisation_terms(case, settings_terms)
    rows = _suspensions(session, case)
    phase = Phase(case.phase)
    found: list[Deadline] = []
    if phase in _DECISION_PERIOD_RUNS:
        found.append(_decision_dates(case, terms, rows, today)[1])
    open_rows = [s for s in rows if s.end_date is None]
    if phase is Phase.VRAGENFORMULIER:
        for row in open_rows:
            if row.reason == "vragenformulier":
                found.append(compute_deadline("vragenformulier", row.start_date, terms=terms))
    if phase is Phase.LBB_ADVIES:
        questions = [s for s in rows if s.reason == "lbb_aanvullende_vragen"]
        paused = suspended_days(_periods(questions), today)
        for row in open_rows:
            if row.reason == "lbb_advies":
                regular = compute_deadline("lbb_advice", row.start_date, suspended_days=paused)
                if regular.due < today:  # the LBB may extend once by 4 weeks (art. 15)
                    regular = compute_deadline(
                        "lbb_advice", row.start_date, extended=True, suspended_days=paused
                    )
                found.append(regular)
    if phase is Phase.ZIENSWIJZE:
        started = _phase_started_on(session, case)
        if started is not None:
            found.append(compute_deadline("zienswijze", started, terms=terms))
    if case.register_reported_on is None:
        reminder = _register_reminder(session, case)
        if reminder is not None:
            found.append(reminder)
    if case.decision_sent_date is not None and phase in (Phase.BESLUIT, Phase.GESLOTEN):
        bezwaar = compute_deadline("bezwaar", case.decision_sent_date)
        if phase is Phase.BESLUIT or bezwaar.due >= today:
            found.append(bezwaar)
    return sorted(found, key=lambda d: d.due)


def _latest_entry_date(session: Session, case: Case, kind: str) -> date | None:
    entry = session.execute(
        select(TimelineEntry)
        .where(TimelineEntry.case_id == case.id, TimelineEntry.kind == kind)
        .order_by(TimelineEntry.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return entry.occurred_at.date() if entry else None


def _register_reminder(session: Session, case: Case) -> Deadline | None:
    """A danger conclusion or a withdrawal that still has to be reported to the register."""
    if case.phase == Phase.INGETROKKEN.value:
        event = case.closed_on or _latest_entry_date(session, case, PHASE_ENTRY_KIND)
        return register_reminder(event, "Terugtrekking") if event else None
    if case.conclusion in DANGER_CONCLUSIONS:
        event = _latest_entry_date(session, case, "conclusie")
        if event is not None:
            label = CONCLUSION_LABELS[Conclusion(case.conclusion)].lower()
            return register_reminder(event, f"Gevaarsconclusie ({label})")
    return None


def refresh_deadlines(
    session: Session,
    case: Case,
    today: date,
    settings_terms: Mapping[str, Any] | None = None,
) -> Deadline | None:
    """Store the nearest running deadline on the case (the overview sorts on it)."""
    deadlines = running_deadlines(session, case, today, settings_terms)
    nearest = deadlines[0] if deadlines else None
    new_date = nearest.due if nearest else None
    new_kind = nearest.kind if nearest else None
    if case.nearest_deadline != new_date or case.nearest_deadline_kind != new_kind:
        case.nearest_deadline = new_date
        case.nearest_deadline_kind = new_kind
    return nearest


def workflow_state(case: Case) -> WorkflowState:
    return WorkflowState(
        phase=Phase(case.phase),
        outcome=case.outcome,
        conclusion=Conclusion(case.conclusion) if case.conclusion else None,
        intended_decision=Decision(case.decision) if case.decision else None,
        decision_taken=case.decision_date is not None,
    )


def build_view(session: Session, case: Case, today: date) -> WorkflowView:
    terms = organisation_terms(case, terms_in_session(session))
    rows = _suspensions(session, case)
    original, shifted, days = _decision_dates(case, terms, rows, today)
    deadlines = tuple(
        DeadlineView(
            kind=d.kind,
            label=deadline_label(d.kind),
            start=d.start,
            due=d.due,
            unshifted_due=d.unshifted_due,
            shifted=d.shifted,
            rule=d.rule,
            legal_basis=d.legal_basis,
            state=urgency(d.due, today),
        )
        for d in running_deadlines(session, case, today)
    )
    return WorkflowView(
        reference=case.reference,
        phase=case.phase,
        outcome=case.outcome,
        conclusion=case.conclusion,
        conclusion_grounds=parse_grounds(case.conclusion_grounds or ""),
        decision=case.decision,
        decision_date=case.decision_date,
        decision_sent_date=case.decision_sent_date,
        options=tuple(available_transitions(workflow_state(case))),
        deadlines=deadlines,
        suspensions=tuple(
            SuspensionView(
                s.id,
                s.reason,
                SUSPENSION_REASONS.get(s.reason, s.reason),
                s.start_date,
                s.end_date,
                s.max_end_date,
            )
            for s in rows
        ),
        original_decision_date=original.due,
        shifted_decision_date=shifted.due,
        suspended_days=days,
        decision_period_weeks=terms["decision_period_weeks"],
        tip_flag=case.tip_flag,
        register_consulted_on=case.register_consulted_on,
        register_result=case.register_result or "",
        register_reported_on=case.register_reported_on,
    )


# --- the service ------------------------------------------------------------------------------


def _entry_time(on: date) -> datetime:
    """Timeline time of an event on ``on``: now when it is today, else noon of that day."""
    now = utcnow()
    return now if on == now.date() else datetime.combine(on, time(12, 0))


class WorkflowService:
    """Move a case through the screening and record conclusion and decision."""

    def __init__(self, context: AppContext, today: date | None = None) -> None:
        self.context = context
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    # --- reading ----------------------------------------------------------------------------

    def get(self, reference: str) -> WorkflowView:
        with self.context.db.session() as session:
            case = self._load(session, reference, write=False)
            return build_view(session, case, self.today)

    # --- moving -----------------------------------------------------------------------------

    def move(
        self, reference: str, target: Phase | str, *, on: date | None = None, note: str = ""
    ) -> WorkflowView:
        """Move the case to ``target`` if the domain allows it; ``on`` is the event date."""
        target_phase = Phase(target)
        event_date = self._check_date(on)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            source = Phase(case.phase)
            check = require_transition(workflow_state(case), target_phase)
            rows = _suspensions(session, case)
            extra = self._side_effects(session, case, source, target_phase, event_date, rows)
            case.phase = target_phase.value
            text = (
                f"Fase {PHASE_LABELS[source].lower()} → {PHASE_LABELS[target_phase].lower()}"
                f" ({format_date_nl(event_date)}). {check.reason}"
            )
            if extra:
                text += f" {extra}"
            if note.strip():
                text += f" Notitie: {note.strip()}"
            self._record(
                session,
                case,
                text,
                AUDIT_PHASE,
                event_date,
                {"van": source.value, "naar": target_phase.value, "datum": event_date.isoformat()},
            )
            return build_view(session, case, self.today)

    def _side_effects(
        self,
        session: Session,
        case: Case,
        source: Phase,
        target: Phase,
        on: date,
        rows: list[Suspension],
    ) -> str:
        """Suspensions and closing dates that go with a move; returns an extra timeline text."""
        open_rows = [s for s in rows if s.end_date is None]
        if target is Phase.VRAGENFORMULIER:
            terms = organisation_terms(case, terms_in_session(session))
            due = compute_deadline("vragenformulier", on, terms=terms).due
            # Awb 4:15 lid 1 onder a: the decision period is suspended from the request to
            # complete the application until it is complete or the term has passed unused.
            session.add(
                Suspension(
                    case_id=case.id,
                    reason="vragenformulier",
                    start_date=on,
                    max_end_date=due,
                    note="Vragenformulier verstuurd",
                )
            )
            return f"Antwoordtermijn tot en met {format_date_nl(due)}; beslistermijn opgeschort."
        if target is Phase.LBB_ADVIES:
            max_end = on + LBB_MAX_SUSPENSION
            session.add(
                Suspension(
                    case_id=case.id,
                    reason="lbb_advies",
                    start_date=on,
                    max_end_date=max_end,
                    note="Advies aangevraagd bij het LBB",
                )
            )
            return (
                "Beslistermijn opgeschort tot de ontvangst van het advies, ten hoogste tot "
                f"{format_date_nl(max_end)} (Wet Bibob art. 31); licht de aanvrager schriftelijk "
                "in (art. 32)."
            )
        closing = target in (Phase.GESLOTEN, Phase.INGETROKKEN)
        for row in open_rows:
            ends_here = (
                closing
                or (source is Phase.VRAGENFORMULIER and row.reason == "vragenformulier")
                or (
                    source is Phase.LBB_ADVIES
                    and row.reason in ("lbb_advies", "lbb_aanvullende_vragen")
                )
            )
            if ends_here:
                if on < row.start_date:
                    raise ValidationError(
                        f"De datum {format_date_nl(on)} ligt vóór het begin van de opschorting "
                        f"({format_date_nl(row.start_date)}).",
                        "on",
                    )
                row.end_date = on
        if closing:
            case.closed_on = on
        if source is Phase.LBB_ADVIES and target is Phase.CONCLUSIE:
            return f"LBB-advies ontvangen op {format_date_nl(on)}; opschorting beëindigd."
        if target is Phase.INGETROKKEN:
            return "Meld de terugtrekking aan het Bibob-register."
        return ""

    def request_lbb_advice(
        self, reference: str, requested_on: date, note: str = ""
    ) -> WorkflowView:
        return self.move(reference, Phase.LBB_ADVIES, on=requested_on, note=note)

    def record_lbb_advice(self, reference: str, received_on: date, note: str = "") -> WorkflowView:
        return self.move(reference, Phase.CONCLUSIE, on=received_on, note=note)

    def withdraw(self, reference: str, on: date, note: str = "") -> WorkflowView:
        return self.move(reference, Phase.INGETROKKEN, on=on, note=note)

    # --- the Bibob-register ----------------------------------------------------------------------

    def record_register_consultation(
        self, reference: str, consulted_on: date, result: str
    ) -> WorkflowView:
        """The register was consulted (at intake) for earlier conclusions on the betrokkenen."""
        on = self._check_date(consulted_on)
        if not result.strip():
            raise ValidationError(
                "Vul de uitkomst van de raadpleging in (bijvoorbeeld 'geen registratie').",
                "result",
            )
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            case.register_consulted_on = on
            case.register_result = result.strip()
            text = f"Bibob-register geraadpleegd op {format_date_nl(on)}: {result.strip()}"
            self._record(
                session,
                case,
                text,
                "register_raadplegen",
                on,
                {"datum": on.isoformat()},
                REGISTER_ENTRY_KIND,
            )
            return build_view(session, case, self.today)

    def record_register_report(self, reference: str, reported_on: date) -> WorkflowView:
        """The danger conclusion or the withdrawal was reported to the register."""
        on = self._check_date(reported_on)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            if _register_reminder(session, case) is None:
                raise ValidationError(
                    "Er is niets te melden: alleen een gevaarsconclusie (mindere mate of ernstig "
                    "gevaar) of een terugtrekking wordt aan het Bibob-register gemeld.",
                    "phase",
                )
            case.register_reported_on = on
            text = f"Gemeld aan het Bibob-register op {format_date_nl(on)}."
            self._record(
                session,
                case,
                text,
                "register_melden",
                on,
                {"datum": on.isoformat()},
                REGISTER_ENTRY_KIND,
            )
            return build_view(session, case, self.today)

    # --- additional questions of the LBB (Wet Bibob art. 15 lid 2) ----------------------------

    def record_lbb_questions(self, reference: str, asked_on: date, note: str = "") -> WorkflowView:
        """The LBB asks the applicant for more information: its advice term waits."""
        on = self._check_date(asked_on)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            lbb, questions = self._lbb_rows(session, case)
            if questions is not None:
                raise ValidationError(
                    "Er staan al aanvullende vragen van het LBB open; leg eerst de antwoorden "
                    "vast.",
                    "on",
                )
            if on < lbb.start_date:
                raise ValidationError(
                    "De vragen kunnen niet vóór de adviesaanvraag zijn gesteld.", "on"
                )
            session.add(
                Suspension(
                    case_id=case.id,
                    reason="lbb_aanvullende_vragen",
                    start_date=on,
                    note=note.strip() or "Aanvullende vragen van het LBB",
                )
            )
            text = (
                f"Het LBB heeft aanvullende vragen gesteld ({format_date_nl(on)}); de "
                "adviestermijn en de beslistermijn wachten tot de antwoorden er zijn (Wet Bibob "
                "art. 15 lid 2)."
            )
            self._record(
                session, case, text, "lbb_vragen", on, {"datum": on.isoformat()}, "opschorting"
            )
            return build_view(session, case, self.today)

    def record_lbb_answers(self, reference: str, answered_on: date, note: str = "") -> WorkflowView:
        """The answers reached the LBB: the pause ends and the maximum suspension moves on."""
        on = self._check_date(answered_on)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            lbb, questions = self._lbb_rows(session, case)
            if questions is None:
                raise ValidationError("Er staan geen aanvullende vragen van het LBB open.", "on")
            if on < questions.start_date:
                raise ValidationError(
                    "De antwoorden kunnen niet vóór de vragen zijn ontvangen.", "on"
                )
            questions.end_date = on
            paused = (on - questions.start_date).days
            if lbb.max_end_date is not None:
                lbb.max_end_date = lbb.max_end_date + timedelta(days=paused)
            text = (
                f"Antwoorden op de vragen van het LBB ontvangen ({format_date_nl(on)}): "
                f"{paused} dagen gewacht."
            )
            if note.strip():
                text += f" Notitie: {note.strip()}"
            self._record(
                session, case, text, "lbb_antwoorden", on, {"datum": on.isoformat()}, "opschorting"
            )
            return build_view(session, case, self.today)

    def _lbb_rows(self, session: Session, case: Case) -> tuple[Suspension, Suspension | None]:
        if Phase(case.phase) is not Phase.LBB_ADVIES:
            raise ValidationError(
                "Aanvullende vragen van het LBB horen bij de fase LBB-advies.", "phase"
            )
        rows = [s for s in _suspensions(session, case) if s.end_date is None]
        lbb = next((s for s in rows if s.reason == "lbb_advies"), None)
        if lbb is None:
            raise ValidationError("Er loopt geen adviesaanvraag bij het LBB.", "phase")
        questions = next((s for s in rows if s.reason == "lbb_aanvullende_vragen"), None)
        return lbb, questions

    # --- conclusion and decision --------------------------------------------------------------

    def record_conclusion(
        self,
        reference: str,
        conclusion: Conclusion | str,
        grounds: str | tuple[str, ...] | list[str],
        intended_decision: Decision | str,
        reason: str = "",
    ) -> WorkflowView:
        value = conclusion if isinstance(conclusion, Conclusion) else parse_conclusion(conclusion)
        intended = (
            intended_decision
            if isinstance(intended_decision, Decision)
            else parse_decision(intended_decision)
        )
        parsed_grounds = parse_grounds(grounds)
        check_conclusion(value, parsed_grounds, intended, reason)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            require_not_decided(case, "De conclusie en de gegevens van deze zaak")
            if Phase(case.phase) not in (Phase.CONCLUSIE, Phase.ZIENSWIJZE):
                raise ValidationError(
                    "De conclusie wordt vastgelegd in de fase conclusie (of na de zienswijze).",
                    "phase",
                )
            case.conclusion = value.value
            case.conclusion_grounds = ",".join(parsed_grounds)
            case.decision = intended.value
            case.decision_date = None
            lapsed = withdraw_concept_approvals(session, case)
            grounds_text = "; ".join(GROUND_LABELS[g] for g in parsed_grounds)
            text = (
                f"Conclusie: {CONCLUSION_LABELS[value].lower()}"
                + (f" ({grounds_text})" if grounds_text else "")
                + f". Voorgenomen besluit: {DECISION_LABELS[intended].lower()}."
            )
            if reason.strip():
                text += f" Motivering: {reason.strip()}"
            self._record(
                session,
                case,
                text,
                AUDIT_CONCLUSION,
                self.today,
                {
                    "conclusie": value.value,
                    "gronden": list(parsed_grounds),
                    "voornemen": intended.value,
                    "goedkeuringen_vervallen": lapsed,
                },
                kind="conclusie",
            )
            return build_view(session, case, self.today)

    def record_decision(
        self,
        reference: str,
        decision: Decision | str,
        decision_date: date,
        sent_date: date | None = None,
        reason: str = "",
        voorschriften: object = (),
    ) -> WorkflowView:
        """Record the besluit with its motivation (Awb 3:46) and voorschriften (art. 3 lid 7
        Wet Bibob) in ``case_decisions``. ``sent_date`` only when an approved, final besluit
        letter exists (see ``record_sent``)."""
        final = decision if isinstance(decision, Decision) else parse_decision(decision)
        decided = self._check_date(decision_date)
        items = parse_voorschriften(voorschriften)
        if sent_date is not None:
            self._check_date(sent_date)
            if sent_date < decided:
                raise ValidationError(
                    "De verzenddatum kan niet vóór de besluitdatum liggen.", "sent_date"
                )
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            if Phase(case.phase) is not Phase.BESLUIT:
                raise ValidationError("Een besluit wordt vastgelegd in de fase besluit.", "phase")
            if is_decided(case):
                require_not_decided(case, "Het besluit en de gegevens van deze zaak")
            conclusion = Conclusion(case.conclusion) if case.conclusion else None
            intended = Decision(case.decision) if case.decision else None
            check_final_decision(
                conclusion, intended, final, parse_grounds(case.conclusion_grounds or ""), reason
            )
            check_decision_content(final, items, reason)
            case.decision = final.value
            case.decision_date = decided
            lapsed = withdraw_concept_approvals(session, case)
            session.add(
                CaseDecision(
                    case_id=case.id,
                    decision=final.value,
                    decided_on=decided,
                    motivation=reason.strip(),
                    voorschriften=voorschriften_json(items),
                    recorded_by=self.context.user,
                )
            )
            session.flush()
            text = f"Besluit: {DECISION_LABELS[final].lower()} op {format_date_nl(decided)}."
            if items:
                text += " Voorschriften: " + " ".join(
                    f"{n}. {v.sentence()}" for n, v in enumerate(items, start=1)
                )
            text += f" Motivering: {reason.strip()}"
            self._record(
                session,
                case,
                text,
                AUDIT_DECISION,
                decided,
                {
                    "besluit": final.value,
                    "besluitdatum": decided.isoformat(),
                    "voorschriften": [v.to_json() for v in items],
                    "goedkeuringen_vervallen": lapsed,
                },
                kind="besluit",
            )
            if sent_date is not None:
                self._mark_sent(session, case, sent_date)
            return build_view(session, case, self.today)

    def record_sent(self, reference: str, sent_on: date) -> WorkflowView:
        """The besluit was sent: the bezwaar term (6 weeks, Awb 6:7) runs from the day after
        (Awb 6:8). Only an approved, final besluit letter can have been sent."""
        sent = self._check_date(sent_on)
        with self.context.db.session() as session:
            case = self._load(session, reference, write=True)
            self._mark_sent(session, case, sent)
            return build_view(session, case, self.today)

    def _mark_sent(self, session: Session, case: Case, sent: date) -> None:
        if case.decision_date is None:
            raise ValidationError(
                "Leg eerst het besluit vast; daarna de verzending van de besluitbrief.",
                "sent_date",
            )
        if case.decision_sent_date is not None:
            raise ValidationError(
                f"De verzending is al vastgelegd ({format_date_nl(case.decision_sent_date)}).",
                "sent_date",
            )
        if sent < case.decision_date:
            raise ValidationError(
                "De verzenddatum kan niet vóór de besluitdatum liggen.", "sent_date"
            )
        record = active_decision(session, case)
        letters = select(Document).where(
            Document.case_id == case.id,
            Document.doc_type == "besluit",
            Document.status == "definitief",
            Document.approved_by.is_not(None),
        )
        if record is not None:
            # The letter must be made final after the decision it announces was recorded.
            letters = letters.where(Document.finalised_at >= record.recorded_at)
        if session.execute(letters.limit(1)).first() is None:
            raise ValidationError(
                "Er is nog geen definitieve, door een teamleider goedgekeurde besluitbrief voor "
                "dit besluit; alleen die kan zijn verzonden. Maak de besluitbrief op het tabblad "
                "Brieven, laat hem goedkeuren en maak hem definitief.",
                "sent_date",
            )
        case.decision_sent_date = sent
        self._record(
            session,
            case,
            f"Besluit verzonden op {format_date_nl(sent)}; de bezwaartermijn van zes weken loopt "
            "vanaf de dag daarna (artikelen 6:7 en 6:8 Awb).",
            AUDIT_SENT,
            sent,
            {"verzonden": sent.isoformat()},
            kind="besluit",
        )

    def reopen(self, reference: str, reason: str) -> WorkflowView:
        """A team lead reopens a decided case with a reason (logged, on the timeline). The
        decision row is marked, never rewritten; assessments stay as they were."""
        if not reason.strip():
            raise ValidationError("Geef de reden waarom de zaak wordt heropend.", "reason")
        with self.context.db.session() as session:
            viewer = viewer_in_session(session, self.context.user)
            if not viewer.has(Role.TEAMLEIDER):
                raise PermissionDenied("Alleen een teamleider mag een besloten zaak heropenen.")
            case = self._load(session, reference, write=True)
            if not is_decided(case):
                raise ValidationError(
                    f"Zaak {case.reference} heeft geen vastgelegd besluit; heropenen is niet "
                    "nodig.",
                    "reference",
                )
            assert case.decision_date is not None
            record = active_decision(session, case)
            if record is None:
                # A decision from before case_decisions existed (or imported): keep it as a row.
                record = CaseDecision(
                    case_id=case.id,
                    decision=case.decision or "",
                    decided_on=case.decision_date,
                    motivation="",
                    voorschriften="[]",
                    recorded_by="",
                )
                session.add(record)
            record.reopened_at = utcnow()
            record.reopened_by = self.context.user
            record.reopen_reason = reason.strip()
            earlier = f"{case.decision}, {format_date_nl(case.decision_date)}"
            previous = {
                "besluit": case.decision,
                "besluitdatum": case.decision_date.isoformat(),
                "verzonden": (
                    case.decision_sent_date.isoformat() if case.decision_sent_date else None
                ),
                "fase": case.phase,
            }
            case.decision_date = None
            case.decision_sent_date = None
            withdraw_concept_approvals(session, case)
            if Phase(case.phase) is Phase.GESLOTEN:
                case.phase = Phase.BESLUIT.value
                case.closed_on = None
            self._record(
                session,
                case,
                f"Zaak heropend door {self.context.user}. Reden: {reason.strip()} Het eerdere "
                f"besluit ({earlier}) "
                "blijft in het dossier.",
                AUDIT_REOPEN,
                self.today,
                {"reden": reason.strip(), "eerder": previous},
                kind="besluit",
            )
            return build_view(session, case, self.today)

    # --- internals ------------------------------------------------------------------------------

    def _check_date(self, on: date | None) -> date:
        event = on or self.today
        if event > self.today:
            raise ValidationError(
                f"De datum {format_date_nl(event)} ligt in de toekomst; leg een gebeurtenis vast "
                "als die heeft plaatsgevonden.",
                "on",
            )
        return event

    def _load(self, session: Session, reference: str, *, write: bool) -> Case:
        ref = str(CaseReference.parse(reference))
        viewer = viewer_in_session(session, self.context.user)
        case = visible_case_by_reference(session, viewer, ref)
        if write and not viewer.has(Role.MEDEWERKER, Role.TEAMLEIDER):
            raise PermissionDenied(
                "Alleen een medewerker Bibob of teamleider mag de procedure van een zaak wijzigen."
            )
        return case

    def _record(
        self,
        session: Session,
        case: Case,
        text: str,
        action: str,
        on: date,
        detail: dict[str, Any],
        kind: str = PHASE_ENTRY_KIND,
    ) -> None:
        audit.record_case_event(
            session,
            case,
            self.context.user,
            action,
            text,
            detail,
            timeline_kind=kind,
            occurred_at=_entry_time(on),
        )
        case.updated_at = utcnow()
        session.flush()
        refresh_deadlines(session, case, self.today)
        session.flush()
