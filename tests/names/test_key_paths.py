"""The fast key path (parse.key_view, keys._keys_of, normalize.consonants) against values
worked out by hand from the rules of docs/names.md, and against parse() itself."""

import random

import pandas as pd
import pytest

from kuager.linkage import features as ft
from kuager.names import keys, parse
from kuager.names.normalize import coarse, consonants, medium
from kuager.names.parse import key_view


@pytest.mark.parametrize("fine,expected", [
    ("talgat", "TLKT"),          # t l g t; g is K, vowels dropped
    ("ahmad", "KMT"),            # h is K; a final d counts as T
    ("ahmadnurlan", "KMDNLN"),   # the same d inside a run-together name stays D
    ("dad", "DT"),               # only the last d becomes T
    ("tdd", "T"),                # dd is one sound, T at the end, then T T once
    ("ashat", "ST"),             # sh is S
    ("sarsenbai", "SLSNB"),      # r is L
    ("aeiou", ""),
    ("", ""),
])
def test_consonants_worked_examples(fine, expected):
    assert consonants(fine) == expected


def test_consonants_is_the_coarse_form_without_vowels():
    # the definition it replaces in keys(): coarse(medium(x)) without V, on random strings
    rnd = random.Random(3)
    letters = "abcdefghijklmnoprstuvyz" + "dtshc" + "Q'-é"
    for _ in range(20_000):
        s = "".join(rnd.choice(letters) for _ in range(rnd.randint(0, 12)))
        assert consonants(s) == coarse(medium(s)).replace("V", ""), s


def test_keys_worked_by_hand():
    # Ахмад -> ahmad -> V K M V D, final D -> T: VKMT; Нұрлан -> nurlan -> N V L V N: NLN
    assert keys("Ахмад Нұрлан") == {"g:VKMT", "n:VKMT|NLN", "u:NLN|VKMT", "f:KMDNLN"}
    # the father's name first by a Russian-style surname: the same roles
    assert keys("Нұрланов Ахмад") == keys("Ахмад Нұрланов") == keys("Ахмад Нұрланұлы") == keys("Ахмад Нұрлан")
    # one run of Chinese characters: 古丽 gul 米拉 mila 阿迪里 adili, only the run-together key
    assert keys("古丽米拉阿迪里") == {"f:KLMLDL"}


NAMES = [
    "Асылбек Талғатұлы", "TALGATOV ASYLBEK", "Talgatov Asylbek", "阿斯力别克·塔力哈提", "阿斯力别克塔力哈提",
    "Asilibieke Talihati", "Gulmira Adil qizi", "Ербол қызы", "Serik Temirbekuli", "Wubuli Ayiguli",
    "Жұмабаев Ерлан Асқарұлы", "Nurbayev Ali", "Ali Nurbayev", "ئابدۇللا روزى", "Asylbek阿斯力别克", "古丽",
    "Ғайрат Һошұрұлы", "Adil Gulmira", "123", "", "A B C D", "Иванов Петров", "Петрович Иван Сидоров",
]


@pytest.mark.parametrize("name", NAMES)
def test_key_view_agrees_with_parse(name):
    p = parse(name)
    assert key_view(name) == (p.fused, tuple(f.fine for f in p.given_forms), tuple(f.fine for f in p.second_forms))


def test_key_view_pins():
    assert key_view("Асылбек Талғатұлы") == (False, ("asylbek",), ("talgat",))
    assert key_view("TALGATOV ASYLBEK") == (False, ("asylbek",), ("talgat",))
    assert key_view("古丽米拉阿迪里")[0] is True and key_view("古丽·米拉")[0] is False
    with pytest.raises(TypeError):
        key_view(None)


def test_roles_do_not_leak_between_names_of_one_pattern():
    # roles are cached per token pattern; names of the same pattern keep their own words
    a, b = parse("Асылбек Талғатұлы"), parse("Нұрбол Сұлтанұлы")
    assert (a.given, a.father) == ("Асылбек", "Талғат")
    assert (b.given, b.father) == ("Нұрбол", "Сұлтан")
    c = parse("Сұлтанұлы Нұрбол")  # patronymic first: another pattern, same roles
    assert (c.given, c.father, c.roles_from) == ("Нұрбол", "Сұлтан", "suffix")


def test_prepare_name_columns_worked_by_hand():
    df = pd.DataFrame({"record_id": ["r1", "r2"], "names": ["Ахмад Нұрлан | Ахмад Нұрланұлы", "古丽米拉阿迪里"],
                       "father_name": ["Nurlan", ""]})
    f = ft.prepare(df, workers=1)
    assert f.name_keys[0] == ["f:KMDNLN", "n:VKMT|NLN", "u:NLN|VKMT"]
    assert f.given_keys[0] == ["VKMT"] and f.father_keys[0] == ["NLN"]
    assert (f.name_canon[0], f.given_canon[0], f.father_canon[0]) == ("n:VKMT|NLN", "VKMT", "NLN")
    assert f.name_keys[1] == ["f:KLMLDL"] and f.given_keys[1] is None and f.name_canon[1] == "f:KLMLDL"
