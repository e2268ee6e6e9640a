"""Review decisions: same merges, different separates, unmerge loses nothing; judgements are appended."""

from __future__ import annotations

import pytest

from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.services import review
from kuager.records.services.resolution import resolve


def _facts():
    return (m.Mention.objects.count(), m.MentionName.objects.count(), m.Event.objects.count(),
            m.Appeal.objects.count())


@pytest.mark.django_db
def test_same_merges_then_unmerge_separates_and_keeps_everything(record, users):
    # Birth years far apart: the automatic rules never join these; only people's decisions do.
    a = record(["Гүлмира Әділқызы"], birth="1980", events=[("detained_camp", "2018")]).mentions.get()
    b = record(["Gulmira Adilkyzy"], birth="1985", events=[("lost_contact", "2017")]).mentions.get()
    c = record(["Gulmira Adilqyzy"], birth="1990").mentions.get()
    # the intake leaves each mention alone until someone decides
    assert len({a.victim_id, b.victim_id, c.victim_id}) == 3
    facts = _facts()
    editor = users["editor"]
    # c is another woman of the same name: an editor says so first
    review.decide_pair(b.victim, c.victim, "different", user=editor, note="different birth places")
    res = review.decide_pair(a.victim, b.victim, "same", user=editor, note="same ID copy", score=0.93)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.victim_id == b.victim_id != c.victim_id
    assert res.victims == [a.victim.public_id]
    (j,) = res.judgements
    assert (j.decision, j.decided_by, j.note, j.score) == ("same", editor, "same ID copy", 0.93)
    assert _facts() == facts
    merged = a.victim
    assert merged.verification == "corroborated"  # two testimonies from two testifier rows

    res = review.unmerge(merged, [a.key], user=editor, note="the ID copies differ")
    a.refresh_from_db(), b.refresh_from_db()
    assert a.victim_id != b.victim_id
    assert len(res.victims) == 2
    assert _facts() == facts
    j.refresh_from_db()
    assert j.withdrawn_at is not None  # withdrawn, not deleted
    assert m.Judgement.objects.filter(decision="different", mention_a=a, mention_b=b, withdrawn_at=None).exists()
    # a later resolve keeps them apart although the names match
    resolve()
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert len({a.victim_id, b.victim_id, c.victim_id}) == 3
    assert m.Judgement.objects.count() == 3


@pytest.mark.django_db
def test_unsure_moves_nothing_and_bad_input_is_refused(record):
    a = record(["Айгүл Нұрланқызы"]).mentions.get()
    b = record(["Aigul Nurlankyzy"]).mentions.get()
    res = review.decide_pair(a.victim, b.victim, "unsure", note="ask the family")
    a.refresh_from_db(), b.refresh_from_db()
    assert a.victim_id != b.victim_id and not res.resolved
    assert m.Judgement.objects.get().decision == "unsure"
    with pytest.raises(InputError):
        review.decide_pair(a.victim, a.victim, "same")
    with pytest.raises(InputError):
        review.decide_pair(a.victim, b.victim, "maybe")
    with pytest.raises(InputError):
        review.unmerge(a.victim, [a.key])  # every mention: nothing would remain
    with pytest.raises(InputError):
        review.unmerge(a.victim, [b.key])  # not this victim's
