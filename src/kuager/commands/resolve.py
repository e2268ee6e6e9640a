"""``kuager resolve``: join mentions into victims."""

from __future__ import annotations

import argparse
import json

NAME = "resolve"
HELP = "join mentions into victims (probabilistic linkage or rules; people's decisions always override)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["auto", "rules", "duckdb", "spark"], default="auto",
                        help="auto (default): the linkage model (DuckDB), estimated on the records from 200 "
                             "mentions up; below that the model last estimated on them, else the bundled default "
                             "model trained on synthetic data; rules: the simple rules")
    parser.add_argument("--threshold", type=float, default=0.9,
                        help="match probability at which two mentions are joined (default 0.9)")
    parser.add_argument("--review-band", default="0.5,0.9",
                        help="LO,HI: pairs scored in [LO, HI) go to the review queue (default 0.5,0.9)")
    parser.add_argument("--params", help="reuse a saved model (JSON, e.g. $KUAGER_HOME/linkage/latest.json)")


def run(args: argparse.Namespace) -> int:
    from kuager.errors import KuagerError
    from kuager.records.services.resolution import resolve

    try:
        lo, hi = (float(x) for x in args.review_band.split(","))
    except ValueError:
        raise KuagerError(f"--review-band {args.review_band!r}: expected two numbers, LO,HI") from None
    params = None
    if args.params:
        try:
            with open(args.params, encoding="utf-8") as f:
                params = json.load(f)
        except (OSError, ValueError) as exc:
            raise KuagerError(f"--params {args.params}: cannot read a saved model ({exc})") from None
        from kuager.linkage.saved import model_params

        params = model_params(params, file=args.params)  # a model file's {"about", "params"} too
    print(resolve(engine=args.engine, threshold=args.threshold, review_band=(lo, hi), params=params).summary())
    return 0
