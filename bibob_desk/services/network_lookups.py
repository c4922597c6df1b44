"""The four lookups behind "Bekend uit" and the network view, one answer on both backends.

Each lookup returns numbers and a ``visible`` flag only; a case or tip the viewer may not see
comes back as ``None``. On PostgreSQL they are the SECURITY DEFINER functions of
``storage/pg_network.py`` (row-level security hides other officers' rows from the officer's own
queries); on SQLite the services enforce need-to-know, so the same lookups are plain queries
here with the rule of ``services/access.py``. Both use indexes only: KvK number, date of birth,
both ends of a relation, ``case_parties.party_id``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import BindParameter, and_, bindparam, or_, select, text
from sqlalchemy.orm import Session, aliased

from bibob_desk.services.access import (
    Viewer,
    tip_visibility_condition,
    visibility_condition,
)
from bibob_desk.storage.models import Case, CaseParty, Party, PartyRelation, Tip


def normal_name(name: str) -> str:
    """A name as compared for "the same person": spaces folded, case ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class EdgeRow:
    relation_id: int | None  # None: the relation belongs to a case the viewer may not see
    from_party: int
    to_party: int
    visible: bool


class Lookups(Protocol):
    def same_parties(self, ids: Collection[int]) -> list[tuple[int, int, str]]: ...
    def relations(self, ids: Collection[int]) -> list[EdgeRow]: ...
    def party_cases(
        self, ids: Collection[int], since: date | None
    ) -> list[tuple[int, int | None]]: ...
    def party_tips(
        self, ids: Collection[int], since: date | None
    ) -> list[tuple[int, int | None]]: ...
    def visible_parties(self, ids: Collection[int]) -> set[int]: ...


def lookups_for(session: Session, viewer: Viewer) -> Lookups:
    """PostgreSQL under row-level security: the server's functions. SQLite, or a connection
    that row-level security does not bind (the owner, a superuser): the same rule in Python."""
    if session.get_bind().dialect.name == "postgresql":
        from bibob_desk.storage.pg_security import reads_everything

        if not reads_everything(session.connection()):
            return PgLookups(session)
    return SqlLookups(session, viewer)


_IDS: BindParameter[Any] = bindparam("ids", expanding=True)
_OTHER = aliased(Party)
# Built once: the statements are the same on every call, only the ids differ (SQLAlchemy then
# reuses their compiled form too).
_SAME_KVK = (
    select(Party.id, _OTHER.id)
    .join(_OTHER, and_(_OTHER.kvk_number == Party.kvk_number, _OTHER.id != Party.id))
    .where(Party.id.in_(_IDS), Party.kvk_number.is_not(None))
)
_SAME_BIRTH = (
    select(Party.id, Party.name, _OTHER.id, _OTHER.name)
    .join(_OTHER, and_(_OTHER.birth_date == Party.birth_date, _OTHER.id != Party.id))
    .where(Party.id.in_(_IDS), Party.birth_date.is_not(None))
)
_RELATIONS = (
    select(
        PartyRelation.id,
        PartyRelation.case_id,
        PartyRelation.from_party_id,
        PartyRelation.to_party_id,
    )
    .join(Case, Case.id == PartyRelation.case_id)
    .where(
        Case.destroyed_at.is_(None),
        or_(PartyRelation.from_party_id.in_(_IDS), PartyRelation.to_party_id.in_(_IDS)),
    )
)
_PARTY_CASES = (
    select(CaseParty.party_id, Case.id)
    .join(Case, Case.id == CaseParty.case_id)
    .where(CaseParty.party_id.in_(_IDS), Case.destroyed_at.is_(None))
    .distinct()
)
_SINCE: BindParameter[Any] = bindparam("since")
_PARTY_CASES_SINCE = _PARTY_CASES.where(
    or_(Case.application_date >= _SINCE, Case.decision_date >= _SINCE)
)
_TIPS_BY_KVK = (
    select(Party.id, Tip.id, Tip.received_on)
    .join(Tip, Tip.subject_kvk == Party.kvk_number)
    .where(Party.id.in_(_IDS), Party.kvk_number.is_not(None))
)
_TIPS_BY_BIRTH = (
    select(Party.id, Party.name, Tip.id, Tip.subject_name, Tip.received_on)
    .join(Tip, Tip.subject_birth_date == Party.birth_date)
    .where(Party.id.in_(_IDS), Party.birth_date.is_not(None))
)


