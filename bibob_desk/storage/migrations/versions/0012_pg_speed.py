"""PostgreSQL speed: the search function's row estimate, search-index triggers per statement

Revision ID: 0012_pg_speed
Revises: 0009_import

Measured at 100,000 cases (``bench/overview.py --backends sqlite,postgresql``, issue 16):

- ``bibob_case_search_ids`` (migration 0005) returns the ids of the matching cases; the planner
  took its default guess of 1,000 rows and joined them to ``cases`` with a hash join over a
  sequential scan of every case (~190 ms at 100,000 cases, even for a search matching one
  case). Told that a search returns few rows (``ROWS 100``), it looks the matches up by primary
  key instead (a nested loop), which stays fast for large results as well. For an officer it
  now checks each match by key instead of first building the set of all their cases.
- Row-level security on the case tables (``case_parties``, ``timeline_entries``, ...) asked
  ``case_id IN (SELECT bibob_case_ids())``: the officer's 14,000 case ids were collected anew in
  every query that touched such a table (~50 ms each: opening a case took 180 ms as an officer,
  16 ms as a team lead). The policies now ask per row whether the case is readable (the cases
  table's own policy, by primary key); parties likewise through their links, instead of a
  function call per party (~0.9 ms each, 200 per overview window).
- The search-index triggers of migration 0003 rebuilt a case's document once per inserted row:
  once for the case and once for each of its party links. A bulk insert (the register import,
  the demo generator) now rebuilds each affected case once per statement, from the statement's
  transition table; updates and deletes keep their per-row triggers.

SQLite: nothing changes (it has no statement-level triggers; FTS5 plans were fine).
"""

from collections.abc import Sequence

from alembic import op

from bibob_desk.storage import pg_security

revision: str = "0012_pg_speed"
down_revision: str | None = "0009_import"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_COLUMNS = "reference, title, street, house_number, postcode, city, destroyed_at"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The search function (ROWS 100, matches checked by key) and the policies of the case
    # tables and parties in their per-row form (storage/pg_security.py).
    pg_security.refresh_case_rules(op.get_bind())
    op.execute(
        "CREATE FUNCTION bibob_case_search_cases_added() RETURNS trigger AS $$ BEGIN "
        "PERFORM bibob_case_search_refresh(ARRAY(SELECT id FROM added_cases)); "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE FUNCTION bibob_case_search_links_added() RETURNS trigger AS $$ BEGIN "
        "PERFORM bibob_case_search_refresh(ARRAY(SELECT DISTINCT case_id FROM added_links)); "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute("DROP TRIGGER trg_case_search_cases ON cases")
    op.execute(
        f"CREATE TRIGGER trg_case_search_cases AFTER UPDATE OF {CASE_COLUMNS} "
        "ON cases FOR EACH ROW EXECUTE FUNCTION bibob_case_search_cases()"
    )
    op.execute(
        "CREATE TRIGGER trg_case_search_cases_added AFTER INSERT ON cases "
        "REFERENCING NEW TABLE AS added_cases FOR EACH STATEMENT "
        "EXECUTE FUNCTION bibob_case_search_cases_added()"
    )
    op.execute("DROP TRIGGER trg_case_search_links ON case_parties")
    op.execute(
        "CREATE TRIGGER trg_case_search_links AFTER UPDATE OR DELETE ON case_parties "
        "FOR EACH ROW EXECUTE FUNCTION bibob_case_search_links()"
    )
    op.execute(
        "CREATE TRIGGER trg_case_search_links_added AFTER INSERT ON case_parties "
        "REFERENCING NEW TABLE AS added_links FOR EACH STATEMENT "
        "EXECUTE FUNCTION bibob_case_search_links_added()"
    )


def downgrade() -> None:
    # The policies and the search function keep their 0012 form: the same rules, and 0009's
    # code works with them. The triggers and the row estimate go back.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER trg_case_search_links_added ON case_parties")
    op.execute("DROP TRIGGER trg_case_search_links ON case_parties")
    op.execute(
        "CREATE TRIGGER trg_case_search_links AFTER INSERT OR UPDATE OR DELETE ON case_parties "
        "FOR EACH ROW EXECUTE FUNCTION bibob_case_search_links()"
    )
    op.execute("DROP TRIGGER trg_case_search_cases_added ON cases")
    op.execute("DROP TRIGGER trg_case_search_cases ON cases")
    op.execute(
        f"CREATE TRIGGER trg_case_search_cases AFTER INSERT OR UPDATE OF {CASE_COLUMNS} "
        "ON cases FOR EACH ROW EXECUTE FUNCTION bibob_case_search_cases()"
    )
    op.execute("DROP FUNCTION bibob_case_search_links_added()")
    op.execute("DROP FUNCTION bibob_case_search_cases_added()")
    op.execute("ALTER FUNCTION bibob_case_search_ids(text[]) ROWS 1000")
