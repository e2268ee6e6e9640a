"""The import rules of the spine issue, on the bundled real spreadsheet and variants of it.

Expected values come from reading testimonies.csv and the article by hand.
"""

from __future__ import annotations

import pytest

from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.resolution import resolve

from csv_rows import read_rows, write_rows

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def table_state():
    """Everything an import can touch, as comparable values."""
    return {
        "testimonies": sorted(m.Testimony.objects.values_list("number", "original_text", "notes", "consent")),
        "mentions": sorted(m.Mention.objects.values_list("key", "sex", "age", "birth_year_min", "birth_year_max")),
        "names": sorted(m.MentionName.objects.values_list("mention__key", "text", "script")),
        "events": sorted(m.Event.objects.values_list("key", "kind", "date_text")),
        "appeals": sorted(m.Appeal.objects.values_list("key", "authority", "response_status")),
        "documents": sorted(m.Document.objects.values_list("key", "kind", "description")),
        "testifiers": m.Testifier.objects.count(),
        "claims": m.AggregateClaim.objects.count(),
    }


def test_bundled_spreadsheet_imports_as_the_article_says(od_dir):
    report = import_file(od_dir / "testimonies.csv")
    assert report.created["testimony"] == 4
    assert report.created["mention"] == 3  # T-001 names nobody: no victim is invented
    t1 = m.Testimony.objects.get(number="T-001")
    assert t1.mentions.count() == 0
    assert t1.consent == "anonymous" and t1.testifier.anonymous and t1.testifier.name == ""
    assert t1.channel == "phone_call" and t1.recorded_on_text == "2018-04-06"
    # The unnamed relatives' lost contact is kept, attached to the testimony, not to an invented victim.
    (ev,) = t1.events.all()
    assert ev.kind == "lost_contact" and ev.mention is None and "names not given" in ev.subject
    # A response column with no appeal is not lost: it stays in the testimony's notes.
    assert "Prosecutor's Office" in t1.notes
    # The article is stored as the source document of the rows.
    assert t1.source.key == "opendemocracy-2018"
    assert "anti-Kazakh campaign" in t1.source.text and len(t1.source.sha256) == 64

    g = m.Mention.objects.get(key="T-002/m1")
    assert [n.text for n in g.names.all()] == ["Gozalnur Zheniskazy"]
    assert (g.sex, g.age, g.birth_year_min, g.birth_year_max) == ("female", 23, 1994, 1995)
    assert g.relation_of_testifier == "husband" and g.testimony.testifier.name == "Zhenisnur Ayatkhanuly"
    kinds = [(e.kind, e.date_text) for e in g.events.order_by("key")]
    assert kinds == [("lost_contact", "2016 (mid-year)"), ("detained_camp", "2018 (learned)"),
                     ("passport_confiscated", "")]
    (appeal,) = g.appeals.all()
    assert appeal.authority == "Ministry of Foreign Affairs of Kazakhstan"
    assert appeal.response_status == "none"
    (doc,) = g.documents.all()
    assert doc.kind == "id_copy" and not doc.held

    k = m.Mention.objects.get(key="T-004/m1")
    assert k.relation_of_testifier == "self" and k.testimony.testifier.name == "Kayrat Samarkin"
    (rel,) = k.events.all()
    assert (rel.kind, rel.date_text, rel.place_text) == ("released", "2018", "re-education camp (location not given)")

    t = m.Mention.objects.get(key="T-003/m1")
    assert t.appeals.get().response_status == "unknown"  # no answer recorded either way


def test_three_named_victims_after_resolve(od_dir):
    import_file(od_dir / "testimonies.csv")
    resolve()
    names = sorted(m.Victim.objects.values_list("display_name", flat=True))
    assert names == ["Gozalnur Zheniskazy", "Kayrat Samarkin", "Toktar Osmangali"]


