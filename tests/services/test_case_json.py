"""Opening a case on PostgreSQL in one statement (services/case_json.py): the same CaseView as the
ORM path, the same refusals, row-level security applied, few statements."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, update

from bibob_desk.domain.errors import NotFoundError, PermissionDenied
from bibob_desk.services import audit
from bibob_desk.services.case_json import load_case_view
from bibob_desk.services.cases import CaseService, to_view
from bibob_desk.services.context import AppContext
from bibob_desk.services.demo import generate_demo_cases
from bibob_desk.services.overview import OverviewFilter, OverviewService
from bibob_desk.storage.database import Database
from bibob_desk.storage.models import Case, CaseShare, TimelineEntry, User
from tests.conftest import make_user
from tests.storage.test_pg_security import Roles, _case


@pytest.fixture
def pg(db: Database) -> Database:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("de JSON-weg is er alleen op PostgreSQL")
    return db


class Statements:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


@pytest.fixture
def roles(pg: Database) -> Iterator[Roles]:
    made = Roles(pg)
    yield made
    made.drop()


def test_the_json_case_equals_the_orm_case(pg: Database) -> None:
    context = AppContext(pg, "bench")
    make_user(pg, "bench", "teamleider,medewerker")
    generate_demo_cases(context, 40, seed=5)
    with pg.session() as session:
        # Two timeline entries at the same moment: both paths order them by id.
        first = session.execute(select(Case).order_by(Case.id)).scalars().first()
        assert first is not None
        moment = first.timeline[0].occurred_at
        session.add(
            TimelineEntry(case=first, occurred_at=moment, user="x", kind="notitie", text="b")
        )
        session.execute(update(Case).where(Case.id == first.id).values(bouwsom="1234567.89"))
    service = CaseService(context)
    with pg.session() as session:
        references = list(session.execute(select(Case.reference).order_by(Case.id)).scalars())
        for reference in references:
            expected = to_view(service._load_visible(session, reference))
            assert load_case_view(session, "bench", reference) == expected
    assert service.get(references[0]).bouwsom is not None
    statements = Statements(pg)
    service.get(references[1])
    assert statements.count == 2  # the case as JSON; the audit entry, appended by the server
    assert audit.verify_log(context).ok


def test_the_same_refusals(pg: Database) -> None:
    context = AppContext(pg, "lead")
    make_user(pg, "lead", "teamleider")
    make_user(pg, "a.dekker", "medewerker")
    make_user(pg, "b.jansen", "medewerker")
    make_user(pg, "weg", "medewerker")
    generate_demo_cases(context, 15, seed=2)
    with pg.session() as session:
        cases = list(session.execute(select(Case).order_by(Case.id)).scalars())
        mine = next(c.reference for c in cases if c.officer == "a.dekker")
        other = next(c for c in cases if c.officer != "a.dekker")
        shared = next(c for c in cases if c.officer != "a.dekker" and c is not other)
        session.add(CaseShare(case_id=shared.id, username="a.dekker"))
        session.execute(update(User).where(User.username == "weg").values(active=False))
        other_reference, shared_reference = other.reference, shared.reference
    officer = CaseService(AppContext(pg, "a.dekker"))
    assert officer.get(mine).reference == mine
    assert officer.get(shared_reference).reference == shared_reference
    with pytest.raises(NotFoundError) as hidden:
        officer.get(other_reference)
    with pytest.raises(NotFoundError) as missing:
        officer.get("BIB-2020-9999")
    assert str(hidden.value).replace(other_reference, "X") == str(missing.value).replace(
        "BIB-2020-9999", "X"
    )
    with pytest.raises(PermissionDenied):
        CaseService(AppContext(pg, "weg")).get(mine)
    with pytest.raises(PermissionDenied):
        CaseService(AppContext(pg, "onbekend")).get(mine)


def test_under_row_level_security_as_the_officers_own_role(pg: Database, roles: Roles) -> None:
    from bibob_desk.services.users import UserService

    make_user(pg, "dba", "beheerder")
    admin = UserService(AppContext(pg, "dba"))
    a, b, lead = roles.name("a.dekker"), roles.name("b.jansen"), roles.name("h.teamleider")
    admin.add(a, ["medewerker"])
    admin.add(b, ["medewerker"])
    admin.add(lead, ["teamleider"])
    as_lead = AppContext(pg, lead)
    own = _case(as_lead, a, "Zaak a", "11111111")
    hidden = _case(as_lead, b, "Zaak b", "22222222")
    me = AppContext(roles.open(a), a)
    service = CaseService(me)
    case = service.get(own)
    assert [p.name for p in case.parties] == ["Zaak a B.V."] and case.timeline
    with pytest.raises(NotFoundError):
        service.get(hidden)
    lead_view = CaseService(AppContext(roles.open(lead), lead)).get(hidden)
    assert lead_view.parties[0].kvk_number == "22222222"
    # The overview as the officer's role: one statement for count and window, own cases only.
    overview = OverviewService(me)
    statements = Statements(me.db)
    total, rows = overview.first_window(OverviewFilter(search="b.v."))
    assert (total, [r.reference for r in rows]) == (1, [own])
    # The user (first request only), then count and window together, then the read's audit
    # entry (issue 11).
    assert statements.count == 3
    assert overview.first_window(OverviewFilter())[0] == 1
