"""Need-to-know for relations, the network and "Bekend uit", as officer A (SQLite; on
PostgreSQL the same with real login roles in tests/storage/test_pg_relations.py).

A handles the cases 'refused', 'today' and 'alpha'; B handles 'beta'. A may learn that the
financier of Alpha is also known elsewhere, never where, nor any name from B's case.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from bibob_desk.domain.errors import NotFoundError
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.parties import PartyService
from bibob_desk.services.relations import RelationInput, RelationService
from bibob_desk.storage.database import Database
from tests import relations_data

TODAY = date(2026, 12, 2)
B_WORDS = ("Beta", "33333333", "44444444")


@pytest.fixture
def sqlite_db(tmp_path) -> Database:  # type: ignore[no-untyped-def]
    from bibob_desk.storage.database import open_database

    database = open_database(f"sqlite:///{tmp_path / 'ntk.sqlite'}")
    yield database
    database.dispose()


def check_officer_a(db: Database, officer: str, refs: dict[str, str]) -> None:
    """What officer A sees; shared with the PostgreSQL test."""
    service = RelationService(AppContext(db, officer))
    known = {p.name: p for p in service.known_from(refs["alpha"], TODAY)}
    assert set(known) == {"Alpha B.V.", "Geldschieter Holding B.V."}
    for party in known.values():
        assert party.items == ()  # Beta's case is not A's
        assert party.hidden  # ... but a match exists: a team lead can look
    # The refused case is A's own: shown in full.
    today = {p.name: p for p in service.known_from(refs["today"], TODAY)}
    assert [i.reference for i in today["jan de  vries"].items] == [refs["refused"]]
    assert not today["jan de  vries"].hidden
    network = service.network(refs["alpha"], 2).to_json()
    dumped = json.dumps(network, ensure_ascii=False)
    for word in (*B_WORDS, refs["beta"]):
        assert word not in dumped
    hidden = [n for n in network["nodes"] if n.get("visible") is False]
    assert hidden == [{"kind": "case", "visible": False}]
    with pytest.raises(NotFoundError):
        service.list(refs["beta"])
    with pytest.raises(NotFoundError):
        service.network(refs["beta"], 1)
    with pytest.raises(NotFoundError):
        service.add(
            refs["beta"],
            RelationInput("Beta Groep B.V.", "Beta B.V.", "financier", "overig"),
        )


def test_officer_sees_only_that_a_hidden_match_exists(sqlite_db: Database) -> None:
    refs = relations_data.build(sqlite_db)
    check_officer_a(sqlite_db, "a.dekker", refs)
    # The team lead sees where.
    lead = RelationService(AppContext(sqlite_db, "lead"))
    known = {p.name: p for p in lead.known_from(refs["alpha"], TODAY)}
    assert [i.reference for i in known["Alpha B.V."].items] == [refs["beta"]]


def test_editing_a_party_shared_with_a_hidden_case_is_refused(sqlite_db: Database) -> None:
    refs = relations_data.build(sqlite_db)
    lead = AppContext(sqlite_db, "lead")
    cases = CaseService(lead)
    beta = cases.get(refs["beta"])
    groep = next(p for p in beta.parties if p.name == "Beta Groep B.V.")
    cases.link_party(refs["alpha"], groep.party_id, "overig")  # the same company, deliberately
    officer = PartyService(AppContext(sqlite_db, "a.dekker"))
    from bibob_desk.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        officer.update_party(refs["alpha"], groep.party_id, PartyInput(name="Andere naam B.V."))
    # A party only in A's own cases: A may edit it.
    alpha = cases.get(refs["alpha"])
    own = next(p for p in alpha.parties if p.name == "Alpha B.V.")
    from bibob_desk.services.parties import party_input_from_view, with_changes

    changed = officer.update_party(
        refs["alpha"], own.party_id, with_changes(party_input_from_view(own), {"city": "Assen"})
    )
    assert next(p for p in changed.parties if p.party_id == own.party_id).city == "Assen"
