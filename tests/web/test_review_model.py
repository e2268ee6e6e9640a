"""The review queue shows the linkage model's uncertain pairs first."""

import pytest

from kuager.records import models as m
from kuager.web import selectors as ws

pytestmark = pytest.mark.django_db


def _victim(pid: str, number: str, name: str) -> tuple[m.Victim, m.Mention]:
    from kuager.records.services.names import set_mention_names

    v = m.Victim.objects.create(public_id=pid)
    t = m.Testimony.objects.create(number=number)
    mn = m.Mention.objects.create(key=f"{number}/m1", testimony=t, victim=v)
    set_mention_names(mn, [name])
    return v, mn


def test_model_pairs_first_and_decided_pairs_left_out():
    va, ma = _victim("V-00001", "X-1", "Бақыт Серікұлы")
    vb, mb = _victim("V-00002", "X-2", "Bakhyt Serikuly")   # shares a name key with V-00001
    vc, mc = _victim("V-00003", "X-3", "Нұрлан Әсетұлы")
    vd, md = _victim("V-00004", "X-4", "Zhanar Bolatkyzy")
    m.ReviewCandidate.objects.create(mention_a=mc, mention_b=md, probability=0.62, levels={"name": "differ"})
    m.ReviewCandidate.objects.create(mention_a=md, mention_b=mc, probability=0.55, levels={})
    got = ws._review_candidates()
    assert [(c.a.public_id, c.b.public_id, c.keys) for c in got][0] == ("V-00003", "V-00004", ["linkage model"])
    assert got[0].score == pytest.approx(0.62)  # the best probability for the pair
    assert {(c.a.public_id, c.b.public_id) for c in got} == {("V-00003", "V-00004"), ("V-00001", "V-00002")}
    m.Judgement.objects.create(mention_a=mc, mention_b=md, decision="different")
    assert [(c.a.public_id, c.b.public_id) for c in ws._review_candidates()] == [("V-00001", "V-00002")]
