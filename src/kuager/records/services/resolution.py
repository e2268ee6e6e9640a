"""Resolving mentions into victims.

Two pair finders: probabilistic record linkage (:mod:`kuager.linkage`,
Fellegi-Sunter on Splink; parameters estimated by EM and saved with each run, or,
for collections too small to estimate a model from, the model last trained on the
records or the default model bundled with Kuager, trained on synthetic data:
:mod:`kuager.records.services.linkage_model`) and simple explainable rules
(:func:`candidate_pairs`, ``engine="rules"``). Whatever finds the pairs, this module keeps victims
stable across runs and lets people's judgements override: a "different" judgement
is never merged across, a "same" judgement is always merged. Pairs the model is
unsure about become :class:`~kuager.records.models.ReviewCandidate` rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from kuager import progress
from kuager.errors import KuagerError
from kuager.linkage.saved import MIN_MENTIONS_TO_TRAIN
from kuager.records import models as m


@dataclass
class ResolveReport:
    """What ``resolve`` did: counts of mentions, victims before and after, created and removed."""

    mentions: int
    engine: str
    victims_before: int
    victims_after: int
    created: int
    removed: int
    reassigned: int
    #: which model scored the pairs: "trained on these records now", "default (synthetic data)",
    #: "trained on these records on <date>", "given"; "" for rules or given pairs
    model: str = ""

    def summary(self) -> str:
        by = f"{self.engine}, model {self.model}" if self.model else self.engine
        return (f"{self.mentions} mentions -> {self.victims_after} victims by {by} "
                f"({self.created} new, {self.removed} removed, {self.reassigned} mentions moved)")


class _UnionFind:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _compatible(a: m.Mention, b: m.Mention) -> bool:
    """Rule: nothing known about a and b contradicts their being one person."""
    if a.sex and b.sex and a.sex != b.sex:
        return False
    if a.chinese_id and b.chinese_id and a.chinese_id != b.chinese_id:
        return False
    if None not in (a.birth_year_min, a.birth_year_max, b.birth_year_min, b.birth_year_max):
        if a.birth_year_max < b.birth_year_min - 1 or b.birth_year_max < a.birth_year_min - 1:
            return False
    return True


def candidate_pairs(mentions: list[m.Mention]) -> list[tuple[int, int]]:
    """Pairs of mention ids judged the same by the simple rules.

    Rule: the same Chinese ID number; or a shared name key (from
    :func:`kuager.names.keys`) with a name similarity of at least 0.85 and no
    contradiction in sex, Chinese ID or birth year (more than one year apart).
    """
    from kuager import names as kn

    by_id = {mn.id: mn for mn in mentions}
    texts: dict[int, list[str]] = defaultdict(list)
    for n in m.MentionName.objects.filter(mention_id__in=by_id).order_by("position"):
        texts[n.mention_id].append(n.text)
    blocks: dict[str, set[int]] = defaultdict(set)
    for k in m.NameKey.objects.filter(name__mention_id__in=by_id).values_list("key", "name__mention_id"):
        blocks[k[0]].add(k[1])
    for mn in mentions:
        if mn.chinese_id:
            blocks[f"cid:{mn.chinese_id}"].add(mn.id)
    seen, pairs = set(), []
    for key, ids in blocks.items():
        ids = sorted(ids)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                ma, mb = by_id[a], by_id[b]
                if not _compatible(ma, mb):
                    continue
                same_id = ma.chinese_id and ma.chinese_id == mb.chinese_id
                score = max((kn.similarity(x, y) for x in texts[a] for y in texts[b]), default=0.0)
                if same_id or score >= 0.85:
                    pairs.append((a, b))
    return pairs


def next_public_id() -> str:
    """The next victim id (``V-00001``...), never one given before, even to a victim since merged away.

    Must run inside a transaction (the counter row is locked until it commits).
    """
    seq, created = m.IdSequence.objects.select_for_update().get_or_create(name="victim")
    if created:  # start after any id already in use (databases from before the counter)
        last = m.Victim.objects.order_by("-public_id").values_list("public_id", flat=True).first()
        seq.last = int(last.split("-")[1]) if last else 0
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"V-{seq.last:05d}"


#: Below this many mentions there is too little data to estimate a model by EM: ``resolve(engine="auto")``
#: then uses a saved model (:func:`kuager.records.services.linkage_model.current_model`: the one last
#: trained on the records, else the bundled default trained on synthetic data).
MIN_MENTIONS_FOR_MODEL = MIN_MENTIONS_TO_TRAIN  # 200, shared with kuager dedupe
ENGINES = ("auto", "rules", "duckdb", "spark")


def _human_decisions() -> list[tuple[int, int, str]]:
    """People's standing judgements, oldest first, as (mention id, mention id, decision)."""
    qs = m.Judgement.objects.filter(source="human", withdrawn_at__isnull=True).order_by("decided_at", "id")
    return [(j.mention_a_id, j.mention_b_id, j.decision) for j in qs]


