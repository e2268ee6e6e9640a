"""``kuager user add USERNAME --role ROLE``: create a user (or change their role and password);
``kuager user token USERNAME [--reset]``: print the user's API token (created when missing)."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from kuager.errors import InputError

NAME = "user"
HELP = "add a user with a role (admin, editor, volunteer, viewer), or print a user's API token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kuager.records.services.roles import ROLES

    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create a user, or set an existing user's role and password")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--email", default="")
    add.add_argument("--password-file", help="read the password from the first line of this file "
                     "(default: ask for it twice at a prompt)")
    tok = sub.add_parser("token", help="print the user's API token (Authorization: Token KEY), creating it if needed")
    tok.add_argument("username")
    tok.add_argument("--reset", action="store_true", help="replace the token with a new one")


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        path = Path(args.password_file)
        if not path.is_file():
            raise InputError("no such file", field="--password-file")
        lines = path.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    first = getpass.getpass(f"Password for {args.username}: ")
    if getpass.getpass("Again: ") != first:
        raise InputError("the two passwords differ", field="password")
    return first


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.roles import add_user
    from kuager.records.services.setup import initialise

    initialise()
    if args.action == "token":
        from kuager.records.services.roles import api_token

        print(api_token(args.username, reset=args.reset))
        return 0
    user, created = add_user(args.username, args.role, _password(args), email=args.email)
    print(f"{'Created' if created else 'Updated'} user {user.username} with role {args.role}")
    return 0
