"""Printing through Qt's print dialog: a letter (its PDF, page by page), a case summary and the
overview list. What is printed comes from the services; this module only lays it out on paper.

``choose_printer`` is the one place that asks (tests replace it with a PDF printer).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QMarginsF, QRect, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from bibob_desk.domain.money import format_money
from bibob_desk.gui.detail_models import (
    DocumentTableModel,
    PartyTableModel,
    TimelineTableModel,
    local_time,
)
from bibob_desk.services.cases import CaseView
from bibob_desk.services.overview import OverviewFilter, OverviewService

# The overview list on paper: more rows than this is a report, not a print-out.
MAX_PRINTED_ROWS = 2000


def new_printer(landscape: bool = False) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    if landscape:  # a wide list: landscape unless the user chooses otherwise
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
    return printer


def choose_printer(parent: QWidget | None, title: str, landscape: bool = False) -> QPrinter | None:
    """Qt's print dialog (Dutch through qtbase_nl); None when the user cancels."""
    printer = new_printer(landscape)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def print_images(printer: QPrinter, pages: Sequence[QImage]) -> None:
    """Each image on its own sheet, as large as fits, keeping its proportions."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("De printer kan niet worden geopend.")
    try:
        for number, image in enumerate(pages):
            if number:
                printer.newPage()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x(), area.y(), size.width(), size.height())
            painter.drawImage(target, image)
    finally:
        painter.end()


def print_html(printer: QPrinter, html: str, points: float = 9) -> None:
    document = QTextDocument()
    font = document.defaultFont()
    font.setPointSizeF(points)
    document.setDefaultFont(font)
    document.setHtml(html)
    document.print_(printer)


def print_pdf(printer: QPrinter, pdf: bytes) -> int:
    """A PDF (a letter) page by page; returns the number of pages."""
    from bibob_desk.gui.letters_panel import render_pdf_pages

    pages = render_pdf_pages(pdf, scale=300 / 72)  # 300 dpi: sharp on paper
    print_images(printer, pages)
    return len(pages)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _model_rows(model: PartyTableModel | TimelineTableModel | DocumentTableModel) -> str:
    headers = [
        str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(len(model.columns))
    ]
    rows = [
        [str(model.data(model.index(r, c)) or "") for c in range(len(model.columns))]
        for r in range(model.rowCount())
    ]
    return _table(headers, rows) if rows else "<p>(geen)</p>"


def case_summary_html(case: CaseView) -> str:
    """One case on paper: its fields, parties, documents and timeline."""
    fields = [
        ("Titel", case.title),
        ("Fase", case.phase_label),
        ("Toepassingsgebied", case.area_label),
        ("Organisatie", case.organisation),
        ("Behandelaar", case.officer or "(nog niet toegewezen)"),
        ("Aanvraagdatum", case.application_date.strftime("%d-%m-%Y")),
        ("Bouwsom", format_money(case.bouwsom) if case.bouwsom is not None else ""),
        (
            "Locatie",
            " ".join(p for p in (case.street, case.house_number) if p)
            + (", " if case.street else "")
            + " ".join(p for p in (case.postcode or "", case.city) if p),
        ),
        ("Laatst gewijzigd", local_time(case.updated_at)),
    ]
    parties = PartyTableModel()
    parties.set_rows(case.parties)
    documents = DocumentTableModel()
    documents.set_rows(case.documents)
    timeline = TimelineTableModel()
    timeline.set_rows(sorted(case.timeline, key=lambda t: (t.occurred_at, t.id)))
    field_rows = "".join(
        f"<tr><td width='25%'><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"
        for label, value in fields
    )
    return (
        f"<h2>Zaak {escape(case.reference)}</h2>"
        "<p><i>Vertrouwelijk: gegevens uit een Bibob-onderzoek (art. 28 Wet Bibob).</i></p>"
        f"<table cellspacing='0' cellpadding='3'>{field_rows}</table>"
        f"<h3>Betrokkenen</h3>{_model_rows(parties)}"
        f"<h3>Documenten</h3>{_model_rows(documents)}"
        f"<h3>Tijdlijn</h3>{_model_rows(timeline)}"
    )


def overview_html(
    service: OverviewService, overview_filter: OverviewFilter, order: tuple[str, bool]
) -> str:
    """The overview list as filtered and sorted on screen (at most ``MAX_PRINTED_ROWS`` rows)."""
    from bibob_desk.gui.overview import COLUMNS

    total = service.count(overview_filter)
    order_by, descending = order
    rows = service.rows(
        overview_filter,
        offset=0,
        limit=MAX_PRINTED_ROWS,
        order_by=order_by,
        descending=descending,
    )
    texts = [[column.value(row) for column in COLUMNS] for row in rows]
    shown = (
        f"{total} zaken"
        if total <= MAX_PRINTED_ROWS
        else f"de eerste {MAX_PRINTED_ROWS} van {total} zaken (verfijn de filters voor de rest)"
    )
    return f"<h2>Overzicht Bibob-zaken</h2><p>{escape(shown)}</p>" + _table(
        [column.title for column in COLUMNS], texts
    )
