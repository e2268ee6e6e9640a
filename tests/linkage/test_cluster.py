"""Threshold clustering and people's decisions, on graphs drawn by hand."""

import numpy as np
import pandas as pd
import pytest

from kuager.linkage.cluster import cluster, normalise_decisions


def pairs(*rows):
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


IDS = ["a", "b", "c", "d", "e"]
# a-b 0.99, b-c 0.95, c-d 0.40, d-e 0.92
P = pairs(("a", "b", 0.99), ("b", "c", 0.95), ("c", "d", 0.40), ("d", "e", 0.92))


def groups(result):
    out = {}
    for r, c in result.clusters.items():
        out.setdefault(c, set()).add(r)
    return sorted(sorted(g) for g in out.values())


def test_components_at_threshold():
    r = cluster(IDS, P, 0.9)
    assert groups(r) == [["a", "b", "c"], ["d", "e"]]
    assert r.clusters["c"] == "a"  # smallest record id names the cluster
    assert r.probability == {"a": 0.99, "b": 0.99, "c": 0.95, "d": 0.92, "e": 0.92}


def test_lower_threshold_joins_through_weak_edge():
    assert groups(cluster(IDS, P, 0.3)) == [["a", "b", "c", "d", "e"]]


def test_same_decision_joins_below_threshold():
    r = cluster(IDS, P, 0.9, [("c", "d", "same")])
    assert groups(r) == [["a", "b", "c", "d", "e"]]
    assert r.probability["c"] == 1.0 and r.probability["d"] == 1.0


def test_different_decision_splits_even_through_a_path():
    # a and c are joined only through b; "a is not c" must separate them.
    # Edges strongest first: a-b (0.99) is kept, b-c (0.95) would join a and c: skipped.
    r = cluster(IDS, P, 0.9, [("a", "c", "different")])
    assert groups(r) == [["a", "b"], ["c"], ["d", "e"]]
    assert r.probability["c"] is None


def test_later_decision_replaces_earlier():
    r = cluster(IDS, P, 0.9, [("a", "b", "different"), ("b", "a", "same")])
    assert groups(r) == [["a", "b", "c"], ["d", "e"]]
    r = cluster(IDS, P, 0.9, [("a", "b", "same"), ("a", "b", "different")])
    assert r.clusters["a"] != r.clusters["b"]


def test_unsure_changes_nothing():
    assert groups(cluster(IDS, P, 0.9, [("a", "b", "unsure")])) == groups(cluster(IDS, P, 0.9))


def test_same_decisions_come_before_model_edges():
    # "same" c-d is applied first; then the model's b-c would put a with d: skipped
    r = cluster(IDS, P, 0.9, [("a", "d", "different"), ("c", "d", "same")])
    assert groups(r) == [["a", "b"], ["c", "d", "e"]]
    assert r.conflicts == []


def test_same_contradicting_different_is_reported():
    r = cluster(IDS, P, 0.9, [("a", "c", "different"), ("a", "b", "same"), ("b", "c", "same")])
    assert r.clusters["a"] != r.clusters["c"]
    assert r.conflicts == [("b", "c")]


def test_bad_decisions():
    with pytest.raises(ValueError):
        normalise_decisions([("a", "b", "maybe")])
    with pytest.raises(ValueError):
        normalise_decisions([("a", "a", "same")])
    with pytest.raises(ValueError):
        cluster(IDS, P, 0.9, [("a", "zz", "same")])


def test_mapping_decisions_keep_last():
    dec = normalise_decisions([
        {"record_id_a": "b", "record_id_b": "a", "decision": "same", "who": "x", "note": "n"},
        {"record_id_a": "a", "record_id_b": "b", "decision": "different"},
    ])
    assert dec == {("a", "b"): "different"}


# --- the model's "keep apart" pairs (weaker than people's "different")

def test_apart_pair_breaks_a_chain():
    # a-b 0.99 and b-c 0.95 chain a to c; the model finds a and c unlike: b-c is skipped
    r = cluster(IDS, P, 0.9, apart=[("a", "c")])
    assert groups(r) == [["a", "b"], ["c"], ["d", "e"]]
    assert r.probability["c"] is None and r.conflicts == []


