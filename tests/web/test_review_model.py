"""The review queue shows the linkage model's probability, and says which model gave it.

People here are invented. Chinese ID numbers are made valid by the GB 11643-1999 check digit
computed here (weights 2^(17-i) mod 11, table "10X98765432").
"""

import json

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


def _cid(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def test_resolved_pairs_keep_their_probability_and_decided_pairs_leave():
    va, ma = _victim("V-00001", "X-1", "Бақыт Серікұлы")
    vb, mb = _victim("V-00002", "X-2", "Bakhyt Serikuly")   # shares a name key with V-00001
    vc, mc = _victim("V-00003", "X-3", "Нұрлан Әсетұлы")
    vd, md = _victim("V-00004", "X-4", "Zhanar Bolatkyzy")
    m.ReviewCandidate.objects.create(mention_a=mc, mention_b=md, probability=0.62, levels={"name": "differ"},
                                     model="records:20261101T100000Z:abc")
    m.ReviewCandidate.objects.create(mention_a=md, mention_b=mc, probability=0.55, levels={})
    got = {(c.a.public_id, c.b.public_id): c for c in ws._review_candidates()}
    assert set(got) == {("V-00003", "V-00004"), ("V-00001", "V-00002")}
    resolved = got[("V-00003", "V-00004")]
    assert resolved.score == pytest.approx(0.62)  # the best probability of the resolve run, as it was
    assert (resolved.keys, resolved.model, resolved.scored_now) == (["linkage model"], "records:20261101T100000Z:abc",
                                                                   False)
    # the pair no resolve run scored: scored now by the default model (no model trained on the records here)
    live = got[("V-00001", "V-00002")]
    assert live.scored_now and live.model.startswith("default:")
    assert live.levels["name"] in ("same full-name key", "names alike (similarity >= 0.9)")
    assert live.levels["birth"] == "unknown"
    # most probable first
    assert [c.score for c in ws._review_candidates()] == sorted((c.score for c in got.values()), reverse=True)
    m.Judgement.objects.create(mention_a=mc, mention_b=md, decision="different")
    assert [(c.a.public_id, c.b.public_id) for c in ws._review_candidates()] == [("V-00001", "V-00002")]


def test_new_intake_pairs_get_the_default_models_probability(record, users, client, login_user):
    """No resolve has run: the duplicate ranks first with a high probability, the namesake low."""
    first = record(["Гүлмира Әділқызы"], birth="1980", chinese_id=_cid("65402119800315002")).mentions.get()
    again = record(["Gulmira Adilkyzy"], birth="1980", chinese_id=_cid("65402119800315002"),
                   testifier="Invented Cousin").mentions.get()
    other = record(["Гүлмира Әділқызы"], birth="1961", chinese_id=_cid("65402119610715004"),
                   testifier="Invented Neighbour").mentions.get()
    login_user(client, users["editor"])
    page = client.get("/review/").content.decode()
    assert "model trained on synthetic data (default)" in page
    cands = ws._review_candidates()
    by_pair = {frozenset((c.a.id, c.b.id)): c for c in cands}
    dup = by_pair[frozenset((first.victim_id, again.victim_id))]
    namesake = by_pair[frozenset((first.victim_id, other.victim_id))]
    assert dup.score > 0.9 and namesake.score < 0.5
    assert cands[0] is dup
    assert dup.levels["chinese_id"] == "same chinese_id" and namesake.levels["birth"] == "birth years differ"

    # the pair page: the probability, the model's name, and what agrees and differs
    page = client.get(f"/review/{first.victim.public_id}/{again.victim.public_id}/").content.decode()
    assert "Probability that they are one person" in page and "name similarity" not in page
    assert "model trained on synthetic data (default)" in page
    assert "scored now, from the records as they are" in page
    assert "the same ID number" in page and "the same date of birth" in page  # the ID holds the date
    assert first.key in page and again.key in page  # the mentions compared are named
    page = client.get(f"/review/{first.victim.public_id}/{other.victim.public_id}/").content.decode()
    assert "years of birth more than 3 years apart" in page and "different ID numbers" in page

    # the decision keeps the probability the editor saw
    r = client.post(f"/review/{first.victim.public_id}/{again.victim.public_id}/",
                    {"decision": "same", "note": "same ID copy"})
    assert r.status_code == 302
    j = m.Judgement.objects.get(decision="same")
    assert j.score == pytest.approx(dup.score)

    # the API says which model and what agrees
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(users["editor"])
    res = api.get("/api/review/candidates/").json()["results"]
    assert res and all(r["model"].startswith("default:") and r["levels"] for r in res)


def test_a_model_trained_on_the_records_is_preferred(record, users, client, login_user):
    """Once kuager resolve has trained a model (HOME/linkage/latest.json), pairs are scored by it and
    the page says so with its date."""
    from kuager.linkage.saved import load_default_model
    from kuager.records.services import linkage_model

    a = record(["Айгүл Нұрланқызы"], birth="1975").mentions.get()
    b = record(["Aigul Nurlankyzy"], birth="1975", testifier="Invented Aunt").mentions.get()
    # stand-in for a trained model: the default's parameters saved the way resolve saves its own
    info = linkage_model.save_trained(load_default_model()["params"], mentions=250)
    assert linkage_model.current_model().key == info.key
    about = json.loads((linkage_model.model_dir() / "latest.about.json").read_text())
    assert about["mentions"] == 250
    login_user(client, users["editor"])
    page = client.get(f"/review/{a.victim.public_id}/{b.victim.public_id}/").content.decode()
    assert "model trained on your records on" in page and "synthetic" not in page
    (c,) = ws._review_candidates()
    assert c.model == info.key and c.score > 0.9


def test_a_live_score_follows_the_records(record):
    """Scores kept between requests are dropped when a victim's mentions change: a birth year
    corrected to one 25 years away turns a likely pair into an unlikely one."""
    a = record(["Нұрлан Әсетұлы"], birth="1970").mentions.get()
    b = record(["Nurlan Asetuly"], birth="1970", testifier="Invented Son").mentions.get()
    pair = tuple(sorted((a.victim_id, b.victim_id)))
    first = ws.pair_score(a.victim, b.victim)
    assert first.scored_now and first.levels["birth"] == "birth years agree"
    b.birth_year_min = b.birth_year_max = 1995
    b.birth_date_text = "1995"
    b.save()
    from kuager.records.services.linkage_model import current_model

    later = ws.live_scores([pair], current_model())[pair]
    assert later[1]["birth"] == "birth years differ"
    assert later[0] < first.score
