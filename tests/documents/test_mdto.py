"""MDTO XML records for an exported letter."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from bibob_desk.documents.mdto import MDTO_NS, MdtoRecord, bestand_xml, informatieobject_xml
from tests.reference_standards import MDTO_XSD, mdto_errors

RECORD = MdtoRecord(
    document_id="BIB-2026-0001-besluit-1",
    title="Besluit op aanvraag",
    file_name="BIB-2026-0001_besluit.pdf",
    size_bytes=48000,
    sha256="ab" * 32,
    checksum_moment=datetime(2026, 11, 22, 10, 0),
    created=date(2026, 11, 22),
    case_reference="BIB-2026-0001",
    organisation="Gemeente Drentsmond",
    retention_years=5,
    confidentiality_note="vertrouwelijk; geheimhouding artikel 28 Wet Bibob",
)
NS = {"m": MDTO_NS}


def test_bestand_has_checksum_and_pronom_format() -> None:
    root = ET.fromstring(bestand_xml(RECORD))
    bestand = root.find("m:bestand", NS)
    assert bestand is not None
    assert bestand.findtext("m:omvang", namespaces=NS) == "48000"
    assert bestand.findtext("m:bestandsformaat/m:begripCode", namespaces=NS) == "fmt/477"
    checksum = bestand.find("m:checksum", NS)
    assert checksum is not None
    assert checksum.findtext("m:checksumAlgoritme/m:begripLabel", namespaces=NS) == "SHA256"
    assert checksum.findtext("m:checksumWaarde", namespaces=NS) == "ab" * 32


def test_informatieobject_has_language_nl_and_xsd_order() -> None:
    root = ET.fromstring(informatieobject_xml(RECORD))
    obj = root.find("m:informatieobject", NS)
    assert obj is not None
    assert obj.findtext("m:taal", namespaces=NS) == "nl"
    order = [child.tag.split("}")[1] for child in obj]
    expected = [
        "identificatie",
        "naam",
        "aggregatieniveau",
        "taal",
        "event",
        "waardering",
        "bewaartermijn",
        "isOnderdeelVan",
        "heeftRepresentatie",
        "archiefvormer",
        "beperkingGebruik",
    ]
    assert order == expected
    assert obj.findtext("m:bewaartermijn/m:termijnLooptijd", namespaces=NS) == "P5Y"
    trigger = obj.find("m:bewaartermijn/m:termijnTriggerStartLooptijd", NS)
    assert trigger is not None
    assert trigger.findtext("m:begripLabel", namespaces=NS) == "Sluiting zaak"
    assert trigger.findtext("m:begripBegrippenlijst/m:verwijzingNaam", namespaces=NS)


@pytest.mark.parametrize("make", [informatieobject_xml, bestand_xml])
def test_records_validate_against_the_official_mdto_xsd(make) -> None:  # type: ignore[no-untyped-def]
    assert mdto_errors(make(RECORD)) == []


def test_the_xsd_check_catches_the_old_text_trigger() -> None:
    """The validation is real: the old text trigger (issue 15) fails the official XSD."""
    broken = informatieobject_xml(RECORD).replace(
        b"<termijnTriggerStartLooptijd>", b"<termijnTriggerStartLooptijd>Afsluiten van de zaak"
    )
    errors = mdto_errors(broken)
    assert errors, f"the XSD in {MDTO_XSD} accepted a text trigger"


def test_values_follow_the_official_examples() -> None:
    from lxml import etree

    ns = {"m": MDTO_NS}
    example = etree.parse(str(MDTO_XSD.parent / "MDTO-XML_1.0.1_Voorbeeld_Bestand.xml"))
    ours = etree.fromstring(bestand_xml(RECORD))
    path = "//m:checksumAlgoritme/m:begripLabel/text()"
    list_path = "//m:checksumAlgoritme/m:begripBegrippenlijst/m:verwijzingNaam/text()"
    assert ours.xpath(path, namespaces=ns) == example.xpath(path, namespaces=ns)
    assert ours.xpath(list_path, namespaces=ns) == example.xpath(list_path, namespaces=ns)
    example = etree.parse(
        str(MDTO_XSD.parent / "MDTO-XML_1.0.1_Voorbeeld_Archiefstuk_Informatieobject.xml")
    )
    ours = etree.fromstring(informatieobject_xml(RECORD))
    for path in (
        "//m:eventType/m:begripBegrippenlijst/m:verwijzingNaam/text()",
        "//m:waardering/m:begripCode/text()",
        "//m:aggregatieniveau/m:begripBegrippenlijst/m:verwijzingNaam/text()",
    ):
        assert ours.xpath(path, namespaces=ns) == example.xpath(path, namespaces=ns)[:1], path
