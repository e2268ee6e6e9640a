"""One sweep over every public output: markers planted in every confidential field never come out.

Confidential here means what the redaction layer withholds from the public:
testifier identity under anonymous or no consent, contact details and notes
always, original texts unless consent is full, everything of a testimony with
consent "none" or marked confidential, confidential mentions, confidential and
unpublished victims, file names. Every planted value contains "mrk" (no real
text does), so one case-insensitive search finds any of them.

All names are invented.
"""

from __future__ import annotations

import io
import json
import re

import pytest

from kuager.records import models as m
from kuager.records.services import appeals, evidence, exporting, intake, review, wgeid
from kuager.records.services.reporting import write_report

pytestmark = [pytest.mark.django_db, pytest.mark.storage]


def _t(victims, **kw):
    return intake.record_testimony(intake.TestimonyInput(victims=victims, recorded_on_text="2019-03-15", **kw))


def _v(name, **kw):
    return intake.VictimInput(names=[name], sex="male", relation_of_testifier="brother", events=[intake.EventInput(
        kind="detained", date_text="2018", description=kw.pop("event_description", ""))], **kw)


@pytest.fixture
def planted(tmp_path, gps_jpeg):
    full = _t([_v("Nurlan Publicov"), _v("Mrkconfmention Zzyzx", confidential=True,
                                          description="mrk-mention-description")],
              testifier_name="Visible Witness", testifier_residence="mrk-residence-full",
              testifier_contact="mrk-contact-full +7 700 000 0000", notes="mrk-notes-full", consent="full",
              original_text="A statement anyone may read.",
              appeals=[intake.AppealInput(authority="Invented Ministry", victims=[0])])
    photo = tmp_path / "mrk-filename-Nurlan.jpg"
    gps_jpeg(photo)
    evidence.add_evidence(full, photo, kind="photo", mention=full.mentions.get(key=f"{full.number}/m1"))
    _t([_v("Aidos Anonymousfact")], testifier_name="Mrktestifieranon Qq", testifier_residence="mrk-residence-anon",
       testifier_contact="mrk-contact-anon", original_text="mrk-text-anon", consent="anonymous",
       appeals=[intake.AppealInput(authority="Invented Ministry", response_status="none")])
    _t([_v("Mrkvictimnone Withheld", event_description="mrk-event-none")], testifier_name="Mrktestifiernone Qq",
       original_text="mrk-text-none", consent="none")
    _t([_v("Mrkvictimconf Hidden")], testifier_name="Mrktestifierconf Qq", original_text="mrk-text-conf",
       consent="full", confidential=True)
    _t([_v("Mrkvictimflag Secret", confidential=True)], testifier_name="Mrkflagwitness Qq", consent="full")
    unpub = _t([_v("Mrkvictimunpub Draft")], testifier_name="Mrkunpubwitness Qq", consent="full")
    review.set_publication(unpub.mentions.get().victim, published=False)
    return tmp_path


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _leaks(text: str) -> list[str]:
    # CSRF tokens are random letters and digits: one spelled "...bmrkJ..." once (1 in ~2,000 pages)
    low = _CSRF.sub("", text).lower()
    text = _CSRF.sub("", text)
    out, i = [], low.find("mrk")
    while i >= 0:
        out.append(text[max(0, i - 40): i + 40])
        i = low.find("mrk", i + 1)
    return out


class _CapturedHTML:
    """Stands in for weasyprint.HTML: keeps the HTML a PDF would be made from."""

    seen: list[str] = []

    def __init__(self, string="", **kw):
        _CapturedHTML.seen.append(string)

    def write_pdf(self, *a, **kw):
        return b"%PDF-1.7 captured"


def test_no_planted_marker_leaves_through_reports_exports_and_drafts(planted, monkeypatch):
    out = planted
    outputs: dict[str, str] = {}
    write_report(out / "report")
    for p in sorted((out / "report").rglob("*.html")):
        outputs[f"report {p.name}"] = p.read_text(encoding="utf-8")
    for fmt in ("json", "csv", "ftm"):
        target = out / f"export-{fmt}"
        exporting.export(target if fmt == "csv" else out / f"export.{fmt}", fmt=fmt, scope="public")
        files = sorted(target.glob("*")) if fmt == "csv" else [out / f"export.{fmt}"]
        outputs[f"export {fmt}"] = "".join(f.read_text(encoding="utf-8-sig") for f in files)

    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", _CapturedHTML)
    _CapturedHTML.seen = []
    shown = []
    for v in m.Victim.objects.order_by("public_id"):
        try:
            sub = wgeid.draft_submission(v)
        except Exception as exc:  # noqa: BLE001 - a refusal is not an output
            outputs[f"wgeid refusal {v.public_id}"] = str(exc)
            continue
        shown.append(v)
        outputs[f"wgeid {v.public_id}"] = sub.plain_text()
        wgeid.render_pdf(sub)
    from kuager.errors import KuagerError

    in_letter = []
    for v in m.Victim.objects.order_by("public_id"):
        try:
            appeals.appeal_letter([v], "Invented Ministry", "Invented Committee")
            in_letter.append(v)
        except KuagerError as exc:  # withheld victims are refused by name: the refusal is an output too
            outputs[f"letter refusal {v.public_id}"] = str(exc)
    appeals.appeal_letter(in_letter, "Invented Ministry", "Invented Committee")
    outputs["pdf html"] = "".join(_CapturedHTML.seen)
    assert sorted(v.display_name for v in in_letter) == ["Aidos Anonymousfact", "Nurlan Publicov"]

    leaks = {name: _leaks(text) for name, text in outputs.items() if _leaks(text)}
    assert leaks == {}
    # the sweep can see: what may be shown is there
    everything = "".join(outputs.values())
    for visible in ("Nurlan Publicov", "Aidos Anonymousfact", "Visible Witness", "A statement anyone may read."):
        assert visible in everything
    assert "Nurlan Publicov" in outputs["export json"] and "Nurlan Publicov" in outputs["pdf html"]
    assert len(shown) >= 1, [v for k, v in outputs.items() if k.startswith("wgeid refusal")]


