"""Uyghur: Arabic script (UEY) to and from Latin (ULY) and Cyrillic (UKY).

Sources: Uyghur Latin Yéziqi (ULY), adopted at the Xinjiang University conferences of
2000-2001 and published as the Xinjiang standard in 2006; Uyghur Kona Yéziqi / Uyghur
Cyrillic (UKY) as used in Kazakhstan and Kyrgyzstan. Letter correspondences
(UEY, ULY, UKY):

    ا a а    ە e ә    ب b б    پ p п    ت t т    ج j җ    چ ch ч   خ x х
    د d д    ر r р    ز z з    ژ zh ж   س s с    ش sh ш   غ gh ғ   ف f ф
    ق q қ    ك k к    گ g г    ڭ ng ң   ل l л    م m м    ن n н    ھ h һ
    و o о    ۇ u у    ۆ ö ө    ۈ ü ү    ۋ w в    ې é е    ى i и    ي y й

The hamza ئ carries a vowel at the start of a word (not written in ULY) and marks a
syllable break inside a word (written ``'`` in ULY: mes'ul). ULY separates n'g, s'h, z'h, c'h, g'h when the
two letters are not a digraph. UKY writes ya/yu as я/ю.
"""

from __future__ import annotations

import re
import unicodedata

_UEY_ULY = {
    "ا": "a", "ە": "e", "ه": "e", "ب": "b", "پ": "p", "ت": "t", "ج": "j", "چ": "ch", "خ": "x",
    "د": "d", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "غ": "gh", "ف": "f",
    "ق": "q", "ك": "k", "ک": "k", "گ": "g", "ڭ": "ng", "ل": "l", "م": "m", "ن": "n", "ھ": "h",
    "و": "o", "ۇ": "u", "ۆ": "ö", "ۈ": "ü", "ۋ": "w", "ې": "é", "ى": "i", "ي": "y", "ی": "y",
    "ئ": "", "ء": "",
}
_VOWELS_ULY = set("aeéiouöü")
_ULY_UKY = {
    "a": "а", "e": "ә", "é": "е", "i": "и", "o": "о", "u": "у", "ö": "ө", "ü": "ү",
    "b": "б", "p": "п", "t": "т", "j": "җ", "ch": "ч", "x": "х", "d": "д", "r": "р",
    "z": "з", "zh": "ж", "s": "с", "sh": "ш", "gh": "ғ", "f": "ф", "q": "қ", "k": "к",
    "g": "г", "ng": "ң", "l": "л", "m": "м", "n": "н", "h": "һ", "w": "в", "y": "й",
    "ya": "я", "yu": "ю",
}
_UKY_ULY = {v: k for k, v in _ULY_UKY.items()}
_UKY_ULY.update({"ё": "yo", "е": "é", "э": "e", "ы": "i", "ь": "", "ъ": "", "ц": "ts",
                 "щ": "shch", "ұ": "u", "ғ": "gh", "і": "i"})
_ULY_UEY = {v: k for k, v in _UEY_ULY.items() if k not in ("ه", "ک", "ی", "ء", "ئ")}
_DIGRAPHS = ("ch", "gh", "ng", "sh", "zh")


def arabic_to_uly(text: str) -> str:
    """Transliterate Uyghur Arabic script (UEY) to Uyghur Latin (ULY), lower case.

    Presentation forms are folded by NFKC first. Characters outside the alphabet pass through.
    Returns the ULY string; never raises for a ``str``.
    """
    text = unicodedata.normalize("NFKC", text)
    out = []
    prev_letter = ""  # ULY value of the previous letter in the word
    for ch in text:
        if ch in _UEY_ULY:
            val = _UEY_ULY[ch]
            if ch in "ئء":
                # hamza: silent at the start of a word, "'" inside a word (mes'ul, jem'iyet)
                if prev_letter:
                    out.append("'")
                continue
            if prev_letter and (prev_letter[-1] + val[:1]) in _DIGRAPHS and len(val) == 1 and len(prev_letter) == 1:
                out.append("'")
            out.append(val)
            prev_letter = val
        else:
            if not ch.isalpha():
                prev_letter = ""
            out.append(ch)
    return "".join(out)


def _uly_units(word: str) -> list[str]:
    """Split a lower-case ULY word into letters (digraphs as one unit, ' kept)."""
    units = []
    i = 0
    while i < len(word):
        two = word[i:i + 2]
        if two in _DIGRAPHS:
            units.append(two)
            i += 2
        else:
            units.append(word[i])
            i += 1
    return units


def uly_to_arabic(text: str) -> str:
    """Transliterate ULY (Uyghur Latin) to Uyghur Arabic script (UEY).

    A vowel at the start of a word, or after ``'`` or another vowel, is written with the
    hamza ئ, as Uyghur orthography requires. Returns the UEY string.
    """
    out = []
    for m in re.finditer(r"[\w']+|[^\w']+", unicodedata.normalize("NFC", text.lower())):
        w = m.group(0)
        if not w[0].isalpha():
            out.append(w)
            continue
        prev = None
        for u in _uly_units(w):
            if u == "'":
                prev = "'"
                continue
            if u in _VOWELS_ULY and (prev is None or prev == "'" or prev in _VOWELS_ULY):
                out.append("ئ")
            out.append(_ULY_UEY.get(u, u))
            prev = u
    return "".join(out)


def uly_to_cyrillic(text: str) -> str:
    """Transliterate ULY to Uyghur Cyrillic (UKY), lower case; ya/yu become я/ю."""
    out = []
    for m in re.finditer(r"[\w']+|[^\w']+", unicodedata.normalize("NFC", text.lower())):
        w = m.group(0)
        if not w[0].isalpha():
            out.append(w)
            continue
        units = [u for u in _uly_units(w) if u != "'"]
        i = 0
        while i < len(units):
            if units[i] == "y" and i + 1 < len(units) and units[i + 1] in ("a", "u"):
                out.append(_ULY_UKY["y" + units[i + 1]])
                i += 2
                continue
            out.append(_ULY_UKY.get(units[i], units[i]))
            i += 1
    return "".join(out)


def cyrillic_to_uly(text: str) -> str:
    """Transliterate Uyghur Cyrillic (UKY) to ULY, lower case. ULY apostrophes separate
    n'g, s'h, z'h, c'h, g'h when they come from two letters."""
    out = []
    prev = ""
    for ch in unicodedata.normalize("NFC", text.lower()):
        val = _UKY_ULY.get(ch)
        if val is None:
            out.append(ch)
            prev = ""
            continue
        if prev and len(prev) == 1 and val[:1] and (prev + val[:1]) in _DIGRAPHS and len(val) == 1:
            out.append("'")
        out.append(val)
        prev = val
    return "".join(out)


def arabic_to_cyrillic(text: str) -> str:
    """UEY to UKY (through ULY)."""
    return uly_to_cyrillic(arabic_to_uly(text))


def cyrillic_to_arabic(text: str) -> str:
    """UKY to UEY (through ULY)."""
    return uly_to_arabic(cyrillic_to_uly(text))
