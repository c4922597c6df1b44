"""``bibob-desk policy list|show|add`` and ``check`` on the database's versions (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.cli import main
from bibob_desk.domain.applicability import assess, parse_inputs
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import check_unique_versions, parse_policy, policy_warnings
from bibob_desk.services.context import AppContext
from bibob_desk.services.policies import PolicyService
from tests.conftest import make_training, make_user

SEED = Path(__file__).resolve().parents[2] / "resources/policy/drentse-aanpak-2024.json"


def version(number: str, effective_from: str, amount: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    data.update(version=number, effective_from=effective_from, **extra)
    data["threshold"] = {**data["threshold"], "amount": amount}
    return data


def run(context: AppContext, *args: str, user: str = "tester") -> int:
    url = context.db.engine.url.render_as_string(hide_password=False)
    make_training(context.db)
    try:
        return main(["--db", url, "--user", user, *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_two_versions_on_one_date_are_refused_naming_both(sqlite_context: AppContext) -> None:
    first = parse_policy(version("2027.1", "2027-01-01", "500000"))
    second = parse_policy(version("2027.2", "2027-01-01", "400000"))
    with pytest.raises(ValidationError, match=r"'2027\.1' en '2027\.2'"):
        check_unique_versions([first, second])
    make_user(sqlite_context.db, "beheer", "beheerder")
    service = PolicyService(AppContext(sqlite_context.db, "beheer"))
    service.add_version(first)
    with pytest.raises(ValidationError, match=r"'2027\.1'.*'2027\.2'"):
        service.add_version(second)


def test_of_meer_at_the_threshold_is_not_above_it() -> None:
    policy = parse_policy(
        version(
            "2026.9",
            "2026-01-01",
            "500000",
            threshold={"amount": "500000", "comparison": "of_meer"},
        )
    )
    at = assess(policy, parse_inputs("omgevingsvergunning_bouw", bouwsom="500000"))
    assert at.outcome.value == "mandatory"
    assert at.rule_label == "Bouwsom gelijk aan of boven de drempel"
    above = assess(policy, parse_inputs("omgevingsvergunning_bouw", bouwsom="500000.01"))
    assert above.rule_label == "Bouwsom boven de drempel"


def test_a_range_end_with_letters_warns() -> None:
    policy = parse_policy(
        version("2026.9", "2026-01-01", "750000", risk_areas=["9401 AB-9403 ZZ", "7811"])
    )
    [warning] = policy_warnings(policy)
    assert "9401 AB-9403 ZZ" in warning and "genegeerd" in warning


def test_policy_commands_list_show_add(
    sqlite_context: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_user(sqlite_context.db, "beheer", "beheerder")
    assert run(sqlite_context, "policy", "list", "--json") == 0
    assert [v["version"] for v in json.loads(capsys.readouterr().out)] == ["2024.1"]
    new = tmp_path / "beleid-2026.json"
    new.write_text(
        json.dumps(version("2026.2", "2026-06-01", "500000", risk_areas=["9401 AB-9403 ZZ"])),
        encoding="utf-8",
    )
    # Only a beheerder adds a version.
    assert run(sqlite_context, "policy", "add", str(new)) == 1
    capsys.readouterr()
    assert run(sqlite_context, "policy", "add", str(new), user="beheer") == 0
    captured = capsys.readouterr()
    assert "genegeerd" in captured.err and "2026.2 toegevoegd" in captured.out
    assert run(sqlite_context, "policy", "add", str(new), user="beheer") == 2
    assert "bestaat al" in capsys.readouterr().err
    assert run(sqlite_context, "policy", "show", "2026.2", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["effective_from"] == "2026-06-01" and shown["created_by"] == "beheer"
    assert run(sqlite_context, "policy", "show", "1999.1") == 2
    assert "Bekend: 2024.1, 2026.2" in capsys.readouterr().err


def test_check_uses_the_database_versions_and_says_so(
    sqlite_context: AppContext, capsys: pytest.CaptureFixture[str], monkeypatch: Any, tmp_path: Path
) -> None:
    make_user(sqlite_context.db, "beheer", "beheerder")
    PolicyService(AppContext(sqlite_context.db, "beheer")).add_version(
        parse_policy(version("2027.1", "2027-01-01", "500000"))
    )
    args = ["check", "--area", "omgevingsvergunning_bouw", "--bouwsom", "€ 600.000,00"]
    args += ["--date", "2027-02-01", "--json"]  # a date ahead: a what-if, allowed in check
    assert run(sqlite_context, *args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "mandatory" and data["policy"]["version"] == "2027.1"
    assert data["policy"]["source"] == "database"
    # Without a database: the shipped file, and it says so.
    monkeypatch.setenv("BIBOB_DESK_DB", str(tmp_path / "geen.sqlite"))
    try:
        code = main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "optional" and data["policy"]["version"] == "2024.1"
    assert data["policy"]["source"] == "file"
    assert not (tmp_path / "geen.sqlite").exists()
