"""Name similarity: the evidence from names alone that two spellings are one person.

Method. Both names are parsed (:func:`kuager.names.parse.parse`); each part has one or
more interpretations (:class:`kuager.names.normalize.Form`). Parts are compared with
normalised Levenshtein similarity (rapidfuzz) on the fine form and on the sound-class
form when both interpretations are direct transliterations, and on the sound-class and
consonant forms when one is decoded from Chinese or pinyin (whose vowels are not
evidence). The given name is aligned with the given name and the father's name with
the patronymic root / Russian-style surname root / second part. The swapped alignment
(given name against father's part) also counts, weighted by :func:`swap_factor`: not
at all when both names fix the roles the same way (two suffixes, two Chinese forms: a
swap there is father and son), with a penalty otherwise, since writers do put the
father's name first (阿迪里·古丽米拉 or "Adil Gulmira" for Gulmira Adilkyzy) but a son
named after his grandfather gives the same picture. The score weighs the weakest part most
(``0.75 * min + 0.25 * max``), so brothers (same father, other given name) and
father/son pairs score low.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from kuager.names.normalize import Form, make_form
from kuager.names.parse import PersonName, parse

_lev = Levenshtein.normalized_similarity

#: factor on the swapped alignment when at least one name is unmarked (its roles rest
#: on the given-first order only): a swapped order is then either one person written
#: father's name first or a father and a son named after his grandfather
SWAP_PENALTY = 0.7
#: factor on the swapped alignment of a Chinese form against a name marked by a suffix
#: (叶森·木拉提 / Мұрат Есенұлы): the Chinese order may have been copied wrongly, but
#: both conventions are strong, so a swap counts for less than against an unmarked name
#: (the names benchmark's sons named after their grandfathers: held-out AUC falls from
#: 0.9786 to 0.9784 at 0.7)
SWAP_CROSS = 0.65
#: factor when only the given names can be compared (one name has a single part)
SINGLE_PART = 0.8
#: how much a difference between two direct transliterations counts
RELIABLE_STRETCH = 1.5
#: weight of the weakest part
W_MIN = 0.75


def form_similarity(a: Form, b: Form) -> float:
    """Similarity in [0, 1] of two interpretations of a name part."""
    if a.reliable and b.reliable:
        if a.fine == b.fine:
            return 1.0
        s = 0.4 * _lev(a.fine, b.fine) + 0.4 * _lev(a.vfine, b.vfine) + 0.2 * _lev(a.medium, b.medium)
        # between direct transliterations a different letter is strong evidence
        s = 1.0 - RELIABLE_STRETCH * (1.0 - s)
        return s if s > 0.0 else 0.0
    ma = a.medium.rstrip("V")
    mb = b.medium.rstrip("V")
    return 0.96 * (0.4 * _lev(ma, mb) + 0.4 * _lev(a.coarse, b.coarse) + 0.2 * _lev(a.vfine, b.vfine))


def part_similarity(fa: tuple, fb: tuple) -> float:
    """Best :func:`form_similarity` over the interpretations of two parts (0 if one is empty).

    A reading for Chinese only (:attr:`Form.han_only`) meets decoded Chinese and pinyin
    readings only (``reliable`` False, not ``han_only``): Rehim's *reim* is 热依木, not
    another direct spelling."""
    if not fa or not fb:
        return 0.0
    best = 0.0
    for x in fa:
        for y in fb:
            if (x.han_only and (y.reliable or y.han_only)) or (y.han_only and x.reliable):
                continue
            s = form_similarity(x, y)
            if s > best:
                best = s
    return best


def _combine(g: float, f: float) -> float:
    lo, hi = (g, f) if g < f else (f, g)
    return W_MIN * lo + (1.0 - W_MIN) * hi


def _concat(p: PersonName) -> tuple:
    out = []
    for g in p.given_forms:
        for s in p.second_forms or (Form("", "", "", True),):
            out.append(make_form(g.fine + s.fine, g.reliable and s.reliable))
    return tuple(out)


def swap_factor(a: PersonName, b: PersonName) -> float:
    """Weight of the alignment of ``a``'s given name with ``b``'s father's part (and back).

    Args:
        a, b: parsed names (:func:`kuager.names.parse.parse`).
    Returns:
        0.0 when both names mark the father's part by a suffix (Асылбек Талғатұлы /
        Талғат Асылбекұлы: father and son, whatever the order) or both are Chinese
        forms (the order of the ID card and household register: 阿斯力别克·塔力哈提 /
        塔力哈提·阿斯力别克 are father and son); :data:`SWAP_PENALTY` when one name is
        unmarked (Abdulla Rozi / Rozi Abdulla, Adil Gulmira / Gulmira Adilkyzy);
        :data:`SWAP_CROSS` for a Chinese form against a suffix-marked name (before,
        the Chinese form counted as marked and this swap was not considered at all).
    """
    ra, rb = a.roles_from, b.roles_from
    if ra == rb and ra != "position":
        return 0.0
    if ra == "position" or rb == "position":
        return SWAP_PENALTY
    return SWAP_CROSS


def name_similarity(a: PersonName, b: PersonName) -> float:
    """:func:`similarity` on two parsed names."""
    if not a.given_forms or not b.given_forms:
        return 0.0
    if a.fused or b.fused:
        # Chinese form without separator: compare the whole run with given+father
        return 0.95 * part_similarity(_concat(a), _concat(b))
    g = part_similarity(a.given_forms, b.given_forms)
    if not a.second_forms or not b.second_forms:
        return SINGLE_PART * g
    s = _combine(g, part_similarity(a.second_forms, b.second_forms))
    factor = swap_factor(a, b)
    if factor and s < factor:
        g2 = part_similarity(a.given_forms, b.second_forms)
        f2 = part_similarity(a.second_forms, b.given_forms)
        s2 = factor * _combine(g2, f2)
        if s2 > s:
            s = s2
    if a.surname_forms and b.surname_forms:
        # both carry a Russian-style surname besides the patronymic: a different one counts
        sur = part_similarity(a.surname_forms, b.surname_forms)
        s *= 0.7 + 0.3 * sur
    return s


def similarity(a: str, b: str) -> float:
    """Evidence from the names alone that ``a`` and ``b`` name the same person.

    Args:
        a, b: names in any script (Kazakh/Russian/Uyghur Cyrillic, Latin in any
            romanization, Uyghur Arabic, Chinese characters with or without the dot,
            pinyin).
    Returns:
        a float in [0, 1]; 1 for spellings of the same name, about 0.6 or less for
        brothers (same father, other given name) and father/son pairs.
    Raises:
        TypeError: an argument is not a str.

    Symmetric. Parsing is cached per name, so repeated names cost a dictionary look-up.
    """
    return name_similarity(parse(a), parse(b))
