"""``bibob-desk import``: exit codes, the JSON contract, the text report and wrong input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.storage.database import open_database
from tests.conftest import make_training, make_user
from tests.register_factory import COLUMN, OFFICERS, good_rows, write_csv, write_register

COUNT_KEYS = {
    "rows",
    "imported",
    "already_imported",
    "updated",
    "problems",
    "not_imported",
    "warnings",
    "empty_rows",
}
TOP_KEYS = {
    "file",
    "sheet",
    "dry_run",
    "update",
    "all_or_nothing",
    "committed",
    "header_row",
    "columns",
    "notices",
    "counts",
    "problems",
    "warnings",
    "rows",
}
ROW_KEYS = {
    "row",
    "status",
    "reference",
    "old_reference",
    "title",
    "area",
    "application_date",
    "phase",
    "outcome",
    "policy_version",
    "changes",
    "problems",
    "warnings",
}


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bibob.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider,medewerker")
    for username, full_name in OFFICERS.items():
        make_user(db, username, "medewerker", full_name)
    make_user(db, "alleen.medewerker", "medewerker")
    # Only a training database lets the command line act as a named user.
    make_training(db)
    db.dispose()
    monkeypatch.setenv("BIBOB_DESK_USER", "tester")
    return path


@pytest.fixture
def register(tmp_path: Path) -> Path:
    rows = list(good_rows(6, seed=4))
    rows[2][COLUMN["Bouwsom (excl. btw)"]] = "7,5 ton"
    rows[2][COLUMN["Soort vergunning"]] = "Bouwvergunning"
    return write_register(tmp_path / "register.xlsx", rows)


def run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_json_contract_of_a_dry_run_an_import_and_a_reimport(
    db_file: Path, register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", str(db_file), "import", str(register), "--dry-run", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == TOP_KEYS
    assert set(data["counts"]) == COUNT_KEYS
    assert data["dry_run"] is True and data["committed"] is False
    assert data["counts"]["imported"] == 5 and data["counts"]["problems"] == 1
    assert data["problems"] == [
        {
            "row": 7,
            "column": "Bouwsom (excl. btw)",
            "message": data["problems"][0]["message"],
        }
    ]
    assert "eenduidig" in data["problems"][0]["message"]
    assert all(set(row) == ROW_KEYS for row in data["rows"])
    assert {c["field"] for c in data["columns"]} >= {"old_reference", "lbb_requested"}

    assert run("--db", str(db_file), "import", str(register), "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["imported"] == 5 and data["committed"] is True
    references = [r["reference"] for r in data["rows"] if r["status"] == "imported"]
    assert len(references) == 5 and all(r.startswith("BIB-") for r in references)

    assert run("--db", str(db_file), "import", str(register), "--json") == 1
    again = json.loads(capsys.readouterr().out)
    assert again["counts"]["imported"] == 0 and again["counts"]["already_imported"] == 5
    assert {r["status"] for r in again["rows"]} == {"already_imported", "problem"}


def test_exit_zero_when_every_row_is_in(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_register(tmp_path / "goed.xlsx", list(good_rows(3, seed=4)))
    assert run("--db", str(db_file), "import", str(path)) == 0
    out = capsys.readouterr().out
    assert "3 geïmporteerd" in out and "Kopregel in rij 4" in out
    assert run("--db", str(db_file), "import", str(path)) == 0
    assert "3 al geïmporteerd" in capsys.readouterr().out


def test_text_report_lists_every_problem_with_row_and_column(
    db_file: Path, register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", str(db_file), "import", str(register), "--dry-run") == 1
    out = capsys.readouterr().out
    assert "rij 7, kolom Bouwsom (excl. btw): '7,5 ton' is geen eenduidig bedrag" in out
    assert out.strip().splitlines()[-1].startswith("Proefimport (niets opgeslagen)")


def test_all_or_nothing_imports_nothing(
    db_file: Path, register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", str(db_file), "import", str(register), "--all-or-nothing") == 1
    out = capsys.readouterr().out
    assert "Niets geïmporteerd (--all-or-nothing)" in out
    assert run("--db", str(db_file), "cases", "list", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_report_and_mapping_files(
    db_file: Path, register: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verslag.xlsx"
    mapping = tmp_path / "koppeling.json"
    code = run(
        "--db",
        str(db_file),
        "import",
        str(register),
        "--dry-run",
        "--report",
        str(report),
        "--write-mapping",
        str(mapping),
    )
    assert code == 1 and report.exists()
    document = json.loads(mapping.read_text(encoding="utf-8"))
    assert document["columns"]["Zaaknummer"] == "old_reference"
    assert document["header_row"] == 4 and document["sheet"] == "Register"
    # The saved mapping, edited: the amount column becomes a note.
    document["columns"]["Bouwsom (excl. btw)"] = "note"
    mapping.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    code = run("--db", str(db_file), "import", str(register), "--mapping", str(mapping), "--json")
    data = json.loads(capsys.readouterr().out)
    # Without a bouwsom column every building permit misses its bouwsom: a problem named on
    # the area column, as the case form would refuse it; the "7,5 ton" cell is now a note.
    assert code == 1
    assert data["problems"]
    assert {p["column"] for p in data["problems"]} == {"Soort vergunning"}
    assert all("bouwsom" in p["message"] for p in data["problems"])


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["import", "nergens.xlsx"], "bestaat niet"),
        (["import", "REGISTER", "--sheet", "Blad9"], "geen blad 'Blad9'"),
        (["import", "REGISTER", "--mapping", "nergens.json"], "koppelbestand"),
        (["import", "REGISTER", "--mapping", "KAPOT"], "geen geldige JSON"),
        (["import", "REGISTER", "--mapping", "FOUT"], "'columns.Soort': onbekend veld"),
        (["import", "REGISTER", "--report", "verslag.pdf"], "--report moet eindigen op"),
        (["import", "REGISTER", "--write-mapping", "k.txt"], "--write-mapping moet eindigen"),
        (["import", "REGISTER", "--onbekend"], "onbekende opties"),
        (["import", "PROTECTED"], "beveiligd met een wachtwoord"),
        (["import", "PDF"], "geen Excel-werkmap"),
        (["import", "EMPTY"], "is leeg"),
    ],
)
def test_bad_input_exits_2_with_one_dutch_line(
    db_file: Path,
    register: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    fragment: str,
) -> None:
    from tests.documents.test_spreadsheet import empty_workbook, encrypted_workbook

    (tmp_path / "kapot.json").write_text("{kapot", encoding="utf-8")
    (tmp_path / "fout.json").write_text('{"columns": {"Soort": "soort"}}', encoding="utf-8")
    (tmp_path / "beveiligd.xlsx").write_bytes(encrypted_workbook())
    (tmp_path / "brief.xlsx").write_bytes(b"%PDF-1.7\n" + b"\0" * 20)
    (tmp_path / "leeg.xlsx").write_bytes(empty_workbook())
    names = {
        "REGISTER": str(register),
        "KAPOT": str(tmp_path / "kapot.json"),
        "FOUT": str(tmp_path / "fout.json"),
        "PROTECTED": str(tmp_path / "beveiligd.xlsx"),
        "PDF": str(tmp_path / "brief.xlsx"),
        "EMPTY": str(tmp_path / "leeg.xlsx"),
        "nergens.xlsx": str(tmp_path / "nergens.xlsx"),
        "verslag.pdf": str(tmp_path / "verslag.pdf"),
        "k.txt": str(tmp_path / "k.txt"),
        "nergens.json": str(tmp_path / "nergens.json"),
    }
    argv = ["--db", str(db_file), *(names.get(a, a) for a in args)]
    assert run(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bibob-desk: ") and fragment in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_a_medewerker_may_not_import(
    db_file: Path, register: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("--db", str(db_file), "--user", "alleen.medewerker", "import", str(register))
    assert code == 1
    assert "teamleider" in capsys.readouterr().err


def test_csv_from_the_command_line(
    db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "register.csv", list(good_rows(3, seed=8)), encoding="cp1252")
    assert run("--db", str(db_file), "import", str(path), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sheet"] is None and data["counts"]["imported"] == 3
