"""Test configuration shared by all tests.

Storage tests (``@pytest.mark.storage``) run twice under ``make test``: on SQLite,
and on PostgreSQL (``KUAGER_TEST_BACKEND=postgresql`` with ``DATABASE_URL``). When
no PostgreSQL server answers, that second run skips every test with the reason.
"""

from __future__ import annotations

import os

import pytest


def _postgres_reachable() -> str | None:
    """Return None when the configured PostgreSQL answers, else the reason."""
    try:
        import psycopg
        import dj_database_url

        cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or None,
            dbname=cfg["NAME"], password=cfg["PASSWORD"] or None, connect_timeout=3,
        ):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        return f"no PostgreSQL server answers at DATABASE_URL ({type(exc).__name__})"


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KUAGER_TEST_BACKEND") != "postgresql":
        return
    reason = _postgres_reachable()
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _kuager_home(tmp_path, monkeypatch, settings):
    """Give every test its own data directory, with its own encryption key file (as `kuager init` makes)."""
    from kuager.protection.crypto import ensure_keyring

    home = tmp_path / "kuager-home"
    home.mkdir()
    monkeypatch.setenv("KUAGER_HOME", str(home))
    monkeypatch.delenv("KUAGER_KEY_FILE", raising=False)
    ensure_keyring()
    settings.MEDIA_ROOT = home / "files"
    return home


# ----------------------------------------------------------------- two-factor logins (issue 6)
# Editors and admins need a TOTP code after the password. These helpers enrol a user and log in through the
# real pages, computing codes with pyotp (an implementation independent of kuager.protection.totp).

_RECOVERY: dict[str, list[str]] = {}


def totp_code(secret: str, counter: int) -> str:
    """The RFC 6238 code of ``secret`` for time step ``counter`` (pyotp, not Kuager's own code)."""
    import pyotp

    return pyotp.TOTP(secret).generate_otp(counter)


def enrol_2fa(user) -> list[str]:
    """Set up two-factor authentication for ``user`` as the enrolment page does; returns the recovery codes."""
    import time

    from kuager.accounts import services

    tf = services.start_enrolment(user)
    codes = services.confirm_enrolment(user, totp_code(tf.secret, int(time.time() // 30)))
    _RECOVERY[user.get_username()] = list(codes)
    return codes


def pass_2fa(client, user):
    """Post a right code to the code page for a client logged in with the password; returns the response.

    Uses the next unused time step within the ±1 window (a code is never replayed), else a recovery code.
    """
    import time

    from kuager.accounts.models import TwoFactor

    tf = TwoFactor.objects.get(user_id=user.pk)
    now = int(time.time() // 30)
    for c in (now, now + 1):
        if tf.last_counter is None or c > tf.last_counter:
            return client.post("/accounts/2fa/", {"code": totp_code(tf.secret, c)})
    return client.post("/accounts/2fa/", {"code": _RECOVERY[user.get_username()].pop()})


def web_login(client, username: str, password: str) -> bool:
    """Log ``client`` in through the login page, then the code page when the user has two-factor set up."""
    from django.contrib.auth import get_user_model

    from kuager.accounts.services import enrolled

    r = client.post("/accounts/login/", {"username": username, "password": password})
    if r.status_code != 302:
        return False
    user = get_user_model().objects.get(username=username)
    if enrolled(user):
        r = pass_2fa(client, user)
        return r.status_code == 302 and "/accounts/2fa" not in r["Location"]
    return True


@pytest.fixture
def login():
    """``login(client, username, password) -> bool``: password, then the TOTP code when the user has one."""
    return web_login


@pytest.fixture
def login_user():
    """``login_user(client, user)``: ``force_login`` (no password), then the real code page for enrolled users."""
    def _login_user(client, user):
        from kuager.accounts.services import enrolled

        client.force_login(user)
        if enrolled(user):
            r = pass_2fa(client, user)
            assert r.status_code == 302 and "/accounts/2fa" not in r["Location"], r
        return client
    return _login_user


@pytest.fixture
def enrol():
    """``enrol(user) -> recovery codes``: set up two-factor authentication for ``user``."""
    return enrol_2fa
