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

# Russian and Kazakh words, each mapped to the English word the parser already reads
# ("" = a filler such as "год"/"жылы" that adds nothing). Month names from the
# Russian and Kazakh calendars (Kazakh names as used since 1990s official usage:
# қаңтар, ақпан, наурыз, сәуір, мамыр, маусым, шілде, тамыз, қыркүйек, қазан,
# қараша, желтоқсан); Russian in nominative, genitive ("мая"), prepositional ("мае").
_RU_MONTHS = ["январь января январе", "февраль февраля феврале", "март марта марте", "апрель апреля апреле",
              "май мая мае", "июнь июня июне", "июль июля июле", "август августа августе",
              "сентябрь сентября сентябре", "октябрь октября октябре", "ноябрь ноября ноябре",
              "декабрь декабря декабре"]
_KK_MONTHS = ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
              "қараша", "желтоқсан"]
# Kazakh endings in use after a month/season/qualifier: possessive (наурызы, шілдесі),
# locative (мамырда, көктемде, қыста), genitive (наурыздың), possessive + locative (ортасында).
_KK_ENDINGS = ("", "ы", "і", "сы", "сі", "да", "де", "та", "те", "ның", "нің", "дың", "дің", "тың", "тің",
               "ында", "інде", "сында", "сінде", "нда", "нде")
_RU_WORDS = {
    **{w: calendar.month_name[i].lower() for i, ws in enumerate(_RU_MONTHS, 1) for w in ws.split()},
    **{w: "spring" for w in "весна весной весны весне весну".split()},
    **{w: "summer" for w in "лето летом лета лете".split()},
    **{w: "autumn" for w in "осень осенью осени".split()},
    **{w: "winter" for w in "зима зимой зимы зиме зиму".split()},
    **{w: "mid" for w in "середина середине середины середину".split()},
    **{w: "early" for w in "начало начале начала".split()},
    **{w: "late" for w in "конец конце конца".split()},
    "или": "or", "либо": "or", "немесе": "or", "әлде": "or",
    "между": "between", "и": "and", "с": "from", "по": "to", "до": "to",
    **{w: "" for w in "в во год года году г гг годах ж жыл жылы жылдың жылғы жылдары".split()},
}
_KK_STEMS = {**{w: calendar.month_name[i].lower() for i, w in enumerate(_KK_MONTHS, 1)},
             "көктем": "spring", "жаз": "summer", "күз": "autumn", "қыс": "winter",
             "орта": "mid", "ортас": "mid", "бас": "early", "басы": "early", "соң": "late", "соңы": "late",
             "аяғ": "late", "аяқ": "late"}
for _stem, _en in _KK_STEMS.items():
    for _end in _KK_ENDINGS:
        _RU_WORDS.setdefault(_stem + _end, _en)
_UNKNOWN = {"unknown", "not known", "?", "n/a", "-", "неизвестно", "не известно", "неизвестна", "неизвестен",
            "белгісіз", "不详", "不明", "未知"}
_ZH = [(re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?"),
        lambda m: f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")),
       (re.compile(r"(\d{4})\s*年\s*(年中|中期)"), lambda m: f"mid {m[1]}"),
       (re.compile(r"(\d{4})\s*年\s*(年初|初)"), lambda m: f"early {m[1]}"),
       (re.compile(r"(\d{4})\s*年\s*(年底|年末|底)"), lambda m: f"late {m[1]}"),
       (re.compile(r"(\d{4})\s*年"), lambda m: m[1]),
       (re.compile(r"\s*(或|或者)\s*"), lambda m: " or ")]


def _to_english(text: str) -> str:
    """Rewrite the Russian, Kazakh and Chinese words of a date into the English ones the parser reads.

    Words it does not know are kept as they are, so that the parser refuses them.
    """
    for rx, repl in _ZH:
        text = rx.sub(repl, text)

    def word(m: re.Match) -> str:
        w = m[0]
        if w.isascii():
            return w
        return _RU_WORDS.get(w.lower().replace("ё", "е"), w)

    return re.sub(r"[^\W\d_]+", word, text)


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
    words = re.findall(r"[^\W\d_]+(?:-year)?|\d{4}|\d{1,2}", t)  # any letters: unknown words refuse
    years = [int(w) for w in words if len(w) == 4 and w.isdigit()]
    if len(years) != 1:
        return None
    y = years[0]
    rest = [w for w in words if w != str(y)]
    months = [(_MONTHS[w]) for w in rest if w in _MONTHS]
    days = [int(w) for w in rest if w.isdigit()]
    seasons = [w for w in rest if w in _SEASONS]
    if len(months) + len(days) + len(seasons) != len(rest):
        return None  # a word not understood: refuse rather than drop it
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
    seasons ("spring 2018"), ranges ("2017-2018", "2017/2018", "2017 to 2018",
    "between 2017 and 2018", "2017 or 2018"), a trailing note in brackets
    ("2018 (learned)"), and empty or "unknown".

    The same forms in Russian and Kazakh (Cyrillic) mean the same: month names in
    the forms in use (Russian nominative/genitive/prepositional "май 2018",
    "15 мая 2018", "в мае 2018 года"; Kazakh "мамыр 2018", "2018 жылы мамырда",
    "2019 жылдың наурызы"), seasons (весна/лето/осень/зима, көктем/жаз/күз/қыс),
    qualifiers (начало/середина/конец 2018 = early/mid/late; "2018 жылдың
    басы/ортасы/соңы"), alternatives ("2017 или 2018", "2017 немесе 2018"),
    ranges ("с 2017 по 2018", "между 2017 и 2019", "2017-2018 жылдары"), and
    unknown ("неизвестно", "не известно", "белгісіз"). Chinese "2018年5月",
    "2017年年中", "2017或2018" and "不详" are read too. Month names are those of the
    Russian and Kazakh calendars (Kazakh: қаңтар, ақпан, наурыз, сәуір, мамыр,
    маусым, шілде, тамыз, қыркүйек, қазан, қараша, желтоқсан, as in the Kazakh
    orthographic dictionary); the season and qualifier spans are the English ones
    above (mid = May–August, winter = December of that year).

    A word the parser does not know is never dropped: the whole text is refused.

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
    if not raw or raw.lower() in _UNKNOWN:
        return PartialDate(None, None, UNKNOWN, raw)
    body, note = raw, ""
    m = _NOTE.search(body)
    if m:
        body, note = body[: m.start()].strip(), m[1].strip()
    body = " ".join(_to_english(body).split())
    if m:
        season = _SEASONS.get(_to_english(note).strip().lower())
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
        f"{raw!r} is not a date (a word or number in it was not understood); expected YYYY, YYYY-MM, "
        "YYYY-MM-DD, 'May 2018', 'mid-2016', a range such as '2017-2018' or '2017 or 2018', or 'unknown' "
        "(or the same in Russian or Kazakh: 'май 2018', 'мамыр 2018', 'белгісіз')", file=file, row=row, field=field)


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
