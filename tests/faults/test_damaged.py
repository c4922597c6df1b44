"""Fault class: a damaged page in the middle of the database file.

The damage must be found and named ("beschadigd", exit 1, a restore hint) by every command
that shows figures or a verdict, by any command that reads the damaged page, by ``backup``
(which then leaves nothing at ``--out``), and by the GUI's background check.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bibob_desk.storage.database import open_database, quick_check
from bibob_desk.storage.files import TEMP_PREFIX
from tests.faults.cli import run
from tests.faults.damage import damage_cases_page
from tests.faults.old_database import make_old_database

CASES = 3000


@pytest.fixture
def damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    path = tmp_path / "bibob.sqlite"
    make_old_database(path, CASES)
    open_database(f"sqlite:///{path}").dispose()  # upgraded to the current schema
    assert run(capsys, path, "cases", "list", "--limit", "1")[0] == 0  # registers the login
    good = tmp_path / "backups" / "bibob-desk-backup-20261201-090000.sqlite"
    assert run(capsys, path, "backup", "--out", str(good))[0] == 0
    damage_cases_page(path)
    return path, good


def _one_dutch_line(err: str) -> None:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err and "malformed" not in err


@pytest.mark.parametrize(
    "command",
    [
        ("report", "--year", "2026", "--json"),
        ("audit", "verify"),
        ("cases", "list", "--limit", "100000"),
    ],
)
def test_damage_is_named_with_exit_1_and_the_newest_good_backup(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    path, good = damaged
    code, out, err = run(capsys, path, *command)
    assert code == 1, (out, err)
    assert "beschadigd" in err and str(good) in err and "--confirm bibob.sqlite" in err
    _one_dutch_line(err)


def test_backup_of_a_damaged_database_blames_the_database_and_leaves_nothing(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path, _ = damaged
    out = tmp_path / "uit" / "kopie.sqlite"
    out.parent.mkdir()
    code, _, err = run(capsys, path, "backup", "--out", str(out))
    assert code == 1
    assert f"De database {path} is beschadigd" in err and "geen back-up" in err
    _one_dutch_line(err)
    assert list(out.parent.iterdir()) == []


def test_restore_over_the_damaged_database_needs_the_typed_name(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, good = damaged
    code, _, err = run(capsys, path, "restore", str(good))
    assert code == 1 and "--confirm bibob.sqlite" in err
    code, _, err = run(capsys, path, "restore", str(good), "--confirm", "ander.sqlite")
    assert code == 1
    code, _, err = run(
        capsys, path, "--user", "niet.bestaand", "restore", str(good), "--confirm", "bibob.sqlite"
    )
    assert code == 1 and "--user" in err
    code, out, err = run(capsys, path, "restore", str(good), "--confirm", "bibob.sqlite")
    assert code == 0 and "Veiligheidskopie" in out, err
    assert quick_check(path) is None
    code, out, _ = run(capsys, path, "cases", "list", "--limit", "100000", "--json")
    assert code == 0


def test_quick_check_finds_the_damage_and_its_cost(damaged: tuple[Path, Path]) -> None:
    path, good = damaged
    started = time.perf_counter()
    assert quick_check(path) is not None
    damaged_seconds = time.perf_counter() - started
    assert quick_check(good) is None
    print(f"quick_check {path.stat().st_size / 1e6:.1f} MB: {damaged_seconds * 1000:.0f} ms")


def test_no_temporary_files_left_after_a_refused_backup(
    damaged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = damaged
    out = path.parent / "kopie.sqlite"
    run(capsys, path, "backup", "--out", str(out))
    assert not out.exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(TEMP_PREFIX)]
