"""Letter service on SQLite and PostgreSQL: content, four-eyes, read-only final, export records."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bibob_desk.domain.deadlines import compute_deadline
from bibob_desk.domain.errors import NotFoundError, PermissionDenied, ValidationError
from bibob_desk.domain.values import format_date_nl
from bibob_desk.services.cases import CaseService, PartyInput
from bibob_desk.services.context import AppContext
from bibob_desk.services.letters import LetterService
from bibob_desk.storage.models import AuditEntry, Case, DocumentExport, TimelineEntry
from tests.conftest import make_user
from tests.services.letter_helpers import make_letter_case, set_organisation


def approve(service: LetterService, document_id: int) -> Any:
    """Approve as the GUI and the command do: after looking at the preview."""
    return service.approve(document_id, service.approval_preview(document_id).fingerprint)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def _as(context: AppContext, user: str) -> AppContext:
    return AppContext(db=context.db, user=user)


TODAY = date.today()

# Must-contain items per type (besides the common ones checked for every letter).
MUST_CONTAIN = {
    "vragenformulier": [
        "artikel 7a",
        "Regeling Bibob-formulieren 2024",
        "4 weken",
        format_date_nl(compute_deadline("vragenformulier", TODAY).due),
        "4:5 Algemene wet bestuursrecht",
        "artikel 4 Wet Bibob",
        "€ 800.000,00",
    ],
    "opschorting": [
        "1 oktober 2026",  # date the advice was asked
        "acht weken",
        "vier weken",
        "twaalf weken",
        "artikel 15 Wet Bibob",
        "artikel 31 Wet Bibob",
        format_date_nl(compute_deadline("lbb_advice", date(2026, 10, 1), extended=True).due),
    ],
    "voornemen_weigering": [
        "ernstig gevaar",
        "a-grond",
        "b-grond",
        "feiten",
        "zienswijze",
        format_date_nl(compute_deadline("zienswijze", TODAY).due),
        "inzien",
        "artikel 28",
        "geheimhouding",
    ],
    "kennisgeving_derden": [
        "J. de Financier",
        "genoemd",
        "deel van het advies",
        "artikel 33",
        "geheimhouding",
        "artikel 28",
    ],
    "besluit": [
        "weigeren",
        "Motivering",
        "ernstig gevaar",
        "bezwaar",
        "zes weken",
        "6:7",
        "6:8",
        "de burgemeester van Drentsmond, Postbus 1000",
        format_date_nl(compute_deadline("bezwaar", TODAY).due),
        "namens de burgemeester",
    ],
    "intern_advies": [
        "VERTROUWELIJK",
        "Samenvatting van de bevindingen",
        "Mate van gevaar",
        "ernstig gevaar",
        "Voorgesteld besluit",
        "€ 800.000,00",
    ],
}


@pytest.mark.parametrize("letter_type", sorted(MUST_CONTAIN))
def test_every_letter_type_carries_its_mandatory_content(
    context: AppContext, letter_type: str
) -> None:
    reference = make_letter_case(context)
    service = LetterService(context)
    draft = service.create_draft(reference, letter_type)
    text = pdf_text(service.preview(draft.id))
    for item in [
        "Gemeente Drentsmond",
        "Datum",
        format_date_nl(TODAY),
        "Ons kenmerk",
        reference,
        "Onderwerp",
        *MUST_CONTAIN[letter_type],
    ]:
        assert item in text, f"{letter_type}: '{item}' ontbreekt"
    if letter_type != "intern_advies":
        assert "Geachte heer/mevrouw" in text
        assert "Brink Vastgoed B.V." in text or letter_type == "kennisgeving_derden"


def test_letters_that_do_not_fit_are_refused_with_a_reason(context: AppContext) -> None:
    reference = make_letter_case(
        context,
        phase="eigen_onderzoek",
        conclusion=None,
        decision=None,
        lbb_on=None,
        third_party=False,
    )
    service = LetterService(context)
    options = {o.letter_type.value: o for o in service.options(reference)}
    assert options["vragenformulier"].available
    for code in ("opschorting", "voornemen_weigering", "kennisgeving_derden", "besluit"):
        assert not options[code].available and options[code].reason
    with pytest.raises(ValidationError, match="conclusie"):
        service.create_draft(reference, "besluit")


def test_edit_body_then_final_is_read_only(context: AppContext) -> None:
    reference = make_letter_case(context)
    service = LetterService(context)
    draft = service.create_draft(reference, "vragenformulier")
    edited = service.update_body(draft.id, draft.body_text + "\n\nExtra zin van de behandelaar.")
    assert "Extra zin van de behandelaar." in pdf_text(service.preview(edited.id))
    final = service.finalise(edited.id)
    assert final.is_final and final.sha256 and final.size_bytes
    stored = service.preview(final.id)
    assert hashlib.sha256(stored).hexdigest() == final.sha256
    assert "CONCEPT" not in pdf_text(stored)
    with pytest.raises(ValidationError, match="definitief"):
        service.update_body(final.id, "Nieuwe tekst")
    with pytest.raises(ValidationError, match="definitief"):
        service.finalise(final.id)


def test_four_eyes_rules(context: AppContext) -> None:
    make_user(context.db, "officer", "medewerker", "Olga Officier")
    make_user(context.db, "lead2", "teamleider", "Lotte Leider")
    reference = make_letter_case(context)
    officer = LetterService(_as(context, "officer"))
    draft = LetterService(context).create_draft(reference, "besluit")  # author: tester (lead)
    # Not approved: cannot be made final or exported.
    with pytest.raises(ValidationError, match="goedgekeurd"):
        LetterService(context).finalise(draft.id)
    # An officer cannot approve; the author cannot approve their own letter.
    with pytest.raises(PermissionDenied):
        approve(officer, draft.id)
    with pytest.raises(PermissionDenied, match="zelf"):
        approve(LetterService(context), draft.id)
    approved = approve(LetterService(_as(context, "lead2")), draft.id)
    assert approved.approved_by == "lead2" and approved.approved_at is not None
    # Editing withdraws the approval.
    edited = LetterService(context).update_body(draft.id, approved.body_text + "\n\nAanvulling.")
    assert edited.approved_by is None
    approved = approve(LetterService(_as(context, "lead2")), draft.id)
    final = LetterService(context).finalise(draft.id)
    assert final.is_final
    with context.db.session() as session:
        actions = [a for (a,) in session.execute(select(AuditEntry.action))]
    assert actions.count("goedkeuren") == 2 and "definitief_maken" in actions


def test_approval_is_only_for_besluit_and_intern_advies(context: AppContext) -> None:
    make_user(context.db, "lead2", "teamleider")
    reference = make_letter_case(context)
    draft = LetterService(context).create_draft(reference, "vragenformulier")
    with pytest.raises(ValidationError):
        approve(LetterService(_as(context, "lead2")), draft.id)


def test_export_writes_pdf_and_sidecar_and_records_it(context: AppContext, tmp_path: Path) -> None:
    tmp_path = tmp_path / "dms"
    reference = make_letter_case(context)
    service = LetterService(context)
    result = service.export_letter(reference, "opschorting", tmp_path)
    assert result.pdf_path.name == f"{reference}_opschorting.pdf"
    assert result.sidecar_path.name == f"{reference}_opschorting.pdf.metadata.json"
    data = json.loads(result.sidecar_path.read_text(encoding="utf-8"))
    pdf = result.pdf_path.read_bytes()
    assert data["integriteit"] == {
        "algoritme": "sha_256",
        "waarde": hashlib.sha256(pdf).hexdigest(),
        "datum": TODAY.isoformat(),
    }
    assert data["bestandsomvang"] == len(pdf)
    assert data["bestandsnaam"] == result.pdf_path.name
    assert data["taal"] == "dut" and data["formaat"] == "application/pdf"
    assert data["vertrouwelijkheidaanduiding"] == "vertrouwelijk"
    assert data["bibob"]["zaak"]["identificatie"] == reference
    for key in ("identificatie", "bronorganisatie", "creatiedatum", "titel", "auteur"):
        assert key in data
    assert len(data["identificatie"]) <= 40
    # A second export never overwrites.
    again = service.export_letter(reference, "opschorting", tmp_path)
    assert again.pdf_path.name == f"{reference}_opschorting-2.pdf"
    assert again.pdf_path.read_bytes() == pdf  # the same final letter
    with context.db.session() as session:
        assert len(session.execute(select(DocumentExport)).all()) == 2
        texts = [t for (t,) in session.execute(select(TimelineEntry.text))]
        actions = [a for (a,) in session.execute(select(AuditEntry.action))]
    assert sum("geëxporteerd" in t for t in texts) == 2
    assert actions.count("exporteren") == 2


def test_export_of_besluit_needs_an_approved_concept(context: AppContext, tmp_path: Path) -> None:
    tmp_path = tmp_path / "dms"
    make_user(context.db, "author", "medewerker")
    reference = make_letter_case(context, officer="author")
    with pytest.raises(ValidationError, match="goedgekeurd"):
        LetterService(context).export_letter(reference, "besluit", tmp_path)
    draft = LetterService(_as(context, "author")).create_draft(reference, "besluit")
    with pytest.raises(ValidationError, match="goedgekeurd"):
        LetterService(context).export_document(draft.id, tmp_path)
    assert list(tmp_path.iterdir()) == []
    approve(LetterService(context), draft.id)
    result = LetterService(context).export_letter(reference, "besluit", tmp_path)
    assert result.document.id == draft.id and result.document.is_final
    assert "goedkeuring" in json.loads(result.sidecar_path.read_text(encoding="utf-8"))["bibob"]


def test_kennisgeving_goes_to_the_chosen_third_party(context: AppContext) -> None:
    reference = make_letter_case(context)
    service = LetterService(context)
    assert service.third_parties(reference) == ["J. de Financier"]
    with pytest.raises(ValidationError, match="Kies uit"):
        service.create_draft(reference, "kennisgeving_derden", party="Onbekend")
    with pytest.raises(ValidationError, match="kennisgeving"):
        service.create_draft(reference, "besluit", party="J. de Financier")
    draft = service.create_draft(reference, "kennisgeving_derden", party="j. de financier")
    text = pdf_text(service.preview(draft.id))
    assert "Kerkplein 3" in text and "9402 EF EMMEN" in text


def test_officer_cannot_see_letters_of_other_cases(context: AppContext) -> None:
    make_user(context.db, "other", "medewerker")
    reference = make_letter_case(context)
    with pytest.raises(NotFoundError, match="geen toegang") as hidden:
        LetterService(_as(context, "other")).options(reference)
    with pytest.raises(NotFoundError) as missing:
        LetterService(_as(context, "other")).options("BIB-2026-9999")
    assert str(hidden.value).replace(reference, "X") == str(missing.value).replace(
        "BIB-2026-9999", "X"
    )


def test_besluit_counts_the_bezwaar_term_from_the_sending_date(context: AppContext) -> None:
    # Sent on Friday 13 November 2026: six weeks end on 25 December (eerste Kerstdag); the
    # Algemene termijnenwet moves the end to Monday 28 December 2026.
    reference = make_letter_case(context, decision_sent_date=date(2026, 11, 13))
    service = LetterService(context)
    text = pdf_text(service.preview(service.create_draft(reference, "besluit").id))
    assert "verzonden op 13 november 2026" in text
    assert "uiterlijk op 28 december 2026" in text


# --- the organisation's own settings on its letters (issue 14) ------------------------------


@pytest.mark.parametrize(
    ("cleared", "named"),
    [
        ({"organisation.name": ""}, "naam (organisation.name)"),
        ({"organisation.address_lines": []}, "postadres (organisation.address_lines)"),
        ({"organisation.rsin": ""}, "rsin (organisation.rsin)"),
        (
            {"organisation.name": "", "organisation.rsin": ""},
            "naam (organisation.name), rsin (organisation.rsin)",
        ),
    ],
)
def test_no_final_letter_or_export_without_name_address_and_rsin(
    context: AppContext, tmp_path: Path, cleared: dict[str, object], named: str
) -> None:
    tmp_path = tmp_path / "dms"
    tmp_path.mkdir()
    reference = make_letter_case(context)
    service = LetterService(context)
    draft = service.create_draft(reference, "vragenformulier")
    set_organisation(context, **{k.replace(".", "__"): v for k, v in cleared.items()})
    with pytest.raises(ValidationError, match="definitief worden gemaakt") as caught:
        service.finalise(draft.id)
    assert named in str(caught.value)
    with pytest.raises(ValidationError, match="geëxporteerd"):
        service.export_letter(reference, "vragenformulier", tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert not service.documents(reference)[0].is_final
    service.preview(draft.id)  # a concept can still be looked at


def test_a_final_letter_is_not_exported_once_the_rsin_is_gone(
    context: AppContext, tmp_path: Path
) -> None:
    reference = make_letter_case(context)
    service = LetterService(context)
    draft = service.create_draft(reference, "vragenformulier")
    service.finalise(draft.id)
    set_organisation(context, organisation__rsin="")
    with pytest.raises(ValidationError, match=r"rsin \(organisation\.rsin\)"):
        service.export_document(draft.id, tmp_path)


def test_letters_carry_the_settings_and_the_organ_of_the_area(
    context: AppContext, tmp_path: Path
) -> None:
    reference = make_letter_case(context)  # omgevingsvergunning_bouw
    set_organisation(
        context,
        organisation__name="Gemeente Assen",
        organisation__rsin="002564440",
        signature__organ_per_area={
            "omgevingsvergunning_bouw": "het college van burgemeester en wethouders van Assen"
        },
        signature__mandate_line_per_area={
            "omgevingsvergunning_bouw": "namens het college van burgemeester en wethouders"
        },
        signature__signatory_name="mr. A. de Vries",
    )
    make_user(context.db, "lead2", "teamleider")
    service = LetterService(_as(context, "lead2"))
    draft = service.create_draft(reference, "besluit")
    approve(LetterService(context), draft.id)
    result = service.export_document(draft.id, tmp_path)
    text = pdf_text(result.pdf_path.read_bytes())
    assert "Gemeente Assen" in text and "Gemeente Drentsmond" not in text
    # Awb 6:4 and 10:10: bezwaar to the college that decided, signed on its behalf.
    assert "het college van burgemeester en wethouders van Assen, Postbus 1000" in text
    assert "namens het college van burgemeester en wethouders" in text
    assert "mr. A. de Vries" in text
    sidecar = json.loads(result.sidecar_path.read_text(encoding="utf-8"))
    assert sidecar["bronorganisatie"] == "002564440"


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_logo_from_the_settings_is_in_the_letterhead(context: AppContext, fmt: str) -> None:
    import pikepdf

    from bibob_desk.documents.logo import logo_from_bytes
    from tests.services.test_settings import SVG, png_bytes

    reference = make_letter_case(context)
    data = png_bytes(120, 60) if fmt == "png" else SVG
    set_organisation(context, organisation__logo=logo_from_bytes(data, f"logo.{fmt}"))
    service = LetterService(context)
    draft = service.create_draft(reference, "vragenformulier")
    service.finalise(draft.id)
    pdf = service.preview(draft.id)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        xobjects = page.obj.Resources.get("/XObject") or {}
        images = [k for k in xobjects if xobjects[k].get("/Subtype") == "/Image"]
        content = b"".join(
            part.read_bytes()
            for part in (
                page.obj.Contents
                if isinstance(page.obj.Contents, pikepdf.Array)
                else [page.obj.Contents]
            )
        )
    if fmt == "png":
        assert images  # a raster image, flattened (no SMask)
    else:
        assert not images and b"0 .2 .4 rg" in content  # the SVG's #003366 as vector fill


def _third_parties_case(context: AppContext, *extra: PartyInput) -> str:
    """The issue's case: "Jan Bos" (Kerkstraat 1, Assen) and "Jan Bosman" (Dorpsweg 99, Emmen)."""
    reference = make_letter_case(context, third_party=False)
    cases = CaseService(context)
    for name, street, number, postcode, city in (
        ("Jan Bos", "Kerkstraat", "1", "9401 AA", "Assen"),
        ("Jan Bosman", "Dorpsweg", "99", "7811 AA", "Emmen"),
    ):
        cases.add_party(
            reference,
            PartyInput(
                name=name,
                kind="natuurlijk_persoon",
                role="financier",
                street=street,
                house_number=number,
                postcode=postcode,
                city=city,
            ),
        )
    for party in extra:
        cases.add_party(reference, party)
    return reference


