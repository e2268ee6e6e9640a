"""Kazakh Cyrillic to and from Latin: the 2021 official alphabet, BGN/PCGN 1979, passport practice.

Sources:

- ``latin2021``: the Kazakh Latin alphabet of Presidential Decree No. 569 of
  26 October 2017 as amended by Decree No. 637 of 19 February 2018, in the revised form
  presented by the Government on 28 January 2021 (letters Ä Ğ I/ı İ/i Ñ Ö Ş Ū Ü; И and Й
  both İ/i, І is I/ı; Ц Ts, Ч Ch, Щ Şş, Ю İu, Я İa).
- ``bgn``: BGN/PCGN 1979 romanization of Kazakh (Permanent Committee on Geographical Names /
  US Board on Geographic Names): Ғ Gh, Ж Zh, И Ī, Й Y, Қ Q, Ң Ng, У Ū, Ұ U, Х Kh, Э Ė, Ю Yu,
  Я Ya; a middle dot separates letters that would otherwise read as a digraph (N·g = Нг).
- ``passport``: the Russian-style transliteration seen in Kazakhstan passports and press
  (ICAO Doc 9303 on the Russian letters, Kazakh letters folded to their Russian look-alikes):
  upper case, Ж ZH, Х KH, Ш SH, Ю IU, Я IA, Е at the start of a word YE.

Going back to Cyrillic is exact for ``latin2021`` and ``bgn`` except where the standard
itself is ambiguous (2021: H is Х or Һ, İ is И or Й, E is Е or Э; BGN: Y is Ы or Й, H/Kh).
Those are resolved by the rules documented on :func:`to_cyrillic`. Passport spelling folds
Ә/А, Ғ/Г, Қ/К, Ң/Н, Ө/О, Ұ/Ү/У, І/И into one letter each: going back gives the Russian
letters only (``strict=True`` raises instead).
"""

from __future__ import annotations

import re
import unicodedata

SYSTEMS = ("latin2021", "bgn", "passport")

# lower-case Cyrillic -> lower-case Latin, one table per system
_LATIN2021 = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū",
    "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "",
    "ы": "y", "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
# upper-case forms that are not a simple .upper() of the lower-case ones
_LATIN2021_UPPER = {"и": "İ", "й": "İ", "і": "I", "ю": "İu", "я": "İa", "ё": "İo", "щ": "Şş",
                    "ц": "Ts", "ч": "Ch"}

_BGN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e", "ё": "yo",
    "ж": "zh", "з": "z", "и": "ī", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ng", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ū", "ұ": "u",
    "ү": "ü", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "\u201d", "ы": "y", "і": "i", "ь": "\u2019", "э": "ė", "ю": "yu", "я": "ya",
}

_PASSPORT = {
    "а": "A", "ә": "A", "б": "B", "в": "V", "г": "G", "ғ": "G", "д": "D", "е": "E", "ё": "E",
    "ж": "ZH", "з": "Z", "и": "I", "й": "I", "к": "K", "қ": "K", "л": "L", "м": "M", "н": "N",
    "ң": "N", "о": "O", "ө": "O", "п": "P", "р": "R", "с": "S", "т": "T", "у": "U", "ұ": "U",
    "ү": "U", "ф": "F", "х": "KH", "һ": "H", "ц": "TS", "ч": "CH", "ш": "SH", "щ": "SHCH",
    "ъ": "", "ы": "Y", "і": "I", "ь": "", "э": "E", "ю": "IU", "я": "IA",
}

_VOWELS_CYR = set("аәеёиоөуұүыіэюя")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


class AmbiguousTransliteration(ValueError):
    """Raised by :func:`to_cyrillic` with ``strict=True`` when the Latin form cannot be
    mapped back to one Cyrillic spelling."""


def _case(out: str, src_upper: bool, word_upper: bool) -> str:
    if not src_upper:
        return out
    if word_upper:
        return out.upper()
    return out[:1].upper() + out[1:]


