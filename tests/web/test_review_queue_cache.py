"""The review queue's name-key pairs are kept until the names or the victims' mentions change.

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager.records.services import review
from kuager.web import selectors as ws

pytestmark = pytest.mark.django_db


def _pairs(monkeypatch):
    calls = []
    real = ws._compute_name_key_pairs

    def counting(cap):
        calls.append(cap)
        return real(cap)
    monkeypatch.setattr(ws, "_compute_name_key_pairs", counting)
    return calls


def test_different_decision_reuses_pairs_and_same_recomputes(record, users, monkeypatch):
    calls = _pairs(monkeypatch)
    vs = [record(["Invented Tursynbekov Alpha"], birth=str(1950 + 10 * i), testifier=f"Invented Testifier {i}")
          .mentions.get().victim for i in range(4)]
    a, b, c, d = vs
    pairs = {(x.a.id, x.b.id) for x in ws._review_candidates()}
    assert len(pairs) == 6 and len(calls) == 1  # four namesakes: every pair
    review.decide_pair(a, b, "different", user=users["editor"], note="born 10 years apart")
    pairs = {(x.a.id, x.b.id) for x in ws._review_candidates()}
    assert len(pairs) == 5 and (a.id, b.id) not in pairs and len(calls) == 1  # no mention moved: kept
    merged = review.decide_pair(c, d, "same", user=users["editor"], note="same ID copy").victims[0]
    queue = sorted((x.a.public_id, x.b.public_id) for x in ws._review_candidates())
    assert len(calls) == 2  # a merge moved a mention: recomputed
    # left: a and b each with the merged person (a and b are decided)
    assert queue == sorted(tuple(sorted((v.public_id, merged))) for v in (a, b))


def test_fingerprint_changes_when_two_mentions_swap_victims(record):
    m1 = record(["Invented Swap One"]).mentions.get()
    m2 = record(["Invented Swap Two"], testifier="Invented Other").mentions.get()
    before = ws._names_fingerprint()
    v1, v2 = m1.victim, m2.victim
    m1.victim, m2.victim = v2, v1
    m1.save()
    m2.save()
    assert ws._names_fingerprint() != before
