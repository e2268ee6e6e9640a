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

import array
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


@dataclass
class Graph:
    """The edges of one clustering on record positions, made once by :func:`prepare`
    (record ids mapped to positions once, for every pass of :func:`solve`).

    Attributes:
        ids: record ids (text) by position.
        index: ``pd.Index`` of ``ids`` (position lookups).
        el, er, ep, ew: edges at or above the threshold and people's "same" decisions
            (record positions; probability, 2.0 for "same"; match weight in bits, ``inf``
            for "same", 0 when no weights were asked for), strongest first, "same" first;
            people's "different" pairs are no edges.
        comp: component label (the smallest member's position) of each record in the
            graph of all the edges.
        hard: ``(k, 2)`` int64 array of people's "different" pairs (positions).
    """

    ids: list[str]
    index: pd.Index
    el: np.ndarray
    er: np.ndarray
    ep: np.ndarray
    ew: np.ndarray
    comp: np.ndarray
    hard: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    def id_array(self) -> np.ndarray:
        """``ids`` as a numpy object array (made once)."""
        got = self.__dict__.get("_id_array")
        if got is None:
            got = self.__dict__["_id_array"] = np.array(self.ids, dtype=object)
        return got


@dataclass
class Solution:
    """The state of :func:`solve`: enough to redo only some components later.

    Attributes:
        roots: cluster label of each record (the smallest position in its cluster).
        first: cluster labels of the first pass (before the ambiguous records' pairs
            were dropped), which decide who is ambiguous.
        used: per edge of the :class:`Graph`, False for an edge skipped by the
            constraints or dropped (an ambiguous record's).
        active: per edge, False for an ambiguous record's pair dropped.
        conflict: per edge, True for a "same" decision skipped because of a "different" one.
        ambiguous: per record, True for an ambiguous one (left alone).
    """

    roots: np.ndarray
    first: np.ndarray
    used: np.ndarray
    active: np.ndarray
    conflict: np.ndarray
    ambiguous: np.ndarray
    _partners: _Partners | None = field(default=None, repr=False)
    _apart_rows: int = field(default=0, repr=False)


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

    The same as :func:`prepare`, :func:`solve` and :func:`result` in a row; callers that
    cluster again with more ``apart`` pairs (``kuager.linkage.link``'s cluster check)
    use those, so that only the components holding a new pair are redone.
    """
    graph = prepare(record_ids, pairs, threshold, decisions, weights=ambiguous_margin is not None)
    return result(graph, solve(graph, apart_positions(graph, apart), ambiguous_margin))


def prepare(record_ids: Iterable[Hashable], pairs: pd.DataFrame, threshold: float,
            decisions: Iterable = (), weights: bool = True,
            positions: tuple[np.ndarray, np.ndarray] | None = None) -> Graph:
    """Map the edges to record positions once (see :class:`Graph`).

    Args:
        record_ids, pairs, threshold, decisions: as :func:`cluster`.
        weights: keep the match weights (``match_weight`` of ``pairs``, else the log2 odds
            of the probability) for ``ambiguous_margin``; False: zeros.
        positions: the positions in ``record_ids`` of ``pairs``' two records (two int
            arrays aligned with the rows of ``pairs``), when the caller has them
            (``kuager.linkage.link`` above ``LARGE``, from the integer record keys): then
            ``unique_id_l`` and ``unique_id_r`` are not read, and no record id is looked up
            (at a million mentions the lookups of the 3.2 million strong pairs' ids took
            several CPU seconds). None: looked up by id.
    Raises:
        ValueError: bad decisions, a decision or pair on a record not in ``record_ids``,
            ``positions`` not aligned with ``pairs``.
    """
    ids = [str(r) for r in record_ids]
    index = pd.Index(ids)
    dec = normalise_decisions(decisions)
    pos: dict[str, int] = {}
    if dec:
        named = pd.unique(np.array([r for pair in dec for r in pair], dtype=object))
        at = index.get_indexer(named)
        for r, i in zip(named.tolist(), at.tolist()):
            if i < 0:
                raise ValueError(f"decision on unknown record {r!r}")
            pos[r] = i
    same = [(pos[a], pos[b]) for (a, b), d in dec.items() if d == "same"]
    diff = [(pos[a], pos[b]) for (a, b), d in dec.items() if d == "different"]

    strong = (pairs["match_probability"] >= threshold).to_numpy(dtype=bool)
    above = pairs[strong]
    if positions is None:
        li, ri = _positions(index, above["unique_id_l"]), _positions(index, above["unique_id_r"])
    else:
        pl, pr_ = (np.asarray(x) for x in positions)
        if len(pl) != len(pairs) or len(pr_) != len(pairs):
            raise ValueError("positions are not aligned with pairs")
        li, ri = pl[strong].astype(np.int64), pr_[strong].astype(np.int64)
        if len(li) and (max(li.max(), ri.max()) >= len(ids)):
            raise ValueError("pairs name records that are not in record_ids")
    pr = above["match_probability"].to_numpy(dtype=float)
    if weights:
        if "match_weight" in above.columns:
            pw = above["match_weight"].to_numpy(dtype=float)
        else:
            q = np.clip(pr, 1e-15, 1 - 1e-15)
            pw = np.log2(q / (1 - q))
    else:
        pw = np.zeros(len(pr))
    if (li < 0).any() or (ri < 0).any():
        raise ValueError("pairs name records that are not in record_ids")
    if diff:
        decided = set(diff)
        decided |= {(b, a) for a, b in diff}
        keep = np.array([(int(a), int(b)) not in decided for a, b in zip(li, ri)], dtype=bool)
        li, ri, pr, pw = li[keep], ri[keep], pr[keep], pw[keep]
    # all edges: "same" decisions first (probability above any model's), then strongest first
    el = np.concatenate([np.array([a for a, _ in same], dtype=np.int64), li])
    er = np.concatenate([np.array([b for _, b in same], dtype=np.int64), ri])
    ep = np.concatenate([np.full(len(same), 2.0), pr])
    ew = np.concatenate([np.full(len(same), np.inf), pw])
    order = np.argsort(-ep, kind="stable")
    el, er, ep, ew = el[order], er[order], ep[order], ew[order]
    hard = np.array(diff, dtype=np.int64).reshape(-1, 2)
    return Graph(ids, index, el, er, ep, ew, _components(len(ids), el, er), hard)


def apart_positions(graph: Graph, apart: pd.DataFrame | Iterable | None) -> np.ndarray | None:
    """``cluster``'s ``apart`` as a ``(k, 2)`` int64 array of positions (unknown ids left
    out), or None.

    Raises:
        ValueError: positions (an int array) outside the records.
    """
    if apart is None:
        return None
    if isinstance(apart, np.ndarray):
        out = apart.reshape(-1, 2).astype(np.int64)
        if len(out) and (out.min() < 0 or out.max() >= graph.n):
            raise ValueError("apart positions outside record_ids")
        return out
    if isinstance(apart, pd.DataFrame):
        al, ar = _positions(graph.index, apart["unique_id_l"]), _positions(graph.index, apart["unique_id_r"])
    else:
        tup = list(apart)
        al = _positions(graph.index, pd.Series([str(a) for a, _ in tup], dtype=object))
        ar = _positions(graph.index, pd.Series([str(b) for _, b in tup], dtype=object))
    ok = (al >= 0) & (ar >= 0)
    return np.stack([al[ok], ar[ok]], axis=1)


def solve(graph: Graph, apart: np.ndarray | None = None, ambiguous_margin: float | None = None,
          previous: Solution | None = None, changed: np.ndarray | None = None) -> Solution:
    """Constrained clustering of ``graph`` (see :func:`cluster`), on positions.

    Args:
        graph: from :func:`prepare`.
        apart: the model's keep-apart pairs, ``(k, 2)`` int positions, or None.
        ambiguous_margin: as :func:`cluster`.
        previous, changed: a solution of the same graph with fewer ``apart`` pairs, and
            the pairs added since (``(k, 2)`` positions, all inside ``apart``): only the
            components of the graph that hold one of them are redone. The result is the
            same as solving from scratch, since no edge or constraint crosses two
            components and each component is clustered on its own.
    Returns:
        :class:`Solution`.

    A component with no constraint inside stays whole. The others are redone by
    :func:`_greedy`; then, with ``ambiguous_margin``, the ambiguous records' pairs are
    dropped and the components that held one are redone again.
    """
    n, el, er, comp = graph.n, graph.el, graph.er, graph.comp
    soft = np.zeros((0, 2), dtype=np.int64) if apart is None else apart.reshape(-1, 2)
    if changed is not None:
        changed = changed.reshape(-1, 2)
    if previous is None:
        sol = Solution(comp.copy(), comp.copy(), np.ones(len(el), dtype=bool), np.ones(len(el), dtype=bool),
                       np.zeros(len(el), dtype=bool), np.zeros(n, dtype=bool))
        todo = np.zeros(n, dtype=bool)
        for arr in (graph.hard, soft):
            inside = comp[arr[:, 0]] == comp[arr[:, 1]]
            todo[comp[arr[inside, 0]]] = True
    else:
        sol = Solution(previous.roots.copy(), previous.first.copy(), previous.used.copy(), previous.active.copy(),
                       previous.conflict.copy(), previous.ambiguous.copy())
        todo = np.zeros(n, dtype=bool)
        if changed is not None and len(changed):
            inside = comp[changed[:, 0]] == comp[changed[:, 1]]
            todo[comp[changed[inside, 0]]] = True
    # each record's partners, kept for the next solve: only the pairs added since are sorted then
    if previous is not None and previous._partners is not None and changed is not None \
            and previous._apart_rows + len(changed) == len(soft):
        sol._partners = _Partners(n, _inside_components(changed, comp), before=previous._partners)
    else:
        sol._partners = _Partners(n, _inside_components(soft, comp))
    sol._apart_rows = len(soft)
    if not todo.any():
        return sol
    hard = _Partners(n, graph.hard)
    # the components to redo, their edges (all of them: the first pass) and constraints
    nodes = todo[comp]
    edges = np.flatnonzero(nodes[el])
    sol.active[edges] = True
    _greedy(n, edges, graph, hard, sol._partners, sol)
    sol.first[nodes] = sol.roots[nodes]
    if ambiguous_margin is None or not len(edges):
        sol.ambiguous[nodes] = False
        return sol
    amb = _ambiguous(n, el[edges], er[edges], graph.ew[edges], sol.roots, float(ambiguous_margin),
                     (sol._partners, hard) if AMBIGUOUS_REACHABLE else ())
    sol.ambiguous[nodes] = amb[nodes]
    if not amb.any():
        return sol
    # drop the ambiguous records' pairs (not people's "same" decisions), redo their components
    drop = edges[(amb[el[edges]] | amb[er[edges]]) & (graph.ep[edges] <= 1.0)]
    sol.active[drop] = False
    again = np.zeros(n, dtype=bool)
    again[comp[np.flatnonzero(amb)]] = True
    nodes = again[comp]
    edges = np.flatnonzero(nodes[el] & sol.active)
    sol.used[drop] = False
    sol.conflict[drop] = False
    _greedy(n, edges, graph, hard, sol._partners, sol, nodes)
    return sol


def result(graph: Graph, sol: Solution) -> Clustering:
    """The :class:`Clustering` of a :class:`Solution` (record ids, not positions).

    The cluster id is the smallest record id (as text) of the cluster; the probability
    of a record is its strongest edge still used (1.0 for a "same" decision), None
    when it is alone.
    """
    n, ids = graph.n, graph.ids
    roots = sol.roots
    sizes = np.bincount(roots, minlength=n)
    arr = graph.id_array()
    label = arr.copy()
    many = np.flatnonzero(sizes[roots] > 1)
    if len(many):
        # the smallest id of each cluster: ids in Python's text order, then the first per cluster
        order = many[np.argsort(arr[many], kind="stable")]
        first = np.full(n, -1, dtype=np.int64)
        rr = roots[order]
        # the first member (in text order) met for each cluster label
        uniq, at = np.unique(rr, return_index=True)
        first[uniq] = order[at]
        label[many] = arr[first[roots[many]]]
    # the probability that holds each record in its cluster: its strongest used edge
    used = sol.used & sol.active
    best = np.full(n, -1.0)
    p_used = np.minimum(graph.ep[used], 1.0)
    for side in (graph.el[used], graph.er[used]):
        np.maximum.at(best, side, p_used)
    prob = best.astype(object)
    prob[~((sizes[roots] > 1) & (best >= 0))] = None
    conflicts: list[tuple[str, str]] = []
    hit = np.flatnonzero(sol.conflict & sol.active)
    if len(hit):
        # in the order of the components (their labels), strongest first within one
        comp = _components(n, graph.el[sol.active], graph.er[sol.active])
        hit = hit[np.lexsort((hit, comp[graph.el[hit]]))]
        conflicts = [(ids[graph.el[k]], ids[graph.er[k]]) for k in hit.tolist()]
    return Clustering(dict(zip(ids, label.tolist())), dict(zip(ids, prob.tolist())), conflicts,
                      [ids[i] for i in np.flatnonzero(sol.ambiguous).tolist()])


def _inside_components(pairs: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """The rows of ``pairs`` (``(k, 2)`` positions) whose two records share a component:
    the others can never meet in one cluster."""
    return pairs[comp[pairs[:, 0]] == comp[pairs[:, 1]]]


#: A record counts as ambiguous between its cluster and another only when it could join the
#: other one: when the record itself is kept apart from a member of the other cluster (born 20
#: years apart from one of its mentions, say), the other cluster is no candidate for it, and it
#: stays where the clustering put it (:func:`_ambiguous`). At 100,000 synthetic mentions (seed 7)
#: 924 of the 4,117 ambiguous records were so, 704 of them in their person's cluster.
#: False: every close pair into another cluster counts (before 30 Nov 2026).
AMBIGUOUS_REACHABLE = True


def _ambiguous(n: int, el: np.ndarray, er: np.ndarray, ew: np.ndarray, roots: np.ndarray,
               margin: float, partners: tuple = ()) -> np.ndarray:
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
        partners: :class:`_Partners` of the constraints (the model's keep-apart pairs,
            people's "different" pairs): a pair into another cluster that holds one of
            the record's own partners does not count (the record could never join that
            cluster; :data:`AMBIGUOUS_REACHABLE`). Empty: every pair counts.
        Vectorised: O(edges + the partners of the records found close to another cluster).
    """
    a = np.concatenate([el, er])
    b = np.concatenate([er, el])
    w = np.concatenate([ew, ew])
    own = roots[a] == roots[b]
    best_own = np.full(n, -np.inf)
    np.maximum.at(best_own, a[own], w[own])
    close = ~own & np.isfinite(best_own[a]) & (w >= best_own[a] - margin)
    if partners and close.any():
        # the clusters each close record is kept apart from, as record * n + cluster label
        who = np.unique(a[close])
        barred = []
        for part in partners:
            if not part.rows:
                continue
            starts, counts = part._ptr[who], part._count[who]
            at = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
            mates = np.frombuffer(part.arr, dtype=np.int32)[at].astype(np.int64)
            barred.append(np.repeat(who, counts) * n + roots[mates])
        if barred:
            close[close] = ~np.isin(a[close] * n + roots[b[close]], np.concatenate(barred))
    out = np.zeros(n, dtype=bool)
    out[a[close]] = True
    return out


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


