"""``bibob-desk audit`` and ``users`` from the outside: exit codes, JSON, bootstrap."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bibob_desk.cli import main
from tests.conftest import login_name


def run(
    capsys: pytest.CaptureFixture[str], db: Path, *args: str, user: str | None = None
) -> tuple[int, str, str]:
    """As the OS login, or as ``user`` (the demo made a training database, where --user works)."""
    as_user = ["--user", user] if user else []
    try:
        code = main(["--db", str(db), *as_user, *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "bibob.sqlite"
    assert run(capsys, path, "demo", "--cases", "3")[0] == 0
    return path


def test_first_user_is_registered_and_others_refused(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, db, "users", "list", "--json")
    assert code == 0
    users = {u["username"]: u for u in json.loads(out)}
    assert set(users[login_name()]["roles"]) == {"medewerker", "teamleider", "beheerder"}
    assert users["a.dekker"]["roles"] == ["medewerker"]
    code, out, err = run(capsys, db, "cases", "list", user="onbekend")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "niet bekend" in err


def test_users_add_and_deactivate(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            capsys, db, "users", "add", "n.nieuw", "--role", "teamleider", "--full-name", "N. Nieuw"
        )[0]
        == 0
    )
    assert run(capsys, db, "cases", "list", user="n.nieuw")[0] == 0
    assert run(capsys, db, "users", "deactivate", "n.nieuw")[0] == 0
    assert run(capsys, db, "cases", "list", user="n.nieuw")[0] == 1
    code, _, err = run(capsys, db, "users", "add", "x", "--role", "koning")
    assert code == 2 and "Onbekende rol" in err
    code, _, err = run(capsys, db, "users", "add", "y", "--role", "medewerker", user="a.dekker")
    assert code == 1 and "beheerder" in err


def test_audit_list_and_verify(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "cases", "list", "--json")
    reference = json.loads(out)[0]["reference"]
    assert run(capsys, db, "cases", "show", reference)[0] == 0
    code, out, _ = run(capsys, db, "audit", "list", "--case", reference, "--json")
    assert code == 0
    entries = json.loads(out)
    assert [e["action"] for e in entries] == ["registreren", "bekijken"]
    assert set(entries[1]) >= {"at", "user", "action", "detail"}
    assert entries[1]["user"] == login_name()
    code, out, _ = run(capsys, db, "audit", "verify")
    assert code == 0 and "in orde" in out

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET user = 'mallory' WHERE id = 2")
    code, out, err = run(capsys, db, "audit", "verify")
    assert code == 1
    assert "Regel 2" in err and err.count("\n") == 1


def test_audit_verify_finds_deleted_last_entry(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(db) as conn:
        last = conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
        conn.execute("DELETE FROM audit_log WHERE id = ?", (last,))
    code, _, err = run(capsys, db, "audit", "verify", "--json")
    assert code == 1 and "ontbreken" in err


def test_audit_list_bad_reference_is_usage_error(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, db, "audit", "list", "--case", "zaak-12")
    assert code == 2 and err.startswith("bibob-desk: ")
