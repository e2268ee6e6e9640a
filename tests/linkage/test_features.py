"""Per-mention features: birth ranges, ID checks, sex, and located input errors."""

import pandas as pd
import pytest

from kuager.errors import InputError
from kuager.linkage.features import prepare


def frame(**cols):
    base = {"record_id": ["r1"], "names": ["Асылбек Талғатұлы"]}
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def test_age_as_of_gives_a_two_year_range():
    # aged 40 on 2018-05-01: born between 1977-05-02 and 1978-05-01
    f = prepare(frame(age="40", age_as_of="2018-05-01"))
    assert (f.by_lo[0], f.by_hi[0]) == (1977, 1978)


def test_birth_date_and_year_combine_as_union():
    f = prepare(frame(birth_year="1980", birth_date="1981-02-03"))
    assert (f.by_lo[0], f.by_hi[0], f.birth_date[0]) == (1980, 1981, "1981-02-03")


def test_valid_id_fills_birth_and_sex_invalid_id_ignored():
    # 65402119800101001X is valid (checksum worked out in test_chinese_id)
    f = prepare(frame(chinese_id="65402119800101001X"))
    assert f.cid[0] == "65402119800101001X"
    assert (f.by_lo[0], f.birth_date[0], f.sex[0]) == (1980, "1980-01-01", "m")
    f = prepare(frame(chinese_id="654021198001010010"))
    assert f.cid[0] is None and pd.isna(f.by_lo[0])


def test_a_mention_without_a_place_takes_its_ids_county():
    import datetime as dt

    from kuager.linkage.chinese_id import make

    # 654021 is Yining County (Құлжа), in Ili prefecture 654000 (GB/T 2260)
    f = prepare(frame(chinese_id="65402119800101001X"))
    assert f.place_keys[0] == ["654021"] and f.place_pref[0] == ["654000"]
    # the mention's own place wins: Шәуешек is Tacheng city, 654201, in Tacheng prefecture 654200
    f = prepare(frame(chinese_id="65402119800101001X", hometown="Шәуешек"))
    assert f.place_keys[0] == ["654201"] and f.place_pref[0] == ["654200"]
    # no place from an invalid ID, from a prefecture-level code or from outside the gazetteer
    # (Beijing's Dongcheng district 110101)
    for number in ("654021198001010010", make("654000", dt.date(1980, 1, 1), 1, "male"),
                   make("110101", dt.date(1980, 1, 1), 1, "male")):
        f = prepare(frame(chinese_id=number))
        assert f.place_keys[0] is None and f.place_pref[0] is None, number


def test_sex_normalised():
    f = prepare(pd.DataFrame({"record_id": ["a", "b", "c"], "names": ["X Y"] * 3, "sex": ["M", "female", ""]}))
    assert list(f.sex) == ["m", "f", None]


def test_spellings_in_two_scripts_share_keys():
    f = prepare(pd.DataFrame({"record_id": ["a", "b"], "names": ["Асылбек Талғатұлы", "阿斯力别克·塔力哈提"]}))
    assert set(f.name_keys[0]) & set(f.name_keys[1])
    assert set(f.father_keys[0]) & set(f.father_keys[1])


@pytest.mark.parametrize("col,value", [("birth_year", "80"), ("sex", "x"), ("birth_date", "1980/01/01"),
                                       ("age", "forty")])
def test_bad_values_are_located(col, value):
    df = pd.DataFrame({"record_id": ["a", "b"], "names": ["A B", "C D"], col: ["", value]})
    if col == "age":
        df["age_as_of"] = ["", "2018"]
    with pytest.raises(InputError) as exc:
        prepare(df, file="in.csv")
    assert (exc.value.file, exc.value.row, exc.value.field) == ("in.csv", 2, col)


def test_repeated_id_empty_names_missing_column():
    with pytest.raises(InputError) as exc:
        prepare(pd.DataFrame({"record_id": ["a", "a"], "names": ["A B", "C D"]}))
    assert exc.value.row == 2 and exc.value.field == "record_id"
    with pytest.raises(InputError) as exc:
        prepare(pd.DataFrame({"record_id": ["a"], "names": [" | "]}))
    assert exc.value.field == "names"
    with pytest.raises(InputError) as exc:
        prepare(pd.DataFrame({"record_id": ["a"]}))
    assert exc.value.field == "names"
    with pytest.raises(InputError) as exc:
        prepare(frame(age="40"))
    assert exc.value.field == "age_as_of"


def test_places_in_xinjiang_are_keyed_by_division_code():
    # 伊宁县 is 654021 (Yining County, Ili prefecture 654000); Құлжа ауданы is its Kazakh name
    df = pd.DataFrame({"record_id": ["a", "b", "c", "d"], "names": ["Асылбек Талғатұлы"] * 4,
                       "hometown": ["伊宁县", "Құлжа ауданы", "Toowoomba", "额敏县"]})
    f = prepare(df)
    assert f.place_keys[0] == ["654021"] and f.place_keys[1] == ["654021"]
    assert f.place_pref[0] == ["654000"] and f.place_pref[3] == ["654200"]
    # a place outside the gazetteer keeps its name keys and has no prefecture
    assert f.place_keys[2] and not any(k.isdigit() for k in f.place_keys[2]) and f.place_pref[2] is None
