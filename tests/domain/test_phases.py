"""The order of the procedure."""

import pytest

from bibob_desk.domain.phases import (
    PHASES_BEFORE_DECISION,
    PROCEDURE_ORDER,
    Phase,
    has_reached,
)


@pytest.mark.parametrize(
    ("phase", "step", "reached"),
    [
        (Phase.INTAKE, Phase.INTAKE, True),
        (Phase.CONCLUSIE, Phase.VRAGENFORMULIER, True),
        (Phase.VRAGENFORMULIER, Phase.CONCLUSIE, False),
        (Phase.GESLOTEN, Phase.BESLUIT, True),
        (Phase.INGETROKKEN, Phase.INTAKE, False),
        ("onzin", Phase.INTAKE, False),
    ],
)
def test_has_reached(phase: Phase | str, step: Phase, reached: bool) -> None:
    assert has_reached(phase, step) is reached


def test_the_decision_period_runs_until_the_besluit() -> None:
    assert Phase.ZIENSWIJZE in PHASES_BEFORE_DECISION
    assert Phase.BESLUIT not in PHASES_BEFORE_DECISION
    assert Phase.INGETROKKEN not in PROCEDURE_ORDER
