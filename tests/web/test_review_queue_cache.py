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


def _from_scratch() -> dict:
    """The blocks worked out directly: every n:/f: key's victims, kept when 2 to MAX_BLOCK."""
    from kuager.records import models as m

    out: dict[str, set] = {}
    for nk in m.NameKey.objects.select_related("name__mention"):
        if nk.key[:2] in ("n:", "f:") and nk.name.mention.victim_id:
            out.setdefault(nk.key, set()).add(nk.name.mention.victim_id)
    return {k: frozenset(v) for k, v in out.items() if 1 < len(v) <= ws.MAX_BLOCK}


def test_name_key_blocks_follow_new_names_merges_and_unmerges(record, users, monkeypatch):
    """After the first read the blocks are updated from what changed (no full read), and always equal the
    blocks worked out from scratch."""
    full_reads = []
    real = ws._blocks_of

    def counting(keys=None):
        if keys is None:
            full_reads.append(1)
        return real(keys)
    monkeypatch.setattr(ws, "_blocks_of", counting)
    a = record(["Invented Qasymuly Berik"], birth="1970").mentions.get()
    b = record(["Invented Qasymuly Berik"], birth="1990", testifier="Invented Two").mentions.get()
    assert ws._name_key_blocks() == _from_scratch() and len(full_reads) == 1
    assert any({a.victim_id, b.victim_id} <= v for v in _from_scratch().values())
    # a new testimony naming a third namesake and someone new
    c = record(["Invented Qasymuly Berik"], birth="2000", testifier="Invented Three").mentions.get()
    record(["Invented Zholdasov Aibek"], testifier="Invented Four")
    assert ws._name_key_blocks() == _from_scratch() and len(full_reads) == 1
    assert any({a.victim_id, b.victim_id, c.victim_id} <= v for v in ws._name_key_blocks().values())
    # a merge moves a mention: the merged-away victim leaves the blocks
    merged = review.decide_pair(a.victim, c.victim, "same", user=users["editor"], note="same ID copy")
    blocks = ws._name_key_blocks()
    assert blocks == _from_scratch() and len(full_reads) == 1
    assert not any(c.victim_id in v for v in blocks.values()) or c.victim_id == a.victim_id
    # an unmerge splits it off again
    from kuager.records import models as m

    kept = m.Victim.objects.get(public_id=merged.victims[0])
    review.unmerge(kept, [c.key], user=users["editor"], note="different people after all")
    assert ws._name_key_blocks() == _from_scratch() and len(full_reads) == 1
