"""Importing files: atomic, idempotent, with a dry run and located errors.

Rules (tested in ``tests/records/test_import_rules.py``):

- Atomic: a file imports completely or not at all (one transaction).
- Idempotent: importing the same file again changes nothing. Testimony numbers,
  claim numbers and facility ids identify rows; a changed row updates its records
  in place (mentions keep their victim) and the report says which fields changed.
- ``dry_run``: everything is computed in a transaction that is rolled back.
- Errors name the file, row and column, and say what was expected; all errors of
  a file are reported together, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from kuager import progress
from kuager.audit import services as audit
from kuager.dates import UNKNOWN, birth_year_range, parse_partial_date
from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records.importers.mapping import Mapping, find_mapping_for, load_mapping
from kuager.records.importers.tabular import Table, read_table
from kuager.records.services.evidence import sha256_file
from kuager.records.services.names import set_mention_names

#: Plain words for mention fields, used when a testimony describes people it does not name.
MENTION_LABELS = {
    "mention.relation_of_testifier": "relation to the testifier", "mention.place_of_origin": "place of origin",
    "mention.father_name": "father's name", "mention.chinese_id": "Chinese ID number",
    "mention.age_as_of": "age as of", "mention.birth_date": "born",
}

FORMATS = ("csv", "xlsx", "json", "mentions", "buzzfeed-facilities")


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run).

    Attributes:
        file: the imported file.
        format: the format used.
        created, updated, unchanged: counts per record type (``"testimony"``...).
        rejected: error messages (empty on success).
        changes: one line per updated record saying what changed.
        dry_run: True when nothing was written.
    """

    file: str
    format: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        d = getattr(self, bucket)
        d[kind] = d.get(kind, 0) + n

    def summary(self) -> str:
        """Human-readable lines."""
        def fmt(d):
            return ", ".join(f"{v} {k}" for k, v in sorted(d.items())) or "nothing"
        would = "would be " if self.dry_run else ""
        lines = [f"{self.file} ({self.format}){' [dry run: nothing written]' if self.dry_run else ''}",
                 f"  {would}created: {fmt(self.created)}",
                 f"  {would}updated: {fmt(self.updated)}",
                 f"  unchanged: {fmt(self.unchanged)}"]
        lines += [f"  {c}" for c in self.changes]
        lines += [f"  rejected: {r}" for r in self.rejected]
        return "\n".join(lines)


class _Rollback(Exception):
    pass


class _TooLong(Exception):
    """A value longer than its column allows (PostgreSQL refuses it; SQLite would store it)."""


def _check_lengths(sender, instance, raw=False, **kwargs) -> None:
    """pre_save during an import: refuse text longer than a ``CharField``'s ``max_length``."""
    from django.db import models as dm

    for f in instance._meta.concrete_fields:
        if isinstance(f, dm.CharField) and f.max_length:
            v = getattr(instance, f.attname)
            if isinstance(v, str) and len(v) > f.max_length:
                raise _TooLong(f"{instance._meta.model_name}.{f.name}: {len(v)} characters; at most "
                               f"{f.max_length} fit")


def detect_format(path: Path, fmt: str | None) -> str:
    """Choose the import format: ``fmt`` if given, else from the extension and header."""
    if fmt:
        if fmt not in FORMATS:
            raise KuagerError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in {".tsv", ".csv", ".txt"}:
        head = path.read_bytes()[:4096]
        if head.startswith(b"id\tName\tid_sub\t"):
            return "buzzfeed-facilities"
        from kuager.records.services.mentions_import import looks_like_mentions

        first = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[0] if head else ""
        if looks_like_mentions([c.strip() for c in first.split(",")]):
            return "mentions"
        return "csv"
    raise KuagerError(f"{path}: cannot tell the format from the extension {suffix!r}; give --format")


