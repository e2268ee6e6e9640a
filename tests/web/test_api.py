"""The JSON API: token auth, role rules, a testimony recorded through it, redaction, the OpenAPI schema.

All people here are invented.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from kuager.records import models as m
from kuager.records.services.roles import api_token

MARKER = "Зухра Секретқызы"  # an invented name that only confidential records carry
MARKER_LATIN = "Zukhra Sekretkyzy"  # the same name in Latin letters, for searching


def _client(username: str | None) -> APIClient:
    c = APIClient()
    if username:
        c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(username)}")
    return c


@pytest.mark.django_db
def test_token_is_required_and_a_wrong_one_refused(sample):
    assert _client(None).get("/api/victims/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert bad.get("/api/victims/").status_code == 401
    assert _client("viewer1").get("/api/victims/").status_code == 200


@pytest.mark.django_db
def test_each_token_is_new_and_reset_revokes_the_others(users):
    first = api_token("viewer1")
    second = api_token("viewer1")  # only hashes are kept, so each call issues a new token
    assert second != first and len(first) == 40
    assert _client(None).get("/api/victims/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 200
    new = api_token("viewer1", reset=True)
    assert new not in (first, second)
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get("/api/victims/").status_code == 401


#: endpoint -> roles that get 200 (GET)
GET_RULES = {
    "/api/victims/": {"admin", "editor", "viewer"},
    "/api/dashboard/": {"admin", "editor", "viewer"},
    "/api/testimonies/": {"admin", "editor", "viewer", "volunteer"},
    "/api/names/?q=Gulmira": {"admin", "editor", "viewer", "volunteer"},
    "/api/review/candidates/": {"admin", "editor"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "editor", "viewer", "volunteer"])
def test_permissions_per_role(role, sample):
    c = _client(f"{role}1")
    for url, allowed in GET_RULES.items():
        assert c.get(url).status_code == (200 if role in allowed else 403), (role, url)
    pub, conf = sample["public"].public_id, sample["confidential"].public_id
    assert c.get(f"/api/victims/{pub}/").status_code == (200 if role != "volunteer" else 403)
    expected_conf = {"admin": 200, "editor": 200, "viewer": 404, "volunteer": 403}[role]
    assert c.get(f"/api/victims/{conf}/").status_code == expected_conf
    r = c.post(f"/api/victims/{pub}/publication/", {"published": False}, format="json")
    assert r.status_code == (200 if role in ("admin", "editor") else 403)
    sample["public"].refresh_from_db()
    assert sample["public"].published is (role not in ("admin", "editor"))


@pytest.mark.django_db
def test_volunteer_reads_only_own_testimonies(sample):
    c = _client("volunteer1")
    own = sample["volunteer_testimony"].number
    other = sample["no_consent"].mentions.get().testimony.number
    numbers = [t["number"] for t in c.get("/api/testimonies/").json()["results"]]
    assert numbers == [own]
    assert c.get(f"/api/testimonies/{own}/").status_code == 200
    assert c.get(f"/api/testimonies/{other}/").status_code == 404


@pytest.mark.django_db
def test_viewer_may_not_record_a_testimony(users):
    r = _client("viewer1").post("/api/testimonies/", {"victims": [{"names": ["Test Person"]}]}, format="json")
    assert r.status_code == 403
    assert not m.Testimony.objects.exists()


@pytest.mark.django_db
def test_testimony_through_the_api_is_found_by_a_latin_spelling(users):
    c = _client("volunteer1")
    body = {
        "testifier_name": "Invented Relative", "consent": "full", "recorded_on_text": "2019-03-01",
        "victims": [{"names": ["Бақытгүл Жомартқызы"], "sex": "female", "birth_date_text": "1975",
                     "relation_of_testifier": "sister",
                     "events": [{"kind": "detained_camp", "date_text": "May 2018"}]}],
    }
    r = c.post("/api/testimonies/", body, format="json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["number"] == "K-00001"
    assert created["victims"][0]["names"] == ["Бақытгүл Жомартқызы"]
    assert created["victims"][0]["events"] == [{"kind": "detained_camp", "date": "May 2018", "place": "",
                                                "facility": None}]
    t = m.Testimony.objects.get(number="K-00001")
    assert t.recorded_by == users["volunteer"]
    public_id = created["victims"][0]["public_id"]
    found = _client("viewer1").get("/api/victims/", {"q": "Bakytgul Zhomartkyzy"}).json()
    assert [row["public_id"] for row in found["results"]] == [public_id]
    assert found["results"][0]["name"] == "Бақытгүл Жомартқызы"


@pytest.mark.django_db
def test_bad_input_is_refused_and_nothing_written(users):
    c = _client("volunteer1")
    r = c.post("/api/testimonies/", {"victims": [{"names": ["Айнұр Есенқызы"], "chinese_id": "123"}]},
               format="json")
    assert r.status_code == 400 and r.json()["field"] == "victims[0].chinese_id"
    assert c.post("/api/testimonies/", {"victims": []}, format="json").status_code == 400
    assert not m.Testimony.objects.exists()


@pytest.mark.django_db
def test_no_confidential_marker_in_a_viewers_answers(sample, record):
    conf_t = record([MARKER], consent="full", confidential=True, testifier=MARKER)
    conf_v = record([MARKER], consent="full", victim_confidential=True).mentions.get().victim
    mixed = record(["Сәуле Тілеуқызы"], consent="full", testifier="Visible Testifier")
    mixed_mn = mixed.mentions.get()
    mixed_mn.description = MARKER
    mixed_mn.save()
    m.Testimony.objects.filter(pk=conf_t.pk).update(original_text=MARKER)
    viewer, editor = _client("viewer1"), _client("editor1")
    urls = ["/api/victims/", "/api/victims/?q=" + MARKER_LATIN, "/api/dashboard/", "/api/testimonies/",
            f"/api/testimonies/{conf_t.number}/", f"/api/victims/{conf_v.public_id}/",
            f"/api/victims/{conf_t.mentions.get().victim.public_id}/", "/api/names/?q=" + MARKER_LATIN]
    seen_by_editor = ""
    for url in urls:
        r = viewer.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        assert MARKER not in r.content.decode(), url
        seen_by_editor += editor.get(url).content.decode()
    assert MARKER in seen_by_editor  # the marker is really there for those who may see it


@pytest.mark.django_db
def test_viewer_does_not_get_a_testifiers_contact(sample):
    own = sample["volunteer_testimony"]
    own.testifier.contact = "+7 700 000 0000"
    own.testifier.save()
    viewer = _client("viewer1").get(f"/api/testimonies/{own.number}/").json()
    assert "testifier_contact" not in viewer
    volunteer = _client("volunteer1").get(f"/api/testimonies/{own.number}/").json()
    assert volunteer["testifier_contact"] == "+7 700 000 0000"


@pytest.mark.django_db
def test_editor_decides_a_pair_through_the_api(record, users):
    a = record(["Мұрат Қасымұлы"]).mentions.get().victim
    b = record(["Murat Kasymuly"]).mentions.get().victim
    c = _client("editor1")
    pairs = c.get("/api/review/candidates/").json()["results"]
    assert {(p["a"], p["b"]) for p in pairs} == {(a.public_id, b.public_id)}
    r = c.post("/api/review/decisions/", {"a": a.public_id, "b": b.public_id, "decision": "same"}, format="json")
    assert r.status_code == 200 and len(r.json()["victims"]) == 1
    assert m.Victim.objects.filter(mentions__isnull=False).distinct().count() == 1
    assert _client("viewer1").post("/api/review/decisions/", {"a": a.public_id, "b": b.public_id,
                                                               "decision": "different"},
                                   format="json").status_code == 403


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client):
    from drf_spectacular.validation import validate_schema

    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    assert {"/api/victims/", "/api/testimonies/", "/api/victims/{public_id}/"} <= set(schema["paths"])
    assert "post" in schema["paths"]["/api/testimonies/"]
    docs = client.get("/api/docs/").content.decode()
    assert "/api/testimonies/" in docs and "http://" not in docs.replace("http://testserver", "")


@pytest.mark.django_db
def test_appeal_victims_are_numbered_from_1_as_an_uploads_victim(users):
    c = _client("volunteer1")
    body = {"consent": "full",
            "victims": [{"names": ["Invented Firstperson"]}, {"names": ["Invented Secondperson"]}],
            "appeals": [{"authority": "Invented Procuracy", "victims": [2]}]}
    r = c.post("/api/testimonies/", body, format="json")
    assert r.status_code == 201, r.content
    appeal = m.Appeal.objects.get()
    assert [n.text for mn in appeal.mentions.all() for n in mn.names.all()] == ["Invented Secondperson"]

    r = c.post("/api/testimonies/", {**body, "appeals": [{"authority": "Invented Procuracy", "victims": [3]}]},
               format="json")
    assert r.status_code == 400 and r.json()["field"] == "appeals[0].victims"
    assert "no victim 3" in r.json()["detail"]
    r = c.post("/api/testimonies/", {**body, "appeals": [{"authority": "Invented Procuracy", "victims": [0]}]},
               format="json")
    assert r.status_code == 400 and "appeals" in r.json()
    assert m.Testimony.objects.count() == 1


@pytest.mark.django_db
def test_schema_says_appeal_victims_start_at_1(client):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    victims = json.loads(r.content)["components"]["schemas"]["AppealInput"]["properties"]["victims"]
    assert victims["items"]["minimum"] == 1 and "1 for the first" in victims["description"]


def test_api_root_is_a_json_index_and_unknown_paths_a_json_404(client):
    r = client.get("/api/")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    index = r.json()
    assert index["schema"] == "http://testserver/api/schema/" and index["docs"] == "http://testserver/api/docs/"
    assert index["endpoints"]["victims"] == "http://testserver/api/victims/"
    assert index["endpoints"]["testimony_documents"] == "http://testserver/api/testimonies/{number}/documents/"
    r = client.get("/api/no-such-thing/")
    assert r.status_code == 404 and r.json()["detail"] == "no such API endpoint"
    assert client.get("/api/victims/").status_code == 401  # the real endpoints still answer
