"""Pairwise and B-cubed scores on tiny clusterings worked out by hand."""

import pytest

from kuager.linkage import metrics

# predicted {a,b,c} {d,e}; truth {a,b} {c,d,e}
PRED = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
TRUE = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "y"}


def test_pairwise_by_hand():
    # predicted pairs ab ac bc de = 4; true pairs ab cd ce de = 4; common ab de = 2
    s = metrics.pairwise(PRED, TRUE)
    assert s.precision == pytest.approx(0.5)
    assert s.recall == pytest.approx(0.5)
    assert s.f1 == pytest.approx(0.5)


def test_bcubed_by_hand():
    # P: a 2/3, b 2/3, c 1/3, d 1, e 1 -> 11/15 ; R: a 1, b 1, c 1/3, d 2/3, e 2/3 -> 11/15
    s = metrics.bcubed(PRED, TRUE)
    assert s.precision == pytest.approx(11 / 15)
    assert s.recall == pytest.approx(11 / 15)


def test_all_singletons():
    pred = {"a": 1, "b": 2, "c": 3}
    true = {"a": 0, "b": 0, "c": 1}
    pw = metrics.pairwise(pred, true)
    assert (pw.precision, pw.recall, pw.f1) == (1.0, 0.0, 0.0)
    b3 = metrics.bcubed(pred, true)
    # R: a 1/2, b 1/2, c 1 -> 2/3 ; P = 1 ; F1 = 2*(2/3)/(5/3) = 0.8
    assert b3.precision == pytest.approx(1.0)
    assert b3.recall == pytest.approx(2 / 3)
    assert b3.f1 == pytest.approx(0.8)


def test_over_merge_lowers_precision_only():
    pred = {"a": 1, "b": 1, "c": 1, "d": 1}
    true = {"a": 0, "b": 0, "c": 1, "d": 1}
    pw = metrics.pairwise(pred, true)
    assert pw.precision == pytest.approx(2 / 6)
    assert pw.recall == pytest.approx(1.0)
    assert metrics.bcubed(pred, true).precision == pytest.approx(0.5)


def test_different_records_rejected():
    with pytest.raises(ValueError):
        metrics.pairwise({"a": 1}, {"b": 1})
