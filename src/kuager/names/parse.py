"""Parse a personal name into parts with roles.

Naming practice encoded here:

- Kazakh patronymics: the father's name + ``-ұлы`` (son of) / ``-қызы`` (daughter of),
  joined or as a separate word (``Ербол қызы``), romanized ``-uly/-ūly/-ulı`` (not
  ``-uli`` only where it is not the pinyin ending -guli/-buli of Wubuli, Ayiguli),
  ``-kyzy/-qyzy/-qızı``, with press misspellings ``-kazy``, ``-kizi``, ``-kyzi``; Kyrgyz
  ``-уулу/-uulu``, ``-кызы``; Uyghur and Uzbek ``oghli/ogly/oglu``, ``qizi`` (ئوغلى / قىزى).
  In a name without one, a -қызы with one letter wrong (Esenhankyzii) counts as one.
- Russian patronymics ``-ович/-евич/-овна/-евна`` and surnames ``-ов/-ев/-ова/-ева``
  (Soviet-era surnames are made from the father's or grandfather's name: Талгатов from
  Талгат); ``-баев`` comes from a name in ``-бай`` (Жұмабаев from Жұмабай).
  Russian documents put the surname first (Талгатов Асылбек).
- Chinese ID form: given name · father's name, separated by a middle dot (any of
  :data:`kuager.names.scripts.DOTS`), or with no separator at all.
- Otherwise (Latin, Uyghur Arabic, unmarked Cyrillic): given name first, then the
  father's name used as a surname.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kuager.names import normalize
from kuager.names.chinese import segment_pinyin
from kuager.names.scripts import detect_script, has_dot, split_tokens

# (compiled pattern on the lower-cased token, kind); first match wins, longest suffixes first
_PATRO = "patronymic"
_RUPATRO = "ru_patronymic"
_SURNAME = "surname"

_SUFFIXES = {
    "Cyrillic": [
        (r"(ұлы|улы|уулу|оғлы|оглы|ўғли|угли)$", _PATRO),
        (r"(қызы|кызы|кизи|қизи|гызы|қыз)$", _PATRO),
        (r"(ьевич|ьевна|ович|евич|ёвич|овна|евна|ёвна)$", _RUPATRO),
        (r"(ова|ева|ёва|ов|ев|ёв)$", _SURNAME),
    ],
    "Latin": [
        (r"(uly|ūly|ulı|uulu|ogly|oglu|ogli|oghli|oğlu|ugli|o['’ʻ]g['’ʻ]li)$", _PATRO),
        (r"(kyzy|qyzy|qızı|kızı|kizi|qizi|kyzi|qyzi|kizy|qizy|kazy|gyzy|kysy)$", _PATRO),
        (r"(yevich|ievich|ovich|evich|ovych|evych|yevna|ievna|ovna|evna)$", _RUPATRO),
        # -ov/-ev: the y of -yev and the i of -iev are the root's (Zhumabay-ev, Zhaksy-ev
        # Жақсыев, Ali-ev Әлиев), which -yev/-iev of their own cut off (Zhaks, Al; before
        # the seventh quality round of issue 4, and Aliev, with a root of two, kept whole)
        (r"(ova|eva|ov|ev)$", _SURNAME),
    ],
    "Arabic": [
        (r"(ئوغلى|ئوغلي|قىزى)$", _PATRO),
    ],
}
# matched on the lower-cased token without re.IGNORECASE, which would let "ulı" match "uli"
_SUFFIX_RE = {s: [(re.compile(p), k) for p, k in lst] for s, lst in _SUFFIXES.items()}
#: fewest letters left before a suffix for it to count (``Ов`` is no surname)
_MIN_ROOT = 3
#: the same for the Kazakh patronymic suffixes and the Russian-style feminine surname's
#: (-ұлы, -қызы, -ова, -uly, -kyzy, -ova ...: at least three letters): a patronymic or
#: surname is made from any father's name, and Kazakh has two-letter ones (Ер: Ерұлы,
#: Ерқызы, Ерова, ERKYZY), which :data:`_MIN_ROOT` left unsplit, so their father's key
#: never met the Chinese 叶尔 *er* or a bare ``Ер``. The short -ов/-ев/-ov/-ev, the
#: clipped -қыз and the Kyrgyz -уулу/-uulu (Aruulu, a typed Арусұлу) keep :data:`_MIN_ROOT`.
_MIN_ROOT_LONG = 2
_NOT_LONG = frozenset({"қыз", "уулу", "uulu"})


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a name.

    Attributes:
        text: the part as written (a separate patronymic word is joined: ``"Ербол қызы"``).
        role: ``"given"``, ``"father"`` (a patronymic or the second part of a Chinese
            form), ``"surname"``, ``"other"``.
        root: the part without its suffix (``"Талғат"`` for ``"Талғатұлы"``, ``"Жұмабай"``
            for ``"Жұмабаев"``), as written.
        suffix: the suffix removed (``"ұлы"``), "" if none.
        script: the part's script.
    """

    text: str
    role: str
    root: str
    suffix: str
    script: str