def _greedy(n, edges, graph, hard, soft, sol, nodes=None):
    """:func:`_greedy_loop` with Python's cyclic garbage collector paused: the loop makes
    hundreds of thousands of small sets and tuples (no reference cycles), and each
    allocation count past the collector's threshold set off a pass over the tracked objects
    (offline at 300,000 synthetic mentions: the first solve 1.7-2.5 CPU s with it running,
    1.4-1.5 paused; the same clusters). Re-enabled after, if it was on."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        _greedy_loop(n, edges, graph, hard, soft, sol, nodes)
    finally:
        if was:
            gc.enable()


def _greedy_loop(n, edges, graph, hard, soft, sol, nodes=None):
    """Add ``edges`` strongest first, skipping one that would put a kept-apart pair together.

    ``hard`` (people's "different") binds every edge; ``soft`` (the model's "clearly
    different") binds only the model's edges, not people's "same" decisions. The
    components are independent (no edge or constraint crosses two), so the edges go
    component by component, strongest first within each.

    Each cluster keeps the set of its members (clusters of two or more) and the number of
    constraints of its members. Whether two clusters may merge is found by reading the
    partners of the members of the cluster with fewer constraints (:class:`_Partners`,
    array slices) against the other cluster's members (``isdisjoint``, at C speed); a merge
    adds the smaller member set into the larger (each record is moved O(log) times).
    No set of partners is ever built or renamed: before (a Python set of partner
    roots per constrained record, renamed on each merge, with numpy calls per component)
    a ``cluster`` call (two passes) took 116-127 CPU s at a million synthetic mentions;
    with sets of forbidden records joined on merges, a first pass took 13 CPU s (loop).

    Args:
        n: number of records.
        edges: indices of the graph's edges to add (ascending: strongest first).
        graph: :class:`Graph`.
        hard, soft: :class:`_Partners`.
        sol: :class:`Solution`; ``roots``, ``used`` and ``conflict`` are written for the
            records and edges of ``nodes`` (bool per record; default: the ends of ``edges``).
    """
    el, er, ep, comp = graph.el, graph.er, graph.ep, graph.comp
    if nodes is None:
        nodes = np.zeros(n, dtype=bool)
        nodes[el[edges]] = True
        nodes[er[edges]] = True
    sol.used[edges] = True
    sol.conflict[edges] = False
    edges = edges[np.argsort(comp[el[edges]], kind="stable")]   # by component, strongest first within
    root = list(range(n))
    ptr, arr = soft.ptr, soft.arr
    # per root, the constraints of its cluster's members (a record alone: its own); a list
    # (a copy: the partners are kept for the next solve), not a dict beside the members
    deg = soft.deg.copy()
    has_hard = hard.rows > 0
    members: list[set[int] | None] = [None] * n   # root -> its members (clusters of two or more)
    made: list[int] = []                          # roots given a member set (dropped in bulk)
    skipped: list[int] = []
    conflicts: list[int] = []
    current = -1
    for k, a, b, p, c in zip(edges.tolist(), el[edges].tolist(), er[edges].tolist(), ep[edges].tolist(),
                             comp[el[edges]].tolist()):
        ra, rb = root[a], root[b]
        if ra == rb:
            continue
        if c != current:
            # a new component: the sets of the last ones are never needed again (dropped
            # once they hold many: clearing at every component took longer than the rest)
            current = c
            if len(made) > _CLEAR_AT:
                for r in made:
                    members[r] = None
                made.clear()
        ma, mb = members[ra], members[rb]
        if has_hard and (_crosses((ra,) if ma is None else ma, rb, mb, hard)):
            skipped.append(k)
            if p > 1.0:
                conflicts.append(k)
            continue
        da, db = deg[ra], deg[rb]
        if p <= 1.0 and da and db:
            # the partners of the side with fewer constraints, against the other's members
            # (as _crosses, inline: most of the time goes here)
            if da <= db:
                xs, other, mo = ((ra,) if ma is None else ma), rb, mb
            else:
                xs, other, mo = ((rb,) if mb is None else mb), ra, ma
            hit = False
            if mo is None:
                for x in xs:
                    if other in arr[ptr[x]:ptr[x + 1]]:
                        hit = True
                        break
            else:
                for x in xs:
                    if not mo.isdisjoint(arr[ptr[x]:ptr[x + 1]]):
                        hit = True
                        break
            if hit:
                skipped.append(k)
                continue
        # the cluster with more members absorbs the other (its members are renamed)
        if (1 if mb is None else len(mb)) > (1 if ma is None else len(ma)):
            ra, rb, ma, mb = rb, ra, mb, ma
        if ma is None:
            members[ra] = {ra, rb}
            made.append(ra)
            root[rb] = ra
        elif mb is None:
            ma.add(rb)
            root[rb] = ra
        else:
            ma |= mb
            for x in mb:
                root[x] = ra
            members[rb] = None
        deg[ra] = da + db
    sol.used[np.array(skipped, dtype=np.int64)] = False
    sol.conflict[np.array(conflicts, dtype=np.int64)] = True
    at = np.flatnonzero(nodes)
    r = np.array(root, dtype=np.int64)[at]
    # label each cluster by its smallest record position
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, r, at)
    sol.roots[at] = smallest[r]


def _crosses(xs, other: int, others, partners: _Partners) -> bool:
    """Whether a record of ``xs`` has a partner (:class:`_Partners`) in the cluster of
    root ``other`` (members ``others``, a set, or None for ``other`` alone)."""
    ptr, arr = partners.ptr, partners.arr
    for x in xs:
        s, e = ptr[x], ptr[x + 1]
        if s != e:
            if others is None:
                if other in arr[s:e]:
                    return True
            elif not others.isdisjoint(arr[s:e]):
                return True
    return False


class _Partners:
    """Each record's partners in a ``(k, 2)`` array of pairs of positions (both
    directions), as CSR arrays: the partners of record i are ``arr[ptr[i]:ptr[i + 1]]``
    (``ptr`` a list, ``arr`` an ``array('i')``, whose slices are cheap). Built with one
    sort of the pairs packed into int64 (an argsort took 4 s for the 14 million pairs of
    a million mentions; the sort, 1 s); pairs added later (``before``: the partners so far)
    are merged in without sorting the old ones again.

    Attributes:
        ptr, arr: the CSR arrays.
        deg: number of partners of each record (a list).
        rows: number of pairs.
    """

    def __init__(self, n: int, pairs: np.ndarray, before: _Partners | None = None):
        a = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
        b = np.concatenate([pairs[:, 1], pairs[:, 0]]).astype(np.int64)
        key = a * n + b
        key.sort()
        count = np.bincount(a, minlength=n)
        part = (key % n).astype(np.int32)
        del a, b, key
        self.rows = len(pairs)
        if before is not None:
            # each record's old partners, then its new ones: every old partner moves by
            # the number of new partners of the records before it
            old_ptr, old_count = before._ptr, before._count
            shift = np.zeros(n, dtype=np.int64)
            np.cumsum(count[:-1], out=shift[1:])
            merged = np.empty(len(before.arr) + len(part), dtype=np.int32)
            old_at = np.arange(len(before.arr), dtype=np.int64) + np.repeat(shift, old_count)
            merged[old_at] = np.frombuffer(before.arr, dtype=np.int32)
            filled = np.zeros(len(merged), dtype=bool)
            filled[old_at] = True
            merged[~filled] = part
            part = merged
            count = count + old_count
            self.rows += before.rows
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        self._ptr, self._count = ptr, count
        self.ptr: list[int] = ptr.tolist()
        self.arr = array.array("i")
        self.arr.frombytes(part.tobytes())
        self.deg: list[int] = count.tolist()


#: :func:`_greedy` drops the member sets of finished components once they hold this many roots.
_CLEAR_AT = 50_000