class SqlLookups:
    """SQLite (or any backend without row-level security): the rule of services/access.py."""

    def __init__(self, session: Session, viewer: Viewer) -> None:
        # Core statements on the session's connection: no ORM layer per query (they run
        # dozens of times per "Bekend uit").
        self.session = session.connection()
        self.viewer = viewer

    def _visible_case_ids(self, case_ids: Collection[int]) -> set[int]:
        if not case_ids:
            return set()
        if self.viewer.sees_all_cases:
            return set(case_ids)
        rows = self.session.execute(
            select(Case.id).where(Case.id.in_(list(case_ids)), visibility_condition(self.viewer))
        ).scalars()
        return set(rows)

    def same_parties(self, ids: Collection[int]) -> list[tuple[int, int, str]]:
        if not ids:
            return []
        params = {"ids": list(ids)}
        found = [(a, b, "kvk") for a, b in self.session.execute(_SAME_KVK, params).all()]
        found += [
            (a, b, "naam_geboortedatum")
            for a, a_name, b, b_name in self.session.execute(_SAME_BIRTH, params).all()
            if normal_name(a_name) == normal_name(b_name)
        ]
        return found

    def relations(self, ids: Collection[int]) -> list[EdgeRow]:
        if not ids:
            return []
        rows = self.session.execute(_RELATIONS, {"ids": list(ids)}).all()
        visible = self._visible_case_ids({r[1] for r in rows})
        return [
            EdgeRow(r[0] if r[1] in visible else None, r[2], r[3], r[1] in visible) for r in rows
        ]

    def party_cases(self, ids: Collection[int], since: date | None) -> list[tuple[int, int | None]]:
        if not ids:
            return []
        if since is None:
            rows = self.session.execute(_PARTY_CASES, {"ids": list(ids)}).all()
        else:
            rows = self.session.execute(
                _PARTY_CASES_SINCE, {"ids": list(ids), "since": since}
            ).all()
        visible = self._visible_case_ids({case_id for _, case_id in rows})
        return [(party, case_id if case_id in visible else None) for party, case_id in rows]

    def party_tips(self, ids: Collection[int], since: date | None) -> list[tuple[int, int | None]]:
        if not ids:
            return []
        params = {"ids": list(ids)}
        pairs = {
            (p, t)
            for p, t, received in self.session.execute(_TIPS_BY_KVK, params).all()
            if since is None or received >= since
        }
        pairs |= {
            (p, t)
            for p, p_name, t, t_name, received in self.session.execute(_TIPS_BY_BIRTH, params)
            if (since is None or received >= since) and normal_name(p_name) == normal_name(t_name)
        }
        if not pairs:
            return []
        if self.viewer.sees_all_cases:
            return sorted(pairs)
        tip_ids = [t for _, t in pairs]
        seen = set(
            self.session.execute(
                select(Tip.id).where(Tip.id.in_(tip_ids), tip_visibility_condition(self.viewer))
            ).scalars()
        )
        return [(p, t if t in seen else None) for p, t in sorted(pairs)]

    def visible_parties(self, ids: Collection[int]) -> set[int]:
        if not ids:
            return set()
        if self.viewer.sees_all_cases:
            return set(ids)  # no case is hidden from a team lead
        query = _PARTY_CASES.with_only_columns(CaseParty.party_id).distinct()
        if not self.viewer.sees_all_cases:
            query = query.where(visibility_condition(self.viewer))
        return set(self.session.execute(query, {"ids": list(ids)}).scalars())


class PgLookups:
    """PostgreSQL: the SECURITY DEFINER functions of storage/pg_network.py."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def same_parties(self, ids: Collection[int]) -> list[tuple[int, int, str]]:
        if not ids:
            return []
        rows = self.session.execute(
            text("SELECT party_id, other_id, how FROM bibob_same_parties(CAST(:ids AS integer[]))"),
            {"ids": list(ids)},
        ).all()
        return [(a, b, how) for a, b, how in rows]

    def relations(self, ids: Collection[int]) -> list[EdgeRow]:
        if not ids:
            return []
        rows = self.session.execute(
            text(
                "SELECT relation_id, from_party, to_party, visible "
                "FROM bibob_party_relations(CAST(:ids AS integer[]))"
            ),
            {"ids": list(ids)},
        ).all()
        return [EdgeRow(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def party_cases(self, ids: Collection[int], since: date | None) -> list[tuple[int, int | None]]:
        if not ids:
            return []
        rows = self.session.execute(
            text(
                "SELECT party_id, case_id FROM "
                "bibob_party_cases(CAST(:ids AS integer[]), CAST(:since AS date))"
            ),
            {"ids": list(ids), "since": since},
        ).all()
        return [(p, c) for p, c in rows]

    def party_tips(self, ids: Collection[int], since: date | None) -> list[tuple[int, int | None]]:
        if not ids:
            return []
        rows = self.session.execute(
            text(
                "SELECT party_id, tip_id FROM "
                "bibob_party_tips(CAST(:ids AS integer[]), CAST(:since AS date))"
            ),
            {"ids": list(ids), "since": since},
        ).all()
        return [(p, t) for p, t in rows]

    def visible_parties(self, ids: Collection[int]) -> set[int]:
        if not ids:
            return set()
        # Row-level security answers: the parties of the viewer's cases (all for a team lead).
        return set(self.session.execute(select(Party.id).where(Party.id.in_(list(ids)))).scalars())
