"""``bibob-desk backup --out FILE`` and ``bibob-desk restore FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from bibob_desk.cli import EXIT_FAILURE, EXIT_OK, fail, open_context
from bibob_desk.domain.roles import Role
from bibob_desk.services.access import require_role
from bibob_desk.services.audit import Anchor
from bibob_desk.services.audit_anchor import collect_anchors
from bibob_desk.services.backup import (
    BackupError,
    database_state,
    inspect_backup,
    make_backup,
    restore_backup,
)
from bibob_desk.services.context import workstation_user


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup", help="maak een back-up (ook terwijl Bibob Desk in gebruik is)"
    )
    backup.add_argument("--out", required=True, metavar="BESTAND", help="het back-upbestand")
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser("restore", help="zet een back-up terug")
    restore.add_argument("file", metavar="BESTAND", help="het back-upbestand")
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    context = open_context(args)
    try:
        info = make_backup(context, Path(args.out))
    except BackupError as exc:
        fail(str(exc), EXIT_FAILURE)
    finally:
        context.db.dispose()
    print(f"Back-up gemaakt: {info.path} ({info.cases} zaken).")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    try:
        inspect_backup(Path(args.file))  # refuse a bad file before touching anything
    except BackupError as exc:
        fail(f"{exc} Er is niets gewijzigd.", EXIT_FAILURE)
    # A damaged database cannot say whether it is a training database: the login it is.
    user = workstation_user()
    anchors: list[Anchor] = []
    if database_state(args.db) == "ok":
        # A working database is only replaced by an administrator. A damaged or missing one
        # cannot tell us who that is: then whoever can reach the file may restore it.
        context = open_context(args)
        try:
            require_role(context, Role.BEHEERDER)
            # The back-up's log must agree with every anchor of this database it is old
            # enough to hold (services/backup.py check_backup_audit).
            anchors = collect_anchors(context, [], use_folder=True)[0]
        finally:
            context.db.dispose()
        user = context.user
    try:
        result = restore_backup(args.db, Path(args.file), user, anchors=anchors)
    except BackupError as exc:
        fail(f"{exc} Er is niets gewijzigd.", EXIT_FAILURE)
    kept = (
        f" Veiligheidskopie van de vorige database: {result.safety_copy}."
        if result.safety_copy
        else ""
    )
    print(f"Back-up {result.restored_from} teruggezet ({result.cases} zaken).{kept}")
    return EXIT_OK