def import_file(path: str | Path, *, fmt: str | None = None, mapping: str | Path | None = None,
                dry_run: bool = False) -> ImportReport:
    """Import one file into the database.

    Args:
        path: a spreadsheet (CSV/XLSX, with a mapping), a Kuager JSON file, or the
            BuzzFeed facilities TSV.
        fmt: one of :data:`FORMATS`; by default detected.
        mapping: a mapping TOML for spreadsheets; by default the bundled mapping
            whose declared header matches the file's.
        dry_run: compute and report, write nothing.

    Returns:
        An :class:`ImportReport`.

    Raises:
        InputError: bad input (file, row, column named); nothing is written.
        KuagerError: an unknown format, or a spreadsheet with no mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise KuagerError(f"{path}: no such file")
    fmt = detect_format(path, fmt)
    report = ImportReport(file=str(path), format=fmt, dry_run=dry_run)
    from django.db.models.signals import pre_save

    pre_save.connect(_check_lengths, dispatch_uid="kuager-import-lengths")
    try:
        with transaction.atomic():
            batch = m.ImportBatch.objects.create(file_name=path.name, sha256=sha256_file(path), format=fmt)
            if fmt in {"csv", "xlsx"}:
                table = read_table(path, fmt)
                mp = load_mapping(mapping) if mapping else find_mapping_for(table.header)
                if mp is None:
                    raise KuagerError(
                        f"{path}: no mapping given and no bundled mapping fits its columns {table.header}; "
                        "write one (docs/import-mapping.md) and pass --mapping FILE")
                batch.mapping = str(mp.path.name)
                mp.check_header(table.header, str(path))
                if mp.kind == "testimonies":
                    _import_testimonies(table, mp, batch, report)
                else:
                    _import_claims(table, mp, report)
            elif fmt == "mentions":
                from kuager.records.services.mentions_import import import_mentions

                import_mentions(path, report)
            elif fmt == "json":
                from kuager.records.services.json_format import import_json

                import_json(path, report)
            else:
                _import_facilities(path, report)
            if report.rejected:
                raise InputError("\n".join(report.rejected))
            batch.counts = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
            batch.save()
            audit.record("import", batch, new={"file": batch.file_name, "sha256": batch.sha256, "format": fmt,
                                               "mapping": batch.mapping, **batch.counts})
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except _TooLong as exc:
        raise InputError(f"a value is too long: {exc}", file=str(path)) from None
    finally:
        pre_save.disconnect(dispatch_uid="kuager-import-lengths")
    return report


# --------------------------------------------------------------------------- helpers

def _fingerprint(cells: dict[str, str], mapping: Mapping, extra: str = "") -> str:
    data = json.dumps(cells, sort_keys=True, ensure_ascii=False) + mapping.sha256 + extra
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class _Row:
    """One spreadsheet row seen through a mapping; records which columns were used."""

    def __init__(self, table: Table, line: int, cells: dict[str, str], mp: Mapping, report: ImportReport):
        self.table, self.line, self.cells, self.mp, self.report = table, line, cells, mp, report
        self.used: set[str] = set()
        self.errors: list[str] = []

    def col(self, column: str | None) -> str:
        """The cell's text, or "" when the column is None or the value means unknown."""
        if not column:
            return ""
        self.used.add(column)
        v = self.cells.get(column, "").strip()
        return "" if v.lower() in self.mp.null_values else v

    def get(self, target: str) -> str:
        """The value for a mapping target: column through value map, else default."""
        column = self.mp.columns.get(target)
        v = self.col(column) if column else ""
        if not v:
            v = self.mp.defaults.get(target, "")
        vmap = self.mp.values.get(target)
        if v and vmap is not None:
            v = vmap.get(v.lower(), v)
        return v

    def identity(self, target: str, what: str, seen: dict[str, int]) -> str:
        """The row's identifying value (testimony or claim number): required, and unique in the file.

        Args:
            target: the mapping target holding it; what: its name in messages.
            seen: value -> line of the rows read so far (updated here).

        Returns:
            The value ("" when empty); an error is recorded when empty or repeated.
        """
        value = self.get(target)
        if not value:
            self.error(target, f"empty; every row needs {what}")
        elif value in seen:
            self.error(target, f"{value!r} already used on row {seen[value]}")
        else:
            seen[value] = self.line
        return value

    def error(self, target_or_column: str, message: str) -> None:
        column = self.mp.columns.get(target_or_column, target_or_column)
        self.errors.append(str(InputError(message, file=self.table.path, row=self.line, field=column)))

    def date(self, column_or_target: str | None, *, is_target: bool = False):
        text = self.get(column_or_target) if is_target else self.col(column_or_target)
        column = self.mp.columns.get(column_or_target) if is_target else column_or_target
        try:
            return parse_partial_date(text, file=self.table.path, row=self.line, field=column)
        except InputError as exc:
            self.errors.append(str(exc))
            return parse_partial_date("")

    def choice(self, target: str, choices: type, aliases: dict[str, str] | None = None) -> str:
        v = self.get(target)
        if not v:
            return ""
        v2 = (aliases or {}).get(v.lower(), v.lower())
        if v2 not in choices.values:
            self.error(target, f"{v!r} is not one of {', '.join(c for c in choices.values if c)}")
            return ""
        return v2

    def unused_notes(self) -> str:
        """Non-empty cells no mapping target consumed, as "column: value" lines (nothing is lost)."""
        lines = []
        for column, v in self.cells.items():
            if column not in self.used and v.strip() and v.strip().lower() not in self.mp.null_values:
                lines.append(f"{column}: {v.strip()}")
        return "\n".join(lines)