def test_apart_pairs_as_a_frame_and_outside_components_change_nothing():
    apart = pd.DataFrame({"unique_id_l": ["a", "c"], "unique_id_r": ["c", "e"]})
    assert groups(cluster(IDS, P, 0.9, apart=apart)) == [["a", "b"], ["c"], ["d", "e"]]
    # c and e are in different components anyway; an unknown id is ignored
    assert groups(cluster(IDS, P, 0.9, apart=[("c", "e"), ("a", "zz")])) == groups(cluster(IDS, P, 0.9))


def test_same_decision_overrides_apart_but_different_does_not_yield():
    # "same" b-c is applied although the model keeps b and c apart; a-b then joins (a has no constraint)
    r = cluster(IDS, P, 0.9, [("b", "c", "same")], apart=[("b", "c")])
    assert groups(r) == [["a", "b", "c"], ["d", "e"]]
    # the model's a-c constraint blocks the model's a-b edge once c is with b by decision
    r = cluster(IDS, P, 0.9, [("b", "c", "same")], apart=[("a", "c")])
    assert groups(r) == [["a"], ["b", "c"], ["d", "e"]]
    assert r.probability["b"] == 1.0 and r.probability["a"] is None


def test_apart_constraints_follow_merged_clusters():
    # chain w-x 0.99, x-y 0.98, y-z 0.97; w and z unlike: z stays out, y stays in
    q = pairs(("w", "x", 0.99), ("x", "y", 0.98), ("y", "z", 0.97))
    r = cluster(["w", "x", "y", "z"], q, 0.9, apart=[("z", "w")])
    assert groups(r) == [["w", "x", "y"], ["z"]]


def test_apart_constraints_are_carried_through_merges_on_both_sides():
    # a-b, d-e, b-c, e-f, c-d, a-g, g-f strongest first; a/e and c/f unlike. Worked by hand:
    # {a,b} and {d,e} form, c joins a-b, f joins d-e (f is unlike c only), c-d is skipped
    # (a/e), g joins a, g-f is skipped (g's cluster holds c, unlike f)
    q = pairs(("a", "b", 0.99), ("d", "e", 0.98), ("b", "c", 0.97), ("e", "f", 0.96), ("c", "d", 0.95),
              ("a", "g", 0.94), ("g", "f", 0.93))
    ids = list("abcdefg")
    assert groups(cluster(ids, q, 0.9, apart=[("a", "e"), ("c", "f")])) == [list("abcg"), list("def")]
    # a person's "same" c-d comes first, over the model's constraints: {c,d,e} then keeps a
    # (a/e) and f (c/f) out, and f joins a's cluster through g
    r = cluster(ids, q, 0.9, [("c", "d", "same")], apart=[("a", "e"), ("c", "f")])
    assert groups(r) == [list("abfg"), list("cde")]
    assert r.clusters["e"] == "c" and r.clusters["g"] == "a" and r.conflicts == []


def test_constrained_components_are_redone_each_on_its_own():
    # three components: p-q-r-s (chain, p and s unlike), t-u-v (a "different" t-v with a
    # conflicting "same" u-v), x-y (no constraint). Edges listed weakest first and
    # interleaved across components, to check that each is redone strongest first.
    q = pairs(("r", "s", 0.91), ("u", "t", 0.93), ("x", "y", 0.92), ("q", "r", 0.96), ("p", "q", 0.99))
    ids = ["p", "q", "r", "s", "t", "u", "v", "x", "y"]
    r = cluster(ids, q, 0.9, [("t", "v", "different"), ("u", "v", "same")], apart=[("s", "p")])
    # p-q, q-r joined, r-s skipped (p and s apart); u-v by decision, then u-t skipped (t-v different)
    assert groups(r) == [["p", "q", "r"], ["s"], ["t"], ["u", "v"], ["x", "y"]]
    assert r.clusters["r"] == "p" and r.clusters["v"] == "u" and r.clusters["y"] == "x"
    assert r.probability["r"] == 0.96 and r.probability["p"] == 0.99 and r.probability["s"] is None
    assert r.probability["u"] == 1.0 and r.probability["t"] is None and r.probability["x"] == 0.92
    assert r.conflicts == []


