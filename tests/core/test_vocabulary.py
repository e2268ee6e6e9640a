"""One ethnicity or citizenship in several languages and scripts (issue 5). Expected codes by hand."""

import pytest

from kuager import vocabulary as v


@pytest.mark.parametrize("text, code", [
    ("Kazakh", "kazakh"), ("қазақ", "kazakh"), ("Қазақ", "kazakh"), ("qazaq", "kazakh"), ("казах", "kazakh"),
    ("казашка", "kazakh"), ("哈萨克族", "kazakh"), ("قازاق", "kazakh"), (" kazakh ", "kazakh"),
    ("Uyghur", "uyghur"), ("Uighur", "uyghur"), ("ұйғыр", "uyghur"), ("уйгурка", "uyghur"), ("维吾尔族", "uyghur"),
    ("ئۇيغۇر", "uyghur"), ("киргизка", "kyrgyz"), ("Dungan", "hui"), ("回族", "hui"), ("汉族", "han"),
    ("узбечка", "uzbek"), ("татарка", "tatar"), ("таджичка", "tajik"), ("монголка", "mongol"), ("锡伯族", "xibe"),
])
def test_ethnicity_codes(text, code):
    assert v.canonical("ethnicity", text) == code


@pytest.mark.parametrize("text, code", [
    ("Kazakhstan", "kz"), ("Қазақстан", "kz"), ("Казахстан", "kz"), ("Qazaqstan", "kz"), ("哈萨克斯坦", "kz"),
    ("China", "cn"), ("Қытай", "cn"), ("Китай", "cn"), ("中国", "cn"), ("КНР", "cn"),
    ("Kyrgyzstan", "kg"), ("Киргизия", "kg"), ("Uzbekistan", "uz"), ("Turkey", "tr"), ("Türkiye", "tr"),
])
def test_citizenship_codes(text, code):
    assert v.canonical("citizenship", text) == code


def test_unknown_values_keep_their_text():
    assert v.canonical("ethnicity", "Martian") is None
    assert v.canonical("citizenship", "China (Kazakhstan citizenship promised)") is None
    assert v.label("ethnicity", "Martian", "ru") == "Martian"
    assert not v.same("ethnicity", "Martian", "Venusian")
    assert v.same("ethnicity", "Martian", "Martian")


def test_same_and_labels():
    assert v.same("ethnicity", "Kazakh", "қазақ")
    assert not v.same("ethnicity", "Kazakh", "Uyghur")
    assert v.same("citizenship", "Kazakhstan", "Қазақстан")
    assert v.label("ethnicity", "қазақ") == "Kazakh"
    assert v.label("ethnicity", "Kazakh", "ru") == "казах"
    assert v.label("ethnicity", "Kazakh", "kk") == "қазақ"
    assert v.label("ethnicity", "Kazakh", "zh-hans") == "哈萨克族"
    assert v.label("citizenship", "Казахстан", "en") == "Kazakhstan"
    assert v.label("citizenship", "kz", "kk") == "Қазақстан"
    assert v.label("ethnicity", "Kazakh", "fr") == "Kazakh"  # no label: English


def test_forms_do_not_collide():
    """No form names two different values (a form in two entries would make the map arbitrary)."""
    for kind, table in (("ethnicity", v.ETHNICITIES), ("citizenship", v.CITIZENSHIPS)):
        seen = {}
        for code in table:
            for f in v.forms(kind, code):
                assert seen.setdefault(v.fold(f), code) == code, (kind, f)


def test_no_django():
    import subprocess
    import sys
    code = "import sys, kuager.vocabulary; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_kind():
    with pytest.raises(ValueError):
        v.canonical("religion", "x")
