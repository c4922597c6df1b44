"""Is Bibob applicable? The first question of every case, answered from the policy in force.

``assess(policy, inputs)`` gives one of three outcomes with the rule that decided it and reasons an
officer can paste into a file note. The order of the rules, for an area in the policy:

1. ``verplicht_gebied``: the policy always screens this area.
2. For an area screened above the threshold (omgevingsvergunning_bouw in the seed):
   ``bouwsom_boven_drempel`` when the bouwsom passes the threshold ("meer bedraagt dan": strictly
   above; "of meer": at or above); otherwise ``risicogebied`` when the postcode lies in a risk
   area, ``risicocategorie`` when a given risk tag is a risk category of the policy (each with its
   optional lower threshold); otherwise ``bouwsom_niet_boven_drempel`` (optional).
3. ``kan_bepaling``: the policy leaves the area to a decision per case (optional).
4. ``tip``: an article 26 tip turns an optional outcome into mandatory when the policy says so.
5. ``buiten_beleid``: the policy does not designate the area (not applicable). A tip does not
   change that: a tip is a reason to investigate, never by itself a legal ground.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bibob_desk.domain.areas import AREAS_WITH_BOUWSOM, area_label, parse_area
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import format_money, money_to_json, parse_money
from bibob_desk.domain.policy import (
    COMPARISON_LABELS,
    AreaScope,
    Policy,
    PolicyRef,
    exceeds,
    normalise_tag,
)
from bibob_desk.domain.values import format_date_nl, parse_date, parse_postcode


class Outcome(StrEnum):
    MANDATORY = "mandatory"
    OPTIONAL = "optional"
    NOT_APPLICABLE = "not_applicable"


OUTCOME_LABELS = {
    Outcome.MANDATORY: "Bibob-toets verplicht",
    Outcome.OPTIONAL: "Bibob-toets mogelijk (kan-bepaling)",
    Outcome.NOT_APPLICABLE: "Bibob niet van toepassing volgens het beleid",
}


class Rule(StrEnum):
    VERPLICHT_GEBIED = "verplicht_gebied"
    BOUWSOM_BOVEN_DREMPEL = "bouwsom_boven_drempel"
    # "of meer" (>=) and the bouwsom exactly at the threshold: not "above" it.
    BOUWSOM_OP_DREMPEL = "bouwsom_op_drempel"
    BOUWSOM_NIET_BOVEN_DREMPEL = "bouwsom_niet_boven_drempel"
    RISICOGEBIED = "risicogebied"
    RISICOCATEGORIE = "risicocategorie"
    TIP = "tip"
    KAN_BEPALING = "kan_bepaling"
    BUITEN_BELEID = "buiten_beleid"


RULE_LABELS = {
    Rule.VERPLICHT_GEBIED: "Verplicht toepassingsgebied",
    Rule.BOUWSOM_BOVEN_DREMPEL: "Bouwsom boven de drempel",
    Rule.BOUWSOM_OP_DREMPEL: "Bouwsom gelijk aan of boven de drempel",
    Rule.BOUWSOM_NIET_BOVEN_DREMPEL: "Bouwsom niet boven de drempel",
    Rule.RISICOGEBIED: "Locatie in risicogebied",
    Rule.RISICOCATEGORIE: "Risicocategorie (branche)",
    Rule.TIP: "Tip (art. 26 Wet Bibob)",
    Rule.KAN_BEPALING: "Kan-bepaling",
    Rule.BUITEN_BELEID: "Niet aangewezen in het beleid",
}

# The statutory hook per area: what lets the bestuursorgaan refuse or withdraw on the grounds of
# art. 3 Wet Bibob. Art. 7 Wet Bibob covers permits a municipal verordening (APV) requires for an
# "inrichting of bedrijf"; Omgevingswet art. 5.31 lid 1 onder a covers the omgevingsvergunning
# for a bouwactiviteit and a milieubelastende activiteit (since 1 January 2024). Where the article
# number could not be verified against the live text, only the law is named.
LEGAL_BASIS: dict[str, str] = {
    "alcohol": "de Alcoholwet, in samenhang met artikel 3 Wet Bibob",
    "exploitatie_horeca": "artikel 7 Wet Bibob (vergunning op grond van een gemeentelijke "
    "verordening voor een inrichting of bedrijf), in samenhang met artikel 3 Wet Bibob",
    "coffeeshop": "artikel 7 Wet Bibob (exploitatievergunning op grond van de APV), in "
    "samenhang met artikel 3 Wet Bibob",
    "seksinrichting": "artikel 7 Wet Bibob (vergunning op grond van de APV), in samenhang met "
    "artikel 3 Wet Bibob",
    "omgevingsvergunning_bouw": "artikel 5.31, eerste lid, onder a, Omgevingswet, in samenhang "
    "met artikel 3 Wet Bibob",
    "omgevingsvergunning_milieu": "artikel 5.31, eerste lid, onder a, Omgevingswet, in samenhang "
    "met artikel 3 Wet Bibob",
    "aanwezigheidsvergunning": "de Wet op de kansspelen, in samenhang met artikel 3 Wet Bibob",
    "speelautomatenhal": "de Wet op de kansspelen en artikel 7 Wet Bibob (exploitatievergunning "
    "op grond van de APV), in samenhang met artikel 3 Wet Bibob",
    "kansspelen": "de Wet op de kansspelen, in samenhang met artikel 3 Wet Bibob",
    "evenement": "artikel 7 Wet Bibob (vergunning op grond van de APV), in samenhang met "
    "artikel 3 Wet Bibob",
    "subsidie": "de Wet Bibob (subsidies), in samenhang met artikel 3 Wet Bibob",
    "vastgoed": "de Wet Bibob (vastgoedtransacties), in samenhang met artikel 3 Wet Bibob",
    "overheidsopdracht": "de Wet Bibob (overheidsopdrachten), in samenhang met artikel 3 Wet Bibob",
    "huisvestingsvergunning": "de Huisvestingswet 2014, in samenhang met artikel 3 Wet Bibob",
    "verhuurvergunning": "de Wet goed verhuurderschap (sinds 1 juli 2023), in samenhang met "
    "artikel 3 Wet Bibob",
}

POWER_NOT_DUTY = (
    "De Wet Bibob geeft een bevoegdheid, geen wettelijke plicht: 'verplicht' betekent verplicht "
    "volgens het eigen Bibob-beleid, een beleidsregel als bedoeld in artikel 4:81 Awb."
)
TIP_NOT_A_GROUND = (
    "Een tip is een reden om onderzoek te doen, nooit op zichzelf een grond om te weigeren of "
    "in te trekken."
)


@dataclass(frozen=True)
class AssessmentInputs:
    """What the assessment looks at, already validated (see ``parse_inputs``)."""

    area: str
    application_date: date
    bouwsom: Decimal | None = None
    postcode: str | None = None  # normal form "1234 AB"
    risk_tags: tuple[str, ...] = ()
    tip: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "application_date": self.application_date.isoformat(),
            "bouwsom": money_to_json(self.bouwsom),
            "postcode": self.postcode,
            "risk_tags": list(self.risk_tags),
            "tip": self.tip,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessmentInputs:
        bouwsom = data.get("bouwsom")
        return cls(
            area=str(data["area"]),
            application_date=date.fromisoformat(str(data["application_date"])),
            bouwsom=Decimal(bouwsom) if bouwsom is not None else None,
            postcode=data.get("postcode"),
            risk_tags=tuple(data.get("risk_tags") or ()),
            tip=bool(data.get("tip", False)),
        )


def parse_risk_tags(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Tags as typed (a list, or one comma-separated text): normalised, empty ones dropped."""
    if values is None:
        return ()
    items = values.split(",") if isinstance(values, str) else list(values)
    tags: list[str] = []
    for item in items:
        for part in str(item).split(","):
            tag = normalise_tag(part)
            if tag and tag not in tags:
                tags.append(tag)
    return tuple(tags)


