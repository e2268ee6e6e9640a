"""Encrypted model fields and blind indexes (issue 6: encryption at rest).

:class:`EncryptedTextField` and :class:`EncryptedCharField` hold text that is
encrypted with AES-256-GCM by :mod:`kuager.protection.crypto` before it reaches
the database and decrypted when read. In Python they behave like ``TextField`` /
``CharField``; in SQL they are opaque: only ``isnull`` lookups are allowed
(``filter(name="x")`` raises ``FieldError`` instead of silently matching
nothing). Ordering by them orders ciphertext, i.e. nothing meaningful.

For an exact lookup, declare a :class:`BlindIndexField` beside the encrypted
field and filter with :meth:`BlindIndexField.lookup_values`.

Notes:
    - ``Model.save()`` fills blind indexes; ``bulk_create``, ``update()`` and
      raw loads (``loaddata``) do not: call
      :func:`kuager.protection.keys.rebuild_blind_indexes` after them.
    - ``dumpdata`` writes decrypted values (Kuager backups encrypt the whole
      archive; see :mod:`kuager.records.services.backup`).
"""

from __future__ import annotations

from django import forms
from django.db import models

from kuager.protection import crypto


def field_context(model, name: str) -> str:
    """The associated-data context of a column: ``<app label>.<model name>.<field name>``."""
    return f"{model._meta.app_label}.{model._meta.model_name}.{name}"


class EncryptedTextField(models.TextField):
    """A text column stored encrypted (AES-256-GCM, key from the key file).

    Every value is encrypted, the empty string too, so a reader of the database
    cannot tell an empty contact from a given one. ``None`` stays NULL.

    Raises (when read):
        kuager.protection.crypto.DecryptionError: a value that is not Kuager
            ciphertext, a key not in the key file, or altered bytes.
        kuager.protection.crypto.KeyFileError: no key file.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        self.context = field_context(cls, name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.load_keyring().encrypt_text(str(value), self.context)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.load_keyring().decrypt_text(value, self.context)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(EncryptedTextField):
    """:class:`EncryptedTextField` edited as one line; ``max_length`` limits the plaintext (forms, checks)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class BlindIndexField(models.CharField):
    """``<index key id>:<HMAC-SHA256>`` of another (encrypted) field, for exact lookups.

    Args:
        source: the name of the field it indexes (on the same model).

    The value is computed on every ``save()``; it is ``""`` when the source is empty.
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for k, default in (("max_length", 100), ("blank", True), ("editable", False), ("db_index", True)):
            if kwargs.get(k) == default:
                kwargs.pop(k)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        self.context = field_context(cls, self.source)

    def compute(self, value: str | None) -> str:
        """The index value of ``value`` under the active index key."""
        return crypto.load_keyring().blind_index(value or "", self.context)

    def lookup_values(self, value: str) -> list[str]:
        """Index values to match with ``__in`` (one per index key, so a lookup works during a rotation)."""
        return crypto.load_keyring().blind_indexes(value or "", self.context)

    def pre_save(self, model_instance, add):
        v = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, v)
        return v
