"""Reads that need care: victim profiles with their sources, counts, search, capture histories.

Every output meant for people outside the team goes through
:mod:`kuager.records.redaction` after these selectors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kuager import vocabulary
from kuager.dates import PartialDate
from kuager.records import models as m

#: Event kinds that state where a person is now (for the "status" of a victim).
STATUS_KINDS = {
    m.EventKind.LOST_CONTACT, m.EventKind.DETAINED, m.EventKind.DETAINED_CAMP,
    m.EventKind.DETAINED_DETENTION_CENTRE, m.EventKind.DETAINED_PRISON, m.EventKind.SENTENCED,
    m.EventKind.TRANSFERRED, m.EventKind.RELEASED, m.EventKind.DIED, m.EventKind.DISAPPEARED,
}

#: Order of statuses stated for the same time: the later stage of a detention wins a tie
#: ("lost contact 2016" and "detained 2016" in one testimony: detained).
STATUS_RANK = {
    m.EventKind.LOST_CONTACT: 0, m.EventKind.DISAPPEARED: 1, m.EventKind.DETAINED: 2,
    m.EventKind.DETAINED_DETENTION_CENTRE: 3, m.EventKind.DETAINED_CAMP: 4, m.EventKind.DETAINED_PRISON: 5,
    m.EventKind.SENTENCED: 6, m.EventKind.TRANSFERRED: 7, m.EventKind.RELEASED: 8, m.EventKind.DIED: 9,
}


def status_key(kind: str, date_start: dt.date | None, date_end: dt.date | None, key: str) -> tuple:
    """:func:`status_order` on plain values (for rows read with ``values_list``)."""
    return (date_start is not None, date_start or dt.date.min, date_end or dt.date.min,
            STATUS_RANK.get(kind, 0), key)


def status_order(e: m.Event) -> tuple:
    """Sort key of a status event: dated after undated, then by date, then by :data:`STATUS_RANK`.

    The largest is the current status. Each mention stores the kind of its
    largest (``Mention.status_kind``, kept by
    :mod:`kuager.records.services.derived`), which the web's filters and counts read.
    """
    return status_key(e.kind, e.date_start, e.date_end, e.key)


def latest_status_kind(events) -> str:
    """The kind of the current status among ``events`` (:class:`Event` rows or ``(kind, date_start,
    date_end, key)`` tuples), or "" when none states a status (:data:`STATUS_KINDS`)."""
    rows = [(e.kind, e.date_start, e.date_end, e.key) if isinstance(e, m.Event) else tuple(e) for e in events]
    rows = [r for r in rows if r[0] in STATUS_KINDS]
    return max(rows, key=lambda r: status_key(*r))[0] if rows else ""


#: Most years one event adds to a mention's ``event_years`` (an event dated "before 1990" spans no more).
MAX_EVENT_YEARS = 40


def event_years(spans) -> str:
    """The years that dated events overlap, as stored in ``Mention.event_years``.

    Args:
        spans: ``(date_start, date_end)`` pairs; pairs with a missing end are skipped.

    Returns:
        Ascending distinct years joined by spaces ("2017 2018"); "" for none.
    """
    years = set()
    for start, end in spans:
        if start is not None and end is not None:
            years.update(range(start.year, min(end.year, start.year + MAX_EVENT_YEARS - 1) + 1))
    return " ".join(str(y) for y in sorted(years))


def headline_name(names: list[tuple[str, str]], script: str = "") -> str:
    """The one name pages and reports headline a person by.

    Args:
        names: ``(text, script)`` of every spelling held, once per mention that
            holds it, in held order (mentions by key, names by position).
        script: a script the reader asked to see first (``Latin``, ``Cyrillic``,
            ``Arabic``, ``Chinese``...); "" for none.

    Returns:
        The most frequent spelling in ``script`` when one is held, else the
        most frequent Latin-script spelling, else the first name held; ties
        go to the spelling held first. "" when ``names`` is empty.
    """
    for wanted in ([script] if script else []) + ["Latin"]:
        texts = [t for t, s in names if s == wanted]
        if texts:
            counts = Counter(texts)
            return max(dict.fromkeys(texts), key=lambda t: counts[t])  # max keeps the first of equals
    return names[0][0] if names else ""


#: Profile fields derived from mentions, with their labels.
PROFILE_FIELDS = [
    ("sex", "Sex"), ("birth", "Born"), ("ethnicity", "Ethnicity"), ("citizenship", "Citizenship"),
    ("place_of_origin", "Place of origin"), ("father_name", "Father's name"), ("chinese_id", "Chinese ID number"),
    ("occupation", "Occupation"),
]


@dataclass
class Sourced:
    """A value and the testimonies (numbers) that state it."""

    value: str
    testimonies: list[str] = field(default_factory=list)


@dataclass
class ProfileField:
    """One field of a victim's profile: every value stated, side by side.

    ``conflict`` is True when testimonies state different values; the same value in
    two languages or scripts is no conflict (:func:`same_value`). ``values`` keep each
    testimony's own wording (the originals are evidence).
    """

    name: str
    label: str
    values: list[Sourced]

    @property
    def conflict(self) -> bool:
        vals = [s.value for s in self.values]
        return any(not same_value(self.name, a, b) for i, a in enumerate(vals) for b in vals[i + 1:])


def same_value(field_name: str, a: str, b: str) -> bool:
    """Whether two stated values of a profile field are the same value, whatever their language or script.

    Ethnicity and citizenship: one canonical code of :mod:`kuager.vocabulary` ("Kazakh" and
    "қазақ"; "Kazakhstan" and "Қазақстан"). Place of origin: the gazetteer names a common
    division (:func:`kuager.gazetteer.places.place_codes` intersect: "Ghulja" and "Құлжа").
    Otherwise, and for values neither knows: equal text.
    """
    if a == b:
        return True
    if field_name in (vocabulary.ETHNICITY, vocabulary.CITIZENSHIP):
        return vocabulary.same(field_name, a, b)
    if field_name == "place_of_origin":
        from kuager.gazetteer.places import place_codes

        return bool(set(place_codes(a)) & set(place_codes(b)))
    return False


def same_values(field_name: str, a: list[str], b: list[str]) -> bool:
    """Whether two lists of stated values share a value in the sense of :func:`same_value`."""
    return any(same_value(field_name, x, y) for x in a for y in b)


@dataclass
class TimelineEntry:
    event: m.Event
    date: PartialDate
    testimony: m.Testimony


@dataclass
class VictimProfile:
    """Everything known about a victim, each fact with its testimonies.

    Attributes:
        victim: the victim row.
        names: every spelling held, with its script and testimonies.
        fields: :class:`ProfileField` per :data:`PROFILE_FIELDS`.
        status: the latest status per testimony, side by side when they differ.
        timeline: events in date order (unknown dates last).
        testimonies: the testimonies behind the victim.
        appeals: appeals naming the victim.
        documents: documents about the victim.
        relatives: (testifier, relation, testimony) for each testimony.
    """

    victim: m.Victim
    names: list[tuple[str, str, list[str]]]
    fields: list[ProfileField]
    status: list[Sourced]
    timeline: list[TimelineEntry]
    testimonies: list[m.Testimony]
    appeals: list[m.Appeal]
    documents: list[m.Document]
    relatives: list[tuple[m.Testifier, str, m.Testimony]]

    @property
    def headline(self) -> str:
        """The name to headline the person by, from these mentions only: :func:`profile_headline`."""
        return profile_headline(self)


def profile_headline(profile: VictimProfile, script: str = "") -> str:
    """:func:`headline_name` over the spellings of a profile (each counted once per testimony stating it).

    Built from the profile's mentions only, so a public page or report never headlines a
    spelling that came from a withheld testimony. "" when the profile holds no name.
    """
    return headline_name([(text, scr) for text, scr, numbers in profile.names for _ in numbers or [""]], script)


class BirthText(str):
    """A birth as English words (records stay language-neutral: reports, letters, files) that also
    keeps its parts, so a page can say it in the reader's language (:func:`kuager.web.labels.birth_words`).

    Attributes:
        year_min, year_max: the birth years allowed (inclusive).
        age: the age stated, or None.
        as_of: when the age was true, as given ("" when not said).
    """

    year_min: int
    year_max: int
    age: int | None
    as_of: str

    def __new__(cls, year_min: int, year_max: int, age: int | None = None, as_of: str = ""):
        if year_min == year_max:
            text = str(year_min)
        else:
            text = f"{year_min} or {year_max}" if year_max == year_min + 1 else f"{year_min}–{year_max}"
        if age is not None:
            text += f" (aged {age} in {as_of})" if as_of else f" (aged {age})"
        obj = super().__new__(cls, text)
        obj.year_min, obj.year_max, obj.age, obj.as_of = year_min, year_max, age, as_of
        return obj

    def __reduce__(self):  # pickled by the page caches
        return (BirthText, (self.year_min, self.year_max, self.age, self.as_of))


def birth_text(mn: m.Mention) -> str:
    """A mention's birth as words: "1994 or 1995 (aged 23 in 2018-05)", or "" when unknown.

    Returns a :class:`BirthText` (a ``str``; English words, its parts kept for translation) or "".
    """
    if mn.birth_year_min is None:
        return ""
    return BirthText(mn.birth_year_min, mn.birth_year_max, mn.age, mn.age_as_of_text or "")


def _sourced(pairs) -> list[Sourced]:
    out: dict[str, Sourced] = {}
    for value, number in pairs:
        if value:
            s = out.setdefault(value, Sourced(value))
            if number not in s.testimonies:
                s.testimonies.append(number)
    return list(out.values())


def victim_profile(victim: m.Victim, mentions=None) -> VictimProfile:
    """Derive a victim's profile from its mentions.

    Args:
        victim: the victim.
        mentions: restrict to these mentions (the redaction layer passes only those
            whose testimonies may be shown); by default all of the victim's.

    Returns:
        A :class:`VictimProfile`. Disagreeing values are kept side by side.
    """
    if mentions is None:
        mentions = list(victim.mentions.select_related("testimony", "testimony__testifier", "testimony__source")
                        .prefetch_related("names", "events__facility", "documents", "appeals"))
    names: dict[str, tuple[str, list[str]]] = {}
    for mn in mentions:
        for n in mn.names.all():
            entry = names.setdefault(n.text, (n.script, []))
            if mn.testimony.number not in entry[1]:
                entry[1].append(mn.testimony.number)
    fields = []
    for fname, label in PROFILE_FIELDS:
        if fname == "birth":
            pairs = [(birth_text(mn), mn.testimony.number) for mn in mentions]
        else:
            pairs = [(getattr(mn, fname), mn.testimony.number) for mn in mentions]
        fields.append(ProfileField(fname, label, _sourced(pairs)))
    timeline = []
    for mn in mentions:
        for e in mn.events.all():
            timeline.append(TimelineEntry(e, e.date, mn.testimony))
    timeline.sort(key=lambda t: (t.date.sort_key, t.testimony.number, t.event.key))
    latest = []  # each testimony's latest status
    for mn in mentions:
        evs = [e for e in mn.events.all() if e.kind in STATUS_KINDS]
        if evs:
            latest.append((max(evs, key=status_order), mn.testimony.number))
    status_pairs = []
    if latest:
        top, _ = max(latest, key=lambda x: status_order(x[0]))
        # Reports conflict when testimonies give different statuses for the same (latest) time;
        # a later status from another testimony is newer news, not a conflict.
        status_pairs = [(e.get_kind_display(), num) for e, num in latest
                        if e.kind == top.kind or ((e.date_start, e.date_end) == (top.date_start, top.date_end))]
    appeals = sorted({a.id: a for mn in mentions for a in mn.appeals.all()}.values(), key=lambda a: a.key)
    documents = sorted({d.id: d for mn in mentions for d in mn.documents.all()}.values(), key=lambda d: d.key)
    testimonies = sorted({mn.testimony.id: mn.testimony for mn in mentions}.values(), key=lambda t: t.number)
    relatives = [(mn.testimony.testifier, mn.relation_of_testifier, mn.testimony) for mn in mentions
                 if mn.testimony.testifier_id]
    return VictimProfile(
        victim=victim, names=[(t, s, nums) for t, (s, nums) in names.items()], fields=fields,
        status=_sourced(status_pairs), timeline=timeline, testimonies=testimonies, appeals=appeals,
        documents=documents, relatives=relatives)


def current_status(profile: VictimProfile) -> str:
    """One status word for counting: the stated status, or "conflicting reports" when they differ."""
    if not profile.status:
        return "unknown"
    if len(profile.status) > 1:
        return "conflicting reports"
    return profile.status[0].value


def first_trouble_year(profile: VictimProfile) -> int | None:
    """The year of the earliest dated event (when the trouble started), or None."""
    years = [t.date.start.year for t in profile.timeline if t.date.start]
    return min(years) if years else None


def counts(profiles: list[VictimProfile]) -> dict[str, Counter]:
    """Victim counts by status, ethnicity, citizenship and year the trouble started.

    A victim with conflicting values counts once under each value stated
    (so columns can sum to more than the number of victims; the report says so).
    Ethnicity and citizenship count by canonical value (:mod:`kuager.vocabulary`):
    "Kazakh" and "қазақ" are one value, counted under its English label ("Kazakh");
    values the vocabulary does not know count under their own text.
    """
    out: dict[str, Counter] = defaultdict(Counter)
    for p in profiles:
        out["status"][current_status(p)] += 1
        fields = {f.name: f for f in p.fields}
        for fname in ("ethnicity", "citizenship", "sex"):
            vals = [s.value for s in fields[fname].values] or ["unknown"]
            if fname != "sex":
                vals = [vocabulary.label(fname, v) for v in vals]
            for v in dict.fromkeys(vals):
                out[fname][v] += 1
        year = first_trouble_year(p)
        out["year"][str(year) if year else "unknown"] += 1
    return out


#: Most distinct spellings scored with :func:`kuager.names.similarity` in one search.
SEARCH_MAX_TEXTS = 2000
#: Most (key, spelling, victim) rows read for one search (a safety valve for very common given names).
SEARCH_MAX_ROWS = 50_000


def _key_rows(keys: set[str]) -> list[tuple[str, str, int, str]]:
    """``(key, spelling, victim id, public id)`` for the held names carrying one of ``keys``."""
    if not keys:
        return []
    return list(m.NameKey.objects.filter(key__in=sorted(keys), name__mention__victim__isnull=False)
                .values_list("key", "name__text", "name__mention__victim_id", "name__mention__victim__public_id")
                [:SEARCH_MAX_ROWS])


def search_victims(query: str, limit: int = 50) -> list[m.Victim]:
    """Victims with a name sharing a key with ``query`` (any script), best matches first.

    The specific keys of :func:`kuager.names.keys` (``n:`` given|father and
    ``f:`` run together) are looked up first; the ``g:`` key (the given name
    alone, shared by thousands in a large collection) only when no name carries
    a specific one (a search by a given name alone, or a father's name not
    held). Only the distinct spellings found are scored with
    :func:`kuager.names.similarity` (at most :data:`SEARCH_MAX_TEXTS`, those
    sharing the most keys with the query first), and a victim scores as its
    best spelling; so the cost grows with the number of distinct spellings,
    not of victims.

    Args:
        query: a name in any spelling or script, or an 18-character Chinese ID number.
        limit: the most victims returned.

    Returns:
        Victims ordered by name similarity to the query (highest first; ties by
        public id). Empty for an empty query.
    """
    from kuager import names as kn

    q = query.strip()
    if not q:
        return []
    if len(q) == 18 and q[:17].isdigit():
        return list(m.Victim.objects.filter(mentions__chinese_id=q.upper()).distinct()[:limit])
    qkeys = kn.keys(q)
    specific = {k for k in qkeys if not k.startswith("g:")}
    rows = _key_rows(specific) or _key_rows(qkeys - specific)
    if not rows:
        return []
    shared: dict[str, set[str]] = defaultdict(set)
    holders: dict[str, set[int]] = defaultdict(set)
    public_ids: dict[int, str] = {}
    for key, text, vid, pid in rows:
        shared[text].add(key)
        holders[text].add(vid)
        public_ids[vid] = pid
    texts = sorted(shared, key=lambda t: (-len(shared[t]), abs(len(t) - len(q)), t))[:SEARCH_MAX_TEXTS]
    best: dict[int, float] = {}
    for text in texts:
        score = kn.similarity(q, text)
        for vid in holders[text]:
            if score > best.get(vid, -1.0):
                best[vid] = score
    top = sorted(best, key=lambda vid: (-best[vid], public_ids[vid]))[:limit]
    victims = m.Victim.objects.in_bulk(top)
    return [victims[vid] for vid in top if vid in victims]


def capture_histories(by: str | None = None):
    """Capture histories of resolved victims across collections, for multiple systems estimation.

    Each testimony belongs to a collection (``Testimony.collection``, by default
    its source's key): the lists. A victim is "captured" by a list when one of its
    mentions comes from a testimony of that list.

    Args:
        by: optional stratum: ``sex``, ``ethnicity`` (by canonical value, its English
            label: "Kazakh" and "қазақ" are one stratum), ``year`` (year the trouble
            started) or ``prefecture`` (place of origin as stated).

    Returns:
        A pandas DataFrame: one 0/1 column per collection (sorted by name), a
        ``count`` column, and a ``by`` column when ``by`` is given; one row per
        observed history (and stratum).

    Raises:
        ValueError: an unknown ``by``.
    """
    import pandas as pd

    if by not in (None, "sex", "ethnicity", "year", "prefecture"):
        raise ValueError(f"cannot stratify by {by!r}; use sex, ethnicity, year or prefecture")
    from django.db.models import Min

    lists = sorted(set(m.Testimony.objects.exclude(collection="").values_list("collection", flat=True)))
    # Plain value queries (no prefetch of every victim: at 100,000 victims that is one SQL
    # expression too large for SQLite, and slow).
    captured: dict[int, set[str]] = {vid: set() for vid in m.Victim.objects.values_list("id", flat=True)}
    for vid, collection in m.Mention.objects.filter(victim__isnull=False).values_list(
            "victim_id", "testimony__collection").iterator():
        captured[vid].add(collection)
    stratum: dict[int, str] = {}
    if by == "year":
        for vid, first in (m.Event.objects.filter(mention__victim__isnull=False, date_start__isnull=False)
                           .order_by().values("mention__victim_id").annotate(first=Min("date_start"))
                           .values_list("mention__victim_id", "first")):
            stratum[vid] = str(first.year)
    elif by:
        field_name = "place_of_origin" if by == "prefecture" else by
        values: dict[int, Counter] = defaultdict(Counter)
        for vid, value in (m.Mention.objects.filter(victim__isnull=False).exclude(**{field_name: ""})
                           .order_by("key").values_list("victim_id", field_name).iterator()):
            if by == "ethnicity":  # one stratum per value in any language or script (kuager.vocabulary)
                value = vocabulary.label(by, value)
            values[vid][value] += 1
        stratum = {vid: c.most_common(1)[0][0] for vid, c in values.items()}
    rows = []
    for vid, colls in captured.items():
        row = {lst: int(lst in colls) for lst in lists}
        if by:
            row[by] = stratum.get(vid, "unknown")
        rows.append(row)
    cols = lists + ([by] if by else [])
    if not rows or not cols:  # no victims, or testimonies that name no collection: no lists to count
        return pd.DataFrame(columns=cols + ["count"])
    df = pd.DataFrame(rows, columns=cols)
    return df.groupby(cols, as_index=False).size().rename(columns={"size": "count"})


def mentions_frame(ids=None):
    """All mentions (or those with the given ids) in the person-mentions format
    (``docs/formats/mentions.md``), for linkage.

    Args:
        ids: mention primary keys to include (None: every mention).

    Returns:
        A pandas DataFrame with columns record_id (the mention key), source (the
        testimony's collection), names (spellings joined by ``|``), sex,
        birth_year (when the range is one year), birth_date, age, age_as_of,
        ethnicity, hometown, father_name, chinese_id, testifier (the testifier's
        id as text, so relatives who testified can be compared without their names).
    """
    import pandas as pd

    rows = []
    qs = m.Mention.objects.select_related("testimony").prefetch_related("names").order_by("key")
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    for mn in qs:
        rows.append({
            "record_id": mn.key,
            "source": mn.testimony.collection,
            "names": " | ".join(n.text for n in mn.names.all()),
            "sex": mn.sex,
            "birth_year": str(mn.birth_year_min) if mn.birth_year_min is not None
            and mn.birth_year_min == mn.birth_year_max else "",
            "birth_date": mn.birth_date_text,
            "age": "" if mn.age is None else str(mn.age),
            "age_as_of": mn.age_as_of_text,
            "ethnicity": mn.ethnicity,
            "hometown": mn.place_of_origin,
            "father_name": mn.father_name,
            "chinese_id": mn.chinese_id,
            "testifier": str(mn.testimony.testifier_id or ""),
        })
    cols = ["record_id", "source", "names", "sex", "birth_year", "birth_date", "age", "age_as_of", "ethnicity",
            "hometown", "father_name", "chinese_id", "testifier"]
    return pd.DataFrame(rows, columns=cols)
