"""Encrypted backups: one archive with the database, the files, the audit log and a manifest of hashes.

Archive (``kuager backup OUT``): a tar stream, encrypted as it is written by
:class:`kuager.protection.crypto.EncryptingWriter` (AES-256-GCM in 1 MiB chunks
under a key derived from a passphrase with scrypt, RFC 7914). Members, in order:

- ``db.json``: every table as Django serialised objects (``dumpdata`` in Django's JSON, times to the
  microsecond (:mod:`kuager.records.exact_json`), with
  natural keys; sessions, content types and permissions left out). Encrypted
  columns are written decrypted, so the archive does not depend on the key
  file: the archive's passphrase is what protects it, and a restore re-encrypts
  with the restoring instance's key.
- ``audit.jsonl``: the audit log, one entry per line (it is in ``db.json``
  too; this copy can be checked without Kuager).
- ``files/evidence/...`` and ``files/media/...``: held evidence (originals and
  derived copies) and uploaded media, byte for byte.
- ``manifest.json`` (last): format, time, and SHA-256 and size of every other
  member, record counts, the audit head.

Restore (``kuager restore IN``) reads the whole archive first: it decrypts and
authenticates every chunk, hashes every member against the manifest, refuses
unknown or unsafe member names, and checks the audit chain in ``audit.jsonl``
(evidence files are encrypted with their own keys; ``kuager evidence verify``
rechecks them against their plaintext hashes after a restore). Only then does it write
anything: files into place (content-addressed, so extra files are harmless),
then the database in one transaction. It refuses a database that already holds
records unless ``replace`` is given (which empties it first).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

import kuager
from kuager.errors import KuagerError
from kuager.paths import kuager_home
from kuager.protection.crypto import DecryptionError, EncryptingWriter, decrypt_stream

FORMAT = "kuager-backup"
MIN_PASSPHRASE = 12
EXCLUDE = ["contenttypes", "auth.permission", "sessions"]
MEMORY_MEMBERS = ("db.json", "audit.jsonl", "manifest.json")


def passphrase_from(file: str | None = None) -> bytes:
    """The backup passphrase: the first line of ``file``, else ``$KUAGER_BACKUP_PASSPHRASE``.

    Raises:
        KuagerError: none given, or shorter than 12 characters.
    """
    if file:
        text = Path(file).read_text(encoding="utf-8").splitlines()
        value = text[0] if text else ""
    else:
        value = os.environ.get("KUAGER_BACKUP_PASSPHRASE", "")
    if not value:
        raise KuagerError("no passphrase: give --passphrase-file FILE or set KUAGER_BACKUP_PASSPHRASE")
    if len(value) < MIN_PASSPHRASE:
        raise KuagerError(f"the passphrase is shorter than {MIN_PASSPHRASE} characters")
    return value.encode("utf-8")


def _file_roots() -> dict[str, Path]:
    from kuager.records.services.evidence import evidence_root

    return {"files/evidence": evidence_root(), "files/media": Path(settings.MEDIA_ROOT)}


def _held_files() -> list[tuple[str, Path]]:
    out = []
    for prefix, root in _file_roots().items():
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and not p.is_symlink() and rel.parts[0] != "tmp":
                out.append((f"{prefix}/{rel.as_posix()}", p))
    return out


def _dump_db() -> bytes:
    buf = io.StringIO()
    # Django's JSON with times to the microsecond (plain "json" cuts them to milliseconds)
    serializers.register_serializer("kuager-json", "kuager.records.exact_json")
    call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=EXCLUDE, use_base_manager=True,
                 format="kuager-json", indent=None, stdout=buf)
    return buf.getvalue().encode("utf-8")


def _audit_lines() -> bytes:
    from kuager.audit.models import AuditEntry

    lines = []
    for e in AuditEntry.objects.order_by("seq").values("seq", "at", "actor", "action", "object_type", "object_key",
                                                       "old", "new", "prev_hash", "hash"):
        e["at"] = e["at"].astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True))
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


@dataclass
class BackupReport:
    """What a backup wrote: the archive, its members' count and bytes, record counts."""

    path: Path
    members: int
    plain_bytes: int
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        records = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()) if n)
        return f"{self.path}: {self.members} members, {self.plain_bytes} bytes before encryption ({records})"


