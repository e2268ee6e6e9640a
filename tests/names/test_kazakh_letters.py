"""Every letter of the Kazakh alphabet against the published tables
(tests/names/data/kazakh-cyrillic-latin.csv, copied from the shared test data:
2021 official Latin, BGN/PCGN 1979, passport practice)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kuager.names import kazakh, transliterate

DATA = Path(__file__).parent / "data" / "kazakh-cyrillic-latin.csv"
ROWS = list(csv.DictReader(DATA.open(encoding="utf-8")))


def test_table_has_all_42_letters():
    assert len(ROWS) == 42 - 3  # Ё, Ъ, Ь are not in the table
    assert {r["cyrillic"] for r in ROWS} >= set("АӘБВГҒДЕЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЫІЭЮЯ")


@pytest.mark.parametrize("row", ROWS, ids=[r["cyrillic"] for r in ROWS])
def test_letter_latin2021(row):
    # a capital letter alone: its capital form in the 2021 alphabet
    assert kazakh.to_latin(row["cyrillic"], "latin2021") == row["latin_2021"]


@pytest.mark.parametrize("row", ROWS, ids=[r["cyrillic"] for r in ROWS])
def test_letter_bgn(row):
    assert kazakh.to_latin(row["cyrillic"], "bgn") == row["bgn_pcgn_1979"]


@pytest.mark.parametrize("row", ROWS, ids=[r["cyrillic"] for r in ROWS])
def test_letter_passport(row):
    # the table lists the accepted passport forms separated by |; a single letter is not
    # word-initial in a name, so test it inside a word (after А)
    got = kazakh.to_latin("А" + row["cyrillic"].lower(), "passport")[1:]
    assert got in row["passport_practice"].split("|")


@pytest.mark.parametrize("row", ROWS, ids=[r["cyrillic"] for r in ROWS])
def test_letter_in_a_word_lower_case_2021(row):
    # inside a word, lower case: И/Й give i, І gives dotless ı (2021 alphabet)
    expected = {"И": "i", "Й": "i", "І": "ı", "Ю": "iu", "Я": "ia", "Щ": "şş"}.get(
        row["cyrillic"], row["latin_2021"].lower())
    assert kazakh.to_latin("а" + row["cyrillic"].lower(), "latin2021") == "a" + expected


UNAMBIGUOUS_2021 = [r for r in ROWS if r["cyrillic"] not in ("Һ", "Э", "Й")]


@pytest.mark.parametrize("row", UNAMBIGUOUS_2021, ids=[r["cyrillic"] for r in UNAMBIGUOUS_2021])
def test_letter_back_from_2021(row):
    # letters whose 2021 form is not shared (Х/Һ are both H, Е/Э both E, И/Й both İ),
    # between consonants (after a vowel, "ia" could also be и + а; after т, "ts" is Ц)
    word = "Б" + row["cyrillic"].lower() + "б"
    assert kazakh.to_cyrillic(kazakh.to_latin(word, "latin2021"), "latin2021") == word


UNAMBIGUOUS_BGN = [r for r in ROWS if r["cyrillic"] not in ("Й", "Ы")]


@pytest.mark.parametrize("row", UNAMBIGUOUS_BGN, ids=[r["cyrillic"] for r in UNAMBIGUOUS_BGN])
def test_letter_back_from_bgn(row):
    word = "Т" + row["cyrillic"].lower() + "т"
    assert kazakh.to_cyrillic(kazakh.to_latin(word, "bgn"), "bgn") == word


@pytest.mark.parametrize("cyr,latin2021,bgn,passport", [
    # worked out letter by letter from the tables
    ("Гөзалнұр Жеңісқызы", "Gözalnūr Jeñısqyzy", "Gözalnur Zhengisqyzy", "GOZALNUR ZHENISKYZY"),
    ("Асылбек Талғатұлы", "Asylbek Talğatūly", "Asylbek Talghatuly", "ASYLBEK TALGATULY"),
    ("Ерлан Әділұлы", "Erlan Ädılūly", "Erlan Ädiluly", "YERLAN ADILULY"),
    ("Айдос Уәлиханов", "Aidos Uälihanov", "Aydos Ūälīkhanov", "AIDOS UALIKHANOV"),
])
def test_whole_names(cyr, latin2021, bgn, passport):
    assert transliterate(cyr, to="latin2021") == latin2021
    assert transliterate(cyr, to="bgn") == bgn
    assert transliterate(cyr, to="passport") == passport
    assert transliterate(latin2021, to="cyrillic", source="latin2021") == cyr
    assert transliterate(bgn, to="cyrillic", source="bgn") == cyr


def test_bgn_middle_dot_separates_non_digraphs():
    # н + г is not ң: BGN/PCGN writes n·g; going back gives нг
    assert kazakh.to_latin("Тенгиз", "bgn") == "Ten·gīz"
    assert kazakh.to_latin("Теңіз", "bgn") == "Tengiz"
    assert kazakh.to_cyrillic("Ten·gīz", "bgn") == "Тенгиз"
    assert kazakh.to_cyrillic("Tengīz", "bgn") == "Теңиз"


def test_passport_back_is_lossy_and_strict_raises():
    assert kazakh.to_cyrillic("YERBOL", "passport") == "ЕРБОЛ"
    with pytest.raises(kazakh.AmbiguousTransliteration):
        kazakh.to_cyrillic("ADIL", "passport", strict=True)


def test_unknown_system():
    with pytest.raises(ValueError):
        kazakh.to_latin("Асан", "iso9")
