"""Realistic generated case files for demonstrations, tests and benchmarks.

Deterministic for a seed. Rows are written in bulk (Core inserts in batches), so 100,000 cases
take well under a few minutes on SQLite.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.domain.phases import Phase
from bibob_desk.domain.values import CaseReference
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import (
    Case,
    CaseParty,
    Party,
    ReferenceCounter,
    TimelineEntry,
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
ORGANISATION = "Gemeente Assen"
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
PHASE_WEIGHTS = {
    Phase.INTAKE: 6,
    Phase.TOEPASBAARHEID: 5,
    Phase.VRAGENFORMULIER: 10,
    Phase.EIGEN_ONDERZOEK: 12,
    Phase.LBB_ADVIES: 3,
    Phase.CONCLUSIE: 4,
    Phase.ZIENSWIJZE: 2,
    Phase.BESLUIT: 4,
    Phase.GESLOTEN: 48,
    Phase.INGETROKKEN: 6,
}
BATCH = 2000


class DemoGenerator:
    def __init__(self, seed: int, today: date | None = None) -> None:
        self.random = random.Random(seed)
        self.today = today or date(2026, 11, 25)
        self.areas = list(AREA_WEIGHTS)
        self.area_weights = list(AREA_WEIGHTS.values())
        self.phases = list(PHASE_WEIGHTS)
        self.phase_weights = list(PHASE_WEIGHTS.values())

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


def generate_demo_cases(
    context: AppContext,
    count: int,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Add ``count`` generated cases (with parties and a timeline entry each). Returns count."""
    if count < 0:
        raise ValueError("count must be >= 0")
    # The officers the cases are assigned to must exist, or they could not open their cases.
    from bibob_desk.services.users import ensure_demo_users

    ensure_demo_users(context, OFFICERS)
    gen = DemoGenerator(seed)
    done = 0
    with context.db.session() as session:
        counters = {
            c.year: c.last_sequence for c in session.execute(select(ReferenceCounter)).scalars()
        }
        next_case_id = (session.execute(select(func.max(Case.id))).scalar() or 0) + 1
        next_party_id = (session.execute(select(func.max(Party.id))).scalar() or 0) + 1
    for batch in _batches(count):
        cases: list[dict[str, Any]] = []
        parties: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        now = utcnow()
        for _ in range(batch):
            r = gen.random
            age_days = int(r.triangular(0, 3650, 120))
            application_date = gen.today - timedelta(days=age_days)
            year = application_date.year
            counters[year] = counters.get(year, 0) + 1
            reference = str(CaseReference(year, counters[year]))
            area = r.choices(gen.areas, gen.area_weights)[0]
            phase = r.choices(gen.phases, gen.phase_weights)[0]
            if age_days > 400 and phase not in (Phase.GESLOTEN, Phase.INGETROKKEN):
                phase = Phase.GESLOTEN
            company = gen.company_name()
            address = gen.address()
            case_id = next_case_id
            next_case_id += 1
            cases.append(
                {
                    "id": case_id,
                    "reference": reference,
                    "title": TITLES[area].format(name=company),
                    "area": area,
                    "organisation": ORGANISATION,
                    "officer": r.choice(OFFICERS),
                    "phase": phase.value,
                    "application_date": application_date,
                    "bouwsom": gen.bouwsom(area),
                    **address,
                    "risk_tags": "",
                    "tip_flag": False,
                    "conclusion_grounds": "",
                    "register_result": "",
                    "created_at": now,
                    "updated_at": now,
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
                    "kvk_number": gen.kvk(),
                    "birth_date": None,
                    **gen.address(),
                }
            )
            links.append({"case_id": case_id, "party_id": company_id, "role": "aanvrager"})
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
                    "occurred_at": now,
                    "user": "demo",
                    "kind": "gebeurtenis",
                    "text": f"Zaak {reference} geregistreerd (demogegevens).",
                }
            )
        with context.db.session() as session:
            session.execute(insert(Case), cases)
            session.execute(insert(Party), parties)
            session.execute(insert(CaseParty), links)
            session.execute(insert(TimelineEntry), events)
            for year, last in counters.items():
                counter = session.get(ReferenceCounter, year)
                if counter is None:
                    session.add(ReferenceCounter(year=year, last_sequence=last))
                else:
                    counter.last_sequence = last
        done += batch
        if progress:
            progress(done, count)
    _reset_postgres_sequences(context)
    return done


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
