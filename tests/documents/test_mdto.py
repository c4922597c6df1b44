"""MDTO XML records for an exported letter."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime

from bibob_desk.documents.mdto import MDTO_NS, MdtoRecord, bestand_xml, informatieobject_xml

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
    assert checksum.findtext("m:checksumAlgoritme/m:begripLabel", namespaces=NS) == "SHA-256"
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
