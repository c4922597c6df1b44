"""``bibob-desk approve``: a team lead approves a concept besluit or intern advies (four-eyes)."""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, open_context
from bibob_desk.domain.letters import LETTERS_NEEDING_APPROVAL, parse_letter_type
from bibob_desk.domain.values import CaseReference


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    approve = subparsers.add_parser(
        "approve", help="een conceptbrief goedkeuren (teamleider, vier-ogenprincipe)"
    )
    approve.add_argument("--case", required=True, metavar="ZAAKNUMMER", help="bijv. BIB-2026-0001")
    approve.add_argument(
        "--type",
        required=True,
        metavar="TYPE",
        help="brieftype: " + ", ".join(sorted(t.value for t in LETTERS_NEEDING_APPROVAL)),
    )
    approve.set_defaults(handler=approve_letter)


def approve_letter(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.case))
    letter_type = parse_letter_type(args.type)
    from bibob_desk.services.letters import LetterService

    context = open_context(args)
    document = LetterService(context).approve_latest(reference, letter_type.value)
    print(f"Goedgekeurd: {document.title} (door {document.approved_by}).")
    return EXIT_OK