def _source_from_mapping(mp: Mapping, table_path: str) -> m.Source | None:
    spec = mp.source
    if not spec.get("key"):
        return None
    text, sha = "", ""
    if spec.get("text_file"):
        for base in (Path(table_path).parent, mp.path.parent):
            p = base / spec["text_file"]
            if p.is_file():
                raw = p.read_bytes()
                text, sha = raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()
                break
    fields = {k: spec.get(k, "") for k in ("title", "kind", "publisher", "author", "published_on", "url",
                                           "license", "attribution")}
    fields["kind"] = fields["kind"] or "article"
    src, created = m.Source.objects.get_or_create(key=spec["key"], defaults={**fields, "text": text, "sha256": sha})
    if not created:
        changed = False
        for k, v in {**fields, **({"text": text, "sha256": sha} if text else {})}.items():
            if v and getattr(src, k) != v:
                setattr(src, k, v)
                changed = True
        if changed:
            src.save()
    return src


def _snapshot(t: m.Testimony) -> dict:
    """A comparable picture of a testimony and what hangs on it (for change reports)."""
    out = {f"testimony.{f}": getattr(t, f) for f in (
        "attribution", "collection", "recorded_on_text", "channel", "language", "original_text", "notes",
        "consent", "recorded_by_name")}
    if t.testifier_id:
        tf = t.testifier
        out.update({f"testifier.{f}": getattr(tf, f) for f in ("name", "citizenship", "residence", "contact")})
    for mn in t.mentions.all():
        for f in ("relation_of_testifier", "sex", "birth_date_text", "age", "age_as_of_text", "ethnicity",
                  "citizenship", "place_of_origin", "father_name", "chinese_id", "occupation", "description"):
            out[f"{mn.key}.{f}"] = getattr(mn, f)
        out[f"{mn.key}.names"] = [n.text for n in mn.names.all()]
    for e in t.events.all():
        out[f"{e.key}"] = (e.kind, e.kind_text, e.date_text, e.place_text, e.reason_given, e.reason_suspected,
                           e.sentence_term, e.description, e.subject)
    for a in t.appeals.all():
        out[f"{a.key}"] = (a.authority, a.description, a.date_text, a.response_status, a.response_text)
    for d in t.documents.all():
        out[f"{d.key}"] = (d.kind, d.description)
    return out


