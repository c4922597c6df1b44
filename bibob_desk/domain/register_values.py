"""Cell values of an existing Excel register, read as real sheets hold them.

Pure functions: each takes what a spreadsheet cell holds (text, a number, a date cell, a boolean,
or nothing) and returns a checked value, or raises ``ValidationError`` with a Dutch message that
says what is wrong with the value. Anything ambiguous ("7,5 ton", "2024", "zie dossier") is
refused, never guessed. The project's own parsers do the work where they exist (``parse_money``,
``parse_date``, ``parse_kvk_number``, ``parse_postcode``); this module adds what a sheet brings
on top: number and date cells, Excel serial dates, two-digit years, month names, yes/no variants
and the label tables that turn "Drank- en Horecawet" into ``alcohol``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bibob_desk.domain.areas import AREAS
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import CENT, parse_money
from bibob_desk.domain.phases import PHASE_LABELS, Phase
from bibob_desk.domain.values import MONTHS_NL, parse_date
from bibob_desk.domain.workflow import (
    CONCLUSION_LABELS,
    DECISION_LABELS,
    GROUNDS,
    Conclusion,
    Decision,
)

# What openpyxl or the CSV reader hands over for one cell.
CellValue = str | int | float | Decimal | bool | date | datetime | time | None

# A cell holding only a dash means "nothing filled in" in many registers.
_EMPTY_MARKS = frozenset({"-", "–", "—", "--"})


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces: "KvK-nr." -> "kvk nr"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def is_empty(value: CellValue) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        return not stripped or stripped in _EMPTY_MARKS
    return False


def cell_text(value: CellValue) -> str:
    """The cell as text, for notes, reports and the comparison on re-import."""
    if is_empty(value):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return " ".join(str(value).split())


def _shown(value: CellValue) -> str:
    text = cell_text(value)
    return text if len(text) <= 60 else text[:57] + "…"


# --- amounts -------------------------------------------------------------------------------

# "7,5 ton", "1,2 mln", "750k": a multiplier word is an estimate in words, not an amount.
_AMOUNT_WORDS = re.compile(r"(?<![a-z])(ton|k|mln|mio|miljoen|m|duizend)(?![a-z])")
_ESTIMATE_WORDS = re.compile(r"(?<![a-z])(ca|circa|ongeveer|plm|pm|max|min|vanaf)(?![a-z])|[±~<>]")


def parse_amount(value: CellValue) -> Decimal:
    """An amount in euros: "€ 750.000", "750000", "750.000,-", "€750.000,00" or a number cell."""
    if isinstance(value, bool | date | time):
        raise ValidationError(f"'{_shown(value)}' is geen bedrag.", "bouwsom")
    if isinstance(value, int):
        return parse_money(Decimal(value))
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(f"'{value}' is geen bedrag.", "bouwsom")
        exact = Decimal(repr(value)) if isinstance(value, float) else value
        try:
            cents = exact.quantize(CENT)
        except InvalidOperation as exc:
            raise ValidationError(f"Het bedrag '{_shown(value)}' is te groot.", "bouwsom") from exc
        # A number cell computed by a formula can carry binary noise (907500.0000000001);
        # a difference far below a cent is that noise, not a third decimal.
        if abs(exact - cents) < Decimal("0.000001"):
            exact = cents
        return parse_money(exact)
    text = "" if value is None else str(value).strip()
    lowered = text.casefold()
    if _AMOUNT_WORDS.search(lowered):
        raise ValidationError(
            f"'{text}' is geen eenduidig bedrag: schrijf het bedrag voluit in euro's, "
            "bijvoorbeeld 750.000.",
            "bouwsom",
        )
    if _ESTIMATE_WORDS.search(lowered):
        raise ValidationError(
            f"'{text}' is een schatting, geen bedrag: vul het bedrag in zoals het college het "
            "heeft berekend, bijvoorbeeld 750.000.",
            "bouwsom",
        )
    return parse_money(text)


# --- dates ---------------------------------------------------------------------------------

# Excel counts days from 30 December 1899 (its 1900 system, including the phantom 29 February
# 1900, which only touches dates before March 1900) or from 1 January 1904 (old Mac workbooks).
EXCEL_EPOCH_1900 = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)
# A serial only counts as a date inside this window: 2024 would otherwise be 16 July 1905.
SERIAL_FIRST = date(1950, 1, 1)
SERIAL_LAST = date(2100, 12, 31)

_MONTHS: dict[str, int] = {name: number for number, name in enumerate(MONTHS_NL, start=1)}
_MONTHS.update(
    {
        "jan": 1,
        "feb": 2,
        "febr": 2,
        "mrt": 3,
        "maa": 3,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "okt": 10,
        "oct": 10,
        "nov": 11,
        "dec": 12,
        "may": 5,
    }
)
_WEEKDAYS = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|di|wo|do|vr|za|zo"
_LEADING_WEEKDAY = re.compile(rf"^(?:{_WEEKDAYS})\.?,?\s+", re.IGNORECASE)
_ISO_WITH_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_WORDED = re.compile(r"^(\d{1,2})\.?[\s-]*([a-z]+)\.?[\s-]*(\d{2}|\d{4})$")
_DATE_HINT = "Schrijf een datum als 1-2-2024, 01-02-24 of 1 februari 2024."


def _from_serial(serial: float | Decimal, epoch: date, shown: str) -> date:
    days = math.floor(serial)
    lowest = (SERIAL_FIRST - epoch).days
    highest = (SERIAL_LAST - epoch).days
    if not lowest <= days <= highest:
        raise ValidationError(
            f"'{shown}' is geen volledige datum (dag, maand en jaar). {_DATE_HINT}", "datum"
        )
    return epoch + timedelta(days=days)


def _full_year(year: int, today: date) -> int:
    """Two-digit years: up to this year's two digits in this century, the rest in the last."""
    if year >= 100:
        return year
    return 2000 + year if year <= today.year % 100 else 1900 + year


