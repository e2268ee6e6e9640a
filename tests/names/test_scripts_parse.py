"""Script detection, dots, suffix rules, name order, mixed-script input."""

from __future__ import annotations

import pytest

from kuager.names import DOTS, detect_script, parse


@pytest.mark.parametrize("text,script", [
    ("Асылбек Талғатұлы", "Cyrillic"),
    ("Gözalnūr Jeñisqyzy", "Latin"),
    ("GOZALNUR ZHENISKYZY", "Latin"),
    ("阿斯力别克·塔力哈提", "Han"),
    ("ئابدۇللا روزى", "Arabic"),
    ("Асылбек Talgatuly", "mixed"),
    ("Asylbek 塔力哈提", "mixed"),
    ("", "unknown"),
    ("12345 -·-", "unknown"),
])
def test_detect_script(text, script):
    assert detect_script(text) == script


@pytest.mark.parametrize("dot", list(DOTS))
def test_every_dot_variant_splits_chinese_form(dot):
    p = parse(f"阿斯力别克{dot}塔力哈提")
    assert p.script == "Han"
    assert p.given == "阿斯力别克"
    assert p.father == "塔力哈提"
    assert not p.fused


def test_chinese_without_dot_is_fused():
    p = parse("阿斯力别克塔力哈提")
    assert p.fused and p.father is None


def test_chinese_with_space():
    p = parse("阿斯力别克 塔力哈提")
    assert (p.given, p.father) == ("阿斯力别克", "塔力哈提")


@pytest.mark.parametrize("name,given,father,suffix", [
    # Kazakh patronymics, joined, in every romanization, and misspelt in the press
    ("Асылбек Талғатұлы", "Асылбек", "Талғат", "ұлы"),
    ("Асылбек Талгатулы", "Асылбек", "Талгат", "улы"),
    ("Asylbek Talgatuly", "Asylbek", "Talgat", "uly"),
    ("Asylbek Talğatūly", "Asylbek", "Talğat", "ūly"),
    ("Asylbek Talgatulı", "Asylbek", "Talgat", "ulı"),
    ("Динара Қуанышқызы", "Динара", "Қуаныш", "қызы"),
    ("Dinara Kuanyshkyzy", "Dinara", "Kuanysh", "kyzy"),
    ("Dinara Quanyşqyzy", "Dinara", "Quanyş", "qyzy"),
    ("Gozalnur Zheniskazy", "Gozalnur", "Zhenis", "kazy"),
    ("Gulnara Zhenisqızı", "Gulnara", "Zhenis", "qızı"),
    ("Айбек Самат уулу", "Айбек", "Самат", "уулу"),
    # Russian patronymic (surname-less) and surnames
    ("Асылбек Талгатович", "Асылбек", "Талгат", "ович"),
    ("Динара Куанышевна", "Динара", "Куаныш", "евна"),
    ("Асылбек Талгатов", "Асылбек", "Талгат", "ов"),
    ("Ерлан Алиев", "Ерлан", "Али", "ев"),
    ("Жанар Маратова", "Жанар", "Марат", "ова"),
    ("Динара Куанышева", "Динара", "Куаныш", "ева"),
    ("Asylbek Talgatov", "Asylbek", "Talgat", "ov"),
    ("Dinara Kuanysheva", "Dinara", "Kuanysh", "eva"),
    # -баев from -бай
    ("Ерлан Жұмабаев", "Ерлан", "Жұмабай", "ев"),
    # the y of -yev is the й of -бай (Жұмабай + ев), so it stays on the root; before the
    # seventh quality round -yev/-iev were suffixes of their own, which cut the root's last
    # letter off Zhaksyev (Жақсы + ев: Zhaks) and Aliev (Әли + ев: Al)
    ("Erlan Zhumabayev", "Erlan", "Zhumabay", "ev"),
    ("Erlan Zhumabaev", "Erlan", "Zhumabay", "ev"),
    ("AKNUR ZHAKSYEVA", "AKNUR", "ZHAKSY", "eva"),
    ("Ahmat Aliev", "Ahmat", "Ali", "ev"),
    ("ABDUVALI TOKHTIEV", "ABDUVALI", "TOKHTI", "ev"),
    # a two-letter father's name (Ер) takes the patronymic and the feminine surname
    ("Гүлжан Ерқызы", "Гүлжан", "Ер", "қызы"),
    ("Zhannur Erova", "Zhannur", "Er", "ova"),
    ("Baqytzhan Eruly", "Baqytzhan", "Er", "uly"),
])
def test_suffix_rules(name, given, father, suffix):
    p = parse(name)
    assert p.given == given
    assert p.father == father
    assert suffix in [x.suffix for x in p.parts]


@pytest.mark.parametrize("name,given,father", [
    ("Жұлдыз Ербол қызы", "Жұлдыз", "Ербол"),
    ("Asylbek Talgat uly", "Asylbek", "Talgat"),
    ("Abdulla Rozi oghli", "Abdulla", "Rozi"),
    ("ئابدۇللا روزى ئوغلى", "ئابدۇللا", "روزى"),
])
def test_separate_patronymic_word(name, given, father):
    p = parse(name)
    assert (p.given, p.father) == (given, father)


@pytest.mark.parametrize("name", ["Талгатов Асылбек", "TALGATOV ASYLBEK", "Талғатұлы Асылбек"])
def test_surname_first_order(name):
    p = parse(name)
    assert p.given.lower() == ("асылбек" if name[0] in "ТЛ" else "asylbek")
    assert p.father.lower() in ("талгат", "талғат", "talgat")


def test_russian_full_form():
    p = parse("Нурланов Асылбек Талгатович")
    assert (p.given, p.father, p.surname) == ("Асылбек", "Талгат", "Нурланов")
    assert [x.role for x in p.parts] == ["surname", "given", "father"]


def test_unmarked_latin_is_given_then_surname():
    p = parse("Abdulla Rozi")
    assert (p.given, p.father, p.surname) == ("Abdulla", None, "Rozi")
    assert not p.marked


def test_pinyin_ending_in_li_is_not_a_patronymic():
    # -uli ends many pinyin words (Wubuli, Ayiguli): only the dotless -ulı is a suffix
    p = parse("Ayiguli Wubuli")
    assert p.given == "Ayiguli" and p.surname == "Wubuli" and p.father is None


def test_mixed_script_input():
    p = parse("Асылбек Talgatuly")
    assert p.script == "mixed"
    assert (p.given, p.father) == ("Асылбек", "Talgat")
    assert [x.script for x in p.parts] == ["Cyrillic", "Latin"]
    q = parse("Asylbek阿斯力别克")
    assert [x.text for x in q.parts] == ["Asylbek", "阿斯力别克"]


def test_parse_type_error():
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]


def test_parts_and_roles():
    p = parse("Асылбек Талғатұлы")
    assert [(x.text, x.role, x.root) for x in p.parts] == [
        ("Асылбек", "given", "Асылбек"), ("Талғатұлы", "father", "Талғат")]
    assert p.patronymic == "Талғатұлы"
