"""Kuager's JSON format: a full round trip, idempotence, updates, located errors, atomicity.

Expected values are worked out by hand from data/opendemocracy-2018/testimonies.csv
(the public cases of the article) and from the invented records of
export_fixtures.py, never copied from the code's output.
"""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.json_format import build_document, export_json

from export_fixtures import DECIDED_SAME, DECIDED_UNSURE, PASSPORT_SHA, WITHDRAWN, build_rich_db, empty_database

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

#: Every record of the rich database, by kind as the import report counts them.
ALL_RECORDS = {"source": 3, "place": 2, "facility": 1, "victim": 4, "testifier": 6, "testimony": 5, "mention": 4,
               "event": 9, "appeal": 4, "document": 2, "aggregate claim": 11, "judgement": 2}

#: The article's three named victims and their events in date order (unknown dates last).
VICTIM_EVENTS = {
    "Gozalnur Zheniskazy": [("lost_contact", "2016 (mid-year)"), ("detained_camp", "2018 (learned)"),
                            ("passport_confiscated", "")],
    "Toktar Osmangali": [("lost_contact", "2016"), ("detained", "2016")],
    "Kayrat Samarkin": [("released", "2018")],
}


@pytest.fixture
def rich(od_dir):
    build_rich_db(od_dir)


def key_facts() -> dict:
    """Facts read straight from the database (not from any export)."""
    out = {}
    for name in VICTIM_EVENTS:
        v = m.Victim.objects.get(display_name=name)
        events = sorted(m.Event.objects.filter(mention__victim=v),
                        key=lambda e: (e.date_start is None, e.date_start or date.min, e.key))
        out[name] = [(e.kind, e.date_text) for e in events]
    g = m.Mention.objects.get(key="T-002/m1")
    out["gozalnur"] = (g.sex, g.age, g.birth_year_min, g.birth_year_max, g.testimony.testifier.name,
                       g.relation_of_testifier, g.victim.display_name)
    t1 = m.Testimony.objects.get(number="T-001")
    (ev,) = t1.events.all()
    out["t001"] = (t1.consent, t1.testifier.anonymous, t1.testifier.name, t1.mentions.count(), ev.mention_id,
                   ev.subject, ev.kind)
    t9 = m.Testimony.objects.get(number="T-900")
    out["t900"] = (t9.confidential, t9.consent, t9.source.key, t9.collection, t9.recorded_on_start,
                   t9.recorded_on_precision, t9.recorded_by.username, t9.testifier.contact, t9.notes)
    mn = m.Mention.objects.get(key="T-900/m1")
    out["t900_names"] = [(n.text, n.script, n.position) for n in mn.names.order_by("position")]
    out["t900_keys"] = m.NameKey.objects.filter(name__mention=mn).exists()
    out["t900_mention"] = (mn.chinese_id, mn.confidential, mn.place.name, mn.place.parent.name, mn.victim.public_id)
    e1 = m.Event.objects.get(key="T-900/m1/e1")
    out["t900_e1"] = (e1.date_start, e1.date_end, e1.date_precision, e1.facility.name, e1.facility.raw,
                      e1.facility.dataset.key, e1.place.name)
    e2 = m.Event.objects.get(key="T-900/e2")
    out["t900_e2"] = (e2.mention_id, e2.subject, e2.date_start, e2.date_end, e2.date_precision)
    a = m.Appeal.objects.get(key="T-900/a1")
    out["appeal"] = (a.response_status, a.response_text, a.response_date_start, a.response_date_precision,
                     a.date_text, sorted(a.mentions.values_list("key", flat=True)))
    loose = m.Appeal.objects.get(key="NGO-2019/a1")
    out["loose_appeal"] = (loose.testimony_id, loose.response_status,
                           sorted(loose.mentions.values_list("key", flat=True)))
    d = m.Document.objects.get(key="T-900/d1")
    out["document"] = (d.sha256, d.size, d.media_type, d.kind, d.mention.key)
    v = m.Victim.objects.get(public_id="V-00900")
    out["victim900"] = (v.verification, v.verification_locked, v.confidential, v.published)
    out["judgements"] = sorted(
        (j.mention_a.key, j.mention_b.key, j.decision, j.source, j.score, j.decided_by.username if j.decided_by else None,
         j.decided_at, j.withdrawn_at, j.note) for j in m.Judgement.objects.all())
    out["orphan"] = list(m.Testifier.objects.filter(testimonies__isnull=True).values_list("name", "contact"))
    out["claims"] = m.AggregateClaim.objects.count()
    out["a01"] = m.AggregateClaim.objects.filter(number="A-01").values_list("value", "value_max", "date_text").get()
    out["source_text"] = "anti-Kazakh campaign" in m.Source.objects.get(key="opendemocracy-2018").text
    return out


