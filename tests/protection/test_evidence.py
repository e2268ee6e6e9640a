"""Evidence custody: originals byte for byte by SHA-256, a derived copy without EXIF/GPS, custody entries, verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import stat

import pytest
from PIL import Image, ExifTags

from kuager.audit.models import AuditEntry
from kuager.cli import main
from kuager.errors import KuagerError
from kuager.protection import crypto
from kuager.records import models as m
from kuager.records.services import evidence
from kuager.records.services.importing import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


@pytest.fixture
def testimony():
    return m.Testimony.objects.create(number="X-100", consent="full")


def test_original_kept_byte_for_byte_and_derived_copy_has_no_exif(tmp_path, testimony, gps_jpeg):
    src = tmp_path / "Invented_Person_passport.jpg"
    raw = gps_jpeg(src)
    # the test's own photo really carries the GPS position it is meant to strip
    with Image.open(src) as check:
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (43.0, 15.0, 30.0)
    assert b"InventedCam" in raw

    doc = evidence.add_evidence(testimony, src, kind="photo", description="invented photo")
    sha = hashlib.sha256(raw).hexdigest()
    assert (doc.sha256, doc.size, doc.media_type) == (sha, len(raw), "image/jpeg")
    assert doc.key == f"X-100/file-{sha[:12]}" and doc.original_name == "Invented_Person_passport.jpg"
    orig = evidence.original_path(sha)
    assert orig == evidence.evidence_root() / "originals" / sha[:2] / sha
    # on disk: ciphertext only, nothing of the picture or its metadata
    stored = orig.read_bytes()
    assert b"InventedCam" not in stored and b"\xff\xd8\xff" not in stored[:64] and stored[:20] == b"KUAGER-ENC-STREAM-1\n"
    # decrypted with the document's own key: byte for byte what was taken in
    key = base64.b64decode(doc.file_key)
    assert key == hmac.new(crypto.load_keyring().index_keys[crypto.load_keyring().active_index],
                           f"kuager-evidence-file|{sha}".encode(), hashlib.sha256).digest()
    assert evidence.read_held(orig, key) == raw
    with evidence.open_evidence(doc, original=True) as f:
        assert f.read() == raw
    assert stat.S_IMODE(orig.stat().st_mode) == 0o400
    assert stat.S_IMODE(orig.parent.stat().st_mode) == 0o700

    assert b"InventedCam" not in evidence.derived_path(doc).read_bytes()
    derived = evidence.read_held(evidence.derived_path(doc), key)
    assert hashlib.sha256(derived).hexdigest() == doc.derived_sha256
    assert b"Exif" not in derived and b"InventedCam" not in derived
    with Image.open(io.BytesIO(derived)) as d:
        assert d.format == "JPEG" and d.size == (64, 48)
        assert len(d.getexif()) == 0 and "exif" not in d.info
        left, right = d.getpixel((5, 20)), d.getpixel((60, 20))
    assert abs(left[2] - 220) < 12 and abs(right[0] - 200) < 12  # the same picture

    actions = list(doc.custody.values_list("action", "sha256"))
    assert actions == [("intake", sha), ("derive", doc.derived_sha256), ("access", sha)]
    assert list(AuditEntry.objects.filter(object_key=doc.key).values_list("action", flat=True)) == \
        ["evidence_intake", "evidence_derive", "evidence_access"]


def test_orientation_is_applied_before_the_metadata_goes(tmp_path, testimony, gps_jpeg):
    src = tmp_path / "rotated.jpg"
    gps_jpeg(src, orientation=6)  # "rotate 90° clockwise to display"
    doc = evidence.add_evidence(testimony, src)
    with Image.open(evidence.open_evidence(doc)) as d:
        assert d.size == (48, 64)


def test_same_bytes_are_stored_once_and_uploads_work(tmp_path, testimony, gps_jpeg):
    src = tmp_path / "a.jpg"
    raw = gps_jpeg(src)
    d1 = evidence.add_evidence(testimony, src)
    d2 = evidence.add_evidence(testimony, io.BytesIO(raw), original_name="upload.jpg")
    assert d1.pk == d2.pk
    other = m.Testimony.objects.create(number="X-101")
    d3 = evidence.add_evidence(other, io.BytesIO(raw), original_name="upload.jpg")
    assert d3.pk != d1.pk and d3.sha256 == d1.sha256
    files = [p for p in (evidence.evidence_root() / "originals").rglob("*") if p.is_file()]
    assert files == [evidence.original_path(d1.sha256)]
    assert not [p for p in evidence.evidence_root().rglob("*") if p.name.endswith(".tmp")]


def test_non_images_get_no_derived_copy(tmp_path, testimony):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% invented letter\n%%EOF\n")
    doc = evidence.add_evidence(testimony, pdf, kind="letter")
    assert doc.media_type == "application/pdf" and doc.derived_sha256 == "" and evidence.derived_path(doc) is None
    with evidence.open_evidence(doc, actor="invented-investigator", purpose="case review") as f:
        assert f.read() == pdf.read_bytes()
    access = doc.custody.get(action="access")
    assert (access.actor, access.sha256, access.note) == ("invented-investigator", doc.sha256, "original: case review")


def test_access_to_the_derived_copy_is_logged(tmp_path, testimony, gps_jpeg):
    src = tmp_path / "p.jpg"
    gps_jpeg(src)
    doc = evidence.add_evidence(testimony, src)
    with evidence.open_evidence(doc, actor="web:public") as f:
        shown = f.read()
    assert hashlib.sha256(shown).hexdigest() == doc.derived_sha256 and shown[:3] == b"\xff\xd8\xff"
    with evidence.open_evidence(doc, original=True, actor="invented-editor") as f:
        assert f.read() == src.read_bytes()
    assert list(doc.custody.filter(action="access").values_list("actor", "note")) == [
        ("web:public", "derived copy"), ("invented-editor", "original")]


def test_verify_finds_changed_and_missing_files(tmp_path, testimony, capsys, gps_jpeg):
    a, b = tmp_path / "a.jpg", tmp_path / "b.pdf"
    gps_jpeg(a)
    b.write_bytes(b"%PDF-1.4\n% another invented letter\n")
    da = evidence.add_evidence(testimony, a)
    db = evidence.add_evidence(testimony, b)
    assert main(["evidence", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 held files")

    orig = evidence.original_path(da.sha256)
    os.chmod(orig, 0o600)
    data = bytearray(orig.read_bytes())
    data[-10] ^= 0xFF  # one flipped bit pattern in the ciphertext: it no longer decrypts
    orig.write_bytes(bytes(data))
    evidence.original_path(db.sha256).unlink()
    evidence.derived_path(da).unlink()
    report = evidence.verify_all()
    assert report.checked == 2
    assert sorted(report.problems) == sorted([
        f"{da.key}: original {da.sha256} has changed (it no longer decrypts)",
        f"{da.key}: derived copy {da.derived_sha256} is missing",
        f"{db.key}: original {db.sha256} is missing",
    ])
    assert main(["evidence", "verify"]) == 1
    assert "3 problem(s) in 2 held files" in capsys.readouterr().out
    v = da.custody.filter(action="verify").last()
    assert v.sha256 == "" and "has changed" in v.note


def test_a_damaged_stored_original_is_not_silently_reused(tmp_path, testimony, gps_jpeg):
    src = tmp_path / "a.jpg"
    raw = gps_jpeg(src)
    doc = evidence.add_evidence(testimony, src)
    orig = evidence.original_path(doc.sha256)
    os.chmod(orig, 0o600)
    orig.write_bytes(raw[:-5])
    other = m.Testimony.objects.create(number="X-102")
    with pytest.raises(KuagerError, match="no longer matches its hash"):
        evidence.add_evidence(other, src)


def test_reimport_keeps_held_files(od_dir, tmp_path, gps_jpeg):
    import_file(od_dir / "testimonies.csv")
    t2 = m.Testimony.objects.get(number="T-002")
    src = tmp_path / "id.jpg"
    gps_jpeg(src)
    held = evidence.add_evidence(t2, src, kind="id_copy")
    text = (od_dir / "testimonies.csv").read_text(encoding="utf-8").replace(
        "copy of Kazakhstan identity card", "")
    (od_dir / "testimonies.csv").write_text(text, encoding="utf-8")
    import_file(od_dir / "testimonies.csv")
    assert list(t2.documents.values_list("key", flat=True)) == [held.key]  # the described copy went, the file stays
