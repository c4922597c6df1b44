"""The `demo` and `cases` command-line contract: JSON keys, exit codes, Dutch messages."""

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
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "cli.sqlite")
    code, out, _ = run(capsys, "--db", path, "demo", "--cases", "60", "--seed", "3")
    assert code == 0 and "60 demozaken" in out
    return path


def test_list_and_show_json_carry_the_contract_keys(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", db, "cases", "list", "--json")
    assert code == 0
    cases = json.loads(out)
    assert len(cases) == 60
    for case in cases:
        assert {"reference", "title", "area", "phase", "bouwsom", "postcode", "parties"} <= set(
            case
        )
        assert case["bouwsom"] is None or (
            isinstance(case["bouwsom"], str) and case["bouwsom"].count(".") == 1
        )
    building = next(c for c in cases if c["area"] == "omgevingsvergunning_bouw")
    code, out, _ = run(capsys, "--db", db, "cases", "show", building["reference"], "--json")
    shown = json.loads(out)
    assert code == 0 and shown["reference"] == building["reference"]
    assert shown["bouwsom"] == building["bouwsom"] and len(shown["bouwsom"].split(".")[1]) == 2
    assert shown["parties"][0]["role"] == "aanvrager"


def test_same_seed_same_demo_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listings = []
    for name in ("a", "b"):
        path = str(tmp_path / f"{name}.sqlite")
        run(capsys, "--db", path, "demo", "--cases", "15", "--seed", "9")
        _, out, _ = run(capsys, "--db", path, "cases", "list", "--json")
        listings.append(
            [(c["reference"], c["title"], c["area"], c["bouwsom"]) for c in json.loads(out)]
        )
    assert listings[0] == listings[1]


@pytest.mark.parametrize(
    "argv",
    [
        ("cases", "show", "BIB-2026-9999"),
        ("cases", "show", "geen-nummer"),
        ("cases", "list", "--area", "kermis"),
        ("cases", "list", "--phase", "klaar"),
        ("cases", "list", "--limit", "-1"),
        ("cases", "list", "--onbekend"),
        ("demo", "--cases", "abc"),
        ("demo", "--cases", "-5"),
        ("demo",),
    ],
)
def test_bad_input_exits_2_with_one_dutch_line(
    db: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, "--db", db, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bibob-desk: ")
    assert "Traceback" not in err
