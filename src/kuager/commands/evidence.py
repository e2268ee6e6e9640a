"""``kuager evidence add|verify``: take files in with their hash; recheck every held file."""

from __future__ import annotations

import argparse

NAME = "evidence"
HELP = "take a file in as evidence for a testimony (hashed, original kept read-only), or verify every held file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="evidence_action", metavar="ACTION")
    add = sub.add_parser("add", help="store a file as evidence for a testimony")
    add.add_argument("testimony", help="the testimony number, e.g. T-002")
    add.add_argument("file", help="the file")
    add.add_argument("--kind", default="other", choices=["id_copy", "passport_copy", "photo", "letter", "other"])
    add.add_argument("--description", default="", help="what the file is")
    add.add_argument("--mention", help="the person it concerns (a mention key such as T-002/m1); "
                     "default: the testimony's only person, if it names exactly one")
    sub.add_parser("verify", help="hash every original and derived copy again; exit 1 on any mismatch or missing file")


def run(args: argparse.Namespace) -> int:
    from kuager.errors import KuagerError
    from kuager.records import models as m
    from kuager.records.services import evidence

    action = getattr(args, "evidence_action", None) or "verify"
    if action == "add":
        t = m.Testimony.objects.filter(number=args.testimony).first()
        if t is None:
            raise KuagerError(f"no testimony {args.testimony!r}")
        mentions = list(t.mentions.all())
        if args.mention:
            mention = next((mn for mn in mentions if mn.key == args.mention), None)
            if mention is None:
                raise KuagerError(f"testimony {t.number} has no person {args.mention!r}; it names: "
                                  f"{', '.join(mn.key for mn in mentions) or 'nobody'}")
        else:
            mention = mentions[0] if len(mentions) == 1 else None
        doc = evidence.add_evidence(t, args.file, kind=args.kind, description=args.description, mention=mention)
        shown = "a derived copy without metadata is what pages show" if doc.derived_sha256 else \
            "no derived copy (not an image): it is never shown publicly"
        print(f"{doc.key}: {doc.size} bytes, {doc.media_type}, sha256 {doc.sha256}; {shown}")
        return 0
    report = evidence.verify_all()
    print(report.summary())
    return 0 if report.ok else 1
