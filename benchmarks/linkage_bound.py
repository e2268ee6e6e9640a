"""How high can B-cubed F1 go on SYNTHETIC mentions, from what the mentions say?

Not a test of Kuager: no linkage model is run. The generator (``kuager.linkage.synth``)
is replayed with the same seed, keeping each mention's true person (``Victim``: name,
sex, birth date, place, ID), and an oracle clustering is scored (B-cubed, Bagga &
Baldwin 1998) that fails only where the mentions themselves leave the answer open.

Method (assumptions stated; each makes the bound *higher*, i.e. optimistic):

1. **Names are read perfectly.** Every spelling, in any script, with typos, swaps and
   patronymic forms, is decoded to its person's name identity (ethnicity, sex, given
   and father's name in the generator's lexicon). Mentions of people with different
   names are never confused. Namesakes are people sharing that identity (the only
   people a perfect reader could confuse; the Chinese forms shared by Kazakh Қасым and
   Uyghur Қасим etc. are ignored).
2. **Compatibility.** A mention of person A is *compatible* with a namesake B when
   no field it gives rules B out under the generator: sex equal or absent; birth
   year off by at most 3 (the generator's conflicts), a full birth date only B's own,
   a year-only ``birth_date`` never B's true year (the generator writes a full date
   when the year is right), an age whose date gives a year within 3 of B's; place
   equal or absent (the place text is A's place, so: A's place is B's); ID absent, B's
   or one digit from B's (the generator's ID typo). Source, ethnicity and father's name
   field say nothing between namesakes. A mention compatible with no namesake but its
   own person is *distinguishable*; the others are *ambiguous*.
3. **Optimistic oracle (a perfect model of the generator that also knows every
   person's true record).** Distinguishable mentions go with their person. An
   ambiguous mention m gets the posterior over its compatible people
   p(B | m) ∝ (k_B + 1) · L(m | B): k_B = B's distinguishable mentions, L the
   generator's likelihood of m's birth and ID fields given B (year conflict 0.9 / 0.025
   / 0.0125 / 0.0125 for 0 / ±1 / ±2 / ±3 years, ID typo 0.1/17/9). It joins the
   most probable person when p ≥ τ, else stays alone; τ is the best of a grid, chosen
   with the truth (one global number).
4. **Realistic oracle (what the mentions alone say).** No true records: a person's
   known record is its distinguishable mentions (step 2 with the true records).
   m is compatible with namesake B when it contradicts none of B's distinguishable
   mentions field by field (sex, years more than 3 apart, place, ID more than one digit
   apart); the posterior is (k_B + 1) over the compatible ones (no likelihood). Two
   variants: the namesakes' cores kept apart (the oracle knows they are two people),
   or merged when no mention of one contradicts one of the other (it cannot know).

It also prints the share of mentions with no field that can tell namesakes apart
(no birth, place or ID) and with nothing but a name, measured and from ``Knobs``.

    PYTHONPATH=src .venv/bin/python benchmarks/linkage_bound.py -n 100000 --seed 11
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd

PD = {0: 0.9, 1: 0.025, -1: 0.025, 2: 0.0125, -2: 0.0125, 3: 0.0125, -3: 0.0125}
TAUS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)


def replay(n: int, seed: int):
    """``synth.generate(n, seed=seed)`` with each row's Victim kept: (rows, victims)."""
    from kuager.linkage import synth

    drawn = synth.draw(n, seed=seed)
    return [r for r, _ in drawn], [v for _, v in drawn]


def _years(row) -> tuple[int, int] | None:
    """The birth-year range a mention states (inclusive), or None."""
    if row["birth_year"]:
        y = int(row["birth_year"])
        return y, y
    if row["birth_date"]:
        y = int(row["birth_date"][:4])
        return y, y
    if row["age"]:
        a = dt.date.fromisoformat(row["age_as_of"]).year - int(row["age"])
        return a - 1, a
    return None


def likelihood(row, b) -> float:
    """Generator likelihood of ``row``'s sex, birth, place-free and ID fields given person
    ``b`` up to a factor common to all namesakes; 0 when ``b`` cannot have given them."""
    if row["sex"] and row["sex"][0].lower() != b.sex[0]:
        return 0.0
    like = 1.0
    if row["birth_year"]:
        like *= PD.get(int(row["birth_year"]) - b.birth.year, 0.0)
    elif row["birth_date"]:
        if len(row["birth_date"]) > 4:
            like *= PD[0] if row["birth_date"] == b.birth.isoformat() else 0.0
        else:
            d = int(row["birth_date"]) - b.birth.year
            like *= PD.get(d, 0.0) if d else 0.0
    elif row["age"]:
        as_of = dt.date.fromisoformat(row["age_as_of"])
        before = (as_of.month, as_of.day) < (b.birth.month, b.birth.day)
        like *= sum(p for d, p in PD.items() if as_of.year - (b.birth.year + d) - before == int(row["age"]))
    if row["chinese_id"]:
        diff = sum(x != y for x, y in zip(row["chinese_id"], b.chinese_id))
        like *= 0.9 if diff == 0 else (0.1 / 17 / 9 if diff == 1 else 0.0)
    return like


