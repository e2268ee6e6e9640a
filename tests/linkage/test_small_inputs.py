"""Small and odd inputs to `kuager.linkage.link` and `kuager dedupe`: a few distinct people,
one row, a header only, the bundled model file as --params, the fallback to the bundled
model below 200 mentions. All names and years invented."""

import json
from importlib import resources

import pandas as pd
import pytest

from kuager.cli import main
from kuager.errors import InputError
from kuager.linkage import link, synth
from kuager.linkage.saved import MIN_MENTIONS_TO_TRAIN, load_default_model, model_params

HEADER = "record_id,names,birth_year\n"
# A and B: the same name and birth year (one person, by hand); C: another name, another decade
AB_C = HEADER + "A,Aynur Memeteli,1980\nB,Aynur Memeteli,1980\nC,Serik Ospan,1970\n"
DEFAULT_MODEL_FILE = str(resources.files("kuager").joinpath("data", "linkage", "default-model.json"))


def frame(text: str) -> pd.DataFrame:
    rows = [line.split(",") for line in text.strip().split("\n")]
    return pd.DataFrame(rows[1:], columns=rows[0])


# ---------------------------------------------------------------- 1. nothing to compare

def test_two_distinct_people_are_two_clusters_with_no_pair():
    # the names share no key and the birth years differ by 10: no blocking rule pairs them,
    # so the prior's rules find no pair (Splink's estimate was 0, and log2(0) crashed scoring)
    res = link(frame(HEADER + "A,Aynur Memeteli,1980\nC,Serik Ospan,1970\n"))
    assert res.clusters == {"A": "A", "C": "C"}
    assert res.probability == {"A": None, "C": None}
    assert res.stats["candidate_pairs"] == 0 and res.stats["clusters"] == 2
    assert len(res.pairs) == 0 and len(res.review) == 0


def test_one_row_is_one_cluster():
    # one record: no pair at all (Splink's prior estimate divided by 0 pairs)
    res = link(frame(HEADER + "A,Aynur Memeteli,1980\n"))
    assert res.clusters == {"A": "A"} and res.stats["candidate_pairs"] == 0


def test_three_rows_train_without_crashing_and_keep_the_other_person_apart():
    # one candidate pair (A, B: same name keys); C shares nothing with them
    res = link(frame(AB_C))
    assert res.stats["candidate_pairs"] == 1
    assert res.clusters["C"] == "C" and set(res.clusters) == {"A", "B", "C"}
    assert 0 < res.params["probability_two_random_records_match"] < 1


def test_the_first_19_synthetic_mentions_link():
    # `kuager synth` (1,000 mentions, seed 0), first 19 rows: candidate pairs, none found by
    # the prior's rules (this crashed with "math domain error")
    rows, _, _ = synth.generate(1000, seed=0)
    df = pd.DataFrame(rows).drop(columns=["synthetic"]).head(19)
    res = link(df)
    assert set(res.clusters) == set(df.record_id) and res.stats["records"] == 19
    assert 0 < res.params["probability_two_random_records_match"] < 1


# ---------------------------------------------------------------- 2. the model file's wrapper

def test_link_takes_a_model_files_wrapper_as_its_params():
    wrapper = load_default_model()
    assert set(wrapper) == {"about", "params"}
    assert model_params(wrapper) is wrapper["params"]
    assert model_params(wrapper["params"]) is wrapper["params"]
    res = link(frame(AB_C), params=wrapper)
    # with the bundled model the pair of identical name and birth year is joined (p 0.9997)
    assert res.clusters == {"A": "A", "B": "A", "C": "C"}
    assert res.params == wrapper["params"]


def test_a_file_that_is_no_model_is_refused_naming_it():
    with pytest.raises(InputError, match="m.json.*not a saved linkage model"):
        model_params({"about": {}}, file="m.json")
    with pytest.raises(InputError, match="not a saved linkage model"):
        link(frame(AB_C), params={"threshold": 0.9})


def test_dedupe_reads_the_bundled_model_file(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(AB_C, encoding="utf-8")
    assert main(["dedupe", str(src), "--out", str(out), "--params", DEFAULT_MODEL_FILE, "--quiet"]) == 0
    res = pd.read_csv(out, dtype=str)
    assert list(res.cluster_id) == ["A", "A", "C"]


# ---------------------------------------------------------------- 3. a header only

def test_a_header_only_is_refused_naming_the_file(tmp_path, capsys):
    src = tmp_path / "empty.csv"
    src.write_text(HEADER, encoding="utf-8")
    assert main(["dedupe", str(src), "--out", str(tmp_path / "o.csv"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "empty.csv" in err and "no data rows" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(InputError, match="x.csv.*no data rows"):
        link(frame(HEADER), file="x.csv")


# ---------------------------------------------------------------- 4. the bundled model below 200

def test_dedupe_scores_a_small_file_with_the_bundled_model(tmp_path, capsys):
    src, out, saved = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "model.json"
    src.write_text(AB_C, encoding="utf-8")
    assert MIN_MENTIONS_TO_TRAIN == 200
    assert main(["dedupe", str(src), "--out", str(out), "--save-params", str(saved)]) == 0
    assert "3 mentions, fewer than 200: scoring with the bundled default model" in capsys.readouterr().err
    # A and B (same name, same year) joined, C alone; the model used is the bundled one
    assert list(pd.read_csv(out, dtype=str).cluster_id) == ["A", "A", "C"]
    assert json.loads(saved.read_text())["linker_uid"] == "kuager-default"
    # --quiet: no message
    assert main(["dedupe", str(src), "--out", str(out), "--quiet"]) == 0
    assert "bundled" not in capsys.readouterr().err
    # --train: estimated from the file (Splink's own random linker_uid), with a warning that 3
    # mentions are few to estimate from
    assert main(["dedupe", str(src), "--out", str(out), "--save-params", str(saved), "--train"]) == 0
    assert "3 mentions, fewer than 200: the model estimated from them (--train) rests on few pairs" \
        in capsys.readouterr().err
    assert json.loads(saved.read_text())["linker_uid"] != "kuager-default"


def test_the_small_file_notice_is_not_given_before_an_input_error(tmp_path, capsys):
    # a repeated record_id (A twice) is an input error: it is reported, and the notice about
    # the bundled model (which never scored anything) is not printed before it
    src, out = tmp_path / "dup.csv", tmp_path / "out.csv"
    src.write_text(HEADER + "A,Aynur Memeteli,1980\nA,Serik Ospan,1970\n", encoding="utf-8")
    assert main(["dedupe", str(src), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert "record_id" in err and "bundled" not in err
