"""The WGEID download view (kuager.web.advocacy.wgeid_draft): editors only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from kuager.web.advocacy import wgeid_draft

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _get(user, public_id, **params):
    request = RequestFactory().get(f"/victims/{public_id}/wgeid/", params)
    request.user = user
    return wgeid_draft(request, public_id)


def _user(name, group=None):
    u = get_user_model().objects.create_user(name, password="invented-pass-123")
    if group:
        u.groups.add(Group.objects.get_or_create(name=group)[0])
    return u


def test_anonymous_is_sent_to_login(od_victims):
    response = _get(AnonymousUser(), "V-00001")
    assert response.status_code == 302 and "login" in response["Location"]


def test_viewer_is_forbidden(od_victims):
    with pytest.raises(PermissionDenied):
        _get(_user("vera", "viewer"), "V-00001")


def test_editor_gets_the_pdf_and_docx(od_victims):
    editor = _user("edna", "editor")
    response = _get(editor, "V-00001", submitter="Invented NGO")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="wgeid-V-00001.pdf"'
    assert response.content[:5] == b"%PDF-"
    response = _get(editor, "V-00001", format="docx")
    assert response.content[:2] == b"PK" and response["Content-Disposition"].endswith('.docx"')


def test_refusal_and_errors(od_victims):
    editor = _user("edna", "editor")
    refused = _get(editor, "V-00003")  # Kayrat Samarkin: released
    assert refused.status_code == 409 and "release is recorded" in refused.content.decode()
    assert _get(editor, "V-00001", format="odt").status_code == 400
    from django.http import Http404

    with pytest.raises(Http404):
        _get(editor, "V-00999")


def test_the_export_entry_names_the_signed_in_editor(od_victims):
    from kuager.audit.models import AuditEntry

    editor = _user("edna", "editor")
    assert _get(editor, "V-00001").status_code == 200
    assert _get(editor, "V-00001", format="docx").status_code == 200
    entries = AuditEntry.objects.filter(action="export", object_key="V-00001").order_by("seq")
    assert [(e.actor, e.new["format"]) for e in entries] == [("web:edna", "pdf"), ("web:edna", "docx")]
