"""``bibob-desk cases list|show|assign|reopen``."""

from __future__ import annotations

import argparse
import sys

from bibob_desk.cli import EXIT_OK, fail, open_context, print_json
from bibob_desk.domain.areas import parse_area
from bibob_desk.domain.money import format_money
from bibob_desk.domain.phases import parse_phase
from bibob_desk.domain.values import CaseReference
from bibob_desk.services.cases import CaseFilter, CaseService, CaseView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cases = subparsers.add_parser("cases", help="zaken tonen")
    cases_commands = cases.add_subparsers(dest="cases_command", metavar="OPDRACHT", required=True)

    listing = cases_commands.add_parser("list", help="alle zaken")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.add_argument("--search", default="", help="zoek op zaaknummer, naam, KvK, adres")
    listing.add_argument("--phase", action="append", default=[], help="alleen deze fase")
    listing.add_argument("--area", action="append", default=[], help="alleen dit gebied")
    listing.add_argument("--limit", type=int, default=None, help="hoogstens zoveel zaken")
    listing.set_defaults(handler=list_cases)

    show = cases_commands.add_parser("show", help="één zaak")
    show.add_argument("reference", metavar="ZAAKNUMMER")
    show.add_argument("--json", action="store_true", help="uitvoer als JSON")
    show.set_defaults(handler=show_case)

    assign = cases_commands.add_parser(
        "assign", help="de zaak aan een andere behandelaar overdragen"
    )
    assign.add_argument("reference", metavar="ZAAKNUMMER")
    assign.add_argument(
        "--officer", required=True, metavar="NAAM", help="een actieve medewerker Bibob"
    )
    assign.add_argument("--yes", action="store_true", help="niet om bevestiging vragen")
    assign.add_argument("--json", action="store_true", help="uitvoer als JSON")
    assign.set_defaults(handler=assign_case)

    reopen = cases_commands.add_parser(
        "reopen", help="een besloten zaak heropenen (teamleider, met reden)"
    )
    reopen.add_argument("reference", metavar="ZAAKNUMMER")
    reopen.add_argument("--reason", required=True, metavar="TEKST", help="waarom (verplicht)")
    reopen.add_argument("--json", action="store_true", help="uitvoer als JSON")
    reopen.set_defaults(handler=reopen_case)


def list_cases(args: argparse.Namespace) -> int:
    # Checked before the database is opened: a typo is bad input (exit 2), not "0 zaken".
    phases = [parse_phase(p).value for p in args.phase]
    areas = [parse_area(a) for a in args.area]
    if args.limit is not None and args.limit < 0:
        fail("--limit moet 0 of groter zijn.")
    context = open_context(args)
    service = CaseService(context)
    cases = service.list(
        CaseFilter(phases=phases, areas=areas, search=args.search), limit=args.limit
    )
    if args.json:
        print_json([c.to_json() for c in cases])
    else:
        for case in cases:
            print(
                f"{case.reference}  {case.phase_label:<16} {case.area_label[:40]:<40} {case.title}"
            )
        print(f"{len(cases)} zaken")
    return EXIT_OK


def show_case(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.reference))
    context = open_context(args)
    case = CaseService(context).get(reference)
    if args.json:
        print_json(case.to_json())
    else:
        print_case(case)
    return EXIT_OK


def reopen_case(args: argparse.Namespace) -> int:
    """A decided case becomes editable again; the reason is logged and on the timeline, the
    earlier decision and assessments stay as they were (services/decisions.py)."""
    reference = str(CaseReference.parse(args.reference))
    if not args.reason.strip():
        fail("Geef met --reason de reden waarom de zaak wordt heropend.")
    from bibob_desk.services.workflow import WorkflowService

    view = WorkflowService(open_context(args)).reopen(reference, args.reason)
    if args.json:
        print_json({"reference": reference, "phase": view.phase, "reopened": True})
    else:
        print(f"Zaak {reference} heropend (fase {view.phase_label.lower()}).")
    return EXIT_OK


def assign_case(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.reference))
    officer = args.officer.strip()
    context = open_context(args)
    service = CaseService(context)
    if officer not in service.assignable_officers():
        fail(
            f"'{officer[:60]}' is geen actieve medewerker Bibob en kan geen behandelaar zijn. "
            f"Kies uit: {', '.join(service.assignable_officers()) or '(niemand)'}."
        )
    if not args.yes:
        # Handing a case over is a deliberate act: the officer loses access to it.
        if not sys.stdin.isatty():
            fail("Overdragen vraagt om bevestiging: geef --yes mee.")
        answer = input(
            f"Zaak {reference} overdragen aan {officer}? Als medewerker ziet u de zaak daarna "
            "niet meer. [j/N] "
        )
        if answer.strip().lower() not in ("j", "ja", "y", "yes"):
            print("Niet overgedragen.")
            return EXIT_OK
    case = service.assign(reference, officer)
    if args.json:
        print_json({"reference": case.reference, "officer": case.officer})
    else:
        print(f"Zaak {case.reference} is overgedragen aan {case.officer}.")
    return EXIT_OK


def print_case(case: CaseView) -> None:
    print(f"{case.reference}  {case.title}")
    print(f"  Toepassingsgebied: {case.area_label}")
    print(f"  Fase:              {case.phase_label}")
    print(f"  Behandelaar:       {case.officer}")
    print(f"  Aanvraagdatum:     {case.application_date.isoformat()}")
    if case.bouwsom is not None:
        print(f"  Bouwsom:           {format_money(case.bouwsom)}")
    print(f"  Locatie:           {case.address}")
    for party in case.parties:
        kvk = f" (KvK {party.kvk_number})" if party.kvk_number else ""
        print(f"  {party.role_label + ':':<19}{party.name}{kvk}")
