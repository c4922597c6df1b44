"""``bibob-desk tips add|list`` against a fresh SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibob_desk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_args(tmp_path: Path) -> list[str]:
    # A fresh database: the OS login is its first user (every role).
    return ["--db", str(tmp_path / "tips.sqlite")]


ADD = [
    "tips", "add", "--direction", "inkomend", "--date", "2026-10-01",
    "--counterpart", "Openbaar Ministerie", "--subject", "De Hoek B.V.", "--kvk", "12345678",
    "--summary", "Signalen over witwassen.", "--follow-up", "Eigen onderzoek gestart",
]  # fmt: skip


def test_add_then_list(capsys: pytest.CaptureFixture[str], db_args: list[str]) -> None:
    code, out, err = run(capsys, *db_args, *ADD, "--json")
    assert code == 0, err
    added = json.loads(out)
    assert added["direction"] == "inkomend" and added["kvk"] == "12345678"
    code, out, err = run(capsys, *db_args, "tips", "list", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert len(listed) == 1
    for key in (
        "id",
        "date",
        "direction",
        "counterpart",
        "subject",
        "kvk",
        "summary",
        "case",
        "follow_up",
    ):
        assert key in listed[0]
    assert listed[0]["date"] == "2026-10-01"
    assert listed[0]["follow_up"] == "Eigen onderzoek gestart"
    assert listed[0]["case"] is None


def test_filter_direction(capsys: pytest.CaptureFixture[str], db_args: list[str]) -> None:
    run(capsys, *db_args, *ADD)
    code, out, _ = run(capsys, *db_args, "tips", "list", "--direction", "uitgaand", "--json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    ("change", "word"),
    [
        (["--kvk", "1234"], "KvK"),
        (["--date", "01-13-2026"], "datum"),
        (["--direction", "opzij"], "richting"),
        (["--case", "ZAAK-1"], "zaaknummer"),
        (["--counterpart-kind", "politie"], "organisatie"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], db_args: list[str], change: list[str], word: str
) -> None:
    argv = list(ADD)
    option = change[0]
    if option in argv:
        argv[argv.index(option) + 1] = change[1]
    else:
        argv += change
    code, out, err = run(capsys, *db_args, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and word in err


def test_unknown_case_exits_2(capsys: pytest.CaptureFixture[str], db_args: list[str]) -> None:
    code, _, err = run(capsys, *db_args, *ADD, "--case", "BIB-2026-0999")
    assert code == 2 and "bestaat niet" in err
