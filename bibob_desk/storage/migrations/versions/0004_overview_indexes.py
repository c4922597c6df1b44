"""indexes for the team-lead overview: filter column + destroyed_at + nearest deadline

Revision ID: 0004_overview_indexes
Revises: 0003_case_search

The overview filters on phase, area, officer or outcome, always leaves out destroyed cases, and
sorts by the nearest deadline. With these composite indexes the database counts and sorts a
filter's cases from the index alone, instead of reading every matching case row (measured at
100,000 cases: a filter on one area went from ~100 ms to a few ms on SQLite).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_overview_indexes"
down_revision: str | None = "0003_case_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("phase", "area", "officer", "outcome")


def upgrade() -> None:
    for name in COLUMNS:
        op.create_index(
            f"ix_cases_overview_{name}",
            "cases",
            [name, "destroyed_at", "nearest_deadline"],
        )


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_index(f"ix_cases_overview_{name}", table_name="cases")
