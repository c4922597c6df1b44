"""``bibob-desk settings list|get|set`` (reading: every user; changing: beheerder).

VALUE is typed per setting (see domain/settings_schema.py and the README): text as typed, whole
numbers as digits, ``ja``/``nee``, lists and tables as JSON, a logo as the path of a PNG or SVG
file, and ``""`` to empty a setting. ``settings get`` prints the value in that same form, so
``settings set KEY "$(settings get KEY)"`` changes nothing (a logo prints a description).
"""

from __future__ import annotations

import argparse
from typing import Any

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.domain.settings_schema import json_value
from bibob_desk.services.settings import SettingsService


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    settings = subparsers.add_parser(
        "settings", help="instellingen van de organisatie bekijken en wijzigen"
    )
    commands = settings.add_subparsers(dest="settings_command", metavar="OPDRACHT", required=True)

    listing = commands.add_parser("list", help="alle instellingen met hun waarde")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_settings)

    get = commands.add_parser("get", help="de waarde van één instelling")
    get.add_argument("key", metavar="SLEUTEL", help="bijv. organisation.name")
    get.add_argument("--json", action="store_true", help="uitvoer als JSON")
    get.set_defaults(handler=get_setting)

    change = commands.add_parser("set", help="een instelling wijzigen (beheerder)")
    change.add_argument("key", metavar="SLEUTEL", help="bijv. organisation.rsin")
    change.add_argument(
        "value",
        metavar="WAARDE",
        help='tekst; getal; ja/nee; JSON voor lijsten en tabellen; een bestand voor het logo; "" '
        "maakt leeg",
    )
    change.add_argument("--json", action="store_true", help="uitvoer als JSON")
    change.set_defaults(handler=set_setting)


def list_settings(args: argparse.Namespace) -> int:
    entries = SettingsService(open_context(args)).entries()
    if args.json:
        print_json([entry.to_json() for entry in entries])
        return EXIT_OK
    width = max(len(entry.key) for entry in entries)
    for entry in entries:
        mark = "" if entry.is_default else "  *"
        print(f"{entry.key:<{width}}  {entry.text}{mark}")
    print("* = gewijzigd ten opzichte van de standaardwaarde")
    return EXIT_OK


def get_setting(args: argparse.Namespace) -> int:
    service = SettingsService(open_context(args))
    key = args.key.strip()
    if args.json:
        if service.is_table_item(key):
            print_json({"key": key, "value": service.get(key)})
        else:
            print_json(service.entry(key).to_json())
        return EXIT_OK
    if service.is_table_item(key):
        value: Any = service.get(key)
        print("" if value is None else value)
    else:
        print(service.entry(key).text)
    return EXIT_OK


def set_setting(args: argparse.Namespace) -> int:
    context = open_context(args)
    service = SettingsService(context)
    change = service.set_text(args.key, args.value)
    key = args.key.strip()
    if args.json:
        result: dict[str, Any]
        if service.is_table_item(key):
            result = {"key": key, "value": service.get(key)}
        else:
            result = service.entry(key).to_json()
        spec = service.entry(change.key).spec
        result["changed"] = change.old != change.new
        result["previous"] = json_value(spec, change.old)
        print_json(result)
        return EXIT_OK
    if change.old == change.new:
        print(f"Instelling {key} had deze waarde al; er is niets gewijzigd.")
    else:
        print(f"Instelling {key} gewijzigd.")
    return EXIT_OK
