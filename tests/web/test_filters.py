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
