"""Latent-class capture-recapture with a Dirichlet-process prior (Manrique-Vallier 2016).

The population is a mixture of latent classes; within a class, being named on one
list is independent of being named on another, and each class has its own
probabilities of being named on each list. A truncated stick-breaking
Dirichlet-process prior lets the data decide how many classes matter, so people
far more likely to be reported than others (heterogeneity) are handled without
choosing a model. This is the model of the R package LCMCR (Manrique-Vallier,
version 0.4), with its priors:

- ``K`` classes at most (truncation of the stick-breaking process; 10 by default,
  as in LCMCR's example), ``pi_k = V_k prod_{l<k} (1 - V_l)``, ``V_k ~ Beta(1, alpha)``;
- ``alpha ~ Gamma(a_alpha, b_alpha)`` with shape ``a_alpha = 0.25`` and rate
  ``b_alpha = 0.25``;
- the probability of being named on list ``j`` in class ``k``: ``lambda_jk ~ Beta(1, 1)``;
- the prior on the total N is proportional to ``1/N``.

The Gibbs sampler (Manrique-Vallier 2016, section 3) augments the data with the
``N0`` people named on no list: given the other parameters,
``N0 ~ NegativeBinomial(n, 1 - p0)`` with ``p0 = sum_k pi_k prod_j (1 - lambda_jk)``
(this is where the ``1/N`` prior enters); then class labels for the observed (by
history, multinomially) and for the unobserved; then ``lambda``, ``V`` and
``alpha`` from their conjugate conditionals.

Point and interval: the posterior median and the equal-tailed credible interval
of the sampled totals.

No Django import here.
"""

from __future__ import annotations

import math

import numpy as np

from kuager import progress
from kuager.estimation.histories import CaptureHistories, check_supportable
from kuager.estimation.result import COMMON_ASSUMPTIONS, Estimate, EstimationRefused


def lcmcr_sample(h: CaptureHistories, K: int = 10, a_alpha: float = 0.25, b_alpha: float = 0.25,
                 burnin: int = 2000, samples: int = 2000, thinning: int = 5,
                 seed: int | None = None, show_progress: bool = True) -> np.ndarray:
    """Draw from the posterior of the total N by Gibbs sampling.

    Args:
        h: capture histories (any number of lists >= 2).
        K: maximum number of latent classes.
        a_alpha, b_alpha: shape and rate of the Gamma prior on the concentration ``alpha``.
        burnin: iterations discarded first.
        samples: number of draws returned.
        thinning: iterations between kept draws.
        seed: seed of the random generator (``None``: fresh entropy).
        show_progress: draw a progress bar when :func:`kuager.progress.enabled`.

    Returns:
        int array ``(samples,)`` of totals N (people).
    """
    rng = np.random.default_rng(seed)
    X = h.patterns.astype(float)
    c = h.counts.astype(np.int64)
    keep = c > 0
    X, c = X[keep], c[keep]
    n = int(c.sum())
    J = X.shape[1]
    lam = rng.beta(1, 1, size=(J, K))
    alpha = 1.0
    V = rng.beta(1, alpha, size=K - 1)
    total = burnin + samples * thinning
    out = np.empty(samples, dtype=np.int64)
    iterator = range(total)
    if show_progress and progress.enabled():
        iterator = progress.track(iterator, "Gibbs sampling (LCMCR)", total=total)
    tiny = 1e-12
    kept = 0
    for it in iterator:
        # mixture weights from the sticks
        Vc = np.clip(V, tiny, 1 - 1e-12)
        log1mV = np.log1p(-Vc)
        logpi = np.concatenate([np.log(Vc), [0.0]]) + np.concatenate([[0.0], np.cumsum(log1mV)])
        loglam, log1mlam = np.log(lam), np.log1p(-lam)
        # classes of the observed, by history
        lp = X @ loglam + (1 - X) @ log1mlam + logpi
        lp -= lp.max(axis=1, keepdims=True)
        pr = np.exp(lp)
        pr /= pr.sum(axis=1, keepdims=True)
        z = rng.multinomial(c, pr)
        # the unobserved: how many, then their classes
        lq0 = log1mlam.sum(axis=0) + logpi
        p0 = float(np.exp(lq0).sum())
        p0 = min(max(p0, 0.0), 1 - 1e-15)
        n0 = int(rng.negative_binomial(n, 1 - p0)) if p0 > 0 else 0
        q = np.exp(lq0 - lq0.max())
        z0 = rng.multinomial(n0, q / q.sum())
        nk = z.sum(axis=0) + z0
        s = X.T @ z
        lam = rng.beta(1 + s, 1 + nk[None, :] - s)
        lam = np.clip(lam, 1e-12, 1 - 1e-12)
        tail = np.cumsum(nk[::-1])[::-1]
        V = rng.beta(1 + nk[:-1], alpha + tail[1:])
        Vc = np.clip(V, tiny, 1 - 1e-12)
        alpha = rng.gamma(a_alpha + K - 1, 1.0 / (b_alpha - np.log1p(-Vc).sum()))
        if it >= burnin and (it - burnin) % thinning == thinning - 1:
            out[kept] = n + n0
            kept += 1
    return out


