"""``kuager wgeid VICTIM --out FILE``: draft an individual case submission to the UN WGEID."""

from __future__ import annotations

import argparse

NAME = "wgeid"
HELP = "draft a case submission to the UN Working Group on Enforced or Involuntary Disappearances (PDF or DOCX)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("victim", metavar="VICTIM", help="public id (V-00001) or a name in any script")
    parser.add_argument("--out", help="output file (.pdf or .docx); not needed with --check")
    parser.add_argument("--format", choices=["pdf", "docx"], help="default: from the --out extension")
    parser.add_argument("--submitter", help="who submits (a person or an organisation)")
    parser.add_argument("--confidential-submitter", action="store_true",
                        help="keep the submitter's identity out of the text (given to the Working Group separately)")
    parser.add_argument("--check", action="store_true", help="print the admissibility check only")


def run(args: argparse.Namespace) -> int:
    from kuager.errors import KuagerError
    from kuager.records.services import wgeid

    victim = wgeid.find_victim(args.victim)
    adm = wgeid.check_admissibility(victim, submitter=args.submitter,
                                    confidential_submitter=args.confidential_submitter)
    print(adm.text())
    if args.check:
        return 1 if adm.refusals else 0
    if not args.out:
        raise KuagerError("give --out FILE (.pdf or .docx), or --check for the check only")
    sub = wgeid.draft_submission(victim, submitter=args.submitter,
                                 confidential_submitter=args.confidential_submitter, today=adm.today)
    fmt = wgeid.write_submission(sub, args.out, args.format)
    print(f"Draft written ({fmt}): {args.out}")
    return 0
