"""List filters read the stored status and years; each filter may be met by a different visible testimony.

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager.web import access
from kuager.web import selectors as wsel

pytestmark = pytest.mark.django_db


def test_status_and_year_filters(record):
    a = record(["Invented Alpha"], events=[("detained_camp", "2018")]).mentions.get().victim
    b1 = record(["Invented Beta"], events=[("released", "2019")], testifier="Invented One").mentions.get()
    b2 = record(["Invented Beta"], events=[("detained_camp", "2017")], testifier="Invented Two",
                confidential=False).mentions.get()
    gone = b2.victim
    b2.victim = b1.victim
    b2.save()
    gone.delete()
    b = b1.victim
    c = record(["Invented Gamma"], events=[("detained_camp", "2018")], confidential=True).mentions.get().victim

    def ids(audience, **f):
        return set(wsel.victim_ids(audience, f))

    assert ids(access.TEAM, status="detained_camp", year="2018") == {a.id}  # c: confidential testimony
    assert ids(access.INTERNAL, status="detained_camp", year="2018") == {a.id, c.id}
    # b: the camp is stated by one testimony, 2019 by the other: both filters are met
    assert ids(access.TEAM, status="detained_camp", year="2019") == {b.id}
    assert ids(access.TEAM, status="released") == {b.id}
    assert ids(access.TEAM, year="2017") == {b.id}
    assert ids(access.TEAM, status="detained_camp", ethnicity="Kazakh", year="2017") == {b.id}
    assert ids(access.TEAM, status="died") == set()


def test_place_filter_finds_a_place_in_any_script(record):
    # invented people; the codes are the official GB/T 2260 ones (伊宁县 654021 in Ili 654000,
    # 塔城市 / Шәуешек 654201 in Tacheng prefecture 654200)
    def with_origin(name, place):
        mn = record([name]).mentions.get()
        mn.place_of_origin = place
        mn.save()
        return mn.victim.id

    kk = with_origin("Invented Kappa", "Құлжа ауданы")
    zh = with_origin("Invented Zeta", "伊宁县")
    tc = with_origin("Invented Tau", "Шәуешек")
    al = with_origin("Invented Alma", "Almaty")

    def ids(place):
        return set(wsel.victim_ids(access.TEAM, {"place": place}))

    assert ids("Ghulja") == {kk, zh}
    assert ids("伊犁") == {kk, zh}          # a prefecture finds its counties
    assert ids("Tacheng") == {tc}
    assert ids("Almat") == {al}             # outside the gazetteer: the text as before
    assert ids("Құлжа") == {kk, zh}
