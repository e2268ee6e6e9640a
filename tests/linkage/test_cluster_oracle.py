"""The clustering against its code before the scale round (``old_cluster``, kept as an
oracle), on many random graphs: the same clusters, probabilities, conflicts and
ambiguous records; and redoing only the components of new keep-apart pairs
(``solve(previous=...)``) gives what solving from scratch gives."""

import random

import numpy as np
import pandas as pd
import pytest

from kuager.linkage import cluster as cl

from . import old_cluster


def _graph(rng: random.Random, n: int, groups: int, edges: int | None = None):
    """A random graph of ``n`` records in about ``groups`` dense groups (people), with
    pairs between groups (namesakes), probabilities from a few values (ties), keep-apart
    pairs and decisions; record ids in a random text order unrelated to positions."""
    ids = [f"r{rng.randrange(10**6):06d}-{i}" for i in range(n)]
    rng.shuffle(ids)
    group = [rng.randrange(groups) for _ in range(n)]
    probs = [0.5, 0.85, 0.9, 0.9, 0.93, 0.95, 0.97, 0.99, 0.999]
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group):
        members.setdefault(g, []).append(i)
    rows = set()
    for _ in range(rng.randrange(1, 3 * n + 2) if edges is None else edges):
        a = rng.randrange(n)
        # mostly pairs of one person, some between people (namesakes)
        b = rng.choice(members[group[a]]) if rng.random() < 0.7 else rng.randrange(n)
        if a == b:
            continue
        rows.add((min(a, b), max(a, b)) if rng.random() < 0.5 else (max(a, b), min(a, b)))
    rows = sorted(rows)
    rng.shuffle(rows)
    pairs = pd.DataFrame({"unique_id_l": [ids[a] for a, _ in rows], "unique_id_r": [ids[b] for _, b in rows],
                          "match_probability": [rng.choice(probs) for _ in rows]})
    if rng.random() < 0.5:
        pairs["match_weight"] = [round(rng.uniform(2, 10), 1) for _ in rows]
    apart = set()
    for _ in range(rng.randrange(0, 2 * n + 1)):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and (group[a] != group[b] or rng.random() < 0.1):
            apart.add((a, b))
    decisions = []
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        a, b = rng.sample(range(n), 2)
        decisions.append((ids[a], ids[b], rng.choice(["same", "same", "different", "unsure"])))
    return ids, pairs, np.array(sorted(apart), dtype=np.int64).reshape(-1, 2), decisions


def _same(old, new):
    assert new.clusters == old.clusters
    assert new.probability == old.probability
    assert new.conflicts == old.conflicts
    assert new.ambiguous == old.ambiguous


@pytest.mark.parametrize("seed", range(4))
def test_same_result_as_the_old_code_on_random_graphs(seed):
    rng = random.Random(seed)
    checked = joined = split = 0
    for _ in range(300):
        n = rng.randrange(2, 40)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n + 1))
        margin = rng.choice([None, 0.0, 0.5, 3.0])
        as_ids = [(ids[a], ids[b]) for a, b in apart.tolist()]
        for given in (apart, as_ids):
            old = old_cluster.cluster(ids, pairs, 0.9, decisions, apart=given, ambiguous_margin=margin)
            _same(old, cl.cluster(ids, pairs, 0.9, decisions, apart=given, ambiguous_margin=margin))
        checked += 1
        sizes = pd.Series(old.clusters).value_counts()
        joined += int((sizes > 1).any())
        split += int(len(old.ambiguous) > 0 or len(apart) > 0)
    # the draws exercise what they should: joins, constraints, ambiguous records
    assert checked == 300 and joined > 200 and split > 200


