"""``kuager appeals add|respond|list``: recording appeals and answers from the command line.

The bundled spreadsheet's two letters (T-002/a1, T-003/a1) are undated and wait
245 days to 1 January 2019 (see test_appeals.py). An appeal dated 10 June 2018
has waited 20 (rest of June) + 31+31+30+31+30+31 (July to December) + 1 = 205
days on 1 January 2019. The embassy and the volunteers below are invented.
"""

from __future__ import annotations

from datetime import date

import pytest

from kuager.cli import main
from kuager.records import models as m

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

EMBASSY = "Embassy of the People's Republic of China in Astana (invented appeal)"


def _unanswered(capsys) -> list[str]:
    assert main(["--quiet", "appeals", "list", "--unanswered", "--today", "2019-01-01"]) == 0
    return capsys.readouterr().out.splitlines()


def test_add_list_respond_round_trip(od_victims, capsys):
    assert main(["--quiet", "appeals", "add", "--to", EMBASSY, "--victims", "V-00001,Toktar Osmangali",
                 "--date", "2018-06-10", "--sender", "Invented Volunteers", "--text", "letter"]) == 0
    assert "Recorded appeal A-00001" in capsys.readouterr().out
    ap = m.Appeal.objects.get(key="A-00001")
    assert sorted(mn.key for mn in ap.mentions.all()) == ["T-002/m1", "T-003/m1"]
    assert (ap.sender, ap.description, ap.date_start) == ("Invented Volunteers", "letter", date(2018, 6, 10))

    lines = _unanswered(capsys)
    assert [ln.split()[0] for ln in lines] == ["T-002/a1", "T-003/a1", "A-00001"]  # longest wait first
    mine = lines[2]
    assert mine.startswith(f"A-00001  to {EMBASSY}  [V-00001 Gozalnur Zheniskazy, V-00002 Toktar Osmangali]")
    assert "no answer recorded; waited 205 days" in mine

    assert main(["--quiet", "appeals", "respond", "A-00001", "--text", "an internal matter of China",
                 "--date", "2018-07"]) == 0
    capsys.readouterr()
    assert [ln.split()[0] for ln in _unanswered(capsys)] == ["T-002/a1", "T-003/a1"]
    ap.refresh_from_db()
    assert (ap.response_status, ap.response_text, ap.response_date_start) == (
        "answered", "an internal matter of China", date(2018, 7, 1))
    assert main(["--quiet", "appeals", "list"]) == 0
    assert f"A-00001  2018-06-10  to {EMBASSY}  [V-00001, V-00002]  answered 2018-07: an internal matter of China" \
        in capsys.readouterr().out.splitlines()


def test_respond_none_keeps_it_unanswered_as_no_response(od_victims, capsys):
    assert main(["--quiet", "appeals", "respond", "T-003/a1", "--none"]) == 0
    capsys.readouterr()
    assert m.Appeal.objects.get(key="T-003/a1").response_status == "none"
    (t3,) = [ln for ln in _unanswered(capsys) if ln.startswith("T-003/a1")]
    assert "no response; waited 245 days" in t3


def test_add_under_a_testimony_and_errors(od_victims, capsys):
    assert main(["--quiet", "appeals", "add", "--to", "UN WGEID", "--victims", "V-00001",
                 "--testimony", "T-002"]) == 0
    assert "Recorded appeal T-002/a2" in capsys.readouterr().out
    before = m.Appeal.objects.count()
    assert main(["--quiet", "appeals", "add", "--to", "MFA", "--victims", "V-00999"]) == 1
    assert "no victim V-00999" in capsys.readouterr().err
    assert main(["--quiet", "appeals", "add", "--to", "MFA", "--victims", "V-00001", "--date", "soon"]) == 1
    assert "not a date" in capsys.readouterr().err
    assert main(["--quiet", "appeals", "add", "--to", "MFA", "--victims", "V-00001", "--testimony", "T-999"]) == 1
    assert m.Appeal.objects.count() == before
    assert main(["--quiet", "appeals", "respond", "A-00077", "--text", "yes"]) == 1
    assert "no appeal A-00077" in capsys.readouterr().err
    assert main(["--quiet", "appeals", "respond", "T-002/a1"]) == 1  # an answer with no text and no date
    assert "what it said or when" in capsys.readouterr().err
    assert m.Appeal.objects.get(key="T-002/a1").response_status == "none"
