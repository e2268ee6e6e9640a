"""Where the B-cubed errors of Kuager's linkage come from, on SYNTHETIC mentions.

Runs :func:`kuager.linkage.link` on ``synth.generate(N, seed=S)`` (default 100,000
mentions, the tuning seed 7) and prints B-cubed precision, recall and F1 (Bagga &
Baldwin 1998) of the clustering, then of *oracle* clusterings that use the truth to
repair one kind of error at a time, so that each kind's share of the loss is
measured, not guessed:

- split by the truth (every cluster cut into its people: precision 1);
- each record that is not of its cluster's majority person put alone;
- each record of a kind put into its person's main cluster (the cluster holding most
  of its mentions): ambiguous records (left alone by ``ambiguous_margin``), records
  with no pair at or above the threshold (of those, with a pair at 0.5 or more),
  records alone with a pair at or above the threshold that are not ambiguous;
- clusters of two records or more joined where a true pair at or above the threshold
  links two members of their majority person (the merges a refinement of the
  clustering could make);

and, with ``--moves``, the local-move refinements tried in the fourth quality round of
issue 4 (docs/linkage.md): each record moves to the neighbouring cluster with the
highest sum of match weights (bits) that no kept-apart pair forbids, with a penalty
of ``c`` bits for each member it has no pair with, or only out (alone).

    .venv/bin/python benchmarks/linkage_errors.py                 # 100,000, seed 7
    .venv/bin/python benchmarks/linkage_errors.py -n 10000 --moves

Numbers, not tests. The last call of ``kuager.linkage.cluster.solve`` inside ``link`` is
recorded (its graph, the kept-apart pairs and the solution) to rebuild the clustering's inputs.
"""

from __future__ import annotations

import argparse
import inspect
import time

import numpy as np
import pandas as pd


def _score(labels: np.ndarray, truth: np.ndarray) -> str:
    from kuager.linkage import metrics

    ids = range(len(labels))
    s = metrics.bcubed(dict(zip(ids, labels.tolist())), dict(zip(ids, truth.tolist())))
    return f"P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}"


def _sym(a, b, w=None):
    a2, b2 = np.concatenate([a, b]), np.concatenate([b, a])
    return (a2, b2) if w is None else (a2, b2, np.concatenate([w, w]))


