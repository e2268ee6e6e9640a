"""``kuager export``: the public scope leaks nothing consent withholds; CSV tables are spreadsheet-safe.

Marker strings ("leakmark") are planted in everything the public must never see;
the whole exported text is then searched for them. Names and texts here are
invented, except the public cases of the bundled article.
"""

from __future__ import annotations

import csv
import json

import pytest
from django.contrib.auth import get_user_model

from kuager.cli import main
from kuager.records import models as m
from kuager.records.services.exporting import TABLES, export, neutralise
from kuager.records.services.importing import import_file
from kuager.records.services.names import set_mention_names
from kuager.records.services.resolution import resolve

from export_fixtures import empty_database

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

MARK = "leakmark"

#: What the public may see, planted beside the markers: proves the export is not just empty.
VISIBLE = ["Gozalnur Zheniskazy", "Zhenisnur Ayatkhanuly", "Toktar Osmangali", "Kayrat Samarkin",
           "Anonfacts Visible", "Fullconsent Speaker", "Fullconsent text visible", "Sharedvictim Visible",
           "Anonflag text visible"]


def _testimony(number, consent, *, testifier=None, text="", confidential=False, notes="", **kw):
    t = m.Testimony.objects.create(number=number, consent=consent, testifier=testifier, original_text=text,
                                   confidential=confidential, notes=notes, **kw)
    return t


def _mention(t, key, names, **kw):
    mn = m.Mention.objects.create(key=key, testimony=t, **kw)
    set_mention_names(mn, names)
    return mn


@pytest.fixture
def planted(od_dir):
    import_file(od_dir / "testimonies.csv")
    import_file(od_dir / "aggregate_claims.csv")
    resolve()
    user = get_user_model().objects.create_user("leakmark-user", password=None)

    # consent "none": nothing at all may leave.
    tf1 = m.Testifier.objects.create(name="Leakmark None Testifier", contact="leakmark-none-contact")
    t1 = _testimony("T-801", "none", testifier=tf1, text="Leakmark none text.")
    hidden = _mention(t1, "T-801/m1", ["Leakmarknone Person"], description="leakmark none description")
    m.Event.objects.create(key="T-801/m1/e1", testimony=t1, mention=hidden, kind="detained",
                           description="leakmark none event")
    m.Event.objects.create(key="T-801/e2", testimony=t1, kind="disappeared", subject="leakmark unnamed subject")
    m.Document.objects.create(key="T-801/d1", testimony=t1, mention=hidden, description="leakmark none document")

    # consent "anonymous": facts, never who spoke, nor the text, nor notes.
    tf2 = m.Testifier.objects.create(name="Leakmark Anon Testifier", residence="leakmark anon residence",
                                     contact="leakmark-anon-contact", citizenship="Kazakhstan")
    t2 = _testimony("T-802", "anonymous", testifier=tf2, text="Leakmark anon text.", notes="leakmark anon notes",
                    recorded_by=user, recorded_by_name="Leakmark Recorder")
    anon = _mention(t2, "T-802/m1", ["Anonfacts Visible"], relation_of_testifier="son")
    ap = m.Appeal.objects.create(key="T-802/a1", testimony=t2, authority="Invented Prosecutor",
                                 sender="Leakmark Anon Testifier", description="letter")
    ap.mentions.set([anon])

    # consent "full": the testifier's name and the text, never contact or residence.
    tf3 = m.Testifier.objects.create(name="Fullconsent Speaker", residence="leakmark full residence",
                                     contact="leakmark-full-contact")
    t3 = _testimony("T-803", "full", testifier=tf3, text="Fullconsent text visible.")
    conf_victim = m.Victim.objects.create(public_id="V-00801", display_name="Confidentialvictim Leakmark",
                                          confidential=True)
    unpublished = m.Victim.objects.create(public_id="V-00802", display_name="Unpublished Leakmark",
                                          published=False)
    shared = m.Victim.objects.create(public_id="V-00803", display_name="Leakmarknone Person")
    _mention(t3, "T-803/m1", ["Confidentialvictim Leakmark"], victim=conf_victim)
    _mention(t3, "T-803/m2", ["Unpublished Leakmark"], victim=unpublished)
    _mention(t3, "T-803/m3", ["Leakmark Confmention"], confidential=True, occupation="leakmark occupation")
    visible = _mention(t3, "T-803/m4", ["Sharedvictim Visible"], victim=shared)
    m.Mention.objects.filter(pk=hidden.pk).update(victim=shared)  # its other mention is withheld
    m.Document.objects.create(key="T-803/d1", testimony=t3, mention=visible, description="photo",
                              original_name="leakmark-family-name.jpg")
    # full consent, but the testifier asked not to be named: facts and text, never the name.
    tf5 = m.Testifier.objects.create(name="Leakmark Anonymous Flag", anonymous=True)
    _testimony("T-805", "full", testifier=tf5, text="Anonflag text visible.")
    # full consent but marked confidential: withheld.
    _testimony("T-804", "full", testifier=tf3, text="Leakmark confidential testimony.", confidential=True)
    # people's decisions are internal.
    m.Judgement.objects.create(mention_a=anon, mention_b=visible, decision="different", decided_by=user,
                               note="leakmark judgement note")
    # an unattached testifier.
    m.Testifier.objects.create(name="Leakmark Orphan", contact="leakmark-orphan-contact")


