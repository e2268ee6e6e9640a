"""One entry point for the transliterations of :mod:`kazakh`, :mod:`uyghur` and :mod:`chinese`."""

from __future__ import annotations

import re

from kuager.names import chinese, kazakh, uyghur
from kuager.names.scripts import DOTS, detect_script

#: accepted values of ``to``
TARGETS = ("latin2021", "bgn", "passport", "cyrillic", "uly", "uky", "uey", "pinyin", "latin")
_SOURCES = ("latin2021", "bgn", "passport", "uly")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _guess_latin_system(text: str) -> str:
    if re.search("[ğñşūıİäöüqQĞÑŞŪÄÖÜ]", text):
        return "latin2021"
    if re.search("[īėĪĖ]|[gzk]h|[GZK][Hh]", text):
        return "bgn"
    return "passport"


def _title(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in s.split(" "))


def transliterate(name: str, to: str = "latin2021", source: str | None = None) -> str:
    """Transliterate a name.

    Args:
        name: the name.
        to: one of :data:`TARGETS`:

            - ``"latin2021"``, ``"bgn"``, ``"passport"``: from Kazakh Cyrillic
              (:func:`kuager.names.kazakh.to_latin`);
            - ``"cyrillic"``: Kazakh Latin back to Kazakh Cyrillic
              (:func:`kuager.names.kazakh.to_cyrillic`); ``source`` says which Latin
              (``"latin2021"``, ``"bgn"``, ``"passport"``); by default it is guessed from the
              letters (2021 letters, else BGN digraphs/macrons, else passport);
            - ``"uly"``, ``"uky"``, ``"uey"``: Uyghur, from any of Arabic script (UEY),
              Latin (ULY) or Cyrillic (UKY) (:mod:`kuager.names.uyghur`);
            - ``"pinyin"``: Chinese characters to passport pinyin, one capitalised word per
              part (阿斯力别克·塔力哈提 → ``Asilibieke Talihati``);
            - ``"latin"``: a readable Latin form from any script: Kazakh Cyrillic in the
              2021 alphabet, Uyghur Arabic in ULY, Chinese decoded to the Turkic name
              (阿斯力别克 → ``Aslibek``; approximate), Latin unchanged.
        source: the Latin system of ``name`` for ``to="cyrillic"``.
    Returns:
        the transliterated string.
    Raises:
        ValueError: unknown ``to``/``source``, or a script the target cannot come from
        (e.g. ``to="bgn"`` from Chinese characters).
    """
    if to not in TARGETS:
        raise ValueError(f"unknown target {to!r}; expected one of {TARGETS}")
    script = detect_script(name)
    if to in ("latin2021", "bgn", "passport"):
        if script not in ("Cyrillic", "unknown"):
            raise ValueError(f"to={to!r} needs Kazakh Cyrillic, got {script}")
        return kazakh.to_latin(name, to)
    if to == "cyrillic":
        if script == "Cyrillic":
            return name
        if script not in ("Latin", "unknown"):
            raise ValueError(f"to='cyrillic' needs Latin, got {script}")
        src = source or _guess_latin_system(name)
        if src not in ("latin2021", "bgn", "passport"):
            raise ValueError(f"unknown source {src!r}")
        return kazakh.to_cyrillic(name, src)
    if to in ("uly", "uky", "uey"):
        if script == "Arabic":
            uly = uyghur.arabic_to_uly(name)
        elif script == "Cyrillic":
            uly = uyghur.cyrillic_to_uly(name)
        elif script in ("Latin", "unknown"):
            uly = name.lower()
        else:
            raise ValueError(f"to={to!r} needs Uyghur Arabic, Latin or Cyrillic, got {script}")
        if to == "uly":
            return _title(uly)
        if to == "uky":
            return _title(uyghur.uly_to_cyrillic(uly))
        return uyghur.uly_to_arabic(uly)
    if to == "pinyin":
        if script != "Han":
            raise ValueError(f"to='pinyin' needs Chinese characters, got {script}")
        parts = [p for p in re.split("[\\s" + re.escape(DOTS) + "]+", name) if p]
        return " ".join(chinese.han_to_pinyin(p).capitalize() for p in parts)
    # to == "latin"
    if script == "Cyrillic":
        return kazakh.to_latin(name, "latin2021")
    if script == "Arabic":
        return _title(uyghur.arabic_to_uly(name))
    if script == "Han":
        parts = [p for p in re.split("[\\s" + re.escape(DOTS) + "]+", name) if p]
        return " ".join(chinese.decode_han(p).capitalize() for p in parts)
    if script == "mixed":
        return " ".join(transliterate(w, "latin") if detect_script(w) != "mixed" else w
                        for w in name.split())
    return name
