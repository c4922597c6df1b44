"""Workflow service on SQLite and PostgreSQL: moves, suspensions, conclusion, decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.domain.phases import Phase
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsService
from bibob_desk.services.workflow import WorkflowService
from bibob_desk.storage.models import (
    AuditEntry,
    Case,
    Document,
    Suspension,
    TimelineEntry,
    utcnow,
)
from tests.conftest import grant_role, make_user

TODAY = date(2026, 11, 25)


def open_case(
    context: AppContext, outcome: str | None = "mandatory", application: str = "2026-09-01"
) -> str:
    view = CaseService(context).open_case(
        {
            "title": "Café De Hoek",
            "area": "exploitatie_horeca",
            "organisation": "Gemeente Drentsmond",
            "application_date": application,
        },
        [PartyInput(name="De Hoek B.V.", kvk_number="12345678")],
    )
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == view.reference)).scalar_one()
        case.outcome = outcome
    return view.reference


def _final_besluit_letter(context: AppContext, ref: str) -> None:
    """An approved, final besluit letter on the case (as the letter service leaves it)."""
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        session.add(
            Document(
                case_id=case.id,
                doc_type="besluit",
                title="Besluit",
                status="definitief",
                author="a.dekker",
                approved_by="h.teamleider",
                approved_at=utcnow(),
                finalised_at=utcnow(),
            )
        )


def test_full_walk_with_lbb_and_zienswijze(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    service.move(ref, Phase.TOEPASBAARHEID, on=date(2026, 9, 1))
    view = service.move(ref, Phase.VRAGENFORMULIER, on=date(2026, 9, 2))
    assert [d.kind for d in view.deadlines] == ["vragenformulier", "beslistermijn"]
    assert view.deadlines[0].due == date(2026, 9, 30)
    service.move(ref, Phase.EIGEN_ONDERZOEK, on=date(2026, 9, 16))  # answers after 14 days
    view = service.request_lbb_advice(ref, date(2026, 9, 21))
    assert view.lbb_pending
    assert view.phase == "lbb_advies"
    view = service.record_lbb_advice(ref, date(2026, 11, 2))  # 42 days later
    assert not view.lbb_pending
    # 14 days questionnaire + 42 days LBB
    assert view.suspended_days == 56
    assert view.original_decision_date == date(2026, 10, 27)
    assert view.shifted_decision_date == date(2026, 12, 22)
    view = service.record_conclusion(ref, "ernstig_gevaar", "a,b", "weigeren")
    assert not next(o for o in view.options if o.target is Phase.BESLUIT).allowed
    view = service.move(ref, Phase.ZIENSWIJZE, on=date(2026, 11, 20))
    zienswijze = next(d for d in view.deadlines if d.kind == "zienswijze")
    assert zienswijze.due == date(2026, 12, 4)
    service.move(ref, Phase.BESLUIT, on=TODAY)
    with pytest.raises(ValidationError, match="motivering"):
        service.record_decision(ref, "weigeren", TODAY)
    # Sent only with an approved, final besluit letter (there is none yet).
    with pytest.raises(ValidationError, match="goedgekeurde besluitbrief"):
        service.record_decision(ref, "weigeren", TODAY, TODAY, "Ernstig gevaar, zie advies.")
    service.record_decision(ref, "weigeren", TODAY, reason="Ernstig gevaar, zie advies.")
    with pytest.raises(ValidationError, match="goedgekeurde besluitbrief"):
        service.record_sent(ref, TODAY)
    _final_besluit_letter(context, ref)
    view = service.record_sent(ref, TODAY)
    bezwaar = next(d for d in view.deadlines if d.kind == "bezwaar")
    assert bezwaar.due == date(2027, 1, 6)
    view = service.move(ref, Phase.GESLOTEN, on=TODAY)
    assert view.phase == "gesloten"

    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        assert case.decision == "weigeren" and case.decision_date == TODAY
        assert case.closed_on == TODAY
        entries = (
            session.execute(select(TimelineEntry).where(TimelineEntry.case_id == case.id))
            .scalars()
            .all()
        )
        assert sum(1 for e in entries if e.kind == "fase") == 8
        assert all(e.user == "tester" for e in entries if e.kind == "fase")
        actions = [a.action for a in session.execute(select(AuditEntry)).scalars()]
        assert actions.count("fase_wijzigen") == 8
        assert "conclusie_vastleggen" in actions and "besluit_vastleggen" in actions
        suspensions = session.execute(select(Suspension)).scalars().all()
        lbb = next(s for s in suspensions if s.reason == "lbb_advies")
        assert lbb.max_end_date == date(2026, 12, 14)  # 12 weeks
        assert lbb.end_date == date(2026, 11, 2)


def test_refused_move_changes_nothing(context: AppContext) -> None:
    ref = open_case(context, outcome=None)
    service = WorkflowService(context, today=TODAY)
    service.move(ref, Phase.TOEPASBAARHEID)
    with pytest.raises(ValidationError, match="Beoordeel eerst"):
        service.move(ref, Phase.VRAGENFORMULIER)
    assert service.get(ref).phase == "toepasbaarheid"


def test_no_lbb_request_when_not_applicable(context: AppContext) -> None:
    ref = open_case(context, outcome="not_applicable")
    service = WorkflowService(context, today=TODAY)
    service.move(ref, Phase.TOEPASBAARHEID)
    view = service.get(ref)
    assert [o.target for o in view.options if o.allowed] == [Phase.GESLOTEN, Phase.INGETROKKEN]


def test_geen_gevaar_goes_straight_to_besluit(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    for phase in (Phase.TOEPASBAARHEID, Phase.EIGEN_ONDERZOEK, Phase.CONCLUSIE):
        service.move(ref, phase)
    with pytest.raises(ValidationError, match="verlenen"):
        service.record_conclusion(ref, "geen_gevaar", "", "weigeren")
    view = service.record_conclusion(ref, "geen_gevaar", "", "verlenen")
    zienswijze = next(o for o in view.options if o.target is Phase.ZIENSWIJZE)
    assert not zienswijze.allowed and "geen gevaar" in zienswijze.reason
    service.move(ref, Phase.BESLUIT)
    with pytest.raises(ValidationError, match="geen gevaar"):
        service.record_decision(ref, "weigeren", TODAY, reason="x")
    view = service.record_decision(ref, "verlenen", TODAY, reason="Geen gevaar gebleken.")
    assert view.decision == "verlenen"


def test_withdrawal_closes_the_suspension(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    service.move(ref, Phase.TOEPASBAARHEID)
    service.move(ref, Phase.VRAGENFORMULIER, on=date(2026, 11, 2))
    view = service.withdraw(ref, date(2026, 11, 10), "Aanvrager trekt zich terug.")
    assert view.phase == "ingetrokken"
    # a withdrawal is reported to the Bibob-register; until then it is a reminder
    assert [d.kind for d in view.deadlines] == ["register_melding"]
    assert view.deadlines[0].due == date(2026, 11, 10)
    assert view.suspensions[0].end == date(2026, 11, 10)
    view = service.record_register_report(ref, date(2026, 11, 11))
    assert view.deadlines == ()
    assert view.register_reported_on == date(2026, 11, 11)
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        assert case.nearest_deadline is None


def test_register_consultation_and_report(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    with pytest.raises(ValidationError, match="uitkomst"):
        service.record_register_consultation(ref, TODAY, " ")
    view = service.record_register_consultation(ref, date(2026, 9, 2), "Geen registratie")
    assert view.register_consulted_on == date(2026, 9, 2)
    assert view.register_result == "Geen registratie"
    with pytest.raises(ValidationError, match="niets te melden"):
        service.record_register_report(ref, TODAY)
    for phase in (Phase.TOEPASBAARHEID, Phase.EIGEN_ONDERZOEK, Phase.CONCLUSIE):
        service.move(ref, phase)
    view = service.record_conclusion(ref, "mindere_mate", "b", "verlenen_met_voorschriften")
    reminder = next(d for d in view.deadlines if d.kind == "register_melding")
    assert reminder.due == TODAY and reminder.state == "deze_week"
    view = service.record_register_report(ref, TODAY)
    assert all(d.kind != "register_melding" for d in view.deadlines)


def test_future_dates_are_refused(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    with pytest.raises(ValidationError, match="toekomst"):
        service.move(ref, Phase.TOEPASBAARHEID, on=date(2026, 12, 1))


def test_nearest_deadline_is_stored(context: AppContext) -> None:
    ref = open_case(context, application="2026-11-02")
    service = WorkflowService(context, today=TODAY)
    service.move(ref, Phase.TOEPASBAARHEID, on=date(2026, 11, 2))
    service.move(ref, Phase.VRAGENFORMULIER, on=date(2026, 11, 3))
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == ref)).scalar_one()
        assert case.nearest_deadline == date(2026, 12, 1)
        assert case.nearest_deadline_kind == "vragenformulier"


def test_decision_period_follows_settings(context: AppContext) -> None:
    SettingsService(grant_role(context)).set("terms.decision_period_weeks_default", 10)
    ref = open_case(context, application="2026-06-01")
    view = WorkflowService(context, today=TODAY).get(ref)
    assert view.decision_period_weeks == 10
    assert view.original_decision_date == date(2026, 8, 10)


def test_beheerder_may_not_move(context: AppContext) -> None:
    ref = open_case(context)
    make_user(context.db, "bea", "beheerder")
    # An administrator sees no case contents: the same answer as for a case that is not there.
    with pytest.raises(NotFoundError, match="geen toegang"):
        WorkflowService(AppContext(context.db, "bea"), today=TODAY).move(ref, Phase.TOEPASBAARHEID)


def test_lbb_additional_questions_pause_the_advice_term(context: AppContext) -> None:
    ref = open_case(context)
    service = WorkflowService(context, today=TODAY)
    for phase in (Phase.TOEPASBAARHEID, Phase.EIGEN_ONDERZOEK):
        service.move(ref, phase, on=date(2026, 9, 1))
    service.request_lbb_advice(ref, date(2026, 9, 7))
    with pytest.raises(ValidationError, match="geen aanvullende vragen"):
        service.record_lbb_answers(ref, date(2026, 9, 20))
    service.record_lbb_questions(ref, date(2026, 9, 14))
    with pytest.raises(ValidationError, match="al aanvullende vragen"):
        service.record_lbb_questions(ref, date(2026, 9, 15))
    view = service.record_lbb_answers(ref, date(2026, 9, 24))  # 10 days paused
    lbb = next(s for s in view.suspensions if s.reason == "lbb_advies")
    assert lbb.max_end == date(2026, 12, 10)  # 12 weeks (30 Nov) + the 10 days paused
    advice = next(d for d in view.deadlines if d.kind == "lbb_advice")
    # 8 weeks from 7 Sep = 2 Nov, + 10 days = 12 Nov; today (25 Nov) is later, so the extended
    # term applies: 12 weeks = 30 Nov + 10 days = 10 Dec
    assert advice.due == date(2026, 12, 10)
    assert "10 dagen wachten" in advice.rule
    # the questions lie inside the LBB period: counted once; the LBB period runs to its maximum
    assert view.suspended_days == (date(2026, 12, 10) - date(2026, 9, 7)).days


def test_lbb_questions_only_in_lbb_phase(context: AppContext) -> None:
    ref = open_case(context)
    with pytest.raises(ValidationError, match="LBB-advies"):
        WorkflowService(context, today=TODAY).record_lbb_questions(ref, TODAY)
