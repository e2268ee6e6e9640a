"""Editors' decisions on pairs of victims: same, different, unsure; merge and unmerge.

Decisions are :class:`~kuager.records.models.Judgement` rows between mentions,
appended and never edited (a "same" judgement is withdrawn by setting
``withdrawn_at`` when an editor unmerges). A decision then changes only the
victims it concerns: "same" moves the mentions of one victim into the other
(unless an earlier "different" across them forbids it), unmerge moves the
chosen mentions to a victim of their own. Nothing else is re-resolved: records
nobody decided stay apart until an editor decides or ``kuager resolve`` runs
(:func:`kuager.records.services.resolution.resolve`, the bulk path, which
honours the same judgements). Merging and unmerging only move mentions between
victims: no mention, name, event or document is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from kuager.errors import InputError
from kuager.records import models as m

DECISIONS = (m.Judgement.SAME, m.Judgement.DIFFERENT, m.Judgement.UNSURE)


@dataclass
class ReviewResult:
    """What a decision did.

    Attributes:
        judgements: the Judgement rows written.
        withdrawn: how many earlier "same" judgements were withdrawn.
        victims: public ids of the victims the mentions belong to afterwards
            (one id after a merge, two after a separation).
        resolved: True when the decision was applied to the victims (mentions moved
            or found already apart); False with ``resolve_now=False`` or ``unsure``.
            Only the victims decided on change: no bulk ``resolve()`` runs.
    """

    judgements: list[m.Judgement]
    withdrawn: int
    victims: list[str]
    resolved: bool


def _mentions(victim: m.Victim) -> list[m.Mention]:
    return list(victim.mentions.order_by("key"))


def _active_human(a_ids, b_ids, decision: str):
    a_ids, b_ids = list(a_ids), list(b_ids)
    qs = m.Judgement.objects.filter(source="human", withdrawn_at__isnull=True, decision=decision)
    return qs.filter(mention_a_id__in=a_ids, mention_b_id__in=b_ids) | \
        qs.filter(mention_a_id__in=b_ids, mention_b_id__in=a_ids)


def _separate(left: list[m.Mention], right: list[m.Mention], user, note: str, score) -> tuple[list, int]:
    now = timezone.now()
    left_ids, right_ids = [x.id for x in left], [x.id for x in right]
    withdrawn = _active_human(left_ids, right_ids, m.Judgement.SAME).update(withdrawn_at=now)
    rows = [m.Judgement(mention_a=a, mention_b=b, decision=m.Judgement.DIFFERENT, source="human", score=score,
                        decided_by=user, note=note) for a in left for b in right]
    return m.Judgement.objects.bulk_create(rows), withdrawn


def _public_ids(mentions: list[m.Mention]) -> list[str]:
    ids = m.Mention.objects.filter(id__in=[x.id for x in mentions]).values_list("victim__public_id", flat=True)
    return sorted(set(ids) - {None})


def _blocked(left_ids, right_ids) -> bool:
    """True when a person's latest standing judgement on some pair across the two sets is "different"."""
    left_ids, right_ids = set(left_ids), set(right_ids)
    latest: dict[tuple[int, int], str] = {}
    qs = m.Judgement.objects.filter(source="human", withdrawn_at__isnull=True).filter(
        mention_a_id__in=left_ids | right_ids, mention_b_id__in=left_ids | right_ids).order_by("decided_at", "id")
    for j in qs:
        a, b = j.mention_a_id, j.mention_b_id
        if (a in left_ids and b in right_ids) or (a in right_ids and b in left_ids):
            latest[tuple(sorted((a, b)))] = j.decision
    return m.Judgement.DIFFERENT in latest.values()


