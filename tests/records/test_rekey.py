"""Stored name keys are redone when the key rules change (``kuager init`` after an upgrade).

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager import names as kn
from kuager.records import models as m
from kuager.records.selectors import search_victims
from kuager.records.services import names as name_service

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _mention(number: str, texts: list[str]) -> m.Mention:
    t = m.Testimony.objects.create(number=number, consent="full")
    v = m.Victim.objects.create(public_id=f"V-{number}")
    mn = m.Mention.objects.create(key=f"{number}/m1", testimony=t, victim=v)
    name_service.set_mention_names(mn, texts)
    return mn


def _stored(mn: m.Mention) -> set[str]:
    return set(m.NameKey.objects.filter(name__mention=mn).values_list("key", flat=True))


def test_old_keys_are_redone_once_and_then_left_alone():
    mn = _mention("R-1", ["Гүлмира Әділқызы"])
    # Keys as older rules made them: without the father's-name-first key "u:..." (a
    # spelling "Adil Gulmira" then found nothing), recorded under another fingerprint.
    m.NameKey.objects.filter(name__mention=mn, key__startswith="u:").delete()
    m.Setting.objects.update_or_create(name=name_service.KEY_RULES, defaults={"value": "older-rules"})
    assert not any(k.startswith("u:") for k in _stored(mn))
    assert search_victims("Adil Gulmira") == []

    assert name_service.ensure_current_keys() == 1
    assert _stored(mn) == kn.keys("Гүлмира Әділқызы")
    # Given name Гүлмира, father's name Әділ: the key of the two parts in either order
    # is shared by the spelling with the father's name first.
    shared = kn.keys("Adil Gulmira") & _stored(mn)
    assert any(k.startswith("u:") for k in shared)
    assert name_service.stored_key_rules() == kn.rules_fingerprint()
    assert [v.public_id for v in search_victims("Adil Gulmira")] == ["V-R-1"]

    assert name_service.ensure_current_keys() == 0  # current: nothing redone


def test_a_database_without_a_recorded_fingerprint_is_rekeyed_once():
    a = _mention("R-2", ["Асылбек Талғатұлы"])
    b = _mention("R-3", ["Ерлан Нұрланов", "Erlan Nurlanov"])
    m.NameKey.objects.all().delete()
    assert name_service.stored_key_rules() is None
    assert name_service.ensure_current_keys() == 3  # three spellings
    assert _stored(a) == kn.keys("Асылбек Талғатұлы")
    assert _stored(b) == kn.keys("Ерлан Нұрланов") | kn.keys("Erlan Nurlanov")