def test_idempotent(od_dir):
    import_file(od_dir / "testimonies.csv")
    import_file(od_dir / "aggregate_claims.csv")
    resolve()
    before = table_state()
    victims = sorted(m.Victim.objects.values_list("public_id", "display_name"))
    r1 = import_file(od_dir / "testimonies.csv")
    r2 = import_file(od_dir / "aggregate_claims.csv")
    resolve()
    assert r1.created == {} and r1.updated == {} and r1.unchanged == {"testimony": 4}
    assert r2.created == {} and r2.unchanged == {"aggregate claim": 11}
    assert table_state() == before
    assert sorted(m.Victim.objects.values_list("public_id", "display_name")) == victims


def test_changed_row_updates_and_says_so(od_dir):
    path = od_dir / "testimonies.csv"
    import_file(path)
    resolve()
    victim_before = m.Mention.objects.get(key="T-003/m1").victim_id
    header, rows = read_rows(path)
    rows[2]["narrative"] = "Travelled to China in 2016. (corrected by the volunteer)"
    rows[2]["status_date"] = "2017"
    write_rows(path, header, rows)
    report = import_file(path)
    assert report.updated == {"testimony": 1} and report.unchanged == {"testimony": 3}
    (change,) = report.changes
    assert change.startswith("updated T-003 (row 4)")
    assert "testimony.original_text" in change and "T-003/m1/e2" in change
    t3 = m.Testimony.objects.get(number="T-003")
    assert t3.original_text.endswith("(corrected by the volunteer)")
    assert t3.events.get(kind="detained").date_text == "2017"
    assert m.Testimony.objects.count() == 4 and m.Event.objects.count() == 7  # updated, not duplicated
    assert m.Mention.objects.get(key="T-003/m1").victim_id == victim_before  # the mention kept its victim


def test_dry_run_writes_nothing(od_dir):
    report = import_file(od_dir / "testimonies.csv", dry_run=True)
    assert report.dry_run and report.created["testimony"] == 4 and report.created["event"] == 7
    assert "nothing written" in report.summary()
    assert m.Testimony.objects.count() == 0 and m.Source.objects.count() == 0
    assert m.ImportBatch.objects.count() == 0


def test_bad_row_rejects_the_whole_file_and_names_row_and_column(od_dir):
    path = od_dir / "testimonies.csv"
    import_file(path)
    before = table_state()
    header, rows = read_rows(path)
    rows[1]["narrative"] = "This change must not be stored."
    rows[3]["victim_sex"] = "yes"           # line 5 of the file
    rows[2]["status_date"] = "sometime"     # line 4
    write_rows(path, header, rows)
    with pytest.raises(InputError) as err:
        import_file(path)
    msg = str(err.value)
    assert "row 5" in msg and "'victim_sex'" in msg and "expected female, male" in msg
    assert "row 4" in msg and "'status_date'" in msg and "'sometime' is not a date" in msg
    assert str(path) in msg
    assert table_state() == before  # atomic: the good changed row was not written either


def test_failed_first_import_leaves_empty_database_and_can_be_rerun(od_dir):
    path = od_dir / "testimonies.csv"
    header, rows = read_rows(path)
    good = [dict(r) for r in rows]
    rows[0]["testimony_no"] = ""
    write_rows(path, header, rows)
    with pytest.raises(InputError, match=r"row 2, column 'testimony_no': empty"):
        import_file(path)
    assert table_state()["testimonies"] == [] and m.Source.objects.count() == 0
    write_rows(path, header, good)
    assert import_file(path).created["testimony"] == 4


def test_duplicate_testimony_number_rejected(od_dir):
    path = od_dir / "testimonies.csv"
    header, rows = read_rows(path)
    rows[3]["testimony_no"] = "T-002"
    write_rows(path, header, rows)
    with pytest.raises(InputError, match=r"row 5, column 'testimony_no': 'T-002' already used on row 3"):
        import_file(path)


