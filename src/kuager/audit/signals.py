"""Signal handlers: logins and logouts are audited; SQLite overwrites deleted content."""

from __future__ import annotations


def on_login(sender, request, user, **kwargs) -> None:
    from kuager.audit.services import record

    record("login", ("auth.user", user.get_username()), actor=f"web:{user.get_username()}")


def on_logout(sender, request, user, **kwargs) -> None:
    from kuager.audit.services import record

    if user is not None:
        record("logout", ("auth.user", user.get_username()), actor=f"web:{user.get_username()}")


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    from kuager.audit.services import record

    from kuager.audit.backends import client_address

    username = str(credentials.get("username", ""))[:150]
    record("login_failed", ("auth.user", username), actor="anonymous", new={"address": client_address(request)})


def on_connection(sender, connection, **kwargs) -> None:
    """SQLite: ``secure_delete`` zeroes deleted rows, so removed records do not linger in free pages."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA secure_delete = ON")
