"""``bibob-desk export``: hand a letter to the document system.

Two targets: the export folder (PDF/A + ZGW metadata sidecar, optional MDTO) or, with ``--zgw``,
the zaaksysteem's Documenten API directly (linked to the case's zaak in the Zaken API)."""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, fail, open_context, print_json
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
    export.add_argument(
        "--zgw",
        action="store_true",
        help="rechtstreeks naar het zaaksysteem (Documenten API, instellingen zgw.*) in plaats "
        "van naar de exportmap",
    )
    export.add_argument(
        "--zaak",
        default=None,
        metavar="URL",
        help="met --zgw: de URL van de zaak in de Zaken API; wordt bij de Bibob-zaak bewaard",
    )
    export.add_argument("--json", action="store_true", help="uitvoer als JSON")
    export.set_defaults(handler=export_letter)


def export_letter(args: argparse.Namespace) -> int:
    reference = str(CaseReference.parse(args.case))
    letter_type = parse_letter_type(args.type)
    from bibob_desk.services.letters import LetterService

    if args.zgw:
        if args.to or args.mdto:
            fail("--zgw stuurt naar het zaaksysteem; --to en --mdto horen bij de exportmap.")
        return _upload(args, reference, letter_type.value)
    if args.zaak is not None:
        fail("--zaak hoort bij --zgw.", EXIT_USAGE)
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


def _upload(args: argparse.Namespace, reference: str, letter_type: str) -> int:
    from bibob_desk.documents.zgw_client import ZgwError
    from bibob_desk.services.zgw import ZgwExportService

    context = open_context(args)
    try:
        result = ZgwExportService(context).upload_letter(
            reference, letter_type, party=args.party, zaak_url=args.zaak
        )
    except ZgwError as exc:  # the server refused or could not be reached: exit 1
        fail(str(exc), EXIT_FAILURE)
    if args.json:
        print_json(
            {
                "url": result.url,
                "nieuw": result.created,
                "zaakinformatieobject": result.zaakinformatieobject,
                "sha256": result.sha256,
                "bestandsomvang": result.size_bytes,
            }
        )
    else:
        print(result.url)
        if result.zaakinformatieobject:
            print(result.zaakinformatieobject)
    return EXIT_OK
