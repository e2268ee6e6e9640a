"""Chinese-character forms of Kazakh, Uyghur and Kyrgyz names, and their pinyin.

Turkic names are written in Chinese by syllable-by-syllable transcription: the practice
codified for Uyghur names by the Xinjiang local standard DB65/T 2189-2005 (维吾尔人名汉字
音译转写规则), which Kazakh and Kyrgyz names follow. A closed syllable's final consonant
gets a character of its own (提 t, 克 k, 尔 r, 木 m, 斯 s, 力 l, 孜 z, ...), frequent name
elements have fixed spellings (买买提/麦麦提 Memet, 古丽 Gül, 江 -jan, 别克 -bek, 努尔
Nur-, 叶尔 Er-), and the 2005 standard replaced some characters (买买提→麦麦提,
阿不都→阿卜都), so one person may have two Chinese spellings. Passports carry the pinyin
of the characters (Yilihamu Tuheti).

:func:`decode_han` and :func:`decode_pinyin` read either back to a Turkic Latin
approximation ("aslbek" for 阿斯力别克 and for Asilibieke) which the key and similarity
functions compare with the other scripts. The table is ``data/han-turkic.csv``; its
sources are given in its header and in docs/names.md. Characters not in the table go
through pypinyin and the generic pinyin rules of :func:`_pinyin_syllable_value`.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

_VOWELS = set("aeiouy")


def _load_table():
    text = resources.files("kuager.names").joinpath("data/han-turkic.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    han: dict[str, tuple[str, str]] = {}
    pinyin: dict[str, tuple[str, str]] = {}
    for r in rows:
        han[r["han"]] = (r["value"], r["final"])
        # the first row for a pinyin spelling wins (the table lists the usual reading first)
        pinyin.setdefault(r["pinyin"], (r["value"], r["final"]))
    return han, pinyin


HAN_TABLE, PINYIN_TABLE = _load_table()
_HAN_MAXLEN = max(len(k) for k in HAN_TABLE)


def _load_syllables() -> frozenset[str]:
    text = resources.files("kuager.names").joinpath("data/pinyin-syllables.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


SYLLABLES = _load_syllables()
_SYL_MAXLEN = max(len(s) for s in SYLLABLES)

# generic pinyin -> Turkic Latin, for syllables not in the table
_INITIALS = (("zh", "j"), ("ch", "ch"), ("sh", "sh"), ("b", "b"), ("p", "p"), ("m", "m"),
             ("f", "f"), ("d", "d"), ("t", "t"), ("n", "n"), ("l", "l"), ("g", "g"), ("k", "k"),
             ("h", "h"), ("j", "j"), ("q", "ch"), ("x", "sh"), ("r", "r"), ("z", "z"),
             ("c", "ts"), ("s", "s"), ("y", "y"), ("w", "w"))
_FINALS = {"ao": "o", "ou": "o", "uo": "o", "ai": "e", "ei": "ey", "ie": "e", "ing": "in",
           "eng": "en", "ong": "on", "iang": "an", "ian": "an", "iao": "o", "ia": "a", "iu": "iu",
           "ui": "uy", "un": "un", "ue": "ue", "uai": "uay", "uan": "uan", "uang": "uan"}


def _pinyin_syllable_value(syl: str) -> tuple[str, str]:
    """(value, final) of a pinyin syllable: the table entry, else generic rules."""
    if syl in PINYIN_TABLE:
        return PINYIN_TABLE[syl]
    ini = ""
    for p, v in _INITIALS:
        if syl.startswith(p):
            ini, rest = v, syl[len(p):]
            break
    else:
        rest = syl
    if ini in ("j", "ch", "sh") and rest.startswith("i") and len(rest) > 1:
        rest = rest[1:]
    if ini == "y" and rest.startswith("i"):
        ini = ""
    if ini == "w":
        ini = "" if rest.startswith("u") else "w"
    fin = _FINALS.get(rest, rest)
    val = ini + fin
    final = val
    if ini and rest in ("i", "u", "e") and ini not in ("y", "w"):
        final = ini  # a closed syllable's bare consonant (提 ti -> t)
    return val, final


def _join(units: list[tuple[str, str]]) -> str:
    """Join (value, final) units: the bare form at the end, and inside a word where it
    closes a syllable, i.e. after a vowel and before a consonant (托合提 to-h-t,
    居尔德孜 ju-r-de-z, 麦鲁尔特 me-lu-r-t)."""
    out: list[str] = []
    for i, (val, fin) in enumerate(units):
        nxt = units[i + 1][0] if i + 1 < len(units) else ""
        prev_vowel = bool(out) and out[-1][-1:] in _VOWELS
        if not nxt or (prev_vowel and nxt[0] not in _VOWELS):
            out.append(fin)
        else:
            out.append(val)
    return "".join(out)


@lru_cache(maxsize=200_000)
def decode_han(text: str) -> str:
    """Decode one Chinese-character name part to a lower-case Turkic Latin approximation.

    Longest table units first (买买提, 阿卜都, 古丽, 别克...); other characters through
    pypinyin and generic pinyin rules. Non-Han characters are dropped.

    Args:
        text: Han characters of one name part (no dots).
    Returns:
        e.g. ``"aslbek"`` for ``"阿斯力别克"``, ``"memet"`` for ``"买买提"`` and ``"麦麦提"``.
    """
    units: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        for L in range(min(_HAN_MAXLEN, n - i), 0, -1):
            chunk = text[i:i + L]
            if chunk in HAN_TABLE:
                units.append(HAN_TABLE[chunk])
                i += L
                break
        else:
            ch = text[i]
            i += 1
            if not ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or ord(ch) >= 0x20000):
                continue
            from pypinyin import lazy_pinyin  # imported lazily: only for characters off the table

            syl = lazy_pinyin(ch)[0].lower()
            units.append(_pinyin_syllable_value(syl))
    return _join(units)


def han_to_pinyin(text: str) -> str:
    """Pinyin of Han text as printed on a Chinese passport: tone-less, one word per part,
    table readings for name characters (都 du, not dou), pypinyin for the rest."""
    from pypinyin import lazy_pinyin

    out = []
    for ch in text:
        if "\u3400" <= ch <= "\u9fff":
            out.append(_HAN_PINYIN.get(ch) or lazy_pinyin(ch)[0])
        else:
            out.append(ch)
    return "".join(out)


def _han_pinyin_map() -> dict[str, str]:
    text = resources.files("kuager.names").joinpath("data/han-turkic.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["han"]: r["pinyin"] for r in rows if len(r["han"]) == 1}


_HAN_PINYIN = _han_pinyin_map()


@lru_cache(maxsize=200_000)
def segment_pinyin(word: str) -> tuple[str, ...] | None:
    """Split a lower-case ASCII word into pinyin syllables, or None if it cannot be.

    Fewest syllables wins; a vowel-initial syllable inside the word (other than ``er``)
    costs half a syllable more, since a transcription would rather start a syllable with a
    consonant (kua-ni-xi, not kuan-i-xi).
    """
    n = len(word)
    if n == 0 or not word.isascii() or not word.isalpha():
        return None
    INF = float("inf")
    best = [INF] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] == INF:
            continue
        for L in range(1, min(_SYL_MAXLEN, n - i) + 1):
            syl = word[i:i + L]
            if syl in SYLLABLES:
                cost = best[i] + 1.0 + (0.5 if i > 0 and syl[0] in "aeo" and syl != "er" else 0.0)
                if cost < best[i + L]:
                    best[i + L] = cost
                    back[i + L] = i
    if best[n] == INF:
        return None
    out = []
    j = n
    while j > 0:
        out.append(word[back[j]:j])
        j = back[j]
    return tuple(reversed(out))


_PINYIN_MULTI = {k: v for k, v in PINYIN_TABLE.items() if segment_pinyin(k) and len(segment_pinyin(k)) > 1}
_PINYIN_MULTI_MAX = 4


@lru_cache(maxsize=200_000)
def decode_pinyin(word: str) -> str | None:
    """Decode the pinyin of a transcribed name part back to Turkic Latin, or None when
    ``word`` is not pinyin.

    Args:
        word: one name part in lower-case ASCII, e.g. ``"asilibieke"``.
    Returns:
        e.g. ``"aslbek"`` (the same as :func:`decode_han` of 阿斯力别克), or None.
    """
    syls = segment_pinyin(word)
    if syls is None:
        return None
    units: list[tuple[str, str]] = []
    i = 0
    while i < len(syls):
        for L in range(min(_PINYIN_MULTI_MAX, len(syls) - i), 1, -1):
            joined = "".join(syls[i:i + L])
            if joined in _PINYIN_MULTI:
                units.append(_PINYIN_MULTI[joined])
                i += L
                break
        else:
            units.append(_pinyin_syllable_value(syls[i]))
            i += 1
    return _join(units)
