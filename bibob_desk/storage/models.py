"""Typed SQLAlchemy 2.x models. The same schema runs on SQLite and PostgreSQL.

Money is NUMERIC(14, 2) (exact euros, never float). Timestamps are naive UTC. Every table that
officers edit concurrently carries a ``version`` column for optimistic locking.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    # One or more of medewerker / teamleider / beheerder, comma separated (migration 0002).
    role: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReferenceCounter(Base):
    """The last sequence number handed out per year: references are never reused."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(40), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    officer: Mapped[str] = mapped_column(String(100), default="", index=True)
    phase: Mapped[str] = mapped_column(String(30), default="intake", index=True)
    application_date: Mapped[date] = mapped_column(Date, index=True)
    bouwsom: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    house_number: Mapped[str] = mapped_column(String(20), default="")
    postcode: Mapped[str | None] = mapped_column(String(7), nullable=True, index=True)
    city: Mapped[str] = mapped_column(String(100), default="")
    risk_tags: Mapped[str] = mapped_column(String(500), default="")  # comma separated codes
    # Outcome of the latest applicability assessment, kept here so lists can filter on it.
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    tip_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    conclusion: Mapped[str | None] = mapped_column(String(30), nullable=True)
    conclusion_grounds: Mapped[str] = mapped_column(String(20), default="")  # e.g. "a,b"
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decision_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_sent_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    decision_period_weeks: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Nearest running deadline, recomputed on every change so the overview can sort on it.
    nearest_deadline: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    nearest_deadline_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    register_consulted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    register_result: Mapped[str] = mapped_column(Text, default="")
    register_reported_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The case's ZAAK in the organisation's Zaken API (ZGW); empty: not known.
    zaak_url: Mapped[str] = mapped_column(String(200), default="", server_default="")
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParty.id"
    )
    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by=lambda: [TimelineEntry.occurred_at, TimelineEntry.id],
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Document.id"
    )


class Party(Base):
    """A natural person or legal entity; one party can appear in many cases."""

    __tablename__ = "parties"
    # No INSERT ... RETURNING (the id is taken from the sequence first): on PostgreSQL a new
    # party is not linked to a case yet when RETURNING would read it back, so the row-level
    # security of parties (storage/pg_security.py) would refuse the read.
    __table_args__ = {"implicit_returning": False}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # natuurlijk_persoon / rechtspersoon
    name: Mapped[str] = mapped_column(String(200), index=True)
    kvk_number: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    # Indexed for "Bekend uit" (name plus date of birth, migration 0011).
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    street: Mapped[str] = mapped_column(String(200), default="")
    house_number: Mapped[str] = mapped_column(String(20), default="")
    postcode: Mapped[str | None] = mapped_column(String(7), nullable=True)
    city: Mapped[str] = mapped_column(String(100), default="")

    roles: Mapped[list[CaseParty]] = relationship(back_populates="party")


class CaseParty(Base):
    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_id", "party_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))

    case: Mapped[Case] = relationship(back_populates="parties")
    party: Mapped[Party] = relationship(back_populates="roles")


class TimelineEntry(Base):
    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(30), default="notitie")  # notitie / gebeurtenis / ...
    text: Mapped[str] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="timeline")


class Document(Base):
    """Metadata of a letter or attachment; a final letter also keeps its PDF bytes."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="concept")  # concept / definitief
    confidentiality: Mapped[str] = mapped_column(String(30), default="vertrouwelijk")
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    body_text: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # Migration 0007: the addressee chosen by id, who changed the text, and a fingerprint of
    # what the approver saw (services/letters.py).
    addressee_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), nullable=True)
    editors: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    approved_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    case: Mapped[Case] = relationship(back_populates="documents")


class CaseDecision(Base):
    """A recorded besluit with its motivation and voorschriften (JSON list of
    ``{"tekst": ..., "termijn": ...}``). Reopening the case marks the row; it is never rewritten.
    """

    __tablename__ = "case_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    motivation: Mapped[str] = mapped_column(Text, default="")
    voorschriften: Mapped[str] = mapped_column(Text, default="[]")
    recorded_by: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reopened_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reopen_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DocumentExport(Base):
    __tablename__ = "document_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    exported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(100), default="")
    path: Mapped[str] = mapped_column(String(1000))  # target "zgw": the document's URL
    sha256: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(10), default="map", server_default="map")


class Assessment(Base):
    """One applicability assessment with its inputs; the history is never rewritten."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    assessed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    assessed_by: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(60))
    reasons: Mapped[str] = mapped_column(Text)  # JSON list of Dutch sentences
    inputs: Mapped[str] = mapped_column(Text)  # JSON of the inputs used
    policy_name: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(40))
    policy_effective_from: Mapped[date] = mapped_column(Date)


