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


#: Seconds under which a computation counts as cheap: redone at once after a change.
CHEAP = 0.5


def recent(name: str, args: Any, compute: Callable[[], Any], max_age: int,
           cheap: float | None = None) -> tuple[Any, float]:
    """:func:`recent_entry` as ``(value, computed_at)``."""
    e = recent_entry(name, args, compute, max_age, cheap)
    return e["value"], e["computed_at"]


def recent_entry(name: str, args: Any, compute: Callable[[], Any], max_age: int,
                 cheap: float | None = None) -> dict:
    """Like :func:`cached`, but an answer that took long to compute is still used for ``max_age`` seconds after a change.

    For results that cost seconds at 100,000 victims and move little with one
    more testimony (the multiple systems estimate over every victim). An answer
    computed at the current :func:`data_version` is always used; after a change
    it is recomputed at once if its last computation took under ``cheap``
    seconds (default :data:`CHEAP`; small databases), otherwise the old answer is used until it is
    ``max_age`` seconds old, marked ``stale`` so the page can say so.

    Returns:
        ``{"value", "computed_at" (time.time()), "stale" (bool), "seconds" (cost)}``.
    """
    import time

    digest = hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()[:24]
    key = f"kuager-web-recent:{name}:{digest}"
    cheap = CHEAP if cheap is None else cheap
    version = data_version()
    hit = cache.get(key)
    now = time.time()
    if hit is not None and len(hit) == 4:
        value, at, hit_version, seconds = hit
        if hit_version == version:
            return {"value": value, "computed_at": at, "stale": False, "seconds": seconds}
        if seconds >= cheap and now - at < max_age:
            return {"value": value, "computed_at": at, "stale": True, "seconds": seconds}
    started = time.perf_counter()
    value = compute()
    seconds = time.perf_counter() - started
    cache.set(key, (value, now, version, seconds), max(max_age, TTL))
    return {"value": value, "computed_at": now, "stale": False, "seconds": seconds}
