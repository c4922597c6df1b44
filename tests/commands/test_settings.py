"""``bibob-desk settings list|get|set`` from the outside: output, JSON keys and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.storage.database import open_database
from tests.conftest import make_training, make_user
from tests.services.test_settings import SVG


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A database with a beheerder 'beheer' and a team lead 'lead'."""
    path = tmp_path / "bibob.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "beheer", "beheerder")
    make_user(db, "lead", "teamleider")
    make_training(db)  # --user names the test's users only on a training database
    db.dispose()
    return path


def run(db_file: Path, *args: str, user: str = "beheer") -> int:
    try:
        return main(["--db", str(db_file), "--user", user, "settings", *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def test_set_then_get_prints_the_value(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_file, "set", "organisation.name", "Gemeente Assen") == 0
    assert "gewijzigd" in capsys.readouterr().out
    assert run(db_file, "get", "organisation.name") == 0
    assert capsys.readouterr().out == "Gemeente Assen\n"
    assert run(db_file, "set", "export.mdto", "ja") == 0
    assert run(db_file, "set", "organisation.address_lines", '["Postbus 1", "9400 AA  Assen"]') == 0
    capsys.readouterr()
    assert run(db_file, "get", "export.mdto") == 0
    assert run(db_file, "get", "organisation.address_lines") == 0
    assert capsys.readouterr().out == 'ja\n["Postbus 1", "9400 AA  Assen"]\n'


def test_get_and_list_json(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_file, "set", "terms.decision_period_weeks.alcohol", "6") == 0
    capsys.readouterr()
    assert run(db_file, "get", "terms.zienswijze_weeks", "--json") == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry == {
        "key": "terms.zienswijze_weeks",
        "label": "Termijn zienswijze (weken)",
        "group": "Termijnen",
        "type": "integer",
        "value": 2,
        "default": 2,
        "is_default": True,
    }
    assert run(db_file, "get", "terms.decision_period_weeks.alcohol", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "key": "terms.decision_period_weeks.alcohol",
        "value": 6,
    }
    assert run(db_file, "list", "--json", user="lead") == 0  # reading needs no beheerder
    listing = json.loads(capsys.readouterr().out)
    keys = [e["key"] for e in listing]
    assert "organisation.rsin" in keys and "retention.years_after_closing" in keys
    changed = [e["key"] for e in listing if not e["is_default"]]
    assert changed == ["terms.decision_period_weeks"]


def test_set_json_says_what_changed(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_file, "set", "organisation.rsin", "0025 64 440", "--json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["value"] == "002564440" and result["previous"] == ""
    assert result["changed"] is True
    assert run(db_file, "set", "organisation.rsin", "002564440", "--json") == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False


def test_logo_is_set_from_a_file(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logo = tmp_path / "wapen.svg"
    logo.write_bytes(SVG)
    assert run(db_file, "set", "organisation.logo", str(logo)) == 0
    capsys.readouterr()
    assert run(db_file, "get", "organisation.logo", "--json") == 0
    value = json.loads(capsys.readouterr().out)["value"]
    assert value["format"] == "svg" and value["name"] == "wapen.svg" and "data" not in value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "organisation.rsin", "123456789"], "organisation.rsin"),
        (["set", "organisation.rsin", "12345678"], "negen cijfers"),
        (["set", "organisation.naam", "X"], "Onbekende instelling 'organisation.naam'"),
        (["get", "bestaat.niet"], "Onbekende instelling 'bestaat.niet'"),
        (["set", "terms.zienswijze_weeks", "twee"], "terms.zienswijze_weeks"),
        (["set", "terms.zienswijze_weeks", "0"], "tussen 1 en 26"),
        (["set", "export.mdto", "misschien"], "export.mdto"),
        (["set", "export.confidentiality", "supergeheim"], "export.confidentiality"),
        (["set", "organisation.address_lines", "Postbus 1"], "JSON"),
        (["set", "terms.decision_period_weeks.bakkerij", "8"], "bakkerij"),
        (["set", "organisation.logo", "/geen/logo.png"], "organisation.logo"),
        (["set", "export.folder", "relatief"], "export.folder"),
        (["set", "organisation.name"], "verplichte optie ontbreekt"),
    ],
)
def test_bad_value_or_key_exits_2_with_one_dutch_line_naming_it(
    db_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(db_file, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("bibob-desk: ") and err.count("\n") == 1
    assert message in err
    assert "Traceback" not in err


def test_a_non_beheerder_may_not_set(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_file, "set", "organisation.name", "X", user="lead") == 1
    assert "beheerder" in capsys.readouterr().err
    assert run(db_file, "get", "organisation.name", user="lead") == 0
    assert capsys.readouterr().out == "\n"