class PolicyVersion(Base):
    """A version of the organisation's Bibob policy (beleidsregel, Awb 4:81)."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("organisation", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    content: Mapped[str] = mapped_column(Text)  # the policy document (JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class Suspension(Base):
    """A period during which the decision period is suspended (opschorting), with its reason."""

    __tablename__ = "suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(40))  # lbb_advies / vragenformulier / ...
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    max_end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class Tip(Base):
    """An article 26 tip (or a tip between bestuursorganen), incoming or outgoing."""

    __tablename__ = "tips"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    direction: Mapped[str] = mapped_column(String(10))  # inkomend / uitgaand
    counterpart: Mapped[str] = mapped_column(String(200))
    counterpart_kind: Mapped[str] = mapped_column(String(30), default="om")
    subject_name: Mapped[str] = mapped_column(String(200), index=True)
    subject_kvk: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    subject_birth_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    confidentiality_note: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    follow_up: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseShare(Base):
    """A case shared with an officer other than the responsible one."""

    __tablename__ = "case_shares"
    __table_args__ = (UniqueConstraint("case_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)


class AuditEntry(Base):
    """Append-only, hash-chained log of every view, change, export, approval and destruction."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40), index=True)
    case_reference: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON


class AnonymousCaseCount(Base):
    """What remains of destroyed cases for the annual figures: counts without personal data."""

    __tablename__ = "anonymous_case_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    area: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    conclusion: Mapped[str | None] = mapped_column(String(30), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lbb_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_time_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    destroyed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditHead(Base):
    """The audit log's newest entry, kept beside the chain so a deleted last entry shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry_count: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class ImportedCase(Base):
    """Where an imported case came from: the register's file, sheet and row, and its old number.

    ``import_key`` makes a re-import idempotent (services/register_import.py): the old number
    ("oud kenmerk") when the register has one, else file, sheet and row. ``source_values`` keeps
    the row's cells as text, so a re-import with ``--update`` sees which cells changed.
    """

    __tablename__ = "imported_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    import_key: Mapped[str] = mapped_column(String(400), unique=True)
    old_reference: Mapped[str] = mapped_column(String(100), default="", index=True)
    source_file: Mapped[str] = mapped_column(String(255))
    source_sheet: Mapped[str] = mapped_column(String(100), default="")
    source_row: Mapped[int] = mapped_column(Integer)
    source_values: Mapped[str] = mapped_column(Text, default="{}")  # JSON: column -> cell text
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class DatabaseInfo(Base):
    """Facts about this database itself, not settings: the training mark, the PostgreSQL
    group-role prefix. Written by ``bibob-desk demo`` and the migrations only; no settings
    command reaches this table (on PostgreSQL only the schema owner may write it)."""

    __tablename__ = "database_info"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class PartyRelation(Base):
    """A relation between two parties of one case (art. 3 lid 4 Wet Bibob), e.g. "bestuurder
    van" or "financier van", with its dates, source and note (domain/relations.py).

    It belongs to the case in which it was recorded (need-to-know: row-level security by
    ``case_id``); the parties it joins may appear in other cases too, which is how relations
    reach across cases ("Bekend uit", the network view)."""

    __tablename__ = "party_relations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    from_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    to_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    relation: Mapped[str] = mapped_column(String(30))
    share_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
