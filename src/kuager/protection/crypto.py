"""Encryption at rest, blind indexes and encrypted streams. No Django import here.

Threat: a seized laptop or server, or a copied database file or dump, must yield
no testifier's identity and no confidential testimony text (the aim of Martus
and Tella: "a seized device yields nothing readable"). The keys live in a key
file outside the database (``$KUAGER_HOME/keys/kuager.key``, mode 0600, or
``$KUAGER_KEY_FILE``); whoever holds the database without the key file holds
ciphertext.

Field values
    AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce per value, so equal
    plaintexts give different ciphertexts. A value is stored as the text
    ``kgr1$<key id>$<base64url(nonce || ciphertext || tag)>``. The key id (16 hex
    digits) says which key of the key file encrypted the value, so a rotation can
    tell old values from new and a reader can decrypt both during it. The
    associated data binds the value to its column (``context``, e.g.
    ``records.testifier.contact``) and key id: a value copied into another column
    does not decrypt. The plaintext is padded (ISO/IEC 7816-4: ``0x80`` then
    zeros) to a multiple of 32 bytes, so a ciphertext shows a name's length
    only to within 32 bytes. With random 96-bit nonces one key must encrypt fewer
    than 2**32 values (SP 800-38D, section 8.3); rotate long before that.

Blind indexes
    An encrypted column cannot be searched in SQL. For exact lookups (the
    importer finds a named testifier by name) a column holds
    ``<index key id>:<HMAC-SHA256(index key, normalised value)>``, with an index
    key separate from the data keys. It reveals which rows share a value, nothing
    more without the key.

Backups
    :func:`derive_passphrase_key` (scrypt, RFC 7914) turns a passphrase into a
    256-bit key; :class:`EncryptingWriter` and :func:`decrypt_stream` encrypt a
    byte stream in 1 MiB AES-GCM chunks whose nonces carry a counter and a
    last-chunk flag (the STREAM construction of Hoang, Reyhanitabar, Rogaway and
    Vizár, "Online authenticated-encryption and its nonce-reuse
    misuse-resistance", CRYPTO 2015), so reordered, dropped or truncated chunks
    are detected.

Key material is never logged, printed or put in an exception message; only key
ids are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import struct
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kuager.errors import KuagerError
from kuager.paths import kuager_home

PREFIX = "kgr1"
KEY_FILE_FORMAT = "kuager-keyring"
PAD_BLOCK = 32


class KeyFileError(KuagerError):
    """The key file is missing, unreadable or malformed (its path is named, never its content)."""


class DecryptionError(KuagerError):
    """A value or stream does not decrypt: wrong key, unknown key id, or altered bytes."""


def key_file_path() -> Path:
    """The key file: ``$KUAGER_KEY_FILE`` if set, else ``$KUAGER_HOME/keys/kuager.key``.

    Read from the environment at each call (not cached), so tests and tools that
    switch ``KUAGER_HOME`` get their own keys.
    """
    explicit = os.environ.get("KUAGER_KEY_FILE")
    return Path(explicit).resolve() if explicit else kuager_home() / "keys" / "kuager.key"


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode("ascii").rstrip("=")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _new_kid() -> str:
    return secrets.token_hex(8)


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    i = data.rstrip(b"\x00")
    if not i.endswith(b"\x80"):
        raise DecryptionError("bad padding in a decrypted value")
    return i[:-1]


def normalise_for_index(value: str) -> str:
    """The form a value is indexed in: Unicode NFC, runs of white space as one space, stripped.

    Case is kept, as the lookup it replaces (``name = %s``) kept it.
    """
    return " ".join(unicodedata.normalize("NFC", value).split())


@dataclass
class Keyring:
    """The keys of one Kuager instance.

    Attributes:
        data_keys: key id -> 32-byte AES-256 key; old keys stay until a rotation finishes.
        active: the key id new values are encrypted with.
        index_keys: key id -> 32-byte HMAC-SHA256 key for blind indexes.
        active_index: the index key id new index values use.
        created: key id -> ISO 8601 UTC time the key was made.
        path: where the keyring was read from or will be written, if anywhere.
    """

    data_keys: dict[str, bytes]
    active: str
    index_keys: dict[str, bytes]
    active_index: str
    created: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def __repr__(self) -> str:  # never show key material, even in a traceback or debugger
        return (f"Keyring(active={self.active!r}, data_keys={sorted(self.data_keys)}, "
                f"active_index={self.active_index!r}, index_keys={sorted(self.index_keys)}, path={self.path})")

    # ------------------------------------------------------------------ creation and storage

    @classmethod
    def generate(cls) -> "Keyring":
        """A new keyring with one fresh data key and one fresh index key (from :mod:`secrets`)."""
        kid, ikid = _new_kid(), _new_kid()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cls({kid: secrets.token_bytes(32)}, kid, {ikid: secrets.token_bytes(32)}, ikid,
                   {kid: now, ikid: now})

    def with_new_keys(self) -> "Keyring":
        """A copy with a new active data key and a new active index key; the old keys are kept."""
        fresh = Keyring.generate()
        return Keyring({**self.data_keys, **fresh.data_keys}, fresh.active,
                       {**self.index_keys, **fresh.index_keys}, fresh.active_index,
                       {**self.created, **fresh.created}, self.path)

    def only_active(self) -> "Keyring":
        """A copy holding only the active data key and the active index key."""
        return Keyring({self.active: self.data_keys[self.active]}, self.active,
                       {self.active_index: self.index_keys[self.active_index]}, self.active_index,
                       {k: v for k, v in self.created.items() if k in (self.active, self.active_index)}, self.path)

    def to_json(self) -> str:
        return json.dumps({
            "format": KEY_FILE_FORMAT, "version": 1,
            "active": self.active, "active_index": self.active_index,
            "data_keys": {k: {"key": _b64e(v), "created": self.created.get(k, "")} for k, v in self.data_keys.items()},
            "index_keys": {k: {"key": _b64e(v), "created": self.created.get(k, "")} for k, v in self.index_keys.items()},
        }, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, path: Path | None = None) -> "Keyring":
        """Parse a key file's text.

        Raises:
            KeyFileError: not a Kuager key file, or keys of the wrong length.
        """
        where = f"key file {path}" if path else "key file"
        try:
            d = json.loads(text)
            if d.get("format") != KEY_FILE_FORMAT or d.get("version") != 1:
                raise ValueError
            data = {k: _b64d(v["key"]) for k, v in d["data_keys"].items()}
            index = {k: _b64d(v["key"]) for k, v in d["index_keys"].items()}
            created = {k: v.get("created", "") for k, v in {**d["data_keys"], **d["index_keys"]}.items()}
            ring = cls(data, d["active"], index, d["active_index"], created, path)
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeyFileError(f"{where} is not a valid Kuager key file") from None
        if ring.active not in data or ring.active_index not in index or \
                any(len(k) != 32 for k in [*data.values(), *index.values()]):
            raise KeyFileError(f"{where} is not a valid Kuager key file (missing or short keys)")
        return ring

    # ------------------------------------------------------------------ field values

    @staticmethod
    def _aad(context: str, kid: str) -> bytes:
        return f"kuager-field-v1|{context}|{kid}".encode("utf-8")

    def encrypt_text(self, plaintext: str, context: str) -> str:
        """Encrypt one text value with the active key.

        Args:
            plaintext: any text (may be empty).
            context: the column it is stored in, e.g. ``records.testifier.name``;
                the same context must be given to decrypt.

        Returns:
            ``kgr1$<key id>$<base64url(nonce || ciphertext || tag)>`` (ASCII).
        """
        nonce = secrets.token_bytes(12)
        ct = AESGCM(self.data_keys[self.active]).encrypt(
            nonce, _pad(plaintext.encode("utf-8")), self._aad(context, self.active))
        return f"{PREFIX}${self.active}${_b64e(nonce + ct)}"

    def decrypt_text(self, token: str, context: str) -> str:
        """Decrypt a value made by :meth:`encrypt_text` with the same ``context``.

        Raises:
            DecryptionError: not a Kuager ciphertext, a key id not in this keyring,
                or the value was altered or moved from another column.
        """
        kid = key_id_of(token)
        if kid is None:
            raise DecryptionError(f"a value in {context} is not encrypted (expected {PREFIX}$...)")
        key = self.data_keys.get(kid)
        if key is None:
            raise DecryptionError(f"a value in {context} is encrypted with key {kid}, which is not in the key "
                                  f"file; restore the key file that holds it")
        try:
            raw = _b64d(token.split("$", 2)[2])
            return _unpad(AESGCM(key).decrypt(raw[:12], raw[12:], self._aad(context, kid))).decode("utf-8")
        except (InvalidTag, ValueError, IndexError):
            raise DecryptionError(f"a value in {context} does not decrypt: altered, or not from this column") from None

    # ------------------------------------------------------------------ blind indexes

    def blind_index(self, value: str, context: str, kid: str | None = None) -> str:
        """``<index key id>:<hex HMAC-SHA256>`` of the normalised value; ``""`` for an empty value.

        Args:
            value: the plaintext.
            context: the indexed column (keeps equal values in different columns apart).
            kid: an index key id; by default the active one.
        """
        norm = normalise_for_index(value)
        if not norm:
            return ""
        kid = kid or self.active_index
        mac = hmac.new(self.index_keys[kid], f"{context}\x00{norm}".encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{kid}:{mac}"

    def blind_indexes(self, value: str, context: str) -> list[str]:
        """The index values of ``value`` under every index key (a lookup during a rotation finds both)."""
        return [self.blind_index(value, context, kid) for kid in self.index_keys] if normalise_for_index(value) else []


def key_id_of(token: str) -> str | None:
    """The key id of a field ciphertext, or None when ``token`` is not one."""
    if not isinstance(token, str) or not token.startswith(PREFIX + "$"):
        return None
    parts = token.split("$", 2)
    if len(parts) != 3 or len(parts[1]) != 16:
        return None
    return parts[1]


# ---------------------------------------------------------------------- the key file

_cache: dict[Path, tuple[tuple[int, int], Keyring]] = {}
_lock = threading.Lock()


def write_keyring(ring: Keyring, path: Path | None = None) -> Path:
    """Write a keyring atomically (temporary file, fsync, rename) with mode 0600 in a 0700 folder.

    Returns:
        The path written.
    """
    path = Path(path or ring.path or key_file_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(ring.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    ring.path = path
    with _lock:
        _cache.pop(path, None)
    return path


def ensure_keyring(path: Path | None = None) -> tuple[Keyring, bool]:
    """Create the key file if it does not exist (``kuager init`` calls this).

    Returns:
        ``(keyring, created)``; an existing key file is never replaced.
    """
    path = Path(path or key_file_path())
    if path.exists():
        return load_keyring(path), False
    ring = Keyring.generate()
    write_keyring(ring, path)
    return ring, True


def load_keyring(path: Path | None = None) -> Keyring:
    """Read the key file (cached until the file changes).

    Raises:
        KeyFileError: no key file (run ``kuager init`` or restore it), or a bad one.
    """
    path = Path(path or key_file_path())
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyFileError(f"no encryption key file at {path}: run `kuager init` to create one, or restore "
                           "the key file from where you keep its copy") from None
    stamp = (st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp:
            return hit[1]
    if st.st_mode & 0o077:
        os.chmod(path, 0o600)  # tighten a key file copied in with loose permissions
    ring = Keyring.from_json(path.read_text(encoding="utf-8"), path)
    with _lock:
        _cache[path] = (stamp, ring)
    return ring


# ---------------------------------------------------------------------- passphrase keys and streams

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
CHUNK = 1 << 20
STREAM_MAGIC = b"KUAGER-ENC-STREAM-1\n"


def derive_passphrase_key(passphrase: bytes, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R,
                          p: int = SCRYPT_P) -> bytes:
    """A 256-bit key from a passphrase with scrypt (RFC 7914).

    The defaults (N=2**15, r=8, p=1: 32 MiB, about 0.1 s) follow the RFC's
    interactive-use recommendation; the parameters are stored with the data.

    Raises:
        KuagerError: an empty passphrase.
    """
    if not passphrase:
        raise KuagerError("the passphrase is empty")
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase)


def _stream_nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class EncryptingWriter:
    """A write-only binary file that encrypts what is written to ``out`` with a passphrase or a key.

    ``passphrase``: the key is derived with scrypt (backups); ``key``: a 32-byte
    key used as is (evidence files, each with its own random key).

    Layout: ``STREAM_MAGIC``, a JSON header line (scrypt parameters, salt, nonce
    prefix; bound to every chunk as associated data), then chunks of at most
    1 MiB plaintext, each AES-256-GCM-sealed with nonce ``prefix(7) ||
    counter(4) || last(1)``. Call :meth:`close` to write the last chunk.
    """

    def __init__(self, out: BinaryIO, passphrase: bytes | None = None, *, key: bytes | None = None):
        salt, self._prefix = secrets.token_bytes(16), secrets.token_bytes(7)
        if (passphrase is None) == (key is None):
            raise ValueError("give a passphrase or a key")
        kdf = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64e(salt)} \
            if key is None else {"kdf": "none"}
        header = json.dumps({**kdf, "cipher": "AES-256-GCM-STREAM", "chunk": CHUNK,
                             "nonce_prefix": _b64e(self._prefix)}, sort_keys=True).encode("ascii") + b"\n"
        self._aad = STREAM_MAGIC + header
        self._aes = AESGCM(key if key is not None else derive_passphrase_key(passphrase, salt))
        self._out, self._buf, self._counter, self.closed = out, bytearray(), 0, False
        out.write(self._aad)

    def write(self, data: bytes) -> int:
        self._buf += data
        while len(self._buf) > CHUNK:  # always keep something back for the final chunk
            self._seal(bytes(self._buf[:CHUNK]), final=False)
            del self._buf[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, final: bool) -> None:
        self._out.write(self._aes.encrypt(_stream_nonce(self._prefix, self._counter, final), chunk, self._aad))
        self._counter += 1

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buf), final=True)
            self._buf.clear()
            self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def decrypt_stream(src: BinaryIO, passphrase: bytes | None = None, *, key: bytes | None = None) -> Iterator[bytes]:
    """Yield the plaintext chunks of a stream made by :class:`EncryptingWriter`.

    Give the ``passphrase`` for a passphrase stream (backups) or the ``key`` for
    a keyed one (evidence files).

    Each chunk is authenticated before it is yielded; a consumer must still treat
    the data as unverified until the iterator ends without error (a truncated
    stream is only detected at its end).

    Raises:
        DecryptionError: not an encrypted Kuager stream, a wrong passphrase, or
            altered, reordered, dropped or truncated bytes.
    """
    magic = src.read(len(STREAM_MAGIC))
    if magic != STREAM_MAGIC:
        raise DecryptionError("not an encrypted Kuager archive")
    header = src.readline(4096)
    try:
        h = json.loads(header)
        prefix, chunk = _b64d(h["nonce_prefix"]), int(h["chunk"])
        if h["cipher"] != "AES-256-GCM-STREAM" or len(prefix) != 7 or not 0 < chunk <= 64 << 20:
            raise ValueError
        if h["kdf"] == "none":
            if key is None:
                raise ValueError
            aes = AESGCM(key)
        else:
            salt, n, r, p = _b64d(h["salt"]), int(h["n"]), int(h["r"]), int(h["p"])
            if h["kdf"] != "scrypt" or passphrase is None or \
                    not (2 <= n <= 2 ** 20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
                raise ValueError
            aes = AESGCM(derive_passphrase_key(passphrase, salt, n, r, p))
    except (ValueError, KeyError, TypeError):
        raise DecryptionError("the archive header is damaged") from None
    aad = STREAM_MAGIC + header
    block = chunk + 16
    current = src.read(block)
    counter = 0
    while True:
        nxt = src.read(block) if len(current) == block else b""
        final = not nxt
        try:
            plain = aes.decrypt(_stream_nonce(prefix, counter, final), current, aad)
        except InvalidTag:
            raise DecryptionError(f"the archive does not decrypt at chunk {counter}: a wrong passphrase, or the "
                                  "archive was damaged or truncated") from None
        yield plain
        if final:
            return
        current, counter = nxt, counter + 1
