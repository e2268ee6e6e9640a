"""Key rotation and key status over the database (uses Django; :mod:`.crypto` does not).

Rotation (``kuager keys rotate``) is crash-safe in three steps:

1. write the key file with a new data key and a new index key made active, the
   old keys kept (values of both generations decrypt, lookups match both);
2. in one database transaction, re-encrypt every value of every encrypted
   column with the new key and recompute every blind index;
3. write the key file with the old keys removed.

A crash after 1 or 2 leaves a key file that reads everything; running the
rotation again finishes it. On SQLite the file is then rewritten (``VACUUM``)
so values under the old key do not linger in free pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction

from kuager.protection import crypto


def encrypted_columns() -> list[tuple[type, str]]:
    """``(model, field name)`` of every encrypted column of every installed model."""
    from kuager.records.fields import EncryptedTextField

    return [(model, f.name) for model in apps.get_models() for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField)]


def blind_index_columns() -> list[tuple[type, str]]:
    """``(model, field name)`` of every blind-index column."""
    from kuager.records.fields import BlindIndexField

    return [(model, f.name) for model in apps.get_models() for f in model._meta.concrete_fields
            if isinstance(f, BlindIndexField)]


def _raw_values(model, name: str):
    """``(pk, stored text)`` of a column, read without decrypting."""
    field = model._meta.get_field(name)
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(model._meta.pk.column)}, {qn(field.column)} FROM {qn(model._meta.db_table)}")
        return cur.fetchall()


def key_usage() -> Counter:
    """How many stored values each key id encrypted (``"(plaintext)"`` for unencrypted ones)."""
    counts: Counter = Counter()
    for model, name in encrypted_columns():
        for _, v in _raw_values(model, name):
            if v is not None:
                counts[crypto.key_id_of(v) or "(plaintext)"] += 1
    return counts


def reencrypt_all() -> dict[str, int]:
    """Re-encrypt every encrypted value with the active key and recompute every blind index.

    Runs in one transaction (all or nothing). Values already under the active
    key are rewritten too (fresh nonces). Saves go through ``update()``, so
    ``updated_at`` is not touched.

    Returns:
        ``{"model.field": number of values rewritten}``.
    """
    done: dict[str, int] = {}
    with transaction.atomic():
        for model, name in encrypted_columns():
            n = 0
            for pk, _ in _raw_values(model, name):
                obj = model._base_manager.only(name).get(pk=pk)  # decrypts with whichever key made it
                model._base_manager.filter(pk=pk).update(**{name: getattr(obj, name)})
                n += 1
            done[f"{model._meta.label}.{name}"] = n
        for model, name in blind_index_columns():
            done[f"{model._meta.label}.{name}"] = rebuild_blind_indexes(model, name)
    return done


def rebuild_blind_indexes(model=None, name: str | None = None) -> int:
    """Recompute blind indexes (all, or one model's column) with the active index key; returns rows updated."""
    cols = [(model, name)] if model is not None else blind_index_columns()
    n = 0
    for mdl, nm in cols:
        field = mdl._meta.get_field(nm)
        for obj in mdl._base_manager.only(field.source).iterator(chunk_size=200):
            mdl._base_manager.filter(pk=obj.pk).update(**{nm: field.compute(getattr(obj, field.source))})
            n += 1
    return n


@dataclass
class RotationReport:
    """What a rotation did: the old key ids (removed), the new ones, and values rewritten per column."""

    old_keys: list[str]
    new_key: str
    new_index_key: str
    rewritten: dict[str, int]

    def summary(self) -> str:
        lines = [f"new data key {self.new_key}, new index key {self.new_index_key}; "
                 f"removed keys {', '.join(self.old_keys) or '(none)'}"]
        lines += [f"  {k}: {v}" for k, v in sorted(self.rewritten.items())]
        return "\n".join(lines)


def rotate() -> RotationReport:
    """Rotate the data and index keys and re-encrypt everything (the three steps above).

    Raises:
        KeyFileError: no key file.
        DecryptionError: a stored value that no key in the key file decrypts
            (nothing is changed in the database; the key file keeps all keys).
    """
    ring = crypto.load_keyring()
    old = sorted(set(ring.data_keys) | set(ring.index_keys))
    staged = ring.with_new_keys()
    crypto.write_keyring(staged, ring.path)  # step 1
    with transaction.atomic():  # step 2
        rewritten = reencrypt_all()
        from kuager.audit.services import record

        record("rotate_keys", ("keys", staged.active), new={"new_data_key": staged.active,
                                                            "new_index_key": staged.active_index,
                                                            "removed_keys": old, "rewritten": rewritten})
    crypto.write_keyring(staged.only_active(), ring.path)  # step 3
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute("VACUUM")
    return RotationReport(old, staged.active, staged.active_index, rewritten)
