"""Synthetic victims and the mentions sources make of them, with the true clusters.

Everything here is **synthetic**: the people are invented. Files written by
:func:`write` carry ``synthetic`` in their name and a ``synthetic`` column.

The generator does *not* use :mod:`kuager.names` (that would make any benchmark
of the names module circular). It has its own lexicon and rules:

- **Lexicon.** Kazakh given names are built from hand-written stems and endings
  (``Асыл`` + ``бек`` = ``Асылбек``), each with its Kazakh Cyrillic form and its
  Chinese-character form by the Xinjiang transcription convention used on identity
  cards (阿斯力 + 别克 = 阿斯力别克); Kazakh women's names and Uyghur names are whole
  hand-written entries. Names are invented-but-realistic; none is a real case.
- **Scripts.** Every other form is derived from the Cyrillic by letter tables
  (below, documented in ``docs/linkage.md``): Kazakh 2021 Latin; passport Latin
  (Russian-style practice, upper case); "press" Latin (English-language media, with
  random choice between common variants such as ``zh``/``j``, ``k``/``q``); Uyghur
  Latin (ULY); Uyghur Arabic script (with the hamza carrier ئ before an initial
  vowel). Pinyin is the toneless reading of the Chinese form by :mod:`pypinyin`.
- **Name shapes.** Kazakh: given + patronymic (``-ұлы``/``-қызы``, joined or
  separate), Russian-style surname from the father's name (``-ов``/``-ова``), or
  the bare father's name; Chinese forms are ``given·father``. Uyghur: given +
  father.
- **Noise knobs** (:class:`Knobs`): mentions per victim, script mix, typos,
  missing fields, conflicting birth years, name-order swaps, families (siblings
  sharing the father's name, father/child where the child's father's name is the
  father's given name).

No Django import here.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kuager.linkage import chinese_id

# --------------------------------------------------------------------------- lexicon

#: Kazakh men's name stems: (Cyrillic, Chinese characters).
KAZAKH_MALE_STEMS: list[tuple[str, str]] = [
    ("Асыл", "阿斯力"), ("Нұр", "努尔"), ("Ер", "叶尔"), ("Сұлтан", "苏力坦"), ("Қанат", "哈纳提"),
    ("Бауыр", "巴吾尔"), ("Серік", "赛力克"), ("Дәулет", "达吾列提"), ("Бақыт", "巴合提"),
    ("Талғат", "塔力哈提"), ("Мұрат", "木拉提"), ("Қайрат", "海拉提"), ("Арман", "阿尔曼"),
    ("Жанат", "加纳提"), ("Болат", "波拉提"), ("Қуаныш", "夸尼西"), ("Ғабит", "哈比提"),
    ("Алтын", "阿勒腾"), ("Темір", "铁木尔"), ("Аман", "阿曼"), ("Самат", "萨马提"),
    ("Марат", "马拉提"), ("Ораз", "沃拉孜"), ("Қасым", "哈斯木"), ("Жақсы", "加克斯"),
    ("Сәбит", "沙比提"), ("Ілияс", "伊力亚斯"), ("Ахмет", "阿合买提"), ("Құрман", "库尔曼"),
    ("Омар", "奥马尔"), ("Есен", "叶森"), ("Ақыл", "阿克力"), ("Бейбіт", "拜比提"),
    ("Дархан", "达尔汗"), ("Ерлан", "叶尔兰"), ("Әсет", "阿赛提"), ("Қабыл", "哈比力"),
    ("Мейрам", "麦拉木"),
]
#: Endings of Kazakh men's names: (Cyrillic, Chinese); the empty ending leaves the stem.
KAZAKH_MALE_ENDINGS: list[tuple[str, str]] = [
    ("", ""), ("бек", "别克"), ("бол", "波力"), ("хан", "汗"), ("жан", "江"), ("бай", "拜"),
]
#: Kazakh women's names, whole.
KAZAKH_FEMALE_NAMES: list[tuple[str, str]] = [
    ("Динара", "迪娜拉"), ("Мадина", "玛迪娜"), ("Жұлдыз", "居尔德孜"), ("Гүлнар", "古丽娜尔"),
    ("Сәуле", "沙吾列"), ("Назым", "娜孜木"), ("Ботагөз", "波塔古孜"), ("Раушан", "拉吾山"),
    ("Зәуре", "扎吾热"), ("Ләззат", "拉扎提"), ("Қарлығаш", "卡尔勒哈西"), ("Меруерт", "麦茹叶尔特"),
    ("Алма", "阿力玛"), ("Мөлдір", "木勒德尔"), ("Әсел", "阿谢丽"), ("Шолпан", "肖勒潘"),
    ("Гүлмира", "古丽米拉"), ("Баян", "巴燕"), ("Күләш", "库拉西"), ("Салтанат", "萨力塔纳提"),
]
#: Heads and tails of compound Kazakh women's names (Ай + гүл = Айгүл, 阿依 + 古丽 = 阿依古丽).
KAZAKH_FEMALE_HEADS: list[tuple[str, str]] = [
    ("Ай", "阿依"), ("Гүл", "古丽"), ("Нұр", "努尔"), ("Ақ", "阿克"), ("Бал", "巴丽"), ("Жан", "加娜"),
    ("Сая", "萨亚"), ("Дана", "达娜"), ("Ару", "阿茹"), ("Шолпан", "肖勒潘"), ("Сәуле", "沙吾列"),
    ("Әсел", "阿谢丽"), ("Маржан", "玛尔江"), ("Жібек", "吉别克"),
]
KAZAKH_FEMALE_TAILS: list[tuple[str, str]] = [
    ("гүл", "古丽"), ("нұр", "努尔"), ("жан", "江"), ("ай", "阿依"), ("сұлу", "苏鲁"),
]
#: Uyghur men's and women's names (Uyghur Cyrillic, Chinese).
UYGHUR_MALE_NAMES: list[tuple[str, str]] = [
    ("Абдурехим", "阿不都热依木"), ("Мәмәт", "买买提"), ("Турсун", "吐尔逊"), ("Абләт", "阿不来提"),
    ("Нурмәмәт", "努尔买买提"), ("Әхмәт", "艾合买提"), ("Әркин", "艾尔肯"), ("Илһам", "伊力哈木"),
    ("Рәһим", "热依木"), ("Қурбан", "库尔班"), ("Абдулла", "阿不都拉"), ("Сабир", "沙比尔"),
    ("Өмәр", "吾买尔"), ("Ғопур", "吾甫尔"), ("Ясин", "亚森"), ("Тохти", "托合提"),
    ("Барат", "巴拉提"), ("Әхәт", "艾海提"), ("Мәмтимин", "买买提明"), ("Абдукерим", "阿不都克里木"),
    ("Нуръәт", "努尔艾提"), ("Шөһрәт", "肖开提"), ("Ташпулат", "塔西甫拉提"), ("Қасим", "哈斯木"),
    ("Абдурешит", "阿不都热西提"), ("Абдушүкүр", "阿不都许库尔"), ("Абдуқадир", "阿不都卡德尔"),
    ("Абдусаттар", "阿不都沙塔尔"), ("Абдувәли", "阿不都外力"), ("Абдурехман", "阿不都热合曼"),
    ("Абдужелил", "阿不都吉力力"), ("Абдуһамит", "阿不都哈米提"), ("Абдусәмәт", "阿不都赛买提"),
    ("Абдулетип", "阿不都力提甫"), ("Мәмәтимин", "买买提依明"), ("Мәмәтжан", "买买提江"),
    ("Мәмәтәли", "买买提艾力"), ("Турсунжан", "吐尔逊江"), ("Тургун", "吐尔洪"), ("Ясинжан", "亚森江"),
    ("Ибраһим", "依不拉音"), ("Исмаил", "依斯马依力"), ("Юсүп", "玉素甫"), ("Яқуп", "亚库甫"),
    ("Муса", "木沙"), ("Әли", "艾力"), ("Әлижан", "艾力江"), ("Һезим", "艾则孜"), ("Нурәли", "努尔艾力"),
    ("Полат", "帕拉提"), ("Қәйсәр", "凯撒尔"), ("Мухтәр", "木合塔尔"), ("Әхмәтжан", "艾合买提江"),
    ("Ғәйрәт", "艾热提"),
]
UYGHUR_FEMALE_NAMES: list[tuple[str, str]] = [
    ("Гүлниса", "古丽尼沙"), ("Мәрийәм", "麦日耶姆"), ("Айгүл", "阿依古丽"), ("Зөһрә", "祖赫拉"),
    ("Рәйһангүл", "热依汗古丽"), ("Патигүл", "帕提古丽"), ("Мунирә", "木尼热"), ("Нурниса", "努尔尼沙"),
    ("Зулпийә", "祖力皮亚"), ("Гүлбаһар", "古丽巴哈尔"), ("Салиһә", "沙力海"), ("Аминә", "阿米娜"),
    ("Һәлчәм", "海力倩木"), ("Муһәббәт", "木海拜提"), ("Сәнәм", "赛乃姆"), ("Ханзөһрә", "汗祖赫拉"),
    ("Гүлзирә", "古再丽"), ("Гүлмира", "古丽米拉"), ("Гүлшән", "古丽仙"), ("Гүлчеһрә", "古丽切赫拉"),
    ("Айнур", "阿依努尔"), ("Айниса", "阿依尼沙"), ("Аййүшәм", "阿依夏木"), ("Рәйһан", "热依汗"),
    ("Мәһирә", "麦合热"), ("Мәрһаба", "麦尔哈巴"), ("Нурсимангүл", "努尔斯曼古丽"), ("Пәридә", "帕丽达"),
    ("Сүмәйә", "苏曼耶"), ("Тажигүл", "塔吉古丽"), ("Хатичә", "哈提恰"), ("Хәлимә", "哈丽玛"),
    ("Шәмшинур", "夏木西努尔"), ("Зәйнәп", "再乃甫"), ("Буһәлчәм", "布海力倩木"), ("Раһилә", "热依拉"),
]

#: Places of origin: (Kazakh Cyrillic, Chinese with its administrative suffix, GB/T 2260 code).
PLACES: list[tuple[str, str, str]] = [
    ("Құлжа", "伊宁县", "654021"), ("Қорғас", "霍城县", "654023"), ("Тоққызтарау", "巩留县", "654024"),
    ("Күнес", "新源县", "654025"), ("Моңғолкүре", "昭苏县", "654026"), ("Текес", "特克斯县", "654027"),
    ("Нылқы", "尼勒克县", "654028"), ("Шәуешек", "塔城市", "654201"), ("Дөрбілжін", "额敏县", "654221"),
    ("Толы", "托里县", "654224"), ("Алтай", "阿勒泰市", "654301"), ("Буыршын", "布尔津县", "654321"),
    ("Көктоғай", "富蕴县", "654322"), ("Бурылтоғай", "福海县", "654323"), ("Қаба", "哈巴河县", "654324"),
    ("Шіңгіл", "青河县", "654325"), ("Жеменей", "吉木乃县", "654326"), ("Мори", "木垒县", "652328"),
]

SOURCES = ["testimony", "shahit-like-list", "leaked-register", "media", "petition"]

# --------------------------------------------------------------------------- letter tables
# Lower-case Kazakh/Uyghur Cyrillic letter -> form. A tuple lists variants chosen at random.

LATIN_2021 = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ñ",
    "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū", "ү": "ü",
    "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y",
    "і": "ı", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}
PASSPORT = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l", "м": "m", "н": "n", "ң": "n",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "u",
    "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
    "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
PRESS = dict(PASSPORT, **{
    "ә": ("a", "ä", "e"), "ғ": ("g", "gh"), "ж": ("zh", "j"), "й": ("y", "i"), "қ": ("k", "q"),
    "ң": ("ng", "n"), "ө": ("o", "ö"), "ү": ("u", "ü"), "х": ("kh", "h"), "ы": ("y", "i"),
    "у": ("u", "w"), "ш": ("sh",),
})
ULY = {
    "а": "a", "ә": "e", "б": "b", "в": "w", "г": "g", "ғ": "gh", "д": "d", "е": "ë", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u", "ү": "ü",
    "ф": "f", "х": "x", "һ": "h", "ц": "s", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "'", "ы": "i",
    "і": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
UYGHUR_ARABIC = {
    "а": "ا", "ә": "ە", "б": "ب", "в": "ۋ", "г": "گ", "ғ": "غ", "д": "د", "е": "ې", "ж": "ج",
    "з": "ز", "и": "ى", "й": "ي", "к": "ك", "қ": "ق", "л": "ل", "м": "م", "н": "ن", "ң": "ڭ",
    "о": "و", "ө": "ۆ", "п": "پ", "р": "ر", "с": "س", "т": "ت", "у": "ۇ", "ұ": "ۇ", "ү": "ۈ",
    "ф": "ف", "х": "خ", "һ": "ھ", "ц": "س", "ч": "چ", "ш": "ش", "щ": "ش", "ъ": "ئ", "ы": "ى",
    "і": "ى", "ь": "", "э": "ە", "ю": "يۇ", "я": "يا",
}
_VOWELS = set("аәеиоөуұүыіэюя")
SCRIPTS = ("cyrillic", "latin2021", "passport", "press", "chinese", "pinyin", "arabic", "uly")


def _table(text: str, table: dict, rng: random.Random | None = None) -> str:
    out = []
    for word in text.split(" "):
        parts = []
        for ch in word:
            low = ch.lower()
            form = table.get(low, ch)
            if isinstance(form, tuple):
                form = rng.choice(form) if rng else form[0]
            parts.append(form)
        w = "".join(parts)
        out.append(w[:1].upper() + w[1:] if w else w)
    return " ".join(out)


def to_latin2021(cyr: str) -> str:
    """Kazakh Cyrillic -> Kazakh 2021 Latin (letter table above); ``Асылбек`` -> ``Asylbek``."""
    return _table(cyr, LATIN_2021)


def to_passport(cyr: str) -> str:
    """Kazakh Cyrillic -> passport practice Latin, upper case; ``Жұлдыз`` -> ``ZHULDYZ``.

    An initial ``Е`` is written ``YE`` as on many passports.
    """
    words = []
    for w in cyr.split(" "):
        t = _table(w, PASSPORT)
        if w[:1].lower() == "е":
            t = "Y" + t
        words.append(t)
    return " ".join(words).upper()


def to_press(cyr: str, rng: random.Random) -> str:
    """Kazakh Cyrillic -> English-language press Latin with random common variants."""
    return _table(cyr, PRESS, rng)


def to_uly(cyr: str) -> str:
    """Cyrillic -> Uyghur Latin (ULY) by the letter table above."""
    return _table(cyr, ULY)


def to_arabic(cyr: str) -> str:
    """Cyrillic -> Uyghur Arabic script; a word-initial vowel takes the carrier ئ."""
    words = []
    for w in cyr.split(" "):
        t = "".join(UYGHUR_ARABIC.get(ch.lower(), ch) for ch in w)
        if w[:1].lower() in _VOWELS:
            t = "ئ" + t
        words.append(t)
    return " ".join(words)


@lru_cache(maxsize=None)
def to_pinyin(zh: str) -> str:
    """Chinese characters -> toneless pinyin of the whole name part, capitalised (pypinyin)."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(zh)).capitalize()


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class GivenName:
    """A given name in its two base forms: Cyrillic and Chinese characters."""

    cyr: str
    zh: str


