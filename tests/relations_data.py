"""A small known data set for relations, "Bekend uit" and the network (issue 18).

- Case ``refused`` (officer a): applicant Jan de Vries (born 1970-05-01), refused in 2024 on
  ernstig gevaar.
- Case ``today`` (officer a): applicant Horeca Noord B.V.; its bestuurder "jan de  vries" (the
  same name and birth date, entered again as a new party).
- Cases ``alpha`` (officer a) and ``beta`` (officer b): applicants Alpha B.V. and Beta B.V.,
  each financed by Geldschieter Holding B.V. (KvK 55555555, entered in each case separately);
  Beta Groep B.V. is Beta's moedermaatschappij (two relation steps from Alpha's financier).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.relations import RelationInput, RelationService
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import Case
from tests.conftest import make_user

KVK_NOORD = "11111111"
KVK_ALPHA = "22222222"
KVK_BETA = "33333333"
KVK_FINANCIER = "55555555"
KVK_GROEP = "44444444"


def open_case(
    context: AppContext, title: str, officer: str, application_date: str, *parties: PartyInput
) -> str:
    return (
        CaseService(context)
        .open_case(
            {
                "title": title,
                "area": "exploitatie_horeca",
                "application_date": application_date,
                "officer": officer,
            },
            list(parties),
        )
        .reference
    )


def person(name: str, role: str, birth: str) -> PartyInput:
    return PartyInput(name=name, role=role, kind="natuurlijk_persoon", birth_date=birth)


def company(name: str, role: str, kvk: str) -> PartyInput:
    return PartyInput(name=name, role=role, kind="rechtspersoon", kvk_number=kvk)


def build(db: Database, officer_a: str = "a.dekker", officer_b: str = "b.jansen") -> dict[str, str]:
    """The data set, entered by a team lead ``lead`` (users are added when missing)."""
    with db.session() as session:
        from bibob_desk.storage.models import User

        known = set(session.execute(select(User.username)).scalars())
    for name, role in (
        ("lead", "teamleider"),
        (officer_a, "medewerker"),
        (officer_b, "medewerker"),
    ):
        if name not in known:
            make_user(db, name, role)
    lead = AppContext(db, "lead")
    refs = {
        "refused": open_case(
            lead,
            "Coffeeshop De Vries",
            officer_a,
            "2024-02-01",
            person("Jan de Vries", "aanvrager", "1970-05-01"),
        ),
        "today": open_case(
            lead,
            "Horeca Noord",
            officer_a,
            "2026-11-02",
            company("Horeca Noord B.V.", "aanvrager", KVK_NOORD),
            person("jan de  vries", "bestuurder", "1970-05-01"),
        ),
        "alpha": open_case(
            lead,
            "Alpha",
            officer_a,
            "2026-05-04",
            company("Alpha B.V.", "aanvrager", KVK_ALPHA),
            company("Geldschieter Holding B.V.", "financier", KVK_FINANCIER),
        ),
        "beta": open_case(
            lead,
            "Beta",
            officer_b,
            "2026-06-01",
            company("Beta B.V.", "aanvrager", KVK_BETA),
            company("Geldschieter Holding B.V.", "financier", KVK_FINANCIER),
            company("Beta Groep B.V.", "overig", KVK_GROEP),
        ),
    }
    with db.session() as session:
        refused = session.execute(
            select(Case).where(Case.reference == refs["refused"])
        ).scalar_one()
        refused.conclusion = "ernstig_gevaar"
        refused.conclusion_grounds = "a"
        refused.decision = "weigeren"
        refused.decision_date = date(2024, 6, 3)
        refused.phase = "gesloten"
    service = RelationService(lead)
    service.add(
        refs["today"],
        RelationInput(
            "jan de  vries",
            "Horeca Noord B.V.",
            "bestuurder",
            "kvk_uittreksel",
            start_date="2025-01-01",
        ),
    )
    for ref, applicant in (("alpha", "Alpha B.V."), ("beta", "Beta B.V.")):
        service.add(
            refs[ref],
            RelationInput(
                "Geldschieter Holding B.V.",
                applicant,
                "financier",
                "vragenformulier",
                note="lening",
            ),
        )
    service.add(
        refs["beta"],
        RelationInput("Beta Groep B.V.", "Beta B.V.", "moeder", "kvk_uittreksel"),
    )
    return refs
