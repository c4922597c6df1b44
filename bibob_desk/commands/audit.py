"""``bibob-desk audit verify|list|anchor``: check, read and anchor the tamper-evident audit log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, open_context, print_json
from bibob_desk.services.audit import list_entries
from bibob_desk.services.audit_anchor import to_json, verify_with_anchors, write_anchor


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="het auditlogboek controleren en tonen")
    commands = audit.add_subparsers(dest="audit_command", metavar="OPDRACHT", required=True)

    verify = commands.add_parser("verify", help="controleer of het logboek ongeschonden is")
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        type=Path,
        metavar="BESTAND",
        help="controleer ook tegen dit anker (ankerbestand, *.metadata.json of JSON-back-up); "
        "herhaalbaar. De ankers in de ankermap (audit.anchor_folder) tellen altijd mee",
    )
    verify.add_argument(
        "--no-folder",
        action="store_true",
        help="de ankers in de ankermap overslaan (alleen de opgegeven ankers)",
    )
    verify.add_argument("--json", action="store_true", help="uitvoer als JSON")
    verify.set_defaults(handler=verify_audit)

    anchor = commands.add_parser(
        "anchor", help="leg de kop van het logboek vast in een bestand buiten de database"
    )
    anchor.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="BESTAND",
        help="ankerbestand (standaard: een nieuw bestand in de ankermap)",
    )
    anchor.add_argument("--json", action="store_true", help="uitvoer als JSON")
    anchor.set_defaults(handler=anchor_audit)

    listing = commands.add_parser("list", help="toegangsgeschiedenis (teamleider, beheerder)")
    listing.add_argument("--case", metavar="ZAAKNUMMER", default=None, help="alleen deze zaak")
    listing.add_argument("--limit", type=int, default=None, metavar="N", help="de laatste N")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_audit)


def verify_audit(args: argparse.Namespace) -> int:
    checked = verify_with_anchors(open_context(args), args.anchor, not args.no_folder)
    result = checked.result
    if args.json:
        print_json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "broken_entry": result.problem.entry_id if result.problem else None,
                "message": result.problem.message if result.problem else None,
                "anchors": len(checked.anchors),
                "anchor": result.problem.anchor.source
                if result.problem and result.problem.anchor
                else None,
                "anchor_folder": str(checked.folder) if checked.folder else None,
                "skipped_other_database": list(checked.other_database),
                "skipped_unreadable": list(checked.unreadable),
            }
        )
    elif result.ok:
        print(f"Auditlogboek in orde: {result.entries} regels gecontroleerd.")
        if checked.anchors:
            newest = max(checked.anchors, key=lambda a: a.entry_count)
            print(
                f"Gecontroleerd tegen {len(checked.anchors)} anker(s); het nieuwste legt "
                f"{newest.entry_count} regels vast ({newest.made_at:%Y-%m-%d %H:%M} UTC). Wat "
                "tot dat anker is vastgelegd, is ongewijzigd."
            )
            if result.entries > newest.entry_count:
                print(
                    f"De {result.entries - newest.entry_count} regels na het nieuwste anker zijn "
                    "alleen via de keten gecontroleerd: wie de database kan wijzigen en weet hoe "
                    "de keten werkt, kan die regels herschrijven tot het volgende anker."
                )
        else:
            print(
                "Geen ankers gevonden: de keten en de kop kloppen en elke zaak heeft haar "
                "registratieregel, maar een logboek dat opnieuw is berekend of ingekort (met "
                "aangepaste kop) valt zonder anker niet aan te tonen. Maak ankers met "
                "'bibob-desk audit anchor' of controleer met --anchor."
            )
        if checked.folder is not None:
            print(f"Ankermap: {checked.folder}")
        if checked.other_database:
            print(
                f"Let op: {len(checked.other_database)} anker(s) in de ankermap horen bij een "
                f"andere database en zijn overgeslagen: {', '.join(checked.other_database[:5])}."
            )
        if checked.unreadable:
            print(
                f"Let op: {len(checked.unreadable)} bestand(en) in de ankermap zijn geen "
                f"geldig anker: {', '.join(checked.unreadable[:5])}."
            )
    if result.problem is not None:
        sys.stderr.write(f"bibob-desk: auditlogboek geschonden. {result.problem.message}\n")
        return EXIT_FAILURE
    return EXIT_OK


def anchor_audit(args: argparse.Namespace) -> int:
    anchor, path = write_anchor(open_context(args), args.out)
    if args.json:
        print_json({"file": str(path), **to_json(anchor)})
    else:
        print(
            f"Anker geschreven naar {path}: {anchor.entry_count} regels, laatste regel "
            f"{anchor.last_id}. Bewaar het buiten het bereik van de databasegebruikers."
        )
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
