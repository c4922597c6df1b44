"""The audit log: one writer, hash-chained so that any edit, deletion or reordering shows.

Each entry's hash covers its own content and the previous entry's hash (SHA-256). Entries are
written inside the caller's transaction, so a change and its log entry commit together. The
``audit_head`` row (id, hash and count of the newest entry) is updated in that same transaction:
the chain shows edited, inserted and reordered rows, the head shows deleted newest rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, insert, select, text, update
from sqlalchemy.orm import Session

from bibob_desk.domain.values import CaseReference
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import Database
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
# Reads (AVG art. 10 and BIO 12.4.1 ask for reads as well as changes): one entry per request.
LIST_VIEW = "lijst_bekijken"  # a list or search result with personal data: filter and count
REPORT_VIEW = "jaarcijfers_bekijken"
RETENTION_VIEW = "vernietigingslijst_bekijken"
AUDIT_VIEW = "auditlog_bekijken"
REFUSED = "geweigerd"  # an attempt the access rules refused: what was tried, and why


# The JSON string encoder json.dumps(..., ensure_ascii=False) uses (the C one where available):
# the payload below is byte for byte json.dumps([...], ensure_ascii=False, separators=(",", ":")),
# built without a new encoder per call (``audit verify`` hashes 100,000 entries).
_quote = json.encoder.encode_basestring


def entry_hash(
    prev_hash: str, at: datetime, user: str, action: str, case_reference: str | None, detail: str
) -> str:
    case = "null" if case_reference is None else _quote(case_reference)
    payload = (
        f"[{_quote(prev_hash)},{_quote(at.isoformat(timespec='microseconds'))},{_quote(user)},"
        f"{_quote(action)},{case},{_quote(detail)}]"
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _detail_text(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)


def _server_appends(session: Session) -> bool:
    """PostgreSQL from revision 0010 on: the server appends (storage/pg_audit.py)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    cached = connection.info.get("bibob_audit_append")
    if cached is None:
        from bibob_desk.storage.pg_audit import has_append_function

        cached = connection.info["bibob_audit_append"] = has_append_function(connection)
    return bool(cached)


@contextmanager
def session_for_read_entry(db: Database, read_session: Session) -> Iterator[Session]:
    """Where to log a read done in ``read_session`` (``Database.read_session``).

    PostgreSQL: that session itself. The server appends the entry in one statement, which in an
    autocommit session commits on its own: one network round trip instead of three (BEGIN,
    append, COMMIT). SQLite: a transaction of its own, since turning a read transaction into a
    write one fails at once (SQLITE_BUSY_SNAPSHOT) when another program wrote in between.
    """
    if _server_appends(read_session):
        yield read_session
        return
    with db.session() as session:
        yield session


