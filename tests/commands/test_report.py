"""``bibob-desk report``: CSV, PDF (embedded fonts), JSON and the exit codes of bad input."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from bibob_desk.cli import main
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import open_database
from tests.conftest import make_training_file, make_user
from tests.services.test_report import seed_known_year


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "bibob.sqlite"
    db = open_database(f"sqlite:///{path}")
    make_user(db, "tester", "teamleider")
    seed_known_year(AppContext(db=db, user="tester"))
    db.dispose()
    make_training_file(path)  # BIBOB_DESK_USER counts on a training database only
    monkeypatch.setenv("BIBOB_DESK_USER", "tester")
    return path


def run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_json_figures(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--db", str(db_file), "report", "--year", "2025", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2025
    assert data["cases_total"] == 6
    assert data["lbb_requests"] == 3
    assert data["tips"] == {"inkomend": 2, "uitgaand": 1}
    assert data["median_lead_time_days"]["application_to_decision"] == 80.5


def test_csv_file(db_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "jaarcijfers-2025.csv"
    assert run("--db", str(db_file), "report", "--year", "2025", "--out", str(out)) == 0
    assert "2025" in capsys.readouterr().out
    raw = out.read_bytes()
    # Dutch Excel: a UTF-8 byte order mark, ';' between the fields, CRLF line ends.
    assert raw.startswith(b"\xef\xbb\xbfOnderdeel;Code;Omschrijving;Waarde\r\n")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["Onderdeel", "Code", "Omschrijving", "Waarde"]
    values = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert values[("Zaken per toepassingsgebied", "alcohol")] == "3"
    assert values[("Zaken per toepassingsgebied", "totaal")] == "6"
    assert values[("Besluiten", "weigeren")] == "2"
    assert values[("Doorlooptijd (mediaan in dagen)", "application_to_closure")] == "55,5"
    assert all(len(r) == 4 for r in rows)  # labels with commas stay in one field
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_xlsx_file_has_the_same_rows_with_numbers(db_file: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "jaarcijfers-2025.xlsx"
    assert run("--db", str(db_file), "report", "--year", "2025", "--out", str(out)) == 0
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.title == "Jaarcijfers 2025"
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0] == ("Onderdeel", "Code", "Omschrijving", "Waarde")
    values = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert values[("Zaken per toepassingsgebied", "totaal")] == 6  # a number, not text
    assert values[("Doorlooptijd (mediaan in dagen)", "application_to_closure")] == 55.5
    csv_out = tmp_path / "jaarcijfers-2025.csv"
    assert run("--db", str(db_file), "report", "--year", "2025", "--out", str(csv_out)) == 0
    with csv_out.open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle, delimiter=";"))) == len(rows)


def test_pdf_file_with_embedded_fonts(db_file: Path, tmp_path: Path) -> None:
    import pikepdf
    from pypdf import PdfReader

    out = tmp_path / "jaarcijfers.PDF"
    assert run("--db", str(db_file), "report", "--year", "2025", "--out", str(out)) == 0
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Jaarcijfers Bibob 2025" in text
    assert "Adviesaanvragen bij het LBB" in text and "Ernstig gevaar" in text
    assert "80,5" in text  # median with a Dutch decimal comma
    with pikepdf.open(out) as pdf:
        fonts = [
            font
            for page in pdf.pages
            for font in page.obj.Resources.Font.values()  # type: ignore[union-attr]
        ]
        assert fonts
        for font in fonts:
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant.FontDescriptor  # embedded TrueType


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--year", "20x5", "--json"],
        ["report", "--year", "1999", "--json"],
        ["report", "--year", str(date.today().year + 1), "--json"],
        ["report", "--year", "2025", "--out", "cijfers.xls"],
        ["report", "--year", "2025", "--out", "cijfers"],
        ["report", "--year", "2025", "--out", "/geen/map/hier/cijfers.pdf"],
        ["report", "--year", "2025"],
        ["report", "--json"],
    ],
)
def test_bad_input_exits_2_with_one_dutch_line(
    db_file: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("--db", str(db_file), *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bibob-desk: ") and err.count("\n") == 1


def test_a_team_member_without_the_role_is_refused(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(f"sqlite:///{db_file}")
    make_user(db, "officer1", "medewerker")
    db.dispose()
    monkeypatch.setenv("BIBOB_DESK_USER", "officer1")
    assert run("--db", str(db_file), "report", "--year", "2025", "--json") == 1
    assert "teamleider" in capsys.readouterr().err.lower()
