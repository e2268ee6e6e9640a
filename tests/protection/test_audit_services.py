"""The web-side services write audit entries too: intake, review (merge, unmerge), publication, appeals."""

from __future__ import annotations

import pytest

from kuager.audit import services as audit
from kuager.audit.models import AuditEntry
from kuager.records import models as m
from kuager.records.services import appeals, intake, review
from kuager.records.services.resolution import resolve

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _testimony(user, name="Aigerim Inventedkyzy", contact="+7 700 999 0000"):
    data = intake.TestimonyInput(
        victims=[intake.VictimInput(names=[name], sex="female",
                                    events=[intake.EventInput(kind="detained", date_text="2019")])],
        testifier_name="Invented Sister", testifier_contact=contact, consent="full",
        original_text="invented statement text", recorded_on_text="2019-03-15")
    return intake.record_testimony(data, user=user)


def test_intake_merge_unmerge_and_publication_are_attributed_to_the_editor(django_user_model):
    from kuager.records.services import roles

    ed = roles.add_user("invented-editor", roles.EDITOR, "invented-pass-phrase-4821")[0]  # an editor's intake is published at once
    t1 = _testimony(ed)
    t2 = _testimony(ed, name="Aigerim Inventedkyzy")
    e = AuditEntry.objects.get(action="create", object_key=t1.number)
    assert e.actor == "web:invented-editor" and e.new["victims"] == [t1.mentions.get().victim.public_id]
    v1, v2 = t1.mentions.get().victim, t2.mentions.get().victim
    assert v1.pk != v2.pk  # intake makes one victim per mention; resolve joins them only when asked
    review.decide_pair(v1, v2, "same", user=ed, note="same person, same ID card")
    j = AuditEntry.objects.get(action="judgement")
    assert (j.actor, j.new["decision"]) == ("web:invented-editor", "same")
    merge = AuditEntry.objects.get(action="merge")
    assert merge.actor == "web:invented-editor"
    kept = m.Mention.objects.get(key=f"{t1.number}/m1").victim
    assert m.Mention.objects.get(key=f"{t2.number}/m1").victim_id == kept.id

    review.unmerge(kept, [f"{t2.number}/m1"], user=ed, note="different birth years after all")
    un = AuditEntry.objects.get(action="unmerge")
    assert un.actor == "web:invented-editor" and un.new["mentions_moved"] == [f"{t2.number}/m1"]
    assert AuditEntry.objects.get(action="unmerge_request").new["mentions"] == [f"{t2.number}/m1"]

    review.set_publication(kept, published=False)
    pub = AuditEntry.objects.filter(action="update", object_key=kept.public_id).last()
    assert pub.old == {"published": True, "confidential": False, "withheld": False}
    assert pub.new == {"published": False, "confidential": False, "withheld": True,
                       "changed": ["published", "withheld"]}  # withheld: an editor's decision, not waiting
    assert audit.verify().ok
    # nothing confidential entered the log
    for entry in AuditEntry.objects.all():
        text = f"{entry.old} {entry.new}"
        assert "999 0000" not in text and "Invented Sister" not in text and "invented statement" not in text


def test_appeals_are_audited_with_the_sender_masked(django_user_model):
    t = _testimony(None)
    v = t.mentions.get().victim
    ap = appeals.record_appeal(authority="Invented Ministry", victims=[v], sender="Invented Sister",
                               date_text="2020-01")
    created = AuditEntry.objects.get(action="create", object_key=ap.key)
    assert created.new["authority"] == "Invented Ministry" and created.new["sender"] == "[confidential]"
    appeals.record_response(ap, status="none")
    upd = AuditEntry.objects.get(action="update", object_key=ap.key)
    assert (upd.old["response_status"], upd.new["response_status"]) == ("unknown", "none")
    assert upd.new["changed"] == ["response_status"]


def test_wgeid_drafts_and_appeal_letters_are_audited_as_exports(od_dir):
    from kuager.records.services import wgeid
    from kuager.records.services.importing import import_file

    import_file(od_dir / "testimonies.csv")
    resolve()
    v = m.Victim.objects.get(display_name="Gozalnur Zheniskazy")
    sub = wgeid.draft_submission(v)
    wgeid.render_docx(sub)
    e = AuditEntry.objects.get(action="export", object_key=v.public_id)
    assert (e.new["kind"], e.new["format"]) == ("wgeid draft", "docx")
    pdf = appeals.appeal_letter([v], "Invented Ministry", "Invented Committee")
    assert pdf[:5] == b"%PDF-"
    letter = AuditEntry.objects.get(action="export", object_type="appeal letter")
    assert letter.object_key == "Invented Ministry" and letter.new["victims"] == [v.public_id]
    assert audit.verify().ok
