"""Generated demo cases are deterministic and tell a consistent story."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bibob_desk.domain.phases import Phase
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.storage.database import open_database
from bibob_desk.storage.models import Assessment, Case, Document, Suspension


def _titles(path: Path, seed: int) -> list[str]:
    db = open_database(f"sqlite:///{path}")
    try:
        context = AppContext(db=db, user="tester")
        generate_demo_cases(context, 40, seed=seed)
        with db.session() as session:
            return list(session.execute(select(Case.title).order_by(Case.id)).scalars())
    finally:
        db.dispose()


def test_same_seed_same_cases(tmp_path: Path) -> None:
    first = _titles(tmp_path / "a.sqlite", 5)
    assert first == _titles(tmp_path / "b.sqlite", 5)
    assert first != _titles(tmp_path / "c.sqlite", 6)


def test_every_case_is_assessed_and_its_history_fits_the_workflow(context: AppContext) -> None:
    generate_demo_cases(context, 300, seed=11)
    with context.db.session() as session:
        cases = list(session.execute(select(Case)).scalars())
        assessed = set(session.execute(select(Assessment.case_id)).scalars())
        lbb_cases = set(
            session.execute(
                select(Suspension.case_id).where(Suspension.reason == "lbb_advies")
            ).scalars()
        )
        approved = {
            (d.case_id, d.doc_type)
            for d in session.execute(select(Document)).scalars()
            if d.approved_by and d.approved_by != d.author
        }
    assert len(cases) == 300
    for case in cases:
        phase = Phase(case.phase)
        assert case.outcome in ("mandatory", "optional", "not_applicable")
        assert case.id in assessed
        if case.outcome == "not_applicable":
            assert phase in (Phase.INTAKE, Phase.TOEPASBAARHEID, Phase.GESLOTEN)
            assert case.conclusion is None
        if phase is Phase.ZIENSWIJZE:
            assert case.conclusion in ("mindere_mate", "ernstig_gevaar")
        if phase is Phase.LBB_ADVIES:
            assert case.id in lbb_cases
        if case.decision is not None:
            assert case.conclusion is not None
            assert case.decision_date is not None and case.decision_date >= case.application_date
            assert (case.id, "besluit") in approved and (case.id, "intern_advies") in approved
        if phase is Phase.BESLUIT:
            assert case.decision is not None
        if phase in (Phase.GESLOTEN, Phase.INGETROKKEN):
            assert case.closed_on is not None
    assert {Phase(c.phase) for c in cases} >= {Phase.GESLOTEN, Phase.VRAGENFORMULIER}


def test_decided_demo_cases_have_a_recorded_decision_and_a_final_approved_besluit(
    context: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.letters import LetterService
    from bibob_desk.storage.models import CaseDecision

    generate_demo_cases(context, 200, seed=5)
    with context.db.session() as session:
        decided = list(session.execute(select(Case).where(Case.decision_date.is_not(None))))
        records = {r.case_id: r for r in session.execute(select(CaseDecision)).scalars()}
        besluiten = {
            d.case_id: d
            for d in session.execute(select(Document).where(Document.doc_type == "besluit"))
            .scalars()
            .all()
        }
    assert decided
    for (case,) in decided:
        record = records[case.id]
        assert (record.decision, record.decided_on) == (case.decision, case.decision_date)
        assert record.motivation
        assert ("tekst" in record.voorschriften) == (case.decision == "verlenen_met_voorschriften")
        letter = besluiten[case.id]
        assert letter.status == "definitief" and letter.approved_by not in (None, letter.author)
        if case.decision_sent_date is not None:
            assert letter.finalised_at is not None
            assert letter.finalised_at >= record.recorded_at
    # The demo letter is rendered once, on first use, and exported like any final letter.
    (case,) = decided[0]
    document = besluiten[case.id]
    lead = AppContext(db=context.db, user=document.approved_by or "")
    result = LetterService(lead).export_document(document.id, tmp_path)
    assert result.pdf_path.read_bytes().startswith(b"%PDF")
    assert LetterService(lead).preview(document.id) == result.pdf_path.read_bytes()


def test_references_continue_after_demo_data(context: AppContext) -> None:
    generate_demo_cases(context, 20, seed=3)
    generate_demo_cases(context, 20, seed=4)
    references = [c.reference for c in CaseService(context).list()]
    assert len(references) == len(set(references)) == 40
