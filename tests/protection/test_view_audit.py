"""Every view of a confidential record in the web app is an audit entry (who, when, which record)."""

from __future__ import annotations

import pytest

from kuager.audit.models import AuditEntry
from kuager.records.services import intake, review
from kuager.records.services.roles import add_user, ensure_roles

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _t(consent, confidential=False, victim_confidential=False):
    return intake.record_testimony(intake.TestimonyInput(
        victims=[intake.VictimInput(names=["Invented Person"], confidential=victim_confidential)],
        testifier_name="Invented Relative", testifier_contact="+7 700 000 0000", consent=consent,
        confidential=confidential))


def test_editor_views_of_confidential_records_are_audited(client, login, enrol):
    ensure_roles()
    enrol(add_user("invented-editor", "editor", "an invented long passphrase")[0])
    assert login(client, "invented-editor", "an invented long passphrase")
    secret = _t("none", confidential=True)
    plain = _t("full")
    review.set_publication(plain.mentions.get().victim, published=True)
    hidden_victim = _t("full", victim_confidential=True).mentions.get().victim
    before = AuditEntry.objects.filter(action="view_confidential").count()

    assert client.get(f"/testimonies/{secret.number}/").status_code == 200
    assert client.get(f"/victims/{hidden_victim.public_id}/").status_code == 200
    assert client.get(f"/victims/{plain.mentions.get().victim.public_id}/").status_code == 200  # nothing hidden
    views = list(AuditEntry.objects.filter(action="view_confidential").order_by("seq")
                 .values_list("actor", "object_type", "object_key"))[before:]
    assert views == [("web:invented-editor", "records.testimony", secret.number),
                     ("web:invented-editor", "records.victim", hidden_victim.public_id)]
