"""The audit log in the Django admin: shown to admins, never added to, changed or deleted (append-only)."""

from __future__ import annotations

from django.contrib import admin

from kuager.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor", "action", "object_type", "object_key")
    list_filter = ("action", "object_type")
    search_fields = ("actor", "object_key")
    ordering = ("-seq",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