def _checked_date(day: int, month: int, year: int, shown: str) -> date:
    if year < SERIAL_FIRST.year:
        raise ValidationError(f"'{shown}' is geen geldige datum: het jaar is te vroeg.", "datum")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationError(f"'{shown}' bestaat niet als datum.", "datum") from exc


def parse_date_value(value: CellValue, today: date, *, epoch: date = EXCEL_EPOCH_1900) -> date:
    """A date cell, an Excel serial, "1-2-2024", "01-02-24", "1 februari 2024" or "2024-02-01".

    Day-month order is Dutch (1-2-2024 is 1 February). A bare year, a month without a day or any
    other text is refused with a Dutch message.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool | time):
        raise ValidationError(f"'{_shown(value)}' is geen datum. {_DATE_HINT}", "datum")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(f"'{value}' is geen datum.", "datum")
        return _from_serial(value, epoch, cell_text(value))
    text = " ".join(("" if value is None else str(value)).split())
    shown = text if len(text) <= 60 else text[:57] + "…"
    if not text:
        raise ValidationError("Er is geen datum ingevuld.", "datum")
    stripped = _LEADING_WEEKDAY.sub("", text)
    with_time = _ISO_WITH_TIME.match(stripped)
    if with_time:
        stripped = with_time.group(1)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}", stripped):
        try:
            parsed = parse_date(stripped.replace("/", "-"), "datum")
        except ValidationError as exc:
            raise ValidationError(str(exc).replace(stripped, shown), "datum") from exc
        return _checked_date(parsed.day, parsed.month, parsed.year, shown)
    numeric = _NUMERIC.match(stripped)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
        return _checked_date(day, month, _full_year(year, today), shown)
    worded = _WORDED.match(stripped.casefold())
    if worded:
        month_number = _MONTHS.get(worded.group(2))
        if month_number is None:
            raise ValidationError(
                f"'{shown}': '{worded.group(2)}' is geen maand. {_DATE_HINT}", "datum"
            )
        return _checked_date(
            int(worded.group(1)), month_number, _full_year(int(worded.group(3)), today), shown
        )
    if re.fullmatch(r"\d+(?:[.,]\d+)?", stripped):
        if re.fullmatch(r"\d{4}", stripped):
            raise ValidationError(
                f"'{shown}' is alleen een jaar, geen volledige datum. {_DATE_HINT}", "datum"
            )
        return _from_serial(Decimal(stripped.replace(",", ".")), epoch, shown)
    raise ValidationError(f"'{shown}' is geen datum. {_DATE_HINT}", "datum")


# --- yes / no ------------------------------------------------------------------------------

_YES = frozenset({"ja", "j", "x", "1", "waar", "true", "yes", "y", "v", "✓", "✔", "√", "ja."})
_NO = frozenset({"nee", "n", "0", "onwaar", "false", "no", "nee."})


def parse_yes_no(value: CellValue) -> bool | None:
    """ja/nee, j/n, x, 1/0, waar/onwaar (and a checkbox cell); an empty cell is None (unknown)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(
        f"'{_shown(value)}' is geen ja of nee. Gebruik ja/nee, j/n, x, 1/0 of waar/onwaar.",
        "ja_nee",
    )


