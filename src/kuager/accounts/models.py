"""Second factors and API tokens. Secrets are never stored in clear.

- :class:`TwoFactor`: a user's TOTP secret (RFC 6238), encrypted at rest like
  testifiers' identities (AES-256-GCM, :class:`kuager.records.fields.EncryptedTextField`,
  so ``kuager keys rotate`` re-encrypts it), the step of the last accepted code
  (replay refused) and when enrolment was confirmed.
- :class:`RecoveryCode`: one-time codes for a lost phone, stored as SHA-256 of
  the normalised code (80 random bits each, so a fast hash is enough: OWASP
  Authentication Cheat Sheet, "recovery codes").
- :class:`ApiToken`: API tokens stored as SHA-256 of the key (the key itself is
  shown once), with an expiry and a revocation time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kuager.records.fields import EncryptedTextField


class TwoFactor(models.Model):
    """A user's TOTP authenticator: unconfirmed until the user has typed one right code."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"two-factor of {self.user} ({'on' if self.confirmed_at else 'not confirmed'})"


class RecoveryCode(models.Model):
    """A one-time recovery code (its SHA-256 only); ``used_at`` is set when it has been spent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)


class ApiToken(models.Model):
    """An API token (its SHA-256 and first 8 characters only), valid until it expires or is revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.prefix}… of {self.user}"