def test_apart_pairs_as_positions():
    # positions in IDS: 0 = a, 2 = c; same as apart=[("a", "c")]
    r = cluster(IDS, P, 0.9, apart=np.array([[0, 2]]))
    assert groups(r) == [["a", "b"], ["c"], ["d", "e"]]
    assert groups(cluster(IDS, P, 0.9, apart=np.zeros((0, 2), dtype=np.int64))) == [["a", "b", "c"], ["d", "e"]]
    with pytest.raises(ValueError, match="positions"):
        cluster(IDS, P, 0.9, apart=np.array([[0, 5]]))


# --- ambiguous records: a name two people share, with nothing else to tell them apart

def test_ambiguous_record_joins_neither_cluster():
    # a (born 1970) and c (born 1990) share a name and are kept apart; b gives the name
    # alone and matches both at 0.95 (log2(0.95/0.05) = 4.25 bits each). Plain greedy
    # clustering puts b with a (a-b comes first among equal edges); with a margin of 3
    # bits b's best pair into c's cluster (4.25) is within 3 of its best into its own
    # (4.25): b is ambiguous and left alone.
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95))
    assert groups(cluster(["a", "b", "c"], q, 0.9, apart=[("a", "c")])) == [["a", "b"], ["c"]]
    r = cluster(["a", "b", "c"], q, 0.9, apart=[("a", "c")], ambiguous_margin=3)
    assert groups(r) == [["a"], ["b"], ["c"]]
    assert r.ambiguous == ["b"]
    assert r.probability == {"a": None, "b": None, "c": None}


def test_ambiguity_needs_the_other_pair_within_the_margin():
    # a-b 0.999 is log2(999) = 9.96 bits, b-c 0.95 is 4.25: 5.71 bits apart
    q = pairs(("a", "b", 0.999), ("b", "c", 0.95))
    r = cluster(["a", "b", "c"], q, 0.9, apart=[("a", "c")], ambiguous_margin=3)
    assert groups(r) == [["a", "b"], ["c"]] and r.ambiguous == []
    r = cluster(["a", "b", "c"], q, 0.9, apart=[("a", "c")], ambiguous_margin=6)
    assert groups(r) == [["a"], ["b"], ["c"]] and r.ambiguous == ["b"]


def test_a_record_kept_apart_from_the_other_cluster_is_not_ambiguous():
    # c's cluster is {c, d}: c (born 1990) gives the name alone, d is its mention born 1990.
    # b (born 1970, like a) matches a and c equally (0.95 each) but is itself kept apart
    # from d (20 years apart): b could never join c's cluster, so it is not ambiguous and
    # stays with a. The same graph with the b-d constraint replaced by a-d leaves b alone.
    # (c's best pair into its own cluster, 0.99 = 6.63 bits, is 2.38 bits above its pair
    # with b: c is not ambiguous at a margin of 2 bits.)
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95), ("c", "d", 0.99))
    r = cluster(["a", "b", "c", "d"], q, 0.9, apart=[("a", "d"), ("b", "d")], ambiguous_margin=2)
    assert groups(r) == [["a", "b"], ["c", "d"]] and r.ambiguous == []
    r = cluster(["a", "b", "c", "d"], q, 0.9, apart=[("a", "d")], ambiguous_margin=2)
    assert groups(r) == [["a"], ["b"], ["c", "d"]] and r.ambiguous == ["b"]
    # a person's "different" bars the other cluster as well
    r = cluster(["a", "b", "c", "d"], q, 0.9, [("b", "c", "different")], apart=[("a", "d")], ambiguous_margin=2)
    assert groups(r) == [["a", "b"], ["c", "d"]] and r.ambiguous == []


def test_ambiguity_reads_match_weight_when_given():
    # same probabilities as the first test, but the weights say b is far closer to a
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95))
    q["match_weight"] = [10.0, 4.0]
    r = cluster(["a", "b", "c"], q, 0.9, apart=[("a", "c")], ambiguous_margin=3)
    assert groups(r) == [["a", "b"], ["c"]] and r.ambiguous == []


