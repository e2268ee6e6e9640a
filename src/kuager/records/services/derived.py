"""Stored values derived from other rows, kept up to date: what list pages filter and count on.

At 100,000 victims, working these out in every query (a correlated subquery per
mention for the status, a join through mentions and testimonies for who may see
a victim) costs 0.3-1.6 s a page. So they are stored, and kept here:

- ``Mention.status_kind``: the kind of the mention's current status event, by
  :func:`kuager.records.selectors.latest_status_kind` (the one rule,
  :func:`~kuager.records.selectors.status_order`);
- ``Mention.event_years``: the years its dated events overlap
  (:func:`kuager.records.selectors.event_years`), read by the year filter;
- ``Victim.visible_team``: the victim is not confidential and has a mention
  that is not confidential in a testimony that is not confidential (what
  :func:`kuager.web.access.mention_filter` allows the team);
- ``Victim.visible_public``: as ``visible_team``, and the victim is published
  and that testimony's consent is not "none" (what the redaction layer allows
  the public).

They are refreshed by signal receivers (connected in
:class:`kuager.records.apps.RecordsConfig`) on every ``save()`` and
``delete()`` of an event, mention, testimony or victim, whoever makes it
(services, importers, the Django admin), and explicitly by the services that
move mentions with ``QuerySet.update()`` (resolution, the JSON importer).
Migration 0007 fills them; :func:`check` compares them with the rules.

They decide only which victims a list counts and pages through: rows are
always rendered from the mentions the audience may see now
(:func:`kuager.web.selectors.victim_rows`), and victim pages go through the
redaction layer, so a stored flag can never show a withheld record.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Exists, OuterRef, Value, When

from kuager.records import models as m
from kuager.records import selectors as rsel

_CHUNK = 500


def _chunks(ids: Iterable[int | None]):
    ids = sorted({i for i in ids if i is not None})
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def computed_status(mention_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """``{mention id: (status kind or "", event years)}`` worked out from the events now held
    (:func:`kuager.records.selectors.latest_status_kind`, :func:`kuager.records.selectors.event_years`)."""
    ids = sorted({i for i in mention_ids if i is not None})
    events: dict[int, list] = {}
    for chunk in _chunks(ids):
        for row in (m.Event.objects.filter(mention_id__in=chunk)
                    .values_list("mention_id", "kind", "date_start", "date_end", "key")):
            events.setdefault(row[0], []).append(row[1:])
    return {mid: (rsel.latest_status_kind(events.get(mid, [])),
                  rsel.event_years((ds, de) for _, ds, de, _ in events.get(mid, []))) for mid in ids}


def refresh_status(mention_ids: Iterable[int | None]) -> int:
    """Store each mention's current status kind and event years (``Mention.status_kind``, ``Mention.event_years``).

    Args:
        mention_ids: mention primary keys (``None`` and ids no longer held are skipped).

    Returns:
        The number of mentions whose stored values changed.
    """
    wanted = computed_status(mention_ids)
    if not wanted:
        return 0
    stored = {}
    for chunk in _chunks(wanted):
        stored.update({mid: (k, y) for mid, k, y in m.Mention.objects.filter(id__in=chunk)
                       .values_list("id", "status_kind", "event_years")})
    changed: dict[tuple[str, str], list[int]] = {}
    for mid, values in wanted.items():
        if mid in stored and stored[mid] != values:
            changed.setdefault(values, []).append(mid)
    for (kind, years), ids in changed.items():
        for chunk in _chunks(ids):
            m.Mention.objects.filter(id__in=chunk).update(status_kind=kind, event_years=years)
    return sum(len(v) for v in changed.values())


def _visible(public: bool):
    q = m.Mention.objects.filter(victim=OuterRef("pk"), confidential=False, testimony__confidential=False)
    if public:
        q = q.exclude(testimony__consent=m.ConsentChoices.NONE)
    return Exists(q)


def _flags():
    return {
        "visible_team": Case(When(_visible(False), confidential=False, then=Value(True)), default=Value(False)),
        "visible_public": Case(When(_visible(True), confidential=False, published=True, then=Value(True)),
                               default=Value(False)),
    }


def refresh_visibility(victim_ids: Iterable[int | None] | None = None) -> None:
    """Store who may see each victim (``Victim.visible_team``, ``Victim.visible_public``).

    Args:
        victim_ids: victim primary keys; ``None`` for every victim (the migration).
    """
    if victim_ids is None:
        m.Victim.objects.update(**_flags())
        return
    for chunk in _chunks(victim_ids):
        m.Victim.objects.filter(id__in=chunk).update(**_flags())


def refresh_all() -> None:
    """Recompute every stored value (after a bulk load that bypassed ``save()``)."""
    refresh_status(m.Mention.objects.values_list("id", flat=True))
    refresh_visibility()


def check() -> list[str]:
    """Compare the stored values with the rules, without changing anything.

    Returns:
        One line per disagreement (``"T-1/m1: status_kind 'released', should be 'died'"``); empty when all agree.
    """
    out = []
    ids = list(m.Mention.objects.values_list("id", flat=True))
    wanted = computed_status(ids)
    for mid, key, kind, years in m.Mention.objects.values_list("id", "key", "status_kind", "event_years"):
        want_kind, want_years = wanted.get(mid, ("", ""))
        if want_kind != kind:
            out.append(f"{key}: status_kind {kind!r}, should be {want_kind!r}")
        if want_years != years:
            out.append(f"{key}: event_years {years!r}, should be {want_years!r}")
    rows = m.Victim.objects.annotate(**{f"want_{k}": v for k, v in _flags().items()}).values_list(
        "public_id", "visible_team", "want_visible_team", "visible_public", "want_visible_public")
    for pid, team, want_team, public, want_public in rows:
        if bool(team) != bool(want_team):
            out.append(f"{pid}: visible_team {bool(team)}, should be {bool(want_team)}")
        if bool(public) != bool(want_public):
            out.append(f"{pid}: visible_public {bool(public)}, should be {bool(want_public)}")
    return out


def moved_mentions(victim_ids: Iterable[int | None]) -> None:
    """After mentions moved between victims with ``QuerySet.update()`` (no signals): refresh and tell the pages.

    Args:
        victim_ids: the victims the mentions left and joined.
    """
    refresh_visibility(victim_ids)
    touch()


# ----------------------------------------------------------------- the data version

def _increment() -> None:
    from django.db.models import F

    if not m.DataVersion.objects.filter(pk=1).update(n=F("n") + 1):
        m.DataVersion.objects.get_or_create(pk=1, defaults={"n": 1})


def touch() -> None:
    """Move the data version (:class:`~kuager.records.models.DataVersion`) once the current transaction commits.

    Called after every change the pages count (signal receivers of
    :mod:`kuager.web.cache`, and :func:`moved_mentions`). Inside a transaction
    the counter moves once, at commit (so a long import does not hold its row
    locked, and a rolled-back change moves nothing); outside, at once.
    """
    from django.db import connection, transaction

    if connection.in_atomic_block and any(entry[1] is _increment for entry in connection.run_on_commit):
        return
    transaction.on_commit(_increment)


def version() -> int:
    """The data version now in the database (0 before the first change)."""
    return m.DataVersion.objects.filter(pk=1).values_list("n", flat=True).first() or 0


# ----------------------------------------------------------------- signal receivers

def on_event_change(sender, instance: m.Event, **kwargs) -> None:
    """After an event is saved or deleted: its mention's status."""
    if instance.mention_id:
        refresh_status([instance.mention_id])


