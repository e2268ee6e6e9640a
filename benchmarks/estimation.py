"""Simulation study of kuager.estimation: bias and interval coverage by method.

Three kinds of closed populations of N people and four lists:

- independent: every person has the same chance of being on each list, lists
  independent (every method's assumptions hold);
- dependent: as above, but people on list 1 are added to list 2 with probability
  0.35 (positive dependence between lists 1 and 2, as when one source feeds another);
- heterogeneous: 30% of people are far more visible than the other 70% (each list's
  chance ~0.5 against ~0.1), lists independent within each group.

For each replicate, each method estimates N; the table gives the mean estimate,
bias, relative bias, root mean squared error, the share of 95% intervals that
contain the true N, and how many replicates were refused.

    .venv/bin/python benchmarks/estimation.py                 # 200 replicates, N = 2000
    .venv/bin/python benchmarks/estimation.py --replicates 1000 --jobs 2 --lcmcr-iterations 5000

Prints numbers; asserts nothing. Progress shows on a terminal only.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kuager import progress  # noqa: E402
from kuager.estimation import (  # noqa: E402
    CaptureHistories, EstimationRefused, estimate_bma, estimate_lcmcr, estimate_loglinear,
)

P = np.array([0.25, 0.20, 0.30, 0.15])
VISIBLE = np.array([0.50, 0.45, 0.55, 0.40])
HIDDEN = np.array([0.10, 0.08, 0.12, 0.06])
SCENARIOS = ("independent", "dependent", "heterogeneous")


def simulate(scenario: str, N: int, rng: np.random.Generator) -> CaptureHistories:
    """Capture histories of one simulated population."""
    if scenario == "heterogeneous":
        visible = rng.random(N) < 0.3
        probs = np.where(visible[:, None], VISIBLE, HIDDEN)
    else:
        probs = np.broadcast_to(P, (N, 4))
    X = (rng.random((N, 4)) < probs).astype(int)
    if scenario == "dependent":
        X[:, 1] |= (X[:, 0] == 1) & (rng.random(N) < 0.35)
    X = X[X.sum(axis=1) > 0]
    u, c = np.unique(X, axis=0, return_counts=True)
    return CaptureHistories.from_patterns(["L1", "L2", "L3", "L4"], u, c)


def methods(lcmcr_iterations: int):
    half = max(lcmcr_iterations // 2, 100)
    return {
        "loglinear Mt (independence)": lambda h: estimate_loglinear(h, interactions=[]),
        "loglinear AIC search": lambda h: estimate_loglinear(h, select="aic"),
        "loglinear Mth Chao (LB)": lambda h: estimate_loglinear(h, heterogeneity="chao"),
        "bma (dga)": lambda h: estimate_bma(h),
        "lcmcr": lambda h, s=None: estimate_lcmcr(h, K=5, burnin=half, samples=half, thinning=1, seed=s),
    }


def one_replicate(task):
    """Run every method on one simulated population; return {method: (est, lo, hi) or None}."""
    scenario, N, seed, lcmcr_iterations = task
    rng = np.random.default_rng(seed)
    h = simulate(scenario, N, rng)
    out = {}
    for name, f in methods(lcmcr_iterations).items():
        try:
            e = f(h, seed) if name == "lcmcr" else f(h)
            out[name] = (e.estimate, e.ci_low, e.ci_high)
        except EstimationRefused:
            out[name] = None
    return scenario, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--N", type=int, default=2000, help="true population size")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--lcmcr-iterations", type=int, default=600,
                    help="Gibbs iterations per LCMCR run, half burn-in (default 600)")
    args = ap.parse_args(argv)
    tasks = [(s, args.N, args.seed + 1000 * i + r, args.lcmcr_iterations)
             for i, s in enumerate(SCENARIOS) for r in range(args.replicates)]
    t0 = time.time()
    results = {s: [] for s in SCENARIOS}
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            for s, out in progress.track(pool.map(one_replicate, tasks, chunksize=4),
                                         "Simulating", total=len(tasks)):
                results[s].append(out)
    else:
        for s, out in progress.track(map(one_replicate, tasks), "Simulating", total=len(tasks)):
            results[s].append(out)
    N = args.N
    print(f"Simulation study: N = {N}, 4 lists, {args.replicates} replicates per scenario, "
          f"LCMCR {args.lcmcr_iterations} iterations, {time.time() - t0:.0f} s")
    print(f"{'scenario':<14} {'method':<28} {'mean est':>9} {'bias':>8} {'rel bias':>9} "
          f"{'RMSE':>7} {'coverage':>9} {'refused':>8}")
    for s in SCENARIOS:
        for name in methods(args.lcmcr_iterations):
            got = [r[name] for r in results[s] if r[name] is not None]
            refused = len(results[s]) - len(got)
            if not got:
                print(f"{s:<14} {name:<28} {'-':>9} {'-':>8} {'-':>9} {'-':>7} {'-':>9} {refused:>8}")
                continue
            est = np.array([g[0] for g in got])
            cover = np.mean([(lo <= N) and (hi is None or N <= hi) for _, lo, hi in got])
            bias = est.mean() - N
            print(f"{s:<14} {name:<28} {est.mean():>9.0f} {bias:>+8.0f} {bias / N:>+9.1%} "
                  f"{np.sqrt(np.mean((est - N) ** 2)):>7.0f} {cover:>9.1%} {refused:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
