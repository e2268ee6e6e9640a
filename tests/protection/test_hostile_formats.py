"""Hostile and broken input beyond CSV: XLSX spreadsheets, Kuager JSON files and the web intake form.

Each input either is stored exactly (or as the form's documented clean-up: surrounding white space
removed) or is refused with a clear error, leaving every table byte for byte as it was. Markup in names is
escaped on the pages. All personal data here is invented.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records.services.importing import import_file

from test_hostile_input import (HEADER, HOSTILE, MAPPING, ROW, _raw_state,  # noqa: F401
                                imports_exactly_or_is_refused, unique_testifiers)

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def mapping(tmp_path):
    p = tmp_path / "hostile.toml"
    p.write_text(MAPPING, encoding="utf-8")
    return p


# ----------------------------------------------------------------- XLSX

def _write_xlsx(path, header, rows, *, as_text=True):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r[h] for h in header])
    if as_text:  # a cell typed "=..." is text in the sheet, not a formula (as when a user types '=...)
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if isinstance(c.value, str):
                    c.data_type = "s"
    wb.save(path)


@settings(max_examples=30, **SETTINGS)
@given(rows=st.lists(ROW, min_size=1, max_size=3))
def test_xlsx_imports_exactly_or_is_refused_without_trace(rows, mapping, tmp_path):
    from openpyxl.utils.exceptions import IllegalCharacterError

    unique_testifiers(rows)
    for r in rows:
        for h in HEADER:  # an XLSX cell holds at most 32,767 characters (openpyxl cuts longer ones as Excel does)
            r[h] = r[h][:32_767]
    path = tmp_path / "hostile.xlsx"
    try:
        _write_xlsx(path, HEADER, rows)
    except IllegalCharacterError:  # control characters XML cannot hold: no XLSX file can carry them
        event("not writable as XLSX")
        return
    imports_exactly_or_is_refused(path, mapping, rows, named="hostile.xlsx")


def test_a_real_formula_in_a_sheet_is_never_stored_as_a_formula(mapping, tmp_path):
    path = tmp_path / "formula.xlsx"
    row = {"No": "H-1", "Testifier": "Invented Witness", "Contact": '=HYPERLINK("http://example.invalid","x")',
           "Victim": "Invented Victim", "Status": "detained", "When": "2019", "Consent": "full", "Story": "=1+1"}
    _write_xlsx(path, HEADER, [row], as_text=False)  # openpyxl writes "=..." as formulas (no cached value)
    import_file(path, mapping=mapping)
    t = m.Testimony.objects.select_related("testifier").get(number="H-1")
    assert t.testifier.contact == "" and t.original_text == ""  # the value shown, never the formula


@settings(max_examples=30, **SETTINGS)
@given(body=st.binary(max_size=600), cut=st.integers(0, 4000))
def test_broken_xlsx_files_are_refused_with_a_clear_error(body, cut, mapping, tmp_path):
    good = tmp_path / "good.xlsx"
    _write_xlsx(good, HEADER, [{h: "x" for h in HEADER}])
    data = good.read_bytes()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data[:cut] + body + data[cut + len(body):] if body else data[:cut])
    before = _raw_state()
    try:
        import_file(path, mapping=mapping)
    except KuagerError as exc:
        assert str(exc) and "broken.xlsx" in str(exc)
        assert _raw_state() == before


# ----------------------------------------------------------------- Kuager JSON

_JSON_TEXT = st.one_of(st.sampled_from(HOSTILE + ["a\x00b", "\x00", "x\ud800y"]),
                       st.text(max_size=30),  # any code point: NUL and lone surrogates included
                       st.integers(250, 12_000).map(lambda n: "Ж" * n))


def _doc(name, contact, story, victim, number="J-1"):
    return {"format": "kuager", "version": 1,
            "testifiers": [{"key": number, "name": name, "contact": contact}],
            "testimonies": [{"number": number, "testifier": number, "original_text": story, "consent": "full",
                             "mentions": [{"key": f"{number}/m1", "names": [victim]}]}]}


@settings(max_examples=80, **SETTINGS)
@given(name=_JSON_TEXT, contact=_JSON_TEXT, story=_JSON_TEXT, victim=_JSON_TEXT,
       number=st.one_of(st.just("J-1"), _JSON_TEXT))
def test_json_imports_exactly_or_is_refused_without_trace(name, contact, story, victim, number, tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(_doc(name, contact, story, victim, number)), encoding="utf-8")
    before = _raw_state()
    try:
        import_file(path)
    except InputError as exc:
        event("refused")
        assert "hostile.json" in str(exc)
        assert _raw_state() == before
        return
    event("imported")
    t = m.Testimony.objects.select_related("testifier").get(number=number)
    assert (t.testifier.name, t.testifier.contact, t.original_text) == (name, contact, story)
    assert [n.text for n in t.mentions.get().names.all()] == [victim]


@pytest.mark.parametrize("field, value, where", [
    ("story", "statement\x00hidden", "testimonies[0].original_text"),
    ("contact", "\x00", "testifiers[0].contact"),
    ("victim", "Invented\x00Name", "testimonies[0].mentions[0].names[0]"),
    ("name", "x\ud800", "testifiers[0].name"),
])
def test_json_nul_and_lone_surrogates_are_refused_naming_file_record_and_field(field, value, where, tmp_path):
    args = {"name": "Invented Witness", "contact": "", "story": "", "victim": "Invented Victim", field: value}
    path = tmp_path / "nul.json"
    path.write_text(json.dumps(_doc(**args)), encoding="utf-8")
    before = _raw_state()
    with pytest.raises(InputError) as err:
        import_file(path)
    msg = str(err.value)
    assert "nul.json" in msg and where in msg and ("NUL" in msg or "surrogate" in msg)
    assert _raw_state() == before


# ----------------------------------------------------------------- the web intake form

PW = "an invented long passphrase"


@pytest.fixture
def volunteer(db):
    from kuager.records.services.roles import add_user

    return add_user("invented-volunteer", "volunteer", PW)[0]


_FORM_TEXT = st.one_of(st.sampled_from(HOSTILE + ["a\x00b"]),
                       st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
                       st.integers(290, 5_000).map(lambda n: "Ж" * n))


@settings(max_examples=40, **SETTINGS)
@given(name=_FORM_TEXT, contact=_FORM_TEXT, story=_FORM_TEXT, victim=_FORM_TEXT)
def test_intake_form_stores_exactly_or_shows_errors_and_writes_nothing(name, contact, story, victim, volunteer,
                                                                       login):
    c = Client()
    assert login(c, "invented-volunteer", PW)
    before = _raw_state()
    r = c.post("/intake/", {
        "t-testifier_name": name, "t-testifier_contact": contact, "t-original_text": story,
        "t-recorded_on_text": "2019-04-02", "t-channel": "interview", "t-consent": "full",
        "victim_count": "1", "appeal_count": "0", "v1-names": victim, "v1-event_count": "0"})
    if r.status_code == 200:  # the form again, with its errors
        event("refused")
        assert 'class="errorlist' in r.content.decode()
        assert _raw_state() == before
        return
    event("saved")
    assert r.status_code == 302, r.status_code
    t = m.Testimony.objects.select_related("testifier").order_by("-pk").first()
    assert t.original_text == story.strip()
    assert t.testifier.name == name.strip() and t.testifier.contact == contact.strip()
    assert [n.text for n in t.mentions.get().names.all()] == [" ".join(victim.split())]
    page = c.get(r["Location"]).content.decode()
    for raw in ("<script>alert", "<img src=x", "<svg/onload"):
        if raw in name + contact + story + victim:
            assert raw not in page


@settings(max_examples=40, **SETTINGS)
@given(body=st.binary(max_size=300))
def test_malformed_json_bytes_are_refused_with_a_clear_error(body, tmp_path):
    path = tmp_path / "broken.json"
    path.write_bytes(b'{"format": "kuager", "version": 1, "testimonies": [' + body)
    before = _raw_state()
    with pytest.raises(InputError) as err:
        import_file(path)
    assert "broken.json" in str(err.value)
    assert _raw_state() == before


def _rec(name):
    from kuager.records.services import intake

    return intake.record_testimony(intake.TestimonyInput(
        victims=[intake.VictimInput(names=[name])], testifier_name="Invented Relative", consent="full"))


@pytest.fixture
def viewer_client(login):
    """A viewer logged in once for all of a test's examples (two invented victims recorded)."""
    from kuager.records.services.roles import add_user

    add_user("invented-viewer", "viewer", PW)
    _rec("Invented Person")
    _rec("Invented Persen")
    c = Client()
    assert login(c, "invented-viewer", PW)
    return c


