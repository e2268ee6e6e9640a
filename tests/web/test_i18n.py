"""Languages: Russian, Kazakh and Chinese complete, Uyghur started, Uyghur right-to-left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import kuager

LOCALE = Path(kuager.__file__).parent / "locale"


def _entries(lang):
    """``[(msgid, msgstr)]`` of a catalogue (first plural form; wrapped lines joined; header and obsolete
    entries left out; fuzzy entries count as untranslated, as compilemessages leaves them out)."""
    import ast

    text = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if not lines or any(x.startswith("#~") for x in lines):
            continue
        fuzzy = any(x.startswith("#,") and "fuzzy" in x for x in lines)
        fields, key = {}, None
        for x in lines:
            if x.startswith("#"):
                continue
            if not x.startswith('"'):
                key, _, x = x.partition(" ")
                fields[key] = ""
            fields[key] += ast.literal_eval(x)
        msgid = fields.get("msgid", "")
        if msgid:
            out.append((msgid, "" if fuzzy else fields.get("msgstr", fields.get("msgstr[0]", ""))))
    return out


@pytest.mark.parametrize("lang", ["ru", "kk", "zh_Hans"])
def test_complete_languages_translate_every_string(lang):
    entries = _entries(lang)
    assert len(entries) > 200
    assert [mid for mid, tr in entries if not tr] == []
    assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").is_file()


def test_uyghur_is_started():
    assert sum(1 for _, tr in _entries("ug") if tr) >= 280


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


@pytest.mark.django_db
def test_a_documents_kind_tag_is_translated(users, record, login_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kuager.records.services import intake

    t = record(["Invented Photoperson"])
    intake.add_documents(t, [intake.DocumentInput(file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 invented\n"),
                                                  name="p.pdf", kind="photo", description="", victim=0)])
    c = login_user(Client(), users["viewer"])
    c.post("/i18n/setlang/", {"language": "kk", "next": "/"})
    page = c.get(f"/victims/{t.mentions.get().victim.public_id}/").content.decode()
    assert '<span class="tag">фотосурет</span>' in page and '<span class="tag">photo</span>' not in page