def before_mention_save(sender, instance: m.Mention, raw=False, **kwargs) -> None:
    """Remember the victim a mention belonged to before this save (it may be moving)."""
    instance._victim_before = (m.Mention.objects.filter(pk=instance.pk).values_list("victim_id", flat=True).first()
                               if instance.pk and not raw else None)


def on_mention_change(sender, instance: m.Mention, **kwargs) -> None:
    """After a mention is saved or deleted: who may see its victim (and the victim it left)."""
    refresh_visibility([instance.victim_id, getattr(instance, "_victim_before", None)])


def on_testimony_change(sender, instance: m.Testimony, created=False, **kwargs) -> None:
    """After a testimony is saved (consent, confidentiality): who may see its victims."""
    if not created:
        refresh_visibility(m.Mention.objects.filter(testimony_id=instance.pk).values_list("victim_id", flat=True))


def on_victim_change(sender, instance: m.Victim, **kwargs) -> None:
    """After a victim is saved (published, confidential): who may see it."""
    refresh_visibility([instance.pk])


def connect() -> None:
    """Connect the receivers (called once from :class:`kuager.records.apps.RecordsConfig`)."""
    from django.db.models.signals import post_delete, post_save, pre_save

    post_save.connect(on_event_change, sender=m.Event, dispatch_uid="kuager-derived-event-save")
    post_delete.connect(on_event_change, sender=m.Event, dispatch_uid="kuager-derived-event-delete")
    pre_save.connect(before_mention_save, sender=m.Mention, dispatch_uid="kuager-derived-mention-pre")
    post_save.connect(on_mention_change, sender=m.Mention, dispatch_uid="kuager-derived-mention-save")
    post_delete.connect(on_mention_change, sender=m.Mention, dispatch_uid="kuager-derived-mention-delete")
    post_save.connect(on_testimony_change, sender=m.Testimony, dispatch_uid="kuager-derived-testimony-save")
    post_save.connect(on_victim_change, sender=m.Victim, dispatch_uid="kuager-derived-victim-save")
