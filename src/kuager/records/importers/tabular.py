"""Reading spreadsheets (CSV, XLSX) into rows of text cells."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from kuager.errors import InputError


#: The longest cell read (Python's csv default field size limit).
MAX_CELL = 131_072


@dataclass
class Table:
    """A spreadsheet as text.

    Attributes:
        path: the file's path as given.
        header: column names, stripped, in order.
        rows: ``(line, cells)`` pairs; ``line`` is the 1-based line (CSV) or sheet row
            (XLSX) used in error messages, ``cells`` maps column name to stripped text.
    """

    path: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def read_table(path: str | Path, fmt: str | None = None) -> Table:
    """Read a CSV (UTF-8, with or without BOM) or the first sheet of an XLSX file.

    Blank rows are skipped. Cells are returned stripped.

    Args:
        path: the file.
        fmt: ``csv`` or ``xlsx``; by default from the file's extension.

    Returns:
        A :class:`Table`.

    Raises:
        InputError: undecodable bytes (with the line), an empty file, duplicate or
            empty column names, a row longer than the header.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "xlsx":
        return _read_xlsx(path)
    if fmt not in {"csv", "txt"}:
        raise InputError(f"cannot read a {fmt!r} file as a spreadsheet; expected .csv or .xlsx", file=str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"bytes that are not UTF-8 at byte {exc.start}; save the file as UTF-8 CSV",
                         file=str(path), row=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        for cells in reader:
            records.append((reader.line_num, cells))
    except csv.Error as exc:  # e.g. a cell longer than csv.field_size_limit() (131,072 characters)
        raise InputError(f"not readable as CSV after this line ({exc})", file=str(path),
                         row=reader.line_num) from None
    return _table(str(path), records)


def _table(name: str, records: list[tuple[int, list[str]]]) -> Table:
    if not records:
        raise InputError("the file is empty", file=name)
    header = [(h or "").strip() for h in records[0][1]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError("the header row is empty", file=name, row=1)
    seen = set()
    for h in header:
        if not h:
            raise InputError("a column has no name in the header", file=name, row=records[0][0])
        if h in seen:
            raise InputError(f"column {h!r} appears twice in the header", file=name, row=records[0][0])
        seen.add(h)
    rows = []
    for line, cells in records[1:]:
        cells = ["" if c is None else str(c) for c in cells]
        longest = max((len(c) for c in cells), default=0)
        if longest > MAX_CELL:  # the same limit whatever csv.field_size_limit() another library set
            raise InputError(f"a cell holds {longest:,} characters; at most {MAX_CELL:,} are read", file=name,
                             row=line)
        if any("\x00" in c for c in cells):  # PostgreSQL cannot store it; no spreadsheet means it
            raise InputError("a cell holds a NUL character (byte 0): is this really a text spreadsheet?",
                             file=name, row=line)
        if not any(c.strip() for c in cells):
            continue
        extra = cells[len(header):]
        if any(c.strip() for c in extra):
            raise InputError(f"{len(cells)} cells but the header has {len(header)} columns", file=name, row=line)
        rows.append((line, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}))
    return Table(name, header, rows)


def _read_xlsx(path: Path) -> Table:
    import datetime as dt

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(f"not a readable XLSX workbook ({exc})", file=str(path)) from None
    ws = wb.worksheets[0]
    records = []
    for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = []
        for v in values:
            if isinstance(v, dt.datetime):
                v = v.date().isoformat() if v.time() == dt.time() else v.isoformat()
            elif isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, float) and v.is_integer():
                v = int(v)
            cells.append("" if v is None else str(v))
        records.append((i, cells))
    wb.close()
    return _table(str(path), records)
