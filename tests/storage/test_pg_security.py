"""PostgreSQL: the access rules hold for any client, proved with plain SQL as separate roles.

Every test creates its own login roles (unique names, dropped afterwards: roles are
cluster-wide and other test runs share the server) and connects as them. Row-level security
does not apply to a superuser or the table owner, so these connections are neither.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.services.cases import CaseFilter, CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.tips import TipInput, TipService
from bibob_desk.services.users import UserService
from bibob_desk.storage import pg_security
from bibob_desk.storage.database import Database, open_database
from tests.conftest import make_user


class Roles:
    """Login roles made by one test, and the engines connected as them; all dropped after."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.suffix = uuid.uuid4().hex[:6]
        self.names: list[str] = []
        self.engines: list[Engine] = []
        self.databases: list[Database] = []

    def name(self, base: str) -> str:
        name = f"{base}_{self.suffix}"
        self.names.append(name)
        return name

    def url(self, role: str) -> str:
        url = make_url(self.db.url).set(username=role, password=None)
        return url.render_as_string(hide_password=False)

    def engine(self, role: str) -> Engine:
        engine = create_engine(self.url(role), isolation_level="AUTOCOMMIT")
        self.engines.append(engine)
        return engine

    def open(self, role: str) -> Database:
        database = open_database(self.url(role))
        self.databases.append(database)
        return database

    def drop(self) -> None:
        for engine in self.engines:
            engine.dispose()
        for database in self.databases:
            database.dispose()
        admin = create_engine(self.db.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.names:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :n"
                    ),
                    {"n": name},
                )
                conn.execute(text(f"DROP ROLE IF EXISTS {pg_security.quote(conn, name)}"))
        admin.dispose()


@pytest.fixture
def roles(db: Database) -> Iterator[Roles]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("rollen en row-level security bestaan alleen op PostgreSQL")
    made = Roles(db)
    yield made
    made.drop()


@pytest.fixture
def team(db: Database, roles: Roles) -> dict[str, str]:
    """Two officers and a team lead as real login roles, added the way a beheerder does."""
    make_user(db, "dba", "beheerder")
    admin = UserService(AppContext(db, "dba"))  # connected as the superuser: may create roles
    names = {
        "a": roles.name("a.dekker"),
        "b": roles.name("b.jansen"),
        "lead": roles.name("h.teamleider"),
    }
    admin.add(names["a"], ["medewerker"])
    admin.add(names["b"], ["medewerker"])
    admin.add(names["lead"], ["teamleider"])
    return names


def _case(context: AppContext, officer: str, title: str, kvk: str) -> str:
    return (
        CaseService(context)
        .open_case(
            {
                "title": title,
                "area": "exploitatie_horeca",
                "application_date": "2026-03-02",
                "officer": officer,
            },
            [PartyInput(name=f"{title} B.V.", kvk_number=kvk)],
        )
        .reference
    )


@pytest.fixture
def files(db: Database, team: dict[str, str]) -> dict[str, int]:
    """A's and B's case with a party, timeline, tip, document, export and suspension."""
    lead = AppContext(db, team["lead"])
    ids: dict[str, int] = {}
    for who, kvk in (("a", "11111111"), ("b", "22222222")):
        reference = _case(lead, team[who], f"Zaak {who}", kvk)
        TipService(lead).add(
            TipInput(
                direction="inkomend",
                received_on="2026-03-01",
                counterpart="OM",
                subject_name=f"Zaak {who} B.V.",
                subject_kvk=kvk,
                case_reference=reference,
            )
        )
        with db.engine.begin() as conn:
            case_id = conn.execute(
                text("SELECT id FROM cases WHERE reference = :r"), {"r": reference}
            ).scalar_one()
            doc = conn.execute(
                text(
                    "INSERT INTO documents (case_id, doc_type, title, filename, status, "
                    "confidentiality, author, created_at, body_text, version) VALUES (:c, "
                    "'besluit', 'Besluit', '', 'concept', 'vertrouwelijk', 'x', now(), '', 1) "
                    "RETURNING id"
                ),
                {"c": case_id},
            ).scalar_one()
            conn.execute(
                text(
                    'INSERT INTO document_exports (document_id, exported_at, "user", path, '
                    "sha256) VALUES (:d, now(), 'x', '/tmp/x.pdf', 'abc')"
                ),
                {"d": doc},
            )
            conn.execute(
                text(
                    "INSERT INTO suspensions (case_id, reason, start_date, note) "
                    "VALUES (:c, 'lbb_advies', '2026-03-05', '')"
                ),
                {"c": case_id},
            )
        ids[who] = case_id
    return ids


