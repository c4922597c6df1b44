"""Decided cases stay decided; a decision records its voorschriften and motivation (issue 13)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.services.assessment import AssessmentService
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from bibob_desk.services.workflow import WorkflowService
from bibob_desk.storage.models import Assessment, AuditEntry, Case, CaseDecision, TimelineEntry
from tests.conftest import make_user
from tests.services.letter_helpers import make_letter_case

TODAY = date.today()
VOORSCHRIFTEN = [
    {"tekst": "Overleg de jaarrekening aan de burgemeester", "termijn": "binnen 6 maanden"},
    "Meld elke wijziging in de leiding van de onderneming",
]
MOTIVATION = "De financiering is deels onverklaard; voorschriften beperken het gevaar."


def _as(context: AppContext, user: str) -> AppContext:
    return AppContext(db=context.db, user=user)


def _decided(context: AppContext) -> str:
    reference = make_letter_case(
        context,
        conclusion="mindere_mate",
        conclusion_grounds="b",
        decision="verlenen_met_voorschriften",
    )
    WorkflowService(context).record_decision(
        reference, "verlenen_met_voorschriften", TODAY, None, MOTIVATION, VOORSCHRIFTEN
    )
    return reference


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_voorschriften_are_required_and_recorded_with_the_motivation(
    context: AppContext,
) -> None:
    reference = make_letter_case(
        context,
        conclusion="mindere_mate",
        conclusion_grounds="b",
        decision="verlenen_met_voorschriften",
    )
    service = WorkflowService(context)
    with pytest.raises(ValidationError, match="ten minste één voorschrift"):
        service.record_decision(reference, "verlenen_met_voorschriften", TODAY, None, MOTIVATION)
    with pytest.raises(ValidationError, match="motivering"):
        service.record_decision(
            reference, "verlenen_met_voorschriften", TODAY, None, " ", VOORSCHRIFTEN
        )
    service.record_decision(
        reference, "verlenen_met_voorschriften", TODAY, None, MOTIVATION, VOORSCHRIFTEN
    )
    with context.db.session() as session:
        row = session.execute(select(CaseDecision)).scalar_one()
        assert row.decision == "verlenen_met_voorschriften" and row.motivation == MOTIVATION
        assert "binnen 6 maanden" in row.voorschriften
    # A second decision on a decided case is refused (reopen first).
    with pytest.raises(ValidationError, match="heropenen"):
        service.record_decision(reference, "verlenen", TODAY, None, MOTIVATION)


def test_the_besluit_prints_voorschriften_and_motivation_and_the_advies_summarises(
    context: AppContext,
) -> None:
    reference = _decided(context)
    letters = LetterService(context)
    besluit = letters.create_draft(reference, "besluit")
    text = _pdf_text(letters.preview(besluit.id))
    assert "Voorschriften" in text and "Overleg de jaarrekening" in text
    assert "binnen 6 maanden" in text and "Meld elke wijziging" in text
    assert "De financiering is deels onverklaard" in text
    advies = letters.create_draft(reference, "intern_advies")
    text = _pdf_text(letters.preview(advies.id))
    assert "Voorschriften (2)" in text and "Motivering:" in text


def test_a_decided_case_is_read_only_and_never_reassessed(context: AppContext) -> None:
    reference = _decided(context)
    cases = CaseService(context)
    view = cases.get(reference)
    with context.db.session() as session:
        assessments = session.execute(select(func.count()).select_from(Assessment)).scalar_one()
    for change in ({"area": "exploitatie_horeca"}, {"bouwsom": "100000"}, {"city": "Emmen"}):
        with pytest.raises(ValidationError, match="heropenen"):
            cases.update_case(reference, {**view.editable_fields(), **change}, view.version)
    with pytest.raises(ValidationError, match="heropenen"):
        cases.add_party(reference, PartyInput(name="Nieuwe B.V.", role="financier"))
    with pytest.raises(ValidationError, match="heropenen"):
        cases.remove_party(reference, view.parties[0].link_id)
    with pytest.raises(ValidationError, match="heropenen"):
        AssessmentService(context).reassess(reference)
    with pytest.raises(ValidationError, match="heropenen"):
        AssessmentService(context).set_risk_tags(reference, ["vastgoed"])
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        assert case.area == "omgevingsvergunning_bouw" and case.city == "Assen"
        assert (
            session.execute(select(func.count()).select_from(Assessment)).scalar_one()
            == assessments
        )


def test_a_team_lead_reopens_with_a_reason_and_history_stays(context: AppContext) -> None:
    make_user(context.db, "officer", "medewerker")
    reference = _decided(context)
    with pytest.raises(PermissionDenied):
        WorkflowService(_as(context, "officer")).reopen(reference, "Nieuwe feiten")
    with pytest.raises(ValidationError, match="reden"):
        WorkflowService(context).reopen(reference, "  ")
    with context.db.session() as session:
        before = [
            (a.id, a.outcome, a.policy_version)
            for a in session.execute(select(Assessment).order_by(Assessment.id)).scalars()
        ]
    view = WorkflowService(context).reopen(reference, "Bezwaar gegrond verklaard")
    assert view.decision_date is None and view.phase == "besluit"
    with context.db.session() as session:
        row = session.execute(select(CaseDecision)).scalar_one()
        assert row.decision == "verlenen_met_voorschriften" and row.motivation == MOTIVATION
        assert row.reopened_by == "tester" and row.reopen_reason == "Bezwaar gegrond verklaard"
        assert [
            (a.id, a.outcome, a.policy_version)
            for a in session.execute(select(Assessment).order_by(Assessment.id)).scalars()
        ] == before
        texts = list(session.execute(select(TimelineEntry.text)).scalars())
        assert any("heropend" in t and "Bezwaar gegrond verklaard" in t for t in texts)
        actions = list(session.execute(select(AuditEntry.action)).scalars())
        assert "zaak_heropenen" in actions
    # Editable again.
    cases = CaseService(context)
    view_case = cases.get(reference)
    cases.update_case(
        reference, {**view_case.editable_fields(), "city": "Emmen"}, view_case.version
    )
    assert cases.get(reference).city == "Emmen"


def test_reopen_on_the_command_line(
    sqlite_context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    from bibob_desk.cli import main
    from tests.conftest import make_training

    reference = _decided(sqlite_context)
    make_training(sqlite_context.db)
    url = sqlite_context.db.engine.url.render_as_string(hide_password=False)

    def run(*args: str) -> int:
        try:
            return main(["--db", url, "--user", "tester", *args])
        except SystemExit as exc:
            return int(exc.code or 0)

    assert run("cases", "reopen", reference) == 2  # --reason is required
    capsys.readouterr()
    assert run("cases", "reopen", reference, "--reason", "Nieuw advies LBB") == 0
    assert "heropend" in capsys.readouterr().out
    assert run("cases", "reopen", reference, "--reason", "Nog eens") == 2
    assert "geen vastgelegd besluit" in capsys.readouterr().err


def test_recording_the_decision_withdraws_earlier_approvals(context: AppContext) -> None:
    make_user(context.db, "lead2", "teamleider")
    reference = make_letter_case(
        context,
        conclusion="mindere_mate",
        conclusion_grounds="b",
        decision="verlenen_met_voorschriften",
    )
    draft = LetterService(context).create_draft(reference, "besluit")
    lead2 = LetterService(_as(context, "lead2"))
    lead2.approve(draft.id, lead2.approval_preview(draft.id).fingerprint)
    WorkflowService(context).record_decision(
        reference, "verlenen_met_voorschriften", TODAY, None, MOTIVATION, VOORSCHRIFTEN
    )
    # The approver had not seen the voorschriften: the approval lapsed, back in the queue.
    assert LetterService(context).get(draft.id).approved_by is None
