"""``kuager dedupe IN.csv --out OUT.csv``: cluster the mentions of a plain file.

Input and output are described in ``docs/formats/mentions.md``. The model is estimated from
the file (EM) from :data:`MIN_MENTIONS` rows on; a smaller file is scored with the bundled
default model (:func:`kuager.linkage.saved.load_default_model`) unless ``--train`` or
``--params`` is given (docs/linkage.md, "Saved models").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kuager.errors import InputError

NAME = "dedupe"
HELP = "find which rows of a mentions CSV describe the same person (writes record_id, cluster_id)"
NEEDS_DJANGO = False

#: Below this many rows, without --params or --train, the bundled default model scores
#: the file (kuager.linkage.saved.MIN_MENTIONS_TO_TRAIN, as ``kuager resolve`` does).
MIN_MENTIONS = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="IN.csv", help="mentions CSV (docs/formats/mentions.md)")
    parser.add_argument("--out", required=True, metavar="OUT.csv", help="where to write the clusters")
    parser.add_argument("--threshold", type=float, default=0.9,
                        help="match probability at or above which two records are joined (default 0.9)")
    parser.add_argument("--review-band", nargs=2, type=float, metavar=("LO", "HI"), default=(0.5, 0.95),
                        help="pairs with LO <= probability < HI are written to --review (default 0.5 0.95), "
                             "and the pairs of a mention that matches two people kept apart equally well "
                             "(column ambiguous)")
    parser.add_argument("--review", metavar="FILE.csv", help="write the uncertain pairs here")
    parser.add_argument("--decisions", metavar="FILE.csv",
                        help="people's decisions: columns record_id_a, record_id_b, decision "
                             "(same/different/unsure), optional who, when, note; they override the model")
    parser.add_argument("--params", metavar="MODEL.json",
                        help="reuse a model saved by --save-params, or a model file such as the bundled "
                             "src/kuager/data/linkage/default-model.json ({\"about\", \"params\"})")
    parser.add_argument("--train", action="store_true",
                        help=f"estimate the model from IN.csv even when it holds fewer than {MIN_MENTIONS} "
                             "mentions (without --params or --train such a small file is scored with the "
                             "bundled default model, trained on synthetic data: too few pairs to estimate one)")
    parser.add_argument("--save-params", metavar="MODEL.json", help="save the trained model here")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")


def _read_csv(path: str, what: str):
    import pandas as pd

    from kuager.linkage.synth import synthetic_path

    p = Path(path)
    if not p.is_file():
        marked = synthetic_path(p)
        if marked != p and marked.is_file():
            # `kuager synth --out X.csv` writes X.synthetic.csv (synthetic data says so in its name)
            raise InputError(f"{what} not found; did you mean {marked} (written by kuager synth)?", file=path)
        raise InputError(f"{what} not found", file=path)
    try:
        return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path) from None
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds for a bad CSV
        raise InputError(f"not a readable CSV ({exc})", file=path) from None


def _decisions(path: str) -> list[dict]:
    df = _read_csv(path, "decisions file")
    for col in ("record_id_a", "record_id_b", "decision"):
        if col not in df.columns:
            raise InputError(f"required column {col!r} is missing", file=path, field=col)
    out = []
    for i, row in enumerate(df.to_dict("records"), start=1):
        if row["decision"] not in ("same", "different", "unsure"):
            raise InputError(f"decision {row['decision']!r} is not same, different or unsure",
                             file=path, row=i, field="decision")
        out.append(row)
    return out


def run(args: argparse.Namespace) -> int:
    from kuager import progress
    from kuager.linkage import link
    from kuager.linkage.saved import load_default_model, model_params

    df = _read_csv(args.input, "input file")
    # the format's columns only: unknown columns are kept in the file and ignored here
    known = ["record_id", "source", "names", "sex", "birth_year", "birth_date", "age", "age_as_of",
             "ethnicity", "hometown", "father_name", "chinese_id"]
    df = df[[c for c in df.columns if c in known]]
    params = None
    if args.params:
        try:
            params = json.loads(Path(args.params).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"not a saved model ({exc})", file=args.params) from None
        params = model_params(params, file=args.params)
    notice = None
    if not args.params and 0 < len(df) < MIN_MENTIONS:
        if args.train:
            notice = (f"{len(df)} mentions, fewer than {MIN_MENTIONS}: the model estimated from them (--train) "
                      "rests on few pairs; without --train the bundled default model scores such a file")
        else:
            # too few pairs to estimate a model by EM: the bundled one (as `kuager resolve` does)
            params = load_default_model()["params"]
            notice = (f"{len(df)} mentions, fewer than {MIN_MENTIONS}: scoring with the bundled default model "
                      "(trained on synthetic data); --train to estimate one from this file")
    decisions = _decisions(args.decisions) if args.decisions else []
    result = link(df, params=params, threshold=args.threshold, review_band=tuple(args.review_band),
                  decisions=decisions, engine=args.engine, threads=args.threads, file=args.input)
    # said once the file has been read and linked: not before an input error
    if notice and not progress.QUIET:
        print(notice, file=sys.stderr)
    out = result.to_frame()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False, float_format="%.6f")
    if args.save_params:
        Path(args.save_params).write_text(json.dumps(result.params, indent=1), encoding="utf-8")
    if args.review:
        # every pair of the band (result.review holds only the strongest, with values)
        band = result.review_pairs()
        cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"] + \
            [c for c in band.columns if c.startswith("gamma_")] + \
            [c for c in ("ambiguous", "split") if c in band.columns]
        rv = band[cols].rename(columns={"unique_id_l": "record_id_a", "unique_id_r": "record_id_b"})
        rv.to_csv(args.review, index=False, float_format="%.6f")
    for a, b in result.conflicts:
        progress.say(f"warning: 'same' decision on ({a}, {b}) not applied: it contradicts 'different' decisions")
    print(f"{result.stats['records']} records -> {result.stats['clusters']} clusters "
          f"({result.stats['candidate_pairs']} candidate pairs, {result.stats['review_pairs']} to review"
          f"{' in ' + str(args.review) if args.review else ': write them with --review FILE.csv'}) -> {args.out}")
    return 0
