"""Partial and uncertain dates, as testimonies give them. No Django import here.

Relatives rarely know a day: they say "2016", "mid-2016", "May 2018", "2017 or
2018", "2018 (learned)". A :class:`PartialDate` keeps the earliest and latest day
the statement allows, its precision, and the words as given, so that events sort
and count without pretending to a precision the source does not have.

Precision follows the HURIDOCS Events Standard Formats practice of a date with a
"date type" (exact, month, year, range, unknown).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from kuager.errors import InputError

DAY, MONTH, YEAR, RANGE, UNKNOWN = "day", "month", "year", "range", "unknown"
PRECISIONS = (DAY, MONTH, YEAR, RANGE, UNKNOWN)

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_SEASONS = {  # qualifier -> (first month, last month)
    "early": (1, 4), "mid": (5, 8), "mid-year": (5, 8), "late": (9, 12),
    "spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 12),
}
_YMD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_NOTE = re.compile(r"\s*\(([^)]*)\)\s*$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to some precision.

    Attributes:
        start: the earliest day the statement allows (None when unknown).
        end: the latest day the statement allows (None when unknown).
        precision: one of ``day``, ``month``, ``year``, ``range``, ``unknown``.
        text: the words as given (kept for display and audit).
        note: a qualifier given in brackets, e.g. ``learned`` in "2018 (learned)".
    """

    start: date | None
    end: date | None
    precision: str
    text: str = ""
    note: str = ""

    @property
    def sort_key(self) -> tuple:
        """Orders known dates by start, then end; unknown dates last."""
        if self.start is None:
            return (1, date.max, date.max)
        return (0, self.start, self.end or self.start)

    def __str__(self) -> str:  # noqa: D105
        if self.precision == UNKNOWN:
            return "date unknown"
        if self.precision == DAY:
            out = self.start.isoformat()
        elif self.precision == MONTH:
            out = self.start.strftime("%Y-%m")
        elif self.precision == YEAR:
            out = str(self.start.year)
        elif self.text and not _YMD.match(self.text):
            return self.text  # a range in the source's own words ("mid-2016")
        else:
            out = _short(self.start, self.end)
        return f"{out} ({self.note})" if self.note else out


def note_of(text: str) -> str:
    """The bracketed qualifier at the end of a date text ("learned" in "2018 (learned)"), or ""."""
    m = _NOTE.search(text or "")
    return m[1].strip() if m else ""


def _short(a: date, b: date) -> str:
    if a.month == 1 and a.day == 1 and b.month == 12 and b.day == 31:
        return str(a.year) if a.year == b.year else f"{a.year}–{b.year}"
    return f"{a.isoformat()}–{b.isoformat()}"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _one(text: str) -> PartialDate | None:
    """Parse one date without a range; None when not recognised."""
    t = text.strip().lower().replace("–", "-")
    m = _YMD.match(t)
    if m:
        y, mo, d = int(m[1]), m[2], m[3]
        if d:
            day = date(y, int(mo), int(d))
            return PartialDate(day, day, DAY)
        if mo:
            return PartialDate(date(y, int(mo), 1), _month_end(y, int(mo)), MONTH)
        return PartialDate(date(y, 1, 1), date(y, 12, 31), YEAR)
    words = re.findall(r"[a-z]+(?:-year)?|\d{4}|\d{1,2}", t)
    years = [int(w) for w in words if len(w) == 4 and w.isdigit()]
    if len(years) != 1:
        return None
    y = years[0]
    rest = [w for w in words if w != str(y)]
    months = [(_MONTHS[w]) for w in rest if w in _MONTHS]
    days = [int(w) for w in rest if w.isdigit()]
    seasons = [w for w in rest if w in _SEASONS]
    if months and days:
        day = date(y, months[0], days[0])
        return PartialDate(day, day, DAY)
    if months:
        return PartialDate(date(y, months[0], 1), _month_end(y, months[0]), MONTH)
    if seasons:
        a, b = _SEASONS[seasons[0]]
        return PartialDate(date(y, a, 1), _month_end(y, b), RANGE)
    if not rest:
        return PartialDate(date(y, 1, 1), date(y, 12, 31), YEAR)
    return None


def parse_partial_date(text: str | None, *, file: str | None = None, row: int | None = None,
                       field: str | None = None) -> PartialDate:
    """Parse a date as testimonies give it.

    Accepts ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, month names ("May 2018",
    "6 April 2018"), qualifiers ("mid-2016", "2016 (mid-year)", "early 2017"),
    ranges ("2017-2018", "2017/2018", "2017 to 2018", "between 2017 and 2018"),
    a trailing note in brackets ("2018 (learned)"), and empty or "unknown".

    Args:
        text: the words as given; None or blank means unknown.
        file, row, field: where the text came from, for the error message.

    Returns:
        A :class:`PartialDate`; ``precision == "unknown"`` for empty input.

    Raises:
        InputError: the text is not a date in any of those forms (the message
            names file, row and field when given).
    """
    raw = (text or "").strip()
    if not raw or raw.lower() in {"unknown", "not known", "?", "n/a", "-"}:
        return PartialDate(None, None, UNKNOWN, raw)
    body, note = raw, ""
    m = _NOTE.search(body)
    if m:
        body, note = body[: m.start()].strip(), m[1].strip()
        season = _SEASONS.get(note.lower())
        if season and re.fullmatch(r"\d{4}", body):
            y = int(body)
            return PartialDate(date(y, season[0], 1), _month_end(y, season[1]), RANGE, raw, note)
    body_l = re.sub(r"^(between|from)\s+", "", body.lower())
    parts = re.split(r"\s*(?:/|\bto\b|\band\b|\bor\b|(?<=\d{4})-(?=\d{4}$)|(?<=\d{4})–(?=\d{4}))\s*", body_l)
    try:
        if len(parts) == 2:
            a, b = _one(parts[0]), _one(parts[1])
            if a and b and a.start <= b.end:
                return PartialDate(a.start, b.end, RANGE, raw, note)
        elif len(parts) == 1:
            p = _one(body_l)
            if p:
                return PartialDate(p.start, p.end, p.precision, raw, note)
    except ValueError:  # e.g. month 13
        pass
    raise InputError(
        f"{raw!r} is not a date; expected YYYY, YYYY-MM, YYYY-MM-DD, 'May 2018', 'mid-2016', "
        "a range such as '2017-2018', or 'unknown'", file=file, row=row, field=field)


def birth_year_range(age: int, as_of: PartialDate) -> tuple[int, int]:
    """Birth years allowed by an age in whole years on a (partial) date.

    A person aged ``a`` on day ``d`` was born after ``d`` minus ``a + 1`` years and
    on or before ``d`` minus ``a`` years; over a partial date the union is taken.

    Args:
        age: age in whole years (>= 0).
        as_of: when the age was true; must not be unknown.

    Returns:
        ``(earliest, latest)`` birth year, inclusive. E.g. age 23 in May 2018 gives
        (1994, 1995).

    Raises:
        ValueError: negative age or unknown date.
    """
    if age < 0 or as_of.start is None:
        raise ValueError("need a non-negative age and a known date")
    # Born in the half-open interval (d - (age+1) years, d - age years].
    earliest = as_of.start.year - age - 1
    if (as_of.start.month, as_of.start.day) == (12, 31):
        earliest += 1  # born after 31 Dec of year y-age-1, i.e. in year y-age at the earliest
    latest = as_of.end.year - age
    return earliest, latest
