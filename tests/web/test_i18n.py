"""Languages: Russian and Kazakh complete, Chinese and Uyghur started, Uyghur right-to-left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import kuager

LOCALE = Path(kuager.__file__).parent / "locale"


def _entries(lang):
    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return re.findall(r'\nmsgid "(.+)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? "(.*)"', text)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_complete_languages_translate_every_string(lang):
    entries = _entries(lang)
    assert len(entries) > 200
    assert [mid for mid, tr in entries if not tr] == []
    assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.parametrize("lang", ["zh_Hans", "ug"])
def test_started_languages_have_some_translations(lang):
    assert sum(1 for _, tr in _entries(lang) if tr) >= 30


@pytest.mark.django_db
def test_language_switcher_changes_the_interface_and_uyghur_is_rtl():
    c = Client()
    page = c.get("/public/").content.decode()
    assert 'lang="en" dir="ltr"' in page and "Victims" in page
    c.post("/i18n/setlang/", {"language": "ru", "next": "/public/"})
    page = c.get("/public/").content.decode()
    assert 'lang="ru"' in page and "Жертвы" in page and "Статистика" in page
    c.post("/i18n/setlang/", {"language": "kk", "next": "/public/"})
    assert "Құрбандар" in c.get("/public/").content.decode()
    c.post("/i18n/setlang/", {"language": "ug", "next": "/public/"})
    page = c.get("/public/").content.decode()
    assert 'lang="ug" dir="rtl"' in page and "ستاتىستىكا" in page
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/public/"})
    assert "统计" in c.get("/public/").content.decode()