def test_kennisgeving_goes_to_the_chosen_party_by_id(context: AppContext, tmp_path: Path) -> None:
    reference = _third_parties_case(context)
    service = LetterService(context)
    ids = {label.split(",")[0]: pid for pid, label in service.addressee_choices(reference)}
    bosman = service.create_draft(reference, "kennisgeving_derden", "Jan Bosman")
    bos = service.create_draft(reference, "kennisgeving_derden", str(ids["Jan Bos"]))
    assert bosman.id != bos.id
    assert (bosman.addressee_party_id, bos.addressee_party_id) == (
        ids["Jan Bosman"],
        ids["Jan Bos"],
    )
    shown = service.addressee(bosman.id)
    assert shown is not None and shown.complete and "Dorpsweg 99" in shown.text()
    # Each export is addressed to its own party, with its own file and checksum.
    first = service.export_letter(reference, "kennisgeving_derden", tmp_path, party="Jan Bosman")
    second = service.export_letter(reference, "kennisgeving_derden", tmp_path, party="Jan Bos")
    assert first.document.id == bosman.id and second.document.id == bos.id
    assert first.sha256 != second.sha256
    first_text = " ".join(p.extract_text() for p in PdfReader(first.pdf_path).pages)
    second_text = " ".join(p.extract_text() for p in PdfReader(second.pdf_path).pages)
    assert "Dorpsweg 99" in first_text and "Kerkstraat 1" not in first_text
    assert "Kerkstraat 1" in second_text and "Dorpsweg 99" not in second_text


