"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

Follows the R package dga (Johndrow, Lum & Ball, version 2.0; ``bma.cr``):

- every decomposable (chordal) graph on the ``p`` lists is a model (822 graphs for
  5 lists, 61 for 4, 8 for 3), with equal prior weight unless told otherwise; an
  edge means the two lists may depend on each other;
- the cell probabilities of the complete ``2**p`` table have a hyper-Dirichlet
  prior: each cell of a clique's (or separator's) marginal table gets
  ``delta * 2**(p - size)``, so every marginal's total is ``delta * 2**p``;
  ``delta`` defaults to ``2**-p`` (dga's suggestion; one prior observation in all);
- the marginal likelihood of a graph, for a given number ``N0`` of people on no
  list, is the product over cliques divided by the product over separators of
  Dirichlet-multinomial terms, times the multinomial coefficient
  ``N! / (N0! prod y!)``;
- the prior on the total ``N = n + N0`` is proportional to ``1/N`` (dga's default,
  ``logprior = -log(N)``), an improper prior that is uninformative on the log scale;
- the posterior is computed exactly on a grid of ``N0`` and summed over graphs.

Point and interval: the posterior median and the equal-tailed credible interval,
with dga's quantile rule (the first N whose cumulative probability exceeds the
level); the posterior mean, mode and Madigan & York's Bayes estimator under
relative squared error (``E[1/N] / E[1/N^2]``) are in ``details``.

No Django import here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

from kuager.estimation.histories import CaptureHistories, check_supportable
from kuager.estimation.result import COMMON_ASSUMPTIONS, Estimate, EstimationRefused


@dataclass(frozen=True)
class DecomposableGraph:
    """A decomposable graph on ``p`` lists (0-based vertices).

    Attributes:
        p: number of vertices (lists).
        edges: the edges ``(i, j)``, ``i < j``.
        cliques: maximal cliques, as bitmasks over the lists (bit ``i`` = list ``i``).
        separators: non-empty separators of a junction tree, as bitmasks.
    """

    p: int
    edges: tuple[tuple[int, int], ...]
    cliques: tuple[int, ...]
    separators: tuple[int, ...]

    def describe(self) -> str:
        """``[1,2][2,3]``-style list of edges (1-based), or ``independence``."""
        if not self.edges:
            return "independence"
        return "".join(f"[{i + 1},{j + 1}]" for i, j in self.edges)


def _is_chordal(p: int, adj: list[set[int]]) -> bool:
    left = set(range(p))
    adj = [set(a) for a in adj]
    while left:
        for v in left:
            nb = adj[v] & left
            if all(b in adj[a] for a, b in itertools.combinations(nb, 2)):
                left.remove(v)
                break
        else:
            return False
    return True


@lru_cache(maxsize=None)
def decomposable_graphs(p: int) -> tuple[DecomposableGraph, ...]:
    """All decomposable graphs on ``p`` labelled vertices, with cliques and separators.

    Args:
        p: number of lists (2 to 6).

    Returns:
        a tuple of :class:`DecomposableGraph` (8 for p=3, 61 for p=4, 822 for p=5).
    """
    pairs = list(itertools.combinations(range(p), 2))
    out = []
    for mask in range(2 ** len(pairs)):
        edges = tuple(pr for b, pr in enumerate(pairs) if mask >> b & 1)
        adj = [set() for _ in range(p)]
        for i, j in edges:
            adj[i].add(j)
            adj[j].add(i)
        if not _is_chordal(p, adj):
            continue
        cliques = []
        for s in range(1, 2**p):
            verts = [v for v in range(p) if s >> v & 1]
            if all(b in adj[a] for a, b in itertools.combinations(verts, 2)):
                cliques.append(s)
        maximal = [c for c in cliques if not any(c != d and c & d == c for d in cliques)]
        # junction tree: maximum-weight spanning tree over the maximal cliques (Kruskal)
        cand = sorted(((bin(a & b).count("1"), ia, ib) for (ia, a), (ib, b)
                       in itertools.combinations(enumerate(maximal), 2)), reverse=True)
        parent = list(range(len(maximal)))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        seps = []
        for w, ia, ib in cand:
            ra, rb = find(ia), find(ib)
            if ra != rb:
                parent[ra] = rb
                if w > 0:
                    seps.append(maximal[ia] & maximal[ib])
        out.append(DecomposableGraph(p, edges, tuple(maximal), tuple(seps)))
    return tuple(out)