@dataclass(frozen=True, slots=True)
class PersonName:
    """A parsed name.

    Attributes:
        original: the input string.
        script: :func:`detect_script` of the whole name.
        parts: the :class:`Part` objects in written order.
        given: the given name as written, or None.
        father: the father's name root (from a patronymic, the second part of a Chinese
            form, or the root of a Russian-style surname), or None.
        surname: a surname (Russian-style, or an unmarked second part), or None.
        patronymic: the patronymic part as written (with suffix), or None.
        marked: True when the father's part is identified by a suffix or by the Chinese
            form, so the order of the parts does not matter.
        fused: True for a Chinese form without a separator (given and father's name in
            one run of characters).
        roles_from: what the roles rest on: ``"suffix"`` (a patronymic or Russian-style
            surname suffix names the father's part), ``"han"`` (the order of a Chinese
            form, given · father) or ``"position"`` (the order of an unmarked name, given
            first). Only a suffix says which part is the father's whatever the order;
            the other two are conventions that a writer may not have followed.
    """

    original: str
    script: str
    parts: tuple[Part, ...]
    given: str | None
    father: str | None
    surname: str | None
    patronymic: str | None = None
    marked: bool = False
    fused: bool = False
    roles_from: str = "position"
    # internal: forms used by keys() and similarity()
    given_forms: tuple = field(default=(), repr=False, compare=False)
    second_forms: tuple = field(default=(), repr=False, compare=False)
    surname_forms: tuple = field(default=(), repr=False, compare=False)


#: patronymic words written apart from the father's name (``Ербол қызы``, ``Marat Uly``):
#: every joined form of :data:`_SUFFIXES` but the clipped -қыз and the Russian ones, and the
#: press's -uli (its pinyin exceptions -guli/-buli cannot stand alone): until the seventh
#: quality round of issue 4 only some of them (kyzy, kizi, but not kyzi, qizy, uli), so
#: ``Marat Uli`` and ``Sultankhan Kizy Balay`` (father's name first) were read unmarked.
_SEPARATE_SUFFIX = {
    "ұлы", "улы", "уулу", "оғлы", "оглы", "ўғли", "угли", "қызы", "кызы", "кизи", "қизи", "гызы",
    "uly", "ūly", "ulı", "uli", "uulu", "ulu", "ogly", "oglu", "ogli", "oghli", "oğlu", "ugli",
    "kyzy", "qyzy", "qızı", "kızı", "kizi", "qizi", "kyzi", "qyzi", "kizy", "qizy", "kazy", "gyzy",
    "kysy", "ئوغلى", "قىزى",
}


def _strip(token: str, script: str) -> tuple[str, str, str]:
    """Return (root, suffix, kind) of a token; kind "" when no suffix applies."""
    low = token.lower()
    for rx, kind in _SUFFIX_RE.get(script, ()):
        m = rx.search(low)
        suf = m.group(1) if m else ""
        if m and len(token) - len(suf) >= (_MIN_ROOT_LONG if len(suf) >= 3 and suf not in _NOT_LONG
                                           else _MIN_ROOT):
            root = token[: m.start()]
            suf = m.group(1)
            if kind == _SURNAME:
                low = root.lower()
                # -баев from -бай: Жұмабаев -> Жұмабай, Nurbayev -> Nurbay
                if script == "Cyrillic" and low.endswith("ба") and suf.lower() in ("ев", "ева"):
                    root += "й" if root[-1].islower() else "Й"
                elif script == "Latin" and low.endswith("ba") and suf.lower() in ("ev", "eva", "yev", "yeva"):
                    root += "y" if root[-1].islower() else "Y"
            return root, suf, kind
    return token, "", ""


