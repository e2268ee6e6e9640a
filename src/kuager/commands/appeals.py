"""``kuager appeals``: list appeals (the unanswered ones with days waited) and write appeal letters."""

from __future__ import annotations

import argparse

NAME = "appeals"
HELP = "list appeals to authorities (--unanswered: with days waited) or write an appeal letter (PDF)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list appeals and their answers")
    ls.add_argument("--unanswered", action="store_true", help="only appeals with no answer, longest wait first")
    ls.add_argument("--today", help="count days to this date (YYYY-MM-DD; default today)")
    lt = sub.add_parser("letter", help="write an appeal letter for victims (PDF)")
    lt.add_argument("victims", nargs="+", metavar="VICTIM", help="public ids (V-00001) or names")
    lt.add_argument("--to", required=True, dest="authority", help="the authority addressed")
    lt.add_argument("--sender", default="The families of the persons named below",
                    help="who signs (default: 'The families of the persons named below')")
    lt.add_argument("--out", required=True, help="output PDF file")


def _today(text):
    from datetime import date

    from kuager.errors import InputError

    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date; expected YYYY-MM-DD", field="--today") from None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kuager.records import models as m
    from kuager.records.services import appeals
    from kuager.records.services.wgeid import find_victim

    if args.action == "letter":
        victims = [find_victim(q) for q in args.victims]
        pdf = appeals.appeal_letter(victims, args.authority, args.sender)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
        print(f"Letter to {args.authority} for {len(victims)} victim(s) written: {out}")
        return 0
    if args.unanswered:
        rows = appeals.unanswered_appeals(_today(args.today))
        if not rows:
            print("No unanswered appeals.")
        for r in rows:
            waited = f"{r.days} days" if r.days is not None else "wait unknown"
            status = "no response" if r.status == "none" else "no answer recorded"
            who = ", ".join(f"{pid} {name}" for pid, name in r.victims) or "(no victim named)"
            print(f"{r.appeal.key}  to {r.appeal.authority}  [{who}]  {status}; waited {waited} ({r.basis})")
        return 0
    qs = m.Appeal.objects.prefetch_related("mentions__victim").order_by("key")
    if not qs:
        print("No appeals recorded.")
    for ap in qs:
        who = ", ".join(sorted({mn.victim.public_id for mn in ap.mentions.all() if mn.victim_id})) or "-"
        answer = {"none": "no response", "unknown": "no answer recorded"}.get(
            ap.response_status, f"answered {ap.response_date}: {ap.response_text}".strip())
        print(f"{ap.key}  {ap.date}  to {ap.authority}  [{who}]  {answer}")
    return 0
