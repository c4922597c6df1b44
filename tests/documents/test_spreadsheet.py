"""Reading registers: XLSX with merged headers, CSV in its usual dialects, and wrong files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bibob_desk.documents.spreadsheet import SpreadsheetError, read_sheet
from bibob_desk.domain.register_import import Field, detect_layout
from tests.register_factory import good_rows, write_csv, write_register


def test_xlsx_with_merged_title_and_two_row_header(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx", list(good_rows(5)), blank_every=2)
    data = read_sheet(path)
    assert data.sheet == "Register" and data.sheets == ("Register", "Toelichting")
    assert any(m.max_col > m.min_col for m in data.merged)
    layout = detect_layout(data.rows, data.merged)
    assert layout.header_row == 4 and layout.data_start == 5
    assert layout.column_for(Field.LBB_REQUESTED) is not None
    assert layout.column_for(Field.LBB_RECEIVED) is not None
    # Rows are numbered as Excel numbers them; the empty rows are there (and skipped later).
    assert data.rows[4][0] is not None and all(v is None for v in data.rows[6])


def test_another_sheet_and_an_unknown_sheet(tmp_path: Path) -> None:
    path = write_register(tmp_path / "r.xlsx", list(good_rows(2)))
    assert read_sheet(path, "Toelichting").sheet == "Toelichting"
    with pytest.raises(SpreadsheetError, match=r"geen blad 'Blad9'\. Bladen: Register"):
        read_sheet(path, "Blad9")


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (";", "utf-8"), (",", "utf-8"), (",", "cp1252"), ("\t", "utf-8")],
)
def test_csv_dialects(tmp_path: Path, delimiter: str, encoding: str) -> None:
    rows = list(good_rows(4))
    rows[0][1] = "Café Brinkzicht B.V."
    path = write_csv(tmp_path / "r.csv", rows, delimiter=delimiter, encoding=encoding)
    data = read_sheet(path)
    assert data.kind == "csv" and data.delimiter == delimiter
    assert data.rows[1][1] == "Café Brinkzicht B.V."
    layout = detect_layout(data.rows, data.merged)
    assert layout.header_row == 1
    assert layout.column_for(Field.LBB_RECEIVED) is not None


def test_csv_with_a_line_break_inside_a_cell_keeps_excels_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        'Zaaknummer;Bestuurders;Soort;Aanvraagdatum\n1;"J. de Vries\nP. Jansen";DHW;1-2-2024\n'
        "2;;DHW;2-2-2024\n",
        encoding="utf-8",
    )
    data = read_sheet(path)
    assert data.rows[1][1] == "J. de Vries\nP. Jansen"
    assert data.rows[2][0] == "2"  # Excel shows this record as row 3


def encrypted_workbook() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile
    from openpyxl import Workbook

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append(["Zaaknummer", "Aanvraagdatum"])
    plain = io.BytesIO()
    workbook.save(plain)
    plain.seek(0)
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("geheim", out)
    return out.getvalue()


def empty_workbook() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("beveiligd.xlsx", encrypted_workbook, "beveiligd met een wachtwoord"),
        ("oud.xls", lambda: bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600, "oud Excel-bestand"),
        (
            "brief.xlsx",
            lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"\0" * 50,
            "geen Excel",
        ),
        ("foto.csv", lambda: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 40, "geen Excel"),
        ("kapot.xlsx", lambda: b"PK\x03\x04" + b"\x01" * 100, "geen Excel-werkmap"),
        ("leeg.xlsx", empty_workbook, "is leeg"),
        ("leeg.csv", lambda: b"  \n\n", "is leeg"),
        ("een-kolom.csv", lambda: b"Dit is gewoon tekst.\nMeer tekst.\n", "geen kolommen"),
    ],
)
def test_wrong_files_get_one_dutch_sentence(
    tmp_path: Path, name: str, content: Any, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content())
    with pytest.raises(SpreadsheetError, match=fragment) as raised:
        read_sheet(path)
    assert "\n" not in str(raised.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SpreadsheetError, match="bestaat niet"):
        read_sheet(tmp_path / "nergens.xlsx")
    with pytest.raises(SpreadsheetError, match="is een map"):
        read_sheet(tmp_path)


def test_csv_has_no_sheets(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", list(good_rows(1)))
    with pytest.raises(SpreadsheetError, match="geen bladen"):
        read_sheet(path, "Blad1")


def test_date_cells_arrive_as_dates(tmp_path: Path) -> None:
    rows = list(good_rows(1))
    rows[0][5] = datetime(2024, 2, 1)
    data = read_sheet(write_register(tmp_path / "r.xlsx", rows))
    assert data.rows[4][5] == datetime(2024, 2, 1)