def model_pairs(mentions: list[m.Mention], *, engine: str = "duckdb", threshold: float = 0.9,
                review_band: tuple[float, float] = (0.5, 0.9), params: dict | None = None,
                save_to: Path | None = None, model_key: str = "") -> list[tuple[int, int]]:
    """Pairs of mention ids joined by the probabilistic linkage model; stores the review candidates.

    Args:
        mentions: the mentions to link (all of them: the model is estimated on them).
        engine: ``duckdb`` or ``spark`` (see :func:`kuager.linkage.link`).
        threshold: the match probability at or above which two mentions are joined.
        review_band: ``(lo, hi)``: pairs with lo <= probability < hi and no human
            decision become :class:`ReviewCandidate` rows (all old ones are replaced).
        params: a saved model to reuse instead of estimating one.
        save_to: a folder where an estimated model is saved as JSON (``model-<time>.json``,
            ``latest.json`` and ``latest.about.json``,
            :func:`kuager.records.services.linkage_model.save_trained`), so that a run can be
            repeated or audited; nothing is saved when ``params`` is given.
        model_key: what scored the pairs (``ModelInfo.key``), stored on each
            ReviewCandidate; for a model estimated here, the key of the saved model.

    Returns:
        Pairs linking each cluster of the model (a spanning chain per cluster).

    Raises:
        KuagerError: from the engine (bad parameters, a decision naming an unknown mention).
    """
    from kuager.linkage import link
    from kuager.records.selectors import mentions_frame
    from kuager.records.services import linkage_model

    by_key = {mn.key: mn.id for mn in mentions}
    key_of = {v: k for k, v in by_key.items()}
    decisions = [(key_of[a], key_of[b], d) for a, b, d in _human_decisions() if a in key_of and b in key_of]
    result = link(mentions_frame(), params=params, threshold=threshold, review_band=review_band,
                  decisions=decisions, engine=engine)
    if save_to is not None and params is None:
        model_key = linkage_model.save_trained(result.params, len(mentions), folder=save_to).key
    m.ReviewCandidate.objects.all().delete()
    labels = result.level_labels
    candidates = []
    for row in result.review_pairs().itertuples(index=False):
        row = row._asdict()
        a, b = by_key.get(row["unique_id_l"]), by_key.get(row["unique_id_r"])
        if a is None or b is None:
            continue
        levels = {c: labels.get(c, {}).get(int(row[f"gamma_{c}"]), str(row[f"gamma_{c}"]))
                  for c in labels if f"gamma_{c}" in row}
        candidates.append(m.ReviewCandidate(mention_a_id=a, mention_b_id=b, model=model_key,
                                            probability=float(row["match_probability"]), levels=levels))
    m.ReviewCandidate.objects.bulk_create(candidates)
    groups: dict[str, list[int]] = defaultdict(list)
    for key, cluster in result.clusters.items():
        if key in by_key:
            groups[cluster].append(by_key[key])
    pairs = []
    for ids in groups.values():
        ids.sort()
        pairs.extend((ids[0], other) for other in ids[1:])
    return pairs


