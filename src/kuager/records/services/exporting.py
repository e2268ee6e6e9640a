"""Exports for people and other tools: Kuager JSON, or CSV tables for spreadsheets.

Both are built from :func:`kuager.records.services.json_format.build_document`,
so the public scope goes through :mod:`kuager.records.redaction` in one place.
The CSV tables are the same records, one file per table, joined by the same keys
(``docs/json-format.md``, section "CSV tables").
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kuager.errors import KuagerError
from kuager.records import redaction
from kuager.records.services import json_format as jf

FORMATS = ("json", "csv", "ftm")

#: Cells starting with one of these are read as formulas by spreadsheets
#: (OWASP "CSV injection"); such cells get a leading single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _date_cols(prefix: str) -> list[str]:
    return [f"{prefix}_text", f"{prefix}_start", f"{prefix}_end", f"{prefix}_precision"]


#: Columns of each CSV table, in order.
TABLES: dict[str, list[str]] = {
    "sources": ["key", *jf.SOURCE_FIELDS],
    "places": ["ref", "parent", *jf.PLACE_FIELDS],
    "facilities": ["dataset", "source_id", "sub_id", *jf.FACILITY_FIELDS],
    "testifiers": ["key", *jf.TESTIFIER_FIELDS],
    "testimonies": ["number", "source", "testifier", *_date_cols("recorded_on"), "recorded_by",
                    *jf.TESTIMONY_FIELDS],
    "mentions": ["key", "testimony", "victim", *jf.MENTION_FIELDS, "place"],
    "mention_names": ["mention", "position", "text", "script"],
    "victims": ["public_id", *jf.VICTIM_FIELDS],
    "events": ["key", "testimony", "mention", *_date_cols("date"), "place", "facility_dataset",
               "facility_source_id", "facility_sub_id", *jf.EVENT_FIELDS],
    "appeals": ["key", "testimony", *_date_cols("date"), *jf.APPEAL_FIELDS, *_date_cols("response_date")],
    "appeal_mentions": ["appeal", "mention"],
    "documents": ["key", "testimony", "mention", *jf.DOCUMENT_FIELDS],
    "aggregate_claims": ["number", "source", *_date_cols("date"), *jf.CLAIM_FIELDS],
    "judgements": ["mention_a", "mention_b", *jf.JUDGEMENT_FIELDS, "decided_by", "decided_at", "withdrawn_at"],
}


def neutralise(value) -> str:
    """One CSV cell as text a spreadsheet will not run.

    Args:
        value: a str, int, float, bool, None, or a dict/list (written as JSON).

    Returns:
        ``""`` for None, ``true``/``false`` for booleans, numbers as written by
        Python, and text unchanged except that text starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return gets a leading ``'``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _flat(rec: dict, **extra) -> dict:
    """A record of the JSON document as one table row (dates and facility references spread out)."""
    out = dict(extra)
    for k, v in rec.items():
        if isinstance(v, list) and k != "raw":
            continue  # nested lists are tables of their own
        if isinstance(v, dict) and "precision" in v:
            for part in ("text", "start", "end", "precision"):
                out[f"{k}_{part}"] = v[part]
        elif k == "facility":
            for part in ("dataset", "source_id", "sub_id"):
                out[f"facility_{part}"] = v[part] if v else None
        else:
            out[k] = v
    return out


