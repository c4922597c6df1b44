"""Speed of the team lead's overview at 100,000 cases, on SQLite and PostgreSQL, measured.

    python bench/overview.py [--cases 100000] [--backends sqlite,postgresql] [--pg-url URL]
                             [--rtt-ms 0,10] [--roles teamleider,medewerker]

1. Data: ``bibob-desk demo --cases N --seed 1`` into a cached SQLite file and, with the same
   generator and seed, into a cached PostgreSQL database of its own (bench/bench_data.py). The
   PostgreSQL database has row-level security on (migration 0005): the bench connects as the
   demo's team lead and as one of its officers, each with their own login role, never as the
   owner (the owner bypasses row-level security).
2. Start: spawns the real application (offscreen) and reports the time from process start until
   the main window, opened on the "Overzicht" page (a team lead's landing page), has painted.
3. Overview: in a fresh process, 20 different searches and filter changes through the page's
   widgets, each timed end to end until the view shows its first rows; with the number of SQL
   statements (SQLAlchemy events) and, through the proxy, network round trips per operation.
4. Opening a case: ``CaseService.get`` (what the Zaken page calls) on 10 cases, timed, with its
   statements and round trips.
5. Baseline in the same run (its own process): all rows loaded into a list model behind a
   QSortFilterProxyModel, the same 20 operations with setFilterFixedString /
   setFilterRegularExpression.

``--rtt-ms 10`` runs every PostgreSQL measurement through bench/latency_proxy.py, which adds
5 ms in each direction (a LAN or VPN); ``--rtt-ms 0,10`` measures both. The application, the
baseline and the expected rows share one "today" (the date of the run). Every number printed is
measured in this run; nothing is assumed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_data  # noqa: E402

TARGETS = {
    "local_ms": 50.0,  # PostgreSQL search and filter median, local
    "pg_vs_sqlite": 2.0,  # ... and at most 2x SQLite in the same run
    "rtt_op_ms": 150.0,  # every Overzicht operation at 10 ms RTT
    "rtt_open_ms": 150.0,  # opening a case at 10 ms RTT
    "open_round_trips": 5,
    "rtt_start_s": 2.0,  # start to painted window at 10 ms RTT
    "sqlite_start_s": 1.5,
}


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 / 1024 / 1024 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def child_env(user: str | None) -> dict[str, str]:
    env = bench_data.child_env_base()
    env.pop("BIBOB_DESK_USER", None)
    if user:
        env["BIBOB_DESK_USER"] = user  # SQLite: the training file's user; PostgreSQL: the role
    return env


def connect_url(url: str, rtt_ms: float) -> tuple[str, Any]:
    """``url`` itself, or (PostgreSQL with a delay) the same through a latency proxy started
    in this process, which also counts the round trips."""
    if rtt_ms <= 0 or not url.startswith("postgresql"):
        return url, None
    from latency_proxy import LatencyProxy
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    proxy = LatencyProxy(parsed.host or "127.0.0.1", parsed.port or 5432, rtt_ms)
    port = proxy.start()
    proxied = parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    return proxied, proxy


class Counter:
    """SQL statements (SQLAlchemy events) and round trips (the proxy) of one engine."""

    def __init__(self, engine: Any, proxy: Any) -> None:
        from sqlalchemy import event

        self.statements = 0
        self.proxy = proxy

        def count(*_: Any) -> None:
            self.statements += 1

        event.listen(engine, "before_cursor_execute", count)

    def snapshot(self) -> tuple[int, int | None]:
        return self.statements, (self.proxy.round_trips if self.proxy else None)

    def since(self, before: tuple[int, int | None]) -> tuple[int, int | None]:
        now = self.snapshot()
        trips = None if before[1] is None or now[1] is None else now[1] - before[1]
        return now[0] - before[0], trips


# --- the 20 operations ------------------------------------------------------------------------


def operations(admin_url: str, officer: str) -> list[dict[str, str]]:
    """12 searches and 8 filter changes, with real values from the database (read as its owner,
    so they are the same on both backends)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    with engine.connect() as connection:
        n = connection.execute(text("SELECT COUNT(*) FROM cases")).scalar_one()

        def nth(sql: str, part: int) -> str:
            return str(connection.execute(text(sql), {"offset": n // part}).scalar_one())

        kvk = nth(
            "SELECT kvk_number FROM parties WHERE kvk_number IS NOT NULL ORDER BY id "
            "LIMIT 1 OFFSET :offset",
            2,
        )
        postcode = nth("SELECT postcode FROM cases ORDER BY id LIMIT 1 OFFSET :offset", 7)
        reference = nth("SELECT reference FROM cases ORDER BY id LIMIT 1 OFFSET :offset", 3)
    engine.dispose()
    searches = [
        "bakker",
        "De Vries",
        kvk,
        kvk[:5],
        postcode,
        postcode.replace(" ", "").lower(),
        reference,
        reference[:11],
        "hoofdstraat 12",
        "coevorden",
        "gaming holding",
        "el amrani",
    ]
    ops = [{"kind": "search", "value": s} for s in searches]
    ops += [
        {"kind": "phase", "value": "lbb_advies"},
        {"kind": "phase", "value": "zienswijze"},
        {"kind": "area", "value": "coffeeshop"},
        {"kind": "area", "value": "alcohol"},
        {"kind": "officer", "value": officer},
        {"kind": "outcome", "value": "not_applicable"},
        {"kind": "deadline", "value": "te_laat"},
        {"kind": "deadline", "value": "deze_week"},
    ]
    return ops


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


# --- 2. start-up (child) ----------------------------------------------------------------------


def child_start(db: str, user: str, rtt_ms: float) -> None:
    marks = {"process": time.time()}
    # The application's modules before PySide6, in the order ``bibob-desk`` imports them (cli,
    # then gui.app): every module imported after PySide6 has its source read by shiboken.
    from bibob_desk.gui.app import create_application, open_startup_database
    from bibob_desk.services.access import authenticate
    from bibob_desk.services.context import AppContext

    app = create_application(offscreen=True)
    from PySide6.QtCore import QEvent, QObject, QTimer

    marks["imports"] = time.time()
    url, proxy = connect_url(db, rtt_ms)
    database = open_startup_database(url)
    assert database is not None
    context = AppContext(db=database, user=user)
    authenticate(context)
    marks["database"] = time.time()
    from bibob_desk.gui.main_window import MainWindow

    window = MainWindow(context)
    # The bench user is a team lead: the window itself opens on their landing page.
    assert window.pages.tabText(window.pages.currentIndex()) == "Overzicht"
    marks["window"] = time.time()

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                QTimer.singleShot(0, report)
            return False

    def report() -> None:
        marks["painted"] = time.time()
        wait_for_figures()

    def wait_for_figures() -> None:
        # The side panel's aggregates are read after the first paint: time them as well.
        if not page.side_panel.open_label.text():
            QTimer.singleShot(5, wait_for_figures)
            return
        marks["figures"] = time.time()
        print(
            json.dumps(
                {
                    "painted_at": marks["painted"],
                    "figures_at": marks["figures"],
                    "rss_mb": peak_rss_mb(),
                    "marks": marks,
                    "round_trips": proxy.round_trips if proxy else None,
                }
            )
        )
        sys.stdout.flush()
        app.quit()

    watcher = FirstPaint()
    page: Any = window.page_widgets["Overzicht"]
    page.installEventFilter(watcher)
    window.resize(1400, 850)
    window.show()
    app.exec()
    database.dispose()


def measure_start(target: dict[str, Any], runs: int) -> dict[str, Any]:
    times: list[float] = []
    figures: list[float] = []
    rss: list[float] = []
    trips: list[int] = []
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        started = time.time()
        line = run_child("start", target)
        times.append(line["painted_at"] - started)
        figures.append(line["figures_at"] - started)
        rss.append(line["rss_mb"])
        if line.get("round_trips") is not None:
            trips.append(line["round_trips"])
        marks = line["marks"]
        previous = started
        for name in ("process", "imports", "database", "window", "painted", "figures"):
            phases.setdefault(name, []).append(marks[name] - previous)
            previous = marks[name]
    return {
        "start_s": summarise(times),
        "figures_s": summarise(figures),
        "rss_mb": max(rss),
        "runs": runs,
        "round_trips": statistics.median(trips) if trips else None,
        "phases_s": {k: statistics.median(v) for k, v in phases.items()},
    }


# --- 3. overview page and opening cases (child) -----------------------------------------------


def child_overview(
    db: str, user: str, rounds: int, rtt_ms: float, today: str, ops: list[dict[str, str]]
) -> None:
    from bibob_desk.gui.app import create_application
    from bibob_desk.gui.overview import OverviewPage
    from bibob_desk.services.context import AppContext
    from bibob_desk.storage.database import open_database

    app = create_application(offscreen=True)
    url, proxy = connect_url(db, rtt_ms)
    database = open_database(url)
    counter = Counter(database.engine, proxy)
    context = AppContext(db=database, user=user)
    fixed_today = date.fromisoformat(today)
    building = time.perf_counter()
    page = OverviewPage(context)
    page.service.today = lambda: fixed_today  # the baseline's "today"
    page.resize(1400, 850)
    page.show()
    app.processEvents()
    while not page.side_panel.open_label.text():  # its aggregates are read after the first paint
        app.processEvents()
    page_build_ms = (time.perf_counter() - building) * 1000
    page.open_only_check.setChecked(False)  # all cases, like the baseline
    app.processEvents()
    combos = {
        "phase": page.phase_combo,
        "area": page.area_combo,
        "officer": page.officer_combo,
        "outcome": page.outcome_combo,
        "deadline": page.deadline_combo,
    }
    results = []
    for op in ops:
        if op["kind"] in combos and combos[op["kind"]].findData(op["value"]) < 0:
            results.append({**op, "ms": None, "rows": None})  # e.g. an officer sees no filter
            continue
        samples = [_overview_once(app, page, combos, op, counter) for _ in range(rounds)]
        middle = sorted(samples, key=lambda sample: sample[0])[len(samples) // 2]
        first = page.model.data(page.model.index(0, 0)) if page.model.rowCount() else None
        results.append(
            {
                **op,
                "ms": middle[0],
                "query_ms": middle[1],
                "statements": middle[2],
                "round_trips": middle[3],
                "first_round_ms": samples[0][0],
                "rows": page.model.total,
                "first": first,
            }
        )
    opened = _open_cases(context, counter, page)
    print(
        json.dumps(
            {
                "results": results,
                "open": opened,
                "rss_mb": peak_rss_mb(),
                "page_build_ms": page_build_ms,
            }
        ),
        flush=True,
    )
    database.dispose()


def _overview_once(
    app: Any, page: Any, combos: dict[str, Any], op: dict[str, str], counter: Counter
) -> tuple[float, float, int, int | None]:
    """One operation from the neutral view: (end-to-end ms, query + model reset ms, statements,
    round trips)."""
    # Back to the neutral view first (not timed).
    page.search_edit.blockSignals(True)
    page.search_edit.clear()
    page.search_edit.blockSignals(False)
    for combo in combos.values():
        combo.blockSignals(True)
        combo.setCurrentIndex(0)
        combo.blockSignals(False)
    page.apply_filter()
    app.processEvents()
    before = counter.snapshot()
    started = time.perf_counter()
    if op["kind"] == "search":
        page.search_edit.blockSignals(True)  # no debounce timer: time the query itself
        page.search_edit.setText(op["value"])
        page.search_edit.blockSignals(False)
        page.apply_filter()
    else:
        combo = combos[op["kind"]]
        combo.setCurrentIndex(combo.findData(op["value"]))  # applies the filter at once
    queried = time.perf_counter()
    app.processEvents()
    elapsed = time.perf_counter() - started
    statements, trips = counter.since(before)
    return elapsed * 1000, (queried - started) * 1000, statements, trips


def _open_cases(context: Any, counter: Counter, page: Any) -> dict[str, Any]:
    """``CaseService.get`` (the Zaken page opening a case) on 10 of the visible cases."""
    from bibob_desk.services.cases import CaseService

    service = CaseService(context)
    _, rows = page.service.first_window(limit=200, order_by="reference")
    references = [r.reference for r in rows[:: max(1, len(rows) // 10)]][:10]
    service.get(references[0])  # warm the ORM's caches
    times: list[float] = []
    statements: list[int] = []
    trips: list[int] = []
    parties = timeline = 0
    for reference in references:
        before = counter.snapshot()
        started = time.perf_counter()
        case = service.get(reference)
        times.append((time.perf_counter() - started) * 1000)
        count, round_trips = counter.since(before)
        statements.append(count)
        if round_trips is not None:
            trips.append(round_trips)
        parties += len(case.parties)
        timeline += len(case.timeline)
    return {
        "ms": summarise(times),
        "statements": statistics.median(statements),
        # psycopg prepares a statement on its fifth use: once per connection, three more trips.
        "round_trips": statistics.median(trips) if trips else None,
        "round_trips_max": max(trips) if trips else None,
        "cases": len(references),
        "parties": parties,
        "timeline": timeline,
    }


# --- 4. the naive baseline (child) ------------------------------------------------------------


def child_baseline(db: str, rounds: int, today: str, ops: list[dict[str, str]]) -> None:
    from PySide6.QtCore import (
        QAbstractTableModel,
        QModelIndex,
        QSortFilterProxyModel,
        Qt,
    )
    from PySide6.QtWidgets import QTableView
    from sqlalchemy import create_engine, text

    from bibob_desk.domain.areas import area_label
    from bibob_desk.domain.overview import deadline_state
    from bibob_desk.gui.app import create_application

    app = create_application(offscreen=True)
    loading = time.perf_counter()
    engine = create_engine(db)
    today_date = date.fromisoformat(today)
    rows: list[tuple[str, ...]] = []
    query = (
        "SELECT c.reference, c.title, (SELECT p.name FROM case_parties cp JOIN parties p "
        "ON p.id = cp.party_id WHERE cp.case_id = c.id AND cp.role = 'aanvrager' LIMIT 1), "
        "c.area, c.phase, c.officer, c.outcome, c.nearest_deadline, s.doc "
        "FROM cases c JOIN case_search s ON s.case_id = c.id ORDER BY c.reference"
    )
    with engine.connect() as connection:
        for ref, title, applicant, area, phase, officer, outcome, due, doc in connection.execute(
            text(query)
        ):
            if isinstance(due, str):
                due = date.fromisoformat(due)
            rows.append(
                (
                    ref,
                    title,
                    applicant or "",
                    area_label(area),
                    phase,
                    officer,
                    outcome or "niet_getoetst",
                    due.isoformat() if due else "",
                    doc,
                    deadline_state(due, today_date).value,
                )
            )
    engine.dispose()

    class ListModel(QAbstractTableModel):
        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 10

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return rows[index.row()][index.column()]
            return None

    model = ListModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view = QTableView()
    view.setModel(proxy)
    view.resize(1400, 800)
    view.show()
    app.processEvents()
    load_s = time.perf_counter() - loading
    columns = {"search": 8, "phase": 4, "area": 3, "officer": 5, "outcome": 6, "deadline": 9}
    results = []
    for op in ops:
        times = [_baseline_once(app, proxy, columns, op) for _ in range(rounds)]
        results.append(
            {
                **op,
                "ms": sorted(times)[len(times) // 2],
                "first_round_ms": times[0],
                "rows": proxy.rowCount(),
            }
        )
    print(json.dumps({"results": results, "rss_mb": peak_rss_mb(), "load_s": load_s}), flush=True)


def _baseline_once(app: Any, proxy: Any, columns: dict[str, int], op: dict[str, str]) -> float:
    from PySide6.QtCore import QRegularExpression

    from bibob_desk.domain.areas import area_label

    proxy.setFilterFixedString("")
    app.processEvents()
    started = time.perf_counter()
    proxy.setFilterKeyColumn(columns[op["kind"]])
    if op["kind"] == "search":
        proxy.setFilterFixedString(" ".join(op["value"].split()))
    elif op["kind"] == "area":
        expression = QRegularExpression.escape(area_label(op["value"]))
        proxy.setFilterRegularExpression(f"^{expression}$")
    else:
        proxy.setFilterRegularExpression(f"^{QRegularExpression.escape(op['value'])}$")
    app.processEvents()
    return (time.perf_counter() - started) * 1000


def run_child(kind: str, target: dict[str, Any], rounds: int = 1) -> dict[str, Any]:
    """Runs this file as a child process; ``target`` says where and as whom."""
    spec = json.dumps({**target, "rounds": rounds})
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--spec", spec],
        capture_output=True,
        text=True,
        env=child_env(target.get("env_user")),
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-3000:])
        completed.check_returncode()
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def run_spec(kind: str, spec: dict[str, Any]) -> None:
    if kind == "start":
        child_start(spec["url"], spec["user"], spec["rtt_ms"])
    elif kind == "overview":
        child_overview(
            spec["url"], spec["user"], spec["rounds"], spec["rtt_ms"], spec["today"], spec["ops"]
        )
    else:
        child_baseline(spec["url"], spec["rounds"], spec["today"], spec["ops"])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def server_version(admin_url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    with engine.connect() as connection:
        version = str(connection.execute(text("SHOW server_version")).scalar_one())
    engine.dispose()
    return version


# --- the run ----------------------------------------------------------------------------------


def backend_targets(
    backend: str, cases: int, pg_url: str | None, roles: list[str]
) -> tuple[str, dict[str, str], str, str, dict[str, str]]:
    """(owner URL, {role: user}, the officer filter's value, a description, {role: URL})."""
    if backend == "sqlite":
        path = bench_data.ensure_sqlite(cases)
        url = f"sqlite:///{path}"
        users = {"teamleider": bench_data.SQLITE_USER, "medewerker": bench_data.SQLITE_OFFICER}
        description = f"SQLite, {path.name} ({path.stat().st_size / 1e6:.0f} MB)"
        chosen = {r: users[r] for r in roles}
        return url, chosen, bench_data.SQLITE_OFFICER, description, dict.fromkeys(chosen, url)
    if not pg_url:
        raise SystemExit("PostgreSQL: geef --pg-url (superuser-URL) of zet BIBOB_DESK_TEST_PG.")
    cache = bench_data.ensure_postgresql(cases, pg_url)
    users = {"teamleider": cache.lead, "medewerker": cache.officer}
    description = (
        f"PostgreSQL {server_version(cache.url())}, database {cache.database}, "
        "row-level security on, each role its own login"
    )
    chosen = {r: users[r] for r in roles}
    urls = {r: cache.url(user) for r, user in chosen.items()}
    return cache.url(), chosen, cache.officer, description, urls


def run_backend(
    backend: str, args: argparse.Namespace, today: str, rtts: list[float]
) -> dict[str, Any]:
    roles = args.roles
    owner_url, users, officer, description, urls = backend_targets(
        backend, args.cases, args.pg_url, roles
    )
    print(f"\n=== {description}", flush=True)
    ops = operations(owner_url, officer)
    out: dict[str, Any] = {"description": description, "runs": []}
    for rtt in rtts if backend == "postgresql" else [0.0]:
        for role, user in users.items():
            # SQLite: the user is named (a training file); PostgreSQL: the login role is the user.
            env_user = user if backend == "sqlite" else None
            target = {"url": urls[role], "user": user, "env_user": env_user}
            target.update({"rtt_ms": rtt, "today": today, "ops": ops})
            run: dict[str, Any] = {"role": role, "user": user, "rtt_ms": rtt}
            if role == "teamleider" and args.start_runs:
                run["start"] = measure_start(target, args.start_runs)
            run["overview"] = run_child("overview", target, args.rounds)
            out["runs"].append(run)
            print_run(backend, run)
    if not args.no_baseline:
        base_target = {"url": owner_url, "env_user": None, "rtt_ms": 0, "today": today, "ops": ops}
        out["baseline"] = run_child("baseline", base_target, args.rounds)
        b = summarise([r["ms"] for r in out["baseline"]["results"]])
        print(
            f"  naive baseline (all rows in a QSortFilterProxyModel, as the owner): median "
            f"{b['median']:.1f} ms, p95 {b['p95']:.1f} ms; loading all rows took "
            f"{out['baseline']['load_s']:.1f} s",
            flush=True,
        )
    return out


def _fmt(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.1f}{unit}"


def print_run(backend: str, run: dict[str, Any]) -> None:
    ov = run["overview"]
    timed = [r for r in ov["results"] if r["ms"] is not None]
    s = summarise([r["ms"] for r in timed])
    print(
        f"\n--- {backend}, {run['role']} ({run['user']}), RTT {run['rtt_ms']:g} ms: "
        f"search/filter median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms, max {s['max']:.1f} ms"
    )
    print(f"  {'operation':<34}{'rows':>8}{'ms':>9}{'stmts':>7}{'trips':>7}")
    for r in ov["results"]:
        label = f"{r['kind']}: {r['value']}"[:33]
        trips = r.get("round_trips")
        print(
            f"  {label:<34}{r['rows'] if r['rows'] is not None else '-':>8}{_fmt(r['ms']):>9}"
            f"{r.get('statements', '-'):>7}{trips if trips is not None else '-':>7}"
        )
    o = ov["open"]
    print(
        f"  open a case (CaseService.get, {o['cases']} cases): median {o['ms']['median']:.1f} ms, "
        f"max {o['ms']['max']:.1f} ms, {o['statements']:.0f} statements, "
        + (
            f"{o['round_trips']:.0f} round trips (max {o['round_trips_max']}: psycopg prepares a "
            "statement on its 5th use)"
            if o["round_trips"] is not None
            else "- round trips"
        )
    )
    if "start" in run:
        st = run["start"]
        print(
            f"  start to painted window: median {st['start_s']['median']:.2f} s, max "
            f"{st['start_s']['max']:.2f} s over {st['runs']} runs; side panel figures "
            f"{st['figures_s']['median']:.2f} s; peak RSS {st['rss_mb']:.0f} MB"
            + (f"; {st['round_trips']:.0f} round trips" if st["round_trips"] else "")
        )
        names = ("Python", "imports", "database", "window", "paint", "figures")
        phases = ", ".join(
            f"{n} {v:.2f}" for n, v in zip(names, st["phases_s"].values(), strict=True)
        )
        print(f"    phases (median s): {phases}")
    sys.stdout.flush()


def check_rows(report: dict[str, Any]) -> list[str]:
    """Every run's row counts against the baseline of its backend (a team lead sees all)."""
    problems = []
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for backend, data in report.items():
        baseline = data.get("baseline", {}).get("results", [])
        base = {f"{r['kind']}:{i}": r["rows"] for i, r in enumerate(baseline)}
        for run in data["runs"]:
            rows = {f"{r['kind']}:{i}": r["rows"] for i, r in enumerate(run["overview"]["results"])}
            counts[(backend, f"{run['role']}@{run['rtt_ms']:g}")] = rows
            if run["role"] == "teamleider" and base and rows != base:
                diff = [k for k in rows if rows[k] != base.get(k)]
                problems.append(f"{backend} {run['role']}: rows differ from the baseline in {diff}")
    by_role: dict[str, list[dict[str, Any]]] = {}
    for (_, key), rows in counts.items():
        by_role.setdefault(key.split("@")[0], []).append(rows)
    for role, all_rows in by_role.items():
        if any(rows != all_rows[0] for rows in all_rows):
            problems.append(f"{role}: row counts differ between backends or latencies")
    return problems


def print_targets(report: dict[str, Any]) -> None:
    def median(run: dict[str, Any]) -> float:
        return summarise([r["ms"] for r in run["overview"]["results"] if r["ms"] is not None])[
            "median"
        ]

    def runs(backend: str, rtt: float) -> list[dict[str, Any]]:
        return [r for r in report.get(backend, {}).get("runs", []) if r["rtt_ms"] == rtt]

    print("\n=== targets (medians at this size)")
    lines: list[tuple[str, str, str, bool | None]] = []
    for run in runs("postgresql", 0):
        m = median(run)
        sqlite = [r for r in runs("sqlite", 0) if r["role"] == run["role"]]
        ratio = m / median(sqlite[0]) if sqlite else None
        lines.append(
            (
                f"PostgreSQL search/filter, local, {run['role']}",
                f"<= {TARGETS['local_ms']:.0f} ms, <= {TARGETS['pg_vs_sqlite']:.0f}x SQLite",
                f"{m:.1f} ms" + (f", {ratio:.1f}x SQLite" if ratio else ""),
                m <= TARGETS["local_ms"] and (ratio is None or ratio <= TARGETS["pg_vs_sqlite"]),
            )
        )
    for rtt in sorted({r["rtt_ms"] for r in report.get("postgresql", {}).get("runs", [])} - {0}):
        for run in runs("postgresql", rtt):
            slowest = max(r["ms"] for r in run["overview"]["results"] if r["ms"] is not None)
            lines.append(
                (
                    f"every Overzicht operation at {rtt:g} ms RTT, {run['role']}",
                    f"<= {TARGETS['rtt_op_ms']:.0f} ms",
                    f"median {median(run):.1f} ms, slowest {slowest:.1f} ms",
                    slowest <= TARGETS["rtt_op_ms"],
                )
            )
            o = run["overview"]["open"]
            lines.append(
                (
                    f"opening a case at {rtt:g} ms RTT, {run['role']}",
                    f"<= {TARGETS['rtt_open_ms']:.0f} ms, <= {TARGETS['open_round_trips']} trips",
                    f"{o['ms']['median']:.1f} ms, {o['round_trips']:.0f} round trips",
                    o["ms"]["median"] <= TARGETS["rtt_open_ms"]
                    and (o["round_trips"] or 0) <= TARGETS["open_round_trips"],
                )
            )
            if "start" in run:
                st = run["start"]["start_s"]["median"]
                lines.append(
                    (
                        f"start to painted window at {rtt:g} ms RTT",
                        f"<= {TARGETS['rtt_start_s']:.1f} s",
                        f"{st:.2f} s",
                        st <= TARGETS["rtt_start_s"],
                    )
                )
    for run in runs("sqlite", 0):
        if "start" in run:
            st = run["start"]["start_s"]["median"]
            lines.append(
                (
                    "SQLite start to painted window",
                    f"<= {TARGETS['sqlite_start_s']:.1f} s",
                    f"{st:.2f} s",
                    st <= TARGETS["sqlite_start_s"],
                )
            )
    for label, target, measured, met in lines:
        verdict = "met" if met else "NOT met"
        print(f"  {label:<50} target {target:<28} measured {measured:<34} {verdict}")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"geen positief geheel getal: {text!r}")
    return value


def _choices(allowed: tuple[str, ...]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        unknown = [part for part in chosen if part not in allowed]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"kies uit {', '.join(allowed)} (komma's ertussen), niet {text!r}"
            )
        return chosen

    return parse


def _round_trip_times(text: str) -> list[float]:
    try:
        times = [float(part) for part in text.split(",")]
    except ValueError:
        times = []
    if not times or any(not 0 <= t <= 10_000 for t in times):
        raise argparse.ArgumentTypeError(f"milliseconden 0 tot 10000, bijv. 0,10; niet {text!r}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=_positive, default=100_000)
    parser.add_argument(
        "--backends",
        type=_choices(("sqlite", "postgresql")),
        default=["sqlite"],
        help="sqlite,postgresql",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BIBOB_DESK_TEST_PG"))
    parser.add_argument(
        "--rtt-ms",
        type=_round_trip_times,
        default=[0.0],
        help="round-trip times for PostgreSQL, e.g. 0,10",
    )
    parser.add_argument(
        "--roles",
        type=_choices(("teamleider", "medewerker")),
        default=["teamleider", "medewerker"],
    )
    parser.add_argument("--start-runs", type=_positive, default=5)
    parser.add_argument(
        "--rounds", type=_positive, default=3, help="times each operation runs (its median counts)"
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--drop-pg-cache", action="store_true", help="drop the cached database")
    parser.add_argument("--child", choices=("start", "overview", "baseline"))
    parser.add_argument("--spec")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    if args.child:
        run_spec(args.child, json.loads(args.spec))
        return
    if args.drop_pg_cache:
        bench_data.drop_pg_cache(args.cases, args.pg_url)
        return
    today = date.today().isoformat()
    rtts = args.rtt_ms
    print(f"Machine: {machine()}")
    print("Load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"{args.cases} zaken; today (application and baseline): {today}")
    report = {}
    for backend in args.backends:
        report[backend] = run_backend(backend, args, today, rtts)
    problems = check_rows(report)
    print()
    print("\n".join(problems) if problems else "Every operation matched the baseline's rows.")
    print_targets(report)
    print("Load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    if args.json:
        print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
