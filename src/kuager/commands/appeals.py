"""``kuager appeals``: record appeals and their answers, list them (the unanswered ones with days waited),
and write appeal letters."""

from __future__ import annotations

import argparse

NAME = "appeals"
HELP = "record appeals to authorities and their answers, list them (--unanswered: with days waited), write letters"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="list appeals and their answers")
    ls.add_argument("--unanswered", action="store_true", help="only appeals with no answer, longest wait first")
    ls.add_argument("--today", help="count days to this date (YYYY-MM-DD; default today)")
    ad = sub.add_parser("add", help="record an appeal sent to an authority (prints its key)")
    ad.add_argument("--to", required=True, dest="authority", help="the authority it was sent to")
    ad.add_argument("--victims", required=True, help="public ids or names, comma-separated (V-00001,V-00002)")
    ad.add_argument("--date", default="", help="when it was sent, as a partial date (2018-05, 'May 2018'; default unknown)")
    ad.add_argument("--sender", default="", help="who sent it, as it may be shown (an organisation, 'the family')")
    ad.add_argument("--text", default="", help="what was sent ('letter', 'petition with 47 names'...)")
    ad.add_argument("--testimony", help="the number of the testimony that reports it (key T-002/a2), if any")
    rs = sub.add_parser("respond", help="record the answer to an appeal, or that none came (--none)")
    rs.add_argument("appeal", metavar="APPEAL_KEY", help="the appeal's key, as kuager appeals list shows it")
    rs.add_argument("--text", default="", help="what the answer said")
    rs.add_argument("--date", default="", help="when it came, as a partial date")
    rs.add_argument("--none", action="store_true", help="no answer came (the appellant says so)")
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

    if args.action == "add":
        from kuager.errors import InputError

        names = [q.strip() for q in args.victims.split(",") if q.strip()]
        victims = list({v.pk: v for v in (find_victim(q) for q in names)}.values())
        testimony = None
        if args.testimony:
            testimony = m.Testimony.objects.filter(number=args.testimony).first()
            if testimony is None:
                raise InputError(f"no testimony {args.testimony}", field="--testimony")
        ap = appeals.record_appeal(authority=args.authority, victims=victims, sender=args.sender,
                                   date_text=args.date, description=args.text, testimony=testimony)
        who = ", ".join(v.public_id for v in victims)
        print(f"Recorded appeal {ap.key} to {ap.authority} for {who}; answer it with: "
              f"kuager appeals respond {ap.key} --text ...")
        return 0
    if args.action == "respond":
        from kuager.errors import InputError

        ap = m.Appeal.objects.filter(key=args.appeal).first()
        if ap is None:
            raise InputError(f"no appeal {args.appeal}; kuager appeals list shows the keys", field="APPEAL_KEY")
        ap = appeals.record_response(ap, status="none" if args.none else "answered", text=args.text,
                                     date_text=args.date)
        print(f"Appeal {ap.key}: " + ("no response recorded" if args.none else f"answer recorded ({ap.response_date})"))
        return 0
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