def test_an_ambiguous_or_unknown_addressee_is_refused_with_the_choices(
    context: AppContext,
) -> None:
    twin = PartyInput(
        name="Jan Bos",
        kind="natuurlijk_persoon",
        role="zakelijk_betrokkene",
        street="Brink",
        house_number="5",
        postcode="9401 BB",
        city="Assen",
    )
    reference = _third_parties_case(context, twin)
    service = LetterService(context)
    with pytest.raises(ValidationError, match="Meer dan één betrokkene") as refused:
        service.create_draft(reference, "kennisgeving_derden", "jan bos")
    assert "Kerkstraat 1" in str(refused.value) and "Brink 5" in str(refused.value)
    with pytest.raises(ValidationError, match="meer dan één derde"):
        service.create_draft(reference, "kennisgeving_derden")
    with pytest.raises(ValidationError, match="Kies uit"):
        service.create_draft(reference, "kennisgeving_derden", "Jan")  # no partial match
    with pytest.raises(ValidationError, match="Kies uit"):
        service.create_draft(reference, "kennisgeving_derden", "999999")


def test_a_letter_without_a_complete_postal_address_cannot_be_final(context: AppContext) -> None:
    reference = make_letter_case(context, third_party=False)
    CaseService(context).add_party(
        reference, PartyInput(name="Zonder Adres", kind="natuurlijk_persoon", role="financier")
    )
    service = LetterService(context)
    draft = service.create_draft(reference, "kennisgeving_derden")
    shown = service.addressee(draft.id)
    assert shown is not None and not shown.complete and "straat" in shown.missing
    with pytest.raises(ValidationError, match="ontbreekt straat, huisnummer, postcode"):
        service.finalise(draft.id)


def test_a_change_after_approval_voids_it(context: AppContext) -> None:
    make_user(context.db, "lead2", "teamleider")
    reference = make_letter_case(context)
    draft = LetterService(context).create_draft(reference, "besluit")
    lead2 = LetterService(_as(context, "lead2"))
    approve(lead2, draft.id)
    # The decision changes after approval (here: the conclusion's grounds): no longer approved.
    with context.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        case.conclusion_grounds = "a"
    with pytest.raises(ValidationError, match="vervallen"):
        LetterService(context).finalise(draft.id)
    shown = LetterService(context).get(draft.id)
    assert not shown.is_approved and "vervallen" in shown.status_label
    # The editor (lead2 now changes the text) cannot approve it again.
    lead2.update_body(draft.id, draft.body_text + "\n\nAanvulling.")
    with pytest.raises(PermissionDenied, match="gewijzigd"):
        approve(lead2, draft.id)
