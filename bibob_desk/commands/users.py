"""``bibob-desk users add|list|set-roles|deactivate`` (administrators).

On PostgreSQL these also create the login role, grant or revoke its group roles and revoke the
login of a deactivated user (services/users.py).
"""

from __future__ import annotations

import argparse

from bibob_desk.cli import EXIT_OK, open_context, print_json
from bibob_desk.services.users import UserService


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = subparsers.add_parser("users", help="gebruikers beheren (beheerder)")
    commands = users.add_subparsers(dest="users_command", metavar="OPDRACHT", required=True)

    add = commands.add_parser("add", help="gebruiker toevoegen")
    add.add_argument("username", metavar="NAAM", help="aanmeldnaam van de werkplek")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROL",
        help="medewerker, teamleider of beheerder (herhaalbaar of komma-gescheiden)",
    )
    add.add_argument("--full-name", default="", metavar="NAAM", help="volledige naam")
    add.set_defaults(handler=add_user)

    listing = commands.add_parser("list", help="alle gebruikers")
    listing.add_argument("--json", action="store_true", help="uitvoer als JSON")
    listing.set_defaults(handler=list_users)

    set_roles = commands.add_parser("set-roles", help="de rollen van een gebruiker wijzigen")
    set_roles.add_argument("username", metavar="NAAM")
    set_roles.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROL",
        help="medewerker, teamleider of beheerder (herhaalbaar of komma-gescheiden)",
    )
    set_roles.set_defaults(handler=set_user_roles)

    deactivate = commands.add_parser("deactivate", help="gebruiker uitschakelen")
    deactivate.add_argument("username", metavar="NAAM")
    deactivate.set_defaults(handler=deactivate_user)


def add_user(args: argparse.Namespace) -> int:
    user = UserService(open_context(args)).add(args.username, args.role, args.full_name)
    print(f"Gebruiker {user.username} toegevoegd ({user.roles_label}).")
    return EXIT_OK


def list_users(args: argparse.Namespace) -> int:
    users = UserService(open_context(args)).list()
    if args.json:
        print_json([u.to_json() for u in users])
        return EXIT_OK
    for user in users:
        state = "" if user.active else "  (uitgeschakeld)"
        print(f"{user.username:<20} {user.full_name:<30} {user.roles_label}{state}")
    return EXIT_OK


def set_user_roles(args: argparse.Namespace) -> int:
    # Checked before the database is opened: a wrong role is bad input (exit 2).
    from bibob_desk.services.users import parse_roles

    parse_roles(args.role)
    user = UserService(open_context(args)).set_roles(args.username, args.role)
    print(f"Rollen van {user.username}: {user.roles_label}.")
    return EXIT_OK


def deactivate_user(args: argparse.Namespace) -> int:
    user = UserService(open_context(args)).deactivate(args.username)
    print(f"Gebruiker {user.username} is uitgeschakeld.")
    return EXIT_OK
