"""Fault class: another program locks the database, or the disk is full.

Locked is "bezet" and full is "schijf vol", never "beschadigd"; nothing is replaced or lost,
and the same command works once the lock is gone.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import sqlite3
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

import bibob_desk.storage.database as database
from bibob_desk.cli import main
from bibob_desk.storage import files
from bibob_desk.storage.database import DiskFullError, database_error_from, open_database
from tests.faults.cli import run
from tests.faults.old_database import case_count


@pytest.fixture
def live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "bibob.sqlite"
    assert run(capsys, path, "demo", "--cases", "5")[0] == 0
    return path


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 200)


def _lock_exclusively(path: Path) -> sqlite3.Connection:
    """What another program does with ``PRAGMA locking_mode=EXCLUSIVE`` and a write."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("UPDATE cases SET title = title")
    return other


@pytest.mark.usefixtures("short_wait")
def test_locked_database_is_busy_not_damaged_and_works_afterwards(
    live: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = _lock_exclusively(live)
    try:
        for command in (("cases", "list"), ("report", "--year", "2026", "--json")):
            code, out, err = run(capsys, live, *command)
            assert code == 1 and out == ""
            assert "bezet" in err and "beschadigd" not in err and "Traceback" not in err
    finally:
        other.rollback()
        other.close()
    assert run(capsys, live, "cases", "list")[0] == 0  # the retry once the lock is gone


@pytest.mark.usefixtures("short_wait")
def test_restore_over_a_locked_database_replaces_nothing(
    live: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    backup = tmp_path / "kopie.sqlite"
    assert run(capsys, live, "backup", "--out", str(backup))[0] == 0
    before = live.read_bytes()
    folder = live.parent / "backups"  # the back-up above left its audit anchor there (issue 11)
    in_folder = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    other = _lock_exclusively(live)
    try:
        for extra in ((), ("--confirm", live.name)):
            code, _, err = run(capsys, live, "restore", str(backup), *extra)
            assert code == 1 and "bezet" in err and "beschadigd" not in err
        code, _, err = run(
            capsys, live, "--user", "niet.bestaand", "restore", str(backup), "--confirm", live.name
        )
        assert code == 1
    finally:
        other.rollback()
        other.close()
    assert live.read_bytes() == before
    # No safety copy: nothing was started.
    assert (sorted(p.name for p in folder.iterdir()) if folder.exists() else []) == in_folder


def test_full_database_disk_is_schijf_vol(live: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(live) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    engine_url = f"sqlite:///{live}"
    db = open_database(engine_url)
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA max_page_count={pages}")
            with pytest.raises(Exception) as caught:
                connection.exec_driver_sql("CREATE TABLE vol (x)")
                connection.exec_driver_sql(
                    "INSERT INTO vol SELECT zeroblob(100000) FROM cases, cases, cases"
                )
                connection.commit()
    finally:
        db.dispose()
    error = database_error_from(caught.value, engine_url)
    assert isinstance(error, DiskFullError)
    assert "schijf" in str(error) and "vol" in str(error) and "beschadigd" not in str(error)
    assert case_count(live) == 5


def test_output_file_on_a_full_disk_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"

    def writer(handle: BinaryIO) -> None:
        handle.write(b"%PDF-1.7 half" * 2000)  # part of the file made it to disk
        handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(files.OutputFileError, match="De schijf is vol"):
        files.write_with(target, writer)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork bestaat alleen op POSIX")
def test_backup_past_the_file_size_limit_leaves_nothing(
    live: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "uit"
    out_dir.mkdir()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        sys.stderr = open(write_fd, "w", closefd=False)  # noqa: SIM115 - the child's stderr
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, resource.RLIM_INFINITY))
        try:
            main(["--db", str(live), "backup", "--out", str(out_dir / "b.sqlite")])
        except SystemExit as exc:
            sys.stderr.flush()
            os._exit(int(exc.code or 0))
        except BaseException:
            os._exit(9)
        os._exit(0)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_fd, "rb") as handle:
        err = handle.read().decode()
    assert os.WEXITSTATUS(status) == 1, err
    assert "Geen back-up gemaakt" in err and "Traceback" not in err and err.count("\n") == 1
    assert list(out_dir.iterdir()) == []
    assert run(capsys, live, "cases", "list", "--json")[0] == 0
    json.loads(run(capsys, live, "cases", "list", "--json")[1])
