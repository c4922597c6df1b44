"""``bibob-desk policy list|show|add``: the Bibob policy versions in the database.

Every version is kept (a case is judged by the version in force on its application date). ``add``
is for a beheerder and validates as the Beleid editor does: one version per effective date, and
a warning for letters at the ends of a postcode range.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bibob_desk.cli import EXIT_OK, fail, open_context, print_json
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import load_policy_file, policy_to_dict, policy_warnings
from bibob_desk.services.policies import PolicyService, PolicyVersionView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    policy = subparsers.add_parser("policy", help="Bibob-beleidsversies tonen en toevoegen")
    commands = policy.add_subparsers(dest="policy_command", metavar="OPDRACHT", required=True)

    listing = commands.add_parser("list", help="alle beleidsversies")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_versions)

    show = commands.add_parser("show", help="één beleidsversie")
    show.add_argument("version", metavar="VERSIE", help="bijv. 2024.1")
    show.add_argument("--json", action="store_true", help="uitvoer als JSON")
    show.set_defaults(handler=show_version)

    add = commands.add_parser("add", help="een nieuwe versie toevoegen (beheerder)")
    add.add_argument("file", metavar="BESTAND", help="beleidsbestand (JSON of TOML), één versie")
    add.add_argument("--json", action="store_true", help="uitvoer als JSON")
    add.set_defaults(handler=add_version)


def _summary(view: PolicyVersionView) -> dict[str, Any]:
    return {
        "version": view.version,
        "name": view.name,
        "organisation": view.organisation,
        "effective_from": view.effective_from.isoformat(),
        "created_at": view.created_at.isoformat(timespec="seconds"),
        "created_by": view.created_by,
    }


def list_versions(args: argparse.Namespace) -> int:
    versions = PolicyService(open_context(args)).list()
    if args.json:
        print_json([_summary(v) for v in versions])
        return EXIT_OK
    for v in versions:
        print(f"{v.version:<12} vanaf {v.effective_from.isoformat()}  {v.name}")
    return EXIT_OK


def show_version(args: argparse.Namespace) -> int:
    versions = PolicyService(open_context(args)).list()
    found = next((v for v in versions if v.version == args.version.strip()), None)
    if found is None:
        known = ", ".join(v.version for v in versions) or "(geen)"
        fail(f"Beleidsversie '{args.version.strip()}' bestaat niet. Bekend: {known}.")
    if args.json:
        print_json({**_summary(found), "policy": policy_to_dict(found.policy)})
        return EXIT_OK
    print("\n".join(found.policy.summary_lines()))
    return EXIT_OK


def add_version(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        fail(f"Het bestand {path} bestaat niet.")
    try:
        policies = load_policy_file(path)
    except ValidationError as exc:
        fail(str(exc))
    if len(policies) != 1:
        fail(f"{path} bevat {len(policies)} versies; voeg er één per keer toe.")
    warnings = policy_warnings(policies[0])
    for warning in warnings:
        sys.stderr.write(f"bibob-desk: let op: {warning}\n")
    view = PolicyService(open_context(args)).add_version(policies[0])
    if args.json:
        print_json({**_summary(view), "warnings": warnings})
    else:
        print(f"Beleidsversie {view.version} toegevoegd (geldt vanaf {view.effective_from}).")
    return EXIT_OK