EXPECTED_FACTS = {
    **VICTIM_EVENTS,
    "gozalnur": ("female", 23, 1994, 1995, "Zhenisnur Ayatkhanuly", "husband", "Gozalnur Zheniskazy"),
    # T-001 names nobody: the row's person columns (in mapping order) are kept in the event's subject.
    "t001": ("anonymous", True, "", 0, None, "(relatives in China; names not given); relation to the testifier: "
             "relatives; ethnicity: Kazakh; citizenship: China; place of origin: China", "lost_contact"),
    "t900": (True, "anonymous", "test-ngo-register", "ngo-register", date(2019, 3, 2), "day", "editor-aigerim",
             "+7 700 000 0000", "Invented internal note."),
    "t900_names": [("Ержан Тестов", "Cyrillic", 0), ("Yerzhan Testov", "Latin", 1)],
    "t900_keys": True,
    "t900_mention": ("65400019800101001X", True, "Ili", "Xinjiang", "V-00900"),
    "t900_e1": (date(2018, 3, 1), date(2018, 3, 31), "month", "Invented camp",
                {"id": "F-7", "id_sub": "b", "note": "invented"}, "test-camps", "Ili"),
    "t900_e2": (None, "his two brothers (names not given)", date(2017, 1, 1), date(2018, 12, 31), "range"),
    "appeal": ("answered", "Invented answer: under investigation.", date(2019, 6, 15), "day", "2019-04",
               ["T-002/m1", "T-900/m1"]),
    "loose_appeal": (None, "none", ["T-003/m1", "T-900/m1"]),
    "document": (PASSPORT_SHA, 39, "image/jpeg", "passport_copy", "T-900/m1"),
    "victim900": ("documented", True, True, False),
    "judgements": sorted([
        ("T-003/m1", "T-900/m1", "different", "human", None, "editor-aigerim", DECIDED_SAME, None,
         "Invented: different fathers."),
        ("T-002/m1", "T-004/m1", "unsure", "model", 0.42, None, DECIDED_UNSURE, WITHDRAWN, ""),
    ]),
    "orphan": [("Unattached Invented Person", "unattached@example.org")],
    "claims": 11,
    # "up to 500 Kazakhs can be arrested in a week", claimed in 2018.
    "a01": (None, 500, "2018"),
    "source_text": True,
}


def without_time(doc: dict) -> dict:
    doc = dict(doc)
    doc.pop("exported_at")
    return doc


def test_round_trip_into_an_empty_database(rich, tmp_path):
    assert key_facts() == EXPECTED_FACTS  # the fixture is what the test thinks it is
    first = tmp_path / "first.json"
    counts = export_json(first)
    assert counts["testimonies"] == 5 and counts["mentions"] == 4 and counts["events"] == 9
    assert counts["appeals"] == 4 and counts["judgements"] == 2 and counts["victims"] == 4

    empty_database()
    assert m.Testimony.objects.count() == 0
    report = import_file(first)
    assert report.created == {**ALL_RECORDS, "user": 1}
    assert report.updated == {} and report.rejected == []

    assert key_facts() == EXPECTED_FACTS
    user = get_user_model().objects.get(username="editor-aigerim")
    assert not user.is_active and not user.has_usable_password()  # made for the reference, cannot log in

    second = tmp_path / "second.json"
    export_json(second)
    doc1 = json.loads(first.read_text(encoding="utf-8"))
    doc2 = json.loads(second.read_text(encoding="utf-8"))
    assert (doc1["format"], doc1["version"], doc1["scope"]) == ("kuager", 1, "internal")
    assert without_time(doc1) == without_time(doc2)


