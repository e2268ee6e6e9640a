"""Importing a person-mentions CSV (``docs/formats/mentions.md``) into the database.

Each row is one mention of a person in one source (a list, a register, a media
report). It becomes a testimony of its own, numbered ``SOURCE/RECORD_ID``, in the
collection ``SOURCE`` (the lists of multiple systems estimation; ``SYNTHETIC
SOURCE`` for rows whose ``synthetic`` column is true, as ``kuager synth`` writes), with one
mention keyed ``SOURCE/RECORD_ID/m1``. Consent defaults to ``none``: rows from
lists and registers are internal until an editor decides otherwise.
Importing the same file again changes nothing; a changed row updates its mention.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from kuager import progress
from kuager.dates import UNKNOWN, birth_year_range, parse_partial_date
from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.importers.tabular import read_table
from kuager.records.services.names import set_mention_names

#: Columns of the format (``record_id`` and ``names`` are required).
COLUMNS = ["record_id", "source", "names", "sex", "birth_year", "birth_date", "age", "age_as_of", "ethnicity",
           "hometown", "father_name", "chinese_id"]
_SEX = {"male": "male", "m": "male", "female": "female", "f": "female", "": ""}


def looks_like_mentions(header: list[str]) -> bool:
    """True when a CSV header has the required columns of the mentions format."""
    return {"record_id", "names"} <= set(header)


def import_mentions(path: str | Path, report) -> None:
    """Import a mentions CSV inside the caller's transaction.

    Args:
        path: the CSV file.
        report: an :class:`~kuager.records.services.importing.ImportReport`; errors
            are appended to ``report.rejected`` (each naming file, row and column).
    """
    table = read_table(path, "csv")
    missing = [c for c in ("record_id", "names") if c not in table.header]
    if missing:
        raise InputError(f"missing required columns {missing} (docs/formats/mentions.md)", file=table.path, row=1)
    seen: dict[str, int] = {}
    for line, cells in progress.track(table.rows, "Importing mentions"):
        errors = []

        def err(column: str, message: str) -> None:
            errors.append(str(InputError(message, file=table.path, row=line, field=column)))

        rid = cells.get("record_id", "")
        source = cells.get("source", "") or "mentions"
        if not rid:
            err("record_id", "empty; every row needs a record_id")
        elif rid in seen:
            err("record_id", f"{rid!r} already used on row {seen[rid]}")
        seen[rid] = line
        names = [n.strip() for n in cells.get("names", "").split("|") if n.strip()]
        if not names:
            err("names", "empty; give at least one spelling of the name")
        sex = cells.get("sex", "").lower()
        if sex not in _SEX:
            err("sex", f"{cells['sex']!r}: expected male, female, m, f or empty")
        by_text = cells.get("birth_year", "")
        if by_text and not re.fullmatch(r"\d{4}", by_text):
            err("birth_year", f"{by_text!r}: expected four digits")
        dates = {}
        for col in ("birth_date", "age_as_of"):
            try:
                dates[col] = parse_partial_date(cells.get(col, ""), file=table.path, row=line, field=col)
            except InputError as exc:
                errors.append(str(exc))
                dates[col] = parse_partial_date("")
        age_text = cells.get("age", "")
        if age_text and not re.fullmatch(r"\d{1,3}", age_text):
            err("age", f"{age_text!r}: expected a whole number of years")
        cid = cells.get("chinese_id", "").replace(" ", "").upper()
        if cid and not re.fullmatch(r"\d{17}[\dX]", cid):
            err("chinese_id", f"{cid!r}: expected 18 characters, 17 digits then a digit or X")
        if errors:
            report.rejected.extend(errors)
            continue
        number = f"{source}/{rid}"
        fp = hashlib.sha256(json.dumps(cells, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        t = m.Testimony.objects.filter(number=number).first()
        if t and t.row_fingerprint == fp:
            report.count("unchanged", "mention")
            continue
        created = t is None
        t = t or m.Testimony(number=number, consent=m.ConsentChoices.NONE)
        synthetic = cells.get("synthetic", "").strip().lower() in {"true", "1", "yes"}
        # Synthetic rows (kuager synth) say so wherever they appear: in the list's name too, so an
        # estimate or a report that counts them names them as synthetic.
        collection = f"SYNTHETIC {source}" if synthetic else source
        t.collection, t.row_fingerprint = collection, fp
        t.attribution = f"{'SYNTHETIC (invented people) ' if synthetic else ''}{Path(table.path).name}: {source}"
        t.notes = "\n".join(f"{k}: {v}" for k, v in cells.items() if k not in COLUMNS and v)
        t.save()
        key = f"{number}/m1"
        mn = m.Mention.objects.filter(key=key).first() or m.Mention(key=key, testimony=t)
        mn.sex = _SEX[sex]
        for col, fld in (("ethnicity", "ethnicity"), ("hometown", "place_of_origin"),
                         ("father_name", "father_name")):
            setattr(mn, fld, cells.get(col, ""))
        mn.chinese_id = cid
        birth = dates["birth_date"]
        if by_text:
            mn.birth_date_text, mn.birth_year_min, mn.birth_year_max = by_text, int(by_text), int(by_text)
        else:
            mn.birth_date_text = birth.text
            mn.birth_year_min = birth.start.year if birth.start else None
            mn.birth_year_max = birth.end.year if birth.end else None
        mn.age, mn.age_as_of_text = (int(age_text), dates["age_as_of"].text) if age_text else (None, "")
        if age_text and mn.birth_year_min is None and dates["age_as_of"].precision != UNKNOWN:
            mn.birth_year_min, mn.birth_year_max = birth_year_range(int(age_text), dates["age_as_of"])
        mn.save()
        set_mention_names(mn, names)
        report.count("created" if created else "updated", "mention")
        if not created:
            report.changes.append(f"updated {number} (row {line})")
