"""The clustering of ``kuager.linkage.cluster`` before the scale round of 29 Nov 2026
(commit afac469), kept as an oracle: the new code must give the same clusters,
probabilities, conflicts and ambiguous records (tests/linkage/test_cluster_oracle.py).
One change since, the same rule written independently: a record is not ambiguous towards a
cluster holding one of its own keep-apart partners (``cluster.AMBIGUOUS_REACHABLE``, 30 Nov
2026). Not used by Kuager itself."""


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
        ambiguous: records left out of every cluster because they match two or more
            clusters kept apart from each other about equally well (see :func:`cluster`,
            ``ambiguous_margin``), in record order; they are alone, for people to decide.
    """

    clusters: dict[str, str]
    probability: dict[str, float | None]
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


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


def cluster(record_ids: Iterable[Hashable], pairs: pd.DataFrame, threshold: float,
            decisions: Iterable = (), apart: pd.DataFrame | Iterable | None = None,
            ambiguous_margin: float | None = None) -> Clustering:
    """Cluster records at ``threshold`` with decisions overriding the model.

    Args:
        record_ids: every record (records in no pair become clusters of one).
        pairs: columns ``unique_id_l``, ``unique_id_r``, ``match_probability`` (0-1);
            pairs below the threshold may be included, they are ignored.
        threshold: match probability at or above which a pair is an edge.
        decisions: see :func:`normalise_decisions`.
        apart: pairs the model finds clearly different (``(a, b)`` tuples, a frame
            with ``unique_id_l``, ``unique_id_r``, or a ``(k, 2)`` int numpy array of
            positions in ``record_ids``): kept apart like "different" decisions, but a
            person's "same" decision overrides them.
        ambiguous_margin: None (off), or a number of bits (log2 of an odds ratio, >= 0).
            After clustering, a record with pairs at or above the threshold into its own
            cluster *and* into another cluster (which the constraints keep apart from
            its own), whose strongest pair into another cluster is within this many bits
            of match weight (``match_weight`` of ``pairs``, else the log2 odds of the
            probability) of its strongest pair into its own, is ambiguous: a name that
            two people kept apart share, with nothing else to tell which one it is.
            Its pairs are dropped (a person's "same" decision stays) and the clusters are
            made again, so it ends alone and is listed in ``Clustering.ambiguous``. A
            record held by a "same" decision is never ambiguous. The nomenklatura/Senzing
            practice of leaving an unsure match to a person instead of guessing.
    Returns:
        :class:`Clustering`.
    Raises:
        ValueError: bad decisions, a decision on a record not in ``record_ids``, or
            ``apart`` positions outside it.
    """
    ids = [str(r) for r in record_ids]
    n = len(ids)
    index = pd.Index(ids)
    pos = {r: i for i, r in enumerate(ids)}
    dec = normalise_decisions(decisions)
    for a, b in dec:
        for r in (a, b):
            if r not in pos:
                raise ValueError(f"decision on unknown record {r!r}")
    same = [(pos[a], pos[b]) for (a, b), d in dec.items() if d == "same"]
    diff = [(pos[a], pos[b]) for (a, b), d in dec.items() if d == "different"]

    above = pairs[pairs["match_probability"] >= threshold]
    li, ri = _positions(index, above["unique_id_l"]), _positions(index, above["unique_id_r"])
    pr = above["match_probability"].to_numpy(dtype=float)
    if ambiguous_margin is not None:
        if "match_weight" in above.columns:
            pw = above["match_weight"].to_numpy(dtype=float)
        else:
            q = np.clip(pr, 1e-15, 1 - 1e-15)
            pw = np.log2(q / (1 - q))
    else:
        pw = np.zeros(len(pr))
    if (li < 0).any() or (ri < 0).any():
        raise ValueError("pairs name records that are not in record_ids")
    decided = set(diff)
    decided |= {(b, a) for a, b in diff}
    if decided:
        keep = np.array([(int(a), int(b)) not in decided for a, b in zip(li, ri)], dtype=bool)
        li, ri, pr, pw = li[keep], ri[keep], pr[keep], pw[keep]
    # all edges: "same" decisions first (probability above any model's), then strongest first
    el = np.concatenate([np.array([a for a, _ in same], dtype=np.int64), li])
    er = np.concatenate([np.array([b for _, b in same], dtype=np.int64), ri])
    ep = np.concatenate([np.full(len(same), 2.0), pr])
    ew = np.concatenate([np.full(len(same), np.inf), pw])
    order = np.argsort(-ep, kind="stable")
    el, er, ep, ew = el[order], er[order], ep[order], ew[order]

    al = ar = None
    if apart is not None:
        if isinstance(apart, np.ndarray):
            al, ar = apart.reshape(-1, 2)[:, 0].astype(np.int64), apart.reshape(-1, 2)[:, 1].astype(np.int64)
            if len(al) and (min(al.min(), ar.min()) < 0 or max(al.max(), ar.max()) >= n):
                raise ValueError("apart positions outside record_ids")
        elif isinstance(apart, pd.DataFrame):
            al, ar = _positions(index, apart["unique_id_l"]), _positions(index, apart["unique_id_r"])
        else:
            tup = list(apart)
            al = _positions(index, pd.Series([str(a) for a, _ in tup], dtype=object))
            ar = _positions(index, pd.Series([str(b) for _, b in tup], dtype=object))
        ok = (al >= 0) & (ar >= 0)
        al, ar = al[ok], ar[ok]

    conflicts: list[tuple[str, str]] = []
    roots, used = _solve(n, el, er, ep, al, ar, diff, ids, conflicts)
    ambiguous: list[str] = []
    if ambiguous_margin is not None and len(el):
        barred: dict[int, set[int]] = {}
        for a, b in list(zip(al.tolist(), ar.tolist())) if al is not None else []:
            barred.setdefault(a, set()).add(b)
            barred.setdefault(b, set()).add(a)
        for a, b in diff:
            barred.setdefault(a, set()).add(b)
            barred.setdefault(b, set()).add(a)
        amb = _ambiguous(n, el, er, ew, roots, float(ambiguous_margin), barred)
        if amb.any():
            # drop the ambiguous records' pairs (not people's "same" decisions), cluster again
            keep = ~(amb[el] | amb[er]) | (ep > 1.0)
            el, er, ep = el[keep], er[keep], ep[keep]
            conflicts = []
            roots, used = _solve(n, el, er, ep, al, ar, diff, ids, conflicts)
            ambiguous = [ids[i] for i in np.flatnonzero(amb)]
    # the probability that holds each record in its cluster: its strongest used edge
    best = np.full(n, -1.0)
    p_used = np.minimum(ep[used], 1.0)
    for side in (el[used], er[used]):
        np.maximum.at(best, side, p_used)
    smallest: dict[int, str] = {}
    for i, r in enumerate(roots.tolist()):
        if r not in smallest or ids[i] < smallest[r]:
            smallest[r] = ids[i]
    rl = roots.tolist()
    clusters = {ids[i]: smallest[rl[i]] for i in range(n)}
    sizes = np.bincount(roots, minlength=n)
    probability = {ids[i]: (float(best[i]) if sizes[rl[i]] > 1 and best[i] >= 0 else None) for i in range(n)}
    return Clustering(clusters, probability, conflicts, ambiguous)


def _solve(n, el, er, ep, al, ar, diff, ids, conflicts):
    """Components of the edges, split where constraints demand (:func:`_greedy`).

    Args:
        n: number of records.
        el, er, ep: edges (record positions, probability; 2.0 for "same"), strongest first.
        al, ar: the model's keep-apart pairs (record positions), or None.
        diff: people's "different" pairs (record positions).
        ids, conflicts: as :func:`_greedy`.
    Returns:
        ``(roots, used)`` as :func:`_greedy`.
    """
    # components without constraints; constraints matter only inside one of them
    comp = _components(n, el, er)
    soft = np.zeros((0, 2), dtype=np.int64)
    if al is not None:
        inside = comp[al] == comp[ar]
        soft = np.stack([al[inside], ar[inside]], axis=1)
    hard = np.array([(a, b) for a, b in diff if comp[a] == comp[b]], dtype=np.int64).reshape(-1, 2)
    if len(hard) == 0 and len(soft) == 0:
        return comp, np.ones(len(el), dtype=bool)
    return _greedy(n, el, er, ep, comp, hard, soft, ids, conflicts)


def _ambiguous(n: int, el: np.ndarray, er: np.ndarray, ew: np.ndarray, roots: np.ndarray,
               margin: float, barred: dict[int, set[int]] | None = None) -> np.ndarray:
    """Records that match another cluster about as well as their own (``cluster``'s
    ``ambiguous_margin``).

    Args:
        n: number of records.
        el, er, ew: edges at or above the threshold (record positions) and their match
            weights in bits (``inf`` for a person's "same" decision).
        roots: cluster label of each record after constrained clustering.
        margin: bits.
    Returns:
        a bool array over the records. An edge between two clusters survives clustering
        only when constraints kept them apart, so a record with such an edge within
        ``margin`` of its best edge into its own cluster would join two clusters that
        must stay apart. A record left alone is not ambiguous (it joined nothing).
        Vectorised: O(edges).
    """
    a = np.concatenate([el, er])
    b = np.concatenate([er, el])
    w = np.concatenate([ew, ew])
    own = roots[a] == roots[b]
    best_own = np.full(n, -np.inf)
    np.maximum.at(best_own, a[own], w[own])
    if barred is not None:
        # (added with cluster.AMBIGUOUS_REACHABLE, written here as plain loops): a pair into a
        # cluster that holds one of the record's own constraint partners does not count
        out = np.zeros(n, dtype=bool)
        for x, y, wx, o in zip(a.tolist(), b.tolist(), w.tolist(), own.tolist()):
            if o or not np.isfinite(best_own[x]) or wx < best_own[x] - margin:
                continue
            if roots[y] not in {int(roots[q]) for q in barred.get(x, ())}:
                out[x] = True
        return out
    best_other = np.full(n, -np.inf)
    np.maximum.at(best_other, a[~own], w[~own])
    return np.isfinite(best_own) & np.isfinite(best_other) & (best_other >= best_own - margin)


def _positions(index: pd.Index, values) -> np.ndarray:
    """Positions of ``values`` (record ids) in ``index``; -1 for unknown ones."""
    return index.get_indexer(pd.Series(values, dtype=object).astype(str)).astype(np.int64)


def _components(n: int, el: np.ndarray, er: np.ndarray) -> np.ndarray:
    """Connected component label (the smallest member's position) of each of ``n`` nodes."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return np.zeros(0, dtype=np.int64)
    g = coo_matrix((np.ones(len(el), dtype=np.int8), (el, er)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    # label each component by its smallest member, so labels are node positions
    first = np.full(labels.max() + 1, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n, dtype=np.int64))
    return first[labels]


def _greedy(n, el, er, ep, comp, hard, soft, ids, conflicts):
    """Add edges strongest first, skipping one that would put a kept-apart pair together.

    Only components holding a constraint are redone; elsewhere the component stands.
    ``hard`` pairs (people's "different") bind every edge; ``soft`` pairs (the model's
    "clearly different") bind only the model's edges, not people's "same" decisions.
    The components are redone one at a time on local numbers, so that the Python sets
    of partners exist for one component at a time (a million mentions' constraints
    as Python objects at once went past 16 GB); the result is the same as redoing
    them all together, since no edge or constraint crosses two components.

    Args:
        n: number of records.
        el, er, ep: edges (record positions, probability; 2.0 for "same"), strongest first.
        comp: component label (a record position) of each record.
        hard, soft: ``(k, 2)`` int arrays of record positions, both in one component.
        ids: record ids by position (for ``conflicts``).
        conflicts: list to which "same" decisions that could not be honoured are added.
    Returns:
        ``(roots, used)``: a cluster label (a record position) per record, and a bool per
        edge, False for an edge skipped.
    """
    roots = comp.copy()
    used = np.ones(len(el), dtype=bool)
    bound = np.zeros(n, dtype=bool)
    for arr in (hard, soft):
        bound[comp[arr[:, 0]]] = True
    ecomp = comp[el]
    edges = np.flatnonzero(bound[ecomp])     # edges inside those components (both ends share it)
    edges = edges[np.argsort(ecomp[edges], kind="stable")]   # by component, strongest first within
    ec = ecomp[edges]
    cons = []
    for arr in (hard, soft):
        arr = arr[np.argsort(comp[arr[:, 0]], kind="stable")]
        cons.append((arr, comp[arr[:, 0]]))
    for c in np.unique(ec).tolist():
        e = edges[np.searchsorted(ec, c, "left"):np.searchsorted(ec, c, "right")]
        nodes = np.unique(np.concatenate([el[e], er[e]]))
        local = [(np.searchsorted(nodes, arr[np.searchsorted(cc, c, "left"):np.searchsorted(cc, c, "right")]))
                 for arr, cc in cons]
        parent, skipped = _greedy_one(len(nodes), np.searchsorted(nodes, el[e]).tolist(),
                                      np.searchsorted(nodes, er[e]).tolist(), ep[e].tolist(), local)
        for k in skipped:
            used[e[k]] = False
            if ep[e[k]] > 1.0 and skipped[k]:
                conflicts.append((ids[el[e[k]]], ids[er[e[k]]]))
        roots[nodes] = nodes[parent]
    return roots, used


def _greedy_one(m, el, er, ep, constraints):
    """The greedy step on one component of ``m`` nodes numbered 0..m-1.

    Args:
        m: number of nodes.
        el, er, ep: lists of the component's edges, strongest first.
        constraints: ``[hard, soft]``, ``(k, 2)`` int arrays of local node numbers.
    Returns:
        ``(root, skipped)``: a numpy array of each node's root (the smallest node of its
        cluster) and ``{edge index: True if skipped by a hard pair}`` for skipped edges.
    """
    parent = list(range(m))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # root -> the roots it must stay apart from, for hard and soft; kept as roots (a merge
    # renames the absorbed root in its partners' sets), so a check is one set lookup. The
    # absorbing root is the one with more partners, so each partner set is renamed at most
    # O(log) times; the cluster's label (smallest node) is worked out at the end. Checking
    # every partner's root instead (set of nodes) took 391 CPU s at a million mentions.
    forbid: list[dict[int, set[int]]] = [{}, {}]
    for k, arr in enumerate(constraints):
        for a, b in arr.tolist():
            forbid[k].setdefault(a, set()).add(b)
            forbid[k].setdefault(b, set()).add(a)
    hard, soft = forbid

    skipped: dict[int, bool] = {}
    for k in range(len(el)):
        a, b = el[k], er[k]
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if rb in hard.get(ra, ()):
            skipped[k] = True
            continue
        if ep[k] <= 1.0 and rb in soft.get(ra, ()):
            skipped[k] = False
            continue
        if len(soft.get(ra, ())) + len(hard.get(ra, ())) < len(soft.get(rb, ())) + len(hard.get(rb, ())):
            ra, rb = rb, ra
        parent[rb] = ra   # rb is absorbed into ra
        for f in forbid:
            moved = f.pop(rb, None)
            if not moved:
                continue
            moved.discard(ra)   # a person's "same" joined two clusters kept apart by the model
            for x in moved:
                partners = f[x]
                partners.discard(rb)
                partners.add(ra)
            f.get(ra, set()).discard(rb)
            mine = f.get(ra)
            if mine is None:
                f[ra] = moved
            elif len(mine) < len(moved):
                moved.update(mine)
                f[ra] = moved
            else:
                mine.update(moved)
    root = np.array([find(i) for i in range(m)], dtype=np.int64)
    # label each cluster by its smallest node
    smallest = np.full(m, m, dtype=np.int64)
    np.minimum.at(smallest, root, np.arange(m, dtype=np.int64))
    return smallest[root], skipped

