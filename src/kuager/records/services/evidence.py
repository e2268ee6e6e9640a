"""Evidence custody: files kept by their SHA-256 at intake, originals untouched, every access logged.

Follows the Berkeley Protocol on Digital Open Source Investigations (OHCHR and
UC Berkeley, 2022), chapter VI (preservation: hash at collection, keep the
original unaltered, record the chain of custody) and eyeWitness to Atrocities
practice:

- **Intake** (:func:`add_evidence`): the bytes are hashed (SHA-256), then
  encrypted as they are copied in; the original is stored at
  ``$KUAGER_HOME/evidence/originals/<sha256[:2]>/<sha256>``, read-only (0400,
  folders 0700), never overwritten and never modified. The same bytes are stored
  once, whatever testimony they come with.
- **Derivation**: an image gets a derived copy made from its pixels only (EXIF,
  GPS, XMP, comments and ICC profiles are not carried over; orientation is
  applied first so the picture stays upright) at
  ``$KUAGER_HOME/evidence/derived/<sha256[:2]>/<sha256 of the original>`` (JPEG,
  or PNG for PNG originals and images with transparency). Pages show
  the derived copy; originals are outside every folder the web server serves.
  Other files (PDF, audio...) get no derived copy and are never shown publicly.
- **Custody**: each intake, derivation, access, verification and export is a
  :class:`~kuager.records.models.CustodyEntry` with the hash of the bytes
  concerned at that moment, and an audit-log entry.
- **Verification** (:func:`verify_all`, ``kuager evidence verify``): every
  original and derived file is hashed again and compared.

Encryption: held files are encrypted on disk (AES-256-GCM in 1 MiB chunks,
:class:`kuager.protection.crypto.EncryptingWriter`) with a per-file key,
HMAC-SHA256(index key, SHA-256 of the plaintext), kept in ``Document.file_key``
(an encrypted column, so ``kuager keys rotate`` re-wraps it). Hashes are always
of the plaintext; "byte for byte" means the decrypted original equals the bytes
taken in. Files kept in clear by an earlier version still read and verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from kuager.errors import KuagerError
from kuager.paths import kuager_home
from kuager.records import models as m

#: Largest file accepted at intake (bytes).
MAX_BYTES = 2 * 1024 ** 3
#: Images bigger than this many pixels are kept but not derived (decompression bombs).
MAX_PIXELS = 80_000_000


def evidence_root() -> Path:
    """``$KUAGER_HOME/evidence``."""
    return kuager_home() / "evidence"


def original_path(sha256: str) -> Path:
    """Where the original with this hash is kept."""
    return evidence_root() / "originals" / sha256[:2] / sha256


def derived_path(doc: m.Document) -> Path | None:
    """The derived (shown) copy of a document, or None when it has none."""
    if not doc.derived_sha256:
        return None
    return evidence_root() / "derived" / doc.sha256[:2] / doc.sha256


def _mkdirs(path: Path) -> None:
    for p in reversed([path, *path.parents]):
        if p == evidence_root().parent or not str(p).startswith(str(evidence_root())):
            continue
        p.mkdir(exist_ok=True)
        p.chmod(0o700)


def sha256_file(path: Path) -> str:
    """The SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _actor(actor: str | None) -> str:
    from kuager.audit.services import current_actor

    return (actor or current_actor())[:200]


def _custody(doc: m.Document, action: str, actor: str, sha256: str, note: str = "") -> m.CustodyEntry:
    from kuager.audit.services import record

    entry = m.CustodyEntry.objects.create(document=doc, action=action, actor=actor, sha256=sha256, note=note[:500])
    record(f"evidence_{action}", doc, new={"sha256": sha256, "note": note[:500]}, actor=actor)
    return entry


