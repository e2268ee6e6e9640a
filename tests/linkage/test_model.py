"""Model pieces that do not need a database: capping the m of disagreement levels."""

from types import SimpleNamespace as NS

import pytest

from kuager.linkage.model import cap_disagreement


def linker(*comparisons):
    return NS(_settings_obj=NS(comparisons=list(comparisons)))


def comp(name, *ms):
    levels = [NS(is_null_level=True, m_probability=None)] + [NS(is_null_level=False, m_probability=m) for m in ms]
    return NS(output_column_name=name, comparison_levels=levels)


def test_cap_lowers_the_differ_level_and_rescales_the_rest():
    birth = comp("birth", 0.5, 0.3, 0.2)
    cap_disagreement(linker(birth), {"birth": 0.05})
    m = [lv.m_probability for lv in birth.comparison_levels[1:]]
    # 0.2 -> 0.05; the others share the 0.95 left in their proportion 5:3
    assert m == pytest.approx([0.59375, 0.35625, 0.05])
    assert sum(m) == pytest.approx(1.0)


def test_cap_leaves_small_values_and_other_comparisons_alone():
    birth, name = comp("birth", 0.9, 0.1, 0.004), comp("name", 0.5, 0.5)
    cap_disagreement(linker(birth, name), {"birth": 0.01})
    assert [lv.m_probability for lv in birth.comparison_levels[1:]] == [0.9, 0.1, 0.004]
    assert [lv.m_probability for lv in name.comparison_levels[1:]] == [0.5, 0.5]


def test_blocking_needs_birth_year_and_place_at_scale(monkeypatch):
    import pandas as pd

    from kuager.linkage import features, model

    df = pd.DataFrame({"record_id": ["a", "b"], "names": ["Асылбек Талғатұлы", "Нұрбол Сұлтанұлы"],
                       "birth_year": ["1970", "1971"], "hometown": ["Құлжа", "Текес"]})
    feats = features.prepare(df)

    def sql(rules):
        return [r.get_blocking_rule("duckdb").blocking_rule_sql for r in rules]

    small = sql(model.blocking_rules(feats))
    assert len(small) == 5 and sum("place_canon" in r for r in small) == 1
    monkeypatch.setattr(model, "LARGE", 1)
    large = sql(model.blocking_rules(feats))
    # two name rules, then given and father key each with birth year and place
    assert len(large) == 4
    assert all("by_lo" in r and "place_canon" in r for r in large[2:])
    assert large[:2] == small[:2]


def test_training_without_sex_keeps_the_birth_comparison():
    # FEBRL has birth dates but no sex: the EM pass blocked on birth year and sex finds no
    # pairs, and Splink used to drop the birth comparison from the model when it failed
    import pandas as pd

    from kuager.linkage import link, synth

    rows, _, _ = synth.generate(600, seed=3)
    df = pd.DataFrame(rows).drop(columns=["synthetic", "sex", "chinese_id"])  # the ID gives the sex too
    result = link(df, threads=1)
    assert "birth" in [c["output_column_name"] for c in result.params["comparisons"]]


def test_strong_levels_are_rare_agreements_outside_names():
    from kuager.linkage.model import strong_levels

    def lv(u, null=False):
        return {"is_null_level": True} if null else {"u_probability": u}

    params = {"comparisons": [
        # a same-name level is rare among random pairs too, but namesakes share it: never strong
        {"output_column_name": "name", "comparison_levels": [lv(0, True), lv(0.0001), lv(0.9999)]},
        # levels from the top: 3 (u 0.0004), 2 (u 0.00003), 1 (u 0.02), 0 (else)
        {"output_column_name": "soc_sec_id",
         "comparison_levels": [lv(0, True), lv(0.0004), lv(0.00003), lv(0.02), lv(0.97)]},
        {"output_column_name": "place", "comparison_levels": [lv(0, True), lv(0.06), lv(0.94)]},
    ]}
    assert strong_levels(params) == [("gamma_soc_sec_id", 3), ("gamma_soc_sec_id", 2)]


