"""A realistic old Excel register, made with openpyxl: what municipalities actually keep.

A merged title row, a blank row, a two-row header ("LBB-advies" merged over "aangevraagd" and
"ontvangen", the other headers merged down over both rows), values written the way officers
type them (€-amounts with and without dots, date cells, serials, "01-02-24", "1 februari 2024",
ja/x/1), empty rows in between, and a column no field knows ("Dossierlocatie").

Used by the import tests and by bench/import.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HEADERS = (
    "Zaaknummer",
    "Aanvrager",
    "KvK-nr.",
    "Soort vergunning",
    "Bouwsom (excl. btw)",
    "Datum ontvangst",
    "Adres",
    "Postcode",
    "Plaats",
    "Behandelaar",
    "Status",
    "Bibob van toepassing?",
    "LBB-advies",  # merged over two sub-headers
    None,
    "Conclusie",
    "Besluit",
    "Datum besluit",
    "Ingetrokken",
    "Tip (ja/nee)",
    "Bestuurders",
    "Aandeelhouders",
    "Opmerkingen",
    "Dossierlocatie",
)
SUB_HEADERS = {12: "aangevraagd", 13: "ontvangen"}
COLUMN = {name: index for index, name in enumerate(HEADERS) if name}
COLUMN["LBB aangevraagd"] = 12
COLUMN["LBB ontvangen"] = 13
FIRST_DATA_ROW = 5

OFFICERS = {"a.dekker": "A. Dekker", "b.jansen": "Bea Jansen", "c.bos": "C. Bos"}
AREA_LABELS = (
    ("Drank- en Horecawet", "alcohol"),
    ("Exploitatievergunning", "exploitatie_horeca"),
    ("Omgevingsvergunning bouwen", "omgevingsvergunning_bouw"),
    ("Evenementenvergunning", "evenement"),
    ("Speelautomatenhal", "speelautomatenhal"),
    ("Vastgoedtransactie", "vastgoed"),
    ("Subsidie", "subsidie"),
)
COMPANIES = (
    "De Hoek",
    "Brinkzicht",
    "Veenhuis",
    "Markt 12",
    "Kanaalzicht",
    "Esdorp",
    "Zuiderpoort",
)
FORMS = ("B.V.", "V.O.F.", "Holding B.V.", "")
PEOPLE = ("J. de Vries", "P. Jansen", "M. el Amrani", "S. Bakker", "H. Smit", "F. Yilmaz")
STREETS = ("Hoofdstraat", "Kerkstraat", "Brink", "Stationsweg", "Molenstraat")
TOWNS = (("Assen", 9401), ("Emmen", 7811), ("Hoogeveen", 7901), ("Meppel", 7941))


def blank_row() -> list[Any]:
    return [None] * len(HEADERS)


def _date_as_written(r: random.Random, on: date) -> Any:
    style = r.randrange(6)
    if style == 0:
        return datetime(on.year, on.month, on.day)
    if style == 1:
        return (on - date(1899, 12, 30)).days  # a serial in a General-formatted cell
    if style == 2:
        return f"{on.day}-{on.month}-{on.year}"
    if style == 3:
        return f"{on:%d-%m-%y}"
    if style == 4:
        from bibob_desk.domain.values import format_date_nl

        return format_date_nl(on)
    return on.isoformat()


def _amount_as_written(r: random.Random, euros: int) -> Any:
    grouped = f"{euros:,}".replace(",", ".")
    return r.choice(
        (f"€ {grouped}", str(euros), f"{grouped},-", f"€{grouped},00", euros, float(euros))
    )


def good_rows(count: int, seed: int = 7, today: date = date(2026, 11, 25)) -> Iterator[list[Any]]:
    """``count`` consistent register rows (all importable), deterministic per seed."""
    r = random.Random(seed)
    span = (today - date(2024, 1, 2)).days - 1
    for number in range(1, count + 1):
        row = blank_row()
        applied = date(2024, 1, 2) + timedelta(days=r.randrange(span))
        label, area = r.choice(AREA_LABELS)
        company = f"{r.choice(COMPANIES)} {r.choice(FORMS)}".strip()
        town, digits = r.choice(TOWNS)
        officer = r.choice(list(OFFICERS))
        row[COLUMN["Zaaknummer"]] = f"{applied.year}-{number:05d}"
        row[COLUMN["Aanvrager"]] = company
        row[COLUMN["KvK-nr."]] = f"{r.randint(10_000_000, 99_999_999)}"
        row[COLUMN["Soort vergunning"]] = label
        if area == "omgevingsvergunning_bouw":
            euros = r.choice((400_000, 750_000, 750_001, 1_250_000, r.randint(50_000, 5_000_000)))
            row[COLUMN["Bouwsom (excl. btw)"]] = _amount_as_written(r, euros)
        row[COLUMN["Datum ontvangst"]] = _date_as_written(r, applied)
        row[COLUMN["Adres"]] = f"{r.choice(STREETS)} {r.randint(1, 200)}"
        row[COLUMN["Postcode"]] = f"{digits} {r.choice('ABCDEGH')}{r.choice('JKLMNPR')}"
        row[COLUMN["Plaats"]] = town
        row[COLUMN["Behandelaar"]] = r.choice((officer, OFFICERS[officer]))
        age = (today - applied).days
        step = r.random()
        if age > 120 and step < 0.55:
            conclusion, decision = r.choice(
                (
                    ("Geen gevaar", "Verleend"),
                    ("Geen gevaar", "verlenen"),
                    ("Mindere mate van gevaar", "Verleend met voorschriften"),
                    ("Ernstig gevaar (a-grond)", "Geweigerd"),
                )
            )
            decided = applied + timedelta(days=r.randint(40, 100))
            row[COLUMN["Status"]] = "Afgerond"
            row[COLUMN["Conclusie"]] = conclusion
            row[COLUMN["Besluit"]] = decision
            row[COLUMN["Datum besluit"]] = _date_as_written(r, decided)
            if r.random() < 0.2:
                asked = applied + timedelta(days=r.randint(5, 15))
                row[COLUMN["LBB aangevraagd"]] = _date_as_written(r, asked)
                row[COLUMN["LBB ontvangen"]] = _date_as_written(
                    r, min(asked + timedelta(days=r.randint(20, 30)), decided)
                )
        elif step < 0.65 and age > 20:
            row[COLUMN["Status"]] = "Ingetrokken"
            row[COLUMN["Ingetrokken"]] = r.choice(("ja", "x", "J"))
        elif age > 100 and step < 0.72:
            row[COLUMN["Status"]] = "LBB"
            row[COLUMN["LBB aangevraagd"]] = _date_as_written(
                r, applied + timedelta(days=r.randint(10, 60))
            )
        else:
            row[COLUMN["Status"]] = r.choice(("Intake", "Eigen onderzoek", "Vragenformulier"))
        row[COLUMN["Bibob van toepassing?"]] = r.choice(("ja", None, None))
        row[COLUMN["Tip (ja/nee)"]] = r.choice(("nee", "n", 0, None))
        if r.random() < 0.5:
            row[COLUMN["Bestuurders"]] = "; ".join(r.sample(PEOPLE, r.randint(1, 2)))
        if r.random() < 0.3:
            row[COLUMN["Aandeelhouders"]] = f"{r.choice(COMPANIES)} Holding B.V. (100%)"
        if r.random() < 0.2:
            row[COLUMN["Opmerkingen"]] = "Dossier compleet ontvangen."
        row[COLUMN["Dossierlocatie"]] = f"Kast {r.randint(1, 9)}, map {number}"
        yield row


def write_register(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Register",
    blank_every: int = 0,
    extra_sheet: bool = True,
) -> Path:
    """The register as .xlsx with the title row, the two-row header and (optionally) empty
    rows after every ``blank_every`` data rows. Returns ``path``."""
    from openpyxl import Workbook

    workbook = Workbook()
    ws: Any = workbook.active
    ws.title = sheet
    width = len(HEADERS)
    ws.cell(row=1, column=1, value="Bibob-register gemeente Aa en Hunze")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for index, header in enumerate(HEADERS, start=1):
        if header is None:
            continue
        ws.cell(row=3, column=index, value=header)
        if index - 1 in SUB_HEADERS:
            continue
        ws.merge_cells(start_row=3, start_column=index, end_row=4, end_column=index)
    ws.merge_cells(start_row=3, start_column=13, end_row=3, end_column=14)
    for index, text in SUB_HEADERS.items():
        ws.cell(row=4, column=index + 1, value=text)
    current = FIRST_DATA_ROW
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=current, column=index, value=value)
        current += 1
        if blank_every and number % blank_every == 0:
            current += 1  # an empty row, as registers have them
    if extra_sheet:
        notes: Any = workbook.create_sheet("Toelichting")
        notes["A1"] = "Dit register wordt bijgehouden door het team Bibob."
    workbook.active = 0
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], *, delimiter: str = ";", encoding: str = "utf-8-sig"
) -> Path:
    """The same register as a flat CSV (one header row; LBB columns named in full)."""
    import csv
    import io

    headers = [h or "" for h in HEADERS]
    headers[12] = "LBB-advies aangevraagd"
    headers[13] = "LBB-advies ontvangen"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _csv_value(value: Any) -> str:
    if isinstance(value, datetime):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)
