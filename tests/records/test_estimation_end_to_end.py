"""Issue 8 end to end: synthetic lists from a known population -> import -> resolve -> estimate.

The population (300 invented people, each on each of 4 lists independently with
known probabilities) is the truth; the estimate never sees it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kuager.estimation import CaptureHistories, estimate
from kuager.linkage import synth
from kuager.linkage.population import generate_lists
from kuager.records import models as m
from kuager.records.services.importing import import_file
from kuager.records.services.reporting import database_estimate, write_report
from kuager.records.services.resolution import resolve

TRUE_TOTAL = 300
CAPTURE = {"ngo": 0.35, "register": 0.4, "media": 0.3, "petition": 0.25}


@pytest.fixture(scope="module")
def lists():
    return generate_lists(TRUE_TOTAL, CAPTURE, seed=11)


def test_generator_draws_from_the_population(lists):
    rows, truth, _ = lists
    people = set(truth.values())
    # P(on no list) = 0.65 * 0.6 * 0.7 * 0.75 = 0.20475: about 239 of 300 named; this draw names 254
    assert 220 <= len(people) <= 260
    assert {r["source"] for r in rows} == set(CAPTURE)


def test_estimate_from_true_links_covers_the_truth(lists):
    rows, truth, _ = lists
    on = {}
    for r in rows:
        on.setdefault(truth[r["record_id"]], set()).add(r["source"])
    names = sorted(CAPTURE)
    frame = pd.DataFrame([{n: int(n in s) for n in names} for s in on.values()])
    frame = frame.groupby(names, as_index=False).size().rename(columns={"size": "count"})
    e = estimate(CaptureHistories.from_frame(frame))
    assert e.n_observed == len(on)
    assert e.ci_low <= TRUE_TOTAL <= e.ci_high


@pytest.mark.django_db
def test_pipeline_from_lists_to_estimate(lists, tmp_path):
    rows, truth, family = lists
    path, _ = synth.write(tmp_path / "lists.csv", rows, truth, family)
    import_file(path)
    # synthetic rows are labelled as such in the list names that estimates and reports show
    assert sorted(set(m.Testimony.objects.values_list("collection", flat=True))) == sorted(
        f"SYNTHETIC {c}" for c in CAPTURE)
    resolve()
    named = len(set(truth.values()))
    documented = m.Victim.objects.count()
    assert abs(documented - named) <= 0.1 * named  # linkage within 10% of the true number named
    result = database_estimate()
    e = result["estimate"]
    assert e.n_observed == documented and sorted(e.lists) == sorted(f"SYNTHETIC {c}" for c in CAPTURE)
    assert e.estimate > documented and e.ci_low < e.estimate < e.ci_high
    # Split clusters (missed links) hide overlaps and push the estimate up; allow a quarter.
    assert abs(e.estimate - TRUE_TOTAL) <= 0.25 * TRUE_TOTAL
    index = write_report(tmp_path / "report")
    html = index.read_text(encoding="utf-8")
    assert "How many were never reported?" in html and "assumptions" in html
    assert f"{e.estimate:.0f}" in html and "SYNTHETIC ngo" in html


@pytest.mark.django_db
@pytest.mark.xfail(reason="linkage still splits some people across lists, which biases the estimate "
                          "upwards (issue 4); passes once linkage is good enough", strict=False)
def test_pipeline_interval_covers_the_truth(lists, tmp_path):
    rows, truth, family = lists
    path, _ = synth.write(tmp_path / "lists.csv", rows, truth, family)
    import_file(path)
    resolve()
    e = database_estimate()["estimate"]
    assert e.ci_low <= TRUE_TOTAL <= e.ci_high


@pytest.mark.django_db
def test_one_list_is_refused_not_estimated(od_dir):
    import_file(od_dir / "testimonies.csv")
    resolve()
    result = database_estimate()
    assert "estimate" not in result and result["n_observed"] == 3
    assert "three" in result["refused"] or "3" in result["refused"]


@pytest.mark.django_db
def test_cli_estimate_from_the_database(lists, tmp_path, capsys):
    import json

    from kuager.cli import main

    rows, truth, family = lists
    path, _ = synth.write(tmp_path / "lists.csv", rows, truth, family)
    import_file(path)
    resolve()
    assert main(["estimate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_observed"] == m.Victim.objects.count()
    assert sorted(out["lists"]) == sorted(f"SYNTHETIC {c}" for c in CAPTURE)
    assert out["ci_low"] < out["estimate"] < out["ci_high"] and out["assumptions"]
    assert main(["estimate", "--by", "sex", "--json"]) == 0
    strata = json.loads(capsys.readouterr().out)
    assert strata["by"] == "sex" and set(strata["strata"]) <= {"female", "male", "unknown"}
    # the strata partition the documented people, and the total is their sum (or a stated refusal)
    if strata["total_refusal"] is None:
        assert strata["total"]["n_observed"] == out["n_observed"]
