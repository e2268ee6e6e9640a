"""Individual case submissions to the UN Working Group on Enforced or Involuntary Disappearances.

A selector/service pair:

- :func:`check_admissibility` (a read) says, element by element, whether the
  record holds what the Working Group needs to transmit a case, what is missing in
  plain words, whether the urgent procedure applies, and whether Kuager refuses to
  draft at all (no family consent; release recorded; nothing may leave the system).
- :func:`draft_submission` builds the content of the submission (a
  :class:`Submission` of plain strings) from the victim's profile as the
  redaction layer lets it leave the system; :func:`render_pdf` and
  :func:`render_docx` turn it into files.

Sources of the rules (read from the documents as we know them; check the current
texts on the Working Group's page before relying on a detail):

- Methods of work of the Working Group, A/HRC/WGEID/102/2 (2014): the minimum
  elements of an individual case, (a) full name, (b) date of disappearance (at
  least month and year of the arrest or abduction), (c) place of arrest or
  abduction or where last seen (at least town or village), (d) parties presumed
  to have carried out the arrest or to hold the person, (e) steps taken to locate
  the person, and the identity of the source, which is kept confidential on
  request; cases within the three months before receipt go to the urgent action
  procedure; a case is "clarified" when the fate and whereabouts are clearly
  established (a release recorded establishes them).
- Fact sheet No. 6/Rev.3, "Enforced or Involuntary Disappearances" (OHCHR,
  2009): who may submit (the family, or organisations acting for it) and the
  same elements, with identifying data such as an identity document number.
- International Convention for the Protection of All Persons from Enforced
  Disappearance (2006), art. 2: an enforced disappearance is a deprivation of
  liberty by agents of the State or by persons acting with its authorization,
  support or acquiescence, followed by a refusal to acknowledge it or by
  concealment of the person's fate or whereabouts. So element (d) must point to
  the State; the Working Group does not take cases against non-State actors.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from kuager.dates import DAY, MONTH, PartialDate
from kuager.errors import KuagerError
from kuager.records import models as m
from kuager.records import redaction, selectors

#: Events that can date the disappearance: the arrest or detention, or the day contact was lost.
DISAPPEARANCE_KINDS = (
    m.EventKind.DETAINED, m.EventKind.DETAINED_CAMP, m.EventKind.DETAINED_DETENTION_CENTRE,
    m.EventKind.DETAINED_PRISON, m.EventKind.DISAPPEARED, m.EventKind.LOST_CONTACT,
)

#: Events that put the person in State custody (Convention art. 2: "agents of the State"),
#: with the words used in the submission.
STATE_CUSTODY = {
    m.EventKind.DETAINED: "detained (a deprivation of liberty by the authorities)",
    m.EventKind.DETAINED_CAMP: "held in a camp (a \"political re-education\" facility run by the State)",
    m.EventKind.DETAINED_DETENTION_CENTRE: "held in a detention centre (a State facility)",
    m.EventKind.DETAINED_PRISON: "imprisoned (a State prison)",
    m.EventKind.SENTENCED: "sentenced (by a State court or authority)",
    m.EventKind.TRANSFERRED: "transferred between places of detention (by the authorities)",
}

#: Relations that make a testifier "the family" for consent (or ``self``: the victim).
_FAMILY = re.compile(
    r"\b(self|husband|wife|spouse|partner|mother|father|parents?|sons?|daughters?|child(ren)?|brothers?|"
    r"sisters?|siblings?|relatives?|family|uncle|aunt|cousins?|nephew|niece|grand\w*|\w+-in-law|fianc[ée]e?)\b",
    re.IGNORECASE)

#: Words that do not locate a place to a town or village.
_VAGUE_WORDS = {
    "china", "prc", "xinjiang", "xuar", "uyghur", "uygur", "autonomous", "region", "the", "a", "in", "of", "an",
    "re-education", "reeducation", "political", "camp", "centre", "center", "detention", "prison", "facility",
    "location", "unknown", "not", "given", "known", "somewhere", "people's", "republic", "vocational", "training",
}

REQUIRED, RECOMMENDED = True, False


@dataclass
class Element:
    """One element the Working Group needs, as the record holds it.

    Attributes:
        code: ``a``, ``a-id``, ``a-photo``, ``b``, ``c``, ``d``, ``e``, ``f`` or ``consent``.
        title: what the element is, in plain words.
        required: True for the minimum elements (a case is not transmitted without
            them); False for identifying data that help but are not required.
        present: True when the record holds it.
        found: what the record holds, one plain sentence per item (with testimonies).
        missing: what is missing, in plain words (empty when present).
    """

    code: str
    title: str
    required: bool
    present: bool
    found: list[str] = field(default_factory=list)
    missing: str = ""


@dataclass
class Admissibility:
    """The check before drafting.

    Attributes:
        victim: the victim.
        elements: :class:`Element` per code, in the order (a), ID, photo, (b)-(f), consent.
        urgent: True when the disappearance may have begun within three months of
            ``today`` (urgent action procedure).
        urgent_reason: why (or why not), in plain words.
        refusals: reasons Kuager will not draft (no consent, a release recorded,
            nothing may leave the system); empty when a draft may be made.
        today: the date the check was made against.
    """

    victim: m.Victim
    elements: list[Element]
    urgent: bool
    urgent_reason: str
    refusals: list[str]
    today: date

    def element(self, code: str) -> Element:
        """The element with ``code``; KeyError when there is none."""
        for e in self.elements:
            if e.code == code:
                return e
        raise KeyError(code)

    @property
    def missing(self) -> list[str]:
        """What is missing, required elements first, one plain sentence each."""
        req = [f"({e.code}) {e.missing}" for e in self.elements if e.required and not e.present]
        rec = [f"({e.code}) {e.missing}" for e in self.elements if not e.required and not e.present]
        return req + rec

    @property
    def complete(self) -> bool:
        """True when every required element is present and nothing refuses a draft."""
        return not self.refusals and all(e.present for e in self.elements if e.required)

    def text(self) -> str:
        """The check as lines for a terminal."""
        name = self.victim.display_name or self.victim.public_id
        lines = [f"WGEID admissibility of {self.victim.public_id} {name} (checked against {self.today}):"]
        for e in self.elements:
            mark = "present" if e.present else ("MISSING" if e.required else "missing (recommended)")
            lines.append(f"  ({e.code}) {e.title}: {mark}")
            for f in e.found:
                lines.append(f"        - {f}")
            if not e.present:
                lines.append(f"        ! {e.missing}")
        lines.append(f"  procedure: {'URGENT ACTION' if self.urgent else 'standard'} ({self.urgent_reason})")
        if self.refusals:
            lines.append("  REFUSED: " + " ".join(self.refusals))
        elif self.complete:
            lines.append("  every required element is present")
        else:
            lines.append(f"  a draft can be made; {sum(1 for e in self.elements if e.required and not e.present)}"
                         " required element(s) must be completed before sending")
        return "\n".join(lines)


def _months_before(d: date, months: int) -> date:
    y, mth = divmod(d.year * 12 + d.month - 1 - months, 12)
    mth += 1
    import calendar

    return date(y, mth, min(d.day, calendar.monthrange(y, mth)[1]))


def _learned(pd: PartialDate) -> bool:
    """True when the date says when the family learned of the event, not when it happened."""
    return "learn" in (pd.note or "").lower() or "learn" in (pd.text or "").lower()


def _month_known(pd: PartialDate) -> bool:
    if pd.precision in (DAY, MONTH):
        return True
    return bool(pd.start and pd.end and (pd.start.year, pd.start.month) == (pd.end.year, pd.end.month))


def _place_specific(text: str) -> bool:
    """True when ``text`` names something more precise than China, Xinjiang or "a camp"."""
    body = re.sub(r"\([^)]*\)", " ", text or "").lower()
    words = [w for w in re.findall(r"[\w'-]+", body) if w not in _VAGUE_WORDS]
    return bool(words)


def _event_place(e: m.Event) -> str:
    """Where an event happened, in words, when the record locates it to a town or village; else ""."""
    if e.facility_id:
        f = e.facility
        where = ", ".join(p for p in (f.town, f.prefecture) if p)
        return f"{f.name} ({where})" if where else f.name
    if e.place_id and e.place.kind not in ("country", "region", "province", "autonomous region"):
        return e.place.name
    if _place_specific(e.place_text):
        return e.place_text
    return ""


def is_family(relation: str) -> bool:
    """True when a testifier's stated relation makes them family of the victim (or the victim)."""
    return bool(_FAMILY.search(relation or ""))


