"""Bringing in an existing Excel register: which column is which, and what each row becomes.

Pure: the services read the file and the database and hand over plain values. Three steps:

1. ``detect_layout`` finds the header row (also under a merged title row or a two-level header
   such as "LBB-advies" over "aangevraagd" / "ontvangen") and maps each column to a field by the
   headers municipalities use, case-insensitive, with or without punctuation, Dutch synonyms.
   A column that maps to nothing is kept as a note on the case, never dropped.
2. ``ImportMapping`` holds the user's corrections (columns, value labels, officers), read from and
   written to a JSON mapping file with Dutch messages naming the wrong key.
3. ``plan_row`` turns one row into a ``RowPlan``: the checked case fields, parties, historical
   phase, conclusion and decision, or the row's problems ("rij 44, kolom Bouwkosten: ...").
   The workflow's rules are checked on the historical record: a decision needs a conclusion and
   must fit it (Wet Bibob art. 3), dates follow each other and none lies in the future.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bibob_desk.domain.areas import area_label
from bibob_desk.domain.case import MAX_TITLE, ValidationErrors, validate_case_fields
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.domain.phases import Phase, has_reached
from bibob_desk.domain.register_values import (
    EXCEL_EPOCH_1900,
    VALID_CODES,
    WITHDRAWAL,
    CellValue,
    LabelKind,
    LabelTables,
    cell_text,
    is_empty,
    normalise,
    parse_amount,
    parse_conclusion_value,
    parse_date_or_flag,
    parse_date_value,
    parse_yes_no,
)
from bibob_desk.domain.values import format_date_nl, parse_kvk_number
from bibob_desk.domain.workflow import Conclusion, Decision, check_conclusion

MAPPING_FORMAT = 1
HEADER_SCAN_ROWS = 30
# Awb 6:7: six weeks for bezwaar. A decided case whose register gives no phase is still in the
# besluit phase while that term may run, closed after it.
BEZWAAR_WEEKS = 6


class Field(StrEnum):
    OLD_REFERENCE = "old_reference"
    TITLE = "title"
    APPLICANT = "applicant"
    KVK = "kvk_number"
    AREA = "area"
    BOUWSOM = "bouwsom"
    APPLICATION_DATE = "application_date"
    ADDRESS = "address"
    POSTCODE = "postcode"
    CITY = "city"
    OFFICER = "officer"
    PHASE = "phase"
    OUTCOME = "outcome"
    LBB_REQUESTED = "lbb_requested"
    LBB_RECEIVED = "lbb_received"
    CONCLUSION = "conclusion"
    DECISION = "decision"
    DECISION_DATE = "decision_date"
    WITHDRAWN = "withdrawn"
    CLOSED_ON = "closed_on"
    TIP = "tip"
    DIRECTORS = "directors"
    SHAREHOLDERS = "shareholders"
    INVOLVED = "involved"
    REGISTER_REPORTED = "register_reported"
    REMARKS = "remarks"
    NOTE = "note"


FIELD_LABELS: dict[Field, str] = {
    Field.OLD_REFERENCE: "Oud kenmerk (zaaknummer)",
    Field.TITLE: "Titel / omschrijving",
    Field.APPLICANT: "Aanvrager",
    Field.KVK: "KvK-nummer aanvrager",
    Field.AREA: "Toepassingsgebied",
    Field.BOUWSOM: "Bouwsom",
    Field.APPLICATION_DATE: "Aanvraagdatum",
    Field.ADDRESS: "Adres",
    Field.POSTCODE: "Postcode",
    Field.CITY: "Plaats",
    Field.OFFICER: "Behandelaar",
    Field.PHASE: "Fase",
    Field.OUTCOME: "Uitkomst toets (Bibob van toepassing)",
    Field.LBB_REQUESTED: "LBB-advies aangevraagd",
    Field.LBB_RECEIVED: "LBB-advies ontvangen",
    Field.CONCLUSION: "Conclusie (mate van gevaar)",
    Field.DECISION: "Besluit",
    Field.DECISION_DATE: "Besluitdatum",
    Field.WITHDRAWN: "Ingetrokken door aanvrager",
    Field.CLOSED_ON: "Datum afgesloten",
    Field.TIP: "Tip (art. 26)",
    Field.DIRECTORS: "Bestuurders",
    Field.SHAREHOLDERS: "Aandeelhouders",
    Field.INVOLVED: "Bestuurders/aandeelhouders (samen)",
    Field.REGISTER_REPORTED: "Gemeld aan het Bibob-register",
    Field.REMARKS: "Bijzonderheden / opmerkingen",
    Field.NOTE: "Notitie bij de zaak (overige kolom)",
}

REQUIRED_FIELDS = (Field.AREA, Field.APPLICATION_DATE)

HEADER_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.OLD_REFERENCE: (
        "zaaknummer",
        "zaaknr",
        "dossiernummer",
        "dossiernr",
        "kenmerk",
        "oud kenmerk",
        "ons kenmerk",
        "nr",
        "no",
        "nummer",
        "volgnummer",
        "registratienummer",
        "bibob nummer",
    ),
    Field.TITLE: ("titel", "omschrijving", "onderwerp", "project", "projectnaam", "zaak"),
    Field.APPLICANT: (
        "aanvrager",
        "naam aanvrager",
        "bedrijfsnaam",
        "onderneming",
        "naam onderneming",
        "bedrijf",
        "naam bedrijf",
        "aanvrager naam",
        "naam",
    ),
    Field.KVK: (
        "kvk",
        "kvk nummer",
        "kvk nr",
        "kvknummer",
        "kvknr",
        "kvk aanvrager",
        "kamer van koophandel",
        "kvk nummer aanvrager",
    ),
    Field.AREA: (
        "toepassingsgebied",
        "soort vergunning",
        "vergunning",
        "soort aanvraag",
        "type vergunning",
        "vergunningsoort",
        "soort",
        "type aanvraag",
    ),
    Field.BOUWSOM: (
        "bouwsom",
        "bouwkosten",
        "aanneemsom",
        "bouwsom excl btw",
        "bouwkosten excl btw",
        "aanneemsom excl btw",
    ),
    Field.APPLICATION_DATE: (
        "aanvraagdatum",
        "datum ontvangst",
        "datum aanvraag",
        "ontvangen",
        "ontvangstdatum",
        "datum ontvangen",
        "datum binnenkomst",
        "aanvraag datum",
        "ontvangen op",
    ),
    Field.ADDRESS: (
        "adres",
        "locatie",
        "vestigingsadres",
        "straat",
        "straat en huisnummer",
        "adres vestiging",
        "adres locatie",
    ),
    Field.POSTCODE: ("postcode", "pc"),
    Field.CITY: ("plaats", "woonplaats", "vestigingsplaats", "plaatsnaam"),
    Field.OFFICER: ("behandelaar", "medewerker", "behandeld door", "behandelaar bibob"),
    Field.PHASE: ("fase", "status", "stand van zaken"),
    Field.OUTCOME: (
        "uitkomst toets",
        "bibob van toepassing",
        "uitkomst toepasbaarheid",
        "toepasbaarheid",
        "bibob toets",
        "toets",
        "uitkomst",
    ),
    Field.LBB_REQUESTED: (
        "lbb advies aangevraagd",
        "lbb advies aangevraagd datum",
        "datum lbb advies aangevraagd",
        "advies lbb aangevraagd",
        "lbb aangevraagd",
        "lbb advies aanvraag",
        "adviesaanvraag lbb",
        "lbb aanvraag",
        "datum adviesaanvraag lbb",
    ),
    Field.LBB_RECEIVED: (
        "lbb advies ontvangen",
        "lbb advies ontvangen datum",
        "datum lbb advies ontvangen",
        "advies lbb ontvangen",
        "lbb ontvangen",
        "lbb advies ontvangst",
    ),
    Field.CONCLUSION: ("conclusie", "mate van gevaar", "gevaar", "conclusie mate van gevaar"),
    Field.DECISION: ("besluit", "beslissing", "besluit college burgemeester"),
    Field.DECISION_DATE: (
        "besluitdatum",
        "datum besluit",
        "besluit datum",
        "datum beslissing",
        "beslisdatum",
    ),
    Field.WITHDRAWN: (
        "ingetrokken",
        "teruggetrokken",
        "ingetrokken teruggetrokken",
        "aanvraag ingetrokken",
        "terugtrekking",
        "ingetrokken door aanvrager",
    ),
    Field.CLOSED_ON: (
        "datum afgesloten",
        "afgesloten op",
        "datum gesloten",
        "gesloten op",
        "afgesloten",
        "datum afgehandeld",
        "afgehandeld op",
    ),
    Field.TIP: ("tip", "art 26", "artikel 26", "tip art 26", "art 26 tip", "tip ja nee"),
    Field.DIRECTORS: ("bestuurders", "bestuurder", "directeur", "directeuren", "directie"),
    Field.SHAREHOLDERS: ("aandeelhouders", "aandeelhouder"),
    Field.INVOLVED: (
        "bestuurders aandeelhouders",
        "bestuurders en aandeelhouders",
        "betrokkenen",
        "betrokken personen",
    ),
    Field.REGISTER_REPORTED: (
        "gemeld bibob register",
        "gemeld aan bibob register",
        "melding bibob register",
        "bibob register gemeld",
        "register gemeld",
    ),
    Field.REMARKS: (
        "bijzonderheden",
        "opmerkingen",
        "opmerking",
        "toelichting",
        "notities",
        "notitie",
        "memo",
    ),
}

# Second try: these words add nothing to a header ("Bouwsom (excl. btw) in €", "Tip ja/nee").
_HEADER_NOISE = frozenset({"ja", "nee", "j", "n", "excl", "exclusief", "btw", "eur", "euro", "in"})
_HEADER_NOISE |= {"datum"}


def _strip_noise(normal: str) -> str:
    return " ".join(t for t in normal.split() if t not in _HEADER_NOISE)


_EXACT: dict[str, Field] = {normalise(s): f for f, words in HEADER_SYNONYMS.items() for s in words}
_LOOSE: dict[str, set[Field]] = {}
for _field, _words in HEADER_SYNONYMS.items():
    for _word in _words:
        _LOOSE.setdefault(_strip_noise(normalise(_word)), set()).add(_field)


def match_header(text: str) -> Field | None:
    """The field a header names, or None. Exact (normalised) first, then without noise words
    when that still names exactly one field ("Datum besluit" stays besluitdatum)."""
    normal = normalise(text)
    if not normal:
        return None
    if normal in _EXACT:
        return _EXACT[normal]
    loose = _LOOSE.get(_strip_noise(normal), set())
    return next(iter(loose)) if len(loose) == 1 else None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class MergedRange:
    """A merged block of cells, 1-based and inclusive as spreadsheets number them."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str  # the header as the sheet shows it ("" when the header cell is empty)
    field: Field  # NOTE for a column kept as a note
    detected: bool  # True when found by the synonyms, False when set by the user's mapping

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def name(self) -> str:
        """How messages name the column: its header, or "kolom F" when it has none."""
        return self.header or f"kolom {self.letter}"


