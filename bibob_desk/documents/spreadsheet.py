"""Reading a register from an Excel workbook (.xlsx, via openpyxl) or a CSV file, and writing
the import report back as XLSX or CSV.

A file that cannot be read gets one Dutch sentence (``SpreadsheetError``): a workbook protected
with a password, an old .xls workbook, something that is not a spreadsheet, a missing or empty
sheet. CSV files may use ``;``, ``,`` or a tab, and be UTF-8 (with or without BOM) or
Windows-1252, as Excel writes them on Dutch Windows machines.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.register_import import MergedRange
from bibob_desk.domain.register_values import EXCEL_EPOCH_1900, EXCEL_EPOCH_1904, CellValue

ZIP_MAGIC = b"PK\x03\x04"
# Encrypted Office files (and pre-2007 .xls workbooks) are OLE compound documents.
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
CSV_DELIMITERS = (";", ",", "\t")


class SpreadsheetError(ValidationError):
    """The file cannot be read as a register; the message says why in one Dutch sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass
class SheetData:
    """One sheet's cells: ``rows[i]`` is sheet row ``i + 1`` (as the spreadsheet numbers it)."""

    file_name: str
    sheet: str
    sheets: tuple[str, ...]
    rows: list[tuple[CellValue, ...]]
    merged: tuple[MergedRange, ...] = ()
    epoch: date = EXCEL_EPOCH_1900
    kind: str = "xlsx"  # xlsx / csv
    encoding: str = ""  # csv only
    delimiter: str = ""  # csv only
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def read_sheet(path: Path, sheet: str | None = None) -> SheetData:
    """Read ``path`` (XLSX or CSV, recognised by content, not by name) and pick a sheet:
    ``sheet``, else the sheet the workbook opens on."""
    if not path.exists():
        raise SpreadsheetError(f"Het bestand {path} bestaat niet.")
    if path.is_dir():
        raise SpreadsheetError(f"{path} is een map, geen spreadsheet.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(f"Kan {path} niet lezen: {exc.strerror or exc}.") from exc
    if not data.strip():
        raise SpreadsheetError(f"Het bestand {path.name} is leeg.")
    if data.startswith(OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise SpreadsheetError(
                f"De werkmap {path.name} is beveiligd met een wachtwoord. Open hem in Excel, "
                "verwijder het wachtwoord (Bestand > Info > Werkmap beveiligen) en sla hem op "
                "als .xlsx."
            )
        raise SpreadsheetError(
            f"{path.name} is een oud Excel-bestand (.xls) of een ander Office-document. Open "
            "het in Excel en sla het op als Excel-werkmap (.xlsx) of als CSV."
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(path, data, sheet)
    if sheet is not None:
        raise SpreadsheetError(f"{path.name} is een CSV-bestand: dat heeft geen bladen (--sheet).")
    return _read_csv(path, data)


def _not_a_workbook(path: Path) -> SpreadsheetError:
    return SpreadsheetError(
        f"{path.name} is geen Excel-werkmap (.xlsx) en geen CSV-bestand. Sla het register in "
        "Excel op als .xlsx of als CSV."
    )


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> SheetData:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: merged header cells are only known to a fully loaded sheet.
        # data_only: a formula cell gives the value Excel last calculated for it.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _not_a_workbook(path) from exc
    except Exception as exc:  # openpyxl raises assorted errors on damaged XML
        raise SpreadsheetError(
            f"De werkmap {path.name} is beschadigd en kan niet worden gelezen "
            f"({type(exc).__name__})."
        ) from exc
    names = tuple(workbook.sheetnames)
    if sheet is None:
        worksheet = workbook.active
        if worksheet is None or not hasattr(worksheet, "iter_rows"):
            worksheet = next(
                (workbook[n] for n in names if hasattr(workbook[n], "iter_rows")), None
            )
    elif sheet in names:
        worksheet = workbook[sheet]
    else:
        raise SpreadsheetError(
            f"De werkmap {path.name} heeft geen blad '{sheet}'. Bladen: {', '.join(names)}."
        )
    if worksheet is None or not hasattr(worksheet, "iter_rows"):
        raise SpreadsheetError(f"De werkmap {path.name} heeft geen werkblad met cellen.")
    ws: Any = worksheet
    rows: list[tuple[CellValue, ...]] = [
        tuple(_cell(v) for v in row)
        for row in ws.iter_rows(
            min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True
        )
    ]
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SpreadsheetError(f"Het blad '{ws.title}' in {path.name} is leeg.")
    merged = tuple(
        MergedRange(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges
    )
    epoch = (
        EXCEL_EPOCH_1904
        if getattr(workbook, "epoch", None) and workbook.epoch.year == 1904
        else (EXCEL_EPOCH_1900)
    )
    return SheetData(path.name, ws.title, names, rows, merged, epoch, "xlsx")


def _cell(value: Any) -> CellValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    from datetime import datetime, time, timedelta
    from decimal import Decimal

    if isinstance(value, datetime | date | time | Decimal):
        return value
    if isinstance(value, timedelta):  # a duration cell: shown as text, never as a date
        return str(value)
    return str(value)


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if b"\x00" in data:
        raise _not_a_workbook(path)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise _not_a_workbook(path) from exc


def _read_csv(path: Path, data: bytes) -> SheetData:
    try:
        text, encoding = _decode(path, data)
    except UnicodeDecodeError as exc:
        raise _not_a_workbook(path) from exc
    sample = text.splitlines()[:20]

    def widest(delimiter: str) -> int:
        try:
            return max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=0)
        except csv.Error:
            return 0

    delimiter = max(CSV_DELIMITERS, key=widest)
    if widest(delimiter) < 2:
        raise SpreadsheetError(
            f"{path.name} heeft geen kolommen gescheiden door ';' of ','; het is geen "
            "bruikbaar CSV-bestand."
        )
    try:
        rows: list[tuple[CellValue, ...]] = [
            tuple(cell for cell in record)
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise SpreadsheetError(f"{path.name} is geen geldig CSV-bestand: {exc}.") from exc
    while rows and all(not str(v or "").strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SpreadsheetError(f"Het bestand {path.name} is leeg.")
    return SheetData(path.name, "", (), rows, kind="csv", encoding=encoding, delimiter=delimiter)


# --- writing the report ---------------------------------------------------------------------


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A report table as .xlsx or .csv (by extension), written under a temporary name first."""
    from bibob_desk.documents.annual_report import write_atomically

    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet: Any = workbook.active
        sheet.title = "Importverslag"
        sheet.append(list(header))
        for row in rows:
            sheet.append(["" if v is None else v for v in row])
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        write_atomically(path, buffer.getvalue())
        return
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    # UTF-8 with BOM: Excel on Windows then shows é and ë correctly.
    write_atomically(path, ("\ufeff" + text.getvalue()).encode("utf-8"))