def parse_date_or_flag(
    value: CellValue, today: date, *, epoch: date = EXCEL_EPOCH_1900
) -> tuple[bool, date | None]:
    """A column such as "ingetrokken" or "LBB-advies aangevraagd": a date, or yes/no.

    Returns (happened, on which date or None when the sheet only says yes).
    """
    if is_empty(value):
        return False, None
    try:
        flag = parse_yes_no(value)
    except ValidationError:
        flag = None
    else:
        # A bare 1 or 0 is a yes/no here, not serial day 1.
        return bool(flag), None
    try:
        return True, parse_date_value(value, today, epoch=epoch)
    except ValidationError as exc:
        raise ValidationError(
            f"'{_shown(value)}' is geen datum en geen ja of nee. {_DATE_HINT}", "datum"
        ) from exc


# --- label tables --------------------------------------------------------------------------


class LabelKind(StrEnum):
    AREA = "area"
    PHASE = "phase"
    CONCLUSION = "conclusion"
    DECISION = "decision"
    OUTCOME = "outcome"


LABEL_KIND_NAMES = {
    LabelKind.AREA: "toepassingsgebied",
    LabelKind.PHASE: "fase",
    LabelKind.CONCLUSION: "conclusie",
    LabelKind.DECISION: "besluit",
    LabelKind.OUTCOME: "uitkomst toets",
}

# The applicant withdrew the application: written in a decision column, it is no decision.
WITHDRAWAL = "terugtrekking"
# "Bibob van toepassing: ja" says the case was in scope without saying mandatory or optional.
IN_SCOPE = "in_scope"
REGISTER_OUTCOMES = {
    "mandatory": "verplicht",
    "optional": "optioneel (kan-bepaling)",
    "not_applicable": "niet van toepassing",
    IN_SCOPE: "van toepassing (verplicht of optioneel)",
}

