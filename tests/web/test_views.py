"""What the pages show: intake through the form, search in any script, redaction, review flow."""

from __future__ import annotations

import pytest
from django.test import Client

from kuager.records import models as m


def _client(role, password):
    c = Client()
    assert _LOGIN(c, f"{role}1", password)
    return c


_LOGIN = None


@pytest.fixture(autouse=True)
def _two_factor_login(login):
    """Editors and admins log in with a TOTP code after the password (the ``login`` fixture)."""
    global _LOGIN
    _LOGIN = login


INTAKE_POST = {
    "t-testifier_name": "Invented Sister", "t-recorded_on_text": "2019-04-02", "t-channel": "interview",
    "t-consent": "full", "victim_count": "2", "appeal_count": "1",
    "v1-names": "Гүлмира Әділқызы\nGulmira Adilkyzy", "v1-sex": "female", "v1-birth_date_text": "1979",
    "v1-ethnicity": "Kazakh", "v1-event_count": "2",
    "v1-e1-kind": "detained_camp", "v1-e1-date_text": "mid-2018", "v1-e1-place_text": "Tekes",
    "v1-e2-kind": "", "v1-e2-date_text": "",
    "v2-names": "古丽米拉", "v2-event_count": "1", "v2-e1-kind": "lost_contact", "v2-e1-date_text": "2017 or 2018",
    "a1-authority": "Ministry of Foreign Affairs of Kazakhstan", "a1-date_text": "2019-01", "a1-response_status": "none",
}


@pytest.mark.django_db
def test_intake_form_saves_a_testimony_with_two_victims(users, password):
    c = _client("volunteer", password)
    r = c.post("/intake/", INTAKE_POST)
    assert r.status_code == 302 and r["Location"] == "/testimonies/K-00001/"
    t = m.Testimony.objects.get(number="K-00001")
    assert t.recorded_by == users["volunteer"]
    m1, m2 = t.mentions.order_by("key")
    assert [n.text for n in m1.names.all()] == ["Гүлмира Әділқызы", "Gulmira Adilkyzy"]
    assert [n.script for n in m2.names.all()] == ["Han"]
    assert list(m1.events.values_list("kind", "date_text")) == [("detained_camp", "mid-2018")]
    assert t.appeals.get().mentions.count() == 2
    page = c.get(r["Location"]).content.decode()
    assert "Гүлмира Әділқызы" in page and "古丽米拉" in page


@pytest.mark.django_db
def test_intake_form_shows_errors_and_writes_nothing(users, password):
    c = _client("volunteer", password)
    bad = dict(INTAKE_POST, **{"v1-e1-date_text": "when the snow fell", "v2-chinese_id": "110105194912310021"})
    r = c.post("/intake/", bad)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Not a date we can read" in page and "Not a valid Chinese ID number" in page
    assert "when the snow fell" in page  # what was typed is kept
    assert m.Testimony.objects.count() == 0


@pytest.mark.django_db
def test_lookup_finds_any_script_and_hides_confidential(sample, record, users, password):
    record(["Гүлмира Әділқызы"], victim_confidential=True, testifier="Secret Person")
    c = _client("volunteer", password)
    data = c.get("/intake/lookup/", {"q": "Гүлмира Әділқызы"}).json()
    ids = [x["public_id"] for x in data["matches"]]
    assert ids == [sample["latin"].public_id]  # the confidential twin is not offered
    assert data["matches"][0]["name"] == "Gulmira Adilkyzy"
    assert set(data["matches"][0]) == {"public_id", "name", "other_names", "birth", "testimonies",
                                       "testimonies_text"}
    assert (data["matches"][0]["testimonies"], data["matches"][0]["testimonies_text"]) == (1, "1 testimony")


@pytest.mark.django_db
def test_search_by_spelling_chinese_id_and_filters(record, users, password):
    v1 = record(["Гүлмира Әділқызы"], chinese_id="11010519491231002X", events=[("detained_camp", "May 2018")],
                ethnicity="Kazakh").mentions.get().victim
    v2 = record(["Erlan Serikuly"], events=[("released", "2019")], ethnicity="Uyghur").mentions.get().victim
    c = _client("viewer", password)
    page = c.get("/victims/", {"q": "Gulmira Adilkyzy"}).content.decode()
    assert v1.public_id in page and v2.public_id not in page
    page = c.get("/victims/", {"q": "11010519491231002X"}).content.decode()
    assert v1.public_id in page and v2.public_id not in page
    page = c.get("/victims/", {"ethnicity": "Uyghur"}).content.decode()
    assert v2.public_id in page and v1.public_id not in page
    page = c.get("/victims/", {"status": "detained_camp"}).content.decode()
    assert v1.public_id in page and v2.public_id not in page
    page = c.get("/victims/", {"year": "2019"}).content.decode()
    assert v2.public_id in page and v1.public_id not in page


