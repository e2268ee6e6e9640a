"""GB 11643-1999 identity numbers, checked against values worked out by hand."""

import datetime as dt

from kuager.linkage import chinese_id


def test_weights_are_those_of_the_standard():
    assert chinese_id.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def test_examples_printed_in_the_standard():
    # GB 11643-1999 gives 11010519491231002X and 440524188001010014 as examples
    for number in ("11010519491231002X", "440524188001010014"):
        assert chinese_id.parse(number).valid


def test_hand_computed_xinjiang_number():
    # 6 5 4 0 2 1 1 9 8 0 0 1 0 1 0 0 1 times the weights:
    # 42+45+40+0+16+4+2+9+48+0+0+9+0+5+0+0+2 = 222; 222 mod 11 = 2; (12-2) mod 11 = 10 -> X
    assert chinese_id.check_character("65402119800101001") == "X"
    parsed = chinese_id.parse("65402119800101001x")
    assert parsed.valid and parsed.number.endswith("X")
    assert parsed.province == "Xinjiang"
    assert parsed.birth_date == dt.date(1980, 1, 1)
    assert parsed.sex == "male"  # 17th digit 1 is odd


def test_wrong_check_character_fails():
    parsed = chinese_id.parse("654021198001010010")
    assert not parsed.checksum_ok and not parsed.valid


def test_unknown_province_and_impossible_date():
    # province 99 does not exist; give it a correct check character so only the region fails
    first17 = "99402119800101001"
    parsed = chinese_id.parse(first17 + chinese_id.check_character(first17))
    assert parsed.checksum_ok and not parsed.region_ok and not parsed.valid
    bad_date = "65402119801301001"  # month 13
    parsed = chinese_id.parse(bad_date + chinese_id.check_character(bad_date))
    assert parsed.birth_date is None and not parsed.valid


def test_not_an_id():
    assert chinese_id.parse("12345") is None
    assert chinese_id.parse("6540211980010100AB") is None


def test_make_sets_sex_parity_and_validates():
    number = chinese_id.make("654027", dt.date(1975, 6, 30), 12, "female")
    parsed = chinese_id.parse(number)
    assert parsed.valid and parsed.sex == "female" and parsed.region == "654027"
