"""Accounts: Argon2 hashes, login throttling from the audit log, secure cookie settings behind HTTPS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from kuager.audit import backends
from kuager.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.storage]

PW = "an invented long passphrase"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("invented-editor", password=PW)


def test_passwords_are_hashed_with_argon2id(user):
    algorithm, variety = user.password.split("$")[:2]
    assert algorithm == "argon2" and variety == "argon2id"
    assert PW not in user.password


def test_short_or_common_passwords_are_refused():
    for bad in ("short", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(bad)
    validate_password("correct horse battery staple")


def test_five_failures_shut_the_door_even_for_the_right_password(client, user, monkeypatch):
    for _ in range(backends.MAX_FAILURES):
        assert not client.login(username="invented-editor", password="wrong guess")
    assert not client.login(username="invented-editor", password=PW)
    assert AuditEntry.objects.filter(action="login_throttled", object_key="invented-editor").count() == 1
    assert AuditEntry.objects.filter(action="login_failed").count() == backends.MAX_FAILURES + 1
    # another user is not locked out by these failures
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("invented-viewer", password=PW)
    assert client.login(username="invented-viewer", password=PW)
    client.logout()
    # after the window the right password works again
    later = timezone.now() + backends.WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(backends, "now", lambda: later)
    assert client.login(username="invented-editor", password=PW)


def test_a_successful_login_resets_the_count(client, user):
    for _ in range(backends.MAX_FAILURES - 1):
        assert not client.login(username="invented-editor", password="wrong guess")
    assert client.login(username="invented-editor", password=PW)
    client.logout()
    for _ in range(backends.MAX_FAILURES - 1):
        assert not client.login(username="invented-editor", password="wrong guess")
    assert client.login(username="invented-editor", password=PW)


def _settings(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("KUAGER_HTTPS", "KUAGER_PROXY_SSL")}
    env.update(env_extra)
    code = ("import json, kuager; kuager.django_setup(); from django.conf import settings as s; "
            "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
            "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
            "'SECURE_PROXY_SSL_HEADER')}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_https_settings_switch_on_with_kuager_https():
    plain = _settings({})
    assert (plain["SESSION_COOKIE_SECURE"], plain["CSRF_COOKIE_SECURE"], plain["SECURE_SSL_REDIRECT"]) == \
        (False, False, False)
    https = _settings({"KUAGER_HTTPS": "1", "KUAGER_PROXY_SSL": "1"})
    assert https == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
                     "SECURE_HSTS_SECONDS": 31536000, "SESSION_COOKIE_HTTPONLY": True,
                     "SESSION_COOKIE_SAMESITE": "Lax", "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}
