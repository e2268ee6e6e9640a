"""Partial dates as testimonies give them (values worked out by hand from the calendar)."""

from datetime import date

import pytest

from kuager.dates import birth_year_range, parse_partial_date
from kuager.errors import InputError


@pytest.mark.parametrize("text, start, end, precision", [
    ("2018", date(2018, 1, 1), date(2018, 12, 31), "year"),
    ("2018-05", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("2016-02", date(2016, 2, 1), date(2016, 2, 29), "month"),  # leap year
    ("2018-04-06", date(2018, 4, 6), date(2018, 4, 6), "day"),
    ("6 April 2018", date(2018, 4, 6), date(2018, 4, 6), "day"),
    ("May 2018", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("mid-2016", date(2016, 5, 1), date(2016, 8, 31), "range"),
    ("2016 (mid-year)", date(2016, 5, 1), date(2016, 8, 31), "range"),
    ("early 2017", date(2017, 1, 1), date(2017, 4, 30), "range"),
    ("2017-2018", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("2017/2018", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("between 2017 and 2019", date(2017, 1, 1), date(2019, 12, 31), "range"),
    ("2018 (learned)", date(2018, 1, 1), date(2018, 12, 31), "year"),
])
def test_parse(text, start, end, precision):
    d = parse_partial_date(text)
    assert (d.start, d.end, d.precision, d.text) == (start, end, precision, text)


def test_note_kept():
    assert parse_partial_date("2018 (learned)").note == "learned"
    assert str(parse_partial_date("2018 (learned)")) == "2018 (learned)"


@pytest.mark.parametrize("text", ["", "  ", "unknown", None])
def test_unknown(text):
    d = parse_partial_date(text)
    assert d.precision == "unknown" and d.start is None and str(d) == "date unknown"


def test_unknown_sorts_last():
    dates = [parse_partial_date(t) for t in ["", "2018", "2016 (mid-year)", "2016"]]
    ordered = [d.text for d in sorted(dates, key=lambda d: d.sort_key)]
    assert ordered == ["2016", "2016 (mid-year)", "2018", ""]


@pytest.mark.parametrize("text", ["sometime", "2018-13", "2018-02-30", "2019 to 2017", "18/05"])
def test_errors_name_the_place(text):
    with pytest.raises(InputError) as err:
        parse_partial_date(text, file="x.csv", row=4, field="status_date")
    msg = str(err.value)
    assert "x.csv" in msg and "row 4" in msg and "status_date" in msg and repr(text) in msg


@pytest.mark.parametrize("age, as_of, expected", [
    (23, "2018-05", (1994, 1995)),   # born 1994-06..1995-05
    (23, "2018-12-31", (1995, 1995)),  # on 31 Dec the birthday has passed for everyone born in 1995
    (23, "2018-01-01", (1994, 1995)),  # born 1994-01-02 .. 1995-01-01
    (0, "2020", (2019, 2020)),
])
def test_birth_year_range(age, as_of, expected):
    assert birth_year_range(age, parse_partial_date(as_of)) == expected


# Russian and Kazakh (issue 5): the same meaning as the English forms. Month ends from the
# calendar (May 31 days, March 31, August 31); mid = May-August, early = January-April,
# late = September-December, spring = March-May, winter = December, as in English.
@pytest.mark.parametrize("text, start, end, precision", [
    ("май 2018", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("мая 2018", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("в мае 2018 года", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("15 мая 2018", date(2018, 5, 15), date(2018, 5, 15), "day"),
    ("мамыр 2018", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("2018 жылы мамырда", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("2019 жылдың наурызы", date(2019, 3, 1), date(2019, 3, 31), "month"),
    ("наурыз 2019", date(2019, 3, 1), date(2019, 3, 31), "month"),
    ("2017 жылы шілдеде", date(2017, 7, 1), date(2017, 7, 31), "month"),
    ("весна 2018", date(2018, 3, 1), date(2018, 5, 31), "range"),
    ("зимой 2018", date(2018, 12, 1), date(2018, 12, 31), "range"),
    ("2018 жылы көктемде", date(2018, 3, 1), date(2018, 5, 31), "range"),
    ("күз 2016", date(2016, 9, 1), date(2016, 11, 30), "range"),
    ("середина 2018", date(2018, 5, 1), date(2018, 8, 31), "range"),
    ("в начале 2017 года", date(2017, 1, 1), date(2017, 4, 30), "range"),
    ("конец 2018", date(2018, 9, 1), date(2018, 12, 31), "range"),
    ("2018 жылдың ортасы", date(2018, 5, 1), date(2018, 8, 31), "range"),
    ("2018 жылдың соңы", date(2018, 9, 1), date(2018, 12, 31), "range"),
    ("2017 или 2018", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("2017 немесе 2018", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("с 2017 по 2018", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("между 2017 и 2019", date(2017, 1, 1), date(2019, 12, 31), "range"),
    ("с мая 2018 по июль 2018", date(2018, 5, 1), date(2018, 7, 31), "range"),
    ("2017-2018 жылдары", date(2017, 1, 1), date(2018, 12, 31), "range"),
    ("2018 г.", date(2018, 1, 1), date(2018, 12, 31), "year"),
    ("2018年5月", date(2018, 5, 1), date(2018, 5, 31), "month"),
    ("2017年年中", date(2017, 5, 1), date(2017, 8, 31), "range"),
])
def test_parse_russian_kazakh(text, start, end, precision):
    d = parse_partial_date(text)
    assert (d.start, d.end, d.precision, d.text) == (start, end, precision, text)


@pytest.mark.parametrize("text", ["неизвестно", "не известно", "Неизвестно", "белгісіз", "不详"])
def test_unknown_russian_kazakh(text):
    assert parse_partial_date(text).precision == "unknown"


@pytest.mark.parametrize("text", ["2018 примерно", "абв 2018", "May 2018 maybe", "мамыр 2018 шамасы"])
def test_unparsed_word_refused(text):
    """A word the parser does not know refuses the whole date (never silently dropped)."""
    with pytest.raises(InputError):
        parse_partial_date(text)