def _public_pages(client) -> dict[str, str]:
    out = {}
    for url in ["/public/", "/public/victims/", "/public/statistics/", "/public/methodology/"] + \
            [f"/public/victims/{pid}/" for pid in m.Victim.objects.values_list("public_id", flat=True)]:
        r = client.get(url)
        assert r.status_code in (200, 404), url
        out[url] = r.content.decode()
    assert "Nurlan Publicov" in out["/public/victims/"]
    return out


def test_public_web_pages_show_no_marker_nor_file_name(planted, client):
    pages = _public_pages(client)
    assert {url: _leaks(html) for url, html in pages.items() if _leaks(html)} == {}


def test_the_markers_are_really_in_the_internal_outputs(planted):
    """Control: the same search finds the planted values where they may be (internal scope)."""
    exporting.export(planted / "internal.json", fmt="json", scope="internal")
    doc = (planted / "internal.json").read_text(encoding="utf-8")
    for marker in ("mrk-text-anon", "mrk-text-none", "mrk-text-conf", "Mrkvictimflag Secret",
                   "Mrkconfmention Zzyzx", "mrk-notes-full", "Mrktestifieranon Qq"):
        assert marker in doc, marker
    assert json.loads(doc)


#: What the team (viewers, volunteers) may never see: contact details, confidential mentions, testimonies
#: and victims (kuager.web.access). Consent governs publication, not the team, so the other markers may show.
TEAM_WITHHELD = ("mrk-contact-full", "mrk-contact-anon", "mrkconfmention", "mrk-mention-description",
                 "mrk-text-conf", "mrktestifierconf", "mrkvictimconf", "mrkvictimflag", "mrk-notes-full",
                 "mrk-residence")


def _api_answers(key: str) -> dict[str, str]:
    from rest_framework.test import APIClient

    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    urls = ["/api/victims/", "/api/dashboard/", "/api/testimonies/", "/api/names/?q=Mrk",
            "/api/victims/?q=Mrkvictimflag", "/api/victims/?q=Mrkconfmention"]
    urls += [f"/api/victims/{pid}/" for pid in m.Victim.objects.values_list("public_id", flat=True)]
    urls += [f"/api/testimonies/{n}/" for n in m.Testimony.objects.values_list("number", flat=True)]
    out = {}
    for url in urls:
        r = c.get(url)
        assert r.status_code in (200, 403, 404), (url, r.status_code)
        out[url] = r.content.decode()
    return out


@pytest.mark.parametrize("role", ["viewer", "volunteer"])
def test_api_answers_to_lesser_roles_hold_no_confidential_marker(planted, role):
    from kuager.accounts.services import issue_token
    from kuager.records.services.roles import add_user

    add_user(f"invented-{role}", role, "an invented long passphrase")
    answers = _api_answers(issue_token(f"invented-{role}"))
    leaks = {url: [x for x in _leaks(text) if any(w in x.lower() for w in TEAM_WITHHELD)]
             for url, text in answers.items()}
    assert {u: x for u, x in leaks.items() if x} == {}
    if role == "viewer":  # control: the viewer does get the team's material
        assert "Nurlan Publicov" in answers["/api/victims/"]


def test_the_team_markers_are_in_an_editors_api_answers(planted, enrol):
    """Control for the test above: an editor's answers hold the withheld markers."""
    from kuager.accounts.services import issue_token
    from kuager.records.services.roles import add_user

    enrol(add_user("invented-editor", "editor", "an invented long passphrase")[0])
    everything = " ".join(_api_answers(issue_token("invented-editor")).values()).lower()
    for marker in ("mrk-contact-full", "mrkconfmention", "mrk-text-conf", "mrkvictimflag"):
        assert marker in everything, marker
