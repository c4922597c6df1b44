"""``bibob-desk check``: the JSON contract, exit codes and Dutch messages; no database is opened."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["check", *args])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point the database somewhere that must stay untouched."""
    monkeypatch.setenv("BIBOB_DESK_DB", str(tmp_path / "mag-niet-bestaan.sqlite"))


@pytest.fixture(autouse=True)
def database_stays_closed(tmp_path: Path) -> Any:
    yield
    assert not (tmp_path / "mag-niet-bestaan.sqlite").exists()


@pytest.mark.parametrize(
    ("args", "outcome", "rule"),
    [
        (
            ["--area", "omgevingsvergunning_bouw", "--bouwsom", "750000.00"],
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            ["--area", "omgevingsvergunning_bouw", "--bouwsom", "€ 750.000,00"],
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            ["--area", "omgevingsvergunning_bouw", "--bouwsom", "750000.01"],
            "mandatory",
            "bouwsom_boven_drempel",
        ),
        (
            ["--area", "omgevingsvergunning_bouw", "--bouwsom", "750000"],
            "optional",
            "bouwsom_niet_boven_drempel",
        ),
        (
            [
                "--area",
                "omgevingsvergunning_bouw",
                "--bouwsom",
                "200000",
                "--risk-tag",
                "vakantiepark",
            ],
            "mandatory",
            "risicocategorie",
        ),
        (
            [
                "--area",
                "omgevingsvergunning_bouw",
                "--bouwsom",
                "200000",
                "--risk-tag",
                "x",
                "--risk-tag",
                "bedrijventerrein",
            ],
            "mandatory",
            "risicocategorie",
        ),
        (
            ["--area", "omgevingsvergunning_bouw", "--bouwsom", "200000", "--tip"],
            "mandatory",
            "tip",
        ),
        (["--area", "alcohol"], "mandatory", "verplicht_gebied"),
        (["--area", "ALCOHOL"], "mandatory", "verplicht_gebied"),
        (["--area", "subsidie"], "optional", "kan_bepaling"),
        (["--area", "subsidie", "--tip"], "mandatory", "tip"),
        (["--area", "huisvestingsvergunning"], "not_applicable", "buiten_beleid"),
        (["--area", "verhuurvergunning", "--tip"], "not_applicable", "buiten_beleid"),
        (["--area", "evenement", "--postcode", "9401 ab"], "optional", "kan_bepaling"),
    ],
)
def test_default_policy(
    capsys: pytest.CaptureFixture[str], args: list[str], outcome: str, rule: str
) -> None:
    data = check_json(capsys, *args)
    assert (data["outcome"], data["rule"]) == (outcome, rule)
    assert data["reasons"] and all(isinstance(r, str) for r in data["reasons"])
    assert set(data["policy"]) >= {"name", "version", "effective_from"}
    assert data["policy"]["effective_from"] == "2024-01-01"


@pytest.mark.parametrize(
    "args",
    [
        ["--area", "bakkerij"],
        ["--area", "omgevingsvergunning_bouw"],
        ["--area", "omgevingsvergunning_bouw", "--bouwsom", "abc"],
        ["--area", "omgevingsvergunning_bouw", "--bouwsom", "-5"],
        ["--area", "alcohol", "--date", "2026-02-30"],
        ["--area", "alcohol", "--date", "2023-12-31"],  # before the first policy version
        ["--area", "alcohol", "--postcode", "12345"],
        ["--area", "alcohol", "--policy", "/bestaat/niet.json"],
        [],
    ],
)
def test_bad_input_exits_2_with_one_dutch_line(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = run(capsys, *args, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("bibob-desk: ")


def test_messages_are_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    assert "bouwsom" in run(capsys, "--area", "omgevingsvergunning_bouw")[2]
    assert "Onbekend toepassingsgebied" in run(capsys, "--area", "bakkerij")[2]
    assert (
        "geen Bibob-beleid van kracht"
        in run(capsys, "--area", "alcohol", "--date", "2020-01-01")[2]
    )


def _policy_file(tmp_path: Path, versions: list[dict[str, Any]]) -> str:
    path = tmp_path / "beleid.json"
    path.write_text(json.dumps({"versions": versions}), encoding="utf-8")
    return str(path)


def _version(version: str, start: str, amount: str) -> dict[str, Any]:
    return {
        "name": "Beleidsregel Bibob Teststad",
        "version": version,
        "effective_from": start,
        "threshold": {"amount": amount, "comparison": "meer_dan"},
        "threshold_areas": ["omgevingsvergunning_bouw"],
        "risk_areas": [{"postcodes": "7811-7815", "label": "Centrum"}],
    }


def test_version_in_force_on_the_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    policy = _policy_file(
        tmp_path, [_version("1", "2025-01-01", "500000"), _version("2", "2025-07-01", "100000")]
    )
    base = ["--area", "omgevingsvergunning_bouw", "--bouwsom", "200000", "--policy", policy]
    before = check_json(capsys, *base, "--date", "2025-06-30")
    assert before["policy"]["version"] == "1" and before["outcome"] == "optional"
    after = check_json(capsys, *base, "--date", "2025-07-01")
    assert after["policy"] == {
        "name": "Beleidsregel Bibob Teststad",
        "version": "2",
        "effective_from": "2025-07-01",
        "source": "file",
    }
    assert after["outcome"] == "mandatory"
    # Out of scope in this policy (a province may leave areas out).
    assert check_json(capsys, "--area", "alcohol", "--policy", policy)["outcome"] == (
        "not_applicable"
    )
    assert run(capsys, *base, "--date", "2024-12-31")[0] == 2


@pytest.mark.parametrize(
    ("postcode", "outcome"),
    [
        ("7810 ZZ", "optional"),
        ("7811AA", "mandatory"),
        ("7815 zz", "mandatory"),
        ("7816 AA", "optional"),
    ],
)
def test_postcode_range_ends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, postcode: str, outcome: str
) -> None:
    policy = _policy_file(tmp_path, [_version("1", "2025-01-01", "500000")])
    data = check_json(
        capsys,
        "--area",
        "omgevingsvergunning_bouw",
        "--bouwsom",
        "1000",
        "--postcode",
        postcode,
        "--policy",
        policy,
        "--date",
        "2026-01-01",
    )
    assert data["outcome"] == outcome
    assert data["rule"] == (
        "risicogebied" if outcome == "mandatory" else "bouwsom_niet_boven_drempel"
    )


def test_malformed_policy_names_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = _version("1", "2025-01-01", "500000")
    bad["threshold"] = {"amount": "veel"}
    code, _, err = run(capsys, "--area", "alcohol", "--policy", _policy_file(tmp_path, [bad]))
    assert code == 2 and "Drempelbedrag" in err and "threshold.amount" not in err
    broken = tmp_path / "kapot.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "--area", "alcohol", "--policy", str(broken))
    assert code == 2 and "geen geldige JSON" in err


def test_readable_summary_without_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--area", "omgevingsvergunning_bouw", "--bouwsom", "800000")
    assert code == 0
    assert "Bibob-toets verplicht" in out and "€ 800.000,00" in out and "Motivering" in out


def test_installed_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bibob_desk", "check", "--area", "coffeeshop", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outcome"] == "mandatory"