@pytest.mark.parametrize("seed", range(3))
def test_same_result_on_larger_graphs_compiled_or_not(seed, monkeypatch):
    rng = random.Random(100 + seed)
    for clear_at in (0, 10**9):   # the kernels compiled (numba), or run as plain Python
        monkeypatch.setattr(cl, "COMPILE_FROM", clear_at)
        for n in (300, 1500):
            ids, pairs, apart, decisions = _graph(rng, n, n // 3, edges=2 * n)
            old = old_cluster.cluster(ids, pairs, 0.9, decisions, apart=apart, ambiguous_margin=1.0)
            assert len(old.ambiguous) > 0 and len(set(old.clusters.values())) < n / 2
            _same(old, cl.cluster(ids, pairs, 0.9, decisions, apart=apart, ambiguous_margin=1.0))


@pytest.mark.parametrize("seed", range(4))
def test_redoing_the_components_of_new_pairs_equals_solving_again(seed):
    # what link's cluster check does: more keep-apart pairs inside clusters, then solve
    # again with previous=...; it must equal a solve from scratch and the old code
    rng = random.Random(200 + seed)
    redone = 0
    for _ in range(200):
        n = rng.randrange(4, 60)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n // 2 + 2))
        margin = rng.choice([None, 0.25, 3.0])
        graph = cl.prepare(ids, pairs, 0.9, decisions, weights=margin is not None)
        sol = cl.solve(graph, apart, margin)
        for _round in range(2):
            # pairs of members of one cluster, as the cluster check finds them
            roots = sol.roots
            inside = [(a, b) for a in range(n) for b in range(a + 1, n) if roots[a] == roots[b]]
            new = np.array(rng.sample(inside, min(len(inside), rng.randrange(0, 3))), dtype=np.int64).reshape(-1, 2)
            apart = np.concatenate([apart, new])
            sol = cl.solve(graph, apart, margin, previous=sol, changed=new)
            redone += int(len(new) > 0)
            fresh = cl.result(graph, cl.solve(graph, apart, margin))
            _same(fresh, cl.result(graph, sol))
            _same(old_cluster.cluster(ids, pairs, 0.9, decisions, apart=apart, ambiguous_margin=margin),
                  cl.result(graph, sol))
    assert redone > 200


@pytest.mark.parametrize("seed", range(2))
def test_prepare_on_given_positions_equals_looking_up_the_ids(seed):
    # link above LARGE hands prepare the pairs' positions (from the integer record keys)
    rng = random.Random(300 + seed)
    for _ in range(100):
        n = rng.randrange(2, 50)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n + 1))
        where = {r: i for i, r in enumerate(ids)}
        at = (np.array([where[r] for r in pairs.unique_id_l], dtype=np.int64),
              np.array([where[r] for r in pairs.unique_id_r], dtype=np.int64))
        # the id columns are not read: scrambled, the result must not change
        blind = pairs.assign(unique_id_l="x", unique_id_r="y")
        by_ids = cl.prepare(ids, pairs, 0.9, decisions)
        given = cl.prepare(ids, blind, 0.9, decisions, positions=at)
        for name in ("el", "er", "ep", "ew", "comp", "hard"):
            assert np.array_equal(getattr(by_ids, name), getattr(given, name)), name
        _same(old_cluster.cluster(ids, pairs, 0.9, decisions, apart=apart, ambiguous_margin=1.0),
              cl.result(given, cl.solve(given, apart, 1.0)))
    with pytest.raises(ValueError):
        cl.prepare(["a", "b"], pd.DataFrame({"match_probability": [0.95]}), 0.9,
                   positions=(np.array([0]), np.array([2])))
    with pytest.raises(ValueError):
        cl.prepare(["a", "b"], pd.DataFrame({"match_probability": [0.95]}), 0.9,
                   positions=(np.array([0, 1]), np.array([1, 0])))


def test_changed_records_marks_whole_clusters_that_differ():
    # positions 0..6; before: {0,1,2} {3,4} {5} {6}; after: {0,1,2} {3} {4,5} {6}
    before = np.array([0, 0, 0, 3, 3, 5, 6])
    after = np.array([0, 0, 0, 3, 4, 4, 6])
    assert cl.changed_records(before, after).tolist() == [False, False, False, True, True, True, False]
    # a cluster that lost a member is changed, and so is the one that gained it
    assert cl.changed_records(np.array([0, 0, 0]), np.array([0, 0, 2])).tolist() == [True, True, True]
    assert not cl.changed_records(before, before).any()


