"""Back-ups and restoring them, by hand and on a schedule.

Decisions (see README "Betrouwbaarheid en beveiliging"):

* SQLite: the back-up is an SQLite file made with SQLite's online backup API, so it is consistent
  while officers keep working (readers and writers are not stopped).
* PostgreSQL: the back-up is a portable JSON dump of every Bibob Desk table, read in one
  REPEATABLE READ transaction (a consistent snapshot). We do not depend on ``pg_dump`` being
  installed on a workstation, and the same dump can be restored into SQLite or PostgreSQL.
* Restoring checks the file first (SQLite header, ``PRAGMA integrity_check``, a known Bibob Desk
  schema revision), keeps a safety copy of the current database in the back-up folder, and only
  then replaces the data. An older SQLite back-up is upgraded on a scratch copy first.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    LargeBinary,
    Numeric,
    Table,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bibob_desk.domain.errors import BibobError, PermissionDenied, ValidationError
from bibob_desk.domain.roles import Role
from bibob_desk.services import audit
from bibob_desk.services.access import require_role
from bibob_desk.services.audit import Anchor
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import (
    CorruptDatabaseError,
    Database,
    DatabaseError,
    _copy_sqlite,
    alembic_config,
    check_sqlite_file,
    classify_sqlite_message,
    corrupt_message,
    current_revision,
    database_error_from,
    default_data_dir,
    head_revision,
    make_engine,
    open_database,
    quick_check,
    resolve_database_url,
    sqlite_path,
)
from bibob_desk.storage.files import (
    OutputFileError,
    check_target,
    describe_os_error,
    staged_path,
    write_bytes,
)
from bibob_desk.storage.models import Base, utcnow

DUMP_FORMAT = "bibob-desk-dump"
DUMP_VERSION = 1
AUTO_PREFIX = "bibob-desk-backup-"
_AUTO_NAME = re.compile(r"^bibob-desk-backup-(\d{8}-\d{6})(?:-\d+)?\.(sqlite|json)$")
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(BibobError):
    """A back-up could not be made or a file cannot be restored (Dutch message)."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # "sqlite" or "json"
    revision: str
    cases: int


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_copy: Path | None
    cases: int


# --- making back-ups ----------------------------------------------------------------------


def _known_revisions() -> set[str]:
    # Imported here: the GUI and every command import this module, and Alembic costs ~0.2 s.
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    try:
        return _decode_row(table, row)
    except (ValueError, TypeError, ArithmeticError, binascii.Error) as exc:
        # A hand-edited or damaged dump (a bad date, an amount that is no number): refused.
        raise BackupError(
            f"De back-up is beschadigd: tabel {table.name} bevat een ongeldige waarde ({exc}). "
            "Er is niets gewijzigd."
        ) from exc


def _decode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in row:
            continue
        value = row[column.name]
        if value is not None:
            kind = column.type
            if isinstance(kind, DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, Date):
                value = date.fromisoformat(value)
            elif isinstance(kind, Numeric):
                value = Decimal(value)
            elif isinstance(kind, LargeBinary):
                value = base64.b64decode(value)
            elif isinstance(kind, Boolean):
                value = bool(value)
        out[column.name] = value
    return out