def consent_testimonies(victim: m.Victim) -> list[m.Testimony]:
    """The testimonies that carry the family's consent to submit the case.

    The rule (documented in docs/advocacy.md): at least one testimony about the
    victim with consent ``full`` whose testifier is the victim (``self``) or a
    relative (a family relation recorded on the mention). The methods of work
    (A/HRC/WGEID/102/2) accept cases from the family or from others acting for
    it, and the source must be able to follow the case up with the family; fact
    sheet No. 6/Rev.3 says the same. A submission names the person to the
    Government concerned, which is publication in the strongest sense, so only
    the consent that allows publication with names ("full") counts; consent
    ``anonymous`` or ``none`` does not, nor does a testifier who is not family.

    Returns:
        Those testimonies, by number.
    """
    out = {}
    for mn in victim.mentions.select_related("testimony"):
        t = mn.testimony
        if t.consent == m.ConsentChoices.FULL and is_family(mn.relation_of_testifier):
            out[t.number] = t
    return [out[k] for k in sorted(out)]


def _candidate_events(profile: selectors.VictimProfile) -> list[selectors.TimelineEntry]:
    return [t for t in profile.timeline if t.event.kind in DISAPPEARANCE_KINDS]


def _latest_status(profile: selectors.VictimProfile) -> m.Event | None:
    evs = [t for t in profile.timeline if t.event.kind in selectors.STATUS_KINDS]
    dated = [t for t in evs if t.date.start]
    if dated:
        return max(dated, key=lambda t: t.date.sort_key).event
    return evs[-1].event if evs else None