_AREA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "alcohol": (
        "drank en horecawet",
        "drank- en horecawet",
        "dhw",
        "dhw vergunning",
        "drank en horecavergunning",
        "drank en horeca",
        "alcoholwet",
        "alcoholvergunning",
        "alcoholwetvergunning",
        "vergunning alcoholwet",
    ),
    "exploitatie_horeca": (
        "exploitatievergunning",
        "exploitatievergunning horeca",
        "horeca exploitatievergunning",
        "horecavergunning",
        "horeca",
        "exploitatie horeca",
        "exploitatievergunning openbare inrichting",
    ),
    "coffeeshop": ("coffeeshop", "exploitatievergunning coffeeshop", "gedoogbeschikking"),
    "seksinrichting": (
        "seksinrichting",
        "seksbedrijf",
        "prostitutie",
        "prostitutiebedrijf",
        "escort",
        "escortbedrijf",
        "exploitatievergunning seksinrichting",
    ),
    "omgevingsvergunning_bouw": (
        "omgevingsvergunning bouw",
        "omgevingsvergunning bouwen",
        "omgevingsvergunning bouwactiviteit",
        "bouwactiviteit",
        "bouwvergunning",
        "bouwen",
        "bouw",
    ),
    "omgevingsvergunning_milieu": (
        "omgevingsvergunning milieu",
        "omgevingsvergunning milieubelastende activiteit",
        "milieubelastende activiteit",
        "milieuvergunning",
        "milieu",
    ),
    "aanwezigheidsvergunning": (
        "aanwezigheidsvergunning",
        "aanwezigheidsvergunning speelautomaten",
        "speelautomaten",
        "speelautomaat",
    ),
    "speelautomatenhal": ("speelautomatenhal", "speelhal", "amusementshal"),
    "kansspelen": ("kansspelen", "kansspel", "kansspelvergunning"),
    "evenement": (
        "evenement",
        "evenementen",
        "evenementenvergunning",
        "evenementvergunning",
        "vechtsportevenement",
        "vechtsport",
    ),
    "subsidie": ("subsidie", "subsidies", "subsidieaanvraag"),
    "vastgoed": (
        "vastgoed",
        "vastgoedtransactie",
        "vastgoedtransacties",
        "grondtransactie",
        "verkoop grond",
        "verkoop vastgoed",
    ),
    "overheidsopdracht": (
        "overheidsopdracht",
        "overheidsopdrachten",
        "aanbesteding",
        "aanbestedingen",
    ),
    "huisvestingsvergunning": ("huisvestingsvergunning", "huisvestingswet", "omzettingsvergunning"),
    "verhuurvergunning": (
        "verhuurvergunning",
        "verhuurdersvergunning",
        "wet goed verhuurderschap",
    ),
}
_PHASE_SYNONYMS: dict[str, tuple[str, ...]] = {
    Phase.INTAKE: ("nieuw", "ontvangen", "aangemeld", "geregistreerd"),
    Phase.TOEPASBAARHEID: ("toets", "toetsen", "beoordeling toepasbaarheid"),
    Phase.VRAGENFORMULIER: (
        "vragenformulier verstuurd",
        "vragenformulier verzonden",
        "wacht op vragenformulier",
        "bibob vragenformulier",
    ),
    Phase.EIGEN_ONDERZOEK: ("onderzoek", "in onderzoek"),
    Phase.LBB_ADVIES: (
        "lbb",
        "lbb advies",
        "advies lbb",
        "bij lbb",
        "bij het lbb",
        "lbb advies aangevraagd",
        "advies aangevraagd",
    ),
    Phase.ZIENSWIJZE: ("voornemen", "voornemen verstuurd"),
    Phase.BESLUIT: ("besluit genomen", "besloten", "beschikking"),
    Phase.GESLOTEN: ("afgesloten", "afgerond", "klaar", "gearchiveerd", "archief"),
    Phase.INGETROKKEN: (
        "teruggetrokken",
        "aanvraag ingetrokken",
        "terugtrekking",
        "ingetrokken door aanvrager",
    ),
}
_CONCLUSION_SYNONYMS: dict[str, tuple[str, ...]] = {
    Conclusion.GEEN_GEVAAR: ("geen gevaar", "geen"),
    Conclusion.MINDERE_MATE: ("mindere mate", "mindere mate gevaar", "beperkt gevaar"),
    Conclusion.ERNSTIG_GEVAAR: ("ernstig", "ernstig gevaar"),
}
_DECISION_SYNONYMS: dict[str, tuple[str, ...]] = {
    Decision.VERLENEN: (
        "verleend",
        "verlening",
        "vergunning verleend",
        "toegekend",
        "toekennen",
    ),
    Decision.VERLENEN_MET_VOORSCHRIFTEN: (
        "verleend met voorschriften",
        "verlening met voorschriften",
        "met voorschriften",
        "voorschriften",
    ),
    Decision.WEIGEREN: ("geweigerd", "weigering", "afgewezen", "afwijzing"),
    Decision.INTREKKEN: ("intrekking", "vergunning ingetrokken"),
    WITHDRAWAL: (
        "aanvraag ingetrokken",
        "aanvraag teruggetrokken",
        "teruggetrokken",
        "ingetrokken door aanvrager",
    ),
}
_OUTCOME_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mandatory": ("verplicht", "ja verplicht", "verplichte toets", "bibob verplicht"),
    "optional": (
        "optioneel",
        "facultatief",
        "kan",
        "kan bepaling",
        "kanbepaling",
        "ja optioneel",
        "vrijwillig",
    ),
    "not_applicable": ("niet van toepassing", "nvt", "n v t", "nee", "n", "niet"),
    IN_SCOPE: ("ja", "j", "x", "van toepassing"),
}


