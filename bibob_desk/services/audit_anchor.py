"""Audit anchors: the chain head written down outside the database.

An anchor is the head of the audit chain at one moment: how many entries, the last one's id and
hash, and the time. Whoever can change the database can recompute the whole chain, but not the
anchors already written elsewhere: in every export's ``*.metadata.json`` (``bibob.audit_anker``,
kept by the document system), in every back-up, daily in the anchor folder (setting
``audit.anchor_folder``, default the back-up folder) and by ``bibob-desk audit anchor``.
``audit verify`` checks the log against all of them (services/audit.py ``_check``).

Anchor files are written with mode 0600; a file that already exists is never overwritten.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bibob_desk.domain.errors import ValidationError
from bibob_desk.services.audit import HEAD_ID, Anchor, AuditVerification, verify_log
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import AuditHead, DatabaseInfo, utcnow

ANCHOR_FORMAT = "bibob-desk-auditanker"
ANCHOR_VERSION = 1
METADATA_KEY = "audit_anker"
DATABASE_ID_KEY = "audit_database_id"
FILE_PREFIX = "bibob-desk-auditanker-"
GENESIS_HASH = "0" * 64


def database_id(session: Session) -> str | None:
    """This database's own id (set by migration 0010), so anchors of another database in a
    shared folder are told apart."""
    row = session.get(DatabaseInfo, DATABASE_ID_KEY)
    return row.value if row is not None else None


def new_database_id() -> str:
    return uuid.uuid4().hex


def current_anchor(session: Session) -> Anchor:
    """The head as it is now (any user may read it; no entry is written)."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        now = connection.execute(text("SELECT clock_timestamp() AT TIME ZONE 'UTC'")).scalar_one()
    else:
        now = utcnow()
    if head is None:
        return Anchor(0, 0, GENESIS_HASH, now, database_id(session))
    return Anchor(head.entry_count, head.last_id, head.last_hash, now, database_id(session))


def to_json(anchor: Anchor) -> dict[str, Any]:
    return {
        "format": ANCHOR_FORMAT,
        "version": ANCHOR_VERSION,
        "database_id": anchor.database_id,
        "entry_count": anchor.entry_count,
        "last_id": anchor.last_id,
        "last_hash": anchor.last_hash,
        "made_at": anchor.made_at.isoformat(timespec="microseconds"),
    }


