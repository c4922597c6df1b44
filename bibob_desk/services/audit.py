"""The audit log: one writer, hash-chained so that any edit, deletion or reordering shows.

Each entry's hash covers its own content and the previous entry's hash (SHA-256). Entries are
written inside the caller's transaction, so a change and its log entry commit together. The
``audit_head`` row (id, hash and count of the newest entry) is updated in that same transaction:
the chain shows edited, inserted and reordered rows, the head shows deleted newest rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from bibob_desk.domain.values import CaseReference
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import AuditEntry, AuditHead, Case, TimelineEntry, utcnow

GENESIS_HASH = "0" * 64
HEAD_ID = 1

# Action codes (short Dutch verbs); other services may use their own codes too.
VIEW = "bekijken"
CHANGE = "wijzigen"
PARTY_ADDED = "betrokkene_toevoegen"
PARTY_REMOVED = "betrokkene_verwijderen"
NOTE_ADDED = "notitie_toevoegen"
CASE_OPENED = "registreren"
EXPORT = "exporteren"
APPROVAL = "goedkeuren"
TIP_ACCESS = "tip_inzien"
DESTRUCTION = "vernietigen"
USER_ADDED = "gebruiker_toevoegen"
USER_CHANGED = "gebruiker_wijzigen"
BACKUP = "back-up"
RESTORE = "terugzetten"


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
    if session.get_bind().dialect.name == "postgresql":
        entry = _record_in_two_statements(session, user, action, case_reference, detail)
        if entry is not None:
            return entry
    # Writing the head row first takes the write lock (SQLite) or row lock (PostgreSQL) before
    # the previous hash is read, so two writers can never chain onto the same entry.
    result = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(entry_count=AuditHead.entry_count + 1)
        .execution_options(synchronize_session=False)
    )
    locked = cast(CursorResult[Any], result).rowcount
    if not locked:
        session.add(AuditHead(id=HEAD_ID, entry_count=1, last_id=0, last_hash=GENESIS_HASH))
        session.flush()
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one()
    prev_hash = head.last_hash
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
    head.last_id = entry.id
    head.last_hash = entry.hash
    session.flush()
    return entry


def _record_in_two_statements(
    session: Session,
    user: str,
    action: str,
    case_reference: str | None,
    detail: dict[str, Any] | None,
) -> AuditEntry | None:
    """PostgreSQL: the same entry and head in two statements (two network round trips) instead
    of four: the head is locked and its hash read in one ``UPDATE … RETURNING``; the entry is
    inserted and the head moved on in one statement (a data-modifying ``WITH``). None when
    there is no head row yet (the first entry ever goes the general way)."""
    prev_hash = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(entry_count=AuditHead.entry_count + 1)
        .returning(AuditHead.last_hash)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if prev_hash is None:
        return None
    at = utcnow()
    detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
    digest = entry_hash(prev_hash, at, user, action, case_reference, detail_text)
    values = {
        "at": at,
        "user": user,
        "action": action,
        "case_reference": case_reference,
        "detail": detail_text,
        "prev_hash": prev_hash,
        "hash": digest,
    }
    added = insert(AuditEntry).values(**values).returning(AuditEntry.id).cte("added")
    entry_id = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(last_id=select(added.c.id).scalar_subquery(), last_hash=digest)
        .returning(AuditHead.last_id)
        .add_cte(added)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    # The head may sit in this session's identity map from an earlier entry: refresh on use.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, AuditHead):
            session.expire(obj)
    return AuditEntry(id=entry_id, **values)


def record_many(
    session: Session,
    user: str,
    entries: list[tuple[str, str | None, dict[str, Any]]],
) -> None:
    """Append several entries at once (action, case reference, detail), chained in list order.

    The same chain and head as ``record``, in two statements instead of four per entry: the
    register import writes one entry per imported case, thousands in one go.
    """
    if not entries:
        return
    result = session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(entry_count=AuditHead.entry_count + len(entries))
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], result).rowcount:
        session.add(
            AuditHead(id=HEAD_ID, entry_count=len(entries), last_id=0, last_hash=GENESIS_HASH)
        )
        session.flush()
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).execution_options(populate_existing=True)
    ).scalar_one()
    prev_hash = head.last_hash
    rows: list[dict[str, Any]] = []
    for action, case_reference, detail in entries:
        at = utcnow()
        detail_text = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
        entry = entry_hash(prev_hash, at, user, action, case_reference, detail_text)
        rows.append(
            {
                "at": at,
                "user": user,
                "action": action,
                "case_reference": case_reference,
                "detail": detail_text,
                "prev_hash": prev_hash,
                "hash": entry,
            }
        )
        prev_hash = entry
    # Ids in list order (sort_by_parameter_order), so the chain verifies in id order.
    ids = session.scalars(
        insert(AuditEntry).returning(AuditEntry.id, sort_by_parameter_order=True), rows
    ).all()
    head.last_id = max(ids)
    head.last_hash = prev_hash
    session.flush()


@dataclass(frozen=True)
class AuditProblem:
    """The first place where the log is not what was written."""

    entry_id: int | None
    message: str  # Dutch


@dataclass(frozen=True)
class AuditVerification:
    entries: int
    problem: AuditProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check(rows: Iterator[AuditEntry], head: AuditHead | None) -> AuditVerification:
    prev_hash = GENESIS_HASH
    prev_id = 0
    count = 0
    for row in rows:
        count += 1
        if head is not None and row.id > head.last_id:
            return AuditVerification(
                count,
                AuditProblem(
                    row.id,
                    f"Regel {row.id}: staat na de laatst vastgelegde regel ({head.last_id}); "
                    "deze is buiten Bibob Desk om toegevoegd.",
                ),
            )
        if row.prev_hash != prev_hash:
            what = (
                "een eerdere regel is verwijderd of de volgorde is veranderd"
                if prev_id
                else "de eerste regel(s) van het logboek zijn verwijderd"
            )
            return AuditVerification(
                count,
                AuditProblem(
                    row.id,
                    f"Regel {row.id}: de verwijzing naar de vorige regel klopt niet ({what}).",
                ),
            )
        expected = entry_hash(
            row.prev_hash, row.at, row.user, row.action, row.case_reference, row.detail
        )
        if row.hash != expected:
            return AuditVerification(
                count,
                AuditProblem(
                    row.id,
                    f"Regel {row.id}: de inhoud is gewijzigd na het vastleggen "
                    f"({row.at:%Y-%m-%d %H:%M:%S}, {row.user}, {row.action}).",
                ),
            )
        prev_hash = row.hash
        prev_id = row.id
    if head is None:
        if count:
            return AuditVerification(
                count, AuditProblem(None, "Het controlegegeven van het logboek ontbreekt.")
            )
        return AuditVerification(0, None)
    if head.last_hash != prev_hash or head.last_id != prev_id or head.entry_count != count:
        if count < head.entry_count:
            message = (
                f"Na regel {prev_id} ontbreken {head.entry_count - count} regel(s): de laatste "
                f"regel hoort {head.last_id} te zijn."
            )
            return AuditVerification(count, AuditProblem(head.last_id, message))
        return AuditVerification(
            count,
            AuditProblem(
                prev_id or None,
                f"Regel {prev_id}: het logboek eindigt niet bij de laatst vastgelegde regel "
                f"({head.last_id}); er is een regel toegevoegd of verwijderd.",
            ),
        )
    return AuditVerification(count, None)


def verify_log(context: AppContext) -> AuditVerification:
    """Walk the whole chain in id order; the first broken entry is named.

    Team leads and administrators only: they read the whole log (on PostgreSQL row-level
    security shows anyone else only their own entries, which would look like a broken chain).
    """
    from bibob_desk.domain.roles import Role
    from bibob_desk.services.access import require_role

    require_role(context, Role.TEAMLEIDER, Role.BEHEERDER)
    with context.db.session() as session:
        head = session.get(AuditHead, HEAD_ID)
        rows = session.execute(
            select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)
        ).scalars()
        return _check(iter(rows), head)


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    user: str
    action: str
    case_reference: str | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds"),
            "user": self.user,
            "action": self.action,
            "case": self.case_reference,
            "detail": self.detail,
        }


def _parse_detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"tekst": text}
    return value if isinstance(value, dict) else {"waarde": value}


def list_entries(
    context: AppContext, case_reference: str | None = None, limit: int | None = None
) -> list[AuditView]:
    """The access history of one case (oldest first), or of everything.

    Only team leads and administrators may read the log: it names who looked at what.
    """
    from bibob_desk.domain.roles import Role
    from bibob_desk.services.access import require_role

    require_role(context, Role.TEAMLEIDER, Role.BEHEERDER)
    query = select(AuditEntry).order_by(AuditEntry.id)
    if case_reference is not None:
        query = query.where(AuditEntry.case_reference == str(CaseReference.parse(case_reference)))
    if limit is not None:
        query = query.order_by(None).order_by(AuditEntry.id.desc()).limit(limit)
    with context.db.session() as session:
        rows = list(session.execute(query).scalars())
    rows.sort(key=lambda r: r.id)
    return [
        AuditView(r.id, r.at, r.user, r.action, r.case_reference, _parse_detail(r.detail))
        for r in rows
    ]


def record_case_event(
    session: Session,
    case: Case,
    user: str,
    action: str,
    text: str,
    detail: dict[str, Any] | None = None,
    *,
    timeline_kind: str = "gebeurtenis",
    occurred_at: datetime | None = None,
) -> AuditEntry:
    """What happened to a case, twice: readable on its timeline and tamper-evident in the log."""
    session.add(
        TimelineEntry(
            case_id=case.id,
            user=user,
            kind=timeline_kind,
            text=text,
            occurred_at=occurred_at or utcnow(),
        )
    )
    session.flush()
    return record(session, user, action, case.reference, detail)
