"""Kill a writing process with SIGKILL at random moments: nothing acknowledged may be lost.

A child process opens cases through CaseService on an SQLite file and reports each reference
only after its transaction committed. After 25 kills the file must pass
``PRAGMA integrity_check`` and hold every reported reference.

The child is forked from the test process (modules already imported), so a kill cycle costs
milliseconds instead of a fresh interpreter start.
"""

from __future__ import annotations

import os
import random
import select
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from bibob_desk.services.audit import verify_log
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.conftest import make_user

KILLS = 25


def _child(url: str, write_fd: int) -> None:
    """Runs in the forked child: write cases for ever, report each acknowledged commit."""
    try:
        db = open_database(url)
        service = CaseService(AppContext(db, "schrijver"))
        os.write(write_fd, b"klaar\n")
        n = 0
        while True:
            n += 1
            case = service.open_case(
                {
                    "title": f"Crashtest {os.getpid()}-{n}",
                    "area": "exploitatie_horeca",
                    "application_date": "2026-05-01",
                },
                [PartyInput(name=f"Partij {os.getpid()}-{n} B.V.")],
            )
            os.write(write_fd, case.reference.encode() + b"\n")
    except BaseException:
        os._exit(3)


def _read_available(fd: int, timeout: float) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
        timeout = 0.0
    return b"".join(chunks)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork en SIGKILL bestaan alleen op POSIX")
def test_sigkill_never_loses_an_acknowledged_commit(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite"
    url = f"sqlite:///{path}"
    db = open_database(url)
    make_user(db, "schrijver", "teamleider")
    db.dispose()
    rng = random.Random(20261125)
    acknowledged: list[str] = []
    started = time.monotonic()
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            _child(url, write_fd)
            os._exit(0)
        os.close(write_fd)
        try:
            first = b""
            while b"\n" not in first:
                more = _read_available(read_fd, 10.0)
                assert more, "het kindproces startte niet"
                first += more
            time.sleep(rng.uniform(0.05, 0.6))
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            first += _read_available(read_fd, 0.5)
        finally:
            os.close(read_fd)
        lines = first.decode().splitlines()
        assert lines[0] == "klaar"
        acknowledged.extend(line for line in lines[1:] if line.startswith("BIB-"))
    elapsed = time.monotonic() - started

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT reference FROM cases")}
        parties = conn.execute("SELECT count(*) FROM case_parties").fetchone()[0]
        opened = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'registreren'"
        ).fetchone()[0]
    missing = [ref for ref in acknowledged if ref not in stored]
    assert not missing, f"bevestigd maar verloren: {missing[:5]}"
    assert len(acknowledged) >= KILLS  # the kills really hit a busy writer
    assert len(set(acknowledged)) == len(acknowledged)  # no reference handed out twice
    assert parties == len(stored)  # no half-written case (a case without its party)
    assert opened == len(stored)  # every case's audit entry committed with it
    db = open_database(url)
    try:
        assert verify_log(AppContext(db, "schrijver")).ok
    finally:
        db.dispose()
    print(
        f"{KILLS} kills, {len(acknowledged)} bevestigde zaken, {len(stored)} opgeslagen, "
        f"{elapsed:.1f} s"
    )
