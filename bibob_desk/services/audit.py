"""The audit log: one writer, hash-chained so that any edit, deletion or reordering shows.

Each entry's hash covers its own content and the previous entry's hash (SHA-256). Entries are
written inside the caller's transaction, so a change and its log entry commit together.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bibob_desk.storage.models import AuditEntry, utcnow

GENESIS_HASH = "0" * 64


def entry_hash(
    prev_hash: str, at: datetime, user: str, action: str, case_reference: str | None, detail: str
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), user, action, case_reference, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    user: str,
    action: str,
    case_reference: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``action`` is a short code: bekijken, wijzigen, exporteren, ..."""
    # Lock the tail so two writers cannot both chain onto the same previous entry.
    last = session.execute(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1).with_for_update()
    ).scalar_one_or_none()
    prev_hash = last.hash if last else GENESIS_HASH
    at = utcnow()
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    entry = AuditEntry(
        at=at,
        user=user,
        action=action,
        case_reference=case_reference,
        detail=detail_text,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, user, action, case_reference, detail_text),
    )
    session.add(entry)
    session.flush()
    return entry
