"""Relations, the network and "Bekend uit" on the small known data set (tests/relations_data.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from bibob_desk.domain.errors import NotFoundError, ValidationError
from bibob_desk.services.context import AppContext
from bibob_desk.services.relations import RelationInput, RelationService
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import AuditEntry, TimelineEntry
from tests import relations_data

TODAY = date(2026, 12, 2)


@pytest.fixture
def refs(db: Database) -> dict[str, str]:
    return relations_data.build(db)


def lead(db: Database) -> RelationService:
    return RelationService(AppContext(db, "lead"))


def _nodes(network: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in network["nodes"] if n["kind"] == kind]


def test_relations_are_listed_audited_and_on_the_timeline(
    db: Database, refs: dict[str, str]
) -> None:
    views = lead(db).list(refs["today"])
    assert [v.describe() for v in views] == [
        "jan de  vries is bestuurder van Horeca Noord B.V., sinds 01-01-2025"
    ]
    with db.session() as session:
        actions = list(session.execute(select(AuditEntry.action)).scalars())
        texts = list(session.execute(select(TimelineEntry.text)).scalars())
    assert actions.count("relatie_toevoegen") == 4
    assert any(t.startswith("Relatie vastgelegd: jan de  vries is bestuurder") for t in texts)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"relation": "aandeelhouder"}, "share"),  # a shareholder needs a share band
        ({"share_band": "25-50"}, "share"),  # only a shareholder has one
        ({"to_party": "jan de  vries"}, "to"),  # it points to a company
        ({"relation": "moeder"}, "from"),  # a parent company is a company
        ({"start_date": "2026-01-01", "end_date": "2025-01-01"}, "end"),
        ({"source": "roddel"}, "source"),
        ({"from_party": "Onbekend B.V."}, "from"),  # not a party of this case
    ],
)
def test_relation_rules(
    db: Database, refs: dict[str, str], changes: dict[str, str], field: str
) -> None:
    base = {
        "from_party": "jan de  vries",
        "to_party": "Horeca Noord B.V.",
        "relation": "ubo",
        "source": "eigen_onderzoek",
    }
    with pytest.raises(ValidationError) as info:
        lead(db).add(refs["today"], RelationInput(**{**base, **changes}))
    fields = {e.field for e in getattr(info.value, "errors", [info.value])}
    assert field in fields


def test_update_and_remove_a_relation(db: Database, refs: dict[str, str]) -> None:
    service = lead(db)
    relation = service.list(refs["today"])[0]
    changed = service.update(
        refs["today"],
        relation.id,
        RelationInput(
            "jan de  vries", "Horeca Noord B.V.", "aandeelhouder", "kvk_uittreksel", "75-100"
        ),
    )
    assert changed.share_band == "75-100" and changed.relation == "aandeelhouder"
    with pytest.raises(NotFoundError):
        service.remove(refs["alpha"], relation.id)  # belongs to another case
    service.remove(refs["today"], relation.id)
    assert service.list(refs["today"]) == []


def test_the_bestuurder_was_the_applicant_in_a_refused_case(
    db: Database, refs: dict[str, str]
) -> None:
    known = {p.name: p for p in lead(db).known_from(refs["today"], TODAY)}
    bestuurder = known["jan de  vries"]
    [item] = bestuurder.items
    assert item.reference == refs["refused"] and item.kind == "gevaarsconclusie"
    assert item.steps == 0 and "zelfde naam en geboortedatum" in item.how
    assert item.decision == "Weigeren" and item.conclusion == "Ernstig gevaar"
    # The company reaches the refused case through its bestuurder: one relation step.
    [via] = known["Horeca Noord B.V."].items
    assert via.reference == refs["refused"] and via.steps == 1
    assert "bestuurder van Horeca Noord B.V." in via.how
    assert not bestuurder.hidden


def test_two_applicants_share_a_financier(db: Database, refs: dict[str, str]) -> None:
    known = {p.name: p for p in lead(db).known_from(refs["alpha"], TODAY)}
    alpha = known["Alpha B.V."]
    assert [i.reference for i in alpha.items] == [refs["beta"]]
    assert alpha.items[0].steps == 1 and "zelfde KvK-nummer" in alpha.items[0].how
    financier = known["Geldschieter Holding B.V."]
    assert [i.reference for i in financier.items] == [refs["beta"]]
    assert financier.items[0].steps == 0


def test_known_from_looks_back_five_years(db: Database, refs: dict[str, str]) -> None:
    later = date(2029, 6, 4)  # the refused case's decision is then more than five years old
    known = {p.name: p for p in lead(db).known_from(refs["today"], later)}
    assert known["jan de  vries"].items == ()


def test_known_from_is_logged(db: Database, refs: dict[str, str]) -> None:
    lead(db).known_from(refs["today"], TODAY)
    with db.session() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "bekend_uit_tonen")
        ).scalar_one()
    assert entry.case_reference == refs["today"] and entry.user == "lead"


def test_network_of_the_known_data_set(db: Database, refs: dict[str, str]) -> None:
    one = lead(db).network(refs["alpha"], 1).to_json()
    names = {n["name"] for n in _nodes(one, "party")}
    # The financier is the same company in both cases (KvK): Beta is one step from it.
    assert names == {"Alpha B.V.", "Geldschieter Holding B.V.", "Beta B.V."}
    references = {n["reference"] for n in _nodes(one, "case")}
    assert references == {refs["alpha"], refs["beta"]}  # the financier's other case
    two = lead(db).network(refs["alpha"], 2).to_json()
    assert {n["name"] for n in _nodes(two, "party")} == names | {"Beta Groep B.V."}
    ids = {n["id"]: n for n in two["nodes"]}
    financier = next(n["id"] for n in _nodes(two, "party") if n["name"].startswith("Geld"))
    financing = [e for e in two["edges"] if e["relation"] == "financier" and e["source"] != "zaak"]
    assert {ids[e["to"]]["name"] for e in financing} == {"Alpha B.V.", "Beta B.V."}
    assert all(e["from"] == financier for e in financing)
    for edge in two["edges"]:
        assert {"from", "to", "relation", "from_date", "to_date", "source"} <= edge.keys()
    refused = lead(db).network(refs["today"], 1).to_json()
    outcome = {n["reference"]: n["outcome_class"] for n in _nodes(refused, "case")}
    assert outcome[refs["refused"]] == "geweigerd"


def test_depth_is_one_or_two(db: Database, refs: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        lead(db).network(refs["alpha"], 3)


def test_removing_a_party_removes_its_relations_in_that_case(
    db: Database, refs: dict[str, str]
) -> None:
    from bibob_desk.services.cases import CaseService

    cases = CaseService(AppContext(db, "lead"))
    jan = next(p for p in cases.get(refs["today"]).parties if p.role == "bestuurder")
    cases.remove_party(refs["today"], jan.link_id)
    assert lead(db).list(refs["today"]) == []


def test_destroying_a_case_removes_its_relations(db: Database, refs: dict[str, str]) -> None:
    from datetime import date as day

    from sqlalchemy import func, update

    from bibob_desk.services.retention import destroy_cases
    from bibob_desk.storage.models import Case, PartyRelation

    with db.session() as session:
        session.execute(
            update(Case)
            .where(Case.reference == refs["beta"])
            .values(phase="gesloten", closed_on=day(2010, 1, 1))
        )
    destroy_cases(AppContext(db, "lead"), [refs["beta"]])  # always against the real date
    with db.session() as session:
        left = session.execute(select(func.count()).select_from(PartyRelation)).scalar_one()
    assert left == 2  # today's bestuurder and alpha's financier
    known = {p.name: p for p in lead(db).known_from(refs["alpha"], TODAY)}
    assert known["Alpha B.V."].items == () and not known["Alpha B.V."].hidden