# --------------------------------------------------------------------------- testimonies

def _import_testimonies(table: Table, mp: Mapping, batch: m.ImportBatch, report: ImportReport) -> None:
    source = _source_from_mapping(mp, table.path)
    numbers: dict[str, int] = {}
    for line, cells in progress.track(table.rows, "Importing testimonies"):
        row = _Row(table, line, cells, mp, report)
        number = row.identity("testimony.number", "a testimony number", numbers)
        if row.errors:
            report.rejected.extend(row.errors)
            continue
        fp = _fingerprint(cells, mp)
        existing = m.Testimony.objects.filter(number=number).first()
        if existing and existing.row_fingerprint == fp:
            report.count("unchanged", "testimony")
            continue
        before = _snapshot(existing) if existing else None
        try:
            _write_testimony(row, number, source, batch, existing, fp)
        except _TooLong as exc:
            row.errors.append(str(InputError(f"a value is too long: {exc}", file=table.path, row=line)))
        if row.errors:
            report.rejected.extend(row.errors)
            continue
        t = m.Testimony.objects.get(number=number)
        if existing is None:
            audit.record("create", t, new=_snapshot(t))
            report.count("created", "testimony")
            report.count("created", "mention", t.mentions.count())
            report.count("created", "event", t.events.count())
            report.count("created", "appeal", t.appeals.count())
            report.count("created", "document", t.documents.count())
        else:
            after = _snapshot(t)
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            audit.record("update", t, old=before, new=after)
            report.count("updated", "testimony")
            report.changes.append(f"updated {number} (row {line}): " + (", ".join(changed) or "import metadata"))


