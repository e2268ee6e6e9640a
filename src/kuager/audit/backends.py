"""Login throttling: an authentication backend that counts failed logins in the audit log.

After :data:`MAX_FAILURES` failed logins for one user name, or from one
address, within :data:`WINDOW` (and since that user's last successful login),
every further attempt is refused, even with the right password, until the
window has passed. Refused attempts are audited (``login_throttled``) and are
failures themselves, so hammering keeps the door shut. The counts come from the
audit log's ``login_failed`` entries (see :mod:`kuager.audit.signals`), so they
hold across processes and restarts. A user locked out of the second step
(too many wrong two-factor codes, :func:`kuager.accounts.services.code_throttled`)
is refused at the password step too.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def now():
    return timezone.now()


def client_address(request) -> str:
    """The client's address as the server saw it (``REMOTE_ADDR``; a proxy must set it right)."""
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request is not None else ""


def throttled(username: str, address: str = "") -> bool:
    """True when ``username`` or ``address`` has had too many recent failed logins."""
    from kuager.audit.models import AuditEntry

    start = now() - WINDOW
    last_ok = AuditEntry.objects.filter(action="login", object_key=username, at__gte=start) \
        .order_by("-seq").values_list("at", flat=True).first()
    since = max(start, last_ok) if last_ok else start
    recent = AuditEntry.objects.filter(action="login_failed", at__gt=since)
    if recent.filter(object_key=username).count() >= MAX_FAILURES:
        return True
    from kuager.accounts.services import code_throttled

    if code_throttled(username):
        return True
    return bool(address) and AuditEntry.objects.filter(
        action="login_failed", at__gt=start, new__address=address).count() >= MAX_FAILURES * 4


def retry_after(username: str, address: str = "") -> timedelta:
    """How long until :func:`throttled` lets ``username`` (from ``address``) try again, if nothing else fails.

    Zero when not throttled. Says nothing about whether any password was right.
    """
    from kuager.accounts.services import MAX_CODE_FAILURES
    from kuager.audit.models import AuditEntry

    start = now() - WINDOW

    def wait(times: list, limit: int) -> timedelta:
        # the window must pass over the oldest failures until fewer than ``limit`` are left
        if len(times) < limit:
            return timedelta(0)
        return max(timedelta(0), times[len(times) - limit] + WINDOW - now())

    last_ok = AuditEntry.objects.filter(action="login", object_key=username, at__gte=start) \
        .order_by("-seq").values_list("at", flat=True).first()
    since = max(start, last_ok) if last_ok else start
    waits = [wait(list(AuditEntry.objects.filter(action="login_failed", object_key=username, at__gt=since)
                       .order_by("seq").values_list("at", flat=True)), MAX_FAILURES)]
    last_code_ok = AuditEntry.objects.filter(action__in=("2fa_ok", "2fa_enrol"), object_key=username,
                                             at__gte=start).order_by("-seq").values_list("at", flat=True).first()
    code_since = max(start, last_code_ok) if last_code_ok else start
    waits.append(wait(list(AuditEntry.objects.filter(action="2fa_failed", object_key=username, at__gt=code_since)
                           .order_by("seq").values_list("at", flat=True)), MAX_CODE_FAILURES))
    if address:
        waits.append(wait(list(AuditEntry.objects.filter(action="login_failed", at__gt=start, new__address=address)
                               .order_by("seq").values_list("at", flat=True)), MAX_FAILURES * 4))
    return max(waits)


class ThrottledModelBackend(ModelBackend):
    """Django's model backend (Argon2 hashes), refusing logins while :func:`throttled` says so."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth import get_user_model

        name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if name is not None and throttled(str(name), client_address(request)):
            from kuager.audit.services import record

            record("login_throttled", ("auth.user", str(name)[:150]), actor="anonymous",
                   new={"address": client_address(request)})
            raise PermissionDenied("too many failed logins; try again later")
        return super().authenticate(request, username=username, password=password, **kwargs)