def lexicon() -> dict[tuple[str, str], list[GivenName]]:
    """Return the given names by (ethnicity, sex), e.g. ``("Kazakh", "male")``.

    Returns:
        dict with keys for Kazakh and Uyghur, male and female; lists without repeats.
    """
    kaz_m = [GivenName(s + e.lower() if e else s, sz + ez) for s, sz in KAZAKH_MALE_STEMS
             for e, ez in KAZAKH_MALE_ENDINGS]
    kaz_f = [GivenName(c, z) for c, z in KAZAKH_FEMALE_NAMES]
    kaz_f += [GivenName(h + t, hz + tz) for h, hz in KAZAKH_FEMALE_HEADS for t, tz in KAZAKH_FEMALE_TAILS
              if h.lower() != t]

    def dedupe(names: list[GivenName]) -> list[GivenName]:
        seen: dict[str, GivenName] = {}
        for n in names:
            seen.setdefault(n.cyr, n)
        return list(seen.values())

    return {
        ("Kazakh", "male"): dedupe(kaz_m),
        ("Kazakh", "female"): dedupe(kaz_f),
        ("Uyghur", "male"): [GivenName(c, z) for c, z in UYGHUR_MALE_NAMES],
        ("Uyghur", "female"): [GivenName(c, z) for c, z in UYGHUR_FEMALE_NAMES],
    }


