"""``bibob-desk approve``: a team lead approves a concept besluit or intern advies (four-eyes).

The approver sees what they approve: the command prints the addressee and the text (``--preview``
also writes the PDF) and asks for confirmation. Without a terminal to ask on, ``--fingerprint``
gives the fingerprint printed by an earlier run: the approval then covers exactly that content,
and is refused when anything changed in between.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bibob_desk.cli import EXIT_OK, fail, open_context
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
    approve.add_argument(
        "--preview", metavar="BESTAND.pdf", help="schrijf het voorbeeld als PDF om te bekijken"
    )
    approve.add_argument(
        "--fingerprint",
        metavar="SHA256",
        help="keur goed zonder vraag: de vingerafdruk die een eerdere aanroep toonde",
    )
    approve.set_defaults(handler=approve_letter)


def approve_letter(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.case))
    letter_type = parse_letter_type(args.type)
    preview_path = Path(args.preview) if args.preview else None
    if preview_path is not None and preview_path.suffix.lower() != ".pdf":
        fail(f"Het voorbeeld moet op .pdf eindigen: '{args.preview}'.")
    from bibob_desk.services.letters import LetterService

    service = LetterService(open_context(args))
    concept = service.latest_concept(reference, letter_type.value)
    preview = service.approval_preview(concept.id)
    if preview_path is not None:
        try:
            preview_path.write_bytes(preview.pdf)
        except OSError as exc:
            fail(f"Kan {preview_path} niet schrijven: {exc.strerror or exc}.", 1)
    print(f"Brief: {concept.title} (opgesteld door {concept.author})")
    if concept.editors:
        print("Gewijzigd door: " + ", ".join(concept.editors))
    if preview.addressee is not None:
        print("Geadresseerde:")
        for line in preview.addressee.lines or ("(geen geadresseerde)",):
            print(f"  {line}")
    print("-" * 72)
    print(concept.body_text)
    print("-" * 72)
    if preview_path is not None:
        print(f"Voorbeeld (PDF): {preview_path}")
    print(f"Vingerafdruk: {preview.fingerprint}")
    fingerprint = args.fingerprint
    if fingerprint is None:
        if not sys.stdin.isatty():
            fail(
                "Goedkeuren vraagt om bevestiging. Bekijk de brief hierboven en geef "
                f"--fingerprint {preview.fingerprint} om precies deze inhoud goed te keuren."
            )
        answer = input("Deze brief goedkeuren? [j/N] ").strip().lower()
        if answer not in ("j", "ja"):
            print("Niet goedgekeurd.")
            return EXIT_OK
        fingerprint = preview.fingerprint
    document = service.approve(concept.id, fingerprint.strip().lower())
    print(f"Goedgekeurd: {document.title} (door {document.approved_by}).")
    return EXIT_OK
