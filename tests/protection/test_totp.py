"""TOTP core against the RFC 6238 and RFC 4226 test vectors."""

from __future__ import annotations

import base64

import pytest

from kuager.protection import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_hotp_matches_rfc_4226_appendix_d():
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(b"12345678901234567890", i) for i in range(10)] == expected


@pytest.mark.parametrize("at, code", [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                                      (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130")])
def test_totp_matches_rfc_6238_appendix_b_sha1(at, code):
    assert totp.totp(RFC_SECRET, at=at, digits=8) == code


def test_verify_allows_one_step_of_drift_and_refuses_replay():
    at = 1111111109.0
    code = totp.totp(RFC_SECRET, at=at)
    step = totp.verify(RFC_SECRET, code, at=at)
    assert step == int(at // 30)
    assert totp.verify(RFC_SECRET, code, at=at + 30) == step  # the next step still accepts it
    assert totp.verify(RFC_SECRET, code, at=at + 90) is None  # three steps later: refused
    assert totp.verify(RFC_SECRET, code, at=at, last_counter=step) is None  # replay refused
    assert totp.verify(RFC_SECRET, "12345", at=at) is None and totp.verify(RFC_SECRET, "abcdef", at=at) is None


def test_new_secret_and_provisioning_uri():
    s = totp.new_secret()
    assert len(base64.b32decode(s + "=" * (-len(s) % 8))) == 20
    assert totp.new_secret() != s
    uri = totp.provisioning_uri(s, "invented-editor")
    assert uri.startswith("otpauth://totp/Kuager%3Ainvented-editor?") and f"secret={s}" in uri
    assert "period=30" in uri and "digits=6" in uri
