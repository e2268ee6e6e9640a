"""Time-based one-time passwords (RFC 6238 TOTP over RFC 4226 HOTP). No Django import here.

The building block for two-factor login of editors and admins (issue 6): the
secret is made with :func:`new_secret`, shown once to the user as a
``otpauth://`` URI (:func:`provisioning_uri`) for an authenticator app, kept
encrypted, and each login checks a code with :func:`verify`. Defaults are what
authenticator apps expect: HMAC-SHA1, 30-second steps, 6 digits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP, DIGITS = 30, 6


def new_secret() -> str:
    """A random 160-bit secret as unpadded base32 (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226 HOTP: dynamic truncation of HMAC(key, counter), as a zero-padded decimal string."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10 ** digits).zfill(digits)


def totp(secret: str, at: float | None = None, digits: int = DIGITS, step: int = STEP) -> str:
    """RFC 6238 TOTP code of a base32 secret at Unix time ``at`` (default: now)."""
    t = time.time() if at is None else at
    return hotp(_key(secret), int(t // step), digits)


def verify(secret: str, code: str, at: float | None = None, window: int = 1, last_counter: int | None = None
           ) -> int | None:
    """Check a code, allowing ``window`` steps of clock drift either way.

    Args:
        secret: the base32 secret.
        code: what the user typed (spaces ignored).
        at: Unix time (default: now).
        window: steps of drift allowed (1: ±30 s).
        last_counter: the step of the last accepted code; that step and earlier
            ones are refused, so a code cannot be replayed (RFC 6238 section 5.2).

    Returns:
        The accepted time step (store it as the next ``last_counter``), or None.
    """
    code = "".join(code.split())
    if not code.isdigit() or len(code) != DIGITS:
        return None
    t = time.time() if at is None else at
    now = int(t // STEP)
    key = _key(secret)
    for counter in range(now - window, now + window + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(hotp(key, counter), code):
            return counter
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "Kuager") -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads (as text or a QR code)."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                                                   "digits": DIGITS, "period": STEP})
