"""A rich database for the JSON and export tests: the bundled real cases plus invented records.

Everything not from the bundled openDemocracy 2018 files is invented: names,
numbers, hashes and dates of the "T-900" testimony, the NGO register, the
facility, the places, the user and the judgements.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from django.contrib.auth import get_user_model

from kuager.dates import parse_partial_date
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.names import set_mention_names
from kuager.records.services.resolution import resolve

PASSPORT_BYTES = b"invented passport scan, not a real file"
PASSPORT_SHA = hashlib.sha256(PASSPORT_BYTES).hexdigest()
DECIDED_SAME = datetime(2024, 2, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
DECIDED_UNSURE = datetime(2024, 2, 3, 8, 30, tzinfo=timezone.utc)
WITHDRAWN = datetime(2024, 2, 5, 9, 15, 30, tzinfo=timezone.utc)


def build_rich_db(od_dir) -> None:
    """Import the bundled cases and claims, resolve, and add invented records of every kind."""
    import_file(od_dir / "testimonies.csv")
    import_file(od_dir / "aggregate_claims.csv")
    resolve()

    editor = get_user_model().objects.create_user("editor-aigerim", password=None)
    register = m.Source.objects.create(key="test-ngo-register", title="Invented NGO intake register",
                                       kind="register", text="Invented register text.", sha256="ab" * 32)
    dataset = m.Source.objects.create(key="test-camps", title="Invented facilities dataset", kind="dataset")
    camp = m.Facility.objects.create(dataset=dataset, source_id="F-7", sub_id="b", name="Invented camp",
                                     prefecture="Ili", latitude=43.91, longitude=81.33, facility_type="camp",
                                     raw={"id": "F-7", "id_sub": "b", "note": "invented"})
    region = m.Place.objects.create(name="Xinjiang", kind="region", name_zh="新疆")
    ili = m.Place.objects.create(name="Ili", kind="prefecture", parent=region, latitude=43.9, longitude=81.3)

    tf = m.Testifier.objects.create(name="Invented Testifier", citizenship="Kazakhstan", residence="Almaty",
                                    contact="+7 700 000 0000")
    m.Testifier.objects.create(name="Unattached Invented Person", anonymous=True, contact="unattached@example.org")
    t9 = m.Testimony(number="T-900", source=register, testifier=tf, collection="ngo-register",
                     channel="interview", channel_text="in person", language="kk",
                     original_text="Invented confidential statement.", notes="Invented internal note.",
                     consent="anonymous", confidential=True, recorded_by=editor, recorded_by_name="A. Editor")
    t9.recorded_on = parse_partial_date("2019-03-02")
    t9.save()
    mn = m.Mention.objects.create(key="T-900/m1", testimony=t9, relation_of_testifier="brother", sex="male",
                                  birth_date_text="1980", birth_year_min=1980, birth_year_max=1980,
                                  ethnicity="Kazakh", citizenship="China", place_of_origin="Ili", place=ili,
                                  father_name="Invented Father", chinese_id="65400019800101001X",
                                  occupation="driver", description="Invented description.", confidential=True)
    set_mention_names(mn, ["Ержан Тестов", "Yerzhan Testov"])
    e1 = m.Event(key="T-900/m1/e1", testimony=t9, mention=mn, kind="detained_camp", kind_text="taken to a camp",
                 place_text="Ghulja", place=ili, facility=camp, reason_given="travel abroad",
                 reason_suspected="Kazakh relatives", sentence_term="", description="Invented event.")
    e1.date = parse_partial_date("2018-03")
    e1.save()
    e2 = m.Event(key="T-900/e2", testimony=t9, mention=None, subject="his two brothers (names not given)",
                 kind="detained")
    e2.date = parse_partial_date("2017 or 2018")
    e2.save()
    gozalnur = m.Mention.objects.get(key="T-002/m1")
    appeal = m.Appeal(key="T-900/a1", testimony=t9, authority="Invented Consulate", sender="Invented Testifier",
                      description="Invented letter.", response_status="answered",
                      response_text="Invented answer: under investigation.")
    appeal.date = parse_partial_date("2019-04")
    appeal.response_date = parse_partial_date("2019-06-15")
    appeal.save()
    appeal.mentions.set([mn, gozalnur])
    loose = m.Appeal(key="NGO-2019/a1", testimony=None, authority="Invented UN mechanism",
                     description="Invented joint appeal.", response_status="none")
    loose.date = parse_partial_date("2019")
    loose.save()
    loose.mentions.set([m.Mention.objects.get(key="T-003/m1"), mn])
    m.Document.objects.create(key="T-900/d1", testimony=t9, mention=mn, kind="passport_copy",
                              description="Invented passport copy", original_name="scan.jpg",
                              sha256=PASSPORT_SHA, size=len(PASSPORT_BYTES), media_type="image/jpeg")
    m.Victim.objects.create(public_id="V-00900", display_name="Yerzhan Testov", verification="documented",
                            verification_locked=True, confidential=True, published=False)
    m.Mention.objects.filter(pk=mn.pk).update(victim=m.Victim.objects.get(public_id="V-00900"))

    j1 = m.Judgement.objects.create(mention_a=m.Mention.objects.get(key="T-003/m1"), mention_b=mn,
                                    decision="different", decided_by=editor, note="Invented: different fathers.")
    j2 = m.Judgement.objects.create(mention_a=gozalnur, mention_b=m.Mention.objects.get(key="T-004/m1"),
                                    decision="unsure", source="model", score=0.42, withdrawn_at=WITHDRAWN)
    m.Judgement.objects.filter(pk=j1.pk).update(decided_at=DECIDED_SAME)
    m.Judgement.objects.filter(pk=j2.pk).update(decided_at=DECIDED_UNSURE)


def empty_database() -> None:
    """Delete every record (and the invented user), in an order the foreign keys allow."""
    for model in (m.Judgement, m.Appeal, m.Document, m.Event, m.Mention, m.Victim, m.Testimony, m.Testifier,
                  m.AggregateClaim, m.Facility, m.Place, m.Source, m.ImportBatch):
        model.objects.all().delete()
    get_user_model().objects.filter(username="editor-aigerim").delete()
    assert m.MentionName.objects.count() == 0 and m.NameKey.objects.count() == 0
