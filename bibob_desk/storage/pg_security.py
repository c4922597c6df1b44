"""PostgreSQL: who may read and write what, enforced by the server itself.

SQLite has no such layer: there the services enforce the same rules (``services/access.py``).
On PostgreSQL those rules hold for every client, ``psql`` included, through group roles, grants
and row-level security (RLS). Everything here is a no-op on SQLite.

**Roles.** Three NOLOGIN group roles per installation: ``<prefix>_medewerker``,
``<prefix>_teamleider`` and ``<prefix>_beheerder``. The prefix is stored in ``database_info``
(key ``pg_role_prefix``) when the schema is set up: ``bibob`` unless the environment variable
``BIBOB_DESK_PG_ROLE_PREFIX`` says otherwise (a training copy on the same server, or the test
suite, which uses a unique prefix and drops its roles afterwards). Every Bibob Desk user is a
LOGIN role with the same name as the user (``session_user``), member of the groups matching the
roles in ``users.role``; ``services/users.py`` keeps the two in step. The schema owner (the role
that runs the migrations) owns every table; no group gets ownership, CREATE on the schema,
TRUNCATE, REFERENCES or TRIGGER, so only the owner can change a table's structure.

**Visibility** (the same rule as ``access.visibility_condition``): a teamleider sees every case;
anyone else the cases they handle (``cases.officer``) and the cases shared with them
(``case_shares``). The users table decides the roles; a deactivated user sees nothing.

- Helper functions are ``STABLE SECURITY DEFINER``: they read ``users``, ``cases`` and
  ``case_shares`` as the owner, so a policy never triggers another policy (no recursion), and
  they only ever answer about ``session_user``, so they reveal nothing about anyone else.
- Policies call them as ``(SELECT f())``: an InitPlan, evaluated once per query instead of once
  per row.
- Policies are created ``TO`` a group role. A pure medewerker gets only the medewerker policy,
  whose condition (``officer = me OR id = ANY(shared)`` on ``cases``; on the tables of a case
  "its case is readable", ``EXISTS`` on ``cases`` by primary key, so the cases policy decides;
  on ``parties`` "linked to a readable case") the planner answers from the indexes on
  ``officer``, ``id``, ``case_id`` and ``party_id`` (since migration 0012); the team-lead policy
  is one boolean that leaves the query's own index use alone. Both policies also check the users
  table, so a group membership without the matching Bibob role gives nothing.
- ``LIKE`` is not leakproof, so under RLS it cannot use the trigram index of ``case_search``.
  The search therefore goes through ``bibob_case_search_ids(patterns)``, which searches as the
  owner and returns only the ids the caller may see; the index table itself is not granted.

**A later migration that adds a table holding case data** calls, after creating the table::

    from bibob_desk.storage import pg_security

    def upgrade() -> None:
        op.create_table("zienswijzen", ..., sa.Column("case_id", sa.Integer(), ...))
        pg_security.protect_case_table(op.get_bind(), "zienswijzen")  # case_id column

A table without case data gets grants only, e.g.
``pg_security.grant_table(op.get_bind(), "letter_templates", read=ALL_GROUPS,
write=(Role.BEHEERDER,))``. ``tests/storage/test_pg_security.py`` fails for any table that is in
neither list (``CASE_DATA_TABLES`` / ``OTHER_TABLES`` below: add the new table there too).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.domain.roles import Role

DEFAULT_PREFIX = "bibob"
PREFIX_ENV = "BIBOB_DESK_PG_ROLE_PREFIX"
PREFIX_KEY = "pg_role_prefix"
_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
# PostgreSQL identifiers are at most 63 bytes; longer names would be cut off silently.
MAX_ROLE_NAME_BYTES = 63

ALL_GROUPS: tuple[Role, ...] = (Role.MEDEWERKER, Role.TEAMLEIDER, Role.BEHEERDER)
CASE_WORKERS: tuple[Role, ...] = (Role.MEDEWERKER, Role.TEAMLEIDER)

# Tables holding case data, each with its row-level security (set up by migration 0005).
CASE_CHILD_TABLES = (
    "case_parties",
    "timeline_entries",
    "documents",
    "assessments",
    "suspensions",
    "case_shares",
)
# Case-data tables added by later migrations, each protected by its own migration through
# protect_case_table (install() runs in migration 0005 and touches only the tables of 0005).
LATER_CASE_TABLES = ("imported_cases", "party_relations", "case_decisions")
CASE_DATA_TABLES = frozenset(
    {"cases", "parties", "tips", "document_exports", "audit_log", "case_search"}
    | set(CASE_CHILD_TABLES)
    | set(LATER_CASE_TABLES)
)
# Tables without case data: grants only (who may read, who may write).
OTHER_TABLES = frozenset(
    {
        "users",
        "reference_counters",
        "policy_versions",
        "settings",
        "audit_head",
        "anonymous_case_counts",
        "database_info",
        "alembic_version",
    }
)

_FUNCTION_NAMES = (
    "bibob_login()",
    "bibob_reads_everything()",
    "bibob_has_role(text)",
    "bibob_shared_case_ids()",
    "bibob_case_ids()",
    "bibob_sees_party(integer)",
    "bibob_case_search_ids(text[])",
    "bibob_hand_over(integer, text)",
)

# Policy building blocks: each (SELECT f()) is evaluated once per query.
SEES_ALL = "(SELECT bibob_has_role('teamleider'))"
READS_AUDIT = "(SELECT bibob_has_role('teamleider') OR bibob_has_role('beheerder'))"
ME = "(SELECT bibob_login())"
# The officer's cases as a set: "case_id IN (SELECT bibob_case_ids())" becomes a hashed subplan,
# built once per query and O(1) per row, while the query's own conditions keep their indexes.
# (An array "= ANY" is searched linearly per row, and the planner, not knowing its length, would
# scan the whole set of the officer's rows through the index for every small query.)
MY_CASES = "(SELECT bibob_case_ids())"
# The (few) cases shared with the officer as an array: with "officer = me" the planner answers
# a medewerker's case query from two indexes (BitmapOr). The cast makes the scalar subquery an
# array expression: "= ANY ((SELECT ...))" alone would be read as "= ANY (subquery)".
SHARED_WITH_ME = "(SELECT bibob_shared_case_ids())::integer[]"


def is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def quote(connection: Connection, name: str) -> str:
    """A role or table name as a quoted SQL identifier (names such as ``a.dekker`` need it)."""
    return str(connection.dialect.identifier_preparer.quote_identifier(name))


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise ValidationError(
            f"Ongeldig voorvoegsel voor de groepsrollen '{prefix[:40]}': gebruik kleine letters, "
            "cijfers en _ (beginnend met een letter).",
            "prefix",
        )
    return prefix


def wanted_prefix() -> str:
    return check_prefix(os.environ.get(PREFIX_ENV, "").strip() or DEFAULT_PREFIX)


def stored_prefix(connection: Connection) -> str:
    row = connection.execute(
        text("SELECT value FROM database_info WHERE key = :key"), {"key": PREFIX_KEY}
    ).first()
    return str(row[0]) if row else DEFAULT_PREFIX


def group_role(prefix: str, role: Role) -> str:
    return f"{prefix}_{role.value}"


def _groups(connection: Connection, prefix: str, roles: Iterable[Role]) -> str:
    return ", ".join(quote(connection, group_role(prefix, r)) for r in roles)


def role_exists(connection: Connection, name: str) -> bool:
    row = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return row.first() is not None


def may_create_roles(connection: Connection) -> bool:
    row = connection.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).first()
    return bool(row and row[0])


def _privilege_error(exc: DBAPIError, what: str) -> PermissionDenied:
    return PermissionDenied(
        f"{what} De databaserol waarmee u bent verbonden mag dat niet ({_first_line(exc)}). "
        "Laat dit doen door de eigenaar van de database of een rol met CREATEROLE."
    )


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


# --- set-up (migration 0005) -----------------------------------------------------------------


def install(connection: Connection, prefix: str) -> None:
    """Group roles, helper functions, grants and row-level security for the whole schema."""
    if not is_postgresql(connection):
        return
    check_prefix(prefix)
    for role in ALL_GROUPS:
        ensure_group_role(connection, group_role(prefix, role))
    connection.execute(
        text("INSERT INTO database_info (key, value) VALUES (:key, :value)"),
        {"key": PREFIX_KEY, "value": prefix},
    )
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    _create_functions(connection, schema)
    _revoke_schema_create(connection, schema)
    # Grants: every group may use the sequences (inserts); tables as listed.
    everyone = _groups(connection, prefix, ALL_GROUPS)
    connection.execute(text(f"GRANT USAGE ON SCHEMA {quote(connection, schema)} TO {everyone}"))
    connection.execute(
        text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {quote(connection, schema)} TO {everyone}")
    )
    for name in _FUNCTION_NAMES:
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {name} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {name} TO {everyone}"))
    _grant_other_tables(connection, prefix)
    _protect_cases(connection, prefix)
    for table in CASE_CHILD_TABLES:
        protect_case_table(connection, table)
    _protect_parties(connection, prefix)
    _protect_tips(connection, prefix)
    _protect_document_exports(connection, prefix)
    _protect_audit_log(connection, prefix)
    _protect_search_index(connection)


def ensure_group_role(connection: Connection, name: str) -> None:
    if role_exists(connection, name):
        return
    try:
        with connection.begin_nested():
            connection.execute(text(f"CREATE ROLE {quote(connection, name)} NOLOGIN"))
    except DBAPIError as exc:
        raise PermissionDenied(
            f"De groepsrol '{name}' bestaat nog niet en de eigenaar van de database mag geen "
            f"rollen aanmaken ({_first_line(exc)}). Geef de eigenaar CREATEROLE of maak de "
            "groepsrollen eerst aan (zie README, 'De server inrichten'). Er is niets gewijzigd."
        ) from exc


def _create_functions(connection: Connection, schema: str) -> None:
    path = f"SET search_path = {quote(connection, schema)}, pg_temp"
    # PL/pgSQL, not SQL: its query plans are kept for the session; a SQL function's are made
    # again in every query that calls it.
    definer = f"LANGUAGE plpgsql STABLE SECURITY DEFINER {path}"
    statements = [
        # session_user when it is an active Bibob Desk user, else NULL (matches nothing).
        f"""CREATE OR REPLACE FUNCTION bibob_login() RETURNS text {definer} AS $$
            BEGIN
                RETURN (SELECT u.username::text FROM users u
                        WHERE u.username = session_user::text AND u.active);
            END
        $$""",
        f"""CREATE OR REPLACE FUNCTION bibob_has_role(wanted text) RETURNS boolean {definer} AS $$
            BEGIN
                RETURN coalesce((SELECT bool_or(wanted = ANY (
                            string_to_array(replace(lower(u.role), ' ', ''), ',')))
                        FROM users u WHERE u.username = session_user::text AND u.active), false);
            END
        $$""",
        # Row-level security does not apply to the caller (superuser, BYPASSRLS, table owner):
        # the definer functions below then answer as the tables would.
        f"""CREATE OR REPLACE FUNCTION bibob_reads_everything() RETURNS boolean {definer} AS $$
            BEGIN
                RETURN coalesce((SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(
                        session_user,
                        (SELECT c.relowner FROM pg_class c WHERE c.oid = 'cases'::regclass),
                        'USAGE')
                    FROM pg_roles r WHERE r.rolname = session_user), false);
            END
        $$""",
        f"""CREATE OR REPLACE FUNCTION bibob_shared_case_ids() RETURNS integer[] {definer} AS $$
            BEGIN
                RETURN coalesce((SELECT array_agg(s.case_id) FROM case_shares s
                                 WHERE s.username = bibob_login()), '{{}}');
            END
        $$""",
        f"""CREATE OR REPLACE FUNCTION bibob_case_ids() RETURNS SETOF integer {definer}
            ROWS 500 AS $$
            DECLARE
                me text := bibob_login();
            BEGIN
                RETURN QUERY SELECT c.id FROM cases c WHERE c.officer = me
                    UNION SELECT s.case_id FROM case_shares s WHERE s.username = me;
            END
        $$""",
        # One party, by index: is it in a case the caller handles or shares? Per row, so that
        # fetching a page of parties never reads all parties of all the officer's cases.
        f"""CREATE OR REPLACE FUNCTION bibob_sees_party(party integer) RETURNS boolean {definer}
            COST 20 AS $$
            DECLARE
                me text := bibob_login();
            BEGIN
                RETURN EXISTS (
                    SELECT 1 FROM case_parties cp JOIN cases c ON c.id = cp.case_id
                    WHERE cp.party_id = party AND (c.officer = me OR EXISTS (
                        SELECT 1 FROM case_shares s WHERE s.case_id = c.id AND s.username = me)));
            END
        $$""",
        # The search: LIKE patterns (already escaped, with their %) against the index table,
        # as the owner (so the trigram index is used), keeping only cases the caller may see:
        # each match is checked by primary key (building the set of an officer's cases first
        # cost ~50 ms per search at 100,000 cases). ROWS 100: a search returns few cases, so
        # the planner looks them up by key instead of scanning every case (migration 0012).
        f"""CREATE OR REPLACE FUNCTION bibob_case_search_ids(patterns text[])
            RETURNS SETOF integer LANGUAGE plpgsql STABLE SECURITY DEFINER {path}
            ROWS 100 AS $$
            DECLARE
                pattern text;
                everything boolean := bibob_reads_everything() OR bibob_has_role('teamleider');
                me text := bibob_login();
                shared integer[] := bibob_shared_case_ids();
            BEGIN
                FOREACH pattern IN ARRAY patterns LOOP
                    IF everything THEN
                        RETURN QUERY EXECUTE
                            'SELECT case_id FROM case_search WHERE doc LIKE $1' USING pattern;
                    ELSE
                        RETURN QUERY EXECUTE
                            'SELECT s.case_id FROM case_search s JOIN cases c ON c.id = s.case_id '
                            'WHERE s.doc LIKE $1 AND (c.officer = $2 OR c.id = ANY ($3))'
                            USING pattern, me, shared;
                    END IF;
                END LOOP;
            END
        $$""",
        # Handing a case to a colleague: the new row is one the officer may no longer read, and
        # PostgreSQL checks an UPDATE's new row against the SELECT policies too. So the handover
        # is this one function: the caller must see the case (or read everything: the owner),
        # the new behandelaar must be an active medewerker.
        f"""CREATE OR REPLACE FUNCTION bibob_hand_over(target integer, new_officer text)
            RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            BEGIN
                IF NOT (
                    bibob_reads_everything()
                    OR bibob_has_role('teamleider')
                    OR target IN (SELECT bibob_case_ids())
                ) THEN
                    RAISE EXCEPTION 'geen toegang tot deze zaak' USING ERRCODE = '42501';
                END IF;
                IF NOT EXISTS (
                    SELECT 1 FROM users u WHERE u.username = new_officer AND u.active
                    AND 'medewerker' = ANY (string_to_array(replace(lower(u.role), ' ', ''), ','))
                ) THEN
                    RAISE EXCEPTION 'geen actieve medewerker: %', new_officer
                        USING ERRCODE = '22023';
                END IF;
                UPDATE cases SET officer = new_officer, version = version + 1,
                    updated_at = timezone('utc', now())
                WHERE id = target;
            END
        $$""",
    ]
    for statement in statements:
        connection.execute(text(statement))
    # The index is rebuilt by triggers running as whoever writes a case; as the owner it sees
    # the whole case, whatever that writer may read.
    connection.execute(
        text(f"ALTER FUNCTION bibob_case_search_refresh(integer[]) SECURITY DEFINER {path}")
    )


def _revoke_schema_create(connection: Connection, schema: str) -> None:
    """PostgreSQL 15 no longer lets PUBLIC create in ``public``; older servers did."""
    owns = connection.execute(
        text(
            "SELECT pg_has_role(current_user, n.nspowner, 'USAGE') FROM pg_namespace n "
            "WHERE n.nspname = :schema"
        ),
        {"schema": schema},
    ).scalar()
    if owns:
        connection.execute(text(f"REVOKE CREATE ON SCHEMA {quote(connection, schema)} FROM PUBLIC"))


def grant_table(
    connection: Connection,
    table: str,
    *,
    read: Sequence[Role] = (),
    write: Sequence[Role] = (),
    write_privileges: str = "INSERT, UPDATE, DELETE",
    prefix: str | None = None,
) -> None:
    """Plain grants for a table without case data (no row-level security)."""
    if not is_postgresql(connection):
        return
    prefix = prefix or stored_prefix(connection)
    name = quote(connection, table)
    if read:
        connection.execute(text(f"GRANT SELECT ON {name} TO {_groups(connection, prefix, read)}"))
    if write:
        connection.execute(
            text(f"GRANT {write_privileges} ON {name} TO {_groups(connection, prefix, write)}")
        )
    _grant_sequence(connection, table, prefix)


def _grant_sequence(connection: Connection, table: str, prefix: str) -> None:
    has_id = connection.execute(
        text(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = :table AND column_name = 'id'"
        ),
        {"table": table},
    ).first()
    if has_id is None:
        return
    sequence = connection.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
    ).scalar()
    if sequence:
        connection.execute(
            text(f"GRANT USAGE ON SEQUENCE {sequence} TO {_groups(connection, prefix, ALL_GROUPS)}")
        )


def _grant_other_tables(connection: Connection, prefix: str) -> None:
    grant_table(connection, "alembic_version", read=ALL_GROUPS, prefix=prefix)
    grant_table(connection, "database_info", read=ALL_GROUPS, prefix=prefix)
    grant_table(
        connection,
        "users",
        read=ALL_GROUPS,
        write=(Role.BEHEERDER,),
        write_privileges="INSERT, UPDATE",
        prefix=prefix,
    )
    grant_table(
        connection,
        "reference_counters",
        read=CASE_WORKERS,
        write=CASE_WORKERS,
        write_privileges="INSERT, UPDATE",
        prefix=prefix,
    )
    # Versions are added, never changed (Awb 4:81 history); the default is seeded at set-up.
    grant_table(
        connection,
        "policy_versions",
        read=ALL_GROUPS,
        write=(Role.BEHEERDER,),
        write_privileges="INSERT",
        prefix=prefix,
    )
    grant_table(connection, "settings", read=ALL_GROUPS, write=(Role.BEHEERDER,), prefix=prefix)
    grant_table(
        connection,
        "audit_head",
        read=ALL_GROUPS,
        write=ALL_GROUPS,
        write_privileges="INSERT, UPDATE",
        prefix=prefix,
    )
    grant_table(
        connection,
        "anonymous_case_counts",
        read=(Role.TEAMLEIDER, Role.BEHEERDER),
        write=(Role.TEAMLEIDER,),
        write_privileges="INSERT",
        prefix=prefix,
    )


def _reset_policies(connection: Connection, table: str) -> str:
    name = quote(connection, table)
    existing = connection.execute(
        text(
            "SELECT policyname FROM pg_policies "
            "WHERE tablename = :t AND schemaname = current_schema()"
        ),
        {"t": table},
    ).scalars()
    for policy in list(existing):
        connection.execute(text(f"DROP POLICY {quote(connection, policy)} ON {name}"))
    connection.execute(text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
    return name


def _policy(
    connection: Connection,
    table: str,
    policy: str,
    command: str,
    roles: str,
    using: str | None = None,
    check: str | None = None,
) -> None:
    sql = f"CREATE POLICY {policy} ON {quote(connection, table)} FOR {command} TO {roles}"
    if using is not None:
        sql += f" USING ({using})"
    if check is not None:
        sql += f" WITH CHECK ({check})"
    connection.execute(text(sql))


def _case_table_grants(connection: Connection, table: str, prefix: str) -> None:
    grant_table(
        connection,
        table,
        read=ALL_GROUPS,  # a beheerder reads nothing (no policy), not an error
        write=CASE_WORKERS,
        prefix=prefix,
    )


def of_visible_case(connection: Connection, table: str, case_column: str = "case_id") -> str:
    """A row of ``table`` belongs to a case the caller may read: the cases table's own policy
    decides, looked up per row by primary key (migration 0012). Cheap for the rows of one case
    or of a window of cases, which is how the application reads; the earlier set of all the
    officer's case ids (``bibob_case_ids``) was built anew in every query (~50 ms each at
    100,000 cases)."""
    column = f"{quote(connection, table)}.{quote(connection, case_column)}"
    return f"EXISTS (SELECT 1 FROM cases c WHERE c.id = {column})"


def refresh_case_rules(connection: Connection) -> None:
    """Migration 0012: the helper functions, the case tables' and the parties' policies in
    their current form (tables of later migrations get it from their own migration)."""
    if not is_postgresql(connection):
        return
    prefix = stored_prefix(connection)
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    _create_functions(connection, schema)
    for table in (*CASE_CHILD_TABLES, *LATER_CASE_TABLES):
        if connection.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is not None:
            protect_case_table(connection, table, prefix=prefix)
    _protect_parties(connection, prefix)


def protect_case_table(
    connection: Connection, table: str, case_column: str = "case_id", prefix: str | None = None
) -> None:
    """Row-level security for a table whose rows belong to one case through ``case_column``."""
    if not is_postgresql(connection):
        return
    prefix = prefix or stored_prefix(connection)
    _case_table_grants(connection, table, prefix)
    _reset_policies(connection, table)
    mine = of_visible_case(connection, table, case_column)
    lead = quote(connection, group_role(prefix, Role.TEAMLEIDER))
    officer = quote(connection, group_role(prefix, Role.MEDEWERKER))
    _policy(connection, table, "teamleider_alle_zaken", "ALL", lead, SEES_ALL, SEES_ALL)
    _policy(connection, table, "medewerker_eigen_zaken", "ALL", officer, mine, mine)


def _protect_cases(connection: Connection, prefix: str) -> None:
    _case_table_grants(connection, "cases", prefix)
    _reset_policies(connection, "cases")
    lead = quote(connection, group_role(prefix, Role.TEAMLEIDER))
    officer = quote(connection, group_role(prefix, Role.MEDEWERKER))
    # Destroyed cases (reference, area, phase and outcome only) stay with the team leads.
    visible = f"destroyed_at IS NULL AND (officer = {ME} OR id = ANY ({SHARED_WITH_ME}))"
    _policy(connection, "cases", "teamleider_alle_zaken", "ALL", lead, SEES_ALL, SEES_ALL)
    _policy(connection, "cases", "medewerker_lezen", "SELECT", officer, visible)
    # A new case is registered on the officer's own name; a team lead assigns it to others.
    _policy(
        connection, "cases", "medewerker_registreren", "INSERT", officer, None, f"officer = {ME}"
    )
    # Handing a case to a colleague goes through bibob_hand_over (see there).
    _policy(connection, "cases", "medewerker_wijzigen", "UPDATE", officer, visible, visible)


def _protect_parties(connection: Connection, prefix: str) -> None:
    _case_table_grants(connection, "parties", prefix)
    _reset_policies(connection, "parties")
    lead = quote(connection, group_role(prefix, Role.TEAMLEIDER))
    officer = quote(connection, group_role(prefix, Role.MEDEWERKER))
    # Parties linked to a case the officer may read (case_parties' own policy decides), checked
    # per row by index. A new party is inserted before its link (models.Party takes its id from
    # the sequence first, without RETURNING, so the new row need not be readable yet).
    visible = "EXISTS (SELECT 1 FROM case_parties cp WHERE cp.party_id = parties.id)"
    _policy(connection, "parties", "teamleider_alle_zaken", "ALL", lead, SEES_ALL, SEES_ALL)
    _policy(connection, "parties", "medewerker_lezen", "SELECT", officer, visible)
    _policy(connection, "parties", "medewerker_toevoegen", "INSERT", officer, None, "true")
    _policy(connection, "parties", "medewerker_wijzigen", "UPDATE", officer, visible, visible)
    _policy(connection, "parties", "medewerker_verwijderen", "DELETE", officer, visible)


def _protect_tips(connection: Connection, prefix: str) -> None:
    _case_table_grants(connection, "tips", prefix)
    _reset_policies(connection, "tips")
    lead = quote(connection, group_role(prefix, Role.TEAMLEIDER))
    officer = quote(connection, group_role(prefix, Role.MEDEWERKER))
    # Tips linked to the officer's cases, and the tips they registered while still unlinked.
    visible = f"case_id IN {MY_CASES} OR (case_id IS NULL AND created_by = {ME})"
    registering = f"created_by = {ME} AND (case_id IS NULL OR case_id IN {MY_CASES})"
    _policy(connection, "tips", "teamleider_alle_tips", "ALL", lead, SEES_ALL, SEES_ALL)
    _policy(connection, "tips", "medewerker_lezen", "SELECT", officer, visible)
    _policy(connection, "tips", "medewerker_registreren", "INSERT", officer, None, registering)
    _policy(connection, "tips", "medewerker_wijzigen", "UPDATE", officer, visible, visible)


def _protect_document_exports(connection: Connection, prefix: str) -> None:
    _case_table_grants(connection, "document_exports", prefix)
    _reset_policies(connection, "document_exports")
    lead = quote(connection, group_role(prefix, Role.TEAMLEIDER))
    officer = quote(connection, group_role(prefix, Role.MEDEWERKER))
    # documents has its own policy (by case); an export is visible with its document.
    of_visible_document = "document_id IN (SELECT d.id FROM documents d)"
    _policy(
        connection, "document_exports", "teamleider_alle_zaken", "ALL", lead, SEES_ALL, SEES_ALL
    )
    _policy(
        connection,
        "document_exports",
        "medewerker_eigen_zaken",
        "ALL",
        officer,
        of_visible_document,
        of_visible_document,
    )


def _protect_audit_log(connection: Connection, prefix: str) -> None:
    """Appends work for every role, in one's own name; reading is for team leads and
    administrators (as ``audit.list_entries``), and everyone reads back their own entries."""
    grant_table(
        connection,
        "audit_log",
        read=ALL_GROUPS,
        write=ALL_GROUPS,
        write_privileges="INSERT",
        prefix=prefix,
    )
    _reset_policies(connection, "audit_log")
    everyone = _groups(connection, prefix, ALL_GROUPS)
    readers = _groups(connection, prefix, (Role.TEAMLEIDER, Role.BEHEERDER))
    own = '"user" = session_user::text'
    _policy(connection, "audit_log", "lezen_teamleider_beheerder", "SELECT", readers, READS_AUDIT)
    _policy(connection, "audit_log", "eigen_regels_lezen", "SELECT", everyone, own)
    _policy(connection, "audit_log", "toevoegen_eigen_naam", "INSERT", everyone, None, own)


def _protect_search_index(connection: Connection) -> None:
    """No group reads ``case_search`` directly: ``bibob_case_search_ids`` does, filtered."""
    connection.execute(text("ALTER TABLE case_search ENABLE ROW LEVEL SECURITY"))


def uninstall(connection: Connection) -> None:
    """Downgrade: policies, RLS and helper functions go; the group roles stay (cluster-wide,
    maybe used by another database)."""
    if not is_postgresql(connection):
        return
    for table in sorted(CASE_DATA_TABLES):
        _reset_policies(connection, table)
        connection.execute(
            text(f"ALTER TABLE {quote(connection, table)} DISABLE ROW LEVEL SECURITY")
        )
    connection.execute(text("ALTER FUNCTION bibob_case_search_refresh(integer[]) SECURITY INVOKER"))
    for name in _FUNCTION_NAMES:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {name}"))


# --- users and their login roles (services/users.py) -------------------------------------------


def check_role_name(connection: Connection, name: str) -> None:
    """A Bibob user name that can also be a PostgreSQL login role."""
    prefix = stored_prefix(connection)
    if len(name.encode("utf-8")) > MAX_ROLE_NAME_BYTES:
        raise ValidationError(
            f"Gebruikersnaam '{name[:40]}…' is te lang voor PostgreSQL (hoogstens "
            f"{MAX_ROLE_NAME_BYTES} tekens).",
            "username",
        )
    if name.lower().startswith("pg_") or name in {group_role(prefix, r) for r in ALL_GROUPS}:
        raise ValidationError(
            f"'{name}' is een gereserveerde rolnaam in PostgreSQL; kies een andere naam.",
            "username",
        )


def group_memberships(connection: Connection, name: str) -> set[Role]:
    prefix = stored_prefix(connection)
    rows = connection.execute(
        text(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :name"
        ),
        {"name": name},
    ).scalars()
    by_name = {group_role(prefix, r): r for r in ALL_GROUPS}
    return {by_name[g] for g in rows if g in by_name}


def provide_login(connection: Connection, name: str, roles: Iterable[Role]) -> bool:
    """Create the LOGIN role ``name`` when it is missing and make its group memberships match
    ``roles``. Returns True when the role was created. No password is set: the officer signs in
    with GSSAPI or a password the DBA sets (``\\password``); Bibob Desk stores none."""
    check_role_name(connection, name)
    created = False
    if not role_exists(connection, name):
        if not may_create_roles(connection):
            raise PermissionDenied(
                f"De databaserol '{name}' bestaat nog niet en de rol waarmee u bent verbonden mag "
                "geen rollen aanmaken. Laat de gebruiker toevoegen door de eigenaar van de "
                "database of een rol met CREATEROLE, of laat de DBA de rol eerst aanmaken."
            )
        try:
            with connection.begin_nested():
                connection.execute(text(f"CREATE ROLE {quote(connection, name)} LOGIN"))
        except DBAPIError as exc:
            raise _privilege_error(
                exc, f"De databaserol '{name}' kon niet worden gemaakt."
            ) from exc
        created = True
    set_group_roles(connection, name, roles)
    return created


def set_group_roles(connection: Connection, name: str, roles: Iterable[Role]) -> None:
    prefix = stored_prefix(connection)
    wanted = set(roles)
    have = group_memberships(connection, name)
    role = quote(connection, name)
    try:
        with connection.begin_nested():
            for group in sorted(wanted - have):
                group_name = quote(connection, group_role(prefix, group))
                connection.execute(text(f"GRANT {group_name} TO {role}"))
            for group in sorted(have - wanted):
                group_name = quote(connection, group_role(prefix, group))
                connection.execute(text(f"REVOKE {group_name} FROM {role}"))
    except DBAPIError as exc:
        raise _privilege_error(
            exc, f"De groepsrollen van '{name}' konden niet worden aangepast."
        ) from exc


def set_login(connection: Connection, name: str, allowed: bool) -> None:
    """LOGIN / NOLOGIN for a Bibob user's role; never for a superuser or the schema owner,
    whose login the DBA needs (the users table still switches them off in Bibob Desk)."""
    row = connection.execute(
        text(
            "SELECT r.rolsuper, r.rolcanlogin, "
            "pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = 'cases'::regclass), "
            "'USAGE') FROM pg_roles r WHERE r.rolname = :n"
        ),
        {"n": name},
    ).first()
    if row is None or row[0] or row[2] or bool(row[1]) == allowed:
        return
    try:
        with connection.begin_nested():
            connection.execute(
                text(f"ALTER ROLE {quote(connection, name)} {'LOGIN' if allowed else 'NOLOGIN'}")
            )
    except DBAPIError as exc:
        raise _privilege_error(
            exc, f"De aanmelding van '{name}' kon niet worden aangepast."
        ) from exc


def hand_over(connection: Connection, case_id: int, officer: str) -> None:
    """Give a case another behandelaar through ``bibob_hand_over`` (bumps its version)."""
    connection.execute(
        text("SELECT bibob_hand_over(:case_id, :officer)"),
        {"case_id": case_id, "officer": officer},
    )


def session_login(connection: Connection) -> str:
    return str(connection.execute(text("SELECT session_user")).scalar_one())


def owns_schema(connection: Connection) -> bool:
    """The connected role is (a member of) the owner of the tables, or a superuser."""
    row = connection.execute(
        text(
            "SELECT r.rolsuper OR pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = current_user "
            "AND c.oid = to_regclass('alembic_version')"
        )
    ).first()
    return bool(row and row[0])


def require_every_case(connection: Connection, what: str) -> None:
    """Refuse work that must read every case (a back-up, the annual figures) when row-level
    security would silently leave cases out: only a team lead or the owner reads them all."""
    if not is_postgresql(connection):
        return
    sees = connection.execute(
        text("SELECT bibob_reads_everything() OR bibob_has_role('teamleider')")
    ).scalar()
    if not sees:
        raise PermissionDenied(
            f"Uw databaserol ziet niet alle zaken (een beheerder ziet geen zaakinhoud), dus "
            f"{what} zou onvolledig zijn. Laat dit doen door een teamleider of de eigenaar van "
            "de database."
        )


def reads_everything(connection: Connection) -> bool:
    """Row-level security does not apply: superuser, BYPASSRLS or the table owner."""
    row = connection.execute(
        text(
            "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, "
            "'USAGE') FROM pg_roles r, pg_class c WHERE r.rolname = current_user "
            "AND c.oid = to_regclass('cases')"
        )
    ).first()
    return bool(row and row[0])
