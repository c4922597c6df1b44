"""Which letter an officer may produce for a case, and why not when it does not fit.

The rule table below is meant to be read by a lawyer: one row per letter type with the facts of
the case it needs. The legal basis of each letter is cited here and in its template
(resources/letters/<type>.toml).

Sources (Wet Bibob = BWBR0013798, Awb = BWBR0005537):
- vragenformulier: art. 7a Wet Bibob, Regeling Bibob-formulieren 2024; not answering: Awb 4:5
  (aanvraag buiten behandeling), art. 4 Wet Bibob (at withdrawal of a permit).
- opschorting: art. 15 Wet Bibob (LBB advises within 8 weeks, once extendable by at most 4),
  art. 31 Wet Bibob (decision period suspended while the advice is pending), art. 32 Wet Bibob
  (the betrokkene is told in writing that advice was asked).
- voornemen_weigering: art. 33 Wet Bibob and Awb 4:8 (zienswijze before a negative decision),
  art. 28 Wet Bibob (confidentiality of the advice).
- kennisgeving_derden: art. 33 lid 2 Wet Bibob (a third party named in the reasoning may see the
  part about it), art. 28 Wet Bibob.
- besluit: art. 3 Wet Bibob, Awb 3:46 (motivering), Awb 3:45 (rechtsmiddelenclausule), Awb 6:7 and
  6:8 (six weeks, from the day after sending), Awb 10:10 (mandaat).
- intern_advies: art. 3 Wet Bibob (degree of danger), internal; confidential under art. 28.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.phases import Phase, has_reached
from bibob_desk.domain.workflow import CONCLUSION_LABELS as WORKFLOW_CONCLUSION_LABELS
from bibob_desk.domain.workflow import DECISION_LABELS as WORKFLOW_DECISION_LABELS


class LetterType(StrEnum):
    VRAGENFORMULIER = "vragenformulier"
    OPSCHORTING = "opschorting"
    VOORNEMEN_WEIGERING = "voornemen_weigering"
    KENNISGEVING_DERDEN = "kennisgeving_derden"
    BESLUIT = "besluit"
    INTERN_ADVIES = "intern_advies"


LETTER_LABELS: dict[LetterType, str] = {
    LetterType.VRAGENFORMULIER: "Verzoek vragenformulier",
    LetterType.OPSCHORTING: "Mededeling opschorting beslistermijn",
    LetterType.VOORNEMEN_WEIGERING: "Voornemen en uitnodiging zienswijze",
    LetterType.KENNISGEVING_DERDEN: "Kennisgeving aan derden",
    LetterType.BESLUIT: "Besluit",
    LetterType.INTERN_ADVIES: "Intern advies aan de burgemeester",
}

DOCUMENT_STATUS_LABELS = {"concept": "Concept", "definitief": "Definitief"}


def document_type_label(code: str) -> str:
    """The Dutch name of a document type (a letter type code); an unknown code is shown as is."""
    try:
        return LETTER_LABELS[LetterType(code)]
    except ValueError:
        return code.replace("_", " ").capitalize()


def document_status_label(code: str) -> str:
    return DOCUMENT_STATUS_LABELS.get(code, code.replace("_", " ").capitalize())


# Four-eyes (issue 6): these need a team lead's approval before they are made final or exported.
LETTERS_NEEDING_APPROVAL = frozenset({LetterType.BESLUIT, LetterType.INTERN_ADVIES})

# Letters addressed to someone outside the organisation (the intern advies is not sent).
EXTERNAL_LETTERS = frozenset(set(LetterType) - {LetterType.INTERN_ADVIES})

# ZGW Documenten API vertrouwelijkheidaanduiding, in the API's order (least to most secret).
CONFIDENTIALITY_LEVELS = (
    "openbaar",
    "beperkt_openbaar",
    "intern",
    "zaakvertrouwelijk",
    "vertrouwelijk",
    "confidentieel",
    "geheim",
    "zeer_geheim",
)
DEFAULT_CONFIDENTIALITY = "vertrouwelijk"


def parse_confidentiality(text: str) -> str:
    normal = text.strip().lower().replace(" ", "_").replace("-", "_")
    if normal not in CONFIDENTIALITY_LEVELS:
        raise ValidationError(
            f"Onbekende vertrouwelijkheidsaanduiding '{text.strip()}'. Kies uit: "
            + ", ".join(CONFIDENTIALITY_LEVELS)
            + ".",
            "vertrouwelijkheidaanduiding",
        )
    return normal


def parse_letter_type(text: str) -> LetterType:
    normal = text.strip().lower().replace("-", "_").replace(" ", "_")
    for letter_type in LetterType:
        if normal == letter_type.value:
            return letter_type
    known = ", ".join(t.value for t in LetterType)
    raise ValidationError(f"Onbekend brieftype '{text.strip()}'. Kies uit: {known}.", "type")


# --- conclusions and decisions (codes written by the workflow) -----------------------------

# Lower case, for use inside a sentence of a letter; the values come from the workflow's tables.
CONCLUSION_LABELS = {c.value: label.lower() for c, label in WORKFLOW_CONCLUSION_LABELS.items()}
DECISION_LABELS = {d.value: label.lower() for d, label in WORKFLOW_DECISION_LABELS.items()}


def conclusion_kind(code: str | None) -> str | None:
    """Normalise a conclusion code to ``ernstig_gevaar``, ``mindere_mate`` or ``geen_gevaar``.

    Tolerates the spellings in use ("mindere_mate_van_gevaar", "ernstig gevaar").
    """
    if not code:
        return None
    normal = code.strip().lower().replace(" ", "_").replace("-", "_")
    if normal.startswith("ernstig"):
        return "ernstig_gevaar"
    if normal.startswith("mindere"):
        return "mindere_mate"
    if normal.startswith("geen"):
        return "geen_gevaar"
    return normal


def conclusion_label(code: str | None) -> str:
    kind = conclusion_kind(code)
    return CONCLUSION_LABELS.get(kind or "", kind or "(nog geen conclusie)")


def decision_kind(code: str | None) -> str | None:
    if not code:
        return None
    normal = code.strip().lower().replace(" ", "_").replace("-", "_")
    if normal.startswith("verlen") and "voorschrift" in normal:
        return "verlenen_met_voorschriften"
    if normal.startswith("verlen"):
        return "verlenen"
    if normal.startswith("weiger"):
        return "weigeren"
    if normal.startswith("intrek") or normal.startswith("ingetrok"):
        return "intrekken"
    return normal


def decision_label(code: str | None) -> str:
    kind = decision_kind(code)
    return DECISION_LABELS.get(kind or "", kind or "(nog geen besluit)")


# --- the rule table ------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterFacts:
    """The facts of a case that decide which letters fit (filled by the service)."""

    phase: str
    outcome: str | None = None  # mandatory / optional / not_applicable (applicability)
    conclusion: str | None = None
    decision: str | None = None
    has_lbb_request: bool = False  # a suspension with reason lbb_advies
    has_applicant: bool = True
    third_party_count: int = 0


def letter_refusal(letter_type: LetterType, facts: LetterFacts) -> str | None:
    """Why this letter does not fit the case (a Dutch sentence), or None when it fits."""
    label = LETTER_LABELS[letter_type].lower()
    if facts.phase == Phase.INGETROKKEN.value:
        return f"De aanvraag is ingetrokken; een {label} past niet meer bij deze zaak."
    addressed_to_applicant = (
        letter_type in EXTERNAL_LETTERS and letter_type != LetterType.KENNISGEVING_DERDEN
    )
    if addressed_to_applicant and not facts.has_applicant:
        return f"De zaak heeft geen aanvrager om de {label} aan te richten."
    conclusion = conclusion_kind(facts.conclusion)

    if letter_type == LetterType.VRAGENFORMULIER:
        # Art. 7a Wet Bibob: only once Bibob applies to the case.
        if facts.outcome == "not_applicable":
            return (
                "Bibob is volgens de toepasbaarheidstoets niet van toepassing op deze zaak; "
                "een vragenformulier past daar niet bij."
            )
        if facts.outcome in ("mandatory", "optional") or has_reached(
            facts.phase, Phase.TOEPASBAARHEID
        ):
            return None
        return "Beoordeel eerst de toepasbaarheid van Bibob voordat u een vragenformulier stuurt."

    if letter_type == LetterType.OPSCHORTING:
        # Art. 31 Wet Bibob: the suspension follows from an advice request to the LBB.
        if facts.has_lbb_request or has_reached(facts.phase, Phase.LBB_ADVIES):
            return None
        return (
            "Een mededeling van opschorting past pas als advies bij het Landelijk Bureau Bibob "
            "is gevraagd (art. 31 Wet Bibob)."
        )

    if letter_type == LetterType.VOORNEMEN_WEIGERING:
        # Art. 33 Wet Bibob: a zienswijze before refusal, withdrawal or voorschriften.
        if conclusion in ("ernstig_gevaar", "mindere_mate"):
            return None
        if conclusion == "geen_gevaar":
            return (
                "De conclusie is 'geen gevaar'; een voornemen tot weigering of voorschriften "
                "past daar niet bij."
            )
        return (
            "Een voornemen kan pas na een conclusie van ernstig gevaar of mindere mate van "
            "gevaar (art. 3 en art. 33 Wet Bibob)."
        )

    if letter_type == LetterType.KENNISGEVING_DERDEN:
        if facts.third_party_count > 0:
            return None
        return (
            "Er staat geen andere betrokkene dan de aanvrager in de zaak; een kennisgeving aan "
            "derden heeft dan geen geadresseerde."
        )

    if letter_type == LetterType.BESLUIT:
        if conclusion is None:
            return (
                "Een besluit kan pas na een conclusie over de mate van gevaar (art. 3 Wet Bibob)."
            )
        if not facts.decision:
            return "Leg eerst het besluit (verlenen, voorschriften, weigeren, intrekken) vast."
        return None

    if letter_type == LetterType.INTERN_ADVIES:
        if conclusion is None:
            return "Een intern advies kan pas na een conclusie over de mate van gevaar."
        return None

    return None  # pragma: no cover - every type has a row above


def check_letter_fits(letter_type: LetterType, facts: LetterFacts) -> None:
    reason = letter_refusal(letter_type, facts)
    if reason is not None:
        raise ValidationError(reason, "type")


def letter_availability(facts: LetterFacts) -> dict[LetterType, str | None]:
    """Every letter type with the reason it does not fit (None = it fits)."""
    return {letter_type: letter_refusal(letter_type, facts) for letter_type in LetterType}


def letter_date(letter_type: LetterType, decision_date: date | None, today: date) -> date:
    """The date a letter carries (dagtekening): a besluit is dated on the day it was taken."""
    if letter_type is LetterType.BESLUIT and decision_date is not None:
        return decision_date
    return today