def dump_tables(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = connection.execute(select(table).order_by(*table.primary_key.columns))
        tables[table.name] = [
            {key: _encode(value) for key, value in row._mapping.items()} for row in rows
        ]
    return tables


def _write_json_dump(db: Database, out: Path, *, overwrite: bool = False) -> None:
    """The JSON dump of ``db`` to ``out``, published only when complete (storage/files.py)."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = dump_tables(connection)
            document = {
                "format": DUMP_FORMAT,
                "version": DUMP_VERSION,
                "schema_revision": revision,
                "created_at": utcnow().isoformat(timespec="seconds"),
                # The head of the log in this snapshot (services/audit_anchor.py).
                "audit_anker": _anchor_json(_anchor_of_tables(tables)),
                "tables": tables,
            }
    write_bytes(out, json.dumps(document, ensure_ascii=False).encode("utf-8"), overwrite=overwrite)


def _sqlite_copy(source: Path, out: Path, *, overwrite: bool = False) -> None:
    """SQLite's online backup API into a temporary file beside ``out``, then published.

    The copy is checked with ``PRAGMA integrity_check`` before it gets its name: a damaged
    live database leaves nothing at ``out`` and is reported as damaged itself.
    """
    with staged_path(out, overwrite=overwrite, suffix=".sqlite") as temp:
        try:
            _copy_sqlite(source, temp)
            connection = sqlite3.connect(str(temp))
            try:
                check = connection.execute("PRAGMA integrity_check").fetchone()
            finally:
                connection.close()
        except sqlite3.DatabaseError as exc:
            kind = classify_sqlite_message(str(exc))
            if kind == "corrupt":
                raise CorruptDatabaseError(
                    corrupt_message(source) + " Er is geen back-up gemaakt.", source
                ) from exc
            if kind == "busy":
                raise database_error_from(exc, f"sqlite:///{source}") from exc
            raise BackupError(_write_failure(out, source, exc)) from exc
        if not check or check[0] != "ok":
            raise CorruptDatabaseError(
                corrupt_message(source) + " Er is geen back-up gemaakt.", source
            )


def _write_failure(out: Path, source: Path, exc: BaseException) -> str:
    """Writing the copy failed (the live database was read fine): say what about ``out``."""
    try:
        free = shutil.disk_usage(out.parent).free
        needed = source.stat().st_size
    except OSError:
        free, needed = 0, 1
    if free < needed * 1.1:
        return (
            f"Geen back-up gemaakt: de schijf met {out.parent} is vol (nodig: ongeveer "
            f"{needed // 1_000_000 + 1} MB). Er is niets achtergelaten."
        )
    return (
        f"Geen back-up gemaakt: {out} kon niet worden geschreven ({exc}). Er is niets "
        "achtergelaten."
    )


def write_backup(db: Database, out: Path, *, overwrite: bool = False) -> Path:
    """Write a consistent back-up of ``db`` to ``out`` (no permission check: see callers).

    Refuses an existing ``out`` unless ``overwrite`` (and anything that is not a regular file);
    on any failure nothing is left at ``out``.
    """
    out = out.expanduser()
    check_target(out, overwrite=overwrite)  # bad input (exit 2): exists, a folder, a device
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(describe_os_error(exc, out)) from exc
    try:
        path = sqlite_path(db.url)
        if path is not None:
            _sqlite_copy(path, out, overwrite=overwrite)
        else:
            _write_json_dump(db, out, overwrite=overwrite)
    except OutputFileError as exc:
        raise BackupError(f"Geen back-up gemaakt: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"Geen back-up gemaakt: {describe_os_error(exc, out)}") from exc
    return out


def make_backup(context: AppContext, out: Path, *, overwrite: bool = False) -> BackupInfo:
    """``bibob-desk backup --out FILE``: administrators (and team leads) only; logged.

    The audit entry is written after the back-up file is complete and checked.
    """
    require_role(context, Role.BEHEERDER, Role.TEAMLEIDER)
    with context.db.session() as session:
        # On PostgreSQL row-level security would leave out the cases this role may not see.
        from bibob_desk.storage.pg_security import require_every_case

        require_every_case(session.connection(), "een back-up")
    write_backup(context.db, out, overwrite=overwrite)
    info = inspect_backup(out)
    _after_backup(context, info, automatic=False)
    return info


def _after_backup(context: AppContext, info: BackupInfo, *, automatic: bool) -> None:
    """Only once the back-up exists: its anchor beside it and in the anchor folder, then the
    audit entry (a failed back-up leaves no entry behind)."""
    from bibob_desk.services.audit_anchor import write_anchor_file, write_folder_copy

    anchor = backup_anchor(info.path)
    if info.kind == "sqlite":
        beside = info.path.with_name(info.path.name + ANCHOR_SUFFIX)
        # The anchor in the anchor folder below still holds when this one cannot be written.
        with contextlib.suppress(OSError, ValidationError):
            beside.unlink(missing_ok=True)  # a back-up written over an older one
            write_anchor_file(anchor, beside)
    write_folder_copy(context, anchor)
    with context.db.session() as session:
        detail: dict[str, Any] = {
            "bestand": str(info.path),
            "zaken": info.cases,
            "anker": {"regels": anchor.entry_count, "laatste_regel": anchor.last_id},
        }
        if automatic:
            detail["automatisch"] = True
        audit.record(session, context.user, audit.BACKUP, None, detail)


# --- checking a back-up file --------------------------------------------------------------


def inspect_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is an intact Bibob Desk back-up this version can restore."""
    path = path.expanduser()
    if not path.is_file():
        raise BackupError(f"Het back-upbestand {path} bestaat niet.")
    with path.open("rb") as handle:
        head = handle.read(16)
    if head == SQLITE_HEADER:
        return _inspect_sqlite(path)
    if head.lstrip()[:1] == b"{":
        return _inspect_json(path)
    raise BackupError(f"{path} is geen Bibob Desk-back-up (geen SQLite-database of JSON-dump).")


def _inspect_sqlite(path: Path) -> BackupInfo:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            check = connection.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"Back-up {path} is beschadigd (integriteitscontrole: {check}).")
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "cases", "audit_log"} <= tables:
                raise BackupError(f"{path} is geen Bibob Desk-database.")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Back-up {path} is beschadigd of onleesbaar ({exc}).") from exc
    return BackupInfo(
        path, "sqlite", _known_revision(path, revision[0] if revision else None), cases
    )


