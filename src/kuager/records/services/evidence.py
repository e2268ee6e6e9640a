"""Evidence custody: files kept by their SHA-256 at intake, originals untouched, every access logged.

Follows the Berkeley Protocol on Digital Open Source Investigations (OHCHR and
UC Berkeley, 2022), chapter VI (preservation: hash at collection, keep the
original unaltered, record the chain of custody) and eyeWitness to Atrocities
practice:

- **Intake** (:func:`add_evidence`): the bytes are hashed (SHA-256) while they
  are copied in; the original is stored at
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

Files are not encrypted on disk (see docs/protection.md, "Left to do").
"""

from __future__ import annotations

import hashlib
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


def _media_type(path: Path, name: str) -> str:
    """The media type from the bytes (Pillow for images, magic numbers for PDF), not from the name."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        from PIL import Image

        with Image.open(path) as img:
            fmt = img.format
        return Image.MIME.get(fmt, "application/octet-stream")
    except Exception:  # noqa: BLE001 - not an image Pillow reads
        return "application/octet-stream"


def _store_original(src: BinaryIO) -> tuple[str, int]:
    """Copy ``src`` into the originals store, hashing as it goes; returns ``(sha256, size)``."""
    tmp_dir = evidence_root() / "tmp"
    _mkdirs(tmp_dir)
    tmp = tmp_dir / f"intake-{secrets.token_hex(8)}"
    h, size = hashlib.sha256(), 0
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise KuagerError(f"the file is larger than {MAX_BYTES // 1024 ** 2} MiB")
                h.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = h.hexdigest()
        dest = original_path(sha)
        _mkdirs(dest.parent)
        if dest.exists():
            if sha256_file(dest) != sha:
                raise KuagerError(f"the stored original {sha} no longer matches its hash; run `kuager evidence "
                                  "verify` and restore it from a backup before adding it again")
        else:
            os.chmod(tmp, 0o400)
            os.link(tmp, dest)  # fails rather than overwrite if another process stored it meanwhile
        return sha, size
    except FileExistsError:
        return h.hexdigest(), size
    finally:
        tmp.unlink(missing_ok=True)


def _derive(doc: m.Document, actor: str) -> None:
    """Make the derived copy of an image (pixels only) and record it."""
    if not doc.media_type.startswith("image/"):
        return
    from PIL import Image, ImageOps

    src = original_path(doc.sha256)
    try:
        with Image.open(src) as img:
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
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    doc.derived_sha256 = sha
    path = derived_path(doc)
    _mkdirs(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o400)
    os.replace(tmp, path)
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
            sha, size = _store_original(f)
    else:
        name = original_name or getattr(file, "name", "") or ""
        sha, size = _store_original(file)
    key = f"{testimony.number}/file-{sha[:12]}"
    with transaction.atomic():
        doc = m.Document.objects.filter(key=key).first()
        if doc is not None:
            return doc
        doc = m.Document.objects.create(
            key=key, testimony=testimony, mention=mention, kind=kind, description=description,
            original_name=Path(str(name)).name[:300], sha256=sha, size=size,
            media_type=_media_type(original_path(sha), str(name)))
        _custody(doc, m.CustodyEntry.INTAKE, actor, sha, f"{size} bytes, {doc.media_type}")
        _derive(doc, actor)
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
    _custody(doc, m.CustodyEntry.ACCESS, _actor(actor), sha, f"{which}{': ' + purpose if purpose else ''}")
    return path.open("rb")


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
        orig = original_path(doc.sha256)
        if not orig.is_file():
            notes.append(f"{doc.key}: original {doc.sha256} is missing")
            got = ""
        else:
            got = sha256_file(orig)
            if got != doc.sha256:
                notes.append(f"{doc.key}: original {doc.sha256} has changed (now {got})")
        if doc.derived_sha256:
            d = derived_path(doc)
            if d is None or not d.is_file():
                notes.append(f"{doc.key}: derived copy {doc.derived_sha256} is missing")
            elif sha256_file(d) != doc.derived_sha256:
                notes.append(f"{doc.key}: derived copy {doc.derived_sha256} has changed")
        report.problems += notes
        _custody(doc, m.CustodyEntry.VERIFY, actor, got, "; ".join(notes) or "original and derived copy match")
    return report
