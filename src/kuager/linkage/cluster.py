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
        ambiguous: records left out of every cluster because they match two or more
            clusters kept apart from each other about equally well (see :func:`cluster`,
            ``ambiguous_margin``), in record order; they are alone, for people to decide,
            unless :func:`place_ambiguous` placed them (``placed``).
        placed: the ambiguous records that :func:`place_ambiguous` put into a cluster (their
            name is clearly closer to it than to the other candidates), in record order; they
            stay in ``ambiguous`` (still for people to check).
        split: the model's pairs (at or above the threshold) that ``merge_share`` kept from
            joining two clusters which stayed apart to the end, as ``(a, b)`` in the order of
            the pairs' columns (``unique_id_l``, ``unique_id_r``), strongest first
            (:func:`split_edges`): two groups that look like one person by a strong pair,
            for people to decide.
    """

    clusters: dict[str, str]
    probability: dict[str, float | None]
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    placed: list[str] = field(default_factory=list)
    split: list[tuple[str, str]] = field(default_factory=list)


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
        rank: None, or each record's rank in the text (code-point) order of ``ids``
            (:func:`result` then finds each cluster's smallest id without sorting texts).
        row: per edge, its row position in the ``pairs`` given to :func:`prepare` (-1 for a
            person's "same" decision), to mark pairs found by the clustering (:func:`split_edges`).
    """

    ids: list[str]
    index: pd.Index
    el: np.ndarray
    er: np.ndarray
    ep: np.ndarray
    ew: np.ndarray
    comp: np.ndarray
    hard: np.ndarray
    rank: np.ndarray | None = None
    row: np.ndarray | None = None

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
        ambiguous: per record, True for an ambiguous one (left alone, unless placed).
        placed: None, or per record True for an ambiguous one placed by :func:`place_ambiguous`.
    """

    roots: np.ndarray
    first: np.ndarray
    used: np.ndarray
    active: np.ndarray
    conflict: np.ndarray
    ambiguous: np.ndarray
    _base: _Partners | None = field(default=None, repr=False)
    _added: np.ndarray | None = field(default=None, repr=False)
    _apart_rows: int = field(default=0, repr=False)
    _refused: np.ndarray | None = field(default=None, repr=False)
    placed: np.ndarray | None = None


def cluster(record_ids: Iterable[Hashable], pairs: pd.DataFrame, threshold: float,
            decisions: Iterable = (), apart: pd.DataFrame | Iterable | None = None,
            ambiguous_margin: float | None = None, merge_share: float | None = None) -> Clustering:
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
        merge_share: None (off: clusters are the connected components, split only by the
            constraints), or a share (0-1): two clusters of at least :data:`MERGE_FROM`
            records each are joined by one of the model's edges only when at least this share
            of the pairs between them are edges (at or above the threshold); else the edge is
            skipped (average linkage on top of the single linkage of the edges). People's
            "same" decisions always join.
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
    return result(graph, solve(graph, apart_positions(graph, apart), ambiguous_margin, merge_share=merge_share))


def prepare(record_ids: Iterable[Hashable], pairs: pd.DataFrame, threshold: float,
            decisions: Iterable = (), weights: bool = True,
            positions: tuple[np.ndarray, np.ndarray] | None = None, rank: np.ndarray | None = None) -> Graph:
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
        rank: None, or each record's rank in the text order of the ids (a permutation of
            ``0 .. n-1`` aligned with ``record_ids``; ``kuager.linkage.link``'s integer record
            keys), kept as :attr:`Graph.rank`.
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
    rows = np.flatnonzero(strong)
    if diff:
        decided = set(diff)
        decided |= {(b, a) for a, b in diff}
        keep = np.array([(int(a), int(b)) not in decided for a, b in zip(li, ri)], dtype=bool)
        li, ri, pr, pw, rows = li[keep], ri[keep], pr[keep], pw[keep], rows[keep]
    # all edges: "same" decisions first (probability above any model's), then strongest first
    el = np.concatenate([np.array([a for a, _ in same], dtype=np.int64), li])
    er = np.concatenate([np.array([b for _, b in same], dtype=np.int64), ri])
    ep = np.concatenate([np.full(len(same), 2.0), pr])
    ew = np.concatenate([np.full(len(same), np.inf), pw])
    row = np.concatenate([np.full(len(same), -1, dtype=np.int64), rows.astype(np.int64)])
    order = np.argsort(-ep, kind="stable")
    el, er, ep, ew, row = el[order], er[order], ep[order], ew[order], row[order]
    hard = np.array(diff, dtype=np.int64).reshape(-1, 2)
    if rank is not None:
        rank = np.asarray(rank, dtype=np.int64)
        if len(rank) != len(ids):
            raise ValueError("rank is not aligned with record_ids")
    return Graph(ids, index, el, er, ep, ew, _components(len(ids), el, er), hard, rank, row)


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
          previous: Solution | None = None, changed: np.ndarray | None = None,
          merge_share: float | None = None, loose: np.ndarray | None = None) -> Solution:
    """Constrained clustering of ``graph`` (see :func:`cluster`), on positions.

    Args:
        graph: from :func:`prepare`.
        apart: the model's keep-apart pairs, ``(k, 2)`` int positions, or None.
        ambiguous_margin: as :func:`cluster`.
        previous, changed: a solution of the same graph with fewer ``apart`` pairs, and
            the pairs added since (``(k, 2)`` positions, all inside ``apart``): only the
            components of the graph that hold one of them are redone. The result is the
            same as solving from scratch, since no edge or constraint crosses two
            components and each component is clustered on its own (``previous`` must have
            been solved with the same ``merge_share``).
        merge_share: as :func:`cluster`.
        loose: None, or ``(k, 2)`` positions: some of the ``apart`` pairs of the first solve
            (not of ``changed``) that bind the greedy step like the others but do not bar a
            record left alone from joining a cluster afterwards (:func:`_reattach`); the same
            on every solve of one graph. None or empty: no such pass.
    Returns:
        :class:`Solution`.

    A component with no constraint inside stays whole (without ``merge_share``). The others are redone by
    :func:`_greedy`; then, with ``ambiguous_margin``, the ambiguous records' pairs are
    dropped and the components that held one are redone again; then, with ``loose``
    pairs, a record left alone whose strong pairs all go to one cluster joins it when
    only ``loose`` pairs keep it apart from that cluster (:func:`_reattach`).
    """
    n, el, er, comp = graph.n, graph.el, graph.er, graph.comp
    soft = np.zeros((0, 2), dtype=np.int64) if apart is None else apart.reshape(-1, 2).astype(np.int64, copy=False)
    todo = np.zeros(n, dtype=bool)
    if changed is not None:
        changed = changed.reshape(-1, 2).astype(np.int64, copy=False)
    if previous is None:
        sol = Solution(comp.copy(), comp.copy(), np.ones(len(el), dtype=bool), np.ones(len(el), dtype=bool),
                       np.zeros(len(el), dtype=bool), np.zeros(n, dtype=bool))
    else:
        sol = Solution(previous.roots.copy(), previous.first.copy(), previous.used.copy(), previous.active.copy(),
                       previous.conflict.copy(), previous.ambiguous.copy())
        if previous._refused is not None:
            sol._refused = previous._refused.copy()
    # the keep-apart pairs as partners (kept for the next solve): those of the first solve,
    # and those added since (previous, changed), which are few, rebuilt each time
    hard = _Partners(n, graph.hard, comp, todo if previous is None else None)
    if previous is not None and previous._base is not None and changed is not None \
            and previous._apart_rows + len(changed) == len(soft):
        sol._base = previous._base
        sol._added = np.concatenate([previous._added, changed])
        _Partners(n, changed, comp, todo)   # marks the components of the new pairs
        extra = _Partners(n, sol._added, comp)
    else:
        if previous is not None:
            # not the pairs of previous plus changed: all of them again, redo changed's components
            _Partners(n, np.zeros((0, 2), dtype=np.int64) if changed is None else changed, comp, todo)
        sol._base = _Partners(n, soft, comp, todo if previous is None else None)
        sol._added = np.zeros((0, 2), dtype=np.int64)
        extra = _Partners(n, sol._added, comp)
    sol._apart_rows = len(soft)
    if merge_share and previous is None:
        # every component with an edge, constrained or not: a merge may be refused
        todo[comp[graph.el]] = True
    if not todo.any():
        return sol
    # the components to redo, their edges (all of them: the first pass) and constraints
    nodes = todo[comp]
    edges = np.flatnonzero(nodes[el])
    sol.active[edges] = True
    _greedy(n, edges, graph, hard, sol._base, extra, sol, share=merge_share)
    sol.first[nodes] = sol.roots[nodes]
    redone = nodes
    if ambiguous_margin is None or not len(edges):
        sol.ambiguous[nodes] = False
    else:
        # an edge the greedy step refused for too few edges between two clusters (merge_share) joins
        # clusters no constraint keeps apart: not a sign of two people the record could belong to
        seen = edges if sol._refused is None else edges[~sol._refused[edges]]
        amb = _ambiguous(n, el[seen], er[seen], graph.ew[seen], sol.roots, float(ambiguous_margin),
                         (sol._base, extra, hard) if AMBIGUOUS_REACHABLE else ())
        sol.ambiguous[nodes] = amb[nodes]
        if amb.any():
            # drop the ambiguous records' pairs (not people's "same" decisions), redo their components
            drop = edges[(amb[el[edges]] | amb[er[edges]]) & (graph.ep[edges] <= 1.0)]
            sol.active[drop] = False
            again = np.zeros(n, dtype=bool)
            again[comp[np.flatnonzero(amb)]] = True
            nodes = again[comp]
            sol.used[drop] = False
            sol.conflict[drop] = False
            _greedy(n, np.flatnonzero(nodes[el] & sol.active), graph, hard, sol._base, extra, sol, nodes,
                    share=merge_share)
    if loose is not None and len(loose):
        _reattach(n, graph, sol, redone, loose, hard, extra)
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
    if len(many) and graph.rank is not None:
        # the smallest id of each cluster: the smallest rank, back to its position
        smallest = np.full(n, n, dtype=np.int64)
        np.minimum.at(smallest, roots[many], graph.rank[many])
        position = np.empty(n, dtype=np.int64)
        position[graph.rank] = np.arange(n, dtype=np.int64)
        label[many] = arr[position[smallest[roots[many]]]]
    elif len(many):
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
    placed = [] if sol.placed is None else [ids[i] for i in np.flatnonzero(sol.placed).tolist()]
    split = [(ids[a], ids[b]) for k in split_edges(graph, sol).tolist()
             for a, b in [(int(graph.el[k]), int(graph.er[k]))]]
    return Clustering(dict(zip(ids, label.tolist())), dict(zip(ids, prob.tolist())), conflicts,
                      [ids[i] for i in np.flatnonzero(sol.ambiguous).tolist()], placed, split)


def split_edges(graph: Graph, sol: Solution) -> np.ndarray:
    """The edges that ``merge_share`` refused (:func:`_greedy`, flag 3) between two clusters
    that are still apart in ``sol``: those a person should see (review), since the two
    groups look like one person by a strong pair but were kept split.

    Args:
        graph, sol: from :func:`prepare` and :func:`solve` (or :func:`place_ambiguous`).
    Returns:
        ascending edge indices of ``graph`` (strongest first), int64; empty without
        ``merge_share`` or when every refused join was made later through other edges.
        An ambiguous record's pairs (dropped, ``Solution.active`` False) are left out:
        they are in review as the ambiguous record's; so are people's "same" decisions
        (never refused).
    """
    if sol._refused is None:
        return np.zeros(0, dtype=np.int64)
    k = np.flatnonzero(sol._refused & sol.active & (graph.ep <= 1.0))
    return k[sol.roots[graph.el[k]] != sol.roots[graph.er[k]]]


def place_ambiguous(graph: Graph, sol: Solution, similarity, gap: float, margin: float = 0.0) -> Solution:
    """Put an ambiguous record into the one candidate cluster whose name is clearly the
    closest to its own: a sharper ambiguity test, after :func:`solve`.

    ``ambiguous_margin`` compares match weights, and the name comparison's highest level
    ("same full-name key") holds names that the names module's coarse keys cannot tell
    apart (Сәуле and Саясұлу Қабылханқызы, 沙吾列 and 萨亚苏鲁, Муратбек and Маратбек share a key):
    a mention then matches its own person and a differently named one with the same weight.
    Here, for each ambiguous record (left alone by :func:`solve`):

    1. its *candidates* are the clusters of the records its edges (pairs at or above the
       threshold; not people's "same" decisions, which make no record ambiguous) reach,
       other than ambiguous records (alone) and clusters holding one of its keep-apart
       partners or people's "different" partners (it could never join those);
    2. of those, the ones whose best match weight is within ``margin`` bits of the best
       candidate's are compared by their best name similarity (``similarity`` of the
       record and each member it has an edge with);
    3. when exactly one has a similarity above the best one's minus ``gap`` (the best
       itself always counts: a single candidate always takes the record, and with a gap of
       0 only a tie at the top keeps it alone), the record joins it; else it stays alone.

    Records are placed in position order; one whose cluster already holds a keep-apart
    partner placed before it stays alone. A placed record's edges into its cluster are in
    use again (its probability), and it stays in ``ambiguous`` (its pairs in review).

    Args:
        graph, sol: from :func:`prepare` and :func:`solve` (with ``ambiguous_margin``).
        similarity: ``f(a, b) -> float array``: the name similarity (0-1) of records at
            positions ``a`` and ``b`` (two int arrays of one length), e.g. the best
            :func:`kuager.names.similarity` of their spellings.
        gap: similarity (>= 0) by which the chosen candidate must beat every other.
        margin: bits; candidates whose best weight is lower than the best candidate's by
            more are not compared (``ambiguous_margin``).
    Returns:
        a new :class:`Solution` (``sol`` is not changed) with ``placed`` set; ``roots``
        relabelled so that each cluster's label is its smallest position.

    Measured (seed 7, 100,000 SYNTHETIC mentions, docs/linkage.md "Ambiguous records,
    session 6"): gap 0.05 places 924 of 3,223 ambiguous records, 69 % of them in a cluster
    holding a mention of their person; B-cubed F1 0.9439 -> 0.9459. Not followed by the
    cluster check of ``kuager.linkage.link`` (1 of the 924 joined a cluster with a member
    it contradicts but was never compared with).
    """
    n, el, er, ep, ew = graph.n, graph.el, graph.er, graph.ep, graph.ew
    amb = sol.ambiguous
    out = Solution(sol.roots.copy(), sol.first, sol.used.copy(), sol.active.copy(), sol.conflict.copy(),
                   sol.ambiguous, sol._base, sol._added, sol._apart_rows, sol._refused,
                   placed=np.zeros(n, dtype=bool))
    if not amb.any() or not len(el):
        return out
    roots = sol.roots
    e = np.flatnonzero((amb[el] | amb[er]) & (ep <= 1.0))
    one = amb[el[e]] & ~amb[er[e]]
    two = amb[er[e]] & ~amb[el[e]]
    x = np.concatenate([el[e[one]], er[e[two]]])
    y = np.concatenate([er[e[one]], el[e[two]]])
    w = np.concatenate([ew[e[one]], ew[e[two]]])
    if not len(x):
        return out
    c = roots[y]
    # clusters holding one of the record's partners are no candidates
    partners = [_Partners(n, graph.hard, graph.comp)]
    if sol._base is not None:
        partners.append(sol._base)
    if sol._added is not None and len(sol._added):
        partners.append(_Partners(n, sol._added, graph.comp))
    xs = np.flatnonzero(amb)
    barred_keys = [np.zeros(0, dtype=np.int64)]
    for p in partners:
        cnt = p.ptr[xs + 1] - p.ptr[xs]
        if not cnt.sum():
            continue
        owner = np.repeat(xs, cnt)
        start = np.repeat(p.ptr[xs] - np.cumsum(cnt) + cnt, cnt)
        mate = p.arr[start + np.arange(cnt.sum())]
        barred_keys.append(owner * n + roots[mate])
    key = x * n + c
    ok = ~np.isin(key, np.concatenate(barred_keys))
    x, y, w, c, key = x[ok], y[ok], w[ok], c[ok], key[ok]
    if not len(x):
        return out
    s = np.asarray(similarity(x, y), dtype=float)
    frame = pd.DataFrame({"x": x, "c": c, "w": np.nan_to_num(w, nan=-np.inf), "s": np.nan_to_num(s, nan=0.0)})
    cand = frame.groupby(["x", "c"], sort=True).agg(w=("w", "max"), s=("s", "max")).reset_index()
    cand = cand[cand["w"] >= cand.groupby("x")["w"].transform("max") - margin]
    top = cand.groupby("x")["s"].transform("max")
    # within the gap of the best; the best itself always (a gap of 0: only ties at the top)
    near = cand[(cand["s"] > top - gap) | (cand["s"] >= top)]
    single = near.groupby("x")["c"].transform("size") == 1
    chosen = near[single.to_numpy()]
    target = dict(zip(chosen["x"].tolist(), chosen["c"].tolist()))
    placed: dict[int, int] = {}
    for r in sorted(target):
        to = target[r]
        # a keep-apart partner placed into that cluster before it
        if any(placed.get(int(m)) == to for p in partners for m in p.arr[p.ptr[r]:p.ptr[r + 1]]):
            continue
        placed[r] = to
    if not placed:
        return out
    at = np.fromiter(placed.keys(), dtype=np.int64, count=len(placed))
    to = np.fromiter(placed.values(), dtype=np.int64, count=len(placed))
    new = roots.copy()
    new[at] = to
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, new, np.arange(n, dtype=np.int64))
    out.roots = smallest[new]
    out.placed[at] = True
    # the placed records' edges into their cluster are in use again
    back = e[(out.placed[el[e]] | out.placed[er[e]]) & (out.roots[el[e]] == out.roots[er[e]])]
    out.active[back] = True
    out.used[back] = True
    out.conflict[back] = False
    return out


def changed_records(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Per record, whether its cluster in ``after`` differs from its cluster in ``before``
    (two cluster labellings of the same records, e.g. :attr:`Solution.roots` before and
    after a solve): False when the cluster has exactly the same members as before. The
    same for every member of a cluster."""
    n = len(after)
    lo = np.full(n, n, dtype=np.int64)
    np.minimum.at(lo, after, before)
    hi = np.full(n, -1, dtype=np.int64)
    np.maximum.at(hi, after, before)
    same = (lo[after] == hi[after]) & (np.bincount(before, minlength=n)[before] == np.bincount(after, minlength=n)[after])
    return ~same


def inside_pairs(left: np.ndarray, right: np.ndarray, comp: np.ndarray,
                 position: np.ndarray | None = None) -> np.ndarray:
    """The pairs whose two records share a component (only those can ever meet in one
    cluster), as a ``(k, 2)`` int64 array of record positions, in the order given.

    Args:
        left, right: the pairs' records (int arrays of one length): positions, or keys
            mapped to positions by ``position`` (``position[key]``).
        comp: component label per record position (:attr:`Graph.comp`).
        position: None, or the position of each key.
    """
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    if position is None:
        position = np.arange(len(comp), dtype=np.int64)
    return _kernel("_inside_kernel", len(left))(left, right, comp, np.ascontiguousarray(position, dtype=np.int64))


def _inside_kernel(left, right, comp, position):
    """:func:`inside_pairs` (compiled like :func:`_greedy_kernel`): a count, then a fill."""
    k = 0
    for i in range(len(left)):
        if comp[position[left[i]]] == comp[position[right[i]]]:
            k += 1
    out = np.empty((k, 2), dtype=np.int64)
    k = 0
    for i in range(len(left)):
        a = position[left[i]]
        b = position[right[i]]
        if comp[a] == comp[b]:
            out[k, 0] = a
            out[k, 1] = b
            k += 1
    return out


def inside_flags(left: np.ndarray, right: np.ndarray, comp: np.ndarray, flag: np.ndarray,
                 position: np.ndarray | None = None) -> np.ndarray:
    """``flag`` (a bool per pair) of the pairs that :func:`inside_pairs` keeps, in its order:
    a bool array aligned with its rows (``kuager.linkage.link`` marks the loose keep-apart pairs
    so, without copying the tens of millions of pairs a million mentions give).

    Args:
        left, right, comp, position: as :func:`inside_pairs`.
        flag: bool array, one per pair.
    """
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    if position is None:
        position = np.arange(len(comp), dtype=np.int64)
    return _kernel("_inside_flags_kernel", len(left))(left, right, comp, np.ascontiguousarray(position, dtype=np.int64),
                                                      np.ascontiguousarray(flag, dtype=np.bool_))


def _inside_flags_kernel(left, right, comp, position, flag):
    """:func:`inside_flags` (compiled like :func:`_greedy_kernel`): a count, then a fill."""
    k = 0
    for i in range(len(left)):
        if comp[position[left[i]]] == comp[position[right[i]]]:
            k += 1
    out = np.empty(k, dtype=np.bool_)
    k = 0
    for i in range(len(left)):
        if comp[position[left[i]]] == comp[position[right[i]]]:
            out[k] = flag[i]
            k += 1
    return out


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
        partners: :class:`_Partners` of the constraints (the model's keep-apart pairs,
            people's "different" pairs): a pair into another cluster that holds one of
            the record's own partners does not count (the record could never join that
            cluster; :data:`AMBIGUOUS_REACHABLE`). Empty: every pair counts.
    Returns:
        a bool array over the records. An edge between two clusters survives clustering
        only when constraints kept them apart, so a record with such an edge within
        ``margin`` of its best edge into its own cluster would join two clusters that
        must stay apart. A record left alone is not ambiguous (it joined nothing).
        Two passes over the edges (:func:`_ambiguous_kernel`).
    """
    parts = list(partners)
    if len(parts) > 3:
        raise ValueError("at most three sets of partners")
    empty = (np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32))
    csr = [(p.ptr, p.arr) for p in parts] + [empty] * (3 - len(parts))
    return _kernel("_ambiguous_kernel", len(el))(n, el, er, ew, roots, float(margin), bool(parts),
                                                  csr[0][0], csr[0][1], csr[1][0], csr[1][1], csr[2][0], csr[2][1])


def _ambiguous_kernel(n, el, er, ew, roots, margin, reach, p1, a1, p2, a2, p3, a3):
    """:func:`_ambiguous`: per record the highest match weight of its edges into its own
    cluster (``-inf`` when none; NaN once a NaN weight is met, as ``np.maximum``), then each
    edge into another cluster within ``margin`` of it makes its record ambiguous unless
    (``reach``) one of the record's partners (CSR arrays ``p1, a1`` ... ``p3, a3``) is in
    that cluster. Compiled like :func:`_greedy_kernel`."""
    best_own = np.full(n, -np.inf)
    for i in range(len(el)):
        a = el[i]
        b = er[i]
        w = ew[i]
        if roots[a] == roots[b]:
            for x in (a, b):
                if best_own[x] == best_own[x] and (w != w or w > best_own[x]):
                    best_own[x] = w
    out = np.zeros(n, dtype=np.bool_)
    for i in range(len(el)):
        a = el[i]
        b = er[i]
        w = ew[i]
        if roots[a] == roots[b]:
            continue
        for k in range(2):
            x = a if k == 0 else b
            y = b if k == 0 else a
            bo = best_own[x]
            if out[x] or not (bo > -np.inf and bo < np.inf) or not (w >= bo - margin):
                continue
            barred = False
            if reach:
                ry = roots[y]
                for t in range(3):
                    ptr = p1 if t == 0 else (p2 if t == 1 else p3)
                    arr = a1 if t == 0 else (a2 if t == 1 else a3)
                    for j in range(ptr[x], ptr[x + 1]):
                        if roots[arr[j]] == ry:
                            barred = True
                            break
                    if barred:
                        break
            if not barred:
                out[x] = True
    return out


def _reattach(n: int, graph: Graph, sol: Solution, nodes: np.ndarray, loose: np.ndarray,
              hard: _Partners, extra: _Partners) -> int:
    """Join records left alone to the one cluster their strong pairs go to, when only
    ``loose`` keep-apart pairs kept them out (``solve(loose=...)``).

    A record of ``nodes`` (bool per record: the components just redone) that is alone and
    not ambiguous, whose edges still active (not an ambiguous record's) all go into one
    cluster, joins that cluster unless it has a keep-apart partner there (the model's pairs
    of ``sol._base`` not among ``loose``, those of ``extra``, people's "different" pairs of
    ``hard``). Records in position order, each seeing the joins before it; the edges that
    now hold a joined record are marked used, and the clusters that gained a member are
    labelled again by their smallest position. The loop is :func:`_reattach_kernel`.

    Why: the greedy step leaves a record alone only when every cluster it has a strong pair
    into holds one of its keep-apart partners. At 100,000 synthetic mentions (seed 7, 30 Nov
    2026) 848 records were alone so; where the partner was kept apart only as a possible
    sibling (the same father's name, given names partly alike) scored at 0.5 or more, their
    strong pairs' cluster was their person's for 88 % (179), against 30 % for a partner born
    more than 3 years apart (108) and 11 % for other pairs (984).

    Returns:
        the number of records joined.
    """
    lp = _Partners(n, loose, graph.comp)
    cand = nodes & ~sol.ambiguous & (np.bincount(sol.roots[nodes], minlength=n)[sol.roots] == 1)
    edges = np.flatnonzero(nodes[graph.el] & sol.active)
    if not cand.any() or not len(edges):
        return 0
    base = sol._base
    roots = sol.roots.copy()
    used = np.zeros(len(edges), dtype=np.bool_)
    joined = _kernel("_reattach_kernel", len(edges))(
        graph.el[edges], graph.er[edges], roots, cand, base.ptr, base.arr, extra.ptr, extra.arr,
        hard.ptr, hard.arr, lp.ptr, lp.arr, used)
    if not joined:
        return 0
    sol.used[edges[used]] = True
    sol.conflict[edges[used]] = False
    at = np.flatnonzero(nodes)
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, roots[at], at)
    sol.roots[at] = smallest[roots[at]]
    return int(joined)


def _reattach_kernel(el, er, roots, cand, sptr, sarr, xptr, xarr, hptr, harr, lptr, larr, used):
    """:func:`_reattach` on arrays (compiled like :func:`_greedy_kernel`).

    Args:
        el, er: the active edges of the components redone (strongest first).
        roots: cluster label per record; written: a joined record takes its cluster's label.
        cand: per record, True for one alone and not ambiguous.
        sptr, sarr / xptr, xarr / hptr, harr: CSR partners that bar (the model's keep-apart
            pairs, the cluster check's, people's "different"); lptr, larr: the ``loose`` ones,
            which do not (a partner among the first that is also among these does not bar).
        used: per edge, False; written True for an edge between a joined record and its cluster.
    Returns:
        the number of records joined.
    """
    n = len(roots)
    target = np.full(n, -1, dtype=np.int64)   # -1 no edge, -2 edges into two clusters or more
    for i in range(len(el)):
        for k in range(2):
            x = el[i] if k == 0 else er[i]
            y = er[i] if k == 0 else el[i]
            if not cand[x]:
                continue
            c = roots[y]
            if target[x] == -1:
                target[x] = c
            elif target[x] != c:
                target[x] = -2
    joined = 0
    for x in range(n):
        c = target[x]
        if c < 0:
            continue
        barred = False
        for j in range(hptr[x], hptr[x + 1]):
            if roots[harr[j]] == c:
                barred = True
                break
        if not barred:
            for j in range(xptr[x], xptr[x + 1]):
                if roots[xarr[j]] == c:
                    barred = True
                    break
        if not barred:
            for j in range(sptr[x], sptr[x + 1]):
                p = sarr[j]
                if roots[p] != c:
                    continue
                free = False
                for q in range(lptr[x], lptr[x + 1]):
                    if larr[q] == p:
                        free = True
                        break
                if not free:
                    barred = True
                    break
        if not barred:
            roots[x] = c
            joined += 1
    if joined:
        for i in range(len(el)):
            a = el[i]
            b = er[i]
            if roots[a] == roots[b] and (target[a] >= 0 or target[b] >= 0):
                used[i] = True
    return joined


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


def _greedy(n, edges, graph, hard, soft, extra, sol, nodes=None, share=None):
    """Add ``edges`` strongest first, skipping one that would put a kept-apart pair together.

    ``hard`` (people's "different") binds every edge; ``soft`` and ``extra`` (the model's
    "clearly different": the keep-apart pairs, and those the cluster check added since)
    bind only the model's edges, not people's "same" decisions. The loop is
    :func:`_greedy_kernel` (compiled for many edges, :func:`_kernel`). The components are
    independent (no edge or constraint crosses two), so the edges of all of them go in one
    run, strongest first.

    Args:
        n: number of records.
        edges: indices of the graph's edges to add (ascending: strongest first).
        graph: :class:`Graph`.
        hard, soft, extra: :class:`_Partners`.
        sol: :class:`Solution`; ``roots``, ``used`` and ``conflict`` are written for the
            records and edges of ``nodes`` (bool per record; default: the ends of ``edges``).
        share: :func:`cluster`'s ``merge_share`` (None: off).
    """
    el, er, ep = graph.el, graph.er, graph.ep
    a, b = el[edges], er[edges]
    if nodes is None:
        nodes = np.zeros(n, dtype=bool)
        nodes[a] = True
        nodes[b] = True
    sol.used[edges] = True
    sol.conflict[edges] = False
    flag = np.zeros(len(edges), dtype=np.int8)
    share = float(share or 0.0)
    if share > 0:
        # the model's edges as CSR arrays (both directions), to count those between two clusters
        model = ep[edges] <= 1.0
        dptr, darr = _kernel("_csr_kernel", len(edges))(n, a[model], b[model], np.zeros(n, dtype=np.int64),
                                                         np.zeros(1, dtype=bool))
    else:
        dptr, darr = np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    root = _kernel("_greedy_kernel", len(edges))(a, b, ep[edges], soft.ptr, soft.arr, extra.ptr, extra.arr,
                                                  soft.deg + extra.deg, hard.ptr, hard.arr, hard.deg, flag,
                                                  dptr, darr, share, int(MERGE_FROM))
    sol.used[edges[flag > 0]] = False
    sol.conflict[edges[flag == 2]] = True
    if sol._refused is None:
        sol._refused = np.zeros(len(el), dtype=bool)
    sol._refused[edges] = flag == 3
    at = np.flatnonzero(nodes)
    r = root[at]
    # label each cluster by its smallest record position
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, r, at)
    sol.roots[at] = smallest[r]


def _greedy_kernel(ea, eb, ep, sptr, sarr, xptr, xarr, sdeg, hptr, harr, hdeg, flag, dptr, darr, share, small):
    """The loop of :func:`_greedy`, on numpy arrays: compiled by numba, or run as it is on
    small inputs (:func:`_kernel`).

    Args:
        ea, eb, ep: the edges in the order to add them (the two record positions,
            probability; above 1.0 a person's "same" decision).
        sptr, sarr, xptr, xarr: the CSR arrays (:class:`_Partners`) of the model's
            keep-apart pairs (two sets: both bind); sdeg: per record its partners in both.
        hptr, harr, hdeg: the same of people's "different" pairs.
        flag: per edge, zeros; written: 0 (added, or inside one cluster already), 1 (skipped:
            it would join a kept-apart pair), 2 (a "same" decision skipped because of a
            "different" pair), 3 (skipped: too few of the pairs between the two clusters
            are edges, ``share``).
        dptr, darr: CSR arrays of the model's edges (both directions) for ``share``.
        share: 0 (off), or the least share of the pairs between two clusters that must be
            edges for a model's edge to join them (:func:`cluster`'s ``merge_share``), when
            each of the two has at least ``small`` records (:data:`MERGE_FROM`).
    Returns:
        per record the root of its cluster (any member; each record its own root when in
        no edge).

    Each cluster is a ring of its members (``nxt``), and two smaller rings of its members
    that have keep-apart partners (``snxt``, from ``shead``) and "different" partners
    (``hnxt``, from ``hhead``); ``root`` names every member's cluster directly (the smaller
    cluster's members are renamed on a merge: O(log n) renames per record). Two clusters
    may merge unless a constrained member of one has a partner whose root is the other:
    the partners are read on the side with fewer of them, along its ring of constrained
    members only (a cluster of thousands of records may have a few with partners), unless
    the two roots were found apart before. The
    same decisions as the set-based loop before it (the oracle tests compare): whether a
    partner lies in a cluster does not depend on how clusters are stored or which side is
    read.
    """
    n = len(sdeg)
    root = np.arange(n)
    nxt = np.arange(n)
    size = np.ones(n, dtype=np.int64)
    snxt = np.arange(n)
    hnxt = np.arange(n)
    shead = np.where(sdeg > 0, root, -1)
    hhead = np.where(hdeg > 0, root, -1)
    deg = sdeg.copy()
    hd = hdeg.copy()
    # pairs of roots found kept apart by the model's pairs (min * n + max): a root stays the
    # root of a cluster that only grows, so they stay apart; most skipped edges fall between
    # pairs of clusters met before (at a million synthetic mentions 1.25 of the 1.71 million)
    apart = {np.int64(-1)}
    # pairs of roots refused for too few edges between them (share): the two sizes' sum then
    refused = {np.int64(-1): np.int64(0)}
    for i in range(len(ea)):
        ra = root[ea[i]]
        rb = root[eb[i]]
        if ra == rb:
            continue
        if hd[ra] > 0 and hd[rb] > 0:
            if hd[ra] <= hd[rb]:
                s, o = ra, rb
            else:
                s, o = rb, ra
            hit = False
            x = hhead[s]
            while True:
                for j in range(hptr[x], hptr[x + 1]):
                    if root[harr[j]] == o:
                        hit = True
                        break
                x = hnxt[x]
                if hit or x == hhead[s]:
                    break
            if hit:
                flag[i] = 2 if ep[i] > 1.0 else 1
                continue
        if ep[i] <= 1.0 and deg[ra] > 0 and deg[rb] > 0:
            pair = min(ra, rb) * n + max(ra, rb)
            if pair in apart:
                flag[i] = 1
                continue
            if deg[ra] <= deg[rb]:
                s, o = ra, rb
            else:
                s, o = rb, ra
            hit = False
            x = shead[s]
            while True:
                for j in range(sptr[x], sptr[x + 1]):
                    if root[sarr[j]] == o:
                        hit = True
                        break
                if not hit:
                    for j in range(xptr[x], xptr[x + 1]):
                        if root[xarr[j]] == o:
                            hit = True
                            break
                x = snxt[x]
                if hit or x == shead[s]:
                    break
            if hit:
                flag[i] = 1
                apart.add(pair)
                continue
        if share > 0 and ep[i] <= 1.0 and size[ra] >= small and size[rb] >= small:
            # the edges between the two clusters, read along the smaller one's ring; a pair
            # of clusters refused before is refused again until one of them grows
            pair = min(ra, rb) * n + max(ra, rb)
            both = size[ra] + size[rb]
            if refused.get(pair, 0) == both:
                flag[i] = 3
                continue
            if size[ra] <= size[rb]:
                s, o = ra, rb
            else:
                s, o = rb, ra
            links = 0
            x = s
            while True:
                for j in range(dptr[x], dptr[x + 1]):
                    if root[darr[j]] == o:
                        links += 1
                x = nxt[x]
                if x == s:
                    break
            if links < share * size[ra] * size[rb]:
                refused[pair] = both
                flag[i] = 3
                continue
        # the larger cluster absorbs the other: its members renamed, the rings joined
        if size[rb] > size[ra]:
            ra, rb = rb, ra
        x = rb
        while True:
            root[x] = ra
            x = nxt[x]
            if x == rb:
                break
        x = nxt[ra]
        nxt[ra] = nxt[rb]
        nxt[rb] = x
        size[ra] += size[rb]
        if shead[rb] >= 0:
            if shead[ra] < 0:
                shead[ra] = shead[rb]
            else:
                x = snxt[shead[ra]]
                snxt[shead[ra]] = snxt[shead[rb]]
                snxt[shead[rb]] = x
            deg[ra] += deg[rb]
        if hhead[rb] >= 0:
            if hhead[ra] < 0:
                hhead[ra] = hhead[rb]
            else:
                x = hnxt[hhead[ra]]
                hnxt[hhead[ra]] = hnxt[hhead[rb]]
                hnxt[hhead[rb]] = x
            hd[ra] += hd[rb]
    return root


def _csr_kernel(n, pa, pb, comp, todo):
    """The CSR arrays of the pairs ``(pa[i], pb[i])`` whose two records share a component
    (``comp``), both directions, by a counting sort (O(pairs + n)); marks ``todo`` at the
    component of each. Compiled like :func:`_greedy_kernel`.

    Returns:
        ``(ptr, arr)``: the partners of record i are ``arr[ptr[i]:ptr[i + 1]]``.
    """
    ptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(len(pa)):
        a = pa[i]
        b = pb[i]
        if comp[a] == comp[b]:
            ptr[a + 1] += 1
            ptr[b + 1] += 1
            todo[comp[a]] = True
    for i in range(n):
        ptr[i + 1] += ptr[i]
    at = ptr[:-1].copy()
    arr = np.empty(ptr[n], dtype=np.int32)
    for i in range(len(pa)):
        a = pa[i]
        b = pb[i]
        if comp[a] == comp[b]:
            arr[at[a]] = b
            at[a] += 1
            arr[at[b]] = a
            at[b] += 1
    return ptr, arr


#: :func:`cluster`'s ``merge_share`` applies when both clusters hold at least this many
#: records. A single record joining a cluster is left to its edges and the ambiguity pass: at
#: 100,000 synthetic mentions (seed 7) a record with one edge into a cluster of three was another
#: person about half the time, and one with edges to all of a cluster's members 2-4 % of the time.
MERGE_FROM = 2


#: items (edges, pairs) below which the kernels (:func:`_greedy_kernel`, :func:`_csr_kernel`)
#: run as plain Python, without importing numba or compiling (small runs, most tests).
COMPILE_FROM = 20_000

_COMPILED: dict[str, object] = {}


def warm_up() -> None:
    """Import numba and compile (or load from numba's cache) the kernels with the argument
    types of a large run, on tiny inputs, so that a caller can do it beforehand, e.g. in a
    thread while DuckDB scores (``kuager.linkage.link`` above ``LARGE``): about a second
    (importing numba, loading the cache) taken off the clustering step's wall time; the
    first compilation after an install, several seconds. Thread-safe to run beside other
    work that does not call the kernels yet."""
    pairs = np.array([[0, 1], [1, 2]], dtype=np.int64)
    comp = np.zeros(3, dtype=np.int64)
    todo = np.zeros(3, dtype=bool)
    ptr, arr = _compiled("_csr_kernel")(3, pairs[:, 0], pairs[:, 1], comp, todo)
    deg = np.diff(ptr)
    ends = np.array([0, 1], dtype=np.int64), np.array([1, 2], dtype=np.int64)
    _compiled("_greedy_kernel")(ends[0], ends[1], np.array([0.95, 0.95]), ptr, arr, ptr, arr, deg, ptr, arr, deg,
                                np.zeros(2, dtype=np.int8), ptr, arr, 0.5, 2)
    _compiled("_ambiguous_kernel")(3, ends[0], ends[1], np.zeros(2), comp, 0.25, True, ptr, arr, ptr, arr, ptr, arr)
    _compiled("_inside_kernel")(ends[0], ends[1], comp, np.arange(3, dtype=np.int64))
    _compiled("_inside_flags_kernel")(ends[0], ends[1], comp, np.arange(3, dtype=np.int64), np.zeros(2, dtype=np.bool_))
    _compiled("_reattach_kernel")(ends[0], ends[1], comp.copy(), np.zeros(3, dtype=np.bool_), ptr, arr, ptr, arr,
                                  ptr, arr, ptr, arr, np.zeros(2, dtype=np.bool_))


def _compiled(name: str):
    """The kernel ``name`` of this module compiled by numba (made once per process)."""
    got = _COMPILED.get(name)
    if got is None:
        import numba

        got = _COMPILED[name] = numba.njit(cache=True, nogil=True)(globals()[name])
    return got


def _kernel(name: str, items: int):
    """The kernel ``name`` of this module for ``items`` edges or pairs: compiled by numba
    (``nopython``; ``nogil``, so that DuckDB's threads may run beside it; cached on disk by
    numba) from :data:`COMPILE_FROM` on, else the plain Python function."""
    if items < COMPILE_FROM:
        return globals()[name]
    return _compiled(name)


class _Partners:
    """Each record's partners among ``pairs`` (``(k, 2)`` positions) that lie inside one
    component of the graph (the others can never meet in one cluster), both directions,
    as CSR arrays: the partners of record i are ``arr[ptr[i]:ptr[i + 1]]`` (int64 ``ptr``,
    int32 ``arr``), in no particular order (only membership is asked). Built by a counting
    sort (:func:`_csr_kernel`).

    Args:
        n: number of records; pairs: ``(k, 2)`` int positions; comp: component label per
        record (:attr:`Graph.comp`); todo: bool per record, set at the component label of
        each pair kept (the components to redo), or None.

    Attributes:
        ptr, arr: the CSR arrays.
        deg: number of partners of each record (int64 array).
    """

    def __init__(self, n: int, pairs: np.ndarray, comp: np.ndarray, todo: np.ndarray | None = None):
        pairs = pairs.reshape(-1, 2)
        if todo is None:
            todo = np.zeros(n, dtype=bool)
        self.ptr, self.arr = _kernel("_csr_kernel", len(pairs))(n, pairs[:, 0], pairs[:, 1], comp, todo)
        self.deg = np.diff(self.ptr)
