"""Reader for BuzzFeed News' Xinjiang camps dataset (2021).

The file ``210720_all_locations_BFN.csv`` of the public repository
critocrito/xinjiang-camps-data (version of 21 July 2021) is, despite its name,
tab-separated, CP437-encoded, with CRLF line ends and blank rows after the
header; sub-compounds of a facility share its ``id`` and differ in ``id_sub``.
Licence: CC BY 4.0; credit "BuzzFeed News, Xinjiang camps data (CC BY 4.0)".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from kuager.errors import InputError

BUZZFEED_ATTRIBUTION = "BuzzFeed News, Xinjiang camps data (CC BY 4.0)"
BUZZFEED_LICENSE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
#: The columns as published, in order (``ETNAM `` has a trailing space in the file).
COLUMNS = ["id", "Name", "id_sub", "Town", "Prefecture", "lat", "long", "facility type",
           "corroboration level", "ETNAM ", "Shawn Zhang list", "Shawn Zhang #", "ASPI 2020 #",
           "XJVDB", "Media reports", "Researchers", "Links", "Links 2", "Links 3", "Links 4"]


@dataclass(frozen=True)
class FacilityRecord:
    """One row of the dataset.

    Attributes:
        source_id: the dataset's ``id``; ``sub_id`` its ``id_sub`` ("" for a main compound).
        latitude, longitude: WGS 84 decimal degrees, or None when blank.
        raw: every column as published (keys as in the header, values as text).
        row: the 1-based line number in the file (for error messages).
    """

    source_id: str
    sub_id: str
    name: str
    town: str
    prefecture: str
    latitude: float | None
    longitude: float | None
    facility_type: str
    corroboration: str
    raw: dict = field(default_factory=dict)
    row: int = 0


def _coordinate(text: str, low: float, high: float, path: str, line: int, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{text!r} is not a number; expected decimal degrees", file=path, row=line,
                         field=column) from None
    if not low <= value <= high:
        raise InputError(f"{value} is outside {low}..{high}", file=path, row=line, field=column)
    return value


def read_buzzfeed_facilities(path: str | Path, encoding: str = "cp437") -> list[FacilityRecord]:
    """Read the dataset as published.

    Args:
        path: the ``.tsv``/``.csv`` file.
        encoding: ``cp437`` as published (``Ürümqi`` is bytes ``9A 72 FC 6D 71 69`` there).

    Returns:
        One record per non-blank row (551 in the 2021 file), in file order.

    Raises:
        InputError: a missing column, a row of the wrong width, a duplicate
            ``(id, id_sub)``, or a coordinate that is not a number in range;
            the message names file, line and column.
    """
    path = Path(path)
    name = str(path)
    text = path.read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the file is empty", file=name) from None
    missing = [c for c in ("id", "Name", "id_sub", "lat", "long") if c not in header]
    if missing:
        raise InputError(f"missing columns {missing}; is this the BuzzFeed camps file?", file=name, row=1)
    records: list[FacilityRecord] = []
    seen: set[tuple[str, str]] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(f"{len(cells)} cells, expected {len(header)}", file=name, row=line)
        raw = dict(zip(header, cells))
        sid, sub = raw["id"].strip(), raw["id_sub"].strip()
        if not sid:
            raise InputError("empty id", file=name, row=line, field="id")
        if (sid, sub) in seen:
            raise InputError(f"duplicate id {sid!r} with id_sub {sub!r}", file=name, row=line, field="id")
        seen.add((sid, sub))
        records.append(FacilityRecord(
            source_id=sid, sub_id=sub, name=raw["Name"].strip(), town=raw.get("Town", "").strip(),
            prefecture=raw.get("Prefecture", "").strip(),
            latitude=_coordinate(raw["lat"], -90, 90, name, line, "lat"),
            longitude=_coordinate(raw["long"], -180, 180, name, line, "long"),
            facility_type=raw.get("facility type", "").strip(),
            corroboration=raw.get("corroboration level", "").strip(), raw=raw, row=line))
    return records
