"""The API for a mobile intake app (testimony with victims, then its files) and the public read-only API.

All people and files here are invented.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from rest_framework.test import APIClient

from kuager.records import models as m
from kuager.records.services.roles import api_token

pytestmark = pytest.mark.django_db


def _client(username: str | None = None) -> APIClient:
    c = APIClient()
    if username:
        c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(username)}")
    return c


def _jpeg_with_gps() -> bytes:
    """A small JPEG whose EXIF holds a camera model and a GPS block (as a phone photo would)."""
    exif = Image.Exif()
    exif[0x0110] = "Invented Phone 1"  # Model
    exif[0x8825] = {1: "N", 2: (43.0, 15.0, 0.0), 3: "E", 4: (76.0, 54.0, 0.0)}  # GPSInfo
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 10, 10)).save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_mobile_intake_creates_a_testimony_then_adds_a_photo_of_its_victim(users):
    c = _client("volunteer1")
    r = c.post("/api/testimonies/", {
        "testifier_name": "Invented Relative", "consent": "anonymous", "recorded_on_text": "2020-06-01",
        "victims": [{"names": ["Invented First"]}, {"names": ["Invented Second"],
                                                      "events": [{"kind": "detained", "date_text": "2018"}]}],
    }, format="json")
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    photo = _jpeg_with_gps()
    upload = io.BytesIO(photo)
    upload.name = "IMG_0001.jpg"
    r = c.post(f"/api/testimonies/{number}/documents/",
               {"file": upload, "kind": "photo", "description": "photo of the second person", "victim": 2},
               format="multipart")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sha256"] == hashlib.sha256(photo).hexdigest()  # hashed as received, at intake
    assert body["size"] == len(photo) and body["kind"] == "photo" and body["derived"] is True
    assert body["mention"] == f"{number}/m2"
    doc = m.Document.objects.get(key=body["key"])
    assert doc.mention.victim.mentions.get().names.get().text == "Invented Second"
    actions = list(doc.custody.order_by("id").values_list("action", "actor"))
    assert actions[:2] == [("intake", "web:volunteer1"), ("derive", "web:volunteer1")]
    from kuager.records.services.evidence import open_evidence

    shown = Image.open(open_evidence(doc, original=False, actor="test", purpose="test"))
    assert not shown.getexif()  # the copy pages show has no EXIF, so no GPS


def test_upload_refused_to_viewers_and_for_others_testimonies(sample):
    own = sample["volunteer_testimony"].number
    others = sample["no_consent"].mentions.get().testimony.number  # recorded by volunteer2

    def post(user, number):
        f = io.BytesIO(b"%PDF-1.4 invented letter")
        f.name = "letter.pdf"
        return _client(user).post(f"/api/testimonies/{number}/documents/", {"file": f, "kind": "letter"},
                                  format="multipart")

    assert post("viewer1", own).status_code == 403
    assert post("volunteer1", others).status_code == 404
    assert post(None, own).status_code == 401
    assert post("volunteer1", own).status_code == 201
    assert post("editor1", others).status_code == 201
    bad = io.BytesIO(b"x")
    bad.name = "x.bin"
    r = _client("editor1").post(f"/api/testimonies/{own}/documents/", {"file": bad, "kind": "secret"},
                                format="multipart")
    assert r.status_code == 400 and "kind" in r.json()


def test_public_api_lists_and_shows_only_published_consented_victims(sample):
    c = _client()
    listed = c.get("/api/public/victims/").json()
    ids = {row["public_id"] for row in listed["results"]}
    # sample: public (full consent) and latin (full consent) may be shown; no_consent and confidential not
    assert ids == {sample["public"].public_id, sample["latin"].public_id}
    assert listed["count"] == 2
    assert c.get(f"/api/public/victims/{sample['no_consent'].public_id}/").status_code == 404
    assert c.get(f"/api/public/victims/{sample['confidential'].public_id}/").status_code == 404
    detail = c.get(f"/api/public/victims/{sample['public'].public_id}/").json()
    assert detail["names"][0]["text"] == "Айгерім Серікқызы"
    found = c.get("/api/public/victims/", {"q": "Nurlan Bekuly"}).json()  # the no-consent victim's name
    assert found["results"] == []
    sample["public"].published = False
    sample["public"].save()
    assert c.get(f"/api/public/victims/{sample['public'].public_id}/").status_code == 404


def test_only_an_identity_document_makes_the_tier_documented_whichever_way_it_came(users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kuager.records.services import intake

    def upload(kind: str, name: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, _jpeg_with_gps() if kind == "photo" else f"%PDF-1.4 invented {kind}\n".encode())

    def tier(t) -> str:
        return m.Victim.objects.get(mentions__testimony=t).verification

    def web_intake(kind: str):  # the intake page: the testimony with its files, in one go
        data = intake.TestimonyInput(
            victims=[intake.VictimInput(names=[f"Invented Webperson {kind}"])], testifier_name="Invented Relative",
            consent="full", documents=[intake.DocumentInput(file=upload(kind, "f.jpg"), name="f.jpg", kind=kind,
                                                            description="", victim=0)])
        return intake.record_testimony(data, user=users["volunteer"])

    assert tier(web_intake("photo")) == "single_testimony"
    assert tier(web_intake("id_copy")) == "documented"

    c = _client("volunteer1")
    number = c.post("/api/testimonies/", {"consent": "full", "victims": [{"names": ["Invented Apiperson"]}]},
                    format="json").json()["number"]
    t = m.Testimony.objects.get(number=number)
    for kind, expected in (("photo", "single_testimony"), ("letter", "single_testimony"),
                           ("passport_copy", "documented")):
        r = c.post(f"/api/testimonies/{number}/documents/", {"file": upload(kind, "f.bin"), "kind": kind, "victim": 1},
                   format="multipart")
        assert r.status_code == 201, r.content
        assert tier(t) == expected, kind
