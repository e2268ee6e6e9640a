"""``kuager backup OUT``: one encrypted archive of the database, files and audit log."""

from __future__ import annotations

import argparse

NAME = "backup"
HELP = "write one encrypted archive (database, files, audit log, manifest of hashes) protected by a passphrase"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", help="the archive to write, e.g. kuager-2026-11-29.kbak")
    parser.add_argument("--passphrase-file", help="a file whose first line is the passphrase "
                        "(default: $KUAGER_BACKUP_PASSPHRASE); at least 12 characters")


def run(args: argparse.Namespace) -> int:
    from kuager.records.services.backup import backup, passphrase_from

    report = backup(args.out, passphrase_from(args.passphrase_file))
    print(f"Backup written: {report.summary()}")
    return 0
