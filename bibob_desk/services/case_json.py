"""PostgreSQL: a case with its parties, timeline and documents in one statement, as JSON.

Over a network every statement is a round trip. The ORM reads a case in five (the case, its
links, their parties, the timeline, the documents) plus one for the user; this reads all of it,
and whether the user may see the case, in one. Row-level security applies as to any query.
The result is the same ``CaseView`` as ``cases.to_view`` makes (tested on both paths).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bibob_desk.services.access import (
    Viewer,
    case_not_available,
    parse_stored_roles,
    viewer_in_session,
)
from bibob_desk.services.cases import CaseView, DocumentView, PartyView, TimelineView

# Dates, timestamps and amounts as text inside the JSON: exact, and parsed as Python does.
CASE_QUERY = text(
    """
    SELECT u.role AS viewer_roles, u.active AS viewer_active,
        c.id, c.reference, c.title, c.area, c.organisation, c.officer, c.phase,
        c.application_date, c.bouwsom, c.street, c.house_number, c.postcode, c.city,
        c.outcome, c.created_at, c.updated_at, c.version, c.destroyed_at,
        EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c.id AND s.username = u.username)
            AS shared,
        (SELECT coalesce(json_agg(json_build_object(
                'link_id', cp.id, 'party_id', p.id, 'kind', p.kind, 'name', p.name,
                'role', cp.role, 'kvk_number', p.kvk_number, 'birth_date', p.birth_date::text,
                'street', p.street, 'house_number', p.house_number, 'postcode', p.postcode,
                'city', p.city) ORDER BY cp.id), '[]')
         FROM case_parties cp JOIN parties p ON p.id = cp.party_id WHERE cp.case_id = c.id)
            AS parties,
        (SELECT coalesce(json_agg(json_build_object(
                'id', t.id, 'occurred_at', t.occurred_at::text, 'user', t."user",
                'kind', t.kind, 'text', t.text) ORDER BY t.occurred_at, t.id), '[]')
         FROM timeline_entries t WHERE t.case_id = c.id) AS timeline,
        (SELECT coalesce(json_agg(json_build_object(
                'id', d.id, 'doc_type', d.doc_type, 'title', d.title, 'filename', d.filename,
                'status', d.status, 'created_at', d.created_at::text, 'author', d.author)
                ORDER BY d.id), '[]')
         FROM documents d WHERE d.case_id = c.id) AS documents
    FROM users u LEFT JOIN cases c ON c.reference = :reference
    WHERE u.username = :username
    """
)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def load_case_view(session: Session, username: str, reference: str) -> CaseView:
    """The case ``reference`` as ``username`` may see it; the one answer for missing and hidden
    cases (services/access.py), the same refusals for unknown and deactivated users."""
    row = session.execute(CASE_QUERY, {"reference": reference, "username": username}).first()
    if row is None or not row.viewer_active:
        viewer_in_session(session, username)  # raises the refusal with its own message
        raise case_not_available(reference)  # pragma: no cover - viewer_in_session raised
    viewer = Viewer(username, parse_stored_roles(row.viewer_roles))
    if row.id is None or row.destroyed_at is not None:
        raise case_not_available(reference)
    if not (viewer.sees_all_cases or row.officer == username or row.shared):
        raise case_not_available(reference)
    return CaseView(
        id=row.id,
        reference=row.reference,
        title=row.title,
        area=row.area,
        organisation=row.organisation,
        officer=row.officer,
        phase=row.phase,
        application_date=row.application_date,
        bouwsom=Decimal(row.bouwsom) if row.bouwsom is not None else None,
        street=row.street,
        house_number=row.house_number,
        postcode=row.postcode,
        city=row.city,
        outcome=row.outcome,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        parties=tuple(_party(p) for p in row.parties),
        timeline=tuple(
            TimelineView(t["id"], _timestamp(t["occurred_at"]), t["user"], t["kind"], t["text"])
            for t in row.timeline
        ),
        documents=tuple(
            DocumentView(
                d["id"],
                d["doc_type"],
                d["title"],
                d["filename"],
                d["status"],
                _timestamp(d["created_at"]),
                d["author"],
            )
            for d in row.documents
        ),
    )


def _party(p: dict[str, Any]) -> PartyView:
    return PartyView(
        link_id=p["link_id"],
        party_id=p["party_id"],
        kind=p["kind"],
        name=p["name"],
        role=p["role"],
        kvk_number=p["kvk_number"],
        birth_date=_date(p["birth_date"]),
        street=p["street"],
        house_number=p["house_number"],
        postcode=p["postcode"],
        city=p["city"],
    )