#: role class of a token's suffix kind for :func:`_roles`: a patronymic (Kazakh or
#: Russian), a Russian-style surname, or none
_KIND_CODE = {_PATRO: "P", _RUPATRO: "P", _SURNAME: "S", "": "."}


def _info(t: str, ts: str, root: str, suf: str, kind: str, forms: tuple) -> tuple:
    """The token info tuple: (text, script, root, suffix, kind, forms, code, fines).

    ``code`` is what :func:`_roles` needs of the token (Han or not, suffix class);
    ``fines`` the fine forms, all :mod:`kuager.names.keys` needs of the forms, but those
    for Chinese only (:attr:`normalize.Form.han_only`): a key of Рәһим without its h would
    be the shortest of Бахыт's too, and the linkage's canonical key (the shortest) of Бахыт
    and Бақыт would differ."""
    code = ("H" if ts == "Han" else "-") + _KIND_CODE[kind]
    return (t, ts, root, suf, kind, forms, code, tuple(f.fine for f in forms if not f.han_only))


@lru_cache(maxsize=200_000)
def _token_info(t: str) -> tuple:
    """(text, script, root, suffix, kind, forms, code, fines) of one token (:func:`_info`);
    cached per token, since name parts repeat far more than whole names."""
    ts = detect_script(t)
    if ts == "mixed":
        ts = normalize.token_script(t)
    if " " in t:  # a separate patronymic word joined to the name before it
        root, suf = t.split(" ", 1)
        kind = _PATRO
    elif ts == "Han":
        root, suf, kind = t, "", ""
    else:
        root, suf, kind = _strip(t, ts)
    forms = normalize.forms_of_root(normalize.stage1(root, ts) if ts != "Han" else "", ts, root)
    return _info(t, ts, root, suf, kind, forms)


#: pinyin endings in -uli of Chinese-form names (``data/han-turkic.csv``): 古丽 *guli*
#: (Gül: Ayiguli 阿依古丽) and 布力/不力/卜力 *buli* (-bul: Wubuli 吾布力, Abuli 阿不力)
_PINYIN_ULI = ("guli", "buli")


def _uli(token: str) -> bool:
    """True for a Latin word ending in -uli, the press spelling of -ұлы (Temirbekuli),
    with a root of at least :data:`_MIN_ROOT` letters, unless it is pinyin ending in one
    of :data:`_PINYIN_ULI`: in pinyin -uli ends many given names (Wubuli 吾布力, Ayiguli
    阿依古丽), never a patronymic. A word that reads as pinyin but ends otherwise
    (Serikuli se-ri-ku-li, Esenuli e-se-nu-li) is a Kazakh name with -ұлы: those
    endings are the Chinese-form names' -uli units of the transcription table."""
    low = token.lower()
    if not low.endswith("uli") or len(low) - 3 < _MIN_ROOT:
        return False
    if not low.endswith(_PINYIN_ULI):
        return True
    return not (low.isascii() and low.isalpha() and segment_pinyin(low) is not None)


@lru_cache(maxsize=50_000)
def _uli_info(t: str) -> tuple:
    """:func:`_token_info` of a word ending in -uli read as a patronymic."""
    root, suf = t[:-3], t[-3:]
    forms = normalize.forms_of_root(normalize.stage1(root, "Latin"), "Latin", root)
    return _info(t, "Latin", root, suf, _PATRO, forms)


#: -қызы as written (Cyrillic, and the Latin forms of :data:`_SUFFIXES`), for
#: :func:`_mistyped_kyzy`
_KYZY = {"Cyrillic": ("қызы", "кызы"),
         "Latin": ("kyzy", "qyzy", "kizi", "qizi", "kyzi", "qyzi", "kizy", "qizy")}


