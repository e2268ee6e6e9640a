"""Estimates by stratum (prefecture, year, sex, ethnicity...) and their sum.

Each stratum is estimated on its own with the same method; the total is the sum
of the stratum estimates. Its uncertainty:

- log-linear: the strata are independent, so variances add; the interval is
  Chao's (1987) log-normal interval on the number never named,
  ``n + f0 / C`` to ``n + f0 * C`` with ``f0 = sum N_s - n`` and
  ``C = exp(z sqrt(log(1 + var / f0**2)))`` (the form Rcapture uses for its
  normal-heterogeneity model);
- Bayesian methods: the posterior draws of the strata are added, draw by draw,
  and the interval is read from the summed draws.

A stratum that cannot be estimated (too few lists, an estimate that is not finite)
is reported with its reason, and then there is no total: a sum that silently left
out a stratum would be an undercount presented as an estimate.

No Django import here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from kuager.estimation.histories import CaptureHistories
from kuager.estimation.result import Estimate, EstimationRefused

#: A stratum with fewer documented people than this gets a warning.
SPARSE_N = 50


@dataclass
class StratifiedEstimate:
    """Per-stratum estimates and their sum.

    Attributes:
        by: the stratifying field (e.g. ``"prefecture"``).
        strata: stratum value -> :class:`Estimate`, for the strata that could be estimated.
        refused: stratum value -> (documented count, reason) for the others.
        total: the sum, or ``None`` when a stratum was refused.
        total_refusal: why there is no total, if there is none.
        warnings: warnings about the stratification as a whole.
    """

    by: str
    strata: dict[str, Estimate] = field(default_factory=dict)
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)
    total: Estimate | None = None
    total_refusal: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON form: by, strata (value -> estimate dict), refused, total, total_refusal, warnings."""
        return {
            "by": self.by,
            "strata": {k: v.to_dict() for k, v in self.strata.items()},
            "refused": {k: {"n_observed": n, "reason": r} for k, (n, r) in self.refused.items()},
            "total": self.total.to_dict() if self.total else None,
            "total_refusal": self.total_refusal,
            "warnings": list(self.warnings),
        }


def sparse_warnings(h: CaptureHistories) -> list[str]:
    """Warnings for a sparse stratum: few people documented, a small list, few overlaps."""
    out = []
    if h.n < SPARSE_N:
        out.append(f"Sparse stratum: only {h.n} people documented.")
    small = [h.lists[j] for j, s in enumerate(h.list_sizes()) if s < 5]
    if small:
        out.append("Sparse stratum: fewer than 5 people on list(s) " + ", ".join(map(repr, small)) + ".")
    multi = int(h.counts[h.patterns.sum(axis=1) >= 2].sum())
    if multi < 10:
        out.append(f"Sparse stratum: only {multi} people are named on more than one list.")
    return out


def sum_estimates(parts: list[Estimate], level: float = 0.95) -> Estimate:
    """Add stratum estimates into one total (see the module's doc for the interval).

    Args:
        parts: estimates of disjoint strata, all with the same method.
        level: interval coverage.

    Returns:
        the total as an :class:`Estimate`.
    """
    method = parts[0].method
    n = sum(p.n_observed for p in parts)
    est = sum(p.estimate for p in parts)
    if all(p.draws is not None for p in parts):
        rng = np.random.default_rng(0)
        size = max(len(p.draws) for p in parts)
        total = sum(rng.choice(np.asarray(p.draws), size=size, replace=len(p.draws) < size)
                    if len(p.draws) != size else rng.permutation(np.asarray(p.draws)) for p in parts)
        lo, hi = np.quantile(total, [(1 - level) / 2, 1 - (1 - level) / 2])
        return Estimate(method=method, model="sum of strata", n_observed=n, estimate=est,
                        stderr=float(np.std(total)), ci_low=float(lo), ci_high=float(hi),
                        ci_type=f"{level:.0%} credible interval of the sum of independent stratum posteriors",
                        level=level, lists=parts[0].lists, assumptions=list(parts[0].assumptions),
                        details={"estimate_is": "sum of stratum posterior medians"}, draws=total)
    var = sum((p.stderr or 0.0) ** 2 for p in parts)
    f0 = est - n
    z = stats.norm.ppf(1 - (1 - level) / 2)
    if f0 > 0:
        C = math.exp(z * math.sqrt(math.log(1 + var / f0**2)))
        lo, hi = n + f0 / C, n + f0 * C
    else:
        lo = hi = float(n)
    warns = []
    if any(p.ci_high is None for p in parts):
        hi = None
        warns.append("A stratum has no finite upper limit, so neither has the total.")
    return Estimate(method=method, model="sum of strata", n_observed=n, estimate=est,
                    stderr=math.sqrt(var), ci_low=lo, ci_high=hi,
                    ci_type=f"{level:.0%} log-normal interval on the number never named (Chao 1987), "
                            "stratum variances added", level=level, lists=parts[0].lists,
                    warnings=warns, assumptions=list(parts[0].assumptions))


def estimate_strata(strata: Mapping[str, CaptureHistories], by: str,
                    estimator: Callable[[CaptureHistories], Estimate],
                    level: float = 0.95) -> StratifiedEstimate:
    """Estimate each stratum with ``estimator`` and add them up.

    Args:
        strata: stratum value -> capture histories (same lists in each).
        by: the stratifying field's name, for display.
        estimator: a function from capture histories to an :class:`Estimate`
            (e.g. ``functools.partial(estimate, method="loglinear", select="aic")``).
        level: interval coverage of the total.

    Returns:
        a :class:`StratifiedEstimate`; ``total`` is ``None`` when any stratum was refused.
    """
    out = StratifiedEstimate(by=by)
    if not strata:
        out.total_refusal = "no strata"
        return out
    for key in sorted(strata, key=str):
        h = strata[key]
        try:
            e = estimator(h)
        except EstimationRefused as exc:
            out.refused[str(key)] = (h.n, str(exc))
            continue
        e.warnings[:0] = sparse_warnings(h)
        out.strata[str(key)] = e
    if out.refused:
        names = ", ".join(repr(k) for k in out.refused)
        out.total_refusal = (f"no total: stratum {names} cannot be estimated, and a sum without it "
                             "would be an undercount")
    elif out.strata:
        out.total = sum_estimates(list(out.strata.values()), level)
        sparse = [k for k, e in out.strata.items() if any(w.startswith("Sparse") for w in e.warnings)]
        if sparse:
            out.warnings.append("Sparse strata (" + ", ".join(map(repr, sparse)) + ") make the total "
                                "fragile; consider coarser strata.")
    return out