def compatible_rows(r1, r2) -> bool:
    """Mention-level compatibility (what two mentions say of one another)."""
    if r1["sex"] and r2["sex"] and r1["sex"][0].lower() != r2["sex"][0].lower():
        return False
    y1, y2 = r1["_years"], r2["_years"]
    if y1 and y2 and (y1[0] - y2[1] > 3 or y2[0] - y1[1] > 3):
        return False
    if r1["_place"] is not None and r2["_place"] is not None and r1["_place"] != r2["_place"]:
        return False
    if r1["chinese_id"] and r2["chinese_id"]:
        if sum(x != y for x, y in zip(r1["chinese_id"], r2["chinese_id"])) > 1:
            return False
    return True


def bcubed(labels, truth) -> tuple[float, float, float]:
    df = pd.DataFrame({"c": labels, "t": truth})
    cell = df.groupby(["c", "t"]).size().rename("n").reset_index()
    cell = cell.merge(df.groupby("c").size().rename("nc").reset_index(), on="c")
    cell = cell.merge(df.groupby("t").size().rename("nt").reset_index(), on="t")
    p = float((cell.n * cell.n / cell.nc).sum() / len(df))
    r = float((cell.n * cell.n / cell.nt).sum() / len(df))
    return p, r, 2 * p * r / (p + r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    from kuager.linkage import synth

    rows, vics = replay(args.n, args.seed)
    n = len(rows)
    vid = {}
    truth = np.array([vid.setdefault(v.victim_id, len(vid)) for v in vics])
    person = {}
    for v in vics:
        person[v.victim_id] = v
    for r, v in zip(rows, vics):
        r["_years"] = _years(r)
        r["_place"] = v.place[2] if r["hometown"] else None

    k = synth.Knobs()
    no_id = 0.8 * (1 - k.id_rate) + 0.2 * (1 - k.id_rate) * 0.5
    m = k.missing_rate
    tell = sum(1 for r in rows if not (r["_years"] or r["hometown"] or r["chinese_id"]))
    bare = sum(1 for r in rows if not any(r[c] for c in ("sex", "birth_year", "birth_date", "age", "ethnicity",
                                                         "hometown", "father_name", "chinese_id")))
    print(f"{n} SYNTHETIC mentions, seed {args.seed}, {len(vid)} people")
    print(f"no birth, place or ID (nothing tells namesakes apart): {tell / n:.4f} "
          f"(Knobs: {m * m * no_id:.4f})")
    print(f"nothing but a name (no other field at all):          {bare / n:.4f} "
          f"(Knobs: {m ** 4 * 0.8 * no_id:.4f})")

    # name identity groups
    key = [(v.ethnicity, v.sex, v.given.cyr, v.father.cyr) for v in vics]
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, kk in enumerate(key):
        groups[kk].append(i)
    members: dict[tuple, list[str]] = defaultdict(list)
    for kk, idx in groups.items():
        members[kk] = sorted({vics[i].victim_id for i in idx})
    shared = sum(len(idx) for kk, idx in groups.items() if len(members[kk]) > 1)
    print(f"mentions whose person has a namesake among the people: {shared / n:.4f} "
          f"({sum(len(p) > 1 for p in members.values())} names held by 2+ people)")

    # optimistic compatibility against true records
    cand: list[list[str]] = [[] for _ in range(n)]
    like: list[list[float]] = [[] for _ in range(n)]
    for kk, idx in groups.items():
        ppl = members[kk]
        for i in idx:
            for b in ppl:
                L = likelihood(rows[i], person[b])
                assert L > 0 or b != vics[i].victim_id, (rows[i], person[b])   # own person: never 0
                if L > 0:
                    place_ok = rows[i]["_place"] is None or rows[i]["_place"] == person[b].place[2]
                    if place_ok:
                        cand[i].append(b)
                        like[i].append(L)
    amb = np.array([len(c) > 1 for c in cand])
    print(f"ambiguous by the true records (compatible with 2+ namesakes): {amb.sum()} = {amb.mean():.4f}")
    core = defaultdict(int)
    for i in np.flatnonzero(~amb):
        core[vics[i].victim_id] += 1

    sure = [v.victim_id for v in vics]   # the one person a non-ambiguous mention goes with

    def place(post_of, tau: float, label_of_core) -> np.ndarray:
        labels = np.empty(n, dtype=object)
        for i in range(n):
            if not amb[i]:
                labels[i] = label_of_core(sure[i])
                continue
            post = post_of(i)
            if not post:
                labels[i] = f"alone-{i}"
                continue
            best = max(post, key=lambda b: (post[b], b))
            labels[i] = label_of_core(best) if post[best] >= tau else f"alone-{i}"
        return pd.factorize(pd.Series(labels))[0]

    def post_opt(i):
        w = {b: (core[b] + 1) * L for b, L in zip(cand[i], like[i])}
        s = sum(w.values())
        return {b: x / s for b, x in w.items()}

    def right_share(post_of, mask) -> str:
        idx = np.flatnonzero(mask)
        hit = sum(1 for i in idx if (post := post_of(i)) and max(post, key=lambda b: (post[b], b)) == vics[i].victim_id)
        return f"{hit / max(len(idx), 1):.2f} of {len(idx)}"

    print(f"{'perfect placement of every mention':<58} P 1.0000  R 1.0000  F1 1.0000")
    print(f"  ambiguous mentions whose likeliest namesake is their person: {right_share(post_opt, amb)}")
    print("optimistic oracle (true records, generator likelihood):")
    for tau in TAUS:
        p, r, f = bcubed(place(post_opt, tau, lambda b: b), truth)
        what = "all ambiguous join their likeliest" if tau == 0 else (
            "all ambiguous alone" if tau > 1 else f"join if posterior >= {tau:g}")
        print(f"  {what:<56} P {p:.4f}  R {r:.4f}  F1 {f:.4f}")

    # realistic: a person's known record is its distinguishable mentions
    dist_rows: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(~amb):
        dist_rows[vics[i].victim_id].append(i)
    cand_r: list[list[str]] = [[] for _ in range(n)]
    amb_r = np.zeros(n, dtype=bool)
    for kk, idx in groups.items():
        ppl = members[kk]
        for i in idx:
            c = [b for b in ppl if all(compatible_rows(rows[i], rows[j]) for j in dist_rows[b] if j != i)]
            cand_r[i] = c
            amb_r[i] = len(c) > 1
            if len(c) == 1:
                sure[i] = c[0]   # may be a namesake when m contradicts its own person's mentions
    # mentions distinguishable to the truth-knowing oracle but ambiguous here are placed too
    print(f"ambiguous by the mentions alone: {amb_r.sum()} = {amb_r.mean():.4f}")
    amb_save = amb.copy()
    amb[:] = amb_r

    def post_real(i):
        w = {b: core[b] + 1 for b in cand_r[i]}
        s = sum(w.values())
        return {b: x / s for b, x in w.items()}

    # merged cores: namesakes whose distinguishable mentions never contradict each other
    merged: dict[str, str] = {}
    for kk, ppl in members.items():
        heads: list[tuple[str, list[int]]] = []
        for b in sorted(ppl, key=lambda b: (-len(dist_rows[b]), b)):
            for h, rs in heads:
                if all(compatible_rows(rows[i], rows[j]) for i in dist_rows[b] for j in rs):
                    merged[b] = h
                    rs.extend(dist_rows[b])
                    break
            else:
                merged[b] = b
                heads.append((b, list(dist_rows[b])))
    print(f"people whose core (1+ distinguishable mentions) merges into a namesake's: "
          f"{sum(1 for b, h in merged.items() if b != h and dist_rows[b])}")
    print("realistic oracle (the mentions only):")
    print(f"  ambiguous mentions whose likeliest namesake (most distinguishable mentions) is their person: "
          f"{right_share(post_real, amb)}")
    for label, of in (("cores apart", lambda b: b), ("cores merged", lambda b: merged[b])):
        for tau in TAUS:
            p, r, f = bcubed(place(post_real, tau, of), truth)
            what = "all ambiguous join their likeliest" if tau == 0 else (
                "all ambiguous alone" if tau > 1 else f"join if posterior >= {tau:g}")
            print(f"  {label}: {what:<42} P {p:.4f}  R {r:.4f}  F1 {f:.4f}")
    amb[:] = amb_save
    wrong = sum(s != v.victim_id for s, v in zip(sure, vics))
    print(f"(realistic: {wrong} mentions that contradict their own person's other mentions and fit one namesake "
          "go with the namesake; a mention that fits nobody goes with its own person)")


if __name__ == "__main__":
    main()
