"""The PDF/A-2B rule checks (documents/pdfa_check.py): real rules of the official profile, and
they catch what they claim to catch."""

from __future__ import annotations

import io
from datetime import datetime

import pikepdf
import pytest
from reportlab.pdfgen import canvas

from bibob_desk.documents.annual_report import pdf_bytes
from bibob_desk.documents.pdfa import make_pdfa
from bibob_desk.documents.pdfa_check import RULES, check_pdfa2b
from bibob_desk.domain.annual_figures import AnnualFigures
from tests.reference_standards import PDFA_PROFILE, need

FIGURES = AnnualFigures(
    2026,
    {"alcohol": 3, "omgevingsvergunning_bouw": 5},
    {"mandatory": 6, "optional": 2},
    2,
    {"geen_gevaar": 4, "ernstig_gevaar": 1},
    {"verlenen": 4, "weigeren": 1},
    1,
    {"inkomend": 2},
    (30, 60, 90),
)


def _plain_reportlab() -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.setFillColorRGB(0.2, 0.3, 0.4)
    drawing.drawString(72, 72, "Helvetica, niet ingebed")
    drawing.save()
    return buffer.getvalue()


def _pdfa() -> bytes:
    return make_pdfa(
        pdf_bytes(FIGURES, "Gemeente Drentsmond"),
        title="Jaarcijfers Bibob 2026",
        author="Gemeente Drentsmond",
        created=datetime(2026, 12, 2, 9, 0),
    )


def _changed(data: bytes, change: object) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _failed(data: bytes) -> set[str]:
    return {rule for rule, _ in check_pdfa2b(data).problems}


def test_every_profile_rule_id_exists_in_the_official_verapdf_profile() -> None:
    from lxml import etree

    profile = etree.parse(str(need(PDFA_PROFILE)))
    ids = {f"{node.get('clause')}-{node.get('testNumber')}" for node in profile.iter("{*}id")}
    assert profile.getroot().get("flavour") == "PDFA_2_B"
    ours = {rule for rule in RULES if not rule.startswith("bibob-")}
    assert ours - ids == set()


def test_the_annual_report_is_pdfa_2b() -> None:
    report = check_pdfa2b(pdf_bytes(FIGURES, "Gemeente Drentsmond"))
    assert report.ok, report.text()
    with pikepdf.open(io.BytesIO(pdf_bytes(FIGURES))) as pdf:
        assert pdf.open_metadata()["dc:title"] == "Jaarcijfers Bibob 2026"


def test_a_plain_reportlab_pdf_fails() -> None:
    failed = _failed(_plain_reportlab())
    assert {"bibob-output-intent", "6.2.11.4.1-1", "6.6.2.1-1", "6.2.4.3-2"} <= failed


def test_pdfa_but_encrypted_fails() -> None:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(_pdfa())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="eigenaar", user="", R=6))
    assert "6.1.3-2" in _failed(out.getvalue())


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (
            lambda pdf: pdf.Root.__setitem__(
                "/OpenAction",
                pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")),
            ),
            "6.5.1-1",
        ),
        (
            lambda pdf: pdf.Root.__setitem__("/AA", pikepdf.Dictionary()),
            "6.5.2-1",
        ),
        (
            lambda pdf: pdf.pages[0].obj.__setitem__(
                "/Group",
                pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB),
            ),
            "bibob-no-transparency",
        ),
        (
            lambda pdf: pdf.Root.OutputIntents.__delitem__(0),
            "bibob-output-intent",
        ),
        (
            lambda pdf: pdf.Root.__delitem__("/Metadata"),
            "6.6.2.1-1",
        ),
        (
            lambda pdf: pdf.docinfo.__setitem__("/Title", "Een andere titel"),
            "bibob-info-matches-xmp",
        ),
    ],
)
def test_each_check_catches_its_fault(change: object, rule: str) -> None:
    data = _pdfa()
    assert check_pdfa2b(data).ok
    assert rule in _failed(_changed(data, change))


def test_pdfaid_part_and_conformance_are_checked() -> None:
    def wrong(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "1"
            meta["pdfaid:conformance"] = "A"

    assert {"6.6.4-2", "6.6.4-3"} <= _failed(_changed(_pdfa(), wrong))
