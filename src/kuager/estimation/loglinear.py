"""Log-linear models for multiple systems estimation, following Rcapture.

The counts of the ``2**k - 1`` observable capture histories are modelled as
independent Poisson variables with ``log mu = X beta``: an intercept, one main
effect per list, chosen two-way interactions between lists and, optionally, a
heterogeneity term that depends on the number of lists naming a person. The
all-zero history has design row 0, so its expected count is ``exp(intercept)``
and the estimate of the total is ``n + exp(intercept)``.

Conventions reproduced from Rcapture (Baillargeon & Rivest 2007, JSS 19(5);
package version 1.4, functions ``closedp.t`` and ``closedpCI.t``):

- rows are the histories in :func:`~kuager.estimation.histories.histpos` order,
  zero counts included; columns are ``c1..ck`` (list indicators), then the
  interactions ``ci*cj``, then heterogeneity;
- heterogeneity columns are functions of ``x``, the number of lists naming the
  person (Rivest & Baillargeon 2007; Rivest 2011): Poisson(theta) ``theta**x - 1``
  (theta 2 by default), Darroch ``x**2 / 2``, Gamma(theta) ``-log(theta + x) +
  log(theta)`` (theta 3.5 by default), Chao's lower bound (``LB``) ``k - 2``
  columns ``max(x - j + 1, 0)`` for ``j = 3..k``; in Chao's model, negative
  coefficients of those columns are set to zero (the column is dropped and the
  model refitted, first negative first, Rcapture's ``neg=TRUE``);
- standard error ``sqrt(exp(b0) + exp(2 b0) var(b0))`` (delta method);
- deviance and residual df over the ``2**k - 1`` observable cells; AIC as R's
  ``glm``: ``-2 loglik + 2 rank`` (Poisson log-likelihood with its constants);
  BIC here ``-2 loglik + rank log(n)`` with ``n`` the number of people documented;
- the confidence interval is the multinomial profile likelihood interval for N
  (Cormack 1992), computed as Rcapture does: for a candidate N, the model is
  refitted to the ``2**k`` cells with ``N - n`` in the all-zero cell, and the
  multinomial log-likelihood is ``-(deviance - 2 ct) / 2`` with Cormack's
  correction ``ct`` (Stirling's form when N > 100); the maximum is sought on
  ``(n, 3 N_hat)`` and the limits are where the log-likelihood falls by
  ``qchisq(level, 1) / 2``.

No Django import here.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings as _warnings
from dataclasses import dataclass, field
from collections.abc import Sequence

import numpy as np
from scipy import optimize, stats

from kuager.estimation.histories import CaptureHistories, all_pairs, check_supportable, histpos
from kuager.estimation.result import COMMON_ASSUMPTIONS, Estimate, EstimationRefused

#: An estimate above this multiple of the documented count is treated as not finite:
#: the data cannot bound the number of people never named.
MAX_RATIO = 1000.0


# --------------------------------------------------------------------------- heterogeneity
@dataclass(frozen=True)
class Heterogeneity:
    """A heterogeneity term of Rcapture's ``closedpCI.t`` (argument ``h``).

    Attributes:
        kind: ``"chao"`` (Chao's lower bound, Rcapture ``"LB"``/``"Chao"``),
            ``"poisson"``, ``"darroch"`` or ``"gamma"``.
        theta: the parameter of the Poisson (default 2) and Gamma (default 3.5)
            forms; ``None`` for the others.
    """

    kind: str
    theta: float | None = None

    @classmethod
    def parse(cls, text: str | None) -> "Heterogeneity | None":
        """Parse ``chao``/``lb``, ``poisson2``, ``darroch``, ``gamma3.5`` (case-insensitive).

        A number after ``poisson`` or ``gamma`` is theta (``poisson`` alone is 2,
        ``gamma`` alone 3.5). ``None``/``""``/``"none"`` give ``None``.

        Raises:
            ValueError: for anything else.
        """
        if text is None:
            return None
        t = text.strip().lower()
        if t in ("", "none"):
            return None
        if t in ("chao", "lb"):
            return cls("chao")
        if t == "darroch":
            return cls("darroch")
        m = re.fullmatch(r"(poisson|gamma)\s*([0-9]*\.?[0-9]*)", t)
        if m:
            theta = float(m.group(2)) if m.group(2) not in ("", ".") else (2.0 if m.group(1) == "poisson" else 3.5)
            if theta <= 0:
                raise ValueError("theta must be positive")
            return cls(m.group(1), theta)
        raise ValueError(f"unknown heterogeneity {text!r}: use chao, poisson2, darroch or gamma3.5")

    @property
    def label(self) -> str:
        """Rcapture's name: ``Chao (LB)``, ``Poisson2``, ``Darroch``, ``Gamma3.5``."""
        if self.kind == "chao":
            return "Chao (LB)"
        if self.kind == "darroch":
            return "Darroch"
        return f"{self.kind.capitalize()}{self.theta:g}"

    def columns(self, x: np.ndarray, k: int) -> tuple[np.ndarray, list[str]]:
        """The design columns for capture counts ``x`` (int array) on ``k`` lists.

        Returns:
            (array of shape ``(len(x), c)``, column names).
        """
        x = np.asarray(x, dtype=float)
        if self.kind == "chao":
            if k < 3:
                return np.zeros((len(x), 0)), []
            cols = np.column_stack([np.maximum(x - j + 1, 0) for j in range(3, k + 1)])
            return cols, [f"eta{j}" for j in range(3, k + 1)]
        if self.kind == "poisson":
            col = self.theta**x - 1
        elif self.kind == "darroch":
            col = x**2 / 2
        else:
            col = -np.log(self.theta + x) + np.log(self.theta)
        return col[:, None], ["tau"]


# --------------------------------------------------------------------------- model
@dataclass(frozen=True)
class LoglinearModel:
    """A log-linear model: main effects, two-way interactions, optional heterogeneity.

    Attributes:
        k: number of lists.
        interactions: 0-based pairs ``(i, j)``, ``i < j``.
        heterogeneity: a :class:`Heterogeneity` or ``None``.
    """

    k: int
    interactions: tuple[tuple[int, int], ...] = ()
    heterogeneity: Heterogeneity | None = None

    def __post_init__(self):
        pairs = tuple(sorted({(min(i, j), max(i, j)) for i, j in self.interactions}))
        for i, j in pairs:
            if i == j or i < 0 or j >= self.k:
                raise ValueError(f"bad interaction {(i + 1, j + 1)} for {self.k} lists")
        object.__setattr__(self, "interactions", pairs)

    def design(self) -> tuple[np.ndarray, list[str]]:
        """Rcapture's ``mX.`` (no intercept column) for the ``2**k - 1`` histories.

        Returns:
            (float array ``(2**k - 1, p)``, column names ``c1..ck``, ``ci:cj``,
            heterogeneity names).
        """
        hp = histpos(self.k).astype(float)
        cols = [hp]
        names = [f"c{j + 1}" for j in range(self.k)]
        for i, j in self.interactions:
            cols.append((hp[:, i] * hp[:, j])[:, None])
            names.append(f"c{i + 1}:c{j + 1}")
        if self.heterogeneity is not None:
            hcols, hnames = self.heterogeneity.columns(hp.sum(axis=1), self.k)
            cols.append(hcols)
            names += hnames
        return np.hstack(cols), names

    def describe(self, lists: Sequence[str] | None = None) -> str:
        """Readable name, e.g. ``Mt + [1,2] + [2,3] + Chao (LB)``."""
        parts = ["Mt" if self.heterogeneity is None else "Mth"]
        for i, j in self.interactions:
            parts.append(f"[{i + 1},{j + 1}]")
        if self.heterogeneity is not None:
            parts.append(self.heterogeneity.label)
        return " + ".join(parts)


@dataclass
class LoglinearFit:
    """A fitted log-linear model (what Rcapture's ``closedpCI.t`` prints).

    Attributes:
        model: the :class:`LoglinearModel`.
        n: people documented.
        abundance: ``n + exp(intercept)`` (people).
        stderr: its delta-method standard error (people).
        deviance, df, aic, bic: fit on the ``2**k - 1`` observable cells.
        coefficients: name -> estimate (intercept first).
        dropped: heterogeneity columns dropped because their estimate was negative (Chao).
        converged: whether the Poisson fit converged.
        finite: whether the estimate is finite (see :func:`fit_model`).
        reason: why the estimate is not finite, if it is not.
    """

    model: LoglinearModel
    n: int
    abundance: float
    stderr: float
    deviance: float
    df: int
    aic: float
    bic: float
    coefficients: dict[str, float]
    dropped: list[str] = field(default_factory=list)
    converged: bool = True
    finite: bool = True
    reason: str = ""
    _design: np.ndarray | None = field(default=None, repr=False)
    _y: np.ndarray | None = field(default=None, repr=False)


def _sm_fit(y: np.ndarray, X: np.ndarray):
    """Poisson GLM fit with statsmodels (intercept added); warnings captured."""
    import statsmodels.api as sm

    Xc = np.column_stack([np.ones(len(y)), X])
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        res = sm.GLM(y, Xc, family=sm.families.Poisson()).fit(maxiter=100, tol=1e-10)
    return res


def _irls_deviance(y: np.ndarray, X: np.ndarray, start: np.ndarray | None = None,
                   maxiter: int = 100) -> tuple[float, np.ndarray, bool]:
    """Poisson deviance at the MLE by Newton/IRLS (design ``X`` includes the intercept).

    Used for the many refits of the profile likelihood. Returns
    ``(deviance, coefficients, converged)``.
    """
    beta = np.zeros(X.shape[1]) if start is None else start.copy()
    if start is None:
        beta[0] = math.log(max(y.mean(), 1e-8))
    pos = y > 0

    def dev(eta):
        mu = np.exp(eta)
        d = -(y - mu)
        d[pos] += y[pos] * np.log(y[pos] / mu[pos])
        return 2 * d.sum()

    eta = X @ beta
    current = dev(eta)
    converged = False
    for _ in range(maxiter):
        mu = np.exp(eta)
        grad = X.T @ (y - mu)
        info = X.T @ (X * mu[:, None])
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(info, grad, rcond=None)[0]
        t = 1.0
        while True:
            new_beta = beta + t * step
            new_eta = X @ new_beta
            new = dev(new_eta) if np.all(new_eta < 700) else np.inf
            if new <= current + 1e-12 or t < 1e-8:
                break
            t /= 2
        change = abs(current - new)
        beta, eta, current = new_beta, new_eta, new
        if change <= 1e-10 * (abs(current) + 0.1):
            converged = True
            break
    return current, beta, converged


def fit_model(h: CaptureHistories, model: LoglinearModel, neg: bool = True) -> LoglinearFit:
    """Fit one log-linear model to the observed histories (Rcapture ``closedpCI.t``'s Poisson fit).

    The estimate is flagged not finite (``finite=False`` with a ``reason``) when the
    fit does not converge, a coefficient diverges (|beta| > 25, a boundary MLE),
    the standard error is not finite, or the estimate exceeds :data:`MAX_RATIO`
    times the documented count.

    Args:
        h: capture histories on ``model.k`` lists.
        model: the model.
        neg: in Chao's model, drop heterogeneity columns with negative estimates
            and refit (Rcapture's default ``neg=TRUE``).

    Returns:
        a :class:`LoglinearFit`.

    Raises:
        EstimationRefused: when the model has more parameters than there are
            observable histories, or its design is not of full rank.
    """
    if h.k != model.k:
        raise ValueError("the model and the data have different numbers of lists")
    y = h.table().astype(float)
    X, names = model.design()
    ncell = len(y)
    if X.shape[1] + 1 > ncell:
        raise EstimationRefused(
            f"the model has {X.shape[1] + 1} parameters but there are only {ncell} possible "
            "capture histories: it cannot be estimated", n_observed=h.n)
    if np.linalg.matrix_rank(np.column_stack([np.ones(ncell), X])) < X.shape[1] + 1:
        raise EstimationRefused("the model's design is not of full rank: it cannot be estimated",
                                n_observed=h.n)
    res = _sm_fit(y, X)
    dropped: list[str] = []
    if model.heterogeneity is not None and model.heterogeneity.kind == "chao" and neg:
        het = [i for i, nm in enumerate(names) if nm.startswith("eta")]
        while True:
            params = np.asarray(res.params)[1:]
            negs = [i for i in het if params[i] < 0]
            if not negs:
                break
            drop = negs[0]
            dropped.append(names[drop])
            keep = [i for i in range(X.shape[1]) if i != drop]
            X = X[:, keep]
            names = [names[i] for i in keep]
            het = [keep.index(i) for i in het if i != drop]
            res = _sm_fit(y, X)
    params = np.asarray(res.params)
    cov = np.asarray(res.cov_params())
    b0 = float(params[0])
    converged = bool(getattr(res, "converged", True))
    rank = X.shape[1] + 1
    llf = float(res.llf)
    n = h.n
    with np.errstate(over="ignore", invalid="ignore"):
        mu0 = math.exp(b0) if b0 < 700 else math.inf
        se = math.sqrt(mu0 + mu0**2 * cov[0, 0]) if math.isfinite(mu0) and cov[0, 0] >= 0 else math.inf
    fit = LoglinearFit(
        model=model, n=n, abundance=n + mu0, stderr=se, deviance=float(res.deviance),
        df=int(ncell - rank), aic=-2 * llf + 2 * rank, bic=-2 * llf + rank * math.log(max(n, 1)),
        coefficients=dict(zip(["(Intercept)"] + names, map(float, params))), dropped=dropped,
        converged=converged, _design=X, _y=y)
    if not converged or not np.all(np.isfinite(params)) or not np.all(np.isfinite(np.diag(cov))):
        fit.finite, fit.reason = False, "the model's fit did not converge"
    elif np.max(np.abs(params[1:])) > 25 or abs(b0) > 25:
        fit.finite, fit.reason = False, ("a parameter of the model runs off to infinity (some "
                                         "combination of lists is never observed)")
    elif not math.isfinite(se) or fit.abundance > MAX_RATIO * max(n, 1):
        fit.finite, fit.reason = False, (f"the model's estimate is more than {MAX_RATIO:g} times the "
                                         "documented count, i.e. the data cannot bound it")
    return fit


def _cormack_ct(n0: float, N: float) -> float:
    """Cormack's (1992) correction term, exactly as Rcapture computes it."""
    if N > 100:
        if n0 == 0 or n0 == 1:
            return -N + 0.5 * math.log(2 * math.pi * N)
        return n0 - N - 0.5 * math.log(n0 / N)
    # log(n0^n0 * N! / (N^N * n0!)), with 0^0 = 1
    a = n0 * math.log(n0) if n0 > 0 else 0.0
    return a + math.lgamma(N + 1) - N * math.log(N) - math.lgamma(n0 + 1)


def profile_interval(fit: LoglinearFit, level: float = 0.95, fmax_sup: float = 3.0,
                     extend: float = 100.0) -> tuple[float, float, float | None, str | None]:
    """Multinomial profile likelihood interval for N (Cormack 1992; Rcapture ``closedpCI.t``).

    Args:
        fit: a finite :class:`LoglinearFit`.
        level: the coverage (0.95).
        fmax_sup: the upper limit is first sought below ``fmax_sup * abundance``
            (Rcapture's ``fmaxSupCL=3``).
        extend: if not found there, the search goes on up to ``extend * abundance``
            (Rcapture stops and prints ``>3N``).

    Returns:
        ``(N_max, lower, upper, note)``: the multinomial MLE of N, the limits
        (people; ``upper`` is ``None`` when the likelihood does not fall enough
        within the search range) and a note explaining a missing or boundary limit.
    """
    X = np.vstack([np.column_stack([np.ones(len(fit._y)), fit._design]),
                   np.concatenate([[1.0], np.zeros(fit._design.shape[1])])])
    n = fit.n
    y_obs = fit._y
    start = np.array([math.log(fit.abundance - n)] + [fit.coefficients[c] for c in list(fit.coefficients)[1:]])

    def loglik(N: float) -> float:
        n0 = N - n
        y = np.concatenate([y_obs, [n0]])
        dev, _, _ = _irls_deviance(y, X, start)
        return (dev - 2 * _cormack_ct(n0, N)) / -2

    Nhat = fit.abundance
    res = optimize.minimize_scalar(lambda N: -loglik(N), bounds=(n, 3 * Nhat), method="bounded",
                                   options={"xatol": 1e-4})
    Nmax, lmax = float(res.x), -float(res.fun)
    target = lmax - stats.chi2.ppf(level, 1) / 2
    g = lambda N: loglik(N) - target  # noqa: E731
    note = None
    if g(n) < 0:
        lower = optimize.brentq(g, n, Nmax, xtol=1e-4)
    else:
        lower = float(n)
        note = "the lower limit is the documented count itself"
    upper = None
    for hi in (fmax_sup * Nhat, extend * Nhat):
        if g(hi) < 0:
            upper = optimize.brentq(g, Nmax, hi, xtol=1e-4)
            break
    if upper is None:
        note = (f"the likelihood does not fall enough below {extend:g} times the estimate: "
                "the data give no finite upper limit")
    return Nmax, float(lower), upper, note


LOGLINEAR_ASSUMPTIONS = COMMON_ASSUMPTIONS + [
    "The model describes how the lists depend on each other: lists not joined by an "
    "interaction are assumed independent once the others are accounted for, and there "
    "is no dependence among three or more lists together.",
    "Apart from the heterogeneity term, if any, everyone had the same chance of being "
    "named on a given list.",
]


def to_estimate(h: CaptureHistories, fit: LoglinearFit, level: float = 0.95,
                warnings: list[str] | None = None, details: dict | None = None) -> Estimate:
    """Turn a finite fit into an :class:`Estimate` with its profile likelihood interval.

    Raises:
        EstimationRefused: when ``fit.finite`` is false.
    """
    if not fit.finite:
        raise EstimationRefused(f"no estimate under model {fit.model.describe()}: {fit.reason}.",
                                n_observed=h.n)
    warns = list(warnings or [])
    Nmax, lo, hi, note = profile_interval(fit, level)
    if note:
        warns.append(note[0].upper() + note[1:] + ".")
    if fit.dropped:
        warns.append("Chao's model: negative heterogeneity terms set to zero ("
                     + ", ".join(fit.dropped) + "), as Rcapture does.")
    if fit.df > 0 and stats.chi2.sf(fit.deviance, fit.df) < 0.01:
        warns.append(f"The model fits poorly (deviance {fit.deviance:.1f} on {fit.df} df): "
                     "the lists depend on each other in ways it does not describe.")
    if fit.stderr > 0.5 * (fit.abundance - fit.n) and fit.abundance > fit.n:
        warns.append("The standard error is more than half the estimated number undocumented: "
                     "the estimate is imprecise.")
    assumptions = list(LOGLINEAR_ASSUMPTIONS)
    if fit.model.heterogeneity is not None:
        assumptions.append(
            f"Differences between people in how likely they are to be named follow the "
            f"{fit.model.heterogeneity.label} form (Rcapture's parametrisation).")
    det = {
        "deviance": fit.deviance, "df": fit.df, "aic": fit.aic, "bic": fit.bic,
        "coefficients": fit.coefficients, "multinomial_mle": Nmax,
        "interactions": [[i + 1, j + 1] for i, j in fit.model.interactions],
        "heterogeneity": fit.model.heterogeneity.label if fit.model.heterogeneity else None,
    }
    if fit.dropped:
        det["dropped"] = fit.dropped
    det.update(details or {})
    return Estimate(
        method="loglinear", model=fit.model.describe(), n_observed=h.n, estimate=fit.abundance,
        stderr=fit.stderr, ci_low=lo, ci_high=hi,
        ci_type=f"{level:.0%} multinomial profile likelihood (Cormack 1992)", level=level,
        lists=h.lists, warnings=warns, assumptions=assumptions, details=det)


def candidate_models(k: int, heterogeneity: Heterogeneity | None = None,
                     forced: Sequence[tuple[int, int]] = (), max_models: int = 4096) -> list[LoglinearModel]:
    """Every model with the given heterogeneity and a set of two-way interactions.

    All subsets of the ``k(k-1)/2`` pairs that contain ``forced`` (64 for 4 lists,
    1024 for 5). More than ``max_models`` raises ``ValueError`` (use
    :func:`select_model`'s stepwise search instead).
    """
    pairs = [p for p in all_pairs(k) if p not in set(forced)]
    if 2 ** len(pairs) > max_models:
        raise ValueError("too many models to enumerate")
    out = []
    for r in range(len(pairs) + 1):
        for sub in itertools.combinations(pairs, r):
            out.append(LoglinearModel(k, tuple(forced) + sub, heterogeneity))
    return out


def select_model(h: CaptureHistories, criterion: str = "aic",
                 heterogeneity: Heterogeneity | None = None,
                 forced: Sequence[tuple[int, int]] = ()) -> tuple[LoglinearFit, list[LoglinearFit], list[str]]:
    """Search the interaction sets and keep the best model by AIC or BIC.

    With up to 5 lists every subset of two-way interactions is tried; with more, a
    forward stepwise search adds the interaction that lowers the criterion most.
    Models whose estimate is not finite are left out of the choice (a warning
    says how many).

    Args:
        h: the capture histories.
        criterion: ``"aic"`` or ``"bic"``.
        heterogeneity: a heterogeneity term shared by all candidates, or ``None``.
        forced: interactions present in every candidate (lists dependent by design).

    Returns:
        ``(best, the finite fits within 2 points of the best sorted by the criterion,
        warnings)``. Candidates are scored by a quick Newton fit; the retained ones
        are refitted with statsmodels.

    Raises:
        ValueError: for an unknown criterion.
        EstimationRefused: when no candidate has a finite estimate.
    """
    if criterion not in ("aic", "bic"):
        raise ValueError("criterion must be 'aic' or 'bic'")
    n = h.n
    y = h.table().astype(float)
    infinite = 0
    scored: dict[LoglinearModel, float] = {}

    def score(m):
        """The criterion by a quick IRLS fit, or None when not estimable or not finite."""
        nonlocal infinite
        if m in scored:
            return scored[m]
        X, _ = m.design()
        Xc = np.column_stack([np.ones(len(y)), X])
        value = None
        if Xc.shape[1] <= len(y) and np.linalg.matrix_rank(Xc) == Xc.shape[1]:
            dev, beta, ok = _irls_deviance(y, Xc)
            mu = np.exp(Xc @ beta)
            if ok and np.all(np.abs(beta) <= 25) and n + math.exp(beta[0]) <= MAX_RATIO * max(n, 1):
                llf = float(np.sum(stats.poisson.logpmf(y, mu)))
                pen = 2 if criterion == "aic" else math.log(max(n, 1))
                value = -2 * llf + pen * Xc.shape[1]
            else:
                infinite += 1
        scored[m] = value
        return value

    if h.k <= 5:
        for m in candidate_models(h.k, heterogeneity, forced):
            score(m)
    else:
        current = LoglinearModel(h.k, tuple(forced), heterogeneity)
        used = set(forced)
        while score(current) is not None:
            best, best_v = None, score(current)
            for p in all_pairs(h.k):
                if p in used:
                    continue
                m = LoglinearModel(h.k, tuple(sorted(used | {p})), heterogeneity)
                v = score(m)
                if v is not None and v < best_v:
                    best, best_v = m, v
            if best is None:
                break
            current, used = best, set(best.interactions)
    ranked = sorted((v, i, m) for i, (m, v) in enumerate(scored.items()) if v is not None)
    fits: list[LoglinearFit] = []
    top = None
    for v, _, m in ranked:
        if top is not None and v - top >= 2:
            break
        f = fit_model(h, m)  # the reported fit, by statsmodels, with its finiteness checks
        if f.finite:
            fits.append(f)
            top = v if top is None else top
        else:
            infinite += 1
    if not fits:
        raise EstimationRefused("no model in the search gives a finite estimate: the data cannot "
                                "bound the number of people never named", n_observed=h.n)
    fits.sort(key=lambda f: getattr(f, criterion))
    warns = []
    if infinite:
        warns.append(f"{infinite} candidate model(s) gave no finite estimate and were left out of the search.")
    best = fits[0]
    close = [f for f in fits[1:] if getattr(f, criterion) - getattr(best, criterion) < 2]
    if close:
        spread = [f.abundance for f in [best] + close]
        warns.append(f"{len(close)} other model(s) are within 2 {criterion.upper()} points of the "
                     f"chosen one, with estimates from {min(spread):,.0f} to {max(spread):,.0f}: "
                     "the choice of model matters.")
    return best, fits, warns


def estimate_loglinear(h: CaptureHistories, interactions: Sequence[tuple[int, int]] | None = None,
                       heterogeneity: Heterogeneity | str | None = None, select: str | None = None,
                       dependent: Sequence[tuple[int, int]] = (), level: float = 0.95,
                       min_lists: int = 3) -> Estimate:
    """Log-linear estimate of the total, with Rcapture's conventions.

    Either fits the model given by ``interactions`` and ``heterogeneity``, or, with
    ``select`` (``"aic"``/``"bic"``), searches the interaction sets (see
    :func:`select_model`).

    Args:
        h: capture histories (at least ``min_lists`` lists).
        interactions: 0-based pairs of lists; ``None`` is no interaction.
        heterogeneity: a :class:`Heterogeneity` or its text (``chao``, ``poisson2``,
            ``darroch``, ``gamma3.5``).
        select: ``None``, ``"aic"`` or ``"bic"``.
        dependent: 0-based pairs of lists known to be dependent by design; their
            interaction is put in every model.
        level: interval coverage.
        min_lists: 3; 2 is accepted only for checks (Lincoln-Petersen).

    Returns:
        an :class:`Estimate` (``method="loglinear"``, profile likelihood interval).

    Raises:
        EstimationRefused: see :func:`~kuager.estimation.histories.check_supportable`,
            and when the estimate is not finite.
    """
    warns = check_supportable(h, min_lists=min_lists)
    if isinstance(heterogeneity, str):
        heterogeneity = Heterogeneity.parse(heterogeneity)
    dependent = [tuple(sorted(p)) for p in dependent]
    for i, j in dependent:
        warns.append(f"Lists {h.lists[i]!r} and {h.lists[j]!r} are declared dependent by design: "
                     "their interaction is in the model.")
    if select:
        best, fits, w = select_model(h, select, heterogeneity, dependent)
        details = {"selection": select, "candidates": [
            {"model": f.model.describe(), "estimate": f.abundance, select: getattr(f, select),
             "deviance": f.deviance, "df": f.df} for f in fits[:10]]}
        return to_estimate(h, best, level, warns + w, details)
    inter = list(interactions or [])
    for p in dependent:
        if p not in inter:
            inter.append(p)
    fit = fit_model(h, LoglinearModel(h.k, tuple(inter), heterogeneity))
    return to_estimate(h, fit, level, warns)
