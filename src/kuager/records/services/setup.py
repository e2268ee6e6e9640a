"""Creating and migrating a Kuager instance."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def initialise(verbosity: int = 0) -> Path:
    """Create ``$KUAGER_HOME`` (mode 0700), its secret key, the encryption key file, and migrate the database.

    Also recomputes the stored name keys when the key rules changed since they were
    made (:func:`kuager.records.services.names.ensure_current_keys`).

    Idempotent: an existing directory, key and database are kept.

    Returns:
        The data directory.
    """
    home = Path(settings.HOME)
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    key_file = home / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    from kuager.protection.crypto import ensure_keyring

    ensure_keyring()  # the encryption key file, outside the database (before migrations that encrypt)
    call_command("migrate", interactive=False, verbosity=verbosity, stdout=io.StringIO())
    from kuager.records.services.roles import ensure_roles

    ensure_roles()
    from kuager import progress
    from kuager.records.services.names import ensure_current_keys

    rekeyed = ensure_current_keys()  # after an upgrade that changed the name key rules
    if rekeyed:
        progress.say(f"Re-keyed {rekeyed} names: the name key rules changed.")
    return home


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the database (``app.name``); [] when up to date."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{mig.app_label}.{mig.name}" for mig, _backwards in plan]
