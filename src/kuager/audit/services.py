"""Writing and verifying the audit log.

Every service that creates, updates, deletes, merges, unmerges, exports or
shows a confidential record calls :func:`record` inside its own transaction, so
an entry exists exactly when the change does. Logins and logouts are recorded
from Django's auth signals.

Chain: entry *n* stores ``prev_hash`` = hash of entry *n-1* (``"0" * 64`` for
the first) and ``hash = SHA-256(prev_hash || "\\n" || canonical JSON of seq, at,
actor, action, object type and key, old, new)`` (canonical: sorted keys, no
spaces, UTF-8). :func:`verify` walks the chain and reports the first broken
link. After each commit the head (last seq and hash) is also written to
``$KUAGER_HOME/audit/head.json``, outside the database, so that deleting the
newest entries is noticed too. Someone who can rewrite the database *and* that
file can rebuild a consistent chain; keep the printed head hash of
``kuager audit verify`` somewhere else (a notebook, an e-mail) to detect that.

Confidential values: the values of encrypted columns (testifier identity,
testimony texts, appeal senders, source texts) never enter the log; they are
replaced with ``"[confidential]"`` and the entry lists which fields changed.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from django.db import transaction

from kuager.paths import kuager_home

GENESIS = "0" * 64
MASK = "[confidential]"

#: Keys whose values never enter the log: the encrypted columns, as they appear in snapshots.
CONFIDENTIAL_KEY = re.compile(
    r"(^|\.)(testifier\.(name|residence|contact)|name_index|original_text|notes|sender|contact|residence|text)$")

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("kuager_audit_actor", default=None)


def default_actor() -> str:
    """The actor when none is set: ``os:<login name>`` of the process (the CLI user)."""
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in some containers
        return f"os:uid-{os.getuid()}"


@contextlib.contextmanager
def acting_as(actor: str):
    """Attribute the entries recorded inside the block to ``actor`` (e.g. a web user's name)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> str:
    return _actor.get() or default_actor()


def actor_of(user) -> str | None:
    """``web:<username>`` for an authenticated Django user, else None (then the current actor is used)."""
    if getattr(user, "is_authenticated", False):
        return f"web:{user.get_username()}"
    return None


def _jsonable(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (tuples become lists, dates text)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def mask(values: dict | None, confidential=CONFIDENTIAL_KEY, also: frozenset = frozenset()) -> dict | None:
    """A copy of ``values`` with every confidential key's value replaced by ``"[confidential]"``.

    A key is confidential when it matches ``confidential`` or is in ``also``.
    Empty values stay empty (that a contact is missing is not secret).
    """
    if values is None:
        return None
    return {k: (MASK if (confidential.search(k) or k in also) and v not in ("", None) else v)
            for k, v in values.items()}


def _encrypted_field_names(obj) -> frozenset:
    meta = getattr(obj, "_meta", None)
    if meta is None:
        return frozenset()
    from kuager.records.fields import EncryptedTextField

    return frozenset(f.name for f in meta.concrete_fields if isinstance(f, EncryptedTextField))


def _timestamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, object_type: str,
               object_key: str, old: Any, new: Any) -> str:
    """SHA-256 (hex) of ``prev_hash``, a newline and the canonical JSON of the entry's fields."""
    payload = {"seq": seq, "at": _timestamp(at), "actor": actor, "action": action, "object_type": object_type,
               "object_key": object_key, "old": old, "new": new}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode("utf-8")).hexdigest()


