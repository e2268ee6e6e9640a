"""The WGEID button on the victim page: editors get the draft, others do not see the link.

All people here are invented.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kuager.records.services import intake


def _family_case(user=None):
    data = intake.TestimonyInput(
        victims=[intake.VictimInput(names=["Ақмарал Дүйсенқызы"], sex="female", birth_date_text="1970",
                                    relation_of_testifier="daughter", ethnicity="Kazakh",
                                    events=[intake.EventInput(kind="detained_camp", date_text="March 2018",
                                                              place_text="Ghulja")])],
        testifier_name="Invented Daughter", consent="full", recorded_on_text="2019-03-01")
    return intake.record_testimony(data, user=user).mentions.get().victim


@pytest.mark.django_db
def test_editor_sees_the_links_and_downloads_docx(users, password, login):
    v = _family_case()
    c = Client()
    assert login(c, "editor1", password)
    page = c.get(f"/victims/{v.public_id}/").content.decode()
    assert f"/victims/{v.public_id}/wgeid/?format=pdf" in page
    assert f"/victims/{v.public_id}/wgeid/?format=docx" in page
    r = c.get(f"/victims/{v.public_id}/wgeid/?format=docx")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert r["Content-Disposition"] == f'attachment; filename="wgeid-{v.public_id}.docx"'
    assert r.content[:2] == b"PK"  # a DOCX is a zip file


@pytest.mark.django_db
def test_viewer_gets_no_link_and_403(users, password, login):
    v = _family_case()
    c = Client()
    assert login(c, "viewer1", password)
    assert "/wgeid/" not in c.get(f"/victims/{v.public_id}/").content.decode()
    assert c.get(f"/victims/{v.public_id}/wgeid/?format=docx").status_code == 403
