"""Core behaviour: reading files, refusals, selection, BMA, LCMCR, strata.

Expected values are worked out independently: hand calculations, facts about
the simulated populations, or properties that must hold whatever the code does.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from kuager.errors import InputError
from kuager.estimation import (
    CaptureHistories, EstimationRefused, Heterogeneity, estimate, estimate_bma, estimate_lcmcr,
    estimate_loglinear, estimate_strata, histpos, parse_pairs, read_counts_csv, sum_estimates,
)


def simulate(N, probs, rng, dependence=None):
    """Histories of N people with list probabilities ``probs`` (one row per class or one row)."""
    probs = np.atleast_2d(probs)
    cls = rng.integers(0, len(probs), size=N)
    X = (rng.random((N, probs.shape[1])) < probs[cls]).astype(int)
    if dependence is not None:
        i, j, q = dependence  # people on list i are put on list j with extra probability q
        X[:, j] |= (X[:, i] == 1) & (rng.random(N) < q)
    X = X[X.sum(axis=1) > 0]
    u, c = np.unique(X, axis=0, return_counts=True)
    return CaptureHistories.from_patterns([f"L{j + 1}" for j in range(probs.shape[1])], u, c)


# ------------------------------------------------------------------ histories and files
def test_histpos_is_rcapture_order():
    assert histpos(2).tolist() == [[1, 1], [1, 0], [0, 1]]
    assert histpos(3)[0].tolist() == [1, 1, 1] and histpos(3)[-1].tolist() == [0, 0, 1]
    assert histpos(3)[3].tolist() == [1, 0, 0]


def test_read_counts_csv_and_absent_histories_count_zero(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("ngo,diaspora,police,count\n1,1,1,5\n1,0,0,20\n0,1,0,10\n0,0,1,7\n1,1,0,3\n")
    h = read_counts_csv(p)
    assert h.lists == ("ngo", "diaspora", "police")
    assert h.n == 45
    assert h.list_sizes().tolist() == [28, 18, 12]
    assert h.table().tolist() == [5, 3, 0, 20, 0, 10, 7]


@pytest.mark.parametrize("body, row, field, text", [
    ("a,b,c,count\n1,0,0,5\n1,2,0,3\n", 2, "b", "not 0 or 1"),
    ("a,b,c,count\n1,0,0,5\n0,1,0,-1\n", 2, "count", "non-negative integer"),
    ("a,b,c,count\n1,0,0,x\n", 1, "count", "not a number"),
    ("a,b,c,count\n1,0,0,5\n0,0,0,4\n", 2, "count", "all-zero"),
    ("a,b,c,count\n1,0,0,5\n1,0,0,4\n", 2, None, "already appears in row 1"),
    ("a,b,c,count\n1,0,0\n", 1, None, "3 values, expected 4"),
])
def test_bad_csv_names_file_row_and_column(tmp_path, body, row, field, text):
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(InputError) as exc:
        read_counts_csv(p)
    assert exc.value.row == row and exc.value.field == field and exc.value.file == str(p)
    assert text in str(exc.value) and "bad.csv" in str(exc.value)


def test_csv_without_count_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("a,b,c,n\n1,0,0,5\n")
    with pytest.raises(InputError, match="no 'count' column"):
        read_counts_csv(p)


def test_parse_pairs():
    assert parse_pairs("1:2, 3:2", 3) == [(0, 1), (1, 2)]
    with pytest.raises(InputError):
        parse_pairs("1:4", 3)
    with pytest.raises(InputError):
        parse_pairs("1-2", 3)


def test_heterogeneity_parse():
    assert Heterogeneity.parse("gamma3.5") == Heterogeneity("gamma", 3.5)
    assert Heterogeneity.parse("poisson2").label == "Poisson2"
    assert Heterogeneity.parse("LB").label == "Chao (LB)"
    with pytest.raises(ValueError):
        Heterogeneity.parse("normal")


# ------------------------------------------------------------------ refusals
def test_identical_lists_refused():
    h = CaptureHistories.from_table(["a", "b", "c"], [10, 5, 0, 0, 0, 0, 7])
    with pytest.raises(EstimationRefused, match="same people"):
        estimate(h)


def test_nested_list_warns_not_independent_by_design():
    h = CaptureHistories.from_table(["a", "b", "c"], [10, 20, 0, 0, 8, 15, 12])
    e = estimate_loglinear(h)  # independence model
    assert any("is also on list 'b'" in w for w in e.warnings)


def test_empty_list_refused():
    h = CaptureHistories.from_patterns(["a", "b", "c"], [[1, 1, 0], [1, 0, 0], [0, 1, 0]], [3, 4, 5])
    with pytest.raises(EstimationRefused, match="names nobody"):
        estimate(h)


def test_no_overlap_means_no_finite_estimate():
    # No one on two lists: under independence the unseen count is unbounded.
    h = CaptureHistories.from_patterns(["a", "b", "c"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [30, 40, 50])
    with pytest.raises(EstimationRefused, match="no estimate|no model|not finite|no finite"):
        estimate_loglinear(h)


def test_independence_three_lists_hand_calculation():
    # Complete independence on a table built to be exactly independent:
    # N = 1000, p = (0.5, 0.4, 0.2): expected cell counts N * prod p or (1-p); the
    # unseen cell is 1000 * 0.5 * 0.6 * 0.8 = 240, so N_hat = 1000 exactly.
    p = np.array([0.5, 0.4, 0.2])
    cells = [1000 * np.prod(np.where(np.array(r) == 1, p, 1 - p)) for r in histpos(3)]
    h = CaptureHistories.from_table(["a", "b", "c"], np.round(cells).astype(int))
    e = estimate_loglinear(h)
    assert e.estimate == pytest.approx(1000, abs=0.5)
    assert e.ci_low < 1000 < e.ci_high


def test_selection_finds_a_strong_dependence():
    rng = np.random.default_rng(3)
    h = simulate(20000, [0.2, 0.2, 0.3, 0.25], rng, dependence=(0, 1, 0.6))
    e = estimate_loglinear(h, select="bic")
    assert [1, 2] in e.details["interactions"]
    assert e.ci_low < 20000 < e.ci_high


def test_dependent_by_design_forces_the_interaction():
    rng = np.random.default_rng(4)
    h = simulate(3000, [0.3, 0.3, 0.3], rng)
    e = estimate_loglinear(h, dependent=[(0, 2)])
    assert e.details["interactions"] == [[1, 3]]
    assert any("dependent by design" in w for w in e.warnings)


# ------------------------------------------------------------------ BMA
def test_bma_covers_truth_on_independent_lists():
    rng = np.random.default_rng(5)
    h = simulate(3000, [0.3, 0.25, 0.35, 0.2], rng)
    e = estimate_bma(h)
    assert e.ci_low < 3000 < e.ci_high
    assert abs(e.estimate - 3000) < 0.1 * 3000
    assert e.ci_low <= e.estimate <= e.ci_high and e.ci_low >= h.n


def test_bma_refuses_more_than_five_lists():
    rng = np.random.default_rng(6)
    h = simulate(2000, [0.3] * 6, rng)
    with pytest.raises(EstimationRefused, match="3 to 5 lists"):
        estimate_bma(h)


# ------------------------------------------------------------------ LCMCR
def test_lcmcr_covers_truth_on_independent_lists():
    rng = np.random.default_rng(7)
    h = simulate(2000, [0.3, 0.25, 0.35, 0.3], rng)
    e = estimate_lcmcr(h, K=5, burnin=300, samples=300, thinning=2, seed=11)
    assert e.ci_low < 2000 < e.ci_high
    assert abs(e.estimate - 2000) < 0.15 * 2000
    assert len(e.draws) == 300 and e.draws.min() >= h.n


def test_lcmcr_seed_reproducible():
    rng = np.random.default_rng(8)
    h = simulate(800, [0.3, 0.3, 0.4], rng)
    a = estimate_lcmcr(h, K=3, burnin=50, samples=50, thinning=1, seed=2)
    b = estimate_lcmcr(h, K=3, burnin=50, samples=50, thinning=1, seed=2)
    assert a.estimate == b.estimate and (a.draws == b.draws).all()


# ------------------------------------------------------------------ strata
def test_stratified_sum_and_variance_add():
    rng = np.random.default_rng(9)
    strata = {"Hotan": simulate(3000, [0.3, 0.3, 0.3], rng), "Kashgar": simulate(2000, [0.4, 0.3, 0.2], rng)}
    res = estimate_strata(strata, "prefecture", lambda h: estimate_loglinear(h))
    a, b = res.strata["Hotan"], res.strata["Kashgar"]
    assert res.total.estimate == pytest.approx(a.estimate + b.estimate)
    assert res.total.stderr == pytest.approx(math.sqrt(a.stderr**2 + b.stderr**2))
    assert res.total.n_observed == strata["Hotan"].n + strata["Kashgar"].n
    assert res.total.ci_low < 5000 < res.total.ci_high


def test_stratified_refused_stratum_means_no_total():
    rng = np.random.default_rng(10)
    bad = CaptureHistories.from_patterns(["L1", "L2", "L3"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [5, 6, 7])
    res = estimate_strata({"ok": simulate(2000, [0.3, 0.3, 0.3], rng), "bad": bad}, "year",
                          lambda h: estimate_loglinear(h))
    assert res.total is None and "bad" in res.refused and "'bad'" in res.total_refusal
    assert res.refused["bad"][0] == 18


def test_stratified_bayesian_sum_of_draws():
    rng = np.random.default_rng(12)
    strata = {"f": simulate(1500, [0.3, 0.3, 0.4], rng), "m": simulate(1500, [0.3, 0.4, 0.3], rng)}
    res = estimate_strata(strata, "sex", lambda h: estimate_bma(h))
    t = res.total
    assert t.estimate == pytest.approx(res.strata["f"].estimate + res.strata["m"].estimate)
    # independent strata: the sum's spread is about sqrt of the sum of variances
    sd = math.sqrt(sum(e.stderr**2 for e in res.strata.values()))
    assert t.stderr == pytest.approx(sd, rel=0.15)
    assert t.ci_low < 3000 < t.ci_high


def test_sparse_stratum_warned():
    rng = np.random.default_rng(13)
    res = estimate_strata({"small": simulate(40, [0.5, 0.5, 0.5], rng)}, "year",
                          lambda h: estimate_loglinear(h))
    assert any(w.startswith("Sparse") for w in res.strata["small"].warnings)


# ------------------------------------------------------------------ no Django
def test_estimation_package_does_not_import_django():
    code = ("import sys, kuager.estimation, kuager.commands.estimate; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
