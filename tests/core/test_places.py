"""kuager.gazetteer.places: any spelling of a Xinjiang place to its GB/T 2260 code.

Expected codes are read off the official division list by hand (伊宁县 is 654021,
伊宁市 654002, 霍城县 654023, 塔城市 654201, 额敏县 654221, 伊犁哈萨克自治州 654000),
not computed by the module.
"""

import pytest

from kuager.gazetteer import places as P


def test_table_holds_the_official_divisions():
    table = P.places()
    assert table["654021"].zh == "伊宁县" and table["654021"].kind == "county"
    assert table["654002"].zh == "伊宁市" and table["654002"].kind == "city"
    assert table["654000"].level == "prefecture" and table["654000"].prefecture == "654000"
    assert table["654021"].parent == "654000" and table["654021"].prefecture == "654000"
    # cities directly under the region (Shihezi) have no prefecture
    assert table["659001"].zh == "石河子市" and table["659001"].prefecture is None
    # every code is six digits of the region (65) and every parent is in the table
    assert all(len(c) == 6 and c.startswith("65") for c in table)
    assert all(p.parent in table for p in table.values() if p.parent)


@pytest.mark.parametrize("spelling", ["伊宁县", "Құлжа ауданы", "Qulja County", "Kulja county", "Ghulja County",
                                      "غۇلجا ناھىيىسى", "Yining County", "伊犁州伊宁县"])
def test_yining_county_in_every_script(spelling):
    assert P.place_codes(spelling) == ("654021",)


@pytest.mark.parametrize("spelling", ["Құлжа", "Kulja", "Qulja", "Ghulja", "غۇلجا"])
def test_a_name_of_both_city_and_county_gives_both(spelling):
    # Ghulja names the city (伊宁市) and, with "county", the county (伊宁县)
    assert P.place_codes(spelling) == ("654002", "654021")


def test_city_word_picks_the_city():
    assert P.place_codes("伊宁市") == ("654002",)
    assert P.place_codes("Yining City") == ("654002",)
    assert P.place_codes("Kuldja") == ("654002",)   # the table has Kuldja for the city only


@pytest.mark.parametrize("spelling,code", [
    ("Шәуешек", "654201"), ("Chuguchak", "654201"), ("塔城市", "654201"),
    ("Дөрбілжін ауданы", "654221"), ("Dorbiljin", "654221"), ("额敏县", "654221"),
    ("霍城县", "654023"), ("Тоққызтарау", "654024"), ("巩留县", "654024"),
])
def test_kazakh_names_that_are_not_transliterations_of_the_chinese(spelling, code):
    assert code in P.place_codes(spelling)


def test_prefecture_and_prefectures_of_counties():
    assert P.place_codes("Ili Kazakh Autonomous Prefecture") == ("654000",)
    assert P.place_codes("伊犁哈萨克自治州") == ("654000",)
    assert P.prefectures(["654021", "654002"]) == ("654000",)
    assert P.prefectures(["659001", "nope"]) == ()


def test_unknown_places_and_the_region_give_nothing():
    assert P.place_codes("") == ()
    assert P.place_codes("Almaty") == ()
    assert P.place_codes("Sydney") == ()
    assert P.place_codes("Xinjiang") == ()           # the region says nothing of where in it
    assert P.place_codes("新疆", with_region=True) == ("650000",)


def test_loose_form_merges_romanisations():
    assert P._loose("Shinggil") == P._loose("Шіңгіл") == P._loose("Şıñgıl")


def test_a_prefecture_city_is_not_taken_for_the_county_of_its_name():
    # 乌鲁木齐市 is the prefecture-level city 650100; 乌鲁木齐县 (650121) is a county inside it
    assert P.place_codes("乌鲁木齐市") == ("650100",)
    assert P.place_codes("乌鲁木齐县") == ("650121",)
    assert P.place_codes("伊犁哈萨克自治州伊宁县") == ("654021",)  # a county written after its prefecture


def test_within_for_search_filters():
    assert P.within("Құлжа ауданы", "Ghulja")           # county 654021 is among Ghulja's codes
    assert P.within("伊宁县", "Ili")                    # 654021 lies in prefecture 654000
    assert P.within("Шәуешек", "塔城地区")              # 654201 lies in 654200
    assert not P.within("Ili", "Ghulja")                # the prefecture alone: not in the county
    assert not P.within("Шәуешек", "Ili")               # Tacheng's prefecture is 654200
    assert not P.within("Almaty", "Almaty")             # outside the table: callers match text