def from_json(data: Any, source: str) -> Anchor:
    """An anchor from its JSON form; a Dutch ValidationError when it is not one."""
    try:
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            raise ValueError("geen auditanker")
        count = data["entry_count"]
        last_id = data["last_id"]
        last_hash = data["last_hash"]
        if not (isinstance(count, int) and isinstance(last_id, int) and count >= 0):
            raise ValueError("aantal of regelnummer ongeldig")
        if not (isinstance(last_hash, str) and len(last_hash) == 64):
            raise ValueError("hash ongeldig")
        made_at = datetime.fromisoformat(str(data["made_at"])).replace(tzinfo=None)
        database = data.get("database_id")
        return Anchor(
            count, last_id, last_hash, made_at, str(database) if database else None, source
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationError(f"{source} bevat geen geldig auditanker ({exc}).", "anchor") from exc


def read_anchor_file(path: Path) -> Anchor:
    """An anchor file, an exported ``*.metadata.json`` or a JSON back-up (key ``audit_anker``),
    or the ``.anker.json`` beside an SQLite back-up."""
    path = path.expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError(f"Ankerbestand {path} bestaat niet.", "anchor") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(f"Ankerbestand {path} is onleesbaar ({exc}).", "anchor") from exc
    if isinstance(data, dict) and isinstance(data.get("bibob"), dict):
        data = data["bibob"]  # an exported sidecar: the anchor sits with Bibob's own fields
    if isinstance(data, dict) and METADATA_KEY in data:
        data = data[METADATA_KEY]
    return from_json(data, path.name)


def write_anchor_file(anchor: Anchor, out: Path) -> Path:
    """Write once, mode 0600 (the anchor names no one, but it is the log's evidence)."""
    out = out.expanduser()
    if out.is_dir():
        raise ValidationError(f"{out} is een map; geef een bestandsnaam op.", "out")
    out.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(to_json(anchor), ensure_ascii=False, indent=2).encode("utf-8")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ValidationError(
            f"{out} bestaat al; een anker wordt nooit overschreven.", "out"
        ) from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return out


# --- the anchor folder ------------------------------------------------------------------


def anchor_folder(context: AppContext) -> Path:
    """Setting ``audit.anchor_folder``; empty: the back-up folder."""
    from bibob_desk.services.backup import backup_schedule
    from bibob_desk.services.settings import SettingsService

    folder = SettingsService(context).get("audit.anchor_folder")
    if isinstance(folder, str) and folder.strip():
        return Path(folder).expanduser()
    return backup_schedule(context).folder


def folder_anchor_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{FILE_PREFIX}*.json") if p.is_file())


def _free_name(folder: Path, moment: datetime) -> Path:
    target = folder / f"{FILE_PREFIX}{moment:%Y%m%d-%H%M%S}.json"
    counter = 1
    while target.exists():
        target = folder / f"{FILE_PREFIX}{moment:%Y%m%d-%H%M%S}-{counter}.json"
        counter += 1
    return target


def write_anchor(context: AppContext, out: Path | None = None) -> tuple[Anchor, Path]:
    """``bibob-desk audit anchor [--out FILE]``: the head now, to ``out`` or the anchor folder."""
    with context.db.session() as session:
        anchor = current_anchor(session)
    target = out if out is not None else _free_name(anchor_folder(context), datetime.now())
    return anchor, write_anchor_file(anchor, target)


def write_folder_copy(context: AppContext, anchor: Anchor) -> Path | None:
    """A copy of an anchor (of a back-up, say) in the anchor folder; never fails the caller's
    work, which already succeeded."""
    try:
        return write_anchor_file(anchor, _free_name(anchor_folder(context), datetime.now()))
    except (OSError, ValidationError):
        return None


def anchor_if_due(context: AppContext, today: date | None = None) -> Path | None:
    """The daily anchor: written when the folder holds none of this database from today."""
    day = today or datetime.now().date()
    folder = anchor_folder(context)
    with context.db.session() as session:
        own = database_id(session)
    for path in folder_anchor_files(folder):
        if not path.name.startswith(f"{FILE_PREFIX}{day:%Y%m%d}"):
            continue
        try:
            if read_anchor_file(path).database_id == own:
                return None
        except ValidationError:
            continue
    return write_anchor(context)[1]


# --- verifying --------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchoredVerification:
    result: AuditVerification
    anchors: tuple[Anchor, ...]
    folder: Path | None
    other_database: tuple[str, ...]  # folder anchors of another database, skipped
    unreadable: tuple[str, ...]  # folder files that are no anchor, skipped


def collect_anchors(
    context: AppContext, files: Iterable[Path], use_folder: bool = True
) -> tuple[list[Anchor], Path | None, list[str], list[str]]:
    """Every anchor given (an error when one is not an anchor of this database) and every
    anchor in the anchor folder (others skipped, and named)."""
    with context.db.session() as session:
        own = database_id(session)
    anchors: list[Anchor] = []
    for path in files:
        anchor = read_anchor_file(path)
        if anchor.database_id and own and anchor.database_id != own:
            raise ValidationError(
                f"Anker {path} hoort bij een andere database ({anchor.database_id}, deze "
                f"database: {own}).",
                "anchor",
            )
        anchors.append(anchor)
    folder: Path | None = None
    other: list[str] = []
    unreadable: list[str] = []
    if use_folder:
        folder = anchor_folder(context)
        for path in folder_anchor_files(folder):
            try:
                anchor = read_anchor_file(path)
            except ValidationError:
                unreadable.append(path.name)
                continue
            if anchor.database_id != own:
                other.append(path.name)
                continue
            anchors.append(anchor)
    return anchors, folder, other, unreadable


def verify_with_anchors(
    context: AppContext, files: Sequence[Path] = (), use_folder: bool = True
) -> AnchoredVerification:
    anchors, folder, other, unreadable = collect_anchors(context, files, use_folder)
    result = verify_log(context, anchors)
    return AnchoredVerification(result, tuple(anchors), folder, tuple(other), tuple(unreadable))
