"""Multiple systems estimation (capture-recapture) with honest uncertainty.

Public API (no Django import anywhere in this package)::

    from kuager.estimation import CaptureHistories, read_counts_csv, estimate

    h = read_counts_csv("counts.csv")
    result = estimate(h, method="loglinear", select="aic")
    print(result.estimate, result.ci_low, result.ci_high, result.warnings)

Methods: log-linear models as in Rcapture (:mod:`.loglinear`), Bayesian model
averaging over decomposable graphical models as in dga (:mod:`.bma`), and the
Dirichlet-process latent-class model of LCMCR (:mod:`.lcmcr`); stratified
estimates and their sum (:mod:`.stratified`). See ``docs/estimation.md``.
"""

from kuager.estimation.histories import (
    CaptureHistories,
    check_supportable,
    histpos,
    parse_pairs,
    read_counts_csv,
)
from kuager.estimation.result import Estimate, EstimationRefused
from kuager.estimation.loglinear import (
    Heterogeneity,
    LoglinearFit,
    LoglinearModel,
    estimate_loglinear,
    fit_model,
    profile_interval,
    select_model,
)

__all__ = [
    "CaptureHistories", "Estimate", "EstimationRefused", "Heterogeneity", "LoglinearFit",
    "LoglinearModel", "check_supportable", "estimate", "estimate_loglinear", "fit_model",
    "histpos", "parse_pairs", "profile_interval", "read_counts_csv", "select_model",
]

from kuager.estimation.bma import bma_posterior, decomposable_graphs, estimate_bma  # noqa: E402
from kuager.estimation.lcmcr import estimate_lcmcr, lcmcr_sample  # noqa: E402
from kuager.estimation.stratified import StratifiedEstimate, estimate_strata, sum_estimates  # noqa: E402

METHODS = ("loglinear", "bma", "lcmcr")


def estimate(h: CaptureHistories, method: str = "loglinear", **options) -> Estimate:
    """Estimate the total number of people from capture histories.

    Args:
        h: the capture histories (at least 3 lists).
        method: ``"loglinear"`` (:func:`estimate_loglinear`; options ``interactions``,
            ``heterogeneity``, ``select``, ``dependent``, ``level``; with none of
            ``interactions``/``heterogeneity``/``select``, the model is chosen by AIC),
            ``"bma"`` (:func:`estimate_bma`; options ``delta``, ``dependent``, ``level``)
            or ``"lcmcr"`` (:func:`estimate_lcmcr`; options ``K``, ``burnin``,
            ``samples``, ``thinning``, ``seed``, ``level``).

    Returns:
        an :class:`Estimate`.

    Raises:
        ValueError: unknown method or option.
        EstimationRefused: when the data cannot support an estimate.
    """
    if method == "loglinear":
        if not any(options.get(k) for k in ("interactions", "heterogeneity", "select")):
            options["select"] = "aic"
        return estimate_loglinear(h, **options)
    if method == "bma":
        return estimate_bma(h, **options)
    if method == "lcmcr":
        dependent = options.pop("dependent", None) or ()
        result = estimate_lcmcr(h, **options)
        for i, j in dependent:
            result.warnings.append(
                f"Lists {h.lists[i]!r} and {h.lists[j]!r} are declared dependent by design; the "
                "latent-class model does not model that dependence directly: compare with "
                "--method loglinear or bma.")
        return result
    raise ValueError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")


__all__ += ["METHODS", "StratifiedEstimate", "bma_posterior", "decomposable_graphs", "estimate_bma",
            "estimate_lcmcr", "estimate_strata", "lcmcr_sample", "sum_estimates"]