@dataclass
class Victim:
    """One invented person: the truth behind a cluster of mentions."""

    victim_id: str
    sex: str
    ethnicity: str
    given: GivenName
    father: GivenName
    birth: dt.date
    place: tuple[str, str, str]
    chinese_id: str
    family: str = ""


@dataclass
class Knobs:
    """What the generator varies. Rates are probabilities in [0, 1].

    Attributes:
        mentions_per_victim: mean mentions of each victim (1 + Poisson(mean - 1), at most 12).
        script_mix: weight of each script in :data:`SCRIPTS` for a spelling.
        typo_rate: chance that a non-Chinese spelling gets one character edit.
        missing_rate: chance that each optional field is left empty.
        conflict_rate: chance that a mention's birth year is off by 1 to 3 years.
        swap_rate: chance that a spelling puts the father's name first.
        family_rate: chance that a victim brings a sibling or a child who is also a victim.
        uyghur_share: share of Uyghur victims (the rest are Kazakh).
        id_rate: chance that a mention carries the Chinese ID number.
        extra_spelling_rate: chance of a second (and again, third) spelling in ``names``.
    """

    mentions_per_victim: float = 3.0
    script_mix: dict[str, float] = field(default_factory=lambda: {
        "cyrillic": 0.25, "latin2021": 0.05, "passport": 0.15, "press": 0.2,
        "chinese": 0.15, "pinyin": 0.1, "arabic": 0.05, "uly": 0.05})
    typo_rate: float = 0.1
    missing_rate: float = 0.3
    conflict_rate: float = 0.1
    swap_rate: float = 0.05
    family_rate: float = 0.15
    uyghur_share: float = 0.2
    id_rate: float = 0.1
    extra_spelling_rate: float = 0.25