@pytest.mark.parametrize("compiled", [False, True])
def test_inside_pairs_keeps_pairs_of_one_component_in_order(compiled, monkeypatch):
    monkeypatch.setattr(cl, "COMPILE_FROM", 0 if compiled else 10**9)
    comp = np.array([0, 0, 2, 2, 2, 5])
    left, right = np.array([0, 1, 2, 0, 4, 5]), np.array([1, 2, 3, 5, 2, 3])
    assert cl.inside_pairs(left, right, comp).tolist() == [[0, 1], [2, 3], [4, 2]]
    # keys mapped to positions: key k is at position position[k]
    position = np.array([5, 4, 3, 2, 1, 0])
    got = cl.inside_pairs(np.array([5, 3, 0]), np.array([4, 1, 2]), comp, position)
    assert got.tolist() == [[0, 1], [2, 4]]
    assert cl.inside_pairs(np.array([], dtype=np.int64), np.array([], dtype=np.int64), comp).shape == (0, 2)
    # the flags of the pairs kept, in the same order: pairs 0, 2, 4 kept (above), flags 1, 0, 1
    flag = np.array([True, True, False, False, True, True])
    assert cl.inside_flags(left, right, comp, flag).tolist() == [True, False, True]
    # keyed: rows 0 and 1 kept ([0, 1], [2, 4] above; row 2 is positions 5, 3)
    assert cl.inside_flags(np.array([5, 3, 0]), np.array([4, 1, 2]), comp, np.array([True, False, True]),
                           position).tolist() == [True, False]


@pytest.mark.parametrize("seed", range(2))
def test_ranks_give_the_smallest_id_as_sorting_the_ids_does(seed):
    rng = random.Random(400 + seed)
    for _ in range(50):
        n = rng.randrange(2, 60)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n + 1))
        rank = np.empty(n, dtype=np.int64)
        rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(n)
        plain = cl.prepare(ids, pairs, 0.9, decisions)
        ranked = cl.prepare(ids, pairs, 0.9, decisions, rank=rank)
        _same(cl.result(plain, cl.solve(plain, apart, 1.0)), cl.result(ranked, cl.solve(ranked, apart, 1.0)))
    with pytest.raises(ValueError):
        cl.prepare(["a", "b"], pd.DataFrame({"unique_id_l": ["a"], "unique_id_r": ["b"], "match_probability": [0.95]}),
                   0.9, rank=np.array([0]))


@pytest.mark.parametrize("compiled", [False, True])
def test_the_ambiguity_kernel_worked_by_hand(monkeypatch, compiled):
    # records 0-4 in clusters {0, 1}, {2, 3}, {4}; margin 0.25 bits
    monkeypatch.setattr(cl, "COMPILE_FROM", 0 if compiled else 10**9)
    el, er = np.array([0, 0, 2, 1, 3]), np.array([1, 2, 3, 3, 4])
    ew = np.array([3.0, 2.9, 5.0, np.nan, np.inf])
    roots = np.array([0, 0, 2, 2, 4])
    comp = np.zeros(5, dtype=np.int64)

    def amb(*pairs):
        parts = (cl._Partners(5, np.array(pairs, dtype=np.int64).reshape(-1, 2), comp),) if pairs else ()
        return cl._ambiguous(5, el, er, ew, roots, 0.25, parts).tolist()

    # 0: own best 3.0, into {2, 3} at 2.9 (within 0.25); 2: own best 5.0, 2.9 is not close;
    # 1 and 3: the NaN edge counts for neither; 3: into {4} at inf; 4: no edge in its own cluster
    assert amb() == [True, False, False, True, False]
    # 0 kept apart from 3 could never join {2, 3}; 3 may still join {4}
    assert amb((0, 3)) == [False, False, False, True, False]
    assert amb((0, 3), (4, 3)) == [False] * 5
    # a partner in the record's own cluster bars nothing
    assert amb((0, 1)) == [True, False, False, True, False]


