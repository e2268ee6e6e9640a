"""Probabilistic record linkage of person mentions (Fellegi-Sunter on Splink).

The one entry point is :func:`link`::

    from kuager.linkage import link
    result = link(mentions_df, threshold=0.9, review_band=(0.5, 0.95),
                  decisions=[("S1", "S7", "different")])
    result.clusters        # {record_id: cluster_id}
    result.review          # the strongest pairs in the uncertain band, for people to decide
    result.review_pairs()  # all of the band's pairs (levels, no values)
    result.params          # trained model (JSON-serialisable), reusable: link(df, params=...)

Modules: :mod:`~kuager.linkage.features` (per-mention columns from
:mod:`kuager.names`), :mod:`~kuager.linkage.model` (Splink comparisons, blocking,
training), :mod:`~kuager.linkage.cluster` (threshold clustering, decisions),
:mod:`~kuager.linkage.metrics` (pairwise and B-cubed scores),
:mod:`~kuager.linkage.chinese_id` (GB 11643-1999), :mod:`~kuager.linkage.synth`
(synthetic data with ground truth). See ``docs/linkage.md``.

No Django import here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kuager import progress
from kuager.errors import InputError, KuagerError

__all__ = ["LinkResult", "link"]

#: Rounds of the cluster check of :func:`_cluster_contradictions` (each may re-cluster once).
CLUSTER_CHECK_ROUNDS = 2

#: A keep-apart pair that contradicts only as two siblings might (the same father's name,
#: given names partly alike: :func:`kuager.linkage.model.contradiction_sql`) and that the model
#: scores at this match probability or more still keeps its records apart in the greedy step,
#: but no longer bars a record left alone from joining the one cluster its strong pairs all go
#: to (``kuager.linkage.cluster.solve(loose=...)``): there it is more often a mistyped or partly
#: read given name beside the same father's name than a sibling. 0.0: every such pair that was
#: scored; None: off. Seed 7, 100,000 synthetic mentions, B-cubed F1: off 0.9439, 0.5 0.9448,
#: 0.0 0.9452 (30 Nov 2026).
REATTACH_SIBLINGS_FROM: float | None = 0.0

#: Default ``link(ambiguous_margin=...)``, in bits of match weight.
AMBIGUOUS_MARGIN: float | None = 0.25

#: Default ``link(merge_share=...)``: two clusters of two records or more are joined by the
#: model's edges only when at least this share of the pairs between them are edges
#: (:func:`kuager.linkage.cluster.cluster`). At 100,000 synthetic mentions (seed 7, main
#: 3b67253) the greedy step joined two clusters of two or more 1,289 times, 419 of them two
#: people (two namesakes' groups meeting late through a few name-only pairs); of the 265 joins
#: where under half of the pairs between the two were edges, 246 joined two people.
MERGE_SHARE: float | None = 0.5
#: Default ``link(ambiguous_names=...)``: the name similarity by which an ambiguous record's
#: spellings must be closer to one candidate cluster than to every other for it to be placed
#: there (:func:`kuager.linkage.cluster.place_ambiguous`). Seed 7, 100,000 SYNTHETIC mentions:
#: 0.03, 0.05, 0.08 gave B-cubed F1 0.9457, 0.9459, 0.9456 against 0.9439 (docs/linkage.md).
AMBIGUOUS_NAMES: float | None = 0.05

#: Most pairs in ``LinkResult.review`` by default (``link(review_limit=...)``): the
#: strongest of the band, with both records' feature values. A million synthetic
#: mentions have millions of pairs in the band, and their values passed 12 GB; all of
#: them, without values, are in ``LinkResult.review_pairs()``.
REVIEW_LIMIT = 10_000

#: Agreement columns whose lowest level is a plain contradiction (birth years more than
#: 3 apart, another sex, another valid Chinese ID); siblings' names count too
#: (:func:`kuager.linkage.model.contradiction_sql`, which defines them all).
CONTRADICTIONS = ("gamma_birth", "gamma_sex", "gamma_chinese_id")


@dataclass
class LinkResult:
    """What :func:`link` found.

    Attributes:
        clusters: record_id -> cluster_id (the smallest record_id of the cluster).
        probability: record_id -> the highest match probability linking the record
            into its cluster (1.0 when a "same" decision does), None when alone.
        pairs: scored candidate pairs with ``match_probability`` >= the lower end of
            the review band (or the threshold if lower), plus every pair people
            decided: columns ``unique_id_l``, ``unique_id_r``, ``match_probability``,
            ``match_weight``, ``gamma_<comparison>`` (agreement level, -1 = unknown;
            see ``level_labels``), ``decision`` (same / different / unsure / None) and
            ``ambiguous`` (True for a pair of an ambiguous record, see ``link``'s
            ``ambiguous_margin``) and ``split`` (True for a pair at or above the threshold
            whose join ``merge_share`` refused, between two clusters still apart at the end:
            :func:`kuager.linkage.cluster.split_edges`);
            on Spark also the compared feature columns (``*_l``, ``*_r``).
        review: the strongest pairs (at most ``link(review_limit=...)``, default
            :data:`REVIEW_LIMIT`) with lo <= match_probability < hi and no same/different
            decision, plus every undecided pair (at or above lo) of an ambiguous record
            (``ambiguous`` True, see ``link``'s ``ambiguous_margin``) or marked ``split``
            (see ``link``'s ``merge_share``), strongest first,
            with the columns of ``pairs`` and both records' feature columns
            (``<column>_l``, ``<column>_r``: names, keys, birth years...) to show them.
            :meth:`review_pairs` gives all of them, and ``stats["review_pairs"]`` counts them.
        params: the trained model (Splink settings JSON as a dict).
        level_labels: ``{comparison: {gamma: label}}`` to show what agrees and differs.
        conflicts: "same" decisions not honoured because they contradict "different" ones.
        stats: counts and seconds: records, candidate_pairs, clusters, seconds_features,
            seconds_train (with seconds_blocking above ``model.LARGE``), seconds_predict
            (with seconds_scoring above ``model.LARGE``, then score_chunks when more than one,
            and unscored_pairs: candidate pairs whose birth years or sex contradict, passed
            to the keep-apart step without a score, ``model.SKIP_CONTRADICTING``),
            seconds_cluster (with seconds_apart), apart_pairs (pairs kept apart by the
            model, see ``apart_below``), loose_apart_pairs (of those, the ones kept apart only
            as possible siblings, which do not bar re-attaching a record left alone:
            :data:`REATTACH_SIBLINGS_FROM`), cluster_apart_pairs (of those, the members of one
            cluster never compared, :func:`_cluster_contradictions`; DuckDB only),
            ambiguous (records left alone, see ``ambiguous_margin``, or placed by name:
            ambiguous_placed, 0 when placing is off or nothing is ambiguous, see
            ``ambiguous_names``), review_pairs (see
            :meth:`review_pairs`), split_pairs (pairs marked ``split``), cpu_features, cpu_train, cpu_predict, cpu_cluster (CPU
            seconds of the steps, with DuckDB's threads and the keying processes: steadier
            than the seconds on a shared machine; cpu_cluster with cpu_apart, the record ids
            mapped to positions and the keep-apart query, and cpu_cluster_check, the cluster
            check's queries and passes), and
            ``blocking_recall_on_decisions`` (share of "same" decisions whose pair the
            blocking rules generated; None without such decisions).
        linker, predictions: the Splink ``Linker`` and the table of all scored
            candidate pairs (a ``SplinkDataFrame``), only with ``keep_linker=True``
            (for diagnostics, e.g. blocking recall against a truth). Above
            ``model.LARGE`` (DuckDB) the kept pairs only (see ``chunk_pairs``), as a view
            with record ids over the engine's table of integer keys
            (:data:`kuager.linkage.model.RECORD_KEY`), and the candidate pairs are in the
            DuckDB table ``__kuager_blocked_pairs`` (``join_key_l``, ``join_key_r``: keys).
    """

    clusters: dict[str, str]
    probability: dict[str, float | None]
    pairs: pd.DataFrame
    review: pd.DataFrame
    params: dict[str, Any]
    level_labels: dict[str, dict[int, str]]
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    linker: Any = None
    predictions: Any = None
    band: tuple[float, float] = (0.5, 0.95)

    def review_pairs(self) -> pd.DataFrame:
        """Every pair of ``pairs`` with lo <= match_probability < hi of the review band and
        no same/different decision, plus the undecided pairs (at or above lo) of ambiguous
        records and those marked ``split`` (refused by ``merge_share``), strongest first (ties in the order of ``pairs``), with the columns of
        ``pairs`` (levels, no feature values); ``review`` is its head."""
        lo, hi = self.band
        p = self.pairs
        in_band = p["match_probability"].between(lo, hi, inclusive="left") & (hi > lo)
        for col in ("ambiguous", "split"):  # an ambiguous record's undecided pairs, and those merge_share
            if col in p.columns:            # kept apart, whatever their probability above lo
                in_band |= p[col].astype(bool) & (p["match_probability"] >= lo)
        band = p[in_band & ~p["decision"].isin(["same", "different"])]
        order = np.argsort(-band["match_probability"].to_numpy(dtype=float), kind="stable")
        return band.iloc[order].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """The ``kuager dedupe`` output: record_id, cluster_id, match_probability (NaN alone)."""
        ids = list(self.clusters)
        return pd.DataFrame({
            "record_id": ids,
            "cluster_id": [self.clusters[i] for i in ids],
            "match_probability": [self.probability[i] for i in ids],
        })


def link(df: pd.DataFrame, *, params: dict[str, Any] | None = None, threshold: float = 0.9,
         review_band: tuple[float, float] = (0.5, 0.95), decisions: Iterable = (), engine: str = "duckdb",
         extra_fields: dict[str, str] | None = None, threads: int | None = None, file: str | None = None,
         seed: int = 42, keep_linker: bool = False, apart_below: float | None = 0.9,
         memory_limit: str | None = None, chunk_pairs: int | None = None,
         ambiguous_margin: float | None = AMBIGUOUS_MARGIN,
         ambiguous_names: float | None = AMBIGUOUS_NAMES,
         review_limit: int | None = REVIEW_LIMIT, merge_share: float | None = MERGE_SHARE) -> LinkResult:
    """Join the mentions in ``df`` into clusters of one person each.

    Args:
        df: mentions in the format of ``docs/formats/mentions.md`` (text columns;
            ``record_id`` and ``names`` required), optionally ``relatives``.
        params: a model returned earlier as ``LinkResult.params``, or a model file's
            ``{"about": ..., "params": ...}`` wrapper (the bundled default model,
            :func:`kuager.linkage.saved.load_default_model`; its ``params`` are used); None
            to estimate the parameters from ``df`` (EM, see :func:`kuager.linkage.model.train`;
            a file of a few distinct people, with no candidate pair, gives one cluster each).
        threshold: match probability (0-1) at or above which a pair is joined.
        review_band: ``(lo, hi)``; pairs with lo <= p < hi go to ``review``.
        decisions: people's decisions, in time order: ``(record_id_a, record_id_b,
            decision)`` tuples or mappings (see :func:`kuager.linkage.cluster.normalise_decisions`);
            they always override the model.
        engine: ``"duckdb"`` or ``"spark"``.
        extra_fields: more columns to compare, ``{column: "exact" | "fuzzy" | "code"}``.
        threads: DuckDB threads (default: all cores).
        memory_limit: DuckDB's memory limit, e.g. ``"8GB"`` (default: a quarter of the
            machine's memory, :data:`kuager.linkage.model.MEMORY_SHARE`); DuckDB spills
            the rest to a temp directory.
        file: the input file name, for error messages.
        seed: seed of the random sampling in training (same data, same seed, same model).
        keep_linker: keep the Splink linker and predictions on the result.
        apart_below: candidate pairs scored below this probability that also contradict
            each other (:func:`kuager.linkage.model.contradiction_sql`: birth years more
            than 3 apart, another sex, another valid Chinese ID, siblings' names, places
            that differ when the model learned that a person's rarely do) are
            kept apart in clustering, like "different" decisions but weaker (a
            person's "same" decision overrides them), unless they agree strongly outside
            the names (:func:`kuager.linkage.model.strong_levels`), so that a chain of
            strong pairs through a record that says little cannot join two namesakes.
            Members of one cluster that no candidate pair compared are checked for
            the same contradictions (without siblings) after clustering and kept apart
            too (DuckDB). None to cluster on strong pairs alone.
        chunk_pairs: above :data:`kuager.linkage.model.LARGE` records (DuckDB), at most
            about this many candidate pairs are scored in one step (default
            :data:`kuager.linkage.model.CHUNK_PAIRS`); with more, the pairs are scored in
            chunks and only those at or above the review band's or threshold's floor, or
            contradicting (for ``apart_below``), are kept
            (:func:`kuager.linkage.model.predict_in_chunks`). Same clusters, probabilities,
            ``pairs`` and ``review`` either way; ``predictions`` then holds the kept pairs only
            (above ``LARGE`` always: with the unscored contradicting pairs of
            :data:`kuager.linkage.model.SKIP_CONTRADICTING`, whose ``match_probability`` is NULL).
        ambiguous_margin: bits (default :data:`AMBIGUOUS_MARGIN`), or None (off). A
            record whose pairs at or above the threshold reach two clusters that are kept
            apart (by ``apart_below`` or "different" decisions) about equally well (the
            best into another cluster within this many bits of match weight of the best
            into its own: namesakes and a mention that gives the name alone) joins
            neither: it stays alone and its pairs at or above the review band's lower end
            go to ``review`` (``ambiguous`` True) for a person to decide
            (:func:`kuager.linkage.cluster.cluster`). ``stats["ambiguous"]`` counts them.
        ambiguous_names: a name similarity gap (0-1, default :data:`AMBIGUOUS_NAMES`), or
            None (off). An ambiguous record whose best :func:`kuager.names.similarity` to the
            members of one candidate cluster exceeds that to every other candidate's by at
            least this much joins that cluster (names the coarse keys confuse: Сәуле and
            Саясұлу; :func:`kuager.linkage.cluster.place_ambiguous`); it stays ambiguous,
            its pairs in ``review``. ``stats["ambiguous_placed"]`` counts them. Only up to
            :data:`kuager.linkage.model.LARGE` records (above it names are compared by keys,
            without the similarity).
        review_limit: most pairs in ``review`` (the strongest of the band; None: all);
            all of them, without feature values, are in ``LinkResult.review_pairs()``.
        merge_share: a share (0-1, default :data:`MERGE_SHARE`), or None (off). Two clusters
            of two records or more are joined (by pairs at or above the threshold) only when at
            least this share of the pairs between them are at or above the threshold
            (:func:`kuager.linkage.cluster.cluster`): two namesakes' groups of mentions joined
            by a pair or two that agree on the name alone stay apart. Such a refused pair,
            when its two clusters stay apart, is marked ``split`` in ``pairs`` and goes to
            ``review`` whatever its probability above the band's lower end (undecided ones;
            ``stats["split_pairs"]`` counts them).
    Returns:
        :class:`LinkResult`.
    Raises:
        kuager.errors.InputError: malformed input (file, row, column named), no data
            rows (a header only), ``params`` that is no saved model.
        kuager.errors.KuagerError: bad threshold or band, unknown engine, decisions on
            unknown records, ``chunk_pairs`` below 1, ``merge_share`` or ``ambiguous_names``
            outside [0, 1], ``ambiguous_margin`` below 0.
    """
    from kuager.linkage import cluster as cl
    from kuager.linkage import features as ft
    from kuager.linkage import model

    lo, hi = review_band
    if not (0 <= threshold <= 1 and 0 <= lo <= hi <= 1):
        raise KuagerError(f"threshold {threshold} and review band {review_band} must lie in [0, 1] with lo <= hi")
    if review_limit is not None and review_limit < 0:
        raise KuagerError(f"review_limit must be at least 0, not {review_limit}")
    if merge_share is not None and not 0 <= merge_share <= 1:
        raise KuagerError(f"merge_share must lie in [0, 1], not {merge_share}")
    if ambiguous_names is not None and not 0 <= ambiguous_names <= 1:
        raise KuagerError(f"ambiguous_names (a name similarity gap) must lie in [0, 1], not {ambiguous_names}")
    if ambiguous_margin is not None and not ambiguous_margin >= 0:
        raise KuagerError(f"ambiguous_margin (bits) must be at least 0, not {ambiguous_margin}")
    if chunk_pairs is not None and chunk_pairs < 1:
        raise KuagerError(f"chunk_pairs must be at least 1, not {chunk_pairs}")
    if params is not None:
        from kuager.linkage.saved import model_params

        params = model_params(params)
    try:
        dec = cl.normalise_decisions(decisions)
    except ValueError as exc:
        raise KuagerError(str(exc)) from None
    stats: dict[str, Any] = {"records": len(df)}
    t0, c0 = time.perf_counter(), _cpu()
    feats = ft.prepare(df, file=file, extra_fields=extra_fields)
    if not len(feats):
        # (the engine failed on the empty lists of keys with a pyarrow error)
        raise InputError("no data rows (a header only): no mentions to link", file=file)
    if dec:
        known = set(feats["unique_id"])
        for a, b in dec:
            for r in (a, b):
                if r not in known:
                    raise KuagerError(f"a decision names record {r!r}, which is not in the input")
        del known
    stats["seconds_features"] = time.perf_counter() - t0
    stats["cpu_features"] = _cpu() - c0

    t0, c0 = time.perf_counter(), _cpu()
    # above LARGE (DuckDB), pairs of integer keys (ranks in the ids' order) instead of id texts
    keys = None
    if engine == "duckdb" and len(feats) > model.LARGE:
        keys = model.record_keys(feats["unique_id"])
        feats[model.RECORD_KEY] = keys
    linker = model.build_linker(feats, params, engine, extra_fields, threads, memory_limit)
    if params is None:
        progress.say("Estimating the model's parameters (EM)")
        params = model.train(linker, feats, seed=seed)
    n_blocked = None
    if engine == "duckdb" and len(feats) > model.LARGE:
        t1 = time.perf_counter()
        progress.say("Finding candidate pairs")
        n_blocked = model.register_candidate_pairs(linker, feats, extra_fields)
        stats["seconds_blocking"] = time.perf_counter() - t1
    # the features are in the engine now; only the ids are needed here (a million
    # mentions' lists of keys take about a gigabyte as Python objects)
    ids = feats["unique_id"]
    # the spellings, for placing ambiguous records by name (below LARGE only)
    spellings = feats["names"].to_numpy() if ambiguous_names is not None and len(feats) <= model.LARGE else None
    del feats
    stats["seconds_train"] = time.perf_counter() - t0
    stats["cpu_train"] = _cpu() - c0

    t0, c0 = time.perf_counter(), _cpu()
    warming = None
    if keys is not None:
        # the clustering's compiled kernels loaded (numba imported, its cache read) while
        # DuckDB scores, which leaves the GIL free: about a second off the clustering step
        import threading

        warming = threading.Thread(target=cl.warm_up, name="kuager-cluster-warm-up", daemon=True)
        warming.start()
    progress.say("Scoring candidate pairs")
    floor = min(lo, threshold)
    duck = engine == "duckdb"
    per_step = chunk_pairs if chunk_pairs is not None else model.CHUNK_PAIRS
    chunks = 1 if n_blocked is None else max(1, -(-n_blocked // per_step))
    # where the candidate pairs are counted: the scored table, or (in chunks, where only
    # the pairs needed later are kept) the blocked pairs
    counted, id_l, id_r = None, "unique_id_l", "unique_id_r"
    if n_blocked is not None:
        # above LARGE always this way, even in one chunk: the contradicting pairs that are
        # not scored (model.SKIP_CONTRADICTING) reach the keep-apart step only here
        if chunks > 1:
            progress.say(f"Scoring {n_blocked} candidate pairs in {chunks} chunks")
        pred = model.predict_in_chunks(linker, chunks, floor, apart_below is not None and apart_below > 0)
        stats["seconds_scoring"] = time.perf_counter() - t0
        counted, id_l, id_r = "__kuager_blocked_pairs", "join_key_l", "join_key_r"
        stats["unscored_pairs"] = int(linker.misc.query_sql(
            f"select count(*) as n from {pred.physical_name} where match_probability is null",
            output_type="pandas")["n"].iloc[0])
        if chunks > 1:
            stats["score_chunks"] = chunks
    elif duck:
        # the compared values are fetched below for the review pairs only: on every scored
        # pair (tens of millions at a million mentions) they would fill the memory
        pred = model.predict(linker, warning_mode="never")
    else:
        pred = linker.inference.predict(warning_mode="never")
    table = pred.physical_name
    counted = counted or table
    stats["candidate_pairs"] = int(linker.misc.query_sql(
        f"select count(*) as n from {counted}", output_type="pandas")["n"].iloc[0])
    # not Splink's match_key / source_dataset columns (a million mentions' pairs as Python strings)
    wanted = [c for c in linker.misc.query_sql(f"select * from {table} limit 0", output_type="pandas").columns
              if not c.startswith(("source_dataset", "match_key"))]
    # pairs in a fixed order (by record ids), so that ties among equal probabilities are met
    # in the same order in clustering, run after run and chunked or not: DuckDB with several
    # threads (preserve_insertion_order=false) and Spark return rows in any order (at 20,000
    # mentions two runs of `kuager dedupe` gave 7,104 and 7,106 clusters before this sort)
    select = f"select {', '.join(wanted)} from {table} where match_probability >= {floor}"
    if keys is not None:
        pairs = _fetch_keyed(linker, select, ids, keys)
    else:
        pairs = linker.misc.query_sql(select, output_type="pandas")
        pairs = pairs.sort_values(["unique_id_l", "unique_id_r"], kind="stable", ignore_index=True)
    unwanted = [c for c in pairs.columns if c.startswith(("source_dataset", "match_key"))]
    if unwanted:  # (drop copies every column, even when it drops none: a second or so at a million)
        pairs = pairs.drop(columns=unwanted)
    del unwanted
    if dec:
        dec_df = pd.DataFrame([(a, b, d) for (a, b), d in dec.items()],
                              columns=["unique_id_l", "unique_id_r", "decision"])
        n_same = int((dec_df.decision == "same").sum())
        if n_same:
            same = dec_df[dec_df.decision == "same"]
            if keys is not None:  # the pairs hold integer keys
                at = pd.Index(ids.astype(str)).get_indexer
                values = ", ".join(f"({a}, {b})" for a, b in zip(keys[at(same.unique_id_l.astype(str))],
                                                                 keys[at(same.unique_id_r.astype(str))]))
            else:
                values = ", ".join(f"('{a}', '{b}')" for a, b in zip(same.unique_id_l, same.unique_id_r))
            found = linker.misc.query_sql(
                f"select count(*) as n from {counted} t join (values {values}) v(a, b) "
                f"on (t.{id_l} = v.a and t.{id_r} = v.b) or (t.{id_l} = v.b and t.{id_r} = v.a)",
                output_type="pandas")["n"].iloc[0]
            stats["blocking_recall_on_decisions"] = float(found) / n_same
        # orient decided pairs like the scored ones, then attach the decision
        swapped = dec_df.rename(columns={"unique_id_l": "unique_id_r", "unique_id_r": "unique_id_l"})
        both = pd.concat([dec_df, swapped], ignore_index=True)
        pairs = pairs.merge(both, on=["unique_id_l", "unique_id_r"], how="left")
        seen = set(zip(pairs.unique_id_l, pairs.unique_id_r)) | set(zip(pairs.unique_id_r, pairs.unique_id_l))
        missing = dec_df[[(a, b) not in seen for a, b in zip(dec_df.unique_id_l, dec_df.unique_id_r)]]
        if len(missing):
            pairs = pd.concat([pairs, missing], ignore_index=True)
        pairs["decision"] = pairs["decision"].astype(object).where(pairs["decision"].notna(), None)
    else:
        pairs["decision"] = None
    stats.setdefault("blocking_recall_on_decisions", None)
    stats["seconds_predict"] = time.perf_counter() - t0
    stats["cpu_predict"] = _cpu() - c0

    if warming is not None:
        warming.join()
    t0, c0 = time.perf_counter(), _cpu()
    known = pairs["match_probability"].notna()
    scored = pairs if known.all() else pairs[known]  # decided pairs that blocking missed have no score
    # the rows of pairs that scored holds (None: all), to mark the pairs the clustering refused
    scored_rows = None if scored is pairs else np.flatnonzero(known.to_numpy(dtype=bool))
    del known
    # record ids mapped to positions once, for the keep-apart step and every clustering pass
    # (prepare reads the columns it needs: no copy of millions of rows)
    edges = scored
    decided = [(a, b, d) for (a, b), d in dec.items()]
    # above LARGE the fetched pairs carry their records' positions (_fetch_keyed): no id lookups
    at = None if _POS_L not in scored.columns else (scored[_POS_L].to_numpy(dtype=np.int64),
                                                    scored[_POS_R].to_numpy(dtype=np.int64))
    try:
        graph = cl.prepare(ids, edges, threshold, decided, weights=ambiguous_margin is not None, positions=at,
                           rank=keys)
    except ValueError as exc:
        raise KuagerError(str(exc)) from None
    del edges, at, scored
    # the pairs' record positions, kept to mark the ambiguous records' pairs below (no lookup
    # of millions of ids); None when some pair has none (a decided pair blocking missed)
    pair_pos = None
    if _POS_L in pairs.columns:
        if pairs[_POS_L].dtype.kind == "i" and pairs[_POS_R].dtype.kind == "i":
            pair_pos = (pairs[_POS_L].to_numpy(), pairs[_POS_R].to_numpy())
        del pairs[_POS_L], pairs[_POS_R]
    apart = loose = None
    if apart_below is not None and apart_below > 0:
        progress.say("Finding pairs to keep apart")
        apart, is_loose = _apart_pairs(linker, table, graph, apart_below, keys, REATTACH_SIBLINGS_FROM)
        loose = apart[is_loose]
        stats["apart_pairs"] = len(apart)
        stats["loose_apart_pairs"] = len(loose)
        stats["seconds_apart"] = time.perf_counter() - t0
        stats["cpu_apart"] = _cpu() - c0
    progress.say("Clustering")
    solution = cl.solve(graph, apart, ambiguous_margin, merge_share=merge_share, loose=loose)
    if apart is not None and duck:
        # members of one cluster that were never compared (no candidate pair: names keyed
        # apart, joined through others) may still contradict; keep them apart, cluster again
        # (only the components holding such a pair are redone)
        stats["cluster_apart_pairs"] = 0
        c1 = _cpu()
        only = None
        for _ in range(CLUSTER_CHECK_ROUNDS):
            extra = _cluster_contradictions(linker, table, graph, solution.roots, keys, only)
            if not len(extra):
                break
            stats["cluster_apart_pairs"] += len(extra)
            apart = np.concatenate([apart, extra])
            before = solution.roots
            solution = cl.solve(graph, apart, ambiguous_margin, previous=solution, changed=extra,
                                merge_share=merge_share, loose=loose)
            # the next round checks only the clusters that changed: the others were checked
            # in this one, and what it found inside them is kept apart already
            only = cl.changed_records(before, solution.roots)
        stats["apart_pairs"] = len(apart)
        stats["cpu_cluster_check"] = _cpu() - c1
    stats["ambiguous_placed"] = 0
    if spellings is not None and ambiguous_margin is not None and solution.ambiguous.any():
        solution = cl.place_ambiguous(graph, solution, _name_similarity(spellings), ambiguous_names,
                                      ambiguous_margin)
        stats["ambiguous_placed"] = int(solution.placed.sum())
    del spellings
    clustering = cl.result(graph, solution)
    amb_at = solution.ambiguous if pair_pos is not None else None  # by position, as clustering.ambiguous
    stats["clusters"] = int(len(np.unique(solution.roots)))
    # the pairs merge_share kept from joining two clusters still apart: rows of pairs
    split_rows = graph.row[cl.split_edges(graph, solution)]
    if scored_rows is not None:
        split_rows = scored_rows[split_rows]
    stats["split_pairs"] = len(split_rows)
    del scored_rows
    del graph, solution, apart, loose
    stats["seconds_cluster"] = time.perf_counter() - t0
    stats["cpu_cluster"] = _cpu() - c0
    stats["ambiguous"] = len(clustering.ambiguous)

    if not (isinstance(pairs.index, pd.RangeIndex) and pairs.index.start == 0 and pairs.index.step == 1):
        pairs = pairs.reset_index(drop=True)  # (a copy of every column: not when the index is this already)
    in_band = pairs["match_probability"].between(lo, hi, inclusive="left") & (hi > lo)
    # no decisions: every pair undecided
    undecided = ~pairs["decision"].isin(["same", "different"]) if dec else True
    # an ambiguous record's pairs go to review whatever their probability (above the floor)
    amb = pd.Index(clustering.ambiguous)
    if not len(amb):
        pairs["ambiguous"] = False
    elif pair_pos is not None:
        pairs["ambiguous"] = amb_at[pair_pos[0]] | amb_at[pair_pos[1]]
    else:
        pairs["ambiguous"] = pairs["unique_id_l"].isin(amb) | pairs["unique_id_r"].isin(amb)
    del pair_pos, amb_at
    # so do the pairs merge_share refused between two clusters left apart (two groups that
    # look like one person by a strong pair)
    split = np.zeros(len(pairs), dtype=bool)
    split[split_rows] = True
    pairs["split"] = split
    del split, split_rows
    rows = np.flatnonzero((in_band | ((pairs["ambiguous"] | pairs["split"]) & (pairs["match_probability"] >= lo)))
                          & undecided)
    stats["review_pairs"] = len(rows)
    # the strongest first (stable: ties in the order of pairs), as review_pairs() orders them
    # (positions of the band's rows taken from pairs: no copy of the whole band)
    order = np.argsort(-pairs["match_probability"].to_numpy(dtype=float)[rows], kind="stable")
    review = pairs.take(rows[order if review_limit is None else order[:review_limit]])
    review.index = pd.RangeIndex(len(review))
    del rows, order
    if duck:
        review = _with_values(linker, review)
    return LinkResult(
        clusters=clustering.clusters,
        probability=clustering.probability,
        pairs=pairs,
        review=review,
        params=params,
        level_labels=model.level_labels(params),
        conflicts=clustering.conflicts,
        stats=stats,
        linker=linker if keep_linker else None,
        predictions=(_with_ids(linker, pred) if keys is not None else pred) if keep_linker else None,
        band=(lo, hi),
    )


def _name_similarity(spellings: np.ndarray):
    """``f(a, b)``: per pair of record positions, the highest :func:`kuager.names.similarity`
    over the first three spellings of each (``names`` of the features, separated by ``|``),
    as the name comparison's DuckDB function does (:func:`kuager.linkage.model.register_similarity`);
    cached per pair of ``names`` values."""
    from functools import lru_cache

    from kuager.linkage.model import best_name_similarity

    best = lru_cache(maxsize=200_000)(best_name_similarity)

    def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.array([best(spellings[i], spellings[j]) if spellings[i] and spellings[j] else 0.0
                         for i, j in zip(a.tolist(), b.tolist())], dtype=float)

    return f


def _cpu() -> float:
    """CPU seconds used so far by this process (all its threads: DuckDB's too) and its
    finished child processes (the keying workers of :func:`kuager.linkage.features.prepare`)."""
    try:
        import resource
    except ImportError:  # not on Unix: this process only
        return time.process_time()
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


#: columns of :func:`_fetch_keyed`'s answer: the positions of the pair's records in ``ids``
_POS_L, _POS_R = "_kuager_pos_l", "_kuager_pos_r"


def _fetch_keyed(linker, select: str, ids: pd.Series, keys: np.ndarray) -> pd.DataFrame:
    """The answer of ``select`` (scored pairs whose ``unique_id_l``, ``unique_id_r`` hold the
    records' integer keys, :data:`kuager.linkage.model.RECORD_KEY`) as a DataFrame sorted by
    the pair of keys, which is the order of the pair of record ids (the keys are ranks in the
    ids' order), with the record ids (``ids``, whose keys are ``keys``) in ``unique_id_l``,
    ``unique_id_r``, and the records' positions in ``ids`` (int64) in the columns
    :data:`_POS_L`, :data:`_POS_R` (for :func:`kuager.linkage.cluster.prepare`, which then
    looks up no id; ``link`` drops them after).

    The order is made here, not by DuckDB: it runs with ``preserve_insertion_order=false``,
    and neither an ORDER BY inside Splink's query nor one of a query fetched through
    Splink's ``query_sql`` (which makes a table of the answer, then reads it back) survived;
    pairs met in another order run after run put ties among equal probabilities in another
    order in clustering, and at 300,000 synthetic mentions three runs gave three sets of
    clusters (B-cubed F1 0.88677, 0.88670, 0.88675). Fetched on the connection directly (no
    table in between) and sorted as integers.
    """
    out = linker._db_api._con.execute(select).fetch_df()
    left = out["unique_id_l"].to_numpy(dtype=np.int64)
    right = out["unique_id_r"].to_numpy(dtype=np.int64)
    order = np.lexsort((right, left))
    out = out.take(order)
    out.index = pd.RangeIndex(len(out))  # (not reset_index: a second copy of every column)
    id_of_key = np.empty(len(keys), dtype=object)
    id_of_key[keys] = ids.to_numpy(dtype=object)
    pos_of_key = np.empty(len(keys), dtype=np.int64)
    pos_of_key[keys] = np.arange(len(keys), dtype=np.int64)
    left, right = left[order], right[order]
    out["unique_id_l"] = id_of_key[left]
    out["unique_id_r"] = id_of_key[right]
    out[_POS_L] = pos_of_key[left]
    out[_POS_R] = pos_of_key[right]
    return out


def _with_ids(linker, pred):
    """``pred`` (a table of pairs of integer keys, :func:`_fetch_keyed`) as a view with the
    record ids in ``unique_id_l``, ``unique_id_r`` (``LinkResult.predictions``)."""
    from kuager.linkage import model

    f, k = model.FEATURES_TABLE, model.RECORD_KEY
    name = f"{pred.physical_name}_ids"
    linker._db_api._con.execute(
        f"CREATE OR REPLACE VIEW {name} AS SELECT s.* REPLACE (a.unique_id AS unique_id_l, b.unique_id AS "
        f"unique_id_r) FROM {pred.physical_name} s JOIN {f} a ON a.{k} = s.unique_id_l JOIN {f} b "
        f"ON b.{k} = s.unique_id_r")
    return linker._db_api.register(name)


def _with_values(linker, review: pd.DataFrame) -> pd.DataFrame:
    """``review`` with the two records' feature values (``<column>_l``, ``<column>_r``),
    fetched from the features table for these pairs only, in the same order."""
    from kuager.linkage.model import FEATURES_TABLE, RECORD_KEY

    cols = [c for c in linker.misc.query_sql(f"select * from {FEATURES_TABLE} limit 0", output_type="pandas").columns
            if c not in ("unique_id", RECORD_KEY)]
    filled: dict[str, np.ndarray] = {}
    for c in cols:
        for side in ("_l", "_r"):
            filled[c + side] = np.full(len(review), None, dtype=object)
    if len(review):
        ids = pd.DataFrame({"pos": np.arange(len(review)), "a": review["unique_id_l"].astype(str).to_numpy(),
                            "b": review["unique_id_r"].astype(str).to_numpy()})
        ref = linker.table_management.register_table(ids, "__kuager_review_ids", overwrite=True)
        select = ", ".join([f"l.{c} as {c}_l, r.{c} as {c}_r" for c in cols])
        values = linker.misc.query_sql(
            f"select v.pos as pos, {select} from {ref.physical_name} v "
            f"join {FEATURES_TABLE} l on l.unique_id = v.a join {FEATURES_TABLE} r on r.unique_id = v.b",
            output_type="pandas")
        ref.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
        rows = values["pos"].to_numpy(dtype=np.int64)
        for name, arr in filled.items():
            arr[rows] = values[name].to_numpy(dtype=object)
    return pd.concat([review, pd.DataFrame(filled, index=review.index)], axis=1)


def _apart_pairs(linker, table: str, graph, below: float, keys: np.ndarray | None = None,
                 loose_from: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs scored below ``below`` whose records could meet in one cluster.

    Args:
        linker: the Splink linker; ``table`` the scored pairs' table in it.
        graph: the clustering's :class:`kuager.linkage.cluster.Graph` (record ids,
            components of the pairs at or above the threshold and "same" decisions).
        below: see ``link``'s ``apart_below``.
        keys: the records' integer keys by position when ``table`` holds pairs of them
            (:data:`kuager.linkage.model.RECORD_KEY`, above ``LARGE``), else None (pairs of ids).
        loose_from: None, or a probability: the pairs scored at least this whose only
            contradiction is the siblings one are marked loose (:data:`REATTACH_SIBLINGS_FROM`).
    Returns:
        ``(pairs, loose)``: a ``(k, 2)`` int64 array of positions in ``graph.ids`` (at a million
        mentions, millions of pairs of ids as Python strings would take gigabytes) and a bool
        array of length k (all False when ``loose_from`` is None).

    Only pairs inside one connected component of the strong pairs (and "same"
    decisions) can matter, so the components go to the database and the pairs are
    selected there: the many weak pairs between records that are never joined stay
    out of Python. (People's "different" pairs are no edges of the graph, so a strong
    pair people called different does not join two components here: the pairs it would
    add could never meet in one cluster.)
    """
    empty = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=bool)
    grouped = _in_groups(graph, graph.comp, keys, "comp")
    if grouped is None:
        return empty
    present = set(linker.misc.query_sql(f"select * from {table} limit 0", output_type="pandas").columns)
    from kuager.linkage import model

    from kuager.linkage import cluster as cl

    params = linker.misc.save_model_to_json()
    contradiction = model.contradiction_sql(present, model.learned_contradiction_levels(params))
    if contradiction is None:
        return empty
    # a pair that agrees strongly outside the names (same ID number, same address) has an
    # error in the contradicting field rather than two people: not kept apart
    strong = [f"{g} = {v}" for g, v in model.strong_levels(params) if g in present]
    if strong:
        contradiction = f"({contradiction}) and not ({' or '.join(strong)})"
    # loose: scored at loose_from or more, and no contradiction but the siblings one (the
    # contradictions of the columns without the names' comparisons)
    loose = "false"
    if loose_from is not None and "gamma_name" in present and "gamma_father" in present:
        others = model.contradiction_sql(present - {"gamma_name", "gamma_father"},
                                         model.learned_contradiction_levels(params))
        loose = f"coalesce(t.match_probability >= {float(loose_from)}, false)"
        if others is not None:
            loose += f" and not coalesce({others}, false)"
    if keys is not None:
        # pairs of integer keys: no join with the components in the database (two joins of the
        # tens of millions of pairs); the pairs that contradict are fetched as two int arrays
        # and those inside one component kept here (at a million mentions: 18.9 million
        # fetched, 14.2 million kept; 6.3-8.0 CPU s with the joins, 2.9-3.3 without)
        got = linker._db_api._con.execute(
            f"select t.unique_id_l as l, t.unique_id_r as r, {loose} as loose from {table} t "
            f"where coalesce(t.match_probability, 0) < {float(below)} and ({contradiction})").fetchnumpy()
        position = np.empty(len(keys), dtype=np.int64)
        position[keys] = np.arange(len(keys), dtype=np.int64)
        left, right = np.asarray(got["l"], dtype=np.int64), np.asarray(got["r"], dtype=np.int64)
        pairs = cl.inside_pairs(left, right, graph.comp, position)
        flag = np.asarray(got["loose"], dtype=bool)
        if not flag.any():
            return pairs, np.zeros(len(pairs), dtype=bool)
        return pairs, cl.inside_flags(left, right, graph.comp, flag, position)
    ref = linker.table_management.register_table(grouped, "__kuager_components", overwrite=True)
    out = linker.misc.query_sql(
        f"select a.pos as l, b.pos as r, {loose} as loose from {table} t "
        f"join {ref.physical_name} a on t.unique_id_l = a.uid join {ref.physical_name} b on t.unique_id_r = b.uid "
        # "a.comp - b.comp = 0", not "a.comp = b.comp": as an equality DuckDB may join the
        # components with themselves first (size squared rows; 13 GB spilled at a million)
        # (a pair not scored for its contradiction, model.SKIP_CONTRADICTING, has no probability)
        f"where a.comp - b.comp = 0 and coalesce(t.match_probability, 0) < {float(below)} and ({contradiction})",
        output_type="pandas")
    return _position_pairs(out), (out["loose"].to_numpy(dtype=bool) if len(out) else np.zeros(0, dtype=bool))


def _in_groups(graph, labels: np.ndarray, keys: np.ndarray | None, name: str,
               only: np.ndarray | None = None) -> pd.DataFrame | None:
    """The records whose group (``labels``: a component or cluster label per position) holds
    more than one, as a frame for the database: ``uid`` (the record id, or its integer key
    when ``keys`` is given, as in the pairs' table), ``name`` (the label) and ``pos`` (the
    position in ``graph.ids``); None when every group holds one record. ``only``: None, or
    a bool per position: the records of the groups to keep (whole groups)."""
    big = np.bincount(labels, minlength=len(labels))[labels] > 1
    many = np.flatnonzero(big if only is None else big & only)
    if not len(many):
        return None
    return pd.DataFrame({"uid": graph.id_array()[many] if keys is None else keys[many], name: labels[many],
                         "pos": many})


def _position_pairs(out: pd.DataFrame) -> np.ndarray:
    """The ``l``, ``r`` columns of a query's answer as an int64 array of shape (n, 2) (n may be 0)."""
    if not len(out):
        return np.zeros((0, 2), dtype=np.int64)
    return np.stack([out["l"].to_numpy(dtype=np.int64), out["r"].to_numpy(dtype=np.int64)], axis=1)


def _cluster_contradictions(linker, table: str, graph, roots: np.ndarray,
                            keys: np.ndarray | None = None, only: np.ndarray | None = None) -> np.ndarray:
    """Pairs of members of one cluster that contradict each other but were never scored.

    Two mentions end in one cluster through others even when no blocking rule made them
    a candidate pair (their names share no key), so the keep-apart step never saw them:
    at 100,000 synthetic mentions (seed 7) 1,982 pairs inside clusters had birth years
    more than 3 apart or places in different counties, 1,940 of them two people. Checked
    here on the features (DuckDB table :data:`kuager.linkage.model.FEATURES_TABLE`) with
    the contradictions of :func:`kuager.linkage.model.contradiction_sql` that do not
    need a name comparison: birth years more than 3 apart, another sex, another valid
    Chinese ID, and places that differ when the model counts that
    (:func:`kuager.linkage.model.learned_contradictions`; places in two counties of one
    prefecture too when that level counts, :func:`kuager.linkage.model.learned_contradiction_levels`).
    Candidate pairs are left
    out: the keep-apart step has judged them already (a strong pair that contradicts
    is joined on purpose). Cost: one self-join of the clustered records on their
    cluster (the sum of the squared cluster sizes) and an anti-join with the scored pairs.

    Args:
        linker: the Splink linker; ``table`` the scored pairs' table in it.
        graph: the clustering's :class:`kuager.linkage.cluster.Graph` (record ids).
        roots: cluster label of each record position (``Solution.roots``).
        keys: as :func:`_apart_pairs`.
        only: None (every cluster), or a bool per position: check only the clusters of
            these records (whole clusters: :func:`kuager.linkage.cluster.changed_records`).
    Returns:
        a ``(k, 2)`` int64 array of positions in ``graph.ids``.
    """
    from kuager.linkage import model

    empty = np.zeros((0, 2), dtype=np.int64)
    present = set(linker.misc.query_sql(f"select * from {table} limit 0", output_type="pandas").columns)
    conds = []
    if "gamma_birth" in present:
        conds.append(f"{model.birth_gap_sql('a', 'b')} > {model.BIRTH_APART_YEARS}")
    if "gamma_sex" in present:
        conds.append("a.sex <> b.sex")
    if "gamma_chinese_id" in present:
        conds.append("a.cid <> b.cid")
    place = model.learned_contradiction_levels(linker.misc.save_model_to_json()).get("place")
    if "gamma_place" in present and place is not None:
        # places in two counties of one prefecture contradict too when the model says so
        conds.append("NOT list_has_any(a.place_keys, b.place_keys)" if place >= 1 else
                     "(NOT list_has_any(a.place_keys, b.place_keys) "
                     "AND NOT coalesce(list_has_any(a.place_pref, b.place_pref), false))")
    if not conds:
        return empty
    grouped = _in_groups(graph, roots, keys, "cl", only)
    if grouped is None:
        return empty
    ref = linker.table_management.register_table(grouped, "__kuager_clustered", overwrite=True)
    g = ref.physical_name
    key = "unique_id" if keys is None else model.RECORD_KEY
    # pairs of integer keys are oriented l < r (model.register_candidate_pairs), as x, y are
    # here: one anti-join; pairs of ids, either orientation
    reverse = "" if keys is not None else f"left join {table} s on s.unique_id_l = y.uid and s.unique_id_r = x.uid "
    reverse_null = "" if keys is not None else "and s.unique_id_l is null "
    out = linker.misc.query_sql(
        f"select x.pos as l, y.pos as r from {g} x join {g} y on x.cl = y.cl and x.uid < y.uid "
        f"join {model.FEATURES_TABLE} a on a.{key} = x.uid join {model.FEATURES_TABLE} b on b.{key} = y.uid "
        f"left join {table} t on t.unique_id_l = x.uid and t.unique_id_r = y.uid {reverse}"
        f"where t.unique_id_l is null {reverse_null}and ({' or '.join(conds)})",
        output_type="pandas")
    ref.drop_table_from_database_and_remove_from_cache(force_non_splink_table=True)
    return _position_pairs(out)
