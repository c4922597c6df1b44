"""Cell values as real registers hold them: table-driven, plus hypothesis for every parser."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.money import format_money
from bibob_desk.domain.register_values import (
    EXCEL_EPOCH_1904,
    IN_SCOPE,
    WITHDRAWAL,
    LabelKind,
    LabelTables,
    cell_text,
    normalise,
    parse_amount,
    parse_conclusion_value,
    parse_date_or_flag,
    parse_date_value,
    parse_yes_no,
)
from bibob_desk.domain.values import format_date_nl
from bibob_desk.domain.workflow import Conclusion

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("€ 750.000", "750000.00"),
        ("750000", "750000.00"),
        ("750.000,-", "750000.00"),
        ("€750.000,00", "750000.00"),
        ("€ 1.250.000,50", "1250000.50"),
        ("750000,5", "750000.50"),
        (750000, "750000.00"),
        (750000.0, "750000.00"),
        (907500.0000000001, "907500.00"),  # formula noise in a number cell
        (Decimal("12.5"), "12.50"),
    ],
)
def test_amounts_as_sheets_hold_them(cell: object, expected: str) -> None:
    assert parse_amount(cell) == Decimal(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("7,5 ton", "geen eenduidig bedrag"),
        ("1,2 mln", "geen eenduidig bedrag"),
        ("750k", "geen eenduidig bedrag"),
        ("ca. 750.000", "schatting"),
        ("± 750.000", "schatting"),
        ("zie dossier", "geen geldig bedrag"),
        ("-5", "negatief"),
        (1234.567, "twee decimalen"),
        (True, "geen bedrag"),
        (date(2024, 1, 1), "geen bedrag"),
        (float("nan"), "geen bedrag"),
    ],
)
def test_ambiguous_amounts_are_refused(cell: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        parse_amount(cell)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime(2024, 2, 1, 0, 0), date(2024, 2, 1)),
        (datetime(2024, 2, 1, 14, 30), date(2024, 2, 1)),
        (date(2024, 2, 1), date(2024, 2, 1)),
        (45323, date(2024, 2, 1)),  # Excel serial in a General cell
        (45323.75, date(2024, 2, 1)),  # serial with a time of day
        ("45323", date(2024, 2, 1)),
        ("1-2-2024", date(2024, 2, 1)),
        ("01-02-24", date(2024, 2, 1)),
        ("1/2/2024", date(2024, 2, 1)),
        ("1.2.2024", date(2024, 2, 1)),
        ("1 februari 2024", date(2024, 2, 1)),
        ("1 Februari 2024", date(2024, 2, 1)),
        ("1 feb. 2024", date(2024, 2, 1)),
        ("1-feb-24", date(2024, 2, 1)),
        ("3 mrt 2025", date(2025, 3, 3)),
        ("donderdag 1 februari 2024", date(2024, 2, 1)),
        ("2024-02-01", date(2024, 2, 1)),
        ("2024-02-01 00:00:00", date(2024, 2, 1)),
        ("01-02-99", date(1999, 2, 1)),  # two-digit years after this year's are last century
    ],
)
def test_dates_as_sheets_hold_them(cell: object, expected: date) -> None:
    assert parse_date_value(cell, TODAY) == expected  # type: ignore[arg-type]


def test_serials_of_a_1904_workbook() -> None:
    assert parse_date_value(43861, TODAY, epoch=EXCEL_EPOCH_1904) == date(2024, 2, 1)


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("2024", "alleen een jaar"),
        (2024, "geen volledige datum"),
        ("zie dossier", "geen datum"),
        ("feb 2024", "geen datum"),
        ("31-02-2024", "bestaat niet"),
        ("1 brumaire 2024", "geen maand"),
        ("13-13-2024", "bestaat niet"),
        (True, "geen datum"),
        (time(10, 0), "geen datum"),
        ("", "geen datum"),
        ("1-2-1890", "te vroeg"),
    ],
)
def test_ambiguous_dates_are_refused(cell: object, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        parse_date_value(cell, TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ja", True),
        ("Ja", True),
        ("j", True),
        ("x", True),
        ("X", True),
        ("1", True),
        (1, True),
        (True, True),
        ("waar", True),
        ("WAAR", True),
        ("nee", False),
        ("n", False),
        ("0", False),
        (0, False),
        (False, False),
        ("onwaar", False),
        (None, None),
        ("", None),
        ("-", None),
    ],
)
def test_yes_no(cell: object, expected: bool | None) -> None:
    assert parse_yes_no(cell) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["misschien", "onbekend", 2, "ja/nee"])
def test_yes_no_refuses_the_rest(cell: object) -> None:
    with pytest.raises(ValidationError, match="geen ja of nee"):
        parse_yes_no(cell)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("ja", (True, None)),
        ("nee", (False, None)),
        (None, (False, None)),
        ("3-4-2024", (True, date(2024, 4, 3))),
        (datetime(2024, 4, 3), (True, date(2024, 4, 3))),
    ],
)
def test_date_or_flag(cell: object, expected: tuple[bool, date | None]) -> None:
    assert parse_date_or_flag(cell, TODAY) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "label", "code"),
    [
        (LabelKind.AREA, "Drank- en Horecawet", "alcohol"),
        (LabelKind.AREA, "DHW", "alcohol"),
        (LabelKind.AREA, "Exploitatievergunning", "exploitatie_horeca"),
        (LabelKind.AREA, "Omgevingsvergunning (bouwen)", "omgevingsvergunning_bouw"),
        (LabelKind.AREA, "omgevingsvergunning_milieu", "omgevingsvergunning_milieu"),
        (LabelKind.AREA, "Evenementenvergunning (ook vechtsportevenementen)", "evenement"),
        (LabelKind.PHASE, "Afgerond", "gesloten"),
        (LabelKind.PHASE, "LBB-advies", "lbb_advies"),
        (LabelKind.PHASE, "Aanvraag ingetrokken", "ingetrokken"),
        (LabelKind.PHASE, "eigen onderzoek", "eigen_onderzoek"),
        (LabelKind.DECISION, "Verleend met voorschriften", "verlenen_met_voorschriften"),
        (LabelKind.DECISION, "Geweigerd", "weigeren"),
        (LabelKind.DECISION, "Intrekking", "intrekken"),
        (LabelKind.DECISION, "Aanvraag teruggetrokken", WITHDRAWAL),
        (LabelKind.OUTCOME, "Verplicht", "mandatory"),
        (LabelKind.OUTCOME, "Kan-bepaling", "optional"),
        (LabelKind.OUTCOME, "n.v.t.", "not_applicable"),
        (LabelKind.OUTCOME, "Ja", IN_SCOPE),
    ],
)
def test_label_tables(kind: LabelKind, label: str, code: str) -> None:
    assert LabelTables().lookup(kind, label) == code


@pytest.mark.parametrize(
    ("kind", "label", "fragment"),
    [
        (LabelKind.AREA, "Omgevingsvergunning", "niet eenduidig"),
        (LabelKind.AREA, "Vergunning", "niet eenduidig"),
        (LabelKind.AREA, "Kinderopvang", "geen bekende waarde voor toepassingsgebied"),
        (LabelKind.DECISION, "Ingetrokken", "terugtrekking"),
        (LabelKind.PHASE, "In behandeling", "niet eenduidig"),
    ],
)
def test_unknown_or_ambiguous_labels_point_to_the_mapping(
    kind: LabelKind, label: str, fragment: str
) -> None:
    with pytest.raises(ValidationError, match=fragment) as raised:
        LabelTables().lookup(kind, label)
    assert f"values.{kind.value}" in str(raised.value)


def test_the_users_corrections_win() -> None:
    tables = LabelTables({"area": {"Omgevingsvergunning": "omgevingsvergunning_milieu"}})
    assert tables.lookup(LabelKind.AREA, "omgevingsvergunning") == "omgevingsvergunning_milieu"
    tables = LabelTables({"decision": {"ingetrokken": WITHDRAWAL}})
    assert tables.lookup(LabelKind.DECISION, "Ingetrokken") == WITHDRAWAL


@pytest.mark.parametrize(
    ("text", "conclusion", "grounds"),
    [
        ("Ernstig gevaar", Conclusion.ERNSTIG_GEVAAR, ()),
        ("ernstig gevaar (a- en b-grond)", Conclusion.ERNSTIG_GEVAAR, ("a", "b")),
        ("Ernstig gevaar, art. 3 lid 1 sub a", Conclusion.ERNSTIG_GEVAAR, ("a",)),
        ("Mindere mate van gevaar (b)", Conclusion.MINDERE_MATE, ("b",)),
        ("Geen gevaar", Conclusion.GEEN_GEVAAR, ()),
    ],
)
def test_conclusions_with_their_grounds(
    text: str, conclusion: Conclusion, grounds: tuple[str, ...]
) -> None:
    assert parse_conclusion_value(text, LabelTables()) == (conclusion, grounds)


@pytest.mark.parametrize("text", ["Ernstig gevaar?", "ernstig gevaar volgens LBB", "onbekend"])
def test_conclusions_with_other_words_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="conclusie"):
        parse_conclusion_value(text, LabelTables())


def test_normalise_and_cell_text() -> None:
    assert normalise("  KvK-nr. ") == "kvk nr"
    assert normalise("Bibob van toepassing?") == "bibob van toepassing"
    assert normalise("Coöperatie") == "cooperatie"
    assert cell_text(datetime(2024, 2, 1)) == "2024-02-01"
    assert cell_text(750000.0) == "750000"
    assert cell_text(True) == "ja"
    assert cell_text("  a   b ") == "a b"
    assert cell_text("-") == ""


# --- hypothesis: every parser returns a value or a Dutch ValidationError, nothing else ---------

cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@given(cells)
def test_parsers_only_raise_dutch_validation_errors(cell: object) -> None:
    tables = LabelTables()
    for parse in (
        parse_amount,
        lambda v: parse_date_value(v, TODAY),
        lambda v: parse_date_or_flag(v, TODAY),
        parse_yes_no,
        lambda v: tables.lookup(LabelKind.AREA, v),
        lambda v: parse_conclusion_value(v, tables),
    ):
        try:
            parse(cell)
        except ValidationError as exc:
            assert str(exc)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_every_written_form_of_a_date_reads_back(day: date) -> None:
    for written in (
        f"{day.day}-{day.month}-{day.year}",
        f"{day:%d-%m-%Y}",
        format_date_nl(day),
        day.isoformat(),
        (day - date(1899, 12, 30)).days,
        datetime(day.year, day.month, day.day),
    ):
        assert parse_date_value(written, TODAY) == day
    if 2000 <= day.year <= TODAY.year:
        assert parse_date_value(f"{day:%d-%m-%y}", TODAY) == day


@given(st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2))
def test_every_written_form_of_an_amount_reads_back(amount: Decimal) -> None:
    assert parse_amount(format_money(amount)) == amount
    assert parse_amount(format_money(amount).replace(" ", "")) == amount
    assert parse_amount(f"{amount:.2f}") == amount
    if amount == amount.to_integral_value():
        assert parse_amount(int(amount)) == amount
        assert parse_amount(format_money(amount)[:-3] + ",-") == amount