CASE_ID_TABLES = ("case_parties", "timeline_entries", "documents", "assessments", "suspensions")


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def test_officer_a_cannot_read_update_or_delete_bs_rows(
    roles: Roles, team: dict[str, str], files: dict[str, int]
) -> None:
    a = roles.engine(team["a"])
    mine, theirs = files["a"], files["b"]
    assert {r[0] for r in _rows(a, "SELECT id FROM cases")} == {mine}
    for table in (*CASE_ID_TABLES, "tips"):
        case_ids = {r[0] for r in _rows(a, f"SELECT case_id FROM {table}")}
        assert case_ids == {mine}, table
    party_names = {r[0] for r in _rows(a, "SELECT name FROM parties")}
    assert party_names == {"Zaak a B.V."}
    assert len(_rows(a, "SELECT * FROM document_exports")) == 1
    # Not through the search index either.
    with pytest.raises(DBAPIError, match="permission denied"):
        _rows(a, "SELECT * FROM case_search")
    assert {r[0] for r in _rows(a, "SELECT bibob_case_search_ids(ARRAY['%zaak%'])")} == {mine}
    # Updates and deletes of B's rows touch nothing.
    with a.connect() as conn:
        for sql in (
            "UPDATE cases SET title = 'weg' WHERE id = :b",
            "DELETE FROM timeline_entries WHERE case_id = :b",
            "UPDATE tips SET summary = 'weg' WHERE case_id = :b",
            "DELETE FROM documents WHERE case_id = :b",
            "UPDATE parties SET name = 'weg' WHERE name = 'Zaak b B.V.'",
            "DELETE FROM case_parties WHERE case_id = :b",
        ):
            assert conn.execute(text(sql), {"b": theirs}).rowcount == 0, sql
    # Writing into B's case is refused outright.
    for sql in (
        'INSERT INTO timeline_entries (case_id, occurred_at, "user", kind, text) '
        "VALUES (:b, now(), 'x', 'notitie', 'ingebroken')",
        "INSERT INTO tips (received_on, direction, counterpart, counterpart_kind, subject_name, "
        "summary, confidentiality_note, case_id, follow_up, created_by, created_at) VALUES "
        "('2026-01-01', 'inkomend', 'x', 'om', 'x', '', '', :b, '', current_user, now())",
        "UPDATE cases SET officer = current_user WHERE id = :b",
    ):
        with a.connect() as conn:
            result = None
            try:
                result = conn.execute(text(sql), {"b": theirs})
            except DBAPIError as exc:
                assert "row-level security" in str(exc.orig)
                continue
            assert result.rowcount == 0, sql
    # B's case is untouched.
    lead = roles.engine(team["lead"])
    assert _rows(lead, "SELECT title FROM cases WHERE id = :b", b=theirs) == [("Zaak b",)]
    assert len(_rows(lead, "SELECT * FROM timeline_entries WHERE case_id = :b", b=theirs)) >= 1
    # The team lead sees both files.
    assert {r[0] for r in _rows(lead, "SELECT id FROM cases")} == {mine, theirs}
    assert len(_rows(lead, "SELECT * FROM tips")) == 2