@transaction.atomic
def resolve(pairs: list[tuple[int, int]] | None = None, *, engine: str = "auto", threshold: float = 0.9,
            review_band: tuple[float, float] = (0.5, 0.9), params: dict | None = None) -> ResolveReport:
    """Join mentions into victims.

    Args:
        pairs: mention-id pairs judged the same; by default found by ``engine``.
        engine: ``auto`` (the linkage model on DuckDB: estimated from these mentions
            from :data:`MIN_MENTIONS_FOR_MODEL` mentions up; below that the saved model of
            :func:`kuager.records.services.linkage_model.current_model`, i.e. the one last
            trained on the records, else the bundled default trained on synthetic data),
            ``rules`` (:func:`candidate_pairs`), ``duckdb`` or ``spark`` (:func:`model_pairs`,
            estimating the model unless ``params`` is given).
        threshold, review_band, params: passed to :func:`model_pairs`.

    Clusters are the connected components of the accepted pairs plus people's
    "same" judgements, never joining two mentions that a person judged
    "different". Each cluster keeps the victim most of its mentions already had,
    so public ids are stable; victims left with no mention are removed.

    Returns:
        A :class:`ResolveReport`.
    """
    mentions = list(m.Mention.objects.all())
    victims_before = m.Victim.objects.count()
    victims_existing = set(m.Victim.objects.values_list("id", flat=True))
    pairs_given = pairs
    if engine not in ENGINES:
        raise KuagerError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    used = ""
    if pairs is None:
        from kuager.records.services import linkage_model

        model_key = ""
        if params is not None:
            model_key = linkage_model.given_model(params).key
            used = "given"
        if engine == "auto":
            engine = "duckdb"
            if len(mentions) < MIN_MENTIONS_FOR_MODEL and params is None:
                saved = linkage_model.current_model()
                params, model_key = saved.params, saved.key
                used = (f"trained on these records on {saved.trained_at:%Y-%m-%d}" if saved.trained_at
                        else "default (trained on synthetic data)")
        if engine == "rules":
            pairs, used = candidate_pairs(mentions), ""
        elif len(mentions) < 2:
            pairs = []
            m.ReviewCandidate.objects.all().delete()
        else:
            used = used or "trained on these records now"
            pairs = model_pairs(mentions, engine=engine, threshold=threshold, review_band=review_band,
                                params=params, save_to=linkage_model.model_dir(), model_key=model_key)
    judgements = m.Judgement.objects.filter(source="human", withdrawn_at__isnull=True).order_by("decided_at", "id")
    latest: dict[tuple[int, int], str] = {}
    for j in judgements:
        latest[tuple(sorted((j.mention_a_id, j.mention_b_id)))] = j.decision
    cannot = defaultdict(set)
    for (a, b), d in latest.items():
        if d == m.Judgement.DIFFERENT:
            cannot[a].add(b)
            cannot[b].add(a)
    uf = _UnionFind([mn.id for mn in mentions])
    members = {mn.id: {mn.id} for mn in mentions}

    def join(a, b):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            return
        if any(cannot[x] & members[rb] for x in members[ra]):
            return  # a person said these are different
        uf.union(ra, rb)
        root = uf.find(ra)
        merged = members.pop(ra) | members.pop(rb)
        members[root] = merged

    for (a, b), d in latest.items():
        if d == m.Judgement.SAME and a in uf.parent and b in uf.parent:
            join(a, b)
    for a, b in pairs:
        if latest.get(tuple(sorted((a, b)))) == m.Judgement.DIFFERENT:
            continue
        join(a, b)

    clusters = sorted((sorted(v) for v in members.values()), key=lambda c: (-len(c), c[0]))
    by_id = {mn.id: mn for mn in mentions}
    claimed: set[int] = set()
    created = reassigned = 0
    for cluster in progress.track(clusters, "Resolving victims"):
        votes = Counter(by_id[i].victim_id for i in cluster if by_id[i].victim_id and by_id[i].victim_id not in claimed)
        victim_id = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes else None
        if victim_id is None:
            victim = m.Victim.objects.create(public_id=next_public_id())
            victim_id = victim.id
            created += 1
        claimed.add(victim_id)
        to_move = [i for i in cluster if by_id[i].victim_id != victim_id]
        if to_move:
            reassigned += sum(1 for i in to_move if by_id[i].victim_id)
            m.Mention.objects.filter(id__in=to_move).update(victim_id=victim_id)
    from kuager.records.services import derived

    derived.moved_mentions(claimed)  # moved with update(): no signals
    orphans = m.Victim.objects.filter(mentions__isnull=True)
    removed = orphans.count()
    public_ids = dict(m.Victim.objects.values_list("id", "public_id"))
    held: dict[int, list[int]] = defaultdict(list)
    for mn in mentions:
        if mn.victim_id:
            held[mn.victim_id].append(mn.id)
    record_redirects({vid: (pid, held.get(vid, [])) for vid, pid in orphans.values_list("id", "public_id")})
    orphans.delete()
    refresh_victims(m.Victim.objects.filter(id__in=claimed))
    _audit_resolution(by_id, dict(m.Mention.objects.values_list("id", "victim_id")), victims_existing, public_ids)
    return ResolveReport(len(mentions), engine if pairs_given is None else "given pairs", victims_before,
                         m.Victim.objects.count(), created, removed, reassigned, used)