def _all_csv_text(folder) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(folder.iterdir()))


def test_public_json_and_csv_leak_nothing(planted, tmp_path):
    internal = tmp_path / "internal.json"
    export(internal, fmt="json", scope="internal")
    assert internal.read_text(encoding="utf-8").lower().count(MARK) >= 20  # the markers are really there

    public = tmp_path / "public.json"
    export(public, fmt="json", scope="public")
    folder = tmp_path / "public-csv"
    export(folder, fmt="csv", scope="public")
    for text in (public.read_text(encoding="utf-8"), _all_csv_text(folder)):
        lowered = text.lower()
        found = [lowered[max(0, i - 60): i + 40] for i in range(len(lowered)) if lowered.startswith(MARK, i)]
        assert found == []
        for name in VISIBLE:
            assert name in text, name

    doc = json.loads(public.read_text(encoding="utf-8"))
    assert doc["scope"] == "public" and doc["judgements"] == []
    assert [t["number"] for t in doc["testimonies"]] == ["T-001", "T-002", "T-003", "T-004", "T-802", "T-803",
                                                         "T-805"]
    by_number = {t["number"]: t for t in doc["testimonies"]}
    assert by_number["T-802"]["original_text"] == "" and by_number["T-802"]["recorded_by"] is None
    assert by_number["T-001"]["original_text"] == ""  # anonymous consent: facts only
    assert by_number["T-803"]["original_text"] == "Fullconsent text visible."
    testifiers = {t["key"]: t for t in doc["testifiers"]}
    assert testifiers["T-802"] == {"key": "T-802", "name": "", "anonymous": True, "citizenship": "",
                                   "residence": "", "contact": ""}
    assert testifiers["T-803"]["name"] == "Fullconsent Speaker" and testifiers["T-803"]["contact"] == ""
    assert testifiers["T-805"]["name"] == "" and testifiers["T-805"]["anonymous"] is True
    assert [mn["key"] for mn in by_number["T-803"]["mentions"]] == ["T-803/m4"]
    shared = next(v for v in doc["victims"] if v["public_id"] == "V-00803")
    assert shared["mentions"] == ["T-803/m4"] and shared["display_name"] == "Sharedvictim Visible"
    assert {v["public_id"] for v in doc["victims"]} == {"V-00001", "V-00002", "V-00003", "V-00803"}


def test_public_file_is_a_valid_kuager_file(planted, tmp_path):
    public = tmp_path / "public.json"
    export(public, fmt="json", scope="public")
    empty_database()
    report = import_file(public)
    assert report.created["testimony"] == 7 and report.created["victim"] == 4
    assert not m.Testimony.objects.filter(number__in=["T-801", "T-804"]).exists()
    assert m.Testimony.objects.get(number="T-802").testifier.name == ""