def test_audit_log_appends_for_everyone_reads_need_to_know(
    roles: Roles, team: dict[str, str], files: dict[str, int]
) -> None:
    a = roles.engine(team["a"])
    users = {r[0] for r in _rows(a, 'SELECT "user" FROM audit_log')}
    assert users <= {team["a"]}  # only the officer's own entries
    lead = roles.engine(team["lead"])
    assert len({r[0] for r in _rows(lead, 'SELECT "user" FROM audit_log')}) >= 2
    # Appends go through bibob_audit_append only (tests/storage/test_pg_audit.py).
    with a.connect() as conn, pytest.raises(DBAPIError, match="permission denied"):
        conn.execute(
            text(
                'INSERT INTO audit_log (at, "user", action, detail, prev_hash, hash) '
                "VALUES (now(), 'iemand.anders', 'x', '{}', '', '')"
            )
        )
    with a.connect() as conn, pytest.raises(DBAPIError, match="permission denied"):
        conn.execute(text("DELETE FROM audit_log"))


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE cases ADD COLUMN stiekem integer",
        "ALTER TABLE cases DISABLE ROW LEVEL SECURITY",
        "DROP POLICY medewerker_lezen ON cases",
        "DROP TABLE tips",
        "TRUNCATE timeline_entries",
        "CREATE TABLE eigen (id integer)",
        "CREATE TRIGGER t AFTER INSERT ON cases FOR EACH ROW "
        "EXECUTE FUNCTION bibob_case_search_cases()",
    ],
)
def test_only_the_owner_changes_the_structure(roles: Roles, team: dict[str, str], sql: str) -> None:
    for who in ("a", "lead"):
        with roles.engine(team[who]).connect() as conn, pytest.raises(DBAPIError) as info:
            conn.execute(text(sql))
        assert "must be owner" in str(info.value.orig) or "permission denied" in str(
            info.value.orig
        )


def test_the_application_works_under_row_level_security(
    roles: Roles, team: dict[str, str], files: dict[str, int]
) -> None:
    """The services, connected as an officer's own role, do their job within the policies."""
    db_a = roles.open(team["a"])
    me = AppContext(db_a, team["a"])
    service = CaseService(me)
    reference = _case(me, team["a"], "Eigen zaak", "33333333")  # INSERT ... RETURNING as officer
    case = service.add_party(reference, PartyInput(name="Nieuwe B.V.", kvk_number="22222222"))
    assert "Nieuwe B.V." in {p.name for p in case.parties}
    service.add_note(reference, "notitie")
    assert {c.reference for c in service.list(CaseFilter(search="nieuwe"))} == {reference}
    assert service.count() == 2
    tips = TipService(me)
    tips.add(
        TipInput(
            direction="inkomend",
            received_on="2026-03-01",
            counterpart="OM",
            subject_name="Los B.V.",
            subject_kvk="44444444",
        )
    )
    assert len(tips.list()) == 2  # A's linked tip and the unlinked one A registered
    # Handing the case to B: A writes the handover, then no longer sees the case.
    current = service.get(reference)
    service.update_case(
        reference, {**current.editable_fields(), "officer": team["b"]}, current.version
    )
    assert service.count() == 1
    db_b = roles.open(team["b"])
    assert CaseService(AppContext(db_b, team["b"])).get(reference).officer == team["b"]


