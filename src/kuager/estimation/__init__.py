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