def parse_inputs(
    area: str,
    *,
    bouwsom: str | Decimal | None = None,
    postcode: str | None = None,
    risk_tags: Iterable[str] | str | None = (),
    tip: bool = False,
    on: str | date | None = None,
) -> AssessmentInputs:
    """Turn typed text into inputs; the first thing that is wrong gives a Dutch message."""
    code = parse_area(area)
    amount: Decimal | None = None
    if isinstance(bouwsom, Decimal):
        amount = parse_money(bouwsom)
    elif bouwsom is not None and str(bouwsom).strip():
        amount = parse_money(str(bouwsom))
    normal_postcode = parse_postcode(postcode) if postcode and postcode.strip() else None
    if on is None:
        when = date.today()
    elif isinstance(on, date):
        when = on
    else:
        when = parse_date(on, "date")
    return AssessmentInputs(
        area=code,
        application_date=when,
        bouwsom=amount,
        postcode=normal_postcode,
        risk_tags=parse_risk_tags(risk_tags),
        tip=tip,
    )


def needs_bouwsom(policy: Policy, area: str) -> bool:
    """Whether the bouwsom must be given: where it decides, and for a building permit the policy
    covers (the case file needs it there anyway). An area the policy leaves out needs none."""
    scope = policy.scope(area)
    if scope is AreaScope.OUT_OF_SCOPE:
        return False
    return scope is AreaScope.THRESHOLD or area in AREAS_WITH_BOUWSOM


