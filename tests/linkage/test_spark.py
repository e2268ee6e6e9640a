"""``engine="spark"``: the same model on a local Spark session.

The end-to-end tests need pyspark (``pip install 'kuager[spark]'``) and Java; they
skip with the reason otherwise. They share one Spark session (module fixture) and
one Spark run, ``kuager dedupe --engine spark`` on SYNTHETIC mentions (invented
people, :mod:`kuager.linkage.synth`) plus a few invented records whose answer is
known. The tests of the SQL and of the similarity function need neither.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kuager import names
from kuager.cli import main
from kuager.errors import KuagerError
from kuager.linkage import features as ft
from kuager.linkage import link, metrics, model, synth
from kuager.linkage import spark as sp

# Invented people. Asylbek three times (two scripts, one typo), Gulnar twice; a
# namesake of Asylbek of the other sex born 20 years earlier; a man with none of these names.
KNOWN = pd.DataFrame([
    ("k-asyl-1", "Асылбек Талғатұлы", "male", "1975", "Құлжа"),
    ("k-asyl-2", "Asylbek Talgatuly", "male", "1975", "Құлжа"),
    ("k-asyl-3", "Асылбек Талгатулы | Asylbek Talgatuly", "male", "1975", ""),
    ("k-gul-1", "Гүлнар Серікқызы", "female", "1990", "Текес"),
    ("k-gul-2", "Gulnar Serikkyzy", "female", "1990", "Текес"),
    ("k-other-asyl", "Асылбек Талғатұлы", "female", "1955", "Шәуешек"),
    ("k-alone", "Ербол Нұрланұлы", "male", "1982", "Іле"),
], columns=["record_id", "names", "sex", "birth_year", "hometown"])
SAME = [{"k-asyl-1", "k-asyl-2", "k-asyl-3"}, {"k-gul-1", "k-gul-2"}]
APART = [("k-asyl-1", "k-other-asyl"), ("k-asyl-1", "k-gul-1"), ("k-alone", "k-asyl-1")]


@pytest.fixture(scope="module")
def data():
    rows, truth, _ = synth.generate(300, seed=21)
    df = pd.concat([pd.DataFrame(rows).drop(columns=["synthetic"]), KNOWN], ignore_index=True).fillna("")
    return df, truth


@pytest.fixture(scope="module")
def spark_session():
    reason = sp.available()
    if reason:
        pytest.skip(f"Spark engine not testable here: {reason}")
    session = sp.session()
    yield session
    sp.stop()


@pytest.fixture(scope="module")
def spark_run(spark_session, data, tmp_path_factory):
    """``kuager dedupe --engine spark`` once: (clusters, saved model, output frame)."""
    df, _ = data
    tmp = tmp_path_factory.mktemp("spark")
    src, out, saved = tmp / "in.csv", tmp / "out.csv", tmp / "model.json"
    df.to_csv(src, index=False)
    assert main(["dedupe", str(src), "--out", str(out), "--engine", "spark",
                 "--save-params", str(saved), "--quiet"]) == 0
    res = pd.read_csv(out, dtype={"record_id": str, "cluster_id": str})
    return dict(zip(res.record_id, res.cluster_id)), json.loads(saved.read_text()), res


# ------------------------------------------------------------------ no Spark needed

def test_spark_sql_uses_spark_functions_and_gates_the_python_function():
    rows, _, _ = synth.generate(40, seed=3)
    feats = ft.prepare(pd.DataFrame(rows).drop(columns=["synthetic"]))
    settings = model.settings(feats, engine="spark").get_settings("spark").as_dict()
    sql = json.dumps(settings["comparisons"])
    assert "list_has_any" not in sql and "arrays_overlap(given_keys_l, given_keys_r)" in sql
    # the Python function only ever sees names of pairs that share a key
    assert f"{model.SIMILARITY_UDF}(CASE WHEN" in sql
    duck = json.dumps(model.settings(feats).get_settings("duckdb").as_dict()["comparisons"])
    assert "arrays_overlap" not in duck and f"AND {model.SIMILARITY_UDF}(names_l, names_r)" in duck
    # same comparisons, same levels, on both engines
    names_of = lambda s: [(c["output_column_name"], len(c["comparison_levels"])) for c in s["comparisons"]]
    assert names_of(settings) == names_of(model.settings(feats).get_settings("duckdb").as_dict())


def test_similarity_batch_is_the_names_similarity():
    a = pd.Series(["Асылбек Талғатұлы | Asylbek", None, "Гүлнар"])
    b = pd.Series(["Asylbek Talgatuly", "Гүлнар", ""])
    got = sp._similarity_batch(a, b)
    assert got.iloc[0] == max(names.similarity("Асылбек Талғатұлы", "Asylbek Talgatuly"),
                              names.similarity("Asylbek", "Asylbek Talgatuly"))
    assert pd.isna(got.iloc[1]) and pd.isna(got.iloc[2])


def test_missing_pyspark_or_java_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sp, "available", lambda: "pyspark is not installed: pip install 'kuager[spark]'")
    monkeypatch.setattr(sp, "_state", {"session": None, "dir": None})
    with pytest.raises(KuagerError, match="kuager\\[spark\\]"):
        sp.session()


@pytest.mark.spark
def test_no_java_is_named(monkeypatch):
    pytest.importorskip("pyspark")
    monkeypatch.setattr(sp.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "Java" in sp.available()


# ------------------------------------------------------------------ on Spark

@pytest.mark.spark
def test_session_is_local_quiet_and_has_a_checkpoint_dir(spark_session):
    conf = spark_session.sparkContext.getConf()
    assert spark_session.sparkContext.master == "local[2]"
    assert conf.get("spark.ui.showConsoleProgress") == "false"
    assert spark_session.sparkContext.getCheckpointDir().startswith("file:" + sp._state["dir"])
    assert sp.session() is spark_session  # one per process


@pytest.mark.spark
def test_known_duplicates_join_and_different_people_stay_apart(spark_run):
    clusters, _, _ = spark_run
    for group in SAME:
        assert len({clusters[r] for r in group}) == 1, group
    for a, b in APART:
        assert clusters[a] != clusters[b], (a, b)
    assert list(clusters.values()).count(clusters["k-alone"]) == 1


@pytest.mark.spark
def test_spark_clusters_the_synthetic_people_well(spark_run, data):
    clusters, _, _ = spark_run
    _, truth = data
    synthetic = {r: clusters[r] for r in truth}
    b3 = metrics.bcubed(synthetic, truth)
    singletons = metrics.bcubed({r: r for r in truth}, truth)
    assert b3.f1 > 0.85 and b3.f1 > singletons.f1 + 0.2


@pytest.mark.spark
def test_dedupe_output_and_model(spark_run, data):
    _, params, res = spark_run
    df, _ = data
    assert list(res.columns) == ["record_id", "cluster_id", "match_probability"]
    assert list(res.record_id) == list(df.record_id)
    sizes = res.groupby("cluster_id").size()
    alone = res.cluster_id.map(sizes) == 1
    assert res.match_probability[alone].isna().all() and res.match_probability[~alone].notna().all()
    # the same comparisons as on DuckDB, the name similarity included
    assert [c["output_column_name"] for c in params["comparisons"]][:2] == ["name", "father"]
    assert params["sql_dialect"] == "spark"
    # the typo level and blocking rule too (they were DuckDB's only until 30 Nov 2026)
    name_levels = [lv.get("label_for_charts") for lv in params["comparisons"][0]["comparison_levels"]]
    assert model.TYPO_LABEL in name_levels
    assert any("typo_keys" in r["blocking_rule"] for r in params["blocking_rules_to_generate_predictions"])


@pytest.mark.spark
def test_same_candidate_pairs_as_duckdb(spark_session, data):
    df, _ = data
    pairs = {}
    for engine in ("duckdb", "spark"):
        pred = link(df, engine=engine, keep_linker=True).predictions.as_pandas_dataframe()
        pairs[engine] = set(zip(pred.unique_id_l, pred.unique_id_r))
    assert pairs["spark"] == pairs["duckdb"]


@pytest.mark.spark
def test_same_known_clusters_as_duckdb(spark_run, data):
    clusters, _, _ = spark_run
    df, truth = data
    duck = link(df).clusters
    known = list(KNOWN.record_id)
    groups = lambda cl: {frozenset(r for r in known if cl[r] == cl[k]) for k in known}
    assert groups(clusters) == groups(duck)
    # and the two engines mostly agree on the synthetic people too
    agree = metrics.bcubed({r: clusters[r] for r in truth}, {r: duck[r] for r in truth})
    assert agree.f1 > 0.9


def test_em_rules_name_columns_in_each_engines_sql():
    """An EM pass's blocking rule must compare columns on Spark too: Spark SQL reads
    ``"sex"`` as a text, so ``l."sex" = r."sex"`` held for every pair (EM on random pairs)."""
    import sqlglot
    from sqlglot import exp

    for engine, dialect in (("duckdb", "duckdb"), ("spark", "spark")):
        rule = sqlglot.parse_one(model._em_rule(("given_canon", "father_canon"), engine), read=dialect)
        assert rule.find(exp.Literal) is None, (engine, rule.sql())
        cols = {(c.table, c.name) for c in rule.find_all(exp.Column)}
        assert {("l", "given_canon"), ("r", "given_canon"), ("l", "father_canon"), ("r", "father_canon"),
                ("l", "name_canon")} <= cols
    # the rule of the old code, read as Spark SQL, compares two texts
    old = sqlglot.parse_one('l."sex" = r."sex"', read="spark")
    assert old.find(exp.Literal) is not None
