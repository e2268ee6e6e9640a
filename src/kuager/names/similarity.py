"""Name similarity: the evidence from names alone that two spellings are one person.

Method. Both names are parsed (:func:`kuager.names.parse.parse`); each part has one or
more interpretations (:class:`kuager.names.normalize.Form`). Parts are compared with
normalised Levenshtein similarity (rapidfuzz) on the fine form and on the sound-class
form when both interpretations are direct transliterations, and on the sound-class and
consonant forms when one is decoded from Chinese or pinyin (whose vowels are not
evidence). The given name is aligned with the given name and the father's name with
the patronymic root / Russian-style surname root / second part. When the roles are
marked (suffix, Chinese form) the written order does not matter; when neither name marks
them, the swapped alignment counts only with a penalty, since "Abdulla Rozi" and
"Rozi Abdulla" are usually son and father. The score weighs the weakest part most
(``0.75 * min + 0.25 * max``), so brothers (same father, other given name) and
father/son pairs score low.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from kuager.names.normalize import Form, make_form
from kuager.names.parse import PersonName, parse

_lev = Levenshtein.normalized_similarity

#: penalty on the swapped alignment when no name marks the roles
SWAP_PENALTY = 0.7
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
    """Best :func:`form_similarity` over the interpretations of two parts (0 if one is empty)."""
    if not fa or not fb:
        return 0.0
    best = 0.0
    for x in fa:
        for y in fb:
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
    if not (a.marked and b.marked):
        g2 = part_similarity(a.given_forms, b.second_forms)
        f2 = part_similarity(a.second_forms, b.given_forms)
        s2 = SWAP_PENALTY * _combine(g2, f2)
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