def _table(codes: Mapping[str, str], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """normalised label -> code, from the codes, their labels and the synonyms."""
    table: dict[str, str] = {}
    for code, label in codes.items():
        table[normalise(code.replace("_", " "))] = code
        table[normalise(label)] = code
    for code, words in synonyms.items():
        for word in words:
            table[normalise(word)] = str(code)
    return table


DEFAULT_LABELS: dict[LabelKind, dict[str, str]] = {
    LabelKind.AREA: _table(AREAS, _AREA_SYNONYMS),
    LabelKind.PHASE: _table({p.value: PHASE_LABELS[p] for p in Phase}, _PHASE_SYNONYMS),
    LabelKind.CONCLUSION: _table(
        {c.value: CONCLUSION_LABELS[c] for c in Conclusion}, _CONCLUSION_SYNONYMS
    ),
    LabelKind.DECISION: _table(
        {**{d.value: DECISION_LABELS[d] for d in Decision}, WITHDRAWAL: "Terugtrekking"},
        _DECISION_SYNONYMS,
    ),
    LabelKind.OUTCOME: _table(REGISTER_OUTCOMES, _OUTCOME_SYNONYMS),
}

VALID_CODES: dict[LabelKind, frozenset[str]] = {
    LabelKind.AREA: frozenset(AREAS),
    LabelKind.PHASE: frozenset(p.value for p in Phase),
    LabelKind.CONCLUSION: frozenset(c.value for c in Conclusion),
    LabelKind.DECISION: frozenset({*(d.value for d in Decision), WITHDRAWAL}),
    LabelKind.OUTCOME: frozenset(REGISTER_OUTCOMES),
}

# Words that can mean two things in a register; the message says which two.
_AMBIGUOUS: dict[LabelKind, dict[str, str]] = {
    LabelKind.DECISION: {
        "ingetrokken": "de aanvrager trok de aanvraag in (terugtrekking) of het bestuursorgaan "
        "trok de vergunning in (intrekken)",
    },
    LabelKind.AREA: {
        "omgevingsvergunning": "een bouwactiviteit (omgevingsvergunning_bouw) of een "
        "milieubelastende activiteit (omgevingsvergunning_milieu)",
        "vergunning": "elk soort vergunning",
        "exploitatie": "horeca, coffeeshop of seksinrichting",
    },
    LabelKind.PHASE: {
        "lopend": "elke fase vóór het besluit",
        "in behandeling": "elke fase vóór het besluit",
        "open": "elke fase vóór het besluit",
    },
}


class LabelTables:
    """The label -> code tables, with the user's corrections (wizard or mapping file) on top."""

    def __init__(self, overrides: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.tables: dict[LabelKind, dict[str, str]] = {
            kind: dict(table) for kind, table in DEFAULT_LABELS.items()
        }
        self.overrides: dict[LabelKind, dict[str, str]] = {kind: {} for kind in LabelKind}
        for kind_name, entries in (overrides or {}).items():
            kind = LabelKind(kind_name)
            for label, code in entries.items():
                self.overrides[kind][normalise(label)] = code
                self.tables[kind][normalise(label)] = code

    def lookup(self, kind: LabelKind, value: CellValue) -> str:
        text = cell_text(value)
        _no_doubt(kind, text)
        code = self.tables[kind].get(normalise(text))
        if code is not None:
            return code
        raise unknown_label_error(kind, text)


def _no_doubt(kind: LabelKind, text: str) -> None:
    """ "Ernstig gevaar?" records a doubt, not a conclusion."""
    if "?" in text:
        shown = text if len(text) <= 60 else text[:57] + "…"
        raise ValidationError(
            f"'{shown}' bevat een vraagteken en is dus niet eenduidig; vul de "
            f"{LABEL_KIND_NAMES[kind]} in zoals die is vastgesteld.",
            kind.value,
        )


def unknown_label_error(kind: LabelKind, text: str) -> ValidationError:
    name = LABEL_KIND_NAMES[kind]
    shown = text if len(text) <= 60 else text[:57] + "…"
    meaning = _AMBIGUOUS.get(kind, {}).get(normalise(text))
    what = (
        f"'{shown}' is niet eenduidig: het kan {meaning} betekenen."
        if meaning
        else f"'{shown}' is geen bekende waarde voor {name}."
    )
    return ValidationError(
        f"{what} Koppel deze waarde in de wizard (stap Kolommen) of in het koppelbestand "
        f"(values.{kind.value}) aan een code.",
        kind.value,
    )


# Words allowed around the grounds in a conclusion such as "Ernstig gevaar (a- en b-grond)".
_GROUND_FILLER = frozenset(
    {"grond", "gronden", "en", "op", "de", "of", "sub", "onder", "art", "artikel", "lid", "wet"}
    | {"bibob", "1", "3", "6", "7"}
)


def parse_conclusion_value(
    value: CellValue, tables: LabelTables
) -> tuple[Conclusion, tuple[str, ...]]:
    """ "Ernstig gevaar", "ernstig gevaar (a en b)", "Mindere mate van gevaar, a-grond"."""
    text = cell_text(value)
    _no_doubt(LabelKind.CONCLUSION, text)
    normal = normalise(text)
    table = tables.tables[LabelKind.CONCLUSION]
    if normal in table:
        return Conclusion(table[normal]), ()
    for label in sorted(table, key=len, reverse=True):
        if not normal.startswith(label + " "):
            continue
        grounds: set[str] = set()
        for token in normal[len(label) :].split():
            if token in GROUNDS:
                grounds.add(token)
            elif token in ("agrond", "bgrond", "cgrond"):
                grounds.add(token[0])
            elif token not in _GROUND_FILLER:
                break
        else:
            return Conclusion(table[label]), tuple(sorted(grounds))
    raise unknown_label_error(LabelKind.CONCLUSION, text)
