"""``kuager report --out DIR``: write the static HTML report."""

from __future__ import annotations

import argparse

NAME = "report"
HELP = "write the static HTML report (public by default: only what consent allows)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--scope", choices=["public", "internal"], default="public",
                        help="public (default) or internal (confidential material included)")


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.reporting import write_report

    print(f"Report written: {write_report(args.out, scope=args.scope)}")
    return 0