def _component_logml(table: np.ndarray, p: int, nmissing: np.ndarray, delta: float) -> np.ndarray:
    """Log Dirichlet-multinomial kernel of every marginal table, for every N0.

    ``table`` is indexed by the bitmask of lists naming the person (cell 0 = named
    on no list, count 0). Returns an array ``(2**p, len(nmissing))``; row ``s`` is
    ``sum_cells lgamma(D + a) - lgamma(a)`` for the marginal on lists ``s``, with
    ``a = delta * 2**(p - |s|)`` (row 0 unused).
    """
    out = np.zeros((2**p, len(nmissing)))
    cells = np.arange(2**p)
    for s in range(1, 2**p):
        size = bin(s).count("1")
        a = delta * 2 ** (p - size)
        marg = np.bincount(cells & s, weights=table, minlength=2**p)[
            [c for c in range(2**p) if c & ~s == 0]]
        # marg[0] is the marginal cell "on none of the lists in s" (cell index 0)
        const = float(np.sum(gammaln(marg[1:] + a) - gammaln(a)))
        out[s] = const + gammaln(marg[0] + nmissing + a) - gammaln(a)
    return out


def bma_posterior(h: CaptureHistories, nmissing: Sequence[int] | np.ndarray,
                  delta: float | None = None,
                  log_prior: Callable[[np.ndarray], np.ndarray] | None = None,
                  graphs: Sequence[DecomposableGraph] | None = None,
                  log_prior_graphs: Sequence[float] | None = None) -> tuple[np.ndarray, tuple[DecomposableGraph, ...]]:
    """The joint posterior of (graph, N0) on a grid, as dga's ``bma.cr``.

    Args:
        h: capture histories on ``p`` lists (3 to 5).
        nmissing: the grid of values for the number of people on no list.
        delta: hyper-Dirichlet parameter per cell (default ``2**-p``).
        log_prior: ``log p(N)`` for an array of totals ``N`` (default ``-log N``).
        graphs: the models (default all decomposable graphs on ``p`` lists).
        log_prior_graphs: log prior weights of the graphs (default equal).

    Returns:
        ``(weights, graphs)``: ``weights[g, i]`` is the posterior probability of graph
        ``g`` and ``N0 = nmissing[i]`` (sums to 1).
    """
    p = h.k
    nm = np.asarray(nmissing, dtype=float)
    delta = 2.0**-p if delta is None else float(delta)
    graphs = tuple(decomposable_graphs(p) if graphs is None else graphs)
    # table indexed by bitmask with bit i = list i
    table = np.zeros(2**p)
    codes = h.patterns @ (2 ** np.arange(p))
    np.add.at(table, codes, h.counts)
    comp = _component_logml(table, p, nm, delta)
    n = h.n
    N = n + nm
    A = np.zeros((len(graphs), 2**p))
    nsub = np.zeros(len(graphs))
    for g, gr in enumerate(graphs):
        for c in gr.cliques:
            A[g, c] += 1
        for s in gr.separators:
            A[g, s] -= 1
        nsub[g] = len(gr.cliques) - len(gr.separators)
    total_alpha = delta * 2**p
    norm = gammaln(total_alpha) - gammaln(N + total_alpha)
    logw = A @ comp + nsub[:, None] * norm[None, :]
    logw += (gammaln(N + 1) - np.sum(gammaln(h.counts + 1)) - gammaln(nm + 1))[None, :]
    logw += (-np.log(N) if log_prior is None else np.asarray(log_prior(N), dtype=float))[None, :]
    if log_prior_graphs is not None:
        logw += np.asarray(log_prior_graphs, dtype=float)[:, None]
    logw -= logw.max()
    w = np.exp(logw)
    return w / w.sum(), graphs


def quantile(N: np.ndarray, probs: np.ndarray, level: float) -> float:
    """dga's posterior quantile: the first ``N`` whose cumulative probability exceeds ``level``."""
    cs = np.cumsum(probs / probs.sum())
    return float(N[np.argmax(cs > level)])