def _move(mentions: list[m.Mention], to: m.Victim, touched: list[m.Victim], actor) -> None:
    """Move ``mentions`` to victim ``to``; remove victims left empty (with a redirect); refresh and audit.

    Only ``touched`` (the victims concerned) are refreshed, removed or audited.
    """
    from kuager.audit.services import acting_as
    from kuager.records.services import derived
    from kuager.records.services.resolution import _audit_resolution, record_redirects, refresh_victims

    by_id = {x.id: x for v in touched for x in v.mentions.all()}
    existed = {v.id for v in touched if v.pk != to.pk or not getattr(to, "_new", False)}
    held = {v.id: (v.public_id, [x.id for x in by_id.values() if x.victim_id == v.id]) for v in touched}
    m.Mention.objects.filter(id__in=[x.id for x in mentions]).update(victim_id=to.id)
    derived.moved_mentions({v.id for v in touched} | {to.id})
    after = dict(m.Mention.objects.filter(id__in=list(by_id)).values_list("id", "victim_id"))
    public_ids = {v.id: v.public_id for v in touched} | {to.id: to.public_id}
    empty = [v for v in touched if v.id != to.id and v.id not in set(after.values())]
    record_redirects({v.id: held[v.id] for v in empty})
    m.Victim.objects.filter(id__in=[v.id for v in empty]).delete()
    refresh_victims(m.Victim.objects.filter(id__in={v.id for v in touched} | {to.id}))
    with acting_as(actor):
        _audit_resolution(by_id, after, existed, public_ids)


def _merge(victim_a: m.Victim, victim_b: m.Victim, actor) -> bool:
    """Join two victims if no "different" judgement forbids it; the one with more mentions
    (ties: the older victim) keeps its public id. Returns True when they were joined."""
    left, right = _mentions(victim_a), _mentions(victim_b)
    if _blocked([x.id for x in left], [x.id for x in right]):
        return False
    keep, gone = sorted([(victim_a, left), (victim_b, right)], key=lambda vm: (-len(vm[1]), vm[0].pk))
    _move(gone[1], keep[0], [victim_a, victim_b], actor)
    return True


@transaction.atomic
def decide_pair(victim_a: m.Victim, victim_b: m.Victim, decision: str, *, user=None, note: str = "",
                score: float | None = None, resolve_now: bool = True) -> ReviewResult:
    """Record an editor's decision on two victims and apply it.

    - ``same``: one "same" judgement between the first mention of each; then
      the two victims are merged (the one with more mentions keeps its id),
      unless an earlier "different" forbids it (then they stay apart and
      :attr:`ReviewResult.victims` shows two ids). No other victim changes.
    - ``different``: a "different" judgement for every pair of their mentions,
      and any active "same" judgement across them withdrawn; nothing moves.
    - ``unsure``: one "unsure" judgement (kept for the record; nothing moves).

    Args:
        victim_a, victim_b: two distinct victims.
        decision: ``same``, ``different`` or ``unsure``.
        user: who decided (``Judgement.decided_by``).
        note: the editor's reason.
        score: the model's probability shown to the editor, kept with the judgement.
        resolve_now: apply the decision to the victims now (tests may turn it off).

    Returns:
        A :class:`ReviewResult`.

    Raises:
        InputError: unknown decision, the same victim twice, or a victim with no mention.
    """
    if decision not in DECISIONS:
        raise InputError(f"{decision!r}: expected one of {', '.join(DECISIONS)}", field="decision")
    if victim_a.pk == victim_b.pk:
        raise InputError("a victim cannot be compared with itself", field="victims")
    left, right = _mentions(victim_a), _mentions(victim_b)
    if not left or not right:
        raise InputError("both victims need at least one mention", field="victims")
    from kuager.audit.services import actor_of, current_actor, record

    actor = actor_of(user) or current_actor()
    record("judgement", ("records.victim", f"{victim_a.public_id} {victim_b.public_id}"),
           new={"decision": decision, "note": note, "score": score}, actor=actor)
    withdrawn = 0
    if decision == m.Judgement.DIFFERENT:
        rows, withdrawn = _separate(left, right, user, note, score)
    else:
        rows = [m.Judgement.objects.create(mention_a=left[0], mention_b=right[0], decision=decision,
                                           source="human", score=score, decided_by=user, note=note)]
    resolved = False
    if resolve_now and decision != m.Judgement.UNSURE:
        # only the two victims decided on change: "same" joins them (unless an earlier
        # "different" forbids it); "different" leaves them apart as they already are
        if decision == m.Judgement.SAME:
            _merge(victim_a, victim_b, actor)
        resolved = True
    return ReviewResult(rows, withdrawn, _public_ids(left + right), resolved)


