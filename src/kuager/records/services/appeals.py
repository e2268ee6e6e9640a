"""Appeals to authorities (ESF "interventions"): record them and their answers, list the
unanswered ones with how long they have waited, and write appeal letters.

Families in the bundled article wrote to Kazakhstan's Ministry of Foreign Affairs
and heard nothing; an appeal recorded here keeps that silence visible and dated.

- :func:`record_appeal`, :func:`record_response`: writes (atomic).
- :func:`unanswered_appeals`: a read; days waited against a ``today`` you pass.
- :func:`appeal_letter`: a formal letter (PDF bytes) for a list of victims, with
  what an official needs, citizenship first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from django.db import transaction

from kuager import vocabulary
from kuager.dates import UNKNOWN, parse_partial_date
from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records import redaction, selectors

RESPONSE_STATUSES = ("none", "answered", "unknown")


def _next_key(testimony: m.Testimony | None) -> str:
    if testimony is not None:
        k = 1
        while m.Appeal.objects.filter(key=f"{testimony.number}/a{k}").exists():
            k += 1
        return f"{testimony.number}/a{k}"
    keys = m.Appeal.objects.filter(key__regex=r"^A-\d+$").values_list("key", flat=True)
    return f"A-{max((int(k[2:]) for k in keys), default=0) + 1:05d}"


@transaction.atomic
def record_appeal(*, authority: str, victims: list[m.Victim], sender: str = "", date_text: str = "",
                  description: str = "", testimony: m.Testimony | None = None) -> m.Appeal:
    """Record an appeal to an authority on behalf of victims.

    The appeal is linked to the victims' mentions (the model links appeals to
    mentions, so the redaction layer decides where it may be shown): with a
    ``testimony``, to the victims' mentions in that testimony when it has any;
    otherwise to all their mentions.

    Args:
        authority: to whom (e.g. "Ministry of Foreign Affairs of Kazakhstan",
            "Embassy of the People's Republic of China in Astana", "UN WGEID",
            "Senator ...").
        victims: the victims named in the appeal (at least one).
        sender: who sent it, as it may be shown (a testifier's name is shown only
            under full consent when the appeal belongs to their testimony; for an
            appeal recorded without testimony the sender is shown as given, so use
            an organisation's name or "the family" for a person who must not be named).
        date_text: when it was sent, as a partial date ("2018-05", "May 2018"; empty: unknown).
        description: what was sent ("letter", "visit", "petition with 47 names"...).
        testimony: the testimony that reports it, if any.

    Returns:
        The saved :class:`~kuager.records.models.Appeal` (key ``T-002/a2`` under a
        testimony, else ``A-00001``), response status ``unknown``.

    Raises:
        InputError: no authority, no victim, or a date that is not a date.
    """
    if not (authority or "").strip():
        raise InputError("an appeal needs the authority it was sent to", field="authority")
    if not victims:
        raise InputError("an appeal needs at least one victim named", field="victims")
    when = parse_partial_date(date_text, field="date")
    ap = m.Appeal(key=_next_key(testimony), testimony=testimony, authority=authority.strip(),
                  sender=(sender or "").strip(), description=(description or "").strip(), response_status="unknown")
    ap.date = when
    ap.save()
    mentions = []
    for v in victims:
        ms = list(v.mentions.all())
        if testimony is not None and any(mn.testimony_id == testimony.id for mn in ms):
            ms = [mn for mn in ms if mn.testimony_id == testimony.id]
        mentions += ms
    ap.mentions.set(mentions)
    from kuager.audit.services import record

    record("create", ap, new={"authority": ap.authority, "sender": ap.sender, "date": ap.date_text,
                              "mentions": sorted(mn.key for mn in mentions)})
    return ap


@transaction.atomic
def record_response(appeal: m.Appeal, *, status: str = "answered", text: str = "",
                    date_text: str = "") -> m.Appeal:
    """Record the answer to an appeal (or that none came).

    Args:
        appeal: the appeal.
        status: ``answered``, ``none`` (the appellant says no answer came) or
            ``unknown`` (nothing known; clears the answer).
        text: what the answer said.
        date_text: when it came, as a partial date.

    Returns:
        The appeal, saved.

    Raises:
        InputError: an unknown status, an answer with no text and no date, or a bad date.
    """
    if status not in RESPONSE_STATUSES:
        raise InputError(f"unknown response status {status!r}; use one of {', '.join(RESPONSE_STATUSES)}",
                         field="status")
    when = parse_partial_date(date_text, field="date")
    if status == "answered" and not (text or "").strip() and when.precision == UNKNOWN:
        raise InputError("an answer needs what it said or when it came", field="text")
    ap = m.Appeal.objects.select_for_update().get(pk=appeal.pk)
    old = {"response_status": ap.response_status, "response_text": ap.response_text,
           "response_date": ap.response_date_text}
    ap.response_status = status
    ap.response_text = (text or "").strip() if status != "unknown" else ""
    ap.response_date = when if status == "answered" else parse_partial_date("")
    ap.save()
    from kuager.audit.services import record

    record("update", ap, old=old, new={"response_status": ap.response_status, "response_text": ap.response_text,
                                       "response_date": ap.response_date_text})
    return ap


@dataclass
class WaitingAppeal:
    """An appeal with no answer recorded, and how long it has waited.

    Attributes:
        appeal: the appeal.
        victims: the victims it names (public ids, display names).
        status: ``none`` (no response, says the appellant) or ``unknown`` (no answer recorded).
        since: the day the wait is counted from (None when no date is known).
        basis: what ``since`` is, in words.
        days: days from ``since`` to ``today`` (None when no date is known).
    """

    appeal: m.Appeal
    victims: list[tuple[str, str]]
    status: str
    since: date | None
    basis: str
    days: int | None


def unanswered_appeals(today: date | None = None) -> list[WaitingAppeal]:
    """Appeals with no answer recorded (status ``none`` or ``unknown``), longest wait first.

    Days waited are counted from the first day of the appeal's date (its
    ``date_start``: for "2018-05", 1 May 2018). When the appeal is undated, they
    are counted from the first day of the recording date of the testimony that
    reports it (the appeal was sent no later than that, so the true wait is at
    least about that long); ``basis`` says which. With neither, ``days`` is None.

    Args:
        today: the date to count to (default: today, UTC).

    Returns:
        :class:`WaitingAppeal` rows, most days first, undated last, then by key.
    """
    today = today or datetime.now(timezone.utc).date()
    rows = []
    qs = m.Appeal.objects.filter(response_status__in=("none", "unknown")).select_related("testimony") \
        .prefetch_related("mentions__victim")
    for ap in qs:
        if ap.date_start:
            since, basis = ap.date_start, f"appeal dated {ap.date}"
        elif ap.testimony_id and ap.testimony.recorded_on_start:
            since = ap.testimony.recorded_on_start
            basis = f"appeal undated; counted from testimony {ap.testimony.number} recorded {ap.testimony.recorded_on}"
        else:
            since, basis = None, "no date: neither the appeal nor its testimony is dated"
        victims = sorted({(mn.victim.public_id, mn.victim.display_name) for mn in ap.mentions.all() if mn.victim_id})
        rows.append(WaitingAppeal(ap, victims, ap.response_status, since, basis,
                                  (today - since).days if since else None))
    rows.sort(key=lambda r: (r.days is None, -(r.days or 0), r.appeal.key))
    return rows


# ---------------------------------------------------------------------------------------------- letters

#: Citizenship values read as "citizen of Kazakhstan" (the start of the stated value).
_KZ = ("kazakhstan", "republic of kazakhstan", "қазақстан", "казахстан")


def is_kazakhstan_citizen(profile: selectors.VictimProfile) -> bool:
    """True when a testimony states Kazakhstan citizenship (not "promised" or "applied for")."""
    f = next(f for f in profile.fields if f.name == "citizenship")
    for s in f.values:
        v = s.value.strip().lower()
        if (v.startswith(_KZ) or vocabulary.canonical(vocabulary.CITIZENSHIP, v) == "kz") \
                and not any(w in v for w in ("promised", "applied", "pending")):
            return True
    return False


@dataclass
class LetterEntry:
    """One victim in a letter: label/value rows, citizenship first."""

    public_id: str
    name: str
    kazakhstan_citizen: bool
    rows: list[tuple[str, str]]


def _letter_entry(victim: m.Victim, audience: redaction.Audience) -> LetterEntry:
    profile = redaction.visible_profile(victim, audience)
    if profile is None:
        raise KuagerError(f"{victim.public_id} may not be named outside the team (consent or confidentiality); "
                          "leave them out of the letter")
    fields = {f.name: f for f in profile.fields}

    def vals(name: str) -> str:
        return "; ".join(f"{s.value} ({', '.join(s.testimonies)})" for s in fields[name].values) or "not known"

    rows = [("Citizenship", vals("citizenship"))]
    rows += [(f"Name ({script})", text) for text, script, _ in profile.names]
    rows += [("Date of birth / age", vals("birth")), ("Sex", vals("sex")), ("Ethnicity", vals("ethnicity")),
             ("Place of origin", vals("place_of_origin"))]
    if fields["chinese_id"].values:
        rows.append(("Chinese ID number", vals("chinese_id")))
    detention = []
    for t in profile.timeline:
        if t.event.kind in (*selectors.STATUS_KINDS, m.EventKind.TRAVELLED_TO_CHINA, m.EventKind.INTERROGATED,
                            m.EventKind.PASSPORT_CONFISCATED):
            where = t.event.place_text or (t.event.facility.name if t.event.facility_id else "")
            detention.append(f"{t.date}: {t.event.kind_text or t.event.get_kind_display()}"
                             + (f", {where}" if where else "") + f" ({t.testimony.number})")
    rows.append(("Detention or last contact: dates and places", "; ".join(detention) or "not known"))
    rows.append(("What is known of their fate", "; ".join(f"{s.value} ({', '.join(s.testimonies)})"
                                                          for s in profile.status) or "nothing"))
    appeals = []
    for a in profile.appeals:
        when = "undated" if a.date.precision == UNKNOWN else str(a.date)
        if a.response_status == "answered":
            answer = "answered" + ("" if a.response_date.precision == UNKNOWN else f" {a.response_date}") \
                + (f": {a.response_text}" if a.response_text else "")
        else:
            answer = "no response" if a.response_status == "none" else "no answer recorded"
        appeals.append(f"to {a.authority} ({when}): {answer}")
    rows.append(("Previous appeals and their answers", "; ".join(appeals) or "none recorded"))
    return LetterEntry(victim.public_id, victim.display_name or profile.names[0][0], is_kazakhstan_citizen(profile),
                       rows)


def appeal_letter(victims: list[m.Victim], authority: str, sender: str, *, today: date | None = None,
                  sender_address: str = "") -> bytes:
    """A formal appeal letter for a list of victims, as PDF bytes.

    Each victim is described with citizenship first (Kazakhstan citizens are
    listed first: the Constitution of Kazakhstan, art. 11, guarantees its
    citizens protection abroad, and the Vienna Convention on Consular Relations,
    art. 36, gives consular access to nationals detained abroad), then names in
    every script held, date of birth or age, place of origin, the dates and
    places of detention or last contact, what is known of their fate, and
    previous appeals with their answers. Only what the redaction layer lets
    leave the system (public scope) is used: testifiers are not named and their
    contact details never appear.

    Args:
        victims: the victims (at least one; duplicates are dropped).
        authority: to whom the letter is addressed.
        sender: who signs it.
        today: the letter's date (default: today, UTC).
        sender_address: an address line under the sender's name.

    Returns:
        The PDF bytes.

    Raises:
        KuagerError: no victims, no authority or sender, or a victim who may not be
            named outside the team.
    """
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from kuager.records.services.wgeid import FONT_STACK

    if not victims:
        raise KuagerError("a letter needs at least one victim")
    if not (authority or "").strip() or not (sender or "").strip():
        raise KuagerError("a letter needs the authority it is addressed to and the sender")
    today = today or datetime.now(timezone.utc).date()
    audience = redaction.Audience(redaction.PUBLIC)
    seen, entries = set(), []
    for v in victims:
        if v.pk not in seen:
            seen.add(v.pk)
            entries.append(_letter_entry(v, audience))
    entries.sort(key=lambda e: not e.kazakhstan_citizen)  # stable: Kazakhstan citizens first, else as given
    n_kz = sum(e.kazakhstan_citizen for e in entries)
    html = render_to_string("advocacy/appeal_letter.html", {
        "fonts": FONT_STACK, "entries": entries, "authority": authority.strip(), "sender": sender.strip(),
        "sender_address": sender_address, "today": today, "n_kz": n_kz, "n": len(entries)})
    from kuager.audit.services import record

    record("export", ("appeal letter", authority[:200]), new={"kind": "appeal letter", "authority": authority,
                                                              "victims": [v.public_id for v in victims]})
    return HTML(string=html).write_pdf()
