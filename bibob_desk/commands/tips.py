"""``bibob-desk tips add|list|pending|link``: the article 26 tip register on the command line.

Only a medewerker Bibob or teamleider may use it (the services layer checks); every listing is
audited as a read of tip contents. A medewerker sees the tips of their own cases; ``pending``
and ``link`` are for team leads (matches on cases the registering officer may not see).
"""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.domain.tips import CounterpartKind, TipDirection
from bibob_desk.domain.values import CaseReference
from bibob_desk.services.tips import TipInput, TipService, TipView, describe_tip_short


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tips = subparsers.add_parser("tips", help="tipregister (artikel 26 Wet Bibob)")
    commands = tips.add_subparsers(dest="tips_command", metavar="OPDRACHT", required=True)

    add = commands.add_parser("add", help="een tip vastleggen")
    add.add_argument("--direction", required=True, metavar="RICHTING", help="inkomend of uitgaand")
    add.add_argument("--date", required=True, metavar="JJJJ-MM-DD", help="datum van de tip")
    add.add_argument(
        "--counterpart", required=True, metavar="NAAM", help="van of aan welke organisatie"
    )
    add.add_argument(
        "--counterpart-kind",
        default="",
        metavar="SOORT",
        help="soort organisatie: "
        + ", ".join(k.value for k in CounterpartKind)
        + " (standaard afgeleid van de naam)",
    )
    add.add_argument("--subject", required=True, metavar="NAAM", help="persoon of onderneming")
    add.add_argument("--kvk", default="", metavar="NUMMER", help="KvK-nummer van het onderwerp")
    add.add_argument("--birth-date", default="", metavar="JJJJ-MM-DD", help="geboortedatum")
    add.add_argument("--summary", default="", help="samenvatting van de tip")
    add.add_argument("--confidentiality-note", default="", help="opmerking over geheimhouding")
    add.add_argument("--case", default="", metavar="ZAAKNUMMER", help="gekoppelde zaak")
    add.add_argument("--follow-up", default="", help="wat er met de tip is gedaan")
    add.add_argument("--json", action="store_true", help="uitvoer als JSON")
    add.set_defaults(handler=add_tip)

    listing = commands.add_parser("list", help="alle tips (nieuwste eerst)")
    listing.add_argument(
        "--direction",
        default=None,
        choices=[d.value for d in TipDirection],
        help="alleen inkomende of uitgaande tips",
    )
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_tips)

    pending = commands.add_parser("pending", help="tips die aan een zaak te koppelen zijn")
    pending.add_argument("--json", action="store_true", help="uitvoer als JSON")
    pending.set_defaults(handler=list_pending)

    link = commands.add_parser("link", help="een tip aan een zaak koppelen (teamleider)")
    link.add_argument("tip", type=int, metavar="TIPNUMMER")
    link.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    link.add_argument("--json", action="store_true", help="uitvoer als JSON")
    link.set_defaults(handler=link_tip)


def _authenticated_service(args: argparse.Namespace) -> TipService:
    return TipService(open_context(args))  # open_context checks who the user is


def add_tip(args: argparse.Namespace) -> int:
    data = TipInput(
        direction=args.direction,
        received_on=args.date,
        counterpart=args.counterpart,
        counterpart_kind=args.counterpart_kind,
        subject_name=args.subject,
        subject_kvk=args.kvk,
        subject_birth_date=args.birth_date,
        summary=args.summary,
        confidentiality_note=args.confidentiality_note,
        case_reference=args.case,
        follow_up=args.follow_up,
    )
    # Validate before opening the database: bad input never touches it.
    from bibob_desk.services.tips import validate_tip

    validate_tip(data)
    tip = _authenticated_service(args).add(data)
    if args.json:
        print_json(tip.to_json())
    else:
        # The same answer whether or not the tip matched a case (see services/tips.py).
        print(f"Tip {tip.id} vastgelegd: {describe_tip_short(tip)}")
        if tip.case_reference:
            print(f"  Gekoppeld aan zaak {tip.case_reference}")
    return EXIT_OK


def list_pending(args: argparse.Namespace) -> int:
    pending = _authenticated_service(args).pending_links()
    if args.json:
        print_json([p.to_json() for p in pending])
    else:
        for item in pending:
            print(
                f"tip {item.tip_id:>5}  {item.tip_subject}  ->  {item.case_reference} "
                f"({item.party_name}; behandelaar {item.case_officer or '-'})"
            )
        print(f"{len(pending)} te koppelen")
    return EXIT_OK


def link_tip(args: argparse.Namespace) -> int:
    tip = _authenticated_service(args).link(args.tip, args.case)
    if args.json:
        print_json(tip.to_json())
    else:
        print(f"Tip {tip.id} is gekoppeld aan zaak {CaseReference.parse(args.case)}.")
    return EXIT_OK


def _print(tip: TipView) -> None:
    case = f"  [{tip.case_reference}]" if tip.case_reference else ""
    print(f"{tip.id:>5}  {describe_tip_short(tip)}{case}")


def list_tips(args: argparse.Namespace) -> int:
    tips = _authenticated_service(args).list(args.direction)
    if args.json:
        print_json([t.to_json() for t in tips])
    else:
        for tip in tips:
            _print(tip)
        print(f"{len(tips)} tips")
    return EXIT_OK
