"""case search index: SQLite FTS5 (trigram) or PostgreSQL pg_trgm, kept current by triggers

Revision ID: 0003_case_search
Revises: 0002_security

See bibob_desk/storage/search.py for what a case's search document holds and how it is queried.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_case_search"
down_revision: str | None = "0002_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASE_COLUMNS = "reference, title, street, house_number, postcode, city, destroyed_at"
PARTY_COLUMNS = "name, kvk_number, street, house_number, postcode, city"


def _address(alias: str, nl: str) -> str:
    return (
        f"trim({alias}.street || ' ' || {alias}.house_number) || {nl} || "
        f"coalesce({alias}.postcode, '') || {nl} || "
        f"replace(coalesce({alias}.postcode, ''), ' ', '') || {nl} || {alias}.city"
    )


def _document(nl: str, aggregate: str) -> str:
    """SQL for the document of case ``c``; ``aggregate`` is group_concat / string_agg."""
    parties = (
        f"(SELECT {aggregate}(p.name || {nl} || coalesce(p.kvk_number, '') || {nl} || "
        f"{_address('p', nl)}, {nl}) "
        "FROM case_parties cp JOIN parties p ON p.id = cp.party_id WHERE cp.case_id = c.id)"
    )
    return (
        f"c.reference || {nl} || c.title || {nl} || {_address('c', nl)} || {nl} || "
        f"coalesce({parties}, '')"
    )


SQLITE_DOC = _document("char(10)", "group_concat")
PG_DOC = "lower(" + _document("chr(10)", "string_agg") + ")"


def _sqlite_refresh(ids: str) -> str:
    return (
        f"DELETE FROM case_search_fts WHERE rowid IN ({ids}); "
        f"INSERT INTO case_search_fts (rowid, doc) SELECT c.id, {SQLITE_DOC} FROM cases c "
        f"WHERE c.id IN ({ids}) AND c.destroyed_at IS NULL;"
    )


def _upgrade_sqlite() -> None:
    op.execute("CREATE VIRTUAL TABLE case_search_fts USING fts5(doc, tokenize = 'trigram')")
    op.execute("CREATE VIEW case_search AS SELECT rowid AS case_id, doc FROM case_search_fts")
    triggers = {
        "trg_case_search_cases_ins": f"AFTER INSERT ON cases BEGIN {_sqlite_refresh('NEW.id')} END",
        "trg_case_search_cases_upd": (
            f"AFTER UPDATE OF {CASE_COLUMNS} ON cases BEGIN {_sqlite_refresh('OLD.id, NEW.id')} END"
        ),
        "trg_case_search_cases_del": (
            "AFTER DELETE ON cases BEGIN DELETE FROM case_search_fts WHERE rowid = OLD.id; END"
        ),
        "trg_case_search_links_ins": (
            f"AFTER INSERT ON case_parties BEGIN {_sqlite_refresh('NEW.case_id')} END"
        ),
        "trg_case_search_links_upd": (
            f"AFTER UPDATE ON case_parties BEGIN {_sqlite_refresh('OLD.case_id, NEW.case_id')} END"
        ),
        "trg_case_search_links_del": (
            f"AFTER DELETE ON case_parties BEGIN {_sqlite_refresh('OLD.case_id')} END"
        ),
        "trg_case_search_parties_upd": (
            f"AFTER UPDATE OF {PARTY_COLUMNS} ON parties BEGIN "
            f"{_sqlite_refresh('SELECT case_id FROM case_parties WHERE party_id = NEW.id')} END"
        ),
    }
    for name, body in triggers.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        f"INSERT INTO case_search_fts (rowid, doc) SELECT c.id, {SQLITE_DOC} FROM cases c "
        "WHERE c.destroyed_at IS NULL"
    )


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE TABLE case_search (case_id INTEGER PRIMARY KEY "
        "REFERENCES cases (id) ON DELETE CASCADE, doc TEXT NOT NULL)"
    )
    bind = op.get_bind()
    # pg_trgm ships with PostgreSQL but creating it may need rights the user lacks: then the
    # search still works (a sequential scan of case_search), only slower.
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        bind.execute(
            sa.text(
                "CREATE INDEX ix_case_search_doc_trgm ON case_search USING gin (doc gin_trgm_ops)"
            )
        )
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()
    op.execute(
        "CREATE FUNCTION bibob_case_search_refresh(ids INTEGER[]) RETURNS void AS $$ "
        "DELETE FROM case_search WHERE case_id = ANY(ids); "
        f"INSERT INTO case_search (case_id, doc) SELECT c.id, {PG_DOC} FROM cases c "
        "WHERE c.id = ANY(ids) AND c.destroyed_at IS NULL; "
        "$$ LANGUAGE sql"
    )
    op.execute(
        "CREATE FUNCTION bibob_case_search_cases() RETURNS trigger AS $$ BEGIN "
        "PERFORM bibob_case_search_refresh(ARRAY[NEW.id]); RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE FUNCTION bibob_case_search_links() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP <> 'INSERT' THEN PERFORM bibob_case_search_refresh(ARRAY[OLD.case_id]); END IF; "
        "IF TG_OP <> 'DELETE' THEN PERFORM bibob_case_search_refresh(ARRAY[NEW.case_id]); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE FUNCTION bibob_case_search_parties() RETURNS trigger AS $$ BEGIN "
        "PERFORM bibob_case_search_refresh(ARRAY(SELECT case_id FROM case_parties "
        "WHERE party_id = NEW.id)); RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    # Deleting a case removes its row through ON DELETE CASCADE.
    op.execute(
        f"CREATE TRIGGER trg_case_search_cases AFTER INSERT OR UPDATE OF {CASE_COLUMNS} "
        "ON cases FOR EACH ROW EXECUTE FUNCTION bibob_case_search_cases()"
    )
    op.execute(
        "CREATE TRIGGER trg_case_search_links AFTER INSERT OR UPDATE OR DELETE ON case_parties "
        "FOR EACH ROW EXECUTE FUNCTION bibob_case_search_links()"
    )
    op.execute(
        f"CREATE TRIGGER trg_case_search_parties AFTER UPDATE OF {PARTY_COLUMNS} ON parties "
        "FOR EACH ROW EXECUTE FUNCTION bibob_case_search_parties()"
    )
    op.execute(
        f"INSERT INTO case_search (case_id, doc) SELECT c.id, {PG_DOC} FROM cases c "
        "WHERE c.destroyed_at IS NULL"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in (
            "cases_ins",
            "cases_upd",
            "cases_del",
            "links_ins",
            "links_upd",
            "links_del",
            "parties_upd",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS trg_case_search_{suffix}")
        op.execute("DROP VIEW IF EXISTS case_search")
        op.execute("DROP TABLE IF EXISTS case_search_fts")
        return
    op.execute("DROP TRIGGER IF EXISTS trg_case_search_cases ON cases")
    op.execute("DROP TRIGGER IF EXISTS trg_case_search_links ON case_parties")
    op.execute("DROP TRIGGER IF EXISTS trg_case_search_parties ON parties")
    op.execute("DROP FUNCTION IF EXISTS bibob_case_search_cases()")
    op.execute("DROP FUNCTION IF EXISTS bibob_case_search_links()")
    op.execute("DROP FUNCTION IF EXISTS bibob_case_search_parties()")
    op.execute("DROP FUNCTION IF EXISTS bibob_case_search_refresh(INTEGER[])")
    op.execute("DROP TABLE IF EXISTS case_search")