def _media_type(head: bytes, data: bytes | None) -> str:
    """The media type from the bytes (magic numbers, then Pillow for images), never from the name."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if data is None:
        return "application/octet-stream"
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
        return Image.MIME.get(fmt, "application/octet-stream")
    except Exception:  # noqa: BLE001 - not an image Pillow reads
        return "application/octet-stream"


IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
#: Images up to this size are decrypted in memory to be derived.
MAX_IMAGE_BYTES = 200 * 1024 ** 2


def _looks_like_image(head: bytes) -> bool:
    return head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def file_key_candidates(sha256: str) -> list[bytes]:
    """The keys a held file with this hash may be encrypted with (see :func:`_file_key`)."""
    from kuager.protection.crypto import load_keyring

    ring = load_keyring()
    keys = [base64.b64decode(k) for k in m.Document.objects.filter(sha256=sha256, file_key__isnull=False)
            .values_list("file_key", flat=True) if k]
    keys += [hmac.new(ik, f"kuager-evidence-file|{sha256}".encode(), hashlib.sha256).digest()
             for _, ik in sorted(ring.index_keys.items(), key=lambda kv: kv[0] != ring.active_index)]
    return list(dict.fromkeys(keys))


def _file_key(sha256: str) -> bytes:
    """The key a new held file is encrypted with: HMAC-SHA256(active index key, its hash).

    Derived from the content, so the same bytes taken in twice (or left behind by
    a rolled-back intake) need no lookup; kept per document in
    ``Document.file_key`` (an encrypted column), so rotations re-wrap it.
    """
    from kuager.protection.crypto import load_keyring

    ring = load_keyring()
    return hmac.new(ring.index_keys[ring.active_index], f"kuager-evidence-file|{sha256}".encode(),
                    hashlib.sha256).digest()


def _decrypted_chunks(path: Path, key: bytes | None):
    from kuager.protection.crypto import decrypt_stream

    with path.open("rb") as f:
        if key is None:  # a file kept before evidence was encrypted
            yield from iter(lambda: f.read(1 << 20), b"")
        else:
            yield from decrypt_stream(f, key=key)


def held_sha256(path: Path, key: bytes | None) -> str:
    """SHA-256 of a held file's plaintext.

    Raises:
        kuager.protection.crypto.DecryptionError: the file does not decrypt (altered or truncated).
    """
    h = hashlib.sha256()
    for chunk in _decrypted_chunks(path, key):
        h.update(chunk)
    return h.hexdigest()


def read_held(path: Path, key: bytes | None) -> bytes:
    """A held file's plaintext, authenticated (raises DecryptionError when altered)."""
    return b"".join(_decrypted_chunks(path, key))


def _key_of(doc: m.Document) -> bytes | None:
    return base64.b64decode(doc.file_key) if doc.file_key else None


def _write_encrypted(dest: Path, chunks, key: bytes) -> None:
    """Write ``chunks`` encrypted under ``key`` to a temporary file, then link it to ``dest`` (never replaced)."""
    from kuager.protection.crypto import EncryptingWriter

    _mkdirs(dest.parent)
    tmp = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            with EncryptingWriter(out, key=key) as enc:
                for chunk in chunks:
                    enc.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o400)
        try:
            os.link(tmp, dest)  # fails rather than overwrite
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def _store_original(src: BinaryIO) -> tuple[str, int, bytes, bytes | None, bytes | None]:
    """Hash ``src``, then keep it encrypted in the originals store.

    Returns:
        ``(sha256, size, first 16 bytes, key, plaintext if it may be an image to derive else None)``;
        ``key`` is None only for a file kept in clear before evidence was encrypted.
    """
    if not (hasattr(src, "seekable") and src.seekable()):
        src = io.BytesIO(src.read(MAX_BYTES + 1))
    start = src.tell()
    h, size, head = hashlib.sha256(), 0, b""
    for chunk in iter(lambda: src.read(1 << 20), b""):
        size += len(chunk)
        if size > MAX_BYTES:
            raise KuagerError(f"the file is larger than {MAX_BYTES // 1024 ** 2} MiB")
        head = head or chunk[:16]
        h.update(chunk)
    sha = h.hexdigest()
    keep = _looks_like_image(head) and size <= MAX_IMAGE_BYTES
    dest = original_path(sha)
    if dest.exists():
        for key in [*file_key_candidates(sha), None]:
            try:
                if held_sha256(dest, key) == sha:
                    return sha, size, head, key, (read_held(dest, key) if keep else None)
            except Exception:  # noqa: BLE001 - not this key
                continue
        raise KuagerError(f"the stored original {sha} no longer matches its hash; run `kuager evidence "
                          "verify` and restore it from a backup before adding it again")
    key = _file_key(sha)
    src.seek(start)
    h2, kept = hashlib.sha256(), []

    def chunks():
        for chunk in iter(lambda: src.read(1 << 20), b""):
            h2.update(chunk)
            if keep:
                kept.append(chunk)
            yield chunk

    _write_encrypted(dest, chunks(), key)
    if h2.hexdigest() != sha:
        raise KuagerError("the file changed while it was being taken in; take it in again")
    return sha, size, head, key, (b"".join(kept) if keep else None)


