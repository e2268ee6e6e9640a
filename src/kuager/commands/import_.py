"""``kuager import PATH``: import a spreadsheet, a Kuager JSON file or a facilities dataset."""

from __future__ import annotations

import argparse
import sys

NAME = "import"
HELP = "import a spreadsheet (CSV/XLSX with a mapping), a Kuager JSON file, or a facilities dataset"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="+", help="file(s) to import; each is imported atomically")
    parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx", "json", "mentions", "buzzfeed-facilities"],
                        help="the file format (default: from the extension and header)")
    parser.add_argument("--mapping", help="mapping TOML for a spreadsheet (default: a bundled mapping "
                        "whose header matches); see docs/import-mapping.md")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")


def run(args: argparse.Namespace) -> int:
    from kuager.errors import InputError
    from kuager.records.services.importing import import_file

    status = 0
    for path in args.path:
        try:
            report = import_file(path, fmt=args.fmt, mapping=args.mapping, dry_run=args.dry_run)
        except InputError as exc:
            print(f"kuager import: {path}: rejected, nothing written:\n{exc}", file=sys.stderr)
            status = 1
            continue
        print(report.summary())
    return status
