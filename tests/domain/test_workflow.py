"""The workflow state machine: every phase pair, the conclusion/decision fit, suspensions."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.phases import Phase
from bibob_desk.domain.workflow import (
    Conclusion,
    Decision,
    SuspensionPeriod,
    WorkflowState,
    available_transitions,
    check_conclusion,
    check_final_decision,
    check_transition,
    parse_conclusion,
    parse_decision,
    parse_grounds,
    require_transition,
    suspended_days,
)

P = Phase
C = Conclusion
D = Decision

# The state each phase is normally in when the case is complete enough to move on.
READY = {
    P.INTAKE: WorkflowState(P.INTAKE),
    P.TOEPASBAARHEID: WorkflowState(P.TOEPASBAARHEID, outcome="mandatory"),
    P.VRAGENFORMULIER: WorkflowState(P.VRAGENFORMULIER, outcome="mandatory"),
    P.EIGEN_ONDERZOEK: WorkflowState(P.EIGEN_ONDERZOEK, outcome="optional"),
    P.LBB_ADVIES: WorkflowState(P.LBB_ADVIES, outcome="mandatory"),
    P.CONCLUSIE: WorkflowState(
        P.CONCLUSIE, outcome="mandatory", conclusion=C.ERNSTIG_GEVAAR, intended_decision=D.WEIGEREN
    ),
    P.ZIENSWIJZE: WorkflowState(
        P.ZIENSWIJZE, outcome="mandatory", conclusion=C.ERNSTIG_GEVAAR, intended_decision=D.WEIGEREN
    ),
    P.BESLUIT: WorkflowState(
        P.BESLUIT,
        outcome="mandatory",
        conclusion=C.ERNSTIG_GEVAAR,
        intended_decision=D.WEIGEREN,
        decision_taken=True,
    ),
    P.GESLOTEN: WorkflowState(P.GESLOTEN, outcome="mandatory"),
    P.INGETROKKEN: WorkflowState(P.INGETROKKEN, outcome="mandatory"),
}

# Every allowed move from a READY state; all other pairs must be refused.
ALLOWED = {
    (P.INTAKE, P.TOEPASBAARHEID),
    (P.INTAKE, P.INGETROKKEN),
    (P.TOEPASBAARHEID, P.VRAGENFORMULIER),
    (P.TOEPASBAARHEID, P.EIGEN_ONDERZOEK),
    (P.TOEPASBAARHEID, P.INGETROKKEN),
    (P.VRAGENFORMULIER, P.EIGEN_ONDERZOEK),
    (P.VRAGENFORMULIER, P.INGETROKKEN),
    (P.EIGEN_ONDERZOEK, P.LBB_ADVIES),
    (P.EIGEN_ONDERZOEK, P.CONCLUSIE),
    (P.EIGEN_ONDERZOEK, P.INGETROKKEN),
    (P.LBB_ADVIES, P.CONCLUSIE),
    (P.LBB_ADVIES, P.INGETROKKEN),
    (P.CONCLUSIE, P.ZIENSWIJZE),
    (P.CONCLUSIE, P.INGETROKKEN),
    (P.ZIENSWIJZE, P.BESLUIT),
    (P.ZIENSWIJZE, P.INGETROKKEN),
    (P.BESLUIT, P.GESLOTEN),
}


@pytest.mark.parametrize(("source", "target"), list(product(list(Phase), list(Phase))))
def test_every_phase_pair(source: Phase, target: Phase) -> None:
    check = check_transition(READY[source], target)
    assert check.allowed is ((source, target) in ALLOWED)
    assert check.target is target
    assert check.reason.endswith(".")  # always a full Dutch sentence
    if not check.allowed:
        with pytest.raises(ValidationError):
            require_transition(READY[source], target)


# Refusals that depend on the case's data, with a word the reason must contain.
REFUSED = [
    (WorkflowState(P.TOEPASBAARHEID), P.VRAGENFORMULIER, "Beoordeel eerst"),
    (WorkflowState(P.TOEPASBAARHEID, outcome="not_applicable"), P.VRAGENFORMULIER, "niet van"),
    (WorkflowState(P.TOEPASBAARHEID, outcome="mandatory"), P.GESLOTEN, "van toepassing"),
    (WorkflowState(P.EIGEN_ONDERZOEK, outcome="not_applicable"), P.LBB_ADVIES, "LBB-advies"),
    (WorkflowState(P.EIGEN_ONDERZOEK), P.LBB_ADVIES, "LBB-advies"),
    (WorkflowState(P.CONCLUSIE, outcome="mandatory"), P.ZIENSWIJZE, "conclusie"),
    (
        WorkflowState(P.CONCLUSIE, "mandatory", C.GEEN_GEVAAR, D.VERLENEN),
        P.ZIENSWIJZE,
        "geen gevaar",
    ),
    (
        WorkflowState(P.CONCLUSIE, "mandatory", C.ERNSTIG_GEVAAR, D.VERLENEN),
        P.ZIENSWIJZE,
        "art. 33",
    ),
    (WorkflowState(P.CONCLUSIE, None, C.GEEN_GEVAAR, D.VERLENEN), P.BESLUIT, "toepasbaarheid"),
    (WorkflowState(P.ZIENSWIJZE, None, C.ERNSTIG_GEVAAR, D.WEIGEREN), P.BESLUIT, "beoordeling"),
    (WorkflowState(P.CONCLUSIE, "mandatory"), P.BESLUIT, "conclusie"),
    (
        WorkflowState(P.CONCLUSIE, "mandatory", C.MINDERE_MATE, D.VERLENEN_MET_VOORSCHRIFTEN),
        P.BESLUIT,
        "zienswijze",
    ),
    (WorkflowState(P.BESLUIT, "mandatory", C.GEEN_GEVAAR, D.VERLENEN), P.GESLOTEN, "besluitdatum"),
    (WorkflowState(P.BESLUIT, "mandatory"), P.INGETROKKEN, "besluit"),
]


@pytest.mark.parametrize(("state", "target", "word"), REFUSED)
def test_refused_with_reason(state: WorkflowState, target: Phase, word: str) -> None:
    check = check_transition(state, target)
    assert not check.allowed
    assert word in check.reason


ALSO_ALLOWED = [
    (WorkflowState(P.TOEPASBAARHEID, outcome="not_applicable"), P.GESLOTEN),
    (WorkflowState(P.CONCLUSIE, "optional", C.GEEN_GEVAAR, D.VERLENEN), P.BESLUIT),
    (
        WorkflowState(P.CONCLUSIE, "mandatory", C.MINDERE_MATE, D.VERLENEN_MET_VOORSCHRIFTEN),
        P.ZIENSWIJZE,
    ),
    (WorkflowState(P.CONCLUSIE, "mandatory", C.ERNSTIG_GEVAAR, D.VERLENEN), P.BESLUIT),
]


@pytest.mark.parametrize(("state", "target"), ALSO_ALLOWED)
def test_allowed_depending_on_data(state: WorkflowState, target: Phase) -> None:
    assert check_transition(state, target).allowed


def test_available_transitions_lists_withdrawal_before_the_decision() -> None:
    targets = [c.target for c in available_transitions(READY[P.EIGEN_ONDERZOEK])]
    assert targets == [P.LBB_ADVIES, P.CONCLUSIE, P.INGETROKKEN]
    assert [c.target for c in available_transitions(READY[P.BESLUIT])] == [P.GESLOTEN]
    assert available_transitions(READY[P.GESLOTEN]) == []


# (conclusion, grounds, intended decision, reason, ok)
FIT = [
    (C.GEEN_GEVAAR, (), D.VERLENEN, "", True),
    (C.GEEN_GEVAAR, (), D.WEIGEREN, "", False),
    (C.GEEN_GEVAAR, (), D.VERLENEN_MET_VOORSCHRIFTEN, "", False),
    (C.GEEN_GEVAAR, ("a",), D.VERLENEN, "", False),
    (C.MINDERE_MATE, ("a",), D.VERLENEN_MET_VOORSCHRIFTEN, "", True),
    (C.MINDERE_MATE, ("b",), D.VERLENEN, "", True),
    (C.MINDERE_MATE, ("a",), D.WEIGEREN, "", False),
    (C.MINDERE_MATE, ("a",), D.INTREKKEN, "", False),
    (C.MINDERE_MATE, (), D.VERLENEN_MET_VOORSCHRIFTEN, "", False),
    (C.MINDERE_MATE, ("c",), D.VERLENEN_MET_VOORSCHRIFTEN, "", False),
    (C.ERNSTIG_GEVAAR, ("a", "b"), D.WEIGEREN, "", True),
    (C.ERNSTIG_GEVAAR, ("c",), D.INTREKKEN, "", True),
    (C.ERNSTIG_GEVAAR, ("a",), D.VERLENEN, "", False),
    (C.ERNSTIG_GEVAAR, ("a",), D.VERLENEN, "weigeren is onevenredig", True),
    (C.ERNSTIG_GEVAAR, ("b",), D.VERLENEN_MET_VOORSCHRIFTEN, "onevenredig", True),
    (C.ERNSTIG_GEVAAR, (), D.WEIGEREN, "", False),
]


@pytest.mark.parametrize(("conclusion", "grounds", "decision", "reason", "ok"), FIT)
def test_decision_fits_conclusion(
    conclusion: Conclusion, grounds: tuple[str, ...], decision: Decision, reason: str, ok: bool
) -> None:
    if ok:
        check_conclusion(conclusion, grounds, decision, reason)
    else:
        with pytest.raises(ValidationError):
            check_conclusion(conclusion, grounds, decision, reason)


def test_final_decision_needs_a_zienswijze_before_a_negative_decision() -> None:
    check_final_decision(C.ERNSTIG_GEVAAR, D.WEIGEREN, D.WEIGEREN, ("a",))
    with pytest.raises(ValidationError, match="zienswijze"):
        check_final_decision(C.ERNSTIG_GEVAAR, D.VERLENEN, D.WEIGEREN, ("a",), "x")
    with pytest.raises(ValidationError, match="conclusie"):
        check_final_decision(None, None, D.VERLENEN)


def test_parsers() -> None:
    assert parse_conclusion("Ernstig gevaar") is C.ERNSTIG_GEVAAR
    assert parse_decision("verlenen met voorschriften") is D.VERLENEN_MET_VOORSCHRIFTEN
    assert parse_grounds("b, a,a") == ("a", "b")
    assert parse_grounds(["c-grond"]) == ("c",)
    with pytest.raises(ValidationError):
        parse_grounds("d")
    with pytest.raises(ValidationError):
        parse_conclusion("beetje gevaar")
    with pytest.raises(ValidationError):
        parse_decision("gedogen")


D0 = date(2026, 3, 2)

SUSPENSIONS = [
    ([], 0),
    ([SuspensionPeriod(D0, D0 + timedelta(days=10))], 10),
    # overlapping periods count once: 2..12 and 8..20 -> 18 days
    (
        [
            SuspensionPeriod(D0, D0 + timedelta(days=10)),
            SuspensionPeriod(D0 + timedelta(days=6), D0 + timedelta(days=18)),
        ],
        18,
    ),
    # separate periods add up
    (
        [
            SuspensionPeriod(D0, D0 + timedelta(days=5)),
            SuspensionPeriod(D0 + timedelta(days=20), D0 + timedelta(days=27)),
        ],
        12,
    ),
    # a period inside another adds nothing
    (
        [
            SuspensionPeriod(D0, D0 + timedelta(days=30)),
            SuspensionPeriod(D0 + timedelta(days=3), D0 + timedelta(days=4)),
        ],
        30,
    ),
    # a running LBB suspension counts to its maximum of 12 weeks
    ([SuspensionPeriod(D0, None, D0 + timedelta(weeks=12))], 84),
    # an advice arriving after the maximum: the suspension still stops at 12 weeks
    ([SuspensionPeriod(D0, D0 + timedelta(weeks=14), D0 + timedelta(weeks=12))], 84),
    # a running period without maximum counts up to today (D0 + 40)
    ([SuspensionPeriod(D0, None)], 40),
]


@pytest.mark.parametrize(("periods", "days"), SUSPENSIONS)
def test_suspended_days(periods: list[SuspensionPeriod], days: int) -> None:
    assert suspended_days(periods, D0 + timedelta(days=40)) == days


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 100)), min_size=0, max_size=6))
def test_suspended_days_equals_the_union(raw: list[tuple[int, int]]) -> None:
    periods = [SuspensionPeriod(D0 + timedelta(days=s), D0 + timedelta(days=s + n)) for s, n in raw]
    covered = {s + i for s, n in raw for i in range(n)}
    assert suspended_days(periods, D0) == len(covered)