def test_csv_cells_never_start_a_formula(planted, tmp_path):
    mn = m.Mention.objects.get(key="T-002/m1")
    mn.occupation = "=cmd|' /C calc'!A0"
    mn.description = "+SUM(1,2)"
    mn.father_name = "-2+3"
    mn.citizenship = '@HYPERLINK("http://example.org","x")'
    mn.save()
    set_mention_names(mn, ["Gozalnur Zheniskazy", "=Invented Formula Name", "Гөзалнұр Жеңісқызы"])
    folder = tmp_path / "csv"
    counts = export(folder, fmt="csv", scope="internal")
    # names: 3 bundled mentions with one each, 2 added above, 6 planted mentions with one each
    assert set(counts) == set(TABLES) and counts["testimonies"] == 9 and counts["mention_names"] == 3 + 2 + 6

    with (folder / "mentions.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {r["key"]: r for r in csv.DictReader(f)}
    g = rows["T-002/m1"]
    assert g["occupation"] == "'=cmd|' /C calc'!A0"
    assert g["description"] == "'+SUM(1,2)"
    assert g["father_name"] == "'-2+3"
    assert g["citizenship"] == '\'@HYPERLINK("http://example.org","x")'
    assert (g["ethnicity"], g["sex"], g["age"], g["testimony"]) == ("Kazakh", "female", "23", "T-002")
    assert g["victim"] == m.Victim.objects.get(display_name="Gozalnur Zheniskazy").public_id
    with (folder / "mention_names.csv").open(encoding="utf-8-sig", newline="") as f:
        names = [(r["mention"], r["position"], r["text"], r["script"]) for r in csv.DictReader(f)
                 if r["mention"] == "T-002/m1"]
    assert names == [("T-002/m1", "0", "Gozalnur Zheniskazy", "Latin"),
                     ("T-002/m1", "1", "'=Invented Formula Name", "Latin"),
                     ("T-002/m1", "2", "Гөзалнұр Жеңісқызы", "Cyrillic")]
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                assert not [c for c in row if c[:1] in ("=", "+", "-", "@")], (path.name, row)


def test_csv_tables_join_by_keys(planted, tmp_path):
    folder = tmp_path / "csv"
    export(folder, fmt="csv", scope="internal")
    with (folder / "events.csv").open(encoding="utf-8-sig", newline="") as f:
        events = {r["key"]: r for r in csv.DictReader(f)}
    e = events["T-002/m1/e1"]  # last contact "2016 (mid-year)": May to August 2016
    assert (e["testimony"], e["mention"], e["kind"], e["date_text"], e["date_start"], e["date_end"],
            e["date_precision"]) == ("T-002", "T-002/m1", "lost_contact", "2016 (mid-year)", "2016-05-01",
                                     "2016-08-31", "range")
    with (folder / "appeal_mentions.csv").open(encoding="utf-8-sig", newline="") as f:
        assert {"appeal": "T-002/a1", "mention": "T-002/m1"} in list(csv.DictReader(f))
    with (folder / "testifiers.csv").open(encoding="utf-8-sig", newline="") as f:
        contacts = {r["name"]: r["contact"] for r in csv.DictReader(f)}
    assert contacts["Fullconsent Speaker"] == "leakmark-full-contact"  # internal scope keeps everything


def test_neutralise():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "a=b", "", "Ержан")] == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "a=b", "", "Ержан"]
    assert [neutralise(v) for v in (None, True, False, -3, 43.5)] == ["", "true", "false", "-3", "43.5"]


def test_cli_export(planted, tmp_path, capsys):
    out = tmp_path / "cli.json"
    assert main(["export", "--format", "json", "--scope", "internal", "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["scope"] == "internal" and len(doc["testimonies"]) == 9
    assert "9 testimonies" in capsys.readouterr().out
    folder = tmp_path / "cli-csv"
    assert main(["export", "--format", "csv", "--out", str(folder)]) == 0  # public by default
    with (folder / "testimonies.csv").open(encoding="utf-8-sig", newline="") as f:
        assert [r["number"] for r in csv.DictReader(f)] == ["T-001", "T-002", "T-003", "T-004", "T-802", "T-803",
                                                            "T-805"]
    assert main(["export", "--format", "csv", "--out", str(out)]) == 1  # a file is not a folder