@transaction.atomic
def unmerge(victim: m.Victim, mention_keys: list[str], *, user=None, note: str = "",
            resolve_now: bool = True) -> ReviewResult:
    """Split the mentions ``mention_keys`` off ``victim`` into a person of their own.

    Active "same" judgements joining the split-off mentions to the rest are
    withdrawn, and a "different" judgement is recorded for every pair across
    the split, so later runs of ``resolve()`` keep them apart. The mentions
    (with their names, events and documents) are moved, never deleted.

    Args:
        victim: the victim to split.
        mention_keys: keys of some (not all) of its mentions.
        user, note: who decided and why.
        resolve_now: move the mentions now (the side with most mentions keeps the public id
            and its publication; the other side becomes a new victim, not published until an
            editor publishes it, shown as "waiting for an editor").

    Returns:
        A :class:`ReviewResult` (``victims``: the ids afterwards).

    Raises:
        InputError: no key given, a key not of this victim, or every mention chosen.
    """
    mentions = _mentions(victim)
    keys = set(mention_keys)
    unknown = keys - {x.key for x in mentions}
    if not keys:
        raise InputError("choose the mentions to split off", field="mentions")
    if unknown:
        raise InputError(f"not mentions of {victim.public_id}: {', '.join(sorted(unknown))}", field="mentions")
    left = [x for x in mentions if x.key in keys]
    right = [x for x in mentions if x.key not in keys]
    if not right:
        raise InputError("choose some of the mentions, not all of them", field="mentions")
    rows, withdrawn = _separate(left, right, user, note, None)
    from kuager.audit.services import actor_of, current_actor, record

    actor = actor_of(user) or current_actor()
    record("unmerge_request", victim, new={"mentions": sorted(keys), "note": note}, actor=actor)
    if resolve_now:
        from kuager.records.services.resolution import next_public_id, repoint_redirects

        # the public id stays with the side that keeps most of the mentions (ties: the side
        # with the earliest mention); the other side becomes a new victim
        first = min(mentions, key=lambda x: (x.created_at, x.id))
        stays_left = len(left) > len(right) or (len(left) == len(right) and first in left)
        moving = right if stays_left else left
        # the side that moves is a new person for the public site: not published until an editor
        # publishes it (it may hold a volunteer's record that no editor ever published on its own)
        new = m.Victim.objects.create(public_id=next_public_id(), confidential=victim.confidential,
                                      published=False)
        new._new = True
        _move(moving, new, [victim], actor)
        repoint_redirects([victim.id])
    return ReviewResult(rows, withdrawn, _public_ids(mentions), resolve_now)


@transaction.atomic
def set_publication(victim: m.Victim, *, published: bool | None = None, confidential: bool | None = None) -> m.Victim:
    """Publish or withhold a victim, or mark it confidential (editors).

    Args:
        victim: the victim.
        published: new value of ``published`` (None: unchanged).
        confidential: new value of ``confidential`` (None: unchanged).

    Returns:
        The saved victim. ``published=False`` also marks it ``withheld`` (an editor's
        decision, shown as "withheld by an editor" rather than "waiting for an editor");
        ``published=True`` clears that mark.
    """
    old = {"published": victim.published, "confidential": victim.confidential, "withheld": victim.withheld}
    if published is not None:
        victim.published = published
        victim.withheld = not published
    if confidential is not None:
        victim.confidential = confidential
    victim.save(update_fields=["published", "withheld", "confidential", "updated_at"])
    from kuager.audit.services import record

    record("update", victim, old=old, new={"published": victim.published, "confidential": victim.confidential,
                                           "withheld": victim.withheld})
    return victim
