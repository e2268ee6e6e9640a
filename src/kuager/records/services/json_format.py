"""Kuager's own JSON format: everything in the model, out and back in (``docs/json-format.md``).

A file is one JSON object::

    {"format": "kuager", "version": 1, "exported_at": "...", "scope": "internal",
     "sources": [...], "places": [...], "facilities": [...], "testifiers": [...],
     "testimonies": [...], "appeals": [...], "victims": [...],
     "aggregate_claims": [...], "judgements": [...]}

Records are identified by the stable keys of the model, never by database ids:
``Source.key``, ``Testimony.number``, ``Mention.key``, ``Event.key``,
``Appeal.key``, ``Document.key``, ``Victim.public_id``, ``AggregateClaim.number``,
a facility by its dataset's source key, ``source_id`` and ``sub_id``, a place by
its ``ref`` (its path of names), a testifier by its ``key`` (the number of the
first testimony they gave), a judgement by its two mentions, decision, source and
``decided_at``, a user by username.

:func:`export_json` writes a file; :func:`build_document` returns the same data
as Python objects (the CSV export flattens it). The ``public`` scope passes every
record through :mod:`kuager.records.redaction`.

:func:`import_json` follows the import rules of
:mod:`kuager.records.services.importing`: it checks the whole file before
writing anything (every error is reported, with the JSON path of the field), it
runs inside the caller's transaction, and importing the same file again changes
nothing.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models as djm
from django.db import transaction
from django.db.models import Prefetch

from kuager import progress
from kuager.dates import PRECISIONS, UNKNOWN, PartialDate, parse_partial_date
from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records import redaction
from kuager.records.services import derived
from kuager.records.services.names import set_mention_names

FORMAT = "kuager"
VERSION = 1
SCOPES = (redaction.PUBLIC, redaction.INTERNAL)

#: Plain fields of each model, in the order they are written (identifiers and
#: references are written before them, partial dates and nested lists after).
SOURCE_FIELDS = ("title", "kind", "publisher", "author", "published_on", "url", "license", "attribution",
                 "text", "sha256")
PLACE_FIELDS = ("name", "name_zh", "name_ug", "name_kk", "kind", "latitude", "longitude")
FACILITY_FIELDS = ("name", "town", "prefecture", "latitude", "longitude", "facility_type", "corroboration", "raw")
TESTIFIER_FIELDS = ("name", "anonymous", "citizenship", "residence", "contact")
TESTIMONY_FIELDS = ("attribution", "collection", "channel", "channel_text", "language", "original_text", "notes",
                    "consent", "confidential", "recorded_by_name", "row_fingerprint")
MENTION_FIELDS = ("relation_of_testifier", "sex", "birth_date_text", "birth_year_min", "birth_year_max", "age",
                  "age_as_of_text", "ethnicity", "citizenship", "place_of_origin", "father_name", "chinese_id",
                  "occupation", "description", "confidential")
EVENT_FIELDS = ("subject", "kind", "kind_text", "place_text", "reason_given", "reason_suspected", "sentence_term",
                "description")
APPEAL_FIELDS = ("authority", "sender", "description", "response_status", "response_text")
DOCUMENT_FIELDS = ("kind", "description", "original_name", "sha256", "size", "media_type")
CLAIM_FIELDS = ("claimed_by", "reported_in", "scope", "measure", "value", "value_max", "unit", "note",
                "row_fingerprint")
VICTIM_FIELDS = ("display_name", "verification", "verification_locked", "confidential", "published")
JUDGEMENT_FIELDS = ("decision", "source", "score", "note")

#: The top-level lists, in file order.
TOP_LISTS = ("sources", "places", "facilities", "testifiers", "testimonies", "appeals", "victims",
             "aggregate_claims", "judgements")

_ANONYMOUS = "(anonymous testifier)"


# =========================================================================== export

def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _iso_dt(d: datetime | None) -> str | None:
    return d.astimezone(timezone.utc).isoformat() if d else None


def _date(obj, prefix: str) -> dict:
    return {"text": getattr(obj, f"{prefix}_text"), "start": _iso(getattr(obj, f"{prefix}_start")),
            "end": _iso(getattr(obj, f"{prefix}_end")), "precision": getattr(obj, f"{prefix}_precision")}


def _plain(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _facility_ref(f: m.Facility | None) -> dict | None:
    if f is None:
        return None
    return {"dataset": f.dataset.key, "source_id": f.source_id, "sub_id": f.sub_id}


def place_refs() -> dict[int, str]:
    """The ``ref`` of every place: its path of names from the top, kinds in brackets.

    Returns:
        ``{place id: ref}``, e.g. ``"Xinjiang (region) / Ili (prefecture)"``; a
        second place with the same path gets ``" #2"`` appended.
    """
    places = {p.id: p for p in m.Place.objects.all()}

    def path(p: m.Place) -> str:
        chain, seen = [], set()
        while p is not None and p.id not in seen:
            seen.add(p.id)
            chain.append(f"{p.name} ({p.kind})" if p.kind else p.name)
            p = places.get(p.parent_id)
        return " / ".join(reversed(chain))

    refs: dict[int, str] = {}
    used: Counter = Counter()
    for pid in sorted(places, key=lambda i: (path(places[i]), i)):
        ref = path(places[pid])
        used[ref] += 1
        refs[pid] = ref if used[ref] == 1 else f"{ref} #{used[ref]}"
    return refs


def _testifier_keys(testimonies: list[m.Testimony]) -> dict[int, str]:
    """Internal keys of testifiers: the number of the first testimony each gave, else ``unattached-N``."""
    keys: dict[int, str] = {}
    for t in testimonies:  # ordered by number
        if t.testifier_id and t.testifier_id not in keys:
            keys[t.testifier_id] = t.number
    numbers = {t.number for t in testimonies}
    orphans = sorted(m.Testifier.objects.exclude(id__in=keys),
                     key=lambda tf: (tf.name, tf.citizenship, tf.residence, tf.contact, tf.anonymous, tf.id))
    n = 0
    for tf in orphans:
        n += 1
        while f"unattached-{n}" in numbers:
            n += 1
        keys[tf.id] = f"unattached-{n}"
    return keys


def _identity_shown(t: m.Testimony, audience: redaction.Audience) -> bool:
    """True when ``audience`` may see who gave testimony ``t`` (the redaction layer decides)."""
    if audience.internal:
        return True
    tf = t.testifier
    return tf is not None and bool(tf.name) and redaction.testifier_label(t, audience) not in (
        _ANONYMOUS, "(no testifier recorded)")


def build_document(scope: str = redaction.INTERNAL) -> dict:
    """The whole database (or what the public may see) as a Kuager JSON document.

    Args:
        scope: ``internal`` (everything) or ``public`` (through the redaction
            layer: only visible testimonies and what their consent allows, no
            testifier contact or residence, no confidential or unpublished victim,
            no confidential mention, no notes, users or judgements).

    Returns:
        A dict ready for :func:`json.dump`, as described in ``docs/json-format.md``.

    Raises:
        KuagerError: an unknown scope.
    """
    if scope not in SCOPES:
        raise KuagerError(f"unknown scope {scope!r}; expected public or internal")
    audience = redaction.Audience(scope)
    internal = audience.internal

    # Every list is sorted in Python, not by the database's collation, so that any two databases
    # holding the same records write the same file.
    testimonies = sorted(
        m.Testimony.objects.select_related("source", "testifier", "recorded_by").prefetch_related(
            Prefetch("mentions", m.Mention.objects.order_by("key").prefetch_related(
                Prefetch("names", m.MentionName.objects.order_by("position", "id")))),
            Prefetch("events", m.Event.objects.order_by("key").select_related("mention", "facility__dataset")),
            Prefetch("appeals", m.Appeal.objects.order_by("key").prefetch_related("mentions")),
            Prefetch("documents", m.Document.objects.order_by("key").select_related("mention"))),
        key=lambda t: t.number)
    shown = [t for t in testimonies if redaction.testimony_visible(t, audience)]
    shown_ids = {t.id for t in shown}
    hidden_victims = set() if internal else set(
        m.Victim.objects.filter(djm.Q(confidential=True) | djm.Q(published=False)).values_list("id", flat=True))
    mention_key: dict[int, str] = {}
    mention_ok: dict[int, bool] = {}
    for mid, key, tid, conf, vid in m.Mention.objects.values_list("id", "key", "testimony_id", "confidential",
                                                                  "victim_id"):
        mention_key[mid] = key
        mention_ok[mid] = internal or (tid in shown_ids and not conf and vid not in hidden_victims)
    prefs = place_refs()
    tkeys = _testifier_keys(testimonies) if internal else {}

    def mentions_named(ids) -> list[str]:
        return sorted(mention_key[i] for i in ids if mention_ok[i])

    def appeal_dict(a: m.Appeal, t: m.Testimony | None) -> dict | None:
        ids = [mn.id for mn in a.mentions.all()]
        keys = mentions_named(ids)
        if not internal and ids and not keys:
            return None  # every person it names is withheld
        if not internal and t is None and not keys:
            return None
        sender = a.sender if internal or (t is not None and _identity_shown(t, audience)) else ""
        return {"key": a.key, "mentions": keys, "date": _date(a, "date"),
                **{**_plain(a, APPEAL_FIELDS), "sender": sender}, "response_date": _date(a, "response_date")}

    out_testimonies, testifiers, used_sources = [], {}, set()
    for t in progress.track(shown, "Exporting testimonies"):
        mentions, events, appeals, documents = [], [], [], []
        for mn in sorted(t.mentions.all(), key=lambda x: x.key):
            if not mention_ok[mn.id]:
                continue
            mentions.append({"key": mn.key,
                             "names": [{"text": n.text, "script": n.script, "position": n.position}
                                       for n in sorted(mn.names.all(), key=lambda n: (n.position, n.id))],
                             **_plain(mn, MENTION_FIELDS), "place": prefs.get(mn.place_id)})
        for e in sorted(t.events.all(), key=lambda x: x.key):
            if e.mention_id and not mention_ok[e.mention_id]:
                continue
            events.append({"key": e.key, "mention": mention_key.get(e.mention_id), "date": _date(e, "date"),
                           "place": prefs.get(e.place_id), "facility": _facility_ref(e.facility),
                           **_plain(e, EVENT_FIELDS)})
        for a in sorted(t.appeals.all(), key=lambda x: x.key):
            d = appeal_dict(a, t)
            if d is not None:
                appeals.append(d)
        for d in sorted(t.documents.all(), key=lambda x: x.key):
            if d.mention_id and not mention_ok[d.mention_id]:
                continue
            doc = {"key": d.key, "mention": mention_key.get(d.mention_id), **_plain(d, DOCUMENT_FIELDS)}
            if not internal:
                doc["original_name"] = ""  # file names often carry personal names
            documents.append(doc)
        rec = {"number": t.number, "source": t.source.key if t.source else None, "testifier": None,
               "recorded_on": _date(t, "recorded_on"),
               "recorded_by": t.recorded_by.get_username() if t.recorded_by else None,
               **_plain(t, TESTIMONY_FIELDS),
               "mentions": mentions, "events": events, "appeals": appeals, "documents": documents}
        if t.source:
            used_sources.add(t.source_id)
        tf = t.testifier
        if tf is not None:
            if internal:
                rec["testifier"] = tkeys[tf.id]
                testifiers[tkeys[tf.id]] = {"key": tkeys[tf.id], **_plain(tf, TESTIFIER_FIELDS)}
            else:  # one testifier per testimony, so that no one is linked across consents
                named = _identity_shown(t, audience)
                rec["testifier"] = t.number
                testifiers[t.number] = {"key": t.number, "name": tf.name if named else "",
                                        "anonymous": not named, "citizenship": "", "residence": "", "contact": ""}
        if not internal:
            rec.update(original_text=redaction.testimony_text(t, audience), notes="", recorded_by=None,
                       recorded_by_name="", row_fingerprint="")
        out_testimonies.append(rec)
    if internal:
        for tf in m.Testifier.objects.filter(id__in=[i for i, k in tkeys.items() if k.startswith("unattached-")]):
            testifiers[tkeys[tf.id]] = {"key": tkeys[tf.id], **_plain(tf, TESTIFIER_FIELDS)}

    loose_appeals = []
    for a in sorted(m.Appeal.objects.filter(testimony__isnull=True).prefetch_related("mentions"),
                    key=lambda x: x.key):
        d = appeal_dict(a, None)
        if d is not None:
            loose_appeals.append(d)

    victims = []
    for v in sorted(m.Victim.objects.prefetch_related(
            Prefetch("mentions", m.Mention.objects.prefetch_related("names"))), key=lambda x: x.public_id):
        if v.id in hidden_victims:
            continue
        vms = [mn for mn in v.mentions.all() if mention_ok[mn.id]]
        if not internal and not vms:
            continue
        rec = {"public_id": v.public_id, **_plain(v, VICTIM_FIELDS), "mentions": sorted(mn.key for mn in vms)}
        if not internal:
            names = [n for mn in sorted(vms, key=lambda x: x.key)
                     for n in sorted(mn.names.all(), key=lambda n: (n.position, n.id))]
            if v.display_name not in {n.text for n in names}:  # it came from a withheld mention
                from kuager.records.selectors import headline_name

                rec["display_name"] = headline_name([(n.text, n.script) for n in names])
        victims.append(rec)

    claims = []
    for c in sorted(m.AggregateClaim.objects.select_related("source"), key=lambda x: x.number):
        claims.append({"number": c.number, "source": c.source.key if c.source else None, "date": _date(c, "date"),
                       **_plain(c, CLAIM_FIELDS)})
        if c.source_id:
            used_sources.add(c.source_id)
        if not internal:
            claims[-1]["row_fingerprint"] = ""

    facilities = []
    for f in progress.track(list(m.Facility.objects.select_related("dataset")), "Exporting facilities"):
        facilities.append({**_facility_ref(f), **_plain(f, FACILITY_FIELDS)})
        used_sources.add(f.dataset_id)
    facilities.sort(key=lambda f: (f["dataset"], f["source_id"], f["sub_id"]))

    places = []
    for p in m.Place.objects.all():
        places.append({"ref": prefs[p.id], "parent": prefs.get(p.parent_id), **_plain(p, PLACE_FIELDS)})
    places.sort(key=lambda p: p["ref"])

    sources = []
    for s in sorted(m.Source.objects.all(), key=lambda x: x.key):
        if not internal and s.id not in used_sources:
            continue
        rec = {"key": s.key, **_plain(s, SOURCE_FIELDS)}
        if not internal:
            rec["text"] = ""  # the sha256 identifies the document; its text stays inside
        sources.append(rec)

    judgements = []
    if internal:
        for j in m.Judgement.objects.select_related("mention_a", "mention_b", "decided_by"):
            judgements.append({"mention_a": j.mention_a.key, "mention_b": j.mention_b.key,
                               **_plain(j, JUDGEMENT_FIELDS),
                               "decided_by": j.decided_by.get_username() if j.decided_by else None,
                               "decided_at": _iso_dt(j.decided_at), "withdrawn_at": _iso_dt(j.withdrawn_at)})
        judgements.sort(key=lambda j: (j["decided_at"], j["mention_a"], j["mention_b"], j["decision"],
                                       j["source"], j["note"]))

    return {
        "format": FORMAT, "version": VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "scope": scope,
        "sources": sources, "places": places, "facilities": facilities,
        "testifiers": [testifiers[k] for k in sorted(testifiers)],
        "testimonies": out_testimonies, "appeals": loose_appeals, "victims": victims,
        "aggregate_claims": claims, "judgements": judgements,
    }


def document_counts(doc: dict) -> dict[str, int]:
    """Record counts of a document: one entry per top-level list, plus the nested mentions, events, documents.

    ``appeals`` counts the appeals of testimonies and those tied to none.
    """
    counts = {k: len(doc.get(k, [])) for k in TOP_LISTS}
    for nested in ("mentions", "events", "documents"):
        counts[nested] = sum(len(t.get(nested, [])) for t in doc.get("testimonies", []))
    counts["appeals"] += sum(len(t.get("appeals", [])) for t in doc.get("testimonies", []))
    return counts


def write_json_atomically(doc: dict, path: str | Path) -> Path:
    """Write ``doc`` as UTF-8 JSON (indented, non-ASCII kept) to ``path`` via a temporary file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export_json(path: str | Path, scope: str = redaction.INTERNAL) -> dict[str, int]:
    """Write the database as a Kuager JSON file.

    Args:
        path: the file to write (replaced atomically; parent folders created).
        scope: ``internal`` (everything, the default) or ``public`` (only what
            the redaction layer lets the public see).

    Returns:
        Counts of the records written, e.g. ``{"testimonies": 4, "mentions": 3, ...}``
        (see :func:`document_counts`).

    Raises:
        KuagerError: an unknown scope.
    """
    doc = build_document(scope)
    write_json_atomically(doc, path)
    return document_counts(doc)


