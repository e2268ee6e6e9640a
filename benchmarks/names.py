"""Benchmark of kuager.names: quality (ROC AUC, accuracy) against a generic baseline, and speed.

Usage: .venv/bin/python benchmarks/names.py [--build-pairs]

Data:
- benchmarks/data/names-dev-pairs.csv: the shared development pairs (copied from
  ../shared/data/names/dev-pairs.csv); the module was developed looking at them.
- benchmarks/data/names-people.csv: invented people with hand-written spellings in every
  script, and their relatives/namesakes (hard negatives).
- benchmarks/data/names-pairs.csv: pairs drawn from names-people.csv (``--build-pairs``
  rewrites it, deterministic seed), split by person: ``tune`` (k01-k13, u01-u10: used to
  set weights and the threshold) and ``heldout`` (k14-k25, u11-u20: never looked at
  while tuning).

Baseline: anyascii transliteration (pinyin for Han, romanisation for Cyrillic/Arabic),
lower case, then Jaro-Winkler similarity of the whole strings (rapidfuzz).
Throughput: one process, measured in CPU time of this process (time.process_time), so that
other jobs sharing the machine do not count; "cold" means every whole name is new to the
caches (name parts repeat, as they do in real data, and are cached per part).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import JaroWinkler

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE.parent / "src"))

from kuager import names  # noqa: E402
from kuager.names import keys, similarity  # noqa: E402

TUNE_PEOPLE = {f"k{i:02d}" for i in range(1, 14)} | {f"u{i:02d}" for i in range(1, 11)}


def read_people():
    with open(DATA / "names-people.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    for r in rows:
        r["variants"] = r["variants"].split("|")
    return rows


def build_pairs(seed: int = 20240611) -> list[dict]:
    rnd = random.Random(seed)
    people = read_people()
    by_id = {r["id"]: r for r in people}
    pos, neg = [], []
    for r in people:
        main = r["relation_to"] or r["id"]
        split = "tune" if main in TUNE_PEOPLE else "heldout"
        if not r["relation_to"]:
            combos = list(itertools.combinations(r["variants"], 2))
            rnd.shuffle(combos)
            for a, b in combos[:8]:
                pos.append({"name_a": a, "name_b": b, "same_person": 1, "note": f"{r['id']} variants",
                            "split": split})
        else:
            other = by_id[r["relation_to"]]["variants"]
            for v in r["variants"]:
                for w in rnd.sample(other, 3):
                    neg.append({"name_a": v, "name_b": w, "same_person": 0,
                                "note": f"{r['id']} {r['relation']} of {r['relation_to']}", "split": split})
    n = min(len(pos), len(neg))
    rnd.shuffle(pos)
    rnd.shuffle(neg)
    pairs = pos[:n] + neg[:n]
    pairs.sort(key=lambda p: (p["split"], p["note"]))
    return pairs


def read_pairs(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count one half)."""
    pos = s[y == 1]
    neg = s[y == 0]
    gt = (pos[:, None] > neg[None, :]).sum()
    eq = (pos[:, None] == neg[None, :]).sum()
    return float((gt + 0.5 * eq) / (len(pos) * len(neg)))


def best_threshold(y: np.ndarray, s: np.ndarray) -> float:
    cands = np.unique(s)
    accs = [((s >= t) == (y == 1)).mean() for t in cands]
    i = int(np.argmax(accs))
    # midway to the next lower score, so the threshold is not glued to one example
    lower = cands[i - 1] if i > 0 else cands[i] - 0.01
    return float((cands[i] + lower) / 2)


def baseline(a: str, b: str) -> float:
    from anyascii import anyascii

    return JaroWinkler.normalized_similarity(anyascii(a).lower(), anyascii(b).lower())


def evaluate(pairs, thr_k, thr_b):
    y = np.array([int(p["same_person"]) for p in pairs])
    sk = np.array([similarity(p["name_a"], p["name_b"]) for p in pairs])
    sb = np.array([baseline(p["name_a"], p["name_b"]) for p in pairs])
    kshare = np.array([bool({k for k in keys(p["name_a"]) if k[0] in "nf"}
                            & {k for k in keys(p["name_b"]) if k[0] in "nf"}) for p in pairs])
    return {
        "n": len(pairs), "pos": int(y.sum()),
        "auc_k": auc(y, sk), "acc_k": float(((sk >= thr_k) == (y == 1)).mean()),
        "auc_b": auc(y, sb), "acc_b": float(((sb >= thr_b) == (y == 1)).mean()),
        "key_recall": float(kshare[y == 1].mean()), "key_shared_neg": float(kshare[y == 0].mean()),
        "scores": sk, "y": y,
    }


