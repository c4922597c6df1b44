"""``bibob-desk retention list|destroy``: closed files past the retention period (team lead)."""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.domain.values import format_date_nl, parse_date
from bibob_desk.services.retention import destroy_cases, due_for_destruction


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    retention = subparsers.add_parser("retention", help="bewaartermijn en vernietiging")
    commands = retention.add_subparsers(dest="retention_command", metavar="OPDRACHT", required=True)

    listing = commands.add_parser("list", help="zaken waarvan de bewaartermijn is verstreken")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.add_argument(
        "--today",
        default=None,
        metavar="DATUM",
        help="wat-als: welke zaken zouden op deze datum in aanmerking komen (JJJJ-MM-DD)",
    )
    listing.set_defaults(handler=list_due)

    destruction = commands.add_parser("destroy", help="vernietig zaken (teamleider)")
    destruction.add_argument("references", nargs="+", metavar="ZAAKNUMMER")
    # No --today here: destruction always uses the real date (see services/retention.py).
    destruction.set_defaults(handler=destroy)


def list_due(args: argparse.Namespace) -> int:
    today = parse_date(args.today, "today") if args.today else None
    due = due_for_destruction(open_context(args), today)
    if args.json:
        print_json([c.to_json() for c in due])
        return EXIT_OK
    for c in due:
        print(f"{c.reference}  gesloten {format_date_nl(c.closed_on):<20} {c.title}")
    if today is not None:
        print(f"Wat-als op {format_date_nl(today)}; vernietigen kan alleen op de echte datum.")
    print(f"{len(due)} zaken komen in aanmerking voor vernietiging.")
    return EXIT_OK


def destroy(args: argparse.Namespace) -> int:
    report = destroy_cases(open_context(args), args.references)
    print(
        f"{len(report.references)} zaken vernietigd ({report.parties_removed} betrokkenen, "
        f"{report.documents_removed} documenten verwijderd); anonieme telling bewaard."
    )
    return EXIT_OK
