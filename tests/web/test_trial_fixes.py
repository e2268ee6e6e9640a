"""Defects a new-user trial found (issue #5): each test failed before its fix.

All facilities and people here are invented.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kuager.records import models as m


def _client(role, password):
    c = Client()
    assert c.login(username=f"{role}1", password=password)
    return c


def _camp(**kw):
    ds, _ = m.Source.objects.get_or_create(key="test-camps", defaults={"title": "Invented facilities dataset",
                                                                         "kind": "dataset"})
    return m.Facility.objects.create(dataset=ds, **kw)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["public", "viewer"])
def test_facility_sketch_keeps_decimal_points_in_russian(who, users, password):
    # lon 85.1565, lat 45.6987 in the box lon 73-97 (600 px), lat 34-50 (360 px):
    # x = (85.1565 - 73) / 24 * 600 = 303.9125 -> 303.9; y = (50 - 45.6987) / 16 * 360 = 96.779 -> 96.8
    _camp(source_id="F-9", name="Invented camp", latitude=45.6987, longitude=85.1565)
    c = Client() if who == "public" else _client("viewer", password)
    url = "/public/facilities/" if who == "public" else "/facilities/"
    html = c.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="ru"' in html
    assert '<circle cx="303.9" cy="96.8"' in html
    assert "45.6987, 85.1565" in html
    assert not re.search(r'(cx|cy|width|height)="\d+,\d', html)


@pytest.mark.django_db
def test_admin_lists_the_records_and_serves_its_styles(users, sample, login_user):
    c = login_user(Client(), users["admin"])
    home = c.get("/admin/").content.decode()
    for model in ("victim", "mention", "testimony", "testifier", "event", "appeal", "document", "facility",
                  "place", "source", "judgement", "reviewcandidate", "custodyentry"):
        assert f'href="/admin/records/{model}/"' in home, model
    assert 'href="/admin/audit/auditentry/"' in home
    r = c.get("/admin/records/victim/")
    assert r.status_code == 200
    assert sample["public"].public_id in r.content.decode()
    v = sample["public"]
    assert c.get(f"/admin/records/victim/{v.pk}/change/").status_code == 200
    assert c.get(f"/admin/records/mention/{v.mentions.first().pk}/change/").status_code == 200
    assert c.get(f"/admin/records/testimony/{sample['volunteer_testimony'].pk}/change/").status_code == 200
    assert c.get("/admin/records/mention/?q=Gulmira").status_code == 200
    # the admin's stylesheet answers under the app's own URLs (runserver without DEBUG serves none)
    css = Client().get("/static/admin/css/base.css")
    assert css.status_code == 200 and b"body" in b"".join(css.streaming_content)


@pytest.mark.django_db
def test_admin_keeps_witness_contacts_out_of_lists_and_the_audit_log_read_only(users, record, login_user):
    from kuager.audit.models import AuditEntry

    t = record(["Invented Person"], testifier="Invented Witness")
    t.testifier.contact = "+7 700 000 0001 (invented)"
    t.testifier.save()
    editor = login_user(Client(), users["editor"])
    listing = editor.get("/admin/records/testifier/").content.decode()
    assert "+7 700 000 0001" not in listing and "Invented Witness" not in listing
    form = editor.get(f"/admin/records/testifier/{t.testifier.pk}/change/")
    assert form.status_code == 200  # editors hold records.view_confidential: the contact is theirs to correct
    # the audit log: admins read it; nobody adds, changes or deletes an entry here
    admin_client = login_user(Client(), users["admin"])
    entry = AuditEntry.objects.order_by("seq").first()
    assert entry is not None
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    change = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"actor": "someone else"})
    assert AuditEntry.objects.get(pk=entry.pk).actor == entry.actor
    assert change.status_code == 403
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    # a document's original is never replaced here, nor a document added
    assert admin_client.get("/admin/records/document/add/").status_code == 403
    # judgements go through the review service
    assert editor.get("/admin/records/judgement/add/").status_code == 403
    # a viewer is no staff member: no admin
    viewer = Client()
    viewer.force_login(users["viewer"])
    assert viewer.get("/admin/records/victim/").status_code == 302


@pytest.mark.django_db
def test_facility_picker_finds_latin_town_names_and_labels_are_unique(users, password):
    from kuager.web.selectors import facility_options

    # the gazetteer writes Yining City (伊宁市) in Latin script as Qūlja (Kazakh), Ghulja (Uyghur) and,
    # in English, Ghulja, Gulja, Kulja, Kuldja, Yining, Yining City: each once, the town itself not repeated
    yining = _camp(source_id="F-1", name="Invented camp", town="Yining City", prefecture="Ili")
    a = _camp(source_id="702", sub_id="A", name="Invented twin", town="Gongliu", prefecture="Ili",
              facility_type="camp")
    b = _camp(source_id="1060", sub_id="B", name="Invented twin", town="Gongliu", prefecture="Ili",
              facility_type="detention center")
    labels = dict(facility_options())
    assert labels[yining.id] == ("Invented camp · Yining City (Құлжа / غۇلجا / 伊宁市 / Qūlja / Ghulja / Gulja / "
                                 "Kulja / Kuldja / Yining) · Ili")
    assert labels[a.id].startswith("Invented twin (camp; 702 A) · Gongliu (")
    assert labels[b.id].startswith("Invented twin (detention center; 1060 B) · Gongliu (")
    assert len(set(labels.values())) == 3
    # the search form's facility field takes letters on a phone (no numeric keypad)
    html = _client("viewer", password).get("/victims/").content.decode()
    field = html.split('name="facility"')[1].split(">")[0]
    assert "inputmode" not in field


@pytest.mark.django_db
def test_a_facility_filter_that_is_no_number_matches_nobody(sample, users, password):
    c = _client("viewer", password)
    everyone = c.get("/victims/").content.decode()
    pid = sample["public"].public_id
    assert pid in everyone
    bad = c.get("/victims/?facility=Ghulja").content.decode()
    assert "Enter a whole number." in bad
    assert pid not in bad and sample["latin"].public_id not in bad
    r = c.get("/api/victims/?facility=Yining")
    assert r.status_code == 400
    assert "facility" in r.json() and "Yining" in r.json()["facility"][0]
    assert c.get("/api/victims/?year=18").status_code == 400
    assert Client().get("/api/public/victims/?facility=Yining").status_code == 400
    assert c.get("/api/victims/?facility=").status_code == 200  # empty: no filter
    ok = c.get("/api/victims/?year=2100").json()
    assert ok["count"] == 0


@pytest.mark.django_db
def test_api_docs_read_as_plain_text():
    html = Client().get("/api/docs/").content.decode()
    assert "Authorization: Token &lt;key&gt;." in html
    assert ":func:" not in html and ":mod:" not in html and ":class:" not in html and "``" not in html
    assert "Kuager API <span" in html and "Kuager API 1<" not in html
    rows = {}
    for row in html.split("<tr>")[2:]:
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        rows[(re.sub("<.*?>", "", cells[0]), re.sub("<.*?>", "", cells[1]))] = cells[3]
    get, post = rows[("GET", "/api/testimonies/")], rows[("POST", "/api/testimonies/")]
    assert get != post
    assert post.startswith("Record a testimony") and get.startswith("The testimonies the user may open")
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert ":func:`" not in schema and ":mod:`" not in schema


@pytest.mark.django_db
def test_api_events_carry_their_facility_and_unknown_fields_are_refused(users):
    from rest_framework.test import APIClient

    from kuager.records.services.roles import api_token

    camp = _camp(source_id="F-3", name="Invented camp", town="Yining City", prefecture="Ili")
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token('editor1')}")
    body = {"testifier_name": "Invented Relative", "consent": "full",
            "victims": [{"names": ["Invented Person"], "events": [
                {"kind": "detained_camp", "date_text": "May 2018", "facility": camp.id}]}]}
    r = c.post("/api/testimonies/", body, format="json")
    assert r.status_code == 400
    # DRF keys a nested list's errors by the item's position
    assert r.json()["victims"]["0"]["events"]["0"]["facility"][0].startswith("unknown field; did you mean facility_id?")
    assert not m.Testimony.objects.exists()
    r = c.post("/api/testimonies/", dict(body, colour="red"), format="json")
    assert r.status_code == 400 and "colour" in r.json()
    body["victims"][0]["events"][0] = {"kind": "detained_camp", "date_text": "May 2018", "facility_id": camp.id}
    r = c.post("/api/testimonies/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["victims"][0]["events"][0]["facility"] == {"id": camp.id, "name": "Invented camp"}
    public_id = r.json()["victims"][0]["public_id"]
    entry = c.get(f"/api/victims/{public_id}/").json()["timeline"][0]
    assert entry["facility"] == {"id": camp.id, "name": "Invented camp"} and entry["date"] == "May 2018"


@pytest.mark.django_db
def test_the_site_has_an_icon():
    r = Client().get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert r.content.startswith(b"<svg") and b"#8a3b12" in r.content
    assert '<link rel="icon" href="/favicon.ico"' in Client().get("/public/").content.decode()


@pytest.mark.django_db
def test_a_name_corrected_in_the_admin_is_found_by_its_new_spelling(users, record, login_user):
    from kuager.records.selectors import search_victims

    v = record(["Gulnaar Tursyn"]).mentions.get().victim
    name = m.MentionName.objects.get(mention__victim=v)
    c = login_user(Client(), users["editor"])
    r = c.post(f"/admin/records/mentionname/{name.pk}/change/", {"text": "Aigerim Tursyn", "script": "Latin",
                                                                  "position": 0})
    assert r.status_code == 302, r.content.decode()[:2000]
    found = search_victims("Aigerim Tursyn")
    assert [x.id for x in found] == [v.id]
