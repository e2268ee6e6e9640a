"""Why one person's mentions miss each other in blocking, on the synthetic tuning seed 7.

Usage: .venv/bin/python benchmarks/blocking_misses.py [N]   (N mentions, default 10,000)

Draws ``synth.generate(N, seed=7)`` (recording which spellings the generator wrote with
the father's name first), computes the features of :func:`kuager.linkage.features.prepare`
and the candidate pairs of the blocking rules for inputs up to ``model.LARGE`` (in Python,
one index per rule), then sorts the true pairs that are not candidates: a swapped order
in one of the two mentions, given-name keys that differ, father's-name keys that differ,
both, or a shared part key without the birth year or place the rule also needs. It also
prints quantiles of :func:`kuager.names.similarity` for true pairs of spellings where
exactly one is swapped, against pairs where neither is. Examples go to
/tmp/blocking-misses-N.json. Figures are printed, not asserted (docs/names.md).
"""
import collections
import itertools
import json
import random
import sys

import numpy as np
import pandas as pd

from kuager.linkage import features, synth
from kuager.names import similarity

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
swapped = {}  # spelling -> written with the father's name first
orig = synth.Generator.spell


def spell(self, v, script, swap=False):
    t = orig(self, v, script, swap)
    swapped[t] = swapped.get(t, False) or swap
    return t


synth.Generator.spell = spell
rows, truth, fam = synth.generate(N, seed=7)
df = pd.DataFrame(rows).drop(columns=["synthetic"])
F = features.prepare(df)
F = F.set_index("unique_id")
ids = list(F.index)
# candidate pairs (rules for <= LARGE)
idx = collections.defaultdict(set)
def add(name, val, i):
    idx[(name, val)].add(i)
for i, r in F.iterrows():
    gk, fk, nk = r.given_keys or [], r.father_keys or [], r.name_keys or []
    for g in gk:
        for f in fk: add("gf", (g, f), i)
        if pd.notna(r.by_lo): add("gy", (g, r.by_lo), i)
        if r.place_canon: add("gp", (g, r.place_canon), i)
    for f in fk:
        if pd.notna(r.by_lo): add("fy", (f, r.by_lo), i)
    for k in nk: add("n", k, i)
    if r.cid: add("cid", r.cid, i)
    if r.birth_date: add("bd", r.birth_date, i)
cand = set()
for s in idx.values():
    if len(s) > 1:
        for a, b in itertools.combinations(sorted(s), 2):
            cand.add((a, b))
by = collections.defaultdict(list)
for r, c in truth.items(): by[c].append(r)
true_pairs = [(a, b) for m in by.values() for a, b in itertools.combinations(sorted(m), 2)]
missed = [p for p in true_pairs if p not in cand]
print("true pairs", len(true_pairs), "candidates", len(cand), "recall", 1 - len(missed) / len(true_pairs))
cat = collections.Counter()
ex = collections.defaultdict(list)
def sp(i): return [s.strip() for s in F.at[i, "names"].split("|")]
for a, b in missed:
    sa, sb = sp(a), sp(b)
    swa = any(swapped.get(s) for s in sa); swb = any(swapped.get(s) for s in sb)
    ga, gb = set(F.at[a, "given_keys"] or []), set(F.at[b, "given_keys"] or [])
    fa, fb = set(F.at[a, "father_keys"] or []), set(F.at[b, "father_keys"] or [])
    if swa != swb or (swa and swb):
        c = "swap"
    elif not (ga & gb) and not (fa & fb):
        c = "given+father keys differ"
    elif not (ga & gb):
        c = "given keys differ"
    elif not (fa & fb):
        c = "father keys differ"
    else:
        c = "share a part key, no year/place"
    cat[c] += 1
    if len(ex[c]) < 40:
        ex[c].append((sa, sb, round(max(similarity(x, y) for x in sa for y in sb), 2)))
for c, n in cat.most_common():
    print(f"{c:35s} {n:6d} {n/len(true_pairs):.4f}")
# similarity of true swapped pairs (candidate or not): a swapped spelling vs unswapped of same person, other script
sims = []; sims_un = []
for a, b in random.Random(1).sample(true_pairs, min(20000, len(true_pairs))):
    for x in sp(a):
        for y in sp(b):
            if swapped.get(x) != swapped.get(y):
                sims.append(similarity(x, y))
            elif not swapped.get(x):
                sims_un.append(similarity(x, y))
for name, s in (("swapped", sims), ("unswapped", sims_un)):
    s = np.array(s)
    print(name, len(s), "quantiles 10/25/50/75/90:", np.round(np.quantile(s, [.1, .25, .5, .75, .9]), 3), "share<0.5", round((s < .5).mean(), 3))
json.dump(dict(ex), open(f"/tmp/blocking-misses-{N}.json", "w"), ensure_ascii=False, indent=0)