def csv_tables(doc: dict) -> dict[str, list[dict]]:
    """The records of a Kuager JSON document as rows of the :data:`TABLES`.

    Args:
        doc: a document from :func:`~kuager.records.services.json_format.build_document`.

    Returns:
        ``{table name: [row dict, ...]}`` with every table of :data:`TABLES`.
    """
    victim_of = {k: v["public_id"] for v in doc["victims"] for k in v["mentions"]}
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for name in ("sources", "places", "facilities", "testifiers", "victims", "aggregate_claims", "judgements"):
        rows[name] = [_flat(r) for r in doc[name]]

    def add_appeal(a: dict, number: str | None) -> None:
        rows["appeals"].append(_flat(a, testimony=number))
        rows["appeal_mentions"].extend({"appeal": a["key"], "mention": k} for k in a["mentions"])

    for t in doc["testimonies"]:
        n = t["number"]
        rows["testimonies"].append(_flat(t))
        for mn in t["mentions"]:
            rows["mentions"].append(_flat(mn, testimony=n, victim=victim_of.get(mn["key"])))
            rows["mention_names"].extend({"mention": mn["key"], **name} for name in mn["names"])
        for e in t["events"]:
            rows["events"].append(_flat(e, testimony=n))
        for a in t["appeals"]:
            add_appeal(a, n)
        for d in t["documents"]:
            rows["documents"].append(_flat(d, testimony=n))
    for a in doc["appeals"]:
        add_appeal(a, None)
    return rows


def export_csv(folder: str | Path, scope: str = redaction.INTERNAL) -> dict[str, int]:
    """Write one UTF-8 CSV file per table into ``folder`` (created), spreadsheet-safe.

    Files are ``<table>.csv`` for each of :data:`TABLES`, UTF-8 with a byte-order
    mark (so spreadsheets read Cyrillic, Arabic-script and Chinese names right),
    every cell passed through :func:`neutralise`; ``README.txt`` says the scope
    and time of the export.

    Args:
        folder: the output folder; files of the same names are replaced.
        scope: ``internal`` or ``public`` (through the redaction layer).

    Returns:
        ``{table name: number of rows}``.

    Raises:
        KuagerError: an unknown scope, or ``folder`` is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise KuagerError(f"{folder} is a file; --format csv writes a folder of tables")
    folder.mkdir(parents=True, exist_ok=True)
    if scope != redaction.PUBLIC:
        folder.chmod(0o700)  # internal tables hold testifiers' identities: the owner only
    doc = jf.build_document(scope)
    counts = {}
    for name, rows in csv_tables(doc).items():
        columns = TABLES[name]
        for r in rows:
            lost = set(r) - set(columns)
            if lost:  # a field added to the model but not to TABLES: never drop data silently
                raise KuagerError(f"internal error: table {name} has no column for {sorted(lost)}")
        with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in rows:
                w.writerow([neutralise(r.get(c)) for c in columns])
        if scope != redaction.PUBLIC:
            (folder / f"{name}.csv").chmod(0o600)
        counts[name] = len(rows)
    (folder / "README.txt").write_text(
        f"Kuager export, {scope} scope, {doc['exported_at']}.\n"
        + ("PUBLIC: only what testifiers consented to publish.\n" if scope == redaction.PUBLIC else
           "INTERNAL: contains confidential material; do not publish.\n")
        + "One table per file, joined by keys; see docs/json-format.md (CSV tables).\n"
        + "Cells starting with = + - @ have a leading ' so spreadsheets do not run them.\n"
        + "".join(f"  {name}.csv: {n} rows\n" for name, n in counts.items()),
        encoding="utf-8")
    return counts


def export(out: str | Path, fmt: str = "json", scope: str = redaction.PUBLIC) -> dict[str, int]:
    """Export the database in ``fmt`` (``json``: a file; ``csv``: a folder; ``ftm``: a file) with ``scope``.

    Returns:
        Record counts (see :func:`export_csv`,
        :func:`~kuager.records.services.json_format.export_json` and
        :func:`~kuager.records.services.ftm_export.export_ftm`).

    Raises:
        KuagerError: an unknown format or scope.
    """
    from kuager.audit.services import record

    if fmt == "json":
        counts = jf.export_json(out, scope)
    elif fmt == "csv":
        counts = export_csv(out, scope)
    elif fmt == "ftm":
        from kuager.records.services.ftm_export import export_ftm

        counts = export_ftm(out, scope)
    else:
        raise KuagerError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    record("export", ("export", scope), new={"format": fmt, "scope": scope, "out": str(Path(out).resolve()),
                                             "counts": counts})
    return counts
