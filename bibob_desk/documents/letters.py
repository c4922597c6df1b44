"""Compose a Dutch municipal letter with ReportLab platypus.

Layout follows the conventions of municipal correspondence: letterhead (logo, organisation name
and contact details), the addressee block where a window envelope shows it, a reference block
(Datum, Ons kenmerk, Onderwerp, ...), salutation, body, a fixed text the officer cannot edit away,
and the signature block. Follow-up pages carry a short header and "Pagina 2 van 3".

Only the Bitstream Vera TrueType fonts shipped with ReportLab are used: they are embedded (PDF/A
needs that; the built-in Helvetica is not embedded). The logo is flattened to RGB without alpha
because PDF/A-2b files must not depend on transparency we do not control; an SVG logo (setting
``organisation.logo``, see documents/logo.py) is drawn as vectors.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.graphics import renderPDF
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from bibob_desk.documents.logo import LetterLogo, flatten_png
from bibob_desk.domain.letters import LetterType

FONT = "BibobVera"
FONT_BOLD = "BibobVera-Bold"
FONT_ITALIC = "BibobVera-Italic"
FONT_BOLD_ITALIC = "BibobVera-BoldItalic"
_FONT_FILES = {
    FONT: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm
RIGHT_MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT_MARGIN
# The address block sits where a DIN C5/6 window envelope shows it (about 50 mm from the top).
ADDRESS_TOP = 52 * mm
FIRST_FRAME_TOP = 84 * mm
DARK_BLUE = colors.Color(0, 59 / 255, 112 / 255)
GREY = colors.Color(0.35, 0.35, 0.35)


@dataclass(frozen=True)
class LetterContent:
    """Everything printed on a letter, already filled in (plain text, not markup)."""

    letter_type: LetterType
    title: str
    organisation_name: str
    organisation_address_lines: tuple[str, ...]
    organisation_contact_lines: tuple[str, ...]
    addressee_lines: tuple[str, ...]
    date_text: str
    reference: str
    subject: str
    salutation: str
    body: str
    fixed_text: str = ""
    legal_basis: str = ""
    handled_by: str = ""
    attachments: str = ""
    closing: str = "Met vriendelijke groet,"
    signature_lines: tuple[str, ...] = ()
    marking: str = ""
    author: str = ""
    logo_path: Path | None = None
    logo: LetterLogo | None = None  # the organisation's logo from the settings (wins over the path)
    draft: bool = False
    extra_reference_rows: tuple[tuple[str, str], ...] = field(default=())


def font_directory() -> Path:
    return Path(os.path.dirname(reportlab.__file__)) / "fonts"


def register_fonts(*, force: bool = False) -> None:
    """Register the embedded TrueType family once per process (``force`` re-reads the files)."""
    if not force and FONT in pdfmetrics.getRegisteredFontNames():
        return
    directory = font_directory()
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(directory / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
    )


def flattened_logo(path: Path) -> ImageReader | None:
    """The logo as an RGB image without alpha (composited on white), or None when unreadable."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return flatten_png(data)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        bulletFontName=FONT,  # the default bullet font is the unembedded Helvetica
        fontSize=10,
        leading=14,
        alignment=TA_LEFT,
        spaceAfter=7,
    )
    return {
        "body": body,
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            spaceBefore=5,
            spaceAfter=3,
            keepWithNext=1,  # a heading never ends a page on its own
        ),
        "bullet": ParagraphStyle(
            "bullet", parent=body, leftIndent=5 * mm, bulletIndent=0, spaceAfter=2
        ),
        "label": ParagraphStyle(
            "label", fontName=FONT, bulletFontName=FONT, fontSize=8, leading=12, textColor=GREY
        ),
        "value": ParagraphStyle(
            "value", fontName=FONT, bulletFontName=FONT, fontSize=9, leading=12
        ),
        "signature": ParagraphStyle("signature", parent=body, spaceAfter=0),
    }


