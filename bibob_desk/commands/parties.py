"""``bibob-desk parties list|add|edit --case REF``: the parties (betrokkenen) of a case.

The same services as the Betrokkenen tab: validation, need-to-know and audit live there.
"""

from __future__ import annotations

import argparse
from typing import Any

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.domain.errors import NotFoundError
from bibob_desk.domain.parties import PartyKind, PartyRole
from bibob_desk.services.cases import CaseService, CaseView, PartyInput, PartyView
from bibob_desk.services.parties import PartyService, party_input_from_view, with_changes

FIELDS = (
    ("--name", "name", "NAAM", "naam van de persoon of onderneming"),
    ("--kind", "kind", "SOORT", "natuurlijk_persoon of rechtspersoon"),
    ("--role", "role", "ROL", "rol: " + ", ".join(r.value for r in PartyRole)),
    ("--kvk", "kvk_number", "NUMMER", "KvK-nummer (8 cijfers)"),
    ("--birth-date", "birth_date", "JJJJ-MM-DD", "geboortedatum"),
    ("--street", "street", "STRAAT", "straat"),
    ("--house-number", "house_number", "NR", "huisnummer"),
    ("--postcode", "postcode", "POSTCODE", "postcode"),
    ("--city", "city", "PLAATS", "plaats"),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parties = subparsers.add_parser("parties", help="betrokkenen van een zaak")
    commands = parties.add_subparsers(dest="parties_command", metavar="OPDRACHT", required=True)

    listing = commands.add_parser("list", help="de betrokkenen met hun nummer")
    listing.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_parties)

    add = commands.add_parser("add", help="een betrokkene toevoegen")
    add.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    for option, dest, metavar, text in FIELDS:
        add.add_argument(option, dest=dest, default=None, metavar=metavar, help=text)
    add.add_argument("--json", action="store_true", help="uitvoer als JSON")
    add.set_defaults(handler=add_party)

    edit = commands.add_parser("edit", help="een betrokkene wijzigen")
    edit.add_argument("party", type=int, metavar="NUMMER", help="nummer uit 'parties list'")
    edit.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    for option, dest, metavar, text in FIELDS:
        edit.add_argument(option, dest=dest, default=None, metavar=metavar, help=text)
    edit.add_argument("--json", action="store_true", help="uitvoer als JSON")
    edit.set_defaults(handler=edit_party)


def _changes(args: argparse.Namespace) -> dict[str, str | None]:
    return {dest: getattr(args, dest) for _, dest, _, _ in FIELDS}


def party_json(party: PartyView) -> dict[str, Any]:
    return {
        "id": party.party_id,
        "link_id": party.link_id,
        "name": party.name,
        "kind": party.kind,
        "role": party.role,
        "kvk_number": party.kvk_number,
        "birth_date": party.birth_date.isoformat() if party.birth_date else None,
        "street": party.street,
        "house_number": party.house_number,
        "postcode": party.postcode,
        "city": party.city,
    }


def _print_parties(case: CaseView, as_json: bool) -> None:
    if as_json:
        print_json({"case": case.reference, "parties": [party_json(p) for p in case.parties]})
        return
    for party in case.parties:
        extra = f" KvK {party.kvk_number}" if party.kvk_number else ""
        if party.birth_date:
            extra += f" geb. {party.birth_date:%d-%m-%Y}"
        print(f"{party.party_id:>6}  {party.role_label + ':':<21}{party.name}{extra}")
    print(f"{len(case.parties)} betrokkenen in zaak {case.reference}")


def list_parties(args: argparse.Namespace) -> int:
    case = CaseService(open_context(args)).get(args.case)
    _print_parties(case, args.json)
    return EXIT_OK


def add_party(args: argparse.Namespace) -> int:
    changes = _changes(args)
    base = PartyInput(
        name="",
        role=PartyRole.AANVRAGER.value,
        kind=PartyKind.LEGAL_ENTITY.value,
    )
    data = with_changes(base, changes)
    from bibob_desk.services.cases import validate_party_input

    validate_party_input(data)  # bad input never opens the database
    case = CaseService(open_context(args)).add_party(args.case, data)
    _print_parties(case, args.json)
    return EXIT_OK


def edit_party(args: argparse.Namespace) -> int:
    context = open_context(args)
    case = CaseService(context).get(args.case)
    current = next((p for p in case.parties if p.party_id == args.party), None)
    if current is None:
        raise NotFoundError(f"Betrokkene {args.party} hoort niet bij zaak {case.reference}.")
    data = with_changes(party_input_from_view(current), _changes(args))
    case = PartyService(context).update_party(case.reference, args.party, data)
    _print_parties(case, args.json)
    return EXIT_OK
