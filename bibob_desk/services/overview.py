"""The team lead's overview: all visible cases, windowed, filtered, searched and counted in SQL.

Nothing here loads more rows than asked for: the list is read a window at a time (offset and
limit), counts and aggregates are SQL ``COUNT``/``GROUP BY``, and free-text search goes through
the search index (storage/search.py, the same one CaseService uses). The access rules of
services/access.py apply: a team lead sees every case, an officer only their own and shared ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from bibob_desk.domain.areas import area_label
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.overview import (
    NOT_ASSESSED,
    DeadlineState,
    deadline_kind_label,
    deadline_state,
    outcome_label,
    week_window_end,
)
from bibob_desk.domain.phases import CLOSED_PHASES, PHASE_LABELS, Phase
from bibob_desk.services import audit
from bibob_desk.services.access import (
    Viewer,
    parse_stored_roles,
    viewer_in_session,
    visibility_condition,
)
from bibob_desk.services.cases import applicant_name_column
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import Case, Document, User
from bibob_desk.storage.search import case_search_condition

# Documents that need a team lead's approval before they are final (four-eyes, issue 6).
APPROVAL_DOC_TYPES = ("intern_advies", "besluit")
CLOSED_PHASE_VALUES = tuple(p.value for p in CLOSED_PHASES)
# Listed rather than "not closed" so the database can use the phase index for open cases.
OPEN_PHASE_VALUES = tuple(p.value for p in Phase if p not in CLOSED_PHASES)


@dataclass(frozen=True)
class OverviewFilter:
    """What the overview shows. Empty sequences mean "all"; everything combines with AND."""

    phases: Sequence[str] = ()
    areas: Sequence[str] = ()
    officers: Sequence[str] = ()
    outcomes: Sequence[str] = ()  # Case.outcome codes; "niet_getoetst" = not assessed yet
    deadline_states: Sequence[DeadlineState] = ()
    search: str = ""
    open_only: bool = False


@dataclass(frozen=True)
class OverviewRow:
    id: int
    reference: str
    title: str
    applicant: str
    area: str
    phase: str
    officer: str
    outcome: str | None
    nearest_deadline: date | None
    nearest_deadline_kind: str | None
    deadline_state: DeadlineState

    @property
    def area_label(self) -> str:
        return area_label(self.area)

    @property
    def phase_label(self) -> str:
        try:
            return PHASE_LABELS[Phase(self.phase)]
        except ValueError:
            return self.phase

    @property
    def outcome_label(self) -> str:
        return outcome_label(self.outcome)

    @property
    def deadline_kind_label(self) -> str:
        return deadline_kind_label(self.nearest_deadline_kind)


@dataclass(frozen=True)
class OfficerLoad:
    officer: str
    open_cases: int
    overdue: int
    due_this_week: int


@dataclass(frozen=True)
class ApprovalItem:
    document_id: int
    case_reference: str
    doc_type: str
    title: str
    author: str
    created_at: datetime


@dataclass(frozen=True)
class OverviewSummary:
    """The side panel: open cases only (closed and withdrawn cases need no attention)."""

    open_cases: int
    workload: tuple[OfficerLoad, ...]
    per_area: tuple[tuple[str, int], ...]
    per_outcome: tuple[tuple[str, int], ...]
    per_deadline_state: tuple[tuple[DeadlineState, int], ...]
    awaiting_approval: int


SORT_KEYS: dict[str, Callable[[], Any]] = {
    "reference": lambda: Case.reference,
    "title": lambda: Case.title,
    "applicant": applicant_name_column,
    "area": lambda: Case.area,
    "phase": lambda: Case.phase,
    "officer": lambda: Case.officer,
    "outcome": lambda: Case.outcome,
    "nearest_deadline": lambda: Case.nearest_deadline,
    "application_date": lambda: Case.application_date,
}


NULLABLE_SORT_KEYS = frozenset({"applicant", "outcome", "nearest_deadline"})


def deadline_state_condition(state: DeadlineState, today: date) -> ColumnElement[bool]:
    """The SQL twin of domain.overview.deadline_state, with the same bounds."""
    due = Case.nearest_deadline
    if state is DeadlineState.OVERDUE:
        return due < today
    if state is DeadlineState.THIS_WEEK:
        return and_(due >= today, due <= week_window_end(today))
    if state is DeadlineState.FINE:
        return due > week_window_end(today)
    return due.is_(None)


def overview_conditions(
    overview_filter: OverviewFilter, viewer: Viewer, today: date
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Case.destroyed_at.is_(None),
        visibility_condition(viewer),
    ]
    f = overview_filter
    if f.phases:
        conditions.append(Case.phase.in_(list(f.phases)))
    if f.open_only:
        conditions.append(Case.phase.in_(OPEN_PHASE_VALUES))
    if f.areas:
        conditions.append(Case.area.in_(list(f.areas)))
    if f.officers:
        conditions.append(Case.officer.in_(list(f.officers)))
    if f.outcomes:
        codes = [o for o in f.outcomes if o != NOT_ASSESSED]
        parts: list[ColumnElement[bool]] = []
        if codes:
            parts.append(Case.outcome.in_(codes))
        if NOT_ASSESSED in f.outcomes:
            parts.append(Case.outcome.is_(None))
        conditions.append(or_(*parts) if parts else false())
    if f.deadline_states:
        conditions.append(
            or_(*(deadline_state_condition(DeadlineState(s), today) for s in f.deadline_states))
        )
    if f.search.strip():
        conditions.append(case_search_condition(Case.id, f.search))
    return conditions


class OverviewService:
    """Read-only queries for the overview page and its side panel."""

    def __init__(self, context: AppContext, today: Callable[[], date] = date.today) -> None:
        self.context = context
        self.today = today
        self._last_viewer: Viewer | None = None

    def _viewer(self, session: Session) -> Viewer:
        return viewer_in_session(session, self.context.user)

    def _conditions(self, session: Session, f: OverviewFilter) -> list[ColumnElement[bool]]:
        return overview_conditions(f, self._viewer(session), self.today())

    def count(self, overview_filter: OverviewFilter | None = None) -> int:
        with self.context.db.read_session() as session:
            conditions = self._conditions(session, overview_filter or OverviewFilter())
            query = select(func.count(Case.id)).where(*conditions)
            return int(session.execute(query).scalar_one())

    def rows(
        self,
        overview_filter: OverviewFilter | None = None,
        *,
        offset: int = 0,
        limit: int = 200,
        order_by: str = "reference",
        descending: bool = False,
    ) -> list[OverviewRow]:
        """One window of the list, sorted on any column (ties broken by id, so stable)."""
        return self._window(overview_filter, offset, limit, order_by, descending, False)[1]

    def first_window(
        self,
        overview_filter: OverviewFilter | None = None,
        *,
        limit: int = 200,
        order_by: str = "reference",
        descending: bool = False,
    ) -> tuple[int, list[OverviewRow]]:
        """The number of matching cases and the first window, what a list shows after a reset.

        One statement: over a network every statement is a round trip. With a search the count
        comes from the window itself (``COUNT(*) OVER ()``), so the search index is consulted
        once; without one it is a separate ``COUNT`` in the same statement, answered from the
        indexes (a window count would make the database collect every row before the LIMIT).
        """
        f = overview_filter or OverviewFilter()
        with self.context.db.read_session() as session:
            total, rows = self._window_in(session, f, 0, limit, order_by, descending, True)
            # One log entry per request: the filter or search and the number of cases found.
            with audit.session_for_read_entry(self.context.db, session) as log:
                audit.record_list_view(log, self.context.user, "overzicht", total or 0, f)
        return (total or 0), rows

    def _window(
        self,
        overview_filter: OverviewFilter | None,
        offset: int,
        limit: int,
        order_by: str,
        descending: bool,
        with_total: bool,
    ) -> tuple[int | None, list[OverviewRow]]:
        with self.context.db.read_session() as session:
            return self._window_in(
                session,
                overview_filter or OverviewFilter(),
                offset,
                limit,
                order_by,
                descending,
                with_total,
            )

    def _window_in(
        self,
        session: Session,
        f: OverviewFilter,
        offset: int,
        limit: int,
        order_by: str,
        descending: bool,
        with_total: bool,
    ) -> tuple[int | None, list[OverviewRow]]:
        if order_by not in SORT_KEYS:
            known = ", ".join(SORT_KEYS)
            raise ValidationError(f"Onbekende sorteerkolom '{order_by}'. Kies uit: {known}.")
        today = self.today()
        # The rules of the user's roles as last seen; the statement reads the roles again, so
        # a change (or a deactivation) counts from this request on, without a round trip of
        # its own for the user on every filter change.
        viewer = self._last_viewer or self._viewer(session)
        while True:
            found = session.execute(
                self._window_statement(
                    viewer, f, today, offset, limit, order_by, descending, with_total
                )
            ).all()
            current = self._viewer_in_rows(session, found)
            if current == viewer:
                break
            viewer = current  # roles changed since the last request: ask again with these
        self._last_viewer = viewer
        if not found:
            return (0 if with_total else None), []
        total = int(found[0].total) if with_total else None
        return total, [
            OverviewRow(
                id=r.id,
                reference=r.reference,
                title=r.title,
                applicant=r.applicant or "",
                area=r.area,
                phase=r.phase,
                officer=r.officer,
                outcome=r.outcome,
                nearest_deadline=r.nearest_deadline,
                nearest_deadline_kind=r.nearest_deadline_kind,
                deadline_state=deadline_state(r.nearest_deadline, today),
            )
            for r in found
        ]

    def _viewer_in_rows(self, session: Session, found: Sequence[Any]) -> Viewer:
        """The user's roles as the window's statement read them. Without rows (nothing
        matched, or an unknown user) or for a deactivated user: the usual lookup, which
        refuses unknown and deactivated users with its own message (a refusal leaves the
        remembered roles as they were: the next statement reads them again anyway)."""
        if found and found[0].viewer_active:
            return Viewer(self.context.user, parse_stored_roles(found[0].viewer_role or ""))
        return self._viewer(session)

    def _window_statement(
        self,
        viewer: Viewer,
        f: OverviewFilter,
        today: date,
        offset: int,
        limit: int,
        order_by: str,
        descending: bool,
        with_total: bool,
    ) -> Select[Any]:
        conditions = overview_conditions(f, viewer, today)

        def ordering(entity: Any) -> list[Any]:
            key = getattr(entity, order_by) if order_by != "applicant" else None
            if key is None:
                key = applicant_name_column(entity)
            order = key.desc() if descending else key.asc()
            if order_by in NULLABLE_SORT_KEYS:
                # Empty values last in both directions: the cases that have one come
                # first. (Only where they can occur: NULLS LAST keeps SQLite from reading
                # an index in order, e.g. the unique index on the reference.)
                order = order.nulls_last()
            return [order, entity.id.desc() if descending else entity.id.asc()]

        # The window's ids first, in a subquery (sorting needs only the key), then the
        # details of those ids in the outer query: a sort over rows carrying the applicant
        # subquery would make SQLite evaluate it for every matching case, not only for the
        # window's. Both in one statement.
        columns: list[Any] = [Case.id]
        if with_total and f.search.strip():
            columns.append(func.count().over().label("total"))
        window = (
            select(*columns)
            .where(*conditions)
            .order_by(*ordering(Case))
            .offset(max(offset, 0))
            .limit(max(limit, 0))
            .subquery("w")
        )
        shown = aliased(Case, name="shown")
        total_column: Any
        if not with_total:
            total_column = literal(None).label("total")
        elif f.search.strip():
            total_column = window.c.total
        else:
            total_column = (
                select(func.count(Case.id))
                .where(*conditions)
                .correlate(None)
                .scalar_subquery()
                .label("total")
            )
        me = User.username == self.context.user
        return (
            select(
                shown.id,
                shown.reference,
                shown.title,
                applicant_name_column(shown).label("applicant"),
                shown.area,
                shown.phase,
                shown.officer,
                shown.outcome,
                shown.nearest_deadline,
                shown.nearest_deadline_kind,
                total_column,
                select(User.role).where(me).scalar_subquery().label("viewer_role"),
                select(User.active).where(me).scalar_subquery().label("viewer_active"),
            )
            .join_from(window, shown, shown.id == window.c.id)
            .order_by(*ordering(shown))
        )

    def officers(self) -> list[str]:
        """The officers in the filter list (distinct values straight from the officer index)."""
        with self.context.db.read_session() as session:
            query = (
                select(Case.officer)
                .where(Case.officer != "")
                .where(visibility_condition(self._viewer(session)))
                .distinct()
                .order_by(Case.officer)
            )
            return list(session.execute(query).scalars())

    def summary(self) -> OverviewSummary:
        """The side panel's figures over the open cases.

        One GROUP BY over (officer, area, outcome) with the deadline states summed per group:
        the database reads each open case once; the few hundred groups are added up here.
        """
        today = self.today()
        week_end = week_window_end(today)
        due = Case.nearest_deadline
        with self.context.db.read_session() as session:
            base = self._conditions(session, OverviewFilter(open_only=True))
            groups = session.execute(
                select(
                    Case.officer,
                    Case.area,
                    Case.outcome,
                    func.count(Case.id).label("n"),
                    func.sum(case((due < today, 1), else_=0)).label("overdue"),
                    func.sum(case((and_(due >= today, due <= week_end), 1), else_=0)).label("week"),
                    func.sum(case((due > week_end, 1), else_=0)).label("fine"),
                )
                .where(*base)
                .group_by(Case.officer, Case.area, Case.outcome)
            ).all()
            awaiting = session.execute(
                select(func.count(Document.id)).where(*self._approval_conditions(session))
            ).scalar_one()
        officers: dict[str, list[int]] = {}
        areas: dict[str, int] = {}
        outcomes: dict[str, int] = {}
        states = dict.fromkeys(DeadlineState, 0)
        for g in groups:
            n, overdue, week, fine = (
                int(g.n),
                int(g.overdue or 0),
                int(g.week or 0),
                int(g.fine or 0),
            )
            load = officers.setdefault(g.officer, [0, 0, 0])
            load[0] += n
            load[1] += overdue
            load[2] += week
            areas[g.area] = areas.get(g.area, 0) + n
            key = g.outcome or NOT_ASSESSED
            outcomes[key] = outcomes.get(key, 0) + n
            states[DeadlineState.OVERDUE] += overdue
            states[DeadlineState.THIS_WEEK] += week
            states[DeadlineState.FINE] += fine
            states[DeadlineState.NONE] += n - overdue - week - fine

        def biggest_first(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
            return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

        return OverviewSummary(
            open_cases=sum(areas.values()),
            workload=tuple(
                OfficerLoad(officer, n, overdue, week)
                for officer, (n, overdue, week) in sorted(
                    officers.items(), key=lambda item: (-item[1][0], item[0])
                )
            ),
            per_area=biggest_first(areas),
            per_outcome=biggest_first(outcomes),
            per_deadline_state=tuple(states.items()),
            awaiting_approval=int(awaiting),
        )

    def _approval_conditions(self, session: Session) -> list[ColumnElement[bool]]:
        return [
            Document.case_id == Case.id,
            Document.doc_type.in_(APPROVAL_DOC_TYPES),
            Document.status == "concept",
            Document.approved_by.is_(None),
            Case.destroyed_at.is_(None),
            visibility_condition(self._viewer(session)),
        ]

    def awaiting_approval(self, limit: int = 200) -> list[ApprovalItem]:
        """Intern advies and besluit drafts that no team lead has approved yet, oldest first."""
        with self.context.db.read_session() as session:
            query = (
                select(
                    Document.id,
                    Case.reference,
                    Document.doc_type,
                    Document.title,
                    Document.author,
                    Document.created_at,
                )
                .where(*self._approval_conditions(session))
                .order_by(Document.created_at, Document.id)
                .limit(limit)
            )
            items = [
                ApprovalItem(r.id, r.reference, r.doc_type, r.title, r.author, r.created_at)
                for r in session.execute(query)
            ]
            if items:
                audit.record_list_view(
                    session, self.context.user, "goed te keuren brieven", len(items)
                )
            return items
