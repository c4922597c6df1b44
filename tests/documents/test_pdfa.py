"""PDF/A-2b properties of a composed letter, checked with pikepdf."""

from __future__ import annotations

import io
from datetime import datetime

import pikepdf
import pytest

from bibob_desk.documents.letters import LetterComposer, LetterContent, addressee_block
from bibob_desk.documents.pdfa import PRODUCER, make_pdfa
from bibob_desk.domain.letters import LetterType
from bibob_desk.paths import resource_path


def sample_content(body_paragraphs: int = 3) -> LetterContent:
    body = "\n\n".join(
        "Dit is alinea " + str(i) + " van de brief over de aanvraag. " * 6
        for i in range(body_paragraphs)
    )
    return LetterContent(
        letter_type=LetterType.BESLUIT,
        title="Besluit op aanvraag BIB-2026-0001",
        organisation_name="Gemeente Drentsmond",
        organisation_address_lines=("Postbus 1000", "9400 AA  Drentsmond"),
        organisation_contact_lines=("Stadhuisplein 1", "T 14 0592"),
        addressee_lines=addressee_block("Brink B.V.", "Hoofdstraat", "12", "9401 AB", "Assen"),
        date_text="22 november 2026",
        reference="BIB-2026-0001",
        subject="Besluit op uw aanvraag",
        salutation="Geachte heer/mevrouw,",
        body=body + "\n\n## Kop\n- punt één\n- punt <twee> & drie",
        fixed_text="## Bezwaar\nBinnen zes weken.",
        signature_lines=("namens de burgemeester,", "A. Ambtenaar", "coördinator Bibob"),
        marking="VERTROUWELIJK",
        author="tester",
        logo_path=resource_path("demo/logo.png"),
    )


@pytest.fixture(scope="module")
def pdfa_bytes() -> bytes:
    raw = LetterComposer().compose(sample_content())
    return make_pdfa(
        raw,
        title="Besluit op aanvraag BIB-2026-0001",
        author="tester",
        created=datetime(2026, 11, 22, 9, 30),
    )


def test_all_fonts_are_embedded_truetype(pdfa_bytes: bytes) -> None:
    fonts_seen = 0
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        for page in pdf.pages:
            resources = page.obj.get("/Resources", {})
            for _name, font in resources.get("/Font", {}).items():
                fonts_seen += 1
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants is not None else font
                descriptor = target.get("/FontDescriptor")
                assert descriptor is not None, f"font {font.get('/BaseFont')} has no descriptor"
                assert "/FontFile2" in descriptor, f"font {font.get('/BaseFont')} not embedded"
                assert "Helvetica" not in str(font.get("/BaseFont"))
    assert fonts_seen >= 2


def test_xmp_identification_and_info_agree(pdfa_bytes: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == "Besluit op aanvraag BIB-2026-0001"
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"]
        assert meta["pdf:Producer"] == PRODUCER == str(pdf.docinfo["/Producer"])
        assert meta["xmp:CreateDate"].startswith("2026-11-22T09:30")
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20261122093000")
        assert "tester" in str(meta["dc:creator"])


def test_output_intent_id_and_no_encryption(pdfa_bytes: bytes) -> None:
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert intents[0].S == pikepdf.Name.GTS_PDFA1
        profile = intents[0].DestOutputProfile.read_bytes()
        assert profile[36:40] == b"acsp" and b"RGB " in profile[:32]
        assert "/ID" in pdf.trailer and len(pdf.trailer.ID) == 2
        assert not pdf.is_encrypted


def test_logo_has_no_transparency(pdfa_bytes: bytes) -> None:
    images = 0
    with pikepdf.open(io.BytesIO(pdfa_bytes)) as pdf:
        for page in pdf.pages:
            for _name, image in page.get_images().items():
                images += 1
                assert "/SMask" not in image and "/Mask" not in image
                assert image.ColorSpace == pikepdf.Name.DeviceRGB
    assert images == 1


def test_same_input_gives_the_same_bytes() -> None:
    composer = LetterComposer()
    moment = datetime(2026, 11, 22, 9, 30)
    first = make_pdfa(composer.compose(sample_content()), title="t", author="a", created=moment)
    second = make_pdfa(composer.compose(sample_content()), title="t", author="a", created=moment)
    assert first == second


def test_long_letters_get_page_numbers_on_follow_up_pages() -> None:
    from pypdf import PdfReader

    raw = LetterComposer().compose(sample_content(body_paragraphs=14))
    reader = PdfReader(io.BytesIO(raw))
    total = len(reader.pages)
    assert total >= 2
    first_page = reader.pages[0].extract_text()
    assert "Pagina 1 van" not in first_page
    for number in range(2, total + 1):
        assert f"Pagina {number} van {total}" in reader.pages[number - 1].extract_text()
    assert "punt <twee> & drie" in " ".join(p.extract_text() for p in reader.pages)
