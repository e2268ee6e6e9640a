"""A victim a volunteer's intake creates waits for an editor to publish it (issue 5)."""

import pytest
from rest_framework.test import APIClient

from kuager.records.services import intake, review

pytestmark = pytest.mark.django_db


def _public_ids(client) -> set[str]:
    return {row["public_id"] for row in client.get("/api/public/victims/").json()["results"]}


def _on_public_site(client, v) -> bool:
    shown = v.public_id in client.get("/public/victims/").content.decode()
    assert shown == (client.get(f"/public/victims/{v.public_id}/").status_code == 200)
    return shown


def test_volunteer_intake_waits_for_an_editor_then_shows_under_full_consent(record, users, client, login_user):
    v = record(["Invented Waitingkyzy"], consent="full", user=users["volunteer"]).mentions.get().victim
    assert not v.published
    assert not _on_public_site(client, v) and v.public_id not in _public_ids(APIClient())
    # the team sees the badge, and editors find it with ?published=no
    login_user(client, users["editor"])
    assert "waiting for an editor" in client.get(f"/victims/{v.public_id}/").content.decode()
    assert v.public_id in client.get("/victims/", {"published": "no"}).content.decode()
    r = client.post(f"/victims/{v.public_id}/publication/", {"published": "on"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.published
    assert v.public_id not in client.get("/victims/", {"published": "no"}).content.decode()
    client.logout()
    assert _on_public_site(client, v) and v.public_id in _public_ids(APIClient())


def test_no_consent_is_never_shown_even_when_published(record, users, client):
    v = record(["Invented Silentkyzy"], consent="none", user=users["volunteer"]).mentions.get().victim
    review.set_publication(v, published=True)
    assert not _on_public_site(client, v) and v.public_id not in _public_ids(APIClient())


@pytest.mark.parametrize("who", ["editor", "admin", None])
def test_editors_admins_and_imports_publish_at_once(record, users, who):
    v = record(["Invented Directkyzy"], user=users[who] if who else None).mentions.get().victim
    assert v.published


def test_volunteer_api_intake_is_not_published(users):
    c = APIClient()
    c.force_authenticate(users["volunteer"])
    r = c.post("/api/testimonies/", {"testifier_name": "Invented Testifier", "consent": "full",
                                     "victims": [{"names": ["Invented Apikyzy"]}]}, format="json")
    assert r.status_code == 201, r.content
    from kuager.records import models as m

    v = m.Testimony.objects.get(number=r.json()["number"]).mentions.get().victim
    assert not v.published and v.public_id not in _public_ids(APIClient())


def test_publishes_on_intake():
    assert intake.publishes_on_intake(None)
