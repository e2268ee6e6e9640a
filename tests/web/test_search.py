"""Search at scale: specific name keys first, the given name alone only as a fallback; cached lists follow changes.

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager.records import selectors as rsel
from kuager.records.services import review
from kuager.web import access
from kuager.web import selectors as wsel


@pytest.mark.django_db
def test_full_name_finds_only_that_person_and_given_name_finds_all(record):
    a = record(["Айгерім Серікқызы"]).mentions.get().victim
    b = record(["Айгерім Болатқызы"]).mentions.get().victim
    c = record(["Aigerim Serikkyzy"]).mentions.get().victim  # the first person spelled in Latin
    full = rsel.search_victims("Aigerim Serikkyzy")
    # n:/f: keys match a and c; b shares only the given name, so she is not offered.
    assert {v.public_id for v in full} == {a.public_id, c.public_id}
    given = rsel.search_victims("Айгерім")
    assert {v.public_id for v in given} == {a.public_id, b.public_id, c.public_id}


@pytest.mark.django_db
def test_unknown_father_falls_back_to_the_given_name(record):
    a = record(["Айгерім Серікқызы"]).mentions.get().victim
    found = rsel.search_victims("Aigerim Zzyzxqyzy")
    assert [v.public_id for v in found] == [a.public_id]


@pytest.mark.django_db
def test_search_limit_keeps_the_best(record):
    exact = record(["Ерлан Маратұлы"]).mentions.get().victim
    for father in ("Серік", "Болат", "Асқар"):
        record([f"Ерлан {father}ұлы"])
    found = rsel.search_victims("Ерлан Маратұлы", limit=1)
    assert [v.public_id for v in found] == [exact.public_id]


@pytest.mark.django_db
def test_cached_public_list_follows_withholding(record):
    v = record(["Жұлдыз Ермекқызы"], consent="full").mentions.get().victim
    assert v.id in wsel.victim_ids(access.PUBLIC)
    review.set_publication(v, published=False, confidential=False)
    assert v.id not in wsel.victim_ids(access.PUBLIC)
    assert v.id in wsel.victim_ids(access.INTERNAL)


@pytest.mark.django_db
def test_search_filters_apply_to_the_found_victims(record):
    kz = record(["Дәулет Оспанұлы"], ethnicity="Kazakh").mentions.get().victim
    ug = record(["Dawlet Ospan"], ethnicity="Uyghur").mentions.get().victim
    both = {v.public_id for v in wsel.search("Дәулет Оспанұлы", access.TEAM)}
    assert both == {kz.public_id, ug.public_id}
    only = wsel.search("Дәулет Оспанұлы", access.TEAM, {"ethnicity": "uyghur"})
    assert [v.public_id for v in only] == [ug.public_id]
