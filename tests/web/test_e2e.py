"""End to end in a real browser (Playwright driving Debian's Chromium, headless).

A volunteer records a testimony for Гүлмира Әділқызы; an editor finds her by
typing "Gulmira Adilkyzy", merges her with the Latin-spelled record already held
through the review queue, then unmerges; the public site shows her only when
consent allows and an editor has published her; a volunteer gets 403 on an editor page. Screenshots of the main
pages go to test-artifacts/web/ (git-ignored). Skipped when /usr/bin/chromium is
absent (``scripts/install-system-deps.sh`` installs it). All people are invented.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]
playwright_api = pytest.importorskip("playwright.sync_api")

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            yield b
        finally:
            b.close()


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _totp(secret: str, step: int = 0) -> str:
    """The current code of a base32 secret, ``step`` steps ahead (pyotp: independent of Kuager's TOTP code)."""
    import time

    import pyotp

    return pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + step)


def _login(browser, base, username, password, shots=""):
    """Log in through the pages: password, then two-factor enrolment (editors and admins without it: the
    secret is read off the page as a person would type it into an app) or the code from the app."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = ctx.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/setup/" in page.url:
        assert page.locator(".qr svg").count() == 1
        secret = page.inner_text("#totp-secret").replace(" ", "")
        if shots:
            _shot(page, f"{shots}-2fa-setup")
        page.fill("#id_code", _totp(secret))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("ul.recovery-codes li").count() == 10
        if shots:
            _shot(page, f"{shots}-2fa-recovery-codes")
        page.click("main a")
        page.wait_for_load_state()
    elif "/accounts/2fa/" in page.url:
        from kuager.accounts.models import TwoFactor

        if shots:
            _shot(page, f"{shots}-2fa-code")
        page.fill("#id_code", _totp(TwoFactor.objects.get(user__username=username).secret, step=1))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, page.url
    return page


@pytest.mark.django_db(transaction=True)
def test_volunteer_editor_and_public_in_a_browser(browser, live_server, record, password):
    from kuager.records import models as m
    from kuager.records.services.roles import add_user

    add_user("volunteer1", "volunteer", password)
    editor = add_user("editor1", "editor", password)[0]
    latin = record(["Gulmira Adilkyzy"], consent="full", birth="1979",
                   events=[("lost_contact", "2017"), ("detained_camp", "May 2018")],
                   testifier="Invented Cousin", user=editor).mentions.get()
    base = live_server.url

    # --- the volunteer records a testimony in Cyrillic; the possible duplicate shows while typing
    page = _login(browser, base, "volunteer1", password)
    page.goto(f"{base}/intake/")
    page.fill("#id_t-testifier_name", "Invented Brother")
    page.fill("#id_t-recorded_on_text", "2019-05-20")
    page.select_option("#id_t-consent", "none")
    page.type("#id_v1-names", "Гүлмира Әділқызы", delay=20)
    dup = page.locator(".duplicates .duplicate-list li").first
    dup.wait_for(timeout=10_000)
    assert latin.victim.public_id in dup.inner_text() and "Gulmira Adilkyzy" in dup.inner_text()
    page.select_option("#id_v1-sex", "female")
    page.fill("#id_v1-birth_date_text", "1979")
    page.fill("#id_v1-ethnicity", "Kazakh")
    page.select_option("#id_v1-e1-kind", "detained_camp")
    page.fill("#id_v1-e1-date_text", "mid-2018")
    page.click(".victim .add-event")
    page.select_option("#id_v1-e3-kind", "sentenced")
    page.fill("#id_v1-e3-date_text", "2019")
    page.fill("#id_a1-authority", "Chinese consulate in Almaty")
    page.fill("#id_a1-date_text", "2019-03")
    _shot(page, "01-intake")
    page.click("#save-testimony")
    page.wait_for_url("**/testimonies/K-00002/")
    assert "Гүлмира Әділқызы" in page.content()
    _shot(page, "02-testimony")
    cyr = m.Mention.objects.get(key="K-00002/m1")
    assert [n.script for n in cyr.names.all()] == ["Cyrillic"]
    assert sorted(cyr.events.values_list("kind", flat=True)) == ["detained_camp", "sentenced"]
    new_id = cyr.victim.public_id
    assert new_id != latin.victim.public_id

    # --- a volunteer cannot open an editor page
    resp = page.goto(f"{base}/review/")
    assert resp.status == 403
    _shot(page, "03-volunteer-403")

    # --- the public does not see her: her testimony gives no consent
    public = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    public.goto(f"{base}/public/victims/?q=Гүлмира+Әділқызы")
    assert new_id not in public.content() and "Гүлмира Әділқызы" not in public.inner_text("table.victims")

    # --- the editor finds her by the Latin spelling
    ed = _login(browser, base, "editor1", password, shots="04a")  # first login: two-factor enrolment
    ed.goto(f"{base}/victims/")
    ed.fill("#id_q", "Gulmira Adilkyzy")
    ed.click("#search-form button[type=submit]")
    ed.wait_for_load_state()
    rows = ed.inner_text("table.victims")
    assert new_id in rows and latin.victim.public_id in rows and "Гүлмира Әділқызы" in rows
    assert "waiting for an editor" in rows  # a volunteer's new victim is not published until an editor says so
    _shot(ed, "04-search")

    # --- review queue: compare, decide "same"
    ed.goto(f"{base}/review/")
    _shot(ed, "05-review-queue")
    a, b = sorted([latin.victim.public_id, new_id])
    ed.click(f"a[href='/review/{a}/{b}/']")
    ed.wait_for_load_state()
    assert "Гүлмира Әділқызы" in ed.content() and "Gulmira Adilkyzy" in ed.content()
    # the linkage model's probability, and which model gave it (no resolve has run: the default)
    prob = ed.inner_text("p.probability")
    assert "model trained on synthetic data (default)" in prob and "%" in prob
    assert "the same year of birth" in ed.inner_text("#model-levels")
    _shot(ed, "06-review-pair")
    ed.check("input[name=decision][value=same]")
    ed.fill("#id_note", "same ID copy (invented)")
    ed.click("#decision-form button[type=submit]")
    ed.wait_for_load_state()
    cyr.refresh_from_db(), latin.refresh_from_db()
    assert cyr.victim_id == latin.victim_id
    merged_id = latin.victim.public_id
    assert ed.url.endswith(f"/victims/{merged_id}/")
    names = ed.inner_text("ul.names")
    assert "Гүлмира Әділқызы" in names and "Gulmira Adilkyzy" in names
    _shot(ed, "07-victim-merged")

    # --- unmerge: split the Cyrillic mention off again
    ed.check("input[name=mentions][value='K-00002/m1']")
    ed.fill("#unmerge-form textarea", "the birth places differ (invented)")
    ed.click("#unmerge-form button[type=submit]")
    ed.wait_for_load_state()
    cyr.refresh_from_db(), latin.refresh_from_db()
    assert cyr.victim_id != latin.victim_id
    assert m.Event.objects.filter(mention=cyr).count() == 2  # nothing lost
    assert m.Judgement.objects.filter(decision="different", withdrawn_at=None).count() == 1
    _shot(ed, "08-victim-after-unmerge")

    # --- consent given later, and the editor publishes her: now the public sees her
    m.Testimony.objects.filter(number="K-00002").update(consent="anonymous")
    ed.goto(f"{base}/victims/{cyr.victim.public_id}/")
    ed.check("#id_published")
    ed.click("#publication-form button[type=submit]")
    ed.wait_for_load_state()
    assert m.Victim.objects.get(pk=cyr.victim_id).published
    public.goto(f"{base}/public/victims/?q=Гүлмира+Әділқызы")
    assert "Гүлмира Әділқызы" in public.inner_text("table.victims")
    _shot(public, "09-public-search")
    public.goto(f"{base}/public/victims/{cyr.victim.public_id}/")
    text = public.inner_text("main")
    assert "Гүлмира Әділқызы" in text and "Invented Brother" not in text  # anonymous: testifier not named
    _shot(public, "10-public-victim")

    # --- the main pages in other languages, for the screenshots
    ed.goto(f"{base}/dashboard/")
    _shot(ed, "11-dashboard")
    public.goto(f"{base}/public/")
    with public.expect_navigation():
        public.select_option("#language-select", "ru")
    assert "Жертвы" in public.content()
    _shot(public, "12-public-ru")
    with public.expect_navigation():
        public.select_option("#language-select", "ug")
    assert public.get_attribute("html", "dir") == "rtl"
    public.goto(f"{base}/public/victims/{cyr.victim.public_id}/")
    _shot(public, "13-public-victim-ug")
    with ed.expect_navigation():
        ed.select_option("#language-select", "kk")
    ed.goto(f"{base}/intake/")
    _shot(ed, "14-intake-kk")


@pytest.mark.django_db(transaction=True)
def test_two_factor_code_page_in_a_browser(browser, live_server, password, enrol):
    """An enrolled editor: password, then the code page; a wrong code is refused, the right one lets them in."""
    from kuager.records.services.roles import add_user

    enrol(add_user("editor2", "editor", password)[0])
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
    page.goto(f"{base}/accounts/login/?next=/review/")
    page.fill("#id_username", "editor2")
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/2fa/" in page.url
    assert page.goto(f"{base}/review/").url.startswith(f"{base}/accounts/2fa/")  # nothing else until the code
    page.fill("#id_code", "000000" if _totp_secret_code("editor2") != "000000" else "111111")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "not right" in page.inner_text("main")
    _shot(page, "15-2fa-code-wrong")
    page.fill("#id_code", _totp_secret_code("editor2", step=1))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/review/", page.url


def _totp_secret_code(username, step=0):
    from kuager.accounts.models import TwoFactor

    return _totp(TwoFactor.objects.get(user__username=username).secret, step)


@pytest.mark.django_db(transaction=True)
def test_phone_width_and_the_facility_picker_in_a_browser(browser, live_server, record, password):
    """At 390 px nothing is wider than the screen (the intake form's victim block, the victim list); the
    facility field shows the picked facility's label beside its number."""
    from kuager.records import models as m
    from kuager.records.services.roles import add_user

    add_user("volunteer1", "volunteer", password)
    add_user("viewer1", "viewer", password)
    for i in range(3):
        record([f"Invented Verylongnameforthetable{i} Invented Verylongfathername"],
               events=[("detained_camp", "May 2018")], testifier="Invented Cousin")
    ds = m.Source.objects.create(key="test-camps", title="Invented facilities dataset", kind="dataset")
    camp = m.Facility.objects.create(dataset=ds, source_id="F-1", name="Invented camp", town="Yining City",
                                     prefecture="Ili")
    base = live_server.url

    def phone(user):
        page = _login(browser, base, user, password)
        page.set_viewport_size({"width": 390, "height": 844})
        return page

    page = phone("volunteer1")
    page.goto(f"{base}/intake/")
    _shot(page, "phone-intake")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.querySelector('fieldset.victim').getBoundingClientRect().right") <= 390
    page.fill("#id_v1-e1-facility", str(camp.id))
    picked = page.locator("#id_v1-e1-facility + .facility-picked")
    assert picked.inner_text().startswith("Invented camp · Yining City (Құлжа")
    assert "Ghulja" in picked.inner_text()

    page = phone("viewer1")
    page.goto(f"{base}/victims/")
    _shot(page, "phone-victims")
    assert page.locator("text=Verylongnameforthetable0").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
