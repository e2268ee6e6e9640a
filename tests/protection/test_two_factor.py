"""Two-factor authentication (RFC 6238 TOTP) for editors and admins, recovery codes, API tokens, uploads.

Codes are computed with pyotp, an implementation independent of kuager.protection.totp. All people are invented.
"""

from __future__ import annotations

import hashlib
import time

import pyotp
import pytest
from django.db import connection
from django.test import Client

from kuager.accounts import services
from kuager.accounts.models import ApiToken, RecoveryCode, TwoFactor
from kuager.audit.models import AuditEntry
from kuager.records.services.roles import add_user

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

PW = "an invented long passphrase"


def _code(secret: str, at: float) -> str:
    return pyotp.TOTP(secret).at(at)


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table}")
        return [r[0] for r in cur.fetchall()]


@pytest.fixture
def editor():
    return add_user("invented-editor", "editor", PW)[0]


def test_an_editor_without_two_factor_reaches_only_the_enrolment_page(editor, client):
    assert client.login(username="invented-editor", password=PW)  # the password alone
    for url in ("/", "/review/", "/victims/", "/dashboard/", "/intake/", "/admin/", "/accounts/2fa/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/setup/"), (url, r.status_code)
    assert client.get("/api/victims/").status_code == 403  # the session's API too
    assert client.get("/accounts/2fa/setup/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_enrolment_page_shows_the_secret_and_a_local_qr_code_and_confirms_with_a_code(editor, client):
    assert client.login(username="invented-editor", password=PW)
    page = client.get("/accounts/2fa/setup/").content.decode()
    secret = TwoFactor.objects.get(user=editor).secret
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", "")  # drawn here: no image fetched from anywhere
    assert TwoFactor.objects.get(user=editor).confirmed_at is None
    r = client.post("/accounts/2fa/setup/", {"code": "12345x"})
    assert "not right" in r.content.decode()
    r = client.post("/accounts/2fa/setup/", {"code": _code(secret, time.time())})
    html = r.content.decode()
    codes = [c for c in html.split("<code>")[1:]]
    codes = [c.split("</code>")[0] for c in codes]
    assert r.status_code == 200 and len(codes) == 10
    assert client.get("/review/").status_code == 200  # this session passed the second step
    # recovery codes are kept as SHA-256 only
    stored = set(RecoveryCode.objects.filter(user=editor).values_list("code_hash", flat=True))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert list(AuditEntry.objects.filter(object_key="invented-editor", action__startswith="2fa")
                .values_list("action", flat=True)) == ["2fa_failed", "2fa_enrol", "2fa_recovery_codes"]


def test_the_secret_is_encrypted_at_rest_and_rotation_re_encrypts_it(editor, enrol):
    from kuager.protection import keys

    enrol(editor)
    secret = TwoFactor.objects.get(user=editor).secret
    (raw,) = _raw("accounts_twofactor", "secret")
    assert raw.startswith("kgr1$") and secret not in raw
    keys.rotate()
    (raw2,) = _raw("accounts_twofactor", "secret")
    assert raw2.split("$")[1] != raw.split("$")[1]  # a new key id
    assert TwoFactor.objects.get(user=editor).secret == secret


def test_login_asks_for_the_code_after_the_password(editor, enrol):
    enrol(editor)
    c = Client()
    r = c.post("/accounts/login/?next=/review/", {"username": "invented-editor", "password": PW, "next": "/review/"})
    assert r.status_code == 302
    r = c.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/?next=")
    assert c.get("/accounts/2fa/?next=/review/").status_code == 200
    tf = TwoFactor.objects.get(user=editor)
    r = c.post("/accounts/2fa/", {"code": _code(tf.secret, time.time() + 30), "next": "/review/"})
    assert r.status_code == 302 and r["Location"] == "/review/"
    assert c.get("/review/").status_code == 200
    assert AuditEntry.objects.filter(action="2fa_ok", object_key="invented-editor").exists()


def test_codes_within_one_step_pass_and_a_used_code_is_never_replayed(editor, enrol):
    enrol(editor)
    tf = TwoFactor.objects.get(user=editor)
    t = (tf.last_counter + 10) * 30 + 5  # ten steps after enrolment, 5 s into a step
    for bad in (t - 61, t + 61):  # two steps away
        with pytest.raises(services.InputError):
            services.check_code(editor, _code(tf.secret, bad), at=t)
    assert services.check_code(editor, _code(tf.secret, t - 30), at=t) == "totp"  # one step behind
    with pytest.raises(services.InputError):  # the same code again
        services.check_code(editor, _code(tf.secret, t - 30), at=t)
    assert services.check_code(editor, _code(tf.secret, t + 30), at=t) == "totp"  # one step ahead
    with pytest.raises(services.InputError):  # older than the last accepted step: refused too
        services.check_code(editor, _code(tf.secret, t), at=t)
    assert AuditEntry.objects.filter(action="2fa_failed", object_key="invented-editor").count() == 4


def test_wrong_codes_are_throttled_like_passwords(editor, enrol):
    enrol(editor)
    tf = TwoFactor.objects.get(user=editor)
    for _ in range(services.MAX_CODE_FAILURES):
        with pytest.raises(services.InputError):
            services.check_code(editor, "000000" if _code(tf.secret, time.time()) != "000000" else "111111")
    with pytest.raises(services.CodeThrottled):  # even the right code
        services.check_code(editor, _code(tf.secret, time.time() + 30))
    assert not Client().login(username="invented-editor", password=PW)  # and the password step too
    assert AuditEntry.objects.filter(action="2fa_throttled").count() == 1


def test_a_recovery_code_works_once(editor, enrol):
    codes = enrol(editor)
    assert services.check_code(editor, codes[0].lower().replace("-", " ")) == "recovery"
    with pytest.raises(services.InputError):
        services.check_code(editor, codes[0])
    assert services.recovery_codes_left(editor) == 9
    assert AuditEntry.objects.filter(action="2fa_recovery_used").get().new == {"left": 9}


def test_reset_2fa_command_sends_the_editor_back_to_enrolment(editor, enrol, capsys):
    from kuager.cli import main

    enrol(editor)
    assert main(["user", "reset-2fa", "invented-editor"]) == 0
    assert "removed" in capsys.readouterr().out
    assert not TwoFactor.objects.filter(user=editor).exists() and not RecoveryCode.objects.filter(user=editor).exists()
    assert AuditEntry.objects.filter(action="2fa_reset", object_key="invented-editor").exists()
    c = Client()
    assert c.login(username="invented-editor", password=PW)
    assert c.get("/review/")["Location"].startswith("/accounts/2fa/setup/")


def test_user_add_says_how_two_factor_is_set_up(tmp_path, capsys):
    from kuager.cli import main

    pw = tmp_path / "pw"
    pw.write_text(PW + "\n")
    assert main(["user", "add", "invented-admin", "--role", "admin", "--password-file", str(pw)]) == 0
    out = capsys.readouterr().out
    assert "Two-factor authentication is required" in out and "reset-2fa" in out and PW not in out
    assert main(["user", "add", "invented-viewer", "--role", "viewer", "--password-file", str(pw)]) == 0
    assert "Two-factor" not in capsys.readouterr().out


def test_a_volunteer_may_opt_in_and_then_needs_the_code(enrol):
    vol = add_user("invented-volunteer", "volunteer", PW)[0]
    c = Client()
    assert c.login(username="invented-volunteer", password=PW)
    assert c.get("/intake/").status_code == 200  # not required
    enrol(vol)
    c2 = Client()
    assert c2.login(username="invented-volunteer", password=PW)
    assert c2.get("/intake/")["Location"].startswith("/accounts/2fa/")


# ----------------------------------------------------------------- API tokens

def _api(key=None, **extra):
    from rest_framework.test import APIClient

    c = APIClient(**extra)
    if key:
        c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def test_tokens_are_stored_hashed_and_expire_and_can_be_revoked(enrol, capsys):
    from datetime import timedelta

    from django.utils import timezone

    from kuager.cli import main

    add_user("invented-viewer", "viewer", PW)
    assert main(["user", "token", "invented-viewer", "--days", "30"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) == 40
    assert key not in " ".join(_raw("accounts_apitoken", "key_hash"))
    assert _raw("accounts_apitoken", "key_hash") == [hashlib.sha256(key.encode()).hexdigest()]
    assert _api(key).get("/api/dashboard/").status_code == 200
    assert AuditEntry.objects.filter(action="api_login", object_key="invented-viewer").count() == 1
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(key).get("/api/dashboard/").status_code == 401
    key2 = services.issue_token("invented-viewer")
    assert _api(key2).get("/api/dashboard/").status_code == 200
    assert main(["user", "revoke-tokens", "invented-viewer"]) == 0
    assert _api(key2).get("/api/dashboard/").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoke").count() == 1


def test_an_editors_token_works_only_after_two_factor_is_set_up(editor, enrol):
    key = services.issue_token("invented-editor")
    assert _api(key).get("/api/dashboard/").status_code == 401
    enrol(editor)
    assert _api(key).get("/api/dashboard/").status_code == 200


def test_failed_token_logins_are_audited_and_throttled_per_address():
    from kuager.accounts.api_auth import MAX_FAILURES_PER_ADDRESS

    add_user("invented-viewer", "viewer", PW)
    key = services.issue_token("invented-viewer")
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert _api("f" * 40, REMOTE_ADDR="192.0.2.7").get("/api/dashboard/").status_code == 401
    assert AuditEntry.objects.filter(action="api_auth_failed", new__address="192.0.2.7").count() == \
        MAX_FAILURES_PER_ADDRESS
    assert _api(key, REMOTE_ADDR="192.0.2.7").get("/api/dashboard/").status_code == 429  # even a good one
    assert _api(key, REMOTE_ADDR="192.0.2.8").get("/api/dashboard/").status_code == 200  # another address


def test_api_rate_limit_per_user(settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    add_user("invented-viewer", "viewer", PW)
    key = services.issue_token("invented-viewer")
    cache.clear()
    old = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"}
    try:
        answers = [_api(key).get("/api/dashboard/").status_code for _ in range(4)]
    finally:
        UserRateThrottle.THROTTLE_RATES = old
        cache.clear()
    assert answers == [200, 200, 200, 429]


def test_api_views_of_confidential_records_are_audited(editor, enrol):
    from kuager.records.services import intake

    enrol(editor)
    t = intake.record_testimony(intake.TestimonyInput(
        victims=[intake.VictimInput(names=["Invented Person"], confidential=True)],
        testifier_name="Invented Relative", testifier_contact="+7 700 000 0000", consent="none", confidential=True))
    v = t.mentions.get().victim
    key = services.issue_token("invented-editor")
    assert _api(key).get(f"/api/testimonies/{t.number}/").status_code == 200
    assert _api(key).get(f"/api/victims/{v.public_id}/").status_code == 200
    rows = list(AuditEntry.objects.filter(action="view_confidential").values_list("actor", "object_type", "object_key"))
    assert rows == [("api:invented-editor", "records.testimony", t.number),
                    ("api:invented-editor", "records.victim", v.public_id)]
    assert "+7 700" not in str(list(AuditEntry.objects.values_list("new", flat=True)))


# ----------------------------------------------------------------- uploads

@pytest.mark.parametrize("handlers", ["kuager", "django"])
def test_large_uploads_never_touch_a_temporary_file(handlers, editor, enrol, login, settings, monkeypatch):
    """A 3 MB upload (over Django's 2.5 MB in-memory limit) is held in memory: no temporary file is made.

    Control: with Django's default upload handlers the same request does make one (so the check can see it).
    """
    from django.core.files import temp
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kuager.records import models as m
    from kuager.records.services import evidence, intake

    if handlers == "django":
        settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler",
                                         "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
    made = []
    real = temp.NamedTemporaryFile
    monkeypatch.setattr(temp, "NamedTemporaryFile", lambda *a, **k: made.append(k) or real(*a, **k))
    enrol(editor)
    t = intake.record_testimony(intake.TestimonyInput(victims=[intake.VictimInput(names=["Invented Person"])],
                                                      testifier_name="Invented Relative", consent="full"))
    c = Client()
    assert login(c, "invented-editor", PW)
    body = b"%PDF-1.4\n" + bytes(range(256)) * (3 * 4096)  # 3 MiB
    r = c.post(f"/testimonies/{t.number}/documents/", {
        "doc-file": SimpleUploadedFile("invented.pdf", body, content_type="application/pdf"),
        "doc-kind": "other", "doc-description": "invented"})
    assert r.status_code == 302, r.status_code
    assert len(made) == (0 if handlers == "kuager" else 1)
    doc = m.Document.objects.get(testimony=t)
    assert evidence.open_evidence(doc, original=True, actor="test", purpose="test").read() == body


def test_an_upload_over_the_limit_is_refused_with_a_clear_error(editor, enrol, login, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.KUAGER_MAX_UPLOAD_BYTES = 1024 * 1024
    enrol(editor)
    c = Client()
    assert login(c, "invented-editor", PW)
    r = c.post("/testimonies/X/documents/", {"doc-file": SimpleUploadedFile("big.bin", b"x" * (2 * 1024 * 1024))})
    assert r.status_code == 413 and "at most 1 MB" in r.content.decode()


def test_a_replayed_code_is_told_apart_from_a_wrong_one(editor, enrol):
    enrol(editor)
    tf = TwoFactor.objects.get(user=editor)
    code = _code(tf.secret, time.time() + 30)
    assert services.check_code(editor, code) == "totp"
    with pytest.raises(services.CodeReplayed):
        services.check_code(editor, code)
    c = Client()
    assert c.post("/accounts/login/", {"username": "invented-editor", "password": PW}).status_code == 302
    page = c.post("/accounts/2fa/", {"code": code}).content.decode()
    assert "already used" in page and "not right" not in page
    wrong = "000000" if code != "000000" else "111111"
    page = c.post("/accounts/2fa/", {"code": wrong}).content.decode()
    assert "not right" in page and "already used" not in page
    assert AuditEntry.objects.filter(action="2fa_failed", new__replayed=True).count() == 2


def test_a_throttled_login_says_so_whatever_the_password(editor):
    from datetime import timedelta

    from kuager.audit.backends import MAX_FAILURES, WINDOW

    c = Client()
    for _ in range(MAX_FAILURES):
        page = c.post("/accounts/login/", {"username": "invented-editor", "password": "wrong"}).content.decode()
        assert "did not match" in page
    first = AuditEntry.objects.filter(action="login_failed").order_by("seq").first().at
    for password in ("wrong", PW):
        r = c.post("/accounts/login/", {"username": "invented-editor", "password": password})
        page = r.content.decode()
        assert r.status_code == 200 and "Too many login attempts" in page and "did not match" not in page
    # the window must pass over the oldest failures: about WINDOW (15 minutes) from the first one
    from django.utils import timezone

    left = first + WINDOW - timezone.now()
    assert timedelta(minutes=14) < left <= WINDOW
    assert "Try again in 15 minutes." in page


def test_token_for_an_editor_without_two_factor_comes_with_a_warning(editor, enrol, capsys):
    from kuager.cli import main

    assert main(["user", "token", "invented-editor"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip()) == 40 and "two-factor" in err and "401" in err
    enrol(editor)
    assert main(["user", "token", "invented-editor"]) == 0
    out, err = capsys.readouterr()
    assert len(out.strip()) == 40 and "two-factor" not in err
    assert _api(out.strip()).get("/api/dashboard/").status_code == 200
