"""Assessments on the case with their history, re-assessment on change, policy versions."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.domain.policy import policy_to_dict
from bibob_desk.services.assessment import AssessmentService, reassess
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService
from bibob_desk.storage.models import AuditEntry, Case, PolicyVersion
from tests.conftest import make_user

BOUW: dict[str, Any] = {
    "title": "Nieuwbouw loods Bedrijvenpark Noord",
    "area": "omgevingsvergunning_bouw",
    "organisation": "Gemeente Emmen",
    "officer": "tester",
    "application_date": "2026-10-01",
    "bouwsom": "€ 800.000,00",
    "postcode": "7811 AB",
    "city": "Emmen",
}


def admin(context: AppContext) -> AppContext:
    make_user(context.db, "beheer", "beheerder")
    return AppContext(db=context.db, user="beheer")


def test_intake_assesses_with_the_policy_in_force(context: AppContext) -> None:
    case = CaseService(context).open_case(BOUW)
    assert case.outcome == "mandatory"
    [only] = AssessmentService(context).history(case.reference)
    assert (only.outcome, only.rule) == ("mandatory", "bouwsom_boven_drempel")
    assert only.policy_version == "2024.1" and only.policy_effective_from == date(2024, 1, 1)
    assert only.inputs["bouwsom"] == "800000.00" and only.inputs["postcode"] == "7811 AB"
    assert only.assessed_by == "tester"
    assert any("€ 800.000,00" in r for r in only.reasons)


def test_changed_inputs_reassess_and_keep_history(context: AppContext) -> None:
    cases = CaseService(context)
    case = cases.open_case(BOUW)
    edited = cases.update_case(
        case.reference, {**case.editable_fields(), "bouwsom": "750.000,00"}, case.version
    )
    assert edited.outcome == "optional"
    assert edited.version == case.version + 1
    service = AssessmentService(context)
    history = service.history(case.reference)
    assert [h.rule for h in history] == ["bouwsom_niet_boven_drempel", "bouwsom_boven_drempel"]
    # A change that does not touch the inputs adds nothing.
    again = cases.update_case(
        case.reference, {**edited.editable_fields(), "title": "Andere titel"}, edited.version
    )
    assert again.outcome == "optional"
    assert len(service.history(case.reference)) == 2
    # Risk tags come from the assessment panel / wizard.
    view = service.set_risk_tags(case.reference, ["Vakantiepark"])
    assert view is not None and (view.outcome, view.rule) == ("mandatory", "risicocategorie")
    assert service.inputs(case.reference).risk_tags == ("vakantiepark",)
    assert cases.get(case.reference).outcome == "mandatory"
    assert service.set_risk_tags(case.reference, "vakantiepark") is None  # unchanged
    assert len(service.history(case.reference)) == 3


def test_risk_tags_given_at_intake(context: AppContext) -> None:
    case = CaseService(context).open_case(
        {**BOUW, "bouwsom": "100000", "risk_tags": ["bedrijventerrein", "onbekend"]}
    )
    assert case.outcome == "mandatory"
    [only] = AssessmentService(context).history(case.reference)
    assert only.rule == "risicocategorie"
    assert only.inputs["risk_tags"] == ["bedrijventerrein", "onbekend"]


def test_reassess_inside_a_callers_session_for_a_tip(context: AppContext) -> None:
    case = CaseService(context).open_case({**BOUW, "area": "subsidie", "bouwsom": ""})
    assert case.outcome == "optional"
    with context.db.session() as session:
        row = session.execute(select(Case).where(Case.reference == case.reference)).scalar_one()
        row.tip_flag = True
        view = reassess(session, row, "tipbeheerder")
        assert view is not None and view.rule == "tip"
    assert CaseService(context).get(case.reference).outcome == "mandatory"
    latest = AssessmentService(context).current(case.reference)
    assert latest is not None and latest.inputs["tip"] is True
    assert latest.assessed_by == "tipbeheerder"
    # Automatic re-assessments leave the audit log to the change that caused them.
    with context.db.session() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "toetsen" not in actions


def test_opnieuw_toetsen_always_records(context: AppContext) -> None:
    case = CaseService(context).open_case(BOUW)
    service = AssessmentService(context)
    view = service.reassess(case.reference)
    assert view.outcome == "mandatory"
    assert len(service.history(case.reference)) == 2
    with context.db.session() as session:
        logged = session.execute(
            select(AuditEntry).where(AuditEntry.action == "toetsen")
        ).scalar_one()
    assert logged.case_reference == case.reference and logged.user == "tester"


def test_case_before_the_first_policy_has_no_outcome(context: AppContext) -> None:
    case = CaseService(context).open_case({**BOUW, "application_date": "2023-05-01"})
    assert case.outcome is None
    service = AssessmentService(context)
    assert service.history(case.reference) == []
    with pytest.raises(ValidationError, match="geen Bibob-beleid van kracht"):
        service.reassess(case.reference)


def test_policy_versions_are_seeded_and_listed(context: AppContext) -> None:
    versions = PolicyService(context).list()
    assert [v.version for v in versions] == ["2024.1"]
    assert versions[0].created_by == "systeem"
    assert PolicyService(context).in_force(date(2026, 1, 1)).threshold == Decimal("750000.00")


def test_only_an_administrator_adds_a_version(context: AppContext) -> None:
    current = PolicyService(context).current().policy
    new = replace(current, version="2027.1", effective_from=date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        PolicyService(context).add_version(new)  # tester is a teamleider
    added = PolicyService(admin(context)).add_version(new)
    assert added.version == "2027.1" and added.created_by == "beheer"
    with context.db.session() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "beleid_toevoegen" in actions


def test_new_version_applies_from_its_date_and_old_ones_stay(context: AppContext) -> None:
    policies = PolicyService(admin(context))
    old = policies.current()
    document = policy_to_dict(old.policy)
    document.update(version="2026.2", effective_from="2026-10-02")
    document["threshold"]["amount"] = "250000"
    policies.add_version(document)
    with pytest.raises(ValidationError, match="bestaat al"):
        policies.add_version(document)

    cases = CaseService(context)
    before = cases.open_case({**BOUW, "bouwsom": "300000", "application_date": "2026-10-01"})
    after = cases.open_case({**BOUW, "bouwsom": "300000", "application_date": "2026-10-02"})
    assert before.outcome == "optional"  # the new version starts the day after: not used
    assert after.outcome == "mandatory"
    service = AssessmentService(context)
    assert service.history(before.reference)[0].policy_version == "2024.1"
    assert service.history(after.reference)[0].policy_version == "2026.2"
    # Moving the application date re-assesses under the other version.
    moved = cases.update_case(
        before.reference,
        {**before.editable_fields(), "application_date": "2026-10-05"},
        before.version,
    )
    assert moved.outcome == "mandatory"
    # The old version is unchanged in the database.
    with context.db.session() as session:
        rows = session.execute(select(PolicyVersion).order_by(PolicyVersion.id)).scalars().all()
        assert [r.version for r in rows] == ["2024.1", "2026.2"]
        assert json.loads(rows[0].content)["threshold"]["amount"] == "750000.00"


def test_invalid_new_version_is_refused(context: AppContext) -> None:
    policies = PolicyService(admin(context))
    document = policy_to_dict(policies.current().policy)
    document.update(version="x", mandatory_areas=["bakkerij"])
    with pytest.raises(ValidationError, match="Altijd verplichte toepassingsgebieden") as info:
        policies.add_version(document)
    assert info.value.field == "mandatory_areas"