def _ref(t: m.Testimony) -> str:
    return f"testimony {t.number}"


def check_admissibility(victim: m.Victim, today: date | None = None, *, submitter: str | None = None,
                        confidential_submitter: bool = False) -> Admissibility:
    """Check a victim's record against what the Working Group needs.

    Only what the redaction layer lets leave the system counts (public scope:
    testimonies with consent ``none`` or marked confidential add nothing), since
    the facts of a case are transmitted to the Government concerned.

    Rules, element by element (sources in the module docstring):

    - (a) full name: a name held in any script. Identity number (a Chinese ID
      number on a mention) and photograph (a photo document held) are listed as
      recommended; an identity document described but not held, or with no number
      recorded, leaves the number missing.
    - (b) date: at least month and year of an arrest, detention, disappearance or
      loss of contact. A date that says when the family *learned* of it ("2018
      (learned)") does not date the disappearance.
    - (c) place of arrest or where last seen, to a town or village: a facility, a
      gazetteer place below the region, or place words naming more than "China",
      "Xinjiang" or "a camp".
    - (d) responsible: an event that puts the person in State custody (detention,
      camp, detention centre, prison, sentence, transfer) = State agents.
    - (e) steps taken: at least one appeal recorded (any authority).
    - (f) submitter: a name given (kept out of the text when confidential).
    - consent: :func:`consent_testimonies` is not empty.

    Urgent: the latest dated arrest, detention, disappearance or loss of contact
    (not a "learned" date) may have happened on or after the day three calendar
    months before ``today`` (its latest possible day is on or after it). When
    it cannot be ruled out the case is flagged; the Working Group decides.

    Refusals (no draft is made): no family consent; the latest status recorded is
    a release (the Working Group would treat the case as clarified: the person's
    fate and whereabouts are known); nothing about the victim may leave the system.

    Args:
        victim: the victim.
        today: the date to check against (default: today, UTC).
        submitter: who will submit, if known.
        confidential_submitter: the submitter asks to stay confidential.

    Returns:
        An :class:`Admissibility`.
    """
    today = today or datetime.now(timezone.utc).date()
    profile = redaction.visible_profile(victim, redaction.Audience(redaction.PUBLIC))
    refusals: list[str] = []
    consent = consent_testimonies(victim)
    elements: list[Element] = []
    if profile is None:
        refusals.append(f"Nothing about {victim.public_id} may leave the system (the victim is withheld or "
                        "confidential, or every testimony about them is withheld by consent).")
        elements = [Element(c, t, r, False, [], "nothing may be shown") for c, t, r in _ELEMENT_TITLES]
        elements[-1].present, elements[-1].missing = bool(consent), "" if consent else _consent_missing(victim)
        if not consent:
            refusals.append(f"No family consent: {_consent_missing(victim)}.")
        return Admissibility(victim, elements, False, "not checked: nothing may be shown", refusals, today)

    # (a) name and identifying data
    names = [f"{text} ({script}; {', '.join(_ref_n(n) for n in nums)})" for text, script, nums in profile.names]
    elements.append(Element("a", "full name", REQUIRED, bool(names), names,
                            "" if names else "no name is recorded for the person"))
    fields = {f.name: f for f in profile.fields}
    ids = [f"Chinese ID number {s.value} ({', '.join(_ref_n(n) for n in s.testimonies)})"
           for s in fields["chinese_id"].values]
    id_docs = [d for d in profile.documents if d.kind in ("id_copy", "passport_copy")]
    id_missing = ""
    if not ids:
        if id_docs:
            d = id_docs[0]
            id_missing = (f"no identity document number is recorded: {d.description or 'an identity document'} is "
                          f"{'held' if d.held else 'described but not held'}; copy the number from it")
        else:
            id_missing = "no identity document number is recorded"
    elements.append(Element("a-id", "identity document number", RECOMMENDED, bool(ids),
                            ids + [f"{d.description} ({'held' if d.held else 'described, not held'}; "
                                   f"{_ref(d.testimony)})" for d in id_docs], id_missing))
    photos = [d for d in profile.documents if d.kind == "photo" and d.held]
    elements.append(Element("a-photo", "photograph", RECOMMENDED, bool(photos),
                            [f"{redaction.document_label(d, redaction.Audience(redaction.PUBLIC))} ({_ref(d.testimony)})"
                             for d in photos],
                            "" if photos else "no photograph of the person is held"))

    # (b) date
    cands = _candidate_events(profile)
    own = [c for c in cands if not _learned(c.date) and c.date.start]
    with_month = [c for c in own if _month_known(c.date)]
    found_b = [f"{c.event.get_kind_display()}: {c.date} ({_ref(c.testimony)})"
               + (" - when the family learned of it, not the date of the arrest" if _learned(c.date) else "")
               for c in cands if c.date.start]
    if with_month:
        missing_b = ""
    elif own:
        missing_b = (f"the month is not known: only {', '.join(f'{c.date} ({c.event.get_kind_display()})' for c in own)}"
                     "; the Working Group needs at least the month and year of the arrest or of the last contact")
    elif cands:
        missing_b = ("no date of the arrest or of the last contact: only when the family learned of it; "
                     "the Working Group needs at least the month and year")
    else:
        missing_b = "no arrest, detention, disappearance or loss of contact is recorded"
    elements.append(Element("b", "date of disappearance or arrest (at least month and year)", REQUIRED,
                            bool(with_month), found_b, missing_b))

    # (c) place
    places = []
    for c in cands:
        where = _event_place(c.event)
        if where:
            places.append(f"{c.event.get_kind_display()}: {where} ({_ref(c.testimony)})")
    stated = [f"{c.event.get_kind_display()}: {c.event.place_text} ({_ref(c.testimony)})"
              for c in cands if c.event.place_text and not _event_place(c.event)]
    elements.append(Element("c", "place of arrest or where last seen (at least town or village)", REQUIRED,
                            bool(places), places or stated,
                            "" if places else "no town or village of the arrest or of the last contact is recorded"
                            + (f" (only: {'; '.join(x.split(': ', 1)[1] for x in stated)})" if stated else "")))

    # (d) responsible
    custody = [f"{STATE_CUSTODY[t.event.kind]}: {t.event.kind_text or t.event.get_kind_display()}, {t.date} "
               f"({_ref(t.testimony)})" for t in profile.timeline if t.event.kind in STATE_CUSTODY]
    elements.append(Element("d", "those believed responsible (State agents or persons acting with their support)",
                            REQUIRED, bool(custody), custody,
                            "" if custody else "nothing recorded says the State holds the person (only a loss of "
                            "contact or disappearance): record who arrested or holds them"))

    # (e) steps taken
    steps = [_appeal_line(a, victim, confidential_submitter, submitter) for a in profile.appeals]
    elements.append(Element("e", "steps taken by relatives or others to find the person", REQUIRED, bool(steps),
                            steps, "" if steps else "no appeal or search is recorded (record appeals to any "
                            "authority, even unanswered ones)"))

    # (f) submitter
    sub = (submitter or "").strip()
    elements.append(Element("f", "who submits (kept confidential on request)", REQUIRED, bool(sub),
                            [("identity given; to be kept confidential" if confidential_submitter else sub)] if sub
                            else [], "" if sub else "no submitter named (give --submitter NAME; add "
                            "--confidential-submitter to keep the name out of the text)"))

    # consent
    elements.append(Element("consent", "the family's consent", REQUIRED, bool(consent),
                            [f"{_ref(t)}: consent full, from the victim's "
                             f"{_relation(victim, t)}" for t in consent],
                            "" if consent else _consent_missing(victim)))
    if not consent:
        refusals.append(f"No family consent: {_consent_missing(victim)}.")

    last = _latest_status(profile)
    if last is not None and last.kind == m.EventKind.RELEASED:
        refusals.append(f"A release is recorded ({last.date}, {_ref(last.testimony)}): the person's fate and "
                        "whereabouts are known, so the Working Group would not take this as a disappearance. "
                        "Document the detention instead (e.g. for the Working Group on Arbitrary Detention).")

    urgent, reason = _urgency(own, today)
    return Admissibility(victim, elements, urgent, reason, refusals, today)