def local_moves(n, a, b, w, labels, ca, cb, movable, c, join=True, rounds=30):
    """Correlation-clustering local moves on directed edges ``a -> b`` of weight ``w``
    (bits); a member without a pair costs ``c`` bits; ``ca``, ``cb`` kept-apart pairs
    (directed). Each round takes the best moves, at most one per cluster touched."""
    labels = labels.copy()
    for _ in range(rounds):
        size = np.bincount(labels, minlength=n)
        key = a * n + labels[b]
        uk, inv = np.unique(key, return_inverse=True)
        s, k = np.bincount(inv, weights=w), np.bincount(inv)
        node, clus = uk // n, uk % n
        own = clus == labels[node]
        val = s - c * (size[clus] - own - k)
        v_own = -c * (size[labels] - 1).astype(float)
        v_own[node[own]] = val[own]
        forbidden = np.isin(uk, np.unique(ca * n + labels[cb]))
        cand = np.flatnonzero(~own & ~forbidden & movable[node]) if join else np.zeros(0, dtype=np.int64)
        out = np.flatnonzero(movable & (size[labels] > 1) & (-v_own > 1e-9))
        who = np.concatenate([node[cand], out])
        dst = np.concatenate([clus[cand], np.full(len(out), -1)])
        gain = np.concatenate([val[cand] - v_own[node[cand]], -v_own[out]])
        ok = gain > 1e-9
        who, dst, gain = who[ok], dst[ok], gain[ok]
        if not len(gain):
            break
        touched: set[int] = set()
        free = iter(np.flatnonzero(size == 0).tolist())
        for q in np.lexsort((who, -gain)).tolist():
            i, to, src = int(who[q]), int(dst[q]), int(labels[who[q]])
            if src in touched or to in touched:
                continue
            to = next(free) if to == -1 else to
            touched.update((src, to))
            labels[i] = to
    return labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--moves", action="store_true", help="also try the local-move refinements")
    args = ap.parse_args()

    import kuager.linkage as linkage
    from kuager.linkage import cluster as cl
    from kuager.linkage import synth

    rows, truth, _ = synth.generate(args.n, seed=args.seed)
    df = pd.DataFrame(rows).fillna("").astype(str)
    calls = []
    real = cl.solve

    def spy(graph, apart=None, ambiguous_margin=None, previous=None, changed=None, **more):
        sol = real(graph, apart, ambiguous_margin, previous=previous, changed=changed, **more)
        calls.append((graph, apart, sol))
        return sol

    # link() clusters with cluster.prepare / solve / result (the cluster check solves again):
    # the last solve holds the final clustering and every kept-apart pair
    cl.solve = spy
    t0 = time.perf_counter()
    res = linkage.link(df)
    cl.solve = real
    print(f"{args.n} mentions, seed {args.seed}: link {time.perf_counter() - t0:.0f} s; "
          f"{res.stats['ambiguous']} ambiguous")
    graph, apart, sol = calls[-1]
    c = cl.result(graph, sol)
    ids = graph.ids
    threshold = inspect.signature(linkage.link).parameters["threshold"].default
    edges = res.pairs[res.pairs["match_probability"].notna()]
    ids = [str(i) for i in ids]
    n, index = len(ids), pd.Index(ids)
    lab = index.get_indexer(pd.Series([c.clusters[i] for i in ids])).astype(np.int64)
    t = pd.factorize(pd.Series([truth[i] for i in ids]))[0].astype(np.int64)
    li = index.get_indexer(edges["unique_id_l"].astype(str)).astype(np.int64)
    ri = index.get_indexer(edges["unique_id_r"].astype(str)).astype(np.int64)
    p = edges["match_probability"].to_numpy(float)
    w = edges["match_weight"].to_numpy(float)
    amb = np.zeros(n, dtype=bool)
    amb[index.get_indexer(c.ambiguous)] = True
    size = np.bincount(lab, minlength=n)
    tsize = np.bincount(t)
    cells = pd.DataFrame({"c": lab, "t": t})
    majority = cells.groupby("c")["t"].agg(lambda s: s.value_counts().index[0])
    wrong = majority.reindex(lab).to_numpy() != t
    main_cluster = cells.groupby("t")["c"].agg(lambda s: s.value_counts().index[0]).to_numpy()
    strong = p >= threshold
    deg = np.bincount(np.concatenate([li[strong], ri[strong]]), minlength=n)
    deg5 = np.bincount(np.concatenate([li[p >= 0.5], ri[p >= 0.5]]), minlength=n)

    print(f"{'clustering':<62} {_score(lab, t)}")
    split = pd.factorize(pd.Series(lab).astype(str) + "_" + pd.Series(t).astype(str))[0]
    print(f"{'oracle: split by the truth':<62} {_score(split, t)}")
    alone = lab.copy()
    alone[wrong] = n + np.flatnonzero(wrong)
    print(f"{f'oracle: {wrong.sum()} minority members alone':<62} {_score(alone, t)}")
    others = tsize[t] > 1
    for name, mask in [("ambiguous records", amb),
                       ("no pair >= threshold (person has others)", (deg == 0) & others),
                       ("  of which a pair >= 0.5", (deg == 0) & (deg5 > 0) & others),
                       ("alone, not ambiguous, a pair >= threshold", (size[lab] == 1) & ~amb & (deg > 0) & others)]:
        fixed = lab.copy()
        fixed[mask] = main_cluster[t[mask]]
        print(f"{f'oracle: {mask.sum()} {name} to their person':<62} {_score(fixed, t)}")
    el, er = li[strong], ri[strong]
    true_link = (lab[el] != lab[er]) & (t[el] == t[er]) & ~wrong[el] & ~wrong[er]
    multi = (size[lab[el]] > 1) & (size[lab[er]] > 1)
    merged = cl._components(n, lab[el][true_link & multi], lab[er][true_link & multi])[lab]
    print(f"{'oracle: clusters of 2+ merged along true strong pairs':<62} {_score(merged, t)}")

    if args.moves and apart is not None:
        ap_ = np.asarray(apart).reshape(-1, 2)
        ca, cb = _sym(ap_[:, 0], ap_[:, 1])
        keep = strong & ~amb[li] & ~amb[ri]
        a, b, ww = _sym(li[keep], ri[keep], w[keep])
        for cost in (0.0, 1.0, 2.0, 4.0, 8.0):
            for join in (True, False):
                c0 = time.process_time()
                moved = local_moves(n, a, b, ww, lab, ca, cb, ~amb, cost, join)
                inside = moved[a] == moved[b]
                moved = cl._components(n, a[inside], b[inside])   # a cluster is connected
                what = "moves" if join else "out only"
                print(f"{f'local {what}, {cost:g} bits a missing pair ({time.process_time() - c0:.1f} CPU s)':<62} "
                      f"{_score(moved, t)}")


if __name__ == "__main__":
    main()