def test_file_uses_stable_keys_not_database_ids(rich, tmp_path):
    doc = build_document("internal")
    t2 = next(t for t in doc["testimonies"] if t["number"] == "T-002")
    assert t2["source"] == "opendemocracy-2018" and t2["testifier"] == "T-002"
    assert t2["recorded_on"] == {"text": "2018-05", "start": "2018-05-01", "end": "2018-05-31",
                                 "precision": "month"}
    assert [e["key"] for e in t2["events"]] == ["T-002/m1/e1", "T-002/m1/e2", "T-002/m1/e3"]
    assert {e["mention"] for e in t2["events"]} == {"T-002/m1"}
    t1 = next(t for t in doc["testimonies"] if t["number"] == "T-001")
    assert t1["events"][0]["mention"] is None and t1["mentions"] == []
    e1 = next(e for t in doc["testimonies"] for e in t["events"] if e["key"] == "T-900/m1/e1")
    assert e1["facility"] == {"dataset": "test-camps", "source_id": "F-7", "sub_id": "b"}
    assert e1["place"] == "Xinjiang (region) / Ili (prefecture)"
    assert [a["key"] for a in doc["appeals"]] == ["NGO-2019/a1"]  # the appeal tied to no testimony
    ids = {str(pk) for model in (m.Testimony, m.Mention, m.Victim, m.Event) for pk in
           model.objects.values_list("pk", flat=True)}
    victim = next(v for v in doc["victims"] if v["public_id"] == "V-00900")
    assert victim["mentions"] == ["T-900/m1"] and not ids & set(victim["mentions"])


def test_second_import_changes_nothing(rich, tmp_path):
    path = tmp_path / "all.json"
    export_json(path)
    before = key_facts()
    for _ in range(2):
        report = import_file(path)
        assert report.created == {} and report.updated == {} and report.changes == []
        assert report.unchanged == ALL_RECORDS
    assert key_facts() == before == EXPECTED_FACTS


