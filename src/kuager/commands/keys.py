"""``kuager keys``: the encryption key file (status, rotation). Never prints key material."""

from __future__ import annotations

import argparse

NAME = "keys"
HELP = "show the encryption key file's status, or rotate the keys and re-encrypt everything"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="keys_action", metavar="ACTION")
    sub.add_parser("status", help="where the key file is, its key ids, and how many values each key encrypted")
    sub.add_parser("rotate", help="new keys; re-encrypt every value and rebuild blind indexes in one transaction")


def run(args: argparse.Namespace) -> int:
    from kuager.protection import crypto, keys

    action = getattr(args, "keys_action", None) or "status"
    if action == "rotate":
        report = keys.rotate()
        print("Keys rotated: " + report.summary())
        return 0
    ring = crypto.load_keyring()
    print(f"key file: {ring.path}")
    print(f"active data key: {ring.active} (created {ring.created.get(ring.active, '?')})")
    print(f"active index key: {ring.active_index}")
    others = sorted(set(ring.data_keys) - {ring.active})
    if others:
        print(f"older data keys still held (a rotation did not finish): {', '.join(others)}")
    usage = keys.key_usage()
    for kid, n in sorted(usage.items()):
        known = "" if kid in ring.data_keys or kid == "(plaintext)" else " (NOT IN THE KEY FILE)"
        print(f"  values under {kid}: {n}{known}")
    return 0
