"""The Django admin for the records (``/admin/``): editors and admins (docs/web.md, "Roles").

What a user may do here follows their role's model permissions
(:data:`kuager.records.services.roles.ROLE_PERMISSIONS`): editors view and change
the records, admins everything. Some things are read-only for everybody, because
they must go through a service:

- values derived from others (``Victim.visible_team``/``visible_public``,
  ``Mention.status_kind``/``event_years``: :mod:`kuager.records.services.derived`);
- who a mention belongs to (``Mention.victim``: merges and unmerges go through
  :mod:`kuager.records.services.review`, which records the judgements) and a
  victim's publication (``published``, ``withheld``: the publication form, which
  is audited);
- evidence: a document's hashes, size, type and file name are the original's, kept
  by :mod:`kuager.records.services.evidence`; documents are added there (the
  testimony page), never here, and are not deleted here; custody entries,
  judgements (:mod:`kuager.records.services.review`), review candidates and
  victim redirects are shown, never edited;
- the audit log (:mod:`kuager.audit`) is append-only.

A name corrected here gets its search keys made again
(:func:`kuager.records.services.names._key_rows`), as intake makes them.

Encrypted fields (a testifier's name, residence and contact, a testimony's
original text, an appeal's sender, a document's file name) are never listed,
searched or filtered (they are opaque in SQL); a testifier's contact and a
testimony's text appear on the change form only to users holding
``records.view_confidential``.
"""

from __future__ import annotations

from django.contrib import admin

from kuager.records import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here (a service writes these rows)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConfidentialFormMixin:
    """Leaves ``confidential_fields`` off the form for users without ``records.view_confidential``."""

    confidential_fields: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not request.user.has_perm("records.view_confidential"):
            exclude += [f for f in self.confidential_fields if f not in exclude]
        return exclude


@admin.register(m.Victim)
class VictimAdmin(admin.ModelAdmin):
    list_display = ("public_id", "display_name", "verification", "published", "withheld", "confidential",
                    "visible_public", "updated_at")
    list_filter = ("verification", "published", "withheld", "confidential", "visible_public")
    search_fields = ("public_id", "display_name", "mentions__names__text", "mentions__chinese_id")
    readonly_fields = ("public_id", "display_name", "published", "withheld", "visible_team", "visible_public",
                       "created_at", "updated_at")
    ordering = ("public_id",)


def _rekey(name: m.MentionName) -> None:
    """Make a saved name's search keys again (as intake does)."""
    from kuager.records.services.names import _key_rows

    name.keys.all().delete()
    m.NameKey.objects.bulk_create(_key_rows(name))


class MentionNameInline(admin.TabularInline):
    model = m.MentionName
    extra = 0
    fields = ("text", "script", "position")