def _write_testimony(row: _Row, number: str, source, batch, existing, fp: str) -> None:
    mp = row.mp
    t = existing or m.Testimony(number=number)
    t.source = source
    t.attribution = row.get("testimony.attribution")
    t.collection = row.get("testimony.collection") or (source.key if source else "")
    t.recorded_on = row.date("testimony.recorded_on", is_target=True)
    channel = row.get("testimony.channel")
    t.channel_text = row.cells.get(mp.columns.get("testimony.channel", ""), "")
    if channel and channel not in m.ChannelChoices.values:
        row.error("testimony.channel", f"{channel!r} is not a channel; expected one of "
                  f"{', '.join(m.ChannelChoices.values)} (map it in [values.\"testimony.channel\"])")
    t.channel = channel if channel in m.ChannelChoices.values else m.ChannelChoices.OTHER
    t.language = row.get("testimony.language")
    t.original_text = row.get("testimony.original_text")
    consent = row.choice("testimony.consent", m.ConsentChoices)
    t.consent = consent or m.ConsentChoices.NONE
    t.recorded_by_name = row.get("testimony.recorded_by")
    t.import_batch = batch
    t.row_fingerprint = fp

    # Testifier: named testifiers are one person across testimonies; anonymous ones are per testimony.
    tname = row.get("testifier.name")
    anonymous = not tname  # a withheld or missing name; consent decides separately what is published
    tf_fields = {"citizenship": row.get("testifier.citizenship"), "residence": row.get("testifier.residence"),
                 "contact": row.get("testifier.contact")}
    if tname:
        tf = m.Testifier.with_name(tname).first() or m.Testifier(name=tname)
    else:
        tf = existing.testifier if existing and existing.testifier and existing.testifier.anonymous else m.Testifier()
    tf.anonymous = anonymous
    for k, v in tf_fields.items():
        setattr(tf, k, v)
    tf.save()
    t.testifier = tf
    t.notes = ""
    t.save()

    keep_mentions, keep_events, keep_appeals, keep_docs = set(), set(), set(), set()
    names_text = row.get("mention.names")
    mention = None
    subject = ""
    if names_text and mp.not_a_name and mp.not_a_name.search(names_text):
        subject, names_text = names_text, ""
    if names_text:
        mention = _write_mention(row, t, f"{number}/m1", names_text)
        keep_mentions.add(mention.key)
    else:
        # Nothing to invent: the mention columns are read (so they are not copied into notes)
        for target in [k for k in mp.columns if k.startswith("mention.")]:
            v = row.get(target)
            if v and target != "mention.names":
                label = MENTION_LABELS.get(target, target.split(".", 1)[1].replace("_", " "))
                subject = f"{subject}; {label}: {v}" if subject else f"{label}: {v}"
    owner = mention.key if mention else f"{number}/unnamed"

    made: dict[tuple, m.Event] = {}
    for i, spec in enumerate(mp.events, start=1):
        ev = _event_from_spec(row, spec)
        if ev is None:
            continue
        same = made.get((ev["kind"], ev["date"].text))
        if same is not None:  # two columns stating one event: merge into the first
            for k, v in ev.items():
                if k not in ("kind", "date") and v and not getattr(same, k):
                    setattr(same, k, v)
            same.save()
            continue
        key = f"{owner}/e{i}"
        obj = m.Event.objects.filter(key=key).first() or m.Event(key=key)
        obj.testimony, obj.mention, obj.subject = t, mention, "" if mention else subject
        for k, v in ev.items():
            setattr(obj, k, v)
        obj.save()
        made[(ev["kind"], ev["date"].text)] = obj
        keep_events.add(key)

    for i, spec in enumerate(mp.appeals, start=1):
        desc = row.col(spec.description)
        response = row.col(spec.response)
        if not desc:
            continue  # a response with no appeal stays in the notes (nothing is lost)
        authority = row.col(spec.authority) if spec.authority else ""
        if not authority and spec.authority_pattern:
            mt = re.search(spec.authority_pattern, desc, re.IGNORECASE)
            authority = mt.group("authority").strip() if mt else ""
        key = f"{number}/a{i}"
        ap = m.Appeal.objects.filter(key=key).first() or m.Appeal(key=key)
        ap.testimony, ap.authority, ap.description = t, authority or "(not stated)", desc
        ap.sender = str(tf) if not tf.anonymous else ""
        ap.date = row.date(spec.date)
        if response and response.lower() in {v.lower() for v in spec.no_response_values}:
            ap.response_status, ap.response_text = "none", response
        elif response:
            ap.response_status, ap.response_text = "answered", response
        else:
            ap.response_status, ap.response_text = "unknown", ""
        ap.response_date = row.date(spec.response_date)
        ap.save()
        if mention:
            ap.mentions.set([mention])
        keep_appeals.add(key)
    # Columns of appeals with no appeal text are left unread on purpose, so they go to notes.
    for spec in mp.appeals:
        if not row.cells.get(spec.description, "").strip() or \
                row.cells.get(spec.description, "").strip().lower() in mp.null_values:
            for c in spec.columns():
                row.used.discard(c)

    j = 0
    for spec in mp.documents:
        text = row.col(spec.description)
        parts = [p.strip() for p in (text.split(spec.split) if spec.split else [text]) if p.strip()]
        for part in parts:
            j += 1
            key = f"{number}/d{j}"
            doc = m.Document.objects.filter(key=key).first() or m.Document(key=key)
            doc.testimony, doc.mention, doc.description = t, mention, part
            doc.kind = next((k for pat, k in mp.document_kinds if pat.search(part)), "other")
            doc.save()
            keep_docs.add(key)

    # Remove what this row no longer says (a changed row updates, it does not accumulate).
    if existing:
        t.mentions.exclude(key__in=keep_mentions).delete()
        t.events.exclude(key__in=keep_events).delete()
        t.appeals.exclude(key__in=keep_appeals).delete()
        t.documents.exclude(key__in=keep_docs).filter(sha256="").delete()  # held evidence is never dropped
    notes = row.unused_notes()
    if notes != t.notes:
        t.notes = notes
        t.save(update_fields=["notes"])


