"""``bibob-desk relations``: relations between parties, the network of a case, "Bekend uit".

- ``relations add --case REF --from PARTIJ --to PARTIJ --relation SOORT --source BRON ...``
- ``relations list --case REF``
- ``relations edit ID --case REF [--relation SOORT] [--source BRON] ...``: only what is given
  changes (an empty value clears a date, the share band or the note)
- ``relations remove ID --case REF``
- ``relations known-from --case REF``: "Bekend uit" per party (logged)
- ``relations --case REF [--depth 1|2] [--json]``: the network as ``{"nodes", "edges"}``; a case
  the user may not see only as ``{"kind": "case", "visible": false}``.
"""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, UsageError, open_context, print_json
from bibob_desk.domain.errors import NotFoundError
from bibob_desk.domain.relations import RelationKind, RelationSource, ShareBand
from bibob_desk.services.relations import (
    HIDDEN_MATCH_TEXT,
    RelationInput,
    RelationService,
    RelationView,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    relations = subparsers.add_parser(
        "relations", help="relaties tussen betrokkenen en het netwerk van een zaak"
    )
    relations.add_argument("--case", dest="graph_case", metavar="ZAAKNUMMER", default=None)
    relations.add_argument(
        "--depth", type=int, choices=(1, 2), default=1, help="relatiestappen (1 of 2)"
    )
    relations.add_argument("--json", dest="graph_json", action="store_true", help="als JSON")
    relations.set_defaults(handler=show_network)
    commands = relations.add_subparsers(dest="relations_command", metavar="OPDRACHT")

    add = commands.add_parser("add", help="een relatie vastleggen")
    add.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    add.add_argument(
        "--from", dest="from_party", required=True, metavar="BETROKKENE", help="nummer of naam"
    )
    add.add_argument(
        "--to", dest="to_party", required=True, metavar="BETROKKENE", help="de onderneming"
    )
    add.add_argument(
        "--relation",
        required=True,
        metavar="SOORT",
        help=", ".join(k.value for k in RelationKind),
    )
    add.add_argument(
        "--source", required=True, metavar="BRON", help=", ".join(s.value for s in RelationSource)
    )
    add.add_argument(
        "--share",
        default="",
        metavar="BELANG",
        help="bij aandeelhouder: " + ", ".join(b.value for b in ShareBand),
    )
    add.add_argument("--from-date", default="", metavar="JJJJ-MM-DD", help="begin van de relatie")
    add.add_argument("--to-date", default="", metavar="JJJJ-MM-DD", help="einde van de relatie")
    add.add_argument("--note", default="", help="toelichting")
    add.add_argument("--json", action="store_true", help="uitvoer als JSON")
    add.set_defaults(handler=add_relation)

    edit = commands.add_parser("edit", help="een relatie wijzigen")
    edit.add_argument("relation_id", type=int, metavar="NUMMER", help="nummer uit 'relations list'")
    edit.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    edit.add_argument("--from", dest="from_party", metavar="BETROKKENE", help="nummer of naam")
    edit.add_argument("--to", dest="to_party", metavar="BETROKKENE", help="de onderneming")
    edit.add_argument("--relation", metavar="SOORT", help=", ".join(k.value for k in RelationKind))
    edit.add_argument("--source", metavar="BRON", help=", ".join(s.value for s in RelationSource))
    edit.add_argument(
        "--share",
        metavar="BELANG",
        help="bij aandeelhouder: " + ", ".join(b.value for b in ShareBand),
    )
    edit.add_argument("--from-date", metavar="JJJJ-MM-DD", help="begin ('' wist de datum)")
    edit.add_argument("--to-date", metavar="JJJJ-MM-DD", help="einde ('' wist de datum)")
    edit.add_argument("--note", help="toelichting ('' wist de toelichting)")
    edit.add_argument("--json", action="store_true", help="uitvoer als JSON")
    edit.set_defaults(handler=edit_relation)

    remove = commands.add_parser("remove", help="een relatie verwijderen")
    remove.add_argument(
        "relation_id", type=int, metavar="NUMMER", help="nummer uit 'relations list'"
    )
    remove.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    remove.set_defaults(handler=remove_relation)

    listing = commands.add_parser("list", help="de relaties van een zaak")
    listing.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_relations)

    known = commands.add_parser("known-from", help="Bekend uit: andere zaken en tips")
    known.add_argument("--case", required=True, metavar="ZAAKNUMMER")
    known.add_argument("--json", action="store_true", help="uitvoer als JSON")
    known.set_defaults(handler=known_from)


