"""The phases a Bibob case passes through, in order (the transition rules live in ``workflow``)."""

from __future__ import annotations

from enum import StrEnum

from bibob_desk.domain.errors import ValidationError


class Phase(StrEnum):
    INTAKE = "intake"
    TOEPASBAARHEID = "toepasbaarheid"
    VRAGENFORMULIER = "vragenformulier"
    EIGEN_ONDERZOEK = "eigen_onderzoek"
    LBB_ADVIES = "lbb_advies"
    CONCLUSIE = "conclusie"
    ZIENSWIJZE = "zienswijze"
    BESLUIT = "besluit"
    GESLOTEN = "gesloten"
    INGETROKKEN = "ingetrokken"  # the applicant withdrew the application (terugtrekking)


PHASE_LABELS: dict[Phase, str] = {
    Phase.INTAKE: "Intake",
    Phase.TOEPASBAARHEID: "Toepasbaarheid",
    Phase.VRAGENFORMULIER: "Vragenformulier",
    Phase.EIGEN_ONDERZOEK: "Eigen onderzoek",
    Phase.LBB_ADVIES: "LBB-advies",
    Phase.CONCLUSIE: "Conclusie",
    Phase.ZIENSWIJZE: "Zienswijze",
    Phase.BESLUIT: "Besluit",
    Phase.GESLOTEN: "Gesloten",
    Phase.INGETROKKEN: "Aanvraag ingetrokken",
}

CLOSED_PHASES = frozenset({Phase.GESLOTEN, Phase.INGETROKKEN})

# The procedure in order. A withdrawal (ingetrokken) ends it from any phase before the besluit,
# so it has no place in the order.
PROCEDURE_ORDER: tuple[Phase, ...] = (
    Phase.INTAKE,
    Phase.TOEPASBAARHEID,
    Phase.VRAGENFORMULIER,
    Phase.EIGEN_ONDERZOEK,
    Phase.LBB_ADVIES,
    Phase.CONCLUSIE,
    Phase.ZIENSWIJZE,
    Phase.BESLUIT,
    Phase.GESLOTEN,
)
# Before the besluit: the decision period runs and the applicant may still withdraw.
PHASES_BEFORE_DECISION = frozenset(PROCEDURE_ORDER[: PROCEDURE_ORDER.index(Phase.BESLUIT)])


def has_reached(phase: Phase | str, step: Phase) -> bool:
    """Whether a case in ``phase`` is at or past ``step`` (a withdrawn case has reached none)."""
    try:
        current = Phase(phase)
    except ValueError:
        return False
    if current not in PROCEDURE_ORDER:
        return False
    return PROCEDURE_ORDER.index(current) >= PROCEDURE_ORDER.index(step)


def parse_phase(text: str) -> Phase:
    normal = text.strip().lower().replace("-", "_").replace(" ", "_")
    for phase in Phase:
        if normal in (phase.value, PHASE_LABELS[phase].lower().replace(" ", "_")):
            return phase
    known = ", ".join(p.value for p in Phase)
    raise ValidationError(f"Onbekende fase '{text.strip()}'. Kies uit: {known}.", "phase")
