"""DRF authentication for API tokens: hashed keys, expiry, revocation, failures throttled and audited.

``Authorization: Token <key>``. The key is looked up by its SHA-256
(:func:`kuager.accounts.services.token_user`); an unknown, expired or revoked
key is refused (401) and audited as ``api_auth_failed`` with the client's
address. After :data:`MAX_FAILURES_PER_ADDRESS` failures from one address
within :data:`kuager.audit.backends.WINDOW`, every token request from that
address is refused with 429 until the window has passed (counted in the audit
log, so across processes; OWASP Authentication Cheat Sheet, "protect against
automated attacks"). An editor's or admin's token works only once they have
set up two-factor authentication on the web (their role requires it). The first
use of a token in a working day is audited as ``api_login``.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

MAX_FAILURES_PER_ADDRESS = 20
LOGIN_EVERY = timedelta(hours=8)


def _failures_from(address: str) -> int:
    from kuager.audit.backends import WINDOW, now
    from kuager.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="api_auth_failed", at__gt=now() - WINDOW, new__address=address).count()


class HashedTokenAuthentication(TokenAuthentication):
    """Token authentication over :class:`kuager.accounts.models.ApiToken` (keys stored hashed)."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        from kuager.accounts import services
        from kuager.audit.backends import client_address
        from kuager.audit.services import record

        address = client_address(getattr(self, "_request", None))
        if address and _failures_from(address) >= MAX_FAILURES_PER_ADDRESS:
            raise exceptions.Throttled(detail="too many failed token logins from this address; try again later")
        found = services.token_user(key)
        if found is None:
            record("api_auth_failed", ("api", "token"), actor="anonymous", new={"address": address})
            raise exceptions.AuthenticationFailed("invalid, expired or revoked token")
        user, tok = found
        if services.required_for(user) and not services.enrolled(user):
            raise exceptions.AuthenticationFailed(
                "your role needs two-factor authentication: log in on the web once to set it up")
        now = timezone.now()
        if tok.last_used_at is None or now - tok.last_used_at > LOGIN_EVERY:
            record("api_login", ("auth.user", user.get_username()), actor=f"api:{user.get_username()}",
                   new={"token": tok.prefix, "address": address})
            type(tok).objects.filter(pk=tok.pk).update(last_used_at=now)
        elif now - tok.last_used_at > timedelta(minutes=1):
            type(tok).objects.filter(pk=tok.pk).update(last_used_at=now)
        return user, tok
