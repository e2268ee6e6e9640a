"""Stored derived values (a mention's status kind, who may see a victim) agree with the rules after every change.

All people here are invented.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from kuager.dates import parse_partial_date
from kuager.records import models as m
from kuager.records.selectors import headline_name, latest_status_kind
from kuager.records.services import derived, intake, review

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _testimony(number, events=(), *, consent="full", confidential=False, victim=None, mention_confidential=False):
    """One testimony, one mention (of ``victim`` or a new victim), events ``[(kind, date text)]``."""
    t = m.Testimony.objects.create(number=number, consent=consent, confidential=confidential)
    v = victim or m.Victim.objects.create(public_id=f"V-{number}")
    mn = m.Mention.objects.create(key=f"{number}/m1", testimony=t, victim=v, confidential=mention_confidential)
    for i, (kind, when) in enumerate(events, start=1):
        e = m.Event(key=f"{number}/m1/e{i}", testimony=t, mention=mn, kind=kind)
        e.date = parse_partial_date(when)
        e.save()
    return mn


def _status(mn) -> str:
    return m.Mention.objects.get(pk=mn.pk).status_kind


def _flags(v) -> tuple[bool, bool]:
    v = m.Victim.objects.get(pk=v.pk)
    return v.visible_team, v.visible_public


def test_status_kind_follows_the_events():
    mn = _testimony("D-1", [("lost_contact", "2016"), ("detained", "2016")])
    assert _status(mn) == "detained"  # the later stage wins a tie of dates
    e = m.Event(key="D-1/m1/e3", testimony=mn.testimony, mention=mn, kind="released")
    e.date = parse_partial_date("2019-05")
    e.save()
    assert _status(mn) == "released"
    assert m.Mention.objects.get(pk=mn.pk).event_years == "2016 2019"  # the years the dated events overlap
    e.delete()
    assert _status(mn) == "detained"
    m.Event.objects.filter(mention=mn).delete()
    assert _status(mn) == "" and m.Mention.objects.get(pk=mn.pk).event_years == ""


def test_undated_and_non_status_events():
    mn = _testimony("D-2", [("released", ""), ("detained_camp", "2018"), ("harassed", "2020")])
    assert _status(mn) == "detained_camp"  # dated beats undated; non-status kinds never count


def test_latest_status_kind_on_tuples_matches_hand_worked_order():
    import datetime as dt

    rows = [("sentenced", dt.date(2019, 1, 1), dt.date(2019, 12, 31), "k1"),
            ("detained_prison", dt.date(2019, 3, 1), dt.date(2019, 3, 31), "k2"),
            ("died", None, None, "k3")]
    assert latest_status_kind(rows) == "detained_prison"  # the later date, whatever the stage
    assert latest_status_kind([]) == ""


def test_visibility_flags_follow_consent_confidentiality_and_publication():
    mn = _testimony("D-3", consent="none")
    v = mn.victim
    assert _flags(v) == (True, False)  # no consent: the team sees it, the public does not
    t = mn.testimony
    t.consent = "anonymous"
    t.save()
    assert _flags(v) == (True, True)
    review.set_publication(v, published=False)
    assert _flags(v) == (True, False)
    review.set_publication(v, published=True, confidential=True)
    assert _flags(v) == (False, False)
    review.set_publication(v, confidential=False)
    mn.confidential = True
    mn.save()
    assert _flags(v) == (False, False)
    _testimony("D-4", victim=v, confidential=True)  # a second mention, in a confidential testimony
    assert _flags(v) == (False, False)
    _testimony("D-5", victim=v, consent="full")
    assert _flags(v) == (True, True)
    m.Testimony.objects.get(number="D-5").delete()
    assert _flags(v) == (False, False)


def test_moving_a_mention_updates_both_victims():
    a = _testimony("D-6").victim
    mn = _testimony("D-7", mention_confidential=False)
    b = mn.victim
    mn.victim = a
    mn.save()
    assert _flags(a) == (True, True) and _flags(b) == (False, False)


def test_merge_and_unmerge_through_review_keep_values_consistent():
    def rec(name, consent, events):
        return intake.record_testimony(intake.TestimonyInput(
            victims=[intake.VictimInput(names=[name], events=[intake.EventInput(kind=k, date_text=d)
                                                             for k, d in events])],
            testifier_name="Invented Testifier " + name, consent=consent, recorded_on_text="2020"))
    t1 = rec("Invented Personov", "none", [("detained_camp", "2018")])
    t2 = rec("Invented Personova", "full", [("sentenced", "2019")])
    va, vb = t1.mentions.get().victim, t2.mentions.get().victim
    result = review.decide_pair(va, vb, m.Judgement.SAME, note="same person")
    assert len(result.victims) == 1
    assert derived.check() == []
    merged = m.Victim.objects.get(public_id=result.victims[0])
    assert _flags(merged) == (True, True)
    review.unmerge(merged, [t2.mentions.get().key], note="not the same")
    assert derived.check() == []
    assert sorted(m.Mention.objects.values_list("status_kind", flat=True)) == ["detained_camp", "sentenced"]


def test_check_reports_a_stale_value_and_refresh_all_repairs_it():
    mn = _testimony("D-8", [("died", "2020")])
    m.Mention.objects.filter(pk=mn.pk).update(status_kind="released", event_years="")  # as a raw update leaves it
    m.Victim.objects.filter(pk=mn.victim_id).update(visible_public=False)
    assert derived.check() == ["D-8/m1: status_kind 'released', should be 'died'",
                               "D-8/m1: event_years '', should be '2020'",
                               "V-D-8: visible_public False, should be True"]
    derived.refresh_all()
    assert derived.check() == []


@pytest.mark.django_db(transaction=True)
def test_data_version_moves_once_per_committed_transaction_and_not_on_rollback():
    start = derived.version()
    with transaction.atomic():
        derived.touch()
        derived.touch()
        assert derived.version() == start  # not before commit
    assert derived.version() == start + 1
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            derived.touch()
            raise RuntimeError("rolled back")
    assert derived.version() == start + 1
    derived.touch()  # outside a transaction: at once
    assert derived.version() == start + 2


@pytest.mark.parametrize("names, script, expected", [
    ([], "", ""),
    ([("Айгерім Серікқызы", "Cyrillic")], "", "Айгерім Серікқызы"),  # no Latin: the first held
    ([("Айгерім Серікқызы", "Cyrillic"), ("Aigerim Serikkyzy", "Latin"), ("Aygerim Serikqizi", "Latin"),
      ("Aygerim Serikqizi", "Latin")], "", "Aygerim Serikqizi"),  # the most frequent Latin, not the first
    ([("Aigerim Serikkyzy", "Latin"), ("Aygerim Serikqizi", "Latin")], "", "Aigerim Serikkyzy"),  # tie: first
    ([("Aigerim Serikkyzy", "Latin"), ("Айгерім Серікқызы", "Cyrillic")], "Cyrillic", "Айгерім Серікқызы"),
    ([("Aigerim Serikkyzy", "Latin")], "Arabic", "Aigerim Serikkyzy"),  # none in the chosen script
])
def test_headline_name(names, script, expected):
    assert headline_name(names, script) == expected