def test_psql_count_equals_what_the_command_line_shows(
    roles: Roles, team: dict[str, str], files: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    from bibob_desk.cli import main

    for who in ("a", "b", "lead"):
        (count,) = _rows(roles.engine(team[who]), "SELECT count(*) FROM cases")[0]
        assert main(["--db", roles.url(team[who]), "cases", "list", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert len(listed) == count, who
        assert {c["officer"] for c in listed} == (
            {team["a"], team["b"]} if who == "lead" else {team[who]}
        )


def test_user_management_creates_grants_and_revokes_logins(
    db: Database, roles: Roles, team: dict[str, str]
) -> None:
    admin = UserService(AppContext(db, "dba"))
    prefix = pg_security.stored_prefix(db.engine.connect())

    def state(name: str) -> tuple[bool, set[str]]:
        login = _rows(db.engine, "SELECT rolcanlogin FROM pg_roles WHERE rolname = :n", n=name)
        groups = _rows(
            db.engine,
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :n",
            n=name,
        )
        return bool(login[0][0]), {g[0] for g in groups}

    assert state(team["a"]) == (True, {f"{prefix}_medewerker"})
    admin.set_roles(team["a"], ["medewerker", "teamleider"])
    assert state(team["a"]) == (True, {f"{prefix}_medewerker", f"{prefix}_teamleider"})
    admin.deactivate(team["a"])
    assert state(team["a"])[0] is False
    admin.set_active(team["a"], True)
    assert state(team["a"])[0] is True
    with pytest.raises(Exception, match="gereserveerde rolnaam"):
        admin.add(f"{prefix}_teamleider", ["medewerker"])


def test_a_role_that_may_not_create_roles_cannot_add_users(
    db: Database, roles: Roles, team: dict[str, str]
) -> None:
    beheerder = roles.name("i.beheerder")
    UserService(AppContext(db, "dba")).add(beheerder, ["beheerder"])
    db_beheerder = roles.open(beheerder)
    service = UserService(AppContext(db_beheerder, beheerder))
    newcomer = roles.name("nieuw")
    with pytest.raises(PermissionDenied, match="CREATEROLE"):
        service.add(newcomer, ["medewerker"])
    assert newcomer not in {u.username for u in service.list()}  # all or nothing


def test_a_deactivated_user_sees_nothing_even_with_a_login(
    db: Database, roles: Roles, team: dict[str, str], files: dict[str, int]
) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE username = :n"), {"n": team["a"]})
    assert _rows(roles.engine(team["a"]), "SELECT count(*) FROM cases") == [(0,)]


def test_every_table_is_covered_by_the_access_rules(db: Database, roles: Roles) -> None:
    tables = {
        r[0]
        for r in _rows(
            db.engine,
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
        )
    }
    unknown = tables - pg_security.CASE_DATA_TABLES - pg_security.OTHER_TABLES
    assert unknown == set(), "nieuwe tabel: zie de docstring van storage/pg_security.py"
    without_rls = {
        r[0]
        for r in _rows(
            db.engine,
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relrowsecurity "
            "AND relnamespace = current_schema()::regnamespace",
        )
    }
    assert not (pg_security.CASE_DATA_TABLES & without_rls)


def test_demo_creates_its_users_roles_and_marks_a_training_database(
    db: Database, roles: Roles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bibob_desk.cli import main
    from bibob_desk.services import demo, users

    officers = tuple(roles.name(n) for n in ("a.dekker", "b.jansen"))
    monkeypatch.setattr(demo, "OFFICERS", officers)
    monkeypatch.setattr(users, "DEMO_TEAM_LEAD", roles.name("h.teamleider"))
    assert main(["--db", db.url, "demo", "--cases", "20", "--seed", "2"]) == 0
    capsys.readouterr()
    for officer in officers:
        (count,) = _rows(roles.engine(officer), "SELECT count(*) FROM cases")[0]
        # On a training database --user works (the server still applies the role's rights).
        assert main(["--db", db.url, "--user", officer, "cases", "list", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == count


def test_backup_and_annual_figures_never_silently_leave_cases_out(
    db: Database,
    roles: Roles,
    team: dict[str, str],
    files: dict[str, int],
    tmp_path: Any,
) -> None:
    from bibob_desk.services.backup import make_backup
    from bibob_desk.services.report import ReportService

    beheerder = roles.name("i.beheerder")
    UserService(AppContext(db, "dba")).add(beheerder, ["beheerder"])
    as_beheerder = AppContext(roles.open(beheerder), beheerder)
    with pytest.raises(PermissionDenied, match="niet alle zaken"):
        make_backup(as_beheerder, tmp_path / "b.json")
    with pytest.raises(PermissionDenied, match="niet alle zaken"):
        ReportService(as_beheerder).annual_figures(2026)
    as_lead = AppContext(roles.open(team["lead"]), team["lead"])
    assert make_backup(as_lead, tmp_path / "t.json").cases == 2
    assert ReportService(as_lead).annual_figures(2026).cases_total == 2


def test_the_dba_set_up_of_the_readme_works_with_a_non_superuser_owner(
    db: Database, roles: Roles, capsys: pytest.CaptureFixture[str]
) -> None:
    """README 'De server inrichten': owner with CREATEROLE, schema, first beheerder, officer."""
    from bibob_desk.cli import main
    from bibob_desk.storage.database import DatabaseError

    owner, officer = roles.name("bibob_eigenaar"), roles.name("a.dekker")
    name = f"bibob_dba_{roles.suffix}"
    prefix = f"bd{roles.suffix}"
    admin = create_engine(db.url, isolation_level="AUTOCOMMIT")
    roles.engines.append(admin)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    url = make_url(db.url).set(database=name)
    as_owner = url.set(username=owner).render_as_string(hide_password=False)
    as_officer = url.set(username=officer).render_as_string(hide_password=False)
    try:
        schema = open_database(as_owner, pg_role_prefix=prefix)
        schema.dispose()
        assert main(["--db", as_owner, "users", "list", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [(u["username"], u["roles"]) for u in listed] == [(owner, ["beheerder"])]
        assert main(["--db", as_owner, "users", "add", officer, "--role", "medewerker"]) == 0
        capsys.readouterr()
        assert main(["--db", as_officer, "cases", "list", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []
        # The owner owns every table; the officer owns nothing.
        owner_engine = create_engine(as_owner, isolation_level="AUTOCOMMIT")
        roles.engines.append(owner_engine)
        owners = {
            r[0]
            for r in _rows(
                owner_engine, "SELECT tableowner FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        assert owners == {owner}
        # An outdated schema is upgraded by the owner only.
        with owner_engine.connect() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0004_overview_indexes'"))
        with pytest.raises(DatabaseError, match="eigenaar van de database"):
            open_database(as_officer)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for group in ("medewerker", "teamleider", "beheerder"):
                conn.execute(text(f'DROP ROLE IF EXISTS "{prefix}_{group}"'))


def test_case_decisions_are_need_to_know(
    db: Database, roles: Roles, team: dict[str, str], files: dict[str, int]
) -> None:
    """Motivation and voorschriften of a besluit (migration 0007) are case data: officer A sees
    only A's decision and cannot write into B's case."""
    assert "case_decisions" in pg_security.LATER_CASE_TABLES
    with db.engine.begin() as conn:
        for who in ("a", "b"):
            conn.execute(
                text(
                    "INSERT INTO case_decisions (case_id, decision, decided_on, motivation, "
                    "voorschriften, recorded_by, recorded_at) VALUES (:c, 'verlenen', "
                    "'2026-11-01', :m, '[]', 'x', now())"
                ),
                {"c": files[who], "m": f"Motivering {who}"},
            )
    a = roles.engine(team["a"])
    assert [r[0] for r in _rows(a, "SELECT motivation FROM case_decisions")] == ["Motivering a"]
    with a.connect() as conn:
        result = conn.execute(
            text("UPDATE case_decisions SET motivation = 'weg' WHERE case_id = :b"),
            {"b": files["b"]},
        )
        assert result.rowcount == 0
    with pytest.raises(DBAPIError, match="row-level security"), a.connect() as conn:
        conn.execute(
            text(
                "INSERT INTO case_decisions (case_id, decision, decided_on, motivation, "
                "voorschriften, recorded_by, recorded_at) VALUES (:b, 'weigeren', '2026-11-01', "
                "'', '[]', current_user, now())"
            ),
            {"b": files["b"]},
        )
    lead = roles.engine(team["lead"])
    assert len(_rows(lead, "SELECT * FROM case_decisions")) == 2