def test_contradictions_on_scored_pairs():
    import duckdb

    from kuager.linkage.model import contradiction_sql

    # gamma values by hand: name 4 same key .. 1 partly alike, 0 unlike; father 5 crossed, 4 same,
    # 3 shared key, 0 differ; birth 0 = more than 3 years apart
    rows = [  # (name, father, birth, contradicts?)
        (4, 4, 3, False),   # one person
        (1, 4, -1, True),   # siblings: same father, given names only partly alike
        (1, 0, 3, False),   # names partly alike, fathers differ: no sign of siblings
        (0, 0, -1, False),  # names unlike (e.g. swapped order): not by itself a contradiction
        (4, 4, 0, True),    # namesakes born years apart
        (3, 3, -1, False),  # names alike, father's key shared
        (1, 5, -1, False),  # given and father's names crossed (order swapped): not siblings
    ]
    con = duckdb.connect()
    con.execute("create table p (gamma_name int, gamma_father int, gamma_birth int, want boolean)")
    con.executemany("insert into p values (?, ?, ?, ?)", rows)
    cond = contradiction_sql(["gamma_name", "gamma_father", "gamma_birth", "match_probability"])
    got = con.execute(f"select coalesce({cond}, false), want from p").fetchall()
    assert [g for g, _ in got] == [w for _, w in got]
    assert contradiction_sql(["match_probability"]) is None


def test_floor_raises_unseen_levels_and_rescales_the_rest():
    from kuager.linkage.model import floor_m

    def comp_raw(name, *ms):
        levels = [NS(is_null_level=True)] + [NS(is_null_level=False, _m_probability=m, m_probability=m) for m in ms]
        return NS(output_column_name=name, comparison_levels=levels)

    # EM on pairs sharing an ID saw no person's places differ: no m for two levels
    place = comp_raw("place", 1.0, None, "level not observed")
    # one level below the floor: 0.0005 -> 0.001, the others share 0.999 in proportion 0.9 : 0.0995
    birth = comp_raw("birth", 0.9, 0.0995, 0.0005)
    sex = comp_raw("sex", 0.99, 0.01)  # nothing below the floor: untouched
    floor_m(linker(place, birth, sex), 0.001)
    assert [lv.m_probability for lv in place.comparison_levels[1:]] == pytest.approx([0.998, 0.001, 0.001])
    assert [lv.m_probability for lv in birth.comparison_levels[1:]] == pytest.approx(
        [0.9 * 0.999 / 0.9995, 0.0995 * 0.999 / 0.9995, 0.001])
    assert [lv.m_probability for lv in sex.comparison_levels[1:]] == [0.99, 0.01]


def test_place_becomes_a_contradiction_when_the_model_says_it_rarely_differs():
    import duckdb

    from kuager.linkage.model import contradiction_sql, learned_contradictions

    def params(m, u):
        return {"comparisons": [
            {"output_column_name": "place", "comparison_levels": [
                {"is_null_level": True}, {"m_probability": 1 - m, "u_probability": 1 - u},
                {"m_probability": m, "u_probability": u}]},
            # birth is a contradiction anyway, whatever its numbers
            {"output_column_name": "birth", "comparison_levels": [
                {"is_null_level": True}, {"m_probability": 0.5, "u_probability": 0.1},
                {"m_probability": 0.5, "u_probability": 0.9}]}]}

    assert learned_contradictions(params(0.001, 0.66)) == ["place"]   # m/u = 1/660
    assert learned_contradictions(params(0.02, 0.63)) == []           # 1/31.5: people do move
    assert learned_contradictions(None) == []
    con = duckdb.connect()
    con.execute("create table p (gamma_birth int, gamma_place int, want boolean)")
    con.executemany("insert into p values (?, ?, ?)", [(-1, 0, True), (-1, 1, False), (3, -1, False), (0, 2, True)])
    cond = contradiction_sql(["gamma_birth", "gamma_place"], ["place"])
    got = con.execute(f"select coalesce({cond}, false), want from p").fetchall()
    assert [g for g, _ in got] == [w for _, w in got]
    assert contradiction_sql(["gamma_birth", "gamma_place"]) == "gamma_birth = 0"


