"""A review decision changes only the victims it concerns; ids stay with the person; old ids redirect.

All people here are invented. Each intake testimony makes a victim of its own
(V-00001, V-00002, ... in the order recorded: the id counter starts afresh in each test).
"""

from __future__ import annotations

import pytest

from kuager.audit.models import AuditEntry
from kuager.records import models as m
from kuager.records.services import review
from kuager.web import selectors as wsel


def _holders():
    """{public id: sorted mention keys} for every victim."""
    out: dict[str, list[str]] = {}
    for pid, key in m.Mention.objects.values_list("victim__public_id", "key"):
        out.setdefault(pid, []).append(key)
    return {k: sorted(v) for k, v in out.items()}


@pytest.fixture
def queue_people(record, users):
    """The trial's shape with invented people: a Latin name, its Cyrillic spelling twice, a test name four times."""
    latin = record(["Saule Temirkyzy"], user=users["volunteer"])           # V-00001
    t1 = record(["Trial Person"], user=users["volunteer"])                 # V-00002
    cyr1 = record(["Сәуле Темірқызы"], user=users["volunteer"])            # V-00003
    t2 = record(["Trial Person"], user=users["volunteer"])                 # V-00004
    t3 = record(["Trial Person"], user=users["volunteer"])                 # V-00005
    t4 = record(["Trial Person"], user=users["volunteer"])                 # V-00006
    cyr2 = record(["Сәуле Темірқызы"], user=users["volunteer"])            # V-00007
    keys = {n: t.mentions.get().key for n, t in
            [("latin", latin), ("t1", t1), ("cyr1", cyr1), ("t2", t2), ("t3", t3), ("t4", t4), ("cyr2", cyr2)]}
    ids = {n: t.mentions.get().victim.public_id for n, t in
           [("latin", latin), ("t1", t1), ("cyr1", cyr1), ("t2", t2), ("t3", t3), ("t4", t4), ("cyr2", cyr2)]}
    assert ids == {"latin": "V-00001", "t1": "V-00002", "cyr1": "V-00003", "t2": "V-00004", "t3": "V-00005",
                   "t4": "V-00006", "cyr2": "V-00007"}
    return keys


@pytest.mark.django_db
def test_same_on_one_pair_merges_only_that_pair(queue_people, users, client, login_user):
    k = queue_people
    assert len(wsel._review_candidates()) >= 7  # the Trial Person pairs and the Saule pairs wait in the queue
    audit_from = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    login_user(client, users["editor"])
    r = client.post("/review/V-00001/V-00007/", {"decision": "same", "note": "same ID copy"})
    assert r.status_code == 302 and r["Location"].endswith("/victims/V-00001/")
    # only V-00007 went into V-00001 (1 mention each: the older victim keeps its id); nobody else moved
    assert _holders() == {"V-00001": sorted([k["latin"], k["cyr2"]]), "V-00002": [k["t1"]],
                          "V-00003": [k["cyr1"]], "V-00004": [k["t2"]], "V-00005": [k["t3"]],
                          "V-00006": [k["t4"]]}
    # the undecided pairs are still waiting for an editor
    left = {(c.a.public_id, c.b.public_id) for c in wsel._review_candidates()}
    assert ("V-00002", "V-00004") in left and ("V-00001", "V-00003") in left
    # the audit log holds what the editor did, and only that
    entries = list(AuditEntry.objects.filter(seq__gt=audit_from).exclude(action__startswith="view")
                   .order_by("seq").values_list("action", "object_key", "actor"))
    merges = [e for e in entries if e[0] in ("merge", "delete", "unmerge", "create")]
    assert merges == [("merge", "V-00001", "web:editor1"), ("delete", "V-00007", "web:editor1")]
    assert ("judgement", "V-00001 V-00007", "web:editor1") in entries


@pytest.mark.django_db
def test_different_moves_nothing_and_kuager_resolve_stays_the_bulk_path(queue_people):
    from kuager.records.services.resolution import resolve

    before = _holders()
    review.decide_pair(m.Victim.objects.get(public_id="V-00002"), m.Victim.objects.get(public_id="V-00004"),
                       "different")
    assert _holders() == before
    resolve(engine="rules")  # the documented bulk run joins what the rules find, honouring the decision
    after = _holders()
    k = queue_people
    # t1 joins t3 and t4 first; t2 is then kept apart from that group by the decision on t1/t2
    assert sorted(sorted(v) for v in after.values()) == sorted([
        sorted([k["latin"], k["cyr1"], k["cyr2"]]), sorted([k["t1"], k["t3"], k["t4"]]), [k["t2"]]])


@pytest.mark.django_db
def test_unmerge_keeps_the_id_with_the_original_person_and_old_ids_redirect(queue_people, users, client, login_user):
    k = queue_people
    v = lambda pid: m.Victim.objects.get(public_id=pid)  # noqa: E731
    review.decide_pair(v("V-00001"), v("V-00007"), "same")
    review.decide_pair(v("V-00001"), v("V-00003"), "same")
    assert _holders()["V-00001"] == sorted([k["latin"], k["cyr1"], k["cyr2"]])
    assert not v("V-00001").published  # recorded by a volunteer: the survivor's flag stands after the merge
    review.set_publication(v("V-00001"), published=True)  # the editor publishes it

    # merged-away ids answer 301 to the victim holding their mentions, pages and API alike
    r = client.get("/public/victims/V-00007/")
    assert r.status_code == 301 and r["Location"] == "/public/victims/V-00001/"
    r = client.get("/api/public/victims/V-00003/")
    assert r.status_code == 301 and r.json()["public_id"] == "V-00001"
    assert client.get("/public/victims/V-09999/").status_code == 404
    login_user(client, users["editor"])
    r = client.get("/api/victims/V-00007/")
    assert r.status_code == 301 and r["Location"] == "/api/victims/V-00001/"
    assert r.json() == {"detail": "merged", "public_id": "V-00001", "merged_from": "V-00007",
                        "url": "/api/victims/V-00001/"}

    # splitting the first mention off: the two others stay (most mentions) and keep V-00001
    review.unmerge(v("V-00001"), [k["latin"]], user=users["editor"])
    assert _holders() == {"V-00001": sorted([k["cyr1"], k["cyr2"]]), "V-00008": [k["latin"]],
                          "V-00002": [k["t1"]], "V-00004": [k["t2"]], "V-00005": [k["t3"]], "V-00006": [k["t4"]]}
    # one against one: the side with the earliest mention keeps the id; the old id follows its mention
    review.unmerge(v("V-00001"), [k["cyr1"]], user=users["editor"])
    assert _holders()["V-00001"] == [k["cyr1"]] and _holders()["V-00009"] == [k["cyr2"]]
    r = client.get("/victims/V-00007/")
    assert r.status_code == 301 and r["Location"] == "/victims/V-00009/"
    r = client.get("/victims/V-00003/")
    assert r.status_code == 301 and r["Location"] == "/victims/V-00001/"


@pytest.mark.django_db
def test_no_redirect_to_a_victim_the_reader_may_not_see(record):
    a = record(["Dana Omarqyzy"], consent="none").mentions.get().victim
    b = record(["Дана Омарқызы"], consent="none").mentions.get().victim
    review.decide_pair(a, b, "same")
    from django.test import Client

    assert Client().get(f"/public/victims/{b.public_id}/").status_code == 404
