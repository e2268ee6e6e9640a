"""The audit log's tables: :class:`AuditEntry` (append-only) and :class:`AuditHead` (the chain's end)."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry through the ORM."""


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only; they cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only; they cannot be deleted")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only; they cannot be updated")


class AuditEntry(models.Model):
    """One thing that happened: who, when, what, to which record, with old and new values.

    ``hash`` is SHA-256 over ``prev_hash`` and a canonical JSON of the other
    fields (see :func:`kuager.audit.services.entry_hash`); ``prev_hash`` is the
    previous entry's hash, so altering, deleting or reordering rows breaks the
    chain (``kuager audit verify``). Values of encrypted columns are never
    stored: they appear as ``"[confidential]"``.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_key = models.CharField(max_length=300, blank=True)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only; they cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are append-only; they cannot be deleted")

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.object_type} {self.object_key}"


class AuditHead(models.Model):
    """The last entry's ``seq`` and ``hash`` (one row, locked while appending, so appends are serial)."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