def _write_mention(row: _Row, t: m.Testimony, key: str, names_text: str) -> m.Mention:
    mn = m.Mention.objects.filter(key=key).first() or m.Mention(key=key)
    mn.testimony = t
    mn.relation_of_testifier = row.get("mention.relation_of_testifier")
    sex = row.get("mention.sex").lower()
    sex = {"f": "female", "m": "male", "woman": "female", "man": "male"}.get(sex, sex)
    if sex and sex not in ("female", "male"):
        row.error("mention.sex", f"{sex!r}: expected female, male, f or m")
        sex = ""
    mn.sex = sex
    for f in ("ethnicity", "citizenship", "place_of_origin", "father_name", "occupation", "description"):
        setattr(mn, f, row.get(f"mention.{f}"))
    cid = row.get("mention.chinese_id").replace(" ", "").upper()
    if cid and not re.fullmatch(r"\d{17}[\dX]", cid):
        row.error("mention.chinese_id", f"{cid!r}: expected 18 characters, 17 digits then a digit or X")
    mn.chinese_id = cid
    birth = row.date("mention.birth_date", is_target=True)
    mn.birth_date_text = birth.text
    mn.birth_year_min = birth.start.year if birth.start else None
    mn.birth_year_max = birth.end.year if birth.end else None
    age_text = row.get("mention.age")
    mn.age, mn.age_as_of_text = None, ""
    if age_text:
        if not re.fullmatch(r"\d{1,3}", age_text):
            row.error("mention.age", f"{age_text!r}: expected a whole number of years")
        else:
            mn.age = int(age_text)
            as_of = row.date("mention.age_as_of", is_target=True)
            if as_of.precision == UNKNOWN:
                as_of = t.recorded_on
            mn.age_as_of_text = as_of.text
            if as_of.precision != UNKNOWN and mn.birth_year_min is None:
                mn.birth_year_min, mn.birth_year_max = birth_year_range(mn.age, as_of)
    mn.save()
    set_mention_names(mn, [n.strip() for n in names_text.split("|") if n.strip()])
    return mn


def _event_from_spec(row: _Row, spec) -> dict | None:
    """The fields of the event a row states for one [[events]] table, or None."""
    mp = row.mp
    if spec.flag:
        flag = row.col(spec.flag).lower()
        if flag not in {"yes", "y", "true", "1", "x"}:
            if flag and flag not in {"no", "n", "false", "0"}:
                row.error(spec.flag, f"{flag!r}: expected yes or no")
            return None
    kind_text = ""
    if spec.kind_column:
        kind_text = row.col(spec.kind_column)
        if not kind_text:
            return None
        kind = next((k for pat, k in mp.event_kinds if pat.search(kind_text)), None)
        if kind is None:
            kind = kind_text.lower().replace(" ", "_")
            if kind not in m.EventKind.values:
                row.error(spec.kind_column, f"{kind_text!r} matches no pattern of [event_kinds] and is not an "
                          f"event kind ({', '.join(m.EventKind.values)})")
                return None
    else:
        kind = spec.kind
        if kind not in m.EventKind.values:
            row.error(spec.kind or "kind", f"{kind!r} in the mapping is not an event kind")
            return None
    date = row.date(spec.date)
    if not spec.kind_column and not spec.flag and date.precision == UNKNOWN:
        return None  # a fixed-kind event is stated by its date column
    return {
        "kind": kind, "kind_text": kind_text, "date": date,
        "place_text": row.col(spec.place), "reason_given": row.col(spec.reason_given),
        "reason_suspected": row.col(spec.reason_suspected), "sentence_term": row.col(spec.sentence_term),
        "description": row.col(spec.description),
    }


# --------------------------------------------------------------------------- aggregate claims

