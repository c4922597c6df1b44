"""``bibob-desk check``: is Bibob applicable?

The policy versions come from the database when one is given (``--db`` / ``BIBOB_DESK_DB``) or
the default database exists, so ``check`` answers as the intake wizard does, including versions
a beheerder added under Beleid; otherwise (or with ``--policy FILE``) from the file. The answer
says which one it used: ``policy.source`` is ``database`` or ``file``.
"""

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
from bibob_desk.domain.policy import Policy, policy_in_force
from bibob_desk.domain.values import parse_date
from bibob_desk.services.policies import SOURCE_DATABASE, SOURCE_FILE, policies_from_file
from bibob_desk.storage.database import resolve_database_url, sqlite_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="toets of de Wet Bibob van toepassing is (verplicht, kan, niet)",
        description="Toets de toepasbaarheid van de Wet Bibob met het beleid dat gold op de "
        "datum (standaard vandaag). Gebruikt de beleidsversies in de database (--db, "
        "BIBOB_DESK_DB of de standaarddatabase als die bestaat), anders het meegeleverde beleid; "
        "--policy BESTAND gebruikt dat bestand.",
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
        versions, source = _versions(args)
        policy = policy_in_force(versions, on)
        if inputs.bouwsom is None and needs_bouwsom(policy, inputs.area):
            raise missing_bouwsom_error(inputs.area)
        result = assess(policy, inputs)
    except ValidationError as exc:
        fail(str(exc))
    if args.json:
        data = result.to_json()
        data["policy"] = {**data["policy"], "source": source}
        print_json(data)
        return 0
    out = sys.stdout
    out.write(f"Toepassingsgebied: {area_label(inputs.area)} ({inputs.area})\n")
    out.write(result.summary() + "\n")
    where = "de database" if source == SOURCE_DATABASE else "het beleidsbestand"
    out.write(f"Beleid gelezen uit {where}.\n")
    return 0


def _versions(args: argparse.Namespace) -> tuple[list[Policy], str]:
    """The database's versions when a database is named or the default one exists, else the
    file's (``--policy`` or the shipped default)."""
    if args.policy is None and _database_available(getattr(args, "db", None)):
        from bibob_desk.cli import open_context
        from bibob_desk.services.policies import PolicyService

        context = open_context(args)
        try:
            return [v.policy for v in PolicyService(context).list()], SOURCE_DATABASE
        finally:
            context.db.dispose()
    return policies_from_file(args.policy), SOURCE_FILE


def _database_available(db: str | None) -> bool:
    """``--db`` given, or the configured database (BIBOB_DESK_DB, else the default in the user
    data folder) exists: a PostgreSQL server, or an SQLite file already created. ``check``
    never creates a database."""
    if db:
        return True
    path = sqlite_path(resolve_database_url(None))
    return path is None or path.is_file()
