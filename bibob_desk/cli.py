"""The command line. ``bibob-desk`` with no command starts the GUI.

Contract for every command: bad input exits with code 2 and one Dutch line on stderr;
``--json`` output is stable (keys are part of the contract).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from sqlalchemy.exc import DBAPIError

from bibob_desk import __version__
from bibob_desk.domain.errors import BibobError, ConflictError, NotFoundError, PermissionDenied
from bibob_desk.services.busy import BUSY_MESSAGE, DatabaseBusyError, is_busy_error
from bibob_desk.services.context import AppContext
from bibob_desk.storage.database import (
    CorruptDatabaseError,
    Database,
    DatabaseError,
    database_error_from,
    open_database,
    require_sound,
    resolve_database_url,
    sqlite_path,
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

_ARGPARSE_DUTCH = (
    ("the following arguments are required: ", "verplichte optie ontbreekt: "),
    ("unrecognized arguments: ", "onbekende opties: "),
    ("invalid choice: ", "ongeldige keuze: "),
    ("expected one argument", "verwacht een waarde"),
    ("invalid int value: ", "geen geheel getal: "),
    ("(choose from ", "(kies uit "),
    ("argument ", "optie "),
    ("not allowed with argument ", "niet samen te gebruiken met "),
    ("ambiguous option: ", "dubbelzinnige optie: "),
    ("could match ", "kan zijn "),
)


class UsageError(BibobError):
    """Bad input on the command line (exit code 2)."""


class DutchHelpFormatter(argparse.HelpFormatter):
    """argparse's help with a Dutch heading for the usage line."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse with Dutch help, one-line Dutch errors and exit code 2."""

    def __init__(self, **kwargs: Any) -> None:
        wants_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", DutchHelpFormatter)
        super().__init__(add_help=False, **kwargs)
        # argparse's own headings and help option are English; a Bibob officer reads Dutch.
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        if wants_help:
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help="deze hulp tonen en stoppen",
            )

    def error(self, message: str) -> NoReturn:
        for english, dutch in _ARGPARSE_DUTCH:
            message = message.replace(english, dutch)
        fail(f"{message}. Zie '{self.prog} --help'.")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print one line on stderr and exit."""
    one_line = " ".join(message.split())
    sys.stderr.write(f"bibob-desk: {one_line}\n")
    raise SystemExit(code)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


CommandHandler = Callable[[argparse.Namespace], int]

# Commands whose output are figures or a verdict: the whole file is checked first
# (PRAGMA quick_check, about 0.3 s per 100 MB); other commands notice damage when they read it.
QUICK_CHECKED_COMMANDS = frozenset({"report", "audit"})


_opened: list[Database] = []


def _with_restore_hint(exc: BaseException) -> str:
    message = str(exc)
    if isinstance(exc, CorruptDatabaseError):
        from bibob_desk.services.backup import newest_good_backup

        newest = newest_good_backup(exc.path)
        backup = str(newest) if newest is not None else "BACK-UPBESTAND"
        message += (
            f" Terugzetten: bibob-desk restore {backup} --confirm {exc.path.name} "
            f"(database: {exc.path})."
        )
    return message


def open_context(args: argparse.Namespace) -> AppContext:
    """Open the database named by ``--db`` / BIBOB_DESK_DB for a command."""
    try:
        db: Database = open_database(getattr(args, "db", None))
        _opened.append(db)  # released when the command ends, whatever happens
        path = sqlite_path(db.url)
        if path is not None and getattr(args, "command", None) in QUICK_CHECKED_COMMANDS:
            require_sound(path)  # figures are never shown from a damaged file
    except DatabaseError as exc:
        fail(_with_restore_hint(exc), EXIT_FAILURE)
    from bibob_desk.services.access import authenticate
    from bibob_desk.services.identity import resolve_user

    try:
        # The OS login (SQLite) or the server's session_user (PostgreSQL); --user and
        # BIBOB_DESK_USER only on a training database (exit 1 elsewhere).
        context = AppContext(db=db, user=resolve_user(db, getattr(args, "user", None)))
        # Unknown or deactivated users stop here (exit 1); an empty database registers this user.
        authenticate(context)
    except BaseException:
        db.dispose()
        raise
    return context


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def build_parser() -> DutchArgumentParser:
    parser = DutchArgumentParser(
        prog="bibob-desk",
        description="Bibob Desk: Bibob-onderzoeken registreren, toetsen en afhandelen.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"bibob-desk {__version__}",
        help="het versienummer tonen en stoppen",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database (SQLite-pad of -URL, of postgresql+psycopg://...); "
        "standaard BIBOB_DESK_DB of de gebruikersmap",
    )
    parser.add_argument(
        "--user",
        metavar="NAAM",
        help="werken als deze gebruiker; alleen op een oefendatabase (standaard: de aanmeldnaam "
        "van de werkplek, of bij PostgreSQL de databaserol)",
    )
    commands = parser.add_subparsers(
        dest="command", metavar="OPDRACHT", parser_class=DutchArgumentParser
    )
    from bibob_desk.commands import register_all

    register_all(commands)
    return parser


# Longer than any name, reference, title or path a user types: refused before anything runs.
MAX_ARGUMENT_LENGTH = 4096
# Larger numbers do not fit the database's integers (SQLite: 64 bits) and mean nothing here.
MAX_NUMBER = 2**31 - 1


def check_arguments(argv: Sequence[str]) -> None:
    """Hostile values in any option: one Dutch line and exit 2, before argparse sees them."""
    for position, value in enumerate(argv, start=1):
        shown = value[:40].encode("utf-8", "backslashreplace").decode("utf-8")
        if "\x00" in value:
            fail(f"Argument {position} bevat een NUL-teken; dat kan geen geldige invoer zijn.")
        if any("\udc80" <= char <= "\udcff" for char in value):
            fail(
                f"Argument {position} ('{shown}…') is geen geldige UTF-8-tekst; typ het opnieuw "
                "of gebruik alleen gewone tekens."
            )
        if any((ord(char) < 32 and char not in "\t\n\r") or ord(char) == 127 for char in value):
            fail(f"Argument {position} ('{shown}…') bevat een stuurteken.")
        if len(value) > MAX_ARGUMENT_LENGTH:
            fail(
                f"Argument {position} ('{shown}…') is te lang ({len(value)} tekens; hoogstens "
                f"{MAX_ARGUMENT_LENGTH})."
            )


def check_numbers(args: argparse.Namespace) -> None:
    for name, value in vars(args).items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            fail(f"--{name.replace('_', '-')} {value} is te groot (hoogstens {MAX_NUMBER}).")


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    check_arguments(raw)
    parser = build_parser()
    args = parser.parse_args(raw)
    check_numbers(args)
    handler: CommandHandler | None = getattr(args, "handler", None)
    try:
        if handler is None:
            from bibob_desk.gui.app import run_gui

            return run_gui(args)
        return handler(args)
    except (NotFoundError, PermissionDenied, ConflictError) as exc:
        # A lost race (someone else saved first) is a refusal like a permission: exit 1.
        fail(str(exc), EXIT_USAGE if isinstance(exc, NotFoundError) else EXIT_FAILURE)
    except (DatabaseError, DatabaseBusyError) as exc:
        fail(_with_restore_hint(exc), EXIT_FAILURE)
    except DBAPIError as exc:  # never a traceback for a locked, damaged or unreachable database
        if is_busy_error(exc):
            fail(BUSY_MESSAGE, EXIT_FAILURE)
        try:
            url = resolve_database_url(getattr(args, "db", None))
        except DatabaseError:
            fail(f"Databasefout: {exc.orig}", EXIT_FAILURE)
        fail(_with_restore_hint(database_error_from(exc, url)), EXIT_FAILURE)
    except BibobError as exc:
        fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        fail("afgebroken.", 130)
    except BrokenPipeError:
        # The reader went away (``bibob-desk cases list | head -1``): stop quietly, as ls does.
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:  # a file a user named: too long a name, no access, a full disk
        from pathlib import Path

        from bibob_desk.storage.files import describe_os_error

        fail(describe_os_error(exc, Path(str(exc.filename or "?"))), EXIT_FAILURE)
    finally:
        while _opened:
            _opened.pop().dispose()
