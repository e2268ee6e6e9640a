"""Two-factor authentication and API tokens: the writes and checks (views and CLI stay thin).

Two-factor (TOTP, RFC 6238 over RFC 4226, :mod:`kuager.protection.totp`):

- required for editors and admins (:func:`required_for`); volunteers and
  viewers may opt in. Enrolment: :func:`start_enrolment` makes a secret (kept
  encrypted), the user adds it to an authenticator app and types one code,
  :func:`confirm_enrolment` checks it and hands out ten recovery codes, shown
  once and stored hashed.
- at each login, after the password, :func:`check_code` takes a 6-digit code
  (±1 step of 30 s) or a recovery code. A code's step is remembered and that
  step and older ones are refused (RFC 6238 section 5.2: no replay).
- failed codes are audited (``2fa_failed``) and throttled like passwords
  (OWASP Authentication Cheat Sheet): after :data:`MAX_CODE_FAILURES` within
  :data:`kuager.audit.backends.WINDOW` since the last good code, every code is
  refused until the window has passed, and password logins are refused too.
- :func:`reset` (``kuager user reset-2fa NAME``) removes a user's authenticator
  and recovery codes; an editor or admin then enrols again at the next login.

API tokens: :func:`issue_token` returns a new random key once and stores only
its SHA-256; tokens expire (default :data:`TOKEN_DAYS` days) and
:func:`revoke_tokens` ends them at once.

Secrets (TOTP secrets, codes, token keys) are never logged, audited or put in
an exception message.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kuager.errors import InputError, KuagerError
from kuager.protection import totp

MAX_CODE_FAILURES = 5
RECOVERY_CODES = 10
TOKEN_DAYS = 90
_B32 = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to copy by hand


class CodeThrottled(KuagerError):
    """Too many wrong codes for this user recently; try again later."""


class CodeReplayed(InputError):
    """A right code that was already used (its time step or a later one was accepted): wait for the next."""


def required_for(user) -> bool:
    """True when ``user`` must use a second factor: editors and admins (staff or superusers)."""
    from kuager.records.services.roles import ADMIN, EDITOR, role_of

    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_staff or role_of(user) in (ADMIN, EDITOR))


def enrolled(user) -> bool:
    """True when ``user`` has a confirmed authenticator."""
    from kuager.accounts.models import TwoFactor

    return TwoFactor.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def _audit(action: str, user, new: dict | None = None, actor: str | None = None) -> None:
    from kuager.audit.services import record

    record(action, ("auth.user", user.get_username()), actor=actor or f"web:{user.get_username()}", new=new or {})


def start_enrolment(user):
    """The user's unconfirmed authenticator, made with a new secret when there is none.

    Returns:
        the :class:`~kuager.accounts.models.TwoFactor` (``.secret`` is the base32 secret).

    Raises:
        InputError: the user already has a confirmed authenticator (reset it first).
    """
    from kuager.accounts.models import TwoFactor

    tf = TwoFactor.objects.filter(user_id=user.pk).first()
    if tf is not None and tf.confirmed_at is not None:
        raise InputError("two-factor authentication is already set up; an admin can reset it", field="user")
    if tf is None:
        tf = TwoFactor.objects.create(user=user, secret=totp.new_secret())
    return tf


def provisioning(tf) -> tuple[str, str]:
    """``(otpauth URI, inline SVG of its QR code)`` for an authenticator, made locally (segno, no network)."""
    import segno

    uri = totp.provisioning_uri(tf.secret, tf.user.get_username())
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title="QR code")
    return uri, svg


def _hash_code(code: str) -> str:
    return hashlib.sha256("".join(ch for ch in code.upper() if ch.isalnum()).encode("ascii", "ignore")).hexdigest()


def new_recovery_codes(user, *, actor: str | None = None) -> list[str]:
    """Replace the user's recovery codes with :data:`RECOVERY_CODES` new ones; returns them (shown once).

    Each code is 16 characters from a 32-letter alphabet (80 bits), written ``XXXX-XXXX-XXXX-XXXX``.
    """
    from kuager.accounts.models import RecoveryCode

    codes = ["-".join("".join(secrets.choice(_B32) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user_id=user.pk).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
        _audit("2fa_recovery_codes", user, {"count": len(codes)}, actor)
    return codes


def confirm_enrolment(user, code: str, *, at: float | None = None) -> list[str]:
    """Confirm the user's new authenticator with a code from it; returns the new recovery codes.

    Args:
        user: the user enrolling (their unconfirmed authenticator must exist).
        code: the 6-digit code the app shows.
        at: Unix time (default: now; tests pass it).

    Raises:
        InputError: no enrolment started, or the code is wrong (the failure is audited as ``2fa_failed``).
        CodeThrottled: too many wrong codes recently.
    """
    from kuager.accounts.models import TwoFactor

    if code_throttled(user.get_username()):
        raise CodeThrottled("too many wrong codes; wait 15 minutes")
    with transaction.atomic():
        tf = TwoFactor.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=True).first()
        if tf is None:
            raise InputError("no two-factor enrolment in progress", field="code")
        step = totp.verify(tf.secret, code, at=at, window=1, last_counter=tf.last_counter)
        if step is not None:
            tf.confirmed_at = timezone.now()
            tf.last_counter = step
            tf.save(update_fields=["confirmed_at", "last_counter"])
            _audit("2fa_enrol", user)
    if step is None:
        _audit("2fa_failed", user, {"stage": "enrolment"})
        raise InputError("wrong code", field="code")
    return new_recovery_codes(user)


def code_failure_times(username: str) -> list:
    """Times of ``username``'s wrong codes within the throttling window since the last good one, oldest first."""
    from kuager.audit.backends import failure_times

    return failure_times("2fa_failed", ("2fa_ok", "2fa_enrol"), username=username)


