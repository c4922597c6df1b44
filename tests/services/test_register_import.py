"""The register import on a realistic, messy register: dry run, import, re-import, --update.

Runs on SQLite and (with BIBOB_DESK_TEST_PG) PostgreSQL through the ``db`` fixture.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bibob_desk.domain.errors import PermissionDenied, ValidationError
from bibob_desk.domain.register_import import ImportMapping, parse_mapping
from bibob_desk.services.audit import verify_log
from bibob_desk.services.cases import CaseService
from bibob_desk.services.context import AppContext
from bibob_desk.services.register_import import (
    AUDIT_CASE,
    AUDIT_SUMMARY,
    ImportOptions,
    RegisterImportService,
    RowStatus,
)
from bibob_desk.storage.database import Database, open_database
from bibob_desk.storage.models import (
    Assessment,
    AuditEntry,
    Case,
    ImportedCase,
    Party,
    Suspension,
    TimelineEntry,
)
from tests.conftest import make_user
from tests.register_factory import (
    COLUMN,
    FIRST_DATA_ROW,
    OFFICERS,
    good_rows,
    write_register,
)

TODAY = date(2026, 11, 25)
BLANK_EVERY = 10


def sheet_row(index: int) -> int:
    """The row number the spreadsheet shows for data row ``index`` (0-based)."""
    return FIRST_DATA_ROW + index + index // BLANK_EVERY


def add_users(db: Database) -> AppContext:
    make_user(db, "importeur", "teamleider,medewerker", "Ida Importeur")
    for username, full_name in OFFICERS.items():
        make_user(db, username, "medewerker", full_name)
    return AppContext(db=db, user="importeur")


@pytest.fixture
def importer(db: Database) -> AppContext:
    return add_users(db)


def service(context: AppContext, **kwargs: Any) -> RegisterImportService:
    return RegisterImportService(context, today=TODAY, **kwargs)


# Rows made wrong on purpose: (data row index, cells, column named in the problem, fragment).
MESSY: list[tuple[int, dict[str, Any], str | None, str]] = [
    (
        3,
        {"Bouwsom (excl. btw)": "7,5 ton", "Soort vergunning": "Bouwvergunning"},
        "Bouwsom (excl. btw)",
        "geen eenduidig bedrag",
    ),
    (6, {"Datum ontvangst": "2024"}, "Datum ontvangst", "alleen een jaar"),
    (11, {"Datum ontvangst": "zie dossier"}, "Datum ontvangst", "geen datum"),
    (14, {"Datum ontvangst": "3-1-2027"}, "Datum ontvangst", "in de toekomst"),
    (
        17,
        {"Status": "Afgerond", "Conclusie": None, "Besluit": "Verleend", "Datum besluit": None},
        "Besluit",
        "zonder conclusie",
    ),
    (22, {"Behandelaar": "Piet Puk"}, "Behandelaar", "geen gebruiker"),
    (25, {"Soort vergunning": "Omgevingsvergunning"}, "Soort vergunning", "niet eenduidig"),
    (28, {"KvK-nr.": "1234"}, "KvK-nr.", "KvK-nummer"),
    (31, {"Postcode": "12345"}, "Postcode", "postcode"),
]
DUPLICATE = (35, 2)  # row 35 repeats the old number of row 2


def messy_rows(count: int = 40) -> list[list[Any]]:
    rows = list(good_rows(count, seed=3, today=TODAY))
    for index, cells, _column, _fragment in MESSY:
        for name, value in cells.items():
            rows[index][COLUMN[name]] = value
    rows[DUPLICATE[0]][COLUMN["Zaaknummer"]] = rows[DUPLICATE[1]][COLUMN["Zaaknummer"]]
    return rows


def write(tmp_path: Path, rows: list[list[Any]], name: str = "register.xlsx") -> Path:
    return write_register(tmp_path / name, rows, blank_every=BLANK_EVERY)


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            model.__tablename__: session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in (Case, ImportedCase, AuditEntry, TimelineEntry, Party, Assessment)
        }


def test_dry_run_lists_every_problem_by_the_sheets_row_and_writes_nothing(
    importer: AppContext, tmp_path: Path
) -> None:
    path = write(tmp_path, messy_rows())
    before = counts(importer.db)
    report = service(importer).import_file(path, ImportOptions(dry_run=True))
    assert counts(importer.db) == before
    assert report.options.dry_run and not report.committed
    assert report.counts["rows"] == 40
    assert report.counts["problems"] == len(MESSY) + 1
    assert report.counts["imported"] == 40 - len(MESSY) - 1
    assert report.counts["empty_rows"] == 3
    texts = [p.text for p in report.problems]
    for index, _cells, column, fragment in MESSY:
        expected = f"rij {sheet_row(index)}, kolom {column}: "
        assert any(t.startswith(expected) and fragment in t for t in texts), (expected, texts)
    duplicate = f"rij {sheet_row(DUPLICATE[0])}, kolom Zaaknummer: "
    assert any(t.startswith(duplicate) and f"rij {sheet_row(DUPLICATE[1])}" in t for t in texts)
    by_row = {r.row: r for r in report.rows}
    assert by_row[sheet_row(0)].status is RowStatus.IMPORTED
    assert by_row[sheet_row(3)].status is RowStatus.PROBLEM


def test_import_takes_the_good_rows_as_real_cases_and_a_reimport_adds_nothing(
    importer: AppContext, tmp_path: Path
) -> None:
    path = write(tmp_path, messy_rows())
    report = service(importer).import_file(path, ImportOptions())
    good = 40 - len(MESSY) - 1
    assert report.committed and report.counts["imported"] == good
    assert not report.complete  # the rows with problems are not in
    with importer.db.session() as session:
        imported = list(session.execute(select(ImportedCase)).scalars())
        assert len(imported) == good
        cases = {c.id: c for c in session.execute(select(Case)).scalars()}
        assert len(cases) == good
        for record in imported:
            case = cases[record.case_id]
            assert record.source_file == "register.xlsx"
            assert record.source_sheet == "Register"
            assert record.old_reference and record.import_key == f"kenmerk:{record.old_reference}"
            # BIB-YYYY-NNNN by the application year, from the one reference counter.
            assert case.reference.startswith(f"BIB-{case.application_date.year}-")
            assert record.old_reference.startswith(str(case.application_date.year))
        actions = [a for (a,) in session.execute(select(AuditEntry.action).order_by(AuditEntry.id))]
        assert actions.count(AUDIT_CASE) == good
        assert actions.count(AUDIT_SUMMARY) == 1
        marks = session.execute(
            select(func.count())
            .select_from(TimelineEntry)
            .where(TimelineEntry.kind == "import", TimelineEntry.text.like("Geïmporteerd uit%"))
        ).scalar_one()
        assert marks == good
    assert verify_log(importer).ok
    references = {r.reference for r in report.rows if r.reference}
    assert len(references) == good

    again = service(importer).import_file(path, ImportOptions())
    assert again.counts["imported"] == 0
    assert again.counts["already_imported"] == good
    assert counts(importer.db)["cases"] == good
    assert {r.reference for r in again.rows if r.reference} == references
    assert all(
        r.status is RowStatus.ALREADY_IMPORTED
        for r in again.rows
        if r.status is not RowStatus.PROBLEM
    )


def test_an_imported_case_is_a_real_case(importer: AppContext, tmp_path: Path) -> None:
    rows = list(good_rows(3, seed=5, today=TODAY))
    decided, waiting, plain = rows
    decided[COLUMN["Soort vergunning"]] = "Omgevingsvergunning bouwen"
    decided[COLUMN["Bouwsom (excl. btw)"]] = "€ 1.250.000"
    decided[COLUMN["Datum ontvangst"]] = "3-2-2025"
    decided[COLUMN["Status"]] = "Afgerond"
    decided[COLUMN["LBB aangevraagd"]] = "10 februari 2025"
    decided[COLUMN["LBB ontvangen"]] = "1-4-2025"
    decided[COLUMN["Conclusie"]] = "Ernstig gevaar (a-grond)"
    decided[COLUMN["Besluit"]] = "Geweigerd"
    decided[COLUMN["Datum besluit"]] = "2-5-2025"
    decided[COLUMN["Ingetrokken"]] = None
    decided[COLUMN["Bestuurders"]] = "J. de Vries; P. Jansen"
    decided[COLUMN["Aandeelhouders"]] = None
    decided[COLUMN["Opmerkingen"]] = "Zienswijze ontvangen 20-4-2025."
    waiting[COLUMN["Datum ontvangst"]] = "1-9-2026"
    waiting[COLUMN["Status"]] = "LBB"
    waiting[COLUMN["LBB aangevraagd"]] = "15-9-2026"
    for cell in ("LBB ontvangen", "Conclusie", "Besluit", "Datum besluit", "Ingetrokken"):
        waiting[COLUMN[cell]] = None
    plain[COLUMN["Datum ontvangst"]] = "15-3-2019"  # before the first policy version
    plain[COLUMN["Status"]] = "Intake"
    for cell in ("LBB aangevraagd", "LBB ontvangen", "Conclusie", "Besluit", "Datum besluit"):
        plain[COLUMN[cell]] = None
    plain[COLUMN["Ingetrokken"]] = None
    path = write(tmp_path, rows)
    report = service(importer).import_file(path, ImportOptions())
    assert report.counts["imported"] == 3, [p.text for p in report.problems]
    refs = [r.reference for r in report.rows]
    assert refs[0] is not None and refs[0].startswith("BIB-2025-")
    cases = CaseService(importer)
    first = cases.get(refs[0])
    assert first.phase == "gesloten"
    assert first.outcome == "mandatory"  # € 1.250.000 > € 750.000 under policy 2024.1
    assert {p.role for p in first.parties} == {"aanvrager", "bestuurder"}
    texts = [t.text for t in first.timeline]
    assert any("historische import" in t and t.startswith("Besluit: weigeren") for t in texts)
    assert any("Kast" in t for t in texts)  # the unmapped column, kept as a note
    assert any("Zienswijze ontvangen" in t for t in texts)
    with importer.db.session() as session:
        case = session.execute(select(Case).where(Case.reference == refs[0])).scalar_one()
        assert (case.conclusion, case.conclusion_grounds, case.decision) == (
            "ernstig_gevaar",
            "a",
            "weigeren",
        )
        assert case.decision_date == date(2025, 5, 2) and case.closed_on == date(2025, 5, 2)
        [lbb] = session.execute(select(Suspension).where(Suspension.case_id == case.id)).scalars()
        assert (lbb.start_date, lbb.end_date) == (date(2025, 2, 10), date(2025, 4, 1))
        [assessment] = session.execute(
            select(Assessment).where(Assessment.case_id == case.id)
        ).scalars()
        assert (assessment.policy_version, assessment.rule) == ("2024.1", "bouwsom_boven_drempel")
        second = session.execute(select(Case).where(Case.reference == refs[1])).scalar_one()
        assert second.phase == "lbb_advies"
        assert second.nearest_deadline is not None  # the LBB's 8 weeks run
        third = session.execute(select(Case).where(Case.reference == refs[2])).scalar_one()
        assert third.reference.startswith("BIB-2019-")
        assert third.outcome is None  # no policy version was in force in 2019
    assert any("Niet getoetst" in w.message for w in report.rows[2].plan.warnings)


def test_update_turns_changed_cells_into_audited_edits(
    importer: AppContext, tmp_path: Path
) -> None:
    rows = list(good_rows(6, seed=11, today=TODAY))
    for row in rows:
        row[COLUMN["Soort vergunning"]] = "Omgevingsvergunning bouwen"
        row[COLUMN["Bouwsom (excl. btw)"]] = "€ 400.000"
    path = write(tmp_path, rows)
    first = service(importer).import_file(path, ImportOptions())
    assert first.counts["imported"] == 6
    reference = first.rows[1].reference
    assert reference is not None
    assert CaseService(importer).get(reference).outcome == "optional"
    # The register is kept on: the bouwsom is corrected and a note is added.
    rows[1][COLUMN["Bouwsom (excl. btw)"]] = "€ 900.000"
    rows[1][COLUMN["Dossierlocatie"]] = "Archief, doos 12"
    write(tmp_path, rows)

    plain = service(importer).import_file(path, ImportOptions())
    assert plain.counts["updated"] == 0 and plain.counts["already_imported"] == 6
    assert any("--update" in w.message for w in plain.rows[1].plan.warnings)
    assert CaseService(importer).get(reference).bouwsom is not None

    dry = service(importer).import_file(path, ImportOptions(dry_run=True, update=True))
    assert dry.counts["updated"] == 1
    assert CaseService(importer).get(reference).outcome == "optional"

    updated = service(importer).import_file(path, ImportOptions(update=True))
    assert updated.counts["updated"] == 1 and updated.counts["already_imported"] == 5
    assert any("bouwsom" in c for c in updated.rows[1].changes)
    case = CaseService(importer).get(reference)
    assert str(case.bouwsom) == "900000.00"
    assert case.outcome == "mandatory"  # re-assessed: above the threshold now
    texts = [t.text for t in case.timeline]
    assert any(t.startswith("Bijgewerkt uit het register") and "€ 900.000,00" in t for t in texts)
    assert any("Archief, doos 12" in t for t in texts)
    with importer.db.session() as session:
        entry = session.execute(
            select(AuditEntry).where(
                AuditEntry.case_reference == reference, AuditEntry.action == "wijzigen"
            )
        ).scalar_one()
        detail = json.loads(entry.detail)
        assert detail["bron"] == "register-import"
        assert {"veld": "bouwsom", "oud": "400000.00", "nieuw": "900000.00"} in detail[
            "wijzigingen"
        ]
    assert verify_log(importer).ok
    # Once taken over, the same sheet again changes nothing.
    again = service(importer).import_file(path, ImportOptions(update=True))
    assert again.counts["updated"] == 0 and again.counts["already_imported"] == 6


def test_update_keeps_an_officers_own_edit_of_an_unchanged_cell(
    importer: AppContext, tmp_path: Path
) -> None:
    rows = list(good_rows(2, seed=12, today=TODAY))
    path = write(tmp_path, rows)
    reference = service(importer).import_file(path, ImportOptions()).rows[0].reference
    assert reference is not None
    cases = CaseService(importer)
    case = cases.get(reference)
    fields = case.editable_fields()
    fields["city"] = "Gieten"
    cases.update_case(reference, fields, case.version)
    rows[0][COLUMN["Adres"]] = "Nieuwe Weg 1"
    write(tmp_path, rows)
    service(importer).import_file(path, ImportOptions(update=True))
    after = cases.get(reference)
    assert (after.street, after.house_number) == ("Nieuwe Weg", "1")
    assert after.city == "Gieten"  # the officer's edit; its cell did not change


def test_all_or_nothing(importer: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, messy_rows())
    refused = service(importer).import_file(path, ImportOptions(all_or_nothing=True))
    assert not refused.committed
    assert refused.counts["imported"] == 0
    assert refused.counts["not_imported"] == 40 - len(MESSY) - 1
    assert counts(importer.db)["cases"] == 0
    clean = write(tmp_path, list(good_rows(12, seed=3, today=TODAY)), "schoon.xlsx")
    done = service(importer, batch_size=5).import_file(clean, ImportOptions(all_or_nothing=True))
    assert done.committed and done.counts["imported"] == 12
    assert counts(importer.db)["cases"] == 12


def test_officers_are_mapped_in_the_mapping_file(importer: AppContext, tmp_path: Path) -> None:
    rows = list(good_rows(4, seed=3, today=TODAY))
    rows[0][COLUMN["Behandelaar"]] = "Piet Puk"
    rows[1][COLUMN["Behandelaar"]] = None  # empty: the importer, a medewerker
    path = write(tmp_path, rows)
    report = service(importer).import_file(path, ImportOptions(dry_run=True))
    assert report.counts["problems"] == 1
    mapping = parse_mapping({"officers": {"piet puk": "c.bos"}})
    report = service(importer).import_file(path, ImportOptions(), mapping=mapping)
    assert report.counts["imported"] == 4
    assert CaseService(importer).get(str(report.rows[0].reference)).officer == "c.bos"
    assert CaseService(importer).get(str(report.rows[1].reference)).officer == "importeur"
    wrong = parse_mapping({"officers": {"Piet Puk": "niemand"}})
    rows[0][COLUMN["Zaaknummer"]] = "nieuw-1"
    write(tmp_path, rows)
    report = service(importer).import_file(path, ImportOptions(dry_run=True), mapping=wrong)
    assert "gebruiker 'niemand'" in report.problems[0].message


def test_an_inactive_officer_or_one_without_the_role_is_a_problem(
    db: Database, tmp_path: Path
) -> None:
    context = add_users(db)
    make_user(db, "t.leider", "teamleider", "T. Leider")
    from bibob_desk.storage.models import User

    with db.session() as session:
        session.execute(select(User).where(User.username == "c.bos")).scalar_one().active = False
    rows = list(good_rows(2, seed=3, today=TODAY))
    rows[0][COLUMN["Behandelaar"]] = "c.bos"
    rows[1][COLUMN["Behandelaar"]] = "T. Leider"
    path = write(tmp_path, rows)
    report = service(context).import_file(path, ImportOptions(dry_run=True))
    messages = [p.message for p in report.problems]
    assert any("uitgeschakeld" in m for m in messages)
    assert any("niet de rol medewerker" in m for m in messages)


def test_only_a_team_lead_imports(db: Database, tmp_path: Path) -> None:
    add_users(db)
    path = write(tmp_path, list(good_rows(2, seed=3, today=TODAY)))
    with pytest.raises(PermissionDenied):
        service(AppContext(db, "a.dekker")).import_file(path, ImportOptions(dry_run=True))


def test_a_sheet_without_the_required_columns_is_refused(
    importer: AppContext, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append(["Zaaknummer", "Aanvrager", "Behandelaar"])
    sheet.append(["1", "De Hoek B.V.", "c.bos"])
    path = tmp_path / "zonder-datum.xlsx"
    workbook.save(path)
    with pytest.raises(ValidationError, match="toepassingsgebied en aanvraagdatum"):
        service(importer).import_file(path, ImportOptions(dry_run=True))
    mapping = ImportMapping(columns={})
    with pytest.raises(ValidationError, match="columns"):
        service(importer).import_file(path, ImportOptions(), mapping=mapping)


def test_a_csv_register_gives_the_same_cases(importer: AppContext, tmp_path: Path) -> None:
    from tests.register_factory import write_csv

    rows = list(good_rows(8, seed=21, today=TODAY))
    path = write_csv(tmp_path / "register.csv", rows, delimiter=",", encoding="cp1252")
    report = service(importer).import_file(path, ImportOptions())
    assert report.counts["imported"] == 8, [p.text for p in report.problems]
    assert report.rows[0].row == 2  # the header is row 1 in Excel


def test_the_batch_writer_writes_what_the_row_by_row_baseline_writes(tmp_path: Path) -> None:
    rows = list(good_rows(25, seed=9, today=TODAY))
    path = write(tmp_path, rows)
    results: list[list[dict[str, Any]]] = []
    for name, kwargs in (("batch", {}), ("naive", {"batch_size": 1, "cache": False})):
        db = open_database(f"sqlite:///{tmp_path / name}.sqlite")
        try:
            context = add_users(db)
            report = service(context, **kwargs).import_file(path, ImportOptions())
            assert report.counts["imported"] == 25
            cases = CaseService(context)
            views = []
            for result in report.rows:
                data = cases.get(str(result.reference)).to_json()
                for key in ("created_at", "updated_at", "version"):
                    data.pop(key)
                data["timeline"] = sorted((t["kind"], t["text"]) for t in data["timeline"])
                views.append(data)
            with db.session() as session:
                views.append(
                    {
                        "deadlines": sorted(
                            (c.reference, str(c.nearest_deadline), str(c.nearest_deadline_kind))
                            for c in session.execute(select(Case)).scalars()
                        ),
                        "parties": session.execute(
                            select(func.count()).select_from(Party)
                        ).scalar_one(),
                    }
                )
            results.append(views)
            assert verify_log(context).ok
        finally:
            db.dispose()
    assert results[0] == results[1]


def test_destroying_an_imported_case_clears_its_cells_but_keeps_its_key(
    importer: AppContext, tmp_path: Path
) -> None:
    from bibob_desk.services.retention import destroy_cases

    rows = list(good_rows(1, seed=3, today=TODAY))
    rows[0][COLUMN["Datum ontvangst"]] = "1-2-2019"
    rows[0][COLUMN["Status"]] = "Afgerond"
    rows[0][COLUMN["Conclusie"]] = "Geen gevaar"
    rows[0][COLUMN["Besluit"]] = "Verleend"
    rows[0][COLUMN["Datum besluit"]] = "1-4-2019"
    rows[0][COLUMN["Ingetrokken"]] = None
    path = write(tmp_path, rows)
    reference = service(importer).import_file(path, ImportOptions()).rows[0].reference
    destroy_cases(importer, [str(reference)])
    with importer.db.session() as session:
        record = session.execute(select(ImportedCase)).scalar_one()
        assert record.source_values == "{}"
    again = service(importer).import_file(path, ImportOptions(update=True))
    assert again.counts["already_imported"] == 1 and again.counts["imported"] == 0
    assert "vernietigd" in again.rows[0].plan.warnings[-1].message


def test_report_saved_as_xlsx_and_csv(importer: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, messy_rows())
    report = service(importer).import_file(path, ImportOptions(dry_run=True))
    report.save(tmp_path / "verslag.xlsx")
    report.save(tmp_path / "verslag.csv")
    from openpyxl import load_workbook

    sheet: Any = load_workbook(tmp_path / "verslag.xlsx").active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("Rij", "Status")
    assert any(v[1] == "probleem" and "eenduidig" in str(v[10]) for v in values[1:])
    text = (tmp_path / "verslag.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("Rij;Status;") and "wordt geïmporteerd" in text
    with pytest.raises(ValidationError, match=r"xlsx of \.csv"):
        report.save(tmp_path / "verslag.pdf")


def test_three_imports_of_one_register_at_the_same_time(db: Database, tmp_path: Path) -> None:
    """Each row lands once, whoever writes it; no reference twice; nobody fails."""
    import threading

    add_users(db)
    path = write(tmp_path, list(good_rows(120, seed=2, today=TODAY)))
    failures: list[BaseException] = []
    imported: list[int] = []

    def run() -> None:
        other = open_database(db.url)
        try:
            report = service(AppContext(other, "importeur"), batch_size=10).import_file(
                path, ImportOptions()
            )
            imported.append(report.counts["imported"])
        except BaseException as exc:  # reported below; a thread must not die silently
            failures.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sum(imported) == 120
    with db.session() as session:
        references = list(session.execute(select(Case.reference)).scalars())
    assert len(references) == len(set(references)) == 120
    assert verify_log(AppContext(db, "importeur")).ok
