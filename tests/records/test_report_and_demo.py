"""The main job end to end on the bundled real data: ``kuager demo`` and its report."""

from __future__ import annotations

import re

import pytest

from kuager.cli import main
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.reporting import write_report
from kuager.records.services.resolution import resolve

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_demo_twice_changes_no_count(tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["--quiet", "demo", "--out", str(out)]) == 0
    first = capsys.readouterr().out
    for line in ("testimonies:      4", "victims:          3", "events:           7", "appeals:          2",
                 "facilities:       551", f"report:           {out / 'index.html'}"):
        assert line in first
    assert main(["--quiet", "demo", "--out", str(out)]) == 0
    second = capsys.readouterr().out
    assert first.split("Kuager demo finished:")[1] == second.split("Kuager demo finished:")[1]
    assert "unchanged: 4 testimony" in second and "unchanged: 551 facility" in second


def test_report_contents(tmp_path):
    main(["--quiet", "demo", "--out", str(tmp_path / "r")])
    index = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    for name in ("Gozalnur Zheniskazy", "Toktar Osmangali", "Kayrat Samarkin"):
        assert name in index
    # charts are images in the HTML and exist
    for chart in re.findall(r'<img src="(charts/[a-z]+\.png)"', index):
        assert (tmp_path / "r" / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(re.findall(r'<img src="charts/', index)) == 4
    # claims beside documented counts, each with its source
    assert "Documented here: <strong>3</strong>" in index
    assert "up to 500" in index and "160" in index and index.count("openDemocracy, 23 May 2018") >= 11
    # the anonymous testifier of T-001 is not named; the unnamed relatives are described, not invented
    assert "(anonymous testifier)" in index and "names not given" in index
    facilities = (tmp_path / "r" / "facilities.html").read_text(encoding="utf-8")
    assert facilities.count("<tr><td>") == 551
    assert "Ürümqi" in facilities and "Dabancheng - I" in facilities
    assert "BuzzFeed News, Xinjiang camps data (CC BY 4.0)" in facilities
    assert "BuzzFeed News, Xinjiang camps data (CC BY 4.0)" in index


def test_victim_page_events_in_date_order_with_sources(tmp_path):
    main(["--quiet", "demo", "--out", str(tmp_path / "r")])
    v = m.Victim.objects.get(display_name="Gozalnur Zheniskazy")
    page = _text((tmp_path / "r" / "victims" / f"{v.public_id}.html").read_text(encoding="utf-8"))
    timeline = page.split("Timeline")[1].split("Appeals and answers")[0]
    order = [timeline.index(s) for s in ("2016 (mid-year) lost contact", "2018 (learned) detained in a camp",
                                         "date unknown passport confiscated")]
    assert order == sorted(order)
    assert timeline.count("testimony T-002 (Zhenisnur Ayatkhanuly; openDemocracy, 23 May 2018)") == 3
    assert "Ministry of Foreign Affairs of Kazakhstan" in page and "no response" in page
    assert "1994 or 1995 (aged 23 in 2018-05)" in page
    k = m.Victim.objects.get(display_name="Kayrat Samarkin")
    kpage = _text((tmp_path / "r" / "victims" / f"{k.public_id}.html").read_text(encoding="utf-8"))
    assert "2018 released re-education camp (location not given)" in kpage
    assert "self" in kpage


def test_consent_decides_what_the_report_shows(tmp_path, od_dir):
    """Invented testimonies: consent 'none' shows nothing; 'anonymous' shows facts, not the testifier."""
    path = tmp_path / "extra.csv"
    path.write_text(
        "No,Testifier,Contact,Victim,Status,When,Consent,Story\n"
        "X-1,Qwertyuiop Testifier,+7 700 000 0000,Zarina Withheldova,detained,2019,none,SECRET-STORY-1\n"
        "X-2,Asdfghjkl Anonymous,+7 700 111 1111,Marat Anonovich,detained,2019,anonymous,SECRET-STORY-2\n",
        encoding="utf-8")
    mapping = tmp_path / "extra.toml"
    mapping.write_text('''
[mapping]
kind = "testimonies"
[columns]
"testimony.number" = "No"
"testimony.consent" = "Consent"
"testimony.original_text" = "Story"
"testifier.name" = "Testifier"
"testifier.contact" = "Contact"
"mention.names" = "Victim"
[[events]]
kind_column = "Status"
date = "When"
''', encoding="utf-8")
    import_file(path, mapping=mapping)
    resolve()
    write_report(tmp_path / "pub")
    pub = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "pub").rglob("*.html"))
    for secret in ("Zarina Withheldova", "Qwertyuiop", "Asdfghjkl", "+7 700", "SECRET-STORY"):
        assert secret not in pub
    assert "Marat Anonovich" in pub  # the anonymous testimony's facts are shown
    write_report(tmp_path / "internal", scope="internal")
    internal = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "internal").rglob("*.html"))
    assert "Zarina Withheldova" in internal and "INTERNAL version" in internal
    assert "+7 700" not in internal  # contact details are never in a report