def test_warm_up_compiles_the_kernels_a_large_run_uses():
    cl.warm_up()
    assert set(cl._COMPILED) == {"_csr_kernel", "_greedy_kernel", "_ambiguous_kernel", "_inside_kernel",
                                 "_inside_flags_kernel", "_reattach_kernel"}
    # the compiled greedy kernel on a chain 0-1-2 with 0 and 2 kept apart: the second edge is skipped
    pairs = np.array([[0, 2]], dtype=np.int64)
    p = cl._Partners(3, pairs, np.zeros(3, dtype=np.int64))
    none = cl._Partners(3, np.zeros((0, 2), dtype=np.int64), np.zeros(3, dtype=np.int64))
    flag = np.zeros(2, dtype=np.int8)
    root = cl._compiled("_greedy_kernel")(np.array([0, 1]), np.array([1, 2]), np.array([0.99, 0.95]), p.ptr, p.arr,
                                          none.ptr, none.arr, p.deg + none.deg, none.ptr, none.arr, none.deg, flag,
                                          none.ptr, none.arr, 0.0, 2)
    assert flag.tolist() == [0, 1] and root[0] == root[1] != root[2]


@pytest.mark.parametrize("seed", range(2))
def test_merge_share_redone_by_components_and_compiled_equals_solving_again(seed, monkeypatch):
    # with merge_share, link's cluster check (previous=..., changed=...) must still equal a
    # solve from scratch, and the compiled kernel the plain one
    rng = random.Random(500 + seed)
    refused = 0
    for _ in range(100):
        n = rng.randrange(4, 60)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n // 2 + 2))
        margin = rng.choice([None, 0.25])
        share = rng.choice([0.3, 0.5, 0.8])
        graph = cl.prepare(ids, pairs, 0.9, decisions, weights=margin is not None)
        sol = cl.solve(graph, apart, margin, merge_share=share)
        refused += int(sol._refused is not None and sol._refused.any())
        monkeypatch.setattr(cl, "COMPILE_FROM", 0)
        _same(cl.result(graph, sol), cl.result(graph, cl.solve(graph, apart, margin, merge_share=share)))
        monkeypatch.setattr(cl, "COMPILE_FROM", 20_000)
        roots = sol.roots
        inside = [(a, b) for a in range(n) for b in range(a + 1, n) if roots[a] == roots[b]]
        new = np.array(rng.sample(inside, min(len(inside), rng.randrange(0, 3))), dtype=np.int64).reshape(-1, 2)
        apart = np.concatenate([apart, new])
        sol = cl.solve(graph, apart, margin, previous=sol, changed=new, merge_share=share)
        _same(cl.result(graph, cl.solve(graph, apart, margin, merge_share=share)), cl.result(graph, sol))
    assert refused > 10


def _reattach_case():
    """Records a..i (positions 0..8). Strong pairs: a-b 0.99, g-h 0.99, b-c 0.98, c-d 0.95,
    c-i 0.94, a-e 0.93, f-c 0.92, f-g 0.91. Kept apart: d-a, i-a, f-a, f-h (loose), e-b, d-i.
    The greedy step: {a, b, c}, {g, h}; c-d, c-i skipped (a), a-e skipped (b), f-c skipped (a),
    f-g skipped (h): d, e, f, i alone."""
    ids = list("abcdefghi")
    edges = [("a", "b", 0.99), ("g", "h", 0.99), ("b", "c", 0.98), ("c", "d", 0.95), ("c", "i", 0.94),
             ("a", "e", 0.93), ("f", "c", 0.92), ("f", "g", 0.91)]
    pairs = pd.DataFrame(edges, columns=["unique_id_l", "unique_id_r", "match_probability"])
    at = {r: i for i, r in enumerate(ids)}
    loose = np.array([[at["d"], at["a"]], [at["i"], at["a"]], [at["f"], at["a"]], [at["f"], at["h"]]])
    apart = np.concatenate([loose, np.array([[at["e"], at["b"]], [at["d"], at["i"]]])])
    return ids, pairs, apart, loose


