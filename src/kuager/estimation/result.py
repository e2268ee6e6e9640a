"""The result of an estimate, and the refusal raised when the data cannot support one.

No Django import here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kuager.errors import KuagerError


class EstimationRefused(KuagerError):
    """The data cannot support an estimate; the message says why in plain words.

    Raised instead of returning a number: fewer than three lists, an estimate that
    is not finite (the data cannot bound the number never named), lists that are
    not independent by design, a stratum too sparse to estimate.

    Args:
        message: the reason, for the user.
        n_observed: the number of people documented (when known), so that callers
            can still report the documented count next to the refusal.
        code, params: the reason as a name and values (e.g. ``"too_few_lists"``,
            ``{"lists": 1, "min_lists": 3}``), for translation; empty when there is none.
    """

    def __init__(self, message: str, *, n_observed: int | None = None, code: str = "",
                 params: dict | None = None) -> None:
        super().__init__(message)
        self.n_observed = n_observed
        #: a stable name of the reason (``too_few_lists``, ``nobody``; empty for the others) and its
        #: values, so that a user interface can say it in the reader's language
        self.code, self.params = code, dict(params or {})


@dataclass
class Estimate:
    """One estimate of the total number of people, documented and undocumented.

    Attributes:
        method: ``"loglinear"``, ``"bma"`` or ``"lcmcr"``.
        model: a readable description of the model (e.g. ``"Mt + [1,2] + Chao (LB)"``).
        n_observed: the number of distinct people named on at least one list.
        estimate: the estimated total (people, documented + undocumented).
        stderr: standard error of ``estimate`` (people); for Bayesian methods the
            posterior standard deviation.
        ci_low, ci_high: the interval (people); ``ci_high`` is ``None`` when the
            data give no finite upper limit.
        ci_type: how the interval was made (e.g. ``"95% multinomial profile likelihood"``).
        level: the interval's coverage level (0.95 by default).
        lists: the names of the lists, in column order.
        warnings: plain-language warnings to print next to the number.
        assumptions: the assumptions, in plain words, that the number rests on.
        details: method-specific figures (deviance, df, AIC, posterior model
            probabilities...), JSON-serialisable.
        draws: for Bayesian methods, draws from the posterior of the total
            (used to sum strata); not serialised.
    """

    method: str
    model: str
    n_observed: int
    estimate: float
    stderr: float | None
    ci_low: float | None
    ci_high: float | None
    ci_type: str
    level: float = 0.95
    lists: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    draws: Any = field(default=None, repr=False)

    @property
    def n_unobserved(self) -> float:
        """The estimated number of people named on no list (``estimate - n_observed``)."""
        return self.estimate - self.n_observed

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: method, model, n_observed, estimate, stderr, ci_low,
        ci_high, ci_type, level, lists, warnings, assumptions, details."""

        def clean(x):
            if x is None:
                return None
            if isinstance(x, float) and not math.isfinite(x):
                return None
            return x

        return {
            "method": self.method,
            "model": self.model,
            "n_observed": int(self.n_observed),
            "estimate": clean(float(self.estimate)),
            "stderr": clean(None if self.stderr is None else float(self.stderr)),
            "ci_low": clean(None if self.ci_low is None else float(self.ci_low)),
            "ci_high": clean(None if self.ci_high is None else float(self.ci_high)),
            "ci_type": self.ci_type,
            "level": self.level,
            "lists": list(self.lists),
            "warnings": list(self.warnings),
            "assumptions": list(self.assumptions),
            "details": _jsonable(self.details),
        }


def _jsonable(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


#: Assumptions shared by every method, in plain words.
COMMON_ASSUMPTIONS = [
    "The population is closed: the count is of people detained or disappeared in the "
    "period and place covered, and the lists all describe that same population.",
    "Records were linked correctly: each person is counted once, and no two people "
    "were merged into one.",
    "Every person in the population could have been named on the lists; people "
    "whom no list could ever reach are not in the estimate.",
]
