"""Import mappings: how a spreadsheet's own columns become Kuager records.

A mapping is a TOML file (documented in ``docs/import-mapping.md``). Users bring
spreadsheets with their own column names; the mapping is how they adapt, with no
code. The bundled mappings are in ``kuager/data/mappings``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kuager.errors import InputError
from kuager.paths import PACKAGE_DATA

BUNDLED = PACKAGE_DATA / "mappings"

#: Targets a testimonies mapping may fill from a column, and what each means.
TESTIMONY_TARGETS = {
    "testimony.number": "testimony number; identifies the row across imports (required)",
    "testimony.recorded_on": "date the testimony was recorded (partial date)",
    "testimony.channel": "interview, phone_call, video, written_petition, media_report, leaked_document, official_response, other",
    "testimony.attribution": "who reported it, as text",
    "testimony.collection": "the list or collection it belongs to (for estimation); default: the source key",
    "testimony.language": "language code of the original",
    "testimony.original_text": "the statement or its summary",
    "testimony.consent": "consent to publish: none, anonymous, full",
    "testimony.recorded_by": "name of who recorded it",
    "testifier.name": "testifier's name (confidential)",
    "testifier.citizenship": "testifier's citizenship",
    "testifier.residence": "testifier's residence",
    "testifier.contact": "testifier's contact details (confidential)",
    "mention.names": "the victim's name; several spellings separated by |",
    "mention.relation_of_testifier": "what the testifier is to the victim (wife, son, self...)",
    "mention.sex": "female / male / f / m",
    "mention.age": "age in whole years",
    "mention.age_as_of": "date the age was true (partial date)",
    "mention.birth_date": "birth date or year (partial date)",
    "mention.ethnicity": "ethnicity",
    "mention.citizenship": "citizenship(s), as text",
    "mention.place_of_origin": "place of origin, any script",
    "mention.father_name": "father's given name",
    "mention.chinese_id": "18-character PRC identity number",
    "mention.occupation": "occupation",
    "mention.description": "other description of the person",
}
CLAIM_TARGETS = {
    "claim.number": "claim number; identifies the row across imports (required)",
    "claim.claimed_by": "who made the claim (required)",
    "claim.reported_in": "where it was reported",
    "claim.date": "when (partial date)",
    "claim.scope": "the population the number is about (required)",
    "claim.measure": "what was counted (required)",
    "claim.value": "the number (whole)",
    "claim.value_max": "an upper bound ('up to N')",
    "claim.unit": "persons, families, complaints...",
    "claim.note": "the claim's words or a note",
}
KINDS = {"testimonies": TESTIMONY_TARGETS, "aggregate_claims": CLAIM_TARGETS}
REQUIRED = {"testimonies": ["testimony.number"],
            "aggregate_claims": ["claim.number", "claim.claimed_by", "claim.scope", "claim.measure"]}


@dataclass
class EventSpec:
    """One ``[[events]]`` table: at most one event per row."""

    kind: str | None = None
    kind_column: str | None = None
    date: str | None = None
    place: str | None = None
    reason_given: str | None = None
    reason_suspected: str | None = None
    sentence_term: str | None = None
    description: str | None = None
    flag: str | None = None

    def columns(self) -> list[str]:
        return [c for c in (self.kind_column, self.date, self.place, self.reason_given,
                            self.reason_suspected, self.sentence_term, self.description, self.flag) if c]


@dataclass
class AppealSpec:
    description: str
    response: str | None = None
    authority: str | None = None
    authority_pattern: str | None = None
    date: str | None = None
    response_date: str | None = None
    no_response_values: list[str] = field(default_factory=list)

    def columns(self) -> list[str]:
        return [c for c in (self.description, self.response, self.authority, self.date, self.response_date) if c]


@dataclass
class DocumentSpec:
    description: str
    split: str | None = None


@dataclass
class Mapping:
    """A parsed, validated mapping. See ``docs/import-mapping.md``."""

    path: Path
    title: str
    kind: str
    header: list[str]
    null_values: set[str]
    not_a_name: re.Pattern | None
    source: dict
    defaults: dict[str, str]
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    events: list[EventSpec]
    event_kinds: list[tuple[re.Pattern, str]]
    appeals: list[AppealSpec]
    documents: list[DocumentSpec]
    document_kinds: list[tuple[re.Pattern, str]]
    sha256: str

    def used_columns(self) -> set[str]:
        cols = set(self.columns.values())
        for spec in self.events:
            cols.update(spec.columns())
        for spec in self.appeals:
            cols.update(spec.columns())
        cols.update(d.description for d in self.documents)
        return cols

    def check_header(self, header: list[str], file: str) -> None:
        """Raise InputError naming every mapped column the file lacks."""
        missing = sorted(self.used_columns() - set(header))
        if missing:
            raise InputError(f"columns {missing} named in mapping {self.path.name} are not in the file "
                             f"(its columns: {header})", file=file, row=1)


def _compile(pattern: str, where: str, path: Path) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InputError(f"bad regular expression {pattern!r} in {where}: {exc}", file=str(path)) from None


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a mapping file.

    Args:
        path: a TOML file.

    Returns:
        A :class:`Mapping`.

    Raises:
        InputError: invalid TOML, an unknown kind or target, a missing required
            target, a bad regular expression (naming the mapping file and key).
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a valid TOML mapping: {exc}", file=str(path)) from None
    meta = data.get("mapping", {})
    kind = meta.get("kind", "testimonies")
    if kind not in KINDS:
        raise InputError(f"[mapping] kind {kind!r} is not one of {sorted(KINDS)}", file=str(path), field="kind")
    targets = KINDS[kind]
    columns = data.get("columns", {})
    for target in list(columns) + list(data.get("defaults", {})) + list(data.get("values", {})):
        if target not in targets:
            raise InputError(f"unknown target {target!r}; known: {sorted(targets)}", file=str(path), field=target)
    for target in REQUIRED[kind]:
        if target not in columns:
            raise InputError(f"[columns] must map {target!r} ({targets[target]})", file=str(path), field=target)
    events = []
    for i, e in enumerate(data.get("events", []), start=1):
        try:
            spec = EventSpec(**e)
        except TypeError as exc:
            raise InputError(f"[[events]] table {i}: {exc}", file=str(path)) from None
        if not spec.kind and not spec.kind_column:
            raise InputError(f"[[events]] table {i} needs kind or kind_column", file=str(path))
        events.append(spec)
    appeals = []
    for i, a in enumerate(data.get("appeals", []), start=1):
        try:
            spec = AppealSpec(**a)
        except TypeError as exc:
            raise InputError(f"[[appeals]] table {i}: {exc}", file=str(path)) from None
        if spec.authority_pattern:
            _compile(spec.authority_pattern, f"[[appeals]] table {i}", path)
        appeals.append(spec)
    documents = []
    for i, d in enumerate(data.get("documents", []), start=1):
        try:
            documents.append(DocumentSpec(**d))
        except TypeError as exc:
            raise InputError(f"[[documents]] table {i}: {exc}", file=str(path)) from None
    not_a_name = meta.get("not_a_name")
    return Mapping(
        path=path, title=meta.get("title", path.stem), kind=kind, header=list(meta.get("header", [])),
        null_values={v.strip().lower() for v in meta.get("null_values", [""])},
        not_a_name=_compile(not_a_name, "[mapping] not_a_name", path) if not_a_name else None,
        source=data.get("source", {}), defaults=data.get("defaults", {}), columns=columns,
        values={t: {k.lower(): v for k, v in m.items()} for t, m in data.get("values", {}).items()},
        events=events,
        event_kinds=[(_compile(p, "[event_kinds]", path), k) for p, k in data.get("event_kinds", {}).items()],
        appeals=appeals, documents=documents,
        document_kinds=[(_compile(p, "[document_kinds]", path), k) for p, k in data.get("document_kinds", {}).items()],
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def bundled_mappings() -> list[Path]:
    """The mapping files shipped with Kuager."""
    return sorted(BUNDLED.glob("*.toml"))


def find_mapping_for(header: list[str]) -> Mapping | None:
    """Return the bundled mapping whose declared header is exactly ``header`` (as a set), if any."""
    for p in bundled_mappings():
        m = load_mapping(p)
        if m.header and set(m.header) == set(header):
            return m
    return None
