"""Fault class: the machine dies during an automatic schema upgrade.

A 20,000-case database at an old revision is upgraded by a forked child that is killed with
SIGKILL at random moments. After every kill the next start must succeed with all cases, the
database must pass ``integrity_check``, and only one pre-upgrade copy may exist.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pytest

from bibob_desk.storage.database import open_database
from bibob_desk.storage.files import TEMP_PREFIX
from bibob_desk.storage.upgrade import repair_half_upgrade, transactional_engine
from tests.faults.old_database import OLD_REVISION, case_count, make_old_database

CASES = 20_000
KILLS = 20


def _revision(path: Path) -> str:
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def _upgrade_in_child(url: str) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        try:
            open_database(url).dispose()
        except BaseException:
            os._exit(3)
        os._exit(0)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork en SIGKILL bestaan alleen op POSIX")
def test_upgrade_killed_at_random_moments_always_restarts_with_every_case(
    tmp_path: Path,
) -> None:
    pristine = tmp_path / "bron" / "oud.sqlite"
    pristine.parent.mkdir()
    make_old_database(pristine, CASES)
    work = tmp_path / "werk" / "bibob.sqlite"
    work.parent.mkdir()
    url = f"sqlite:///{work}"

    shutil.copyfile(pristine, work)
    started = time.monotonic()
    pid = _upgrade_in_child(url)
    _, status = os.waitpid(pid, 0)
    full = time.monotonic() - started
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    head = _revision(work)

    rng = random.Random(20261202)
    outcomes = {"oud": 0, "nieuw": 0}
    began = time.monotonic()
    for _ in range(KILLS):
        shutil.copyfile(pristine, work)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        pid = _upgrade_in_child(url)
        time.sleep(rng.uniform(0.0, full * 1.1))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        outcomes["nieuw" if _revision(work) == head else "oud"] += 1
        assert _revision(work) in (OLD_REVISION, head)  # never in between
        db = open_database(url)  # the next start
        db.dispose()
        assert _revision(work) == head
        assert case_count(work) == CASES
        with closing(sqlite3.connect(work)) as conn:
            assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM case_search_fts").fetchone()[0] == CASES
    copies = sorted(p.name for p in work.parent.iterdir() if "voor-upgrade" in p.name)
    assert copies == [f"bibob.voor-upgrade-{OLD_REVISION}.sqlite"]
    assert _revision(work.parent / copies[0]) == OLD_REVISION
    assert not [p for p in work.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]
    print(
        f"{KILLS} kills tijdens upgrade van {CASES} zaken (volledige upgrade {full:.1f} s): "
        f"{outcomes['oud']}x oude versie, {outcomes['nieuw']}x al bijgewerkt; telkens alle "
        f"zaken; {time.monotonic() - began:.1f} s"
    )


def test_half_upgrade_left_by_an_older_version_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "half.sqlite"
    make_old_database(path, 50)
    # What the old, non-transactional upgrade left after a kill: the search table of 0003
    # committed, the revision still at 0002.
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE case_search_fts USING fts5(doc, tokenize = 'trigram')")
        conn.execute("CREATE VIEW case_search AS SELECT rowid AS case_id, doc FROM case_search_fts")
        conn.execute("CREATE INDEX ix_half_extra ON cases (city)")
    db = open_database(f"sqlite:///{path}")
    db.dispose()
    assert _revision(path) != OLD_REVISION
    assert case_count(path) == 50
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM case_search_fts").fetchone()[0] == 50
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "ix_half_extra" not in names


def test_repair_drops_only_what_the_old_revision_does_not_have(tmp_path: Path) -> None:
    path = tmp_path / "extra.sqlite"
    make_old_database(path, 3)
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE cases ADD COLUMN half_added TEXT")
        conn.execute("CREATE TABLE case_search_fts (x)")
    engine = transactional_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            dropped = repair_half_upgrade(connection, OLD_REVISION)
    finally:
        engine.dispose()
    assert sorted(dropped) == ["column cases.half_added", "table case_search_fts"]
    assert case_count(path) == 3


def test_pre_upgrade_copy_is_reused_and_never_half_written(tmp_path: Path) -> None:
    path = tmp_path / "oud.sqlite"
    make_old_database(path, 10)
    copy = tmp_path / f"oud.voor-upgrade-{OLD_REVISION}.sqlite"
    copy.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # a half-written copy of old
    db = open_database(f"sqlite:///{path}")
    db.dispose()
    assert db.backup_made == copy
    assert _revision(copy) == OLD_REVISION and case_count(copy) == 10
    assert [p.name for p in tmp_path.iterdir() if "voor-upgrade" in p.name] == [copy.name]