def _derive(doc: m.Document, data: bytes | None, actor: str) -> None:
    """Make the derived copy of an image (pixels only), keep it encrypted, and record it."""
    if data is None or not doc.media_type.startswith("image/"):
        return
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                return
            img = ImageOps.exif_transpose(img)
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            clean = Image.frombytes(img.mode, img.size, img.tobytes())  # a new image: pixels, no metadata
    except Exception:  # noqa: BLE001 - an image Pillow cannot decode: kept, not shown
        return
    png = doc.media_type == "image/png" or clean.mode in ("RGBA", "LA")
    buf = io.BytesIO()
    if png:
        clean.save(buf, format="PNG")
    else:
        clean.save(buf, format="JPEG", quality=90)
    out = buf.getvalue()
    sha = hashlib.sha256(out).hexdigest()
    doc.derived_sha256 = sha
    path = derived_path(doc)
    key = _key_of(doc) or _file_key(doc.sha256)
    if path.exists():
        try:
            ok = held_sha256(path, key) == sha
        except Exception:  # noqa: BLE001
            ok = False
        if not ok:
            os.chmod(path, 0o600)
            path.unlink()  # a derived copy is remade from the original; the original is never touched
    if not path.exists():
        _write_encrypted(path, [out], key)
    doc.save(update_fields=["derived_sha256", "updated_at"])
    _custody(doc, m.CustodyEntry.DERIVE, actor, sha, f"pixels only (EXIF, GPS and other metadata removed) from "
                                                      f"original {doc.sha256}; {clean.width}x{clean.height}")


def add_evidence(testimony: m.Testimony, file: str | Path | BinaryIO, *, kind: str = "other",
                 description: str = "", original_name: str | None = None, mention: m.Mention | None = None,
                 actor: str | None = None) -> m.Document:
    """Take a file in as evidence for a testimony.

    Args:
        testimony: the testimony it comes with.
        file: a path, or a binary file object (an upload), read once.
        kind: ``id_copy``, ``passport_copy``, ``photo``, ``letter`` or ``other``.
        description: what it is, in words.
        original_name: the file's name as received (default: the path's name);
            stored encrypted.
        mention: the person it concerns, if one.
        actor: who takes it in (default: the audit actor).

    Returns:
        The :class:`~kuager.records.models.Document` (key ``<testimony>/file-<sha256[:12]>``);
        the same bytes added again to the same testimony return the existing one.

    Raises:
        KuagerError: the file is missing or too large, or the stored copy of the
            same bytes is damaged.
    """
    actor = _actor(actor)
    if isinstance(file, (str, Path)):
        path = Path(file)
        if not path.is_file():
            raise KuagerError(f"{path}: no such file")
        name = original_name if original_name is not None else path.name
        with path.open("rb") as f:
            sha, size, head, fkey, data = _store_original(f)
    else:
        name = original_name or getattr(file, "name", "") or ""
        sha, size, head, fkey, data = _store_original(file)
    key = f"{testimony.number}/file-{sha[:12]}"
    with transaction.atomic():
        doc = m.Document.objects.filter(key=key).first()
        if doc is not None:
            return doc
        doc = m.Document.objects.create(
            key=key, testimony=testimony, mention=mention, kind=kind, description=description,
            original_name=Path(str(name)).name[:300], sha256=sha, size=size,
            media_type=_media_type(head, data), file_key=base64.b64encode(fkey).decode() if fkey else None)
        _custody(doc, m.CustodyEntry.INTAKE, actor, sha, f"{size} bytes, {doc.media_type}")
        _derive(doc, data, actor)
    return doc


