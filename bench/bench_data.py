"""Cached benchmark data for both backends: the same demo cases in SQLite and in PostgreSQL.

SQLite: ``bench/.cache/overview-<N>-seed1.sqlite`` (``bibob-desk demo --cases N --seed 1``).
PostgreSQL: a database of its own, ``bibob_bench_<N>_<suffix>``, filled by the same generator with
the same seed; its officers and team lead are login roles named ``a.dekker_<suffix>`` …
``h.teamleider_<suffix>`` (roles are cluster-wide, so each cache has its own names) and its group
roles use the prefix ``bb<suffix>``. The names are kept in ``bench/.cache/pg-<N>-seed1.json`` so a
later run reuses the database; ``--drop-pg-cache`` drops the database and its roles.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SQLITE_USER = "bench"  # team lead (and beheerder, medewerker) on the SQLite training file
SQLITE_OFFICER = "c.bos"  # a medewerker of the demo
OFFICER_INDEX = 2  # c.bos in services.demo.OFFICERS


@dataclass(frozen=True)
class PgCache:
    admin_url: str  # owner/superuser URL of the bench database (RLS does not apply to it)
    database: str
    prefix: str
    officers: tuple[str, ...]
    lead: str

    def url(self, user: str | None = None) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url).set(database=self.database)
        if user:
            url = url.set(username=user, password=None)
        return url.render_as_string(hide_password=False)

    @property
    def officer(self) -> str:
        return self.officers[OFFICER_INDEX]


def child_env_base() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _ensure_bench_user(database: Any) -> None:
    """On SQLite the bench works as a team lead named 'bench' on the (training) demo file."""
    from sqlalchemy import select

    from bibob_desk.services.identity import mark_training
    from bibob_desk.storage.models import User

    with database.session() as session:
        mark_training(session)
        if session.execute(select(User).where(User.username == SQLITE_USER)).first() is None:
            session.add(
                User(
                    username=SQLITE_USER,
                    full_name=SQLITE_USER,
                    role="teamleider,beheerder,medewerker",
                )
            )


def ensure_sqlite(cases: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"overview-{cases}-seed1.sqlite"
    if not path.exists():
        partial = path.with_suffix(".partial.sqlite")
        for leftover in CACHE.glob(partial.name + "*"):
            leftover.unlink()
        print(f"SQLite: {cases} demozaken genereren (eenmalig) in {path} ...", flush=True)
        started = time.perf_counter()
        env = child_env_base()
        env.pop("BIBOB_DESK_USER", None)  # a fresh file is no training database yet
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
            env=env,
        )
        partial.rename(path)
        print(f"  klaar in {time.perf_counter() - started:.0f} s", flush=True)
    from bibob_desk.storage.database import current_revision, head_revision, open_database

    database = open_database(f"sqlite:///{path}")  # brings a cached file to the current schema
    _ensure_bench_user(database)
    try:
        assert current_revision(database.engine) == head_revision()
    finally:
        database.dispose()
    for backup in path.parent.glob(f"{path.stem}.voor-upgrade-*"):
        backup.unlink()
    return path


def _pg_cache_file(cases: int) -> Path:
    return CACHE / f"pg-{cases}-seed1.json"


def _database_exists(admin_url: str, name: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            return found is not None
    finally:
        engine.dispose()


def _admin(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ensure_postgresql(cases: int, admin_url: str) -> PgCache:
    """The cached bench database for ``cases`` (made once), upgraded to the current schema."""
    from sqlalchemy import create_engine, text

    CACHE.mkdir(exist_ok=True)
    admin_url = _admin(admin_url)
    cache_file = _pg_cache_file(cases)
    if cache_file.exists():
        data = json.loads(cache_file.read_text())
        cache = PgCache(
            admin_url=admin_url,
            database=data["database"],
            prefix=data["prefix"],
            officers=tuple(data["officers"]),
            lead=data["lead"],
        )
        if _database_exists(admin_url, cache.database) and data.get("complete"):
            _upgrade_pg(cache)
            return cache
        drop_postgresql(cache)
        cache_file.unlink()
    from bibob_desk.services import demo, users
    from bibob_desk.services.context import AppContext
    from bibob_desk.storage.database import open_database
    from bibob_desk.storage.models import User

    suffix = uuid.uuid4().hex[:6]
    cache = PgCache(
        admin_url=admin_url,
        database=f"bibob_bench_{cases}_{suffix}",
        prefix=f"bb{suffix}",
        officers=tuple(f"{name}_{suffix}" for name in demo.OFFICERS),
        lead=f"{users.DEMO_TEAM_LEAD}_{suffix}",
    )
    record = {k: v for k, v in asdict(cache).items() if k != "admin_url"}
    cache_file.write_text(json.dumps({**record, "complete": False}))
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{cache.database}"'))
    engine.dispose()
    print(f"PostgreSQL: {cases} demozaken genereren (eenmalig) in {cache.database} ...", flush=True)
    started = time.perf_counter()
    db = open_database(cache.url(), pg_role_prefix=cache.prefix)
    with db.session() as session:
        session.add(User(username="bench", full_name="bench", role="teamleider,beheerder"))
    saved = demo.OFFICERS, users.DEMO_TEAM_LEAD
    demo.OFFICERS, users.DEMO_TEAM_LEAD = cache.officers, cache.lead  # type: ignore[misc]
    try:
        demo.generate_demo_cases(AppContext(db, "bench"), cases, 1, logins=True)
    finally:
        demo.OFFICERS, users.DEMO_TEAM_LEAD = saved  # type: ignore[misc]
    db.dispose()
    _vacuum(cache)
    cache_file.write_text(json.dumps({**record, "complete": True}))
    print(f"  klaar in {time.perf_counter() - started:.0f} s", flush=True)
    return cache


def _vacuum(cache: PgCache) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(cache.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _upgrade_pg(cache: PgCache) -> None:
    from bibob_desk.storage.database import current_revision, head_revision, open_database

    db = open_database(cache.url(), pg_role_prefix=cache.prefix)
    try:
        upgraded = current_revision(db.engine) != head_revision()
        assert not upgraded
    finally:
        db.dispose()


def drop_postgresql(cache: PgCache) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(cache.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{cache.database}" WITH (FORCE)'))
        groups = ("medewerker", "teamleider", "beheerder")
        for role in (*cache.officers, cache.lead, *(f"{cache.prefix}_{g}" for g in groups)):
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()


def drop_pg_cache(cases: int, admin_url: str) -> None:
    cache_file = _pg_cache_file(cases)
    if not cache_file.exists():
        return
    data = json.loads(cache_file.read_text())
    drop_postgresql(
        PgCache(
            _admin(admin_url),
            data["database"],
            data["prefix"],
            tuple(data["officers"]),
            data["lead"],
        )
    )
    cache_file.unlink()
