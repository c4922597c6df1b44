"""``bibob-desk report --year YYYY [--out FILE.pdf|.csv|.xlsx] [--json]``: the annual figures."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bibob_desk.cli import EXIT_OK, fail, open_context, print_json
from bibob_desk.documents.annual_report import REPORT_FORMATS, write_report
from bibob_desk.domain.annual_figures import format_value, parse_report_year
from bibob_desk.domain.errors import ValidationError
from bibob_desk.services.report import ReportService
from bibob_desk.storage.files import OutputFileError, check_target


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = subparsers.add_parser(
        "report", help="jaarcijfers Bibob als PDF, CSV of Excel (of JSON op het scherm)"
    )
    report.add_argument("--year", required=True, metavar="JJJJ", help="het jaar, bijv. 2026")
    report.add_argument(
        "--out",
        metavar="BESTAND",
        help="uitvoerbestand: .pdf, .csv of .xlsx (de extensie bepaalt)",
    )
    report.add_argument("--json", action="store_true", help="de cijfers als JSON afdrukken")
    report.add_argument("--overwrite", action="store_true", help="een bestaand bestand vervangen")
    report.set_defaults(handler=run_report)


def _check_out(raw: str, overwrite: bool) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() not in REPORT_FORMATS:
        fail(f"--out moet eindigen op .pdf, .csv of .xlsx, niet '{path.name}'.")
    if path.is_dir():
        fail(f"--out {path} is een map; geef een bestandsnaam.")
    if not path.parent.is_dir():
        fail(f"De map {path.parent} bestaat niet.")
    try:
        check_target(path, overwrite=overwrite)
    except OutputFileError as exc:
        fail(str(exc))
    return path


def run_report(args: argparse.Namespace) -> int:
    # Everything the user typed is checked before the database is opened.
    try:
        year = parse_report_year(args.year, date.today().year)
    except ValidationError as exc:
        fail(str(exc))
    if not args.out and not args.json:
        fail("Geef --out BESTAND.pdf|BESTAND.csv|BESTAND.xlsx of --json.")
    out = _check_out(args.out, args.overwrite) if args.out else None
    context = open_context(args)
    try:
        figures = ReportService(context).annual_figures(year)
        if out is not None:
            from bibob_desk.services.settings import SettingsService

            organisation = str(SettingsService(context).get("organisation.name") or "")
            try:
                write_report(figures, out, organisation, overwrite=args.overwrite)
            except OutputFileError as exc:
                fail(str(exc), 1)
    finally:
        context.db.dispose()
    if args.json:
        print_json(figures.to_json())
    elif out is not None:
        print(
            f"Jaarcijfers {year} geschreven naar {out} ({figures.cases_total} zaken, "
            f"doorlooptijd tot besluit (mediaan) "
            f"{format_value(figures.median_lead_times['application_to_decision']) or '–'} dagen)."
        )
    return EXIT_OK
