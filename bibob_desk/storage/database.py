"""Opening the database: where it lives, engine settings, and upgrading it safely.

SQLite (the embedded default) lives in the user data folder; ``--db URL`` or ``BIBOB_DESK_DB``
points elsewhere, e.g. ``postgresql+psycopg://user@host/bibob`` for a shared team database.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from bibob_desk.domain.errors import BibobError

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a database has to be created or upgraded (or its revision is
# unknown): importing it costs ~0.2 s of every start, and an up-to-date database does not need it.

ENV_VAR = "BIBOB_DESK_DB"
APP_NAME = "bibob-desk"
SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(BibobError):
    """The database cannot be used; the message says why in Dutch."""


class CorruptDatabaseError(DatabaseError):
    """The file at the configured location is damaged or not a Bibob Desk database."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class DatabaseLockedError(DatabaseError):
    """Another program holds a lock on the database longer than busy_timeout ("bezet")."""


class DiskFullError(DatabaseError):
    """The disk (or quota) holding the database is full ("schijf vol")."""


_CORRUPT_WORDS = ("malformed", "not a database", "file is encrypted", "disk image")
_BUSY_WORDS = ("locked", "busy")
_FULL_WORDS = ("database or disk is full", "no space left", "disk quota")


def classify_sqlite_message(message: str) -> str:
    """``"corrupt"``, ``"busy"``, ``"full"`` or ``"other"`` for an SQLite error text."""
    lowered = message.lower()
    if any(word in lowered for word in _FULL_WORDS):
        return "full"
    if any(word in lowered for word in _BUSY_WORDS):
        return "busy"
    if any(word in lowered for word in _CORRUPT_WORDS):
        return "corrupt"
    return "other"


def corrupt_message(path: Path) -> str:
    return (
        f"De database {path} is beschadigd. Er is niets gewijzigd. Zet de nieuwste goede "
        "back-up terug."
    )


def busy_message(shown: str) -> str:
    return (
        f"De database {shown} is bezet door een ander programma. Er is niets verloren "
        "gegaan; probeer het zo opnieuw."
    )


def full_message(shown: str) -> str:
    return (
        f"De schijf met de database {shown} is vol. Er is niets verloren gegaan; maak ruimte "
        "vrij en probeer het opnieuw."
    )


def database_error_from(exc: BaseException, url: str) -> DatabaseError:
    """The Dutch DatabaseError (locked, full, damaged or other) for a driver error."""
    orig = getattr(exc, "orig", None) or exc
    shown = make_url(url).render_as_string(hide_password=True)
    kind = classify_sqlite_message(str(orig))
    path = sqlite_path(url)
    if kind == "busy":
        return DatabaseLockedError(busy_message(shown))
    if kind == "full":
        return DiskFullError(full_message(shown))
    if kind == "corrupt" and path is not None:
        return CorruptDatabaseError(corrupt_message(path), path)
    return DatabaseError(_describe_dbapi_error(orig, url))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'bibob-desk.sqlite'}"


def resolve_database_url(cli_value: str | None = None) -> str:
    """``--db`` beats ``BIBOB_DESK_DB`` beats the user data folder; a bare path means SQLite."""
    value = cli_value or os.environ.get(ENV_VAR) or default_database_url()
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    try:
        url = make_url(value)
        url.get_backend_name()
    except (ArgumentError, ValueError) as exc:  # ValueError: e.g. a port that is not a number
        raise DatabaseError(f"De database-URL '{value}' is ongeldig.") from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"Database '{url.get_backend_name()}' wordt niet ondersteund: gebruik SQLite of "
            "PostgreSQL (postgresql+psycopg://...)."
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return value


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def _set_sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the overview read while an officer writes; busy_timeout waits for a lock
    # instead of failing at once; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# A pooled server connection unused for this long is checked before use (the server may have
# closed it). Checking every checkout would cost a network round trip per unit of work.
IDLE_PING_SECONDS = 30.0


def _ping_when_idle(engine: Engine) -> None:
    """``pool_pre_ping`` only for connections that sat idle in the pool: over a network each
    ping is a round trip, and a connection used a moment ago is alive (if not, the statement
    fails once and the pool drops it, as with any broken connection)."""
    import time

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:  # the pool then opens a fresh connection
            raise DisconnectionError(str(exc)) from exc


def make_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _set_sqlite_pragmas)
        else:
            engine = create_engine(url)
            _ping_when_idle(engine)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:  # ImportError: unknown driver
        raise DatabaseError(f"De database-URL '{url}' is ongeldig: {exc}") from exc
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=\n]*)?=\s*(None|\"[^\"]*\"|'[^']*')\s*$", re.MULTILINE
)