def body_flowables(text: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Plain text to paragraphs: blank line = new paragraph, '## ' = heading, '- ' = bullet."""
    flowables: list[Flowable] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            flowables.append(Paragraph("<br/>".join(paragraph), styles["body"]))
            paragraph.clear()

    for raw_line in text.replace("\r\n", "\n").split("\n"):
        line = raw_line.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("## "):
            flush()
            flowables.append(Paragraph(escape(line[3:].strip()), styles["heading"]))
        elif line.lstrip().startswith("- "):
            flush()
            flowables.append(
                Paragraph(escape(line.lstrip()[2:].strip()), styles["bullet"], bulletText="•")
            )
        else:
            paragraph.append(escape(line.strip()))
    flush()
    return flowables


def _is_heading(flowable: Flowable) -> bool:
    return isinstance(flowable, Paragraph) and flowable.style.name == "heading"


class _NumberedCanvas(rl_canvas.Canvas):
    """Writes "Pagina n van N" on follow-up pages once the page count is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The canvas otherwise starts in Helvetica, which ends up in the page resources unembedded.
        kwargs["initialFontName"] = FONT
        kwargs["initialFontSize"] = kwargs.get("initialFontSize") or 10
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # ReportLab's method name
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            number = self.getPageNumber()
            if number > 1:
                self.setFont(FONT, 8)
                self.setFillColor(GREY)
                self.drawRightString(
                    PAGE_WIDTH - RIGHT_MARGIN, 12 * mm, f"Pagina {number} van {total}"
                )
            super().showPage()
        super().save()


class LetterComposer:
    """Builds letter PDFs, reusing fonts, styles and the logo between letters."""

    def __init__(self, *, reuse: bool = True) -> None:
        self.reuse = reuse
        register_fonts()
        self._styles = _styles()
        self._logos: dict[Path, ImageReader | None] = {}

    def _logo(self, path: Path | None) -> ImageReader | None:
        if path is None:
            return None
        if not self.reuse:
            return flattened_logo(path)
        if path not in self._logos:
            self._logos[path] = flattened_logo(path)
        return self._logos[path]

    def compose(self, content: LetterContent) -> bytes:
        if not self.reuse:
            register_fonts(force=True)
            self._styles = _styles()
        styles = self._styles
        logo: LetterLogo | ImageReader | None = content.logo or self._logo(content.logo_path)
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=LEFT,
            rightMargin=RIGHT_MARGIN,
            topMargin=30 * mm,
            bottomMargin=18 * mm,
            title=content.title,
            author=content.author,
            subject=content.subject,
            creator="Bibob Desk",
            producer="Bibob Desk (ReportLab)",
            lang="nl-NL",
            invariant=1,
            initialFontName=FONT,
        )
        first = Frame(
            LEFT,
            18 * mm,
            TEXT_WIDTH,
            PAGE_HEIGHT - FIRST_FRAME_TOP - 18 * mm,
            id="first",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        later = Frame(
            LEFT,
            18 * mm,
            TEXT_WIDTH,
            PAGE_HEIGHT - 30 * mm - 18 * mm,
            id="later",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )

        def on_first(canvas: rl_canvas.Canvas, _doc: BaseDocTemplate) -> None:
            self._draw_letterhead(canvas, content, logo)
            self._draw_marking(canvas, content)

        def on_later(canvas: rl_canvas.Canvas, _doc: BaseDocTemplate) -> None:
            self._draw_follow_up_header(canvas, content)
            self._draw_marking(canvas, content)

        doc.addPageTemplates(
            [
                PageTemplate(id="first", frames=[first], onPage=on_first),
                PageTemplate(id="later", frames=[later], onPage=on_later),
            ]
        )
        story: list[Flowable] = [NextPageTemplate("later")]
        story.append(self._reference_block(content, styles))
        story.append(Spacer(1, 9 * mm))
        if content.salutation:
            story.append(Paragraph(escape(content.salutation), styles["body"]))
            story.append(Spacer(1, 1 * mm))
        text = body_flowables(content.body, styles)
        if content.fixed_text.strip():
            text.extend(body_flowables(content.fixed_text, styles))
        # The closing never stands alone on a page: keep the last paragraph with it.
        split = max(len(text) - 1, 0)
        while split > 0 and _is_heading(text[split - 1]):
            split -= 1  # and the heading above it
        last = text[split:]
        story.extend(text[:split])
        story.append(KeepTogether([*last, Spacer(1, 3 * mm), *self._signature(content, styles)]))
        doc.build(story, canvasmaker=_NumberedCanvas)
        return buffer.getvalue()

    # --- parts ----------------------------------------------------------------------------

    def _reference_block(
        self, content: LetterContent, styles: dict[str, ParagraphStyle]
    ) -> Flowable:
        rows: list[tuple[str, str]] = [
            ("Datum", content.date_text),
            ("Ons kenmerk", content.reference),
            ("Onderwerp", content.subject),
        ]
        if content.handled_by:
            rows.append(("Behandeld door", content.handled_by))
        rows.extend(content.extra_reference_rows)
        if content.attachments:
            rows.append(("Bijlage", content.attachments))
        if content.legal_basis:
            rows.append(("Grondslag", content.legal_basis))
        data = [
            [Paragraph(escape(label), styles["label"]), Paragraph(escape(value), styles["value"])]
            for label, value in rows
        ]
        table = Table(data, colWidths=[32 * mm, TEXT_WIDTH - 32 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    # Table cells set their own font first; keep it the embedded one.
                    ("FONT", (0, 0), (-1, -1), FONT, 9),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                ]
            )
        )
        return table

    def _signature(
        self, content: LetterContent, styles: dict[str, ParagraphStyle]
    ) -> list[Flowable]:
        parts: list[Flowable] = []
        if content.closing:
            parts.append(Paragraph(escape(content.closing), styles["signature"]))
        lines = list(content.signature_lines)
        # Mandate line first (Awb 10:10), then room for the signature, then name and function.
        if lines:
            parts.append(Paragraph(escape(lines[0]), styles["signature"]))
            parts.append(Spacer(1, 12 * mm))
            for line in lines[1:]:
                parts.append(Paragraph(escape(line), styles["signature"]))
        return parts

    def _draw_letterhead(
        self,
        canvas: rl_canvas.Canvas,
        content: LetterContent,
        logo: LetterLogo | ImageReader | None,
    ) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 15 * mm
        text_x = LEFT
        if logo is not None:
            width, height = logo.size() if isinstance(logo, LetterLogo) else logo.getSize()
            draw_h = 20 * mm
            # A very wide logo would push the name off the page: at most a third of the width.
            draw_w = min(draw_h * width / height, TEXT_WIDTH / 3)
            draw_h = draw_w * height / width
            if isinstance(logo, LetterLogo) and logo.drawing is not None:
                canvas.saveState()
                canvas.translate(LEFT, top - draw_h)
                canvas.scale(draw_w / width, draw_h / height)
                renderPDF.draw(logo.drawing, canvas, 0, 0)
                canvas.restoreState()
            else:
                image = logo.image if isinstance(logo, LetterLogo) else logo
                canvas.drawImage(image, LEFT, top - draw_h, width=draw_w, height=draw_h)
            text_x = LEFT + draw_w + 4 * mm
        canvas.setFillColor(DARK_BLUE)
        canvas.setFont(FONT_BOLD, 15)
        canvas.drawString(text_x, top - 9 * mm, content.organisation_name)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        # Contact column at the right, as municipal letterheads place it.
        column_x = PAGE_WIDTH - RIGHT_MARGIN - 55 * mm
        y = top - 2 * mm
        for line in (*content.organisation_address_lines, *content.organisation_contact_lines):
            if line:
                canvas.drawString(column_x, y, line)
                y -= 3.6 * mm
        # Addressee block.
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT, 10)
        y = PAGE_HEIGHT - ADDRESS_TOP
        for line in content.addressee_lines:
            canvas.drawString(LEFT, y, line)
            y -= 4.6 * mm
        if content.draft:
            canvas.setFont(FONT_BOLD, 9)
            canvas.setFillColor(colors.Color(0.7, 0.1, 0.1))
            canvas.drawRightString(PAGE_WIDTH - RIGHT_MARGIN, PAGE_HEIGHT - ADDRESS_TOP, "CONCEPT")
        canvas.restoreState()

    def _draw_follow_up_header(self, canvas: rl_canvas.Canvas, content: LetterContent) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        y = PAGE_HEIGHT - 18 * mm
        canvas.drawString(LEFT, y, content.organisation_name)
        canvas.drawRightString(
            PAGE_WIDTH - RIGHT_MARGIN,
            y,
            f"Ons kenmerk {content.reference}  ·  Datum {content.date_text}",
        )
        if content.draft:
            canvas.setFont(FONT_BOLD, 8)
            canvas.setFillColor(colors.Color(0.7, 0.1, 0.1))
            canvas.drawString(LEFT, y - 4 * mm, "CONCEPT")
        canvas.restoreState()

    def _draw_marking(self, canvas: rl_canvas.Canvas, content: LetterContent) -> None:
        if not content.marking:
            return
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.setFillColor(colors.Color(0.6, 0.0, 0.0))
        canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 8 * mm, content.marking)
        canvas.drawCentredString(PAGE_WIDTH / 2, 7 * mm, content.marking)
        canvas.restoreState()


_DEFAULT_COMPOSER: LetterComposer | None = None


def compose_letter(content: LetterContent) -> bytes:
    """Compose with a process-wide composer (fonts and logo loaded once)."""
    global _DEFAULT_COMPOSER
    if _DEFAULT_COMPOSER is None:
        _DEFAULT_COMPOSER = LetterComposer()
    return _DEFAULT_COMPOSER.compose(content)


def addressee_block(
    name: str,
    street: str,
    house_number: str,
    postcode: str | None,
    city: str,
    *,
    attention: str = "",
) -> tuple[str, ...]:
    """Dutch postal address: postcode and place separated by two spaces, place in capitals."""
    lines: list[str] = [name]
    if attention:
        lines.append(attention)
    street_line = " ".join(part for part in (street, house_number) if part)
    if street_line:
        lines.append(street_line)
    place = "  ".join(part for part in (postcode or "", city.upper()) if part)
    if place:
        lines.append(place)
    return tuple(lines)


def signature_block(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(line for line in lines if line)
