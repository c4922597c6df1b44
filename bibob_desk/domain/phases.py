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


def parse_phase(text: str) -> Phase:
    normal = text.strip().lower().replace("-", "_").replace(" ", "_")
    for phase in Phase:
        if normal in (phase.value, PHASE_LABELS[phase].lower().replace(" ", "_")):
            return phase
    known = ", ".join(p.value for p in Phase)
    raise ValidationError(f"Onbekende fase '{text.strip()}'. Kies uit: {known}.", "phase")
