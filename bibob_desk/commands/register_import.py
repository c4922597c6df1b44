"""``bibob-desk import FILE.xlsx|FILE.csv``: bring in the existing Excel register.

Exit codes: 0 when every row of the sheet is in the database afterwards (imported now, earlier,
or updated; for ``--dry-run``: would be); 1 when rows with problems were left out (with
``--all-or-nothing``: nothing was imported), or the user may not import; 2 for a file that
cannot be read (password, not a spreadsheet, empty sheet, unknown sheet), a wrong mapping file
or wrong options, with one Dutch line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, fail, open_context, print_json
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.register_import import ImportMapping, parse_mapping

SHOWN_WARNINGS = 20


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "import",
        help="het bestaande Excel-register inlezen (xlsx of csv)",
        description="Lees een Bibob-register uit Excel (.xlsx) of CSV in als zaken.",
    )
    command.add_argument("file", metavar="BESTAND", help="het register: .xlsx of .csv")
    command.add_argument("--sheet", metavar="BLAD", help="het blad (standaard: het actieve blad)")
    command.add_argument(
        "--mapping", metavar="KOPPELING.json", help="koppelbestand: kolommen, waarden, behandelaars"
    )
    command.add_argument(
        "--dry-run", action="store_true", help="alleen controleren en verslag geven; niets opslaan"
    )
    command.add_argument(
        "--update",
        action="store_true",
        help="gewijzigde cellen van eerder geïmporteerde rijen overnemen (met audit)",
    )
    command.add_argument(
        "--all-or-nothing",
        action="store_true",
        help="niets importeren als één rij een probleem heeft",
    )
    command.add_argument("--json", action="store_true", help="het verslag als JSON")
    command.add_argument(
        "--report", metavar="VERSLAG", help="het verslag per rij opslaan als .xlsx of .csv"
    )
    command.add_argument(
        "--write-mapping",
        metavar="KOPPELING.json",
        help="de gevonden koppeling opslaan als koppelbestand (om aan te passen)",
    )
    command.set_defaults(handler=run_import)


def read_mapping(raw: str) -> ImportMapping:
    path = Path(raw).expanduser()
    if not path.exists():
        fail(f"Het koppelbestand {path} bestaat niet.")
    from bibob_desk.domain.input_files import read_limited_text

    try:
        text = read_limited_text(path, "het koppelbestand", "mapping", encoding="utf-8-sig")
    except ValidationError as exc:
        fail(str(exc))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"Het koppelbestand {path} is geen geldige JSON (regel {exc.lineno}): {exc.msg}.")
    try:
        return parse_mapping(data)
    except ValidationError as exc:
        fail(str(exc))


def _output_path(raw: str, suffixes: tuple[str, ...], what: str) -> Path:
    path = Path(raw).expanduser()
    if path.suffix.lower() not in suffixes:
        fail(f"{what} moet eindigen op {' of '.join(suffixes)}, niet '{path.name}'.")
    if path.is_dir():
        fail(f"{path} is een map; geef een bestandsnaam.")
    if not path.parent.is_dir():
        fail(f"De map {path.parent} bestaat niet.")
    return path


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        sys.stderr.write(f"\rImporteren: {done} van {total} rijen")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_import(args: argparse.Namespace) -> int:
    from bibob_desk.domain.register_import import mapping_from_layout
    from bibob_desk.services.register_import import ImportOptions, RegisterImportService

    # Everything the user typed is checked before the database is opened.
    path = Path(args.file).expanduser()
    mapping = read_mapping(args.mapping) if args.mapping else None
    report_path = _output_path(args.report, (".xlsx", ".csv"), "--report") if args.report else None
    mapping_out = (
        _output_path(args.write_mapping, (".json",), "--write-mapping")
        if args.write_mapping
        else None
    )
    options = ImportOptions(
        dry_run=args.dry_run, update=args.update, all_or_nothing=args.all_or_nothing
    )
    context = open_context(args)
    try:
        service = RegisterImportService(context)
        data, layout = service.load(path, args.sheet, mapping)
        report = service.run(data, layout, mapping, options, _progress)
    finally:
        context.db.dispose()
    if report_path is not None:
        try:
            report.save(report_path)
        except OSError as exc:
            fail(f"Kan {report_path} niet schrijven: {exc.strerror or exc}.", EXIT_FAILURE)
    if mapping_out is not None:
        document = mapping_from_layout(layout, mapping, data.sheet or None).to_json()
        try:
            mapping_out.write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            fail(f"Kan {mapping_out} niet schrijven: {exc.strerror or exc}.", EXIT_FAILURE)
    if args.json:
        print_json(report.to_json())
    else:
        _print_text(report)
    return EXIT_OK if report.complete else EXIT_FAILURE


def _print_text(report: object) -> None:
    from bibob_desk.services.register_import import ImportReport

    assert isinstance(report, ImportReport)
    layout = report.layout
    print(f"Kopregel in rij {layout.header_row}; kolommen:")
    for column in layout.columns:
        from bibob_desk.domain.register_import import FIELD_LABELS

        print(f"  {column.letter}: {column.name} → {FIELD_LABELS[column.field]}")
    for notice in layout.notices:
        print(f"Let op: {notice}")
    for problem in report.problems:
        print(problem.text)
    warnings = report.warnings
    for warning in warnings[:SHOWN_WARNINGS]:
        print(f"Waarschuwing: {warning.text}")
    if len(warnings) > SHOWN_WARNINGS:
        print(
            f"… en nog {len(warnings) - SHOWN_WARNINGS} waarschuwingen "
            "(alle in --report VERSLAG.xlsx of --json)."
        )
    prefix = "Proefimport (niets opgeslagen): " if report.options.dry_run else ""
    if report.options.all_or_nothing and not report.options.dry_run and not report.committed:
        prefix = "Niets geïmporteerd (--all-or-nothing): "
    print(prefix + report.summary())
