"""PostgreSQL: the audit log is appended by the server, never written by a client.

``bibob_audit_append(user, action, case, detail)`` is ``SECURITY DEFINER``, owned by the schema
owner. It takes

* the **user** from ``session_user`` (an officer who names someone else is refused; only the
  owner or a superuser, who could write the table directly anyway, writes on behalf of the
  named Bibob user: the migrations, a restore, the test suite),
* the **time** from the server clock (``clock_timestamp()`` in UTC),
* the **previous hash** from ``audit_head``, locked by the same statement that bumps the count,

and computes the chain hash itself, with the same formula as ``services/audit.entry_hash`` (a
JSON array ``[prev, at, user, action, case, detail]``, SHA-256). No group role holds INSERT,
UPDATE, DELETE or TRUNCATE on ``audit_log`` or ``audit_head``: ``psql`` as an officer can
neither remove an entry nor fix the head. Everything here is a no-op on SQLite.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from bibob_desk.storage.pg_security import (
    ALL_GROUPS,
    _groups,
    is_postgresql,
    quote,
    stored_prefix,
)

APPEND_FUNCTION = "bibob_audit_append(text, text, text, text)"
APPEND_MANY_FUNCTION = "bibob_audit_append_many(text, text[], text[], text[])"
GENESIS_HASH = "0" * 64


# Who writes: session_user; the owner or a superuser may name the Bibob user instead.
_WHO = """
                IF p_user IS NOT NULL AND p_user <> v_user THEN
                    SELECT r.rolsuper OR pg_has_role(session_user, c.relowner, 'USAGE')
                      INTO v_trusted
                      FROM pg_roles r, pg_class c
                     WHERE r.rolname = session_user AND c.oid = 'audit_log'::regclass;
                    IF NOT coalesce(v_trusted, false) THEN
                        RAISE EXCEPTION 'Auditregel geweigerd: % mag niet schrijven namens %',
                            v_user, p_user USING ERRCODE = '42501';
                    END IF;
                    v_user := p_user;
                END IF;"""

# Bumping the count first locks the head row: two writers never chain onto the same entry.
_LOCK_HEAD = """
                UPDATE audit_head SET entry_count = entry_count + {n} WHERE id = 1
                    RETURNING last_hash INTO v_prev;
                IF NOT FOUND THEN
                    INSERT INTO audit_head (id, entry_count, last_id, last_hash)
                        VALUES (1, 0, 0, '{genesis}') ON CONFLICT (id) DO NOTHING;
                    UPDATE audit_head SET entry_count = entry_count + {n} WHERE id = 1
                        RETURNING last_hash INTO v_prev;
                END IF;"""

# services/audit.entry_hash: SHA-256 of the JSON array [prev, at, user, action, case, detail].
_HASH = """
                    v_hash := encode(sha256(convert_to(
                        '[' || to_json(v_prev)::text
                        || ',' || to_json(to_char(v_at, 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text
                        || ',' || to_json(v_user)::text
                        || ',' || to_json({action})::text
                        || ',' || coalesce(to_json({case})::text, 'null')
                        || ',' || to_json({detail})::text
                        || ']', 'UTF8')), 'hex');
                    INSERT INTO audit_log
                        (at, "user", action, case_reference, detail, prev_hash, hash)
                        VALUES (v_at, v_user, {action}, {case}, {detail}, v_prev, v_hash)
                        RETURNING id INTO v_id;
                    v_prev := v_hash;"""


def _function_sql(schema: str, quoted_schema: str) -> list[str]:
    path = f"SET search_path = {quoted_schema}, pg_temp"
    declare = """
            DECLARE
                v_user text := session_user::text;
                v_at timestamp;
                v_prev text;
                v_hash text;
                v_id integer;
                v_trusted boolean;"""
    one = _HASH.format(action="p_action", case="p_case", detail="v_detail")
    many = _HASH.format(action="p_actions[i]", case="p_cases[i]", detail="v_detail")
    return [
        f"""CREATE OR REPLACE FUNCTION bibob_audit_append(
                p_user text, p_action text, p_case text, p_detail text)
            RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            {declare}
                v_detail text := coalesce(p_detail, '{{}}');
            BEGIN
                {_WHO}
                IF p_action IS NULL OR p_action = '' THEN
                    RAISE EXCEPTION 'Auditregel geweigerd: geen handeling' USING ERRCODE = '22023';
                END IF;
                {_LOCK_HEAD.format(n=1, genesis=GENESIS_HASH)}
                v_at := clock_timestamp() AT TIME ZONE 'UTC';
                {one}
                UPDATE audit_head SET last_id = v_id, last_hash = v_prev WHERE id = 1;
                RETURN v_id;
            END
            $$""",
        # The register import's entries: the head locked and written once for the batch.
        f"""CREATE OR REPLACE FUNCTION bibob_audit_append_many(
                p_user text, p_actions text[], p_cases text[], p_details text[])
            RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER {path} AS $$
            {declare}
                v_detail text;
                v_count integer := coalesce(array_length(p_actions, 1), 0);
            BEGIN
                IF v_count = 0 THEN
                    RETURN NULL;
                END IF;
                {_WHO}
                IF array_position(p_actions, NULL) IS NOT NULL
                   OR array_position(p_actions, '') IS NOT NULL THEN
                    RAISE EXCEPTION 'Auditregel geweigerd: geen handeling' USING ERRCODE = '22023';
                END IF;
                {_LOCK_HEAD.format(n="v_count", genesis=GENESIS_HASH)}
                FOR i IN 1 .. v_count LOOP
                    v_at := clock_timestamp() AT TIME ZONE 'UTC';
                    v_detail := coalesce(p_details[i], '{{}}');
                    {many}
                END LOOP;
                UPDATE audit_head SET last_id = v_id, last_hash = v_prev WHERE id = 1;
                RETURN v_id;
            END
            $$""",
    ]


def install(connection: Connection) -> None:
    """The append functions, and the groups' write privileges on the log taken away."""
    if not is_postgresql(connection):
        return
    prefix = stored_prefix(connection)
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    for statement in _function_sql(schema, quote(connection, schema)):
        connection.execute(text(statement))
    everyone = _groups(connection, prefix, ALL_GROUPS)
    for name in (APPEND_FUNCTION, APPEND_MANY_FUNCTION):
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {name} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {name} TO {everyone}"))
    for table in ("audit_log", "audit_head"):
        connection.execute(
            text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC, {everyone}")
        )
    connection.execute(text("DROP POLICY IF EXISTS toevoegen_eigen_naam ON audit_log"))


def uninstall(connection: Connection) -> None:
    """Downgrade to 0009: clients append again (INSERT in their own name, head updates)."""
    if not is_postgresql(connection):
        return
    prefix = stored_prefix(connection)
    everyone = _groups(connection, prefix, ALL_GROUPS)
    connection.execute(text(f"GRANT INSERT ON audit_log TO {everyone}"))
    connection.execute(text(f"GRANT INSERT, UPDATE ON audit_head TO {everyone}"))
    connection.execute(
        text(
            f"CREATE POLICY toevoegen_eigen_naam ON audit_log FOR INSERT TO {everyone} "
            'WITH CHECK ("user" = session_user::text)'
        )
    )
    for name in (APPEND_MANY_FUNCTION, APPEND_FUNCTION):
        connection.execute(text(f"DROP FUNCTION IF EXISTS {name}"))


def has_append_function(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text("SELECT to_regprocedure(:f) IS NOT NULL"), {"f": APPEND_FUNCTION}
        ).scalar()
    )


# --- pgaudit: reads by any client, logged by the server -----------------------------------

# The tables whose reads the server logs: everything that names a person or a case.
PGAUDIT_TABLES = (
    "cases",
    "parties",
    "case_parties",
    "tips",
    "documents",
    "timeline_entries",
    "assessments",
    "audit_log",
)


def enable_pgaudit(connection: Connection, auditor: str = "bibob_auditor") -> None:
    """Object auditing with pgaudit for this database (README, 'Audit trail').

    Needs ``shared_preload_libraries = 'pgaudit'`` on the server and a superuser. Every SELECT on
    ``PGAUDIT_TABLES`` by any role and any client is then logged by the server: pgaudit logs an
    access to a table when the ``pgaudit.role`` role holds the privilege that access uses.
    """
    name = quote(connection, auditor)
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS pgaudit"))
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": auditor}
    ).first()
    if exists is None:
        connection.execute(text(f"CREATE ROLE {name} NOLOGIN"))
    connection.execute(text(f"GRANT SELECT ON {', '.join(PGAUDIT_TABLES)} TO {name}"))
    database = quote(connection, connection.execute(text("SELECT current_database()")).scalar_one())
    connection.execute(text(f"ALTER DATABASE {database} SET pgaudit.role = '{auditor}'"))
    connection.execute(text(f"ALTER DATABASE {database} SET pgaudit.log_relation = on"))
    connection.execute(text(f"ALTER DATABASE {database} SET pgaudit.log_parameter = off"))
