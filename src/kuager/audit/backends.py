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


def failure_times(failed: str, succeeded: tuple[str, ...] = (), *, username: str | None = None,
                  address: str = "") -> list:
    """Times of the recent failures that count against ``username`` (or, without one, ``address``).

    Args:
        failed: the audit action of a failure (``login_failed``, ``2fa_failed``).
        succeeded: audit actions of a success; for a user name, only failures after the
            last success count.
        username: count this user's failures; None: count ``address``'s.
        address: the client's address (used when ``username`` is None).
    Returns:
        The failures' times within :data:`WINDOW`, oldest first.
    """
    from kuager.audit.models import AuditEntry

    start = now() - WINDOW
    failures = AuditEntry.objects.filter(action=failed, at__gt=start)
    if username is None:
        failures = failures.filter(new__address=address)
    else:
        last_ok = AuditEntry.objects.filter(action__in=succeeded, object_key=username, at__gte=start) \
            .order_by("-seq").values_list("at", flat=True).first() if succeeded else None
        failures = failures.filter(object_key=username, at__gt=max(start, last_ok) if last_ok else start)
    return list(failures.order_by("seq").values_list("at", flat=True))


def _counted(username: str, address: str) -> list[tuple[list, int]]:
    """Each throttle that applies, as (failure times, how many shut the door)."""
    from kuager.accounts.services import MAX_CODE_FAILURES, code_failure_times

    out = [(failure_times("login_failed", ("login",), username=username), MAX_FAILURES),
           (code_failure_times(username), MAX_CODE_FAILURES)]
    if address:
        out.append((failure_times("login_failed", address=address), MAX_FAILURES * 4))
    return out


def throttled(username: str, address: str = "") -> bool:
    """True when ``username`` or ``address`` has had too many recent failed logins (or wrong codes)."""
    return any(len(times) >= limit for times, limit in _counted(username, address))


def retry_after(username: str, address: str = "") -> timedelta:
    """How long until :func:`throttled` lets ``username`` (from ``address``) try again, if nothing else fails.

    Zero when not throttled. Says nothing about whether any password was right.
    """
    def wait(times: list, limit: int) -> timedelta:
        # the window must pass over the oldest failures until fewer than ``limit`` are left
        if len(times) < limit:
            return timedelta(0)
        return max(timedelta(0), times[len(times) - limit] + WINDOW - now())

    return max(wait(times, limit) for times, limit in _counted(username, address))


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
