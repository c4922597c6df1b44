"""How fast the register import brings in a 10,000-row Excel register, against a naive baseline.

    python bench/import.py [--rows 10000] [--baseline-rows 1000] [--db-dir DIR] [--pg URL]

One run, on fresh databases:

* ``bibob-desk import`` as a separate process on the generated register (what a user runs:
  interpreter start, reading the workbook, the checks, the batched writes), timed end to end;
* the same import in this process, split into reading, checking and writing;
* the naive baseline: the same rows through the per-case service functions, each row committed
  on its own (``RegisterImportService(batch_size=1, cache=False)``), on ``--baseline-rows`` rows
  (rows per second is a rate, so a smaller run suffices).

The register comes from tests/register_factory.py (merged two-row header, values written the way
officers type them, an empty row after every seven).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bibob_desk.services.context import AppContext  # noqa: E402
from bibob_desk.services.register_import import ImportOptions, RegisterImportService  # noqa: E402
from bibob_desk.storage.database import open_database  # noqa: E402
from tests.conftest import make_training, make_user  # noqa: E402
from tests.register_factory import OFFICERS, good_rows, write_register  # noqa: E402

TODAY = date.today()


def fresh_database(url: str) -> None:
    db = open_database(url)
    make_user(db, "bench", "teamleider,medewerker", "Bench")
    for username, full_name in OFFICERS.items():
        make_user(db, username, "medewerker", full_name)
    # The command line acts as "bench" (BIBOB_DESK_USER) only on a training database.
    make_training(db)
    db.dispose()


def sqlite_url(folder: Path, name: str) -> str:
    path = folder / f"{name}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def pg_url(admin: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(admin).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    database = f"bibob_bench_{name}_{os.getpid()}"
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    engine.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    engine = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    engine.dispose()


def in_process(url: str, register: Path, **kwargs: object) -> dict[str, float]:
    db = open_database(url)
    try:
        service = RegisterImportService(AppContext(db, "bench"), **kwargs)  # type: ignore[arg-type]
        started = time.perf_counter()
        cpu = time.process_time()
        data, layout = service.load(register)
        read = time.perf_counter()
        checked = service.check(data, layout)
        check = time.perf_counter()
        report = service.run(data, layout, None, ImportOptions())
        done = time.perf_counter()
        assert report.counts["imported"] == report.counts["rows"], report.summary()
        assert not checked.problems
        return {
            "rows": report.counts["imported"],
            "read": read - started,
            "check": check - read,
            # run() checks again before writing; the write is what it adds to a check.
            "write": (done - check) - (check - read),
            "total": (read - started) + (done - check),
            "cpu": time.process_time() - cpu,
        }
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    parser.add_argument("--db-dir", type=Path, default=None, help="folder for the SQLite files")
    parser.add_argument("--pg", metavar="URL", help="also run on PostgreSQL (admin URL)")
    args = parser.parse_args()
    folder = args.db_dir or Path(tempfile.mkdtemp(prefix="bibob-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    register = write_register(
        folder / "register.xlsx", list(good_rows(args.rows, seed=1, today=TODAY)), blank_every=7
    )
    baseline_register = write_register(
        folder / "register-baseline.xlsx",
        list(good_rows(args.baseline_rows, seed=1, today=TODAY)),
        blank_every=7,
    )
    print(
        f"register: {args.rows} rows, {register.stat().st_size / 1e6:.1f} MB "
        f"(made in {time.perf_counter() - started:.1f} s); load average "
        f"{os.getloadavg()[0]:.1f}"
    )

    url = sqlite_url(folder, "cli")
    fresh_database(url)
    env = {**os.environ, "BIBOB_DESK_USER": "bench"}
    script = Path(sys.executable).parent / "bibob-desk"
    launcher = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from bibob_desk.cli import main; sys.exit(main())"]
    )
    command = [*launcher, "--db", url, "import", str(register)]
    began = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    cli = time.perf_counter() - began
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    print(f"bibob-desk import (own process, SQLite): {cli:.1f} s, exit {result.returncode}: {last}")

    runs: list[tuple[str, str, dict[str, float]]] = []
    backends = [("SQLite", lambda name: sqlite_url(folder, name))]
    if args.pg:
        backends.append(("PostgreSQL", lambda name: pg_url(args.pg, name)))
    for backend, make in backends:
        for label, path, kwargs in (
            ("batches (import)", register, {}),
            ("naive, row by row", baseline_register, {"batch_size": 1, "cache": False}),
        ):
            url = make("batch" if not kwargs else "naive")
            fresh_database(url)
            runs.append((backend, label, in_process(url, path, **kwargs)))
            if backend == "PostgreSQL":
                drop_pg(url)

    print(
        f"{'backend':<11} {'how':<19} {'rows':>6} {'read s':>7} {'check s':>8} "
        f"{'write s':>8} {'total s':>8} {'cpu s':>7} {'rows/s':>8}"
    )
    rates: dict[tuple[str, str], float] = {}
    for backend, label, m in runs:
        rate = m["rows"] / m["total"]
        rates[(backend, label)] = rate
        print(
            f"{backend:<11} {label:<19} {int(m['rows']):>6} {m['read']:>7.1f} {m['check']:>8.1f} "
            f"{m['write']:>8.1f} {m['total']:>8.1f} {m['cpu']:>7.1f} {rate:>8.0f}"
        )
    for backend, _make in backends:
        fast = rates[(backend, "batches (import)")]
        slow = rates[(backend, "naive, row by row")]
        print(f"{backend}: {fast / slow:.1f}x the rows per second of the naive baseline")
    print(f"load average after: {os.getloadavg()[0]:.1f}; files in {folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
