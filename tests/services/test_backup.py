"""Back-up and restore on SQLite and PostgreSQL; scheduled back-ups with rotation."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.services import audit
from bibob_desk.services.audit import verify_log
from bibob_desk.services.backup import (
    BackupError,
    automatic_backups,
    backup_if_due,
    database_state,
    inspect_backup,
    make_backup,
    restore_backup,
)
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.settings import SettingsService
from bibob_desk.storage.database import Database, open_database
from bibob_desk.storage.models import Setting
from tests.conftest import grant_role, make_user
from tests.storage.test_pg_security import Roles, roles  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _user_registered(request: pytest.FixtureRequest) -> None:
    """The test user is made behind the services' back (conftest.make_user); a real database
    logs its first user, and a restore refuses a back-up with users but an empty log."""
    for name in ("context", "sqlite_context"):
        if name in request.fixturenames:
            context = request.getfixturevalue(name)
            with context.db.session() as session:
                audit.record(session, context.user, audit.USER_ADDED, None, {"test": True})


BASE = {
    "title": "Nieuwbouw hotel Stationsplein",
    "area": "omgevingsvergunning_bouw",
    "application_date": "2026-04-01",
    "bouwsom": "€ 2.500.000,00",
    "postcode": "9401 HK",
}


def test_backup_and_restore_round_trip(context: AppContext, tmp_path: Path) -> None:
    service = CaseService(context)
    kept = service.open_case(
        BASE, [PartyInput(name="Hotel Groep B.V.", kvk_number="12345678", role="aanvrager")]
    )
    out = tmp_path / ("backup.sqlite" if context.db.url.startswith("sqlite") else "backup.json")
    info = make_backup(context, out)
    assert info.cases == 1
    later = service.open_case({**BASE, "title": "Na de back-up"})
    result = restore_backup(context.db.url, out, "tester", safety_folder=tmp_path / "veilig")
    assert result.safety_copy is not None and result.safety_copy.exists()
    db = open_database(context.db.url)
    try:
        again = AppContext(db, "tester")
        restored = CaseService(again).list()
        assert [c.reference for c in restored] == [kept.reference]
        full = CaseService(again).get(kept.reference)
        assert full.bouwsom == kept.bouwsom and full.parties[0].kvk_number == "12345678"
        # the number handed out after the back-up is handed out again: it was never used
        assert CaseService(again).open_case(BASE).reference == later.reference
        assert verify_log(again).ok
    finally:
        db.dispose()


def test_safety_copy_holds_the_replaced_data(context: AppContext, tmp_path: Path) -> None:
    service = CaseService(context)
    out = tmp_path / ("b.sqlite" if context.db.url.startswith("sqlite") else "b.json")
    make_backup(context, out)
    service.open_case(BASE)
    result = restore_backup(context.db.url, out, "tester", safety_folder=tmp_path / "veilig")
    assert result.safety_copy is not None
    assert inspect_backup(result.safety_copy).cases == 1
    assert inspect_backup(out).cases == 0


def test_officer_may_not_make_a_backup(context: AppContext, tmp_path: Path) -> None:
    make_user(context.db, "mw", "medewerker")
    with pytest.raises(PermissionDenied):
        make_backup(AppContext(context.db, "mw"), tmp_path / "x.sqlite")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "geen Bibob Desk-back-up"),
        (b"hallo wereld", "geen Bibob Desk-back-up"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "beschadigd"),
        (b'{"format": "iets anders", "tables": {}}', "geen Bibob Desk-back-up"),
        (b"{niet json", "onleesbaar"),
        (
            b'{"format": "bibob-desk-dump", "schema_revision": "9999_toekomst", "tables": {}}',
            "onbekende schemaversie",
        ),
    ],
)
def test_bad_backup_files_are_refused_before_anything_changes(
    sqlite_context: AppContext, tmp_path: Path, content: bytes, message: str
) -> None:
    CaseService(sqlite_context).open_case(BASE)
    bad = tmp_path / "slecht.bak"
    bad.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        restore_backup(sqlite_context.db.url, bad, "tester", safety_folder=tmp_path / "v")
    assert CaseService(sqlite_context).count() == 1
    assert not (tmp_path / "v").exists()


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "ander.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE boeken (titel TEXT)")
    with pytest.raises(BackupError, match="geen Bibob Desk-database"):
        inspect_backup(foreign)


def test_restore_over_a_damaged_database(sqlite_context: AppContext, tmp_path: Path) -> None:
    CaseService(sqlite_context).open_case(BASE)
    out = make_backup(sqlite_context, tmp_path / "goed.sqlite").path
    url = sqlite_context.db.url
    sqlite_context.db.dispose()
    live = Path(url.removeprefix("sqlite:///"))
    live.write_bytes(b"dit is geen database" * 100)
    assert database_state(url) == "corrupt"
    result = restore_backup(url, out, "tester", safety_folder=tmp_path / "veilig")
    assert result.safety_copy is not None
    assert result.safety_copy.read_bytes().startswith(b"dit is geen database")
    assert database_state(url) == "ok"
    db = open_database(url)
    try:
        assert CaseService(AppContext(db, "tester")).count() == 1
    finally:
        db.dispose()


def test_backup_if_due_rotates(sqlite_context: AppContext, tmp_path: Path) -> None:
    settings = SettingsService(grant_role(sqlite_context))
    settings.set("backup.folder", str(tmp_path / "auto"))
    settings.set("backup.keep", 3)
    settings.set("backup.interval_hours", 24)
    start = datetime(2026, 11, 1, 9, 0, 0)
    made = []
    for hours in (0, 1, 25, 49, 50, 80, 200):
        result = backup_if_due(sqlite_context, start + timedelta(hours=hours))
        made.append(result is not None)
    assert made == [True, False, True, True, False, True, True]
    kept = automatic_backups(tmp_path / "auto")
    assert [when for when, _ in kept] == [start + timedelta(hours=h) for h in (49, 80, 200)]
    assert all(inspect_backup(path).kind == "sqlite" for _, path in kept)


def test_interval_zero_switches_scheduled_backups_off(
    sqlite_context: AppContext, tmp_path: Path
) -> None:
    settings = SettingsService(grant_role(sqlite_context))
    settings.set("backup.folder", str(tmp_path / "auto"))
    settings.set("backup.interval_hours", 0)
    assert backup_if_due(sqlite_context) is None


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("backup.interval_hours", '"elke dag"'),
        ("backup.interval_hours", "-4"),
        ("backup.keep", "0"),
        ("backup.keep", "true"),
        ("backup.folder", "12"),
    ],
)
def test_malformed_backup_settings_give_a_dutch_message(
    sqlite_context: AppContext, key: str, raw: str
) -> None:
    with sqlite_context.db.session() as session:
        session.add(Setting(key=key, value=raw))
    with pytest.raises(ValidationError, match=key):
        backup_if_due(sqlite_context)
    json.loads(raw)  # the stored value itself was valid JSON: the check is ours


def test_sqlite_backup_restores_into_the_other_backend(context: AppContext, tmp_path: Path) -> None:
    """A back-up moves between SQLite and PostgreSQL (the JSON dump and the SQLite file)."""
    source = open_database(f"sqlite:///{tmp_path / 'bron.sqlite'}")
    try:
        make_user(source, "tester", "teamleider,beheerder")
        made = CaseService(AppContext(source, "tester")).open_case(
            BASE, [PartyInput(name="Verhuisde B.V.", kvk_number="11223344")]
        )
        sqlite_file = make_backup(AppContext(source, "tester"), tmp_path / "bron-kopie.sqlite").path
        json_file = tmp_path / "bron.json"
        from bibob_desk.services.backup import _write_json_dump

        _write_json_dump(source, json_file)
    finally:
        source.dispose()
    for backup in (sqlite_file, json_file):
        restore_backup(context.db.url, backup, "tester", safety_folder=tmp_path / "veilig")
        db = open_database(context.db.url)
        try:
            case = CaseService(AppContext(db, "tester")).get(made.reference)
            assert case.bouwsom == made.bouwsom and case.parties[0].name == "Verhuisde B.V."
        finally:
            db.dispose()


# --- the audit log inside a back-up (issue 11) ---------------------------------------------


def _json_backup(context: AppContext, tmp_path: Path) -> Path:
    """A JSON dump of the database, whatever the backend (the crafted-dump tests edit it)."""
    from bibob_desk.services.backup import write_backup

    if context.db.url.startswith("sqlite"):
        from bibob_desk.services.backup import _write_json_dump

        out = tmp_path / "dump.json"
        _write_json_dump(context.db, out)
        return out
    return write_backup(context.db, tmp_path / "dump.json")


def _restore_refused(context: AppContext, dump: Path, tmp_path: Path, match: str) -> None:
    before = CaseService(context).list()
    with pytest.raises(BackupError, match=match):
        restore_backup(context.db.url, dump, "tester", safety_folder=tmp_path / "veilig")
    assert [c.reference for c in CaseService(context).list()] == [c.reference for c in before]


def test_crafted_dump_with_all_roles_and_an_empty_log_is_refused(
    context: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.users import UserService

    grant_role(context, "beheerder")
    UserService(context).add("officier", ["medewerker"])
    CaseService(context).open_case(BASE)
    dump = _json_backup(context, tmp_path)
    document = json.loads(dump.read_text(encoding="utf-8"))
    for user in document["tables"]["users"]:
        if user["username"] == "officier":
            user["role"] = "medewerker,teamleider,beheerder"
    document["tables"]["audit_log"] = []
    document["tables"]["audit_head"] = []
    document.pop("audit_anker")
    dump.write_text(json.dumps(document), encoding="utf-8")
    _restore_refused(context, dump, tmp_path, "logboek is leeg")


def test_dump_with_roles_the_log_never_granted_is_refused(
    context: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.users import UserService

    grant_role(context, "beheerder")
    UserService(context).add("officier", ["medewerker"])
    dump = _json_backup(context, tmp_path)
    document = json.loads(dump.read_text(encoding="utf-8"))
    for user in document["tables"]["users"]:
        if user["username"] == "officier":
            user["role"] = "medewerker,teamleider,beheerder"
    dump.write_text(json.dumps(document), encoding="utf-8")
    _restore_refused(context, dump, tmp_path, "Gebruiker officier heeft in de back-up de rollen")


def test_dump_with_an_edited_audit_row_is_refused_naming_it(
    context: AppContext, tmp_path: Path
) -> None:
    CaseService(context).open_case(BASE)
    dump = _json_backup(context, tmp_path)
    document = json.loads(dump.read_text(encoding="utf-8"))
    row = document["tables"]["audit_log"][1]
    row["user"] = "iemand.anders"
    dump.write_text(json.dumps(document), encoding="utf-8")
    _restore_refused(context, dump, tmp_path, f"Regel {row['id']}: de inhoud is gewijzigd")


def test_dump_with_a_recomputed_chain_fails_on_its_own_anchor(
    context: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.audit import GENESIS_HASH, entry_hash

    CaseService(context).open_case(BASE)
    dump = _json_backup(context, tmp_path)
    document = json.loads(dump.read_text(encoding="utf-8"))
    rows = document["tables"]["audit_log"]
    rows[0]["detail"] = '{"test": false}'
    prev = GENESIS_HASH
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(
            prev,
            datetime.fromisoformat(row["at"]),
            row["user"],
            row["action"],
            row["case_reference"],
            row["detail"],
        )
    document["tables"]["audit_head"][0]["last_hash"] = prev
    dump.write_text(json.dumps(document), encoding="utf-8")
    _restore_refused(context, dump, tmp_path, "anker")


def test_backup_entry_only_after_the_backup_exists(context: AppContext, tmp_path: Path) -> None:
    from bibob_desk.services.audit import list_entries

    blocked = tmp_path / "bestand"
    blocked.write_text("geen map", encoding="utf-8")
    from bibob_desk.storage.files import OutputFileError

    with pytest.raises((BackupError, OutputFileError)):  # "… is geen map" (storage/files.py)
        make_backup(context, blocked / "b.json")
    assert [e for e in list_entries(context) if e.action == audit.BACKUP] == []
    out = tmp_path / ("b.sqlite" if context.db.url.startswith("sqlite") else "b.json")
    make_backup(context, out)
    made = [e for e in list_entries(context) if e.action == audit.BACKUP]
    assert len(made) == 1 and made[0].detail["bestand"] == str(out)
    # The back-up carries the head of its own log (beside an SQLite file, inside a JSON dump).
    from bibob_desk.services.audit_anchor import read_anchor_file
    from bibob_desk.services.backup import backup_anchor

    anchor = backup_anchor(out)
    assert anchor.entry_count >= 1 and anchor.last_id < made[0].id
    if out.suffix == ".sqlite":
        beside = read_anchor_file(out.with_name(out.name + ".anker.json"))
        assert (beside.entry_count, beside.last_hash) == (anchor.entry_count, anchor.last_hash)


def test_restore_is_the_next_entry_of_the_restored_log(context: AppContext, tmp_path: Path) -> None:
    from bibob_desk.services.audit import list_entries

    CaseService(context).open_case(BASE)
    out = tmp_path / ("b.sqlite" if context.db.url.startswith("sqlite") else "b.json")
    make_backup(context, out)
    restore_backup(context.db.url, out, "tester", safety_folder=tmp_path / "veilig")
    db = open_database(context.db.url)
    try:
        again = AppContext(db, "tester")
        entries = list_entries(again)
        assert entries[-1].action == audit.RESTORE or entries[-2].action == audit.RESTORE
        assert verify_log(again).ok
    finally:
        db.dispose()


def test_scheduled_backup_is_not_made_by_a_role_that_sees_part_of_the_cases(
    db: Database,
    roles: Roles,  # noqa: F811
    tmp_path: Path,
) -> None:
    """On PostgreSQL an officer's GUI would dump only their own cases: no back-up at all."""
    from bibob_desk.services.users import UserService

    make_user(db, "dba", "beheerder")
    officer = roles.name("a.dekker")
    UserService(AppContext(db, "dba")).add(officer, ["medewerker"])
    settings = SettingsService(AppContext(db, "dba"))
    settings.set("backup.folder", str(tmp_path / "auto"))
    settings.set("backup.interval_hours", 24)
    as_officer = AppContext(roles.open(officer), officer)
    assert backup_if_due(as_officer) is None
    assert not (tmp_path / "auto").exists() or not any((tmp_path / "auto").iterdir())
    assert backup_if_due(AppContext(db, "dba")) is not None  # the owner reads every case
