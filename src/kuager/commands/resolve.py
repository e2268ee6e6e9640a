"""``kuager resolve``: join mentions into victims."""

from __future__ import annotations

import argparse

NAME = "resolve"
HELP = "join mentions into victims (people's decisions always override)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.resolution import resolve

    print(resolve().summary())
    return 0
