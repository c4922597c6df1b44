"""``bibob-desk backup`` / ``restore`` from the outside, including a damaged database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibob_desk.cli import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *args])  # as the OS login
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def count_cases(capsys: pytest.CaptureFixture[str], db: Path) -> int:
    code, out, _ = run(capsys, db, "cases", "list", "--json")
    assert code == 0
    return len(json.loads(out))


def test_backup_then_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bibob.sqlite"
    assert run(capsys, db, "demo", "--cases", "4")[0] == 0
    out = tmp_path / "kopie.sqlite"
    code, stdout, _ = run(capsys, db, "backup", "--out", str(out))
    assert code == 0 and str(out) in stdout
    assert run(capsys, db, "demo", "--cases", "3", "--seed", "9")[0] == 0
    assert count_cases(capsys, db) == 7
    code, stdout, _ = run(capsys, db, "restore", str(out))
    assert code == 0 and "Veiligheidskopie" in stdout
    assert count_cases(capsys, db) == 4
    assert run(capsys, db, "audit", "verify")[0] == 0


def test_damaged_database_names_restore_and_restore_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bibob.sqlite"
    assert run(capsys, db, "demo", "--cases", "2")[0] == 0
    out = tmp_path / "kopie.sqlite"
    assert run(capsys, db, "backup", "--out", str(out))[0] == 0
    db.write_bytes(b"\x00garbage" * 512)
    code, stdout, err = run(capsys, db, "cases", "list")
    assert code == 1 and stdout == ""
    assert "bibob-desk restore" in err and err.count("\n") == 1
    assert "Traceback" not in err
    code, _, err = run(capsys, db, "restore", str(out))
    assert code == 1 and "--confirm bibob.sqlite" in err
    assert run(capsys, db, "restore", str(out), "--confirm", "bibob.sqlite")[0] == 0
    assert count_cases(capsys, db) == 2


def test_restore_refuses_a_non_backup_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bibob.sqlite"
    assert run(capsys, db, "demo", "--cases", "2")[0] == 0
    junk = tmp_path / "notities.txt"
    junk.write_text("geen back-up")
    code, _, err = run(capsys, db, "restore", str(junk))
    assert code == 1 and "niets gewijzigd" in err
    code, _, err = run(capsys, db, "restore", str(tmp_path / "bestaat-niet.sqlite"))
    assert code == 1 and "bestaat niet" in err
    assert count_cases(capsys, db) == 2


def test_backup_to_a_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bibob.sqlite"
    code, _, err = run(capsys, db, "backup", "--out", str(tmp_path))
    assert code == 2 and "map" in err
