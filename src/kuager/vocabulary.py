"""The same ethnicity or citizenship written in different languages and scripts. No Django import here.

Testimonies are taken in Kazakh, Russian, English, Chinese and Uyghur, so one
person's ethnicity arrives as "Kazakh", "қазақ", "qazaq", "казашка" or
"哈萨克族", and a citizenship as "Kazakhstan", "Қазақстан" or "Казахстан". Those
are one value, not a conflict between testimonies. This module maps every form
it knows to a canonical code (ethnicities: the English name in lower case, e.g.
``kazakh``; citizenships: the ISO 3166-1 alpha-2 code, e.g. ``kz``) and gives the
label of a code in the reader's language. A value it does not know has no code
and is compared and grouped by its own text, as before.

Sources of the forms: English exonyms and the Chinese official names of the
nationalities (民族, e.g. 哈萨克族) as in the PRC's list of the 56 recognised
ethnic groups; Russian ethnonyms with masculine and feminine forms (казах,
казашка) and plural as in Russian usage; Kazakh Cyrillic and the 2021 Kazakh Latin
alphabet (qazaq, ūiğyr); Uyghur Arabic script as in Uyghur usage (قازاق,
ئۇيغۇر). Dungan (дүнген, дунганин) is the Central Asian name of the Hui (回族)
and maps to ``hui``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ETHNICITY, CITIZENSHIP = "ethnicity", "citizenship"
#: Languages a label is given in (the web app's languages; ``zh`` is Simplified Chinese).
LANGUAGES = ("en", "ru", "kk", "zh", "ug")

# code -> {language: forms, the first of each language being its label}; "kk" holds Kazakh
# Cyrillic forms and "kk_latn" the Kazakh Latin ones.
ETHNICITIES: dict[str, dict[str, tuple[str, ...]]] = {
    "kazakh": {"en": ("Kazakh", "Kazak", "Qazaq"), "kk": ("қазақ",), "kk_latn": ("qazaq",),
               "ru": ("казах", "казашка", "казахи", "казахская", "казахский"), "zh": ("哈萨克族", "哈萨克"),
               "ug": ("قازاق",)},
    "uyghur": {"en": ("Uyghur", "Uighur", "Uygur", "Uigur"), "kk": ("ұйғыр",), "kk_latn": ("ūiğyr", "uiğyr", "uighyr"),
               "ru": ("уйгур", "уйгурка", "уйгуры", "уйгурская", "уйгурский"), "zh": ("维吾尔族", "维吾尔"),
               "ug": ("ئۇيغۇر",)},
    "kyrgyz": {"en": ("Kyrgyz", "Kirghiz", "Kirgiz"), "kk": ("қырғыз",), "kk_latn": ("qyrğyz",),
               "ru": ("киргиз", "киргизка", "кыргыз", "кыргызка", "киргизы"), "zh": ("柯尔克孜族", "柯尔克孜"),
               "ug": ("قىرغىز",)},
    "hui": {"en": ("Hui", "Dungan", "Tungan", "Hui Chinese"), "kk": ("дүнген", "дүңген"),
            "kk_latn": ("düngen", "düñgen"), "ru": ("хуэй", "дунганин", "дунганка", "дунгане"),
            "zh": ("回族", "回"), "ug": ("خۇيزۇ", "تۇڭگان")},
    "han": {"en": ("Han", "Han Chinese"), "kk": ("қытай",), "kk_latn": ("qytai",),
            "ru": ("ханец", "ханька", "хань", "китаец", "китаянка"), "zh": ("汉族", "汉"), "ug": ("خەنزۇ",)},
    "uzbek": {"en": ("Uzbek",), "kk": ("өзбек",), "kk_latn": ("özbek",), "ru": ("узбек", "узбечка", "узбеки"),
              "zh": ("乌孜别克族", "乌孜别克"), "ug": ("ئۆزبېك",)},
    "tatar": {"en": ("Tatar",), "kk": ("татар",), "kk_latn": ("tatar",), "ru": ("татарин", "татарка", "татары"),
              "zh": ("塔塔尔族", "塔塔尔"), "ug": ("تاتار",)},
    "tajik": {"en": ("Tajik",), "kk": ("тәжік",), "kk_latn": ("täjık",), "ru": ("таджик", "таджичка", "таджики"),
              "zh": ("塔吉克族", "塔吉克"), "ug": ("تاجىك",)},
    "mongol": {"en": ("Mongol", "Mongolian"), "kk": ("моңғол",), "kk_latn": ("moñğol",),
               "ru": ("монгол", "монголка", "монголы"), "zh": ("蒙古族",), "ug": ("موڭغۇل",)},
    "xibe": {"en": ("Xibe", "Sibe", "Xibo"), "kk": ("сібе",), "kk_latn": ("sıbe",),
             "ru": ("сибо", "сибинец", "сибинка", "сибе"), "zh": ("锡伯族", "锡伯"), "ug": ("شىبە",)},
    "russian": {"en": ("Russian",), "kk": ("орыс",), "kk_latn": ("orys",), "ru": ("русский", "русская", "русские"),
                "zh": ("俄罗斯族",), "ug": ("رۇس",)},
}

CITIZENSHIPS: dict[str, dict[str, tuple[str, ...]]] = {
    "kz": {"en": ("Kazakhstan", "Kazakhstani", "Republic of Kazakhstan"),
           "kk": ("Қазақстан", "Қазақстан Республикасы", "ҚР"), "kk_latn": ("Qazaqstan",),
           "ru": ("Казахстан", "Республика Казахстан", "РК"), "zh": ("哈萨克斯坦",), "ug": ("قازاقىستان",)},
    "cn": {"en": ("China", "PRC", "People's Republic of China"), "kk": ("Қытай", "ҚХР"), "kk_latn": ("Qytai",),
           "ru": ("Китай", "КНР"), "zh": ("中国", "中华人民共和国"), "ug": ("جۇڭگو", "خىتاي")},
    "kg": {"en": ("Kyrgyzstan", "Kyrgyz Republic"), "kk": ("Қырғызстан",), "kk_latn": ("Qyrğyzstan",),
           "ru": ("Кыргызстан", "Киргизия"), "zh": ("吉尔吉斯斯坦",), "ug": ("قىرغىزىستان",)},
    "uz": {"en": ("Uzbekistan",), "kk": ("Өзбекстан",), "kk_latn": ("Özbekstan",), "ru": ("Узбекистан",),
           "zh": ("乌兹别克斯坦",), "ug": ("ئۆزبېكىستان",)},
    "tr": {"en": ("Turkey", "Türkiye"), "kk": ("Түркия",), "kk_latn": ("Türkiä",), "ru": ("Турция",),
           "zh": ("土耳其",), "ug": ("تۈركىيە",)},
    "ru": {"en": ("Russia", "Russian Federation"), "kk": ("Ресей",), "kk_latn": ("Reseı",),
           "ru": ("Россия", "Российская Федерация"), "zh": ("俄罗斯",), "ug": ("رۇسىيە",)},
    "mn": {"en": ("Mongolia",), "kk": ("Моңғолия",), "kk_latn": ("Mońğolia",), "ru": ("Монголия",),
           "zh": ("蒙古国",), "ug": ("موڭغۇلىيە",)},
    "tj": {"en": ("Tajikistan",), "kk": ("Тәжікстан",), "kk_latn": ("Täjıkstan",), "ru": ("Таджикистан",),
           "zh": ("塔吉克斯坦",), "ug": ("تاجىكىستان",)},
}

_TABLES = {ETHNICITY: ETHNICITIES, CITIZENSHIP: CITIZENSHIPS}


def fold(text: str) -> str:
    """The form texts are compared in: NFC, case-folded, inner spaces collapsed, outer spaces and dots dropped."""
    t = unicodedata.normalize("NFC", text or "").casefold()
    return re.sub(r"\s+", " ", t).strip(" .")


@lru_cache(maxsize=None)
def _index(kind: str) -> dict[str, str]:
    return {fold(f): code for code, langs in _TABLES[kind].items() for forms in langs.values() for f in forms}


def _table(kind: str) -> dict:
    if kind not in _TABLES:
        raise ValueError(f"no vocabulary for {kind!r}; use {ETHNICITY!r} or {CITIZENSHIP!r}")
    return _TABLES[kind]


def canonical(kind: str, text: str) -> str | None:
    """The canonical code of a stated value, or None when the vocabulary does not know it.

    Args:
        kind: ``"ethnicity"`` or ``"citizenship"``.
        text: the value as a testimony states it, in any language or script.

    Returns:
        E.g. ``canonical("ethnicity", "казашка") == "kazakh"``,
        ``canonical("citizenship", "Қазақстан") == "kz"``; None for an unknown value
        or an empty one.

    Raises:
        ValueError: ``kind`` is neither.
    """
    _table(kind)
    return _index(kind).get(fold(text)) if text else None


def group_key(kind: str, text: str) -> str:
    """What a value is compared and grouped by: its code when known (``"kazakh"``), else its own text.

    Unknown values thus keep today's behaviour (exact text).
    """
    code = canonical(kind, text)
    return f"={code}" if code else text


def same(kind: str, a: str, b: str) -> bool:
    """True when two stated values are the same value: equal text, or one canonical code."""
    return a == b or group_key(kind, a) == group_key(kind, b)


def forms(kind: str, code: str) -> tuple[str, ...]:
    """Every form the vocabulary knows for ``code`` (all languages and scripts); () for an unknown code."""
    langs = _table(kind).get(code, {})
    return tuple(dict.fromkeys(f for fs in langs.values() for f in fs))


def label(kind: str, text: str, language: str = "en") -> str:
    """A stated value in the reader's language: the canonical label when known, else the text as given.

    Args:
        kind: ``"ethnicity"`` or ``"citizenship"``.
        text: a value as stated (any form), or a canonical code.
        language: a Django language code (``en``, ``ru``, ``kk``, ``zh-hans``, ``ug``...);
            languages without a label fall back to English.

    Returns:
        E.g. ``label("ethnicity", "қазақ", "ru") == "казах"``, ``label("ethnicity", "Kazakh", "zh-hans")
        == "哈萨克族"``; an unknown ``text`` is returned unchanged.
    """
    table = _table(kind)
    code = text if text in table else canonical(kind, text)
    if not code:
        return text
    lang = (language or "en").lower().split("-")[0].split("_")[0]
    langs = table[code]
    return (langs.get(lang) or langs["en"])[0]
