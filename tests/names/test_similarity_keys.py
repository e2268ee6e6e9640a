"""similarity() and keys() on the shared dev pairs and on the cases named in issue 3."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kuager.names import keys, similarity

DEV = list(csv.DictReader((Path(__file__).parent / "data" / "dev-pairs.csv").open(encoding="utf-8")))

SAME = [
    "Асылбек Талғатұлы", "Asylbek Talğatūly", "ASYLBEK TALGATULY", "Асылбек Талгатов",
    "TALGATULY ASYLBEK", "Asylbek Talgatov", "阿斯力别克·塔力哈提", "Asilibieke Talihati",
]


@pytest.mark.parametrize("other", SAME[1:])
def test_variants_of_one_name_score_high(other):
    assert similarity(SAME[0], other) >= 0.8


@pytest.mark.parametrize("a,b", [
    ("Asylbek Talgatuly", "Asylkhan Talgatuly"),   # brothers
    ("Asylbek Talgatuly", "Talgat Asylbekuly"),    # father and son
    ("Asylbek Talgatuly", "Asylbek Nurlanuly"),    # namesakes, different fathers
    ("阿斯力别克·塔力哈提", "塔力哈提·阿斯力别克"),      # father and son in Chinese form
    ("Abdulla Rozi", "Rozi Abdulla"),              # unmarked order: son and father
])
def test_relatives_score_low(a, b):
    assert similarity(a, b) < 0.75


def test_variants_beat_relatives_on_dev_pairs():
    # every same-person pair written in two direct transliterations of the same letters
    # (Cyrillic vs Latin, Arabic vs ULY) scores above every different-person pair
    direct = [r for r in DEV if r["same_person"] == "1"
              and r["note"].startswith(("kk Cyrillic vs", "Uyghur Arabic vs ULY", "Uyghur Cyrillic vs ULY"))]
    assert len(direct) >= 15
    diff = [r for r in DEV if r["same_person"] == "0"]
    lo_same = min(similarity(r["name_a"], r["name_b"]) for r in direct)
    hi_diff = max(similarity(r["name_a"], r["name_b"]) for r in diff)
    assert lo_same > hi_diff


def test_range_and_symmetry():
    for r in DEV:
        s = similarity(r["name_a"], r["name_b"])
        assert 0.0 <= s <= 1.0
        assert s == pytest.approx(similarity(r["name_b"], r["name_a"]))
    assert similarity("Asylbek Talgatuly", "Asylbek Talgatuly") == 1.0
    assert similarity("", "Asylbek") == 0.0


def test_similarity_type_error():
    with pytest.raises(TypeError):
        similarity("Asylbek", 3)  # type: ignore[arg-type]


def _nf(name):
    return {k for k in keys(name) if k[0] in "nf"}


@pytest.mark.parametrize("other", SAME[1:])
def test_keys_shared_by_variants(other):
    assert _nf(SAME[0]) & _nf(other)


def test_keys_chinese_with_and_without_dot():
    assert _nf("阿斯力别克塔力哈提") & _nf("阿斯力别克·塔力哈提")
    assert _nf("阿斯力别克塔力哈提") & _nf("Asylbek Talgatuly")


def test_keys_old_and_new_chinese_spelling():
    assert _nf("买买提·吐尔逊") & _nf("麦麦提·吐尔逊")
    assert _nf("阿不都拉·肉孜") & _nf("阿卜都拉·肉孜")


@pytest.mark.parametrize("a,b", [
    ("Asylbek Talgatuly", "Talgat Asylbekuly"),
    ("Asylbek Talgatuly", "Nurbol Talgatuly"),
])
def test_keys_not_shared_by_relatives(a, b):
    assert not (_nf(a) & _nf(b))


def test_keys_shapes():
    k = keys("Асылбек Талғатұлы")
    assert isinstance(k, set) and k
    assert all(x[:2] in ("n:", "f:", "g:", "u:") for x in k)
    assert keys("123") == set()
    k.add("mutated")
    assert "mutated" not in keys("Асылбек Талғатұлы")  # a fresh set every call


def test_search_by_any_spelling():
    # the Cyrillic query finds the Latin record and the Chinese one through the keys
    records = {"r1": "Asylbek Talgatuly", "r2": "阿斯力别克·塔力哈提", "r3": "Nurbol Sultanuly"}
    q = _nf("Асылбек Талғатұлы")
    assert {rid for rid, n in records.items() if _nf(n) & q} == {"r1", "r2"}