def test_same_decision_is_never_ambiguous_and_a_bridge_takes_its_followers():
    q = pairs(("b", "e", 0.97), ("a", "b", 0.95), ("b", "c", 0.95))
    # a person said b is a: b stays with a, although it matches c as well
    r = cluster(["a", "b", "c", "e"], q, 0.9, [("a", "b", "same")], apart=[("a", "c")], ambiguous_margin=3)
    assert groups(r) == [["a", "b", "e"], ["c"]] and r.ambiguous == []
    # without it: b (best own 0.97 = 5.01 bits, other 4.25) is ambiguous; e, held by b
    # alone, is left alone too (not ambiguous itself: it matches no other cluster)
    r = cluster(["a", "b", "c", "e"], q, 0.9, apart=[("a", "c")], ambiguous_margin=3)
    assert groups(r) == [["a"], ["b"], ["c"], ["e"]] and r.ambiguous == ["b"]


# two groups of two, {a, b} and {c, d}, and e; b-c is the only edge between the groups
GROUPS = pairs(("a", "b", 0.99), ("c", "d", 0.99), ("b", "c", 0.95), ("d", "e", 0.93))


def test_merge_share_keeps_two_groups_joined_by_one_edge_apart():
    # without it the edges' components: {a, b, c, d, e}
    assert groups(cluster(IDS, GROUPS, 0.9)) == [["a", "b", "c", "d", "e"]]
    # a-b and c-d first (0.99); d-e (0.93) comes after b-c (0.95), so b-c meets {a, b} and
    # {c, d}: 1 of their 4 pairs (a-c, a-d, b-c, b-d) is an edge, 0.25 < 0.5: skipped; e, a
    # single record, joins {c, d} through d-e whatever the share
    r = cluster(IDS, GROUPS, 0.9, merge_share=0.5)
    assert groups(r) == [["a", "b"], ["c", "d", "e"]]
    assert r.probability["b"] == 0.99 and r.probability["c"] == 0.99
    # 1 edge of 4 pairs is enough at 0.25 (at least the share joins)
    assert groups(cluster(IDS, GROUPS, 0.9, merge_share=0.25)) == [["a", "b", "c", "d", "e"]]


def test_merge_share_joins_groups_with_enough_edges_and_same_decisions():
    # 3 of the 4 pairs between {a, b} and {c, d} are edges (b-c, a-d, b-d): 0.75 >= 0.5
    more = pd.concat([GROUPS, pairs(("a", "d", 0.94), ("b", "d", 0.94))], ignore_index=True)
    assert groups(cluster(IDS, more, 0.9, merge_share=0.5)) == [["a", "b", "c", "d", "e"]]
    # a person's "same" decision joins whatever the share
    r = cluster(IDS, GROUPS, 0.9, [("a", "c", "same")], merge_share=0.5)
    assert groups(r) == [["a", "b", "c", "d", "e"]]


def test_an_edge_skipped_for_the_share_makes_no_record_ambiguous():
    # b-c weighs as much as b's edge into its own cluster (0.99 each): had a constraint kept
    # {a, b} and {c, d} apart, b and c would be ambiguous (margin 0.25 bits); skipped for the
    # share, nothing keeps the two apart, so neither is
    even = pairs(("a", "b", 0.99), ("c", "d", 0.99), ("b", "c", 0.99))
    r = cluster(["a", "b", "c", "d"], even, 0.9, ambiguous_margin=0.25, merge_share=0.5)
    assert groups(r) == [["a", "b"], ["c", "d"]] and r.ambiguous == []
    kept = cluster(["a", "b", "c", "d"], even, 0.9, apart=[("a", "d")], ambiguous_margin=0.25)
    assert kept.ambiguous == ["b", "c"]
def test_a_join_refused_for_the_share_is_listed_for_review():
    # GROUPS: b-c (0.95) is refused (1 of the 4 pairs between {a, b} and {c, d} is an edge,
    # 0.25 < 0.5) and the two stay apart to the end: b-c is the one split pair, in the
    # pairs' own order (b, c); a-b, c-d, d-e joined their clusters
    r = cluster(IDS, GROUPS, 0.9, merge_share=0.5)
    assert r.split == [("b", "c")]
    # the same pair written the other way round keeps its order (c, b)
    flipped = pairs(("a", "b", 0.99), ("c", "d", 0.99), ("c", "b", 0.95), ("d", "e", 0.93))
    assert cluster(IDS, flipped, 0.9, merge_share=0.5).split == [("c", "b")]
    # without merge_share nothing is refused; at 0.25 the join is made
    assert cluster(IDS, GROUPS, 0.9).split == []
    assert cluster(IDS, GROUPS, 0.9, merge_share=0.25).split == []


