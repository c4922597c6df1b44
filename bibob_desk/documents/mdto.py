"""MDTO XML records (Nationaal Archief, MDTO-XML 1.0.1) for an exported letter.

MDTO describes an archival record as an *informatieobject* (the letter, in Dutch ``taal`` "nl",
unlike ZGW's "dut") and each file as a *bestand* (size, PRONOM format, SHA-256 checksum). One XML
file per object, elements in the order of the XSD. Values that are "begrippen" carry a label and
the name of their begrippenlijst.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime

MDTO_NS = "https://www.nationaalarchief.nl/mdto"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{MDTO_NS} https://www.nationaalarchief.nl/mdto/MDTO-XML1.0.1.xsd"
SOURCE = "Bibob Desk"
PDFA2B_PRONOM = "fmt/477"
PDFA2B_LABEL = "Acrobat PDF/A - Portable Document Format 2b"
EVENT_TYPES = "Begrippenlijst EventTypeLijst MDTO"
OWN_TERMS = "Begrippenlijst Bibob Desk"


@dataclass(frozen=True)
class MdtoRecord:
    document_id: str  # identificatie of the letter
    title: str
    file_name: str
    size_bytes: int
    sha256: str
    checksum_moment: datetime
    created: date
    case_reference: str
    organisation: str
    retention_years: int
    confidentiality_note: str


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{MDTO_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _identificatie(parent: ET.Element, tag: str, kenmerk: str) -> None:
    node = _sub(parent, tag)
    _sub(node, "identificatieKenmerk", kenmerk)
    _sub(node, "identificatieBron", SOURCE)


def _begrip(parent: ET.Element, tag: str, label: str, lijst: str, code: str = "") -> None:
    node = _sub(parent, tag)
    _sub(node, "begripLabel", label)
    if code:
        _sub(node, "begripCode", code)
    lijst_node = _sub(node, "begripBegrippenlijst")
    _sub(lijst_node, "verwijzingNaam", lijst)


def _verwijzing(parent: ET.Element, tag: str, name: str, kenmerk: str = "") -> None:
    node = _sub(parent, tag)
    _sub(node, "verwijzingNaam", name)
    if kenmerk:
        _identificatie(node, "verwijzingIdentificatie", kenmerk)


def _moment(moment: datetime) -> str:
    """xsd:dateTime in UTC (the database keeps naive UTC times)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    return utc.replace(tzinfo=None).isoformat("T", "seconds") + "Z"


def _document(child_tag: str) -> tuple[ET.Element, ET.Element]:
    ET.register_namespace("", MDTO_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(f"{{{MDTO_NS}}}MDTO", {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION})
    return root, _sub(root, child_tag)


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def informatieobject_xml(record: MdtoRecord) -> bytes:
    root, obj = _document("informatieobject")
    _identificatie(obj, "identificatie", record.document_id)
    _sub(obj, "naam", record.title)
    _begrip(obj, "aggregatieniveau", "Archiefstuk", "Begrippenlijst Aggregatieniveaus MDTO")
    _sub(obj, "taal", "nl")
    event = _sub(obj, "event")
    # Creation of the final letter; the list name as in the official examples.
    _begrip(event, "eventType", "Creatie", EVENT_TYPES)
    _sub(event, "eventTijd", _moment(record.checksum_moment))
    _begrip(obj, "waardering", "Tijdelijk te bewaren", "Begrippenlijst Waarderingen MDTO", "V")
    bewaartermijn = _sub(obj, "bewaartermijn")
    # MDTO types the trigger as begripGegevens (label + begrippenlijst), not as text.
    _begrip(bewaartermijn, "termijnTriggerStartLooptijd", "Sluiting zaak", OWN_TERMS)
    _sub(bewaartermijn, "termijnLooptijd", f"P{record.retention_years}Y")
    _verwijzing(obj, "isOnderdeelVan", f"Bibob-zaak {record.case_reference}", record.case_reference)
    _verwijzing(obj, "heeftRepresentatie", record.file_name, f"{record.document_id}-pdf")
    _verwijzing(obj, "archiefvormer", record.organisation)
    beperking = _sub(obj, "beperkingGebruik")
    _begrip(
        beperking,
        "beperkingGebruikType",
        "Openbaarheidsbeperking",
        "Begrippenlijst BeperkingGebruik MDTO",
    )
    _sub(beperking, "beperkingGebruikNadereBeschrijving", record.confidentiality_note)
    return _serialise(root)


def bestand_xml(record: MdtoRecord) -> bytes:
    root, obj = _document("bestand")
    _identificatie(obj, "identificatie", f"{record.document_id}-pdf")
    _sub(obj, "naam", record.file_name)
    _sub(obj, "omvang", str(record.size_bytes))
    _begrip(obj, "bestandsformaat", PDFA2B_LABEL, "PRONOM-register", PDFA2B_PRONOM)
    checksum = _sub(obj, "checksum")
    _begrip(checksum, "checksumAlgoritme", "SHA256", "Begrippenlijst ChecksumAlgoritme MDTO")
    _sub(checksum, "checksumWaarde", record.sha256)
    _sub(checksum, "checksumDatum", _moment(record.checksum_moment))
    _verwijzing(obj, "isRepresentatieVan", record.title, record.document_id)
    return _serialise(root)
