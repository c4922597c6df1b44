"""``bibob-desk audit verify|list``: check and read the tamper-evident audit log."""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, open_context, print_json
from bibob_desk.services.audit import list_entries, verify_log


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="het auditlogboek controleren en tonen")
    commands = audit.add_subparsers(dest="audit_command", metavar="OPDRACHT", required=True)

    verify = commands.add_parser("verify", help="controleer of het logboek ongeschonden is")
    verify.add_argument("--json", action="store_true", help="uitvoer als JSON")
    verify.set_defaults(handler=verify_audit)

    listing = commands.add_parser("list", help="toegangsgeschiedenis (teamleider, beheerder)")
    listing.add_argument("--case", metavar="ZAAKNUMMER", default=None, help="alleen deze zaak")
    listing.add_argument("--limit", type=int, default=None, metavar="N", help="de laatste N")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_audit)


def verify_audit(args: argparse.Namespace) -> int:
    result = verify_log(open_context(args))
    if args.json:
        print_json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "broken_entry": result.problem.entry_id if result.problem else None,
                "message": result.problem.message if result.problem else None,
            }
        )
    elif result.ok:
        print(f"Auditlogboek in orde: {result.entries} regels gecontroleerd.")
    if result.problem is not None:
        import sys

        sys.stderr.write(f"bibob-desk: auditlogboek geschonden. {result.problem.message}\n")
        return EXIT_FAILURE
    return EXIT_OK


def list_audit(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        from bibob_desk.cli import fail

        fail("--limit moet 1 of groter zijn.")
    entries = list_entries(open_context(args), args.case, args.limit)
    if args.json:
        print_json([e.to_json() for e in entries])
        return EXIT_OK
    from bibob_desk.services.audit_text import action_text, detail_text

    for e in entries:
        case = e.case_reference or ""
        print(
            f"{e.at:%d-%m-%Y %H:%M:%S}  {e.user:<15} {action_text(e.action):<22} {case:<14} "
            f"{detail_text(e.detail)}"
        )
    return EXIT_OK