def summarize(N: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Posterior summaries of a distribution on the grid ``N``: mean, sd, mode, median,
    2.5% and 97.5% quantiles, and Madigan & York's Bayes estimator ``E[1/N]/E[1/N^2]``."""
    pr = probs / probs.sum()
    mean = float(np.sum(N * pr))
    return {
        "mean": mean, "sd": float(math.sqrt(max(np.sum((N - mean) ** 2 * pr), 0.0))),
        "mode": float(N[np.argmax(pr)]), "median": quantile(N, pr, 0.5),
        "q025": quantile(N, pr, 0.025), "q975": quantile(N, pr, 0.975),
        "bayes": float(np.sum(pr / N) / np.sum(pr / N**2)),
    }


BMA_ASSUMPTIONS = COMMON_ASSUMPTIONS + [
    "Lists may depend on each other in any way a decomposable graph can describe; the "
    "estimate averages over all such patterns, weighted by how well each fits.",
    "The prior on the total N is proportional to 1/N: before seeing the data, every order "
    "of magnitude is equally plausible.",
    "Apart from the dependence between lists, everyone had the same chance of being named "
    "on a given list.",
]


def estimate_bma(h: CaptureHistories, delta: float | None = None, level: float = 0.95,
                 dependent: Sequence[tuple[int, int]] = (), max_missing: int | None = None,
                 seed: int = 0) -> Estimate:
    """Bayesian model averaging estimate of the total (Madigan & York 1997; dga).

    The grid of N0 starts at ``0..max(5n, 500)`` and doubles until the posterior
    mass in its last tenth is below 1e-6, up to ``max_missing`` (default
    ``1000 n``); if the posterior is still not negligible there, the upper limit
    is reported as missing and a warning says so. Grids longer than 10,000 points
    use a step > 1 (the posterior is smooth in N0; quantiles are then given to
    that step).

    Args:
        h: capture histories on 3 to 5 lists.
        delta: hyper-Dirichlet parameter per cell (default ``2**-p``).
        level: credible interval coverage.
        dependent: 0-based pairs known to be dependent by design: only graphs with
            those edges are averaged over.
        max_missing: the largest N0 considered.
        seed: seed for the posterior draws kept for sums of strata.

    Returns:
        an :class:`Estimate` with ``method="bma"``; ``estimate`` is the posterior
        median, ``stderr`` the posterior standard deviation.

    Raises:
        EstimationRefused: fewer than 3 or more than 5 lists, or see
            :func:`~kuager.estimation.histories.check_supportable`, or when the
            posterior median itself lies beyond the grid (no finite estimate).
    """
    warns = check_supportable(h)
    if h.k > 5:
        raise EstimationRefused("Bayesian model averaging is implemented for 3 to 5 lists (as in dga); "
                                "merge some lists or use the log-linear or latent-class method.",
                                n_observed=h.n)
    n = h.n
    cap = max_missing if max_missing is not None else 1000 * n
    graphs = decomposable_graphs(h.k)
    dependent = [tuple(sorted(p)) for p in dependent]
    if dependent:
        graphs = tuple(g for g in graphs if all(d in g.edges for d in dependent))
        for i, j in dependent:
            warns.append(f"Lists {h.lists[i]!r} and {h.lists[j]!r} are declared dependent by design: "
                         "only models joining them are averaged over.")
    G = min(max(5 * n, 500), cap)
    while True:
        step = max(1, -(-G // 10000))  # at most ~10,000 grid points (memory: graphs x points)
        nm = np.arange(0, G + 1, step)
        w, gr = bma_posterior(h, nm, delta, graphs=graphs)
        marg = w.sum(axis=0)
        tail = marg[nm >= 0.9 * G].sum()
        if tail < 1e-6 or G >= cap:
            break
        G = min(2 * G, cap)
    N = n + nm
    s = summarize(N, marg)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    lo, hi = quantile(N, marg, lo_q), quantile(N, marg, hi_q)
    truncated = tail >= 1e-6
    if truncated:
        if tail > 0.5 or s["median"] >= n + 0.9 * G:
            raise EstimationRefused(
                "no finite estimate: the posterior of the total keeps going beyond "
                f"{cap:,} people never named, so the data cannot bound it.", n_observed=n)
        if tail > 1 - hi_q:
            hi = None
        warns.append(f"The posterior was cut off at {N[-1]:,} people; its tail beyond is not "
                     "negligible, so the upper end of the interval is uncertain or missing.")
    model_probs = w.sum(axis=1)
    order = np.argsort(-model_probs)
    top = [{"graph": gr[g].describe(), "probability": float(model_probs[g]),
            **{k: v for k, v in summarize(N, w[g]).items() if k in ("median", "q025", "q975")}}
           for g in order[:5]]
    rng = np.random.default_rng(seed)
    draws = rng.choice(N, size=4000, p=marg / marg.sum())
    delta_v = 2.0**-h.k if delta is None else float(delta)
    return Estimate(
        method="bma", model=f"average over {len(gr)} decomposable graphs", n_observed=n,
        estimate=s["median"], stderr=s["sd"], ci_low=lo, ci_high=hi,
        ci_type=f"{level:.0%} equal-tailed posterior credible interval", level=level,
        lists=h.lists, warnings=warns, assumptions=list(BMA_ASSUMPTIONS),
        details={"posterior_mean": s["mean"], "posterior_mode": s["mode"],
                 "bayes_estimator": s["bayes"], "delta": delta_v, "prior_N": "1/N",
                 "grid_max_missing": int(nm[-1]), "grid_step": int(step), "top_models": top},
        draws=draws)
