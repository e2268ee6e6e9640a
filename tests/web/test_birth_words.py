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


@pytest.mark.django_db
@pytest.mark.parametrize("lang, words", [("ru", "возраст"), ("ug", "ياشتا"), ("kk", "жаста")])
def test_victim_page_says_the_birth_in_the_readers_language(users, record, login_user, lang, words):
    from django.test import Client

    from kuager.records.services import intake

    data = intake.TestimonyInput(
        victims=[intake.VictimInput(names=["Invented Agedperson"], age=23)],  # aged 23 in May 2018: 1994 or 1995
        testifier_name="Invented Testifier", consent="full", recorded_on_text="2018-05")
    victim = intake.record_testimony(data).mentions.get().victim
    c = login_user(Client(), users["viewer"])
    c.post("/i18n/setlang/", {"language": lang, "next": "/"})
    page = c.get(f"/victims/{victim.public_id}/").content.decode()
    assert words in page and "aged 23" not in page
    assert f"{F}2018-05{P}" in page and f"{F}1994{P}" in page and f"{F}1995{P}" in page


def test_date_field_refuses_unknown_words_with_localized_examples():
    from django import forms as dj_forms

    from kuager.web import forms

    assert forms._clean_date("  мамыр 2018 ") == "мамыр 2018"
    with translation.override("ru"):
        with pytest.raises(dj_forms.ValidationError) as err:
            forms._clean_date("2018 примерно")
        assert "май 2018" in str(err.value.messages[0])
    with translation.override("kk"):
        assert "мамыр 2018" in str(forms.TestimonyForm().fields["recorded_on_text"].help_text)
