"""The audit log: entries from the services, confidential values masked, tampering found by `kuager audit verify`."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import connection

from kuager.audit import services as audit
from kuager.audit.models import AppendOnlyError, AuditEntry, AuditHead
from kuager.cli import main
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.reporting import write_report
from kuager.records.services.resolution import resolve

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _sql(query, params=()):
    with connection.cursor() as cur:
        cur.execute(query, params)


def _five():
    for i in range(1, 6):
        audit.record("update", ("records.mention", f"X-{i}/m1"), old={"age": i}, new={"age": i + 1}, actor="tester")


def test_entry_hash_is_sha256_over_prev_hash_and_canonical_json():
    e = audit.record("update", ("records.mention", "X-1/m1"), old={"age": 30}, new={"age": 31}, actor="tester")
    at = e.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    canonical = ('{"action":"update","actor":"tester","at":"%s","new":{"age":31,"changed":["age"]},'
                 '"object_key":"X-1/m1","object_type":"records.mention","old":{"age":30},"seq":1}' % at)
    assert e.seq == 1 and e.prev_hash == "0" * 64
    assert e.hash == hashlib.sha256(("0" * 64 + "\n" + canonical).encode()).hexdigest()
    e2 = audit.record("delete", ("records.victim", "V-00009"), actor="tester")
    assert e2.seq == 2 and e2.prev_hash == e.hash
    assert AuditHead.objects.get().seq == 2 and AuditHead.objects.get().hash == e2.hash
    assert audit.verify().ok


def test_services_write_entries_and_never_confidential_values(od_dir, tmp_path):
    import_file(od_dir / "testimonies.csv")
    resolve()
    write_report(tmp_path / "r")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "object_type", "object_key"))
    assert actions[:5] == [("create", "records.testimony", f"T-00{i}") for i in range(1, 5)] + \
        [("import", "records.importbatch", str(m.ImportBatch.objects.get().pk))]
    created_victims = sorted(k for a, t, k in actions if a == "create" and t == "records.victim")
    assert created_victims == sorted(m.Victim.objects.values_list("public_id", flat=True))
    assert actions[-1] == ("export", "report", "public")
    t2 = AuditEntry.objects.get(object_key="T-002")
    assert t2.new["testifier.name"] == "[confidential]" and t2.new["testimony.original_text"] == "[confidential]"
    assert t2.new["T-002/m1.names"] == ["Gozalnur Zheniskazy"]  # victims' facts are kept
    with connection.cursor() as cur:
        cur.execute("SELECT old, new FROM audit_auditentry")
        raw = json.dumps(cur.fetchall(), ensure_ascii=False)
    for secret in ("Zhenisnur Ayatkhanuly", "Jamilya Maken", "Enbek", "small children alone"):
        assert secret not in raw
    assert audit.verify().ok


def test_an_update_records_old_new_and_what_changed(od_dir):
    import csv

    import_file(od_dir / "testimonies.csv")
    with (od_dir / "testimonies.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    rows[2]["victim_age"] = "41"
    rows[2]["testifier_residence"] = "Invented Street 5"
    with (od_dir / "testimonies.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    import_file(od_dir / "testimonies.csv")
    e = AuditEntry.objects.get(action="update", object_key="T-003")
    assert e.old["T-003/m1.age"] is None and e.new["T-003/m1.age"] == 41
    assert e.old["testifier.residence"] == e.new["testifier.residence"] == "[confidential]"
    # age given; its "as of" defaults to the testimony's date (2018-05); the residence changed
    assert e.new["changed"] == ["T-003/m1.age", "T-003/m1.age_as_of_text", "testifier.residence"]
    assert e.new["T-003/m1.age_as_of_text"] == "2018-05"
    assert "Invented Street" not in json.dumps(e.new)


@pytest.mark.parametrize("tamper, seq, words", [
    ("UPDATE audit_auditentry SET actor = 'someone-else' WHERE seq = 3", 3, "altered"),
    ("UPDATE audit_auditentry SET new = '{\"age\": 99}' WHERE seq = 4", 4, "altered"),
    ("DELETE FROM audit_auditentry WHERE seq = 2", 2, "missing"),
])
def test_verify_reports_the_first_broken_link(tamper, seq, words, capsys):
    _five()
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 5 audit entries")
    _sql(tamper)
    result = audit.verify()
    assert not result.ok and result.broken_seq == seq and words in result.problem
    assert main(["audit", "verify"]) == 1
    assert capsys.readouterr().out.startswith(f"BROKEN at entry {seq}:")


def test_reordered_rows_are_found():
    _five()
    _sql("UPDATE audit_auditentry SET seq = 100 WHERE seq = 2")
    _sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    _sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = 100")
    result = audit.verify()
    assert not result.ok and result.broken_seq == 2 and "prev_hash" in result.problem


def test_deleting_the_newest_entries_is_found_by_the_head_row():
    _five()
    _sql("DELETE FROM audit_auditentry WHERE seq >= 4")
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4 and "head row says entry 5" in result.problem


def test_deleting_the_newest_entries_and_the_head_is_found_by_the_anchor_file():
    _five()
    audit._write_anchor(5, AuditEntry.objects.get(seq=5).hash)  # what on_commit does after a real commit
    _sql("DELETE FROM audit_auditentry WHERE seq >= 4")
    _sql("UPDATE audit_audithead SET seq = 3, hash = %s", [AuditEntry.objects.get(seq=3).hash])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4 and "anchor file" in result.problem


def test_the_orm_refuses_changes():
    _five()
    e = AuditEntry.objects.get(seq=1)
    e.actor = "x"
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(actor="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert audit.verify().ok


def test_logins_and_failed_logins_are_audited(client, django_user_model):
    django_user_model.objects.create_user("invented-editor", password="a long invented passphrase")
    assert client.login(username="invented-editor", password="a long invented passphrase")
    assert not client.login(username="invented-editor", password="wrong")
    rows = list(AuditEntry.objects.values_list("action", "actor", "object_key"))
    assert ("login", "web:invented-editor", "invented-editor") in rows
    assert ("login_failed", "anonymous", "invented-editor") in rows


def test_acting_as_names_the_actor_and_rotation_is_audited():
    with audit.acting_as("web:invented-admin"):
        from kuager.protection.keys import rotate

        rotate()
    e = AuditEntry.objects.get(action="rotate_keys")
    assert e.actor == "web:invented-admin" and len(e.new["removed_keys"]) == 2
