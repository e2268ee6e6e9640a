"""Saved linkage models: the bundled default model, and scoring chosen pairs with a saved model.

A model is the ``params`` of :func:`kuager.linkage.link` (Splink's settings JSON with
the m and u probabilities). Two kinds are used by the application:

- the **default model**, bundled with Kuager (``kuager/data/linkage/default-model.json``),
  trained once by :func:`build_default_model` on the synthetic generator's data
  (:mod:`kuager.linkage.synth`: invented people, seeded, so the file can be made again
  byte for byte: ``kuager linkage-model --out FILE``). It is what scores pairs before
  an organisation has enough records of its own to estimate a model (``kuager resolve``
  below 200 mentions, and the web review queue before any model was trained);
- a model trained on the organisation's own records by ``kuager resolve`` (saved by the
  records app as ``HOME/linkage/latest.json``), preferred once it exists.

The default model carries no term-frequency adjustment (:func:`without_term_frequencies`):
how common a name is in a small collection, or among the generator's invented names,
says nothing about real names, so a common name counts as much as an average one.

No Django import here.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pandas as pd

from kuager.errors import KuagerError

#: Where the default model is bundled, inside the ``kuager`` package.
DEFAULT_MODEL = ("data", "linkage", "default-model.json")

#: How the default model is trained (:func:`build_default_model`): the synthetic
#: generator's default knobs, this many mentions, this seed (the generator's and the
#: training's random sampling). Seed 7 is the tuning seed of docs/linkage.md.
DEFAULT_MENTIONS = 10_000
DEFAULT_SEED = 7

#: Below this many mentions there is too little data to estimate a model by EM (a few
#: pairs, often none that the prior's rules find: three mentions, two of them the same
#: name and birth year, trained a model that scored that pair 0.807), so ``kuager dedupe``
#: without ``--params`` and ``kuager resolve`` score with a saved model instead (the
#: bundled default, :func:`load_default_model`, for dedupe).
MIN_MENTIONS_TO_TRAIN = 200


def model_params(model: Any, *, file: str | None = None) -> dict[str, Any]:
    """The Splink settings of a saved model, whichever of its two forms is given.

    Args:
        model: ``LinkResult.params`` (a dict with ``comparisons``, what ``kuager dedupe
            --save-params`` writes) or a model file's ``{"about": ..., "params": ...}``
            wrapper (the bundled default model, :func:`build_default_model`).
        file: where the model was read from, for the error message.
    Returns:
        the settings dict (the wrapper's ``params``; the dict itself otherwise; not copied).
    Raises:
        kuager.errors.InputError: neither form (no ``comparisons`` list).
    """
    if isinstance(model, dict) and isinstance(model.get("params"), dict) and "comparisons" not in model:
        model = model["params"]
    if not isinstance(model, dict) or not isinstance(model.get("comparisons"), list):
        from kuager.errors import InputError

        raise InputError("not a saved linkage model (expected Splink settings with 'comparisons', "
                         "or a model file's {\"about\": ..., \"params\": ...})", file=file)
    return model


def without_term_frequencies(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of a saved model with every term-frequency adjustment removed.

    Splink adjusts an exact match on a column with ``tf_adjustment_column`` by how
    often the value occurs in the data being scored; scoring a handful of records
    (a small database, the few pairs of a page) would make every name look common.
    Without the adjustment an exact match weighs what the level's u probability says.
    """
    out = copy.deepcopy(params)
    for comp in out.get("comparisons", []):
        for level in comp.get("comparison_levels", []):
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
            level.pop("tf_minimum_u_value", None)
    return out


def build_default_model(mentions: int = DEFAULT_MENTIONS, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Train the default model on synthetic mentions and describe it.

    Args:
        mentions: number of synthetic mentions (:func:`kuager.linkage.synth.generate`).
        seed: the generator's seed and the training's (same arguments, same model).
    Returns:
        ``{"about": {...}, "params": {...}}``: ``about`` says what it was trained on
        (``trained_on: "synthetic"``, generator, mentions, seed, B-cubed scores on its own
        training data against the generator's truth); ``params`` is the model without
        term-frequency adjustments (:func:`without_term_frequencies`).
    """
    from kuager.linkage import link, metrics, synth

    rows, truth, _ = synth.generate(mentions, seed=seed)
    df = pd.DataFrame(rows, columns=synth.COLUMNS).drop(columns=["synthetic"])
    result = link(df, seed=seed, threads=1)
    scores = metrics.bcubed(result.clusters, truth)
    about = {
        "trained_on": "synthetic",
        "generator": "kuager.linkage.synth (default knobs; invented people)",
        "mentions": mentions,
        "seed": seed,
        "threshold": 0.9,
        "term_frequency_adjustments": False,
        "made_by": "kuager linkage-model (kuager.linkage.saved.build_default_model)",
    }
    about["bcubed_on_training_data"] = {"precision": round(scores.precision, 4), "recall": round(scores.recall, 4),
                                        "f1": round(scores.f1, 4)}
    params = without_term_frequencies(result.params)
    params["linker_uid"] = "kuager-default"  # Splink draws a random one per run; fixed, the file repeats exactly
    return {"about": about, "params": params}


def dumps(model: dict[str, Any]) -> str:
    """The model file's text: sorted keys, one-space indent, a final newline (stable across runs)."""
    return json.dumps(model, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n"


def load_default_model() -> dict[str, Any]:
    """The bundled default model, ``{"about": {...}, "params": {...}}`` (see :func:`build_default_model`).

    Raises:
        KuagerError: the file is missing or unreadable (a broken installation).
    """
    try:
        text = resources.files("kuager").joinpath(*DEFAULT_MODEL).read_text(encoding="utf-8")
        model = json.loads(text)
    except (OSError, ValueError) as exc:
        raise KuagerError(f"the bundled linkage model {'/'.join(DEFAULT_MODEL)} cannot be read ({exc}); "
                          "make it again with: kuager linkage-model") from None
    if "params" not in model:
        raise KuagerError(f"the bundled linkage model {'/'.join(DEFAULT_MODEL)} has no params")
    return model


def score_pairs(df: pd.DataFrame, pairs, params: dict[str, Any], *, threads: int | None = 1) -> pd.DataFrame:
    """Score chosen pairs of records with a saved model (no training, no blocking).

    Args:
        df: the records the pairs name, in the mentions format (``docs/formats/mentions.md``;
            ``record_id`` and ``names`` required). Other records may be present.
        pairs: ``(record_id, record_id)`` tuples; order and repeats do not matter; pairs
            naming a record not in ``df`` and pairs of a record with itself are skipped.
        params: a saved model (``LinkResult.params``, or the ``params`` of
            :func:`load_default_model`). Its term-frequency adjustments are removed
            (:func:`without_term_frequencies`): frequencies among a few records mislead.
        threads: DuckDB threads.
    Returns:
        DataFrame with one row per distinct pair: ``unique_id_l``, ``unique_id_r`` (the
        smaller id left), ``match_probability`` (0-1), ``match_weight`` (bits) and
        ``gamma_<comparison>`` (agreement level, -1 unknown; labels from
        :func:`kuager.linkage.model.level_labels`). Empty (same columns) when no pair is left.
        The comparisons are the model's: a field no record has is at its unknown level.
    Raises:
        kuager.errors.InputError: malformed records (see :func:`kuager.linkage.features.prepare`).
        KuagerError: a model that does not fit the features (e.g. one made for other columns).
    """
    from kuager.linkage import features as ft
    from kuager.linkage import model

    ids = set(df["record_id"].astype(str))
    wanted = sorted({tuple(sorted((str(a), str(b)))) for a, b in pairs
                     if str(a) != str(b) and str(a) in ids and str(b) in ids})
    params = without_term_frequencies(params)
    gammas = [f"gamma_{c['output_column_name']}" for c in params.get("comparisons", [])]
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight", *gammas]
    if not wanted:
        return pd.DataFrame(columns=cols)
    involved = {r for p in wanted for r in p}
    sub = df[df["record_id"].astype(str).isin(involved)].copy()
    sub["record_id"] = sub["record_id"].astype(str)
    feats = ft.prepare(sub, workers=1)
    try:
        linker = model.build_linker(feats, params, "duckdb", None, threads)
        api = linker._db_api
        blocked = pd.DataFrame({"match_key": ["0"] * len(wanted), "join_key_l": [a for a, _ in wanted],
                                "join_key_r": [b for _, b in wanted]})
        api._con.register("__kuager_chosen_arrow", blocked)
        api._con.execute("CREATE OR REPLACE TABLE __kuager_chosen_pairs AS SELECT * FROM __kuager_chosen_arrow")
        api._con.unregister("__kuager_chosen_arrow")
        linker.table_management.register_blocked_pairs_for_predict(api.register("__kuager_chosen_pairs"))
        pred = model.predict(linker, warning_mode="never")
        out = linker.misc.query_sql(f"select * from {pred.physical_name}", output_type="pandas")
    except KuagerError:
        raise
    except Exception as exc:  # noqa: BLE001 - Splink's and DuckDB's errors, named for the caller
        raise KuagerError(f"the saved linkage model could not score these records: {exc}") from exc
    out = out[[c for c in cols if c in out.columns]]
    return out.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)
