"""Which linkage model scores pairs, and scoring pairs of victims with it.

Two models (see :mod:`kuager.linkage.saved`): the one ``kuager resolve`` trained on the
organisation's own records (from :data:`kuager.records.services.resolution.MIN_MENTIONS_FOR_MODEL`
mentions up; saved as ``HOME/linkage/latest.json`` with ``latest.about.json`` beside it),
preferred once it exists; else the default model bundled with Kuager, trained on
synthetic data. :func:`current_model` says which; :func:`score_victim_pairs` scores pairs
of victims with it (the review queue's pairs that no resolve run has scored).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kuager.records import models as m

#: ``ModelInfo.source`` values.
DEFAULT, RECORDS, GIVEN = "default", "records", "given"

#: Mentions of one victim compared at most (the first by id): a victim named in many
#: testimonies would otherwise make its pairs cost the square of that.
MAX_MENTIONS_PER_VICTIM = 10


@dataclass(frozen=True)
class ModelInfo:
    """A linkage model and where it comes from.

    Attributes:
        params: the Splink model (``LinkResult.params``).
        source: ``"default"`` (bundled, trained on synthetic data), ``"records"`` (trained
            by ``kuager resolve`` on this organisation's records) or ``"given"`` (passed to
            ``kuager resolve --params``).
        trained_at: when a ``records`` model was trained (UTC), else None.
        mentions: how many mentions it was trained on, when known.
        key: a short stable identifier (``"default:<hash>"``, ``"records:<time>"``,
            ``"given:<hash>"``), stored with the pairs it scored and used in cache keys.
    """

    params: dict[str, Any] = field(repr=False)
    source: str
    trained_at: datetime | None = None
    mentions: int | None = None
    key: str = ""


def model_dir() -> Path:
    """Where ``kuager resolve`` keeps the models it trained: ``$KUAGER_HOME/linkage``."""
    from kuager.paths import kuager_home

    return kuager_home() / "linkage"


def _digest(params: dict) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]


_default_cache: list[ModelInfo] = []
_records_cache: dict[tuple, ModelInfo] = {}


def default_model() -> ModelInfo:
    """The bundled default model (read once per process).

    Raises:
        kuager.errors.KuagerError: the bundled file is missing or unreadable.
    """
    if not _default_cache:
        from kuager.linkage.saved import load_default_model

        model = load_default_model()
        _default_cache.append(ModelInfo(model["params"], DEFAULT, None, model.get("about", {}).get("mentions"),
                                        f"default:{_digest(model['params'])}"))
    return _default_cache[0]


def records_model() -> ModelInfo | None:
    """The model last trained on this organisation's records (``latest.json``), or None.

    Its time and size come from ``latest.about.json`` (written with it by
    :func:`save_trained`); for a model saved before that file existed, the file's
    modification time. Re-read when the file changes. An unreadable file counts as none.
    """
    path = model_dir() / "latest.json"
    try:
        stat = path.stat()
    except OSError:
        return None
    sig = (str(path), stat.st_mtime_ns, stat.st_size)
    if sig not in _records_cache:
        try:
            params = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        about: dict = {}
        try:
            about = json.loads((model_dir() / "latest.about.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        when = None
        if about.get("trained_at"):
            try:
                when = datetime.fromisoformat(about["trained_at"])
            except ValueError:
                when = None
        if when is None:
            when = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
        _records_cache.clear()
        _records_cache[sig] = ModelInfo(params, RECORDS, when, about.get("mentions"),
                                        f"records:{when.strftime('%Y%m%dT%H%M%SZ')}:{_digest(params)}")
    return _records_cache[sig]


def current_model() -> ModelInfo:
    """The model that scores pairs now: the one trained on the records if any, else the default."""
    return records_model() or default_model()


def given_model(params: dict) -> ModelInfo:
    """A model passed in (``kuager resolve --params``)."""
    return ModelInfo(params, GIVEN, None, None, f"given:{_digest(params)}")


def save_trained(params: dict, mentions: int, folder: Path | None = None) -> ModelInfo:
    """Save a model ``kuager resolve`` trained: ``model-<time>.json``, ``latest.json`` (the
    model, usable with ``--params``) and ``latest.about.json`` (time, mentions).

    Args:
        params: the trained model; mentions: how many it was trained on;
        folder: where (default :func:`model_dir`).
    Returns:
        its :class:`ModelInfo` (source ``records``).
    """
    folder = folder or model_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(params, indent=1, sort_keys=True, default=str)
    (folder / f"model-{stamp}.json").write_text(text, encoding="utf-8")
    (folder / "latest.json").write_text(text, encoding="utf-8")
    (folder / "latest.about.json").write_text(json.dumps({"trained_at": now.isoformat(), "mentions": mentions,
                                                          "file": f"model-{stamp}.json"}, indent=1),
                                              encoding="utf-8")
    return ModelInfo(params, RECORDS, now, mentions, f"records:{stamp}:{_digest(params)}")


def describe_key(key: str) -> tuple[str, datetime | None]:
    """``(source, trained_at)`` from a :attr:`ModelInfo.key` (as stored on a ReviewCandidate)."""
    source, _, rest = (key or "").partition(":")
    when = None
    if source == RECORDS:
        try:
            when = datetime.strptime(rest.split(":")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            when = None
    return source, when


@dataclass
class PairScore:
    """A model's verdict on two victims: the best of their mentions' pairs.

    Attributes:
        probability: match probability (0-1) of the best-scoring pair of their mentions.
        levels: ``{comparison: level label}`` of that pair (what agrees and what differs;
            labels of :func:`kuager.linkage.model.level_labels`).
        model: the :class:`ModelInfo` that scored it.
        mentions: the keys of the two mentions of that pair (``K-00012/m1``...).
    """

    probability: float
    levels: dict[str, str]
    model: ModelInfo
    mentions: tuple[str, str] = ("", "")


def score_victim_pairs(pairs, model: ModelInfo | None = None) -> dict[tuple[int, int], PairScore]:
    """Score pairs of victims with a linkage model, now, from their mentions.

    Every mention of one victim is compared with every mention of the other (at most
    :data:`MAX_MENTIONS_PER_VICTIM` each) by :func:`kuager.linkage.saved.score_pairs`
    (no term-frequency adjustment); the pair of victims gets the best.

    Args:
        pairs: ``(victim id, victim id)`` tuples.
        model: default :func:`current_model`.
    Returns:
        ``{(smaller victim id, larger victim id): PairScore}``; pairs of which a victim has
        no mention are left out.
    """
    from collections import defaultdict

    from kuager.linkage.model import level_labels
    from kuager.linkage.saved import score_pairs
    from kuager.records.selectors import mentions_frame

    model = model or current_model()
    wanted = sorted({tuple(sorted(p)) for p in pairs if p[0] != p[1]})
    if not wanted:
        return {}
    victims = {v for p in wanted for v in p}
    held: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mid, key, vid in m.Mention.objects.filter(victim_id__in=victims).order_by("id").values_list(
            "id", "key", "victim_id"):
        if len(held[vid]) < MAX_MENTIONS_PER_VICTIM:
            held[vid].append((mid, key))
    mention_pairs = []
    owner: dict[str, int] = {}
    for vid, ms in held.items():
        for _, key in ms:
            owner[key] = vid
    for a, b in wanted:
        mention_pairs += [(ka, kb) for _, ka in held.get(a, []) for _, kb in held.get(b, [])]
    if not mention_pairs:
        return {}
    df = mentions_frame(ids=[mid for ms in held.values() for mid, _ in ms])
    scored = score_pairs(df, mention_pairs, model.params)
    labels = level_labels(model.params)
    gammas = [c for c in scored.columns if c.startswith("gamma_")]
    out: dict[tuple[int, int], PairScore] = {}
    for row in scored.itertuples(index=False):
        row = row._asdict()
        pair = tuple(sorted((owner[row["unique_id_l"]], owner[row["unique_id_r"]])))
        p = float(row["match_probability"])
        if pair in out and out[pair].probability >= p:
            continue
        levels = {g[6:]: labels.get(g[6:], {}).get(int(row[g]), str(row[g])) for g in gammas}
        out[pair] = PairScore(p, levels, model, (row["unique_id_l"], row["unique_id_r"]))
    return out
