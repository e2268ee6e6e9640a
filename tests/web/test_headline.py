"""One rule for the name a person is headlined by, on the web pages and in the static report.

All people here are invented.
"""

from __future__ import annotations

import pytest
from django.test import Client

from kuager.records import models as m
from kuager.records.services.reporting import write_report
from kuager.records.services.resolution import refresh_victims

pytestmark = pytest.mark.django_db


def _one_person(record, consents):
    """One victim from three testimonies: (Cyrillic + Latin A), (Latin B), (Latin B); consents per testimony."""
    spellings = [["Айгерім Серікқызы", "Aigerim Serikkyzy"], ["Aygerim Serikqizi"], ["Aygerim Serikqizi"]]
    ts = [record(names, consent=c, testifier=f"Invented Testifier {i}")
          for i, (names, c) in enumerate(zip(spellings, consents))]
    v = ts[0].mentions.get().victim
    for t in ts[1:]:
        mn = t.mentions.get()
        old = mn.victim
        mn.victim = v
        mn.save()
        old.delete()
    refresh_victims([v])
    v.refresh_from_db()
    return v


def test_web_and_report_headline_the_most_frequent_latin_spelling(record, tmp_path):
    v = _one_person(record, ["full", "full", "full"])
    # Latin spellings: "Aigerim Serikkyzy" once, "Aygerim Serikqizi" twice
    assert v.display_name == "Aygerim Serikqizi"
    page = Client().get(f"/public/victims/{v.public_id}/")
    assert page.context["name"] == "Aygerim Serikqizi"
    write_report(tmp_path, scope="public")
    html = (tmp_path / "victims" / f"{v.public_id}.html").read_text(encoding="utf-8")
    assert "<h1>Aygerim Serikqizi <span" in html


def test_a_chosen_script_comes_first_on_the_web(record):
    v = _one_person(record, ["full", "full", "full"])
    c = Client()
    c.post("/preferences/script/", {"script": "Cyrillic", "next": "/public/"})
    assert c.get(f"/public/victims/{v.public_id}/").context["name"] == "Айгерім Серікқызы"


def test_public_headline_never_uses_a_withheld_testimonys_spelling(record, tmp_path):
    v = _one_person(record, ["full", "none", "none"])
    assert v.display_name == "Aygerim Serikqizi"  # internal: all three testimonies
    assert Client().get(f"/public/victims/{v.public_id}/").context["name"] == "Aigerim Serikkyzy"
    write_report(tmp_path, scope="public")
    html = (tmp_path / "victims" / f"{v.public_id}.html").read_text(encoding="utf-8")
    assert "Aygerim Serikqizi" not in html and "<h1>Aigerim Serikkyzy <span" in html
    assert m.Victim.objects.get(pk=v.pk).visible_public
