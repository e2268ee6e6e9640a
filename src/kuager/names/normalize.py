"""Per-token normal forms shared by :mod:`keys` and :mod:`similarity`.

Every name part, whatever its script, is brought to three forms:

- ``fine``: lower-case ASCII Latin where the usual romanizations of one Kazakh/Uyghur
  spelling coincide (Cyrillic, 2021 Latin, BGN/PCGN, passport, ULY, UKY and press all give
  ``asylbek``, ``talgat``; ж/j/zh → j, қ/q/k → k, х/kh/x → h (з+х stays z+h, as the
  passport's ZKH does: Оразхан, ORAZKHAN), ш/ş/sh → sh, ң/ñ/ng → n,
  ә/ä → a, ө/ö → o, ұ/ү/ū/ü/у → u, і/ı/и/ī → i, ы → y, ya/я → ia, doubled letters once);
- ``medium``: sound classes with vowels as ``V`` (k/g/q/h → K, l/r → L, z/j → Z, s/sh → S,
  f → F, v/w with the vowels, a final d → T), where Russianised, Uyghur and Chinese-decoded vowels and the
  l/r and k/g/h confusions of Chinese transcription no longer count;
- ``coarse``: ``medium`` without vowels except an initial one (``VSLBK``).

A part written in Han characters, and a Latin part that reads as pinyin, also get a
decoded interpretation (:mod:`kuager.names.chinese`) flagged ``reliable=False``: its fine
form is approximate, so only its medium and coarse forms count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kuager.names import chinese, uyghur
from kuager.names.scripts import char_script

_CYR = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "җ": "j", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ў": "u", "ф": "f", "х": "kh", "һ": "h", "ҳ": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ғ": "g", "қ": "k",
}
_LAT = {
    "ä": "a", "á": "a", "à": "a", "â": "a", "ã": "a", "å": "a", "æ": "ae", "ö": "o", "ó": "o",
    "ò": "o", "ô": "o", "õ": "o", "ø": "o", "ü": "u", "ú": "u", "ù": "u", "û": "u", "ū": "u",
    "ý": "u", "ı": "i", "ī": "i", "í": "i", "ì": "i", "î": "i", "ï": "i", "ğ": "g", "ǵ": "g",
    "ş": "sh", "ș": "sh", "ś": "sh", "š": "sh", "ç": "ch", "č": "ch", "ñ": "n", "ń": "n",
    "ň": "n", "ž": "zh", "é": "e", "è": "e", "ê": "e", "ë": "e", "ė": "e", "ě": "e", "ţ": "t",
    "ț": "t", "ḥ": "h", "ṭ": "t", "ẓ": "z", "ß": "ss", "ŋ": "n", "ə": "a",
}
_VOW = "aeiouy"


def _latin_base(word: str) -> str:
    """Lower-case Latin letters of any romanization mapped to plain ASCII (stage 1)."""
    w = unicodedata.normalize("NFC", word).lower().replace("i\u0307", "i")
    # 2017 apostrophe alphabet: s' = ш, c' = ч; other apostrophes are separators
    w = re.sub(r"s['’ʼ]", "sh", w)
    w = re.sub(r"c['’ʼ]", "ch", w)
    out = []
    for ch in w:
        if "a" <= ch <= "z":
            out.append(ch)
        elif ch in _LAT:
            out.append(_LAT[ch])
        else:
            d = unicodedata.normalize("NFD", ch)[0]
            if "a" <= d <= "z":
                out.append(d)
    return "".join(out)


def _ascii_digraphs(w: str) -> str:
    """Fold the digraph conventions of the romanizations into one spelling."""
    w = w.replace("shch", "sh").replace("dzh", "j").replace("dj", "j").replace("zh", "j")
    w = w.replace("kh", "h").replace("gh", "g").replace("ph", "f").replace("ck", "k")
    w = w.replace("x", "h").replace("q", "k").replace("w", "v")
    w = re.sub(r"c(?!h)", "ts", w)
    w = w.replace("ng", "n")
    return w


def stage1(token: str, script: str) -> str:
    """Map one name part to ASCII before suffix rules (no y-rules, no collapsing)."""
    if script == "Cyrillic":
        out = []
        for ch in token.lower():
            if ch in _CYR:
                out.append(_CYR[ch])
            elif "a" <= ch <= "z":
                out.append(ch)
        return _ascii_digraphs("".join(out))
    if script == "Arabic":
        return _ascii_digraphs(_latin_base(uyghur.arabic_to_uly(token)))
    return _ascii_digraphs(_latin_base(token))


_DOUBLE = re.compile(r"(.)\1+")


def finish(w: str) -> str:
    """Stage 2 of the fine form: y-rules and doubled letters."""
    if w.startswith("ye"):
        w = w[1:]
    w = w.replace("ya", "ia").replace("yu", "iu").replace("yo", "io")
    if w.endswith("iy") or w.endswith("yi"):
        w = w[:-2] + "i"
    # y after a vowel and not before one is the glide й: ay/ai, oy/oi
    w = re.sub(r"(?<=[aeiou])y(?![aeiouy])", "i", w)
    # English spellings of Arabic names: Abdullah, Fatimah
    if len(w) > 4 and w[-1] == "h" and w[-2] in "ae":
        w = w[:-1]
    w = _DOUBLE.sub(r"\1", w)
    return w


_VFINE = str.maketrans({"e": "a", "o": "u", "y": "i", "v": "u"})


def vfine(fine: str) -> str:
    """The fine form with the vowels that romanizations and Russianisation confuse merged
    (ә/е/а, ө/о/ү/у, ы/і/и: Hesen/Hasan, Tölegen/Tulegen, Meryem/Maryam), and v with u:
    Latin w, read v (ULY ۋ = в), is the press's у as well (Dawlet, Bawyrzhan: Дәулет,
    Бауыржан; the medium form already counts v with the vowels)."""
    return _DOUBLE.sub(r"\1", fine.translate(_VFINE))


_MED = {"a": "V", "e": "V", "i": "V", "o": "V", "u": "V", "y": "V", "b": "B", "p": "P",
        "d": "D", "t": "T", "k": "K", "g": "K", "h": "K", "j": "Z", "z": "Z", "s": "S",
        "l": "L", "r": "L", "m": "M", "n": "N", "f": "F", "v": "V", "c": "C"}


@lru_cache(maxsize=400_000)
def medium(fine: str) -> str:
    """Sound-class string of a fine form (see module docstring): ``"tVlKVt"`` style."""
    w = fine.replace("sh", "s").replace("ch", "c").replace("ts", "c")
    out = []
    last = ""
    for ch in w:
        c = _MED.get(ch)
        if c is None or c == last:
            continue
        out.append(c)
        last = c
    if out and out[-1] == "D":
        out[-1] = "T"
    return "".join(out)


@lru_cache(maxsize=400_000)
def coarse(med: str) -> str:
    """``medium`` without vowels except an initial one, repeated classes once."""
    if not med:
        return ""
    out = [med[0]]
    for c in med[1:]:
        if c != "V" and c != out[-1]:
            out.append(c)
    return "".join(out)


#: ASCII to the sound classes of :func:`medium` (for :func:`consonants`); characters
#: without a class removed
_CLASSES = str.maketrans({chr(i): _MED.get(chr(i)) for i in range(128)})


def consonants(fine: str) -> str:
    """The consonant classes of a fine form, repeated classes once: equal to
    ``coarse(medium(fine)).replace("V", "")`` (the key of a run-together name), without
    caching: the fine forms given here are whole names, which rarely repeat.

    Args:
        fine: a fine form (lower-case ASCII letters; other characters count for nothing).
    Returns:
        e.g. ``"TLKT"`` for ``"talgat"``, ``""`` for vowels only.
    """
    if not fine.isascii():
        return coarse(medium(fine)).replace("V", "")
    c = fine.replace("sh", "s").replace("ch", "c").replace("ts", "c").translate(_CLASSES)
    if c.endswith("D"):  # medium's final d: the last run of the class sequence
        c = c.rstrip("D") + "T"
    c = c.replace("V", "")
    if not c:
        return c
    out = [c[0]]
    for ch in c[1:]:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Form:
    """One interpretation of a name part.

    Attributes:
        fine, medium, coarse: the three forms (module docstring).
        reliable: False for a decoded Chinese or pinyin interpretation.
        han_only: True for a reading of a direct spelling that only a Chinese writing of
            the name has (an h between vowels or a Latin initial G dropped,
            :func:`forms_of_root`): compared with decoded Chinese and pinyin forms only
            (:func:`kuager.names.similarity.part_similarity`), and no key is made of it
            (:func:`kuager.names.parse.key_view`).
    """

    fine: str
    medium: str
    coarse: str
    reliable: bool
    vfine: str = ""
    han_only: bool = False


def make_form(fine: str, reliable: bool = True, han_only: bool = False) -> Form:
    """Build a :class:`Form` from a fine string (``han_only`` implies unreliable)."""
    m = medium(fine)
    return Form(fine, m, coarse(m), reliable and not han_only, vfine(fine), han_only)


#: h between two vowels of a fine form (from һ, Arabic ھ, Latin h, and х/kh/x, which
#: Russian-style and Uyghur Cyrillic spellings write for һ: Абдурехим)
_MEDIAL_H = re.compile(r"(?<=[aeiouy])h(?=[aeiouy])")


@lru_cache(maxsize=400_000)
def forms_of_root(root1: str, script: str, raw: str) -> tuple[Form, ...]:
    """All interpretations of one name part.

    Args:
        root1: the stage-1 ASCII form of the part (after suffix removal), "" for Han.
        script: the part's script.
        raw: the part as written (Han characters are decoded from it).
    Returns:
        a non-empty tuple of :class:`Form` (possibly with an empty fine string).
    """
    if script == "Han":
        return (make_form(finish(_ascii_digraphs(_zh_apart(chinese.decode_han(raw)))), reliable=False),)
    fine = finish(root1)
    out = [make_form(fine, True)]
    if script == "Latin" and _ZH.search(raw.lower()) and not _is_pinyin(raw):
        # Latin zh is ж (ZHANAR) or з + х written h (Orazhan, the press's Оразхан,
        # whose passport spelling ORAZKHAN and Cyrillic read z+h since the fifth quality
        # round of issue 4): the second reading too (before: orajan only, 0.61 to Оразхан)
        f2 = make_form(finish(_ascii_digraphs(_zh_apart(_latin_base(raw)))), True)
        if f2.fine and f2.fine != fine:
            out.append(f2)
    if script == "Arabic":
        # ە is ә (uyghur.py's letter table: ULY e, UKY ә), which the fine form of Kazakh
        # and Uyghur Cyrillic, Kazakh Latin and the passport reads a (Әхмәт, Ähmet, AKHMAT:
        # ahmat); ULY writes it e (Exmet), like е in every other Latin spelling. Both
        # readings, so ئەخمەت meets Әхмәт as well as Exmet (before: ehmet only, 0.70 to
        # Әхмәт). The keys are the same (no vowel but an initial one counts there).
        uly = uyghur.arabic_to_uly(raw).lower()
        if "e" in uly:
            f2 = make_form(finish(_ascii_digraphs(_latin_base(uly.replace("e", "ä")))), True)
            if f2.fine and f2.fine != fine:
                out.append(f2)
    if _initial_fricative(raw, script) and len(root1) > 2 and root1[0] in "gh":
        # Chinese has no ғ and renders initial ғ/һ with a vowel syllable (艾热提 Ғәйрәт)
        f2 = make_form(finish(root1[1:]), reliable=False)
        if f2.fine:
            out.append(f2)
    dec = None
    if script == "Latin" and raw.isascii():
        dec = chinese.decode_pinyin(raw.lower().replace("'", "").replace("-", ""))
        if dec is not None:
            f2 = make_form(finish(_ascii_digraphs(_zh_apart(dec))), reliable=False)
            if f2.fine != out[0].fine:
                out.append(f2)
    if _MEDIAL_H.search(fine) and dec is None:
        # Chinese writes һ between vowels as the vowel 依 yi or not at all: 热依木 Рәһим
        # (Rehim), 阿不都热依木 Abdurehim, 热依拉 Раһилә; the names team's hand-written
        # people (benchmarks/data/names-people.csv, u02: ئابدۇرېھىم / 阿不都热依木 /
        # Абдурейим) and the transcription table's 依 (data/han-turkic.csv: i). Others keep
        # it as a syllable of its own (艾海提 Әхәт, 麦合热 Мәһирә): the written reading stays.
        # Not for pinyin (Kulaxi 库拉西), whose h and x are Chinese sounds.
        f2 = make_form(_MEDIAL_H.sub("", fine), han_only=True)
        if f2.fine:
            out.append(f2)
    if (script == "Latin" and dec is None and len(fine) > 2 and fine[0] == "g" and fine[1] in "ao"
            and not _initial_fricative(raw, script)):
        # the passport writes ғ as G (shared/data/names/kazakh-cyrillic-latin.csv: Ғ
        # passport_practice G), and so do many press spellings: GAYRAT may be Ғайрат, and
        # Chinese writes ғ from its vowel (艾热提, as for gh, ğ, ғ above). For Chinese only,
        # since Latin G is г as well, and only before a and o (ә, ä fold to a): Kazakh ғ
        # goes with back vowels, and Гүл- (Gulnar 古丽娜尔), the commonest G, is г.
        f2 = make_form(fine[1:], han_only=True)
        if f2.fine:
            out.append(f2)
    return tuple(out)


_ZH = re.compile(r"(?<=[aeiouy])zh")


def _zh_apart(w: str) -> str:
    """``w`` with zh after a vowel read as z + h (kh, which :func:`_ascii_digraphs`
    makes h): z closing a syllable, h opening the next (Orazhan; but Orazzhan, Nurzhan
    and a word-initial Zh are ж).

    Decoded Chinese and pinyin are written with j for ж (data/han-turkic.csv,
    :data:`kuager.names.chinese._INITIALS`), so a zh there is a z closing one syllable
    before an h opening the next: 沃拉孜汗 *olaz-han* Оразхан, which was read *olajan*
    until the seventh quality round of issue 4. Latin zh gets this reading beside the
    usual ж (:func:`forms_of_root`)."""
    return _ZH.sub("zkh", w)


def _is_pinyin(raw: str) -> bool:
    """True when a Latin name part reads as pinyin (:func:`chinese.decode_pinyin`)."""
    return raw.isascii() and chinese.decode_pinyin(raw.lower().replace("'", "").replace("-", "")) is not None


_VOWEL_LETTERS = set("aeiouyäöüıéëèáóúūəæ")


def _initial_fricative(raw: str, script: str) -> bool:
    """True when a name part begins with ғ (gh, ğ, غ) or with һ (h, ھ) before a vowel.

    The Chinese transcription of Uyghur and Kazakh names has no syllable for these
    sounds and writes such a name from its vowel: 艾热提 Ғәйрәт/Gheyret, 吾甫尔
    Ғопур, 吾守尔 Hoshur, 艾则孜 Hezim/Eziz. :func:`forms_of_root` then adds the reading
    without the first sound, flagged unreliable (compared as a decoded form is).
    """
    low = raw.lower()
    if len(low) < 3:
        return False
    if script == "Cyrillic":
        return low[0] in "ғһ"
    if script == "Arabic":
        low = uyghur.arabic_to_uly(raw).lower()
        script = "Latin"
    if script == "Latin":
        if low.startswith(("gh", "ğ")):
            return True
        return low[0] == "h" and low[1] in _VOWEL_LETTERS
    return False


def token_script(token: str) -> str:
    """Script of a single token (first letter decides; tokens are split at Han boundaries)."""
    for ch in token:
        s = char_script(ch)
        if s:
            return s
    return "unknown"
