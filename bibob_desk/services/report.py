"""Annual figures (jaarcijfers): counted in SQL per year, destroyed cases included anonymously.

Which date puts a figure in a year is set out in domain/annual_figures.py. Only aggregates leave
this module: no names, no references, so the figures may be shared in a jaarverslag.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bibob_desk.domain.annual_figures import AnnualFigures, parse_report_year
from bibob_desk.domain.errors import PermissionDenied
from bibob_desk.domain.roles import Role
from bibob_desk.services import audit
from bibob_desk.services.access import require_role
from bibob_desk.services.context import AppContext
from bibob_desk.storage.models import AnonymousCaseCount, Case, Suspension, Tip

LBB_REASON = "lbb_advies"
WITHDRAWN_PHASE = "ingetrokken"
CLOSED_PHASES = ("gesloten", "ingetrokken")
# How an anonymous count of a destroyed case marks a withdrawn application (its "decision").
ANONYMOUS_WITHDRAWAL_MARKERS = ("ingetrokken", "terugtrekking")

Progress = Callable[[int, int, str], None]
STEPS = (
    "zaken per toepassingsgebied",
    "toetsingen",
    "adviesaanvragen LBB",
    "conclusies",
    "besluiten",
    "terugtrekkingen",
    "tips",
    "doorlooptijden",
    "vernietigde dossiers",
)


def _in_year(column: Any, year: int) -> Any:
    return and_(column >= date(year, 1, 1), column < date(year + 1, 1, 1))


def _grouped(session: Session, key: Any, *conditions: Any) -> dict[str, int]:
    rows = session.execute(select(key, func.count()).where(*conditions).group_by(key))
    return {str(k): int(n) for k, n in rows}


def _add(target: dict[str, int], extra: dict[str, int]) -> dict[str, int]:
    result = dict(target)
    for code, n in extra.items():
        result[code] = result.get(code, 0) + n
    return result


class ReportService:
    def __init__(self, context: AppContext, today: Callable[[], date] = date.today) -> None:
        self.context = context
        self.today = today

    def parse_year(self, text: str | int) -> int:
        return parse_report_year(text, self.today().year)

    def annual_figures(self, year: int | str, progress: Progress | None = None) -> AnnualFigures:
        """The figures of one year. Team leads and administrators only (aggregates, no names)."""
        year = self.parse_year(year)
        try:
            require_role(self.context, Role.TEAMLEIDER, Role.BEHEERDER)
        except PermissionDenied as exc:
            audit.record_refusal(self.context, audit.REPORT_VIEW, str(exc))
            raise

        def step(index: int) -> None:
            if progress is not None:
                progress(index, len(STEPS), STEPS[index] if index < len(STEPS) else "klaar")

        live = Case.destroyed_at.is_(None)
        anon = AnonymousCaseCount
        anon_year = anon.year == year
        with self.context.db.session() as session:
            # On PostgreSQL row-level security would leave out cases: no silent undercount.
            from bibob_desk.storage.pg_security import require_every_case

            require_every_case(session.connection(), "de jaarcijfers")
            step(0)
            intake = (live, _in_year(Case.application_date, year))
            per_area = _add(
                _grouped(session, Case.area, *intake), _grouped(session, anon.area, anon_year)
            )
            step(1)
            outcome_key = func.coalesce(Case.outcome, "niet_getoetst")
            outcomes = _add(
                _grouped(session, outcome_key, *intake),
                _grouped(session, func.coalesce(anon.outcome, "niet_getoetst"), anon_year),
            )
            step(2)
            lbb = session.execute(
                select(func.count(Suspension.id))
                .join(Case, Case.id == Suspension.case_id)
                .where(live, Suspension.reason == LBB_REASON, _in_year(Suspension.start_date, year))
            ).scalar_one()
            lbb += session.execute(
                select(func.count(anon.id)).where(anon_year, anon.lbb_requested.is_(True))
            ).scalar_one()
            step(3)
            conclusion_year = or_(
                _in_year(Case.decision_date, year),
                and_(Case.decision_date.is_(None), _in_year(Case.application_date, year)),
            )
            conclusions = _add(
                _grouped(
                    session, Case.conclusion, live, Case.conclusion.is_not(None), conclusion_year
                ),
                _grouped(session, anon.conclusion, anon_year, anon.conclusion.is_not(None)),
            )
            step(4)
            anon_real_decision = and_(
                anon.decision.is_not(None), anon.decision.not_in(ANONYMOUS_WITHDRAWAL_MARKERS)
            )
            decisions = _add(
                _grouped(
                    session,
                    Case.decision,
                    live,
                    Case.decision.is_not(None),
                    _in_year(Case.decision_date, year),
                ),
                _grouped(session, anon.decision, anon_year, anon_real_decision),
            )
            step(5)
            withdrawals = session.execute(
                select(func.count(Case.id)).where(
                    live,
                    Case.phase == WITHDRAWN_PHASE,
                    or_(
                        _in_year(Case.closed_on, year),
                        and_(Case.closed_on.is_(None), _in_year(Case.application_date, year)),
                    ),
                )
            ).scalar_one()
            withdrawals += session.execute(
                select(func.count(anon.id)).where(
                    anon_year, anon.decision.in_(ANONYMOUS_WITHDRAWAL_MARKERS)
                )
            ).scalar_one()
            step(6)
            tips = _grouped(session, Tip.direction, _in_year(Tip.received_on, year))
            step(7)
            to_decision: list[int] = [
                (decided - applied).days
                for applied, decided in session.execute(
                    select(Case.application_date, Case.decision_date).where(
                        live, _in_year(Case.decision_date, year)
                    )
                )
                if decided is not None
            ]
            to_closure: list[int] = [
                (closed - applied).days
                for applied, closed in session.execute(
                    select(Case.application_date, Case.closed_on).where(
                        live, Case.phase.in_(CLOSED_PHASES), _in_year(Case.closed_on, year)
                    )
                )
                if closed is not None
            ]
            for days, decision in session.execute(
                select(anon.lead_time_days, anon.decision).where(
                    anon_year, anon.lead_time_days.is_not(None)
                )
            ):
                if days is None:
                    continue
                to_closure.append(days)
                if decision is not None and decision not in ANONYMOUS_WITHDRAWAL_MARKERS:
                    to_decision.append(days)
            step(8)
            destroyed = session.execute(select(func.count(anon.id)).where(anon_year)).scalar_one()
            audit.record(session, self.context.user, audit.REPORT_VIEW, None, {"jaar": year})
        step(len(STEPS))
        return AnnualFigures.build(
            year,
            cases_per_area=per_area,
            outcomes=outcomes,
            lbb_requests=int(lbb),
            conclusions=conclusions,
            decisions=decisions,
            withdrawals=int(withdrawals),
            tips=tips,
            lead_time_decision_days=to_decision,
            lead_time_closure_days=to_closure,
            destroyed_cases_included=int(destroyed),
        )
