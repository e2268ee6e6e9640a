"""The Django-free crypto core: field values, key file, blind indexes, passphrase streams."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import stat

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kuager.protection import crypto
from kuager.protection.crypto import DecryptionError, Keyring, KeyFileError


def _raw(token: str) -> bytes:
    s = token.split("$", 2)[2]
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_value_is_aes_gcm_with_the_documented_layout():
    ring = Keyring.generate()
    token = ring.encrypt_text("Qanat Testov", "records.testifier.name")
    prefix, kid, _ = token.split("$")
    assert prefix == "kgr1" and kid == ring.active
    raw = _raw(token)
    # Decrypt independently with the primitive: nonce(12) || ct || tag, AAD = context and key id.
    plain = AESGCM(ring.data_keys[kid]).decrypt(raw[:12], raw[12:], f"kuager-field-v1|records.testifier.name|{kid}".encode())
    assert plain == b"Qanat Testov\x80" + b"\x00" * (32 - 13)
    assert len(raw) == 12 + 32 + 16
    assert ring.decrypt_text(token, "records.testifier.name") == "Qanat Testov"


def test_random_nonce_per_value_and_length_hidden_within_32_bytes():
    ring = Keyring.generate()
    a, b = (ring.encrypt_text("Same Name", "c") for _ in range(2))
    assert a != b and _raw(a)[:12] != _raw(b)[:12]
    assert len(ring.encrypt_text("", "c")) == len(ring.encrypt_text("x" * 31, "c"))
    assert len(ring.encrypt_text("x" * 32, "c")) > len(ring.encrypt_text("x" * 31, "c"))
    assert ring.decrypt_text(ring.encrypt_text("", "c"), "c") == ""
    multi = "Жеңіснұр Аятханұлы 阿依提汗 ئايتقان"
    assert ring.decrypt_text(ring.encrypt_text(multi, "c"), "c") == multi


def test_altered_moved_or_foreign_values_are_refused():
    ring = Keyring.generate()
    token = ring.encrypt_text("+7 700 123 4567", "records.testifier.contact")
    raw = bytearray(_raw(token))
    raw[20] ^= 1
    flipped = f"kgr1${ring.active}${base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"
    with pytest.raises(DecryptionError, match="does not decrypt"):
        ring.decrypt_text(flipped, "records.testifier.contact")
    with pytest.raises(DecryptionError, match="does not decrypt"):
        ring.decrypt_text(token, "records.testifier.name")  # copied into another column
    with pytest.raises(DecryptionError, match="not in the key file"):
        Keyring.generate().decrypt_text(token, "records.testifier.contact")
    with pytest.raises(DecryptionError, match="not encrypted"):
        ring.decrypt_text("plain text", "records.testifier.contact")


def test_rotation_keeps_old_values_readable_and_marks_new_ones():
    ring = Keyring.generate()
    old = ring.encrypt_text("Aigerim Example", "c")
    new_ring = ring.with_new_keys()
    assert new_ring.active != ring.active and set(new_ring.data_keys) == {ring.active, new_ring.active}
    assert crypto.key_id_of(old) == ring.active
    assert new_ring.decrypt_text(old, "c") == "Aigerim Example"
    assert crypto.key_id_of(new_ring.encrypt_text("Aigerim Example", "c")) == new_ring.active
    assert set(new_ring.only_active().data_keys) == {new_ring.active}


def test_blind_index_is_keyed_hmac_sha256_of_the_normalised_value():
    ring = Keyring.generate()
    ikid = ring.active_index
    expected = hmac.new(ring.index_keys[ikid], "records.testifier.name\x00Jane Q Invented".encode(),
                        hashlib.sha256).hexdigest()
    assert ring.blind_index("  Jane   Q Invented ", "records.testifier.name") == f"{ikid}:{expected}"
    # NFC: a decomposed "é" indexes like the composed one
    assert ring.blind_index("Ame\u0301lie", "x") == ring.blind_index("Am\u00e9lie", "x")
    assert ring.blind_index("jane q invented", "records.testifier.name") != f"{ikid}:{expected}"
    assert ring.blind_index("Jane Q Invented", "other.column") != f"{ikid}:{expected}"
    assert ring.blind_index("   ", "x") == "" and ring.blind_indexes("", "x") == []
    two = ring.with_new_keys()
    assert len(two.blind_indexes("Jane Q Invented", "records.testifier.name")) == 2
    assert f"{ikid}:{expected}" in two.blind_indexes("Jane Q Invented", "records.testifier.name")


def test_key_file_is_created_once_with_mode_0600_and_holds_no_key_in_repr(tmp_path):
    path = tmp_path / "keys" / "kuager.key"
    ring, created = crypto.ensure_keyring(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again, created2 = crypto.ensure_keyring(path)
    assert not created2 and again.data_keys == ring.data_keys
    key_b64 = base64.urlsafe_b64encode(ring.data_keys[ring.active]).decode().rstrip("=")
    assert key_b64 in path.read_text() and key_b64 not in repr(ring)
    assert ring.data_keys[ring.active].hex() not in repr(ring)


def test_key_file_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KUAGER_HOME", str(tmp_path / "h"))
    assert crypto.key_file_path() == (tmp_path / "h" / "keys" / "kuager.key").resolve()
    monkeypatch.setenv("KUAGER_KEY_FILE", str(tmp_path / "usb" / "k.key"))
    assert crypto.key_file_path() == (tmp_path / "usb" / "k.key").resolve()


def test_missing_or_bad_key_file_is_a_clear_error_without_content(tmp_path):
    with pytest.raises(KeyFileError, match="kuager init"):
        crypto.load_keyring(tmp_path / "none.key")
    bad = tmp_path / "bad.key"
    bad.write_text('{"format": "kuager-keyring", "version": 1, "data_keys": {"SECRETSECRET": 1}}')
    with pytest.raises(KeyFileError) as err:
        crypto.load_keyring(bad)
    assert "SECRETSECRET" not in str(err.value)


def test_loose_key_file_permissions_are_tightened(tmp_path):
    path = tmp_path / "k.key"
    crypto.write_keyring(Keyring.generate(), path)
    os.chmod(path, 0o644)
    crypto._cache.clear()
    crypto.load_keyring(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_scrypt_matches_rfc_7914_test_vector():
    # RFC 7914, section 12, second vector: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64; first 32 bytes.
    got = crypto.derive_passphrase_key(b"password", b"NaCl", n=1024, r=8, p=16)
    assert got.hex() == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 2 * crypto.CHUNK + 5])
def test_stream_round_trip(size):
    data = os.urandom(size)
    buf = io.BytesIO()
    with crypto.EncryptingWriter(buf, b"correct horse") as w:
        w.write(data[: size // 3])
        w.write(data[size // 3:])
    assert b"".join(crypto.decrypt_stream(io.BytesIO(buf.getvalue()), b"correct horse")) == data


def test_stream_refuses_wrong_passphrase_flipped_byte_truncation_and_reordering():
    data = os.urandom(2 * crypto.CHUNK + 100)
    buf = io.BytesIO()
    with crypto.EncryptingWriter(buf, b"pw") as w:
        w.write(data)
    blob = buf.getvalue()
    header_end = blob.index(b"\n", len(crypto.STREAM_MAGIC)) + 1
    block = crypto.CHUNK + 16

    def dec(b, pw=b"pw"):
        return b"".join(crypto.decrypt_stream(io.BytesIO(b), pw))

    with pytest.raises(DecryptionError, match="chunk 0"):
        dec(blob, b"wrong")
    flipped = bytearray(blob)
    flipped[header_end + block + 7] ^= 0x40
    with pytest.raises(DecryptionError, match="chunk 1"):
        dec(bytes(flipped))
    with pytest.raises(DecryptionError, match="chunk 1"):  # the last chunk dropped: chunk 1 is not final
        dec(blob[: header_end + 2 * block])
    c0, c1 = blob[header_end:header_end + block], blob[header_end + block:header_end + 2 * block]
    with pytest.raises(DecryptionError, match="chunk 0"):
        dec(blob[:header_end] + c1 + c0 + blob[header_end + 2 * block:])
    with pytest.raises(DecryptionError, match="not an encrypted Kuager archive"):
        dec(b"PK\x03\x04" + blob[4:])