@dataclass(frozen=True)
class Layout:
    header_row: int  # sheet row number (1-based)
    data_start: int  # first sheet row below the header
    columns: tuple[Column, ...]
    notices: tuple[str, ...] = ()

    def column_for(self, target: Field) -> Column | None:
        return next((c for c in self.columns if c.field is target), None)

    @property
    def missing_required(self) -> tuple[Field, ...]:
        return tuple(f for f in REQUIRED_FIELDS if self.column_for(f) is None)

    def column_keys(self) -> tuple[str, ...]:
        """A unique name per column for the stored source values (two headers can be equal)."""
        seen: dict[str, int] = {}
        for column in self.columns:
            seen[column.name] = seen.get(column.name, 0) + 1
        return tuple(f"{c.name} ({c.letter})" if seen[c.name] > 1 else c.name for c in self.columns)


def _filled_grid(
    rows: Sequence[Sequence[CellValue]], merged: Sequence[MergedRange]
) -> tuple[list[list[str]], dict[tuple[int, int], MergedRange]]:
    """Header texts with every merged block's value copied into all its cells."""
    width = max((len(r) for r in rows), default=0)
    grid = [[cell_text(r[i]) if i < len(r) else "" for i in range(width)] for r in rows]
    owner: dict[tuple[int, int], MergedRange] = {}
    for block in merged:
        if block.min_row > len(grid):
            continue
        top = grid[block.min_row - 1][block.min_col - 1] if block.min_col <= width else ""
        for row in range(block.min_row, min(block.max_row, len(grid)) + 1):
            for col in range(block.min_col, min(block.max_col, width) + 1):
                grid[row - 1][col - 1] = top
                owner[(row, col)] = block
    return grid, owner