_ELEMENT_TITLES = [
    ("a", "full name", REQUIRED), ("a-id", "identity document number", RECOMMENDED),
    ("a-photo", "photograph", RECOMMENDED), ("b", "date of disappearance or arrest", REQUIRED),
    ("c", "place of arrest or where last seen", REQUIRED), ("d", "those believed responsible", REQUIRED),
    ("e", "steps taken to find the person", REQUIRED), ("f", "who submits", REQUIRED),
    ("consent", "the family's consent", REQUIRED),
]


def _ref_n(number: str) -> str:
    return f"testimony {number}"


def _relation(victim: m.Victim, t: m.Testimony) -> str:
    rel = next((mn.relation_of_testifier for mn in victim.mentions.all() if mn.testimony_id == t.id), "")
    return "own account (the victim)" if rel.strip().lower() == "self" else rel


def _consent_missing(victim: m.Victim) -> str:
    rows = [(mn.testimony.number, mn.testimony.consent, mn.relation_of_testifier or "relation not recorded")
            for mn in victim.mentions.select_related("testimony").order_by("testimony__number")]
    held = "; ".join(f"{n}: consent {c}, {r}" for n, c, r in rows) or "no testimony"
    return ("no testimony from the victim or a relative gives full consent to publish with names, which a "
            f"submission needs (held: {held}); ask the family and record their consent")


