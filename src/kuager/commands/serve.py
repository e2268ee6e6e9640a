"""``kuager serve``: run the web application (development server)."""

from __future__ import annotations

import argparse

NAME = "serve"
SETS_UP_DATABASE = True
HELP = "run the web application on this machine"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000)")


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from kuager.records.services.setup import initialise

    initialise()
    call_command("runserver", args.addr, use_reloader=False)
    return 0
