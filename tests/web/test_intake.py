"""The intake service: one testimony, several victims, names in every script, partial dates, atomic."""

from __future__ import annotations

import datetime as dt

import pytest

from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.services import intake


def _data(**over):
    base = dict(
        victims=[
            intake.VictimInput(names=["Гүлмира Әділқызы", "Gulmira Adilkyzy", "گۈلمىرا ئادىلقىزى"], sex="female",
                               birth_date_text="1979", ethnicity="Kazakh",
                               events=[intake.EventInput(kind="detained_camp", date_text="May 2018",
                                                         place_text="Ghulja"),
                                       intake.EventInput(kind="sentenced", date_text="2017 or 2018")]),
            intake.VictimInput(names=["Ерлан Серікұлы"], sex="male", age=40,
                               events=[intake.EventInput(kind="lost_contact", date_text="mid-2017")]),
        ],
        appeals=[intake.AppealInput(authority="Chinese consulate in Almaty", date_text="2019-02",
                                    response_status="none")],
        testifier_name="Invented Relative", consent="anonymous", recorded_on_text="2019-03-15")
    base.update(over)
    return intake.TestimonyInput(**base)


@pytest.mark.django_db
def test_record_testimony_writes_everything_with_keys_scripts_and_dates(django_user_model):
    user = django_user_model.objects.create_user("vol", password="x")
    t = intake.record_testimony(_data(), user=user)
    assert t.number == "K-00001" and t.recorded_by == user and t.recorded_by_name == "vol"
    assert t.collection == "kuager-intake" and t.consent == "anonymous"
    assert (t.recorded_on_start, t.recorded_on_end) == (dt.date(2019, 3, 15), dt.date(2019, 3, 15))
    m1, m2 = t.mentions.order_by("key")
    assert (m1.key, m2.key) == ("K-00001/m1", "K-00001/m2")
    assert [(n.text, n.script) for n in m1.names.all()] == [
        ("Гүлмира Әділқызы", "Cyrillic"), ("Gulmira Adilkyzy", "Latin"), ("گۈلمىرا ئادىلقىزى", "Arabic")]
    assert m.NameKey.objects.filter(name__mention=m1).exists()
    assert (m1.birth_year_min, m1.birth_year_max) == (1979, 1979)
    # aged 40 on 15 March 2019: born between 16 March 1978 and 15 March 1979
    assert (m2.birth_year_min, m2.birth_year_max) == (1978, 1979)
    e1, e2 = m1.events.order_by("key")
    assert e1.key == "K-00001/m1/e1" and e1.kind == "detained_camp"
    assert (e1.date_start, e1.date_end, e1.date_precision) == (dt.date(2018, 5, 1), dt.date(2018, 5, 31), "month")
    assert (e2.date_start, e2.date_end, e2.date_precision) == (dt.date(2017, 1, 1), dt.date(2018, 12, 31), "range")
    (mid,) = m2.events.all()
    assert (mid.date_start, mid.date_end) == (dt.date(2017, 5, 1), dt.date(2017, 8, 31))
    (ap,) = t.appeals.all()
    assert ap.key == "K-00001/a1" and ap.response_status == "none"
    assert sorted(ap.mentions.values_list("key", flat=True)) == ["K-00001/m1", "K-00001/m2"]
    assert m1.victim_id and m2.victim_id and m1.victim_id != m2.victim_id
    assert m1.victim.display_name == "Gulmira Adilkyzy"
    assert m1.victim.verification == "single_testimony"
    assert intake.record_testimony(_data()).number == "K-00002"


@pytest.mark.django_db
def test_a_bad_date_writes_nothing():
    data = _data()
    data.victims[1].events[0].date_text = "sometime in spring-ish"
    with pytest.raises(InputError) as exc:
        intake.record_testimony(data)
    assert "victims[1].events[0].date_text" in str(exc.value)
    assert m.Testimony.objects.count() == m.Mention.objects.count() == m.Victim.objects.count() == 0
    assert m.Testifier.objects.count() == 0


@pytest.mark.django_db
def test_chinese_id_is_checked():
    # 11010519491231002X is the standard's worked example (valid check character X)
    assert intake.check_chinese_id("110105 19491231 002x") == "11010519491231002X"
    with pytest.raises(InputError):
        intake.check_chinese_id("110105194912310021")
    with pytest.raises(InputError):
        intake.check_chinese_id("12345")
    data = _data()
    data.victims[0].chinese_id = "110105194912310021"
    with pytest.raises(InputError):
        intake.record_testimony(data)
    assert m.Testimony.objects.count() == 0


@pytest.mark.django_db
def test_validation_collects_errors():
    data = _data(victims=[intake.VictimInput(names=["  "], events=[intake.EventInput(kind="abducted")])],
                 consent="maybe")
    with pytest.raises(InputError) as exc:
        intake.record_testimony(data)
    text = str(exc.value)
    assert "victims[0].names" in text and "victims[0].events[0].kind" in text and "consent" in text