def migration_head_from_files() -> str | None:
    """The head revision read from the migration files' ``revision``/``down_revision`` lines.

    None when the files are not a plain chain (a merge, a tuple, a line not understood): then
    the caller asks Alembic. tests/storage/test_database_start.py compares it with Alembic's.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = dict(
            (name, value.strip("\"'")) for name, value in _REVISION_LINE.findall(path.read_text())
        )
        if "revision" not in found or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"] != "None":
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _stored_revision(engine: Engine) -> tuple[bool, str | None]:
    """(understood, revision) from the alembic_version table without importing Alembic."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return True, None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return (True, rows[0][0]) if len(rows) == 1 else (False, None)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database or whose schema cannot be read.

    This runs on every open, so it stays cheap: the header, then the schema page read through a
    read-only connection (a damaged first page or schema fails there). ``PRAGMA quick_check``
    reads every page (0.5 s on a 220 MB file) and used to run here; the full
    ``PRAGMA integrity_check`` now runs where a damaged file does harm that lasts: on the copy
    ``bibob-desk backup`` writes and on the file ``bibob-desk restore`` reads
    (services/backup.py ``inspect_backup``).
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is een map, geen databasebestand. Kies een bestand.")
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise DatabaseError(f"Het bestand {path} is niet te lezen: {exc.strerror or exc}.") from exc
    if header != b"SQLite format 3\x00":
        raise CorruptDatabaseError(
            f"Het bestand {path} is geen Bibob Desk-database (of is beschadigd). Er is niets "
            "gewijzigd. Kies een ander bestand of zet een back-up terug.",
            path,
        )
    try:
        connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        try:
            # Parsing the whole schema (not only counting it) reads every row of sqlite_master.
            connection.execute("SELECT name, sql FROM sqlite_master").fetchall()
            result = connection.execute("PRAGMA schema_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        kind = classify_sqlite_message(str(exc))
        if kind == "busy":
            raise DatabaseLockedError(busy_message(str(path))) from exc
        if kind == "full":
            raise DiskFullError(full_message(str(path))) from exc
        if kind == "other" and isinstance(exc, sqlite3.OperationalError):
            raise DatabaseError(f"De database {path} is niet te openen: {exc}.") from exc
        raise CorruptDatabaseError(
            f"De database {path} is beschadigd ({exc}). Er is niets gewijzigd. Zet een "
            "back-up terug.",
            path,
        ) from exc
    if not result:
        raise CorruptDatabaseError(
            f"De database {path} is beschadigd (geen schemaversie). Er is niets "
            "gewijzigd. Zet een back-up terug.",
            path,
        )


def quick_check(path: Path) -> str | None:
    """``PRAGMA quick_check`` of an SQLite file: None when sound, else the first problem.

    Reads every page (about 0.3 s per 100 MB): the GUI runs it on a worker thread after start,
    the command line only for commands whose output are figures (``report``, ``audit``).
    A locked or full database raises DatabaseLockedError / DiskFullError, never "damaged".
    """
    try:
        connection = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000
        )
        try:
            rows = connection.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        kind = classify_sqlite_message(str(exc))
        if kind == "busy":
            raise DatabaseLockedError(busy_message(str(path))) from exc
        if kind == "full":
            raise DiskFullError(full_message(str(path))) from exc
        return str(exc)
    if rows and rows[0][0] == "ok":
        return None
    return str(rows[0][0]) if rows else "geen antwoord"


def require_sound(path: Path) -> None:
    """Raise CorruptDatabaseError when ``quick_check`` finds damage in ``path``."""
    problem = quick_check(path)
    if problem is not None:
        raise CorruptDatabaseError(corrupt_message(path), path)


