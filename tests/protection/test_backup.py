"""Backups: a round trip restores everything; a damaged archive is refused and nothing is written."""

from __future__ import annotations

import datetime
import io
import json
import os
import tarfile

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection

from kuager.audit import services as audit
from kuager.audit.models import AuditEntry
from kuager.cli import main
from kuager.errors import KuagerError
from kuager.protection import crypto
from kuager.records import models as m
from kuager.records.services import backup as bk
from kuager.records.services import evidence
from kuager.records.services.importing import import_file
from kuager.records.services.resolution import resolve

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

PASS = b"invented backup passphrase 1"


def _state(max_seq=None):
    """Every row of every Kuager table (decrypted), and every held file's bytes."""
    out = {}
    for mdl in apps.get_models():
        if mdl._meta.app_label not in ("records", "audit"):
            continue
        qs = mdl._base_manager.order_by("pk")
        if mdl is AuditEntry and max_seq is not None:
            qs = qs.filter(seq__lte=max_seq)
        if mdl._meta.model_name == "audithead":
            continue
        rows = json.loads(serializers.serialize("json", qs))
        for r in rows:
            r.pop("pk")
            r["fields"].pop("name_index", None)  # depends on the instance's index key
        out[mdl._meta.label] = rows
    root = evidence.evidence_root()
    out["files"] = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                    if p.is_file() and "tmp" not in p.parts}
    return out


@pytest.fixture
def filled(od_dir, tmp_path, gps_jpeg):
    import_file(od_dir / "testimonies.csv")
    import_file(od_dir / "aggregate_claims.csv")
    resolve()
    src = tmp_path / "photo.jpg"
    gps_jpeg(src)
    evidence.add_evidence(m.Testimony.objects.get(number="T-002"), src, kind="photo")
    tf = m.Testimony.objects.get(number="T-003").testifier
    tf.contact = "+7 700 000 1234 (invented)"
    tf.save()
    return tmp_path


def _switch_home(monkeypatch, tmp_path, name):
    """Another instance: a new data directory with its own, different key file."""
    home = tmp_path / name
    home.mkdir()
    monkeypatch.setenv("KUAGER_HOME", str(home))
    crypto.ensure_keyring()
    return home


def test_round_trip_restores_everything_into_another_instance(filled, tmp_path, monkeypatch):
    # a time whose milliseconds are 0 but microseconds are not: Django's plain JSON wrote it as
    # ...:01.000 and restored ...:01 (a test failed on such a created_at about once in a thousand runs)
    exact = datetime.datetime(2019, 3, 1, 12, 0, 1, 123, tzinfo=datetime.timezone.utc)
    m.Source.objects.filter(pk=m.Source.objects.order_by("pk").first().pk).update(created_at=exact)
    before = _state()
    head = AuditEntry.objects.order_by("-seq").first().seq
    archive = tmp_path / "out" / "k.kbak"
    report = bk.backup(archive, PASS)
    assert report.members == 2 + 2 + 1  # db, audit log, original + derived photo, manifest
    assert os.stat(archive).st_mode & 0o777 == 0o600
    blob = archive.read_bytes()
    for secret in (b"Zhenisnur", b"Gozalnur", b"+7 700 000 1234", b"InventedCam", b"db.json"):
        assert secret not in blob
    # the backup itself is recorded: an export custody entry per held file, an audit entry
    assert m.CustodyEntry.objects.filter(action="export").count() == 1
    assert AuditEntry.objects.order_by("-seq").first().action == "backup"

    old_key = crypto.load_keyring().active
    _switch_home(monkeypatch, tmp_path, "other-home")
    assert crypto.load_keyring().active != old_key
    result = bk.restore(archive, PASS, replace=True)
    assert result.files == 2 and result.audit_head["seq"] == head
    assert _state(max_seq=head) == before
    assert m.Source.objects.order_by("pk").first().created_at == exact
    # restored data is encrypted under the new instance's key, and lookups work with its index key
    with connection.cursor() as cur:
        cur.execute("SELECT contact FROM records_testifier")
        assert {crypto.key_id_of(v) for (v,) in cur.fetchall()} == {crypto.load_keyring().active}
    assert m.Testifier.with_name("Jamilya Maken").get().contact == "+7 700 000 1234 (invented)"
    # the chain goes on from the restored head, and the evidence still verifies
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.seq, last.action) == (head + 1, "restore")
    assert audit.verify().ok
    assert evidence.verify_all().ok
    # primary keys continue after the restored ones (sequences reset on PostgreSQL)
    t = m.Testimony.objects.create(number="X-NEW")
    assert t.pk > max(r["id"] for r in m.Testimony.objects.exclude(pk=t.pk).values("id"))