def to_latin(text: str, system: str = "latin2021") -> str:
    """Transliterate Kazakh Cyrillic ``text`` to Latin.

    Args:
        text: Kazakh (or Russian) Cyrillic; other characters pass through unchanged.
        system: ``"latin2021"`` (official 2021 alphabet), ``"bgn"`` (BGN/PCGN 1979) or
            ``"passport"`` (upper-case Russian-style practice).
    Returns:
        the Latin string; letter case follows the source (a word in capitals stays in
        capitals), except ``passport`` which is always upper case.
    Raises:
        ValueError: unknown ``system``.
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
    text = unicodedata.normalize("NFC", text)
    out = []
    for m in re.finditer(r"\w+|\W+", text):
        word = m.group(0)
        if not word[0].isalnum() and not word[0] == "_":
            out.append(word)
            continue
        letters = [c for c in word if c.isalpha()]
        word_upper = len(letters) > 1 and all(c.isupper() for c in letters)
        res = []
        prev = ""
        for i, ch in enumerate(word):
            lo = ch.lower()
            up = ch != lo
            if system == "passport":
                if lo == "е" and i == 0:
                    res.append("YE")
                else:
                    res.append(_PASSPORT.get(lo, ch.upper()))
            elif system == "latin2021":
                if lo in _LATIN2021:
                    if up and lo in _LATIN2021_UPPER:
                        val = _LATIN2021_UPPER[lo]
                        res.append(val.upper() if word_upper else val)
                    else:
                        res.append(_case(_LATIN2021[lo], up, word_upper))
                else:
                    res.append(ch)
            else:  # bgn
                if lo in _BGN:
                    val = _BGN[lo]
                    # separate letters that would read as a digraph (BGN/PCGN uses a middle dot)
                    if prev and val and (prev[-1:].lower() + val[:1].lower()) in (
                            "ts", "kh", "gh", "zh", "sh", "ch", "ng", "ya", "yu", "yo"):
                        if not (prev[-1:].lower() == "y" and val[:1] in "aou" and lo in "ауо" and False):
                            res.append("\u00b7")
                    res.append(_case(val, up, word_upper))
                    prev = val
                    continue
                res.append(ch)
            prev = res[-1] if res else ""
        out.append("".join(res))
    return "".join(out)


# ---------------------------------------------------------------- back to Cyrillic
_REV2021 = [
    ("şş", "щ"), ("ts", "ц"), ("ch", "ч"), ("iu", "ю"), ("ia", "я"), ("io", "ё"),
    ("a", "а"), ("ä", "ә"), ("b", "б"), ("v", "в"), ("g", "г"), ("ğ", "ғ"), ("d", "д"),
    ("e", "е"), ("j", "ж"), ("z", "з"), ("i", "и"), ("k", "к"), ("q", "қ"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("ñ", "ң"), ("o", "о"), ("ö", "ө"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("ū", "ұ"), ("ü", "ү"), ("f", "ф"), ("h", "х"),
    ("ş", "ш"), ("y", "ы"), ("ı", "і"), ("c", "ц"), ("w", "у"), ("x", "х"),
]
_REVBGN = [
    ("shch", "щ"), ("ts", "ц"), ("kh", "х"), ("gh", "ғ"), ("zh", "ж"), ("sh", "ш"), ("ch", "ч"),
    ("ng", "ң"), ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("\u201d", "ъ"), ("\u2019", "ь"),
    ("a", "а"), ("ä", "ә"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("ī", "и"), ("y", "ы"), ("k", "к"), ("q", "қ"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("ö", "ө"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("ū", "у"), ("u", "ұ"), ("ü", "ү"), ("f", "ф"), ("h", "һ"), ("i", "і"), ("ė", "э"),
]
_REVPASS = [
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("iu", "ю"), ("yu", "ю"), ("ia", "я"), ("ya", "я"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"),
    ("i", "и"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("y", "ы"),
    ("q", "қ"), ("j", "ж"), ("x", "х"), ("c", "ц"), ("w", "у"),
]
_AMBIG_PASSPORT = set("agknoui")


def _back(low: str, table, system: str, strict: bool) -> str:
    """Map one lower-case Latin word back to lower-case Cyrillic."""
    res: list[str] = []
    i = 0
    n = len(low)
    vowels = "aäeoöuūüyıiī"
    while i < n:
        if low[i] == "\u00b7":  # BGN separator between letters that are not a digraph
            i += 1
            continue
        for lat, cyr in table:
            if not low.startswith(lat, i):
                continue
            prev = low[i - 1] if i else ""
            nxt = low[i + len(lat)] if i + len(lat) < n else ""
            if system == "latin2021" and lat == "i":
                if prev and prev in vowels and nxt not in vowels:
                    cyr = "й"
            elif system == "bgn" and lat == "y":
                if (prev and prev in vowels) or (not prev and nxt in "aäeoöuūü"):
                    cyr = "й"
            elif system == "passport":
                if strict and lat in _AMBIG_PASSPORT:
                    raise AmbiguousTransliteration(
                        f"passport letter {lat!r} in {low!r} stands for several Kazakh letters")
                if lat == "y" and ((prev and prev in "aeiou") or (not prev and nxt in "aeiou")):
                    cyr = "й"
                if lat == "i" and prev and prev in "aeou" and nxt not in "aeiou":
                    cyr = "й"
            res.append(cyr)
            i += len(lat)
            break
        else:
            if strict and low[i].isalpha():
                raise AmbiguousTransliteration(f"no {system} letter {low[i]!r} in {low!r}")
            res.append(low[i])
            i += 1
    return "".join(res)


def to_cyrillic(text: str, system: str = "latin2021", strict: bool = False) -> str:
    """Transliterate Latin ``text`` written in ``system`` back to Kazakh Cyrillic.

    Ambiguities resolved by rule: ``latin2021`` İ/i is Й after a vowel and before a
    non-vowel, else И; H is Х (Һ is rare and Arabic-loan only); E is Е; Ts/Ch/Şş/İu/İa are
    read as the digraph letters Ц/Ч/Щ/Ю/Я. ``bgn`` Y is Й after a vowel or word-initially
    before a vowel, else Ы; a middle dot keeps two letters apart. ``passport`` gives the
    Russian letters (А not Ә, К not Қ, ...), YE at the start of a word is Е.

    Args:
        text: Latin text in ``system``.
        system: one of :data:`SYSTEMS`.
        strict: raise instead of guessing where ``passport`` spelling is ambiguous.
    Returns:
        the Cyrillic string; a word in capitals stays in capitals, a capitalised word
        stays capitalised.
    Raises:
        ValueError: unknown system; :class:`AmbiguousTransliteration` (a ValueError)
        with ``strict=True`` when the spelling cannot be inverted.
    """
    if system not in SYSTEMS:
        raise ValueError(f"unknown system {system!r}; expected one of {SYSTEMS}")
    table = {"latin2021": _REV2021, "bgn": _REVBGN, "passport": _REVPASS}[system]
    text = unicodedata.normalize("NFC", text)
    out = []
    for m in re.finditer(r"[\w\u00b7\u201d\u2019]+|[^\w\u00b7\u201d\u2019]+", text):
        w = m.group(0)
        if not w[0].isalpha():
            out.append(w)
            continue
        letters = [c for c in w if c.isalpha()]
        all_caps = len(letters) > 1 and all(c.isupper() for c in letters)
        first_cap = w[0].isupper()
        if system == "latin2021":
            # 2021: capital I is І (lower ı), capital İ is И/Й (lower i)
            base = "".join("i" if c == "İ" else ("ı" if c == "I" else c.lower()) for c in w)
        else:
            base = w.lower()
            if system == "passport" and base.startswith("ye"):
                base = base[1:]
        res = _back(base, table, system, strict)
        if all_caps:
            res = res.upper()
        elif first_cap:
            res = res[:1].upper() + res[1:]
        out.append(res)
    return "".join(out)