def open_evidence(doc: m.Document, *, original: bool = False, actor: str | None = None,
                  purpose: str = "") -> BinaryIO:
    """Open a held file for reading and record the access in its chain of custody.

    Args:
        doc: a held document.
        original: the original bytes (for investigators; never for public pages);
            by default the derived copy, or the original when there is none.
        actor: who reads it; purpose: why (stored in the custody note).

    Returns:
        A binary file object (the caller closes it).

    Raises:
        KuagerError: the document holds no file, or the file is missing.
    """
    if not doc.held:
        raise KuagerError(f"document {doc.key} holds no file")
    derived = None if original else derived_path(doc)
    path, sha = (derived, doc.derived_sha256) if derived else (original_path(doc.sha256), doc.sha256)
    if not path.is_file():
        raise KuagerError(f"document {doc.key}: the file is missing; run `kuager evidence verify`")
    which = "derived copy" if derived else "original"
    try:
        data = read_held(path, _key_of(doc))
    except Exception:  # noqa: BLE001 - altered bytes do not decrypt
        raise KuagerError(f"document {doc.key}: the {which} is damaged; run `kuager evidence verify`") from None
    _custody(doc, m.CustodyEntry.ACCESS, _actor(actor), sha, f"{which}{': ' + purpose if purpose else ''}")
    return io.BytesIO(data)


@dataclass
class VerifyReport:
    """What :func:`verify_all` found: documents checked and the problems (empty when all is well)."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.checked} held files, every original and derived copy matches its hash"
        return "\n".join([f"{len(self.problems)} problem(s) in {self.checked} held files:"] +
                         [f"  {p}" for p in self.problems])


def verify_all(actor: str | None = None) -> VerifyReport:
    """Hash every held original and derived copy again; record a ``verify`` custody entry for each document.

    Returns:
        A :class:`VerifyReport` naming each missing or changed file by document key and hash.
    """
    actor = _actor(actor)
    report = VerifyReport()
    for doc in m.Document.objects.exclude(sha256="").order_by("key"):
        report.checked += 1
        notes = []
        fkey = _key_of(doc)
        orig = original_path(doc.sha256)
        got = ""
        if not orig.is_file():
            notes.append(f"{doc.key}: original {doc.sha256} is missing")
        else:
            try:
                got = held_sha256(orig, fkey)
                if got != doc.sha256:
                    notes.append(f"{doc.key}: original {doc.sha256} has changed (now {got})")
            except Exception:  # noqa: BLE001 - DecryptionError: altered or truncated ciphertext
                notes.append(f"{doc.key}: original {doc.sha256} has changed (it no longer decrypts)")
        if doc.derived_sha256:
            d = derived_path(doc)
            if d is None or not d.is_file():
                notes.append(f"{doc.key}: derived copy {doc.derived_sha256} is missing")
            else:
                try:
                    same = held_sha256(d, fkey) == doc.derived_sha256
                except Exception:  # noqa: BLE001
                    same = False
                if not same:
                    notes.append(f"{doc.key}: derived copy {doc.derived_sha256} has changed")
        report.problems += notes
        _custody(doc, m.CustodyEntry.VERIFY, actor, got, "; ".join(notes) or "original and derived copy match")
    return report