def _flip(path, offset_from_end):
    data = bytearray(path.read_bytes())
    data[len(data) - offset_from_end] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flip-middle", "flip-end", "truncate", "wrong-passphrase"])
def test_damaged_archive_is_refused_and_nothing_is_written(filled, tmp_path, monkeypatch, damage):
    archive = tmp_path / "k.kbak"
    bk.backup(archive, PASS)
    passphrase = PASS
    if damage == "flip-middle":
        _flip(archive, archive.stat().st_size // 2)
    elif damage == "flip-end":
        _flip(archive, 3)
    elif damage == "truncate":
        archive.write_bytes(archive.read_bytes()[:-40])
    else:
        passphrase = b"not the invented passphrase"
    before = _state()
    monkeypatch.setenv("KUAGER_KEY_FILE", str(crypto.key_file_path()))  # same database and key, empty home
    home = tmp_path / "target"
    home.mkdir()
    monkeypatch.setenv("KUAGER_HOME", str(home))
    with pytest.raises(KuagerError, match="refused, nothing written"):
        bk.restore(archive, passphrase, replace=True)
    assert _state() == before
    assert list(home.iterdir()) == []


def test_an_archive_whose_member_disagrees_with_the_manifest_is_refused(filled, tmp_path):
    """Re-encrypted with the right passphrase, so only the manifest check can catch it."""
    archive = tmp_path / "k.kbak"
    bk.backup(archive, PASS)
    with archive.open("rb") as f:
        plain = b"".join(crypto.decrypt_stream(f, PASS))
    members = []
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:") as tar:
        for info in tar:
            data = tar.extractfile(info).read()
            if info.name == "db.json":
                data = data.replace(b"Toktar Osmangali", b"Someone Invented")
            members.append((info.name, data))
    forged = tmp_path / "forged.kbak"
    with forged.open("wb") as raw, crypto.EncryptingWriter(raw, PASS) as enc:
        with tarfile.open(fileobj=enc, mode="w|") as tar:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    with pytest.raises(KuagerError, match="db.json does not match the manifest"):
        bk.check_archive(forged, PASS)


def test_restore_refuses_a_database_with_records_unless_replace(filled, tmp_path, capsys, monkeypatch):
    archive = tmp_path / "k.kbak"
    monkeypatch.setenv("KUAGER_BACKUP_PASSPHRASE", PASS.decode())
    assert main(["backup", str(archive)]) == 0
    assert "Backup written" in capsys.readouterr().out
    assert main(["restore", "--check", str(archive)]) == 0
    assert capsys.readouterr().out.startswith("OK:")
    assert main(["restore", str(archive)]) == 1
    assert "already holds records" in capsys.readouterr().err


def test_passphrase_rules(tmp_path, monkeypatch):
    monkeypatch.delenv("KUAGER_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(KuagerError, match="no passphrase"):
        bk.passphrase_from(None)
    f = tmp_path / "pw"
    f.write_text("short\n")
    with pytest.raises(KuagerError, match="shorter than 12"):
        bk.passphrase_from(str(f))
    f.write_text("a long invented passphrase\nsecond line ignored\n")
    assert bk.passphrase_from(str(f)) == b"a long invented passphrase"
