"""Appeals: recording, unanswered appeals with days waited (against a fixed today), letters.

The bundled spreadsheet holds two appeals, both letters to the Kazakhstan MFA and
both undated: T-002 (Gozalnur Zheniskazy's husband, "no response") and T-003
(Toktar Osmangali's wife, answer not recorded). Both testimonies were recorded
in May 2018, so their waits count from 1 May 2018; to 1 January 2019 that is
31+30+31+31+30+31+30+31 = 245 days.
"""

from __future__ import annotations

from datetime import date

import pytest

from kuager.cli import main
from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records.selectors import victim_profile
from kuager.records.services import appeals

from .conftest import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

NEW_YEAR_2019 = date(2019, 1, 1)


def test_the_mfa_letters_are_unanswered_with_days_waited(od_victims):
    rows = appeals.unanswered_appeals(NEW_YEAR_2019)
    assert [(r.appeal.key, r.status, r.days, r.since) for r in rows] == [
        ("T-002/a1", "none", 245, date(2018, 5, 1)), ("T-003/a1", "unknown", 245, date(2018, 5, 1))]
    assert rows[0].victims == [("V-00001", "Gozalnur Zheniskazy")]
    assert rows[0].basis == "appeal undated; counted from testimony T-002 recorded 2018-05"


def test_an_answered_appeal_is_not_unanswered(od_victims):
    g = od_victims["Gozalnur Zheniskazy"]
    ap = appeals.record_appeal(authority="Embassy of the People's Republic of China in Astana", victims=[g],
                               sender="Invented Volunteers", date_text="2018-06-10", description="letter")
    assert ap.key == "A-00001" and ap.response_status == "unknown"
    row = next(r for r in appeals.unanswered_appeals(NEW_YEAR_2019) if r.appeal.key == "A-00001")
    # 10 June 2018 to 1 January 2019: 20 days left in June + 31+31+30+31+30+31 + 1 = 205
    assert row.days == 205 and row.basis == "appeal dated 2018-06-10"
    appeals.record_response(ap, status="answered", text="an internal matter of China", date_text="2018-07")
    keys = [r.appeal.key for r in appeals.unanswered_appeals(NEW_YEAR_2019)]
    assert keys == ["T-002/a1", "T-003/a1"]
    ap.refresh_from_db()
    assert ap.response_date_start == date(2018, 7, 1) and ap.response_text == "an internal matter of China"


def test_record_appeal_links_the_victims_and_shows_in_their_profile(od_victims):
    g, t = od_victims["Gozalnur Zheniskazy"], od_victims["Toktar Osmangali"]
    ap = appeals.record_appeal(authority="Senator (invented)", victims=[g, t], sender="Invented Volunteers")
    assert sorted(mn.key for mn in ap.mentions.all()) == ["T-002/m1", "T-003/m1"]
    assert [a.key for a in victim_profile(g).appeals] == ["A-00001", "T-002/a1"]
    testimony = m.Testimony.objects.get(number="T-002")
    second = appeals.record_appeal(authority="UN WGEID", victims=[g], testimony=testimony)
    assert second.key == "T-002/a2"


def test_bad_input_writes_nothing(od_victims):
    g = od_victims["Gozalnur Zheniskazy"]
    before = m.Appeal.objects.count()
    with pytest.raises(InputError, match="not a date"):
        appeals.record_appeal(authority="MFA", victims=[g], date_text="the day after")
    with pytest.raises(InputError, match="authority"):
        appeals.record_appeal(authority=" ", victims=[g])
    with pytest.raises(InputError, match="at least one victim"):
        appeals.record_appeal(authority="MFA", victims=[])
    assert m.Appeal.objects.count() == before
    ap = m.Appeal.objects.get(key="T-002/a1")
    with pytest.raises(InputError, match="unknown response status"):
        appeals.record_response(ap, status="maybe")
    with pytest.raises(InputError, match="what it said or when"):
        appeals.record_response(ap, status="answered")
    ap.refresh_from_db()
    assert ap.response_status == "none"


def test_letter_puts_kazakhstan_citizens_first(od_victims, tmp_path):
    t, g = od_victims["Toktar Osmangali"], od_victims["Gozalnur Zheniskazy"]
    pdf = appeals.appeal_letter([t, g], "Ministry of Foreign Affairs of the Republic of Kazakhstan",
                                "Invented Volunteers", today=date(2018, 6, 1))
    text = " ".join(pdf_text(pdf, tmp_path).split())
    # Gozalnur holds Kazakhstan citizenship; Toktar's was only promised
    assert text.index("1. Gozalnur Zheniskazy") < text.index("2. Toktar Osmangali")
    assert "One of them is a citizen of the Republic of Kazakhstan and is listed first" in text
    entry = text.split("1. Gozalnur Zheniskazy")[1].split("2. Toktar Osmangali")[0]
    assert entry.startswith(" Citizenship Kazakhstan (T-002)")
    assert "1994 or 1995 (aged 23 in 2018-05)" in entry and "2016 (mid-year): lost contact" in entry
    assert "to Ministry of Foreign Affairs of Kazakhstan (undated): no response" in entry
    assert "China (Kazakhstan citizenship promised) (T-003)" in text
    assert "Jamilya" not in text and "Zhenisnur" not in text  # testifiers are not named in letters
    assert "1 June 2018" in text


def test_letter_refuses_a_withheld_victim(make_victim):
    v = make_victim("X-701", ["Withheld Inventova"], consent="none")
    with pytest.raises(KuagerError, match="may not be named outside the team"):
        appeals.appeal_letter([v], "MFA", "Invented Volunteers")


def test_cli_list_and_letter(od_victims, tmp_path, capsys):
    assert main(["--quiet", "appeals", "list", "--unanswered", "--today", "2019-01-01"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("T-002/a1  to Ministry of Foreign Affairs of Kazakhstan  [V-00001 Gozalnur Zheniskazy]"
                             "  no response; waited 245 days")
    assert "no answer recorded; waited 245 days" in out[1]
    letter = tmp_path / "letter.pdf"
    assert main(["--quiet", "appeals", "letter", "V-00001", "Toktar Osmangali", "--to", "MFA of Kazakhstan",
                 "--out", str(letter)]) == 0
    assert letter.read_bytes()[:5] == b"%PDF-"
