"""The screening workflow as a state machine: which phase may follow which, and why not.

The steps follow the Wet Bibob:
- toepasbaarheid: the organisation's policy decides whether Bibob is used (Awb 4:81);
- vragenformulier: the Bibob questions to the applicant (Wet Bibob art. 7a);
- eigen onderzoek, then optionally an advice from the LBB (art. 9), which suspends the decision
  period for at most 8 + 4 weeks (art. 15 and 31) and is announced to the applicant (art. 32);
- conclusie on the degree of danger (art. 3): ernstig gevaar on the a- and/or b-ground (lid 1)
  or the c-ground (lid 6), mindere mate van gevaar (lid 7), or geen gevaar;
- zienswijze before attaching voorschriften and before refusing or withdrawing (art. 33);
- besluit, then the file is closed. The applicant may withdraw the application in any phase
  before the decision (terugtrekking; reported to the Bibob-register).

Everything here is pure: the services layer loads the state, asks ``check_transition`` and
stores the result. Every refusal is a Dutch sentence that can be shown as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bibob_desk.domain.case import ValidationErrors
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.phases import PHASE_LABELS, PHASES_BEFORE_DECISION, Phase

# --- conclusion and decision values --------------------------------------------------------


class Conclusion(StrEnum):
    GEEN_GEVAAR = "geen_gevaar"
    MINDERE_MATE = "mindere_mate"
    ERNSTIG_GEVAAR = "ernstig_gevaar"


CONCLUSION_LABELS = {
    Conclusion.GEEN_GEVAAR: "Geen gevaar",
    Conclusion.MINDERE_MATE: "Mindere mate van gevaar",
    Conclusion.ERNSTIG_GEVAAR: "Ernstig gevaar",
}


class Decision(StrEnum):
    VERLENEN = "verlenen"
    VERLENEN_MET_VOORSCHRIFTEN = "verlenen_met_voorschriften"
    WEIGEREN = "weigeren"
    INTREKKEN = "intrekken"


DECISION_LABELS = {
    Decision.VERLENEN: "Verlenen",
    Decision.VERLENEN_MET_VOORSCHRIFTEN: "Verlenen met voorschriften",
    Decision.WEIGEREN: "Weigeren",
    Decision.INTREKKEN: "Intrekken",
}

# Art. 33 Wet Bibob: a zienswijze is asked before voorschriften (art. 3 lid 7) and before a
# refusal or withdrawal.
DECISIONS_NEEDING_ZIENSWIJZE = frozenset(
    {Decision.VERLENEN_MET_VOORSCHRIFTEN, Decision.WEIGEREN, Decision.INTREKKEN}
)

# Grounds of art. 3: a (criminal money), b (committing crimes) for the degree of danger (lid 1
# and lid 7); c (a crime committed to obtain the decision, lid 6) is a refusal ground of its own.
GROUNDS = ("a", "b", "c")
GROUND_LABELS = {
    "a": "a-grond: voordelen uit strafbare feiten benutten (art. 3 lid 1 onder a)",
    "b": "b-grond: strafbare feiten plegen (art. 3 lid 1 onder b)",
    "c": "c-grond: strafbaar feit gepleegd om de beschikking te verkrijgen (art. 3 lid 6)",
}

# Applicability outcomes (written by the applicability assessment).
OUTCOMES_IN_SCOPE = frozenset({"mandatory", "optional"})
OUTCOME_NOT_APPLICABLE = "not_applicable"


def parse_conclusion(text: str) -> Conclusion:
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    for value in Conclusion:
        if normal in (value.value, CONCLUSION_LABELS[value].lower().replace(" ", "_")):
            return value
    known = ", ".join(c.value for c in Conclusion)
    raise ValidationError(f"Onbekende conclusie '{text.strip()}'. Kies uit: {known}.", "conclusion")


def parse_decision(text: str) -> Decision:
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    for value in Decision:
        if normal in (value.value, DECISION_LABELS[value].lower().replace(" ", "_")):
            return value
    known = ", ".join(d.value for d in Decision)
    raise ValidationError(f"Onbekend besluit '{text.strip()}'. Kies uit: {known}.", "decision")


def parse_grounds(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """ "a,b" or ["a", "b"] -> ("a", "b"), sorted and without duplicates."""
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    grounds: set[str] = set()
    for part in parts:
        value = part.strip().lower().removesuffix("-grond")
        if not value:
            continue
        if value not in GROUNDS:
            raise ValidationError(
                f"Onbekende grond '{part.strip()}'. Kies uit a, b en c (art. 3 Wet Bibob).",
                "grounds",
            )
        grounds.add(value)
    return tuple(sorted(grounds))


def check_conclusion(
    conclusion: Conclusion,
    grounds: tuple[str, ...],
    intended: Decision,
    reason: str = "",
    *,
    require_grounds: bool = True,
) -> None:
    """Does the intended decision fit the degree of danger? Raises with a Dutch reason if not;
    with several problems, every one of them at once (``ValidationErrors``).

    ``require_grounds=False`` is for the historical record of an imported register, which
    seldom names the grounds: the fit of decision and danger is still checked.
    """
    problems = conclusion_problems(
        conclusion, grounds, intended, reason, require_grounds=require_grounds
    )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationErrors(problems)


def conclusion_problems(
    conclusion: Conclusion,
    grounds: tuple[str, ...],
    intended: Decision,
    reason: str = "",
    *,
    require_grounds: bool = True,
) -> list[ValidationError]:
    """Every reason why the intended decision does not fit the degree of danger."""
    problems: list[ValidationError] = []
    if conclusion is Conclusion.GEEN_GEVAAR:
        if grounds:
            problems.append(
                ValidationError("Bij 'geen gevaar' horen geen gronden (a, b of c).", "grounds")
            )
        if intended is not Decision.VERLENEN:
            problems.append(
                ValidationError(
                    "Bij 'geen gevaar' is er geen Bibob-grond om te weigeren, in te trekken of "
                    "voorschriften te verbinden: het besluit is verlenen.",
                    "decision",
                )
            )
        return problems
    if not grounds and require_grounds:
        problems.append(
            ValidationError(
                "Geef aan op welke grond het gevaar bestaat (a, b en/of c, art. 3 Wet Bibob).",
                "grounds",
            )
        )
    if conclusion is Conclusion.MINDERE_MATE:
        if "c" in grounds:
            problems.append(
                ValidationError(
                    "De c-grond (art. 3 lid 6) is een weigeringsgrond; kies daarvoor "
                    "'ernstig gevaar'.",
                    "grounds",
                )
            )
        if intended in (Decision.WEIGEREN, Decision.INTREKKEN):
            problems.append(
                ValidationError(
                    "Weigeren of intrekken kan alleen bij ernstig gevaar (art. 3 lid 1 Wet Bibob); "
                    "bij een mindere mate van gevaar kunnen voorschriften worden verbonden "
                    "(art. 3 lid 7).",
                    "decision",
                )
            )
        return problems
    # ernstig gevaar: refusing or withdrawing must be proportionate (art. 3 lid 5); granting
    # anyway is allowed, but the file must say why.
    if intended in (Decision.VERLENEN, Decision.VERLENEN_MET_VOORSCHRIFTEN) and not reason.strip():
        problems.append(
            ValidationError(
                "Bij ernstig gevaar toch verlenen kan alleen met een motivering, bijvoorbeeld dat "
                "weigeren onevenredig is (art. 3 lid 5 Wet Bibob). Vul de reden in.",
                "reason",
            )
        )
    return problems


def check_final_decision(
    conclusion: Conclusion | None,
    intended: Decision | None,
    final: Decision,
    grounds: tuple[str, ...] = (),
    reason: str = "",
) -> None:
    """The decision taken must fit the conclusion, and a zienswijze must have preceded it."""
    if conclusion is None:
        raise ValidationError("Leg eerst de conclusie over de mate van gevaar vast.", "conclusion")
    check_conclusion(conclusion, grounds, final, reason)
    zienswijze_held = intended is not None and intended in DECISIONS_NEEDING_ZIENSWIJZE
    if final in DECISIONS_NEEDING_ZIENSWIJZE and not zienswijze_held:
        raise ValidationError(
            f"{DECISION_LABELS[final]} kan pas nadat de betrokkene een zienswijze heeft kunnen "
            "geven (art. 33 Wet Bibob). Leg het voornemen vast in de fase conclusie.",
            "decision",
        )


# --- the phase graph ------------------------------------------------------------------------

NEXT_PHASES: dict[Phase, tuple[Phase, ...]] = {
    Phase.INTAKE: (Phase.TOEPASBAARHEID,),
    Phase.TOEPASBAARHEID: (Phase.VRAGENFORMULIER, Phase.EIGEN_ONDERZOEK, Phase.GESLOTEN),
    Phase.VRAGENFORMULIER: (Phase.EIGEN_ONDERZOEK,),
    Phase.EIGEN_ONDERZOEK: (Phase.LBB_ADVIES, Phase.CONCLUSIE),
    Phase.LBB_ADVIES: (Phase.CONCLUSIE,),
    Phase.CONCLUSIE: (Phase.ZIENSWIJZE, Phase.BESLUIT),
    Phase.ZIENSWIJZE: (Phase.BESLUIT,),
    Phase.BESLUIT: (Phase.GESLOTEN,),
    Phase.GESLOTEN: (),
    Phase.INGETROKKEN: (),
}

# Withdrawal by the applicant: any phase before the decision.
WITHDRAWABLE_PHASES = PHASES_BEFORE_DECISION

# What the move means, shown on the button.
STEP_LABELS: dict[Phase, str] = {
    Phase.TOEPASBAARHEID: "Toepasbaarheid beoordelen",
    Phase.VRAGENFORMULIER: "Vragenformulier versturen",
    Phase.EIGEN_ONDERZOEK: "Eigen onderzoek starten",
    Phase.LBB_ADVIES: "LBB-advies aanvragen",
    Phase.CONCLUSIE: "Naar conclusie",
    Phase.ZIENSWIJZE: "Zienswijze vragen",
    Phase.BESLUIT: "Naar besluit",
    Phase.GESLOTEN: "Zaak sluiten",
    Phase.INGETROKKEN: "Aanvraag ingetrokken",
}


@dataclass(frozen=True)
class WorkflowState:
    """What the rules need to know about a case."""

    phase: Phase
    outcome: str | None = None  # mandatory / optional / not_applicable / None (not assessed)
    conclusion: Conclusion | None = None
    intended_decision: Decision | None = None  # the decision recorded in the conclusie phase
    decision_taken: bool = False  # the decision date is recorded


@dataclass(frozen=True)
class TransitionCheck:
    target: Phase
    allowed: bool
    reason: str  # why refused, or what the step means

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.target, PHASE_LABELS[self.target])


def _label(phase: Phase) -> str:
    return PHASE_LABELS[phase].lower()


def _refuse(target: Phase, reason: str) -> TransitionCheck:
    return TransitionCheck(target, False, reason)


def _allow(target: Phase, reason: str) -> TransitionCheck:
    return TransitionCheck(target, True, reason)


def check_transition(state: WorkflowState, target: Phase) -> TransitionCheck:
    """May the case move from its phase to ``target``? Always answers with a Dutch reason."""
    phase = state.phase
    if target == phase:
        return _refuse(target, f"De zaak is al in de fase {_label(phase)}.")
    if target is Phase.INGETROKKEN:
        if phase in WITHDRAWABLE_PHASES:
            return _allow(target, "De aanvrager heeft de aanvraag ingetrokken (terugtrekking).")
        if phase is Phase.BESLUIT:
            return _refuse(
                target,
                "Er is al een besluit genomen; een intrekking door de aanvrager kan niet meer.",
            )
        return _refuse(target, f"De zaak is al afgesloten ({_label(phase)}).")
    if target not in NEXT_PHASES[phase]:
        if phase in (Phase.GESLOTEN, Phase.INGETROKKEN):
            return _refuse(target, f"De zaak is afgesloten ({_label(phase)}).")
        return _refuse(
            target,
            f"Van de fase {_label(phase)} kan de zaak niet rechtstreeks naar de fase "
            f"{_label(target)}.",
        )

    outcome = state.outcome
    if phase is Phase.TOEPASBAARHEID:
        if outcome is None:
            return _refuse(
                target, "Beoordeel eerst of de Wet Bibob op deze zaak van toepassing is."
            )
        if target is Phase.GESLOTEN:
            if outcome == OUTCOME_NOT_APPLICABLE:
                return _allow(target, "Bibob is niet van toepassing; de zaak kan worden gesloten.")
            return _refuse(
                target,
                "Bibob is op deze zaak van toepassing; sluiten kan pas na een besluit of als de "
                "aanvrager de aanvraag intrekt.",
            )
        if outcome not in OUTCOMES_IN_SCOPE:
            return _refuse(
                target,
                "Bibob is op deze zaak niet van toepassing volgens het beleid; sluit de zaak.",
            )
        if target is Phase.VRAGENFORMULIER:
            return _allow(target, "Het Bibob-vragenformulier gaat naar de aanvrager (art. 7a).")
        return _allow(target, "Eigen onderzoek zonder (nieuw) vragenformulier.")

    if target is Phase.LBB_ADVIES:
        if outcome not in OUTCOMES_IN_SCOPE:
            return _refuse(
                target,
                "Een LBB-advies kan alleen worden gevraagd als Bibob op de zaak van toepassing is "
                "(verplicht of optioneel volgens het beleid).",
            )
        return _allow(
            target,
            "Advies vragen aan het Landelijk Bureau Bibob (art. 9); de beslistermijn wordt "
            "opgeschort (art. 31) en de aanvrager wordt ingelicht (art. 32).",
        )

    if target is Phase.CONCLUSIE:
        return _allow(target, "Het onderzoek is klaar; de mate van gevaar vaststellen (art. 3).")

    if target is Phase.ZIENSWIJZE:
        if state.conclusion is None:
            return _refuse(target, "Leg eerst de conclusie en het voorgenomen besluit vast.")
        if state.conclusion is Conclusion.GEEN_GEVAAR:
            return _refuse(
                target,
                "Bij de conclusie 'geen gevaar' is geen zienswijze nodig: het besluit is verlenen.",
            )
        if state.intended_decision not in DECISIONS_NEEDING_ZIENSWIJZE:
            return _refuse(
                target,
                "Een zienswijze (art. 33) hoort alleen bij een voornemen tot weigeren, intrekken "
                "of verlenen met voorschriften.",
            )
        return _allow(
            target,
            "De betrokkene krijgt de gelegenheid een zienswijze te geven (art. 33 Wet Bibob).",
        )

    if target is Phase.BESLUIT:
        if outcome is None:
            return _refuse(
                target,
                "Er is nog geen beoordeling van de toepasbaarheid: zonder die beoordeling kan er "
                "geen besluit worden genomen.",
            )
        if state.conclusion is None or state.intended_decision is None:
            return _refuse(target, "Leg eerst de conclusie en het voorgenomen besluit vast.")
        if phase is Phase.CONCLUSIE and state.intended_decision in DECISIONS_NEEDING_ZIENSWIJZE:
            return _refuse(
                target,
                "Voor een besluit tot "
                f"{DECISION_LABELS[state.intended_decision].lower()} moet de betrokkene eerst een "
                "zienswijze kunnen geven (art. 33 Wet Bibob).",
            )
        return _allow(target, "Het besluit nemen en verzenden.")

    if target is Phase.EIGEN_ONDERZOEK:
        return _allow(
            target, "De antwoorden op het vragenformulier zijn binnen of de termijn is om."
        )

    if target is Phase.GESLOTEN:  # from besluit
        if not state.decision_taken:
            return _refuse(target, "Leg eerst het besluit met de besluitdatum vast.")
        return _allow(target, "Het besluit is genomen; de zaak sluiten.")

    if target is Phase.TOEPASBAARHEID:
        return _allow(target, "Beoordelen of de Wet Bibob van toepassing is.")
    return _allow(target, f"{STEP_LABELS.get(target, PHASE_LABELS[target])}.")


def available_transitions(state: WorkflowState) -> list[TransitionCheck]:
    """The next steps of the phase (allowed or not) plus withdrawal, for buttons."""
    targets = list(NEXT_PHASES[state.phase])
    if state.phase in WITHDRAWABLE_PHASES:
        targets.append(Phase.INGETROKKEN)
    return [check_transition(state, target) for target in targets]


def require_transition(state: WorkflowState, target: Phase) -> TransitionCheck:
    check = check_transition(state, target)
    if not check.allowed:
        raise ValidationError(check.reason, "phase")
    return check


# --- suspensions -----------------------------------------------------------------------------

SUSPENSION_REASONS = {
    "lbb_advies": "LBB-advies aangevraagd (Wet Bibob art. 31)",
    "lbb_aanvullende_vragen": "Aanvullende vragen van het LBB (Wet Bibob art. 15 lid 2)",
    "vragenformulier": "Wachten op het vragenformulier (Awb art. 4:15)",
}

# Wet Bibob art. 31 with art. 15: the suspension for an LBB advice lasts at most 8 + 4 weeks.
LBB_MAX_SUSPENSION = timedelta(weeks=12)


@dataclass(frozen=True)
class SuspensionPeriod:
    start: date
    end: date | None  # None while it runs
    max_end: date | None = None


def effective_end(period: SuspensionPeriod, today: date) -> date:
    """Where a period stops counting: its end, or while running its maximum, else today."""
    if period.end is not None:
        end = period.end
    elif period.max_end is not None:
        end = period.max_end
    else:
        end = today
    if period.max_end is not None:
        end = min(end, period.max_end)
    return max(end, period.start)


def suspended_days(periods: list[SuspensionPeriod], today: date) -> int:
    """Days the decision period is suspended; overlapping periods count once.

    A period runs from its start day up to (not including) its end day: suspended "from the day
    the advice is requested until the day it is received" (Wet Bibob art. 31). A running period
    with a maximum counts up to that maximum, so the shifted decision date shown is the latest
    one the law allows; without a maximum it counts up to today.
    """
    intervals = sorted((p.start, effective_end(p, today)) for p in periods)
    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in intervals:
        if current_end is None or current_start is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).days
    return total
