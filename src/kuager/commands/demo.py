"""``kuager demo``: init, import the bundled real data, resolve, report, and print a summary."""

from __future__ import annotations

import argparse

NAME = "demo"
SETS_UP_DATABASE = True
HELP = "run the main job on the bundled real data (openDemocracy 2018 cases, BuzzFeed facilities)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", help="report folder (default: $KUAGER_HOME/report)")


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.demo import run_demo

    summary = run_demo(out=args.out)
    print(summary.text())
    return 0
