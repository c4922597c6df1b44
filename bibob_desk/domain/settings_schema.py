"""The organisation settings as one table: key, type, Dutch label and help, and a small validator.

Keys are the dotted names of ``resources/settings/defaults.json`` (the shipped defaults, with no
organisation in them). The settings page, the first-start dialog and ``bibob-desk settings`` all
validate through :func:`validate`, so a value refused in one is refused in the others with the
same Dutch sentence, which always names the key.

Adding a setting: put its default in defaults.json and one ``SettingSpec`` in ``SCHEMA`` (with a
validator when the type alone does not say enough). A default without a spec still works: its
type is inferred from the default value (see :func:`inferred_spec`), so a key another feature
adds to defaults.json is editable at once.

How a value is written on the command line (:func:`parse_text`) and printed by ``settings get``
(:func:`format_text`), per type:

====== ====================================== ==========================================
type   command line                           example
====== ====================================== ==========================================
text   as typed; ``""`` empties it            ``"Gemeente Assen"``
lines  a JSON list of strings                 ``'["Postbus 30018", "9400 RA  Assen"]'``
integer digits                                ``8``
boolean ``ja`` or ``nee``                     ``ja``
choice one of the codes                       ``vertrouwelijk``
folder a folder path; ``""`` = the default    ``/srv/dms/inbox``
image  a PNG or SVG file; ``""`` removes it   ``logo.svg``
table  a JSON object, or KEY.ITEM VALUE       ``'{"subsidie": 13}'`` / ``….subsidie 13``
====== ====================================== ==========================================
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PureWindowsPath
from typing import Any

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.letters import CONFIDENTIALITY_LEVELS, LETTER_LABELS
from bibob_desk.domain.retention import MAX_RETENTION_YEARS
from bibob_desk.domain.values import Rsin

# defaults.json keys that are not settings (the file's own format version).
META_KEYS = frozenset({"settings_version"})

MAX_TEXT = 200
MAX_LINES = 6
MAX_LOGO_BYTES = 1_000_000  # a letterhead logo, not a photo
LOGO_FORMATS = ("png", "svg")


class SettingType(StrEnum):
    TEXT = "text"
    LINES = "lines"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    FOLDER = "folder"
    IMAGE = "image"
    TABLE = "table"


TYPE_LABELS = {
    SettingType.TEXT: "tekst",
    SettingType.LINES: "regels (JSON-lijst)",
    SettingType.INTEGER: "geheel getal",
    SettingType.BOOLEAN: "ja of nee",
    SettingType.CHOICE: "keuze",
    SettingType.FOLDER: "map",
    SettingType.IMAGE: "afbeelding (PNG of SVG)",
    SettingType.TABLE: "tabel (JSON-object)",
}

# A validator gets the value after the type check and returns it normalised, or raises
# ValueError with the reason (the caller prefixes the key and label).
Validator = Callable[[Any], Any]


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    group: str
    type: SettingType
    help: str = ""
    validator: Validator | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (code, Dutch label)
    minimum: int | None = None
    maximum: int | None = None
    # Tables: the allowed item keys with their labels, and the type of each item.
    item_keys: tuple[tuple[str, str], ...] = ()
    item_type: SettingType = SettingType.INTEGER
    item_validator: Validator | None = None
    required_for_letters: bool = False
    example: str = ""
    inferred: bool = field(default=False, compare=False)

    def item_label(self, item: str) -> str:
        return dict(self.item_keys).get(item, item)

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)


# --- small validators ----------------------------------------------------------------------


def _rsin(value: str) -> str:
    if not value:
        return ""  # not filled in yet; letters check that it is there before they become final
    try:
        return str(Rsin.parse(value))
    except ValidationError as exc:
        raise ValueError(str(exc)) from exc


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: str) -> str:
    if value and not _EMAIL.match(value):
        raise ValueError(f"'{value}' is geen e-mailadres (zoals bibob@gemeente.nl).")
    return value


def _phone(value: str) -> str:
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"\+?[\d\s()\-]+", value) or not 3 <= len(digits) <= 15:
        raise ValueError(
            f"'{value}' is geen telefoonnummer: cijfers, spaties, '+', '-' en haakjes, "
            "3 tot 15 cijfers (zoals 14 0592 of 0592 123 456)."
        )
    return value


_WEBSITE = re.compile(r"^(https?://)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")


def _website(value: str) -> str:
    if value and not _WEBSITE.match(value):
        raise ValueError(f"'{value}' is geen website (zoals www.gemeente.nl).")
    return value


_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s]*)?$")
MAX_URL = 200  # ZGW: informatieobjecttype, zaak and link are at most 200 characters


def _url(value: str) -> str:
    if value and (not _URL.match(value) or len(value) > MAX_URL):
        raise ValueError(
            f"'{value}' is geen URL (http:// of https://, hoogstens {MAX_URL} tekens), zoals "
            "https://zaken.gemeente.nl/catalogi/api/v1/informatieobjecttypen/…"
        )
    return value


def _api_root(value: str) -> str:
    return _url(value.rstrip("/"))


# --- the schema ------------------------------------------------------------------------------

_ORGANISATION = "Organisatie"
_SIGNATURE = "Bestuursorgaan en ondertekening"
_BEZWAAR = "Bezwaar"
_TERMS = "Termijnen"
_EXPORT = "Export naar het documentsysteem"
_ZGW = "Zaaksysteem (ZGW-API's)"
_RETENTION = "Bewaren en vernietigen"
_BACKUP = "Back-up"

_AREA_ITEMS = tuple(AREAS.items())
_CONFIDENTIALITY = tuple((code, code.replace("_", " ")) for code in CONFIDENTIALITY_LEVELS)

SCHEMA: tuple[SettingSpec, ...] = (
    SettingSpec(
        "organisation.name",
        "Naam",
        _ORGANISATION,
        SettingType.TEXT,
        "Naam van de organisatie in het briefhoofd en de exportgegevens.",
        required_for_letters=True,
        example="Gemeente Assen",
    ),
    SettingSpec(
        "organisation.kind",
        "Soort organisatie",
        _ORGANISATION,
        SettingType.CHOICE,
        choices=tuple((kind, kind) for kind in ("gemeente", "provincie", "waterschap")),
        example="gemeente",
    ),
    SettingSpec(
        "organisation.rsin",
        "RSIN",
        _ORGANISATION,
        SettingType.TEXT,
        "Negen cijfers die de elfproef doorstaan; de 'bronorganisatie' bij export.",
        validator=_rsin,
        required_for_letters=True,
        example="002564440",
    ),
    SettingSpec(
        "organisation.address_lines",
        "Postadres",
        _ORGANISATION,
        SettingType.LINES,
        "Postbus of straat, en postcode met plaats: in het briefhoofd.",
        required_for_letters=True,
        example='["Postbus 30018", "9400 RA  Assen"]',
    ),
    SettingSpec(
        "organisation.visiting_address",
        "Bezoekadres",
        _ORGANISATION,
        SettingType.TEXT,
        example="Noordersingel 33, Assen",
    ),
    SettingSpec(
        "organisation.phone",
        "Telefoon",
        _ORGANISATION,
        SettingType.TEXT,
        validator=_phone,
        example="14 0592",
    ),
    SettingSpec(
        "organisation.email",
        "E-mail",
        _ORGANISATION,
        SettingType.TEXT,
        validator=_email,
        example="bibob@assen.nl",
    ),
    SettingSpec(
        "organisation.website",
        "Website",
        _ORGANISATION,
        SettingType.TEXT,
        validator=_website,
        example="www.assen.nl",
    ),
    SettingSpec(
        "organisation.logo",
        "Logo",
        _ORGANISATION,
        SettingType.IMAGE,
        "PNG of SVG, hoogstens 1 MB, 16 tot 4000 pixels breed en hoog; links in het briefhoofd.",
        example="logo.svg",
    ),
    SettingSpec(
        "signature.organ",
        "Bestuursorgaan",
        _SIGNATURE,
        SettingType.TEXT,
        "Het bevoegde bestuursorgaan, zoals het in de brief staat (tenzij per gebied anders).",
        example="de burgemeester van Assen",
    ),
    SettingSpec(
        "signature.organ_per_area",
        "Bestuursorgaan per toepassingsgebied",
        _SIGNATURE,
        SettingType.TABLE,
        "Waar een ander orgaan bevoegd is, bijvoorbeeld het college voor omgevingsvergunningen.",
        item_keys=_AREA_ITEMS,
        item_type=SettingType.TEXT,
        example='{"omgevingsvergunning_bouw": "het college van burgemeester en wethouders van '
        'Assen"}',
    ),
    SettingSpec(
        "signature.mandate_line",
        "Mandaatregel",
        _SIGNATURE,
        SettingType.TEXT,
        "Boven de ondertekening (Awb 10:10).",
        example="namens de burgemeester",
    ),
    SettingSpec(
        "signature.mandate_line_per_area",
        "Mandaatregel per toepassingsgebied",
        _SIGNATURE,
        SettingType.TABLE,
        item_keys=_AREA_ITEMS,
        item_type=SettingType.TEXT,
        example='{"omgevingsvergunning_bouw": "namens het college van burgemeester en wethouders"}',
    ),
    SettingSpec(
        "signature.signatory_name",
        "Naam ondertekenaar",
        _SIGNATURE,
        SettingType.TEXT,
        "Leeg: de opsteller van de brief.",
        example="mr. A. de Vries",
    ),
    SettingSpec(
        "signature.signatory_function",
        "Functie ondertekenaar",
        _SIGNATURE,
        SettingType.TEXT,
        example="coördinator Bibob",
    ),
    SettingSpec(
        "bezwaar.body",
        "Bezwaar richten aan",
        _BEZWAAR,
        SettingType.TEXT,
        "Leeg: het bestuursorgaan dat besloot (Awb 6:4).",
        example="de burgemeester van Assen",
    ),
    SettingSpec(
        "bezwaar.address_lines",
        "Adres voor bezwaar",
        _BEZWAAR,
        SettingType.LINES,
        "Leeg: het postadres van de organisatie.",
        example='["Postbus 30018", "9400 RA  Assen"]',
    ),
    SettingSpec(
        "terms.vragenformulier_weeks",
        "Termijn vragenformulier (weken)",
        _TERMS,
        SettingType.INTEGER,
        "Eigen termijn van de organisatie om het Bibob-vragenformulier in te vullen.",
        minimum=1,
        maximum=26,
        example="4",
    ),
    SettingSpec(
        "terms.zienswijze_weeks",
        "Termijn zienswijze (weken)",
        _TERMS,
        SettingType.INTEGER,
        "Eigen termijn voor een zienswijze op een voornemen (Awb 4:8).",
        minimum=1,
        maximum=26,
        example="2",
    ),
    SettingSpec(
        "terms.decision_period_weeks_default",
        "Beslistermijn (weken)",
        _TERMS,
        SettingType.INTEGER,
        "Voor toepassingsgebieden zonder eigen beslistermijn.",
        minimum=1,
        maximum=52,
        example="8",
    ),
    SettingSpec(
        "terms.decision_period_weeks",
        "Beslistermijn per toepassingsgebied (weken)",
        _TERMS,
        SettingType.TABLE,
        item_keys=_AREA_ITEMS,
        item_type=SettingType.INTEGER,
        minimum=1,
        maximum=52,
        example='{"subsidie": 13}',
    ),
    SettingSpec(
        "export.folder",
        "Exportmap",
        _EXPORT,
        SettingType.FOLDER,
        "De map waaruit het documentsysteem de brieven ophaalt.",
        example="/srv/dms/bibob",
    ),
    SettingSpec(
        "export.mdto",
        "MDTO-bestanden meesturen",
        _EXPORT,
        SettingType.BOOLEAN,
        example="ja",
    ),
    SettingSpec(
        "export.confidentiality",
        "Standaard vertrouwelijkheid",
        _EXPORT,
        SettingType.CHOICE,
        "De ZGW-vertrouwelijkheidaanduiding van een nieuwe brief.",
        choices=_CONFIDENTIALITY,
        example="vertrouwelijk",
    ),
    SettingSpec(
        "zgw.informatieobjecttypen",
        "Informatieobjecttype per brieftype",
        _ZGW,
        SettingType.TABLE,
        "Per brieftype de URL van het INFORMATIEOBJECTTYPE in de catalogus (Catalogi API) van "
        "de organisatie; nodig voor elke export.",
        item_keys=tuple((kind.value, label) for kind, label in LETTER_LABELS.items()),
        item_type=SettingType.TEXT,
        item_validator=_url,
        example='{"besluit": "https://zaken.gemeente.nl/catalogi/api/v1/informatieobjecttypen/'
        '2f1c…"}',
    ),
    SettingSpec(
        "zgw.documenten_api",
        "Documenten API",
        _ZGW,
        SettingType.TEXT,
        "Basis-URL van de Documenten API voor het rechtstreeks uploaden (export --zgw).",
        validator=_api_root,
        example="https://zaken.gemeente.nl/documenten/api/v1",
    ),
    SettingSpec(
        "zgw.zaken_api",
        "Zaken API",
        _ZGW,
        SettingType.TEXT,
        "Basis-URL van de Zaken API: koppelt het document aan de zaak van de Bibob-zaak.",
        validator=_api_root,
        example="https://zaken.gemeente.nl/zaken/api/v1",
    ),
    SettingSpec(
        "zgw.client_id",
        "Client-ID",
        _ZGW,
        SettingType.TEXT,
        "De client-ID voor de JWT; het geheim staat in de sleutelhanger van het systeem of in "
        "BIBOB_DESK_ZGW_SECRET, nooit in de database.",
        example="bibob-desk",
    ),
    SettingSpec(
        "retention.years_after_closing",
        "Bewaartermijn (jaren na sluiten)",
        _RETENTION,
        SettingType.INTEGER,
        "Na zoveel jaar komt een gesloten zaak op de vernietigingslijst; laat de archivaris dit "
        "bevestigen (selectielijst).",
        minimum=0,
        maximum=MAX_RETENTION_YEARS,
        example="5",
    ),
    SettingSpec(
        "backup.folder",
        "Back-upmap",
        _BACKUP,
        SettingType.FOLDER,
        "Leeg: een map 'backups' naast het SQLite-bestand (PostgreSQL: in de gebruikersmap).",
        example="/srv/backup/bibob",
    ),
    SettingSpec(
        "backup.interval_hours",
        "Automatische back-up elke (uren)",
        _BACKUP,
        SettingType.INTEGER,
        "0 = geen automatische back-up.",
        minimum=0,
        maximum=24 * 366,
        example="24",
    ),
    SettingSpec(
        "backup.keep",
        "Aantal back-ups bewaren",
        _BACKUP,
        SettingType.INTEGER,
        minimum=1,
        maximum=1000,
        example="7",
    ),
    SettingSpec(
        "audit.anchor_folder",
        "Map voor auditankers",
        _BACKUP,
        SettingType.FOLDER,
        "Elke dag een anker van het auditlogboek (aantal regels, laatste hash); leeg: de "
        "back-upmap. Kies een map die databasegebruikers niet kunnen wijzigen.",
        example="/srv/bibob-ankers",
    ),
)

SPECS: dict[str, SettingSpec] = {spec.key: spec for spec in SCHEMA}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in SCHEMA))
OTHER_GROUP = "Overig"


# --- keys ----------------------------------------------------------------------------------


def _leaves(document: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in document.items():
        key = f"{prefix}{name}"
        if not prefix and name in META_KEYS:
            continue
        spec = SPECS.get(key)
        if isinstance(value, dict) and (spec is None or spec.type != SettingType.TABLE):
            yield from _leaves(value, f"{key}.")
        else:
            yield key, value


def inferred_spec(key: str, default: Any) -> SettingSpec:
    """A spec for a default that has none in SCHEMA, typed after its default value."""
    if isinstance(default, bool):
        kind = SettingType.BOOLEAN
    elif isinstance(default, int):
        kind = SettingType.INTEGER
    elif isinstance(default, list):
        kind = SettingType.LINES
    elif isinstance(default, dict):
        kind = SettingType.TABLE
    else:
        kind = SettingType.TEXT
    return SettingSpec(
        key,
        key,
        OTHER_GROUP,
        kind,
        minimum=0 if kind == SettingType.INTEGER else None,
        item_type=SettingType.TEXT,
        inferred=True,
    )


def specs_for(defaults: Mapping[str, Any]) -> list[SettingSpec]:
    """Every setting of ``defaults`` (the parsed defaults.json) in schema order, then the rest."""
    leaves = dict(_leaves(defaults))
    ordered = [spec for spec in SCHEMA if spec.key in leaves]
    ordered += [inferred_spec(key, value) for key, value in leaves.items() if key not in SPECS]
    return ordered


def resolve_key(key: str, defaults: Mapping[str, Any]) -> tuple[SettingSpec, str | None]:
    """The spec of ``key``, and the item for ``table.ITEM`` keys; unknown keys are refused."""
    text = key.strip()
    known = {spec.key: spec for spec in specs_for(defaults)}
    if text in known:
        return known[text], None
    parent, _, item = text.rpartition(".")
    spec = known.get(parent)
    if spec is not None and spec.type == SettingType.TABLE and item:
        if spec.item_keys and item not in dict(spec.item_keys):
            codes = ", ".join(code for code, _ in spec.item_keys)
            raise ValidationError(
                f"Instelling {parent} kent geen onderdeel '{item}'. Kies uit: {codes}.", text
            )
        return spec, item
    raise ValidationError(
        f"Onbekende instelling '{text}'. Zie 'bibob-desk settings list' voor alle instellingen.",
        text,
    )


# --- values ------------------------------------------------------------------------------


def _fail(spec: SettingSpec, reason: str, item: str | None = None) -> ValidationError:
    key = f"{spec.key}.{item}" if item else spec.key
    label = f"{spec.label}, {spec.item_label(item)}" if item else spec.label
    name = key if spec.inferred else f"{key} ({label})"
    return ValidationError(f"Instelling {name}: {reason}", spec.key)


def _check_text(value: Any, what: str = "tekst") -> str:
    if not isinstance(value, str):
        raise ValueError(f"verwacht {what}, niet {json.dumps(value, ensure_ascii=False)}.")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"hoogstens {MAX_TEXT} tekens (nu {len(text)}).")
    if any(ord(ch) < 32 for ch in text):
        raise ValueError("geen regeleinden of stuurtekens in één regel.")
    return text


def _check_integer(value: Any, spec: SettingSpec) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        shown = json.dumps(value, ensure_ascii=False)
        raise ValueError(f"verwacht een geheel getal, niet {shown}.")
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            raise ValueError(f"moet tussen {low} en {high} liggen, niet {value}.")
        if low is not None:
            raise ValueError(f"moet {low} of meer zijn, niet {value}.")
        raise ValueError(f"moet {high} of minder zijn, niet {value}.")
    return value


def _check_folder(value: Any) -> str:
    text = _check_text(value, "een mapnaam")
    if not text:
        return ""
    windows = PureWindowsPath(text)
    if not (text.startswith(("/", "~")) or windows.is_absolute() or text.startswith("\\\\")):
        raise ValueError(
            f"'{text}' is geen volledig pad; geef de hele map op (zoals /srv/dms of "
            "D:\\Export of \\\\server\\share)."
        )
    return text


def image_value(data: bytes, fmt: str, width: int, height: int, name: str = "") -> dict[str, Any]:
    """The stored form of a logo (see documents/logo.py for the checks on the file itself)."""
    return {
        "format": fmt,
        "name": name,
        "width": width,
        "height": height,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": base64.b64encode(data).decode("ascii"),
    }


def image_bytes(value: Any) -> bytes | None:
    """The file bytes of a stored logo, or None when there is none (or it is damaged)."""
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        return None
    try:
        data = base64.b64decode(value["data"], validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if hashlib.sha256(data).hexdigest() == value.get("sha256") else None


def _check_image(value: Any) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict) or value.get("format") not in LOGO_FORMATS:
        raise ValueError("verwacht een PNG- of SVG-bestand.")
    data = image_bytes(value)
    if data is None:
        raise ValueError("de opgeslagen afbeelding is beschadigd.")
    if len(data) > MAX_LOGO_BYTES:
        raise ValueError(f"het bestand is groter dan {MAX_LOGO_BYTES // 1_000_000} MB.")
    return dict(value)


def _check_item(spec: SettingSpec, value: Any) -> Any:
    if spec.item_type == SettingType.INTEGER:
        return _check_integer(value, spec)
    text = _check_text(value)
    return spec.item_validator(text) if spec.item_validator and text else text


def _check_type(spec: SettingSpec, value: Any) -> Any:
    kind = spec.type
    if kind == SettingType.TEXT:
        return _check_text(value)
    if kind == SettingType.INTEGER:
        return _check_integer(value, spec)
    if kind == SettingType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("verwacht ja of nee.")
        return value
    if kind == SettingType.CHOICE:
        code = _check_text(value, "een keuze").lower().replace(" ", "_").replace("-", "_")
        codes = [c for c, _ in spec.choices]
        if code not in codes:
            raise ValueError(f"'{value}' is geen keuze. Kies uit: {', '.join(codes)}.")
        return code
    if kind == SettingType.LINES:
        if not isinstance(value, list):
            raise ValueError('verwacht een lijst regels, zoals ["Postbus 1", "9400 AA  Assen"].')
        lines = [_check_text(line, "tekst per regel") for line in value]
        lines = [line for line in lines if line]
        if len(lines) > MAX_LINES:
            raise ValueError(f"hoogstens {MAX_LINES} regels (nu {len(lines)}).")
        return lines
    if kind == SettingType.FOLDER:
        return _check_folder(value)
    if kind == SettingType.IMAGE:
        return _check_image(value)
    if kind == SettingType.TABLE:
        if not isinstance(value, dict):
            raise ValueError('verwacht een tabel (JSON-object), zoals {"subsidie": 13}.')
        allowed = dict(spec.item_keys)
        table: dict[str, Any] = {}
        for item, item_value in value.items():
            if allowed and item not in allowed:
                raise ValueError(f"onbekend onderdeel '{item}'. Kies uit: {', '.join(allowed)}.")
            if item_value is None or item_value == "":
                continue  # an empty cell removes the item: the default applies again
            checked = _check_item(spec, item_value)
            if checked != "":
                table[str(item)] = checked
        return table
    raise ValueError(f"onbekend soort instelling {kind}.")  # pragma: no cover


def validate(spec: SettingSpec, value: Any) -> Any:
    """``value`` checked and normalised for ``spec``, or a ValidationError naming the key."""
    try:
        checked = _check_type(spec, value)
        if spec.validator is not None:
            checked = spec.validator(checked)
    except ValueError as exc:
        raise _fail(spec, str(exc)) from exc
    return checked


def validate_item(spec: SettingSpec, item: str, value: Any) -> Any:
    """One item of a table (``terms.decision_period_weeks.subsidie``); None or "" removes it."""
    if value is None or value == "":
        return None
    try:
        return _check_item(spec, value)
    except ValueError as exc:
        raise _fail(spec, str(exc), item) from exc


_YES = {"ja", "j", "true", "waar", "1", "aan"}
_NO = {"nee", "n", "false", "onwaar", "0", "uit"}


def parse_text(spec: SettingSpec, text: str, item: str | None = None) -> Any:
    """A value as typed on the command line, turned into the type of ``spec`` (not yet checked)."""
    kind = spec.item_type if item is not None else spec.type
    stripped = text.strip()
    try:
        if kind == SettingType.INTEGER:
            if item is not None and not stripped:
                return None
            if not re.fullmatch(r"-?\d{1,9}", stripped) or not stripped.isascii():
                raise ValueError(f"'{stripped}' is geen geheel getal.")
            return int(stripped)
        if kind == SettingType.BOOLEAN:
            if stripped.lower() in _YES:
                return True
            if stripped.lower() in _NO:
                return False
            raise ValueError(f"'{stripped}' is geen ja of nee.")
        if kind in (SettingType.LINES, SettingType.TABLE):
            try:
                if not stripped:
                    return [] if kind == SettingType.LINES else {}
                return json.loads(stripped)
            except json.JSONDecodeError as exc:
                example = spec.example or ('["…"]' if kind == SettingType.LINES else '{"…": …}')
                raise ValueError(f"schrijf de waarde als JSON, bijvoorbeeld {example}.") from exc
        if kind == SettingType.IMAGE:
            raise ValueError("geef een PNG- of SVG-bestand op.")  # read by the service
    except ValueError as exc:
        raise _fail(spec, str(exc), item) from exc
    return text


def describe_image(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    name = f"{value.get('name')}, " if value.get("name") else ""
    fmt = str(value.get("format", "")).upper()
    return (
        f"{name}{fmt}, {value.get('width')} × {value.get('height')} pixels, "
        f"{value.get('bytes')} bytes"
    )


def format_text(spec: SettingSpec, value: Any) -> str:
    """What ``settings get`` prints: the form ``settings set`` takes (a logo: a description)."""
    if spec.type == SettingType.IMAGE:
        return describe_image(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def json_value(spec: SettingSpec, value: Any) -> Any:
    """The value in ``--json`` output: as stored, but a logo without its bytes."""
    if spec.type == SettingType.IMAGE:
        if not isinstance(value, dict):
            return None
        return {k: value.get(k) for k in ("name", "format", "width", "height", "bytes", "sha256")}
    return value


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing_for_letters(settings: Mapping[str, Any]) -> list[SettingSpec]:
    """The settings a final letter needs that are still empty (name, postal address, RSIN)."""
    missing = []
    for spec in SCHEMA:
        if not spec.required_for_letters:
            continue
        node: Any = settings
        for part in spec.key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if is_empty(node):
            missing.append(spec)
    return missing


def missing_message(missing: list[SettingSpec], what: str) -> str:
    names = ", ".join(f"{spec.label.lower()} ({spec.key})" for spec in missing)
    return (
        f"{what}: de organisatie is nog niet volledig ingesteld; ontbreekt: {names}. Een beheerder "
        "vult dit in onder Instellingen of met 'bibob-desk settings set'."
    )