def _urgency(own: list[selectors.TimelineEntry], today: date) -> tuple[bool, str]:
    cutoff = _months_before(today, 3)
    if not own:
        return False, "no date of the arrest or last contact, so the urgent procedure cannot be claimed"
    latest = max(own, key=lambda c: (c.date.end or c.date.start, c.date.start))
    end = latest.date.end or latest.date.start
    what = f"{latest.event.get_kind_display()}, {latest.date} [{latest.testimony.number}]"
    if latest.date.start > today:
        return False, f"the latest date ({what}) is after {today}: check it"
    if end >= cutoff:
        return True, (f"the latest dated arrest or last contact ({what}) may fall within the three months "
                      f"before {today} (on or after {cutoff}): ask for the urgent action procedure")
    return False, (f"the latest dated arrest or last contact ({what}) is more than three months before {today} "
                   f"(before {cutoff})")


def _appeal_line(a: m.Appeal, victim: m.Victim, hide_names: bool, submitter: str | None) -> str:
    """One appeal in words: to whom, by whom (as the redaction layer allows), when, and the answer."""
    who = _appeal_sender(a, victim, hide_names)
    when = "date not recorded" if a.date.precision == "unknown" else str(a.date)
    if a.response_status == "answered":
        rd = "" if a.response_date.precision == "unknown" else f" on {a.response_date}"
        answer = f"answered{rd}: {a.response_text}" if a.response_text else f"answered{rd}"
    elif a.response_status == "none":
        answer = "no response"
    else:
        answer = "no answer recorded"
    desc = a.description or f"appeal to {a.authority}"
    if a.authority.lower() not in desc.lower():
        desc = f"{desc} ({a.authority})"
    return f"{desc[0].upper()}{desc[1:]}, sent by {who}, {when}: {answer}."


def _appeal_sender(a: m.Appeal, victim: m.Victim, hide_names: bool) -> str:
    """The sender as the public may see them: a testifier's name only under full consent
    (:func:`kuager.records.redaction.testifier_label`), and never when the submitter asks
    for confidentiality (the sender is then described by relation)."""
    audience = redaction.Audience(redaction.PUBLIC)
    if a.testimony_id:
        t = a.testimony
        rel = next((mn.relation_of_testifier for mn in victim.mentions.all() if mn.testimony_id == t.id), "")
        if a.sender and t.testifier and a.sender == t.testifier.name:
            if hide_names or redaction.testifier_label(t, audience) == "(anonymous testifier)":
                if rel.strip().lower() == "self":
                    return "the victim"
                return f"the victim's {rel}" if rel else "the testifier"
            if not rel:
                return a.sender
            return f"{a.sender} (the victim)" if rel.strip().lower() == "self" else f"{a.sender} (the victim's {rel})"
    if not a.sender:
        return "sender not recorded"
    return "the family (name withheld)" if hide_names else a.sender