@pytest.mark.parametrize("compiled", [False, True])
def test_reattaching_records_left_alone_worked_by_hand(compiled, monkeypatch):
    monkeypatch.setattr(cl, "COMPILE_FROM", 0 if compiled else 10**9)
    ids, pairs, apart, loose = _reattach_case()
    graph = cl.prepare(ids, pairs, 0.9)
    plain = cl.result(graph, cl.solve(graph, apart))
    assert plain.clusters == {"a": "a", "b": "a", "c": "a", "d": "d", "e": "e", "f": "f", "g": "g", "h": "g",
                              "i": "i"}
    got = cl.result(graph, cl.solve(graph, apart, loose=loose))
    # d: its one strong pair goes into {a, b, c}, where only a loose pair (d-a) keeps it out: joins,
    # held there by c-d 0.95. i: the same, but after d (position order), and d-i is not loose: alone.
    # e: kept out by e-b, not loose. f: strong pairs into two clusters: alone.
    assert got.clusters == {"a": "a", "b": "a", "c": "a", "d": "a", "e": "e", "f": "f", "g": "g", "h": "g",
                            "i": "i"}
    assert got.probability["d"] == 0.95 and got.probability["i"] is None
    # a person's "different" between d and b bars d as well
    decided = cl.prepare(ids, pairs, 0.9, [("d", "b", "different")])
    assert cl.result(decided, cl.solve(decided, apart, loose=loose)).clusters["d"] == "d"
    # with the ambiguity pass (nothing ambiguous here: no record has strong pairs into two
    # clusters while in one) the same
    weighted = cl.prepare(ids, pairs, 0.9, weights=True)
    assert cl.result(weighted, cl.solve(weighted, apart, 0.25, loose=loose)).clusters == got.clusters


@pytest.mark.parametrize("seed", range(3))
def test_reattaching_compiled_or_not_and_redone_or_from_scratch_agree(seed, monkeypatch):
    rng = random.Random(500 + seed)
    joined = 0
    for _ in range(150):
        n = rng.randrange(4, 80)
        ids, pairs, apart, decisions = _graph(rng, n, rng.randrange(1, n // 2 + 2))
        loose = apart[[rng.random() < 0.6 for _ in range(len(apart))]] if len(apart) else apart
        margin = rng.choice([None, 0.25, 3.0])
        graph = cl.prepare(ids, pairs, 0.9, decisions, weights=margin is not None)
        base = cl.solve(graph, apart, margin)
        got = {}
        for clear_at in (0, 10**9):
            monkeypatch.setattr(cl, "COMPILE_FROM", clear_at)
            got[clear_at] = cl.result(graph, cl.solve(graph, apart, margin, loose=loose))
        _same(got[0], got[10**9])
        sol = cl.solve(graph, apart, margin, loose=loose)
        joined += int((sol.roots != base.roots).any())
        # a record joined has no binding partner in its cluster: the loose pairs only
        binding = {tuple(sorted(p)) for p in apart.tolist()} - {tuple(sorted(p)) for p in loose.tolist()}
        for a, b in binding:
            if sol.roots[a] == sol.roots[b]:
                assert base.roots[a] == base.roots[b]   # already so without the pass
        # the cluster check's rounds: redoing the components of new pairs equals solving again
        # (its pairs are never scored pairs, so never loose ones)
        roots = sol.roots
        is_loose = {tuple(sorted(p)) for p in loose.tolist()}
        inside = [(a, b) for a in range(n) for b in range(a + 1, n) if roots[a] == roots[b] and (a, b) not in is_loose]
        new = np.array(rng.sample(inside, min(len(inside), rng.randrange(0, 3))), dtype=np.int64).reshape(-1, 2)
        more = np.concatenate([apart, new])
        again = cl.solve(graph, more, margin, previous=sol, changed=new, loose=loose)
        _same(cl.result(graph, cl.solve(graph, more, margin, loose=loose)), cl.result(graph, again))
    assert joined > 20