COLUMNS = ["record_id", "source", "names", "sex", "birth_year", "birth_date", "age", "age_as_of",
           "ethnicity", "hometown", "father_name", "chinese_id", "synthetic"]


class Generator:
    """Draws victims and mentions reproducibly from a seed.

    Args:
        knobs: the :class:`Knobs`.
        seed: random seed; the same seed and knobs give the same rows.
    """

    def __init__(self, knobs: Knobs | None = None, seed: int = 0) -> None:
        self.k = knobs or Knobs()
        self.rng = random.Random(seed)
        self.names = lexicon()
        self._n = 0
        scripts = [s for s in SCRIPTS if self.k.script_mix.get(s, 0) > 0]
        if not scripts:
            raise ValueError("script_mix gives no script a positive weight")
        self._scripts = scripts
        self._weights = [self.k.script_mix[s] for s in scripts]

    # ---- victims
    def _victim(self, **fixed) -> Victim:
        r = self.rng
        self._n += 1
        eth = fixed.get("ethnicity") or ("Uyghur" if r.random() < self.k.uyghur_share else "Kazakh")
        sex = fixed.get("sex") or r.choice(("male", "female"))
        given = r.choice(self.names[(eth, sex)])
        father = fixed.get("father") or r.choice(self.names[(eth, "male")])
        year = fixed.get("year") or r.randint(1940, 2000)
        birth = dt.date(year, r.randint(1, 12), r.randint(1, 28))
        place = fixed.get("place") or r.choice(PLACES)
        cid = chinese_id.make(place[2], birth, r.randint(0, 99), sex)
        return Victim(f"V{self._n:07d}", sex, eth, given, father, birth, place, cid, fixed.get("family", ""))

    def victims(self) -> Iterator[Victim]:
        """Yield victims forever; relatives follow the victim they belong to."""
        r = self.rng
        while True:
            v = self._victim()
            yield v
            if r.random() < self.k.family_rate:
                fam = f"F{v.victim_id[1:]}"
                v.family = fam
                if v.sex == "male" and r.random() < 0.5:  # a child: father's name = v's given name
                    yield self._victim(ethnicity=v.ethnicity, father=v.given, place=v.place, family=fam,
                                       year=min(2005, v.birth.year + r.randint(20, 35)))
                else:  # a sibling: same father, different given name (drawn again if equal)
                    sib = self._victim(ethnicity=v.ethnicity, father=v.father, place=v.place, family=fam,
                                       year=max(1930, v.birth.year + r.choice((-1, 1)) * r.randint(1, 10)))
                    while sib.given == v.given:
                        sib.given = r.choice(self.names[(sib.ethnicity, sib.sex)])
                    yield sib

    # ---- spellings
    def spell(self, v: Victim, script: str, swap: bool = False) -> str:
        """One spelling of ``v``'s full name in ``script`` (one of :data:`SCRIPTS`)."""
        r = self.rng
        g, f = v.given, v.father
        if script == "chinese":
            return f"{f.zh}·{g.zh}" if swap else f"{g.zh}·{f.zh}"
        if script == "pinyin":
            parts = [to_pinyin(g.zh), to_pinyin(f.zh)]
        elif script in ("arabic", "uly"):
            conv = to_arabic if script == "arabic" else to_uly
            parts = [conv(g.cyr), conv(f.cyr)]
        else:
            second = self._patronymic(v)
            parts = [g.cyr, second]
            if script == "latin2021":
                parts = [to_latin2021(p) for p in parts]
            elif script == "passport":
                parts = [to_passport(p) for p in parts]
            elif script == "press":
                parts = [to_press(p, r) for p in parts]
        if swap:
            parts.reverse()
        text = " ".join(parts)
        if r.random() < self.k.typo_rate:
            text = self._typo(text)
        return text

    def _patronymic(self, v: Victim) -> str:
        r = self.rng
        f = v.father.cyr
        roll = r.random()
        if v.ethnicity == "Uyghur":
            return self._russian(f, v.sex) if roll < 0.25 else f
        if roll < 0.55:
            return f + ("ұлы" if v.sex == "male" else "қызы")
        if roll < 0.6:
            return f + (" ұлы" if v.sex == "male" else " қызы")
        if roll < 0.85:
            return self._russian(f, v.sex)
        return f

    @staticmethod
    def _russian(f: str, sex: str) -> str:
        end = "а" if sex == "female" else ""
        if f.endswith("й"):
            return f[:-1] + "ев" + end
        if f[-1].lower() in _VOWELS:
            return f + "ев" + end
        return f + "ов" + end

    def _typo(self, text: str) -> str:
        r = self.rng
        idx = [i for i, ch in enumerate(text) if ch.isalpha()]
        if len(idx) < 4:
            return text
        i = r.choice(idx[1:])
        op = r.random()
        alphabet = [ch for ch in text if ch.isalpha()]
        if op < 0.3:
            return text[:i] + text[i + 1:]
        if op < 0.6:
            return text[:i] + r.choice(alphabet).lower() + text[i + 1:]
        if op < 0.8:
            return text[:i] + text[i].lower() + text[i:]
        j = i - 1 if text[i - 1].isalpha() else i
        return text[:j] + text[j + 1] + text[j] + text[j + 2:] if j + 1 < len(text) else text

    def _place(self, v: Victim) -> str:
        r = self.rng
        cyr, zh, _ = v.place
        roll = r.random()
        if roll < 0.3:
            return zh
        if roll < 0.55:
            return cyr + r.choice(("", " ауданы"))
        if roll < 0.9:
            return to_press(cyr, r) + r.choice(("", " County"))
        return to_uly(cyr)

    def _given_alone(self, g: GivenName, script: str) -> str:
        if script == "chinese":
            return g.zh
        if script == "pinyin":
            return to_pinyin(g.zh)
        return {"cyrillic": lambda c: c, "latin2021": to_latin2021, "passport": to_passport,
                "press": lambda c: to_press(c, self.rng), "arabic": to_arabic, "uly": to_uly}[script](g.cyr)

    # ---- mentions
    def mentions(self, v: Victim) -> list[dict[str, str]]:
        """The mentions of one victim (at least one): rows with :data:`COLUMNS` except record_id."""
        r, k = self.rng, self.k
        n = 1
        lam = max(0.0, k.mentions_per_victim - 1)
        # Poisson by inversion (Knuth), small means only
        if lam > 0:
            import math

            limit, p, extra = math.exp(-lam), 1.0, -1
            while p > limit:
                extra += 1
                p *= r.random()
            n += extra
        rows = []
        for _ in range(min(n, 12)):
            rows.append(self._mention(v))
        return rows

    def _missing(self) -> bool:
        return self.rng.random() < self.k.missing_rate

    def _mention(self, v: Victim) -> dict[str, str]:
        r, k = self.rng, self.k
        n_sp = 1
        while n_sp < 3 and r.random() < k.extra_spelling_rate:
            n_sp += 1
        scripts = []
        while len(scripts) < n_sp:
            s = r.choices(self._scripts, self._weights)[0]
            if s not in scripts:
                scripts.append(s)
            elif len(set(self._scripts)) <= len(scripts):
                break
        names = " | ".join(self.spell(v, s, swap=r.random() < k.swap_rate) for s in scripts)
        row = dict.fromkeys(COLUMNS, "")
        row["source"] = r.choice(SOURCES)
        row["names"] = names
        row["synthetic"] = "true"
        if not self._missing():
            row["sex"] = r.choice({"male": ("male", "m", "M"), "female": ("female", "f", "F")}[v.sex])
        year = v.birth.year
        if r.random() < k.conflict_rate:
            year += r.choice((-1, 1)) * r.choice((1, 1, 2, 3))
        if not self._missing():
            roll = r.random()
            if roll < 0.55:
                row["birth_year"] = str(year)
            elif roll < 0.75:
                row["birth_date"] = f"{year}-{v.birth:%m-%d}" if year == v.birth.year else str(year)
            else:
                as_of = dt.date(r.randint(2017, 2020), r.randint(1, 12), r.randint(1, 28))
                age = as_of.year - year - (1 if (as_of.month, as_of.day) < (v.birth.month, v.birth.day) else 0)
                row["age"], row["age_as_of"] = str(age), as_of.isoformat()
        if not self._missing():
            row["ethnicity"] = v.ethnicity
        if not self._missing():
            row["hometown"] = self._place(v)
        if r.random() < 0.2:
            row["father_name"] = self._given_alone(v.father, r.choices(self._scripts, self._weights)[0])
        if r.random() < k.id_rate or (row["source"] == "leaked-register" and r.random() < 0.5):
            cid = v.chinese_id
            if r.random() < k.typo_rate:
                i = r.randrange(17)
                cid = cid[:i] + str((int(cid[i]) + r.randint(1, 9)) % 10) + cid[i + 1:]
            row["chinese_id"] = cid
        return row