def _audit_resolution(by_id: dict, after: dict, existed: set, public_ids: dict) -> None:
    """Audit what resolve changed: victims created and removed, merges and unmerges.

    ``merge``: an existing victim took mentions from another victim;
    ``unmerge``: mentions left a victim for a victim made in this run;
    ``update``: mentions not yet resolved were attached to a victim.
    """
    from collections import defaultdict as dd

    from kuager.audit.services import record

    moves: dict[tuple, list[str]] = dd(list)
    for mid, mn in by_id.items():
        old_v, new_v = mn.victim_id, after.get(mid)
        if old_v != new_v:
            moves[(old_v, new_v)].append(mn.key)
    pid = public_ids.get
    for vid in sorted(set(after.values()) - existed - {None}):
        record("create", ("records.victim", pid(vid)), new={"public_id": pid(vid)})
    for (old_v, new_v), keys in sorted(moves.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        keys = sorted(keys)
        if old_v is None:
            record("update", ("records.victim", pid(new_v)), new={"mentions_attached": keys})
        elif new_v in existed:
            record("merge", ("records.victim", pid(new_v)), old={"victim": pid(old_v)},
                   new={"victim": pid(new_v), "mentions_moved": keys})
        else:
            record("unmerge", ("records.victim", pid(old_v)), old={"victim": pid(old_v)},
                   new={"victim": pid(new_v), "mentions_moved": keys})
    for vid in sorted(existed - set(after.values())):
        record("delete", ("records.victim", pid(vid)), old={"public_id": pid(vid)})


#: Document kinds that establish identity or come from an authority: a held file of one of these, about the
#: person, makes the tier ``documented``. A photograph, a letter (a family's as well as an official one)
#: or "other" does not.
IDENTITY_DOCUMENT_KINDS = ("id_copy", "passport_copy")


def refresh_victims(victims) -> None:
    """Recompute each victim's display name and (unless an editor set it) verification tier.

    Display name: :func:`kuager.records.selectors.headline_name` (the most
    frequent Latin-script spelling across its mentions, else the first name held). Tier: ``documented``
    when a file of an identity document (:data:`IDENTITY_DOCUMENT_KINDS`) about the person is held or a
    Chinese ID number is given; ``corroborated`` with testimonies from two or
    more different testifiers; ``single_testimony`` otherwise.
    """
    from kuager.records.selectors import headline_name

    for v in victims:
        names = m.MentionName.objects.filter(mention__victim=v).order_by("mention__key", "position")
        v.display_name = headline_name([(n.text, n.script) for n in names])
        if not v.verification_locked:
            ms = list(v.mentions.select_related("testimony"))
            testifiers = {mn.testimony.testifier_id for mn in ms}
            if m.Document.objects.filter(mention__victim=v, kind__in=IDENTITY_DOCUMENT_KINDS).exclude(sha256="") \
                    .exists() or any(mn.chinese_id for mn in ms):
                v.verification = m.VerificationTier.DOCUMENTED
            elif len(testifiers) >= 2:
                v.verification = m.VerificationTier.CORROBORATED
            elif ms:
                v.verification = m.VerificationTier.SINGLE_TESTIMONY
            else:
                v.verification = m.VerificationTier.UNVERIFIED
        v.save()


def record_redirects(removed: dict[int, tuple[str, list[int]]]) -> None:
    """Remember where the mentions of victims about to be removed went (:class:`~kuager.records.models.VictimRedirect`).

    Args:
        removed: victim id -> (its public id, the ids of the mentions it held before the move).
            Call after the mentions moved and before the victims are deleted.
    """
    for vid, (public_id, mention_ids) in removed.items():
        target = _holder(mention_ids)
        m.VictimRedirect.objects.update_or_create(public_id=public_id,
                                                  defaults={"victim_id": target, "mentions": sorted(mention_ids)})
        # older redirects that pointed at the removed victim now point where its mentions went
        for r in m.VictimRedirect.objects.filter(victim_id=vid).exclude(public_id=public_id):
            r.victim_id = _holder(r.mentions) or target
            r.save(update_fields=["victim", "updated_at"])


def _holder(mention_ids) -> int | None:
    """The victim holding most of these mentions now (ties: the lowest victim id)."""
    votes = Counter(v for v in m.Mention.objects.filter(id__in=list(mention_ids)).values_list("victim_id", flat=True) if v)
    return min(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes else None


def repoint_redirects(victim_ids) -> None:
    """After an unmerge: old ids pointing at these victims point at whichever victim holds most of their mentions."""
    for r in m.VictimRedirect.objects.filter(victim_id__in=list(victim_ids)):
        target = _holder(r.mentions)
        if target and target != r.victim_id:
            r.victim_id = target
            r.save(update_fields=["victim", "updated_at"])
