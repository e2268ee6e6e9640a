"""Script detection and tokenisation of personal names.

Scripts are told apart by Unicode block (The Unicode Standard, chapter 4 and the
block list ``Blocks.txt``): Cyrillic U+0400-U+052F, Arabic U+0600-U+06FF,
U+0750-U+077F and the presentation forms U+FB50-U+FDFF, U+FE70-U+FEFF, Han (CJK
unified ideographs and extensions, compatibility ideographs), Latin (Basic Latin,
Latin-1 Supplement, Latin Extended A/B/Additional).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Characters used in practice between the parts of a Chinese-form name
#: (given name · father's name). U+00B7 MIDDLE DOT is the official one (GB/T 15834);
#: the others are what keyboards and OCR produce.
DOTS = (
    "\u00b7"  # · middle dot (official)
    "\u30fb"  # ・ katakana middle dot
    "\uff65"  # ･ halfwidth katakana middle dot
    "\u2022"  # • bullet
    "\u2027"  # ‧ hyphenation point
    "\u2219"  # ∙ bullet operator
    "\u22c5"  # ⋅ dot operator
    "\u0387"  # · Greek ano teleia
    "\u2e31"  # ⸱ word separator middle dot
    "\ua78f"  # ꞏ Latin letter sinological dot
    "\u25cf"  # ● black circle
    "\uff0e"  # ． fullwidth full stop
    "\u3002"  # 。 ideographic full stop
    "."       # . full stop
)

SCRIPTS = ("Cyrillic", "Latin", "Han", "Arabic", "mixed", "unknown")

_SPLIT_RE = re.compile("[\\s" + re.escape(DOTS) + ",;/_]+")
_DOT_RE = re.compile("[" + re.escape(DOTS) + "]")


def char_script(ch: str) -> str | None:
    """Return the script of one character ("Cyrillic", "Latin", "Han", "Arabic") or None.

    Digits, punctuation, marks and other scripts give None.
    """
    o = ord(ch)
    if o < 0x80:
        return "Latin" if ch.isalpha() else None
    if 0x0400 <= o <= 0x052F or 0x1C80 <= o <= 0x1C8F or 0x2DE0 <= o <= 0x2DFF or 0xA640 <= o <= 0xA69F:
        return "Cyrillic"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F:
        return "Han"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:
        if unicodedata.category(ch).startswith("L"):
            return "Arabic"
        return None
    if (0x00C0 <= o <= 0x024F or 0x1E00 <= o <= 0x1EFF or 0x0250 <= o <= 0x02AF or 0xA720 <= o <= 0xA7FF) and o != 0xA78F \
            and unicodedata.category(ch).startswith("L"):
        return "Latin"
    return None


_CYR_CLASS = "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"
_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_ARAB_CLASS = "\u0621-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc"
_LAT_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af\u1e00-\u1eff\ua720-\ua78e\ua790-\ua7ff"  # not U+A78F, a name dot
_SCRIPT_RES = (
    ("Cyrillic", re.compile(f"[{_CYR_CLASS}]")),
    ("Latin", re.compile(f"[{_LAT_CLASS}]")),
    ("Han", re.compile(f"[{_HAN_CLASS}]")),
    ("Arabic", re.compile(f"[{_ARAB_CLASS}]")),
)
_HAN_RUNS = re.compile(f"[{_HAN_CLASS}]+|[^{_HAN_CLASS}]+")


@lru_cache(maxsize=200_000)
def detect_script(text: str) -> str:
    """Return the script of a name: one of ``"Cyrillic"``, ``"Latin"``, ``"Han"``,
    ``"Arabic"``, ``"mixed"`` (letters of two or more of these) or ``"unknown"``
    (no letter of any of them, e.g. an empty string or digits only).

    Args:
        text: any string.
    Returns:
        one of :data:`SCRIPTS`. Never raises for a ``str``.
    """
    found = None
    for name, rx in _SCRIPT_RES:
        if rx.search(text):
            if found is not None:
                return "mixed"
            found = name
    return found or "unknown"


def has_dot(text: str) -> bool:
    """True when ``text`` contains one of the separator dots in :data:`DOTS`."""
    return _DOT_RE.search(text) is not None


def split_tokens(text: str) -> list[str]:
    """Split a name into tokens on white space, the dots of :data:`DOTS` and , ; / _.

    Hyphens are kept inside tokens (compound names such as ``Нұр-Сұлтан``).
    Han runs adjacent to other scripts are split off (``Asylbek阿斯力别克`` gives two tokens).
    """
    out: list[str] = []
    for tok in _SPLIT_RE.split(text.strip()):
        if tok:
            out.extend(_pieces(tok))
    return out


@lru_cache(maxsize=200_000)
def _pieces(tok: str) -> tuple[str, ...]:
    """The tokens of one piece between separators (cached: pieces repeat far more than names)."""
    tok = tok.strip("-'\"()[]")
    if not tok:
        return ()
    if detect_script(tok) == "mixed" and _SCRIPT_RES[2][1].search(tok):
        return tuple(t.strip("-'") for t in _HAN_RUNS.findall(tok) if t.strip("-'"))
    return (tok,)