@lru_cache(maxsize=50_000)
def _mistyped_kyzy(token: str, script: str) -> int:
    """Letters of a mistyped -қызы ending ``token`` (0 if none): an ending of 3-5 letters one
    letter dropped, added, changed or two swapped (Damerau-Levenshtein 1) from a form of
    -қызы, that begins with its к/қ/k/q or still holds its з/z, after a root of at least
    :data:`_MIN_ROOT` letters; not on a word that reads as pinyin (Ayikezi 阿依克孜 is
    Айқыз). Only -қызы: a mistyped -ұлы (ұл, ulu, aly) is too near name endings (Айгүл,
    Aisulu, Nuraly)."""
    from rapidfuzz.distance import DamerauLevenshtein

    forms = _KYZY.get(script)
    if not forms:
        return 0
    low = token.lower()
    if script == "Latin" and low.isascii() and low.isalpha() and segment_pinyin(low) is not None:
        return 0
    found = []
    for cut in (5, 4, 3):
        end = low[-cut:]
        if len(low) - cut < _MIN_ROOT or end in forms or end == "қыз":
            continue
        if end[0] not in "кқkq" and "з" not in end and "z" not in end:
            continue
        if any(DamerauLevenshtein.distance(end, f) == 1 for f in forms):
            found.append(cut)
    # the suffix's own first letter where one reading keeps it (Akhmetbay-kzy, not
    # Akhmetba-ykzy), else the longest reading
    for cut in found:
        if low[-cut] in "кқkq":
            return cut
    return found[0] if found else 0


@lru_cache(maxsize=50_000)
def _cut_info(t: str, script: str, cut: int) -> tuple:
    """:func:`_token_info` of a word whose last ``cut`` letters are a mistyped patronymic."""
    root, suf = t[:-cut], t[-cut:]
    forms = normalize.forms_of_root(normalize.stage1(root, script), script, root)
    return _info(t, script, root, suf, _PATRO, forms)


@lru_cache(maxsize=4096)
def _roles(codes: tuple[str, ...]) -> tuple:
    """Roles of the tokens of a name from their codes (:func:`_info`).

    Returns ``(roles, marked, roles_from, gi, fi, si)``: the role of each token
    (``given``, ``father``, ``surname``, ``other``), :attr:`PersonName.marked`,
    :attr:`PersonName.roles_from`, and the index of the first given, father's and
    surname token (-1 when none). Depends on the codes only, so it is cached per
    pattern (``("-.", "-P")`` for a given name and a patronymic). The rules are those
    of :func:`parse`.
    """
    n = len(codes)
    roles = [""] * n
    roles_from = "position"
    marked = False
    han = [i for i, c in enumerate(codes) if c[0] == "H"]
    if han and len(han) == n:
        # Chinese form: given · father (· more)
        roles[0] = "given"
        if n > 1:
            roles[1] = "father"
            for k in range(2, n):
                roles[k] = "other"
            marked = True
            roles_from = "han"
    else:
        patro = [i for i, c in enumerate(codes) if c[1] == "P"]
        surn = [i for i, c in enumerate(codes) if c[1] == "S"]
        plain = [i for i, c in enumerate(codes) if c[1] == "."]
        if patro:
            roles[patro[0]] = "father"
            marked = True
            roles_from = "suffix"
        if surn:
            # a surname-looking word is a given name when nothing else could be one
            if not plain and not patro and len(surn) >= 1 and n > 1 and surn[0] == 0:
                plain = [0]
                surn = surn[1:]
            if surn:
                roles[surn[0]] = "surname"
                marked = True
                roles_from = "suffix"
        if plain:
            roles[plain[0]] = "given"
            rest = plain[1:]
            if rest and not patro and not surn:
                roles[rest[0]] = "surname"
                rest = rest[1:]
        for k in range(n):
            if not roles[k]:
                roles[k] = "other"
    gi = fi = si = -1
    for k, r in enumerate(roles):
        if r == "given" and gi < 0:
            gi = k
        elif r == "father" and fi < 0:
            fi = k
        elif r == "surname" and si < 0:
            si = k
    return tuple(roles), marked, roles_from, gi, fi, si


