"""Encryption at rest: after the demo, the database itself holds no testifier identity in plain text.

The needles are the bundled article's testifiers (a public case) and text of
their testimonies; "Kayrat Samarkin" is left out because he is also a victim,
and victims' names are not encrypted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from kuager.protection import crypto
from kuager.records import models as m

NEEDLES = [
    "Zhenisnur Ayatkhanuly", "Zhenisnur", "Ayatkhanuly", "Jamilya Maken",
    "Enbek village",  # T-002's testifier residence
    "Husband raises their two small children alone",  # T-002 narrative
    "Released early after a suicide attempt",  # T-004 narrative
    "stop 'drawing attention'",  # T-001: left in the testimony's notes
]
CONTROL = "Gozalnur Zheniskazy"  # a victim's name: stored in clear, so the scan can see text


def _encodings(s: str) -> list[bytes]:
    return [s.encode("utf-8"), s.encode("utf-16-le"), s.encode("utf-16-be")]


def _found(blob: bytes, needles) -> list[str]:
    return [n for n in needles if any(e in blob for e in _encodings(n))]


def _run_demo_subprocess(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KUAGER_KEY_FILE")}
    env["KUAGER_HOME"] = str(home)
    code = ("import kuager; kuager.django_setup(); from kuager import progress; progress.QUIET = True; "
            "from kuager.records.services.demo import run_demo; run_demo()")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, timeout=600)


def test_sqlite_file_after_demo_holds_no_identity(tmp_path):
    home = tmp_path / "demo-home"
    _run_demo_subprocess(home)
    db = home / "kuager.sqlite3"
    files = [db] + sorted(p for p in home.iterdir() if p.name.startswith("kuager.sqlite3-"))
    blob = b"".join(p.read_bytes() for p in files)
    assert _found(blob, [CONTROL]) == [CONTROL]
    assert _found(blob, NEEDLES) == []
    # ...and the key file, outside the database, reads it back.
    env_home = os.environ["KUAGER_HOME"]
    try:
        os.environ["KUAGER_HOME"] = str(home)
        ring = crypto.load_keyring()
    finally:
        os.environ["KUAGER_HOME"] = env_home
    import sqlite3

    with sqlite3.connect(db) as con:
        tokens = [r[0] for r in con.execute("SELECT name FROM records_testifier WHERE name_index != ''")]
    names = sorted(ring.decrypt_text(t, "records.testifier.name") for t in tokens)
    assert names == ["Jamilya Maken", "Kayrat Samarkin", "Zhenisnur Ayatkhanuly"]
    assert all(crypto.key_id_of(t) == ring.active for t in tokens)


@pytest.mark.django_db(transaction=True)
@pytest.mark.storage
def test_postgresql_dump_after_demo_holds_no_identity(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL run only (make test-postgresql)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    from kuager.records.services.demo import run_demo

    run_demo(tmp_path / "report")
    assert m.Testifier.objects.get(name_index__in=m.Testifier._meta.get_field("name_index").lookup_values(
        "Jamilya Maken")).name == "Jamilya Maken"
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432),
         "-U", s.get("USER") or "postgres", s["NAME"]], env=env, check=True, capture_output=True, timeout=300).stdout
    assert _found(dump, [CONTROL]) == [CONTROL]
    assert _found(dump, NEEDLES) == []


@pytest.mark.django_db
@pytest.mark.storage
def test_encrypted_columns_cannot_be_filtered_and_lookups_go_through_the_index():
    from django.core.exceptions import FieldError

    tf = m.Testifier.objects.create(name="Invented  Witness", contact="+7 700 555 0000")
    with pytest.raises(FieldError):
        list(m.Testifier.objects.filter(name="Invented Witness"))
    assert list(m.Testifier.with_name("Invented Witness")) == [tf]
    assert list(m.Testifier.with_name("Someone Else")) == []
    assert list(m.Testifier.with_name("")) == []
    with connection.cursor() as cur:
        cur.execute("SELECT name, contact FROM records_testifier WHERE id = %s", [tf.id])
        name, contact = cur.fetchone()
    assert crypto.key_id_of(name) and crypto.key_id_of(contact)
    assert "Invented" not in name and "555" not in contact
    assert m.Testifier.objects.get(id=tf.id).contact == "+7 700 555 0000"
