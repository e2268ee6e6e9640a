"""FollowTheMoney export: Kuager records as FtM entities for Aleph-style investigation tools.

``kuager export --format ftm --out FILE.ftm.json`` writes line-delimited JSON,
one entity per line (``{"id": ..., "schema": ..., "properties": {...}}``), the
form the ``ftm`` command-line tools and Aleph read (``ftm validate -i FILE``,
``alephclient write-entities``).

The entities are built from the Kuager JSON document of
:func:`kuager.records.services.json_format.build_document` with the same scope,
so the public scope passes through :mod:`kuager.records.redaction` exactly as
the JSON and CSV exports do: nothing here decides on its own what the public may
see. On top of what the document holds, this export leaves out, in every scope,
testifiers' contact details and residence, testimony texts and notes, and file
names of documents (an investigation tool does not need them).

Mapping (``docs/json-format.md``, section "FollowTheMoney entities"):

- a victim -> ``Person`` (names in every script as ``name`` and ``alias``,
  ``gender``, ``birthDate``, ``citizenship``/``nationality``, ``ethnicity``,
  ``idNumber``, ``birthPlace``, ``fatherName``, ``profession``, ``sourceUrl``,
  ``publisher``);
- an event -> ``Event`` (``date``, ``involved``, ``location``, ``summary``);
- an appeal -> ``Event`` involving the victims and the authority, the authority
  -> ``PublicBody`` (ministries, embassies, UN bodies...) or ``LegalEntity``;
- a source -> ``Article``, linked to each victim it documents by ``Documentation``;
- a testifier who may be named -> ``Person``, linked to the victim by ``Family``
  (a relative) or ``Associate`` (anyone else);
- a gazetteer place or facility an event names -> ``Address``.

Ids are SHA-1 hex digests (:func:`followthemoney.util.make_entity_id`) of
``kuager:<kind>:<Kuager key>``, e.g. ``kuager:victim:V-00001``, so the same
record gets the same id in every export and merges in Aleph.

Sources: the FollowTheMoney model, https://followthemoney.tech/explorer/ and
the schema files of the ``followthemoney`` package (``followthemoney/schema/*.yaml``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from followthemoney.util import make_entity_id

from kuager.records import models as m
from kuager.records import redaction
from kuager.records.services import json_format as jf
from kuager.records.services.wgeid import is_family

#: Authorities whose names contain one of these words become ``PublicBody``; others ``LegalEntity``.
_PUBLIC_BODY = re.compile(
    r"\b(ministry|ministries|embassy|consulate|government|prosecutor\w*|police|court|parliament|senate|majilis|"
    r"mazhilis|president|akimat|commission|committee|office|department|agency|bureau|council|ombudsman|"
    r"united nations|un|ohchr|wgeid|working group|special rapporteur|mfa)\b", re.IGNORECASE)

#: The order in which schemata are written (then by id), so that files compare line by line.
SCHEMA_ORDER = ("Article", "Address", "PublicBody", "LegalEntity", "Person", "Event", "Family", "Associate",
                "Documentation")


def entity_id(kind: str, key: str) -> str:
    """The FtM id of a Kuager record: the SHA-1 hex digest of ``kuager:<kind>:<key>``.

    Args:
        kind: ``victim``, ``testifier``, ``event``, ``appeal``, ``authority``,
            ``source``, ``place``, ``facility``, ``family``, ``documentation``.
        key: the record's Kuager key (``V-00001``, ``T-002/m1/e1``...).

    Returns:
        40 hexadecimal characters, e.g. ``entity_id("victim", "V-00001") ==
        hashlib.sha1(b"kuager:victim:V-00001").hexdigest()``.
    """
    return make_entity_id(f"kuager:{kind}:{key}")


def ftm_dates(date: dict | None) -> list[str]:
    """FtM date values for a Kuager partial date (a ``{"text", "start", "end", "precision"}`` dict).

    FtM dates are ISO 8601 prefixes (``2016``, ``2016-05``, ``2016-05-01``) and
    cannot say "some time in May to August"; a range is written as the longest
    prefix its first and last day share (``2016 (mid-year)`` -> ``2016``), or, when
    it spans up to three calendar years, as each year (``2017 or 2018`` ->
    ``2017``, ``2018``: several values of one FtM property are alternatives).
    A date that says when the family *learned* of something (``2018 (learned)``)
    is not the date of the event and gives no value; the words as given always
    go into the entity's summary.

    Returns:
        A list of 0 to 3 date strings.
    """
    if not date or date.get("precision") in (None, "unknown") or not date.get("start"):
        return []
    if "learn" in (date.get("text") or "").lower():
        return []
    start, end, precision = date["start"], date["end"] or date["start"], date["precision"]
    if precision == "day":
        return [start]
    if precision == "month":
        return [start[:7]]
    if precision == "year":
        return [start[:4]]
    for n in (10, 7, 4):
        if start[:n] == end[:n]:
            return [start[:n]]
    first, last = int(start[:4]), int(end[:4])
    return [str(y) for y in range(first, last + 1)] if last - first <= 2 else []


def _birth_dates(mn: dict) -> list[str]:
    """Birth date values of a mention: the stated date, else its birth years when at most three."""
    from kuager.dates import parse_partial_date

    if mn.get("birth_date_text"):
        try:
            pd = parse_partial_date(mn["birth_date_text"])
        except Exception:  # noqa: BLE001 - words that are not a date give no value (they are kept in Kuager)
            pd = None
        if pd is not None and pd.start:
            got = ftm_dates({"text": pd.text, "start": pd.start.isoformat(), "end": pd.end.isoformat(),
                             "precision": pd.precision})
            if got:
                return got
    lo, hi = mn.get("birth_year_min"), mn.get("birth_year_max")
    if lo is not None and hi is not None and 0 <= hi - lo <= 2:
        return [str(y) for y in range(lo, hi + 1)]
    return []


def country_code(text: str) -> str | None:
    """The ISO code FtM uses for a stated citizenship, from the words before any bracket.

    ``"Kazakhstan"`` -> ``"kz"``; ``"China (Kazakhstan citizenship promised)"`` ->
    ``"cn"`` (a promised citizenship is not one held); words FtM does not know -> None.
    """
    head = re.split(r"[(;,]", text or "", maxsplit=1)[0].strip()
    return registry.country.clean(head) if head else None


def _kind_label(kind: str, kind_text: str) -> str:
    if kind_text:
        return kind_text
    try:
        return str(m.EventKind(kind).label)
    except ValueError:
        return kind


def _date_words(date: dict | None) -> str:
    return (date or {}).get("text") or "date unknown"


class _Builder:
    """Collects entities by id (an id made twice is merged, as FtM does)."""

    def __init__(self) -> None:
        self.entities: dict[str, EntityProxy] = {}

    def make(self, schema: str, kind: str, key: str, **props) -> EntityProxy:
        proxy = model.make_entity(schema)
        proxy.id = entity_id(kind, key)
        for prop, values in props.items():
            self.add(proxy, prop, values)
        if proxy.id in self.entities:
            self.entities[proxy.id].merge(proxy)
            return self.entities[proxy.id]
        self.entities[proxy.id] = proxy
        return proxy

    @staticmethod
    def add(proxy: EntityProxy, prop: str, values) -> None:
        """Add cleaned values; empty ones are skipped, an unknown property raises InvalidData."""
        if values is None or values == "" or values == []:
            return
        proxy.add(prop, values)


def build_entities(scope: str = redaction.PUBLIC) -> list[EntityProxy]:
    """The database (or what the public may see) as FollowTheMoney entities.

    Args:
        scope: ``public`` (through the redaction layer, as the JSON export) or
            ``internal`` (everything the JSON export holds, less contact details,
            residences, testimony texts and notes).

    Returns:
        :class:`followthemoney.proxy.EntityProxy` objects in :data:`SCHEMA_ORDER`,
        then by id.

    Raises:
        KuagerError: an unknown scope.
    """
    doc = jf.build_document(scope)
    b = _Builder()
    sources = {s["key"]: s for s in doc["sources"]}
    testifiers = {t["key"]: t for t in doc["testifiers"]}
    places = {p["ref"]: p for p in doc["places"]}
    facilities = {(f["dataset"], f["source_id"], f["sub_id"]): f for f in doc["facilities"]}
    victim_of: dict[str, dict] = {}
    for v in doc["victims"]:
        for key in v["mentions"]:
            victim_of[key] = v

    def source_props(source_key: str | None) -> dict:
        s = sources.get(source_key)
        if not s:
            return {}
        article = b.make("Article", "source", s["key"], title=s["title"], publisher=s["publisher"],
                         author=s["author"], sourceUrl=s["url"], publishedAt=s["published_on"],
                         summary=s["attribution"])
        return {"proof": article.id, "sourceUrl": s["url"], "publisher": s["publisher"]}

    def person_id(mention_key: str | None) -> str | None:
        v = victim_of.get(mention_key) if mention_key else None
        return entity_id("victim", v["public_id"]) if v else None

    def address(place_ref: str | None, facility: dict | None) -> str | None:
        if facility:
            f = facilities.get((facility["dataset"], facility["source_id"], facility["sub_id"]))
            if f is None:
                return None
            key = f"{f['dataset']}/{f['source_id']}/{f['sub_id']}"
            full = ", ".join(x for x in (f["name"], f["town"], f["prefecture"]) if x)
            return b.make("Address", "facility", key, full=full, city=f["town"], region=f["prefecture"],
                          latitude=f["latitude"], longitude=f["longitude"], summary=f["facility_type"]).id
        if place_ref and place_ref in places:
            p = places[place_ref]
            return b.make("Address", "place", place_ref, full=place_ref, latitude=p["latitude"],
                          longitude=p["longitude"]).id
        return None

    # Victims, from their visible mentions (the document holds only those).
    mentions: dict[str, tuple[dict, dict]] = {}
    for t in doc["testimonies"]:
        for mn in t["mentions"]:
            mentions[mn["key"]] = (mn, t)
    for v in doc["victims"]:
        person = b.make("Person", "victim", v["public_id"], name=v["display_name"],
                        notes=f"Kuager victim {v['public_id']}")
        for key in v["mentions"]:
            if key not in mentions:
                continue
            mn, t = mentions[key]
            names = [n["text"] for n in sorted(mn["names"], key=lambda n: n["position"])]
            b.add(person, "alias", [n for n in names if n != v["display_name"]])
            b.add(person, "gender", mn["sex"])
            b.add(person, "birthDate", _birth_dates(mn))
            code = country_code(mn["citizenship"])
            b.add(person, "citizenship", code)
            b.add(person, "nationality", code)
            b.add(person, "ethnicity", mn["ethnicity"])
            b.add(person, "idNumber", mn["chinese_id"])
            b.add(person, "birthPlace", mn["place_of_origin"])
            b.add(person, "fatherName", mn["father_name"])
            b.add(person, "profession", mn["occupation"])
            b.add(person, "description", mn["description"])
            if mn["place"]:
                b.add(person, "addressEntity", address(mn["place"], None))
            sp = source_props(t["source"])
            b.add(person, "sourceUrl", sp.get("sourceUrl"))
            b.add(person, "publisher", sp.get("publisher"))
            if sp:
                b.make("Documentation", "documentation", key, document=sp["proof"], entity=person.id,
                       role=f"testimony {t['number']}", recordId=key, summary=t["attribution"],
                       publisher=sp["publisher"], sourceUrl=sp["sourceUrl"])
            # The testifier, where the document names them (the redaction layer decided).
            tf = testifiers.get(t["testifier"]) if t["testifier"] else None
            relation = (mn["relation_of_testifier"] or "").strip()
            if tf and tf["name"] and relation.lower() != "self":
                who = b.make("Person", "testifier", tf["key"], name=tf["name"],
                             citizenship=country_code(tf["citizenship"]),
                             notes=f"testifier of Kuager testimony {t['number']}")
                edge = dict(recordId=key, proof=sp.get("proof"), publisher=sp.get("publisher"),
                            sourceUrl=sp.get("sourceUrl"))
                if relation and is_family(relation):
                    b.make("Family", "family", key, person=person.id, relative=who.id, relationship=relation,
                           **edge)
                else:
                    b.make("Associate", "family", key, person=person.id, associate=who.id,
                           relationship=relation or "testifier", **edge)

    # Events.
    for t in doc["testimonies"]:
        for e in t["events"]:
            label = _kind_label(e["kind"], e["kind_text"])
            involved = person_id(e["mention"])
            if involved:
                who = victim_of[e["mention"]]["display_name"]
            elif e["mention"] in mentions and mentions[e["mention"]][0]["names"]:  # a mention not yet resolved
                who = mentions[e["mention"]][0]["names"][0]["text"]
            else:
                who = f"persons not named ({t['number']})"
            location = e["place_text"] or e["place"] or ""
            if not location and e["facility"]:
                f = facilities.get((e["facility"]["dataset"], e["facility"]["source_id"], e["facility"]["sub_id"]))
                location = f["name"] if f else ""
            summary = f"{label}, {_date_words(e['date'])}" + (f", {location}" if location else "")
            if "learn" in (e["date"]["text"] or "").lower():
                summary += " (the date the family learned of it, not of the event)"
            details = [e["description"]] + [f"{k.replace('_', ' ')}: {e[k]}" for k in
                                            ("reason_given", "reason_suspected", "sentence_term") if e[k]]
            if not involved and e["subject"]:
                details.append(f"persons: {e['subject']}")
            b.make("Event", "event", e["key"], name=f"{label}: {who}",
                   date=ftm_dates(e["date"]), involved=involved, location=location,
                   addressEntity=address(e["place"], e["facility"]), summary=summary,
                   description="\n".join(d for d in details if d), recordId=e["key"],
                   **source_props(t["source"]))

    # Appeals: an event with the authority and the victims involved.
    appeals = [(a, t) for t in doc["testimonies"] for a in t["appeals"]] + [(a, None) for a in doc["appeals"]]
    for a, t in appeals:
        authority = a["authority"].strip()
        schema = "PublicBody" if _PUBLIC_BODY.search(authority) else "LegalEntity"
        body = b.make(schema, "authority", " ".join(authority.casefold().split()), name=authority)
        answer = {"none": "no response", "unknown": "no answer recorded"}.get(a["response_status"])
        if answer is None:
            answer = "answered" + ("" if a["response_date"]["precision"] == "unknown"
                                   else f" {a['response_date']['text'] or a['response_date']['start']}") \
                + (f": {a['response_text']}" if a["response_text"] else "")
        details = [a["description"], f"sent by {a['sender']}" if a["sender"] else "", f"answer: {answer}"]
        b.make("Event", "appeal", a["key"], name=f"appeal to {authority}", date=ftm_dates(a["date"]),
               involved=[body.id] + sorted(filter(None, (person_id(k) for k in a["mentions"]))),
               summary=f"appeal to {authority}, {_date_words(a['date'])}: {answer}",
               description="\n".join(d for d in details if d), recordId=a["key"],
               **(source_props(t["source"]) if t else {}))

    order = {s: i for i, s in enumerate(SCHEMA_ORDER)}
    return sorted(b.entities.values(), key=lambda p: (order.get(p.schema.name, len(order)), p.id))


def entity_counts(entities: list[EntityProxy]) -> dict[str, int]:
    """``{schema name: number of entities}`` in :data:`SCHEMA_ORDER`."""
    c = Counter(p.schema.name for p in entities)
    return {s: c[s] for s in sorted(c, key=lambda s: (SCHEMA_ORDER.index(s) if s in SCHEMA_ORDER else 99, s))}


def export_ftm(path: str | Path, scope: str = redaction.PUBLIC) -> dict[str, int]:
    """Write FollowTheMoney entities as line-delimited JSON (UTF-8, one entity per line).

    Each line is ``EntityProxy.to_dict()``: ``{"id", "schema", "properties"}``
    with keys sorted, non-ASCII kept. The file is replaced atomically.

    Args:
        path: the output file (parent folders are created).
        scope: ``public`` (default) or ``internal``; see :func:`build_entities`.

    Returns:
        ``{schema name: number of entities}``, e.g. ``{"Article": 1, "Person": 5, ...}``.

    Raises:
        KuagerError: an unknown scope.
    """
    entities = build_entities(scope)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for p in entities:
                f.write(json.dumps(p.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return entity_counts(entities)


def read_entities(path: str | Path) -> list[dict]:
    """Read a line-delimited FtM file back as dicts (blank lines skipped)."""
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


__all__ = ["SCHEMA_ORDER", "build_entities", "country_code", "entity_counts", "entity_id", "export_ftm",
           "ftm_dates", "read_entities"]
