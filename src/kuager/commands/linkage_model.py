"""``kuager linkage-model``: make the bundled default linkage model again (synthetic data, seeded)."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "linkage-model"
HELP = ("train the default linkage model on synthetic data (invented people, seeded) and write it; "
        "by default over the bundled kuager/data/linkage/default-model.json")
NEEDS_DJANGO = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kuager.linkage.saved import DEFAULT_MENTIONS, DEFAULT_SEED

    parser.add_argument("--out", help="file to write (default: the bundled default-model.json of this installation)")
    parser.add_argument("--mentions", type=int, default=DEFAULT_MENTIONS,
                        help=f"synthetic mentions to train on (default {DEFAULT_MENTIONS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")


def run(args: argparse.Namespace) -> int:
    from importlib import resources

    from kuager.linkage.saved import DEFAULT_MODEL, build_default_model, dumps

    out = Path(args.out) if args.out else Path(str(resources.files("kuager").joinpath(*DEFAULT_MODEL)))
    model = build_default_model(args.mentions, args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(model), encoding="utf-8")
    b3 = model["about"]["bcubed_on_training_data"]
    print(f"wrote {out}: trained on {args.mentions} synthetic mentions, seed {args.seed} "
          f"(B-cubed P/R/F1 on them {b3['precision']}/{b3['recall']}/{b3['f1']})")
    return 0
