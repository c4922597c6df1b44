"""Speed of the team lead's overview at 100,000 cases, measured (``python bench/overview.py``).

1. Generates the cases once with ``bibob-desk demo --cases N --seed 1`` into a cached SQLite file
   under bench/.cache/ (reused on later runs).
2. Start: spawns the real application (offscreen) on that file and reports the time from process
   start until the main window, opened on the "Overzicht" page (a team lead's landing page), has
   painted, and its peak RSS.
3. Overview: in a fresh process, 20 different searches and filter changes through the page's
   widgets, each timed end to end until the view shows its first rows (model reset, count,
   first window, processEvents); median and p95; peak RSS.
4. Baseline in the same run (its own process): all rows loaded into a list model behind a
   QSortFilterProxyModel, the same 20 operations with setFilterFixedString /
   setFilterRegularExpression.

Every number printed is measured in this run; nothing is assumed.
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
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
USER = "bench"
TODAY = "2026-11-25"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 / 1024 / 1024 if sys.platform == "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["BIBOB_DESK_USER"] = USER
    return env


# --- 1. data --------------------------------------------------------------------------------


def _ensure_bench_user(database: Any) -> None:
    """The bench works as a team lead named 'bench' on the (training) demo database."""
    from sqlalchemy import select

    from bibob_desk.services.identity import mark_training
    from bibob_desk.storage.models import User

    with database.session() as session:
        mark_training(session)  # files cached before training databases existed
        if session.execute(select(User).where(User.username == USER)).first() is None:
            session.add(User(username=USER, full_name=USER, role="teamleider,beheerder,medewerker"))


def ensure_database(cases: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"overview-{cases}-seed1.sqlite"
    if path.exists():
        return path
    partial = path.with_suffix(".partial.sqlite")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    print(f"Genereren van {cases} demozaken (eenmalig) in {path} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bibob_desk",
            "--db",
            str(partial),
            "demo",
            "--cases",
            str(cases),
            "--seed",
            "1",
        ],
        check=True,
        # The demo runs as the OS login (a fresh database is no training database yet, so
        # BIBOB_DESK_USER would be refused); it marks the file as one, so the bench user works.
        env={k: v for k, v in child_env().items() if k != "BIBOB_DESK_USER"},
    )
    partial.rename(path)
    print(f"  klaar in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def upgrade_database(path: Path) -> None:
    """Bring the cached file to the current schema first, so no start run pays for it."""
    from bibob_desk.storage.database import current_revision, head_revision, open_database

    database = open_database(f"sqlite:///{path}")
    _ensure_bench_user(database)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
    for backup in path.parent.glob(f"{path.stem}.voor-upgrade-*"):
        backup.unlink()


# --- the 20 operations ------------------------------------------------------------------------


def operations(path: Path) -> list[dict[str, str]]:
    """12 searches and 8 filter changes, with real values from the database."""
    import sqlite3

    connection = sqlite3.connect(path)
    kvk = connection.execute(
        "SELECT kvk_number FROM parties WHERE kvk_number IS NOT NULL ORDER BY id LIMIT 1 "
        "OFFSET (SELECT COUNT(*) / 2 FROM cases)"
    ).fetchone()[0]
    postcode = connection.execute(
        "SELECT postcode FROM cases ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 7 FROM cases)"
    ).fetchone()[0]
    reference = connection.execute(
        "SELECT reference FROM cases ORDER BY id LIMIT 1 OFFSET (SELECT COUNT(*) / 3 FROM cases)"
    ).fetchone()[0]
    connection.close()
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
        {"kind": "officer", "value": "c.bos"},
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


def child_start(db: str) -> None:
    marks = {"process": time.time()}
    # The application's modules before PySide6, in the order ``bibob-desk`` imports them (cli,
    # then gui.app): every module imported after PySide6 has its source read by shiboken.
    from bibob_desk.gui.app import create_application, open_startup_database
    from bibob_desk.services.access import authenticate
    from bibob_desk.services.context import AppContext

    app = create_application(offscreen=True)
    from PySide6.QtCore import QEvent, QObject, QTimer

    marks["imports"] = time.time()
    database = open_startup_database(db)
    assert database is not None
    context = AppContext(db=database, user=USER)
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


def measure_start(db: Path, runs: int) -> dict[str, Any]:
    times: list[float] = []
    figures: list[float] = []
    rss: list[float] = []
    phases: dict[str, list[float]] = {}
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child", "start", "--db", str(db)],
            check=True,
            capture_output=True,
            text=True,
            env=child_env(),
        ).stdout
        line = json.loads(out.strip().splitlines()[-1])
        times.append(line["painted_at"] - started)
        figures.append(line["figures_at"] - started)
        rss.append(line["rss_mb"])
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
        "phases_s": {k: statistics.median(v) for k, v in phases.items()},
    }


# --- 3. overview page (child) -----------------------------------------------------------------


def child_overview(db: str, rounds: int) -> None:
    from bibob_desk.gui.app import create_application
    from bibob_desk.gui.overview import OverviewPage
    from bibob_desk.services.context import AppContext
    from bibob_desk.storage.database import open_database

    app = create_application(offscreen=True)
    database = open_database(db)
    context = AppContext(db=database, user=USER)
    building = time.perf_counter()
    page = OverviewPage(context)
    page.resize(1400, 850)
    page.show()
    app.processEvents()
    while not page.side_panel.open_label.text():  # its aggregates are read after the first paint
        app.processEvents()
    page_build_ms = (time.perf_counter() - building) * 1000
    page.open_only_check.setChecked(False)  # all 100,000 cases, like the baseline
    app.processEvents()
    combos = {
        "phase": page.phase_combo,
        "area": page.area_combo,
        "officer": page.officer_combo,
        "outcome": page.outcome_combo,
        "deadline": page.deadline_combo,
    }
    results = []
    for op in operations(Path(db)):
        samples = [_overview_once(app, page, combos, op) for _ in range(rounds)]
        middle = sorted(samples)[len(samples) // 2]
        first = page.model.data(page.model.index(0, 0)) if page.model.rowCount() else None
        results.append(
            {
                **op,
                "ms": middle[0],
                "query_ms": middle[1],
                "first_round_ms": samples[0][0],
                "rows": page.model.total,
                "first": first,
            }
        )
    print(
        json.dumps({"results": results, "rss_mb": peak_rss_mb(), "page_build_ms": page_build_ms}),
        flush=True,
    )
    database.dispose()


def _overview_once(
    app: Any, page: Any, combos: dict[str, Any], op: dict[str, str]
) -> tuple[float, float]:
    """One operation from the neutral view: (end-to-end ms, query + model reset ms)."""
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
    return elapsed * 1000, (queried - started) * 1000


def child_baseline(db: str, rounds: int) -> None:
    import sqlite3

    from PySide6.QtCore import (
        QAbstractTableModel,
        QModelIndex,
        QSortFilterProxyModel,
        Qt,
    )
    from PySide6.QtWidgets import QTableView

    from bibob_desk.domain.areas import area_label
    from bibob_desk.domain.overview import deadline_state
    from bibob_desk.gui.app import create_application

    app = create_application(offscreen=True)
    loading = time.perf_counter()
    connection = sqlite3.connect(db)
    today = time.strptime(TODAY, "%Y-%m-%d")
    from datetime import date

    today_date = date(today.tm_year, today.tm_mon, today.tm_mday)
    rows: list[tuple[str, ...]] = []
    query = (
        "SELECT c.reference, c.title, (SELECT p.name FROM case_parties cp JOIN parties p "
        "ON p.id = cp.party_id WHERE cp.case_id = c.id AND cp.role = 'aanvrager' LIMIT 1), "
        "c.area, c.phase, c.officer, c.outcome, c.nearest_deadline, s.doc "
        "FROM cases c JOIN case_search s ON s.case_id = c.id ORDER BY c.reference"
    )
    for ref, title, applicant, area, phase, officer, outcome, due, doc in connection.execute(query):
        due_date = date.fromisoformat(due) if due else None
        rows.append(
            (
                ref,
                title,
                applicant or "",
                area_label(area),
                phase,
                officer,
                outcome or "niet_getoetst",
                due or "",
                doc,
                deadline_state(due_date, today_date).value,
            )
        )
    connection.close()

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
    for op in operations(Path(db)):
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


def run_child(kind: str, db: Path, rounds: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--db", str(db), "--rounds", str(rounds)],
        check=True,
        capture_output=True,
        text=True,
        env=child_env(),
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--start-runs", type=int, default=5)
    parser.add_argument("--child", choices=("start", "overview", "baseline"))
    parser.add_argument("--db")
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each operation runs (its median counts)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()
    if args.child:
        if args.child == "start":
            child_start(args.db)
        elif args.child == "overview":
            child_overview(args.db, args.rounds)
        else:
            child_baseline(args.db, args.rounds)
        return

    db = ensure_database(args.cases)
    upgrade_database(db)
    print(f"Machine: {machine()}")
    print("Load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    print(f"Database: {db} ({db.stat().st_size / 1e6:.0f} MB, {args.cases} zaken)")
    start = measure_start(db, args.start_runs)
    ours = run_child("overview", db, args.rounds)
    base = run_child("baseline", db, args.rounds)
    ours_ms = [r["ms"] for r in ours["results"]]
    base_ms = [r["ms"] for r in base["results"]]
    o, b = summarise(ours_ms), summarise(base_ms)
    print()
    print(f"{'operation':<32}{'rows':>8}{'ms':>10}{'baseline rows':>15}{'baseline ms':>13}")
    for mine, theirs in zip(ours["results"], base["results"], strict=True):
        label = f"{mine['kind']}: {mine['value']}"[:31]
        print(
            f"{label:<32}{mine['rows']:>8}{mine['ms']:>10.1f}{theirs['rows']:>15}"
            f"{theirs['ms']:>13.1f}"
        )
    print()
    s = start["start_s"]
    names = {
        "process": "Python start",
        "imports": "imports + QApplication",
        "database": "open + check database",
        "window": "build main window (landing page only)",
        "painted": "show + first paint",
        "figures": "side panel figures",
    }
    print(
        "start phases (median s): "
        + ", ".join(f"{names[k]} {v:.2f}" for k, v in start["phases_s"].items())
    )
    print(
        f"start to painted main window (Overzicht): median {s['median']:.2f} s, "
        f"max {s['max']:.2f} s over {start['runs']} runs (target <= 1.5 s)"
    )
    f = start["figures_s"]
    print(
        f"  side panel figures shown (read after the first paint): median {f['median']:.2f} s, "
        f"max {f['max']:.2f} s after process start"
    )
    print(
        f"search/filter, end to end (each the median of {args.rounds} rounds): "
        f"median {o['median']:.1f} ms, p95 {o['p95']:.1f} ms (target median <= 50 ms)"
    )
    cold = summarise([r["first_round_ms"] for r in ours["results"]])
    print(f"  first round only: median {cold['median']:.1f} ms, p95 {cold['p95']:.1f} ms")
    print(
        f"naive baseline (all rows in a QSortFilterProxyModel): median {b['median']:.1f} ms, "
        f"p95 {b['p95']:.1f} ms; loading all rows took {base['load_s']:.1f} s"
    )
    q = summarise([r["query_ms"] for r in ours["results"]])
    print(
        f"  of which query + model reset: median {q['median']:.1f} ms, p95 {q['p95']:.1f} ms; "
        f"the rest is painting the view"
    )
    print(f"Overzicht page alone (list, side panel, first paint): {ours['page_build_ms']:.0f} ms")
    print(f"speed-up (median): {b['median'] / o['median']:.0f}x (target >= 10x)")
    print(
        f"peak RSS: app at start {start['rss_mb']:.0f} MB, overview after 20 operations "
        f"{ours['rss_mb']:.0f} MB, baseline {base['rss_mb']:.0f} MB (target <= 300 MB)"
    )
    print("Load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    if args.json:
        print(json.dumps({"start": start, "overview": ours, "baseline": base}, indent=2))


if __name__ == "__main__":
    main()
