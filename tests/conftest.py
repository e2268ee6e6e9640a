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
