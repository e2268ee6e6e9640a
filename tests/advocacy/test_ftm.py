"""The FollowTheMoney export (kuager.records.services.ftm_export) on the bundled real data.

Worked out by hand from src/kuager/data/opendemocracy-2018/testimonies.csv:

- three victims: V-00001 Gozalnur Zheniskazy (T-002, female, aged 23 in 2018-05,
  so born June 1994 to May 1995: birth years 1994 and 1995; citizen of
  Kazakhstan), V-00002 Toktar Osmangali (T-003, male, "China (Kazakhstan
  citizenship promised)": China only), V-00003 Kayrat Samarkin (T-004, male, China);
- events and their dates as the spreadsheet gives them: T-002 lost contact
  "2016 (mid-year)" (May to August 2016: FtM date 2016), detained in a camp
  "2018 (learned)" (when the family learned it: no FtM date), passport
  confiscated (no date); T-003 lost contact 2016 and detained 2016; T-004
  released 2018; T-001 (anonymous consent, relatives not named) lost contact 2018;
- testifiers who may be named (consent full): T-002 the husband Zhenisnur
  Ayatkhanuly, T-003 the wife Jamilya Maken; T-004 is Kayrat Samarkin himself;
- two letters to the Ministry of Foreign Affairs of Kazakhstan (T-002: no
  response; T-003: no answer recorded).

Every other person here is invented.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from followthemoney import model

from kuager.cli import main
from kuager.records import models as m
from kuager.records.services import ftm_export as fx

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _export(tmp_path, scope: str) -> list[dict]:
    out = tmp_path / f"{scope}.ftm.json"
    assert main(["--quiet", "export", "--format", "ftm", "--scope", scope, "--out", str(out)]) == 0
    return fx.read_entities(out)


def _by(entities, schema):
    return [e for e in entities if e["schema"] == schema]


def _record(entities, record_id):
    (found,) = [e for e in entities if record_id in e["properties"].get("recordId", [])
                and e["schema"] == "Event"]
    return found


def test_a_person_per_victim_with_stable_ids(od_victims, tmp_path):
    ents = _export(tmp_path, "public")
    people = {e["id"]: e["properties"] for e in _by(ents, "Person")}
    g = people[sha1("kuager:victim:V-00001")]
    assert g["name"] == ["Gozalnur Zheniskazy"] and g["gender"] == ["female"]
    assert g["birthDate"] == ["1994", "1995"]
    assert g["citizenship"] == ["kz"] and g["nationality"] == ["kz"] and g["ethnicity"] == ["Kazakh"]
    assert g["publisher"] == ["openDemocracy"]
    t = people[sha1("kuager:victim:V-00002")]
    assert t["name"] == ["Toktar Osmangali"] and t["gender"] == ["male"]
    assert t["citizenship"] == ["cn"]  # a promised citizenship is not one held
    assert "birthDate" not in t
    assert people[sha1("kuager:victim:V-00003")]["name"] == ["Kayrat Samarkin"]
    # victims plus the two testifiers who may be named
    assert sorted(p["name"][0] for p in people.values()) == [
        "Gozalnur Zheniskazy", "Jamilya Maken", "Kayrat Samarkin", "Toktar Osmangali", "Zhenisnur Ayatkhanuly"]
    # the same file twice: ids and lines do not change
    again = _export(tmp_path, "public")
    assert again == ents


def test_names_in_every_script_become_name_and_alias(make_victim):
    v = make_victim("X-301", ["Invented Nurlanqyzy", "Инвентед Нурланқызы", "发明努尔兰"])
    (p,) = [p for p in fx.build_entities("public") if p.id == sha1(f"kuager:victim:{v.public_id}")]
    assert p.get("name") == ["Invented Nurlanqyzy"]
    assert p.get("alias") == ["Инвентед Нурланқызы", "发明努尔兰"]


def test_events_have_the_spreadsheet_dates(od_victims, tmp_path):
    ents = _export(tmp_path, "public")
    g, t, k = (sha1(f"kuager:victim:V-0000{i}") for i in (1, 2, 3))
    lost = _record(ents, "T-002/m1/e1")["properties"]
    assert lost["date"] == ["2016"] and lost["involved"] == [g]
    assert lost["summary"] == ["lost contact, 2016 (mid-year)"]
    assert lost["name"] == ["lost contact: Gozalnur Zheniskazy"]
    camp = _record(ents, "T-002/m1/e2")["properties"]
    assert "date" not in camp and "2018 (learned)" in camp["summary"][0]
    assert "date" not in _record(ents, "T-002/m1/e3")["properties"]
    assert _record(ents, "T-003/m1/e1")["properties"]["date"] == ["2016"]
    detained = _record(ents, "T-003/m1/e2")["properties"]
    assert detained["date"] == ["2016"] and detained["involved"] == [t]
    released = _record(ents, "T-004/m1/e2")["properties"]
    assert released["date"] == ["2018"] and released["involved"] == [k]
    assert released["location"] == ["re-education camp (location not given)"]
    unnamed = _record(ents, "T-001/unnamed/e1")["properties"]
    assert unnamed["date"] == ["2018"] and "involved" not in unnamed
    assert _record(ents, "T-002/m1/e1")["id"] == sha1("kuager:event:T-002/m1/e1")


def test_ftm_dates_by_hand():
    assert fx.ftm_dates({"text": "6 April 2018", "start": "2018-04-06", "end": "2018-04-06",
                         "precision": "day"}) == ["2018-04-06"]
    assert fx.ftm_dates({"text": "May 2018", "start": "2018-05-01", "end": "2018-05-31",
                         "precision": "month"}) == ["2018-05"]
    assert fx.ftm_dates({"text": "2017 or 2018", "start": "2017-01-01", "end": "2018-12-31",
                         "precision": "range"}) == ["2017", "2018"]
    assert fx.ftm_dates({"text": "2010-2018", "start": "2010-01-01", "end": "2018-12-31",
                         "precision": "range"}) == []
    assert fx.ftm_dates({"text": "", "start": None, "end": None, "precision": "unknown"}) == []


def test_family_documentation_and_appeals(od_victims, tmp_path):
    ents = _export(tmp_path, "public")
    names = {e["id"]: e["properties"].get("name", [""])[0] for e in ents}
    family = sorted((names[f["properties"]["person"][0]], f["properties"]["relationship"][0],
                     names[f["properties"]["relative"][0]]) for f in _by(ents, "Family"))
    assert family == [("Gozalnur Zheniskazy", "husband", "Zhenisnur Ayatkhanuly"),
                      ("Toktar Osmangali", "wife", "Jamilya Maken")]  # Kayrat testified himself: no edge
    assert _by(ents, "Associate") == []
    (article,) = _by(ents, "Article")
    assert article["id"] == sha1("kuager:source:opendemocracy-2018")
    assert article["properties"]["title"] == ["What's behind China's anti-Kazakh campaign?"]
    assert article["properties"]["publishedAt"] == ["2018-05-23"]
    docs = sorted((names[d["properties"]["entity"][0]], d["properties"]["role"][0]) for d in _by(ents, "Documentation"))
    assert docs == [("Gozalnur Zheniskazy", "testimony T-002"), ("Kayrat Samarkin", "testimony T-004"),
                    ("Toktar Osmangali", "testimony T-003")]
    assert all(d["properties"]["document"] == [article["id"]] for d in _by(ents, "Documentation"))
    (mfa,) = _by(ents, "PublicBody")
    assert mfa["properties"]["name"] == ["Ministry of Foreign Affairs of Kazakhstan"]
    a1 = _record(ents, "T-002/a1")["properties"]
    assert sorted(a1["involved"]) == sorted([mfa["id"], sha1("kuager:victim:V-00001")])
    assert a1["summary"] == ["appeal to Ministry of Foreign Affairs of Kazakhstan, date unknown: no response"]
    assert _record(ents, "T-003/a1")["properties"]["summary"][0].endswith("no answer recorded")
    assert fx.entity_counts(fx.build_entities("public")) == {  # as docs/json-format.md says
        "Article": 1, "PublicBody": 1, "Person": 5, "Event": 9, "Family": 2, "Documentation": 3}


def _check_valid(entities: list[dict]) -> None:
    """Every entity valid under the FtM model: real schema, allowed properties, valid values, references."""
    ids = [e["id"] for e in entities]
    assert len(ids) == len(set(ids))
    schema_of = {e["id"]: model.get(e["schema"]) for e in entities}
    for e in entities:
        schema = model.get(e["schema"])
        assert schema is not None and not schema.abstract, e["schema"]
        assert set(e) == {"id", "schema", "properties"}
        for name, values in e["properties"].items():
            prop = schema.get(name)
            assert prop is not None and not prop.stub, f"{e['schema']}.{name}"
            assert values and prop.validate(values) is None, (e["schema"], name, values)
            if prop.type.name == "entity":
                for ref in values:
                    assert ref in schema_of and schema_of[ref].is_a(prop.range), (e["schema"], name)
        for name in schema.required:
            assert e["properties"].get(name), f"{e['schema']} lacks required {name}"
        schema.validate(e)  # the library's own check (raises InvalidData)
        again = model.get_proxy(e, cleaned=False).to_dict()  # re-cleaned: unchanged
        assert again["properties"] == e["properties"]


def test_every_entity_is_valid_ftm(od_victims, make_victim, tmp_path):
    make_victim("X-302", ["Invented Sister-Testified"], relation="neighbour", testifier="Invented Neighbour")
    for scope in ("public", "internal"):
        ents = _export(tmp_path, scope)
        assert {e["schema"] for e in ents} >= {"Person", "Event", "Family", "Documentation", "Article",
                                               "PublicBody", "Associate"}
        _check_valid(ents)
    with pytest.raises(AssertionError):  # the check can fail: an unknown property
        _check_valid([{"id": "x", "schema": "Person", "properties": {"name": ["A"], "colour": ["red"]}}])


def test_public_scope_leaks_no_planted_marker(od_victims, make_victim, tmp_path):
    # a confidential testimony (consent full, but marked confidential)
    make_victim("X-401", ["Markera Confidentova"], testifier="Secretia Testifierova", contact="+7 700 000 0401")
    m.Testimony.objects.filter(number="X-401").update(confidential=True)
    # anonymous consent: the facts may be shown, the testifier never
    make_victim("X-402", ["Visible Anonvictim"], consent="anonymous", testifier="Hiddena Anonymova",
                contact="hiddena@invented.example", events=[("detained", "2017-03", "Invented Town")])
    # full consent, but the testifier asked to stay anonymous
    make_victim("X-403", ["Second Visiblevictim"], testifier="Shadowa Unnamedova", anonymous=True)
    # consent none
    make_victim("X-404", ["Nonea Consentova"], consent="none", testifier="Nonea Testifier")
    m.Testimony.objects.filter(number__in=["X-401", "X-402"]).update(original_text="MARKER-TEXT of the testimony")

    public = (tmp_path / "public.ftm.json")
    _export(tmp_path, "public")
    text = public.read_text(encoding="utf-8")
    for marker in ("Markera Confidentova", "Secretia Testifierova", "+7 700 000 0401", "Hiddena Anonymova",
                   "hiddena@invented.example", "Shadowa Unnamedova", "Nonea", "MARKER-TEXT"):
        assert marker not in text, marker
    # the facts that may be shown are there, so the check above is not vacuous
    assert "Visible Anonvictim" in text and "Second Visiblevictim" in text and "2017-03" in text
    # the internal scope holds the names (so they were in the database to leak) but never contacts or texts
    _export(tmp_path, "internal")
    internal = (tmp_path / "internal.ftm.json").read_text(encoding="utf-8")
    assert "Secretia Testifierova" in internal and "Hiddena Anonymova" in internal
    assert "Markera Confidentova" in internal and "Nonea Consentova" in internal
    for marker in ("+7 700 000 0401", "hiddena@invented.example", "MARKER-TEXT"):
        assert marker not in internal, marker
    assert json.loads(text.splitlines()[0])["schema"] == "Article"  # one JSON object per line, schemata in order
