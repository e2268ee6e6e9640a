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


def test_search_keeps_the_unpublished_filter(record, users, client, login_user):
    """Pressing Search on /victims/?published=no keeps the filter (a hidden field in the form)."""
    waiting = record(["Invented Filterkyzy"], user=users["volunteer"]).mentions.get().victim
    shown = record(["Invented Filterkyzy"], user=users["editor"]).mentions.get().victim
    assert shown.published and not waiting.published
    login_user(client, users["editor"])
    page = client.get("/victims/", {"published": "no"}).content.decode()
    assert '<input type="hidden" name="published" value="no">' in page
    # what the form submits: the query and the hidden field
    found = client.get("/victims/", {"q": "Invented Filterkyzy", "published": "no"}).content.decode()
    assert waiting.public_id in found and shown.public_id not in found
    assert "Show all" in found
    # without the filter both are found, and the form carries no hidden field
    both = client.get("/victims/", {"q": "Invented Filterkyzy"}).content.decode()
    assert waiting.public_id in both and shown.public_id in both
    assert 'name="published"' not in both


def test_badge_tells_withheld_from_waiting(record, users, client, login_user):
    """A victim an editor unpublished says "withheld by an editor"; a volunteer's new one "waiting"."""
    waiting = record(["Invented Waitkyzy"], user=users["volunteer"]).mentions.get().victim
    withheld = record(["Invented Heldkyzy"], user=users["editor"]).mentions.get().victim
    assert withheld.published and not withheld.withheld and not waiting.withheld
    login_user(client, users["editor"])
    r = client.post(f"/victims/{withheld.public_id}/publication/", {})  # the box unticked: withhold
    assert r.status_code == 302
    withheld.refresh_from_db()
    assert not withheld.published and withheld.withheld
    page = client.get(f"/victims/{withheld.public_id}/").content.decode()
    assert "withheld by an editor" in page and "waiting for an editor" not in page
    page = client.get(f"/victims/{waiting.public_id}/").content.decode()
    assert "waiting for an editor" in page and "withheld by an editor" not in page
    listing = client.get("/victims/", {"published": "no"}).content.decode()
    assert withheld.public_id in listing and waiting.public_id in listing
    assert listing.count("withheld by an editor") >= 1 and "not published yet: waiting for an editor" in listing
    # publishing again clears the mark
    client.post(f"/victims/{withheld.public_id}/publication/", {"published": "on"})
    withheld.refresh_from_db()
    assert withheld.published and not withheld.withheld


def test_api_publication_marks_withheld(record, users):
    v = record(["Invented Apiheldkyzy"], user=users["editor"]).mentions.get().victim
    c = APIClient()
    c.force_authenticate(users["editor"])
    r = c.post(f"/api/victims/{v.public_id}/publication/", {"published": False}, format="json")
    assert r.status_code == 200, r.content
    v.refresh_from_db()
    assert v.withheld and not v.published


def test_a_volunteers_record_split_off_again_waits_for_an_editor(record, users, client, login_user):
    # the trial's path: a volunteer's unpublished record merged into a published one, then split off
    # again: the split-off person is new to the public site and must not appear there on its own
    published = record(["Invented Shownkyzy"], consent="full", user=users["editor"]).mentions.get().victim
    waiting = record(["Invented Shownkyzy"], consent="full", user=users["volunteer"],
                     testifier="Invented Other").mentions.get()
    assert published.published and not waiting.victim.published
    review.decide_pair(published, waiting.victim, "same", user=users["editor"])
    published.refresh_from_db()
    assert published.mentions.count() == 2
    review.unmerge(published, [waiting.key], user=users["editor"])
    waiting.refresh_from_db()
    published.refresh_from_db()
    split_off = waiting.victim
    assert split_off.pk != published.pk
    assert published.published                      # the side that stays keeps its publication
    assert not split_off.published and not split_off.withheld   # "waiting for an editor", not "withheld"
    assert not _on_public_site(client, split_off) and split_off.public_id not in _public_ids(APIClient())
    assert _on_public_site(client, published)
    login_user(client, users["editor"])
    assert "waiting for an editor" in client.get(f"/victims/{split_off.public_id}/").content.decode()