def test_spreadsheet_with_other_columns_needs_a_mapping(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("no,who\n1,Someone\n", encoding="utf-8")
    with pytest.raises(KuagerError, match="no bundled mapping fits"):
        import_file(path)


def test_user_mapping_for_other_columns(tmp_path):
    """A user's spreadsheet with its own columns, adapted by a mapping file (docs/import-mapping.md)."""
    path = tmp_path / "intake.csv"
    path.write_text(
        "No,Date,Victim,Sex,Born,ID,Status,When,Consent\n"
        "K-1,2019-03-02,Асылбек Талғатұлы | Asylbek Talgatuly,m,1980,,Қамалды / detained,2018-11,full\n",
        encoding="utf-8")
    mapping = tmp_path / "intake.toml"
    mapping.write_text('''
[mapping]
kind = "testimonies"
[columns]
"testimony.number" = "No"
"testimony.recorded_on" = "Date"
"testimony.consent" = "Consent"
"mention.names" = "Victim"
"mention.sex" = "Sex"
"mention.birth_date" = "Born"
"mention.chinese_id" = "ID"
[[events]]
kind_column = "Status"
date = "When"
[event_kinds]
"detained|қамал" = "detained"
''', encoding="utf-8")
    report = import_file(path, mapping=mapping)
    assert report.created == {"testimony": 1, "mention": 1, "event": 1, "appeal": 0, "document": 0}
    mn = m.Mention.objects.get(key="K-1/m1")
    assert [(n.text, n.script) for n in mn.names.all()] == [
        ("Асылбек Талғатұлы", "Cyrillic"), ("Asylbek Talgatuly", "Latin")]
    assert (mn.sex, mn.birth_year_min, mn.birth_year_max) == ("male", 1980, 1980)
    ev = mn.events.get()
    assert (ev.kind, ev.date_start.isoformat(), ev.date_precision) == ("detained", "2018-11-01", "month")
    assert mn.testimony.consent == "full"


def test_mapping_with_unknown_target_is_rejected(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("n\n1\n", encoding="utf-8")
    mapping = tmp_path / "bad.toml"
    mapping.write_text('[columns]\n"testimony.number" = "n"\n"victim.shoe_size" = "n"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown target 'victim.shoe_size'"):
        import_file(path, mapping=mapping)


def test_mapping_naming_a_missing_column(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("n\n1\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"testimony.number" = "n"\n"mention.names" = "Full name"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"columns \['Full name'\] named in mapping m.toml are not in the file"):
        import_file(path, mapping=mapping)


def test_xlsx_imports_like_csv(od_dir, tmp_path):
    from openpyxl import Workbook

    header, rows = read_rows(od_dir / "testimonies.csv")
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([int(r[h]) if h == "victim_age" and r[h] else r[h] for h in header])
    xlsx = od_dir / "testimonies.xlsx"
    wb.save(xlsx)
    report = import_file(xlsx)
    assert report.created["testimony"] == 4 and report.created["mention"] == 3
    assert m.Mention.objects.get(key="T-002/m1").age == 23


def test_not_utf8_is_a_located_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("testimony_no,victim_name\nT-1,Gözal\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.csv, row 2: bytes that are not UTF-8"):
        import_file(path)


def test_claims_import(od_dir):
    import_file(od_dir / "aggregate_claims.csv")
    c = m.AggregateClaim.objects.get(number="A-05")
    assert (c.value, c.value_max, c.measure, c.date_text) == (160, None, "convicted", "2017-12")
    assert m.AggregateClaim.objects.get(number="A-01").value_text == "up to 500"
    assert m.AggregateClaim.objects.get(number="A-08").value == 5700
    assert c.source.key == "opendemocracy-2018"


def test_claims_bad_number(od_dir):
    path = od_dir / "aggregate_claims.csv"
    header, rows = read_rows(path)
    rows[4]["value"] = "about 160"
    write_rows(path, header, rows)
    with pytest.raises(InputError, match=r"row 6, column 'value': 'about160': expected a whole number"):
        import_file(path)
    assert m.AggregateClaim.objects.count() == 0
