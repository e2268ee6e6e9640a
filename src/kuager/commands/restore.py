"""``kuager restore IN``: verify an encrypted archive in full, then restore it."""

from __future__ import annotations

import argparse

NAME = "restore"
SETS_UP_DATABASE = True
HELP = "verify a backup archive completely, then restore it (refuses a damaged archive; writes nothing then)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("archive", help="the archive written by kuager backup")
    parser.add_argument("--passphrase-file", help="a file whose first line is the passphrase "
                        "(default: $KUAGER_BACKUP_PASSPHRASE)")
    parser.add_argument("--replace", action="store_true",
                        help="empty a database that already holds records before restoring")
    parser.add_argument("--check", action="store_true", help="only verify the archive; write nothing")


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.backup import check_archive, passphrase_from, restore

    passphrase = passphrase_from(args.passphrase_file)
    if args.check:
        checked = check_archive(args.archive, passphrase)
        print(f"OK: {args.archive}: {len(checked.manifest['members'])} members match the manifest; made "
              f"{checked.manifest['created']}")
        return 0
    report = restore(args.archive, passphrase, replace=args.replace, prepare=True)
    print(f"Restore finished: {report.summary()}")
    return 0
