"""``kuager keys rotate``: every value re-encrypted under a new key, old keys gone, data unchanged."""

from __future__ import annotations

import pytest
from django.db import connection

from kuager.cli import main
from kuager.protection import crypto, keys
from kuager.records import models as m
from kuager.records.services.importing import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _raw(table, column):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} ORDER BY id")
        return [r[0] for r in cur.fetchall()]


def _plain_state():
    return {
        "testifiers": sorted(m.Testifier.objects.values_list("name", "residence", "contact", "citizenship")),
        "testimonies": sorted(m.Testimony.objects.values_list("number", "original_text", "notes")),
        "senders": sorted(m.Appeal.objects.values_list("key", "sender")),
        "source": sorted(m.Source.objects.values_list("key", "text")),
    }


def test_rotation_reencrypts_everything_and_drops_the_old_key(od_dir, capsys):
    import_file(od_dir / "testimonies.csv")
    m.Testifier.objects.create(name="Invented Contactable", contact="invented@example.org")
    before = _plain_state()
    old = crypto.load_keyring()
    old_tokens = _raw("records_testifier", "contact")
    assert {crypto.key_id_of(t) for t in old_tokens} == {old.active}

    assert main(["--quiet", "keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "Keys rotated" in out and old.active in out

    new = crypto.load_keyring()
    assert new.active != old.active and set(new.data_keys) == {new.active}
    assert set(new.index_keys) == {new.active_index} and new.active_index != old.active_index
    for model, name in keys.encrypted_columns():
        for value in _raw(model._meta.db_table, model._meta.get_field(name).column):
            assert value is None or crypto.key_id_of(value) == new.active, (model, name)
    assert not set(_raw("records_testifier", "contact")) & set(old_tokens)
    assert _plain_state() == before
    # the blind index now uses the new index key, and lookups still work
    idx = set(_raw("records_testifier", "name_index")) - {""}
    assert idx and all(i.startswith(new.active_index + ":") for i in idx)
    assert m.Testifier.with_name("Jamilya Maken").get().residence == "Almaty region"
    # values encrypted under the old key no longer decrypt: the old key is really gone
    with pytest.raises(crypto.DecryptionError, match="not in the key file"):
        new.decrypt_text(old_tokens[0], "records.testifier.contact")
    # the report counts the values of every column
    assert keys.key_usage() == {new.active: sum(1 for model, name in keys.encrypted_columns()
                                                for v in model._base_manager.values_list(name, flat=True)
                                                if v is not None)}


def test_rotation_is_all_or_nothing(od_dir, monkeypatch):
    import_file(od_dir / "testimonies.csv")
    before_raw = _raw("records_testifier", "name")
    old = crypto.load_keyring()
    calls = {"n": 0}
    real = keys.rebuild_blind_indexes

    def boom(*a, **kw):
        calls["n"] += 1
        raise RuntimeError("power cut")

    monkeypatch.setattr(keys, "rebuild_blind_indexes", boom)
    with pytest.raises(RuntimeError):
        keys.rotate()
    assert calls["n"] == 1
    assert _raw("records_testifier", "name") == before_raw  # the transaction rolled back
    staged = crypto.load_keyring()  # step 1 stays: both generations, so everything still reads
    assert set(staged.data_keys) == {old.active, staged.active}
    assert m.Testifier.with_name("Jamilya Maken").count() == 1
    monkeypatch.setattr(keys, "rebuild_blind_indexes", real)
    keys.rotate()  # running it again finishes the job
    final = crypto.load_keyring()
    assert len(final.data_keys) == 1 and m.Testifier.with_name("Jamilya Maken").count() == 1


def test_keys_status_prints_ids_never_keys(od_dir, capsys):
    import_file(od_dir / "testimonies.csv")
    assert main(["--quiet", "keys", "status"]) == 0
    out = capsys.readouterr().out
    ring = crypto.load_keyring()
    assert ring.active in out and "values under" in out
    for key in [*ring.data_keys.values(), *ring.index_keys.values()]:
        assert key.hex() not in out and crypto._b64e(key) not in out
