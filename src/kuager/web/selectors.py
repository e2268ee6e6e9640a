"""Reads for the web pages: lists, filters, search, review candidates, dashboard counts.

Every function takes the ``audience`` of :mod:`kuager.web.access` and returns
only what that audience may see.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q

from kuager import vocabulary
from kuager.records import models as m
from kuager.records import selectors as rsel
from kuager.web import access
from kuager.web import cache as wcache
from kuager.web import labels

#: Most victims sharing one name key that the review queue pairs up (larger blocks are
#: common names; the linkage engine handles those).
MAX_BLOCK = 30


# ----------------------------------------------------------------- names in the preferred script

def ordered_names(names: list[tuple[str, str]], script: str = "") -> list[tuple[str, str]]:
    """``(text, script)`` pairs with the preferred ``script`` first, keeping the order otherwise."""
    if not script:
        return list(names)
    return sorted(names, key=lambda ns: ns[1] != script)


def display_name(names: list[tuple[str, str]], script: str = "", fallback: str = "") -> str:
    """The name to headline: :func:`kuager.records.selectors.headline_name`, else ``fallback``.

    Args:
        names: ``(text, script)`` once per mention holding the spelling, in held order.
        script: the script the reader chose to see first ("" for none).
    """
    return rsel.headline_name(names, script) or fallback


@dataclass
class VictimRow:
    """One line of a victim list, from the mentions the audience may see."""

    victim: m.Victim
    name: str
    other_names: list[str]
    birth: str
    testimonies: int
    score: float | None = None
    #: the births as :class:`~kuager.records.selectors.BirthText` (pages translate them; ``birth`` is English)
    births: list = field(default_factory=list)


def victim_rows(victims, audience: str, script: str = "") -> list[VictimRow]:
    """List rows for ``victims`` (a page of them), names from the mentions ``audience`` may see.

    Victims with nothing visible are dropped. Three queries for the page.
    """
    victims = list(victims)
    mentions = (access.visible_mentions_qs(audience).filter(victim__in=victims)
                .select_related("testimony").prefetch_related("names").order_by("key"))
    by_victim: dict[int, list[m.Mention]] = {}
    for mn in mentions:
        by_victim.setdefault(mn.victim_id, []).append(mn)
    rows = []
    for v in victims:
        ms = by_victim.get(v.id)
        if not ms:
            continue
        held = [(n.text, n.script) for mn in ms for n in mn.names.all()]
        name = rsel.headline_name(held, script)
        others = [t for t, _ in ordered_names(list(dict.fromkeys(held)), script) if t != name]
        births = sorted({rsel.birth_text(mn) for mn in ms} - {""})
        rows.append(VictimRow(v, name, list(dict.fromkeys(others)), "; ".join(births),
                              len({mn.testimony_id for mn in ms}), births=births))
    return rows


# ----------------------------------------------------------------- filters and search

FILTERS = ("status", "ethnicity", "citizenship", "place", "facility", "year")


def _filter_conditions(audience: str, filters: dict[str, str]) -> list:
    """One mention queryset per filter given: the mentions that satisfy it, visible as far as the mention
    and its testimony go. The victim's own rules (confidential, published) are the caller's: every
    caller narrows victims the audience may see (the stored flags, or a visible name match)."""
    base = m.Mention.objects.filter(victim__isnull=False).filter(access.mention_filter(audience, victim=False))
    f = {k: (filters.get(k) or "").strip() for k in FILTERS}
    out = []
    if f["status"]:
        out.append(base.filter(status_kind=f["status"]))  # stored: kuager.records.services.derived
    for kind in (vocabulary.ETHNICITY, vocabulary.CITIZENSHIP):
        if f[kind]:
            cond = Q(**{f"{kind}__iexact": f[kind]})
            same = value_spellings(kind, f[kind])
            if same:
                cond |= Q(**{f"{kind}__in": same})
            out.append(base.filter(cond))
    if f["place"]:
        p = f["place"]
        same = place_spellings(p)
        out.append(base.filter(
            Q(place_of_origin__icontains=p) | Q(events__place_text__icontains=p)
            | Q(events__facility__prefecture__icontains=p) | Q(events__facility__town__icontains=p)
            | Q(place_of_origin__in=same["origin"]) | Q(events__place_text__in=same["event"])
            | Q(events__facility__prefecture__in=same["prefecture"]) | Q(events__facility__town__in=same["town"])))
    if f["facility"].isdigit():
        out.append(base.filter(events__facility_id=int(f["facility"])))
    if f["year"].isdigit() and len(f["year"]) == 4:
        out.append(base.filter(event_years__contains=f["year"]))  # stored: kuager.records.services.derived
    return out


def _held_texts(model, column: str, keep) -> list[str]:
    """The distinct non-empty values of ``model.column`` for which ``keep(text)`` is true, sorted."""
    texts = model.objects.exclude(**{column: ""}).values_list(column, flat=True).distinct()
    return sorted(t for t in texts if keep(t))


def value_spellings(kind: str, query: str) -> list[str]:
    """The recorded ethnicity or citizenship texts that are the value ``query`` names, in any language.

    ``?ethnicity=Kazakh`` should find a victim recorded "қазақ" or "казашка": the distinct texts
    held (a few hundred at most) whose canonical code (:func:`kuager.vocabulary.canonical`) is the
    query's. Cached until the data changes.

    Args:
        kind: ``"ethnicity"`` or ``"citizenship"``.
        query: the filter value (any form, e.g. ``Kazakh`` or ``қазақ``).
    Returns:
        The matching texts as stored (sorted); [] when the vocabulary does not know ``query``
        (then the case-insensitive exact match alone applies, as before).
    """
    code = vocabulary.canonical(kind, query)
    if not code:
        return []

    def compute() -> list[str]:
        return _held_texts(m.Mention, kind, lambda t: vocabulary.canonical(kind, t) == code)

    return wcache.cached(f"{kind}-spellings", code, compute)


def place_spellings(query: str) -> dict[str, list[str]]:
    """The recorded place texts that the gazetteer puts inside the place ``query`` names, in any script.

    ``?place=Ghulja`` should find a victim from "Құлжа ауданы" or "伊宁县", and ``?place=Ili`` one from
    any county of Ili prefecture (:func:`kuager.gazetteer.places.within`). The distinct texts held are
    few (thousands at 100,000 victims); the answer is cached until the data changes.

    Args:
        query: the place filter as typed.
    Returns:
        ``{"origin": [...], "event": [...], "prefecture": [...], "town": [...]}``: distinct values of
        ``Mention.place_of_origin``, ``Event.place_text``, ``Facility.prefecture`` and ``Facility.town``
        that lie in it; all empty when the gazetteer does not know ``query`` (then only the text
        matching applies).
    """
    from kuager.gazetteer.places import place_codes, within

    query = query.strip()

    def compute() -> dict[str, list[str]]:
        columns = {"origin": (m.Mention, "place_of_origin"), "event": (m.Event, "place_text"),
                   "prefecture": (m.Facility, "prefecture"), "town": (m.Facility, "town")}
        if not place_codes(query):
            return {k: [] for k in columns}
        return {key: _held_texts(model, col, lambda t: within(t, query)) for key, (model, col) in columns.items()}

    return wcache.cached("place-spellings", query.casefold(), compute)


def facility_options() -> list[tuple[int, str]]:
    """Every facility as ``(id, label)`` for the pickers of the intake and search forms.

    A volunteer knows a camp by its town in their own language, not by a number: the label holds
    the facility's name, its town and prefecture as published, and the town's other names from the
    gazetteer (:func:`kuager.gazetteer.places.lookup`): Kazakh, Uyghur and Chinese first, then the
    Latin-script forms (``kk_latn``, ``ug_latn``, ``en``), each once (compared case-insensitively), so
    typing Құлжа, 伊宁, Ghulja or Kulja in the field offers the facilities of Yining.

    Labels are unique: when two facilities would read alike (a dataset's compound and its
    sub-compound, "Gongliu - I" A and B), each gets its type and its id in the dataset
    (``source_id`` and ``sub_id``), and the dataset's key if that is still not enough.

    Returns:
        ``[(facility id, "Name · Town (Құлжа / غۇلجا / 伊宁市 / Qūlja / Ghulja / Kulja...) · Prefecture"), ...]``
        ordered by prefecture, town and name; cached until the data changes.
    """
    from kuager.gazetteer.places import lookup

    def other_names(town: str) -> str:
        forms: list[str] = []
        places = lookup(town)
        for col in ("kk_cyrl", "ug_arab", "zh"):
            for p in places:
                forms.extend(p.forms.get(col, ())[:1])
        for col in ("kk_latn", "ug_latn", "en"):
            for p in places:
                forms.extend(p.forms.get(col, ()))
        seen = {town.casefold()}
        out = []
        for f in forms:
            if f and f.casefold() not in seen:
                seen.add(f.casefold())
                out.append(f)
        return f" ({' / '.join(out)})" if out else ""

    def compute() -> list[tuple[int, str]]:
        rows = list(m.Facility.objects.order_by("prefecture", "town", "name", "id").values_list(
            "id", "name", "town", "prefecture", "facility_type", "source_id", "sub_id", "dataset__key"))
        towns: dict[str, str] = {}

        def label(row, detail: int) -> str:
            fid, name, town, prefecture, kind, sid, sub, dataset = row
            head = name or f"#{fid}"
            if detail:
                extra = [x for x in (kind, " ".join(x for x in (sid, sub) if x)) if x]
                if detail > 1:
                    extra.append(dataset)
                head += f" ({'; '.join(extra)})" if extra else ""
            parts = [head]
            if town:
                if town not in towns:
                    towns[town] = town + other_names(town)
                parts.append(towns[town])
            if prefecture and prefecture != town:
                parts.append(prefecture)
            return " · ".join(parts)

        labels = [label(r, 0) for r in rows]
        for detail in (1, 2, 3):
            counts: dict[str, int] = {}
            for x in labels:
                counts[x] = counts.get(x, 0) + 1
            if all(n == 1 for n in counts.values()):
                break
            if detail == 3:  # the same dataset key, id and sub-id cannot occur twice; kept for safety
                labels = [x if counts[x] == 1 else f"{x} · #{r[0]}" for x, r in zip(labels, rows)]
            else:
                labels = [x if counts[x] == 1 else label(r, detail) for x, r in zip(labels, rows)]
        return [(r[0], x) for r, x in zip(rows, labels)]

    return wcache.cached("facility-options", None, compute)


def filter_victims(qs, audience: str, filters: dict[str, str]):
    """Narrow a victim queryset by the search filters (each on the mentions ``audience`` may see).

    Args:
        qs: a :class:`~kuager.records.models.Victim` queryset.
        audience: ``public``, ``team`` or ``internal``.
        filters: any of :data:`FILTERS`; empty values are ignored.
            ``status``: an event kind that is the latest status a testimony states;
            ``ethnicity``, ``citizenship``: exact (case-insensitive), or any form of the
            same value in another language or script (:func:`value_spellings`);
            ``place``: part of the place of origin, of an event's place, or of a
            facility's prefecture or town, or a place the gazetteer puts inside the
            one named, in any script (:func:`place_spellings`);
            ``facility``: a facility id an event names;
            ``year``: a year some event's date overlaps.

    Returns:
        The narrowed queryset.
    """
    conds = _filter_conditions(audience, filters)
    if conds:  # the first (status, indexed, when given) as a list; the others checked per victim found
        qs = qs.filter(id__in=conds[0].values("victim_id"))
    for cond in conds[1:]:
        qs = qs.filter(Exists(cond.filter(victim_id=OuterRef("pk"))))
    return qs


def _clean_filters(filters: dict[str, str] | None) -> dict[str, str]:
    return {k: (filters or {}).get(k, "").strip() for k in FILTERS if ((filters or {}).get(k) or "").strip()}


def victim_ids(audience: str, filters: dict[str, str] | None = None) -> list[int]:
    """Ids of the victims ``audience`` may see that pass ``filters``, in public-id order.

    The list pages page through it (50 ids a page, then one query for the
    page's victims), so a deep page costs as much as the first. Cached until
    the data changes (:mod:`kuager.web.cache`).

    Returns:
        Victim primary keys (ints).
    """
    filters = _clean_filters(filters)

    def compute():
        qs = filter_victims(access.visible_victims_qs(audience), audience, filters)
        return list(qs.order_by("public_id").values_list("id", flat=True))

    return wcache.cached("victim_ids", [audience, filters], compute)


def victims_in_order(ids) -> list[m.Victim]:
    """The victims with these ids, in the order given (ids no longer held are skipped)."""
    ids = list(ids)
    found = m.Victim.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def search(query: str, audience: str, filters: dict[str, str] | None = None, limit: int = 1000) -> list[m.Victim]:
    """Victims matching a name in any spelling or script, or a Chinese ID number, then the filters.

    Names are matched by :func:`kuager.records.selectors.search_victims`; a
    victim is kept only when the name or number matched belongs to a mention
    ``audience`` may see (so a withheld spelling never leads to a person).

    The ids found are cached until the data changes (:mod:`kuager.web.cache`), so
    the next pages of a search, and the same search again, cost one query.

    Returns:
        Victims, best name match first (at most ``limit``).
    """
    q = query.strip()
    f = _clean_filters(filters)
    ids = wcache.cached("search", [q, audience, f, limit], lambda: [v.id for v in _search(q, audience, f, limit)])
    return victims_in_order(ids)


def _search(q: str, audience: str, filters: dict[str, str], limit: int) -> list[m.Victim]:
    """:func:`search`, uncached."""
    from kuager import names as kn

    found = rsel.search_victims(q, limit=limit)
    if not found:
        return []
    ids = [v.id for v in found]
    base = access.visible_mentions_qs(audience).filter(victim_id__in=ids)
    if len(q) == 18 and q[:17].isdigit():
        ok = set(base.filter(chinese_id=q.upper()).values_list("victim_id", flat=True))
    else:
        qkeys = kn.keys(q)
        ok = set(m.NameKey.objects.filter(key__in=qkeys, name__mention__in=base)
                 .values_list("name__mention__victim_id", flat=True))
    for cond in _filter_conditions(audience, filters):
        if not ok:
            break
        ok &= set(cond.filter(victim_id__in=sorted(ok)).values_list("victim_id", flat=True))
    return [v for v in found if v.id in ok]


def filter_choices(audience: str) -> dict[str, list]:
    """Values offered in the filter menus: ``{"status", "ethnicity", "citizenship"}`` lists (cached)."""
    return wcache.cached("filter_choices", audience, lambda: _filter_choices(audience))


def _filter_choices(audience: str) -> dict[str, list]:
    base = access.visible_mentions_qs(audience)
    def one_each(kind: str) -> list[str]:  # one entry per value: its English label when the vocabulary knows it
        texts = base.exclude(**{kind: ""}).values_list(kind, flat=True).distinct()[:200]
        return sorted({vocabulary.label(kind, t) for t in texts})

    ethnicities, citizenships = one_each(vocabulary.ETHNICITY), one_each(vocabulary.CITIZENSHIP)
    return {"status": [k for k in m.EventKind.values if k in rsel.STATUS_KINDS],
            "ethnicity": ethnicities, "citizenship": citizenships}


def lookup(query: str, audience: str, limit: int = 8, script: str = "") -> list[dict]:
    """Possible duplicates while typing a name: only non-confidential facts.

    Returns:
        ``[{"public_id", "name", "other_names", "birth", "testimonies"}]`` for
        victims a ``team`` audience may see whose names share a key with
        ``query``, best first. Confidential victims, mentions and testimonies
        are never looked at.
    """
    audience = access.PUBLIC if audience == access.PUBLIC else access.TEAM
    if len(query.strip()) < 2:
        return []
    victims = search(query, audience, limit=limit)
    rows = victim_rows(victims, audience, script)
    return [{"public_id": r.victim.public_id, "name": r.name, "other_names": r.other_names[:5],
             "birth": "; ".join(labels.birth_words(x) for x in r.births), "testimonies": r.testimonies} for r in rows]


# ----------------------------------------------------------------- review queue

@dataclass
class Candidate:
    """Two victims that may be one person.

    Attributes:
        score: the linkage model's match probability (0-1).
        keys: why they were paired: ``["linkage model"]`` for a pair the last
            ``kuager resolve`` scored, else the name keys they share.
        levels: ``{comparison: level label}``: what agrees and what differs, as the model saw it.
        model: the key of the model that scored it
            (:attr:`kuager.records.services.linkage_model.ModelInfo.key`).
        scored_now: True when scored from the records as they are now (a pair no resolve
            run scored), False when the score is the last resolve run's.
        mentions: the keys of the two mentions whose pair gave the score (the most alike of
            the two victims' mentions), ``("", "")`` when unknown.
    """

    a: m.Victim
    b: m.Victim
    score: float
    keys: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    model: str = ""
    scored_now: bool = False
    mentions: tuple[str, str] = ("", "")


def _decided_pairs() -> set[tuple[int, int]]:
    """Victim-id pairs with an active human judgement between their mentions."""
    rows = (m.Judgement.objects.filter(source="human", withdrawn_at__isnull=True)
            .values_list("mention_a__victim_id", "mention_b__victim_id"))
    return {tuple(sorted(r)) for r in rows if None not in r}


def review_candidates(limit: int = 200) -> list[Candidate]:
    """Pairs of victims that may be one person (cached until the data changes or another model
    is in use; see :func:`_review_candidates`)."""
    from kuager.records.services import linkage_model

    key = linkage_model.current_model().key
    return wcache.cached("review_candidates", [limit, key], lambda: _review_candidates(limit))


def _resolved_scores(decided: set | None = None, victims=None) -> dict[tuple[int, int], tuple]:
    """Victim pairs the last ``kuager resolve`` scored (:class:`~kuager.records.models.ReviewCandidate`):
    ``{(a, b): (probability, levels, model key, (mention key, mention key))}``, the best row per pair, leaving out pairs now one
    victim and pairs in ``decided``; only pairs between ``victims`` (ids) when given."""
    best: dict[tuple[int, int], tuple] = {}
    rows = m.ReviewCandidate.objects.all()
    if victims is not None:
        rows = rows.filter(mention_a__victim_id__in=list(victims), mention_b__victim_id__in=list(victims))
    for va, vb, p, levels, key, ka, kb in rows.values_list(
            "mention_a__victim_id", "mention_b__victim_id", "probability", "levels", "model", "mention_a__key",
            "mention_b__key"):
        if va is None or vb is None or va == vb:
            continue
        pair = tuple(sorted((va, vb)))
        if (decided is None or pair not in decided) and p > best.get(pair, (-1.0,))[0]:
            best[pair] = (p, levels or {}, key or "", (ka, kb))
    return best


def _review_candidates(limit: int = 200) -> list[Candidate]:
    """The review queue: pairs the linkage model may call one person, most probable first.

    Two sources, each scored by the linkage model: the pairs the last ``kuager resolve``
    found uncertain (:class:`~kuager.records.models.ReviewCandidate`, with that run's
    probability and levels, marked ``linkage model``), and the pairs of victims sharing a
    full-name key (:func:`_name_key_candidates`; e.g. a testimony recorded since), scored
    now by the current model (:func:`kuager.records.services.linkage_model.score_victim_pairs`:
    the model trained on the records if there is one, else the bundled default trained on
    synthetic data). Pairs already decided by a person, or already one victim, are left out.
    """
    from kuager.records.services import linkage_model

    decided = _decided_pairs()
    best = _resolved_scores(decided)
    victims = {v.id: v for v in m.Victim.objects.filter(id__in={v for pr in best for v in pr})}
    out = [Candidate(victims[a], victims[b], p, ["linkage model"], levels, key, False, mentions)
           for (a, b), (p, levels, key, mentions) in best.items()]
    # the name-key pairs no resolve run scored (e.g. a testimony recorded since): all of the best
    # ``limit`` by name, whatever the number of resolved pairs, so a new duplicate is never hidden
    fresh = [c for c in _name_key_candidates(limit) if tuple(sorted((c.a.id, c.b.id))) not in best]
    scores = live_scores([(c.a.id, c.b.id) for c in fresh], linkage_model.current_model()) if fresh else {}
    for c in fresh:
        s = scores.get(tuple(sorted((c.a.id, c.b.id))))
        if s is not None:
            out.append(Candidate(c.a, c.b, s[0], c.keys, s[1], s[2], scored_now=True, mentions=tuple(s[3])))
    out.sort(key=lambda c: (-c.score, c.a.public_id, c.b.public_id))
    return out[:limit]


#: Seconds a pair's live score is kept (it is also dropped when either victim's mentions or names change).
LIVE_SCORE_TTL = 3600


def _victim_stamps(victims) -> dict[int, str]:
    """A digest per victim of what the linkage model reads from it: its mentions (ids, last saved)
    and their names (ids, texts). Two queries on the victims' mentions."""
    import hashlib

    parts: dict[int, list] = {v: [] for v in victims}
    for vid, mid, updated in m.Mention.objects.filter(victim_id__in=list(victims)).order_by("id").values_list(
            "victim_id", "id", "updated_at"):
        parts[vid].append((mid, str(updated)))
    for vid, nid, text in m.MentionName.objects.filter(mention__victim_id__in=list(victims)).order_by("id") \
            .values_list("mention__victim_id", "id", "text"):
        parts[vid].append((nid, text))
    return {v: hashlib.sha256(repr(p).encode()).hexdigest()[:16] for v, p in parts.items()}


def live_scores(pairs, model) -> dict[tuple[int, int], tuple[float, dict, str]]:
    """Scores of victim pairs by ``model`` now (:func:`kuager.records.services.linkage_model.score_victim_pairs`),
    each kept in Django's cache under the model, the pair and both victims' :func:`_victim_stamps`, so that
    the queue and the pair page share them and a change elsewhere does not recompute them.

    Returns:
        ``{(smaller id, larger id): (probability, levels, model key, (mention key, mention key))}``; pairs a
        victim of which has no
        mention are left out.
    """
    from django.core.cache import cache

    from kuager.records.services import linkage_model

    pairs = sorted({tuple(sorted(p)) for p in pairs if p[0] != p[1]})
    if not pairs:
        return {}
    stamps = _victim_stamps({v for p in pairs for v in p})
    keys = {p: f"kuager-web:live_score:2:{model.key}:{p[0]}:{stamps[p[0]]}:{p[1]}:{stamps[p[1]]}" for p in pairs}
    found = cache.get_many(list(keys.values()))
    out = {p: tuple(found[k]) for p, k in keys.items() if k in found and found[k] is not None}
    missing = [p for p in pairs if keys[p] not in found]
    if missing:
        scored = linkage_model.score_victim_pairs(missing, model)
        new = {}
        for p in missing:
            s = scored.get(p)
            value = (s.probability, s.levels, s.model.key, s.mentions) if s else None
            new[keys[p]] = value
            if value is not None:
                out[p] = value
        cache.set_many(new, LIVE_SCORE_TTL)
    return out


def pair_score(a: m.Victim, b: m.Victim) -> Candidate:
    """The linkage model's verdict on two victims, for the review pair page.

    The last ``kuager resolve`` run's, when it scored a pair of their mentions
    (:class:`~kuager.records.models.ReviewCandidate`); else scored now with the current
    model (:func:`live_scores`). ``score`` is 0.0 and ``model`` "" when a side has no mention.
    """
    from kuager.records.services import linkage_model

    pair = tuple(sorted((a.id, b.id)))
    held = _resolved_scores(victims=pair)
    if pair in held:
        p, levels, key, mentions = held[pair]
        return Candidate(a, b, p, ["linkage model"], levels, key, False, mentions)
    p, levels, key, mentions = live_scores([pair], linkage_model.current_model()).get(pair, (0.0, {}, "", ("", "")))
    return Candidate(a, b, p, [], levels, key, scored_now=True, mentions=tuple(mentions))


#: Most name-key pairs kept between changes of names (see :func:`_name_key_pairs`).
NAME_PAIRS_KEPT = 5000


def _names_fingerprint() -> tuple:
    """What the name-key pairs depend on: the name keys held and which victim each mention belongs to.

    One query (a scan of the keys' index and of the mentions): the number and
    highest id of the name keys, the number of mentions and a checksum of their
    (mention, victim) assignment that a move, a swap, a merge or an unmerge changes.
    """
    nk = connection.ops.quote_name(m.NameKey._meta.db_table)
    mn = connection.ops.quote_name(m.Mention._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT COUNT(*) FROM {nk}), (SELECT MAX(id) FROM {nk}), (SELECT COUNT(*) FROM {mn}), "
                    f"(SELECT SUM(((id % 1000003) * (COALESCE(victim_id, 0) % 1000003)) % 1000000007) FROM {mn})")
        return tuple(cur.fetchone())


def _name_key_pairs(cap: int | None = NAME_PAIRS_KEPT) -> tuple[list[tuple], bool]:
    """Every pair of victims sharing a full-name key, scored, decided or not (see :func:`_name_key_candidates`).

    Costs a second or more at 100,000 victims, and depends only on the names and
    on which victim holds each mention, so it is kept (in Django's cache) under
    :func:`_names_fingerprint`: a decision of "different" or "unsure", a
    publication setting or a new event does not recompute it.

    Args:
        cap: keep the ``cap`` best pairs (None: all).

    Returns:
        ``(pairs, truncated)``: pairs ``(a id, b id, score, keys, a public id, b public id)``,
        best first (ties by public ids); ``truncated`` when more pairs exist than were kept.
    """
    from django.core.cache import cache

    import hashlib

    digest = hashlib.sha256(repr(_names_fingerprint()).encode()).hexdigest()[:24]
    key = f"kuager-web:name_pairs:{cap}:{digest}"
    hit = cache.get(key)
    if hit is None:
        hit = _compute_name_key_pairs(cap)
        cache.set(key, hit, 3600)
    return hit


#: The n:/f: key ranges (key ranges rather than startswith: SQLite's LIKE cannot use the index on key).
_FULL_NAME_KEYS = Q(key__gte="n:", key__lt="n;") | Q(key__gte="f:", key__lt="f;")


@dataclass
class _Blocks:
    """The name-key blocks of :func:`_name_key_blocks`, with what they were computed from."""

    namekey_max: int
    namekey_count: int
    assignment: dict[int, int | None]
    blocks: dict[str, frozenset[int]]
    counter: int = 0  # DataVersion.n when read: lower later means another database (a restore)


_blocks_state: list[_Blocks] = []  # at most one, this process's
_blocks_lock = threading.Lock()


def _blocks_of(keys=None) -> dict[str, set[int]]:
    """``{key: victim ids}`` of the full-name keys in ``keys`` (None: those held by 2 to
    :data:`MAX_BLOCK` victims), counting only mentions that have a victim."""
    out: dict[str, set[int]] = {}
    if keys is None:  # all: first the keys of 2 to MAX_BLOCK victims, counted in SQL (most keys have one)
        keys = (m.NameKey.objects.filter(_FULL_NAME_KEYS, name__mention__victim__isnull=False)
                .values("key").annotate(nv=Count("name__mention__victim", distinct=True))
                .filter(nv__gt=1, nv__lte=MAX_BLOCK).values_list("key", flat=True))
    keys = sorted(keys)
    for i in range(0, len(keys), 500):
        qs = m.NameKey.objects.filter(key__in=keys[i:i + 500], name__mention__victim__isnull=False)
        for key, vid in qs.values_list("key", "name__mention__victim_id").distinct():
            out.setdefault(key, set()).add(vid)
    return out


def _name_key_blocks() -> dict[str, frozenset[int]]:
    """Full-name keys (``n:``/``f:``) held by 2 to :data:`MAX_BLOCK` victims, with those victims.

    Kept in this process and brought up to date from what changed since: the mentions whose
    victim changed (compared with the (mention, victim) assignment kept, one query over the
    mentions' ids) and the name keys added (ids above the highest kept); only the blocks of
    their keys are read again. A name key deleted (names edited, a mention deleted) or the
    first call reads every block (one join of the keys with their mentions: 1.6 CPU seconds
    at 100,000 synthetic victims, where the incremental path reads a few keys).
    """
    with _blocks_lock:
        held = m.NameKey.objects.aggregate(n=Count("id"), top=Max("id"))
        nk_count, nk_max = held["n"], held["top"] or 0
        counter = m.DataVersion.objects.values_list("n", flat=True).first() or 0
        with connection.cursor() as cur:  # plain SQL: 100,000 rows through the ORM's iterator cost 3 times more
            cur.execute(f"SELECT id, victim_id FROM {connection.ops.quote_name(m.Mention._meta.db_table)}")
            assignment = dict(cur.fetchall())
        state = _blocks_state[0] if _blocks_state else None
        if state is not None and counter < state.counter:
            state = None  # the counter went back: another database
        if state is not None:
            added = m.NameKey.objects.filter(id__gt=state.namekey_max)
            if nk_count - state.namekey_count != added.count():
                state = None  # keys were deleted: read every block
        if state is None:
            blocks = {k: frozenset(v) for k, v in _blocks_of().items() if 1 < len(v) <= MAX_BLOCK}
        else:
            old = state.assignment
            moved = [mid for mid, vid in assignment.items() if mid not in old or old[mid] != vid]
            affected = set(added.filter(_FULL_NAME_KEYS).values_list("key", flat=True))
            for i in range(0, len(moved), 500):
                affected |= set(m.NameKey.objects.filter(_FULL_NAME_KEYS, name__mention_id__in=moved[i:i + 500])
                                .values_list("key", flat=True))
            if set(old) - set(assignment):  # mentions deleted: their keys went with them (counted above)
                affected = None
            if affected is None:
                blocks = {k: frozenset(v) for k, v in _blocks_of().items() if 1 < len(v) <= MAX_BLOCK}
            else:
                blocks = dict(state.blocks)
                fresh = _blocks_of(affected) if affected else {}
                for k in affected:
                    v = fresh.get(k, set())
                    if 1 < len(v) <= MAX_BLOCK:
                        blocks[k] = frozenset(v)
                    else:
                        blocks.pop(k, None)
        _blocks_state[:] = [_Blocks(nk_max, nk_count, assignment, blocks, counter)]
        return blocks


def forget_name_key_blocks() -> None:
    """Drop this process's name-key blocks (:func:`_name_key_blocks` reads them all again); for tests,
    whose databases reuse ids."""
    with _blocks_lock:
        _blocks_state.clear()


@lru_cache(maxsize=200_000)
def _best_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """The best :func:`kuager.names.similarity` between two victims' spellings (memoised: the same
    victims' names are compared again at every change elsewhere)."""
    from kuager import names as kn

    return max((kn.similarity(x, y) for x in a for y in b), default=0.0)


def _compute_name_key_pairs(cap: int | None) -> tuple[list[tuple], bool]:
    blocks = _name_key_blocks()
    pairs: dict[tuple[int, int], list[str]] = {}
    for key, vids in blocks.items():
        vids = sorted(vids)
        for i, a in enumerate(vids):
            for b in vids[i + 1:]:
                pairs.setdefault((a, b), []).append(key)
    if not pairs:
        return [], False
    involved = sorted({v for p in pairs for v in p})
    public_ids: dict[int, str] = {}
    texts: dict[int, set[str]] = {}
    for i in range(0, len(involved), 500):
        chunk = involved[i:i + 500]
        public_ids.update(m.Victim.objects.filter(id__in=chunk).values_list("id", "public_id"))
        for vid, text in m.MentionName.objects.filter(mention__victim_id__in=chunk).values_list(
                "mention__victim_id", "text"):
            texts.setdefault(vid, set()).add(text)
    spellings = {v: tuple(sorted(t)) for v, t in texts.items()}
    out = []
    for (a, b), ks in pairs.items():
        if a not in public_ids or b not in public_ids:
            continue
        score = _best_similarity(spellings.get(a, ()), spellings.get(b, ()))
        out.append((a, b, score, sorted(ks), public_ids[a], public_ids[b]))
    out.sort(key=lambda p: (-p[2], p[4], p[5]))
    return (out[:cap], len(out) > cap) if cap else (out, False)


def _name_key_candidates(limit: int = 200) -> list[Candidate]:
    """Pairs of victims that share a full-name key (``n:`` or ``f:`` of :func:`kuager.names.keys`).

    Ranked by the best :func:`kuager.names.similarity` between their names (which
    pairs the linkage model then scores, :func:`_review_candidates`); pairs that
    already have a human judgement are left out (read now; the pairs themselves
    come from :func:`_name_key_pairs`). Keys shared by more than
    :data:`MAX_BLOCK` victims are skipped.

    Returns:
        Up to ``limit`` candidates, highest score first (ties by public ids).
    """
    decided = _decided_pairs()
    pairs, truncated = _name_key_pairs()
    kept = [p for p in pairs if (p[0], p[1]) not in decided]
    if len(kept) < limit and truncated:  # decisions used up the pairs kept: all of them, once
        pairs, _ = _name_key_pairs(cap=None)
        kept = [p for p in pairs if (p[0], p[1]) not in decided]
    kept = kept[:limit]
    victims = m.Victim.objects.in_bulk({v for p in kept for v in p[:2]})
    return [Candidate(victims[a], victims[b], score, keys) for a, b, score, keys, _, _ in kept
            if a in victims and b in victims]


@dataclass
class Comparison:
    """Two victims' profiles field by field: what agrees and what differs."""

    rows: list[dict]
    names_a: list[tuple[str, str, list[str]]]
    names_b: list[tuple[str, str, list[str]]]
    score: float


def compare(a: m.Victim, b: m.Victim) -> Comparison:
    """Side-by-side comparison for the review queue (editors: internal audience).

    Each row: ``{"label", "a": [values], "b": [values], "state"}`` with state
    ``agree`` (a value in common), ``differ`` (both known, none in common) or
    ``unknown`` (one side or both unknown).
    """
    from kuager import names as kn

    pa = access.profile_for(a, access.INTERNAL)
    pb = access.profile_for(b, access.INTERNAL)
    rows = []
    fa = {f.name: f for f in pa.fields} if pa else {}
    fb = {f.name: f for f in pb.fields} if pb else {}
    for fname, label in rsel.PROFILE_FIELDS:
        va = [s.value for s in fa[fname].values] if fname in fa else []
        vb = [s.value for s in fb[fname].values] if fname in fb else []
        state = "unknown" if not va or not vb else ("agree" if rsel.same_values(fname, va, vb) else "differ")
        rows.append({"name": fname, "label": label, "a": va, "b": vb, "state": state})
    sa = [s.value for s in pa.status] if pa else []
    sb = [s.value for s in pb.status] if pb else []
    rows.append({"name": "status", "label": "Status", "a": sa, "b": sb,
                 "state": "unknown" if not sa or not sb else ("agree" if set(sa) & set(sb) else "differ")})
    na, nb = (pa.names if pa else []), (pb.names if pb else [])
    score = max((kn.similarity(x[0], y[0]) for x in na for y in nb), default=0.0)
    return Comparison(rows, na, nb, score)


# ----------------------------------------------------------------- dashboard

def dashboard_counts(audience: str) -> dict:
    """The dashboard's counts for ``audience``, cached until the data changes (see :func:`_dashboard_counts`)."""
    return wcache.cached("dashboard", audience, lambda: _dashboard_counts(audience))


def testimony_count(audience: str) -> int:
    """How many testimonies ``audience`` may see, by the redaction layer's rule
    (:func:`kuager.records.redaction.testimony_visible`): editors all of them (also those naming
    nobody, e.g. events about unnamed people); the team the non-confidential ones; the public
    those with consent, not confidential, naming nobody or someone who may be shown."""
    qs = m.Testimony.objects.all()
    if audience == access.INTERNAL:
        return qs.count()
    qs = qs.filter(confidential=False)
    if audience == access.PUBLIC:
        shown = m.Mention.objects.filter(testimony=OuterRef("pk"), confidential=False).filter(
            Q(victim__isnull=True) | Q(victim__confidential=False, victim__published=True))
        qs = qs.exclude(consent=m.ConsentChoices.NONE).filter(
            ~Exists(m.Mention.objects.filter(testimony=OuterRef("pk"))) | Exists(shown))
    return qs.count()


def _dashboard_counts(audience: str) -> dict:
    """Counts for the dashboard, from the mentions ``audience`` may see.

    One pass over the visible mentions' stored values (``status_kind`` and
    ``event_years``, kept by :mod:`kuager.records.services.derived`), so the
    page costs a few scans at 100,000 victims rather than a correlated subquery
    per mention.

    Returns:
        ``{"victims", "testimonies", "events", "by_status", "by_ethnicity",
        "by_citizenship", "by_year", "by_verification"}``; the ``by_*`` values are
        lists of ``(value, victims)`` sorted by count (highest first, then by
        value; ``by_year`` by year), at most 30 for ethnicity and citizenship,
        which count by canonical value (:mod:`kuager.vocabulary`: "Kazakh" and
        "қазақ" are one bar, valued by its English label; pages show it in the
        reader's language), unknown values by their own text.
        A victim whose testimonies state different values counts under each;
        ``by_year`` counts each victim once, under the earliest year of its
        dated events. ``testimonies``: :func:`testimony_count`.
    """
    base = access.visible_mentions_qs(audience)
    sets: dict[str, dict[str, set[int]]] = {"status_kind": {}, "ethnicity": {}, "citizenship": {}}
    first_year: dict[int, str] = {}
    for vid, status, ethnicity, citizenship, years in base.order_by().values_list(
            "victim_id", "status_kind", "ethnicity", "citizenship", "event_years").iterator(chunk_size=5000):
        for name, value in (("status_kind", status), ("ethnicity", ethnicity), ("citizenship", citizenship)):
            if value and name != "status_kind":
                value = vocabulary.label(name, value)  # one bar per value, whatever its language
            if value:
                sets[name].setdefault(value, set()).add(vid)
        if years:
            y = years[:4]
            if vid not in first_year or y < first_year[vid]:
                first_year[vid] = y

    def by(name, top=None):
        rows = sorted(((value, len(vids)) for value, vids in sets[name].items()), key=lambda r: (-r[1], r[0]))
        return rows[:top] if top else rows

    verification = (access.visible_victims_qs(audience).values("verification").annotate(n=Count("id"))
                    .order_by("-n", "verification"))
    return {
        "victims": access.visible_victims_qs(audience).count(),
        "testimonies": testimony_count(audience),
        "events": m.Event.objects.filter(mention__in=base).count(),
        "by_status": by("status_kind"),
        "by_ethnicity": by("ethnicity", 30),
        "by_citizenship": by("citizenship", 30),
        "by_year": sorted((int(y), n) for y, n in Counter(first_year.values()).items()),
        "by_verification": [(r["verification"], r["n"]) for r in verification],
    }
