"""Fault class: hostile input on the command line. One Dutch line, exit 2 (bad input) or 1
(refusal), never a traceback, a hang or a runaway process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.cli import main
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.input_files import ONE_MB, read_limited_text

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> None:
    assert err.startswith("bibob-desk: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


@pytest.fixture
def live(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "bibob.sqlite"
    assert run(capsys, "--db", str(path), "demo", "--cases", "3")[0] == 0
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("cases", "list", "--limit", "99999999999999999999999999999"),
        ("cases", "list", "--search", "café\x00'; DROP TABLE cases"),
        ("cases", "list", "--search", "x" * 100_000),
        ("cases", "show", "BIB-2026-0001\x1b[2J"),
        ("cases", "list", "--search", "\udcff\udcfe"),  # non-UTF-8 bytes, as Python decodes them
        (
            "letter",
            "--case",
            "BIB-2026-0001",
            "--type",
            "besluit",
            "--out",
            "{tmp}/" + "a" * 300 + ".pdf",
        ),
        ("backup", "--out", "{tmp}/" + "../" * 2000 + "x.sqlite"),
    ],
)
def test_hostile_arguments_exit_2_with_one_dutch_line(
    live: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], tmp_path: Path
) -> None:
    # File options always point inside this test's own folder.
    args = tuple(a.replace("{tmp}", str(tmp_path)) for a in args)
    code, out, err = run(capsys, "--db", str(live), *args)
    assert code == 2, (out, err)
    _one_line(err)


def test_a_long_file_name_is_refused_by_the_output_check(
    live: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "--db", str(live), "backup", "--out", str(tmp_path / ("b" * 300 + ".sqlite"))
    )
    assert code == 2 and "te lang" in err
    _one_line(err)


def test_policy_from_dev_zero_a_fifo_or_a_huge_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "beleid.json"
    os.mkfifo(fifo)  # nobody writes to it: reading would hang for ever
    huge = tmp_path / "groot.json"
    huge.write_bytes(b" " * (ONE_MB + 1))
    for policy, expected in (
        ("/dev/zero", "geen gewoon bestand"),
        (str(fifo), "geen gewoon bestand"),
        (str(huge), "te groot"),
        (str(tmp_path), "geen gewoon bestand"),
    ):
        code, _, err = run(capsys, "check", "--policy", policy, "--area", "exploitatie_horeca")
        assert code == 2 and expected in err, (policy, err)
        _one_line(err)


def test_a_file_growing_past_the_limit_while_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "beleid.json"
    path.write_bytes(b"{}" * 10)
    with pytest.raises(ValidationError, match="te groot"):
        read_limited_text(path, "het beleidsbestand", "policy", limit=8)


def test_broken_pipe_ends_quietly(live: Path) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "bibob_desk", "--db", str(live), "cases", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()  # what `| head -1` does
    err = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_json_restore_with_a_bad_date_or_amount_changes_nothing(
    live: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bibob_desk.services.backup import DUMP_FORMAT, dump_tables
    from bibob_desk.storage.database import head_revision, open_database

    db = open_database(f"sqlite:///{live}")
    try:
        with db.engine.connect() as connection:
            tables = dump_tables(connection)
    finally:
        db.dispose()
    for column, bad in (("application_date", "31-02-2026"), ("bouwsom", "veel geld")):
        broken = json.loads(json.dumps(tables))
        broken["cases"][0][column] = bad
        dump = tmp_path / f"kapot-{column}.json"
        dump.write_text(
            json.dumps(
                {
                    "format": DUMP_FORMAT,
                    "version": 1,
                    "schema_revision": head_revision(),
                    "tables": broken,
                }
            )
        )
        before = live.read_bytes()
        code, _, err = run(capsys, "--db", str(live), "restore", str(dump))
        assert code == 1 and "ongeldige waarde" in err and "niets gewijzigd" in err, err
        _one_line(err)
        assert live.read_bytes() == before


def test_nul_bytes_from_a_form_never_reach_the_database(context: Any) -> None:
    from bibob_desk.services.cases import CaseFilter, CaseService, PartyInput

    service = CaseService(context)
    case = service.open_case(
        {
            "title": "Café\x00 De Nul",
            "area": "exploitatie_horeca",
            "application_date": "2026-06-01",
        },
        [PartyInput(name="Nul\x00 B.V.", city="Assen\x00")],
    )
    assert case.title == "Café De Nul"
    found = service.list(CaseFilter(search="nul\x00 b.v."))
    assert [c.reference for c in found] == [case.reference]