def generate(n_mentions: int, knobs: Knobs | None = None, seed: int = 0
             ) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    """Draw ``n_mentions`` mentions in shuffled order.

    Args:
        n_mentions: number of rows wanted (exact).
        knobs: :class:`Knobs` (defaults if None).
        seed: random seed.
    Returns:
        ``(rows, truth, family)``: rows as dicts with :data:`COLUMNS`; ``truth`` maps
        record_id -> true victim id; ``family`` maps record_id -> family id or "".
    Raises:
        ValueError: when ``n_mentions`` < 1.
    """
    drawn = draw(n_mentions, knobs, seed)
    truth = {row["record_id"]: v.victim_id for row, v in drawn}
    family = {row["record_id"]: v.family for row, v in drawn}
    return [row for row, _ in drawn], truth, family


def draw(n_mentions: int, knobs: Knobs | None = None, seed: int = 0) -> list[tuple[dict[str, str], Victim]]:
    """The mentions of :func:`generate`, each with the :class:`Victim` it was drawn from
    (for analyses that need the true person's record, e.g. ``benchmarks/linkage_bound.py``).

    Returns:
        ``[(row, victim), ...]`` in :func:`generate`'s order, rows with their ``record_id``.
    Raises:
        ValueError: when ``n_mentions`` < 1.
    """
    if n_mentions < 1:
        raise ValueError("n_mentions must be at least 1")
    gen = Generator(knobs, seed)
    drawn: list[tuple[dict[str, str], Victim]] = []
    for v in gen.victims():
        for row in gen.mentions(v):
            drawn.append((row, v))
        if len(drawn) >= n_mentions:
            break
    drawn = drawn[:n_mentions]
    gen.rng.shuffle(drawn)
    for i, (row, _) in enumerate(drawn):
        row["record_id"] = f"S{i + 1:07d}"
    return drawn


def synthetic_path(path: str | Path) -> Path:
    """Return ``path`` with ``.synthetic`` before the suffix unless its name already says synthetic."""
    p = Path(path)
    if "synthetic" in p.name.lower():
        return p
    return p.with_name(f"{p.stem}.synthetic{p.suffix or '.csv'}")


def write(path: str | Path, rows: list[dict[str, str]], truth: dict[str, str],
          family: dict[str, str]) -> tuple[Path, Path]:
    """Write the mentions CSV (``docs/formats/mentions.md`` plus a ``synthetic`` column)
    and the truth CSV beside it (``record_id,true_cluster,family``).

    Args:
        path: wanted path of the mentions file; ``.synthetic`` is added to the name
            when it does not say synthetic already.
    Returns:
        ``(mentions_path, truth_path)``; the truth file is ``<stem>.truth.csv``.
    """
    out = synthetic_path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    truth_path = out.with_name(out.stem + ".truth.csv")
    with truth_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["record_id", "true_cluster", "family", "synthetic"])
        for rid, cl in truth.items():
            w.writerow([rid, cl, family.get(rid, ""), "true"])
    return out, truth_path
