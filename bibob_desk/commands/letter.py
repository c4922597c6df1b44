"""``bibob-desk letter``: write a letter of a case as PDF.

What is written: the final letter as stored (byte for byte) when there is one; otherwise the
current concept of that type, or a fresh concept from the template, rendered and marked CONCEPT.
Nothing is stored by this command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bibob_desk.cli import EXIT_OK, fail, open_context
from bibob_desk.domain.letters import LetterType, parse_letter_type
from bibob_desk.domain.values import CaseReference
from bibob_desk.storage.files import OutputFileError, check_target, write_bytes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    letter = subparsers.add_parser("letter", help="een brief van een zaak als PDF schrijven")
    letter.add_argument("--case", required=True, metavar="ZAAKNUMMER", help="bijv. BIB-2026-0001")
    letter.add_argument(
        "--type",
        required=True,
        metavar="TYPE",
        help="brieftype: " + ", ".join(t.value for t in LetterType),
    )
    letter.add_argument("--out", required=True, metavar="BESTAND.pdf", help="uitvoerbestand")
    letter.add_argument("--overwrite", action="store_true", help="een bestaand bestand vervangen")
    letter.add_argument(
        "--party",
        default=None,
        metavar="NAAM|NUMMER",
        help="geadresseerde bij een kennisgeving_derden: exacte naam of nummer van de betrokkene",
    )
    letter.set_defaults(handler=write_letter)


def write_letter(args: argparse.Namespace) -> int:
    # Check the input before touching the database, so typing errors answer fast.
    reference = str(CaseReference.parse(args.case))
    letter_type = parse_letter_type(args.type)
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        fail(f"Het uitvoerbestand moet op .pdf eindigen: '{args.out}'.")
    if not out.parent.is_dir():
        fail(f"De map {out.parent} bestaat niet.")
    try:
        check_target(out, overwrite=args.overwrite)
    except OutputFileError as exc:
        fail(str(exc))
    from bibob_desk.services.letters import LetterService

    context = open_context(args)
    pdf, document = LetterService(context).render_letter(
        reference, letter_type.value, party=args.party
    )
    try:
        write_bytes(out, pdf, overwrite=args.overwrite)  # all or nothing, never half a PDF
    except OutputFileError as exc:
        fail(str(exc), 1)
    state = document.status_label if document is not None else "Concept (niet opgeslagen)"
    print(f"{out}  ({state}, {len(pdf)} bytes)")
    if document is not None:
        addressee = LetterService(context).addressee(document.id)
        if addressee is not None:
            # Who it goes to, before anyone makes it final (art. 28 Wet Bibob).
            print("Geadresseerde: " + "; ".join(addressee.lines or ("(geen)",)))
            if not addressee.complete:
                print("Onvolledig postadres: " + ", ".join(addressee.missing))
    return EXIT_OK
