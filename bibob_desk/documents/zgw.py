"""A letter as a ZGW ENKELVOUDIGINFORMATIEOBJECT (Documenten API 1.5.0, VNG-Realisatie).

One body serves both export targets:
- the folder sidecar ``<name>.pdf.metadata.json``: the request body of
  ``POST /enkelvoudiginformatieobjecten`` (schema ``EnkelvoudigInformatieObjectCreateLockRequest``)
  without ``inhoud`` (the PDF lies beside it, named in ``bestandsnaam``), plus one key ``bibob``
  with what ZGW has no field for (the Bibob case, approval, MDTO file names);
- the direct upload: the same fields with ``inhoud`` (base64, or in bestandsdelen for a large
  file; ``documents/zgw_client.py``), without ``bibob``.

A document is linked to a case's zaak by a ZAAKINFORMATIEOBJECT in the Zaken API, not by a field
of the document, so the case lives under ``bibob`` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import LETTER_LABELS, LetterType

BIBOB_KEY = "bibob"
SIDECAR_VERSION = "2"
ZGW_LANGUAGE = "dut"  # ISO 639-2/B, as the Documenten API asks (MDTO uses "nl")
PDF_MEDIA_TYPE = "application/pdf"
MAX_IDENTIFICATIE = 40
MAX_TITEL = 200
MAX_AUTEUR = 200
MAX_BESCHRIJVING = 1000
TYPES_SETTING = "zgw.informatieobjecttypen"


@dataclass(frozen=True)
class LetterInfo:
    identificatie: str
    bronorganisatie: str  # RSIN
    creatiedatum: date
    titel: str
    vertrouwelijkheidaanduiding: str
    auteur: str
    bestandsnaam: str
    bestandsomvang: int
    sha256: str
    informatieobjecttype: str  # URL into the Catalogi API
    beschrijving: str = ""


def informatieobjecttype_for(settings: Mapping[str, Any], kind: LetterType, what: str) -> str:
    """The catalogue URL for ``kind`` (``zgw.informatieobjecttypen.<type>``) or a refusal."""
    table = settings.get("zgw", {}).get("informatieobjecttypen") or {}
    url = str(table.get(kind.value, "") if isinstance(table, dict) else "").strip()
    if not url:
        key = f"{TYPES_SETTING}.{kind.value}"
        raise ValidationError(
            f"{what}: het documentsysteem vraagt een informatieobjecttype, maar voor "
            f"'{LETTER_LABELS[kind]}' is er geen ingesteld ({key}). Een beheerder vult de URL uit "
            f"de catalogus in onder Instellingen of met 'bibob-desk settings set {key} URL'.",
            key,
        )
    return url


def informatieobject(info: LetterInfo) -> dict[str, Any]:
    """The ZGW fields of the document, in the order of the OpenAPI schema."""
    return {
        "identificatie": info.identificatie[:MAX_IDENTIFICATIE],
        "bronorganisatie": info.bronorganisatie,
        "creatiedatum": info.creatiedatum.isoformat(),
        "titel": info.titel[:MAX_TITEL],
        "vertrouwelijkheidaanduiding": info.vertrouwelijkheidaanduiding,
        "auteur": info.auteur[:MAX_AUTEUR],
        "status": "definitief",
        "formaat": PDF_MEDIA_TYPE,
        "taal": ZGW_LANGUAGE,
        "bestandsnaam": info.bestandsnaam,
        "bestandsomvang": info.bestandsomvang,
        "beschrijving": info.beschrijving[:MAX_BESCHRIJVING],
        "indicatieGebruiksrecht": False,
        "integriteit": {
            "algoritme": "sha_256",
            "waarde": info.sha256,
            "datum": info.creatiedatum.isoformat(),
        },
        "informatieobjecttype": info.informatieobjecttype,
    }


def sidecar(info: LetterInfo, bibob: Mapping[str, Any]) -> dict[str, Any]:
    """The folder sidecar: the ZGW request body without ``inhoud``, plus ``bibob``."""
    return {**informatieobject(info), BIBOB_KEY: {"sidecar_version": SIDECAR_VERSION, **bibob}}
