"""Dashboard counts: the stored status and years, and testimonies counted by the redaction layer's rule.

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager.records import models as m
from kuager.web import access
from kuager.web import selectors as wsel

pytestmark = pytest.mark.django_db


def test_counts_from_stored_values(sample):
    # sample (tests/web/conftest.py): four victims, one mention each:
    #   public: full consent, detained_camp May 2018; no_consent: consent none, no events;
    #   confidential: confidential testimony; latin: full consent, lost_contact 2017.
    team = wsel._dashboard_counts(access.TEAM)
    assert team["victims"] == 3 and team["testimonies"] == 3
    assert team["by_status"] == [("detained_camp", 1), ("lost_contact", 1)]
    assert team["by_year"] == [(2017, 1), (2018, 1)]
    public = wsel._dashboard_counts(access.PUBLIC)
    assert public["victims"] == 2 and public["testimonies"] == 2
    internal = wsel._dashboard_counts(access.INTERNAL)
    assert internal["victims"] == 4 and internal["testimonies"] == 4


def test_a_testimony_naming_nobody_is_counted_like_the_export(sample):
    # events about an unnamed person: no mention, so no victim; the internal export lists it
    t = m.Testimony.objects.create(number="U-1", consent="full")
    m.Event.objects.create(key="U-1/unnamed/e1", testimony=t, kind="detained", subject="a neighbour")
    assert wsel._dashboard_counts(access.INTERNAL)["testimonies"] == m.Testimony.objects.count() == 5
    assert wsel._dashboard_counts(access.TEAM)["testimonies"] == 4
    assert wsel._dashboard_counts(access.PUBLIC)["testimonies"] == 3


def test_recent_reuses_a_costly_answer_after_a_change_until_it_is_too_old():
    from kuager.web import cache as wcache

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    first, at = wcache.recent("test-recent", [], compute, max_age=600, cheap=0)  # every answer counts as costly
    wcache.bump()  # a data change
    again = wcache.recent_entry("test-recent", [], compute, max_age=600, cheap=0)
    assert (first, again["value"], again["computed_at"], again["stale"]) == (1, 1, at, True) and len(calls) == 1
    fresh, _ = wcache.recent("test-recent", [], compute, max_age=0, cheap=0)  # too old at once: recomputed
    assert fresh == 2


def test_recent_recomputes_a_cheap_answer_at_once_after_a_change():
    from kuager.web import cache as wcache

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert wcache.recent("test-cheap", [], compute, max_age=600)[0] == 1
    assert wcache.recent("test-cheap", [], compute, max_age=600)[0] == 1  # unchanged data: reused
    wcache.bump()
    e = wcache.recent_entry("test-cheap", [], compute, max_age=600)
    assert (e["value"], e["stale"]) == (2, False)