@admin.register(m.Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ("key", "victim", "testimony", "sex", "birth_date_text", "ethnicity", "citizenship",
                    "status_kind", "confidential")
    list_filter = ("status_kind", "ethnicity", "sex", "confidential")
    search_fields = ("key", "names__text", "chinese_id", "victim__public_id", "testimony__number")
    readonly_fields = ("key", "victim", "testimony", "status_kind", "event_years", "created_at", "updated_at")
    raw_id_fields = ("place",)
    inlines = [MentionNameInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is m.MentionName:
            for name in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                _rekey(name)


@admin.register(m.MentionName)
class MentionNameAdmin(admin.ModelAdmin):
    list_display = ("text", "script", "position", "mention")
    list_filter = ("script",)
    search_fields = ("text", "mention__key")
    readonly_fields = ("mention",)

    def has_add_permission(self, request):
        return False  # names are added with their mention (the mention's page here, or intake)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _rekey(obj)


@admin.register(m.Testimony)
class TestimonyAdmin(ConfidentialFormMixin, admin.ModelAdmin):
    list_display = ("number", "recorded_on_text", "channel", "consent", "confidential", "collection",
                    "recorded_by_name", "created_at")
    list_filter = ("consent", "confidential", "channel", "collection")
    search_fields = ("number", "collection", "recorded_by_name")
    readonly_fields = ("number", "row_fingerprint", "import_batch", "created_at", "updated_at")
    raw_id_fields = ("source", "testifier", "recorded_by")
    confidential_fields = ("original_text", "notes")


@admin.register(m.Testifier)
class TestifierAdmin(ConfidentialFormMixin, admin.ModelAdmin):
    list_display = ("id", "anonymous", "citizenship", "created_at")  # name, residence, contact: never listed
    list_filter = ("anonymous", "citizenship")
    search_fields = ("citizenship",)
    exclude = ("name_index",)
    confidential_fields = ("name", "residence", "contact")


@admin.register(m.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("key", "kind", "date_text", "place_text", "facility", "mention", "testimony")
    list_filter = ("kind", "date_precision")
    search_fields = ("key", "place_text", "date_text", "testimony__number", "mention__victim__public_id")
    readonly_fields = ("key",)
    raw_id_fields = ("testimony", "mention", "place", "facility")


@admin.register(m.Appeal)
class AppealAdmin(ConfidentialFormMixin, admin.ModelAdmin):
    list_display = ("key", "authority", "date_text", "response_status", "testimony")
    list_filter = ("response_status",)
    search_fields = ("key", "authority", "testimony__number")
    readonly_fields = ("key",)
    raw_id_fields = ("testimony", "mentions")
    confidential_fields = ("sender",)


class CustodyInline(admin.TabularInline):
    model = m.CustodyEntry
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "action", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Document)
class DocumentAdmin(ConfidentialFormMixin, admin.ModelAdmin):
    """Evidence: description, kind and the person concerned may be corrected; the original never."""

    list_display = ("key", "kind", "description", "media_type", "size", "testimony", "mention")
    list_filter = ("kind", "media_type")
    search_fields = ("key", "description", "sha256", "testimony__number")
    readonly_fields = ("key", "testimony", "original_name", "sha256", "size", "media_type", "derived_sha256",
                       "created_at", "updated_at")
    exclude = ("file_key",)
    raw_id_fields = ("mention",)
    inlines = [CustodyInline]
    confidential_fields = ("original_name",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("records.view_confidential"):
            fields.remove("original_name")
        return fields

    def has_add_permission(self, request):
        return False  # files come in through the evidence service (intake, the testimony page, the API)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.CustodyEntry)
class CustodyEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor", "document", "note")
    list_filter = ("action",)
    search_fields = ("actor", "document__key")


@admin.register(m.Source)
class SourceAdmin(ConfidentialFormMixin, admin.ModelAdmin):
    list_display = ("key", "title", "kind", "publisher", "published_on", "license")
    list_filter = ("kind",)
    search_fields = ("key", "title", "publisher", "author")
    confidential_fields = ("text",)


@admin.register(m.AggregateClaim)
class AggregateClaimAdmin(admin.ModelAdmin):
    list_display = ("number", "claimed_by", "scope", "measure", "value", "value_max", "unit", "date_text")
    search_fields = ("number", "claimed_by", "scope", "measure")
    raw_id_fields = ("source",)


@admin.register(m.Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "name_zh", "name_kk", "name_ug", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "name_zh", "name_kk", "name_ug")
    raw_id_fields = ("parent",)


@admin.register(m.Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("source_id", "sub_id", "name", "town", "prefecture", "facility_type", "latitude", "longitude")
    list_filter = ("prefecture", "facility_type", "dataset")
    search_fields = ("source_id", "name", "town", "prefecture")
    readonly_fields = ("dataset", "raw")


@admin.register(m.Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    """Decisions are taken on the review pages (``kuager.records.services.review``), which move mentions."""

    list_display = ("id", "decision", "mention_a", "mention_b", "source", "score", "decided_by", "decided_at",
                    "withdrawn_at")
    list_filter = ("decision", "source")
    search_fields = ("mention_a__key", "mention_b__key", "note")


@admin.register(m.ReviewCandidate)
class ReviewCandidateAdmin(ReadOnlyAdmin):
    list_display = ("mention_a", "mention_b", "probability", "model", "created_at")
    search_fields = ("mention_a__key", "mention_b__key")


@admin.register(m.VictimRedirect)
class VictimRedirectAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "victim", "updated_at")
    search_fields = ("public_id",)


@admin.register(m.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "file_name", "format", "started_at")
