"""What do the fault checks cost? Prints numbers (``python bench/faults.py``).

1. ``PRAGMA quick_check`` on an SQLite file of N cases (the GUI runs it on a worker thread
   after start; the command line only for ``report`` and ``audit``, and before a restore).
2. The cheap per-open check (header and schema, ``check_sqlite_file``) on the same file.
3. An all-or-nothing upgrade of an N-case database from revision 0002 (with its one
   pre-upgrade copy), and the repair of a half-upgraded one.

Usage: python bench/faults.py [--cases 200000]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bibob_desk.storage.database import (  # noqa: E402
    check_sqlite_file,
    open_database,
    quick_check,
)
from tests.faults.old_database import make_old_database  # noqa: E402


def _median(action: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bibob-faults-bench-"))
    try:
        old = folder / "oud.sqlite"
        started = time.perf_counter()
        make_old_database(old, args.cases)
        print(
            f"{args.cases} zaken op revisie 0002 gemaakt in {time.perf_counter() - started:.1f} s"
        )
        work = folder / "bibob.sqlite"
        shutil.copyfile(old, work)
        started = time.perf_counter()
        open_database(f"sqlite:///{work}").dispose()
        upgrade = time.perf_counter() - started
        size = work.stat().st_size / 1e6
        print(f"upgrade in één transactie (met voor-upgrade-kopie): {upgrade:.2f} s, {size:.0f} MB")
        quick = _median(lambda: quick_check(work))
        print(f"quick_check: {quick * 1000:.0f} ms ({quick / size * 100 * 1000:.0f} ms per 100 MB)")
        cheap = _median(lambda: check_sqlite_file(work), runs=5)
        print(f"controle bij elke start (kop en schema): {cheap * 1000:.1f} ms")
        shutil.copyfile(old, work)
        for suffix in ("-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(work) as conn:
            conn.execute("CREATE VIRTUAL TABLE case_search_fts USING fts5(doc, tokenize='trigram')")
        conn.close()
        started = time.perf_counter()
        open_database(f"sqlite:///{work}").dispose()
        repaired = time.perf_counter() - started
        print(f"half bijgewerkte database hersteld en bijgewerkt: {repaired:.2f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
