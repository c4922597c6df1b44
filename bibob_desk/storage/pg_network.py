"""PostgreSQL: the lookups behind "Bekend uit" and the network view, within need-to-know.

"Bekend uit" must find a party in cases the officer may *not* see, and say no more than that a
match exists (issue 18). Row-level security (storage/pg_security.py) hides those rows from the
officer's own queries, so these four ``STABLE SECURITY DEFINER`` functions look as the owner and
return only numbers and a ``visible`` flag: a hidden case or tip comes back as NULL, a hidden
relation without its id. Names, references and dates are then read by the officer's own queries,
under row-level security, for the visible ids only. ``services/network_lookups.py`` has the same
four lookups for SQLite, where the services enforce the rules.

Every function answers the same visibility rule as the policies: the caller reads everything
(owner, superuser), is a teamleider, or the case is one of ``bibob_case_ids()``; a tip as the
``tips`` policies.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from bibob_desk.storage import pg_security

FUNCTION_NAMES = (
    "bibob_same_parties(integer[])",
    "bibob_party_relations(integer[])",
    "bibob_party_cases(integer[], date)",
    "bibob_party_tips(integer[], date)",
)

# A party's name, normalised the same way as services/network_lookups.normal_name.
_NAME = "lower(regexp_replace(btrim({0}), '\\s+', ' ', 'g'))"


def install(connection: Connection) -> None:
    if not pg_security.is_postgresql(connection):
        return
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    path = f"SET search_path = {pg_security.quote(connection, schema)}, pg_temp"
    definer = f"LANGUAGE plpgsql STABLE SECURITY DEFINER {path}"
    everything = "bibob_reads_everything() OR bibob_has_role('teamleider')"
    p_name = _NAME.format("p.name")
    q_name = _NAME.format("q.name")
    t_name = _NAME.format("t.subject_name")
    statements = [
        # The same person or company under another party row: same KvK number, or the same
        # name and date of birth. Party ids only (no names).
        f"""CREATE OR REPLACE FUNCTION bibob_same_parties(ids integer[])
            RETURNS TABLE(party_id integer, other_id integer, how text) {definer} AS $$
            BEGIN
                RETURN QUERY
                    SELECT p.id, q.id, 'kvk'::text FROM parties p
                    JOIN parties q ON q.kvk_number = p.kvk_number AND q.id <> p.id
                    WHERE p.id = ANY (ids) AND p.kvk_number IS NOT NULL
                    UNION
                    SELECT p.id, q.id, 'naam_geboortedatum'::text FROM parties p
                    JOIN parties q ON q.birth_date = p.birth_date AND q.id <> p.id
                        AND {q_name} = {p_name}
                    WHERE p.id = ANY (ids) AND p.birth_date IS NOT NULL;
            END
        $$""",
        # Relations touching these parties; a relation of a hidden case without its id.
        f"""CREATE OR REPLACE FUNCTION bibob_party_relations(ids integer[])
            RETURNS TABLE(relation_id integer, from_party integer, to_party integer,
                          visible boolean) {definer} AS $$
            DECLARE
                everything boolean := {everything};
                mine integer[] := ARRAY(SELECT bibob_case_ids());
            BEGIN
                RETURN QUERY
                    SELECT CASE WHEN v.vis THEN v.id END, v.from_party_id, v.to_party_id, v.vis
                    FROM (
                        SELECT r.id, r.from_party_id, r.to_party_id,
                               (everything OR r.case_id = ANY (mine)) AS vis
                        FROM party_relations r JOIN cases c ON c.id = r.case_id
                        WHERE c.destroyed_at IS NULL
                          AND (r.from_party_id = ANY (ids) OR r.to_party_id = ANY (ids))
                    ) v;
            END
        $$""",
        # The cases these parties appear in (since a date, when given); a hidden one as NULL.
        f"""CREATE OR REPLACE FUNCTION bibob_party_cases(ids integer[], since date)
            RETURNS TABLE(party_id integer, case_id integer, visible boolean) {definer} AS $$
            DECLARE
                everything boolean := {everything};
                mine integer[] := ARRAY(SELECT bibob_case_ids());
            BEGIN
                RETURN QUERY
                    SELECT v.party_id, CASE WHEN v.vis THEN v.case_id END, v.vis
                    FROM (
                        SELECT DISTINCT cp.party_id, c.id AS case_id,
                               (everything OR c.id = ANY (mine)) AS vis
                        FROM case_parties cp JOIN cases c ON c.id = cp.case_id
                        WHERE cp.party_id = ANY (ids) AND c.destroyed_at IS NULL
                          AND (since IS NULL OR c.application_date >= since
                               OR c.decision_date >= since)
                    ) v;
            END
        $$""",
        # Tips about these parties (by KvK number, or name and date of birth).
        f"""CREATE OR REPLACE FUNCTION bibob_party_tips(ids integer[], since date)
            RETURNS TABLE(party_id integer, tip_id integer, visible boolean) {definer} AS $$
            DECLARE
                everything boolean := {everything};
                me text := bibob_login();
                mine integer[] := ARRAY(SELECT bibob_case_ids());
            BEGIN
                RETURN QUERY
                    SELECT v.party_id, CASE WHEN v.vis THEN v.tip_id END, v.vis
                    FROM (
                        SELECT DISTINCT m.party_id, t.id AS tip_id,
                               (everything OR t.case_id = ANY (mine)
                                OR (t.case_id IS NULL AND t.created_by = me)) AS vis
                        FROM (
                            SELECT p.id AS party_id, t.id AS tip_id FROM parties p
                            JOIN tips t ON t.subject_kvk = p.kvk_number
                            WHERE p.id = ANY (ids) AND p.kvk_number IS NOT NULL
                            UNION
                            SELECT p.id, t.id FROM parties p
                            JOIN tips t ON t.subject_birth_date = p.birth_date
                                AND {t_name} = {p_name}
                            WHERE p.id = ANY (ids) AND p.birth_date IS NOT NULL
                        ) m JOIN tips t ON t.id = m.tip_id
                        WHERE since IS NULL OR t.received_on >= since
                    ) v;
            END
        $$""",
    ]
    for statement in statements:
        connection.execute(text(statement))
    prefix = pg_security.stored_prefix(connection)
    everyone = ", ".join(
        pg_security.quote(connection, pg_security.group_role(prefix, role))
        for role in pg_security.ALL_GROUPS
    )
    for name in FUNCTION_NAMES:
        connection.execute(text(f"REVOKE EXECUTE ON FUNCTION {name} FROM PUBLIC"))
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {name} TO {everyone}"))


def uninstall(connection: Connection) -> None:
    if not pg_security.is_postgresql(connection):
        return
    for name in FUNCTION_NAMES:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {name}"))
