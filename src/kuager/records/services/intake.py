"""Testimony intake: one statement from a relative, written atomically.

A volunteer records a testimony with its testifier, one or more victims (several
names each, in any script), the events the testifier tells of (with partial
dates as spoken: "May 2018", "mid-2017", "2017 or 2018") and the appeals made.

Every new mention becomes a victim of its own: joining it to a person already
known is an editor's decision in the review queue (or ``kuager resolve``), never
a side effect of typing a testimony.

Keys follow the importer's pattern: testimony ``K-00012``, mentions
``K-00012/m1``, events ``K-00012/m1/e1``, appeals ``K-00012/a1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from kuager.dates import UNKNOWN, birth_year_range, parse_partial_date
from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.services.names import set_mention_names

#: Prefix of testimony numbers given at intake.
NUMBER_PREFIX = "K-"
#: The collection (list, for multiple systems estimation) intake testimonies belong to by default.
DEFAULT_COLLECTION = "kuager-intake"


@dataclass
class EventInput:
    """An event as the testifier tells it. ``kind`` is an :class:`~kuager.records.models.EventKind` value;
    ``date_text`` is free text for :func:`kuager.dates.parse_partial_date`."""

    kind: str
    date_text: str = ""
    place_text: str = ""
    facility_id: int | None = None
    reason_given: str = ""
    sentence_term: str = ""
    description: str = ""


@dataclass
class VictimInput:
    """One person the testimony is about. ``names``: full names in any script (at least one)."""

    names: list[str]
    relation_of_testifier: str = ""
    sex: str = ""
    birth_date_text: str = ""
    age: int | None = None
    ethnicity: str = ""
    citizenship: str = ""
    place_of_origin: str = ""
    father_name: str = ""
    chinese_id: str = ""
    occupation: str = ""
    description: str = ""
    confidential: bool = False
    events: list[EventInput] = field(default_factory=list)


@dataclass
class AppealInput:
    """An appeal to an authority and its answer. ``victims``: 0-based indexes into
    :attr:`TestimonyInput.victims` (empty: every victim of the testimony)."""

    authority: str
    date_text: str = ""
    description: str = ""
    response_status: str = "unknown"  # unknown | none | answered
    response_text: str = ""
    response_date_text: str = ""
    victims: list[int] = field(default_factory=list)


#: Kinds of document a file may be.
DOCUMENT_KINDS = ("id_copy", "passport_copy", "photo", "letter", "other")


@dataclass
class DocumentInput:
    """A file brought with the testimony. ``file``: a binary file object (an upload), read once;
    ``victim``: a 0-based index into :attr:`TestimonyInput.victims`, or None for the testimony as a whole."""

    file: object
    name: str = ""
    kind: str = "other"
    description: str = ""
    victim: int | None = None


@dataclass
class TestimonyInput:
    """Everything one intake form holds."""

    victims: list[VictimInput]
    testifier_name: str = ""
    testifier_anonymous: bool = False
    testifier_citizenship: str = ""
    testifier_residence: str = ""
    testifier_contact: str = ""
    recorded_on_text: str = ""
    channel: str = m.ChannelChoices.INTERVIEW
    language: str = ""
    original_text: str = ""
    notes: str = ""
    consent: str = m.ConsentChoices.NONE
    confidential: bool = False
    collection: str = DEFAULT_COLLECTION
    appeals: list[AppealInput] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)


def add_documents(testimony: m.Testimony, documents: list[DocumentInput], user=None,
                  mentions: list[m.Mention] | None = None) -> list[m.Document]:
    """Keep uploaded files with a testimony, through :func:`kuager.records.services.evidence.add_evidence`.

    Each original is stored by its SHA-256 (read-only, never served to the
    public); images get a derived copy without EXIF/GPS, which pages show; each
    intake and derivation is a custody entry with the uploader as actor
    (``web:<username>``).

    Args:
        testimony: the testimony the files come with.
        documents: the files (:class:`DocumentInput`).
        user: the uploader (a Django user) or None.
        mentions: the testimony's mentions in victim order, for
            :attr:`DocumentInput.victim` (default: the testimony's, by key).

    Returns:
        The :class:`~kuager.records.models.Document` rows, in the order given.

    Raises:
        InputError: an unknown kind or victim number.
        KuagerError: a file too large, or a damaged stored copy (from the evidence service).
    """
    from kuager.records.services.evidence import add_evidence

    if mentions is None:
        mentions = sorted(testimony.mentions.all(), key=lambda mn: int(mn.key.rsplit("/m", 1)[-1])
                          if mn.key.rsplit("/m", 1)[-1].isdigit() else 0)
    actor = f"web:{user.get_username()}" if getattr(user, "is_authenticated", False) else None
    out = []
    for k, d in enumerate(documents):
        if d.kind not in DOCUMENT_KINDS:
            raise InputError(f"{d.kind!r} is not a document kind ({', '.join(DOCUMENT_KINDS)})",
                             field=f"documents[{k}].kind")
        if d.victim is not None and not 0 <= d.victim < len(mentions):
            raise InputError(f"no victim {d.victim + 1}", field=f"documents[{k}].victim")
        out.append(add_evidence(testimony, d.file, kind=d.kind, description=d.description.strip(),
                                original_name=d.name, actor=actor,
                                mention=mentions[d.victim] if d.victim is not None else None))
    from kuager.records.services.resolution import refresh_victims

    # an identity document may raise a victim's tier, whichever way it came (intake page, documents page, API)
    refresh_victims(m.Victim.objects.filter(mentions__documents__in=[doc.pk for doc in out]).distinct())
    return out


def next_testimony_number() -> str:
    """The next free intake number, ``K-00001``, ``K-00002``... (one more than the highest held)."""
    numbers = m.Testimony.objects.filter(number__regex=r"^K-\d+$").values_list("number", flat=True)
    highest = max((int(n[len(NUMBER_PREFIX):]) for n in numbers), default=0)
    return f"{NUMBER_PREFIX}{highest + 1:05d}"


def check_chinese_id(text: str, *, field_name: str = "chinese_id") -> str:
    """Normalise a Chinese ID number ("" stays ""): spaces removed, ``x`` upper-cased.

    Raises:
        InputError: not 17 digits and a digit or X, or the check character
            (GB 11643-1999) does not match, which almost always means a typo.
    """
    from kuager.linkage.chinese_id import parse

    cid = "".join((text or "").split()).upper()
    if not cid:
        return ""
    parsed = parse(cid)
    if parsed is None:
        raise InputError(f"{cid!r}: expected 18 characters, 17 digits then a digit or X", field=field_name)
    if not parsed.checksum_ok:
        raise InputError(f"{cid!r}: the last character does not match the first 17 (a typo?)", field=field_name)
    return cid


def _validate(data: TestimonyInput) -> None:
    errors: list[InputError] = []

    def check(cond: bool, message: str, field_name: str) -> None:
        if not cond:
            errors.append(InputError(message, field=field_name))

    check(bool(data.victims), "a testimony needs at least one victim", "victims")
    check(data.consent in m.ConsentChoices.values, f"{data.consent!r} is not a consent value", "consent")
    check(data.channel in m.ChannelChoices.values, f"{data.channel!r} is not a channel", "channel")
    for i, v in enumerate(data.victims):
        check(any(n.strip() for n in v.names), "at least one name", f"victims[{i}].names")
        check(v.sex in ("", "female", "male"), f"{v.sex!r}: expected female, male or empty", f"victims[{i}].sex")
        check(v.age is None or 0 <= v.age <= 130, "age must be between 0 and 130", f"victims[{i}].age")
        for j, e in enumerate(v.events):
            check(e.kind in m.EventKind.values, f"{e.kind!r} is not an event kind", f"victims[{i}].events[{j}].kind")
    for k, a in enumerate(data.appeals):
        check(bool(a.authority.strip()), "empty; say whom the appeal went to", f"appeals[{k}].authority")
        check(a.response_status in ("unknown", "none", "answered"), f"{a.response_status!r} is not a response "
              "status", f"appeals[{k}].response_status")
        for idx in a.victims:
            check(0 <= idx < len(data.victims), f"no victim {idx + 1}", f"appeals[{k}].victims")
    if len(errors) == 1:
        raise errors[0]
    if errors:  # several: all in the message; ``field`` names the first
        err = InputError("\n".join(str(e) for e in errors))
        err.field = errors[0].field
        raise err


def publishes_on_intake(user) -> bool:
    """Whether victims that ``user``'s intake creates are published at once.

    True for no user (CLI imports, scripts) and for users who may publish
    (editors, admins); False for everyone else (volunteers): their new victims
    wait for an editor to publish them.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return user is None
    return user.has_perm("records.publish_victim")


@transaction.atomic
def record_testimony(data: TestimonyInput, user=None) -> m.Testimony:
    """Write a testimony with its testifier, victims, names, events, appeals and files, all or nothing.

    Each victim becomes a :class:`~kuager.records.models.Mention` (key
    ``{number}/m{i}``) with its names set through
    :func:`kuager.records.services.names.set_mention_names` (script detected,
    search keys computed), and a new :class:`~kuager.records.models.Victim` of
    its own, waiting for review. A victim recorded by a user who may not publish
    (a volunteer: no ``records.publish_victim``) is created unpublished, off the
    public site until an editor publishes it
    (:func:`kuager.records.services.review.set_publication`); recorded by an
    editor or admin, or with no user (imports, scripts), it is published as
    before (consent and confidentiality still decide what the public sees).
    Files (``data.documents``) are kept through
    :func:`add_documents`; if anything fails no row is written (an original
    already stored stays in the content-addressed store, unreferenced).

    Args:
        data: the form's content.
        user: the user who recorded it (``Testimony.recorded_by``), or None.

    Returns:
        The saved testimony.

    Raises:
        InputError: something is missing or malformed (a date that is not a
            date, a bad Chinese ID number, an unknown event kind); the message
            names the field, e.g. ``victims[0].events[1].date_text``. Nothing
            is written.
    """
    from kuager.records.services.resolution import next_public_id, refresh_victims

    _validate(data)
    publish = publishes_on_intake(user)
    number = next_testimony_number()
    recorded_on = parse_partial_date(data.recorded_on_text, field="recorded_on")
    tf = m.Testifier.objects.create(
        name=data.testifier_name.strip(), anonymous=data.testifier_anonymous or not data.testifier_name.strip(),
        citizenship=data.testifier_citizenship.strip(), residence=data.testifier_residence.strip(),
        contact=data.testifier_contact.strip())
    t = m.Testimony(
        number=number, collection=data.collection or DEFAULT_COLLECTION, testifier=tf, channel=data.channel,
        language=data.language.strip(), original_text=data.original_text, notes=data.notes,
        consent=data.consent, confidential=data.confidential,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
        recorded_by_name=getattr(user, "username", "") or "")
    t.recorded_on = recorded_on
    t.save()
    mentions = []
    victims = []
    for i, v in enumerate(data.victims, start=1):
        where = f"victims[{i - 1}]"
        birth = parse_partial_date(v.birth_date_text, field=f"{where}.birth_date_text")
        mn = m.Mention(
            key=f"{number}/m{i}", testimony=t, relation_of_testifier=v.relation_of_testifier.strip(), sex=v.sex,
            birth_date_text=birth.text, ethnicity=v.ethnicity.strip(), citizenship=v.citizenship.strip(),
            place_of_origin=v.place_of_origin.strip(), father_name=v.father_name.strip(),
            chinese_id=check_chinese_id(v.chinese_id, field_name=f"{where}.chinese_id"),
            occupation=v.occupation.strip(), description=v.description, confidential=v.confidential)
        if birth.start:
            mn.birth_year_min, mn.birth_year_max = birth.start.year, birth.end.year
        if v.age is not None:
            mn.age = v.age
            if recorded_on.precision != UNKNOWN:
                mn.age_as_of_text = recorded_on.text
                if mn.birth_year_min is None:
                    mn.birth_year_min, mn.birth_year_max = birth_year_range(v.age, recorded_on)
        victim = m.Victim.objects.create(public_id=next_public_id(), confidential=v.confidential, published=publish)
        mn.victim = victim
        mn.save()
        set_mention_names(mn, [re.sub(r"\s+", " ", n).strip() for n in v.names if n.strip()])
        for j, e in enumerate(v.events, start=1):
            ev = m.Event(key=f"{mn.key}/e{j}", testimony=t, mention=mn, kind=e.kind,
                         place_text=e.place_text.strip(), facility_id=e.facility_id,
                         reason_given=e.reason_given.strip(), sentence_term=e.sentence_term.strip(),
                         description=e.description)
            ev.date = parse_partial_date(e.date_text, field=f"{where}.events[{j - 1}].date_text")
            ev.save()
        mentions.append(mn)
        victims.append(victim)
    if data.documents:
        add_documents(t, data.documents, user=user, mentions=mentions)
    for k, a in enumerate(data.appeals, start=1):
        ap = m.Appeal(key=f"{number}/a{k}", testimony=t, authority=a.authority.strip(),
                      sender="" if tf.anonymous else tf.name, description=a.description,
                      response_status=a.response_status, response_text=a.response_text)
        ap.date = parse_partial_date(a.date_text, field=f"appeals[{k - 1}].date_text")
        ap.response_date = parse_partial_date(a.response_date_text, field=f"appeals[{k - 1}].response_date_text")
        ap.save()
        ap.mentions.set([mentions[i] for i in a.victims] if a.victims else mentions)
    refresh_victims(victims)
    from kuager.audit.services import actor_of, record

    record("create", t, new={"testimony": number, "consent": t.consent, "confidential": t.confidential,
                             "victims": [v.public_id for v in victims], "mentions": [mn.key for mn in mentions],
                             "appeals": len(data.appeals), "published": publish}, actor=actor_of(user))
    return t