def _row_headers(
    grid: list[list[str]], owner: dict[tuple[int, int], MergedRange], row: int
) -> list[str]:
    """The header texts of sheet row ``row`` read as the lower row of a two-row header.

    A group title merged across columns above it is joined with the text below ("LBB-advies"
    over "aangevraagd" becomes "LBB-advies aangevraagd"); an empty cell takes the text above it,
    so a header whose sub-headers fill only some columns reads as one row.
    """
    texts = list(grid[row - 1])
    if row < 2:
        return texts
    for index, child in enumerate(texts):
        parent = grid[row - 2][index]
        block = owner.get((row - 1, index + 1))
        if block is not None and block.max_row >= row:
            continue  # merged down into this row: the same text already
        group = block is not None and block.max_col > block.min_col
        if parent and child and group and normalise(parent) != normalise(child):
            combined = f"{parent} {child}"
            if match_header(combined) is not None or match_header(child) is None:
                texts[index] = combined
        elif parent and not child and not group:
            texts[index] = parent
    return texts


def detect_layout(
    rows: Sequence[Sequence[CellValue]],
    merged: Sequence[MergedRange] = (),
    mapping: ImportMapping | None = None,
) -> Layout:
    """Find the header row among the first rows and map its columns to fields.

    ``rows`` are the first sheet rows (row 1 first). Raises a Dutch ValidationError when no row
    looks like a header (fewer than two known column names).
    """
    top = list(rows[:HEADER_SCAN_ROWS])
    grid, owner = _filled_grid(top, merged)
    overrides = {normalise(k): v for k, v in (mapping.columns if mapping else {}).items()}

    def score(texts: list[str]) -> int:
        return sum(
            1 for t in texts if t and (match_header(t) is not None or normalise(t) in overrides)
        )

    if mapping is not None and mapping.header_row is not None:
        header_row = mapping.header_row
        if header_row > len(grid):
            raise ValidationError(
                f"De kopregel (rij {header_row}) ligt onder de laatste rij met gegevens.",
                "header_row",
            )
    else:
        best = max(range(1, len(grid) + 1), key=lambda r: (score(_row_headers(grid, owner, r)), -r))
        if not grid or score(_row_headers(grid, owner, best)) < 2:
            raise ValidationError(
                "Geen kopregel gevonden: in de eerste rijen staan geen kolomnamen zoals "
                "Zaaknummer, Aanvrager, Toepassingsgebied of Aanvraagdatum. Kies het juiste blad "
                "of geef de kopregel op in het koppelbestand (header_row).",
                "header_row",
            )
        header_row = best
    texts = _row_headers(grid, owner, header_row)
    # Rows merged down from the header row still belong to the header.
    data_start = header_row + 1
    for index in range(len(texts)):
        block = owner.get((header_row, index + 1))
        if block is not None and block.max_row >= data_start:
            data_start = block.max_row + 1
    columns: list[Column] = []
    taken: dict[Field, Column] = {}
    notices: list[str] = []
    for index, header in enumerate(texts):
        if header and normalise(header) in overrides:
            target, detected = overrides[normalise(header)], False
        else:
            target, detected = match_header(header) or Field.NOTE, True
        column = Column(index, header, target, detected)
        if target is not Field.NOTE and target in taken:
            first = taken[target]
            notices.append(
                f"Kolom {column.letter} ({column.name}) hoort ook bij "
                f"{FIELD_LABELS[target].lower()}; kolom {first.letter} ({first.name}) wordt "
                "gebruikt en deze kolom wordt als notitie bij de zaak bewaard."
            )
            column = replace(column, field=Field.NOTE)
        elif target is not Field.NOTE:
            taken[target] = column
        columns.append(column)
    while columns and not columns[-1].header and columns[-1].field is Field.NOTE:
        columns.pop()  # trailing empty header cells: their data (if any) is added per row
    return Layout(header_row, data_start, tuple(columns), tuple(notices))