def test_em_learns_names_and_place_from_pairs_sharing_an_id(monkeypatch):
    # 600 synthetic mentions, half with the ID: more than 5 pairs share one, so the second
    # EM pass is blocked on the ID; it may teach names and place, never birth or sex
    # (the ID holds the birth date and sex, so they always agree on these pairs).
    # Splink records each pass's blocking rule with the m values it learned.
    import pandas as pd

    from kuager.linkage import link, model, synth

    monkeypatch.setattr(model, "ID_EM_MIN_PAIRS", 5)
    rows, _, _ = synth.generate(600, synth.Knobs(id_rate=0.5), seed=4)
    df = pd.DataFrame(rows).drop(columns=["synthetic"])
    feats_pairs = model.id_pairs(pd.DataFrame({"cid": df.chinese_id.replace("", None)}))
    assert feats_pairs >= 5
    r = link(df, threads=1, keep_linker=True)

    def sessions(name):
        comp = next(c for c in r.linker._settings_obj.comparisons if c.output_column_name == name)
        return {t["description"] for lv in comp.comparison_levels if not lv.is_null_level
                for t in lv._trained_m_probabilities}

    assert any("cid" in d for d in sessions("place")) and any("cid" in d for d in sessions("father"))
    assert not any("cid" in d for d in sessions("birth")) and not any("cid" in d for d in sessions("sex"))
    # the first pass, blocked on the canonical names and place, teaches birth and sex but
    # neither the names nor the place, which it fixes
    assert any("given_canon" in d for d in sessions("birth"))
    assert not any("given_canon" in d for d in sessions("name") | sessions("place"))


def test_typo_keys_are_the_deletion_neighbourhood_of_each_part():
    from kuager.linkage.model import typo_keys

    # worked out by hand: VSKL (Askar) and SLK (Serik) each with one letter deleted, or none
    want = sorted([f"{g}|SLK#g" for g in ("VSKL", "SKL", "VKL", "VSL", "VSK")]
                  + [f"VSKL|{f}#f" for f in ("SLK", "LK", "SK", "SL")])
    assert typo_keys(["n:VSKL|SLK", "u:SLK|VSKL", "f:SKLSLK"]) == want
    assert typo_keys(["u:SLK|VSKL"]) is None and typo_keys(None) is None
    # a part shorter than TYPO_MIN_KEY is kept whole: VN|TLK gives VN once
    assert [k for k in typo_keys(["n:VN|TLK"]) if k.endswith("#g")] == ["VN|TLK#g"]


def test_typo_keys_meet_within_one_edit_only():
    from kuager.linkage.model import typo_keys

    def meet(a, b):
        return bool(set(typo_keys([a])) & set(typo_keys([b])))

    assert meet("n:VSKL|SLK", "n:VSKL|SLT")     # one replaced (K -> T): both delete it
    assert meet("n:VSKL|SLK", "n:VSKL|SLKB")    # one inserted
    assert meet("n:VSKL|SLK", "n:VSKL|LSK")     # two neighbours swapped
    assert meet("n:KBNSBL|VSN", "n:KNSBL|VSN")  # Qbanishbol / Kuanishbol
    assert not meet("n:VSKL|SLK", "n:VSKL|STT")  # two letters apart
    assert not meet("n:VSKL|SLK", "n:VKSL|SLT")  # one letter apart in each part


def test_typo_rare_marks_records_with_a_key_nobody_else_holds(monkeypatch):
    import pandas as pd

    from kuager.linkage import model

    feats = pd.DataFrame({"name_keys": [["n:VSKL|SLK"], ["n:VSKL|SLK"], ["n:VSKL|SLT"], None]})
    out = model.with_typo_keys(feats)
    # SLT is held by one record only; VSKL and SLK by two
    assert list(out.typo_rare) == [False, False, True, False]
    assert out.typo_keys[3] is None
    monkeypatch.setattr(model, "TYPO_RARE", 2)
    assert list(model.with_typo_keys(feats).typo_rare) == [True, True, True, False]
    # above LARGE: nothing for a new model; empty columns for a saved model that names them
    monkeypatch.setattr(model, "LARGE", 3)
    assert "typo_keys" not in model.with_typo_keys(feats).columns
    big = model.with_typo_keys(feats, {"x": "typo_keys_l"})
    assert big.typo_keys.isna().all() and not big.typo_rare.any()
    assert "typo_keys" not in model.with_typo_keys(feats, {"x": "name_keys_l"}).columns


