"""Blocking and search keys.

``keys(name)`` returns strings that are equal for the usual spellings of one name in
every script, built on the consonant form of :mod:`kuager.names.normalize`:

- ``"n:" + given + "|" + father``: the given name and the father's name (patronymic root,
  surname root, Chinese second part or second part), in role order, so
  ``Асылбек Талғатұлы``, ``TALGATULY ASYLBEK``, ``Talgatov Asylbek``, ``阿斯力别克·塔力哈提``
  and ``Asilibieke Talihati`` share ``n:VSLBK|TLKT``;
- ``"f:" + given and father run together``: matches a Chinese form written without the dot;
- ``"g:" + given``: the given name alone, for search by a given name;
- ``"u:" + the two parts in alphabetical order``: the same for a name written with the
  father's name first (阿迪里·古丽米拉, "Adil Gulmira" and "Gulmira Adilkyzy" share it),
  where the ``n:`` keys, in role order, differ. It also joins a father and a son named
  after his grandfather; :func:`kuager.names.similarity` tells those apart.

Decoded Chinese/pinyin interpretations add their own keys, so a name can have several.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from kuager.names.normalize import coarse, consonants, medium
from kuager.names.parse import key_view


@lru_cache(maxsize=200_000)
def _keys(name: str) -> frozenset[str]:
    return _keys_of(*key_view(name))


@lru_cache(maxsize=200_000)
def _keys_of(fused: bool, given: tuple[str, ...], second: tuple[str, ...]) -> frozenset[str]:
    """Keys from the fine forms of the given and the second (father's) part
    (:func:`kuager.names.parse.key_view`); many spellings share them (case, suffixes,
    Russian-style surnames), so they are cached on the forms."""
    out: set[str] = set()
    if fused:
        for f in given:
            out.add("f:" + consonants(f))
        return frozenset(out)
    gs = {c for c in (coarse(medium(f)) for f in given) if c}
    ss = {c for c in (coarse(medium(f)) for f in second) if c}
    for g in gs:
        out.add("g:" + g)
        for s in ss:
            out.add("n:" + g + "|" + s)
            out.add("u:" + (g + "|" + s if g <= s else s + "|" + g))
    for gf in given:
        for sf in second:
            out.add("f:" + consonants(gf + sf))
    return frozenset(out)


def keys(name: str) -> set[str]:
    """Canonical keys of a name for blocking and search.

    Args:
        name: a name in any script.
    Returns:
        a new set of strings with prefixes ``n:`` (given|father), ``f:`` (given and
        father run together), ``u:`` (the two parts in either order) and ``g:`` (given
        alone); empty for a name without letters. Two spellings of one name share at
        least one ``n:`` or ``f:`` key in the usual cases (see docs/names.md for the
        measured share), and a ``u:`` key when one of them puts the father's name first.
    Raises:
        TypeError: ``name`` is not a str.

    Computed once per distinct name (cached).
    """
    return set(_keys(name))


def key_set(name: str) -> frozenset[str]:
    """:func:`keys` as a frozenset, for callers that key very many names once each
    (:mod:`kuager.linkage.features`): no copy, not cached per name (only on the forms
    of its parts), and one object for all the names whose parts have the same forms
    (``Асылбек Талғатұлы`` and ``TALGATOV ASYLBEK``), so a cache keyed on it is hit again.

    Args:
        name: a name in any script.
    Returns:
        the keys of :func:`keys` (frozen: shared, never to be changed).
    Raises:
        TypeError: ``name`` is not a str.
    """
    return _keys_of(*key_view(name))


#: Names in every script whose keys stand for the key rules: when a change to the rules
#: changes the keys of any of them, :func:`rules_fingerprint` changes and a database's
#: stored keys are recomputed (``kuager init``). Invented, spread over the cases the rules
#: treat differently: Kazakh Cyrillic with patronymic suffixes, passport and press Latin,
#: surname in -ov, Chinese characters with and without the dot, pinyin, Uyghur Arabic and
#: Latin, father's name first, initial ғ/һ.
PROBES: tuple[str, ...] = (
    "Асылбек Талғатұлы", "TALGATULY ASYLBEK", "Talgatov Asylbek", "阿斯力别克·塔力哈提",
    "Asilibieke Talihati", "Гүлмира Әділқызы", "Gulmira Adilkyzy", "Gulmira Adil qizi",
    "Adil Gulmira", "阿迪里·古丽米拉", "古丽米拉阿迪里", "Ғайрат Һошұрұлы", "艾热提·吾守尔",
    "Erlan Nurlanuli", "Ерлан Нұрланов", "ئەركىن تۇرسۇن", "Erkin Tursun", "Әйгерім Сәрсенбайқызы",
    "Aigerim Sarsenbaikyzy", "ZHANAR KHAMITKYZY", "Zhanar Hamitqyzy", "Wubuli Ayiguli",
    "Гүлжан Ерқызы", "Serik Orazhanuly", "Рәһим Әлиев", "Nurlan Aliev",
)

#: Raised by hand for a change to the key rules that the probes might not show.
RULES_VERSION = 4


def rules_fingerprint() -> str:
    """A short fingerprint of the key rules now in force.

    Stored next to the keys a database holds; when it differs from the stored one,
    the keys were made by other rules and must be recomputed
    (:func:`kuager.records.services.names.ensure_current_keys`).

    Returns:
        16 hexadecimal characters: SHA-256 over :data:`RULES_VERSION` and the sorted
        keys of every name in :data:`PROBES`.
    """
    h = hashlib.sha256(f"v{RULES_VERSION}".encode())
    for name in PROBES:
        h.update(("\x1e" + name + "\x1f" + "\x1f".join(sorted(keys(name)))).encode("utf-8"))
    return h.hexdigest()[:16]
