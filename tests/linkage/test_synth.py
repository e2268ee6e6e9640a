"""The synthetic generator: its rules, its knobs and its labelling."""

import csv

from kuager.cli import main
from kuager.linkage import chinese_id, synth


def test_letter_tables_by_hand():
    assert synth.to_latin2021("Асылбек Талғатұлы") == "Asylbek Talğatūly"
    assert synth.to_passport("Жұлдыз Ерболқызы") == "ZHULDYZ YERBOLKYZY"
    assert synth.to_uly("Қасым") == "Qasim"
    assert synth.to_arabic("Асыл") == "ئاسىل"
    assert synth.to_pinyin("阿斯力别克") == "Asilibieke"


def test_compound_names_concatenate_both_forms():
    names = {n.cyr: n.zh for n in synth.lexicon()[("Kazakh", "male")]}
    assert names["Асылбек"] == "阿斯力别克"
    assert names["Нұрбол"] == "努尔波力"


def test_same_seed_same_rows_and_exact_count():
    a = synth.generate(120, seed=7)
    b = synth.generate(120, seed=7)
    assert a == b
    rows, truth, _ = a
    assert len(rows) == 120 and set(truth) == {r["record_id"] for r in rows}
    assert all(r["synthetic"] == "true" for r in rows)


def test_no_noise_knobs_give_clean_single_script_rows():
    knobs = synth.Knobs(typo_rate=0, missing_rate=0, conflict_rate=0, swap_rate=0, family_rate=0,
                        uyghur_share=0, id_rate=1, extra_spelling_rate=0, script_mix={"chinese": 1})
    rows, truth, _ = synth.generate(60, knobs, seed=3)
    by_victim: dict[str, set] = {}
    for r in rows:
        assert "·" in r["names"]
        parsed = chinese_id.parse(r["chinese_id"])
        assert parsed.valid
        year = r["birth_year"] or r["birth_date"][:4] or None
        if year:
            assert int(year) == parsed.birth_date.year
        by_victim.setdefault(truth[r["record_id"]], set()).add(r["names"])
    # without noise every mention of a victim spells the name the same way in Chinese
    assert all(len(s) == 1 for s in by_victim.values())


def test_families_share_name_parts():
    knobs = synth.Knobs(family_rate=1.0, uyghur_share=0)
    gen = synth.Generator(knobs, seed=5)
    it = gen.victims()
    first, relative = next(it), next(it)
    assert first.family and first.family == relative.family
    assert relative.father == first.father or relative.father == first.given
    assert relative.given != first.given or relative.father != first.father


def test_cli_writes_labelled_files(tmp_path):
    assert main(["synth", "--out", str(tmp_path / "m.csv"), "--mentions", "50", "--quiet"]) == 0
    mentions = tmp_path / "m.synthetic.csv"
    truth = tmp_path / "m.synthetic.truth.csv"
    with mentions.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with truth.open(encoding="utf-8") as fh:
        t = list(csv.DictReader(fh))
    assert len(rows) == 50 and len(t) == 50
    assert {r["record_id"] for r in rows} == {r["record_id"] for r in t}


def test_cli_rejects_bad_rate(tmp_path, capsys):
    assert main(["synth", "--out", str(tmp_path / "m.csv"), "--typo-rate", "2"]) == 1
    assert "--typo-rate" in capsys.readouterr().err
