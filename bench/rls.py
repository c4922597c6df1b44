"""What row-level security costs on PostgreSQL (``python bench/rls.py --cases 20000``).

Needs ``BIBOB_DESK_TEST_PG`` (a superuser URL, as for the tests). Creates a database of its own
with demo cases, login roles with unique names for one medewerker and one team lead, runs the
case-list queries of the application through the services as each of them (RLS applies) and as
the superuser (RLS bypassed: the naive baseline without database-side access rules), and drops
everything again. Each number is the median of 5 runs, measured in this run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bibob_desk.services import demo, users
from bibob_desk.services.cases import CaseFilter, CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from bibob_desk.storage.models import User

RUNS = 5


def median_ms(action: Callable[[], Any]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    args = parser.parse_args()
    admin = os.environ.get("BIBOB_DESK_TEST_PG")
    if not admin:
        print("Zet BIBOB_DESK_TEST_PG (superuser-URL), zoals voor de tests.")
        return 2
    admin_url = make_url(admin).set(drivername="postgresql+psycopg")
    suffix = uuid.uuid4().hex[:6]
    name, prefix = f"bibob_rls_{suffix}", f"br{suffix}"
    officers = tuple(f"{n}_{suffix}" for n in demo.OFFICERS)
    lead = f"h.teamleider_{suffix}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        db = open_database(url, pg_role_prefix=prefix)
        with db.session() as session:
            session.add(User(username="bench", full_name="bench", role="teamleider,beheerder"))
        demo.OFFICERS = officers  # type: ignore[misc]
        users.DEMO_TEAM_LEAD = lead
        started = time.perf_counter()
        demo.generate_demo_cases(AppContext(db, "bench"), args.cases, 1, logins=True)
        print(f"{args.cases} demozaken in {time.perf_counter() - started:.0f} s")
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        officer = officers[0]
        as_role = {
            "superuser (geen RLS)": AppContext(db, "bench"),
            f"teamleider ({lead})": AppContext(
                open_database(make_url(url).set(username=lead).render_as_string(False)), lead
            ),
            f"medewerker ({officer})": AppContext(
                open_database(make_url(url).set(username=officer).render_as_string(False)),
                officer,
            ),
        }
        operations: dict[str, Callable[[CaseService], Any]] = {
            "count()": lambda s: s.count(),
            "list(limit=200, nearest_deadline)": lambda s: s.list(
                limit=200, order_by="nearest_deadline"
            ),
            "list(phase=eigen_onderzoek)": lambda s: s.list(
                CaseFilter(phases=["eigen_onderzoek"]), limit=200
            ),
            "list(search='kanaal')": lambda s: s.list(CaseFilter(search="kanaal"), limit=200),
            "count(search='9401')": lambda s: s.count(CaseFilter(search="9401")),
        }
        print(f"{'bewerking':<36}" + "".join(f"{who:>30}" for who in as_role))
        for label, operation in operations.items():
            cells = []
            for context in as_role.values():
                service = CaseService(context)
                operation(service)  # warm the caches
                cells.append(
                    f"{median_ms(lambda s=service, op=operation: op(s)):>27.1f} ms"  # type: ignore[misc]
                )
            print(f"{label:<36}" + "".join(cells))
        counts = {who: CaseService(c).count() for who, c in as_role.items()}
        print("zaken zichtbaar:", counts)
        # How the server answers a medewerker's plain "select count(*) from cases".
        officer_db = list(as_role.values())[2].db
        with officer_db.engine.connect() as conn:
            plan = conn.execute(text("EXPLAIN ANALYZE SELECT count(*) FROM cases")).scalars()
            print("\nplan (medewerker): select count(*) from cases")
            for line in plan:
                print("   ", line)
        for context in as_role.values():
            if context.db is not db:
                context.db.dispose()
        db.dispose()
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            groups = ("medewerker", "teamleider", "beheerder")
            for role in (*officers, lead, *(f"{prefix}_{g}" for g in groups)):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
