"""(a) "photo if any": a held photograph is embedded in the WGEID draft, without its EXIF/GPS."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from kuager.records import models as m
from kuager.records.services import wgeid
from kuager.records.services.evidence import add_evidence

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (60, 80), (200, 120, 40))  # an invented picture, not of anyone
    exif = Image.Exif()
    exif[0x010F] = "InventedCam"  # Make
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_photo_embedded_in_pdf_and_docx(od_victims, tmp_path):
    victim = od_victims["Gozalnur Zheniskazy"]
    mention = victim.mentions.get()
    path = tmp_path / "photo.jpg"
    path.write_bytes(_jpeg_with_gps())
    doc = add_evidence(mention.testimony, path, kind="photo", description="photograph given by her husband",
                       mention=mention)
    before = m.CustodyEntry.objects.filter(document=doc, action="access").count()
    sub = wgeid.draft_submission(victim, submitter="Test NGO")
    assert [label for label, _, _ in sub.photos] == ["photograph given by her husband"]
    (_, data, media_type) = sub.photos[0]
    assert media_type == "image/jpeg" and b"InventedCam" not in data  # the derived copy, EXIF removed
    assert Image.open(io.BytesIO(data)).size == (60, 80)
    assert m.CustodyEntry.objects.filter(document=doc, action="access").count() == before + 1
    pdf = wgeid.render_pdf(sub)
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
    from docx import Document as Docx

    docx = Docx(io.BytesIO(wgeid.render_docx(sub)))
    assert len(docx.inline_shapes) == 1
    assert wgeid.check_admissibility(victim).element("a-photo").present


def test_no_photo_no_image(od_victims):
    sub = wgeid.draft_submission(od_victims["Gozalnur Zheniskazy"], submitter="Test NGO")
    assert sub.photos == []
    pdf = wgeid.render_pdf(sub)
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
