"""Results the pages reuse until the data changes: ordered victim ids, counts, filter menus, review pairs.

Some questions cost 0.1-2 s of SQL at 100,000 victims (the review queue's
name-key blocks, the dashboard's year counts). Their answers are kept in
Django's cache (a per-process memory cache unless ``CACHES`` names a shared
one) under a key that includes :func:`data_version`, so every process
recomputes them after any change, wherever it was made:

- every ``save()`` or ``delete()`` of a victim, mention, name, testimony,
  event or judgement (signals connected in :class:`kuager.web.apps.WebConfig`)
  moves a process-local counter and, when its transaction commits, the
  counter in the database (:func:`kuager.records.services.derived.touch`,
  one row of :class:`~kuager.records.models.DataVersion`), which every
  process reads: a change made by the CLI or another worker is seen at once;
- changes that bypass ``save()`` (bulk loads, raw SQL) change the fingerprint
  read with it: the highest ids and the number of victims and judgements,
  and the number of withdrawn judgements (one query, a few ms at 100,000
  victims);
- everything expires after :data:`TTL` seconds in any case.

Cached answers are never shown as they are: pages render rows only from the
mentions the audience may see now (:func:`kuager.web.selectors.victim_rows`
drops a victim with nothing visible), so a stale list can be off in its count
but cannot show what is withheld.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection

#: Seconds a cached answer is kept at most.
TTL = 60

_local = itertools.count(1)
_local_version = 0


def bump(*_args, **_kwargs) -> None:
    """Mark the data as changed, here at once and for every process at commit (a signal receiver; arguments ignored)."""
    global _local_version
    _local_version = next(_local)
    from kuager.records.services.derived import touch

    touch()


def _fingerprint() -> tuple:
    from kuager.records import models as m

    parts = []
    for model in (m.Victim, m.Mention, m.Testimony, m.Event, m.Judgement, m.MentionName):
        t = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT MAX(id) FROM {t})")
    for model in (m.Victim, m.Judgement):
        t = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {t})")
    t = connection.ops.quote_name(m.Judgement._meta.db_table)
    parts.append(f"(SELECT COUNT(*) FROM {t} WHERE withdrawn_at IS NOT NULL)")
    t = connection.ops.quote_name(m.DataVersion._meta.db_table)
    parts.append(f"(SELECT MAX(n) FROM {t})")
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts))
        return tuple(cur.fetchone())


def data_version() -> str:
    """A short string that changes whenever the records may have changed (see the module's text)."""
    raw = json.dumps([_local_version, _fingerprint()], default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def cached(name: str, args: Any, compute: Callable[[], Any]) -> Any:
    """The value of ``compute()`` for ``(name, args)`` at the current :func:`data_version`.

    Args:
        name: what is cached (``"victim_ids"``, ``"dashboard"``...).
        args: JSON-able arguments that distinguish answers (audience, filters).
        compute: called with no arguments when the answer is not cached; its
            result must be picklable.

    Returns:
        The cached or freshly computed value.
    """
    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"kuager-web:{name}:{digest}:{data_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


def recent(name: str, args: Any, compute: Callable[[], Any], max_age: int) -> tuple[Any, float]:
    """Like :func:`cached`, but an answer computed before the last change is still used for ``max_age`` seconds.

    For results that cost seconds and move little with one more testimony (the
    multiple systems estimate over every victim): after a change the page shows
    the last answer (saying when it was computed) instead of recomputing at once.

    Returns:
        ``(value, computed_at)``: the value and when it was computed (``time.time()``).
    """
    import time

    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"kuager-web-recent:{name}:{digest}"
    hit = cache.get(key)
    now = time.time()
    if hit is not None and now - hit[1] < max_age:
        return hit
    hit = (compute(), now)
    cache.set(key, hit, max_age)
    return hit
