"""``bibob-desk export``: hand a letter to the document system (PDF/A + metadata sidecar)."""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.domain.letters import LetterType, parse_letter_type
from bibob_desk.domain.values import CaseReference


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = subparsers.add_parser(
        "export", help="een brief met metadata naar de exportmap van het documentsysteem"
    )
    export.add_argument("--case", required=True, metavar="ZAAKNUMMER", help="bijv. BIB-2026-0001")
    export.add_argument(
        "--type",
        required=True,
        metavar="TYPE",
        help="brieftype: " + ", ".join(t.value for t in LetterType),
    )
    export.add_argument(
        "--to",
        default=None,
        metavar="MAP",
        help="exportmap (standaard de instelling export.folder)",
    )
    export.add_argument(
        "--party",
        default=None,
        metavar="NAAM|NUMMER",
        help="geadresseerde bij een kennisgeving_derden: exacte naam of nummer van de betrokkene",
    )
    export.add_argument(
        "--mdto",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ook MDTO-XML schrijven (standaard de instelling export.mdto)",
    )
    export.add_argument("--json", action="store_true", help="uitvoer als JSON")
    export.set_defaults(handler=export_letter)


def export_letter(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.case))
    letter_type = parse_letter_type(args.type)
    from bibob_desk.services.letters import LetterService

    context = open_context(args)
    result = LetterService(context).export_letter(
        reference, letter_type.value, args.to, party=args.party, mdto=args.mdto
    )
    if args.json:
        print_json(
            {
                "pdf": str(result.pdf_path),
                "metadata": str(result.sidecar_path),
                "extra": [str(p) for p in result.extra_paths],
                "sha256": result.sha256,
                "bestandsomvang": result.size_bytes,
            }
        )
    else:
        print(result.pdf_path)
        for path in result.extra_paths:
            print(path)
        print(result.sidecar_path)
    return EXIT_OK
