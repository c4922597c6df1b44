"""PostgreSQL speed at 100,000 cases: the search function's row estimate, per-row RLS checks

Revision ID: 0012_pg_speed
Revises: 0007_legal

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

SQLite: nothing changes (no row-level security; its FTS5 plans were fine).
"""

from collections.abc import Sequence

from alembic import op

from bibob_desk.storage import pg_security

revision: str = "0012_pg_speed"
down_revision: str | None = "0007_legal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The search function (ROWS 100, matches checked by key) and the policies of the case
    # tables and parties in their per-row form (storage/pg_security.py).
    pg_security.refresh_case_rules(op.get_bind())


def downgrade() -> None:
    # The policies and the search function keep their 0012 form: the same rules, and 0009's
    # code works with them. The row estimate goes back.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER FUNCTION bibob_case_search_ids(text[]) ROWS 1000")