def throughput():
    people = read_people()
    givens, fathers = [], []
    for r in people:
        for v in r["variants"]:
            p = names.parse(v)
            parts = [x.text for x in p.parts]
            if len(parts) >= 2:
                givens.append(parts[0])
                fathers.append(parts[1])
    # distinct new names: every given name with every father's name, in the same script family
    combos = []
    sep = {True: "·", False: " "}
    for g in givens:
        for f in fathers:
            if names.detect_script(g) == names.detect_script(f):
                combos.append(g + sep[names.detect_script(g) == "Han"] + f)
    rnd = random.Random(1)
    rnd.shuffle(combos)
    combos = combos[:30000]

    def clear():
        import importlib

        chinese, keys_mod, normalize, parse_mod, scripts = (
            importlib.import_module(f"kuager.names.{m}")
            for m in ("chinese", "keys", "normalize", "parse", "scripts"))
        parse_mod._token_info.cache_clear()
        scripts._pieces.cache_clear()
        for fn in (parse_mod.parse, parse_mod._uli_info, parse_mod._roles, parse_mod._part, keys_mod._keys,
                   keys_mod._keys_of, normalize.forms_of_root, normalize.medium,
                   normalize.coarse, chinese.decode_han, chinese.decode_pinyin, chinese.segment_pinyin,
                   scripts.detect_script):
            fn.cache_clear()

    clear()
    t = time.process_time()
    for n in combos:
        keys(n)
    keys_cold = len(combos) / (time.process_time() - t)
    t = time.process_time()
    for n in combos:
        keys(n)
    keys_warm = len(combos) / (time.process_time() - t)

    pairs = [(combos[i], combos[(i * 7919 + 13) % len(combos)]) for i in range(len(combos))]
    clear()
    t = time.process_time()
    for a, b in pairs:
        similarity(a, b)
    sim_cold = len(pairs) / (time.process_time() - t)
    t = time.process_time()
    for a, b in pairs:
        similarity(a, b)
    sim_warm = len(pairs) / (time.process_time() - t)
    return len(combos), keys_cold, keys_warm, sim_cold, sim_warm


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-pairs", action="store_true", help="rewrite names-pairs.csv from names-people.csv")
    ap.add_argument("--errors", action="store_true", help="list the misclassified pairs")
    args = ap.parse_args(argv)
    pairs_path = DATA / "names-pairs.csv"
    if args.build_pairs or not pairs_path.exists():
        pairs = build_pairs()
        with open(pairs_path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["name_a", "name_b", "same_person", "note", "split"])
            w.writeheader()
            w.writerows(pairs)
    allpairs = read_pairs(pairs_path)
    tune = [p for p in allpairs if p["split"] == "tune"]
    held = [p for p in allpairs if p["split"] == "heldout"]
    dev = read_pairs(DATA / "names-dev-pairs.csv")

    # thresholds chosen on the tuning half only
    yt = np.array([int(p["same_person"]) for p in tune])
    thr_k = best_threshold(yt, np.array([similarity(p["name_a"], p["name_b"]) for p in tune]))
    thr_b = best_threshold(yt, np.array([baseline(p["name_a"], p["name_b"]) for p in tune]))
    print(f"thresholds (chosen on the tuning half): kuager {thr_k:.3f}, baseline {thr_b:.3f}\n")
    print(f"{'set':<22}{'pairs':>6}{'same':>6} | {'kuager AUC':>10}{'acc':>7} | {'baseline AUC':>12}{'acc':>7}"
          f" | {'key recall':>10}{'key on diff':>12}")
    for label, ps in (("dev-pairs (shared)", dev), ("people: tuning half", tune),
                      ("people: held-out half", held)):
        r = evaluate(ps, thr_k, thr_b)
        print(f"{label:<22}{r['n']:>6}{r['pos']:>6} | {r['auc_k']:>10.3f}{r['acc_k']:>7.3f} | "
              f"{r['auc_b']:>12.3f}{r['acc_b']:>7.3f} | {r['key_recall']:>10.3f}{r['key_shared_neg']:>12.3f}")
        if args.errors:
            for p, s, y in zip(ps, r["scores"], r["y"]):
                if (s >= thr_k) != (y == 1):
                    print(f"    {s:.3f} {y} {p['name_a']} | {p['name_b']} | {p['note']}")
    n, kc, kw, sc, sw = throughput()
    print(f"\nthroughput, CPU time of one process ({n} distinct names):")
    print(f"  keys:       {kc:>10,.0f} names/s cold (new names)   {kw:>12,.0f} names/s cached")
    print(f"  similarity: {sc:>10,.0f} pairs/s cold (new names)   {sw:>12,.0f} pairs/s cached names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
