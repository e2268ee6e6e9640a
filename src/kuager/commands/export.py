"""``kuager export --format json|csv|ftm --scope public|internal --out PATH``."""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "export the database as Kuager JSON, CSV tables or FollowTheMoney entities (public by default: only what consent allows)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", dest="fmt", choices=["json", "csv", "ftm"], default="json",
                        help="json: one Kuager JSON file (docs/json-format.md; re-importable with kuager import); "
                             "csv: a folder with one spreadsheet-safe UTF-8 CSV file per table; "
                             "ftm: FollowTheMoney entities, one JSON object per line, for Aleph (default: json)")
    parser.add_argument("--scope", choices=["public", "internal"], default="public",
                        help="public (default): only what consent allows, through the redaction layer; "
                             "internal: everything, confidential material included")
    parser.add_argument("--out", required=True, help="the JSON or FtM file, or the folder for CSV tables")


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.exporting import export

    counts = export(args.out, fmt=args.fmt, scope=args.scope)
    summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    print(f"Exported ({args.scope}, {args.fmt}) to {args.out}: {summary or 'nothing'}")
    return 0