def test_a_refused_join_made_later_is_not_listed():
    # a-b, c-d 0.99; b-c 0.97: {a, b} and {c, d} have 1 edge of 4 pairs (b-c; c-e and d-e
    # are with e): refused. a-e 0.96: e alone joins {a, b} (a single record is not checked).
    # c-e 0.95: {a, b, e} and {c, d} have b-c, c-e, d-e: 3 of 6 pairs, 0.5 >= 0.5: joined.
    # b-c was refused but its two ends end in one cluster: not for review.
    later = pairs(("a", "b", 0.99), ("c", "d", 0.99), ("b", "c", 0.97), ("a", "e", 0.96),
                  ("c", "e", 0.95), ("d", "e", 0.94))
    r = cluster(IDS, later, 0.9, merge_share=0.5)
    assert groups(r) == [["a", "b", "c", "d", "e"]] and r.split == []
    # without d-e: 2 of 6 pairs at c-e, refused again; b-c and c-e are both listed,
    # strongest first
    fewer = later.iloc[:5]
    r = cluster(IDS, fewer, 0.9, merge_share=0.5)
    assert groups(r) == [["a", "b", "e"], ["c", "d"]] and r.split == [("b", "c"), ("c", "e")]


# --- placing an ambiguous record by its name (cluster.place_ambiguous)

def _placed(ids, q, apart, sim, gap, margin=0.25, ambiguous_margin=3, decisions=()):
    """prepare, solve, place_ambiguous, result; ``sim``: {(x, y): similarity} (either order)."""
    from kuager.linkage import cluster as cl

    graph = cl.prepare(ids, q, 0.9, decisions)
    sol = cl.solve(graph, cl.apart_positions(graph, apart), ambiguous_margin)

    def similarity(a, b):
        return np.array([sim.get((ids[i], ids[j]), sim.get((ids[j], ids[i]), 0.0))
                         for i, j in zip(a.tolist(), b.tolist())])

    return cl.result(graph, cl.place_ambiguous(graph, sol, similarity, gap, margin))


def test_ambiguous_record_joins_the_cluster_its_name_is_closest_to():
    # as test_ambiguous_record_joins_neither_cluster: b matches a and c at 0.95 (4.25 bits
    # each) and is ambiguous. Its spelling is closer to a's (similarity 0.95) than to c's
    # (0.80): 0.15 apart, more than a gap of 0.05, so b joins a, with a-b's probability;
    # it is still listed as ambiguous (its pairs stay in review).
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95))
    r = _placed(["a", "b", "c"], q, [("a", "c")], {("a", "b"): 0.95, ("b", "c"): 0.80}, 0.05)
    assert groups(r) == [["a", "b"], ["c"]]
    assert r.ambiguous == ["b"] and r.placed == ["b"]
    assert r.probability == {"a": 0.95, "b": 0.95, "c": None}
    assert r.clusters["b"] == "a"
    # a gap of 0.2 asks more than the 0.15 between them: b stays alone
    r = _placed(["a", "b", "c"], q, [("a", "c")], {("a", "b"): 0.95, ("b", "c"): 0.80}, 0.2)
    assert groups(r) == [["a"], ["b"], ["c"]] and r.placed == [] and r.ambiguous == ["b"]
    # the same name as both (similarity 1.0 each): nothing to choose by, b stays alone
    r = _placed(["a", "b", "c"], q, [("a", "c")], {("a", "b"): 1.0, ("b", "c"): 1.0}, 0.05)
    assert groups(r) == [["a"], ["b"], ["c"]] and r.placed == []


