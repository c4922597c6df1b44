"""Network round trips of the two things a team member does most, counted on the wire.

Over a LAN or a VPN every round trip costs the network's latency (README, "Team mode"). The
bench's proxy (bench/latency_proxy.py, with no delay) sits between the application and the
server and counts them: a filter change or search on the Overzicht page is the rows (with the
user's current roles in the same statement) and the read's audit entry (appended by the server in
one statement that commits on its own);
opening a case is the case as one JSON statement and its audit entry. Both entries must really
be committed: another connection sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.latency_proxy import LatencyProxy
from bibob_desk.services import audit
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.overview import OverviewFilter, OverviewService
from bibob_desk.services.users import UserService
from bibob_desk.storage.database import Database, open_database
from bibob_desk.storage.models import AuditEntry
from tests.conftest import make_user
from tests.storage.test_pg_security import Roles, _case, roles  # noqa: F401 (fixture)


@pytest.fixture
def proxy(db: Database) -> Iterator[LatencyProxy]:
    url = make_url(db.url)
    forwarder = LatencyProxy(url.host or "127.0.0.1", url.port or 5432, rtt_ms=0)
    forwarder.start()
    yield forwarder
    forwarder.stop()


def trips(proxy: LatencyProxy, action: Callable[[], Any]) -> int:
    """The fewest round trips over three runs: psycopg prepares a statement on its fifth use,
    which costs one extra round trip once per connection."""
    counts = []
    for _ in range(3):
        before = proxy.round_trips
        action()
        counts.append(proxy.round_trips - before)
    return min(counts)


def entries(db: Database, action: str) -> int:
    with db.session() as session:
        query = select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        return int(session.execute(query).scalar_one())


def test_a_search_and_opening_a_case_over_the_network(
    db: Database,
    roles: Roles,  # noqa: F811
    proxy: LatencyProxy,
) -> None:
    make_user(db, "dba", "beheerder")
    admin = UserService(AppContext(db, "dba"))
    officer, lead = roles.name("a.dekker"), roles.name("h.teamleider")
    admin.add(officer, ["medewerker"])
    admin.add(lead, ["teamleider"])
    own = _case(AppContext(db, lead), officer, "Zaak a", "11111111")
    through_proxy = (
        make_url(roles.url(officer))
        .set(host="127.0.0.1", port=proxy.port)
        .render_as_string(hide_password=False)
    )
    remote = open_database(through_proxy)
    roles.databases.append(remote)
    me = AppContext(remote, officer)
    overview, cases = OverviewService(me), CaseService(me)
    for _ in range(6):  # past psycopg's prepare threshold
        overview.first_window(OverviewFilter(search="zaak a"))
        cases.get(own)

    lists, views = entries(db, audit.LIST_VIEW), entries(db, audit.VIEW)
    assert trips(proxy, lambda: overview.first_window(OverviewFilter(search="zaak a"))) == 2
    assert trips(proxy, lambda: overview.first_window(OverviewFilter(phases=["intake"]))) == 2
    assert trips(proxy, lambda: cases.get(own)) == 2
    # Each read left its entry, committed (read here over another connection).
    assert entries(db, audit.LIST_VIEW) == lists + 6
    assert entries(db, audit.VIEW) == views + 3
    assert overview.first_window(OverviewFilter(search="zaak a"))[0] == 1
