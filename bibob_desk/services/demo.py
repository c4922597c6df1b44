"""Realistic generated case files for demonstrations, tests and benchmarks.

Deterministic for a seed. Rows are written in bulk (Core inserts in batches), so 100,000 cases
take well under a few minutes on SQLite.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from bibob_desk.domain.applicability import AssessmentInputs, assess
from bibob_desk.domain.decisions import Voorschrift, voorschriften_json
from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.domain.phases import CLOSED_PHASES, Phase, has_reached
from bibob_desk.domain.policy import policy_in_force
from bibob_desk.domain.values import CaseReference
from bibob_desk.services import audit
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import stored_versions
from bibob_desk.services.settings import SettingsService, fill_demo_organisation
from bibob_desk.storage.models import Assessment as AssessmentRow
from bibob_desk.storage.models import (
    Base,
    Case,
    CaseDecision,
    CaseParty,
    Document,
    Party,
    ReferenceCounter,
    Suspension,
    TimelineEntry,
    Tip,
    utcnow,
)

FIRST_NAMES = (
    "Jan",
    "Pieter",
    "Kees",
    "Henk",
    "Sanne",
    "Fatima",
    "Mohamed",
    "Lotte",
    "Sven",
    "Emma",
    "Daan",
    "Noor",
    "Bram",
    "Anouk",
    "Youssef",
    "Sophie",
    "Thijs",
    "Eva",
    "Ahmet",
    "Iris",
    "Willem",
    "Maria",
    "Ruben",
    "Julia",
    "Ricardo",
    "Femke",
    "Joost",
    "Yara",
    "Niels",
    "Esther",
)
SURNAMES = (
    "de Vries",
    "Jansen",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "Huisman",
    "Kuipers",
    "Postma",
    "Hoekstra",
    "Zwart",
    "El Amrani",
    "Yilmaz",
    "Wolters",
    "Boersma",
)
COMPANY_WORDS = (
    "Drenthe",
    "Noord",
    "Hunze",
    "Veen",
    "Esker",
    "Brink",
    "Markt",
    "Kanaal",
    "Haven",
    "Dorp",
    "Zuid",
    "Heide",
    "Vaart",
    "Molen",
    "Linde",
    "Eik",
    "Stad",
    "Delta",
    "Poort",
    "Toren",
)
COMPANY_KINDS = (
    "Horeca",
    "Vastgoed",
    "Bouw",
    "Beheer",
    "Holding",
    "Exploitatie",
    "Projecten",
    "Ontwikkeling",
    "Invest",
    "Events",
    "Gaming",
    "Recycling",
    "Transport",
    "Catering",
)
LEGAL_FORMS = ("B.V.", "V.O.F.", "Holding B.V.", "N.V.", "Stichting", "")
STREETS = (
    "Hoofdstraat",
    "Kerkstraat",
    "Stationsweg",
    "Brink",
    "Molenstraat",
    "Markt",
    "Dorpsstraat",
    "Schoolstraat",
    "Vaart Zuidzijde",
    "Industrieweg",
    "Havenkade",
    "Parallelweg",
    "Esweg",
    "Noordscheschut",
    "Oosterstraat",
    "Weiersstraat",
    "Beilerstraat",
    "Rolderstraat",
)
# Drenthe towns with the first digits of their postcodes.
TOWNS = (
    ("Assen", 9401, 9409),
    ("Emmen", 7811, 7826),
    ("Hoogeveen", 7901, 7908),
    ("Meppel", 7941, 7944),
    ("Coevorden", 7741, 7742),
    ("Beilen", 9411, 9411),
    ("Roden", 9301, 9302),
    ("Zuidlaren", 9471, 9471),
    ("Westerbork", 9431, 9431),
    ("Gieten", 9461, 9461),
    ("Borger", 9531, 9531),
    ("Klazienaveen", 7891, 7892),
)
OFFICERS = ("a.dekker", "b.jansen", "c.bos", "d.smit", "e.mulder", "f.yilmaz", "g.kok")
TITLES = {
    "alcohol": "Alcoholwetvergunning {name}",
    "exploitatie_horeca": "Exploitatievergunning café {name}",
    "coffeeshop": "Exploitatievergunning coffeeshop {name}",
    "seksinrichting": "Exploitatievergunning seksinrichting {name}",
    "omgevingsvergunning_bouw": "Nieuwbouw bedrijfspand {name}",
    "omgevingsvergunning_milieu": "Milieubelastende activiteit {name}",
    "aanwezigheidsvergunning": "Aanwezigheidsvergunning speelautomaten {name}",
    "speelautomatenhal": "Speelautomatenhal {name}",
    "kansspelen": "Kansspelvergunning {name}",
    "evenement": "Evenement {name}",
    "subsidie": "Subsidieaanvraag {name}",
    "vastgoed": "Verkoop perceel aan {name}",
    "overheidsopdracht": "Aanbesteding onderhoud, inschrijving {name}",
    "huisvestingsvergunning": "Omzettingsvergunning {name}",
    "verhuurvergunning": "Verhuurvergunning {name}",
}
# Horeca and building dominate Bibob practice (LBB annual reports); weights are per area.
AREA_WEIGHTS = {
    "alcohol": 14,
    "exploitatie_horeca": 18,
    "coffeeshop": 2,
    "seksinrichting": 2,
    "omgevingsvergunning_bouw": 20,
    "omgevingsvergunning_milieu": 6,
    "aanwezigheidsvergunning": 4,
    "speelautomatenhal": 2,
    "kansspelen": 2,
    "evenement": 8,
    "subsidie": 8,
    "vastgoed": 7,
    "overheidsopdracht": 5,
    "huisvestingsvergunning": 1,
    "verhuurvergunning": 1,
}
BATCH = 2000


class DemoGenerator:
    def __init__(self, seed: int, today: date | None = None) -> None:
        self.random = random.Random(seed)
        self.today = today or date(2026, 11, 25)
        self.areas = list(AREA_WEIGHTS)
        self.area_weights = list(AREA_WEIGHTS.values())

    def person_name(self) -> str:
        return f"{self.random.choice(FIRST_NAMES)} {self.random.choice(SURNAMES)}"

    def company_name(self) -> str:
        r = self.random
        form = r.choice(LEGAL_FORMS)
        return " ".join(p for p in (r.choice(COMPANY_WORDS), r.choice(COMPANY_KINDS), form) if p)

    def address(self) -> dict[str, Any]:
        r = self.random
        town, low, high = r.choice(TOWNS)
        letters = r.choice("ABCDEGHJKLMNPRTVWXZ") + r.choice("ABCDEGHJKLMNPRTVWXZ")
        return {
            "street": r.choice(STREETS),
            "house_number": str(r.randint(1, 240)),
            "postcode": f"{r.randint(low, high)} {letters}",
            "city": town,
        }

    def kvk(self) -> str:
        return f"{self.random.randint(10_000_000, 99_999_999)}"

    def bouwsom(self, area: str) -> Decimal | None:
        r = self.random
        if area != "omgevingsvergunning_bouw":
            return None
        # Many applications sit just around the € 750.000 threshold, some far above.
        choice = r.random()
        if choice < 0.45:
            euros = r.randint(50_000, 749_999)
        elif choice < 0.55:
            euros = r.choice((750_000, 750_001, 749_999))
        else:
            euros = r.randint(750_001, 12_000_000)
        return Decimal(euros) + Decimal(r.choice((0, 0, 0, 50, 99))) / 100


# How a screening ends, by conclusion (LBB figures: roughly half of the advices find ernstig gevaar;
# most own investigations find nothing).
CONCLUSION_WEIGHTS = {"geen_gevaar": 70, "mindere_mate": 15, "ernstig_gevaar": 15}
DEMO_MOTIVATION = {
    "verlenen": "Uit het eigen onderzoek en de raadpleging van het Bibob-register is geen gevaar "
    "gebleken als bedoeld in artikel 3 Wet Bibob.",
    "verlenen_met_voorschriften": "De herkomst van een deel van de financiering is niet "
    "volledig verklaard (mindere mate van gevaar, artikel 3 Wet Bibob); de voorschriften nemen "
    "dat gevaar weg of beperken het.",
    "weigeren": "Er is ernstig gevaar dat de vergunning mede zal worden gebruikt om uit strafbare "
    "feiten verkregen voordelen te benutten en om strafbare feiten te plegen; weigeren is "
    "evenredig aan dat gevaar en de ernst van de feiten.",
}
DEMO_VOORSCHRIFTEN = (
    Voorschrift(
        "Legt de jaarrekening en een overzicht van de financiers over aan de burgemeester",
        "jaarlijks, binnen 6 maanden na afloop van het boekjaar",
    ),
    Voorschrift(
        "Meldt elke wijziging in bestuur, aandeelhouders of financiers vooraf schriftelijk"
    ),
)
DECISION_FOR_CONCLUSION = {
    "geen_gevaar": "verlenen",
    "mindere_mate": "verlenen_met_voorschriften",
    "ernstig_gevaar": "weigeren",
}
TIP_COUNTERPARTS = (
    ("Openbaar Ministerie, arrondissementsparket Noord-Nederland", "openbaar_ministerie"),
    ("Landelijk Bureau Bibob", "lbb"),
    ("Gemeente Emmen", "bestuursorgaan"),
)
DEMO_START = date(2024, 1, 1)
# Every case row carries the same keys, so each batch is one executemany per table.
STORY_DEFAULTS: dict[str, Any] = {
    "phase": Phase.INTAKE.value,
    "closed_on": None,
    "conclusion": None,
    "conclusion_grounds": "",
    "decision": None,
    "decision_date": None,
    "decision_sent_date": None,
    "register_consulted_on": None,
    "register_result": "",
    "register_reported_on": None,
}  # the shipped policy is in force from this date


@dataclass
class _Story:
    """The consistent history of one generated case: phase, dates, suspensions, decision."""

    fields: dict[str, Any]
    suspensions: list[dict[str, Any]]
    events: list[dict[str, Any]]
    approved_letters: bool


def _story(
    gen: DemoGenerator, application_date: date, outcome: str, officer: str, reference: str
) -> _Story:
    r = gen.random
    age = (gen.today - application_date).days
    if outcome == "not_applicable":
        phase = Phase.GESLOTEN if age > 14 else r.choice((Phase.INTAKE, Phase.TOEPASBAARHEID))
        closed = (
            application_date + timedelta(days=min(age, 10)) if phase is Phase.GESLOTEN else None
        )
        fields: dict[str, Any] = {"phase": phase.value, "closed_on": closed}
        text = "Bibob niet van toepassing volgens de toepasbaarheidstoets; dossier gesloten."
        closing = [(closed, text)] if closed else []
        return _Story(fields, [], _events(closing, officer), False)
    phase = _phase_for_age(r, age)
    fields = {"phase": phase.value}
    suspensions: list[dict[str, Any]] = []
    events: list[tuple[date | None, str]] = []
    day = application_date
    fields["register_consulted_on"] = application_date + timedelta(days=2)
    fields["register_result"] = "Geen eerdere vermeldingen in het Bibob-register."

    def step(days: int) -> date:
        nonlocal day
        day = min(day + timedelta(days=days), gen.today)
        return day

    def recent(term_days: int) -> date:
        """The start of the phase a file is in now: within its term, now and then past it."""
        nonlocal day
        back = r.randint(0, term_days)
        if r.random() < 0.1:
            back += r.randint(5, 20)  # this one runs late
        day = max(day, gen.today - timedelta(days=back))
        return day

    if phase is Phase.INGETROKKEN:
        # Many applicants withdraw once the questionnaire arrives.
        sent = step(r.randint(3, 10))
        withdrawn = step(r.randint(5, 25))
        suspensions.append(_suspension("vragenformulier", sent, withdrawn))
        fields.update(closed_on=withdrawn, register_reported_on=step(2))
        events += [(sent, "Bibob-vragenformulier verzonden."), (withdrawn, "Aanvraag ingetrokken.")]
        return _Story(fields, suspensions, _events(events, officer), False)
    if has_reached(phase, Phase.VRAGENFORMULIER):
        current = phase is Phase.VRAGENFORMULIER
        sent = recent(26) if current else step(r.randint(3, 10))
        answered = None if current else step(r.randint(10, 30))
        suspensions.append(_suspension("vragenformulier", sent, answered))
        events.append((sent, "Bibob-vragenformulier verzonden."))
    lbb = phase is Phase.LBB_ADVIES or (has_reached(phase, Phase.CONCLUSIE) and r.random() < 0.08)
    if lbb:
        current = phase is Phase.LBB_ADVIES
        asked = recent(80) if current else step(r.randint(5, 30))
        received = None if current else step(r.randint(40, 80))
        suspensions.append(_suspension("lbb_advies", asked, received))
        events.append((asked, "Advies gevraagd aan het Landelijk Bureau Bibob."))
    if has_reached(phase, Phase.CONCLUSIE):
        conclusion = r.choices(list(CONCLUSION_WEIGHTS), list(CONCLUSION_WEIGHTS.values()))[0]
        if phase is Phase.ZIENSWIJZE and conclusion == "geen_gevaar":
            conclusion = "mindere_mate"  # a zienswijze is only asked before a negative decision
        fields["conclusion"] = conclusion
        fields["conclusion_grounds"] = {"ernstig_gevaar": "a,b", "mindere_mate": "a"}.get(
            conclusion, ""
        )
        events.append((step(r.randint(5, 20)), "Conclusie vastgelegd."))
        if conclusion != "geen_gevaar" and has_reached(phase, Phase.ZIENSWIJZE):
            current = phase is Phase.ZIENSWIJZE
            started = recent(12) if current else step(r.randint(1, 5))
            events.append((started, "Fase gewijzigd naar Zienswijze."))
            if not current:
                step(r.randint(14, 21))
    approved = False
    if has_reached(phase, Phase.BESLUIT):
        decision_date = recent(38) if phase is Phase.BESLUIT else step(r.randint(3, 10))
        fields.update(
            decision=DECISION_FOR_CONCLUSION[fields["conclusion"]],
            decision_date=decision_date,
            decision_sent_date=decision_date,
        )
        events.append((decision_date, "Besluit genomen en verzonden."))
        approved = True
    if phase is Phase.GESLOTEN:
        closed = step(r.randint(43, 60))
        fields.update(closed_on=closed, register_reported_on=closed)
        events.append((closed, "Dossier gesloten."))
    return _Story(fields, suspensions, _events(events, officer), approved)


# Days after the application by which a file has typically left each phase: the decision period
# is 8 weeks plus the weeks the questionnaire suspends it.
_PHASE_ENDS = (
    (Phase.INTAKE, 4),
    (Phase.TOEPASBAARHEID, 9),
    (Phase.VRAGENFORMULIER, 32),
    (Phase.EIGEN_ONDERZOEK, 58),
    (Phase.CONCLUSIE, 66),
    (Phase.ZIENSWIJZE, 80),
    (Phase.BESLUIT, 128),  # the besluit phase lasts until the six-week bezwaar term has run
)


def _phase_for_age(r: random.Random, age: int) -> Phase:
    """Where a file of this age stands: mostly on schedule, some late, some withdrawn."""
    if r.random() < 0.06:
        return Phase.INGETROKKEN
    if r.random() < 0.08 and 30 <= age <= 150:
        return Phase.LBB_ADVIES  # the LBB has 8 + 4 weeks on top of the own investigation
    if r.random() < 0.12:
        age = int(age * r.uniform(0.5, 0.9))  # a file that runs behind
    for phase, ends in _PHASE_ENDS:
        if age < ends:
            return phase
    return Phase.GESLOTEN


def _suspension(reason: str, start: date, end: date | None) -> dict[str, Any]:
    weeks = 12 if reason == "lbb_advies" else 4
    return {
        "reason": reason,
        "start_date": start,
        "end_date": end,
        "max_end_date": start + timedelta(weeks=weeks),
        "note": "",
    }


def _events(items: Sequence[tuple[date | None, str]], officer: str) -> list[dict[str, Any]]:
    return [
        {
            "occurred_at": datetime.combine(on, time(10, 0)) + timedelta(minutes=index),
            "user": officer,
            "kind": "fase" if text.startswith("Fase gewijzigd") else "gebeurtenis",
            "text": text,
        }
        for index, (on, text) in enumerate(items)
        if on is not None
    ]


def generate_demo_cases(
    context: AppContext,
    count: int,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    *,
    logins: bool = False,
) -> int:
    """Add ``count`` generated cases, each with a consistent history. Returns count.

    Every case is assessed with the policy in force on its application date; its phase, its
    suspensions, conclusion and decision follow the workflow; decided cases carry the intern
    advies and besluit approved by the team lead (four-eyes), as a real file would.

    The database becomes a training database (``identity.mark_training``); one that already
    holds real cases is refused (ValidationError). ``logins``: on PostgreSQL also create the
    demo users' login roles (``bibob-desk demo`` does; roles are cluster-wide, so tests that
    only need the data leave them out).
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    from bibob_desk.services.identity import mark_training, require_demo_allowed

    with context.db.session() as session:
        require_demo_allowed(session)
    # The officers the cases are assigned to must exist, or they could not open their cases.
    from bibob_desk.services.users import DEMO_TEAM_LEAD, ensure_demo_users

    ensure_demo_users(context, OFFICERS, logins=logins)
    # Marked only once the demo users exist: a demo that could not create their roles leaves
    # an empty database as it was, not as a training database.
    with context.db.session() as session:
        mark_training(session)
    # A training database works out of the box: letters need a name, address and RSIN.
    fill_demo_organisation(context)
    gen = DemoGenerator(seed)
    window = (gen.today - DEMO_START).days
    organisation = str(SettingsService(context).get("organisation.name"))
    done = 0
    with context.db.session() as session:
        counters = {
            c.year: c.last_sequence for c in session.execute(select(ReferenceCounter)).scalars()
        }
        next_case_id = (session.execute(select(func.max(Case.id))).scalar() or 0) + 1
        next_party_id = (session.execute(select(func.max(Party.id))).scalar() or 0) + 1
        policies = [v.policy for v in stored_versions(session)]
    for batch in _batches(count):
        cases: list[dict[str, Any]] = []
        parties: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        assessments: list[dict[str, Any]] = []
        suspensions: list[dict[str, Any]] = []
        documents: list[dict[str, Any]] = []
        decisions: list[dict[str, Any]] = []
        tips: list[dict[str, Any]] = []
        now = utcnow()
        for _ in range(batch):
            r = gen.random
            age_days = int(r.triangular(0, window, 0))
            application_date = gen.today - timedelta(days=age_days)
            year = application_date.year
            counters[year] = counters.get(year, 0) + 1
            reference = str(CaseReference(year, counters[year]))
            area = r.choices(gen.areas, gen.area_weights)[0]
            company = gen.company_name()
            kvk = gen.kvk()
            address = gen.address()
            officer = r.choice(OFFICERS)
            bouwsom = gen.bouwsom(area)
            risk_tags: tuple[str, ...] = ()
            if area == "omgevingsvergunning_bouw" and r.random() < 0.1:
                risk_tags = (r.choice(("bedrijventerrein", "vakantiepark", "buitengebied")),)
            tip = r.random() < 0.01
            inputs = AssessmentInputs(
                area=area,
                application_date=application_date,
                bouwsom=bouwsom,
                postcode=address["postcode"],
                risk_tags=risk_tags,
                tip=tip,
            )
            assessment = assess(policy_in_force(policies, application_date), inputs)
            outcome = assessment.outcome.value
            story = _story(gen, application_date, outcome, officer, reference)
            case_id = next_case_id
            next_case_id += 1
            cases.append(
                {
                    "id": case_id,
                    "reference": reference,
                    "title": TITLES[area].format(name=company),
                    "area": area,
                    "organisation": organisation,
                    "officer": officer,
                    "application_date": application_date,
                    "bouwsom": bouwsom,
                    **address,
                    "risk_tags": ",".join(risk_tags),
                    "outcome": outcome,
                    "tip_flag": tip,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                    **STORY_DEFAULTS,
                    **story.fields,
                }
            )
            assessments.append(
                {
                    "case_id": case_id,
                    "assessed_at": datetime.combine(application_date, time(9, 0)),
                    "assessed_by": officer,
                    "outcome": outcome,
                    "rule": assessment.rule.value,
                    "reasons": json.dumps(list(assessment.reasons), ensure_ascii=False),
                    "inputs": json.dumps(inputs.to_json(), ensure_ascii=False),
                    "policy_name": assessment.policy.name,
                    "policy_version": assessment.policy.version,
                    "policy_effective_from": assessment.policy.effective_from,
                }
            )
            suspensions.extend({"case_id": case_id, **row} for row in story.suspensions)
            if story.approved_letters:
                decided_on = story.fields["decision_date"]
                approved_at = datetime.combine(decided_on, time(9, 0))
                # The decision as recorded (motivation, voorschriften), then its besluit letter:
                # approved by the team lead and final before it was sent (issue 13). Its PDF is
                # rendered once, on first use (services/letters.py), to keep the demo fast.
                decisions.append(
                    {
                        "case_id": case_id,
                        "decision": story.fields["decision"],
                        "decided_on": decided_on,
                        "motivation": DEMO_MOTIVATION[story.fields["decision"]],
                        "voorschriften": voorschriften_json(
                            DEMO_VOORSCHRIFTEN
                            if story.fields["decision"] == "verlenen_met_voorschriften"
                            else ()
                        ),
                        "recorded_by": officer,
                        "recorded_at": approved_at - timedelta(hours=1),
                    }
                )
                for doc_type, title in (
                    ("intern_advies", "Intern advies"),
                    ("besluit", "Besluit"),
                ):
                    final = doc_type == "besluit"
                    documents.append(
                        {
                            "case_id": case_id,
                            "doc_type": doc_type,
                            "title": f"{title} {reference}",
                            "filename": "",
                            "status": "definitief" if final else "concept",
                            "confidentiality": "vertrouwelijk",
                            "author": officer,
                            "created_at": approved_at - timedelta(days=2),
                            "finalised_at": approved_at + timedelta(hours=2) if final else None,
                            "body_text": "",
                            "approved_by": DEMO_TEAM_LEAD,
                            "approved_at": approved_at,
                            "addressee_party_id": next_party_id if final else None,
                            "version": 1,
                        }
                    )
            company_id = next_party_id
            next_party_id += 1
            parties.append(
                {
                    "id": company_id,
                    "kind": PartyKind.LEGAL_ENTITY.value,
                    "name": company,
                    "kvk_number": kvk,
                    "birth_date": None,
                    **gen.address(),
                }
            )
            links.append({"case_id": case_id, "party_id": company_id, "role": "aanvrager"})
            if tip:
                counterpart, kind = r.choice(TIP_COUNTERPARTS)
                tips.append(
                    {
                        "received_on": application_date - timedelta(days=r.randint(1, 60)),
                        "direction": "inkomend",
                        "counterpart": counterpart,
                        "counterpart_kind": kind,
                        "subject_name": company,
                        "subject_kvk": kvk,
                        "subject_birth_date": None,
                        "summary": "Aanwijzingen voor betrokkenheid bij witwassen via vastgoed.",
                        "confidentiality_note": "Vertrouwelijk (art. 28 Wet Bibob).",
                        "case_id": case_id,
                        "follow_up": "Zaak gekoppeld; Bibob-toets verplicht gesteld.",
                        "created_by": officer,
                        "created_at": now,
                    }
                )
            for role in r.sample(
                (PartyRole.BESTUURDER, PartyRole.AANDEELHOUDER, PartyRole.FINANCIER),
                k=r.randint(1, 2),
            ):
                person_id = next_party_id
                next_party_id += 1
                birth = date(r.randint(1950, 2000), r.randint(1, 12), r.randint(1, 28))
                parties.append(
                    {
                        "id": person_id,
                        "kind": PartyKind.NATURAL_PERSON.value,
                        "name": gen.person_name(),
                        "kvk_number": None,
                        "birth_date": birth,
                        **gen.address(),
                    }
                )
                links.append({"case_id": case_id, "party_id": person_id, "role": role.value})
            events.append(
                {
                    "case_id": case_id,
                    "occurred_at": datetime.combine(application_date, time(9, 0)),
                    "user": officer,
                    "kind": "gebeurtenis",
                    "text": f"Zaak {reference} geregistreerd (demogegevens).",
                }
            )
            events.extend({"case_id": case_id, **event} for event in story.events)
        with context.db.session() as session:
            session.execute(insert(_table(Case)), cases)
            session.execute(insert(_table(Party)), parties)
            session.execute(insert(_table(CaseParty)), links)
            session.execute(insert(_table(TimelineEntry)), events)
            session.execute(insert(_table(AssessmentRow)), assessments)
            if suspensions:
                session.execute(insert(_table(Suspension)), suspensions)
            if documents:
                session.execute(insert(_table(Document)), documents)
            if decisions:
                session.execute(insert(_table(CaseDecision)), decisions)
            if tips:
                session.execute(insert(_table(Tip)), tips)
            # Every case has its registration entry, as a case opened in the program has:
            # ``audit verify`` checks that none is missing.
            audit.record_many(
                session,
                context.user,
                [(audit.CASE_OPENED, c["reference"], {"demogegevens": True}) for c in cases],
            )
            for year, last in counters.items():
                counter = session.get(ReferenceCounter, year)
                if counter is None:
                    session.add(ReferenceCounter(year=year, last_sequence=last))
                else:
                    counter.last_sequence = last
        _refresh_deadlines([c["id"] for c in cases], context)
        done += batch
        if progress:
            progress(done, count)
    _reset_postgres_sequences(context)
    return done


def _refresh_deadlines(case_ids: list[int], context: AppContext) -> None:
    """Store each open case's nearest deadline, computed by the workflow's own deadline rules."""
    from bibob_desk.services.workflow import refresh_deadlines, terms_in_session

    today = date.today()
    closed = [p.value for p in CLOSED_PHASES]
    with context.db.session() as session:
        terms = terms_in_session(session)
        open_cases = session.execute(
            select(Case).where(Case.id.in_(case_ids), Case.phase.not_in(closed))
        ).scalars()
        with session.no_autoflush:  # one flush at the end, not one per case
            for case in open_cases:
                refresh_deadlines(session, case, today, terms)


def _table(model: type[Base]) -> Table:
    # Core inserts: the ORM's bulk path would handle versioned rows one at a time.
    return cast(Table, model.__table__)


def _batches(count: int) -> Iterator[int]:
    remaining = count
    while remaining > 0:
        size = min(BATCH, remaining)
        yield size
        remaining -= size


def _reset_postgres_sequences(context: AppContext) -> None:
    """Explicit ids bypass PostgreSQL's serial sequences; move them past the new rows."""
    if context.db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with context.db.session() as session:
        for table in ("cases", "parties"):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
            )