def record(
    session: Session,
    user: str,
    action: str,
    case_reference: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one entry and return its id. ``action`` is a short code: bekijken, wijzigen, ...

    On PostgreSQL the server appends it (``bibob_audit_append``): user from session_user, time
    from the server clock, hash computed there. On SQLite the chain is computed here.
    """
    detail_text = _detail_text(detail)
    if _server_appends(session):
        session.flush()
        return int(
            session.execute(
                text("SELECT bibob_audit_append(:user, :action, :case, :detail)"),
                {"user": user, "action": action, "case": case_reference, "detail": detail_text},
            ).scalar_one()
        )
    # Writing the head row first takes the write lock (SQLite) before the previous hash is
    # read, so two writers can never chain onto the same entry.
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
    return entry.id


def describe_filter(value: Any) -> dict[str, Any]:
    """The filter or search of a list request as the log keeps it: the fields that are set."""
    import dataclasses

    if value is None or not dataclasses.is_dataclass(value):
        return {}
    out: dict[str, Any] = {}
    for item in dataclasses.fields(value):
        if item.name == "visible_case_ids":
            continue  # set by the access rules, not by the user
        current = getattr(value, item.name)
        if current in (None, "", (), [], {}, frozenset(), False):
            continue
        if isinstance(current, list | tuple | set | frozenset):
            current = [getattr(v, "value", v) for v in current]
        out[item.name] = current
    return out


def record_list_view(
    session: Session, user: str, what: str, shown: int, request: Any = None, **extra: Any
) -> int:
    """One entry for one list request: which list, the filter or search, how many cases."""
    detail: dict[str, Any] = {"lijst": what, "aantal": shown}
    described = describe_filter(request)
    if described:
        detail["filter"] = described
    detail.update({k: v for k, v in extra.items() if v is not None})
    return record(session, user, LIST_VIEW, None, detail)


def record_refusal(
    context: AppContext, attempted: str, reason: str, case_reference: str | None = None
) -> None:
    """A refused attempt, in a transaction of its own (the refused one is rolled back).

    Never raises: a failure to log must not turn a refusal into another error. Call it where
    no other transaction of this thread is open (SQLite would wait for itself).
    """
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with context.db.session() as session:
            record(
                session,
                context.user,
                REFUSED,
                case_reference,
                {"handeling": attempted, "reden": reason[:300]},
            )
    except SQLAlchemyError:
        pass


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
    if _server_appends(session):
        session.flush()
        session.execute(
            text(
                "SELECT bibob_audit_append_many(:user, CAST(:actions AS text[]), "
                "CAST(:cases AS text[]), CAST(:details AS text[]))"
            ),
            {
                "user": user,
                "actions": [action for action, _, _ in entries],
                "cases": [case for _, case, _ in entries],
                "details": [_detail_text(detail) for _, _, detail in entries],
            },
        )
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
        detail_text = _detail_text(detail)
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
class Anchor:
    """The chain head as it was at one moment, kept outside the database.

    ``entry_count`` entries, the last of which has id ``last_id`` and hash ``last_hash``;
    ``made_at`` is the clock at the moment the anchor was taken (UTC). ``source`` names where the
    anchor was read from, for messages.
    """

    entry_count: int
    last_id: int
    last_hash: str
    made_at: datetime
    database_id: str | None = None
    source: str = ""

    def describe(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return (
            f"anker van {self.made_at:%Y-%m-%d %H:%M} UTC{where}: {self.entry_count} regels, "
            f"laatste regel {self.last_id}"
        )


# Entries after an anchor are written after it was taken. Workstations' clocks differ a little
# (SQLite: every client writes its own time), so an entry may claim a time up to this much
# before the anchor; anything earlier was inserted behind the anchor's back or backdated.
CLOCK_TOLERANCE = timedelta(minutes=10)


@dataclass(frozen=True)
class AuditProblem:
    """The first place where the log is not what was written."""

    entry_id: int | None
    message: str  # Dutch
    anchor: Anchor | None = None


@dataclass(frozen=True)
class AuditVerification:
    entries: int
    problem: AuditProblem | None
    anchors_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check(
    rows: Iterable[Any], head: Any | None, anchors: Sequence[Anchor] = ()
) -> AuditVerification:
    """Walk the chain in id order; rows and head need the attributes of the models only."""
    by_count: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_count.setdefault(anchor.entry_count, []).append(anchor)
    prev_hash = GENESIS_HASH
    prev_id = 0
    count = 0
    matched: Anchor | None = None  # the newest anchor the log agrees with so far
    not_before: datetime | None = None
    checked = len(anchors)

    def fail(entry_id: int | None, message: str, anchor: Anchor | None = None) -> AuditVerification:
        return AuditVerification(count, AuditProblem(entry_id, message, anchor), checked)

    def differs_after(anchor: Anchor) -> str:
        since = (
            f"na regel {matched.last_id} (het {matched.describe()} klopt nog)"
            if matched
            else "vanaf het begin van het logboek"
        )
        return (
            f"Het logboek bevat niet meer wat het {anchor.describe()} vastlegt: regels zijn "
            f"gewijzigd, verwijderd, ingevoegd, verplaatst of de keten is opnieuw berekend. De "
            f"eerste afwijkende regel ligt {since}."
        )

    last_id = head.last_id if head is not None else None
    for row in rows:
        count += 1
        row_id, at, row_hash = row.id, row.at, row.hash
        if last_id is not None and row_id > last_id:
            return fail(
                row_id,
                f"Regel {row_id}: staat na de laatst vastgelegde regel ({last_id}); "
                "deze is buiten Bibob Desk om toegevoegd.",
            )
        if row.prev_hash != prev_hash:
            what = (
                "een eerdere regel is verwijderd of de volgorde is veranderd"
                if prev_id
                else "de eerste regel(s) van het logboek zijn verwijderd"
            )
            return fail(
                row_id, f"Regel {row_id}: de verwijzing naar de vorige regel klopt niet ({what})."
            )
        if row_hash != entry_hash(
            row.prev_hash, at, row.user, row.action, row.case_reference, row.detail
        ):
            return fail(
                row_id,
                f"Regel {row_id}: de inhoud is gewijzigd na het vastleggen "
                f"({at:%Y-%m-%d %H:%M:%S}, {row.user}, {row.action}).",
            )
        if not_before is not None and at < not_before:
            assert matched is not None
            return fail(
                row_id,
                f"Regel {row_id} ({at:%Y-%m-%d %H:%M:%S}, {row.user}, {row.action}) staat na "
                f"het {matched.describe()}, maar is van vóór dat anker: de regel is achteraf "
                "toegevoegd of teruggedateerd.",
                matched,
            )
        for anchor in by_count.get(count, ()) if by_count else ():
            if row_hash != anchor.last_hash or row_id != anchor.last_id:
                first = (matched.last_id + 1) if matched else None
                return fail(first or row_id, differs_after(anchor), anchor)
            if at > anchor.made_at + CLOCK_TOLERANCE:
                return fail(
                    row_id,
                    f"Regel {row_id} is van na het {anchor.describe()}, maar staat ervoor.",
                    anchor,
                )
            if matched is None or anchor.made_at > matched.made_at:
                matched = anchor
                not_before = anchor.made_at - CLOCK_TOLERANCE
        prev_hash = row_hash
        prev_id = row_id
    for anchor in sorted(anchors, key=lambda a: a.entry_count):
        if anchor.entry_count > count:
            missing = anchor.entry_count - count
            what = "het logboek is leeggemaakt" if count == 0 else f"er ontbreken {missing} regels"
            return fail(
                (matched.last_id + 1) if matched else anchor.last_id,
                f"Het logboek telt {count} regels, maar het {anchor.describe()} legt er "
                f"{anchor.entry_count} vast: {what} (verwijderd, of de keten is ingekort). "
                + (
                    f"De eerste ontbrekende of afwijkende regel ligt na regel {matched.last_id}."
                    if matched
                    else "Geen enkel anker komt meer overeen."
                ),
                anchor,
            )
    if head is None:
        if count:
            return fail(None, "Het controlegegeven van het logboek ontbreekt.")
        return AuditVerification(0, None, checked)
    if head.last_hash != prev_hash or head.last_id != prev_id or head.entry_count != count:
        if count < head.entry_count:
            message = (
                f"Na regel {prev_id} ontbreken {head.entry_count - count} regel(s): de laatste "
                f"regel hoort {head.last_id} te zijn."
            )
            return fail(head.last_id, message)
        return fail(
            prev_id or None,
            f"Regel {prev_id}: het logboek eindigt niet bij de laatst vastgelegde regel "
            f"({head.last_id}); er is een regel toegevoegd of verwijderd.",
        )
    return AuditVerification(count, None, checked)


# Actions that create a case: every case in the database must have one in the log.
CASE_CREATING_ACTIONS = (CASE_OPENED, "importeren")
# database_info key (migration 0010): cases up to this id predate registration entries for
# every case and are left out of the history check.
HISTORY_FROM_CASE_KEY = "audit_history_from_case"


def history_start(values: dict[str, str]) -> int:
    """The last case id exempt from the history check, from database_info's key/values."""
    try:
        return max(0, int(values.get(HISTORY_FROM_CASE_KEY, "0")))
    except ValueError:
        return 0


def history_problem(session: Session, entries: int) -> AuditProblem | None:
    """Without anchors: the log must at least be as long as the database's own history.

    An empty log in a database that has users or cases, or a case whose creation entry is
    missing, means entries were removed (or the whole log replaced).
    """
    from bibob_desk.storage.models import User

    if entries == 0:
        users = session.execute(select(func.count()).select_from(User)).scalar_one()
        cases = session.execute(select(func.count()).select_from(Case)).scalar_one()
        if users or cases:
            return AuditProblem(
                None,
                f"Het logboek is leeg, maar de database heeft {cases} zaken en {users} "
                "gebruikers: het logboek is leeggemaakt of vervangen.",
            )
        return None
    created = select(AuditEntry.id).where(
        AuditEntry.case_reference == Case.reference,
        AuditEntry.action.in_(CASE_CREATING_ACTIONS),
    )
    from bibob_desk.storage.models import DatabaseInfo

    info = {
        key: value for key, value in session.execute(select(DatabaseInfo.key, DatabaseInfo.value))
    }
    missing = session.execute(
        select(Case.reference)
        .where(Case.id > history_start(info), ~created.exists())
        .order_by(Case.id)
        .limit(1)
    ).scalar_one_or_none()
    if missing is not None:
        return AuditProblem(
            None,
            f"Zaak {missing} staat in de database, maar de regel waarmee zij is geregistreerd "
            "ontbreekt in het logboek: regels zijn verwijderd of het logboek is vervangen.",
        )
    return None


def verify_log(context: AppContext, anchors: Sequence[Anchor] = ()) -> AuditVerification:
    """Walk the whole chain in id order against the head, every anchor given and the database's
    own history; the first broken entry is named.

    Team leads and administrators only: they read the whole log (on PostgreSQL row-level
    security shows anyone else only their own entries, which would look like a broken chain).
    """
    from bibob_desk.domain.roles import Role
    from bibob_desk.services.access import require_role

    require_role(context, Role.TEAMLEIDER, Role.BEHEERDER)
    with context.db.session() as session:
        head = session.get(AuditHead, HEAD_ID)
        # Core rows, not ORM objects: a third of the time at 100,000 entries.
        rows = session.connection().execute(
            select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.user,
                AuditEntry.action,
                AuditEntry.case_reference,
                AuditEntry.detail,
                AuditEntry.prev_hash,
                AuditEntry.hash,
            )
            .order_by(AuditEntry.id)
            .execution_options(yield_per=5000)
        )
        result = _check(rows, head, anchors)
        if result.ok:
            problem = history_problem(session, result.entries)
            if problem is not None:
                return AuditVerification(result.entries, problem, result.anchors_checked)
        return result


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
    from bibob_desk.domain.errors import PermissionDenied
    from bibob_desk.domain.roles import Role
    from bibob_desk.services.access import require_role

    reference = str(CaseReference.parse(case_reference)) if case_reference is not None else None
    try:
        require_role(context, Role.TEAMLEIDER, Role.BEHEERDER)
    except PermissionDenied as exc:
        record_refusal(context, AUDIT_VIEW, str(exc), reference)
        raise
    query = select(AuditEntry).order_by(AuditEntry.id)
    if reference is not None:
        query = query.where(AuditEntry.case_reference == reference)
    if limit is not None:
        query = query.order_by(None).order_by(AuditEntry.id.desc()).limit(limit)
    with context.db.session() as session:
        rows = list(session.execute(query).scalars())
        # The log names who looked at what: reading it is logged too (after the read).
        record(
            session,
            context.user,
            AUDIT_VIEW,
            reference,
            {"regels": len(rows), **({"limiet": limit} if limit is not None else {})},
        )
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
) -> int:
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