# =========================================================================== import

def _jtype(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    return "an object"


def _required(f) -> bool:
    return isinstance(f, (djm.CharField, djm.TextField)) and not f.blank and not f.null and not f.has_default()


_INT_RANGE = {djm.BigIntegerField: 2 ** 63, djm.PositiveSmallIntegerField: 2 ** 15}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Checker:
    """Collects located errors while reading a file (nothing is written while checking)."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[InputError] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(InputError(message, file=self.file, field=where))

    def record(self, raw: Any, where: str, allowed: tuple[str, ...]) -> dict | None:
        """``raw`` as an object with only ``allowed`` keys, or None (error recorded)."""
        if not isinstance(raw, dict):
            self.error(where, f"expected an object, got {_jtype(raw)}")
            return None
        for k in raw:
            if k not in allowed:
                self.error(f"{where}.{k}", f"unknown key; expected one of {', '.join(allowed)}")
        return raw

    def items(self, rec: dict, name: str, where: str) -> list:
        """The list under ``name`` (absent or null means empty)."""
        v = rec.get(name)
        if v is None:
            return []
        if not isinstance(v, list):
            self.error(f"{where}.{name}" if where else name, f"expected a list, got {_jtype(v)}")
            return []
        return v

    def ident(self, rec: dict, name: str, where: str, model, field_name: str | None = None) -> str:
        """A required identifier: a non-empty string that fits the model field."""
        w = f"{where}.{name}"
        f = model._meta.get_field(field_name or name)
        v = rec.get(name)
        if name not in rec:
            self.error(w, "missing; required")
            return ""
        if not isinstance(v, str) or not v.strip():
            self.error(w, f"expected a non-empty string, got {_jtype(v) if not isinstance(v, str) else 'an empty one'}")
            return ""
        if f.max_length and len(v) > f.max_length:
            self.error(w, f"{len(v)} characters; at most {f.max_length}")
        if isinstance(f, djm.SlugField) and not re.fullmatch(r"[-a-zA-Z0-9_]+", v):
            self.error(w, f"{v!r}: expected letters, digits, '-' and '_' only")
        return v

    def ref(self, rec: dict, name: str, where: str, *, max_length: int = 300) -> str | None:
        """An optional reference: a string, or null/absent for none."""
        v = rec.get(name)
        if v is None:
            return None
        if not isinstance(v, str) or not v:
            self.error(f"{where}.{name}", f"expected a non-empty string or null, got {_jtype(v)}")
            return None
        if len(v) > max_length:
            self.error(f"{where}.{name}", f"{len(v)} characters; at most {max_length}")
        return v

    def field(self, model, name: str, rec: dict, where: str) -> Any:
        """A plain model field, checked against the model (type, length, choices); its default when absent."""
        f = model._meta.get_field(name)
        w = f"{where}.{name}"
        default = f.get_default()
        if name not in rec:
            if _required(f):
                self.error(w, "missing; required")
            return default
        v = rec[name]
        if isinstance(f, djm.BooleanField):
            if not isinstance(v, bool):
                self.error(w, f"expected true or false, got {_jtype(v)}")
                return default
            return v
        if isinstance(f, djm.IntegerField):
            if v is None and f.null:
                return None
            if isinstance(v, bool) or not isinstance(v, int):
                self.error(w, f"expected a whole number{' or null' if f.null else ''}, got {_jtype(v)}")
                return default
            limit = next((lim for cls, lim in _INT_RANGE.items() if isinstance(f, cls)), 2 ** 31)
            if not -limit <= v < limit:
                self.error(w, f"{v} is out of range")
                return default
            return v
        if isinstance(f, djm.FloatField):
            if v is None and f.null:
                return None
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                self.error(w, f"expected a number{' or null' if f.null else ''}, got {_jtype(v)}")
                return default
            return float(v)
        if isinstance(f, djm.JSONField):
            if not isinstance(v, dict):
                self.error(w, f"expected an object, got {_jtype(v)}")
                return default
            return v
        if not isinstance(v, str):
            self.error(w, f"expected a string, got {_jtype(v)}")
            return default
        if f.max_length and len(v) > f.max_length:
            self.error(w, f"{len(v)} characters; at most {f.max_length}")
        if f.choices:
            values = [c[0] for c in f.choices]
            if v not in values:
                self.error(w, f"{v!r} is not one of {', '.join(repr(c) for c in values)}")
                return default
        return v

    def fields(self, model, names, rec: dict, where: str) -> dict:
        return {n: self.field(model, n, rec, where) for n in names}

    def pdate(self, rec: dict, name: str, where: str, model, prefix: str) -> PartialDate:
        """A partial date: ``{"text", "start", "end", "precision"}``, a string to parse, or null."""
        w = f"{where}.{name}"
        unknown = PartialDate(None, None, UNKNOWN, "")
        v = rec.get(name)
        if v is None:
            return unknown
        max_len = model._meta.get_field(f"{prefix}_text").max_length
        if isinstance(v, str):
            text, given = v, None
        elif isinstance(v, dict):
            self.record(v, w, ("text", "start", "end", "precision"))
            text = v.get("text", "")
            if not isinstance(text, str):
                self.error(f"{w}.text", f"expected a string, got {_jtype(text)}")
                return unknown
            given = v if any(k in v for k in ("start", "end", "precision")) else None
        else:
            self.error(w, f"expected an object with text, start, end and precision, got {_jtype(v)}")
            return unknown
        if len(text) > max_len:
            self.error(f"{w}.text" if isinstance(v, dict) else w, f"{len(text)} characters; at most {max_len}")
            return unknown
        if given is None:
            try:
                return parse_partial_date(text, file=self.file, field=w)
            except InputError as exc:
                self.errors.append(exc)
                return unknown
        precision = given.get("precision")
        if precision not in PRECISIONS:
            self.error(f"{w}.precision", f"{precision!r} is not one of {', '.join(PRECISIONS)}")
            return unknown
        days = {}
        for end in ("start", "end"):
            d = given.get(end)
            if d is None:
                days[end] = None
                continue
            try:
                if not isinstance(d, str) or not _ISO_DAY.fullmatch(d):
                    raise ValueError
                days[end] = date.fromisoformat(d)
            except ValueError:
                self.error(f"{w}.{end}", f"{d!r} is not a day; expected YYYY-MM-DD or null")
                return unknown
        if precision == UNKNOWN and (days["start"] or days["end"]):
            self.error(w, "precision 'unknown' needs start and end null")
            return unknown
        if precision != UNKNOWN and not (days["start"] and days["end"]):
            self.error(w, f"precision {precision!r} needs a start and an end day")
            return unknown
        if days["start"] and days["start"] > days["end"]:
            self.error(w, f"start {days['start']} is after end {days['end']}")
            return unknown
        return PartialDate(days["start"], days["end"], precision, text)

    def moment(self, rec: dict, name: str, where: str, *, required: bool) -> datetime | None:
        """A date and time with a time zone (ISO 8601), or null when not ``required``."""
        w = f"{where}.{name}" if where else name
        v = rec.get(name)
        if v is None:
            if required:
                self.error(w, "missing; expected a date and time such as 2024-03-01T12:00:00+00:00")
            return None
        try:
            if not isinstance(v, str):
                raise ValueError
            dt = datetime.fromisoformat(v)
        except ValueError:
            self.error(w, f"{v!r} is not a date and time; expected ISO 8601 such as 2024-03-01T12:00:00+00:00")
            return None
        if dt.tzinfo is None:
            self.error(w, f"{v!r} has no time zone; expected e.g. 2024-03-01T12:00:00+00:00")
            return None
        return dt


def _check_unique(ck: _Checker, items: list[dict], ident: str, label: str) -> None:
    seen: dict = {}
    for it in items:
        k = it[ident]
        if not k:
            continue
        if k in seen:
            ck.error(f"{it['where']}.{label}", f"{k!r} already used at {seen[k]}")
        else:
            seen[k] = it["where"]


# --------------------------------------------------------------------------- reading

_FACILITY_REF = ("dataset", "source_id", "sub_id")


def _read_facility_ref(ck: _Checker, raw: Any, where: str) -> tuple[str, str, str] | None:
    if raw is None:
        return None
    rec = ck.record(raw, where, _FACILITY_REF)
    if rec is None:
        return None
    dataset = ck.ident(rec, "dataset", where, m.Source, "key")
    source_id = ck.ident(rec, "source_id", where, m.Facility)
    sub_id = rec.get("sub_id", "")
    if not isinstance(sub_id, str):
        ck.error(f"{where}.sub_id", f"expected a string, got {_jtype(sub_id)}")
        sub_id = ""
    return (dataset, source_id, sub_id)


def _read_names(ck: _Checker, rec: dict, where: str) -> list[tuple[str, str | None, int]]:
    out = []
    scripts = m.ScriptChoices.values
    for i, raw in enumerate(ck.items(rec, "names", where)):
        w = f"{where}.names[{i}]"
        if isinstance(raw, str):
            raw = {"text": raw}
        n = ck.record(raw, w, ("text", "script", "position"))
        if n is None:
            continue
        text = ck.ident(n, "text", w, m.MentionName)
        script = n.get("script")
        if script is not None and script not in scripts:
            ck.error(f"{w}.script", f"{script!r} is not one of {', '.join(scripts)}")
            script = None
        pos = n.get("position", i)
        if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos < 2 ** 15:
            ck.error(f"{w}.position", f"expected a whole number from 0, got {_jtype(pos)}")
            pos = i
        out.append((text, script, pos))
    positions = [p for _, _, p in out]
    if len(set(positions)) != len(positions):
        ck.error(f"{where}.names", "two names have the same position")
    return sorted(out, key=lambda n: n[2])


def _read_mention_list(ck: _Checker, rec: dict, name: str, where: str) -> list[str]:
    keys = []
    for i, k in enumerate(ck.items(rec, name, where)):
        if not isinstance(k, str) or not k:
            ck.error(f"{where}.{name}[{i}]", f"expected a mention key, got {_jtype(k)}")
        elif k in keys:
            ck.error(f"{where}.{name}[{i}]", f"{k!r} listed twice")
        else:
            keys.append(k)
    return keys


def _read_appeal(ck: _Checker, raw: Any, where: str) -> dict | None:
    rec = ck.record(raw, where, ("key", "mentions", "date", *APPEAL_FIELDS, "response_date"))
    if rec is None:
        return None
    return {"where": where, "key": ck.ident(rec, "key", where, m.Appeal),
            "mentions": _read_mention_list(ck, rec, "mentions", where),
            "date": ck.pdate(rec, "date", where, m.Appeal, "date"),
            "response_date": ck.pdate(rec, "response_date", where, m.Appeal, "response_date"),
            "fields": ck.fields(m.Appeal, APPEAL_FIELDS, rec, where)}


def _read_testimony(ck: _Checker, raw: Any, where: str) -> dict | None:
    rec = ck.record(raw, where, ("number", "source", "testifier", "recorded_on", "recorded_by",
                                 *TESTIMONY_FIELDS, "mentions", "events", "appeals", "documents"))
    if rec is None:
        return None
    t = {"where": where, "number": ck.ident(rec, "number", where, m.Testimony),
         "source": ck.ref(rec, "source", where), "testifier": ck.ref(rec, "testifier", where),
         "recorded_by": ck.ref(rec, "recorded_by", where, max_length=150),
         "date": ck.pdate(rec, "recorded_on", where, m.Testimony, "recorded_on"),
         "fields": ck.fields(m.Testimony, TESTIMONY_FIELDS, rec, where),
         "mentions": [], "events": [], "appeals": [], "documents": []}
    for i, r in enumerate(ck.items(rec, "mentions", where)):
        w = f"{where}.mentions[{i}]"
        mr = ck.record(r, w, ("key", "names", *MENTION_FIELDS, "place"))
        if mr is not None:
            t["mentions"].append({"where": w, "key": ck.ident(mr, "key", w, m.Mention),
                                  "names": _read_names(ck, mr, w), "place": ck.ref(mr, "place", w, max_length=10_000),
                                  "fields": ck.fields(m.Mention, MENTION_FIELDS, mr, w)})
    for i, r in enumerate(ck.items(rec, "events", where)):
        w = f"{where}.events[{i}]"
        er = ck.record(r, w, ("key", "mention", "date", "place", "facility", *EVENT_FIELDS))
        if er is not None:
            t["events"].append({"where": w, "key": ck.ident(er, "key", w, m.Event),
                                "mention": ck.ref(er, "mention", w), "date": ck.pdate(er, "date", w, m.Event, "date"),
                                "place": ck.ref(er, "place", w, max_length=10_000),
                                "facility": _read_facility_ref(ck, er.get("facility"), f"{w}.facility"),
                                "fields": ck.fields(m.Event, EVENT_FIELDS, er, w)})
    for i, r in enumerate(ck.items(rec, "appeals", where)):
        a = _read_appeal(ck, r, f"{where}.appeals[{i}]")
        if a is not None:
            t["appeals"].append(a)
    for i, r in enumerate(ck.items(rec, "documents", where)):
        w = f"{where}.documents[{i}]"
        dr = ck.record(r, w, ("key", "mention", *DOCUMENT_FIELDS))
        if dr is not None:
            t["documents"].append({"where": w, "key": ck.ident(dr, "key", w, m.Document),
                                   "mention": ck.ref(dr, "mention", w),
                                   "fields": ck.fields(m.Document, DOCUMENT_FIELDS, dr, w)})
    return t


def _read(doc: Any, ck: _Checker) -> dict:
    """Check the document's shape and values; return its records in a normalised form."""
    top = ck.record(doc, "(top level)", ("format", "version", "exported_at", "scope", *TOP_LISTS))
    if top is None:
        return {}
    if top.get("format") != FORMAT:
        ck.error("format", f"{top.get('format')!r}: expected \"kuager\" (is this a Kuager JSON file?)")
        return {}
    version = top.get("version")
    if version != VERSION or isinstance(version, bool):
        ck.error("version", f"{version!r}: this Kuager reads version {VERSION} only")
        return {}
    if "scope" in top and top["scope"] not in SCOPES:
        ck.error("scope", f"{top['scope']!r} is not one of public, internal")
    if "exported_at" in top and top["exported_at"] is not None:
        ck.moment(top, "exported_at", "", required=False)

    out: dict[str, Any] = {"has_victims": "victims" in top}
    out["sources"] = []
    for i, r in enumerate(ck.items(top, "sources", "")):
        w = f"sources[{i}]"
        rec = ck.record(r, w, ("key", *SOURCE_FIELDS))
        if rec is not None:
            out["sources"].append({"where": w, "key": ck.ident(rec, "key", w, m.Source),
                                   "fields": ck.fields(m.Source, SOURCE_FIELDS, rec, w)})
    out["places"] = []
    for i, r in enumerate(ck.items(top, "places", "")):
        w = f"places[{i}]"
        rec = ck.record(r, w, ("ref", "parent", *PLACE_FIELDS))
        if rec is not None:
            ref = rec.get("ref")
            if not isinstance(ref, str) or not ref:
                ck.error(f"{w}.ref", f"expected a non-empty string, got {_jtype(ref)}")
                ref = ""
            out["places"].append({"where": w, "ref": ref, "parent": ck.ref(rec, "parent", w, max_length=10_000),
                                  "fields": ck.fields(m.Place, PLACE_FIELDS, rec, w)})
    out["facilities"] = []
    for i, r in enumerate(ck.items(top, "facilities", "")):
        w = f"facilities[{i}]"
        rec = ck.record(r, w, (*_FACILITY_REF, *FACILITY_FIELDS))
        if rec is not None:
            ident = _read_facility_ref(ck, {k: rec[k] for k in _FACILITY_REF if k in rec}, w)
            out["facilities"].append({"where": w, "ident": ident, "fields": ck.fields(m.Facility, FACILITY_FIELDS, rec, w)})
    out["testifiers"] = []
    for i, r in enumerate(ck.items(top, "testifiers", "")):
        w = f"testifiers[{i}]"
        rec = ck.record(r, w, ("key", *TESTIFIER_FIELDS))
        if rec is not None:
            key = rec.get("key")
            if not isinstance(key, str) or not key:
                ck.error(f"{w}.key", f"expected a non-empty string, got {_jtype(key)}")
                key = ""
            out["testifiers"].append({"where": w, "key": key, "fields": ck.fields(m.Testifier, TESTIFIER_FIELDS, rec, w)})
    out["testimonies"] = []
    for i, r in enumerate(ck.items(top, "testimonies", "")):
        t = _read_testimony(ck, r, f"testimonies[{i}]")
        if t is not None:
            out["testimonies"].append(t)
    out["appeals"] = []
    for i, r in enumerate(ck.items(top, "appeals", "")):
        a = _read_appeal(ck, r, f"appeals[{i}]")
        if a is not None:
            out["appeals"].append(a)
    out["victims"] = []
    for i, r in enumerate(ck.items(top, "victims", "")):
        w = f"victims[{i}]"
        rec = ck.record(r, w, ("public_id", *VICTIM_FIELDS, "mentions"))
        if rec is not None:
            out["victims"].append({"where": w, "public_id": ck.ident(rec, "public_id", w, m.Victim),
                                   "mentions": _read_mention_list(ck, rec, "mentions", w),
                                   "fields": ck.fields(m.Victim, VICTIM_FIELDS, rec, w)})
    out["claims"] = []
    for i, r in enumerate(ck.items(top, "aggregate_claims", "")):
        w = f"aggregate_claims[{i}]"
        rec = ck.record(r, w, ("number", "source", "date", *CLAIM_FIELDS))
        if rec is not None:
            out["claims"].append({"where": w, "number": ck.ident(rec, "number", w, m.AggregateClaim),
                                  "source": ck.ref(rec, "source", w),
                                  "date": ck.pdate(rec, "date", w, m.AggregateClaim, "date"),
                                  "fields": ck.fields(m.AggregateClaim, CLAIM_FIELDS, rec, w)})
    out["judgements"] = []
    for i, r in enumerate(ck.items(top, "judgements", "")):
        w = f"judgements[{i}]"
        rec = ck.record(r, w, ("mention_a", "mention_b", *JUDGEMENT_FIELDS, "decided_by", "decided_at",
                               "withdrawn_at"))
        if rec is not None:
            j = {"where": w, "a": ck.ident(rec, "mention_a", w, m.Mention, "key"),
                 "b": ck.ident(rec, "mention_b", w, m.Mention, "key"),
                 "decided_by": ck.ref(rec, "decided_by", w, max_length=150),
                 "decided_at": ck.moment(rec, "decided_at", w, required=True),
                 "withdrawn_at": ck.moment(rec, "withdrawn_at", w, required=False),
                 "fields": ck.fields(m.Judgement, JUDGEMENT_FIELDS, rec, w)}
            if j["a"] and j["a"] == j["b"]:
                ck.error(f"{w}.mention_b", "the same mention as mention_a")
            out["judgements"].append(j)
    return out


# --------------------------------------------------------------------------- references

def _check_references(ck: _Checker, d: dict) -> dict:
    """Check uniqueness and that every reference resolves (in the file or the database).

    Returns the plan of what the file replaces: stale children per testimony and
    which victim each mention belongs to.
    """
    ts = d["testimonies"]
    mentions = [mn for t in ts for mn in t["mentions"]]
    events = [e for t in ts for e in t["events"]]
    appeals = [a for t in ts for a in t["appeals"]] + d["appeals"]
    documents = [x for t in ts for x in t["documents"]]
    for items, ident, label in ((d["sources"], "key", "key"), (d["places"], "ref", "ref"),
                                (d["testifiers"], "key", "key"), (ts, "number", "number"),
                                (mentions, "key", "key"), (events, "key", "key"), (appeals, "key", "key"),
                                (documents, "key", "key"), (d["victims"], "public_id", "public_id"),
                                (d["claims"], "number", "number")):
        _check_unique(ck, items, ident, label)
    _check_unique(ck, [dict(f, id=f["ident"]) for f in d["facilities"] if f["ident"] and all(f["ident"][:2])],
                  "id", "source_id")
    _check_unique(ck, [dict(j, id=(j["a"], j["b"], j["fields"]["decision"], j["fields"]["source"], j["decided_at"]))
                       for j in d["judgements"] if j["decided_at"]], "id", "decided_at")

    file_sources = {s["key"] for s in d["sources"]}
    db_sources = set(m.Source.objects.values_list("key", flat=True))
    sources = file_sources | db_sources

    def need_source(key, where, field):
        if key and key not in sources:
            ck.error(f"{where}.{field}", f"unknown source {key!r}; add it to \"sources\"")

    for t in ts:
        need_source(t["source"], t["where"], "source")
    for c in d["claims"]:
        need_source(c["source"], c["where"], "source")
    file_facilities = set()
    for f in d["facilities"]:
        if f["ident"]:
            need_source(f["ident"][0], f["where"], "dataset")
            file_facilities.add(f["ident"])
    place_refs_ = {p["ref"]: p for p in d["places"]}
    for p in d["places"]:
        if p["parent"] and p["parent"] not in place_refs_:
            ck.error(f"{p['where']}.parent", f"unknown place {p['parent']!r}; add it to \"places\"")
    for p in d["places"]:  # cycles
        seen, q = set(), p
        while q is not None and q["parent"]:
            if q["ref"] in seen:
                ck.error(f"{p['where']}.parent", "places form a cycle through their parents")
                break
            seen.add(q["ref"])
            q = place_refs_.get(q["parent"])
    testifier_keys = {x["key"] for x in d["testifiers"]}
    for t in ts:
        if t["testifier"] and t["testifier"] not in testifier_keys:
            ck.error(f"{t['where']}.testifier", f"unknown testifier {t['testifier']!r}; add it to \"testifiers\"")

    # What each testimony in the file no longer has (deleted after writing).
    in_file = {"mentions": {x["key"] for x in mentions}, "events": {x["key"] for x in events},
               "appeals": {x["key"] for x in appeals}, "documents": {x["key"] for x in documents}}
    stale: dict[str, list[tuple[str, str]]] = {}
    stale_mentions: set[str] = set()
    for t in ts:
        db_t = m.Testimony.objects.filter(number=t["number"]).first() if t["number"] else None
        if db_t is None:
            continue
        gone = []
        for rel, kind in (("documents", "document"), ("appeals", "appeal"), ("events", "event"),
                          ("mentions", "mention")):
            for key in getattr(db_t, rel).exclude(key__in=in_file[rel]).values_list("key", flat=True):
                gone.append((kind, key))
                if kind == "mention":
                    stale_mentions.add(key)
        if gone:
            stale[t["number"]] = gone
    wanted_mentions = set()
    for e in events:
        if e["mention"]:
            wanted_mentions.add(e["mention"])
    for x in documents:
        if x["mention"]:
            wanted_mentions.add(x["mention"])
    for a in appeals:
        wanted_mentions.update(a["mentions"])
    for v in d["victims"]:
        wanted_mentions.update(v["mentions"])
    for j in d["judgements"]:
        wanted_mentions.update(k for k in (j["a"], j["b"]) if k)
    outside = wanted_mentions - in_file["mentions"]
    db_mentions = set(m.Mention.objects.filter(key__in=outside).values_list("key", flat=True)) - stale_mentions

    def need_mention(key, where):
        if key and key not in in_file["mentions"] and key not in db_mentions:
            why = " (the file removes it from its testimony)" if key in stale_mentions else ""
            ck.error(where, f"unknown mention {key!r}{why}")

    for e in events:
        need_mention(e["mention"], f"{e['where']}.mention")
        if e["place"] and e["place"] not in place_refs_:
            ck.error(f"{e['where']}.place", f"unknown place {e['place']!r}; add it to \"places\"")
        fac = e["facility"]
        if fac and fac not in file_facilities:
            need_source(fac[0], e["where"], "facility.dataset")
            if not m.Facility.objects.filter(dataset__key=fac[0], source_id=fac[1], sub_id=fac[2]).exists():
                ck.error(f"{e['where']}.facility", f"unknown facility {fac}; add it to \"facilities\"")
    for mn in mentions:
        if mn["place"] and mn["place"] not in place_refs_:
            ck.error(f"{mn['where']}.place", f"unknown place {mn['place']!r}; add it to \"places\"")
    for x in documents:
        need_mention(x["mention"], f"{x['where']}.mention")
    for a in appeals:
        for i, k in enumerate(a["mentions"]):
            need_mention(k, f"{a['where']}.mentions[{i}]")
    for j in d["judgements"]:
        need_mention(j["a"], f"{j['where']}.mention_a")
        need_mention(j["b"], f"{j['where']}.mention_b")
    owner: dict[str, str] = {}
    for v in d["victims"]:
        for i, k in enumerate(v["mentions"]):
            need_mention(k, f"{v['where']}.mentions[{i}]")
            if k in owner:
                ck.error(f"{v['where']}.mentions[{i}]", f"{k!r} already belongs to victim {owner[k]!r}")
            else:
                owner[k] = v["public_id"]
    return {"stale": stale, "owner": owner}


# --------------------------------------------------------------------------- writing

_DATE_PARTS = re.compile(r"_(start|end|precision|text)$")


def _labels(attrs: list[str]) -> list[str]:
    """Model attribute names as the file names them (``source_id`` -> ``source``, date parts -> the date)."""
    out = []
    for a in attrs:
        a = a[:-3] if a.endswith("_id") else a
        if a.startswith(("date_", "recorded_on_", "response_date_")):
            a = _DATE_PARTS.sub("", a)
        if a not in out:
            out.append(a)
    return out


def _dated(prefix: str, value: PartialDate) -> dict:
    return {f"{prefix}_start": value.start, f"{prefix}_end": value.end, f"{prefix}_precision": value.precision,
            f"{prefix}_text": value.text}


class _Writer:
    def __init__(self, report):
        self.report = report

    def upsert(self, kind: str, label: str, model, lookup: dict, values: dict, extra_changes=()):
        """Create or update one row; return (row, status, changed attributes)."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.save()
            return obj, "created", []
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        for k in changed:
            setattr(obj, k, values[k])
        if changed:
            obj.save()
        return obj, ("updated" if changed else "unchanged"), changed

    def tally(self, kind: str, label: str, status: str, changed: list[str]) -> None:
        if status == "unchanged" and changed:
            status = "updated"
        self.report.count(status, kind)
        if status == "updated":
            self.report.changes.append(f"updated {kind} {label}: {', '.join(_labels(changed))}")


def _write(d: dict, plan: dict, report) -> None:
    w = _Writer(report)
    User = get_user_model()

    # Users, by username (an unknown one is created inactive, with no password).
    usernames = {t["recorded_by"] for t in d["testimonies"]} | {j["decided_by"] for j in d["judgements"]}
    users = {}
    for name in sorted(u for u in usernames if u):
        user = User.objects.filter(**{User.USERNAME_FIELD: name}).first()
        if user is None:
            user = User(**{User.USERNAME_FIELD: name}, is_active=False)
            user.set_unusable_password()
            user.save()
            report.count("created", "user")
        users[name] = user

    sources = {}
    for s in d["sources"]:
        obj, status, changed = w.upsert("source", s["key"], m.Source, {"key": s["key"]}, s["fields"])
        w.tally("source", s["key"], status, changed)
        sources[s["key"]] = obj

    def source(key):
        if key is None:
            return None
        if key not in sources:
            sources[key] = m.Source.objects.get(key=key)
        return sources[key]

    places: dict[str, m.Place] = {}
    by_ref = {p["ref"]: p for p in d["places"]}

    def place(ref):
        if ref is None:
            return None
        if ref not in places:
            p = by_ref[ref]
            parent = place(p["parent"])
            fields = dict(p["fields"])
            lookup = {"name": fields.pop("name"), "kind": fields.pop("kind"), "parent": parent}
            obj, status, changed = w.upsert("place", ref, m.Place, lookup, fields)
            w.tally("place", ref, status, changed)
            places[ref] = obj
        return places[ref]

    for p in d["places"]:
        place(p["ref"])

    facilities = {}
    for f in progress.track(d["facilities"], "Importing facilities"):
        ds, sid, sub = f["ident"]
        label = f"{ds}:{sid}{sub}"
        obj, status, changed = w.upsert("facility", label, m.Facility,
                                        {"dataset": source(ds), "source_id": sid, "sub_id": sub}, f["fields"])
        w.tally("facility", label, status, changed)
        facilities[f["ident"]] = obj

    def facility(ident):
        if ident is None:
            return None
        if ident not in facilities:
            facilities[ident] = m.Facility.objects.get(dataset__key=ident[0], source_id=ident[1], sub_id=ident[2])
        return facilities[ident]

    victims = {}
    for v in d["victims"]:
        obj, status, changed = w.upsert("victim", v["public_id"], m.Victim, {"public_id": v["public_id"]},
                                        v["fields"])
        w.tally("victim", v["public_id"], status, changed)
        victims[v["public_id"]] = obj

    # Testifiers: the one who gave the first of their testimonies here, else an identical unattached one.
    gave = defaultdict(list)
    for t in d["testimonies"]:
        if t["testifier"]:
            gave[t["testifier"]].append(t["number"])
    claimed: set[int] = set()
    testifiers = {}
    for x in d["testifiers"]:
        obj = None
        for number in sorted(gave[x["key"]]):
            db_t = m.Testimony.objects.filter(number=number).select_related("testifier").first()
            if db_t and db_t.testifier_id and db_t.testifier_id not in claimed:
                obj = db_t.testifier
                break
        if obj is None and not gave[x["key"]]:  # (identity fields are encrypted: compared here, not in SQL)
            obj = next((tf for tf in m.Testifier.objects.filter(testimonies__isnull=True).exclude(id__in=claimed)
                        .order_by("id") if all(getattr(tf, k) == v for k, v in x["fields"].items())), None)
        if obj is None:
            obj = m.Testifier(**x["fields"])
            obj.save()
            status, changed = "created", []
        else:
            changed = [k for k, v in x["fields"].items() if getattr(obj, k) != v]
            for k in changed:
                setattr(obj, k, x["fields"][k])
            if changed:
                obj.save()
            status = "updated" if changed else "unchanged"
        w.tally("testifier", x["key"], status, changed)
        claimed.add(obj.id)
        testifiers[x["key"]] = obj

    # Testimonies and their mentions first (events, appeals and judgements may name any mention).
    owner = plan["owner"]
    mentions: dict[str, m.Mention] = {}
    written = []
    for t in progress.track(d["testimonies"], "Importing testimonies"):
        src, tf, user = source(t["source"]), testifiers.get(t["testifier"]), users.get(t["recorded_by"])
        values = {"source_id": src.id if src else None, "testifier_id": tf.id if tf else None,
                  "recorded_by_id": user.id if user else None, **_dated("recorded_on", t["date"]), **t["fields"]}
        obj, status, changed = w.upsert("testimony", t["number"], m.Testimony, {"number": t["number"]}, values)
        gone = plan["stale"].get(t["number"], [])
        if gone:
            changed = changed + [f"removed {kind} {key}" for kind, key in gone]
        w.tally("testimony", t["number"], status, changed)
        written.append((t, obj))
        for mn in t["mentions"]:
            values = {"testimony_id": obj.id, "place_id": place(mn["place"]).id if mn["place"] else None,
                      **mn["fields"]}
            if d["has_victims"]:
                pid = owner.get(mn["key"])
                values["victim_id"] = victims[pid].id if pid else None
            mobj, mstatus, mchanged = w.upsert("mention", mn["key"], m.Mention, {"key": mn["key"]}, values)
            if _set_names(mobj, mn["names"]) and mstatus != "created":
                mchanged = mchanged + ["names"]
            w.tally("mention", mn["key"], mstatus, mchanged)
            mentions[mn["key"]] = mobj
    if d["has_victims"]:  # mentions not in this file but listed under its victims
        for key, pid in owner.items():
            if key not in mentions:
                moving = m.Mention.objects.filter(key=key).exclude(victim=victims[pid])
                left = list(moving.values_list("victim_id", flat=True))
                n = moving.update(victim=victims[pid])
                if n:
                    derived.moved_mentions([*left, victims[pid].id])  # update(): no signals
                    report.changes.append(f"updated mention {key}: victim")
                    report.count("updated", "mention")

    def mention(key):
        if key is None:
            return None
        if key not in mentions:
            mentions[key] = m.Mention.objects.get(key=key)
        return mentions[key]

    def write_appeal(a, testimony_id):
        values = {"testimony_id": testimony_id, **_dated("date", a["date"]),
                  **_dated("response_date", a["response_date"]), **a["fields"]}
        obj, status, changed = w.upsert("appeal", a["key"], m.Appeal, {"key": a["key"]}, values)
        want = {mention(k).id for k in a["mentions"]}
        if set(obj.mentions.values_list("id", flat=True)) != want:
            obj.mentions.set(want)
            if status != "created":
                changed = changed + ["mentions"]
        w.tally("appeal", a["key"], status, changed)

    for t, obj in written:
        for e in t["events"]:
            values = {"testimony_id": obj.id, "mention_id": mention(e["mention"]).id if e["mention"] else None,
                      "place_id": place(e["place"]).id if e["place"] else None,
                      "facility_id": facility(e["facility"]).id if e["facility"] else None,
                      **_dated("date", e["date"]), **e["fields"]}
            eobj, status, changed = w.upsert("event", e["key"], m.Event, {"key": e["key"]}, values)
            w.tally("event", e["key"], status, changed)
        for a in t["appeals"]:
            write_appeal(a, obj.id)
        for x in t["documents"]:
            values = {"testimony_id": obj.id, "mention_id": mention(x["mention"]).id if x["mention"] else None,
                      **x["fields"]}
            dobj, status, changed = w.upsert("document", x["key"], m.Document, {"key": x["key"]}, values)
            w.tally("document", x["key"], status, changed)
    for a in d["appeals"]:
        write_appeal(a, None)

    for c in d["claims"]:
        src = source(c["source"])
        values = {"source_id": src.id if src else None, **_dated("date", c["date"]), **c["fields"]}
        obj, status, changed = w.upsert("aggregate claim", c["number"], m.AggregateClaim, {"number": c["number"]},
                                        values)
        w.tally("aggregate claim", c["number"], status, changed)

    for j in d["judgements"]:
        a, b = mention(j["a"]), mention(j["b"])
        label = f"{j['a']} {j['fields']['decision']} {j['b']} ({j['decided_at'].isoformat()})"
        lookup = {"mention_a": a, "mention_b": b, "decision": j["fields"]["decision"],
                  "source": j["fields"]["source"], "decided_at": j["decided_at"]}
        user = users.get(j["decided_by"])
        values = {"score": j["fields"]["score"], "note": j["fields"]["note"],
                  "decided_by_id": user.id if user else None, "withdrawn_at": j["withdrawn_at"]}
        obj = m.Judgement.objects.filter(**lookup).first()
        if obj is None:
            obj = m.Judgement.objects.create(**{k: v for k, v in lookup.items() if k != "decided_at"}, **values)
            m.Judgement.objects.filter(pk=obj.pk).update(decided_at=j["decided_at"])  # decided_at is auto_now_add
            w.tally("judgement", label, "created", [])
            continue
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        if changed:
            m.Judgement.objects.filter(pk=obj.pk).update(**{k: values[k] for k in changed})
        w.tally("judgement", label, "updated" if changed else "unchanged", changed)

    # Last: what the file's testimonies no longer contain.
    for number, gone in plan["stale"].items():
        for kind, key in gone:
            model = {"document": m.Document, "appeal": m.Appeal, "event": m.Event, "mention": m.Mention}[kind]
            model.objects.filter(key=key).delete()


def _set_names(mention: m.Mention, names: list[tuple[str, str | None, int]]) -> bool:
    """Give ``mention`` exactly ``names`` (text, script or None for detected, position); True when changed."""
    current = [(n.text, n.script, n.position) for n in mention.names.order_by("position", "id")]
    if [n[0] for n in current] == [n[0] for n in names] and all(
            c[1] == (n[1] or c[1]) and c[2] == n[2] for c, n in zip(current, names)):
        return False
    set_mention_names(mention, [n[0] for n in names])
    for row, (text, script, position) in zip(mention.names.order_by("position", "id"), names):
        update = {}
        if script and row.script != script:
            update["script"] = script
        if row.position != position:
            update["position"] = position
        if update:
            m.MentionName.objects.filter(pk=row.pk).update(**update)
    return True


def read_document(path: str | Path) -> Any:
    """Parse a JSON file.

    Raises:
        InputError: not UTF-8, or not JSON (with the line and column).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                         file=str(path), row=exc.lineno) from exc


