"""Readings added in the seventh quality round of issue 4 (names of invented people).

Each value is worked out by hand from the rules, in the comment beside it.
"""

from __future__ import annotations

import pytest

from kuager.names import chinese, keys, parse, similarity
from kuager.names.normalize import vfine
from kuager.names.similarity import part_similarity


def _fines(forms) -> list[str]:
    return [f.fine for f in forms]


@pytest.mark.parametrize("name,given,father", [
    # a patronymic word apart from the name, in the press's letters (ы = i, қ = q), with the
    # father's name first: the suffix marks the father's part wherever it stands
    ("Sultankhan Uli Marat", "Marat", "Sultankhan"),
    ("Meyram Qizy Akay", "Akay", "Meyram"),
    ("Janatbai Kyzi Balai", "Balai", "Janatbai"),
    ("Asel Orazhan Qyzi", "Asel", "Orazhan"),
])
def test_separate_patronymic_words(name, given, father):
    p = parse(name)
    assert (p.given, p.father, p.roles_from) == (given, father, "suffix")


def test_two_letter_roots_only_for_the_long_suffixes():
    # Ер + қызы; but Айқыз keeps its clipped -қыз (root Ай, two letters < 3) and Aruulu
    # (a typed Арусұлу) its -uulu: both stay given names
    assert parse("Гүлжан Ерқызы").father == "Ер"
    assert parse("Айқыз Серікқызы").given == "Айқыз"
    assert parse("Aruulu Qwanishhanova").given == "Aruulu"


def test_arabic_e_is_read_as_a_too():
    # ئەخەت: ULY exet -> fine ehet; ە is ә, so also ähät -> ahat (Cyrillic Әхәт: ahat);
    # and, for Chinese only, ehet without its h between vowels: eet
    assert _fines(parse("ئەخەت نۇرمەمەت").given_forms) == ["ehet", "ahat", "eet"]
    # both parts equal a reading of the other on each side: 1.0 against Kazakh Latin and ULY
    assert similarity("ئەخەت نۇرمەمەت", "Ähät Nurmämät") == 1.0
    assert similarity("ئەخەت نۇرمەمەت", "Exet Nurmemet") == 1.0


def test_medial_h_reading_for_chinese_only():
    forms = parse("Рәһим Әли").given_forms
    # rahim, and without the h between vowels (raim), for Chinese only
    assert _fines(forms) == ["rahim", "raim"]
    assert [f.han_only for f in forms] == [False, True]
    # 热依木 decodes re-i-m: reim; against raim: medium LVM = LVM (1), coarse LM = LM (1),
    # vfine raim = raim (e -> a: 1): 0.96 * (0.4 + 0.4 + 0.2) = 0.96
    assert part_similarity(forms, parse("热依木·艾力").given_forms) == pytest.approx(0.96)
    # a direct spelling meets rahim only: fine rahim/raim 0.8, vfine 0.8, medium LVKVM/LVM
    # 1 - 2/5 = 0.6: 0.4*0.8 + 0.4*0.8 + 0.2*0.6 = 0.76, stretched 1 - 1.5*0.24 = 0.64
    assert part_similarity(forms, parse("Raim Ali").given_forms) == pytest.approx(0.64)


def test_readings_for_chinese_only_give_no_keys():
    # Рәһим: rahim -> medium LVKVM -> coarse LKM; the reading raim (LM) is no key, or the
    # shortest key, which the linkage takes as canonical, would be LM for Бахыт / Bakhyt
    # (kh for қ: bahyt, BKT and BT) but BKT for Бақыт
    assert "g:LM" not in keys("Рәһим Әли") and "g:LKM" in keys("Рәһим Әли")
    assert keys("Bakhyt Serikuly") == keys("Бақыт Серікұлы")


def test_zh_after_a_vowel_may_be_z_and_h():
    # Оразхан: o r a z kh a n -> orazhan (z+h since the fifth round); press Orazhan reads
    # orajan (zh = ж) and orazhan; Серікхан and Serikkhan both serikhan: 1.0
    assert _fines(parse("Serik Orazhanuly").second_forms) == ["orajan", "orazhan"]
    assert similarity("Serikkhan Orazhanuly", "Серікхан Оразханұлы") == 1.0
    # after z (Оразжан) and word-initially (Жанар) zh is ж alone
    assert _fines(parse("Serik Orazzhanuly").second_forms) == ["orazjan"]
    assert _fines(parse("Zhanar Serikqyzy").given_forms) == ["janar"]
    # decoded Chinese has j for ж, so its zh is z + h: 沃拉孜汗 o-la-z-han
    assert _fines(parse("阿尔曼·沃拉孜汗").second_forms) == ["olazhan"]


def test_v_counts_with_u_in_vfine():
    # press w for у (Turswn), read v: t u r s u u n -> doubled u once
    assert vfine("tursvn") == "tursun"


def test_latin_g_before_a_or_o_may_be_gh_for_chinese():
    forms = parse("Gayrat Ablat").given_forms
    assert _fines(forms) == ["gairat", "airat"] and forms[1].han_only
    # 艾热提 e-re-t: eret; airat: medium VLVT = VLVT (1), coarse VLT = VLT (1), vfine airat
    # / arat 1 - 1/5 = 0.8: 0.96 * (0.4 + 0.4 + 0.2*0.8) = 0.9216
    assert part_similarity(forms, parse("艾热提·阿不来提").given_forms) == pytest.approx(0.9216)
    # Гүл- is г: no such reading
    assert _fines(parse("Gulnar Ablat").given_forms) == ["gulnar"]


@pytest.mark.parametrize("han,decoded", [
    ("艾热提", "eret"),     # 热 is the open syllable re; a syllable-final r is 尔
    ("艾则孜", "ezez"),     # 则 ze, 孜 the closing z
    ("扎吾热", "zaure"),    # word-final 热 re
    ("依不拉音", "iblaim"),  # 拉音 -raim of Ibrahim (before: iblain)
])
def test_decoded_chinese(han, decoded):
    assert chinese.decode_han(han) == decoded


@pytest.mark.parametrize("name,given,father", [
    ("Gülnur Esenhankyzii", "Gülnur", "Esenhan"),        # a letter added: kyzii, kyzi + i
    ("Саянұр Алтынқыры", "Саянұр", "Алтын"),            # з changed to р: қыры
    ("Гүлнар Ахметбайтызы", "Гүлнар", "Ахметбай"),      # қ changed to т: тызы (still з)
    ("Zhibeknur Akhmetbaykzy", "Zhibeknur", "Akhmetbay"),  # y dropped: kzy, not Akhmetba-ykzy
    ("Бауырқызү Жібекгүл", "Жібекгүл", "Бауыр"),        # father's name first
])
def test_mistyped_kyzy_is_read_as_the_patronymic(name, given, father):
    p = parse(name)
    assert (p.given, p.father, p.roles_from) == (given, father, "suffix")


@pytest.mark.parametrize("name", [
    "Ayikezi Tursun",   # pinyin of 阿依克孜 (Айқыз): kezi one letter from kizi, but pinyin
    "Aisulu Nurbol",    # -ulu is no mistyped -ұлы here (only -қызы is read so)
    "Жұлдыз Асыл",      # -дыз: neither қ/k nor one letter from қызы
])
def test_no_mistyped_patronymic_where_none_is(name):
    assert parse(name).roles_from == "position"