def missing_bouwsom_error(area: str) -> ValidationError:
    return ValidationError(
        f"Vul de bouwsom (excl. btw) in: bij '{area_label(area)}' hangt de toepasbaarheid van "
        "de Wet Bibob af van de bouwsom.",
        "bouwsom",
    )


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    rule: Rule
    reasons: tuple[str, ...]
    policy: PolicyRef
    inputs: AssessmentInputs

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def rule_label(self) -> str:
        return RULE_LABELS[self.rule]

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` contract: outcome, rule, reasons, policy (more keys may follow)."""
        return {
            "outcome": self.outcome.value,
            "rule": self.rule.value,
            "reasons": list(self.reasons),
            "policy": self.policy.to_json(),
            "outcome_label": self.outcome_label,
            "rule_label": self.rule_label,
            "inputs": self.inputs.to_json(),
        }

    def summary(self) -> str:
        """A readable Dutch text for a file note."""
        lines = [
            f"Uitkomst: {self.outcome_label} (regel: {self.rule.value}).",
            f"Beleid: {self.policy.name}, versie {self.policy.version}, geldend vanaf "
            f"{format_date_nl(self.policy.effective_from)}.",
            "Motivering:",
        ]
        lines.extend(f"- {reason}" for reason in self.reasons)
        return "\n".join(lines)


def assess(policy: Policy, inputs: AssessmentInputs) -> Assessment:
    """Decide applicability under ``policy`` (the caller picks the version in force)."""
    ref = policy.ref
    cite = ref.cite()
    label = area_label(inputs.area)
    basis = LEGAL_BASIS.get(inputs.area, "artikel 3 Wet Bibob")
    scope = policy.scope(inputs.area)
    reasons: list[str] = []

    if scope is AreaScope.OUT_OF_SCOPE:
        reasons.append(
            f"{label} is in {cite} niet aangewezen als toepassingsgebied voor een Bibob-toets; "
            "volgens dit beleid wordt de Wet Bibob hierop niet toegepast."
        )
        reasons.append(
            f"De wet zelf maakt toepassing wel mogelijk ({basis}); wil de organisatie dit "
            "gebied toetsen, dan moet zij het beleid (een beleidsregel, artikel 4:81 Awb) "
            "aanvullen."
        )
        if inputs.tip:
            reasons.append(
                "Er is een tip (artikel 26 Wet Bibob) ontvangen, maar die verandert de uitkomst "
                f"niet: {TIP_NOT_A_GROUND[0].lower()}{TIP_NOT_A_GROUND[1:]}"
            )
        reasons.extend(_ignored_notes(policy, inputs, uses_bouwsom=False))
        return Assessment(Outcome.NOT_APPLICABLE, Rule.BUITEN_BELEID, tuple(reasons), ref, inputs)

    if scope is AreaScope.MANDATORY:
        outcome, rule = Outcome.MANDATORY, Rule.VERPLICHT_GEBIED
        reasons.append(
            f"{label} is in {cite} aangewezen als toepassingsgebied waarvoor een Bibob-toets "
            "altijd verplicht is."
        )
        uses_bouwsom = False
    elif scope is AreaScope.OPTIONAL:
        outcome, rule = Outcome.OPTIONAL, Rule.KAN_BEPALING
        reasons.append(
            f"{label} is in {cite} aangewezen als toepassingsgebied waarbij een Bibob-toets "
            "mogelijk is (kan-bepaling): het bestuursorgaan besluit per geval of het toetst."
        )
        uses_bouwsom = False
    else:
        outcome, rule, threshold_reasons = _threshold_rule(policy, inputs, cite, label)
        reasons.extend(threshold_reasons)
        uses_bouwsom = True

    if inputs.tip:
        if outcome is Outcome.MANDATORY:
            reasons.append(
                "Er is bovendien een tip (artikel 26 Wet Bibob) ontvangen over de aanvrager of "
                f"een betrokkene. {TIP_NOT_A_GROUND}"
            )
        elif policy.tip_makes_mandatory:
            outcome, rule = Outcome.MANDATORY, Rule.TIP
            reasons.append(
                "Er is een tip (artikel 26 Wet Bibob) ontvangen over de aanvrager of een "
                f"betrokkene; volgens {cite} maakt een tip de Bibob-toets verplicht bij een "
                f"toepassingsgebied dat onder het beleid valt. {TIP_NOT_A_GROUND}"
            )
        else:
            reasons.append(
                "Er is een tip (artikel 26 Wet Bibob) ontvangen; het beleid maakt de toets "
                "daardoor niet verplicht, maar een toets ligt voor de hand. "
                f"{TIP_NOT_A_GROUND}"
            )

    reasons.append(f"Wettelijke grondslag: {basis}.")
    reasons.append(POWER_NOT_DUTY)
    reasons.extend(_ignored_notes(policy, inputs, uses_bouwsom=uses_bouwsom))
    return Assessment(outcome, rule, tuple(reasons), ref, inputs)


def _threshold_rule(
    policy: Policy, inputs: AssessmentInputs, cite: str, label: str
) -> tuple[Outcome, Rule, list[str]]:
    if inputs.bouwsom is None:
        raise missing_bouwsom_error(inputs.area)
    amount = inputs.bouwsom
    comparison = COMPARISON_LABELS[policy.comparison]
    money = format_money(amount)
    limit = format_money(policy.threshold)
    if exceeds(amount, policy.threshold, policy.comparison):
        at_threshold = amount == policy.threshold
        return (
            Outcome.MANDATORY,
            Rule.BOUWSOM_OP_DREMPEL if at_threshold else Rule.BOUWSOM_BOVEN_DREMPEL,
            [
                f"Bij {label} is een Bibob-toets volgens {cite} verplicht als de bouwsom "
                f"(excl. btw) {comparison} {limit} bedraagt. De bouwsom is {money}; daarmee is "
                "de Bibob-toets verplicht."
            ],
        )
    below = (
        f"Bij {label} is een Bibob-toets volgens {cite} verplicht als de bouwsom (excl. btw) "
        f"{comparison} {limit} bedraagt. De bouwsom is {money} en blijft daarmee binnen die "
        "drempel."
    )
    notes: list[str] = []
    if inputs.postcode is not None:
        for risk_area in policy.risk_areas:
            if not risk_area.contains(inputs.postcode):
                continue
            if risk_area.threshold is None or exceeds(
                amount, risk_area.threshold, policy.comparison
            ):
                lower = (
                    ""
                    if risk_area.threshold is None
                    else f" waar een lagere drempel van {format_money(risk_area.threshold)} "
                    "geldt die deze bouwsom overschrijdt"
                )
                return (
                    Outcome.MANDATORY,
                    Rule.RISICOGEBIED,
                    [
                        below,
                        f"De locatie (postcode {inputs.postcode}) ligt echter in "
                        f"{risk_area.description},{lower or ' dat het beleid aanwijst'}; "
                        "daarmee is de Bibob-toets verplicht.",
                    ],
                )
            notes.append(
                f"De locatie (postcode {inputs.postcode}) ligt in {risk_area.description}, maar "
                f"de bouwsom blijft ook binnen de lagere drempel van "
                f"{format_money(risk_area.threshold)} die daar geldt."
            )
        if not notes:
            notes.append(
                f"De locatie (postcode {inputs.postcode}) ligt niet in een risicogebied van het "
                "beleid."
            )
    for tag in inputs.risk_tags:
        risk_tag = policy.risk_tag(tag)
        if risk_tag is None:
            notes.append(f"'{tag}' is in dit beleid geen risicocategorie.")
            continue
        if risk_tag.threshold is None or exceeds(amount, risk_tag.threshold, policy.comparison):
            lower = (
                " (voor elke bouwsom)"
                if risk_tag.threshold is None
                else f", waarvoor een lagere drempel van {format_money(risk_tag.threshold)} "
                "geldt die deze bouwsom overschrijdt"
            )
            return (
                Outcome.MANDATORY,
                Rule.RISICOCATEGORIE,
                [
                    below,
                    f"De aanvraag valt echter onder de {risk_tag.description}{lower}; "
                    f"{cite} maakt de Bibob-toets daarvoor verplicht.",
                ],
            )
        notes.append(
            f"De aanvraag valt onder de {risk_tag.description}, maar de bouwsom blijft ook "
            f"binnen de lagere drempel van {format_money(risk_tag.threshold)} die daarvoor geldt."
        )
    if inputs.postcode is None and not inputs.risk_tags and (policy.risk_areas or policy.risk_tags):
        notes.append(
            "Er is geen postcode of risicocategorie opgegeven; ligt de locatie in een "
            "risicogebied of hoort de aanvraag bij een risicobranche van het beleid, dan is de "
            "toets alsnog verplicht."
        )
    return (
        Outcome.OPTIONAL,
        Rule.BOUWSOM_NIET_BOVEN_DREMPEL,
        [
            below + " De Bibob-toets is daarom niet verplicht; het bestuursorgaan kan er per "
            "geval toe besluiten (kan-bepaling).",
            *notes,
        ],
    )


def _ignored_notes(policy: Policy, inputs: AssessmentInputs, *, uses_bouwsom: bool) -> list[str]:
    """Say which given inputs played no part, so the file note is complete and honest."""
    notes: list[str] = []
    if not uses_bouwsom:
        if inputs.bouwsom is not None:
            notes.append(
                f"De opgegeven bouwsom ({format_money(inputs.bouwsom)}) speelt bij dit "
                "toepassingsgebied geen rol."
            )
        if inputs.postcode is not None or inputs.risk_tags:
            notes.append(
                "Risicogebieden en risicocategorieën bepalen in dit beleid alleen bij een "
                "bouwsom onder de drempel of de toets verplicht is; hier spelen ze geen rol."
            )
    return notes
