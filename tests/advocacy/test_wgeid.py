"""WGEID admissibility and submission drafts, on the bundled real cases and invented ones.

Expected values were worked out by hand from testimonies.csv and the article:
Gozalnur Zheniskazy (T-002, her husband, consent full): lost contact "2016
(mid-year)" (May-August 2016: no month), detention in a "political re-education
centre" learned in 2018 (when the family heard, not when she was taken), place
of detention unknown (no town or village), a copy of her Kazakhstan identity card
described but not held (no number), a letter to the Kazakhstan MFA with no
response.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest

from kuager.cli import main
from kuager.errors import KuagerError
from kuager.records.services import wgeid

from .conftest import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

ARTICLE_DAY = date(2018, 5, 23)  # the article's date: "a year and eight months" after mid-2016


def test_gozalnur_admissibility_worked_out_by_hand(od_victims):
    adm = wgeid.check_admissibility(od_victims["Gozalnur Zheniskazy"], ARTICLE_DAY)
    present = {e.code: e.present for e in adm.elements}
    assert present == {"a": True, "a-id": False, "a-photo": False, "b": False, "c": False, "d": True, "e": True,
                       "f": False, "consent": True}
    assert adm.element("a").found == ["Gozalnur Zheniskazy (Latin; testimony T-002)"]
    # the ID card copy is described, not held, and no number is recorded
    assert "described but not held" in adm.element("a-id").missing
    assert "copy of Kazakhstan identity card" in adm.element("a-id").missing
    # mid-2016 has no month; 2018 is when the family learned of the camp
    assert "2016 (mid-year)" in adm.element("b").missing and "month" in adm.element("b").missing
    assert "2018 (learned)" not in adm.element("b").missing
    # "location unknown": no place held at all
    assert adm.element("c").found == []
    # a re-education camp is a State facility: State agents
    assert adm.element("d").found[0].startswith("held in a camp")
    assert adm.element("e").found == [
        "Letter to Ministry of Foreign Affairs of Kazakhstan, sent by Zhenisnur Ayatkhanuly (the victim's husband),"
        " date not recorded: no response."]
    assert adm.element("consent").found == ["testimony T-002: consent full, from the victim's husband"]
    assert adm.refusals == []
    assert adm.urgent is False
    assert [x.split(")")[0] for x in adm.missing] == ["(b", "(c", "(f", "(a-id", "(a-photo"]
    assert not adm.complete


def test_a_learned_date_does_not_make_the_case_urgent(od_victims):
    # On the article's day the "2018 (learned)" detention would fall within three months if it
    # were taken as the arrest date; the disappearance began mid-2016 (last day 31 Aug 2016).
    adm = wgeid.check_admissibility(od_victims["Gozalnur Zheniskazy"], ARTICLE_DAY)
    assert adm.urgent is False
    assert "lost contact, 2016 (mid-year) [T-002]" in adm.urgent_reason
    assert "2018-02-23" in adm.urgent_reason  # three calendar months before 23 May 2018


@pytest.mark.parametrize("today, urgent", [(date(2019, 6, 30), True),    # cutoff 30 Mar: March 2019 may be after
                                           (date(2019, 7, 1), False)])   # cutoff 1 Apr: March 2019 is before
def test_urgent_procedure_three_months_boundary(make_victim, today, urgent):
    v = make_victim("X-101", ["Aruzhan Testkyzy"], events=[("detained", "2019-03", "Ghulja city, Ili prefecture")])
    adm = wgeid.check_admissibility(v, today, submitter="Invented NGO")
    assert adm.urgent is urgent
    assert adm.element("b").present and adm.element("c").present and adm.element("d").present
    assert adm.element("c").found == ["detained: Ghulja city, Ili prefecture (testimony X-101)"]
    assert not adm.element("e").present  # no appeal recorded


def test_kayrat_samarkin_released_is_refused(od_victims):
    v = od_victims["Kayrat Samarkin"]
    adm = wgeid.check_admissibility(v, ARTICLE_DAY, submitter="Someone")
    assert adm.element("consent").present  # he testified himself, with full consent
    assert len(adm.refusals) == 1 and "release is recorded (2018, testimony T-004)" in adm.refusals[0]
    with pytest.raises(KuagerError, match="would not take this as a disappearance"):
        wgeid.draft_submission(v, submitter="Someone", today=ARTICLE_DAY)


@pytest.mark.parametrize("consent", ["anonymous", "none"])
def test_no_full_consent_is_refused(make_victim, consent):
    v = make_victim("X-201", ["Dana Inventedova"], consent=consent,
                    events=[("detained_camp", "2019-02", "Kuytun city")])
    adm = wgeid.check_admissibility(v, date(2019, 3, 1), submitter="Invented NGO")
    assert not adm.element("consent").present
    assert f"X-201: consent {consent}, sister" in adm.element("consent").missing
    with pytest.raises(KuagerError, match="No family consent"):
        wgeid.draft_submission(v, submitter="Invented NGO", today=date(2019, 3, 1))


def test_full_consent_from_someone_not_family_is_refused(make_victim):
    v = make_victim("X-301", ["Serik Inventov"], relation="journalist",
                    events=[("detained", "2019-02", "Tacheng city")])
    with pytest.raises(KuagerError, match="No family consent"):
        wgeid.draft_submission(v, submitter="Invented NGO", today=date(2019, 3, 1))


def test_pdf_of_gozalnur_holds_the_case(od_victims, tmp_path):
    sub = wgeid.draft_submission(od_victims["Gozalnur Zheniskazy"], submitter="Zhenisnur Ayatkhanuly",
                                 today=ARTICLE_DAY)
    data = wgeid.render_pdf(sub)
    assert data[:5] == b"%PDF-"
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "Gozalnur Zheniskazy" in text
    assert "Letter to Ministry of Foreign Affairs of Kazakhstan" in text and "no response" in text
    assert "Standard procedure" in text and "URGENT" not in text
    assert "Name Zhenisnur Ayatkhanuly" in text  # the submitter, not confidential
    assert "Husband raises their two small children alone." in text  # T-002's text: consent full
    if shutil.which("pdftoppm"):
        (tmp_path / "g.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(tmp_path / "g.pdf"),
                        str(tmp_path / "page")], check=True)
        assert (tmp_path / "page-1.png").read_bytes()[:4] == b"\x89PNG"


def test_confidential_submitter_is_named_nowhere(od_victims, tmp_path):
    sub = wgeid.draft_submission(od_victims["Gozalnur Zheniskazy"], submitter="Zhenisnur Ayatkhanuly",
                                 confidential_submitter=True, today=ARTICLE_DAY)
    text = " ".join(pdf_text(wgeid.render_pdf(sub), tmp_path).split())
    assert "Ayatkhanuly" not in text and "Zhenisnur" not in text
    assert "sent by the victim's husband" in text
    assert "keep their identity confidential" in text
    assert "raises their two small children" not in text  # narratives may name the family: left out
    import docx

    d = docx.Document(io.BytesIO(wgeid.render_docx(sub)))
    all_text = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    assert "Ayatkhanuly" not in all_text


def test_contact_details_and_anonymous_testifiers_never_leave(make_victim, tmp_path):
    v = make_victim("X-401", ["Aigerim Inventkyzy"], testifier="Bolat Inventuly", contact="+7 701 555 0101",
                    events=[("detained_camp", "2019-01", "Ghulja city")])
    make_victim("X-402", ["Aigerim Inventkyzy"], consent="anonymous", testifier="Qwerty Hiddenov",
                contact="hidden@example.org", relation="cousin", victim=v)
    sub = wgeid.draft_submission(v, submitter="Invented NGO", today=date(2019, 2, 15))
    text = pdf_text(wgeid.render_pdf(sub), tmp_path)
    for secret in ("+7 701 555 0101", "hidden@example.org", "Qwerty", "Hiddenov"):
        assert secret not in text
    assert sub.urgent is True  # January 2019 is within three months of 15 February 2019
    assert "URGENT ACTION PROCEDURE" in text


def test_names_in_cyrillic_chinese_and_arabic_script_are_embedded(make_victim, tmp_path):
    names = ["Айгүл Серікқызы", "阿依古丽·赛力克", "ئايگۈل سېرىك", "Aigul Serikkyzy"]  # invented person
    v = make_victim("X-501", names, events=[("detained", "2019-04-02", "Chapqal county")])
    data = wgeid.render_pdf(wgeid.draft_submission(v, submitter="Invented NGO", today=date(2019, 5, 1)))
    text = pdf_text(data, tmp_path)
    assert "Айгүл Серікқызы" in text and "阿依古丽·赛力克" in text
    if shutil.which("pdffonts"):
        (tmp_path / "n.pdf").write_bytes(data)
        fonts = subprocess.run(["pdffonts", str(tmp_path / "n.pdf")], capture_output=True, text=True).stdout
        assert "+Noto-Sans-CJK-SC " in fonts and "+Noto-Naskh-Arabic " in fonts and "+Noto-Sans " in fonts


def test_docx_read_back(od_victims):
    import docx

    sub = wgeid.draft_submission(od_victims["Gozalnur Zheniskazy"], submitter="Invented NGO", today=ARTICLE_DAY)
    d = docx.Document(io.BytesIO(wgeid.render_docx(sub)))
    paras = [p.text for p in d.paragraphs]
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "1. Identity of the disappeared person" in paras
    assert "Gozalnur Zheniskazy   [T-002]" in cells and "Kazakhstan (T-002)" in cells
    assert any("Ministry of Foreign Affairs of Kazakhstan" in p and "no response" in p for p in paras)
    assert "Standard procedure." in " ".join(paras)


def test_find_victim(od_victims, make_victim):
    assert wgeid.find_victim("v-00001").display_name == "Gozalnur Zheniskazy"
    assert wgeid.find_victim("Toktar Osmangali").public_id == "V-00002"
    make_victim("X-601", ["Toktar Osmangaliev"])
    make_victim("X-602", ["Toktar Osmangalov"])
    assert wgeid.find_victim("Toktar Osmangali").public_id == "V-00002"  # the exact spelling wins
    with pytest.raises(KuagerError, match="matches several victims") as err:
        wgeid.find_victim("Toktar Osmangal")
    assert "V-09001" in str(err.value) and "V-09002" in str(err.value)
    with pytest.raises(KuagerError, match="no victim V-00999"):
        wgeid.find_victim("V-00999")


def test_cli_draft_and_refusal(od_victims, tmp_path, capsys):
    out = tmp_path / "case.docx"
    assert main(["--quiet", "wgeid", "Gozalnur Zheniskazy", "--out", str(out), "--submitter", "Invented NGO"]) == 0
    assert out.read_bytes()[:2] == b"PK"  # a DOCX is a zip
    assert "(b) date of disappearance or arrest (at least month and year): MISSING" in capsys.readouterr().out
    assert main(["--quiet", "wgeid", "V-00003", "--out", str(tmp_path / "k.pdf")]) == 1
    assert "release is recorded" in capsys.readouterr().err
    assert not (tmp_path / "k.pdf").exists()
    assert main(["--quiet", "wgeid", "V-00003", "--check"]) == 1
    assert main(["--quiet", "wgeid", "V-00001", "--check"]) == 0