LCMCR_ASSUMPTIONS = COMMON_ASSUMPTIONS + [
    "People fall into a limited number of hidden groups; within a group, being named on one "
    "list has nothing to do with being named on another. Groups may differ greatly in how "
    "likely their members are to be reported.",
    "The prior on the total N is proportional to 1/N: before seeing the data, every order of "
    "magnitude is equally plausible.",
    "The figures come from a random sampler: another run gives slightly different numbers.",
]


def estimate_lcmcr(h: CaptureHistories, K: int = 10, a_alpha: float = 0.25, b_alpha: float = 0.25,
                   burnin: int = 2000, samples: int = 2000, thinning: int = 5,
                   seed: int | None = 0, level: float = 0.95) -> Estimate:
    """Latent-class (LCMCR) estimate of the total.

    Args:
        h: capture histories on at least 3 lists.
        K, a_alpha, b_alpha, burnin, samples, thinning, seed: see :func:`lcmcr_sample`.
        level: credible interval coverage.

    Returns:
        an :class:`Estimate` with ``method="lcmcr"``: ``estimate`` the posterior median,
        ``stderr`` the posterior standard deviation, the interval from posterior quantiles.

    Raises:
        EstimationRefused: see :func:`~kuager.estimation.histories.check_supportable`;
            and when the posterior median exceeds 1000 times the documented count.
    """
    warns = check_supportable(h)
    draws = lcmcr_sample(h, K, a_alpha, b_alpha, burnin, samples, thinning, seed)
    n = h.n
    med = float(np.median(draws))
    if med > 1000 * n:
        raise EstimationRefused("no finite estimate: the latent-class posterior of the total runs "
                                "beyond 1000 times the documented count.", n_observed=n)
    lo, hi = np.quantile(draws, [(1 - level) / 2, 1 - (1 - level) / 2])
    half = len(draws) // 2
    a, b = np.median(draws[:half]), np.median(draws[half:])
    sd = float(np.std(draws))
    if sd > 0 and abs(a - b) > 0.5 * sd:
        warns.append("The two halves of the sampler's run disagree: it may not have converged; "
                     "run more iterations.")
    if h.k < 4:
        warns.append("With only 3 lists the latent-class model is weakly identified: its "
                     "interval depends much on the prior.")
    return Estimate(
        method="lcmcr", model=f"latent classes, Dirichlet-process prior (K={K})", n_observed=n,
        estimate=med, stderr=sd, ci_low=float(lo), ci_high=float(hi),
        ci_type=f"{level:.0%} equal-tailed posterior credible interval", level=level,
        lists=h.lists, warnings=warns, assumptions=list(LCMCR_ASSUMPTIONS),
        details={"posterior_mean": float(np.mean(draws)), "K": K, "a_alpha": a_alpha,
                 "b_alpha": b_alpha, "burnin": burnin, "samples": samples, "thinning": thinning,
                 "seed": seed, "prior_N": "1/N"},
        draws=draws)
