"""Names in every script: parse, transliterate, key and compare (Django-free).

Public API::

    detect_script(text) -> "Cyrillic" | "Latin" | "Han" | "Arabic" | "mixed" | "unknown"
    parse(name) -> PersonName        # .script .given .father .surname .parts
    transliterate(name, to=...)      # Kazakh 2021 Latin / BGN / passport, Uyghur ULY / UKY / UEY, ...
    keys(name) -> set[str]           # blocking and search keys
    similarity(a, b) -> float        # evidence that a and b are one person, in [0, 1]
    rules_fingerprint() -> str       # changes when the key rules change (stored keys must be redone)

See docs/names.md for the method, the tables and their sources.
"""

from kuager.names.keys import keys, rules_fingerprint
from kuager.names.parse import Part, PersonName, parse
from kuager.names.scripts import DOTS, detect_script
from kuager.names.similarity import similarity
from kuager.names.transliterate import transliterate, TARGETS

__all__ = ["DOTS", "Part", "PersonName", "TARGETS", "detect_script", "keys", "parse",
           "rules_fingerprint", "similarity", "transliterate"]