def test_variant_keys_point_rare_keys_to_a_common_key_one_letter_apart():
    from kuager.linkage.model import variant_keys

    # invented counts, worked out by hand (ratio 10): TLKT (Talgat) held by 21 records, TLK
    # (a letter dropped) by 2, so TLK is a rare variant of TLKT; VSLBK / VSLBL (Asylbek /
    # Asylbol) by 12 and 11: both real names, neither a variant of the other
    lists = ([["TLKT"]] * 20 + [["TLK"], ["TLK", "TLKT"]] + [["VSLBK"]] * 12 + [["VSLBL"]] * 11
             + [["KMLT"]] * 10 + [["MLT"], None])
    out = variant_keys(lists, ratio=10)
    assert out[20] == ["TLKT"]
    assert out[21] is None                     # also holds the usual key: not mistyped
    assert all(v is None for v in out[:20] + out[22:55])
    assert out[55] == ["KMLT"]                 # MLT held by 1, KMLT by 10: a variant...
    assert out[56] is None
    # ...unless MLT is common as the other part (a given name written in the father's place)
    given = [None] * 50 + [["MLT"]] * 5 + [None] * 2
    assert variant_keys(lists, ratio=10, other_lists=given)[55] is None
    # TLKT by 21, TLK by 2: at ratio 11 no longer a variant
    assert variant_keys(lists, ratio=11)[20] is None


def test_variant_columns_only_where_the_model_needs_them(monkeypatch):
    import pandas as pd

    from kuager.linkage import model

    feats = pd.DataFrame({"given_keys": [["VSKL"]] * 12,
                          "father_keys": [["TLKT"]] * 10 + [["TLK"], None]})
    out = model.with_variant_keys(feats)
    assert list(out.father_variants[10:]) == [["TLKT"], None]
    monkeypatch.setattr(model, "LARGE", 3)
    assert "father_variants" not in model.with_variant_keys(feats).columns
    # a saved model that names the column: empty above LARGE (its level counts nothing)
    assert model.with_variant_keys(feats, {"x": "father_variants_l"}).father_variants.isna().all()
    assert "father_variants" not in model.with_variant_keys(feats, {"x": "father_keys_l"}).columns


def test_the_prefecture_level_contradicts_when_the_model_says_one_persons_places_never_differ(monkeypatch):
    import duckdb

    from kuager.linkage import model
    from kuager.linkage.model import contradiction_sql, learned_contradiction_levels

    def params(m_pref):
        # place levels, top first: share a key, same prefecture, differ (gamma 2, 1, 0)
        return {"comparisons": [{"output_column_name": "place", "comparison_levels": [
            {"is_null_level": True}, {"m_probability": 0.998, "u_probability": 0.0566},
            {"m_probability": m_pref, "u_probability": 0.2877},
            {"m_probability": 0.001, "u_probability": 0.6558}]}]}

    # differ: m/u 0.001/0.6558 = 1/656 <= 1/64; same prefecture 0.001/0.2877 = 1/288 <= 1/64
    assert learned_contradiction_levels(params(0.001)) == {"place": 1}
    # 0.01/0.2877 = 1/28.8 > 1/64: one person's places do lie in two counties of a prefecture
    assert learned_contradiction_levels(params(0.01)) == {"place": 0}
    assert learned_contradiction_levels(None) == {}
    monkeypatch.setattr(model, "CONTRADICTION_LEVELS_ABOVE", False)
    assert learned_contradiction_levels(params(0.001)) == {"place": 0}
    con = duckdb.connect()
    con.execute("create table p (gamma_birth int, gamma_place int, want boolean)")
    # unknown place (-1) never contradicts, a shared key (2) neither
    con.executemany("insert into p values (?, ?, ?)", [(-1, 0, True), (-1, 1, True), (-1, 2, False),
                                                         (3, -1, False), (0, 2, True)])
    cond = contradiction_sql(["gamma_birth", "gamma_place"], {"place": 1})
    got = con.execute(f"select coalesce({cond}, false), want from p").fetchall()
    assert [g for g, _ in got] == [w for _, w in got]
    assert contradiction_sql(["gamma_birth", "gamma_place"], {"place": 0}) == "gamma_birth = 0 or gamma_place = 0"
