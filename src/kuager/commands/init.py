"""``kuager init``: create the data directory, the secret key and the database."""

from __future__ import annotations

import argparse

NAME = "init"
SETS_UP_DATABASE = True
HELP = "create the data directory and database, and apply migrations"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.setup import initialise

    home = initialise()
    print(f"Kuager data directory ready: {home}")
    return 0