def with_fields(layout: Layout, chosen: Mapping[int, Field]) -> Layout:
    """The layout with the user's choice per column index (the wizard's mapping step)."""
    columns = tuple(
        replace(c, field=chosen[c.index], detected=False)
        if c.index in chosen and chosen[c.index] is not c.field
        else c
        for c in layout.columns
    )
    return replace(layout, columns=columns)


# --- the mapping file ----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportMapping:
    """The user's corrections, saved as JSON and reused for the next sheet."""

    columns: dict[str, Field] = field(default_factory=dict)  # header -> field
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> label -> code
    officers: dict[str, str] = field(default_factory=dict)  # name in the sheet -> username
    old_reference_prefix: str = ""
    sheet: str | None = None
    header_row: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": MAPPING_FORMAT}
        if self.sheet is not None:
            data["sheet"] = self.sheet
        if self.header_row is not None:
            data["header_row"] = self.header_row
        data["columns"] = {header: target.value for header, target in self.columns.items()}
        data["values"] = {kind: dict(table) for kind, table in self.values.items() if table}
        data["officers"] = dict(self.officers)
        data["old_reference_prefix"] = self.old_reference_prefix
        return data


def _mapping_error(key: str, message: str) -> ValidationError:
    return ValidationError(f"Koppelbestand, '{key}': {message}", "mapping")