# ---------------------------------------------------------------------------------------------- drafting


@dataclass
class Section:
    """One section of the submission: a title, label/value rows, paragraphs, and what is missing."""

    code: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    missing: str = ""


@dataclass
class Submission:
    """The content of an individual case submission, as plain strings.

    Attributes:
        victim_public_id: the victim's public id.
        name: the name used as the case title.
        names: every spelling held: (text, script).
        sections: the sections in order.
        admissibility: the check it was drafted after.
        urgent: the urgent action procedure is requested.
        drafted_on: the date of the draft.
        submitter: the submitter's name as printed ("" when confidential or not given).
        confidential_submitter: the submitter asked for confidentiality.
        photos: photographs of the person held as evidence: ``(label, bytes, media type)``,
            the derived copy without EXIF/GPS (each read is a custody entry).
    """

    victim_public_id: str
    name: str
    names: list[tuple[str, str]]
    sections: list[Section]
    admissibility: Admissibility
    urgent: bool
    drafted_on: date
    submitter: str
    confidential_submitter: bool
    photos: list[tuple[str, bytes, str]] = field(default_factory=list)

    def plain_text(self) -> str:
        """The submission as plain text (for search, tests and e-mail bodies)."""
        out = [f"Individual case submission: {self.name}"]
        for s in self.sections:
            out.append(s.title)
            out += [f"{k}: {v}" for k, v in s.rows] + s.paragraphs + s.items
        return "\n".join(out)