@pytest.mark.django_db
def test_public_site_honours_consent_and_confidentiality(sample, password):
    c = Client()
    listing = c.get("/public/victims/").content.decode()
    assert sample["public"].public_id in listing and sample["latin"].public_id in listing
    assert sample["no_consent"].public_id not in listing and sample["confidential"].public_id not in listing
    assert "Нұрлан" not in listing and "Жанар" not in listing
    assert c.get(f"/public/victims/{sample['no_consent'].public_id}/").status_code == 404
    assert c.get(f"/public/victims/{sample['confidential'].public_id}/").status_code == 404
    found = c.get("/public/victims/", {"q": "Нұрлан Бекұлы"}).content.decode()
    assert sample["no_consent"].public_id not in found and "No victims match." in found
    page = c.get(f"/public/victims/{sample['public'].public_id}/").content.decode()
    assert "Айгерім Серікқызы" in page and "Invented Testifier" in page  # full consent: testifier named
    stats = c.get("/public/statistics/").content.decode()
    assert '<div class="n" id="count-victims">2</div>' in stats
    assert "BuzzFeed News, Xinjiang camps data (CC BY 4.0)" in c.get("/public/methodology/").content.decode()


@pytest.mark.django_db
def test_viewer_sees_unpublished_but_not_confidential(sample, password):
    c = _client("viewer", password)
    listing = c.get("/victims/").content.decode()
    assert sample["no_consent"].public_id in listing and sample["confidential"].public_id not in listing
    editor = _client("editor", password)
    assert sample["confidential"].public_id in editor.get("/victims/").content.decode()


@pytest.mark.django_db
def test_review_queue_merge_and_unmerge_through_the_pages(sample, record, users, password):
    cyr = record(["Гүлмира Әділқызы"], consent="anonymous", birth="1985").mentions.get()
    c = _client("editor", password)
    queue = c.get("/review/").content.decode()
    latin = sample["latin"]
    assert f"/review/{latin.public_id}/{cyr.victim.public_id}/" in queue
    pair = c.get(f"/review/{latin.public_id}/{cyr.victim.public_id}/").content.decode()
    assert 'class="differ"' in pair  # born 1980 and 1985
    assert 'class="agree"' in pair  # both Kazakh
    r = c.post(f"/review/{latin.public_id}/{cyr.victim.public_id}/", {"decision": "same", "note": "same photo"})
    cyr.refresh_from_db()
    assert cyr.victim_id == latin.id and r["Location"] == f"/victims/{latin.public_id}/"
    assert f"/review/{latin.public_id}/" not in c.get("/review/").content.decode()  # decided: out of the queue
    r = c.post(f"/victims/{latin.public_id}/unmerge/", {"mentions": [cyr.key], "note": "not her"})
    cyr.refresh_from_db()
    assert r.status_code == 302 and cyr.victim_id != latin.id
    assert m.Mention.objects.filter(victim=latin).count() == 1


@pytest.mark.django_db
def test_names_are_escaped(record, users, password):
    v = record(["<script>alert(1)</script> Aruzhan"]).mentions.get().victim
    page = _client("viewer", password).get(f"/victims/{v.public_id}/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


@pytest.mark.django_db
def test_script_preference_orders_names(record, users, password):
    v = record(["Gulnar Tursyn", "Гүлнар Тұрсын"]).mentions.get().victim
    c = _client("viewer", password)
    c.post("/preferences/script/", {"script": "Cyrillic", "next": "/victims/"})
    page = c.get(f"/victims/{v.public_id}/").content.decode()
    assert page.index("Гүлнар Тұрсын") < page.index("Gulnar Tursyn")


@pytest.mark.django_db
def test_intake_offers_facilities_by_town_in_any_script(users, password):
    # an invented facility in Yining (伊宁市, Құлжа in Kazakh): the picker's label carries the town's other
    # names from the gazetteer, so a volunteer typing Құлжа finds it; the value sent is the facility's id
    ds = m.Source.objects.create(key="test-camps", title="Invented facilities dataset", kind="dataset")
    camp = m.Facility.objects.create(dataset=ds, source_id="F-1", name="Invented camp", town="Yining City",
                                     prefecture="Ili")
    c = _client("volunteer", password)
    page = c.get("/intake/").content.decode()
    assert 'list="facility-options"' in page
    assert f'<option value="{camp.id}">Invented camp · Yining City (Құлжа / ' in page
    assert "伊宁市" in page.split(f'<option value="{camp.id}">')[1].split("</option>")[0]
    post = dict(INTAKE_POST, **{"v1-e1-facility": str(camp.id)})
    r = c.post("/intake/", post)
    assert r.status_code == 302
    assert m.Event.objects.get(kind="detained_camp").facility == camp
    r = c.post("/intake/", dict(INTAKE_POST, **{"v1-e1-facility": "Yining"}))  # typed, not picked
    assert r.status_code == 200 and "Pick a facility from the list" in r.content.decode()


@pytest.mark.django_db
def test_search_form_offers_the_facility_picker(users, password):
    ds = m.Source.objects.create(key="test-camps", title="Invented facilities dataset", kind="dataset")
    camp = m.Facility.objects.create(dataset=ds, source_id="F-2", name="Invented prison", town="Tacheng",
                                     prefecture="Tacheng")
    for page in (_client("viewer", password).get("/victims/"), Client().get("/public/victims/")):
        html = page.content.decode()
        assert 'list="facility-options"' in html
        # Tacheng's Kazakh name is Шәуешек (the gazetteer's form); the prefecture equal to the town is not repeated
        label = html.split(f'<option value="{camp.id}">')[1].split("</option>")[0]
        assert label.startswith("Invented prison · Tacheng (") and "Шәуешек" in label and label.endswith(")")
