"""``kuager synth``: write a SYNTHETIC mentions CSV and its true clusters."""

from __future__ import annotations

import argparse

from kuager.errors import InputError

NAME = "synth"
HELP = "write a synthetic mentions CSV (invented people) with the true cluster of each row"
NEEDS_DJANGO = False


def _mix(text: str) -> dict[str, float]:
    from kuager.linkage.synth import SCRIPTS

    mix: dict[str, float] = {}
    for part in text.split(","):
        script, _, weight = part.partition("=")
        script = script.strip()
        if script not in SCRIPTS:
            raise argparse.ArgumentTypeError(f"unknown script {script!r}; known: {', '.join(SCRIPTS)}")
        try:
            mix[script] = float(weight or 1)
        except ValueError:
            raise argparse.ArgumentTypeError(f"weight of {script!r} is not a number: {weight!r}") from None
    return mix


def _capture(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _, prob = part.partition("=")
        try:
            out[name.strip()] = float(prob)
        except ValueError:
            raise argparse.ArgumentTypeError(f"capture probability of {name.strip()!r} is not a number: "
                                             f"{prob!r}") from None
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from kuager.linkage.synth import Knobs

    d = Knobs()
    parser.add_argument("--out", required=True, help="mentions CSV to write ('.synthetic' is added to the "
                        "name unless it says synthetic); the truth goes to <stem>.truth.csv beside it")
    parser.add_argument("--mentions", type=int, default=1000, help="number of rows (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mentions-per-victim", type=float, default=d.mentions_per_victim)
    parser.add_argument("--scripts", type=_mix, default=None,
                        help="script mix, e.g. 'cyrillic=3,chinese=1,pinyin=1' (scripts: cyrillic, latin2021, "
                             "passport, press, chinese, pinyin, arabic, uly)")
    parser.add_argument("--population", type=int, default=None,
                        help="instead of --mentions: a population of N invented people, each named on each "
                             "list of --lists independently (for testing estimation; the truth file tells N)")
    parser.add_argument("--lists", type=_capture, default=None,
                        help="with --population: list=capture probability, e.g. 'ngo=0.3,register=0.4,media=0.2'")
    for knob in ("typo_rate", "missing_rate", "conflict_rate", "swap_rate", "family_rate",
                 "uyghur_share", "id_rate"):
        parser.add_argument("--" + knob.replace("_", "-"), type=float, default=getattr(d, knob),
                            help=f"(default {getattr(d, knob)})")


def run(args: argparse.Namespace) -> int:
    from kuager import progress
    from kuager.linkage import synth

    if args.mentions < 1:
        raise InputError("must be at least 1", field="--mentions")
    for knob in ("typo_rate", "missing_rate", "conflict_rate", "swap_rate", "family_rate",
                 "uyghur_share", "id_rate"):
        if not 0 <= getattr(args, knob) <= 1:
            raise InputError("must be between 0 and 1", field="--" + knob.replace("_", "-"))
    knobs = synth.Knobs(
        mentions_per_victim=args.mentions_per_victim,
        **{k: getattr(args, k) for k in ("typo_rate", "missing_rate", "conflict_rate", "swap_rate",
                                         "family_rate", "uyghur_share", "id_rate")},
    )
    if args.scripts:
        knobs.script_mix = args.scripts
    if args.population is not None:
        from kuager.linkage.population import generate_lists

        if args.population < 1:
            raise InputError("must be at least 1", field="--population")
        if not args.lists or any(not 0 < p <= 1 for p in args.lists.values()):
            raise InputError("give the lists and their capture probabilities in (0, 1], e.g. "
                             "'ngo=0.3,register=0.4,media=0.2'", field="--lists")
        progress.say(f"Drawing the lists of a population of {args.population}")
        rows, truth, family = generate_lists(args.population, args.lists, knobs, seed=args.seed)
    else:
        progress.say(f"Drawing {args.mentions} synthetic mentions")
        rows, truth, family = synth.generate(args.mentions, knobs, seed=args.seed)
    out, truth_path = synth.write(args.out, rows, truth, family)
    print(f"SYNTHETIC data (invented people): {len(rows)} mentions of {len(set(truth.values()))} "
          f"victims -> {out}; true clusters -> {truth_path}"
          + (f"; population in all (named or not): {args.population}" if args.population else ""))
    return 0