def draft_submission(victim: m.Victim, submitter: str | None = None, confidential_submitter: bool = False,
                     today: date | None = None) -> Submission:
    """Draft an individual case submission in English from the record.

    Checks admissibility first (:func:`check_admissibility`). Facts come from the
    victim's profile as the redaction layer lets them leave the system (public
    scope), since the Working Group transmits the case to the Government
    concerned. A testifier's contact details are never used; testifiers' names
    appear only under full consent, and not at all when the submitter asks for
    confidentiality (the methods of work keep the source's identity from the
    Government on request; the draft then names nobody of the family).

    Args:
        victim: the victim.
        submitter: who submits (a person or an organisation).
        confidential_submitter: keep the submitter's identity out of the text.
        today: the date of the draft and of the urgency check (default: today, UTC).

    Returns:
        A :class:`Submission` (missing elements are listed in it, to be completed).

    Raises:
        KuagerError: the check refuses a draft (no family consent, a release
            recorded, or nothing may leave the system); the message says why.
    """
    adm = check_admissibility(victim, today, submitter=submitter, confidential_submitter=confidential_submitter)
    if adm.refusals:
        raise KuagerError(f"no WGEID submission drafted for {victim.public_id}: " + " ".join(adm.refusals))
    profile = redaction.visible_profile(victim, redaction.Audience(redaction.PUBLIC))
    fields = {f.name: f for f in profile.fields}

    def vals(name: str) -> str:
        f = fields[name]
        return "; ".join(f"{s.value} ({', '.join(s.testimonies)})" for s in f.values) if f.values else "not known"

    name = victim.display_name or (profile.names[0][0] if profile.names else victim.public_id)
    sections: list[Section] = []
    ident = Section("a", "1. Identity of the disappeared person")
    for text, script, nums in profile.names:
        shown = f"\u2068{text}\u2069" if script == m.ScriptChoices.ARABIC else text  # isolate right-to-left text
        ident.rows.append((f"Name ({script})", f"{shown}   [{', '.join(nums)}]"))
    for fname, label in (("sex", "Sex"), ("birth", "Date of birth / age"), ("citizenship", "Citizenship"),
                         ("ethnicity", "Ethnicity"), ("place_of_origin", "Place of origin"),
                         ("father_name", "Father's name"), ("occupation", "Occupation")):
        ident.rows.append((label, vals(fname)))
    e_id = adm.element("a-id")
    ident.rows.append(("Identity document number", "; ".join(e_id.found) if e_id.present else
                       ("not recorded" + (f" ({e_id.found[0]})" if e_id.found else ""))))
    e_ph = adm.element("a-photo")
    ident.rows.append(("Photograph", "; ".join(e_ph.found) if e_ph.present else "none held"))
    ident.missing = "; ".join(e.missing for e in (adm.element("a"), e_id, e_ph) if not e.present)
    sections.append(ident)

    for code, title in (("b", "2. Date of disappearance or arrest"),
                        ("c", "3. Place of arrest or where last seen"),
                        ("d", "4. Those believed responsible")):
        e = adm.element(code)
        sec = Section(code, title, items=list(e.found) or ["not known"], missing="" if e.present else e.missing)
        sections.append(sec)
    sections[-1].paragraphs.append(
        "The person is believed to have been deprived of liberty by agents of the People's Republic of China "
        "in the Xinjiang Uyghur Autonomous Region, and to be held without their fate or whereabouts being "
        "disclosed to the family (International Convention for the Protection of All Persons from Enforced "
        "Disappearance, art. 2)." if adm.element("d").present else
        "The record does not yet say who arrested or holds the person.")

    circ = Section("circ", "5. Circumstances, as the testimonies give them")
    for entry in profile.timeline:
        e = entry.event
        bits = [e.kind_text or e.get_kind_display()]
        where = e.place_text or (e.facility.name if e.facility_id else "")
        if where:
            bits.append(f"at {where}")
        if e.reason_given:
            bits.append(f"reason given: {e.reason_given}")
        circ.rows.append((str(entry.date), f"{'; '.join(bits)} [{entry.testimony.number}]"))
    for t in profile.testimonies if not confidential_submitter else []:  # a narrative may name the family
        if redaction.testimony_text(t, redaction.Audience(redaction.PUBLIC)):
            circ.paragraphs.append(f"{t.number} ({t.attribution or 'source not recorded'}): "
                                   f"{redaction.testimony_text(t, redaction.Audience(redaction.PUBLIC))}")
    sections.append(circ)

    e = adm.element("e")
    sections.append(Section("e", "6. Steps taken by the family or others to find the person",
                            items=list(e.found) or ["none recorded"], missing="" if e.present else e.missing))

    sub = Section("f", "7. Submitted by")
    sub_name = (submitter or "").strip()
    if sub_name and confidential_submitter:
        sub.paragraphs.append("The submitter asks the Working Group to keep their identity confidential and not "
                              "to transmit it to the Government. Their name and contact details are given to the "
                              "Working Group separately, in the covering message.")
    elif sub_name:
        sub.rows.append(("Name", sub_name))
        sub.paragraphs.append("The submitter does not ask for confidentiality.")
    else:
        sub.missing = adm.element("f").missing
    sections.append(sub)

    cons = Section("consent", "8. Consent of the family",
                   items=[f"{x}." for x in adm.element("consent").found])
    cons.paragraphs.append("The family has agreed that this case be submitted to the Working Group and that the "
                           "person's name be transmitted to the Government concerned.")
    sections.append(cons)

    procedure = Section("procedure", "9. Procedure requested")
    procedure.paragraphs.append(("URGENT ACTION PROCEDURE requested: " if adm.urgent else "Standard procedure: ")
                                + adm.urgent_reason + ".")
    sections.append(procedure)

    return Submission(
        victim_public_id=victim.public_id, name=name, names=[(t, s) for t, s, _ in profile.names],
        sections=sections, admissibility=adm, urgent=adm.urgent, drafted_on=adm.today,
        submitter="" if confidential_submitter else sub_name, confidential_submitter=confidential_submitter,
        photos=_photos(victim, profile))


def _photos(victim: m.Victim, profile) -> list[tuple[str, bytes, str]]:
    """The person's held photographs as the draft embeds them: the derived copy (no EXIF/GPS)."""
    from kuager.records.services.evidence import open_evidence

    out = []
    for d in profile.documents:
        if d.kind == "photo" and d.held and d.media_type.startswith("image/"):
            with open_evidence(d, purpose=f"WGEID draft for {victim.public_id}") as f:
                out.append((redaction.document_label(d, redaction.Audience(redaction.PUBLIC)), f.read(),
                            d.media_type))
    return out


# ---------------------------------------------------------------------------------------------- rendering

#: Fonts for names in Latin, Cyrillic, Chinese and Arabic script (Debian fonts-noto-core, fonts-noto-cjk).
FONT_STACK = '"Noto Sans", "Noto Sans CJK SC", "Noto Naskh Arabic", sans-serif'