def test_changed_records_update_in_place_and_say_what_changed(rich, tmp_path):
    path = tmp_path / "all.json"
    export_json(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    by_number = {t["number"]: t for t in doc["testimonies"]}
    by_number["T-003"]["mentions"][0]["occupation"] = "teacher"
    by_number["T-004"]["consent"] = "anonymous"
    by_number["T-002"]["events"] = [e for e in by_number["T-002"]["events"] if e["key"] != "T-002/m1/e3"]
    by_number["T-002"]["mentions"][0]["names"].append({"text": "Гөзалнұр Жеңісқызы", "script": "Cyrillic",
                                                        "position": 1})
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    toktar = m.Mention.objects.get(key="T-003/m1")

    report = import_file(path)
    assert report.created == {}
    assert report.updated == {"mention": 2, "testimony": 2}
    assert sorted(report.changes) == [
        "updated mention T-002/m1: names",
        "updated mention T-003/m1: occupation",
        "updated testimony T-002: removed event T-002/m1/e3",
        "updated testimony T-004: consent",
    ]
    after = m.Mention.objects.get(key="T-003/m1")
    assert (after.pk, after.occupation, after.victim_id) == (toktar.pk, "teacher", toktar.victim_id)
    assert m.Testimony.objects.get(number="T-004").consent == "anonymous"
    assert not m.Event.objects.filter(key="T-002/m1/e3").exists()
    g = m.Mention.objects.get(key="T-002/m1")
    assert [(n.text, n.script) for n in g.names.all()] == [("Gozalnur Zheniskazy", "Latin"),
                                                          ("Гөзалнұр Жеңісқызы", "Cyrillic")]
    assert m.NameKey.objects.filter(name__text="Гөзалнұр Жеңісқызы").exists()


def _exported(tmp_path) -> dict:
    path = tmp_path / "base.json"
    export_json(path)
    return json.loads(path.read_text(encoding="utf-8"))


def _set(doc: dict, path: str, value) -> None:
    """Set ``doc`` at a dotted path like ``testimonies.1.mentions.0.sex`` (``DELETE`` removes the key)."""
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value == "DELETE":
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


@pytest.mark.parametrize("where, value, field, expected", [
    ("testimonies.1.mentions.0.sex", "woman", "testimonies[1].mentions[0].sex", "'female', 'male'"),
    ("testimonies.2.events.1.kind", "vanished", "testimonies[2].events[1].kind", "'detained_camp'"),
    ("testimonies.0.recorded_on.start", "2018-13-01", "testimonies[0].recorded_on.start", "YYYY-MM-DD"),
    ("testimonies.3.events.0.date", "sometime", "testimonies[3].events[0].date", "is not a date"),
    ("testimonies.0.consent", "maybe", "testimonies[0].consent", "'anonymous'"),
    ("testimonies.2.number", "DELETE", "testimonies[2].number", "missing"),
    ("testimonies.1.mentions.0.age", "23", "testimonies[1].mentions[0].age", "whole number"),
    ("testimonies.1.mentions.0.colour", "red", "testimonies[1].mentions[0].colour", "unknown key"),
    ("victims.0.mentions.0", "T-404/m1", "victims[0].mentions[0]", "unknown mention 'T-404/m1'"),
    ("testimonies.4.source", "no-such-source", "testimonies[4].source", "unknown source"),
    ("judgements.0.decided_at", "2024-02-01T10:00:00", "judgements[0].decided_at", "time zone"),
    ("format", "other", "format", "kuager"),
    ("version", 2, "version", "version 1 only"),
])
def test_errors_name_the_file_and_json_path(rich, tmp_path, where, value, field, expected):
    doc = _exported(tmp_path)
    _set(doc, where, value)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    before = key_facts()
    with pytest.raises(InputError) as info:
        import_file(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and field in str(info.value) and expected in str(info.value)
    assert key_facts() == before


def test_all_errors_of_a_file_are_reported_together(rich, tmp_path):
    doc = _exported(tmp_path)
    doc["testimonies"][1]["mentions"][0]["sex"] = "f"
    doc["testimonies"][3]["recorded_on"] = {"text": "2018", "start": "2018-12-31", "end": "2018-01-01",
                                            "precision": "year"}
    doc["testimonies"][4]["number"] = "T-001"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_file(path)
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert "testimonies[1].mentions[0].sex" in lines[0]
    assert "testimonies[3].recorded_on" in lines[1] and "after end" in lines[1]
    assert "testimonies[4].number" in lines[2] and "already used at testimonies[0]" in lines[2]


def test_not_json_is_a_located_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "kuager",\n "version": 1,,}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_file(path)
    assert "not valid JSON" in str(info.value) and "line 2" in str(info.value)


def test_a_file_with_one_bad_record_writes_nothing(tmp_path):
    doc = {"format": "kuager", "version": 1, "scope": "internal",
           "sources": [{"key": "test-src", "title": "Invented source"}],
           "testimonies": [
               {"number": "T-1", "source": "test-src", "consent": "full",
                "mentions": [{"key": "T-1/m1", "names": ["Invented Person"], "sex": "female"}],
                "events": [{"key": "T-1/m1/e1", "mention": "T-1/m1", "kind": "detained", "date": "2019-05"}]},
               {"number": "T-2", "mentions": [{"key": "T-2/m1", "names": ["Other Invented"], "sex": "x"}]},
           ]}
    path = tmp_path / "one-bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_file(path)
    assert info.value.field == "testimonies[1].mentions[0].sex"
    for model in (m.Source, m.Testimony, m.Testifier, m.Mention, m.MentionName, m.Event, m.ImportBatch):
        assert model.objects.count() == 0, model

    doc["testimonies"][1]["mentions"][0]["sex"] = "male"  # fixed: now it all goes in
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = import_file(path)
    assert report.created == {"source": 1, "testimony": 2, "mention": 2, "event": 1}
    e = m.Event.objects.get(key="T-1/m1/e1")
    assert (e.date_start, e.date_end, e.date_precision, e.date_text) == (date(2019, 5, 1), date(2019, 5, 31),
                                                                         "month", "2019-05")
    assert m.Testimony.objects.get(number="T-2").consent == "none"  # unstated consent publishes nothing
    assert m.MentionName.objects.get(text="Invented Person").script == "Latin"


def test_a_partial_file_leaves_other_records_alone(rich, tmp_path):
    """A file without "victims" keeps mention-victim links; testimonies not in the file are untouched."""
    doc = _exported(tmp_path)
    small = {"format": "kuager", "version": 1, "testimonies": [copy.deepcopy(doc["testimonies"][1])],
             "testifiers": [t for t in doc["testifiers"] if t["key"] == "T-002"]}
    small["testimonies"][0]["notes"] = "Invented editor's note."
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
    report = import_file(path)
    assert report.updated == {"testimony": 1} and report.unchanged["testifier"] == 1
    assert report.changes == ["updated testimony T-002: notes"]
    assert m.Mention.objects.get(key="T-002/m1").victim.display_name == "Gozalnur Zheniskazy"
    assert m.Testimony.objects.count() == 5


def test_dry_run_writes_nothing(rich, tmp_path):
    path = tmp_path / "all.json"
    export_json(path)
    empty_database()
    report = import_file(path, dry_run=True)
    assert report.dry_run and report.created == {**ALL_RECORDS, "user": 1}
    for model in (m.Source, m.Testimony, m.Mention, m.Victim, m.Judgement, m.Facility, m.ImportBatch):
        assert model.objects.count() == 0, model
