"""``kuager user add USERNAME --role ROLE``: create a user (or change their role and password);
``kuager user token USERNAME [--reset] [--days N]``: print a new API token (stored hashed, shown once);
``kuager user revoke-tokens USERNAME``: end all of a user's API tokens;
``kuager user reset-2fa USERNAME``: remove a user's two-factor authenticator (lost phone)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kuager.errors import InputError

NAME = "user"
HELP = "add a user with a role (admin, editor, volunteer, viewer), API tokens, reset two-factor authentication"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kuager.records.services.roles import ROLES

    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create a user, or set an existing user's role and password")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--email", default="")
    add.add_argument("--password-file", help="read the password from the first line of this file "
                     "(default: ask for it twice at a prompt)")
    tok = sub.add_parser("token", help="print a new API token for the user (Authorization: Token KEY); "
                         "only its hash is kept, so it is shown once")
    tok.add_argument("username")
    tok.add_argument("--reset", action="store_true", help="revoke the user's other tokens first")
    tok.add_argument("--days", type=int, default=90, help="how long the token works (default 90 days)")
    rev = sub.add_parser("revoke-tokens", help="end all of the user's API tokens at once")
    rev.add_argument("username")
    r2 = sub.add_parser("reset-2fa", help="remove the user's two-factor authenticator and recovery codes "
                        "(a lost phone); editors and admins set it up again at their next login")
    r2.add_argument("username")


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

        print(api_token(args.username, reset=args.reset, days=args.days))
        from django.contrib.auth import get_user_model

        from kuager.accounts.services import enrolled, required_for

        user = get_user_model().objects.get(username=args.username)
        if required_for(user) and not enrolled(user):  # docs/protection.md: such a token is refused until then
            print(f"warning: {args.username} has not set up two-factor authentication; the API refuses this "
                  "token (401) until they have (they are asked to at their next login on the web pages)",
                  file=sys.stderr)
        return 0
    if args.action == "revoke-tokens":
        from kuager.accounts.services import revoke_tokens

        print(f"Revoked {revoke_tokens(args.username)} token(s) of {args.username}")
        return 0
    if args.action == "reset-2fa":
        from kuager.accounts.services import reset

        had = reset(args.username)
        print(f"Two-factor authentication of {args.username} "
              f"{'removed' if had else 'was not set up'}; they set it up again at their next login "
              "(required for editors and admins)")
        return 0
    user, created = add_user(args.username, args.role, _password(args), email=args.email)
    print(f"{'Created' if created else 'Updated'} user {user.username} with role {args.role}")
    from kuager.accounts.services import enrolled, required_for

    if required_for(user) and not enrolled(user):
        print("Two-factor authentication is required for this role: at the first login, after the password, "
              "the web app shows a QR code and a key to add to an authenticator app (Aegis, FreeOTP, Google "
              "Authenticator), then asks for one 6-digit code and shows ten recovery codes to write down. "
              "Until then the password alone is enough to set it up: give it in person and have them log in "
              "and set it up at once. A lost phone: `kuager user reset-2fa " + user.username + "`.")
    return 0