@pytest.fixture
def editor_client(login, enrol):
    """An editor logged in once (password and TOTP code) for all of a test's examples."""
    from kuager.records.services.roles import add_user

    enrol(add_user("invented-editor", "editor", PW)[0])
    _rec("Invented Person")
    _rec("Invented Persen")
    c = Client()
    assert login(c, "invented-editor", PW)
    return c


@settings(max_examples=40, **SETTINGS)
@given(q=_FORM_TEXT)
def test_search_boxes_answer_any_text_and_escape_it(q, viewer_client):
    """The team's and the public's search boxes and the name lookup: 200, never a server error (a NUL in a
    query breaks PostgreSQL), and the query is escaped where it is shown."""
    for client, url in ((viewer_client, "/victims/"), (viewer_client, "/names/"), (Client(), "/public/victims/")):
        r = client.get(url, {"q": q})
        assert r.status_code == 200, (url, r.status_code)
        page = r.content.decode()
        for raw in ("<script>alert", "<img src=x", "<svg/onload"):
            if raw in q:
                assert raw not in page, url


@settings(max_examples=30, **SETTINGS)
@given(note=_FORM_TEXT)
def test_review_decision_note_is_stored_exactly_or_refused(note, editor_client):
    a, b = sorted(m.Victim.objects.values_list("public_id", flat=True))[:2]
    before = _raw_state()
    r = editor_client.post(f"/review/{a}/{b}/", {"decision": "unsure", "note": note})
    if r.status_code == 200:
        event("refused")
        assert _raw_state() == before
        return
    assert r.status_code == 302, r.status_code
    event("saved")
    assert m.Judgement.objects.order_by("-pk").first().note == note.strip()
