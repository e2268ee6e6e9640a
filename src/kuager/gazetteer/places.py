"""Places of origin in Xinjiang: any spelling to an administrative division code.

Families name a home county in whatever script and convention they use: 伊宁县,
Құлжа ауданы, Qulja County, Ghulja, غۇلجا ناھىيىسى. The Chinese names are not
transliterations of the Kazakh or Uyghur ones (伊宁 *Yining* / Құлжа *Qulja*), so
comparing transliterated text cannot tell that these are one place. This module
maps a spelling to the GB/T 2260 codes of the divisions it can name, from the
bundled table ``kuager/data/places/xuar.csv`` (its header states the sources: the
codes and Chinese names are the official ones; the Kazakh, Uyghur and English
forms were compiled by hand).

Matching, in order (the first step that finds something wins):

1. Chinese characters: the longest official or short Chinese name contained in
   the text (伊宁县 -> 伊宁县, not 伊宁市; 伊宁 alone -> both).
2. Other scripts: administrative words (county, ауданы, nahiyisi, 市 ...) are
   removed and remembered as a hint; the rest is compared with every form in the
   table: exactly (case and diacritics folded), then in a loose Latin form
   (:func:`_loose`: sh/ş, zh/j, ng/ñ, q/k ... merged), then by the name keys of
   :func:`kuager.names.keys` (so Kulja, Qulja, Kuldja and Құлжа meet); keys are
   coarse, so of the places they find only the closest by string similarity of
   the loose forms are kept, and only when that similarity is at least
   :data:`KEY_MATCH_FLOOR` (else an Australian suburb such as Kingaroy would be
   taken for a county of Ili).
3. When several divisions match and the administrative word says which kind
   (county, city, district, prefecture), only those of that kind are kept, if any.

A spelling that names several divisions returns all of them: Құлжа is both the
city of Yining (654002) and Yining County (654021). Callers that compare two
mentions should ask whether their codes *intersect*.

No Django import here. The records app's ``Place`` model can be filled from
:func:`places`; this module does not touch it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: The bundled table (inside the ``kuager`` package).
TABLE = ("data", "places", "xuar.csv")

#: Columns of the table holding spellings (``;``-separated).
FORM_COLUMNS = ("zh", "pinyin", "kk_cyrl", "kk_latn", "ug_arab", "ug_latn", "en")

# administrative words: (kind hinted, pattern). Kazakh, Uyghur (Latin and Arabic), Russian, English, pinyin.
_ADMIN_WORDS: list[tuple[str | None, str]] = [
    ("county", r"county|ауданы|аудан|район|rayon|audany|audan|nahiyisi|nahiye|nahiyesi|xian|ناھىيىسى|ناھىيە"),
    ("city", r"city|town|қаласы|қала|город|qalasy|qala|sheher|shehiri|شەھىرى|شەھەر|shi"),
    ("district", r"district|rayoni|رايونى|qu"),
    ("prefecture", r"prefecture|oblast|облысы|облыс|oblysy|wilayiti|wilayet|ۋىلايىتى|ئوبلاستى|oblasti|"
                   r"diqu|zhou|region"),
    (None, r"autonomous|avtonomiialy|автономиялы|aptonom|ئاپتونوم|kazakh|qazaq|қазақ|mongol|моңғол|hui|"
           r"kyrgyz|kirghiz|kirgiz|tajik|xibe|sibe|uyghur|uighur|of|the|in"),
]
_ADMIN = [(kind, re.compile(rf"^(?:{pat})$", re.IGNORECASE)) for kind, pat in _ADMIN_WORDS]
#: Smallest similarity (difflib ratio of the loose forms) of a place found by name keys alone.
KEY_MATCH_FLOOR = 0.8
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPLIT = re.compile(r"[\s,;/()\-–—·.]+")
# kind of a division from the end of its official Chinese name
_ZH_KIND = (("自治区", "region"), ("地区", "prefecture"), ("州", "prefecture"), ("县", "county"),
            ("市", "city"), ("区", "district"))


@dataclass(frozen=True)
class Place:
    """One administrative division of the table.

    Attributes:
        code: GB/T 2260 code, six digits (e.g. ``"654021"``).
        parent: code of the division above (``"650000"`` for a prefecture), ``""`` for the region.
        level: ``"region"``, ``"prefecture"`` or ``"county"`` (county level: counties,
            county-level cities, districts).
        kind: from the Chinese name: ``"region"``, ``"prefecture"``, ``"county"``, ``"city"``
            or ``"district"``.
        zh: the official Chinese name (伊宁县).
        forms: every spelling in the table, by column (:data:`FORM_COLUMNS`).
    """

    code: str
    parent: str
    level: str
    kind: str
    zh: str
    forms: dict[str, tuple[str, ...]]

    @property
    def prefecture(self) -> str | None:
        """Code of the prefecture-level division holding this one (itself for a prefecture);
        None for the region and for the cities directly under it."""
        if self.level == "prefecture":
            return self.code
        if self.level == "county" and self.parent != "650000":
            return self.parent
        return None


def _fold(text: str) -> str:
    """Lower case, diacritics removed, apostrophes dropped (for exact comparison of forms)."""
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", t).replace("'", "").replace("’", "").replace("ʼ", "").strip()


@lru_cache(maxsize=1)
def places() -> dict[str, Place]:
    """Every division of the bundled table, by code.

    Returns:
        ``{code: Place}`` (the region, 14 prefecture-level divisions and the county-level ones).
    Raises:
        FileNotFoundError: the table is missing from the installed package.
    """
    text = resources.files("kuager").joinpath(*TABLE).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
    out: dict[str, Place] = {}
    for row in rows:
        forms = {c: tuple(x.strip() for x in (row.get(c) or "").split(";") if x.strip()) for c in FORM_COLUMNS}
        zh = forms["zh"][0]
        kind = next(k for end, k in _ZH_KIND if zh.endswith(end))
        out[row["code"]] = Place(row["code"], row["parent"], row["level"], kind, zh, forms)
    return out


_DIGRAPHS = (("shch", "s"), ("sh", "s"), ("ch", "c"), ("zh", "z"), ("kh", "h"), ("gh", "g"), ("ng", "n"),
             ("q", "k"), ("x", "h"), ("j", "z"), ("w", "u"), ("v", "u"), ("y", "i"), ("ı", "i"), ("ë", "e"))


@lru_cache(maxsize=50_000)
def _loose(text: str) -> str:
    """A loose Latin form for comparing spellings across conventions.

    The text is put in Latin by :func:`kuager.names.transliterate` (``to="latin"``),
    folded (:func:`_fold`), then common digraphs and letter variants of Kazakh and
    Uyghur romanisation are merged (sh/ş -> s, zh/j -> z, ng/ñ -> n, q -> k, ...) and
    doubled letters reduced: Shinggil, Şıñgıl and Шіңгіл all give ``singil``.
    """
    from kuager import names

    try:
        latin = names.transliterate(text, to="latin")
    except Exception:  # noqa: BLE001 - a script the names module does not read: use the text
        latin = text
    t = _fold(latin.replace("ñ", "ng").replace("Ñ", "NG"))
    for a, b in _DIGRAPHS:
        t = t.replace(a, b)
    t = re.sub(r"[^a-z ]", "", t)
    return re.sub(r"(.)\1+", r"\1", t).strip()


def _key_values(text: str) -> frozenset[str]:
    """The values of :func:`kuager.names.keys` of ``text`` without their kind prefix."""
    from kuager import names

    out = set()
    for k in names.keys(text):
        _, _, value = k.partition(":")
        out.update(v for v in value.split("|") if v)
    return frozenset(out)


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """(Chinese form -> codes, folded form -> codes, loose form -> codes, name key -> codes)."""
    zh: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    keyed: dict[str, set[str]] = {}
    for code, p in places().items():
        for f in p.forms["zh"]:
            zh.setdefault(f, set()).add(code)
        for col in FORM_COLUMNS[1:]:
            for f in p.forms[col]:
                core, _ = _strip_admin(f)
                if not core:
                    continue
                exact.setdefault(_fold(core), set()).add(code)
                loose.setdefault(_loose(core), set()).add(code)
                for k in _key_values(core):
                    keyed.setdefault(k, set()).add(code)
    return zh, exact, loose, keyed


def _closest(core: str, codes: set[str], loose: dict[str, set[str]], margin: float = 0.05,
             floor: float = 0.0) -> set[str]:
    """The codes among ``codes`` whose loose forms are most like ``core``'s: within ``margin``
    of the best ratio of :class:`difflib.SequenceMatcher`, and at least ``floor``."""
    from difflib import SequenceMatcher

    mine = _loose(core)
    best: dict[str, float] = {}
    for form, cs in loose.items():
        for c in cs & codes:
            r = SequenceMatcher(None, mine, form).ratio()
            best[c] = max(best.get(c, 0.0), r)
    if not best:
        return set()
    top = max(best.values())
    return {c for c, r in best.items() if r >= max(top - margin, floor)}


def _strip_admin(text: str) -> tuple[str, set[str]]:
    """The text without administrative words, and the kinds those words hint at."""
    words, hints = [], set()
    for w in _SPLIT.split(text.strip()):
        if not w:
            continue
        kind = next((k for k, pat in _ADMIN if pat.match(w)), "keep")
        if kind == "keep":
            words.append(w)
        elif kind:
            hints.add(kind)
    return " ".join(words), hints


def _prefer(codes: set[str], hints: set[str]) -> set[str]:
    """Keep the codes whose kind (or level) the administrative words name, if any are left."""
    if not hints or len(codes) < 2:
        return codes
    table = places()
    kept = {c for c in codes if table[c].kind in hints or (table[c].level == "prefecture" and "prefecture" in hints)}
    return kept or codes


@lru_cache(maxsize=50_000)
def lookup(text: str) -> tuple[Place, ...]:
    """The divisions a spelling of a place can name.

    Args:
        text: a place as written (any script; administrative words allowed), e.g.
            ``"伊宁县"``, ``"Құлжа ауданы"``, ``"Qulja County"``, ``"Ghulja"``.
    Returns:
        the matching :class:`Place` objects sorted by code; empty when the text names
        no division of the table (or is empty). Several when the spelling is shared
        (Құлжа: the city 654002 and the county 654021).
    """
    text = (text or "").strip()
    if not text:
        return ()
    zh_index, exact, loose, keyed = _index()
    table = places()
    codes: set[str] = set()
    if _HAN.search(text):
        found = [f for f in zh_index if f in text and len(f) >= 2]
        if found:
            longest = max(len(f) for f in found)
            # the most specific division named: a county beats the prefecture written before it
            best = [f for f in found if len(f) == longest]
            codes = set().union(*(zh_index[f] for f in best))
            # ... but only a county written apart from it: 乌鲁木齐 inside 乌鲁木齐市 is the city's own name
            apart = [f for f in found if not any(f in b for b in best)]
            counties = {c for f in apart for c in zh_index[f] if table[c].level == "county"}
            longest_county = max((len(f) for f in apart if zh_index[f] & counties), default=0)
            if counties and longest_county >= 2 and not any(table[c].level == "county" for c in codes):
                codes = set().union(*(zh_index[f] & counties for f in apart if len(f) == longest_county))
            hints = {k for end, k in _ZH_KIND if text.endswith(end)}
            return tuple(table[c] for c in sorted(_prefer(codes, hints)))
    core, hints = _strip_admin(text)
    if not core:
        return ()
    codes = set(exact.get(_fold(core), ())) or set(loose.get(_loose(core), ()))
    if not codes:
        for k in _key_values(core):
            codes |= keyed.get(k, set())
        # name keys are coarse (consonant skeletons): unrelated places share some, and many
        # names elsewhere (Australian suburbs: woollahra, kingaroy) have the key of a county
        codes = _closest(core, codes, loose, floor=KEY_MATCH_FLOOR) if codes else codes
    return tuple(table[c] for c in sorted(_prefer(codes, hints)))


def place_codes(text: str, *, with_region: bool = False) -> tuple[str, ...]:
    """Codes of :func:`lookup` (sorted); the region itself (650000, "Xinjiang") is left out
    unless ``with_region``, since it tells nothing about where in Xinjiang."""
    return tuple(p.code for p in lookup(text) if with_region or p.level != "region")


def prefectures(codes) -> tuple[str, ...]:
    """Prefecture-level codes holding the given division codes (sorted, without repeats).

    Args:
        codes: division codes (e.g. from :func:`place_codes`); unknown codes are ignored.
    Returns:
        e.g. ``("654000",)`` for ``["654021"]``; cities directly under the region
        (Shihezi ...) and the region have none.
    """
    table = places()
    return tuple(sorted({table[c].prefecture for c in codes if c in table and table[c].prefecture}))


def within(text: str, query: str) -> bool:
    """Whether the place written ``text`` can lie in a division that ``query`` names (for search filters).

    Args:
        text: a place as recorded (any script), e.g. ``"Құлжа ауданы"``.
        query: what a reader typed, e.g. ``"Ghulja"``, ``"伊犁"``, ``"Ili"``.
    Returns:
        True when their codes (:func:`place_codes`) intersect, or when ``text`` names a division
        inside a prefecture ``query`` names (Құлжа ауданы lies in Ili, 654000). A text naming only
        the prefecture is not taken to lie in one of its counties. False when either names no
        division of the table (callers keep plain text matching for those).
    """
    asked = set(place_codes(query))
    if not asked:
        return False
    codes = place_codes(text)
    return bool(asked.intersection(codes) or asked.intersection(prefectures(codes)))
