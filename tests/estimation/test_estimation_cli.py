"""The ``kuager estimate`` command in file mode."""

from __future__ import annotations

import json

import pytest

from kuager.cli import main

DIABETES = [58, 157, 18, 104, 46, 650, 12, 709, 14, 20, 7, 74, 8, 182, 10]


def write_counts(path, counts, lists=("c1", "c2", "c3", "c4"), stratum=None):
    from kuager.estimation import histpos

    k = len(lists)
    head = list(lists) + ["count"] + ([stratum[0]] if stratum else [])
    lines = [",".join(head)]
    for row, c in zip(histpos(k), counts):
        lines.append(",".join(map(str, list(row) + [c])) + (f",{stratum[1]}" if stratum else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_json_output_has_the_contract_fields(tmp_path, capsys):
    f = write_counts(tmp_path / "d.csv", DIABETES)
    rc = main(["estimate", "--counts", str(f), "--interactions", "1:3,2:4,3:4",
               "--heterogeneity", "chao", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("method", "model", "n_observed", "estimate", "stderr", "ci_low", "ci_high", "ci_type", "warnings"):
        assert key in out
    # Rivest (2011) via Rcapture's tests: LB model with interaction set I, 2588 (75).
    assert out["n_observed"] == 2069 and round(out["estimate"]) == 2588 and round(out["stderr"]) == 75
    assert out["ci_low"] < 2588 < out["ci_high"]


def test_text_output_shows_counts_interval_method_and_assumptions(tmp_path, capsys):
    f = write_counts(tmp_path / "d.csv", DIABETES)
    assert main(["estimate", "--counts", str(f), "--select", "bic"]) == 0
    out = capsys.readouterr().out
    for word in ("Documented:  2,069", "Estimate:", "Interval:", "Method:", "Assumptions"):
        assert word in out


def test_refusal_prints_reason_and_exits_1(tmp_path, capsys):
    f = tmp_path / "two.csv"
    f.write_text("a,b,count\n1,1,10\n1,0,20\n0,1,30\n")
    assert main(["estimate", "--counts", str(f)]) == 1
    out = capsys.readouterr().out
    assert "Documented:  60" in out and "No estimate" in out and "at least 3 lists" in out
    assert main(["estimate", "--counts", str(f), "--json"]) == 1
    js = json.loads(capsys.readouterr().out)
    assert js["estimate"] is None and "at least 3 lists" in js["refused"] and js["n_observed"] == 60


def test_bad_file_error_names_row_and_column(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("a,b,c,count\n1,0,0,5\n1,0,7,3\n")
    assert main(["estimate", "--counts", str(f)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 2" in err and "'c'" in err


def test_stratified_from_file(tmp_path, capsys):
    f = tmp_path / "s.csv"
    write_counts(tmp_path / "a.csv", DIABETES, stratum=("year", "2018"))
    write_counts(tmp_path / "b.csv", [c * 2 for c in DIABETES], stratum=("year", "2019"))
    body = (tmp_path / "a.csv").read_text() + "".join((tmp_path / "b.csv").read_text().splitlines(True)[1:])
    f.write_text(body)
    assert main(["estimate", "--counts", str(f), "--by", "year", "--interactions", "1:3,2:4,3:4", "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert set(js["strata"]) == {"2018", "2019"}
    # doubling every count doubles the independence-type estimate exactly (log-linear MLE scales)
    assert js["strata"]["2019"]["estimate"] == pytest.approx(2 * js["strata"]["2018"]["estimate"], rel=1e-6)
    assert js["total"]["estimate"] == pytest.approx(3 * js["strata"]["2018"]["estimate"], rel=1e-6)


def test_options_for_other_methods_rejected(tmp_path, capsys):
    f = write_counts(tmp_path / "d.csv", DIABETES)
    assert main(["estimate", "--counts", str(f), "--method", "bma", "--interactions", "1:2"]) == 1
    assert "loglinear only" in capsys.readouterr().err
