"""Clusters from scored pairs, with people's decisions overriding the model.

A cluster is a connected component of the graph whose edges are the pairs with
match probability >= the threshold (Splink's ``cluster_pairwise_predictions_at_threshold``
does the same), changed by people's decisions:

- ``same``: the pair is an edge whatever the model says (probability 1).
- ``different``: the two records never end in one cluster. The pair is not an
  edge, and a component that would join them through other records is split: its
  edges are added strongest first ("same" decisions first), and an edge that would
  put a "different" pair together is skipped (a greedy constrained
  clustering, as in nomenklatura's judgements).
- ``unsure``: no effect on clustering.

A later decision on the same pair replaces an earlier one. Since clusters are
recomputed from the mentions and the decisions on every run, undoing a merge is
adding a ``different`` decision; no mention or fact is touched.

No Django import here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DECISIONS = ("same", "different", "unsure")


@dataclass
class Clustering:
    """Result of :func:`cluster`.

    Attributes:
        clusters: record id -> cluster id (the smallest record id in the cluster, as text).
        probability: record id -> the highest probability of an edge that holds it in its
            cluster (1.0 for a "same" decision), None for a record alone.
        conflicts: "same" decisions that could not be honoured because they would join
            a "different" pair, as ``(a, b)``.
    """

    clusters: dict[str, str]
    probability: dict[str, float | None]
    conflicts: list[tuple[str, str]] = field(default_factory=list)


def normalise_decisions(decisions: Iterable) -> dict[tuple[str, str], str]:
    """``{(a, b) with a < b: decision}``, the last decision on each pair winning.

    Args:
        decisions: tuples ``(record_id_a, record_id_b, decision)`` or mappings with
            keys ``record_id_a``, ``record_id_b``, ``decision`` (other keys such as
            ``who``, ``when``, ``note`` are ignored here), in time order.
    Raises:
        ValueError: a decision not in :data:`DECISIONS`, or a record paired with itself.
    """
    out: dict[tuple[str, str], str] = {}
    for d in decisions:
        if isinstance(d, Mapping):
            a, b, what = d["record_id_a"], d["record_id_b"], d["decision"]
        else:
            a, b, what = d
        a, b = str(a), str(b)
        if what not in DECISIONS:
            raise ValueError(f"decision {what!r} on ({a}, {b}) is not one of {', '.join(DECISIONS)}")
        if a == b:
            raise ValueError(f"decision on ({a}, {a}) pairs a record with itself")
        out[(a, b) if a < b else (b, a)] = what
    return out


class _UF:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x


def cluster(record_ids: Iterable[Hashable], pairs: pd.DataFrame, threshold: float,
            decisions: Iterable = ()) -> Clustering:
    """Cluster records at ``threshold`` with decisions overriding the model.

    Args:
        record_ids: every record (records in no pair become clusters of one).
        pairs: columns ``unique_id_l``, ``unique_id_r``, ``match_probability`` (0-1);
            pairs below the threshold may be included, they are ignored.
        threshold: match probability at or above which a pair is an edge.
        decisions: see :func:`normalise_decisions`.
    Returns:
        :class:`Clustering`.
    Raises:
        ValueError: bad decisions, or a decision on a record not in ``record_ids``.
    """
    ids = [str(r) for r in record_ids]
    index = {r: i for i, r in enumerate(ids)}
    dec = normalise_decisions(decisions)
    for a, b in dec:
        for r in (a, b):
            if r not in index:
                raise ValueError(f"decision on unknown record {r!r}")
    same = [(index[a], index[b]) for (a, b), d in dec.items() if d == "same"]
    diff = {(index[a], index[b]) for (a, b), d in dec.items() if d == "different"}
    diff |= {(b, a) for a, b in diff}

    above = pairs[pairs["match_probability"] >= threshold]
    li = above["unique_id_l"].astype(str).map(index).to_numpy()
    ri = above["unique_id_r"].astype(str).map(index).to_numpy()
    pr = above["match_probability"].to_numpy(dtype=float)
    if len(li) and (np.isnan(li.astype(float)).any() or np.isnan(ri.astype(float)).any()):
        raise ValueError("pairs name records that are not in record_ids")
    keep = np.array([(int(a), int(b)) not in diff for a, b in zip(li, ri)], dtype=bool) if diff else \
        np.ones(len(li), dtype=bool)
    li, ri, pr = li[keep].astype(np.int64), ri[keep].astype(np.int64), pr[keep]
    # all edges: "same" decisions first (probability above any model's), then strongest first
    el = np.concatenate([np.array([a for a, _ in same], dtype=np.int64), li])
    er = np.concatenate([np.array([b for _, b in same], dtype=np.int64), ri])
    ep = np.concatenate([np.full(len(same), 2.0), pr])
    order = np.argsort(-ep, kind="stable")
    el, er, ep = el[order], er[order], ep[order]

    n = len(ids)
    uf = _UF(n)
    parent = uf.parent
    # cannot-link partners per root, kept only when there are "different" decisions
    forbid: dict[int, set[int]] = {}
    for a, b in diff:
        forbid.setdefault(a, set()).add(b)
    best = np.full(n, -1.0)
    conflicts: list[tuple[str, str]] = []
    used = np.zeros(len(el), dtype=bool)
    for k in range(len(el)):
        a, b = int(el[k]), int(er[k])
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            used[k] = True
            continue
        if forbid:
            fa, fb = forbid.get(ra, set()), forbid.get(rb, set())
            if any(uf.find(x) == rb for x in fa) or any(uf.find(x) == ra for x in fb):
                if ep[k] > 1.0:
                    conflicts.append((ids[a], ids[b]))
                continue
        if ra > rb:
            ra, rb = rb, ra
        parent[rb] = ra
        if forbid and (rb in forbid):
            forbid.setdefault(ra, set()).update(forbid.pop(rb))
        used[k] = True
    # the probability that holds each record in its cluster: its strongest used edge
    p_used = np.minimum(ep[used], 1.0)
    for side in (el[used], er[used]):
        np.maximum.at(best, side, p_used)
    roots = [uf.find(i) for i in range(n)]
    smallest: dict[int, str] = {}
    for i, r in enumerate(roots):
        if r not in smallest or ids[i] < smallest[r]:
            smallest[r] = ids[i]
    clusters = {ids[i]: smallest[roots[i]] for i in range(n)}
    sizes = pd.Series(roots).value_counts()
    probability = {ids[i]: (float(best[i]) if sizes[roots[i]] > 1 and best[i] >= 0 else None) for i in range(n)}
    return Clustering(clusters, probability, conflicts)
