"""The annual figures as a CSV file, an Excel workbook (openpyxl) and a PDF (ReportLab).

The CSV is written for Dutch Excel, which a double-click opens it in: separator ``;`` (Excel
takes the list separator of the Dutch regional settings, where ``,`` is the decimal comma), a
UTF-8 byte order mark (without it Excel reads the file as Windows-1252 and garbles "ë") and
decimal commas. The XLSX holds the same rows with numbers as numbers. The PDF is PDF/A-2b, as
the letters are (embedded Vera fonts, XMP, sRGB output intent; ``documents/pdfa.py``).

Both files are written beside their target under a temporary name and then renamed, so a
half-written report never appears under the requested name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from bibob_desk.domain.annual_figures import CSV_HEADER, AnnualFigures, format_value
from bibob_desk.domain.values import format_date_nl

REPORT_FORMATS = (".pdf", ".csv", ".xlsx")
CSV_DELIMITER = ";"
UTF8_BOM = "\ufeff"


def _fonts() -> tuple[str, str]:
    """The letters' embedded TrueType family (ReportLab's bundled Bitstream Vera), registered
    once for the whole program; the built-in Helvetica would not be embedded in the PDF."""
    from bibob_desk.documents.letters import FONT, FONT_BOLD, register_fonts

    register_fonts()
    return FONT, FONT_BOLD


def csv_text(rows: Sequence[Sequence[str]]) -> bytes:
    """Rows as a CSV for Dutch Excel: ``;``, CRLF, UTF-8 with byte order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerows(rows)
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def csv_bytes(figures: AnnualFigures) -> bytes:
    return csv_text(figures.csv_rows(decimal_point=","))


def xlsx_bytes(figures: AnnualFigures, organisation: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    # A new workbook has exactly one sheet; create_sheet would add a second, empty one.
    sheet = workbook.worksheets[0]
    sheet.title = f"Jaarcijfers {figures.year}"
    sheet.append(list(CSV_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for title, code, label, value in figures.table_rows():
        sheet.append([title, code, label, value])
        if isinstance(value, float):
            sheet.cell(row=sheet.max_row, column=4).number_format = "0.0"
    for column, width in zip("ABCD", (42, 28, 52, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.properties.creator = "Bibob Desk"
    workbook.properties.title = f"Jaarcijfers Bibob {figures.year}"
    if organisation:
        workbook.properties.subject = organisation
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(figures: AnnualFigures, organisation: str = "", made_on: date | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    font, font_bold = _fonts()
    title = f"Jaarcijfers Bibob {figures.year}"
    heading = ParagraphStyle("kop", fontName=font_bold, fontSize=16, leading=20, spaceAfter=4)
    sub = ParagraphStyle("sub", fontName=font, fontSize=9, leading=12, textColor=colors.grey)
    section = ParagraphStyle("sectie", fontName=font_bold, fontSize=11, leading=14, spaceAfter=3)
    note = ParagraphStyle("noot", fontName=font, fontSize=8, leading=10, textColor=colors.grey)
    made = format_date_nl(made_on or date.today())
    story: list[object] = [
        Paragraph(title, heading),
        Paragraph(
            f"{organisation + ' · ' if organisation else ''}Opgesteld op {made}. "
            "Geanonimiseerde aantallen; vernietigde dossiers tellen mee.",
            sub,
        ),
        Spacer(1, 6 * mm),
    ]
    for section_title, items in figures.sections():
        rows = [[label, format_value(value) or "–"] for _, label, value in items]
        table = Table(rows, colWidths=[125 * mm, 30 * mm], hAlign="LEFT")
        table.setStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
            ]
        )
        if items and items[-1][0] == "totaal":
            table.setStyle([("FONT", (0, -1), (-1, -1), font_bold, 9)])
        story.append(KeepTogether([Paragraph(section_title, section), table, Spacer(1, 5 * mm)]))
    story.append(
        Paragraph(
            "Telling per jaar: zaken en toetsingen naar aanvraagdatum; adviesaanvragen naar "
            "datum van aanvraag bij het LBB (art. 15 Wet Bibob); besluiten en doorlooptijd tot "
            "besluit naar besluitdatum; conclusies (art. 3 Wet Bibob) naar besluitdatum, of "
            "aanvraagdatum zolang er geen besluit is; terugtrekkingen en doorlooptijd tot "
            "afsluiting naar afsluitdatum; tips naar datum van ontvangst of verzending.",
            note,
        )
    )
    buffer = io.BytesIO()

    def footer(canvas: object, doc: object) -> None:
        canvas.setFont(font, 8)  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            A4[0] - 20 * mm,
            12 * mm,
            f"{title} · pagina {doc.page}",  # type: ignore[attr-defined]
        )

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        author=organisation or "Bibob Desk",
        creator="Bibob Desk",
        lang="nl-NL",
        # Otherwise the canvas starts in Helvetica, which would end up unembedded in the file.
        initialFontName=font,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    # PDF/A-2b like the letters: XMP identification, sRGB output intent, file ID.
    from bibob_desk.documents.pdfa import make_pdfa

    return make_pdfa(
        buffer.getvalue(),
        title=title,
        author=organisation or "Bibob Desk",
        created=datetime.now(UTC),
        subject="Geanonimiseerde jaarcijfers Wet Bibob",
    )


def write_atomically(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """All-or-nothing through storage/files.py (the GUI's file dialog already asked about
    replacing; the command line passes ``overwrite`` from ``--overwrite``)."""
    from bibob_desk.storage.files import write_bytes

    write_bytes(path, data, overwrite=overwrite)


def write_report(
    figures: AnnualFigures, path: Path, organisation: str = "", *, overwrite: bool = True
) -> None:
    """Write ``path`` as PDF, CSV or XLSX, chosen by its extension (checked by the caller)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        data = pdf_bytes(figures, organisation)
    elif suffix == ".xlsx":
        data = xlsx_bytes(figures, organisation)
    else:
        data = csv_bytes(figures)
    write_atomically(path, data, overwrite=overwrite)