def _import_claims(table: Table, mp: Mapping, report: ImportReport) -> None:
    source = _source_from_mapping(mp, table.path)
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        row = _Row(table, line, cells, mp, report)
        number = row.identity("claim.number", "a claim number", seen)
        values = {}
        for f in ("value", "value_max"):
            text = row.get(f"claim.{f}").replace(",", "").replace(" ", "")
            if text and not re.fullmatch(r"\d+", text):
                row.error(f"claim.{f}", f"{text!r}: expected a whole number")
                text = ""
            values[f] = int(text) if text else None
        for f in ("claimed_by", "scope", "measure"):
            if not row.get(f"claim.{f}"):
                row.error(f"claim.{f}", "empty; required")
        date = row.date("claim.date", is_target=True)
        if row.errors:
            report.rejected.extend(row.errors)
            continue
        fp = _fingerprint(cells, mp)
        obj = m.AggregateClaim.objects.filter(number=number).first()
        if obj and obj.row_fingerprint == fp:
            report.count("unchanged", "aggregate claim")
            continue
        created = obj is None
        obj = obj or m.AggregateClaim(number=number)
        before = {f: getattr(obj, f) for f in ("claimed_by", "reported_in", "date_text", "scope", "measure",
                                                "value", "value_max", "unit", "note")}
        obj.source = source
        for f in ("claimed_by", "reported_in", "scope", "measure", "unit", "note"):
            setattr(obj, f, row.get(f"claim.{f}"))
        obj.value, obj.value_max = values["value"], values["value_max"]
        obj.date = date
        obj.row_fingerprint = fp
        obj.save()
        audit.record("create" if created else "update", obj, old=None if created else before,
                     new={f: getattr(obj, f) for f in before})
        if created:
            report.count("created", "aggregate claim")
        else:
            report.count("updated", "aggregate claim")
            after = {f: getattr(obj, f) for f in before}
            report.changes.append(f"updated {number} (row {line}): "
                                  + ", ".join(k for k in before if before[k] != after[k]))


# --------------------------------------------------------------------------- facilities

def _import_facilities(path: Path, report: ImportReport) -> None:
    from kuager.gazetteer import BUZZFEED_ATTRIBUTION, BUZZFEED_LICENSE, read_buzzfeed_facilities

    records = read_buzzfeed_facilities(path)
    src, _ = m.Source.objects.get_or_create(key="buzzfeed-xinjiang-camps-2021", defaults={
        "title": "Xinjiang camps data (all locations, 21 July 2021)", "kind": "dataset",
        "publisher": "BuzzFeed News", "author": "Megha Rajagopalan, Alison Killing, Christo Buschek",
        "published_on": "2021-07-21", "url": "https://github.com/critocrito/xinjiang-camps-data",
        "license": BUZZFEED_LICENSE, "attribution": BUZZFEED_ATTRIBUTION, "sha256": sha256_file(path)})
    existing = {(f.source_id, f.sub_id): f for f in m.Facility.objects.filter(dataset=src)}
    for r in progress.track(records, "Importing facilities"):
        values = {"name": r.name, "town": r.town, "prefecture": r.prefecture, "latitude": r.latitude,
                  "longitude": r.longitude, "facility_type": r.facility_type, "corroboration": r.corroboration,
                  "raw": r.raw}
        f = existing.get((r.source_id, r.sub_id))
        if f is None:
            m.Facility.objects.create(dataset=src, source_id=r.source_id, sub_id=r.sub_id, **values)
            report.count("created", "facility")
        elif any(getattr(f, k) != v for k, v in values.items()):
            changed = [k for k, v in values.items() if getattr(f, k) != v]
            for k, v in values.items():
                setattr(f, k, v)
            f.save()
            report.count("updated", "facility")
            report.changes.append(f"updated facility {r.source_id}{r.sub_id} (line {r.row}): {', '.join(changed)}")
        else:
            report.count("unchanged", "facility")