def _string_dict(data: Any, key: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _mapping_error(key, "verwacht een object met tekst: tekst.")
    result: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(value, str) or not str(name).strip():
            raise _mapping_error(f"{key}.{name}", "verwacht een tekst.")
        result[str(name)] = value.strip()
    return result


def parse_mapping(data: Any) -> ImportMapping:
    """A mapping file's content; every wrong key is named in the Dutch message."""
    if not isinstance(data, dict):
        raise ValidationError("Het koppelbestand moet een JSON-object zijn.", "mapping")
    known = {"format", "sheet", "header_row", "columns", "values", "officers"}
    known |= {"old_reference_prefix"}
    for key in data:
        if key not in known:
            raise _mapping_error(
                str(key), f"onbekende sleutel. Bekend: {', '.join(sorted(known))}."
            )
    if data.get("format", MAPPING_FORMAT) != MAPPING_FORMAT:
        raise _mapping_error("format", f"alleen formaat {MAPPING_FORMAT} wordt ondersteund.")
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise _mapping_error("sheet", "verwacht de naam van een blad.")
    header_row = data.get("header_row")
    if header_row is not None and (
        not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1
    ):
        raise _mapping_error("header_row", "verwacht een rijnummer (1 of hoger).")
    columns: dict[str, Field] = {}
    for header, code in _string_dict(data.get("columns"), "columns").items():
        try:
            columns[header] = Field(code)
        except ValueError:
            fields = ", ".join(f.value for f in Field)
            raise _mapping_error(
                f"columns.{header}", f"onbekend veld '{code}'. Kies uit: {fields}."
            ) from None
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        raise _mapping_error("values", "verwacht een object per soort waarde.")
    values: dict[str, dict[str, str]] = {}
    for kind_name, table in raw_values.items():
        try:
            kind = LabelKind(kind_name)
        except ValueError:
            kinds = ", ".join(k.value for k in LabelKind)
            raise _mapping_error(
                f"values.{kind_name}", f"onbekende soort. Kies uit: {kinds}."
            ) from None
        entries = _string_dict(table, f"values.{kind_name}")
        for label, code in entries.items():
            if code not in VALID_CODES[kind]:
                codes = ", ".join(sorted(VALID_CODES[kind]))
                raise _mapping_error(
                    f"values.{kind_name}.{label}", f"onbekende code '{code}'. Kies uit: {codes}."
                )
        values[kind.value] = entries
    prefix = data.get("old_reference_prefix", "")
    if not isinstance(prefix, str) or len(prefix) > 30:
        raise _mapping_error("old_reference_prefix", "verwacht een korte tekst.")
    return ImportMapping(
        columns=columns,
        values=values,
        officers=_string_dict(data.get("officers"), "officers"),
        old_reference_prefix=prefix,
        sheet=sheet,
        header_row=header_row,
    )


def mapping_from_layout(
    layout: Layout, base: ImportMapping | None = None, sheet: str | None = None
) -> ImportMapping:
    """The mapping as it stands (detected or chosen), to save and reuse for the next sheet."""
    base = base or ImportMapping()
    columns = {c.header: c.field for c in layout.columns if c.header}
    return ImportMapping(
        columns=columns,
        values={kind: dict(table) for kind, table in base.values.items()},
        officers=dict(base.officers),
        old_reference_prefix=base.old_reference_prefix,
        sheet=sheet if sheet is not None else base.sheet,
        header_row=layout.header_row,
    )


# --- one row -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str

    @property
    def text(self) -> str:
        where = (
            f"rij {self.row}, {_column_words(self.column)}" if self.column else f"rij {self.row}"
        )
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def _column_words(name: str) -> str:
    return name if name.startswith("kolom ") else f"kolom {name}"


@dataclass(frozen=True)
class PlannedParty:
    name: str
    role: PartyRole
    kind: PartyKind
    kvk_number: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """Where the rows come from: the file's name (without its folder) and the sheet."""

    file_name: str
    sheet: str


@dataclass
class RowPlan:
    """What one register row becomes, or why it cannot be imported (``problems``)."""

    row: int
    key: str = ""
    old_reference: str = ""
    title: str = ""
    area: str = ""
    officer: str = ""
    application_date: date | None = None
    bouwsom: Decimal | None = None
    street: str = ""
    house_number: str = ""
    postcode: str | None = None
    city: str = ""
    phase: Phase = Phase.INTAKE
    phase_derived: bool = True
    register_outcome: str | None = None
    lbb_requested: bool = False
    lbb_requested_on: date | None = None
    lbb_received_on: date | None = None
    conclusion: Conclusion | None = None
    grounds: tuple[str, ...] = ()
    decision: Decision | None = None
    decision_date: date | None = None
    withdrawn: bool = False
    withdrawn_on: date | None = None
    closed_on: date | None = None
    closed_on_derived: bool = False
    tip: bool = False
    register_reported_on: date | None = None
    parties: list[PlannedParty] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (column, text)
    remarks: str = ""
    source_values: dict[str, str] = field(default_factory=dict)  # column key -> cell text
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PlanContext:
    """Everything ``plan_row`` needs besides the row: the service fills it from the database."""

    source: SourceRef
    today: date
    tables: LabelTables
    resolve_officer: Callable[[str], str]  # name in the sheet -> username, or ValidationError
    default_officer: Callable[[], str]  # when the officer cell is empty
    old_reference_prefix: str = ""
    epoch: date = EXCEL_EPOCH_1900


def import_key(plan_old_reference: str, source: SourceRef, row: int) -> str:
    """The idempotency key: the old number when the register has one (it is the file's identity
    in the organisation, whatever the spreadsheet is called now), else file, sheet and row."""
    if plan_old_reference:
        return "kenmerk:" + " ".join(plan_old_reference.casefold().split())
    return f"bron:{source.file_name}|{source.sheet}|{row}"


_LEGAL_FORM = re.compile(
    r"(?<![a-z])(b\.?\s?v\.?|n\.?\s?v\.?|v\.?\s?o\.?\s?f\.?|c\.?\s?v\.?|stichting|holding|"
    r"vereniging|co[oö]peratie|maatschap|ltd\.?|gmbh|s\.?a\.?r\.?l\.?|bvba)(?![a-z])",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"^([A-Z]\.\s?)+[A-Za-z]")
_PERCENT = re.compile(r"\s*\(\s*\d{1,3}(?:[.,]\d+)?\s*%\s*\)\s*$")
_SAFE_NAME = re.compile(r"^[\w .'’&@()-]+$")
_MAX_NAME = 200


def split_names(text: str) -> list[str] | None:
    """Names from a free-text cell, split on new lines and semicolons only.

    Returns None when that cannot be done safely: a part with a comma, "en", "+" or "/" may
    hold two names or "Jansen, J." (surname first), so the cell is kept as a note instead.
    """
    names: list[str] = []
    for raw in re.split(r"[;\n\r]+", text):
        part = _PERCENT.sub("", " ".join(raw.split()))
        if not part:
            continue
        lowered = f" {part.casefold()} "
        two_names = " en " in lowered or (" & " in lowered and not _LEGAL_FORM.search(part))
        if (
            any(mark in part for mark in (",", "+", "/"))
            or two_names
            or len(part) > _MAX_NAME
            or not _SAFE_NAME.match(part)
        ):
            return None
        if part not in names:
            names.append(part)
    return names


def party_kind_for(name: str, kvk: str | None = None) -> PartyKind:
    """A legal form or KvK number means a legal entity; initials ("J. de Vries") a person."""
    if kvk or _LEGAL_FORM.search(name):
        return PartyKind.LEGAL_ENTITY
    if _INITIALS.match(name):
        return PartyKind.NATURAL_PERSON
    return PartyKind.LEGAL_ENTITY


_ADDRESS = re.compile(
    r"^(?P<street>[^,]*?\D)\s+(?P<number>\d{1,5}(?:\s?[-/]?\s?[A-Za-z0-9]{1,4})?)"
    r"(?:\s*,\s*(?P<postcode>[1-9]\d{3}\s?[A-Za-z]{2})?\s*(?P<city>[^\d,][^,]*)?)?$"
)


def split_address(text: str) -> tuple[str, str, str, str]:
    """ "Hoofdstraat 12a, 9401 AB Assen" -> street, number, postcode, city; text that does not
    look like that stays whole in the street (nothing is guessed)."""
    match = _ADDRESS.match(" ".join(text.split()))
    if not match:
        return " ".join(text.split()), "", "", ""
    return (
        match.group("street").strip(" ,"),
        match.group("number").strip(),
        (match.group("postcode") or "").strip(),
        (match.group("city") or "").strip(),
    )


_CASE_FIELD_COLUMNS = {
    "title": Field.TITLE,
    "area": Field.AREA,
    "application_date": Field.APPLICATION_DATE,
    "bouwsom": Field.BOUWSOM,
    "postcode": Field.POSTCODE,
    "officer": Field.OFFICER,
}
_LENGTHS: tuple[tuple[str, int, Field], ...] = (
    ("street", 200, Field.ADDRESS),
    ("house_number", 20, Field.ADDRESS),
    ("city", 100, Field.CITY),
)


class _Row:
    """The cells of one row by field, with the problem and warning lists of the plan."""

    def __init__(self, plan: RowPlan, layout: Layout, values: Sequence[CellValue]) -> None:
        self.plan = plan
        self.cells: dict[Field, tuple[Column, CellValue]] = {}
        keys = layout.column_keys()
        for column, key in zip(layout.columns, keys, strict=True):
            value = values[column.index] if column.index < len(values) else None
            text = cell_text(value)
            if text:
                plan.source_values[key] = text
            if column.field is Field.NOTE:
                if text:
                    plan.notes.append((column.name, text))
            elif not is_empty(value):
                self.cells[column.field] = (column, value)
        # Cells right of the last header: data without a column name is still kept.
        for index in range(len(layout.columns), len(values)):
            text = cell_text(values[index])
            if text:
                name = f"kolom {column_letter(index)}"
                plan.source_values[name] = text
                plan.notes.append((name, text))

    def has(self, target: Field) -> bool:
        return target in self.cells

    def value(self, target: Field) -> CellValue:
        return self.cells[target][1] if target in self.cells else None

    def column(self, target: Field) -> str | None:
        return self.cells[target][0].name if target in self.cells else None

    def problem(self, target: Field | None, message: str) -> None:
        column = self.column(target) if target is not None else None
        self.plan.problems.append(Problem(self.plan.row, column, message))

    def warning(self, target: Field | None, message: str) -> None:
        column = self.column(target) if target is not None else None
        self.plan.warnings.append(Problem(self.plan.row, column, message))

    def parse(self, target: Field, parser: Callable[[CellValue], Any]) -> Any:
        if target not in self.cells:
            return None
        try:
            return parser(self.value(target))
        except ValidationError as exc:
            self.problem(target, str(exc))
            return None


def _no_future(row: _Row, target: Field, value: date | None, today: date) -> date | None:
    if value is not None and value > today:
        row.problem(
            target,
            f"{format_date_nl(value)} ligt in de toekomst; het register kan alleen vastleggen "
            "wat al is gebeurd.",
        )
        return None
    return value


def plan_row(
    row_number: int, values: Sequence[CellValue], layout: Layout, ctx: PlanContext
) -> RowPlan:
    """One register row as a case, or the list of its problems. Never raises for bad cells."""
    plan = RowPlan(row=row_number)
    row = _Row(plan, layout, values)
    today = ctx.today

    def a_date(target: Field) -> date | None:
        parsed = row.parse(target, lambda v: parse_date_value(v, today, epoch=ctx.epoch))
        return _no_future(row, target, parsed, today)

    def a_date_or_flag(target: Field) -> tuple[bool, date | None]:
        result = row.parse(target, lambda v: parse_date_or_flag(v, today, epoch=ctx.epoch))
        if result is None:
            return False, None
        happened, on = result
        return happened, _no_future(row, target, on, today)

    # --- identity ---------------------------------------------------------------------------
    old = cell_text(row.value(Field.OLD_REFERENCE))
    if old:
        old = f"{ctx.old_reference_prefix}{old}"
        if len(old) > 100:
            row.problem(Field.OLD_REFERENCE, "Het kenmerk is langer dan 100 tekens.")
    plan.old_reference = old
    plan.key = import_key(old, ctx.source, row_number)

    # --- the case's own fields --------------------------------------------------------------
    application_date = a_date(Field.APPLICATION_DATE)
    area = row.parse(Field.AREA, lambda v: ctx.tables.lookup(LabelKind.AREA, v))
    bouwsom = row.parse(Field.BOUWSOM, parse_amount)
    postcode_text = cell_text(row.value(Field.POSTCODE))
    street, number, address_postcode, address_city = "", "", "", ""
    if row.has(Field.ADDRESS):
        street, number, address_postcode, address_city = split_address(
            cell_text(row.value(Field.ADDRESS))
        )
    if not postcode_text and address_postcode:
        postcode_text = address_postcode
    city = cell_text(row.value(Field.CITY)) or address_city
    for name, limit, target in _LENGTHS:
        text = {"street": street, "house_number": number, "city": city}[name]
        if len(text) > limit:
            row.problem(target, f"De tekst is langer dan {limit} tekens.")
    officer = ""
    if row.has(Field.OFFICER):
        officer = row.parse(Field.OFFICER, lambda v: ctx.resolve_officer(cell_text(v))) or ""
    else:
        try:
            officer = ctx.default_officer()
        except ValidationError as exc:
            row.problem(None, str(exc))

    applicant = cell_text(row.value(Field.APPLICANT))
    kvk = row.parse(Field.KVK, lambda v: parse_kvk_number(cell_text(v)))
    if kvk and not applicant:
        row.problem(Field.KVK, "Er staat een KvK-nummer maar geen aanvrager.")
    if len(applicant) > _MAX_NAME:
        row.problem(Field.APPLICANT, f"De naam is langer dan {_MAX_NAME} tekens.")
    title = cell_text(row.value(Field.TITLE))
    if not title:
        what = area_label(area) if area else "Zaak"
        who = applicant or (f"oud kenmerk {old}" if old else f"rij {row_number}")
        title = f"{what}: {who}"
        if len(title) > MAX_TITLE:
            title = title[: MAX_TITLE - 1] + "…"

    # The case service's own validation, so the import obeys the same rules as the intake.
    raw_fields: dict[str, object] = {
        "title": title,
        "area": area or "",
        "officer": officer,
        "application_date": application_date or "",
        "bouwsom": bouwsom if bouwsom is not None else "",
        "postcode": postcode_text,
    }
    if area is None and row.has(Field.AREA):
        raw_fields["area"] = "alcohol"  # its own problem is reported already
    if application_date is None and row.has(Field.APPLICATION_DATE):
        raw_fields["application_date"] = today
    if bouwsom is None and row.has(Field.BOUWSOM):
        raw_fields["bouwsom"] = Decimal(0)
    try:
        fields = validate_case_fields(raw_fields)
    except ValidationErrors as exc:
        for error in exc.errors:
            about = _CASE_FIELD_COLUMNS.get(error.field or "")
            if about is Field.POSTCODE and not row.has(Field.POSTCODE):
                about = Field.ADDRESS
            if about is Field.BOUWSOM and not row.has(Field.BOUWSOM) and area:
                row.problem(Field.AREA, str(error))
            else:
                row.problem(about if about and row.has(about) else None, str(error))
        fields = None
    if fields is not None:
        plan.title = fields.title
        plan.area = fields.area
        plan.officer = fields.officer
        plan.application_date = fields.application_date
        plan.bouwsom = fields.bouwsom
        plan.postcode = fields.postcode
    plan.street, plan.house_number, plan.city = street, number, city

    # --- parties ----------------------------------------------------------------------------
    if applicant:
        plan.parties.append(
            PlannedParty(applicant, PartyRole.AANVRAGER, party_kind_for(applicant, kvk), kvk)
        )
    for target, role in (
        (Field.DIRECTORS, PartyRole.BESTUURDER),
        (Field.SHAREHOLDERS, PartyRole.AANDEELHOUDER),
        (Field.INVOLVED, PartyRole.OVERIG),
    ):
        if not row.has(target):
            continue
        text = str(row.value(target)) if isinstance(row.value(target), str) else ""
        names = split_names(text) if text else None
        column = row.column(target) or ""
        if names is None:
            plan.notes.append((column, cell_text(row.value(target))))
            row.warning(
                target,
                "De namen zijn niet veilig te splitsen (komma, 'en', '/' of '+'); de tekst staat "
                "als notitie bij de zaak. Zet één naam per regel of scheid met ';'.",
            )
            continue
        for name in names:
            kind = party_kind_for(name) if _LEGAL_FORM.search(name) else PartyKind.NATURAL_PERSON
            planned = PlannedParty(name, role, kind)
            if all((p.name, p.role) != (name, role) for p in plan.parties):
                plan.parties.append(planned)

    # --- the procedure as the register tells it ---------------------------------------------
    phase = row.parse(Field.PHASE, lambda v: Phase(ctx.tables.lookup(LabelKind.PHASE, v)))
    plan.register_outcome = row.parse(
        Field.OUTCOME, lambda v: ctx.tables.lookup(LabelKind.OUTCOME, v)
    )
    plan.lbb_requested, plan.lbb_requested_on = a_date_or_flag(Field.LBB_REQUESTED)
    received, plan.lbb_received_on = a_date_or_flag(Field.LBB_RECEIVED)
    conclusion = row.parse(Field.CONCLUSION, lambda v: parse_conclusion_value(v, ctx.tables))
    decision_code = row.parse(Field.DECISION, lambda v: ctx.tables.lookup(LabelKind.DECISION, v))
    plan.decision_date = a_date(Field.DECISION_DATE)
    plan.withdrawn, plan.withdrawn_on = a_date_or_flag(Field.WITHDRAWN)
    plan.closed_on = a_date(Field.CLOSED_ON)
    plan.tip = bool(row.parse(Field.TIP, parse_yes_no))
    _, plan.register_reported_on = a_date_or_flag(Field.REGISTER_REPORTED)
    plan.remarks = cell_text(row.value(Field.REMARKS))

    if conclusion is not None:
        plan.conclusion, plan.grounds = conclusion
    if decision_code == WITHDRAWAL:
        if row.has(Field.WITHDRAWN) and not plan.withdrawn:
            row.problem(
                Field.DECISION,
                "Het besluit zegt dat de aanvraag is ingetrokken, de kolom ingetrokken niet.",
            )
        plan.withdrawn = True
        plan.withdrawn_on = plan.withdrawn_on or plan.decision_date
    elif decision_code is not None:
        plan.decision = Decision(decision_code)
    if received and not plan.lbb_requested:
        row.problem(
            Field.LBB_RECEIVED,
            "Er is een LBB-advies ontvangen maar niet aangevraagd; vul de datum van de "
            "adviesaanvraag in.",
        )

    _check_dates(row, plan)
    _check_record(row, plan, phase)
    if plan.problems:
        return plan
    _settle_phase(row, plan, phase, today)
    return plan


def _check_dates(row: _Row, plan: RowPlan) -> None:
    start = plan.application_date
    if start is None:
        return
    for target, value, what in (
        (Field.LBB_REQUESTED, plan.lbb_requested_on, "De adviesaanvraag aan het LBB"),
        (Field.LBB_RECEIVED, plan.lbb_received_on, "Het LBB-advies"),
        (Field.DECISION_DATE, plan.decision_date, "Het besluit"),
        (Field.WITHDRAWN, plan.withdrawn_on, "De intrekking"),
        (Field.CLOSED_ON, plan.closed_on, "Het afsluiten"),
    ):
        if value is not None and value < start:
            row.problem(
                target,
                f"{what} ({format_date_nl(value)}) ligt vóór de aanvraagdatum "
                f"({format_date_nl(start)}).",
            )
    requested, received = plan.lbb_requested_on, plan.lbb_received_on
    if requested and received and received < requested:
        row.problem(
            Field.LBB_RECEIVED,
            f"Het advies ({format_date_nl(received)}) is ontvangen vóór de aanvraag "
            f"({format_date_nl(requested)}).",
        )


def _check_record(row: _Row, plan: RowPlan, phase: Phase | None) -> None:
    """The workflow's rules on the historical record (domain.workflow)."""
    if plan.decision_date is not None and plan.decision is None and not plan.withdrawn:
        row.problem(Field.DECISION_DATE, "Er staat een besluitdatum maar geen besluit.")
    if plan.withdrawn and plan.decision is not None:
        row.problem(
            Field.DECISION,
            "Een aanvraag die de aanvrager heeft ingetrokken, heeft geen besluit; laat één van "
            "beide leeg.",
        )
    if plan.decision is not None:
        if plan.conclusion is None:
            row.problem(
                Field.DECISION,
                "Een besluit zonder conclusie over de mate van gevaar (art. 3 Wet Bibob): vul de "
                "conclusie in.",
            )
        else:
            try:
                # Old registers seldom record the grounds: their absence is not held against the
                # row, but a decision that does not fit the degree of danger is.
                check_conclusion(
                    plan.conclusion, plan.grounds, plan.decision, require_grounds=False
                )
            except ValidationError as exc:
                row.problem(
                    Field.CONCLUSION if exc.field == "grounds" else Field.DECISION, str(exc)
                )
    elif plan.conclusion is not None and plan.grounds:
        try:
            check_conclusion(
                plan.conclusion,
                plan.grounds,
                Decision.VERLENEN,
                "historisch",
                require_grounds=False,
            )
        except ValidationError as exc:
            if exc.field == "grounds":
                row.problem(Field.CONCLUSION, str(exc))
    if phase is None:
        return
    name = phase.value.replace("_", " ")
    if plan.withdrawn and phase not in (Phase.INGETROKKEN, Phase.GESLOTEN):
        row.problem(Field.PHASE, f"De aanvraag is ingetrokken, maar de fase is {name}.")
    if phase is Phase.INGETROKKEN and plan.decision is not None:
        row.problem(Field.PHASE, "Een ingetrokken aanvraag heeft geen besluit.")
    if plan.decision is not None and phase not in (Phase.BESLUIT, Phase.GESLOTEN):
        row.problem(Field.PHASE, f"Er is een besluit, maar de fase is {name}.")
    if (
        plan.conclusion is not None
        and phase is not Phase.INGETROKKEN
        and not has_reached(phase, Phase.CONCLUSIE)
    ):
        row.problem(Field.PHASE, f"Er is een conclusie, maar de fase is {name}.")
    if phase is Phase.ZIENSWIJZE and plan.conclusion is Conclusion.GEEN_GEVAAR:
        row.problem(
            Field.PHASE, "Bij de conclusie 'geen gevaar' is geen zienswijze nodig (art. 33)."
        )


def _latest_date(plan: RowPlan) -> date | None:
    dates = [
        d
        for d in (
            plan.application_date,
            plan.lbb_requested_on,
            plan.lbb_received_on,
            plan.decision_date,
            plan.withdrawn_on,
        )
        if d is not None
    ]
    return max(dates) if dates else None


def _settle_phase(row: _Row, plan: RowPlan, phase: Phase | None, today: date) -> None:
    """The phase the case ends up in, and the closing date of a closed one."""
    if phase is not None:
        plan.phase_derived = False
        plan.phase = Phase.INGETROKKEN if plan.withdrawn else phase
    elif plan.withdrawn:
        plan.phase = Phase.INGETROKKEN
    elif plan.decision is not None:
        recent = (
            plan.decision_date is not None
            and plan.decision_date + timedelta(weeks=BEZWAAR_WEEKS) > today
        )
        plan.phase = Phase.BESLUIT if recent else Phase.GESLOTEN
    elif plan.conclusion is not None or plan.lbb_received_on is not None:
        plan.phase = Phase.CONCLUSIE
    elif plan.lbb_requested:
        plan.phase = Phase.LBB_ADVIES
    else:
        plan.phase = Phase.INTAKE
    if plan.phase is Phase.LBB_ADVIES and plan.lbb_requested_on is None:
        row.warning(
            Field.LBB_REQUESTED,
            "De zaak wacht op het LBB-advies, maar de datum van de aanvraag ontbreekt: de "
            "adviestermijn kan niet worden bewaakt.",
        )
    if plan.decision is not None and plan.decision_date is None:
        row.warning(
            Field.DECISION,
            "De besluitdatum ontbreekt: het besluit telt niet mee in de jaarcijfers per "
            "besluitjaar.",
        )
    if plan.phase is Phase.GESLOTEN and plan.decision is None and plan.conclusion is not None:
        row.warning(Field.PHASE, "De zaak is gesloten met een conclusie maar zonder besluit.")
    if plan.phase in (Phase.GESLOTEN, Phase.INGETROKKEN) and plan.closed_on is None:
        known = plan.withdrawn_on if plan.phase is Phase.INGETROKKEN else plan.decision_date
        if known is None:
            known = _latest_date(plan)
            plan.closed_on_derived = True
            row.warning(
                Field.CLOSED_ON if row.has(Field.CLOSED_ON) else None,
                "De datum van afsluiten staat niet in het register; de laatste datum van de rij "
                f"({format_date_nl(known) if known else 'onbekend'}) telt als sluitdatum voor de "
                "bewaartermijn.",
            )
        plan.closed_on = known
