"""pgaudit: a read through ``psql`` by an officer is logged by the server itself (issue 11).

pgaudit must be preloaded when the server starts, and the shared test server cannot be
restarted, so this test starts a throwaway PostgreSQL cluster of its own (``initdb`` in a
temporary folder, a Unix socket there, no TCP port) with ``shared_preload_libraries = pgaudit``,
and stops and removes it afterwards. It skips, saying why, where ``initdb`` or the extension
(Debian: ``postgresql-15-pgaudit``; .ci/run installs it) is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bibob_desk.storage import pg_audit
from bibob_desk.storage.database import open_database

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _missing() -> str | None:
    if os.name != "posix":
        return "pgaudit-test alleen op Linux"
    if not (PG_BIN / "initdb").exists():
        return f"initdb ontbreekt ({PG_BIN}); PostgreSQL 15-server niet geïnstalleerd"
    libdir = subprocess.run(
        [str(PG_BIN / "pg_config"), "--pkglibdir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not (Path(libdir) / "pgaudit.so").exists():
        return "pgaudit is niet geïnstalleerd (Debian: apt-get install postgresql-15-pgaudit)"
    return None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: then as the postgres account."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="module")
def pgaudit_cluster() -> Iterator[tuple[str, Path]]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="bibob-pgaudit-"))
    data, log = folder / "data", folder / "server.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = str(20000 + uuid.uuid4().int % 20000)
    try:
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses='' "
            "-c shared_preload_libraries=pgaudit -c log_line_prefix='%m [%p] %u@%d ' "
            "-c fsync=off"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"wegwerpcluster voor pgaudit start niet: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}&port={port}", log
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_an_officers_psql_read_is_logged_by_the_server(
    pgaudit_cluster: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin_url, log = pgaudit_cluster
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE DATABASE "bibob"'))
    url = admin_url.replace("/postgres?", "/bibob?")
    monkeypatch.setenv("BIBOB_DESK_PG_ROLE_PREFIX", "bibob")
    open_database(url).dispose()  # the Bibob schema, groups and row-level security
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text('CREATE ROLE "a.dekker" LOGIN IN ROLE bibob_medewerker'))
        conn.execute(
            text(
                "INSERT INTO users (username, full_name, role, active) "
                "VALUES ('a.dekker', 'A. Dekker', 'medewerker', true)"
            )
        )
        pg_audit.enable_pgaudit(conn, "bibob_auditor")
    officer = create_engine(url.replace("postgres@", "a.dekker@"), isolation_level="AUTOCOMMIT")
    with officer.connect() as conn:
        conn.execute(text("SELECT reference FROM cases WHERE title = :t"), {"t": "Zoekterm X9"})
        conn.execute(text("SELECT name FROM parties"))
    officer.dispose()
    engine.dispose()
    admin.dispose()
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if "AUDIT:" in line]
    reads = [line for line in lines if "a.dekker@bibob" in line and "READ,SELECT" in line]
    assert any("public.cases" in line for line in reads), lines[-5:]
    assert any("public.parties" in line for line in reads), lines[-5:]
    # pgaudit.log_parameter = off: the statement is logged, the bound search term is not.
    assert "Zoekterm X9" not in log.read_text(encoding="utf-8")