def _describe(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return str(obj[0]), str(obj[1])
    if isinstance(obj, str):
        return obj, ""
    for attr in ("key", "number", "public_id"):
        v = getattr(obj, attr, None)
        if isinstance(v, str) and v:
            return obj._meta.label_lower, v
    return obj._meta.label_lower, str(obj.pk)


def anchor_path() -> Path:
    """``$KUAGER_HOME/audit/head.json``: the last committed entry, outside the database."""
    return kuager_home() / "audit" / "head.json"


def _write_anchor(seq: int, h: str, force: bool = False) -> None:
    path = anchor_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not force and json.loads(path.read_text(encoding="utf-8"))["seq"] >= seq:
                return  # another process already anchored a later entry
        except (OSError, ValueError, KeyError, TypeError):
            pass
        tmp = path.with_name(f".head.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"seq": seq, "hash": h}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # the anchor is a second line of defence; the log itself is committed


def record(action: str, obj=None, old: dict | None = None, new: dict | None = None, *,
           actor: str | None = None, confidential=CONFIDENTIAL_KEY):
    """Append one entry to the audit log (in the caller's transaction).

    Args:
        action: ``create``, ``update``, ``delete``, ``merge``, ``unmerge``,
            ``import``, ``export``, ``report``, ``login``, ``view_confidential``...
        obj: the record: a model instance (its ``key``/``number``/``public_id``
            or pk names it), a ``(type, key)`` tuple, a type name, or None.
        old, new: the values before and after (JSON-able dicts; tuples become
            lists, other values text). Keys matching ``confidential`` are
            masked, and so are the encrypted fields of a model ``obj``; when both are given, ``changed`` lists the keys that differ.
        actor: who; by default the one set with :func:`acting_as`, else the OS user.

    Returns:
        The new :class:`~kuager.audit.models.AuditEntry`.
    """
    from kuager.audit.models import AuditEntry, AuditHead

    object_type, object_key = _describe(obj)
    old_j, new_j = _jsonable(old), _jsonable(new)
    if isinstance(old_j, dict) and isinstance(new_j, dict):
        changed = sorted(k for k in set(old_j) | set(new_j) if old_j.get(k) != new_j.get(k))
        new_j = {**new_j, "changed": changed} if "changed" not in new_j else new_j
    also = _encrypted_field_names(obj)
    old_j = mask(old_j, confidential, also) if isinstance(old_j, dict) else old_j
    new_j = mask(new_j, confidential, also) if isinstance(new_j, dict) else new_j
    actor = (actor or current_actor())[:200]
    now = datetime.now(timezone.utc)
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # milliseconds survive every serialiser
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        seq = head.seq + 1
        h = entry_hash(head.hash, seq, at, actor, action, object_type, object_key[:300], old_j, new_j)
        entry = AuditEntry.objects.create(seq=seq, at=at, actor=actor, action=action, object_type=object_type,
                                          object_key=object_key[:300], old=old_j, new=new_j, prev_hash=head.hash,
                                          hash=h)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=h)
        transaction.on_commit(lambda: _write_anchor(seq, h))
    return entry


@dataclass
class VerifyResult:
    """The outcome of :func:`verify`.

    Attributes:
        ok: True when the chain is whole.
        entries: how many entries were checked.
        head_seq, head_hash: the last entry (0 and the genesis hash when empty).
        broken_seq: the seq of the first broken link, or None.
        problem: what is wrong there, in words.
    """

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.entries} audit entries, chain whole; head #{self.head_seq} {self.head_hash}"
        return f"BROKEN at entry {self.broken_seq}: {self.problem}"


def verify(check_anchor: bool = True) -> VerifyResult:
    """Walk the chain in ``seq`` order and report the first broken link.

    Args:
        check_anchor: also compare with the anchor file outside the database
            (off only while a restore replaces the log).

    Detects: an altered entry (its hash no longer matches its content), a
    deleted entry (a gap in ``seq``, or a ``prev_hash`` that does not match), a
    reordered one (``prev_hash`` or content mismatch), entries deleted from the
    end (the head row or the anchor file outside the database is ahead).
    Reads the rows with raw SQL, so nothing in the ORM can hide a row.
    """
    from django.db import connection

    from kuager.audit.models import AuditEntry, AuditHead

    fields = ["id", "seq", "at", "actor", "action", "object_type", "object_key", "old", "new", "prev_hash", "hash"]
    prev, expected, n = GENESIS, 1, 0
    qs = AuditEntry.objects.order_by("seq", "id").values_list(*fields)
    for row in qs.iterator(chunk_size=1000):
        _, seq, at, actor, action, otype, okey, old, new, prev_hash, h = row
        n += 1
        if seq != expected:
            problem = (f"entry {expected} is missing (the next entry is {seq})" if seq > expected
                       else f"entry {seq} appears again or out of order")
            return VerifyResult(False, n, expected - 1, prev, expected if seq > expected else seq, problem)
        if prev_hash != prev:
            return VerifyResult(False, n, seq - 1, prev, seq,
                                f"its prev_hash does not match entry {seq - 1}: entries were deleted or reordered")
        if entry_hash(prev_hash, seq, at, actor, action, otype, okey, old, new) != h:
            return VerifyResult(False, n, seq - 1, prev, seq, "its content does not match its hash: it was altered")
        prev, expected = h, expected + 1
    last = expected - 1
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    if head and (head[0] != last or (last and head[1] != prev)):
        return VerifyResult(False, n, last, prev, last + 1 if head[0] > last else head[0],
                            f"the log ends at entry {last} but its head row says entry {head[0]}: "
                            "entries were deleted from the end or the head was altered")
    try:
        anchor = json.loads(anchor_path().read_text(encoding="utf-8")) if check_anchor else None
        a_seq, a_hash = int(anchor["seq"]), str(anchor["hash"])
    except (OSError, ValueError, KeyError, TypeError):
        a_seq = None
    if a_seq is not None:
        if a_seq > last:
            return VerifyResult(False, n, last, prev, last + 1,
                                f"the anchor file {anchor_path()} says entry {a_seq} was committed, but the log ends "
                                f"at entry {last}: entries were deleted from the end")
        at_anchor = AuditEntry.objects.filter(seq=a_seq).values_list("hash", flat=True).first()
        if a_seq and at_anchor != a_hash:
            return VerifyResult(False, n, last, prev, a_seq,
                                f"entry {a_seq} differs from the one the anchor file recorded: the log was rewritten")
    return VerifyResult(True, n, last, prev)
