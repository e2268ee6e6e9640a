"""A victim's current status from the testimonies' dated statuses, and when reports conflict."""

from __future__ import annotations

import pytest

from kuager.dates import parse_partial_date
from kuager.records import models as m
from kuager.records.selectors import current_status, victim_profile

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _victim(*testimonies):
    """testimonies: (number, [(kind, date text), ...]) -> a victim with one mention per testimony."""
    v = m.Victim.objects.create(public_id="V-09999")
    for number, events in testimonies:
        t = m.Testimony.objects.create(number=number)
        mn = m.Mention.objects.create(key=f"{number}/m1", testimony=t, victim=v)
        for i, (kind, when) in enumerate(events, start=1):
            e = m.Event(key=f"{number}/m1/e{i}", testimony=t, mention=mn, kind=kind)
            e.date = parse_partial_date(when)
            e.save()
    return v


def test_later_stage_wins_a_tie_within_a_testimony():
    # as the bundled T-003 says: last contact 2016, detained 2016
    v = _victim(("X-1", [("lost_contact", "2016"), ("detained", "2016")]))
    assert current_status(victim_profile(v)) == "detained"


def test_newer_news_from_another_testimony_is_no_conflict():
    v = _victim(("X-1", [("lost_contact", "2018")]), ("X-2", [("sentenced", "2019-03")]))
    p = victim_profile(v)
    assert current_status(p) == "sentenced" and [s.testimonies for s in p.status] == [["X-2"]]


def test_different_statuses_for_the_same_time_conflict():
    v = _victim(("X-1", [("detained_camp", "2019")]), ("X-2", [("released", "2019")]))
    p = victim_profile(v)
    assert current_status(p) == "conflicting reports"
    assert sorted((s.value, s.testimonies[0]) for s in p.status) == [
        ("detained in a camp", "X-1"), ("released", "X-2")]


def test_dated_status_beats_undated():
    v = _victim(("X-1", [("released", ""), ("detained", "2017")]))
    assert current_status(victim_profile(v)) == "detained"
