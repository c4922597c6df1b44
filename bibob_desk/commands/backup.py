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
    users_of_damaged_database,
)
from bibob_desk.services.context import workstation_user
from bibob_desk.storage.database import resolve_database_url, sqlite_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup", help="maak een back-up (ook terwijl Bibob Desk in gebruik is)"
    )
    backup.add_argument("--out", required=True, metavar="BESTAND", help="het back-upbestand")
    backup.add_argument("--overwrite", action="store_true", help="een bestaand bestand vervangen")
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser("restore", help="zet een back-up terug")
    restore.add_argument("file", metavar="BESTAND", help="het back-upbestand")
    restore.add_argument(
        "--confirm",
        metavar="NAAM",
        help="de naam van het databasebestand, ter bevestiging (nodig bij een beschadigde "
        "database)",
    )
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    context = open_context(args)
    try:
        info = make_backup(context, Path(args.out), overwrite=args.overwrite)
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
    anchors: list[Anchor] = []
    state = database_state(args.db)  # a locked or full database stops here (exit 1)
    if state == "ok":
        # A working database is only replaced by an administrator.
        context = open_context(args)
        try:
            require_role(context, Role.BEHEERDER)
            # The back-up's log must agree with every anchor of this database it is old
            # enough to hold (services/backup.py check_backup_audit).
            anchors = collect_anchors(context, [], use_folder=True)[0]
        finally:
            context.db.dispose()
        user = context.user
    else:
        user = _user_for_damaged(args, state)
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


def _user_for_damaged(args: argparse.Namespace, state: str) -> str:
    """A damaged (or missing) database cannot check roles: the login, known and confirmed.

    ``--user`` is refused (a damaged file cannot show it is a training database); when the
    damaged file still names its users, the login must be one of them; replacing a damaged
    file needs ``--confirm`` with its name.
    """
    if getattr(args, "user", None):
        fail(
            "--user kan niet bij een beschadigde database: die kan niet laten zien dat het een "
            "oefendatabase is. Zet terug onder uw eigen aanmelding. Er is niets gewijzigd.",
            EXIT_FAILURE,
        )
    user = workstation_user()
    known = users_of_damaged_database(args.db)
    if known is not None and user not in known:
        fail(
            f"Gebruiker '{user}' is geen actieve gebruiker van deze database en mag hem niet "
            "terugzetten. Er is niets gewijzigd.",
            EXIT_FAILURE,
        )
    path = sqlite_path(resolve_database_url(args.db))
    if state == "corrupt" and path is not None and args.confirm not in (path.name, path.stem):
        fail(
            f"De database {path} is beschadigd. Terugzetten vervangt hem (er wordt eerst een "
            f"veiligheidskopie gemaakt). Bevestig met --confirm {path.name}. Er is niets "
            "gewijzigd.",
            EXIT_FAILURE,
        )
    return user
