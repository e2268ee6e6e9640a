"""A birth on the pages is said in the reader's language and keeps its order on right-to-left pages (issue 5).

Expected strings written by hand from the catalogues' wording (ru/kk/zh_Hans .po files).
"""

from __future__ import annotations

import pytest
from django.utils import translation

from kuager.records import selectors as rsel
from kuager.web import labels

F, P = labels.FSI, labels.PDI


@pytest.mark.parametrize("lang, expected", [
    ("en", f"{F}{F}1994{P} or {F}1995{P} (aged {F}23{P} in {F}2018-05{P}){P}"),
    ("ru", f"{F}{F}1994{P} или {F}1995{P} (возраст {F}23{P} в {F}2018-05{P}){P}"),
    ("kk", f"{F}{F}1994{P} не {F}1995{P} ({F}2018-05{P} кезінде {F}23{P} жаста){P}"),
    ("zh-hans", f"{F}{F}1994{P}或{F}1995{P}（{F}2018-05{P}时{F}23{P}岁）{P}"),
])
def test_birth_in_the_readers_language(lang, expected):
    value = rsel.BirthText(1994, 1995, 23, "2018-05")
    assert value == "1994 or 1995 (aged 23 in 2018-05)"  # records stay English
    with translation.override(lang):
        assert labels.birth_words(value) == expected


def test_birth_single_year_and_range():
    with translation.override("ru"):
        assert labels.birth_words(rsel.BirthText(1980, 1980)) == f"{F}{F}1980{P}{P}"
        assert labels.birth_words(rsel.BirthText(1980, 1983, 40)) == f"{F}{F}1980{P}–{F}1983{P} (возраст {F}40{P}){P}"
    assert labels.birth_words("as said") == "as said"
