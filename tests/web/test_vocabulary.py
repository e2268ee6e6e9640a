"""One value in several languages or scripts is one value: profiles, review pairs, filters, counts (issue 5).

All people here are invented. Expected values worked out by hand from the data set up in each test.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from kuager.records import selectors as rsel
from kuager.web import access
from kuager.web import selectors as wsel

pytestmark = pytest.mark.django_db


def _victim(record, name, testifier, ethnicity, citizenship, origin, into=None):
    """A testimony for ``name`` with the values given; merged into victim ``into`` when given."""
    mn = record([name], testifier=testifier, ethnicity=ethnicity).mentions.get()
    mn.citizenship, mn.place_of_origin = citizenship, origin
    if into is not None:
        gone, mn.victim = mn.victim, into
        mn.save()
        gone.delete()
    else:
        mn.save()
    return mn.victim


@pytest.fixture
def people(record):
    a = _victim(record, "Invented Aruzhan", "Invented One", "Kazakh", "Kazakhstan", "Ghulja")
    _victim(record, "Инвентед Аружан", "Invented Two", "қазақ", "Қазақстан", "Құлжа", into=a)
    b = _victim(record, "Инвентед Болат", "Invented Three", "казашка", "Казахстан", "Текес")
    c = _victim(record, "Invented Chong", "Invented Four", "Uyghur", "China", "Tekes")
    return a, b, c


def _field(victim, name):
    return next(f for f in rsel.victim_profile(victim).fields if f.name == name)


def test_same_value_in_two_scripts_is_no_conflict_and_originals_are_kept(people, record):
    a, _, _ = people
    for name, stated in (("ethnicity", {"Kazakh", "қазақ"}), ("citizenship", {"Kazakhstan", "Қазақстан"}),
                         ("place_of_origin", {"Ghulja", "Құлжа"})):
        f = _field(a, name)
        assert {s.value for s in f.values} == stated  # each testimony's wording shown
        assert not f.conflict, name
    _victim(record, "Invented Aruzhan", "Invented Five", "Uyghur", "China", "Altay", into=a)
    for name in ("ethnicity", "citizenship", "place_of_origin"):
        assert _field(a, name).conflict, name


def test_review_pair_agrees_across_scripts(people):
    a, b, c = people
    rows = {r["name"]: r["state"] for r in wsel.compare(a, b).rows}
    assert rows["ethnicity"] == "agree" and rows["citizenship"] == "agree"
    assert rows["place_of_origin"] == "differ"  # Ghulja/Құлжа vs Текес (Tekes): other counties
    rows = {r["name"]: r["state"] for r in wsel.compare(b, c).rows}
    assert rows["ethnicity"] == "differ" and rows["citizenship"] == "differ"
    assert rows["place_of_origin"] == "agree"  # Текес and Tekes: county 654027


def test_filters_match_every_form(people):
    a, b, c = people

    def ids(**f):
        return set(wsel.victim_ids(access.TEAM, f))

    assert ids(ethnicity="Kazakh") == {a.id, b.id}
    assert ids(ethnicity="қазақ") == {a.id, b.id}
    assert ids(ethnicity="uyghur") == {c.id}
    assert ids(citizenship="Kazakhstan") == {a.id, b.id}
    assert ids(citizenship="中国") == {c.id}
    choices = wsel._filter_choices(access.TEAM)
    assert choices["ethnicity"] == ["Kazakh", "Uyghur"]
    assert choices["citizenship"] == ["China", "Kazakhstan"]


def test_unknown_values_behave_as_before(record):
    v = _victim(record, "Invented Martian", "Invented Six", "Martian", "Atlantis", "")
    assert set(wsel.victim_ids(access.TEAM, {"ethnicity": "martian"})) == {v.id}
    assert wsel._filter_choices(access.TEAM)["ethnicity"] == ["Martian"]


def test_counts_group_by_canonical_value(people):
    a, b, c = people
    counts = wsel._dashboard_counts(access.TEAM)
    assert counts["by_ethnicity"] == [("Kazakh", 2), ("Uyghur", 1)]
    assert counts["by_citizenship"] == [("Kazakhstan", 2), ("China", 1)]
    report = rsel.counts([rsel.victim_profile(v) for v in (a, b, c)])
    assert report["ethnicity"] == {"Kazakh": 2, "Uyghur": 1}
    assert report["citizenship"] == {"Kazakhstan": 2, "China": 1}


def test_dashboard_labels_in_the_readers_language(people, client, users):
    from kuager.web.templatetags.kuager_web import vocab

    with translation.override("ru"):
        assert vocab("Kazakh", "ethnicity") == "казах"
        assert vocab("Kazakhstan", "citizenship") == "Казахстан"
    with translation.override("kk"):
        assert vocab("Kazakh", "ethnicity") == "қазақ"
    with translation.override("zh-hans"):
        assert vocab("Kazakh", "ethnicity") == "哈萨克族"


def test_search_form_names_each_value_in_the_readers_language_and_accepts_other_forms():
    from kuager.web.forms import SearchForm

    choices = {"ethnicity": ["Kazakh", "Martian"], "citizenship": ["Kazakhstan"]}
    with translation.override("ru"):
        form = SearchForm(choices=choices)
        assert list(form.fields["ethnicity"].choices)[1:] == [("Kazakh", "казах"), ("Martian", "Martian")]
    old_link = SearchForm({"ethnicity": "қазақ", "citizenship": "Казахстан"}, choices=choices)
    assert old_link.is_valid()
    assert (old_link.filters()["ethnicity"], old_link.filters()["citizenship"]) == ("қазақ", "Казахстан")
    assert not SearchForm({"ethnicity": "Uyghur"}, choices=choices).is_valid()  # not offered: refused as before


def test_estimation_strata_by_canonical_ethnicity(people):
    from kuager.records import models as m

    a, b, c = people
    lists = {"Invented One": "L1", "Invented Two": "L2", "Invented Three": "L1", "Invented Four": "L2"}
    for t in m.Testimony.objects.select_related("testifier"):
        t.collection = lists[t.testifier.name]
        t.save()
    df = rsel.capture_histories(by="ethnicity")
    got = sorted(tuple(r) for r in df[["L1", "L2", "ethnicity", "count"]].itertuples(index=False))
    # a: both lists, Kazakh/қазақ; b: L1 only, казашка; c: L2 only, Uyghur
    assert got == [(0, 1, "Uyghur", 1), (1, 0, "Kazakh", 1), (1, 1, "Kazakh", 1)]