def render_pdf(sub: Submission) -> bytes:
    """The submission as PDF bytes (WeasyPrint, template ``advocacy/wgeid.html``)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    import base64

    photos = [(label, f"data:{mt};base64,{base64.b64encode(data).decode('ascii')}") for label, data, mt in sub.photos]
    html = render_to_string("advocacy/wgeid.html", {"s": sub, "fonts": FONT_STACK, "photos": photos})
    _audit_export(sub, "pdf")
    return HTML(string=html).write_pdf()


def _audit_export(sub: Submission, fmt: str) -> None:
    """Every WGEID draft that leaves the system is an ``export`` in the audit log (issue 6)."""
    from kuager.audit.services import record

    record("export", ("records.victim", sub.victim_public_id),
           new={"kind": "wgeid draft", "format": fmt, "urgent": sub.urgent, "drafted_on": str(sub.drafted_on)})


def new_docx():
    """A python-docx Document whose styles use the Noto fonts for every script (East Asian included)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    for style in doc.styles:
        if style.type != 1 or not hasattr(style, "font"):  # paragraph styles only
            continue
        style.font.name = "Noto Sans"
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
        fonts.set(qn("w:cs"), "Noto Naskh Arabic")
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def docx_bytes(doc) -> bytes:
    """The document's bytes."""
    import io

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_docx(sub: Submission) -> bytes:
    """The submission as DOCX bytes (python-docx), with the same content as the PDF."""
    doc = new_docx()
    doc.add_heading("Submission to the United Nations Working Group on Enforced or Involuntary Disappearances", 0)
    doc.add_paragraph(f"Individual case: {sub.name}  ({sub.victim_public_id})")
    doc.add_paragraph(f"Draft of {sub.drafted_on:%d %B %Y}. "
                      + ("URGENT ACTION PROCEDURE REQUESTED." if sub.urgent else "Standard procedure."))
    if sub.admissibility.missing:
        doc.add_paragraph("To complete before sending: " + " ".join(sub.admissibility.missing))
    for s in sub.sections:
        doc.add_heading(s.title, level=1)
        if s.code == "a":
            from docx.shared import Cm

            for label, data, _mt in sub.photos:
                doc.add_picture(io.BytesIO(data), width=Cm(4))
                doc.add_paragraph(label)
        if s.rows:
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for k, v in s.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = k, v
        for it in s.items:
            doc.add_paragraph(it, style="List Bullet")
        for p in s.paragraphs:
            doc.add_paragraph(p)
        if s.missing:
            doc.add_paragraph(f"MISSING: {s.missing}")
    _audit_export(sub, "docx")
    return docx_bytes(doc)


def write_submission(sub: Submission, path, fmt: str | None = None) -> str:
    """Write ``sub`` to ``path`` as ``pdf`` or ``docx`` (default: from the extension).

    Returns:
        The format written.

    Raises:
        KuagerError: the format is neither pdf nor docx.
    """
    from pathlib import Path

    p = Path(path)
    fmt = (fmt or p.suffix.lstrip(".")).lower()
    if fmt not in ("pdf", "docx"):
        raise KuagerError(f"cannot write {p.name!r}: give --format pdf or docx (or a .pdf/.docx file name)")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(render_pdf(sub) if fmt == "pdf" else render_docx(sub))
    return fmt


def find_victim(query: str) -> m.Victim:
    """The victim a user means: a public id (``V-00001``) or a name in any script.

    Names are looked up with :func:`kuager.records.selectors.search_victims`; a
    name that matches a victim's held name exactly (case-insensitive) wins over
    looser matches.

    Raises:
        KuagerError: no victim matches, or several do (the message lists them).
    """
    q = (query or "").strip()
    if re.fullmatch(r"[Vv]-\d+", q):
        v = m.Victim.objects.filter(public_id=q.upper()).first()
        if v is None:
            raise KuagerError(f"no victim {q.upper()}")
        return v
    found = selectors.search_victims(q)
    exact = [v for v in found if any(n.text.casefold() == q.casefold() for mn in v.mentions.all()
                                     for n in mn.names.all())]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise KuagerError(f"no victim matches {q!r}; give a public id such as V-00001")
    listing = "; ".join(f"{v.public_id} {v.display_name}" for v in (exact or found)[:20])
    raise KuagerError(f"{q!r} matches several victims: {listing}; give the public id")
