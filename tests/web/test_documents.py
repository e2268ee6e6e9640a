"""Files on the intake page and the testimony page: kept by the evidence service, shown as the derived copy.

All people and files here are invented.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from kuager.records import models as m

CAMERA = "InventedCameraMaker"


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (16, 12), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = CAMERA  # Make
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


_LOGIN = None


@pytest.fixture(autouse=True)
def _two_factor_login(login):
    """Editors and admins log in with a TOTP code after the password (the ``login`` fixture)."""
    global _LOGIN
    _LOGIN = login


def _login(role, password) -> Client:
    c = Client()
    assert _LOGIN(c, f"{role}1" if role != "volunteer2" else role, password)
    return c


def _intake_post(extra: dict) -> dict:
    data = {"victim_count": "1", "v1-event_count": "1", "appeal_count": "1", "t-channel": "interview",
            "t-consent": "full", "t-testifier_name": "Invented Testifier", "v1-names": "Әсел Смағұлқызы",
            "a1-response_status": "unknown", "d1-kind": "photo", "d2-kind": "other", "d3-kind": "other"}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_intake_keeps_the_original_and_shows_the_copy_without_exif(users, password):
    raw = _jpeg_with_exif()
    assert CAMERA.encode() in raw
    c = _login("volunteer", password)
    r = c.post("/intake/", _intake_post({"d1-file": SimpleUploadedFile("photo.jpg", raw, "image/jpeg"),
                                         "d1-description": "family photograph", "d1-victim": "1"}))
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = m.Document.objects.get()
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.kind == "photo" and doc.description == "family photograph"
    assert doc.mention.key == f"{doc.testimony.number}/m1"
    assert doc.derived_sha256 and doc.derived_sha256 != doc.sha256
    page = c.get(f"/testimonies/{doc.testimony.number}/").content.decode()
    assert f"/documents/{doc.pk}/file/" in page and "?original=1" not in page  # volunteers: no original link
    shown = c.get(f"/documents/{doc.pk}/file/")
    body = b"".join(shown.streaming_content)
    assert shown["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(body).hexdigest() == doc.derived_sha256
    assert CAMERA.encode() not in body
    assert c.get(f"/documents/{doc.pk}/file/?original=1").status_code == 404
    access = doc.custody.filter(action=m.CustodyEntry.ACCESS)
    assert [(e.actor, e.sha256) for e in access] == [("web:volunteer1", doc.derived_sha256)]
    intake_entry = doc.custody.get(action=m.CustodyEntry.INTAKE)
    assert intake_entry.actor == "web:volunteer1"


@pytest.mark.django_db
def test_editor_opens_the_original_and_the_opening_is_logged(users, password, record):
    t = record(["Арман Ермекұлы"], user=users["volunteer"])
    raw = _jpeg_with_exif()
    c = _login("volunteer", password)
    r = c.post(f"/testimonies/{t.number}/documents/",
               {"doc-file": SimpleUploadedFile("id.jpg", raw, "image/jpeg"), "doc-kind": "id_copy",
                "doc-description": "ID card copy", "doc-victim": "1"})
    assert r.status_code == 302
    doc = m.Document.objects.get(testimony=t)
    assert doc.kind == "id_copy" and doc.mention == t.mentions.get()
    editor = _login("editor", password)
    assert "?original=1" in editor.get(f"/testimonies/{t.number}/").content.decode()
    got = editor.get(f"/documents/{doc.pk}/file/?original=1")
    assert b"".join(got.streaming_content) == raw
    assert got["Content-Disposition"].startswith("attachment")
    entry = doc.custody.filter(action=m.CustodyEntry.ACCESS).get()
    assert (entry.actor, entry.sha256) == ("web:editor1", doc.sha256)
    victim_page = editor.get(f"/victims/{t.mentions.get().victim.public_id}/").content.decode()
    assert f"/documents/{doc.pk}/file/" in victim_page


@pytest.mark.django_db
def test_who_may_add_and_open_files(users, password, record):
    own = record(["Болат Есенұлы"], user=users["volunteer"], consent="full")
    conf = record(["Динара Құрманқызы"], user=users["volunteer"], confidential=True)
    c = _login("volunteer", password)
    for t in (own, conf):
        c.post(f"/testimonies/{t.number}/documents/",
               {"doc-file": SimpleUploadedFile("p.jpg", _jpeg_with_exif(), "image/jpeg"), "doc-kind": "photo"})
    doc_own, doc_conf = (m.Document.objects.get(testimony=t) for t in (own, conf))
    viewer, other = _login("viewer", password), _login("volunteer2", password)
    assert viewer.get(f"/documents/{doc_own.pk}/file/").status_code == 200
    assert viewer.get(f"/documents/{doc_conf.pk}/file/").status_code == 404  # confidential testimony
    assert viewer.get(f"/documents/{doc_own.pk}/file/?original=1").status_code == 404
    assert other.get(f"/documents/{doc_own.pk}/file/").status_code == 404  # not their testimony
    assert Client().get(f"/documents/{doc_own.pk}/file/").status_code == 302  # to the login page
    upload = {"doc-file": SimpleUploadedFile("x.jpg", b"not really", "image/jpeg"), "doc-kind": "other"}
    assert viewer.post(f"/testimonies/{own.number}/documents/", upload).status_code == 403
    assert other.post(f"/testimonies/{own.number}/documents/", upload).status_code == 404
    assert m.Document.objects.count() == 2
    public_page = Client().get(f"/public/victims/{own.mentions.get().victim.public_id}/").content.decode()
    assert "/documents/" not in public_page