def test_placing_skips_clusters_the_record_is_kept_apart_from():
    # b matches a, c and e at 0.95; a, c, e are kept apart from one another, and b from e
    # (e could never take b). By name b is closest to e (1.0), then a (0.9), then c (0.7):
    # e does not count, a beats c by 0.2 > 0.05, so b joins a. Without the b-e constraint e
    # beats a by 0.1 and b joins e.
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95), ("b", "e", 0.95))
    sim = {("a", "b"): 0.9, ("b", "c"): 0.7, ("b", "e"): 1.0}
    apart = [("a", "c"), ("a", "e"), ("c", "e")]
    r = _placed(["a", "b", "c", "e"], q, apart + [("b", "e")], sim, 0.05)
    assert groups(r) == [["a", "b"], ["c"], ["e"]] and r.placed == ["b"]
    r = _placed(["a", "b", "c", "e"], q, apart, sim, 0.05)
    assert groups(r) == [["a"], ["b", "e"], ["c"]] and r.placed == ["b"]
    # e's cluster {e, f} (e-f 0.99): a person's "different" on b and f bars it as the
    # model's keep-apart pair does (b has no pair with f; without the decision b joins e, f)
    qf = pd.concat([q, pairs(("e", "f", 0.99))], ignore_index=True)
    r = _placed(["a", "b", "c", "e", "f"], qf, apart, sim, 0.05)
    assert groups(r) == [["a"], ["b", "e", "f"], ["c"]] and r.placed == ["b"]
    r = _placed(["a", "b", "c", "e", "f"], qf, apart, sim, 0.05, decisions=[("b", "f", "different")])
    assert groups(r) == [["a", "b"], ["c"], ["e", "f"]] and r.placed == ["b"]


def test_two_placed_records_kept_apart_do_not_share_a_cluster():
    # b matches c at 0.955 (log2(0.955/0.045) = 4.41 bits) and a at 0.95 (4.25), d likewise
    # e and a (the two within the placing margin, 0.25 bits); a is kept
    # apart from c and e, and b from d. Greedy: b-c and d-e join, a stays alone; b's pair
    # into a is within 3 bits of its best into its own, so b is ambiguous, and d too. Both
    # are closer by name to a (0.95 against 0.8): b (first in record order) joins a; a's
    # cluster then holds b, d's keep-apart partner, so d stays alone.
    q = pairs(("b", "c", 0.955), ("d", "e", 0.955), ("a", "b", 0.95), ("a", "d", 0.95))
    sim = {("a", "b"): 0.95, ("b", "c"): 0.8, ("a", "d"): 0.95, ("d", "e"): 0.8}
    r = _placed(["a", "b", "c", "d", "e"], q, [("a", "c"), ("a", "e"), ("b", "d")], sim, 0.05)
    assert r.ambiguous == ["b", "d"] and r.placed == ["b"]
    assert groups(r) == [["a", "b"], ["c"], ["d"], ["e"]]


def test_placing_compares_names_only_among_candidates_within_the_margin():
    # b-a 0.999 (9.96 bits) and b-c 0.95 (4.25 bits); at an ambiguous_margin of 6 bits b is
    # ambiguous. By name c is closer (0.95 against 0.8), but with a placing margin of 0.25
    # bits only a (5.71 bits above c) is compared: the one candidate left takes b. With a
    # placing margin of 6 bits both are compared and c's name wins by 0.15.
    q = pairs(("a", "b", 0.999), ("b", "c", 0.95))
    sim = {("a", "b"): 0.8, ("b", "c"): 0.95}
    r = _placed(["a", "b", "c"], q, [("a", "c")], sim, 0.05, margin=0.25, ambiguous_margin=6)
    assert groups(r) == [["a", "b"], ["c"]] and r.placed == ["b"]
    r = _placed(["a", "b", "c"], q, [("a", "c")], sim, 0.05, margin=6, ambiguous_margin=6)
    assert groups(r) == [["a"], ["b", "c"]] and r.placed == ["b"]
    assert r.probability["b"] == 0.95


def test_placing_with_a_gap_of_zero_needs_only_a_strict_best():
    # as test_ambiguous_record_joins_the_cluster_its_name_is_closest_to: b is ambiguous between
    # a and c. Gap 0: the best candidate counts whatever the gap, so 0.95 against 0.80 places b
    # with a (before this fix a gap of 0 placed nothing: "s > top - 0" never holds for the best);
    # a tie (0.90 and 0.90) leaves two candidates at the top: b stays alone
    q = pairs(("a", "b", 0.95), ("b", "c", 0.95))
    r = _placed(["a", "b", "c"], q, [("a", "c")], {("a", "b"): 0.95, ("b", "c"): 0.80}, 0.0)
    assert groups(r) == [["a", "b"], ["c"]] and r.placed == ["b"]
    r = _placed(["a", "b", "c"], q, [("a", "c")], {("a", "b"): 0.90, ("b", "c"): 0.90}, 0.0)
    assert groups(r) == [["a"], ["b"], ["c"]] and r.placed == []