def _known_revision(path: Path, revision: str | None) -> str:
    if revision is None or revision not in _known_revisions():
        raise BackupError(
            f"Back-up {path} heeft een onbekende schemaversie ({revision}); hij is gemaakt met "
            "een andere (nieuwere) Bibob Desk."
        )
    return revision


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"Back-up {path} is onleesbaar ({exc}).") from exc
    if (
        not isinstance(document, dict)
        or document.get("format") != DUMP_FORMAT
        or not isinstance(document.get("tables"), dict)
    ):
        raise BackupError(f"{path} is geen Bibob Desk-back-up.")
    return document


def _inspect_json(path: Path) -> BackupInfo:
    document = _read_json(path)
    revision = _known_revision(path, document.get("schema_revision"))
    if revision != head_revision():
        raise BackupError(
            f"Back-up {path} is gemaakt met schemaversie {revision}; deze Bibob Desk kan alleen "
            f"JSON-back-ups van versie {head_revision()} terugzetten."
        )
    tables = document["tables"]
    for table in Base.metadata.sorted_tables:
        rows = tables.get(table.name, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BackupError(f"Back-up {path} is beschadigd (tabel {table.name}).")
    return BackupInfo(path, "json", revision, len(tables.get("cases", [])))


# --- the audit log inside a back-up ---------------------------------------------------------

ANCHOR_SUFFIX = ".anker.json"


def _anchor_json(anchor: Anchor) -> dict[str, Any]:
    from bibob_desk.services.audit_anchor import to_json

    return to_json(anchor)


def _table_rows(tables: dict[str, list[dict[str, Any]]], name: str) -> list[SimpleNamespace]:
    table = Base.metadata.tables[name]
    return [SimpleNamespace(**_decode(table, row)) for row in tables.get(name, [])]


def _dump_database_id(tables: dict[str, list[dict[str, Any]]]) -> str | None:
    from bibob_desk.services.audit_anchor import DATABASE_ID_KEY

    for row in tables.get("database_info", []):
        if row.get("key") == DATABASE_ID_KEY:
            return str(row.get("value"))
    return None


def _anchor_of_tables(tables: dict[str, list[dict[str, Any]]]) -> Anchor:
    heads = _table_rows(tables, "audit_head")
    database = _dump_database_id(tables)
    if not heads:
        return Anchor(0, 0, audit.GENESIS_HASH, utcnow(), database)
    head = heads[0]
    return Anchor(head.entry_count, head.last_id, head.last_hash, utcnow(), database)


def backup_anchor(path: Path) -> Anchor:
    """The head of the audit log inside a back-up file."""
    if inspect_backup(path).kind == "json":
        from bibob_desk.services.audit_anchor import from_json

        return from_json(_read_json(path).get("audit_anker"), path.name)
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        head = connection.execute(
            "SELECT entry_count, last_id, last_hash FROM audit_head WHERE id = 1"
        ).fetchone()
        row = connection.execute(
            "SELECT value FROM database_info WHERE key = 'audit_database_id'"
        ).fetchone()
    finally:
        connection.close()
    database = str(row[0]) if row else None
    if head is None:
        return Anchor(0, 0, audit.GENESIS_HASH, utcnow(), database, path.name)
    return Anchor(int(head[0]), int(head[1]), str(head[2]), utcnow(), database, path.name)


def check_backup_audit(
    info: BackupInfo, tables: dict[str, list[dict[str, Any]]], anchors: Sequence[Anchor] = ()
) -> None:
    """Refuse a back-up whose audit log does not verify: chain and head, the anchor it carries
    (JSON), every anchor of this database it is old enough to hold, its own history (every case
    has its registration entry) and the users' roles as the log last recorded them."""
    rows = sorted(_table_rows(tables, "audit_log"), key=lambda r: r.id)
    heads = _table_rows(tables, "audit_head")
    own = _dump_database_id(tables)
    usable = [
        a
        for a in anchors
        if a.entry_count <= len(rows) and (a.database_id is None or a.database_id == own)
    ]
    if info.kind == "json":
        embedded = _read_json(info.path).get("audit_anker")
        if embedded is not None:
            from bibob_desk.services.audit_anchor import from_json

            try:
                usable.append(from_json(embedded, "het anker in de back-up"))
            except ValidationError as exc:
                raise BackupError(f"Back-up {info.path} is geweigerd: {exc}") from exc
    result = audit._check(rows, heads[0] if heads else None, usable)
    problem = result.problem or _history_problem(tables, rows) or _role_problem(tables, rows)
    if problem is not None:
        raise BackupError(
            f"Back-up {info.path} is geweigerd: het auditlogboek erin klopt niet. {problem.message}"
        )


def _history_problem(
    tables: dict[str, list[dict[str, Any]]], rows: list[SimpleNamespace]
) -> audit.AuditProblem | None:
    cases = [str(c.get("reference")) for c in tables.get("cases", [])]
    users = tables.get("users", [])
    if not rows:
        if cases or users:
            return audit.AuditProblem(
                None,
                f"Het logboek is leeg, maar de back-up bevat {len(cases)} zaken en {len(users)} "
                "gebruikers.",
            )
        return None
    created = {r.case_reference for r in rows if r.action in audit.CASE_CREATING_ACTIONS}
    info = {str(r.get("key")): str(r.get("value")) for r in tables.get("database_info", [])}
    start = audit.history_start(info)
    for case in tables.get("cases", []):
        reference = str(case.get("reference"))
        if int(case.get("id") or 0) > start and reference not in created:
            return audit.AuditProblem(
                None,
                f"Zaak {reference} staat in de back-up, maar haar registratieregel ontbreekt in "
                "het logboek.",
            )
    return None


def _role_problem(
    tables: dict[str, list[dict[str, Any]]], rows: list[SimpleNamespace]
) -> audit.AuditProblem | None:
    """Every user's roles must be what the log last recorded for them (when it did)."""
    logged: dict[str, str] = {}
    for row in rows:
        if row.action not in (audit.USER_ADDED, audit.USER_CHANGED):
            continue
        try:
            detail = json.loads(row.detail)
        except json.JSONDecodeError:
            continue
        if not isinstance(detail, dict) or not isinstance(detail.get("gebruiker"), str):
            continue
        roles = detail.get("rollen")
        if isinstance(roles, str):
            logged[detail["gebruiker"]] = roles
        elif isinstance(roles, list) and len(roles) == 2 and isinstance(roles[1], str):
            logged[detail["gebruiker"]] = roles[1]
    for user in tables.get("users", []):
        name = str(user.get("username"))
        if name in logged and _role_set(logged[name]) != _role_set(str(user.get("role", ""))):
            return audit.AuditProblem(
                None,
                f"Gebruiker {name} heeft in de back-up de rollen '{user.get('role')}', maar "
                f"volgens het logboek '{logged[name]}': de rollen zijn buiten Bibob Desk om "
                "gewijzigd.",
            )
    return None


def _role_set(roles: str) -> frozenset[str]:
    return frozenset(r.strip() for r in roles.split(",") if r.strip())


# --- restoring ----------------------------------------------------------------------------


def _safety_name(folder: Path, stem: str, suffix: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{stem}.voor-terugzetten-{stamp}{suffix}"
    counter = 1
    while target.exists():
        target = folder / f"{stem}.voor-terugzetten-{stamp}-{counter}{suffix}"
        counter += 1
    return target


def _load_rows(connection: Connection, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Replace every Bibob Desk table's rows, in one transaction owned by the caller."""
    for table in reversed(Base.metadata.sorted_tables):
        connection.execute(delete(table))
    for table in Base.metadata.sorted_tables:
        rows = [_decode(table, row) for row in tables.get(table.name, [])]
        for start in range(0, len(rows), 2000):
            connection.execute(insert(table), rows[start : start + 2000])
    if connection.dialect.name == "postgresql":
        for table in Base.metadata.sorted_tables:
            if "id" in table.columns and table.columns["id"].autoincrement is not False:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                    )
                )


def _rows_from_backup(info: BackupInfo, scratch: Path) -> dict[str, list[dict[str, Any]]]:
    if info.kind == "json":
        tables: dict[str, list[dict[str, Any]]] = _read_json(info.path)["tables"]
        return tables
    # An SQLite back-up: upgrade a scratch copy to the current schema, then read its rows.
    copy = scratch / "herstel.sqlite"
    shutil.copyfile(info.path, copy)
    db = open_database(f"sqlite:///{copy}")
    try:
        with db.engine.connect() as connection:
            return dump_tables(connection)
    finally:
        db.dispose()


def restore_backup(
    url: str | None,
    backup_file: Path,
    user: str,
    safety_folder: Path | None = None,
    anchors: Sequence[Anchor] = (),
) -> RestoreResult:
    """Replace the database at ``url`` with the back-up (the caller checked permission).

    The back-up is checked before anything changes, its audit log included
    (``check_backup_audit``); the current database is first saved as a safety copy in the
    back-up folder (also when it is damaged: then as a plain file copy). The restore is the
    restored database's next audit entry.
    """
    info = inspect_backup(backup_file)
    resolved = resolve_database_url(url)
    path = sqlite_path(resolved)
    safety: Path | None = None
    with tempfile.TemporaryDirectory(prefix="bibob-herstel-") as scratch_name:
        scratch = Path(scratch_name)
        check_backup_audit(info, _rows_from_backup(info, scratch), anchors)
        folder = safety_folder or default_backup_folder(resolved)
        if path is not None:
            safety = _restore_sqlite(info, path, scratch, folder)
        else:
            safety = _restore_postgres(info, resolved, scratch, folder)
    db = open_database(resolved)
    try:
        with db.session() as session:
            audit.record(
                session,
                user,
                audit.RESTORE,
                None,
                {"bestand": str(info.path), "veiligheidskopie": str(safety) if safety else None},
            )
    finally:
        db.dispose()
    return RestoreResult(info.path, safety, info.cases)


def _restore_sqlite(info: BackupInfo, path: Path, scratch: Path, folder: Path) -> Path | None:
    folder.mkdir(parents=True, exist_ok=True)
    safety: Path | None = None
    healthy = True
    if path.exists() and path.stat().st_size > 0:
        try:
            check_sqlite_file(path)
        except CorruptDatabaseError:
            healthy = False
        safety = _safety_name(folder, path.stem, path.suffix)
        try:
            if healthy:
                try:
                    _sqlite_copy(path, safety)
                except CorruptDatabaseError:  # damaged inside, though its header reads fine
                    healthy = False
            if not healthy:
                _plain_copy(path, safety)
        except (OSError, OutputFileError, DatabaseError) as exc:
            raise BackupError(
                f"De veiligheidskopie van de huidige database naar {safety} is mislukt: {exc}"
            ) from exc
    # Build the new database completely beside the old one, then swap it in.
    fresh = scratch / "nieuw.sqlite"
    if info.kind == "sqlite":
        shutil.copyfile(info.path, fresh)
        open_database(f"sqlite:///{fresh}").dispose()  # upgrades an older back-up
    else:
        db = open_database(f"sqlite:///{fresh}")
        try:
            with db.engine.begin() as connection:
                _load_rows(connection, _rows_from_backup(info, scratch))
        finally:
            db.dispose()
    if healthy and path.exists():
        # Page by page into the live file: other open connections see the new data safely.
        src = sqlite3.connect(str(fresh))
        try:
            dst = sqlite3.connect(str(path), timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    else:
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.herstel")
        shutil.copyfile(fresh, staged)
        os.replace(staged, path)
    return safety


def _plain_copy(source: Path, target: Path) -> None:
    """A byte copy (a damaged database cannot be read through SQLite), published when whole."""
    with staged_path(target, suffix=source.suffix) as temp:
        shutil.copyfile(source, temp)


def _restore_postgres(info: BackupInfo, url: str, scratch: Path, folder: Path) -> Path | None:
    rows = _rows_from_backup(info, scratch)
    db = open_database(url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        database_name = make_url(url).database or "bibob"
        safety = _safety_name(folder, database_name, ".json")
        _write_json_dump(db, safety)
        with db.engine.begin() as connection:
            _load_rows(connection, rows)
    finally:
        db.dispose()
    return safety


def database_state(url: str | None) -> str:
    """``"ok"``, ``"missing"`` or ``"corrupt"`` for the database at ``url`` (SQLite only checks)."""
    path = sqlite_path(resolve_database_url(url))
    if path is None:
        return "ok"
    if not path.exists() or path.stat().st_size == 0:
        return "missing"
    try:
        check_sqlite_file(path)
    except CorruptDatabaseError:
        return "corrupt"
    if quick_check(path) is not None:  # damage inside (restoring is rare: the full read is fine)
        return "corrupt"
    engine = make_engine(f"sqlite:///{path}")
    try:
        revision = current_revision(engine)
    except DBAPIError as exc:
        kind = classify_sqlite_message(str(exc.orig))
        if kind in ("busy", "full"):  # locked or full is not damaged: say so, change nothing
            raise database_error_from(exc, f"sqlite:///{path}") from exc
        return "corrupt"
    except Exception:  # any other failure to read the revision means: unusable
        return "corrupt"
    finally:
        engine.dispose()
    return "ok" if revision in _known_revisions() else "corrupt"


def newest_good_backup(database: Path) -> Path | None:
    """The newest back-up beside ``database`` that passes its check (scheduled ones first)."""
    folder = database.parent / "backups"
    candidates = [path for _, path in reversed(automatic_backups(folder))]
    candidates += sorted(
        database.parent.glob(f"{database.stem}.voor-*{database.suffix}"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for candidate in candidates[:5]:
        try:
            inspect_backup(candidate)
        except (BackupError, OSError):
            continue
        return candidate
    return None


def users_of_damaged_database(url: str | None) -> set[str] | None:
    """The active users a damaged SQLite file still names, or None when that cannot be read."""
    path = sqlite_path(resolve_database_url(url))
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = connection.execute("SELECT username, active FROM users").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return None
    return {str(name) for name, active in rows if active}


# --- scheduled back-ups -------------------------------------------------------------------


def default_backup_folder(url: str) -> Path:
    """A "backups" folder beside an SQLite file; for a server database, in the user data folder."""
    path = sqlite_path(url)
    if path is not None:
        return path.parent / "backups"
    return default_data_dir() / "backups"


@dataclass(frozen=True)
class BackupSchedule:
    interval_hours: int
    keep: int
    folder: Path


def backup_schedule(context: AppContext) -> BackupSchedule:
    """The ``backup.*`` settings, checked: a wrong value is a Dutch message, not a crash."""
    from bibob_desk.services.settings import SettingsService

    settings = SettingsService(context)
    interval = settings.get("backup.interval_hours")
    keep = settings.get("backup.keep")
    folder = settings.get("backup.folder")
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 0:
        raise ValidationError(
            f"Instelling backup.interval_hours moet een geheel aantal uren (0 = uit) zijn, niet "
            f"'{interval}'.",
            "backup.interval_hours",
        )
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        raise ValidationError(
            f"Instelling backup.keep moet een geheel getal van 1 of meer zijn, niet '{keep}'.",
            "backup.keep",
        )
    if not isinstance(folder, str):
        raise ValidationError("Instelling backup.folder moet een mapnaam zijn.", "backup.folder")
    where = Path(folder).expanduser() if folder.strip() else default_backup_folder(context.db.url)
    return BackupSchedule(interval, keep, where)


def automatic_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The scheduled back-ups in ``folder``, oldest first (other files are left alone)."""
    found: list[tuple[datetime, Path]] = []
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        match = _AUTO_NAME.match(entry.name)
        if match:
            found.append((datetime.strptime(match.group(1), "%Y%m%d-%H%M%S"), entry))
    found.sort()
    return found


def backup_if_due(context: AppContext, now: datetime | None = None) -> Path | None:
    """Make a scheduled back-up when the newest is older than the interval; rotate old ones.

    Called at GUI start and by a timer. Returns the new file, or None when none was due.
    """
    schedule = backup_schedule(context)
    if schedule.interval_hours == 0:
        return None
    moment = now or datetime.now()
    existing = automatic_backups(schedule.folder)
    if existing and moment - existing[-1][0] < timedelta(hours=schedule.interval_hours):
        return None
    from bibob_desk.storage.pg_security import require_every_case

    try:
        with context.db.session() as session:
            # On PostgreSQL an officer's role sees only their own cases: their scheduled dump
            # would look like a back-up and hold a fraction. The team lead's or owner's does it.
            require_every_case(session.connection(), "een back-up")
    except PermissionDenied:
        return None
    suffix = ".sqlite" if sqlite_path(context.db.url) is not None else ".json"
    target = schedule.folder / f"{AUTO_PREFIX}{moment:%Y%m%d-%H%M%S}{suffix}"
    counter = 1
    while target.exists():
        target = schedule.folder / f"{AUTO_PREFIX}{moment:%Y%m%d-%H%M%S}-{counter}{suffix}"
        counter += 1
    write_backup(context.db, target)
    _after_backup(context, inspect_backup(target), automatic=True)
    for _, old in automatic_backups(schedule.folder)[: -schedule.keep]:
        old.unlink(missing_ok=True)
    return target