def code_throttled(username: str) -> bool:
    """True when ``username`` has had :data:`MAX_CODE_FAILURES` wrong codes within the window since the last good one."""
    return len(code_failure_times(username)) >= MAX_CODE_FAILURES


def check_code(user, code: str, *, at: float | None = None, address: str = "") -> str:
    """The login's second step: a TOTP code or an unused recovery code.

    Args:
        user: the user who gave the right password.
        code: 6 digits from the app, or a recovery code (dashes and spaces ignored).
        at: Unix time (default: now).
        address: the client's address, for the audit entry.

    Returns:
        ``"totp"`` or ``"recovery"`` (audited as ``2fa_ok``, and a spent recovery code as ``2fa_recovery_used``).

    Raises:
        CodeThrottled: too many wrong codes recently (nothing is checked).
        CodeReplayed: a right code already used (audited as ``2fa_failed`` with ``replayed``).
        InputError: wrong or spent code, or no confirmed authenticator (audited as ``2fa_failed``).
    """
    from kuager.accounts.models import RecoveryCode, TwoFactor

    if code_throttled(user.get_username()):
        _audit("2fa_throttled", user, {"address": address})
        raise CodeThrottled("too many wrong codes; wait 15 minutes")
    how, replayed = None, False
    with transaction.atomic():
        tf = TwoFactor.objects.select_for_update().filter(user_id=user.pk, confirmed_at__isnull=False).first()
        if tf is not None:
            digits = "".join(code.split())
            if digits.isdigit():
                step = totp.verify(tf.secret, digits, at=at, window=1, last_counter=tf.last_counter)
                if step is not None:
                    tf.last_counter = step
                    tf.save(update_fields=["last_counter"])
                    how = "totp"
                elif tf.last_counter is not None and totp.verify(tf.secret, digits, at=at, window=1) is not None:
                    replayed = True
            else:
                n = RecoveryCode.objects.filter(user_id=user.pk, code_hash=_hash_code(code), used_at__isnull=True) \
                    .update(used_at=timezone.now())
                if n:
                    how = "recovery"
                    left = RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()
                    _audit("2fa_recovery_used", user, {"left": left})
        if how:
            _audit("2fa_ok", user, {"how": how, "address": address})
    if how is None:
        _audit("2fa_failed", user, {"stage": "login", "address": address, **({"replayed": True} if replayed else {})})
        if replayed:
            raise CodeReplayed("that code was already used; wait for the next one", field="code")
        raise InputError("wrong code", field="code")
    return how


def recovery_codes_left(user) -> int:
    from kuager.accounts.models import RecoveryCode

    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def reset(username: str) -> bool:
    """Remove a user's authenticator and recovery codes (``kuager user reset-2fa``); audited as ``2fa_reset``.

    Returns:
        True when there was something to remove.

    Raises:
        InputError: no such user.
    """
    from kuager.accounts.models import RecoveryCode, TwoFactor

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InputError(f"no user {username!r}", field="USERNAME")
    with transaction.atomic():
        n = TwoFactor.objects.filter(user_id=user.pk).delete()[0]
        RecoveryCode.objects.filter(user_id=user.pk).delete()
        from kuager.audit.services import record

        record("2fa_reset", ("auth.user", username), new={"had_authenticator": bool(n)})
    return bool(n)


# ----------------------------------------------------------------- API tokens

def _token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue_token(username: str, *, days: int = TOKEN_DAYS, revoke_others: bool = False) -> str:
    """A new API token for ``username`` (``Authorization: Token <key>``); only its SHA-256 is stored.

    Args:
        username: an existing, active user.
        days: validity (1 to 3650).
        revoke_others: revoke the user's other tokens first (``kuager user token --reset``).

    Returns:
        The key: 40 hexadecimal characters (160 random bits), shown once.

    Raises:
        InputError: no such user, inactive user, or ``days`` out of range.
    """
    from kuager.accounts.models import ApiToken
    from kuager.audit.services import record

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InputError(f"no user {username!r}; create one with `kuager user add`", field="USERNAME")
    if not user.is_active:
        raise InputError(f"user {username!r} is inactive", field="USERNAME")
    if not 1 <= days <= 3650:
        raise InputError("a token lasts between 1 and 3650 days", field="--days")
    key = secrets.token_hex(20)
    with transaction.atomic():
        if revoke_others:
            revoke_tokens(username)
        tok = ApiToken.objects.create(user=user, key_hash=_token_hash(key), prefix=key[:8],
                                      expires_at=timezone.now() + timedelta(days=days))
        record("token_create", ("auth.user", username), new={"token": tok.prefix, "expires": tok.expires_at})
    return key


def revoke_tokens(username: str) -> int:
    """Revoke every live token of ``username`` at once; returns how many. Audited as ``token_revoke``."""
    from kuager.accounts.models import ApiToken
    from kuager.audit.services import record

    with transaction.atomic():
        n = ApiToken.objects.filter(user__username=username, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if n:
            record("token_revoke", ("auth.user", username), new={"revoked": n})
    return n


def token_user(key: str):
    """``(user, token)`` for a live token key, or None (unknown, expired, revoked, or the user inactive)."""
    from kuager.accounts.models import ApiToken

    tok = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(key.strip())).first()
    now = timezone.now()
    if tok is None or tok.revoked_at is not None or tok.expires_at <= now or not tok.user.is_active:
        return None
    return tok.user, tok
