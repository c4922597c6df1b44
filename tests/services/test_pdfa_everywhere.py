"""Every PDF the app writes is checked against the PDF/A-2B rules that can be checked here
(documents/pdfa_check.py, rule ids of the official veraPDF profile): each final letter type, a
concept preview, and the annual report as the report command writes it."""

from __future__ import annotations

from pathlib import Path

from bibob_desk.documents.annual_report import write_report
from bibob_desk.documents.pdfa_check import check_pdfa2b
from bibob_desk.domain.letters import LetterType
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from bibob_desk.services.report import ReportService
from tests.conftest import make_user
from tests.services.letter_helpers import make_letter_case


def test_every_pdf_the_app_writes_passes_the_pdfa_checks(
    sqlite_context: AppContext, tmp_path: Path
) -> None:
    context = sqlite_context
    make_user(context.db, "author", "medewerker")
    reference = make_letter_case(context, officer="author")
    author = LetterService(AppContext(db=context.db, user="author"))
    # A concept preview (marked CONCEPT) is written by `bibob-desk letter` too.
    concept, _view = LetterService(context).render_letter(reference, "besluit")
    report = check_pdfa2b(concept)
    assert report.ok, report.text()
    for kind in ("besluit", "intern_advies"):
        draft_id = author.create_draft(reference, kind).id
        lead = LetterService(context)
        lead.approve(draft_id, lead.approval_preview(draft_id).fingerprint)
    for kind in LetterType:
        result = LetterService(context).export_letter(reference, kind.value, tmp_path / "dms")
        report = check_pdfa2b(result.pdf_path.read_bytes())
        assert report.ok, f"{kind.value}\n{report.text()}"
    figures = ReportService(context).annual_figures(2026)
    out = tmp_path / "jaarcijfers.pdf"
    write_report(figures, out, "Gemeente Drentsmond")
    report = check_pdfa2b(out.read_bytes())
    assert report.ok, report.text()
