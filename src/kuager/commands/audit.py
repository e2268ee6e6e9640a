"""``kuager audit verify|list``: check the audit log's hash chain, or show recent entries."""

from __future__ import annotations

import argparse
import json

NAME = "audit"
HELP = "verify the audit log's hash chain (exit 1 when broken) or list recent entries"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_action", metavar="ACTION")
    sub.add_parser("verify", help="recheck every link; print OK and the head hash, or the first broken link")
    ls = sub.add_parser("list", help="the latest entries (confidential values are masked in the log itself)")
    ls.add_argument("-n", type=int, default=20, help="how many (default 20)")


def run(args: argparse.Namespace) -> int:
    from kuager.audit.models import AuditEntry
    from kuager.audit.services import verify

    action = getattr(args, "audit_action", None) or "verify"
    if action == "list":
        for e in reversed(list(AuditEntry.objects.order_by("-seq")[: args.n])):
            detail = json.dumps({"old": e.old, "new": e.new}, ensure_ascii=False)
            print(f"{e}  {detail[:300]}")
        return 0
    result = verify()
    print(result.summary())
    return 0 if result.ok else 1