def _analyse(name: str) -> tuple:
    """Token infos (:func:`_info`), roles (:func:`_roles`) and ``fused`` of a name: the
    work :func:`parse` and :func:`kuager.names.keys.keys` share.

    Returns ``(infos, (roles, marked, roles_from, gi, fi, si), fused)``.
    """
    # join a separate patronymic word to the word before it
    toks: list[str] = []
    for t in split_tokens(name):
        if toks and t.lower() in _SEPARATE_SUFFIX:
            toks[-1] = toks[-1] + " " + t
        else:
            toks.append(t)
    infos = [_token_info(t) for t in toks]
    codes = [x[6] for x in infos]
    if len(infos) > 1 and "-P" not in codes and "HP" not in codes:
        # press spelling -uli of -ұлы: only on a word that is not pinyin (Wubuli, Ayiguli)
        for k, x in enumerate(infos):
            if x[1] == "Latin" and not x[4] and _uli(x[0]):
                infos[k] = _uli_info(x[0])
                codes[k] = infos[k][6]
                break
        else:
            # -қызы with one letter wrong (Esenhankyzii, Алтынқыры, Ахметбайтызы)
            for k, x in enumerate(infos):
                cut = _mistyped_kyzy(x[0], x[1]) if not x[4] else 0
                if cut:
                    infos[k] = _cut_info(x[0], x[1], cut)
                    codes[k] = infos[k][6]
                    break
    roles = _roles(tuple(codes))
    # one run of Chinese characters without a dot: given and father's name fused
    fused = len(infos) == 1 and codes[0][0] == "H" and not has_dot(name) and len(infos[0][0]) >= 4
    return infos, roles, fused


def key_view(name: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """What the keys of a name rest on, without building a :class:`PersonName`.

    Args:
        name: a name in any script.
    Returns:
        ``(fused, given_fines, second_fines)``: :attr:`PersonName.fused` and the fine
        forms of ``parse(name).given_forms`` and ``parse(name).second_forms`` (empty
        tuples when the name has no such part). Equal to what :func:`parse` gives,
        at a fraction of its cost (no parts, no script of the whole name).
    Raises:
        TypeError: ``name`` is not a str.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be str, not {type(name).__name__}")
    infos, (_, _, _, gi, fi, si), fused = _analyse(name)
    sk = fi if fi >= 0 else si
    return fused, (infos[gi][7] if gi >= 0 else ()), (infos[sk][7] if sk >= 0 else ())


@lru_cache(maxsize=100_000)
def _part(text: str, kind: str, role: str, root: str, suffix: str, script: str) -> Part:
    # Part objects shared by the names that contain the token in the same role (frozen)
    return Part(text, role, root, suffix, script)


@lru_cache(maxsize=200_000)
def parse(name: str) -> PersonName:
    """Parse a name in any script into parts with roles.

    Args:
        name: a personal name, e.g. ``"Асылбек Талғатұлы"``, ``"TALGATOV ASYLBEK"``,
            ``"阿斯力别克·塔力哈提"``, ``"ئابدۇللا روزى"``.
    Returns:
        a :class:`PersonName` (cached per string: do not mutate).
    Raises:
        TypeError: ``name`` is not a str.

    Rules (module docstring): patronymic suffixes mark the father's name in any position;
    a Russian-style surname first means surname-first order; a Chinese form is
    given · father; otherwise the first part is the given name and the second the
    father's name used as a surname.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be str, not {type(name).__name__}")
    script = detect_script(name)
    infos, (roles, marked, roles_from, gi, fi, si), fused = _analyse(name)
    parts = tuple(_part(x[0], x[4], roles[k], x[2], x[3], x[1]) for k, x in enumerate(infos))
    gpart = parts[gi] if gi >= 0 else None
    fpart = parts[fi] if fi >= 0 else None
    spart = parts[si] if si >= 0 else None
    given = gpart.text if gpart else None
    father = fpart.root if fpart else (spart.root if spart and spart.suffix else None)
    surname = spart.text if spart else None
    patronymic = fpart.text if fpart and fpart.suffix else None
    sk = fi if fi >= 0 else si
    return PersonName(
        original=name, script=script, parts=parts, given=given, father=father, surname=surname,
        patronymic=patronymic, marked=marked, fused=fused, roles_from=roles_from,
        given_forms=infos[gi][5] if gi >= 0 else (),
        second_forms=infos[sk][5] if sk >= 0 else (),
        surname_forms=infos[si][5] if (fi >= 0 and si >= 0) else (),
    )
