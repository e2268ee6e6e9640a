"""The parts of the engine that are there for a million mentions, run on small SYNTHETIC sets:
keying in worker processes, the key-based name comparison above model.LARGE, scoring
without the compared values, DuckDB's memory settings."""

import pandas as pd
import pytest

from kuager.linkage import features as ft
from kuager.linkage import link, model, synth


@pytest.fixture(scope="module")
def data():
    rows, truth, _ = synth.generate(300, seed=5)
    return pd.DataFrame(rows).drop(columns=["synthetic"]), truth


def test_keying_in_worker_processes_gives_the_same_features(data, monkeypatch):
    df, _ = data
    serial = ft.prepare(df, workers=1)
    monkeypatch.setattr(ft, "POOL_MIN", 10)
    for f in (ft._parts, ft._single, ft._place, ft._keys):
        f.cache_clear()
    pooled = ft.prepare(df, workers=2)
    pd.testing.assert_frame_equal(serial, pooled)


@pytest.fixture(scope="module")
def large(data):
    # the large-input model (key-based name comparison, stricter blocking) on 300 mentions
    old = model.LARGE
    model.LARGE = 1
    try:
        return link(data[0], threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB", keep_linker=True)
    finally:
        model.LARGE = old


def test_large_inputs_compare_names_by_keys(large, data):
    labels = large.level_labels["name"]
    assert labels[4] == "same full-name key" and labels[3] == "names share a full-name key"
    feats = ft.prepare(data[0]).set_index("unique_id")
    p = large.pairs
    canon_l = feats.name_canon.reindex(p.unique_id_l).to_numpy()
    canon_r = feats.name_canon.reindex(p.unique_id_r).to_numpy()
    same = canon_l == canon_r
    assert same.any()
    assert (p.gamma_name[same] == 4).all() and (p.gamma_name[~same] < 4).all()
    # no Python similarity function in the large-input model
    assert model.SIMILARITY_UDF not in str(large.params)


def test_pairs_keep_levels_review_gets_the_values(large, data):
    df, _ = data
    assert "gamma_name" in large.pairs.columns
    # above LARGE the pairs come sorted by record ids (the order ties are met in clustering)
    ids = list(zip(large.pairs.unique_id_l, large.pairs.unique_id_r))
    assert ids == sorted(ids)
    assert not any(c.endswith(("_l", "_r")) and c not in ("unique_id_l", "unique_id_r") for c in large.pairs.columns)
    assert len(large.review)
    names = {r: " | ".join(s.strip() for s in n.split("|") if s.strip()) for r, n in zip(df.record_id, df.names)}
    for row in large.review.itertuples(index=False):
        assert row.names_l == names[row.unique_id_l] and row.names_r == names[row.unique_id_r]


def test_review_holds_the_strongest_pairs_review_pairs_all(large, data, monkeypatch):
    df, _ = data
    monkeypatch.setattr(model, "LARGE", 1)
    few = link(df, params=large.params, threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB",
               review_limit=2)
    every = large.review_pairs()
    # the band's pairs, worked out from pairs here, and an ambiguous record's pairs at or above the band's floor
    p = large.pairs
    band = p[(p.match_probability >= 0.3) & ((p.match_probability < 0.95) | p.ambiguous)]
    assert len(every) == len(band) == large.stats["review_pairs"] == few.stats["review_pairs"] > 2
    assert every.match_probability.is_monotonic_decreasing
    assert set(zip(every.unique_id_l, every.unique_id_r)) == set(zip(band.unique_id_l, band.unique_id_r))
    assert not any(c.endswith("_l") and c != "unique_id_l" for c in every.columns)
    # review: the strongest two, with values
    assert len(few.review) == 2
    assert list(few.review.match_probability) == list(every.match_probability[:2])
    assert list(zip(few.review.unique_id_l, few.review.unique_id_r)) == \
        list(zip(every.unique_id_l[:2], every.unique_id_r[:2]))
    names = {r: " | ".join(s.strip() for s in n.split("|") if s.strip()) for r, n in zip(df.record_id, df.names)}
    assert list(few.review.names_l) == [names[r] for r in few.review.unique_id_l]
    assert list(few.review.names_r) == [names[r] for r in few.review.unique_id_r]
    # the default limit is above this set's band: review holds all of it
    assert len(large.review) == len(every)


def test_memory_limit_is_set(large):
    value = large.linker.misc.query_sql("select current_setting('memory_limit') as v", output_type="pandas").v[0]
    number, unit = value.split()
    assert unit in ("MiB", "MB") and float(number) < 1024


def test_candidate_pairs_in_sql_are_splinks_own(data, monkeypatch):
    monkeypatch.setattr(model, "LARGE", 1)
    feats = ft.prepare(data[0])
    own = model.build_linker(feats, None)
    ours = model.build_linker(feats, None)
    n = model.register_candidate_pairs(ours, feats)

    def pairs(linker):
        table = model.predict(linker, warning_mode="never").physical_name
        got = linker.misc.query_sql(f"select unique_id_l, unique_id_r from {table}", output_type="pandas")
        return set(zip(got.unique_id_l, got.unique_id_r))

    expected = pairs(own)
    assert len(expected) > 50 and pairs(ours) == expected and n == len(expected)


def test_scoring_in_chunks_gives_the_same_result(data, monkeypatch):
    df, truth = data
    monkeypatch.setattr(model, "LARGE", 1)
    # decisions: a true pair "same", another "different" (from the generator's truth)
    by_person: dict = {}
    for rid, person in truth.items():
        by_person.setdefault(person, []).append(rid)
    groups = [sorted(g) for g in by_person.values() if len(g) >= 2]
    decisions = [(groups[0][0], groups[0][1], "same"), (groups[1][0], groups[1][1], "different")]
    kw = dict(threshold=0.9, review_band=(0.5, 0.95), memory_limit="1GB", decisions=decisions)
    whole = link(df, chunk_pairs=10**9, **kw)
    parts = link(df, chunk_pairs=40, **kw)
    n = whole.stats["candidate_pairs"]
    assert "score_chunks" not in whole.stats and parts.stats["score_chunks"] == -(-n // 40) > 3
    assert parts.stats["candidate_pairs"] == n
    assert parts.stats["blocking_recall_on_decisions"] == whole.stats["blocking_recall_on_decisions"]
    assert parts.stats["apart_pairs"] == whole.stats["apart_pairs"]
    assert parts.clusters == whole.clusters and parts.probability == whole.probability
    assert parts.conflicts == whole.conflicts
    pd.testing.assert_frame_equal(parts.pairs, whole.pairs)
    pd.testing.assert_frame_equal(parts.review, whole.review)


def test_chunk_pairs_below_one_is_refused(data):
    from kuager.errors import KuagerError

    with pytest.raises(KuagerError, match="chunk_pairs"):
        link(data[0], chunk_pairs=0)


def test_shared_key_levels_are_list_overlaps(large, data):
    # the father and place levels "share a key", worked out here from the features' key lists
    feats = ft.prepare(data[0]).set_index("unique_id")
    p = large.pairs
    checked = 0
    for row in p.itertuples(index=False):
        a, b = feats.loc[row.unique_id_l], feats.loc[row.unique_id_r]
        if a.father_keys is not None and b.father_keys is not None and a.father_canon != b.father_canon:
            shared = bool(set(a.father_keys) & set(b.father_keys))
            assert (row.gamma_father == 3) == shared
            checked += 1
        if a.place_keys is not None and b.place_keys is not None:
            top = max(large.level_labels["place"])
            assert (row.gamma_place == top) == bool(set(a.place_keys) & set(b.place_keys))
    assert checked > 10
    assert "list_intersect" not in str(large.params) and "list_has_any(father_keys_l" in str(large.params)


def test_contradicting_name_pairs_go_unscored_to_keep_apart(monkeypatch):
    # more mentions than `data`: namesakes of another birth year or sex (SYNTHETIC)
    rows, _, _ = synth.generate(2000, seed=5)
    df = pd.DataFrame(rows).drop(columns=["synthetic"])
    monkeypatch.setattr(model, "LARGE", 1)
    kw = dict(threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB", keep_linker=True)
    monkeypatch.setattr(model, "SKIP_CONTRADICTING", False)
    scored = link(df, **kw)
    monkeypatch.setattr(model, "SKIP_CONTRADICTING", True)
    skipped = link(df, params=scored.params, **kw)

    def table(result):
        return result.linker.misc.query_sql(f"select * from {result.predictions.physical_name}",
                                           output_type="pandas")

    every, kept = table(scored), table(skipped)
    assert skipped.stats["candidate_pairs"] == scored.stats["candidate_pairs"]
    # expected unscored: the scored pairs whose birth years are more than 3 apart or whose sex
    # differs, from the features, unless they share an ID or a full birth date (other rules)
    feats = ft.prepare(df).set_index("unique_id")
    a = feats.reindex(every.unique_id_l).reset_index(drop=True)
    b = feats.reindex(every.unique_id_r).reset_index(drop=True)
    import numpy as np

    lo_a, hi_a = a.by_lo.astype("Float64").to_numpy(), a.by_hi.astype("Float64").to_numpy()
    lo_b, hi_b = b.by_lo.astype("Float64").to_numpy(), b.by_hi.astype("Float64").to_numpy()
    birth = np.nan_to_num(np.maximum(lo_a - hi_b, lo_b - hi_a).astype(float), nan=0) > 3
    sex = (a.sex.notna() & b.sex.notna() & (a.sex.to_numpy() != b.sex.to_numpy())).to_numpy()
    other_rule = ((a.cid.notna() & (a.cid.to_numpy() == b.cid.to_numpy()))
                  | (a.birth_date.notna() & (a.birth_date.to_numpy() == b.birth_date.to_numpy()))).to_numpy()
    want = every[(birth | sex) & ~other_rule]
    assert len(want) < len(every)
    got = kept[kept.match_probability.isna()]
    assert len(want) > 5 and skipped.stats["unscored_pairs"] == len(got)
    assert set(zip(got.unique_id_l, got.unique_id_r)) == set(zip(want.unique_id_l, want.unique_id_r))
    # the others are scored as before
    scored_kept = kept[kept.match_probability.notna()].set_index(["unique_id_l", "unique_id_r"]).match_probability
    before = every.set_index(["unique_id_l", "unique_id_r"]).match_probability.reindex(scored_kept.index)
    assert (before.to_numpy() == scored_kept.to_numpy()).all()
    # no cluster holds both records of an unscored pair: they are kept apart
    for l, r in zip(got.unique_id_l, got.unique_id_r):
        assert skipped.clusters[l] != skipped.clusters[r]
    assert not set(zip(skipped.pairs.unique_id_l, skipped.pairs.unique_id_r)) & set(zip(got.unique_id_l,
                                                                                        got.unique_id_r))


def test_large_inputs_count_crossed_names_as_unknown_for_the_father(large, data):
    # above LARGE the key name comparison already counts given and father's names crossed
    # (order swapped) as sharing a full-name key, so the father comparison counts them
    # nothing (a null level) instead of "father names differ"; worked out here from the keys
    feats = ft.prepare(data[0]).set_index("unique_id")
    table = large.predictions.physical_name
    # scored pairs only: contradicting pairs left unscored (model.SKIP_CONTRADICTING) have
    # every level unknown but birth and sex
    p = large.linker.misc.query_sql(f"select unique_id_l, unique_id_r, gamma_father from {table} "
                                    "where match_probability is not null", output_type="pandas")

    def keys(rid, col):
        v = feats.at[rid, col]
        return set() if v is None else set(v)

    crossed = 0
    for row in p.itertuples(index=False):
        gl, fl = keys(row.unique_id_l, "given_keys"), keys(row.unique_id_l, "father_keys")
        gr, fr = keys(row.unique_id_r, "given_keys"), keys(row.unique_id_r, "father_keys")
        if not fl or not fr:
            assert row.gamma_father == -1
            continue
        cross = bool(gl & fr) and bool(fl & gr) and not (fl & fr)
        crossed += cross
        assert (row.gamma_father == -1) == cross
    assert crossed > 0
    father = next(c for c in large.params["comparisons"] if c["output_column_name"] == "father")
    assert sum(bool(lv.get("is_null_level")) for lv in father["comparison_levels"]) == 2


def test_record_keys_are_ranks_in_code_point_order():
    # "B" (66) < "S10" < "S9" < "a" (97) < "b": ranks 0..4, whatever the order given
    assert model.record_keys(["b", "S9", "a", "B", "S10"]).tolist() == [4, 2, 3, 0, 1]
    assert model.record_keys(["S1", "S2", "S3"]).tolist() == [0, 1, 2]
    assert model.record_keys([]).tolist() == []


def test_large_inputs_with_ids_out_of_order_give_the_same_result(large, data, monkeypatch):
    # above LARGE the pairs hold integer keys (ranks of the ids): rows in another order
    # (keys no longer the rows' positions) must give the same pairs, in the ids' order, and clusters
    df, _ = data
    shuffled = df.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert list(shuffled.record_id) != sorted(shuffled.record_id)
    monkeypatch.setattr(model, "LARGE", 1)
    again = link(shuffled, params=large.params, threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB",
                 keep_linker=True)
    pd.testing.assert_frame_equal(again.pairs, large.pairs)
    assert again.clusters == large.clusters and again.probability == large.probability
    assert again.stats["candidate_pairs"] == large.stats["candidate_pairs"]
    assert again.stats["apart_pairs"] == large.stats["apart_pairs"]
    # the kept table (LinkResult.predictions) shows record ids, not keys
    kept = again.linker.misc.query_sql(f"select unique_id_l, unique_id_r from {again.predictions.physical_name}",
                                       output_type="pandas")
    known = set(df.record_id)
    assert len(kept) >= len(again.pairs) and set(kept.unique_id_l) <= known and set(kept.unique_id_r) <= known
    assert (kept.unique_id_l < kept.unique_id_r).all()
    # people's "same" decisions are looked up among the candidate pairs by their keys: one on a
    # candidate pair, one on two records no rule paired (found: 1 of 2)
    blocked = again.linker.misc.query_sql(
        f"select a.unique_id as l, b.unique_id as r from __kuager_blocked_pairs p "
        f"join {model.FEATURES_TABLE} a on a.{model.RECORD_KEY} = p.join_key_l "
        f"join {model.FEATURES_TABLE} b on b.{model.RECORD_KEY} = p.join_key_r", output_type="pandas")
    cand = set(zip(blocked.l, blocked.r))
    assert len(cand) == again.stats["candidate_pairs"] and all(x < y for x, y in cand)
    a, b = large.pairs.unique_id_l[0], large.pairs.unique_id_r[0]
    assert (a, b) in cand
    ids = sorted(df.record_id)
    far = next((x, y) for x in ids for y in reversed(ids) if x < y and (x, y) not in cand)
    decided = link(shuffled, params=large.params, threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB",
                   decisions=[(b, a, "same"), (far[1], far[0], "same")])
    assert decided.stats["blocking_recall_on_decisions"] == 0.5


def test_the_bundled_model_with_its_typo_level_scores_large_inputs(data, monkeypatch):
    # the bundled model (trained at 10,000, with the typo level) on the large-input path,
    # where no typo keys are made: the level counts for nothing, and every pair is scored
    from kuager.linkage.saved import load_default_model

    params = load_default_model()["params"]
    assert model.TYPO_LABEL in str(params)
    # every scored pair (band from 0): with the rare-variant levels of the sixth quality round
    # in the model, this set's pairs at the typo level score below 0.5 (0.48 the highest)
    small = link(data[0], params=params, threshold=0.9, review_band=(0.0, 0.95))
    monkeypatch.setattr(model, "LARGE", 1)
    # (contradicting name-rule pairs are left unscored on purpose: model.SKIP_CONTRADICTING)
    monkeypatch.setattr(model, "SKIP_CONTRADICTING", False)
    large = link(data[0], params=params, threshold=0.9, memory_limit="1GB")
    assert large.stats["unscored_pairs"] == 0
    level = [g for g, lab in large.level_labels["name"].items() if lab == model.TYPO_LABEL]
    assert len(level) == 1
    assert not (large.pairs.gamma_name == level[0]).any()
    assert (small.pairs.gamma_name == level[0]).any()


def test_cluster_check_on_keys_finds_the_uncompared_contradicting_pairs(large):
    # all 300 records put in one cluster: the cluster check (one anti-join, pairs of keys
    # being oriented l < r) must return every pair of records that contradict on the
    # features and that the kept scored pairs do not hold, worked out here in Python
    import numpy as np

    import kuager.linkage as L

    linker = large.linker
    table = large.predictions.physical_name.removesuffix("_ids")
    f = linker.misc.query_sql(f"select * from {model.FEATURES_TABLE}", output_type="pandas")
    keys = f[model.RECORD_KEY].to_numpy(dtype=np.int64)
    kept = linker.misc.query_sql(f"select unique_id_l as l, unique_id_r as r from {table}", output_type="pandas")
    assert (kept.l < kept.r).all()
    scored = set(zip(kept.l.tolist(), kept.r.tolist()))
    place = "place" in model.learned_contradictions(large.params)
    # places in two counties of one prefecture contradict too when that level is one as well
    prefecture_too = model.learned_contradiction_levels(large.params).get("place", 0) >= 1

    def has(v):
        return v is not None and not (pd.api.types.is_scalar(v) and pd.isna(v))

    def overlap(x, y):
        return has(x) and has(y) and bool(set(x) & set(y))

    def contradict(a, b):
        if has(a.by_lo) and has(b.by_hi) and has(b.by_lo) and has(a.by_hi) \
                and max(a.by_lo - b.by_hi, b.by_lo - a.by_hi) > 3:
            return True
        if has(a.sex) and has(b.sex) and a.sex != b.sex:
            return True
        if has(a.cid) and has(b.cid) and a.cid != b.cid:
            return True
        if place and has(a.place_keys) and has(b.place_keys):
            pref_overlap = overlap(a.place_pref, b.place_pref) if has(a.place_pref) and has(b.place_pref) else False
            if not overlap(a.place_keys, b.place_keys) and (prefecture_too or not pref_overlap):
                return True
        return False

    rows = list(f.itertuples())
    want = set()
    for i in range(len(rows)):
        for j in range(len(rows)):
            ki, kj = keys[i], keys[j]
            if ki < kj and (ki, kj) not in scored and contradict(rows[i], rows[j]):
                want.add((i, j))
    got = L._cluster_contradictions(linker, table, None, np.zeros(len(f), dtype=np.int64), keys)
    assert len(want) > 100
    assert set(map(tuple, got.tolist())) == want


def test_hash_key_lists_takes_lists_compared_as_sets_only():
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE {model.FEATURES_TABLE} AS SELECT 1 AS unique_id, ['n:A|B', 'u:A|B'] AS name_keys, "
                "['A'] AS given_keys, ['B'] AS father_keys, ['654021'] AS place_keys, 'Aynur Memeteli' AS names, "
                "'ALL' AS name_canon")
    sql = ('select "l"."name_keys" AS "name_keys_l", "r"."given_keys" AS "given_keys_r", '
           'CASE WHEN "place_keys_l" IS NULL OR place_keys_r IS NOT NULL OR names_l IS NULL THEN -1 '
           'WHEN name_canon_l = name_canon_r THEN 3 '
           'WHEN list_has_any(name_keys_l, name_keys_r) AND list_has_any(given_keys_l, father_keys_r) THEN 2 '
           'WHEN list_has_any(place_keys_l, place_keys_r) THEN 1 '
           'WHEN jaro_winkler_similarity(given_keys_l[1], given_keys_r[1]) > 0.9 THEN 0 END')
    # given_keys is also read element by element (a hash would change that); father_keys only as
    # a set; place_keys in null checks and an overlap; name_keys in an overlap
    assert model.hash_key_lists(con, sql) == ["name_keys", "father_keys", "place_keys"]
    assert model.hash_key_lists(con, "select 1") == []
    # names is read only in a null check (so it can be '' where not NULL); name_canon is compared
    assert model.null_checked_texts(con, sql) == ["names"]
    # the hashed lists share an element exactly where the keys do
    got = con.execute(f"select list_has_any({model._list_of_hashes('name_keys')}, "
                      f"{model._list_of_hashes('x')}) from {model.FEATURES_TABLE}, "
                      "(values (['u:A|B']), (['n:B|A'])) v(x)").fetchall()
    assert sorted(got) == [(False,), (True,)]


def test_scoring_on_hashed_key_lists_gives_the_same_result(data, monkeypatch):
    df, _ = data
    monkeypatch.setattr(model, "LARGE", 1)
    hashed = []
    spy = model.hash_key_lists
    monkeypatch.setattr(model, "hash_key_lists", lambda *a: hashed.append(spy(*a)) or hashed[-1])
    kw = dict(threshold=0.9, review_band=(0.3, 0.95), memory_limit="1GB", chunk_pairs=40)
    on = link(df, **kw)
    monkeypatch.setattr(model, "HASH_KEY_LISTS", False)
    off = link(df, **kw)
    assert hashed[0] == ["name_keys", "given_keys", "father_keys", "place_keys", "place_pref"] and hashed[1] == []
    assert on.stats["score_chunks"] > 1 and on.stats["candidate_pairs"] == off.stats["candidate_pairs"]
    assert on.clusters == off.clusters and on.probability == off.probability
    pd.testing.assert_frame_equal(on.pairs, off.pairs)