def backup(out: str | Path, passphrase: bytes) -> BackupReport:
    """Write one encrypted archive of this instance (see the module docstring).

    Args:
        out: the archive path; written to a temporary name and renamed, mode 0600.
        passphrase: at least 12 characters (see :func:`passphrase_from`).

    Returns:
        A :class:`BackupReport`.
    """
    from kuager.audit.models import AuditHead
    from kuager.audit.services import record
    from kuager.records import models as m

    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    with transaction.atomic():  # one consistent picture (a snapshot on PostgreSQL, a read lock on SQLite)
        db = _dump_db()
        audit_lines = _audit_lines()
        head = AuditHead.objects.filter(pk=1).values("seq", "hash").first() or {"seq": 0, "hash": "0" * 64}
        counts = {mdl._meta.label: mdl._base_manager.count() for mdl in apps.get_models()
                  if mdl._meta.app_label in ("records", "audit")}
    files = _held_files()
    manifest = {"format": FORMAT, "version": 1, "kuager": kuager.__version__,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": connection.vendor, "counts": counts, "audit_head": head, "members": {}}
    total = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, EncryptingWriter(raw, passphrase) as enc:
            with tarfile.open(fileobj=enc, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                def add(name: str, data: bytes | None = None, path: Path | None = None) -> None:
                    nonlocal total
                    h = hashlib.sha256()
                    if data is not None:
                        h.update(data)
                        size = len(data)
                    else:
                        with path.open("rb") as f:
                            for chunk in iter(lambda: f.read(1 << 20), b""):
                                h.update(chunk)
                        size = path.stat().st_size
                    info = tarfile.TarInfo(name)
                    info.size, info.mode, info.mtime = size, 0o600, 0
                    if data is not None:
                        tar.addfile(info, io.BytesIO(data))
                    else:
                        with path.open("rb") as f:
                            tar.addfile(info, f)
                    manifest["members"][name] = {"sha256": h.hexdigest(), "size": size}
                    total += size

                add("db.json", db)
                add("audit.jsonl", audit_lines)
                for name, path in files:
                    add(name, path=path)
                add("manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        for doc in m.Document.objects.exclude(sha256="").order_by("key"):
            m.CustodyEntry.objects.create(document=doc, action=m.CustodyEntry.EXPORT, sha256=doc.sha256,
                                          actor=_actor(), note=f"backup {out.name}")
        record("backup", ("backup", out.name), new={"path": str(out), "members": len(manifest["members"]),
                                                    "audit_head": head, "counts": counts})
    return BackupReport(out, len(manifest["members"]), total, counts)


def _actor() -> str:
    from kuager.audit.services import current_actor

    return current_actor()


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return False
    if name in MEMORY_MEMBERS:
        return True
    return len(p.parts) >= 3 and "/".join(p.parts[:2]) in ("files/evidence", "files/media")


def _members(path: Path, passphrase: bytes):
    """Yield ``(name, TarInfo, file object)`` for each member of a decrypted archive (in order)."""
    class _Reader(io.RawIOBase):
        def __init__(self, chunks):
            self._chunks, self._buf = chunks, b""

        def readable(self):
            return True

        def readinto(self, b):
            while not self._buf:
                try:
                    self._buf = next(self._chunks)
                except StopIteration:
                    return 0
            n = min(len(b), len(self._buf))
            b[:n] = self._buf[:n]
            self._buf = self._buf[n:]
            return n

    with path.open("rb") as f:
        reader = io.BufferedReader(_Reader(decrypt_stream(f, passphrase)), buffer_size=1 << 20)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for info in tar:
                yield info.name, info, (tar.extractfile(info) if info.isfile() else None)
        if reader.read(1):  # nothing may follow the tar end (and this drains the last chunk's tag check)
            raise KuagerError("the archive has data after its end")


def _read_all(fobj, sink=None) -> tuple[str, int, bytes | None]:
    h, size, keep = hashlib.sha256(), 0, [] if sink is None else None
    for chunk in iter(lambda: fobj.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
        if keep is not None:
            keep.append(chunk)
        if sink is not None:
            sink.write(chunk)
    return h.hexdigest(), size, b"".join(keep) if keep is not None else None


@dataclass
class Checked:
    """An archive read and verified in full (nothing written yet)."""

    manifest: dict
    db: bytes
    audit_lines: bytes


def _check_audit_lines(data: bytes) -> None:
    from kuager.audit.services import GENESIS, entry_hash

    prev, expected = GENESIS, 1
    for line in data.decode("utf-8").splitlines():
        e = json.loads(line)
        at = datetime.strptime(e["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        if e["seq"] != expected or e["prev_hash"] != prev or entry_hash(
                prev, e["seq"], at, e["actor"], e["action"], e["object_type"], e["object_key"], e["old"],
                e["new"]) != e["hash"]:
            raise KuagerError(f"the archive's audit log is broken at entry {expected}; not restoring")
        prev, expected = e["hash"], expected + 1


def check_archive(path: str | Path, passphrase: bytes) -> Checked:
    """Read and verify a whole archive without writing anything.

    Raises:
        KuagerError: a wrong passphrase, a damaged, truncated or altered archive,
            a member missing from the manifest or not matching its hash, an
            unsafe member name, or a broken audit chain.
    """
    path = Path(path)
    if not path.is_file():
        raise KuagerError(f"{path}: no such file")
    hashes: dict[str, tuple[str, int]] = {}
    kept: dict[str, bytes] = {}
    try:
        for name, info, fobj in _members(path, passphrase):
            if not info.isfile() or not _safe_name(name) or name in hashes:
                raise KuagerError(f"the archive holds an unexpected member {name!r}; not restoring")
            digest, size, data = _read_all(fobj, sink=None if name in MEMORY_MEMBERS else _Null())
            hashes[name] = (digest, size)
            if name in MEMORY_MEMBERS:
                kept[name] = data
    except DecryptionError as exc:
        raise KuagerError(f"{path}: refused, nothing written: {exc}") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise KuagerError(f"{path}: refused, nothing written: the archive is damaged ({type(exc).__name__})") from None
    try:
        manifest = json.loads(kept["manifest.json"])
        if manifest.get("format") != FORMAT or manifest.get("version") != 1:
            raise ValueError
        listed = manifest["members"]
    except (KeyError, ValueError, TypeError):
        raise KuagerError(f"{path}: refused, nothing written: no valid manifest") from None
    others = {k: v for k, v in hashes.items() if k != "manifest.json"}
    if set(others) != set(listed):
        missing = sorted(set(listed) - set(others))
        extra = sorted(set(others) - set(listed))
        raise KuagerError(f"{path}: refused, nothing written: members missing {missing} or not in the manifest "
                          f"{extra}")
    for name, (digest, size) in sorted(others.items()):
        if listed[name] != {"sha256": digest, "size": size}:
            raise KuagerError(f"{path}: refused, nothing written: {name} does not match the manifest's hash")
    _check_audit_lines(kept["audit.jsonl"])
    return Checked(manifest, kept["db.json"], kept["audit.jsonl"])


class _Null:
    def write(self, b):
        return len(b)


def _has_records() -> bool:
    from django.contrib.auth import get_user_model

    models = [mdl for mdl in apps.get_models() if mdl._meta.app_label in ("records", "audit")]
    return get_user_model().objects.exists() or any(mdl._base_manager.exists() for mdl in models)


@dataclass
class RestoreReport:
    """What a restore wrote: objects loaded, files written, the audit head restored."""

    objects: int
    files: int
    audit_head: dict

    def summary(self) -> str:
        return (f"restored {self.objects} records and {self.files} files; audit log head "
                f"#{self.audit_head['seq']} {self.audit_head['hash']}")


def restore(path: str | Path, passphrase: bytes, *, replace: bool = False, prepare: bool = False) -> RestoreReport:
    """Verify an archive in full, then restore it (see the module docstring).

    Args:
        path: the archive.
        passphrase: the passphrase it was made with.
        replace: empty a database that holds records first (otherwise refused).
        prepare: once the archive is verified, create the data directory, key
            file and database if needed (:func:`~kuager.records.services.setup.initialise`),
            so ``kuager restore`` works on a new machine without ``kuager init``.

    Returns:
        A :class:`RestoreReport`.

    Raises:
        KuagerError: the archive is refused (:func:`check_archive`; nothing is
            written), or the database holds records and ``replace`` is False.
    """
    from kuager.audit import services as audit
    from kuager.protection.keys import rebuild_blind_indexes

    path = Path(path)
    checked = check_archive(path, passphrase)
    if prepare:
        from kuager.records.services.setup import initialise

        initialise()
    if not replace and _has_records():
        raise KuagerError("the database already holds records; restore into a fresh `kuager init`, or give "
                          "--replace to empty it first (nothing was written)")
    # Files: a second pass, each member hashed again as it is written to a staging folder.
    staging = kuager_home() / f".restore-{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700, parents=True)
    written = []
    try:
        listed = checked.manifest["members"]
        for name, info, fobj in _members(path, passphrase):
            if name in MEMORY_MEMBERS:
                _read_all(fobj, sink=_Null())
                continue
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                digest, size, _ = _read_all(fobj, sink=out)
            if listed.get(name) != {"sha256": digest, "size": size}:
                raise KuagerError(f"{path}: {name} changed between the check and the restore; nothing restored")
            written.append(name)
        roots = _file_roots()
        for name in written:
            prefix = "/".join(name.split("/")[:2])
            dest = roots[prefix] / name[len(prefix) + 1:]
            dest.parent.mkdir(parents=True, exist_ok=True)
            for p in (dest.parent, *dest.parents):
                if p == roots[prefix].parent:
                    break
                if prefix == "files/evidence":
                    p.chmod(0o700)
            if prefix == "files/evidence" and dest.exists():
                continue  # content-addressed: the same name holds the same bytes (verify checks)
            os.replace(staging / name, dest)
            if prefix == "files/evidence":
                dest.chmod(0o400)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with transaction.atomic():
        if replace:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:  # fire deferred checks so TRUNCATE may run in this transaction
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            call_command("flush", interactive=False, verbosity=0)
        n = 0
        loaded_models = set()
        for obj in serializers.deserialize("json", checked.db, handle_forward_references=True):
            obj.save()
            loaded_models.add(type(obj.object))
            n += 1
        sql = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
        if sql:
            with connection.cursor() as cur:
                for stmt in sql:
                    cur.execute(stmt)
        rebuild_blind_indexes()
        head = checked.manifest["audit_head"]
        result = audit.verify(check_anchor=False)
        if not result.ok:
            raise KuagerError(f"after loading, the audit log is broken: {result.summary()}")
        entry = audit.record("restore", ("backup", path.name), new={
            "archive": str(path.resolve()), "restored_head": head, "records": n, "files": len(written)})
        transaction.on_commit(lambda: audit._write_anchor(entry.seq, entry.hash, force=True))
    return RestoreReport(n, len(written), head)
