"""``kuager estimate``: how many people, documented and not, with an honest interval.

From a file (no database needed)::

    kuager estimate --counts FILE.csv [--by FIELD] [--method loglinear|bma|lcmcr]
        [--interactions 1:2,2:3] [--heterogeneity chao|poisson2|darroch|gamma3.5]
        [--select aic|bic] [--dependent 1:2] [--seed N] [--json]

The CSV has one 0/1 column per list, a ``count`` column, one row per capture
history (the all-zero history absent); with ``--by FIELD``, a column FIELD gives
the stratum of each row.

From the database (no ``--counts``): the lists are the collections testimonies
came from and the histories come from the resolved victims
(:func:`kuager.records.selectors.capture_histories`).

Output: the documented count, the estimate with its interval, the method and the
assumptions in plain words, never one without the others; or the reason there is
no estimate (exit code 1).
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "estimate"
HELP = "estimate the total number of victims, documented and undocumented (multiple systems estimation)"
NEEDS_DJANGO = False  # the file mode needs no database; the database mode sets Django up itself

METHOD_NAMES = {
    "loglinear": "log-linear model (Rcapture's conventions)",
    "bma": "Bayesian model averaging over decomposable graphical models (Madigan & York 1997, dga)",
    "lcmcr": "latent-class model with a Dirichlet-process prior (Manrique-Vallier 2016, LCMCR)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--counts", metavar="FILE.csv",
                        help="read capture-history counts from this CSV instead of the database")
    parser.add_argument("--by", metavar="FIELD",
                        help="estimate by stratum (e.g. prefecture, year, sex, ethnicity) and sum")
    parser.add_argument("--method", choices=["loglinear", "bma", "lcmcr"], default="loglinear",
                        help="estimation method (default: loglinear)")
    parser.add_argument("--interactions", metavar="PAIRS",
                        help="log-linear: two-way interactions between lists, 1-based, e.g. 1:2,2:3")
    parser.add_argument("--heterogeneity", metavar="FORM",
                        help="log-linear: heterogeneity term chao, poisson2, darroch or gamma3.5")
    parser.add_argument("--select", choices=["aic", "bic"],
                        help="log-linear: search the interaction sets by this criterion "
                             "(the default when no model is given is aic)")
    parser.add_argument("--dependent", metavar="PAIRS",
                        help="pairs of lists dependent by design (e.g. one compiled partly from the other), 1-based")
    parser.add_argument("--level", type=float, default=0.95, help="interval coverage (default 0.95)")
    parser.add_argument("--seed", type=int, default=0, help="lcmcr: random seed (default 0)")
    parser.add_argument("--iterations", type=int, default=10000,
                        help="lcmcr: iterations after burn-in (default 10000; thinned by 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _load(args):
    """Return (histories or dict of stratum -> histories, source label)."""
    from kuager.errors import InputError
    from kuager.estimation import CaptureHistories, read_counts_csv

    if args.counts:
        return read_counts_csv(args.counts, strata=args.by), args.counts
    from kuager import django_setup

    django_setup()
    try:
        from kuager.records.selectors import capture_histories  # written in the records app
    except ImportError:
        from kuager.errors import KuagerError

        raise KuagerError("reading capture histories from the database is not available in this "
                          "version (kuager.records.selectors.capture_histories); use --counts FILE.csv") from None

    try:
        frame = capture_histories(by=args.by)
    except ValueError as exc:
        raise InputError(str(exc), field="--by") from None
    try:
        if args.by:
            out = {}
            # people whose stratum is unknown form their own stratum: dropping them would undercount
            for key, part in frame.groupby(args.by, sort=True, dropna=False):
                label = "unknown" if key is None or (isinstance(key, float) and key != key) else str(key)
                out[label] = CaptureHistories.from_frame(part.drop(columns=[args.by]))
            return out, "database"
        return CaptureHistories.from_frame(frame), "database"
    except ValueError as exc:
        raise InputError(str(exc), file="database") from None


def _options(args, k: int) -> dict:
    from kuager.errors import InputError
    from kuager.estimation import Heterogeneity, parse_pairs

    opts: dict = {"level": args.level}
    dependent = parse_pairs(args.dependent, k)
    if args.method == "loglinear":
        opts["interactions"] = parse_pairs(args.interactions, k)
        try:
            opts["heterogeneity"] = Heterogeneity.parse(args.heterogeneity)
        except ValueError as exc:
            raise InputError(str(exc), field="--heterogeneity") from None
        opts["select"] = args.select
        opts["dependent"] = dependent
    else:
        if args.interactions or args.heterogeneity or args.select:
            raise InputError("--interactions, --heterogeneity and --select apply to --method loglinear only",
                             field="--method")
        opts["dependent"] = dependent
        if args.method == "lcmcr":
            opts.update(seed=args.seed, burnin=max(1000, args.iterations // 5),
                        samples=max(100, args.iterations // 5), thinning=5)
    return opts


def _fmt(x) -> str:
    return "no finite limit" if x is None else f"{x:,.0f}"


def _text(e, title: str | None = None) -> str:
    lines = []
    if title:
        lines.append(title)
    lines.append(f"Documented:  {e.n_observed:,} people on {len(e.lists)} lists ({', '.join(e.lists)})")
    se = f" (standard error {e.stderr:,.0f})" if e.stderr is not None else ""
    lines.append(f"Estimate:    {e.estimate:,.0f} people in all{se}")
    lines.append(f"Interval:    {_fmt(e.ci_low)} to {_fmt(e.ci_high)} ({e.ci_type})")
    how = METHOD_NAMES.get(e.method, e.method)
    sel = e.details.get("selection")
    lines.append(f"Method:      {how}; model {e.model}" + (f", chosen by {sel.upper()}" if sel else ""))
    if e.warnings:
        lines.append("Warnings:")
        lines += [f"  - {w}" for w in e.warnings]
    lines.append("Assumptions (the estimate holds only if these hold):")
    lines += [f"  - {a}" for a in e.assumptions]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from functools import partial

    from kuager.estimation import EstimationRefused, estimate, estimate_strata

    data, source = _load(args)
    if isinstance(data, dict):
        if not data:
            from kuager.estimation import EstimationRefused as R

            raise R("no capture histories to estimate from")
        k = next(iter(data.values())).k
        est = partial(estimate, method=args.method, **_options(args, k))
        result = estimate_strata(data, args.by, est, level=args.level)
        if args.json:
            print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            for key, e in result.strata.items():
                print(_text(e, f"== {args.by} = {key}"))
                print()
            for key, (n, reason) in result.refused.items():
                print(f"== {args.by} = {key}\nDocumented:  {n:,} people\nNo estimate: {reason}\n")
            if result.total is not None:
                print(_text(result.total, f"== Total over {len(result.strata)} strata of {args.by}"))
            else:
                print(f"== Total\nNo estimate: {result.total_refusal}")
            for w in result.warnings:
                print(f"Warning: {w}")
        return 0 if result.total is not None else 1
    h = data
    try:
        e = estimate(h, method=args.method, **_options(args, h.k))
    except EstimationRefused as exc:
        if args.json:
            print(json.dumps({"method": args.method, "model": None, "n_observed": h.n,
                              "estimate": None, "stderr": None, "ci_low": None, "ci_high": None,
                              "ci_type": None, "warnings": [], "refused": str(exc)}, indent=2))
            return 1
        print(f"Documented:  {h.n:,} people on {h.k} lists ({', '.join(h.lists)})")
        print(f"No estimate: {exc}")
        return 1
    if args.json:
        print(json.dumps(e.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(_text(e))
    return 0
