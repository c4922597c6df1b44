"""How fast ``audit verify`` checks 100,000 entries against 10 anchors, against a naive baseline.

    python bench/audit_verify.py [--entries 100000] [--anchors 10] [--db-dir DIR] [--pg URL]

One run, on fresh databases (SQLite, and PostgreSQL with ``--pg``):

* the log is filled with ``--entries`` entries through the normal writer (``audit.record_many``;
  on PostgreSQL the server-side ``bibob_audit_append_many``), and an anchor file is written after
  every ``entries / anchors`` entries (``services/audit_anchor.py``);
* **verify**: ``verify_with_anchors`` with the anchor files, what ``bibob-desk audit verify
  --anchor ...`` runs: one pass over the chain in id order (plain rows, no ORM objects), every
  anchor checked in that pass, the head and the database's own history after it;
* **naive baseline**: per anchor, a walk of the chain from the first entry with ORM objects (the
  verify before anchors, run once for every anchor).

Both must say "in orde"; then one entry is changed and the chain recomputed, and verify must fail
on an anchor (checked, not timed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# PostgreSQL group roles are cluster-wide: a prefix of our own, dropped at the end.
PREFIX = f"bench{os.getpid()}"
os.environ["BIBOB_DESK_PG_ROLE_PREFIX"] = PREFIX

from sqlalchemy import select, text  # noqa: E402

from bibob_desk.services import audit  # noqa: E402
from bibob_desk.services.audit_anchor import (  # noqa: E402
    current_anchor,
    verify_with_anchors,
    write_anchor_file,
)
from bibob_desk.services.context import AppContext  # noqa: E402
from bibob_desk.storage.database import open_database  # noqa: E402
from bibob_desk.storage.models import AuditEntry  # noqa: E402
from tests.conftest import make_user  # noqa: E402

CHUNK = 5_000


def fill(context: AppContext, entries: int, anchors: int, folder: Path) -> list[Path]:
    every = max(1, entries // anchors)
    files: list[Path] = []
    written = 0
    while written < entries:
        size = min(CHUNK, entries - written, every - written % every)
        with context.db.session() as session:
            audit.record_many(
                session,
                "bench",
                [
                    (
                        audit.VIEW if i % 3 else audit.LIST_VIEW,
                        f"BIB-2026-{i % 9000 + 1:04d}",
                        {"i": i, "filter": {"search": "Haven Vastgoed"}},
                    )
                    for i in range(written, written + size)
                ],
            )
        written += size
        if written % every == 0 and len(files) < anchors:
            with context.db.session() as session:
                anchor = current_anchor(session)
            files.append(write_anchor_file(anchor, folder / f"anker-{len(files) + 1:02d}.json"))
    return files


def naive(context: AppContext, files: list[Path]) -> bool:
    from bibob_desk.services.audit_anchor import read_anchor_file

    for path in files:
        anchor = read_anchor_file(path)
        with context.db.session() as session:
            prev = audit.GENESIS_HASH
            rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            for count, row in enumerate(rows, start=1):
                expected = audit.entry_hash(
                    row.prev_hash, row.at, row.user, row.action, row.case_reference, row.detail
                )
                if row.prev_hash != prev or row.hash != expected:
                    return False
                prev = row.hash
                if count == anchor.entry_count:
                    if row.hash != anchor.last_hash:
                        return False
                    break
            else:
                return False
    return True


def tamper_and_recompute(context: AppContext) -> None:
    """Someone who knows how it works: one entry changed, every later hash and the head redone."""
    with context.db.session() as session:
        rows = session.execute(
            select(
                AuditEntry.id,
                AuditEntry.at,
                AuditEntry.user,
                AuditEntry.action,
                AuditEntry.case_reference,
                AuditEntry.detail,
            ).order_by(AuditEntry.id)
        ).all()
        target = len(rows) // 2
        prev = (
            rows[target - 1][0]
            and session.execute(
                select(AuditEntry.hash).where(AuditEntry.id == rows[target - 1][0])
            ).scalar_one()
        )
        updates = []
        for index in range(target, len(rows)):
            row_id, at, user, action, case, detail = rows[index]
            if index == target:
                detail = "{}"
            new = audit.entry_hash(prev, at, user, action, case, detail)
            updates.append({"i": row_id, "p": prev, "h": new, "d": detail})
            prev = new
        session.execute(
            text("UPDATE audit_log SET prev_hash = :p, hash = :h, detail = :d WHERE id = :i"),
            updates,
        )
        session.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})


def run(url: str, label: str, entries: int, anchors: int, folder: Path) -> None:
    db = open_database(url)
    try:
        make_user(db, "bench", "teamleider,medewerker", "Bench")
        context = AppContext(db, "bench")
        began = time.perf_counter()
        files = fill(context, entries, anchors, folder)
        filled = time.perf_counter() - began
        began = time.perf_counter()
        checked = verify_with_anchors(context, files, use_folder=False)
        fast = time.perf_counter() - began
        assert checked.result.ok, checked.result.problem
        assert checked.result.entries == entries and len(checked.anchors) == len(files)
        began = time.perf_counter()
        assert naive(context, files)
        slow = time.perf_counter() - began
        tamper_and_recompute(context)
        broken = verify_with_anchors(context, files, use_folder=False).result
        assert broken.problem is not None and broken.problem.anchor is not None
        print(
            f"{label}: {entries} entries, {len(files)} anchors (filled in {filled:.1f} s); "
            f"verify {fast:.2f} s; naive baseline {slow:.1f} s ({slow / fast:.0f}x); "
            f"recomputed chain found at {broken.problem.anchor.source}"
        )
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--anchors", type=int, default=10)
    parser.add_argument("--db-dir", type=Path, default=None, help="folder for the SQLite file")
    parser.add_argument("--pg", metavar="URL", help="also run on PostgreSQL (admin URL)")
    args = parser.parse_args()
    folder = args.db_dir or Path(tempfile.mkdtemp(prefix="bibob-audit-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    path = folder / "audit.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    (folder / "sqlite").mkdir(exist_ok=True)
    run(f"sqlite:///{path}", "SQLite", args.entries, args.anchors, folder / "sqlite")
    if args.pg:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"bibob_bench_audit_{os.getpid()}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            (folder / "pg").mkdir(exist_ok=True)
            url = admin.set(database=name).render_as_string(hide_password=False)
            run(url, "PostgreSQL", args.entries, args.anchors, folder / "pg")
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                for role in ("medewerker", "teamleider", "beheerder"):
                    conn.execute(text(f'DROP ROLE IF EXISTS "{PREFIX}_{role}"'))
            engine.dispose()
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
