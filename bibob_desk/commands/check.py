"""``bibob-desk check``: is Bibob applicable? Works on the policy file alone, without a database."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from bibob_desk.cli import fail, print_json
from bibob_desk.domain.applicability import (
    assess,
    missing_bouwsom_error,
    needs_bouwsom,
    parse_inputs,
)
from bibob_desk.domain.areas import area_label
from bibob_desk.domain.errors import ValidationError
from bibob_desk.domain.policy import policy_in_force
from bibob_desk.domain.values import parse_date
from bibob_desk.services.policies import policies_from_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="toets of de Wet Bibob van toepassing is (verplicht, kan, niet)",
        description="Toets de toepasbaarheid van de Wet Bibob met het beleid dat gold op de "
        "datum (standaard vandaag). Gebruikt het meegeleverde beleid of --policy BESTAND; "
        "opent geen database.",
    )
    parser.add_argument("--area", required=True, metavar="CODE", help="toepassingsgebied")
    parser.add_argument("--bouwsom", metavar="BEDRAG", help="bouwsom excl. btw, bv. 750000,00")
    parser.add_argument("--postcode", metavar="PC", help="postcode van de locatie, bv. 9401 AB")
    parser.add_argument(
        "--risk-tag",
        dest="risk_tags",
        action="append",
        default=[],
        metavar="TAG",
        help="risicocategorie (herhaalbaar), bv. horeca of vakantiepark",
    )
    parser.add_argument("--tip", action="store_true", help="er is een tip (art. 26 Wet Bibob)")
    parser.add_argument("--date", metavar="JJJJ-MM-DD", help="aanvraagdatum (standaard vandaag)")
    parser.add_argument("--policy", metavar="BESTAND", help="beleidsbestand (JSON of TOML)")
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        on = parse_date(args.date, "date") if args.date else date.today()
        inputs = parse_inputs(
            args.area,
            bouwsom=args.bouwsom,
            postcode=args.postcode,
            risk_tags=args.risk_tags,
            tip=args.tip,
            on=on,
        )
        policy = policy_in_force(policies_from_file(args.policy), on)
        if inputs.bouwsom is None and needs_bouwsom(policy, inputs.area):
            raise missing_bouwsom_error(inputs.area)
        result = assess(policy, inputs)
    except ValidationError as exc:
        fail(str(exc))
    if args.json:
        print_json(result.to_json())
        return 0
    out = sys.stdout
    out.write(f"Toepassingsgebied: {area_label(inputs.area)} ({inputs.area})\n")
    out.write(result.summary() + "\n")
    return 0
