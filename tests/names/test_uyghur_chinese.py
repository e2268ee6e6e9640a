"""Uyghur UEY/ULY/UKY letters and the Chinese transcription decoder."""

from __future__ import annotations

import pytest

from kuager.names import transliterate, uyghur
from kuager.names.chinese import decode_han, decode_pinyin, segment_pinyin

# The 32 letters of the Uyghur alphabet: Arabic (UEY), Latin (ULY 2006), Cyrillic (UKY),
# as tabulated in the ULY standard; written out here independently of the code's tables.
LETTERS = [
    ("ا", "a", "а"), ("ە", "e", "ә"), ("ب", "b", "б"), ("پ", "p", "п"), ("ت", "t", "т"),
    ("ج", "j", "җ"), ("چ", "ch", "ч"), ("خ", "x", "х"), ("د", "d", "д"), ("ر", "r", "р"),
    ("ز", "z", "з"), ("ژ", "zh", "ж"), ("س", "s", "с"), ("ش", "sh", "ш"), ("غ", "gh", "ғ"),
    ("ف", "f", "ф"), ("ق", "q", "қ"), ("ك", "k", "к"), ("گ", "g", "г"), ("ڭ", "ng", "ң"),
    ("ل", "l", "л"), ("م", "m", "м"), ("ن", "n", "н"), ("ھ", "h", "һ"), ("و", "o", "о"),
    ("ۇ", "u", "у"), ("ۆ", "ö", "ө"), ("ۈ", "ü", "ү"), ("ۋ", "w", "в"), ("ې", "é", "е"),
    ("ى", "i", "и"), ("ي", "y", "й"),
]


@pytest.mark.parametrize("uey,uly,uky", LETTERS, ids=[x[1] for x in LETTERS])
def test_uyghur_letter(uey, uly, uky):
    # after ب so that vowels are not word-initial (which would need the hamza)
    assert uyghur.arabic_to_uly("ب" + uey) == "b" + uly
    assert uyghur.uly_to_cyrillic("b" + uly) == "б" + uky
    assert uyghur.uly_to_arabic("b" + uly) == "ب" + uey
    assert uyghur.cyrillic_to_uly("б" + uky) == "b" + uly


@pytest.mark.parametrize("uey,uly,uky", [
    # names of the shared dev pairs (Uyghur Arabic vs ULY), UKY worked out from the table
    ("ئابدۇللا روزى", "Abdulla Rozi", "Абдулла Рози"),
    ("ئابلەت ھەسەن", "Ablet Hesen", "Абләт Һәсән"),
    ("گۈلباھار ئوبۇل", "Gülbahar Obul", "Гүлбаһар Обул"),
    ("مىرزات توختى", "Mirzat Toxti", "Мирзат Тохти"),
    ("پاتىمە رەھمان", "Patime Rehman", "Патимә Рәһман"),
])
def test_uyghur_names(uey, uly, uky):
    assert transliterate(uey, to="uly") == uly
    assert transliterate(uey, to="uky") == uky
    assert transliterate(uly, to="uey") == uey
    assert transliterate(uky, to="uey") == uey
    assert transliterate(uky, to="uly") == uly


def test_hamza_inside_word_and_digraph_separator():
    assert uyghur.arabic_to_uly("مەسئۇل") == "mes'ul"
    assert uyghur.uly_to_arabic("mes'ul") == "مەسئۇل"
    # ن + گ is not ڭ: ULY writes n'g
    assert uyghur.arabic_to_uly("ن" + "گ") == "n'g"
    assert uyghur.uly_to_arabic("n'g") == "نگ"
    assert uyghur.uly_to_arabic("ng") == "ڭ"


@pytest.mark.parametrize("han,value", [
    # the conventions named in issue 3 / DB65/T 2189-2005 practice
    ("买买提", "memet"), ("麦麦提", "memet"),            # old and 2005 spelling of Memet
    ("阿不都", "abdu"), ("阿卜都", "abdu"),              # 2005 replaced 不 by 卜
    ("古丽", "gul"), ("努尔", "nur"), ("叶尔", "er"),
    ("阿依", "ay"),
    ("米尔扎提", "mirzat"),                             # final 提 = bare t
    ("阿斯哈尔", "ashar"),                              # final 尔 = bare r
    ("伊力哈木", "ilham"),                              # final 木 = bare m
    ("马吾兰别克", "maulanbek"),                         # -bek
    ("古丽江", "guljan"),                               # -jan
])
def test_decode_han(han, value):
    assert decode_han(han) == value


@pytest.mark.parametrize("pinyin,han", [
    ("maimaiti", "买买提"), ("abudula", "阿不都拉"), ("guliqiemen", None),
    ("yilihamu", "伊力哈木"), ("asilibieke", "阿斯力别克"), ("mierzhati", "米尔扎提"),
])
def test_pinyin_decodes_like_characters(pinyin, han):
    assert segment_pinyin(pinyin) is not None
    if han:
        assert decode_pinyin(pinyin) == decode_han(han)


def test_not_pinyin():
    assert segment_pinyin("asylbek") is None
    assert decode_pinyin("talgat") is None


def test_han_to_pinyin_uses_name_readings():
    # 都 is read du in names (pypinyin's default is dou)
    assert transliterate("阿不都拉·肉孜", to="pinyin") == "Abudula Rouzi"
    assert transliterate("阿斯力别克·塔力哈提", to="pinyin") == "Asilibieke Talihati"


def test_transliterate_errors():
    with pytest.raises(ValueError):
        transliterate("Асан", to="klingon")
    with pytest.raises(ValueError):
        transliterate("阿斯力别克", to="bgn")
