"""Column detection, the mapping file and one row's plan (pure, no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.domain.phases import Phase
from bibob_desk.domain.register_import import (
    Field,
    Layout,
    MergedRange,
    PlanContext,
    RowPlan,
    SourceRef,
    detect_layout,
    import_key,
    mapping_from_layout,
    match_header,
    parse_mapping,
    plan_row,
    split_address,
    split_names,
)
from bibob_desk.domain.register_values import LabelTables
from bibob_desk.domain.workflow import Conclusion, Decision

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Zaaknummer", Field.OLD_REFERENCE),
        ("Dossiernummer", Field.OLD_REFERENCE),
        ("Kenmerk", Field.OLD_REFERENCE),
        ("Nr.", Field.OLD_REFERENCE),
        ("Aanvrager", Field.APPLICANT),
        ("Naam aanvrager", Field.APPLICANT),
        ("Bedrijfsnaam", Field.APPLICANT),
        ("Onderneming", Field.APPLICANT),
        ("KvK", Field.KVK),
        ("KvK-nummer", Field.KVK),
        ("KvK nr.", Field.KVK),
        ("KVKNUMMER", Field.KVK),
        ("Toepassingsgebied", Field.AREA),
        ("Soort vergunning", Field.AREA),
        ("Vergunning", Field.AREA),
        ("Soort aanvraag", Field.AREA),
        ("Bouwsom", Field.BOUWSOM),
        ("Bouwkosten", Field.BOUWSOM),
        ("Aanneemsom", Field.BOUWSOM),
        ("Bouwsom (excl. btw) in €", Field.BOUWSOM),
        ("Aanvraagdatum", Field.APPLICATION_DATE),
        ("Datum ontvangst", Field.APPLICATION_DATE),
        ("Datum aanvraag", Field.APPLICATION_DATE),
        ("Ontvangen", Field.APPLICATION_DATE),
        ("Adres", Field.ADDRESS),
        ("Locatie", Field.ADDRESS),
        ("Vestigingsadres", Field.ADDRESS),
        ("Postcode", Field.POSTCODE),
        ("Plaats", Field.CITY),
        ("Woonplaats", Field.CITY),
        ("Behandelaar", Field.OFFICER),
        ("Medewerker", Field.OFFICER),
        ("Fase", Field.PHASE),
        ("Status", Field.PHASE),
        ("Uitkomst toets", Field.OUTCOME),
        ("Bibob van toepassing?", Field.OUTCOME),
        ("LBB-advies aangevraagd (datum)", Field.LBB_REQUESTED),
        ("LBB-advies ontvangen (datum)", Field.LBB_RECEIVED),
        ("LBB advies ontvangen", Field.LBB_RECEIVED),
        ("Conclusie", Field.CONCLUSION),
        ("Mate van gevaar", Field.CONCLUSION),
        ("Besluit", Field.DECISION),
        ("Besluitdatum", Field.DECISION_DATE),
        ("Datum besluit", Field.DECISION_DATE),
        ("Ingetrokken", Field.WITHDRAWN),
        ("Teruggetrokken", Field.WITHDRAWN),
        ("Ingetrokken / teruggetrokken", Field.WITHDRAWN),
        ("Tip (ja/nee)", Field.TIP),
        ("Art. 26", Field.TIP),
        ("Bestuurders", Field.DIRECTORS),
        ("Aandeelhouders", Field.SHAREHOLDERS),
        ("Bestuurders / aandeelhouders", Field.INVOLVED),
        ("Bijzonderheden", Field.REMARKS),
        ("Opmerkingen", Field.REMARKS),
        ("Dossierlocatie", None),
        ("", None),
    ],
)
def test_headers_municipalities_use(header: str, field: Field | None) -> None:
    assert match_header(header) is field


def grid(*rows: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in rows]


def test_header_below_a_merged_title_and_a_blank_row() -> None:
    rows = grid(
        ["Bibob-register 2023", None, None, None],
        [None, None, None, None],
        ["Zaaknr.", "Aanvrager", "Soort vergunning", "Datum ontvangst"],
        ["2023-001", "De Hoek B.V.", "DHW", "1-2-2023"],
    )
    layout = detect_layout(rows, [MergedRange(1, 1, 1, 4)])
    assert (layout.header_row, layout.data_start) == (3, 4)
    assert [c.field for c in layout.columns] == [
        Field.OLD_REFERENCE,
        Field.APPLICANT,
        Field.AREA,
        Field.APPLICATION_DATE,
    ]


def test_two_row_header_with_a_merged_group_title() -> None:
    # "LBB-advies" over "aangevraagd" and "ontvangen"; "ontvangen" alone would be the
    # application date, under its group title it is the LBB advice received.
    rows = grid(
        ["Zaaknummer", "Soort", "Ontvangen", "LBB-advies", None, "Besluit"],
        [None, None, None, "aangevraagd", "ontvangen", None],
        ["1", "DHW", "1-2-2024", "1-3-2024", "1-4-2024", "Verleend"],
    )
    merged = [MergedRange(1, c, 2, c) for c in (1, 2, 3, 6)] + [MergedRange(1, 4, 1, 5)]
    layout = detect_layout(rows, merged)
    assert (layout.header_row, layout.data_start) == (2, 3)
    fields = {c.header: c.field for c in layout.columns}
    assert fields["LBB-advies aangevraagd"] is Field.LBB_REQUESTED
    assert fields["LBB-advies ontvangen"] is Field.LBB_RECEIVED
    assert fields["Ontvangen"] is Field.APPLICATION_DATE
    assert fields["Besluit"] is Field.DECISION


def test_sub_headers_without_vertical_merges() -> None:
    rows = grid(
        ["Zaaknummer", "Soort", "Ontvangen", "LBB-advies", None],
        [None, None, None, "aangevraagd", "ontvangen"],
        ["1", "DHW", "1-2-2024", "1-3-2024", "1-4-2024"],
    )
    layout = detect_layout(rows, [MergedRange(1, 4, 1, 5)])
    assert layout.header_row == 2
    assert [c.field for c in layout.columns] == [
        Field.OLD_REFERENCE,
        Field.AREA,
        Field.APPLICATION_DATE,
        Field.LBB_REQUESTED,
        Field.LBB_RECEIVED,
    ]


def test_a_second_column_for_the_same_field_is_kept_as_a_note() -> None:
    rows = grid(["Adres", "Vestigingsadres", "Soort", "Aanvraagdatum"])
    layout = detect_layout(rows)
    assert [c.field for c in layout.columns][:2] == [Field.ADDRESS, Field.NOTE]
    assert "als notitie" in layout.notices[0]


def test_no_header_is_a_dutch_refusal() -> None:
    with pytest.raises(ValidationError, match="Geen kopregel gevonden"):
        detect_layout(grid(["Dit register wordt bijgehouden door team Bibob."]))


def test_the_mapping_names_columns_the_synonyms_do_not_know() -> None:
    rows = grid(["Dossier", "Wat", "Wanneer"], ["1", "DHW", "1-2-2024"])
    mapping = parse_mapping(
        {"columns": {"Dossier": "old_reference", "wat": "area", "WANNEER": "application_date"}}
    )
    layout = detect_layout(rows, mapping=mapping)
    assert [c.field for c in layout.columns] == [
        Field.OLD_REFERENCE,
        Field.AREA,
        Field.APPLICATION_DATE,
    ]
    assert not any(c.detected for c in layout.columns)
    assert layout.missing_required == ()
    saved = mapping_from_layout(layout, mapping, "Blad1").to_json()
    assert parse_mapping(saved).columns == {
        "Dossier": Field.OLD_REFERENCE,
        "Wat": Field.AREA,
        "Wanneer": Field.APPLICATION_DATE,
    }


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([], "JSON-object"),
        ({"kolommen": {}}, "'kolommen': onbekende sleutel"),
        ({"format": 2}, "'format'"),
        ({"columns": {"Soort": "soort"}}, "'columns.Soort': onbekend veld 'soort'"),
        ({"columns": {"Soort": 5}}, "'columns.Soort': verwacht een tekst"),
        ({"values": {"kleur": {}}}, "'values.kleur': onbekende soort"),
        ({"values": {"area": {"DHW": "drank"}}}, "'values.area.DHW': onbekende code 'drank'"),
        ({"header_row": 0}, "'header_row'"),
        ({"officers": ["a"]}, "'officers'"),
    ],
)
def test_a_wrong_mapping_file_names_the_key(document: Any, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        parse_mapping(document)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=10,
    )
)
@settings(max_examples=200)
def test_any_json_as_mapping_gives_a_mapping_or_a_dutch_error(document: Any) -> None:
    try:
        parse_mapping(document)
    except ValidationError as exc:
        assert str(exc)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("J. de Vries", ["J. de Vries"]),
        ("J. de Vries; P. Jansen", ["J. de Vries", "P. Jansen"]),
        ("J. de Vries\nP. Jansen\n", ["J. de Vries", "P. Jansen"]),
        ("Hoek Holding B.V. (100%)", ["Hoek Holding B.V."]),
        ("Jansen & Zn. B.V.", ["Jansen & Zn. B.V."]),
        ("Jansen, J.", None),
        ("Piet en Klaas Jansen", None),
        ("J. de Vries / P. Jansen", None),
        ("J. de Vries + partner", None),
    ],
)
def test_names_are_split_only_where_it_is_safe(text: str, names: list[str] | None) -> None:
    assert split_names(text) == names


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Hoofdstraat 12", ("Hoofdstraat", "12", "", "")),
        ("Hoofdstraat 12a, 9401 AB Assen", ("Hoofdstraat", "12a", "9401 AB", "Assen")),
        ("Van der Walstraat 7-II", ("Van der Walstraat", "7-II", "", "")),
        ("Bedrijventerrein De Punt, kavel 7", ("Bedrijventerrein De Punt, kavel 7", "", "", "")),
    ],
)
def test_addresses(text: str, parts: tuple[str, str, str, str]) -> None:
    assert split_address(text) == parts


HEADERS = [
    "Zaaknummer",
    "Aanvrager",
    "KvK",
    "Soort vergunning",
    "Bouwsom",
    "Datum ontvangst",
    "Adres",
    "Behandelaar",
    "Status",
    "Conclusie",
    "Besluit",
    "Datum besluit",
    "Ingetrokken",
    "Bestuurders",
    "LBB-advies aangevraagd",
    "LBB-advies ontvangen",
    "Kast",
]
LAYOUT: Layout = detect_layout([tuple(HEADERS)])
USERS = {"a.dekker": "a.dekker", "a. dekker": "a.dekker"}


def context(**kwargs: Any) -> PlanContext:
    def resolve(name: str) -> str:
        if name.casefold() in USERS:
            return USERS[name.casefold()]
        raise ValidationError(f"Behandelaar '{name}' is geen gebruiker van Bibob Desk.", "officer")

    return PlanContext(
        source=SourceRef("register.xlsx", "Blad1"),
        today=TODAY,
        tables=LabelTables(),
        resolve_officer=resolve,
        default_officer=lambda: "a.dekker",
        **kwargs,
    )


def plan(**cells: Any) -> RowPlan:
    base: dict[str, Any] = {
        "Zaaknummer": "2024-001",
        "Aanvrager": "De Hoek B.V.",
        "KvK": "12345678",
        "Soort vergunning": "Drank- en Horecawet",
        "Datum ontvangst": datetime(2024, 2, 1),
        "Behandelaar": "A. Dekker",
    }
    base.update(cells)
    return plan_row(44, [base.get(h) for h in HEADERS], LAYOUT, context())


def test_a_good_row() -> None:
    row = plan(
        Adres="Hoofdstraat 12, 9401 AB Assen",
        Bestuurders="J. de Vries; P. Jansen",
        Kast="Kast 3",
    )
    assert row.ok, [p.text for p in row.problems]
    assert row.key == "kenmerk:2024-001"
    assert row.area == "alcohol"
    assert row.application_date == date(2024, 2, 1)
    assert (row.street, row.house_number, row.postcode, row.city) == (
        "Hoofdstraat",
        "12",
        "9401 AB",
        "Assen",
    )
    assert row.officer == "a.dekker"
    assert row.phase is Phase.INTAKE and row.phase_derived
    assert row.title == "Alcoholwetvergunning: De Hoek B.V."
    assert [(p.name, p.role, p.kind) for p in row.parties] == [
        ("De Hoek B.V.", PartyRole.AANVRAGER, PartyKind.LEGAL_ENTITY),
        ("J. de Vries", PartyRole.BESTUURDER, PartyKind.NATURAL_PERSON),
        ("P. Jansen", PartyRole.BESTUURDER, PartyKind.NATURAL_PERSON),
    ]
    assert row.notes == [("Kast", "Kast 3")]  # an unknown column is kept, never dropped
    assert row.source_values["Kast"] == "Kast 3"


@pytest.mark.parametrize(
    ("cells", "column", "fragment"),
    [
        ({"Bouwsom": "7,5 ton", "Soort vergunning": "Bouwvergunning"}, "Bouwsom", "eenduidig"),
        ({"Datum ontvangst": "2024"}, "Datum ontvangst", "alleen een jaar"),
        ({"Datum ontvangst": "zie dossier"}, "Datum ontvangst", "geen datum"),
        ({"Datum ontvangst": "1-1-2027"}, "Datum ontvangst", "in de toekomst"),
        ({"Datum ontvangst": None}, None, "datum van de aanvraag"),
        ({"Soort vergunning": "Omgevingsvergunning"}, "Soort vergunning", "niet eenduidig"),
        ({"Soort vergunning": "Bouwvergunning"}, "Soort vergunning", "bouwsom"),
        ({"KvK": "1234"}, "KvK", "KvK-nummer"),
        ({"Aanvrager": None}, "KvK", "geen aanvrager"),
        ({"Behandelaar": "Piet Puk"}, "Behandelaar", "geen gebruiker"),
        ({"Besluit": "Verleend"}, "Besluit", "zonder conclusie"),
        ({"Conclusie": "Geen gevaar", "Besluit": "Geweigerd"}, "Besluit", "geen gevaar"),
        (
            {"Conclusie": "Mindere mate van gevaar", "Besluit": "Geweigerd"},
            "Besluit",
            "ernstig gevaar",
        ),
        (
            {"Conclusie": "Ernstig gevaar", "Besluit": "Verleend"},
            "Besluit",
            "motivering",
        ),
        ({"Conclusie": "Mindere mate (c)"}, "Conclusie", "c-grond"),
        ({"Besluit": "Ingetrokken"}, "Besluit", "terugtrekking"),
        ({"Datum besluit": "1-3-2024"}, "Datum besluit", "geen besluit"),
        (
            {"Conclusie": "Geen gevaar", "Besluit": "Verleend", "Status": "Intake"},
            "Status",
            "besluit",
        ),
        ({"Conclusie": "Geen gevaar", "Status": "Vragenformulier"}, "Status", "conclusie"),
        (
            {"Ingetrokken": "ja", "Conclusie": "Geen gevaar", "Besluit": "Verleend"},
            "Besluit",
            "geen besluit",
        ),
        (
            {"Conclusie": "Geen gevaar", "Besluit": "Verleend", "Datum besluit": "1-1-2023"},
            "Datum besluit",
            "vóór de aanvraagdatum",
        ),
        ({"LBB-advies ontvangen": "1-4-2024"}, "LBB-advies ontvangen", "niet aangevraagd"),
        (
            {"LBB-advies aangevraagd": "1-5-2024", "LBB-advies ontvangen": "1-4-2024"},
            "LBB-advies ontvangen",
            "vóór de aanvraag",
        ),
        ({"Status": "In behandeling"}, "Status", "niet eenduidig"),
    ],
)
def test_row_problems_name_row_and_column(
    cells: dict[str, Any], column: str | None, fragment: str
) -> None:
    row = plan(**cells)
    assert not row.ok
    matching = [p for p in row.problems if fragment in p.message]
    assert matching, [p.text for p in row.problems]
    assert matching[0].column == column
    expected = f"rij 44, kolom {column}: " if column else "rij 44: "
    assert matching[0].text.startswith(expected)


def test_the_procedure_as_the_register_tells_it() -> None:
    decided = plan(
        Conclusie="Ernstig gevaar (a- en b-grond)",
        Besluit="Geweigerd",
        **{"Datum besluit": "1 maart 2024", "LBB-advies aangevraagd": "5-2-2024"},
    )
    assert decided.ok, [p.text for p in decided.problems]
    assert decided.phase is Phase.GESLOTEN and decided.phase_derived
    assert decided.conclusion is Conclusion.ERNSTIG_GEVAAR and decided.grounds == ("a", "b")
    assert decided.decision is Decision.WEIGEREN
    assert decided.closed_on == date(2024, 3, 1)
    recent = plan(Conclusie="Geen gevaar", Besluit="Verleend", **{"Datum besluit": "20-11-2026"})
    assert recent.phase is Phase.BESLUIT  # the six weeks for bezwaar still run
    withdrawn = plan(Ingetrokken="3-4-2024")
    assert withdrawn.phase is Phase.INGETROKKEN and withdrawn.closed_on == date(2024, 4, 3)
    said = plan(Ingetrokken="ja")
    assert said.closed_on == date(2024, 2, 1) and said.closed_on_derived
    assert any("sluitdatum" in w.message for w in said.warnings)
    waiting = plan(**{"LBB-advies aangevraagd": "1-3-2024"})
    assert waiting.phase is Phase.LBB_ADVIES
    named = plan(Status="Afgerond", Conclusie="Geen gevaar", Besluit="verlenen")
    assert named.phase is Phase.GESLOTEN and not named.phase_derived


def test_without_an_old_number_the_key_is_file_sheet_and_row() -> None:
    row = plan(Zaaknummer=None)
    assert row.key == "bron:register.xlsx|Blad1|44"
    assert import_key("", SourceRef("a.xlsx", "B"), 7) == "bron:a.xlsx|B|7"
    prefixed = plan_row(
        5,
        ["12", None, None, "DHW", None, "1-2-2024"],
        LAYOUT,
        context(old_reference_prefix="2019/"),
    )
    assert prefixed.old_reference == "2019/12" and prefixed.key == "kenmerk:2019/12"


def test_names_that_cannot_be_split_stay_as_a_note() -> None:
    row = plan(Bestuurders="Jansen, J. en De Vries, P.")
    assert row.ok
    assert [p.role for p in row.parties] == [PartyRole.AANVRAGER]
    assert ("Bestuurders", "Jansen, J. en De Vries, P.") in row.notes
    assert any("niet veilig te splitsen" in w.message for w in row.warnings)


@given(
    st.lists(
        st.one_of(st.none(), st.text(max_size=20), st.integers(), st.floats(), st.dates()),
        max_size=len(HEADERS) + 2,
    )
)
@settings(max_examples=300)
def test_any_row_gives_a_plan_never_an_exception(values: list[Any]) -> None:
    row = plan_row(9, values, LAYOUT, context())
    assert row.row == 9
    for problem in row.problems:
        assert problem.text.startswith("rij 9")
    assert row.ok or row.problems
    assert isinstance(row.bouwsom, Decimal | None)