def _check_text(ck: _Checker, value: Any, where: str = "") -> None:
    """Refuse strings the databases cannot store: NUL (U+0000; PostgreSQL refuses it) and lone surrogates
    (``"\\ud800"`` in JSON: not encodable as UTF-8), in keys and values, naming the JSON path."""
    if isinstance(value, str):
        if "\x00" in value:
            ck.error(where or "(document)", "contains a NUL character (U+0000), which cannot be stored")
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                ck.error(where or "(document)", f"contains a lone surrogate (U+{ord(value[exc.start]):04X}), "
                                                "which is not a character")
    elif isinstance(value, dict):
        for k, v in value.items():
            w = f"{where}.{k}" if where else str(k)
            _check_text(ck, k, w + " (key)")
            _check_text(ck, v, w)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_text(ck, v, f"{where}[{i}]")


def import_json(path: str | Path, report) -> None:
    """Import a Kuager JSON file into the database, inside the caller's transaction.

    The whole file is checked first; when anything is wrong, every error is added
    to ``report.rejected`` and nothing is written. Records are matched by their
    keys (``docs/json-format.md``); an existing record whose values differ is
    updated in place and ``report.changes`` names the fields; records of a
    testimony in the file that the file no longer lists are removed. Importing
    the same file again counts everything ``unchanged``.

    Args:
        path: the JSON file.
        report: an :class:`~kuager.records.services.importing.ImportReport`;
            counts go to ``created``/``updated``/``unchanged`` per record kind
            (``testimony``, ``mention``, ``event``, ``appeal``, ``document``,
            ``victim``, ``source``, ``testifier``, ``place``, ``facility``,
            ``aggregate claim``, ``judgement``; ``user`` when one is created).

    Raises:
        InputError: the file is not valid (unknown format or version, a missing
            required key, a bad choice, date or reference, a NUL character or a
            lone surrogate in any string). The error names the
            file and the JSON path, e.g. ``testimonies[3].mentions[0].sex``;
            with several errors, the message lists them all, one per line.
    """
    path = Path(path)
    ck = _Checker(str(path))
    try:
        doc = read_document(path)
    except InputError as exc:
        ck.errors.append(exc)
        doc = None
    if not ck.errors:
        _check_text(ck, doc)
    if not ck.errors:
        data = _read(doc, ck)
        if data:  # the format and version are right: check references too, to report everything at once
            plan = _check_references(ck, data)
    if ck.errors:
        report.rejected.extend(str(e) for e in ck.errors)
        if len(ck.errors) == 1:
            raise ck.errors[0]
        exc = InputError("\n".join(str(e) for e in ck.errors))
        exc.file, exc.field = str(path), ck.errors[0].field
        raise exc
    with transaction.atomic():
        _write(data, plan, report)