def backup_sqlite_file(path: Path, label: str) -> Path:
    """A consistent copy through SQLite's online backup API (safe while others read or write).

    The copy is written under a temporary name and renamed when complete (storage/files.py),
    so a kill never leaves a half-written copy under the final name.
    """
    from bibob_desk.storage.files import staged_path

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.{label}-{stamp}-{counter}{path.suffix}")
        counter += 1
    with staged_path(target, suffix=path.suffix) as temp:
        _copy_sqlite(path, temp)
    return target


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(str(source), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        destination = sqlite3.connect(str(target))
        try:
            src.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            destination.close()
    finally:
        src.close()


def pre_upgrade_copy(path: Path, revision: str) -> Path:
    """The one copy of ``path`` as it was at ``revision``, made before upgrading it.

    Reused when it already exists and holds that revision (a retried or interrupted upgrade
    does not write another copy); written under a temporary name and then renamed.
    """
    from bibob_desk.storage.files import staged_path

    target = path.with_name(f"{path.stem}.voor-upgrade-{revision}{path.suffix}")
    if target.is_file() and _holds_revision(target, revision):
        return target
    with staged_path(target, overwrite=target.is_file(), suffix=path.suffix) as temp:
        _copy_sqlite(path, temp)
    return target


def _holds_revision(path: Path, revision: str) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and row[0] == revision


@dataclass
class Database:
    """An opened, up-to-date database with a session factory."""

    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    backup_made: Path | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on any error."""
        from sqlalchemy.orm.exc import StaleDataError

        session = self.session_factory()
        try:
            yield session
            session.commit()
        except StaleDataError as exc:
            # Someone else saved the same case or letter first (storage/conflicts.py).
            from bibob_desk.domain.errors import ConflictError
            from bibob_desk.storage.conflicts import describe_conflict, stale_case_ids

            case_ids = stale_case_ids(session)
            session.rollback()
            raise ConflictError(describe_conflict(self.session_factory, case_ids)) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session that only reads. On PostgreSQL each statement runs on its own
        (autocommit): no BEGIN and COMMIT, two network round trips fewer per unit of work. For
        reads whose statements need not share one snapshot (each answer is one statement)."""
        if self.engine.dialect.name != "postgresql":
            with self.session() as session:
                yield session
            return
        session = self.session_factory(
            bind=self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    url: str | None = None, *, upgrade: bool = True, pg_role_prefix: str | None = None
) -> Database:
    """Open (and create or upgrade) the database at ``url``.

    An SQLite file is checked first and backed up before any migration; a database written by a
    newer Bibob Desk is refused rather than touched. On PostgreSQL only the schema owner
    upgrades; ``pg_role_prefix`` names the group roles when the schema is first set up
    (default: ``BIBOB_DESK_PG_ROLE_PREFIX`` or ``bibob``; see storage/pg_security.py).
    """
    resolved = resolve_database_url(url)
    path = sqlite_path(resolved)
    if path is not None:
        check_sqlite_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"De map {path.parent} kan niet worden aangemaakt: {exc}") from exc
        from bibob_desk.storage.files import remove_stale_temporaries

        remove_stale_temporaries(path.parent)  # what a killed back-up or upgrade left
    engine = make_engine(resolved)
    backup: Path | None = None
    try:
        understood, stored = _stored_revision(engine)
        if understood and stored is not None and stored == migration_head_from_files():
            factory = sessionmaker(engine, expire_on_commit=False)
            return Database(resolved, engine, factory, None)  # up to date: the usual start
        from alembic import command
        from alembic.script import ScriptDirectory

        current = current_revision(engine)
        head = head_revision()
        script = ScriptDirectory.from_config(alembic_config())
        known = {rev.revision for rev in script.walk_revisions()}
        if current is not None and current not in known:
            engine.dispose()
            raise DatabaseError(
                "Deze database is gemaakt met een nieuwere versie van Bibob Desk "
                f"(schemaversie {current}). Werk Bibob Desk bij; de database is niet gewijzigd."
            )
        if current is None and _has_foreign_tables(engine):
            engine.dispose()
            raise DatabaseError(
                "Deze database bevat tabellen die niet van Bibob Desk zijn. Kies een lege "
                "database of een Bibob Desk-database; er is niets gewijzigd."
            )
        if current != head:
            if not upgrade:
                raise DatabaseError("De database moet eerst worden bijgewerkt.")
            if path is not None and current is not None and path.exists():
                backup = pre_upgrade_copy(path, current)
            if current is not None and engine.dialect.name == "postgresql":
                _require_schema_owner(engine, resolved)
            if path is not None:
                engine.dispose()
                from bibob_desk.storage.upgrade import upgrade_sqlite

                upgrade_sqlite(resolved, current)
            else:
                with engine.begin() as connection:
                    config = alembic_config()
                    config.attributes["connection"] = connection
                    config.attributes["pg_role_prefix"] = pg_role_prefix
                    command.upgrade(config, "head")
    except DBAPIError as exc:
        engine.dispose()
        raise database_error_from(exc, resolved) from exc
    except (OSError, BibobError) as exc:  # the pre-upgrade copy: a full disk, a read-only folder
        engine.dispose()
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(
            f"De database kon niet worden bijgewerkt: {getattr(exc, 'strerror', None) or exc} "
            "Er is niets gewijzigd."
        ) from exc
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(resolved, engine, factory, backup)


def _require_schema_owner(engine: Engine, url: str) -> None:
    """Migrations run as the owner of the schema; officers' roles own nothing and cannot."""
    from bibob_desk.storage.pg_security import owns_schema

    with engine.connect() as connection:
        if owns_schema(connection):
            return
    engine.dispose()
    shown = make_url(url).render_as_string(hide_password=True)
    raise DatabaseError(
        f"De database {shown} moet worden bijgewerkt naar deze versie van Bibob Desk. Dat doet "
        "de eigenaar van de database (de DBA): start Bibob Desk eenmaal met die rol. Er is "
        "niets gewijzigd."
    )


def _has_foreign_tables(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    return bool(tables - {"alembic_version"})


def _describe_dbapi_error(orig: BaseException, url: str) -> str:
    text = str(orig).lower()
    shown = make_url(url).render_as_string(hide_password=True)
    if "locked" in text or "busy" in text:
        return f"De database {shown} is bezet door een ander programma. Probeer het zo opnieuw."
    if "not a database" in text or "malformed" in text:
        return f"De database {shown} is beschadigd. Zet een back-up terug."
    if "connection" in text or "could not" in text or "does not exist" in text:
        return f"Kan geen verbinding maken met de database {shown}: {orig}"
    return f"Databasefout bij {shown}: {orig}"