def _print(view: RelationView) -> None:
    source = f" [bron: {view.source_label}]"
    note = f" — {view.note}" if view.note else ""
    print(f"{view.id:>5}  {view.describe()}{source}{note}")


def add_relation(args: argparse.Namespace) -> int:
    data = RelationInput(
        from_party=args.from_party,
        to_party=args.to_party,
        relation=args.relation,
        source=args.source,
        share_band=args.share,
        start_date=args.from_date,
        end_date=args.to_date,
        note=args.note,
    )
    view = RelationService(open_context(args)).add(args.case, data)
    if args.json:
        print_json(view.to_json())
    else:
        print("Relatie vastgelegd:")
        _print(view)
    return EXIT_OK


def edit_relation(args: argparse.Namespace) -> int:
    service = RelationService(open_context(args))
    current = next(
        (v for v in service.list(args.case, log=False) if v.id == args.relation_id), None
    )
    if current is None:
        raise NotFoundError(f"Relatie {args.relation_id} hoort niet bij zaak {args.case}.")

    def given(value: str | None, now: str) -> str:
        return now if value is None else value

    data = RelationInput(
        from_party=given(args.from_party, str(current.from_party_id)),
        to_party=given(args.to_party, str(current.to_party_id)),
        relation=given(args.relation, current.relation),
        source=given(args.source, current.source),
        share_band=given(args.share, current.share_band or ""),
        start_date=given(
            args.from_date, current.start_date.isoformat() if current.start_date else ""
        ),
        end_date=given(args.to_date, current.end_date.isoformat() if current.end_date else ""),
        note=given(args.note, current.note),
    )
    view = service.update(args.case, args.relation_id, data)
    if args.json:
        print_json(view.to_json())
    else:
        print("Relatie gewijzigd:")
        _print(view)
    return EXIT_OK


def remove_relation(args: argparse.Namespace) -> int:
    RelationService(open_context(args)).remove(args.case, args.relation_id)
    print(f"Relatie {args.relation_id} verwijderd uit zaak {args.case}.")
    return EXIT_OK


def list_relations(args: argparse.Namespace) -> int:
    views = RelationService(open_context(args)).list(args.case)
    if args.json:
        print_json([v.to_json() for v in views])
    else:
        for view in views:
            _print(view)
        print(f"{len(views)} relaties")
    return EXIT_OK


def known_from(args: argparse.Namespace) -> int:
    parties = RelationService(open_context(args)).known_from(args.case)
    if args.json:
        print_json([p.to_json() for p in parties])
        return EXIT_OK
    for party in parties:
        print(f"{party.name} ({party.role}):")
        if not party.items and not party.hidden:
            print("  niet bekend uit andere zaken of tips (laatste 5 jaar)")
        for item in party.items:
            when = f"{item.on:%d-%m-%Y}" if item.on else "-"
            extra = ", ".join(x for x in (item.conclusion, item.decision) if x)
            extra = f" [{extra}]" if extra else ""
            print(f"  {item.kind:<16} {item.reference:<12} {when}  {item.label}{extra}")
            print(f"  {'':<16} {item.how}")
        if party.hidden:
            print(f"  {HIDDEN_MATCH_TEXT}")
    return EXIT_OK


def show_network(args: argparse.Namespace) -> int:
    if not args.graph_case:
        raise UsageError("Geef een zaak op: bibob-desk relations --case ZAAKNUMMER.")
    network = RelationService(open_context(args)).network(args.graph_case, args.depth)
    data = network.to_json()
    if args.graph_json:
        print_json(data)
        return EXIT_OK
    labels = {}
    for node in network.nodes.values():
        if node["kind"] == "party":
            labels[node["id"]] = node["name"]
        elif node["kind"] == "tip":
            labels[node["id"]] = f"tip {node['id'].split(':')[1]}"
        elif node["visible"]:
            labels[node["id"]] = f"zaak {node['reference']}"
    for edge in data["edges"]:
        print(f"{labels.get(edge['from'], '?')} —{edge['relation']}→ {labels.get(edge['to'], '?')}")
    hidden = sum(1 for n in data["nodes"] if n["kind"] == "case" and not n["visible"])
    print(f"{len(data['nodes'])} knopen, {len(data['edges'])} verbindingen")
    if hidden:
        print(HIDDEN_MATCH_TEXT)
    return EXIT_OK
