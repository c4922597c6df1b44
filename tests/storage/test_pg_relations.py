"""PostgreSQL: relations and "Bekend uit" under row-level security, as real login roles."""

from __future__ import annotations

from sqlalchemy import text

from bibob_desk.services.context import AppContext
from bibob_desk.services.relations import RelationService
from bibob_desk.storage.database import Database
from tests import relations_data
from tests.services.test_relations_need_to_know import check_officer_a
from tests.storage.test_pg_security import Roles, roles, team  # noqa: F401 (fixtures)


def test_officer_reads_only_the_relations_of_own_cases(
    db: Database,
    roles: Roles,  # noqa: F811
    team: dict[str, str],  # noqa: F811
) -> None:
    refs = relations_data.build(db, officer_a=team["a"], officer_b=team["b"])
    with db.engine.connect() as conn:
        beta = conn.execute(
            text("SELECT id FROM cases WHERE reference = :r"), {"r": refs["beta"]}
        ).scalar_one()
    a = roles.engine(team["a"])
    with a.connect() as conn:
        rows = conn.execute(
            text("SELECT c.reference FROM party_relations r JOIN cases c ON c.id = r.case_id")
        ).scalars()
        assert set(rows) == {refs["today"], refs["alpha"]}
        # B's relations cannot be changed or removed either.
        for sql in (
            "UPDATE party_relations SET note = 'weg' WHERE case_id = :b",
            "DELETE FROM party_relations WHERE case_id = :b",
        ):
            assert conn.execute(text(sql), {"b": beta}).rowcount == 0, sql
        # The lookups answer across cases with a flag, never B's case id or names.
        financier = conn.execute(
            text("SELECT id FROM parties WHERE kvk_number = '55555555'")
        ).scalar_one()
        cases = conn.execute(
            text(
                "SELECT case_id, visible FROM bibob_party_cases("
                "ARRAY(SELECT other_id FROM bibob_same_parties(ARRAY[:p])), NULL)"
            ),
            {"p": financier},
        ).all()
        assert cases == [(None, False)]
    lead = roles.engine(team["lead"])
    with lead.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM party_relations")).scalar_one()
        assert count == 4


def test_the_services_as_officer_show_only_that_a_match_exists(
    db: Database,
    roles: Roles,  # noqa: F811
    team: dict[str, str],  # noqa: F811
) -> None:
    refs = relations_data.build(db, officer_a=team["a"], officer_b=team["b"])
    check_officer_a(roles.open(team["a"]), team["a"], refs)
    # The team lead, through the same functions, sees where.
    lead = RelationService(AppContext(roles.open(team["lead"]), team["lead"]))
    known = {p.name: p for p in lead.known_from(refs["alpha"])}
    assert [i.reference for i in known["Alpha B.V."].items] == [refs["beta"]]
