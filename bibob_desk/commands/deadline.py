"""``bibob-desk deadline --kind KIND --from YYYY-MM-DD [--extended] [--json]``.

Needs no database: organisation terms come from the shipped defaults
(resources/settings/defaults.json). ``--extended`` only fits ``lbb_advice``; with any other kind
the command refuses (exit 2) rather than silently ignoring it.
"""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, print_json
from bibob_desk.domain.deadlines import DEADLINE_KINDS, compute_deadline, parse_deadline_kind
from bibob_desk.domain.values import parse_date


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "deadline",
        help="een wettelijke of eigen termijn berekenen (met de Algemene termijnenwet)",
        description="Berekent de einddatum van een termijn en legt uit hoe die tot stand komt.",
    )
    parser.add_argument(
        "--kind", required=True, metavar="SOORT", help="soort termijn: " + ", ".join(DEADLINE_KINDS)
    )
    parser.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="JJJJ-MM-DD",
        help="de gebeurtenis waar de termijn vanaf loopt (ontvangst, verzending, uitnodiging)",
    )
    parser.add_argument(
        "--extended",
        action="store_true",
        help="alleen bij lbb_advice: met de verlenging van 4 weken (Wet Bibob art. 15)",
    )
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    parser.set_defaults(handler=run)


def organisation_terms() -> dict[str, int]:
    from bibob_desk.services.settings import default_settings

    terms = default_settings().get("terms", {})
    return {
        key: value
        for key, value in terms.items()
        if isinstance(value, int) and not isinstance(value, bool)
    } | {"decision_period_weeks": int(terms.get("decision_period_weeks_default", 8))}


def run(args: argparse.Namespace) -> int:
    kind = parse_deadline_kind(args.kind)
    start = parse_date(args.start, "from")
    deadline = compute_deadline(kind, start, extended=args.extended, terms=organisation_terms())
    if args.json:
        print_json(deadline.to_json())
    else:
        print(deadline.rule)
    return EXIT_OK
